"""Benchmark of dualdiff.stats against scipy.stats.

Run: python benchmarks/bench_stats.py [--repeats N]

Values: a method of dualdiff.stats on plain numbers against the same method of
scipy.stats (a scalar, and 1000 points). Gradients: the gradient of a
log-likelihood of 1000 points in its parameters, by dualdiff.grad, against
one evaluation of the same log-likelihood with scipy.stats and against central
differences of it (2 evaluations per parameter, what scipy.optimize does
without jac=). Times are medians of interleaved repeats of process CPU time, in
microseconds per call, with ratios measured in the same run.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402

import numpy as np  # noqa: E402
import scipy.stats as st  # noqa: E402

import dualdiff  # noqa: E402
import dualdiff.stats as ds  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "timing", os.path.join(os.path.dirname(os.path.abspath(__file__)), "timing.py"))
timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(timing)

rng = np.random.default_rng(0)
DATA = rng.normal(1.0, 2.0, 1000)
POS = rng.gamma(2.0, 1.5, 1000)
X4 = rng.normal(size=(1000, 4))
COV4 = np.cov(X4.T) + 0.1 * np.eye(4)


def _loglik(stats):
    """The log-likelihoods of the gradient table, written once for either module."""
    return {
        "norm (loc, log scale)": (lambda p: np.sum(stats.norm.logpdf(DATA, p[0], np.exp(p[1]))),
                                  np.array([0.5, 0.3])),
        "t (df, loc, scale)": (lambda p: np.sum(stats.t.logpdf(DATA, p[0], p[1], p[2])),
                               np.array([4.0, 0.5, 1.5])),
        "gamma (a, scale)": (lambda p: np.sum(stats.gamma.logpdf(POS, p[0], 0.0, p[1])),
                             np.array([2.2, 1.3])),
        "mvn (mean, 4)": (lambda p: np.sum(stats.multivariate_normal.logpdf(X4, p, COV4)),
                          np.zeros(4)),
    }


def _central(f, p, h=1e-6):
    g = np.empty_like(p)
    for i in range(len(p)):
        e = np.zeros_like(p)
        e[i] = h
        g[i] = (f(p + e) - f(p - e)) / (2 * h)
    return g


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--target", type=float, default=0.02)
    args = parser.parse_args()

    values = {}
    for label, ours, theirs, a in [
        ("norm.logpdf, scalar", ds.norm.logpdf, st.norm.logpdf, (0.3, 0.1, 1.2)),
        ("norm.logpdf, 1000", ds.norm.logpdf, st.norm.logpdf, (DATA, 0.1, 1.2)),
        ("t.logpdf, 1000", ds.t.logpdf, st.t.logpdf, (DATA, 4.0, 0.1, 1.2)),
        ("gamma.logpdf, 1000", ds.gamma.logpdf, st.gamma.logpdf, (POS, 2.2, 0.0, 1.3)),
        ("norm.cdf, 1000", ds.norm.cdf, st.norm.cdf, (DATA, 0.1, 1.2)),
        ("mvn.logpdf, 1000 x 4", ds.multivariate_normal.logpdf, st.multivariate_normal.logpdf,
         (X4, np.zeros(4), COV4)),
    ]:
        values[label] = [("scipy.stats", lambda f=theirs, a=a: f(*a)),
                         ("dualdiff.stats", lambda f=ours, a=a: f(*a))]
    grads = {}
    theirs = _loglik(st)
    for label, (f, p) in _loglik(ds).items():
        g = dualdiff.grad(f)
        fs = theirs[label][0]
        grads[label] = [("scipy.stats f(p)", lambda fs=fs, p=p: fs(p)),
                        ("central differences", lambda fs=fs, p=p: _central(fs, p)),
                        ("dualdiff.grad", lambda g=g, p=p: g(p))]

    times = timing.measure({**values, **grads}, args.repeats, target=args.target)
    print("**values** (plain input), microseconds per call\n")
    print("| case | scipy.stats | dualdiff.stats | ratio |")
    print("|---|---|---|---|")
    for label in values:
        a, b = times[(label, "scipy.stats")], times[(label, "dualdiff.stats")]
        print(f"| {label} | {a:.1f} | {b:.1f} | {b / a:.2f} |")
    print("\n**gradients** of a log-likelihood of 1000 points, microseconds per call\n")
    print("| case | scipy f(p) | central differences | dualdiff.grad | grad / f | grad / differences |")
    print("|---|---|---|---|---|---|")
    for label in grads:
        f = times[(label, "scipy.stats f(p)")]
        c = times[(label, "central differences")]
        g = times[(label, "dualdiff.grad")]
        print(f"| {label} | {f:.1f} | {c:.1f} | {g:.1f} | {g / f:.2f} | {g / c:.2f} |")


if __name__ == "__main__":
    main()
