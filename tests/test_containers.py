"""Container inputs: dicts and lists or tuples of arrays of different shapes
give derivatives in the same structure (as JAX's pytrees)."""
import collections
import math

import numpy as np
import pytest

import dualdiff
from dualdiff import Dual
from dualdiff.numpy import DualArray

X = {"a": 2.0, "b": np.array([1.0, -2.0, 3.0]), "c": [np.arange(4.0).reshape(2, 2), (1.0, 3.0)]}


def f(p):
    a, b, (m, t) = p["a"], p["b"], p["c"]
    return a ** 2 * np.sum(b ** 3) + np.sum(np.sin(m) * m) * t[0] + t[1] * a * b[0]


def flat_f(z):
    """f of the concatenated leaves."""
    return f({"a": z[0], "b": z[1:4], "c": [np.reshape(z[4:8], (2, 2)), (z[8], z[9])]})


Z = np.concatenate([[2.0], X["b"], X["c"][0].ravel(), [1.0, 3.0]])


def test_f_receives_the_same_structure_of_duals():
    seen = {}

    def g(p):
        seen.update(p)
        return p["a"] * np.sum(p["b"])

    dualdiff.grad(g)(X)
    assert type(seen["a"]) is Dual and isinstance(seen["b"], DualArray) and seen["b"].shape == (3,)
    m, t = seen["c"]
    assert isinstance(m, DualArray) and m.shape == (2, 2)
    assert type(t) is tuple and all(type(e) is Dual for e in t)


def test_grad_and_value_and_grad_of_a_dict():
    ref = dualdiff.grad(flat_f)(Z)
    for g in (dualdiff.grad(f)(X), dualdiff.value_and_grad(f)(X)[1]):
        assert list(g) == ["a", "b", "c"] and type(g["a"]) is float
        assert g["a"] == ref[0]
        np.testing.assert_array_equal(g["b"], ref[1:4])
        assert type(g["c"]) is list and g["c"][0].shape == (2, 2)
        np.testing.assert_array_equal(g["c"][0].ravel(), ref[4:8])
        np.testing.assert_array_equal(g["c"][1], ref[8:10])  # a tuple of numbers: an array
    assert dualdiff.value_and_grad(f)(X)[0] == flat_f(Z)


def test_grad_against_finite_differences():
    g = dualdiff.grad(flat_f)(Z)
    h = 1e-6
    fd = np.array([(flat_f(Z + h * e) - flat_f(Z - h * e)) / (2 * h) for e in np.eye(Z.size)])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6)


def test_jacobian_of_a_dict_has_leaves_of_shape_out_plus_leaf():
    F = lambda p: np.stack([p["b"] * p["a"], np.exp(p["b"])])  # noqa: E731
    x = {"a": 2.0, "b": np.array([1.0, 0.5, -1.0])}
    J = dualdiff.jacobian(F)(x)
    ref = dualdiff.jacobian(lambda z: F({"a": z[0], "b": z[1:]}))(np.r_[2.0, x["b"]])
    assert J["a"].shape == (2, 3) and J["b"].shape == (2, 3, 3)
    np.testing.assert_array_equal(J["a"], ref[..., 0])
    np.testing.assert_array_equal(J["b"], ref[..., 1:])
    y, J2 = dualdiff.value_and_jacobian(F)(x)
    np.testing.assert_array_equal(y, F(x))
    np.testing.assert_array_equal(J2["b"], J["b"])
    # a scalar result: the leaves of the gradient
    Js = dualdiff.jacobian(f)(X)
    assert type(Js["a"]) is float and Js["b"].shape == (3,)


def test_hessian_of_a_dict_is_a_dict_of_dicts_of_blocks():
    H = dualdiff.hessian(f)(X)
    ref = dualdiff.hessian(flat_f)(Z)
    assert type(H["a"]["a"]) is float and H["a"]["a"] == ref[0, 0]
    np.testing.assert_array_equal(H["a"]["b"], ref[0, 1:4])
    np.testing.assert_array_equal(H["b"]["a"], ref[1:4, 0])
    np.testing.assert_array_equal(H["b"]["b"], ref[1:4, 1:4])
    assert H["c"][0]["c"][0].shape == (2, 2, 2, 2)
    np.testing.assert_array_equal(H["c"][0]["c"][0].reshape(4, 4), ref[4:8, 4:8])
    assert H["c"][0]["c"][1].shape == (2, 2, 2)
    np.testing.assert_array_equal(H["c"][1]["b"], ref[8:10, 1:4])
    # finite differences of the gradient
    h = 1e-5
    g = dualdiff.grad(flat_f)
    fd = np.array([(g(Z + h * e) - g(Z - h * e)) / (2 * h) for e in np.eye(Z.size)])
    np.testing.assert_allclose(ref, fd, rtol=1e-6, atol=1e-6)


def test_hessian_of_a_vector_function_of_a_dict():
    F = lambda p: np.array([p["u"] * p["v"][0], p["v"][1] ** 2])  # noqa: E731
    H = dualdiff.hessian(F)({"u": 1.0, "v": np.array([2.0, 3.0])})
    assert H["u"]["v"].shape == (2, 2) and H["v"]["v"].shape == (2, 2, 2)
    np.testing.assert_array_equal(H["u"]["v"], [[1.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(H["v"]["v"][1], [[0.0, 0.0], [0.0, 2.0]])


def test_jvp_and_hvp_take_v_of_the_same_structure():
    v = {"a": 0.5, "b": np.array([1.0, 0.0, -1.0]), "c": [np.ones((2, 2)), (0.0, 2.0)]}
    vz = np.concatenate([[0.5], v["b"], np.ones(4), [0.0, 2.0]])
    y, jv = dualdiff.jvp(f, X, v)
    y0, jv0 = dualdiff.jvp(flat_f, Z, vz)
    assert y == y0 and jv == jv0
    hv = dualdiff.hvp(f)(X, v)
    ref = dualdiff.hvp(flat_f)(Z, vz)
    assert hv["a"] == ref[0]
    np.testing.assert_array_equal(hv["c"][0].ravel(), ref[4:8])
    with pytest.raises(ValueError, match="structure"):
        dualdiff.jvp(f, X, {"a": 0.5, "b": v["b"]})
    with pytest.raises(ValueError, match="structure"):
        dualdiff.jvp(f, X, dict(v, b=np.ones(4)))


def test_lists_and_tuples_of_arrays_of_different_shapes():
    x = [np.ones(2), np.array([1.0, 2.0, 3.0])]
    g = dualdiff.grad(lambda p: np.sum(p[0]) * np.sum(p[1] ** 2))(x)
    assert type(g) is list and g[0].shape == (2,) and g[1].shape == (3,)
    np.testing.assert_array_equal(g[0], [14.0, 14.0])
    np.testing.assert_array_equal(g[1], [4.0, 8.0, 12.0])
    g = dualdiff.grad(lambda p: p[0][1] * p[1][0, 0])((np.ones(2), np.full((1, 1), 3.0)))
    assert type(g) is tuple and g[1].shape == (1, 1)
    P = collections.namedtuple("P", "u v")
    g = dualdiff.grad(lambda p: p.u * np.sum(p.v))(P(2.0, np.ones(3)))
    assert type(g) is P and g.u == 3.0 and g.v.tolist() == [2.0, 2.0, 2.0]


def test_sequences_of_numbers_keep_returning_arrays():
    g = dualdiff.grad(lambda p: p[0][0] * p[1][0])([(2.0,), (3.0,)])
    assert type(g) is np.ndarray  # rows of one shape: one array, as before
    g = dualdiff.grad(lambda p: np.sum(p[0] * p[1]))([np.ones(2), np.ones(2)])
    assert type(g) is np.ndarray and g.shape == (2, 2)


def test_containers_nest_in_other_transforms():
    # d/dy of d/db (a b^2) at a = y, b = 2 is 2 b = 4
    assert dualdiff.derivative(
        lambda y: dualdiff.grad(lambda p: p["a"] * p["b"] ** 2)({"a": y, "b": 2.0})["b"])(3.0) == 4.0
    J = dualdiff.jacobian(
        lambda y: dualdiff.grad(lambda p: p["a"] * np.sum(p["b"] ** 2))({"a": y[0], "b": y[1:]})["b"])(
        np.array([3.0, 1.0, 2.0]))
    np.testing.assert_array_equal(J, [[2.0, 6.0, 0.0], [4.0, 0.0, 6.0]])
    # a dict inside f, closing over the outer variable
    d = dualdiff.derivative(lambda y: dualdiff.grad(lambda p: y * p["x"] ** 2)({"x": 1.5})["x"])(2.0)
    assert d == 3.0


def test_empty_dict_and_chunks():
    assert dualdiff.grad(lambda p: 0.0)({}) == {}
    x = {"u": np.linspace(0.0, 1.0, 7), "w": np.linspace(1.0, 2.0, 5)}
    F = lambda p: np.sum(p["u"] ** 2) * np.sum(np.sin(p["w"]))  # noqa: E731
    for chunk in (None, 2, 5):
        g = dualdiff.grad(F, chunk)(x)
        np.testing.assert_allclose(g["u"], 2 * x["u"] * np.sum(np.sin(x["w"])), rtol=1e-14)
        H = dualdiff.hessian(F, chunk)(x)
        np.testing.assert_allclose(H["w"]["w"], -np.diag(np.sin(x["w"])) * np.sum(x["u"] ** 2),
                                   rtol=1e-14, atol=1e-15)


# ------------------------------------------------------------ tree results
# jvp, jacobian and value_and_jacobian take results that are trees (a dict, or
# a list or tuple of arrays of different shapes) and answer in their structure.
# References: derivatives of the polynomials below, derived by hand.

def tree_result(x):
    return {"s": x[0] * x[1], "v": (x ** 2, [x[0] ** 3, np.sin(x[1]) * np.ones(3)])}


def tree_result_jacobian(x):
    """The hand-derived Jacobian of tree_result, in its structure."""
    a, b = x
    return {"s": np.array([b, a]),
            "v": (np.diag(2 * x), [np.array([3 * a * a, 0.0]),
                                   np.outer(np.ones(3), [0.0, np.cos(b)])])}


def assert_same_tree(got, want):
    if isinstance(want, dict):
        assert type(got) is dict and list(got) == list(want)
        for k in want:
            assert_same_tree(got[k], want[k])
    elif isinstance(want, (list, tuple)):
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same_tree(g, w)
    else:
        assert np.shape(got) == np.shape(want)
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)


def test_jvp_of_a_tree_result():
    x, v = np.array([0.5, -1.25]), np.array([2.0, 3.0])
    y, t = dualdiff.jvp(tree_result, x, v)
    assert_same_tree(y, tree_result(x))
    J = tree_result_jacobian(x)
    want = {"s": J["s"] @ v, "v": (J["v"][0] @ v, [J["v"][1][0] @ v, J["v"][1][1] @ v])}
    assert_same_tree(t, want)
    assert type(t["s"]) is float and type(t["v"][1][0]) is float


def test_jacobian_of_a_tree_result():
    x = np.array([0.5, -1.25])
    assert_same_tree(dualdiff.jacobian(tree_result)(x), tree_result_jacobian(x))
    value, J = dualdiff.value_and_jacobian(tree_result, chunk=1)(x)
    assert_same_tree(value, tree_result(x))
    assert_same_tree(J, tree_result_jacobian(x))


def test_jacobian_of_a_tree_result_at_a_tree_x():
    # the tree of x inside each leaf of the result, as JAX's jacfwd nests them
    def g(p):
        return {"u": p["a"] * p["b"], "w": p["a"] ** 2}
    p = {"a": 3.0, "b": np.array([1.0, 2.0])}
    want = {"u": {"a": np.array([1.0, 2.0]), "b": 3.0 * np.eye(2)},
            "w": {"a": 6.0, "b": np.zeros(2)}}
    assert_same_tree(dualdiff.jacobian(g)(p), want)


def test_jvp_of_grad_at_a_tuple_of_arrays():
    # grad returns the structure of x, so its derivative along v has it too:
    # f = a * sum(b**2): grad = (sum(b**2), 2 a b), and along (da, db) its
    # derivative is (2 b.db, 2 da b + 2 a db)
    x = (0.6, np.array([1.0, 2.0]))
    v = (1.0, np.array([1.0, -1.0]))
    g = dualdiff.grad(lambda t: t[0] * np.sum(t[1] ** 2))
    y, t = dualdiff.jvp(g, x, v)
    assert_same_tree(y, (5.0, np.array([1.2, 2.4])))
    assert_same_tree(t, (2 * (1.0 - 2.0), 2 * 1.0 * x[1] + 2 * 0.6 * v[1]))


def test_tree_results_with_complex_leaves():
    # d/dt of (exp(i t0), t1 * [1, i, 1]) along v: (i exp(i t0) v0, v1 * [1, i, 1])
    x, v = np.array([0.3, 2.0]), np.array([1.5, -0.5])
    f = lambda t: (np.exp(1j * t[0]), t[1] * np.array([1.0, 1j, 1.0]))
    y, t = dualdiff.jvp(f, x, v)
    assert_same_tree(t, (1j * np.exp(0.3j) * 1.5, -0.5 * np.array([1.0, 1j, 1.0])))
    J = dualdiff.jacobian(f)(x)
    assert_same_tree(J, (np.array([1j * np.exp(0.3j), 0.0]),
                         np.outer([1.0, 1j, 1.0], [0.0, 1.0])))


def test_tree_results_against_finite_differences():
    rng = np.random.default_rng(7)
    x = rng.standard_normal(3)

    def f(x):
        return [np.tanh(x) * x[0], {"q": np.sum(np.exp(x)), "r": np.outer(x, x[:2])}]
    J = dualdiff.jacobian(f)(x)
    h = 1e-6
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        fp, fm = f(x + e), f(x - e)
        np.testing.assert_allclose(J[0][:, i], (fp[0] - fm[0]) / (2 * h), rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(J[1]["q"][i], (fp[1]["q"] - fm[1]["q"]) / (2 * h), rtol=1e-8)
        np.testing.assert_allclose(J[1]["r"][..., i], (fp[1]["r"] - fm[1]["r"]) / (2 * h),
                                   rtol=1e-8, atol=1e-9)


def test_ragged_results_are_trees_and_other_transforms_refuse():
    # f(x) = [x0 x1, [x1^2, sin x0], (x0,)]: a number beside sequences of
    # numbers (each an array, as always), whose derivatives come back in that
    # structure, by hand
    f = lambda x: [x[0] * x[1], [x[1] ** 2, dualdiff.math.sin(x[0])], (x[0],)]  # noqa: E731
    x = [0.5, 2.0]
    J = dualdiff.jacobian(f)(x)
    assert type(J) is list and len(J) == 3
    assert J[0].tolist() == [2.0, 0.5]
    assert J[1].tolist() == [[0.0, 4.0], [math.cos(0.5), 0.0]]
    assert J[2].tolist() == [[1.0, 0.0]]
    y, t = dualdiff.jvp(f, x, [1.0, -1.0])
    assert type(y) is list and y[0] == 1.0 and y[1].tolist() == [4.0, math.sin(0.5)]
    assert y[2].tolist() == [0.5]
    assert t[0] == 2.0 - 0.5 and t[1].tolist() == [-4.0, math.cos(0.5)] and t[2].tolist() == [1.0]
    # the same inside another transform: d/dx0 of the tree, along x0
    _, tt = dualdiff.jvp(lambda z: dualdiff.jacobian(f)(z), x, [1.0, 0.0])
    assert tt[0].tolist() == [0.0, 1.0] and tt[1].tolist() == [[0.0, 0.0], [-math.sin(0.5), 0.0]]
    for transform in (dualdiff.grad, dualdiff.hessian):
        with pytest.raises(ValueError, match="ragged"):
            transform(f)(x)
    # the identity on a ragged input: blocks of the identity, tree by tree
    I = dualdiff.jacobian(lambda a: a)([[1.0, 2.0], [3.0]])
    assert np.array_equal(I[0][0], np.eye(2)) and np.array_equal(I[1][1], [[1.0]])
    assert np.array_equal(I[0][1], np.zeros((2, 1))) and np.array_equal(I[1][0], np.zeros((1, 2)))
    with pytest.raises(TypeError, match="dict"):
        dualdiff.grad(lambda x: {"a": x[0]})([1.0, 2.0])
    with pytest.raises(TypeError, match="dict"):
        dualdiff.hessian(lambda x: {"a": x[0] * x[1]})([1.0, 2.0])


def test_tree_results_of_nested_transforms_keep_the_outer_derivatives():
    # f(x) = x0 x1^2: jacobian of (f, x) inside jacobian gives (Hessian of f, 0)
    # and inside jvp the derivative of (grad f, I) along v; by hand
    x = np.array([1.0, 2.0])
    inner = lambda y: dualdiff.jacobian(lambda x: (x[0] * x[1] ** 2, x))(y)  # noqa: E731
    H, Z = dualdiff.jacobian(inner)(x)
    assert np.array_equal(H, [[0.0, 4.0], [4.0, 2.0]]) and np.array_equal(Z, np.zeros((2, 2, 2)))
    _, t = dualdiff.jvp(lambda y: dualdiff.jacobian(lambda x: {"a": x[0] * x[1] ** 2, "b": x})(y),
                        x, np.array([1.0, 0.0]))
    assert np.array_equal(t["a"], [0.0, 4.0]) and np.array_equal(t["b"], np.zeros((2, 2)))
    # the second derivative of a split along one direction: -sin, piece by piece
    a = np.arange(8.0).reshape(4, 2) * 0.3
    f = lambda x: np.vsplit(np.sin(x), [1, 2])  # noqa: E731
    _, t = dualdiff.jvp(lambda y: dualdiff.jvp(f, y, np.ones((4, 2)))[1], a, np.ones((4, 2)))
    assert [p.shape for p in t] == [(1, 2), (1, 2), (2, 2)]
    np.testing.assert_allclose(np.concatenate(t), -np.sin(a), rtol=1e-15, atol=0)


def test_tree_results_holding_dicts_beside_numbers():
    # a tuple of a dict and a number is a tree result too: here the gradient of
    # d["a"]^2 + 3 y, which is ({"a": 2 d["a"]}, 3), and its derivative along v
    f = lambda t: t[0]["a"] ** 2 + 3.0 * t[1]  # noqa: E731
    g = dualdiff.grad(f)
    y, t = dualdiff.jvp(g, ({"a": 3.0}, 2.0), ({"a": 0.5}, 1.0))
    assert y == ({"a": 6.0}, 3.0) and t == ({"a": 1.0}, 0.0)
    J = dualdiff.jacobian(lambda x: ({"a": x[0]}, x[1] * x[0]))(np.array([1.0, 2.0]))
    assert np.array_equal(J[0]["a"], [1.0, 0.0]) and np.array_equal(J[1], [2.0, 1.0])


def test_arrays_inside_a_list_or_tuple_arrive_as_dual_arrays():
    # a tuple of arrays of one shape is one array for the derivatives, but f
    # receives the tuple of dual arrays, so SciPy's ufuncs (no object loops) run
    import mpmath
    import scipy.special
    seen = []

    def f(t):
        seen.append([type(a) for a in t])
        return np.sum(scipy.special.psi(t[0]) * t[1])
    a, b = np.array([0.5, 1.5]), np.array([2.0, 3.0])
    g = dualdiff.grad(f)((a, b))
    assert seen[-1] == [DualArray, DualArray]
    want_a = [float(mpmath.psi(1, ai)) * bi for ai, bi in zip(a, b)]   # psi' = trigamma
    want_b = [float(mpmath.digamma(ai)) for ai in a]
    np.testing.assert_allclose(g, [want_a, want_b], rtol=1e-14)
    g1 = dualdiff.grad(lambda t: np.sum(scipy.special.erf(t[0])))((a,))
    np.testing.assert_allclose(g1, [2 / np.sqrt(np.pi) * np.exp(-a ** 2)], rtol=1e-14)


def test_ragged_sequences_are_trees_of_their_parts():
    # [[a, b], c]: the parts [a, b] (a vector) and c (a number), derivatives by hand
    f = lambda p: p[0][0] * p[0][1] ** 2 + dualdiff.math.sin(p[1])  # noqa: E731
    g = dualdiff.grad(f)([[1.5, 2.0], 0.5])
    assert type(g) is list and type(g[0]) is np.ndarray and type(g[1]) is float
    assert g[0].tolist() == [4.0, 2 * 1.5 * 2.0] and g[1] == math.cos(0.5)
    H = dualdiff.hessian(f)([[1.5, 2.0], 0.5])
    assert np.array_equal(H[0][0], [[0.0, 4.0], [4.0, 3.0]]) and H[1][1] == -math.sin(0.5)
    assert np.array_equal(H[0][1], [0.0, 0.0]) and np.array_equal(H[1][0], [0.0, 0.0])
    # rows of different lengths, and a tuple mixing a list and a number
    g = dualdiff.grad(lambda p: p[0][0] * p[1][2])([[2.0, 7.0], [3.0, 5.0, 11.0]])
    assert [r.tolist() for r in g] == [[11.0, 0.0], [0.0, 0.0, 2.0]]
    g = dualdiff.grad(lambda p: np.sum(np.append(p[0], p[1]) ** 2))(([1.0, 2.0, 3.0], 4.0))
    assert type(g) is tuple and g[0].tolist() == [2.0, 4.0, 6.0] and g[1] == 8.0
    J = dualdiff.jacobian(lambda p: np.array([p[0][0] * p[1], p[1]]))([[3.0], 2.0])
    assert np.array_equal(J[0], [[2.0], [0.0]]) and np.array_equal(J[1], [3.0, 1.0])
    y, t = dualdiff.jvp(f, [[1.5, 2.0], 0.5], [[1.0, 0.0], 1.0])
    assert y == f([[1.5, 2.0], 0.5]) and t == pytest.approx(4.0 + math.cos(0.5), rel=1e-15)
    # a non-number part is still refused with the usual message
    with pytest.raises(TypeError):
        dualdiff.grad(lambda p: p[1])([["a"], 1.0])
