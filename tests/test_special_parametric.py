"""scipy.special's functions of plain parameters and a variable, for dual numbers.

``jv``/``jn``, ``yv``, ``yn``, ``iv``, ``ive``, ``kv``, ``kve``, ``kn``,
``gammainc``, ``gammaincc``, ``betainc``, ``betaincc`` (ufuncs) and
``dualdiff.special.polygamma`` are differentiated in their last argument.
Their derivatives of orders 1 to 4 (Taylor numbers), first and second order
(dual numbers, nested transforms) are checked against mpmath at 40 digits,
at fixed points and at random ones (seed in pytest's header); the singular
points against their limits; and in compositions: the CDFs of
``dualdiff.stats``, sparsity detection, tracing, and SciPy's least_squares.
"""
import math
import warnings

import mpmath as mp
import numpy as np
import pytest

sc = pytest.importorskip("scipy.special")
st = pytest.importorskip("scipy.stats")

import dualdiff  # noqa: E402
from dualdiff import Dual  # noqa: E402
import dualdiff.special as dsp  # noqa: E402
import dualdiff.stats as ds  # noqa: E402

mp.mp.dps = 40
INF = math.inf


def _mp(name, *p):
    """The function of t with parameters p, in mpmath."""
    p = [mp.mpf(q) for q in p]
    if name in ("yv", "yn", "kv", "kn", "kve") and p[0] == int(p[0]):
        # mpmath takes limits at the integer orders of Y and K, which is slow;
        # both are smooth in the order, and 1e-25 away changes them by ~1e-25
        p[0] += mp.mpf("1e-25")
    return {
        "jv": lambda t: mp.besselj(p[0], t),
        "yv": lambda t: mp.bessely(p[0], t),
        "yn": lambda t: mp.bessely(p[0], t),
        "iv": lambda t: mp.besseli(p[0], t),
        "kv": lambda t: mp.besselk(p[0], t),
        "kn": lambda t: mp.besselk(p[0], t),
        "ive": lambda t: mp.besseli(p[0], t) * mp.exp(-abs(t)),
        "kve": lambda t: mp.besselk(p[0], t) * mp.exp(t),
        "gammainc": lambda t: mp.gammainc(p[0], 0, t, regularized=True),
        "gammaincc": lambda t: mp.gammainc(p[0], t, mp.inf, regularized=True),
        "betainc": lambda t: mp.betainc(p[0], p[1], 0, t, regularized=True),
        "betaincc": lambda t: mp.betainc(p[0], p[1], t, 1, regularized=True),
    }[name]


def _draw(name, rng):
    """(parameters..., x) inside the function's domain."""
    if name in ("jv", "yv", "iv"):
        return rng.uniform(-3.0, 6.0), rng.uniform(0.05, 30.0)
    if name in ("yn", "kn"):
        return float(rng.integers(0, 6)), rng.uniform(0.05, 30.0)
    if name in ("kv", "kve", "ive"):
        return rng.uniform(0.0, 5.0), rng.uniform(0.05, 30.0)
    if name in ("gammainc", "gammaincc"):
        a = rng.uniform(0.2, 15.0)
        return a, rng.uniform(0.05, 3.0) * a
    a, b = rng.uniform(0.3, 8.0, 2)
    return a, b, rng.uniform(0.02, 0.98)


FIXED = {
    "jv": [(0.0, 0.7), (1.0, 2.3), (2.5, 9.5), (-0.5, 0.1), (7.3, 27.0)],
    "yv": [(0.0, 0.7), (1.0, 2.3), (2.5, 9.5), (-1.5, 0.1), (3.0, 27.0)],
    "yn": [(0.0, 0.7), (1.0, 2.3), (4.0, 9.5), (2.0, 0.1)],
    "iv": [(0.0, 0.7), (1.0, 2.3), (2.5, 9.5), (-0.5, 0.1), (1.0, 27.0)],
    "kv": [(0.0, 0.7), (0.5, 2.3), (3.0, 9.5), (0.0, 0.1), (3.0, 27.0)],
    "kn": [(0.0, 0.7), (2.0, 2.3), (5.0, 0.2)],
    "ive": [(0.0, 0.7), (1.0, 2.3), (2.5, 9.5), (1.0, 27.0), (1.0, -2.3), (2.0, -0.4)],
    "kve": [(0.0, 0.7), (0.5, 2.3), (3.0, 9.5), (0.0, 27.0)],
    "gammainc": [(0.5, 0.2), (1.0, 1.5), (3.7, 6.0), (12.0, 20.0), (12.0, 0.9)],
    "gammaincc": [(0.5, 0.2), (1.0, 1.5), (3.7, 6.0), (12.0, 20.0)],
    "betainc": [(0.5, 0.5, 0.05), (2.0, 3.5, 0.3), (7.0, 1.2, 0.8), (2.0, 3.5, 0.97)],
    "betaincc": [(0.5, 0.5, 0.05), (2.0, 3.5, 0.3), (7.0, 1.2, 0.97)],
}
NAMES = sorted(FIXED)
# The scaled functions' derivatives are differences of terms the size of the
# function (exp(-x) I' - exp(-x) I for ive), 2^k of them at order k, each
# SciPy's value at its order, and SciPy's ive and kve are up to ~200 ulp off
# at moderate x: the derivatives are accurate to that on the function's scale.
SCALED = ("ive", "kve")
# The unscaled Bessel functions and the SciPy function of each term of their
# order recurrence
BESSEL = {"jv": sc.jv, "yv": sc.yv, "yn": sc.yv, "iv": sc.iv, "kv": sc.kv, "kn": sc.kv}


def _falling(c, j):
    return mp.fprod(c - i for i in range(j)) if j else mp.mpf(1)


def _floor(name, p, k):
    """An absolute tolerance on the scale of the terms that the k-th derivative
    sums (0 where they do not cancel): 1e-14 of the integrands' Leibniz terms
    for the incomplete functions, SciPy's error for the scaled ones."""
    *q, x = [mp.mpf(c) for c in p]
    m = k - 1
    if name in ("gammainc", "gammaincc"):
        a = q[0]
        return 1e-14 * float(sum(mp.binomial(m, j) * abs(_falling(a - 1, j)) * x ** (a - 1 - j)
                                 for j in range(m + 1)) * mp.exp(-x) / mp.gamma(a))
    if name in ("betainc", "betaincc"):
        a, b = q
        return 1e-14 * float(sum(mp.binomial(m, j) * abs(_falling(a - 1, j) * _falling(b - 1, m - j))
                                 * x ** (a - 1 - j) * (1 - x) ** (b - 1 - m + j)
                                 for j in range(m + 1)) / mp.beta(a, b))
    if name in SCALED:
        return 500 * 2.0 ** k * 2.2e-16 * abs(float(_mp(name, *p[:-1])(x)))
    if name in BESSEL:
        # the order recurrence sums C(k, j) 2^-k z(v - k + 2j, x): SciPy's own
        # error in each term (up to ~1e-14 of the envelope near a zero, where
        # its relative error is large) is carried into the sum, which may be
        # small where the terms cancel
        z = BESSEL[name]
        v = float(q[0])
        err = 0.0
        for j in range(k + 1):
            o = v - k + 2 * j
            exact = _mp(name, o)(x)
            err += math.comb(k, j) / 2.0 ** k * (abs(float(z(o, float(x)) - exact))
                                                  + 4 * 2.2e-16 * abs(float(exact)))
        return 2 * err
    return 0.0


def _check(name, p, got, k):
    """got: the k-th derivative at p = (params..., x), against mpmath."""
    *q, x = p
    ref = float(mp.diff(_mp(name, *q), mp.mpf(x), k))
    tol = 1e-11 * abs(ref) + _floor(name, p, k)
    assert abs(got - ref) <= tol, (name, p, k, got, ref)


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_to_fourth_order_match_mpmath(name, rng):
    u = getattr(sc, name)
    for p in FIXED[name] + [_draw(name, rng) for _ in range(3)]:
        *q, x = p
        coeffs = dualdiff.taylor(lambda t: u(*q, t), 4)(x)
        assert coeffs[0] == u(*q, x)  # SciPy's value, unchanged
        for k in range(1, 5):
            _check(name, p, coeffs[k] * math.factorial(k), k)
        # first and second order numbers: the derivative, a nested one, a Hessian
        _check(name, p, dualdiff.derivative(lambda t: u(*q, t))(x), 1)
        _check(name, p, dualdiff.derivative(dualdiff.derivative(lambda t: u(*q, t)))(x), 2)
        h = dualdiff.hessian(lambda z: u(*q, z[0]) * z[1])(np.array([x, 1.0]))
        _check(name, p, h[0, 0], 2)
        _check(name, p, h[0, 1], 1)
        assert h[1, 1] == 0.0


def test_jn_is_jv_and_arrays_broadcast_the_parameters():
    assert sc.jn is sc.jv
    v = np.array([[0.0], [1.0], [2.5]])
    x = np.array([0.4, 1.7, 8.0])
    g = dualdiff.jacobian(lambda t: sc.jv(v, t).sum(axis=0))(x)
    np.testing.assert_allclose(np.diag(g), 0.5 * (sc.jv(v - 1, x) - sc.jv(v + 1, x)).sum(axis=0), rtol=1e-14)
    assert np.count_nonzero(g - np.diag(np.diag(g))) == 0


def test_table_rules_and_parametric_functions_agree():
    # two implementations: the C rules j0, j1, y0, y1, i0, i1, i0e, i1e and the
    # order recurrences over SciPy's values
    x = np.array([0.3, 1.1, 4.0, 17.0, 25.0])
    pairs = [(sc.j0, sc.jv, 0), (sc.j1, sc.jv, 1), (sc.y0, sc.yn, 0), (sc.y1, sc.yv, 1),
             (sc.i0, sc.iv, 0), (sc.i1, sc.iv, 1), (sc.i0e, sc.ive, 0), (sc.i1e, sc.ive, 1)]
    for table, param, n in pairs:
        a = dualdiff.taylor(lambda t: table(t), 3)(x[0])
        b = dualdiff.taylor(lambda t: param(n, t), 3)(x[0])
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
        ha = dualdiff.hessian(lambda t: np.sum(table(t)))(x)
        hb = dualdiff.hessian(lambda t: np.sum(param(n, t)))(x)
        np.testing.assert_allclose(np.diag(ha), np.diag(hb), rtol=1e-11, atol=1e-14 * np.max(np.abs(table(x))))


# ---- the singular points --------------------------------------------------------------

def _d(f, x, k):
    return dualdiff.derivative(f, order=k)(x) if k > 2 else (
        dualdiff.derivative(f)(x) if k == 1 else dualdiff.derivative(dualdiff.derivative(f))(x))


def test_poles_of_y_and_k_at_zero():
    # Y_v(x) ~ -c x^-v and K_v(x) ~ c x^-v at 0+: the k-th derivatives are
    # (-1)^(k+1) inf and (-1)^k inf; the table's y0 has the same convention
    with np.errstate(divide="ignore"):
        for v in (0.0, 1.0, 2.5):
            for k in (1, 2, 3):
                assert _d(lambda t: sc.yv(v, t), 0.0, k) == (-1) ** (k + 1) * INF
                assert _d(lambda t: sc.kv(v, t), 0.0, k) == (-1) ** k * INF
            assert _d(lambda t: sc.yn(int(v), t), 0.0, 1) == INF
        assert _d(lambda t: sc.yn(0, t), 0.0, 1) == _d(sc.y0, 0.0, 1)


def test_bessel_j_and_i_at_zero():
    # J_0 = 1 - x^2/4 + ..., J_1 = x/2 - x^3/16 + ..., I_1 = x/2 + x^3/16
    np.testing.assert_array_equal(dualdiff.taylor(lambda t: sc.jv(0, t), 3)(0.0), [1.0, 0.0, -0.25, 0.0])
    np.testing.assert_array_equal(dualdiff.taylor(lambda t: sc.jv(1, t), 3)(0.0), [0.0, 0.5, 0.0, -1 / 16])
    np.testing.assert_array_equal(dualdiff.taylor(lambda t: sc.iv(1, t), 3)(0.0), [0.0, 0.5, 0.0, 1 / 16])
    # J_1/2(x) = sqrt(2 x / pi) sin(x) / x: an infinite slope at 0
    assert _d(lambda t: sc.jv(0.5, t), 0.0, 1) == INF


def test_scaled_functions_take_the_one_sided_slopes_of_abs_at_zero():
    # ive(0, x) = i0e(x): -1 from the right of +0, +1 from the left of -0, as the table's i0e
    for z in (0.0, -0.0):
        assert _d(lambda t: sc.ive(0, t), z, 1) == _d(sc.i0e, z, 1) == -math.copysign(1.0, z)
        assert _d(lambda t: sc.ive(1, t), z, 1) == 0.5


def test_incomplete_gamma_and_beta_at_the_edges():
    # P(a, x)' = x^(a-1) e^-x / Gamma(a): 1, 0 and inf at x = 0 for a = 1, 2, 1/2
    assert _d(lambda t: sc.gammainc(1.0, t), 0.0, 1) == 1.0
    assert _d(lambda t: sc.gammainc(1.0, t), 0.0, 2) == -1.0
    assert _d(lambda t: sc.gammainc(2.0, t), 0.0, 1) == 0.0
    assert _d(lambda t: sc.gammainc(2.0, t), 0.0, 2) == 1.0
    assert _d(lambda t: sc.gammainc(0.5, t), 0.0, 1) == INF
    assert _d(lambda t: sc.gammaincc(1.0, t), 0.0, 1) == -1.0
    assert _d(lambda t: sc.gammainc(3.0, t), INF, 1) == 0.0
    # I_x(a, b)' = x^(a-1) (1-x)^(b-1) / B(a, b): b at 0 for a = 1, a at 1 for b = 1
    assert _d(lambda t: sc.betainc(1.0, 3.0, t), 0.0, 1) == pytest.approx(3.0, rel=1e-15)
    assert _d(lambda t: sc.betainc(2.5, 1.0, t), 1.0, 1) == pytest.approx(2.5, rel=1e-15)
    assert _d(lambda t: sc.betainc(0.5, 2.0, t), 0.0, 1) == INF
    assert _d(lambda t: sc.betaincc(1.0, 3.0, t), 0.0, 1) == pytest.approx(-3.0, rel=1e-15)


def test_outside_the_domain_values_and_derivatives_are_nan():
    for f, x in ((lambda t: sc.gammainc(2.0, t), -1.0), (lambda t: sc.betainc(2.0, 3.0, t), 1.5),
                 (lambda t: sc.iv(0.5, t), -2.0), (lambda t: sc.kv(1.0, t), -1.0)):
        y = f(Dual(x, 1.0))
        assert math.isnan(sc_value(f, x)) and math.isnan(y.value) and math.isnan(y.tangent)
    # NaN-safe: a direction that does not move the argument gets 0, also at a pole
    g = dualdiff.grad(lambda z: sc.kv(0.0, z[0]) + z[1])(np.array([0.0, 2.0]))
    assert g[0] == -INF and g[1] == 1.0
    h = dualdiff.hessian(lambda z: sc.yv(1.0, z[0]) + z[1] ** 2)(np.array([0.0, 2.0]))
    assert h[0, 0] == -INF and h[0, 1] == h[1, 0] == 0.0 and h[1, 1] == 2.0


def sc_value(f, x):
    with warnings.catch_warnings():
        return f(x)


def test_dual_parameters_and_complex_arguments_are_refused():
    for f in (lambda t: sc.jv(t, 2.0), lambda t: sc.gammainc(t, 2.0), lambda t: sc.betainc(2.0, t, 0.5),
              lambda t: dsp.polygamma(t, 2.0)):
        with pytest.raises(TypeError, match="differentiated in (its last argument|x) only"):
            dualdiff.derivative(f)(1.0)
    with pytest.raises(TypeError, match="last argument only"):
        dualdiff.SparseJacobian(lambda z: sc.kv(z[0], z[1:]))(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError):
        dualdiff.jvp(lambda z: sc.jv(1.0, z), (np.array([1.0 + 1j]),), (np.array([1.0 + 0j]),))


# ---- polygamma --------------------------------------------------------------------------

def test_polygamma_derivatives_match_mpmath(rng):
    for n in (0, 1, 2, 4):
        for x in (0.3, 1.5, 7.0, -2.5, rng.uniform(0.1, 20.0)):
            c = dualdiff.taylor(lambda t: dsp.polygamma(n, t), 3)(x)
            assert c[0] == sc.polygamma(n, x)
            for k in range(1, 4):
                # SciPy's values, which are 1e-10 from the true ones left of 0 (its reflection)
                assert c[k] == sc.polygamma(n + k, x) / math.factorial(k)
                ref = float(mp.polygamma(n + k, x)) / math.factorial(k)
                assert c[k] == pytest.approx(ref, rel=1e-12 if x > 0 else 1e-9), (n, x, k)
    x = np.array([0.5, 2.0, 3.5])
    g = dualdiff.grad(lambda t: np.sum(dsp.polygamma([0, 1, 3], t)))(x)
    np.testing.assert_allclose(g, [float(mp.polygamma(k + 1, v)) for k, v in zip((0, 1, 3), x)], rtol=1e-13)
    np.testing.assert_array_equal(dsp.polygamma(2, x), sc.polygamma(2, x))  # plain input: SciPy's own


# ---- compositions -----------------------------------------------------------------------

def test_cdfs_of_dualdiff_stats_have_the_density_as_derivative():
    x = np.array([0.2, 0.9, 2.5, 7.0])
    for cdf, pdf, args in ((ds.gamma.cdf, st.gamma.pdf, (2.5,)), (ds.chi2.cdf, st.chi2.pdf, (3.0,)),
                           (ds.t.cdf, st.t.pdf, (4.5,)), (ds.beta.cdf, st.beta.pdf, (2.0, 3.5))):
        pts = x / 8 if cdf is ds.beta.cdf else x
        g = dualdiff.jacobian(lambda v: cdf(v, *args, loc=0.1, scale=1.3))(pts)
        np.testing.assert_allclose(np.diag(g), pdf(pts, *args, loc=0.1, scale=1.3), rtol=1e-12)
        np.testing.assert_array_equal(cdf(Dual(pts[1], 1.0), *args, loc=0.1, scale=1.3).value,
                                      getattr(st, cdf.__self__.name).cdf(pts[1], *args, loc=0.1, scale=1.3))
    # poisson: d/dmu P(K <= k) = -pmf(k; mu)
    k = np.arange(6.0)
    d = dualdiff.derivative(lambda mu: ds.poisson.cdf(k, mu))(2.5)
    np.testing.assert_allclose(d, -st.poisson.pmf(k, 2.5), rtol=1e-13)
    # the shape parameters are not differentiated: the error names the function
    with pytest.raises(TypeError, match=r"scipy\.special\.gammainc is differentiated in its last"):
        dualdiff.derivative(lambda a: ds.gamma.cdf(1.0, a))(2.0)


def test_sparsity_detection_and_tracing_give_the_dense_numbers():
    v = np.array([0.5, 1.0, 2.0, 3.0])

    def f(x):
        return sc.jv(v, x) * x[::-1] + sc.gammainc(2.0, x ** 2) + sc.betainc(2.0, 3.0, x / 8)

    x = np.array([0.4, 1.3, 2.2, 5.0])
    J = dualdiff.SparseJacobian(f)(x).toarray()
    np.testing.assert_array_equal(J, dualdiff.jacobian(f)(x))
    assert np.count_nonzero(J) == 8  # the diagonal and the anti-diagonal
    s = lambda x: np.sum(f(x))  # noqa: E731
    H = dualdiff.SparseHessian(s)(x).toarray()
    np.testing.assert_array_equal(H, dualdiff.hessian(s)(x))
    assert np.count_nonzero(H) == 8
    # tracing has no record of SciPy's functions of parameters: f runs on Duals, with a warning
    traced = dualdiff.trace(s)
    with pytest.warns(dualdiff.TraceWarning, match="cannot be recorded"):
        g = dualdiff.grad(traced)(x)
    np.testing.assert_array_equal(g, dualdiff.grad(s)(x))


def test_least_squares_fits_the_scale_of_a_gamma_cdf():
    from scipy.optimize import least_squares
    t = np.linspace(0.2, 8.0, 25)
    a, theta = 2.7, 1.9
    data = sc.gammainc(a, t / theta)

    def residuals(p):
        return sc.gammainc(a, t / p[0]) - data

    fit = least_squares(residuals, [1.0], jac=dualdiff.jacobian(residuals), xtol=1e-14, ftol=1e-14)
    assert fit.x[0] == pytest.approx(theta, rel=1e-8)
    # the Jacobian at the start: d/dp P(a, t/p) = -t/p^2 x density
    J = dualdiff.jacobian(residuals)(np.array([1.0]))
    np.testing.assert_allclose(J[:, 0], -t * st.gamma.pdf(t, a), rtol=1e-13)


def test_taylor_series_of_high_degree_match_mpmath():
    for name, p in (("jv", (1.5, 3.0)), ("gammainc", (2.5, 1.2)), ("kv", (0.5, 2.0))):
        *q, x = p
        got = dualdiff.taylor(lambda t: getattr(sc, name)(*q, t), 10)(x)
        ref = [float(c) for c in mp.taylor(_mp(name, *q), mp.mpf(x), 10)]
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-15)
