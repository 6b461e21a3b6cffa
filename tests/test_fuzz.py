"""Hostile input for the compiled Dual code and the dual array type (small
budgets; .ci/fuzz.py runs large ones).

The harnesses and their contracts are in tests/_fuzz.py (Duals: every input
ends in a result or TypeError/ValueError/OverflowError/ZeroDivisionError,
Dual results keep their operands' width and order, and each direction of a
result equals the same operation run on that direction alone) and
tests/_fuzz_arrays.py (DualArrays: the same, plus values equal to NumPy's on
floats and derivatives of the transforms equal to finite differences).
"""
import importlib.util
import math
import os

import numpy as np
import pytest

from dualdiff import Dual
from dualdiff.numpy import DualArray, array, supported_ufuncs

_spec = importlib.util.spec_from_file_location(
    "dualdiff_fuzz_harness", os.path.join(os.path.dirname(__file__), "_fuzz.py"))
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)


def test_fuzz_small_budget():
    before = dict(fuzz.COUNTS)
    budget = int(os.environ.get("DUALDIFF_FUZZ_EXAMPLES", "300"))
    fuzz.make_test(budget)()
    assert fuzz.COUNTS["examples"] - before["examples"] >= budget // 2
    assert fuzz.COUNTS["operations"] > fuzz.COUNTS["examples"]


def test_every_operation_is_drawn():
    # each entry of the table runs at least once on a Dual of each storage kind
    for n in (1, 15, 16, 40):
        d = Dual(0.25, [1.0] * n)
        for name in fuzz.NAMES:
            arity = fuzz.OPS[name][0]
            args = [d] + [0.5] * (arity - 1)
            assert fuzz.check_operation(name, args, [0, n - 1]) in ("ok", "raised")


def test_harness_catches_a_wrong_direction():
    # the projection check itself must notice a result that mixes directions
    def swap(a):
        t = list(a.tangent)
        return Dual(a.value, t[::-1])

    fuzz.OPS["_swap"] = (1, swap, None)
    try:
        with pytest.raises(AssertionError):
            fuzz.check_operation("_swap", [Dual(1.0, [1.0, 2.0])], [0])
    finally:
        del fuzz.OPS["_swap"]


def test_harness_catches_a_foreign_exception():
    def boom(a):
        raise KeyError("x")

    fuzz.OPS["_boom"] = (1, boom, None)
    try:
        with pytest.raises(AssertionError):
            fuzz.check_operation("_boom", [Dual(1.0, 1.0)], [0])
    finally:
        del fuzz.OPS["_boom"]


def test_harness_compares_values_with_math():
    fuzz.OPS["_bad_sin"] = (1, lambda a: a * 1.0000001, math.sin)
    try:
        with pytest.raises(AssertionError):
            fuzz.check_operation("_bad_sin", [Dual(1.0, 1.0)], [0])
    finally:
        del fuzz.OPS["_bad_sin"]


# ------------------------------------------------------------- dual arrays

_aspec = importlib.util.spec_from_file_location(
    "dualdiff_fuzz_arrays_harness", os.path.join(os.path.dirname(__file__), "_fuzz_arrays.py"))
afuzz = importlib.util.module_from_spec(_aspec)
_aspec.loader.exec_module(afuzz)


def test_fuzz_small_budget_arrays():
    before = dict(afuzz.COUNTS)
    budget = int(os.environ.get("DUALDIFF_FUZZ_EXAMPLES", "300")) // 2
    afuzz.make_test(budget)()
    ran = {k: afuzz.COUNTS[k] - before[k] for k in before}
    assert ran["examples"] >= budget // 2
    assert ran["operations"] > ran["examples"]
    assert ran["projections"] > 0 and ran["value_checks"] > 0 and ran["transforms"] > 0


def test_every_supported_ufunc_and_array_operation_is_in_the_table():
    drawn = set(afuzz.OPS_SPEC)
    for name in supported_ufuncs():
        assert "np." + name in drawn, name
    for name in ("np.sum", "np.prod", "np.max", "np.cumsum", "getitem", "setitem", "reshape",
                 "transpose", "broadcast_to", "concatenate", "np.matmul", "linalg.solve",
                 "ufunc.method", "ufunc.out", "pickle", "median"):
        assert name in drawn, name


def _mixing(a):
    """Direction 0 of the result picks up direction 1 of the operand."""
    t = a.tangent
    return array([Dual(v, list(tt[::-1])) for v, tt in zip(a.value, t)])


@pytest.mark.parametrize("kind", ["elem", "lin"])
def test_array_harness_catches_a_wrong_direction(kind):
    a = afuzz.make_ref([1.0, 2.0], [[1.0, 2.0], [3.0, 4.0]])
    afuzz.bind("_mix", _mixing, kind=kind, twin=False)
    with pytest.raises(AssertionError, match="direction"):
        afuzz.check_operation("_mix", [a], [0, 1])


def test_array_harness_compares_values_with_numpy_on_floats():
    a = afuzz.make_ref([0.5, 2.0], [[1.0], [1.0]])
    afuzz.bind("_bad_exp", lambda x: np.exp(x) * 1.000001 if isinstance(x, DualArray) else np.exp(x),
               kind="elem", per_direction=False)
    with pytest.raises(AssertionError, match="values differ"):
        afuzz.check_operation("_bad_exp", [a], [0])


def test_array_harness_catches_a_modified_operand():
    a = afuzz.make_ref([0.5, 2.0], [[1.0], [1.0]])

    def scribble(x):
        x[0] = 7.0
        return x
    afuzz.bind("_scribble", scribble, twin=False, per_direction=False)
    with pytest.raises(AssertionError, match="operand"):
        afuzz.check_operation("_scribble", [a], [0])


def test_array_harness_catches_a_foreign_exception_and_a_wrong_shape():
    a = afuzz.make_ref([[0.5, 2.0]], [[[1.0], [1.0]]])

    def boom(x):
        if isinstance(x, DualArray):  # NumPy on floats does not raise: a contract violation
            raise KeyError("x")
        return x
    afuzz.bind("_boom", boom)
    with pytest.raises(AssertionError, match="KeyError"):
        afuzz.check_operation("_boom", [a], [0])
    afuzz.bind("_flat", lambda x: np.ravel(x) if isinstance(x, DualArray) else x, per_direction=False)
    with pytest.raises(AssertionError, match="shape"):
        afuzz.check_operation("_flat", [a], [0])


def test_array_harness_compares_derivatives_with_finite_differences():
    # values agree with the float function, derivatives do not: 2 instead of 1
    def doubled(x):
        if isinstance(x, DualArray):
            return x + (x - x.value)
        return x
    afuzz.FUNCTIONS["_doubled"] = doubled
    try:
        with pytest.raises(AssertionError, match="central difference"):
            afuzz.check_transform("_doubled", np.array([0.5, -1.5]), np.ones(2), second=False)
    finally:
        del afuzz.FUNCTIONS["_doubled"]
