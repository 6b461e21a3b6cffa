/*
 * csrc/dd_color.h - column coloring for sparse Jacobians (private to dualdiff).
 */
#ifndef DUALDIFF_DD_COLOR_H
#define DUALDIFF_DD_COLOR_H

#include <stdint.h>

/* Greedy distance-1 coloring of the column intersection graph of an
 * n_rows x n_cols sparsity pattern: two columns that share a row get
 * different colors, so all columns of one color can be seeded in one
 * direction and their entries read back without mixing.
 *
 * The pattern is given twice, as CSC (colptr, rowind) and CSR (rowptr,
 * colind). Columns are colored in the given order (NULL: 0, 1, ...), each
 * with the smallest color none of its neighbours has.
 * colors: n_cols outputs; mark: n_cols + 1 scratch entries.
 * Returns the number of colors. Runs in O(sum over columns of the row
 * lengths of its rows). */
int64_t dd_color_columns(int64_t n_rows, int64_t n_cols,
                         const int64_t *colptr, const int64_t *rowind,
                         const int64_t *rowptr, const int64_t *colind,
                         const int64_t *order, int64_t *colors, int64_t *mark);

#endif
