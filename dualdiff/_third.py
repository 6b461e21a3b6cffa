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
f_x(A, C) B + f_y(A, C) D, with its partials written as functions of the
operands (atan2, hypot, pow, xlogy, ...) or, for the piecewise rules,
constants from the C rule. The same algebra serves a Taylor parent (parts
of degree K: f'(A) = sum (m + 1) c_{m+1} h^m), so taylor of a function
that uses a first-order transform is exact too. The inner call runs f once on such
numbers (in Python: nesting this deep is for checking and small problems)
and returns the parts B_j: numbers of the parent. So the Hessian of a
function that uses derivative, grad or jacobian inside is exact.

The parent may itself be nested: a first-order transform inside a first-order
transform nested in another (its parent's numbers are second-order numbers of
dualdiff/_nesting.py), or inside one of the calls run here (its parent's
numbers are _Mixed). Then the parts are _Mixed numbers of the parent call, a
rule's derivative at a _Mixed part is f'(a + bδ) = f'(a) + f''(a) b δ, built
down to the Taylor coefficients at the value (_derivative_at), and of two
running calls' numbers the later call's are the inner ones: the other's lift
into its parts as constants. So first-order transforms nest to any depth.

f may use the Python operators, dualdiff.math, and NumPy ufuncs and
reductions on the object arrays the inner call gives it for an array x;
other NumPy functions of dual arrays are not available on these numbers.
"""
import math
import numbers
from typing import Any

import numpy as np

from dualdiff import _complex, _ndarray, _rules
from dualdiff._complex import ComplexDual
from dualdiff._dual import Dual, _Conflict, _dual_parts, _set_mixed_hook
from dualdiff._ndarray import array as _dual_array

__all__ = ["nested"]


def _is_plain(x):
    return type(x) is float or (isinstance(x, (numbers.Real, np.floating, np.integer))
                                and not isinstance(x, (bool, np.bool_, Dual)))


def _is_constant(x):
    """A plain real or complex number."""
    return _is_plain(x) or isinstance(x, (complex, np.complexfloating))


def _is_number(x):
    """A number these numbers combine with: theirs, a parent's, a constant."""
    return type(x) is _Mixed or type(x) is Dual or type(x) is ComplexDual or _is_constant(x)


def _is_complex(x):
    """Whether x is complex: a complex constant, complex dual numbers with a
    complex value or derivative, or a _Mixed with such a part (their rules
    differ from the real ones where f is not holomorphic: abs, angle, conj,
    real, imag)."""
    if type(x) is _Mixed:
        return _is_complex(x.a) or any(_is_complex(b) for b in x.b if b is not None)
    if type(x) is ComplexDual:
        return not _complex._is_real(x)
    return isinstance(x, (complex, np.complexfloating))


class _Mixed:
    """A number of an inner first-order call nested in a second-order call:
    a + sum_j b[j] δ_j, with a and each b[j] a number of the parent call (a
    Dual of order 2 or 3, complex dual numbers, or a _Mixed of an outer
    nested call) or a constant; None in b is a structural zero (a derivative
    that is 0 whatever the rules' partials, even infinite ones)."""

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

    __hash__ = None  # type: ignore[assignment]  # unhashable, as Duals compared by value

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
        return _conj(self)

    conj = conjugate

    @property
    def real(self):
        return _real(self)

    @property
    def imag(self):
        return _imag(self)

    def __array_function__(self, func, types, args, kwargs):
        if func is np.angle:
            deg = kwargs.get("deg", args[1] if len(args) > 1 else False)
            r = _angle(args[0])
            return r * (180.0 / np.pi) if deg else r
        return func._implementation(*args, **kwargs)  # NumPy's own, as without this hook

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """The table's NumPy and scipy.special ufuncs on these numbers (not
        on arrays of them: NumPy's object loops call the methods instead)."""
        if method == "reduce" and len(inputs) == 1 and inputs[0] is self and not any(
                kwargs.get(k) is not None for k in ("out", "where", "initial")) \
                and not kwargs.get("keepdims") and kwargs.get("axis") in (None, 0, ()):
            return self  # np.sum or np.prod of one number: the number
        if method != "__call__" or kwargs:
            return NotImplemented
        if any(isinstance(i, np.ndarray) for i in inputs):
            # an object array of these numbers with one of them beside it (np.outer's
            # result plus a scalar): NumPy's object loop on both, element by element
            if not all(isinstance(i, np.ndarray) or _is_number(i) for i in inputs):
                return NotImplemented
            return ufunc(*[_object_scalar(i) if _is_number(i) and not _is_constant(i) else i
                           for i in inputs])
        if ufunc is np.conjugate:
            return _conj(inputs[0])
        rule = _ufunc_rule(ufunc)
        if rule is None:
            raise TypeError(f"{ufunc.__name__} is not available on the numbers of a transform "
                            "nested in hessian or hvp")
        return _unary(rule, inputs[0]) if ufunc.nin == 1 else _binary(rule, inputs[0], inputs[1])


def _object_scalar(x):
    a = np.empty((), dtype=object)
    a[()] = x
    return a


def _value(x):
    while type(x) is _Mixed:
        x = x.a
    if type(x) is Dual:
        return float(_dual_parts(x)[0][0])
    if type(x) is ComplexDual:
        return x.value[()]
    return x


def _method(kind, rule):
    if kind == "unary":
        return lambda self: _unary(rule, self)
    return lambda self, o: _binary(rule, self, o)


for _name, (_kind, _rule) in _rules.methods().items():
    setattr(_Mixed, _name, _method(_kind, _rule))


def _special():
    import scipy.special  # type: ignore[import-untyped]  # SciPy ships no type stubs
    return scipy.special


def _ufunc_rules(source):
    """ufunc -> rule name for NumPy's ("numpy") or scipy.special's ufuncs."""
    module = np if source == "numpy" else _special()
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

_FUNCS: dict[str, Any] = {}


def _function(rule):
    """A callable computing the rule on parent numbers, Taylor numbers and floats."""
    fn = _FUNCS.get(rule)
    if fn is None:
        row = next(r for r in _rules.RULES if r.name == rule)
        if row.numpy:
            fn = getattr(np, row.numpy[0])
        elif row.special:
            fn = getattr(_special(), row.special[0])
        else:
            from dualdiff import math as dm
            fn = getattr(dm, row.math)
        _FUNCS[rule] = fn
    return fn


def _scalar(y):
    if isinstance(y, np.complexfloating):
        return complex(y)
    return float(y) if isinstance(y, np.generic) else y


def _degree(x):
    """The degree of x's nilpotent part: 1 for first-order numbers, 2 for
    second-order ones, K for Taylor numbers of order K, 0 for a float, and
    one more for each level of nested numbers around them."""
    if type(x) is _Mixed:
        return 1 + _degree(x.a)
    if type(x) is ComplexDual:
        return x.order
    if type(x) is not Dual:
        return 0
    data, n, code, tag = _dual_parts(x)
    order = code & 3
    return n if order == 3 else order


_TAYLORS: dict[tuple[str, int], Any] = {}


def _taylor_of(rule, order):
    """taylor(f, order) of the rule's function (made once)."""
    t = _TAYLORS.get((rule, order))
    if t is None:
        from dualdiff._taylor import taylor
        t = _TAYLORS[rule, order] = taylor(_function(rule), order)
    return t


def _derivative_at(rule, x, m=1, c=None):
    """The m-th derivative f^(m)(x) of the rule at a number x of a call (or a
    float). At a number of a second-order or Taylor call it is
    sum_j (m + j)!/j! c_{m+j} h^j with h = x - x0 (h^(d+1) = 0 for x of
    degree d) and c the Taylor coefficients of the rule at x0, which the C
    table gives at every order; at a nested number a + b δ it is
    f^(m)(a) + f^(m+1)(a) b δ."""
    if c is None:
        c = [_scalar(v) for v in _taylor_of(rule, m + _degree(x))(_value(x))]
    if type(x) is _Mixed:
        fa = _derivative_at(rule, x.a, m, c)
        if all(b is None for b in x.b):
            return _Mixed(fa, x.b, x.call)
        fb = _derivative_at(rule, x.a, m + 1, c)
        return _Mixed(fa, tuple(_scale(fb, b) for b in x.b), x.call)
    if type(x) is not Dual and type(x) is not ComplexDual:
        return math.factorial(m) * c[m]
    x0 = _value(x)
    h, d = x - x0, _degree(x)
    out = math.factorial(m + d) // math.factorial(d) * c[m + d]
    for j in range(d - 1, -1, -1):  # Horner in h
        out = math.factorial(m + j) // math.factorial(j) * c[m + j] + h * out
    return out


def _apply(rule, x):
    """The rule's function at a number of a parent call or a constant (fabs
    of complex dual numbers with real values is their np.abs)."""
    if rule == "fabs" and type(x) is ComplexDual:
        return np.abs(x)
    return _scalar(_function(rule)(x))


def _unary(rule, z):
    if type(z) is not _Mixed:
        return _apply(rule, z)
    if rule == "fabs" and _is_complex(z):
        return _abs(z)
    fa = _apply(rule, z.a)
    if all(b is None for b in z.b):
        return _Mixed(fa, z.b, z.call)
    d1 = _derivative_at(rule, z.a)
    return _Mixed(fa, tuple(None if b is None else d1 * b for b in z.b), z.call)


def _parts(x, k, call):
    if type(x) is _Mixed and x.call == call:
        return x.a, x.b
    if _is_number(x):
        return _LIFTS[call](x, k)  # a number of an outer call, or a constant
    return None


# ------------------------------------------- complex numbers that f meets
#
# With complex parts (a parent running on complex dual numbers, or complex
# constants), the rules that are not holomorphic act on the parts: for a real
# direction δ, conj, real and imag are linear, and
#
#     |A + Bδ| = |A| + Re(conj(A) B) / |A| δ,   arg(A + Bδ) = arg A + Im(B / A) δ,
#
# each part computed by the parent's own rules (at A = 0 the parent's |A|
# and 1/A give its conventions: NaN beyond the first derivative).

def _holomorphic_only(x, name):
    if _HOLOMORPHIC.get(x.call):
        raise TypeError(f"{name} is not holomorphic: with holomorphic=True f must be holomorphic "
                        "(use jvp or wirtinger for the derivatives of a function that is not)")


def _part_of(name, x):
    """conj, real or imag (linear over the reals) of x, part by part."""
    if type(x) is _Mixed:
        if _is_complex(x):
            _holomorphic_only(x, name)
        return _Mixed(_part_of(name, x.a), tuple(None if b is None else _part_of(name, b) for b in x.b),
                      x.call)
    if not _is_complex(x):
        return 0.0 if name == "imag" else x
    if name == "conj":
        return _scalar(x.conjugate())
    return _scalar(x.real if name == "real" else x.imag)


def _conj(x):
    return _part_of("conj", x)


def _real(x):
    return _part_of("real", x)


def _imag(x):
    return _part_of("imag", x)


def _abs(x):
    if type(x) is not _Mixed:
        return _scalar(np.abs(x))
    if not _is_complex(x):
        return _unary("fabs", x)
    _holomorphic_only(x, "abs")
    r = _abs(x.a)
    ca = _conj(x.a)
    return _Mixed(r, tuple(None if b is None else _real(ca * b) / r for b in x.b), x.call)


def _angle(x):
    if type(x) is not _Mixed:
        return _scalar(np.angle(x))
    if not _is_complex(x):  # of a real number: 0 or pi, a step with derivative 0
        return np.angle(_value(x))
    _holomorphic_only(x, "angle")
    return _Mixed(_angle(x.a), tuple(None if b is None else _imag(b / x.a) for b in x.b), x.call)


def deeper(inner, outer):
    """NestingError for a transform nested where it is not computed."""
    from dualdiff._nesting import NestingError
    return NestingError(
        f"{inner} inside {outer} is nested deeper than dualdiff computes: first-order "
        "transforms (derivative, grad, value_and_grad, jacobian, value_and_jacobian, jvp) nest "
        "to any depth, inside each other and inside hessian, hvp or taylor, and hessian and hvp "
        "inside any of them; taylor runs outermost only (inside a transform, write its "
        "coefficients as nested derivatives).")


def _add(b, d):
    return b if d is None else d if b is None else b + d


def _scale(c, b):
    if b is None or c is None or (type(b) is float and b == 0.0):
        return None  # a zero derivative stays 0 beside an infinite partial
    return c * b


def _binary(rule, x, y):
    # of two nested calls, both running, the later one runs inside the other:
    # the other's numbers are numbers of its parent
    z = x if type(x) is _Mixed and (type(y) is not _Mixed or x.call > y.call) else y
    k, call = len(z.b), z.call
    px, py = _parts(x, k, call), _parts(y, k, call)
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
    fv = A ** C if rule == "pow" else _scalar(_function(rule)(A, C))
    bx, by = any(b is not None for b in B), any(d is not None for d in D)
    if not bx and not by:
        return _Mixed(fv, B, call)
    fx, fy = _partials(rule, A, C, fv, bx, by)
    return _Mixed(fv, tuple(_add(_scale(fx, b), _scale(fy, d)) for b, d in zip(B, D)), call)


def _log(x):
    return _unary("log", x)


def _pow_partials(A, C, r, wx, wy):
    fx = fy = None
    if wx:
        fx = 0.0 if _is_plain(C) and C == 0 else C * A ** (C - 1)  # x ** 0 is constant
    if wy:
        fy = r * _log(A)
    return fx, fy


def _atan2_partials(A, C):
    h = _scalar(np.hypot(A, C))  # (C / h) / h: no overflow of A^2 + C^2
    return (C / h) / h, -(A / h) / h


# The partials of the smooth binary rules as functions of the operands (they
# hold for numbers of any call); the piecewise ones take their constant
# partials from the C rule at the values. A test walks every binary rule.
_SMOOTH = {
    "pow": None,  # _pow_partials
    "atan2": lambda A, C, r: _atan2_partials(A, C),
    "hypot": lambda A, C, r: (A / r, C / r),
    "xlogy": lambda A, C, r: (_log(C), A / C),
    "xlog1py": lambda A, C, r: (_unary("log1p", C), A / (1.0 + C)),
    "rel_entr": lambda A, C, r: (_log(A / C) + 1.0, -A / C),
    "beta": lambda A, C, r: _beta_partials(A, C, r),
    "betaln": lambda A, C, r: _beta_partials(A, C, None),
}


def _beta_partials(A, C, r):
    """psi(x) - psi(x + y) and psi(y) - psi(x + y): betaln's partials, and
    beta's (times r, beta's value)."""
    ps = _unary("psi", A + C)
    fx, fy = _unary("psi", A) - ps, _unary("psi", C) - ps
    return (fx, fy) if r is None else (r * fx, r * fy)


_PIECEWISE = ("floordiv", "mod", "fmod", "remainder", "copysign", "maximum", "minimum", "fmax", "fmin")


def _partials(rule, A, C, r, wx, wy):
    """(f_x(A, C), f_y(A, C)) as numbers of A's and C's call (None where
    not wanted: wx, wy)."""
    if rule == "pow":
        return _pow_partials(A, C, r, wx, wy)
    if rule in _SMOOTH:
        return _SMOOTH[rule](A, C, r)
    if rule in _PIECEWISE:
        from dualdiff._dual import _rule
        partials = _rule("binary", rule, _value(A), _value(C), 1)
        return partials[1], partials[2]
    raise TypeError(f"{rule} is not available on the numbers of a nested transform")


_MATH_ROWS = {r.math: r for r in _rules.RULES if r.math}


def math_hook(name, args, kwargs=None):
    """dualdiff.math's functions on these numbers (see _set_pattern_hook)."""
    row = _MATH_ROWS.get(name)
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

def _flat(x):
    """(flat list of numbers, shape) of a number, a (nested) list or tuple, or
    an array of numbers (real, complex, or dual numbers of any kind)."""
    if type(x) is list or type(x) is tuple:
        parts = [_flat(e) for e in x]
        shapes = {shape for _, shape in parts}
        if len(shapes) > 1:
            raise ValueError(f"a ragged sequence: its items have the shapes {sorted(shapes)}")
        inner = shapes.pop() if shapes else ()
        return [e for items, _ in parts for e in items], (len(x),) + inner
    if type(x) is ComplexDual:
        if x.ndim == 0:
            return [x], ()
        flat = x.reshape(-1)
        return [flat[i] for i in range(flat.shape[0])], x.shape
    if isinstance(x, np.ndarray):  # a dual array gives Duals, an object array its numbers
        return [_scalar(e) for e in x.reshape(-1)], x.shape
    return [_scalar(x)], ()


def _entries(x):
    """(flat list of the numbers of x, shape or None for a number)."""
    items, shape = _flat(x)
    for e in items:
        if not _is_number(e):
            raise TypeError(f"x must hold numbers, not {type(e).__name__}")
    return items, (None if shape == () and not isinstance(x, (list, tuple, np.ndarray)) else shape)


def along_imaginary(e):
    """Does e, a number that f receives, move along the imaginary axis too: a
    call on complex numbers not declared holomorphic (grad's df/dx - i df/dy)?"""
    return type(e) is _Mixed and not _HOLOMORPHIC.get(e.call, False) and any(
        b is not None and np.iscomplexobj(_value(b)) for b in e.b)


def _real_entries(x, N):
    """For each of the N entries of x (in _flat's order): does it belong to a
    real leaf of a list or tuple that holds real and complex arrays, which
    keep their kinds as in _trees? (Elsewhere x is one array, complex if any
    entry is.) Leaves of nested numbers come as object arrays here, which
    _trees.tree_of does not take apart."""
    from dualdiff import _trees
    if not (type(x) is list or type(x) is tuple):
        return [False] * N
    leaves = []

    def rec(t):
        if type(t) is list or type(t) is tuple:
            for e in t:
                rec(e)
        else:
            leaves.append(t)
    rec(x)
    kinds = [_trees._complex_leaf(leaf) for leaf in leaves]
    arrays = any(isinstance(leaf, (np.ndarray, ComplexDual)) and leaf.ndim for leaf in leaves)
    if not (arrays and any(kinds) and not all(kinds)):
        return [False] * N
    out = []
    for leaf, complex_leaf in zip(leaves, kinds):
        out.extend([not complex_leaf] * len(_flat(leaf)[0]))
    return out


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
            shape = np.shape(t) if isinstance(t, (np.ndarray, ComplexDual)) else ()
            if shape == ():
                return next(it)
            a = np.empty(int(np.prod(shape, dtype=np.int64)), dtype=object)
            for i in range(a.shape[0]):  # an array inside the list: its entries, as _flat read them
                a[i] = next(it)
            return a.reshape(shape).view(_Numbers)
        return rec(x)
    a = np.empty(len(items), dtype=object)
    a[:] = items
    return a.reshape(np.shape(x)).view(_Numbers)


class _Numbers(np.ndarray):
    """The object arrays of these numbers that f receives. NumPy's np.real,
    np.imag and np.angle take an object array for a real one (np.real gives
    it back unchanged): here they act on each number, complex ones too.
    Ufuncs, reductions and indexing keep the type."""

    @property  # type: ignore[misc]  # ndarray's attributes, per number
    def real(self):
        return _per_number(_real, self)

    @property  # type: ignore[misc]
    def imag(self):
        return _per_number(_imag, self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # NumPy's object loops call a method of each entry (exp, log, ...),
        # which plain numbers lack: they enter as constants of the innermost call
        if method == "__call__":
            inputs = _lift_plain(inputs)
        inputs = tuple(x.view(np.ndarray) if isinstance(x, _Numbers) else x for x in inputs)
        if "out" in kwargs:  # as plain object arrays too, or this method would run again
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, _Numbers) else o
                                  for o in kwargs["out"])
        out = getattr(ufunc, method)(*inputs, **kwargs)
        if isinstance(out, np.ndarray) and out.dtype == object:
            return out.view(_Numbers)
        return out

    def __array_function__(self, func, types, args, kwargs):
        if func is np.real or func is np.imag:
            a = args[0]
            return a.real if func is np.real else a.imag
        if func is np.angle:
            deg = kwargs.get("deg", args[1] if len(args) > 1 else False)
            out = _per_number(_angle, args[0])
            return out * (180.0 / np.pi) if deg else out
        return super().__array_function__(func, types, args, kwargs)


def _lift_plain(inputs):
    """inputs with the plain numbers of their object arrays (and plain
    operands) made numbers of the innermost call among their entries."""
    calls = {}
    for x in inputs:
        if isinstance(x, np.ndarray) and x.dtype == object:
            for e in x.flat:
                if type(e) is _Mixed:
                    calls[e.call] = len(e.b)
    if not calls:
        return inputs
    call = max(calls)
    k = calls[call]

    def lift(e):
        return e if type(e) is _Mixed else _Mixed(*_LIFTS[call](e, k), call)
    out = []
    for x in inputs:
        if isinstance(x, np.ndarray) and x.dtype == object:
            if any(type(e) is not _Mixed for e in x.flat):
                y = np.empty(x.shape, dtype=object)
                for i, e in enumerate(x.flat):
                    y.flat[i] = lift(e)
                x = y
        out.append(x)
    return tuple(out)


def _per_number(fn, a):
    out = np.empty(a.shape, dtype=object)
    flat = out.reshape(-1)
    for i, e in enumerate(np.asarray(a, dtype=object).reshape(-1)):
        flat[i] = fn(e)
    return out.view(_Numbers)


def _call(f, seeds, x, shape, args, kwargs, call, lift):
    """f at the seeded numbers in x's container, with ``lift`` turning the
    other numbers f meets into parts while it runs."""
    xin = seeds[0] if shape is None else _build(seeds, x)
    _LIFTS[call] = lift
    try:
        return f(xin, *args, **kwargs)
    except TypeError as e:
        if "not supported for the input types" not in str(e):
            raise
        raise TypeError(f"{e}: a transform nested in hessian, hvp or taylor (or hessian or hvp "
                        "nested in a transform) gives f an object array of numbers, which takes "
                        "the operators, dualdiff.math, and NumPy ufuncs and reductions, not other "
                        "NumPy functions (FFT, linear algebra)") from e
    finally:
        del _LIFTS[call]


def _items(y):
    """(flat items, shape) of f's result."""
    return _flat(y)


def _result(y, k, call):
    """(values, derivative rows (M, k), shape) of f's result."""
    items, shape = _items(y)
    values, rows = [], []
    for e in items:
        if type(e) is _Mixed and e.call == call:
            values.append(e.a)
            rows.append(tuple(0.0 if b is None else b for b in e.b))
        elif _is_number(e):  # a number of an outer call, or a constant
            values.append(e)
            rows.append((0.0,) * k)
        else:
            raise TypeError(f"the function being differentiated returned {type(e).__name__}; "
                            "it must return numbers")
    return values, rows, shape


def _numbers(items, shape):
    """Parent numbers as f would see them from a transform: a Dual or float
    for shape (), else a dual array (a float array without dual entries)."""
    if shape == ():
        return items[0]
    if any(type(e) is _Mixed for e in items):  # numbers of an outer nested call
        return _build(items, np.empty(shape))
    if any(_is_complex(e) for e in items):  # a parent running on complex numbers
        from dualdiff._complex import array
        return array(list(items)).reshape(shape)
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


class MixedInput(_Conflict):
    """A transform was called on numbers of a transform nested in a
    second-order one (or deeper): it runs one level deeper (nested), or
    raises NestingError where that is not computed."""

    def __init__(self):
        _Conflict.__init__(self, ())


def refuse_deeper(x):
    """Raise MixedInput when x holds such numbers (a deeper level)."""
    if holds_mixed(x):
        raise MixedInput()


# call -> the function giving (a, b) for a number of the parent call or a
# float that meets the call's numbers; removed when the call returns
def _constant(x, k):
    return x, (None,) * k


def _finished(x, k):
    from dualdiff._nesting import NestingError
    raise NestingError("numbers of a nested transform were used after it returned")


class _Lifts(dict):
    def __missing__(self, call):
        return _finished


_LIFTS = _Lifts()


_HOLOMORPHIC: dict[int, bool] = {}  # the running calls with holomorphic=True


def nested(verb, f, x, args, kwargs, v=None, holomorphic=False):
    """verb(f)(x, *args, **kwargs) where x holds numbers of a running
    second-order or Taylor call, or of a nested call (see the module's
    docstring). At complex x (a parent running on complex dual numbers), as
    the transforms on complex numbers: grad of a real-valued f is
    df/dx - i df/dy, and the other transforms need holomorphic=True for df/dz."""
    global _calls
    items, shape = _entries(x)
    _calls += 1
    call = _calls
    N = len(items)
    is_complex = any(np.iscomplexobj(_value(e)) for e in items)
    two = False  # the real and the imaginary direction of each entry
    if v is None:
        if is_complex and not holomorphic:
            if verb not in ("grad", "value_and_grad"):
                from dualdiff._complex_ad import _needs_holomorphic
                raise _needs_holomorphic(verb)
            two = True
            real = _real_entries(x, N)  # a real leaf beside complex ones stays real
        k = 2 * N if two else N
        seeds = [_Mixed(items[i], tuple(1.0 if j == i else 1j if two and j == N + i and not real[i]
                                        else None for j in range(k)), call) for i in range(N)]
    else:
        vitems, vshape = _entries(v)
        if vshape != shape:
            raise ValueError(f"jvp: v must have the shape of x, {shape or ()}, not {vshape or ()}")
        k = 1
        seeds = [_Mixed(items[i], (vitems[i],), call) for i in range(N)]
    if holomorphic and is_complex:
        _HOLOMORPHIC[call] = True
    try:
        y = _call(f, seeds, x, shape, args, kwargs, call, _constant)
    finally:
        _HOLOMORPHIC.pop(call, None)
    values, rows, out_shape = _result(y, k, call)
    xs = () if shape is None else tuple(shape)
    val = _numbers(values, out_shape)
    if verb == "jvp":
        return val, _numbers([r[0] for r in rows], out_shape)
    if verb in ("grad", "value_and_grad"):
        from dualdiff import _seeding
        _seeding.require_one_entry(verb, out_shape)
        g = list(rows[0])
        if not (holomorphic and is_complex):  # a real-valued f: real value and derivatives
            if any(np.imag(_value(e)) != 0 for e in [values[0]] + g):
                raise TypeError(f"{verb}(f) needs a real-valued f, and f returned a complex "
                                "number; use jacobian(f) for the complex derivatives of a "
                                "complex-valued f")
            val, g = _numbers([_real(values[0])], out_shape), [_real(e) for e in g]
        if two:  # df/dx - i df/dy (df/dx alone for a real leaf)
            g = [g[i] if real[i] else g[i] + (-1j) * g[N + i] for i in range(N)]
        g = _numbers(g, xs)
        return (val, g) if verb == "value_and_grad" else g
    J = _numbers([e for r in rows for e in r], out_shape + xs)
    if verb == "value_and_jacobian":
        return val, J
    return J


_set_mixed_hook(_Mixed, math_hook)
_ndarray.OBJECT_LOOP_TYPES.add(_Mixed)
_ndarray.OBJECT_ARRAY = lambda a: a.view(_Numbers)
_complex.DEFER.add(_Mixed)


# ------------------------------------------- hessian or hvp inside a transform
#
# The same numbers with the roles swapped: the inner call is second order
# (k directions δ) and the outer one first order (p directions ε), so
# z = A + B_1 ε_1 + ... + B_p ε_p with A and B_j second-order numbers of the
# inner call: R[δ]/(δ³) ⊗ R[ε]/(ε²). A number of the outer call that f meets
# is its value plus its p derivatives as constant parts.

def _outer_parts(x, p):
    """(value, p derivatives) of a number of the outer call or a float."""
    if type(x) is Dual:
        data = _dual_parts(x)[0]
        return float(data[0]), tuple(None if t == 0.0 else float(t) for t in data[1:1 + p])
    if type(x) is _Mixed:
        raise deeper("hessian(f) or hvp(f)", "a nested transform")
    return float(x), (None,) * p


def _inner_hessian(part, N, tag, out):
    """out[:, :] = the Hessian of a part (a second-order number of the inner
    call, or a constant)."""
    if part is None or _is_plain(part):
        out[:] = 0.0
        return
    data, n, code, t = _dual_parts(part)
    if t != tag or n != N or (code & 3) != 2:
        from dualdiff._dual import _Conflict
        raise _Conflict(((t, n, code), (tag, N, 2)))
    k = 1 + N
    for i in range(N):
        for j in range(i, N):
            out[i, j] = out[j, i] = data[k]
            k += 1


def nested_second(verb, f, x, args, kwargs, parent, nan_safe, v=None):
    """hessian(f)(x) or hvp(f)(x, v) where x (or v) holds numbers of a running
    first-order call: numbers of that call."""
    global _calls
    from dualdiff import _seeding
    from dualdiff._dual import _seed
    from dualdiff._ndarray import _Spec, _wrap
    ptag, p, pcode = parent
    items, shape = _entries(x)
    N = len(items)
    parts = [_outer_parts(e, p) for e in items]
    tag = _seeding.new_tag(nan_safe)
    seeds = _seed(np.array([a for a, _ in parts]), 0, N, 2, tag)
    _calls += 1
    call = _calls
    zs = [_Mixed(seeds[i], parts[i][1], call) for i in range(N)]
    y = _call(f, zs, x, shape, args, kwargs, call, _outer_parts)
    outs, out_shape = _items(y)
    buf = np.empty((len(outs), N, N, 1 + p))
    for m, e in enumerate(outs):
        if type(e) is _Mixed:
            a, b = e.a, e.b
        elif type(e) is Dual and _dual_parts(e)[3] == ptag:
            a, b = 0.0, (None,) * p  # a number of the outer call only: Hessian 0
        else:
            a, b = e, (None,) * p
        _inner_hessian(a, N, tag, buf[m, :, :, 0])
        for j in range(p):
            _inner_hessian(b[j], N, tag, buf[m, :, :, 1 + j])
    xs = () if shape is None else tuple(shape)
    H = _wrap(buf.reshape(out_shape + xs + xs + (1 + p,)), _Spec(p, pcode, ptag))
    if verb == "hessian":
        return H if H.shape != () else H[()]
    _seeding.require_one_entry("hvp", out_shape, "hessian(f)")
    vitems, vshape = _entries(v)
    if vshape != shape:
        raise ValueError(f"hvp: v must have the shape of x, {shape or ()}, not {vshape or ()}")
    Hm = H.reshape(N, N)
    out = Hm @ _dual_array(list(vitems))
    return out.reshape(xs) if shape is not None else out[0]
