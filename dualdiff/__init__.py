"""dualdiff: exact forward-mode automatic differentiation with dual numbers.

Arithmetic and elementary functions run in C (header ``dualdiff/dualdiff.h``);
this package exposes them to Python.

Numbers and functions
---------------------
=========================  ==================================================
``Dual(value, tangent)``   a number with derivatives along 1..n directions
``dualdiff.math``          the twin of :mod:`math`: same names, Duals in and out
``DualArray``              NumPy array of dual numbers (``dualdiff.numpy``)
``get_include()``          directory of the C header and for the Cython ``.pxd``
=========================  ==================================================

Conventions at non-differentiable points are tabled in the README.
"""
try:
    from dualdiff._dual import Dual
except ImportError as exc:  # pragma: no cover - depends on how it was started
    import os as _os

    if _os.path.exists(_os.path.join(_os.path.dirname(__file__), "_dual.pyx")):
        raise ImportError(
            "dualdiff's compiled extension is missing: this looks like the source tree. "
            "Install the package (pip install .) and run from another directory."
        ) from exc
    raise

from dualdiff import math
from dualdiff import numpy
from dualdiff.numpy import DualArray
from dualdiff._version import __version__
from dualdiff._include import get_include

__all__ = [
    "Dual",
    "DualArray",
    "get_include",
    "math",
    "numpy",
    "__version__",
]
