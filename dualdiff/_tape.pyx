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
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from libc.math cimport isfinite
from libc.string cimport memcpy, memset

import numpy as np
cimport numpy as cnp

cnp.import_array()

# The fast paths keep x and the result on the stack: up to FAST_MAX inputs
# for gradients, FAST_MAX_2 for Hessians.
cdef enum:
    FAST_MAX = 64
    FAST_MAX_2 = 32
    FAST_OUT = 1 + 32 + 32 * 33 // 2
    REVERSE_MIN = 1  # gradients of at least this many inputs take the reverse sweep

from dualdiff.dualdiff cimport *

GUARD = DD_TAPE_GUARD
REVERSE = DD_TAPE_REVERSE
NONFINITE = DD_TAPE_NONFINITE
IEEE = DD_IEEE
TAYLOR = DD_TAYLOR
# Instruction kinds and comparison codes of dd_tape.h, for the recorder.
KINDS = dict(CONST=DD_T_CONST, UNARY=DD_T_UNARY, BINARY=DD_T_BINARY, BINARY_X=DD_T_BINARY_X,
             BINARY_Y=DD_T_BINARY_Y, ADD=DD_T_ADD, SUB=DD_T_SUB, MUL=DD_T_MUL, DIV=DD_T_DIV,
             NEG=DD_T_NEG, ADD_SCALAR=DD_T_ADD_SCALAR, SCALAR_SUB=DD_T_SCALAR_SUB,
             SCALAR_MUL=DD_T_SCALAR_MUL, DIV_SCALAR=DD_T_DIV_SCALAR, SCALAR_DIV=DD_T_SCALAR_DIV,
             POW_SCALAR=DD_T_POW_SCALAR, SCALAR_POW=DD_T_SCALAR_POW, GUARD=DD_T_GUARD,
             GUARD_SCALAR=DD_T_GUARD_SCALAR, CHECK=DD_T_CHECK)
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
    cdef double *rbuf  # the reverse sweep's values, partials and adjoints

    def __init__(self, ops, outputs, Py_ssize_t n_slots, Py_ssize_t n_inputs, Py_ssize_t n_x):
        cdef Py_ssize_t k
        PyMem_Free(self.ops)
        PyMem_Free(self.outputs)
        self.ops = NULL
        self.outputs = NULL
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
        PyMem_Free(self.rbuf)

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

    cdef int reverse(self, const double *x, const double *args, double *value, double *grad) except -1:
        """Value and gradient of the one output by a reverse sweep (dd_tape_gradient);
        DD_TAPE_REVERSE where a partial is not finite (replay forward there)."""
        cdef Py_ssize_t i
        cdef int status
        if self.n_out != 1:
            raise ValueError("a reverse sweep needs one output")
        if self.rbuf == NULL:
            self.rbuf = <double *>PyMem_Malloc((2 * self.n_slots + 2 * self.n_ops + 1) * sizeof(double))
            if self.rbuf == NULL:
                raise MemoryError()
        cdef double *v = self.rbuf
        cdef double *adj = self.rbuf + self.n_slots
        cdef double *d = self.rbuf + 2 * self.n_slots
        for i in range(self.n_inputs):
            v[i] = x[i] if i < self.n_x else args[i - self.n_x]
        status = dd_tape_gradient(self.ops, self.n_ops, v, d, adj, self.n_slots, self.outputs[0])
        if status == 0:
            value[0] = v[self.outputs[0]]
            memcpy(grad, adj, self.n_x * sizeof(double))
        return status

    def gradient(self, const double[::1] x, const double[::1] args):
        """gradient(x, args) -> (status, value, gradient) by a reverse sweep."""
        cdef double value = 0.0
        if x.shape[0] != self.n_x or args.shape[0] != self.n_inputs - self.n_x or x.shape[0] == 0:
            raise ValueError("the tape takes other inputs")
        g = np.empty(self.n_x)
        cdef double[::1] gv = g
        status = self.reverse(&x[0], &args[0] if args.shape[0] > 0 else NULL, &value, &gv[0])
        return status, value, g

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
        cdef double v
        cdef double out[2]
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
        cdef double xbuf[FAST_MAX]
        cdef double obuf[FAST_OUT]
        cdef const double *xp = xbuf
        cdef cnp.npy_intp dims[2]
        cdef double *r
        if args or kwargs:
            return self.slow(verb, x, args, kwargs)
        if type(x) is list:
            n = len(x)
            key = ("l", n)
        elif type(x) is np.ndarray and cnp.PyArray_NDIM(<cnp.ndarray>x) == 1:
            n = cnp.PyArray_DIM(<cnp.ndarray>x, 0)
            key = ("a", n)
        else:
            return self.slow(verb, x, args, kwargs)
        if n == 0 or n > (FAST_MAX if order == 1 else FAST_MAX_2):
            return self.slow(verb, x, args, kwargs)
        tapes = self.cache.get(key)
        if type(tapes) is not list:
            return self.slow(verb, x, args, kwargs)
        if type(x) is list:
            for i in range(n):
                e = (<list>x)[i]
                if type(e) is not float:
                    return self.slow(verb, x, args, kwargs)
                xbuf[i] = PyFloat_AS_DOUBLE(e)
        else:
            if (cnp.PyArray_TYPE(<cnp.ndarray>x) != cnp.NPY_DOUBLE
                    or not cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>x)):
                return self.slow(verb, x, args, kwargs)
            xp = <const double *>cnp.PyArray_DATA(<cnp.ndarray>x)
        m = dd_size(n, order)
        for t in tapes:
            if t.out_shape is not None:
                break
            status = DD_TAPE_REVERSE
            if order == 1 and n >= REVERSE_MIN and not self.flags:
                status = t.reverse(xp, NULL, obuf, obuf + 1)
            if status == DD_TAPE_REVERSE:
                status = t.replay(xp, NULL, NULL, 0, n, order | self.flags, obuf)
            if status == DD_TAPE_GUARD:
                continue
            if status != 0:
                break
            dims[0] = n
            dims[1] = n
            if order == 1:
                g = cnp.PyArray_SimpleNew(1, dims, cnp.NPY_DOUBLE)
                memcpy(cnp.PyArray_DATA(<cnp.ndarray>g), obuf + 1, n * sizeof(double))
                if verb == "value_and_grad":
                    return PyFloat_FromDouble(obuf[0]), g
                return g
            h = cnp.PyArray_SimpleNew(2, dims, cnp.NPY_DOUBLE)
            r = <double *>cnp.PyArray_DATA(<cnp.ndarray>h)
            k = n + 1
            for i in range(n):
                for j in range(i, n):
                    r[i * n + j] = obuf[k]
                    r[j * n + i] = obuf[k]
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
    (status, value), status NONFINITE where finite operands give a value
    that is not finite."""
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
    dd_tape_eval(&p, 1, s, 0, 1)
    status = DD_TAPE_NONFINITE if isfinite(u) and isfinite(w) and isfinite(c) and not isfinite(s[2]) else 0
    return status, s[2]


# ------------------------------------------------------------ the recorder
#
# f runs on Tracers: each operation appends an instruction to its Recorder
# and gives a new Tracer holding the value, computed by the replay's own C
# code (so that a replay at the same point takes the same path). Where that
# value is not finite although the operands are, the operation runs once on
# Duals, which raise where Python raises (division by zero, domain errors).

from dualdiff._dual import Dual

import operator as _operator


class Untraceable(BaseException):
    """An operation that cannot be recorded (the traced function then runs on
    Duals). A BaseException, so that an ``except Exception`` in f lets it through."""

    def __init__(self, reason):
        BaseException.__init__(self, reason)
        self.reason = reason


cdef enum:
    A_ADD, A_SUB, A_MUL, A_DIV, A_POW, A_FLOORDIV, A_MOD, A_COUNT

cdef int _KB[A_COUNT]     # instruction kind: tracer (op) tracer
cdef int _KR[A_COUNT]     # tracer (op) constant
cdef int _KL[A_COUNT]     # constant (op) tracer
cdef int _CODE[A_COUNT]   # the binary rule
_KB[:] = [DD_T_ADD, DD_T_SUB, DD_T_MUL, DD_T_DIV, DD_T_BINARY, DD_T_BINARY, DD_T_BINARY]
_KR[:] = [DD_T_ADD_SCALAR, DD_T_ADD_SCALAR, DD_T_SCALAR_MUL, DD_T_DIV_SCALAR, DD_T_POW_SCALAR,
          DD_T_BINARY_X, DD_T_BINARY_X]
_KL[:] = [DD_T_ADD_SCALAR, DD_T_SCALAR_SUB, DD_T_SCALAR_MUL, DD_T_SCALAR_DIV, DD_T_SCALAR_POW,
          DD_T_BINARY_Y, DD_T_BINARY_Y]
_CODE[:] = [DD_OP2_add, DD_OP2_sub, DD_OP2_mul, DD_OP2_div, DD_OP2_pow, DD_OP2_floordiv, DD_OP2_mod]
_PYOPS = (_operator.add, _operator.sub, _operator.mul, _operator.truediv, _operator.pow,
          _operator.floordiv, _operator.mod)

# Which operand slots each kind reads: 1 = a, 2 = b.
cdef int _reads(int kind) noexcept:
    if kind == DD_T_CONST:
        return 0
    if kind == DD_T_BINARY_Y or kind == DD_T_SCALAR_DIV or kind == DD_T_SCALAR_POW:
        return 2
    if (kind == DD_T_BINARY or kind == DD_T_ADD or kind == DD_T_SUB or kind == DD_T_MUL
            or kind == DD_T_DIV or kind == DD_T_GUARD):
        return 3
    return 1


cdef bint _is_guard(int kind) noexcept:
    return kind == DD_T_GUARD or kind == DD_T_GUARD_SCALAR


cdef object _dualized(x):
    return Dual((<Tracer>x).v) if type(x) is Tracer else x


cdef int _const(y, double *c) except -1:
    """1 with c set when y is a real number, 0 when it is something else."""
    if type(y) is float:
        c[0] = PyFloat_AS_DOUBLE(y)
        return 1
    if type(y) is int or type(y) is bool or isinstance(y, (np.floating, np.integer, np.bool_)):
        c[0] = float(y)
        return 1
    if type(y) is Dual:
        raise Untraceable("a Dual met a recorded number")
    return 0


cdef class Recorder:
    """The instructions of one recording (slots numbered once per value)."""
    cdef dd_tape_op *ops
    cdef Py_ssize_t n_ops, cap
    cdef readonly int n_slots, n_inputs

    def __cinit__(self, int n_inputs):
        self.n_inputs = n_inputs
        self.n_slots = n_inputs

    def __dealloc__(self):
        PyMem_Free(self.ops)

    cdef int push(self, int kind, int op, int a, int b, int out, double c) except -1:
        cdef dd_tape_op *grown
        if self.n_ops == self.cap:
            grown = <dd_tape_op *>PyMem_Realloc(self.ops, (2 * self.cap + 64) * sizeof(dd_tape_op))
            if grown == NULL:
                raise MemoryError()
            self.ops = grown
            self.cap = 2 * self.cap + 64
        self.ops[self.n_ops].kind = kind
        self.ops[self.n_ops].op = op
        self.ops[self.n_ops].a = a
        self.ops[self.n_ops].b = b
        self.ops[self.n_ops].out = out
        self.ops[self.n_ops].pad_ = 0
        self.ops[self.n_ops].c = c
        self.n_ops += 1
        return 0

    cdef Tracer emit(self, int kind, int op, int a, int b, double c, double u, double w,
                     object check, object x, object y):
        """Append an instruction; its value from u (slot a), w (slot b) and c.
        check(x, y) (or check(x) when y is None) runs on Duals where the value
        is not finite although the operands are."""
        cdef dd_tape_op p
        cdef double s[3]
        cdef Tracer t
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
        dd_tape_eval(&p, 1, s, 0, 1)
        if check is not None and isfinite(u) and isfinite(w) and isfinite(c) and not isfinite(s[2]):
            if y is None:
                check(_dualized(x))
            else:
                check(_dualized(x), _dualized(y))
        self.push(kind, op, a, b, self.n_slots, c)
        t = Tracer.__new__(Tracer)
        t.rec = self
        t.slot = self.n_slots
        t.v = s[2]
        self.n_slots += 1
        return t

    def inputs(self, const double[::1] values):
        """Tracers for the input slots, holding the given values."""
        cdef Tracer t
        cdef Py_ssize_t i
        out = []
        for i in range(self.n_inputs):
            t = Tracer.__new__(Tracer)
            t.rec = self
            t.slot = i
            t.v = values[i]
            out.append(t)
        return out

    def constant(self, double c):
        """A slot holding the constant c (for results that are plain numbers)."""
        return self.emit(DD_T_CONST, 0, 0, 0, c, 0.0, 0.0, None, None, None).slot

    def __len__(self):
        return self.n_ops

    def compile(self, outputs, Py_ssize_t n_x, out_shape):
        """The Tape: instructions that neither an output nor a guard needs are
        dropped, and a slot is reused once no later instruction reads it."""
        cdef Py_ssize_t k, i, n_keep = 0, n_free = 0, n_out = len(outputs)
        cdef int n = self.n_slots, po, pa, pb, r, s, phys = self.n_inputs
        cdef dd_tape_op *p
        cdef Tape tape
        cdef char *live = <char *>PyMem_Malloc(n + 1)
        cdef Py_ssize_t *last = <Py_ssize_t *>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        cdef int *where = <int *>PyMem_Malloc((n + 1) * sizeof(int))
        cdef int *free = <int *>PyMem_Malloc((n + 1) * sizeof(int))
        cdef char *keep = <char *>PyMem_Malloc(self.n_ops + 1)
        try:
            if not live or not last or not where or not free or not keep:
                raise MemoryError()
            memset(live, 0, n)
            for i in range(n):
                last[i] = -1
                where[i] = i if i < self.n_inputs else -1
            for s in outputs:
                if not 0 <= s < n:
                    raise ValueError("not a slot of this recording")
                live[s] = 1
            for k in range(self.n_ops - 1, -1, -1):
                p = self.ops + k
                keep[k] = _is_guard(p.kind) or live[p.out]
                if keep[k]:
                    r = _reads(p.kind)
                    if r & 1:
                        live[p.a] = 1
                    if r & 2:
                        live[p.b] = 1
            for k in range(self.n_ops):
                if keep[k]:
                    p = self.ops + k
                    r = _reads(p.kind)
                    if r & 1:
                        last[p.a] = k
                    if r & 2:
                        last[p.b] = k
            for s in outputs:
                last[s] = self.n_ops  # read at the end
            tape = Tape.__new__(Tape)
            tape.ops = <dd_tape_op *>PyMem_Malloc((self.n_ops + n_out + 1) * sizeof(dd_tape_op))
            tape.outputs = <int32_t *>PyMem_Malloc((n_out + 1) * sizeof(int32_t))
            if tape.ops == NULL or tape.outputs == NULL:
                raise MemoryError()
            for k in range(self.n_ops):
                if not keep[k]:
                    continue
                p = self.ops + k
                r = _reads(p.kind)
                pa = where[p.a] if r & 1 else 0
                pb = where[p.b] if r & 2 else 0
                if r & 1 and last[p.a] == k:
                    free[n_free] = pa
                    n_free += 1
                if r & 2 and last[p.b] == k and not (r & 1 and p.a == p.b):
                    free[n_free] = pb
                    n_free += 1
                if _is_guard(p.kind):
                    po = 0
                elif n_free:
                    n_free -= 1
                    po = free[n_free]
                else:
                    po = phys
                    phys += 1
                if not _is_guard(p.kind):
                    where[p.out] = po
                tape.ops[n_keep] = p[0]
                tape.ops[n_keep].a = pa
                tape.ops[n_keep].b = pb
                tape.ops[n_keep].out = po
                n_keep += 1
            for i in range(n_out):
                tape.outputs[i] = where[<int>outputs[i]]
                # the outputs' values are checked as the operands' are
                tape.ops[n_keep].kind = DD_T_CHECK
                tape.ops[n_keep].op = 0
                tape.ops[n_keep].a = tape.outputs[i]
                tape.ops[n_keep].b = 0
                tape.ops[n_keep].out = 0
                tape.ops[n_keep].pad_ = 0
                tape.ops[n_keep].c = 0.0
                n_keep += 1
            tape.n_ops = n_keep
            tape.n_out = n_out
            tape.n_slots = max(phys, 1)
            tape.n_inputs = self.n_inputs
            tape.n_x = n_x
            tape.out_shape = out_shape
            return tape
        finally:
            PyMem_Free(live)
            PyMem_Free(last)
            PyMem_Free(where)
            PyMem_Free(free)
            PyMem_Free(keep)


cdef object _arith(x, y, int k):
    """x (op k) y where x or y is a Tracer."""
    cdef Tracer tx, ty
    cdef double c
    cdef int kind
    if type(x) is Tracer:
        tx = <Tracer>x
        if type(y) is Tracer:
            ty = <Tracer>y
            if ty.rec is not tx.rec:
                raise Untraceable("numbers of two recordings met")
            return tx.rec.emit(_KB[k], _CODE[k], tx.slot, ty.slot, 0.0, tx.v, ty.v, _PYOPS[k], x, y)
        if not _const(y, &c):
            return NotImplemented
        kind = _KR[k]
        if k == A_SUB:
            c = -c  # a - c is a + (-c) in IEEE arithmetic
        return tx.rec.emit(kind, _CODE[k], tx.slot, 0, c, tx.v, 0.0, _PYOPS[k], x, y)
    ty = <Tracer>y
    if not _const(x, &c):
        return NotImplemented
    kind = _KL[k]
    if _reads(kind) == 1:  # c + a, c - a, c * a read slot a
        return ty.rec.emit(kind, _CODE[k], ty.slot, 0, c, ty.v, 0.0, _PYOPS[k], x, y)
    return ty.rec.emit(kind, _CODE[k], 0, ty.slot, c, 0.0, ty.v, _PYOPS[k], x, y)


def unary(Tracer x, int code, check):
    """The unary rule ``code`` of the table on a Tracer; check(Dual) decides
    where the value is not finite."""
    return x.rec.emit(DD_T_UNARY, code, x.slot, 0, 0.0, x.v, 0.0, check, x, None)


def binary(x, y, int code, check):
    """The binary rule ``code`` of the table; x or y is a Tracer."""
    cdef double c
    cdef Tracer tx, ty
    if type(x) is Tracer and type(y) is Tracer:
        tx, ty = x, y
        if ty.rec is not tx.rec:
            raise Untraceable("numbers of two recordings met")
        return tx.rec.emit(DD_T_BINARY, code, tx.slot, ty.slot, 0.0, tx.v, ty.v, check, x, y)
    if type(x) is Tracer:
        tx = x
        if not _const(y, &c):
            raise TypeError(f"expected a real number, not {type(y).__name__}")
        return tx.rec.emit(DD_T_BINARY_X, code, tx.slot, 0, c, tx.v, 0.0, check, x, y)
    ty = y
    if not _const(x, &c):
        raise TypeError(f"expected a real number, not {type(x).__name__}")
    return ty.rec.emit(DD_T_BINARY_Y, code, 0, ty.slot, c, 0.0, ty.v, check, x, y)


def arith(x, y, str name):
    """x (name) y for the arithmetic names add, sub, mul, div, pow, floordiv, mod."""
    return _arith(x, y, ("add", "sub", "mul", "div", "pow", "floordiv", "mod").index(name))


cdef bint _compare(int op, double u, double w) noexcept:
    if op == 0:
        return u < w
    if op == 1:
        return u <= w
    if op == 2:
        return u == w
    if op == 3:
        return u != w
    if op == 4:
        return u > w
    return u >= w


_METHODS = {}  # NumPy's object-loop methods (np.sin(objects) calls x.sin()): set by dualdiff._trace
# scipy.special's ufuncs of the table by name -> (kind, op code): set by dualdiff._trace
_SPECIAL = {}


cdef object _as_object(object x):
    """x as a 0-d object array if it is a Tracer (NumPy's object loops then call
    its methods), else x."""
    if type(x) is not Tracer:
        return x
    a = np.empty((), dtype=object)
    a[()] = x
    return a


cdef class Tracer:
    """A number that records what is done with it, while a traced function records."""
    cdef readonly Recorder rec
    cdef readonly int slot
    cdef readonly double v
    __array_priority__ = 20.0

    def __repr__(self):
        return f"<recorded number {self.v!r}>"

    def __add__(self, y): return _arith(self, y, A_ADD)
    def __radd__(self, y): return _arith(y, self, A_ADD)
    def __sub__(self, y): return _arith(self, y, A_SUB)
    def __rsub__(self, y): return _arith(y, self, A_SUB)
    def __mul__(self, y): return _arith(self, y, A_MUL)
    def __rmul__(self, y): return _arith(y, self, A_MUL)
    def __truediv__(self, y): return _arith(self, y, A_DIV)
    def __rtruediv__(self, y): return _arith(y, self, A_DIV)
    def __floordiv__(self, y): return _arith(self, y, A_FLOORDIV)
    def __rfloordiv__(self, y): return _arith(y, self, A_FLOORDIV)
    def __mod__(self, y): return _arith(self, y, A_MOD)
    def __rmod__(self, y): return _arith(y, self, A_MOD)

    def __divmod__(self, y):
        return _arith(self, y, A_FLOORDIV), _arith(self, y, A_MOD)

    def __rdivmod__(self, y):
        return _arith(y, self, A_FLOORDIV), _arith(y, self, A_MOD)

    def __pow__(self, y, mod):
        if mod is not None:
            return NotImplemented
        return _arith(self, y, A_POW)

    def __rpow__(self, y, mod):
        if mod is not None:
            return NotImplemented
        return _arith(y, self, A_POW)

    def __neg__(self):
        return self.rec.emit(DD_T_NEG, 0, self.slot, 0, 0.0, self.v, 0.0, None, None, None)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.rec.emit(DD_T_UNARY, DD_OP_fabs, self.slot, 0, 0.0, self.v, 0.0, None, None, None)

    def __richcmp__(self, y, int op):
        """A comparison: its outcome now, and a guard that the replays see the same."""
        cdef double c
        cdef bint outcome
        cdef Tracer ty
        if type(y) is Tracer:
            ty = <Tracer>y
            if ty.rec is not self.rec:
                raise Untraceable("numbers of two recordings met")
            outcome = _compare(op, self.v, ty.v)
            self.rec.push(DD_T_GUARD, op | (outcome << 3), self.slot, ty.slot, 0, 0.0)
            return outcome
        if not _const(y, &c):
            return NotImplemented
        outcome = _compare(op, self.v, c)
        self.rec.push(DD_T_GUARD_SCALAR, op | (outcome << 3), self.slot, 0, 0, c)
        return outcome

    def __bool__(self):
        cdef bint outcome = self.v != 0.0
        self.rec.push(DD_T_GUARD_SCALAR, 3 | (outcome << 3), self.slot, 0, 0, 0.0)
        return outcome

    def __hash__(self):
        raise Untraceable("hash() of a recorded number")

    def __float__(self):
        raise Untraceable("float() of a recorded number")

    def __complex__(self):
        raise Untraceable("complex() of a recorded number")

    def __round__(self, ndigits=None):
        raise Untraceable("round() of a recorded number")

    def __floor__(self):
        raise Untraceable("math.floor() of a recorded number (dualdiff.math.floor records)")

    def __ceil__(self):
        raise Untraceable("math.ceil() of a recorded number (dualdiff.math.ceil records)")

    def __trunc__(self):
        raise Untraceable("math.trunc() of a recorded number (dualdiff.math.trunc records)")

    def __int__(self):
        raise TypeError("int() of a traced number would drop its derivative; a recorded "
                        "number cannot be an index or a count")

    def __index__(self):
        raise TypeError("int() of a traced number would drop its derivative; a recorded "
                        "number cannot be an index or a count")

    @property
    def value(self):
        raise Untraceable("reading .value of a recorded number")

    @property
    def tangent(self):
        raise Untraceable("reading .tangent of a recorded number")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """scipy.special's ufuncs of the table record their rule (they have no
        object loop to call a method); every other ufunc runs as NumPy runs it
        on objects."""
        entry = _SPECIAL.get(ufunc.__name__) if method == "__call__" and not kwargs else None
        if entry is not None and getattr(np, ufunc.__name__, None) is not ufunc:
            kind, code = entry
            if kind == "unary" and len(inputs) == 1:
                return unary(inputs[0], code, ufunc)
            if kind == "binary" and len(inputs) == 2:
                return binary(inputs[0], inputs[1], code, ufunc)
        return getattr(ufunc, method)(*[_as_object(x) for x in inputs], **kwargs)

    def __getattr__(self, name):
        m = _METHODS.get(name)
        if m is None:
            raise AttributeError(f"a recorded number has no attribute {name!r}")
        return lambda *args: m(self, *args)


# ------------------------------------------------------------ exported tapes

from cpython.pycapsule cimport PyCapsule_GetContext, PyCapsule_New, PyCapsule_SetContext
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.object cimport PyObject

cdef const char *_SIG_SCALAR = "double (double, void *)"
cdef const char *_SIG_DATA = "dd_tape"


cdef void _release(object capsule) noexcept:
    Py_XDECREF(<PyObject *>PyCapsule_GetContext(capsule))


cdef class Exported:
    """A tape as a C object (a dd_tape) and the C functions that take it as
    their ``void *`` data, callable without the GIL (see dd_tape.h)."""
    cdef dd_tape t
    cdef readonly Tape tape
    cdef readonly object args

    def __cinit__(self, Tape tape, args):
        cdef double[::1] av
        self.tape = tape
        self.args = np.array(args, dtype=np.float64, copy=True).reshape(-1)
        if self.args.shape[0] != tape.n_inputs - tape.n_x:
            raise ValueError("the tape takes other arguments")
        av = self.args
        self.t.ops = tape.ops
        self.t.n_ops = tape.n_ops
        self.t.outputs = tape.outputs
        self.t.n_out = tape.n_out
        self.t.n_slots = tape.n_slots
        self.t.n_inputs = tape.n_inputs
        self.t.n_x = tape.n_x
        self.t.args = &av[0] if av.shape[0] > 0 else NULL

    @property
    def n_in(self):
        """The number of inputs (x's numbers)."""
        return self.t.n_x

    @property
    def n_out(self):
        """The number of outputs."""
        return self.t.n_out

    @property
    def data(self):
        """The address of the dd_tape (the functions' ``void *data``); valid while this object lives."""
        return <size_t>&self.t

    @property
    def value_and_gradient(self):
        """The address of dd_tape_value_and_gradient (a dd_tape_vj_func)."""
        return <size_t>&dd_tape_value_and_gradient

    @property
    def value_and_jacobian(self):
        """The address of dd_tape_value_and_jacobian (a dd_tape_vj_func)."""
        return <size_t>&dd_tape_value_and_jacobian

    @property
    def func(self):
        """The address of dd_tape_func (a dd_func for dd_newton and the other drivers)."""
        return <size_t>&dd_tape_func

    def low_level_callable(self, str what="value"):
        """scipy.LowLevelCallable of the value ("value") or the derivative
        ("derivative") of a function of one variable with one output, for
        scipy.integrate.quad. A failed guard gives NaN."""
        from scipy import LowLevelCallable
        if self.t.n_x != 1 or self.t.n_out != 1:
            raise ValueError("a LowLevelCallable needs a function of one number with one result")
        if what == "value":
            f = PyCapsule_New(<void *>&dd_tape_scalar_value, _SIG_SCALAR, NULL)
        elif what == "derivative":
            f = PyCapsule_New(<void *>&dd_tape_scalar_derivative, _SIG_SCALAR, NULL)
        else:
            raise ValueError(f"what must be 'value' or 'derivative', not {what!r}")
        data = PyCapsule_New(<void *>&self.t, _SIG_DATA, <void (*)(object) noexcept>_release)
        Py_INCREF(self)  # the capsule keeps the tape alive; _release lets go
        PyCapsule_SetContext(data, <void *>self)
        return LowLevelCallable(f, data)

    def __call__(self, x):
        """(value, Jacobian) at x through the exported C function, for checks."""
        cdef double[::1] xv = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
        if xv.shape[0] != self.t.n_x:
            raise ValueError(f"x must have {self.t.n_x} numbers")
        fx = np.empty(self.t.n_out)
        jac = np.empty((self.t.n_out, self.t.n_x))
        cdef double[::1] fv = fx
        cdef double[:, ::1] jv = jac
        cdef int status
        with nogil:
            status = dd_tape_value_and_jacobian(&xv[0], &fv[0], &jv[0, 0], &self.t)
        return status, fx, jac

    def instructions(self):
        """The tape as C initializers: (ops, outputs), for a program that embeds it."""
        cdef Py_ssize_t k
        ops = [(self.t.ops[k].kind, self.t.ops[k].op, self.t.ops[k].a, self.t.ops[k].b, self.t.ops[k].out,
                self.t.ops[k].c) for k in range(<Py_ssize_t>self.t.n_ops)]
        return ops, [self.t.outputs[k] for k in range(<Py_ssize_t>self.t.n_out)]
