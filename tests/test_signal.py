"""dualdiff.signal (SciPy's convolutions and correlations) and NumPy's
np.convolve and np.correlate on dual arrays. References: the convolution
written as sums by hand, the columns J e_i = f(e_i, b) that linearity gives
(computed by SciPy on plain floats), second derivatives by hand, and central
differences for the padded 2-D case."""
import math

import numpy as np
import pytest

ss = pytest.importorskip("scipy.signal")

import dualdiff  # noqa: E402
from dualdiff import signal as dsig  # noqa: E402

FUNCS_1D = [
    (dsig.convolve, ss.convolve, {"method": "direct"}),
    (dsig.convolve, ss.convolve, {"method": "fft"}),
    (dsig.correlate, ss.correlate, {}),
    (dsig.fftconvolve, ss.fftconvolve, {}),
    (dsig.oaconvolve, ss.oaconvolve, {}),
]


def _full_by_hand(a, b):
    """The full convolution of two 1-D arrays as sums."""
    out = np.zeros(len(a) + len(b) - 1)
    for i in range(len(a)):
        for j in range(len(b)):
            out[i + j] += a[i] * b[j]
    return out


def _columns(f, a, b, which):
    """J of f(a, b) in argument ``which``: column i is f with that argument the
    i-th unit array (f is linear in it), the other argument's values fixed."""
    x = a if which == 0 else b
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = 1.0
        e = e.reshape(x.shape)
        cols.append(np.ravel(f(e, b) if which == 0 else f(a, e)))
    return np.array(cols).T


def test_full_convolution_jacobians_by_hand(rng):
    a, b = rng.standard_normal(5), rng.standard_normal(3)
    Ja = dualdiff.jacobian(lambda x: dsig.convolve(x, b))(a)
    Jb = dualdiff.jacobian(lambda y: dsig.convolve(a, y))(b)
    Ta = np.array([[b[k - i] if 0 <= k - i < 3 else 0.0 for i in range(5)] for k in range(7)])
    Tb = np.array([[a[k - j] if 0 <= k - j < 5 else 0.0 for j in range(3)] for k in range(7)])
    np.testing.assert_allclose(Ja, Ta, rtol=0, atol=1e-15)
    np.testing.assert_allclose(Jb, Tb, rtol=0, atol=1e-15)
    np.testing.assert_allclose(dualdiff.jacobian(lambda x: np.convolve(x, b))(a), Ta, rtol=0, atol=0)
    v = dsig.convolve(dualdiff.numpy.array([dualdiff.Dual(t, 0.0) for t in a]), b)
    np.testing.assert_allclose(v.value, _full_by_hand(a, b), rtol=1e-14)


@pytest.mark.parametrize("mine, theirs, kw", FUNCS_1D)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("shapes", [((6,), (3,)), ((4, 5), (2, 3)), ((3,), (5,))])
def test_jacobians_in_each_argument_by_linearity(mine, theirs, kw, mode, shapes, rng):
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    f = lambda p, q: theirs(p, q, mode=mode, **kw)  # noqa: E731
    value, Ja = dualdiff.value_and_jacobian(lambda x: mine(x, b, mode=mode, **kw))(a)
    assert np.array_equal(value, f(a, b))  # SciPy's value, unchanged
    Jb = dualdiff.jacobian(lambda y: mine(a, y, mode=mode, **kw))(b)
    out = f(a, b).shape
    np.testing.assert_allclose(Ja.reshape(-1, a.size), _columns(f, a, b, 0), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(Jb.reshape(-1, b.size), _columns(f, a, b, 1), rtol=1e-12, atol=1e-13)
    assert Ja.shape == out + a.shape and Jb.shape == out + b.shape


def test_second_derivatives_of_a_self_convolution_by_hand(rng):
    # sum_k w_k (x * x)_k = sum_{i,j} w_{i+j} x_i x_j: the Hessian is 2 w_{i+j}
    x, w = rng.standard_normal(4), rng.standard_normal(7)
    H_want = np.array([[2 * w[i + j] for j in range(4)] for i in range(4)])
    for conv in (dsig.convolve, dsig.fftconvolve, np.convolve):
        H = dualdiff.hessian(lambda y: np.sum(w * conv(y, y)))(x)
        np.testing.assert_allclose(H, H_want, rtol=1e-12, atol=1e-12)
    # correlate(x, x)_k = sum_n x_{n+k} x_n over the lags k = -(n-1) .. n-1
    c = dualdiff.hessian(lambda y: np.sum(w * np.correlate(y, y, "full")))(x)
    lag = lambda i, j: i - j + 3  # noqa: E731  # the index of the lag of (x_i, x_j)
    np.testing.assert_allclose(c, [[w[lag(i, j)] + w[lag(j, i)] for j in range(4)]
                                   for i in range(4)], rtol=1e-12, atol=1e-12)
    # Taylor: the second coefficient of sum((x + t v) * (x + t v)) is sum(v * v)
    v = rng.standard_normal(4)
    coeffs = dualdiff.taylor(lambda t: np.sum(dsig.convolve(x + t * v, x + t * v)), 2)(0.0)
    np.testing.assert_allclose(coeffs[2], np.sum(_full_by_hand(v, v)), rtol=1e-12)


def test_nested_transforms_through_a_convolution(rng):
    # the jvp of the gradient of sum(w * (x * x)) along v is the Hessian times v
    x, v, w = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(7)
    g = dualdiff.grad(lambda y: np.sum(w * dsig.convolve(y, y)))
    _, hv = dualdiff.jvp(g, x, v)
    H = np.array([[2 * w[i + j] for j in range(4)] for i in range(4)])
    np.testing.assert_allclose(hv, H @ v, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mine, theirs", [(dsig.convolve2d, ss.convolve2d),
                                          (dsig.correlate2d, ss.correlate2d)])
@pytest.mark.parametrize("boundary, fill", [("fill", 0.0), ("fill", 2.5), ("wrap", 0.0),
                                            ("symm", 0.0)])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_two_d_with_boundaries_against_differences(mine, theirs, boundary, fill, mode, rng):
    a, b = rng.standard_normal((4, 5)), rng.standard_normal((2, 3))
    kw = dict(mode=mode, boundary=boundary, fillvalue=fill)
    f = lambda p, q: theirs(p, q, **kw)  # noqa: E731
    value, Ja = dualdiff.value_and_jacobian(lambda x: mine(x, b, **kw))(a)
    assert np.array_equal(value, f(a, b))
    Jb = dualdiff.jacobian(lambda y: mine(a, y, **kw))(b)
    h = 1e-6
    for x, J, which in ((a, Ja, 0), (b, Jb, 1)):
        for i in range(x.size):
            e = np.zeros(x.size)
            e[i] = h
            e = e.reshape(x.shape)
            fp = f(a + e, b) if which == 0 else f(a, b + e)
            fm = f(a - e, b) if which == 0 else f(a, b - e)
            np.testing.assert_allclose(J.reshape(value.shape + (-1,))[..., i], (fp - fm) / (2 * h),
                                       rtol=1e-7, atol=1e-8)
    # the padding is a constant: it moves nothing in in1's derivatives
    if boundary == "fill":
        J0 = dualdiff.jacobian(lambda x: mine(x, b, mode=mode))(a)
        assert np.array_equal(Ja, J0)


@pytest.mark.parametrize("mine, theirs", [(dsig.convolve2d, ss.convolve2d),
                                          (dsig.correlate2d, ss.correlate2d)])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("shapes", [((4, 5), (2, 3)), ((2, 3), (5, 6)), ((3, 3), (4, 2)),
                                    ((2, 6), (2, 6)), ((5, 4), (1, 1))])
def test_two_d_jacobians_in_each_argument_by_linearity(mine, theirs, mode, shapes, rng):
    # zero padding: every derivative component in one stacked call; its columns
    # against SciPy's function of unit arrays, even and odd sizes, either larger
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    f = lambda p, q: theirs(p, q, mode=mode)  # noqa: E731
    if mode == "valid" and shapes == ((3, 3), (4, 2)):  # neither is larger: SciPy's error
        with pytest.raises(ValueError):
            dualdiff.jacobian(lambda x: mine(x, b, mode=mode))(a)
        return
    value, Ja = dualdiff.value_and_jacobian(lambda x: mine(x, b, mode=mode))(a)
    assert np.array_equal(value, f(a, b))
    Jb = dualdiff.jacobian(lambda y: mine(a, y, mode=mode))(b)
    np.testing.assert_allclose(Ja.reshape(-1, a.size), _columns(f, a, b, 0), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(Jb.reshape(-1, b.size), _columns(f, a, b, 1), rtol=1e-12, atol=1e-13)


def test_plain_arguments_are_scipys_own_and_bad_ones_raise():
    a, b = np.arange(4.0), np.array([1.0, -1.0])
    assert np.array_equal(dsig.convolve(a, b), ss.convolve(a, b))
    assert np.array_equal(dsig.correlate2d(np.eye(3), np.ones((2, 2)), fillvalue=1.0),
                          ss.correlate2d(np.eye(3), np.ones((2, 2)), fillvalue=1.0))
    with pytest.raises(ValueError):  # SciPy's own error
        dsig.convolve(a, b, mode="nope")
    with pytest.raises(TypeError, match="holomorphic"):  # a complex x wants holomorphic=True
        dualdiff.jacobian(lambda z: dsig.convolve(z, b))(np.array([1j, 2.0]))
    with pytest.raises(TypeError, match="sparsity"):
        dualdiff.jacobian_sparsity(lambda x: dsig.convolve2d(x.reshape(2, 2), np.ones((2, 2))),
                                   np.ones(4))
    # without dualdiff.signal SciPy refuses a dual array instead of dropping its derivatives
    with pytest.raises(TypeError, match="without their derivatives"):
        dualdiff.jacobian(lambda x: ss.convolve(x, b))(a)


@pytest.mark.parametrize("sizes", [((7,), (3,)), ((3,), (7,)), ((90,), (70,)), ((4, 5), (3, 2))])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("which", [0, 1])
def test_one_dual_argument_at_second_order_and_in_taylor(sizes, mode, which, rng):
    # with one argument constant, every component is the same convolution of
    # that component, computed for all of them at once (shifted sums for small
    # arrays, FFTs past 64 terms): f(x) = sum(w * conv(x^2, c)) has the
    # Hessian 2 diag(the adjoint of conv(., c) applied to w), by linearity
    shape, cshape = sizes if which == 0 else sizes[::-1]
    x, c = rng.uniform(0.5, 1.5, shape), rng.standard_normal(cshape)
    for mine, theirs in ((dsig.convolve, ss.convolve), (dsig.correlate, ss.correlate)):
        f = lambda p: theirs(p, c, mode=mode) if which == 0 else theirs(c, p, mode=mode)  # noqa: E731
        out = f(x)
        w = rng.standard_normal(out.shape)
        adjoint = _columns(lambda p, q: f(p), x, c, 0).T @ w.ravel()  # J^T w, J from SciPy
        g = lambda y: np.sum(w * (mine(y ** 2, c, mode=mode) if which == 0  # noqa: E731
                                  else mine(c, y ** 2, mode=mode)))
        H = dualdiff.hessian(g)(x)
        np.testing.assert_allclose(H.reshape(x.size, x.size), np.diag(2 * adjoint), rtol=1e-10,
                                   atol=1e-10)
        # Taylor: conv(exp(t) x) has the coefficients conv(x) / k!
        coeffs = dualdiff.taylor(lambda t: np.sum(w * (mine(np.exp(t) * x, c, mode=mode)
                                                       if which == 0 else
                                                       mine(c, np.exp(t) * x, mode=mode))), 3)(0.0)
        np.testing.assert_allclose(coeffs, [np.sum(w * out) / math.factorial(k) for k in range(4)],
                                   rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("mine", [dsig.fftconvolve, dsig.oaconvolve])
def test_fft_convolutions_along_some_axes(mine, rng):
    # axes=1: each row of a convolved with the row of b (rows broadcast)
    a, b = rng.standard_normal((3, 6)), rng.standard_normal((1, 4))
    theirs = getattr(ss, mine.__name__)
    for mode in ("full", "same", "valid"):
        f = lambda p, q: theirs(p, q, mode=mode, axes=1)  # noqa: E731
        Ja = dualdiff.jacobian(lambda x: mine(x, b, mode=mode, axes=1))(a)
        Jb = dualdiff.jacobian(lambda y: mine(a, y, mode=mode, axes=[-1]))(b)
        np.testing.assert_allclose(Ja.reshape(-1, a.size), _columns(f, a, b, 0), atol=1e-12)
        np.testing.assert_allclose(Jb.reshape(-1, b.size), _columns(f, a, b, 1), atol=1e-12)


@pytest.mark.parametrize("name", ["convolve", "correlate", "fftconvolve", "oaconvolve"])
def test_complex_numbers_against_differences_in_the_complex_plane(name, rng):
    mine, theirs = getattr(dsig, name), getattr(ss, name)
    z, v = (rng.standard_normal(5) + 1j * rng.standard_normal(5) for _ in range(2))
    k = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    h = 1e-6
    for mode in ("full", "same", "valid"):
        for f in (lambda z: mine(z, k, mode=mode), lambda z: mine(k, z, mode=mode)):
            t = dualdiff.jvp(f, z, v)[1]
            np.testing.assert_allclose(t, (f(z + h * v) - f(z - h * v)) / (2 * h), rtol=1e-7,
                                       atol=1e-8)
    # holomorphic in in1: the complex Jacobian is the map of the unit arrays
    J = dualdiff.jacobian(lambda z: mine(z, k), holomorphic=True)(z)
    np.testing.assert_allclose(J, np.array([theirs(e, k) for e in np.eye(5)]).T, rtol=1e-12,
                               atol=1e-14)
    if name == "correlate":  # it conjugates in2
        with pytest.raises(TypeError, match="not holomorphic"):
            dualdiff.jacobian(lambda z: mine(k, z), holomorphic=True)(z)
    # second order through complex numbers: sum |conv((1 + i) x, k)|^2 is
    # 2 x^T (K^H K) x for the real x, with K the map of x, so the Hessian is
    # 4 Re(K^H K)
    x = rng.standard_normal(4)
    K = np.array([theirs(e, k) for e in np.eye(4)]).T
    H = dualdiff.hessian(lambda x: np.sum(np.abs(mine(x * (1 + 1j), k)) ** 2))(x)
    np.testing.assert_allclose(H, 4 * np.real(K.conj().T @ K), rtol=1e-10, atol=1e-12)


def test_two_d_with_complex_numbers(rng):
    A, V = (rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4)) for _ in range(2))
    K = rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2))
    h = 1e-6
    for mine in (dsig.convolve2d, dsig.correlate2d):
        for boundary in ("fill", "wrap", "symm"):
            f = lambda A: mine(A, K, mode="same", boundary=boundary)  # noqa: E731
            t = dualdiff.jvp(f, A, V)[1]
            np.testing.assert_allclose(t, (f(A + h * V) - f(A - h * V)) / (2 * h), rtol=1e-7,
                                       atol=1e-8)
    with pytest.raises(TypeError, match="not holomorphic"):
        dualdiff.jacobian(lambda A: dsig.correlate2d(K, A), holomorphic=True)(A)
    with pytest.raises(TypeError, match="fillvalue"):
        dualdiff.jvp(lambda A: dsig.convolve2d(A, K, fillvalue=1.0), A, V)


@pytest.mark.parametrize("name", ["convolve", "correlate", "fftconvolve", "oaconvolve"])
def test_sparsity_detection_in_one_dimension(name):
    # the pattern holds exactly the entries the sums use (FFTs leave round-off
    # where the true derivative is 0, hence the threshold on the dense one)
    mine = getattr(dsig, name)
    z0 = np.random.default_rng(5).standard_normal(12)
    for n in (1, 3, 7):
        for mode in ("full", "same", "valid"):
            for F in (lambda z: mine(z[:n], z[n:], mode=mode),
                      lambda z: mine(np.arange(1.0, 6.0), z[:n], mode=mode)):
                P = dualdiff.jacobian_sparsity(F, z0).toarray() != 0
                J = np.abs(dualdiff.jacobian(F)(z0)) > 1e-12
                assert np.array_equal(P, J), (n, mode)
    # a banded Jacobian by coloring: three colors for a three-tap kernel
    k = np.array([0.25, 0.5, 0.25])
    f = lambda x: mine(x, k, mode="same") - 0.1 * x ** 2  # noqa: E731
    x = np.linspace(0.0, 1.0, 50)
    J = dualdiff.SparseJacobian(f)
    np.testing.assert_allclose(J(x).toarray(), dualdiff.jacobian(f)(x), atol=1e-14)
    assert J.ncolors == 3
