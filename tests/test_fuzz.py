"""Hostile input for the compiled Dual code (small budget; .ci/fuzz.py runs a large one).

The harness and its contract are in tests/_fuzz.py: every input ends in a
result or TypeError/ValueError/OverflowError/ZeroDivisionError, Dual results
keep their operands' width and order, and each direction of a result equals
the same operation run on that direction alone.
"""
import importlib.util
import math
import os

import pytest

from dualdiff import Dual

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
