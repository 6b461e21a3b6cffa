"""The table of elementary functions: one row per rule of the C table.

The C header ``dualdiff/dd_rules.h`` computes each rule (value, first and
second derivatives); this table says where each rule appears in Python. Every
layer that offers functions loops over it: the ufuncs of ``Dual`` and of
``DualArray`` (NumPy and ``scipy.special``), the NumPy object-loop methods of
``Dual``, the functions of ``dualdiff.math``, the documentation's lists, and
the tests' lists. A test proves the rows equal the C table, in op-code order,
and the stubs equal the rows.

This module imports nothing from dualdiff, so any module may import it.

Adding a function: write ``DD_RULE(name)`` (or ``DD_RULE2``) in dd_rules.h,
add its name to the X-macro list there and to ``dualdiff.pxd``, and add one
row here (see CONTRIBUTING.md).
"""
from typing import NamedTuple


class Rule(NamedTuple):
    """Where one C rule appears in Python.

    name:    the C rule (``dd_rule_NAME``, ``dd_rule2_NAME``) and op code
             (``DD_OP_NAME``, ``DD_OP2_NAME``).
    kind:    "unary" or "binary".
    math:    its name in :mod:`dualdiff.math` (as in :mod:`math`), or None.
    numpy:   NumPy ufuncs computing it (``np.arcsin`` for asin, ...).
    special: ``scipy.special`` ufuncs computing it.
    doc:     one line on the function and its derivative's special points.
    math_value: True where dualdiff.math takes the value from :mod:`math`
             (CPython computes gamma and lgamma itself, not with the C
             library), so values agree with math bit for bit.
    custom:  True where dualdiff.math's function is written by hand (log's
             base, pow's exceptions, hypot's any number of arguments);
             otherwise it is made from this row.
    second:  the second partial derivatives that can be nonzero somewhere:
             ("xx",) for a unary rule that is not linear (piecewise linear
             rules such as fabs and the step functions have none); for a
             binary rule f(x, y) a subset of "xx", "xy", "yy" (mul: xy,
             div: xy and yy, add: none). Hessian sparsity detection reads
             it: a rule without second partials makes no inputs interact.
    """

    name: str
    kind: str
    math: str | None = None
    numpy: tuple[str, ...] = ()
    special: tuple[str, ...] = ()
    doc: str = ""
    math_value: bool = False
    custom: bool = False
    second: tuple[str, ...] = ()


def _u(name, math=None, numpy=(), special=(), doc="", math_value=False, custom=False, second="xx"):
    return Rule(name, "unary", math, tuple(numpy), tuple(special), doc, math_value, custom,
                tuple(second.split()))


def _b(name, math=None, numpy=(), special=(), doc="", custom=False, second="xx xy yy"):
    return Rule(name, "binary", math, tuple(numpy), tuple(special), doc, False, custom,
                tuple(second.split()))


# In op-code order (the X-macro lists of dd_rules.h); a test checks it.
RULES: tuple[Rule, ...] = (
    _u("sqrt", "sqrt", ["sqrt"], doc="square root. Derivative 1/(2 sqrt(x)), +inf at 0."),
    _u("cbrt", "cbrt", ["cbrt"], doc="cube root. Derivative +inf at 0."),
    _u("exp", "exp", ["exp"], doc="e ** x."),
    _u("exp2", "exp2", ["exp2"], doc="2 ** x."),
    _u("expm1", "expm1", ["expm1"], doc="exp(x) - 1, accurate near 0."),
    _u("log", "log", ["log"], doc="natural logarithm. Derivative +inf at 0.", custom=True),
    _u("log2", "log2", ["log2"], doc="base-2 logarithm."),
    _u("log10", "log10", ["log10"], doc="base-10 logarithm."),
    _u("log1p", "log1p", ["log1p"], doc="log(1 + x), accurate near 0."),
    _u("sin", "sin", ["sin"], doc="sine."),
    _u("cos", "cos", ["cos"], doc="cosine."),
    _u("tan", "tan", ["tan"], doc="tangent."),
    _u("asin", "asin", ["arcsin"], doc="arc sine. Derivative +inf at +-1."),
    _u("acos", "acos", ["arccos"], doc="arc cosine. Derivative -inf at +-1."),
    _u("atan", "atan", ["arctan"], doc="arc tangent."),
    _u("sinh", "sinh", ["sinh"], doc="hyperbolic sine."),
    _u("cosh", "cosh", ["cosh"], doc="hyperbolic cosine."),
    _u("tanh", "tanh", ["tanh"], doc="hyperbolic tangent."),
    _u("asinh", "asinh", ["arcsinh"], doc="inverse hyperbolic sine."),
    _u("acosh", "acosh", ["arccosh"], doc="inverse hyperbolic cosine. Derivative +inf at 1."),
    _u("atanh", "atanh", ["arctanh"], doc="inverse hyperbolic tangent."),
    _u("erf", "erf", special=["erf"], doc="the error function."),
    _u("erfc", "erfc", special=["erfc"], doc="1 - erf(x), accurate for large x."),
    _u("gamma", "gamma", special=["gamma"], doc="the gamma function. Derivative gamma(x) digamma(x).",
       math_value=True),
    _u("lgamma", "lgamma", special=["gammaln"],
       doc="log|gamma(x)|. Derivative digamma(x), second derivative trigamma(x).", math_value=True),
    _u("fabs", "fabs", ["fabs", "absolute"],
       doc="absolute value. Derivative the sign of x, +1 at +0.0 and -1 at -0.0.", second=""),
    _u("floor", "floor", ["floor"],
       doc="floor: an int for numbers (as math.floor); derivative 0 for Duals.", second=""),
    _u("ceil", "ceil", ["ceil"], doc="ceiling: an int for numbers (as math.ceil); derivative 0 for Duals.", second=""),
    _u("trunc", "trunc", ["trunc"],
       doc="truncation toward 0: an int for numbers (as math.trunc); derivative 0 for Duals.", second=""),
    _u("rint", None, ["rint"], doc="round to the nearest integer, ties to even; derivative 0.", second=""),
    _u("sign", None, ["sign"], doc="-1, 0 or 1 (NaN for NaN); derivative 0.", second=""),
    _u("degrees", "degrees", ["degrees", "rad2deg"], doc="radians to degrees.", second=""),
    _u("radians", "radians", ["radians", "deg2rad"], doc="degrees to radians.", second=""),
    _u("square", None, ["square"], doc="x * x."),
    _u("reciprocal", None, ["reciprocal"], doc="1 / x."),
    _u("psi", None, special=["psi", "digamma"],
       doc="the digamma function d/dx log|gamma(x)|; derivatives trigamma and tetragamma."),
    _u("expit", None, special=["expit"], doc="the logistic sigmoid 1 / (1 + exp(-x))."),
    _u("logit", None, special=["logit"], doc="log(x / (1 - x)); derivatives +inf at 0 and 1."),
    _u("log_expit", None, special=["log_expit"], doc="log(expit(x)), accurate for large |x|."),
    _u("erfcx", None, special=["erfcx"], doc="the scaled complementary error function exp(x^2) erfc(x)."),
    _u("erfinv", None, special=["erfinv"], doc="the inverse error function; derivative +inf at +-1."),
    _u("ndtr", None, special=["ndtr"], doc="the standard normal cumulative distribution function."),
    _u("log_ndtr", None, special=["log_ndtr"], doc="log(ndtr(x)), accurate far in the lower tail."),
    _u("ndtri", None, special=["ndtri"], doc="the inverse of ndtr; derivative +inf at 0 and 1."),
    _u("entr", None, special=["entr"], doc="-x log(x) (0 at 0, -inf below); derivative +inf at 0."),
    _u("rgamma", None, special=["rgamma"],
       doc="1 / gamma(x), entire: 0 at 0, -1, -2, ..., where the derivative is (-1)^k k!."),
    _u("gammasgn", None, special=["gammasgn"],
       doc="the sign of gamma(x); derivative 0 (NaN at the poles -1, -2, ..., where the value is NaN).",
       second=""),
    _u("erfcinv", None, special=["erfcinv"],
       doc="the inverse of erfc, accurate for small x; derivative -inf at 0 and 2."),
    _u("j0", None, special=["j0"], doc="the Bessel function J0 of the first kind. Derivative -J1."),
    _u("j1", None, special=["j1"], doc="the Bessel function J1 of the first kind. Derivative (J0 - J2)/2."),
    _u("y0", None, special=["y0"],
       doc="the Bessel function Y0 of the second kind: -inf at 0, NaN below. Derivative -Y1."),
    _u("y1", None, special=["y1"],
       doc="the Bessel function Y1 of the second kind: -inf at 0, NaN below. Derivative (Y0 - Y2)/2."),
    _u("i0", None, special=["i0"], doc="the modified Bessel function I0. Derivative I1."),
    _u("i0e", None, special=["i0e"],
       doc="exp(-|x|) I0(x); at +-0 the one-sided slope -+1 of the zero's side."),
    _u("i1", None, special=["i1"], doc="the modified Bessel function I1. Derivative (I0 + I2)/2."),
    _u("i1e", None, special=["i1e"], doc="exp(-|x|) I1(x)."),
    _b("mul", None, ["multiply"], doc="x * y.", second="xy"),
    _b("div", None, ["divide", "true_divide"], doc="x / y.", second="xy yy"),
    _b("pow", "pow", ["power", "float_power"],
       doc="x ** y, by cases: integer exponents exact at 0, 0 ** y as its limits.", custom=True),
    _b("floordiv", None, ["floor_divide"], doc="x // y; derivative 0.", second=""),
    _b("mod", None, ["remainder", "mod"], doc="x % y with the sign of y (Python's %).", second=""),
    _b("add", None, ["add"], doc="x + y.", second=""),
    _b("sub", None, ["subtract"], doc="x - y.", second=""),
    _b("atan2", "atan2", ["arctan2"],
       doc="the angle of the point (x, y) for atan2(y, x). Partials x/(x^2+y^2) in y and "
           "-y/(x^2+y^2) in x; NaN at the origin."),
    _b("hypot", "hypot", ["hypot"],
       doc="sqrt(x*x + y*y) without overflow or underflow; NaN derivatives at the origin.",
       custom=True),
    _b("fmod", "fmod", ["fmod"], doc="C's fmod (sign of x): d/dx 1, d/dy -trunc(x/y).", second=""),
    _b("remainder", "remainder", [], doc="IEEE remainder x - n y, n the nearest integer to x/y.", second=""),
    _b("copysign", "copysign", ["copysign"], doc="|x| with the sign of y; derivative +-1 in x, 0 in y.", second=""),
    _b("maximum", None, ["maximum"],
       doc="the larger (NaN propagates); at a tie the first argument's derivative.", second=""),
    _b("minimum", None, ["minimum"],
       doc="the smaller (NaN propagates); at a tie the first argument's derivative.", second=""),
    _b("fmax", None, ["fmax"], doc="the larger, ignoring a NaN; at a tie the first argument's derivative.", second=""),
    _b("fmin", None, ["fmin"], doc="the smaller, ignoring a NaN; at a tie the first argument's derivative.", second=""),
    _b("xlogy", None, special=["xlogy"], doc="x log(y), 0 where x is 0 (and y not NaN).", second="xy yy"),
    _b("xlog1py", None, special=["xlog1py"], doc="x log1p(y), 0 where x is 0 (and y not NaN).", second="xy yy"),
    _b("rel_entr", None, special=["rel_entr"],
       doc="x log(x / y) for x, y > 0; 0 at x = 0, y >= 0; +inf elsewhere."),
    _b("beta", None, special=["beta"],
       doc="gamma(x) gamma(y) / gamma(x + y); +inf at the poles of gamma(x) and gamma(y)."),
    _b("betaln", None, special=["betaln"],
       doc="log|beta(x, y)|; partials psi(x) - psi(x + y) and psi(y) - psi(x + y)."),
)

BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}

# The rules whose formulas hold at complex arguments (holomorphic where NumPy
# defines them on complex numbers), in op-code order: dd_complex.h evaluates
# them in C99 complex arithmetic under the same op codes. A test checks the
# lists against the header's.
COMPLEX_UNARY: tuple[str, ...] = (
    "sqrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
    "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "square", "reciprocal",
)
COMPLEX_BINARY: tuple[str, ...] = ("mul", "div", "pow", "add", "sub")


def of_kind(kind: str) -> tuple[Rule, ...]:
    """The rules of one kind, in op-code order (their index is the op code)."""
    return tuple(r for r in RULES if r.kind == kind)


def op_codes(kind: str) -> dict[str, int]:
    """Rule name -> op code, for one kind."""
    return {r.name: i for i, r in enumerate(of_kind(kind))}


def ufunc_names(kind: str, source: str = "numpy") -> dict[str, str]:
    """Ufunc name -> rule name, for the NumPy ("numpy") or SciPy ("special") ufuncs of one kind."""
    out = {}
    for r in of_kind(kind):
        for u in (r.numpy if source == "numpy" else r.special):
            out[u] = r.name
    return out


# The arithmetic rules: the Python operators and their NumPy ufuncs take
# dedicated paths (in-place buffers, Python's exceptions), not the generic
# binary kernel.
ARITHMETIC = ("mul", "div", "pow", "add", "sub")


def methods() -> dict[str, tuple[str, str]]:
    """Method name -> (kind, rule) of the methods NumPy's object loops call on a
    Dual (np.sin(object_array) calls x.sin()): every NumPy name of a unary rule
    and of a binary function (not an operator)."""
    out = {}
    for r in RULES:
        if r.kind == "unary" or r.name not in ARITHMETIC + ("floordiv", "mod"):
            for u in r.numpy:
                out[u] = (r.kind, r.name)
    return out
