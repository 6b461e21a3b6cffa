# cython: language_level=3
"""Checks of the C drivers in dualdiff/dd_drivers.h (edge cases, chunks, errors)."""
from libc.math cimport NAN
from dualdiff.dualdiff cimport *

import numpy as np

cdef enum:
    MAXM = 8


cdef int h(const double *x, double *f, size_t n_in, size_t n_out,
           size_t w, void *data) noexcept nogil:
    # h(x, y, z) = [x y z + exp(x) sin(y), hypot(x, z) / y]
    cdef size_t m = w + 1
    cdef double t[MAXM]
    cdef double u[MAXM]
    cdef const double *X = x
    cdef const double *Y = x + m
    cdef const double *Z = x + 2 * m
    if m > MAXM:
        return 1
    dd_mul(t, X, Y, w, 1)
    dd_mul(f, t, Z, w, 1)
    dd_exp(t, X, w, 1)
    dd_sin(u, Y, w, 1)
    dd_mul(t, t, u, w, 1)
    dd_add(f, f, t, m)
    if n_out > 1:
        dd_hypot(t, X, Z, w, 1)
        dd_div(f + m, t, Y, w, 1)
    return 0


cdef int failing(const double *x, double *f, size_t n_in, size_t n_out,
                 size_t w, void *data) noexcept nogil:
    return (<int *>data)[0]


cdef int square_plus(const double *x, double *f, size_t n_in, size_t n_out,
                     size_t w, void *data) noexcept nogil:
    # x^2 + c with c = data[0]: no real root for c > 0, J = 0 at x = 0
    dd_square(f, x, w, 1)
    dd_add_scalar(f, f, (<double *>data)[0], w + 1)
    return 0


cdef int logx(const double *x, double *f, size_t n_in, size_t n_out,
              size_t w, void *data) noexcept nogil:
    dd_log(f, x, w, 1)
    return 0


def work_sizes(size_t n_in, size_t n_out, size_t chunk):
    """work_sizes(n_in, n_out, chunk) -> (dd_work_size, dd_newton_work_size(n_in, chunk))"""
    return dd_work_size(n_in, n_out, chunk), dd_newton_work_size(n_in, chunk)


def h_value_and_jacobian(x, size_t n_out, size_t chunk):
    """h_value_and_jacobian(x, n_out, chunk) -> (status, f, jac)"""
    cdef double xv[3]
    cdef double fx[2]
    cdef double jac[6]
    cdef double work[64]
    cdef int status
    fx[0] = fx[1] = NAN
    for i in range(6):
        jac[i] = NAN
    for i in range(3):
        xv[i] = x[i]
    with nogil:
        status = dd_value_and_jacobian(h, NULL, xv, 3, n_out, chunk, fx, jac, work)
    return status, [fx[k] for k in range(n_out)], np.array([jac[k] for k in range(3 * n_out)]).reshape(n_out, 3)


def h_jacobian(x, size_t chunk):
    """h_jacobian(x, chunk) -> (status, jac) for both outputs"""
    cdef double xv[3]
    cdef double jac[6]
    cdef double work[64]
    cdef int status
    for i in range(3):
        xv[i] = x[i]
    with nogil:
        status = dd_jacobian(h, NULL, xv, 3, 2, chunk, jac, work)
    return status, np.array([jac[k] for k in range(6)]).reshape(2, 3)


def h_gradient(x, size_t chunk):
    """h_gradient(x, chunk) -> (status, value, gradient) of the first output"""
    cdef double xv[3]
    cdef double g[3]
    cdef double v = NAN
    cdef double work[64]
    cdef int status
    for i in range(3):
        xv[i] = x[i]
    with nogil:
        status = dd_gradient(h, NULL, xv, 3, chunk, &v, g, work)
    return status, v, [g[0], g[1], g[2]]


def h_jvp(x, v):
    """h_jvp(x, v) -> (status, f, J v)"""
    cdef double xv[3]
    cdef double vv[3]
    cdef double fx[2]
    cdef double jv[2]
    cdef double work[64]
    cdef int status
    fx[0] = fx[1] = jv[0] = jv[1] = NAN
    for i in range(3):
        xv[i] = x[i]
        vv[i] = v[i]
    with nogil:
        status = dd_jvp(h, NULL, xv, vv, 3, 2, fx, jv, work)
    return status, [fx[0], fx[1]], [jv[0], jv[1]]


def h_values(x):
    """h_values(x) -> f, calling the callback directly with width 0"""
    cdef double xv[3]
    cdef double fx[2]
    for i in range(3):
        xv[i] = x[i]
    status = h(xv, fx, 3, 2, 0, NULL)
    return status, [fx[0], fx[1]]


def lu_solve(a, b):
    """lu_solve(a, b) -> (status, y) for a square list-of-lists a, n <= 8"""
    cdef size_t n = len(b), i, j
    cdef double av[64]
    cdef double bv[8]
    if n > 8:
        raise ValueError("n <= 8")
    for i in range(n):
        bv[i] = b[i]
        for j in range(n):
            av[i * n + j] = a[i][j]
    status = dd_lu_solve(av, bv, n)
    return status, [bv[i] for i in range(n)]


def derivative_of_log(double x):
    """derivative_of_log(x) -> (status, log x, 1/x)"""
    cdef double v = NAN, d = NAN
    status = dd_derivative(logx, NULL, x, &v, &d)
    return status, v, d


def failing_status(int code):
    """failing_status(code) -> statuses of every driver over a callback returning code"""
    cdef double x[2]
    cdef double v[2]
    cdef double out[8]
    cdef double work[64]
    cdef int it = -1
    x[0] = x[1] = v[0] = v[1] = 1.0
    return (
        dd_derivative(failing, &code, 1.0, NULL, out),
        dd_gradient(failing, &code, x, 2, 1, NULL, out, work),
        dd_jacobian(failing, &code, x, 2, 2, 0, out, work),
        dd_value_and_jacobian(failing, &code, x, 2, 2, 0, out, out + 2, work),
        dd_jvp(failing, &code, x, v, 2, 2, NULL, out, work),
        dd_newton(failing, &code, x, 2, 0, 1e-12, 0.0, 10, NULL, work, &it),
        it,
    )


def bad_arguments():
    """bad_arguments() -> statuses of the drivers given NULL buffers or zero sizes"""
    cdef double x[2]
    cdef double out[8]
    cdef double work[64]
    x[0] = x[1] = 1.0
    return (
        dd_jacobian(NULL, NULL, x, 2, 2, 0, out, work),
        dd_jacobian(h, NULL, x, 0, 2, 0, out, work),
        dd_jacobian(h, NULL, x, 3, 0, 0, out, work),
        dd_gradient(h, NULL, x, 3, 0, NULL, NULL, work),
        dd_derivative(logx, NULL, 1.0, NULL, NULL),
        dd_newton(logx, NULL, x, 1, 0, 1e-12, 0.0, -1, NULL, work, NULL),
    )


def newton_1d(which, double x0, double c=0.0, int maxiter=50):
    """newton_1d(which, x0, c, maxiter) -> (status, x, f, iterations); which is "square_plus" or "log" """
    cdef double x = x0
    cdef double fx = NAN
    cdef double work[64]
    cdef int it = -1, status
    cdef dd_func f = square_plus if which == "square_plus" else logx
    with nogil:
        status = dd_newton(f, &c, &x, 1, 0, 1e-14, 0.0, maxiter, &fx, work, &it)
    return status, x, fx, it


def codes():
    """codes() -> dict of the status codes"""
    return dict(OK=DD_OK, ARGS=DD_ERR_ARGS, SINGULAR=DD_ERR_SINGULAR, NONFINITE=DD_ERR_NONFINITE,
                MAXITER=DD_ERR_MAXITER, NOPROGRESS=DD_ERR_NOPROGRESS)


def modes(double av, double at, double bv, double bt, bint ieee):
    """modes(av, at, bv, bt, ieee) -> (tangent of a*b, of sqrt(a), of a/b), width 1,
    order 1 or 1 | DD_IEEE."""
    cdef int order = (1 | DD_IEEE) if ieee else 1
    cdef double a[2]
    cdef double b[2]
    cdef double r[2]
    a[0] = av
    a[1] = at
    b[0] = bv
    b[1] = bt
    dd_mul(r, a, b, 1, order)
    prod = r[1]
    dd_sqrt(r, a, 1, order)
    root = r[1]
    dd_div(r, a, b, 1, order)
    return prod, root, r[1], DD_ORDER(order), dd_size(1, order)
