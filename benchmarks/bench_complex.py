"""Cost of complex dual numbers against plain NumPy on the same values.

    python benchmarks/bench_complex.py [--repeats 15]

Each row times one call and prints its ratio to the plain evaluation of the
same function on complex floats (one NumPy call chain, no derivatives), with
central differences in the complex plane (two evaluations per direction) as
the other baseline. Medians of interleaved repeats, in one run.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import measure  # noqa: E402

import dualdiff  # noqa: E402


def cases():
    z = 0.3 + 0.7j
    f = lambda z: np.exp(np.sin(z)) * z ** 3 / (1 + z * z)  # noqa: E731
    h = 1e-6
    x64 = np.linspace(0.1, 1.0, 64) + 0.2j
    x256 = np.linspace(0.1, 1.0, 256)
    energy = lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2)  # noqa: E731
    e256 = np.eye(256)
    return {
        "scalar holomorphic f at z (12 operations)": [
            ("plain f(z)", lambda: f(z)),
            ("central difference", lambda: (f(z + h) - f(z - h)) / (2 * h)),
            ("derivative(f, holomorphic=True)", lambda: dualdiff.derivative(f, holomorphic=True)(z)),
            ("jvp(f, z, 1)", lambda: dualdiff.jvp(f, z, 1.0)),
            ("wirtinger(f)", lambda: dualdiff.wirtinger(f)(z)),
        ],
        "jacobian of np.fft.fft, n = 64": [
            ("plain np.fft.fft(z)", lambda: np.fft.fft(x64)),
            ("jacobian(fft, holomorphic=True)", lambda: dualdiff.jacobian(np.fft.fft, holomorphic=True)(x64)),
        ],
        "grad of sum |fft(x)|^2, real x, n = 256": [
            ("plain f(x)", lambda: energy(x256)),
            ("central differences", lambda: [energy(x256 + h * e) - energy(x256 - h * e) for e in e256]),
            ("grad(f)", lambda: dualdiff.grad(energy)(x256)),
        ],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--target", type=float, default=0.02)
    a = p.parse_args()
    table = cases()
    t = measure(table, a.repeats, a.target)
    for group, entries in table.items():
        base = t[(group, entries[0][0])]
        print(f"\n**{group}**\n")
        print("| method | time | x plain |")
        print("|---|---|---|")
        for label, _ in entries:
            us = t[(group, label)]
            print(f"| {label} | {us:.1f} µs | {us / base:.1f} |")


if __name__ == "__main__":
    main()
