# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, binding=False, embedsignature=True, embedsignature.format=clinic
"""Tapes of traced functions (dualdiff.trace) and their replay in C.

A Tape owns its instructions (dd_tape_op, dualdiff/dd_tape.h) and a scratch
buffer of slots; replays run dd_tape_eval with the GIL held, so the buffer is
never shared by two replays at once. Replayer holds the transforms' fast
paths for the common calls (a float x or a list or 1-D array of floats, no
extra arguments): they find a tape for x's structure, replay it and hand
everything else to the Python side (dualdiff/_trace.py).
"""
from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_FromDouble
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.stdint cimport int32_t
from libc.string cimport memcpy, memset

import numpy as np

cdef extern from "dualdiff/dd_tape.h" nogil:
    ctypedef struct dd_tape_op:
        int32_t kind
        int32_t op
        int32_t a
        int32_t b
        int32_t out
        int32_t pad_
        double c
    int dd_tape_eval(const dd_tape_op *ops, size_t n_ops, double *slots, size_t n, int order)
    size_t dd_size(size_t n, int order)
    int DD_TAPE_GUARD
    int DD_TAPE_NONFINITE
    int DD_IEEE
    int DD_TAYLOR
    int DD_T_NUM_KINDS
    int DD_T_CONST, DD_T_UNARY, DD_T_BINARY, DD_T_BINARY_X, DD_T_BINARY_Y, DD_T_ADD, DD_T_SUB
    int DD_T_MUL, DD_T_DIV, DD_T_NEG, DD_T_ADD_SCALAR, DD_T_SCALAR_SUB, DD_T_SCALAR_MUL
    int DD_T_DIV_SCALAR, DD_T_SCALAR_DIV, DD_T_POW_SCALAR, DD_T_SCALAR_POW, DD_T_GUARD
    int DD_T_GUARD_SCALAR
    int DD_CMP_LT, DD_CMP_LE, DD_CMP_EQ, DD_CMP_NE, DD_CMP_GT, DD_CMP_GE

GUARD = DD_TAPE_GUARD
NONFINITE = DD_TAPE_NONFINITE
IEEE = DD_IEEE
TAYLOR = DD_TAYLOR
# Instruction kinds and comparison codes of dd_tape.h, for the recorder.
KINDS = dict(CONST=DD_T_CONST, UNARY=DD_T_UNARY, BINARY=DD_T_BINARY, BINARY_X=DD_T_BINARY_X,
             BINARY_Y=DD_T_BINARY_Y, ADD=DD_T_ADD, SUB=DD_T_SUB, MUL=DD_T_MUL, DIV=DD_T_DIV,
             NEG=DD_T_NEG, ADD_SCALAR=DD_T_ADD_SCALAR, SCALAR_SUB=DD_T_SCALAR_SUB,
             SCALAR_MUL=DD_T_SCALAR_MUL, DIV_SCALAR=DD_T_DIV_SCALAR, SCALAR_DIV=DD_T_SCALAR_DIV,
             POW_SCALAR=DD_T_POW_SCALAR, SCALAR_POW=DD_T_SCALAR_POW, GUARD=DD_T_GUARD,
             GUARD_SCALAR=DD_T_GUARD_SCALAR)
COMPARISONS = dict(lt=DD_CMP_LT, le=DD_CMP_LE, eq=DD_CMP_EQ, ne=DD_CMP_NE, gt=DD_CMP_GT, ge=DD_CMP_GE)


cdef class Tape:
    """Tape(ops, outputs, n_slots, n_inputs, n_x)

    ops: (kind, op, a, b, out, c) per instruction; outputs: the output slots;
    slots 0 .. n_inputs - 1 are the inputs, the first n_x of them x's numbers
    (seeded with tangents), the others the extra arguments' (constants)."""
    cdef dd_tape_op *ops
    cdef int32_t *outputs
    cdef readonly Py_ssize_t n_ops, n_slots, n_inputs, n_x, n_out
    cdef public object out_shape  # the shape of f's result: None for a number
    cdef double *buf
    cdef Py_ssize_t cap

    def __cinit__(self, ops, outputs, Py_ssize_t n_slots, Py_ssize_t n_inputs, Py_ssize_t n_x):
        cdef Py_ssize_t k
        self.n_ops = len(ops)
        self.n_out = len(outputs)
        self.n_slots = max(n_slots, 1)
        self.n_inputs = n_inputs
        self.n_x = n_x
        self.ops = <dd_tape_op *>PyMem_Malloc(max(self.n_ops, 1) * sizeof(dd_tape_op))
        self.outputs = <int32_t *>PyMem_Malloc(max(self.n_out, 1) * sizeof(int32_t))
        if self.ops == NULL or self.outputs == NULL:
            raise MemoryError()
        for k, (kind, op, a, b, out, c) in enumerate(ops):
            if not 0 <= kind < DD_T_NUM_KINDS or not (0 <= a < n_slots and 0 <= b < n_slots
                                                      and 0 <= out < n_slots):
                raise ValueError("not a valid tape instruction")
            self.ops[k].kind = kind
            self.ops[k].op = op
            self.ops[k].a = a
            self.ops[k].b = b
            self.ops[k].out = out
            self.ops[k].pad_ = 0
            self.ops[k].c = c
        for k, s in enumerate(outputs):
            if not 0 <= s < n_slots:
                raise ValueError("not a valid tape output")
            self.outputs[k] = s

    def __dealloc__(self):
        PyMem_Free(self.ops)
        PyMem_Free(self.outputs)
        PyMem_Free(self.buf)

    cdef double *slots(self, Py_ssize_t m) except NULL:
        cdef Py_ssize_t need = self.n_slots * m
        if need > self.cap:
            PyMem_Free(self.buf)
            self.buf = <double *>PyMem_Malloc(need * sizeof(double))
            if self.buf == NULL:
                self.cap = 0
                raise MemoryError()
            self.cap = need
        return self.buf

    cdef int replay(self, const double *x, const double *args, const double *seeds, Py_ssize_t j0,
                    Py_ssize_t w, int order, double *out) except -1:
        """Seed, replay, copy the outputs (n_out numbers of dd_size(w, order)) to out.
        seeds: x's tangents, n_x rows of w (one column, the direction, for Taylor
        numbers of degree w), or NULL for the unit directions j0 .. j0 + w - 1."""
        cdef Py_ssize_t i, j, m = dd_size(w, order)
        cdef double *s = self.slots(m)
        cdef double *p
        cdef int status
        cdef bint taylor = (order & 3) == DD_TAYLOR
        for i in range(self.n_inputs):
            p = s + i * m
            memset(p, 0, m * sizeof(double))
            if i >= self.n_x:
                p[0] = args[i - self.n_x]
                continue
            p[0] = x[i]
            if taylor:
                if w > 0:
                    p[1] = seeds[i]
            elif seeds != NULL:
                for j in range(w):
                    p[1 + j] = seeds[i * w + j]
            elif j0 <= i < j0 + w:
                p[1 + i - j0] = 1.0
        status = dd_tape_eval(self.ops, self.n_ops, s, w, order)
        if status != 0:
            return status
        for i in range(self.n_out):
            memcpy(out + i * m, s + self.outputs[i] * m, m * sizeof(double))
        return 0

    def run(self, const double[::1] x, const double[::1] args, seeds, Py_ssize_t j0, Py_ssize_t w, int order):
        """run(x, args, seeds, j0, w, order) -> (status, outputs (n_out, dd_size(w, order)))"""
        cdef const double[:, ::1] sv
        cdef const double *sp = NULL
        if x.shape[0] != self.n_x or args.shape[0] != self.n_inputs - self.n_x:
            raise ValueError("the tape takes other inputs")
        if seeds is not None:
            sv = seeds
            if sv.shape[0] != self.n_x or sv.shape[1] != (1 if (order & 3) == DD_TAYLOR else w):
                raise ValueError("seeds of the wrong shape")
            sp = &sv[0, 0] if sv.shape[0] * sv.shape[1] > 0 else NULL
        res = np.empty((self.n_out, dd_size(w, order)))
        cdef double[:, ::1] rv = res
        cdef const double *xp = &x[0] if x.shape[0] > 0 else NULL
        cdef const double *ap = &args[0] if args.shape[0] > 0 else NULL
        status = self.replay(xp, ap, sp, j0, w, order, &rv[0, 0] if rv.shape[0] > 0 and rv.shape[1] > 0 else NULL)
        return status, res

    def __repr__(self):
        return (f"<tape: {self.n_ops} instructions, {self.n_inputs} inputs, "
                f"{self.n_out} outputs, {self.n_slots} slots>")


cdef class Replayer:
    """The fast paths of a traced function's transforms.

    cache: the traced function's dict, key -> list of Tapes (most recently
    used first); a float x has the key "f", a list of n floats ("l", n), a 1-D
    float64 array ("a", n). slow(verb, x, args, kwargs) does everything else:
    records, falls back, and calls with extra arguments."""
    cdef dict cache
    cdef object slow
    cdef int flags

    def __cinit__(self, dict cache, slow, int flags):
        self.cache = cache
        self.slow = slow
        self.flags = flags

    def derivative(self, x, *args, **kwargs):
        """derivative(x, *args, **kwargs): f'(x)."""
        cdef double v, out[2]
        cdef Tape t
        cdef int status
        if type(x) is float and not args and not kwargs:
            tapes = self.cache.get("f")
            if type(tapes) is list:
                v = PyFloat_AS_DOUBLE(x)
                for t in tapes:
                    if t.out_shape is not None:
                        break
                    status = t.replay(&v, NULL, NULL, 0, 1, 1 | self.flags, out)
                    if status == 0:
                        return PyFloat_FromDouble(out[1])
                    if status != DD_TAPE_GUARD:
                        break
        return self.slow("derivative", x, args, kwargs)

    cdef object _gradient(self, str verb, x, tuple args, dict kwargs, int order):
        cdef Py_ssize_t i, j, k, n, m
        cdef Tape t
        cdef int status
        cdef double[::1] xv
        cdef double[::1] ov
        cdef double *o
        if args or kwargs:
            return self.slow(verb, x, args, kwargs)
        if type(x) is list:
            n = len(x)
            key = ("l", n)
        elif type(x) is np.ndarray and x.ndim == 1 and x.dtype == np.float64:
            n = x.shape[0]
            key = ("a", n)
        else:
            return self.slow(verb, x, args, kwargs)
        tapes = self.cache.get(key)
        if type(tapes) is not list or n == 0 or (order == 2 and n > 32) or n > 64:
            return self.slow(verb, x, args, kwargs)
        if type(x) is list:
            xa = np.empty(n)
            xv = xa
            for i in range(n):
                e = x[i]
                if type(e) is not float:
                    return self.slow(verb, x, args, kwargs)
                xv[i] = PyFloat_AS_DOUBLE(e)
        else:
            xa = np.ascontiguousarray(x)
            xv = xa
        m = dd_size(n, order)
        res = np.empty(m)
        ov = res
        o = &ov[0]
        for t in tapes:
            if t.out_shape is not None:
                break
            status = t.replay(&xv[0], NULL, NULL, 0, n, order | self.flags, o)
            if status == DD_TAPE_GUARD:
                continue
            if status != 0:
                break
            if order == 1:
                g = res[1:]
                if verb == "value_and_grad":
                    return o[0], g
                return g
            h = np.empty((n, n))
            k = n + 1
            for i in range(n):
                for j in range(i, n):
                    h[i, j] = o[k]
                    h[j, i] = o[k]
                    k += 1
            return h
        return self.slow(verb, x, args, kwargs)

    def grad(self, x, *args, **kwargs):
        """grad(x, *args, **kwargs): the gradient at x."""
        return self._gradient("grad", x, args, kwargs, 1)

    def value_and_grad(self, x, *args, **kwargs):
        """value_and_grad(x, *args, **kwargs): (f(x), the gradient at x)."""
        return self._gradient("value_and_grad", x, args, kwargs, 1)

    def hessian(self, x, *args, **kwargs):
        """hessian(x, *args, **kwargs): the Hessian at x."""
        return self._gradient("hessian", x, args, kwargs, 2)


def step(int kind, int op, double u, double w, double c):
    """The value of one instruction on values u (slot a) and w (slot b), by the
    replay's own code: what the recorder computes while it records. Returns
    (status, value)."""
    cdef dd_tape_op p
    cdef double s[3]
    p.kind = kind
    p.op = op
    p.a = 0
    p.b = 1
    p.out = 2
    p.pad_ = 0
    p.c = c
    s[0] = u
    s[1] = w
    s[2] = 0.0
    status = dd_tape_eval(&p, 1, s, 0, 1)
    return status, s[2]
