"""jacobian and value_and_jacobian: all first derivatives of a function."""
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from dualdiff import _nesting, _seeding, _trees
from dualdiff._derivative import _rename
from dualdiff._dual import _Conflict, _peek_tag

if TYPE_CHECKING:
    from dualdiff._sparse import SparseJacobian


@overload
def jacobian(f: Callable[..., Any], chunk: int | None = None,
             sparsity: None = None, *, nan_safe: bool = True) -> Callable[..., Any]: ...
@overload
def jacobian(f: Callable[..., Any], chunk: int | None = None, *,
             sparsity: object, nan_safe: bool = True) -> "SparseJacobian": ...
def jacobian(f: Callable[..., Any], chunk: int | None = None,
             sparsity: object = None, *, nan_safe: bool = True) -> "Callable[..., Any] | SparseJacobian":
    """jacobian(f, chunk=None, sparsity=None, *, nan_safe=True) -> J

    The Jacobian of ``f`` with respect to its first argument.

    ``J(x, *args, **kwargs)`` returns ``d f(x)[i...] / d x[j...]`` in a float64
    array of shape ``out.shape + x.shape``, where ``out`` is the result of
    ``f`` (a number, a sequence or an array of Duals and numbers) and ``x`` a
    number, list, tuple or array; a float when both are scalars. n entries of
    ``x`` take ceil(n / chunk) evaluations of ``f``; the result does not
    depend on ``chunk``. Extra arguments pass through to ``f``.
    ``nan_safe=False`` multiplies tangents by infinite or NaN partial
    derivatives as plain IEEE doubles (0 * inf = NaN), as most AD tools do,
    instead of keeping a zero tangent 0 (see "Conventions" in the README).

    With ``sparsity`` (a SciPy sparse matrix or boolean array pattern of shape
    ``(out.size, x.size)``, or ``"auto"`` to detect it at the first ``x``),
    ``J`` is a :class:`SparseJacobian`: it colors the columns once and returns
    ``scipy.sparse`` matrices, evaluating ``f`` once per call.

    >>> import dualdiff
    >>> dualdiff.jacobian(lambda x: [x[0] * x[1], x[0] + x[1]])([2.0, 3.0])
    array([[3., 2.],
           [1., 1.]])
    """
    if sparsity is not None:
        from dualdiff._sparse import SparseJacobian
        return SparseJacobian(f, sparsity, chunk=chunk, nan_safe=nan_safe)

    def J(x, *args, **kwargs):
        tree = _trees.tree_of(x)
        if tree is not None:  # a dict or ragged container: derivatives in its structure
            r = jacobian(tree.wrap(f), chunk, nan_safe=nan_safe)(tree.flat(), *args, **kwargs)
            return tree.gradient(r, np.shape(r)[:-1])
        start = _peek_tag()
        try:
            value, tangent, out_shape, shape = _seeding.first_order(f, x, args, kwargs, chunk, nan_safe)
        except _Conflict as e:  # nested in a running transform (see _nesting.py)
            return _nesting.rerun("jacobian", f, x, args, kwargs, e, start, nan_safe)
        return _seeding.as_result(tangent, out_shape + _seeding.x_shape(shape))
    _rename(J, f, "jacobian")
    return J


def value_and_jacobian(f: Callable[..., Any], chunk: int | None = None, *,
                       nan_safe: bool = True) -> Callable[..., Any]:
    """value_and_jacobian(f, chunk=None, *, nan_safe=True) -> vJ

    Like :func:`jacobian`, but ``vJ(x, *args, **kwargs)`` returns the pair
    ``(f(x), Jacobian)`` from the same evaluations (Newton and least-squares
    solvers want both). The value is a float or a float64 array shaped like
    the result of ``f``.

    >>> import dualdiff
    >>> dualdiff.value_and_jacobian(lambda x: [x[0] * x[1], x[0] + x[1]])([2.0, 3.0])
    (array([6., 5.]), array([[3., 2.],
           [1., 1.]]))
    """
    def vJ(x, *args, **kwargs):
        tree = _trees.tree_of(x)
        if tree is not None:  # a dict or ragged container: derivatives in its structure
            y, r = value_and_jacobian(tree.wrap(f), chunk, nan_safe=nan_safe)(tree.flat(), *args, **kwargs)
            return y, tree.gradient(r, np.shape(r)[:-1])
        start = _peek_tag()
        try:
            value, tangent, out_shape, shape = _seeding.first_order(f, x, args, kwargs, chunk, nan_safe)
        except _Conflict as e:  # nested in a running transform (see _nesting.py)
            return _nesting.rerun("value_and_jacobian", f, x, args, kwargs, e, start, nan_safe)
        return (_seeding.as_result(value, out_shape),
                _seeding.as_result(tangent, out_shape + _seeding.x_shape(shape)))
    _rename(vJ, f, "value_and_jacobian")
    return vJ
