"""The Dual type: construction, representation, operators, errors, numpy."""
import copy
import math
import operator
import pickle
import sys

import numpy as np
import pytest

import dualdiff
import dualdiff.math as dm
import dualdiff.numpy
from dualdiff import Dual

inf, nan = math.inf, math.nan
EPS = sys.float_info.epsilon


def same(a, b):
    return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (a != a and b != b)


def same_dual(a, b):
    if a.width != b.width or a.order != b.order or not same(a.value, b.value):
        return False
    ta, tb = np.atleast_1d(a.tangent), np.atleast_1d(b.tangent)
    if not all(same(float(x), float(y)) for x, y in zip(ta, tb)):
        return False
    if a.order == 2:
        return all(same(float(x), float(y)) for x, y in zip(a.hessian.ravel(), b.hessian.ravel()))
    return True


# ------------------------------------------------------------- construction

@pytest.mark.parametrize("value", [1.5, 3, True, np.float64(1.5), np.float32(0.25), np.int64(-4),
                                   np.int32(7)])
def test_construction_from_real_numbers(value):
    d = Dual(value, 2.0)
    assert type(d.value) is float and d.value == float(value)
    assert type(d.tangent) is float and d.tangent == 2.0
    assert d.width == 1 and d.order == 1 and d.hessian is None
    assert Dual(value).tangent == 0.0  # default: a constant of width 1


@pytest.mark.parametrize("tangent", [[1.0, 2.0, 3.0], (1, 2, 3), np.array([1.0, 2.0, 3.0]),
                                     np.array([1, 2, 3], dtype=np.int64), range(1, 4),
                                     [np.float32(1), np.int64(2), 3.0]])
def test_construction_from_sequences(tangent):
    d = Dual(0.5, tangent)
    assert d.width == 3 and isinstance(d.tangent, np.ndarray) and d.tangent.dtype == np.float64
    assert list(d.tangent) == [1.0, 2.0, 3.0]


def test_tangent_array_is_a_copy():
    t = np.array([1.0, 2.0])
    d = Dual(0.0, t)
    t[0] = 5.0
    d.tangent[1] = 7.0
    assert list(d.tangent) == [1.0, 2.0]


@pytest.mark.parametrize("n", [1, 2, 5, 15, 16, 17, 40])
def test_widths_inline_and_heap(n):
    t = [float(k + 1) for k in range(n)]
    d = Dual(2.0, t)
    assert d.width == n and list(np.atleast_1d(d.tangent)) == t
    e = d * d + 3.0 * d - d / 2.0
    assert list(np.atleast_1d(e.tangent)) == pytest.approx([(2 * 2.0 + 3.0 - 0.5) * v for v in t])


def test_construction_with_hessian():
    h = [[1.0, 2.0], [2.0, 3.0]]
    d = Dual(1.0, [0.5, 0.25], hessian=h)
    assert d.order == 2 and d.width == 2
    assert d.hessian.tolist() == h
    d = Dual(1.0, [1.0], hessian=[[0.0]])
    assert d.order == 2 and d.hessian.tolist() == [[0.0]]
    d = Dual(1.0, 1.0, hessian=np.zeros((1, 1)))
    assert d.order == 2
    for n in (4, 5, 9):  # inline up to 4, heap beyond
        H = np.arange(n * n, dtype=float).reshape(n, n)
        H = H + H.T
        d = Dual(1.0, np.ones(n), hessian=H)
        assert np.array_equal(d.hessian, H)


@pytest.mark.parametrize("args, kwargs, exc", [
    ((None,), {}, TypeError),
    (("x",), {}, TypeError),
    ((1j,), {}, TypeError),
    ((1.0, "ab"), {}, TypeError),
    ((1.0, None), {}, TypeError),
    ((1.0, [1.0, "a"]), {}, TypeError),
    ((1.0, 1j), {}, TypeError),
    ((1.0, []), {}, ValueError),
    ((1.0, ()), {}, ValueError),
    ((Dual(1.0, 1.0),), {}, TypeError),
    ((1.0, Dual(1.0, 1.0)), {}, TypeError),
    ((1.0, [1.0, 2.0]), {"hessian": [[1.0]]}, ValueError),
    ((1.0, [1.0, 2.0]), {"hessian": [[1.0, 2.0], [3.0, 4.0]]}, ValueError),
    ((1.0, [1.0]), {"hessian": [[None]]}, TypeError),
])
def test_bad_construction(args, kwargs, exc):
    with pytest.raises(exc):
        Dual(*args, **kwargs)


def test_bad_construction_messages_are_clear():
    with pytest.raises(TypeError, match="NoneType"):
        Dual(None)
    with pytest.raises(TypeError, match="str"):
        Dual("x")
    with pytest.raises(ValueError, match="at least one"):
        Dual(1.0, [])
    with pytest.raises(ValueError, match="symmetric"):
        Dual(1.0, [1.0, 2.0], hessian=[[1.0, 2.0], [3.0, 4.0]])


# ------------------------------------------------------- repr, pickle, copy

SAMPLES = [
    Dual(1.5, 2.0), Dual(-0.0, -0.0), Dual(nan, inf), Dual(-inf, nan), Dual(0.1, [0.2, 0.3, -inf]),
    Dual(1e308, [5e-324, -1e-310]), Dual(1.0, list(np.linspace(0, 1, 20))),
    Dual(2.0, [1.0, 0.5], hessian=[[1.0, nan], [nan, -inf]]),
    Dual(2.0, [1.0], hessian=[[0.25]]),
]


@pytest.mark.parametrize("d", SAMPLES, ids=range(len(SAMPLES)))
def test_repr_round_trips(d):
    r = repr(d)
    assert r.startswith("Dual(")
    e = eval(r, {"Dual": Dual})
    assert same_dual(d, e)


@pytest.mark.parametrize("d", SAMPLES, ids=range(len(SAMPLES)))
def test_pickle_and_copy(d):
    for e in (pickle.loads(pickle.dumps(d, protocol=p)) for p in range(pickle.HIGHEST_PROTOCOL + 1)):
        assert type(e) is Dual and same_dual(d, e)
    assert same_dual(copy.copy(d), d) and same_dual(copy.deepcopy(d), d)
    assert same_dual(copy.deepcopy([d, d])[1], d)


# ---------------------------------------------------------------- operators

OTHERS = [3, -2, 2.5, np.float64(2.5), np.float32(0.5), np.int64(3), True]
BINOPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
          operator.floordiv, operator.mod]


def derivative_of(op, x, c, dual_on_left):
    """Hand-derived d/dx of op(x, c) or op(c, x)."""
    c = float(c)
    if dual_on_left:
        return {operator.add: 1.0, operator.sub: 1.0, operator.mul: c, operator.truediv: 1.0 / c,
                operator.pow: c * x ** (c - 1.0), operator.floordiv: 0.0,
                operator.mod: 1.0}[op]
    return {operator.add: 1.0, operator.sub: -1.0, operator.mul: c,
            operator.truediv: -c / (x * x), operator.pow: c ** x * math.log(c) if c > 0 else nan,
            operator.floordiv: 0.0, operator.mod: -math.floor(c / x)}[op]


@pytest.mark.parametrize("other", OTHERS, ids=lambda o: f"{type(o).__name__}({o})")
@pytest.mark.parametrize("op", BINOPS, ids=lambda o: o.__name__)
def test_operators_with_numbers_on_both_sides(op, other):
    x = 1.75
    for left in (True, False):
        args = (Dual(x, 1.0), other) if left else (other, Dual(x, 1.0))
        plain = (x, other) if left else (other, x)
        if not left and op is operator.pow and float(other) <= 0:
            continue
        d = op(*args)
        assert type(d) is Dual, (op, args)
        want = op(float(plain[0]), float(plain[1]))
        assert same(d.value, want), (op, plain)
        ref = derivative_of(op, x, other, left)
        assert d.tangent == pytest.approx(ref, rel=4 * EPS, abs=0), (op, plain)


@pytest.mark.parametrize("op", BINOPS, ids=lambda o: o.__name__)
def test_in_place_operators(op):
    iop = getattr(operator, "i" + op.__name__.strip("_"))
    for other in (2, 2.5, np.float64(2.5), Dual(2.5, 0.5)):
        a = Dual(1.75, 1.0)
        keep = a
        r = iop(a, other)
        assert same_dual(r, op(Dual(1.75, 1.0), other))
        assert same_dual(keep, Dual(1.75, 1.0))  # Duals are immutable
    # a plain number on the left of an in-place operator becomes a Dual
    a = 2.5
    a = iop(a, Dual(1.75, 1.0))
    assert type(a) is Dual
    a = np.float64(2.5)
    a = iop(a, Dual(1.75, 1.0))
    assert type(a) is Dual


def test_power_with_dual_exponents():
    x, y = Dual(2.0, [1.0, 0.0]), Dual(3.0, [0.0, 1.0])
    d = x ** y
    assert d.value == 8.0
    assert d.tangent == pytest.approx([12.0, 8.0 * math.log(2.0)], rel=4 * EPS)
    assert same_dual(pow(x, y), d)
    with pytest.raises(TypeError):
        pow(x, 2, 5)


def test_unary_operators():
    d = Dual(-1.5, [2.0, -0.0])
    assert same_dual(-d, Dual(1.5, [-2.0, 0.0]))
    assert +d is d or same_dual(+d, d)
    assert same_dual(abs(d), Dual(1.5, [-2.0, 0.0]))
    assert same_dual(abs(Dual(1.5, [2.0, 1.0])), Dual(1.5, [2.0, 1.0]))


@pytest.mark.parametrize("x, y", [(7.0, 2.0), (-7.0, 2.0), (7.0, -2.0), (-7.0, -2.0),
                                  (7.5, 0.5), (-0.0, 3.0), (0.0, -3.0), (1e308, 1e-308),
                                  (5.0, inf), (-5.0, inf), (inf, 2.0)])
def test_floordiv_mod_divmod_follow_python_floats(x, y):
    for a, b in ((Dual(x, 1.0), y), (x, Dual(y, 1.0)), (Dual(x, 1.0), Dual(y, 0.0))):
        want_q, want_m = divmod(x, y) if math.isfinite(x) else (x // y, x % y)
        q, m = divmod(a, b)
        assert same(q.value, x // y) and same(m.value, x % y)
        assert same(q.value, want_q) and same(m.value, want_m)
        assert same((a // b).value, x // y) and same((a % b).value, x % y)
        assert q.tangent == 0.0


def test_division_by_zero_raises_like_floats():
    for zero in (0, 0.0, -0.0, np.float64(0.0), Dual(0.0, 1.0)):
        for op in (operator.truediv, operator.floordiv, operator.mod, divmod):
            with pytest.raises(ZeroDivisionError):
                op(Dual(1.0, 1.0), zero)
            with pytest.raises(ZeroDivisionError):
                op(1.0, Dual(0.0, 1.0))
    with pytest.raises(ZeroDivisionError):
        Dual(0.0, 1.0) ** -1
    with pytest.raises(ZeroDivisionError):
        0.0 ** Dual(-2.0, 1.0)


def test_comparisons_bool_hash_use_the_value():
    a, b = Dual(1.0, 5.0), Dual(1.0, -5.0)
    assert a == b and not a != b and a <= b and a >= b and not a < b
    assert a == 1 and 1 == a and a == 1.0 and a == np.float64(1.0) and np.float64(1.0) == a
    assert Dual(2.0, 0.0) > 1 and 3 > Dual(2.0, 0.0) and Dual(2.0, 0.0) < np.float32(2.5)
    assert np.float64(1.0) < Dual(2.0, 1.0)
    assert hash(a) == hash(b) == hash(1.0) == hash(1)
    assert hash(Dual(-0.0, 1.0)) == hash(0.0)
    assert len({a, b, 1.0}) == 1
    assert not bool(Dual(0.0, 1.0)) and not bool(Dual(-0.0, 1.0)) and bool(Dual(1e-300, 0.0))
    assert bool(Dual(nan, 0.0))
    n = Dual(nan, 1.0)
    assert n != n and not n == n and hash(n) == hash(n) and {n: 1}[n] == 1
    assert (a == "a") is False and (a != None) is True  # noqa: E711
    # ints compare exactly, as with floats
    big = Dual(2.0**53, 1.0)
    assert big != 2**53 + 1 and big < 2**53 + 1 and 2**53 + 1 > big and big == 2**53
    assert Dual(1e308, 0.0) < 10**400 and -(10**400) < Dual(-1e308, 0.0)
    with pytest.raises(TypeError):
        a < "a"


def test_conversions_raise_and_point_to_value_and_dualdiff_math():
    d = Dual(2.0, 0.0)
    for conv in (float, int, complex, math.sin, math.exp, math.log):
        with pytest.raises(TypeError, match=r"\.value") as e:
            conv(d)
        assert "dualdiff.math" in str(e.value)
    with pytest.raises(TypeError):
        operator.index(d)
    with pytest.raises(TypeError):
        range(d)
    with pytest.raises(TypeError):
        "%d" % d


@pytest.mark.parametrize("n, m", [(1, 16), (16, 1), (16, 17), (17, 16), (1, 40), (40, 17),
                                  (17, 40), (15, 16), (2, 3)])
def test_mixed_widths_raise(n, m):
    a, b = Dual(1.0, [1.0] * n), Dual(2.0, [1.0] * m)
    for op in BINOPS + [divmod, dm.atan2, dm.hypot, dm.copysign, dm.fmod, dm.remainder, dm.pow,
                        np.arctan2, np.hypot, np.maximum]:
        with pytest.raises(ValueError, match="width"):
            op(a, b)
    with pytest.raises(ValueError):
        dm.hypot(a, 1.0, b)
    with pytest.raises(ValueError):
        dm.fsum([a, b])
    with pytest.raises(ValueError):
        dm.dist([a], [b])
    with pytest.raises(ValueError):
        dm.fma(a, b, 1.0)


def test_mixed_orders_raise():
    a, b = Dual(1.0, [1.0]), Dual(1.0, [1.0], hessian=[[0.0]])
    for op in (operator.add, operator.mul, dm.atan2, np.hypot):
        with pytest.raises(ValueError, match="order"):
            op(a, b)


@pytest.mark.parametrize("other", ["a", None, [1.0], (1.0,), 1j, {}, object()])
def test_bad_operands(other):
    d = Dual(1.0, 2.0)
    for op in BINOPS + [divmod]:
        with pytest.raises(TypeError):
            op(d, other)
        with pytest.raises(TypeError):
            op(other, d)
    with pytest.raises(TypeError, match="str"):
        d + "a"


# ------------------------------------------------------------ special values

def test_nan_and_inf_values_propagate():
    d = Dual(nan, 1.0) * 2.0 + 1.0
    assert math.isnan(d.value) and d.tangent == 2.0
    d = dm.exp(Dual(nan, 1.0))
    assert math.isnan(d.value) and math.isnan(d.tangent)
    d = Dual(inf, 1.0) + Dual(1.0, 2.0)
    assert d.value == inf and d.tangent == 3.0
    d = Dual(inf, 1.0) * Dual(2.0, 0.0)
    assert d.value == inf and d.tangent == 2.0  # 0 tangent: no inf * 0 = NaN
    d = dm.exp(Dual(-inf, 1.0))
    assert d.value == 0.0 and d.tangent == 0.0
    d = dm.atan(Dual(inf, 1.0))
    assert d.value == math.pi / 2 and d.tangent == 0.0


def test_nan_and_inf_tangents_propagate():
    d = Dual(1.0, [nan, inf, -inf, 1.0])
    t = (dm.sin(d) * 3.0 + 1.0).tangent
    assert math.isnan(t[0]) and t[1] == inf and t[2] == -inf
    assert t[3] == pytest.approx(3 * math.cos(1.0), rel=2 * EPS)
    t = (d - d).tangent  # inf - inf
    assert math.isnan(t[1]) and t[3] == 0.0
    e = d * Dual(2.0, [0.0, 0.0, 0.0, 1.0])
    assert math.isnan(e.tangent[0]) and e.tangent[1] == inf and e.tangent[2] == -inf


def test_huge_and_subnormal_values():
    d = Dual(1e308, 1.0) * 10.0
    assert d.value == inf and d.tangent == 10.0  # as the float product overflows to inf
    d = Dual(1e308, 1.0) + Dual(1e308, 1.0)
    assert d.value == inf and d.tangent == 2.0
    d = Dual(5e-324, 1.0) * 0.5
    assert d.value == 0.0 and d.tangent == 0.5
    d = Dual(5e-324, 1e-300) / 2.0
    assert d.value == 0.0 and d.tangent == 5e-301
    d = dm.sqrt(Dual(5e-324, 1.0))
    assert same(d.value, math.sqrt(5e-324))
    assert d.tangent == pytest.approx(0.5 / math.sqrt(5e-324), rel=4 * EPS)
    d = Dual(1e-200, 1.0) * Dual(1e-200, 1.0)
    assert d.value == 0.0 and d.tangent == 2e-200
    d = dm.exp(Dual(709.0, 1.0))
    assert same(d.value, math.exp(709.0)) and same(d.tangent, math.exp(709.0))
    with pytest.raises(OverflowError):
        Dual(1e300, 1.0) ** 2  # as 1e300 ** 2 raises OverflowError


# -------------------------------------------------------------------- numpy

def test_numpy_ufuncs_on_scalars():
    d = np.sin(Dual(0.5, 1.0))
    assert type(d) is Dual and same(d.value, math.sin(0.5)) and same(d.tangent, math.cos(0.5))
    d = np.arctan2(Dual(1.0, 1.0), 1.0)
    assert same(d.value, math.atan2(1.0, 1.0)) and d.tangent == pytest.approx(0.5, rel=2 * EPS)
    d = np.hypot(Dual(3.0, 1.0), Dual(4.0, 1.0))
    assert d.value == 5.0 and d.tangent == pytest.approx(7 / 5, rel=2 * EPS)
    for d in (np.float64(2) * Dual(1.5, 1.0), Dual(1.5, 1.0) * np.float64(2),
              np.multiply(2.0, Dual(1.5, 1.0))):
        assert type(d) is Dual and d.value == 3.0 and d.tangent == 2.0
    for d in (np.float64(2) + Dual(1.5, 1.0), np.add(Dual(1.5, 1.0), 2),
              np.float32(2) - Dual(-1.5, -1.0), np.subtract(Dual(5.5, 1.0), np.int64(2))):
        assert type(d) is Dual and d.value == 3.5 and d.tangent == 1.0
    assert (np.float64(2) - Dual(1.5, 1.0)).tangent == -1.0
    q, m = divmod(np.float64(7.0), Dual(2.0, 1.0))
    assert (q.value, m.value, m.tangent) == (3.0, 1.0, -3.0)
    d = np.float64(2.0) ** Dual(3.0, 1.0)
    assert d.value == 8.0 and d.tangent == pytest.approx(8 * math.log(2), rel=2 * EPS)
    d = np.square(Dual(3.0, 1.0))
    assert d.value == 9.0 and d.tangent == 6.0
    # the ufuncs without a scalar fast path run the dual-array rules
    d = np.logaddexp(Dual(1.0, 1.0), 1.0)  # log(2e): derivative e / (e + e) = 1/2
    assert d.value == pytest.approx(1.0 + math.log(2.0), rel=2 * EPS) and d.tangent == 0.5
    with pytest.raises(TypeError, match="numpy.gcd is not supported"):
        np.gcd(Dual(1.0, 1.0), 1.0)


def test_numpy_object_arrays_of_duals():
    xs = np.array([Dual(1.0, [1.0, 0.0]), Dual(2.0, [0.0, 1.0]), Dual(3.0, [1.0, 1.0])],
                  dtype=object)
    s = np.sum(xs)
    assert type(s) is Dual and s.value == 6.0 and list(s.tangent) == [2.0, 2.0]
    d = np.dot(xs, np.array([1.0, 2.0, 3.0]))
    assert d.value == 14.0 and list(d.tangent) == [4.0, 5.0]
    d = np.dot(xs, xs)  # sum of squares: gradient 2 sum x_k t_k
    assert d.value == 14.0 and list(d.tangent) == [8.0, 10.0]
    e = np.exp(xs)
    assert e.dtype == object and all(type(v) is Dual for v in e)
    for v, x in zip(e, (1.0, 2.0, 3.0)):
        assert same(v.value, math.exp(x))
    assert list(e[2].tangent) == [math.exp(3.0), math.exp(3.0)]
    m = np.array([[Dual(1.0, [1.0, 0.0]), 2.0], [3.0, Dual(4.0, [0.0, 1.0])]], dtype=object)
    p = m @ m
    assert p[0, 0].value == 7.0 and list(p[0, 0].tangent) == [2.0, 0.0]
    assert np.sqrt(xs)[3 - 2].value == math.sqrt(2.0)
    assert np.prod(xs).value == 6.0


def test_constructor_of_floats_matches_the_general_path():
    # Dual(value, tangent) of two floats takes a shortcut: the same number as
    # from a list tangent, an int value, or a float subclass
    class F(float):
        pass

    for d in (Dual(0.7, 1.0), Dual(0.7, [1.0]), Dual(F(0.7), F(1.0)), Dual(0.7, np.float64(1.0))):
        assert type(d) is Dual and d.value == 0.7 and d.tangent == 1.0 and d.width == 1
    assert Dual(2.0, -0.0).tangent == 0.0 and math.copysign(1.0, Dual(2.0, -0.0).tangent) == -1.0
    n = Dual(float("nan"), float("inf"))
    assert math.isnan(n.value) and n.tangent == math.inf
    e = Dual(0.7, 1.0) * Dual(0.7, 1.0)   # combines as any Dual made by hand
    assert e.value == 0.7 * 0.7 and e.tangent == 1.4
    with pytest.raises(TypeError):
        Dual(0.7, None)


def _product_by_hand(a, b):
    """The product rule written out on (value, gradient, Hessian) triples."""
    (u, gu, hu), (w, gw, hw) = a, b
    return u * w, w * gu + u * gw, w * hu + u * hw + np.outer(gu, gw) + np.outer(gw, gu)


@pytest.mark.parametrize("n", [1, 2, 4, 5, 8, 13])
def test_second_order_product_follows_the_product_rule(n):
    # widths inline (up to 4) and on the heap, each operand with its own Hessian
    rng = np.random.default_rng(n)
    parts = []
    for _ in range(2):
        h = rng.standard_normal((n, n))
        parts.append((float(rng.standard_normal()), rng.standard_normal(n), h + h.T))
    a, b = (Dual(v, g, hessian=h) for v, g, h in parts)
    for x, y, want in ((a, b, _product_by_hand(parts[0], parts[1])),
                       (a, a, _product_by_hand(parts[0], parts[0]))):  # x * x: both operands one number
        r = x * y
        assert r.value == pytest.approx(want[0], rel=1e-14)
        np.testing.assert_allclose(np.atleast_1d(r.tangent), want[1], rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(r.hessian, want[2], rtol=1e-13, atol=1e-13)
        assert np.array_equal(r.hessian, r.hessian.T)


def test_second_order_product_keeps_zero_directions_beside_an_infinite_one():
    # direction 1 infinite, direction 2 untouched: the product's second
    # derivatives along direction 2 stay exactly 0 (the zero-tangent rule)
    a = Dual(2.0, [math.inf, 0.0], hessian=[[1.0, 0.0], [0.0, 0.0]])
    b = Dual(3.0, [1.0, 0.0], hessian=[[0.0, 0.0], [0.0, 0.0]])
    r = a * b
    assert r.value == 6.0
    assert r.tangent[1] == 0.0 and r.hessian[0, 1] == 0.0 and r.hessian[1, 1] == 0.0
    assert r.tangent[0] == math.inf and r.hessian[0, 0] == math.inf  # 3 * 1 + 2 * inf * 1


def test_second_order_product_of_overflowing_gradients_is_independent_of_other_directions():
    # x * x with a gradient component near the largest double: its square
    # overflows to inf, which is the true second derivative along it, whether
    # or not another direction is infinite (a direction never depends on the
    # others)
    big = 1.7976931348623157e308
    alone = Dual(0.0, [big], hessian=[[0.0]])
    beside = Dual(0.0, [big, math.inf], hessian=np.zeros((2, 2)))
    assert (alone * alone).hessian[0, 0] == math.inf
    r = beside * beside
    assert r.hessian[0, 0] == math.inf and r.hessian[1, 1] == math.inf and r.hessian[0, 1] == math.inf
    # the gradient 2 x dx at x = 0: 0 along the finite direction, 0 * inf
    # (NaN) along the infinite one, as for first-order numbers
    first = Dual(0.0, [big, math.inf]) * Dual(0.0, [big, math.inf])
    assert r.tangent[0] == first.tangent[0] == 0.0
    assert math.isnan(r.tangent[1]) and math.isnan(first.tangent[1])


def test_the_two_float_constructor_matches_the_general_one():
    # Dual(float, float) and Dual(float) take a shortcut; every other form
    # goes through the checked constructor: both must build the same number
    for v, t in ((0.7, 1.0), (-0.0, 2.5), (math.inf, 0.0), (1e308, -1e-308)):
        a, b = Dual(v, t), Dual(v, [t])
        assert a.width == b.width == 1 and a.order == b.order == 1
        assert math.copysign(1.0, a.value) == math.copysign(1.0, b.value) and a.value == b.value
        assert a.tangent == b.tangent == t
        assert (a * a).tangent == (b * b).tangent
    assert Dual(0.7).tangent == 0.0 and Dual(0.7).value == 0.7
    assert repr(Dual(0.5, tangent=2.0)) == repr(Dual(0.5, 2.0))
    assert np.isnan(Dual(math.nan, 1.0).value)
    with pytest.raises(TypeError, match="at most 3 positional"):
        Dual(1.0, 2.0, None, 4.0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        Dual(1.0, bad=2.0)
    with pytest.raises(TypeError, match="real number"):
        Dual(None, 1.0)


def test_a_dual_has_the_shape_attributes_of_a_numpy_scalar():
    x = Dual(3.0, 1.0)
    ref = np.float64(3.0)
    assert (x.shape, x.ndim, x.size) == (ref.shape, ref.ndim, ref.size)
    assert np.shape(x) == () and np.ndim(x) == 0 and np.size(x) == 1

    def f(v):  # a function written for NumPy scalars and 0-d arrays
        assert v.shape == () and v.ndim == 0
        return v ** 2

    assert dualdiff.grad(f)(3.0) == 6.0
    # no dtype: NumPy would take it as the type of a list of Duals and convert them
    assert not hasattr(x, "dtype")
    assert dualdiff.grad(lambda v: np.mean([v, v + 2]))(0.0) == 1.0
    assert np.array([x, x]).dtype == object
