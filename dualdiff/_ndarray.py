"""The dual array type: NumPy arrays of dual numbers computed in C.

Storage: one C-contiguous float64 buffer ``buf`` of shape ``shape + (m,)``
with ``m = dd_size(width, order)``; ``buf[i]`` is one number in the frozen
layout of dualdiff.h (value, tangents, packed Hessian). The array object
itself is an ``ndarray`` subclass of the same shape whose every element is one
placeholder object (``_array.stripped_view``, ``_STRIPPED``): ``np.asarray``
and ``np.array``, which no subclass can intercept, give an object array of
placeholders, and the first use of one (arithmetic, a comparison, a conversion
to float, writing into a float array) raises an error naming the cause, never
computing with values that lost their derivatives. Being a subclass lets code
that calls ``np.asanyarray`` (SciPy's ``rosen`` does) pass it through;
everything NumPy computes on it is routed through ``__array_ufunc__`` and
``__array_function__`` to the rules here, and every function without a rule
raises ``TypeError``.

Elementwise functions run the C loops of ``dualdiff._array``; linear
operations (sums, shape changes, indexing) act on ``buf`` directly; products
and linear algebra go through NumPy on the value and derivative components.
"""
import importlib.util
import math
import numbers
import sys
import warnings
from collections.abc import Callable
from typing import Any, final

import numpy as np
import numpy.typing as npt

from dualdiff import _array as _k
from dualdiff import _rules as _table
from dualdiff._dual import (Dual, _Conflict, _dual_from, _dual_parts, _dual_row, _pack_duals, _parent_of,
                            _rules, _set_array_hook, _set_seeded_hook, _ufunc_name)

__all__ = ["DualArray", "array"]

_UNARY_OPS = {name: i for i, (kind, name) in enumerate(r for r in _rules() if r[0] == "unary")}
_BINARY_OPS = {name: i for i, (kind, name) in enumerate(r for r in _rules() if r[0] == "binary")}  # from C


_IEEE = 4  # DD_IEEE of dualdiff.h
_TAYLOR = 3  # DD_TAYLOR: the "order" of Taylor numbers (n + 1 coefficients)
_F64 = np.dtype(np.float64)
_NDARRAY_DTYPE = np.ndarray.dtype.__get__  # the dtype of the ndarray itself (DualArray.dtype says float64)


def _size(n, order):
    return 1 + n + n * (n + 1) // 2 if order == 2 else 1 + n


class _Spec:
    """Width, order and tag shared by the dual operands of one operation.

    ``order`` is 0, 1 or 2; ``code`` is what the C kernels take: the order,
    with DD_IEEE for numbers of a call made with nan_safe=False (whose tags
    are negative; ``order`` given here may carry the flag already)."""

    __slots__ = ("n", "order", "code", "tag", "m")

    def __init__(self, n, order, tag):
        self.n, self.order, self.tag = n, order & 3, tag
        self.code = self.order | _IEEE if tag < 0 else self.order
        self.m = _size(n, self.order)


def _combine(specs):
    first = specs[0]
    if all(s is first or (s.n == first.n and s.code == first.code and s.tag == first.tag)
           for s in specs):
        return first  # specs are never mutated, so they can be shared
    out = None
    for s in specs:
        if out is None:
            out = _Spec(s.n, s.order, s.tag)
            continue
        if s.tag != out.tag and s.tag != 0 and out.tag != 0:
            if _nested_in(s, out):
                out = s  # numbers of the parent call are promoted (see _lift)
            elif not _nested_in(out, s):
                raise _Conflict(((out.tag, out.n, out.code), (s.tag, s.n, s.code)))
            continue
        if s.n != out.n:
            raise ValueError(f"cannot combine dual numbers of different widths ({out.n} and {s.n})")
        if s.order != out.order:
            raise ValueError("cannot combine first-order and second-order dual numbers")
        if s.tag != out.tag and s.tag != 0:
            out = _Spec(out.n, out.order, s.tag)
    if any(s.code != out.code for s in specs if s.tag == out.tag or s.tag == 0):
        raise ValueError("cannot combine a NaN-safe dual number with one seeded with nan_safe=False")
    return out


def _nested_in(child, parent):
    """True when child's numbers come from a call nested in parent's (first order)."""
    link = _parent_of(child.tag)
    return link is not None and link == (parent.tag, parent.n) and parent.order == 1


def _lift(o, spec):
    """Operand o ((buf, spec) or constants) as numbers of spec: a parent call's
    numbers are promoted to the nested call's (same value and first
    derivatives, the rest 0)."""
    if isinstance(o, tuple) and o[1].tag != spec.tag and o[1].tag != 0:
        buf, s = o
        if not _nested_in(spec, s):
            raise _Conflict(((s.tag, s.n, s.code), (spec.tag, spec.n, spec.code)))
        out = np.zeros(buf.shape[:-1] + (spec.m,))
        out[..., :s.n + 1] = buf[..., :s.n + 1]
        return (out, spec)
    return o


STRIPPED_MESSAGE = (
    "the values of a dual array were used without their derivatives: np.asarray or "
    "np.array of a dual array (also inside a library routine that converts its input), "
    "or writing a dual array into a float array, keeps only placeholders. Apply NumPy "
    "functions to the dual array itself, build arrays with dualdiff.numpy.array, or use "
    ".value where the values alone are wanted (dualdiff.stats, dualdiff.special, "
    "dualdiff.linalg, dualdiff.integrate and dualdiff.signal take dual arrays where "
    "scipy.stats, scipy.special's logsumexp, softmax and log_softmax, scipy.linalg, "
    "scipy.integrate and scipy.signal's convolutions convert them)")


def _refuse(*args, **kwargs):
    raise TypeError(STRIPPED_MESSAGE)


class _Stripped:
    """The placeholder every element of the ndarray underneath a DualArray
    holds: each operation on it raises TypeError(STRIPPED_MESSAGE).

    One exception: ``np.asanyarray(d, dtype=np.float64)`` (SciPy's array-API
    functions call it) makes a new DualArray whose ndarray is float64 and
    casts the placeholders into it. DualArray.__array_finalize__ gives the new
    array d's numbers and allows exactly that many conversions to float, from
    the same bytecode instruction of the same frame (the one calling NumPy):
    they give NaN, which the new array never reads."""

    __slots__ = ()

    def __repr__(self):
        return "<value without derivatives>"

    def __float__(self):
        allowed = _casts
        if allowed[0] > 0:
            frame = sys._getframe(1)
            if allowed[1] is frame and allowed[2] == frame.f_lasti:
                allowed[0] -= 1
                return math.nan
        raise TypeError(STRIPPED_MESSAGE)

    def __getattr__(self, name):  # np.exp(obj_array) calls obj.exp(), and so on
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _refuse

    __hash__ = None  # type: ignore[assignment]  # placeholders are unhashable

    # every other use raises
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _refuse
    __divmod__ = __rdivmod__ = __pow__ = __rpow__ = __matmul__ = __rmatmul__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _refuse  # type: ignore[assignment]
    __neg__ = __pos__ = __abs__ = __bool__ = __int__ = __index__ = __complex__ = _refuse
    __round__ = __trunc__ = __floor__ = __ceil__ = __invert__ = _refuse
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = _refuse
    __lshift__ = __rlshift__ = __rshift__ = __rrshift__ = __iter__ = __len__ = _refuse


_STRIPPED = _Stripped()
# [count, frame, instruction]: the float conversions allowed to _Stripped.__float__
# (see there). The frame and instruction tie them to one NumPy call, so no other
# call (nor another thread, whose frames differ) can use them.
_casts: list[Any] = [0, None, -1]


class DualArray(np.ndarray):
    """DualArray: an array of dual numbers (values with derivatives), made by
    :func:`dualdiff.numpy.array` or by the transforms.

    NumPy functions and ufuncs applied to it return DualArrays with exact
    derivatives; indexing one element gives a :class:`dualdiff.Dual`.
    ``.value`` is the float64 array of values, ``.tangent`` the derivatives
    with a last axis of length ``width`` and ``.hessian`` (second order) the
    second derivatives with two last axes of length ``width``.
    ``np.asarray(d)`` and ``np.array(d)`` (which NumPy lets no subclass
    intercept) give placeholders whose first use raises ``TypeError``;
    ``.value`` gives the values.
    """

    __array_priority__ = 20.0

    def __array_finalize__(self, obj):
        # Views made by NumPy itself (not through this module) do not know the
        # derivative buffer: they are marked detached and refuse to compute.
        self._buf = None
        self._spec = None
        # np.asanyarray(d, dtype=np.float64) and np.array(d, dtype=np.float64,
        # subok=True) cast d into a new float64 DualArray: it views d's numbers
        # (as np.asanyarray of a float64 array would give the array itself), and
        # the cast that follows may convert the placeholders.
        if isinstance(obj, DualArray) and obj._buf is not None and self.shape == obj.shape \
                and _NDARRAY_DTYPE(self) == _F64:
            self._buf = obj._buf
            self._spec = obj._spec
            if self.size:
                frame = sys._getframe(1)
                _casts[:] = [self.size, frame, frame.f_lasti]

    # ------------------------------------------------------------ access

    @property
    def value(self) -> npt.NDArray[np.float64]:
        """The values: a float64 ndarray (a copy)."""
        return np.array(_live(self)[..., 0])

    @property
    def tangent(self) -> npt.NDArray[np.float64]:
        """The first derivatives: float64 array of shape ``shape + (width,)`` (a copy)."""
        return np.array(_live(self)[..., 1:1 + self._spec.n])

    @property
    def hessian(self) -> npt.NDArray[np.float64] | None:
        """The second derivatives, shape ``shape + (width, width)``; None for first order."""
        buf = _live(self)
        s = self._spec
        if s.order != 2:
            return None
        iu, ju = np.triu_indices(s.n)
        out = np.empty(self.shape + (s.n, s.n))
        packed = buf[..., 1 + s.n:]
        out[..., iu, ju] = packed
        out[..., ju, iu] = packed
        return out

    @property
    def dtype(self) -> np.dtype[np.float64]:
        """float64: the dtype of the values (the ndarray underneath holds placeholders)."""
        return _F64

    @property
    def width(self) -> int:
        """The number of directions."""
        _live(self)
        return self._spec.n

    @property
    def order(self) -> int:
        """1 for values and tangents, 2 when the numbers also carry Hessians."""
        _live(self)
        return self._spec.order

    @property
    def nan_safe(self) -> bool:
        """True unless the numbers were seeded with ``nan_safe=False`` (see Dual.nan_safe)."""
        _live(self)
        return self._spec.code == self._spec.order

    def __repr__(self):
        if self._buf is None:
            return "DualArray(<detached view, derivatives lost>)"
        return (f"DualArray(value={np.array2string(np.asarray(self._buf[..., 0]), separator=', ')}, "
                f"width={self._spec.n}, order={self._spec.order})")

    __str__ = __repr__

    def __reduce__(self):
        return (_rebuild, (np.array(_live(self)), self._spec.n, self._spec.order))

    # ----------------------------------------------------- refuse to lose the tangent

    def __float__(self):
        raise TypeError("float() of a DualArray would drop its derivatives; use .value")

    def __int__(self):
        raise TypeError("int() of a DualArray would drop its derivatives; use .value")

    def __complex__(self):
        raise TypeError("complex() of a DualArray would drop its derivatives; use .value")

    def __index__(self):
        raise TypeError("a DualArray cannot be used as an index")

    def tobytes(self, order="C"):
        raise TypeError("tobytes() of a DualArray would drop its derivatives; use .value")

    def tofile(self, *args, **kwargs):
        raise TypeError("tofile() of a DualArray would drop its derivatives; use .value")

    def tolist(self):
        """tolist(): nested lists of Duals."""
        if self.ndim == 0:
            return self[()]
        return [x.tolist() if isinstance(x, DualArray) else x for x in self]

    def item(self, *args):
        """item(*args): one element as a Dual."""
        if not args:
            if self.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            return _to_dual(self.reshape(-1)._buf[0], self._spec)
        if len(args) == 1 and isinstance(args[0], numbers.Integral):
            return _to_dual(self.reshape(-1)._buf[args[0]], self._spec)
        return self[tuple(args)]

    def astype(self, dtype, *args, **kwargs):
        """astype(dtype): float64 (a copy) only; other dtypes would drop derivatives."""
        if np.dtype(dtype) != np.float64:
            raise TypeError(f"cannot convert a DualArray to {np.dtype(dtype)}: derivatives would be lost")
        return self.copy() if kwargs.get("copy", True) else self

    def copy(self, order="C"):
        """copy(): a new DualArray with the same values and derivatives."""
        return _wrap(np.array(_live(self)), self._spec)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def view(self, *args, **kwargs):
        if not args and not kwargs:
            return _wrap(_live(self), self._spec)
        raise TypeError("DualArray.view with a dtype or type would drop derivatives; use .value")

    def fill(self, value):
        """fill(value): set every element to value (a number or Dual)."""
        self[...] = value

    # ------------------------------------------------------- indexing

    def __getitem__(self, key):
        if type(key) is int:  # x[i] of a 1-d array, the common case in loops: a Dual
            buf = self._buf
            if buf is not None and buf.ndim == 2:
                s = self._spec
                try:
                    return _dual_row(buf, key, s.n, s.code, s.tag)
                except OverflowError:  # no index at all: NumPy's IndexError, below
                    pass
        buf = _live(self)
        k = _buf_key(key, self.ndim)
        out = buf[k]
        if out.ndim == 1 and _full_int(key, self.ndim):
            return _to_dual(out, self._spec)
        return _wrap(out, self._spec)

    def __setitem__(self, key, val):
        buf = _live(self)
        k = _buf_key(key, self.ndim)
        src = _operand(val)
        if src is None:
            raise TypeError(f"cannot assign {type(val).__name__} to a DualArray")
        if isinstance(src, np.ndarray):  # constants
            spec = self._spec
            target = buf[k]
            target[..., 1:] = 0.0
            target[..., 0] = src
            if not np.shares_memory(target, buf):
                buf[k] = target
            return
        spec = _combine([self._spec, src[1]])
        if spec.m != self._spec.m:
            raise ValueError("cannot write numbers of a derivative call nested in another into "
                             "an array of the outer call")
        if spec.tag != self._spec.tag:
            self._spec = _Spec(spec.n, spec.order, spec.tag)
        buf[k] = _lift(src, spec)[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        if _REDUCERS:
            r = _reduce_elements(self, iter, (self,), {})
            if r is not NotImplemented:
                return r
        return (self[i] for i in range(self.shape[0]))

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __bool__(self):
        return bool(_live(self)[..., 0])

    def __hash__(self):
        raise TypeError("unhashable type: 'DualArray'")

    # ------------------------------------------- methods with a NumPy twin

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        return np.reshape(self, shape, order=order)

    def ravel(self, order="C"):
        return np.ravel(self, order=order)

    def flatten(self, order="C"):
        return np.ravel(self, order=order).copy()

    def transpose(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], numbers.Integral):
            axes = axes[0]
        return np.transpose(self, axes or None)

    @property
    def T(self):
        return np.transpose(self)

    @property
    def mT(self):
        return np.swapaxes(self, -1, -2)

    @property  # type: ignore[misc]  # read-only: a DualArray has no imaginary part to set
    def real(self):
        return self

    def conj(self):
        return self.copy()

    conjugate = conj

    def swapaxes(self, a1, a2):
        return np.swapaxes(self, a1, a2)

    def squeeze(self, axis=None):
        return np.squeeze(self, axis)

    def sum(self, *a, **k):
        return np.sum(self, *a, **k)

    def prod(self, *a, **k):
        return np.prod(self, *a, **k)

    def mean(self, *a, **k):
        return np.mean(self, *a, **k)

    def var(self, *a, **k):
        return np.var(self, *a, **k)

    def std(self, *a, **k):
        return np.std(self, *a, **k)

    def max(self, *a, **k):
        return np.max(self, *a, **k)

    def min(self, *a, **k):
        return np.min(self, *a, **k)

    def cumsum(self, *a, **k):
        return np.cumsum(self, *a, **k)

    def cumprod(self, *a, **k):
        return np.cumprod(self, *a, **k)

    def dot(self, b):
        return np.dot(self, b)

    def clip(self, a_min=None, a_max=None, **k):
        return np.clip(self, a_min, a_max, **k)

    def take(self, *a, **k):
        return np.take(self, *a, **k)

    def repeat(self, *a, **k):
        return np.repeat(self, *a, **k)

    def diagonal(self, *a, **k):
        return np.diagonal(self, *a, **k)

    def trace(self, *a, **k):
        return np.trace(self, *a, **k)

    def round(self, *a, **k):
        return np.round(self, *a, **k)

    def sort(self, axis=-1, kind=None, order=None):
        self[...] = np.sort(self, axis=axis)

    def argsort(self, *a, **k):
        return np.argsort(self, *a, **k)

    def argmax(self, *a, **k):
        return np.argmax(self, *a, **k)

    def argmin(self, *a, **k):
        return np.argmin(self, *a, **k)

    def nonzero(self):
        return np.nonzero(self)

    def all(self, *a, **k):
        return np.all(self, *a, **k)

    def any(self, *a, **k):
        return np.any(self, *a, **k)

    # ------------------------------------------------------- dispatch

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        handler = _FUNCTIONS.get(func)
        if handler is None:
            refuse = _COMPLEX_FFT.get(func)
            if refuse is not None:
                return refuse(*args, **kwargs)
            raise TypeError(f"{_fname(func)} is not supported for dualdiff arrays "
                            "(it would drop the derivatives)")
        if _REDUCERS:
            r = _reduce_elements(self, func, args, kwargs)
            if r is not NotImplemented:
                return r
        return handler(*args, **kwargs)


# Sparse Hessians keep apart the elements of the sums that end f: while one
# evaluates f, _REDUCERS maps its tag (dual arrays) or its Store (pattern
# arrays) to the object that turns sums, dot products with constant vectors
# and iteration of its arrays into sums of elements (see _sparse_hessian.py).
_REDUCERS: dict[Any, Any] = {}
_ELEMENT_FUNCS = frozenset((np.sum, np.mean, np.dot, np.vdot, np.inner, np.matmul, iter))


def _reducer_key(a):
    if isinstance(a, DualArray):
        s = a._spec
        return None if s is None else s.tag
    return getattr(a, "_store", None) if isinstance(a, _PATTERN_TYPES) else None


def _reduce_elements(self, func, args, kwargs):
    """The sum of elements for func(*args, **kwargs) when it ends f in a
    sparse Hessian's evaluation, else NotImplemented."""
    if func not in _ELEMENT_FUNCS:
        return NotImplemented
    for a in args[:2]:
        key = _reducer_key(a)
        if key is not None:
            r = _REDUCERS.get(key)
            if r is not None:
                return r.reduce(func, args, kwargs)
    return NotImplemented


class _SeededVector(_k._SeededBase, DualArray):
    """What grad(f) and hessian(f) hand f for a 1-d float64 array x: a
    DualArray whose x[i], len(x), iteration and unpacking cost what they cost
    on a list of Duals, until its buffer is first used (see
    _array._SeededBase)."""


def _rebuild(buf, n, order):
    return _wrap(buf, _Spec(n, order, 0))


def _fname(func):
    mod = getattr(func, "__module__", "numpy") or "numpy"
    mod = mod.replace("numpy._core.multiarray", "numpy").replace("numpy._core.fromnumeric", "numpy")
    if mod.startswith("numpy._core") or mod.startswith("numpy.lib"):
        mod = "numpy"
    return f"{mod}.{getattr(func, '__name__', repr(func))}"


# ------------------------------------------------------------ construction


def _wrap(buf, spec):
    """The DualArray viewing buf (shape + (m,)); buf is not copied."""
    v = _k.stripped_view(DualArray, buf.shape[:-1], _STRIPPED)
    v._buf = buf
    v._spec = spec
    return v


def _live(x):
    buf = x._buf
    if buf is None:
        raise TypeError("this DualArray view was made by an ndarray method dualdiff does not "
                        "support, so its derivatives are lost; use numpy functions instead")
    return buf


def _to_dual(data, spec):
    return _dual_from(np.ascontiguousarray(data, dtype=np.float64), spec.n, spec.code, spec.tag)


def _constant(values, spec):
    """A DualArray of constants (derivatives 0) with the given float values."""
    values = np.asarray(values, dtype=np.float64)
    buf = np.zeros(values.shape + (spec.m,))
    buf[..., 0] = values
    return _wrap(buf, spec)


def _full_int(key, ndim):
    if not isinstance(key, tuple):
        key = (key,)
    return len(key) == ndim and all(
        isinstance(k, (numbers.Integral, np.integer)) and not isinstance(k, (bool, np.bool_)) for k in key)


def _buf_key(key, ndim):
    """The index of buf for an index of the values: the last axis is always kept whole."""
    if isinstance(key, DualArray):
        raise IndexError("a DualArray cannot be used as an index")
    if not isinstance(key, tuple):
        key = (key,)
    if any(k is Ellipsis for k in key):
        return key + (slice(None),)
    return key + (Ellipsis, slice(None))


def _operand(x):
    """(buf, spec) for a dual operand, a float64 ndarray for a constant, None if neither."""
    if type(x) is DualArray:
        buf = x._buf
        if buf is not None:
            return (buf, x._spec)
    if isinstance(x, DualArray):
        return (_live(x), x._spec)
    if type(x) is Dual:
        data, n, order, tag = _dual_parts(x)
        return (data, _Spec(n, order, tag))
    if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.dtype == object):
        a = array(x)
        if isinstance(a, DualArray):
            return (a._buf, a._spec)
        return a
    if type(x) is float:
        return np.array(x)
    if isinstance(x, (numbers.Real, np.ndarray, np.generic)):
        a = np.asarray(x)
        if a.dtype.kind not in "biuf":
            return None
        return a.astype(np.float64, copy=False)
    return None


def _unsupported(x):
    """The error for an operand a dual array cannot take (complex ones say so: the
    transforms then run f on complex dual numbers)."""
    name = type(x).__name__
    if isinstance(x, np.ndarray) and x.dtype.kind == "c":
        name = f"complex array ({x.dtype})"
    return TypeError(f"unsupported operand type for dualdiff arrays: {name}")


class _ObjectLoop(TypeError):
    """An operand is an object array of numbers of a transform nested deeper
    (OBJECT_LOOP_TYPES), whose elements know how to meet a Dual: ufuncs run
    NumPy's object loop (_object_call); elsewhere this is the error."""

    def __init__(self):
        super().__init__("a dual array met the numbers of a transform nested at a total order "
                         "of three or more in a function that does not take them; the "
                         "operators, dualdiff.math, and NumPy ufuncs and reductions do")


def _object_call(ufunc, inputs):
    """ufunc by NumPy's object loop: dual arrays become object arrays of their
    Duals, which the deeper numbers take as constants of their own kind."""
    boxed = []
    for x in inputs:
        if isinstance(x, DualArray) or type(x) is Dual:
            b = np.empty(np.shape(x), dtype=object)
            for i, d in enumerate(_elements(x)):
                b.flat[i] = d
            x = b
        boxed.append(x)
    out = ufunc(*boxed)
    if isinstance(out, np.ndarray) and out.dtype == object and OBJECT_ARRAY is not None:
        return OBJECT_ARRAY(out)
    return out


def _elements(x):
    return [x] if type(x) is Dual else list(x.reshape(-1))


def _dual_operands(args):
    """Convert args; returns (list of (buf, spec) or float arrays, combined spec or None)."""
    ops = []
    specs = []
    for x in args:
        o = _operand(x)
        if o is None:
            raise _unsupported(x)
        if type(o) is not tuple and o.dtype == object:
            raise _ObjectLoop()  # numbers of a transform nested deeper
        ops.append(o)
        if isinstance(o, tuple):
            specs.append(o[1])
    if not specs:
        return ops, None
    spec = _combine(specs)
    if any(s.tag != spec.tag and s.tag != 0 for s in specs):
        ops = [_lift(o, spec) for o in ops]
    return ops, spec


def scipy_argument(x, module):
    """x as a dual array (or a pattern array of sparsity detection) if it holds
    derivatives, else None: plain arguments go to SciPy untouched. For the
    SciPy-backed modules (module names them in the error for complex duals)."""
    if type(x) is np.ndarray and x.dtype != object:
        return None
    if isinstance(x, DualArray) or isinstance(x, _PATTERN_TYPES):
        return x
    if holds_deeper(x):
        raise TypeError(f"{module} does not take the numbers of a transform nested at a total "
                        "order of three or more (inside hessian, hvp, taylor or a nested "
                        "transform): they take the operators, dualdiff.math, and NumPy ufuncs "
                        "and reductions")
    if type(x) is Dual:
        return array(x)
    if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.dtype == object):
        try:
            d = array(x)
        except TypeError:  # complex or other numbers: SciPy's to take or refuse
            return None
        return d if isinstance(d, (DualArray,) + _PATTERN_TYPES) else None
    from dualdiff._complex import ComplexDual
    if isinstance(x, ComplexDual):
        raise TypeError(f"{module} takes real dual numbers; complex ones are not supported")
    return None


def _as_buf(o, spec):
    """Buffer (shape + (m,)) of an operand: constants get zero derivatives."""
    if isinstance(o, tuple):
        return _lift(o, spec)[0]
    buf = np.zeros(o.shape + (spec.m,))
    buf[..., 0] = o
    return buf


def _as_dual(x, spec=None):
    """x as a DualArray (constants get zero derivatives)."""
    if isinstance(x, DualArray):
        return x
    o = _operand(x)
    if o is None:
        raise _unsupported(x)
    if isinstance(o, tuple):
        return _wrap(o[0], o[1])
    if spec is None:
        raise TypeError("no dual operand")
    return _constant(o, spec)


# The array types of sparsity detection and their constructor (set by dualdiff/_pattern.py):
# dualdiff.numpy.array of dependency patterns makes a pattern array.
_PATTERN_TYPES: tuple[type, ...] = ()
_pattern_array: Any = None


def array(obj: object, copy: bool = True) -> npt.NDArray[np.float64]:
    """array(obj): a DualArray from Duals, DualArrays and numbers, nested in lists
    or tuples (or an object array of Duals). Without any dual element, a float64
    ndarray. This is the dual-aware twin of ``np.array([d1, d2])``."""
    if isinstance(obj, DualArray):
        return obj.copy() if copy else obj
    if type(obj) is Dual:
        data, n, order, tag = _dual_parts(obj)
        return _wrap(data, _Spec(n, order, tag))
    if isinstance(obj, _PATTERN_TYPES):
        return _pattern_array(obj, copy)
    if isinstance(obj, np.ndarray) and obj.dtype == object:
        if obj.size == 0:  # tolist() would drop the axes after a zero-length one
            return np.zeros(obj.shape)
        if obj.ndim == 0:  # tolist() gives the element itself
            return array(obj[()], copy)
        obj = obj.tolist()
    if isinstance(obj, (list, tuple)):
        specs: list[_Spec] = []
        if _collect(obj, specs):  # dependency patterns (sparsity detection)
            return _pattern_array(obj, copy)
        if not specs:
            # np.array(obj, dtype=float) would read None as NaN and '1.5' as 1.5
            try:
                a = np.array(obj)
            except TypeError:  # complex dual numbers refuse it: they stack themselves
                from dualdiff._complex import ComplexDual, array as complex_array
                if _holds(obj, ComplexDual):
                    return complex_array(obj)
                raise
            if a.dtype.kind not in "biuf":
                if any(isinstance(e, _Stripped) for e in a.flat):  # np.asarray of a dual array
                    raise TypeError(STRIPPED_MESSAGE)
                if OBJECT_ARRAY is not None and any(type(e) in OBJECT_LOOP_TYPES for e in a.flat):
                    return OBJECT_ARRAY(a)  # numbers of a transform nested deeper
                raise TypeError(f"cannot make a dual array from a sequence of {a.dtype} "
                                f"({type(a.flat[0]).__name__ if a.size else 'nothing'})")
            return a.astype(np.float64)
        spec = _combine(specs)
        return _build(obj, spec)
    a = np.asarray(obj)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"cannot make a dual array from {type(obj).__name__}")
    return np.array(a, dtype=np.float64)


def _holds(obj, kind):
    """Whether a nesting of lists and tuples holds an instance of kind."""
    if isinstance(obj, (list, tuple)):
        return any(_holds(x, kind) for x in obj)
    return isinstance(obj, kind)


def _collect(obj, specs):
    """Append the specs of the dual numbers in obj; True if it holds dependency patterns."""
    if isinstance(obj, DualArray):
        specs.append(obj._spec)
    elif type(obj) is Dual:
        specs.append(_Spec(*_dual_parts(obj)[1:]))
    elif isinstance(obj, _PATTERN_TYPES):
        return True
    elif isinstance(obj, (list, tuple)):
        found = False
        for x in obj:
            found = _collect(x, specs) or found
        return found
    elif isinstance(obj, np.ndarray) and obj.dtype == object:
        return _collect(obj.tolist(), specs)
    return False


def _build(obj, spec):
    return _wrap(np.ascontiguousarray(_build_inner(obj, spec)), spec)


def _build_inner(obj, spec):
    if isinstance(obj, (list, tuple)):
        parts = [_build_inner(x, spec) for x in obj]
        if not parts:
            return np.zeros((0, spec.m))
        shapes = {p.shape for p in parts}
        if len(shapes) > 1:
            raise ValueError("setting an array element with a sequence: the nested sequences "
                             "have inhomogeneous shapes")
        return np.stack(parts)
    o = _operand(obj)
    if o is None:
        raise TypeError(f"cannot make a dual array from {type(obj).__name__}")
    return _as_buf(o, spec)


# ------------------------------------------------------------ seeding (transforms)


def _seed_array(x, start, width, order, tag, index=None):
    """_seed_array(x, start, width, order, tag, index=None) -> DualArray of x's shape.

    x is converted to float64. Element ``start + k`` of the flattened array
    varies along direction k (0 <= k < width); every other element is a
    constant. With ``index`` (a sequence of ``width`` distinct flat indices),
    element ``index[k]`` varies along direction k instead and ``start`` is
    ignored: e.g. two blocks at once for an off-diagonal block of a Hessian.
    ``tag`` marks the numbers as seeded by one transform call."""
    x = np.asarray(x, dtype=np.float64)
    spec = _Spec(int(width), int(order), int(tag))
    buf = np.empty(x.shape + (spec.m,))
    flat = buf.reshape(-1)
    if index is None:
        _k.seed(flat, np.ascontiguousarray(x).reshape(-1), start, spec.n, spec.code)
    else:
        index = np.asarray(index, dtype=np.intp).reshape(-1)
        if index.size != spec.n:
            raise ValueError(f"index must hold width={spec.n} flat indices, not {index.size}")
        if np.unique(index).size != index.size:
            raise ValueError("index must not repeat an element")
        _k.seed(flat, np.ascontiguousarray(x).reshape(-1), -1 - spec.n, spec.n, spec.code)
        rows = buf.reshape(-1, spec.m)
        rows[index, 1 + np.arange(spec.n)] = 1.0
    return _wrap(buf, spec)


def _read_array(y, width, order, tag, value, tangent, hessian, col):
    """_read_array(y, width, order, tag, value, tangent, hessian, col)

    Write the values and derivatives of y (a DualArray, Dual, number, float
    array, or a sequence of those) flattened in C order into value[i],
    tangent[i, col:col+width] and, for order 2, hessian[i, col:col+width,
    col:col+width]. Constants get zero derivatives. Raises ValueError for
    numbers seeded by another call (nested differentiation) or of another
    width or order, TypeError for anything that is not a number."""
    flat, dual = _result_buffer(y, width, order, tag)
    if dual:
        value[:] = flat[:, 0]
        tangent[:, col:col + width] = flat[:, 1:1 + width]
        if order == 2:
            _k.unpack_hessian(hessian, flat.reshape(-1), width, col)
    else:
        value[:] = flat
        tangent[:, col:col + width] = 0.0
        if order == 2:
            hessian[:, col:col + width, col:col + width] = 0.0


def _result_buffer(y, width, order, tag):
    """_result_buffer(y, width, order, tag) -> (flat, dual)

    y's numbers in C order without copying what need not be: a C-contiguous
    (count, dd_size(width, order)) buffer and True when y holds dual numbers,
    else its values as a flat float array and False. Checks y as _read_array."""
    o = _operand(y)
    if o is None:
        raise TypeError(f"the function returned {type(y).__name__}, not a number or an array")
    if isinstance(o, tuple):
        buf, s = o
        if s.tag != tag and s.tag != 0:
            raise _Conflict(((s.tag, s.n, s.code), (tag, width, order)))
        if s.n != width or s.order != order:
            raise ValueError(f"the function returned numbers of width {s.n} and order {s.order}, "
                             f"but the input was seeded with width {width} and order {order}")
        return np.ascontiguousarray(buf).reshape(-1, s.m), True
    return o.reshape(-1), False


# ------------------------------------------------------------- warnings

_DIVIDE_OPS = {"log", "log2", "log10", "log1p", "reciprocal", "atanh", "divide", "true_divide",
               "floor_divide", "power", "float_power", "arctanh"}


# an infinite result from finite operands is a division by zero at some
# operands and an overflow at others: 0 ** -1 and 1e200 ** 2, 1 / 0 and
# 1e300 / 1e-300, reciprocal of 0 and of 5e-324
_DIVIDE_OR_OVERFLOW = {"reciprocal", "divide", "true_divide", "floor_divide", "power",
                       "float_power"}


def _report(events, name, values=None):
    """Warn (or raise, per np.geterr()) for the events of an elementwise loop
    on the values, as NumPy's ufunc name does; values, the operands' values,
    tell a division by zero from an overflow where the name does not."""
    if not events:
        return
    err = np.geterr()
    if events & 1:
        _raise_fp("invalid", f"invalid value encountered in {name}", err)
    if events & 2:
        kinds = 0
        if name in _DIVIDE_OR_OVERFLOW and values is not None:
            kinds = _divide_or_overflow(name, values)
        if not kinds:
            kinds = 1 if name in _DIVIDE_OPS else 2
        if kinds & 1:
            _raise_fp("divide", f"divide by zero encountered in {name}", err)
        if kinds & 2:
            _raise_fp("over", f"overflow encountered in {name}", err)


def _divide_or_overflow(name, values):
    """NumPy's own events for ufunc name on values: bit 1 division by zero,
    bit 2 overflow (run only when the loop saw an infinity from finite
    operands)."""
    seen = []
    try:
        with np.errstate(divide="call", over="call", invalid="ignore", under="ignore",
                         call=lambda kind, flag: seen.append(flag)):
            getattr(np, name)(*values)
    except (TypeError, ValueError):  # operands NumPy's loop refuses: decided by the name
        return 0
    flags = 0
    for f in seen:
        flags |= f
    return flags & 3


def _raise_fp(kind, msg, err):
    mode = err[kind]
    if mode == "ignore":
        return
    if mode == "raise":
        raise FloatingPointError(msg)
    if mode == "call":
        f = np.geterrcall()
        if f is not None:
            f(msg, {"divide": 1, "over": 2, "under": 4, "invalid": 8}[kind])
        return
    if mode == "log":
        f = np.geterrcall()
        if f is not None:
            f.write(f"Warning: {msg}\n")
        return
    if mode == "print":
        print(f"Warning: {msg}")
        return
    warnings.warn(msg, RuntimeWarning, stacklevel=6)


# ---------------------------------------------------------------- ufuncs

# ufunc -> rule name, from the table of rules (scipy.special's ufuncs are added
# once SciPy is imported: see _load_special)
_U = {getattr(np, u): rule for u, rule in _table.ufunc_names("unary").items()}
_B = {getattr(np, u): rule for u, rule in _table.ufunc_names("binary").items()
      if rule not in _table.ARITHMETIC}
_special_loaded = False


def _load_special():
    """Add scipy.special's ufuncs of the table once SciPy is imported (dualdiff
    never imports it). Returns whether it added them now."""
    global _special_loaded
    special = sys.modules.get("scipy.special")
    if special is None or _special_loaded:
        return False
    _U.update({getattr(special, u): rule for u, rule in _table.ufunc_names("unary", "special").items()})
    _B.update({getattr(special, u): rule for u, rule in _table.ufunc_names("binary", "special").items()})
    from dualdiff import _parametric  # SciPy's functions of parameters (jv, gammainc, ...)
    _OTHER.update({u: (lambda *inputs, u=u: _parametric.call(f"scipy.special.{u.__name__}", inputs,
                                                              _parametric.RULES[u]))
                   for u in _parametric.RULES})
    _special_loaded = True
    return True


_ARITH = {getattr(np, u): {"mul": _k.MUL, "div": _k.DIV, "pow": _k.POW}[rule]
          for u, rule in _table.ufunc_names("binary").items() if rule in ("mul", "div", "pow")}
_VALUE_UFUNCS = {np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal,
                 np.isfinite, np.isinf, np.isnan, np.signbit, np.logical_and, np.logical_or,
                 np.logical_xor, np.logical_not}
_OTHER = {}  # ufunc -> function(*inputs) for composite rules, filled below


def supported_ufuncs() -> list[str]:
    """supported_ufuncs() -> sorted names of the NumPy ufuncs DualArray supports."""
    ufuncs: list[Any] = list(_U) + list(_B) + list(_ARITH) + list(_VALUE_UFUNCS) + list(_OTHER)
    names = {name for name in (u.__name__ for u in ufuncs) if isinstance(getattr(np, name, None), np.ufunc)}
    names |= {"add", "subtract", "negative", "positive", "conjugate", "matmul"}
    return sorted(names)


def supported_special_ufuncs() -> list[str]:
    """supported_special_ufuncs() -> sorted names of the scipy.special ufuncs that
    Duals and DualArrays support (SciPy itself is optional; without it, the
    table's alone): the table's rules, and the functions of plain parameters
    and a variable (``jv``, ``gammainc``, ...; see dualdiff/_parametric.py)."""
    names = set(_table.ufunc_names("unary", "special")) | set(_table.ufunc_names("binary", "special"))
    if importlib.util.find_spec("scipy") is not None:
        from dualdiff import _parametric
        names |= set(_parametric.names())
    return sorted(names)


def _ufunc(ufunc, method, inputs, kwargs):
    if not kwargs and method == "__call__":
        return _call(ufunc, inputs)
    out = kwargs.pop("out", None)
    if kwargs.get("where", True) is not True:
        raise TypeError(f"{_ufunc_name(ufunc)} with where= is not supported for dualdiff arrays")
    kwargs.pop("where", None)
    dtype = kwargs.pop("dtype", None)
    if dtype is not None and np.dtype(dtype) != np.float64:
        raise TypeError(f"{_ufunc_name(ufunc)} with dtype={dtype} would drop derivatives")
    kwargs.pop("casting", None)
    kwargs.pop("order", None)
    if method == "__call__":
        if kwargs:
            raise TypeError(f"{_ufunc_name(ufunc)} with arguments {sorted(kwargs)} is not "
                            "supported for dualdiff arrays")
        result = _call(ufunc, inputs)
    elif method in ("reduce", "accumulate"):
        fn = _REDUCE.get((ufunc, method))
        if fn is None:
            raise TypeError(f"{_ufunc_name(ufunc)}.{method} is not supported for dualdiff arrays")
        kw = dict(kwargs)
        if method == "reduce" and "axis" not in kw:
            kw["axis"] = 0
        if method == "accumulate" and "axis" not in kw:
            kw["axis"] = 0
        result = fn(inputs[0], **kw)
    else:
        raise TypeError(f"{_ufunc_name(ufunc)}.{method} is not supported for dualdiff arrays")
    if out is not None:
        outs = out if isinstance(out, tuple) else (out,)
        results = result if isinstance(result, tuple) else (result,)
        for o, r in zip(outs, results):
            _store(o, r, ufunc.__name__)
        return out if isinstance(result, tuple) else outs[0]
    return result


def _store(o, r, name):
    if isinstance(o, DualArray):
        o[...] = r
    elif isinstance(o, np.ndarray):
        if isinstance(r, (DualArray, Dual)):
            raise TypeError(f"numpy.{name} cannot write dual results into a float array "
                            "(out=): the derivatives would be lost")
        o[...] = r
    else:
        raise TypeError(f"out= must be an array, not {type(o).__name__}")


def _result(buf, spec):
    if buf.ndim == 1:
        return _to_dual(buf, spec)
    return _wrap(buf, spec)


def _call(ufunc, inputs):
    if ufunc in _VALUE_UFUNCS:
        return ufunc(*[_values(x) for x in inputs])
    if ufunc in _OTHER:
        return _OTHER[ufunc](*inputs)
    if ufunc not in _U and ufunc not in _B and ufunc not in _ARITH and _load_special():
        return _call(ufunc, inputs)
    try:
        ops, spec = _dual_operands(inputs)
    except _ObjectLoop:
        return _object_call(ufunc, inputs)
    if spec is None:
        raise TypeError(f"{_ufunc_name(ufunc)}: no dual operand")
    scalar = True
    for o in ops:
        if not _is_scalar_op(o):
            scalar = False
            break
    name = _U.get(ufunc)
    if name is not None:
        buf = np.ascontiguousarray(ops[0][0])
        res = np.empty_like(buf)
        ev = _k.unary(_UNARY_OPS[name], res.reshape(-1), buf.reshape(-1), spec.n, spec.code)
        if ev:
            _report(ev, ufunc.__name__, (buf[..., 0],))
        return _out(res, spec, scalar)
    if ufunc is np.add or ufunc is np.subtract:
        a, b = ops
        neg = ufunc is np.subtract
        if isinstance(a, tuple) and isinstance(b, tuple):
            res = (a[0] - b[0]) if neg else (a[0] + b[0])
        elif isinstance(a, tuple):
            shape = _bshape(a[0].shape[:-1], b.shape)
            res = np.empty(shape + (spec.m,))
            res[...] = a[0]
            if neg:
                res[..., 0] -= b
            else:
                res[..., 0] += b
        else:
            shape = _bshape(a.shape, b[0].shape[:-1])
            res = np.empty(shape + (spec.m,))
            if neg:
                np.negative(b[0], out=res)
            else:
                res[...] = b[0]
            res[..., 0] += a
        return _out(res, spec, scalar)
    if ufunc is np.negative:
        return _out(-ops[0][0], spec, scalar)
    if ufunc is np.positive or ufunc is np.conjugate:
        return _out(np.array(ops[0][0]), spec, scalar)
    if ufunc is np.matmul:
        return _matmul(*inputs)
    op = _ARITH.get(ufunc)
    if op is None:
        name = _B.get(ufunc)
        if name is None:
            raise TypeError(f"{_ufunc_name(ufunc)} is not supported for dualdiff arrays")
        op = _BINARY_OPS[name]
    return _out(_binary(op, ops, spec, ufunc.__name__), spec, scalar)


def _is_scalar_op(o):
    return (o[0].ndim == 1) if isinstance(o, tuple) else (o.ndim == 0)


def _out(res, spec, scalar):
    if scalar and res.ndim == 1:
        return _to_dual(res, spec)
    return _wrap(res, spec)


def _flat(buf, shape, m):
    """(contiguous flat buffer, element stride 0 or 1) of buf broadcast to shape."""
    if buf.shape[:-1] == shape:
        if buf.flags.c_contiguous:
            return buf.reshape(-1), 1
        return np.ascontiguousarray(buf).reshape(-1), 1
    if buf.size == m:
        return np.ascontiguousarray(buf).reshape(-1), 0
    return np.ascontiguousarray(np.broadcast_to(buf, shape + (m,))).reshape(-1), 1


def _flatc(c, shape):
    if c.shape == shape:
        return np.ascontiguousarray(c).reshape(-1), 1
    if c.size == 1:
        return np.ascontiguousarray(c).reshape(-1), 0
    return np.ascontiguousarray(np.broadcast_to(c, shape)).reshape(-1), 1


def _finite(c):
    if c.ndim == 0:
        return math.isfinite(c)
    return np.isfinite(c).all()


def _bshape(sa, sb):
    if sa == sb or not sb:
        return sa
    if not sa:
        return sb
    return np.broadcast_shapes(sa, sb)


def _binary(op, ops, spec, name):
    a, b = ops
    sa = a[0].shape[:-1] if isinstance(a, tuple) else a.shape
    sb = b[0].shape[:-1] if isinstance(b, tuple) else b.shape
    shape = _bshape(sa, sb)
    if isinstance(a, tuple) and isinstance(b, tuple):
        res = np.empty(shape + (spec.m,))
        fa, ia = _flat(a[0], shape, spec.m)
        fb, ib = _flat(b[0], shape, spec.m)
        ev = _k.binary(op, res.reshape(-1), fa, ia, fb, ib, spec.n, spec.code)
    elif isinstance(a, tuple):
        if (op == _k.MUL or op == _k.DIV) and _finite(b) and (op == _k.MUL or b.all()):
            # every component scales by the same finite number: one vectorized
            # NumPy pass over the buffer gives exactly dd_scalar_mul/dd_div_scalar
            # (NumPy itself warns on overflow)
            return (a[0] * b[..., None]) if op == _k.MUL else (a[0] / b[..., None])
        res = np.empty(shape + (spec.m,))
        fa, ia = _flat(a[0], shape, spec.m)
        fc, ic = _flatc(b, shape)
        ev = _k.binary_const(op, res.reshape(-1), fa, ia, fc, ic, False, spec.n, spec.code)
    else:
        if op == _k.MUL and _finite(a):
            return b[0] * a[..., None]
        res = np.empty(shape + (spec.m,))
        fb, ib = _flat(b[0], shape, spec.m)
        fc, ic = _flatc(a, shape)
        ev = _k.binary_const(op, res.reshape(-1), fb, ib, fc, ic, True, spec.n, spec.code)
    if ev:
        _report(ev, name, tuple(o[0][..., 0] if isinstance(o, tuple) else o for o in ops))
    return res


def _values(x):
    if isinstance(x, DualArray):
        return np.asarray(_live(x)[..., 0])
    if type(x) is Dual:
        return x.value
    if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.dtype == object):
        a = array(x)
        return a.value if isinstance(a, DualArray) else a
    return x


def _logaddexp(a, b):
    hi = np.maximum(a, b)
    return hi + np.log1p(np.exp(-np.abs(_gap(a, b))))


def _logaddexp2(a, b):
    hi = np.maximum(a, b)
    return hi + np.log1p(np.exp2(-np.abs(_gap(a, b)))) / np.log(2.0)


def _sub(a, b):
    return np.subtract(a, b)


def _gap(a, b):
    """a - b, valued 0 where a and b are the same infinity (NumPy's
    logaddexp(-inf, -inf) is -inf, not NaN, and does not warn); the
    derivatives stay da - db."""
    with np.errstate(invalid="ignore"):
        d = _sub(a, b)
    va, vb = np.asarray(_values(a)), np.asarray(_values(b))
    return _set_values(d, (va == vb) & np.isinf(va), 0.0)


def _set_values(d, mask, values):
    """d (a new DualArray or Dual) with its values replaced by values where
    mask is true; the derivatives are kept."""
    if not np.any(mask):
        return d
    if isinstance(d, DualArray):
        vals = _live(d)[..., 0]
        mask = np.broadcast_to(mask, vals.shape)
        vals[mask] = np.broadcast_to(values, vals.shape)[mask]
        return d
    data, n, order, tag = _dual_parts(d)
    data[0] = values
    return _dual_from(data, n, order, tag)


def _ldexp(x, i):
    if isinstance(i, (DualArray, Dual)):
        raise TypeError("numpy.ldexp: the exponent must be an integer array, not dual")
    e = np.asarray(i)
    (buf, spec), = _dual_operands([x])[0]
    # every component scales by 2**i: np.ldexp on each is exact, also where
    # 2**i alone would overflow or underflow
    res = np.ldexp(buf, e[..., None])
    return _result(res, spec) if buf.ndim == 1 and e.ndim == 0 else _wrap(res, spec)


def _modf(x):
    v = np.asarray(_values(x), dtype=np.float64)
    whole = np.trunc(v)
    with np.errstate(invalid="ignore"):
        frac = np.subtract(x, whole)
    # as NumPy: modf(+-inf) is (+-0, +-inf), not inf - inf, and a zero
    # fractional part has the sign of x (modf(-2.0) = (-0.0, -2.0))
    frac = _set_values(frac, np.isinf(v) | (v == whole), np.copysign(0.0, v))
    return frac, _step_like(x, whole)


def _divmod(a, b):
    return np.floor_divide(a, b), np.remainder(a, b)


def _heaviside(x, h0):
    spec = _combine([o[1] for o in _dual_operands([x, h0])[0] if isinstance(o, tuple)])
    return _out_like(np.heaviside(_values(x), _values(h0)), spec)


def _step_like(x, values):
    spec = _dual_operands([x])[1]
    return _out_like(values, spec)


def _out_like(values, spec):
    values = np.asarray(values, dtype=np.float64)
    c = _constant(values, spec)
    return _to_dual(c._buf, spec) if values.ndim == 0 else c


_OTHER.update({np.logaddexp: _logaddexp, np.logaddexp2: _logaddexp2, np.ldexp: _ldexp,
               np.modf: _modf, np.divmod: _divmod, np.heaviside: _heaviside})


# ------------------------------------------------------- function table

# NumPy function (or ufunc) -> its implementation for DualArray
_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}


def _implements(*funcs):
    def deco(f):
        for fn in funcs:
            _FUNCTIONS[fn] = f
        return f
    return deco


def supported_functions() -> list[str]:
    """supported_functions() -> sorted names of the NumPy functions DualArray supports."""
    return sorted(_fname(f) for f in _FUNCTIONS)


try:  # NumPy 2
    from numpy.lib.array_utils import normalize_axis_index as _nai
    from numpy.lib.array_utils import normalize_axis_tuple as _nat
except ImportError:  # pragma: no cover - NumPy 1.25/1.26
    from numpy.core.multiarray import normalize_axis_index as _nai  # type: ignore[no-redef]
    from numpy.core.numeric import normalize_axis_tuple as _nat  # type: ignore[no-redef,attr-defined]


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(sorted(_nat(axis, ndim)))
    return (_nai(axis, ndim),)


def _ax(axis, ndim):
    return _nai(axis, ndim)


def _reduced(buf, spec, axes, keepdims, ndim):
    if keepdims:
        return _wrap(buf, spec)
    if buf.ndim == 1:
        return _to_dual(buf, spec)
    return _wrap(buf, spec)


def _where_mask(where, shape):
    if where is True or where is None:
        return None
    return np.broadcast_to(np.asarray(where, dtype=bool), shape)


def _check_dtype(dtype, name):
    if dtype is not None and np.dtype(dtype) != np.float64:
        raise TypeError(f"numpy.{name} with dtype={dtype} would drop derivatives")


def _check_out(out, result, name):
    if out is None:
        return result
    _store(out, result, name)
    return out


@_implements(np.sum)
def _sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    a = _as_dual(a)
    _check_dtype(dtype, "sum")
    buf = _live(a)
    axes = _axes(axis, a.ndim)
    w = _where_mask(where, a.shape)
    kw = {} if w is None else {"where": w[..., None]}
    res = np.sum(buf, axis=axes, keepdims=keepdims, **kw)
    if initial is not None:
        res[..., 0] += initial
    return _check_out(out, _reduced(res, a._spec, axes, keepdims, a.ndim), "sum")


@_implements(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    a = _as_dual(a)
    _check_dtype(dtype, "mean")
    axes = _axes(axis, a.ndim)
    w = _where_mask(where, a.shape)
    kw = {} if w is None else {"where": w[..., None]}
    with warnings.catch_warnings():
        if a.size == 0 or w is not None:
            warnings.simplefilter("ignore", RuntimeWarning)
        res = np.mean(_live(a), axis=axes, keepdims=keepdims, **kw)
    if a.size == 0 or (w is not None and not w.any()):
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=3)
    return _check_out(out, _reduced(res, a._spec, axes, keepdims, a.ndim), "mean")


@_implements(np.var)
def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
         correction=None):
    a = _as_dual(a)
    _check_dtype(dtype, "var")
    if correction is not None:
        ddof = correction
    mu = np.mean(a, axis=axis, keepdims=True, where=where) if mean is None else mean
    d = a - mu
    sq = d * d
    axes = _axes(axis, a.ndim)
    w = _where_mask(where, a.shape)
    count = (np.sum(w, axis=axes, keepdims=keepdims) if w is not None
             else np.prod([a.shape[i] for i in axes]))
    total = np.sum(sq, axis=axis, keepdims=keepdims, where=where)
    return _check_out(out, total / np.maximum(np.asarray(count, dtype=float) - ddof, 0), "var")


@_implements(np.std)
def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
         correction=None):
    v = _var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where, mean=mean,
             correction=correction)
    return _check_out(out, np.sqrt(v), "std")


def _collapse(a, axes):
    """buf reshaped to (R, K, m) with the reduced axes first, and the kept shape."""
    buf = _live(a)
    kept = [i for i in range(a.ndim) if i not in axes]
    t = np.transpose(buf, list(axes) + kept + [a.ndim])
    R = int(np.prod([a.shape[i] for i in axes]))
    kshape = tuple(a.shape[i] for i in kept)
    K = int(np.prod(kshape))
    return np.ascontiguousarray(t).reshape(R, K, a._spec.m), kshape


def _keep(res, shape, axes, keepdims, spec, kshape):
    if keepdims:
        full = tuple(1 if i in axes else s for i, s in enumerate(shape))
        res = res.reshape(full + (spec.m,))
    else:
        res = res.reshape(kshape + (spec.m,))
    return _reduced(res, spec, axes, keepdims, len(shape))


@_implements(np.prod)
def _prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    a = _as_dual(a)
    _check_dtype(dtype, "prod")
    spec = a._spec
    w = _where_mask(where, a.shape)
    if w is not None:
        a = np.where(w, a, 1.0)
    axes = _axes(axis, a.ndim)
    c, kshape = _collapse(a, axes)
    res = np.empty((c.shape[1], spec.m))
    _k.prod_reduce(res.reshape(-1), c.reshape(-1), c.shape[0], spec.n, spec.code)
    r = _keep(res, a.shape, axes, keepdims, spec, kshape)
    if initial is not None:
        r = r * initial
    return _check_out(out, r, "prod")


def _extreme(a, axis, out, keepdims, initial, where, name, arg):
    a = _as_dual(a)
    if initial is not None or (where is not True and where is not None):
        raise TypeError(f"numpy.{name} with initial= or where= is not supported for dualdiff arrays")
    spec = a._spec
    axes = _axes(axis, a.ndim)
    c, kshape = _collapse(a, axes)
    if c.shape[0] == 0:
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
    idx = arg(c[..., 0], axis=0)
    res = c[idx, np.arange(c.shape[1])]
    return _check_out(out, _keep(res, a.shape, axes, keepdims, spec, kshape), name)


@_implements(np.max, np.amax)
def _max(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    return _extreme(a, axis, out, keepdims, initial, where, "max", np.argmax)


@_implements(np.min, np.amin)
def _min(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    return _extreme(a, axis, out, keepdims, initial, where, "min", np.argmin)


@_implements(np.cumsum)
def _cumsum(a, axis=None, dtype=None, out=None):
    a = _as_dual(a)
    _check_dtype(dtype, "cumsum")
    if axis is None:
        a = np.ravel(a)
        axis = 0
    res = np.cumsum(_live(a), axis=_ax(axis, a.ndim))
    return _check_out(out, _wrap(res, a._spec), "cumsum")


@_implements(np.cumprod)
def _cumprod(a, axis=None, dtype=None, out=None):
    a = _as_dual(a)
    _check_dtype(dtype, "cumprod")
    if axis is None:
        a = np.ravel(a)
        axis = 0
    ax = _ax(axis, a.ndim)
    buf = np.ascontiguousarray(np.moveaxis(_live(a), ax, 0))
    res = np.empty_like(buf)
    _k.prod_accumulate(res.reshape(-1), buf.reshape(-1), buf.shape[0], a._spec.n, a._spec.code)
    return _check_out(out, _wrap(np.moveaxis(res, 0, ax), a._spec), "cumprod")


_REDUCE = {
    (np.add, "reduce"): lambda a, axis=0, keepdims=False, **k: _sum(a, axis=axis, keepdims=keepdims, **k),
    (np.multiply, "reduce"): lambda a, axis=0, keepdims=False, **k: _prod(a, axis=axis, keepdims=keepdims, **k),
    (np.maximum, "reduce"): lambda a, axis=0, keepdims=False, **k: _max(a, axis=axis, keepdims=keepdims, **k),
    (np.minimum, "reduce"): lambda a, axis=0, keepdims=False, **k: _min(a, axis=axis, keepdims=keepdims, **k),
    (np.add, "accumulate"): lambda a, axis=0: _cumsum(a, axis=axis),
    (np.multiply, "accumulate"): lambda a, axis=0: _cumprod(a, axis=axis),
}


# ------------------------------------------------------ value-only functions


def _on_values(fn):
    def handler(*args, **kwargs):
        return fn(*[_values(x) for x in args], **{k: _values(v) for k, v in kwargs.items()})
    return handler


_f: Callable[..., Any]
for _f in (np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.nonzero, np.argwhere,
           np.flatnonzero, np.count_nonzero, np.any, np.all, np.isclose, np.allclose,
           np.array_equal, np.result_type, np.iscomplexobj, np.isrealobj, np.searchsorted,
           np.isreal, np.iscomplex, np.can_cast, np.min_scalar_type):
    _FUNCTIONS[_f] = _on_values(_f)


@_implements(np.round, np.around)
def _round(a, decimals=0, out=None):
    a = _as_dual(a)
    return _check_out(out, _out_like(np.round(_values(a), decimals), a._spec), "round")


@_implements(np.real)
def _real(a):
    return a


@_implements(np.imag)
def _imag(a):
    a = _as_dual(a)
    return _out_like(np.zeros(a.shape), a._spec)


@_implements(np.angle)
def _angle(z, deg=False):
    # of a real number: 0 or pi (180), a step with derivative 0
    return _step_like(z, np.angle(_values(z), deg=deg))


@_implements(np.real_if_close)
def _real_if_close(a, tol=100):
    return a  # dual numbers are real


@_implements(np.sinc)
def _sinc(x):
    # sin(pi x) / (pi x), and its Taylor polynomial 1 - (pi x)^2 / 6 at x = 0
    # exactly, where the quotient has no value (both have the same value and
    # first two derivatives there)
    x = _as_dual(x)
    t = np.pi * x
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.divide(np.sin(t), t)
    return np.where(_values(x) == 0.0, 1.0 - t * t / 6.0, quotient)


@_implements(np.nan_to_num)
def _nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    # replaced entries are constants: value as NumPy gives, derivatives 0
    x = _as_dual(x)
    v = _values(x)
    bad = ~np.isfinite(v) | np.isnan(v)
    if not np.any(bad):
        return x.copy() if copy else x
    constants = np.nan_to_num(v, nan=nan, posinf=posinf, neginf=neginf)
    return np.where(bad, _out_like(constants, x._spec), x)


@_implements(np.copy)
def _copy(a, order="K", subok=False):
    return _as_dual(a).copy()


@_implements(np.zeros_like, np.empty_like)
def _zeros_like(a, dtype=None, order="K", subok=True, shape=None, **kw):
    a = _as_dual(a)
    _check_dtype(dtype, "zeros_like")
    return _constant(np.zeros(a.shape if shape is None else shape), a._spec)


@_implements(np.ones_like)
def _ones_like(a, dtype=None, order="K", subok=True, shape=None, **kw):
    a = _as_dual(a)
    _check_dtype(dtype, "ones_like")
    return _constant(np.ones(a.shape if shape is None else shape), a._spec)


@_implements(np.full_like)
def _full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kw):
    a = _as_dual(a)
    _check_dtype(dtype, "full_like")
    res = _constant(np.zeros(a.shape if shape is None else shape), a._spec)
    res[...] = fill_value
    return res


# ------------------------------------------------------------ shape ops


@_implements(np.reshape)
def _reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    a = _as_dual(a)
    if shape is None:
        shape = newshape
    if order != "C":
        raise TypeError("numpy.reshape with order other than 'C' is not supported for dualdiff arrays")
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    shape = tuple(shape)
    vshape = np.empty(a.shape, dtype=np.bool_).reshape(shape).shape  # resolves -1
    return _wrap(_live(a).reshape(vshape + (a._spec.m,)), a._spec)


@_implements(np.ravel)
def _ravel(a, order="C"):
    return _reshape(a, (-1,), order=order)


@_implements(np.transpose, np.permute_dims) if hasattr(np, "permute_dims") else _implements(np.transpose)
def _transpose(a, axes=None):
    a = _as_dual(a)
    if axes is None:
        axes = tuple(range(a.ndim))[::-1]
    axes = tuple(_nai(x, a.ndim) for x in axes)
    return _wrap(np.transpose(_live(a), axes + (a.ndim,)), a._spec)


@_implements(np.swapaxes)
def _swapaxes(a, axis1, axis2):
    a = _as_dual(a)
    return _wrap(np.swapaxes(_live(a), _ax(axis1, a.ndim), _ax(axis2, a.ndim)), a._spec)


@_implements(np.moveaxis)
def _moveaxis(a, source, destination):
    a = _as_dual(a)
    s = _nat(source, a.ndim)
    d = _nat(destination, a.ndim)
    return _wrap(np.moveaxis(_live(a), s, d), a._spec)


@_implements(np.expand_dims)
def _expand_dims(a, axis):
    a = _as_dual(a)
    if not isinstance(axis, (tuple, list)):
        axis = (axis,)
    ax = _nat(axis, a.ndim + len(axis))
    return _wrap(np.expand_dims(_live(a), ax), a._spec)


@_implements(np.squeeze)
def _squeeze(a, axis=None):
    a = _as_dual(a)
    if axis is None:
        axis = tuple(i for i, s in enumerate(a.shape) if s == 1)
    ax = _nat(axis, a.ndim)
    return _wrap(np.squeeze(_live(a), ax), a._spec)


@_implements(np.broadcast_to)
def _broadcast_to(a, shape, subok=False):
    a = _as_dual(a)
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    return _wrap(np.broadcast_to(_live(a), tuple(shape) + (a._spec.m,)), a._spec)


@_implements(np.broadcast_arrays)
def _broadcast_arrays(*args, subok=False):
    shape = np.broadcast_shapes(*[np.shape(_values(x)) for x in args])
    out = []
    for x in args:
        o = _operand(x)
        if isinstance(o, tuple):  # Duals in lists or object arrays keep their derivatives
            out.append(_broadcast_to(_wrap(o[0], o[1]), shape))
        else:
            out.append(np.broadcast_to(_values(x), shape))
    return tuple(out)


def _make_atleast(fn):
    def h(*arys):
        res = []
        for x in arys:
            x = _as_dual(x)
            shape = fn(np.empty(x.shape, dtype=np.bool_)).shape
            res.append(_reshape(x, shape))
        return res[0] if len(res) == 1 else tuple(res)
    return h


for _f in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
    _FUNCTIONS[_f] = _make_atleast(_f)


def _bufs(seq):
    ops, spec = _dual_operands(list(seq))
    return [_as_buf(o, spec) for o in ops], spec


@_implements(np.concatenate)
def _concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    _check_dtype(dtype, "concatenate")
    bufs, spec = _bufs(arrays)
    if axis is None:
        bufs = [b.reshape(-1, spec.m) for b in bufs]
        axis = 0
    nd = bufs[0].ndim - 1
    if nd == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    res = np.concatenate(bufs, axis=_ax(axis, nd))
    return _check_out(out, _wrap(res, spec), "concatenate")


@_implements(np.stack)
def _stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _check_dtype(dtype, "stack")
    bufs, spec = _bufs(arrays)
    nd = bufs[0].ndim - 1
    res = np.stack(bufs, axis=_ax(axis, nd + 1))
    return _check_out(out, _wrap(res, spec), "stack")


@_implements(np.hstack)
def _hstack(tup, *, dtype=None, casting="same_kind"):
    arrs = [np.atleast_1d(_as_dual_any(x)) for x in tup]
    if arrs and arrs[0].ndim == 1:
        return _concatenate(arrs, axis=0)
    return _concatenate(arrs, axis=1)


@_implements(np.vstack, np.row_stack) if hasattr(np, "row_stack") else _implements(np.vstack)
def _vstack(tup, *, dtype=None, casting="same_kind"):
    return _concatenate([np.atleast_2d(_as_dual_any(x)) for x in tup], axis=0)


@_implements(np.column_stack)
def _column_stack(tup):
    arrs = []
    for x in tup:
        x = _as_dual_any(x)
        if np.ndim(x) < 2:
            x = np.reshape(x, (-1, 1)) if isinstance(x, DualArray) else np.asarray(x).reshape(-1, 1)
        arrs.append(x)
    return _concatenate(arrs, axis=1)


def _as_dual_any(x):
    o = _operand(x)
    if o is None:  # not None itself, which NumPy would turn into NaN further on
        raise _unsupported(x)
    if isinstance(o, tuple):
        return _wrap(o[0], o[1])
    return o


@_implements(np.split)
def _split(ary, indices_or_sections, axis=0):
    return _split_by(np.split, ary, indices_or_sections, axis)


@_implements(np.array_split)
def _array_split(ary, indices_or_sections, axis=0):
    return _split_by(np.array_split, ary, indices_or_sections, axis)


def _split_by(fn, ary, indices_or_sections, axis):
    a = _as_dual(ary)
    ax = _ax(axis, a.ndim)
    pieces = fn(np.arange(a.shape[ax]), indices_or_sections)  # raises as numpy does
    return [_wrap(np.take(_live(a), p.astype(np.intp), axis=ax), a._spec) for p in pieces]


@_implements(np.hsplit)
def _hsplit(ary, indices_or_sections):
    a = _as_dual(ary)
    return _split(a, indices_or_sections, axis=1 if a.ndim > 1 else 0)


@_implements(np.vsplit)
def _vsplit(ary, indices_or_sections):
    return _split(ary, indices_or_sections, axis=0)


@_implements(np.take)
def _take(a, indices, axis=None, out=None, mode="raise"):
    a = _as_dual(a)
    buf = _live(a)
    if axis is None:
        res = np.take(buf.reshape(-1, a._spec.m), indices, axis=0, mode=mode)
    else:
        res = np.take(buf, indices, axis=_ax(axis, a.ndim), mode=mode)
    return _check_out(out, _result(res, a._spec), "take")


@_implements(np.take_along_axis)
def _take_along_axis(arr, indices, axis=-1):
    a = _as_dual(arr)
    if axis is None:
        return _take(np.ravel(a), np.ravel(indices))
    ax = _ax(axis, a.ndim)
    return _wrap(np.take_along_axis(_live(a), np.asarray(indices)[..., None], axis=ax), a._spec)


@_implements(np.sort)
def _sort(a, axis=-1, kind=None, order=None, *, stable=None):
    a = _as_dual(a)
    if axis is None:
        a = np.ravel(a)
        axis = -1
    ax = _ax(axis, a.ndim)
    idx = np.argsort(_values(a), axis=ax, kind=kind, stable=stable) if stable is not None \
        else np.argsort(_values(a), axis=ax, kind=kind)
    return _take_along_axis(a, idx, axis=ax)


@_implements(np.roll)
def _roll(a, shift, axis=None):
    a = _as_dual(a)
    if axis is None:
        return _reshape(_wrap(np.roll(_live(a).reshape(-1, a._spec.m), shift, axis=0), a._spec), a.shape)
    ax = _nat(axis, a.ndim) if isinstance(axis, (tuple, list)) else _ax(axis, a.ndim)
    return _wrap(np.roll(_live(a), shift, axis=ax), a._spec)


@_implements(np.flip)
def _flip(m, axis=None):
    a = _as_dual(m)
    return _wrap(np.flip(_live(a), axis=_axes(axis, a.ndim)), a._spec)


@_implements(np.fliplr)
def _fliplr(m):
    return _flip(m, 1)


@_implements(np.flipud)
def _flipud(m):
    return _flip(m, 0)


@_implements(np.diff)
def _diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    a = _as_dual(a)
    if n == 0:  # as NumPy: the input itself, without prepend or append
        return a
    ax = _ax(axis, a.ndim)
    parts = []
    if prepend is not np._NoValue:
        parts.append(np.broadcast_to(_as_dual_any(prepend), a.shape[:ax] + (1,) + a.shape[ax + 1:])
                     if np.ndim(_values(prepend)) == 0 else prepend)
    parts.append(a)
    if append is not np._NoValue:
        parts.append(np.broadcast_to(_as_dual_any(append), a.shape[:ax] + (1,) + a.shape[ax + 1:])
                     if np.ndim(_values(append)) == 0 else append)
    if len(parts) > 1:
        a = _concatenate(parts, axis=ax)
    return _wrap(np.diff(_live(a), n=n, axis=ax), a._spec)


@_implements(np.pad)
def _pad(array, pad_width, mode="constant", **kwargs):
    a = _as_dual(array)
    spec = a._spec
    pw = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (a.ndim, 2))
    full = [tuple(p) for p in pw] + [(0, 0)]
    if mode == "constant":
        cv = kwargs.pop("constant_values", 0)
        if kwargs:
            raise TypeError(f"numpy.pad: unexpected arguments {sorted(kwargs)}")
        if isinstance(cv, (DualArray, Dual)) or np.ndim(cv) != 0:
            raise TypeError("numpy.pad of a dual array supports one constant number as constant_values")
        if (pw < 0).any():
            np.pad(_values(a), pw)  # NumPy's own error
        # one zeroed buffer with the numbers copied in: a third of the memory
        # traffic of padding the buffer and then the values
        res = np.zeros(tuple(s + lo + hi for s, (lo, hi) in zip(a.shape, pw.tolist())) + (spec.m,))
        inner = tuple(slice(lo, lo + s) for s, (lo, _) in zip(a.shape, pw.tolist()))
        res[inner] = _live(a)
        if cv != 0:
            border = np.ones(res.shape[:-1], dtype=bool)
            border[inner] = False
            res[..., 0][border] = cv
        return _wrap(res, spec)
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        return _wrap(np.pad(_live(a), full, mode=mode, **kwargs), spec)
    raise TypeError(f"numpy.pad with mode={mode!r} is not supported for dualdiff arrays")


@_implements(np.where)
def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.nonzero(_values(condition))
    c = np.asarray(_values(condition), dtype=bool)
    ops, spec = _dual_operands([x, y])
    bx, by = (_as_buf(o, spec) for o in ops)
    res = np.where(c[..., None], bx, by)
    return _result(res, spec) if res.ndim == 1 and c.ndim == 0 and all(
        _is_scalar_op(o) for o in ops) else _wrap(res, spec)


@_implements(np.select)
def _select(condlist, choicelist, default=0):
    return select_by(_where, condlist, choicelist, default)


def select_by(where, condlist, choicelist, default):
    """np.select by a np.where for the array type at hand: from the last
    condition to the first, so that the first true one is applied last."""
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    result = default
    for cond, choice in zip(condlist[::-1], choicelist[::-1]):
        result = where(cond, choice, result)
    return result


@_implements(np.clip)
def _clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kw):
    a_min = min if a_min is None else a_min
    a_max = max if a_max is None else a_max
    r = a
    if a_min is not None:
        r = np.maximum(r, a_min)
    if a_max is not None:
        r = np.minimum(r, a_max)
    if r is a:
        r = _as_dual(a).copy()
    return _check_out(out, r, "clip")


@_implements(np.repeat)
def _repeat(a, repeats, axis=None):
    a = _as_dual(a)
    if axis is None:
        return _wrap(np.repeat(_live(a).reshape(-1, a._spec.m), repeats, axis=0), a._spec)
    return _wrap(np.repeat(_live(a), repeats, axis=_ax(axis, a.ndim)), a._spec)


@_implements(np.tile)
def _tile(a, reps):
    a = _as_dual(a)
    reps = (reps,) if isinstance(reps, numbers.Integral) else tuple(reps)
    nd = max(a.ndim, len(reps))
    buf = _live(a).reshape((1,) * (nd - a.ndim) + a.shape + (a._spec.m,))
    reps = (1,) * (nd - len(reps)) + reps + (1,)
    return _wrap(np.tile(buf, reps), a._spec)


@_implements(np.diagonal)
def _diagonal(a, offset=0, axis1=0, axis2=1):
    a = _as_dual(a)
    d = np.diagonal(_live(a), offset, _ax(axis1, a.ndim), _ax(axis2, a.ndim))
    return _wrap(np.moveaxis(d, -2, -1), a._spec)


@_implements(np.diag)
def _diag(v, k=0):
    a = _as_dual(v)
    if a.ndim == 2:
        return _diagonal(a, k)
    if a.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    n = a.shape[0] + abs(k)
    res = np.zeros((n, n, a._spec.m))
    i = np.arange(a.shape[0])
    res[i + max(-k, 0), i + max(k, 0)] = _live(a)
    return _wrap(res, a._spec)


def _make_tri(fn):
    def h(m, k=0):
        a = _as_dual(m)
        mask = fn(np.ones(a.shape[-2:], dtype=bool), k)
        return _wrap(np.where(mask[..., None], _live(a), 0.0), a._spec)
    return h


_FUNCTIONS[np.tril] = _make_tri(np.tril)
_FUNCTIONS[np.triu] = _make_tri(np.triu)


# --------------------------------------------------------------- products


def _comp(o, k):
    """Component k of an operand's buffer (k = 0: values)."""
    return o[0][..., k]


def _splits(k, parts):
    """Every tuple of `parts` non-negative ints that sum to k."""
    if parts == 1:
        return [(k,)]
    return [(j,) + rest for j in range(k + 1) for rest in _splits(k - j, parts - 1)]


def _multilinear(f, args, converted=None):
    """f(*args) for f linear in each argument, with dual arguments: by the
    product rule, one NumPy call per derivative component. ``converted``:
    _dual_operands(args), where the caller has it already."""
    ops, spec = converted if converted is not None else _dual_operands(args)
    if spec is None:
        return f(*args)
    vals = [_comp(o, 0) if isinstance(o, tuple) else o for o in ops]
    duals = [i for i, o in enumerate(ops) if isinstance(o, tuple)]
    v0 = np.asarray(f(*vals), dtype=np.float64)
    res = np.empty(v0.shape + (spec.m,))
    res[..., 0] = v0
    n = spec.n

    def replaced(pairs):
        a = list(vals)
        for i, k in pairs:
            a[i] = _comp(ops[i], k)
        return f(*a)

    if spec.order == _TAYLOR:
        # coefficient k of a product of series: the sum over the ways to
        # split k among the dual arguments (Cauchy's product)
        for k in range(1, n + 1):
            acc = 0.0
            for split in _splits(k, len(duals)):
                acc = acc + replaced([(i, c) for i, c in zip(duals, split)])
            res[..., k] = acc
        return _result(res, spec) if res.ndim == 1 else _wrap(res, spec)

    for k in range(1, n + 1):
        acc = 0.0
        for i in duals:
            acc = acc + replaced([(i, k)])
        res[..., k] = acc
    if spec.order > 1:
        q = n + 1
        for i in range(n):
            for j in range(i, n):
                acc = 0.0
                for d in duals:
                    acc = acc + replaced([(d, q)])
                for d in duals:
                    for e in duals:
                        if d != e:
                            acc = acc + replaced([(d, 1 + i), (e, 1 + j)])
                res[..., q] = acc
                q += 1
    return _result(res, spec) if res.ndim == 1 else _wrap(res, spec)


def _matmul(a, b, **kw):
    if kw:
        raise TypeError("numpy.matmul with extra arguments is not supported for dualdiff arrays")
    if _REDUCERS:  # a @ w may end f in a sparse Hessian's evaluation
        r = _reduce_elements(None, np.matmul, (a, b), kw)
        if r is not NotImplemented:
            return r
    ops, spec = _dual_operands([a, b])
    res = _stacked_product(ops, spec)
    return _result(res, spec) if res is not None else _multilinear(np.matmul, [a, b], (ops, spec))


def _stacked_product(ops, spec, constants=True):
    """The buffer of a @ b (vectors, matrices and, for two dual operands,
    stacks of matrices; the operands as _dual_operands gives them) with every
    component in a few BLAS calls, or None where _multilinear's calls
    component by component are needed.

    A constant times a dual operand is linear in it, so each component (any
    order, Taylor coefficients) is the constant times that component: one
    call for all of them, whose rounding may depend on how many there are
    (``constants=False`` leaves these to _multilinear). Two dual operands: the
    product rule on stacks of the components, each product of two components
    its own matrix or vector product in one batched matmul, so computed alike
    whatever the number of directions; at second order the cross terms
    a_i b_j + a_j b_i of every pair of directions come from batches of the
    pairs."""
    oa, ob = ops
    da, db = isinstance(oa, tuple), isinstance(ob, tuple)
    a = oa[0] if da else np.asarray(oa)
    b = ob[0] if db else np.asarray(ob)
    ca, cb = a.ndim - da, b.ndim - db  # the operands' own dimensions
    if min(ca, cb) < 1 or a.shape[ca - 1] != b.shape[max(cb - 2, 0)]:
        return None  # _multilinear raises NumPy's own error, which names both sizes
    if da != db:
        if not constants or max(ca, cb) > 2:
            return None
        if db:  # constant @ dual: the constant's last axis against b's first
            return np.tensordot(a, b, axes=([a.ndim - 1], [0]))
        if a.ndim == 3 and b.ndim == 2:  # dual matrix @ constant matrix
            return np.moveaxis(np.matmul(np.moveaxis(a, -1, -2), b), -1, -2)
        if a.ndim == 3:  # dual matrix @ constant vector
            return np.tensordot(a, b, axes=([1], [0]))
        return np.tensordot(b, a, axes=([0], [0]))  # dual vector @ constant
    if not da or spec.order not in (1, 2):
        return None
    try:  # stacks of matrices broadcast as in matmul
        batch = np.broadcast_shapes(a.shape[:max(ca - 2, 0)], b.shape[:max(cb - 2, 0)])
    except ValueError:
        return None
    # the stacks: components first, a vector as a row (of a) or a column (of
    # b), so that every product of two components is a matrix product
    sa = np.ascontiguousarray(np.moveaxis(a, -1, 0))
    sb = np.ascontiguousarray(np.moveaxis(b, -1, 0))
    sa = sa[:, None, :] if ca == 1 else sa
    sb = sb[..., None] if cb == 1 else sb
    # every stack with all the batch axes, so that the components' axis
    # never meets a batch axis
    sa = sa.reshape(sa.shape[:1] + (1,) * (len(batch) + 3 - sa.ndim) + sa.shape[1:])
    sb = sb.reshape(sb.shape[:1] + (1,) * (len(batch) + 3 - sb.ndim) + sb.shape[1:])
    res = np.empty((spec.m,) + batch + (sa.shape[-2], sb.shape[-1]))
    np.matmul(sa[0], sb[0], out=res[0])
    np.add(np.matmul(sa[1:], sb[0]), np.matmul(sa[0], sb[1:]), out=res[1:])
    if spec.order == 2:
        # the pair (i, j) adds A_i B_j + A_j B_i (in _multilinear's order of
        # components); the batches bound the copies of the components
        n = spec.n
        i, j = np.triu_indices(n)
        ta, tb = sa[1:n + 1], sb[1:n + 1]
        step = max(1, _PAIR_BATCH // max(1, sa[0].size + sb[0].size))
        for lo in range(0, len(i), step):
            p, q = i[lo:lo + step], j[lo:lo + step]
            res[n + 1 + lo:n + 1 + lo + len(p)] += \
                np.matmul(ta[p], tb[q]) + np.matmul(ta[q], tb[p])
    if ca == 1:
        res = res[..., 0, :]
    if cb == 1:
        res = res[..., 0]
    return np.ascontiguousarray(np.moveaxis(res, 0, -1))


#: entries of the copied components per batch of the pairs of directions in
#: _stacked_product (about 8 MiB)
_PAIR_BATCH = 1 << 20


_FUNCTIONS[np.matmul] = _matmul


@_implements(np.dot)
def _dot(a, b, out=None):
    ops, spec = _dual_operands([a, b])
    if all(np.ndim(o[0]) - 1 in (1, 2) if isinstance(o, tuple) else np.ndim(o) in (1, 2)
           for o in ops):  # np.dot is np.matmul there
        # products of two dual operands only: each direction computed alike
        # for every chunk, as np.dot promises where A @ x does not
        res = _stacked_product(ops, spec, constants=False)
        if res is not None:
            return _check_out(out, _result(res, spec), "dot")
    return _check_out(out, _multilinear(np.dot, [a, b], (ops, spec)), "dot")


def _contracted(f, a, b, axes, zero_d=False):
    """f(a, b) for a tensordot-like f that sums a's ``axes[0]`` against b's
    ``axes[1]`` (ints, or None for all axes, flattened); ``zero_d``: a 0-d
    array where NumPy gives one, not a number. Two dual operands at first or
    second order: the einsum that f is, by _pair_product. Otherwise, and for
    anything NumPy rejects: _multilinear."""
    ops, spec = _dual_operands([a, b])
    res = None
    if spec is not None and all(isinstance(o, tuple) for o in ops):
        if axes == (None, None):  # flattened
            pair, axes = [(o[0].reshape(-1, spec.m), spec) for o in ops], ((0,), (0,))
        else:
            pair = ops
        na, nb = pair[0][0].ndim - 1, pair[1][0].ndim - 1
        try:
            sa, sb = _nat(axes[0], na), _nat(axes[1], nb)
        except (ValueError, TypeError):
            sa = sb = None
        if sa is not None and len(sa) == len(sb) and na + nb <= len(_LABELS):
            # a's axes get the first labels, b's summed axes those they meet
            la = _LABELS[:na]
            rest = iter(_LABELS[na:])
            lb = "".join(la[sa[sb.index(j)]] if j in sb else next(rest) for j in range(nb))
            out = "".join(c for c in la if c not in lb) + "".join(c for c in lb if c not in la)
            res = _pair_product(pair, spec, la, lb, out)
    if res is not None:
        return _wrap(res, spec) if zero_d else _result(res, spec)
    return _multilinear(f, [a, b], (ops, spec))


#: einsum labels for _contracted
_LABELS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _tensordot_axes(axes, ndim_a):
    """numpy.tensordot's ``axes`` as (a's summed axes, b's summed axes)."""
    if isinstance(axes, numbers.Integral):
        return tuple(range(ndim_a - int(axes), ndim_a)), tuple(range(int(axes)))
    axes_a, axes_b = axes
    return ((axes_a,) if isinstance(axes_a, numbers.Integral) else tuple(axes_a),
            (axes_b,) if isinstance(axes_b, numbers.Integral) else tuple(axes_b))


@_implements(np.vdot)
def _vdot(a, b):
    return _contracted(np.vdot, a, b, (None, None))


@_implements(np.inner)
def _inner(a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return _multilinear(np.inner, [a, b])
    return _contracted(np.inner, a, b, ((-1,), (-1,)))


def _real_operand(o):
    """o as _operand takes it: a dual array, or a float array for real
    constants; None for anything else (complex numbers, object arrays)."""
    c = _operand(o)
    if isinstance(c, tuple):
        return _wrap(c[0], c[1])
    return None if c is None or c.dtype == object else c


def _flat_operand(o):
    """_real_operand(o), flattened."""
    c = _real_operand(o)
    return None if c is None else c.reshape(-1)


@_implements(np.outer)
def _outer(a, b, out=None):
    ra, rb = _flat_operand(a), _flat_operand(b)
    if ra is not None and rb is not None:
        # the products a_i b_j by broadcasting: every component (any order,
        # Taylor coefficients) in one pass of the product rule
        return _check_out(out, ra[:, None] * rb[None, :], "outer")
    return _check_out(out, _multilinear(np.outer, [a, b]), "outer")


@_implements(np.kron)
def _kron(a, b):
    ra, rb = _real_operand(a), _real_operand(b)
    if ra is None or rb is None:
        return _multilinear(np.kron, [a, b])
    # the products a_i b_j by broadcasting (every component, any order, in
    # one pass of the product rule), laid out as NumPy's kron lays them out:
    # the shorter shape padded with leading ones, then axis by axis
    nd = max(ra.ndim, rb.ndim)
    sa = (1,) * (nd - ra.ndim) + ra.shape
    sb = (1,) * (nd - rb.ndim) + rb.shape
    pa = ra.reshape(tuple(e for s in sa for e in (s, 1)))
    pb = rb.reshape(tuple(e for s in sb for e in (1, s)))
    prod = pa * pb
    return prod if nd == 0 else prod.reshape(tuple(p * q for p, q in zip(sa, sb)))  # 0-d: a number


@_implements(np.convolve)
def _convolve(a, v, mode="full"):
    return _multilinear(lambda x, y: np.convolve(x, y, mode), [a, v])


@_implements(np.correlate)
def _correlate(a, v, mode="valid"):
    return _multilinear(lambda x, y: np.correlate(x, y, mode), [a, v])


@_implements(np.tensordot)
def _tensordot(a, b, axes=2):
    f = lambda x, y: np.tensordot(x, y, axes=axes)  # noqa: E731
    try:
        summed = _tensordot_axes(axes, np.ndim(a))
    except (ValueError, TypeError):
        return _multilinear(f, [a, b])  # NumPy's own error
    return _contracted(f, a, b, summed, zero_d=True)


@_implements(np.cross)
def _cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    ra, rb = _real_operand(a), _real_operand(b)
    if ra is not None and rb is not None and ra.ndim and rb.ndim:
        ax = (axisa, axisb, axisc) if axis is None else (axis,) * 3
        try:
            va, vb = np.moveaxis(ra, ax[0], -1), np.moveaxis(rb, ax[1], -1)
            three = va.shape[-1] == 3 and vb.shape[-1] == 3
            if three:
                out_axis = _nai(ax[2], len(np.broadcast_shapes(va.shape, vb.shape)))
        except (ValueError, TypeError):
            three = False  # NumPy's own error below
        if three:
            # NumPy's formula, products and differences of the coordinates:
            # every component, any order, in one pass of the product rule
            a0, a1, a2 = (va[..., k] for k in range(3))
            b0, b1, b2 = (vb[..., k] for k in range(3))
            c = np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
            return np.moveaxis(c, -1, out_axis)
    # vectors of 2 (deprecated by NumPy, which warns), complex numbers, errors
    return _multilinear(lambda x, y: np.cross(x, y, axisa, axisb, axisc, axis), [a, b])


def _einsum_pair(subscripts, ops, spec):
    """The buffer of einsum(subscripts, a, b) over two operands (as
    _dual_operands gives them) by _pair_product, or None where the
    subscripts are not that simple (ellipses, a label twice in one operand)."""
    inputs, arrow, out = subscripts.replace(" ", "").partition("->")
    labels = inputs.split(",")
    if len(labels) != 2 or not all(c.isalpha() for c in "".join(labels) + out):
        return None
    la, lb = labels
    if not arrow:  # NumPy's implicit output: the labels seen once, in order
        out = "".join(sorted(c for c in set(la + lb) if (la + lb).count(c) == 1))
    if len(set(la)) < len(la) or len(set(lb)) < len(lb) or len(set(out)) < len(out) \
            or not set(out) <= set(la + lb):
        return None
    return _pair_product(ops, spec, la, lb, out)


def _pair_product(ops, spec, la, lb, out):
    """The buffer of einsum(la + "," + lb + "->" + out) of two dual operands
    at first or second order (labels distinct within each operand) as one
    stacked matrix product: batch axes, a's free axes by the summed ones,
    times the summed ones by b's free axes, each product of two components
    its own, so each direction is computed alike for every chunk. None for a
    constant operand, other orders and sizes that NumPy rejects."""
    if spec is None or spec.order not in (1, 2) or not all(isinstance(o, tuple) for o in ops):
        return None
    bufs = [ops[0][0], ops[1][0]]
    size = {}
    for lab, buf in zip((la, lb), bufs):
        if buf.ndim - 1 != len(lab):
            return None
        for c, k in zip(lab, buf.shape):
            if size.setdefault(c, k) != k:
                return None
    # a label of one operand alone that the output drops: summed there first
    for t, (lab, other) in enumerate(((la, lb), (lb, la))):
        axes = tuple(k for k, c in enumerate(lab) if c not in other and c not in out)
        if axes:
            bufs[t] = bufs[t].sum(axis=axes)
    la = "".join(c for c in la if c in lb or c in out)
    lb = "".join(c for c in lb if c in la or c in out)
    batch = [c for c in out if c in la and c in lb]
    summed = [c for c in la if c in lb and c not in out]
    fa, fb = [c for c in la if c not in lb], [c for c in lb if c not in la]
    bs = tuple(size[c] for c in batch)
    p, k, q = (math.prod(size[c] for c in group) for group in (fa, summed, fb))
    ta = bufs[0].transpose([la.index(c) for c in batch + fa + summed] + [len(la)])
    tb = bufs[1].transpose([lb.index(c) for c in batch + summed + fb] + [len(lb)])
    res = _stacked_product([(ta.reshape(bs + (p, k, spec.m)), spec),
                            (tb.reshape(bs + (k, q, spec.m)), spec)], spec, constants=False)
    if res is None:
        return None
    res = res.reshape(bs + tuple(size[c] for c in fa + fb) + (spec.m,))
    now = batch + fa + fb
    return res.transpose([now.index(c) for c in out] + [len(out)])


@_implements(np.einsum)
def _einsum(subscripts, *operands, out=None, **kw):
    kw.pop("optimize", None)
    _check_dtype(kw.pop("dtype", None), "einsum")
    if isinstance(subscripts, str):
        converted = ops, spec = _dual_operands(list(operands))
        res = _einsum_pair(subscripts, ops, spec) if len(ops) == 2 and not kw else None
        if res is not None:
            return _check_out(out, _result(res, spec), "einsum")
        res = _multilinear(lambda *xs: np.einsum(subscripts, *xs, **kw), list(operands), converted)
        return _check_out(out, res, "einsum")
    # the interleaved form: operand, sublist, operand, sublist, ..., [output sublist]
    args = (subscripts,) + operands
    tail = [args[-1]] if len(args) % 2 else []
    arrays, sublists = list(args[0:len(args) - len(tail):2]), args[1::2]

    def product(*xs):
        interleaved = [e for pair in zip(xs, sublists) for e in pair]
        return np.einsum(*interleaved, *tail, **kw)

    return _check_out(out, _multilinear(product, arrays), "einsum")


@_implements(np.trace)
def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _check_dtype(dtype, "trace")
    # NumPy's definition, the sum along the diagonal: every component in one pass
    return _check_out(out, np.sum(_diagonal(a, offset, axis1, axis2), axis=-1), "trace")


# ---------------------------------------------- order statistics, interpolation


def _sorted_along(a, axis):
    """(a as a dual array, normalized axis), axis None meaning the flattened a."""
    a = _as_dual(a)
    if axis is None:
        return np.ravel(a), 0
    return a, _ax(axis, a.ndim)


@_implements(np.partition)
def _partition(a, kth, axis=-1, kind="introselect", order=None):
    # a permutation chosen by the values (NumPy's argpartition): each entry
    # keeps its own derivatives
    a, ax = _sorted_along(a, axis)
    idx = np.argpartition(_values(a), kth, axis=ax, kind=kind)
    return _take_along_axis(a, idx, axis=ax)


@_implements(np.median)
def _median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    # the middle entry of the values sorted along axis, or the mean of the
    # two middle ones for an even count; ties take the derivatives of the
    # entry the sort puts there. NaN anywhere along axis gives NaN, as NumPy.
    d = _as_dual(a)
    axes = _axes(axis, d.ndim)
    if len(axes) > 1 or axis is None:
        rest = [i for i in range(d.ndim) if i not in axes]
        x = np.reshape(np.transpose(d, rest + list(axes)), tuple(d.shape[i] for i in rest) + (-1,))
        ax = x.ndim - 1
    else:
        x, ax = d, axes[0]
    size = x.shape[ax]
    if size == 0:
        raise ValueError("numpy.median of an empty dual array has no value to differentiate")
    srt = _sort(x, axis=ax)
    half = size // 2
    if size % 2:
        res = np.take(srt, half, axis=ax)
    else:
        res = np.mean(np.take(srt, [half - 1, half], axis=ax), axis=ax)
    nan = np.isnan(_values(x)).any(axis=ax)
    if nan.any():
        res = np.where(nan, np.nan, res)
    if keepdims:
        res = np.reshape(res, tuple(1 if i in axes else n for i, n in enumerate(d.shape)))
    return _check_out(out, res, "median")


@_implements(np.interp)
def _interp(x, xp, fp, left=None, right=None, period=None):
    # Piecewise linear in x and linear in fp. Values: NumPy's interp. At a
    # knot xp[j] the derivative in x is the slope of the segment to its right
    # (the last segment at xp[-1]), as JAX's interp; outside [xp[0], xp[-1]]
    # the result is left / right (fp[0] / fp[-1] by default), flat in x.
    if period is not None:
        raise TypeError("numpy.interp with period is not supported for dualdiff arrays")
    if isinstance(_operand(xp), tuple):
        raise TypeError("numpy.interp of dual arrays needs constant knots xp; x, fp, left "
                        "and right may be dual")
    xpv = np.asarray(xp, dtype=np.float64)
    xv, fpv = np.asarray(_values(x), dtype=np.float64), np.asarray(_values(fp), dtype=np.float64)
    value = np.interp(xv, xpv, fpv, None if left is None else _values(left),
                      None if right is None else _values(right))
    fp = _as_dual_any(fp)
    if xpv.size == 1:
        res = np.add(np.zeros_like(x) if isinstance(x, (DualArray, Dual)) else np.zeros(xv.shape),
                     np.take(fp, np.zeros(xv.shape, dtype=np.intp)))
    else:
        j = np.clip(np.searchsorted(xpv, xv, side="right") - 1, 0, xpv.size - 2)
        h = xpv[j + 1] - xpv[j]
        fj, fj1 = np.take(fp, j), np.take(fp, j + 1)
        slope = (fj1 - fj) / np.where(h == 0, 1.0, h)
        res = fj + np.where(h == 0, 0.0, x - xpv[j]) * slope
    lo = np.take(fp, 0) if left is None else left
    hi = np.take(fp, -1) if right is None else right
    res = np.where(xv < xpv[0], lo, np.where(xv > xpv[-1], hi, res))
    return _with_values(res, value)


def _with_values(res, value):
    """res (a dual array or Dual) with its values replaced by value."""
    o = _operand(res)
    if not isinstance(o, tuple):
        return np.asarray(value, dtype=np.float64)
    buf = np.array(np.broadcast_to(o[0], np.shape(value) + (o[1].m,)))
    buf[..., 0] = value
    return _result(buf, o[1]) if buf.ndim == 1 else _wrap(buf, o[1])


@_implements(np.polyval)
def _polyval(p, x):
    # Horner's scheme as NumPy runs it, on dual numbers (dual p and/or x)
    if isinstance(p, DualArray):
        coeffs = list(p)
    else:
        coeffs = list(p) if isinstance(p, (list, tuple)) else list(np.asarray(p, dtype=np.float64))
    y = np.zeros_like(x) if isinstance(x, (DualArray, Dual)) else np.zeros_like(np.asarray(x, dtype=np.float64))
    for c in coeffs:
        y = y * x + c
    return y


@_implements(np.linspace)
def _linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, **kw):
    # NumPy's own steps on dual endpoints: entry k is start + k * step
    # (step = (stop - start) / div), the last one stop itself
    _check_dtype(dtype, "linspace")
    num = int(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = (num - 1) if endpoint else num
    delta = np.subtract(stop, start)
    nd = np.ndim(_values(delta))
    y = np.arange(0, num, dtype=np.float64).reshape((-1,) + (1,) * nd)
    if div > 0:
        step = delta / div
        if np.any(_values(step) == 0):
            y = (y / div) * delta
        else:
            y = y * step
    else:
        step = np.nan
        y = y * delta
    y = y + start
    y = _as_dual(y, _spec_of(start, stop))
    if endpoint and num > 1:
        y[-1, ...] = stop
    if axis != 0:
        y = np.moveaxis(y, 0, axis)
    return (y, step) if retstep else y


@_implements(np.gradient)
def _gradient(f, *varargs, axis=None, edge_order=1):
    # linear in f: NumPy's gradient of the values and of each derivative
    # component at once (spacings are constants)
    a = _as_dual(f)
    if any(isinstance(_operand(v), tuple) for v in varargs):
        raise TypeError("numpy.gradient of dual arrays needs constant spacings")
    if axis is None:
        axes = tuple(range(a.ndim))
    elif isinstance(axis, (tuple, list)):
        axes = tuple(_ax(ax, a.ndim) for ax in axis)
    else:
        axes = (_ax(axis, a.ndim),)
    res = np.gradient(_live(a), *varargs, axis=axes, edge_order=edge_order)
    if isinstance(res, (list, tuple)):
        return tuple(_wrap(r, a._spec) for r in res)
    return _wrap(res, a._spec)


# --------------------------------------------------------- more shape functions


@_implements(np.rollaxis)
def _rollaxis(a, axis, start=0):
    a = _as_dual(a)
    n = a.ndim
    axis = _ax(axis, n)
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise np.exceptions.AxisError(f"'start' arg requires {-n} <= start < {n + 1}, but {start} was passed in") \
            if hasattr(np, "exceptions") else ValueError("start out of range")
    if axis < start:
        start -= 1
    axes = [i for i in range(n) if i != axis]
    axes.insert(start, axis)
    return _transpose(a, axes)


@_implements(np.dsplit)
def _dsplit(ary, indices_or_sections):
    a = _as_dual(ary)
    if a.ndim < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return _split(a, indices_or_sections, axis=2)


@_implements(np.rot90)
def _rot90(m, k=1, axes=(0, 1)):
    a = _as_dual(m)
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    ax = (_ax(axes[0], a.ndim), _ax(axes[1], a.ndim))
    return _wrap(np.rot90(_live(a), k, axes=ax), a._spec)


# --------------------------------------------------------------------- FFT


def _fft_axes(a, axes):
    if axes is None:
        return tuple(range(a.ndim))
    if isinstance(axes, numbers.Integral):
        return (_ax(axes, a.ndim),)
    return tuple(_ax(ax, a.ndim) for ax in axes)


@_implements(np.fft.fftshift)
def _fftshift(x, axes=None):
    a = _as_dual(x)
    return _wrap(np.fft.fftshift(_live(a), axes=_fft_axes(a, axes)), a._spec)


@_implements(np.fft.ifftshift)
def _ifftshift(x, axes=None):
    a = _as_dual(x)
    return _wrap(np.fft.ifftshift(_live(a), axes=_fft_axes(a, axes)), a._spec)


def _fft_linear(fn):
    """A real-valued FFT of a real input (irfft, hfft, ...): a linear map,
    run by NumPy on the values and every derivative component at once."""
    def one_axis(a, n=None, axis=-1, norm=None, out=None):
        d = _as_dual(a)
        res = _wrap(fn(_live(d), n, axis=_ax(axis, d.ndim), norm=norm), d._spec)
        return _check_out(out, res, fn.__name__)
    return one_axis


def _fftn_linear(fn, default_axes):
    def many_axes(a, s=None, axes=default_axes, norm=None, out=None):
        d = _as_dual(a)
        if axes is None:
            axes = tuple(range(d.ndim)) if s is None else tuple(range(d.ndim - len(s), d.ndim))
        res = _wrap(fn(_live(d), s, axes=_fft_axes(d, axes), norm=norm), d._spec)
        return _check_out(out, res, fn.__name__)
    return many_axes


_FUNCTIONS[np.fft.irfft] = _fft_linear(np.fft.irfft)
_FUNCTIONS[np.fft.hfft] = _fft_linear(np.fft.hfft)
_FUNCTIONS[np.fft.irfftn] = _fftn_linear(np.fft.irfftn, None)
_FUNCTIONS[np.fft.irfft2] = _fftn_linear(np.fft.irfft2, (-2, -1))


def _complex_result(qualname, gives):
    def refuse(*args, **kwargs):
        raise TypeError(f"numpy.{qualname} of a dual array gives {gives}, and dual arrays are "
                        "real: jacobian, grad, jvp, derivative, hessian and hvp run f again on "
                        "complex dual numbers (dualdiff.ComplexDual), which take it")
    refuse.__name__ = qualname.rpartition(".")[2]
    return refuse


# registered to give that reason; they are not counted as supported
_COMPLEX_FFT = {getattr(np.fft, name): _complex_result("fft." + name, "complex numbers")
                for name in ("fft", "ifft", "rfft", "fft2", "ifft2", "fftn", "ifftn", "rfft2",
                             "rfftn", "ihfft")}
_COMPLEX_FFT[np.linalg.eig] = _complex_result("linalg.eig", "complex numbers in general")
_COMPLEX_FFT[np.linalg.eigvals] = _complex_result("linalg.eigvals", "complex numbers in general")


# ------------------------------------------------------------ linear algebra


def _comps(x, spec):
    """List of the m component arrays of x (DualArray or constant)."""
    o = _operand(x)
    if isinstance(o, tuple):
        return [o[0][..., k] for k in range(spec.m)]
    return [o] + [np.zeros_like(o)] * (spec.m - 1)


def _pairs(n):
    return [(i, j) for i in range(n) for j in range(i, n)]


def _assemble(parts, spec):
    res = np.stack(parts, axis=-1)
    return _result(res, spec) if res.ndim == 1 else _wrap(res, spec)


def _spec_of(*xs):
    """The spec of the linear-algebra functions' operands (first or second order)."""
    ops, spec = _dual_operands([x for x in xs])
    if spec is not None and spec.order == _TAYLOR:
        raise TypeError("numpy.linalg functions of Taylor numbers (dualdiff.taylor) are not "
                        "supported: they take first- and second-order numbers")
    return spec


def _mT(x):
    return np.swapaxes(x, -1, -2)


@_implements(np.linalg.inv)
def _inv(a):
    spec = _spec_of(a)
    A = _comps(a, spec)
    X = np.linalg.inv(A[0])
    n = spec.n
    out = [X]
    d = [X @ A[k] for k in range(1, n + 1)]  # X A_k
    for k in range(n):
        out.append(-d[k] @ X)
    if spec.order > 1:
        q = n + 1
        for i, j in _pairs(n):
            # X_ij = -X (A_ij X + A_i X_j + A_j X_i)
            Xi, Xj = out[1 + i], out[1 + j]
            out.append(-X @ (A[q] @ X + A[1 + i] @ Xj + A[1 + j] @ Xi))
            q += 1
    return _assemble(out, spec)


@_implements(np.linalg.solve)
def _solve(a, b):
    spec = _spec_of(a, b)
    A = _comps(a, spec)
    B = _comps(b, spec)
    vec = np.ndim(B[0]) == 1
    if vec:
        B = [x[:, None] for x in B]
    n = spec.n
    x0 = np.linalg.solve(A[0], B[0])
    out = [x0]
    rhs = [B[k] - A[k] @ x0 for k in range(1, n + 1)]
    if rhs:
        sol = np.linalg.solve(A[0], np.concatenate(rhs, axis=-1))
        w = x0.shape[-1]
        out += [sol[..., k * w:(k + 1) * w] for k in range(n)]
    if spec.order > 1:
        q = n + 1
        rhs2 = []
        for i, j in _pairs(n):
            rhs2.append(B[q] - A[q] @ x0 - A[1 + i] @ out[1 + j] - A[1 + j] @ out[1 + i])
            q += 1
        sol = np.linalg.solve(A[0], np.concatenate(rhs2, axis=-1))
        w = x0.shape[-1]
        out += [sol[..., k * w:(k + 1) * w] for k in range(len(rhs2))]
    if vec:
        out = [x[..., 0] for x in out]
    return _assemble(out, spec)


def _tr(x):
    return np.trace(x, axis1=-2, axis2=-1)


@_implements(np.linalg.slogdet)
def _slogdet(a):
    spec = _spec_of(a)
    A = _comps(a, spec)
    sign, logdet = np.linalg.slogdet(A[0])
    X = np.linalg.inv(A[0])
    n = spec.n
    XA = [X @ A[k] for k in range(1, n + 1)]
    out = [logdet] + [_tr(m) for m in XA]
    if spec.order > 1:
        q = n + 1
        for i, j in _pairs(n):
            out.append(_tr(X @ A[q]) - _tr(XA[i] @ XA[j]))
            q += 1
    res = _assemble([np.asarray(o, dtype=float) for o in out], spec)
    return _SlogdetResult(sign, res)


@final  # never subclassed: the tuple of a result with named parts
class _SlogdetResult(tuple):
    def __new__(cls, sign, logabsdet):
        return tuple.__new__(cls, (sign, logabsdet))

    @property
    def sign(self):
        return self[0]

    @property
    def logabsdet(self):
        return self[1]


@_implements(np.linalg.det)
def _det(a):
    spec = _spec_of(a)
    A = _comps(a, spec)
    d = np.linalg.det(A[0])
    X = np.linalg.inv(A[0])
    n = spec.n
    XA = [X @ A[k] for k in range(1, n + 1)]
    t = [_tr(m) for m in XA]
    out = [d] + [d * x for x in t]
    if spec.order > 1:
        q = n + 1
        for i, j in _pairs(n):
            out.append(d * (t[i] * t[j] - _tr(XA[i] @ XA[j]) + _tr(X @ A[q])))
            q += 1
    return _assemble([np.asarray(o, dtype=float) for o in out], spec)


def _phi(x):
    """Lower triangle with the diagonal halved."""
    return np.tril(x, -1) + 0.5 * np.einsum("...ii->...i", x)[..., None] * np.eye(x.shape[-1])


@_implements(np.linalg.cholesky)
def _cholesky(a, upper=False):
    spec = _spec_of(a)
    A = _comps(a, spec)
    L = np.linalg.cholesky(A[0])
    Li = np.linalg.inv(L)
    n = spec.n

    def step(dA):
        return L @ _phi(Li @ dA @ _mT(Li))

    out = [L] + [step(A[k]) for k in range(1, n + 1)]
    if spec.order > 1:
        q = n + 1
        for i, j in _pairs(n):
            Li_, Lj = out[1 + i], out[1 + j]
            out.append(step(A[q] - Li_ @ _mT(Lj) - Lj @ _mT(Li_)))
            q += 1
    res = _assemble(out, spec)
    return np.swapaxes(res, -1, -2) if upper else res


@final  # never subclassed: the tuple of a result with named parts
class _EighResult(tuple):
    def __new__(cls, w, v):
        return tuple.__new__(cls, (w, v))

    @property
    def eigenvalues(self):
        return self[0]

    @property
    def eigenvectors(self):
        return self[1]


@_implements(np.linalg.eigh)
def _eigh(a, UPLO="L"):
    spec = _spec_of(a)
    UPLO = UPLO.upper() if isinstance(UPLO, str) else UPLO
    if UPLO not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")

    def sym(M):
        if UPLO == "L":
            return np.tril(M) + _mT(np.tril(M, -1))
        return np.triu(M) + _mT(np.triu(M, 1))

    A = _comps(a, spec)
    # NumPy's own decomposition of the values, read from the same triangle:
    # LAPACK's eigenvectors (their signs included) depend on which triangle
    # it reads, and a function of them must give NumPy's values
    w, V = np.linalg.eigh(A[0], UPLO)
    diff = w[..., None, :] - w[..., :, None]
    with np.errstate(divide="ignore"):
        F = np.where(np.eye(w.shape[-1], dtype=bool), 0.0, 1.0 / diff)
    # In the eigenbasis, M = V^T A V has eigenvectors U (U = I at the point)
    # and eigenvalues L: M U = U L.  Each derivative of that identity gives
    # the same equation R + L U' - U' L = L' with a known R, solved
    # entrywise: L' = diag(R), offdiag(U') = F * R; U^T U = I fixes diag(U').
    n = spec.n
    P = [_mT(V) @ sym(A[k]) @ V for k in range(1, n + 1)]  # the first derivatives of M
    lam = [np.einsum("...ii->...i", p) for p in P]
    U = [F * p for p in P]
    wc, vc = [w] + lam, [V] + [V @ u for u in U]
    if spec.order > 1:
        q = n + 1
        for i, j in _pairs(n):
            R = (_mT(V) @ sym(A[q]) @ V + P[i] @ U[j] + P[j] @ U[i]
                 - U[i] * lam[j][..., None, :] - U[j] * lam[i][..., None, :])
            wc.append(np.einsum("...ii->...i", R))
            Uij = F * R
            Uij += np.einsum("...mk,...mk->...k", U[i], U[j])[..., None, :] * -np.eye(w.shape[-1])
            vc.append(V @ Uij)
            q += 1
    return _EighResult(_assemble(wc, spec), _assemble(vc, spec))


@_implements(np.linalg.eigvalsh)
def _eigvalsh(a, UPLO="L"):
    w = _eigh(a, UPLO)[0]
    if not np.all(np.isfinite(w.value)):
        # NumPy's eigvalsh runs another LAPACK routine than eigh, which
        # refuses some matrices (infinite entries) that eigh returns NaN for:
        # its error, as NumPy on the values
        np.linalg.eigvalsh(a.value, UPLO)
    return w


@final  # never subclassed: the tuple of a result with named parts
class _QRResult(tuple):
    def __new__(cls, q, r):
        return tuple.__new__(cls, (q, r))

    @property
    def Q(self):
        return self[0]

    @property
    def R(self):
        return self[1]


@_implements(np.linalg.qr)
def _qr(a, mode="reduced"):
    spec = _spec_of(a)
    if mode not in ("reduced", "r"):
        raise TypeError(f"numpy.linalg.qr with mode={mode!r} is not supported for dualdiff arrays")
    A = _comps(a, spec)
    Q, R = np.linalg.qr(A[0])
    if A[0].shape[-2] < A[0].shape[-1]:
        raise TypeError("numpy.linalg.qr of a wide dual matrix is not supported")
    Ri = np.linalg.inv(R)
    eye = np.eye(R.shape[-1])

    def step(B, S):
        # Each derivative of A = QR reads Q' R + Q R' = B (B holds the lower
        # derivatives), with Q^T Q' + Q'^T Q = -S from Q^T Q = I.  Z = Q^T Q'
        # has the strict lower triangle of Y = Q^T B R^-1 (R' R^-1 is upper
        # triangular) and the rest from the symmetric condition.
        Y = _mT(Q) @ B @ Ri
        low = np.tril(Y, -1)
        Z = low - _mT(low)
        if S is not None:
            Z = Z - np.triu(S, 1) - 0.5 * S * eye
        U = Y - Z
        return B @ Ri - Q @ U, U @ R

    n = spec.n
    qc, rc = [Q], [R]
    for k in range(1, n + 1):
        dq, dr = step(A[k], None)
        qc.append(dq)
        rc.append(dr)
    if spec.order > 1:
        q = n + 1
        for i, j in _pairs(n):
            Qi, Qj, Ri_, Rj = qc[1 + i], qc[1 + j], rc[1 + i], rc[1 + j]
            S = _mT(Qi) @ Qj + _mT(Qj) @ Qi
            dq, dr = step(A[q] - Qi @ Rj - Qj @ Ri_, S)
            qc.append(dq)
            rc.append(dr)
            q += 1
    r = _assemble(rc, spec)
    if mode == "r":
        return r
    return _QRResult(_assemble(qc, spec), r)


def _by_rule(spec, A, X0, tmap):
    """Components of quantities computed from one array input, from their
    rule for first derivatives.

    A: the input's components (see _comps); X0: the values of the quantities
    the rule reads (the outputs, and the input's value when the rule needs
    it); ``tmap(X, dA)`` returns the derivatives of those quantities along a
    derivative dA of the input. The rule is written with NumPy functions, so
    at second order it runs once per direction i on first-order dual arrays:
    X carrying its first derivatives and dA = A_i carrying the A_ij give as
    derivatives the second derivatives X_ij (the derivative of the rule along
    j plus the rule applied to A_ij). Returns one list of components per
    quantity."""
    n = spec.n
    d = [tmap(X0, A[1 + k]) for k in range(n)]
    comps = [[x] + [np.asarray(d[k][o], dtype=np.float64) for k in range(n)] for o, x in enumerate(X0)]
    if spec.order > 1:
        s1 = _Spec(n, 1, spec.tag)
        Xd = [_wrap(np.ascontiguousarray(np.stack(c, axis=-1)), s1) for c in comps]
        index = {pair: n + 1 + t for t, pair in enumerate(_pairs(n))}
        second = {}
        for i in range(n):
            dAi = np.stack([A[1 + i]] + [A[index[min(i, j), max(i, j)]] for j in range(n)], axis=-1)
            for o, t in enumerate(tmap(Xd, _wrap(dAi, s1))):
                o_ = _operand(t)
                tb = _lift(o_, s1)[0] if isinstance(o_, tuple) else _as_buf(o_, s1)
                for j in range(i, n):
                    second[o, i, j] = tb[..., 1 + j]
        for o in range(len(X0)):
            comps[o] += [second[o, i, j] for i, j in _pairs(n)]
    return comps


@final  # never subclassed: the tuple of a result with named parts
class _SVDResult(tuple):
    def __new__(cls, u, s, vh):
        return tuple.__new__(cls, (u, s, vh))

    @property
    def U(self):
        return self[0]

    @property
    def S(self):
        return self[1]

    @property
    def Vh(self):
        return self[2]


def _svd_rule(X, dA, full, only_s=False):
    """Derivatives of (U, s, V) of A = U diag(s) V^T along dA (V = Vh^T).

    With P = U1^T dA V1 (U1, V1: the first k = min(m, n) columns) and
    F_ij = 1 / (s_j^2 - s_i^2) off the diagonal (0 on it), as in Townsend,
    "Differentiating the singular value decomposition" (2016):
    ds = diag(P), dU1 = U1 (F o (P S + S P^T)) + (I - U1 U1^T) dA V1 S^-1,
    dV1 = V1 (F o (S P + P^T S)) + (I - V1 V1^T) dA^T U1 S^-1, the last terms
    only for a tall (U) or wide (V) matrix, as JAX does. With full matrices,
    the columns U2 beyond k turn with U1 only: U2^T dU2 = 0, so
    dU2 = -U1 S^-1 V1^T dA^T U2 (likewise V2)."""
    U, s, V = X
    m, n = U.shape[-2], V.shape[-2]
    k = min(m, n)
    U1 = U[..., :k] if U.shape[-1] > k else U
    V1 = V[..., :k] if V.shape[-1] > k else V
    P = _mT(U1) @ dA @ V1
    ds = np.einsum("...ii->...i", P)
    if only_s:
        return [None, ds, None]
    sr, sc = s[..., None, :], s[..., :, None]
    s2 = s * s
    eye = np.eye(k)
    F = (1.0 - eye) / (s2[..., None, :] - s2[..., :, None] + eye)
    Pt = _mT(P)
    dU = U1 @ (F * (P * sr + sc * Pt))
    dV = V1 @ (F * (sc * P + Pt * sr))
    if m > k:
        dU = dU + (dA @ V1 - U1 @ P) / sr
    if n > k:
        dV = dV + (_mT(dA) @ U1 - V1 @ Pt) / sr
    if full and m > k:
        dU = np.concatenate([dU, -U1 @ _mT((_mT(U[..., k:]) @ dA @ V1) / sr)], axis=-1)
    if full and n > k:
        dV = np.concatenate([dV, -V1 @ _mT((_mT(V[..., k:]) @ _mT(dA) @ U1) / sr)], axis=-1)
    return [dU, ds, dV]


@_implements(np.linalg.svd)
def _svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    # Values: NumPy's own decomposition. Derivatives: see _svd_rule. Repeated
    # singular values (and, for U of a tall or V of a wide matrix, zero ones)
    # leave the singular vectors without a derivative: theirs come out inf or
    # NaN, as in JAX, while the first derivatives of the singular values stay
    # finite (ds = diag(U^T dA V)); second derivatives need the vectors'.
    spec = _spec_of(a)
    A = _comps(a, spec)
    u, s, vh = np.linalg.svd(A[0], full_matrices=full_matrices, hermitian=hermitian)
    if not compute_uv and spec.order == 1:
        X0 = [u, s, _mT(vh)]
        ds = [s] + [_svd_rule(X0, A[k], full_matrices, only_s=True)[1] for k in range(1, spec.n + 1)]
        return _assemble(ds, spec)
    comps = _by_rule(spec, A, [u, s, _mT(vh)], lambda X, dA: _svd_rule(X, dA, full_matrices))
    S = _assemble(comps[1], spec)
    if not compute_uv:
        return S
    return _SVDResult(_assemble(comps[0], spec), S, np.swapaxes(_assemble(comps[2], spec), -1, -2))


@_implements(np.linalg.pinv)
def _pinv(a, rcond=None, hermitian=False, **kwargs):
    # Values: NumPy's pinv. Derivatives: Golub and Pereyra (1973),
    # dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P, exact while
    # the rank stays the same (a rank-deficient A, whose small singular values
    # rcond cuts, differentiates as if they stayed cut, as in JAX).
    spec = _spec_of(a)
    A = _comps(a, spec)
    if rcond is not None:
        kwargs["rcond"] = rcond
    P0 = np.linalg.pinv(A[0], hermitian=hermitian, **kwargs)
    m, n = A[0].shape[-2:]

    def rule(X, dA):
        Am, P = X
        Pt, dAt = _mT(P), _mT(dA)
        return [dA, -(P @ dA @ P) + P @ Pt @ dAt @ (np.eye(m) - Am @ P)
                + (np.eye(n) - P @ Am) @ dAt @ Pt @ P]

    return _assemble(_by_rule(spec, A, [A[0], P0], rule)[1], spec)


@_implements(np.linalg.lstsq)
def _lstsq(a, b, rcond=None):
    A = _as_dual_any(a)
    B = _as_dual_any(b)
    x = np.linalg.solve(_mT(A) @ A, _mT(A) @ B) if np.ndim(_values(B)) > 1 else \
        np.linalg.solve(_mT(A) @ A, _mT(A) @ B)
    av = _values(A)
    bv = _values(B)
    x0, res0, rank, sv = np.linalg.lstsq(av, bv, rcond=rcond)
    if rank < av.shape[-1]:
        raise np.linalg.LinAlgError("numpy.linalg.lstsq of dual arrays needs full column rank")
    xb = _live(x) if isinstance(x, DualArray) else None
    if xb is not None:
        xb[..., 0] = x0
    if res0.size:
        r = B - A @ x
        residuals = np.sum(r * r, axis=0)
    else:
        residuals = res0
    return x, residuals, rank, sv


@_implements(np.linalg.norm)
def _norm(x, ord=None, axis=None, keepdims=False):
    x = _as_dual(x)
    if axis is None and ord is None:
        r = np.sqrt(np.sum(x * x))
        return np.reshape(r, (1,) * x.ndim) if keepdims else r
    if axis is None:
        axis = tuple(range(x.ndim)) if x.ndim <= 2 else None
        if axis is None:
            raise ValueError("Improper number of dimensions to norm.")
        if len(axis) == 1:
            axis = axis[0]
    if isinstance(axis, numbers.Integral) or (isinstance(axis, tuple) and len(axis) == 1):
        ax = axis if isinstance(axis, numbers.Integral) else axis[0]
        if ord is None or ord == 2:
            return np.sqrt(np.sum(x * x, axis=ax, keepdims=keepdims))
        if ord == np.inf:
            return np.max(np.abs(x), axis=ax, keepdims=keepdims)
        if ord == -np.inf:
            return np.min(np.abs(x), axis=ax, keepdims=keepdims)
        if ord == 0:
            return _out_like(np.sum(_values(x) != 0, axis=ax, keepdims=keepdims).astype(float), x._spec)
        if ord == 1:
            return np.sum(np.abs(x), axis=ax, keepdims=keepdims)
        p = float(ord)
        return np.sum(np.abs(x) ** p, axis=ax, keepdims=keepdims) ** (1.0 / p)
    r0, r1 = _nat(axis, x.ndim)
    if ord in (None, "fro"):
        return np.sqrt(np.sum(x * x, axis=(r0, r1), keepdims=keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        s_ax, m_ax = (r0, r1) if ord in (1, -1) else (r1, r0)
        s = np.sum(np.abs(x), axis=s_ax, keepdims=True)
        f = np.max if ord in (1, np.inf) else np.min
        r = f(s, axis=m_ax, keepdims=True)
        return r if keepdims else np.squeeze(r, axis=(r0, r1))
    if ord in ("nuc", 2, -2):  # of the singular values: their sum, largest or smallest
        sv = _svd(np.moveaxis(x, (r0, r1), (-2, -1)), compute_uv=False)
        r = np.sum(sv, axis=-1) if ord == "nuc" else np.max(sv, axis=-1) if ord == 2 else np.min(sv, axis=-1)
        return np.expand_dims(r, tuple(sorted((r0, r1)))) if keepdims else r
    raise TypeError(f"numpy.linalg.norm with ord={ord!r} is not supported for dualdiff arrays")


@_implements(np.append)
def _append(arr, values, axis=None):
    if axis is None:
        return _concatenate([np.ravel(_as_dual_any(arr)), np.ravel(_as_dual_any(values))])
    return _concatenate([arr, values], axis=axis)


@_implements(np.average)
def _average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    if weights is None:
        avg = np.mean(a, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        count = np.size(_values(a)) / max(np.size(_values(avg)), 1)
        return avg, np.full(np.shape(_values(avg)), count)
    w = weights
    if np.ndim(_values(w)) != np.ndim(_values(a)):
        if axis is None or np.ndim(_values(w)) != 1:
            raise TypeError("numpy.average: 1-D weights need an axis")
        shape = [1] * np.ndim(_values(a))
        shape[_ax(axis, np.ndim(_values(a)))] = -1
        w = np.reshape(w, shape) if isinstance(w, (DualArray, Dual)) else np.reshape(w, shape)
    scl = np.sum(np.multiply(np.ones_like(a) if isinstance(a, DualArray) else np.ones(np.shape(a)), w),
                 axis=axis, keepdims=keepdims)
    if np.any(np.asarray(_values(scl)) == 0.0):  # as NumPy: no average of zero total weight
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    avg = np.sum(np.multiply(a, w), axis=axis, keepdims=keepdims) / scl
    return (avg, scl) if returned else avg


@_implements(np.linalg.multi_dot)
def _multi_dot(arrays, *, out=None):
    r = arrays[0]
    for x in arrays[1:]:
        r = np.dot(r, x)
    return _check_out(out, r, "multi_dot")


if hasattr(np.linalg, "vector_norm"):
    @_implements(np.linalg.vector_norm)
    def _vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
        x = _as_dual(x)
        if axis is None:
            r = _norm(np.ravel(x), ord=ord, axis=0)
            return np.reshape(r, (1,) * x.ndim) if keepdims else r
        return _norm(x, ord=ord, axis=axis, keepdims=keepdims)

    @_implements(np.linalg.matrix_norm)
    def _matrix_norm(x, /, *, keepdims=False, ord="fro"):
        return _norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


if hasattr(np, "vecdot"):
    _OTHER[np.vecdot] = lambda a, b, **kw: _multilinear(lambda x, y: np.vecdot(x, y, **kw), [a, b])


# Numbers of other kinds that carry Duals as parts (dualdiff/_third.py adds
# its nested numbers): an object array of them meeting a Dual runs NumPy's
# object loop, whose elements know how to meet a Dual.
OBJECT_LOOP_TYPES: set[type] = set()
OBJECT_ARRAY: Callable[[np.ndarray], np.ndarray] | None = None  # array() of such numbers


def holds_deeper(x):
    """Does x hold the numbers of a transform nested at a total order of three
    or more (OBJECT_LOOP_TYPES), alone, in an object array or in a list?"""
    if type(x) in OBJECT_LOOP_TYPES or _object_loop((x,)):
        return True
    return isinstance(x, (list, tuple)) and any(holds_deeper(e) for e in x)


def _object_loop(inputs):
    for x in inputs:
        if isinstance(x, np.ndarray) and x.dtype == object and not isinstance(x, DualArray):
            for e in x.flat:
                if type(e) in OBJECT_LOOP_TYPES:
                    return True
    return False


# Scalar Duals meeting arrays, and ufuncs the scalar type has no fast path
# for: the ufunc goes through this module.
def _hook(ufunc, method, inputs, kwargs):
    if method == "__call__" and not kwargs and OBJECT_LOOP_TYPES and _object_loop(inputs):
        boxed = []
        for x in inputs:
            if type(x) is Dual:
                b = np.empty((), dtype=object)
                b[()] = x
                x = b
            boxed.append(x)
        return ufunc(*boxed)
    return _ufunc(ufunc, method, inputs, dict(kwargs))


def _function_hook(func, args, kwargs):
    """A NumPy function called on scalar Duals: the dual-array rule on 0-d
    arrays (a 0-d result is a Dual again), or NumPy's own implementation."""
    handler = _FUNCTIONS.get(func)
    if handler is None:
        try:
            return func._implementation(*args, **kwargs)
        except (AttributeError, TypeError):  # NumPy's code needs arrays of numbers
            raise TypeError(f"{_fname(func)} is not supported for dualdiff.Dual") from None
    return _scalars(handler(*args, **kwargs))


def _scalars(out):
    if isinstance(out, DualArray) and out.ndim == 0:
        return _to_dual(out._buf, out._spec)
    if isinstance(out, tuple):
        return tuple(_scalars(o) for o in out)
    return out


_set_array_hook(_hook, _function_hook)
_k._set_seeded_hooks(DualArray.__getitem__, DualArray.__array_finalize__, _Spec, _pack_duals)
_set_seeded_hook(_k.seeded_vector_capsule(), _k.float_array_capsule(), _SeededVector, _STRIPPED)
