"""Two-thread scaling of dualdiff work that releases the GIL.

    python benchmarks/bench_threads.py [--repeats 5]

For each workload that this build offers, times a fixed amount of work done
by one thread, then the same amount per thread by two threads at once, and
prints the scaling 2 * t(one) / t(two): 2.0 is perfect on two cores, 1.0
means the threads ran one after the other (the GIL was held). Workloads:

  scalar Duals   loop_function at width 8 (pure Python + scalar C calls;
                 holds the GIL, shown as the baseline)
  jvp, numpy     dualdiff.jvp of an elementwise NumPy function of 2*10^5
                 variables, when dualdiff.jvp exists (the array kernels are
                 meant to release the GIL)
  jacobian       dualdiff.jacobian of a small NumPy residual, when it exists

Workloads that are not in this build are listed as skipped. When no
workload scales past 1.3, it says so and exits 0. Medians of --repeats runs,
interleaved; OPENBLAS_NUM_THREADS=1.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import importlib.util
import statistics
import threading
import time

import numpy as np

import dualdiff
from dualdiff import Dual

_spec = importlib.util.spec_from_file_location(
    "dualdiff_corpus", os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.py"))
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


def scalar_duals():
    x = [Dual(0.1 * i, [1.0 if j == i else 0.0 for j in range(8)]) for i in range(8)]

    def work():
        for _ in range(5000):
            corpus.loop_function(x)
    return work


def jvp_numpy():
    if not hasattr(dualdiff, "jvp"):
        return None
    x = np.linspace(0.1, 2.0, 200_000)
    v = np.ones_like(x)

    def f(z):
        return np.sin(z) * np.exp(-z) + np.sqrt(z)

    try:
        dualdiff.jvp(f, x[:10], v[:10])
    except Exception as e:  # the array path is not there yet
        print(f"  jvp, numpy: not usable in this build ({type(e).__name__}: {e})")
        return None

    def work():
        for _ in range(5):
            dualdiff.jvp(f, x, v)
    return work


def jacobian_numpy():
    if not hasattr(dualdiff, "jacobian"):
        return None
    x = np.linspace(0.1, 1.0, 40)

    def F(z):
        return np.exp(z) * z - np.cos(z) ** 2

    try:
        dualdiff.jacobian(F)(x)
    except Exception as e:
        print(f"  jacobian: not usable in this build ({type(e).__name__}: {e})")
        return None

    def work():
        for _ in range(50):
            dualdiff.jacobian(F)(x)
    return work


def array_kernels():
    """Element-wise C kernels of dual arrays (run with the GIL released):
    sin, a product and exp on 10^6 numbers of width 8."""
    if not hasattr(dualdiff, "DualArray"):
        return None
    from dualdiff._ndarray import _seed_array
    x = _seed_array(np.linspace(0.1, 1.0, 10 ** 6), 0, 8, 1, 0)
    y = _seed_array(np.linspace(0.5, 2.0, 10 ** 6), 0, 8, 1, 0)

    def work():
        for _ in range(4):
            np.sin(x)
            x * y
            np.exp(y)
    return work


WORKLOADS = [("scalar Duals", scalar_duals), ("jvp, numpy", jvp_numpy), ("jacobian", jacobian_numpy),
             ("array kernels", array_kernels)]


def timed(work, threads):
    barrier = threading.Barrier(threads + 1)

    def run():
        barrier.wait()
        work()

    ts = [threading.Thread(target=run) for _ in range(threads)]
    for t in ts:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in ts:
        t.join()
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    rows = []
    for name, make in WORKLOADS:
        work = make()
        if work is None:
            print(f"  {name}: skipped (not in this build)")
            continue
        work()  # warm up
        one, two = [], []
        for _ in range(a.repeats):  # interleaved
            one.append(timed(work, 1))
            two.append(timed(work, 2))
        t1, t2 = statistics.median(one), statistics.median(two)
        rows.append((name, t1, t2, 2 * t1 / t2))
    print(f"{'workload':16s} {'1 thread (s)':>13s} {'2 threads (s)':>14s} {'scaling':>8s}")
    for name, t1, t2, s in rows:
        print(f"{name:16s} {t1:13.3f} {t2:14.3f} {s:8.2f}")
    if not any(s > 1.3 for name, _, _, s in rows if name != "scalar Duals"):
        print("no workload in this build releases the GIL: two-thread scaling skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
