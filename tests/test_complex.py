"""Complex dual numbers: the C rules against mpmath, the derivatives against
central differences in the complex plane and hand derivations, the transforms'
conventions (JAX's), the NaN-safe rule, FFTs, and compositions."""
import cmath
import math

import mpmath as mp
import numpy as np
import pytest

import dualdiff
from dualdiff import ComplexDual, _rules
from dualdiff._complex_c import binary as c_binary
from dualdiff._complex_c import rule_names
from dualdiff._complex_c import unary as c_unary

SEED = 20
mp.mp.dps = 40

# mpmath twin of each complex rule (the reference), and NumPy's ufunc
MPMATH = {
    "sqrt": mp.sqrt, "exp": mp.exp, "exp2": lambda z: mp.power(2, z), "expm1": mp.expm1,
    "log": mp.log, "log2": lambda z: mp.log(z) / mp.log(2), "log10": lambda z: mp.log(z) / mp.log(10),
    "log1p": lambda z: mp.log(1 + z), "sin": mp.sin, "cos": mp.cos, "tan": mp.tan,
    "asin": mp.asin, "acos": mp.acos, "atan": mp.atan, "sinh": mp.sinh, "cosh": mp.cosh,
    "tanh": mp.tanh, "asinh": mp.asinh, "acosh": mp.acosh, "atanh": mp.atanh,
    "square": lambda z: z * z, "reciprocal": lambda z: 1 / z,
}
NUMPY = {r: getattr(np, _rules.BY_NAME[r].numpy[0]) for r in _rules.COMPLEX_UNARY}


def points(k=12):
    """Random points of the upper and lower half planes, off every branch cut
    (the cuts lie on the real and imaginary axes)."""
    rng = np.random.default_rng(SEED)
    re = rng.uniform(-2.0, 2.0, k)
    im = rng.uniform(0.2, 2.0, k) * rng.choice([-1.0, 1.0], k)
    re = np.where(np.abs(re) < 0.2, re + 0.5, re)
    return re + 1j * im


def close(a, b, rtol):
    a, b = complex(a), complex(b)
    return abs(a - b) <= rtol * max(abs(b), 1e-300)


# ----------------------------------------------------------------- the table


def test_complex_rules_are_the_tables_subset():
    u, b = rule_names()
    assert u == _rules.COMPLEX_UNARY and b == _rules.COMPLEX_BINARY
    table_u = [r.name for r in _rules.of_kind("unary")]
    table_b = [r.name for r in _rules.of_kind("binary")]
    assert [n for n in table_u if n in u] == list(u)  # a subset, in op-code order
    assert [n for n in table_b if n in b] == list(b)
    assert set(MPMATH) == set(u)


@pytest.mark.parametrize("name", _rules.COMPLEX_UNARY)
def test_c_rule_against_mpmath(name):
    op = _rules.op_codes("unary")[name]
    z = points()
    r = c_unary(op, 2, z)
    f = MPMATH[name]
    for k, zk in enumerate(z):
        mz = mp.mpc(zk.real, zk.imag)
        ref = [f(mz), mp.diff(f, mz), mp.diff(f, mz, 2)]
        for j in range(3):
            assert close(r[j][k], ref[j], 1e-13), (name, zk, j, r[j][k], ref[j])
        # the value the Python layer uses is NumPy's, which the C value matches
        assert close(NUMPY[name](zk), ref[0], 1e-14)


def test_c_pow_against_mpmath():
    op = _rules.op_codes("binary")["pow"]
    z = points(8)
    w = points(8)[::-1] * 0.7
    r = c_binary(op, 2, z, w)
    for k in range(len(z)):
        a, b = mp.mpc(z[k].real, z[k].imag), mp.mpc(w[k].real, w[k].imag)
        ref = [a ** b, mp.diff(lambda s: s ** b, a), mp.diff(lambda t: a ** t, b),
               mp.diff(lambda s: s ** b, a, 2), mp.diff(lambda s, t: s ** t, (a, b), (1, 1)),
               mp.diff(lambda t: a ** t, b, 2)]
        for j in range(6):
            assert close(r[j][k], ref[j], 1e-12), (z[k], w[k], j)


def test_c_pow_integer_exponents_exact():
    op = _rules.op_codes("binary")["pow"]
    r = c_binary(op, 2, np.array([2j, 1 + 1j, 0j, 0j, 0j]), np.array([2, 3, 2, 0, 1]))
    assert r[0].tolist() == [-4, (1 + 1j) ** 3, 0, 1, 0]
    assert r[1].tolist() == [4j, 3 * (1 + 1j) ** 2, 0, 0, 1]  # k z^(k-1)
    assert r[3].tolist() == [2, 6 * (1 + 1j), 2, 0, 0]  # k (k-1) z^(k-2)


# ------------------------------------------- central differences in the plane

H = 1e-5


def central(f, z, v):
    """(f(z + h v) - f(z - h v)) / 2h, the derivative along v (1 or i)."""
    return (f(z + H * v) - f(z - H * v)) / (2 * H)


FUNCS = {
    "poly": lambda z: z ** 3 - 2 * z * z + 1 / (z + 3),
    "exp_sin": lambda z: np.exp(np.sin(z)) * np.cos(z) / (1 + z * z),
    "inverse": lambda z: np.arcsinh(z) + np.arctan(z) - np.arccos(z / 3) + np.arctanh(z / 4),
    "logs": lambda z: np.log(z) * np.sqrt(z) + np.log10(z) - np.log1p(z) + np.log2(z) + np.exp2(z),
    "hyper": lambda z: np.tanh(z) * np.cosh(z) - np.sinh(z / 2) + np.tan(z / 3) + np.arccosh(z + 3),
    "power": lambda z: z ** (0.5 + 0.3j) + (1.5 + 0j) ** z - np.expm1(z) + np.square(z) * np.reciprocal(z + 2),
    # not holomorphic
    "abs": lambda z: np.abs(z) ** 3 + abs(z * z - 1),
    "angle": lambda z: np.angle(z) * np.exp(z),
    "conj_real_imag": lambda z: np.conj(z) * z.real + np.imag(z) ** 2 * np.real(z * 1j),
}
HOLOMORPHIC = {"poly", "exp_sin", "inverse", "logs", "hyper", "power"}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_jvp_against_central_differences(name):
    f = FUNCS[name]
    for z in points(6):
        for v in (1.0, 1j):
            y, t = dualdiff.jvp(f, complex(z), v)
            assert close(y, f(z), 1e-15)
            assert close(t, central(f, z, v), 1e-7), (name, z, v)


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_wirtinger_against_central_differences(name):
    f = FUNCS[name]
    for z in points(4):
        dz, dzbar = dualdiff.wirtinger(f)(complex(z))
        fx, fy = central(f, z, 1.0), central(f, z, 1j)
        assert close(dz, (fx - 1j * fy) / 2, 1e-7)
        assert abs(dzbar - (fx + 1j * fy) / 2) <= 1e-7 * max(abs(fx), abs(fy))
        if name in HOLOMORPHIC:
            assert abs(dzbar) <= 1e-13 * abs(dz)  # Cauchy-Riemann
            assert close(dualdiff.derivative(f, holomorphic=True)(complex(z)), dz, 1e-13)


@pytest.mark.parametrize("name", sorted(HOLOMORPHIC))
def test_second_order_against_differences_of_the_first(name):
    f = FUNCS[name]
    d1 = dualdiff.derivative(f, holomorphic=True)
    d2 = dualdiff.derivative(f, holomorphic=True, order=2)
    for z in points(4):
        z = complex(z)
        assert close(d2(z), (d1(z + H) - d1(z - H)) / (2 * H), 1e-7)
        assert close(d2(z), (d1(z + 1j * H) - d1(z - 1j * H)) / (2j * H), 1e-7)


@pytest.mark.parametrize("name", ["abs", "angle", "conj_real_imag"])
def test_second_order_real_directions(name):
    # second derivatives along the real directions (1, i) of a function that is not
    # holomorphic, against central differences of the first derivatives
    f = FUNCS[name]
    z0 = complex(points(1)[0])
    dirs = (1.0, 1j)

    def seeded(z):
        x = ComplexDual(z, np.array([1.0, 1j]), np.zeros((2, 2)))
        return f(x)
    y = seeded(z0)
    for k in range(2):
        for m in range(2):
            t_plus = f(ComplexDual(z0 + H * dirs[m], np.array([dirs[k]]))).tangent[0]
            t_minus = f(ComplexDual(z0 - H * dirs[m], np.array([dirs[k]]))).tangent[0]
            assert close(y.hessian[k, m], (t_plus - t_minus) / (2 * H), 1e-7)


# --------------------------------------------------------- hand derivations


def test_jax_conventions_by_hand():
    # grad of a real-valued f of complex z: df/dx - i df/dy (JAX gives 6-8j here)
    g = dualdiff.grad(lambda z: np.real(z) ** 2 + np.imag(z) ** 2)(3 + 4j)
    assert g == 6 - 8j
    assert abs(dualdiff.grad(lambda z: abs(z) ** 2)(3 + 4j) - (6 - 8j)) <= 4e-15
    # holomorphic: f'(z)
    assert dualdiff.grad(np.sin, holomorphic=True)(3 + 4j) == cmath.cos(3 + 4j)
    assert dualdiff.derivative(lambda z: z ** 3, holomorphic=True)(1 + 2j) == 3 * (1 + 2j) ** 2
    assert dualdiff.derivative(lambda z: z ** 3, holomorphic=True, order=2)(1 + 2j) == 6 * (1 + 2j)
    # real x, complex result: complex derivative, as jax.jacfwd
    d = dualdiff.derivative(lambda t: np.exp(1j * t))(0.5)
    assert close(d, 1j * cmath.exp(0.5j), 1e-15)
    J = dualdiff.jacobian(lambda t: np.exp(1j * t))(np.array([0.5, 1.0]))
    assert J.dtype == np.complex128 and close(J[1, 1], 1j * cmath.exp(1j), 1e-15) and J[0, 1] == 0
    # jvp of conj along v is conj(v); of abs along v: Re(conj(z) v)/|z|
    assert dualdiff.jvp(np.conj, 1 + 2j, 3 - 1j) == (1 - 2j, 3 + 1j)
    y, t = dualdiff.jvp(np.abs, 3 + 4j, 1j)
    assert y == 5.0 and close(t, 4 / 5, 1e-15)
    # wirtinger of z * conj(z): (conj z, z)
    assert dualdiff.wirtinger(lambda z: z * np.conj(z))(3 + 4j) == (3 - 4j, 3 + 4j)
    # angle: d arg z = Im(dz / z)
    y, t = dualdiff.jvp(np.angle, 1 + 1j, 1.0)
    assert close(y, cmath.pi / 4, 1e-15) and close(t, -0.5, 1e-15)


def test_complex_x_needs_holomorphic():
    for verb in (dualdiff.derivative, dualdiff.jacobian):
        with pytest.raises(TypeError, match=r"holomorphic=True"):
            verb(np.sin)(1 + 1j)
    with pytest.raises(TypeError, match=r"real-valued f.*holomorphic=True"):
        dualdiff.grad(np.sin)(1 + 1j)
    with pytest.raises(TypeError, match="holomorphic=True"):
        dualdiff.hessian(lambda z: z ** 2)(1 + 1j)
    # a function that is not holomorphic under the promise raises, not a number
    for f in (np.conj, np.abs, np.real, np.imag, np.angle, lambda z: np.fft.rfft(z)):
        with pytest.raises(TypeError, match="not holomorphic"):
            dualdiff.jacobian(f, holomorphic=True)(np.array([1 + 1j, 2.0]))


def test_grad_needs_real_valued_f():
    with pytest.raises(TypeError, match="real-valued"):
        dualdiff.grad(lambda x: np.exp(1j * x[0]))(np.array([1.0]))
    # real-valued with complex intermediates: fine, and equal to the real formula
    g = dualdiff.grad(lambda x: np.abs(np.exp(1j * x[0]) * x[1]) ** 2)(np.array([1.0, 2.0]))
    assert np.allclose(g, [0.0, 4.0], rtol=1e-15, atol=1e-15)


def test_values_and_containers():
    vg = dualdiff.value_and_grad(lambda z: np.sum(abs(z) ** 2))(np.array([3 + 4j, 1j]))
    assert np.allclose(vg[0], 26.0, rtol=1e-15)
    assert np.allclose(vg[1], [6 - 8j, -2j], rtol=1e-15)
    vj = dualdiff.value_and_jacobian(lambda z: z * z, holomorphic=True)([1j, 2.0])
    assert vj[0].tolist() == [-1, 4] and vj[1].tolist() == [[2j, 0], [0, 4]]
    # lists of complex arrays out: the structure stacks as for real results
    x = np.array([1.0, 2.0, 3.0])
    J = dualdiff.jacobian(lambda x: [np.fft.fft(x), 1j * x])(x)
    assert J.shape == (2, 3, 3)
    assert np.allclose(J[1], 1j * np.eye(3), rtol=0, atol=0)


def test_astype_keeps_derivatives_or_refuses():
    z = ComplexDual(np.array([1 + 2j, -1j]), np.array([[1.0, 0.0], [0.0, 1j]]))
    c = z.astype(np.complex128)
    assert np.array_equal(c.value, z.value) and np.array_equal(c.tangent, z.tangent)
    r = ComplexDual(np.array([2.0, 3.0]), np.eye(2))
    w = r.astype(complex)
    assert w.value.dtype == np.complex128 and w.tangent.dtype == np.complex128
    assert np.array_equal(w.tangent, np.eye(2))
    assert r.astype(np.float64).value.dtype == np.float64
    with pytest.raises(TypeError, match="np.real"):
        z.astype(np.float64)
    with pytest.raises(TypeError, match="only float64 and complex128"):
        r.astype(np.float32)
    # through a transform: d/dz of z.astype(complex) ** 2 is 2z
    assert dualdiff.derivative(lambda z: z.astype(complex) ** 2, holomorphic=True)(1 + 1j) == 2 + 2j


# -------------------------------------------------------------------- FFTs


def dft(n, inverse=False):
    """The DFT matrix written out: exp(-+2 pi i j k / n)."""
    j, k = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    s = 1 if inverse else -1
    w = np.exp(s * 2j * np.pi * j * k / n)
    return w / n if inverse else w


@pytest.mark.parametrize("n", [1, 4, 5])
def test_fft_jacobians_are_dft_matrices(n):
    rng = np.random.default_rng(SEED)
    z = rng.normal(size=n) + 1j * rng.normal(size=n)
    x = rng.normal(size=n)
    jh = dict(holomorphic=True)
    assert np.allclose(dualdiff.jacobian(np.fft.fft, **jh)(z), dft(n), rtol=0, atol=1e-14)
    assert np.allclose(dualdiff.jacobian(np.fft.ifft, **jh)(z), dft(n, True), rtol=0, atol=1e-14)
    assert np.allclose(dualdiff.jacobian(np.fft.fft)(x), dft(n), rtol=0, atol=1e-14)
    assert np.allclose(dualdiff.jacobian(np.fft.rfft)(x), dft(n)[: n // 2 + 1], rtol=0, atol=1e-14)
    assert np.allclose(dualdiff.jacobian(lambda a: np.fft.fft(a, norm="ortho"))(x),
                       dft(n) / np.sqrt(n), rtol=0, atol=1e-14)


def test_fft2_fftn_and_axes():
    rng = np.random.default_rng(SEED)
    z = rng.normal(size=(3, 4)) + 1j * rng.normal(size=(3, 4))
    K = np.kron(dft(3), dft(4)).reshape(3, 4, 3, 4)  # the 2-d DFT, row-major
    jh = dict(holomorphic=True)
    for f in (np.fft.fft2, np.fft.fftn, lambda a: np.fft.fftn(a, axes=(0, 1))):
        assert np.allclose(dualdiff.jacobian(f, **jh)(z), K, rtol=0, atol=1e-13)
    Ki = np.kron(dft(3, True), dft(4, True)).reshape(3, 4, 3, 4)
    for f in (np.fft.ifft2, np.fft.ifftn):
        assert np.allclose(dualdiff.jacobian(f, **jh)(z), Ki, rtol=0, atol=1e-14)
    # along axis 0 only, positional axis argument
    K0 = np.einsum("ac,bd->abcd", dft(3), np.eye(4))
    assert np.allclose(dualdiff.jacobian(lambda a: np.fft.fft(a, None, 0), **jh)(z), K0,
                       rtol=0, atol=1e-14)


def test_real_ffts_of_complex_numbers_by_differences():
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=6)

    def f(x):  # irfft of a complex spectrum made from x, then back: real-valued
        s = np.fft.rfft(x) * np.exp(1j * x[:4])
        return np.sum(np.fft.irfft(s, n=6) ** 2) + np.sum(np.abs(np.fft.rfft2(x.reshape(2, 3))))
    g = dualdiff.grad(f)(x)
    fd = [(f(x + H * e) - f(x - H * e)) / (2 * H) for e in np.eye(6)]
    assert np.allclose(g, fd, rtol=1e-7, atol=1e-9)


def test_parseval_gradient_and_hessian():
    # sum |fft(x)|^2 = n sum x^2: gradient 2 n x, Hessian 2 n I
    x = np.array([1.0, -2.0, 0.5, 3.0])
    f = lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2)  # noqa: E731
    assert np.allclose(dualdiff.grad(f)(x), 8 * x, rtol=1e-14)
    assert np.allclose(dualdiff.hessian(f)(x), 8 * np.eye(4), rtol=1e-14, atol=1e-13)
    assert dualdiff.hessian(f)(x).dtype == np.float64


# ------------------------------------------------------------ NaN-safe rule


def test_nan_safe_rule_per_complex_entry():
    f = lambda z: np.sqrt(z[0]) + z[1]  # noqa: E731 - sqrt' is infinite at 0
    J = dualdiff.jacobian(f, holomorphic=True)(np.array([0j, 1 + 1j]))
    assert J[1] == 1 and not np.isfinite(J[0])
    J = dualdiff.jacobian(f, holomorphic=True, nan_safe=False)(np.array([0j, 1 + 1j]))
    assert np.isnan(J[1])
    # the rule is per complex entry: a tangent i (real part 0) is not dropped
    _, t = dualdiff.jvp(np.sqrt, 0j, 1j)
    assert not np.isfinite(t)
    # abs at 0: no derivative in the plane; 0 (a subgradient, JAX's choice) at first
    # order, NaN at second order, so that a Hessian through it is NaN, not wrong
    _, t = dualdiff.jvp(lambda z: np.abs(z[0]) + z[1], np.array([0j, 1j]), np.array([1.0 + 1j, 0]))
    assert t == 0
    H2 = dualdiff.hessian(lambda x: np.abs(x[0] + 1j * x[1]) ** 2)(np.array([0.0, 0.0]))
    assert np.all(np.isnan(H2))
    H2 = dualdiff.hessian(lambda x: np.real((x[0] + 1j * x[1]) * np.conj(x[0] + 1j * x[1])))(
        np.array([0.0, 0.0]))
    assert H2.tolist() == [[2.0, 0.0], [0.0, 2.0]]
    # |fft(x)|^2 with empty bins: the gradient is right (Parseval: 2 n x)
    assert np.allclose(dualdiff.grad(lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2))(np.ones(4)),
                       8 * np.ones(4), rtol=1e-15)
    _, t = dualdiff.jvp(lambda z: np.abs(z[0]) + z[1], np.array([0j, 1j]), np.array([0, 1.0]))
    assert t == 1


# ------------------------------------------- angle, real_if_close, nan_to_num


def test_angle_real_if_close_nan_to_num():
    z = np.array([1 + 1j, -2 + 0.5j])
    J = dualdiff.jacobian(lambda x: np.angle(x[0] + 1j * x[1], deg=True))(np.array([1.0, 1.0]))
    assert np.allclose(J, np.array([-0.5, 0.5]) * 180 / np.pi, rtol=1e-15)
    # real_if_close: real when the imaginary parts vanish (decided on the values)
    r = dualdiff.jacobian(lambda x: np.real_if_close(np.exp(1j * x) * np.exp(-1j * x) * x))(z.real)
    assert r.dtype == np.float64 and np.allclose(r, np.eye(2), rtol=1e-15)
    # nan_to_num: replaced entries are constants
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0), as in NumPy
        J = dualdiff.jacobian(lambda x: np.nan_to_num(np.log(x * (1 + 0j)) * x))(np.array([0.0, 2.0]))
    assert J[0, 0] == 0 and close(J[1, 1], np.log(2) + 1, 1e-15)


# --------------------------------------------------------------- compositions


def test_compositions():
    # complex inside a real transform, arrays of complex inside lists
    x = np.array([0.3, 0.7])

    def f(x):
        parts = [np.exp(1j * x), np.fft.fft(x * x), 2.0 + x[0] * 1j]
        return sum(np.sum(np.abs(p) ** 2) for p in parts)
    g = dualdiff.grad(f)(x)
    fd = [(f(x + H * e) - f(x - H * e)) / (2 * H) for e in np.eye(2)]
    assert np.allclose(g, fd, rtol=1e-8)
    # by hand: |exp(ix)|^2 = 1; sum|fft(x^2)|^2 = 2 sum x^4; |2 + i x0|^2 = 4 + x0^2
    assert np.allclose(g, [8 * x[0] ** 3 + 2 * x[0], 8 * x[1] ** 3], rtol=1e-14)
    # dict inputs keep their keys
    gd = dualdiff.grad(lambda d: abs(np.exp(1j * d["a"]) * d["b"]) ** 2)({"a": 0.2, "b": 3.0})
    assert set(gd) == {"a", "b"} and np.isclose(gd["b"], 6.0, rtol=1e-15) and abs(gd["a"]) < 1e-15
    # holomorphic composition through matmul and sums
    A = np.array([[1.0, 2j], [0.5, -1.0]])
    J = dualdiff.jacobian(lambda z: np.exp(A @ z), holomorphic=True)(np.array([0.1j, 0.2]))
    ref = np.exp(A @ np.array([0.1j, 0.2]))[:, None] * A
    assert np.allclose(J, ref, rtol=1e-15)


def test_real_paths_unchanged():
    # real functions still take the real numbers: results bit for bit as before
    assert dualdiff.grad(lambda x: x[0] * x[1] ** 2)([3.0, 2.0]).tolist() == [4.0, 12.0]
    assert dualdiff.derivative(lambda x: x ** 3)(2.0) == 12.0


# ---------------------------------------------------------------------- eig


def eig_by_differences(A, dA):
    """Central differences of NumPy's own eig along dA (eigenvalues kept in
    LAPACK's order, which is continuous at these well-separated points)."""
    wp, Vp = np.linalg.eig(A + H * dA)
    wm, Vm = np.linalg.eig(A - H * dA)
    return (wp - wm) / (2 * H), (Vp - Vm) / (2 * H)


@pytest.mark.parametrize("kind", ["real eigenvalues", "complex pairs", "complex matrix"])
def test_eig_against_differences_of_numpys_eig(kind):
    rng = np.random.default_rng(SEED)
    if kind == "real eigenvalues":
        A = np.array([[4.0, 1.0, 0.5], [0.3, 2.0, 0.2], [0.1, 0.4, -1.0]])
    elif kind == "complex pairs":
        A = np.array([[0.5, -2.0, 0.3], [1.5, 0.2, 0.1], [0.4, 0.3, 1.7]])
    else:
        A = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    for _ in range(3):
        dA = rng.normal(size=(3, 3)) * (1 + (1j if kind == "complex matrix" else 0))
        w, dw = dualdiff.jvp(lambda a: np.linalg.eig(a)[0], A, dA)
        V, dV = dualdiff.jvp(lambda a: np.linalg.eig(a)[1], A, dA)
        w0, V0 = np.linalg.eig(A)
        assert np.array_equal(w, w0) and np.array_equal(V, V0)  # NumPy's own, signs and phases
        fw, fV = eig_by_differences(A, dA)
        assert np.allclose(dw, fw, rtol=1e-7, atol=1e-8)
        assert np.allclose(dV, fV, rtol=1e-6, atol=1e-7)
    # the eigenvalues are holomorphic in the entries: d w / d A[i, j] = (V^-1)[k, i] V[j, k]
    if kind == "complex matrix":
        J = dualdiff.jacobian(np.linalg.eigvals, holomorphic=True)(A)
        w0, V0 = np.linalg.eig(A)
        Vi = np.linalg.inv(V0)
        assert np.allclose(J, np.einsum("ki,jk->kij", Vi, V0), rtol=1e-13)
        with pytest.raises(TypeError, match="not holomorphic"):
            dualdiff.jacobian(lambda a: np.linalg.eig(a)[1], holomorphic=True)(A)


def test_eig_real_input_through_transforms():
    # a real function of a real matrix through eig (eigenvalues of a rotation-like block)
    def f(p):
        A = np.array([[1.0, 0.0], [0.0, 1.0]]) * p[0] + np.array([[0.0, -1.0], [1.0, 0.0]]) * p[1]
        w = np.linalg.eigvals(A)
        return np.sum(np.abs(w) ** 2)  # |p0 +- i p1|^2 twice: 2 (p0^2 + p1^2)
    g = dualdiff.grad(f)(np.array([0.3, 0.8]))
    assert np.allclose(g, [4 * 0.3, 4 * 0.8], rtol=1e-14)


def test_eig_repeated_eigenvalues_are_not_finite():
    _, dV = dualdiff.jvp(lambda a: np.linalg.eig(a)[1], np.eye(2), np.array([[0.0, 1.0], [0.0, 0.0]]))
    assert not np.all(np.isfinite(dV))


# ------------------------------------------------------- eig, second order

EIG_MATRICES = {
    "real eigenvalues": np.array([[4.0, 1.0, 0.5], [0.3, 2.0, 0.2], [0.1, 0.4, -1.0]]),
    "complex pairs": np.array([[0.5, -2.0, 0.3], [1.5, 0.2, 0.1], [0.4, 0.3, 1.7]]),
    "complex matrix": np.array([[0.3 + 1.1j, -0.7 + 0.2j, 0.5], [1.2 - 0.4j, -0.8 + 0.3j, 0.1j],
                                [0.2 + 0.6j, 0.9, 1.4 - 0.5j]]),
}


def mp_eig(A, w0, V0):
    """mpmath's eig of the mpmath matrix A, independent of LAPACK: eigenvalues in
    the order of the nearest of NumPy's w0, eigenvectors normalized as NumPy's
    (unit 2-norm, the component largest in V0 real, with V0's sign there)."""
    E, ER = mp.eig(A)
    m = len(w0)
    w, V = [None] * m, [[None] * m for _ in range(m)]
    for i in range(m):
        j = int(np.argmin([abs(complex(e) - w0[i]) for e in E]))
        col = [ER[r, j] for r in range(m)]
        top = int(np.argmax(np.abs(V0[:, i])))
        norm = mp.sqrt(mp.fsum(abs(c) ** 2 for c in col))
        scale = abs(col[top]) / (col[top] * norm) * (1 if V0[top, i].real > 0 else -1)
        w[i] = E[j]
        for r in range(m):
            V[r][i] = col[r] * scale
    return w, V


def eig_second_by_mpmath(A, Ek, El, h=mp.mpf("1e-15")):
    """d2/ds dt of NumPy's (w, V) at A + s Ek + t El, by mixed central differences
    of mpmath's eig at 50 digits (errors near 1e-20)."""
    w0, V0 = np.linalg.eig(A)
    with mp.workdps(50):
        M = mp.matrix(A.tolist())
        acc_w, acc_V = 0, 0
        for s, t, sign in ((1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)):
            w, V = mp_eig(M + s * h * mp.matrix(Ek.tolist()) + t * h * mp.matrix(El.tolist()), w0, V0)
            acc_w = acc_w + sign * mp.matrix(w)
            acc_V = acc_V + sign * mp.matrix(V)
        return (np.array((acc_w / (4 * h * h)).tolist(), dtype=complex).reshape(-1),
                np.array((acc_V / (4 * h * h)).tolist(), dtype=complex))


@pytest.mark.parametrize("kind", sorted(EIG_MATRICES))
def test_eig_second_derivatives_against_mpmath(kind):
    A = EIG_MATRICES[kind]
    rng = np.random.default_rng(SEED)
    E = rng.normal(size=(2, 3, 3)) + (1j * rng.normal(size=(2, 3, 3)) if kind == "complex matrix" else 0)
    a = ComplexDual(A, E, np.zeros((2, 2, 3, 3)))
    w, V = np.linalg.eig(a)
    w0, V0 = np.linalg.eig(A)
    assert np.array_equal(w.value, w0) and np.array_equal(V.value, V0)
    assert np.array_equal(np.linalg.eigvals(a).hessian, w.hessian)
    for k, l in ((0, 0), (0, 1), (1, 1)):
        rw, rV = eig_second_by_mpmath(A, E[k], E[l])
        assert np.allclose(w.hessian[k, l], rw, rtol=1e-11, atol=1e-11)
        assert np.allclose(V.hessian[k, l], rV, rtol=1e-11, atol=1e-11)
        assert np.array_equal(w.hessian[k, l], w.hessian[l, k])
    if kind != "complex matrix":  # a real matrix along real directions: real numbers
        assert w.hessian.dtype == (np.float64 if kind == "real eigenvalues" else np.complex128)


@pytest.mark.parametrize("kind", sorted(EIG_MATRICES))
def test_eig_second_derivatives_against_differences_of_the_first(kind):
    # a matrix with second derivatives of its own, A(p) quadratic in p, and a
    # real function of eig through hessian; the reference is central differences
    # of grad, whose eig derivatives the first-order test checks against NumPy
    A0 = EIG_MATRICES[kind]
    rng = np.random.default_rng(SEED + 1)
    A1, A2 = rng.normal(size=(2, 3, 3))
    C = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))

    def f(p):
        A = A0 + p[0] * A1 + p[1] ** 2 * A2 + p[0] * p[1] * A1.T
        w, V = np.linalg.eig(A)
        return np.real(np.sum(C * V)) + np.imag(np.sum(w * w)) + np.sum(np.abs(w) ** 2)
    p = np.array([0.03, -0.04])
    Hf = dualdiff.hessian(f)(p)
    g = dualdiff.grad(f)
    fd = np.array([(g(p + 1e-6 * e) - g(p - 1e-6 * e)) / 2e-6 for e in np.eye(2)])
    assert np.allclose(Hf, fd, rtol=1e-7, atol=1e-8)
    assert np.array_equal(Hf, Hf.T)
    v = np.array([0.7, -1.3])
    assert np.allclose(dualdiff.hvp(f)(p, v), Hf @ v, rtol=1e-12, atol=1e-12)
    d2 = dualdiff.derivative(lambda s: f(p + s * v), order=2)(0.0)
    assert np.isclose(d2, v @ Hf @ v, rtol=1e-12, atol=1e-12)


def test_eigvals_of_a_matrix_built_from_parameters():
    # dualdiff.numpy.array stacks the numbers of either pass (real Duals, then
    # complex dual numbers); sum(w^3) = trace(A^3) = 7 + 3 a b by hand
    import dualdiff.numpy as dnp

    def f(p):
        A = dnp.array([[2.0, p[0]], [p[1], -1.0]])
        return np.real(np.sum(np.linalg.eigvals(A) ** 3))
    p = np.array([0.3, 0.5])
    assert np.allclose(dualdiff.grad(f)(p), [3 * 0.5, 3 * 0.3], rtol=1e-14)
    assert np.allclose(dualdiff.hessian(f)(p), [[0.0, 3.0], [3.0, 0.0]], rtol=1e-14, atol=1e-14)
    with pytest.raises(ValueError, match="ragged"):
        dualdiff.grad(lambda p: np.real(np.sum(dnp.array([p[:1] * 1j, p]))))(p)


def test_eigvals_second_derivative_holomorphic():
    # d2/dz2 of the eigenvalues of A0 z + A1 z^2 at a complex z, against central
    # differences of the first derivative along 1 and i (Cauchy-Riemann)
    A0, A1 = EIG_MATRICES["complex pairs"], EIG_MATRICES["complex matrix"]
    f = lambda z: np.linalg.eigvals(A0 * z + A1 * z ** 2)  # noqa: E731
    z = 0.7 + 0.2j
    g = lambda z: np.sum(f(z) ** 3)  # noqa: E731
    d1 = dualdiff.derivative(g, holomorphic=True)
    d2 = dualdiff.derivative(g, order=2, holomorphic=True)(z)
    assert close(d2, (d1(z + H) - d1(z - H)) / (2 * H), 1e-8)
    assert close(d2, (d1(z + 1j * H) - d1(z - 1j * H)) / (2j * H), 1e-8)
    J = dualdiff.jacobian(f, holomorphic=True)(z)
    assert np.allclose(J, (f(z + H) - f(z - H)) / (2 * H), rtol=1e-8)


def test_eig_of_a_real_matrix_along_complex_directions():
    # the derivatives are complex (they were once cut to their real parts)
    A = EIG_MATRICES["real eigenvalues"]
    dA = np.einsum("k...,k", np.random.default_rng(SEED).normal(size=(2, 3, 3)), [1.0, 1j])
    w, dw = dualdiff.jvp(np.linalg.eigvals, A, dA)
    fw = (np.linalg.eigvals(A + H * dA) - np.linalg.eigvals(A - H * dA)) / (2 * H)
    assert np.iscomplexobj(dw) and np.allclose(dw, fw, rtol=1e-8, atol=1e-9)
    # NumPy's eigenvectors of a real matrix are real with LAPACK's sign; those of
    # the complex matrices nearby have their largest component real and positive:
    # compare with the columns of A's sign
    V, dV = dualdiff.jvp(lambda a: np.linalg.eig(a)[1], A, dA)
    top = np.argmax(np.abs(V), axis=0)
    sign = np.sign(V[top, np.arange(3)])
    fV = (np.linalg.eig(A + H * dA)[1] - np.linalg.eig(A - H * dA)[1]) * sign / (2 * H)
    assert np.iscomplexobj(dV) and np.allclose(dV, fV, rtol=1e-7, atol=1e-8)


def test_eig_at_repeated_eigenvalues_is_nan_never_a_wrong_number():
    # A(p) = I + p0 E01 + p1 E10 has eigenvalues 1 +- sqrt(p0 p1): at p = 0 the
    # eigenvalues are repeated and not differentiable (sum(w^2) = 2 + 2 p0 p1 is,
    # but not through eig); JAX's diag(V^-1 dA V) would give a finite 0
    E01, E10 = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [1.0, 0.0]])

    def f(p):
        return np.real(np.sum(np.linalg.eigvals(np.eye(2) + p[0] * E01 + p[1] * E10) ** 2))
    with np.errstate(all="raise"):  # no warning either
        assert np.all(np.isnan(dualdiff.hessian(f)(np.zeros(2))))
        assert np.all(np.isnan(dualdiff.grad(f)(np.zeros(2))))
        # w = 1 +- p0 for a symmetric perturbation: the first derivative exists
        # (+-1) but NumPy's order of the two is not a function of p
        J = dualdiff.jacobian(lambda p: np.real(np.linalg.eigvals(np.eye(2) + p[0] * (E01 + E10) + 0j)))
        assert np.all(np.isnan(J(np.zeros(1))))
    # equal to rounding (a rotated identity) counts as repeated
    Q = np.linalg.qr(np.random.default_rng(SEED).normal(size=(3, 3)))[0]
    a = ComplexDual(Q @ np.diag([2.0, 2.0, -1.0]) @ Q.T, np.stack([np.eye(3)[[0, 1, 2]][:, [1, 0, 2]],
                                                                   np.zeros((3, 3))]), np.zeros((2, 2, 3, 3)))
    w, V = np.linalg.eig(a)
    rep = np.abs(w.value - 2.0) < 1e-9
    assert rep.sum() == 2
    assert np.all(np.isnan(w.tangent[0, rep])) and np.all(np.isnan(V.tangent[0][:, rep]))
    assert np.all(np.isnan(w.hessian[0, 0, rep])) and np.all(np.isnan(V.hessian[0, 0][:, rep]))
    # the distinct eigenvalue keeps its derivatives: dw = v^T dA v for symmetric A
    v = V.value[:, ~rep][:, 0]
    assert np.isclose(w.tangent[0, ~rep][0], v @ a.tangent[0] @ v, rtol=1e-12)
    # NaN-safe: where the matrix does not move, the derivatives are 0
    assert np.all(w.tangent[1] == 0) and np.all(V.tangent[1] == 0) and np.all(w.hessian[1, 1] == 0)
    # without it, NaN in every direction
    E = np.array([[0.0, 1.0], [1.0, 0.0]])
    g = lambda p: np.real(np.linalg.eigvals(np.eye(2) + p[0] * E + p[1] * 0.0 + 0j))  # noqa: E731
    assert np.all(np.isnan(dualdiff.jacobian(g, nan_safe=False)(np.zeros(2))))
    J = dualdiff.jacobian(g)(np.zeros(2))
    assert np.all(np.isnan(J[:, 0])) and np.all(J[:, 1] == 0)


# -------------------------------------------------------------- completeness


def test_every_listed_function_takes_complex_duals():
    # the documentation's lists (generated from supported()) against what runs
    from dualdiff._complex import supported
    ufuncs, functions = supported()
    z = ComplexDual(np.array([0.3 + 0.4j, -0.2 + 0.1j]), np.eye(2))
    for name in ufuncs:
        u = getattr(np, name)
        w = np.abs(z) if u in CHOICES else z  # these order real values only
        out = u(w, w) if u.nin == 2 else u(w)
        assert isinstance(out, (ComplexDual, np.ndarray)), name
    assert "fft.fft" in " ".join(functions) and "numpy.linalg.eig" in functions
    table = {u for r in _rules.COMPLEX_UNARY for u in _rules.BY_NAME[r].numpy}
    assert table <= set(ufuncs)


def test_complex_numbers_inside_nested_transforms():
    """A first-order transform inside another, with complex numbers on the way:
    by hand, and against central differences of the inner transform."""
    # d/dx of d/dt Re exp(i t x) at t = 1, which is -x sin x: -sin x - x cos x
    inner = lambda x: dualdiff.derivative(lambda t: np.real(np.exp(1j * t * x)))(1.0)  # noqa: E731
    assert dualdiff.derivative(inner)(0.5) == pytest.approx(-np.sin(0.5) - 0.5 * np.cos(0.5),
                                                            rel=1e-15)
    # Parseval: sum |fft(x)|^2 = n sum x^2, so grad = 2 n x (2 n conj(z) at complex z)
    energy = lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2)  # noqa: E731
    x, v = np.array([1.0, 2.0, 3.0]), np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(dualdiff.jvp(dualdiff.grad(energy), x, v)[1], 6 * v, rtol=1e-14)
    np.testing.assert_allclose(dualdiff.jacobian(dualdiff.grad(energy))(x), 6 * np.eye(3),
                               rtol=1e-14, atol=1e-14)
    J = dualdiff.jvp(dualdiff.jacobian(lambda x: np.real(np.fft.fft(x))), x, v)[1]
    assert np.array_equal(J, np.zeros((3, 3)))  # a linear map: its Jacobian is constant
    t = dualdiff.jvp(lambda x: dualdiff.grad(energy)([x[0] * 1j, x[1]]), [1.0, 2.0], [1.0, 0.0])[1]
    np.testing.assert_allclose(t, [-4j, 0.0], rtol=1e-14, atol=1e-14)  # 2 n conj(i x0) = -4 i x0
    # numbers of the outer call inside the inner function (a closure), in every order
    for o in (lambda t, y: t * y, lambda t, y: y * t, lambda t, y: t + y):
        g = lambda x, o=o: np.abs(np.exp(1j * x[0])) * dualdiff.derivative(  # noqa: E731
            lambda t: o(t, x[1]) * np.exp(1j * x[0]))(1.0)
        z = np.array([0.5, 2.0])
        num = [(g(z + 1e-6 * e) - g(z - 1e-6 * e)) / 2e-6 for e in np.eye(2)]
        np.testing.assert_allclose(dualdiff.jacobian(g)(z), np.transpose(num), rtol=1e-8, atol=1e-9)


def test_inner_fft_of_outer_numbers_against_differences():
    # the inner grad's function multiplies by the outer x (a closure) before the FFT
    G = lambda x: dualdiff.grad(lambda y: np.sum(np.abs(np.fft.fft(y * x)) ** 2 * np.cos(y)))(x)  # noqa: E731
    x = np.array([0.3, -1.2, 0.5, 0.8, -0.1])
    num = np.array([(G(x + 1e-6 * e) - G(x - 1e-6 * e)) / 2e-6 for e in np.eye(5)]).T
    np.testing.assert_allclose(dualdiff.jacobian(G)(x), num, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(dualdiff.jvp(G, x, np.ones(5))[1], num @ np.ones(5), rtol=1e-7,
                               atol=1e-8)


def test_jvp_of_grad_at_complex_points_against_differences():
    rng = np.random.default_rng(SEED)
    f = lambda z: np.sum(np.abs(z) ** 3 + np.real(z * z * np.exp(np.conj(z))))  # noqa: E731
    g = dualdiff.grad(f)
    for n in (1, 5, 70):  # 70 directions: the inner grad runs in chunks
        z = rng.normal(size=n) + 1j * rng.normal(size=n)
        v = rng.normal(size=n) + 1j * rng.normal(size=n)
        num = (g(z + 1e-6 * v) - g(z - 1e-6 * v)) / 2e-6
        np.testing.assert_allclose(dualdiff.jvp(g, z, v)[1], num, rtol=1e-7, atol=1e-8)
    # holomorphic inside holomorphic: d/dz_k of diag(3 w^2 z) at w = z is 9 z^2 on the diagonal
    z = np.array([0.3 + 0.2j, -1 + 0.5j])
    J = dualdiff.jacobian(lambda z: dualdiff.jacobian(lambda w: w ** 3 * z, holomorphic=True)(z),
                          holomorphic=True)(z)
    np.testing.assert_allclose(np.einsum("iij->ij", J), np.diag(9 * z ** 2), rtol=1e-15)
    with pytest.raises(TypeError, match="abs is not holomorphic"):
        dualdiff.jacobian(lambda z: dualdiff.jacobian(lambda w: np.abs(w) * z, holomorphic=True)(z),
                          holomorphic=True)(z)


def test_hvp_with_complex_numbers_inside():
    x, v = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, -1.0])
    energy = lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2)  # noqa: E731 - Hessian 2 n I
    assert np.allclose(dualdiff.hvp(energy)(x, v), 6 * v, rtol=1e-14, atol=1e-14)
    assert np.allclose(dualdiff.hvp(lambda t: np.real(np.exp(1j * t)))(0.5, 2.0),
                       -2 * np.cos(0.5), rtol=1e-15)


def test_dicts_and_ragged_lists_of_complex_arrays():
    # the derivatives come back in the structure of x, as for real inputs
    g = dualdiff.grad(lambda d: np.sum(np.abs(d["a"]) ** 2) + np.abs(d["b"]) ** 2)(
        {"a": np.array([1 + 1j, 2j]), "b": 3 - 1j})
    assert g["a"].tolist() == [2 - 2j, -4j] and complex(g["b"]) == 6 + 2j  # 2 conj(z)
    J = dualdiff.jacobian(lambda p: np.sum(p[0]) * p[1], holomorphic=True)(
        [np.array([1j, 2.0]), np.array([3j])])
    assert J[0].tolist() == [[3j, 3j]] and J[1].tolist() == [[2 + 1j]]


def test_linear_functions_against_differences():
    rng = np.random.default_rng(SEED)
    z = rng.normal(size=(2, 3)) + 1j * rng.normal(size=(2, 3))
    v = rng.normal(size=(2, 3)) + 1j * rng.normal(size=(2, 3))
    c = rng.normal(size=3) + 1j * rng.normal(size=3)
    fs = [lambda a: np.sum(a ** 2, axis=0), lambda a: np.mean(np.exp(a), axis=1),
          lambda a: np.transpose(a) @ c[:2], lambda a: np.reshape(a, (3, 2)) * 2j,
          lambda a: np.concatenate([a, np.sin(a)], axis=1), lambda a: np.stack([a, a * a], axis=-1),
          lambda a: np.vdot(a, np.cos(a)), lambda a: np.dot(a, c), lambda a: np.outer(a[0], c),
          lambda a: np.cumsum(a, axis=1), lambda a: np.diff(a ** 3, axis=0), lambda a: np.trace(a[:, :2]),
          lambda a: np.swapaxes(a, 0, 1) ** 2, lambda a: np.moveaxis(a, 0, 1), lambda a: a.T @ a,
          lambda a: np.flip(np.roll(a, 1, axis=1), axis=0), lambda a: np.expand_dims(a, 0).sum(),
          lambda a: np.fft.fftshift(np.fft.ifft2(a)), lambda a: np.fft.ifftshift(np.fft.fftn(a, s=(2, 4), axes=(0, 1))),
          lambda a: np.fft.ihfft(np.real(a)), lambda a: np.fft.hfft(a, n=5), lambda a: np.fft.irfftn(a)]
    for f in fs:
        y, t = dualdiff.jvp(f, z, v)
        fd = (f(z + H * v) - f(z - H * v)) / (2 * H)
        assert np.allclose(y, f(z), rtol=1e-15, atol=1e-15)
        assert np.allclose(t, fd, rtol=1e-7, atol=1e-8)
    with pytest.raises(TypeError, match="not holomorphic"):
        dualdiff.jacobian(lambda a: np.vdot(a, a), holomorphic=True)(z)


def test_fast_paths_hand_complex_numbers_over():
    # lists of floats and float x take compiled fast paths; complex numbers inside f
    # hand the call to the complex numbers there too
    f = lambda x: abs(x[0] * 1j + x[1]) ** 2  # noqa: E731 - x0^2 + x1^2
    assert np.allclose(dualdiff.grad(f)([1.0, 2.0]), [2.0, 4.0], rtol=1e-15)
    v, g = dualdiff.value_and_grad(f)([1.0, 2.0])
    assert np.isclose(v, 5.0, rtol=1e-15) and np.allclose(g, [2.0, 4.0], rtol=1e-15)
    assert np.allclose(dualdiff.hessian(f)([1.0, 2.0]), 2 * np.eye(2), rtol=1e-15)
    assert np.isclose(dualdiff.derivative(lambda t: np.imag(np.exp(1j * t)))(0.5), np.cos(0.5),
                      rtol=1e-15)
    # any other TypeError is f's own and passes through unchanged
    with pytest.raises(TypeError, match="unsupported operand"):
        dualdiff.grad(lambda x: x[0] + "a")([1.0, 2.0])


def test_shape_and_dtype_questions_read_the_values():
    # np.ndim, np.shape, np.iscomplexobj... ask about the values only: they
    # answer inside f instead of refusing, and the derivatives are untouched
    def f(z):
        assert np.ndim(z) == 1 and np.shape(z) == (2,) and np.size(z) == 2
        assert np.iscomplexobj(z) and not np.isrealobj(z)
        assert np.iscomplex(z).tolist() == [True, False] and np.isreal(z).tolist() == [False, True]
        assert np.result_type(z, 1.0) == np.complex128
        return z * z if np.iscomplexobj(z) else z
    z = np.array([1.0 + 2.0j, 3.0 + 0.0j])
    J = dualdiff.jacobian(f, holomorphic=True)(z)
    assert np.array_equal(J, np.diag(2 * z))  # d(z^2)/dz = 2z, by hand
    _, t = dualdiff.jvp(lambda x: (np.ndim(np.exp(1j * x)) + 1) * np.exp(1j * x), 0.5, 1.0)
    assert abs(t - 1j * np.exp(0.5j)) < 1e-15


def test_norms_variance_and_products_of_complex_arrays():
    # references: central differences in the complex plane (H as above) and,
    # for the 2-norm, the hand-derived d|z| = Re(conj(z) . dz) / |z|
    rng = np.random.default_rng(SEED)
    z = rng.normal(size=(3, 4)) + 1j * rng.normal(size=(3, 4))
    v = rng.normal(size=(3, 4)) + 1j * rng.normal(size=(3, 4))
    fs = [lambda a: np.linalg.norm(a), lambda a: np.linalg.norm(a, "fro"),
          lambda a: np.linalg.norm(a, axis=0), lambda a: np.linalg.norm(a, axis=(0, 1), keepdims=True),
          lambda a: np.linalg.norm(a[1], ord=3), lambda a: np.linalg.norm(a[:, 0], ord=1),
          lambda a: np.var(a), lambda a: np.var(a, axis=1, ddof=1), lambda a: np.std(a, axis=0, keepdims=True),
          lambda a: np.prod(a), lambda a: np.prod(a, axis=1), lambda a: np.prod(a, axis=0, keepdims=True),
          lambda a: np.linalg.norm(np.exp(a) * a, axis=1) * np.prod(a[0])]
    for f in fs:
        y, t = dualdiff.jvp(f, z, v)
        fd = (f(z + H * v) - f(z - H * v)) / (2 * H)
        assert np.array_equal(y, f(z))  # NumPy's own values
        assert np.shape(t) == np.shape(fd) and np.allclose(t, fd, rtol=1e-7, atol=1e-8)
    _, t = dualdiff.jvp(np.linalg.norm, z[0], v[0])
    assert abs(t - np.real(np.vdot(z[0], v[0])) / np.linalg.norm(z[0])) < 1e-14
    # a product with a zero entry keeps its exact derivative (no division)
    w = np.array([0.0 + 0.0j, 2.0 + 1.0j, 1.0 - 1.0j])
    _, t = dualdiff.jvp(np.prod, w, np.array([1.0, 0.0, 0.0]))
    assert t == (2.0 + 1.0j) * (1.0 - 1.0j)
    # second derivatives: the Hessian of |z|^2 summed (the identity, times 2) and of the variance
    x = rng.normal(size=3)
    assert np.allclose(dualdiff.hessian(lambda x: np.linalg.norm(x * (1 + 2j)) ** 2)(x),
                       10 * np.eye(3), rtol=1e-13, atol=1e-13)
    assert np.allclose(dualdiff.hessian(lambda x: np.var(x * 1j))(x),
                       2 / 3 * (np.eye(3) - np.ones((3, 3)) / 3), rtol=1e-13, atol=1e-13)
    with pytest.raises(TypeError, match="ord=inf"):
        dualdiff.jvp(lambda a: np.linalg.norm(a, ord=np.inf), z[0], v[0])
    with pytest.raises(TypeError, match="not holomorphic"):
        dualdiff.jacobian(np.linalg.norm, holomorphic=True)(z[0])


def test_einsum_tensordot_and_kron_of_complex_arrays():
    # references: central differences in the complex plane; einsum in both
    # forms, with one and several dual operands (the product rule)
    rng = np.random.default_rng(SEED)
    A = rng.normal(size=(2, 3)) + 1j * rng.normal(size=(2, 3))
    B = rng.normal(size=(3, 3))
    z = rng.normal(size=3) + 1j * rng.normal(size=3)
    v = rng.normal(size=3) + 1j * rng.normal(size=3)
    fs = [lambda x: np.einsum("ij,j->i", A, x), lambda x: np.einsum("i,i,ij->j", x, x, B),
          lambda x: np.einsum(A, [0, 1], x, [1], [0]), lambda x: np.einsum(x, [0], x, [1]),
          lambda x: np.einsum("i,i", x, np.exp(x)), lambda x: np.tensordot(A, x, 1),
          lambda x: np.tensordot(np.outer(x, x), B, axes=([0, 1], [1, 0])),
          lambda x: np.kron(x, A), lambda x: np.kron(x * x, x)]
    for f in fs:
        y, t = dualdiff.jvp(f, z, v)
        fd = (f(z + H * v) - f(z - H * v)) / (2 * H)
        assert np.array_equal(y, f(z))
        assert np.allclose(t, fd, rtol=1e-7, atol=1e-8)
    # holomorphic: d/dz of sum_i z_i^2 B_ij is 2 z_i B_ij (by hand), and second order
    J = dualdiff.jacobian(lambda x: np.einsum("i,i,ij->j", x, x, B), holomorphic=True)(z)
    assert np.allclose(J, 2 * (z[:, None] * B).T, rtol=1e-14, atol=1e-14)
    x = rng.normal(size=3)
    Hs = dualdiff.hessian(lambda x: np.real(np.einsum("i,ij,j", x * 1j, B, x * 1j)))(x)
    assert np.allclose(Hs, -(B + B.T), rtol=1e-14, atol=1e-14)


def test_max_and_min_of_complex_arrays_follow_the_picked_entry():
    # NumPy orders complex numbers by real part, then imaginary part; the
    # derivative is that of the entry it picks (by hand: the tangent there)
    z = np.array([[1.0 + 5.0j, 2.0 - 1.0j], [2.0 + 3.0j, -1.0 + 0.0j]])
    v = np.array([[1.0, 2.0j], [3.0, 4.0j]])
    assert dualdiff.jvp(np.max, z, v)[1] == 3.0            # 2 + 3j is the largest
    assert dualdiff.jvp(np.min, z, v)[1] == 4.0j           # -1 the smallest
    y, t = dualdiff.jvp(lambda a: np.max(a, axis=1), z, v)
    assert np.array_equal(y, [2.0 - 1.0j, 2.0 + 3.0j]) and np.array_equal(t, [2.0j, 3.0])
    y, t = dualdiff.jvp(lambda a: np.min(a * a, axis=0, keepdims=True), z, v)
    assert np.array_equal(y, np.min(z * z, axis=0, keepdims=True))
    assert np.array_equal(t, [[2 * z[0, 0] * v[0, 0], 2 * z[1, 1] * v[1, 1]]])
    H = dualdiff.hessian(lambda x: np.real(np.max(x * (1 + 1j)) ** 2))(np.array([0.5, 2.0]))
    assert np.array_equal(H, [[0.0, 0.0], [0.0, 0.0]])     # Re((1+i)^2 x1^2) = 0


def test_singular_values_and_nuclear_norm_of_complex_matrices():
    # first derivatives against central differences in the complex plane and the
    # hand-derived ds_k = Re(u_k^H dA v_k); second derivatives (from a hessian in
    # two real parameters) against differences of the first
    rng = np.random.default_rng(SEED)
    sv = lambda a: np.linalg.svd(a, compute_uv=False)  # noqa: E731
    for shape in [(4, 3), (3, 4), (2, 3, 3)]:
        z = rng.normal(size=shape) + 1j * rng.normal(size=shape)
        v = rng.normal(size=shape) + 1j * rng.normal(size=shape)
        w = rng.normal(size=shape) + 1j * rng.normal(size=shape)
        for f in (sv, lambda a: np.linalg.norm(a, "nuc", axis=(-2, -1)),
                  lambda a: np.linalg.norm(np.moveaxis(a, -1, 0), "nuc", axis=(0, 1), keepdims=True)):
            y, t = dualdiff.jvp(f, z, v)
            assert np.array_equal(y, f(z))
            assert np.allclose(t, (f(z + H * v) - f(z - H * v)) / (2 * H), rtol=1e-7, atol=1e-8)
            Hs = dualdiff.hessian(lambda st: f(z + st[0] * v + st[1] * w))(np.zeros(2))
            d1 = lambda e: dualdiff.jvp(f, z + e * w, v)[1]  # noqa: E731
            assert np.allclose(Hs[..., 0, 1], (d1(H) - d1(-H)) / (2 * H), rtol=1e-6, atol=1e-7)
    z = rng.normal(size=(3, 2)) + 1j * rng.normal(size=(3, 2))
    dz = rng.normal(size=(3, 2)) + 1j * rng.normal(size=(3, 2))
    U, s, Vh = np.linalg.svd(z)
    _, t = dualdiff.jvp(sv, z, dz)
    assert np.allclose(t, [np.real(np.conj(U[:, k]) @ dz @ np.conj(Vh[k])) for k in range(2)],
                       rtol=1e-13, atol=1e-14)
    # the singular values of compute_uv=True: the same derivatives (the vectors:
    # tests/test_complex_linalg.py)
    _, (_, t2, _) = dualdiff.jvp(lambda a: tuple(np.linalg.svd(a)), z, dz)
    assert np.allclose(t2, t, rtol=1e-13, atol=1e-14)
    with pytest.raises(TypeError, match="not holomorphic"):
        dualdiff.jacobian(sv, holomorphic=True)(z)


def test_refused_ufuncs_are_named_with_their_module():
    import scipy.special
    with pytest.raises(TypeError, match=r"^scipy\.special\.dawsn is not supported for complex"):
        dualdiff.jvp(scipy.special.dawsn, 1 + 1j, 1.0)
    with pytest.raises(TypeError, match=r"^numpy\.spacing is not supported for complex"):
        dualdiff.jvp(np.spacing, 1 + 1j, 1.0)


def test_scipy_erf_and_erfc_of_complex_numbers():
    # SciPy's complex values; erf' = 2/sqrt(pi) exp(-z^2) (mpmath at 40 digits),
    # erf'' against differences of the first derivative; erfc = 1 - erf
    sc = pytest.importorskip("scipy.special")
    mp.mp.dps = 40
    for z in [complex(p) for p in points(5)] + [0.0j, 2.5 - 3j]:
        for f, sign in ((sc.erf, 1), (sc.erfc, -1)):
            d = dualdiff.derivative(f, holomorphic=True)
            ref = sign * complex(2 / mp.sqrt(mp.pi) * mp.exp(-mp.mpc(z) ** 2))
            assert close(d(z), ref, 1e-14), (f, z)
            assert dualdiff.jvp(f, z, 1.0)[0] == f(z)
            d2 = dualdiff.derivative(f, holomorphic=True, order=2)(z)
            assert close(d2, (d(z + H) - d(z - H)) / (2 * H), 1e-7)
    # a real function of a complex one: Re erf(x + iy) is harmonic
    h = dualdiff.hessian(lambda p: np.real(sc.erf(p[0] + 1j * p[1])))(np.array([0.3, -0.8]))
    assert abs(h[0, 0] + h[1, 1]) <= 1e-14 * abs(h[0, 0]) and h[0, 1] == h[1, 0]


def test_real_points_along_complex_directions_against_differences(rng):
    """A real value moving along a complex direction is a complex number:
    d/dt |1 + i t| is 0 (the functions that are not holomorphic once took
    their real rules here, and gave i)."""
    x = rng.uniform(0.3, 2.0, 4) * rng.choice([-1.0, 1.0], 4)
    v = rng.normal(size=4) + 1j * rng.normal(size=4)
    h = 1e-6
    cases = {
        "abs": np.abs, "real": np.real, "imag": np.imag, "conj": np.conj,
        "angle": lambda y: np.angle(np.abs(y) + 0.5j * y),  # off the branch cut
        "abs2": lambda y: np.abs(y) ** 2, "norm": np.linalg.norm,
        "exp-abs": lambda y: np.exp(y) * np.abs(y), "sqrt": lambda y: np.sqrt(np.abs(y) + 1.0) * y,
        "real_if_close": lambda y: np.real_if_close(y * 1.0),
    }
    for name, fn in cases.items():
        num = (fn(x + h * v) - fn(x - h * v)) / (2 * h)
        got = dualdiff.jvp(fn, x, v)[1]
        np.testing.assert_allclose(got, num, rtol=1e-7, atol=1e-8, err_msg=name)
    assert dualdiff.jvp(np.abs, 1.0, 1j) == (1.0, 0.0)
    # second order: the derivative of the first along the same complex direction
    for name in ("abs", "angle", "abs2", "norm", "exp-abs"):
        fn = cases[name]
        d1 = lambda s: dualdiff.jvp(fn, x + s * v, v)[1]  # noqa: E731
        num = (d1(h) - d1(-h)) / (2 * h)
        got = dualdiff.jvp(lambda s: dualdiff.jvp(fn, x + s * v, v)[1], 0.0, 1.0)[1]
        np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-7, err_msg=name)


def test_a_tuple_of_real_and_complex_arrays_keeps_each_kind(rng):
    """Stacked into one array, the real leaf would turn complex, and f would see
    numbers it was not given (a complex sqrt of negative values, a complex rfft)."""
    x = rng.normal(size=4)
    u = rng.normal(size=3) + 1j * rng.normal(size=3)
    f = lambda t: np.real(np.sum(t[1] * np.fft.rfft(t[0])))  # noqa: E731
    gx, gu = dualdiff.grad(f)((x, u))
    assert gx.dtype == np.float64
    h = 1e-6
    num_x = [(f((x + h * e, u)) - f((x - h * e, u))) / (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(gx, num_x, rtol=1e-7, atol=1e-8)
    num_u = [(f((x, u + h * e)) - f((x, u - h * e))) / (2 * h)
             - 1j * (f((x, u + 1j * h * e)) - f((x, u - 1j * h * e))) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(gu, num_u, rtol=1e-7, atol=1e-8)
    dx, du = rng.normal(size=4), rng.normal(size=3) + 1j * rng.normal(size=3)
    t = dualdiff.jvp(f, (x, u), (dx, du))[1]
    assert t == pytest.approx((f((x + h * dx, u + h * du)) - f((x - h * dx, u - h * du))) / (2 * h),
                              rel=1e-7, abs=1e-8)
    # the value is f's own: NaN where the real sqrt of a negative entry is
    g = lambda t: np.sum(np.real(t[1] * np.sqrt(t[0])))  # noqa: E731
    xs, us = np.array([-1.0, 4.0]), np.array([1j, 2.0 + 0j])
    with np.errstate(invalid="ignore"):
        assert np.isnan(g((xs, us)))
        assert np.isnan(dualdiff.value_and_grad(g)((xs, us))[0])


def test_a_result_of_real_and_complex_arrays_keeps_each_kind(rng):
    # f(x) = (sin x, exp(i x)): real derivatives for the real part of the
    # result and complex ones for the complex part, by hand, as for an input
    x, v = rng.normal(size=3), rng.normal(size=3)
    f = lambda x: (np.sin(x), np.exp(1j * x))  # noqa: E731
    (s, e), (ts, te) = dualdiff.jvp(f, x, v)
    assert ts.dtype == np.float64 and te.dtype == np.complex128
    np.testing.assert_allclose(ts, np.cos(x) * v, rtol=1e-15)
    np.testing.assert_allclose(te, 1j * np.exp(1j * x) * v, rtol=1e-15)
    Js, Je = dualdiff.jacobian(f)(x)
    assert Js.dtype == np.float64
    np.testing.assert_allclose(Js, np.diag(np.cos(x)), rtol=1e-15)
    np.testing.assert_allclose(Je, np.diag(1j * np.exp(1j * x)), rtol=1e-15)
    # a real part of the result moving along a complex direction stays complex
    _, (tx, _) = dualdiff.jvp(lambda z: (z, 2j * z), x, 1j * v)
    np.testing.assert_allclose(tx, 1j * v, rtol=0)
    # inside another transform: the derivative in x of the jvp along v
    H = dualdiff.jacobian(lambda y: dualdiff.jvp(f, y, v)[1][0])(x)
    np.testing.assert_allclose(H, np.diag(-np.sin(x) * v), rtol=1e-15)


def test_a_real_leaf_stays_real_inside_nested_transforms(rng):
    # a real number beside a complex array: its gradient is real, at the top
    # and inside a jvp, which differentiates the same function
    u = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    w0 = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    f = lambda t: np.real(np.sum(np.conj(u) * (t[0] * t[1] + np.sqrt(t[0]) * t[1] ** 2)))  # noqa: E731
    g = lambda t: dualdiff.grad(f)(t)[0]  # noqa: E731
    assert isinstance(g((0.4, w0)), float)
    dw = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    got = dualdiff.jvp(g, (0.4, w0), (0.3, dw))[1]
    h = 1e-6
    num = (g((0.4 + 0.3 * h, w0 + h * dw)) - g((0.4 - 0.3 * h, w0 - h * dw))) / (2 * h)
    assert got == pytest.approx(num, rel=1e-7, abs=1e-9)


def test_convolve_and_correlate_of_complex_numbers(rng):
    # directional derivatives against central differences in the complex
    # plane; the complex derivative of a convolution in z is the convolution
    # of the unit arrays (linearity); correlate conjugates its second argument
    z = rng.normal(size=4) + 1j * rng.normal(size=4)
    k = rng.normal(size=3) + 1j * rng.normal(size=3)
    v = rng.normal(size=4) + 1j * rng.normal(size=4)
    h = 1e-6
    for f in (lambda z: np.convolve(z, k), lambda z: np.correlate(z, k, "full"),
              lambda z: np.correlate(k, z, "same"), lambda z: np.convolve(z, z ** 2, "valid")):
        t = dualdiff.jvp(f, z, v)[1]
        np.testing.assert_allclose(t, (f(z + h * v) - f(z - h * v)) / (2 * h), rtol=1e-7, atol=1e-8)
    J = dualdiff.jacobian(lambda z: np.convolve(z, k), holomorphic=True)(z)
    np.testing.assert_allclose(J, np.array([np.convolve(e, k) for e in np.eye(4)]).T, rtol=1e-15)
    with pytest.raises(TypeError, match="not holomorphic"):
        dualdiff.jacobian(lambda z: np.correlate(k, z), holomorphic=True)(z)
    # Taylor: f(t) = conv(exp(i t) z, k) is exp(i t) f(0), and correlating with
    # exp(i t) z as the second operand conjugates it: coefficients (+-i)^j / j!
    for f, s in ((lambda t: np.convolve(np.exp(1j * t) * z, k)[1], 1j),
                 (lambda t: np.correlate(np.exp(1j * t) * z, k, "full")[2], 1j),
                 (lambda t: np.correlate(k, np.exp(1j * t) * z, "same")[1], -1j)):
        c = dualdiff.taylor(f, 3)(0.0)
        np.testing.assert_allclose(c, [f(0.0) * s ** j / math.factorial(j) for j in range(4)],
                                   rtol=1e-14, atol=1e-15)
    # second order: a real function of real x through complex convolutions
    x = rng.normal(size=3)
    g = lambda x: np.real(np.sum(np.abs(np.convolve(x + 1j * x ** 2, k)) ** 2))  # noqa: E731
    H = dualdiff.hessian(g)(x)
    grad = dualdiff.grad(g)
    num = np.array([(grad(x + h * e) - grad(x - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(H, num, rtol=1e-6, atol=1e-7)


# ------------------------------------------- maximum and friends on real values

CHOICES = {np.maximum: (max, True), np.minimum: (min, True), np.fmax: (max, False),
           np.fmin: (min, False)}


def _picks_first(ufunc, a, b):
    """Does NumPy's ufunc take a (the first argument) at these real values?
    Written from its definition: the larger (or smaller) one, the first at a
    tie; maximum and minimum keep a NaN, fmax and fmin the other value."""
    pick, keeps_nan = CHOICES[ufunc]
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) if keeps_nan else math.isnan(b)
    return pick(a, b) == a


@pytest.mark.parametrize("ufunc", list(CHOICES), ids=lambda u: u.__name__)
def test_choices_of_real_values_along_complex_directions(ufunc):
    # |z|^2 against constants, compared entry by entry: along a complex
    # direction v, d|z + t v|^2/dt = 2 Re(conj(z) v) where |z|^2 is taken, 0
    # where the constant is; at a tie (entry 2) the first argument's
    z = np.array([2.0 + 1j, 0.3 - 0.2j, 1.0 + 0.5j, -0.5 + 1j, 0.1j])
    c = np.array([1.0, 1.0, np.abs(1.0 + 0.5j) ** 2, np.nan, 3.0])
    v = np.array([0.5 - 1j, 1 + 1j, 0.2 + 0.1j, -1 + 2j, 1j])
    abs2 = np.abs(z) ** 2
    assert abs2[2] == c[2]  # the tie
    for first_is_z in (True, False):
        f = (lambda w: ufunc(np.abs(w) ** 2, c)) if first_is_z else (lambda w: ufunc(c, np.abs(w) ** 2))
        value, tangent = dualdiff.jvp(f, z, v)
        assert np.array_equal(value, ufunc(abs2, c) if first_is_z else ufunc(c, abs2), equal_nan=True)
        for k in range(len(z)):
            takes_z = _picks_first(ufunc, abs2[k], c[k]) if first_is_z else \
                not _picks_first(ufunc, c[k], abs2[k])
            want = 2 * (z[k].conjugate() * v[k]).real if takes_z else 0.0
            assert tangent[k] == pytest.approx(want, rel=1e-14, abs=1e-15), (k, first_is_z)


@pytest.mark.parametrize("ufunc", list(CHOICES), ids=lambda u: u.__name__)
def test_choices_between_two_real_valued_complex_duals_second_order(ufunc):
    # h(u) = sum ufunc(|z|^2, Re(z)) with z = u[:3] + i u[3:]: where |z|^2 is
    # taken the Hessian is 2 on the diagonal of (x_k, y_k), where Re(z) = x_k
    # is taken the entry is linear (gradient e_{x_k}, no Hessian)
    u = np.array([2.0, 0.3, 0.5, 1.0, -0.2, 0.1])
    h = lambda u: np.sum(ufunc(np.abs(u[:3] + 1j * u[3:]) ** 2, np.real(u[:3] + 1j * u[3:])))
    x, y = u[:3], u[3:]
    grad, hess = np.zeros(6), np.zeros((6, 6))
    for k in range(3):
        if _picks_first(ufunc, x[k] ** 2 + y[k] ** 2, x[k]):
            grad[k], grad[3 + k] = 2 * x[k], 2 * y[k]
            hess[k, k] = hess[3 + k, 3 + k] = 2.0
        else:
            grad[k] = 1.0
    assert np.allclose(dualdiff.grad(h)(u), grad, rtol=1e-14, atol=0)
    assert np.array_equal(dualdiff.hessian(h)(u), hess)


@pytest.mark.parametrize("ufunc", list(CHOICES), ids=lambda u: u.__name__)
def test_choices_of_complex_values_raise(ufunc):
    z = np.array([2.0 + 1j, 0.3 - 0.2j])
    with pytest.raises(TypeError, match="needs real values"):
        dualdiff.grad(lambda w: np.sum(np.abs(ufunc(w, 1.0))))(z)
    with pytest.raises(TypeError, match="needs real values"):
        dualdiff.grad(lambda w: np.sum(ufunc(np.abs(w), np.array([1j, 2.0]))))(z)
