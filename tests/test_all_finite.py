"""dualdiff.all_finite: is every value and derivative in a result finite?"""
import math

import numpy as np
import pytest

import dualdiff
from dualdiff import Dual, all_finite
from dualdiff import math as dm

INF = math.inf
NAN = math.nan


def test_finite_duals_of_both_orders():
    assert all_finite(Dual(1.0, 2.0)) is True
    assert all_finite(Dual(1.0, [2.0, 3.0, 4.0])) is True
    assert all_finite(Dual(1.0, [1.0, 0.0], hessian=[[1.0, 2.0], [2.0, 3.0]])) is True


@pytest.mark.parametrize("width", [1, 3, 15, 16, 40])
@pytest.mark.parametrize("bad", [INF, -INF, NAN])
def test_any_single_non_finite_entry_is_found(width, bad):
    # every slot of the layout, inline and heap storage alike
    for k in range(width):
        t = [1.0] * width
        t[k] = bad
        assert all_finite(Dual(0.5, t)) is False
    assert all_finite(Dual(bad, [1.0] * width)) is False


@pytest.mark.parametrize("width", [1, 2, 5])
def test_non_finite_hessian_entry_is_found(width):
    for i in range(width):
        for j in range(i, width):
            h = np.eye(width)
            h[i, j] = h[j, i] = NAN
            assert all_finite(Dual(0.5, [1.0] * width, hessian=h)) is False


def test_singular_derivative_from_the_rules():
    # d/dx sqrt(x) at 0 is +inf (by hand): the value is finite, the derivative is not
    r = dm.sqrt(Dual(0.0, 1.0))
    assert r.value == 0.0 and math.isinf(r.tangent)
    assert all_finite(r) is False
    assert dm.isfinite(r) is True  # math's twin looks at the value only
    # a direction the function does not depend on stays exactly 0
    g = dm.sqrt(Dual(0.0, [1.0, 0.0])) + Dual(1.0, [0.0, 1.0])
    assert list(g.tangent) == [INF, 1.0]
    assert all_finite(g) is False
    assert all_finite(dm.sqrt(Dual(4.0, 1.0))) is True


def test_plain_numbers():
    assert all_finite(1.5) is True
    assert all_finite(10 ** 400) is True  # ints are always finite
    assert all_finite(True) is True
    assert all_finite(INF) is False
    assert all_finite(NAN) is False
    assert all_finite(np.float32(np.inf)) is False
    assert all_finite(np.float64(2.0)) is True
    assert all_finite(np.int64(7)) is True


def test_sequences_and_arrays():
    good, bad = Dual(1.0, [1.0, 2.0]), Dual(1.0, [NAN, 2.0])
    assert all_finite([good, 1.0, (good, 2)]) is True
    assert all_finite([good, [1.0, (good, bad)]]) is False
    assert all_finite([]) is True
    assert all_finite(np.array([good, 1.0], dtype=object)) is True
    assert all_finite(np.array([[good, 1.0], [good, bad]], dtype=object)) is False
    assert all_finite(np.array([[1.0, 2.0], [3.0, 4.0]])) is True
    assert all_finite(np.array([1.0, INF])) is False
    assert all_finite(np.array([1, 2, 3])) is True
    assert all_finite(np.array([1 + 2j, complex(0, NAN)])) is False


@pytest.mark.parametrize("x", [None, "1.0", b"1", {1: 2.0}, object(), np.array(["a"])])
def test_wrong_types_raise_type_error(x):
    with pytest.raises(TypeError):
        all_finite(x)


def test_exported():
    assert "all_finite" in dualdiff.__all__
    assert all_finite.__doc__.startswith("all_finite(x)")
