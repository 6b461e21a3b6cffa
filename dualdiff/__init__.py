"""dualdiff: exact forward-mode automatic differentiation with dual numbers.

Arithmetic and elementary functions run in C (header ``dualdiff/dualdiff.h``);
this package exposes them to Python.

Numbers and functions
---------------------
=========================  ==================================================
``Dual(value, tangent)``   a number with derivatives along 1..n directions
``dualdiff.math``          the twin of :mod:`math`: same names, Duals in and out
``get_include()``          directory of the C header and for the Cython ``.pxd``
``all_finite(x)``          every value and derivative in x finite? (Duals, arrays, lists)
=========================  ==================================================

Conventions at non-differentiable points are tabled in the README.
"""
try:
    from dualdiff._dual import Dual, all_finite
except ImportError as exc:  # pragma: no cover - depends on how it was started
    import os as _os

    if _os.path.exists(_os.path.join(_os.path.dirname(__file__), "_dual.pyx")):
        raise ImportError(
            "dualdiff's compiled extension is missing: this looks like the source tree. "
            "Install the package (pip install .) and run from another directory."
        ) from exc
    raise

from dualdiff import math
from dualdiff._version import __version__
from dualdiff._include import get_include

__all__ = [
    "Dual",
    "all_finite",
    "get_include",
    "math",
    "__version__",
]
