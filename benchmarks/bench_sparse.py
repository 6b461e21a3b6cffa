"""Sparse Jacobian benchmark: colored forward mode against peers and against
the cost of the residual itself.

1. The 1-D Bratu residual at n = 2000: dualdiff's colored sparse Jacobian
   (coloring prepared once) vs SciPy's sparse finite differences
   (approx_derivative with sparsity=) and, where installed, dense
   jax.jit(jax.jacfwd) with float64.
2. Cost in residual evaluations of a colored Jacobian with c colors (target at
   most 2 (c + 1)) on the 1-D Bratu problem at n = 10^5 and on a 2-D five-point
   Laplacian plus a nonlinearity on a 300 x 300 grid.

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

    # the stencils' patterns are given (detection runs on scalar numbers and is
    # timed on its own below); the coloring is prepared once
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

    print("\n3. Sparsity detection (once per problem)\n")
    for n in (2000, 20000):
        xd = np.linspace(0.1, 0.5, n)
        t0 = time.perf_counter()
        P = dualdiff.jacobian_sparsity(bratu, xd)
        print(f"1-D Bratu, n = {n:6d}: {time.perf_counter() - t0:6.2f}s, {P.nnz} entries")


if __name__ == "__main__":
    main()
