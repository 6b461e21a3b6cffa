"""dualdiff.math: the twin of Python's :mod:`math` for Duals.

Every name of :mod:`math` is here with the same signature. On ints and floats
each function returns exactly what :mod:`math` returns (same bits, same
exceptions); on :class:`dualdiff.Dual` arguments the real-valued functions
return Duals carrying exact derivatives, raising :mod:`math`'s ``ValueError``
for a domain error and ``OverflowError`` for an overflow.

Integer functions (comb, factorial, gcd, isqrt, lcm, perm) are :mod:`math`'s
own: they take integers, not Duals. Predicates (isfinite, isinf, isnan,
isclose) look at the value. ``fma`` and ``sumprod`` are provided on every
supported Python, also where :mod:`math` does not have them yet.
"""
import math as _math

from dualdiff._dual import (
    acos, acosh, asin, asinh, atan, atan2, atanh, cbrt, ceil, copysign, cos, cosh, degrees,
    dist, erf, erfc, exp, exp2, expm1, fabs, floor, fma, fmod, frexp, fsum, gamma, hypot,
    isclose, isfinite, isinf, isnan, ldexp, lgamma, log, log1p, log2, log10, modf, nextafter,
    pow, prod, radians, remainder, sin, sinh, sqrt, sumprod, tan, tanh, trunc, ulp,
)

comb = _math.comb
factorial = _math.factorial
gcd = _math.gcd
isqrt = _math.isqrt
lcm = _math.lcm
perm = _math.perm

e = _math.e
inf = _math.inf
nan = _math.nan
pi = _math.pi
tau = _math.tau

__all__ = [
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil", "comb",
    "copysign", "cos", "cosh", "degrees", "dist", "e", "erf", "erfc", "exp", "exp2", "expm1",
    "fabs", "factorial", "floor", "fma", "fmod", "frexp", "fsum", "gamma", "gcd", "hypot",
    "inf", "isclose", "isfinite", "isinf", "isnan", "isqrt", "lcm", "ldexp", "lgamma", "log",
    "log10", "log1p", "log2", "modf", "nan", "nextafter", "perm", "pi", "pow", "prod",
    "radians", "remainder", "sin", "sinh", "sqrt", "sumprod", "tan", "tanh", "tau", "trunc",
    "ulp",
]
