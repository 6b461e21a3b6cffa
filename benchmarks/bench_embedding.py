"""Embedding benchmark: dualdiff's C API from Cython and C, against hand-written code.

    python benchmarks/bench_embedding.py [--quick]

Builds, in a temporary directory and against the INSTALLED dualdiff:
  * embedding/bench_newton.pyx: Newton on the 3x3 system of tests/extending/newton3.pyx,
    Jacobian by dd_value_and_jacobian vs a hand-written analytic Jacobian (same
    iteration, same dd_lu_solve);
  * tests/extending/newton3.pyx: the documented example, handed to SciPy;
  * embedding/bench_madd.c: width-1 dual multiply-add in a C loop vs plain doubles,
    over arrays that fit in L1, in L2 and only in memory, timed (repeated,
    interleaved, medians) and, when valgrind is installed, counted in instructions
    with `valgrind --tool=callgrind`.
Prints the build line and tables of ratios measured in this one run.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import importlib.util  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import sysconfig  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import dualdiff  # noqa: E402
from dualdiff import Dual  # noqa: E402
from dualdiff import math as dmath  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CFLAGS = ["-O3", "-std=c99", "-fno-math-errno"]
QUICK = "--quick" in sys.argv
REPEATS = 5 if QUICK else 9

SETUP = """
from Cython.Build import cythonize
from setuptools import Extension, setup
import dualdiff
exts = [Extension(n, [n + ".pyx"], include_dirs=[dualdiff.get_include()], extra_compile_args={flags!r})
        for n in ("bench_newton", "newton3")]
setup(ext_modules=cythonize(exts, quiet=True))
"""


def cc_version(cc):
    out = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else cc


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build(tmp):
    shutil.copy(os.path.join(HERE, "embedding", "bench_newton.pyx"), tmp)
    shutil.copy(os.path.join(ROOT, "tests", "extending", "newton3.pyx"), tmp)
    with open(os.path.join(tmp, "setup.py"), "w") as f:
        f.write(SETUP.format(flags=CFLAGS))
    subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    mods = {n: load(os.path.join(tmp, n + suffix), n) for n in ("bench_newton", "newton3")}
    cc = shutil.which(os.environ.get("CC", "cc"))
    exes = {}
    for name in ("bench_madd", "bench_newton"):
        exes[name] = os.path.join(tmp, name)
        subprocess.run([cc, *CFLAGS, "-I", dualdiff.get_include(), os.path.join(HERE, "embedding", name + ".c"),
                        "-o", exes[name], "-lm"], check=True)
    return mods, exes, cc


def callgrind_per_pass(args, low=10, high=30):
    """Instructions (callgrind Ir) per pass of `args + [passes]`: (Ir(high) - Ir(low)) / (high - low),
    so start-up and set-up cancel out."""
    ir = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in (low, high):
            out = os.path.join(tmp, f"cg.{r}")
            subprocess.run([shutil.which("valgrind"), "--tool=callgrind", f"--callgrind-out-file={out}", *args,
                            str(r)], check=True, capture_output=True)
            ir.append(int(re.search(r"^summary:\s*(\d+)", open(out).read(), re.M).group(1)))
    return (ir[1] - ir[0]) / (high - low)


def interleaved(cases, repeats=REPEATS):
    """cases: name -> f() returning seconds; run them in turn, return medians."""
    times = {name: [] for name in cases}
    for _ in range(repeats):
        for name, f in cases.items():
            times[name].append(f())
    return {name: statistics.median(t) for name, t in times.items()}


def table(title, rows, base):
    print(f"\n{title}")
    width = max(len(r) for r in rows)
    print(f"  {'case':<{width}}  {'time':>12}  {'ratio':>7}  {'speed-up':>8}")
    for name, t in rows.items():
        print(f"  {name:<{width}}  {t * 1e9:>9.1f} ns  {t / rows[base]:>6.2f}x  {rows[base] / t:>7.2f}x")


def per_call(f, n):
    def run():
        t0 = time.perf_counter()
        for _ in range(n):
            f()
        return (time.perf_counter() - t0) / n
    return run


# ------------------------------------------------------------ Python-level Dual path

def py_fun_and_jac(x):
    """The example's system written with the Python Dual type."""
    X = Dual(x[0], [1.0, 0.0, 0.0])
    Y = Dual(x[1], [0.0, 1.0, 0.0])
    Z = Dual(x[2], [0.0, 0.0, 1.0])
    f = [X * X + Y * Y + Z * Z - 3, dmath.exp(X - 1) + 2 * Y * Z - 3, dmath.sin(math.pi / 2 * X) + Y - 2 * Z]
    return np.array([v.value for v in f]), np.array([v.tangent for v in f])


def py_xsinx_prime(x):
    X = Dual(x, 1.0)
    return (X * dmath.sin(X)).tangent


def main():
    from scipy import LowLevelCallable
    from scipy.integrate import quad
    from scipy.optimize import root

    import Cython
    import scipy

    with tempfile.TemporaryDirectory() as tmp:
        mods, exes, cc = build(tmp)
        exe = exes["bench_madd"]
        bn, n3 = mods["bench_newton"], mods["newton3"]
        print("build:", f"{cc_version(cc)}; flags {' '.join(CFLAGS)}; Python {platform.python_version()};",
              f"Cython {Cython.__version__}; numpy {np.__version__}; scipy {scipy.__version__};",
              f"dualdiff {dualdiff.__version__}; {cpu_model()}, {os.cpu_count()} cores; "
              f"{'quick' if QUICK else 'full'} run, medians of {REPEATS} interleaved repeats")

        # -------- Newton in Cython, no GIL: C-API Jacobian vs analytic Jacobian
        steps, reps = 6, 20000 if QUICK else 100000
        for kind in ("dual", "hand", "driver"):
            _, xr = bn.time_newton(kind, 10, steps)
            assert np.allclose(xr, 1.0, atol=1e-14), (kind, xr)
        rows = interleaved({
            "Newton, analytic Jacobian (hand-written)": lambda: bn.time_newton("hand", reps, steps)[0],
            "Newton, Jacobian by dd_value_and_jacobian": lambda: bn.time_newton("dual", reps, steps)[0],
            "dd_newton driver (damped, stops at |f|<=1e-14)": lambda: bn.time_newton("driver", reps, 50)[0],
        })
        table(f"3x3 Newton solve in Cython, nogil ({steps} full steps; target: C API <= 2x analytic)", rows,
              "Newton, analytic Jacobian (hand-written)")
        if shutil.which("valgrind"):
            ir = {k: callgrind_per_pass([exes["bench_newton"], k], 100, 300) for k in ("hand", "dual")}
            print(f"  instructions per solve, same iteration in plain C (valgrind --tool=callgrind Ir):"
                  f" analytic {ir['hand']:.0f}, dd_value_and_jacobian {ir['dual']:.0f},"
                  f" ratio {ir['dual'] / ir['hand']:.2f}x")
        rows = interleaved({
            "f and J, analytic": lambda: bn.time_jacobian("hand", reps * 5)[0],
            "f and J, dd_value_and_jacobian": lambda: bn.time_jacobian("dual", reps * 5)[0],
        })
        table("3x3 value and Jacobian alone", rows, "f and J, analytic")

        # -------- width-1 multiply-add in C, in L1, in L2 and in memory
        sizes = (1024, 16384, 1 << 20)
        ns = {}
        for size in sizes:
            out = subprocess.run([exe, "time", str(size)], capture_output=True, text=True, check=True).stdout
            for k, v in (line.split() for line in out.splitlines()):
                ns.setdefault(k, []).append(float(v))
        counts = {}
        if shutil.which("valgrind"):
            counts = {k: callgrind_per_pass([exe, "count", k, str(sizes[0])]) / sizes[0] for k in ns}
        print("\nWidth-1 dual multiply-add in a C loop (target: <= 3x plain doubles); time per element"
              " and its ratio, for N elements")
        print("  (duals: NaN-safe by default; order 1 | DD_IEEE multiplies tangents as plain IEEE doubles)")
        heads = [f"N = {size}" for size in sizes]
        print(f"  {'kernel':<34}" + "".join(f"  {h:>17}" for h in heads) + f"  {'instr/elem, N = ' + str(sizes[0]):>26}")
        labels = {"plain_axpy": "out_i = a_i x_i + c_i, doubles", "dual_axpy": "out_i = a_i x_i + c_i, duals",
                  "ieee_axpy": "  the same, order 1 | DD_IEEE",
                  "plain_dot": "acc += a_i x_i, doubles", "dual_dot": "acc += a_i x_i, duals",
                  "ieee_dot": "  the same, order 1 | DD_IEEE"}
        for k in ns:
            base = "plain_" + k.split("_")[1]
            cells = "".join(f"  {t:>7.3f} ns {t / b:>5.2f}x" for t, b in zip(ns[k], ns[base]))
            ic = f"  {counts[k]:>18.2f} {counts[k] / counts[base]:>6.2f}x" if counts else f"  {'n/a':>26}"
            print(f"  {labels[k]:<34}{cells}{ic}")
        print("  (time: clock_gettime, median of 15 interleaved repeats of about 2^22 elements each;"
              f" instructions: {'valgrind --tool=callgrind Ir, (30 - 10 passes) / 20' if counts else 'valgrind not found'})")

        # -------- from Python: handing the compiled residual to SciPy
        x0 = np.array([1.3, 0.8, 1.2])
        n = 2000 if QUICK else 10000
        f_c, j_c = n3.fun_and_jac(x0)
        f_p, j_p = py_fun_and_jac(x0)
        assert np.allclose(f_c, f_p, rtol=1e-15) and np.allclose(j_c, j_p, rtol=1e-15)
        rows = interleaved({
            "Python Dual fun_and_jac": per_call(lambda: py_fun_and_jac(x0), n),
            "Cython C-API fun_and_jac": per_call(lambda: n3.fun_and_jac(x0), n),
        })
        table("One value-and-Jacobian call from Python (3x3)", rows, "Python Dual fun_and_jac")
        rows = interleaved({
            "root(hybr) with Python Dual fun_and_jac": per_call(lambda: root(py_fun_and_jac, x0, jac=True), n // 20),
            "root(hybr) with Cython C-API fun_and_jac": per_call(lambda: root(n3.fun_and_jac, x0, jac=True), n // 20),
            "dd_newton inside Cython (newton3.solve)": per_call(lambda: n3.solve(x0), n // 20),
        })
        table("Whole 3x3 solve from Python", rows, "root(hybr) with Python Dual fun_and_jac")
        llc = LowLevelCallable.from_cython(n3, "xsinx_prime")
        assert abs(quad(llc, 0, 2)[0] - 2 * math.sin(2)) < 1e-12
        rows = interleaved({
            "quad, Python Dual derivative": per_call(lambda: quad(py_xsinx_prime, 0, 2), n // 20),
            "quad, LowLevelCallable (dd_derivative)": per_call(lambda: quad(llc, 0, 2), n // 20),
        })
        table("scipy.integrate.quad of g'(x), g = x sin x, on [0, 2] (21 points)", rows,
              "quad, Python Dual derivative")


if __name__ == "__main__":
    main()
