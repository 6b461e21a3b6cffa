"""The exp of the first-order array loops: libm's, and the inline vector
loops (AVX2 and FMA, AVX-512) the CPU runs. Each is checked against e^x to
120 bits (mpmath), and all give the same non-finite values and NaN-safe
tangents as the scalar rule."""
import math

import mpmath
import numpy as np
import pytest

import dualdiff
from dualdiff import _array

PATHS = sorted({_array.exp_path(level) for level in (0, 1, 2)})
_array.exp_path(2)  # the best the CPU runs, as at import


@pytest.fixture(params=PATHS)
def path(request):
    best = _array.exp_path()
    _array.exp_path(request.param)
    yield request.param
    _array.exp_path(best)


def _duals(x, tangents):
    return dualdiff.numpy.array([dualdiff.Dual(v, t) for v, t in zip(x, tangents)])


def _ulps(got, x):
    with mpmath.workprec(120):
        ref = [mpmath.exp(mpmath.mpf(float(v))) for v in x]
        return np.array([abs(float((mpmath.mpf(float(g)) - r) / math.ulp(float(r))))
                         for g, r in zip(got, ref)])


def test_values_within_half_an_ulp_and_a_bit(path):
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-708, 708, 1500), rng.uniform(-2, 2, 1500),
                        rng.uniform(-1e-6, 1e-6, 200), [0.0, -0.0, 708.0, -708.0, math.log(2) / 128]])
    for width in (1, 2, 3, 4, 6):
        t = rng.standard_normal((x.size, width))
        y = np.exp(_duals(x, t))
        assert _ulps(y.value, x).max() <= 0.51
        # the derivative of exp is its value: the tangents are e^x t, one rounding each
        np.testing.assert_array_equal(y.tangent, y.value[:, None] * t)


def test_outside_the_normal_range_and_non_finite(path):
    x = np.array([708.5, 709.78, 709.79, 710.0, 1e300, -708.5, -720.0, -745.1, -745.2, -800.0,
                  -1e300, -1.7e308, np.inf, -np.inf, np.nan])
    t = np.ones((x.size, 2))
    t[:, 1] = 0.0
    with np.errstate(over="ignore"):
        y = np.exp(_duals(x, t))
    # these go through libm's exp on every path
    want = [math.nan if math.isnan(v) else math.inf if v >= 709.79 else math.exp(v) for v in x]
    np.testing.assert_array_equal(y.value, want)
    # NaN-safe: a zero tangent stays 0 even where the partial is infinite or NaN
    np.testing.assert_array_equal(y.tangent[:, 1], np.zeros(x.size))
    np.testing.assert_array_equal(y.tangent[:, 0], y.value)


def test_overflow_warns_as_numpy_does(path):
    with pytest.warns(RuntimeWarning, match="overflow"):
        np.exp(_duals([1.0, 800.0], [[1.0], [1.0]]))
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        np.exp(_duals([800.0], [[1.0]]))


def test_every_path_agrees_with_libm_to_one_ulp():
    rng = np.random.default_rng(8)
    x = np.concatenate([rng.uniform(-745, 710, 20000), rng.uniform(-1, 1, 20000)])
    t = rng.standard_normal((x.size, 3))
    best = _array.exp_path()
    try:
        results = {}
        for level in PATHS:
            _array.exp_path(level)
            with np.errstate(over="ignore"):
                results[level] = np.exp(_duals(x, t))
    finally:
        _array.exp_path(best)
    base = results[PATHS[0]].value
    for level in PATHS[1:]:
        v = results[level].value
        np.testing.assert_array_equal(np.isfinite(v), np.isfinite(base))
        fin = np.isfinite(base) & (base > 0)
        assert np.all(np.abs(v[fin] - base[fin]) <= np.array([math.ulp(b) for b in base[fin]]))
