"""taylor and derivative(f, order=k) through complex numbers (pairs of real
Taylor numbers), against mpmath at 40 digits: its Taylor coefficients of
t -> f(z + t v), from its own complex arithmetic and functions."""
import math

import mpmath as mp
import numpy as np
import pytest

import dualdiff

mp.mp.dps = 40
K = 5

# NumPy's function and mpmath's, on complex arguments
HOLOMORPHIC = {
    "exp": (np.exp, mp.exp), "expm1": (np.expm1, mp.expm1),
    "exp2": (np.exp2, lambda z: mp.power(2, z)), "log": (np.log, mp.log),
    "log2": (np.log2, lambda z: mp.log(z, 2)), "log10": (np.log10, mp.log10),
    "log1p": (np.log1p, mp.log1p), "sqrt": (np.sqrt, mp.sqrt),
    "sin": (np.sin, mp.sin), "cos": (np.cos, mp.cos), "tan": (np.tan, mp.tan),
    "sinh": (np.sinh, mp.sinh), "cosh": (np.cosh, mp.cosh), "tanh": (np.tanh, mp.tanh),
    "arcsin": (np.arcsin, mp.asin), "arccos": (np.arccos, mp.acos),
    "arctan": (np.arctan, mp.atan), "arcsinh": (np.arcsinh, mp.asinh),
    "arccosh": (np.arccosh, mp.acosh), "arctanh": (np.arctanh, mp.atanh),
    "square": (np.square, lambda z: z * z), "reciprocal": (np.reciprocal, lambda z: 1 / z),
    "cube": (lambda z: z ** 3, lambda z: z ** 3), "pow -2": (lambda z: z ** -2, lambda z: z ** -2),
    "pow 0.7": (lambda z: z ** 0.7, lambda z: z ** mp.mpf(0.7)),
    "pow z": (lambda z: z ** (z / 2), lambda z: z ** (z / 2)),
    "2 ** z": (lambda z: 2.5 ** z, lambda z: mp.mpf(2.5) ** z),
}
# functions of z that are real-analytic, not holomorphic: the Taylor variable is real
REAL_ANALYTIC = {
    "abs": (np.abs, abs), "angle": (np.angle, mp.arg), "conj": (np.conj, mp.conj),
    "real": (np.real, mp.re), "imag": (np.imag, mp.im),
    "angle deg": (lambda z: np.angle(z, deg=True), lambda z: mp.degrees(mp.arg(z))),
}


def reference(g, z, v, k=K):
    """mpmath's Taylor coefficients of t -> g(z + t v) at t = 0."""
    z, v = mp.mpc(z), mp.mpc(v)
    return np.array([complex(c) for c in mp.taylor(lambda t: g(z + t * v), 0, k)])


def points(rng, n):
    """Points away from the branch cuts and singular points (the real rules
    are exact there, and so are NumPy's principal values)."""
    z = rng.uniform(0.2, 0.8, n) * np.exp(1j * rng.uniform(-1.2, 1.2, n))
    return z


@pytest.mark.parametrize("name", sorted(HOLOMORPHIC) + sorted(REAL_ANALYTIC))
def test_functions_against_mpmath(name, rng):
    f, g = {**HOLOMORPHIC, **REAL_ANALYTIC}[name]
    for z in points(rng, 4):
        v = complex(rng.normal(), rng.normal())
        got = dualdiff.taylor(f, K)(z, v)
        ref = reference(g, z, v)
        # relative to each coefficient, or to the largest one with a factor per order
        # (the coefficients come from sums of products of the parts' coefficients)
        tol = 1e-11 * np.abs(ref) + 1e-14 * 4.0 ** np.arange(K + 1) * np.max(np.abs(ref))
        assert np.all(np.abs(got - ref) <= tol), (name, z, got, ref)
    # a real x with the complex numbers inside: f(x + i/2) along the real axis
    got = dualdiff.taylor(lambda t: f(t + 0.5j), K)(0.4)
    np.testing.assert_allclose(got, reference(g, 0.4 + 0.5j, 1.0), rtol=1e-12, atol=1e-13)


def test_arithmetic_and_constants_against_mpmath(rng):
    c = complex(rng.normal(), rng.normal())
    f = lambda z: (z * c - 1.5) / (z + 2j) + 3 / z - (c - z) * z  # noqa: E731
    for z in points(rng, 3):
        v = complex(rng.normal(), rng.normal())
        np.testing.assert_allclose(dualdiff.taylor(f, K)(z, v), reference(f, z, v), rtol=1e-12)


def test_arrays_linear_and_bilinear_functions(rng):
    """Linear maps take each coefficient (and so the FFT); bilinear ones expand
    (a + i b)(c + i d): checked entry by entry with mpmath."""
    x = rng.normal(size=4) + 1j * rng.normal(size=4)
    v = rng.normal(size=4) + 1j * rng.normal(size=4)
    C = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    W = np.exp(-2j * np.pi * np.outer(np.arange(4), np.arange(4)) / 4)  # the DFT

    def f(z):
        w = np.fft.fft(z)
        return np.stack([np.sum(np.exp(w) * z), np.dot(z, C @ z), np.vdot(z, np.sin(z)),
                         np.einsum("ij,j->i", C, z)[1], np.outer(z, np.cos(z))[2, 1],
                         np.tensordot(z.reshape(2, 2), np.transpose(z.reshape(2, 2)), axes=1)[0, 1],
                         np.concatenate([z, np.conj(z) * 2])[5], np.angle(np.fft.ifft(z)[3])])

    def g(z):  # the same in mpmath, written out
        w = [sum(W[j, m] * z[m] for m in range(4)) for j in range(4)]
        Cz = [sum(C[j, m] * z[m] for m in range(4)) for j in range(4)]
        iw3 = sum(np.conj(W[3, m]) * z[m] for m in range(4)) / 4
        return [sum(mp.exp(w[j]) * z[j] for j in range(4)), sum(z[j] * Cz[j] for j in range(4)),
                sum(mp.conj(z[j]) * mp.sin(z[j]) for j in range(4)), Cz[1], z[2] * mp.cos(z[1]),
                z[0] * z[2] + z[1] * z[3], 2 * mp.conj(z[1]), mp.arg(iw3)]

    got = dualdiff.taylor(f, K)(x, v)
    for i in range(8):
        ref = np.array([complex(c) for c in mp.taylor(
            lambda t: g([mp.mpc(a) + t * mp.mpc(b) for a, b in zip(x, v)])[i], 0, K)])
        np.testing.assert_allclose(got[:, i], ref, rtol=1e-11, atol=1e-12 * np.max(np.abs(ref)))


def test_fft_of_many_coefficients_is_the_fft_of_each():
    x = np.array([[1.0, 2j], [0.5 - 1j, 3.0]])
    v = np.array([[1j, 1.0], [2.0, -1.0]])
    for name, kw in (("fft", {}), ("fft", {"axis": 0}), ("fft2", {}), ("fftn", {"axes": (0,)}),
                     ("ifft", {"n": 3}), ("ifftn", {}), ("ifft2", {"axes": (1, 0)})):
        F = getattr(np.fft, name)
        c = dualdiff.taylor(lambda z: F(z, **kw), 3)(x, v)
        np.testing.assert_allclose(c[0], F(x, **kw), rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(c[1], F(v, **kw), rtol=1e-15, atol=1e-15)
        assert np.all(c[2:] == 0)


def test_derivative_of_high_order_at_complex_points():
    z = 0.3 + 0.4j
    for k in (0, 1, 3, 5):
        got = dualdiff.derivative(lambda z: np.tan(z) ** 2, order=k, holomorphic=True)(z)
        ref = complex(mp.diff(lambda w: mp.tan(w) ** 2, mp.mpc(z), k))
        assert got == pytest.approx(ref, rel=1e-12)
        assert isinstance(got, complex)
    # a real x with complex numbers inside and a real result: a float
    got = dualdiff.derivative(lambda x: np.real(np.exp(1j * x) * x), order=4)(0.7)
    assert isinstance(got, float)
    assert got == pytest.approx(float(mp.diff(lambda x: mp.re(mp.exp(1j * x) * x), 0.7, 4)),
                                rel=1e-13)
    # and with a complex result, complex derivatives (as jax.jacfwd)
    assert dualdiff.derivative(lambda x: np.exp(1j * x), order=3)(0.7) == pytest.approx(
        (1j) ** 3 * np.exp(0.7j), rel=1e-14)


def test_order_and_shape_conventions_and_errors():
    c = dualdiff.taylor(lambda z: z * z, 3)(1 + 1j)
    assert c.dtype == np.complex128 and c.shape == (4,)
    np.testing.assert_array_equal(c, [2j, 2 + 2j, 1, 0])
    # a real-valued result of a complex x: real coefficients
    r = dualdiff.taylor(lambda z: np.abs(z) ** 2, 2)(3 + 4j, 1j)
    assert r.dtype == np.float64
    np.testing.assert_allclose(r, [25.0, 8.0, 1.0], rtol=1e-15)  # |3 + (4 + t) i|^2
    # a list x arrives as one array of complex numbers: (i + t)(2 + i t) = 2i + t + i t^2
    np.testing.assert_array_equal(
        dualdiff.taylor(lambda z: z[0] * z[1], 2)([1j, 2.0], [1.0, 1j]), [2j, 1, 1j])
    with pytest.raises(TypeError, match="holomorphic=True"):
        dualdiff.derivative(lambda z: z ** 3, order=3)(1 + 1j)
    with pytest.raises(TypeError, match="numpy.inv of complex Taylor numbers is not supported"):
        dualdiff.taylor(lambda z: np.linalg.inv(z), 2)(np.eye(2) * 1j, np.eye(2))
    with pytest.raises(TypeError, match="v .the direction. is needed"):
        dualdiff.taylor(lambda z: z, 2)(np.array([1j, 2.0]))
    with pytest.raises(TypeError, match="cannot become a plain array"):
        dualdiff.taylor(lambda z: np.asarray(z), 2)(1j)
    assert math.isfinite(abs(dualdiff.taylor(lambda z: np.sqrt(z), 2)(-4 + 0j)[1]))
