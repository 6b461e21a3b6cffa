"""Dependency patterns: the numbers sparsity detection runs f on.

:func:`dualdiff.jacobian_sparsity` runs ``f`` once on numbers that carry,
beside their value, the set of inputs they depend on. The sets of one
detection live in a :class:`dualdiff._sparse_c.Store` (C): each number holds
the id of its set, and an operation unites the sets of its operands there.

Two kinds of numbers, the twins of :class:`dualdiff.Dual` and
:class:`dualdiff.DualArray`:

``_PatternNumber``
    a scalar (an element of an array indexed with ints, a full reduction,
    the input of a scalar ``f``): Python operators, ``dualdiff.math`` and
    NumPy's ufuncs work on it, one set union per operation.
``_PatternArray``
    an ndarray subclass holding a float64 array of values and an int64 array
    of set ids of the same shape. NumPy dispatches every ufunc and function
    to the rules here (``__array_ufunc__``, ``__array_function__``), which
    compute the values with NumPy and the sets with one vectorized pass in C:
    shape functions and indexing move ids with the values, elementwise
    functions unite the operands' sets, reductions unite along their axes,
    products and linear algebra take the structural product.

Structure comes from the C rule table (``dd_unary_depends``,
``dd_binary_depends``): step functions (floor, ceil, trunc, rint, sign,
``//``) give empty sets, and an argument whose partial is identically zero
(copysign's second) is dropped. A difference never cancels a dependency. A
product with the constant 0 drops the other factor, as do ``a ** 0``,
``0 ** b`` and ``1 ** b``: "constant" means a number that does not come
from x at all (a float, or an array element made by padding, ``zeros_like``,
``diag`` and the like, set id 0), not one that merely depends on no input.
Functions that pick among their arguments by value (``np.maximum``,
``np.max``, ``np.clip``, norms with ``ord=inf``) depend on all of them;
Python's ``max`` and ``if`` follow the branch taken at x, and so do
``np.where``, ``np.sort``, ``np.partition``, ``np.median`` (its middle
entry, or the two middle entries of an even count) and indexing with masks
computed from values. The real-valued FFTs (irfft, hfft, irfft2, irfftn)
depend on every input they read along their axes, a superset where entries
of the transform vanish.

Values may be complex (``1j * x``, ``np.exp(1j * x)``, the complex FFTs,
``np.linalg.eig``): a complex number carries one set for both parts, so
``np.real``, ``np.imag``, ``np.abs`` and ``np.angle`` of it depend on all of
it (a superset where one part is constant), and ``np.sign`` of it is no step.
Hessian detection refuses complex values.

Every NumPy ufunc and function that :class:`dualdiff.DualArray` supports is
supported here (``supported_ufuncs``, ``supported_functions``; a test walks
both lists), and ``dualdiff.math`` takes pattern numbers through a hook of
the compiled module.
"""
import math
import numbers
import sys
import warnings
from typing import Any

import numpy as np

from dualdiff import _array as _k
from dualdiff import _ndarray as _nd
from dualdiff._dual import _ufunc_name
from dualdiff._dual import Dual, _set_pattern_hook
from dualdiff._sparse_c import Store, rule_structure

__all__ = ["_PatternArray", "_PatternNumber", "Store", "array", "seed", "read", "supported_functions",
           "supported_ufuncs"]

_UNARY_DEPENDS, _BINARY_DEPENDS = rule_structure()
_I64 = np.dtype(np.int64)
_F64 = np.dtype(np.float64)
_CHUNK = 1 << 22  # members per pass of a structural product (memory: 8 bytes each)


def _mix_error():
    from dualdiff._nesting import NestingError

    return NestingError("dependency patterns met the numbers of a derivative transform: a transform "
                        "inside jacobian_sparsity, or jacobian_sparsity inside a transform, is not "
                        "supported (a scipy.sparse pattern cannot carry derivatives); use jacobian(f) "
                        "there")


def _store_error():
    return ValueError("dependency patterns of two different jacobian_sparsity calls met "
                      "(a number kept from a finished call?)")


# ------------------------------------------------------------------ numbers


class _PatternNumber:
    """A number of sparsity detection: its value and the set of inputs it
    depends on (an id into the detection's Store). Made by
    :func:`dualdiff.jacobian_sparsity`; arithmetic, comparisons (of values),
    ``dualdiff.math`` and NumPy ufuncs work on it as on a Dual. ``float()``
    raises, so that a dependency is never dropped silently: use ``.value``."""

    __slots__ = ("_value", "_id", "_store")

    def __init__(self, value, id, store):
        self._value = value
        self._id = id
        self._store = store

    @property
    def value(self) -> float | complex:
        """The value, a float (complex where f computes with complex numbers)."""
        return self._value

    @property
    def dependencies(self):
        """The sorted input indices this number depends on (an int64 array)."""
        return self._store.row(self._id)

    def __repr__(self):
        return f"_PatternNumber({self._value!r}, depends on {self.dependencies.tolist()})"

    # ----------------------------------------------- refuse to lose the set

    def __float__(self):
        raise TypeError("float() of a dependency pattern would drop its dependencies; use .value "
                        "for the number, and dualdiff.math (or numpy ufuncs) instead of math")

    def __int__(self):
        raise TypeError("int() of a dependency pattern would drop its dependencies; use .value")

    def __complex__(self):
        raise TypeError("complex() of a dependency pattern would drop its dependencies; use .value")

    # ------------------------------------------------------- comparisons

    def __eq__(self, other):
        w = _cmp_value(other)
        return NotImplemented if w is None else self._value == w

    def __ne__(self, other):
        w = _cmp_value(other)
        return NotImplemented if w is None else self._value != w

    def __lt__(self, other):
        w = _cmp_value(other)
        return NotImplemented if w is None else self._value < w

    def __le__(self, other):
        w = _cmp_value(other)
        return NotImplemented if w is None else self._value <= w

    def __gt__(self, other):
        w = _cmp_value(other)
        return NotImplemented if w is None else self._value > w

    def __ge__(self, other):
        w = _cmp_value(other)
        return NotImplemented if w is None else self._value >= w

    def __bool__(self):
        return self._value != 0.0

    def __hash__(self):
        v = self._value
        return object.__hash__(self) if v != v else hash(v)

    # -------------------------------------------------------- arithmetic

    def __add__(self, other):
        return _scalar_op(self, other, "add")

    def __radd__(self, other):
        return _scalar_op(other, self, "add")

    def __sub__(self, other):
        return _scalar_op(self, other, "sub")

    def __rsub__(self, other):
        return _scalar_op(other, self, "sub")

    def __mul__(self, other):
        return _scalar_op(self, other, "mul")

    def __rmul__(self, other):
        return _scalar_op(other, self, "mul")

    def __truediv__(self, other):
        return _scalar_op(self, other, "div")

    def __rtruediv__(self, other):
        return _scalar_op(other, self, "div")

    def __pow__(self, other, mod=None):
        return NotImplemented if mod is not None else _scalar_op(self, other, "pow")

    def __rpow__(self, other, mod=None):
        return NotImplemented if mod is not None else _scalar_op(other, self, "pow")

    def __floordiv__(self, other):
        return _scalar_op(self, other, "floordiv")

    def __rfloordiv__(self, other):
        return _scalar_op(other, self, "floordiv")

    def __mod__(self, other):
        return _scalar_op(self, other, "mod")

    def __rmod__(self, other):
        return _scalar_op(other, self, "mod")

    def __divmod__(self, other):
        q = _scalar_op(self, other, "floordiv")
        return q if q is NotImplemented else (q, _scalar_op(self, other, "mod"))

    def __rdivmod__(self, other):
        q = _scalar_op(other, self, "floordiv")
        return q if q is NotImplemented else (q, _scalar_op(other, self, "mod"))

    def __neg__(self):
        return _PatternNumber(-self._value, self._id, self._store)

    def __pos__(self):
        return self

    def __abs__(self):
        return _PatternNumber(abs(self._value), self._id, self._store)

    def __round__(self, ndigits=None):
        v = round(self._value, ndigits) if ndigits is not None else float(round(self._value))
        return _step(self, v)

    def __floor__(self):
        return _step(self, float(math.floor(self._value)))

    def __ceil__(self):
        return _step(self, float(math.ceil(self._value)))

    def __trunc__(self):
        return _step(self, float(math.trunc(self._value)))

    def conjugate(self):
        return self

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        # NumPy functions of pattern numbers alone (np.linspace(z[0], z[1]),
        # np.mean(z[0]), ...) run the rules of the pattern arrays, as a Dual
        # runs the dual arrays'; the rest run NumPy's own on the numbers
        handler = _FUNCTIONS.get(func)
        if handler is not None:
            if _SECOND and func not in _LINEAR_FUNCTIONS:
                return _second_dense(handler(*args, **kwargs))
            return handler(*args, **kwargs)
        return func._implementation(*args, **kwargs)


def _step(p, v):
    """A step function's result at p: value v, no dependency."""
    return _PatternNumber(v, 1 if p._id else 0, p._store)


def _cmp_value(x):
    t = type(x)
    if t is _PatternNumber:
        return x._value
    if t is float or t is int or t is bool:
        return x
    if isinstance(x, (numbers.Real, np.floating, np.integer)) and not isinstance(x, np.ndarray):
        return x
    return None


def _number(x):
    """(value, id, store) of a scalar operand: a pattern number or a real
    number (id 0, store None); None for anything else."""
    t = type(x)
    if t is _PatternNumber:
        return x._value, x._id, x._store
    if t is float:
        return x, 0, None
    if t is int or t is bool:
        return float(x), 0, None
    if isinstance(x, (Dual, _nd.DualArray)):
        raise _mix_error()
    if isinstance(x, (numbers.Real, np.floating, np.integer, np.bool_)) and not isinstance(x, np.ndarray):
        return float(x), 0, None
    if isinstance(x, (complex, np.complexfloating)):
        return complex(x), 0, None
    return None


def _scalar_value(rule, u, w):
    """The value of a binary operator on floats, with Python's (and Dual's) exceptions."""
    if rule == "add":
        return u + w
    if rule == "sub":
        return u - w
    if rule == "mul":
        return u * w
    if rule == "div":
        return u / w
    if rule == "floordiv":
        return u // w
    if rule == "mod":
        return u % w
    if type(u) is complex or type(w) is complex:
        return u ** w  # complex powers have a value (0 ** negative raises)
    # pow, as Dual: errors where a real power has no value
    if u == 0.0 and w < 0.0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    if u < 0.0 and w != w // 1.0 and math.isfinite(w):
        raise ValueError("a negative base to a non-integer power has no real value")
    return u ** w


def _pair_ids(rule, ia, u, ib, w, store):
    """The set id of rule(a, b) for scalar operands (constants have id 0)."""
    da, db = _drops(rule, ia == 0, u, ib == 0, w)
    if da and ia:
        ia = _DROPPED[rule]
    if db and ib:
        ib = _DROPPED[rule]
    return store.union_pair(ia, ib) if (ia > 1 and ib > 1 and ia != ib) else _small_union(ia, ib)


def _small_union(x, y):
    """The union of two ids of which at most one is a set that is not empty,
    or which are equal."""
    if x == y or y == 0:
        return x
    if x == 0 or x == 1:
        return y
    return x  # y == 1


# What an operand whose dependency a rule drops leaves: a product with the
# constant 0 (and a ** 0, 0 ** b, 1 ** b) is a constant itself, while a step
# (floor division, copysign's sign) depends on nothing but is no constant.
_DROPPED = {rule: 1 for rule in _BINARY_DEPENDS}
_DROPPED["mul"] = _DROPPED["pow"] = 0


def _drops(rule, ca, u, cb, w):
    """Whether rule(a, b) drops a's and b's dependencies; ca, cb: the operand
    is a constant (u, w: the values)."""
    if rule == "mul":
        return cb and w == 0.0, ca and u == 0.0
    if rule == "pow":
        return cb and w == 0.0, ca and (u == 0.0 or u == 1.0)
    dx, dy = _BINARY_DEPENDS[rule]
    return not dx, not dy


def _scalar_op(a, b, rule):
    x = _number(a)
    y = _number(b)
    if x is None or y is None:
        return NotImplemented  # an array: NumPy dispatches to __array_ufunc__
    u, ia, sa = x
    w, ib, sb = y
    store = sa if sa is not None else sb
    if sa is not None and sb is not None and sa is not sb:
        raise _store_error()
    v = _scalar_value(rule, u, w)
    out = _pair_ids(rule, ia, u, ib, w, store)
    if _SECOND:
        if type(v) is complex:
            raise _second_complex_error()
        out = _second_scalar(store, rule, ia, ib, out)
    return _PatternNumber(v, out, store)



# ------------------------------------------------------------------- arrays


def _refuse_float(*args, **kwargs):
    raise TypeError("this would drop the dependencies of a pattern array; use .value")


class _PatternArray(np.ndarray):
    """An array of dependency patterns (values, and the set of inputs each
    element depends on), made by :func:`dualdiff.jacobian_sparsity`.

    NumPy functions and ufuncs applied to it return pattern arrays; indexing
    one element gives a :class:`_PatternNumber`. ``.value`` is the float64
    array of values. Like a DualArray, the ndarray underneath holds
    placeholders: ``np.asarray`` of it gives objects whose first use raises.
    """

    __array_priority__ = 20.0

    def __array_finalize__(self, obj):
        self._v = None
        self._i = None
        self._store = None
        # np.asanyarray(p, dtype=np.float64): as DualArray (see _Stripped)
        if isinstance(obj, _PatternArray) and obj._v is not None and self.shape == obj.shape \
                and _nd._NDARRAY_DTYPE(self) == _F64:
            self._v = np.array(obj._v)
            self._i = np.array(obj._i)
            self._store = obj._store
            if self.size:
                frame = sys._getframe(1)
                _nd._casts[:] = [self.size, frame, frame.f_lasti]

    @property
    def value(self):
        """The values: a float64 (or complex128) ndarray (a copy)."""
        return np.array(_live(self)[0])

    @property
    def dependencies(self):
        """The dependency sets as a scipy.sparse CSR array of shape (size, n inputs)."""
        import scipy.sparse as sp  # type: ignore[import-untyped]  # SciPy ships no type stubs

        v, i, s = _live(self)
        indptr, indices = s.rows(np.ascontiguousarray(i, dtype=np.int64).reshape(-1))
        return sp.csr_array((np.ones(indices.size, dtype=bool), indices, indptr), shape=(i.size, s.n))

    @property
    def dtype(self):
        """float64 or complex128: the dtype of the values."""
        v = self._v
        return _F64 if v is None else v.dtype

    def __repr__(self):
        if self._v is None:
            return "_PatternArray(<detached view, dependencies lost>)"
        return f"_PatternArray(value={np.array2string(self._v, separator=', ')})"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("dependency patterns cannot be pickled")

    __float__ = __int__ = __complex__ = _refuse_float

    def __index__(self):
        raise TypeError("a pattern array cannot be used as an index")

    def tobytes(self, order="C"):
        _refuse_float()

    def tofile(self, *args, **kwargs):
        _refuse_float()

    def tolist(self):
        """tolist(): nested lists of PatternNumbers."""
        if self.ndim == 0:
            return self[()]
        return [x.tolist() if isinstance(x, _PatternArray) else x for x in self]

    def item(self, *args):
        """item(*args): one element as a _PatternNumber."""
        v, i, s = _live(self)
        if not args:
            if self.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            return _PatternNumber(v.item(0), int(i.reshape(-1)[0]), s)
        if len(args) == 1 and isinstance(args[0], numbers.Integral):
            return _PatternNumber(v.item(args[0]), int(i.reshape(-1)[args[0]]), s)
        return self[tuple(args)]

    def astype(self, dtype, *args, **kwargs):
        """astype(dtype): float64 or complex128 (a copy) only."""
        dt = np.dtype(dtype)
        if dt == np.complex128:
            v, i, s = _live(self)
            return _wrap(v.astype(dt), np.array(i), s)
        if dt != np.float64:
            raise TypeError(f"cannot convert a pattern array to {dt}: dependencies would be lost")
        if _live(self)[0].dtype != dt:
            raise TypeError("cannot convert a complex pattern array to float64: the imaginary parts "
                            "would be lost; use np.real")
        return self.copy() if kwargs.get("copy", True) else self

    def copy(self, order="C"):
        """copy(): a new pattern array with the same values and sets."""
        v, i, s = _live(self)
        return _wrap(np.array(v), np.array(i), s)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def view(self, *args, **kwargs):
        if not args and not kwargs:
            v, i, s = _live(self)
            return _wrap(v, i, s)
        raise TypeError("_PatternArray.view with a dtype or type would drop dependencies; use .value")

    def fill(self, value):
        self[...] = value

    def __getitem__(self, key):
        v = self._v
        if type(key) is int and v is not None and v.ndim == 1:  # x[i] in a loop
            return _PatternNumber(v.item(key), int(self._i[key]), self._store)
        v, i, s = _live(self)
        key = _index(key)
        rv = v[key]
        ri = i[key]
        if np.ndim(rv) == 0 and _nd._full_int(key, v.ndim):
            return _PatternNumber(float(rv) if type(rv) is np.float64 else rv.item(), int(ri), s)
        return _wrap(np.asarray(rv), np.asarray(ri), s)

    def __setitem__(self, key, val):
        v, i, s = _live(self)
        key = _index(key)
        p = _parts(val)
        if p is None:
            raise TypeError(f"cannot assign {type(val).__name__} to a pattern array")
        pv, pi, ps = p
        if ps is not None and ps is not s:
            raise _store_error()
        if np.iscomplexobj(pv) and not np.iscomplexobj(v):
            raise TypeError("complex values written into a real pattern array would lose their "
                            "imaginary parts; make it complex first (.astype(complex))")
        v[key] = pv
        i[key] = 0 if pi is None else pi

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        if _nd._REDUCERS:
            r = _nd._reduce_elements(self, iter, (self,), {})
            if r is not NotImplemented:
                return r
        return (self[k] for k in range(self.shape[0]))

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __bool__(self):
        return bool(_live(self)[0])

    def __hash__(self):
        raise TypeError("unhashable type: '_PatternArray'")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        handler = _FUNCTIONS.get(func)
        if handler is None:
            raise TypeError(f"{_nd._fname(func)} is not supported for dualdiff arrays (sparsity "
                            "detection: it would drop the dependencies)")
        if _nd._REDUCERS:
            r = _nd._reduce_elements(self, func, args, kwargs)
            if r is not NotImplemented:
                return r
        if _SECOND and func not in _LINEAR_FUNCTIONS:
            return _second_dense(handler(*args, **kwargs))
        return handler(*args, **kwargs)


# The methods with a NumPy twin (x.sum(...) is np.sum(x, ...), and so on) are
# DualArray's own: they only call NumPy, which dispatches back to the rules here.
for _name in ("reshape ravel flatten transpose T mT real conj conjugate swapaxes squeeze sum prod "
              "mean var std max min cumsum cumprod dot clip take repeat diagonal trace round sort "
              "argsort argmax argmin nonzero all any").split():
    setattr(_PatternArray, _name, _nd.DualArray.__dict__[_name])
del _name


def _live(x):
    v = x._v
    if v is None:
        raise TypeError("this pattern array view was made by an ndarray method dualdiff does not "
                        "support, so its dependencies are lost; use numpy functions instead")
    return v, x._i, x._store


def _index(key):
    if isinstance(key, (_PatternArray, _nd.DualArray)):
        raise IndexError("a dual or pattern array cannot be used as an index")
    if type(key) is _PatternNumber:
        raise IndexError("a pattern number cannot be used as an index")
    return key


def _wrap(v, i, store):
    """The _PatternArray of values v and set ids i (same shape; not copied)."""
    p = _k.stripped_view(_PatternArray, v.shape, _nd._STRIPPED)
    p._v = v
    p._i = i
    p._store = store
    return p


def _out(v, i, store, scalar=False):
    """A _PatternNumber for a 0-d result where scalar is True, else an array."""
    v = _fv(v)
    if scalar and v.ndim == 0:
        return _PatternNumber(v.item(), int(i), store)
    return _wrap(v, np.asarray(i, dtype=np.int64), store)


def _fv(v):
    """Values as float64, or complex128 for complex ones (refused while Hessian
    patterns are detected)."""
    v = np.asarray(v)
    if v.dtype.kind == "c":
        if _SECOND:
            raise _second_complex_error()
        return v.astype(np.complex128, copy=False)
    return v.astype(np.float64, copy=False)


def _second_complex_error():
    return TypeError("Hessian sparsity detection of a function that computes with complex "
                     "numbers is not supported; pass the pattern (sparsity=...) or use a dense "
                     "hessian")


def _reduced(v, i, store):
    """A reduction's result: a _PatternNumber when it is 0-d."""
    return _out(v, i, store, True)


def _parts(x):
    """(values, ids or None for a constant, store or None) of an operand;
    None for what is not a number or an array of numbers."""
    if isinstance(x, _PatternArray):
        return _live(x)
    t = type(x)
    if t is _PatternNumber:
        return np.array(x._value), np.array(x._id, dtype=np.int64), x._store
    if t is float or t is int:
        return np.array(float(x)), None, None
    if isinstance(x, (Dual, _nd.DualArray)):
        raise _mix_error()
    if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.dtype == object):
        a = array(x)
        if isinstance(a, _PatternArray):
            return _live(a)
        return a, None, None
    if isinstance(x, (numbers.Real, np.ndarray, np.generic)):
        a = np.asarray(x)
        if a.dtype.kind not in "biufc":
            return None
        return _fv(a), None, None
    if isinstance(x, complex):
        return np.array(x), None, None
    return None


def _operands(args):
    """[(values, ids or None)] of args and their common store (None: all constants)."""
    ops = []
    store = None
    for x in args:
        p = _parts(x)
        if p is None:
            raise TypeError(f"unsupported operand type for dualdiff arrays: {type(x).__name__}")
        v, i, s = p
        if s is not None:
            if store is not None and s is not store:
                raise _store_error()
            store = s
        ops.append((v, i))
    return ops, store


def _ids(op, shape=None):
    """The ids of an operand (zeros for a constant), broadcast to shape if given."""
    v, i = op
    if i is None:
        i = np.zeros(v.shape if shape is None else shape, dtype=np.int64)
        return i
    return i if shape is None or i.shape == tuple(shape) else np.broadcast_to(i, shape)


def _is_scalar(x):
    return type(x) is _PatternNumber or (not isinstance(x, (np.ndarray, list, tuple)) and np.ndim(x) == 0)


def _step_ids(i):
    """The ids of a step function's result: constants stay constants, the rest
    depends on nothing."""
    return (np.asarray(i) != 0).astype(np.int64)


def _drop(i, mask, to=1):
    """ids i with the dependency dropped where mask holds: a constant stays a
    constant, the rest becomes ``to`` (1: depends on nothing; 0: a constant)."""
    if mask is False or i is None:
        return i
    if mask is True:
        return _step_ids(i) if to else np.zeros(np.shape(i), np.int64)
    if not np.any(mask):
        return i
    return np.where(mask & (i != 0), to, i).astype(np.int64)


def _const(op):
    v, i = op
    return True if i is None else (i == 0)


def _union(store, ia, ib):
    """Elementwise union of two id arrays (broadcast together)."""
    if ia is None:
        return np.array(ib, dtype=np.int64)
    if ib is None:
        return np.array(ia, dtype=np.int64)
    ia, ib = np.broadcast_arrays(ia, ib)
    shape = ia.shape
    return store.union(np.ascontiguousarray(ia, dtype=np.int64).reshape(-1),
                       np.ascontiguousarray(ib, dtype=np.int64).reshape(-1)).reshape(shape)


def _binary_ids(rule, a, b, store, shape):
    """The ids of rule(a, b) for operands (values, ids or None), broadcast to shape."""
    (va, ia), (vb, ib) = a, b
    if rule == "mul":
        da = _const(b) & (vb == 0.0)
        db = _const(a) & (va == 0.0)
    elif rule == "pow":
        da = _const(b) & (vb == 0.0)
        db = _const(a) & ((va == 0.0) | (va == 1.0))
    else:
        dx, dy = _BINARY_DEPENDS[rule]
        da, db = not dx, not dy
    to = _DROPPED[rule]
    if ia is not None and da is not False:
        ia = _drop(np.broadcast_to(ia, shape), np.broadcast_to(da, shape) if da is not True else True, to)
    if ib is not None and db is not False:
        ib = _drop(np.broadcast_to(ib, shape), np.broadcast_to(db, shape) if db is not True else True, to)
    out = _union(store, ia, ib)
    return out if out.shape == tuple(shape) else np.array(np.broadcast_to(out, shape))


def _group(i, axes, ndim, store, keepdims=False, mask=None):
    """Union of the sets of ids i over the given axes."""
    i = np.asarray(i, dtype=np.int64)
    if mask is not None:
        i = np.where(mask, i, 0)
    kept = [k for k in range(ndim) if k not in axes]
    t = np.transpose(i, kept + list(axes))
    kshape = t.shape[:len(kept)]
    R = int(np.prod(t.shape[len(kept):], dtype=np.int64))
    G = int(np.prod(kshape, dtype=np.int64))
    flat = np.ascontiguousarray(t).reshape(G, R)
    res = store.union_groups(flat) if R > 1 else (flat[:, 0].copy() if R == 1 else np.zeros(G, np.int64))
    res = res.reshape(kshape)
    if keepdims:
        res = res.reshape(tuple(1 if k in axes else s for k, s in enumerate(i.shape)))
    return res


# ------------------------------------------------------------------ ufuncs

# ufunc -> (kind, C rule): the ufuncs DualArray supports, with the structure
# of the rule it runs (see rule_structure)
_UFUNCS: dict[Any, tuple[str, str | None]] = {}


def _load_special():
    """scipy.special's ufuncs of the table, once SciPy is imported (as the dual arrays)."""
    _nd._load_special()
    added = False
    for u, rule in list(_nd._U.items()):
        if u not in _UFUNCS:
            _UFUNCS[u] = ("unary", rule)
            added = True
    for u, rule in list(_nd._B.items()):
        if u not in _UFUNCS:
            _UFUNCS[u] = ("binary", rule)
            added = True
    from dualdiff import _parametric
    for u in _parametric.RULES:
        if u not in _UFUNCS:
            _UFUNCS[u] = ("other", None)
            _OTHER[u] = lambda *inputs, u=u: parametric(f"scipy.special.{u.__name__}", u, inputs)
            added = True
    return added


def parametric(name, value, inputs):
    """The pattern of a function of plain parameters and a variable, the last
    argument (see dualdiff/_parametric.py): nonlinear in the variable; value
    gives its values."""
    ops, store = _operands(inputs)
    if any(i is not None for _, i in ops[:-1]):
        raise TypeError(f"{name} is differentiated in its last argument only: its other "
                        "arguments (orders and shape parameters) must be plain numbers")
    v = value(*[o[0] for o in ops])
    i = np.array(_ids(ops[-1], np.shape(v)))
    t = _second_of(store)
    if t is not None:
        i = t.rule(_RULE_SECOND["exp"], i, None, i)
    return _out(v, i, store, all(o[0].ndim == 0 for o in ops))


_u: Any
_rule: Any
for _u, _rule in _nd._U.items():
    _UFUNCS[_u] = ("unary", _rule)
for _u, _rule in _nd._B.items():
    _UFUNCS[_u] = ("binary", _rule)
for _u, _rule in ((np.multiply, "mul"), (np.divide, "div"), (np.true_divide, "div"),
                  (np.power, "pow"), (np.float_power, "pow"), (np.add, "add"),
                  (np.subtract, "sub"), (np.logaddexp, "add"), (np.logaddexp2, "add")):
    _UFUNCS[_u] = ("binary", _rule)
for _u in (np.negative, np.positive, np.conjugate):
    _UFUNCS[_u] = ("unary", None)  # linear: keeps the set
for _u in _nd._VALUE_UFUNCS:
    _UFUNCS[_u] = ("value", None)
_UFUNCS[np.heaviside] = ("binary", "floordiv")  # a step in both (as the dual arrays' rule)
for _u in (np.ldexp, np.modf, np.divmod, np.matmul):
    _UFUNCS[_u] = ("other", None)
if hasattr(np, "vecdot"):
    _UFUNCS[np.vecdot] = ("other", None)
del _u, _rule


def supported_ufuncs():
    """supported_ufuncs() -> sorted names of the NumPy ufuncs sparsity detection supports."""
    return sorted({u.__name__ for u in _UFUNCS})


def _ufunc(ufunc, method, inputs, kwargs):
    if not kwargs and method == "__call__":
        return _call(ufunc, inputs)
    out = kwargs.pop("out", None)
    if kwargs.get("where", True) is not True:
        raise TypeError(f"numpy.{ufunc.__name__} with where= is not supported for dualdiff arrays")
    kwargs.pop("where", None)
    dtype = kwargs.pop("dtype", None)
    if dtype is not None and np.dtype(dtype) != np.float64:
        raise TypeError(f"numpy.{ufunc.__name__} with dtype={dtype} would drop dependencies")
    kwargs.pop("casting", None)
    kwargs.pop("order", None)
    if method == "__call__":
        if kwargs and ufunc is not getattr(np, "vecdot", None):
            raise TypeError(f"numpy.{ufunc.__name__} with arguments {sorted(kwargs)} is not "
                            "supported for dualdiff arrays")
        result = _call(ufunc, inputs, kwargs)
    elif method in ("reduce", "accumulate"):
        fn = _REDUCE.get((ufunc, method))
        if fn is None:
            raise TypeError(f"numpy.{ufunc.__name__}.{method} is not supported for dualdiff arrays")
        kw = dict(kwargs)
        kw.setdefault("axis", 0)
        result = fn(inputs[0], **kw)
        if _SECOND and ufunc is np.multiply:
            result = _second_dense(result)
    else:
        raise TypeError(f"numpy.{ufunc.__name__}.{method} is not supported for dualdiff arrays")
    if out is not None:
        outs = out if isinstance(out, tuple) else (out,)
        results = result if isinstance(result, tuple) else (result,)
        for o, r in zip(outs, results):
            _store_into(o, r, ufunc.__name__)
        return out if isinstance(result, tuple) else outs[0]
    return result


def _store_into(o, r, name):
    if isinstance(o, _PatternArray):
        o[...] = r
    elif isinstance(o, np.ndarray):
        if isinstance(r, (_PatternArray, _PatternNumber)):
            raise TypeError(f"numpy.{name} cannot write dependency patterns into a float array "
                            "(out=): the dependencies would be lost")
        o[...] = r
    else:
        raise TypeError(f"out= must be an array, not {type(o).__name__}")


def _check_out(out, result, name):
    if out is None:
        return result
    _store_into(out, result, name)
    return out


def _values(x):
    """The values of x (patterns, constants, or sequences of them)."""
    if isinstance(x, _PatternArray):
        return _live(x)[0]
    if type(x) is _PatternNumber:
        return x._value
    if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.dtype == object):
        a = array(x)
        return a.value if isinstance(a, _PatternArray) else a
    return x


def _call(ufunc, inputs, kwargs=None):
    entry = _UFUNCS.get(ufunc)
    if entry is None and _load_special():
        entry = _UFUNCS.get(ufunc)
    if entry is None:
        raise TypeError(f"{_ufunc_name(ufunc)} is not supported for dualdiff arrays")
    kind, rule = entry
    if kind == "value":
        return ufunc(*[_values(x) for x in inputs])
    if kind == "other":
        return _OTHER[ufunc](*inputs, **(kwargs or {}))
    ops, store = _operands(inputs)
    if store is None:
        raise TypeError(f"numpy.{ufunc.__name__}: no pattern operand")
    scalar = all(v.ndim == 0 for v, _ in ops)
    v = ufunc(*[o[0] for o in ops])
    t = _second_of(store)
    if kind == "unary":
        i = ops[0][1]
        i = np.array(i) if rule is None or _UNARY_DEPENDS[rule] or v.dtype.kind == "c" else _step_ids(i)
        if t is not None:
            i = t.rule(_RULE_SECOND[rule], ops[0][1], None, i)
        return _out(v, i, store, scalar)
    i = _binary_ids(rule, ops[0], ops[1], store, np.shape(v))
    if t is not None:
        i = t.rule(_UFUNC_SECOND.get(ufunc) or _RULE_SECOND[rule], _ids(ops[0]), _ids(ops[1]), i)
    return _out(v, i, store, scalar)


def _ldexp(x, e):
    if isinstance(e, (_PatternArray, _PatternNumber)):
        raise TypeError("numpy.ldexp: the exponent must be an integer array, not a pattern")
    (ops, store) = _operands([x])
    (v, i), = ops
    r = np.ldexp(v, e)
    return _out(r, np.array(np.broadcast_to(_ids((v, i)), r.shape)), store, v.ndim == 0 and np.ndim(e) == 0)


def _modf(x):
    (ops, store) = _operands([x])
    (v, i), = ops
    frac, whole = np.modf(v)
    s = v.ndim == 0
    return _out(frac, np.array(i), store, s), _out(whole, _step_ids(i), store, s)


def _divmod(a, b):
    return np.floor_divide(a, b), np.remainder(a, b)


_OTHER = {np.ldexp: _ldexp, np.modf: _modf, np.divmod: _divmod}


# ------------------------------------------------------------- functions

_FUNCTIONS: dict[Any, Any] = {}
_f: Any


def _implements(*funcs):
    def deco(f):
        for fn in funcs:
            _FUNCTIONS[fn] = f
        return f
    return deco


def supported_functions():
    """supported_functions() -> sorted names of the NumPy functions sparsity detection supports."""
    return sorted(_nd._fname(f) for f in _FUNCTIONS)


def _as_pattern(x):
    """x as a _PatternArray (raises for what holds no pattern)."""
    if isinstance(x, _PatternArray):
        return x
    p = _parts(x)
    if p is None or p[2] is None:
        raise TypeError(f"unsupported operand type for dualdiff arrays: {type(x).__name__}")
    v, i, s = p
    return _wrap(v, i, s)


def _check_dtype(dtype, name):
    if dtype is not None and np.dtype(dtype) != np.float64:
        raise TypeError(f"numpy.{name} with dtype={dtype} would drop dependencies")


# ----------------------------------------------------- value-only functions

def _on_values(fn):
    def handler(*args, **kwargs):
        return fn(*[_values(x) for x in args], **{k: _values(v) for k, v in kwargs.items()})
    return handler


for _f in (np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.nonzero, np.argwhere,
           np.flatnonzero, np.count_nonzero, np.any, np.all, np.isclose, np.allclose,
           np.array_equal, np.result_type, np.iscomplexobj, np.isrealobj, np.searchsorted,
           np.isreal, np.iscomplex, np.can_cast, np.min_scalar_type):
    _FUNCTIONS[_f] = _on_values(_f)
del _f


# ------------------------------------------------------------ shape functions
# The values and the ids go through the same NumPy function: elements move
# with their sets, and what NumPy fills in (padding, zeros) is a constant.

def _same(fn, a, *args, **kwargs):
    v, i, s = _live(_as_pattern(a))
    rv = fn(v, *args, **kwargs)
    ri = fn(i, *args, **kwargs)
    if isinstance(rv, (list, tuple)):
        return type(rv)(_wrap(np.asarray(x), np.asarray(y), s) for x, y in zip(rv, ri))
    return _wrap(np.asarray(rv), np.asarray(ri), s)


def _shape_function(fn):
    def handler(a, *args, **kwargs):
        return _same(fn, a, *args, **kwargs)
    handler.__name__ = fn.__name__
    return handler


for _f in (np.ravel, np.swapaxes, np.moveaxis, np.expand_dims, np.squeeze, np.broadcast_to, np.split, np.array_split, np.hsplit,
           np.vsplit, np.roll, np.flip, np.fliplr, np.flipud, np.repeat, np.tile, np.diagonal,
           np.diag, np.tril, np.triu, np.take_along_axis, np.dsplit, np.rollaxis, np.rot90,
           np.fft.fftshift, np.fft.ifftshift):
    _FUNCTIONS[_f] = _shape_function(_f)
if hasattr(np, "permute_dims"):
    _FUNCTIONS[np.permute_dims] = _shape_function(np.permute_dims)
del _f


@_implements(np.reshape)
def _reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if shape is None:
        shape = newshape
    if order != "C":
        raise TypeError("numpy.reshape with order other than 'C' is not supported for dualdiff arrays")
    return _same(np.reshape, a, shape)


@_implements(np.transpose)
def _transpose(a, axes=None):
    return _same(np.transpose, a, axes)


def _make_atleast(fn):
    def h(*arys):
        res = [_same(fn, a) for a in arys]
        return res[0] if len(res) == 1 else tuple(res)
    return h


for _f in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
    _FUNCTIONS[_f] = _make_atleast(_f)
del _f


@_implements(np.broadcast_arrays)
def _broadcast_arrays(*args, subok=False):
    shape = np.broadcast_shapes(*[np.shape(_values(x)) for x in args])
    out = []
    for x in args:
        p = _parts(x)
        if p is not None and p[2] is not None:
            out.append(_wrap(np.broadcast_to(p[0], shape), np.broadcast_to(p[1], shape), p[2]))
        else:
            out.append(np.broadcast_to(_values(x), shape))
    return tuple(out)


@_implements(np.copy)
def _copy(a, order="K", subok=False):
    return _as_pattern(a).copy()


# A complex number depends on the union of what its real and imaginary parts
# depend on: its real part, imaginary part, angle and modulus depend on all of
# it (a superset where one part is constant).

@_implements(np.real)
def _real(a):
    v, i, s = _live(_as_pattern(a))
    if v.dtype.kind != "c":
        return a
    return _out(np.real(v), np.array(i), s, type(a) is _PatternNumber)


@_implements(np.real_if_close)
def _real_if_close(a, tol=100):
    v = _live(_as_pattern(a))[0]
    if v.dtype.kind == "c" and np.real_if_close(v, tol=tol).dtype.kind != "c":
        return _real(a)
    return a


@_implements(np.angle)
def _angle(z, deg=False):
    v, i, s = _live(_as_pattern(z))  # of a real number: a step, 0 or pi
    return _out(np.angle(v, deg=deg), np.array(i) if v.dtype.kind == "c" else _step_ids(i), s,
                type(z) is _PatternNumber)


@_implements(np.sinc)
def _sinc(x):
    v, i, s = _live(_as_pattern(x))  # elementwise, depends on x everywhere
    return _out(np.sinc(v), np.array(i), s, type(x) is _PatternNumber)


@_implements(np.nan_to_num)
def _nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    v, i, s = _live(_as_pattern(x))  # replaced entries are constants
    bad = ~np.isfinite(v)
    out_i = np.where(bad, 0, i).astype(np.int64)
    return _out(np.nan_to_num(v, nan=nan, posinf=posinf, neginf=neginf), out_i, s,
                type(x) is _PatternNumber)


@_implements(np.imag)
def _imag(a):
    v, i, s = _live(_as_pattern(a))
    if v.dtype.kind == "c":
        return _out(np.imag(v), np.array(i), s, type(a) is _PatternNumber)
    return _out(np.zeros(v.shape), np.zeros(v.shape, np.int64), s, type(a) is _PatternNumber)


def _constant_like(a, values):
    v, i, s = _live(_as_pattern(a))
    values = np.array(values, dtype=np.float64)
    return _wrap(values, np.zeros(values.shape, np.int64), s)


@_implements(np.zeros_like, np.empty_like)
def _zeros_like(a, dtype=None, order="K", subok=True, shape=None, **kw):
    _check_dtype(dtype, "zeros_like")
    return _constant_like(a, np.zeros(np.shape(_values(a)) if shape is None else shape))


@_implements(np.ones_like)
def _ones_like(a, dtype=None, order="K", subok=True, shape=None, **kw):
    _check_dtype(dtype, "ones_like")
    return _constant_like(a, np.ones(np.shape(_values(a)) if shape is None else shape))


@_implements(np.full_like)
def _full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kw):
    _check_dtype(dtype, "full_like")
    res = _constant_like(a, np.zeros(np.shape(_values(a)) if shape is None else shape))
    res[...] = fill_value
    return res


@_implements(np.round, np.around)
def _round(a, decimals=0, out=None):
    v, i, s = _live(_as_pattern(a))
    return _check_out(out, _out(np.round(v, decimals), _step_ids(i), s, type(a) is _PatternNumber), "round")


def _seq(arrays):
    """Values and ids of a sequence of operands (constants get id 0), and the store."""
    ops, store = _operands(list(arrays))
    return [v for v, _ in ops], [_ids(o) for o in ops], store


def _joined(fn, arrays, out, name, **kw):
    vs, ids, s = _seq(arrays)
    res = _wrap(np.asarray(fn(vs, **kw)), np.asarray(fn(ids, **kw)), s)
    return _check_out(out, res, name)


@_implements(np.concatenate)
def _concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    _check_dtype(dtype, "concatenate")
    return _joined(np.concatenate, arrays, out, "concatenate", axis=axis)


@_implements(np.stack)
def _stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _check_dtype(dtype, "stack")
    return _joined(np.stack, arrays, out, "stack", axis=axis)


@_implements(np.hstack)
def _hstack(tup, *, dtype=None, casting="same_kind"):
    return _joined(np.hstack, tup, None, "hstack")


@_implements(np.vstack)
def _vstack(tup, *, dtype=None, casting="same_kind"):
    return _joined(np.vstack, tup, None, "vstack")


if hasattr(np, "row_stack"):
    _FUNCTIONS[np.row_stack] = _vstack


@_implements(np.column_stack)
def _column_stack(tup):
    return _joined(np.column_stack, tup, None, "column_stack")


@_implements(np.append)
def _append(arr, values, axis=None):
    vs, ids, s = _seq([arr, values])
    return _wrap(np.append(vs[0], vs[1], axis=axis), np.append(ids[0], ids[1], axis=axis), s)


@_implements(np.take)
def _take(a, indices, axis=None, out=None, mode="raise"):
    v, i, s = _live(_as_pattern(a))
    rv = np.take(v, indices, axis=axis, mode=mode)
    ri = np.take(i, indices, axis=axis, mode=mode)
    return _check_out(out, _out(rv, ri, s, np.ndim(rv) == 0), "take")


@_implements(np.sort)
def _sort(a, axis=-1, kind=None, order=None, *, stable=None):
    v, i, s = _live(_as_pattern(a))
    if axis is None:
        v, i = v.reshape(-1), i.reshape(-1)
        axis = -1
    kw = {} if stable is None else {"stable": stable}
    idx = np.argsort(v, axis=axis, kind=kind, **kw)
    return _wrap(np.take_along_axis(v, idx, axis=axis), np.take_along_axis(i, idx, axis=axis), s)


@_implements(np.pad)
def _pad(array, pad_width, mode="constant", **kwargs):
    v, i, s = _live(_as_pattern(array))
    if mode == "constant":
        cv = kwargs.pop("constant_values", 0)
        if kwargs:
            raise TypeError(f"numpy.pad: unexpected arguments {sorted(kwargs)}")
        if isinstance(cv, (_PatternArray, _PatternNumber)) or np.ndim(cv) != 0:
            raise TypeError("numpy.pad of a dual array supports one constant number as constant_values")
        return _wrap(np.pad(v, pad_width, constant_values=cv), np.pad(i, pad_width), s)
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        return _wrap(np.pad(v, pad_width, mode=mode, **kwargs), np.pad(i, pad_width, mode=mode, **kwargs), s)
    raise TypeError(f"numpy.pad with mode={mode!r} is not supported for dualdiff arrays")


@_implements(np.where)
def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.nonzero(_values(condition))
    c = np.asarray(_values(condition), dtype=bool)
    ops, s = _operands([x, y])
    if s is None:
        return np.where(c, ops[0][0], ops[1][0])
    v = np.where(c, ops[0][0], ops[1][0])
    i = np.where(c, _ids(ops[0]), _ids(ops[1]))
    return _out(v, i, s, v.ndim == 0 and all(_is_scalar(t) for t in (x, y)))


@_implements(np.select)
def _select(condlist, choicelist, default=0):
    return _nd.select_by(_where, condlist, choicelist, default)


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
        r = _as_pattern(a).copy()
    return _check_out(out, r, "clip")


@_implements(np.diff)
def _diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    a = _as_pattern(a)
    if n == 0:
        return a
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    ax = _nd._ax(axis, a.ndim)
    parts = []
    edge = a.shape[:ax] + (1,) + a.shape[ax + 1:]
    if prepend is not np._NoValue:
        parts.append(np.broadcast_to(prepend, edge) if np.ndim(_values(prepend)) == 0 else prepend)
    parts.append(a)
    if append is not np._NoValue:
        parts.append(np.broadcast_to(append, edge) if np.ndim(_values(append)) == 0 else append)
    if len(parts) > 1:
        a = np.concatenate(parts, axis=ax)
    hi = [slice(None)] * a.ndim
    lo = [slice(None)] * a.ndim
    hi[ax] = slice(1, None)
    lo[ax] = slice(None, -1)
    for _ in range(n):
        a = a[tuple(hi)] - a[tuple(lo)]
    return a


# -------------------------------------------------------------- reductions


def _where_mask(where, shape):
    if where is True or where is None:
        return None
    return np.broadcast_to(np.asarray(where, dtype=bool), shape)


def _reduce(vfn, a, axis, keepdims, where=True, name="sum", **vkw):
    v, i, s = _live(_as_pattern(a))
    axes = _nd._axes(axis, v.ndim)
    w = _where_mask(where, v.shape)
    kw = {} if w is None else {"where": w}
    rv = vfn(v, axis=axes, keepdims=keepdims, **kw, **vkw)
    ri = _group(i, axes, v.ndim, s, keepdims, w)
    return _reduced(rv, ri, s)


@_implements(np.sum)
def _sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    _check_dtype(dtype, "sum")
    kw = {} if initial is None else {"initial": initial}
    return _check_out(out, _reduce(np.sum, a, axis, keepdims, where, **kw), "sum")


@_implements(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    _check_dtype(dtype, "mean")
    return _check_out(out, _reduce(np.mean, a, axis, keepdims, where), "mean")


@_implements(np.prod)
def _prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    _check_dtype(dtype, "prod")
    v, i, s = _live(_as_pattern(a))
    axes = _nd._axes(axis, v.ndim)
    w = _where_mask(where, v.shape)
    kw = {} if w is None else {"where": w}
    if initial is not None:
        kw["initial"] = initial
    rv = np.prod(v, axis=axes, keepdims=keepdims, **kw)
    ri = _group(i, axes, v.ndim, s, keepdims, w)
    # a factor that is the constant 0 makes the product the constant 0
    zero = (i == 0) & (v == 0.0)
    if w is not None:
        zero &= w
    if np.any(zero):
        ri = np.where(np.any(zero, axis=axes, keepdims=keepdims), _step_ids(ri), ri)
    return _check_out(out, _reduced(rv, ri, s), "prod")


def _extreme(vfn, a, axis, out, keepdims, initial, where, name):
    if initial is not None or (where is not True and where is not None):
        raise TypeError(f"numpy.{name} with initial= or where= is not supported for dualdiff arrays")
    # the value picks one element; which one changes with x, so the result
    # depends on all of them (as np.maximum depends on both arguments)
    return _check_out(out, _reduce(vfn, a, axis, keepdims, True), name)


@_implements(np.max, np.amax)
def _max(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    return _extreme(np.max, a, axis, out, keepdims, initial, where, "max")


@_implements(np.min, np.amin)
def _min(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    return _extreme(np.min, a, axis, out, keepdims, initial, where, "min")


def _scan(vfn, a, axis, out, dtype, name):
    _check_dtype(dtype, name)
    v, i, s = _live(_as_pattern(a))
    if axis is None:
        v, i = v.reshape(-1), i.reshape(-1)
        axis = 0
    ax = _nd._ax(axis, v.ndim)
    rv = vfn(v, axis=ax)
    t = np.moveaxis(i, ax, -1)
    shape = t.shape
    L = shape[-1] if shape else 1
    ri = s.scan(np.ascontiguousarray(t, dtype=np.int64).reshape(-1, L)).reshape(shape)
    return _check_out(out, _wrap(rv, np.moveaxis(ri, -1, ax), s), name)


@_implements(np.cumsum)
def _cumsum(a, axis=None, dtype=None, out=None):
    return _scan(np.cumsum, a, axis, out, dtype, "cumsum")


@_implements(np.cumprod)
def _cumprod(a, axis=None, dtype=None, out=None):
    return _scan(np.cumprod, a, axis, out, dtype, "cumprod")


def _spread(vfn, name):
    def h(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
          correction=None):
        _check_dtype(dtype, name)
        v, i, s = _live(_as_pattern(a))
        axes = _nd._axes(axis, v.ndim)
        kw = {}
        if where is not True:
            kw["where"] = where
        if correction is not None:
            ddof = correction
        if mean is not None:
            kw["mean"] = _values(mean)
        rv = vfn(v, axis=axes, ddof=ddof, keepdims=keepdims, **kw)
        ri = _group(i, axes, v.ndim, s, keepdims, _where_mask(where, v.shape))
        if mean is not None:
            mp = _parts(mean)
            if mp[1] is not None:
                ri = _union(s, ri, _group(np.broadcast_to(mp[1], v.shape), axes, v.ndim, s, keepdims))
        return _check_out(out, _reduced(rv, ri, s), name)
    return h


_FUNCTIONS[np.var] = _spread(np.var, "var")
_FUNCTIONS[np.std] = _spread(np.std, "std")


@_implements(np.average)
def _average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    if weights is None:
        avg = np.mean(a, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        count = np.size(_values(a)) / max(np.size(_values(avg)), 1)
        return avg, np.full(np.shape(_values(avg)), count)
    w = weights
    nd = np.ndim(_values(a))
    if np.ndim(_values(w)) != nd:
        if axis is None or np.ndim(_values(w)) != 1:
            raise TypeError("numpy.average: 1-D weights need an axis")
        shape = [1] * nd
        shape[_nd._ax(axis, nd)] = -1
        w = np.reshape(w, shape)
    scl = np.sum(np.multiply(np.ones(np.shape(_values(a))), w), axis=axis, keepdims=keepdims)
    avg = np.sum(np.multiply(a, w), axis=axis, keepdims=keepdims) / scl
    return (avg, scl) if returned else avg


@_implements(np.trace)
def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _check_dtype(dtype, "trace")
    return _check_out(out, np.sum(np.diagonal(a, offset, axis1, axis2), axis=-1), "trace")


_REDUCE = {
    (np.add, "reduce"): lambda a, axis=0, keepdims=False, **k: _sum(a, axis=axis, keepdims=keepdims, **k),
    (np.multiply, "reduce"): lambda a, axis=0, keepdims=False, **k: _prod(a, axis=axis, keepdims=keepdims, **k),
    (np.maximum, "reduce"): lambda a, axis=0, keepdims=False, **k: _max(a, axis=axis, keepdims=keepdims, **k),
    (np.minimum, "reduce"): lambda a, axis=0, keepdims=False, **k: _min(a, axis=axis, keepdims=keepdims, **k),
    (np.add, "accumulate"): lambda a, axis=0: _cumsum(a, axis=axis),
    (np.multiply, "accumulate"): lambda a, axis=0: _cumprod(a, axis=axis),
}


# ------------------------------------------------------------ products
#
# A product sums terms that each multiply one element of every operand. The
# set of an output element is the union, over its terms, of the sets of the
# elements the term multiplies; a term with a factor that is the constant 0
# is no term (so np.diag(x) @ y stays diagonal). _contract enumerates the
# terms as einsum does, in blocks of the output.

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _contract(subs, out, ops, store, shape):
    """The ids of einsum(subs -> out) of the operands ops [(values, ids or
    None)], as an array of the given output shape. subs are strings of
    letters (no ellipsis)."""
    sizes = {}
    views = []
    for sub, (v, i) in zip(subs, ops):
        if len(sub) != v.ndim:
            raise ValueError(f"einsum: operand with {v.ndim} dimensions for subscripts {sub!r}")
        uniq = "".join(dict.fromkeys(sub))
        if uniq != sub:  # a repeated letter: the diagonal
            v = np.einsum(f"{sub}->{uniq}", v)
            i = None if i is None else np.einsum(f"{sub}->{uniq}", i)
        for c, n in zip(uniq, v.shape):
            if sizes.get(c, 1) == 1:
                sizes[c] = n
        views.append((uniq, v, i))
    summed = [c for c in dict.fromkeys("".join(subs)) if c not in out]
    order = list(out) + summed
    full = tuple(sizes.get(c, 1) for c in order)

    def place(sub, a):  # a with the axes of order (1 where sub lacks a letter)
        t = np.transpose(a, [sub.index(c) for c in order if c in sub])
        dims = iter(t.shape)
        return t.reshape(tuple(next(dims) if c in sub else 1 for c in order))

    placed = [(place(u, v), None if i is None else place(u, i)) for u, v, i in views]
    t = _second_of(store)
    if t is not None and sum(1 for _, i in placed if i is not None and i.size and i.max() > 1) > 1:
        return _second_product(t, subs, out, ops, store, shape, placed, full)
    nout = len(out)
    G = int(np.prod(full[:nout], dtype=np.int64))
    R = int(np.prod(full[nout:], dtype=np.int64))
    npat = sum(1 for _, i in placed if i is not None)
    if G == 0 or R == 0:
        return np.zeros(shape, np.int64)
    # blocks along the first output axis bound the memory of the members
    first = full[0] if nout else 1
    row = (G // first) * R * max(npat, 1)
    step = max(1, _CHUNK // max(row, 1)) if nout else 1
    res = []
    for lo in range(0, first, step):
        hi = min(first, lo + step)

        def cut(a):
            return a if not nout or a.shape[0] == 1 else a[lo:hi]

        bshape = ((hi - lo,) + full[1:]) if nout else full
        g = int(np.prod(bshape[:nout], dtype=np.int64))
        valid = np.ones(bshape, dtype=bool)
        for v, i in placed:  # a factor that is the constant 0: no term
            cz = (cut(v) == 0.0) if i is None else ((cut(v) == 0.0) & (cut(i) == 0))
            if np.any(cz):
                valid &= ~cz
        members = [np.where(valid, cut(i), 0).reshape(g, R) for v, i in placed if i is not None]
        if not members:
            res.append(np.zeros(g, np.int64))
            continue
        res.append(store.union_groups(np.ascontiguousarray(np.concatenate(members, axis=1), dtype=np.int64)))
    return np.concatenate(res).reshape(shape)


def _second_product(t, subs, out, ops, store, shape, placed, full):
    """_contract in a Hessian detection, for a product of two or more operands
    that depend on x: each term makes one operand's dependencies interact with
    another's (every pair of operands, over all terms), and the result is
    nonlinear in all its dependencies."""
    with_ids = [i for _, i in placed if i is not None]
    size = int(np.prod(full, dtype=np.int64))
    if size > _PAIR_LIMIT:
        raise ValueError(f"Hessian sparsity: a product of {size} terms, too many to enumerate")
    for a in range(len(with_ids)):
        for b in range(a + 1, len(with_ids)):
            t.record(np.broadcast_to(with_ids[a], full), np.broadcast_to(with_ids[b], full))
    _SECOND.pop(store)
    try:
        ids = _contract(subs, out, ops, store, shape)
    finally:
        _SECOND[store] = t
    return t.nonlinear(ids, ids)


def _product(vfn, subs_of, args):
    """A product of the operands args: values by NumPy's vfn, ids by _contract
    with the subscripts subs_of(ndims) -> (subs, out)."""
    ops, store = _operands(args)
    v = _fv(vfn(*[o[0] for o in ops]))
    if store is None:
        return v
    subs, out = subs_of([o[0].ndim for o in ops])
    if subs is None:  # a 0-d operand: an elementwise product
        ids = _binary_ids("mul", ops[0], ops[1], store, v.shape)
        t = _second_of(store)
        if t is not None:
            ids = t.rule(_RULE_SECOND["mul"], _ids(ops[0]), _ids(ops[1]), ids)
    else:
        ids = _contract(subs, out, ops, store, v.shape)
    return _reduced(v, ids, store)


def _matmul_subs(nd):
    a, b = nd
    if a == 0 or b == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    if a == 1 and b == 1:
        return ["k", "k"], ""
    L = _LETTERS[26:26 + max(a, b)]  # batch letters: upper case, apart from i, j, k
    if a == 1:
        bb = L[len(L) - b:-2] + "k" + "j" if b > 2 else "kj"
        return ["k", bb], bb[:-2] + "j"
    if b == 1:
        aa = L[len(L) - a:-2] + "i" + "k" if a > 2 else "ik"
        return [aa, "k"], aa[:-2] + "i"
    batch = L[:max(a, b) - 2]
    ba, bb = batch[len(batch) - (a - 2):], batch[len(batch) - (b - 2):]
    return [ba + "ik", bb + "kj"], batch + "ij"


def _matmul(a, b, **kw):
    if kw:
        raise TypeError("numpy.matmul with extra arguments is not supported for dualdiff arrays")
    if _nd._REDUCERS:  # a @ w may end f in a sparse Hessian's evaluation
        r = _nd._reduce_elements(None, np.matmul, (a, b), kw)
        if r is not NotImplemented:
            return r
    return _product(np.matmul, _matmul_subs, [a, b])


_OTHER[np.matmul] = _matmul
_FUNCTIONS[np.matmul] = _matmul


def _dot_subs(nd):
    a, b = nd
    if a == 0 or b == 0:
        return None, None
    if b == 1:
        aa = _LETTERS[:a - 1] + "z"
        return [aa, "z"], aa[:-1]
    aa = _LETTERS[:a - 1] + "z"
    bb = _LETTERS[26:26 + b - 2] + "z" + "Z"
    return [aa, bb], aa[:-1] + bb[:-2] + "Z"


@_implements(np.dot)
def _dot(a, b, out=None):
    return _check_out(out, _product(np.dot, _dot_subs, [a, b]), "dot")


@_implements(np.vdot)
def _vdot(a, b):
    return _product(lambda x, y: np.vdot(x, y), lambda nd: (["z", "z"], ""),
                    [np.ravel(a) if isinstance(a, _PatternArray) else np.ravel(_values(a)),
                     np.ravel(b) if isinstance(b, _PatternArray) else np.ravel(_values(b))])


def _inner_subs(nd):
    a, b = nd
    if a == 0 or b == 0:
        return None, None
    aa = _LETTERS[:a - 1] + "z"
    bb = _LETTERS[26:26 + b - 1] + "z"
    return [aa, bb], aa[:-1] + bb[:-1]


@_implements(np.inner)
def _inner(a, b):
    return _product(np.inner, _inner_subs, [a, b])


@_implements(np.outer)
def _outer(a, b, out=None):
    ra = np.ravel(a) if isinstance(a, (_PatternArray, _PatternNumber)) else np.ravel(_values(a))
    rb = np.ravel(b) if isinstance(b, (_PatternArray, _PatternNumber)) else np.ravel(_values(b))
    return _check_out(out, _product(np.outer, lambda nd: (["i", "j"], "ij"), [ra, rb]), "outer")


@_implements(np.tensordot)
def _tensordot(a, b, axes=2):
    def subs(nd):
        na, nb = nd
        if isinstance(axes, numbers.Integral):
            xa, xb = list(range(na - axes, na)), list(range(axes))
        else:
            xa, xb = axes
            xa = [xa] if isinstance(xa, numbers.Integral) else list(xa)
            xb = [xb] if isinstance(xb, numbers.Integral) else list(xb)
        xa = [k % na for k in xa] if na else xa
        xb = [k % nb for k in xb] if nb else xb
        la = list(_LETTERS[:na])
        lb = list(_LETTERS[26:26 + nb])
        for p, q in zip(xa, xb):
            lb[q] = la[p]
        sa, sb = "".join(la), "".join(lb)
        return [sa, sb], "".join(c for k, c in enumerate(la) if k not in xa) + \
            "".join(c for k, c in enumerate(lb) if k not in xb)
    return _product(lambda x, y: np.tensordot(x, y, axes=axes), subs, [a, b])


@_implements(np.kron)
def _kron(a, b):
    def subs(nd):
        n = max(nd)
        return [_LETTERS[:n], _LETTERS[26:26 + n]], "".join(p + q for p, q in zip(_LETTERS[:n], _LETTERS[26:26 + n]))
    ops, store = _operands([a, b])
    v = np.kron(ops[0][0], ops[1][0])
    if store is None:
        return v
    n = max(ops[0][0].ndim, ops[1][0].ndim)
    ops = [(o[0].reshape((1,) * (n - o[0].ndim) + o[0].shape),
            None if o[1] is None else o[1].reshape((1,) * (n - o[1].ndim) + o[1].shape)) for o in ops]
    (sa, sb), out = subs([n, n])
    inter = tuple(x for p, q in zip(ops[0][0].shape, ops[1][0].shape) for x in (p, q))
    ids = _contract([sa, sb], out, ops, store, inter).reshape(v.shape)
    return _reduced(v, ids, store)


def _convolution(a, v, mode, reverse):
    """np.convolve(a, v, mode) (np.correlate for real numbers when reverse:
    the convolution with v reversed) as one dot product of slices per output
    entry, so that each holds exactly the pairs a[i] v[k - i] it sums."""
    ops, store = _operands([a, v])
    values = (ops[0][0], ops[1][0])
    v_value = np.correlate(*values, mode) if reverse else np.convolve(*values, mode)
    if store is None:
        return v_value
    a, v = [x if isinstance(x, _PatternArray) else _fv(_values(x)) for x in (a, v)]
    n, m = a.shape[0], v.shape[0]
    if reverse:
        v = v[::-1]
    if m > n:  # the full convolution is symmetric: loop over the longer one
        a, v = v, a
    p, q = a.shape[0], v.shape[0]
    full = []
    for k in range(p + q - 1):
        lo, hi = max(0, k - q + 1), min(p - 1, k)
        full.append(np.dot(a[lo:hi + 1], v[k - hi:k - lo + 1][::-1]))
    short = min(n, m)
    if mode == "full":
        start = 0
    elif mode == "valid":
        start = short - 1
    else:  # NumPy's "same": centered; correlate swaps a shorter a, and reverses
        start = n // 2 if reverse and n < m else (short - 1) // 2
    return np.stack(full[start:start + v_value.shape[0]])


@_implements(np.convolve)
def _convolve(a, v, mode="full"):
    return _convolution(a, v, mode, False)


@_implements(np.correlate)
def _correlate(a, v, mode="valid"):
    return _convolution(a, v, mode, True)


@_implements(np.einsum)
def _einsum(subscripts, *operands, out=None, **kw):
    if not isinstance(subscripts, str):  # the interleaved form: operand, sublist, ..., [output]
        subscripts, operands = _einsum_sublists((subscripts,) + operands)
    kw.pop("optimize", None)
    _check_dtype(kw.pop("dtype", None), "einsum")
    ops, store = _operands(list(operands))
    v = _fv(np.einsum(subscripts, *[o[0] for o in ops], **kw))
    if store is None:
        return _check_out(out, v, "einsum")
    subs, res = _einsum_parse(subscripts, [o[0].ndim for o in ops])
    return _check_out(out, _reduced(v, _contract(subs, res, ops, store, v.shape), store), "einsum")


def _einsum_sublists(args):
    """(subscripts, operands) of einsum's interleaved form (operand, sublist,
    ..., [output sublist]): label k is letter k of A-Z a-z, as NumPy's, so
    that the implicit output keeps NumPy's order."""
    def letters(sub):
        out = []
        for k in sub:
            if k is Ellipsis:
                out.append("...")
            elif isinstance(k, numbers.Integral) and 0 <= k < 52:
                out.append(_LETTERS[26:][k] if k < 26 else _LETTERS[:26][k - 26])
            else:
                raise ValueError(f"einsum: subscript {k!r} is not in [0, 52) nor Ellipsis")
        return "".join(out)

    tail = args[-1] if len(args) % 2 else None
    pairs = args[:len(args) - (tail is not None)]
    operands, sublists = list(pairs[0::2]), pairs[1::2]
    subscripts = ",".join(letters(t) for t in sublists)
    if tail is not None:
        subscripts += "->" + letters(tail)
    return subscripts, tuple(operands)


def _einsum_parse(subscripts, ndims):
    s = subscripts.replace(" ", "")
    lhs, arrow, rhs = s.partition("->")
    ins = lhs.split(",")
    used = set(c for c in s if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    ell = max([nd - (len(t) - 3) for t, nd in zip(ins, ndims) if "..." in t] or [0])
    eletters = "".join(free[:ell])
    subs = []
    for t, nd in zip(ins, ndims):
        if "..." in t:
            k = nd - (len(t) - 3)
            t = t.replace("...", eletters[ell - k:] if k else "")
        subs.append(t)
    if arrow:
        out = rhs.replace("...", eletters)
    else:
        counts = {}
        for t in subs:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = eletters + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in eletters))
    return subs, out


@_implements(np.cross)
def _cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    ops, store = _operands([a, b])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        v = _fv(np.cross(ops[0][0], ops[1][0], axisa, axisb, axisc))
    if store is None:
        return v
    comps = []
    for (va, ia), ax in zip(ops, (axisa, axisb)):
        ids = np.moveaxis(_ids((va, ia)), ax, -1)
        vals = np.moveaxis(va, ax, -1)
        c = [(vals[..., k], ids[..., k]) for k in range(ids.shape[-1])]
        comps.append(c + [(np.zeros(vals.shape[:-1]), np.zeros(vals.shape[:-1], np.int64))] * (3 - len(c)))
    A, B = comps

    def term(p, q):  # the ids of A_p B_q - A_q B_p
        shape = np.broadcast_shapes(A[p][0].shape, B[q][0].shape)
        return _union(store, _binary_ids("mul", A[p], B[q], store, shape),
                      _binary_ids("mul", A[q], B[p], store, shape))

    if ops[0][0].shape[axisa] == 2 and ops[1][0].shape[axisb] == 2:  # the z component alone
        return _reduced(v, np.array(np.broadcast_to(term(0, 1), v.shape)), store)
    ids = np.stack(np.broadcast_arrays(term(1, 2), term(2, 0), term(0, 1)), axis=-1)
    ids = np.broadcast_to(ids, np.moveaxis(v, axisc, -1).shape)
    return _reduced(v, np.array(np.moveaxis(ids, -1, axisc)), store)


if hasattr(np, "vecdot"):
    def _vecdot(a, b, axis=-1, **kw):
        ops, store = _operands([a, b])
        v = _fv(np.vecdot(ops[0][0], ops[1][0], axis=axis, **kw))
        if store is None:
            return v
        moved = [(np.moveaxis(o[0], axis, -1), None if o[1] is None else np.moveaxis(o[1], axis, -1))
                 for o in ops]
        n = max(m[0].ndim for m in moved)
        L = _LETTERS[:n - 1]
        subs = [L[len(L) - (m[0].ndim - 1):] + "z" if m[0].ndim > 1 else "z" for m in moved]
        return _reduced(v, _contract(subs, L, moved, store, v.shape), store)

    _OTHER[np.vecdot] = _vecdot


@_implements(np.linalg.multi_dot)
def _multi_dot(arrays, *, out=None):
    r = arrays[0]
    for x in arrays[1:]:
        r = np.dot(r, x)
    return _check_out(out, r, "multi_dot")


# ---------------------------------------------- order statistics, interpolation
# Entries picked by value follow the values (as np.sort): partition moves
# each element with its set, and a median depends on the middle entry (the
# two middle entries for an even count, whose mean it is) of the values
# sorted at x. interp, polyval and linspace run the dual arrays' own
# arithmetic on pattern numbers.


@_implements(np.partition)
def _partition(a, kth, axis=-1, kind="introselect", order=None):
    v, i, s = _live(_as_pattern(a))
    if axis is None:
        v, i, axis = v.reshape(-1), i.reshape(-1), 0
    ax = _nd._ax(axis, v.ndim)
    idx = np.argpartition(v, kth, axis=ax, kind=kind)
    return _wrap(np.take_along_axis(v, idx, axis=ax), np.take_along_axis(i, idx, axis=ax), s)


@_implements(np.median)
def _median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    v, i, s = _live(_as_pattern(a))
    axes = _nd._axes(axis, v.ndim)
    rest = [k for k in range(v.ndim) if k not in axes]
    flat_shape = tuple(v.shape[k] for k in rest) + (-1,)
    x = np.reshape(np.transpose(v, rest + list(axes)), flat_shape)
    xi = np.reshape(np.transpose(i, rest + list(axes)), flat_shape)
    size = x.shape[-1]
    if size == 0:
        raise ValueError("numpy.median of an empty dual array has no value to differentiate")
    order = np.argsort(x, axis=-1)
    half = size // 2
    mid = np.take_along_axis(xi, order[..., half:half + 1], axis=-1)[..., 0]
    if size % 2 == 0:  # the mean of the two middle entries: both
        low = np.take_along_axis(xi, order[..., half - 1:half], axis=-1)[..., 0]
        mid = _union(s, low, mid)
    mid = np.where(np.isnan(x).any(axis=-1), 0, mid)  # NaN: a constant, as the dual arrays
    rv = np.median(v, axis=axis, keepdims=keepdims)
    return _check_out(out, _reduced(rv, np.reshape(mid, np.shape(rv)), s), "median")


@_implements(np.interp)
def _interp(x, xp, fp, left=None, right=None, period=None):
    # the dual arrays' formula on pattern numbers: inside [xp[0], xp[-1]]
    # fp[j] + (x - xp[j]) * (fp[j+1] - fp[j]) / h on the segment j of x,
    # which depends on x and the two knots' fp (a constant x at a knot
    # leaves out fp[j+1]); outside, left / right (fp[0] / fp[-1] by default).
    # A constant x at the last knot keeps fp[-2], whose coefficient
    # 1 - (x - xp[-2]) / h cancels to 0 or nearly: a superset there.
    if period is not None:
        raise TypeError("numpy.interp with period is not supported for dualdiff arrays")
    if isinstance(xp, (_PatternArray, _PatternNumber)) or _parts(xp) is not None and _parts(xp)[2] is not None:
        raise TypeError("numpy.interp of dual arrays needs constant knots xp; x, fp, left "
                        "and right may be dual")
    xpv = np.asarray(xp, dtype=np.float64)
    xv, fpv = np.asarray(_values(x), dtype=np.float64), np.asarray(_values(fp), dtype=np.float64)
    value = np.interp(xv, xpv, fpv, None if left is None else _values(left),
                      None if right is None else _values(right))
    fp = _as_pattern(fp) if _parts(fp)[2] is not None else fpv
    if xpv.size == 1:
        res = np.add(np.zeros_like(x) if isinstance(x, _PatternArray) else np.zeros(xv.shape),
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
    p = _parts(res)
    if p is None or p[2] is None:
        return value
    return _out(value, np.array(np.broadcast_to(p[1], np.shape(value))), p[2], np.ndim(value) == 0)


@_implements(np.polyval)
def _polyval(p, x):
    # Horner's scheme as NumPy runs it, on pattern numbers
    if isinstance(p, _PatternArray):
        coeffs = list(p)
    else:
        coeffs = list(p) if isinstance(p, (list, tuple)) else list(np.asarray(p, dtype=np.float64))
    if isinstance(x, _PatternArray):
        y = np.zeros_like(x)
    elif type(x) is _PatternNumber:
        y = 0.0
    else:
        y = np.zeros_like(np.asarray(x, dtype=np.float64))
    for c in coeffs:
        y = y * x + c
    return y


@_implements(np.linspace)
def _linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, **kw):
    # NumPy's steps on pattern endpoints: entry k is start + k * step, the
    # first one start alone (0 * step is the constant 0), the last one stop
    # itself when endpoint is true; the others depend on both
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
    y = _as_pattern(y + start)
    if endpoint and num > 1:
        y[-1, ...] = stop
    if axis != 0:
        y = np.moveaxis(y, 0, axis)
    return (y, step) if retstep else y


@_implements(np.gradient)
def _gradient(f, *varargs, axis=None, edge_order=1):
    # linear in f along each axis, and local: entry k of the derivative
    # reads entries k - 2 .. k + 2 at most (k +- 1 inside, three at an edge
    # for edge_order=2). Its set is the union over the entries it reads with
    # a coefficient that is not 0 (the centre, for an even spacing), found
    # by np.gradient of five combs (1 where j % 5 == r): each entry k sees
    # one tooth of each comb in its window, times its coefficient.
    v, i, s = _live(_as_pattern(f))
    if any(_parts(d) is not None and _parts(d)[2] is not None for d in varargs):
        raise TypeError("numpy.gradient of dual arrays needs constant spacings")
    if axis is None:
        axes = tuple(range(v.ndim))
    elif isinstance(axis, (tuple, list)):
        axes = tuple(_nd._ax(ax, v.ndim) for ax in axis)
    else:
        axes = (_nd._ax(axis, v.ndim),)
    res = np.gradient(v, *varargs, axis=axes, edge_order=edge_order)
    many = isinstance(res, (list, tuple))
    res = list(res) if many else [res]
    if not varargs:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        spacing = list(varargs) * len(axes)
    else:
        spacing = list(varargs)
    out = []
    for ax, d, r in zip(axes, spacing, res):
        n = v.shape[ax]
        k = np.arange(n)
        t = np.moveaxis(i, ax, -1)
        members = []
        for tooth in range(5):
            coef = np.gradient((k % 5 == tooth).astype(np.float64), d, edge_order=edge_order)
            j = k + (tooth - k + 2) % 5 - 2  # the tooth in k - 2 .. k + 2
            read = (coef != 0) & (j >= 0) & (j < n)
            members.append(np.where(read, t[..., np.clip(j, 0, n - 1)], 0))
        ids = _group(np.stack(members, axis=-1), (t.ndim,), t.ndim + 1, s)
        out.append(_wrap(np.asarray(r, dtype=np.float64), np.moveaxis(ids, -1, ax), s))
    return tuple(out) if many else out[0]


# --------------------------------------------------------------------- FFT
# fftshift and ifftshift move elements (shape functions, above). The
# real-valued transforms of real input are linear maps: an output element
# depends on every input element the transform reads along its axes (the
# first n // 2 + 1 along the last axis of a Hermitian one, the first n along
# the others). A superset: entries of the map that vanish (cos(pi / 2) for
# some lengths) are not followed.


def _fft_depends(fn, a, lengths, axes, compute):
    v, i, s = _live(_as_pattern(a))
    r = _fv(compute(v))
    crop = [slice(None)] * v.ndim
    for ax, n in zip(axes, lengths):
        crop[ax] = slice(0, n)
    g = _group(i[tuple(crop)], axes, v.ndim, s, keepdims=True)
    return _wrap(r, np.array(np.broadcast_to(g, r.shape)), s)


def _fft_linear(fn):
    def one_axis(a, n=None, axis=-1, norm=None, out=None):
        v = _values(a)
        ax = _nd._ax(axis, np.ndim(v))
        m = (2 * (np.shape(v)[ax] - 1) if n is None else n) // 2 + 1
        res = _fft_depends(fn, a, [m], (ax,), lambda x: fn(x, n, axis=ax, norm=norm))
        return _check_out(out, res, fn.__name__)
    one_axis.__name__ = fn.__name__
    return one_axis


def _fftn_linear(fn, default_axes):
    def many_axes(a, s=None, axes=default_axes, norm=None, out=None):
        v = _values(a)
        nd = np.ndim(v)
        if axes is None:
            axes = tuple(range(nd)) if s is None else tuple(range(nd - len(s), nd))
        axes = (_nd._ax(axes, nd),) if isinstance(axes, numbers.Integral) else tuple(_nd._ax(k, nd) for k in axes)
        shape = np.shape(v)
        lengths = [shape[k] for k in axes] if s is None else list(s)
        if s is None:
            lengths[-1] = 2 * (shape[axes[-1]] - 1)
        lengths[-1] = lengths[-1] // 2 + 1
        res = _fft_depends(fn, a, lengths, axes, lambda x: fn(x, s, axes=axes, norm=norm))
        return _check_out(out, res, fn.__name__)
    many_axes.__name__ = fn.__name__
    return many_axes


_FUNCTIONS[np.fft.irfft] = _fft_linear(np.fft.irfft)
_FUNCTIONS[np.fft.hfft] = _fft_linear(np.fft.hfft)
_FUNCTIONS[np.fft.irfftn] = _fftn_linear(np.fft.irfftn, None)
_FUNCTIONS[np.fft.irfft2] = _fftn_linear(np.fft.irfft2, (-2, -1))


# The complex transforms (and rfft, ihfft) read the first n inputs along each
# axis (all of them unless n or s crops), and every output depends on those.

def _fft_complex(fn):
    def one_axis(a, n=None, axis=-1, norm=None, out=None):
        v = _values(a)
        ax = _nd._ax(axis, np.ndim(v))
        m = np.shape(v)[ax] if n is None else n
        res = _fft_depends(fn, a, [m], (ax,), lambda x: fn(x, n, axis=ax, norm=norm))
        return _check_out(out, res, fn.__name__)
    one_axis.__name__ = fn.__name__
    return one_axis


def _fftn_complex(fn, default_axes):
    def many_axes(a, s=None, axes=default_axes, norm=None, out=None):
        v = _values(a)
        nd = np.ndim(v)
        if axes is None:
            axes = tuple(range(nd)) if s is None else tuple(range(nd - len(s), nd))
        axes = (_nd._ax(axes, nd),) if isinstance(axes, numbers.Integral) else \
            tuple(_nd._ax(k, nd) for k in axes)
        lengths = [np.shape(v)[k] for k in axes] if s is None else list(s)
        res = _fft_depends(fn, a, lengths, axes, lambda x: fn(x, s, axes=axes, norm=norm))
        return _check_out(out, res, fn.__name__)
    many_axes.__name__ = fn.__name__
    return many_axes


for _f in (np.fft.fft, np.fft.ifft, np.fft.rfft, np.fft.ihfft):
    _FUNCTIONS[_f] = _fft_complex(_f)
for _f in (np.fft.fftn, np.fft.ifftn, np.fft.rfftn):
    _FUNCTIONS[_f] = _fftn_complex(_f, None)
for _f in (np.fft.fft2, np.fft.ifft2, np.fft.rfft2):
    _FUNCTIONS[_f] = _fftn_complex(_f, (-2, -1))
del _f


# ------------------------------------------------------------ linear algebra
# Structural: an output element of a matrix function depends on every entry
# its matrix argument reads (the triangle of eigh, all of the others), and on
# the column of the right-hand side it solves for; triangular factors keep
# their zero triangle constant.

def _matrix_ids(i, store, uplo=None):
    """The union of each matrix's sets (ids of shape (..., N, M)) -> (...,)."""
    i = np.asarray(i, dtype=np.int64)
    if uplo is not None:
        n = i.shape[-1]
        tri = np.tril(np.ones((n, n), bool)) if uplo == "L" else np.triu(np.ones((n, n), bool))
        i = np.where(tri, i, 0)
    return _group(i, (i.ndim - 2, i.ndim - 1), i.ndim, store)


def _spread_matrix(m, shape):
    """Per-matrix ids m (...,) broadcast over matrices of the given shape (..., N, M)."""
    return np.array(np.broadcast_to(np.asarray(m)[..., None, None], shape))


def _lin1(a):
    ops, store = _operands([a])
    return ops[0], store


@_implements(np.linalg.inv)
def _inv(a):
    (v, i), s = _lin1(a)
    r = np.linalg.inv(v)
    return _wrap(r, _spread_matrix(_matrix_ids(_ids((v, i)), s), r.shape), s)


@_implements(np.linalg.solve)
def _solve(a, b):
    ops, s = _operands([a, b])
    (va, ia), (vb, ib) = ops
    r = np.linalg.solve(va, vb)
    ma = _matrix_ids(_ids((va, ia)), s)
    if vb.ndim == 1:
        mb = _group(_ids((vb, ib)), (0,), 1, s)
        ids = _union(s, np.broadcast_to(ma[..., None], r.shape), np.broadcast_to(mb, r.shape))
    else:
        cols = _group(_ids((vb, ib)), (vb.ndim - 2,), vb.ndim, s, keepdims=True)  # (..., 1, K)
        ids = _union(s, np.broadcast_to(ma[..., None, None], r.shape), np.broadcast_to(cols, r.shape))
    return _reduced(r, np.array(np.broadcast_to(ids, r.shape)), s)


@_implements(np.linalg.det)
def _det(a):
    (v, i), s = _lin1(a)
    return _reduced(np.linalg.det(v), _matrix_ids(_ids((v, i)), s), s)


@_implements(np.linalg.slogdet)
def _slogdet(a):
    (v, i), s = _lin1(a)
    sign, logdet = np.linalg.slogdet(v)
    return _nd._SlogdetResult(sign, _reduced(logdet, _matrix_ids(_ids((v, i)), s), s))


def _triangular(r, m, lower, s):
    n, k = r.shape[-2], r.shape[-1]
    keep = np.tril(np.ones((n, k), bool)) if lower else np.triu(np.ones((n, k), bool))
    return _wrap(r, np.where(keep, _spread_matrix(m, r.shape), 0).astype(np.int64), s)


@_implements(np.linalg.cholesky)
def _cholesky(a, upper=False):
    (v, i), s = _lin1(a)
    L = np.linalg.cholesky(v)
    res = _triangular(L, _matrix_ids(_ids((v, i)), s), True, s)
    return np.swapaxes(res, -1, -2) if upper else res


@_implements(np.linalg.eigh)
def _eigh(a, UPLO="L"):
    (v, i), s = _lin1(a)
    w, V = np.linalg.eigh(v, UPLO)
    m = _matrix_ids(_ids((v, i)), s, uplo=UPLO.upper())
    return _nd._EighResult(_wrap(w, np.array(np.broadcast_to(m[..., None], w.shape)), s),
                           _wrap(V, _spread_matrix(m, V.shape), s))


@_implements(np.linalg.eigvalsh)
def _eigvalsh(a, UPLO="L"):
    return _eigh(a, UPLO)[0]


@_implements(np.linalg.eig)
def _eig(a):
    """Every eigenvalue and eigenvector entry depends on the whole matrix (each
    matrix of a stack apart)."""
    (v, i), s = _lin1(a)
    w, V = np.linalg.eig(v)
    m = _matrix_ids(_ids((v, i)), s)
    return (_wrap(_fv(w), np.array(np.broadcast_to(m[..., None], w.shape)), s),
            _wrap(_fv(V), _spread_matrix(m, V.shape), s))


@_implements(np.linalg.eigvals)
def _eigvals(a):
    return _eig(a)[0]


@_implements(np.linalg.qr)
def _qr(a, mode="reduced"):
    if mode not in ("reduced", "r"):
        raise TypeError(f"numpy.linalg.qr with mode={mode!r} is not supported for dualdiff arrays")
    (v, i), s = _lin1(a)
    if v.shape[-2] < v.shape[-1]:
        raise TypeError("numpy.linalg.qr of a wide dual matrix is not supported")
    Q, R = np.linalg.qr(v)
    m = _matrix_ids(_ids((v, i)), s)
    r = _triangular(R, m, False, s)
    if mode == "r":
        return r
    return _nd._QRResult(_wrap(Q, _spread_matrix(m, Q.shape), s), r)


@_implements(np.linalg.lstsq)
def _lstsq(a, b, rcond=None):
    ops, s = _operands([a, b])
    (va, ia), (vb, ib) = ops
    x, res, rank, sv = np.linalg.lstsq(va, vb, rcond=rcond)
    if rank < va.shape[-1]:
        raise np.linalg.LinAlgError("numpy.linalg.lstsq of dual arrays needs full column rank")
    ma = _matrix_ids(_ids((va, ia)), s)
    if vb.ndim == 1:
        cols = _group(_ids((vb, ib)), (0,), 1, s)
        xi = _union(s, np.broadcast_to(ma, x.shape), np.broadcast_to(cols, x.shape))
    else:
        cols = _group(_ids((vb, ib)), (0,), 2, s)  # (K,)
        xi = _union(s, np.broadcast_to(ma, x.shape), np.broadcast_to(cols[None, :], x.shape))
    xi = np.array(np.broadcast_to(xi, x.shape))
    if res.size:
        ri = np.array(np.broadcast_to(_group(xi, (0,), xi.ndim, s), res.shape)) if xi.ndim > 1 else \
            np.array(np.broadcast_to(_group(xi, (0,), 1, s), res.shape))
        res = _wrap(np.asarray(res, dtype=np.float64), ri, s)
    return _wrap(x, xi, s), res, rank, sv


@_implements(np.linalg.svd)
def _svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    # every factor depends on the whole matrix (its lower triangle when
    # hermitian, which NumPy reads through eigh)
    (v, i), s = _lin1(a)
    m = _matrix_ids(_ids((v, i)), s, uplo="L" if hermitian else None)
    if not compute_uv:
        S = np.linalg.svd(v, full_matrices=full_matrices, compute_uv=False, hermitian=hermitian)
        return _wrap(S, np.array(np.broadcast_to(m[..., None], S.shape)), s)
    U, S, Vh = np.linalg.svd(v, full_matrices=full_matrices, hermitian=hermitian)
    return _nd._SVDResult(_wrap(U, _spread_matrix(m, U.shape), s),
                          _wrap(S, np.array(np.broadcast_to(m[..., None], S.shape)), s),
                          _wrap(Vh, _spread_matrix(m, Vh.shape), s))


@_implements(np.linalg.pinv)
def _pinv(a, rcond=None, hermitian=False, **kwargs):
    # every entry depends on the whole matrix, as inv
    (v, i), s = _lin1(a)
    if rcond is not None:
        kwargs["rcond"] = rcond
    P = np.linalg.pinv(v, hermitian=hermitian, **kwargs)
    m = _matrix_ids(_ids((v, i)), s, uplo="L" if hermitian else None)
    return _wrap(P, _spread_matrix(m, P.shape), s)


def _norm_ids(v, i, s, ord, axis, keepdims):
    if axis is None:
        axes = tuple(range(v.ndim))
    elif isinstance(axis, numbers.Integral):
        axes = (_nd._ax(axis, v.ndim),)
    else:
        axes = tuple(_nd._ax(k, v.ndim) for k in axis)
    ids = _group(i, axes, v.ndim, s, keepdims)
    return _step_ids(ids) if ord == 0 and len(axes) == 1 else ids


@_implements(np.linalg.norm)
def _norm(x, ord=None, axis=None, keepdims=False):
    v, i, s = _live(_as_pattern(x))
    r = np.linalg.norm(v, ord=ord, axis=axis, keepdims=keepdims)
    return _reduced(r, _norm_ids(v, i, s, ord, axis, keepdims).reshape(np.shape(r)), s)


if hasattr(np.linalg, "vector_norm"):
    @_implements(np.linalg.vector_norm)
    def _vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
        v, i, s = _live(_as_pattern(x))
        r = np.linalg.vector_norm(v, axis=axis, keepdims=keepdims, ord=ord)
        ids = _group(i, _nd._axes(axis, v.ndim), v.ndim, s, keepdims)
        if ord == 0:
            ids = _step_ids(ids)
        return _reduced(r, ids.reshape(np.shape(r)), s)

    @_implements(np.linalg.matrix_norm)
    def _matrix_norm(x, /, *, keepdims=False, ord="fro"):
        v, i, s = _live(_as_pattern(x))
        r = np.linalg.matrix_norm(v, keepdims=keepdims, ord=ord)
        return _reduced(r, _group(i, (v.ndim - 2, v.ndim - 1), v.ndim, s, keepdims).reshape(np.shape(r)), s)


# ------------------------------------------------------------ construction


def array(obj, copy=True):
    """array(obj): a _PatternArray from PatternNumbers, pattern arrays and
    numbers nested in lists or tuples (or an object array); without any
    pattern, a float64 ndarray (dualdiff.numpy.array's twin)."""
    if isinstance(obj, _PatternArray):
        return obj.copy() if copy else obj
    if type(obj) is _PatternNumber:
        return _wrap(np.array(obj._value), np.array(obj._id, dtype=np.int64), obj._store)
    if isinstance(obj, np.ndarray) and obj.dtype == object:
        if obj.size == 0:
            return np.zeros(obj.shape)
        if obj.ndim == 0:
            return array(obj[()], copy)
        obj = obj.tolist()
    if isinstance(obj, (list, tuple)):
        flat = _flat_items(obj)
        if flat is not None:
            return flat
        v, i, s = _build(obj)
        if s is None:
            return _nd.array(obj)  # no pattern: dualdiff.numpy.array's rules and errors
        return _wrap(v, i, s)
    return _nd.array(obj)


def _flat_items(obj):
    """The fast path of array(): a flat sequence of numbers and PatternNumbers."""
    store = None
    for x in obj:
        t = type(x)
        if t is _PatternNumber:
            if store is None:
                store = x._store
            elif x._store is not store:
                raise _store_error()
        elif t is not float and t is not int:
            return None
    if store is None:
        return None
    v = _fv(np.array([x._value if type(x) is _PatternNumber else x for x in obj]))
    i = np.array([x._id if type(x) is _PatternNumber else 0 for x in obj], dtype=np.int64)
    return _wrap(v, i, store)


def _build(obj):
    """(values, ids, store) of a nesting of sequences."""
    if isinstance(obj, (list, tuple)):
        parts = [_build(x) for x in obj]
        stores = {id(p[2]): p[2] for p in parts if p[2] is not None}
        if len(stores) > 1:
            raise _store_error()
        s = next(iter(stores.values())) if stores else None
        if not parts:
            return np.zeros(0), np.zeros(0, np.int64), s
        if len({p[0].shape for p in parts}) > 1:
            raise ValueError("setting an array element with a sequence: the nested sequences "
                             "have inhomogeneous shapes")
        return np.stack([p[0] for p in parts]), np.stack([p[1] for p in parts]), s
    p = _parts(obj)
    if p is None:
        raise TypeError(f"cannot make a dual array from {type(obj).__name__}")
    v, i, s = p
    return _fv(v), (np.zeros(np.shape(v), np.int64) if i is None else np.asarray(i)), s


# ------------------------------------------------------------ second order
#
# Hessian sparsity detection (dualdiff.hessian_sparsity) runs the same pass
# over a Store of 2n members: member j < n says "depends on input j", member
# n + j says "is nonlinear in input j" (its Hessian has a row j). Unions, so
# every linear operation, unite both parts; an operation with a nonzero second
# partial (the table's "second" column) adds its operands' dependencies to the
# nonlinear part and records the pairs of inputs they make interact (xx: the
# pairs of the first operand's dependencies, xy: one from each operand). The
# pairs of the whole pass are collected globally: a superset of the Hessian
# pattern of every result, exact for what reaches the result linearly.

_SECOND: dict[Any, "_Second"] = {}  # Store -> its tracker, during a Hessian detection
_PAIR_LIMIT = 1 << 26  # pairs one operation may record (8 bytes each)


class _Second:
    """The second-order bookkeeping of one Hessian detection over n inputs."""

    def __init__(self, n, store):
        self.n = n
        self.store = store
        self.pairs = []  # int64 codes i * n + j, i <= j
        self.npairs = 0
        self._shifted = {0: 0, 1: 1}  # id -> id of its nonlinear part made from its dependencies

    def depends(self, ids):
        """(indptr, indices) of the dependency parts (members < n) of the sets ids."""
        indptr, indices = self.store.rows(np.ascontiguousarray(ids, dtype=np.int64))
        keep = indices < self.n
        if keep.all():
            return indptr, indices
        rows = np.repeat(np.arange(ids.size), np.diff(indptr))
        counts = np.bincount(rows[keep], minlength=ids.size)
        return np.concatenate(([0], np.cumsum(counts))).astype(np.int64), indices[keep]

    def nonlinear(self, ids, extra):
        """ids (array) with the dependencies of the sets ``extra`` (same shape)
        added to their nonlinear parts."""
        ids = np.asarray(ids, dtype=np.int64)
        extra = np.ascontiguousarray(np.broadcast_to(extra, ids.shape), dtype=np.int64).reshape(-1)
        if extra.size == 0 or extra.max(initial=0) <= 1:
            return ids
        u = _distinct(extra)
        inv = np.searchsorted(u, extra)
        missing = [x for x in u.tolist() if x not in self._shifted]
        if missing:
            m = np.array(missing, dtype=np.int64)
            indptr, indices = self.depends(m)
            made = self.store.add_rows(indptr, indices + self.n)
            for x, y in zip(missing, made.tolist()):
                self._shifted[x] = y
        shifted = np.array([self._shifted[x] for x in u.tolist()], dtype=np.int64)[inv]
        return self.store.union(np.ascontiguousarray(ids).reshape(-1), shifted).reshape(ids.shape)

    def record(self, ia, ib):
        """Record the pairs D(ia[k]) x D(ib[k]) for every k (broadcast)."""
        ia, ib = np.broadcast_arrays(np.asarray(ia, dtype=np.int64), np.asarray(ib, dtype=np.int64))
        ia, ib = ia.reshape(-1), ib.reshape(-1)
        keep = (ia > 1) & (ib > 1)
        if not keep.all():
            ia, ib = ia[keep], ib[keep]
        if ia.size == 0:
            return
        key = _distinct(ia * (self.store.nsets + 1) + ib)
        ia, ib = key // (self.store.nsets + 1), key % (self.store.nsets + 1)
        pa, xa = self.depends(ia)
        pb, xb = self.depends(ib)
        la, lb = np.diff(pa), np.diff(pb)
        sizes = la * lb
        total = int(sizes.sum())
        if total > _PAIR_LIMIT:
            raise ValueError(f"Hessian sparsity: one operation makes {total} pairs of inputs interact, "
                             "too many to store: the Hessian is (nearly) dense here")
        if total == 0:
            return
        k = np.repeat(np.arange(ia.size), sizes)
        t = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        i = xa[pa[k] + t // lb[k]]
        j = xb[pb[k] + t % lb[k]]
        codes = np.minimum(i, j) * self.n + np.maximum(i, j)
        self.pairs.append(codes)
        self.npairs += codes.size
        if self.npairs > 4 * _PAIR_LIMIT:
            self.pairs = [_distinct(np.concatenate(self.pairs))]
            self.npairs = self.pairs[0].size

    def rule(self, second, ia, ib, out):
        """out (the ids of a rule's result) made nonlinear as the table's
        second partials of the rule say; ia, ib the operands' ids (ib None
        for a unary rule), all broadcast to out's shape."""
        out = np.asarray(out, dtype=np.int64)
        if not second or out.size == 0 or out.max(initial=0) <= 1:
            return out
        ia = np.zeros(out.shape, np.int64) if ia is None else np.broadcast_to(ia, out.shape)
        ib = np.zeros(out.shape, np.int64) if ib is None else np.broadcast_to(ib, out.shape)
        live = out > 1  # a result whose dependencies were dropped (x * 0) is left alone
        ia = np.where(live, ia, 0)
        ib = np.where(live, ib, 0)
        if "xx" in second:
            self.record(ia, ia)
            out = self.nonlinear(out, ia)
        if "yy" in second:
            self.record(ib, ib)
            out = self.nonlinear(out, ib)
        if "xy" in second:
            both = (ia > 1) & (ib > 1)
            if both.any():
                self.record(np.where(both, ia, 0), np.where(both, ib, 0))
                out = self.nonlinear(out, np.where(both, ia, 0))
                out = self.nonlinear(out, np.where(both, ib, 0))
        return out

    def dense(self, out):
        """out made nonlinear in all its dependencies, every pair of them
        interacting: the rule for functions without a finer one."""
        out = np.asarray(out, dtype=np.int64)
        if out.size == 0 or out.max(initial=0) <= 1:
            return out
        self.record(out, out)
        return self.nonlinear(out, out)

    def result(self):
        """The recorded pairs: (i, j) int64 arrays, i <= j, each pair once."""
        codes = _distinct(np.concatenate(self.pairs)) if self.pairs else np.zeros(0, np.int64)
        return codes // self.n, codes % self.n


def _distinct(a):
    """The sorted distinct values of an int64 array (a sort: faster here than
    np.unique's hashing)."""
    s = np.sort(a)
    if s.size < 2:
        return s
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def _second_of(store):
    return _SECOND.get(store) if _SECOND and store is not None else None


def _second_scalar(store, rule, ia, ib, out):
    """The id of a scalar rule's result out, made nonlinear in a Hessian detection."""
    t = _second_of(store)
    if t is None or out <= 1:
        return out
    return int(t.rule(_RULE_SECOND[rule], np.array(ia), None if ib is None else np.array(ib),
                      np.array(out)))


def _second_dense(result):
    """Results (a pattern array or number, or tuples of them) made nonlinear in
    all their dependencies, in a Hessian detection."""
    if isinstance(result, tuple):  # plain, or a result with named parts (eigh, slogdet, ...)
        return tuple.__new__(type(result), [_second_dense(r) for r in result])
    if isinstance(result, list):
        return [_second_dense(r) for r in result]
    if type(result) is _PatternNumber:
        t = _second_of(result._store)
        return result if t is None else _PatternNumber(result._value, int(t.dense(np.array(result._id))),
                                                      result._store)
    if isinstance(result, _PatternArray):
        v, i, s = _live(result)
        t = _second_of(s)
        return result if t is None else _wrap(v, t.dense(i), s)
    return result


def _rule_second():
    from dualdiff._rules import RULES

    out = {r.name: r.second for r in RULES}
    out[None] = ()  # negative, positive, conjugate: linear
    return out


_RULE_SECOND = _rule_second()
# ufuncs that share a rule's dependencies but not its curvature: logaddexp
# depends on both arguments as add does, and is nonlinear in both
_UFUNC_SECOND = {np.logaddexp: ("xx", "xy", "yy"), np.logaddexp2: ("xx", "xy", "yy")}

# NumPy functions that are linear (or piecewise linear) in their pattern
# arguments, or move and select entries: they make no inputs interact. The
# products go through _contract, which records their pairs; every other
# function makes all the dependencies of its result interact.
_LINEAR_NAMES = set("""all allclose amax amin angle any append argmax argmin argsort argwhere around
array_equal array_split atleast_1d atleast_2d atleast_3d broadcast_arrays broadcast_to can_cast clip
column_stack concatenate copy count_nonzero cumsum diag diagonal diff dsplit empty_like expand_dims
fft.fftshift fft.hfft fft.ifftshift fft.irfft fft.irfft2 fft.irfftn flatnonzero flip fliplr flipud
full_like hsplit hstack imag isclose iscomplex iscomplexobj isreal isrealobj linspace max mean median
min min_scalar_type moveaxis nan_to_num ndim nonzero ones_like pad partition ravel real real_if_close
repeat reshape result_type roll rollaxis rot90 round row_stack searchsorted shape size sort split
squeeze stack sum swapaxes take take_along_axis tile trace transpose tril triu vsplit vstack where
zeros_like dot vdot inner outer matmul tensordot kron einsum linalg.multi_dot""".split())


def _linear_functions():
    out = set()
    for fn in _FUNCTIONS:
        name = _nd._fname(fn)
        if name.startswith("numpy.") and name[6:] in _LINEAR_NAMES:
            out.add(fn)
    return out


# ------------------------------------------------------------ seeding, reading


def seed(flat, shape):
    """The input f receives for the flat float64 values of x: a _PatternNumber
    for a scalar x (shape None), else a _PatternArray shaped like x; input j
    depends on itself."""
    n = flat.shape[0]
    store = Store(n)
    ids = np.arange(2, n + 2, dtype=np.int64)
    if shape is None:
        return _PatternNumber(float(flat[0]), 2, store), store
    return _wrap(np.array(flat).reshape(shape), ids.reshape(shape), store), store


def read(y, store):
    """(ids, shape) of f's result y: the flat set ids of its elements."""
    if isinstance(y, _PatternArray):
        v, i, s = _live(y)
        if s is not store:
            raise _store_error()
        return np.ascontiguousarray(i, dtype=np.int64).reshape(-1), y.shape
    if type(y) is _PatternNumber:
        if y._store is not store:
            raise _store_error()
        return np.array([y._id], dtype=np.int64), ()
    if isinstance(y, (bool, np.bool_)) or type(y) is float or type(y) is int or \
            (isinstance(y, (numbers.Number, np.number)) and not isinstance(y, (Dual, np.ndarray))):
        return np.zeros(1, np.int64), ()
    if y is None or isinstance(y, (str, bytes, dict, set)):
        raise TypeError(f"the function being differentiated returned {'None' if y is None else type(y).__name__}; "
                        "it must return a real number, a Dual, or a sequence or array of them")
    if isinstance(y, (Dual, _nd.DualArray)):
        raise _mix_error()
    if isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.dtype == object):
        try:
            a = array(y)
        except ValueError as exc:
            raise ValueError("the function being differentiated returned a ragged sequence "
                             f"(rows of different lengths): {exc}") from None
        except TypeError:
            raise TypeError("the function being differentiated returned a sequence holding "
                            "something that is not a real number or a pattern") from None
        if isinstance(a, _PatternArray):
            return read(a, store)
        return np.zeros(np.size(a), np.int64), np.shape(a)
    if isinstance(y, np.ndarray):
        if y.dtype.kind not in "biufc":
            raise TypeError("the function being differentiated returned an array of dtype "
                            f"{y.dtype}; it must hold real numbers or Duals")
        return np.zeros(y.size, np.int64), y.shape
    raise TypeError(f"the function being differentiated returned {type(y).__name__}; "
                    "it must return a real number, a Dual, or a sequence or array of them")



# ------------------------------------------------------- pattern numbers
# The methods NumPy's object loops call (np.sin(object array) calls x.sin()),
# as Dual has them.

def _object_method(ufunc):
    def method(self, *others):
        return _call(ufunc, (self,) + others)
    method.__name__ = ufunc.__name__
    return method


for _name in ("sqrt cbrt exp exp2 expm1 log log2 log10 log1p sin cos tan arcsin arccos arctan sinh "
              "cosh tanh arcsinh arccosh arctanh fabs rint degrees radians rad2deg deg2rad arctan2 "
              "hypot").split():
    setattr(_PatternNumber, _name, _object_method(getattr(np, _name)))
del _name


# dualdiff.math on pattern numbers: values by Python's math (so errors are
# math's), sets by the rule structure.

def _math_value(name, *values):
    f = getattr(math, name, None)
    if f is None:  # cbrt and exp2 before Python 3.11
        return float(getattr(np, name)(*values))
    return f(*values)


def _math_parts(x, name):
    p = _number(x)
    if p is None:
        raise TypeError(f"{name}() arguments must be real numbers or Duals, not {type(x).__name__}")
    return p


def _math_union(parts):
    """The union of the sets of scalar parts [(value, id, store)], and the store."""
    store = None
    acc = 0
    for _, i, s in parts:
        if s is not None:
            if store is not None and s is not store:
                raise _store_error()
            store = s
            acc = store.union_pair(acc, i)
    return acc, store


def _math(name, args, kwargs=None):
    """dualdiff.math's function name on arguments that include pattern numbers."""
    if name in ("floor", "ceil", "trunc"):
        x = args[0]
        return _step(x, float(_math_value(name, x._value)))
    if name in _UNARY_DEPENDS and len(args) == 1:
        x = args[0]
        v = _math_value(name, x._value)
        i = x._id if _UNARY_DEPENDS[name] else (1 if x._id else 0)
        return _PatternNumber(v, _second_scalar(x._store, name, x._id, None, i) if _SECOND else i,
                              x._store)
    if name in ("atan2", "copysign", "fmod", "remainder", "pow"):
        (u, ia, sa), (w, ib, sb) = (_math_parts(a, name) for a in args)
        if sa is not None and sb is not None and sa is not sb:
            raise _store_error()
        v = _math_value(name, u, w)
        rule = {"pow": "pow"}.get(name, name)
        s = sa if sa is not None else sb
        i = _pair_ids(rule, ia, u, ib, w, s)
        return _PatternNumber(v, _second_scalar(s, rule, ia, ib, i) if _SECOND else i, s)
    if name == "log":
        parts = [_math_parts(a, name) for a in args]
        i, s = _math_union(parts)
        return _second_dense(_PatternNumber(math.log(*[p[0] for p in parts]), i, s))
    if name in ("hypot", "fsum"):
        items = args if name == "hypot" else args[0]
        parts = [_math_parts(a, name) for a in items]
        i, s = _math_union(parts)
        r = _PatternNumber(_math_value(name, *[p[0] for p in parts]) if name == "hypot"
                           else math.fsum([p[0] for p in parts]), i, s)
        return _second_dense(r) if name == "hypot" else r
    if name == "dist":
        p, q = args
        if len(p) != len(q):
            raise ValueError("both points must have the same number of dimensions")
        pp = [_math_parts(a, name) for a in p]
        qq = [_math_parts(a, name) for a in q]
        i, s = _math_union(pp + qq)
        return _second_dense(_PatternNumber(math.dist([a[0] for a in pp], [b[0] for b in qq]), i, s))
    if name == "ldexp":
        x, e = args
        if type(e) is _PatternNumber:
            raise TypeError("ldexp() the exponent must be an integer, not a pattern")
        return _PatternNumber(math.ldexp(x._value, e), x._id, x._store)
    if name == "frexp":
        x = args[0]
        m, e = math.frexp(x._value)
        return _PatternNumber(m, x._id, x._store), e
    if name == "modf":
        x = args[0]
        f, w = math.modf(x._value)
        return _PatternNumber(f, x._id, x._store), _step(x, w)
    if name == "fma":
        parts = [_math_parts(a, name) for a in args]
        (u, ia, sa), (w, ib, sb), (c, ic, sc) = parts
        _, s = _math_union(parts)
        v = math.fma(u, w, c) if hasattr(math, "fma") else u * w + c
        prod = _pair_ids("mul", ia, u, ib, w, s)
        if _SECOND:
            prod = _second_scalar(s, "mul", ia, ib, prod)
        return _PatternNumber(v, s.union_pair(prod, ic), s)
    if name == "sumprod":
        p, q = args
        terms = [a * b for a, b in zip(p, q)]
        return _math("fsum", (terms,))
    if name == "nextafter":
        x, y = args[0], args[1]
        (u, ia, sa), (w, ib, sb) = _math_parts(x, name), _math_parts(y, name)
        s = sa if sa is not None else sb
        v = math.nextafter(u, w, *args[2:], **(kwargs or {}))
        return _PatternNumber(v, ia if sa is not None else (1 if ib else 0), s)
    if name == "ulp":
        x = args[0]
        return _step(x, math.ulp(x._value))
    raise TypeError(f"dualdiff.math.{name} does not take dependency patterns")


_set_pattern_hook(_PatternNumber, _math)
_nd._PATTERN_TYPES = (_PatternArray, _PatternNumber)
_nd._pattern_array = array
_LINEAR_FUNCTIONS = _linear_functions()
