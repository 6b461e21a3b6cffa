#!/usr/bin/env python3
"""Large-budget fuzzing of the compiled Dual code and the dual array type.

    python .ci/fuzz.py [--examples N] [--array-examples M] [--seed S]

Runs the hypothesis harness of tests/_fuzz.py (Duals: N programs of up to 24
operations each) and then the one of tests/_fuzz_arrays.py (DualArrays, the
transforms on NumPy functions: M programs of up to 12 operations each; M = N
unless given); their docstrings state the contracts. Runs against the
installed dualdiff and prints how many inputs ran. Exit status 0 when every
input ended in a result or an allowed Python exception and every result met
the contract; a crash kills the process (non-zero status), a hang is stopped
by a watchdog that prints the stack.
Run it under the sanitizer build with: .ci/sanitize --fuzz N
"""
import argparse
import faulthandler
import importlib.util
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))


def _load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(here, "..", "tests", file))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _load("dualdiff_fuzz_harness", "_fuzz.py")
afuzz = _load("dualdiff_fuzz_arrays_harness", "_fuzz_arrays.py")


def _run(harness, examples, seed):
    t0 = time.perf_counter()
    try:
        harness.make_test(examples, seed)()
        status = 0
    except Exception as e:  # hypothesis re-raises the shrunk failure
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        status = 1
    return status, time.perf_counter() - t0


def main():
    faulthandler.enable()  # a crash prints the Python stack of the failing input
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--examples", type=int, default=20000)
    p.add_argument("--array-examples", type=int, default=None)
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args()
    import dualdiff
    print(f"dualdiff {dualdiff.__version__} from {os.path.dirname(dualdiff.__file__)}", flush=True)
    s1, dt = _run(fuzz, a.examples, a.seed)
    c = fuzz.COUNTS
    print(f"fuzz: {c['examples']} programs, {c['operations']} operations run "
          f"({c['projections']} per-direction reruns, {c['raised']} ended in an allowed "
          f"exception) in {dt:.0f} s; {'FAILED' if s1 else 'no contract violation'}", flush=True)
    m = a.examples if a.array_examples is None else a.array_examples
    s2, dt = _run(afuzz, m, a.seed)
    c = afuzz.COUNTS
    print(f"fuzz arrays: {c['examples']} programs, {c['operations']} operations run "
          f"({c['projections']} per-direction reruns, {c['value_checks']} value checks against "
          f"NumPy, {c['transforms']} transform checks with {c['fd_entries']} derivatives "
          f"against finite differences, {c['raised']} ended in an allowed exception) in "
          f"{dt:.0f} s; {'FAILED' if s2 else 'no contract violation'}")
    return s1 or s2


if __name__ == "__main__":
    sys.exit(main())
