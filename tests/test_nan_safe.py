"""The per-call ``nan_safe`` option of the transforms.

By default a tangent component that is exactly 0 contributes 0 even through
an infinite or NaN partial derivative; ``nan_safe=False`` multiplies as plain
IEEE doubles, so 0 * inf = NaN, as most AD tools do. Expected values below are
derived by hand; where every partial is finite both settings must agree bit
for bit.
"""
import math

import numpy as np
import pytest
import scipy.sparse as sp

import dualdiff
from dualdiff import Dual
from dualdiff import math as dm

INF, NAN = math.inf, math.nan


def scalar_f(x):
    # sqrt(x0) + x1: df/dx0 = 1 / (2 sqrt(x0)) = inf at x0 = 0; df/dx1 = 1, where
    # IEEE arithmetic gets sqrt's partial inf times x0's zero tangent along x1: NaN
    return dm.sqrt(x[0]) + x[1]


def array_f(x):
    return np.sqrt(x[0]) + x[1]


@pytest.mark.parametrize("f", [scalar_f, array_f])
@pytest.mark.parametrize("point", [[0.0, 1.0], np.array([0.0, 1.0])])
def test_grad_and_value_and_grad(f, point):
    np.testing.assert_array_equal(dualdiff.grad(f)(point), [INF, 1.0])
    np.testing.assert_array_equal(dualdiff.grad(f, nan_safe=False)(point), [INF, NAN])
    v, g = dualdiff.value_and_grad(f, nan_safe=False)(point)
    assert v == 1.0
    np.testing.assert_array_equal(g, [INF, NAN])


@pytest.mark.parametrize("chunk", [None, 1, 2])
def test_jacobian_every_chunk(chunk):
    # F(x) = [sqrt(x0) + x1, x0 * x1]: J = [[1/(2 sqrt x0), 1], [x1, x0]]
    def F(x):
        return [dm.sqrt(x[0]) + x[1], x[0] * x[1]]

    safe = dualdiff.jacobian(F, chunk=chunk)([0.0, 3.0])
    np.testing.assert_array_equal(safe, [[INF, 1.0], [3.0, 0.0]])
    ieee = dualdiff.jacobian(F, chunk=chunk, nan_safe=False)([0.0, 3.0])
    np.testing.assert_array_equal(ieee, [[INF, NAN], [3.0, 0.0]])
    value, jac = dualdiff.value_and_jacobian(F, chunk=chunk, nan_safe=False)([0.0, 3.0])
    np.testing.assert_array_equal(value, [3.0, 0.0])
    np.testing.assert_array_equal(jac, ieee)


def test_jvp_keyword_is_its_own():
    def F(x, shift=0.0):
        return np.sqrt(x) + shift

    # along v = (0, 1): sqrt's partial at 0 is inf, v's component there is 0
    y, jv = dualdiff.jvp(F, np.array([0.0, 4.0]), np.array([0.0, 1.0]), shift=1.0)
    np.testing.assert_array_equal(y, [1.0, 3.0])
    np.testing.assert_array_equal(jv, [0.0, 0.25])
    y, jv = dualdiff.jvp(F, np.array([0.0, 4.0]), np.array([0.0, 1.0]), shift=1.0, nan_safe=False)
    np.testing.assert_array_equal(jv, [NAN, 0.25])


def test_derivative():
    # g(t) = t + sqrt(t - t) = t: g' = 1; t - t has value 0 and tangent exactly 0
    def g(t):
        return t + dm.sqrt(t - t)

    assert dualdiff.derivative(g)(2.0) == 1.0
    assert math.isnan(dualdiff.derivative(g, nan_safe=False)(2.0))
    # the general path (a result that is a list) takes the option too
    assert math.isnan(dualdiff.derivative(lambda t: [g(t)], nan_safe=False)(2.0)[0])


@pytest.mark.parametrize("point", [[0.0, 1.0], np.array([0.0, 1.0])])
def test_hessian_and_hvp(point):
    # h = sqrt(x0) + x1^2: H = [[-1/(4 x0^1.5), 0], [0, 2]] = [[-inf, 0], [0, 2]] at (0, 1)
    def h(x):
        return dm.sqrt(x[0]) + x[1] ** 2

    np.testing.assert_array_equal(dualdiff.hessian(h)(point), [[-INF, 0.0], [0.0, 2.0]])
    ieee = dualdiff.hessian(h, nan_safe=False)(point)
    assert math.isnan(ieee[1, 1]) and math.isnan(ieee[0, 1])
    np.testing.assert_array_equal(dualdiff.hvp(h)(point, [0.0, 1.0]), [0.0, 2.0])
    assert math.isnan(dualdiff.hvp(h, nan_safe=False)(point, [0.0, 1.0])[1])


def test_sparse_jacobian():
    # F_i = sqrt(x_i) + x_{i-1} + x_{i+1}: tridiagonal, 3 colors; a row with x_i = 0
    # has an infinite diagonal, and its two neighbours' directions meet sqrt's inf
    n = 7
    x = np.linspace(1.0, 2.0, n)
    x[3] = 0.0

    def F(u):
        s = np.sqrt(u)
        return s + np.concatenate([[0.0], u[:-1]]) + np.concatenate([u[1:], [0.0]])

    pattern = sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    with np.errstate(divide="ignore"):
        dense = np.diag(0.5 / np.sqrt(x)) + np.eye(n, k=1) + np.eye(n, k=-1)  # by hand
    safe = dualdiff.jacobian(F, sparsity=pattern)(x).toarray()
    np.testing.assert_array_equal(safe, dense)
    ieee = dualdiff.jacobian(F, sparsity=pattern, nan_safe=False)(x).toarray()
    expected = dense.copy()
    expected[3, 2] = expected[3, 4] = NAN
    np.testing.assert_array_equal(ieee, expected)


def test_identical_where_partials_are_finite():
    rng = np.random.default_rng(2026)
    x = rng.uniform(0.5, 2.0, 6)

    def F(u):
        return np.concatenate([np.sin(u) * np.exp(-u) / (1.0 + u ** 2), [np.sum(np.log(u) * u[::-1])]])

    def f(u):
        s = 0.0
        for i in range(len(u) - 1):
            s = s + dm.tanh(u[i]) * u[i + 1] ** 3 / dm.sqrt(u[i])
        return s

    for transform in (dualdiff.jacobian, dualdiff.hessian):
        np.testing.assert_array_equal(transform(F)(x), transform(F, nan_safe=False)(x))
    for transform in (dualdiff.grad, dualdiff.hessian):
        np.testing.assert_array_equal(transform(f)(list(x)), transform(f, nan_safe=False)(list(x)))


def test_numbers_know_their_setting():
    seen = []

    def f(x):
        seen.append((x[0].nan_safe, type(x[0]).__name__))
        return x[0] * x[1]

    dualdiff.grad(f)([1.0, 2.0])
    dualdiff.grad(f, nan_safe=False)([1.0, 2.0])
    assert seen == [(True, "Dual"), (False, "Dual")]
    assert Dual(1.0, 1.0).nan_safe

    arrays = []

    def F(x):
        arrays.append((type(x).__name__, x.nan_safe, (x * x).nan_safe))
        return x * x

    big = np.linspace(1.0, 2.0, 300)  # seeded as dual arrays, in one pass or several
    dualdiff.jacobian(F)(big)
    assert set(arrays) == {("DualArray", True, True)}
    arrays.clear()
    dualdiff.jacobian(F, nan_safe=False)(big)
    assert set(arrays) == {("DualArray", False, False)}


def test_mixing_settings_fails_loudly():
    by_hand = Dual(1.0, [0.0, 0.0])  # NaN-safe, of no transform call
    assert dualdiff.grad(lambda x: x[0] * by_hand)([1.0, 2.0]).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="nan_safe=False"):
        dualdiff.grad(lambda x: x[0] * by_hand, nan_safe=False)([1.0, 2.0])
    with pytest.raises(ValueError, match="nan_safe=False"):
        dualdiff.grad(lambda x: np.sum(x * dualdiff.numpy.array([by_hand, by_hand])),
                      nan_safe=False)(np.array([1.0, 2.0]))


SPECIAL = [0.0, -0.0, 1.5, -2.0, INF, -INF, NAN]


def _term(c, t):
    # the chain rule's product of a partial c and a tangent t, derived by hand
    # from the convention: a zero tangent gives a zero with the sign c * t has
    return math.copysign(0.0, c) * t if t == 0.0 else c * t


def _bits_equal(u, v):
    return (math.isnan(u) and math.isnan(v)) or (u == v and math.copysign(1.0, u) == math.copysign(1.0, v))


def test_product_of_special_values_at_every_width():
    # width 1 multiplies without a branch; wider numbers branch on the values.
    # Both must give, bit for bit, tb * a_t + ta * b_t term by term as above.
    for av in SPECIAL:
        for bv in SPECIAL:
            for at in SPECIAL:
                for bt in SPECIAL:
                    expected = _term(bv, at) + _term(av, bt)
                    one = (Dual(av, at) * Dual(bv, bt)).tangent
                    two = (Dual(av, [1.0, at]) * Dual(bv, [0.5, bt])).tangent[1]
                    with np.errstate(all="ignore"):  # inf * 0 in the values warns, as in NumPy
                        arr = dualdiff.numpy.array([Dual(av, at)]) * dualdiff.numpy.array([Dual(bv, bt)])
                    case = (av, at, bv, bt)
                    assert _bits_equal(one, expected), (case, one, expected)
                    assert _bits_equal(two, expected), (case, two, expected)
                    assert _bits_equal(float(arr.tangent.ravel()[0]), expected), (case, arr.tangent, expected)
