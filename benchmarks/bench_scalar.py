"""Scalar derivative benchmark: the ~15-operation expression of corpus.py.

Compares, in one process with interleaved repeats (medians):
  floats with math (value only), the complex-step method (value and derivative),
  a pure-Python dual-number class, and dualdiff.Dual with dualdiff.math at
  widths 1, 8 and 32 (width w carries w directions in one evaluation).

Run: python benchmarks/bench_scalar.py [--repeats N]
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # BLAS threads spin and add noise

import argparse
import cmath
import importlib.util
import math
import pathlib
import statistics
import timeit

import dualdiff
from dualdiff import Dual
from dualdiff import math as dmath

_here = pathlib.Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("corpus", _here / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


class PyDual:
    """A minimal pure-Python dual number (one direction), the usual textbook class."""

    __slots__ = ("v", "d")

    def __init__(self, v, d=0.0):
        self.v = v
        self.d = d

    def __add__(self, o):
        if isinstance(o, PyDual):
            return PyDual(self.v + o.v, self.d + o.d)
        return PyDual(self.v + o, self.d)

    __radd__ = __add__

    def __sub__(self, o):
        if isinstance(o, PyDual):
            return PyDual(self.v - o.v, self.d - o.d)
        return PyDual(self.v - o, self.d)

    def __rsub__(self, o):
        return PyDual(o - self.v, -self.d)

    def __mul__(self, o):
        if isinstance(o, PyDual):
            return PyDual(self.v * o.v, self.d * o.v + self.v * o.d)
        return PyDual(self.v * o, self.d * o)

    __rmul__ = __mul__

    def __truediv__(self, o):
        if isinstance(o, PyDual):
            q = self.v / o.v
            return PyDual(q, (self.d - q * o.d) / o.v)
        return PyDual(self.v / o, self.d / o)

    def __rtruediv__(self, o):
        q = o / self.v
        return PyDual(q, -q * self.d / self.v)

    def __pow__(self, c):
        return PyDual(self.v ** c, c * self.v ** (c - 1) * self.d)


class PyDualMath:
    """math functions for PyDual."""

    @staticmethod
    def sin(x):
        return PyDual(math.sin(x.v), math.cos(x.v) * x.d)

    @staticmethod
    def cos(x):
        return PyDual(math.cos(x.v), -math.sin(x.v) * x.d)

    @staticmethod
    def exp(x):
        e = math.exp(x.v)
        return PyDual(e, e * x.d)

    @staticmethod
    def log(x):
        return PyDual(math.log(x.v), x.d / x.v)

    @staticmethod
    def sqrt(x):
        s = math.sqrt(x.v)
        return PyDual(s, 0.5 * x.d / s)


def cases(x0):
    f = corpus.scalar_expr
    h = 1e-200
    d1 = Dual(x0, 1.0)
    d8 = Dual(x0, [1.0] * 8)
    d32 = Dual(x0, [1.0] * 32)
    p = PyDual(x0, 1.0)
    return {
        "floats (math), value only": lambda: f(x0, math),
        "complex step (cmath)": lambda: f(complex(x0, h), cmath).imag / h,
        "pure-Python dual class": lambda: f(p, PyDualMath).d,
        "dualdiff.Dual width 1": lambda: f(d1, dmath).tangent,
        "dualdiff.Dual width 8": lambda: f(d8, dmath),
        "dualdiff.Dual width 32": lambda: f(d32, dmath),
    }


def measure(funcs, repeats, number):
    times = {k: [] for k in funcs}
    for _ in range(repeats):
        for k, fn in funcs.items():  # interleaved, so drifts hit every case alike
            times[k].append(timeit.timeit(fn, number=number) / number)
    return {k: statistics.median(v) for k, v in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=21)
    ap.add_argument("--number", type=int, default=20000)
    args = ap.parse_args(argv)
    x0 = 0.7
    # the benchmark computes what it claims
    ref = corpus.scalar_expr_derivative(x0, math)
    assert math.isclose(corpus.scalar_expr(Dual(x0, 1.0), dmath).tangent, ref, rel_tol=1e-13)
    funcs = cases(x0)
    med = measure(funcs, args.repeats, args.number)
    base = med["floats (math), value only"]
    cs = med["complex step (cmath)"]
    w1 = med["dualdiff.Dual width 1"]
    print(f"dualdiff {dualdiff.__version__}: derivative of a 16-operation scalar expression")
    print(f"median of {args.repeats} interleaved repeats x {args.number} calls, one process\n")
    print(f"{'case':32s} {'time/call':>10s} {'vs floats':>10s} {'vs complex':>11s}")
    for k, t in med.items():
        print(f"{k:32s} {t * 1e9:8.0f}ns {t / base:9.2f}x {t / cs:10.2f}x")
    print()
    print(f"width 1 / floats      = {w1 / base:.2f}  (target <= 1.6)")
    print(f"width 1 / complex step = {w1 / cs:.2f}  (target <= 0.75)")
    print(f"width 8 / width 1      = {med['dualdiff.Dual width 8'] / w1:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
