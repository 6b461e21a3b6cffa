"""Complex dual numbers: NumPy arrays of values with derivatives, real or complex.

A :class:`ComplexDual` holds a value (a NumPy scalar or array, real or
complex), its first derivatives along n directions (``tangent``, shape
``(n,) + value.shape``) and, at second order, the second derivatives
(``hessian``, shape ``(n, n) + value.shape``). The holomorphic functions of
the table take their derivatives from the C rules of ``dd_complex.h`` (the
table's formulas at complex arguments); the functions that are not
holomorphic (abs, angle, conj, real, imag) are written here.

Two modes, fixed when the numbers are seeded:

- directions are real (the default): the tangent along direction k is
  d/dt f(x + t e_k) for a real t. Every function has such a derivative, also
  conj, abs and real; this is what jvp, the Wirtinger derivatives and grad of
  a real-valued function compute.
- holomorphic: the tangent is the complex derivative df/dz, which exists only
  for holomorphic functions; the others raise TypeError instead of returning
  a number that would not be one.

The NaN-safe rule (the default): a tangent entry that is exactly 0 (real and
imaginary parts both 0) contributes exactly 0, even through an infinite or
NaN partial derivative. It is per complex entry, not per real part: a complex
product mixes the parts, so a zero real part alone is no reason to drop a
term.
"""
import numbers
import sys
from typing import Any, NamedTuple

import numpy as np

from dualdiff import _rules
from dualdiff._complex_c import binary as _c_binary
from dualdiff._complex_c import unary as _c_unary

_UOP = _rules.op_codes("unary")
_BOP = _rules.op_codes("binary")
# NumPy ufunc -> rule name, for the rules with a complex form
_UFUNCS = {getattr(np, u): name for u, name in _rules.ufunc_names("unary").items()
           if name in _rules.COMPLEX_UNARY}


# Numbers whose parts are complex dual numbers (dualdiff/_third.py adds its
# nested numbers): an operation with one of them is theirs to compute.
DEFER: set[type] = set()


def _holds_deferred(a):
    return isinstance(a, np.ndarray) and a.dtype == object and any(type(e) in DEFER for e in a.flat)


def _per_entry(d):
    """An object array of d's entries, each a ComplexDual number."""
    out = np.empty(d.shape, dtype=object)
    for idx in np.ndindex(d.shape):
        out[idx] = d[idx]
    return out


def _deferring(op):
    def method(self, o):
        if DEFER and (type(o) in DEFER or _holds_deferred(o)):
            return NotImplemented
        return op(self, o)
    method.__name__ = op.__name__
    return method


class ComplexDual:
    """ComplexDual(value, tangent, hessian=None)

    A NumPy scalar or array of complex dual numbers: ``value`` (any shape,
    real or complex), ``tangent`` of shape ``(n,) + value.shape`` (its
    derivatives along n real directions: ``tangent[k]`` is the derivative
    along direction k) and optionally ``hessian`` of shape ``(n, n) +
    value.shape`` (second derivatives). NumPy's ufuncs and the functions
    listed in the documentation apply to it; the transforms make these
    numbers themselves when ``x`` is complex or ``f`` meets complex numbers.

    >>> import numpy as np
    >>> from dualdiff import ComplexDual
    >>> z = ComplexDual(1 + 2j, [1.0])           # d/dt at z + t
    >>> w = np.exp(z) * z
    >>> bool(np.isclose(w.tangent[0], np.exp(1 + 2j) * (2 + 2j), rtol=1e-15))
    True
    """

    __slots__ = ("value", "tangent", "hessian", "holomorphic", "nan_safe", "call")
    value: Any  # a NumPy scalar or array, real or complex
    tangent: Any  # shape (n,) + value's shape
    hessian: Any  # shape (n, n) + value's shape, or None at first order
    holomorphic: bool  # tangents are complex derivatives d/dz (else along real directions)
    nan_safe: bool
    call: int  # the transform call that seeded them (0: made by hand)
    __array_priority__ = 1000

    def __init__(self, value, tangent, hessian=None):
        v = np.asarray(value)
        if v.dtype.kind not in "biufc":
            raise TypeError(f"ComplexDual values are numbers, not {v.dtype}")
        v = v.astype(np.complex128 if v.dtype.kind == "c" else np.float64)
        t = np.asarray(tangent)
        if t.ndim != v.ndim + 1 or t.shape[1:] != v.shape:
            raise ValueError(f"the tangent has shape {t.shape}; it needs (n,) + {v.shape}")
        h = None if hessian is None else np.asarray(hessian)
        if h is not None and h.shape != t.shape[:1] * 2 + v.shape:
            raise ValueError(f"the hessian has shape {h.shape}; it needs {t.shape[:1] * 2 + v.shape}")
        _init(self, v[()] if v.ndim == 0 else v, t, h, False, True)

    # ----------------------------------------------------------- properties

    @property
    def n(self):
        """The number of directions."""
        return self.tangent.shape[0]

    @property
    def order(self):
        """1, or 2 with second derivatives."""
        return 1 if self.hessian is None else 2

    @property
    def shape(self):
        return np.shape(self.value)

    @property
    def ndim(self):
        return np.ndim(self.value)

    @property
    def size(self):
        return np.size(self.value)

    @property
    def dtype(self):
        return np.asarray(self.value).dtype

    @property
    def real(self):
        return _real(self)

    @property
    def imag(self):
        return _imag(self)

    @property
    def T(self):
        return _linear(np.transpose, self)

    def conj(self):
        return _conj(self)

    conjugate = conj

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a scalar ComplexDual")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a scalar ComplexDual")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, idx):
        lead = (slice(None),)
        idx_t = lead + (idx if isinstance(idx, tuple) else (idx,))
        h = None if self.hessian is None else self.hessian[(slice(None),) + idx_t]
        v = np.asarray(self.value)[idx]
        return _make(v, self.tangent[idx_t], h, self)

    def __repr__(self):
        return f"ComplexDual({self.value!r}, tangent={self.tangent!r})"

    def _refuse(self, *a):
        raise TypeError("a ComplexDual converted to a plain number or array would drop its "
                        "derivatives; use .value")

    __float__ = __complex__ = __int__ = __index__ = _refuse

    def __array__(self, dtype=None, copy=None):
        self._refuse()

    def __bool__(self):
        return bool(self.value)

    def sum(self, axis=None, keepdims=False):
        return np.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return np.mean(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        return _linear(np.reshape, self, shape[0] if len(shape) == 1 else shape)

    def ravel(self):
        return _linear(np.ravel, self)

    def astype(self, dtype, *args, **kwargs):
        """astype(dtype): complex128, or float64 for real values; other dtypes
        would round the derivatives or drop the imaginary part."""
        dtype = np.dtype(dtype)
        real = np.isrealobj(self.value) and np.isrealobj(self.tangent)
        if dtype == np.complex128:
            c = lambda a: None if a is None else a.astype(np.complex128)
            return _make(c(np.asarray(self.value))[()], c(self.tangent), c(self.hessian), self)
        if dtype == np.float64 and real:
            return _make(self.value, self.tangent, self.hessian, self)
        raise TypeError(f"cannot convert complex dual numbers of {np.asarray(self.value).dtype} "
                        f"to {dtype}: " + ("use np.real or np.abs for real numbers" if not real and
                                           dtype.kind == "f" else "only float64 and complex128"))

    def transpose(self, *axes):
        return _linear(np.transpose, self, axes or None)

    # ------------------------------------------------------------ operators

    def __add__(self, o):
        return _add(self, o, 1)

    def __radd__(self, o):
        return _add(self, o, 1)

    def __sub__(self, o):
        return _add(self, o, -1)

    def __rsub__(self, o):
        return _add(-self, o, 1)

    def __mul__(self, o):
        return _mul(self, o)

    __rmul__ = __mul__

    def __truediv__(self, o):
        return _binary("div", self, o)

    def __rtruediv__(self, o):
        return _binary("div", o, self)

    def __pow__(self, o):
        return _binary("pow", self, o)

    def __rpow__(self, o):
        return _binary("pow", o, self)

    def __neg__(self):
        return _make(-self.value, -self.tangent, None if self.hessian is None else -self.hessian, self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _abs(self)

    def __matmul__(self, o):
        return _bilinear(np.matmul, self, o)

    def __rmatmul__(self, o):
        return _bilinear(np.matmul, o, self)

    # comparisons look at values only, as for real Duals
    def __eq__(self, o):
        return self.value == _value(o)

    def __ne__(self, o):
        return self.value != _value(o)

    def __lt__(self, o):
        return self.value < _value(o)

    def __le__(self, o):
        return self.value <= _value(o)

    def __gt__(self, o):
        return self.value > _value(o)

    def __ge__(self, o):
        return self.value >= _value(o)

    __hash__ = None  # type: ignore[assignment]  # compared by value, as NumPy arrays

    # ------------------------------------------------------------- dispatch

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if DEFER and method == "__call__" and not kwargs:
            if any(type(i) in DEFER for i in inputs):
                return NotImplemented
            if any(_holds_deferred(i) for i in inputs):  # NumPy's object loop, number by number
                return ufunc(*[_per_entry(i) if isinstance(i, ComplexDual) else i for i in inputs])
        if method != "__call__" or kwargs:
            raise TypeError(f"numpy.{ufunc.__name__}.{method} with {sorted(kwargs)} is not "
                            "supported for complex dual numbers")
        handler = _UFUNC_HANDLERS.get(ufunc)
        if handler is not None:
            return handler(*inputs)
        name = _UFUNCS.get(ufunc)
        if name is not None and len(inputs) == 1:
            return _unary(name, ufunc, inputs[0])
        rule = _special_rules().get(ufunc)
        if rule is not None and len(inputs) == 1:
            return rule(inputs[0])
        where = "numpy" if getattr(np, ufunc.__name__, None) is ufunc else "scipy.special"
        raise TypeError(f"{where}.{ufunc.__name__} is not supported for complex dual numbers")

    def __array_function__(self, func, types, args, kwargs):
        if DEFER and any(t in DEFER for t in types):
            return NotImplemented
        handler = _FUNCTIONS.get(func)
        if handler is None:
            raise TypeError(f"{getattr(func, '__module__', 'numpy')}.{func.__name__} is not "
                            "supported for complex dual numbers (it would drop the derivatives)")
        return handler(*args, **kwargs)


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
              "__rtruediv__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__"):
    setattr(ComplexDual, _name, _deferring(getattr(ComplexDual, _name)))


# ----------------------------------------------------------------- helpers


def _init(d, v, t, h, holomorphic, nan_safe, call=0):
    d.value = v
    d.tangent = t
    d.hessian = h
    d.holomorphic = holomorphic
    d.nan_safe = nan_safe
    d.call = call


def _make(v, t, h, like):
    """A ComplexDual in the mode of ``like`` (and of its call)."""
    d = ComplexDual.__new__(ComplexDual)
    _init(d, v, t, h, like.holomorphic, like.nan_safe, like.call)
    return d


def _seed(value, tangent, hessian, holomorphic, nan_safe, call=0):
    d = ComplexDual.__new__(ComplexDual)
    v = np.asarray(value)
    _init(d, v[()] if v.ndim == 0 else v, tangent, hessian, holomorphic, nan_safe, call)
    return d


# the running calls that a call may nest in (first order): call -> (width,
# nan_safe, holomorphic); and the running nested calls: child -> parent (see
# _complex_ad.nested)
RUNNING: dict[int, tuple[int, bool, bool]] = {}
NESTED: dict[int, int] = {}
SECOND: set[int] = set()  # the running second-order calls (hessian on complex numbers)


class Conflict(ValueError):
    """Complex dual numbers of two calls met, neither nested in the other."""

    def __init__(self, calls):
        super().__init__("complex dual numbers of two transform calls meet, and neither runs "
                         "inside the other (numbers kept from a finished call, or transforms "
                         "nested deeper than dualdiff computes)")
        self.calls = calls


def _promote(d, like):
    """A number of a parent call as one of the nested call ``like``: the
    parent's derivatives first, 0 along the nested call's directions, and a
    zero Hessian (the nested call reads only its cross terms with them)."""
    if d.order != 1 or like.order != 2 or d.n >= like.n:
        return d  # not a parent's number: refused where it meets ``like``
    shape = d.tangent.shape[1:]
    t = np.concatenate([d.tangent, np.zeros((like.n - d.n,) + shape, d.tangent.dtype)])
    return _make(d.value, t, np.zeros((like.n, like.n) + shape, d.tangent.dtype), like)


def _value(o):
    return o.value if isinstance(o, ComplexDual) else o


def _constant(o):
    """A constant operand as an array, or a clear error."""
    if isinstance(o, ComplexDual):
        return o
    if type(o).__module__.startswith("dualdiff"):  # a real Dual or DualArray of another call:
        # the TypeError makes that call rerun on complex numbers (see _complex_ad.nested)
        raise TypeError("complex dual numbers met the real dual numbers of another transform "
                        "(one running outside: derivative, grad, jacobian, jvp, hessian and hvp "
                        "then run f again on complex numbers; taylor does not)")
    if isinstance(o, (numbers.Number, np.generic)):
        return np.asarray(o)
    if isinstance(o, np.ndarray) and o.dtype.kind in "biufc" and type(o) is np.ndarray:
        return o
    if isinstance(o, (list, tuple)):
        return array(o)
    raise TypeError(f"unsupported operand type for complex dual numbers: {type(o).__name__}")


def _lead(a, nd, k):
    """The tangent (k = 1) or hessian (k = 2) ``a`` with its value axes padded to nd."""
    pad = nd - (a.ndim - k)
    return a.reshape(a.shape[:k] + (1,) * pad + a.shape[k:]) if pad > 0 else a


def _quiet():
    """The derivatives are computed under this: an infinite or NaN derivative is a
    result, not a warning (the values, computed outside it, warn as NumPy does)."""
    return np.errstate(all="ignore")


def _term(c, t, nan_safe):
    """c * t, with 0 where t is 0 under the NaN-safe rule."""
    p = c * t
    if nan_safe and not np.isfinite(c).all():
        p = np.where(t == 0, np.zeros((), p.dtype), p)
    return p


def _outer(a, b):
    """a[k] * b[l] for directions k, l: shape (n, n) + value shape."""
    return a[:, None] * b[None, :]


def _unify(ops):
    """ComplexDuals of one call: where the numbers of a nested call meet those
    of the call it runs in, the parent's are promoted to the nested call's."""
    calls = {o.call for o in ops} - {0}
    if len(calls) > 1:  # (the common case, one call, skips this)
        child = next((c for c in calls if calls - {c} == {NESTED.get(c)}), None)
        if child is None:
            raise Conflict(calls)
        like = next(o for o in ops if o.call == child)
        ops = [o if o.call != NESTED[child] else _promote(o, like) for o in ops]
    for o in ops[1:]:
        if (o.n, o.holomorphic, o.order) != (ops[0].n, ops[0].holomorphic, ops[0].order):
            raise ValueError("complex dual numbers of different widths, orders or modes meet: "
                             "numbers of two different transforms cannot be combined")
    return ops


def _not_holomorphic(x, name):
    if x.holomorphic:
        raise TypeError(f"{name} is not holomorphic, so it has no complex derivative, and "
                        "holomorphic=True promised a holomorphic function; drop holomorphic=True "
                        "and use dualdiff.wirtinger(f) for the derivatives in z and conj(z), "
                        "or dualdiff.jvp for directional derivatives")


# --------------------------------------------------------------- the rules


def _unary(name, ufunc, x):
    """A rule of the table at x: NumPy's value, the C rule's derivatives."""
    v = ufunc(x.value)
    r = _c_unary(_UOP[name], x.order, x.value)  # C arithmetic: no NumPy warnings to silence
    d1, d2 = r[1], r[2]
    if np.asarray(v).dtype.kind != "c":
        # a real function at real points: its real derivatives (NaN where NumPy's value is)
        nan = np.isnan(v) & ~np.isnan(x.value)
        d1 = np.where(nan, np.nan, d1.real)
        d2 = np.where(nan, np.nan, d2.real)
    return _chain(x, v, d1, d2)


def _chain(x, v, d1, d2):
    with _quiet():
        t = _term(d1, x.tangent, x.nan_safe)
        h = None
        if x.hessian is not None:
            h = _term(d1, x.hessian, x.nan_safe) + _term(d2, _outer(x.tangent, x.tangent), x.nan_safe)
    return _make(v, t, h, x)


def _bcast(a, shape, k):
    """A tangent (k = 1) or hessian (k = 2) broadcast to the value shape ``shape``."""
    a = _lead(a, len(shape), k)
    return a if a.shape[k:] == shape else np.broadcast_to(a, a.shape[:k] + shape)


def _add(x, o, sign):
    o = _constant(o)
    if not isinstance(o, ComplexDual):
        v = x.value + o if sign > 0 else x.value - o
        shape = np.shape(v)
        return _make(v, _bcast(x.tangent, shape, 1),
                     None if x.hessian is None else _bcast(x.hessian, shape, 2), x)
    x, o = _unify([x, o])
    v = x.value + o.value if sign > 0 else x.value - o.value
    shape = np.shape(v)
    with _quiet():
        t = _bcast(x.tangent, shape, 1) + sign * _bcast(o.tangent, shape, 1)
        h = None
        if x.hessian is not None:
            h = _bcast(x.hessian, shape, 2) + sign * _bcast(o.hessian, shape, 2)
    return _make(v, t, h, x)


def _mul(x, o):
    o = _constant(o)
    if not isinstance(o, ComplexDual):
        v = x.value * o
        nd = np.ndim(v)
        with _quiet():
            t = _term(o, _lead(x.tangent, nd, 1), x.nan_safe)
            h = None if x.hessian is None else _term(o, _lead(x.hessian, nd, 2), x.nan_safe)
        return _make(v, t, h, x)
    x, o = _unify([x, o])
    v = x.value * o.value
    nd = np.ndim(v)
    a, b = _lead(x.tangent, nd, 1), _lead(o.tangent, nd, 1)
    with _quiet():
        t = _term(o.value, a, x.nan_safe) + _term(x.value, b, x.nan_safe)
        h = None
        if x.hessian is not None:
            h = (_term(o.value, _lead(x.hessian, nd, 2), x.nan_safe)
                 + _term(x.value, _lead(o.hessian, nd, 2), x.nan_safe) + _outer(a, b) + _outer(b, a))
    return _make(v, np.broadcast_to(t, t.shape[:1] + np.shape(v)).copy(),
                 None if h is None else np.broadcast_to(h, h.shape[:2] + np.shape(v)).copy(), x)


def _binary(name, x, y):
    """A binary rule of the table (div, pow): NumPy's value, the C rule's partials."""
    ufunc = np.true_divide if name == "div" else np.power
    x, y = _constant(x), _constant(y)
    dx, dy = isinstance(x, ComplexDual), isinstance(y, ComplexDual)
    if dx and dy:
        x, y = _unify([x, y])
    like = x if dx else y
    xv, yv = _value(x), _value(y)
    v = ufunc(xv, yv)
    r = _c_binary(_BOP[name], like.order, xv, yv)
    if np.asarray(v).dtype.kind != "c":
        nan = np.isnan(v) & ~(np.isnan(xv) | np.isnan(yv))
        r = np.where(nan, np.nan, r.real)
    with _quiet():
        nd = np.ndim(v)
        ns = like.nan_safe
        ta = _lead(x.tangent, nd, 1) if dx else None
        tb = _lead(y.tangent, nd, 1) if dy else None
        t = 0
        if dx:
            t = t + _term(r[1], ta, ns)
        if dy:
            t = t + _term(r[2], tb, ns)
        h = None
        if like.hessian is not None:
            h = 0
            if dx:
                h = h + _term(r[1], _lead(x.hessian, nd, 2), ns) + _term(r[3], _outer(ta, ta), ns)
            if dy:
                h = h + _term(r[2], _lead(y.hessian, nd, 2), ns) + _term(r[5], _outer(tb, tb), ns)
            if dx and dy:
                h = h + _term(r[4], _outer(ta, tb) + _outer(tb, ta), ns)
            h = np.broadcast_to(h, h.shape[:2] + np.shape(v)).copy()
        t = np.broadcast_to(t, t.shape[:1] + np.shape(v)).copy()
    return _make(v, t, h, like)


# ------------------------------------------------ functions not holomorphic


def _is_real(x):
    """Real values with real derivatives, where the real rules apply (a real
    value moving along a complex direction, jvp(np.abs, 1.0, 1j), is a
    complex number: d/dt |1 + i t| is 0, not i)."""
    return not (np.iscomplexobj(x.value) or np.iscomplexobj(x.tangent)
                or (x.hessian is not None and np.iscomplexobj(x.hessian)))


def _each_part(fn, x):
    """fn (linear over the reals) applied to the value and every derivative of x."""
    return _make(fn(x.value), fn(x.tangent), None if x.hessian is None else fn(x.hessian), x)


def _conj(x):
    if _is_real(x):
        return x
    _not_holomorphic(x, "conj")
    return _each_part(np.conj, x)


def _real(x):
    if _is_real(x):
        return x
    _not_holomorphic(x, "real")
    return _each_part(np.real, x)


def _imag(x):
    if _is_real(x):
        return _each_part(lambda a: np.zeros(np.shape(a)), x)
    _not_holomorphic(x, "imag")
    return _each_part(np.imag, x)


def _re_conj_prod(z, t):
    """Re(conj(z) t) without forming the product's imaginary part."""
    return np.real(z) * np.real(t) + np.imag(z) * np.imag(t)


def _abs(x):
    """|z|: along real directions d|z| = Re(conj(z) dz) / |z|. At 0, where |z| has
    no derivative, the first derivative is 0 (a subgradient; JAX's choice, which
    keeps |fft(x)|^2 right at empty bins) and the second is NaN (so a Hessian
    through it is NaN, never a wrong number: |z|^2 = z conj(z) has the Hessian).
    Real values keep the table's rule fabs (slope +1 at +0.0, -1 at -0.0)."""
    if _is_real(x):
        return _fabs_real(x)
    _not_holomorphic(x, "abs")
    z = x.value
    r = np.abs(z)
    with np.errstate(all="ignore"):
        t = _re_conj_prod(z, x.tangent) / r
        h = None
        if x.hessian is not None:
            cross = _re_conj_prod(x.tangent[:, None], x.tangent[None, :])
            h = (_re_conj_prod(z, x.hessian) + cross - _outer(t, t)) / r
            h = np.where(r == 0, np.nan, h)
        t = np.where(r == 0, 0.0, t)
    return _zero_safe(x, r, t, h)


def _angle(x, deg=False):
    """arg z: d arg z = Im(dz / z); second derivatives Im(d2z / z - dz dz' / z^2).
    NaN at 0. Real values: 0 or pi, derivative 0."""
    if deg:
        return _angle(x) * (180.0 / np.pi)
    if _is_real(x):
        return _make(np.angle(x.value), np.zeros(x.tangent.shape),
                     None if x.hessian is None else np.zeros(x.hessian.shape), x)
    _not_holomorphic(x, "angle")
    z = x.value
    with np.errstate(all="ignore"):
        q = x.tangent / z
        t = np.imag(q)
        h = None
        if x.hessian is not None:
            h = np.imag(x.hessian / z - _outer(q, q))
    return _zero_safe(x, np.angle(z), t, h)


def _zero_safe(x, v, t, h):
    """The NaN-safe rule for the written-out rules: a zero tangent stays 0."""
    if x.nan_safe:
        t = np.where(x.tangent == 0, 0.0, t)
        if h is not None:
            zero = (x.hessian == 0) & (_outer(x.tangent, x.tangent) == 0)
            h = np.where(zero, 0.0, h)
    return _make(v, t, h, x)


def _choice(ufunc):
    """np.maximum, np.minimum, np.fmax, np.fmin on real values: NumPy's value,
    and each entry the derivatives of the argument it came from (at a tie the
    first, as for real dual numbers; maximum and minimum keep a NaN, fmax and
    fmin the other argument). Complex values raise: NumPy orders them
    lexicographically, which has no derivative."""
    larger = ufunc in (np.maximum, np.fmax)
    keeps_nan = ufunc in (np.maximum, np.minimum)

    def choose(a, b):
        a, b = _constant(a), _constant(b)
        duals = [o for o in (a, b) if isinstance(o, ComplexDual)]
        if any(not _is_real(o) if isinstance(o, ComplexDual) else np.iscomplexobj(o)
               for o in (a, b)):
            raise TypeError(f"numpy.{ufunc.__name__} of complex dual numbers needs real values "
                            "(np.real, np.abs): NumPy orders complex numbers "
                            "lexicographically, which has no derivative")
        if len(duals) == 2:
            a, b = _unify([a, b])
            like = a
        else:
            like = duals[0]
        av, bv = np.asarray(_value(a)), np.asarray(_value(b))
        v = ufunc(av, bv)
        shape = np.shape(v)
        with _quiet():
            first = (av >= bv) if larger else (av <= bv)
            first = first | (np.isnan(av) if keeps_nan else np.isnan(bv))

        def part(o, k):
            if not isinstance(o, ComplexDual):
                return np.zeros((like.n,) * k + shape)
            return _bcast(o.tangent if k == 1 else o.hessian, shape, k)
        t = np.where(first, part(a, 1), part(b, 1))
        h = None if like.hessian is None else np.where(first, part(a, 2), part(b, 2))
        return _make(v, t, h, like)
    return choose


def _fabs_real(x):
    v = np.abs(x.value)
    s = np.copysign(1.0, x.value)
    s = np.where(np.isnan(x.value), np.nan, s)
    return _chain(x, v, s, np.zeros_like(s))


# ------------------------------------------------------------ linear maps


def _linear(func, x, *args, complex_linear=True, **kwargs):
    """A function linear in x, applied to the value and to each derivative."""
    if not complex_linear:
        _not_holomorphic(x, func.__name__)
    v = func(x.value, *args, **kwargs)
    with _quiet():
        t = np.stack([np.asarray(func(tk, *args, **kwargs)) for tk in x.tangent])
        h = None
        if x.hessian is not None:
            n = x.n
            flat = x.hessian.reshape((n * n,) + x.hessian.shape[2:])
            h = np.stack([np.asarray(func(hk, *args, **kwargs)) for hk in flat])
            h = h.reshape((n, n) + h.shape[1:])
    return _make(v, t, h, x)


def _batched(func, x, axes_kw, default_axes, complex_linear=True, **kwargs):
    """A linear function with axis arguments, in one call on the value and one
    on all the derivatives (their direction axes lead; the axes, made negative,
    still name the value's axes)."""
    if not complex_linear:
        _not_holomorphic(x, func.__name__)
    nd = x.ndim
    ax = kwargs.get(axes_kw, default_axes(nd))
    if ax is None:
        ax = default_axes(nd)
    if isinstance(ax, (tuple, list)):
        neg = tuple(int(a) - nd if int(a) >= 0 else int(a) for a in ax)
    else:
        neg = int(ax) - nd if int(ax) >= 0 else int(ax)
    kwargs[axes_kw] = ax
    v = func(x.value, **kwargs)
    kwargs[axes_kw] = neg
    with _quiet():
        t = func(x.tangent, **kwargs)
        h = None if x.hessian is None else func(x.hessian, **kwargs)
    return _make(v, t, h, x)


def _fft(name, complex_linear=True, nd_kind="1"):
    func = getattr(np.fft, name)
    if nd_kind == "1":
        def default(nd):
            return -1
        kw = "axis"
    elif nd_kind == "2":
        def default(nd):
            return (-2, -1)
        kw = "axes"
    else:
        def default(nd):
            return tuple(range(-nd, 0))
        kw = "axes"

    def handler(a, *args, **kwargs):
        if not isinstance(a, ComplexDual):
            raise TypeError(f"numpy.fft.{name}: the array to transform must be the dual one")
        names = ("n", "axis", "norm") if nd_kind == "1" else ("s", "axes", "norm")
        if len(args) > 3 or "out" in kwargs:
            raise TypeError(f"numpy.fft.{name} of complex dual numbers takes no out=")
        kwargs.update(zip(names, args))
        if nd_kind == "n" and kwargs.get("axes") is None and kwargs.get("s") is not None:
            kwargs["axes"] = tuple(range(-len(kwargs["s"]), 0))
        return _batched(func, a, kw, default, complex_linear=complex_linear, **kwargs)
    handler.__name__ = name
    return handler


def _bilinear(func, a, b, *args, **kwargs):
    """func bilinear in (a, b) (matmul, dot, ...): the product rule, direction by direction."""
    a, b = _constant(a), _constant(b)
    da, db = isinstance(a, ComplexDual), isinstance(b, ComplexDual)
    if da and db:
        a, b = _unify([a, b])
    like = a if da else b
    av, bv = _value(a), _value(b)
    v = func(av, bv, *args, **kwargs)
    n = like.n
    ts = []
    for k in range(n):
        tk = 0
        if da:
            tk = tk + func(a.tangent[k], bv, *args, **kwargs)
        if db:
            tk = tk + func(av, b.tangent[k], *args, **kwargs)
        ts.append(tk)
    h = None
    if like.hessian is not None:
        rows = []
        for k in range(n):
            for m in range(n):
                hk = 0
                if da:
                    hk = hk + func(a.hessian[k, m], bv, *args, **kwargs)
                if db:
                    hk = hk + func(av, b.hessian[k, m], *args, **kwargs)
                if da and db:
                    hk = hk + func(a.tangent[k], b.tangent[m], *args, **kwargs) \
                        + func(a.tangent[m], b.tangent[k], *args, **kwargs)
                rows.append(np.broadcast_to(hk, np.shape(v)))
        h = np.stack(rows).reshape((n, n) + np.shape(v))
    t = np.stack([np.broadcast_to(tk, np.shape(v)) for tk in ts])
    return _make(v, t, h, like)


def _extreme(reduce, arg):
    """np.max or np.min: the derivatives of the entry NumPy picks (complex
    numbers are ordered by real part, then imaginary part; the first of equal
    entries, as argmax and argmin pick it)."""
    def handler(a, axis=None, out=None, keepdims=False, **kw):
        if out is not None or kw:
            raise TypeError(f"numpy.{reduce.__name__} of complex dual numbers takes axis and "
                            "keepdims only")
        v = reduce(a.value, axis=axis, keepdims=keepdims)
        if a.ndim == 0:
            return a
        if axis is None:
            r = a[np.unravel_index(arg(a.value), a.shape)]
            if keepdims:
                r = _linear(np.reshape, r, (1,) * a.ndim)
            return _numpys_value(r, v)
        if isinstance(axis, tuple):
            raise TypeError(f"numpy.{reduce.__name__} of complex dual numbers takes one axis or None")
        ax = int(axis) % a.ndim
        i = np.expand_dims(arg(a.value, axis=ax), ax)

        def take(d, lead):
            return np.take_along_axis(d, i.reshape((1,) * lead + i.shape), axis=ax + lead)
        r = _make(take(np.asarray(a.value), 0), take(a.tangent, 1),
                  None if a.hessian is None else take(a.hessian, 2), a)
        if not keepdims:
            r = _linear(np.squeeze, r, ax)
        return _numpys_value(r, v)
    return handler


def _multilinear(func, operands, *args, **kwargs):
    """func linear in each of its operands (einsum): the product rule over the
    dual operands, direction by direction (and pair by pair at second order)."""
    ops = [_constant(o) for o in operands]
    duals = [i for i, o in enumerate(ops) if isinstance(o, ComplexDual)]
    for i, o in zip(duals, _unify([ops[i] for i in duals])):
        ops[i] = o
    like = ops[duals[0]]
    values = [_value(o) for o in ops]

    def call(repl):
        return func(*args, *[repl.get(i, v) for i, v in enumerate(values)], **kwargs)
    v = call({})
    n = like.n
    with _quiet():
        t = np.stack([np.broadcast_to(sum(call({i: ops[i].tangent[k]}) for i in duals), np.shape(v))
                      for k in range(n)])
        h = None
        if like.hessian is not None:
            rows = []
            for k in range(n):
                for m in range(n):
                    hk = sum(call({i: ops[i].hessian[k, m]}) for i in duals)
                    for i in duals:
                        for j in duals:
                            if i != j:
                                hk = hk + call({i: ops[i].tangent[k], j: ops[j].tangent[m]})
                    rows.append(np.broadcast_to(hk, np.shape(v)))
            h = np.stack(rows).reshape((n, n) + np.shape(v))
    return _make(v, t, h, like)


def _einsum(*args, **kwargs):
    """np.einsum in both forms: a subscripts string and operands, or operands
    each followed by its list of axis labels (and the output's list last)."""
    if kwargs.pop("out", None) is not None or kwargs.get("dtype") is not None:
        raise TypeError("numpy.einsum of complex dual numbers takes no out= or dtype=")
    if isinstance(args[0], str):
        return _multilinear(lambda s, *ops: np.einsum(s, *ops, **kwargs), args[1:], args[0])
    operands, labels = list(args[0::2]), list(args[1::2])
    # an odd count: the last item is the output's labels, not an operand
    out_labels = [operands.pop()] if len(operands) > len(labels) else []

    def func(*ops):
        inter = [a for pair in zip(ops, labels) for a in pair]
        return np.einsum(*inter, *out_labels, **kwargs)
    return _multilinear(func, operands)


def array(items):
    """A ComplexDual from a (nested) list of ComplexDuals (of one shape), numbers
    and arrays, stacked as np.array stacks them; a plain array without duals."""
    if isinstance(items, ComplexDual):
        return items
    if isinstance(items, (list, tuple)):
        parts = [array(i) for i in items]
        if any(isinstance(p, ComplexDual) for p in parts):
            shapes = {np.shape(_value(p)) for p in parts}
            if len(shapes) > 1:
                raise ValueError(f"a ragged sequence: its items have the shapes {sorted(shapes)}")
            return _many(np.stack, parts, axis=0)
        return np.array(parts) if parts else np.empty(0)
    return _constant(items)


def _many(func, arrays, axis=0):
    """np.stack or np.concatenate of ComplexDuals and constants, in one call on the
    values, one on the tangents and one on the hessians (the axis made negative
    names the same axis of each)."""
    arrays = [_constant(a) for a in arrays]
    duals = [i for i, a in enumerate(arrays) if isinstance(a, ComplexDual)]
    for i, a in zip(duals, _unify([arrays[i] for i in duals])):
        arrays[i] = a
    like = arrays[duals[0]]
    n = like.n
    v = func([_value(a) for a in arrays], axis=axis)
    nd = np.ndim(v)
    neg = axis - nd if axis >= 0 else axis

    def part(a, lead):
        if isinstance(a, ComplexDual):
            return a.tangent if len(lead) == 1 else a.hessian
        return np.zeros(lead + np.shape(a))
    t = func([part(a, (n,)) for a in arrays], axis=neg)
    h = None
    if like.hessian is not None:
        h = func([part(a, (n, n)) for a in arrays], axis=neg)
    return _make(v, t, h, like)


def _real_if_close(a, tol=100):
    """np.real_if_close: the real part when every value's imaginary part is within
    tol machine epsilons of 0 (decided on the values, as NumPy does: real values
    are returned as they are, with their derivatives)."""
    if not np.iscomplexobj(a.value):
        return a
    if np.all(np.isclose(np.imag(a.value), 0, rtol=0,
                         atol=tol * np.finfo(np.float64).eps if tol > 1 else tol)):
        return _real(a)
    return a


def _nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """np.nan_to_num: replaced entries are constants (derivative 0); the others keep theirs.
    For complex values the real and imaginary parts are replaced apart, as NumPy does."""
    v = np.nan_to_num(x.value, nan=nan, posinf=posinf, neginf=neginf)
    if not np.iscomplexobj(x.value):  # an entry is kept or replaced whole
        keep = np.isfinite(x.value)
        t = np.where(keep, x.tangent, 0.0)
        h = None if x.hessian is None else np.where(keep, x.hessian, 0.0)
        return _make(v, t, h, x)
    _not_holomorphic(x, "nan_to_num")
    kr, ki = np.isfinite(np.real(x.value)), np.isfinite(np.imag(x.value))

    def fix(a):
        return np.where(kr, np.real(a), 0.0) + 1j * np.where(ki, np.imag(a), 0.0)
    return _make(v, fix(x.tangent), None if x.hessian is None else fix(x.hessian), x)


# ------------------------------------------------------------ eigenproblems


class _EigResult(NamedTuple):
    """np.linalg.eig's result, with NumPy's names for its parts."""
    eigenvalues: Any
    eigenvectors: Any


class _EighResult(NamedTuple):
    """np.linalg.eigh's result, with NumPy's names for its parts."""
    eigenvalues: Any
    eigenvectors: Any


class _SVDResult(NamedTuple):
    """np.linalg.svd's result, with NumPy's names for its parts."""
    U: Any
    S: Any
    Vh: Any


def _square(a, name):
    if not isinstance(a, ComplexDual):
        raise TypeError(f"numpy.linalg.{name}: the matrix must be the dual argument")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"numpy.linalg.{name} of complex dual numbers takes square matrices "
                         f"(shape (..., n, n)), not shape {a.shape}")


def _eig(a):
    """np.linalg.eig: (w, V) with first and second derivatives (see _spectral)."""
    _square(a, "eig")
    if a.holomorphic:
        raise TypeError("the eigenvectors of numpy.linalg.eig are normalized (unit norm, one "
                        "component real), which is not holomorphic; use numpy.linalg.eigvals "
                        "for the eigenvalues with holomorphic=True, or drop holomorphic=True")
    w, V = np.linalg.eig(a.value)
    dw, d2w, dV, d2V = _eig_derivatives(a, w, V, True)
    return _EigResult(_make(w, dw, d2w, a), _make(V, dV, d2V, a))


def _eigvals(a):
    """np.linalg.eigvals: the eigenvalues of eig, holomorphic in the matrix."""
    _square(a, "eigvals")
    w, V = np.linalg.eig(a.value)
    dw, d2w, _, _ = _eig_derivatives(a, w, V, False)
    return _make(w, dw, d2w, a)


def _eig_derivatives(a, w, V, vectors):
    """The derivatives of NumPy's eig (w, V) of a.value, LAPACK's phase included:
    each eigenvector has unit norm and its largest component real (the first of
    equal ones, as LAPACK picks it, which is where NumPy's output is largest)."""
    def basis(D):
        return np.linalg.solve(V, D @ V)
    top = np.argmax(np.abs(V), axis=-2)
    return _spectral(w, V, a.tangent, a.hessian, basis, a.nan_safe, vectors, top)


# The phase convention of eigh's and svd's complex vectors: each column is
# NumPy's times the unit number that makes its component of largest modulus
# real and positive. Components within a relative _TIE of the largest count
# as equal (rounding must not decide), and the first of them is used.
_TIE = 1e-12
_EPS = float(np.finfo(np.float64).eps)


def _top(V):
    """The row of each column's largest-modulus component, ties to the first."""
    if V.shape[-1] == 0:
        return np.zeros(V.shape[:-2] + (0,), dtype=np.intp)
    r = np.abs(V)
    return np.argmax(r >= (1 - _TIE) * np.max(r, axis=-2, keepdims=True), axis=-2)


def _at(X, top):
    """X[..., top[..., c], c] for every column c (X may have more leading axes than top)."""
    if top.ndim == 1:  # one matrix
        return X[..., top, np.arange(top.shape[0])]
    idx = top.reshape((1,) * (X.ndim - top.ndim - 1) + top.shape[:-1] + (1, top.shape[-1]))
    return np.take_along_axis(X, idx, axis=-2)[..., 0, :]


def _fix_phases(V, top):
    """(V with each column times c, c): c makes the entry at top real and
    positive. Real matrices keep NumPy's real vectors (c = 1), as eig's."""
    if V.dtype.kind != "c":
        return V, np.ones(V.shape[:-2] + V.shape[-1:])
    vm = _at(V, top)
    r = np.abs(vm)
    c = np.conj(vm) / np.where(r == 0, 1.0, r)
    W = V * c[..., None, :]
    if top.ndim == 1:  # exactly real
        W[top, np.arange(top.shape[0])] = r
    else:
        np.put_along_axis(W, top[..., None, :], r[..., None, :].astype(W.dtype), axis=-2)
    return W, c


def _spectral(w, V, T, H, basis, nan_safe, vectors, top, free=None, keep_dw=False):
    """(dw, d2w, dV, d2V): the derivatives of the eigenvalues w (..., m) and the
    eigenvectors V (..., m, m) (unit columns, the entry at ``top`` of each
    keeping its phase) of a matrix with derivatives T (N, ..., m, m) and H
    (N, N, ..., m, m) or None; ``basis(D)`` is V^-1 D V. Directions lead: dw[k],
    d2w[k, l]. dV, d2V are None unless ``vectors``; d2w, d2V at second order only.

    In the eigenbasis, M = V^-1 A V is diag(w) at the point, with derivatives
    B_k = V^-1 dA_k V and G_kl = V^-1 d2A_kl V. Its eigenvectors u_i scaled so
    that u_i[i] = 1 have U_k = F * B_k with F[j, i] = 1 / (w[i] - w[j]) (0 on
    the diagonal), and differentiating M_k u + M u_k = w_k u + w u_k once more,
    with R = G_kl + B_k U_l + B_l U_k - U_l diag(B_k) - U_k diag(B_l):

        dw_k = diag(B_k),   d2w_kl = diag(R),   U_kl = F * R.

    The eigenvectors before normalization are x = V u; the returned ones are
    v = x / |x| * exp(-i (arg x_m - arg v_m)) with m = top (see _eig_normalized).

    Where two eigenvalues are equal to rounding (within 8 m eps max|w|), the
    eigenvectors (and the order of the eigenvalues) are not differentiable,
    and diag(B) is the derivative of an eigenvalue only for perturbations that
    stay diagonal in the chosen basis; those columns get NaN derivatives in
    every direction in which the matrix moves (0 in directions in which it
    does not, the NaN-safe rule), their first eigenvalue derivatives kept with
    ``keep_dw``. ``free`` (bool, (m,)) marks columns whose eigenvalue stays
    repeated among them (a null space of fixed dimension, whose basis is a
    convention): their ties do not count, and their derivatives are those of
    the frame that turns with the other columns only (F = 0 among them: x_j^H
    dx_j' = 0), orthonormalized at second order."""
    m = w.shape[-1]
    eye = np.eye(m, dtype=bool)
    tol = 8 * m * _EPS * np.max(np.abs(w), axis=-1, initial=0.0)[..., None, None]
    with _quiet():
        diff = w[..., None, :] - w[..., :, None]  # diff[..., j, i] = w[i] - w[j]
        same = np.abs(diff) <= tol
        F = np.where(same, 0.0, 1.0 / diff)  # 0 on the diagonal and among equal ones
        tie = same & ~eye
        if free is not None:
            tie &= ~(free[:, None] & free[None, :])
        bad = tie.any(axis=-2)  # (..., m): column i ties with another
        try:
            B = basis(T)
            G = None if H is None else basis(H)
        except np.linalg.LinAlgError:  # V singular: a defective matrix (in one of the stack)
            B = np.zeros(np.broadcast_shapes(T.shape, V.shape), np.result_type(T, V))
            G = None if H is None else np.zeros(np.broadcast_shapes(H.shape, V.shape), B.dtype)
            bad = np.ones(w.shape, dtype=bool)
        dw = np.diagonal(B, axis1=-2, axis2=-1).copy()
        U = F * B if vectors or H is not None else None
        d2w = U2 = None
        if H is not None:
            R = (G + B[:, None] @ U[None, :] + B[None, :] @ U[:, None]
                 - U[None, :] * dw[:, None, ..., None, :] - U[:, None] * dw[None, :, ..., None, :])
            R = (R + np.swapaxes(R, 0, 1)) / 2  # symmetric to the last bit
            d2w = np.diagonal(R, axis1=-2, axis2=-1).copy()
            U2 = F * R
        dV = d2V = None
        if vectors:
            X1 = V @ U
            X2 = None if U2 is None else V @ U2
            if X2 is not None and free is not None and np.count_nonzero(free) > 1:
                # x_j^H x_j' of two free columns moves at second order (by
                # X1_k^H X1_l + X1_l^H X1_k): turned back to an orthonormal
                # frame of the same span, C (C^H C)^(-1/2) (Lowdin)
                C1 = X1[..., free]
                S = np.conj(np.swapaxes(C1, -1, -2))[:, None] @ C1[None, :]
                X2[..., free] -= V[..., free] @ ((S + np.conj(np.swapaxes(S, -1, -2))) / 2)
            phase = V.dtype.kind == "c" or np.iscomplexobj(B) or np.iscomplexobj(G)
            dV, d2V = _eig_normalized(V, X1, X2, top, phase)
    if np.any(bad):
        moving = np.any(T != 0, axis=(-2, -1)) | (not nan_safe)  # (N, ...)
        if H is not None:
            moving2 = moving[:, None] | moving[None, :] | np.any(H != 0, axis=(-2, -1))
        if not keep_dw:
            dw = np.where(bad, np.where(moving[..., None], np.nan, 0.0), dw)
        if dV is not None:
            dV = np.where(bad[..., None, :], np.where(moving[..., None, None], np.nan, 0.0), dV)
        if H is not None:
            d2w = np.where(bad, np.where(moving2[..., None], np.nan, 0.0), d2w)
            if d2V is not None:
                d2V = np.where(bad[..., None, :], np.where(moving2[..., None, None], np.nan, 0.0), d2V)
    return dw, d2w, dV, d2V


def _eig_normalized(V, X1, X2, top, phase):
    """The derivatives (first X1, second X2 or None, directions leading) of the
    eigenvectors x = V u of _spectral, normalized: unit norm and, with
    ``phase`` (complex numbers), the entry at row ``top`` of each column
    keeping its phase."""
    # s = 1 / |x| at |x| = 1, with |x|^2 = 1 + n1_k t_k + n2_kl t_k t_l / 2 + ...
    c = np.conj(V)
    q1 = -np.real(np.sum(c * X1, axis=-2))  # s_k = -n1_k / 2
    q2 = None
    if X2 is not None:
        n2 = 2 * np.real(np.sum(np.conj(X1[None, :]) * X1[:, None], axis=-2) + np.sum(c * X2, axis=-2))
        s1 = q1
        q2 = -n2 / 2 + 3 * s1[:, None] * s1[None, :]  # 3/4 n1_k n1_l
    if phase:
        # p = exp(-i (arg x_m - arg v_m)): p_k = -i phi_k, p_kl = -i phi_kl - phi_k phi_l
        vm = _at(V, top)
        r1 = _at(X1, top) / vm
        phi1 = np.imag(r1)
        p1 = -1j * phi1
        q1 = q1 + p1
        if X2 is not None:
            phi2 = np.imag(_at(X2, top) / vm - r1[:, None] * r1[None, :])
            p2 = -1j * phi2 - phi1[:, None] * phi1[None, :]
            q2 = q2 + p2 + s1[:, None] * p1[None, :] + s1[None, :] * p1[:, None]
    dV = X1 + V * q1[..., None, :]
    d2V = None
    if X2 is not None:
        d2V = (X2 + X1[:, None] * q1[None, :, ..., None, :] + X1[None, :] * q1[:, None, ..., None, :]
               + V * q2[..., None, :])
        d2V = (d2V + np.swapaxes(d2V, 0, 1)) / 2  # symmetric to the last bit
    return dV, d2V


def _hermitian(D, uplo):
    """The Hermitian matrices that NumPy's eigh reads from the triangle ``uplo``
    of D (last two axes): the other triangle mirrored and conjugated, the
    imaginary part of the diagonal ignored."""
    t = np.tril(D, -1) if uplo == "L" else np.triu(D, 1)
    d = np.real(np.diagonal(D, axis1=-2, axis2=-1))
    return t + np.conj(np.swapaxes(t, -1, -2)) + d[..., None] * np.eye(D.shape[-1])


def _eigh_parts(a, UPLO, vectors):
    _square(a, "eigh" if vectors else "eigvalsh")
    uplo = UPLO.upper() if isinstance(UPLO, str) else UPLO
    if uplo not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    # the other triangle is the conjugate of the one read: not holomorphic
    _not_holomorphic(a, "eigh" if vectors else "eigvalsh")
    w, V = np.linalg.eigh(a.value, uplo)
    top = _top(V)
    V, _ = _fix_phases(V, top)
    Vh = np.conj(np.swapaxes(V, -1, -2))
    T = _hermitian(a.tangent, uplo)
    H = None if a.hessian is None else _hermitian(a.hessian, uplo)
    dw, d2w, dV, d2V = _spectral(w, V, T, H, lambda D: Vh @ D @ V, a.nan_safe, vectors, top)
    # Hermitian: real eigenvalues, and their derivatives
    return (w, V, np.real(dw), None if d2w is None else np.real(d2w), dV, d2V)


def _eigh(a, UPLO="L"):
    """np.linalg.eigh: NumPy's real eigenvalues, and its eigenvectors with each
    column's largest-modulus component made real and positive (see _TIE);
    first and second derivatives of exactly those (see _spectral)."""
    w, V, dw, d2w, dV, d2V = _eigh_parts(a, UPLO, True)
    return _EighResult(_make(w, dw, d2w, a), _make(V, dV, d2V, a))


def _eigvalsh(a, UPLO="L"):
    """np.linalg.eigvalsh: NumPy's eigenvalues, the derivatives of eigh's."""
    w, _, dw, d2w, _, _ = _eigh_parts(a, UPLO, False)
    return _numpys_value(_make(w, dw, d2w, a), np.linalg.eigvalsh(a.value, UPLO))


def _vdot(a, b):
    """np.vdot conjugates its first argument: not holomorphic in it."""
    if isinstance(a, ComplexDual) and not _is_real(a):
        _not_holomorphic(a, "vdot (in its first argument)")
    return _bilinear(np.vdot, a, b)


def _correlate(a, v, mode="valid"):
    """np.correlate conjugates its second argument: not holomorphic in it."""
    if isinstance(v, ComplexDual) and not _is_real(v):
        _not_holomorphic(v, "correlate (in its second argument)")
    return _bilinear(np.correlate, a, v, mode)


def _sum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    if dtype is not None or out is not None or kw:
        raise TypeError("numpy.sum of complex dual numbers takes axis and keepdims only")
    if a.ndim == 0:
        return a
    return _batched(np.sum, a, "axis", lambda nd: tuple(range(-nd, 0)), keepdims=keepdims, axis=axis)


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    s = _sum(a, axis=axis, keepdims=keepdims)
    count = np.size(a.value) // max(np.size(s.value), 1)
    return s * (1.0 / count)


def _numpys_value(r, v):
    """r with NumPy's own value v (the composition's derivatives, its value
    rounded as NumPy rounds it)."""
    v = np.asarray(v)
    return _make(v[()] if v.ndim == 0 else v, r.tangent, r.hessian, r)


def _abs2(x):
    """|z|^2 = Re(z)^2 + Im(z)^2, a polynomial in the real and imaginary parts
    (smooth at 0, where |z| has no derivative)."""
    if _is_real(x):
        return x * x
    return _real(x) * _real(x) + _imag(x) * _imag(x)


def _norm(x, ord=None, axis=None, keepdims=False):
    """np.linalg.norm: the 2-norm of vectors and the Frobenius norm of
    matrices as sqrt(sum |z|^2), the vector p-norms as (sum |z|^p)^(1/p).
    Real-valued, so not holomorphic. At a zero vector the 2-norm has no
    derivative: sqrt'(0) is infinite (NaN-safe rule: 0 along a zero tangent)."""
    if not isinstance(x, ComplexDual):
        raise TypeError("numpy.linalg.norm: the array must be the dual argument")
    if not _is_real(x):
        _not_holomorphic(x, "linalg.norm")
    nd = x.ndim
    if axis is None:
        axes = tuple(range(nd))
        matrix = nd == 2 and ord is not None
    else:
        axes = tuple(int(a) for a in axis) if isinstance(axis, (tuple, list)) else (int(axis),)
        matrix = len(axes) == 2
    v = np.linalg.norm(x.value, ord=ord, axis=axis, keepdims=keepdims)
    if ord is None or (matrix and ord == "fro") or (not matrix and ord == 2):
        return _numpys_value(np.sqrt(_sum(_abs2(x), axis=axes, keepdims=keepdims)), v)
    if matrix and ord == "nuc":  # the sum of the singular values
        m = _linear(np.moveaxis, x, axes, (-2, -1))
        r = _sum(_singular_values(m), axis=-1)
        if keepdims:
            r = _linear(np.expand_dims, r, tuple(sorted(a % nd for a in axes)))
        return _numpys_value(r, v)
    if not matrix and len(axes) == 1 and isinstance(ord, numbers.Real) and np.isfinite(ord) and ord >= 1:
        p = float(ord)
        return _numpys_value(_sum(_abs(x) ** p, axis=axes, keepdims=keepdims) ** (1.0 / p), v)
    raise TypeError(f"numpy.linalg.norm of complex dual numbers with ord={ord!r} is not supported: "
                    "the 2-norm and Frobenius norm (ord=None), the nuclear norm (ord='nuc'), "
                    "and vector p-norms with finite p >= 1 are")


def _singular_values(a):
    """The singular values of the matrices in a (last two axes), NumPy's own,
    with derivatives from the Hermitian dilation M = [[0, A], [A^H, 0]], whose
    largest eigenvalues are the singular values: along dA (dilated to E),
    ds_k = x_k^H E x_k = Re(u_k^H dA v_k), and at second order
    x_k^H G x_k + sum_{j != k} 2 Re(B_kj C_jk) / (s_k - lam_j) with B and C the
    directions in the eigenbasis (second-order eigenvalue perturbation).
    Repeated or zero singular values have no second derivative (inf or NaN)."""
    if not _is_real(a):
        _not_holomorphic(a, "the singular values")
    A = np.asarray(a.value)
    m, n = A.shape[-2:]
    k = min(m, n)
    s = np.linalg.svd(A, compute_uv=False)

    def dilate(D):
        out = np.zeros(D.shape[:-2] + (m + n, m + n), dtype=np.result_type(D, A, 1j))
        out[..., :m, m:] = D
        out[..., m:, :m] = np.conj(np.swapaxes(D, -1, -2))
        return out
    lam, X = np.linalg.eigh(dilate(A))
    top = np.arange(m + n - 1, m + n - 1 - k, -1)  # the k largest, in NumPy's descending order
    Xh = np.conj(np.swapaxes(X, -1, -2))
    with _quiet():
        B = Xh @ dilate(a.tangent) @ X  # (n_dir, ..., N, N)
        t = np.real(np.diagonal(B, axis1=-2, axis2=-1)[..., top])
        h = None
        if a.hessian is not None:
            lk = lam[..., top]
            gap = lk[..., :, None] - lam[..., None, :]  # (..., k, N)
            mask = np.ones(gap.shape, dtype=bool)
            mask[..., np.arange(k), top] = False
            inv = np.where(mask, 1.0 / np.where(mask, gap, 1.0), 0.0)
            Bk = B[..., top, :]                                # rows k: B_kj
            Bt = np.swapaxes(B[..., :, top], -1, -2)            # B_jk as rows k
            cross = np.einsum("d...kj,e...kj->de...k", Bk, Bt * inv)
            G = np.real(np.diagonal(Xh @ dilate(a.hessian) @ X, axis1=-2, axis2=-1)[..., top])
            h = G + 2 * np.real(cross)
    r = _make(s, t, h, a)
    return r


def _svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """np.linalg.svd: NumPy's singular values, and with compute_uv its singular
    vectors under eigh's phase convention (see _singular_vectors)."""
    if not isinstance(a, ComplexDual):
        raise TypeError("numpy.linalg.svd: the matrix must be the dual argument")
    if a.ndim < 2:
        raise np.linalg.LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least "
                                    "two-dimensional")
    if hermitian:
        # NumPy reads a Hermitian matrix through eigh, from its lower triangle
        _square(a, "svd")
        _not_holomorphic(a, "svd")
        h = _make(_hermitian(a.value, "L"), _hermitian(a.tangent, "L"),
                  None if a.hessian is None else _hermitian(a.hessian, "L"), a)
        if not compute_uv:
            return _numpys_value(_singular_values(h), np.linalg.svd(a.value, compute_uv=False, hermitian=True))
        return _singular_vectors(h, a.value, full_matrices, True)
    if not compute_uv:
        return _singular_values(a)
    return _singular_vectors(a, a.value, full_matrices, False)


def _complement(Q, rows):
    """Orthonormal columns (..., rows, rows - k) orthogonal to Q's k columns."""
    if Q.shape[-1] == rows:
        return Q[..., :, :0]
    return np.linalg.qr(Q, mode="complete")[0][..., Q.shape[-1]:]


def _singular_vectors(a, A, full_matrices, hermitian):
    """(u, s, vh) of NumPy's svd of A, each column of u times the unit number
    that makes its largest-modulus component real and positive (as eigh's
    eigenvectors) and the row of vh times its conjugate, so that u diag(s) vh
    stays A; the extra columns of full matrices likewise (the rows of vh by
    their own largest component). Real matrices keep NumPy's real vectors.

    The derivatives are those of the eigenvectors of the Hermitian dilation
    [[0, A], [A^H, 0]] (see _spectral): (u_i, v_i) / sqrt(2) for s_i, (u_i, -v_i)
    / sqrt(2) for -s_i, and the extra columns (u2, 0) or (0, v2) for 0, a null
    space of fixed dimension. Repeated or zero singular values leave their
    vectors without a derivative (NaN); the singular values keep the
    derivatives of compute_uv=False there. Two or more extra columns are not
    unique (only their span is): their derivatives are those of the frame that
    turns with the other columns only (u2^H du2 = 0 before the phases are
    fixed, as the real svd's first derivatives), orthonormalized symmetrically
    at second order."""
    if a.holomorphic:
        _not_holomorphic(a, "svd with compute_uv=True")
    u, s, vh = np.linalg.svd(A, full_matrices=full_matrices, hermitian=hermitian)
    m, n = A.shape[-2:]
    k = min(m, n)
    tu = _top(u)
    u, c = _fix_phases(u, tu)
    V = np.conj(np.swapaxes(vh, -1, -2))
    V1 = V[..., :k] * c[..., None, :k]
    tu = tu[..., :k]
    U1 = u[..., :k]
    if full_matrices:
        U2 = u[..., k:]
        tv2 = _top(V[..., k:])
        V2, _ = _fix_phases(V[..., k:], tv2)
    else:
        U2, V2 = _complement(U1, m), _complement(V1, n)
        tv2 = _top(V2)
    vh = np.conj(np.swapaxes(np.concatenate([V1, V2], axis=-1) if full_matrices else V1, -1, -2))
    # the dilation's eigenvectors X (columns: s, -s, u2, v2) and eigenvalues
    r2 = np.sqrt(0.5)
    lead = A.shape[:-2]
    Xu = np.concatenate([U1 * r2, U1 * r2, U2, np.zeros(lead + (m, n - k), U1.dtype)], axis=-1)
    Xv = np.concatenate([V1 * r2, -V1 * r2, np.zeros(lead + (n, m - k), V1.dtype), V2], axis=-1)
    X = np.concatenate([Xu, Xv], axis=-2)
    z = np.zeros(lead + (m + n - 2 * k,))
    lam = np.concatenate([s, -s, z], axis=-1)
    top = np.concatenate([tu, tu, _top(U2), m + tv2], axis=-1)
    free = np.arange(m + n) >= 2 * k
    Xuh = np.conj(np.swapaxes(Xu, -1, -2))

    def basis(D):  # X^H [[0, D], [D^H, 0]] X
        P = Xuh @ D @ Xv
        return P + np.conj(np.swapaxes(P, -1, -2))
    dw, d2w, dX, d2X = _spectral(lam, X, a.tangent, a.hessian, basis, a.nan_safe, True, top,
                                 free=free, keep_dw=True)

    def split(D):
        """The derivatives of u and vh in those of X."""
        du, dv = D[..., :m, :k] / r2, D[..., m:, :k] / r2
        if full_matrices:
            du = np.concatenate([du, D[..., :m, 2 * k:2 * k + m - k]], axis=-1)
            dv = np.concatenate([dv, D[..., m:, 2 * k + m - k:]], axis=-1)
        return du, np.conj(np.swapaxes(dv, -1, -2))
    du, dvh = split(dX)
    d2u = d2vh = d2s = None
    if d2X is not None:
        d2u, d2vh = split(d2X)
        d2s = np.real(d2w[..., :k])
    S = _make(s, np.real(dw[..., :k]), d2s, a)
    tol = 8 * (m + n) * _EPS * np.max(s, axis=-1, initial=0.0)[..., None]
    if np.any(np.abs(s[..., 1:] - s[..., :-1]) <= tol[..., :1]) or np.any(s <= tol):
        # repeated or zero: no derivative, and the numbers depend on the basis
        # picked; those of compute_uv=False, so that both give the same
        S = _numpys_value(_singular_values(a), s)
    return _SVDResult(_make(u, du, d2u, a), S, _make(vh, dvh, d2vh, a))


def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    """np.var: the mean of |a - mean(a)|^2 (real, as NumPy's var of complex numbers)."""
    if dtype is not None or out is not None or kw:
        raise TypeError("numpy.var of complex dual numbers takes axis, ddof and keepdims only")
    d = a - _mean(a, axis=axis, keepdims=True)
    s = _sum(_abs2(d), axis=axis, keepdims=keepdims)
    count = np.size(a.value) // max(np.size(s.value), 1)
    return _numpys_value(s * (1.0 / (count - ddof)), np.var(a.value, axis=axis, ddof=ddof, keepdims=keepdims))


def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    r = np.sqrt(_var(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kw))
    return _numpys_value(r, np.std(a.value, axis=axis, ddof=ddof, keepdims=keepdims))


def _prod(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    """np.prod: the running product along the axis, by the product rule of
    each multiplication (exact where entries are 0, unlike prod / a)."""
    if dtype is not None or out is not None or kw:
        raise TypeError("numpy.prod of complex dual numbers takes axis and keepdims only")
    if axis is None:
        r = a.ravel() if a.ndim != 1 else a
        ax = 0
    else:
        r, ax = a, int(axis) % max(a.ndim, 1)
    r = _linear(np.moveaxis, r, ax, 0)
    p = r[0]
    for k in range(1, r.shape[0]):
        p = p * r[k]
    if keepdims:
        p = _linear(np.expand_dims, p, tuple(range(a.ndim)) if axis is None else ax)
    return _numpys_value(p, np.prod(a.value, axis=axis, keepdims=keepdims))


_UFUNC_HANDLERS = {
    np.add: lambda a, b: _add(a, b, 1) if isinstance(a, ComplexDual) else _add(b, a, 1),
    np.subtract: lambda a, b: _add(a, b, -1) if isinstance(a, ComplexDual) else _add(-b, a, 1),
    np.multiply: lambda a, b: _mul(a, b) if isinstance(a, ComplexDual) else _mul(b, a),
    np.true_divide: lambda a, b: _binary("div", a, b),
    np.power: lambda a, b: _binary("pow", a, b),
    np.float_power: lambda a, b: _binary("pow", a, b),
    np.negative: lambda a: -a,
    np.positive: lambda a: a,
    np.conjugate: _conj,
    np.absolute: _abs,
    np.maximum: _choice(np.maximum),
    np.minimum: _choice(np.minimum),
    np.fmax: _choice(np.fmax),
    np.fmin: _choice(np.fmin),
    np.matmul: lambda a, b: _bilinear(np.matmul, a, b),
    np.equal: lambda a, b: _value(a) == _value(b),
    np.not_equal: lambda a, b: _value(a) != _value(b),
    np.isfinite: lambda a: np.isfinite(_value(a)),
    np.isnan: lambda a: np.isnan(_value(a)),
    np.isinf: lambda a: np.isinf(_value(a)),
    np.less: lambda a, b: _value(a) < _value(b),
    np.less_equal: lambda a, b: _value(a) <= _value(b),
    np.greater: lambda a, b: _value(a) > _value(b),
    np.greater_equal: lambda a, b: _value(a) >= _value(b),
}

_FUNCTIONS = {
    np.real: _real,
    np.imag: _imag,
    np.angle: _angle,
    np.real_if_close: _real_if_close,
    np.nan_to_num: _nan_to_num,
    np.sum: _sum,
    np.mean: _mean,
    np.dot: lambda a, b: _bilinear(np.dot, a, b),
    np.vdot: _vdot,
    np.inner: lambda a, b: _bilinear(np.inner, a, b),
    np.outer: lambda a, b: _bilinear(np.outer, a, b),
    np.kron: lambda a, b: _bilinear(np.kron, a, b),
    np.convolve: lambda a, v, mode="full": _bilinear(np.convolve, a, v, mode),
    np.correlate: _correlate,
    np.tensordot: lambda a, b, axes=2: _bilinear(np.tensordot, a, b, axes=axes),
    np.einsum: _einsum,
    np.max: _extreme(np.max, np.argmax),
    np.min: _extreme(np.min, np.argmin),
    np.amax: _extreme(np.max, np.argmax),
    np.amin: _extreme(np.min, np.argmin),
    np.concatenate: lambda arrays, axis=0: _many(np.concatenate, arrays, axis=axis),
    np.stack: lambda arrays, axis=0: _many(np.stack, arrays, axis=axis),
    np.reshape: lambda a, *args, **kw: _linear(np.reshape, a, *args, **kw),
    np.ravel: lambda a: _linear(np.ravel, a),
    np.transpose: lambda a, axes=None: _linear(np.transpose, a, axes),
    np.squeeze: lambda a, axis=None: _linear(np.squeeze, a, axis),
    np.flip: lambda a, axis=None: _linear(np.flip, a, axis),
    np.roll: lambda a, shift, axis=None: _linear(np.roll, a, shift, axis),
    np.diag: lambda a, k=0: _linear(np.diag, a, k),
    np.trace: lambda a, offset=0: _linear(np.trace, a, offset),
    np.cumsum: lambda a, axis=None: _linear(np.cumsum, a, axis),
    np.diff: lambda a, n=1, axis=-1: _linear(np.diff, a, n, axis),
    np.swapaxes: lambda a, axis1, axis2: _linear(np.swapaxes, a, axis1, axis2),
    np.moveaxis: lambda a, source, destination: _linear(np.moveaxis, a, source, destination),
    np.expand_dims: lambda a, axis: _linear(np.expand_dims, a, axis),
    np.linalg.eig: _eig,
    np.linalg.norm: _norm,
    np.linalg.svd: _svd,
    np.var: _var,
    np.std: _std,
    np.prod: _prod,
    np.linalg.eigvals: _eigvals,
    np.linalg.eigh: _eigh,
    np.linalg.eigvalsh: _eigvalsh,
}
for _name in ("fft", "ifft"):
    _FUNCTIONS[getattr(np.fft, _name)] = _fft(_name)
for _name in ("fft2", "ifft2"):
    _FUNCTIONS[getattr(np.fft, _name)] = _fft(_name, nd_kind="2")
for _name in ("fftn", "ifftn"):
    _FUNCTIONS[getattr(np.fft, _name)] = _fft(_name, nd_kind="n")
# linear over the reals only (they drop or conjugate imaginary parts)
for _name in ("rfft", "irfft", "hfft", "ihfft"):
    _FUNCTIONS[getattr(np.fft, _name)] = _fft(_name, complex_linear=False)
for _name in ("rfft2", "irfft2"):
    _FUNCTIONS[getattr(np.fft, _name)] = _fft(_name, complex_linear=False, nd_kind="2")
for _name in ("rfftn", "irfftn"):
    _FUNCTIONS[getattr(np.fft, _name)] = _fft(_name, complex_linear=False, nd_kind="n")
# questions about the values alone (shape, dtype): no derivative to drop
for _query in (np.shape, np.ndim, np.size, np.iscomplexobj, np.isrealobj, np.iscomplex,
               np.isreal, np.result_type):
    _FUNCTIONS[_query] = (lambda q: lambda *a, **k: q(*[_value(x) for x in a], **k))(_query)
_FUNCTIONS[np.fft.fftshift] = lambda x, axes=None: _linear(np.fft.fftshift, x, axes)
_FUNCTIONS[np.fft.ifftshift] = lambda x, axes=None: _linear(np.fft.ifftshift, x, axes)


_SPECIAL: dict = {}


def _special_rules():
    """scipy.special's ufuncs with complex dual rules, once SciPy is imported:
    SciPy's complex values, the derivatives in closed form (erf' = 2/sqrt(pi)
    exp(-z^2), erf'' = -2 z erf')."""
    special = sys.modules.get("scipy.special")
    if special is not None and not _SPECIAL:
        def erf_like(ufunc, sign):
            def rule(x):
                z = x.value
                with _quiet():
                    d1 = sign * (2.0 / np.sqrt(np.pi)) * np.exp(-z * z)
                return _chain(x, ufunc(z), d1, -2.0 * z * d1)
            return rule
        _SPECIAL.update({special.erf: erf_like(special.erf, 1.0), special.erfc: erf_like(special.erfc, -1.0)})
    return _SPECIAL


def supported() -> tuple[list[str], list[str]]:
    """(ufuncs, functions): the names of the NumPy ufuncs and functions that take
    complex dual numbers, for the documentation's lists and the tests."""
    ufuncs = sorted({u.__name__ for u in _UFUNC_HANDLERS} | {u.__name__ for u in _UFUNCS})
    functions = sorted(f"{_module(f)}.{f.__name__}" for f in _FUNCTIONS)
    return ufuncs, functions


def _module(func):
    mod = getattr(func, "__module__", "numpy") or "numpy"
    return "numpy" if mod.startswith(("numpy._core", "numpy.lib")) or mod == "numpy" else mod
