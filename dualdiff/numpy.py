"""dualdiff.numpy: NumPy arrays of dual numbers.

``DualArray`` holds values and derivatives in one float64 buffer and computes
in C; NumPy functions and ufuncs dispatch to it, so ordinary NumPy code
differentiates exactly. Build one from Duals with :func:`array` (the twin of
``np.array([d1, d2])``); the transforms seed NumPy inputs with it.

================================  =============================================
``DualArray``                     the array type (``.value``, ``.tangent``, ``.hessian``)
``array(obj)``                    a DualArray from nested Duals/DualArrays/numbers
``supported_ufuncs()``            names of the supported ufuncs
``supported_functions()``         names of the supported NumPy functions
================================  =============================================

Any other NumPy function raises ``TypeError`` naming it.
"""
from dualdiff._ndarray import DualArray, array, supported_functions, supported_ufuncs

__all__ = ["DualArray", "array", "supported_functions", "supported_ufuncs"]
