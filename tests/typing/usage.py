"""Typed use of dualdiff, checked by ``mypy --strict`` (tests/test_typing.py).

``assert_type(is_(value, kind), T)`` pins both what a type checker infers (T) and,
when the test runs ``main()``, the class of the object really returned (kind).
Lines marked ``# type: ignore[...]`` must be rejected by the checker: under
``--strict`` an ignore that is not needed is an error itself.
"""
import math
from collections.abc import Callable
from typing import Any, TypeVar, assert_type

import numpy as np
import numpy.typing as npt

import dualdiff
import dualdiff.math as dm
from dualdiff import Dual, DualArray, SparseJacobian

T = TypeVar("T")


def is_(value: T, kind: type[Any] | tuple[type[Any], ...]) -> T:
    """Check the run-time class of a value; return it unchanged."""
    if not isinstance(value, kind):
        raise AssertionError(f"{value!r} is a {type(value).__name__}, not {kind}")
    return value


def f(x: Dual) -> Dual:
    """A function written once for Duals."""
    return dm.sin(x) * dm.exp(-0.5 * x) + dm.sqrt(1.0 + x * x) / (2.0 + dm.cos(x)) - dm.log(1.0 + x) * x**3


def loss(v: Any) -> Any:
    """A real-valued function of a vector (it receives Duals or a DualArray)."""
    return v[0] * v[1] ** 2 + dm.sin(v[0])


def main() -> list[object]:
    """Run every typed expression; return the values to check at run time."""
    x = Dual(0.5, 1.0)
    y = Dual(2.0, [1.0, 0.0])
    z = Dual(1.0, [0.0, 1.0], hessian=np.zeros((2, 2)))
    seen: list[object] = []

    # arithmetic with ints, floats and numpy scalars on either side
    for d in (x + 1, 1 + x, x - 2.0, 2.0 - x, x * np.float64(3.0), np.float64(3.0) * x,
              x / 4, 4 / x, x**2, 2**x, x**x, x // 1.0, x % 1.0, -x, +x, abs(x),
              round(x), math.floor(x), math.ceil(x), math.trunc(x)):
        assert_type(is_(d, Dual), Dual)
        seen.append(d)
    q, r = divmod(x, 0.25)
    assert_type(is_(q, Dual), Dual)
    seen += [q, r]

    # comparisons act on the value and give bools
    flags: list[bool] = [x < 1.0, x <= y, x > 0, x >= np.float64(0.0), x == 0.5, x != y, bool(x)]
    seen += flags

    # the math twin: Duals in, Duals out; numbers in, math's types out
    assert_type(is_(dm.sin(x), Dual), Dual)
    assert_type(is_(dm.sin(0.5), float), float)
    assert_type(is_(dm.atan2(x, 1.0), Dual), Dual)
    assert_type(is_(dm.atan2(1.0, x), Dual), Dual)
    assert_type(is_(dm.atan2(1.0, 2.0), float), float)
    assert_type(is_(dm.log(x, 10), Dual), Dual)
    assert_type(is_(dm.log(10.0, x), Dual), Dual)
    assert_type(is_(dm.log(10.0), float), float)
    assert_type(is_(dm.floor(2.5), int), int)
    assert_type(is_(dm.floor(x), Dual), Dual)
    assert_type(is_(dm.hypot(3.0, 4.0), float), float)
    assert_type(is_(dm.hypot(x, 4.0, 1), Dual), Dual)
    assert_type(is_(dm.fsum([x, 1.0, x]), Dual), Dual)
    assert_type(is_(dm.fsum([0.1, 0.2]), float), float)
    assert_type(is_(dm.fma(x, 2.0, 1.0), Dual), Dual)
    assert_type(is_(dm.fma(1.0, 2.0, 3.0), float), float)
    assert_type(is_(dm.frexp(x), tuple), tuple[Dual, int])
    assert_type(is_(dm.modf(x), tuple), tuple[Dual, Dual])
    assert_type(is_(dm.isfinite(x), bool), bool)
    assert_type(is_(dm.pi, float), float)
    assert_type(is_(dm.frexp(x)[0], Dual), Dual)
    assert_type(is_(dm.modf(x)[1], Dual), Dual)

    # attributes
    value: float = x.value
    tangent = y.tangent
    assert_type(is_(tangent, np.ndarray), float | npt.NDArray[np.float64])
    assert_type(is_(x.tangent, float), float | npt.NDArray[np.float64])
    if isinstance(tangent, np.ndarray):
        seen.append(float(tangent.sum()))
    hessian = z.hessian
    if hessian is not None:
        seen.append(hessian.shape)
    width: int = y.width
    order: int = z.order
    seen += [value, width, order, f(x)]

    # numpy ufuncs on a scalar Dual are left to numpy's own typing
    seen.append(np.sin(x))

    # the transforms take a function and return one; results are floats or float64 arrays
    g = dualdiff.grad(loss)
    assert_type(g, Callable[..., Any])
    seen.append(is_(g([3.0, 2.0]), np.ndarray))
    seen.append(is_(dualdiff.value_and_grad(loss, chunk=1)(np.array([3.0, 2.0])), tuple))
    seen.append(is_(dualdiff.derivative(dm.sin)(0.5), float))
    seen.append(is_(dualdiff.jacobian(lambda v: [v[0] * v[1], v[0] + v[1]])([2.0, 3.0]), np.ndarray))
    seen.append(is_(dualdiff.hessian(loss)([3.0, 2.0]), np.ndarray))
    seen.append(is_(dualdiff.hvp(loss)([3.0, 2.0], [1.0, 0.0]), np.ndarray))
    value_jv: tuple[Any, Any] = dualdiff.jvp(loss, [3.0, 2.0], [1.0, 0.0])
    seen.append(value_jv)

    # sparse Jacobians: jacobian_sparsity gives a scipy.sparse array (SciPy has no
    # stubs: Any, and jacobian(f, sparsity=<Any>) is then Any too); a typed pattern
    # or "auto" gives a SparseJacobian
    pattern = dualdiff.jacobian_sparsity(lambda v: v * 2.0, np.ones(3))
    seen.append(dualdiff.jacobian(lambda v: v * 2.0, sparsity=pattern)(np.ones(3)))
    sj = dualdiff.jacobian(lambda v: v * 2.0, sparsity=np.eye(3, dtype=bool))
    assert_type(is_(sj, SparseJacobian), SparseJacobian)
    assert_type(is_(dualdiff.jacobian(loss, sparsity="auto"), SparseJacobian), SparseJacobian)
    seen.append(sj(np.ones(3)))
    ncolors: int | None = sj.ncolors
    seen.append(ncolors)

    # dual arrays: float64 arrays that carry derivatives
    a = dualdiff.numpy.array([x, Dual(1.0, 2.0)])
    assert_type(is_(a, DualArray), npt.NDArray[np.float64])
    if isinstance(a, DualArray):
        assert_type(a.tangent, npt.NDArray[np.float64])
        assert_type(a.hessian, npt.NDArray[np.float64] | None)
        a_width: int = a.width
        seen += [a.value, a.tangent, a_width, a.order]
    names: list[str] = dualdiff.numpy.supported_ufuncs() + dualdiff.numpy.supported_functions()
    seen.append(len(names))

    include: str = dualdiff.get_include()
    version: str = dualdiff.__version__
    seen += [include, version]
    return seen


def _rejected() -> None:
    """What the checker must refuse (never called: each line raises at run time)."""
    x = Dual(0.5, 1.0)
    math.sin(x)  # type: ignore[arg-type]
    float(x)  # type: ignore[arg-type]
    complex(x)  # type: ignore[call-overload]
    x + "a"  # type: ignore[operator]
    Dual("1.0")  # type: ignore[arg-type]
    dm.sqrt("4")  # type: ignore[call-overload]
    dualdiff.grad(1.0)  # type: ignore[arg-type]
    dualdiff.hessian(loss, chunk="4")  # type: ignore[arg-type]
