# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True, binding=False, always_allow_keywords=False
# cython: embedsignature.format=clinic
#
# The functions are plain built-in functions (binding=False: the cheapest call),
# and one of a single argument takes it positionally only. Their signatures go
# into the docstrings in the form that CPython reads ("sin(x, /)\n--\n\n"), so
# __text_signature__ and inspect.signature are right on every Python (without
# it 3.13 reports its placeholder "($self, object, /)"). Hence every def marks
# with "/" the parameters that are positional-only at run time.
"""The Dual number type and the functions of dualdiff.math.

This module converts arguments, owns memory and calls the C rules in
dualdiff/dualdiff.h; it derives no mathematics of its own.
"""
cimport cython
from cpython.buffer cimport (PyBUF_C_CONTIGUOUS, PyBUF_FORMAT, PyBUF_STRIDES, PyBUF_WRITABLE,
                             PyBuffer_Release, PyObject_GetBuffer)
from cpython.float cimport PyFloat_AS_DOUBLE
from cpython.long cimport PyLong_AsDouble
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.pycapsule cimport PyCapsule_GetPointer
from libc.math cimport fma as c_fma
from libc.math cimport ldexp as c_ldexp
from libc.math cimport isfinite as c_isfinite, isinf as c_isinf, isnan as c_isnan
from libc.string cimport memcpy, memset
from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_DECREF, Py_INCREF, Py_REFCNT, Py_XDECREF

cdef extern from "Python.h":
    ctypedef void (*destructor)(PyObject *)
    ctypedef void (*freefunc)(void *)
    ctypedef PyObject *(*allocfunc)(PyTypeObject *, Py_ssize_t)
    ctypedef PyObject *(*binaryfunc)(PyObject *, PyObject *)
    ctypedef PyObject *(*ternaryfunc)(PyObject *, PyObject *, PyObject *)
    ctypedef struct PyNumberMethods:
        binaryfunc nb_add
        binaryfunc nb_subtract
        binaryfunc nb_multiply
        binaryfunc nb_true_divide
    ctypedef struct _PyTypeObject "PyTypeObject":
        destructor tp_dealloc
        Py_ssize_t tp_vectorcall_offset
        unsigned long tp_flags
        PyNumberMethods *tp_as_number
        freefunc tp_free
        allocfunc tp_alloc
        ternaryfunc tp_call
        void *tp_vectorcall
    PyObject *PyObject_Init(PyObject *, PyTypeObject *)
    unsigned long Py_TPFLAGS_HAVE_VECTORCALL
    Py_ssize_t PyVectorcall_NARGS(size_t)
    PyObject *PyTuple_New(Py_ssize_t)
    void PyTuple_SET_ITEM(PyObject *, Py_ssize_t, PyObject *)
    PyObject **PySequence_Fast_ITEMS(object)

from dualdiff.dualdiff cimport *

import math as _m
import numbers as _numbers
import operator as _operator
import sys as _sys

import numpy as _np
cdef object _ndarray_type = _np.ndarray

from dualdiff import _rules as _table

# Threads. This module keeps no mutable state of its own beyond import:
#  - _MATH (op code -> math function) and _UFUNCS (ufunc -> rule) are filled
#    while the module is imported and only read afterwards;
#  - _array_hook is one Python reference, set once by the array support when
#    it is imported and read per ufunc call (a single load under the GIL);
#  - Cython's freelist for Dual is touched only in tp_new/tp_dealloc, which
#    run with the GIL held;
#  - the C headers have no static data: every function works on the memory
#    it is given, and every Dual owns its storage (and is immutable).
# So any number of threads may compute with Duals at once under the GIL.
# Free-threaded CPython is not declared supported: the freelist and the hook
# assume the GIL.

# Numbers of up to this many doubles live inside the object: first order up to
# width 15, second order up to width 4, with no allocation beyond the object.
cdef enum:
    INLINE = 16

# Arithmetic codes beside the binary rule codes of dd_rules.h (which are >= 0).
cdef enum:
    ADD = -1
    SUB = -2
    MUL = -3
    DIV = -4
    POW = -5


@cython.final
cdef class Dual:
    """Dual(value, tangent=0.0, hessian=None)
--

    A real number with exact derivatives along one or more directions.

    ``value`` is a real number. ``tangent`` is a float (one direction) or a
    sequence of floats (one per direction; its length is the width).
    ``hessian``, an n-by-n symmetric array, makes a second-order number that
    also carries second derivatives.

    Duals are immutable. Arithmetic, comparisons, ``abs``, ``round``, ``//``,
    ``%`` and ``divmod`` work with ints, floats and NumPy scalars on either
    side; comparisons, ``bool`` and ``hash`` look at the value only.
    ``float(d)``, ``int(d)`` and ``complex(d)`` raise ``TypeError`` so that a
    derivative is never dropped silently: use ``d.value`` for the number and
    :mod:`dualdiff.math` or NumPy ufuncs for functions.
    """
    cdef double *heap      # NULL when the number lives in buf, else PyMem memory we own
    cdef Py_ssize_t cap    # doubles the heap memory holds (0 without it)
    cdef Py_ssize_t n      # width: number of directions
    cdef int deg           # 1: value and tangents; 2: also the Hessian
    cdef long tag          # which transform seeded it (0: made by hand)
    cdef double buf[INLINE]

    def __init__(self, value, tangent=0.0, hessian=None):
        cdef Py_ssize_t n, i, j
        cdef double *d
        # (Dual(0.7, 1.0), the commonest call, is made by _dual_new_vectorcall)
        v = _real(value, "value")
        if isinstance(tangent, Dual):
            raise TypeError("Dual tangent must be a float or a sequence of floats, not Dual")
        if _is_real(tangent):
            t = [_real(tangent, "tangent")]
        else:
            try:
                t = [_real(x, "tangent component") for x in tangent]
            except TypeError as e:
                if not hasattr(tangent, "__iter__"):
                    raise TypeError("Dual tangent must be a float or a sequence of floats, not "
                                    + type(tangent).__name__) from None
                raise
        n = len(t)
        if n < 1:
            raise ValueError("Dual needs at least one tangent direction")
        order = 1
        if hessian is not None:
            h = _np.asarray(hessian)
            if h.dtype.kind not in "biuf":  # None would become NaN silently
                raise TypeError(f"hessian must be an array of real numbers, not of {h.dtype}")
            h = h.astype(float)
            if h.shape != (n, n):
                raise ValueError(f"hessian must have shape ({n}, {n}) for width {n}, not {h.shape}")
            if not _np.array_equal(h, h.T, equal_nan=True):
                raise ValueError("hessian must be symmetric")
            order = 2
        if self.heap != NULL:
            PyMem_Free(self.heap)
            self.heap = NULL
            self.cap = 0
        _allocate(self, n, order)
        d = _data(self)
        d[0] = v
        for i in range(n):
            d[1 + i] = t[i]
        if order == 2:
            for i in range(n):
                for j in range(i, n):
                    d[dd_hessian_index(i, j, n)] = h[i, j]
        self.tag = 0

    # ----------------------------------------------------------- attributes

    @property
    def value(self):
        """The value, a float."""
        return _data(self)[0]

    @property
    def tangent(self):
        """The derivatives along each direction: a float for width 1, else a 1-D float64 array."""
        cdef double *d = _data(self)
        if self.n == 1:
            return d[1]
        out = _np.empty(self.n)
        cdef double[::1] o = out
        memcpy(&o[0], d + 1, self.n * sizeof(double))
        return out

    @property
    def hessian(self):
        """The second derivatives between directions, an n-by-n array, or None for a first-order number."""
        if DD_ORDER(self.deg) != 2:
            return None
        out = _np.empty((self.n, self.n))
        cdef double[:, ::1] o = out
        cdef double *d = _data(self)
        cdef Py_ssize_t i, j
        for i in range(self.n):
            for j in range(i, self.n):
                o[i, j] = o[j, i] = d[dd_hessian_index(i, j, self.n)]
        return out

    @property
    def width(self):
        """The number of directions."""
        return self.n

    @property
    def order(self):
        """1 for value and tangents, 2 when the number also carries a Hessian
        (0 for the dependency patterns of sparsity detection, 3 for the
        Taylor numbers of dualdiff.taylor, whose ``tangent`` holds the
        coefficients 1..width of the series)."""
        return DD_ORDER(self.deg)

    @property
    def nan_safe(self):
        """True when a zero tangent stays 0 through an infinite or NaN partial
        derivative (the default); False for numbers seeded with
        ``nan_safe=False``, whose tangents follow IEEE products (0 * inf = NaN)."""
        return (self.deg & DD_IEEE) == 0

    # A Dual stands for a float64 scalar: the shape attributes NumPy's scalars
    # have. Not dtype: NumPy reads an object's dtype attribute as its type, and
    # would convert a list of Duals to floats.
    @property
    def shape(self):
        """(), as for a NumPy scalar."""
        return ()

    @property
    def ndim(self):
        """0, as for a NumPy scalar."""
        return 0

    @property
    def size(self):
        """1, as for a NumPy scalar."""
        return 1

    def __repr__(self):
        cdef double *d = _data(self)
        cdef Py_ssize_t i
        if self.n == 1:
            t = _frepr(d[1])
        else:
            t = "[" + ", ".join([_frepr(d[1 + i]) for i in range(self.n)]) + "]"
        if DD_ORDER(self.deg) == 1:
            return f"Dual({_frepr(d[0])}, {t})"
        if DD_ORDER(self.deg) == DD_TAYLOR:
            return f"Dual({_frepr(d[0])}, taylor=[" + ", ".join([_frepr(d[1 + i]) for i in range(self.n)]) + "])"
        rows = self.hessian.tolist()
        h = "[" + ", ".join(["[" + ", ".join([_frepr(x) for x in r]) + "]" for r in rows]) + "]"
        return f"Dual({_frepr(d[0])}, {t}, hessian={h})"

    def __reduce__(self):
        if DD_ORDER(self.deg) == DD_TAYLOR:
            return (_dual_from, (_dual_parts(self)[0], self.n, self.deg, self.tag))
        t = self.tangent
        if self.n > 1:
            t = t.tolist()
        if DD_ORDER(self.deg) == 1:
            return (Dual, (self.value, t))
        return (Dual, (self.value, t, self.hessian.tolist()))

    def __copy__(self):
        return self  # immutable

    def __deepcopy__(self, memo, /):
        return self

    # -------------------------------------------------- refuse to lose the tangent

    def __float__(self):
        raise TypeError(_LOST.format("float"))

    def __int__(self):
        raise TypeError(_LOST.format("int"))

    def __complex__(self):
        raise TypeError(_LOST.format("complex"))

    # ---------------------------------------------------------- comparisons

    def __richcmp__(self, other, int op):
        cdef double a, b
        if type(other) is int and type(self) is Dual:
            # exactly as float == int does (2**53 + 1 is not 2.0**53; 10**400 does not overflow)
            return _CMP[op](_data(<Dual>self)[0], other)
        if not _value_of(self, &a) or not _value_of(other, &b):
            return NotImplemented
        if op == 0:
            return a < b
        if op == 1:
            return a <= b
        if op == 2:
            return a == b
        if op == 3:
            return a != b
        if op == 4:
            return a > b
        return a >= b

    def __bool__(self):
        return _data(self)[0] != 0.0

    def __hash__(self):
        cdef double v = _data(self)[0]
        if v != v:
            return object.__hash__(self)  # NaN equals nothing: a stable hash of its own
        return hash(v)  # equal to a float of the same value, as == says

    # ----------------------------------------------------------- arithmetic

    def __add__(self, other, /):
        return _arith(self, other, ADD)

    def __radd__(self, other, /):
        return _arith(other, self, ADD)

    def __sub__(self, other, /):
        return _arith(self, other, SUB)

    def __rsub__(self, other, /):
        return _arith(other, self, SUB)

    def __mul__(self, other, /):
        return _arith(self, other, MUL)

    def __rmul__(self, other, /):
        return _arith(other, self, MUL)

    def __truediv__(self, other, /):
        return _arith(self, other, DIV)

    def __rtruediv__(self, other, /):
        return _arith(other, self, DIV)

    def __pow__(self, other, mod):
        if mod is not None:
            return NotImplemented
        return _arith(self, other, POW)

    def __rpow__(self, other, mod):
        if mod is not None:
            return NotImplemented
        return _arith(other, self, POW)

    def __floordiv__(self, other, /):
        return _arith(self, other, DD_OP2_floordiv)

    def __rfloordiv__(self, other, /):
        return _arith(other, self, DD_OP2_floordiv)

    def __mod__(self, other, /):
        return _arith(self, other, DD_OP2_mod)

    def __rmod__(self, other, /):
        return _arith(other, self, DD_OP2_mod)

    def __divmod__(self, other, /):
        q = _arith(self, other, DD_OP2_floordiv)
        if q is NotImplemented:
            return q
        return (q, _arith(self, other, DD_OP2_mod))

    def __rdivmod__(self, other, /):
        q = _arith(other, self, DD_OP2_floordiv)
        if q is NotImplemented:
            return q
        return (q, _arith(other, self, DD_OP2_mod))

    def __neg__(self):
        cdef Dual r = _new_like(self)
        if DD_ORDER(self.deg) == 0:  # a pattern keeps its dependencies
            dd_copy(_data(r), _data(self), _size(self))
            _data(r)[0] = -_data(self)[0]
        else:
            dd_neg(_data(r), _data(self), _size(self))
        return r

    def __pos__(self):
        return self

    def __abs__(self):
        return _unary(self, DD_OP_fabs, None)

    def __round__(self, ndigits=None):
        v = round(_data(self)[0], ndigits) if ndigits is not None else float(round(_data(self)[0]))
        return _step(self, v)

    def __floor__(self):
        return _unary(self, DD_OP_floor, None)

    def __ceil__(self):
        return _unary(self, DD_OP_ceil, None)

    def __trunc__(self):
        return _unary(self, DD_OP_trunc, None)

    # The methods NumPy's object loops call (np.sin(object_array) calls
    # x.sin() on each element) are made from the table of rules below the
    # class (see _install_methods); they follow numpy: a domain error gives
    # NaN, not an exception.

    def conjugate(self): return self

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        # NumPy functions of scalar Duals (np.mean, np.var, np.angle, ...) run
        # the dual-array implementation on 0-d arrays; the rest run NumPy's own.
        if _array_function_hook is not None:
            return _array_function_hook(func, args, kwargs)
        return func._implementation(*args, **kwargs)


_CMP = (_operator.lt, _operator.le, _operator.eq, _operator.ne, _operator.gt, _operator.ge)

_LOST = ("{0}() of a Dual would drop its derivative; use d.value for the number, "
         "and dualdiff.math (or numpy ufuncs) instead of math for functions")

# ------------------------------------------------------------------ storage

cdef inline double *_data(Dual x) noexcept:
    return x.heap if x.heap != NULL else x.buf


cdef inline size_t _size(Dual x) noexcept:
    return dd_size(x.n, x.deg)


cdef inline int _allocate(Dual r, Py_ssize_t n, int order) except -1:
    # r comes from _new: its heap memory, if any, is what a recycled Dual kept
    cdef size_t m = dd_size(n, order)
    if r.heap != NULL and <size_t>r.cap < m:
        PyMem_Free(r.heap)
        r.heap = NULL
        r.cap = 0
    if m > INLINE and r.heap == NULL:
        r.heap = <double *>PyMem_Malloc(m * sizeof(double))
        if r.heap == NULL:
            raise MemoryError()
        r.cap = m
    r.n = n
    r.deg = order
    return 0


# Allocation. Duals are created and dropped once per arithmetic operation, so
# they are recycled through a freelist of our own: unlike Cython's, it does
# not clear the whole object on reuse (every operation writes all the doubles
# of its result), and the type's tp_dealloc (replaced at import, below) frees
# the heap storage without the exception save/restore of a __dealloc__.
# A recycled Dual keeps heap memory of up to KEEP doubles (second-order
# numbers of width 8 need 45), so that a loop on wide numbers does not call
# the allocator twice per operation; at most FREELIST * KEEP doubles are kept.
# The freelist is module state guarded by the GIL, like CPython's own
# freelists for floats and tuples.
cdef enum:
    FREELIST = 512
    KEEP = 256

cdef PyObject *_freelist[FREELIST]
cdef int _nfree = 0
cdef _PyTypeObject *_dual_type = <_PyTypeObject *>Dual


cdef void _dual_dealloc(PyObject *o) noexcept:
    global _nfree
    cdef double *h = (<Dual>o).heap
    if _nfree < FREELIST:
        if h != NULL and (<Dual>o).cap > KEEP:
            PyMem_Free(h)
            (<Dual>o).heap = NULL
            (<Dual>o).cap = 0
        _freelist[_nfree] = o
        _nfree += 1
    else:
        if h != NULL:
            PyMem_Free(h)
        _dual_type.tp_free(o)


_dual_type.tp_dealloc = _dual_dealloc


# Dual(value, tangent) by vectorcall: two floats (or one) make the number
# straight from the freelist; every other call goes through type's own call
# (Dual.__new__, then __init__ with its checks and messages).
cdef ternaryfunc _type_call = (<_PyTypeObject *><PyObject *>type).tp_call

cdef object _dual_new_vectorcall(object cls, PyObject **argv, size_t nargsf, PyObject *kwnames):
    cdef Py_ssize_t nargs = PyVectorcall_NARGS(nargsf)
    cdef Dual d
    cdef double *p
    cdef dict kw
    if (kwnames == NULL and (nargs == 2 or nargs == 1) and type(<object>argv[0]) is float
            and (nargs == 1 or type(<object>argv[nargs - 1]) is float)):
        d = _new(1, 1, 0)
        p = _data(d)
        p[0] = PyFloat_AS_DOUBLE(<object>argv[0])
        p[1] = PyFloat_AS_DOUBLE(<object>argv[1]) if nargs == 2 else 0.0
        return d
    args = _args(None, argv, nargs)
    kw = _kwnames(argv + nargs, kwnames)
    return _owned_object(_type_call(<PyObject *>cls, <PyObject *>args, NULL if kw is None else <PyObject *>kw))


_dual_type.tp_vectorcall = <void *>_dual_new_vectorcall


def _clear_freelist():
    """Free the recycled Duals and the heap storage they keep; returns how
    many there were. For memory accounting (the reference-leak check calls
    it before counting blocks, as gc.collect() clears CPython's freelists)."""
    global _nfree
    cdef int count = _nfree
    cdef PyObject *o
    while _nfree > 0:
        _nfree -= 1
        o = _freelist[_nfree]
        if (<Dual>o).heap != NULL:
            PyMem_Free((<Dual>o).heap)
            (<Dual>o).heap = NULL
            (<Dual>o).cap = 0
        _dual_type.tp_free(o)
    return count


cdef extern from *:
    """
    /* the new reference o, handed to Cython as an owned object */
    static inline PyObject *dd__owned(PyObject *o) { return o; }
    /* a recycled object of type t back to life with one reference: what
     * PyObject_Init does, less setting the type it still has */
    static inline void dd__revive(PyObject *o, PyTypeObject *t) {
    #if PY_VERSION_HEX < 0x030E0000
        (void)t;
        _Py_NewReference(o);
    #else
        PyObject_Init(o, t);
    #endif
    }
    """
    Dual _owned "dd__owned"(PyObject *o)
    object _owned_object "dd__owned"(PyObject *o)  # NULL: the exception set
    void _revive "dd__revive"(PyObject *o, PyTypeObject *t)


cdef inline Dual _new(Py_ssize_t n, int order, long tag):
    global _nfree
    cdef PyObject *o
    cdef Dual r
    if _nfree > 0:
        _nfree -= 1
        o = _freelist[_nfree]
        _revive(o, <PyTypeObject *>_dual_type)
    else:
        o = _dual_type.tp_alloc(<PyTypeObject *>_dual_type, 0)
        if o == NULL:
            raise MemoryError()
    r = _owned(o)
    r.tag = tag  # heap and cap: NULL and 0 from tp_alloc, or kept by the freelist
    if dd_size(n, order) <= INLINE and r.heap == NULL:  # the commonest: nothing to allocate
        r.n = n
        r.deg = order
    else:
        _allocate(r, n, order)
    return r


cdef inline Dual _new_like(Dual a):
    return _new(a.n, a.deg, a.tag)


# ------------------------------------------------------------- conversions

cdef inline bint _is_real(object x):
    return (type(x) is float or type(x) is int or type(x) is bool
            or (isinstance(x, _numbers.Real) and not isinstance(x, Dual)))


cdef double _real(object x, str what) except? -1.0:
    if type(x) is float:
        return PyFloat_AS_DOUBLE(x)
    if type(x) is int or type(x) is bool:
        return PyLong_AsDouble(x)
    if isinstance(x, Dual):
        raise TypeError(f"Dual {what} must be a real number, not Dual")
    if isinstance(x, _numbers.Real):
        return x.__float__()
    raise TypeError(f"Dual {what} must be a real number, not {type(x).__name__}")


# 1 and the number in *out when x is a plain real number (not a Dual), else 0.
cdef inline bint _number(object x, double *out) except -1:
    if type(x) is float:
        out[0] = PyFloat_AS_DOUBLE(x)
        return 1
    if type(x) is int:
        out[0] = PyLong_AsDouble(x)
        return 1
    if isinstance(x, float) or type(x) is bool or isinstance(x, _np.integer) or isinstance(x, _np.floating):
        out[0] = x.__float__()
        return 1
    return 0


cdef inline bint _value_of(object x, double *out) except -1:
    if type(x) is Dual:
        out[0] = _data(<Dual>x)[0]
        return 1
    return _number(x, out)


cdef str _frepr(double x):
    if c_isfinite(x):
        return repr(x)
    return f"float('{x!r}')"


# Tag and shape of the result of combining a and b; raises when they do not fit.
cdef long _combine(Dual a, Dual b) except -1:
    # Tags first: Duals of two derivative calls usually differ in width too,
    # and "nested differentiation" is the message that explains it.
    if a.tag != b.tag and a.tag != 0 and b.tag != 0:
        raise _Conflict(((a.tag, a.n, a.deg), (b.tag, b.n, b.deg)))
    if a.n != b.n:
        raise ValueError(f"cannot combine Duals of different widths ({a.n} and {b.n})")
    if DD_ORDER(a.deg) != DD_ORDER(b.deg):
        raise ValueError("cannot combine a first-order and a second-order Dual")
    if a.deg != b.deg:
        raise ValueError("cannot combine a NaN-safe Dual with one seeded with nan_safe=False")
    return a.tag if a.tag != 0 else b.tag


# ------------------------------------------------------------------ nesting
#
# A transform called inside a function that another transform is
# differentiating (the parent, first order, width p) seeds second-order numbers
# over the union of the parent's p directions and its own (see
# dualdiff/_nesting.py): their cross second derivatives are the parent's
# derivatives of the inner derivatives. Such a child tag is linked to its
# parent here; where a number of the parent meets a number of the child, the
# parent's is promoted to the child's kind (same value and first p
# derivatives, the rest 0), which is exact in the quotient the child reads.
# Where numbers of two calls meet without such a link, _Conflict is raised: a
# transform whose own numbers it involves reruns f nested under the other call
# when that one is still running (_running), and otherwise it is an error.

class _Conflict(ValueError):
    """Numbers of two derivative calls met: ``specs`` holds (tag, width,
    order code) of each."""

    def __init__(self, specs):
        ValueError.__init__(self, "cannot combine Duals seeded by two different derivative calls, "
                                  "neither of which runs inside the other (a Dual kept from a "
                                  "finished call?)")
        self.specs = specs


cdef dict _links = {}   # child tag -> (parent tag, parent width)

# The tags of the transform calls whose f is running (any thread): a child can
# only be linked to one of these.
cdef enum:
    MAX_RUNNING = 512
cdef long _running_tags[MAX_RUNNING]
cdef int _nrunning = 0


cdef inline int _enter(long tag) except -1:
    global _nrunning
    if _nrunning == MAX_RUNNING:
        raise RecursionError("too many derivative calls running at once")
    _running_tags[_nrunning] = tag
    _nrunning += 1
    return 0


cdef inline void _leave(long tag) noexcept:
    global _nrunning
    cdef int i = _nrunning - 1
    while i >= 0 and _running_tags[i] != tag:
        i -= 1
    if i < 0:
        return
    while i < _nrunning - 1:
        _running_tags[i] = _running_tags[i + 1]
        i += 1
    _nrunning -= 1


def _enter_call(long tag, /):
    """Mark the call of this tag as running f (see _leave_call)."""
    _enter(tag)


def _leave_call(long tag, /):
    _leave(tag)


def _running(long tag, /):
    """True while the transform call of this tag is running f."""
    cdef int i
    for i in range(_nrunning):
        if _running_tags[i] == tag:
            return True
    return False


def _as_parent(e, long tag, parent):
    """A conflict that the numbers of a nested call (tag) met outside it,
    reported as its parent's: the call around them must nest in the parent."""
    specs = e.specs
    if any(s[0] == tag for s in specs):
        return _Conflict(tuple(parent if s[0] == tag else s for s in specs))
    return e


def _running_list():
    """The tags of the running transform calls, the outermost first."""
    return [_running_tags[i] for i in range(_nrunning)]


def _link(long child, long parent, Py_ssize_t width):
    """Numbers of tag child carry the parent's width directions first."""
    _links[child] = (parent, width)


def _unlink(long child, /):
    _links.pop(child, None)


def _parent_of(long tag, /):
    """(parent tag, parent width) of a linked child tag, else None."""
    return _links.get(tag)


def _peek_tag():
    """The newest tag handed out so far (its absolute value)."""
    return _tag_counter


cdef Dual _promote(Dual a, Dual like):
    """a (a parent's first-order number) as a number of like's kind."""
    cdef Dual r = _new(like.n, like.deg, like.tag)
    cdef double *pr = _data(r)
    cdef size_t i, m = _size(r)
    for i in range(m):
        pr[i] = 0.0
    memcpy(pr, _data(a), (a.n + 1) * sizeof(double))
    return r


cdef inline bint _child_of(Dual c, Dual a):
    """True when c's tag is linked to a's and a fits as its parent."""
    link = _links.get(c.tag) if _links else None
    return (link is not None and (<tuple>link)[0] == a.tag and (<tuple>link)[1] == a.n
            and DD_ORDER(a.deg) == 1 and a.n < c.n)


cdef object _lift(Dual a, Dual b):
    """(a, b) with the parent's number promoted when one's call is nested in
    the other's; None when neither is (then _combine decides)."""
    if a.tag != b.tag and a.tag != 0 and b.tag != 0:
        if _child_of(a, b):
            return (a, _promote(b, a))
        if _child_of(b, a):
            return (_promote(a, b), b)
    return None


cdef Dual _lift_to(Dual d, Dual target):
    """d as a number that combines with target: promoted where target's call
    is nested in d's, else d itself (checked by _combine)."""
    if d.tag != target.tag and d.tag != 0 and target.tag != 0 and _child_of(target, d):
        return _promote(d, target)
    _combine(d, target)
    return d


cdef Dual _deepest(list duals):
    """The Dual among duals whose call is nested deepest (the others lift to it)."""
    cdef Dual best = <Dual>duals[0], d
    for x in duals:
        d = <Dual>x
        if d.tag != best.tag and d.tag != 0 and (best.tag == 0 or _child_of(d, best)):
            best = d
    return best


cdef inline Dual _constant_like(Dual a, double c):
    cdef Dual r = _new_like(a)
    dd_set_constant(_data(r), c, a.n, a.deg)
    return r


cdef Dual _step(Dual a, double v):
    """A step function's result: the value v, all derivatives 0."""
    return _constant_like(a, v)


# ------------------------------------------------------------------- errors

# A rule computed a NaN or infinite value from finite input, or a NaN from
# non-NaN input (sin(inf)): ask the float function to raise exactly the
# exception Python raises (ValueError, OverflowError or ZeroDivisionError,
# with its message). Returns when the float function does not raise (the
# value is legitimate).
cdef int _float_error(object f, tuple args) except -1:
    if f is not None:
        f(*args)
    return 0


cdef inline bint _suspect(double result, double x) noexcept:
    return (not c_isfinite(result) and c_isfinite(x)) or (c_isnan(result) and not c_isnan(x))


# math raises when it makes a NaN from non-NaN input (ValueError, e.g. sin(inf))
# or an infinity from finite input (OverflowError, or ValueError at a pole).
cdef inline bint _math_suspect(double result, double x, double y) noexcept:
    return ((c_isnan(result) and not c_isnan(x) and not c_isnan(y))
            or (c_isinf(result) and c_isfinite(x) and c_isfinite(y)))


# --------------------------------------------------------------- operations

cdef object _unary(object x, int op, object f):
    """f(x) for a Dual x by rule op; f is the float function whose exceptions
    to reproduce (None for numpy semantics: NaN and inf, no exception)."""
    cdef double *pa = _data(<Dual>x)
    cdef double v = pa[0]
    cdef Dual r = _new((<Dual>x).n, (<Dual>x).deg, (<Dual>x).tag)
    cdef double *pr = _data(r)
    dd_unary(op, pr, pa, (<Dual>x).n, (<Dual>x).deg)
    if _math_suspect(pr[0], v, 0.0) and f is not None:
        _float_error(f, (v,))
    return r


cdef object _binary(object x, object y, int op, object f):
    """f(x, y) for Duals or numbers by the binary rule op."""
    cdef Dual a, b, r
    cdef double c, u, w
    if type(x) is Dual:
        a = <Dual>x
        if type(y) is Dual:
            b = <Dual>y
            if a.n != b.n or a.deg != b.deg or a.tag != b.tag:
                pair = _lift(a, b)
                if pair is not None:
                    return _binary(pair[0], pair[1], op, f)
            r = _new(a.n, a.deg, _combine(a, b) if (a.n != b.n or a.deg != b.deg or a.tag != b.tag) else a.tag)
            u = _data(a)[0]
            w = _data(b)[0]
            dd_binary(op, _data(r), _data(a), _data(b), a.n, a.deg)
        elif _number(y, &c):
            r = _new_like(a)
            u = _data(a)[0]
            w = c
            dd_binary_x(op, _data(r), _data(a), c, a.n, a.deg)
        else:
            return NotImplemented
    elif type(y) is Dual:
        b = <Dual>y
        if not _number(x, &c):
            return NotImplemented
        r = _new_like(b)
        u = c
        w = _data(b)[0]
        dd_binary_y(op, _data(r), c, _data(b), b.n, b.deg)
    else:
        return NotImplemented
    if f is not None and _math_suspect(_data(r)[0], u, w):
        _float_error(f, (u, w))
    return r


cdef object _arith(object x, object y, int op):
    """x op y for the Python operators, with Python float semantics.

    Hot path: works on borrowed data pointers; r is the only owned object."""
    cdef Dual r
    cdef double c
    cdef double *pa
    cdef double *pb
    cdef double *pr
    cdef Py_ssize_t n
    cdef int deg
    cdef size_t m
    if op >= 0:
        return _binary_checked(x, y, op)
    if type(x) is Dual:
        n = (<Dual>x).n
        deg = (<Dual>x).deg
        if DD_ORDER(deg) == 0:
            return _pattern_arith(x, y, op)
        pa = _data(<Dual>x)
        if type(y) is Dual:
            if n != (<Dual>y).n or deg != (<Dual>y).deg or (<Dual>x).tag != (<Dual>y).tag:
                pair = _lift(<Dual>x, <Dual>y)
                if pair is not None:
                    return _arith(pair[0], pair[1], op)
                r = _new(n, deg, _combine(<Dual>x, <Dual>y))
            else:
                r = _new(n, deg, (<Dual>x).tag)
            pb = _data(<Dual>y)
            pr = _data(r)
            if op == MUL:
                dd_mul(pr, pa, pb, n, deg)
            elif op == ADD:
                dd_add(pr, pa, pb, dd_size(n, deg))
            elif op == SUB:
                dd_sub(pr, pa, pb, dd_size(n, deg))
            elif op == DIV:
                if pb[0] == 0.0:
                    raise ZeroDivisionError("float division by zero")
                dd_div(pr, pa, pb, n, deg)
            else:
                return _pow(r, pa[0], pb[0], <Dual>x, <Dual>y)
            return r
        if not _number(y, &c):
            return NotImplemented
        r = _new(n, deg, (<Dual>x).tag)
        pr = _data(r)
        m = dd_size(n, deg)
        if op == MUL:
            dd_scalar_mul(pr, c, pa, m)
        elif op == ADD:
            dd_add_scalar(pr, pa, c, m)
        elif op == SUB:
            dd_sub_scalar(pr, pa, c, m)
        elif op == DIV:
            if c == 0.0:
                raise ZeroDivisionError("float division by zero")
            dd_div_scalar(pr, pa, c, m)
        else:
            return _pow(r, pa[0], c, <Dual>x, None)
        return r
    if type(y) is not Dual or not _number(x, &c):
        return NotImplemented
    n = (<Dual>y).n
    deg = (<Dual>y).deg
    if DD_ORDER(deg) == 0:
        return _pattern_arith(x, y, op)
    pb = _data(<Dual>y)
    r = _new(n, deg, (<Dual>y).tag)
    pr = _data(r)
    m = dd_size(n, deg)
    if op == MUL:
        dd_scalar_mul(pr, c, pb, m)
    elif op == ADD:
        dd_add_scalar(pr, pb, c, m)
    elif op == SUB:
        dd_scalar_sub(pr, c, pb, m)
    elif op == DIV:
        if pb[0] == 0.0:
            raise ZeroDivisionError("float division by zero")
        dd_scalar_div(pr, c, pb, n, deg)
    else:
        return _pow(r, c, pb[0], None, <Dual>y)
    return r


cdef object _pattern_arith(object x, object y, int op):
    """Arithmetic on pattern numbers (order 0, for sparsity detection): through
    the rules, whose structure never lets a difference cancel."""
    cdef int code
    if op == ADD:
        code = DD_OP2_add
    elif op == SUB:
        code = DD_OP2_sub
    elif op == MUL:
        code = DD_OP2_mul
    elif op == DIV:
        code = DD_OP2_div
    else:
        code = DD_OP2_pow
    return _binary(x, y, code, None)


# The four arithmetic slots of the type call _arith directly: it handles the
# Dual on either side, so the generic __add__/__radd__ dispatch is not needed.
cdef object _nb_add(object x, object y):
    return _arith(x, y, ADD)

cdef object _nb_sub(object x, object y):
    return _arith(x, y, SUB)

cdef object _nb_mul(object x, object y):
    return _arith(x, y, MUL)

cdef object _nb_div(object x, object y):
    return _arith(x, y, DIV)

_dual_type.tp_as_number.nb_add = <binaryfunc><void *>_nb_add
_dual_type.tp_as_number.nb_subtract = <binaryfunc><void *>_nb_sub
_dual_type.tp_as_number.nb_multiply = <binaryfunc><void *>_nb_mul
_dual_type.tp_as_number.nb_true_divide = <binaryfunc><void *>_nb_div


cdef object _pow(Dual r, double u, double w, Dual a, Dual b):
    """u ** w into r, where a and/or b are the Dual operands (None: constant)."""
    if u == 0.0 and w < 0.0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    if u < 0.0 and w != w // 1.0 and c_isfinite(w):
        raise ValueError("a negative base to a non-integer power has no real value")
    if a is not None and b is not None:
        dd_pow(_data(r), _data(a), _data(b), r.n, r.deg)
    elif a is not None:
        dd_pow_scalar(_data(r), _data(a), w, r.n, r.deg)
    else:
        dd_scalar_pow(_data(r), u, _data(b), r.n, r.deg)
    if _suspect(_data(r)[0], u) and c_isfinite(w):
        _operator.pow(u, w)  # raises OverflowError as float ** does
    return r


cdef object _binary_checked(object x, object y, int op):
    """// and % with Python's ZeroDivisionError."""
    cdef double c
    if (type(y) is Dual and _data(<Dual>y)[0] == 0.0) or (_number(y, &c) and c == 0.0):
        if type(x) is Dual or _number(x, &c):
            raise ZeroDivisionError("float floor division by zero" if op == DD_OP2_floordiv
                                    else "float modulo")
    return _binary(x, y, op, None)


# --------------------------------------------------------- dualdiff.math

# Unary functions: on a Dual, the C rule; on anything else, math's function.
# gamma and lgamma take their value from math (CPython computes them itself,
# not with the C library), so values agree with math bit for bit.

cdef list _MATH = [None] * DD_NUM_UNARY   # op code -> the float function of math

# Sparsity detection's scalar numbers (dualdiff/_pattern.py) carry a set of
# inputs instead of derivatives, tracing's numbers (dualdiff/_trace.py) record
# the operations, and the numbers of a transform nested one level deeper
# (dualdiff/_third.py) carry numbers of their parent; these functions hand them
# to their handler, handler(name, args), after the checks for Duals.
cdef object _pattern_type = None
cdef object _pattern_math = None
cdef object _trace_type = None
cdef object _trace_math = None
cdef object _mixed_type = None
cdef object _mixed_math = None


def _set_pattern_hook(tp, handler):
    """Hand numbers of type tp to handler(name, args) in dualdiff.math."""
    global _pattern_type, _pattern_math
    _pattern_type = tp
    _pattern_math = handler


def _set_trace_hook(tp, handler):
    """As _set_pattern_hook, for the numbers that record a trace."""
    global _trace_type, _trace_math
    _trace_type = tp
    _trace_math = handler


def _set_mixed_hook(tp, handler):
    """As _set_pattern_hook, for the numbers of a transform nested one level
    deeper (dualdiff/_third.py)."""
    global _mixed_type, _mixed_math
    _mixed_type = tp
    _mixed_math = handler


cdef inline bint _hooked(object x):
    t = type(x)
    return t is _pattern_type or t is _trace_type or t is _mixed_type


cdef bint _holds(object args, object tp):
    for x in args:
        if type(x) is tp:
            return True
        if type(x) is tuple or type(x) is list:  # dist, fsum, sumprod take sequences
            if _holds(x, tp):
                return True
    return False


cdef object _hook_math(name, args, kwargs=None):
    if _trace_type is not None and _holds(args, _trace_type):
        handler = _trace_math
    elif _mixed_type is not None and _holds(args, _mixed_type):
        handler = _mixed_math
    else:
        handler = _pattern_math
    if kwargs is None:
        return handler(name, args)
    return handler(name, args, kwargs)


cdef bint _pattern_in(object args) except -1:
    for x in args:
        if _hooked(x):
            return True
    return False


cdef inline object _um(object x, int op):
    if type(x) is Dual:
        return _unary(x, op, _MATH[op])
    if _hooked(x):
        return _hook_math(dd_unary_name(op).decode(), (x,))
    return _MATH[op](x)


cdef object _um_value_from(object x, int op):
    cdef Dual r
    cdef double v
    f = _MATH[op]
    if _hooked(x):
        return _hook_math(dd_unary_name(op).decode(), (x,))
    if type(x) is not Dual:
        return f(x)
    v = _data(<Dual>x)[0]
    fv = f(v)  # raises as math does
    r = _unary(x, op, None)
    _data(r)[0] = fv
    return r


def log(x, base=None, /):
    """log(x[, base]): natural logarithm, or log(x)/log(base)."""
    if base is None:
        return _um(x, DD_OP_log)
    if _hooked(x) or _hooked(base):
        return _hook_math("log", (x, base))
    if type(x) is not Dual and type(base) is not Dual:
        return _m.log(x, base)
    return _arith(log(x), log(base), DIV)


def _cbrt_float(x, /):
    return _m.cbrt(x) if hasattr(_m, "cbrt") else _c_float1(DD_OP_cbrt, x)

def _exp2_float(x, /):
    return _m.exp2(x) if hasattr(_m, "exp2") else _c_float1(DD_OP_exp2, x)

def _c_float1(int op, x):
    cdef double r[3]
    dd_unary_rule_of(op)(_real(x, "argument"), 1, r)
    return r[0]


cdef int _op
for _op in range(DD_NUM_UNARY):
    _MATH[_op] = getattr(_m, dd_unary_name(_op).decode(), None)
_MATH[DD_OP_cbrt] = _cbrt_float
_MATH[DD_OP_exp2] = _exp2_float


# Binary functions.

cdef inline object _bm(object x, object y, int op, object f):
    if _hooked(x) or _hooked(y):
        return _hook_math(f.__name__, (x, y))
    if type(x) is Dual or type(y) is Dual:
        r = _binary(x, y, op, f)
        if r is NotImplemented:
            raise TypeError(f"{f.__name__}() arguments must be real numbers or Duals, "
                            f"not {type(x).__name__} and {type(y).__name__}")
        return r
    return f(x, y)


# Functions of dualdiff.math made from the table of rules (dualdiff/_rules.py)
# by setup.py; log, pow and hypot are written by hand above and below.
include "_rules_math.pxi"


def pow(x, y, /):
    """pow(x, y) with math.pow's errors (ValueError, OverflowError)."""
    if _hooked(x) or _hooked(y):
        return _hook_math("pow", (x, y))
    if type(x) is not Dual and type(y) is not Dual:
        return _m.pow(x, y)
    cdef double u, w
    if not _value_of(x, &u) or not _value_of(y, &w):
        raise TypeError("pow() arguments must be real numbers or Duals")
    if (u == 0.0 and w < 0.0) or (u < 0.0 and w != w // 1.0 and c_isfinite(w)):
        _m.pow(u, w)  # raises ValueError as math.pow does
    return _bm(x, y, DD_OP2_pow, _m.pow)


def hypot(*coordinates):
    """hypot(*coordinates): Euclidean norm. Partials x_k / hypot; NaN at the origin."""
    if _pattern_in(coordinates):
        return _hook_math("hypot", coordinates)
    for c in coordinates:
        if type(c) is Dual:
            break
    else:
        return _m.hypot(*coordinates)
    return _hypot_n(coordinates, _m.hypot)


def dist(p, q, /):
    """dist(p, q): Euclidean distance between two points of equal dimension."""
    p = tuple(p)
    q = tuple(q)
    if _pattern_in(p) or _pattern_in(q):
        return _hook_math("dist", (p, q))
    if not any([type(c) is Dual for c in p + q]):
        return _m.dist(p, q)
    if len(p) != len(q):
        raise ValueError("both points must have the same number of dimensions")
    diffs = tuple([_arith(a, b, SUB) if (type(a) is Dual or type(b) is Dual) else a - b
                   for a, b in zip(p, q)])
    r = _hypot_n(diffs, None)
    _data(<Dual>r)[0] = _m.dist([_plain(a) for a in p], [_plain(b) for b in q])
    return r


cdef object _plain(object x):
    if _hooked(x):
        return x.value
    return _data(<Dual>x)[0] if type(x) is Dual else x


cdef object _hypot_n(tuple coords, object f):
    cdef Py_ssize_t k, count = len(coords)
    cdef Dual r, proto = None, d
    cdef list held = []
    cdef const double **args
    cdef double c
    duals = [x for x in coords if type(x) is Dual]
    if duals and DD_ORDER((<Dual>duals[0]).deg) == DD_TAYLOR:
        # Taylor numbers: hypot(a, b, c) = hypot(hypot(a, b), c), series by series
        r = coords[0] if len(coords) > 0 else 0.0
        if len(coords) == 1:
            return _binary(r, 0.0, DD_OP2_hypot, None)
        for x in coords[1:]:
            r = _binary(r, x, DD_OP2_hypot, None)
        return r
    if duals:
        proto = _deepest(duals)
        coords = tuple([_lift_to(<Dual>x, proto) if type(x) is Dual else x for x in coords])
    args = <const double **>PyMem_Malloc(max(count, 1) * sizeof(double *))
    if args == NULL:
        raise MemoryError()
    try:
        for k in range(count):
            x = coords[k]
            if type(x) is Dual:
                d = <Dual>x
            elif _number(x, &c):
                d = _constant_like(proto, c)
            else:
                raise TypeError(f"hypot() arguments must be real numbers or Duals, not {type(x).__name__}")
            held.append(d)
            args[k] = _data(d)
        r = _new_like(proto)
        for d in held:
            if d.tag != 0:
                r.tag = d.tag
        dd_hypot_n(_data(r), args, count, proto.n, proto.deg)
    finally:
        PyMem_Free(args)
    if f is not None:
        _data(r)[0] = f(*[_data(d)[0] for d in held])
    return r


def ldexp(x, i, /):
    """ldexp(x, i): x * 2**i for an int i."""
    if _hooked(x) or _hooked(i):
        return _hook_math("ldexp", (x, i))
    if type(x) is not Dual:
        return _m.ldexp(x, i)
    cdef Dual a = <Dual>x
    v = _m.ldexp(_data(a)[0], i)  # raises as math.ldexp does
    # Derivatives scale by 2**i, exactly, each on its own: 2**i alone may overflow
    # where the value does not (frexp of a subnormal). Past +-2200 every double
    # over- or underflows, so clamping changes nothing.
    cdef int k = max(-2200, min(2200, i))
    cdef Dual r = _new_like(a)
    cdef size_t j
    for j in range(1, _size(a)):
        _data(r)[j] = c_ldexp(_data(a)[j], k)
    _data(r)[0] = v
    return r


def frexp(x, /):
    """frexp(x) -> (m, e) with x = m * 2**e; for a Dual, m is a Dual."""
    if _hooked(x):
        return _hook_math("frexp", (x,))
    if type(x) is not Dual:
        return _m.frexp(x)
    m, e = _m.frexp(_data(<Dual>x)[0])
    return (ldexp(x, -e), e)


def modf(x, /):
    """modf(x) -> (fractional, integral) parts; the integral part has derivative 0."""
    if _hooked(x):
        return _hook_math("modf", (x,))
    if type(x) is not Dual:
        return _m.modf(x)
    cdef Dual a = <Dual>x
    fpart, ipart = _m.modf(_data(a)[0])
    cdef Dual f = _new_like(a)
    dd_copy(_data(f), _data(a), _size(a))
    _data(f)[0] = fpart
    return (f, _step(a, ipart))


def fma(x, y, z, /):
    """fma(x, y, z): x * y + z with one rounding of the value."""
    if _pattern_in((x, y, z)):
        return _hook_math("fma", (x, y, z))
    if type(x) is not Dual and type(y) is not Dual and type(z) is not Dual:
        if hasattr(_m, "fma"):
            return _m.fma(x, y, z)
        return _fma_float(_real(x, "argument"), _real(y, "argument"), _real(z, "argument"))
    r = x * y + z
    if type(r) is not Dual:  # e.g. an array operand: not a scalar fma
        raise TypeError("fma() arguments must be real numbers or Duals")
    _data(<Dual>r)[0] = _fma_float(_plain(x), _plain(y), _plain(z))
    return r


cdef double _fma_float(double x, double y, double z) except? -1.0:
    cdef double r = c_fma(x, y, z)
    if c_isnan(r) and not (c_isnan(x) or c_isnan(y) or c_isnan(z)):
        raise ValueError("invalid operation in fma")
    if c_isinf(r) and c_isfinite(x) and c_isfinite(y) and c_isfinite(z):
        raise OverflowError("overflow in fma")
    return r


def fsum(iterable, /):
    """fsum(iterable): exactly rounded sum; tangents are summed the same way."""
    items = list(iterable)
    if _pattern_in(items):
        return _hook_math("fsum", (items,))
    duals = [x for x in items if type(x) is Dual]
    if not duals:
        return _m.fsum(items)
    total = 0.0
    for x in items:
        total = total + x  # raises TypeError for what cannot be added
    if type(total) is not Dual:  # e.g. an array among the items
        raise TypeError("fsum() items must be real numbers or Duals")
    cdef Dual r = <Dual>total
    duals = [_lift_to(<Dual>x, r) for x in duals]
    cdef Dual d
    cdef Py_ssize_t i, m = _size(r)
    cdef double *out = _data(r)
    for i in range(1, m):
        out[i] = _fsum_derivative([_data(<Dual>x)[i] for x in duals])
    out[0] = _m.fsum([_plain(x) for x in items])
    return r


cdef double _fsum_derivative(list terms) except? -1.0:
    """math.fsum of derivatives, but inf - inf gives NaN and an overflowing
    sum gives inf, as in the other operations: only the value raises."""
    try:
        return _m.fsum(terms)
    except (ValueError, OverflowError):
        return sum(terms)


def prod(iterable, /, *, start=1):
    """prod(iterable, *, start=1): the product, left to right."""
    total = start
    for x in iterable:
        total = total * x
    return total


def sumprod(p, q, /):
    """sumprod(p, q): sum of products of two equal-length iterables."""
    p = list(p)
    q = list(q)
    if len(p) != len(q):
        raise ValueError("Inputs are not the same length")
    if _pattern_in(p) or _pattern_in(q):
        return _hook_math("sumprod", (p, q))
    if not any([type(c) is Dual for c in p + q]):
        if hasattr(_m, "sumprod"):
            return _m.sumprod(p, q)
        if all([type(c) is int or type(c) is bool for c in p + q]):
            return sum([a * b for a, b in zip(p, q)])  # exact, an int, as math.sumprod
        terms = []
        for a, b in zip(p, q):  # each product exactly as hi + lo, then one rounding
            u = _real(a, "argument")
            w = _real(b, "argument")
            terms.append(u * w)
            if c_isfinite(u * w):
                terms.append(c_fma(u, w, -(u * w)))
        return _m.fsum(terms)
    return fsum([a * b for a, b in zip(p, q)])


def nextafter(x, y, /, **kwargs):
    """nextafter(x, y): the next float after x towards y; on a Dual it carries x's tangent.

    Keywords go to math.nextafter as they are (steps= from Python 3.12)."""
    if _hooked(x) or _hooked(y):
        return _hook_math("nextafter", (x, y), kwargs)
    if type(x) is not Dual and type(y) is not Dual:
        return _m.nextafter(x, y, **kwargs)
    cdef double u, w
    if not _value_of(x, &u) or not _value_of(y, &w):
        raise TypeError("nextafter() arguments must be real numbers or Duals")
    v = _m.nextafter(u, w, **kwargs)
    if type(x) is Dual:
        r = _new_like(<Dual>x)
        dd_copy(_data(<Dual>r), _data(<Dual>x), _size(<Dual>x))
    else:
        r = _step(<Dual>y, 0.0)
    _data(<Dual>r)[0] = v
    return r


def ulp(x, /):
    """ulp(x): the value of the least significant bit; derivative 0."""
    if _hooked(x):
        return _hook_math("ulp", (x,))
    if type(x) is not Dual:
        return _m.ulp(x)
    return _step(<Dual>x, _m.ulp(_data(<Dual>x)[0]))


def isfinite(x, /):
    """isfinite(x): of the value."""
    return _m.isfinite(_plain(x))

def isinf(x, /):
    """isinf(x): of the value."""
    return _m.isinf(_plain(x))

def isnan(x, /):
    """isnan(x): of the value."""
    return _m.isnan(_plain(x))

def isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0):
    """isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0): of the values."""
    return _m.isclose(_plain(a), _plain(b), rel_tol=rel_tol, abs_tol=abs_tol)


# ------------------------------------------------------------ numpy ufuncs

# Not operator.add/sub: with a numpy scalar on the left they would call back
# into numpy, which calls __array_ufunc__ again (endless recursion).
def _add(x, y):
    return _arith(x, y, ADD)

def _sub(x, y):
    return _arith(x, y, SUB)

def _divmod(x, y):
    q = _arith(x, y, DD_OP2_floordiv)
    if q is NotImplemented:  # NumPy then raises TypeError
        return q
    return (q, _arith(x, y, DD_OP2_mod))


# The comparison ufuncs read a Python int as float64 and refuse strings, as
# NumPy does (Python's operators compare an int exactly, and a string to a
# number gives == False); other objects compare as NumPy's object loops do.
def _number_comparison(op, /):
    def compare(x, y):
        if isinstance(x, (str, bytes)) or isinstance(y, (str, bytes)):
            return NotImplemented
        if type(x) is not Dual and isinstance(x, _numbers.Real):
            x = float(x)
        if type(y) is not Dual and isinstance(y, _numbers.Real):
            y = float(y)
        return op(x, y)
    return compare


# ufunc -> ("u", op) unary rule | ("b", op) binary rule | ("f", callable): the
# rules' ufuncs come from the table (_fill_ufuncs), the rest are listed here.
cdef dict _UFUNCS = {
    _np.add: ("f", _add), _np.subtract: ("f", _sub), _np.divmod: ("f", _divmod),
    _np.negative: ("f", _operator.neg), _np.positive: ("f", _operator.pos),
    _np.conjugate: ("f", lambda x: x),
    _np.less: ("f", _number_comparison(_operator.lt)),
    _np.less_equal: ("f", _number_comparison(_operator.le)),
    _np.greater: ("f", _number_comparison(_operator.gt)),
    _np.greater_equal: ("f", _number_comparison(_operator.ge)),
    _np.equal: ("f", _number_comparison(_operator.eq)),
    _np.not_equal: ("f", _number_comparison(_operator.ne)),
    _np.isfinite: ("f", isfinite), _np.isinf: ("f", isinf), _np.isnan: ("f", isnan),
    _np.signbit: ("f", lambda x: bool(_np.signbit(_plain(x)))),
}
cdef bint _special_loaded = False


cdef _fill_ufuncs(object module, str source):
    """Add the ufuncs of module (numpy, or scipy.special for source
    "special") that compute a rule of the table."""
    for r in _table.RULES:
        if r.kind == "binary" and r.name in ("add", "sub"):
            continue  # the operators above
        entry = ("u", _UNARY_OP[r.name]) if r.kind == "unary" else ("b", _BINARY_OP[r.name])
        for name in (r.numpy if source == "numpy" else r.special):
            _UFUNCS[getattr(module, name)] = entry


cdef bint _load_special() except -1:
    """scipy.special's ufuncs, once SciPy is imported (dualdiff never imports it)."""
    global _special_loaded
    special = _sys.modules.get("scipy.special")
    if special is None or _special_loaded:
        return False
    _fill_ufuncs(special, "special")
    _special_loaded = True
    return True


_array_hook = None  # set by dualdiff's array support: handles ufuncs with array operands
_array_function_hook = None  # and NumPy functions of scalar Duals


def _set_array_hook(hook, function_hook=None, /):
    global _array_hook, _array_function_hook
    _array_hook = hook
    _array_function_hook = function_hook


cdef extern from *:
    """
    #include <numpy/ndarraytypes.h>
    /* The values of a 1-d float64 ndarray in native byte order (x is an
     * ndarray): its data, length and stride in bytes; NULL for any other. */
    static const char *dd__vector(PyObject *x, Py_ssize_t *n, Py_ssize_t *stride)
    {
        PyArrayObject *a = (PyArrayObject *)x;
        if (PyArray_NDIM(a) != 1 || PyArray_DESCR(a)->type_num != NPY_DOUBLE || !PyArray_ISNOTSWAPPED(a))
            return NULL;
        *n = PyArray_DIM(a, 0);
        *stride = PyArray_STRIDE(a, 0);
        return PyArray_BYTES(a);
    }
    """
    const char *dd__vector(object x, Py_ssize_t *n, Py_ssize_t *stride)


ctypedef object (*_seeded_fn)(type, list, Py_ssize_t, int, long, object, object)
cdef _seeded_fn _seeded_make = NULL  # _array._seeded_vector, the 1-d array input of _Gradient ...
cdef tuple _seeded_args = None  # ... and its class and placeholder (set by _ndarray)
ctypedef object (*_float_array_fn)(int, Py_ssize_t)
cdef _float_array_fn _float_array = NULL  # _array's dd__float_array: a new (n,) or (n, n) float64 array


def _set_seeded_hook(capsule, float_array, type cls, placeholder, /):
    """_array.seeded_vector_capsule(), _array.float_array_capsule(), the class
    of the array input and its placeholder."""
    global _seeded_make, _seeded_args, _float_array
    _seeded_make = <_seeded_fn>PyCapsule_GetPointer(capsule, "dualdiff._array.seeded_vector")
    _float_array = <_float_array_fn>PyCapsule_GetPointer(float_array, "dualdiff._array.float_array")
    _seeded_args = (cls, placeholder)


cdef extern from *:
    """
    /* the data of a new C-contiguous float64 array */
    static double *dd__array_data(PyObject *a) { return (double *)PyArray_DATA((PyArrayObject *)a); }
    """
    double *dd__array_data(object a)


cdef inline object _new_floats(int nd, Py_ssize_t n):
    """A new C-contiguous float64 array of shape (n,) (nd 1) or (n, n) (nd 2)."""
    if _float_array != NULL:
        return _float_array(nd, n)
    if nd == 2:
        return _np.empty((n, n))
    return _np.empty(n)


def _pack_duals(list duals, Py_ssize_t width, int order):
    """The numbers of Duals of one width and order as the rows of a new
    C-contiguous float64 array (what a 1-d dual array of them holds)."""
    cdef Py_ssize_t i, count = len(duals)
    cdef size_t m = dd_size(width, DD_ORDER(order))
    cdef Py_buffer view
    cdef Dual d
    out = _np.empty((count, m))
    PyObject_GetBuffer(out, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)
    try:
        for i in range(count):
            d = <Dual?>duals[i]
            if d.n != width or DD_ORDER(d.deg) != DD_ORDER(order):
                raise ValueError("_pack_duals: Duals of another width or order")
            memcpy(<double *>view.buf + i * m, _data(d), m * sizeof(double))
    finally:
        PyBuffer_Release(&view)
    return out


def _ufunc_name(ufunc, /):
    """numpy.NAME, or scipy.special.NAME for SciPy's ufuncs (for messages)."""
    name = ufunc.__name__
    special = _sys.modules.get("scipy.special")
    if special is not None and getattr(special, name, None) is ufunc:
        return f"scipy.special.{name}"
    return f"numpy.{name}"


cdef object _array_ufunc(object ufunc, str method, tuple inputs, dict kwargs):
    for x in inputs:
        if isinstance(x, _np.ndarray) or (type(x) is not Dual and hasattr(x, "__array_ufunc__")
                                          and not isinstance(x, _np.generic)):
            if _array_hook is not None:
                return _array_hook(ufunc, method, inputs, kwargs)
            return _object_ufunc(ufunc, method, inputs, kwargs)
    if method != "__call__" or kwargs:
        if method == "__call__" and set(kwargs) <= {"out"} and kwargs.get("out") is None:
            pass
        else:
            return _object_ufunc(ufunc, method, inputs, kwargs)
    entry = _UFUNCS.get(ufunc)
    if entry is None and _load_special():
        entry = _UFUNCS.get(ufunc)
    if entry is None:
        if _array_hook is not None:  # the array rules take scalars too (one table for both)
            return _array_hook(ufunc, method, inputs, kwargs)
        raise TypeError(f"{_ufunc_name(ufunc)} is not supported for dualdiff.Dual")
    kind, what = entry
    if kind == "u":
        if type(inputs[0]) is not Dual:
            return NotImplemented
        return _unary(inputs[0], what, None)
    if kind == "b":
        if what == DD_OP2_mul:
            return _arith(inputs[0], inputs[1], MUL)
        if what == DD_OP2_div:
            return _arith_numpy_div(inputs[0], inputs[1])
        return _binary(inputs[0], inputs[1], what, None)
    if kind == "a":
        return _arith(inputs[0], inputs[1], what)
    return what(*inputs)


cdef object _arith_numpy_div(x, y):
    cdef double c
    if (type(y) is Dual and _data(<Dual>y)[0] == 0.0) or (type(y) is not Dual and _number(y, &c) and c == 0.0):
        return _binary(x, y, DD_OP2_div, None)  # inf or nan as numpy gives, no exception
    return _arith(x, y, DIV)


cdef object _object_ufunc(object ufunc, str method, tuple inputs, dict kwargs):
    """Fallback: run the ufunc on object arrays (numpy calls our methods per element)."""
    converted = []
    for x in inputs:
        if type(x) is Dual:
            a = _np.empty((), dtype=object)
            a[()] = x
            converted.append(a)
        elif isinstance(x, _np.ndarray) and x.dtype != object:
            converted.append(x.astype(object))
        else:
            converted.append(x)
    return getattr(ufunc, method)(*converted, **kwargs)


# ------------------------------------------------ seeding and extraction
# Used by the derivative transforms (dualdiff/_seeding.py).

cdef inline int _seed_order(int order, long tag) noexcept:
    """The order code of numbers seeded for the call of this tag: a negative
    tag marks a call with nan_safe=False (see _new_tag)."""
    return order | DD_IEEE if tag < 0 else order


def _seed(double[::1] x, Py_ssize_t start, Py_ssize_t width, int order, long tag):
    """Duals for every entry of x: entry start+k varies along direction k
    (for k < width), every other entry is a constant."""
    cdef Py_ssize_t i, count = x.shape[0]
    cdef Dual d
    cdef list out = [None] * count
    order = _seed_order(order, tag)
    for i in range(count):
        d = _new(width, order, tag)
        dd_set_variable(_data(d), x[i], <size_t>(i - start), width, order)
        out[i] = d
    return out


def _seed_floats(object x, int order, long tag):
    """For a list or tuple of n floats: a list of n Duals of width n, entry i
    varying along direction i; None when some item is not a float (the caller
    then takes the general path)."""
    cdef Py_ssize_t i, count = len(x)
    cdef Dual d
    cdef list out = [None] * count
    order = _seed_order(order, tag)
    for i in range(count):
        item = x[i]
        if type(item) is not float:
            return None
        d = _new(count, order, tag)
        dd_set_variable(_data(d), PyFloat_AS_DOUBLE(item), <size_t>i, count, order)
        out[i] = d
    return out


def _read_gradient(object y, Py_ssize_t width, int order, long tag, object out):
    """Write the first derivatives of one result y (a Dual of this call, or a
    plain number) into the float64 array out (C-contiguous, width items).
    Returns the value; None when y is neither (the caller diagnoses it)."""
    cdef Py_buffer view
    cdef double *o
    cdef double *p
    cdef double c
    cdef Py_ssize_t j
    cdef Dual d
    if type(y) is Dual:
        d = <Dual>y
        if d.tag != tag and d.tag != 0:
            raise _Conflict(((d.tag, d.n, d.deg), (tag, width, order)))
        if d.n != width or DD_ORDER(d.deg) != order:
            raise ValueError(f"the function returned a Dual of width {d.n} and order {DD_ORDER(d.deg)}, "
                             f"but the input was seeded with width {width} and order {DD_ORDER(order)}")
        p = _data(d) + 1
        c = _data(d)[0]
    elif _number(y, &c):
        p = NULL
    else:
        return None
    PyObject_GetBuffer(out, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)
    try:
        if view.len != width * <Py_ssize_t>sizeof(double) or view.itemsize != sizeof(double):
            raise ValueError("_read_gradient needs a float64 array of the input's width")
        o = <double *>view.buf
        for j in range(width):
            o[j] = p[j] if p != NULL else (0.0 if c == c else c)  # a NaN constant: NaN (see _read)
    finally:
        PyBuffer_Release(&view)
    return c


def _read_hessian(object y, Py_ssize_t width, long tag, object out):
    """Write the second derivatives of one second-order result y (a Dual of
    this call, or a plain number) into the C-contiguous float64 width-by-width
    array out. Returns True; None when y is neither."""
    cdef Py_buffer view
    cdef double *o
    cdef double *p = NULL
    cdef double c
    cdef Py_ssize_t j, k
    cdef Dual d
    if type(y) is Dual:
        d = <Dual>y
        if d.tag != tag and d.tag != 0:
            raise _Conflict(((d.tag, d.n, d.deg), (tag, width, 2)))
        if d.n != width or DD_ORDER(d.deg) != 2:
            raise ValueError(f"the function returned a Dual of width {d.n} and order {DD_ORDER(d.deg)}, "
                             f"but the input was seeded with width {width} and order 2")
        p = _data(d)
    elif not _number(y, &c):
        return None
    PyObject_GetBuffer(out, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)
    try:
        if view.len != width * width * <Py_ssize_t>sizeof(double) or view.itemsize != sizeof(double):
            raise ValueError("_read_hessian needs a float64 array of shape (width, width)")
        o = <double *>view.buf
        for j in range(width):
            for k in range(j, width):
                o[j * width + k] = o[k * width + j] = \
                    p[dd_hessian_index(j, k, width)] if p != NULL else (0.0 if c == c else c)
    finally:
        PyBuffer_Release(&view)
    return True


def _read(object y, Py_ssize_t width, int order, long tag, double[::1] value,
          double[:, ::1] tangent, double[:, :, ::1] hessian, Py_ssize_t col):
    """Write the value and derivatives of each item of the flat sequence y into
    value[i], tangent[i, col:col+width] (and hessian[i, col.., col..]).
    Plain numbers are constants (a NaN gets NaN derivatives). Returns nothing;
    raises on foreign Duals."""
    cdef Py_ssize_t i, j, k, count = len(y)
    cdef Dual d
    cdef double *p
    cdef double c
    for i in range(count):
        item = y[i]
        if type(item) is Dual:
            d = <Dual>item
            if d.tag != tag and d.tag != 0:
                raise _Conflict(((d.tag, d.n, d.deg), (tag, width, order)))
            if d.n != width or DD_ORDER(d.deg) != order:
                raise ValueError(f"the function returned a Dual of width {d.n} and order {DD_ORDER(d.deg)}, "
                                 f"but the input was seeded with width {width} and order {DD_ORDER(order)}")
            p = _data(d)
            value[i] = p[0]
            for j in range(width):
                tangent[i, col + j] = p[1 + j]
            if DD_ORDER(order) == 2:
                for j in range(width):
                    for k in range(j, width):
                        hessian[i, col + j, col + k] = hessian[i, col + k, col + j] = \
                            p[dd_hessian_index(j, k, width)]
        elif _number(item, &c):
            # a constant: derivatives 0, or NaN for a NaN, which tells nothing
            # of how it depends on x
            value[i] = c
            c = 0.0 if c == c else c
            for j in range(width):
                tangent[i, col + j] = c
            if DD_ORDER(order) == 2:
                for j in range(width):
                    for k in range(width):
                        hessian[i, col + j, col + k] = c
        else:
            raise TypeError(f"the function returned {type(item).__name__}, not a number or Dual")


# ---------------------------------------------------------- finiteness

def all_finite(x, /):
    """all_finite(x) -> bool

    True when every value and every derivative in ``x`` is finite (no NaN,
    no infinity). ``x`` is a Dual, a real number, a NumPy array (of floats,
    or of objects holding Duals and numbers), or a (nested) list or tuple of
    these. A solver can call it on a residual or a Jacobian before trusting
    a step. Raises TypeError for anything else.
    """
    cdef Py_ssize_t i, count
    if type(x) is Dual:
        return dd_isfinite(_data(<Dual>x), (<Dual>x).n, (<Dual>x).deg) != 0
    if type(x) is float:
        return c_isfinite(PyFloat_AS_DOUBLE(x))
    if type(x) is int or type(x) is bool:
        return True
    if isinstance(x, _np.ndarray):
        buf = getattr(x, "_buf", None)
        if buf is not None:  # a DualArray: its values and derivatives, not just the values
            return bool(_np.isfinite(buf).all())
        if x.dtype == object:
            return _all_finite_iter(x.flat)
        if x.dtype.kind in "biu":
            return True
        if x.dtype.kind in "fc":
            return bool(_np.isfinite(x).all())
        raise TypeError(f"all_finite() does not take arrays of dtype {x.dtype}")
    if isinstance(x, (list, tuple)):
        return _all_finite_iter(x)
    if isinstance(x, _np.generic) or isinstance(x, _numbers.Real):
        if isinstance(x, (_np.integer, _np.bool_)):
            return True
        if isinstance(x, _np.complexfloating):
            return bool(_np.isfinite(x))
        return _m.isfinite(x)
    raise TypeError(f"all_finite() takes Duals, numbers, arrays and lists of them, "
                    f"not {type(x).__name__}")


cdef bint _all_finite_iter(object items) except -1:
    for item in items:
        if not all_finite(item):
            return False
    return True


def _is_dual(x, /):
    return type(x) is Dual


def _seed_tangents(double[::1] x, double[:, ::1] t, int order, long tag):
    """Duals for every entry of x: entry i has value x[i] and first
    derivatives t[i, :] (second derivatives 0): arbitrary directions."""
    cdef Py_ssize_t i, j, count = x.shape[0], width = t.shape[1]
    cdef Dual d
    cdef double *p
    cdef list out = [None] * count
    if t.shape[0] != count:
        raise ValueError("_seed_tangents needs one row of t per entry of x")
    order = _seed_order(order, tag)
    for i in range(count):
        d = _new(width, order, tag)
        p = _data(d)
        dd_set_constant(p, x[i], width, order)
        for j in range(width):
            p[1 + j] = t[i, j]
        out[i] = d
    return out


cdef object _OBJECT = _np.dtype(object)


def _object_array(list items, /):
    """A 1-d object array holding the items, written through its buffer:
    several times faster than np.fromiter or np.array for Duals (NumPy
    probes each item for the array protocols)."""
    cdef Py_ssize_t i, n = len(items)
    cdef Py_buffer view
    cdef PyObject **slots
    cdef PyObject *old
    arr = _np.empty(n, dtype=_OBJECT)
    if n == 0:
        return arr
    PyObject_GetBuffer(arr, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT)
    try:
        if view.itemsize != sizeof(PyObject *) or view.format[0] != b'O':
            raise TypeError("an object array with an unexpected buffer")
        slots = <PyObject **>view.buf
        for i in range(n):
            item = items[i]
            old = slots[i]
            Py_INCREF(item)
            slots[i] = <PyObject *>item
            Py_XDECREF(old)  # NumPy fills a new object array with None
    finally:
        PyBuffer_Release(&view)
    return arr


cdef long _tag_counter = 0


cdef inline long _abs(long t) noexcept:
    return -t if t < 0 else t


cdef object _nesting_hook = None


def _set_nesting_hook(hook, /):
    """The function a fast path hands a nested call to (dualdiff/_nesting.py)."""
    global _nesting_hook
    _nesting_hook = hook


cdef object _complex_hook = None


def _set_complex_hook(hook, /):
    """The function a fast path hands a call to when f met a complex number
    (dualdiff/_complex_ad.py); it re-raises any other TypeError."""
    global _complex_hook
    _complex_hook = hook


def _new_tag(bint nan_safe=True):
    """A tag no other derivative call has used (tag 0 means "made by hand").
    Numbers seeded for a call with nan_safe=False get a negative tag, and the
    seeders give them the order code with DD_IEEE."""
    global _tag_counter
    _tag_counter += 1
    return _tag_counter if nan_safe else -_tag_counter


# The commonest nested call runs here: grad, value_and_grad or derivative of
# f called on a flat list or tuple (or one number) of a running top-level
# first-order call's numbers and floats, with f returning one number of this
# call (see dualdiff/_nesting.py for the mathematics; every other case goes
# there). _nest_array(buf, p, code, tag) makes a dual array of the parent's
# numbers from rows of 1 + p doubles.
cdef object _nest_array = None
cdef object _nest_finish = None

cdef enum:
    NEST_DERIVATIVE = 0
    NEST_GRAD = 1
    NEST_VALUE_AND_GRAD = 2

cdef tuple _NEST_VERBS = ("derivative", "grad", "value_and_grad")


def _set_nesting_fast(make_array, finish, /):
    """The Python pieces of the fast nested call (dualdiff/_nesting.py)."""
    global _nest_array, _nest_finish
    _nest_array = make_array
    _nest_finish = finish


cdef bint _is_running(long tag) noexcept:
    cdef int i
    for i in range(_nrunning):
        if _running_tags[i] == tag:
            return True
    return False


cdef object _nested_fast(object f, tuple args, dict kwargs, int verb, bint nan_safe):
    """f nested in the running call whose numbers args[0] holds, or
    NotImplemented when args[0] is not the simple kind described above."""
    global _tag_counter
    cdef object x = args[0]
    cdef Py_ssize_t n, i, j, p = -1, w
    cdef long ptag = 0, tag
    cdef int pcode = 0, code
    cdef Dual d, r
    cdef double *q
    cdef double *o
    cdef Py_buffer view
    if verb == NEST_DERIVATIVE:
        items = (x,)
    elif type(x) is list or type(x) is tuple:
        items = x
    else:
        return NotImplemented
    n = len(items)
    if n == 0 or n > 128:  # more directions run faster in chunks (_nesting.CHUNK) there
        return NotImplemented
    for item in items:
        if type(item) is Dual:
            d = <Dual>item
            if p < 0:
                ptag, p, pcode = d.tag, d.n, d.deg
            if d.tag != ptag or d.n != p or d.deg != pcode:
                return NotImplemented
        elif type(item) is not float:
            return NotImplemented
    if (p < 0 or ptag == 0 or DD_ORDER(pcode) != 1 or not _is_running(ptag)
            or (_links and ptag in _links)):
        return NotImplemented
    _tag_counter += 1
    tag = _tag_counter if nan_safe else -_tag_counter
    code = 2 if nan_safe else 2 | DD_IEEE
    w = p + n
    seeded = [None] * n
    for i in range(n):
        r = _new(w, code, tag)
        q = _data(r)
        memset(q, 0, _size(r) * sizeof(double))
        item = items[i]
        if type(item) is Dual:
            memcpy(q, _data(<Dual>item), (p + 1) * sizeof(double))
        else:
            q[0] = PyFloat_AS_DOUBLE(item)
        q[1 + p + i] = 1.0
        seeded[i] = r
    xin = seeded[0] if verb == NEST_DERIVATIVE else (tuple(seeded) if type(x) is tuple else seeded)
    _links[tag] = (ptag, p)
    _enter(tag)
    try:
        if kwargs:
            y = f(xin, *args[1:], **kwargs)
        elif len(args) == 1:
            y = f(xin)
        else:
            y = f(xin, *args[1:])
    except _Conflict as e:
        raise _as_parent(e, tag, (ptag, p, pcode)) from None
    finally:
        _leave(tag)
        del _links[tag]
    if type(y) is not Dual or (<Dual>y).tag != tag or (<Dual>y).n != w or (<Dual>y).deg != code:
        return _nest_finish(_NEST_VERBS[verb], y, tag, w, n, (ptag, p, pcode),
                            None if verb == NEST_DERIVATIVE else (n,))
    q = _data(<Dual>y)
    # the inner derivative along direction j is q[1 + p + j], and its parent
    # derivatives are the cross entries H[i, p + j]
    if verb == NEST_DERIVATIVE:
        r = _new(p, pcode, ptag)
        o = _data(r)
        o[0] = q[1 + p]
        for i in range(p):
            o[1 + i] = q[dd_hessian_index(i, p, w)]
        return r
    buf = _np.empty((n, p + 1))
    PyObject_GetBuffer(buf, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)
    o = <double *>view.buf
    for j in range(n):
        o[j * (p + 1)] = q[1 + p + j]
        for i in range(p):
            o[j * (p + 1) + 1 + i] = q[dd_hessian_index(i, p + j, w)]
    PyBuffer_Release(&view)
    g = _nest_array(buf, p, pcode, ptag)
    if verb == NEST_GRAD:
        return g
    r = _new(p, pcode, ptag)
    memcpy(_data(r), q, (p + 1) * sizeof(double))
    return (r, g)


@cython.final
cdef class _Derivative:
    """The callable derivative(f) returns (see dualdiff/_derivative.py).

    The common case (a float x, f returning a Dual) runs here without Python
    frames of its own; every other case goes to ``general(tag, x_dual_or_None,
    y, args, kwargs)``, the Python code that checks and reads any result."""
    cdef readonly object __wrapped__
    cdef object general
    cdef bint nan_safe
    cdef public object __name__
    cdef public object __doc__
    cdef void *vectorcall  # the type's vectorcall slot (see _derivative_vectorcall)

    def __init__(self, f, general, name, doc, bint nan_safe=True):
        self.__wrapped__ = f
        self.general = general
        self.nan_safe = nan_safe
        self.vectorcall = <void *>_derivative_vectorcall
        self.__name__ = name
        self.__doc__ = doc

    def __call__(self, *args, **kwargs):
        return self._call(args, kwargs)

    cdef object _call(self, tuple args, dict kwargs):  # kwargs None for none (see _call_slot)
        if len(args) == 0 or type(args[0]) is not float:
            if len(args) and type(args[0]) is Dual:
                r = _nested_fast(self.__wrapped__, args, kwargs, NEST_DERIVATIVE, self.nan_safe)
                if r is not NotImplemented:
                    return r
            return self.general(args, _kw(kwargs))
        return self._float(PySequence_Fast_ITEMS(args), len(args), args, kwargs)

    cdef object _float(self, PyObject **argv, Py_ssize_t nargs, tuple args, dict kwargs):
        """The call for a float argv[0]; args is argv as a tuple, or None
        (made only where needed)."""
        global _tag_counter
        cdef Dual d
        _tag_counter += 1
        if self.nan_safe:
            d = _new(1, 1, _tag_counter)
        else:
            d = _new(1, 1 | DD_IEEE, -_tag_counter)
        dd_set_variable(_data(d), PyFloat_AS_DOUBLE(<object>argv[0]), 0, 1, 1)
        _enter(d.tag)
        try:
            if kwargs:
                y = self.__wrapped__(d, *_args(args, argv, nargs)[1:], **kwargs)
            elif nargs == 1:  # the usual arities as direct calls: no tuple building
                y = self.__wrapped__(d)
            elif nargs == 2:
                y = self.__wrapped__(d, <object>argv[1])
            elif nargs == 3:
                y = self.__wrapped__(d, <object>argv[1], <object>argv[2])
            else:
                y = self.__wrapped__(d, *_args(args, argv, nargs)[1:])
            if type(y) is Dual and (<Dual>y).tag == d.tag and (<Dual>y).n == 1 and DD_ORDER((<Dual>y).deg) == 1:
                return _data(<Dual>y)[1]
            return self.general(None, None, y, d.tag)
        except _Conflict as e:
            return _nesting_hook("derivative", self.__wrapped__, _args(args, argv, nargs), _kw(kwargs), e,
                                 _abs(d.tag) - 1, self.nan_safe)
        except TypeError as e:  # f met a complex number: its own numbers take over
            return _complex_hook("derivative", self.__wrapped__, _args(args, argv, nargs), _kw(kwargs), e,
                                 self.nan_safe)
        finally:
            _leave(d.tag)


_F64 = _np.dtype(_np.float64)


@cython.final
cdef class _Gradient:
    """The callable grad(f), value_and_grad(f) and hessian(f) return (see
    dualdiff/_gradient.py, dualdiff/_hessian.py).

    The common case (x a list of at most ``limit`` floats, f returning a Dual)
    runs here in one pass; any other x goes to ``general(args, kwargs)``, and
    any other result of f to ``finish(y, tag, n)``, the Python code that
    checks and reads every kind of result."""
    cdef readonly object __wrapped__
    cdef object general
    cdef object finish
    cdef Py_ssize_t limit
    cdef bint with_value
    cdef int order
    cdef int code
    cdef object verb
    cdef public object __name__
    cdef public object __doc__
    cdef object spare  # the array input of the last call, when nothing kept it
    cdef void *vectorcall  # the type's vectorcall slot (see _gradient_vectorcall)

    def __init__(self, f, general, finish, Py_ssize_t limit, bint with_value, name, doc,
                 int order=1, bint nan_safe=True):
        self.verb = "hessian" if order == 2 else "value_and_grad" if with_value else "grad"
        self.__wrapped__ = f
        self.general = general
        self.finish = finish
        self.limit = limit
        self.with_value = with_value
        self.order = order  # 2: return the Hessian instead of the gradient
        self.code = order if nan_safe else order | DD_IEEE  # of the seeded numbers
        self.__name__ = name
        self.__doc__ = doc
        self.vectorcall = <void *>_gradient_vectorcall

    def __call__(self, *args, **kwargs):
        return self._call(args, kwargs)

    cdef object _call(self, tuple args, dict kwargs):  # kwargs None for none (see _call_slot)
        return self._run(PySequence_Fast_ITEMS(args), len(args), args, kwargs)

    cdef object _run(self, PyObject **argv, Py_ssize_t nargs, tuple args, dict kwargs):
        """The call; args is argv as a tuple, or None (made only where needed)."""
        global _tag_counter
        cdef Py_ssize_t i, n
        cdef Dual d
        cdef double *o
        cdef double *p
        cdef list duals
        cdef long tag
        cdef const char *xp
        cdef Py_ssize_t stride
        if nargs == 0:
            return self.general(_args(args, argv, nargs), _kw(kwargs))
        x = <object>argv[0]
        if type(x) is list:
            n = len(<list>x)
            if n == 0 or n > self.limit:
                return self.general(_args(args, argv, nargs), _kw(kwargs))
            for i in range(n):
                if type((<list>x)[i]) is not float:
                    if self.order == 1 and type((<list>x)[i]) is Dual:
                        r = _nested_fast(self.__wrapped__, _args(args, argv, nargs), kwargs,
                                         NEST_VALUE_AND_GRAD if self.with_value else NEST_GRAD,
                                         self.code == self.order)
                        if r is not NotImplemented:
                            return r
                    return self.general(_args(args, argv, nargs), _kw(kwargs))
            _tag_counter += 1
            tag = _tag_counter if self.code == self.order else -_tag_counter
            duals = [None] * n
            for i in range(n):
                d = _new(n, self.code, tag)
                dd_set_variable(_data(d), PyFloat_AS_DOUBLE((<list>x)[i]), <size_t>i, n, self.code)
                duals[i] = d
            arr = duals  # f receives a list for a list, as it would on floats
        elif type(x) is _ndarray_type and _seeded_make != NULL:
            # a 1-d float64 array (SciPy's x): the same Duals, in a DualArray
            # whose x[i], len and iteration read them as a list's would
            xp = dd__vector(x, &n, &stride)
            if xp == NULL or n == 0 or n > self.limit:
                return self.general(_args(args, argv, nargs), _kw(kwargs))
            _tag_counter += 1
            tag = _tag_counter if self.code == self.order else -_tag_counter
            spare, self.spare = self.spare, None
            if spare is not None and Py_REFCNT(spare) != 1:  # someone found it: keep it as it is
                spare = None
            # the array first: a spare lets go of the last call's Duals, whose
            # memory the new ones then reuse; the list is filled in place
            duals = [None] * n
            arr = _seeded_make(<type>_seeded_args[0], duals, n, self.code, tag, _seeded_args[1], spare)
            spare = None
            for i in range(n):
                d = _new(n, self.code, tag)
                dd_set_variable(_data(d), (<const double *>(xp + i * stride))[0], <size_t>i, n, self.code)
                duals[i] = d
        else:
            return self.general(_args(args, argv, nargs), _kw(kwargs))
        _enter(tag)
        try:
            if kwargs:
                y = self.__wrapped__(arr, *_args(args, argv, nargs)[1:], **kwargs)
            elif nargs == 1:
                y = self.__wrapped__(arr)
            elif nargs == 2:
                y = self.__wrapped__(arr, <object>argv[1])
            else:
                y = self.__wrapped__(arr, *_args(args, argv, nargs)[1:])
            if (type(y) is not Dual or (<Dual>y).tag != tag or (<Dual>y).n != n
                    or DD_ORDER((<Dual>y).deg) != self.order):
                return self.finish(y, tag, n)
        except _Conflict as e:
            return _nesting_hook(self.verb, self.__wrapped__, _args(args, argv, nargs), _kw(kwargs), e, _abs(tag) - 1,
                                 self.code == self.order)
        except TypeError as e:  # f met a complex number: its own numbers take over
            return _complex_hook(self.verb, self.__wrapped__, _args(args, argv, nargs), _kw(kwargs), e,
                                 self.code == self.order)
        finally:
            _leave(tag)
        if type(arr) is not list and Py_REFCNT(arr) == 1:
            self.spare = arr  # nothing kept the array input: the next call resets and reuses it
        p = _data(<Dual>y)
        cdef Py_ssize_t j
        if self.order == 2:
            out = _new_floats(2, n)
            o = dd__array_data(out)
            for i in range(n):
                for j in range(i, n):
                    o[i * n + j] = o[j * n + i] = p[dd_hessian_index(i, j, n)]
            return out
        out = _new_floats(1, n)
        o = dd__array_data(out)
        for i in range(n):
            o[i] = p[1 + i]
        if self.with_value:
            return (p[0], out)
        return out


cdef inline dict _kw(dict kwargs):
    return {} if kwargs is None else kwargs


# The call slots of the two types take the keywords as they come: no empty
# dict is made for a call without them (the commonest, from SciPy's solvers).
cdef object _derivative_call_slot(object self, object args, PyObject *kwargs):
    return (<_Derivative>self)._call(<tuple>args, None if kwargs == NULL or not <dict><object>kwargs else <dict><object>kwargs)

cdef object _gradient_call_slot(object self, object args, PyObject *kwargs):
    return (<_Gradient>self)._call(<tuple>args, None if kwargs == NULL or not <dict><object>kwargs else <dict><object>kwargs)

(<_PyTypeObject *>_Derivative).tp_call = <ternaryfunc><void *>_derivative_call_slot
(<_PyTypeObject *>_Gradient).tp_call = <ternaryfunc><void *>_gradient_call_slot


cdef inline tuple _args(tuple args, PyObject **argv, Py_ssize_t nargs):
    """args, or the nargs arguments at argv as a new tuple when args is None."""
    cdef PyObject *t
    cdef Py_ssize_t i
    if args is not None:
        return args
    t = PyTuple_New(nargs)
    if t == NULL:
        raise MemoryError()
    for i in range(nargs):
        Py_INCREF(<object>argv[i])
        PyTuple_SET_ITEM(t, i, argv[i])
    r = <tuple>t   # takes a second reference ...
    Py_DECREF(r)   # ... and drops the first
    return r


cdef dict _kwnames(PyObject **kwv, PyObject *kwnames):
    """The keyword arguments of a vectorcall as a dict, None for none."""
    cdef Py_ssize_t i
    cdef dict kw
    if kwnames == NULL or len(<tuple>kwnames) == 0:
        return None
    kw = {}
    for i in range(len(<tuple>kwnames)):
        kw[(<tuple>kwnames)[i]] = <object>kwv[i]
    return kw


# Vectorcall (PEP 590): a call with positional arguments reaches the fast
# paths without the argument tuple that tp_call needs.
cdef object _derivative_vectorcall(object self, PyObject **argv, size_t nargsf, PyObject *kwnames):
    cdef Py_ssize_t nargs = PyVectorcall_NARGS(nargsf)
    if kwnames == NULL and nargs >= 1 and type(<object>argv[0]) is float:
        return (<_Derivative>self)._float(argv, nargs, None, None)
    return (<_Derivative>self)._call(_args(None, argv, nargs), _kwnames(argv + nargs, kwnames))

cdef object _gradient_vectorcall(object self, PyObject **argv, size_t nargsf, PyObject *kwnames):
    cdef Py_ssize_t nargs = PyVectorcall_NARGS(nargsf)
    if kwnames == NULL:
        return (<_Gradient>self)._run(argv, nargs, None, None)
    return (<_Gradient>self)._call(_args(None, argv, nargs), _kwnames(argv + nargs, kwnames))


cdef _Derivative _probe_derivative = _Derivative.__new__(_Derivative)
cdef _Gradient _probe_gradient = _Gradient.__new__(_Gradient)
(<_PyTypeObject *>_Derivative).tp_vectorcall_offset = <char *>&_probe_derivative.vectorcall - <char *><PyObject *>_probe_derivative
(<_PyTypeObject *>_Gradient).tp_vectorcall_offset = <char *>&_probe_gradient.vectorcall - <char *><PyObject *>_probe_gradient
(<_PyTypeObject *>_Derivative).tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL
(<_PyTypeObject *>_Gradient).tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL
_probe_derivative = None
_probe_gradient = None


def _seed_scalar(double x, int order, long tag):
    """One Dual of width 1: the variable x."""
    order = _seed_order(order, tag)
    cdef Dual d = _new(1, order, tag)
    dd_set_variable(_data(d), x, 0, 1, order)
    return d


def _read_scalar(object y, int order, long tag):
    """(value, first derivative, second derivative) of a width-1 result y,
    a Dual or a plain number (a constant); None when y is neither."""
    cdef Dual d
    cdef double c
    cdef double *p
    if type(y) is Dual:
        d = <Dual>y
        if d.tag != tag and d.tag != 0:
            raise _Conflict(((d.tag, d.n, d.deg), (tag, 1, order)))
        if d.n != 1 or DD_ORDER(d.deg) != order:
            raise ValueError(f"the function returned a Dual of width {d.n} and order {DD_ORDER(d.deg)}, "
                             f"but the input was seeded with width 1 and order {DD_ORDER(order)}")
        p = _data(d)
        return (p[0], p[1], p[2] if DD_ORDER(order) == 2 else 0.0)
    if _number(y, &c):
        # a NaN constant: NaN derivatives, as every reader gives (see _read)
        return (c, 0.0, 0.0) if c == c else (c, c, c)
    return None


# -------------------------------------------------------------- the table

def _rules():
    """The C rule table: (kind, name) for every rule, in op-code order."""
    cdef int op
    out = []
    for op in range(DD_NUM_UNARY):
        out.append(("unary", dd_unary_name(op).decode()))
    for op in range(DD_NUM_BINARY):
        out.append(("binary", dd_binary_name(op).decode()))
    return out


def _rule(str kind, str name, double x, double y=0.0, int order=2):
    """Evaluate one rule of the C table: (f, f', f'') or (f, fx, fy, fxx, fxy, fyy)."""
    cdef int op
    cdef double r[6]
    if kind == "unary":
        for op in range(DD_NUM_UNARY):
            if dd_unary_name(op).decode() == name:
                dd_unary_rule_of(op)(x, order, r)
                return (r[0], r[1], r[2])
    else:
        for op in range(DD_NUM_BINARY):
            if dd_binary_name(op).decode() == name:
                dd_binary_rule_of(op)(x, y, order, r)
                return (r[0], r[1], r[2], r[3], r[4], r[5])
    raise KeyError(name)


def _digamma(double x, /):
    return dd_digamma(x)


def _trigamma(double x, /):
    return dd_trigamma(x)


# ------------------------------------------- for the dual array type

def _dual_parts(Dual d, /):
    """(data, width, order, tag) of d; data is a new float64 array of dd_size doubles."""
    cdef Py_ssize_t m = _size(d)
    out = _np.empty(m)
    cdef double[::1] o = out
    memcpy(&o[0], _data(d), m * sizeof(double))
    return out, d.n, d.deg, d.tag


def _dual_row(object buf, Py_ssize_t i, Py_ssize_t width, int order, long tag):
    """Row i (negative from the end) of a 2-d float64 buffer of dd_size doubles
    per row, as a Dual: what indexing a 1-d dual array with an int gives."""
    cdef Py_buffer view
    cdef Dual r
    cdef Py_ssize_t k, rows, m
    cdef char *p
    PyObject_GetBuffer(buf, &view, PyBUF_STRIDES | PyBUF_FORMAT)
    try:
        if view.ndim != 2 or view.itemsize != sizeof(double) or view.format == NULL \
                or view.format[0] != b'd' or view.format[1] != 0:
            raise TypeError("_dual_row needs a 2-d float64 buffer")
        rows, m = view.shape[0], view.shape[1]
        if i < 0:
            i += rows
        if i < 0 or i >= rows:
            raise IndexError(f"index {i - rows if i < 0 else i} is out of bounds for axis 0 with size {rows}")
        r = _new(width, order, tag)
        if <Py_ssize_t>_size(r) != m:
            raise ValueError(f"expected {_size(r)} doubles per row, got {m}")
        p = <char *>view.buf + i * view.strides[0]
        if view.strides[1] == sizeof(double):
            memcpy(_data(r), p, m * sizeof(double))
        else:
            for k in range(m):
                _data(r)[k] = (<double *>(p + k * view.strides[1]))[0]
        return r
    finally:
        PyBuffer_Release(&view)


def _dual_from(const double[::1] data, Py_ssize_t width, int order, long tag):
    """A Dual of the given width, order and tag holding the dd_size doubles in data."""
    cdef Dual r = _new(width, order, tag)
    cdef size_t m = _size(r)
    if <size_t>data.shape[0] != m:
        raise ValueError(f"expected {m} doubles, got {data.shape[0]}")
    memcpy(_data(r), &data[0], m * sizeof(double))
    return r


# ------------------------------------------------ from the table of rules

cdef extern from "Python.h":
    void PyType_Modified(PyTypeObject *)
    ctypedef struct _TypeDict "PyTypeObject":
        PyObject *tp_dict

# Rule name -> op code, from the C table itself.
cdef dict _UNARY_OP = {dd_unary_name(_op).decode(): _op for _op in range(DD_NUM_UNARY)}
cdef dict _BINARY_OP = {dd_binary_name(_op).decode(): _op for _op in range(DD_NUM_BINARY)}


def _unary_method(int op, str name):
    @cython.binding(True)
    def method(self):
        if type(self) is not Dual:
            raise TypeError(f"Dual.{name}() needs a Dual, not {type(self).__name__}")
        return _unary(self, op, None)
    method.__name__ = name
    method.__qualname__ = "Dual." + name
    method.__doc__ = f"{name}(): numpy's {name} of this number (for NumPy's object loops)."
    return method


def _binary_method(int op, str name):
    @cython.binding(True)
    def method(self, other, /):
        if type(self) is not Dual:
            raise TypeError(f"Dual.{name}() needs a Dual, not {type(self).__name__}")
        return _binary(self, other, op, None)
    method.__name__ = name
    method.__qualname__ = "Dual." + name
    method.__doc__ = f"{name}(other): numpy's {name} of this number and other (for NumPy's object loops)."
    return method


cdef _install_methods():
    """Put the object-loop methods into Dual's type dictionary (a static
    type's attributes cannot be set from Python)."""
    cdef dict d = <dict><object>(<_TypeDict *>Dual).tp_dict
    for name, (kind, rule) in _table.methods().items():
        d[name] = (_unary_method(_UNARY_OP[rule], name) if kind == "unary"
                   else _binary_method(_BINARY_OP[rule], name))
    PyType_Modified(<PyTypeObject *>Dual)


_install_methods()
_fill_ufuncs(_np, "numpy")
_load_special()


def _taylor_rule(str kind, str name, a, b=None, alias=None):
    """Apply one Taylor rule of the C table (dd_taylor.h) to the coefficient
    lists a (and b): the coefficients of the result, as a list of floats.
    kind is "unary" or "binary", or "mul" / "div" for dd_taylor_mul and
    dd_taylor_div, or "polygamma" for [dd_polygamma(a[0], a[1])] (name is
    ignored); raises ValueError with the C function's return code.
    alias="a" (or "b") passes a's (b's) buffer as the output, to test that
    the C functions may write over their inputs."""
    cdef int op = -1, rc
    cdef size_t k, K
    if kind == "polygamma":
        return [dd_polygamma(a[0], a[1])]
    if len(a) == 0:
        raise ValueError("no coefficients")
    K = len(a) - 1
    cdef double *buf = <double *>PyMem_Malloc(3 * (K + 1) * sizeof(double))
    cdef double *x = buf
    cdef double *y = buf + K + 1
    cdef double *out = buf + 2 * (K + 1)
    if buf == NULL:
        raise MemoryError()
    try:
        if b is not None and len(b) != len(a):
            raise ValueError("a and b differ in length")
        for k in range(K + 1):
            x[k] = a[k]
            y[k] = b[k] if b is not None else 0.0
            out[k] = 0.0
        if alias == "a":
            out = x
        elif alias == "b":
            out = y
        elif alias is not None:
            raise ValueError(alias)
        if kind == "unary":
            for op in range(DD_NUM_UNARY):
                if dd_unary_name(op).decode() == name:
                    break
            else:
                raise KeyError(name)
            rc = dd_taylor_unary(op, out, x, K)
        elif kind == "binary":
            for op in range(DD_NUM_BINARY):
                if dd_binary_name(op).decode() == name:
                    break
            else:
                raise KeyError(name)
            rc = dd_taylor_binary(op, out, x, y, K)
        elif kind == "mul":
            rc = dd_taylor_mul(out, x, y, K)
        elif kind == "div":
            rc = dd_taylor_div(out, x, y, K)
        else:
            raise KeyError(kind)
        if rc != 0:
            raise ValueError(f"dd_taylor returned {rc}")
        return [out[k] for k in range(K + 1)]
    finally:
        PyMem_Free(buf)


def _taylor_max():
    """DD_TAYLOR_MAX: the highest degree of Taylor numbers (dd_taylor.h)."""
    return DD_TAYLOR_MAX


# ------------------------------------------------ for nested transforms

def _gather_parents(list items, long ptag, Py_ssize_t p, double[:, ::1] out):
    """Row i of out: [value, first p derivatives] of items[i], a number of the
    parent call ptag (width p, first order), a Dual made by hand of width p,
    or a plain number (derivatives 0). Returns False at the first other item."""
    cdef Py_ssize_t i, j, count = len(items)
    cdef Dual d
    cdef double c
    cdef double *q
    for i in range(count):
        item = items[i]
        if type(item) is Dual:
            d = <Dual>item
            if (d.tag != ptag and d.tag != 0) or d.n != p or DD_ORDER(d.deg) != 1:
                return False
            q = _data(d)
            for j in range(p + 1):
                out[i, j] = q[j]
        elif _number(item, &c):
            out[i, 0] = c
            for j in range(1, p + 1):
                out[i, j] = 0.0
        else:
            return False
    return True


def _read_nested(list items, Py_ssize_t w, long tag, long ptag, Py_ssize_t p,
                 double[::1] value, double[:, ::1] grad, double[:, :, ::1] hess):
    """Values and derivatives of a nested call's results: second-order numbers
    of width w and this tag, numbers of the parent call (width p, first
    order: promoted, their other derivatives 0), or constants (a NaN constant
    has NaN derivatives). Raises _Conflict for anything else's numbers."""
    cdef Py_ssize_t i, j, k, count = len(items)
    cdef Dual d
    cdef double c
    cdef double *q
    for i in range(count):
        item = items[i]
        if type(item) is Dual:
            d = <Dual>item
            if d.tag == tag and d.n == w and DD_ORDER(d.deg) == 2:
                q = _data(d)
                value[i] = q[0]
                for j in range(w):
                    grad[i, j] = q[1 + j]
                    for k in range(j, w):
                        hess[i, j, k] = hess[i, k, j] = q[dd_hessian_index(j, k, w)]
                continue
            if (d.tag == ptag or d.tag == 0) and d.n == p and DD_ORDER(d.deg) == 1:
                q = _data(d)
                value[i] = q[0]
                for j in range(w):
                    grad[i, j] = q[1 + j] if j < p else 0.0
                    for k in range(w):
                        hess[i, j, k] = 0.0
                continue
            raise _Conflict(((d.tag, d.n, d.deg), (tag, w, 2)))
        elif _number(item, &c):
            value[i] = c
            c = 0.0 if c == c else c
            for j in range(w):
                grad[i, j] = c
                for k in range(w):
                    hess[i, j, k] = c
        else:
            raise TypeError(f"the function returned {type(item).__name__}, not a number or Dual")


# ------------------------------------------------ Taylor numbers

@cython.final
cdef class _Taylor:
    """The callable taylor(f, order) returns (see dualdiff/_taylor.py).

    The common case (a float x, f returning a Dual or a float) runs here;
    every other case goes to ``general(x, v, args, kwargs)``."""
    cdef readonly object __wrapped__
    cdef object general
    cdef Py_ssize_t K
    cdef public object __name__
    cdef public object __doc__

    def __init__(self, f, general, Py_ssize_t K, name, doc):
        self.__wrapped__ = f
        self.general = general
        self.K = K
        self.__name__ = name
        self.__doc__ = doc

    def __call__(self, x, v=None, *args, **kwargs):
        global _tag_counter
        cdef Dual d, r
        cdef double *p
        cdef double vv
        cdef Py_ssize_t k
        if type(x) is not float or not (v is None or type(v) is float):
            return self.general(x, v, args, kwargs)
        vv = 1.0 if v is None else PyFloat_AS_DOUBLE(v)
        _tag_counter += 1
        d = _new(self.K, DD_TAYLOR, _tag_counter)
        p = _data(d)
        for k in range(self.K + 1):
            p[k] = 0.0
        p[0] = PyFloat_AS_DOUBLE(x)
        if self.K > 0:
            p[1] = vv
        _enter(d.tag)
        try:
            y = self.__wrapped__(d, *args, **kwargs) if (args or kwargs) else self.__wrapped__(d)
        except _Conflict:
            return self.general(x, v, args, kwargs)  # raises NestingError there
        except TypeError as e:
            if "complex" not in str(e):
                raise
            return self.general(x, v, args, kwargs)  # runs again on complex numbers
        finally:
            _leave(d.tag)
        out = _np.empty(self.K + 1)
        cdef double[::1] o = out
        if type(y) is Dual and (<Dual>y).tag == d.tag and (<Dual>y).n == self.K \
                and DD_ORDER((<Dual>y).deg) == DD_TAYLOR:
            memcpy(&o[0], _data(<Dual>y), (self.K + 1) * sizeof(double))
            return out
        if type(y) is float:
            o[0] = PyFloat_AS_DOUBLE(y)
            for k in range(1, self.K + 1):
                o[k] = 0.0 if o[0] == o[0] else o[0]  # a NaN constant: NaN coefficients
            return out
        return self.general(x, v, args, kwargs)


def _dual_spec(Dual d, /):
    """(tag, width, order code) of d, without copying its numbers."""
    return (d.tag, d.n, d.deg)
