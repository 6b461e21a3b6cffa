"""A first-order transform called inside a function that hessian or hvp is
differentiating: derivatives of total order three.

The outer call (the parent) seeded second-order numbers over p directions ε;
the inner call differentiates along its own k directions δ. Its numbers are

    z = A + B_1 δ_1 + ... + B_k δ_k,      δ_i δ_j = 0,

whose parts A and B_j are numbers of the parent (second order in ε, or
plain floats): the ring R[ε]/(ε³) ⊗ R[δ]/(δ²) that the parent's reads of
the inner derivatives need (value, ε-derivatives and ε-Hessians of each
d/dδ_j). Arithmetic is the parent's arithmetic on the parts:

    (A + Bδ)(C + Dδ) = AC + (AD + BC)δ,
    f(A + Bδ) = f(A) + f'(A) B δ,

where f'(A) is the parent number c1 + 2 c2 h + 3 c3 h² of h = A - a0 and
the Taylor coefficients c_k of f at A's value a0, which the rules table
gives at every order (dd_taylor.h); a binary rule f(A + Bδ, C + Dδ) adds
f_x(A, C) B + f_y(A, C) D, with the third partials of f from Taylor
coefficients along four directions. The inner call runs f once on such
numbers (in Python: nesting this deep is for checking and small problems)
and returns the parts B_j: numbers of the parent. So the Hessian of a
function that uses derivative, grad or jacobian inside is exact.

f may use the Python operators, dualdiff.math, and NumPy ufuncs and
reductions on the object arrays the inner call gives it for an array x;
other NumPy functions of dual arrays are not available on these numbers.
"""
import math
import numbers

import numpy as np

from dualdiff import _rules
from dualdiff._dual import Dual, _dual_parts, _set_mixed_hook
from dualdiff._ndarray import DualArray
from dualdiff._ndarray import array as _dual_array

__all__ = ["nested"]


def _is_plain(x):
    return type(x) is float or (isinstance(x, (numbers.Real, np.floating, np.integer))
                                and not isinstance(x, (bool, np.bool_, Dual)))


class _Mixed:
    """A number of an inner first-order call nested in a second-order call:
    a + sum_j b[j] δ_j, with a and each b[j] a number of the parent call (a
    Dual of order 2) or a float; None in b is a structural zero (a
    derivative that is 0 whatever the rules' partials, even infinite ones)."""

    __slots__ = ("a", "b", "call")
    __array_priority__ = 1000

    def __init__(self, a, b, call):
        self.a = a
        self.b = b
        self.call = call  # the nested call these numbers belong to

    def __repr__(self):
        return f"_Mixed({self.a!r}, {self.b!r}, call={self.call})"

    # comparisons and truth look at the value, as for Duals
    def _value(self):
        return _value(self.a)

    def __float__(self):
        raise TypeError("float() of a number of a nested transform drops its derivatives; "
                        "use dualdiff.math functions on it instead")

    def __bool__(self):
        return bool(self._value())

    def __lt__(self, o):
        return self._value() < _value(o)

    def __le__(self, o):
        return self._value() <= _value(o)

    def __gt__(self, o):
        return self._value() > _value(o)

    def __ge__(self, o):
        return self._value() >= _value(o)

    def __eq__(self, o):
        return self._value() == _value(o)

    def __ne__(self, o):
        return self._value() != _value(o)

    __hash__ = None

    def __add__(self, o):
        return _binary("add", self, o)

    def __radd__(self, o):
        return _binary("add", o, self)

    def __sub__(self, o):
        return _binary("sub", self, o)

    def __rsub__(self, o):
        return _binary("sub", o, self)

    def __mul__(self, o):
        return _binary("mul", self, o)

    def __rmul__(self, o):
        return _binary("mul", o, self)

    def __truediv__(self, o):
        return _binary("div", self, o)

    def __rtruediv__(self, o):
        return _binary("div", o, self)

    def __pow__(self, o):
        return _binary("pow", self, o)

    def __rpow__(self, o):
        return _binary("pow", o, self)

    def __floordiv__(self, o):
        return _binary("floordiv", self, o)

    def __rfloordiv__(self, o):
        return _binary("floordiv", o, self)

    def __mod__(self, o):
        return _binary("mod", self, o)

    def __rmod__(self, o):
        return _binary("mod", o, self)

    def __neg__(self):
        return _Mixed(-self.a, tuple(None if b is None else -b for b in self.b), self.call)

    def __pos__(self):
        return self

    def __abs__(self):
        return _unary("fabs", self)

    # NumPy's object loops call these (np.sin(object_array) calls x.sin())
    def conjugate(self):
        return self

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """The table's NumPy and scipy.special ufuncs on these numbers (not
        on arrays of them: NumPy's object loops call the methods instead)."""
        if method != "__call__" or kwargs or any(isinstance(i, np.ndarray) for i in inputs):
            return NotImplemented
        rule = _ufunc_rule(ufunc)
        if rule is None:
            raise TypeError(f"{ufunc.__name__} is not available on the numbers of a transform "
                            "nested in hessian or hvp")
        return _unary(rule, inputs[0]) if ufunc.nin == 1 else _binary(rule, inputs[0], inputs[1])


def _value(x):
    if type(x) is _Mixed:
        x = x.a
    if type(x) is Dual:
        return float(_dual_parts(x)[0][0])
    return x


def _method(kind, rule):
    if kind == "unary":
        return lambda self: _unary(rule, self)
    return lambda self, o: _binary(rule, self, o)


for _name, (_kind, _rule) in _rules.methods().items():
    setattr(_Mixed, _name, _method(_kind, _rule))


def _ufunc_rules(source):
    """ufunc -> rule name for NumPy's ("numpy") or scipy.special's ufuncs."""
    if source == "numpy":
        module = np
    else:
        import scipy.special as module
    out = {}
    for kind in ("unary", "binary"):
        for name, rule in _rules.ufunc_names(kind, source).items():
            out[getattr(module, name)] = rule
    return out


_UFUNC_RULES = _ufunc_rules("numpy")


def _ufunc_rule(ufunc):
    rule = _UFUNC_RULES.get(ufunc)
    if rule is None and "special" not in _UFUNC_RULES:
        try:
            _UFUNC_RULES.update(_ufunc_rules("special"))
        except ImportError:
            pass
        _UFUNC_RULES["special"] = True
        rule = _UFUNC_RULES.get(ufunc)
    return rule


# ------------------------------------------------------------------ the rules

_FUNCS = {}


def _function(rule):
    """A callable computing the rule on parent numbers, Taylor numbers and floats."""
    fn = _FUNCS.get(rule)
    if fn is None:
        row = next(r for r in _rules.RULES if r.name == rule)
        if row.numpy:
            fn = getattr(np, row.numpy[0])
        elif row.special:
            import scipy.special
            fn = getattr(scipy.special, row.special[0])
        else:
            from dualdiff import math as dm
            fn = getattr(dm, row.math)
        _FUNCS[rule] = fn
    return fn


def _scalar(y):
    return float(y) if isinstance(y, np.generic) else y


def _taylor(rule, point, direction, order=3):
    from dualdiff._taylor import taylor
    fn = _function(rule)
    if len(point) == 1:
        c = taylor(fn, order)(point[0])
    elif direction[1] == 0.0:  # along x: y stays a plain number (pow of a negative base)
        c = taylor(lambda t: fn(t, point[1]), order)(point[0], direction[0])
    elif direction[0] == 0.0:
        c = taylor(lambda t: fn(point[0], t), order)(point[1], direction[1])
    else:
        c = taylor(lambda p: fn(p[0], p[1]), order)(list(point), list(direction))
    return [float(v) for v in c]


def _split(x):
    """(value, nilpotent part) of a parent number or a float."""
    if type(x) is Dual:
        v = _value(x)
        return v, x - v
    return float(x), None


def _poly(h, coefs):
    """coefs[0] + coefs[1] h + coefs[2] h^2 for h a parent number (h^3 = 0) or None."""
    if h is None:
        return coefs[0]
    return coefs[0] + h * (coefs[1] + h * coefs[2])


def _unary(rule, z):
    if type(z) is not _Mixed:
        return _scalar(_function(rule)(z))
    fa = _scalar(_function(rule)(z.a))
    if all(b is None for b in z.b):
        return _Mixed(fa, z.b, z.call)
    a0, h = _split(z.a)
    c = _taylor(rule, (a0,), None)
    d1 = _poly(h, (c[1], 2.0 * c[2], 3.0 * c[3]))
    return _Mixed(fa, tuple(None if b is None else d1 * b for b in z.b), z.call)


def _parts(x, k):
    if type(x) is _Mixed:
        return x.a, x.b
    if type(x) is Dual or _is_plain(x):
        return x, (None,) * k
    return None


def _deeper():
    from dualdiff._nesting import NestingError
    return NestingError(
        "a transform inside a transform inside hessian or hvp needs derivatives of a total order "
        "above three, which dualdiff does not compute: a first-order transform (derivative, grad, "
        "value_and_grad, jacobian, value_and_jacobian, jvp) may be nested once inside hessian or "
        "hvp, or in another first-order transform")


def _add(b, d):
    return b if d is None else d if b is None else b + d


def _scale(c, b):
    if b is None or (type(b) is float and b == 0.0):
        return None  # a zero derivative stays 0 beside an infinite partial
    return c * b


def _binary(rule, x, y):
    z = x if type(x) is _Mixed else y
    if type(x) is _Mixed and type(y) is _Mixed and x.call != y.call:
        raise _deeper()
    k, call = len(z.b), z.call
    px, py = _parts(x, k), _parts(y, k)
    if px is None or py is None:
        return NotImplemented
    (A, B), (C, D) = px, py
    if rule == "add":
        return _Mixed(A + C, tuple(_add(b, d) for b, d in zip(B, D)), call)
    if rule == "sub":
        return _Mixed(A - C, tuple(_add(b, _scale(-1.0, d)) for b, d in zip(B, D)), call)
    if rule == "mul":
        return _Mixed(A * C, tuple(_add(_scale(A, d), _scale(C, b)) for b, d in zip(B, D)), call)
    if rule == "div":
        q = A / C
        return _Mixed(q, tuple(_add(_scale(1.0 / C, b), _scale(-q / C, d)) for b, d in zip(B, D)), call)
    fv = _scalar(_function(rule)(A, C)) if rule != "pow" else A ** C
    if all(b is None for b in B) and all(d is None for d in D):
        return _Mixed(fv, B, call)
    fx, fy = _partials(rule, A, C, all(d is None for d in D))
    return _Mixed(fv, tuple(_add(_scale(fx, b), _scale(fy, d)) for b, d in zip(B, D)), call)


def _partials(rule, A, C, constant_y=False):
    """(f_x(A, C), f_y(A, C)) as parent numbers, from Taylor coefficients
    (f_y is not computed for a constant float C: constant_y)."""
    a0, ha = _split(A)
    c0, hc = _split(C)
    if constant_y and hc is None:  # f(., c) is a function of one variable
        tx = _taylor(rule, (a0, c0), (1.0, 0.0))
        return _poly(ha, (tx[1], 2.0 * tx[2], 3.0 * tx[3])), None
    # order-3 Taylor coefficients along (1, 0), (0, 1), (1, 1), (1, -1)
    tx = _taylor(rule, (a0, c0), (1.0, 0.0))
    ty = _taylor(rule, (a0, c0), (0.0, 1.0))
    tp = _taylor(rule, (a0, c0), (1.0, 1.0))
    tm = _taylor(rule, (a0, c0), (1.0, -1.0))
    fx, fy = tx[1], ty[1]
    fxx, fyy = 2.0 * tx[2], 2.0 * ty[2]
    fxy = (tp[2] - tm[2]) / 2.0
    fxxx, fyyy = 6.0 * tx[3], 6.0 * ty[3]
    # 6 tp[3] = fxxx + 3 fxxy + 3 fxyy + fyyy, 6 tm[3] = fxxx - 3 fxxy + 3 fxyy - fyyy
    fxyy = (3.0 * (tp[3] + tm[3]) - fxxx) / 3.0
    fxxy = (3.0 * (tp[3] - tm[3]) - fyyy) / 3.0

    def at(g, gx, gy, gxx, gxy, gyy):
        # g(A, C) to second order in the nilpotent parts
        out = g
        if ha is not None:
            out = out + ha * (gx + 0.5 * gxx * ha)
        if hc is not None:
            out = out + hc * (gy + 0.5 * gyy * hc)
        if ha is not None and hc is not None:
            out = out + gxy * (ha * hc)
        return out

    return (at(fx, fxx, fxy, fxxx, fxxy, fxyy), at(fy, fxy, fyy, fxxy, fxyy, fyyy))


def math_hook(name, args, kwargs=None):
    """dualdiff.math's functions on these numbers (see _set_pattern_hook)."""
    rules = {r.math: r for r in _rules.RULES if r.math}
    row = rules.get(name)
    if row is None or kwargs:
        raise TypeError(f"dualdiff.math.{name} is not available on the numbers of a transform "
                        "nested in hessian or hvp")
    if name == "log":
        r = _unary("log", args[0])
        return r if len(args) < 2 or args[1] is None else r / _unary("log", args[1])
    if name == "hypot" and len(args) != 2:
        return _unary("sqrt", sum((a * a for a in args), 0.0))
    if row.kind == "unary":
        return _unary(row.name, args[0])
    return _binary(row.name, args[0], args[1])


# ------------------------------------------------------------------ the call

def _entries(x):
    """(flat list of parent numbers and floats, shape or None, container)."""
    if type(x) is Dual or _is_plain(x):
        return [x], None
    if isinstance(x, DualArray):
        return list(x.reshape(-1)), x.shape
    a = np.array(x, dtype=object)
    return [e if type(e) is Dual else float(e) for e in a.reshape(-1)], a.shape


def _build(items, x):
    """The Mixed numbers in x's container: a number, lists and tuples like
    x's, or an object array shaped like x."""
    if type(x) is list or type(x) is tuple:
        it = iter(items)

        def rec(t):
            if type(t) is list:
                return [rec(e) for e in t]
            if type(t) is tuple:
                return tuple(rec(e) for e in t)
            return next(it)
        return rec(x)
    a = np.empty(len(items), dtype=object)
    a[:] = items
    return a.reshape(np.shape(x))


def _result(y, k):
    """(values, derivative rows (M, k), shape) of f's result."""
    if type(y) is _Mixed or type(y) is Dual or _is_plain(y):
        items, shape = [y], ()
    else:
        a = np.array(y, dtype=object)
        items, shape = list(a.reshape(-1)), a.shape
    values, rows = [], []
    for e in items:
        if type(e) is _Mixed:
            values.append(e.a)
            rows.append(tuple(0.0 if b is None else b for b in e.b))
        elif type(e) is Dual or _is_plain(e):
            values.append(e if type(e) is Dual else float(e))
            rows.append((0.0,) * k)
        else:
            raise TypeError(f"the function being differentiated returned {type(e).__name__}; "
                            "it must return real numbers")
    return values, rows, shape


def _numbers(items, shape):
    """Parent numbers as f would see them from a transform: a Dual or float
    for shape (), else a dual array (a float array without dual entries)."""
    if shape == ():
        return items[0]
    out = _dual_array(list(items))
    return out.reshape(shape)


_calls = 0


def holds_mixed(x):
    """True when x holds numbers of a transform nested in a second-order one."""
    if type(x) is _Mixed:
        return True
    if type(x) is list or type(x) is tuple:
        return any(holds_mixed(e) for e in x)
    if isinstance(x, np.ndarray) and x.dtype == object:
        return any(type(e) is _Mixed for e in x.flat)
    return False


def refuse_deeper(x):
    """Raise NestingError when x holds such numbers (a third level)."""
    if holds_mixed(x):
        raise _deeper()


def nested(verb, f, x, args, kwargs, v=None):
    """verb(f)(x, *args, **kwargs) where x holds numbers of a running
    second-order call (see the module's docstring)."""
    global _calls
    items, shape = _entries(x)
    _calls += 1
    call = _calls
    N = len(items)
    if v is None:
        k = N
        seeds = [_Mixed(items[i], tuple(1.0 if j == i else None for j in range(N)), call) for i in range(N)]
    else:
        vitems, vshape = _entries(v)
        if vshape != shape:
            raise ValueError(f"jvp: v must have the shape of x, {shape or ()}, not {vshape or ()}")
        k = 1
        seeds = [_Mixed(items[i], (vitems[i],), call) for i in range(N)]
    xin = seeds[0] if shape is None else _build(seeds, x)
    y = f(xin, *args, **kwargs)
    values, rows, out_shape = _result(y, k)
    xs = () if shape is None else tuple(shape)
    val = _numbers(values, out_shape)
    if verb == "jvp":
        return val, _numbers([r[0] for r in rows], out_shape)
    if verb in ("grad", "value_and_grad"):
        if out_shape != ():
            raise ValueError(f"{verb}(f) needs f to return a scalar, but it returned a result of "
                             f"shape {out_shape}; use jacobian(f) for vector-valued functions")
        g = _numbers(list(rows[0]), xs)
        return (val, g) if verb == "value_and_grad" else g
    J = _numbers([e for r in rows for e in r], out_shape + xs)
    if verb == "value_and_jacobian":
        return val, J
    return J


_set_mixed_hook(_Mixed, math_hook)
