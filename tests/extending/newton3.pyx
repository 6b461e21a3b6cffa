# cython: language_level=3
"""A 3x3 Newton solve with exact Jacobians from dualdiff's C API, without the GIL.

    f1 = x^2 + y^2 + z^2 - 3
    f2 = exp(x - 1) + 2 y z - 3
    f3 = sin(pi x / 2) + y - 2 z        root (1, 1, 1)
"""
from libc.math cimport M_PI, NAN
from dualdiff.dualdiff cimport *

import numpy as np

cdef enum:
    MAXM = 8  # doubles per scratch number: widths up to 7


cdef int system(const double *x, double *f, size_t n_in, size_t n_out,
                size_t w, void *data) noexcept nogil:
    # Each number is m = w + 1 doubles [value, tangent_1..tangent_w].
    cdef size_t m = w + 1
    cdef double t[MAXM]
    cdef const double *X = x
    cdef const double *Y = x + m
    cdef const double *Z = x + 2 * m
    cdef double *f1 = f
    cdef double *f2 = f + m
    cdef double *f3 = f + 2 * m
    if m > MAXM:
        return 1  # a positive code: dd_newton stops and returns it
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


def solve(x0, double ftol=1e-14, double xtol=0.0, int maxiter=50, size_t chunk=0):
    """solve(x0, ftol=1e-14, xtol=0.0, maxiter=50, chunk=0) -> (root, jacobian, iterations)

    Damped Newton from x0 (3 floats); the Jacobian (3x3 array) is taken at the root.
    """
    cdef double x[3]
    cdef double jac[9]
    cdef double work[64]
    cdef int it = 0, status
    cdef Py_ssize_t i
    if dd_newton_work_size(3, chunk) > 64 or dd_work_size(3, 3, chunk) > 64:
        raise ValueError("chunk too large for the workspace")
    for i in range(3):
        x[i] = x0[i]
    with nogil:
        status = dd_newton(system, NULL, x, 3, chunk, ftol, xtol, maxiter, NULL, work, &it)
        if status == DD_OK:
            status = dd_jacobian(system, NULL, x, 3, 3, chunk, jac, work)
    if status != DD_OK:
        raise RuntimeError(f"dd_newton failed with status {status}")
    return np.array([x[0], x[1], x[2]]), np.array(jac).reshape(3, 3), it


# ---------------------------------------------------------- handing it to SciPy

def fun_and_jac(double[::1] x):
    """fun_and_jac(x) -> (f, jacobian): for scipy.optimize.root(fun_and_jac, x0, jac=True)."""
    if x.shape[0] != 3:
        raise ValueError("x must have 3 entries")
    f = np.empty(3)
    jac = np.empty((3, 3))
    cdef double[::1] fv = f
    cdef double[:, ::1] jv = jac
    cdef double work[64]
    cdef int status
    with nogil:
        status = dd_value_and_jacobian(system, NULL, &x[0], 3, 3, 0, &fv[0], &jv[0, 0], work)
    if status != DD_OK:
        raise RuntimeError(f"dd_value_and_jacobian failed with status {status}")
    return f, jac


cdef int xsinx(const double *x, double *f, size_t n_in, size_t n_out,
               size_t w, void *data) noexcept nogil:
    # g(x) = x sin(x)
    dd_sin(f, x, w, 1)
    dd_mul(f, f, x, w, 1)
    return 0


cdef api double xsinx_prime(double x, void *data) noexcept nogil:
    """g'(x) for g(x) = x sin(x); the C signature scipy.integrate.quad takes
    through scipy.LowLevelCallable.from_cython(module, "xsinx_prime")."""
    cdef double d
    if dd_derivative(xsinx, data, x, NULL, &d) != DD_OK:
        return NAN
    return d
