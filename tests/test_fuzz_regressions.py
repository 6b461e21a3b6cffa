"""Inputs on which the dual-array fuzz harness (tests/_fuzz_arrays.py) found a
wrong result, each checked against an independent reference: NumPy on plain
floats for values, calculus by hand for derivatives."""
import math
import warnings

import numpy as np
import pytest

import dualdiff
from dualdiff import Dual
from dualdiff.numpy import DualArray, array


# ---------------------------------------------- logaddexp of equal infinities

@pytest.mark.parametrize("ufunc", [np.logaddexp, np.logaddexp2])
def test_logaddexp_of_equal_infinities_is_that_infinity(ufunc):
    a = np.array([-np.inf, np.inf, -np.inf, np.inf, 1.0, np.nan])
    b = np.array([-np.inf, np.inf, np.inf, -np.inf, 1.0, -np.inf])
    da = array([Dual(x, [1.0, 0.0]) for x in a])
    db = array([Dual(x, [0.0, 1.0]) for x in b])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy does not warn for these infinities either
        got = ufunc(da[:5], db[:5])
        want = ufunc(a[:5], b[:5])
    np.testing.assert_array_equal(got.value, want)
    with np.errstate(all="ignore"):
        got = ufunc(da, db)
        want = ufunc(a, b)
    np.testing.assert_array_equal(got.value, want)
    # d/da log(e^a + e^b) = e^a / (e^a + e^b): 1/2 at a tie, infinite or not;
    # 1 for the larger operand, 0 for the smaller
    np.testing.assert_array_equal(got.tangent[[0, 1, 4]], np.full((3, 2), 0.5))
    np.testing.assert_array_equal(got.tangent[2], [0.0, 1.0])
    np.testing.assert_array_equal(got.tangent[3], [1.0, 0.0])


@pytest.mark.parametrize("ufunc, log_base", [(np.logaddexp, 1.0), (np.logaddexp2, math.log(2.0))])
def test_logaddexp_second_order_at_an_infinite_tie(ufunc, log_base):
    # f(a, b) = log(e^a + e^b): at a tie d2f/da2 = s(1 - s) = 1/4 and
    # d2f/dadb = -1/4 (s = 1/2); base 2 multiplies the second derivatives by ln 2
    da = array([Dual(-np.inf, [1.0, 0.0], hessian=np.zeros((2, 2)))])
    db = array([Dual(-np.inf, [0.0, 1.0], hessian=np.zeros((2, 2)))])
    got = ufunc(da, db)
    assert got.value[0] == -np.inf
    np.testing.assert_allclose(got.hessian[0], 0.25 * log_base * np.array([[1.0, -1.0], [-1.0, 1.0]]),
                               rtol=1e-15)


def test_logaddexp_of_infinities_with_errors_raised_does_not_raise():
    da = array([Dual(-np.inf, 1.0), Dual(np.inf, 1.0)])
    with np.errstate(all="raise"):
        got = np.logaddexp(da, np.array([-np.inf, np.inf]))
    np.testing.assert_array_equal(got.value, [-np.inf, np.inf])


# --------------------------------------------------- ldexp beyond 2**+-1023

@pytest.mark.parametrize("x", [1e300, 1e-300, 0.0, 5e-324, -3.0])
@pytest.mark.parametrize("e", [-1100, 1100, 2000, -2000, 3])
def test_ldexp_scales_exactly_when_2_to_the_exponent_is_not_a_float(x, e):
    d = array([Dual(x, [1.0, -2.5])])
    with np.errstate(all="ignore"):
        got = np.ldexp(d, e)
        want_value = np.ldexp(np.array([x]), e)
        want_tangent = np.ldexp(np.array([[1.0, -2.5]]), e)  # d/dx x 2^e = 2^e
    np.testing.assert_array_equal(got.value, want_value)
    np.testing.assert_array_equal(got.tangent, want_tangent)


def test_ldexp_broadcasts_exponents_and_keeps_second_derivatives():
    d = array([[Dual(1.5, [1.0], hessian=[[2.0]])]])
    got = np.ldexp(d, np.array([3, -4]))
    np.testing.assert_array_equal(got.value, [[12.0, 1.5 / 16]])
    np.testing.assert_array_equal(got.tangent[..., 0], [[8.0, 1.0 / 16]])
    np.testing.assert_array_equal(got.hessian[..., 0, 0], [[16.0, 2.0 / 16]])


# ------------------------------------------------------- object-array operands

def test_empty_object_array_keeps_its_shape():
    e = np.empty((2, 0, 1, 0), dtype=object)
    assert array(e).shape == (2, 0, 1, 0)
    d = array([[Dual(1.0, [1.0, 2.0])]])[:0]  # shape (0, 1)
    for other in (np.empty((0, 1), dtype=object), np.empty((2, 0, 1), dtype=object)):
        got = d + other
        assert got.shape == np.broadcast_shapes(d.shape, other.shape)
        assert got.tangent.shape == got.shape + (2,)


def test_zero_dimensional_object_array_holding_a_dual_is_a_dual_operand():
    o = np.empty((), dtype=object)
    o[()] = Dual(2.0, [1.0, 0.0])
    a = array(o)
    assert isinstance(a, DualArray) and a.shape == ()
    assert a.value == 2.0
    np.testing.assert_array_equal(a.tangent, [1.0, 0.0])
    # product rule: d(xy) = y dx + x dy with x = 1 (tangent (1, 2)), y = 2 (tangent (1, 0))
    got = array([[Dual(1.0, [1.0, 2.0])]]) * o
    np.testing.assert_array_equal(got.tangent, [[[3.0, 4.0]]])


def test_broadcast_arrays_keeps_the_derivatives_of_duals_in_a_list():
    a, b = np.broadcast_arrays(array([Dual(1.0, 1.0), Dual(2.0, 2.0)]), [Dual(3.0, 5.0)])
    assert isinstance(b, DualArray)
    np.testing.assert_array_equal(b.value, [3.0, 3.0])
    np.testing.assert_array_equal(b.tangent, [[5.0], [5.0]])


# ------------------------------------------- jvp and hvp: number and 0-d array

@pytest.mark.parametrize("x, v", [(2.0, np.array(0.5)), (np.array(2.0), 0.5),
                                  (np.float64(2.0), np.array(0.5)), (np.array(2.0), np.array(0.5))])
def test_jvp_and_hvp_take_a_number_and_a_zero_dimensional_array_alike(x, v):
    y, t = dualdiff.jvp(np.sin, x, v)
    assert y == math.sin(2.0)
    assert t == pytest.approx(math.cos(2.0) * 0.5, rel=1e-15)
    hv = dualdiff.hvp(lambda z: np.sin(z) ** 2)(x, v)
    # d2/dz2 sin(z)^2 = 2 cos(2z)
    assert float(hv) == pytest.approx(2.0 * math.cos(4.0) * 0.5, rel=1e-14)


def test_jvp_still_refuses_a_direction_of_another_shape():
    with pytest.raises(ValueError, match=r"shape of x, \(\), not \(1,\)"):
        dualdiff.jvp(np.sin, 2.0, np.array([0.5]))


# ------------------------------------------------------------------ modf, divmod

def test_modf_of_infinities_and_whole_numbers_is_numpys():
    xs = np.array([np.inf, -np.inf, 2.5, -2.5, -0.0, 0.0, -2.0, 3.0, 5e-324, -1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # inf - trunc(inf) must not warn
        frac, whole = np.modf(array([Dual(x, [1.0, 2.0]) for x in xs]))
    want_frac, want_whole = np.modf(xs)
    np.testing.assert_array_equal(frac.value, want_frac)
    np.testing.assert_array_equal(np.signbit(frac.value), np.signbit(want_frac))
    np.testing.assert_array_equal(whole.value, want_whole)
    # x = trunc(x) + frac(x): the whole part is piecewise constant, frac carries dx
    np.testing.assert_array_equal(frac.tangent, np.tile([1.0, 2.0], (len(xs), 1)))
    np.testing.assert_array_equal(whole.tangent, np.zeros((len(xs), 2)))


@pytest.mark.parametrize("other", [None, "x", object()])
def test_divmod_of_a_dual_and_a_wrong_type_raises(other):
    with pytest.raises(TypeError):
        np.divmod(Dual(1.0, 1.0), other)
    with pytest.raises(TypeError):
        np.divmod(other, Dual(1.0, 1.0))


# ------------------------------------------------ wrong types never become NaN

@pytest.mark.parametrize("join", [np.vstack, np.hstack, np.column_stack])
@pytest.mark.parametrize("other", [np.array(["a", "b"]), None, "x"])
def test_stacking_a_dual_array_with_a_wrong_type_raises(join, other):
    d = array([Dual(1.0, 1.0), Dual(2.0, 1.0)])
    with pytest.raises(TypeError):
        join((d, other))


@pytest.mark.parametrize("seq", [[None], ["1.5"], [[None, 1.0]], [object()]])
def test_sequences_of_non_numbers_are_refused_not_read_as_floats(seq):
    # NumPy refuses float64 + None and float64 + '1.5' as well
    with pytest.raises(TypeError):
        array(seq)
    with pytest.raises(TypeError):
        array([Dual(1.0, 1.0)]) + seq


def test_sequences_of_numbers_still_make_float_arrays():
    for seq in ([1, 2.5], [[True, 0], [2, 3]], [np.float32(0.5)], []):
        got = array(seq)
        assert type(got) is np.ndarray and got.dtype == np.float64
        np.testing.assert_array_equal(got, np.array(seq, dtype=np.float64))


def test_diff_of_order_zero_is_the_input_without_prepend_or_append():
    x = np.array([1.0, 3.0])
    d = array([Dual(1.0, 1.0), Dual(3.0, 2.0)])
    got = np.diff(d, n=0, prepend=0.5, append=0.5)
    want = np.diff(x, n=0, prepend=0.5, append=0.5)
    np.testing.assert_array_equal(got.value, want)
    np.testing.assert_array_equal(got.tangent, [[1.0], [2.0]])
    # order 1 with prepend: [x0 - 0.5, x1 - x0]; d/dx of it is [[1, 0], [-1, 1]] applied to (1, 2)
    got = np.diff(d, prepend=0.5)
    np.testing.assert_array_equal(got.value, np.diff(x, prepend=0.5))
    np.testing.assert_array_equal(got.tangent, [[1.0], [1.0]])


# ------------------------------------------ comparison ufuncs of a scalar Dual

@pytest.mark.parametrize("ufunc", [np.equal, np.not_equal, np.less, np.less_equal,
                                   np.greater, np.greater_equal])
def test_comparison_ufuncs_of_a_dual_take_what_numpy_takes(ufunc):
    d = Dual(1.0, [1.0])
    # NumPy refuses a string and reads a Python int as float64 (which overflows)
    for other, error in (("1.0", TypeError), (b"1", TypeError), (10 ** 400, OverflowError)):
        with pytest.raises(error):
            ufunc(1.0, other)
        with pytest.raises(error):
            ufunc(d, other)
        with pytest.raises(error):
            ufunc(other, d)
    for other in (0.5, 1, np.float64(1.0), True, 2 ** 53 + 1, Dual(1.0, [0.0])):
        assert ufunc(d, other) == ufunc(1.0, float(other) if type(other) is not Dual else 1.0)
    # other objects compare as in NumPy's object loops
    if ufunc in (np.equal, np.not_equal):
        assert ufunc(d, None) == ufunc(1.0, None) and ufunc(None, d) == ufunc(None, 1.0)
    else:
        with pytest.raises(TypeError):
            ufunc(d, None)
    # Python's operators keep Python's rules
    assert (d == "1.0") is False and (d != "1.0") is True


def test_average_with_weights_summing_to_zero_raises_as_numpy():
    with pytest.raises(ZeroDivisionError, match="Weights sum to zero"):
        np.average(np.array([1.0, 2.0]), weights=np.array([1.0, -1.0]))  # NumPy's own
    with pytest.raises(ZeroDivisionError, match="Weights sum to zero"):
        dualdiff.grad(lambda x: np.average(x, weights=np.array([1.0, -1.0])))(np.array([1.0, 2.0]))
    with pytest.raises(ZeroDivisionError, match="Weights sum to zero"):  # dual weights
        dualdiff.grad(lambda x: np.average(np.ones(2), weights=x))(np.array([1.0, -1.0]))


# --------------------------------------------- eigvalsh of infinite entries

def test_eigvalsh_of_infinite_entries_raises_as_numpy_and_eigh_gives_nan_as_numpy():
    # NumPy's eigvalsh and eigh run different LAPACK routines: on a symmetric
    # matrix with infinite entries the first refuses to converge, the second
    # returns NaN
    s = np.array([[np.inf, -np.inf, 0.7], [-np.inf, np.inf, -1e308], [0.7, -1e308, 3.8]])
    with pytest.raises(np.linalg.LinAlgError) as theirs:
        np.linalg.eigvalsh(s)
    d = array(s) + array([[Dual(0.0, 1.0)] * 3] * 3)
    with pytest.raises(np.linalg.LinAlgError) as ours:
        np.linalg.eigvalsh(d)
    assert str(ours.value) == str(theirs.value)
    with np.errstate(all="ignore"):
        want = np.linalg.eigh(s)[0]
        got = np.linalg.eigh(d)[0]
    assert np.all(np.isnan(want))
    np.testing.assert_array_equal(got.value, want)
    # a finite matrix: values as NumPy's eigvalsh, derivatives of the eigenvalues by hand
    # (the direction is the identity: every eigenvalue moves by 1)
    f = np.array([[2.0, 1.0], [1.0, 2.0]])
    w = np.linalg.eigvalsh(array(f) + array([[Dual(0.0, 1.0), Dual(0.0, 0.0)], [Dual(0.0, 0.0), Dual(0.0, 1.0)]]))
    np.testing.assert_allclose(w.value, np.linalg.eigvalsh(f), rtol=1e-15)
    np.testing.assert_allclose(w.tangent.ravel(), [1.0, 1.0], rtol=1e-15)
