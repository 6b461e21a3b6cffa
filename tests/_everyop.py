"""Every public operation on Duals, as a list of calls, for leak checks.

calls() returns (name, function, args) for every entry of the fuzz harness's
table (operators, every dualdiff.math function, numpy ufuncs on scalars,
Dual methods, constructors, pickle, repr, conversions) applied to Duals of
both orders and both storages (inline and heap), with a Dual, a float, zero
and a wrong type as the other operand, and negative values so that domain
errors are raised too. run(calls, count) makes `count` calls, cycling.
"""
import importlib.util
import os

from dualdiff import Dual

_spec = importlib.util.spec_from_file_location(
    "dualdiff_fuzz_harness", os.path.join(os.path.dirname(__file__), "_fuzz.py"))
_fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fuzz)
ALLOWED = _fuzz.ALLOWED


def _duals():
    import numpy as np
    out = []
    for n, order in [(3, 1), (20, 1), (3, 2), (6, 2)]:  # 4, 21, 10 and 28 doubles
        for v in (0.75, -2.5):
            t = [0.5 + k for k in range(n)]
            h = np.full((n, n), 0.25) if order == 2 else None
            out.append(Dual(v, t, hessian=h))
    return out


def calls():
    duals = _duals()
    result = []
    for name in _fuzz.NAMES:
        arity, fn, _ = _fuzz.OPS[name]
        for d in duals:
            for other in (d, 0.5, 0.0, "x"):
                result.append((name, fn, [d] + [other] * (arity - 1)))
                if arity == 1:
                    break
    return result


def run(call_list, count):
    """Make `count` calls from call_list (cycling); returns how many raised."""
    raised = 0
    k = len(call_list)
    for i in range(count):
        _, fn, args = call_list[i % k]
        try:
            fn(*args)
        except ALLOWED:
            raised += 1
    return raised
