"""dualdiff.stats: values against scipy.stats, derivatives against closed forms,
mpmath and differences of scipy.stats, second order against differences of
first order, broadcasting, the edges of supports and parameters, and a
maximum-likelihood fit with scipy.optimize.

The CDFs of t, chi2, gamma, beta and poisson are scipy.special's incomplete
gamma and beta functions of their arguments, differentiated in x, loc and
scale (mu for poisson), not in the shape parameters."""
import subprocess
import sys

import mpmath
import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as st
from scipy import optimize

import dualdiff
import dualdiff.stats as ds
from dualdiff import Dual



# ---- points -----------------------------------------------------------------------------

def _points(rng, kind, n):
    return {
        "x": lambda: rng.normal(size=n) * 2.0,
        "loc": lambda: rng.normal(size=n) * 0.5,
        "scale": lambda: rng.uniform(0.5, 2.0, n),
        "df": lambda: rng.uniform(0.8, 10.0, n),
        "shape": lambda: rng.uniform(0.6, 5.0, n),
        "pos": lambda: rng.gamma(2.0, 1.0, n) + 0.1,
        "negloc": lambda: -rng.uniform(0.0, 0.1, n),
        "unit": lambda: rng.uniform(0.05, 0.95, n),
        "q": lambda: rng.uniform(0.05, 0.95, n),
        "k": lambda: rng.integers(0, 9, n).astype(float),
        "mu": lambda: rng.uniform(0.5, 6.0, n),
    }[kind]()


# (distribution, method, kinds of its arguments, the arguments it differentiates in)
SMOOTH = [
    ("norm", "pdf", ("x", "loc", "scale"), (0, 1, 2)),
    ("norm", "logpdf", ("x", "loc", "scale"), (0, 1, 2)),
    ("norm", "cdf", ("x", "loc", "scale"), (0, 1, 2)),
    ("norm", "logcdf", ("x", "loc", "scale"), (0, 1, 2)),
    ("norm", "sf", ("x", "loc", "scale"), (0, 1, 2)),
    ("norm", "logsf", ("x", "loc", "scale"), (0, 1, 2)),
    ("norm", "ppf", ("q", "loc", "scale"), (0, 1, 2)),
    ("t", "pdf", ("x", "df", "loc", "scale"), (0, 1, 2, 3)),
    ("t", "logpdf", ("x", "df", "loc", "scale"), (0, 1, 2, 3)),
    ("chi2", "pdf", ("pos", "df", "negloc", "scale"), (0, 1, 2, 3)),
    ("chi2", "logpdf", ("pos", "df", "negloc", "scale"), (0, 1, 2, 3)),
    ("gamma", "pdf", ("pos", "shape", "negloc", "scale"), (0, 1, 2, 3)),
    ("gamma", "logpdf", ("pos", "shape", "negloc", "scale"), (0, 1, 2, 3)),
    ("beta", "pdf", ("unit", "shape", "shape"), (0, 1, 2)),
    ("beta", "logpdf", ("unit", "shape", "shape"), (0, 1, 2)),
    ("poisson", "pmf", ("k", "mu"), (1,)),
    ("poisson", "logpmf", ("k", "mu"), (1,)),
]
CDFS = [
    ("t", "cdf", ("x", "df", "loc", "scale"), (0, 2, 3)),
    ("t", "logcdf", ("x", "df", "loc", "scale"), (0, 2, 3)),
    ("chi2", "cdf", ("pos", "df", "negloc", "scale"), (0, 2, 3)),
    ("gamma", "cdf", ("pos", "shape", "negloc", "scale"), (0, 2, 3)),
    ("beta", "cdf", ("unit", "shape", "shape"), (0,)),
    ("poisson", "cdf", ("k", "mu"), (1,)),
]
ALL = SMOOTH + CDFS


def _ids(case):
    return f"{case[0]}.{case[1]}"


def _ulps(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore"):
        return np.max(np.where(same, 0.0, np.abs(a - b) / np.spacing(np.abs(b))), initial=0.0)


def _methods(case):
    name, method = case[:2]
    return getattr(getattr(ds, name), method), getattr(getattr(st, name), method)


def _elementwise_derivative(f, args, i):
    """d f / d args[i], element by element (f acts elementwise): one jvp."""
    def g(a):
        return f(*args[:i], a, *args[i + 1:])
    return dualdiff.jvp(g, args[i], np.ones_like(args[i]))[1]


def _richardson(f, args, i, kind=None, rel=1e-3):
    """Central differences of f in args[i], extrapolated (error O(h^4)).

    The step is relative to the distance from the edge of the support where
    there is one (a point 0.05 inside (0, 1) with a step of 1e-3 leaves an
    error near 1e-7 for the steep beta pdf)."""
    a = args[i]
    scale = np.maximum(1.0, np.abs(a))
    if kind == "unit":
        scale = np.minimum(scale, np.minimum(a, 1.0 - a))
    h = rel * scale

    def central(h):
        plus = f(*args[:i], a + h, *args[i + 1:])
        minus = f(*args[:i], a - h, *args[i + 1:])
        return (plus - minus) / (2 * h)

    return (4 * central(h / 2) - central(h)) / 3


# ---- values --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ALL, ids=_ids)
def test_values_equal_scipy_on_plain_input(case, rng):
    ours, theirs = _methods(case)
    args = [_points(rng, kind, 50) for kind in case[2]]
    assert _ulps(ours(*args), theirs(*args)) <= 2
    scalar = ours(*[float(a[0]) for a in args])
    assert type(scalar) is np.float64
    assert _ulps(scalar, theirs(*[a[0] for a in args])) <= 2
    assert ours(*[list(a[:3]) for a in args]).shape == (3,)


EDGE_X = np.array([-np.inf, -1.0, 0.0, 0.5, 1.0, 2.0, np.inf, np.nan])
EDGE_P = [np.nan, -1.0, 0.0, 0.5, 1.0, 2.5, np.inf]


@pytest.mark.parametrize("case", ALL, ids=_ids)
def test_values_at_edges_equal_scipy(case):
    # Outside the support, at its edges, infinite and NaN arguments, bad parameters.
    ours, theirs = _methods(case)
    nshape = {"norm": 0, "t": 1, "chi2": 1, "gamma": 1, "beta": 2, "poisson": 1}[case[0]]
    x = np.linspace(0.0, 1.0, 6) if case[1] == "ppf" else EDGE_X
    for p in EDGE_P:
        for extra in ((), (0.5,), (0.0, -1.0), (0.0, 0.0), (0.3, np.nan), (0.0, 2.0)):
            if case[0] == "poisson" and len(extra) > 1:
                continue
            args = (x,) + (p,) * nshape + extra
            with np.errstate(all="ignore"):
                want = theirs(*args)
            got = ours(*args)
            assert type(got) is type(want) and got.shape == want.shape
            assert _ulps(got, want) <= 2, (args, got, want)


# ---- first derivatives ---------------------------------------------------------------------

@pytest.mark.parametrize("case", ALL, ids=_ids)
def test_first_derivatives_match_differences_of_scipy(case, rng):
    ours, theirs = _methods(case)
    args = [_points(rng, kind, 6) for kind in case[2]]
    for i in case[3]:
        got = _elementwise_derivative(ours, args, i)
        want = _richardson(theirs, args, i, case[2][i])
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-11, err_msg=f"argument {i}")


def test_norm_first_derivatives_closed_form(rng):
    x, loc, s = rng.normal(size=5), rng.normal(size=5), rng.uniform(0.5, 2, 5)
    r = x - loc
    d = [_elementwise_derivative(ds.norm.logpdf, [x, loc, s], i) for i in range(3)]
    np.testing.assert_allclose(d[0], -r / s ** 2, rtol=1e-14)
    np.testing.assert_allclose(d[1], r / s ** 2, rtol=1e-14)
    np.testing.assert_allclose(d[2], -1 / s + r ** 2 / s ** 3, rtol=1e-13)
    pdf = st.norm.pdf(x, loc, s)
    np.testing.assert_allclose(_elementwise_derivative(ds.norm.pdf, [x, loc, s], 0), -r / s ** 2 * pdf,
                               rtol=1e-13)
    np.testing.assert_allclose(_elementwise_derivative(ds.norm.cdf, [x, loc, s], 0), pdf, rtol=1e-14)
    np.testing.assert_allclose(_elementwise_derivative(ds.norm.sf, [x, loc, s], 0), -pdf, rtol=1e-14)
    np.testing.assert_allclose(_elementwise_derivative(ds.norm.logcdf, [x, loc, s], 0),
                               pdf / st.norm.cdf(x, loc, s), rtol=1e-13)
    np.testing.assert_allclose(_elementwise_derivative(ds.norm.logsf, [x, loc, s], 0),
                               -pdf / st.norm.sf(x, loc, s), rtol=1e-13)
    q = rng.uniform(0.01, 0.99, 5)
    xq = st.norm.ppf(q, loc, s)
    dq = [_elementwise_derivative(ds.norm.ppf, [q, loc, s], i) for i in range(3)]
    np.testing.assert_allclose(dq[0], 1 / st.norm.pdf(xq, loc, s), rtol=1e-13)
    np.testing.assert_allclose(dq[1], 1.0, rtol=0)
    np.testing.assert_allclose(dq[2], sc.ndtri(q), rtol=1e-15)


def _close_terms(got, terms, rtol):
    """got against the sum of the closed form's terms, with an absolute tolerance
    on the scale of the terms: the sums cancel at some points (a derivative's
    zero), where a relative tolerance would ask for more than either side has."""
    terms = [np.asarray(t, dtype=float) for t in terms]
    want = sum(terms)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.max(sum(np.abs(t) for t in terms)))


def test_shape_derivatives_closed_forms(rng):
    # d/dshape of the log-densities through the digamma function (SciPy's).
    z, nu = rng.normal(size=5), rng.uniform(0.8, 10, 5)
    _close_terms(_elementwise_derivative(ds.t.logpdf, [z, nu], 1),
                 [0.5 * sc.digamma((nu + 1) / 2), -0.5 * sc.digamma(nu / 2), -0.5 / nu,
                  -0.5 * np.log1p(z * z / nu), (nu + 1) / 2 * z * z / (nu * nu + nu * z * z)], 1e-12)
    np.testing.assert_allclose(_elementwise_derivative(ds.t.logpdf, [z, nu], 0),
                               -(nu + 1) * z / (nu + z * z), rtol=1e-14)
    x, a = rng.gamma(2.0, 1.0, 5) + 0.1, rng.uniform(0.6, 5, 5)
    _close_terms(_elementwise_derivative(ds.gamma.logpdf, [x, a], 1), [np.log(x), -sc.digamma(a)], 1e-13)
    _close_terms(_elementwise_derivative(ds.gamma.logpdf, [x, a], 0), [(a - 1) / x, -np.ones(5)], 1e-14)
    _close_terms(_elementwise_derivative(ds.chi2.logpdf, [x, 2 * a], 1),
                 [0.5 * np.log(x), -0.5 * sc.digamma(a), -0.5 * np.log(2.0) * np.ones(5)], 1e-13)
    u, b = rng.uniform(0.05, 0.95, 5), rng.uniform(0.6, 5, 5)
    _close_terms(_elementwise_derivative(ds.beta.logpdf, [u, a, b], 1),
                 [np.log(u), -sc.digamma(a), sc.digamma(a + b)], 1e-12)
    _close_terms(_elementwise_derivative(ds.beta.logpdf, [u, a, b], 2),
                 [np.log1p(-u), -sc.digamma(b), sc.digamma(a + b)], 1e-12)
    k, mu = rng.integers(0, 9, 5).astype(float), rng.uniform(0.5, 6, 5)
    _close_terms(_elementwise_derivative(ds.poisson.logpmf, [k, mu], 1), [k / mu, -np.ones(5)], 1e-14)
    pmf = st.poisson.pmf(k, mu)
    _close_terms(_elementwise_derivative(ds.poisson.pmf, [k, mu], 1), [k / mu * pmf, -pmf], 1e-13)


def test_t_and_beta_shape_derivatives_against_mpmath():
    mpmath.mp.dps = 40

    def t_logpdf(x, nu):
        return (mpmath.loggamma((nu + 1) / 2) - mpmath.loggamma(nu / 2) - mpmath.log(nu * mpmath.pi) / 2
                - (nu + 1) / 2 * mpmath.log(1 + x * x / nu))

    def beta_logpdf(x, a, b):
        return (a - 1) * mpmath.log(x) + (b - 1) * mpmath.log(1 - x) - mpmath.log(mpmath.beta(a, b))

    # Large df: the derivative is about 1/df^2, a difference of terms about 1/df.
    for x, nu, rtol in [(0.3, 1.5, 1e-14), (-2.5, 4.0, 1e-14), (7.0, 30.0, 1e-14), (0.0, 0.9, 1e-14),
                        (0.5, 19.0, 1e-12), (0.5, 21.0, 1e-12), (3.0, 300.0, 1e-12), (0.5, 3e4, 1e-10)]:
        want = float(mpmath.diff(lambda v: t_logpdf(mpmath.mpf(x), v), mpmath.mpf(nu)))
        got = dualdiff.derivative(lambda v: ds.t.logpdf(x, v))(nu)
        assert abs(got - want) <= rtol * abs(want), (x, nu, got, want)
        want2 = float(mpmath.diff(lambda v: t_logpdf(mpmath.mpf(x), v), mpmath.mpf(nu), 2))
        got2 = dualdiff.hessian(lambda v: ds.t.logpdf(x, v))(nu)
        assert abs(got2 - want2) <= 10 * rtol * abs(want2), (x, nu, got2, want2)
    for x, a, b in [(0.2, 0.7, 3.0), (0.9, 12.0, 1.5)]:
        for i in (1, 2):
            want = mpmath.diff(lambda v: beta_logpdf(mpmath.mpf(x), *((v, mpmath.mpf(b)) if i == 1
                                                                  else (mpmath.mpf(a), v))),
                               mpmath.mpf(a if i == 1 else b))
            got = dualdiff.derivative(lambda v: ds.beta.logpdf(x, *((v, b) if i == 1 else (a, v))))(
                a if i == 1 else b)
            assert abs(got - float(want)) <= 1e-13 * max(1.0, abs(float(want)))


# ---- second order --------------------------------------------------------------------------

SECOND = [
    ("norm", "logpdf", lambda p, d: ds.norm.logpdf(d, p[0], p[1]), [0.3, 1.4]),
    ("norm", "cdf", lambda p, d: ds.norm.cdf(d, p[0], p[1]), [0.3, 1.4]),
    ("norm", "logcdf", lambda p, d: ds.norm.logcdf(d, p[0], p[1]), [0.3, 1.4]),
    ("norm", "ppf", lambda p, d: ds.norm.ppf(d / 10 + 0.5, p[0], p[1]), [0.3, 1.4]),
    ("t", "logpdf", lambda p, d: ds.t.logpdf(d, p[0], p[1], p[2]), [3.5, 0.2, 1.3]),
    ("t", "pdf", lambda p, d: ds.t.pdf(d, p[0], p[1], p[2]), [3.5, 0.2, 1.3]),
    ("chi2", "logpdf", lambda p, d: ds.chi2.logpdf(np.abs(d) + 0.2, p[0], 0.0, p[1]), [3.3, 1.2]),
    ("gamma", "logpdf", lambda p, d: ds.gamma.logpdf(np.abs(d) + 0.2, p[0], p[1], p[2]), [2.2, -0.1, 1.2]),
    ("beta", "logpdf", lambda p, d: ds.beta.logpdf(sc.expit(d), p[0], p[1]), [2.2, 3.1]),
    ("beta", "pdf", lambda p, d: ds.beta.pdf(sc.expit(d), p[0], p[1]), [2.2, 3.1]),
    ("poisson", "logpmf", lambda p, d: ds.poisson.logpmf(np.round(np.abs(d) * 3), p[0]), [2.5]),
    ("dirichlet", "logpdf", lambda p, d: ds.dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), p), [1.5, 2.5, 0.7]),
]


@pytest.mark.parametrize("name, method, f, p", SECOND, ids=[f"{c[0]}.{c[1]}" for c in SECOND])
def test_hessian_matches_differences_of_the_gradient(name, method, f, p, rng):
    data = rng.normal(size=7)

    def total(p):
        return np.sum(f(p, data))

    H = dualdiff.hessian(total)(np.array(p))
    g = dualdiff.grad(total)
    p = np.array(p)
    for j in range(len(p)):
        h = 1e-3 * max(1.0, abs(p[j]))
        e = np.zeros_like(p)
        e[j] = 1.0

        def central(h):
            return (g(p + h * e) - g(p - h * e)) / (2 * h)

        want = (4 * central(h / 2) - central(h)) / 3
        np.testing.assert_allclose(H[:, j], want, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-14)


def test_mvn_hessian_in_mean_is_minus_the_precision(rng):
    A = rng.normal(size=(3, 3))
    cov = A @ A.T + np.eye(3)
    x = rng.normal(size=(6, 3))
    H = dualdiff.hessian(lambda m: np.sum(ds.multivariate_normal.logpdf(x, m, cov)))(np.zeros(3))
    want = -6 * np.linalg.inv(cov)
    # Entries much smaller than the matrix carry its rounding: tolerance on its scale.
    np.testing.assert_allclose(H, want, rtol=1e-12, atol=1e-13 * np.max(np.abs(want)))


def test_nested_jacobian_of_grad_equals_hessian():
    data = np.array([0.3, -1.2, 0.8, 2.1, -0.4])

    def f(p):
        return np.sum(ds.t.logpdf(data, p[0], p[1], p[2]))

    p = np.array([4.0, 0.1, 1.3])
    np.testing.assert_allclose(dualdiff.jacobian(dualdiff.grad(f))(p), dualdiff.hessian(f)(p), rtol=1e-13)


# ---- broadcasting and argument forms -------------------------------------------------------

@pytest.mark.parametrize("name, method, kinds", [
    ("norm", "logpdf", ("x", "loc", "scale")),
    ("t", "pdf", ("x", "df", "loc", "scale")),
    ("gamma", "logpdf", ("pos", "shape", "negloc", "scale")),
    ("beta", "pdf", ("unit", "shape", "shape")),
    ("poisson", "logpmf", ("k", "mu")),
])
def test_broadcasting_of_array_parameters(name, method, kinds, rng):
    shapes = [(4, 3), (1, 3), (4, 1), (3,)]
    args = [_points(rng, kind, int(np.prod(shapes[i]))).reshape(shapes[i]) for i, kind in enumerate(kinds)]
    ours, theirs = getattr(getattr(ds, name), method), getattr(getattr(st, name), method)
    assert _ulps(ours(*args), theirs(*args)) <= 2
    full = [np.broadcast_to(a, (4, 3)).copy() for a in args]
    for i in range(len(args)):  # d/d(array): each output entry it broadcasts to, 0 elsewhere
        J = dualdiff.jacobian(lambda a: ours(*args[:i], a, *args[i + 1:]))(args[i])
        assert J.shape == (4, 3) + args[i].shape
        each = _elementwise_derivative(ours, full, i) if i or name != "poisson" else np.zeros((4, 3))
        owner = np.broadcast_to(np.arange(args[i].size).reshape(args[i].shape), (4, 3))
        want = np.zeros((4, 3, args[i].size))
        for r in range(4):
            for c in range(3):
                want[r, c, owner[r, c]] = each[r, c]
        np.testing.assert_allclose(J.reshape(4, 3, -1), want, rtol=1e-13, atol=0)


def test_argument_forms_and_result_types():
    assert isinstance(ds.norm.logpdf(Dual(0.5, 1.0)), Dual)
    assert isinstance(ds.gamma.pdf(2.0, a=Dual(2.0, 1.0)), Dual)
    r = ds.norm.logpdf([Dual(0.5, 1.0), 1.0], 0.0, 2.0)
    assert isinstance(r, dualdiff.DualArray) and r.shape == (2,)
    np.testing.assert_allclose(r.value, st.norm.logpdf([0.5, 1.0], 0.0, 2.0), rtol=1e-15)
    assert r.tangent[0, 0] == -0.5 / 4 and r.tangent[1, 0] == 0.0
    assert ds.gamma.logpdf(2.0, 3.0, 0.5, 2.0) == st.gamma.logpdf(2.0, 3.0, 0.5, 2.0)
    assert ds.gamma.logpdf(2.0, 3.0, scale=2.0) == st.gamma.logpdf(2.0, 3.0, scale=2.0)
    assert ds.poisson.pmf(3, 2) == st.poisson.pmf(3, 2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'sigma'"):
        ds.norm.pdf(1.0, sigma=2.0)
    with pytest.raises(TypeError, match="missing required argument 'a'"):
        ds.gamma.pdf(1.0)
    with pytest.raises(TypeError, match="multiple values for argument 'loc'"):
        ds.norm.pdf(1.0, 0.0, loc=1.0)
    with pytest.raises(TypeError, match="real numbers"):
        ds.norm.pdf(np.array([1j]))
    assert repr(ds.norm) == "<dualdiff.stats.norm>"


def test_importing_dualdiff_does_not_import_the_scipy_modules(tmp_path):
    # dualdiff.stats, .special, .linalg, .integrate, .signal and the rules of scipy.special's functions
    # of parameters import SciPy (about half a second): only when asked for. (From
    # a scratch directory: "python -c" puts the working directory first on the
    # path, and a source checkout's package is not compiled.)
    names = ["dualdiff.stats", "dualdiff.special", "dualdiff.linalg", "dualdiff.integrate",
             "dualdiff.signal", "dualdiff._parametric", "scipy"]
    code = f"import sys, dualdiff; print(*[n in sys.modules for n in {names!r}])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tmp_path)
    assert out.stdout.split() == ["False"] * len(names)


# ---- edges with derivatives ----------------------------------------------------------------

def test_outside_the_support_the_derivative_is_zero():
    for f, p in [(lambda p: ds.gamma.logpdf(-1.0, p[0], p[1], p[2]), [2.0, 0.0, 1.0]),
                 (lambda p: ds.gamma.pdf(-1.0, p[0], p[1], p[2]), [2.0, 0.0, 1.0]),
                 (lambda p: ds.beta.pdf(1.5, p[0], p[1]), [2.0, 3.0]),
                 (lambda p: ds.chi2.logpdf(p[1] - 0.5, p[0]), [3.0, 0.2]),
                 (lambda p: ds.poisson.logpmf(2.5, p[0]), [2.0]),
                 (lambda p: ds.norm.logpdf(np.inf, p[0], p[1]), [0.0, 1.0])]:
        v, g = dualdiff.value_and_grad(f)(p)
        assert v in (0.0, -np.inf)
        assert np.all(g == 0.0), g


def test_bad_parameters_give_nan_derivatives_only_where_arguments_move():
    v, g = dualdiff.value_and_grad(lambda p: ds.norm.logpdf(1.0, p[0], p[1]) + p[2])([0.0, -1.0, 2.0])
    assert np.isnan(v) and np.isnan(g[0]) and np.isnan(g[1]) and g[2] == 1.0
    v, g = dualdiff.value_and_grad(lambda p: ds.t.pdf(p[0], p[1]))([0.5, -2.0])
    assert np.isnan(v) and np.all(np.isnan(g))
    v, g = dualdiff.value_and_grad(lambda p: ds.gamma.logpdf(p[0], p[1]))([np.nan, 2.0])
    assert np.isnan(v) and np.all(np.isnan(g))
    g = dualdiff.grad(lambda p: np.sum(ds.norm.logpdf([1.0, 2.0], p[0], np.array([1.0, -1.0]))))([0.0])
    assert np.isnan(g[0])
    g = dualdiff.grad(lambda p: np.sum(ds.norm.logpdf([1.0, 2.0], p[0], np.array([1.0, 2.0]))))([0.0])
    assert g[0] == 1.0 + 2.0 / 4.0
    v, g = dualdiff.value_and_grad(lambda p: ds.norm.logpdf(1.0, 0.0, p[0]) + p[1], nan_safe=False)([-1.0, 2.0])
    assert np.isnan(v) and np.isnan(g[0])


def test_derivatives_at_the_edge_of_the_support_are_one_sided():
    # The exponential density exp(-x) at x = 0: derivative -1 from inside.
    assert dualdiff.derivative(lambda x: ds.gamma.pdf(x, 1.0))(0.0) == -1.0
    assert dualdiff.derivative(lambda x: ds.gamma.logpdf(x, 1.0))(0.0) == -1.0
    # beta(1, 2) has density 2 (1 - x): slope -2 at both edges.
    assert dualdiff.derivative(lambda x: ds.beta.pdf(x, 1.0, 2.0))(0.0) == pytest.approx(-2.0, rel=1e-15)
    assert dualdiff.derivative(lambda x: ds.beta.logpdf(x, 2.0, 1.0))(1.0) == pytest.approx(1.0, rel=1e-15)
    # the quantile at probability 0: -inf, with the limits of the derivatives.
    v, g = dualdiff.value_and_grad(lambda p: ds.norm.ppf(p[0], p[1], p[2]))([0.0, 0.5, 2.0])
    assert v == -np.inf and g[0] == np.inf and g[1] == 1.0 and g[2] == -np.inf
    v, g = dualdiff.value_and_grad(lambda p: ds.norm.ppf(p[0], p[1], p[2]))([1.5, 0.5, 2.0])
    assert np.isnan(v) and np.all(np.isnan(g))


# ---- log-likelihoods -----------------------------------------------------------------------

def test_grad_of_a_log_likelihood_in_loc_and_scale(rng):
    data = rng.normal(1.0, 2.0, size=40)

    def loglik(theta):
        loc, scale = theta
        return np.sum(ds.norm.logpdf(data, loc, scale))

    mu, s = 0.7, 1.8
    r = data - mu
    want = [np.sum(r) / s ** 2, -len(data) / s + np.sum(r ** 2) / s ** 3]
    # both sums cancel near the optimum: tolerance on the scale of their terms
    tol = dict(rtol=1e-13, atol=1e-13 * (len(data) / s + np.sum(r ** 2) / s ** 3))
    np.testing.assert_allclose(dualdiff.grad(loglik)([mu, s]), want, **tol)
    np.testing.assert_allclose(dualdiff.grad(loglik)(np.array([mu, s])), want, **tol)
    H = dualdiff.hessian(loglik)([mu, s])
    want_H = [[-len(data) / s ** 2, -2 * np.sum(r) / s ** 3],
              [-2 * np.sum(r) / s ** 3, len(data) / s ** 2 - 3 * np.sum(r ** 2) / s ** 4]]
    np.testing.assert_allclose(H, want_H, rtol=1e-12)


def test_minimize_fits_a_normal_distribution(rng):
    data = rng.normal(3.0, 0.5, size=200)

    def nll(p):  # p = (mean, log scale)
        return -np.sum(ds.norm.logpdf(data, p[0], np.exp(p[1])))

    res = optimize.minimize(nll, [0.0, 0.0], jac=dualdiff.grad(nll), method="BFGS")
    assert res.success
    np.testing.assert_allclose(res.x, [np.mean(data), np.log(np.std(data))], rtol=1e-5)
    res = optimize.minimize(nll, [0.0, 0.0], jac=dualdiff.grad(nll), hess=dualdiff.hessian(nll),
                            method="trust-exact", options={"gtol": 1e-10})
    np.testing.assert_allclose(res.x, [np.mean(data), np.log(np.std(data))], rtol=1e-7)


# ---- the multivariate normal distribution ---------------------------------------------------

def _spd(rng, n):
    A = rng.normal(size=(n, n))
    return A @ A.T + np.eye(n)


def _lower_gradient(G):
    """The gradient in cov's entries of a function of cov that reads its lower
    triangle, from the gradient G of the same function on symmetric matrices."""
    n = len(G)
    out = np.zeros_like(G)
    for i in range(n):
        for j in range(i + 1):
            out[i, j] = G[i, j] if i == j else G[i, j] + G[j, i]
    return out


def test_mvn_values_equal_scipy(rng):
    cov, mean, x = _spd(rng, 4), rng.normal(size=4), rng.normal(size=(5, 4))
    for method in ("pdf", "logpdf"):
        ours, theirs = getattr(ds.multivariate_normal, method), getattr(st.multivariate_normal, method)
        assert _ulps(ours(x, mean, cov), theirs(x, mean, cov)) <= 4
        assert type(ours(x[0], mean, cov)) is np.float64
        assert _ulps(ours(0.3, 0.1, 2.0), theirs(0.3, 0.1, 2.0)) <= 2
        assert _ulps(ours(x[:, 0], None, 2.0), theirs(x[:, 0], None, 2.0)) <= 2
        assert _ulps(ours(x, mean, np.diag(cov)), theirs(x, mean, np.diag(cov))) <= 4
    assert _ulps(ds.multivariate_normal.entropy(mean, cov), st.multivariate_normal.entropy(mean, cov)) <= 4
    # A dual cov takes a Cholesky factor: the same values to rounding.
    v = ds.multivariate_normal.logpdf(x, mean, dualdiff.numpy.array(cov) * Dual(1.0, 0.0))
    np.testing.assert_allclose(v.value, st.multivariate_normal.logpdf(x, mean, cov), rtol=1e-13)


def test_mvn_first_derivatives_closed_form(rng):
    cov, mean, x = _spd(rng, 3), rng.normal(size=3), rng.normal(size=3)
    P = np.linalg.inv(cov)
    d = x - mean
    f = ds.multivariate_normal.logpdf
    np.testing.assert_allclose(dualdiff.grad(lambda v: f(v, mean, cov))(x), -P @ d, rtol=1e-12)
    np.testing.assert_allclose(dualdiff.grad(lambda m: f(x, m, cov))(mean), P @ d, rtol=1e-12)
    G = -0.5 * (P - np.outer(P @ d, P @ d))
    np.testing.assert_allclose(dualdiff.grad(lambda c: f(x, mean, c))(cov), _lower_gradient(G),
                               rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(dualdiff.grad(lambda c: ds.multivariate_normal.entropy(mean, c))(cov),
                               _lower_gradient(0.5 * P), rtol=1e-12, atol=1e-15)
    p = st.multivariate_normal.pdf(x, mean, cov)
    np.testing.assert_allclose(dualdiff.grad(lambda v: ds.multivariate_normal.pdf(v, mean, cov))(x),
                               -p * (P @ d), rtol=1e-12)
    # cov = I: equal eigenvalues are no trouble for the Cholesky factor.
    np.testing.assert_allclose(dualdiff.grad(lambda c: f(x, mean, c))(np.eye(3)),
                               _lower_gradient(-0.5 * (np.eye(3) - np.outer(d, d))), rtol=1e-13, atol=1e-15)


def test_mvn_derivatives_match_differences_of_scipy(rng):
    cov, mean, x = _spd(rng, 3), rng.normal(size=3), rng.normal(size=(4, 3))
    ours = dualdiff.jacobian(lambda c: ds.multivariate_normal.logpdf(x, mean, c))(cov)
    for i in range(3):
        for j in range(3):
            e = np.zeros((3, 3))
            e[i, j] = 1.0
            h = 1e-4
            fd = lambda h: (st.multivariate_normal.logpdf(x, mean, cov + h * e)  # noqa: E731
                            - st.multivariate_normal.logpdf(x, mean, cov - h * e)) / (2 * h)
            np.testing.assert_allclose(ours[:, i, j], (4 * fd(h / 2) - fd(h)) / 3, rtol=1e-7, atol=1e-10)


def test_mvn_singular_covariance(rng):
    cov = np.diag([1.0, 2.0, 0.0])
    mean = np.array([0.1, 0.2, 0.3])
    x = np.array([[0.5, -0.4, 0.3], [0.5, -0.4, 0.9]])  # the second leaves the support
    for method in ("pdf", "logpdf"):
        want = getattr(st.multivariate_normal, method)(x, mean, cov, allow_singular=True)
        got = getattr(ds.multivariate_normal, method)(x, mean, cov, allow_singular=True)
        assert _ulps(got, want) <= 4
    g = dualdiff.grad(lambda v: ds.multivariate_normal.logpdf(v, mean, cov, allow_singular=True))(x[0])
    np.testing.assert_allclose(g, [-0.4, 0.3, 0.0], rtol=1e-14, atol=1e-16)
    with pytest.raises(np.linalg.LinAlgError, match="allow_singular"):
        ds.multivariate_normal.logpdf(x, mean, cov)
    with pytest.raises(ValueError, match="positive semidefinite"):
        ds.multivariate_normal.logpdf(x, mean, np.diag([1.0, -1.0, 1.0]))
    with pytest.raises(NotImplementedError, match="singular covariance"):
        dualdiff.grad(lambda c: ds.multivariate_normal.logpdf(x[0], mean, c, allow_singular=True))(cov)
    with pytest.raises(ValueError, match="Dimension mismatch: array 'cov' is of shape"):
        ds.multivariate_normal.logpdf(x, np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match="'mean' must be a vector of length 2"):
        ds.multivariate_normal.logpdf(x, np.zeros((2, 1)), np.eye(2))


# ---- the Dirichlet distribution -------------------------------------------------------------

def test_dirichlet_values_and_derivatives(rng):
    alpha = rng.uniform(0.6, 4.0, 4)
    x = rng.dirichlet(alpha)
    for method in ("pdf", "logpdf"):
        ours, theirs = getattr(ds.dirichlet, method), getattr(st.dirichlet, method)
        assert _ulps(ours(x, alpha), theirs(x, alpha)) <= 2
        assert _ulps(ours(x[:-1], alpha), theirs(x[:-1], alpha)) <= 2
        xs = rng.dirichlet(alpha, size=3).T  # components along the first axis, as SciPy
        assert _ulps(ours(xs, alpha), theirs(xs, alpha)) <= 2
    np.testing.assert_allclose(dualdiff.grad(lambda a: ds.dirichlet.logpdf(x, a))(alpha),
                               np.log(x) - sc.digamma(alpha) + sc.digamma(np.sum(alpha)), rtol=1e-12)
    np.testing.assert_allclose(dualdiff.grad(lambda v: ds.dirichlet.logpdf(v, alpha))(x), (alpha - 1) / x,
                               rtol=1e-13)
    # leaving out the last component: it is 1 - the sum of the others
    g = dualdiff.grad(lambda v: ds.dirichlet.logpdf(v, alpha))(x[:-1])
    np.testing.assert_allclose(g, (alpha[:-1] - 1) / x[:-1] - (alpha[-1] - 1) / x[-1], rtol=1e-12)
    for bad in ([0.5, 0.6, 0.1, 0.1], [-0.1, 0.5, 0.3, 0.3], [0.2, 0.2], [1.2, 0.1, 0.1, -0.4]):
        with pytest.raises(ValueError) as theirs_err:
            st.dirichlet.logpdf(bad, alpha)
        with pytest.raises(ValueError) as ours_err:
            ds.dirichlet.logpdf(bad, alpha)
        assert str(ours_err.value).split(".")[0] == str(theirs_err.value).split(".")[0]
    with pytest.raises(ValueError, match="greater than 0"):
        ds.dirichlet.logpdf(x, -alpha)


# ---- the CDFs: incomplete gamma and beta functions ------------------------------------------

def test_cdf_derivatives_are_the_densities():
    # The branches, edges and the center of t's CDF: the derivative of a CDF
    # in x is the density.
    x = np.array([-30.0, -3.0, -0.7, -1e-60, 0.0, 1e-60, 0.4, 2.0, 50.0])
    for df in (0.7, 1.0, 3.5, 40.0):
        for loc, scale in ((0.0, 1.0), (0.3, 2.0)):
            d = _elementwise_derivative(ds.t.cdf, [x * scale + loc, np.full(9, df), loc, scale], 0)
            np.testing.assert_allclose(d, st.t.pdf(x * scale + loc, df, loc, scale), rtol=1e-12)
            assert _ulps(ds.t.cdf(Dual(0.5, 1.0), df, loc, scale).value, st.t.cdf(0.5, df, loc, scale)) == 0
            dl = _elementwise_derivative(ds.t.logcdf, [x, np.full(9, df)], 0)
            np.testing.assert_allclose(dl, st.t.pdf(x, df) / st.t.cdf(x, df), rtol=1e-11)
            dloc = _elementwise_derivative(ds.t.cdf, [x, np.full(9, df), np.full(9, loc), scale], 2)
            np.testing.assert_allclose(dloc, -st.t.pdf(x, df, loc, scale), rtol=1e-12)
    pos = np.array([0.0, 0.3, 1.0, 4.0, 20.0])
    for a in (1.0, 2.5):  # at 0 the one-sided derivative: the density there
        np.testing.assert_allclose(_elementwise_derivative(ds.gamma.cdf, [pos, a], 0), st.gamma.pdf(pos, a),
                                   rtol=1e-13)
        np.testing.assert_allclose(_elementwise_derivative(ds.chi2.cdf, [pos, 2 * a], 0),
                                   st.chi2.pdf(pos, 2 * a), rtol=1e-13)
    u = np.array([0.0, 0.2, 0.5, 0.9])
    np.testing.assert_allclose(_elementwise_derivative(ds.beta.cdf, [u, 2.0, 3.0], 0), st.beta.pdf(u, 2.0, 3.0),
                               rtol=1e-13)
    # outside the support: SciPy's constants, derivative 0
    d = _elementwise_derivative(ds.gamma.cdf, [np.array([-1.0, np.inf]), 2.0], 0)
    assert np.all(d == 0.0)
    k = np.arange(5.0)
    np.testing.assert_allclose(_elementwise_derivative(ds.poisson.cdf, [k, np.full(5, 2.5)], 1),
                               -st.poisson.pmf(k, 2.5), rtol=1e-13)
