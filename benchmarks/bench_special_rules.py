"""Benchmark of the scipy.special functions that are rules of the C table,
and of those of plain parameters and a variable (jv, gammainc, ...).

Run: python benchmarks/bench_special_rules.py [--repeats N] [--n N]

For every unary rule with a scipy.special name: the SciPy ufunc on a float
array of n points, against the same ufunc on a dual array of those points
with one direction (``dualdiff.jvp``, what a user calls) and against the
derivative's own cost: ``jvp`` of the function over ``jvp`` of ``x * x``
(the overhead of a transform with one cheap operation). Points lie where each
function is defined and smooth. Times are medians of interleaved repeats of
process CPU time, microseconds per call; ratios are from the same run.

The functions of parameters (second table) take SciPy's values and compute
their derivatives from SciPy's values at neighbouring orders or from the
integrand: ``jvp`` (first order) and ``taylor`` to degree 2 on the same
points, against SciPy on floats, and the table's ``j0`` beside ``jv(0, x)``.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402

import numpy as np  # noqa: E402
import scipy.special as sc  # noqa: E402

import dualdiff  # noqa: E402
from dualdiff._rules import of_kind  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "timing", os.path.join(os.path.dirname(os.path.abspath(__file__)), "timing.py"))
timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(timing)

# where each function is smooth and its values are ordinary numbers
DOMAIN = {
    "logit": (0.05, 0.95), "erfinv": (-0.95, 0.95), "erfcinv": (0.05, 1.95), "ndtri": (0.05, 0.95),
    "entr": (0.1, 5.0), "gamma": (0.1, 20.0), "gammaln": (0.1, 50.0), "rgamma": (0.1, 20.0),
    "psi": (0.1, 50.0), "gammasgn": (0.1, 20.0), "y0": (0.1, 40.0), "y1": (0.1, 40.0),
    "i0": (-40.0, 40.0), "i1": (-40.0, 40.0), "i0e": (-40.0, 40.0), "i1e": (-40.0, 40.0),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--n", type=int, default=1000)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    ones = np.ones(args.n)
    names = [u for r in of_kind("unary") for u in r.special[:1]]
    table = {}
    for name in names:
        f = getattr(sc, name)
        lo, hi = DOMAIN.get(name, (-3.0, 3.0))
        x = rng.uniform(lo, hi, args.n)
        table[name] = [("scipy", lambda f=f, x=x: f(x)),
                       ("jvp", lambda f=f, x=x: dualdiff.jvp(f, x, ones))]
    x = rng.uniform(-3.0, 3.0, args.n)
    table["x * x"] = [("jvp", lambda: dualdiff.jvp(lambda a: a * a, x, ones))]
    t = timing.measure(table, args.repeats)
    base = t[("x * x", "jvp")]
    print(f"scipy.special rules on {args.n} points, one direction (medians of {args.repeats}, us per call)")
    print(f"{'function':<10} {'scipy':>9} {'jvp':>9} {'jvp/scipy':>10} {'jvp/jvp(x*x)':>13}")
    for name in names:
        s, j = t[(name, "scipy")], t[(name, "jvp")]
        print(f"{name:<10} {s:9.1f} {j:9.1f} {j / s:10.2f} {j / base:13.2f}")
    print(f"{'x * x':<10} {'':>9} {base:9.1f}")
    parametric(args, rng, ones)


PARAMETRIC = [("jv", (2.5,), (0.1, 40.0)), ("yv", (2.5,), (0.1, 40.0)), ("iv", (2.5,), (0.1, 40.0)),
              ("ive", (2.5,), (0.1, 40.0)), ("kv", (2.5,), (0.1, 40.0)), ("kve", (2.5,), (0.1, 40.0)),
              ("gammainc", (3.5,), (0.1, 20.0)), ("gammaincc", (3.5,), (0.1, 20.0)),
              ("betainc", (2.0, 3.5), (0.02, 0.98)), ("jv", (0.0,), (0.1, 40.0))]


def parametric(args, rng, ones):
    table = {}
    for name, params, (lo, hi) in PARAMETRIC:
        f = getattr(sc, name)
        x = rng.uniform(lo, hi, args.n)
        key = f"{name}{params}"
        g = (lambda f=f, params=params: lambda a: f(*params, a))()
        table[key] = [("scipy", lambda f=f, x=x, params=params: f(*params, x)),
                      ("jvp", lambda g=g, x=x: dualdiff.jvp(g, x, ones)),
                      ("taylor2", lambda g=g, x=x: dualdiff.taylor(g, 2)(x, ones))]
    x = rng.uniform(0.1, 40.0, args.n)
    table["j0 (table rule)"] = [("scipy", lambda: sc.j0(x)), ("jvp", lambda: dualdiff.jvp(sc.j0, x, ones)),
                                ("taylor2", lambda: dualdiff.taylor(sc.j0, 2)(x, ones))]
    t = timing.measure(table, args.repeats)
    print()
    print(f"scipy.special functions of parameters on {args.n} points (medians of {args.repeats}, us per call)")
    print(f"{'function':<22} {'scipy':>9} {'jvp':>9} {'taylor 2':>9} {'jvp/scipy':>10} {'taylor/scipy':>13}")
    for key in table:
        s_, j, k = t[(key, "scipy")], t[(key, "jvp")], t[(key, "taylor2")]
        print(f"{key:<22} {s_:9.1f} {j:9.1f} {k:9.1f} {j / s_:10.2f} {k / s_:13.2f}")


if __name__ == "__main__":
    main()
