"""Benchmark report: dualdiff against other ways of computing derivatives in Python.

Four cases, with the functions of corpus.py:
  scalar    derivative of a 16-operation scalar expression at one point
  gradient  gradient of an 8-variable function written as a plain Python loop
  hessian   Hessian of the same function
  jacobian  dense Jacobian of the 1-D Bratu residual (NumPy slicing, exp,
            concatenate) at n = 200

Contenders: the function on plain floats (its value only: the floor), the
complex-step method, and every peer that is installed: SciPy finite
differences, SymPy (symbolic derivative, lambdified), JAX (jit), torch.func,
autograd, fastdual and num-dual. A peer that is missing is skipped with a note.

Rules: float64 everywhere; one thread everywhere (BLAS, OpenMP, XLA and torch
are pinned before they are imported); compilation (jit) and symbolic
differentiation happen before timing; each contender's result is compared with
dualdiff's before it is timed and left out, with a note, if it disagrees;
times are medians of interleaved rounds (one sample of every contender per
round) of the process's CPU time, which counts the work of all its threads.
JAX and torch receive their inputs as arrays made beforehand; SymPy's
derivative is a closed form, built once and lambdified before timing.

    python benchmarks/report.py [--repeats N] [--markdown PATH] [--png PATH]
                                [--no-png] [--peers NAMES]

prints one markdown table per case and draws a chart of the times relative to
dualdiff (matplotlib, imported only to draw).
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import argparse  # noqa: E402
import cmath  # noqa: E402
import importlib.metadata  # noqa: E402
import importlib.util  # noqa: E402
import math  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

import dualdiff  # noqa: E402

_HERE = pathlib.Path(__file__).resolve().parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, _HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _load("corpus")
timing = _load("timing")
bench_api = _load("bench_api")

X0 = bench_api.X0                                    # the scalar case's point
X8 = bench_api.X8                                    # the gradient and Hessian cases' point
X8_ARRAY = np.array(X8)                              # ... as an ndarray
U = 0.1 * np.sin(np.linspace(0.0, np.pi, 200))       # the Jacobian case's point
H = 1e-200                                           # complex step

PEERS = ("scipy", "sympy", "jax", "torch", "autograd", "fastdual", "num-dual")
EXACT = 1e-12      # largest difference from dualdiff, relative to its largest entry
FINITE_DIFF = 1e-5

# ratios against the contender "floats" and "dualdiff" in every case; "dualdiff,
# ndarray x" is the same call with x as SciPy's solvers pass it
FLOATS, DUALDIFF, DUALDIFF_ARRAY = "floats", "dualdiff", "dualdiff, ndarray x"


class Case:
    """One benchmark case: dualdiff's result and the contenders that compute it."""

    def __init__(self, key, title, reference):
        self.key, self.title = key, title
        self.reference = np.asarray(reference, dtype=float)
        self.entries = []   # (label, family, fn, out, tol)
        self.notes = []
        self.errors = {}

    def add(self, label, family, fn, out=None, tol=EXACT):
        """fn() is timed; out(fn()) is the derivative compared with dualdiff's
        (tol None: not compared, as for the value-only floats)."""
        self.entries.append((label, family, fn, out or (lambda r: r), tol))

    def check(self):
        """Call every contender once (which also compiles what is compiled) and
        drop those that fail or disagree with dualdiff."""
        kept = []
        scale = max(np.abs(self.reference).max(), 1e-300)
        for label, family, fn, out, tol in self.entries:
            try:
                result = out(fn())
                if tol is not None:
                    got = np.asarray(result, dtype=float).reshape(self.reference.shape)
                    err = float(np.abs(got - self.reference).max() / scale)
            except Exception as e:  # a peer's API that changed, an unsupported operation
                self.notes.append(f"{label}: failed ({type(e).__name__}: {str(e).splitlines()[0][:80]}), left out")
                continue
            if tol is not None:
                if not err <= tol:
                    self.notes.append(f"{label}: differs from dualdiff by {err:.1e} (relative), left out")
                    continue
                self.errors[label] = err
            kept.append((label, family, fn, out, tol))
        self.entries = kept


def _dualdiff_cases():
    """The four cases with their float baseline, dualdiff and the complex step."""
    dm = dualdiff.math
    d = dualdiff.derivative(corpus.scalar_expr)
    g = dualdiff.grad(corpus.loop_function)
    h = dualdiff.hessian(corpus.loop_function)
    j = dualdiff.jacobian(corpus.bratu)

    # dualdiff's results against the hand derivatives of corpus.py
    ref_d = d(X0, dm)
    assert math.isclose(ref_d, corpus.scalar_expr_derivative(X0, math), rel_tol=1e-13)
    ref_g = g(X8)
    assert np.allclose(ref_g, corpus.loop_function_gradient(X8), rtol=1e-13, atol=1e-13)
    ref_h = h(X8)
    assert np.allclose(ref_h, _central_jacobian(corpus.loop_function_gradient, X8), rtol=1e-6, atol=1e-6)
    ref_j = j(U)
    assert np.allclose(ref_j, corpus.bratu_jacobian(U), rtol=1e-13, atol=1e-9)

    scalar = Case("scalar", "derivative of a 16-operation scalar expression", ref_d)
    scalar.add("floats (math), value only", FLOATS, lambda: corpus.scalar_expr(X0, math), tol=None)
    scalar.add("dualdiff.derivative", DUALDIFF, lambda: d(X0, dm))
    scalar.add("complex step (cmath)", "complex step", lambda: corpus.scalar_expr(complex(X0, H), cmath).imag / H)

    gradient = Case("gradient", "gradient of an 8-variable Python loop", ref_g)
    gradient.add("floats, value only", FLOATS, lambda: corpus.loop_function(X8), tol=None)
    gradient.add("dualdiff.grad", DUALDIFF, lambda: g(X8))
    gradient.add("dualdiff.grad, x an ndarray", DUALDIFF_ARRAY, lambda: g(X8_ARRAY))
    gradient.add("complex step, 8 evaluations", "complex step",
                 lambda: _complex_step_gradient(corpus.loop_function, X8))

    hessian = Case("hessian", "Hessian (8 x 8) of the same loop", ref_h)
    hessian.add("floats, value only", FLOATS, lambda: corpus.loop_function(X8), tol=None)
    hessian.add("dualdiff.hessian", DUALDIFF, lambda: h(X8))
    hessian.add("dualdiff.hessian, x an ndarray", DUALDIFF_ARRAY, lambda: h(X8_ARRAY))

    jacobian = Case("jacobian", "dense Jacobian (200 x 200) of the Bratu residual", ref_j)
    jacobian.add("floats (NumPy), value only", FLOATS, lambda: corpus.bratu(U), tol=None)
    jacobian.add("dualdiff.jacobian", DUALDIFF, lambda: j(U))
    jacobian.add("complex step, 200 evaluations", "complex step",
                 lambda: _complex_step_jacobian(corpus.bratu, U))
    return {c.key: c for c in (scalar, gradient, hessian, jacobian)}


def _complex_step_gradient(f, x):
    g = []
    for i in range(len(x)):
        xc = list(x)
        xc[i] = complex(x[i], H)
        g.append(f(xc).imag / H)
    return g


def _complex_step_jacobian(f, x):
    xc = x.astype(complex)
    J = np.empty((x.size, x.size))
    for i in range(x.size):
        xc[i] = complex(x[i], H)
        J[:, i] = f(xc).imag / H
        xc[i] = x[i]
    return J


def _central_jacobian(f, x, h=1e-6):
    """Central differences of a vector function (only to check dualdiff's Hessian)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.column_stack(cols)


# ---------------------------------------------------------------- peers
# Each adds its contenders to the cases; an ImportError means "not installed".

def _peer_scipy(cases):
    from scipy.optimize import approx_fprime   # forward differences, step sqrt(eps)
    x0, x8 = np.array([X0]), np.array(X8)
    cases["scalar"].add("SciPy approx_fprime (forward differences)", "scipy",
                        lambda: approx_fprime(x0, lambda v: corpus.scalar_expr(v[0], math)),
                        tol=FINITE_DIFF)
    cases["gradient"].add("SciPy approx_fprime (forward differences)", "scipy",
                          lambda: approx_fprime(x8, corpus.loop_function), tol=FINITE_DIFF)
    cases["hessian"].add("SciPy approx_fprime of the hand-written gradient", "scipy",
                         lambda: approx_fprime(x8, lambda v: np.asarray(corpus.loop_function_gradient(v))),
                         tol=FINITE_DIFF)
    cases["jacobian"].add("SciPy approx_fprime (forward differences)", "scipy",
                          lambda: approx_fprime(U, corpus.bratu), tol=FINITE_DIFF)


def _peer_sympy(cases):
    import sympy as sp
    x = sp.Symbol("x")
    fd = sp.lambdify(x, sp.diff(corpus.scalar_expr(x, sp), x), modules="math", cse=True)
    cases["scalar"].add("SymPy diff, lambdify (math)", "sympy", lambda: fd(X0))
    xs = sp.symbols(f"x0:{len(X8)}")
    e = corpus.loop_function(list(xs))
    grad = [sp.diff(e, v) for v in xs]
    fg = sp.lambdify([xs], grad, modules="math", cse=True)
    fh = sp.lambdify([xs], [[sp.diff(gi, v) for v in xs] for gi in grad], modules="math", cse=True)
    cases["gradient"].add("SymPy diff, lambdify (math)", "sympy", lambda: fg(X8))
    cases["hessian"].add("SymPy diff, lambdify (math)", "sympy", lambda: fh(X8))
    cases["jacobian"].notes.append("SymPy: not run (a 200-variable symbolic Jacobian)")


def _peer_jax(cases):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    x0, x8, u = jnp.asarray(X0), jnp.asarray(X8), jnp.asarray(U)
    assert x0.dtype == x8.dtype == u.dtype == jnp.float64
    fd = jax.jit(jax.grad(lambda t: corpus.scalar_expr(t, jnp)))
    fg = jax.jit(jax.grad(corpus.loop_function))
    fh = jax.jit(jax.hessian(corpus.loop_function))
    fj = jax.jit(jax.jacfwd(lambda v: corpus.bratu(v, xp=jnp)))
    cases["scalar"].add("jax.jit(jax.grad)", "jax", lambda: fd(x0).block_until_ready())
    cases["gradient"].add("jax.jit(jax.grad)", "jax", lambda: fg(x8).block_until_ready())
    cases["hessian"].add("jax.jit(jax.hessian)", "jax", lambda: fh(x8).block_until_ready())
    cases["jacobian"].add("jax.jit(jax.jacfwd)", "jax", lambda: fj(u).block_until_ready())


def _peer_torch(cases):
    import torch
    import torch.func
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only allowed before the first parallel work
        pass
    f64 = torch.float64
    x0, x8, u = torch.tensor(X0, dtype=f64), torch.tensor(X8, dtype=f64), torch.tensor(U, dtype=f64)
    fd = torch.func.grad(lambda t: corpus.scalar_expr(t, torch))
    fg = torch.func.grad(corpus.loop_function)
    fh = torch.func.hessian(corpus.loop_function)
    fj = torch.func.jacfwd(lambda v: corpus.bratu(v, xp=torch))
    cases["scalar"].add("torch.func.grad", "torch", lambda: fd(x0))
    cases["gradient"].add("torch.func.grad", "torch", lambda: fg(x8))
    cases["hessian"].add("torch.func.hessian", "torch", lambda: fh(x8))
    cases["jacobian"].add("torch.func.jacfwd", "torch", lambda: fj(u))


def _peer_autograd(cases):
    import autograd
    import autograd.numpy as anp
    x8 = np.array(X8)
    fd = autograd.grad(lambda t: corpus.scalar_expr(t, anp))
    fg = autograd.grad(corpus.loop_function)
    fh = autograd.hessian(corpus.loop_function)
    fj = autograd.jacobian(lambda v: corpus.bratu(v, xp=anp))
    cases["scalar"].add("autograd.grad", "autograd", lambda: fd(X0))
    cases["gradient"].add("autograd.grad", "autograd", lambda: fg(x8))
    cases["hessian"].add("autograd.hessian", "autograd", lambda: fh(x8))
    cases["jacobian"].add("autograd.jacobian", "autograd", lambda: fj(U))


def _peer_fastdual(cases):
    import fastdual
    Methods = bench_api._Methods   # sin, cos, ... as methods of the number

    def derivative():
        x = fastdual.Dual(X0)
        return corpus.scalar_expr(x, Methods).der(x)

    def gradient():
        xs = [fastdual.Dual(v) for v in X8]
        y = corpus.loop_function(xs)
        return [y.der(x) for x in xs]

    fh = fastdual.autohess(lambda *xs: corpus.loop_function(xs))

    def jacobian():
        s = fastdual.DualArray(U)
        return fastdual.jac(corpus.bratu(s), s)

    cases["scalar"].add("fastdual.Dual", "fastdual", derivative)
    cases["gradient"].add("fastdual.Dual, 8 seeds", "fastdual", gradient)
    cases["hessian"].add("fastdual.autohess", "fastdual", lambda: fh(*X8), out=lambda r: r[1])
    cases["jacobian"].add("fastdual.DualArray (object array)", "fastdual", jacobian)


def _peer_num_dual(cases):
    import num_dual
    Methods = bench_api._Methods

    def bratu_list(v):
        return list(corpus.bratu(np.array(v, dtype=object)))

    u = list(U)
    cases["scalar"].add("num_dual.first_derivative", "num-dual",
                        lambda: num_dual.first_derivative(lambda t: corpus.scalar_expr(t, Methods), X0),
                        out=lambda r: r[1])
    cases["gradient"].add("num_dual.gradient", "num-dual",
                          lambda: num_dual.gradient(corpus.loop_function, X8), out=lambda r: r[1])
    cases["hessian"].add("num_dual.hessian", "num-dual",
                         lambda: num_dual.hessian(corpus.loop_function, X8), out=lambda r: r[2])
    cases["jacobian"].add("num_dual.jacobian (object array)", "num-dual",
                          lambda: num_dual.jacobian(bratu_list, u), out=lambda r: r[1])


_BUILDERS = {"scipy": _peer_scipy, "sympy": _peer_sympy, "jax": _peer_jax, "torch": _peer_torch,
             "autograd": _peer_autograd, "fastdual": _peer_fastdual, "num-dual": _peer_num_dual}


def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def build(peers):
    """The cases with every requested peer that is installed; notes for the others."""
    cases = _dualdiff_cases()
    versions = {DUALDIFF: dualdiff.__version__, "numpy": np.__version__}
    skipped = []
    for name in peers:
        try:
            _BUILDERS[name](cases)
        except ImportError:
            skipped.append(f"{name}: not installed")
            continue
        except Exception as e:
            skipped.append(f"{name}: could not be set up ({type(e).__name__}: {e})")
            continue
        versions[name] = _version(name)
    for case in cases.values():
        case.check()
    return cases, versions, skipped


def run(cases, repeats, target):
    """Median microseconds per call: {case key: {label: us}}."""
    table = {key: [(label, fn) for label, _, fn, _, _ in c.entries] for key, c in cases.items()}
    times = timing.measure(table, repeats, target, calibrate=10 * target)
    return {key: {label: times[(key, label)] for label, _, _, _, _ in c.entries}
            for key, c in cases.items()}


# ---------------------------------------------------------------- output

def machine():
    return (f"{os.cpu_count()}-core {platform.machine()} {platform.system()}, "
            f"CPython {sys.version_info.major}.{sys.version_info.minor}")


def _fmt_time(us):
    if us < 1000:
        return f"{us:.3g} µs"
    if us < 1e6:
        return f"{us / 1e3:.3g} ms"
    return f"{us / 1e6:.3g} s"


def _fmt_ratio(r):
    if r < 10:
        return f"{r:.2f}"
    if r < 100:
        return f"{r:.1f}"
    return f"{r:.0f}"


def _fmt_err(e):
    return "0" if e == 0 else f"{e:.0e}"


def _ordered(case, times):
    """floats, dualdiff, then the others from the fastest."""
    first = [e for e in case.entries if e[1] in (FLOATS, DUALDIFF, DUALDIFF_ARRAY)]
    rest = sorted((e for e in case.entries if e[1] not in (FLOATS, DUALDIFF, DUALDIFF_ARRAY)),
                  key=lambda e: times[e[0]])
    return first + rest


def _family_label(family, versions):
    v = versions.get(family)
    return f"{family} {v}" if v else family


def markdown(cases, times, versions, skipped, repeats):
    lines = []
    peers = ", ".join(f"{k} {v}" for k, v in versions.items())
    lines.append(f"{machine()}; {peers}. Median of {repeats} interleaved rounds of process CPU time, "
                 "one thread, float64; compilation excluded.")
    if skipped:
        lines.append("")
        lines.append("Skipped: " + "; ".join(skipped) + ".")
    for key, case in cases.items():
        t = times[key]
        dd = next(label for label, fam, *_ in case.entries if fam == DUALDIFF)
        fl = next(label for label, fam, *_ in case.entries if fam == FLOATS)
        lines += ["", f"**{key}**: {case.title}", "",
                  "| method | time per call | × dualdiff | × floats | difference from dualdiff |",
                  "|---|--:|--:|--:|--:|"]
        for label, family, _, _, tol in _ordered(case, t):
            name = f"**{label}**" if family == DUALDIFF else label
            err = "" if tol is None else ("reference" if family == DUALDIFF else _fmt_err(case.errors[label]))
            lines.append(f"| {name} | {_fmt_time(t[label])} | {_fmt_ratio(t[label] / t[dd])} "
                         f"| {_fmt_ratio(t[label] / t[fl])} | {err} |")
        for note in case.notes:
            lines.append(f"\n{note}.")
    return "\n".join(lines) + "\n"


def draw(cases, times, versions, path):
    """One panel per case: each contender's time relative to dualdiff, log scale."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    families = [FLOATS, "complex step"] + list(PEERS)
    colors = dict(zip(families, plt.get_cmap("tab10").colors))
    rows = [len(c.entries) - 1 for c in cases.values()]
    fig, axes = plt.subplots(len(cases), 1, figsize=(10, 1.2 + 0.3 * sum(rows) + 0.6 * len(rows)),
                             sharex=True, gridspec_kw={"height_ratios": rows})
    ratios = []
    for ax, (key, case) in zip(np.atleast_1d(axes), cases.items()):
        t = times[key]
        dd = next(label for label, fam, *_ in case.entries if fam == DUALDIFF)
        entries = [e for e in _ordered(case, t) if e[1] != DUALDIFF]
        labels, rs, cs = [], [], []
        for label, family, *_ in entries:
            r = t[label] / t[dd]
            ratios.append(r)
            rs.append(r)
            cs.append(colors.get(family, "grey"))
            suffix = f"  [{_family_label(family, versions)}]" if family in versions else ""
            labels.append(label + suffix)
        y = np.arange(len(entries))[::-1]
        ax.barh(y, [r - 1 for r in rs], left=1, color=cs, height=0.7)
        for yi, r in zip(y, rs):
            ax.text(r * (1.06 if r >= 1 else 1 / 1.06), yi, f"{_fmt_ratio(r)}×", va="center",
                    ha="left" if r >= 1 else "right", fontsize=8)
        ax.set_yticks(y, labels, fontsize=8)
        ax.axvline(1, color="black", lw=1)
        ax.set_title(f"{key}: {case.title}\n(dualdiff: {_fmt_time(t[dd])} per call)", fontsize=9, loc="left")
        ax.set_xscale("log")
        ax.grid(axis="x", which="major", alpha=0.3)
    lo, hi = min(ratios + [1]), max(ratios + [1])
    axes[-1].set_xlim(lo / 8, hi * 5)
    axes[-1].set_xlabel("time per call relative to dualdiff (log scale: left of 1 is faster, right is slower)",
                        fontsize=9)
    fig.suptitle(f"dualdiff {dualdiff.__version__} against floats and peers; {machine()}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=31, help="interleaved rounds (default 31)")
    ap.add_argument("--target", type=float, default=0.02,
                    help="seconds per sample of each contender (default 0.02)")
    ap.add_argument("--peers", default="all",
                    help=f"comma-separated subset of {','.join(PEERS)}, 'all' (default) or 'none'")
    ap.add_argument("--markdown", metavar="PATH", help="also write the tables to PATH")
    ap.add_argument("--png", metavar="PATH", default=str(_HERE / "report.png"),
                    help="the chart (default benchmarks/report.png)")
    ap.add_argument("--no-png", action="store_true", help="draw no chart")
    a = ap.parse_args(argv)
    if a.peers == "all":
        peers = list(PEERS)
    elif a.peers == "none":
        peers = []
    else:
        peers = [p.strip() for p in a.peers.split(",") if p.strip()]
        unknown = set(peers) - set(PEERS)
        if unknown:
            ap.error(f"unknown peers {sorted(unknown)}; choose from {', '.join(PEERS)}")

    cases, versions, skipped = build(peers)
    times = run(cases, a.repeats, a.target)
    text = markdown(cases, times, versions, skipped, a.repeats)
    print(text, end="")
    if a.markdown:
        pathlib.Path(a.markdown).write_text(text, encoding="utf-8")
    if not a.no_png:
        try:
            draw(cases, times, versions, a.png)
            print(f"\nchart: {a.png}")
        except ImportError:
            print("\nmatplotlib not installed: no chart")
    return cases, times


if __name__ == "__main__":
    main()
