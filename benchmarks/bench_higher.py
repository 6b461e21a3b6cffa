"""Higher-order benchmark: Taylor coefficients and nested transforms.

Times, in one process with interleaved repeats (medians, thread CPU time):
  * taylor(f, order=K) of the 16-operation corpus expression (K = 2, 5, 10, 20)
    against derivative(f) (one first-order evaluation) and f on floats;
  * jacobian(grad(f)) against hessian(f) for the 8-variable loop function
    (nesting: a second-order number over 16 directions against one over 8);
  * the k-th derivative of the corpus expression by k nested derivative
    calls (k = 2 to 5: levels past the second run in Python) against
    taylor(f, order=k), and the third-derivative tensor of the loop function
    by jacobian(jacobian(grad(f)));
  * Hessian-vector products of SciPy's Rosenbrock function (n = 200, 1000):
    jvp(grad(f), x, v), where the inner grad runs in chunks of directions,
    and hvp(f)(x, v), against grad(f)(x);
  * where JAX is installed, jax.jit of jax.experimental.jet.jet for the same
    Taylor coefficients, jax.jit(jax.jacfwd(jax.grad(f))) and
    jax.jit(jax.jvp of jax.grad) beside them.

Run: python benchmarks/bench_higher.py [--repeats N]
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import math  # noqa: E402
import pathlib  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402

import dualdiff  # noqa: E402
from dualdiff import math as dm  # noqa: E402

_here = pathlib.Path(__file__).resolve().parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, _here / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


corpus = _load("corpus")
timing = _load("timing")

ORDERS = (2, 5, 10, 20)
DEPTHS = (2, 3, 4, 5)
X0 = 0.7
P8 = [0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 1.3, -1.0]
HVP_SIZES = (200, 1000)


def _point(n):
    return np.linspace(-1.0, 1.0, n), np.cos(np.arange(n, dtype=float))


def _jax_entries():
    """(taylor entries, nested entries, hvp entries) with JAX, or empty lists
    without it."""
    try:
        import jax
        import jax.numpy as jnp
        from jax.experimental import jet
    except ImportError:
        return [], [], []
    jax.config.update("jax_enable_x64", True)

    def expr(x):
        return corpus.scalar_expr(x, jnp)

    taylor = []
    for K in ORDERS:
        # jet takes the derivatives (k! c_k) of the input path x0 + t: [1, 0, ..., 0]
        terms = ([1.0] + [0.0] * (K - 1),)
        fn = jax.jit(lambda x, terms=terms: jet.jet(expr, (x,), terms))
        fn(X0)
        taylor.append((f"jax.jit(jet), order {K}", lambda fn=fn: fn(X0)))
    loop = lambda x: corpus.loop_function(x)  # noqa: E731 (indexing works on jax arrays)
    hess = jax.jit(jax.jacfwd(jax.grad(loop)))
    x8 = jnp.array(P8)
    hess(x8).block_until_ready()
    nested = [("jax.jit(jacfwd(grad))", lambda: hess(x8).block_until_ready())]

    def rosen(x):
        return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    hvp = jax.jit(lambda x, v: jax.jvp(jax.grad(rosen), (x,), (v,))[1])
    hvps = []
    for n in HVP_SIZES:
        x, v = (jnp.array(a) for a in _point(n))
        hvp(x, v).block_until_ready()
        hvps.append((n, "jax.jit(jvp(grad))", lambda x=x, v=v: hvp(x, v).block_until_ready()))
    return taylor, nested, hvps


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=15)
    args = p.parse_args(argv)

    def expr(x):
        return corpus.scalar_expr(x, dm)

    def expr_float(x):
        return corpus.scalar_expr(x, math)

    d1 = dualdiff.derivative(expr)
    scalar = [("f on floats", lambda: expr_float(X0)), ("derivative(f)", lambda: d1(X0))]
    for K in ORDERS:
        tk = dualdiff.taylor(expr, order=K)
        scalar.append((f"taylor(f, order={K})", lambda tk=tk: tk(X0)))
    jg = dualdiff.jacobian(dualdiff.grad(corpus.loop_function))
    hs = dualdiff.hessian(corpus.loop_function)
    nested = [("f on floats", lambda: corpus.loop_function(P8)), ("hessian(f)", lambda: hs(P8)),
              ("jacobian(grad(f))", lambda: jg(P8))]
    jax_taylor, jax_nested, jax_hvp = _jax_entries()
    table = {"taylor": scalar + jax_taylor, "nested": nested + jax_nested}
    deep = [("f on floats", lambda: expr_float(X0)), ("derivative(f)", lambda: d1(X0))]
    dk = d1
    for k in DEPTHS:
        dk = dualdiff.derivative(dk)
        tk = dualdiff.taylor(expr, order=k)
        deep += [(f"derivative nested {k} deep", lambda dk=dk: dk(X0)),
                 (f"taylor(f, order={k})", lambda tk=tk: tk(X0))]
    j3 = dualdiff.jacobian(jg)
    deep += [("loop: hessian(f)", lambda: hs(P8)), ("loop: jacobian(jacobian(grad(f)))", lambda: j3(P8))]
    table["depth"] = deep
    rosen, g = scipy.optimize.rosen, dualdiff.grad(scipy.optimize.rosen)
    hv = dualdiff.hvp(rosen)
    for n in HVP_SIZES:
        x, v = _point(n)
        table[f"hvp {n}"] = [("f on floats", lambda x=x: rosen(x)), ("grad(f)", lambda x=x: g(x)),
                             ("hvp(f)", lambda x=x, v=v: hv(x, v)),
                             ("jvp(grad(f))", lambda x=x, v=v: dualdiff.jvp(g, x, v))]
        table[f"hvp {n}"] += [(label, fn) for m, label, fn in jax_hvp if m == n]
    res = timing.measure(table, args.repeats, timer=time.thread_time)

    def show(title, key, base_label, width=32):
        base = res[(key, base_label)]
        print(title)
        print(f"{'call':{width}s} {'us':>9s} {'/ ' + base_label:>16s}")
        for label, _ in table[key]:
            t = res[(key, label)]
            print(f"{label:{width}s} {t:9.2f} {t / base:16.2f}")

    show(f"Taylor coefficients of the corpus expression (medians of {args.repeats}, thread CPU time)",
         "taylor", "derivative(f)")
    print()
    show("Second derivatives of the 8-variable loop function", "nested", "hessian(f)")
    print()
    show("Derivatives by nesting, of the corpus expression (and of the 8-variable loop function)",
         "depth", "derivative(f)", 36)
    for n in HVP_SIZES:
        print()
        show(f"Hessian-vector products of scipy.optimize.rosen, n = {n}", f"hvp {n}", "grad(f)")
    if not jax_taylor:
        print("\n(JAX is not installed: its rows are skipped)")


if __name__ == "__main__":
    main()
