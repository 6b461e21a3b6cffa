"""dualdiff [--x X] [--number N] [--repeats R]  (also: python -m dualdiff)

Differentiate a 16-operation scalar expression with dual numbers, compare the
result with the derivative written by hand, and time it against the same
expression on plain floats and against the complex-step method.
"""
import argparse
import cmath
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import dualdiff
import dualdiff.math as dm
from dualdiff import Dual


def expression(x: Any, m: Any) -> Any:
    """expression(x, m) -> m's number type

    The scalar workload of dualdiff's benchmarks, written once for every number
    type: ``m`` is the module of elementary functions (math, cmath, dualdiff.math).
    """
    return m.sin(x) * m.exp(-0.5 * x) + m.sqrt(1.0 + x * x) / (2.0 + m.cos(x)) - m.log(1.0 + x) * x ** 3


def expression_derivative(x: float) -> float:
    """expression_derivative(x) -> float

    The derivative of :func:`expression`, derived by hand.
    """
    s, c, e = math.sin(x), math.cos(x), math.exp(-0.5 * x)
    r = math.sqrt(1.0 + x * x)
    return float(c * e - 0.5 * s * e
                 + (x / r) / (2.0 + c) + r * s / (2.0 + c) ** 2
                 - x ** 3 / (1.0 + x) - 3.0 * x ** 2 * math.log(1.0 + x))


def _cases(x: float) -> list[tuple[str, Callable[[], Any]]]:
    seed1 = Dual(x, 1.0)
    seed8 = Dual(x, [1.0] + [0.0] * 7)
    h = 1e-200
    return [
        ("value only, floats and math", lambda: expression(x, math)),
        ("dualdiff, width 1", lambda: expression(seed1, dm).tangent),
        ("dualdiff, width 8", lambda: expression(seed8, dm).tangent),
        ("complex step, cmath", lambda: expression(complex(x, h), cmath).imag / h),
    ]


def _loop(f: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        f()
    return (time.perf_counter() - start) / number


def main(argv: Sequence[str] | None = None) -> int:
    """main(argv=None) -> int

    The ``dualdiff`` command: print a derivative and a short speed table.
    """
    parser = argparse.ArgumentParser(prog="dualdiff", description=__doc__.split("\n\n")[1])
    parser.add_argument("--x", type=float, default=0.7, help="the point (default 0.7)")
    parser.add_argument("--number", type=int, default=5000, help="calls per timing (default 5000)")
    parser.add_argument("--repeats", type=int, default=7, help="timings per case; the median is shown (default 7)")
    args = parser.parse_args(argv)
    if args.number < 1 or args.repeats < 1:
        parser.error("--number and --repeats must be at least 1")
    x = args.x

    print(f"dualdiff {dualdiff.__version__} on Python {platform.python_version()} ({platform.machine()})")
    print()
    print("f(x) = sin(x) exp(-x/2) + sqrt(1 + x^2) / (2 + cos(x)) - log(1 + x) x^3")
    d = expression(Dual(x, 1.0), dm)
    exact = expression_derivative(x)
    print(f"f({x!r})  = {d.value!r}")
    print(f"f'({x!r}) = {d.tangent!r}  (dualdiff)")
    print(f"f'({x!r}) = {exact!r}  (derived by hand; difference {abs(d.tangent - exact):.1e})")
    print()

    cases = _cases(x)
    times: dict[str, list[float]] = {name: [] for name, _ in cases}
    for name, f in cases:  # warm up
        _loop(f, max(1, args.number // 10))
    for _ in range(args.repeats):  # interleave the cases
        for name, f in cases:
            times[name].append(_loop(f, args.number))
    median = {name: statistics.median(t) for name, t in times.items()}
    base = median[cases[0][0]]
    print(f"time per call, median of {args.repeats} x {args.number} calls")
    print(f"{'case':<30} {'time (us)':>10} {'vs floats':>10}")
    for name, _ in cases:
        print(f"{name:<30} {median[name] * 1e6:>10.3f} {median[name] / base:>9.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
