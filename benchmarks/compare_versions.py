"""Two installed versions of dualdiff side by side, through the public API.

    python benchmarks/compare_versions.py PYTHON_A PYTHON_B [--rounds 5]

PYTHON_A and PYTHON_B are interpreters of two virtualenvs, each with a
version of dualdiff installed (e.g. the previous release and this one). The
script runs this same file in each as a worker (``--worker``), alternately,
``rounds`` times each; a worker times every case of CASES (medians of
interleaved repeats, thread CPU time) and prints one line per case. The table
gives the median over rounds for each version and the ratio B / A.

The cases are the calls of bench_scalar, bench_api, bench_arrays and
bench_sparse that users make: a derivative of the corpus expression, the
gradient and Hessian of the 8-variable loop function from a list and from an
ndarray, a dense Jacobian of the Bratu residual (n = 200), the gradient of
SciPy's Rosenbrock function (n = 1000) and its Hessian-vector product by hvp
and as jvp of that gradient (n = 200), a sparse Jacobian (n = 10^4) and the
sparsity detection behind it, the Hessian of a quadratic form x @ W @ x
(n = 32) by hessian and by jacobian(grad), and Hessians of products whose two
operands both depend on x (n = 16): x @ M(x) @ x, trace(X @ X), a tensordot
and a kron.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

_here = pathlib.Path(__file__).resolve().parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, _here / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def cases():
    import numpy as np
    import scipy.optimize

    import dualdiff
    from dualdiff import math as dm

    corpus = _load("corpus")
    p8 = [0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 1.3, -1.0]
    a8 = np.array(p8)
    d = dualdiff.derivative(lambda x: corpus.scalar_expr(x, dm))
    g = dualdiff.grad(corpus.loop_function)
    h = dualdiff.hessian(corpus.loop_function)
    u200 = np.linspace(0.0, 0.3, 200)
    jb = dualdiff.jacobian(corpus.bratu)
    x1000 = np.linspace(-1.0, 1.0, 1000)
    gr = dualdiff.grad(scipy.optimize.rosen)
    x200, v200 = np.linspace(-1.0, 1.0, 200), np.cos(np.arange(200.0))
    hv = dualdiff.hvp(scipy.optimize.rosen)
    u4 = np.linspace(0.0, 0.3, 10 ** 4)
    sj = dualdiff.jacobian(corpus.bratu, sparsity="auto")
    sj(u4)
    W32 = np.cos(np.arange(32.0 * 32.0)).reshape(32, 32)
    x32 = np.linspace(-1.0, 1.0, 32)
    quad = lambda x: x @ W32 @ x  # noqa: E731
    hq, jgq = dualdiff.hessian(quad), dualdiff.jacobian(dualdiff.grad(quad))
    x16 = np.linspace(0.1, 1.0, 16)
    hm = dualdiff.hessian(lambda x: x @ np.sin(np.outer(x, x)) @ x)
    ht = dualdiff.hessian(lambda x: np.trace(np.cos(x).reshape(4, 4) @ np.cos(x).reshape(4, 4)))
    htd = dualdiff.hessian(lambda x: np.sum(np.tensordot(np.sin(x).reshape(2, 2, 4),
                                                         np.cos(x).reshape(2, 4, 2))))
    hk = dualdiff.hessian(lambda x: np.sum(np.cos(np.kron(np.sin(x[:4]), x[4:]))))
    return [
        ("derivative, corpus expression", lambda: d(0.7)),
        ("grad, loop function, list", lambda: g(p8)),
        ("grad, loop function, ndarray", lambda: g(a8)),
        ("hessian, loop function, list", lambda: h(p8)),
        ("hessian, loop function, ndarray", lambda: h(a8)),
        ("jacobian, Bratu n=200", lambda: jb(u200)),
        ("grad, scipy rosen n=1000", lambda: gr(x1000)),
        ("hvp, rosen n=200", lambda: hv(x200, v200)),
        ("jvp of grad (Hessian-vector), rosen n=200", lambda: dualdiff.jvp(gr, x200, v200)),
        ("sparse jacobian, Bratu n=10^4", lambda: sj(u4)),
        ("jacobian_sparsity, Bratu n=10^4", lambda: dualdiff.jacobian_sparsity(corpus.bratu, u4)),
        ("hessian, x @ W @ x n=32", lambda: hq(x32)),
        ("jacobian(grad), x @ W @ x n=32", lambda: jgq(x32)),
        ("hessian, x @ sin(outer(x, x)) @ x n=16", lambda: hm(x16)),
        ("hessian, trace(X @ X) X 4x4", lambda: ht(x16)),
        ("hessian, sum(tensordot(X, Y)) n=16", lambda: htd(x16)),
        ("hessian, sum(cos(kron(u, v))) n=16", lambda: hk(x16)),
    ]


def worker(repeats):
    timing = _load("timing")
    # glibc serves large blocks by mmap until a freed one raises its threshold
    # (to a size below 32 MiB): one 16 MiB block first, so that every version
    # and case order starts from the same allocator (without it, a version
    # whose cases allocate less pays page faults on every large array)
    import numpy as np
    block = np.ones(2 ** 21)
    del block
    table = {"cases": cases()}
    res = timing.measure(table, repeats, timer=time.thread_time, target=0.01, calibrate=0.05)
    import dualdiff
    print(json.dumps({"version": dualdiff.__version__,
                      "us": {label: res[("cases", label)] for label, _ in table["cases"]}}))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("python_a", nargs="?")
    p.add_argument("python_b", nargs="?")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--worker", action="store_true")
    args = p.parse_args(argv)
    if args.worker:
        worker(args.repeats)
        return
    runs = {"A": [], "B": []}
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    for _ in range(args.rounds):
        for key, py in (("A", args.python_a), ("B", args.python_b)):
            out = subprocess.run([py, __file__, "--worker", "--repeats", str(args.repeats)],
                                 capture_output=True, text=True, env=env, cwd="/", check=True)
            runs[key].append(json.loads(out.stdout.strip().splitlines()[-1]))
    labels = list(runs["A"][0]["us"])
    va, vb = runs["A"][0]["version"], runs["B"][0]["version"]
    print(f"A = dualdiff {va} ({args.python_a}), B = dualdiff {vb} ({args.python_b})")
    print(f"medians over {args.rounds} alternating rounds, each the median of {args.repeats} "
          "interleaved repeats (thread CPU time)\n")
    print("| case | A (us) | B (us) | B / A |\n|---|--:|--:|--:|")
    for label in labels:
        a = statistics.median(r["us"][label] for r in runs["A"])
        b = statistics.median(r["us"][label] for r in runs["B"])
        print(f"| {label} | {a:.2f} | {b:.2f} | {b / a:.2f} |")


if __name__ == "__main__":
    main()
