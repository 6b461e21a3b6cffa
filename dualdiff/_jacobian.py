"""jacobian and value_and_jacobian: all first derivatives of a function."""
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from dualdiff import _complex_ad, _nesting, _seeding, _trees, _workers
from dualdiff._derivative import _rename
from dualdiff._dual import _Conflict, _peek_tag
from dualdiff._trace import Traced

if TYPE_CHECKING:
    from dualdiff._sparse import SparseJacobian


@overload
def jacobian(f: Callable[..., Any], chunk: int | None = None,
             sparsity: None = None, *, nan_safe: bool = True, workers: Any = None,
             holomorphic: bool = False) -> Callable[..., Any]: ...
@overload
def jacobian(f: Callable[..., Any], chunk: int | None = None, *,
             sparsity: object, nan_safe: bool = True, workers: Any = None,
             holomorphic: bool = False) -> "SparseJacobian": ...
def jacobian(f: Callable[..., Any], chunk: int | None = None,
             sparsity: object = None, *, nan_safe: bool = True,
             workers: Any = None, holomorphic: bool = False) -> "Callable[..., Any] | SparseJacobian":
    """jacobian(f, chunk=None, sparsity=None, *, nan_safe=True, workers=None, holomorphic=False) -> J

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
    ``scipy.sparse`` matrices, evaluating ``f`` once per call (or once per
    ``chunk`` colors).

    ``workers`` evaluates the chunks in parallel, with SciPy's convention: an
    int (a process pool of that many workers, made at the first call that has
    several chunks, reused by later calls and closed when ``J`` is
    garbage-collected or by ``J.close()``; -1: one per core; 1: none) or a
    map-like callable ``workers(func, iterable)`` such as
    ``multiprocessing.Pool.map`` or a ``concurrent.futures`` executor's
    ``map``; a ``dask.distributed.Client`` is taken as it is. The chunks are
    those of ``workers=1`` and the result is the same, bit for bit (see
    "Parallel workers" in the documentation).

    Complex numbers (see "Complex numbers" in the documentation): a real
    ``x`` with complex numbers in ``f`` gives complex derivatives where ``f``
    is complex (``f`` runs again, once, on complex dual numbers); a complex
    ``x`` needs ``holomorphic=True``, the promise that ``f`` is holomorphic,
    and gives df/dz (functions that are not holomorphic then raise
    TypeError); :func:`wirtinger` serves any other ``f``.

    >>> import dualdiff
    >>> dualdiff.jacobian(lambda x: [x[0] * x[1], x[0] + x[1]])([2.0, 3.0])
    array([[3., 2.],
           [1., 1.]])
    """
    if isinstance(f, Traced) and sparsity is None and not holomorphic:
        return f._transform("jacobian", chunk=chunk, nan_safe=nan_safe, workers=workers)
    if sparsity is not None:
        from dualdiff._sparse import SparseJacobian
        return SparseJacobian(f, sparsity, chunk=chunk, nan_safe=nan_safe, workers=workers)
    return _make(f, chunk, nan_safe, workers, False, holomorphic)


def _make(f, chunk, nan_safe, workers, with_value, holomorphic=False):
    pool = _workers.make(workers)
    verb = "value_and_jacobian" if with_value else "jacobian"

    def run(fn, x, args, kwargs):
        start = _peek_tag()
        try:
            value, tangent, out_shape, shape = _seeding.first_order(fn, x, args, kwargs, chunk, nan_safe,
                                                                    pool)
        except _Conflict as e:  # nested in a running transform (see _nesting.py)
            return _nesting.rerun(verb, fn, x, args, kwargs, e, start, nan_safe)
        except TypeError as e:
            if not _complex_ad.met_complex(e):
                raise
            value, jac = _complex_ad.jacobian(verb, fn, x, args, kwargs, holomorphic, nan_safe)
            return (value, jac) if with_value else jac
        jac = _seeding.as_result(tangent, out_shape + _seeding.x_shape(shape))
        return (_seeding.as_result(value, out_shape), jac) if with_value else jac

    def on_tree_result(x, args, kwargs):
        """f returned a tree: run it with its result flattened, then cut back."""
        out = _trees.OutTree(f)
        tree = _trees.tree_of(x)
        if tree is not None:
            r = run(tree.wrap(out), tree.flat(), args, kwargs)
            value, jac = r if with_value else (None, r)
            # the tree of x inside each leaf of the result
            jac = out.split(np.reshape(jac, (-1, tree.size)), lambda block, shape: tree.gradient(block, shape))
        else:
            r = run(out, x, args, kwargs)
            value, jac = r if with_value else (None, r)
            jac = out.split(np.reshape(jac, (-1,) + _seeding.x_shape(np.shape(x))))
        return (out.split(np.ravel(value)), jac) if with_value else jac

    def J(x, *args, **kwargs):
        try:
            tree = _trees.tree_of(x)
            if tree is not None:  # a dict or ragged container: derivatives in its structure
                r = run(tree.wrap(f), tree.flat(), args, kwargs)
                if with_value:
                    return r[0], tree.gradient(r[1], np.shape(r[1])[:-1])
                return tree.gradient(r, np.shape(r)[:-1])
            return run(f, x, args, kwargs)
        except _seeding.TreeResult:  # a dict or ragged result
            return on_tree_result(x, args, kwargs)
    _rename(J, f, verb)
    return _workers.attach(J, pool)


def value_and_jacobian(f: Callable[..., Any], chunk: int | None = None, *,
                       nan_safe: bool = True, workers: Any = None,
                       holomorphic: bool = False) -> Callable[..., Any]:
    """value_and_jacobian(f, chunk=None, *, nan_safe=True, workers=None, holomorphic=False) -> vJ

    Like :func:`jacobian`, but ``vJ(x, *args, **kwargs)`` returns the pair
    ``(f(x), Jacobian)`` from the same evaluations (Newton and least-squares
    solvers want both). The value is a float or a float64 array shaped like
    the result of ``f``.

    >>> import dualdiff
    >>> dualdiff.value_and_jacobian(lambda x: [x[0] * x[1], x[0] + x[1]])([2.0, 3.0])
    (array([6., 5.]), array([[3., 2.],
           [1., 1.]]))
    """
    if isinstance(f, Traced) and not holomorphic:
        return f._transform("value_and_jacobian", chunk=chunk, nan_safe=nan_safe, workers=workers)
    return _make(f, chunk, nan_safe, workers, True, holomorphic)
