"""dualdiff.math on a Dual raises where math raises, also for infinite input."""
import math

import pytest

from dualdiff import Dual
from dualdiff import math as dm

UNARY = ["sin", "cos", "tan", "asin", "acos", "acosh", "atanh", "log", "log2", "log10",
         "log1p", "sqrt", "exp", "expm1", "atan", "sinh", "cosh", "tanh", "asinh", "erf",
         "erfc", "fabs", "degrees", "radians", "gamma", "lgamma"]


def _math_outcome(f, *args):
    try:
        return f(*args)
    except (ValueError, OverflowError, ZeroDivisionError) as e:
        return type(e)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", [math.inf, -math.inf, math.nan])
def test_unary_non_finite_input_follows_math(name, x):
    expected = _math_outcome(getattr(math, name), x)  # math is the reference
    if isinstance(expected, type):
        with pytest.raises(expected):
            getattr(dm, name)(Dual(x, [1.0, 0.0]))
    else:
        r = getattr(dm, name)(Dual(x, [1.0, 0.0]))
        assert r.value == expected or (math.isnan(r.value) and math.isnan(expected))


@pytest.mark.parametrize("name", ["fmod", "remainder", "atan2", "copysign", "pow"])
@pytest.mark.parametrize("x, y", [(math.inf, 1.0), (-math.inf, 2.0), (1.0, 0.0), (1.0, math.inf),
                                  (math.inf, math.inf), (math.nan, 1.0), (0.0, 0.0)])
def test_binary_non_finite_input_follows_math(name, x, y):
    expected = _math_outcome(getattr(math, name), x, y)
    for args in [(Dual(x, 1.0), Dual(y, 1.0)), (Dual(x, 1.0), y), (x, Dual(y, 1.0))]:
        if isinstance(expected, type):
            with pytest.raises(expected):
                getattr(dm, name)(*args)
        else:
            r = getattr(dm, name)(*args)
            assert r.value == expected or (math.isnan(r.value) and math.isnan(expected))


def test_sin_of_infinity_raises_value_error():
    with pytest.raises(ValueError, match="math domain error"):
        dm.sin(Dual(math.inf, 1.0))
