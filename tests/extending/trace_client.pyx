# cython: language_level=3
"""A Cython client of exported tapes: gradients without the GIL, and dd_newton
over a tape (built by tests/test_trace_embedding.py)."""
from dualdiff.dualdiff cimport *

import numpy as np


def value_and_gradient(size_t function, size_t data, x):
    """Call the exported dd_tape_vj_func at x: (status, value, gradient)."""
    cdef double[::1] xv = np.ascontiguousarray(x, dtype=np.float64)
    g = np.zeros(xv.shape[0])
    cdef double[::1] gv = g
    cdef double fx = 0.0
    cdef dd_tape_vj_func f = <dd_tape_vj_func>function
    cdef int status
    with nogil:
        status = f(&xv[0], &fx, &gv[0], <void *>data)
    return status, fx, g


def newton(size_t data, x0):
    """dd_newton on an exported system tape: (status, root, iterations)."""
    x = np.array(x0, dtype=np.float64)
    cdef double[::1] xv = x
    cdef size_t n = xv.shape[0]
    work = np.empty(dd_newton_work_size(n, 0))
    cdef double[::1] wv = work
    cdef int status, iterations = 0
    with nogil:
        status = dd_newton(dd_tape_func, <void *>data, &xv[0], n, 0, 1e-14, 0.0, 50, NULL, &wv[0],
                           &iterations)
    return status, x, iterations
