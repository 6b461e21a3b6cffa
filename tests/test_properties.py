"""Algebraic identities on Duals of width 1 to 16 (second order at small widths).

Tolerances are relative to the size of the terms involved, since each side of
an identity rounds differently; identities that hold exactly in floating
point (x - x, x / x, splitting the seed) are checked for exact equality.
"""
import math
import os
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import dualdiff.math as dm
from dualdiff import Dual

EPS = sys.float_info.epsilon

settings.register_profile("dualdiff", max_examples=60, deadline=None)
settings.register_profile("dualdiff-thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("DUALDIFF_HYPOTHESIS_PROFILE", "dualdiff"))

def normal(lo, hi):
    """Floats in [lo, hi], with 0 in place of subnormal and tiny numbers: their
    products lose relative precision by IEEE design, not through dualdiff."""
    return st.floats(lo, hi, allow_nan=False).map(lambda t: t if abs(t) > 1e-100 else 0.0)


values = normal(-1e3, 1e3)
nonzero = values.filter(lambda v: abs(v) > 1e-3)
positive = st.floats(1e-3, 1e3)
tangent_entry = normal(-10.0, 10.0)


@st.composite
def duals(draw, n, value=values, order=1):
    v = draw(value)
    t = draw(st.lists(tangent_entry, min_size=n, max_size=n))
    if order == 1:
        return Dual(v, t)
    h = np.array(draw(st.lists(tangent_entry, min_size=n * n, max_size=n * n))).reshape(n, n)
    return Dual(v, t, hessian=h + h.T)


def tangents(d):
    return np.atleast_1d(np.asarray(d.tangent, dtype=float))


def close(a, b, scale, k=64):
    """|a - b| <= k eps scale, elementwise."""
    return np.all(np.abs(np.asarray(a) - np.asarray(b)) <= k * EPS * np.asarray(scale))


widths = st.integers(1, 16)
small_widths = st.integers(1, 6)  # second order: inline up to 4, heap from 5


@given(st.data(), widths)
def test_distributive_law(data, n):
    a, b, c = (data.draw(duals(n)) for _ in range(3))
    left, right = (a + b) * c, a * c + b * c
    scale = (abs(a.value) + abs(b.value)) * abs(c.value)
    assert close(left.value, right.value, scale)
    ts = (np.abs(tangents(a)) + np.abs(tangents(b))) * abs(c.value) \
        + (abs(a.value) + abs(b.value)) * np.abs(tangents(c))
    assert close(tangents(left), tangents(right), ts)


@given(st.data(), small_widths)
def test_distributive_law_second_order(data, n):
    a, b, c = (data.draw(duals(n, order=2)) for _ in range(3))
    left, right = (a + b) * c, a * c + b * c
    H = np.abs(a.hessian) + np.abs(b.hessian) + np.abs(c.hessian)
    T = np.abs(tangents(a)) + np.abs(tangents(b)) + np.abs(tangents(c))
    V = abs(a.value) + abs(b.value) + abs(c.value)
    scale = V * H + np.outer(T, T) + 1.0
    assert close(left.hessian, right.hessian, scale)
    assert np.array_equal(left.hessian, left.hessian.T)


@given(st.data(), widths)
def test_division_undoes_multiplication(data, n):
    a = data.draw(duals(n))
    b = data.draw(duals(n, value=nonzero))
    r = a / b * b
    assert close(r.value, a.value, abs(a.value), 4)
    q = abs(a.value / b.value)
    scale = np.abs(tangents(a)) + q * np.abs(tangents(b))
    assert close(tangents(r), tangents(a), scale, 16)


@given(st.data(), widths)
def test_exp_of_log(data, n):
    x = data.draw(duals(n, value=st.floats(1e-3, 1e2)))
    r = dm.exp(dm.log(x))
    assert close(r.value, x.value, abs(x.value), 8 + 2 * abs(math.log(x.value)))
    assert close(tangents(r), tangents(x), np.abs(tangents(x)), 8 + 2 * abs(math.log(x.value)))


@given(st.data(), widths)
def test_pythagoras_has_tangent_zero(data, n):
    x = data.draw(duals(n))
    r = dm.sin(x) ** 2 + dm.cos(x) ** 2
    assert abs(r.value - 1.0) <= 4 * EPS
    assert close(tangents(r), 0.0, np.abs(tangents(x)), 8)


@given(st.data(), small_widths)
def test_pythagoras_second_order(data, n):
    x = data.draw(duals(n, order=2))
    r = dm.sin(x) * dm.sin(x) + dm.cos(x) * dm.cos(x)
    T = np.abs(tangents(x))
    assert close(r.hessian, 0.0, np.abs(x.hessian) + np.outer(T, T), 16)


@given(st.data(), widths)
def test_x_over_x_and_x_minus_x_are_exact(data, n):
    x = data.draw(duals(n, value=nonzero))
    d = x / x
    assert d.value == 1.0 and np.all(tangents(d) == 0.0)
    d = x - x
    assert d.value == 0.0 and np.all(tangents(d) == 0.0)


@given(st.data(), small_widths)
def test_x_minus_x_second_order_is_exact(data, n):
    x = data.draw(duals(n, order=2, value=nonzero))
    assert np.all((x - x).hessian == 0.0)


def composite_terms(m, x):
    s, c = m.sin(x), m.cos(x)
    return [s * m.exp(-0.1 * x), c * m.exp(-0.1 * x), m.sqrt(1.0 + x * x) / (2.0 + c),
            m.sqrt(1.0 + x * x) * s / (2.0 + c) ** 2, x ** 3 / 1e3]


def composite(m, x):
    t = composite_terms(m, x)
    return t[0] + t[2] + t[4]


def derivative_scale(v):
    """Sum of the magnitudes of the terms of composite's derivative: the size of
    what cancels in it, which sets its rounding error."""
    x = Dual(v, 1.0)
    t = composite_terms(dm, x)
    return sum(abs(u.tangent) for u in t) + 1.0


@given(values, st.lists(tangent_entry, min_size=1, max_size=16), normal(-3, 3), normal(-3, 3))
def test_tangents_are_linear_in_the_seed(v, t, alpha, beta):
    n = len(t)
    t1 = np.array(t)
    t2 = np.roll(t1, 1) - 0.5
    d1 = composite(dm, Dual(v, t1)) if n > 1 else composite(dm, Dual(v, float(t1[0])))
    d2 = composite(dm, Dual(v, list(t2)))
    d3 = composite(dm, Dual(v, list(alpha * t1 + beta * t2)))
    lin = alpha * tangents(d1) + beta * tangents(d2)
    scale = derivative_scale(v) * (np.abs(alpha * t1) + np.abs(beta * t2))
    assert close(tangents(d3), lin, scale, 32)


@given(values, st.lists(tangent_entry, min_size=1, max_size=16))
def test_each_direction_is_independent_of_the_width(v, t):
    # the derivative along direction k does not depend on how many others ride along
    wide = tangents(composite(dm, Dual(v, t)))
    for k, tk in enumerate(t):
        assert wide[k] == composite(dm, Dual(v, tk)).tangent


@given(st.data(), small_widths)
def test_square_has_hessian_two_t_t(data, n):
    x = data.draw(duals(n, order=2))
    d = x * x
    t = tangents(x)
    want = 2 * np.outer(t, t) + 2 * x.value * x.hessian
    assert close(d.hessian, want, np.abs(want) + 1e-300, 4)
    assert np.array_equal(d.hessian, d.hessian.T)
