"""Dual arrays (dualdiff.numpy): every supported function against finite differences.

Reference derivatives come from 4th-order central differences of the same
NumPy code on plain float64 arrays (error ~1e-10 at the steps used), and
Hessians from second differences of those; shapes include 0-d, empty and
broadcast cases.
"""
import math
import re
import warnings

import numpy as np
import pytest
import scipy.optimize

import dualdiff
from dualdiff import Dual
from dualdiff._ndarray import _read_array, _seed_array
from dualdiff.numpy import DualArray, array, supported_functions, supported_ufuncs

RNG = np.random.default_rng(1234)
TAG = 17


def jacobian(F, x, order=1):
    """(value, J, H) of F at x through dual arrays, all directions at once."""
    x = np.asarray(x, dtype=float)
    n = x.size
    y = F(_seed_array(x, 0, max(n, 1), order, TAG))
    k = int(np.prod(np.shape(y.value if isinstance(y, (DualArray, Dual)) else y)))
    val = np.empty(k)
    J = np.empty((k, max(n, 1)))
    H = np.empty((k, max(n, 1), max(n, 1))) if order == 2 else None
    _read_array(y, max(n, 1), order, TAG, val, J, H, 0)
    return val, J[:, :n], (H[:, :n, :n] if order == 2 else None)


def fd_jacobian(F, x, h=1e-3):
    x = np.asarray(x, dtype=float)
    f0 = np.asarray(F(x), dtype=float).reshape(-1)
    J = np.empty((f0.size, x.size))
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = h * max(1.0, abs(x.reshape(-1)[j]))
        hh = e[j]
        e = e.reshape(x.shape)
        fp1, fm1 = np.asarray(F(x + e)).reshape(-1), np.asarray(F(x - e)).reshape(-1)
        fp2, fm2 = np.asarray(F(x + 2 * e)).reshape(-1), np.asarray(F(x - 2 * e)).reshape(-1)
        J[:, j] = (8 * (fp1 - fm1) - (fp2 - fm2)) / (12 * hh)
    return f0, J


def fd_hessian(F, x, h=1e-3):
    """Second differences of fd_jacobian, with one Richardson step (error O(h^4))."""
    return (4.0 * _fd_hessian(F, x, h / 2) - _fd_hessian(F, x, h)) / 3.0


def _fd_hessian(F, x, h):
    x = np.asarray(x, dtype=float)
    n = x.size

    def grad_flat(z):
        return fd_jacobian(F, z, h=h)[1]

    H = np.empty((np.asarray(F(x)).size, n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h * max(1.0, abs(x.reshape(-1)[j]))
        e = e.reshape(x.shape)
        H[:, :, j] = (grad_flat(x + e) - grad_flat(x - e)) / (2 * e.reshape(-1)[j])
    return H


def check(F, x, order=1, rtol=1e-7, atol=1e-7):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        val, J, H = jacobian(F, x, order=order)
    f0, Jref = fd_jacobian(F, x)
    np.testing.assert_allclose(val, f0, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(J, Jref, rtol=rtol, atol=atol)
    if order == 2:
        np.testing.assert_allclose(H, fd_hessian(F, x), rtol=1e-4, atol=1e-4)
    return val, J, H


# ------------------------------------------------------------ elementwise

U = lambda lo, hi: (lambda shape: RNG.uniform(lo, hi, shape))  # noqa: E731

UNARY = {
    "sqrt": U(0.5, 2), "cbrt": U(0.5, 2), "exp": U(-1, 1), "exp2": U(-1, 1), "expm1": U(-1, 1),
    "log": U(0.5, 2), "log2": U(0.5, 2), "log10": U(0.5, 2), "log1p": U(-0.5, 1),
    "sin": U(-2, 2), "cos": U(-2, 2), "tan": U(-1, 1), "arcsin": U(-0.8, 0.8),
    "arccos": U(-0.8, 0.8), "arctan": U(-2, 2), "sinh": U(-1, 1), "cosh": U(-1, 1),
    "tanh": U(-1, 1), "arcsinh": U(-2, 2), "arccosh": U(1.5, 3), "arctanh": U(-0.8, 0.8),
    "absolute": U(0.2, 1), "fabs": U(-1, -0.2), "floor": U(0.1, 0.9), "ceil": U(0.1, 0.9),
    "trunc": U(0.1, 0.9), "rint": U(0.1, 0.4), "sign": U(0.1, 1), "degrees": U(-1, 1),
    "rad2deg": U(-1, 1), "radians": U(-1, 1), "deg2rad": U(-1, 1), "square": U(-2, 2),
    "reciprocal": U(0.5, 2), "negative": U(-1, 1), "positive": U(-1, 1), "conjugate": U(-1, 1),
}

BINARY = {
    "add": (U(-1, 1), U(-1, 1)), "subtract": (U(-1, 1), U(-1, 1)),
    "multiply": (U(-1, 1), U(-1, 1)), "divide": (U(-1, 1), U(0.5, 2)),
    "power": (U(0.5, 2), U(-1.5, 1.5)), "float_power": (U(0.5, 2), U(-1.5, 1.5)),
    "arctan2": (U(-1, 1), U(0.5, 1)), "hypot": (U(0.5, 1), U(-1, -0.5)),
    "fmod": (U(2.1, 2.3), U(0.95, 1.0)), "remainder": (U(2.1, 2.3), U(0.95, 1.0)),
    "floor_divide": (U(2.1, 2.3), U(0.95, 1.0)), "copysign": (U(0.5, 1), U(-1, -0.5)),
    "maximum": (U(0, 1), U(2, 3)), "minimum": (U(0, 1), U(2, 3)),
    "fmax": (U(2, 3), U(0, 1)), "fmin": (U(2, 3), U(0, 1)),
    "logaddexp": (U(-1, 1), U(-1, 1)), "logaddexp2": (U(-1, 1), U(-1, 1)),
}

SHAPES = [(), (3,), (2, 3)]


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", SHAPES)
def test_unary_ufunc(name, shape):
    f = getattr(np, name)
    check(f, UNARY[name](shape))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ufunc_second_order(name):
    f = getattr(np, name)
    check(f, UNARY[name]((3,)), order=2)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ufunc_empty(name):
    y = getattr(np, name)(_seed_array(np.zeros((0, 2)), 0, 2, 1, TAG))
    assert isinstance(y, DualArray) and y.shape == (0, 2) and y.tangent.shape == (0, 2, 2)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ufunc(name):
    f = getattr(np, name)
    ga, gb = BINARY[name]
    x = np.stack([ga((2, 3)), gb((2, 3))])
    check(lambda z: f(z[0], z[1]), x)
    check(lambda z: f(z[0], z[1]), x[:, :, :1], order=2)
    # constants on either side, with broadcasting
    ca, cb = ga((3,)), gb((2, 1))
    check(lambda z: f(z, cb), ga((2, 3)))
    check(lambda z: f(ca, z), gb((2, 1)))
    # dual broadcasting against dual
    z = np.concatenate([ga((3,)), gb((2,))])
    check(lambda z: f(z[:3], z[3:, None]), z)


def test_binary_with_scalar_dual_and_python_numbers():
    d = Dual(2.0, [1.0, 0.0])
    x = _seed_array(np.array([1.0, 3.0]), 0, 2, 1, 0)
    for y in (d * x, x * d, d * np.array([1.0, 3.0]), np.array([1.0, 3.0]) * d):
        assert isinstance(y, DualArray)
    y = d * x  # d depends on direction 0, x[0] on 0 and x[1] on 1
    np.testing.assert_allclose(y.tangent, [[1 + 2, 0], [3, 2]])
    y = 2 * x + 1.5 - x / 4
    np.testing.assert_allclose(y.value, [2 * 1 + 1.5 - 0.25, 6 + 1.5 - 0.75])
    np.testing.assert_allclose(y.tangent, np.eye(2) * 1.75)
    ints = np.array([1, 2]) * x
    np.testing.assert_allclose(ints.tangent, np.diag([1.0, 2.0]))


def test_comparisons_and_predicates_are_plain_bool():
    x = _seed_array(np.array([1.0, np.inf, np.nan, -2.0]), 0, 4, 1, TAG)
    for f, ref in [(np.isfinite, [1, 0, 0, 1]), (np.isinf, [0, 1, 0, 0]),
                   (np.isnan, [0, 0, 1, 0]), (np.signbit, [0, 0, 0, 1])]:
        r = f(x)
        assert type(r) is np.ndarray and r.dtype == bool
        assert r.tolist() == [bool(v) for v in ref]
    y = _seed_array(np.array([1.0, 2.0]), 0, 2, 1, TAG)
    assert (y < 1.5).tolist() == [True, False]
    assert (y >= np.array([1.0, 3.0])).tolist() == [True, False]
    assert (y == y).tolist() == [True, True]
    assert type(np.less(y, 2.0)) is np.ndarray
    assert np.logical_and(y > 0, y < 2).tolist() == [True, False]


def test_domain_errors_nan_and_warning_respecting_errstate():
    x = _seed_array(np.array([-1.0, 4.0]), 0, 2, 1, TAG)
    with pytest.warns(RuntimeWarning, match="invalid value encountered in sqrt"):
        y = np.sqrt(x)
    assert np.isnan(y.value[0]) and y.value[1] == 2.0
    # log of [-5, 0]: both events, as NumPy reports for the same values
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in log"), \
            pytest.warns(RuntimeWarning, match="invalid value encountered in log"):
        np.log(x - 4.0)
    with pytest.warns(RuntimeWarning, match="overflow encountered in exp"):
        np.exp(x * 1000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="ignore"):
            np.sqrt(x)
            np.log(x - 4.0)
    with np.errstate(invalid="raise"):
        with pytest.raises(FloatingPointError):
            np.sqrt(x)
    # numpy's own behaviour for the same values, for comparison
    with pytest.warns(RuntimeWarning, match="invalid value encountered in sqrt"):
        np.sqrt(np.array([-1.0, 4.0]))
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in log"), \
            pytest.warns(RuntimeWarning, match="invalid value encountered in log"):
        np.log(np.array([-5.0, 0.0]))


def _messages(f):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        f()
    return sorted(str(w.message) for w in seen)


# an infinite result from finite operands: a division by zero at some
# operands, an overflow at others, told apart as NumPy does
_DIVIDE_OR_OVERFLOW = [
    (np.power, [[1e200, 2.0], [0.5, 3.0]]), (np.power, [[0.0, 0.5], [-1.0, 2.0]]),
    (np.power, [[1e-200, -0.0], [-2.0, -3.0]]), (np.float_power, [[1e200, 0.0], [2.0, -1.0]]),
    (np.divide, [[1e300, 1.0], [1e-300, 2.0]]), (np.divide, [[1.0, -2.0], [0.0, -0.0]]),
    (np.reciprocal, [[5e-324, 2.0]]), (np.reciprocal, [[0.0, 2.0]]),
    (np.reciprocal, [[0.0, 5e-324]]),
]


@pytest.mark.parametrize("ufunc, values", _DIVIDE_OR_OVERFLOW)
@pytest.mark.parametrize("errstate", [{}, {"over": "ignore"}, {"divide": "ignore"}])
def test_divide_by_zero_and_overflow_warn_as_numpy_does(ufunc, values, errstate):
    floats = [np.array(v) for v in values]
    for k in range(len(floats)):  # the dual operand in each position
        operands = list(floats)
        operands[k] = array([Dual(v, [1.0, 0.5]) for v in floats[k]])
        with np.errstate(**errstate):
            want = _messages(lambda: ufunc(*floats))
            got = _messages(lambda: ufunc(*operands))
        assert got == want, (ufunc.__name__, values, k)
    with np.errstate(over="ignore", divide="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ufunc(*operands)


def test_power_overflow_is_not_a_division_by_zero():
    # x ** 2 at 1e200 overflows; under errstate(over="ignore") NumPy is
    # silent, and so is the dual array (it used to say "divide by zero")
    x = array([Dual(1e200, 1.0), Dual(3.0, 1.0)])
    with np.errstate(over="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            np.array([1e200, 3.0]) ** 2
            y = x ** 2
    assert y.value.tolist() == [np.inf, 9.0]
    with pytest.warns(RuntimeWarning, match="overflow encountered"):
        x ** 2
    with np.errstate(over="raise", divide="ignore"), pytest.raises(FloatingPointError, match="overflow"):
        x ** 2


def _run_recording(f):
    """(result or the ValueError raised, [warnings]) of f()."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            return f(), seen
        except ValueError as e:
            return e, seen


def test_cross_of_2_vectors_warns_or_raises_where_numpy_does():
    # NumPy 2.0 to 2.4 deprecate np.cross of 2-vectors (DeprecationWarning),
    # later versions refuse them (ValueError); the dual array passes either on
    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    x = array([Dual(1.0, [1.0, 0.0]), Dual(2.0, [0.0, 1.0])])
    z, want = _run_recording(lambda: np.cross(a, b))
    y, got = _run_recording(lambda: np.cross(x, b))
    if isinstance(z, ValueError):
        assert isinstance(y, ValueError)
        return
    deprecated = [issubclass(w.category, DeprecationWarning) for w in want]
    assert any(deprecated) == any(issubclass(w.category, DeprecationWarning) for w in got)
    assert [w for w in got if not issubclass(w.category, DeprecationWarning)] == []
    assert y.value == z
    assert y.tangent.tolist() == [-1.0, -3.0]  # d/dx (x0 * b1 - x1 * b0)


def test_out_and_in_place():
    x = _seed_array(np.array([0.5, 1.0, 2.0]), 0, 3, 1, TAG)
    out = np.zeros_like(x)
    r = np.sin(x, out=out)
    assert r is out
    np.testing.assert_allclose(out.tangent, np.diag(np.cos([0.5, 1.0, 2.0])))
    y = x.copy()
    y += 1.0
    y *= x
    np.testing.assert_allclose(y.value, (np.array([0.5, 1, 2]) + 1) * [0.5, 1, 2])
    np.testing.assert_allclose(y.tangent, np.diag(2 * np.array([0.5, 1, 2]) + 1))
    # a view shares memory: writing through it changes the base
    z = x.copy()
    v = z[1:]
    v *= 2.0
    np.testing.assert_allclose(z.tangent, np.diag([1.0, 2.0, 2.0]))
    with pytest.raises(TypeError, match="derivatives would be lost"):
        np.sin(x, out=np.empty(3))
    with pytest.raises(TypeError):
        f = np.zeros(3)
        f += x


def test_clip():
    x = np.array([-2.0, 0.3, 5.0])
    check(lambda z: np.clip(z, -1.0, 1.0), x)
    check(lambda z: z.clip(0.0, None), x)


def test_modf_divmod_ldexp_heaviside():
    x = np.array([1.25, 2.5])
    check(lambda z: np.modf(z)[0], x)
    check(lambda z: np.modf(z)[1], x)
    check(lambda z: np.divmod(z, 0.75)[1], x)
    check(lambda z: np.divmod(z, 0.75)[0], x)
    check(lambda z: np.ldexp(z, np.array([1, 3])), x)
    check(lambda z: np.heaviside(z - 2.0, 0.5) * z, x)


# ------------------------------------------------------------ reductions

X23 = RNG.uniform(0.5, 1.5, (2, 3))
RED_CASES = {
    "sum": [lambda z: np.sum(z), lambda z: np.sum(z, axis=0), lambda z: np.sum(z, axis=-1, keepdims=True),
            lambda z: np.sum(z, where=np.array([True, False, True])), lambda z: np.add.reduce(z, axis=1)],
    "prod": [lambda z: np.prod(z), lambda z: np.prod(z, axis=1), lambda z: np.prod(z, axis=0, keepdims=True),
             lambda z: np.prod(z, where=np.array([[True, False, True], [True, True, False]])),
             lambda z: np.multiply.reduce(z, axis=0)],
    "mean": [lambda z: np.mean(z), lambda z: np.mean(z, axis=1), lambda z: z.mean(axis=0, keepdims=True),
             lambda z: np.mean(z, axis=1, where=np.array([True, True, False]))],
    "var": [lambda z: np.var(z), lambda z: np.var(z, axis=0, ddof=1), lambda z: np.var(z, axis=1, keepdims=True)],
    "std": [lambda z: np.std(z), lambda z: np.std(z, axis=1), lambda z: z.std(axis=0, ddof=1)],
    "cumsum": [lambda z: np.cumsum(z), lambda z: np.cumsum(z, axis=1), lambda z: np.add.accumulate(z, axis=0)],
    "cumprod": [lambda z: np.cumprod(z), lambda z: np.cumprod(z, axis=0), lambda z: z.cumprod(axis=1)],
    "max": [lambda z: np.max(z), lambda z: np.max(z, axis=0), lambda z: np.amax(z, axis=1, keepdims=True),
            lambda z: np.maximum.reduce(z, axis=1)],
    "min": [lambda z: np.min(z), lambda z: z.min(axis=1), lambda z: np.amin(z, axis=0)],
    "norm": [lambda z: np.linalg.norm(z), lambda z: np.linalg.norm(z, axis=1),
             lambda z: np.linalg.norm(z, ord=1, axis=0), lambda z: np.linalg.norm(z, ord=np.inf, axis=1),
             lambda z: np.linalg.norm(z, ord=3, axis=1), lambda z: np.linalg.norm(z, ord="fro"),
             lambda z: np.linalg.norm(z, ord=1), lambda z: np.linalg.norm(z, ord=np.inf),
             lambda z: np.linalg.norm(z[0]), lambda z: np.linalg.norm(z, keepdims=True),
             lambda z: np.linalg.norm(z, ord="nuc"), lambda z: np.linalg.norm(z, ord=2, keepdims=True)],
}


@pytest.mark.parametrize("name", sorted(RED_CASES))
def test_reductions(name):
    for F in RED_CASES[name]:
        check(F, X23)
    check(RED_CASES[name][0], X23[:, :2], order=2)


def test_reductions_of_0d_and_empty():
    z = _seed_array(np.array(2.0), 0, 1, 1, TAG)
    s = np.sum(z)
    assert isinstance(s, Dual) and s.value == 2.0 and s.tangent == 1.0
    e = _seed_array(np.zeros((0, 3)), 0, 1, 1, TAG)
    s = np.sum(e, axis=0)
    assert s.shape == (3,) and np.all(s.tangent == 0)
    p = np.prod(e, axis=0)
    assert np.all(p.value == 1.0) and np.all(p.tangent == 0)
    with pytest.raises(ValueError):
        np.max(e, axis=0)


# ------------------------------------------------------------ shape and indexing

X6 = RNG.uniform(-1, 1, 6)
SHAPE_CASES = {
    "reshape": lambda z: np.reshape(z, (2, 3)) * np.arange(1.0, 7.0).reshape(2, 3),
    "ravel": lambda z: np.ravel(z.reshape(3, 2).T),
    "transpose": lambda z: np.transpose(z.reshape(1, 2, 3), (2, 0, 1)) ** 2,
    "swapaxes": lambda z: np.swapaxes(z.reshape(2, 3), 0, 1) ** 2,
    "moveaxis": lambda z: np.moveaxis(z.reshape(1, 2, 3), 0, -1) ** 2,
    "expand_dims": lambda z: np.expand_dims(z, (0, 2)) ** 2,
    "squeeze": lambda z: np.squeeze(z.reshape(1, 6, 1)) ** 2,
    "broadcast_to": lambda z: np.broadcast_to(z[:3], (2, 3)) * np.array([[1.0], [2.0]]),
    "broadcast_arrays": lambda z: np.broadcast_arrays(z[:3], z[3:, None][:2])[1] ** 2,
    "atleast_1d": lambda z: np.atleast_1d(z[0]) ** 2,
    "atleast_2d": lambda z: np.atleast_2d(z) ** 2,
    "atleast_3d": lambda z: np.atleast_3d(z) ** 2,
    "concatenate": lambda z: np.concatenate([z[3:] ** 2, np.array([7.0]), z[:2]]),
    "stack": lambda z: np.stack([z[:3], np.exp(z[3:])], axis=1),
    "hstack": lambda z: np.hstack([z[:2], [1.0, 2.0], z[4:] ** 3]),
    "vstack": lambda z: np.vstack([z[:3], z[3:] ** 2]),
    "row_stack": lambda z: np.vstack([z[:3], z[3:] ** 2]),
    "column_stack": lambda z: np.column_stack([z[:3], z[3:] ** 2]),
    "split": lambda z: np.split(z, 3)[1] ** 2,
    "array_split": lambda z: np.array_split(z, 4)[3] ** 2,
    "hsplit": lambda z: np.hsplit(z.reshape(2, 3), 3)[2] ** 2,
    "vsplit": lambda z: np.vsplit(z.reshape(2, 3), 2)[1] ** 2,
    "pad": lambda z: np.pad(z ** 2, (2, 1), constant_values=3.0),
    "roll": lambda z: np.roll(z ** 2, 2),
    "flip": lambda z: np.flip(z.reshape(2, 3) ** 2, axis=1),
    "fliplr": lambda z: np.fliplr(z.reshape(2, 3)) ** 2,
    "flipud": lambda z: np.flipud(z.reshape(2, 3)) ** 2,
    "diff": lambda z: np.diff(z ** 3, n=2),
    "where": lambda z: np.where(z > 0, z ** 2, -z),
    "take": lambda z: np.take(z ** 2, [4, 0, 0]),
    "take_along_axis": lambda z: np.take_along_axis(z.reshape(2, 3) ** 2, np.array([[2], [0]]), axis=1),
    "sort": lambda z: np.sort(z ** 3),
    "repeat": lambda z: np.repeat(z[:3] ** 2, 2),
    "tile": lambda z: np.tile(z[:2] ** 2, (2, 2)),
    "diagonal": lambda z: np.diagonal(np.outer(z[:3], z[3:])),
    "diag": lambda z: np.diag(z[:3] ** 2, 1),
    "tril": lambda z: np.tril(np.outer(z[:3], z[3:])),
    "triu": lambda z: np.triu(np.outer(z[:3], z[3:]), 1),
    "copy": lambda z: np.copy(z) ** 2,
    "round": lambda z: np.round(z, 1) + z,
    "around": lambda z: np.around(z, 1) * z,
    "real": lambda z: np.real(z) ** 2,
    "imag": lambda z: np.imag(z) + z,
    "zeros_like": lambda z: np.zeros_like(z) + z,
    "empty_like": lambda z: np.empty_like(z).shape[0] * z,
    "ones_like": lambda z: np.ones_like(z) * 2.0 + z,
    "full_like": lambda z: np.full_like(z, 3.0) * z,
    "append": lambda z: np.append(z[:2] ** 2, z[4:]),
    "average": lambda z: np.average(z.reshape(2, 3) ** 2, axis=1, weights=z[3:] + 2.0),
    "multi_dot": lambda z: np.linalg.multi_dot([z[:2], np.outer(z[2:4], z[4:]), z[:2]]),
    "vector_norm": lambda z: np.linalg.vector_norm(z.reshape(2, 3), axis=1, ord=3),
    "matrix_norm": lambda z: np.linalg.matrix_norm(z.reshape(2, 3)),
}


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_shape_functions(name):
    check(SHAPE_CASES[name], X6)


def test_pad_modes():
    for mode in ("edge", "reflect", "symmetric", "wrap"):
        check(lambda z: np.pad(z ** 2, (2, 3), mode=mode), X6)


@pytest.mark.parametrize("cv", [0.0, -1.5])
@pytest.mark.parametrize("order", [1, 2])
def test_pad_constant_2d(cv, order):
    x = RNG.uniform(0.5, 1.5, 6)
    F = lambda z: np.pad(z.reshape(2, 3) ** 2, ((1, 0), (2, 1)), constant_values=cv)  # noqa: E731
    val, J, H = check(F, x, order=order)
    np.testing.assert_array_equal(val.reshape(3, 6), np.pad(x.reshape(2, 3) ** 2, ((1, 0), (2, 1)),
                                                          constant_values=cv))
    with pytest.raises(ValueError):
        jacobian(lambda z: np.pad(z, (-1, 1)), x)


def test_indexing():
    x = _seed_array(np.arange(6.0).reshape(2, 3), 0, 6, 1, TAG)
    d = x[1, 2]
    assert type(d) is Dual and d.value == 5.0 and list(d.tangent) == [0, 0, 0, 0, 0, 1]
    assert type(x[-1, 0]) is Dual
    assert isinstance(x[1], DualArray) and x[1].shape == (3,)
    assert isinstance(x[..., 1], DualArray) and x[..., 1].shape == (2,)
    assert isinstance(x[1, ...], DualArray) and x[1, ...].shape == (3,)
    assert x[None, :, 1].shape == (1, 2)
    m = x[x > 2.5]
    assert m.shape == (3,) and m.value.tolist() == [3.0, 4.0, 5.0]
    np.testing.assert_array_equal(m.tangent, np.eye(6)[3:])
    f = x[[1, 0], [0, 2]]
    np.testing.assert_array_equal(f.value, [3.0, 2.0])
    np.testing.assert_array_equal(f.tangent, np.eye(6)[[3, 2]])
    with pytest.raises(IndexError):
        x[0, 0, 0]
    assert [type(r) for r in x] == [DualArray, DualArray]
    assert len(x) == 2
    assert type(x[0].item(1)) is Dual
    assert x.tolist()[1][2].value == 5.0


def test_item_assignment():
    x = _seed_array(np.array([1.0, 2.0, 3.0]), 0, 3, 1, TAG)
    y = np.zeros_like(x)
    y[1:] = x[:-1] ** 2
    y[0] = x[2] * 3.0
    np.testing.assert_allclose(y.value, [9.0, 1.0, 4.0])
    np.testing.assert_allclose(y.tangent, [[0, 0, 3], [2, 0, 0], [0, 4, 0]])
    y[2] = 7.0
    assert y[2].value == 7.0 and np.all(y.tangent[2] == 0)
    y[:] = np.array([1.0, 2.0, 3.0])
    assert np.all(y.tangent == 0)
    y[x > 1.5] = x[0]
    np.testing.assert_allclose(y.tangent, [[0, 0, 0], [1, 0, 0], [1, 0, 0]])
    with pytest.raises(ValueError, match="widths"):
        y[0] = Dual(1.0, [1.0, 2.0])
    with pytest.raises(TypeError):
        y[0] = "a"


def test_scipy_rosen_style_item_assignment():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0])
    check(scipy.optimize.rosen_der, x)


def test_sort_argsort_argmax_on_values():
    x = _seed_array(np.array([3.0, 1.0, 2.0]), 0, 3, 1, TAG)
    assert np.argsort(x).tolist() == [1, 2, 0]
    assert np.argmax(x) == 0 and np.argmin(x) == 1
    s = np.sort(x)
    np.testing.assert_array_equal(s.tangent, np.eye(3)[[1, 2, 0]])
    x.sort()
    np.testing.assert_array_equal(x.value, [1.0, 2.0, 3.0])


# ------------------------------------------------------------ products

A34 = RNG.uniform(-1, 1, (3, 4))
PRODUCT_CASES = {
    "dot": [lambda z: np.dot(z[:3], A34), lambda z: np.dot(z[:4], z[4:8]),
            lambda z: np.dot(A34, z[:4]), lambda z: np.dot(z.reshape(2, 4), z[:4])],
    "vdot": [lambda z: np.vdot(z[:4], z[4:]), lambda z: np.vecdot(z.reshape(2, 4), z[4:]),
             lambda z: np.vdot(z[:6].reshape(2, 3), np.sin(z[2:8]).reshape(3, 2))],
    "matmul": [lambda z: z[:3] @ A34, lambda z: A34 @ z[:4], lambda z: z.reshape(2, 4) @ z[:4],
               lambda z: np.matmul(z.reshape(2, 4), A34.T), lambda z: A34 @ z.reshape(4, 2),
               lambda z: z.reshape(2, 2, 2) @ z.reshape(2, 2, 2)],
    "inner": [lambda z: np.inner(z[:4], z[4:]), lambda z: np.inner(A34, z[:4]),
              lambda z: np.inner(z.reshape(2, 2, 2), np.sin(z[:6]).reshape(3, 2)), lambda z: np.inner(z, 2.0)],
    "outer": [lambda z: np.outer(z[:3], z[3:5]), lambda z: np.outer(A34, z[:2]),
              lambda z: np.outer(z.reshape(2, 4), z[:2]), lambda z: np.outer(z[:3], 2.5),
              lambda z: np.outer([1.0, -2.0], z[3:6])],
    "einsum": [lambda z: np.einsum("ij,j->i", A34, z[:4]), lambda z: np.einsum("i,i,i->", z[:2], z[2:4], z[4:6]),
               lambda z: np.einsum("ij,jk->ik", z.reshape(2, 4), A34.T),
               lambda z: np.einsum(A34, [0, 1], z[:4], [1], [0]),
               lambda z: np.einsum(z[:2], [0], z[2:4], [0], z[4:6], [0]),
               lambda z: np.einsum(z.reshape(2, 4), [Ellipsis, 1], A34.T, [1, 2]),
               lambda z: np.einsum(z.reshape(2, 4), [0, 1], [1, 0]),
               lambda z: np.einsum("bij,bjk->kib", z.reshape(2, 2, 2), np.sin(z).reshape(2, 2, 2)),
               lambda z: np.einsum("ij,ij", z.reshape(2, 4), np.cos(z).reshape(2, 4)),
               lambda z: np.einsum("ijk,jl->li", z.reshape(2, 2, 2), np.sin(z[:6]).reshape(2, 3)),
               lambda z: np.einsum("i,j", z[:3], np.sin(z[3:5]))],
    "tensordot": [lambda z: np.tensordot(z.reshape(2, 4), A34, axes=([1], [1])),
                  lambda z: np.tensordot(z.reshape(2, 2, 2), np.sin(z).reshape(2, 2, 2)),
                  lambda z: np.tensordot(z.reshape(2, 4), np.sin(z).reshape(4, 2), 1),
                  lambda z: np.tensordot(z[:3], np.sin(z[:2]), 0),
                  lambda z: np.tensordot(z.reshape(2, 2, 2), np.sin(z[:4]).reshape(2, 2), ([2, 0], [0, -1]))],
    "trace": [lambda z: np.trace(np.outer(z[:3], z[3:6])), lambda z: np.trace(z.reshape(2, 4), 1),
              lambda z: np.trace(z.reshape(2, 2, 2), -1, 2, 0), lambda z: np.trace(z.reshape(4, 2), 5)],
    "kron": [lambda z: np.kron(z[:2], z[2:5]), lambda z: np.kron(z[:4].reshape(2, 2), np.sin(z[2:8]).reshape(3, 2)),
             lambda z: np.kron(z[:3], z[3:7].reshape(2, 2)), lambda z: np.kron(A34[:2, :2], z[:2]),
             lambda z: np.kron(z.reshape(2, 2, 2), [1.0, -2.0]),
             lambda z: np.kron(z[:1].reshape(()), np.sin(z[1:2]).reshape(())) * z[2:4],
             lambda z: np.kron(z[0], z[1:3])],
    "convolve": [lambda z: np.convolve(z[:5], z[5:]), lambda z: np.convolve(z[:3], A34[0], "same"),
                 lambda z: np.convolve(A34[1], z[:6], "valid"), lambda z: np.convolve(z[:2], z[2:])],
    "correlate": [lambda z: np.correlate(z[:5], z[5:], "full"), lambda z: np.correlate(z[:6], A34[0]),
                  lambda z: np.correlate(z[:3], A34[2], "same"), lambda z: np.correlate(z[:2], z[2:], "full")],
    "cross": [lambda z: np.cross(z[:3], z[3:6]), lambda z: np.cross(z[:3], A34[:, 0]),
              lambda z: np.cross(z[:6].reshape(2, 3), np.sin(z[5:8])),
              lambda z: np.cross(z[:6].reshape(3, 2), np.sin(z[2:8]).reshape(3, 2), axisa=0, axisb=0),
              lambda z: np.cross(z[:6].reshape(3, 2), z[2:8].reshape(2, 3), axisa=0, axisc=0),
              lambda z: np.cross(z[:6].reshape(3, 2), np.cos(z[:6]).reshape(3, 2), axis=0),
              lambda z: np.cross(A34[:2, :3, None].transpose(0, 2, 1), z[:6].reshape(2, 3)),
              lambda z: np.cross([1.0, -2.0, 0.5], z[2:5])],
}


@pytest.mark.parametrize("name", sorted(PRODUCT_CASES))
def test_products(name):
    x = RNG.uniform(-1, 1, 8)
    for F in PRODUCT_CASES[name]:
        check(F, x)
    check(PRODUCT_CASES[name][0], x, order=2)


def test_outer_at_second_order_and_in_taylor_by_hand():
    # sum(W * outer(x, x)) = x^T W x: gradient (W + W^T) x, Hessian W + W^T,
    # also through jacobian(grad); along x + t v the t^2 coefficient is v^T W v
    W = RNG.uniform(-1, 1, (5, 5))
    x, v = RNG.uniform(-1, 1, 5), RNG.uniform(-1, 1, 5)
    f = lambda y: np.sum(W * np.outer(y, y))  # noqa: E731
    np.testing.assert_allclose(dualdiff.grad(f)(x), (W + W.T) @ x, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dualdiff.hessian(f)(x), W + W.T, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dualdiff.jacobian(dualdiff.grad(f))(x), W + W.T, rtol=1e-13, atol=1e-14)
    c = dualdiff.taylor(lambda t: f(x + t * v), 3)(0.0)
    np.testing.assert_allclose(c, [x @ W @ x, v @ (W + W.T) @ x, v @ W @ v, 0.0], rtol=1e-13, atol=1e-14)


def test_products_of_vectors_at_second_order_by_hand():
    # x^T W x through @ and np.dot: Hessian W + W^T, also through
    # jacobian(grad); sin(z) . z^2 = sum sin(z_k) z_k^2 has the diagonal
    # Hessian -sin z z^2 + 4 z cos z + 2 sin z and the gradient sin z 2z + cos z z^2
    n = 7
    W = RNG.uniform(-1, 1, (n, n))
    x, v = RNG.uniform(-1, 1, n), RNG.uniform(-1, 1, n)
    for f in (lambda y: y @ W @ y, lambda y: np.dot(y, np.dot(W, y)), lambda y: y @ (W @ y),
              lambda y: np.sum((y[:, None] * W) @ y), lambda y: (y @ (W * y)) @ np.ones(n)):
        np.testing.assert_allclose(dualdiff.hessian(f)(x), W + W.T, rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(dualdiff.jacobian(dualdiff.grad(f))(x), W + W.T, rtol=1e-13, atol=1e-14)
        c = dualdiff.taylor(lambda t: f(x + t * v), 3)(0.0)
        np.testing.assert_allclose(c, [x @ W @ x, v @ (W + W.T) @ x, v @ W @ v, 0.0], rtol=1e-13, atol=1e-14)
    for g in (lambda z: np.sin(z) @ z ** 2, lambda z: np.dot(np.sin(z), z ** 2)):
        np.testing.assert_allclose(dualdiff.grad(g)(x), 2 * x * np.sin(x) + x ** 2 * np.cos(x), rtol=1e-13)
        np.testing.assert_allclose(dualdiff.hessian(g)(x),
                                   np.diag(-np.sin(x) * x ** 2 + 4 * x * np.cos(x) + 2 * np.sin(x)),
                                   rtol=1e-13, atol=1e-14)


def test_products_of_dual_matrices_by_hand():
    # x^T diag(x) W x = sum_ij x_i^2 W_ij x_j (a vector times a dual matrix,
    # then two dual vectors): Hessian 2 diag(W x) + 2 diag(x) W + 2 W^T diag(x).
    # With X the k x k matrix of x (row by row): trace(X X) has the Hessian
    # 2 P (P the permutation that transposes X), trace(X X^T) has 2 I, and
    # X X has the Jacobian I (x) X^T + X (x) I
    n, k = 6, 3
    W = RNG.uniform(-1, 1, (n, n))
    x, v = RNG.uniform(-1, 1, n), RNG.uniform(-1, 1, k * k)
    f = lambda y: (y @ (y[:, None] * W)) @ y  # noqa: E731
    H = 2 * np.diag(W @ x) + 2 * np.diag(x) @ W + 2 * W.T @ np.diag(x)
    np.testing.assert_allclose(dualdiff.hessian(f)(x), H, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dualdiff.jacobian(dualdiff.grad(f))(x), H, rtol=1e-13, atol=1e-14)
    X = RNG.uniform(-1, 1, (k, k))
    P = np.eye(k * k).reshape(k, k, k, k).transpose(0, 1, 3, 2).reshape(k * k, k * k)
    square = lambda y: np.trace(y.reshape(k, k) @ y.reshape(k, k))  # noqa: E731
    gram = lambda y: np.trace(y.reshape(k, k) @ y.reshape(k, k).T)  # noqa: E731
    np.testing.assert_allclose(dualdiff.grad(square)(X.ravel()), 2 * X.T.ravel(), rtol=1e-13)
    np.testing.assert_allclose(dualdiff.hessian(square)(X.ravel()), 2 * P, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dualdiff.hessian(gram)(X.ravel()), 2 * np.eye(k * k), rtol=1e-13,
                               atol=1e-14)
    J = dualdiff.jacobian(lambda y: y.reshape(k, k) @ y.reshape(k, k))(X.ravel())
    assert J.shape == (k, k, k * k)
    np.testing.assert_allclose(J.reshape(k * k, k * k), np.kron(np.eye(k), X.T) + np.kron(X, np.eye(k)),
                               rtol=1e-13, atol=1e-14)
    V = v.reshape(k, k)
    c = dualdiff.taylor(lambda t: square(X.ravel() + t * v), 3)(0.0)
    np.testing.assert_allclose(c, [np.trace(X @ X), 2 * np.trace(X @ V), np.trace(V @ V), 0.0],
                               rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("product", [
    lambda a, b: a @ b, np.dot, np.vdot, np.inner, lambda a, b: np.tensordot(a, b, 1),
    lambda a, b: np.einsum("i,i", a, b), lambda a, b: np.einsum("i,i->", a, b)],
    ids=["matmul", "dot", "vdot", "inner", "tensordot", "einsum", "einsum->"])
def test_products_of_two_vectors_give_a_number(product):
    # a number (a Dual) where NumPy gives a number for two float vectors, a
    # 0-d array where it gives one (tensordot); the product rule's derivatives
    x = RNG.uniform(-1, 1, 5)
    seen = []

    def f(z):
        p = product(np.sin(z), z)
        seen.append(type(p))
        return p
    np.testing.assert_allclose(dualdiff.grad(f)(x), np.cos(x) * x + np.sin(x), rtol=1e-14)
    np.testing.assert_allclose(dualdiff.hessian(f)(x), np.diag(2 * np.cos(x) - np.sin(x) * x),
                               rtol=1e-14, atol=1e-15)
    expected = DualArray if isinstance(product(np.sin(x), x), np.ndarray) else Dual
    assert seen and all(t is expected for t in seen), seen


def test_products_of_two_dual_operands_are_alike_for_every_chunk(monkeypatch):
    # each product of two components is a vector or matrix product of its
    # own: the same bits whatever the number of directions in a pass, and
    # however the pairs of directions are batched
    x = RNG.uniform(-1, 1, 40)
    f = lambda z: np.sin(z) @ z ** 2 + np.dot(np.cos(z), z) * (z[:5] @ z[5:10])  # noqa: E731

    def g(z):  # matrix @ matrix, vector @ matrix, matrix @ vector, a trace of 20 entries,
        # vdot, tensordot, inner, einsum and stacked matrix products of two dual arrays
        X = z[:36].reshape(6, 6)
        return np.sum(np.sin(X) @ np.cos(X)) + z[:6] @ np.tanh(X) @ z[6:12] + np.sum(X @ z[30:36]) \
            + np.trace(np.outer(np.sin(z[:20]), z[20:])) + np.vdot(np.cos(z[:12]).reshape(3, 4), z[28:]) \
            + np.sum(np.tensordot(np.sin(z[:24]).reshape(2, 3, 4), z[16:].reshape(3, 4, 2))) \
            + np.sum(np.inner(z[:24].reshape(2, 3, 4), np.tanh(z[8:16]).reshape(2, 4))) \
            + np.sum(np.einsum("bij,bjk->ik", np.sin(z[:24]).reshape(2, 3, 4), z[:32].reshape(2, 4, 4))) \
            + np.sum(np.sin(z[:24]).reshape(2, 3, 4) @ np.cos(z[8:40]).reshape(2, 4, 4))

    def jac(chunk):
        return dualdiff.jacobian(lambda z: z * (np.sin(z) @ z) + np.tile(np.exp(z[:24].reshape(4, 6))
                                                                          @ z[:6], 10), chunk=chunk)(x)
    H, G, J = dualdiff.hessian(f)(x), dualdiff.hessian(g)(x), jac(None)
    for chunk in (1, 7, 16, 32):
        assert np.array_equal(dualdiff.hessian(f, chunk=chunk)(x), H), chunk
        assert np.array_equal(dualdiff.hessian(g, chunk=chunk)(x), G), chunk
    assert all(np.array_equal(jac(c), J) for c in (1, 3, 40))
    from dualdiff import _ndarray
    monkeypatch.setattr(_ndarray, "_PAIR_BATCH", 8)  # pairs of directions in batches of 1
    assert np.array_equal(dualdiff.hessian(f)(x), H)
    assert np.array_equal(dualdiff.hessian(g)(x), G)
    assert np.array_equal(dualdiff.hessian(g, chunk=5)(x), G)


# ------------------------------------------------------------ linear algebra

def spd(z):
    M = z.reshape(3, 3)
    return M @ M.T + 3.0 * np.eye(3)


LINALG_CASES = {
    "inv": (lambda z: np.linalg.inv(spd(z))),
    "solve": (lambda z: np.linalg.solve(spd(z), np.array([1.0, -2.0, 0.5]) * z[:3])),
    "det": (lambda z: np.linalg.det(z.reshape(3, 3) + 2 * np.eye(3))),
    "slogdet": (lambda z: np.linalg.slogdet(spd(z))[1]),
    "cholesky": (lambda z: np.linalg.cholesky(spd(z))),
    "eigh": (lambda z: np.linalg.eigh(spd(z) + np.diag([0.0, 2.0, 5.0]))[0]),
    "eigvalsh": (lambda z: np.linalg.eigvalsh(spd(z) + np.diag([0.0, 2.0, 5.0]))),
    "qr": (lambda z: np.linalg.qr(z.reshape(3, 3) + 2 * np.eye(3))[1]),
    "lstsq": (lambda z: np.linalg.lstsq(np.vstack([z.reshape(3, 3), np.ones(3)]),
                                        np.array([1.0, 2.0, 3.0, 4.0]), rcond=None)[0]),
    "norm": (lambda z: np.linalg.norm(z.reshape(3, 3), ord=1)),
    "svd": (lambda z: np.linalg.svd(z.reshape(3, 3) + np.diag([0.0, 2.0, 4.0]), compute_uv=False)),
    "pinv": (lambda z: np.linalg.pinv(z[:8].reshape(4, 2))),
}


@pytest.mark.parametrize("name", sorted(LINALG_CASES))
def test_linalg(name):
    F = LINALG_CASES[name]
    x = RNG.uniform(-0.5, 0.5, 9)
    check(F, x, rtol=1e-6, atol=1e-7)
    check(F, x, order=2, rtol=1e-6, atol=1e-7)


def test_eigh_vectors_and_qr_q():
    x = RNG.uniform(-0.5, 0.5, 9)

    def vecs(z):
        V = np.linalg.eigh(spd(z) + np.diag([0.0, 2.0, 5.0]))[1]
        return V * np.sign(V[0])  # fix the sign of each eigenvector

    check(vecs, x, rtol=1e-6, atol=1e-7)
    check(vecs, x, order=2, rtol=1e-6, atol=1e-7)
    for F in (lambda z: np.linalg.qr(z.reshape(3, 3) + 2 * np.eye(3))[0],
              lambda z: np.linalg.qr(np.vstack([z.reshape(3, 3), z[:3] ** 2]) + 2 * np.eye(4, 3))[0]):
        check(F, x, rtol=1e-6, atol=1e-7)
        check(F, x, order=2, rtol=1e-6, atol=1e-7)
    check(lambda z: np.linalg.det(spd(z)), x)


def test_eigh_gives_numpys_eigenvectors_for_either_triangle():
    # the values are NumPy's own decomposition of the triangle UPLO names,
    # eigenvector signs included; derivatives follow that triangle
    a = RNG.uniform(-1, 1, (3, 3))
    for uplo in ("U", "L", "u", "l"):
        for order in (1, 2):
            w, V = np.linalg.eigh(_seed_array(a, 0, 9, order, TAG), uplo)
            w0, V0 = np.linalg.eigh(a, uplo)
            assert np.array_equal(w.value, w0) and np.array_equal(V.value, V0)
        F = lambda z, u=uplo: np.linalg.eigh(z.reshape(3, 3), u)[1]  # noqa: E731
        check(F, a.reshape(-1), rtol=1e-6, atol=1e-7)
        check(F, a.reshape(-1), order=2, rtol=1e-6, atol=1e-7)
        check(lambda z, u=uplo: np.linalg.eigvalsh(z.reshape(3, 3), u), a.reshape(-1), order=2)
    with pytest.raises(ValueError, match="UPLO"):
        np.linalg.eigh(_seed_array(a, 0, 9, 1, TAG), "X")


def _signs_fixed_svd(shape, full):
    def F(z):
        U, s, Vh = np.linalg.svd(z.reshape(shape), full_matrices=full)
        k = min(shape)
        sign = np.sign(U[0, :k])  # fix the sign of each pair of singular vectors
        parts = [U[:, :k] * sign, Vh[:k] * sign[:, None], s, U @ U.T, Vh.T @ Vh,
                 U[:, k:] @ U[:, k:].T, Vh[k:].T @ Vh[k:]]  # projectors on the complements
        return np.concatenate([np.ravel(p) for p in parts])
    return F


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
@pytest.mark.parametrize("full", [False, True])
def test_svd_pinv_and_nuclear_norm(shape, full):
    # a point of its own, so that the tests before it do not choose it (second
    # differences of the singular vectors need singular values well apart and
    # away from 0, here at least 0.36)
    a = np.random.default_rng(31).uniform(-1, 1, shape)
    x = a.reshape(-1)
    for order in (1, 2):  # the values are NumPy's, bit for bit
        z = _seed_array(a, 0, a.size, order, TAG)
        res, ref = np.linalg.svd(z, full_matrices=full), np.linalg.svd(a, full_matrices=full)
        for got, want in zip(res, ref):
            assert np.array_equal(got.value, want)
        assert np.array_equal(res.U.value, ref.U) and np.array_equal(res.Vh.value, ref.Vh)
        assert np.array_equal(np.linalg.svd(z, full, compute_uv=False).value, ref.S)
        assert np.array_equal(np.linalg.pinv(z).value, np.linalg.pinv(a))
    for F in (_signs_fixed_svd(shape, full),
              lambda z: np.linalg.svd(z.reshape(shape), full_matrices=full, compute_uv=False)):
        check(F, x, rtol=1e-6, atol=1e-6)
        check(F, x, order=2, rtol=1e-6, atol=1e-6)
    for F in (lambda z: np.linalg.pinv(z.reshape(shape)), lambda z: np.linalg.norm(z.reshape(shape), "nuc"),
              lambda z: np.linalg.norm(z.reshape(shape), 2), lambda z: np.linalg.norm(z.reshape(shape), -2)):
        check(F, x, rtol=1e-6, atol=1e-6)
        check(F, x, order=2, rtol=1e-6, atol=1e-6)


def test_svd_of_stacks_and_at_repeated_singular_values():
    a = RNG.uniform(-1, 1, (2, 4, 3))
    z = _seed_array(a, 0, a.size, 1, TAG)
    U, s, Vh = np.linalg.svd(z, full_matrices=False)
    np.testing.assert_allclose((U * s[..., None, :]) @ Vh, z)  # the derivatives of U S Vh are those of A
    np.testing.assert_allclose(((U * s[..., None, :]) @ Vh).tangent, z.tangent, atol=1e-12)
    assert np.linalg.norm(z, "nuc", axis=(0, 2), keepdims=True).shape == (1, 4, 1)
    # at the identity every singular value is 1: their first derivatives are
    # those of the diagonal (finite); the vectors and second derivatives have none
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        J = dualdiff.jacobian(lambda x: np.linalg.svd(x, compute_uv=False))(np.eye(3))
        np.testing.assert_array_equal(J.reshape(3, 9), np.eye(9)[[0, 4, 8]])
        assert np.isnan(dualdiff.jacobian(lambda x: np.linalg.svd(x)[0])(np.eye(3))).any()
        assert np.isnan(dualdiff.hessian(lambda x: np.linalg.norm(x, "nuc"))(np.eye(2))).all()


def _rotation(seed):
    return np.linalg.qr(np.random.default_rng(seed).uniform(-1, 1, (3, 3)))[0]


def test_eigh_second_order_by_hand():
    # A(z) = Q0 diag(lam(z)) Q0^T with a fixed rotation Q0: the eigenvalues are
    # lam(z) and the eigenvectors stay the columns of Q0, so their derivatives
    # are those of lam (by hand) and zero.
    Q0 = _rotation(1)

    def lam(z):
        return [z[0] ** 2 + 1.0, np.sin(z[1]) * z[2] + 3.0, np.exp(z[0] * z[2]) + 6.0]

    def F(z):
        w, V = np.linalg.eigh((Q0 * dualdiff.numpy.array(lam(z))) @ Q0.T)
        return np.concatenate([w, (V * np.sign(V[0])).reshape(-1)])

    x = np.array([0.3, -0.4, 0.7])
    val, J, H = jacobian(F, x, order=2)
    x0, x1, x2 = x
    e = np.exp(x0 * x2)
    J_ref = [[2 * x0, 0, 0], [0, np.cos(x1) * x2, np.sin(x1)], [x2 * e, 0, x0 * e]]
    H_ref = [[[2, 0, 0], [0, 0, 0], [0, 0, 0]],
             [[0, 0, 0], [0, -np.sin(x1) * x2, np.cos(x1)], [0, np.cos(x1), 0]],
             [[x2 * x2 * e, 0, (1 + x0 * x2) * e], [0, 0, 0], [(1 + x0 * x2) * e, 0, x0 * x0 * e]]]
    np.testing.assert_allclose(J[:3], J_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(H[:3], H_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.abs(val[3:].reshape(3, 3)), np.abs(Q0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(J[3:], 0.0, atol=1e-12)
    np.testing.assert_allclose(H[3:], 0.0, atol=1e-12)


def test_qr_second_order_by_hand():
    # A(z) = Q0 R(z) with R upper triangular with a positive diagonal: QR gives
    # back Q0 and R(z) up to the signs of the rows of R, so R**2 has the second
    # derivatives of R(z)**2 (by hand) and Q**2 has none.
    Q0 = _rotation(2)

    def R_of(z):
        return [[z[0] ** 2 + 1.0, z[1], z[0] * z[1]], [0.0, np.exp(z[1]), 0.5], [0.0, 0.0, 2.0 + z[0]]]

    def F(z):
        Q, R = np.linalg.qr(Q0 @ dualdiff.numpy.array(R_of(z)))
        return np.concatenate([(R ** 2).reshape(-1), (Q ** 2).reshape(-1)])

    x = np.array([0.6, -0.3])
    val, J, H = jacobian(F, x, order=2)
    x0, x1 = x
    r0 = x0 ** 2 + 1.0
    # the entries of R**2 that depend on z, with their gradients and Hessians
    cases = {0: (r0 ** 2, [4 * x0 * r0, 0], [[12 * x0 ** 2 + 4, 0], [0, 0]]),
             1: (x1 ** 2, [0, 2 * x1], [[0, 0], [0, 2]]),
             2: ((x0 * x1) ** 2, [2 * x0 * x1 ** 2, 2 * x0 ** 2 * x1],
                 [[2 * x1 ** 2, 4 * x0 * x1], [4 * x0 * x1, 2 * x0 ** 2]]),
             4: (np.exp(2 * x1), [0, 2 * np.exp(2 * x1)], [[0, 0], [0, 4 * np.exp(2 * x1)]]),
             8: ((2 + x0) ** 2, [2 * (2 + x0), 0], [[2, 0], [0, 0]])}
    for k, (v, g, h) in cases.items():
        np.testing.assert_allclose(val[k], v, rtol=1e-12)
        np.testing.assert_allclose(J[k], g, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(H[k], h, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(val[9:].reshape(3, 3), Q0 ** 2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(J[9:], 0.0, atol=1e-12)
    np.testing.assert_allclose(H[9:], 0.0, atol=1e-12)


def test_eigh_and_qr_of_stacks_at_second_order():
    x = RNG.uniform(-0.5, 0.5, 9)

    def stack(z):
        S = spd(z) + np.diag([0.0, 2.0, 5.0])
        return np.stack([S, S @ S + np.eye(3)])

    check(lambda z: np.linalg.eigvalsh(stack(z), UPLO="U"), x, order=2, rtol=1e-6, atol=1e-7)
    check(lambda z: np.linalg.qr(stack(z))[1] ** 2, x, order=2, rtol=1e-6, atol=1e-7)


def test_multilinear_rules_are_exact_at_second_order():
    # d2/dx2 of x^T A x is A + A^T
    A = RNG.uniform(-1, 1, (4, 4))
    x = RNG.uniform(-1, 1, 4)
    _, J, H = jacobian(lambda z: z @ A @ z, x, order=2)
    np.testing.assert_allclose(H[0], A + A.T, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(J[0], (A + A.T) @ x, rtol=1e-14, atol=1e-14)


# ------------------------------------------------------------ creation, scalars, tags

STRIPPED = "values of a dual array were used without their derivatives"


def test_stripping_the_type_gives_placeholders_never_bare_values():
    x = _seed_array(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), 0, 6, 1, TAG)
    for stripped in (np.asarray(x), np.array(x), np.ascontiguousarray(x), np.asarray(x[:, 1:])):
        assert type(stripped) is np.ndarray and stripped.dtype == object
        # every use of a placeholder raises: arithmetic, comparisons, conversions
        for use in (lambda: stripped + 1.0, lambda: stripped > 0, lambda: stripped == 0,
                    lambda: np.exp(stripped), lambda: stripped.astype(float),
                    lambda: float(stripped.flat[0]), lambda: bool(stripped.flat[0]),
                    lambda: np.asarray(x, dtype=np.float64), lambda: np.array(x, dtype=float)):
            with pytest.raises(TypeError, match=STRIPPED):
                use()
    assert np.asarray(x).shape == (2, 3) and not np.asarray(x).flags.writeable
    assert np.asarray(x).strides == (0, 0)  # one placeholder, no memory per element
    with pytest.raises(ValueError, match="read-only"):
        np.asarray(x)[0, 0] = 1.0
    with pytest.raises(TypeError, match="tobytes"):
        x.tobytes()
    assert repr(np.asarray(x).flat[0]) == "<value without derivatives>"
    np.testing.assert_array_equal(x.value, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x.dtype == np.float64
    # np.asanyarray with dtype=float64 keeps the dual array (SciPy's array-API
    # functions call it), with its numbers
    y = np.asanyarray(x, dtype=float)
    assert isinstance(y, DualArray)
    np.testing.assert_array_equal(y.value, x.value)
    np.testing.assert_array_equal(y.tangent, x.tangent)
    y2 = np.array(x, dtype=np.float64, subok=True)
    np.testing.assert_array_equal(y2.tangent, x.tangent)
    # ... and that allowance does not outlive the call that made it
    with pytest.raises(TypeError, match=STRIPPED):
        np.asarray(x, dtype=np.float64)


def test_a_function_that_strips_its_input_raises_a_clear_error():
    import scipy.special
    import scipy.stats
    x = np.array([0.5, 2.0])

    def write_into_floats(v):
        out = np.zeros(2)
        out[:] = v ** 2
        return out.sum()

    for call in (lambda: dualdiff.grad(lambda v: np.sum(np.asarray(v) ** 2))(x),
                 lambda: dualdiff.jacobian(lambda v: np.array(v) * 2.0)(x),
                 lambda: dualdiff.hessian(lambda v: np.sum(np.asarray(v) ** 3))(x),
                 lambda: dualdiff.value_and_grad(lambda v: v[0] * np.asarray(v)[1])(x),
                 lambda: dualdiff.value_and_grad(write_into_floats)(x),
                 lambda: dualdiff.value_and_grad(
                     lambda v: np.sum(np.where(np.asarray(v) > 0, v, -v)))(np.array([1.0, 1.0])),
                 lambda: dualdiff.value_and_grad(
                     lambda v: np.sum(scipy.stats.norm.logpdf(v, 0.5, 2.0)))(x),
                 lambda: dualdiff.value_and_grad(
                     lambda v: np.sum(scipy.special.softmax(v) * np.arange(2)))(x),
                 lambda: dualdiff.jvp(lambda v: np.asarray(v) * 2.0, x, x),
                 # np.array of a list of dual arrays (NumPy lets no array type see it)
                 lambda: dualdiff.jvp(lambda v: np.array([v, v]), x, x),
                 lambda: dualdiff.jacobian(lambda v: np.array([v * 2, v]))(x)):
        with pytest.raises(TypeError, match=STRIPPED):
            call()
    # a ufunc that NumPy has no object loop for refuses the placeholders in
    # NumPy's own words: an error all the same, never a number
    with pytest.raises(TypeError, match="not supported for the input types"):
        dualdiff.grad(lambda v: np.sum(np.isnan(np.asarray(v)) + v))(x)
    # a true constant keeps zero derivatives; a NaN constant has NaN ones
    np.testing.assert_array_equal(dualdiff.grad(lambda v: 5.0)(x), [0.0, 0.0])
    np.testing.assert_array_equal(dualdiff.jacobian(lambda v: np.array([v[0], 1.0]))(x),
                                  [[1.0, 0.0], [0.0, 0.0]])
    assert np.isnan(dualdiff.jacobian(lambda v: [v[0], float("nan")])(x)[1]).all()
    np.testing.assert_array_equal(dualdiff.jacobian(lambda v: [v[0], float("nan")])(x)[0],
                                  [1.0, 0.0])


def test_array_from_duals():
    d1, d2 = Dual(1.0, [1.0, 0.0]), Dual(2.0, [0.0, 1.0])
    a = array([d1, d2, 3.0])
    assert isinstance(a, DualArray) and a.shape == (3,)
    np.testing.assert_array_equal(a.tangent, [[1, 0], [0, 1], [0, 0]])
    b = array([[d1, 1.0], [2.0, d2]])
    assert b.shape == (2, 2) and b[1, 1].value == 2.0
    c = array(np.array([d1, d2], dtype=object))
    np.testing.assert_array_equal(c.value, [1.0, 2.0])
    assert type(array([1.0, 2.0])) is np.ndarray
    assert dualdiff.numpy.array is array and dualdiff.DualArray is DualArray
    with pytest.raises(ValueError):
        array([d1, [d2, d1]])


def test_second_order_attributes_and_repr():
    x = _seed_array(np.array([1.0, 2.0]), 0, 2, 2, TAG)
    y = x[0] * x[1] * x
    assert y.order == 2 and y.width == 2
    np.testing.assert_allclose(y.hessian[0], [[2 * 2.0, 2 * 1.0], [2 * 1.0, 0]])  # of x0^2 x1
    assert "DualArray" in repr(y)


def test_numbers_of_unrelated_calls_refused():
    # two calls neither of which runs inside the other (see test_nesting.py)
    a = _seed_array(np.array([1.0, 2.0]), 0, 2, 1, 1)
    b = _seed_array(np.array([1.0, 2.0]), 0, 2, 1, 2)
    with pytest.raises(ValueError, match="two different derivative calls"):
        a + b
    with pytest.raises(ValueError, match="two different derivative calls"):
        np.concatenate([a, b])
    val, J = np.empty(2), np.empty((2, 2))
    with pytest.raises(ValueError, match="two different derivative calls"):
        _read_array(a, 2, 1, 2, val, J, None, 0)
    h = Dual(1.0, [1.0, 0.0])  # made by hand: combines with anything
    assert (a * h).shape == (2,)


def test_unsupported_function_raises_naming_it():
    x = _seed_array(np.array([1.0, 2.0]), 0, 2, 1, TAG)
    with pytest.raises(TypeError, match="fft"):
        np.fft.fft(x)
    with pytest.raises(TypeError, match="numpy.linalg.eig of a dual array gives complex numbers"):
        np.linalg.eig(np.diag(x))
    with pytest.raises(TypeError, match="numpy.unwrap is not supported"):
        np.unwrap(x)
    with pytest.raises(TypeError, match="gcd"):
        np.gcd(x, x)
    with pytest.raises(TypeError):
        float(x[:1])
    with pytest.raises(TypeError):
        x.astype(np.float32)


def test_read_array_constants_and_scalars():
    val, J = np.empty(3), np.full((3, 2), 9.0)
    _read_array(np.array([1.0, 2.0, 3.0]), 2, 1, TAG, val, J, None, 0)
    assert val.tolist() == [1.0, 2.0, 3.0] and np.all(J == 0)
    v1, J1 = np.empty(1), np.empty((1, 2))
    _read_array(2.5, 2, 1, TAG, v1, J1, None, 0)
    assert v1[0] == 2.5


def test_seed_chunks_give_the_same_jacobian():
    x = RNG.uniform(-1, 1, 7)

    def F(z):
        return np.concatenate([np.sin(z[1:]) * z[:-1], [np.sum(z ** 2)]])

    ref = jacobian(F, x)[1]
    for width in (1, 2, 3, 7):
        J = np.empty((7, 7))
        val = np.empty(7)
        for start in range(0, 7, width):
            w = min(width, 7 - start)
            y = F(_seed_array(x, start, w, 1, TAG))
            _read_array(y, w, 1, TAG, val, J, None, start)
        np.testing.assert_allclose(J, ref, rtol=0, atol=0)


def test_scipy_rosen_gradient_and_hessian():
    x = RNG.uniform(-1.5, 1.5, 12)
    val, J, H = jacobian(scipy.optimize.rosen, x, order=2)
    np.testing.assert_allclose(val[0], scipy.optimize.rosen(x), rtol=1e-14)
    np.testing.assert_allclose(J[0], scipy.optimize.rosen_der(x), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(H[0], scipy.optimize.rosen_hess(x), rtol=1e-13, atol=1e-12)


# ------------------------------------------------------------ elementwise functions

ELEMENTWISE_CASES = {
    "sinc": lambda z: np.sinc(z),
    "angle": lambda z: np.angle(z - 0.5) + z * z,
    "real_if_close": lambda z: np.real_if_close(z) ** 2,
    "nan_to_num": lambda z: np.nan_to_num(np.log(z + 0.9)) * z,
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE_CASES))
@pytest.mark.parametrize("order", [1, 2])
def test_elementwise_functions(name, order):
    check(ELEMENTWISE_CASES[name], X6, order=order)


def test_sinc_at_zero_and_nan_to_num_of_non_finite_values():
    # sinc(x) = 1 - (pi x)^2 / 6 + ...: derivative 0 and second derivative -pi^2/3 at 0
    _, J, H = jacobian(lambda z: np.sinc(z), np.array([0.0, 1.0]), order=2)
    assert J[0, 0] == 0.0 and J[1, 1] == -1.0  # cos(pi)/1 - sin(pi)/pi = -1
    np.testing.assert_allclose(H[0, 0, 0], -np.pi ** 2 / 3, rtol=1e-15)
    # nan_to_num: replaced entries are constants, the others keep their derivatives
    with np.errstate(divide="ignore"):
        val, J, _ = jacobian(lambda z: np.nan_to_num(np.log(z), neginf=-7.0), np.array([0.0, 2.0]))
    assert val.tolist() == [-7.0, math.log(2.0)] and J.tolist() == [[0.0, 0.0], [0.0, 0.5]]
    # angle of a real number: 0 or pi, a step
    val, J, _ = jacobian(lambda z: np.angle(z, deg=True), np.array([-2.0, 3.0]))
    assert val.tolist() == [180.0, 0.0] and not J.any()


# ------------------------------------------------- order statistics, shapes, FFT

XP = np.array([-1.5, -0.6, 0.1, 0.4, 1.5])
NUMPY_CASES = {
    "select": lambda z: np.select([z > 0.5, z < -0.5], [z ** 2, np.sin(z)], default=0.5 * z ** 3)
    + np.select([z > 0], [z[::-1] * z]),
    "partition": lambda z: np.partition(z ** 3, 2) * np.arange(1.0, 7.0),
    "median": lambda z: np.concatenate([np.atleast_1d(np.median(z)), np.atleast_1d(np.median(z[:5] ** 2)),
                                        np.median(z.reshape(2, 3), axis=1),
                                        np.median(z.reshape(3, 2), axis=0, keepdims=True).ravel(),
                                        np.median(z.reshape(1, 2, 3), axis=(0, 2))]),
    "interp": lambda z: np.interp(z, XP, np.sin(XP)) + np.interp(0.25, XP, z[:5] ** 2),
    "polyval": lambda z: np.polyval(z[:3], z) + np.polyval([1.0, -2.0, 0.5], z)
    + np.polyval(z[:3] ** 2, 0.7),
    "linspace": lambda z: np.concatenate([np.linspace(z[0], z[1] ** 2, 5), np.linspace(z[2], 3.0, 4, endpoint=False),
                                          np.linspace(z[:2], z[2:4], 3, axis=1).ravel(),
                                          np.atleast_1d(np.linspace(z[4], z[5], 7, retstep=True)[1])]),
    "gradient": lambda z: np.concatenate([np.gradient(z ** 2), np.gradient(z ** 3, 0.5, edge_order=2),
                                          np.gradient(z.reshape(2, 3) ** 2, axis=1).ravel(),
                                          *[np.ravel(g) for g in np.gradient(z.reshape(3, 2), [0.0, 1.0, 3.0], 2.0)]]),
    "rollaxis": lambda z: np.rollaxis(z.reshape(1, 2, 3), 2) ** 2 + np.rollaxis(z.reshape(1, 2, 3), -1, 1),
    "dsplit": lambda z: np.dsplit(z.reshape(1, 2, 3) ** 2, [1])[1],
    "rot90": lambda z: np.rot90(z.reshape(2, 3) ** 2) + np.rot90(z.reshape(2, 3), -1, axes=(1, 0)),
    "fftshift": lambda z: np.fft.fftshift(z ** 2) + np.fft.fftshift(z.reshape(2, 3), axes=1).ravel(),
    "ifftshift": lambda z: np.fft.ifftshift(z.reshape(2, 3) ** 2),
    "irfft": lambda z: np.fft.irfft(z ** 2) + np.fft.irfft(z, 10, norm="ortho"),
    "hfft": lambda z: np.fft.hfft(z ** 2, axis=0),
    "irfftn": lambda z: np.fft.irfftn(z.reshape(2, 3) ** 2) + np.fft.irfftn(z.reshape(2, 3), s=(2, 4), axes=(0, 1)),
    "irfft2": lambda z: np.fft.irfft2(np.exp(z.reshape(2, 3))),
}


@pytest.mark.parametrize("name", sorted(NUMPY_CASES))
@pytest.mark.parametrize("order", [1, 2])
def test_numpy_functions(name, order):
    x = np.array([0.31, -0.72, 0.55, 0.93, -0.18, 0.66])
    check(NUMPY_CASES[name], x, order=order)
    z = _seed_array(x, 0, 6, order, TAG)  # values: NumPy's, bit for bit
    assert np.array_equal(NUMPY_CASES[name](z).value, NUMPY_CASES[name](x))


def test_median_partition_and_interp_at_ties_knots_and_outside():
    # median of an even count: the mean of the two middle entries; NaN as NumPy
    val, J, _ = jacobian(lambda z: np.median(z), np.array([3.0, 1.0, 4.0, 2.0]))
    assert val[0] == 2.5 and J[0].tolist() == [0.5, 0.0, 0.0, 0.5]
    val, J, _ = jacobian(lambda z: np.median(z, axis=0), np.array([[1.0, np.nan], [2.0, 3.0], [5.0, 0.0]]))
    assert val[0] == 2.0 and np.isnan(val[1])
    # partition's k-th entry is NumPy's, and carries its own derivative
    val, J, _ = jacobian(lambda z: np.partition(z, 1), np.array([3.0, 1.0, 2.0]))
    assert val[1] == 2.0 and J[1].tolist() == [0.0, 0.0, 1.0]
    # interp: at a knot, the slope of the segment to the right; at the last
    # knot, of the last segment; outside, flat (left / right values)
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    val, J, _ = jacobian(lambda z: np.interp(z, xp, fp, right=-1.0), np.array([1.0, 3.0, -1.0, 4.0, 0.5]))
    assert val.tolist() == [2.0, 3.0, 0.0, -1.0, 1.0]
    assert np.diag(J).tolist() == [0.5, 0.5, 0.0, 0.0, 2.0]
    _, J, _ = jacobian(lambda z: np.interp([-1.0, 0.5, 5.0], xp, z), fp)
    assert J.tolist() == [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]
    with pytest.raises(TypeError, match="knots"):
        np.interp(0.5, _seed_array(xp, 0, 3, 1, TAG), fp)


def test_complex_ffts_say_why_they_are_refused():
    z = _seed_array(np.ones(4), 0, 4, 1, TAG)
    for name in ("fft", "ifft", "rfft", "fft2", "ifft2", "fftn", "ifftn", "rfft2", "rfftn", "ihfft"):
        arg = z.reshape(2, 2) if name.endswith("2") else z
        with pytest.raises(TypeError, match=f"numpy.fft.{name} .*run f again on complex dual numbers"):
            getattr(np.fft, name)(arg)
    assert "numpy.fft.fft" not in supported_functions()


# ------------------------------------------------------------ completeness

def test_every_supported_function_is_tested():
    tested = (set(RED_CASES) | set(SHAPE_CASES) | set(PRODUCT_CASES) | set(LINALG_CASES)
              | set(ELEMENTWISE_CASES) | set(NUMPY_CASES) | {"clip"})
    value_only = {"shape", "ndim", "size", "argmax", "argmin", "argsort", "nonzero", "argwhere",
                  "flatnonzero", "count_nonzero", "any", "all", "isclose", "allclose",
                  "array_equal", "result_type", "iscomplexobj", "isrealobj", "searchsorted",
                  "isreal", "iscomplex", "can_cast", "min_scalar_type"}
    aliases = {"amax", "amin", "permute_dims"}
    names = {f.rsplit(".", 1)[1] for f in supported_functions()}
    missing = names - tested - value_only - aliases
    assert not missing, f"supported but untested: {sorted(missing)}"
    x = _seed_array(np.array([1.0, 0.0, 2.0]), 0, 3, 1, TAG)
    for name in value_only & {"argmax", "argmin", "count_nonzero", "any", "all", "shape", "ndim", "size"}:
        assert getattr(np, name)(x) == getattr(np, name)(np.array([1.0, 0.0, 2.0]))


def test_every_supported_ufunc_is_tested():
    tested = set(UNARY) | set(BINARY) | {"matmul", "vecdot", "modf", "divmod", "ldexp", "heaviside", "true_divide"}
    value = {"less", "less_equal", "greater", "greater_equal", "equal", "not_equal", "isfinite",
             "isinf", "isnan", "signbit", "logical_and", "logical_or", "logical_xor", "logical_not"}
    missing = set(supported_ufuncs()) - tested - value
    assert not missing, f"supported but untested: {sorted(missing)}"


def test_broadcasting_errors_and_dtypes():
    x = _seed_array(np.array([1, 2, 3]), 0, 3, 1, TAG)  # ints become float64
    assert x.dtype == np.float64 and x.value.dtype == np.float64
    with pytest.raises(ValueError):
        x + np.ones(2)
    with pytest.raises(ValueError):
        x * _seed_array(np.ones(2), 0, 3, 1, TAG)
    with pytest.raises(ValueError, match="widths"):
        x + _seed_array(np.ones(3), 0, 2, 1, TAG)
    with pytest.raises(ValueError, match="first-order and second-order"):
        x + _seed_array(np.ones(3), 0, 3, 2, TAG)
    y = x ** 2 + 2 ** x + np.int64(3) * x
    np.testing.assert_allclose(y.tangent, np.diag(2 * np.arange(1, 4) + np.log(2) * 2.0 ** np.arange(1, 4) + 3))
    s = np.sum(x, dtype=np.float64)
    assert isinstance(s, Dual)
    with pytest.raises(TypeError, match="drop derivatives"):
        np.sum(x, dtype=np.float32)


@pytest.mark.parametrize("case", [
    ("A @ x", lambda A, x: A @ x, (3, 4), (5,)),
    ("x @ A", lambda A, x: x @ A, (3, 4), (5,)),
    ("np.matmul(A, X)", lambda A, x: np.matmul(A, x), (3, 4), (5, 2)),
    ("X @ A", lambda A, x: x @ A, (3, 4), (2, 5)),
    ("batch X @ A", lambda A, x: x @ A, (3, 4), (2, 2, 5)),
    ("X @ X", lambda A, x: x @ x, (3, 4), (2, 5)),
    ("x @ x", lambda A, x: x[:3] @ x, (3, 4), (5,)),
], ids=lambda case: case[0])
@pytest.mark.parametrize("transform", ["jacobian", "hessian"])
def test_matmul_shape_mismatch_says_what_numpy_says(case, transform):
    """A matmul of mismatched shapes inside f raises NumPy's own error for the same float
    arrays, which names both sizes, on every path (constant @ dual, dual @ constant, dual @ dual)."""
    _, f, a_shape, x_shape = case
    A = np.arange(1.0, 1.0 + np.prod(a_shape)).reshape(a_shape)
    x = np.linspace(0.5, 1.5, int(np.prod(x_shape))).reshape(x_shape)
    with pytest.raises(ValueError) as by_numpy:
        f(A, x)
    assert re.search(r"size \d+ is different from \d+", str(by_numpy.value))
    t = dualdiff.jacobian if transform == "jacobian" else dualdiff.hessian
    g = (lambda v: f(A, v)) if transform == "jacobian" else (lambda v: np.sum(f(A, v)))
    with pytest.raises(ValueError) as by_dualdiff:
        t(g)(x)
    assert str(by_dualdiff.value) == str(by_numpy.value)


@pytest.mark.parametrize("case", [
    ("tensordot", lambda x: np.tensordot(x.reshape(2, 6), x.reshape(3, 4))),
    ("tensordot axes", lambda x: np.tensordot(x.reshape(2, 6), x.reshape(3, 4), ([1], [0]))),
    ("tensordot bad axes", lambda x: np.tensordot(x, x, ([0], [0], [0]))),
    ("inner", lambda x: np.inner(x.reshape(4, 3), x.reshape(3, 4))),
    ("vdot", lambda x: np.vdot(x, x[:5])),
    ("einsum", lambda x: np.einsum("ij,jk->ik", x.reshape(3, 4), x.reshape(3, 4))),
    ("einsum unknown label", lambda x: np.einsum("ij,jk->iq", x.reshape(3, 4), x.reshape(4, 3))),
    ("cross of 4", lambda x: np.cross(x[:4], x[4:8])),
    ("cross axisc", lambda x: np.cross(x[:3], x[3:6], axisc=3)),
    ("cross axisa", lambda x: np.cross(x[:6].reshape(2, 3), x[:3], axisa=2)),
], ids=lambda case: case[0])
@pytest.mark.parametrize("transform", ["jacobian", "hessian"])
def test_products_of_two_dual_arrays_with_bad_shapes_say_what_numpy_says(case, transform):
    """Where NumPy rejects the shapes or axes for float arrays, the products of two dual arrays
    raise NumPy's own error, with its message, at first and second order."""
    _, f = case
    x = np.linspace(0.5, 1.5, 12)
    with pytest.raises(Exception) as by_numpy:
        f(x)
    t = dualdiff.jacobian if transform == "jacobian" else dualdiff.hessian
    g = f if transform == "jacobian" else (lambda v: np.sum(f(v)))
    with pytest.raises(type(by_numpy.value)) as by_dualdiff:
        t(g)(x)
    assert str(by_dualdiff.value) == str(by_numpy.value)


def test_ufunc_with_scalar_dual_operand_goes_to_arrays():
    d = Dual(0.5, [1.0, 0.0, 0.0])
    x = _seed_array(np.array([1.0, 2.0, 3.0]), 0, 3, 1, 0)
    for r in (np.add(d, x), np.arctan2(d, np.array([1.0, 2.0])), np.maximum(np.array([0.0, 1.0]), d),
              np.hypot(x, d)):
        assert isinstance(r, DualArray)
    r = np.arctan2(d, np.array([1.0, 2.0]))
    np.testing.assert_allclose(r.tangent[:, 0], np.array([1.0, 2.0]) / (0.25 + np.array([1.0, 4.0])))


def test_non_contiguous_inputs():
    x = RNG.uniform(0.5, 1.5, 12)
    check(lambda z: np.sin(z[::2]) * z[1::2], x)
    check(lambda z: np.exp(z.reshape(3, 4).T) / z.reshape(4, 3), x)
    check(lambda z: np.hypot(z.reshape(3, 4)[:, ::3], z[:2]), x)
    check(lambda z: np.cumprod(z.reshape(3, 4).T, axis=0), x)


def test_seed_by_index_gives_off_diagonal_hessian_blocks():
    x = RNG.uniform(-1, 1, 6)
    H = scipy.optimize.rosen_hess(x)
    idx = [0, 1, 4, 5]  # block {0, 1} and block {4, 5} together
    y = scipy.optimize.rosen(_seed_array(x, 0, 4, 2, TAG, index=idx))
    val, J, Hb = np.empty(1), np.empty((1, 4)), np.empty((1, 4, 4))
    _read_array(y, 4, 2, TAG, val, J, Hb, 0)
    np.testing.assert_allclose(J[0], scipy.optimize.rosen_der(x)[idx], rtol=1e-13)
    np.testing.assert_allclose(Hb[0], H[np.ix_(idx, idx)], rtol=1e-13, atol=1e-12)
    with pytest.raises(ValueError):
        _seed_array(x, 0, 2, 1, TAG, index=[1, 1])


def test_copy_pickle_and_values():
    import copy
    import pickle
    x = _seed_array(np.array([1.0, 2.0]), 0, 2, 2, 0)
    for y in (copy.deepcopy(x), pickle.loads(pickle.dumps(x)), x.copy()):
        assert isinstance(y, DualArray)
        np.testing.assert_array_equal(y.tangent, x.tangent)
        np.testing.assert_array_equal(y.hessian, x.hessian)
    v = x.value
    v[0] = 5.0  # a copy
    assert x.value[0] == 1.0


def test_width_one_product_with_non_finite_values_keeps_the_zero_tangent_convention():
    # inf * x: the constant side's zero tangent contributes exactly 0, not NaN
    a = _seed_array(np.array([np.inf, 2.0, 3.0]), 5, 1, 1, TAG)  # constants
    b = _seed_array(np.array([1.5, 2.0, 0.5]), 0, 1, 1, TAG)  # element 0 varies
    with np.errstate(all="ignore"):
        y = a * b
    assert y.value.tolist() == [np.inf, 4.0, 1.5]
    assert y.tangent[:, 0].tolist() == [np.inf, 0.0, 0.0]
    with pytest.warns(RuntimeWarning, match="overflow"):
        z = _seed_array(np.array([1e200]), 0, 1, 1, TAG) * _seed_array(np.array([1e200]), 0, 1, 1, TAG)
    assert z.value[0] == np.inf


def test_transforms_differentiate_scipy_rosen_exactly():
    optimize = pytest.importorskip("scipy.optimize")
    x = np.array([1.3, 0.7, 0.8, 1.9, 1.2, -0.4, 0.25])
    np.testing.assert_allclose(dualdiff.grad(optimize.rosen)(x), optimize.rosen_der(x), rtol=1e-13)
    np.testing.assert_allclose(dualdiff.hessian(optimize.rosen)(x), optimize.rosen_hess(x), rtol=1e-13)
    for chunk in (1, 3, 7):
        np.testing.assert_array_equal(dualdiff.grad(optimize.rosen, chunk=chunk)(x),
                                      dualdiff.grad(optimize.rosen)(x))


def test_transforms_read_dual_array_results_not_their_bare_values():
    t = np.linspace(0.0, 2.0, 4)

    def f(p):  # Dual * ndarray makes a DualArray, a float64 ndarray subclass
        return [p[0] * np.exp(-p[1] * t), p[1] * t]

    J = dualdiff.jacobian(f)(np.array([2.0, 0.5]))
    e = np.exp(-0.5 * t)
    expected = np.zeros((2, 4, 2))
    expected[0, :, 0] = e
    expected[0, :, 1] = -2.0 * t * e
    expected[1, :, 1] = t
    np.testing.assert_allclose(J, expected, rtol=1e-15)


def test_all_finite_sees_the_derivatives_of_a_dual_array():
    x = np.array([0.0, 1.0, 4.0])
    y = np.sqrt(dualdiff.numpy.array([dualdiff.Dual(v, 1.0) for v in x]))  # derivative inf at 0
    assert np.isfinite(y.value).all()
    assert not dualdiff.all_finite(y)
    assert dualdiff.all_finite(np.sqrt(dualdiff.numpy.array([dualdiff.Dual(v, 1.0) for v in x[1:]])))


@pytest.mark.parametrize("order", [1, 2])
def test_int_index_of_1d_arrays_views_and_bounds(order):
    vals = np.linspace(-1.0, 2.0, 7)
    x = _seed_array(vals, 0, 7, order, TAG)
    for view, idx in ((x, np.arange(7)), (x[::-2], np.arange(7)[::-2]), (x[1:5], np.arange(1, 5))):
        for i in range(-len(idx), len(idx)):
            d = view[i]
            assert type(d) is Dual and d.value == vals[idx[i]] and d.order == order
            np.testing.assert_array_equal(d.tangent, np.eye(7)[idx[i]])
            if order == 2:
                np.testing.assert_array_equal(d.hessian, np.zeros((7, 7)))
        with pytest.raises(IndexError):
            view[len(idx)]
        with pytest.raises(IndexError):
            view[-len(idx) - 1]
    # the same number as the general path gives (numpy integer keys take that one)
    assert repr(x[np.int64(3)]) == repr(x[3])
