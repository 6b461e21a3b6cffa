"""dualdiff.ipopt: large constrained optimization with IPOPT, derivatives by dualdiff.

IPOPT (through the optional ``cyipopt`` package: ``pip install dualdiff[ipopt]``,
which builds against the IPOPT library, e.g. Debian's ``coinor-libipopt-dev``)
asks for the gradient of the objective, the sparse Jacobian of the
constraints and the sparse Hessian of the Lagrangian, each with its structure
given once. :class:`Problem` makes all of them from a plain NumPy ``f`` and
``constraints``::

    import numpy as np
    from dualdiff.ipopt import Problem

    def f(x):
        return x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2]

    def c(x):
        return [x[0] * x[1] * x[2] * x[3], np.sum(x ** 2)]

    p = Problem(f, [1.0, 5.0, 5.0, 1.0], constraints=c, bounds=(1.0, 5.0),
                constraint_bounds=([25.0, 40.0], [np.inf, 40.0]))
    x, info = p.solve(print_level=0)      # info["obj_val"]: 17.0140173

The gradient and the Lagrangian's Hessian come from the elements of the sums
that end ``f`` and the constraints (see :class:`dualdiff.SparseHessian`), the
Jacobian from a :class:`dualdiff.SparseJacobian`; their patterns are detected
at ``x0``.
"""
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from dualdiff._sparse import SparseJacobian
from dualdiff._sparse_hessian import LagrangianHessian, SparseHessian

__all__ = ["Problem", "LagrangianHessian"]


def _no_constraints(x):
    return []


def _bounds(bounds, n, what):
    """(lower, upper) float arrays of length n from None, a pair of scalars or arrays."""
    if bounds is None:
        return np.full(n, -np.inf), np.full(n, np.inf)
    lo, hi = bounds
    lo = np.broadcast_to(np.asarray(-np.inf if lo is None else lo, dtype=np.float64), (n,)).copy()
    hi = np.broadcast_to(np.asarray(np.inf if hi is None else hi, dtype=np.float64), (n,)).copy()
    if np.any(lo > hi):
        raise ValueError(f"{what}: a lower bound exceeds its upper bound")
    return lo, hi


class Problem:
    """Problem(f, x0, constraints=None, bounds=None, constraint_bounds=None, nan_safe=True)

    Minimize ``f(x)`` subject to ``cl <= constraints(x) <= cu`` and
    ``lb <= x <= ub`` with IPOPT. ``f`` returns a real number and
    ``constraints`` (optional) an array or a sequence of m numbers, both
    plain NumPy code of a flat float array ``x`` of the size of ``x0``.
    ``bounds`` is ``(lb, ub)`` (scalars or arrays; None or +-inf for none),
    ``constraint_bounds`` is ``(cl, cu)``, by default ``(0, 0)``: equality
    constraints ``constraints(x) = 0``.

    The object has the methods cyipopt calls (``objective``, ``gradient``,
    ``constraints``, ``jacobian``, ``jacobianstructure``, ``hessian``,
    ``hessianstructure``), so it can also be passed to ``cyipopt.Problem``
    directly; :meth:`solve` does that and runs IPOPT.
    """

    def __init__(self, f: Callable[..., Any], x0: npt.ArrayLike, constraints: Callable[..., Any] | None = None,
                 bounds: Any = None, constraint_bounds: Any = None, nan_safe: bool = True) -> None:
        self.f = f
        self.x0 = np.array(x0, dtype=np.float64).reshape(-1)
        n = self.n = self.x0.size
        self._c = _no_constraints if constraints is None else constraints
        c0 = np.asarray(self.constraints(self.x0))
        m = self.m = c0.size
        self.lb, self.ub = _bounds(bounds, n, "bounds")
        if constraint_bounds is None:
            constraint_bounds = (0.0, 0.0)
        self.cl, self.cu = _bounds(constraint_bounds, m, "constraint_bounds")
        # the structures are fixed here, at x0
        self._grad = SparseHessian(f, nan_safe=nan_safe)
        self._grad.gradient(self.x0)
        self._hess = LagrangianHessian(f, self._c, nan_safe=nan_safe)
        self._hess.lower(self.x0, np.ones(m), 1.0)
        if m:
            self._jac = SparseJacobian(self._c, nan_safe=nan_safe)
            J = self._jac(self.x0)
            self._jac_structure = (np.repeat(np.arange(m), np.diff(J.indptr)), J.indices.astype(np.int64))
        else:
            self._jac_structure = (np.zeros(0, np.int64), np.zeros(0, np.int64))

    # ------------------------------------------------- the cyipopt protocol

    def objective(self, x: npt.NDArray[np.float64]) -> float:
        """f(x)."""
        return float(self.f(x))

    def gradient(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The gradient of f at x."""
        return self._grad.gradient(x)

    def constraints(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The constraints' values at x, a flat float array."""
        return np.asarray(self._c(x), dtype=np.float64).reshape(-1)

    def jacobianstructure(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(rows, cols) of the constraint Jacobian's entries."""
        return self._jac_structure

    def jacobian(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The constraint Jacobian's entries at x, in the order of jacobianstructure()."""
        if not self.m:
            return np.zeros(0)
        return self._jac(x).data

    def hessianstructure(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(rows, cols) of the lower triangle of the Lagrangian's Hessian."""
        assert self._hess.lower_structure is not None  # set in __init__
        return self._hess.lower_structure

    def hessian(self, x: npt.NDArray[np.float64], lagrange: npt.NDArray[np.float64],
                obj_factor: float) -> npt.NDArray[np.float64]:
        """The lower triangle of the Hessian of obj_factor * f + lagrange @ c at x,
        in the order of hessianstructure()."""
        return self._hess.lower(x, lagrange, obj_factor)

    # ---------------------------------------------------------------- solve

    def solve(self, x0: npt.ArrayLike | None = None, **options: Any) -> tuple[npt.NDArray[np.float64], dict]:
        """solve(x0=None, **options) -> (x, info)

        Run IPOPT from ``x0`` (default: the problem's), with IPOPT options
        given as keywords (``tol=1e-9``, ``print_level=0``, ...). Returns
        cyipopt's solution and info dict (``info["obj_val"]``,
        ``info["status"]``: 0 when it converged)."""
        try:
            import cyipopt  # type: ignore[import-not-found, import-untyped, unused-ignore]
        except ImportError:
            raise ImportError("dualdiff.ipopt needs cyipopt: pip install 'dualdiff[ipopt]' (it builds "
                              "against the IPOPT library, e.g. Debian's coinor-libipopt-dev)") from None
        nlp = cyipopt.Problem(n=self.n, m=self.m, problem_obj=self, lb=self.lb, ub=self.ub,
                              cl=self.cl, cu=self.cu)
        for key, value in options.items():
            nlp.add_option(key, value)
        start = self.x0 if x0 is None else np.array(x0, dtype=np.float64).reshape(-1)
        x, info = nlp.solve(start)
        return x, info
