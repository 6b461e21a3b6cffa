"""Benchmark of dualdiff.linalg and dualdiff.integrate against SciPy.

Run: python benchmarks/bench_linalg_integrate.py [--repeats N] [--n N]

What a user calls: ``dualdiff.jacobian(f)(x)`` of a function written with
dualdiff.linalg or dualdiff.integrate, against one evaluation of the same
function through SciPy on floats, and against the Jacobian a user without
derivatives would take: forward differences (one SciPy evaluation per input,
plus one). ``jax.jacfwd`` of JAX's own routine (jit-compiled, 64-bit) is shown
where JAX is installed. Times are medians of interleaved repeats of process
CPU time, in microseconds per call; ratios are from the same run.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402

import numpy as np  # noqa: E402
import scipy.integrate as si  # noqa: E402
import scipy.linalg as sl  # noqa: E402

import dualdiff  # noqa: E402
import dualdiff.integrate as di  # noqa: E402
import dualdiff.linalg as dl  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "timing", os.path.join(os.path.dirname(os.path.abspath(__file__)), "timing.py"))
timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(timing)

try:
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.scipy.linalg as jsl
except ImportError:  # a peer, optional
    jax = None


def _differences(f, x, h=1e-7):
    """The forward-difference Jacobian of f at x: len(x) + 1 evaluations."""
    f0 = np.asarray(f(x))
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        cols.append((np.asarray(f(x + e.reshape(x.shape))) - f0) / h)
    return np.stack(cols, axis=-1)


def linalg_cases(n, rng):
    a = rng.uniform(-1, 1, (n, n)) + n * np.eye(n)
    s = a @ a.T
    b = rng.normal(size=n)
    cases = {
        "expm": (lambda x, m: m.expm(x / n), a),
        "sqrtm (SPD)": (lambda x, m: m.sqrtm(x), s),
        "solve_triangular": (lambda x, m: m.solve_triangular(x, b, lower=True), a),
        "cho_solve(cho_factor)": (lambda x, m: m.cho_solve(m.cho_factor(x), b), s),
        "solve_sylvester (n x n)": (lambda x, m: m.solve_sylvester(x, x.T, np.eye(n)), a),
    }
    jx = {"expm": lambda x: jsl.expm(x / n), "sqrtm (SPD)": None,
          "solve_triangular": lambda x: jsl.solve_triangular(x, b, lower=True),
          "cho_solve(cho_factor)": lambda x: jsl.cho_solve(jsl.cho_factor(x), b),
          "solve_sylvester (n x n)": None} if jax is not None else {}
    return cases, jx


def logistic(q, solver, T):
    if solver is si:
        return si.solve_ivp(lambda t, y: q[0] * y * (1 - y / q[1]), (0.0, T[-1]), [q[2]], t_eval=T,
                            rtol=1e-8, atol=1e-10).y[0]
    return di.solve_ivp(lambda t, y: q[0] * y * (1 - y / q[1]), (0.0, T[-1]), [q[2]], t_eval=T,
                        rtol=1e-8, atol=1e-10).y[0]


def lotka(q, solver, T):
    def f(y, t):
        return np.array([q[0] * y[0] - q[1] * y[0] * y[1], q[3] * y[0] * y[1] - q[2] * y[1]]) \
            if solver is si else dualdiff.numpy.array([q[0] * y[0] - q[1] * y[0] * y[1],
                                                      q[3] * y[0] * y[1] - q[2] * y[1]])
    return (si if solver is si else di).odeint(f, [1.0, 0.5], T, rtol=1e-8, atol=1e-10).ravel()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--n", type=int, default=6)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    n = args.n
    cases, jx = linalg_cases(n, rng)
    table = {}
    for name, (f, x) in cases.items():
        table[name] = [("scipy", lambda f=f, x=x: f(x, sl)),
                       ("jacobian", lambda f=f, x=x: dualdiff.jacobian(lambda z: f(z, dl))(x)),
                       ("differences", lambda f=f, x=x: _differences(lambda z: f(z, sl), x))]
        if jx.get(name) is not None:
            jf = jax.jit(jax.jacfwd(jx[name]))
            jf(x).block_until_ready()
            table[name].append(("jax", lambda jf=jf, x=x: jf(x).block_until_ready()))
    T = np.linspace(0.25, 5.0, 20)
    q_log = np.array([1.1, 3.0, 0.3])
    q_lv = np.array([1.0, 0.8, 1.2, 0.6])
    odes = {"solve_ivp logistic, 3 params": (logistic, q_log), "odeint Lotka-Volterra, 4 params": (lotka, q_lv)}
    for name, (f, q) in odes.items():
        table[name] = [("scipy", lambda f=f, q=q: f(q, si, T)),
                       ("jacobian", lambda f=f, q=q: dualdiff.jacobian(lambda z: f(z, di, T))(q)),
                       ("differences", lambda f=f, q=q: _differences(lambda z: f(z, si, T), q))]
    t = timing.measure(table, args.repeats)
    print(f"dualdiff.linalg ({n} x {n} matrices, Jacobian in all {n * n} entries) and dualdiff.integrate")
    print(f"(medians of {args.repeats}, us per call; ratios in the same run)")
    print(f"{'function':<32} {'scipy':>9} {'jacobian':>10} {'differences':>12} {'jax.jacfwd':>11} "
          f"{'jac/scipy':>10} {'jac/diff':>9}")
    for name in table:
        s, j, d = t[(name, "scipy")], t[(name, "jacobian")], t[(name, "differences")]
        jv = t.get((name, "jax"))
        jtxt = f"{jv:11.1f}" if jv is not None else f"{'-':>11}"
        print(f"{name:<32} {s:9.1f} {j:10.1f} {d:12.1f} {jtxt} {j / s:10.2f} {j / d:9.2f}")


if __name__ == "__main__":
    main()
