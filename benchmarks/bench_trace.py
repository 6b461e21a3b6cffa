"""Tracing benchmark: transforms of dualdiff.trace(f) against f on floats.

Times, in one process with interleaved repeats (medians, process CPU time),
through the public API:
  * derivative of the 16-operation corpus expression;
  * gradient and Hessian of the 8-variable Python loop (corpus.loop_function);
  * gradient of a 1,000-operation function of 4 variables (corpus.long_function),
    and the cost of recording it plus the first replay (a new trace per call);
each beside the eager transform (Duals, no tape) and, where SymPy is
installed, SymPy's lambdify of the symbolic derivatives (cse=True). Ratios
are to the same function on floats in Python.

Run: python benchmarks/bench_trace.py [--repeats N]
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import math  # noqa: E402
import pathlib  # noqa: E402

import numpy as np  # noqa: E402

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

X0 = 0.7
X8 = [0.5, 1.2, -0.3, 0.8, 1.0, 2.0, -1.0, 0.1]
X4 = [0.3, 0.7, -0.2, 1.1]


def expr(x):
    return corpus.scalar_expr(x, dm)


def long_fn(x):
    return corpus.long_function(x, dm)


def long_arith(x):
    """corpus.long_function without its sines and cosines: 1,000 arithmetic operations."""
    a, b, c, d = x[0], x[1], x[2], x[3]
    s = 0.0
    for k in range(100):
        u = a * (0.01 * k) + b
        v = c - d * 0.1
        s = 0.9 * s + u * v + a
    return s


def cases():
    """{group: [(label, callable)]}, each group's first entry the floats baseline."""
    t_expr, t_loop, t_long = dualdiff.trace(expr), dualdiff.trace(corpus.loop_function), dualdiff.trace(long_fn)
    d_tr, d_eager = dualdiff.derivative(t_expr), dualdiff.derivative(expr)
    g_tr, g_eager = dualdiff.grad(t_loop), dualdiff.grad(corpus.loop_function)
    h_tr, h_eager = dualdiff.hessian(t_loop), dualdiff.hessian(corpus.loop_function)
    l_tr, l_eager = dualdiff.grad(t_long), dualdiff.grad(long_fn)
    a_tr, a_eager = dualdiff.grad(dualdiff.trace(long_arith)), dualdiff.grad(long_arith)
    # the benchmark computes what it claims (and records the tapes before timing)
    assert math.isclose(d_tr(X0), corpus.scalar_expr_derivative(X0, math), rel_tol=1e-13)
    assert np.allclose(g_tr(X8), corpus.loop_function_gradient(X8), rtol=1e-13)
    assert np.allclose(h_tr(X8), h_eager(X8), rtol=1e-13)
    assert np.allclose(l_tr(X4), l_eager(X4), rtol=1e-12)
    assert np.allclose(a_tr(X4), a_eager(X4), rtol=1e-12)

    def first_replay():
        return dualdiff.grad(dualdiff.trace(long_fn))(X4)
    table = {
        "derivative, 16-operation expression": [
            ("floats (math), value only", lambda: corpus.scalar_expr(X0, math)),
            ("dualdiff.derivative(trace(f))", lambda: d_tr(X0)),
            ("dualdiff.derivative(f), eager", lambda: d_eager(X0)),
        ],
        "gradient, 8-variable loop": [
            ("floats, value only", lambda: corpus.loop_function(X8)),
            ("dualdiff.grad(trace(f))", lambda: g_tr(X8)),
            ("dualdiff.grad(f), eager", lambda: g_eager(X8)),
        ],
        "Hessian, 8-variable loop": [
            ("floats, value only", lambda: corpus.loop_function(X8)),
            ("dualdiff.hessian(trace(f))", lambda: h_tr(X8)),
            ("dualdiff.hessian(f), eager", lambda: h_eager(X8)),
        ],
        "gradient, 1,000 operations of 4 variables": [
            ("floats (math), value only", lambda: corpus.long_function(X4, math)),
            ("dualdiff.grad(trace(f))", lambda: l_tr(X4)),
            ("dualdiff.grad(f), eager", lambda: l_eager(X4)),
            ("record + first replay (new trace)", first_replay),
        ],
        "gradient, the same without sin and cos (arithmetic only)": [
            ("floats, value only", lambda: long_arith(X4)),
            ("dualdiff.grad(trace(f))", lambda: a_tr(X4)),
            ("dualdiff.grad(f), eager", lambda: a_eager(X4)),
        ],
    }
    try:
        import sympy as sp
    except ImportError:
        return table, False
    x = sp.Symbol("x")
    fd = sp.lambdify(x, sp.diff(corpus.scalar_expr(x, sp), x), modules="math", cse=True)
    xs = sp.symbols(f"x0:{len(X8)}")
    e = corpus.loop_function(list(xs))
    grad = [sp.diff(e, v) for v in xs]
    fg = sp.lambdify([xs], grad, modules="math", cse=True)
    fh = sp.lambdify([xs], [[sp.diff(gi, v) for v in xs] for gi in grad], modules="math", cse=True)
    assert math.isclose(fd(X0), d_tr(X0), rel_tol=1e-12)
    table["derivative, 16-operation expression"].append(("SymPy diff, lambdify (math)", lambda: fd(X0)))
    table["gradient, 8-variable loop"].append(("SymPy diff, lambdify (math)", lambda: fg(X8)))
    table["Hessian, 8-variable loop"].append(("SymPy diff, lambdify (math)", lambda: fh(X8)))
    return table, True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--target", type=float, default=0.02, help="seconds per sample")
    args = ap.parse_args(argv)
    table, have_sympy = cases()
    med = timing.measure(table, args.repeats, target=args.target)
    print(f"dualdiff {dualdiff.__version__}: traced functions (dualdiff.trace) against floats")
    print(f"median of {args.repeats} interleaved samples, process CPU time, one process\n")
    print(f"{'case':44s} {'time/call':>11s} {'vs floats':>10s}")
    for group, entries in table.items():
        base = med[(group, entries[0][0])]
        print(f"-- {group}")
        for label, _ in entries:
            t = med[(group, label)]
            print(f"   {label:41s} {t:9.2f}us {t / base:9.2f}x")
    r = {k: v for k, v in med.items()}
    g1, g2, g3, g4, g5 = list(table)

    def ratio(group, a, b):
        return r[(group, a)] / r[(group, b)]
    print()
    print(f"derivative, traced / floats        = {ratio(g1, table[g1][1][0], table[g1][0][0]):5.2f}  (target <= 0.6)")
    print(f"gradient, traced / floats          = {ratio(g2, table[g2][1][0], table[g2][0][0]):5.2f}  (target <= 0.8)")
    print(f"Hessian, traced / floats           = {ratio(g3, table[g3][1][0], table[g3][0][0]):5.2f}  (target <= 3)")
    if have_sympy:
        sym = "SymPy diff, lambdify (math)"
        print(f"derivative, traced / SymPy         = {ratio(g1, table[g1][1][0], sym):5.2f}  (target <= 1)")
        print(f"gradient, traced / SymPy           = {ratio(g2, table[g2][1][0], sym):5.2f}  (target <= 1)")
        print(f"Hessian, traced / SymPy            = {ratio(g3, table[g3][1][0], sym):5.2f}")
    else:
        print("SymPy: not installed, its rows are skipped")
    print(f"1,000 operations, eager / traced   = {ratio(g4, table[g4][2][0], table[g4][1][0]):5.2f}  (target >= 5)")
    print(f"record + first replay / eager      = {ratio(g4, table[g4][3][0], table[g4][2][0]):5.2f}  (target <= 30)")
    print(f"arithmetic only, eager / traced    = {ratio(g5, table[g5][2][0], table[g5][1][0]):5.2f}")


if __name__ == "__main__":
    main()
