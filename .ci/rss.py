#!/usr/bin/env python3
"""Memory check: a million public operations keep the process RSS flat.

    python .ci/rss.py [--ops 1000000] [--tolerance-mib 2]

Cycles through tests/_everyop.py (every operator, dualdiff.math function,
numpy ufunc on scalars, constructor, pickle, repr and conversion, on Duals of
both orders and storages, including calls that raise) for --ops calls in ten
slices. The first slice warms up allocator pools and caches; RSS is read
after each later slice, and the check fails when it grows by more than the
tolerance between the end of the warm-up and any later slice. A leak of
one small object per operation would add tens of MiB.
"""
import argparse
import gc
import importlib.util
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "dualdiff_everyop", os.path.join(here, "..", "tests", "_everyop.py"))
everyop = importlib.util.module_from_spec(spec)
spec.loader.exec_module(everyop)


def _malloc_trim():
    """glibc's malloc_trim, or None: hands freed heap pages back to the system."""
    try:
        import ctypes
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def rss_mib():
    """The resident set in MiB, after freed heap memory is handed back (so
    memory freed earlier in the process cannot hide new allocations)."""
    gc.collect()
    if _TRIM is not None:
        _TRIM(0)
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def check(ops, tolerance_mib, log=print):
    import warnings
    warnings.simplefilter("ignore")
    calls = everyop.calls()
    step = ops // 10
    raised = everyop.run(calls, step)
    base = rss_mib()
    series = [base]
    for _ in range(9):
        raised += everyop.run(calls, step)
        series.append(rss_mib())
    growth = max(series) - base
    log(f"rss: {10 * step} calls of {len(calls)} distinct operations ({raised} raised an allowed "
        f"exception); RSS after warm-up {base:.1f} MiB, then "
        + " ".join(f"{s - base:+.2f}" for s in series[1:])
        + f" MiB; growth {growth:.2f} MiB (tolerance {tolerance_mib} MiB)")
    return growth, 10 * step


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ops", type=int, default=1_000_000)
    p.add_argument("--tolerance-mib", type=float, default=2.0)
    a = p.parse_args()
    t0 = time.perf_counter()
    growth, n = check(a.ops, a.tolerance_mib)
    print(f"rss: {time.perf_counter() - t0:.0f} s; {'FAILED' if growth > a.tolerance_mib else 'flat'}")
    return 1 if growth > a.tolerance_mib else 0


if __name__ == "__main__":
    sys.exit(main())
