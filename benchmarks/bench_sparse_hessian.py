"""Sparse Hessian benchmark: colors, cost in evaluations of f, and speed-up over
the dense Hessian, through the public API (dualdiff.hessian(f, sparsity="auto")).

1. Banded objectives (tridiagonal: chained Rosenbrock; pentadiagonal: elements
   of three neighbours), an arrowhead (one variable coupled to all) at
   n = 10^4, and a 2-D energy (five-point stencil plus a nonlinear term) on a
   300 x 300 grid: colors c, time per Hessian and per evaluation of f on
   floats, their ratio beside the target 3 (c + 1)^2, and the detection time
   (hessian_sparsity) in evaluations of f; hessian_sparsity at n = 10^5.
2. At n = 1000, where the dense hessian still runs: the sparse Hessian against
   dualdiff.hessian(f) (dense), and, where installed, jax.jit(jax.hessian) at
   n = 2000 (absent peers are skipped).

Medians of interleaved repeats, one process. Run: python benchmarks/bench_sparse_hessian.py
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import statistics
import time

import numpy as np

import dualdiff


def rosen(x, xp=np):
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def penta(x, xp=np):
    return xp.sum(xp.cos(x[:-2] * x[1:-1] + x[2:]) ** 2) + xp.sum(x ** 4)


def arrow(x, xp=np):
    return xp.sum((x[0] * x[1:] - 1.0) ** 2) + xp.sum(x ** 2)


def energy2d(m):
    """0.5 |grad u|^2 + h^2 (u^4 / 4 - u) on an m x m grid, u = 0 outside."""
    h2 = (1.0 / (m + 1)) ** 2

    def f(u):
        U = u.reshape(m, m)
        P = np.pad(U, 1)
        gx = P[1:, 1:-1] - P[:-1, 1:-1]
        gy = P[1:-1, 1:] - P[1:-1, :-1]
        return 0.5 * np.sum(gx ** 2) + 0.5 * np.sum(gy ** 2) + h2 * np.sum(0.25 * U ** 4 - U)

    return f


def median_time(fns, repeats, number):
    times = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            times[k].append((time.perf_counter() - t0) / number)
    return {k: statistics.median(v) for k, v in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--dense-repeats", type=int, default=1)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)

    print("1. Colors and cost in evaluations of f (median of interleaved repeats)\n")
    print(f"{'problem':32s} {'n':>6s} {'c':>3s} {'Hessian':>10s} {'f':>10s} {'ratio':>7s} "
          f"{'3(c+1)^2':>9s} {'detection':>10s} {'ratio':>7s}")
    m = 300
    problems = [("tridiagonal (chained Rosenbrock)", rosen, rng.uniform(0.1, 0.9, 10 ** 4)),
                ("pentadiagonal (3 neighbours)", penta, rng.uniform(0.1, 0.9, 10 ** 4)),
                ("arrowhead", arrow, rng.uniform(0.1, 0.9, 10 ** 4)),
                ("2-D energy, 300 x 300", energy2d(m), rng.uniform(0.1, 0.9, m * m))]
    for name, f, x in problems:
        H = dualdiff.hessian(f, sparsity="auto")
        H(x)  # detect and color once
        med = median_time({"H": lambda: H(x), "f": lambda: f(x),
                           "detect": lambda: dualdiff.hessian_sparsity(f, x)}, args.repeats, 1)
        c = H.ncolors
        print(f"{name:32s} {x.size:6d} {c:3d} {med['H'] * 1e3:8.2f}ms {med['f'] * 1e3:8.3f}ms "
              f"{med['H'] / med['f']:7.1f} {3 * (c + 1) ** 2:9d} {med['detect'] * 1e3:8.1f}ms "
              f"{med['detect'] / med['f']:7.1f}")

    print(f"\n{'hessian_sparsity at n = 10^5':32s} {'detection':>10s} {'f':>10s} {'ratio':>7s}")
    for name, f, _ in problems[:3]:
        x = rng.uniform(0.1, 0.9, 10 ** 5)
        dualdiff.hessian_sparsity(f, x[:100])
        med = median_time({"detect": lambda: dualdiff.hessian_sparsity(f, x), "f": lambda: f(x)},
                          max(3, args.repeats // 2), 1)
        print(f"{name:32s} {med['detect'] * 1e3:8.0f}ms {med['f'] * 1e3:8.3f}ms {med['detect'] / med['f']:7.0f}")

    print("\n2. Sparse against dense Hessians\n")
    print(f"{'problem':32s} {'n':>6s} {'sparse':>10s} {'dense':>10s} {'speed-up':>9s}")
    n = 1000
    for name, f, _ in problems[:3]:
        x = rng.uniform(0.1, 0.9, n)
        H = dualdiff.hessian(f, sparsity="auto")
        dense = dualdiff.hessian(f)
        assert np.allclose(H(x).toarray(), dense(x), rtol=1e-12, atol=1e-12)
        sparse_t = median_time({"s": lambda: H(x)}, args.repeats, 3)["s"]
        dense_t = median_time({"d": lambda: dense(x)}, args.dense_repeats, 1)["d"]
        print(f"{name:32s} {n:6d} {sparse_t * 1e3:8.2f}ms {dense_t * 1e3:8.0f}ms {dense_t / sparse_t:8.0f}x")
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
    except ImportError:
        print("\n(JAX is not installed: jax.jit(jax.hessian) at n = 2000 skipped)")
        return
    print(f"\n{'problem, n = 2000':32s} {'dualdiff sparse':>16s} {'jax.jit(jax.hessian)':>21s} {'ratio':>7s}")
    n = 2000
    for name, f, _ in problems[:3]:
        x = rng.uniform(0.1, 0.9, n)
        H = dualdiff.hessian(f, sparsity="auto")
        jh = jax.jit(jax.hessian(lambda y, f=f: f(y, xp=jnp)))
        xj = jnp.asarray(x)
        jh(xj).block_until_ready()  # compile outside the timing
        med = median_time({"d": lambda: H(x), "j": lambda: jh(xj).block_until_ready()}, args.repeats, 3)
        print(f"{name:32s} {med['d'] * 1e3:14.2f}ms {med['j'] * 1e3:19.2f}ms {med['j'] / med['d']:7.1f}")


if __name__ == "__main__":
    main()
