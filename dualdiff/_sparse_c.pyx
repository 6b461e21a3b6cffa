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


# ------------------------------------------------------------ dependency sets
#
# Sparsity detection runs f once on numbers that carry, instead of
# derivatives, the set of inputs they depend on. The sets live in one Store
# per detection: row r holds a sorted list of input indices, and a number
# holds only its row id. Row 0 is the set of a constant (nothing, and known
# not to depend on x), row 1 the empty set of a number computed from x that
# depends on none of it (a step function's result), rows 2 .. n + 1 the
# inputs themselves ({j} for input j). An operation unites the rows of its
# operands; a union equal to one of them reuses that row, so elementwise
# chains that add no dependency add no rows.

from libc.stdlib cimport malloc, realloc, free, qsort
from libc.string cimport memcpy

cdef extern from "dualdiff/dd_rules.h" nogil:
    int DD_NUM_UNARY
    int DD_NUM_BINARY
    const char *dd_unary_name(int op)
    const char *dd_binary_name(int op)
    int dd_unary_depends(int op)
    void dd_binary_depends(int op, int *dx, int *dy)


def rule_structure():
    """rule_structure() -> (unary, binary): the C rule table's structure, for
    sparsity detection. ``unary[name]`` is False for the step functions (no
    dependency on the argument); ``binary[name]`` is (dx, dy), whether the
    rule can depend on its first and on its second argument."""
    cdef int op, dx, dy
    unary = {}
    binary = {}
    for op in range(DD_NUM_UNARY):
        unary[dd_unary_name(op).decode()] = bool(dd_unary_depends(op))
    for op in range(DD_NUM_BINARY):
        dd_binary_depends(op, &dx, &dy)
        binary[dd_binary_name(op).decode()] = (bool(dx), bool(dy))
    return unary, binary


cdef int _cmp_int64(const void *a, const void *b) noexcept nogil:
    cdef int64_t x = (<const int64_t *>a)[0], y = (<const int64_t *>b)[0]
    return (x > y) - (x < y)


cdef class Store:
    """Store(n): the dependency sets of one sparsity detection over n inputs.

    Ids 0 (a constant) and 1 (depends on nothing) are empty; id 2 + j is
    {j}. Every other row is made by the unions below and never changes."""

    cdef int64_t *start       # row r: idx[start[r] : start[r] + length[r]]
    cdef int64_t *length
    cdef int64_t *idx
    cdef int64_t *mark        # n stamps for the unions of many rows
    cdef int64_t stamp
    cdef Py_ssize_t nrows, rows_cap, nidx, idx_cap
    cdef readonly Py_ssize_t n

    def __cinit__(self, Py_ssize_t n):
        cdef Py_ssize_t j
        if n < 0:
            raise ValueError("n must be >= 0")
        self.n = n
        self.rows_cap = n + 2 + 1024
        self.idx_cap = n + 1024
        self.start = <int64_t *>malloc(self.rows_cap * sizeof(int64_t))
        self.length = <int64_t *>malloc(self.rows_cap * sizeof(int64_t))
        self.idx = <int64_t *>malloc(self.idx_cap * sizeof(int64_t))
        self.mark = <int64_t *>malloc((n + 1) * sizeof(int64_t))
        if self.start == NULL or self.length == NULL or self.idx == NULL or self.mark == NULL:
            raise MemoryError()
        self.start[0] = self.start[1] = 0
        self.length[0] = self.length[1] = 0
        for j in range(n):
            self.start[2 + j] = j
            self.length[2 + j] = 1
            self.idx[j] = j
            self.mark[j] = 0
        self.stamp = 0
        self.nrows = n + 2
        self.nidx = n

    def __dealloc__(self):
        free(self.start)
        free(self.length)
        free(self.idx)
        free(self.mark)

    @property
    def nsets(self):
        """The number of sets (rows) made so far, the n + 2 of the start included."""
        return self.nrows

    @property
    def nentries(self):
        """The number of indices the rows hold together."""
        return self.nidx

    cdef int _reserve_rows(self, Py_ssize_t k) except -1:
        cdef Py_ssize_t cap
        cdef int64_t *s
        cdef int64_t *l
        if self.nrows + k <= self.rows_cap:
            return 0
        cap = max(2 * self.rows_cap, self.nrows + k)
        s = <int64_t *>realloc(self.start, cap * sizeof(int64_t))
        if s == NULL:
            raise MemoryError()
        self.start = s
        l = <int64_t *>realloc(self.length, cap * sizeof(int64_t))
        if l == NULL:
            raise MemoryError()
        self.length = l
        self.rows_cap = cap
        return 0

    cdef int _reserve_idx(self, Py_ssize_t k) except -1:
        cdef Py_ssize_t cap
        cdef int64_t *p
        if self.nidx + k <= self.idx_cap:
            return 0
        cap = max(2 * self.idx_cap, self.nidx + k)
        p = <int64_t *>realloc(self.idx, cap * sizeof(int64_t))
        if p == NULL:
            raise MemoryError()
        self.idx = p
        self.idx_cap = cap
        return 0

    cdef inline int _check(self, int64_t r) except -1:
        if r < 0 or r >= self.nrows:
            raise IndexError(f"no dependency set with id {r}")
        return 0

    cdef int64_t _union(self, int64_t x, int64_t y) except -1:
        """The id of the union of rows x and y (one of them when it is that union)."""
        cdef int64_t la, lb, i, j, k, u, w
        cdef int64_t *a
        cdef int64_t *b
        cdef int64_t *o
        if x == y or y == 0:
            return x
        if x == 0:
            return y
        if x == 1:
            return y
        if y == 1:
            return x
        la = self.length[x]
        lb = self.length[y]
        self._reserve_idx(la + lb)
        a = self.idx + self.start[x]
        b = self.idx + self.start[y]
        o = self.idx + self.nidx
        i = j = k = 0
        while i < la and j < lb:
            u = a[i]
            w = b[j]
            if u < w:
                o[k] = u
                i += 1
            elif w < u:
                o[k] = w
                j += 1
            else:
                o[k] = u
                i += 1
                j += 1
            k += 1
        while i < la:
            o[k] = a[i]
            i += 1
            k += 1
        while j < lb:
            o[k] = b[j]
            j += 1
            k += 1
        if k == la:
            return x
        if k == lb:
            return y
        self._reserve_rows(1)
        self.start[self.nrows] = self.nidx
        self.length[self.nrows] = k
        self.nidx += k
        self.nrows += 1
        return self.nrows - 1

    cpdef int64_t union_pair(self, int64_t x, int64_t y) except -1:
        """union_pair(x, y) -> the id of the union of the sets x and y."""
        self._check(x)
        self._check(y)
        return self._union(x, y)

    def union(self, const int64_t[::1] a, const int64_t[::1] b):
        """union(a, b) -> int64 array: the union of the sets a[k] and b[k] for every k."""
        cdef Py_ssize_t k, count = a.shape[0]
        cdef int64_t x, y, px = -1, py = -1, pr = 0
        if b.shape[0] != count:
            raise ValueError("union: the id arrays differ in length")
        out = np.empty(count, dtype=np.int64)
        cdef int64_t[::1] o = out
        for k in range(count):
            x = a[k]
            y = b[k]
            if x == px and y == py:  # runs of one pair (a broadcast operand)
                o[k] = pr
                continue
            self._check(x)
            self._check(y)
            pr = self._union(x, y)
            px = x
            py = y
            o[k] = pr
        return out

    def union_groups(self, const int64_t[:, ::1] ids):
        """union_groups(ids) -> int64 array: for each row g of the 2-D array
        ids, the union of the sets ids[g, 0], ids[g, 1], ... (0 when all are
        constants, 1 when the union is empty otherwise)."""
        cdef Py_ssize_t g, r, G = ids.shape[0], R = ids.shape[1]
        cdef int64_t v, first, best, total, k, t, e, s, prev
        cdef bint nonconst, many, ordered
        cdef int64_t *o
        cdef int64_t *row
        out = np.empty(G, dtype=np.int64)
        cdef int64_t[::1] res = out
        for g in range(G):
            nonconst = False
            many = False
            first = -1
            best = -1
            total = 0
            for r in range(R):
                v = ids[g, r]
                if v == 0:
                    continue
                self._check(v)
                nonconst = True
                if v == 1:
                    continue
                if first == -1:
                    first = v
                elif v != first:
                    many = True
                if best == -1 or self.length[v] > self.length[best]:
                    best = v
                total += self.length[v]
            if not nonconst:
                res[g] = 0
                continue
            if first == -1:
                res[g] = 1
                continue
            if not many:
                res[g] = first
                continue
            # collect each index once (a stamp per group), then sort
            self.stamp += 1
            s = self.stamp
            self._reserve_idx(min(total, self.n))
            o = self.idx + self.nidx
            k = 0
            prev = -1
            for r in range(R):
                v = ids[g, r]
                if v <= 1 or v == prev:
                    continue
                prev = v
                row = self.idx + self.start[v]
                for e in range(self.length[v]):
                    t = row[e]
                    if self.mark[t] != s:
                        self.mark[t] = s
                        o[k] = t
                        k += 1
            if k == self.length[best]:
                res[g] = best
                continue
            ordered = True
            for e in range(1, k):
                if o[e - 1] > o[e]:
                    ordered = False
                    break
            if not ordered:
                qsort(o, k, sizeof(int64_t), _cmp_int64)
            self._reserve_rows(1)
            self.start[self.nrows] = self.nidx
            self.length[self.nrows] = k
            self.nidx += k
            self.nrows += 1
            res[g] = self.nrows - 1
        return out

    def scan(self, const int64_t[:, ::1] ids):
        """scan(ids) -> int64 array of ids' shape: along each row of the 2-D
        array, the union of the sets up to and including each entry."""
        cdef Py_ssize_t g, r, G = ids.shape[0], R = ids.shape[1]
        cdef int64_t acc
        out = np.empty((G, R), dtype=np.int64)
        cdef int64_t[:, ::1] o = out
        for g in range(G):
            acc = 0
            for r in range(R):
                self._check(ids[g, r])
                acc = self._union(acc, ids[g, r])
                o[g, r] = acc
        return out

    def rows(self, const int64_t[::1] ids):
        """rows(ids) -> (indptr, indices): the sets of ids as the rows of a
        CSR matrix (int64; each row sorted)."""
        cdef Py_ssize_t k, e, count = ids.shape[0]
        cdef int64_t total = 0, r, p
        for k in range(count):
            self._check(ids[k])
            total += self.length[ids[k]]
        indptr = np.empty(count + 1, dtype=np.int64)
        indices = np.empty(total, dtype=np.int64)
        cdef int64_t[::1] ip = indptr
        cdef int64_t[::1] ix = indices
        p = 0
        ip[0] = 0
        for k in range(count):
            r = ids[k]
            if self.length[r]:
                memcpy(&ix[p], self.idx + self.start[r], self.length[r] * sizeof(int64_t))
            p += self.length[r]
            ip[k + 1] = p
        return indptr, indices

    def row(self, int64_t r):
        """row(r) -> the sorted input indices of set r (an int64 array)."""
        self._check(r)
        out = np.empty(self.length[r], dtype=np.int64)
        cdef int64_t[::1] o = out
        if self.length[r]:
            memcpy(&o[0], self.idx + self.start[r], self.length[r] * sizeof(int64_t))
        return out

    def add_rows(self, const int64_t[::1] indptr, const int64_t[::1] indices):
        """add_rows(indptr, indices) -> int64 array: the ids of new sets, one per
        row of the CSR structure (each row sorted, without repeats, members
        below n); an empty row gives id 1."""
        cdef Py_ssize_t k, count = indptr.shape[0] - 1
        cdef int64_t a, b, e, prev
        if count < 0:
            raise ValueError("add_rows: indptr is empty")
        out = np.empty(count, dtype=np.int64)
        cdef int64_t[::1] o = out
        for k in range(count):
            a = indptr[k]
            b = indptr[k + 1]
            if a < 0 or b < a or b > indices.shape[0]:
                raise ValueError("add_rows: indptr out of range")
            if a == b:
                o[k] = 1
                continue
            prev = -1
            for e in range(a, b):
                if indices[e] <= prev or indices[e] >= self.n:
                    raise ValueError("add_rows: each row must be sorted, unique and below n")
                prev = indices[e]
            self._reserve_idx(b - a)
            self._reserve_rows(1)
            memcpy(self.idx + self.nidx, &indices[a], (b - a) * sizeof(int64_t))
            self.start[self.nrows] = self.nidx
            self.length[self.nrows] = b - a
            self.nidx += b - a
            self.nrows += 1
            o[k] = self.nrows - 1
        return out
