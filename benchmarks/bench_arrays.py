"""Dual arrays: elementwise kernels, a dense Jacobian and a large gradient.

Prints one table of medians and ratios measured in one run, cases interleaved.
Peers (JAX, torch.func, fastdual) are timed only where installed: JAX with
x64, torch with float64 tensors made beforehand and one thread. Every
dualdiff figure is a public call (the transforms); rows marked "internal"
time f on arrays seeded and read by dualdiff's private helpers, to show what
the transform adds.

    python benchmarks/bench_arrays.py [--repeat 7]
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import importlib.util  # noqa: E402
import pathlib  # noqa: E402

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402

import dualdiff  # noqa: E402
from dualdiff._ndarray import _read_array, _seed_array  # noqa: E402  (the "internal" rows)

_spec = importlib.util.spec_from_file_location(
    "corpus", pathlib.Path(__file__).resolve().parent / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


def dd_jacobian(f, x):
    n = x.size
    y = f(_seed_array(x, 0, n, 1, 1))
    val = np.empty(y.size)
    jac = np.empty((y.size, n))
    _read_array(y, n, 1, 1, val, jac, None, 0)
    return jac


def dd_gradient(f, x):
    n = x.size
    y = f(_seed_array(x, 0, n, 1, 1))
    val = np.empty(1)
    g = np.empty((1, n))
    _read_array(y, n, 1, 1, val, g, None, 0)
    return g[0]


def dd_gradient_chunked(f, x, width):
    """The gradient in chunks of `width` directions (one call of f per chunk)."""
    n = x.size
    val = np.empty(1)
    g = np.empty((1, n))
    for start in range(0, n, width):
        w = min(width, n - start)
        _read_array(f(_seed_array(x, start, w, 1, 1)), w, 1, 1, val, g, None, start)
    return g[0]


def timeit(f, number):
    t = time.perf_counter()
    for _ in range(number):
        f()
    return (time.perf_counter() - t) / number


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)

    cases = {}  # name -> (function, calls per sample)
    # elementwise, width 1
    N = 10**6
    x = rng.uniform(-3, 3, N)
    y = rng.uniform(-3, 3, N)
    a = _seed_array(x, 0, 1, 1, 0)
    b = _seed_array(y, 1, 1, 1, 0)
    xv, yv = np.ascontiguousarray(a.value), np.ascontiguousarray(b.value)
    cases["sin: dual array"] = (lambda: np.sin(a), 3)
    cases["sin: values"] = (lambda: np.sin(xv), 3)
    cases["a*b: dual arrays"] = (lambda: a * b, 5)
    cases["a*b: values"] = (lambda: xv * yv, 5)
    ones = np.ones(N)
    cases["sin: dualdiff.jvp(np.sin, x, v)"] = (lambda: dualdiff.jvp(np.sin, xv, ones), 3)

    # dense Jacobian of the 200-variable Bratu residual
    n = 200
    u = 0.1 * np.sin(np.linspace(0, np.pi, n))
    J = dd_jacobian(corpus.bratu, u)
    assert np.allclose(J, corpus.bratu_jacobian(u), rtol=1e-12, atol=1e-9)
    jac_bratu = dualdiff.jacobian(corpus.bratu)
    assert np.array_equal(jac_bratu(u), J)
    cases["Bratu J: dualdiff.jacobian"] = (lambda: jac_bratu(u), 20)
    cases["Bratu J: internal seed/read"] = (lambda: dd_jacobian(corpus.bratu, u), 20)
    cases["Bratu F: numpy"] = (lambda: corpus.bratu(u), 200)
    peers = []
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        jf = jax.jit(jax.jacfwd(lambda v: corpus.bratu(v, xp=jnp)))
        uj = jnp.asarray(u)
        assert np.allclose(np.asarray(jf(uj)), J, rtol=1e-12, atol=1e-9)
        cases["Bratu J: jax.jit(jacfwd)"] = (lambda: jf(uj).block_until_ready(), 20)
        peers.append(f"jax {jax.__version__}")
    except ImportError:
        pass
    try:
        import torch
        import torch.func
    except ImportError:
        pass
    else:
        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # only allowed before the first parallel work
            pass
        tf = torch.func.jacfwd(lambda v: corpus.bratu(v, xp=torch))
        ut = torch.tensor(u, dtype=torch.float64)
        assert np.allclose(tf(ut).numpy(), J, rtol=1e-12, atol=1e-9)
        cases["Bratu J: torch.func.jacfwd"] = (lambda: tf(ut), 20)
        peers.append(f"torch {torch.__version__}")
    try:
        import fastdual

        def fd_jac():
            s = fastdual.DualArray(u)
            return fastdual.jac(corpus.bratu(s), s)
        assert np.allclose(np.asarray(fd_jac(), dtype=float), J, rtol=1e-12, atol=1e-9)
        cases["Bratu J: fastdual DualArray"] = (fd_jac, 1)
        peers.append(f"fastdual {fastdual.__version__ if hasattr(fastdual, '__version__') else ''}")
    except ImportError:
        pass

    # gradient of rosen at 1000 variables
    m = 1000
    xr = rng.uniform(-1, 1, m)
    assert np.allclose(dd_gradient(scipy.optimize.rosen, xr), scipy.optimize.rosen_der(xr), rtol=1e-12)
    grad_rosen = dualdiff.grad(scipy.optimize.rosen)
    assert np.allclose(grad_rosen(xr), scipy.optimize.rosen_der(xr), rtol=1e-12)
    cases["rosen grad n=1000: dualdiff.grad"] = (lambda: grad_rosen(xr), 5)
    grad_1000 = dualdiff.grad(scipy.optimize.rosen, chunk=1000)
    grad_64 = dualdiff.grad(scipy.optimize.rosen, chunk=64)
    assert np.allclose(grad_64(xr), scipy.optimize.rosen_der(xr), rtol=1e-12)
    cases["rosen grad n=1000, chunk=1000"] = (lambda: grad_1000(xr), 5)
    cases["rosen grad n=1000, chunk=64"] = (lambda: grad_64(xr), 5)
    cases["rosen grad n=1000, internal one pass"] = (lambda: dd_gradient(scipy.optimize.rosen, xr), 5)
    assert np.allclose(dd_gradient_chunked(scipy.optimize.rosen, xr, 64), scipy.optimize.rosen_der(xr), rtol=1e-12)
    cases["rosen grad n=1000, internal chunks 64"] = (lambda: dd_gradient_chunked(scipy.optimize.rosen, xr, 64), 5)
    cases["rosen f n=1000: scipy"] = (lambda: scipy.optimize.rosen(xr), 200)
    cases["rosen grad n=100: dualdiff.grad"] = (lambda: grad_rosen(xr[:100]), 50)
    cases["rosen f n=100: scipy"] = (lambda: scipy.optimize.rosen(xr[:100]), 500)

    samples = {k: [] for k in cases}
    for _ in range(args.repeat):  # interleaved
        for k, (f, num) in cases.items():
            samples[k].append(timeit(f, num))
    med = {k: statistics.median(v) for k, v in samples.items()}

    def ratio(p, q):
        return med[p] / med[q] if p in med and q in med else float("nan")

    print(f"dual arrays, medians of {args.repeat} interleaved samples; peers: {', '.join(peers) or 'none'}")
    print(f"{'case':40s} {'median':>12s}")
    for k, v in med.items():
        print(f"{k:40s} {v * 1e3:10.3f} ms")
    print()
    print(f"{'ratio':58s} {'value':>8s} {'target':>8s}")
    rows = [
        ("jvp(np.sin) / sin values (10^6, width 1)", ratio("sin: dualdiff.jvp(np.sin, x, v)", "sin: values"), ""),
        ("  internal: sin dual / sin values", ratio("sin: dual array", "sin: values"), "<= 2"),
        ("  internal: a*b dual / a*b values", ratio("a*b: dual arrays", "a*b: values"), "<= 3"),
        ("jacobian(bratu) / jax.jit(jacfwd)", ratio("Bratu J: dualdiff.jacobian", "Bratu J: jax.jit(jacfwd)"),
         "<= 3"),
        ("jacobian(bratu) / torch.func.jacfwd", ratio("Bratu J: dualdiff.jacobian", "Bratu J: torch.func.jacfwd"),
         ""),
        ("fastdual DualArray / jacobian(bratu)", ratio("Bratu J: fastdual DualArray", "Bratu J: dualdiff.jacobian"),
         ">= 10"),
        ("jacobian(bratu) / one F evaluation", ratio("Bratu J: dualdiff.jacobian", "Bratu F: numpy"), ""),
        ("  internal seed/read / one F evaluation", ratio("Bratu J: internal seed/read", "Bratu F: numpy"), ""),
        ("grad(rosen) / rosen f (n=1000; 4 passes of 250)",
         ratio("rosen grad n=1000: dualdiff.grad", "rosen f n=1000: scipy"), ""),
        ("grad(rosen, chunk=1000) / rosen f (n=1000)",
         ratio("rosen grad n=1000, chunk=1000", "rosen f n=1000: scipy"), ""),
        ("grad(rosen, chunk=64) / rosen f (n=1000)",
         ratio("rosen grad n=1000, chunk=64", "rosen f n=1000: scipy"), ""),
        ("  internal one pass of 1000 / rosen f (n=1000)",
         ratio("rosen grad n=1000, internal one pass", "rosen f n=1000: scipy"), ""),
        ("  internal 16 passes of 64 / rosen f (n=1000)",
         ratio("rosen grad n=1000, internal chunks 64", "rosen f n=1000: scipy"), ""),
        ("dualdiff.grad(rosen) / rosen f (n=100; one pass)",
         ratio("rosen grad n=100: dualdiff.grad", "rosen f n=100: scipy"), ""),
    ]
    for name, r, target in rows:
        print(f"{name:58s} {r:8.2f} {target:>8s}")


if __name__ == "__main__":
    main()
