# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Newton iterations on the 3x3 system of tests/extending/newton3.pyx: Jacobian from
dualdiff's C API vs a hand-written analytic Jacobian, same iteration, same LU."""
from libc.math cimport M_PI, exp, sin, cos
from dualdiff.dualdiff cimport *

import time

cdef enum:
    MAXM = 8


cdef int system(const double *x, double *f, size_t n_in, size_t n_out,
                size_t w, void *data) noexcept nogil:
    cdef size_t m = w + 1
    cdef double t[MAXM]
    cdef const double *X = x
    cdef const double *Y = x + m
    cdef const double *Z = x + 2 * m
    cdef double *f1 = f
    cdef double *f2 = f + m
    cdef double *f3 = f + 2 * m
    if m > MAXM:
        return 1
    dd_square(f1, X, w, 1)
    dd_square(t, Y, w, 1)
    dd_add(f1, f1, t, m)
    dd_square(t, Z, w, 1)
    dd_add(f1, f1, t, m)
    dd_add_scalar(f1, f1, -3.0, m)
    dd_add_scalar(t, X, -1.0, m)
    dd_exp(f2, t, w, 1)
    dd_mul(t, Y, Z, w, 1)
    dd_scalar_mul(t, 2.0, t, m)
    dd_add(f2, f2, t, m)
    dd_add_scalar(f2, f2, -3.0, m)
    dd_scalar_mul(t, M_PI / 2, X, m)
    dd_sin(f3, t, w, 1)
    dd_add(f3, f3, Y, m)
    dd_scalar_mul(t, 2.0, Z, m)
    dd_sub(f3, f3, t, m)
    return 0


cdef void system_hand(const double *x, double *f, double *jac) noexcept nogil:
    cdef double X = x[0], Y = x[1], Z = x[2]
    cdef double e = exp(X - 1.0), a = M_PI / 2 * X
    f[0] = X * X + Y * Y + Z * Z - 3.0
    f[1] = e + 2.0 * Y * Z - 3.0
    f[2] = sin(a) + Y - 2.0 * Z
    jac[0] = 2.0 * X
    jac[1] = 2.0 * Y
    jac[2] = 2.0 * Z
    jac[3] = e
    jac[4] = 2.0 * Z
    jac[5] = 2.0 * Y
    jac[6] = M_PI / 2 * cos(a)
    jac[7] = 1.0
    jac[8] = -2.0


cdef void newton(double *x, int steps, int hand, double *work) noexcept nogil:
    cdef double f[3]
    cdef double jac[9]
    cdef int k, i
    for k in range(steps):
        if hand:
            system_hand(x, f, jac)
        else:
            dd_value_and_jacobian(system, NULL, x, 3, 3, 0, f, jac, work)
        for i in range(3):
            f[i] = -f[i]
        dd_lu_solve(jac, f, 3)
        for i in range(3):
            x[i] += f[i]


def time_newton(str kind, int reps, int steps):
    """time_newton(kind, reps, steps) -> (seconds per solve, root); kind: "dual", "hand" or "driver" """
    cdef double x[3]
    cdef double work[64]
    cdef int r, hand = kind == "hand", driver = kind == "driver", it
    t0 = time.perf_counter()
    with nogil:
        for r in range(reps):
            x[0] = 1.3
            x[1] = 0.8
            x[2] = 1.2
            if driver:
                dd_newton(system, NULL, x, 3, 0, 1e-14, 0.0, steps, NULL, work, &it)
            else:
                newton(x, steps, hand, work)
    t1 = time.perf_counter()
    return (t1 - t0) / reps, [x[0], x[1], x[2]]


def time_jacobian(str kind, int reps):
    """time_jacobian(kind, reps) -> seconds per value-and-Jacobian; kind: "dual" or "hand" """
    cdef double x[3]
    cdef double f[3]
    cdef double jac[9]
    cdef double work[64]
    cdef double acc = 0.0
    cdef int r, hand = kind == "hand"
    t0 = time.perf_counter()
    with nogil:
        for r in range(reps):
            x[0] = 1.3 + r * 1e-12
            x[1] = 0.8
            x[2] = 1.2
            if hand:
                system_hand(x, f, jac)
            else:
                dd_value_and_jacobian(system, NULL, x, 3, 3, 0, f, jac, work)
            acc += jac[6]
    t1 = time.perf_counter()
    return (t1 - t0) / reps, acc
