/* csrc/dd_color.c - see dd_color.h. */
#include "dd_color.h"

int64_t dd_color_columns(int64_t n_rows, int64_t n_cols,
                         const int64_t *colptr, const int64_t *rowind,
                         const int64_t *rowptr, const int64_t *colind,
                         const int64_t *order, int64_t *colors, int64_t *mark)
{
    int64_t t, p, q, ncolors = 0;
    (void)n_rows;
    for (t = 0; t < n_cols; t++) {
        colors[t] = -1;
        mark[t] = -1;
    }
    mark[n_cols] = -1;
    for (t = 0; t < n_cols; t++) {
        int64_t j = order ? order[t] : t, c;
        /* forbid the colors of every column that shares a row with j;
         * mark[c] == j means "taken for column j" (no clearing needed) */
        for (p = colptr[j]; p < colptr[j + 1]; p++) {
            int64_t i = rowind[p];
            for (q = rowptr[i]; q < rowptr[i + 1]; q++) {
                int64_t k = colind[q];
                if (colors[k] >= 0) mark[colors[k]] = j;
            }
        }
        for (c = 0; mark[c] == j; c++) {
        }
        colors[j] = c;
        if (c + 1 > ncolors) ncolors = c + 1;
    }
    return ncolors;
}
