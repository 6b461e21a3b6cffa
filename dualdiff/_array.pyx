# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True
"""C loops of the dual array type (dualdiff/_ndarray.py).

Every buffer is C-contiguous float64 holding `count` numbers of
m = dd_size(n, order) doubles each, in the frozen layout of dualdiff.h, so
each loop applies one rule of the C core per element. The GIL is released.

Each elementwise loop returns a bit mask of floating-point events seen in the
values, for NumPy-style warnings: 1 = NaN from non-NaN input (invalid),
2 = infinity from finite input (divide by zero or overflow).
"""
from libc.math cimport isnan, isfinite
from dualdiff.dualdiff cimport *

# Arithmetic codes beside the binary rule codes (which are >= 0).
MUL = -3
DIV = -4
POW = -5
cdef enum:
    C_MUL = -3
    C_DIV = -4
    C_POW = -5


cdef extern from "dualdiff/dualdiff.h" nogil:
    void dd_rule_sin(double x, int order, double *r)


cdef extern from *:
    """
    static int dd__mul1(double *restrict o, const double *restrict a, const double *restrict b, Py_ssize_t count)
    {
        Py_ssize_t i;
        int bad = 0;
        for (i = 0; i < count; i++) {
            double av = a[2 * i], at = a[2 * i + 1], bv = b[2 * i], bt = b[2 * i + 1];
            double v = av * bv;
            o[2 * i] = v;
            o[2 * i + 1] = bv * at + av * bt;
            bad |= !isfinite(v);
        }
        return bad;
    }
    """
    int _mul1 "dd__mul1"(double *o, const double *a, const double *b, Py_ssize_t count) noexcept nogil


cdef inline int _event(double x, double y, double r) noexcept nogil:
    if isnan(r):
        return 0 if (isnan(x) or isnan(y)) else 1
    if not isfinite(r) and isfinite(x) and isfinite(y):
        return 2
    return 0


cdef inline void _sin1(double *o, const double *a) noexcept nogil:
    # width 1, first order: the rule and the chain rule written out, so the
    # compiler sees one sin and one cos of the same argument (one sincos call)
    cdef double r[3]
    dd_rule_sin(a[0], 1, r)
    o[1] = r[1] * a[1]
    o[0] = r[0]



def unary(int op, double[::1] out, const double[::1] a, Py_ssize_t n, int order):
    """unary(op, out, a, n, order) -> events: out[i] = f(a[i]) by unary rule op.

    out must not overlap a."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t i, count = a.shape[0] // m
    cdef size_t k
    cdef int ev = 0
    cdef bint bad = 0
    cdef double v
    cdef double r[3]
    cdef dd_unary_rule rule
    cdef double *po
    cdef const double *pa
    if count == 0:
        return 0
    po = &out[0]
    pa = &a[0]
    with nogil:
        if op == DD_OP_sin and n == 1 and DD_ORDER(order) == 1:
            for i in range(count):
                _sin1(po + 2 * i, pa + 2 * i)
                bad |= not isfinite(po[2 * i])
            if bad and not (order & DD_IEEE):
                # sin(+-inf) and sin(nan) have a NaN partial: a zero tangent
                # must stay 0 (the zero-tangent rule of dd_chain_unary)
                for i in range(count):
                    if not isfinite(po[2 * i]):
                        dd_unary(op, po + 2 * i, pa + 2 * i, 1, order)
        elif DD_ORDER(order) == 1:
            # first order: the rule through one pointer fetched once, and the
            # chain rule inline (half the instructions of dd_unary per number)
            rule = dd_unary_rule_of(op)
            for i in range(count):
                rule(pa[i * m], 1, r)
                if (order & DD_IEEE) or isfinite(r[1]):
                    for k in range(1, m):
                        po[i * m + k] = r[1] * pa[i * m + k]
                    po[i * m] = r[0]
                else:
                    dd_chain_unary(po + i * m, pa + i * m, n, order, r)
                bad |= not isfinite(po[i * m])
        else:
            for i in range(count):
                dd_unary(op, po + i * m, pa + i * m, n, order)
                bad |= not isfinite(po[i * m])
        if bad:
            for i in range(count):
                ev |= _event(pa[i * m], 0.0, po[i * m])
    return ev


cdef inline void _apply2(int op, double *o, const double *a, const double *b, size_t n, int order) noexcept nogil:
    if op == C_MUL:
        dd_mul(o, a, b, n, order)
    elif op == C_DIV:
        dd_div(o, a, b, n, order)
    elif op == C_POW:
        dd_pow(o, a, b, n, order)
    else:
        dd_binary(op, o, a, b, n, order)


cdef inline void _apply_x(int op, double *o, const double *a, double c, size_t n, int order) noexcept nogil:
    cdef size_t m = dd_size(n, order)
    if op == C_MUL:
        dd_scalar_mul(o, c, a, m)
    elif op == C_DIV:
        dd_div_scalar(o, a, c, m)
    elif op == C_POW:
        dd_pow_scalar(o, a, c, n, order)
    else:
        dd_binary_x(op, o, a, c, n, order)


cdef inline void _apply_y(int op, double *o, double c, const double *b, size_t n, int order) noexcept nogil:
    cdef size_t m = dd_size(n, order)
    if op == C_MUL:
        dd_scalar_mul(o, c, b, m)
    elif op == C_DIV:
        dd_scalar_div(o, c, b, n, order)
    elif op == C_POW:
        dd_scalar_pow(o, c, b, n, order)
    else:
        dd_binary_y(op, o, c, b, n, order)


def binary(int op, double[::1] out, const double[::1] a, Py_ssize_t sa, const double[::1] b,
           Py_ssize_t sb, Py_ssize_t n, int order):
    """binary(op, out, a, sa, b, sb, n, order) -> events: out[i] = f(a[i*sa], b[i*sb]).

    sa and sb are 1 (one number per element) or 0 (one number for all);
    out must not overlap a or b."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t i, count = out.shape[0] // m
    cdef int ev = 0
    cdef bint bad = 0
    cdef double u, w
    cdef double *po
    cdef const double *pa
    cdef const double *pb
    if count == 0:
        return 0
    po = &out[0]
    pa = &a[0]
    pb = &b[0]
    with nogil:
        if op == C_MUL and n == 1 and DD_ORDER(order) == 1 and sa == 1 and sb == 1:
            # the product rule without the checks for non-finite values, in a
            # loop the compiler vectorizes; redone by dd_mul if any value is
            # not finite (then the zero-tangent convention needs the checks)
            bad = _mul1(po, pa, pb, count)
            if bad and not (order & DD_IEEE):
                for i in range(count):
                    dd_mul(po + 2 * i, pa + 2 * i, pb + 2 * i, 1, 1)
        else:
            for i in range(count):
                _apply2(op, po + i * m, pa + i * sa * m, pb + i * sb * m, n, order)
                bad |= not isfinite(po[i * m])
        if bad:
            for i in range(count):
                ev |= _event(pa[i * sa * m], pb[i * sb * m], po[i * m])
    return ev


def binary_const(int op, double[::1] out, const double[::1] a, Py_ssize_t sa, const double[::1] c,
                 Py_ssize_t sc, bint const_first, Py_ssize_t n, int order):
    """binary_const(op, out, a, sa, c, sc, const_first, n, order) -> events.

    out[i] = f(a[i*sa], c[i*sc]), or f(c[i*sc], a[i*sa]) when const_first;
    c holds plain doubles (constants); out must not overlap a."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t i, count = out.shape[0] // m
    cdef int ev = 0
    cdef bint bad = 0
    cdef double u, w
    cdef double *po
    cdef const double *pa
    cdef const double *pc
    if count == 0:
        return 0
    po = &out[0]
    pa = &a[0]
    pc = &c[0]
    with nogil:
        for i in range(count):
            if const_first:
                _apply_y(op, po + i * m, pc[i * sc], pa + i * sa * m, n, order)
            else:
                _apply_x(op, po + i * m, pa + i * sa * m, pc[i * sc], n, order)
            bad |= not isfinite(po[i * m])
        if bad:
            for i in range(count):
                ev |= _event(pa[i * sa * m], pc[i * sc], po[i * m])
    return ev


def prod_reduce(double[::1] out, const double[::1] a, Py_ssize_t rows, Py_ssize_t n, int order):
    """prod_reduce(out, a, rows, n, order): a holds rows x K numbers; out[k] = prod_r a[r, k]."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t r, k, K = out.shape[0] // m
    cdef double *po
    cdef const double *pa
    if K == 0:
        return
    po = &out[0]
    if rows == 0:
        for k in range(K):
            dd_set_constant(po + k * m, 1.0, n, order)
        return
    pa = &a[0]
    with nogil:
        for k in range(K):
            dd_copy(po + k * m, pa + k * m, m)
        for r in range(1, rows):
            for k in range(K):
                dd_mul(po + k * m, po + k * m, pa + (r * K + k) * m, n, order)


def prod_accumulate(double[::1] out, const double[::1] a, Py_ssize_t rows, Py_ssize_t n, int order):
    """prod_accumulate(out, a, rows, n, order): out[r, k] = prod_{s <= r} a[s, k]."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t r, k, K
    cdef double *po
    cdef const double *pa
    if rows == 0 or out.shape[0] == 0:
        return
    K = out.shape[0] // (m * rows)
    po = &out[0]
    pa = &a[0]
    with nogil:
        for k in range(K):
            dd_copy(po + k * m, pa + k * m, m)
        for r in range(1, rows):
            for k in range(K):
                dd_mul(po + (r * K + k) * m, po + ((r - 1) * K + k) * m, pa + (r * K + k) * m, n, order)


def seed(double[::1] out, const double[::1] x, Py_ssize_t start, Py_ssize_t n, int order):
    """seed(out, x, start, n, order): out[i] = x[i] as the variable along direction
    i - start when 0 <= i - start < n, else a constant."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t i, count = x.shape[0]
    with nogil:
        for i in range(count):
            if start <= i < start + n:
                dd_set_variable(&out[i * m], x[i], <size_t>(i - start), n, order)
            else:
                dd_set_constant(&out[i * m], x[i], n, order)


def unpack_hessian(double[:, :, ::1] out, const double[::1] a, Py_ssize_t n, Py_ssize_t col):
    """unpack_hessian(out, a, n, col): out[i, col+j, col+k] = H_jk of the i-th
    second-order number in a (both triangles)."""
    cdef size_t m = dd_size(n, 2)
    cdef Py_ssize_t i, j, k, count = a.shape[0] // m
    cdef double h
    with nogil:
        for i in range(count):
            for j in range(n):
                for k in range(j, n):
                    h = a[i * m + dd_hessian_index(j, k, n)]
                    out[i, col + j, col + k] = h
                    out[i, col + k, col + j] = h
