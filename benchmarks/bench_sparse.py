"""Sparse Jacobian benchmark: colored forward mode against peers and against
the cost of the residual itself.

1. The 1-D Bratu residual at n = 2000: dualdiff's colored sparse Jacobian
   (coloring prepared once) vs SciPy's sparse finite differences
   (approx_derivative with sparsity=) and, where installed, dense
   jax.jit(jax.jacfwd) with float64.
2. Cost in residual evaluations of a colored Jacobian with c colors (target at
   most 2 (c + 1)) on the 1-D Bratu problem at n = 10^5 and on a 2-D five-point
   Laplacian plus a nonlinearity on a 300 x 300 grid.
3. Sparsity detection (jacobian_sparsity: one pass on dependency sets) on both
   problems at n = 10^4, 2 10^4 and 10^5, in evaluations of the residual on
   floats, beside the previous detector (object arrays of pattern numbers of
   order 0, 256 inputs per pass, its time growing as n^2) where it finishes in
   reasonable time (--previous-up-to).

Medians of interleaved repeats, one process. Run: python benchmarks/bench_sparse.py
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import statistics
import time

import numpy as np

import importlib.util
import pathlib

import dualdiff

_spec = importlib.util.spec_from_file_location(
    "corpus", pathlib.Path(__file__).resolve().parent / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
bratu = corpus.bratu


def laplace2d(m):
    """The residual of -Laplace(u) + u^3 - 1 on an m x m grid, flattened."""
    h2 = (1.0 / (m + 1)) ** 2

    def F(u):
        U = u.reshape(m, m)
        P = np.pad(U, 1)
        lap = (P[2:, 1:-1] + P[:-2, 1:-1] + P[1:-1, 2:] + P[1:-1, :-2] - 4.0 * U) / h2
        return (-lap + U ** 3 - 1.0).reshape(-1)

    return F


def median_time(fns, repeats, number):
    times = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            times[k].append((time.perf_counter() - t0) / number)
    return {k: statistics.median(v) for k, v in times.items()}


def peers_bratu(n, x, pattern):
    fns = {}
    try:
        from scipy.optimize._numdiff import approx_derivative

        fns["scipy sparse finite differences"] = lambda: approx_derivative(
            bratu, x, method="2-point", sparsity=pattern)
    except ImportError:
        pass
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        def jbratu(u):
            return bratu(u, xp=jnp)

        jf = jax.jit(jax.jacfwd(jbratu))
        xj = jnp.asarray(x)
        jf(xj).block_until_ready()  # compile outside the timing
        fns["jax.jit(jax.jacfwd), dense"] = lambda: jf(xj).block_until_ready()
    except ImportError:
        pass
    return fns


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--previous-up-to", type=int, default=2 * 10 ** 4,
                    help="time the previous detector up to this n (0: never; it grows as n^2)")
    args = ap.parse_args(argv)

    print("1. Bratu residual, n = 2000 (median of interleaved repeats)\n")
    n = 2000
    x = np.linspace(0.1, 0.5, n)
    J = dualdiff.jacobian(bratu, sparsity="auto")
    J(x)  # detect the pattern and color it once
    fns = {"dualdiff colored sparse Jacobian": lambda: J(x)}
    fns.update(peers_bratu(n, x, J.sparsity))
    fns["residual evaluation"] = lambda: bratu(x)
    med = median_time(fns, args.repeats, 20)
    base = med["dualdiff colored sparse Jacobian"]
    print(f"{'case':36s} {'time':>10s} {'vs dualdiff':>12s}")
    for k, t in med.items():
        print(f"{k:36s} {t * 1e3:8.3f}ms {t / base:11.2f}x")
    print(f"colors: {J.ncolors}")

    print("\n2. Colored Jacobian cost in residual evaluations (target <= 2 (c + 1))")
    tuned = [k for k in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_") if k in os.environ]
    print("   glibc allocator: " + (", ".join(f"{k}={os.environ[k]}" for k in tuned) if tuned else
                                   "defaults") + "\n")
    print(f"{'problem':34s} {'n':>7s} {'colors c':>9s} {'Jacobian':>10s} {'residual':>10s} "
          f"{'ratio':>7s} {'2(c+1)':>7s}")
    import scipy.sparse as sp

    # the stencils' patterns are given (detection is timed on its own below);
    # the coloring is prepared once
    n1, m2 = 10 ** 5, 300
    # tridiagonal: a superset of Bratu's pattern at the two boundary rows (stored exact zeros)
    tri = sp.diags_array([np.ones(n1 - 1), np.ones(n1), np.ones(n1 - 1)], offsets=[-1, 0, 1])
    I = sp.eye_array(m2)
    T = sp.diags_array([np.ones(m2 - 1), np.ones(m2), np.ones(m2 - 1)], offsets=[-1, 0, 1])
    five = sp.kron(I, T) + sp.kron(T, I)
    problems = [("1-D Bratu", bratu, np.linspace(0.1, 0.5, n1), tri),
                ("2-D Laplacian + u^3, 300 x 300", laplace2d(m2), np.full(m2 * m2, 0.1), five)]
    for name, F, x0, pattern in problems:
        t0 = time.perf_counter()
        Jp = dualdiff.jacobian(F, sparsity=pattern)
        Jp(x0)
        prep = time.perf_counter() - t0
        med = median_time({"J": lambda: Jp(x0), "F": lambda: F(x0)}, args.repeats, 3)
        ratio = med["J"] / med["F"]
        print(f"{name:34s} {x0.size:7d} {Jp.ncolors:9d} {med['J'] * 1e3:8.2f}ms {med['F'] * 1e3:8.3f}ms "
              f"{ratio:7.1f} {2 * (Jp.ncolors + 1):7d}   (coloring once: {prep:.2f}s)")

    print("\n3. Sparsity detection, in evaluations of the residual on floats\n")
    print(f"{'problem':22s} {'n':>7s} {'residual':>10s} {'detection':>10s} {'ratio':>7s} "
          f"{'previous':>10s} {'ratio':>7s} {'speed-up':>9s}")
    for name, make in (("1-D Bratu", lambda n: (bratu, np.linspace(0.1, 0.5, n))),
                       ("2-D Laplacian + u^3", lambda n: (laplace2d(round(n ** 0.5)),
                                                           np.full(round(n ** 0.5) ** 2, 0.1)))):
        for n in (10 ** 4, 2 * 10 ** 4, 10 ** 5):
            F, x0 = make(n)
            P = dualdiff.jacobian_sparsity(F, x0)  # warm up
            med = median_time({"detect": lambda: dualdiff.jacobian_sparsity(F, x0), "F": lambda: F(x0)},
                              args.repeats, 1)
            line = (f"{name:22s} {x0.size:7d} {med['F'] * 1e3:8.3f}ms {med['detect'] * 1e3:8.1f}ms "
                    f"{med['detect'] / med['F']:7.0f}")
            if x0.size <= args.previous_up_to:
                t0 = time.perf_counter()
                old = previous_detection(F, x0)
                t_old = time.perf_counter() - t0
                assert (old != P).nnz == 0, "the two detectors disagree"
                line += f" {t_old:9.2f}s {t_old / med['F']:7.0f} {t_old / med['detect']:8.0f}x"
            else:
                line += f" {'-':>10s} {'-':>7s} {'-':>9s}"
            print(line)


def previous_detection(f, x, chunk=256):
    """The detector jacobian_sparsity used before: f on object arrays of
    pattern numbers of order 0 (flags over a chunk of inputs), a pass per
    chunk. Kept here to time against."""
    import scipy.sparse as sp

    from dualdiff import _seeding
    from dualdiff._dual import _seed

    flat, shape = _seeding.flatten(x)
    n = flat.shape[0]
    tag = _seeding.new_tag()
    rows, cols, m = [], [], 0
    for start in range(0, n, chunk):
        width = min(chunk, n - start)
        duals = _seed(flat, start, width, 0, tag)
        a = np.empty(len(duals), dtype=object)
        a[:] = duals
        value, block, _ = _seeding.read_result(f(a.reshape(shape)), width, 0, tag)
        m = value.shape[0]
        r, k = np.nonzero(block)
        rows.append(r)
        cols.append(k + start)
    r = np.concatenate(rows)
    return sp.csr_array((np.ones(r.size, dtype=bool), (r, np.concatenate(cols))), shape=(m, n))


if __name__ == "__main__":
    main()
