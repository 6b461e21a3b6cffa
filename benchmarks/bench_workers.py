"""Parallel chunks: dualdiff.jacobian(f, chunk=8, workers=...) with one and two workers.

    python benchmarks/bench_workers.py [--repeats 9] [--n 64] [--chunk 8] [--ms 20]
                                       [--quiet 0.5] [--wait 10] [--no-dask]

``f`` maps 64 inputs to 64 outputs through a Python loop of NumPy operations
on dual arrays that holds the GIL and takes about ``--ms`` milliseconds of CPU
per evaluation at 8 directions (calibrated at the start). The Jacobian takes
n / chunk = 8 evaluations. Every pool is made beforehand and used once before
timing; each entry times ``jacobian(f, chunk=8, workers=...)(x)`` through the
public API, in interleaved rounds (each round calls every entry once, so a
burst of load on a shared machine hits all entries alike). The tables show
the median and the best of wall-clock times, the speed-up over workers=1 and
the speed-up of two workers over one of the same kind of pool:

  in process           workers=1: the chunks one after the other, no pool
  workers=int          workers=2: the pool that dualdiff makes and keeps with
                       the transform (its "one worker" is workers=1)
  Pool.map             workers=multiprocessing.Pool(k).map
  ProcessPoolExecutor  workers=concurrent.futures.ProcessPoolExecutor(k).map
  dask                 workers=client, a dask.distributed Client of a
                       LocalCluster of k worker processes, one thread each
  ceiling              Pool(k).map of 8 tasks of plain Python arithmetic, each
                       a fixed amount of work that takes as much CPU time as
                       an evaluation when it runs alone: the speed-up this
                       machine grants two processes at the moment (two busy
                       cores may each run slower than one, and other work on
                       a shared machine takes from them)

The machine's load matters: before each sample the script waits (up to
``--wait`` seconds) until the processes running besides its own are at most
``--quiet`` (from /proc/loadavg, where available), and it prints the load
average at the start and at the end and how many samples started quiet.

A last table gives the CPU time per Jacobian of the caller and of each
worker process (with psutil, which dask.distributed installs) and the
speed-up they bound: the in-process CPU time over the longest of them, what
two idle cores would give. (The caller's share includes the threads of every
pool and Dask scheduler this script keeps in its process.)

Every parallel result is checked to equal the in-process one bit for bit.
OPENBLAS_NUM_THREADS=1, so that each process uses one core.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import multiprocessing
import statistics
import time

import numpy as np

import dualdiff

ROUNDS = 100  # loop rounds per evaluation of f, calibrated in main()


def f(x):
    """A function of a vector that holds the GIL: ROUNDS small NumPy steps."""
    y = x
    for _ in range(ROUNDS):
        y = np.sin(y) * 0.5 + x * 0.25
    return y


def spin(n):
    """A fixed amount of CPU work (n steps of a Python loop): the ceiling
    rows, work that the pools share out perfectly."""
    s = 0.0
    for i in range(n):
        s += i * 0.5
    return s


def spin_steps(ms):
    """The steps of spin that take ``ms`` milliseconds of CPU in this
    process, alone (the median of a few timings)."""
    n = 100_000
    times = []
    for _ in range(5):
        t0 = time.process_time()
        spin(n)
        times.append(time.process_time() - t0)
    return max(1, round(n * ms / 1e3 / statistics.median(times)))


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


def cpu_accounting(entries, x, pids, repeats):
    """{label: (caller ms, [ms of each worker])} of CPU per call, for workers=1
    and the entries whose worker pids are known (psutil, when installed)."""
    try:
        import psutil
    except ImportError:
        return {}
    out = {}
    for _, label, J in entries:
        if label != "workers=1" and label not in pids:
            continue
        procs = [psutil.Process(p) for p in pids.get(label, [])]
        before = [sum(p.cpu_times()[:2]) for p in procs]
        t0 = time.process_time()
        for _ in range(repeats):
            J(x)
        caller = (time.process_time() - t0) / repeats * 1e3
        each = [(sum(p.cpu_times()[:2]) - b) / repeats * 1e3 for p, b in zip(procs, before)]
        out[label] = (caller, each)
    return out


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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--chunk", type=int, default=8)
    p.add_argument("--ms", type=float, default=20.0)
    p.add_argument("--quiet", type=float, default=0.5,
                   help="other runnable processes tolerated before a round")
    p.add_argument("--wait", type=float, default=10.0,
                   help="seconds to wait for that before a round")
    p.add_argument("--no-dask", action="store_true")
    a = p.parse_args()

    from concurrent.futures import ProcessPoolExecutor

    x = np.linspace(0.1, 2.0, a.n)
    per_eval = calibrate(x, a.chunk, a.ms)
    evals = -(-a.n // a.chunk)
    print(f"f: {ROUNDS} rounds, {per_eval:.1f} ms CPU per evaluation at {a.chunk} directions; "
          f"n = {a.n}, chunk = {a.chunk}: {evals} evaluations per Jacobian; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")

    reference = dualdiff.jacobian(f, chunk=a.chunk)(x)
    # (kind, label, transform); the first entry of a kind is its one worker
    entries = [("in process", "workers=1", dualdiff.jacobian(f, chunk=a.chunk)),
               ("workers=int", "workers=2", dualdiff.jacobian(f, chunk=a.chunk, workers=2))]
    closers = []
    pids = {}  # label -> the pids of its worker processes
    pools = {k: multiprocessing.Pool(k) for k in (1, 2)}  # forked now: they see ROUNDS
    closers += [pl.terminate for pl in pools.values()]
    for k, pl in pools.items():
        entries.append(("Pool.map", f"Pool({k}).map",
                        dualdiff.jacobian(f, chunk=a.chunk, workers=pl.map)))
    executors = {k: ProcessPoolExecutor(k) for k in (1, 2)}
    closers += [ex.shutdown for ex in executors.values()]
    for k, ex in executors.items():
        entries.append(("ProcessPoolExecutor", f"ProcessPoolExecutor({k}).map",
                        dualdiff.jacobian(f, chunk=a.chunk, workers=ex.map)))
    if not a.no_dask:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            print("dask.distributed is not installed: the dask rows are skipped "
                  "(pip install 'dask[distributed]')")
        else:
            for k in (1, 2):
                cluster = LocalCluster(n_workers=k, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
                client = Client(cluster)
                closers += [cluster.close, client.close]
                entries.append(("dask", f"LocalCluster({k} workers)",
                                dualdiff.jacobian(f, chunk=a.chunk, workers=client)))
                pids[f"LocalCluster({k} workers)"] = list(client.run(os.getpid).values())
    steps = spin_steps(per_eval)
    for k, pl in pools.items():
        entries.append(("ceiling", f"Pool({k}).map of spin",
                        lambda _, pl=pl: np.asarray(pl.map(spin, [steps] * evals, chunksize=1))))
    try:
        for kind, label, J in entries:  # warm up: the pools start, workers import dualdiff
            if not np.array_equal(J(x), reference) and kind != "ceiling":
                raise SystemExit(f"{label}: a parallel Jacobian differs from the in-process one")
        pids["workers=2"] = pool_pids(entries[1][2]._workers.pool)
        for k in (1, 2):
            pids[f"Pool({k}).map"] = pool_pids(pools[k])
            pids[f"ProcessPoolExecutor({k}).map"] = pool_pids(executors[k])
        samples = {label: [] for _, label, _ in entries}
        seen = []
        for _ in range(a.repeats):
            for _, label, J in entries:
                seen.append(wait_quiet(a.quiet, a.wait))
                t0 = time.perf_counter()
                J(x)
                samples[label].append(time.perf_counter() - t0)
        ms = {label: statistics.median(v) * 1e3 for label, v in samples.items()}
        best = {label: min(v) * 1e3 for label, v in samples.items()}
        cpu = cpu_accounting(entries, x, pids, a.repeats)
    finally:
        for close in reversed(closers):
            close()

    known = [n for n in seen if n is not None]
    if known:
        quiet = sum(n <= a.quiet for n in known)
        print(f"\nother runnable processes before each sample: median {statistics.median(known):g}, "
              f"max {max(known):g}; {quiet} of {len(known)} samples started at most {a.quiet:g}")
    for title, t in (("median", ms), ("best", best)):
        base = t["workers=1"]
        one = {}
        for kind, label, _ in entries:
            one.setdefault(kind, t[label])
        one["workers=int"] = base
        print(f"\n{title} of {a.repeats} rounds")
        print(f"{'pool':<21}{'workers':<30}{'ms per Jacobian':>16}{'vs workers=1':>14}{'vs 1 worker':>13}")
        for kind, label, _ in entries:
            vs_one = f"{one[kind] / t[label]:.2f}x" if kind != "in process" else ""
            print(f"{kind:<21}{label:<30}{t[label]:>16.1f}{base / t[label]:>13.2f}x{vs_one:>13}")
    if cpu:
        serial = cpu.pop("workers=1")[0]
        print("\nCPU time per Jacobian (process_time of each process, ms): the speed-up bound is "
              "the in-process CPU time over the longest of the caller's and each worker's, what "
              "two idle cores would give")
        print(f"{'workers':<30}{'caller':>8}{'each worker':>24}{'bound':>8}")
        print(f"{'workers=1':<30}{serial:>8.1f}{'':>24}{1.0:>7.2f}x")
        for label, (caller, each) in cpu.items():
            text = " + ".join(f"{w:.0f}" for w in each)
            print(f"{label:<30}{caller:>8.1f}{text:>24}{serial / max([caller] + each):>7.2f}x")
    print(f"\nserial lower bound {evals * per_eval:.0f} ms of CPU; load average now "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other work on the machine "
          "takes from the workers' share)")


if __name__ == "__main__":
    main()
