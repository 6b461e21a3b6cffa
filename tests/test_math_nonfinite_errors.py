"""dualdiff.math on a Dual raises where math raises, also for infinite input."""
import math

import numpy as np
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


def test_frexp_and_ldexp_of_subnormals_and_large_exponents():
    # frexp(x) = (m, e) with x = m 2**e: dm/dx = 2**-e, by hand
    x = 5e-324  # 2**-1074: m = 0.5, e = -1073, so dm/dx = 2**1073, past the doubles
    m, e = dm.frexp(Dual(x, [1.0, 0.0]))
    assert (m.value, e) == math.frexp(x)
    assert list(m.tangent) == [math.inf, 0.0]
    m, e = dm.frexp(Dual(x, [2.0 ** -60, -(2.0 ** -1000)]))
    assert list(m.tangent) == [2.0 ** 1013, -(2.0 ** 73)]
    # ldexp(x, i) has derivative 2**i, which overflows to inf when 2**i does
    r = dm.ldexp(Dual(0.0, [1.0, 0.0]), 2000)
    assert r.value == 0.0 and list(r.tangent) == [math.inf, 0.0]
    r = dm.ldexp(Dual(3.0, -1.0), -1080)
    assert r.value == math.ldexp(3.0, -1080) and r.tangent == -0.0
    with pytest.raises(OverflowError):
        dm.ldexp(Dual(1.0, 3.0), 10 ** 30)  # as math.ldexp(1.0, 10**30)
    with pytest.raises(TypeError):
        dm.ldexp(Dual(1.0, 1.0), 2.0)


@pytest.mark.parametrize("other", ["x", None, [1.0], np.array([1.0, 2.0]), 1 + 1j])
def test_fma_fsum_sumprod_with_non_numbers_raise_type_error(other):
    d = Dual(1.0, [1.0, 2.0])
    with pytest.raises(TypeError):
        dm.fma(d, other, 1.0)
    with pytest.raises(TypeError):
        dm.fma(d, 2.0, other)
    with pytest.raises(TypeError):
        dm.fsum([d, other])
    with pytest.raises(TypeError):
        dm.sumprod([d, d], [2.0, other])
    if not isinstance(other, np.ndarray):  # prod, like math.prod, multiplies arrays too
        with pytest.raises(TypeError):
            dm.prod([d, other, d])


def test_array_ufunc_called_directly_with_a_non_dual():
    d = Dual(1.0, 1.0)
    assert d.__array_ufunc__(np.sin, "__call__", 2.0) is NotImplemented


def test_fsum_raises_for_the_value_only():
    inf = math.inf
    # derivatives +inf and -inf: the tangent is NaN (as for a + b), no exception
    r = dm.fsum([Dual(1.0, [inf, 1.0]), Dual(2.0, [-inf, 2.0])])
    assert r.value == 3.0 and math.isnan(r.tangent[0]) and r.tangent[1] == 3.0
    # derivatives whose exact sum overflows: inf, as for a + b
    r = dm.fsum([Dual(1.0, 1.7e308), Dual(1.0, 1.7e308)])
    assert r.value == 2.0 and r.tangent == inf
    # the value follows math.fsum, which raises on inf - inf
    with pytest.raises(ValueError):
        dm.fsum([Dual(inf, 1.0), -inf])
    # exactly rounded where possible: 1e100 + 1 - 1e100 = 1 (plain summation gives 0)
    r = dm.fsum([Dual(0.0, 1e100), Dual(0.0, 1.0), Dual(0.0, -1e100)])
    assert r.tangent == 1.0
