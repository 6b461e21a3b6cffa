"""Functions for tests/test_workers.py that worker processes import by name.

tests/test_workers.py puts this folder on sys.path before it makes any pool,
so processes started by spawn or forkserver (and Dask's workers, which are
spawned) find this module as the parent does.
"""
import os

import numpy as np

import dualdiff.numpy as dnp

_rng = np.random.default_rng(19)
A = _rng.standard_normal((24, 24)) / 5.0
N = 24


def _array(x):
    """x as an array when a list of numbers is given (a list of Duals: a DualArray)."""
    return dnp.array(x) if isinstance(x, list) else x


def residual(x):
    """A vector function with matrix products by a constant (BLAS) and
    elementwise work: the issue's example, tanh(A @ sin(x)) @ A + x**2."""
    x = _array(x)
    return np.tanh(A @ np.sin(x)) @ A + x ** 2


def energy(x):
    """A scalar function of a vector, with a branch on values."""
    x = _array(x)
    return np.sum(np.where(x > 0.0, np.cos(x) * x ** 3, -x)) + x[0] * x[-1] + 0.5 * x @ A @ x


def band(x):
    """A tridiagonal residual (a sparse Jacobian of 3 colors)."""
    x = _array(x)
    return x[:-2] * x[1:-1] + np.sin(x[2:]) - 0.5 * x[1:-1] * x[1:-1]


def pid(x):
    """x * 0 + the id of the process that evaluates it (which process ran a chunk)."""
    return x * 0.0 + float(os.getpid())


def fails(x):
    """Raises, wherever it runs."""
    raise ValueError("f failed on purpose")


def on_dict(d):
    """A function of a dict of arrays (derivatives come back in its structure)."""
    return np.sin(d["a"]) * d["b"][0, 0] + np.sum(d["b"] * d["b"])
