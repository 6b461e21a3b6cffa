"""Taylor-mode rules of the C core (dd_taylor.h) against SymPy.

Every rule of the C table (walked from dualdiff._dual._rules(), so a new rule
without a Taylor reference fails here) is applied to input series
u(t) = u0 + u1 t + u2 t^2 (both arguments of a binary rule vary) and its
coefficients up to order 8 are compared with the Taylor coefficients of
f(u(t)) computed from SymPy's derivatives of f at u0 with 45 digits, composed
with u(t) - u0 in mpmath: relative error 1e-12, with an absolute floor of
1e-14 times the largest coefficient for coefficients near 0. SciPy's special
functions, some of which SymPy lacks, are referenced by mpmath.taylor of
t -> f(u(t)) at 40 digits instead.
"""
import functools
import math
import os
import re
import time
from fractions import Fraction

import pytest

sp = pytest.importorskip("sympy")
mpmath = pytest.importorskip("mpmath")

import dualdiff
from dualdiff._dual import _rule, _rules, _taylor_rule

K = 8
RTOL = 1e-12
x, y = sp.symbols("x y")


def _taylor_max():
    path = os.path.join(dualdiff.get_include(), "dualdiff", "dd_taylor.h")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return int(re.search(r"#define DD_TAYLOR_MAX (\d+)", text).group(1))


TAYLOR_MAX = _taylor_max()


def _series(c0, c1=0.7, c2=-0.4, k=K):
    return ([c0, c1, c2] + [0.0] * k)[: k + 1]


# ------------------------------------------------------------- references

def _sign(v):
    return math.copysign(1.0, v)


# unary rule -> function of the point u0 giving a SymPy expression in x whose
# derivatives at u0 are the rule's (piecewise rules: the piece at u0).
UNARY = {
    "sqrt": lambda p: sp.sqrt(x),
    "cbrt": lambda p: sp.cbrt(x) if p > 0 else -sp.cbrt(-x),
    "exp": lambda p: sp.exp(x),
    "exp2": lambda p: 2 ** x,
    "expm1": lambda p: sp.exp(x) - 1,
    "log": lambda p: sp.log(x),
    "log2": lambda p: sp.log(x) / sp.log(2),
    "log10": lambda p: sp.log(x) / sp.log(10),
    "log1p": lambda p: sp.log(1 + x),
    "sin": lambda p: sp.sin(x),
    "cos": lambda p: sp.cos(x),
    "tan": lambda p: sp.tan(x),
    "asin": lambda p: sp.asin(x),
    "acos": lambda p: sp.acos(x),
    "atan": lambda p: sp.atan(x),
    "sinh": lambda p: sp.sinh(x),
    "cosh": lambda p: sp.cosh(x),
    "tanh": lambda p: sp.tanh(x),
    "asinh": lambda p: sp.asinh(x),
    "acosh": lambda p: sp.acosh(x),
    "atanh": lambda p: sp.atanh(x),
    "erf": lambda p: sp.erf(x),
    "erfc": lambda p: sp.erfc(x),
    "gamma": lambda p: sp.gamma(x),
    "lgamma": lambda p: sp.loggamma(x),  # derivatives: polygamma; value fixed below
    "fabs": lambda p: _sign(p) * x,
    "floor": lambda p: sp.Integer(math.floor(p)),
    "ceil": lambda p: sp.Integer(math.ceil(p)),
    "trunc": lambda p: sp.Integer(math.trunc(p)),
    "rint": lambda p: sp.Integer(round(p)),
    "sign": lambda p: sp.Integer(int(_sign(p))),
    "degrees": lambda p: x * 180 / sp.pi,
    "radians": lambda p: x * sp.pi / 180,
    "square": lambda p: x ** 2,
    "reciprocal": lambda p: 1 / x,
}

def _mp_ndtr(v):
    return mpmath.erfc(-v / mpmath.sqrt(2)) / 2


# SciPy's special functions: mpmath definitions, differentiated by mpmath.taylor
UNARY_MP = {
    "psi": mpmath.digamma,
    "rgamma": mpmath.rgamma,
    "gammasgn": lambda v: mpmath.sign(mpmath.gamma(v)) + 0 * v,
    "erfcinv": lambda v: mpmath.erfinv(1 - v),
    "j0": lambda v: mpmath.besselj(0, v),
    "j1": lambda v: mpmath.besselj(1, v),
    "y0": lambda v: mpmath.bessely(0, v),
    "y1": lambda v: mpmath.bessely(1, v),
    "i0": lambda v: mpmath.besseli(0, v),
    "i1": lambda v: mpmath.besseli(1, v),
    "i0e": lambda v: mpmath.besseli(0, v) * mpmath.exp(-v if v > 0 else v),
    "i1e": lambda v: mpmath.besseli(1, v) * mpmath.exp(-v if v > 0 else v),
    "expit": lambda v: 1 / (1 + mpmath.exp(-v)),
    "logit": lambda v: mpmath.log(v / (1 - v)),
    "log_expit": lambda v: -mpmath.log1p(mpmath.exp(-v)),
    "erfcx": lambda v: mpmath.exp(v * v) * mpmath.erfc(v),
    "erfinv": mpmath.erfinv,
    "ndtr": _mp_ndtr,
    "log_ndtr": lambda v: mpmath.log(_mp_ndtr(v)),
    "ndtri": lambda v: mpmath.sqrt(2) * mpmath.erfinv(2 * v - 1),
    "entr": lambda v: -v * mpmath.log(v),
}

BINARY_MP = {
    "beta": mpmath.beta,
    "betaln": lambda a, b: mpmath.log(abs(mpmath.beta(a, b))),
    "xlogy": lambda a, b: a * mpmath.log(b),
    "xlog1py": lambda a, b: a * mpmath.log1p(b),
    "rel_entr": lambda a, b: a * mpmath.log(a / b),
}

UNARY_POINTS = {
    "psi": [0.3, 1.7, -0.8, -2.5, 15.2],
    "expit": [0.3, -0.8, 5.0, -30.0],
    "logit": [0.3, 0.5, 0.7, 0.9],
    "log_expit": [0.3, -0.8, 5.0, -30.0, 40.0],
    "erfcx": [0.3, -0.8, 1.7, 5.0, -3.0],
    "erfinv": [0.3, -0.7, 0.95],
    "ndtr": [0.3, -0.8, 3.0, -10.0],
    "log_ndtr": [0.3, -0.8, 1.7, -5.0, -20.0, 6.0],
    "ndtri": [0.3, 0.7, 0.02, 0.97],
    "entr": [0.3, 1.7, 4.5],
    "rgamma": [0.3, 1.7, 4.5, 15.2, -2.5, -0.3],
    "gammasgn": [0.3, -0.7, -1.5, 4.5],
    "erfcinv": [0.3, 1.3, 0.05, 1.97],
    "j0": [0.3, 2.4, 7.5, -3.3, 24.0],
    "j1": [0.3, 2.4, 7.5, -3.3, 24.0],
    "y0": [0.3, 2.4, 7.5, 24.0],
    "y1": [0.3, 2.4, 7.5, 24.0],
    "i0": [0.3, 2.4, -7.5, 24.0],
    "i1": [0.3, 2.4, -7.5, 24.0],
    "i0e": [0.3, 2.4, -7.5, 24.0],
    "i1e": [0.3, 2.4, -7.5, 24.0],
    "sqrt": [0.3, 1.7, 4.5],
    "cbrt": [0.3, 1.7, -0.8],
    "log": [0.3, 1.7, 4.5],
    "log2": [0.3, 1.7, 4.5],
    "log10": [0.3, 1.7, 4.5],
    "log1p": [-0.5, 0.3, 1.7],
    "tan": [0.3, 1.2, -0.8],
    "asin": [-0.6, 0.3, 0.8],
    "acos": [-0.6, 0.3, 0.8],
    "atanh": [-0.6, 0.3, 0.8],
    "acosh": [1.3, 2.5, 10.0],
    "asinh": [0.3, -1.7, 1e200],
    "atan": [0.3, -1.7, 30.0],
    "erf": [0.3, 1.7, -0.8, 3.0],
    "erfc": [0.3, 1.7, -0.8, 3.0],
    "gamma": [0.3, 1.7, 4.5, 15.2, -2.5, -0.3],
    "lgamma": [0.3, 1.7, 4.5, 15.2, -2.5, -0.3],
    "floor": [1.7, -0.8], "ceil": [1.7, -0.8], "trunc": [1.7, -0.8], "rint": [1.7, -0.8], "sign": [1.7, -0.8],
}


def _frozen_quotient(name, a0, b0):
    q = Fraction(a0) / Fraction(b0)
    if name == "mod":
        return math.floor(q)
    if name == "fmod":
        return math.trunc(q)
    return round(q)  # remainder: half to even


# binary rule -> function of (a0, b0) giving a SymPy expression in x, y
BINARY = {
    "mul": lambda p: x * y,
    "div": lambda p: x / y,
    "pow": lambda p: x ** y,
    "floordiv": lambda p: sp.Integer(math.floor(Fraction(p[0]) / Fraction(p[1]))),
    "mod": lambda p: x - _frozen_quotient("mod", *p) * y,
    "add": lambda p: x + y,
    "sub": lambda p: x - y,
    "atan2": lambda p: sp.atan2(x, y),
    "hypot": lambda p: sp.sqrt(x ** 2 + y ** 2),
    "fmod": lambda p: x - _frozen_quotient("fmod", *p) * y,
    "remainder": lambda p: x - _frozen_quotient("remainder", *p) * y,
    "copysign": lambda p: _sign(p[0]) * _sign(p[1]) * x,
    "maximum": lambda p: x if p[0] >= p[1] else y,
    "minimum": lambda p: x if p[0] <= p[1] else y,
    "fmax": lambda p: x if p[0] >= p[1] else y,
    "fmin": lambda p: x if p[0] <= p[1] else y,
}

BINARY_POINTS = {
    "pow": [(0.3, 1.1), (1.7, -0.6), (2.5, 2.3)],
    "floordiv": [(1.7, 0.3), (-0.8, 0.3), (5.3, -1.1)],
    "mod": [(1.7, 0.3), (-0.8, 0.3), (5.3, -1.1)],
    "fmod": [(1.7, 0.3), (-0.8, 0.3), (5.3, -1.1)],
    "remainder": [(1.7, 0.3), (-0.8, 0.3), (5.3, -1.1)],
    "atan2": [(0.3, 1.1), (1.7, -0.6), (-0.8, -2.3), (3e200, 1e200)],
    "hypot": [(0.3, 1.1), (1.7, -0.6), (-0.8, -2.3), (3e200, 1e200)],
    "maximum": [(0.3, 1.1), (1.7, -0.6), (0.5, 0.5)],
    "minimum": [(0.3, 1.1), (1.7, -0.6), (0.5, 0.5)],
    "fmax": [(0.3, 1.1), (1.7, -0.6), (0.5, 0.5)],
    "fmin": [(0.3, 1.1), (1.7, -0.6), (0.5, 0.5)],
    "xlogy": [(0.3, 1.1), (1.7, 0.6), (-0.8, 2.3)],
    "xlog1py": [(0.3, 1.1), (1.7, 0.6), (-0.8, -0.4)],
    "rel_entr": [(0.3, 1.1), (1.7, 0.6), (0.8, 2.3)],
    "beta": [(0.3, 1.1), (1.7, 0.6), (2.5, 4.3), (-0.8, 2.3), (-1.3, -0.4)],
    "betaln": [(0.3, 1.1), (1.7, 0.6), (2.5, 4.3), (-0.8, 2.3), (-1.3, -0.4)],
}
DEFAULT_BINARY_POINTS = [(0.3, 1.1), (1.7, -0.6), (-0.8, 2.3)]

A_SERIES = (0.7, -0.4)
B_SERIES = (-0.3, 0.25)


def _mp(v):
    return mpmath.mpf(sp.N(v, 45)) if not isinstance(v, (int, float)) else mpmath.mpf(v)


def _poly_mul(p, q, k):
    return [mpmath.fsum(p[j] * q[i - j] for j in range(i + 1)) for i in range(k + 1)]


@functools.lru_cache(maxsize=None)
def _derivs(expr, var, k):
    out = [expr]
    for _ in range(k):
        out.append(sp.diff(out[-1], var))
    return tuple(out)


def ref_unary(name, u, k=K):
    """Coefficients of f(u(t)): sum_m f^(m)(u0)/m! (u(t) - u0)^m, 45 digits."""
    with mpmath.workdps(45):
        return _ref_unary(name, u, k)


def _ref_unary(name, u, k):
    u0 = sp.Rational(u[0])
    d = []
    for m, e in enumerate(_derivs(UNARY[name](u[0]), x, k)):
        if name == "lgamma" and m == 0:  # log|gamma|, real for negative u0 too
            d.append(mpmath.log(abs(mpmath.gamma(mpmath.mpf(u[0])))))
            continue
        d.append(_mp(e.subs(x, u0)) / mpmath.factorial(m))
    du = [mpmath.mpf(0)] + [mpmath.mpf(c) for c in u[1:k + 1]]
    out = [mpmath.mpf(0)] * (k + 1)
    power = [mpmath.mpf(1)] + [mpmath.mpf(0)] * k
    for m in range(k + 1):
        for i in range(k + 1):
            out[i] += d[m] * power[i]
        power = _poly_mul(power, du, k)
    return out


def ref_binary(expr, a, b, k=K):
    """Coefficients of f(a(t), b(t)) from the partial derivatives at (a0, b0)."""
    with mpmath.workdps(45):
        return _ref_binary(expr, a, b, k)


def _ref_binary(expr, a, b, k):
    a0, b0 = sp.Rational(a[0]), sp.Rational(b[0])
    da = [mpmath.mpf(0)] + [mpmath.mpf(c) for c in a[1:k + 1]]
    db = [mpmath.mpf(0)] + [mpmath.mpf(c) for c in b[1:k + 1]]
    pa = [[mpmath.mpf(1)] + [mpmath.mpf(0)] * k]
    pb = [[mpmath.mpf(1)] + [mpmath.mpf(0)] * k]
    for _ in range(k):
        pa.append(_poly_mul(pa[-1], da, k))
        pb.append(_poly_mul(pb[-1], db, k))
    out = [mpmath.mpf(0)] * (k + 1)
    dx = _derivs(expr, x, k)
    for i in range(k + 1):
        dy = _derivs(dx[i], y, k - i)
        for j in range(k - i + 1):
            c = _mp(dy[j].subs({x: a0, y: b0})) / (mpmath.factorial(i) * mpmath.factorial(j))
            if c == 0:
                continue
            ab = _poly_mul(pa[i], pb[j], k)
            for n in range(k + 1):
                out[n] += c * ab[n]
    return out


def ref_mp_unary(name, u, k=K):
    """Coefficients of f(u(t)) by mpmath.taylor of the composition, 40 digits."""
    with mpmath.workdps(40):
        f = UNARY_MP[name]
        return mpmath.taylor(lambda t: f(mpmath.polyval([mpmath.mpf(c) for c in u[::-1]], t)), 0, k)


def ref_mp_binary(name, a, b, k=K):
    with mpmath.workdps(40):
        f = BINARY_MP[name]
        pa, pb = [mpmath.mpf(c) for c in a[::-1]], [mpmath.mpf(c) for c in b[::-1]]
        return mpmath.taylor(lambda t: f(mpmath.polyval(pa, t), mpmath.polyval(pb, t)), 0, k)


def rel_error(got, ref):
    """Largest |got - ref| / max(|ref|, 1e-2 max|ref|) over the coefficients."""
    ref = [float(r) for r in ref]
    scale = max(abs(r) for r in ref)
    floor = 1e-2 * scale
    worst = 0.0
    for g, r in zip(got, ref):
        if g == r:
            continue
        d = abs(g - r) / max(abs(r), floor)
        worst = max(worst, d if d == d else math.inf)
    return worst


# ------------------------------------------------------------ every rule

UNARY_NAMES = [n for kind, n in _rules() if kind == "unary"]
BINARY_NAMES = [n for kind, n in _rules() if kind == "binary"]


def test_every_rule_of_the_table_has_a_reference():
    assert not set(UNARY) & set(UNARY_MP) and not set(BINARY) & set(BINARY_MP)
    assert sorted(list(UNARY) + list(UNARY_MP)) == sorted(UNARY_NAMES)
    assert sorted(list(BINARY) + list(BINARY_MP)) == sorted(BINARY_NAMES)


def _ref_any_unary(name, u):
    return ref_mp_unary(name, u) if name in UNARY_MP else ref_unary(name, u)


def _ref_any_binary(name, a, b):
    if name in BINARY_MP:
        return ref_mp_binary(name, a, b)
    return ref_binary(BINARY[name]((a[0], b[0])), a, b)


@pytest.mark.parametrize("name", UNARY_NAMES)
def test_unary_matches_sympy(name):
    for u0 in UNARY_POINTS.get(name, [0.3, 1.7, -0.8]):
        u = _series(u0)
        got = _taylor_rule("unary", name, u)
        err = rel_error(got, _ref_any_unary(name, u))
        assert err <= RTOL, (name, u0, err, got)


@pytest.mark.parametrize("name", BINARY_NAMES)
def test_binary_matches_sympy(name):
    for a0, b0 in BINARY_POINTS.get(name, DEFAULT_BINARY_POINTS):
        a, b = _series(a0, *A_SERIES), _series(b0, *B_SERIES)
        got = _taylor_rule("binary", name, a, b)
        err = rel_error(got, _ref_any_binary(name, a, b))
        assert err <= RTOL, (name, a0, b0, err, got)


def test_hypot_and_atan2_do_not_overflow_or_underflow():
    """The arguments are scaled by a power of 2 before they are squared."""
    for s in (1e200, 1e-200):
        a, b = [v * s for v in _series(3.0, *A_SERIES)], [v * s for v in _series(-1.0, *B_SERIES)]
        want = ref_binary(BINARY["hypot"](None), a, b)
        assert rel_error(_taylor_rule("binary", "hypot", a, b), want) <= RTOL
        want = ref_binary(BINARY["atan2"](None), a, b)
        assert rel_error(_taylor_rule("binary", "atan2", a, b), want) <= RTOL


def test_mul_and_div_functions_match_sympy():
    a, b = _series(1.3, 0.7, -0.4), _series(-0.6, 0.2, 0.9)
    assert rel_error(_taylor_rule("mul", "", a, b), ref_binary(x * y, a, b)) <= RTOL
    assert rel_error(_taylor_rule("div", "", a, b), ref_binary(x / y, a, b)) <= RTOL
    assert _taylor_rule("mul", "", a, b) == _taylor_rule("binary", "mul", a, b)
    assert _taylor_rule("div", "", a, b) == _taylor_rule("binary", "div", a, b)


def test_longer_input_series():
    """Inputs with every coefficient nonzero (the recurrences read them all)."""
    u = [0.4, 0.7, -0.4, 0.3, 0.2, -0.1, 0.05, 0.3, -0.2]
    for name in ("exp", "log", "sin", "tan", "atan", "asin", "sqrt", "erf", "lgamma", "tanh"):
        assert rel_error(_taylor_rule("unary", name, u), ref_unary(name, u)) <= RTOL, name
    b = [1.2, -0.3, 0.1, 0.2, -0.3, 0.1, 0.1, -0.2, 0.05]
    for name in ("pow", "atan2", "hypot", "div"):
        assert rel_error(_taylor_rule("binary", name, u, b), ref_binary(BINARY[name]((u[0], b[0])), u, b)) <= RTOL


# ------------------------------------------------------------------ powers

@pytest.mark.parametrize("a0, p", [(1.7, 3.0), (1.7, 2.0), (1.7, 0.5), (1.7, -2.0), (1.7, 1.0), (1.7, 7.0),
                                   (1.7, 2.5), (1.7, 100.0), (-0.8, 3.0), (-0.8, -3.0), (-0.8, 2.0),
                                   (0.0, 2.0), (0.0, 3.0), (0.0, 5.0), (0.0, 1.0), (1e-9, 4.0)])
def test_pow_with_a_constant_exponent(a0, p):
    a, b = _series(a0), _series(p, 0.0, 0.0)
    got = _taylor_rule("binary", "pow", a, b)
    assert rel_error(got, ref_unary_expr(x ** sp.Rational(p), a)) <= RTOL, got


def ref_unary_expr(expr, u, k=K):
    UNARY["_expr"] = lambda p: expr
    try:
        return ref_unary("_expr", u, k)
    finally:
        del UNARY["_expr"]


def test_pow_conventions_at_zero():
    a = _series(0.0, 2.0, 1.0)
    zero = _series(0.0, 0.0, 0.0)
    # x**0 is 1 with zero derivatives, at 0 too (and for a NaN base, as pow does)
    assert _taylor_rule("binary", "pow", a, zero) == [1.0] + [0.0] * K
    assert _taylor_rule("binary", "pow", _series(math.nan), zero) == [1.0] + [0.0] * K
    # x**3 at 0 is exact: (2t + t^2)^3 = 8 t^3 + 12 t^4 + 6 t^5 + t^6
    assert _taylor_rule("binary", "pow", a, _series(3.0, 0.0, 0.0)) == [0, 0, 0, 8, 12, 6, 1, 0, 0]
    # a non-integer power at 0: the derivatives that exist are 0, the others NaN
    got = _taylor_rule("binary", "pow", a, _series(2.5, 0.0, 0.0))
    assert got[:3] == [0.0, 0.0, 0.0] and all(math.isnan(v) for v in got[3:])
    # a constant base 0 with a positive exponent is identically 0 nearby
    assert _taylor_rule("binary", "pow", zero, _series(1.5)) == [0.0] * (K + 1)
    # both varying at a base 0: the first-order rule's c1, then no finite number
    got = _taylor_rule("binary", "pow", a, _series(2.5))
    assert got[0] == 0.0 and not any(math.isfinite(v) for v in got[2:])


def test_pow_with_a_constant_base():
    for c in (2.5, 0.4):
        a, b = _series(c, 0.0, 0.0), _series(1.3)
        got = _taylor_rule("binary", "pow", a, b)
        assert rel_error(got, ref_unary_expr(sp.Rational(c) ** x, b)) <= RTOL


# ---------------------------------------------- conventions at singular points

def test_constant_inputs_give_constants():
    """A constant argument (zero tangent) gives a constant, even where f' is
    infinite, as first-order numbers with a zero tangent do."""
    zero = _series(0.0, 0.0, 0.0)
    assert _taylor_rule("unary", "sqrt", zero) == [0.0] * (K + 1)
    assert _taylor_rule("unary", "cbrt", zero) == [0.0] * (K + 1)
    assert _taylor_rule("binary", "hypot", zero, zero) == [0.0] * (K + 1)
    for kind, name in _rules():
        u = _series(0.7, 0.0, 0.0)
        got = _taylor_rule(kind, name, u, u if kind == "binary" else None)
        assert got[1:] == [0.0] * K, name


def test_series_that_do_not_exist_give_no_finite_coefficient():
    u = _series(0.0, 1.0, 0.0)
    got = _taylor_rule("unary", "sqrt", u)
    assert got[:2] == [0.0, math.inf] and not any(math.isfinite(v) for v in got[2:])
    got = _taylor_rule("unary", "log", u)
    assert got[0] == -math.inf and not any(math.isfinite(v) for v in got[1:])
    for name in ("asin", "acos", "atanh"):
        got = _taylor_rule("unary", name, _series(1.0, 1.0, 0.0))
        assert not any(math.isfinite(v) for v in got[1:]), name
    got = _taylor_rule("unary", "acosh", _series(1.0, 1.0, 0.0))
    assert not any(math.isfinite(v) for v in got[1:])
    for pole in (0.0, -1.0, -3.0):
        for name in ("gamma", "lgamma"):
            got = _taylor_rule("unary", name, _series(pole))
            assert not any(math.isfinite(v) for v in got[1:]), (name, pole)
    for name in ("hypot", "atan2"):
        got = _taylor_rule("binary", name, _series(0.0, 1.0), _series(0.0, 2.0))
        assert all(math.isnan(v) for v in got[1:]), name


@pytest.mark.parametrize("pole", [0.0, -1.0, -2.0, -5.0])
def test_rgamma_series_through_the_poles_of_gamma(pole):
    """1/gamma is entire: its series at 0, -1, -2, ... (through the reflection
    formula) against mpmath's."""
    u = _series(pole)
    got = _taylor_rule("unary", "rgamma", u)
    assert got[0] == 0.0
    assert rel_error(got, ref_mp_unary("rgamma", u)) <= RTOL, got


def test_fabs_takes_the_side_of_the_signed_zero():
    u = _series(0.0, 0.7, -0.4)
    assert _taylor_rule("unary", "fabs", u) == u
    neg = [-0.0] + u[1:]
    assert _taylor_rule("unary", "fabs", neg) == [0.0] + [-v for v in u[1:]]


def test_ties_pick_the_first_argument():
    a, b = _series(0.5, 0.7, -0.4), _series(0.5, -0.3, 0.25)
    for name in ("maximum", "minimum", "fmax", "fmin"):
        assert _taylor_rule("binary", name, a, b) == a, name
    # NaN: maximum/minimum propagate it (the NaN operand), fmax/fmin ignore it
    n = _series(math.nan, 1.0, 1.0)
    assert _taylor_rule("binary", "maximum", a, n)[1:] == n[1:]
    assert _taylor_rule("binary", "fmax", a, n) == a
    assert _taylor_rule("binary", "fmin", n, a) == a


# ------------------------------------------------ agreement with first order

def _same(u, v):
    return all((p == q) or (p != p and q != q) for p, q in zip(u, v))


def _first_order_points(kind, name):
    if kind == "unary":
        return UNARY_POINTS.get(name, [0.3, 1.7, -0.8])
    return BINARY_POINTS.get(name, DEFAULT_BINARY_POINTS)


@pytest.mark.parametrize("kind, name", _rules())
def test_degree_zero_and_one_give_the_first_order_rule(kind, name):
    """c0 is the rule's value and c1 its derivative times the tangent, bit for bit."""
    for p in _first_order_points(kind, name):
        if kind == "unary":
            r = _rule(kind, name, p, order=1)
            assert _same(_taylor_rule(kind, name, [p]), [r[0]])
            got = _taylor_rule(kind, name, [p, 0.7])
            assert _same(got, [r[0], r[1] * 0.7]), (name, p, got, r)
        else:
            a0, b0 = p
            r = _rule(kind, name, a0, b0, order=1)
            assert _same(_taylor_rule(kind, name, [a0], [b0]), [r[0]])
            got = _taylor_rule(kind, name, [a0, 0.7], [b0, -0.3])
            if name == "div":  # as dd_div computes the tangent of a quotient
                want = (0.7 - r[0] * -0.3) / b0
            else:
                want = r[1] * 0.7 + r[2] * -0.3
            assert _same(got, [r[0], want]), (name, p, got, r)


def test_sin_tangent_is_the_first_order_derivative_times_v():
    for p in (0.3, 1e5, -2.0):
        assert _taylor_rule("unary", "sin", [p, 3.0, 0.0])[1] == _rule("unary", "sin", p, order=1)[1] * 3.0


# ---------------------------------------------------------------- aliasing

@pytest.mark.parametrize("kind, name", _rules())
def test_output_may_alias_an_input(kind, name):
    a = [0.4, 0.7, -0.4, 0.3, 0.2, -0.1, 0.05, 0.3, -0.2]
    b = [1.2, -0.3, 0.1, 0.2, -0.3, 0.1, 0.1, -0.2, 0.05]
    if kind == "unary":
        want = _taylor_rule(kind, name, a)
        assert [v.hex() for v in _taylor_rule(kind, name, a, alias="a")] == [v.hex() for v in want]
    else:
        want = _taylor_rule(kind, name, a, b)
        for alias in ("a", "b"):
            got = _taylor_rule(kind, name, a, b, alias=alias)
            assert [v.hex() for v in got] == [v.hex() for v in want], alias
    for f in ("mul", "div"):
        want = _taylor_rule(f, "", a, b)
        for alias in ("a", "b"):
            assert [v.hex() for v in _taylor_rule(f, "", a, b, alias=alias)] == [v.hex() for v in want]


# ----------------------------------------------------------- degree limits

def test_degree_above_the_maximum_is_an_error():
    u = [0.5, 1.0] + [0.0] * (TAYLOR_MAX - 1)
    assert len(_taylor_rule("unary", "gamma", u)) == TAYLOR_MAX + 1
    assert len(_taylor_rule("binary", "pow", u, u)) == TAYLOR_MAX + 1
    big = u + [0.0]
    for kind, name in _rules():
        with pytest.raises(ValueError, match="-1"):
            _taylor_rule(kind, name, big, big if kind == "binary" else None)
    for f in ("mul", "div"):
        with pytest.raises(ValueError, match="-1"):
            _taylor_rule(f, "", big, big)


def test_high_degree_exp_is_exact_in_closed_form():
    """exp(t) at 0: c_k = 1/k!, to K = DD_TAYLOR_MAX."""
    u = [0.0, 1.0] + [0.0] * (TAYLOR_MAX - 1)
    got = _taylor_rule("unary", "exp", u)
    for k, c in enumerate(got):
        assert c == pytest.approx(1.0 / math.factorial(k), rel=1e-14, abs=0.0)


def _time(f, reps):
    best = math.inf
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            f()
        best = min(best, time.perf_counter() - t0)
    return best / reps


def test_exp_cost_grows_quadratically():
    """Order 20 of exp costs O(K^2) operations: a few microseconds, not 2^20."""
    u20 = [0.3, 1.0, 0.5] + [0.1] * 18
    u60 = [0.3, 1.0, 0.5] + [0.1] * 58
    t20 = _time(lambda: _taylor_rule("unary", "exp", u20), 200)
    t60 = _time(lambda: _taylor_rule("unary", "exp", u60), 200)
    assert t20 < 2e-4
    assert t60 < 12 * t20  # (60/20)^2 = 9 for the C part; the call overhead is linear
    # gamma composes its series: O(K^3) but still fast at the largest degree
    u64 = [0.3, 1.0, 0.5] + [0.1] * (TAYLOR_MAX - 2)
    assert _time(lambda: _taylor_rule("unary", "gamma", u64), 5) < 5e-2


# ---------------------------------------------------------------- polygamma

@pytest.mark.parametrize("xv", [0.3, 2.5, 17.0, 150.5, -2.5, -0.3, -7.8])
def test_polygamma_kernel(xv):
    for n in list(range(0, 12)) + [20, 40, 60]:
        got = _taylor_rule("polygamma", "", [n, xv])[0]
        with mpmath.workdps(150):  # mpmath's own sum cancels by 40 digits at -2.5
            want = mpmath.polygamma(n, mpmath.mpf(xv))
            assert abs(got - want) <= 2e-13 * abs(want), (n, xv, got, float(want))
    assert math.isnan(_taylor_rule("polygamma", "", [3, -2.0])[0])
    assert math.isnan(_taylor_rule("polygamma", "", [-1, 2.0])[0])


# ------------------------------------------------- SciPy's special functions

def test_special_functions_with_longer_input_series():
    u = [0.4, 0.7, -0.4, 0.3, 0.2, -0.1, 0.05, 0.3, -0.2]
    for name in UNARY_MP:
        v = [c * 0.1 for c in u] if name in ("logit", "ndtri") else u
        v = [0.4] + v[1:] if name in ("logit", "ndtri") else v
        assert rel_error(_taylor_rule("unary", name, v), ref_mp_unary(name, v)) <= RTOL, name
    b = [1.2, -0.3, 0.1, 0.2, -0.3, 0.1, 0.1, -0.2, 0.05]
    for name in BINARY_MP:
        assert rel_error(_taylor_rule("binary", name, u, b), ref_mp_binary(name, u, b)) <= RTOL, name


def test_special_functions_at_higher_degree():
    """The recurrences stay exact past order 8 (here 20, u = u0 + t)."""
    k = 20
    for name, u0 in (("expit", 0.3), ("log_expit", -1.2), ("erfcx", 0.6), ("ndtr", -0.5), ("log_ndtr", -2.0),
                     ("erfinv", 0.2), ("ndtri", 0.4), ("entr", 1.5), ("logit", 0.4), ("psi", 2.5)):
        u = [u0, 0.25 if name in ("logit", "ndtri", "erfinv") else 1.0] + [0.0] * (k - 1)
        got = _taylor_rule("unary", name, u)
        with mpmath.workdps(60):
            assert rel_error(got, ref_mp_unary(name, u, k)) <= RTOL, name


def test_log_ndtr_in_the_lower_tail():
    """phi and Phi underflow below -38.5; the ratio form keeps the series finite."""
    for u0 in (-30.0, -50.0):
        u = _series(u0)
        got = _taylor_rule("unary", "log_ndtr", u)
        assert all(math.isfinite(v) for v in got)
        with mpmath.workdps(60):
            assert rel_error(got, ref_mp_unary("log_ndtr", u)) <= 1e-11, u0


def test_special_function_conventions():
    zero = _series(0.0, 0.0, 0.0)
    b = _series(0.0, 0.5, 0.2)
    # x identically 0: xlogy, xlog1py, rel_entr are identically 0 (b0 = 0 included)
    assert _taylor_rule("binary", "xlogy", zero, b) == [0.0] * (K + 1)
    assert _taylor_rule("binary", "xlog1py", zero, _series(-1.0, 0.5, 0.2)) == [0.0] * (K + 1)
    assert _taylor_rule("binary", "rel_entr", zero, _series(0.4)) == [0.0] * (K + 1)
    # x through 0 with y > 0: the a0 log(y) terms drop; xlogy's series is x log y
    a = _series(0.0, 0.7, -0.4)
    got = _taylor_rule("binary", "xlogy", a, _series(1.3, *B_SERIES))
    assert rel_error(got, ref_mp_binary("xlogy", a, _series(1.3, *B_SERIES))) <= RTOL
    # rel_entr at x0 = 0 (x log x has no series): c1 is the rule's -inf, then no finite number
    got = _taylor_rule("binary", "rel_entr", a, _series(1.3, *B_SERIES))
    assert got[:2] == [0.0, -math.inf] and not any(math.isfinite(v) for v in got[2:])
    # entr at 0: the rule's value and +inf slope, then no finite number
    got = _taylor_rule("unary", "entr", _series(0.0, 1.0, 0.0))
    assert got[:2] == [0.0, math.inf] and not any(math.isfinite(v) for v in got[2:])
    # psi at its poles: the rule's signed infinity, then no finite number
    for p in (0.0, -0.0, -2.0):
        got = _taylor_rule("unary", "psi", _series(p))
        assert _same(got[:1], [_rule("unary", "psi", p, order=1)[0]]) and not any(math.isfinite(v) for v in got[2:])
    # the ends of logit, erfinv, ndtri: infinite value, no finite coefficient
    for name, p in (("logit", 0.0), ("logit", 1.0), ("erfinv", 1.0), ("ndtri", 0.0)):
        got = _taylor_rule("unary", name, _series(p, 0.1, 0.0))
        assert not any(math.isfinite(v) for v in got), (name, p)


def test_taylor_of_scipy_special_functions_end_to_end():
    special = pytest.importorskip("scipy.special")
    for name, x0 in (("expit", 0.3), ("logit", 0.3), ("log_expit", -0.8), ("erfcx", 0.7), ("erfinv", 0.3),
                     ("ndtr", -0.4), ("log_ndtr", -3.0), ("ndtri", 0.2), ("entr", 0.6), ("psi", 1.7)):
        got = list(dualdiff.taylor(getattr(special, name), order=6)(x0))
        want = ref_mp_unary(name, [x0, 1.0], 6)
        assert rel_error(got, want) <= RTOL, (name, got)
    for name, x0, y0 in (("xlogy", 0.7, 1.3), ("xlog1py", 0.7, 0.3), ("rel_entr", 0.7, 1.3)):
        got = list(dualdiff.taylor(lambda t, f=getattr(special, name), y0=y0: f(t, y0 + 0.5 * t), order=6)(x0))
        want = ref_mp_binary(name, [x0, 1.0], [y0 + 0.5 * x0, 0.5], 6)
        assert rel_error(got, want) <= RTOL, (name, got)
