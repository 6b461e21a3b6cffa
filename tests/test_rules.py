"""The C rule table, walked automatically against an independent reference.

``dualdiff._dual._rules()`` lists every rule of the C table. For each rule the
table REFERENCE below gives an mpmath function (evaluated at 50 digits; its
first and second derivatives come from ``mpmath.diff``, or from closed forms
for the piecewise rules), a sampling domain, and the float function whose
result the value must equal bit for bit. At random points (seed printed in
pytest's header) every rule is checked three ways:

* the rule itself (``_rule``),
* a first-order ``Dual`` (``Dual(x, 1.0)``) and a second-order one
  (``Dual(x, [1.0], hessian=[[0.0]])``), through ``dualdiff.math`` where the
  function is there, else through the numpy ufunc or the Python operator,
* the numpy ufunc of the same rule, which must give the same bits.

Derivatives must agree with the reference to a few ulps, relative, with an
absolute floor where a derivative crosses zero and its computed value is a
difference of larger terms (digamma, pow's cross term, atan2's).
"""
import math
import operator
import os
import sys

import mpmath as mp
import numpy as np
import pytest

import dualdiff.math as dm
from dualdiff import Dual
from dualdiff import _array as _kernels
from dualdiff._dual import _dual_from, _dual_parts, _rule, _rules

mp.mp.dps = 50
EPS = sys.float_info.epsilon
ULPS = 4  # the tolerance, in units of the reference's last place


# ------------------------------------------------------------------ sampling

def uniform(lo, hi):
    return lambda rng: float(rng.uniform(lo, hi))


def loguniform(lo, hi, signed=False):
    def draw(rng):
        v = float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        return -v if signed and rng.random() < 0.5 else v
    return draw


def away_from_poles(draw, gap=1e-3):
    """Resample until the point is not within gap of a non-positive integer."""
    def sample(rng):
        while True:
            x = draw(rng)
            if x > 0 or abs(x - round(x)) > gap:
                return x
    return sample


def away_from_zero(draw, gap=1e-3):
    def sample(rng):
        while True:
            x = draw(rng)
            if abs(x) > gap:
                return x
    return sample


def pair(dx, dy, keep=lambda x, y: True):
    def draw(rng):
        while True:
            x, y = dx(rng), dy(rng)
            if keep(x, y):
                return x, y
    return draw


# ---------------------------------------------------------------- the table

def real_cbrt(x):
    return mp.sign(x) * mp.cbrt(abs(x))


def log_abs_gamma(x):
    return mp.log(abs(mp.gamma(x)))


def digamma_floor(x):
    """Size of the terms whose difference is digamma(x): its absolute error scale."""
    if x > 0:
        return 8.0
    return 8.0 + abs(float(mp.digamma(1 - x))) + abs(float(mp.pi * mp.cot(mp.pi * x)))


def _rgamma_floors(x):
    """1/gamma's derivatives -psi R and R (psi^2 - psi') are differences of
    terms of these sizes (the reflection's, for x < 1/2)."""
    r, p = abs(mp.rgamma(x)), abs(mp.digamma(x))
    return [float(r * digamma_floor(x)), float(r * (p * p + abs(mp.psi(1, x))) + r * digamma_floor(x) ** 2)]


def _bessel_floors(x):
    """J and Y: errors on the scale of their envelope (1 below 1, sqrt(2/(pi x)))."""
    e = min(1.0, math.sqrt(2 / (math.pi * abs(x))))
    return [e, e]


def _scaled_i_floors(x):
    """exp(-|x|) I_n's derivatives are differences of terms the size of exp(-|x|) I0."""
    v = float(mp.besseli(0, abs(x)) * mp.exp(-abs(x)))
    return [v, v]


def _beta_partials(log):
    """(fx, fy, fxx, fxy, fyy) of beta or of betaln = log beta, from digamma
    and trigamma: B (psi(x) - psi(x + y)), ..."""
    def partials(x, y):
        x, y = mp.mpf(x), mp.mpf(y)
        ps, ts = mp.digamma(x + y), mp.psi(1, x + y)
        da, db = mp.digamma(x) - ps, mp.digamma(y) - ps
        ta, tb = mp.psi(1, x) - ts, mp.psi(1, y) - ts
        if log:
            return [float(v) for v in (da, db, ta, -ts, tb)]
        b = mp.beta(x, y)
        return [float(b * v) for v in (da, db, da * da + ta, da * db - ts, db * db + tb)]
    return partials


def _beta_floors(x, y):
    """The mixed partial B (da db - psi'(x + y)) is a difference of terms of
    this size (it cancels for small x and y)."""
    x, y = mp.mpf(x), mp.mpf(y)
    ps = mp.digamma(x + y)
    t = abs(mp.beta(x, y) * (mp.digamma(x) - ps) * (mp.digamma(y) - ps)) + mp.beta(x, y) * mp.psi(1, x + y)
    return [0.0, 0.0, 0.0, float(t), 0.0]


def gamma_floors(x):
    return [abs(math.gamma(x)) * digamma_floor(x), 0.0]


def step(name):
    """Reference of a step function: derivative 0 (its value comes from the oracle)."""
    return ("closed", lambda x: (0.0, 0.0))


def np_oracle(ufunc):
    return lambda *a: float(ufunc(*a))


def c_value(kind, name):
    """The rule's own value, for rules with no float twin in math or numpy
    (SciPy's special functions: their values are checked against SciPy in
    test_special_rules.py)."""
    if kind == "unary":
        return lambda x: _rule("unary", name, x)[0]
    return lambda x, y: _rule("binary", name, x, y)[0]


def through_kernels(kind, name):
    """Apply a rule of the C table to Duals through the array kernels of
    dualdiff._array (the rule's first-order loop; the chain rule at second
    order), for rules that no Python name reaches yet."""
    op = [n for k, n in _rules() if k == kind].index(name)
    if kind == "unary":
        def call(a):
            data, width, order, tag = _dual_parts(a)
            out = np.empty_like(data)
            _kernels.unary(op, out, data, width, order)
            return _dual_from(out, width, order, tag)
        return call

    def call2(a, b):
        d = a if isinstance(a, Dual) else b
        data, width, order, tag = _dual_parts(d)
        out = np.empty_like(data)
        if isinstance(a, Dual) and isinstance(b, Dual):
            _kernels.binary(op, out, data, 1, _dual_parts(b)[0], 1, width, order)
        else:
            c = np.array([float(b if d is a else a)])
            _kernels.binary_const(op, out, data, 1, c, 1, d is b, width, order)
        return _dual_from(out, width, order, tag)
    return call2


def special(kind, name, ref, draw, **kw):
    """Entry of a rule reached through the kernels, valued by itself."""
    cls = U if kind == "unary" else B
    return cls(ref, draw, c_value(kind, name), through_kernels(kind, name), **kw)


def psi_floors(x):
    """Error scales of trigamma and tetragamma: for x < 0 they are
    differences of the reflection terms."""
    if x > 0:
        return [0.0, 0.0]
    s = abs(float(mp.sin(mp.pi * x)))
    return [float(abs(mp.psi(1, 1 - x)) + mp.pi ** 2 / s ** 2),
            float(abs(mp.psi(2, 1 - x)) + 2 * mp.pi ** 3 / s ** 3)]


class U:
    """Reference entry of a unary rule."""

    def __init__(self, ref, draw, oracle, call, floors=None, ulps=ULPS):
        self.ref, self.draw, self.oracle, self.call = ref, draw, oracle, call
        self.floors = floors or (lambda x: [0.0, 0.0])
        self.ulps = ulps

    def expected(self, x):
        if isinstance(self.ref, tuple):  # closed form of the derivatives
            return self.ref[1](x)
        xm = mp.mpf(x)
        h = mp.mpf(10) ** -20 * (abs(xm) if x != 0 else 1)  # a step relative to x
        return (float(mp.diff(self.ref, xm, 1, h=h)), float(mp.diff(self.ref, xm, 2, h=h)))


class B:
    """Reference entry of a binary rule: derivatives [fx, fy, fxx, fxy, fyy]."""

    def __init__(self, ref, draw, oracle, call, floors=None, ulps=ULPS):
        self.ref, self.draw, self.oracle, self.call = ref, draw, oracle, call
        self.floors = floors or (lambda x, y: [0.0] * 5)
        self.ulps = ulps

    def expected(self, x, y):
        if isinstance(self.ref, tuple):
            return self.ref[1](x, y)
        xm, ym = mp.mpf(x), mp.mpf(y)
        return [float(mp.diff(self.ref, (xm, ym), o))
                for o in ((1, 0), (0, 1), (2, 0), (1, 1), (0, 2))]


def _div_partials(x, y):
    x, y = mp.mpf(x), mp.mpf(y)
    return [float(v) for v in (1 / y, -x / y**2, 0, -1 / y**2, 2 * x / y**3)]


def _zero5(x, y):
    return [0.0] * 5


def _mod_partials(x, y):
    q = mp.floor(mp.mpf(x) / mp.mpf(y))
    return [1.0, -float(q), 0.0, 0.0, 0.0]


def _fmod_partials(x, y):
    q = mp.mpf(x) / mp.mpf(y)
    return [1.0, -float(mp.sign(q) * mp.floor(abs(q))), 0.0, 0.0, 0.0]


def _remainder_partials(x, y):
    q = mp.mpf(x) / mp.mpf(y)
    n = mp.nint(q)  # round half to even
    return [1.0, -float(n), 0.0, 0.0, 0.0]


def _copysign_partials(x, y):
    same = math.copysign(1.0, x) == math.copysign(1.0, y)
    return [1.0 if same else -1.0, 0.0, 0.0, 0.0, 0.0]


def _pick(first_wins):
    def partials(x, y):
        a = 1.0 if first_wins(x, y) else 0.0
        return [a, 1.0 - a, 0.0, 0.0, 0.0]
    return partials


def _xlogy_partials(log, shift):
    """[fx, fy, fxx, fxy, fyy] of x log(shift + y) (log1p when shift is 1)."""
    def partials(x, y):
        x, y = mp.mpf(x), mp.mpf(y)
        u = shift + y
        return [float(v) for v in (log(y), x / u, 0, 1 / u, -x / u ** 2)]
    return partials


def _pow_floors(x, y):
    # fxy = x^(y-1) (1 + y log x) cancels where y log x is near -1
    s = abs(x ** (y - 1.0)) * (1.0 + abs(y * math.log(x)))
    return [0.0, 0.0, 0.0, 4.0 * s, 0.0]


def _atan2_floors(x, y):
    h2 = x * x + y * y
    return [0.0, 0.0, 2.0 / h2, 2.0 / h2, 2.0 / h2]


def _hypot_floors(x, y):
    h = math.hypot(x, y)
    return [0.0, 0.0, 1.0 / h, 1.0 / h, 1.0 / h]


SYM = uniform(-10.0, 10.0)
NONZERO = away_from_zero(SYM, 1e-2)

UNARY = {
    "sqrt": U(mp.sqrt, loguniform(1e-8, 1e8), math.sqrt, dm.sqrt),
    "cbrt": U(real_cbrt, loguniform(1e-8, 1e8, signed=True), dm.cbrt, dm.cbrt, ulps=8),
    "exp": U(mp.exp, uniform(-700.0, 700.0), math.exp, dm.exp),
    "exp2": U(lambda x: mp.power(2, x), uniform(-1000.0, 1000.0), dm.exp2, dm.exp2),
    "expm1": U(mp.expm1, uniform(-30.0, 30.0), math.expm1, dm.expm1),
    "log": U(mp.log, loguniform(1e-100, 1e100), math.log, dm.log),
    "log2": U(lambda x: mp.log(x, 2), loguniform(1e-100, 1e100), math.log2, dm.log2),
    "log10": U(mp.log10, loguniform(1e-100, 1e100), math.log10, dm.log10),
    "log1p": U(mp.log1p, uniform(-0.999, 20.0), math.log1p, dm.log1p),
    "sin": U(mp.sin, uniform(-20.0, 20.0), math.sin, dm.sin),
    "cos": U(mp.cos, uniform(-20.0, 20.0), math.cos, dm.cos),
    "tan": U(mp.tan, uniform(-1.5, 1.5), math.tan, dm.tan),
    "asin": U(mp.asin, uniform(-0.9999, 0.9999), math.asin, dm.asin),
    "acos": U(mp.acos, uniform(-0.9999, 0.9999), math.acos, dm.acos),
    "atan": U(mp.atan, loguniform(1e-3, 1e3, signed=True), math.atan, dm.atan),
    "sinh": U(mp.sinh, uniform(-30.0, 30.0), math.sinh, dm.sinh),
    "cosh": U(mp.cosh, uniform(-30.0, 30.0), math.cosh, dm.cosh),
    "tanh": U(mp.tanh, uniform(-30.0, 30.0), math.tanh, dm.tanh),
    "asinh": U(mp.asinh, loguniform(1e-3, 1e6, signed=True), math.asinh, dm.asinh),
    "acosh": U(mp.acosh, loguniform(1.0001, 1e6), math.acosh, dm.acosh, ulps=8),
    "atanh": U(mp.atanh, uniform(-0.9999, 0.9999), math.atanh, dm.atanh),
    "erf": U(mp.erf, uniform(-5.0, 5.0), math.erf, dm.erf),
    "erfc": U(mp.erfc, uniform(-5.0, 25.0), math.erfc, dm.erfc),
    "gamma": U(mp.gamma, away_from_poles(uniform(-6.0, 30.0)), math.gamma, dm.gamma,
               floors=gamma_floors, ulps=8),
    "lgamma": U(log_abs_gamma, away_from_poles(uniform(-6.0, 100.0)), math.lgamma, dm.lgamma,
                floors=lambda x: [digamma_floor(x), 0.0]),
    "fabs": U(abs, NONZERO, math.fabs, dm.fabs),
    "floor": U(step("floor"), SYM, np_oracle(np.floor), dm.floor),  # keeps the sign of 0
    "ceil": U(step("ceil"), SYM, np_oracle(np.ceil), dm.ceil),
    "trunc": U(step("trunc"), SYM, np_oracle(np.trunc), dm.trunc),
    "rint": U(step("rint"), SYM, np_oracle(np.rint), np.rint),
    "sign": U(step("sign"), NONZERO, np_oracle(np.sign), np.sign),
    # polynomials: closed forms (numerical differentiation leaves 1e-60 noise for a zero)
    "degrees": U(("closed", lambda x: (float(180 / mp.pi), 0.0)), SYM, math.degrees, dm.degrees),
    "radians": U(("closed", lambda x: (float(mp.pi / 180), 0.0)), SYM, math.radians, dm.radians),
    "square": U(("closed", lambda x: (2.0 * x, 2.0)), SYM, lambda x: x * x, np.square),
    "reciprocal": U(lambda x: 1 / x, NONZERO, lambda x: 1.0 / x, np.reciprocal),
    # SciPy's special functions (no Python name here yet: through the kernels)
    "psi": special("unary", "psi", mp.digamma, away_from_poles(uniform(-6.0, 30.0)), floors=psi_floors,
                   ulps=8),
    "expit": special("unary", "expit", lambda x: 1 / (1 + mp.exp(-x)), uniform(-30.0, 30.0)),
    "logit": special("unary", "logit", lambda p: mp.log(p / (1 - p)), uniform(0.001, 0.999)),
    "log_expit": special("unary", "log_expit", lambda x: -mp.log1p(mp.exp(-x)), uniform(-30.0, 30.0)),
    "erfcx": special("unary", "erfcx", lambda x: mp.exp(x * x) * mp.erfc(x), uniform(-5.0, 30.0)),
    "erfinv": special("unary", "erfinv", mp.erfinv, uniform(-0.999, 0.999), ulps=8),
    "ndtr": special("unary", "ndtr", mp.ncdf, uniform(-10.0, 10.0)),
    "log_ndtr": special("unary", "log_ndtr", lambda x: mp.log(mp.ncdf(x)), uniform(-30.0, 10.0)),
    "ndtri": special("unary", "ndtri", lambda p: mp.sqrt(2) * mp.erfinv(2 * p - 1), uniform(0.001, 0.999),
                     ulps=8),
    "entr": special("unary", "entr", lambda x: -x * mp.log(x), loguniform(1e-3, 1e3),
                    floors=lambda x: [2.0 + abs(math.log(x)), 0.0]),
    "rgamma": special("unary", "rgamma", mp.rgamma, away_from_poles(uniform(-6.0, 30.0), 1e-2),
                      floors=_rgamma_floors, ulps=8),
    "gammasgn": special("unary", "gammasgn", ("closed", lambda x: (0.0, 0.0)),
                        away_from_poles(uniform(-6.0, 6.0))),
    "erfcinv": special("unary", "erfcinv", lambda y: mp.erfinv(1 - y), uniform(0.001, 1.999), ulps=8),
    # J and Y: the derivatives are sums of neighbouring orders, each within 16 ulp
    # of the envelope (as the values); up to 11 of it in 3,000 points per function
    "j0": special("unary", "j0", lambda x: mp.besselj(0, x), uniform(-40.0, 40.0), floors=_bessel_floors, ulps=16),
    "j1": special("unary", "j1", lambda x: mp.besselj(1, x), uniform(-40.0, 40.0), floors=_bessel_floors, ulps=16),
    "y0": special("unary", "y0", lambda x: mp.bessely(0, x), loguniform(1e-3, 40.0), floors=_bessel_floors,
                  ulps=16),
    "y1": special("unary", "y1", lambda x: mp.bessely(1, x), loguniform(1e-3, 40.0), floors=_bessel_floors,
                  ulps=16),
    "i0": special("unary", "i0", lambda x: mp.besseli(0, x), uniform(-40.0, 40.0), ulps=8),
    "i1": special("unary", "i1", lambda x: mp.besseli(1, x), uniform(-40.0, 40.0), ulps=8),
    "i0e": special("unary", "i0e", lambda x: mp.besseli(0, x) * mp.exp(-abs(x)), uniform(-40.0, 40.0),
                   floors=_scaled_i_floors, ulps=8),
    "i1e": special("unary", "i1e", lambda x: mp.besseli(1, x) * mp.exp(-abs(x)), uniform(-40.0, 40.0),
                   floors=_scaled_i_floors, ulps=8),
}

BINARY = {
    "mul": B(("closed", lambda x, y: [y, x, 0.0, 1.0, 0.0]), pair(SYM, SYM),
             operator.mul, operator.mul),
    "div": B(("closed", _div_partials), pair(SYM, NONZERO), operator.truediv, operator.truediv),
    "pow": B(lambda x, y: mp.power(x, y), pair(loguniform(1e-2, 1e2), uniform(-4.0, 4.0)),
             operator.pow, operator.pow, floors=_pow_floors),
    "floordiv": B(("closed", _zero5), pair(SYM, NONZERO), operator.floordiv, operator.floordiv),
    "mod": B(("closed", _mod_partials), pair(SYM, NONZERO), operator.mod, operator.mod),
    "add": B(("closed", lambda x, y: [1.0, 1.0, 0.0, 0.0, 0.0]), pair(SYM, SYM),
             operator.add, operator.add),
    "sub": B(("closed", lambda x, y: [1.0, -1.0, 0.0, 0.0, 0.0]), pair(SYM, SYM),
             operator.sub, operator.sub),
    "atan2": B(mp.atan2, pair(SYM, SYM, lambda x, y: math.hypot(x, y) > 1e-2), math.atan2,
               dm.atan2, floors=_atan2_floors),
    "hypot": B(mp.hypot, pair(SYM, SYM, lambda x, y: math.hypot(x, y) > 1e-2), math.hypot,
               dm.hypot, floors=_hypot_floors),
    "fmod": B(("closed", _fmod_partials), pair(SYM, NONZERO), math.fmod, dm.fmod),
    "remainder": B(("closed", _remainder_partials), pair(SYM, NONZERO), math.remainder,
                   dm.remainder),
    "copysign": B(("closed", _copysign_partials), pair(NONZERO, NONZERO), math.copysign,
                  dm.copysign),
    "maximum": B(("closed", _pick(lambda x, y: x >= y)), pair(SYM, SYM), max, np.maximum),
    "minimum": B(("closed", _pick(lambda x, y: x <= y)), pair(SYM, SYM), min, np.minimum),
    "fmax": B(("closed", _pick(lambda x, y: x >= y)), pair(SYM, SYM), max, np.fmax),
    "fmin": B(("closed", _pick(lambda x, y: x <= y)), pair(SYM, SYM), min, np.fmin),
    # closed forms: their fxx is exactly 0 (numerical differentiation leaves noise)
    "xlogy": special("binary", "xlogy", ("closed", _xlogy_partials(mp.log, 0)), pair(SYM, loguniform(1e-3, 1e3))),
    "xlog1py": special("binary", "xlog1py", ("closed", _xlogy_partials(mp.log1p, 1)),
                       pair(SYM, uniform(-0.99, 10.0))),
    "rel_entr": special("binary", "rel_entr", lambda x, y: x * mp.log(x / y),
                        pair(loguniform(1e-2, 1e2), loguniform(1e-2, 1e2)),
                        floors=lambda x, y: [2.0 + abs(math.log(x / y)), 0.0, 0.0, 0.0, 0.0]),
    # closed forms in digamma and trigamma (numerical differentiation of beta at 50 digits
    # is slow); their cancellations are tested in test_special_rules.py
    # (beta: B from three tgammas, a few ulp each)
    "beta": special("binary", "beta", ("closed", _beta_partials(False)),
                    pair(loguniform(0.1, 30.0), loguniform(0.1, 30.0)), floors=_beta_floors, ulps=16),
    "betaln": special("binary", "betaln", ("closed", _beta_partials(True)),
                      pair(loguniform(0.1, 30.0), loguniform(0.1, 30.0)), ulps=8),
}

# numpy ufuncs that run the same rule: their results must be identical to the above
NUMPY = {
    "sqrt": np.sqrt, "cbrt": np.cbrt, "exp": np.exp, "exp2": np.exp2, "expm1": np.expm1,
    "log": np.log, "log2": np.log2, "log10": np.log10, "log1p": np.log1p, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "asinh": np.arcsinh,
    "acosh": np.arccosh, "atanh": np.arctanh, "fabs": np.fabs, "floor": np.floor,
    "ceil": np.ceil, "trunc": np.trunc, "degrees": np.degrees, "radians": np.radians,
    "mul": np.multiply, "div": np.true_divide, "pow": np.power, "floordiv": np.floor_divide,
    "mod": np.mod, "add": np.add, "sub": np.subtract, "atan2": np.arctan2, "hypot": np.hypot, "fmod": np.fmod,
    "copysign": np.copysign,
}

N_POINTS = int(os.environ.get("DUALDIFF_POINTS", "12"))  # points per rule


# ------------------------------------------------------------------ helpers

def close(got, ref, ulps, floor=0.0):
    """|got - ref| <= ulps * eps * max(|ref|, floor), with inf/nan equal to themselves."""
    if math.isnan(ref):
        return math.isnan(got)
    if math.isinf(ref):
        return got == ref
    return abs(got - ref) <= ulps * EPS * max(abs(ref), floor)


def same_bits(a, b):
    return type(a) is type(b) and (a == b and math.copysign(1, a) == math.copysign(1, b)
                                   or (a != a and b != b))


def _fmt(kind, name, pt, what, got, ref):
    return f"{kind} {name} at {pt!r}: {what} = {got!r}, reference {ref!r}"


# -------------------------------------------------------------------- tests

def test_every_rule_of_the_c_table_has_a_reference():
    table = _rules()
    assert len(table) == len(set(table)), "a rule is listed twice in the C table"
    missing = [(k, n) for k, n in table if n not in (UNARY if k == "unary" else BINARY)]
    assert not missing, f"rules of the C table without a reference entry here: {missing}"
    stale = ({("unary", n) for n in UNARY} | {("binary", n) for n in BINARY}) - set(table)
    assert not stale, f"reference entries for rules the C table does not have: {stale}"


@pytest.mark.parametrize("name", sorted(n for k, n in _rules() if k == "unary"))
def test_unary_rule(name, rng):
    entry = UNARY[name]
    for _ in range(N_POINTS):
        x = entry.draw(rng)
        d1, d2 = entry.expected(x)
        f1, f2 = entry.floors(x)
        value = entry.oracle(x)
        # the rule itself
        r = _rule("unary", name, x)
        assert close(r[1], d1, entry.ulps, f1), _fmt("rule", name, x, "f'", r[1], d1)
        assert close(r[2], d2, entry.ulps, f2), _fmt("rule", name, x, "f''", r[2], d2)
        # first order
        a = entry.call(Dual(x, 1.0))
        assert isinstance(a, Dual) and a.width == 1 and a.order == 1
        assert same_bits(a.value, value), _fmt("Dual", name, x, "value", a.value, value)
        assert close(a.tangent, d1, entry.ulps, f1), _fmt("Dual", name, x, "f'", a.tangent, d1)
        # second order
        b = entry.call(Dual(x, [1.0], hessian=[[0.0]]))
        assert b.order == 2
        assert same_bits(b.value, value), _fmt("Dual2", name, x, "value", b.value, value)
        assert close(b.tangent, d1, entry.ulps, f1), _fmt("Dual2", name, x, "f'", b.tangent, d1)
        h = float(b.hessian[0, 0])
        assert close(h, d2, entry.ulps, f2), _fmt("Dual2", name, x, "f''", h, d2)
        # numpy runs the same rule
        if name in NUMPY:
            c = NUMPY[name](Dual(x, 1.0))
            assert isinstance(c, Dual)
            assert same_bits(c.tangent, a.tangent)
            assert same_bits(c.value, r[0])  # the C rule's value (libm), as numpy's loops use


@pytest.mark.parametrize("name", sorted(n for k, n in _rules() if k == "binary"))
def test_binary_rule(name, rng):
    entry = BINARY[name]
    for _ in range(N_POINTS):
        x, y = entry.draw(rng)
        ref = entry.expected(x, y)
        floors = entry.floors(x, y)
        value = entry.oracle(x, y)
        r = _rule("binary", name, x, y)
        for k, what in enumerate(("fx", "fy", "fxx", "fxy", "fyy")):
            assert close(r[1 + k], ref[k], entry.ulps, floors[k]), \
                _fmt("rule", name, (x, y), what, r[1 + k], ref[k])
        # first order, two directions: the gradient
        a = entry.call(Dual(x, [1.0, 0.0]), Dual(y, [0.0, 1.0]))
        assert isinstance(a, Dual) and a.width == 2
        assert same_bits(a.value, float(value)), _fmt("Dual", name, (x, y), "value", a.value, value)
        for k in range(2):
            assert close(float(a.tangent[k]), ref[k], entry.ulps, floors[k]), \
                _fmt("Dual", name, (x, y), "gradient", a.tangent, ref[:2])
        # second order: gradient and Hessian
        z = [[0.0, 0.0], [0.0, 0.0]]
        b = entry.call(Dual(x, [1.0, 0.0], hessian=z), Dual(y, [0.0, 1.0], hessian=z))
        assert same_bits(b.value, float(value))
        H = b.hessian
        got = [b.tangent[0], b.tangent[1], H[0, 0], H[0, 1], H[1, 1]]
        for k, what in enumerate(("fx", "fy", "fxx", "fxy", "fyy")):
            assert close(float(got[k]), ref[k], entry.ulps, floors[k]), \
                _fmt("Dual2", name, (x, y), what, got[k], ref[k])
        assert H[0, 1] == H[1, 0]
        # one side constant: the partial of the other side
        c = entry.call(Dual(x, 1.0), y)
        assert same_bits(c.value, float(value))
        assert close(c.tangent, ref[0], entry.ulps, floors[0])
        c = entry.call(x, Dual(y, 1.0))
        assert same_bits(c.value, float(value))
        assert close(c.tangent, ref[1], entry.ulps, floors[1])
        # ... and at second order: the pure second partial of that side
        c = entry.call(Dual(x, [1.0], hessian=[[0.0]]), y)
        assert close(float(c.hessian[0, 0]), ref[2], entry.ulps, floors[2]), \
            _fmt("Dual2, y constant", name, (x, y), "fxx", c.hessian, ref[2])
        c = entry.call(x, Dual(y, [1.0], hessian=[[0.0]]))
        assert close(float(c.hessian[0, 0]), ref[4], entry.ulps, floors[4]), \
            _fmt("Dual2, x constant", name, (x, y), "fyy", c.hessian, ref[4])
        if name in NUMPY:
            u = NUMPY[name](Dual(x, [1.0, 0.0]), Dual(y, [0.0, 1.0]))
            assert same_bits(u.value, r[0])  # the C rule's value
            for k in range(2):
                assert close(float(u.tangent[k]), ref[k], entry.ulps, floors[k])


def test_reference_table_is_independent_of_the_code():
    """The reference derivatives come from mpmath, not from the rules: spot-check
    the reference itself against known closed forms."""
    assert UNARY["sin"].expected(0.5) == pytest.approx((math.cos(0.5), -math.sin(0.5)), rel=1e-15)
    assert UNARY["log"].expected(2.0) == pytest.approx((0.5, -0.25), rel=1e-15)
    assert UNARY["gamma"].expected(1.0)[0] == pytest.approx(-0.5772156649015329, rel=1e-15)
    assert BINARY["atan2"].expected(1.0, 2.0)[:2] == pytest.approx([2 / 5, -1 / 5], rel=1e-15)


@pytest.mark.parametrize("x", [-4.253145041622304, 13.362338973012644, 5.5, -26.0, 0.75])
def test_erf_derivative_accurate_in_the_tails(x):
    # 2/sqrt(pi) exp(-x^2): the rounding of x*x must not be magnified by exp
    ref = 2 / mp.sqrt(mp.pi) * mp.exp(-mp.mpf(x) ** 2)
    for name, sign in (("erf", 1), ("erfc", -1)):
        r = _rule("unary", name, x)
        assert close(r[1], float(sign * ref), ULPS), (name, x, r[1], float(ref))
        assert close(r[2], float(-2 * x * sign * ref), ULPS)
