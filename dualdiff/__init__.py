"""dualdiff: exact forward-mode automatic differentiation with dual numbers.

Arithmetic and elementary functions run in C (header ``dualdiff/dualdiff.h``);
this package exposes them to Python.

Numbers and functions
---------------------
=========================  ==================================================
``Dual(value, tangent)``   a number with derivatives along 1..n directions
``dualdiff.math``          the twin of :mod:`math`: same names, Duals in and out
``DualArray``              NumPy array of dual numbers (``dualdiff.numpy``)
``get_include()``          directory of the C headers (``-I``, ``include_dirs``)
``all_finite(x)``          every value and derivative in x finite? (Duals, arrays, lists)
=========================  ==================================================

Derivatives
-----------
Each transform takes ``f`` and returns a function of ``(x, *args, **kwargs)``
(extra arguments pass through to ``f``; ``jvp`` evaluates at once); results
are floats or float64 arrays.

=====================================  ================================================
``derivative(f)``                      f'(x) for a real number x
``grad(f, chunk=None)``                gradient of a real-valued f, shaped like x
``value_and_grad(f, chunk=None)``      (f(x), gradient) from the same evaluations
``jacobian(f, chunk=None)``            Jacobian, shape ``out.shape + x.shape``
``value_and_jacobian(f, chunk=None)``  (f(x), Jacobian) from the same evaluations
``jvp(f, x, v, *args, **kwargs)``      (f(x), J @ v) in one evaluation
``hessian(f, chunk=None)``             exact Hessian, ``out.shape + x.shape + x.shape``
``hvp(f, chunk=None)``                 (x, v) -> H @ v without forming H
``taylor(f, order)``                   (x, v) -> Taylor coefficients of f(x + t v), any order
``derivative(f, order=k)``             the k-th derivative of a function of one variable
``jacobian(f, sparsity=S)``            a :class:`SparseJacobian`: colored, scipy.sparse out
``jacobian_sparsity(f, x)``            the Jacobian's sparsity pattern at x
``hessian(f, sparsity=S)``             a :class:`SparseHessian`: elements, colors, scipy.sparse out
``hessian_sparsity(f, x)``             the Hessian's sparsity pattern at x
=====================================  ================================================

Transforms nest: a first-order transform (derivative, grad, value_and_grad,
jacobian, value_and_jacobian, jvp) may run inside a function that another
first-order transform differentiates, e.g. ``jacobian(grad(f))``; deeper
nesting raises :class:`NestingError`.

Every transform also takes ``nan_safe=True``: a zero tangent stays 0 through
an infinite partial derivative; ``nan_safe=False`` multiplies as plain IEEE
doubles (0 * inf = NaN). Conventions at non-differentiable points are tabled
in the README.

The transforms that evaluate ``f`` in chunks (jacobian, value_and_jacobian,
grad, value_and_grad, hessian, SparseJacobian) take ``workers=``: an int (a
process pool of that many workers, kept by the transform) or a map-like
callable ``workers(func, iterable)`` (``multiprocessing.Pool.map``, a
``concurrent.futures`` executor's ``map``, Ray's ``Pool.map``), or a
``dask.distributed.Client``; the chunks go to the workers and the result is
the same bit for bit.
"""
try:
    from dualdiff._dual import Dual, all_finite
except ImportError as _exc:  # pragma: no cover - depends on how it was started
    import os as _os

    if _os.path.exists(_os.path.join(_os.path.dirname(__file__), "_dual.pyx")):
        raise ImportError(
            "dualdiff's compiled extension is missing: this looks like the source tree. "
            "Install the package (pip install .) and run from another directory."
        ) from _exc
    raise

from dualdiff import math
from dualdiff import numpy
from dualdiff.numpy import DualArray
from dualdiff._version import __version__
from dualdiff._include import get_include
from dualdiff._derivative import derivative
from dualdiff._gradient import grad, value_and_grad
from dualdiff._jacobian import jacobian, value_and_jacobian
from dualdiff._sparse import SparseJacobian, jacobian_sparsity
from dualdiff._sparse_hessian import SparseHessian, hessian_sparsity
from dualdiff._jvp import jvp
from dualdiff._hessian import hessian, hvp
from dualdiff._nesting import NestingError
from dualdiff._taylor import taylor

__all__ = [
    "Dual",
    "DualArray",
    "all_finite",
    "get_include",
    "math",
    "numpy",
    "derivative",
    "grad",
    "value_and_grad",
    "jacobian",
    "value_and_jacobian",
    "jvp",
    "hessian",
    "hvp",
    "taylor",
    "jacobian_sparsity",
    "SparseJacobian",
    "hessian_sparsity",
    "SparseHessian",
    "NestingError",
    "__version__",
]
