"""Cost of the zero-tangent rule (0 * inf taken as 0 in the chain rule), in
instructions counted by callgrind.

    python benchmarks/zero_tangent_cost.py [--iterations 300]

Builds the Dual extension twice from the current sources into a temporary
directory, once as shipped and once with the branches that select the
zero-tangent-safe loops forced to the plain loops, then runs the same
workload under `valgrind --tool=callgrind` with each build and prints the
instructions of the workload (a run with 0 iterations is subtracted) and the
ratio. Needs valgrind and a C compiler; prints a table, exits 0.

Workload per iteration: the corpus's 8-variable loop function at width 8
(first order) and its Hessian (second order), and the 16-operation scalar
expression at width 1 and width 16.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (pattern, replacement) turning each finiteness branch of dd_core.h into the plain path
UNSAFE = [
    ("if (isfinite(d1) && isfinite(d2))", "if (1)"),
    ("int finite = isfinite(fx) && isfinite(fy) && isfinite(fxx) && isfinite(fxy) && isfinite(fyy);",
     "int finite = 1;"),
    ("if (isfinite(fx) && isfinite(fy))", "if (1)"),
    ("if (isfinite(d1))", "if (1)"),
    ("if (isfinite(c))", "if (1)"),
    ("if (c != 0.0 && isfinite(c))", "if (1)"),
    ("if (isfinite(av) && isfinite(bv))", "if (1)"),
    ("if (isfinite(q) && bv != 0.0 && isfinite(bv))", "if (1)"),
]

WORKLOAD = r'''
import importlib.util, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from dualdiff import Dual
from dualdiff import math as dm
spec = importlib.util.spec_from_file_location("corpus", sys.argv[2])
corpus = importlib.util.module_from_spec(spec); spec.loader.exec_module(corpus)
x = [0.3 + 0.1 * i for i in range(8)]
xs = [Dual(v, [1.0 if j == i else 0.0 for j in range(8)]) for i, v in enumerate(x)]
xh = [Dual(v, [1.0 if j == i else 0.0 for j in range(8)], hessian=np.zeros((8, 8))) for i, v in enumerate(x)]
s1 = Dual(0.7, 1.0)
s16 = Dual(0.7, [0.1 * k for k in range(16)])
for _ in range(int(sys.argv[3])):
    corpus.loop_function(xs)
    corpus.loop_function(xh)
    corpus.scalar_expr(s1, dm)
    corpus.scalar_expr(s16, dm)
'''


def build(dest, header_patch):
    pkg = os.path.join(dest, "dualdiff")
    shutil.copytree(os.path.join(ROOT, "dualdiff"), pkg,
                    ignore=shutil.ignore_patterns("*.so", "*.c", "__pycache__"))
    core = os.path.join(pkg, "include", "dualdiff", "dd_core.h")
    text = open(core).read()
    if header_patch:
        for old, new in UNSAFE:
            assert old in text, old
            text = text.replace(old, new)
        open(core, "w").write(text)
    c = os.path.join(dest, "_dual.c")
    subprocess.run([sys.executable, "-m", "cython", "-3", "-I", dest, os.path.join(pkg, "_dual.pyx"),
                    "-o", c], check=True, cwd=dest)
    so = os.path.join(pkg, "_dual" + sysconfig.get_config_var("EXT_SUFFIX"))
    # the flags of setup.py
    subprocess.run(["gcc", "-shared", "-fPIC", "-O3", "-std=c99", "-fno-math-errno", "-g",
                    "-I", os.path.join(pkg, "include"), "-I", sysconfig.get_paths()["include"],
                    c, "-o", so], check=True)


def instructions(path, iterations, tmp):
    script = os.path.join(tmp, "workload.py")
    with open(script, "w") as f:
        f.write(WORKLOAD)
    out = os.path.join(tmp, f"cg.{os.path.basename(path)}.{iterations}")
    r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        sys.executable, script, path, os.path.join(ROOT, "benchmarks", "corpus.py"),
                        str(iterations)], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONMALLOC="malloc", OPENBLAS_NUM_THREADS="1",
                                PYTHONHASHSEED="0"))
    m = re.search(r"Collected : (\d+)", r.stderr)
    if not m:
        raise RuntimeError(r.stderr[-2000:])
    return int(m.group(1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iterations", type=int, default=300)
    a = p.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind not found: skipped")
        return 0
    tmp = tempfile.mkdtemp()
    try:
        rows = []
        for name, patch in [("shipped (zero-tangent safe)", False), ("plain loops", True)]:
            d = os.path.join(tmp, "safe" if not patch else "plain")
            os.makedirs(d)
            build(d, patch)
            base = instructions(d, 0, tmp)
            full = instructions(d, a.iterations, tmp)
            rows.append((name, (full - base) / a.iterations))
        ops = 4  # workloads per iteration
        print(f"{'build':30s} {'instructions / iteration':>26s}")
        for name, ir in rows:
            print(f"{name:30s} {ir:26,.0f}")
        print(f"ratio safe / plain: {rows[0][1] / rows[1][1]:.4f} "
              f"({(rows[0][1] - rows[1][1]) / rows[1][1] * 100:+.2f}% of a workload iteration of "
              f"{ops} Python-level function evaluations)")
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
