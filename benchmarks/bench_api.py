"""Benchmark of the derivative transforms against plain floats (and peers where installed).

Run: python benchmarks/bench_api.py [--repeats N] [--chunks]

Cases (shared with the tests through corpus.py):
  grad     gradient of corpus.loop_function, 8 variables      target <= 3x floats
  hessian  Hessian of corpus.loop_function, 8 variables       target <= 6x floats
  deriv    derivative of corpus.scalar_expr through the API   target <= 2x floats
Times are medians of interleaved repeats of thread CPU time (robust on a shared
machine), in microseconds per call; ratios are
to the float evaluation of the same function, measured in the same run.
Peers where installed: jax.jit of jax.grad / jax.hessian (x64 enabled) and
torch.func.grad / torch.func.hessian (float64 tensors made beforehand, one
torch thread), each called as a user calls it.
--chunks also prints gradient and Hessian times against the chunk size.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import dualdiff  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "corpus", os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.py"))
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
_spec = importlib.util.spec_from_file_location(
    "timing", os.path.join(os.path.dirname(os.path.abspath(__file__)), "timing.py"))
timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(timing)

X8 = [0.3, -0.7, 1.1, 0.5, -0.2, 0.9, 1.4, -1.0]
X0 = 0.7


class _Methods:
    """sin, cos, ... as methods of the argument (num-dual's numbers)."""
    sin = staticmethod(lambda x: x.sin())
    cos = staticmethod(lambda x: x.cos())
    exp = staticmethod(lambda x: x.exp())
    log = staticmethod(lambda x: x.log())
    sqrt = staticmethod(lambda x: x.sqrt())


def cases():
    """{group: [(label, callable)]}; the first entry of each group is the float baseline."""
    dm = dualdiff.math
    g = dualdiff.grad(corpus.loop_function)
    h = dualdiff.hessian(corpus.loop_function)
    d = dualdiff.derivative(corpus.scalar_expr)
    out = {
        "grad": [("floats", lambda: corpus.loop_function(X8)), ("dualdiff.grad", lambda: g(X8))],
        "hessian": [("floats", lambda: corpus.loop_function(X8)), ("dualdiff.hessian", lambda: h(X8))],
        "deriv": [("floats", lambda: corpus.scalar_expr(X0, math)),
                  ("dualdiff.derivative", lambda: d(X0, dm))],
    }
    xa = np.array(X8)
    out["grad"].append(("dualdiff.grad (ndarray x)", lambda: g(xa)))
    out["hessian"].append(("dualdiff.hessian (ndarray x)", lambda: h(xa)))
    # f alone on Duals seeded once, outside the timing: the share of Dual arithmetic
    from dualdiff._dual import _seed, _seed_scalar
    d1 = np.array(_seed(xa, 0, 8, 1, 0) + [None])[:-1]
    d2 = np.array(_seed(xa, 0, 8, 2, 0) + [None])[:-1]
    d0 = _seed_scalar(X0, 1, 0)
    out["grad"].append(("  f on Duals, no transform", lambda: corpus.loop_function(d1)))
    out["hessian"].append(("  f on Duals, no transform", lambda: corpus.loop_function(d2)))
    out["deriv"].append(("  f on a Dual, no transform", lambda: corpus.scalar_expr(d0, dm)))
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        jx = jnp.array(X8)
        jg = jax.jit(jax.grad(corpus.loop_function))
        jh = jax.jit(jax.hessian(corpus.loop_function))
        jd = jax.jit(jax.grad(lambda x: corpus.scalar_expr(x, jnp)))
        jx0 = jnp.float64(X0)
        for fn, arg in ((jg, jx), (jh, jx), (jd, jx0)):
            fn(arg).block_until_ready()
        out["grad"].append(("jax.jit(jax.grad)", lambda: jg(jx).block_until_ready()))
        out["hessian"].append(("jax.jit(jax.hessian)", lambda: jh(jx).block_until_ready()))
        out["deriv"].append(("jax.jit(jax.grad)", lambda: jd(jx0).block_until_ready()))
    except ImportError:
        print("jax not installed: skipped")
    try:
        import torch
        import torch.func
    except ImportError:
        print("torch not installed: skipped")
    else:
        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # only allowed before the first parallel work
            pass
        tx = torch.tensor(X8, dtype=torch.float64)
        tx0 = torch.tensor(X0, dtype=torch.float64)
        tg = torch.func.grad(corpus.loop_function)
        th = torch.func.hessian(corpus.loop_function)
        td = torch.func.grad(lambda t: corpus.scalar_expr(t, torch))
        assert np.allclose(tg(tx).numpy(), corpus.loop_function_gradient(X8), rtol=1e-13, atol=1e-13)
        assert np.allclose(th(tx).numpy(), h(X8), rtol=1e-12, atol=1e-12)
        assert math.isclose(float(td(tx0)), corpus.scalar_expr_derivative(X0, math), rel_tol=1e-13)
        out["grad"].append(("torch.func.grad", lambda: tg(tx)))
        out["hessian"].append(("torch.func.hessian", lambda: th(tx)))
        out["deriv"].append(("torch.func.grad", lambda: td(tx0)))
    try:
        import fastdual
        fg = fastdual.autojac(lambda *xs: corpus.loop_function(xs))
        fh = fastdual.autohess(lambda *xs: corpus.loop_function(xs))
        fd = fastdual.autojac(lambda x: corpus.scalar_expr(x, np))
        out["grad"].append(("fastdual.autojac", lambda: fg(*X8)))
        out["hessian"].append(("fastdual.autohess", lambda: fh(*X8)))
        out["deriv"].append(("fastdual.autojac", lambda: fd(X0)))
    except ImportError:
        print("fastdual not installed: skipped")
    try:
        import num_dual
        out["grad"].append(("num_dual.gradient", lambda: num_dual.gradient(corpus.loop_function, X8)))
        out["hessian"].append(("num_dual.hessian", lambda: num_dual.hessian(corpus.loop_function, X8)))
        out["deriv"].append(("num_dual.first_derivative",
                             lambda: num_dual.first_derivative(lambda x: corpus.scalar_expr(x, _Methods), X0)))
    except ImportError:
        print("num-dual not installed: skipped")
    return out


def check(table):
    """Each dualdiff result against the hand derivatives in corpus.py."""
    g = dualdiff.grad(corpus.loop_function)(X8)
    assert np.allclose(g, corpus.loop_function_gradient(X8), rtol=1e-13, atol=1e-13)
    d = dualdiff.derivative(corpus.scalar_expr)(X0, dualdiff.math)
    assert math.isclose(d, corpus.scalar_expr_derivative(X0, math), rel_tol=1e-13)


def measure(table, repeats, target=0.02):
    """Median microseconds per call for every entry, cases interleaved."""
    return timing.measure(table, repeats, target, timer=time.thread_time)


TARGETS = {"grad": 3.0, "hessian": 6.0, "deriv": 2.0}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=21)
    p.add_argument("--chunks", action="store_true", help="also sweep the chunk size")
    a = p.parse_args(argv)
    table = cases()
    check(table)
    times = measure(table, a.repeats)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, dualdiff {dualdiff.__version__}, "
          f"median of {a.repeats} interleaved repeats")
    print(f"{'case':8} {'method':28} {'us/call':>9} {'x floats':>9} {'target':>7}")
    for group, entries in table.items():
        base = times[(group, entries[0][0])]
        for label, _ in entries:
            t = times[(group, label)]
            tgt = f"<= {TARGETS[group]:g}x" if label.startswith("dualdiff") else ""
            print(f"{group:8} {label:28} {t:9.2f} {t / base:9.2f} {tgt:>7}")
    for group in ("grad", "hessian"):  # SciPy passes x as an ndarray: target <= 1.2x the list
        r = times[(group, f"dualdiff.{group} (ndarray x)")] / times[(group, f"dualdiff.{group}")]
        print(f"{group}: ndarray x / list x = {r:.2f} (target <= 1.2)")
    if a.chunks:
        sweep(a.repeats)


def sweep(repeats):
    """Gradient and Hessian time against the chunk size (how the defaults were chosen)."""
    def rosen(x):
        return corpus.loop_function(x)
    table = {}
    for n in (16, 64, 256):
        x = list(np.linspace(-1.0, 1.0, n))
        v = np.ones(n)
        entries = [("floats", (lambda x=x: rosen(x)))]
        for c in (8, 15, 16, 32, 64, 128, 256):
            if c <= n:
                g = dualdiff.grad(rosen, chunk=c)
                entries.append((f"grad chunk={c}", (lambda g=g, x=x: g(x))))
        for c in (8, 16, 32, 64):
            if c <= n <= 64:
                h = dualdiff.hessian(rosen, chunk=c)
                entries.append((f"hessian chunk={c}", (lambda h=h, x=x: h(x))))
        for c in (4, 8, 16):
            if n == 64:
                hv = dualdiff.hvp(rosen, chunk=c)
                entries.append((f"hvp chunk={c}", (lambda hv=hv, x=x, v=v: hv(x, v))))
        table[f"n={n}"] = entries
    times = measure(table, max(5, repeats // 3))
    print(f"\n{'n':6} {'method':28} {'us/call':>9} {'x floats':>9}")
    for group, entries in table.items():
        base = times[(group, "floats")]
        for label, _ in entries:
            t = times[(group, label)]
            print(f"{group:6} {label:28} {t:9.2f} {t / base:9.2f}")


if __name__ == "__main__":
    main()
