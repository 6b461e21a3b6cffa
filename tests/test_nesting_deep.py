"""First-order transforms nested to any depth: derivative(derivative(
derivative(f))), jacobian(jacobian(jacobian(f))), and first-order transforms
nested twice inside hessian or taylor. Every rule of the table is walked at a
total order of four (against SymPy and mpmath at 40+ digits, with the
references of test_taylor_rules); compositions against SymPy and hand
derivations, with hessian and hvp inside nested and second-order calls."""
import importlib.util
import math
import os

import numpy as np
import pytest

sp = pytest.importorskip("sympy")
pytest.importorskip("mpmath")

import dualdiff
from dualdiff import math as dm

# the rule walks of the third order: their cases, and the references of
# test_taylor_rules
_spec = importlib.util.spec_from_file_location(
    "nesting_third", os.path.join(os.path.dirname(__file__), "test_nesting_third.py"))
third = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(third)
refs = third.refs

D = dualdiff.derivative
grad = dualdiff.grad
hessian = dualdiff.hessian
jacobian = dualdiff.jacobian
RTOL = 1e-11


def _close(got, ref, scale):
    # relative, or near 0 relative to the largest derivative of order 1 to 4
    # (a small fourth derivative is a difference of larger terms)
    assert abs(got - ref) <= max(RTOL * abs(ref), 1e-13 * scale), (got, ref)


def _unary_derivatives(name, u0):
    """[f(u0), f'(u0), ..., f''''(u0)] at 40+ digits."""
    series = refs._series(u0, 1.0, 0.0, 4)
    c = refs.ref_mp_unary(name, series, 4) if name in refs.UNARY_MP else refs.ref_unary(name, series, 4)
    return [float(v) * math.factorial(k) for k, v in enumerate(c)]


# ------------------------------------------------------------ every rule

@pytest.mark.parametrize("name, fn", list(third._cases("unary")))
def test_fourth_derivative_by_four_nested_derivatives(name, fn):
    for u0 in refs.UNARY_POINTS.get(name, [0.3, 1.7, -0.8]):
        d = _unary_derivatives(name, u0)
        scale = max(abs(v) for v in d[1:]) or 1e-300
        # four first-order levels: C numbers, second-order numbers, then two
        # levels of nested numbers
        _close(D(D(D(D(fn))))(u0), d[4], scale)
        # two first-order levels inside hessian
        _close(hessian(lambda x: D(D(fn))(x))(u0), d[4], scale)


@pytest.mark.parametrize("name, fn", list(third._cases("unary")))
def test_mixed_fourth_order_terms_inside_hessian(name, fn):
    # G(v) = d/ds d/dt f(v0 s t + v1) at s = t = 1 = v0 f'(u) + v0^2 f''(u),
    # u = v0 + v1; its Hessian holds f'' to f'''' (derived by hand)
    for u0 in refs.UNARY_POINTS.get(name, [0.3, 1.7, -0.8])[:2]:
        d = _unary_derivatives(name, u0)
        scale = max(abs(v) for v in d[1:]) or 1e-300
        v0 = 0.5

        def G(v):
            return D(lambda s: D(lambda t: fn(v[0] * s * t + v[1]))(1.0))(1.0)

        ref = [[4 * d[2] + 5 * v0 * d[3] + v0 ** 2 * d[4], d[2] + 3 * v0 * d[3] + v0 ** 2 * d[4]],
               [d[2] + 3 * v0 * d[3] + v0 ** 2 * d[4], v0 * d[3] + v0 ** 2 * d[4]]]
        H = hessian(G)([v0, u0 - v0])
        H2 = jacobian(grad(G))(np.array([v0, u0 - v0]))  # four first-order levels
        for i in range(2):
            for j in range(2):
                _close(H[i][j], ref[i][j], scale)
                _close(H2[i][j], ref[i][j], scale)


@pytest.mark.parametrize("name, fn", list(third._binary_cases()))
def test_fourth_directional_derivative_of_binary_rules(name, fn):
    # d^4/du^4 f(a0 + alpha u, b0 + beta u): every partial of order four,
    # weighted by alpha^i beta^(4 - i), through four first-order levels
    alpha, beta = 0.75, -1.25
    for a0, b0 in refs.BINARY_POINTS.get(name, refs.DEFAULT_BINARY_POINTS):
        if name in refs.BINARY_MP:
            c = refs.ref_mp_binary(name, (a0, alpha), (b0, beta), 4)
        else:
            c = refs.ref_binary(refs.BINARY[name]((a0, b0)), refs._series(a0, alpha, 0.0, 4),
                                refs._series(b0, beta, 0.0, 4), 4)
        d = [float(v) * math.factorial(k) for k, v in enumerate(c)]
        scale = max(abs(v) for v in d[1:]) or 1e-300

        def g(u):
            return fn(a0 + alpha * u, b0 + beta * u)

        _close(D(D(D(D(g))))(0.0), d[4], scale)


# ------------------------------------------------------------ compositions

def test_six_nested_derivatives_against_sympy():
    t = sp.Symbol("t")
    expr = sp.exp(sp.sin(t)) * t ** 3
    f = lambda u: dm.exp(dm.sin(u)) * u ** 3  # noqa: E731
    g = f
    for level in range(1, 7):
        g = D(g)
        ref = float(sp.diff(expr, t, level).subs(t, 0.7))
        assert g(0.7) == pytest.approx(ref, rel=1e-13)


def test_closures_over_every_outer_level():
    # d/dx [x d/dy [x y d/dz (x y z)]] at y = z = 1: x y d/dz(x y z) = x^2 y^2,
    # d/dy at 1 is 2 x^2, times x is 2 x^3, whose derivative is 6 x^2
    assert D(lambda x: x * D(lambda y: x * y * D(lambda z: x * y * z)(1.0))(1.0))(4.0) == 96.0
    # an inner result that does not depend on the innermost variable
    assert D(lambda x: D(lambda y: D(lambda z: x * y)(1.0))(2.0))(3.0) == 0.0
    # ... or returns a number of an outer level unchanged: d/dz(y) = 0, so
    # d/dy(y + 0) = 1 and d/dx(x * 1) = 1
    assert D(lambda x: x * D(lambda y: y + D(lambda z: y)(1.0))(2.0))(3.0) == 1.0


def test_third_order_jacobian_of_an_array_function():
    fun = lambda x: np.sin(np.outer(x, x)) + np.cos(np.dot(x, x))  # noqa: E731
    xs = sp.symbols("x0 x1")
    F = sp.Matrix(2, 2, lambda i, j: sp.sin(xs[i] * xs[j]) + sp.cos(xs[0] ** 2 + xs[1] ** 2))
    x0 = np.array([0.3, -0.7])
    pt = dict(zip(xs, x0))
    J3 = jacobian(jacobian(jacobian(fun)))(x0)
    assert J3.shape == (2, 2, 2, 2, 2)
    ref = np.array([[[[[float(sp.diff(F[i, j], xs[k], xs[m], xs[n]).subs(pt)) for n in range(2)]
                       for m in range(2)] for k in range(2)] for j in range(2)] for i in range(2)])
    np.testing.assert_allclose(J3, ref, rtol=1e-12, atol=1e-14)
    J4 = jacobian(jacobian(jacobian(jacobian(fun))))(x0)
    i, j, k, m, n = 0, 1, 1, 0, 1
    assert J4.shape == (2,) * 6
    assert J4[i, j, k, m, n, 0] == pytest.approx(
        float(sp.diff(F[i, j], xs[k], xs[m], xs[n], xs[0]).subs(pt)), rel=1e-12)


def test_containers_and_every_first_order_transform_at_the_third_level():
    a, b = sp.symbols("a b")
    x0 = [0.3, -0.7]
    pt = {a: x0[0], b: x0[1]}
    g = a ** 3 * b + sp.sin(a * b)

    def gn(y):
        return y[0] ** 3 * y[1] + dm.sin(y[0] * y[1])

    # grad of grad of grad on lists, tuples and arrays: the third derivatives
    for make in (list, tuple, lambda w: w):
        T = jacobian(lambda u: jacobian(lambda w: grad(gn)(make(w)))(u))(np.array(x0))
        ref = [[[float(sp.diff(g, p, q, r).subs(pt)) for r in (a, b)] for q in (a, b)] for p in (a, b)]
        np.testing.assert_allclose(T, ref, rtol=1e-12)
    # value_and_grad, and jvp along a direction that holds an outer number:
    # inner(y) = g g_b + g_a y1 + g_b x0 (x0 is a constant for y), and
    # F(x) = d inner / dy0 at y = x
    def F(x):
        def inner(y):
            v, G = dualdiff.value_and_grad(gn)(y)
            return v * G[1] + dualdiff.jvp(gn, y, [y[1], x[0]])[1]
        return grad(inner)(x)[0]

    y0, y1 = sp.symbols("y0 y1")
    gy = g.subs({a: y0, b: y1}, simultaneous=True)
    inner_s = gy * sp.diff(gy, y1) + sp.diff(gy, y0) * y1 + sp.diff(gy, y1) * a
    Fs = sp.diff(inner_s, y0).subs({y0: a, y1: b}, simultaneous=True)
    H = hessian(F)(np.array(x0))
    ref = [[float(sp.diff(Fs, p, q).subs(pt)) for q in (a, b)] for p in (a, b)]
    np.testing.assert_allclose(H, ref, rtol=1e-12)


def test_taylor_of_two_nested_derivatives():
    # D(D(s -> s^5 t))(t) = 20 t^4: coefficients 20 t^4, 80 t^3, 120 t^2, 80 t
    t0 = 2.0
    c = dualdiff.taylor(lambda t: D(D(lambda s: s ** 5 * t))(t), 3)(t0)
    np.testing.assert_allclose(c, [20 * t0 ** 4, 80 * t0 ** 3, 120 * t0 ** 2, 80 * t0], rtol=1e-14)


def test_deep_nesting_agrees_with_differences_of_the_level_below():
    fun = lambda x: np.sum(np.exp(np.sin(x) * x[::-1]) / (1.0 + x ** 2))  # noqa: E731
    x0 = np.array([0.4, -0.2, 0.9])
    J2 = lambda x: jacobian(grad(fun))(x)  # noqa: E731
    J3 = jacobian(J2)(x0)
    h = 1e-5
    fd = np.stack([(J2(x0 + h * e) - J2(x0 - h * e)) / (2 * h) for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(J3, fd, rtol=1e-7, atol=1e-8)
    # the third derivative tensor is symmetric
    for perm in [(1, 0, 2), (0, 2, 1), (2, 1, 0)]:
        np.testing.assert_allclose(J3, J3.transpose(perm), rtol=1e-13, atol=1e-15)


def test_second_order_transforms_inside_nested_and_second_order_ones():
    # hessian inside hessian: x0 (sum of the Hessian of sum y^3 at x) = x0 (6 x0 + 6 x1)
    a, b = sp.symbols("a b")
    pt = {a: 1.0, b: 2.0}
    H = hessian(lambda x: x[0] * hessian(lambda y: np.sum(y ** 3))(x).sum())(np.array([1.0, 2.0]))
    Fs = a * (6 * a + 6 * b)
    np.testing.assert_array_equal(H, [[float(sp.diff(Fs, p, q).subs(pt)) for q in (a, b)]
                                      for p in (a, b)])
    # hvp inside hessian, with a closure over the outer numbers
    G = lambda x: dualdiff.hvp(lambda y: np.sum(y ** 3) * x[1])(x, x)[0]  # noqa: E731
    Gs = 6 * a * a * b  # (H v)_0 = 6 y0 v0 x1 at y = v = x
    np.testing.assert_allclose(hessian(G)(np.array([1.0, 2.0])),
                               [[float(sp.diff(Gs, p, q).subs(pt)) for q in (a, b)] for p in (a, b)],
                               rtol=1e-14)
    # hessian inside taylor: 6 t^2 at 1 + s
    np.testing.assert_allclose(dualdiff.taylor(lambda t: hessian(lambda y: y ** 3 * t)(t), 3)(1.0),
                               [6.0, 12.0, 6.0, 0.0], rtol=1e-15)
    # hessian and hvp two levels down: d/da d/db (6 a b) = 6
    assert D(lambda u: D(lambda w: hessian(lambda y: y[0] ** 3 * w)([u, w])[0, 0])(1.0))(2.0) == 6.0
    assert D(lambda u: D(lambda w: dualdiff.hvp(lambda y: y[0] ** 3 * w)([u, w], [1.0, 0.0])[0])(u))(
        1.5) == pytest.approx(6.0, rel=1e-15)
    # a vector-valued f: hessian's shape out + x + x
    T = jacobian(lambda x: hessian(lambda y: np.array([y[0] ** 2 * y[1], y[1] ** 3]) * x[0])(x))(
        np.array([1.0, 2.0]))
    assert T.shape == (2, 2, 2, 2)
    # d/dx0 of x0 [[2 x1, 2 x0], [2 x0, 0]] and x0 [[0, 0], [0, 6 x1]] at y = x
    np.testing.assert_array_equal(T[..., 0], [[[4.0, 4.0], [4.0, 0.0]], [[0.0, 0.0], [0.0, 12.0]]])


def test_the_innermost_call_meets_the_outermost_numbers_first():
    # c ** 3 * a meets a (level 1) before b (level 2): the innermost call nests in
    # the innermost running call all the same, for every first-order transform
    D3 = lambda inner: D(lambda a: D(lambda b: inner(a, b))(1.0))(2.0)  # noqa: E731
    # d/da d/db [3 a b] = 3, and d/da d/db [a b] = 1 for the value
    assert D3(lambda a, b: dualdiff.value_and_jacobian(lambda c: c ** 3 * a * b)(1.0)[1]) == 3.0
    assert D3(lambda a, b: dualdiff.value_and_jacobian(lambda c: c ** 3 * a * b)(1.0)[0]) == 1.0
    assert D3(lambda a, b: D(lambda c: c ** 3 * a * b)(1.0)) == 3.0
    assert D3(lambda a, b: grad(lambda c: c[0] ** 3 * a * b * c[1])([1.0, 2.0])[1]) == 1.0
    assert D3(lambda a, b: dualdiff.jvp(lambda c: c ** 3 * a * b, 1.0, 2.0)[1]) == 6.0
    # four levels, the innermost meeting the outermost first: d/da d/db d/dc [4 a b c] = 4
    got = D(lambda a: D(lambda b: D(lambda c: D(lambda d: d ** 4 * a * c * b)(1.0))(1.0))(1.0))(2.0)
    assert got == 4.0


def test_scipy_backed_functions_name_the_limit_at_the_third_order():
    # (logsumexp, softmax and log_softmax take these numbers: tests/test_scipy_special_reductions.py)
    from dualdiff import special
    g = grad(lambda a: np.sum(special.polygamma(1, a)))
    with pytest.raises(TypeError, match="dualdiff.special does not take the numbers of a transform "
                                        "nested at a total order of three"):
        jacobian(jacobian(g))(np.array([0.1, 0.3, 0.5]))


def test_value_and_grad_keeps_the_shape_of_a_one_entry_value_at_the_third_level():
    def f(a):
        return D(lambda b: dualdiff.value_and_grad(
            lambda c: np.sum(c ** 3 * a * b, keepdims=True))(np.array([1.0, 2.0]))[0])(1.0)

    val = f(2.0)  # d/db (9 a b) = 9 a
    assert np.shape(val) == (1,) and val[0] == 18.0
    assert D(lambda a: f(a)[0])(2.0) == 9.0


def test_third_level_over_tuples_of_arrays_against_differences(rng):
    # x a tuple of arrays at the third level: each array's entries are seeded
    # (they were once read as one number per array, giving a (1, 1) result)
    a, b, va, vb, wa, wb, ua, ub = (rng.standard_normal(3) for _ in range(8))
    f = lambda t: np.outer(t[0], t[1]) * np.sin(t[0][0])  # noqa: E731
    j1 = lambda t: dualdiff.jvp(f, t[0], t[1])[1]  # noqa: E731
    j2 = lambda t: dualdiff.jvp(j1, t[0], t[1])[1]  # noqa: E731
    x2, v2 = ((a, b), (va, vb)), ((wa, wb), (ua, ub))

    def add(x, v, s):
        return tuple(add(xi, vi, s) for xi, vi in zip(x, v)) if isinstance(x, tuple) else x + s * v

    got = dualdiff.jvp(j2, (x2, v2), (v2, x2))[1]
    h = 1e-5
    num = (j2(add((x2, v2), (v2, x2), h)) - j2(add((x2, v2), (v2, x2), -h))) / (2 * h)
    assert np.shape(got) == (3, 3)
    np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-7 * np.max(np.abs(num)))
    # and a list holding an array beside a number, through grad at the third level
    g = lambda t: np.sum(t[0] ** 3) * t[1]  # noqa: E731
    G = lambda y: jacobian(jacobian(lambda z: grad(g)([z[:2], z[2]])[0]))(y)  # noqa: E731
    y0 = rng.uniform(0.5, 1.5, 3)
    T = G(y0)
    # d/dz of 3 z_i^2 z_2 (i < 2), twice: the second derivatives of 3 z_i^2 z_2
    ref = np.zeros((2, 3, 3))
    for i in range(2):
        ref[i, i, i] = 6 * y0[2]
        ref[i, i, 2] = ref[i, 2, i] = 6 * y0[i]
    np.testing.assert_allclose(T, ref, rtol=1e-13)


def test_nested_transforms_of_an_empty_array_are_empty():
    g = lambda x: np.sum(x ** 2)  # noqa: E731
    assert jacobian(grad(g))(np.zeros(0)).shape == (0, 0)
    assert jacobian(jacobian(grad(g)))(np.zeros(0)).shape == (0, 0, 0)
    assert dualdiff.jvp(grad(g), np.zeros(0), np.zeros(0))[1].shape == (0,)


def test_reductions_of_one_number_at_the_third_level():
    # np.sum, np.prod and np.max of a number are the number (d^3/dx^3 x^3 = 6)
    for reduce in (np.sum, np.prod, np.max, np.mean):
        assert D(D(D(lambda x: reduce(x ** 3))))(2.0) == 6.0
