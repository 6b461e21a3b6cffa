# cython: boundscheck=False, wraparound=False
"""The complex rules of dualdiff/dd_complex.h at arrays of points.

Binds the C rules only: the chain rule of complex dual numbers is in
dualdiff/_complex.py, on NumPy arrays."""
import numpy as np

cimport numpy as cnp

cnp.import_array()

cdef extern from "dualdiff/dd_complex.h" nogil:
    const char *dd_unary_name(int op)
    const char *dd_binary_name(int op)
    int dd_complex_unary_n(int op, int order, size_t count, const double complex *z,
                           double complex *r)
    int dd_complex_binary_n(int op, int order, size_t count, const double complex *z,
                            const double complex *w, double complex *r)
    void *dd_complex_unary_rule_of(int op)
    void *dd_complex_binary_rule_of(int op)
    int DD_NUM_UNARY
    int DD_NUM_BINARY


def unary(int op, int order, z):
    """(f, f', f'') at the complex array z (f'' is 0 unless order is 2): an
    array of shape ``(3,) + z.shape``."""
    cdef cnp.ndarray a = np.ascontiguousarray(z, dtype=np.complex128)
    cdef cnp.ndarray r = np.zeros((a.size, 3), dtype=np.complex128)
    cdef int rc
    with nogil:
        rc = dd_complex_unary_n(op, order, <size_t>a.size, <const double complex *>a.data,
                                <double complex *>r.data)
    if rc != 0:
        raise ValueError(f"no complex rule for the unary op code {op}")
    return r.T.reshape((3,) + (<object>a).shape)


def binary(int op, int order, z, w):
    """(f, f_z, f_w, f_zz, f_zw, f_ww) at the broadcast complex arrays z, w:
    an array of shape ``(6,) + shape``."""
    zb, wb = np.broadcast_arrays(np.asarray(z, dtype=np.complex128),
                                 np.asarray(w, dtype=np.complex128))
    cdef cnp.ndarray a = np.ascontiguousarray(zb)
    cdef cnp.ndarray b = np.ascontiguousarray(wb)
    cdef cnp.ndarray r = np.zeros((a.size, 6), dtype=np.complex128)
    cdef int rc
    with nogil:
        rc = dd_complex_binary_n(op, order, <size_t>a.size, <const double complex *>a.data,
                                 <const double complex *>b.data, <double complex *>r.data)
    if rc != 0:
        raise ValueError(f"no complex rule for the binary op code {op}")
    return r.T.reshape((6,) + (<object>a).shape)


def rule_names():
    """(unary, binary): the names of the rules with a complex form, in op-code order."""
    cdef int op
    u = tuple(dd_unary_name(op).decode() for op in range(DD_NUM_UNARY)
              if dd_complex_unary_rule_of(op) != NULL)
    b = tuple(dd_binary_name(op).decode() for op in range(DD_NUM_BINARY)
              if dd_complex_binary_rule_of(op) != NULL)
    return u, b
