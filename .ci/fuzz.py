#!/usr/bin/env python3
"""Large-budget fuzzing of the compiled Dual code.

    python .ci/fuzz.py [--examples N] [--seed S]

Runs the hypothesis harness of tests/_fuzz.py (its docstring states the
contract) for N programs of up to 24 operations each, against the installed
dualdiff, and prints how many inputs ran. Exit status 0 when every input
ended in a result or an allowed Python exception; a crash kills the process
(non-zero status), a hang is stopped by a watchdog that prints the stack.
Run it under the sanitizer build with: .ci/sanitize --fuzz N
"""
import argparse
import faulthandler
import importlib.util
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "dualdiff_fuzz_harness", os.path.join(here, "..", "tests", "_fuzz.py"))
fuzz = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fuzz)


def main():
    faulthandler.enable()  # a crash prints the Python stack of the failing input
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--examples", type=int, default=20000)
    p.add_argument("--seed", type=int, default=None)
    a = p.parse_args()
    import dualdiff
    print(f"dualdiff {dualdiff.__version__} from {os.path.dirname(dualdiff.__file__)}", flush=True)
    t0 = time.perf_counter()
    status = 0
    try:
        fuzz.make_test(a.examples, a.seed)()
    except Exception as e:  # hypothesis re-raises the shrunk failure
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        status = 1
    dt = time.perf_counter() - t0
    c = fuzz.COUNTS
    print(f"fuzz: {c['examples']} programs, {c['operations']} operations run "
          f"({c['projections']} per-direction reruns, {c['raised']} ended in an allowed "
          f"exception) in {dt:.0f} s; {'FAILED' if status else 'no contract violation'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
