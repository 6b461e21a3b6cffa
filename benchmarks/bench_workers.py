"""Parallel chunks: dualdiff.jacobian(f, chunk=8, workers=...) with one and two workers.

    python benchmarks/bench_workers.py [--cycles 5] [--block 5] [--n 64] [--chunk 8] [--ms 20]
                                       [--quiet 0.5] [--wait 10] [--no-dask]

``f`` maps 64 inputs to 64 outputs through a Python loop of NumPy operations
on dual arrays that holds the GIL and takes about ``--ms`` milliseconds of CPU
per evaluation at 8 directions (calibrated at the start). The Jacobian takes
n / chunk = 8 evaluations. Every call goes through the public API,
``jacobian(f, chunk=8, workers=...)(x)``, with the pool made beforehand:

  workers=int          workers=2: the pool that dualdiff makes and keeps with
                       the transform (its one worker is workers=1, in process)
  Pool.map             workers=multiprocessing.Pool(k).map
  ProcessPoolExecutor  workers=concurrent.futures.ProcessPoolExecutor(k).map
  dask                 workers=client, a dask.distributed Client of a
                       LocalCluster of k worker processes, one thread each
  dask, no profiler    the same with distributed.worker.profile.enabled off:
                       Dask's workers sample the stacks of their threads
                       every 10 ms by default, which takes the GIL from the
                       running task

A user runs one pool, so each pool lives alone in a block: it is made, warmed
up (its workers import dualdiff; the result is checked to equal the
in-process one bit for bit), timed and closed before the next one is made.
(Pools kept side by side take from each other: an idle Dask cluster of two
workers spends about 5% of a core in the calling process and as much in each
worker.) Within a block, calls through the pool alternate with in-process
calls (workers=1): the speed of a shared machine drifts from block to block,
and the in-process calls measure it. A block's sample is the in-process time
over the pool's time, call pair by call pair; blocks of every pool, with one
and with two workers, take turns in ``--cycles`` cycles (each starting at
another block). The tables give the medians of those speed-ups and the
speed-up of two workers over one of the same kind of pool: the ratio of the
two medians.

Before each pair of calls the script waits (up to ``--wait`` seconds) until
the processes running besides its own are at most ``--quiet`` (from
/proc/loadavg, where available) and it reports how many pairs started quiet.
A last table gives the CPU time per Jacobian of the caller and of each worker
process (with psutil, which dask.distributed installs) and the speed-up they
bound: the in-process CPU time over the longest of them, what two idle cores
would give. OPENBLAS_NUM_THREADS=1, so that each process uses one core.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import contextlib
import importlib.util
import logging
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import dualdiff

try:
    import psutil
except ImportError:
    psutil = None

ROUNDS = 100  # loop rounds per evaluation of f, calibrated in main()


def f(x):
    """A function of a vector that holds the GIL: ROUNDS small NumPy steps."""
    y = x
    for _ in range(ROUNDS):
        y = np.sin(y) * 0.5 + x * 0.25
    return y



def cpu_ms_per_evaluation(x, chunk):
    """CPU milliseconds of one evaluation of f at ``chunk`` directions."""
    J = dualdiff.jacobian(f, chunk=chunk)
    J(x)
    n = x.shape[0]
    t0 = time.process_time()
    reps = 3
    for _ in range(reps):
        J(x)
    return (time.process_time() - t0) / reps / -(-n // chunk) * 1e3


def calibrate(x, chunk, ms):
    global ROUNDS
    per_round = cpu_ms_per_evaluation(x, chunk) / ROUNDS
    ROUNDS = max(1, round(ms / per_round))
    return cpu_ms_per_evaluation(x, chunk)


def running_others():
    """Runnable processes on the machine besides this one (the fourth field
    of /proc/loadavg counts this process too), or None where unknown."""
    try:
        with open("/proc/loadavg") as fh:
            return int(fh.read().split()[3].split("/")[0]) - 1
    except (OSError, ValueError, IndexError):
        return None


def wait_quiet(quiet, wait):
    """Sleep until at most ``quiet`` other processes run (median of a few
    looks), for at most ``wait`` seconds; returns what was seen last."""
    deadline = time.monotonic() + wait
    while True:
        looks = []
        for _ in range(5):
            looks.append(running_others())
            time.sleep(0.02)
        if None in looks:
            return None
        seen = statistics.median(looks)
        if seen <= quiet or time.monotonic() > deadline:
            return seen
        time.sleep(0.5)


def pool_pids(pool):
    """The pids of the worker processes of a multiprocessing pool or a
    ProcessPoolExecutor."""
    if hasattr(pool, "_pool"):
        return [w.pid for w in pool._pool]
    return list(pool._processes)


@contextlib.contextmanager
def made(kind, k, chunk):
    """(transform, a function giving the worker pids) for ``k`` workers of
    this kind; the pool is closed at the end of the block."""
    if kind == "workers=int":
        J = dualdiff.jacobian(f, chunk=chunk, workers=k)
        try:
            yield J, lambda: pool_pids(J._workers.pool)
        finally:
            J.close()
    elif kind == "Pool.map":
        with multiprocessing.Pool(k) as pool:
            yield dualdiff.jacobian(f, chunk=chunk, workers=pool.map), lambda: pool_pids(pool)
    elif kind == "ProcessPoolExecutor":
        with ProcessPoolExecutor(k) as ex:
            yield dualdiff.jacobian(f, chunk=chunk, workers=ex.map), lambda: pool_pids(ex)
    else:
        import dask
        from dask.distributed import Client, LocalCluster
        # "dask, no profiler": the workers do not sample their threads' stacks
        # (every 10 ms by default, taking the GIL from the running task)
        profile = {"distributed.worker.profile.enabled": kind == "dask"}
        with dask.config.set(profile), \
                LocalCluster(n_workers=k, threads_per_worker=1, processes=True,
                             dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster, \
                Client(cluster) as client:
            yield (dualdiff.jacobian(f, chunk=chunk, workers=client),
                   lambda: list(client.run(os.getpid).values()))


def cpu_seconds(procs):
    return [sum(p.cpu_times()[:2]) for p in procs]


def block(kind, k, x, serial, reference, a, out):
    """Time one pool alone: ``a.block`` pairs of an in-process call and a call
    through the pool (in alternating order), appended to ``out``."""
    with made(kind, k, a.chunk) as (J, pids):
        for _ in range(2):  # warm up: the pool starts, its workers import dualdiff
            if not np.array_equal(J(x), reference):
                raise SystemExit(f"{kind} with {k} workers: a parallel Jacobian differs from "
                                 "the in-process one")
        procs = [psutil.Process(p) for p in pids()] if psutil else []
        for i in range(a.block):
            out["seen"].append(wait_quiet(a.quiet, a.wait))
            t = {}
            for which in (("in", "pool") if i % 2 == 0 else ("pool", "in")):
                c0, w0 = time.process_time(), cpu_seconds(procs)
                t0 = time.perf_counter()
                (serial if which == "in" else J)(x)
                t[which] = time.perf_counter() - t0
                if which == "pool":
                    out["caller"].append(time.process_time() - c0)
                    out["workers"].append([w1 - w for w, w1 in zip(w0, cpu_seconds(procs))])
            out["in"].append(t["in"])
            out["pool"].append(t["pool"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cycles", type=int, default=5)
    p.add_argument("--block", type=int, default=5, help="call pairs per block")
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--chunk", type=int, default=8)
    p.add_argument("--ms", type=float, default=20.0)
    p.add_argument("--quiet", type=float, default=0.5,
                   help="other runnable processes tolerated before a pair of calls")
    p.add_argument("--wait", type=float, default=10.0,
                   help="seconds to wait for that before a pair of calls")
    p.add_argument("--no-dask", action="store_true")
    a = p.parse_args()

    x = np.linspace(0.1, 2.0, a.n)
    per_eval = calibrate(x, a.chunk, a.ms)  # before any pool forks: the workers see ROUNDS
    evals = -(-a.n // a.chunk)
    print(f"f: {ROUNDS} rounds, {per_eval:.1f} ms CPU per evaluation at {a.chunk} directions; "
          f"n = {a.n}, chunk = {a.chunk}: {evals} evaluations per Jacobian; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    if psutil is None:
        print("psutil is not installed: the CPU table is skipped")

    kinds = ["workers=int", "Pool.map", "ProcessPoolExecutor", "dask", "dask, no profiler"]
    dask_missing = importlib.util.find_spec("distributed") is None
    if a.no_dask or dask_missing:
        kinds = kinds[:3]
        if dask_missing:
            print("dask.distributed is not installed: the dask rows are skipped "
                  "(pip install 'dask[distributed]')")
    plan = [(kind, k) for kind in kinds for k in (1, 2) if (kind, k) != ("workers=int", 1)]
    serial = dualdiff.jacobian(f, chunk=a.chunk)
    reference = serial(x)
    serial_cpu = []
    data = {key: {"in": [], "pool": [], "caller": [], "workers": [], "seen": []} for key in plan}
    for c in range(a.cycles):
        # each cycle starts at another block, so that no pool always follows
        # the closing of the same other one
        for kind, k in plan[c % len(plan):] + plan[:c % len(plan)]:
            block(kind, k, x, serial, reference, a, data[kind, k])
        t0 = time.process_time()
        serial(x)
        serial_cpu.append(time.process_time() - t0)

    seen = [s for d in data.values() for s in d["seen"] if s is not None]
    if seen:
        quiet = sum(s <= a.quiet for s in seen)
        print(f"\nother runnable processes before each pair of calls: median "
              f"{statistics.median(seen):g}, max {max(seen):g}; {quiet} of {len(seen)} pairs "
              f"started at most {a.quiet:g}")
    speedup = {key: statistics.median([i / q for i, q in zip(d["in"], d["pool"])])
               for key, d in data.items()}
    speedup["workers=int", 1] = 1.0
    print(f"\nmedians of {a.cycles} cycles x {a.block} call pairs, each pool alone in its blocks")
    print(f"{'pool':<21}{'workers':>8}{'ms per Jacobian':>17}{'in process':>12}"
          f"{'vs in process':>15}{'2 vs 1 worker':>15}")
    for kind, k in plan:
        d = data[kind, k]
        two = f"{speedup[kind, 2] / speedup[kind, 1]:.2f}x" if k == 2 else ""
        print(f"{kind:<21}{k:>8}{statistics.median(d['pool']) * 1e3:>17.1f}"
              f"{statistics.median(d['in']) * 1e3:>12.1f}{speedup[kind, k]:>14.2f}x{two:>15}")
    if psutil is not None:
        one = statistics.median(serial_cpu) * 1e3
        print("\nCPU time per Jacobian (process_time of each process, ms, medians): the "
              "speed-up bound is the in-process CPU time over the longest of the caller's and "
              "each worker's, what idle cores would give")
        print(f"{'pool':<21}{'workers':>8}{'caller':>10}{'each worker':>20}{'bound':>8}")
        print(f"{'in process':<21}{1:>8}{one:>10.1f}{'':>20}{1.0:>7.2f}x")
        for kind, k in plan:
            d = data[kind, k]
            caller = statistics.median(d["caller"]) * 1e3
            each = [statistics.median(w) * 1e3 for w in zip(*d["workers"])]
            text = " + ".join(f"{w:.0f}" for w in each)
            print(f"{kind:<21}{k:>8}{caller:>10.1f}{text:>20}{one / max([caller] + each):>7.2f}x")
    print(f"\nserial lower bound {evals * per_eval:.0f} ms of CPU; load average now "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other work on the machine "
          "takes from the workers' share)")


if __name__ == "__main__":
    main()
