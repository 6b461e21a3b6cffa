"""Cost of the NaN-safe chain rule (a zero tangent stays 0 through an infinite
partial), the default, against ``nan_safe=False`` (plain IEEE products).

    python benchmarks/nan_safe_cost.py [--iterations 200] [--repeats 15]

Runs the same transforms with each setting of the per-call option:
  * instructions of the workload counted by `valgrind --tool=callgrind` (a
    run with 0 iterations subtracted), when valgrind is installed: repeatable;
  * times per call, medians of interleaved repeats in one process.
Workload: grad and hessian of the corpus's 8-variable loop function,
derivative of the 16-operation scalar expression, and the dense Jacobian of
the 1-D Bratu residual at n = 200 (dual arrays). Prints tables; exits 0.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = r'''
import importlib.util
import numpy as np
import dualdiff
from dualdiff import math as dm
spec = importlib.util.spec_from_file_location("corpus", CORPUS)
corpus = importlib.util.module_from_spec(spec)
spec.loader.exec_module(corpus)
x8 = [0.3 + 0.1 * i for i in range(8)]
u = np.linspace(0.1, 0.5, 200)

def cases(nan_safe):
    g = dualdiff.grad(corpus.loop_function, nan_safe=nan_safe)
    h = dualdiff.hessian(corpus.loop_function, nan_safe=nan_safe)
    d = dualdiff.derivative(lambda x: corpus.scalar_expr(x, dm), nan_safe=nan_safe)
    j = dualdiff.jacobian(corpus.bratu, nan_safe=nan_safe)
    return {"grad, loop function, 8 variables": lambda: g(x8),
            "hessian, loop function, 8 variables": lambda: h(x8),
            "derivative, scalar expression": lambda: d(0.7),
            "jacobian, Bratu n = 200 (dual arrays)": lambda: j(u)}
'''

WORKLOAD = CASES + r'''
import sys
fns = cases(sys.argv[1] == "safe")
names = [k for k in fns if sys.argv[2] in ("all", k)]
for _ in range(int(sys.argv[3])):
    for k in names:
        fns[k]()
'''


def instructions(mode, case, iterations, tmp):
    script = os.path.join(tmp, "workload.py")
    with open(script, "w") as f:
        f.write(f"CORPUS = {os.path.join(HERE, 'corpus.py')!r}\n" + WORKLOAD)
    out = os.path.join(tmp, "callgrind.out")
    r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        sys.executable, script, mode, case, str(iterations)],
                       capture_output=True, text=True,
                       env=dict(os.environ, PYTHONMALLOC="malloc", PYTHONHASHSEED="0"))
    m = re.search(r"Collected : (\d+)", r.stderr)
    if not m:
        raise RuntimeError(r.stderr[-2000:])
    return int(m.group(1))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iterations", type=int, default=200)
    p.add_argument("--repeats", type=int, default=15)
    a = p.parse_args(argv)
    ns = {"CORPUS": os.path.join(HERE, "corpus.py")}
    exec(CASES, ns)
    safe, ieee = ns["cases"](True), ns["cases"](False)
    names = list(safe)

    print("Times per call, median of interleaved repeats (one process)\n")
    print(f"{'case':40s} {'nan_safe=True':>14s} {'nan_safe=False':>15s} {'safe / IEEE':>12s}")
    for k in names:
        ts = {True: [], False: []}
        number = 200
        for _ in range(a.repeats):
            for mode, fns in ((True, safe), (False, ieee)):
                t0 = time.perf_counter()
                for _ in range(number):
                    fns[k]()
                ts[mode].append((time.perf_counter() - t0) / number)
        s, i = statistics.median(ts[True]), statistics.median(ts[False])
        print(f"{k:40s} {s * 1e6:12.2f}us {i * 1e6:13.2f}us {s / i:11.3f}x")

    if shutil.which("valgrind") is None:
        print("\nvalgrind not found: instruction counts skipped")
        return 0
    print(f"\nInstructions per call (callgrind, {a.iterations} calls, start-up subtracted)\n")
    print(f"{'case':40s} {'nan_safe=True':>14s} {'nan_safe=False':>15s} {'safe / IEEE':>12s}")
    tmp = tempfile.mkdtemp()
    try:
        for k in names:
            per = {}
            for mode in ("safe", "ieee"):
                base = instructions(mode, k, 0, tmp)
                full = instructions(mode, k, a.iterations, tmp)
                per[mode] = (full - base) / a.iterations
            print(f"{k:40s} {per['safe']:14,.0f} {per['ieee']:15,.0f} {per['safe'] / per['ieee']:11.4f}x")
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
