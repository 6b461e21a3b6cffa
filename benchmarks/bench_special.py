"""Benchmark of dualdiff.special against scipy.special.

Run: python benchmarks/bench_special.py [--repeats N]

Values: logsumexp, softmax and log_softmax of dualdiff.special on plain arrays
(which call SciPy's) against scipy.special's, the cost of recognising plain
input. Derivatives: the gradient of logsumexp and the Jacobians of softmax and
log_softmax by dualdiff against one evaluation of SciPy's function on the
floats, and against the same transform of the textbook expression
(``np.log(np.sum(np.exp(a)))``, which overflows for large entries), the price
of the shift and of SciPy's values. Times are medians of interleaved repeats of
process CPU time, in microseconds per call, with ratios measured in the same run.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402

import numpy as np  # noqa: E402
import scipy.special as sc  # noqa: E402

import dualdiff  # noqa: E402
import dualdiff.special as ds  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "timing", os.path.join(os.path.dirname(os.path.abspath(__file__)), "timing.py"))
timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(timing)

rng = np.random.default_rng(0)
X10 = rng.normal(size=10)
X1000 = rng.normal(size=1000)
M = rng.normal(size=(20, 50))


def _naive_lse(a, axis=None):
    return np.log(np.sum(np.exp(a), axis=axis))


def _naive_softmax(a, axis=None):
    e = np.exp(a)
    return e / np.sum(e, axis=axis, keepdims=True)


def _naive_log_softmax(a, axis=None):
    return a - np.log(np.sum(np.exp(a), axis=axis, keepdims=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--target", type=float, default=0.02)
    args = parser.parse_args()

    values = {}
    for label, name, a, kw in [("logsumexp, 1000", "logsumexp", X1000, {}),
                               ("logsumexp, 20 x 50, axis=1", "logsumexp", M, {"axis": 1}),
                               ("softmax, 1000", "softmax", X1000, {}),
                               ("log_softmax, 1000", "log_softmax", X1000, {})]:
        values[label] = [("scipy", lambda f=getattr(sc, name), a=a, kw=kw: f(a, **kw)),
                         ("dualdiff", lambda f=getattr(ds, name), a=a, kw=kw: f(a, **kw))]
    derivs = {}
    for label, transform, ours, naive, theirs, a in [
        ("grad logsumexp, 10", dualdiff.grad, ds.logsumexp, _naive_lse, sc.logsumexp, X10),
        ("grad logsumexp, 1000", dualdiff.grad, ds.logsumexp, _naive_lse, sc.logsumexp, X1000),
        ("hessian logsumexp, 10", dualdiff.hessian, ds.logsumexp, _naive_lse, sc.logsumexp, X10),
        ("jacobian softmax, 10", dualdiff.jacobian, ds.softmax, _naive_softmax, sc.softmax, X10),
        ("jacobian softmax, 200", dualdiff.jacobian, ds.softmax, _naive_softmax, sc.softmax,
         X1000[:200]),
        ("jacobian log_softmax, 200", dualdiff.jacobian, ds.log_softmax, _naive_log_softmax,
         sc.log_softmax, X1000[:200]),
        ("grad logsumexp axis=1, 20 x 50", dualdiff.grad,
         lambda x: np.sum(ds.logsumexp(x, axis=1)), lambda x: np.sum(_naive_lse(x, axis=1)),
         lambda x: np.sum(sc.logsumexp(x, axis=1)), M),
    ]:
        g, gn = transform(ours), transform(naive)
        derivs[label] = [("scipy f(x)", lambda f=theirs, a=a: f(a)),
                         ("naive", lambda g=gn, a=a: g(a)),
                         ("dualdiff.special", lambda g=g, a=a: g(a))]

    times = timing.measure({**values, **derivs}, args.repeats, target=args.target)
    print("**values** (plain input), microseconds per call\n")
    print("| case | scipy.special | dualdiff.special | ratio |")
    print("|---|--:|--:|--:|")
    for label in values:
        a, b = times[(label, "scipy")], times[(label, "dualdiff")]
        print(f"| {label} | {a:.1f} | {b:.1f} | {b / a:.2f} |")
    print("\n**derivatives**, microseconds per call\n")
    print("| case | scipy f(x) | transform of the textbook expression | transform of dualdiff.special "
          "| / f(x) | / textbook |")
    print("|---|--:|--:|--:|--:|--:|")
    for label in derivs:
        f = times[(label, "scipy f(x)")]
        n = times[(label, "naive")]
        g = times[(label, "dualdiff.special")]
        print(f"| {label} | {f:.1f} | {n:.1f} | {g:.1f} | {g / f:.2f} | {g / n:.2f} |")


if __name__ == "__main__":
    main()
