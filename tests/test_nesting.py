"""Nested transforms: a first-order transform inside a function that another
first-order transform differentiates. References are hand derivations and
SymPy; every unsupported depth must raise, never return a number."""
import importlib.util
import math
import os

import numpy as np
import pytest
import sympy as sp

import dualdiff
from dualdiff import math as dm

_spec = importlib.util.spec_from_file_location(
    "corpus", os.path.join(os.path.dirname(__file__), os.pardir, "benchmarks", "corpus.py"))
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

D = dualdiff.derivative
grad = dualdiff.grad
jacobian = dualdiff.jacobian
hessian = dualdiff.hessian


def cube_sum(x):
    return np.sum(x ** 3)


# ------------------------------------------------ perturbation confusion

def test_perturbations_stay_apart_reference_cases():
    # the three cases of the literature on perturbation confusion
    assert D(lambda x: x * D(lambda y: x + y)(1.0))(1.0) == 1.0
    assert D(lambda x: x * D(lambda y: x * y)(1.0))(4.0) == 8.0
    assert D(lambda x: D(lambda y: x)(x))(1.0) == 0.0


def test_inner_transform_returning_an_array():
    # D(t -> sum(grad(f)(t * [1, 1])))(1) with f = sum(x**3): d/dt (3t^2 + 3t^2) = 12t
    assert D(lambda t: grad(cube_sum)(t * np.ones(2)).sum())(1.0) == 12.0
    assert D(lambda t: grad(cube_sum)(t * np.ones(2)).sum())(-0.5) == -6.0
    np.testing.assert_array_equal(jacobian(grad(cube_sum))(np.array([1.0, 2.0])),
                                  np.diag([6.0, 12.0]))


@pytest.mark.parametrize("kind", ["number", "list", "tuple", "array"])
def test_nesting_through_numbers_lists_tuples_and_arrays(kind):
    # g(a, b) = a^2 b + sin(a) b^3; jacobian(grad(g)) is g's Hessian
    def g(v):
        return v[0] ** 2 * v[1] + dm.sin(v[0]) * v[1] ** 3 if kind != "array" \
            else v[0] ** 2 * v[1] + np.sin(v[0]) * v[1] ** 3

    x = {"number": None, "list": [0.3, -1.2], "tuple": (0.3, -1.2),
         "array": np.array([0.3, -1.2])}[kind]
    a, b = 0.3, -1.2
    H = [[2 * b - math.sin(a) * b ** 3, 2 * a + 3 * math.cos(a) * b ** 2],
         [2 * a + 3 * math.cos(a) * b ** 2, 6 * math.sin(a) * b]]
    if kind == "number":
        # d/da of d/da (a^2 b + sin(a) b^3) at fixed b
        got = D(D(lambda t: t ** 2 * b + dm.sin(t) * b ** 3))(a)
        assert math.isclose(got, H[0][0], rel_tol=1e-14)
        return
    got = jacobian(grad(g))(x)
    np.testing.assert_allclose(got, H, rtol=1e-14)
    np.testing.assert_allclose(got, hessian(g)(x), rtol=1e-14)


def test_jacobian_of_grad_equals_hessian_on_the_corpus():
    x = [0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 1.3, -1.0]
    for point in (x, np.array(x), tuple(x)):
        np.testing.assert_allclose(jacobian(grad(corpus.loop_function))(point),
                                   hessian(corpus.loop_function)(point), rtol=1e-13, atol=1e-12)
    # a vector function: jacobian of jacobian is the second-derivative tensor
    u = np.linspace(0.1, 0.4, 6)
    T = jacobian(jacobian(corpus.bratu))(u)
    ref = hessian(corpus.bratu)(u)
    assert T.shape == (6, 6, 6)
    np.testing.assert_allclose(T, ref, rtol=1e-13, atol=1e-12)


def test_derivative_of_derivative_matches_sympy():
    t = sp.Symbol("t")
    expr = corpus.scalar_expr(t, sp)
    d2 = sp.diff(expr, t, 2)
    for x in (0.3, 1.7, 2.5):
        got = D(D(lambda s: corpus.scalar_expr(s, dm)))(x)
        ref = float(d2.subs(t, x).evalf(30))
        assert math.isclose(got, ref, rel_tol=1e-12), (x, got, ref)


def test_jvp_of_grad_is_hvp():
    x = np.array([0.3, -0.7, 1.1, 0.4])
    v = np.array([1.0, -2.0, 0.5, 3.0])
    g, Hv = dualdiff.jvp(grad(corpus.loop_function), x, v)
    np.testing.assert_allclose(g, corpus.loop_function_gradient(x), rtol=1e-14)
    np.testing.assert_allclose(Hv, dualdiff.hvp(corpus.loop_function)(x, v), rtol=1e-13)
    # and the other way round: grad of a jvp is a Hessian-vector product too
    got = grad(lambda y: dualdiff.jvp(corpus.loop_function, y, v)[1])(x)
    np.testing.assert_allclose(got, dualdiff.hvp(corpus.loop_function)(x, v), rtol=1e-13)


@pytest.mark.parametrize("n", [3, 40, 130, 300])
def test_inner_directions_in_chunks_match_the_hessian_by_hand(n):
    """Many inner directions run in chunks (and a list of more than 128 leaves
    the compiled one-pass path): the same numbers as a hand-derived Hessian."""
    x = np.linspace(-1.0, 2.0, n)
    v = np.cos(np.arange(n))
    f = lambda y: np.sum(np.sin(y) * y) + y[0] * y[-1]  # noqa: E731
    H = np.diag(2 * np.cos(x) - x * np.sin(x))  # d2/dx2 of sin(x) x
    H[0, -1] += 1.0
    H[-1, 0] += 1.0
    G = np.sin(x) + x * np.cos(x)
    G[0] += x[-1]
    G[-1] += x[0]
    for kind in (np.asarray, list):
        g, Hv = dualdiff.jvp(grad(f), kind(x), kind(v))
        np.testing.assert_allclose(g, G, rtol=1e-14)
        np.testing.assert_allclose(Hv, H @ v, rtol=1e-13, atol=1e-13)
    # an inner call with as many directions as the outer: jacobian of grad
    if n <= 40:
        np.testing.assert_allclose(jacobian(grad(f))(x), H, rtol=1e-14, atol=1e-14)


def test_inner_call_with_no_directions():
    g, Hv = dualdiff.jvp(grad(lambda y: np.sum(y * y) + 1.0), np.zeros((0, 3)), np.zeros((0, 3)))
    assert g.shape == Hv.shape == (0, 3)
    g, Hv = dualdiff.jvp(grad(lambda y: np.sum(np.abs(1j * y) ** 2)), np.zeros(0) + 0j, np.zeros(0))
    assert g.shape == Hv.shape == (0,)


def test_jvp_with_a_direction_that_depends_on_the_outer_variable():
    # d/dt [J(x(t)) v(t)] with f(x) = x0^2 x1, x = (t, 2t), v = (t, 1):
    # J v = 2 x0 x1 v0 + x0^2 v1 = 2 t (2t) t + t^2 = 4t^3 + t^2 -> 12 t^2 + 2 t
    def h(t):
        return dualdiff.jvp(lambda y: y[0] ** 2 * y[1], [t, 2 * t], [t, 1.0])[1]
    assert D(h)(1.5) == pytest.approx(12 * 1.5 ** 2 + 2 * 1.5, rel=1e-15)


def test_grad_of_functions_that_use_jacobian_and_value_and_grad_inside():
    A = np.array([[1.0, 2.0], [-0.5, 3.0]])

    def r(y):
        return np.tanh(A @ y)

    def objective(x):  # log det of the Jacobian of r at x
        J = jacobian(r)(x)
        return dm.log(abs(J[0, 0] * J[1, 1] - J[0, 1] * J[1, 0]))

    x = np.array([0.2, -0.1])
    # reference: the same objective on floats and central differences of high order
    def plain(x):
        s = 1 - np.tanh(A @ x) ** 2
        J = s[:, None] * A
        return math.log(abs(np.linalg.det(J)))
    h = 1e-4
    fd = np.array([(-plain(x + 2 * h * e) + 8 * plain(x + h * e) - 8 * plain(x - h * e)
                    + plain(x - 2 * h * e)) / (12 * h) for e in np.eye(2)])
    np.testing.assert_allclose(grad(objective)(x), fd, rtol=1e-8)

    def energy(x):
        value, g = dualdiff.value_and_grad(lambda y: np.sum(y ** 4))(x)
        return value + np.sum(g ** 2)  # sum x^4 + sum 16 x^6

    x = np.array([0.5, -1.5, 2.0])
    np.testing.assert_allclose(grad(energy)(x), 4 * x ** 3 + 96 * x ** 5, rtol=1e-14)
    # value_and_grad of value_and_grad's value
    v, g = dualdiff.value_and_grad(lambda y: dualdiff.value_and_grad(cube_sum)(y)[0])(x)
    assert v == pytest.approx(np.sum(x ** 3)) and np.allclose(g, 3 * x ** 2)


def test_the_inner_call_returns_numbers_of_the_outer_call():
    seen = {}

    def f(t):
        g = grad(lambda y: t * np.sum(y ** 2))(np.array([1.0, 2.0]))
        seen["g"] = g
        return g[1]

    assert D(f)(3.0) == 4.0  # g = 2 t y, g[1] = 4 t
    assert isinstance(seen["g"], dualdiff.DualArray)
    np.testing.assert_array_equal(seen["g"].value, [6.0, 12.0])


def test_nesting_with_chunks_and_nan_safe_modes():
    x = np.linspace(-1.0, 1.0, 7)
    ref = hessian(corpus.loop_function)(x)
    for chunk in (1, 3, None):
        for inner_safe in (True, False):
            got = jacobian(grad(corpus.loop_function, nan_safe=inner_safe), chunk=chunk)(x)
            np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-12)


def test_nested_results_agree_with_the_nan_safe_rule():
    # sqrt at 0 has an infinite slope; the direction that does not touch it stays 0
    got = jacobian(grad(lambda v: dm.sqrt(v[0]) + v[1] ** 2))([0.0, 1.0])
    assert got[1, 1] == 2.0 and got[0, 1] == 0.0 and got[1, 0] == 0.0


# ------------------------------------------------------ never a number

def test_taylor_inside_a_transform_raises():
    with pytest.raises(dualdiff.NestingError, match="taylor runs outermost only"):
        D(lambda t: dualdiff.taylor(lambda y: y ** 3 * t, 2)(t)[1])(1.0)


def test_sparse_jacobian_inside_a_transform_raises():
    with pytest.raises(dualdiff.NestingError, match="scipy.sparse"):
        grad(lambda x: jacobian(lambda y: y ** 2, sparsity=np.eye(2))(x).sum())(np.ones(2))
    with pytest.raises(dualdiff.NestingError, match="scipy.sparse"):
        grad(lambda x: dualdiff.jacobian_sparsity(lambda y: y ** 2, x).sum())(np.ones(2))


def test_numbers_of_a_finished_call_are_refused():
    leaked = []
    D(lambda t: leaked.append(t) or t)(1.0)
    with pytest.raises(ValueError, match="two different derivative calls"):
        D(lambda t: t * leaked[0])(2.0)
    with pytest.raises(ValueError, match="two different derivative calls"):
        D(lambda t: leaked[0])(2.0)
    with pytest.raises(ValueError, match="two different derivative calls"):
        grad(lambda v: v[0] * leaked[0])([1.0, 2.0])
    # a transform called on them outside any running call refuses too
    with pytest.raises(ValueError, match="two different derivative calls"):
        D(lambda t: t ** 2)(leaked[0])


def test_a_hand_made_dual_as_x_is_refused():
    with pytest.raises(ValueError, match="made by hand"):
        D(lambda t: t ** 2)(dualdiff.Dual(1.0, 1.0))
    with pytest.raises(ValueError, match="made by hand"):
        grad(lambda v: v[0] * v[1])([dualdiff.Dual(1.0, 1.0), 2.0])


def test_two_sibling_inner_calls_and_repeated_nesting():
    # two inner calls in one outer evaluation, and the outer called twice
    def f(t):
        a = D(lambda y: y ** 2 * t)(t)   # 2 t^2
        b = D(lambda y: dm.exp(y * t))(1.0)  # t e^t
        return a + b
    for t in (0.5, 1.5):
        assert f(t) == pytest.approx(2 * t ** 2 + t * math.exp(t))
        assert D(f)(t) == pytest.approx(4 * t + math.exp(t) + t * math.exp(t), rel=1e-14)


def test_inner_call_whose_result_is_the_outer_array():
    # the inner function ignores its argument and returns the outer dual array
    def f(x):
        return jacobian(lambda y: x * 2.0)(np.zeros(3)).sum() + np.sum(x ** 2)
    np.testing.assert_array_equal(grad(f)(np.array([1.0, -2.0])), [2.0, -4.0])
    np.testing.assert_array_equal(
        jacobian(lambda x: dualdiff.value_and_jacobian(lambda y: x ** 2 + y[0])(np.ones(2))[0])(
            np.array([1.0, 3.0])), np.diag([2.0, 6.0]))


# ------------------------------------- inner calls on the outer call's numbers
# grad, value_and_grad and derivative called on a list or tuple (or a number)
# of the outer call's numbers take a compiled path; each kind of item and of
# result is checked against SymPy.

_a, _b, _c = sp.symbols("a b c")
_G = _a ** 2 * sp.sin(_b) + sp.exp(_a * _c) / (1 + _b ** 2)


def _g(v):
    return v[0] ** 2 * dm.sin(v[1]) + dm.exp(v[0] * v[2]) / (1 + v[1] ** 2)


def _sym_hessian(point):
    subs = dict(zip((_a, _b, _c), point))
    return np.array([[float(sp.diff(_G, s, t).subs(subs)) for t in (_a, _b, _c)]
                     for s in (_a, _b, _c)])


@pytest.mark.parametrize("container", [list, tuple])
@pytest.mark.parametrize("nan_safe", [True, False])
def test_grad_on_outer_numbers_matches_sympy(container, nan_safe):
    point = [0.4, -0.9, 1.3]
    H = jacobian(lambda x: grad(_g, nan_safe=nan_safe)(container(x)))(point)
    np.testing.assert_allclose(H, _sym_hessian(point), rtol=1e-13, atol=1e-14)


def test_value_and_grad_on_outer_numbers_matches_sympy():
    point = [0.4, -0.9, 1.3]

    def both(x):
        v, g = dualdiff.value_and_grad(_g)(x)
        return [v] + list(g)

    J = jacobian(both)(point)
    subs = dict(zip((_a, _b, _c), point))
    grad_ref = [float(sp.diff(_G, s).subs(subs)) for s in (_a, _b, _c)]
    np.testing.assert_allclose(J[0], grad_ref, rtol=1e-13)
    np.testing.assert_allclose(J[1:], _sym_hessian(point), rtol=1e-13, atol=1e-14)


def test_inner_list_mixing_outer_numbers_and_floats():
    # the middle entry is a float: its inner derivative still depends on the
    # outer variables through the other two
    point = [0.4, -0.9, 1.3]
    J = jacobian(lambda x: grad(_g)([x[0], -0.9, x[1]]))([0.4, 1.3])
    H = _sym_hessian(point)
    np.testing.assert_allclose(J, H[:, [0, 2]], rtol=1e-13, atol=1e-14)


def test_inner_derivative_on_an_outer_number_matches_sympy():
    t = sp.symbols("t")
    h = sp.atan(t ** 3) * sp.cosh(t)
    second = float(sp.diff(h, t, 2).subs(t, 0.7))
    got = D(lambda x: D(lambda y: dm.atan(y ** 3) * dm.cosh(y))(x))(0.7)
    assert got == pytest.approx(second, rel=1e-14)


def test_inner_results_the_inner_directions_never_reach():
    # the inner function returns a constant, or a number of the outer call
    # only: inner derivatives 0, so their outer derivatives are 0 too
    assert D(lambda x: D(lambda y: 3.0)(x))(1.5) == 0.0
    assert D(lambda x: D(lambda y: x * x)(x))(1.5) == 0.0
    np.testing.assert_array_equal(jacobian(lambda x: grad(lambda y: x[0] * x[1])(x))([1.0, 2.0]),
                                  np.zeros((2, 2)))
    # an inner result holding both: y's part only
    np.testing.assert_array_equal(jacobian(lambda x: grad(lambda y: x[0] * y[1])(x))([1.0, 2.0]),
                                  [[0.0, 0.0], [1.0, 0.0]])
