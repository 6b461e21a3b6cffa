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
    A0 = np.array([[0.5, -2.0, 0.3], [1.5, 0.2, 0.1], [0.4, 0.3, 1.7]])
    A1 = np.array([[0.1, 0.3, -0.2], [0.0, 0.5, 0.7], [0.2, -0.1, 0.3]])
    C = np.array([[1, 2j, -1], [0.5, 1j, 2], [1 - 1j, 0.3, 1]])

    def spectral(p):  # a real function of eig's eigenvalues and eigenvectors
        w, V = np.linalg.eig(A0 + p[0] * A1 + p[1] * A1.T)
        return np.real(np.sum(C * V)) + np.sum(np.abs(w) ** 2)
    p2 = np.array([0.3, -0.4])
    g = dualdiff.grad(spectral)
    e2 = np.eye(2)

    rng = np.random.default_rng(0)
    H0, H1, H2 = (M + M.conj().T for M in rng.normal(size=(3, 4, 4)) + 1j * rng.normal(size=(3, 4, 4)))
    C4 = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))

    def hermitian(p):  # a real function of eigh's eigenvalues and eigenvectors
        w, V = np.linalg.eigh(H0 + p[0] * H1 + p[1] * H2)
        return np.real(np.sum(C4 * V)) + np.sum(w ** 3)
    gh = dualdiff.grad(hermitian)
    Z = rng.normal(size=(6, 4)) + 1j * rng.normal(size=(6, 4))
    dZ = rng.normal(size=(6, 4)) + 1j * rng.normal(size=(6, 4))
    svd = lambda a: tuple(np.linalg.svd(a, full_matrices=False))  # noqa: E731
    S = rng.normal(size=(8, 4, 4)) + 1j * rng.normal(size=(8, 4, 4))
    dS = rng.normal(size=(8, 4, 4)) + 1j * rng.normal(size=(8, 4, 4))

    def residual(x):  # complex numbers inside a banded real residual
        z = x[:-1] + 1j * x[1:]
        return np.abs(z) ** 2 + np.real(np.exp(1j * x[:-1]))
    x1000 = np.linspace(0.1, 1.0, 1000)
    J = dualdiff.jacobian(residual, sparsity="auto")
    J(x1000)
    return {
        "a real function of np.linalg.eig of a 3 x 3 matrix, 2 parameters": [
            ("plain f(p)", lambda: spectral(p2)),
            ("grad(f)", lambda: g(p2)),
            ("hessian(f)", lambda: dualdiff.hessian(spectral)(p2)),
            ("central differences of grad(f)", lambda: [g(p2 + h * e) - g(p2 - h * e) for e in e2]),
        ],
        "a real function of np.linalg.eigh of a complex Hermitian 4 x 4 matrix, 2 parameters": [
            ("plain f(p)", lambda: hermitian(p2)),
            ("grad(f)", lambda: gh(p2)),
            ("hessian(f)", lambda: dualdiff.hessian(hermitian)(p2)),
            ("central differences of grad(f)", lambda: [gh(p2 + h * e) - gh(p2 - h * e) for e in e2]),
        ],
        "np.linalg.svd of a complex 6 x 4 matrix along one direction": [
            ("plain svd(a)", lambda: svd(Z)),
            ("jvp(svd, a, da)", lambda: dualdiff.jvp(svd, Z, dZ)),
            ("central difference", lambda: [(p - m) / (2 * h) for p, m in zip(svd(Z + h * dZ), svd(Z - h * dZ))]),
        ],
        "np.linalg.eig of a stack of 8 complex 4 x 4 matrices along one direction": [
            ("plain eig(a)", lambda: np.linalg.eig(S)),
            ("jvp(eig, a, da)", lambda: dualdiff.jvp(lambda a: tuple(np.linalg.eig(a)), S, dS)),
            ("central difference", lambda: [(p - m) / (2 * h) for p, m in
                                            zip(np.linalg.eig(S + h * dS), np.linalg.eig(S - h * dS))]),
        ],
        "sparse Jacobian of a banded residual with complex numbers inside, n = 1000": [
            ("plain f(x)", lambda: residual(x1000)),
            ("jacobian_sparsity(f, x)", lambda: dualdiff.jacobian_sparsity(residual, x1000)),
            ("jacobian(f, sparsity=...) call (2 colors)", lambda: J(x1000)),
            ("dense jacobian(f)", lambda: dualdiff.jacobian(residual)(x1000)),
        ],
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
