# cython: language_level=3, boundscheck=False, wraparound=False, binding=False
# cython: embedsignature=True, embedsignature.format=clinic
# (signatures that inspect reads, as in _dual.pyx)
"""Compiled helpers for sparse Jacobians: column coloring, and gathering the
entries of a colored Jacobian."""
import numpy as np

from libc.stdint cimport int64_t, uint64_t


cdef extern from "dd_color.h" nogil:
    int64_t dd_color_columns(int64_t n_rows, int64_t n_cols,
                             const int64_t *colptr, const int64_t *rowind,
                             const int64_t *rowptr, const int64_t *colind,
                             const int64_t *order, int64_t *colors, int64_t *mark)


def color_columns(pattern, order=None):
    """color_columns(pattern, order=None) -> (colors, ncolors)

    Greedy distance-1 coloring of the columns of a scipy.sparse pattern:
    columns sharing a row get different colors. ``order`` optionally gives
    the order in which columns are colored."""
    csc = pattern.tocsc()
    csr = pattern.tocsr()
    cdef int64_t n_rows = csc.shape[0], n_cols = csc.shape[1]
    cdef const int64_t[::1] colptr = np.ascontiguousarray(csc.indptr, dtype=np.int64)
    cdef const int64_t[::1] rowind = np.ascontiguousarray(csc.indices, dtype=np.int64)
    cdef const int64_t[::1] rowptr = np.ascontiguousarray(csr.indptr, dtype=np.int64)
    cdef const int64_t[::1] colind = np.ascontiguousarray(csr.indices, dtype=np.int64)
    colors = np.empty(n_cols, dtype=np.int64)
    mark = np.empty(n_cols + 1, dtype=np.int64)
    cdef int64_t[::1] c = colors
    cdef int64_t[::1] m = mark
    cdef const int64_t[::1] o
    cdef const int64_t *op = NULL
    cdef int64_t ncolors
    if order is not None:
        o = np.ascontiguousarray(order, dtype=np.int64)
        if o.shape[0] != n_cols or not np.array_equal(np.sort(np.asarray(o)), np.arange(n_cols)):
            raise ValueError("order must be a permutation of the column indices")
        op = &o[0]
    if n_cols == 0:
        return colors, 0
    cdef const int64_t *ri = &rowind[0] if rowind.shape[0] else NULL
    cdef const int64_t *ci = &colind[0] if colind.shape[0] else NULL
    with nogil:
        ncolors = dd_color_columns(n_rows, n_cols, &colptr[0], ri, &rowptr[0], ci, op, &c[0], &m[0])
    return colors, int(ncolors)


def gather(const double[::1] src, const int64_t[::1] index):
    """gather(src, index) -> float64 array: src[index[k]] for every k (each index
    must lie in 0 <= index[k] < len(src), as the prepared indices of a colored
    Jacobian do; IndexError otherwise)."""
    cdef Py_ssize_t k, count = index.shape[0]
    cdef uint64_t i, size = <uint64_t>src.shape[0]
    out = np.empty(count)
    cdef double[::1] o = out
    cdef bint ok, bad = 0
    if count == 0:
        return out
    if size == 0:
        raise IndexError("gather: index out of range")
    with nogil:
        for k in range(count):
            # no branch: a bad index reads src[0] and is reported after the loop
            i = <uint64_t>index[k]
            ok = i < size
            bad |= not ok
            o[k] = src[i if ok else 0]
    if bad:
        raise IndexError("gather: index out of range")
    return out
