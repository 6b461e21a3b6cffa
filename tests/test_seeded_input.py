"""The input grad(f) and hessian(f) hand f for a 1-d float64 array: a
DualArray whose x[i], len, iteration and unpacking read the seeded Duals as a
list would, and which behaves as any other DualArray everywhere else (writes,
views, NumPy functions, conversions that would drop derivatives)."""
import pickle
import weakref

import numpy as np
import pytest
import scipy.optimize

import dualdiff
from dualdiff.numpy import DualArray

X8 = np.array([0.3, -0.7, 1.1, 0.5, -0.2, 0.9, 1.4, -1.0])


def test_loop_function_gradient_and_hessian_match_hand_derivatives(corpus):
    g = dualdiff.grad(corpus.loop_function)(X8)
    assert np.allclose(g, corpus.loop_function_gradient(list(X8)), rtol=1e-14, atol=1e-14)
    # Hessian by central differences of the hand gradient (a quadratic in each
    # pair of neighbours plus a cubic term: differences of step 1e-4 are exact
    # to about 1e-7 relative)
    h = dualdiff.hessian(corpus.loop_function)(X8)
    fd = np.empty((8, 8))
    for j in range(8):
        e = np.zeros(8)
        e[j] = 1e-4
        fd[:, j] = (np.array(corpus.loop_function_gradient(list(X8 + e)))
                    - np.array(corpus.loop_function_gradient(list(X8 - e)))) / 2e-4
    assert np.allclose(h, fd, rtol=1e-7, atol=1e-6)
    assert np.array_equal(h, h.T)
    # the same bits as for a list x
    assert np.array_equal(g, dualdiff.grad(corpus.loop_function)(list(X8)))
    assert np.array_equal(h, dualdiff.hessian(corpus.loop_function)(list(X8)))


def test_indexing_len_iteration_and_unpacking():
    seen = {}

    def f(x):
        seen["type"] = isinstance(x, DualArray) and isinstance(x, np.ndarray)
        seen["len"] = len(x)
        a, b, c = x
        seen["iter"] = [d.value for d in x]
        assert x[-1] is c and x[0] is a and x[-3] is a and x[-0] is a
        with pytest.raises(IndexError):
            x[3]
        with pytest.raises(IndexError):
            x[-4]
        # indices of several digits, bools: NumPy's own answers
        for big in (2 ** 40, -(2 ** 40), 2 ** 70, -(2 ** 70)):
            with pytest.raises(IndexError):
                x[big]
        assert x[True].shape == (1, 3) and x[False].shape == (0, 3)
        assert x[0] == a and x[-1] == c
        return a * b ** 2 + c * x[np.int64(1)]

    x = np.array([3.0, 2.0, 5.0])
    # f = a b^2 + c b: gradient (b^2, 2ab + c, b), Hessian by hand
    assert np.array_equal(dualdiff.grad(f)(x), [4.0, 17.0, 2.0])
    assert seen == {"type": True, "len": 3, "iter": [3.0, 2.0, 5.0]}
    assert np.array_equal(dualdiff.hessian(f)(x), [[0, 4, 0], [4, 6, 1], [0, 1, 0]])
    v, g = dualdiff.value_and_grad(f)(x)
    assert v == 22.0 and np.array_equal(g, [4.0, 17.0, 2.0])


@pytest.mark.parametrize("make", [
    lambda a: a[::2],                      # strided
    lambda a: a[::-1],                     # negative stride
    lambda a: a.astype(">f8"),             # big-endian
    lambda a: np.asfortranarray(a),
    lambda a: a.astype(np.float32),        # another dtype: the general path
    lambda a: a.reshape(2, 2),             # 2-d: the general path
])
def test_any_float_array_gives_the_same_derivatives(make):
    base = np.array([3.0, 2.0, 5.0, 7.0])
    x = make(base)
    f = lambda x: np.sum(x.reshape(-1) ** 3) + x.reshape(-1)[0] * x.reshape(-1)[-1]  # noqa: E731
    flat = np.asarray(x, dtype=np.float64).reshape(-1)
    want = 3 * flat ** 2
    want[0] += flat[-1]
    want[-1] += flat[0]
    assert np.array_equal(dualdiff.grad(f)(x).reshape(-1), want)
    g = lambda x: x[0] * x[-1] if x.ndim == 1 else x[0, 0] * x[-1, -1]  # noqa: E731
    h = dualdiff.hessian(g)(x).reshape(flat.size, flat.size)
    assert h[0, -1] == h[-1, 0] == 1.0 and np.count_nonzero(h) == 2


def test_writes_are_seen_through_the_array_and_its_views():
    def f(x):
        a = x[0]
        x[0] = 10.0             # a constant now
        assert x[0].value == 10.0 and a.value == 3.0   # a keeps its number
        v = x[1:]
        v[0] = x[2] * 2.0       # x[1] = 2 x[2], through a view
        return x[0] * x[1] + a

    x = np.array([3.0, 2.0, 5.0])
    # f = 10 * (2 x2) + x0: gradient (1, 0, 20)
    assert np.array_equal(dualdiff.grad(f)(x), [1.0, 0.0, 20.0])
    assert np.array_equal(x, [3.0, 2.0, 5.0])  # the caller's array is untouched

    def g(x):
        out = []
        for i, d in enumerate(x):   # a write ahead of the iteration is seen
            out.append(d)
            if i == 0:
                x[1] = 7.0
        return out[0] * out[1] + out[2]

    assert np.array_equal(dualdiff.grad(g)(x), [7.0, 0.0, 1.0])


def test_numpy_code_and_conversions_work_as_on_any_dual_array():
    x = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    assert np.allclose(dualdiff.grad(scipy.optimize.rosen)(x), scipy.optimize.rosen_der(x), rtol=1e-14)
    assert np.allclose(dualdiff.hessian(scipy.optimize.rosen)(x), scipy.optimize.rosen_hess(x),
                       rtol=1e-14)
    A = np.arange(10.0).reshape(5, 2)
    assert np.allclose(dualdiff.grad(lambda x: np.sum((x @ A) ** 2) + x[0])(x),
                       2 * A @ (x @ A) + [1, 0, 0, 0, 0], rtol=1e-14)

    def strips(x):
        y = x[0] * 2.0          # the fast path first, then a conversion
        return np.asarray(x)[0] * y

    with pytest.raises(TypeError, match="values of a dual array were used without"):
        dualdiff.grad(strips)(x)
    with pytest.raises(TypeError, match="drop its derivatives"):
        dualdiff.grad(lambda x: float(x))(np.array([1.0]))
    with pytest.raises(AttributeError, match="cannot set attribute"):
        dualdiff.grad(lambda x: setattr(x, "extra", 1))(x)

    def pickled(x):
        y = pickle.loads(pickle.dumps(x))
        assert type(y) is DualArray and np.array_equal(y.value, x.value)
        return x[0]

    assert np.array_equal(dualdiff.grad(pickled)(x), [1, 0, 0, 0, 0])


def test_an_input_kept_by_f_keeps_its_numbers():
    kept = []

    def f(x):
        kept.append(x)
        return x[0] * x[1]

    g = dualdiff.grad(f)
    assert np.array_equal(g(np.array([3.0, 2.0])), [2.0, 3.0])
    assert np.array_equal(g(np.array([5.0, 4.0])), [4.0, 5.0])
    assert kept[0] is not kept[1]
    assert kept[0][0].value == 3.0 and kept[1][0].value == 5.0
    assert np.array_equal(kept[0].tangent, np.eye(2))

    refs = []
    h = dualdiff.grad(lambda x: refs.append(weakref.ref(x)) or x[0] * x[1])
    h(np.array([3.0, 2.0]))
    h(np.array([5.0, 4.0]))
    # an input that only a weak reference saw is never handed out again
    assert refs[0]() is None or refs[0]() is not refs[1]()
    a = h(np.array([1.0, 2.0]))
    b = h(np.array([6.0, 7.0]))
    assert np.array_equal(a, [2.0, 1.0]) and np.array_equal(b, [7.0, 6.0])


def test_nested_transforms_on_the_seeded_input():
    # jacobian(grad(f)) is the Hessian; grad inside grad sees the outer numbers
    f = lambda x: x[0] ** 2 * x[1] + x[1] ** 3  # noqa: E731
    x = np.array([1.5, 2.0])
    H = dualdiff.jacobian(dualdiff.grad(f))(x)
    assert np.array_equal(H, [[2 * 2.0, 2 * 1.5], [2 * 1.5, 6 * 2.0]])
    inner = lambda x: dualdiff.grad(lambda y: y[0] * x[0] + y[1] * x[1])(x).sum()  # noqa: E731
    # inner(x) = sum of the gradient of y . x at y = x: x0 + x1
    assert np.array_equal(dualdiff.grad(inner)(x), [1.0, 1.0])
    assert type(dualdiff.grad(lambda x: x[0] * x[1])(x)) is np.ndarray
    # d/dt of the gradient of x0 t: 1
    assert dualdiff.derivative(lambda t: dualdiff.grad(lambda x: x[0] * t)(np.array([2.0]))[0])(1.0) == 1.0
