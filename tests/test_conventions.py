"""Conventions at non-differentiable and singular points.

Each test states the convention it pins down. Expected values are derived by
hand from the one-sided limits (or the definition of the function).
"""
import math
import operator
import sys
from fractions import Fraction

import numpy as np
import pytest

import dualdiff.math as dm
from dualdiff import Dual

inf, nan = math.inf, math.nan
EPS = sys.float_info.epsilon


def bits(x):
    return (math.copysign(1.0, x), abs(x)) if x == x else "nan"


def second(x, n=1):
    """A second-order Dual of width n along direction 0."""
    t = [1.0] + [0.0] * (n - 1)
    return Dual(x, t if n > 1 else [1.0], hessian=[[0.0] * n for _ in range(n)])


# ------------------------------------------------------------------- abs

@pytest.mark.parametrize("f", [abs, dm.fabs, np.abs, np.fabs])
def test_abs_at_signed_zero_takes_the_side_of_the_zero(f):
    # d|x|/dx at +0.0 is +1 (the right derivative), at -0.0 it is -1 (the left one)
    d = f(Dual(0.0, 1.0))
    assert bits(d.value) == bits(0.0) and d.tangent == 1.0
    d = f(Dual(-0.0, 1.0))
    assert bits(d.value) == bits(0.0) and d.tangent == -1.0
    d = f(second(0.0))
    assert d.tangent == 1.0 and d.hessian[0, 0] == 0.0


# ------------------------------------------------------------- roots at 0

@pytest.mark.parametrize("f", [dm.sqrt, dm.cbrt, np.sqrt, np.cbrt])
def test_roots_at_zero(f):
    # one-sided derivative +inf with tangent 1; a zero tangent contributes exactly 0
    d = f(Dual(0.0, 1.0))
    assert d.value == 0.0 and d.tangent == inf
    d = f(Dual(0.0, 0.0))
    assert d.value == 0.0 and d.tangent == 0.0
    d = f(Dual(0.0, [0.0, 1.0, 0.0]))
    assert list(d.tangent) == [0.0, inf, 0.0]


def test_zero_tangent_keeps_other_directions_finite():
    # gradient of sqrt(x) + y at (0, 1) is [inf, 1], not [inf, nan]
    x, y = Dual(0.0, [1.0, 0.0]), Dual(1.0, [0.0, 1.0])
    g = (dm.sqrt(x) + y).tangent
    assert g[0] == inf and g[1] == 1.0
    z = [[0.0, 0.0], [0.0, 0.0]]
    x, y = Dual(0.0, [1.0, 0.0], hessian=z), Dual(1.0, [0.0, 1.0], hessian=z)
    h = (dm.sqrt(x) + y).hessian
    assert h[0, 0] == -inf and h[0, 1] == 0.0 and h[1, 1] == 0.0


# ------------------------------------------------------------------- pow

@pytest.mark.parametrize("zero", [0, 0.0, np.int64(0), np.float64(0.0)])
def test_x_to_the_zero_at_zero(zero):
    # x**0 = 1 for every x: value 1, derivative 0, second derivative 0
    d = Dual(0.0, 1.0) ** zero
    assert d.value == 1.0 and d.tangent == 0.0
    d = second(0.0) ** zero
    assert d.value == 1.0 and d.tangent == 0.0 and d.hessian[0, 0] == 0.0
    d = Dual(0.0, [1.0, 0.0]) ** Dual(0.0, [0.0, 0.0])
    assert d.value == 1.0 and list(d.tangent) == [0.0, 0.0]


@pytest.mark.parametrize("two", [2, 2.0, np.int64(2)])
def test_x_squared_at_zero(two):
    # d/dx x^2 = 2x = 0 and d2/dx2 = 2 at 0, not 0 * inf = NaN
    d = second(0.0) ** two
    assert d.value == 0.0 and d.tangent == 0.0 and d.hessian[0, 0] == 2.0
    d = dm.pow(second(0.0), two)
    assert d.value == 0.0 and d.tangent == 0.0 and d.hessian[0, 0] == 2.0
    d = 3.0 * second(0.0) ** two  # autodiff's bug: 2c, not 0
    assert d.hessian[0, 0] == 6.0


def test_integer_powers_at_zero():
    d = second(0.0) ** 1
    assert (d.value, d.tangent, d.hessian[0, 0]) == (0.0, 1.0, 0.0)
    d = second(0.0) ** 3
    assert (d.value, d.tangent, d.hessian[0, 0]) == (0.0, 0.0, 0.0)
    d = second(-0.0) ** 2.0
    assert (d.value, d.tangent, d.hessian[0, 0]) == (0.0, 0.0, 2.0)


def test_zero_to_a_variable_power():
    # 0**y is 0 on y > 0: derivative 0 (not 0 * log 0 = NaN)
    d = 0.0 ** Dual(0.5, 1.0)
    assert d.value == 0.0 and d.tangent == 0.0
    d = dm.pow(0.0, second(2.0))
    assert d.value == 0.0 and d.tangent == 0.0 and d.hessian[0, 0] == 0.0
    # at y = 0 the value is 1 and the one-sided derivative from y > 0 is -inf
    # ((0 - 1) / h for h -> 0+); for y < 0 the function is undefined
    d = 0.0 ** Dual(0.0, 1.0)
    assert d.value == 1.0 and d.tangent == -inf
    with pytest.raises(ZeroDivisionError):
        0.0 ** Dual(-1.0, 1.0)
    with pytest.raises(ValueError):  # as math.pow(0.0, -1.0)
        dm.pow(0.0, Dual(-1.0, 1.0))


def test_gradient_of_x_to_the_y_at_zero_base():
    # x**y at (0, 1.5): y x^0.5 = 0 and x^y log x -> 0: gradient [0, 0]
    d = Dual(0.0, [1.0, 0.0]) ** Dual(1.5, [0.0, 1.0])
    assert d.value == 0.0 and list(d.tangent) == [0.0, 0.0]
    # at (0, 0.5): y x^-0.5 = +inf, x^y log x -> 0: gradient [inf, 0]
    d = Dual(0.0, [1.0, 0.0]) ** Dual(0.5, [0.0, 1.0])
    assert d.value == 0.0 and list(d.tangent) == [inf, 0.0]
    # second order: f_xy = x^(y-1) (1 + y log x) -> 0 at y = 1.5, -inf at y = 0.5,
    # f_xx = y (y-1) x^(y-2) -> +inf at 1.5 (0.75 / sqrt(x)), -inf at 0.5; f_yy = 0
    z = [[0.0, 0.0], [0.0, 0.0]]
    h = (Dual(0.0, [1.0, 0.0], hessian=z) ** Dual(1.5, [0.0, 1.0], hessian=z)).hessian
    assert (h[0, 0], h[0, 1], h[1, 1]) == (inf, 0.0, 0.0)
    h = (Dual(0.0, [1.0, 0.0], hessian=z) ** Dual(0.5, [0.0, 1.0], hessian=z)).hessian
    assert (h[0, 0], h[0, 1], h[1, 1]) == (-inf, -inf, 0.0)
    # cross-check the sign of f_xy at (0, 0.5) against a difference quotient of
    # f_y = x^y log x near x = 0+
    for x in (1e-8, 1e-12):
        assert (x**0.5 * math.log(x) - 0.0) / x < -1e3


def test_negative_base_with_integer_exponent():
    # (-1.5)**y at y = 2: d/dbase = 2 * (-1.5) = -3, finite; d/dy needs log(-1.5): NaN
    d = Dual(-1.5, [1.0, 0.0]) ** Dual(2.0, [0.0, 1.0])
    assert d.value == 2.25 and d.tangent[0] == -3.0 and math.isnan(d.tangent[1])
    d = Dual(-1.5, 1.0) ** 3
    assert d.value == -3.375 and d.tangent == 6.75
    d = Dual(-2.0, 1.0) ** -2
    assert d.value == 0.25 and d.tangent == 0.25  # -2 x^-3 at -2
    d = (-1.5) ** Dual(2.0, 1.0)
    assert d.value == 2.25 and math.isnan(d.tangent)
    with pytest.raises(ValueError):
        Dual(-1.5, 1.0) ** 0.5


# ------------------------------------------------------ atan2, hypot at 0

def test_atan2_and_hypot_at_the_origin_have_nan_derivatives():
    y, x = Dual(0.0, [1.0, 0.0]), Dual(0.0, [0.0, 1.0])
    for f in (dm.atan2, np.arctan2):
        d = f(y, x)
        assert d.value == 0.0 and all(math.isnan(t) for t in d.tangent)
    for f in (dm.hypot, np.hypot):
        d = f(y, x)
        assert d.value == 0.0 and all(math.isnan(t) for t in d.tangent)
    d = dm.hypot(Dual(0.0, [1.0, 0.0]), Dual(0.0, [0.0, 1.0]), 0.0)
    assert all(math.isnan(t) for t in d.tangent)
    # a direction with zero tangent stays 0 even there
    d = dm.hypot(Dual(0.0, [1.0, 0.0]), Dual(0.0, [0.0, 0.0]))
    assert math.isnan(d.tangent[0]) and d.tangent[1] == 0.0


def test_atan2_partials():
    # d/dy atan2(y, x) = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2); (y, x) = (1, 2): 2/5, -1/5
    d = dm.atan2(Dual(1.0, [1.0, 0.0]), Dual(2.0, [0.0, 1.0]))
    assert d.tangent[0] == pytest.approx(0.4, rel=2 * EPS)
    assert d.tangent[1] == pytest.approx(-0.2, rel=2 * EPS)


@pytest.mark.parametrize("r", [1.0, 3.5, 1e-300, 1e300])
def test_atan2_of_a_circle_has_unit_speed(r, rng):
    for t in rng.uniform(-3.0, 3.0, 20):
        t = Dual(float(t), 1.0)
        d = dm.atan2(r * dm.sin(t), r * dm.cos(t))
        assert abs(d.tangent - 1.0) <= 8 * EPS


def test_hypot_of_huge_and_tiny_values():
    for v in (1e300, 1e-300, 1e-310):
        a, b = Dual(v, [1.0, 0.0]), Dual(v, [0.0, 1.0])
        for f in (dm.hypot, np.hypot):
            d = f(a, b)
            if f is dm.hypot:
                assert d.value == math.hypot(v, v)
            assert math.isfinite(d.value) and d.value > 0
            assert d.tangent == pytest.approx([math.sqrt(0.5)] * 2, rel=4 * EPS)
        d = dm.hypot(a, b, Dual(v, [1.0, 1.0]))
        assert d.value == math.hypot(v, v, v)
        assert d.tangent == pytest.approx([2 / math.sqrt(3)] * 2, rel=4 * EPS)
    d = dm.hypot(Dual(1e300, 1.0), Dual(1e300, 2.0))
    assert d.value == math.hypot(1e300, 1e300) and d.tangent == pytest.approx(3 / math.sqrt(2))


# ---------------------------------------------------------- step functions

@pytest.mark.parametrize("f", [dm.floor, dm.ceil, dm.trunc, math.floor, math.ceil, math.trunc,
                               round, np.floor, np.ceil, np.trunc, np.rint])
def test_step_functions_have_derivative_zero(f):
    for x in (2.5, -2.5, 3.0, -0.3, 0.0):
        d = f(Dual(x, 1.0))
        assert isinstance(d, Dual) and d.tangent == 0.0
        assert d.value == float(np.rint(x) if f in (round, np.rint) else f(x))
    d = f(second(1.7))
    assert d.tangent == 0.0 and d.hessian[0, 0] == 0.0


def test_floor_of_inf_and_nan_duals():
    # math.floor(inf) raises because it returns an int; a Dual keeps a float value
    assert dm.floor(Dual(inf, 1.0)).value == inf
    assert math.isnan(dm.ceil(Dual(nan, 1.0)).value)


def test_fmod_and_remainder_partials():
    # fmod(x, y) = x - trunc(x/y) y: d/dx = 1, d/dy = -trunc(x/y)
    for x, y in [(7.0, 2.0), (-7.0, 2.0), (7.0, -2.0), (0.5, 3.0), (-9.856939554617348,
                                                                   -3.2646114894278666)]:
        d = dm.fmod(Dual(x, [1.0, 0.0]), Dual(y, [0.0, 1.0]))
        n = int(Fraction(x) / Fraction(y))
        assert d.value == math.fmod(x, y) and list(d.tangent) == [1.0, -float(n)]
        d = dm.remainder(Dual(x, [1.0, 0.0]), Dual(y, [0.0, 1.0]))
        n = round(Fraction(x) / Fraction(y))  # half to even
        assert d.value == math.remainder(x, y) and list(d.tangent) == [1.0, -float(n)]
    # the tie 5/2 rounds to 2 in remainder
    d = dm.remainder(Dual(5.0, [1.0, 0.0]), Dual(2.0, [0.0, 1.0]))
    assert d.value == 1.0 and list(d.tangent) == [1.0, -2.0]


def test_floordiv_and_mod_follow_python():
    # x // y = floor(x/y): derivative 0; x % y = x - floor(x/y) y: partials 1, -floor(x/y)
    for x, y in [(7.0, 2.0), (-7.0, 2.0), (7.0, -2.0), (-7.0, -2.0), (6.0, 3.0), (-0.0, 5.0)]:
        q = Dual(x, [1.0, 0.0]) // Dual(y, [0.0, 1.0])
        m = Dual(x, [1.0, 0.0]) % Dual(y, [0.0, 1.0])
        assert bits(q.value) == bits(x // y) and bits(m.value) == bits(x % y)
        assert list(q.tangent) == [0.0, 0.0]
        assert list(m.tangent) == [1.0, -float(math.floor(Fraction(x) / Fraction(y)))]


def test_copysign_flips_the_tangent():
    d = dm.copysign(Dual(0.0, 1.0), -1.0)
    assert bits(d.value) == bits(-0.0) and d.tangent == -1.0
    d = dm.copysign(Dual(-2.0, 3.0), 1.0)
    assert d.value == 2.0 and d.tangent == -3.0
    d = dm.copysign(Dual(2.0, [1.0, 0.0]), Dual(-0.0, [0.0, 1.0]))
    assert d.value == -2.0 and list(d.tangent) == [-1.0, 0.0]


def test_log_at_zero():
    # math.log(0) raises, so dualdiff.math does; numpy gives -inf with derivative +inf
    with pytest.raises(ValueError):
        dm.log(Dual(0.0, 1.0))
    with np.errstate(divide="ignore"):
        d = np.log(Dual(0.0, 1.0))
    assert d.value == -inf and d.tangent == inf


def test_acos_and_asin_at_the_edge_with_zero_tangent():
    d = dm.acos(Dual(1.0, 0.0))
    assert d.value == 0.0 and d.tangent == 0.0  # not 0 * inf = NaN
    d = dm.asin(Dual(-1.0, [0.0, 0.0]))
    assert list(d.tangent) == [0.0, 0.0]
    d = dm.acos(Dual(1.0, 1.0))
    assert d.tangent == -inf


def test_x_over_x_and_x_minus_x_are_exact():
    for v in (0.1, 3.0, -7.25, 1e300, 5e-324, 1e-310):
        x = Dual(v, [1.0, 0.3, -2.0])
        d = x / x
        assert d.value == 1.0 and list(d.tangent) == [0.0, 0.0, 0.0]
        d = x - x
        assert d.value == 0.0 and list(d.tangent) == [0.0, 0.0, 0.0]
    x = second(0.1, 2)
    d = x / x
    assert np.all(d.hessian == 0.0) and np.all(d.tangent == 0.0)


@pytest.mark.parametrize("f", [max, min])
def test_builtin_min_max_at_a_tie_take_the_first_argument(f):
    a, b = Dual(1.0, 1.0), Dual(1.0, 2.0)
    assert f(a, b) is a and f(b, a) is b
    assert f(a, b).tangent == 1.0
    assert f(a, 1.0) is a and f(1.0, a) == 1.0 and type(f(1.0, a)) is float


@pytest.mark.parametrize("f", [np.maximum, np.minimum, np.fmax, np.fmin])
def test_numpy_maximum_minimum_at_a_tie_take_the_first(f):
    d = f(Dual(1.0, 1.0), Dual(1.0, 2.0))
    assert d.value == 1.0 and d.tangent == 1.0


def test_no_silent_conversion():
    for d in (Dual(1.0, 0.0), Dual(2.0, 1.0)):
        for conv in (int, float, complex, math.sin, math.sqrt, operator.index):
            with pytest.raises(TypeError) as e:
                conv(d)
            if conv is not operator.index:
                assert ".value" in str(e.value) and "dualdiff.math" in str(e.value)
