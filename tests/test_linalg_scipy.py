"""dualdiff.linalg: SciPy's linear-algebra routines for dual arrays.

Values against scipy.linalg (the same bits); first derivatives against central
differences of scipy.linalg itself and against identities derived by hand
(the Sylvester equations of sqrtm's and solve_sylvester's derivatives,
SciPy's own expm_frechet); second derivatives against differences of the
first; nesting; SciPy's errors; and a Gaussian-process fit through
scipy.optimize with cho_factor and cho_solve.
"""
import numpy as np
import pytest

sl = pytest.importorskip("scipy.linalg")

import dualdiff  # noqa: E402
import dualdiff.linalg as dl  # noqa: E402


def _spd(rng, n):
    m = rng.normal(size=(n, n))
    return m @ m.T + n * np.eye(n)


def _central(f, x, v, h=1e-6):
    return (f(x + h * v) - f(x - h * v)) / (2 * h)


def _cases(rng):
    """(name, ours, SciPy's, argument): functions of one matrix argument."""
    n = 4
    # diagonally dominant matrices: well conditioned, so that differences are accurate
    a = rng.uniform(-1, 1, size=(n, n)) + 4 * np.eye(n)
    b = rng.normal(size=n)
    bm = rng.normal(size=(n, 2))
    ab = rng.uniform(-1, 1, size=(3, 6)) + np.array([[0.0], [4.0], [0.0]])
    s = _spd(rng, n)
    B, Q = rng.normal(size=(3, 3)) + 3 * np.eye(3), rng.normal(size=(n, 3))  # a x + x B: no eigenvalue of a near one of -B
    return [
        ("solve_triangular lower", lambda x: dl.solve_triangular(x, b, lower=True),
         lambda x: sl.solve_triangular(x, b, lower=True), a),
        ("solve_triangular upper trans", lambda x: dl.solve_triangular(x, bm, trans="T"),
         lambda x: sl.solve_triangular(x, bm, trans="T"), a),
        ("solve_triangular unit", lambda x: dl.solve_triangular(x, b, lower=True, unit_diagonal=True),
         lambda x: sl.solve_triangular(x, b, lower=True, unit_diagonal=True), a),
        ("solve_triangular b", lambda x: dl.solve_triangular(a, x), lambda x: sl.solve_triangular(a, x), bm),
        ("solve_banded ab", lambda x: dl.solve_banded((1, 1), x, b[:3].repeat(2)),
         lambda x: sl.solve_banded((1, 1), x, b[:3].repeat(2)), ab),
        ("solve_banded b", lambda x: dl.solve_banded((1, 1), ab, x), lambda x: sl.solve_banded((1, 1), ab, x),
         rng.normal(size=6)),
        ("cho_factor lower", lambda x: dl.cho_factor(x, lower=True)[0], lambda x: sl.cho_factor(x, lower=True)[0], s),
        ("cho_factor upper", lambda x: dl.cho_factor(x)[0], lambda x: sl.cho_factor(x)[0], s),
        ("cho_solve", lambda x: dl.cho_solve(dl.cho_factor(x), bm), lambda x: sl.cho_solve(sl.cho_factor(x), bm), s),
        ("solve_sylvester a", lambda x: dl.solve_sylvester(x, B, Q), lambda x: sl.solve_sylvester(x, B, Q), a),
        ("solve_sylvester q", lambda x: dl.solve_sylvester(a, B, x), lambda x: sl.solve_sylvester(a, B, x), Q),
        ("expm", dl.expm, sl.expm, a / 2),
        ("expm large norm", dl.expm, sl.expm, 4 * a),
        ("sqrtm", dl.sqrtm, sl.sqrtm, s),
    ]


def test_plain_arguments_are_scipys_own(rng):
    for name, ours, theirs, x in _cases(rng):
        np.testing.assert_array_equal(ours(x), theirs(x), err_msg=name)


def test_first_derivatives_match_differences_of_scipy(rng):
    for name, ours, theirs, x in _cases(rng):
        v = rng.normal(size=x.shape)
        y, t = dualdiff.jvp(ours, x, v)
        np.testing.assert_array_equal(y, theirs(x), err_msg=name)  # SciPy's values, bit for bit
        ref = _central(theirs, x, v)
        np.testing.assert_allclose(t, ref, rtol=1e-6, atol=1e-7 * np.max(np.abs(ref)), err_msg=name)


def test_second_derivatives_match_differences_of_the_first(rng):
    for name, ours, theirs, x in _cases(rng):
        w = rng.normal(size=np.shape(theirs(x)))

        def f(z):
            return np.sum(w * ours(z))

        H = dualdiff.hessian(f)(x)
        g = dualdiff.grad(f)
        v = rng.normal(size=x.shape)
        ref = _central(g, x, v, 1e-5)
        got = np.tensordot(H, v, axes=v.ndim)
        np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-7 * np.max(np.abs(ref)), err_msg=name)
        # nested: the Jacobian of the gradient is the Hessian
        np.testing.assert_allclose(dualdiff.jacobian(g)(x), H, rtol=1e-12,
                                   atol=1e-13 * np.max(np.abs(H)), err_msg=name)


def test_hand_derived_identities(rng):
    n = 4
    a, e = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    # expm: SciPy's Frechet derivative (its own algorithm), and d/dt expm(t a) = a expm(t a)
    # (entries compared on the matrix's scale: small ones are differences of large ones)
    _, t = dualdiff.jvp(dl.expm, a, e)
    ref = sl.expm_frechet(a, e, compute_expm=False)
    np.testing.assert_allclose(t, ref, rtol=1e-13, atol=1e-14 * np.max(np.abs(ref)))
    d = dualdiff.derivative(lambda s: dl.expm(s * a))(0.7)
    ref = a @ sl.expm(0.7 * a)
    np.testing.assert_allclose(d, ref, rtol=1e-13, atol=1e-14 * np.max(np.abs(ref)))
    # sqrtm: s ds + ds s = dA (and the second derivative: s d2s + d2s s = -2 ds ds)
    A = _spd(rng, n)
    s = sl.sqrtm(A)
    _, ds = dualdiff.jvp(dl.sqrtm, A, e)
    np.testing.assert_allclose(s @ ds + ds @ s, e, atol=1e-13)
    d2 = dualdiff.derivative(lambda u: dualdiff.derivative(lambda r: dl.sqrtm(A + r * e))(u))(0.0)
    np.testing.assert_allclose(s @ d2 + d2 @ s, -2 * ds @ ds, atol=1e-12)
    # solve_sylvester: a dx + dx b = dq - da x - x db
    b, q = rng.normal(size=(3, 3)) + 3 * np.eye(3), rng.normal(size=(n, 3))
    da, db, dq = rng.normal(size=(n, n)), rng.normal(size=(3, 3)), rng.normal(size=(n, 3))
    a = a + 3 * np.eye(n)  # no eigenvalue of a near one of -b
    x = sl.solve_sylvester(a, b, q)
    _, dx = dualdiff.jvp(lambda p: dl.solve_sylvester(p[0], p[1], p[2]), [a, b, q], [da, db, dq])
    np.testing.assert_allclose(a @ dx + dx @ b, dq - da @ x - x @ db, atol=1e-12)


def test_entries_scipy_ignores_have_derivative_zero(rng):
    a = rng.normal(size=(4, 4)) + 3 * np.eye(4)
    b = rng.normal(size=4)
    J = dualdiff.jacobian(lambda x: dl.solve_triangular(x, b, lower=True))(a)
    assert np.all(J[:, np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]] == 0)
    J = dualdiff.jacobian(lambda x: dl.solve_triangular(x, b, unit_diagonal=True))(a)
    assert np.all(J[:, np.arange(4), np.arange(4)] == 0)
    ab = rng.normal(size=(3, 5)) + np.array([[0.0], [4.0], [0.0]])
    J = dualdiff.jacobian(lambda x: dl.solve_banded((1, 1), x, b[:3].repeat(2)[:5]))(ab)
    assert np.all(J[:, 0, 0] == 0) and np.all(J[:, 2, 4] == 0)  # the corners outside the band
    # cho_factor: the other triangle is a's own entries, with derivative 1
    s = _spd(rng, 4)
    J = dualdiff.jacobian(lambda x: dl.cho_factor(x, lower=True)[0])(s)
    assert J[0, 3, 0, 3] == 1.0 and np.count_nonzero(J[0, 3]) == 1
    # the factor's triangle: np.linalg.cholesky's derivative along the symmetric
    # direction that moving one entry of the lower triangle stands for
    L = dualdiff.jacobian(lambda x: np.linalg.cholesky(x))(s)
    sym = L + np.swapaxes(L, -1, -2) - L * np.eye(4)
    il = np.tril_indices(4)
    np.testing.assert_allclose(J[il][..., il[0], il[1]], sym[il][..., il[0], il[1]], rtol=1e-13, atol=1e-15)
    assert np.all(J[il][..., il[1][il[0] != il[1]], il[0][il[0] != il[1]]] == 0)  # the upper triangle: unread


def test_scipys_errors_and_the_complex_square_root():
    with pytest.raises(np.linalg.LinAlgError) as theirs:
        sl.solve_triangular(np.zeros((2, 2)), np.ones(2))
    with pytest.raises(np.linalg.LinAlgError) as ours:
        dualdiff.jacobian(lambda x: dl.solve_triangular(x, np.ones(2)))(np.zeros((2, 2)))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(np.linalg.LinAlgError):
        dualdiff.jacobian(lambda x: dl.cho_factor(x))(-np.eye(2))
    with pytest.raises(TypeError, match="square root of this matrix is complex"):
        dl.sqrtm(dualdiff.numpy.array([[dualdiff.Dual(1.0, 1.0), 0.0], [0.0, -4.0]]))


def test_complex_square_roots_give_complex_derivatives(rng):
    # a symmetric matrix with a negative eigenvalue: SciPy's root is complex, and
    # so are the derivatives (as jax.jacfwd gives them), against differences
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    A = q @ np.diag([-2.0, 1.5, 3.0]) @ q.T
    e = rng.normal(size=(3, 3))
    J = dualdiff.jacobian(dl.sqrtm)(A)
    assert J.dtype == np.complex128
    ref = _central(sl.sqrtm, A, e)
    np.testing.assert_allclose(np.tensordot(J, e, 2), ref, rtol=1e-6, atol=1e-7 * np.max(np.abs(ref)))
    s = sl.sqrtm(A)
    ds = np.tensordot(J, e, 2)
    np.testing.assert_allclose(s @ ds + ds @ s, e, atol=1e-12)

    def f(a):
        return np.real(np.sum(dl.sqrtm(a) ** 2))

    H = dualdiff.hessian(f)(A)
    ref = _central(dualdiff.grad(f), A, e, 1e-5)
    np.testing.assert_allclose(np.tensordot(H, e, 2), ref, rtol=1e-6, atol=1e-7 * np.max(np.abs(ref)))


def test_gaussian_process_fit_with_cholesky_solves():
    # The log marginal likelihood of a GP with an RBF kernel, in log length
    # scale and log noise, written with cho_factor/cho_solve: its gradient
    # equals the same expression through np.linalg, and BFGS with dualdiff's
    # gradient reaches the optimum the same expression reaches.
    from scipy.optimize import minimize
    rng = np.random.default_rng(3)
    t = np.sort(rng.uniform(0, 5, 25))
    y = np.sin(t) + 0.1 * rng.normal(size=25)

    def nll(p, solve=None):
        ell, noise = np.exp(p[0]), np.exp(p[1])
        K = np.exp(-0.5 * (t[:, None] - t[None, :]) ** 2 / ell ** 2) + (noise ** 2 + 1e-8) * np.eye(25)
        if solve is None:
            c = dl.cho_factor(K, lower=True)
            alpha = dl.cho_solve(c, y)
            logdet = 2 * np.sum(np.log(np.diag(c[0])))
        else:
            alpha = np.linalg.solve(K, y)
            logdet = np.linalg.slogdet(K)[1]
        return 0.5 * y @ alpha + 0.5 * logdet

    p0 = np.array([0.0, -1.0])
    assert nll(p0) == pytest.approx(nll(p0, "np"), rel=1e-13)
    np.testing.assert_allclose(dualdiff.grad(nll)(p0), dualdiff.grad(lambda p: nll(p, "np"))(p0), rtol=1e-10)
    fit = minimize(nll, p0, jac=dualdiff.grad(nll), method="BFGS")
    ref = minimize(lambda p: nll(p, "np"), p0, jac=dualdiff.grad(lambda p: nll(p, "np")), method="BFGS")
    assert fit.success and ref.success and np.allclose(fit.x, ref.x, atol=1e-5)
    assert np.max(np.abs(dualdiff.grad(nll)(fit.x))) < 1e-4
    assert np.all(np.linalg.eigvalsh(dualdiff.hessian(nll)(fit.x)) > 0)
