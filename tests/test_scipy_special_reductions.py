"""dualdiff.special: logsumexp, softmax, log_softmax (and multigammaln) against SciPy's values and
derivatives against mpmath (closed forms at 40 digits, and mpmath's own numerical
differentiation where a closed form would repeat the code's reasoning)."""
import itertools

import mpmath as mp
import numpy as np
import pytest

import dualdiff
from dualdiff import Dual

sp = pytest.importorskip("scipy.special")
ds = pytest.importorskip("dualdiff.special")

NINF = -np.inf
RNG_SEED = 20261207


@pytest.fixture(autouse=True)
def _digits():
    with mp.workdps(40):  # the references' precision, restored after each test
        yield


def _rng():
    return np.random.default_rng(RNG_SEED)


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axis = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axis))


def _slices(shape, axis):
    """(index in the kept-dims output, boolean mask of the inputs in its slice)."""
    ax = _axes(axis, len(shape))
    kshape = tuple(1 if d in ax else n for d, n in enumerate(shape))
    for o in np.ndindex(kshape):
        mask = np.zeros(shape, bool)
        mask[tuple(slice(None) if d in ax else o[d] for d in range(len(shape)))] = True
        yield o, mask, kshape, ax


def _out_shape(kshape, ax, keepdims):
    return kshape if keepdims else tuple(n for d, n in enumerate(kshape) if d not in ax)


def ref_logsumexp(a, axis=None, b=None, keepdims=False):
    """(value, d/da, d/db) of log(sum(b exp(a))) in mpmath: d/da_i = b_i e^a_i / S,
    d/db_i = e^a_i / S within the slice, 0 outside; shapes out + a.shape."""
    a = np.asarray(a, float)
    b = np.ones_like(a) if b is None else np.broadcast_to(np.asarray(b, float), a.shape)
    if a.ndim == 0:
        a, b = a.reshape(1), b.reshape(1)
    val, ja, jb = {}, {}, {}
    for o, mask, kshape, ax in _slices(a.shape, axis):
        idx = np.flatnonzero(mask)
        e = [mp.exp(mp.mpf(a.flat[i])) for i in idx]
        s = mp.fsum(mp.mpf(b.flat[i]) * ei for i, ei in zip(idx, e))
        val[o] = float(mp.log(s))
        ga, gb = np.zeros(a.size), np.zeros(a.size)
        for i, ei in zip(idx, e):
            ga[i] = float(mp.mpf(b.flat[i]) * ei / s)
            gb[i] = float(ei / s)
        ja[o], jb[o] = ga.reshape(a.shape), gb.reshape(a.shape)
    oshape = _out_shape(kshape, ax, keepdims)
    keys = list(np.ndindex(kshape))
    v = np.array([val[k] for k in keys]).reshape(oshape)
    JA = np.array([ja[k] for k in keys]).reshape(oshape + a.shape)
    JB = np.array([jb[k] for k in keys]).reshape(oshape + a.shape)
    return v, JA, JB


def ref_softmax(x, axis=None):
    """(softmax, its Jacobian, log_softmax's Jacobian) in mpmath, shape x.shape (+ x.shape)."""
    x = np.asarray(x, float)
    p = np.zeros(x.shape)
    J = np.zeros(x.shape + x.shape)
    JL = np.zeros(x.shape + x.shape)
    for _, mask, _, _ in _slices(x.shape, axis):
        idx = np.flatnonzero(mask)
        e = [mp.exp(mp.mpf(x.flat[i])) for i in idx]
        s = mp.fsum(e)
        q = [ei / s for ei in e]
        for i, qi in zip(idx, q):
            p.flat[i] = float(qi)
            for j, qj in zip(idx, q):
                J.reshape(x.size, x.size)[i, j] = float(qi * ((i == j) - qj))
                JL.reshape(x.size, x.size)[i, j] = float((i == j) - qj)
    return p, J, JL


def _close(got, want, rtol=1e-13, atol=1e-15):
    got = np.asarray(got, float)
    assert got.shape == np.shape(want), (got.shape, np.shape(want))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


# ---- plain input: SciPy's own function ------------------------------------------------

PLAIN_CASES = [
    ("logsumexp", (np.arange(10.0),), {}),
    ("logsumexp", ([1.0, 2.0],), {"b": [1.0, -1.0], "return_sign": True}),
    ("logsumexp", ([1.0, 2.0],), {"b": [1.0, -1.0]}),
    ("logsumexp", (np.arange(12.0).reshape(3, 4),), {"axis": (0, 1), "keepdims": True}),
    ("logsumexp", (np.arange(12.0).reshape(3, 4),), {"axis": -1, "b": np.array([1.0, 0.0, 2.0, 1.0])}),
    ("logsumexp", ([NINF, NINF],), {}),
    ("logsumexp", ([NINF, 0.0, np.inf],), {}),
    ("logsumexp", (np.zeros((2, 0)),), {"axis": 1}),
    ("logsumexp", (np.float64(3.0),), {"keepdims": True}),
    ("logsumexp", ([1j, 2.0],), {}),
    ("logsumexp", ([1, 2, 3],), {}),
    ("softmax", (np.array([[1, 0.5, 0.2, 3], [1, -1, 7, 3]]),), {"axis": 1}),
    ("softmax", ([1000.0, 1.0],), {}),
    ("softmax", (np.float64(2.0),), {}),
    ("log_softmax", ([1000.0, 1.0],), {}),
    ("log_softmax", ([NINF, NINF],), {}),
    ("log_softmax", (np.arange(24.0).reshape(2, 3, 4),), {"axis": (0, 2)}),
]


@pytest.mark.parametrize("name, args, kwargs", PLAIN_CASES)
def test_plain_input_is_scipys_own(name, args, kwargs):
    with np.errstate(all="ignore"):
        want = getattr(sp, name)(*args, **kwargs)
        got = getattr(ds, name)(*args, **kwargs)
    assert type(got) is type(want)
    for g, w in zip(got if isinstance(want, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        assert type(g) is type(w)
        np.testing.assert_array_equal(g, w)


# ---- values of dual input: SciPy's values of the values --------------------------------

@pytest.mark.parametrize("name, args, kwargs", [c for c in PLAIN_CASES if not isinstance(c[1][0], list)
                                                or all(isinstance(v, float) for v in c[1][0])])
def test_dual_values_are_scipys(name, args, kwargs):
    x = np.asarray(args[0], float)

    def f(x):
        r = getattr(ds, name)(x, **kwargs)
        return r[0] if kwargs.get("return_sign") else r

    with np.errstate(all="ignore"):
        want = getattr(sp, name)(x, **kwargs)
        value, _ = dualdiff.value_and_jacobian(f)(x)
    want = want[0] if kwargs.get("return_sign") else want
    np.testing.assert_array_equal(value, want)


# ---- logsumexp: gradients, Jacobians, Hessians over shapes and axes -----------------------

SHAPES_AXES = [((4,), None), ((4,), 0), ((3, 4), None), ((3, 4), 0), ((3, 4), 1), ((1, 5), 0),
               ((1, 5), 1), ((2, 3, 4), (0, 2)), ((2, 3, 4), -1), ((4, 5, 6), 1), ((4, 5, 6), None)]


@pytest.mark.parametrize("shape, axis", SHAPES_AXES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_logsumexp_jacobian(shape, axis, keepdims, weighted):
    rng = _rng()
    a = rng.normal(size=shape) * 3.0
    b = rng.uniform(0.5, 2.0, size=shape[-1:]) if weighted else None
    v, JA, _ = ref_logsumexp(a, axis, b, keepdims)
    value, J = dualdiff.value_and_jacobian(lambda x: ds.logsumexp(x, axis=axis, b=b, keepdims=keepdims))(a)
    np.testing.assert_array_equal(value, sp.logsumexp(a, axis=axis, b=b, keepdims=keepdims))
    _close(value, v, rtol=1e-14)
    _close(J, JA)
    # forward along one direction: J v
    t = rng.normal(size=shape)
    _, jv = dualdiff.jvp(lambda x: ds.logsumexp(x, axis=axis, b=b, keepdims=keepdims), a, t)
    _close(jv, np.tensordot(JA, t, axes=len(shape)), rtol=1e-12, atol=1e-14)


def _hessian_ref(a, axis, b, c):
    """Hessian of sum(c * logsumexp(a, axis, b, keepdims=True)) in a: per slice
    c_o (diag(w) - w w^T), w = b e^a / S (mpmath)."""
    a = np.asarray(a, float)
    b = np.ones_like(a) if b is None else np.broadcast_to(b, a.shape)
    H = np.zeros((a.size, a.size))
    for o, mask, _, _ in _slices(a.shape, axis):
        idx = np.flatnonzero(mask)
        e = [mp.mpf(b.flat[i]) * mp.exp(mp.mpf(a.flat[i])) for i in idx]
        s = mp.fsum(e)
        w = [ei / s for ei in e]
        co = mp.mpf(c[o])
        for (i, wi), (j, wj) in itertools.product(zip(idx, w), repeat=2):
            H[i, j] = float(co * ((wi if i == j else 0) - wi * wj))
    return H.reshape(a.shape + a.shape)


@pytest.mark.parametrize("shape, axis", [((4,), None), ((3, 4), 1), ((1, 5), 0), ((2, 3, 4), (0, 2))])
@pytest.mark.parametrize("weighted", [False, True])
def test_logsumexp_hessian_and_grad_of_grad(shape, axis, weighted):
    rng = _rng()
    a = rng.normal(size=shape)
    b = rng.uniform(0.5, 2.0, size=shape) if weighted else None
    kshape = np.shape(sp.logsumexp(a, axis=axis, keepdims=True))
    c = rng.uniform(0.5, 1.5, size=kshape)

    def f(x):
        return np.sum(c * ds.logsumexp(x, axis=axis, b=b, keepdims=True))

    H = _hessian_ref(a, axis, b, c)
    _close(dualdiff.hessian(f)(a), H, atol=1e-14)
    _close(dualdiff.jacobian(dualdiff.grad(f))(a), H, atol=1e-14)
    v = rng.normal(size=shape)
    _close(dualdiff.hvp(f)(a, v), np.tensordot(H, v, axes=len(shape)), rtol=1e-12, atol=1e-14)


def test_logsumexp_gradient_is_softmax_and_hessian_diag_p_minus_ppt():
    x = np.array([0.3, -1.2, 2.0, 0.7])
    p, _, _ = ref_softmax(x)
    _close(dualdiff.grad(ds.logsumexp)(x), p)
    _close(dualdiff.hessian(ds.logsumexp)(x), np.diag(p) - np.outer(p, p), atol=1e-15)
    # ties: every tied maximum moves the result alike
    _close(dualdiff.grad(ds.logsumexp)(np.zeros(4)), np.full(4, 0.25), rtol=0, atol=0)
    _close(dualdiff.hessian(ds.logsumexp)(np.zeros(4)), np.eye(4) / 4 - 1 / 16, rtol=0, atol=1e-17)


def test_logsumexp_in_a_and_b_against_mpmath_differentiation():
    # the joint Hessian in (a, b), weights of both signs, against mpmath's own
    # numerical differentiation of log|sum b e^a| at 40 digits
    a0 = np.array([0.4, -0.3, 1.1])
    b0 = np.array([1.5, -0.5, 0.8])

    def F(*z):
        return mp.log(abs(mp.fsum(z[3 + i] * mp.exp(z[i]) for i in range(3))))

    z0 = [mp.mpf(v) for v in np.r_[a0, b0]]
    n = 6
    G = np.array([float(mp.diff(F, z0, tuple(int(k == i) for k in range(n)))) for i in range(n)])
    H = np.array([[float(mp.diff(F, z0, tuple(int(k == i) + int(k == j) for k in range(n))))
                   for j in range(n)] for i in range(n)])

    def f(z):
        return ds.logsumexp(z[:3], b=z[3:], return_sign=True)[0]

    _close(dualdiff.grad(f)(np.r_[a0, b0]), G, rtol=1e-12)
    _close(dualdiff.hessian(f)(np.r_[a0, b0]), H, rtol=1e-11, atol=1e-13)
    _close(dualdiff.jacobian(dualdiff.grad(f))(np.r_[a0, b0]), H, rtol=1e-11, atol=1e-13)
    r, sgn = ds.logsumexp(a0, b=b0, return_sign=True)
    assert (r, sgn) == sp.logsumexp(a0, b=b0, return_sign=True)


def test_logsumexp_b_dual_broadcast_axis_tuple_keepdims_nested():
    # b a dual array of another shape that broadcasts against a; the Hessian of a
    # sum over a kept-dims result, by hessian and by jacobian(grad(.))
    rng = _rng()
    a = rng.normal(size=(2, 3, 4))
    b0 = rng.uniform(0.5, 2.0, size=(3, 1))

    def f(z):
        return np.sum(ds.logsumexp(a * z[0], axis=(0, 2), b=z[1:].reshape(3, 1), keepdims=True))

    z = np.r_[1.3, b0.ravel()]

    def F(*w):
        out = mp.mpf(0)
        for j in range(3):
            out += mp.log(mp.fsum(w[1 + j] * mp.exp(w[0] * mp.mpf(a[i, j, k]))
                                  for i in range(2) for k in range(4)))
        return out

    w0 = [mp.mpf(v) for v in z]
    n = 4
    G = np.array([float(mp.diff(F, w0, tuple(int(k == i) for k in range(n)))) for i in range(n)])
    H = np.array([[float(mp.diff(F, w0, tuple(int(k == i) + int(k == j) for k in range(n))))
                   for j in range(n)] for i in range(n)])
    _close(dualdiff.grad(f)(z), G, rtol=1e-12)
    _close(dualdiff.hessian(f)(z), H, rtol=1e-11, atol=1e-13)
    _close(dualdiff.jacobian(dualdiff.grad(f))(z), H, rtol=1e-11, atol=1e-13)
    # d/dt of the gradient at t x: H(t x) x, a first-order transform inside another
    x = np.array([0.2, -0.4, 0.9])
    p, _, _ = ref_softmax(x)
    got = dualdiff.derivative(lambda t: dualdiff.grad(ds.logsumexp)(t * x))(1.0)
    _close(got, (np.diag(p) - np.outer(p, p)) @ x, atol=1e-15)


def test_logsumexp_taylor_coefficients():
    a = np.array([0.1, -0.5, 0.8])
    v = np.array([1.0, 2.0, -1.0])
    want = mp.taylor(lambda t: mp.log(mp.fsum(mp.exp(mp.mpf(ai) + t * mp.mpf(vi))
                                              for ai, vi in zip(a, v))), 0, 4)
    got = dualdiff.taylor(lambda x: ds.logsumexp(x), order=4)(a, v)
    _close(got, [float(c) for c in want], rtol=1e-12, atol=1e-15)


# ---- softmax and log_softmax -------------------------------------------------------------

@pytest.mark.parametrize("shape, axis", [((4,), None), ((3, 4), 0), ((3, 4), 1), ((1, 5), 0),
                                         ((2, 3, 4), (0, 2)), ((2, 3, 4), -1)])
def test_softmax_and_log_softmax_jacobians(shape, axis):
    rng = _rng()
    x = rng.normal(size=shape) * 2.0
    p, J, JL = ref_softmax(x, axis)
    value, got = dualdiff.value_and_jacobian(lambda y: ds.softmax(y, axis=axis))(x)
    np.testing.assert_array_equal(value, sp.softmax(x, axis=axis))
    _close(got, J, atol=1e-15)
    value, got = dualdiff.value_and_jacobian(lambda y: ds.log_softmax(y, axis=axis))(x)
    np.testing.assert_array_equal(value, sp.log_softmax(x, axis=axis))
    _close(got, JL, atol=1e-15)
    t = rng.normal(size=shape)
    _, jv = dualdiff.jvp(lambda y: ds.softmax(y, axis=axis), x, t)
    _close(jv, np.tensordot(J, t, axes=len(shape)), rtol=1e-12, atol=1e-15)


def test_softmax_second_derivatives_against_mpmath():
    x0 = np.array([0.5, -0.2, 1.3])
    c = np.array([1.0, -2.0, 0.5])

    def F(*x):
        s = mp.fsum(mp.exp(xi) for xi in x)
        return mp.fsum(ci * mp.exp(xi) / s for ci, xi in zip(c, x)) + \
            mp.fsum(ci ** 2 * (xi - mp.log(s)) for ci, xi in zip(c, x))

    def f(x):
        return np.sum(c * ds.softmax(x)) + np.sum(c ** 2 * ds.log_softmax(x))

    z0 = [mp.mpf(v) for v in x0]
    H = np.array([[float(mp.diff(F, z0, tuple(int(k == i) + int(k == j) for k in range(3))))
                   for j in range(3)] for i in range(3)])
    _close(dualdiff.hessian(f)(x0), H, rtol=1e-11, atol=1e-13)
    _close(dualdiff.jacobian(dualdiff.grad(f))(x0), H, rtol=1e-11, atol=1e-13)


def test_scalar_and_list_arguments():
    d = Dual(1.5, [1.0, 0.0])
    r = ds.logsumexp(d)
    assert type(r) is Dual and r.value == sp.logsumexp(1.5) and list(r.tangent) == [1.0, 0.0]
    s = ds.softmax(d)
    assert type(s) is Dual and s.value == 1.0 and list(s.tangent) == [0.0, 0.0]
    ls = ds.log_softmax(d)
    assert type(ls) is Dual and ls.value == 0.0 and list(ls.tangent) == [0.0, 0.0]
    k = ds.logsumexp(d, keepdims=True)
    assert k.shape == (1,) == np.shape(sp.logsumexp(1.5, keepdims=True))
    # a list holding Duals
    x = [0.3, 1.1]
    p, _, _ = ref_softmax(x)
    _close(dualdiff.grad(lambda v: ds.logsumexp([v[0], v[1]]))(x), p)
    _close(dualdiff.grad(lambda v: ds.logsumexp([0.3, 1.1], b=[v[0], v[1]]))([1.0, 1.0]), p)


# ---- edge cases --------------------------------------------------------------------------

def test_minus_inf_entries_give_no_nan():
    x = np.array([0.0, NINF, 1.0])
    p, _, _ = ref_softmax([0.0, 1.0])
    for nan_safe in (True, False):
        value, g = dualdiff.value_and_grad(ds.logsumexp, nan_safe=nan_safe)(x)
        assert value == sp.logsumexp(x)
        _close(g, [p[0], 0.0, p[1]])
        H = dualdiff.hessian(ds.logsumexp, nan_safe=nan_safe)(x)
        Hf = np.diag(p) - np.outer(p, p)
        _close(H, [[Hf[0, 0], 0, Hf[0, 1]], [0, 0, 0], [Hf[1, 0], 0, Hf[1, 1]]], atol=1e-15)
        J = dualdiff.jacobian(ds.softmax, nan_safe=nan_safe)(x)
        assert np.isfinite(J).all() and J[1].tolist() == [0.0, 0.0, 0.0]
        _close(J[np.ix_([0, 2], [0, 2])], np.diag(p) - np.outer(p, p), atol=1e-15)
        JL = dualdiff.jacobian(ds.log_softmax, nan_safe=nan_safe)(x)
        assert np.isfinite(JL).all()
        _close(JL[np.ix_([0, 2], [0, 2])], np.eye(2) - p, atol=1e-15)


def test_all_minus_inf_slice_is_minus_inf_with_zero_derivatives():
    x = np.array([[NINF, NINF], [0.0, 1.0]])
    value, J = dualdiff.value_and_jacobian(lambda a: ds.logsumexp(a, axis=1))(x)
    np.testing.assert_array_equal(value, sp.logsumexp(x, axis=1))
    assert value[0] == NINF
    _, JA, _ = ref_logsumexp(x[1:], axis=1)
    np.testing.assert_array_equal(J[0], 0.0)
    _close(J[1, 1], JA[0, 0])
    np.testing.assert_array_equal(J[1, 0], 0.0)
    H = dualdiff.hessian(lambda a: ds.logsumexp(a[0]))(x)
    np.testing.assert_array_equal(H, 0.0)
    # all weights zero: -inf too
    value, g = dualdiff.value_and_grad(lambda a: ds.logsumexp(a, b=[0.0, 0.0]))(np.array([1.0, 2.0]))
    assert value == sp.logsumexp([1.0, 2.0], b=[0.0, 0.0]) == NINF
    np.testing.assert_array_equal(g, 0.0)


def test_one_element_slices():
    x = np.array([[2.0], [-3.0], [NINF]])
    J = dualdiff.jacobian(lambda a: ds.logsumexp(a, axis=1))(x)
    assert J.tolist() == [[[1.0], [0.0], [0.0]], [[0.0], [1.0], [0.0]], [[0.0], [0.0], [0.0]]]
    H = dualdiff.hessian(lambda a: np.sum(ds.logsumexp(a[:2], axis=1)))(x)
    np.testing.assert_array_equal(H, 0.0)
    for f in (ds.softmax, ds.log_softmax):
        value, J = dualdiff.value_and_jacobian(lambda a: f(a[:2], axis=1))(x)
        np.testing.assert_array_equal(value, getattr(sp, f.__name__)(x[:2], axis=1))
        np.testing.assert_array_equal(J, 0.0)
        Hs = dualdiff.hessian(lambda a: np.sum(f(a[:2], axis=1)))(x)
        np.testing.assert_array_equal(Hs, 0.0)


def test_large_values_do_not_overflow():
    x = np.array([1000.0, 1000.0, -1000.0])
    _close(dualdiff.grad(ds.logsumexp)(x), [0.5, 0.5, 0.0], rtol=0, atol=0)
    J = dualdiff.jacobian(ds.softmax)(np.array([1000.0, 999.0]))
    p, Jr, _ = ref_softmax([1.0, 0.0])
    _close(J, Jr)
    JL = dualdiff.jacobian(ds.log_softmax)(np.array([1000.0, 1.0]))
    _close(JL, [[0.0, 0.0], [-1.0, 1.0]], atol=1e-300)  # delta_ij - p_j, p = (1, 0)


def test_zero_weights():
    a = np.array([0.1, 0.2, 0.3])
    b = np.array([1.0, 0.0, 2.0])
    _, JA, JB = ref_logsumexp(a, b=b)
    # the derivative in a zero weight is e^a / S (the entry enters as b moves)
    _close(dualdiff.grad(lambda w: ds.logsumexp(a, b=w))(b), JB)
    _close(dualdiff.grad(lambda x: ds.logsumexp(x, b=b))(a), JA)
    # SciPy drops an entry of weight 0 even where a is +inf or NaN
    for bad in (np.inf, np.nan):
        x = np.array([0.1, bad, 0.3])
        value, g = dualdiff.value_and_grad(lambda y: ds.logsumexp(y, b=b))(x)
        assert value == sp.logsumexp(x, b=b)
        _close(g, JA)


def test_negative_sums_and_return_sign():
    a = np.array([0.0, 0.5])
    b = np.array([1.0, -2.0])
    value, g = dualdiff.value_and_grad(lambda x: ds.logsumexp(x, b=b))(a)
    assert np.isnan(value) and np.isnan(sp.logsumexp(a, b=b))
    assert np.isnan(g).all()
    # with the sign: log|S| and its derivatives b e^a / S
    _, JA, JB = ref_logsumexp(a, b=np.abs(b))  # for |S| below: S = e^0 - 2 e^.5 < 0
    S = 1.0 - 2.0 * np.exp(0.5)
    g = dualdiff.grad(lambda x: ds.logsumexp(x, b=b, return_sign=True)[0])(a)
    _close(g, b * np.exp(a) / S)
    r, sgn = ds.logsumexp(Dual(0.5, 1.0) * np.ones(2), b=b, return_sign=True)
    r0, sgn0 = sp.logsumexp(a * 0 + 0.5, b=b, return_sign=True)
    assert r.value == r0 and sgn == sgn0 == -1.0 and type(sgn) is type(sgn0)
    # a sum of exactly 0: -inf, sign 0
    value, g = dualdiff.value_and_grad(
        lambda x: ds.logsumexp(x, b=[1.0, -1.0], return_sign=True)[0])(np.array([0.3, 0.3]))
    assert value == NINF == sp.logsumexp([0.3, 0.3], b=[1.0, -1.0], return_sign=True)[0]


def test_nan_entries_give_nan_derivatives():
    x = np.array([0.1, np.nan, 0.3])
    value, g = dualdiff.value_and_grad(ds.logsumexp)(x)
    assert np.isnan(value) and np.isnan(g).all()
    with np.errstate(invalid="ignore"):
        J = dualdiff.jacobian(ds.softmax)(x)
    assert np.isnan(J).all()


def test_empty_input_as_scipy():
    x = np.zeros((2, 0))
    value, J = dualdiff.value_and_jacobian(lambda a: ds.logsumexp(a, axis=1))(x)
    np.testing.assert_array_equal(value, sp.logsumexp(x, axis=1))
    assert J.shape == (2, 2, 0)
    value, J = dualdiff.value_and_jacobian(lambda a: ds.logsumexp(a, axis=0, keepdims=True))(x)
    want = sp.logsumexp(x, axis=0, keepdims=True)
    assert value.shape == want.shape == (1, 0)
    value, g = dualdiff.value_and_grad(ds.logsumexp)(np.zeros(0))
    assert value == sp.logsumexp(np.zeros(0)) == NINF and g.shape == (0,)
    value, J = dualdiff.value_and_jacobian(lambda a: ds.logsumexp(a.reshape(0, 2), axis=0))(np.zeros(0))
    np.testing.assert_array_equal(value, [NINF, NINF])
    with pytest.raises(ValueError):  # SciPy's softmax of nothing raises
        dualdiff.jacobian(ds.softmax)(np.zeros(0))


def test_errors():
    x = np.array([0.1, 0.2])
    with pytest.raises((ValueError, np.exceptions.AxisError)):
        dualdiff.grad(lambda a: ds.logsumexp(a, axis=1))(x)
    with pytest.raises(ValueError):
        dualdiff.grad(lambda a: ds.logsumexp(a, b=np.ones(3)))(x)
    z = dualdiff.ComplexDual(np.array([1.0 + 1j, 2.0]), [[1.0, 0.0]])
    with pytest.raises(TypeError, match="complex"):
        ds.logsumexp(z)
    with pytest.raises(TypeError, match="complex"):
        ds.softmax(z)


@pytest.mark.parametrize("name", ["logsumexp", "softmax", "log_softmax"])
@pytest.mark.parametrize("x", [[0.3, -1.2, 2.0], [0.3, 0.3, 0.1], [0.0, 0.0, 0.0]])
def test_scipys_own_function_refuses_dual_arrays(name, x):
    # SciPy converts its input (or rebuilds the maxima from a copy), which keeps no
    # derivatives: a TypeError pointing here, never a number. Where the maxima
    # tie, SciPy's logsumexp overwrites every placeholder of its copy with -inf
    # and fails later, in NumPy's log of its count of maxima (an object array):
    # differentiated step by step, all tied maxima would move with the first
    # one ([1, 0, 0] instead of [1/3, 1/3, 1/3] at zeros).
    f = getattr(sp, name)
    tied = name == "logsumexp" and x.count(max(x)) == len(x)
    with pytest.raises(TypeError, match="callable log" if tied else "dualdiff.special"):
        dualdiff.grad(lambda a: np.sum(f(a)))(np.array(x))


def test_sparsity_detection():
    P = dualdiff.jacobian_sparsity(lambda x: ds.softmax(x.reshape(2, 3), axis=1).ravel(), np.zeros(6))
    np.testing.assert_array_equal(P.toarray(), np.kron(np.eye(2), np.ones((3, 3))))
    P = dualdiff.jacobian_sparsity(lambda x: ds.logsumexp(x.reshape(2, 3), axis=1, b=np.ones(3)),
                                   np.zeros(6))
    np.testing.assert_array_equal(P.toarray(), np.kron(np.eye(2), np.ones((1, 3))))
    P = dualdiff.jacobian_sparsity(
        lambda x: ds.logsumexp(x.reshape(3, 2), axis=0, b=[[1.0], [-1.0], [1.0]], return_sign=True)[0],
        np.zeros(6))
    np.testing.assert_array_equal(P.toarray(), np.kron(np.ones((1, 3)), np.eye(2)))
    x = _rng().normal(size=6)
    J = dualdiff.jacobian(lambda y: ds.log_softmax(y.reshape(2, 3), axis=1).ravel(), sparsity="auto")(x)
    _close(J.toarray(), ref_softmax(x.reshape(2, 3), axis=1)[2].reshape(6, 6), atol=1e-15)
    H = dualdiff.hessian(lambda y: np.sum(ds.logsumexp(y.reshape(2, 3), axis=1)), sparsity="auto")(x)
    _close(H.toarray(), _hessian_ref(x.reshape(2, 3), 1, None, np.ones((2, 1))).reshape(6, 6), atol=1e-15)


def test_nested_derivative_keeps_the_calls_apart():
    # d/dt of (d/ds logsumexp([t s, s], b=[1, t]) at s = 1): the inner call's numbers
    # meet the outer t in a and in b (perturbation confusion would mix them)
    def inner(t):
        return dualdiff.derivative(
            lambda s: ds.logsumexp(dualdiff.numpy.array([t * s, s]), b=dualdiff.numpy.array([1.0, t])))(1.0)

    def F(t):
        return mp.diff(lambda s: mp.log(mp.exp(t * s) + t * mp.exp(s)), 1)

    t0 = 0.7
    assert abs(inner(t0) - float(F(mp.mpf(t0)))) < 1e-15
    got = dualdiff.derivative(inner)(t0)
    want = float(mp.diff(F, mp.mpf(t0)))
    assert abs(got - want) < 1e-13 * abs(want)


def test_nan_values_have_nan_derivatives_along_the_moving_directions_only():
    # softmax of a slice of -inf entries is NaN (as SciPy): its derivatives are NaN
    # in the directions that move the slice, 0 in the others (NaN-safe)
    x = np.array([NINF, NINF, 0.5])
    with np.errstate(invalid="ignore"):
        J = dualdiff.jacobian(lambda a: ds.softmax(a[:2]))(x)
        JL = dualdiff.jacobian(lambda a: ds.log_softmax(a[:2]))(x)
    for M in (J, JL):
        assert np.isnan(M[:, :2]).all() and M[:, 2].tolist() == [0.0, 0.0]
    g = dualdiff.grad(lambda a: ds.logsumexp(a[:2]) + a[2])(np.array([np.nan, 1.0, 2.0]))
    assert np.isnan(g[:2]).all() and g[2] == 1.0
    g = dualdiff.grad(lambda a: ds.logsumexp(a[:2], b=[1.0, -3.0]) + a[2])(np.array([0.0, 1.0, 2.0]))
    assert np.isnan(g[:2]).all() and g[2] == 1.0


# ---- multigammaln ------------------------------------------------------------------------

def _mp_multigammaln(a, d):
    return d * (d - 1) / 4 * mp.log(mp.pi) + sum(mp.loggamma(a - mp.mpf(j) / 2) for j in range(d))


@pytest.mark.parametrize("d", [1, 2, 3, 5, 10])
def test_multigammaln_values_and_derivatives_against_mpmath(d, rng):
    a = rng.uniform((d - 1) / 2 + 0.1, (d - 1) / 2 + 8.0, 4)
    with mp.workdps(40):
        want = [_mp_multigammaln(mp.mpf(v), d) for v in a]
        d1 = [mp.diff(lambda t: _mp_multigammaln(t, d), mp.mpf(v)) for v in a]
        d2 = [mp.diff(lambda t: _mp_multigammaln(t, d), mp.mpf(v), 2) for v in a]
    # values: SciPy's, and the true ones; near the zeros of gammaln and psi
    # (a near 1, 2, 1.46) the sums cancel: an absolute tolerance on their terms' scale
    tol = dict(rtol=1e-14, atol=1e-15 * d)
    np.testing.assert_allclose(sp.multigammaln(a, d), [float(w) for w in want], **tol)
    ours_val, ours_tan = dualdiff.jvp(lambda x: ds.multigammaln(x, d), a, np.ones(4))
    np.testing.assert_allclose(ours_val, [float(w) for w in want], **tol)
    np.testing.assert_allclose(ours_tan, [float(w) for w in d1], rtol=1e-13, atol=1e-15 * d)
    for i, v in enumerate(a):
        h = dualdiff.derivative(lambda t: ds.multigammaln(t, d), order=2)(float(v))
        assert abs(h - float(d2[i])) <= 1e-13 * abs(float(d2[i]))


def test_multigammaln_scalar_dual_array_shapes_and_errors():
    r = ds.multigammaln(Dual(4.5, 1.0), 3)
    assert isinstance(r, Dual)
    assert r.value == sp.multigammaln(4.5, 3)  # summed in SciPy's order
    a = np.array([[4.2, 5.0], [4.4, 4.9]])
    J = dualdiff.jacobian(lambda x: ds.multigammaln(x, 2))(a)
    assert J.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(J.reshape(4, 4), np.diag((sp.psi(a) + sp.psi(a - 0.5)).ravel()), rtol=1e-14)
    assert ds.multigammaln(4.5, 3) == sp.multigammaln(4.5, 3)  # plain input: SciPy's own
    with pytest.raises(ValueError, match="a .* > 0.5"):
        ds.multigammaln(Dual(0.9, 1.0), 3)
    with pytest.raises(ValueError, match="positive integer"):
        ds.multigammaln(Dual(4.5, 1.0), 2.5)
    # inside a composition: the log-density normalizer of a Wishart in its degrees of freedom
    g = dualdiff.grad(lambda p: p[0] * np.log(2.0) + ds.multigammaln(p[0] / 2, 3))(np.array([7.0]))
    assert abs(g[0] - (np.log(2.0) + 0.5 * sum(sp.psi(3.5 - j / 2) for j in range(3)))) <= 1e-14


# ---- a total order of three and more ----------------------------------------------------

def _third_of_logsumexp(x):
    """d3 logsumexp / dx_i dx_j dx_k by hand, p the softmax: from
    H_ij = p_i d_ij - p_i p_j and dp_i/dx_k = p_i (d_ik - p_k)."""
    p = np.exp(x - np.max(x))
    p /= p.sum()
    d = np.eye(len(x))
    return (np.einsum("i,ij,ik->ijk", p, d, d) - np.einsum("i,j,ik->ijk", p, p, d)
            - np.einsum("i,k,ij->ijk", p, p, d) - np.einsum("i,j,jk->ijk", p, p, d)
            + 2 * np.einsum("i,j,k->ijk", p, p, p))


def test_logsumexp_softmax_and_log_softmax_at_the_third_order(rng):
    x = rng.normal(size=4)
    T = _third_of_logsumexp(x)
    third = lambda f: dualdiff.jacobian(dualdiff.jacobian(dualdiff.grad(f)))(x)  # noqa: E731
    np.testing.assert_allclose(third(ds.logsumexp), T, rtol=1e-12, atol=1e-14)
    # inside hessian, and with a -inf entry beside them (it adds nothing)
    np.testing.assert_allclose(dualdiff.jacobian(dualdiff.hessian(ds.logsumexp))(x), T, rtol=1e-12,
                               atol=1e-14)
    g = lambda y: ds.logsumexp(np.array([y[0], -np.inf, y[1], y[2], y[3]]))  # noqa: E731
    np.testing.assert_allclose(third(g), T, rtol=1e-12, atol=1e-14)
    # softmax is the gradient of logsumexp, log_softmax is x - logsumexp(x)
    S2 = dualdiff.jacobian(dualdiff.jacobian(ds.softmax))
    np.testing.assert_allclose(S2(x), T, rtol=1e-12, atol=1e-14)
    S3 = dualdiff.jacobian(S2)(x)  # three levels: against differences of two
    h = 1e-5
    for i in range(4):
        e = np.zeros(4)
        e[i] = h
        np.testing.assert_allclose(S3[..., i], (S2(x + e) - S2(x - e)) / (2 * h), rtol=1e-6,
                                   atol=1e-8)
    L = dualdiff.jacobian(dualdiff.jacobian(dualdiff.jacobian(ds.log_softmax)))(x)
    np.testing.assert_allclose(L, -np.broadcast_to(T, (4,) + T.shape), rtol=1e-12, atol=1e-14)
    # a slice of -inf entries: -inf with derivatives 0
    z = dualdiff.jacobian(dualdiff.jacobian(dualdiff.grad(
        lambda y: ds.logsumexp(np.array([y[0] - np.inf, -np.inf])))))(x[:1])
    assert np.array_equal(z, np.zeros((1, 1, 1)))


def test_weights_axis_and_sign_at_the_third_order_against_differences(rng):
    # the third level against central differences of the second, which the
    # tests above check against SciPy
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    for f in (lambda y: ds.logsumexp(y, axis=1, b=b, return_sign=True)[0][1],
              lambda y: ds.logsumexp(y, axis=1, keepdims=True)[0, 0],
              lambda y: np.sum(ds.logsumexp(y, axis=0, b=np.abs(b)) ** 2)):
        H = dualdiff.hessian(f)
        got = dualdiff.jacobian(H)(a)
        h = 1e-5
        for i in range(a.size):
            e = np.zeros(a.size)
            e[i] = h
            e = e.reshape(a.shape)
            np.testing.assert_allclose(got[..., i // 3, i % 3], (H(a + e) - H(a - e)) / (2 * h),
                                       rtol=1e-6, atol=1e-7)


def test_plain_numbers_in_arrays_of_third_level_numbers_meet_ufuncs():
    # np.exp of an array holding a plain number beside the nested numbers
    x = np.array([0.3, 0.8])
    f = lambda y: np.sum(np.exp(dualdiff.numpy.array([y[0], 0.5, y[1]])))  # noqa: E731
    T = dualdiff.jacobian(dualdiff.jacobian(dualdiff.grad(f)))(x)
    want = np.zeros((2, 2, 2))
    want[0, 0, 0], want[1, 1, 1] = np.exp(0.3), np.exp(0.8)
    np.testing.assert_allclose(T, want, rtol=1e-15)

    def g(y):  # into an output array of such numbers, then a reduction
        a = dualdiff.numpy.array([y[0], 0.5, y[1]])
        b = np.empty(3, dtype=object).view(type(a))
        np.exp(a, out=b)
        np.multiply(b, 2.0, out=b)
        return np.add.reduce(b)
    np.testing.assert_allclose(dualdiff.jacobian(dualdiff.jacobian(dualdiff.grad(g)))(x),
                               2 * want, rtol=1e-15)
