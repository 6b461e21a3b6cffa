"""Complex numbers at a total order of three and more: a first-order
transform with complex numbers inside hessian, and three or more nested
levels at real or complex points. Against SymPy (a function written with
complex numbers beside the same function in real terms), hand derivations,
and central differences of the level below (itself tested in test_complex)."""
import numpy as np
import pytest

sp = pytest.importorskip("sympy")

import dualdiff

D = dualdiff.derivative
grad = dualdiff.grad
hessian = dualdiff.hessian
jacobian = dualdiff.jacobian
jvp = dualdiff.jvp


# g written with complex numbers, and the same function in real terms
def g_complex(y):
    z = y[0] + 1j * y[1]
    w = np.exp(1j * y[0] * y[1]) * z
    return (np.real(w) * np.abs(z) ** 3 + np.imag(np.conj(z) * z * w) + np.angle(z) * y[0]
            + np.real(np.sqrt(z) / (z + 2.0)))


a, b = sp.symbols("a b", real=True)
_z = a + sp.I * b
_w = sp.exp(sp.I * a * b) * _z
G_REAL = (sp.re(sp.expand_complex(_w)) * (a ** 2 + b ** 2) ** sp.Rational(3, 2)
          + sp.im(sp.expand_complex(sp.conjugate(_z) * _z * _w)) + sp.atan2(b, a) * a
          + sp.re(sp.sqrt(_z) / (_z + 2)))
POINT = {a: 0.7, b: 0.4}


def _third(expr, i, j, k):
    v = (a, b)
    return float(sp.N(sp.diff(expr, v[i], v[j], v[k]).subs(POINT), 30))


def test_grad_with_complex_numbers_inside_hessian_against_sympy():
    x = np.array([0.7, 0.4])
    for i in range(2):
        H = hessian(lambda x: grad(g_complex)(x)[i])(x)
        ref = [[_third(G_REAL, i, j, k) for k in range(2)] for j in range(2)]
        np.testing.assert_allclose(H, ref, rtol=1e-11)


def test_three_nested_jacobians_with_complex_numbers_inside_against_sympy():
    x = np.array([0.7, 0.4])
    T = jacobian(jacobian(grad(g_complex)))(x)
    ref = [[[_third(G_REAL, i, j, k) for k in range(2)] for j in range(2)] for i in range(2)]
    np.testing.assert_allclose(T, ref, rtol=1e-11)


def test_three_levels_by_hand():
    # d/da d/db d/dc Re exp(i a b c) at b = c = 1, derived by hand
    a0 = 0.5
    got = D(lambda u: D(lambda v: D(lambda w: np.real(np.exp(1j * u * v * w)))(1.0))(1.0))(a0)
    ref = -np.sin(a0) - 3 * a0 * np.cos(a0) + a0 ** 2 * np.sin(a0)
    assert got == pytest.approx(ref, rel=1e-14)
    # hessian of d/dt Re exp(i t x0) x1 at t = 1 (-x0 sin(x0) x1)
    H = hessian(lambda x: D(lambda t: np.real(np.exp(1j * t * x[0])) * x[1])(1.0))([0.5, 2.0])
    s, c = np.sin(0.5), np.cos(0.5)
    np.testing.assert_allclose(H, [[(-2 * c + 0.5 * s) * 2.0, -s - 0.5 * c], [-s - 0.5 * c, 0.0]],
                               rtol=1e-14)


def test_three_levels_at_complex_points_by_hand():
    # grad of sum |w|^2 at complex w is 2 conj(w) (JAX's convention); its jvp along z
    # at z is 2 conj(z), whose jvp along v is 2 conj(v)
    z, v = np.array([1j, 2.0]), np.array([1.0, 1j])
    val, t = jvp(lambda z: jvp(grad(lambda w: np.sum(np.abs(w) ** 2)), z, z)[1], z, v)
    np.testing.assert_allclose(val, 2 * np.conj(z), rtol=1e-15)
    np.testing.assert_allclose(t, 2 * np.conj(v), rtol=1e-15)
    # holomorphic at every level: the third complex derivative
    z0 = 0.3 + 1.1j
    d3 = D(D(D(lambda z: z ** 2 * np.exp(z), holomorphic=True), holomorphic=True),
           holomorphic=True)(z0)
    assert d3 == pytest.approx((z0 ** 2 + 6 * z0 + 6) * np.exp(z0), rel=1e-14)
    with pytest.raises(TypeError, match="not holomorphic"):
        D(D(D(lambda z: np.abs(z) * z, holomorphic=True), holomorphic=True), holomorphic=True)(z0)
    with pytest.raises(TypeError, match="holomorphic=True"):
        D(D(D(lambda z: z ** 3, holomorphic=True), holomorphic=True))(z0)


def _levels(f, n):
    """The function of level 2 (a Jacobian of a gradient, on complex numbers)
    and of level 3 (its Jacobian)."""
    J2 = jacobian(grad(f))
    return J2, jacobian(J2)


FUNCTIONS = {
    "abs-angle": lambda y: np.sum(np.abs(np.exp(1j * y) + y[::-1]) ** 3 * np.angle(y + 1j * y[0])),
    "conj-real-imag": lambda y: np.sum(np.real(np.conj(y + 2j) * np.exp(1j * y ** 2))
                                       * np.imag(np.sqrt(y + 1j))),
    "log-division": lambda y: np.sum(np.real(np.log(y + 1j * y[::-1]) / (y * 1j + 3.0)) ** 2),
    "trig-power": lambda y: np.real(np.sum(np.sin(y * (1 + 1j)) ** 3 * np.cosh(1j * y[0]))),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_third_derivatives_against_differences_of_the_second(name, rng):
    f = FUNCTIONS[name]
    J2, J3 = _levels(f, 3)
    x = rng.uniform(0.3, 1.2, 3)
    h = 1e-5
    num = np.stack([(J2(x + h * e) - J2(x - h * e)) / (2 * h) for e in np.eye(3)], axis=-1)
    got = J3(x)
    np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-7 * np.max(np.abs(num)))
    # hessian of a component of grad: the same numbers through the other route
    H = hessian(lambda x: grad(f)(x)[1])(x)
    np.testing.assert_allclose(H, got[1], rtol=1e-12, atol=1e-14 * np.max(np.abs(got)))


def test_complex_directions_inside_hessian_against_differences(rng):
    # jvp along a complex direction that depends on x, inside hessian
    def F(x):
        t = jvp(lambda y: np.sum(np.exp(1j * y) * y), x, x * 1j + 1.0)[1]
        return np.real(t) + np.imag(t) ** 2

    x = rng.uniform(-1.0, 1.0, 2)
    h = 1e-5
    G = grad(F)
    num = np.array([(G(x + h * e) - G(x - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(hessian(F)(x), num, rtol=1e-7, atol=1e-9)


def test_a_fourth_level_with_complex_numbers():
    # d^4/dx^4 Re exp(i x) = cos x, through four derivative levels
    f = lambda x: np.real(np.exp(1j * x))  # noqa: E731
    assert D(D(D(D(f))))(0.4) == pytest.approx(np.cos(0.4), rel=1e-14)


def test_taylor_of_a_transform_meeting_complex_numbers_raises():
    with pytest.raises(TypeError, match="taylor does not"):
        dualdiff.taylor(lambda t: D(lambda s: np.real(np.exp(1j * s * t)))(1.0), order=3)(0.5)


def _against_differences(F, x, h=1e-5, rtol=1e-6):
    J = jacobian(F)(x)
    num = np.stack([(F(x + h * e) - F(x - h * e)) / (2 * h) for e in np.eye(x.size)], axis=-1)
    np.testing.assert_allclose(J, num, rtol=rtol, atol=rtol * np.max(np.abs(num)))


def test_hessian_and_hvp_with_complex_numbers_inside_a_transform(rng):
    x = rng.uniform(0.2, 1.0, 2)
    # hessian of a function of the outer numbers too
    _against_differences(lambda x: hessian(lambda y: np.sum(np.real(np.exp(1j * y * x[0]))))(x), x)
    # hvp along the outer numbers
    _against_differences(
        lambda x: dualdiff.hvp(lambda y: np.sum(np.abs(np.exp(1j * y * x[1]) + y) ** 3))(x, x), x)
    # a closure over a complex number of the outer call, at a plain point
    _against_differences(
        lambda x: hessian(lambda y: np.real(np.exp(1j * x[0]) * y[0] ** 3 * y[1]))(np.array([2.0, 1.0])),
        x)


def test_arrays_built_inside_f_keep_real_and_imag_per_number():
    # dualdiff.numpy.array of nested numbers gives an array on which np.real,
    # np.imag and np.angle act number by number
    import dualdiff.numpy as dnp

    def f(u):
        return D(lambda v: D(lambda w: np.sum(np.real(dnp.array([np.exp(1j * u * v * w), u * w * 1j])))
                             + np.sum(np.imag(dnp.array([np.exp(1j * u * v * w)])))
                             + np.angle(dnp.array([1.0 + 1j * u * v * w]))[0])(1.0))(1.0)

    a0 = 0.5
    # d/dv d/dw [cos(a v w) + sin(a v w) + atan(a v w)] at v = w = 1, then d/da
    A = sp.Symbol("A")
    V, W = sp.symbols("V W")
    g = sp.cos(A * V * W) + sp.sin(A * V * W) + sp.atan(A * V * W)
    ref = float(sp.diff(g, A, V, W).subs({A: a0, V: 1, W: 1}))
    assert D(f)(a0) == pytest.approx(ref, rel=1e-13)


def test_wirtinger_inside_a_transform_against_differences(rng):
    # at a point that depends on the outer numbers, and over a closure of them
    _against_differences(
        lambda x: np.real(dualdiff.wirtinger(lambda z: z ** 2 * np.conj(z))(x[0] * (1 + 2j))[1]),
        rng.uniform(0.3, 1.0, 1))
    _against_differences(
        lambda x: np.imag(np.sum(dualdiff.wirtinger(lambda z: np.sum(z ** 2 * np.conj(z)) * z * x[1])(
            x * (1 + 2j))[0])), rng.uniform(0.3, 1.0, 2))
    # d/dx Re(d/dz (z conj(z) x)) = Re(conj(z)) at z = 1 + 2i
    J = jacobian(lambda x: np.real(dualdiff.wirtinger(lambda z: z * np.conj(z) * x[0])(1 + 2j)[0]))(
        np.array([1.0]))
    np.testing.assert_allclose(J, [1.0], rtol=1e-15)


def test_abs_of_real_values_in_a_complex_run_against_differences(rng):
    # np.abs of the real inputs while f also meets complex numbers: the real rule of
    # abs on complex dual numbers with real values
    F = lambda x: grad(lambda y: np.sum(np.abs(y) * np.real(np.exp(1j * y))))(x)[0]  # noqa: E731
    x = rng.uniform(0.2, 1.0, 2) * np.array([1.0, -1.0])
    G = grad(F)
    h = 1e-5
    num = np.array([(G(x + h * e) - G(x - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(hessian(F)(x), num, rtol=1e-7, atol=1e-9)


KINDS = ["RRR", "RCC", "CRC", "CCC", "RRC", "CCR", "RCR", "CRR"]


def _tree_point(kinds, rng):
    """((a, b), g): a, b vectors of 3 and g a 3 x 3 matrix, real (R) or
    complex (C) as ``kinds`` says."""
    def draw(kind, *shape):
        r = rng.standard_normal(shape)
        return r + 1j * rng.standard_normal(shape) if kind == "C" else r
    return (draw(kinds[0], 3), draw(kinds[1], 3)), draw(kinds[2], 3, 3)


def _tree_vjp(ab, g):
    """The gradient of h = Re sum(g * outer(a, b)) over the tuple (a, b)."""
    return grad(lambda t: np.real(np.sum(g * np.outer(t[0], t[1]))))(ab)


def _tree_jvp_vjp(x, v):
    return jvp(lambda t: _tree_vjp(t[0], t[1]), x, v)[1]


def _tree_third(X, V):
    return jvp(lambda t: _tree_jvp_vjp(t[0], t[1]), X, V)[1]


@pytest.mark.parametrize("kinds", KINDS)
def test_third_level_over_trees_of_real_and_complex_arrays_by_hand(kinds, rng):
    """jvp of the jvp of a vector-Jacobian product, each over tuples that mix
    real and complex arrays: h = Re sum(g * outer(a, b)) has the gradient
    (P_a(g b), P_b(g^T a)), P the real part for a real leaf (whose gradient
    is real) and the identity for a complex one (grad's df/dx - i df/dy). It
    is bilinear, so its third-level derivative follows by hand. Real leaves
    used to get the imaginary seeds of complex ones at this level, and a
    tree of arrays inside a nested call was split into single numbers."""
    point = lambda: _tree_point(kinds, rng)  # noqa: E731
    X, V = (point(), point()), (point(), point())
    got = _tree_third(X, V)
    ((a, b), g), ((va, vb), vg) = X
    ((wa, wb), wg), ((ua, ub), ug) = V
    pa = np.real if kinds[0] == "R" else (lambda u: u)
    pb = np.real if kinds[1] == "R" else (lambda u: u)
    want = (pa(ug @ b + vg @ wb + wg @ vb + g @ ub),
            pb(ug.T @ a + vg.T @ wa + wg.T @ va + g.T @ ua))
    for i in range(2):  # a real leaf's derivatives have no imaginary part
        np.testing.assert_allclose(got[i], want[i], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kinds", KINDS)
def test_fourth_level_over_trees_of_real_and_complex_arrays(kinds, rng):
    """One jvp more over the test above: there the leaves are object arrays of
    nested numbers, and a real one must still get no imaginary seed (it used
    to, off by up to 13). Against central differences of the third level,
    which the test above checks by hand."""
    point = lambda: _tree_point(kinds, rng)  # noqa: E731

    def add(x, v, s):
        return tuple(add(a, b, s) for a, b in zip(x, v)) if isinstance(x, tuple) else x + s * v

    XX = ((point(), point()), (point(), point()))
    VV = ((point(), point()), (point(), point()))
    got = jvp(lambda t: _tree_third(t[0], t[1]), XX, VV)[1]
    h = 1e-5
    plus, minus = _tree_third(*add(XX, VV, h / 2)), _tree_third(*add(XX, VV, -h / 2))
    for i in range(2):
        np.testing.assert_allclose(got[i], (plus[i] - minus[i]) / h, rtol=1e-7, atol=1e-7)
