"""hessian and hvp: exact second derivatives, in one pass when x is small."""
from collections.abc import Callable
from typing import Any

import numpy as np

from dualdiff import _complex_ad, _nesting, _seeding, _trees, _workers
from dualdiff._complex import ComplexDual
from dualdiff._derivative import _rename
from dualdiff._dual import Dual, _Conflict, _Gradient, _peek_tag, _read, _read_hessian, _seed, _seed_floats
from dualdiff._trace import Traced


def hessian(f: Callable[..., Any], chunk: int | None = None, *,
            nan_safe: bool = True, workers: Any = None, sparsity: object = None,
            format: str = "csr", holomorphic: bool = False) -> Any:
    """hessian(f, chunk=None, *, nan_safe=True, workers=None, sparsity=None, format="csr", holomorphic=False) -> H

    The Hessian of ``f`` with respect to its first argument, exact.

    ``H(x, *args, **kwargs)`` returns ``d2 f(x)[i...] / d x[j...] d x[k...]``
    in a float64 array of shape ``out.shape + x.shape + x.shape`` (for a
    real-valued ``f`` and a vector ``x``, the n-by-n Hessian; a float when
    both are scalars). ``f`` runs on second-order Duals that carry value,
    gradient and Hessian together: an ``x`` of up to ``chunk`` entries takes
    one evaluation; larger ones are cut into blocks of ``chunk`` entries and
    each pair of blocks is seeded together (k blocks: k(k-1)/2 evaluations).
    The result does not depend on ``chunk``. Extra arguments pass through.
    ``nan_safe=False`` multiplies tangents by infinite or NaN partial
    derivatives as plain IEEE doubles (0 * inf = NaN), as most AD tools do,
    instead of keeping a zero tangent 0 (see "Conventions" in the README).
    ``workers`` evaluates the pairs of blocks in parallel, as in
    :func:`jacobian`.

    With ``sparsity`` (``"auto"``, or a symmetric SciPy sparse or boolean
    ``(x.size, x.size)`` pattern), ``H`` is a :class:`SparseHessian` for a
    real-valued ``f``: it detects the elements of the sums that end ``f``
    once, colors their inputs, and returns ``scipy.sparse`` arrays in
    ``format`` ("csr", "csc" or "coo") from one evaluation of ``f`` per call.

    Complex numbers inside ``f`` at a real ``x`` are followed (``f`` runs
    again, once, on second-order complex dual numbers); at a complex ``x``,
    ``holomorphic=True`` gives the second complex derivatives d2f/dz dz'.

    >>> import dualdiff
    >>> dualdiff.hessian(lambda x: x[0] ** 2 * x[1])([1.0, 2.0])
    array([[4., 2.],
           [2., 0.]])
    """
    if sparsity is not None:
        if chunk is not None or workers is not None:
            raise ValueError("hessian(f, sparsity=...) takes neither chunk nor workers: each call "
                             "is one evaluation of f")
        from dualdiff._sparse_hessian import SparseHessian
        return SparseHessian(f, sparsity, format=format, nan_safe=nan_safe)
    if format != "csr":
        raise ValueError("format= goes with sparsity=: the dense Hessian is a NumPy array")
    if isinstance(f, Traced) and not holomorphic:
        return f._transform("hessian", chunk=chunk, nan_safe=nan_safe, workers=workers)
    pool = _workers.make(workers)

    def general(args, kwargs):
        if not args:
            raise TypeError("hessian(f) needs the point x as its first argument")
        tree = _trees.tree_of(args[0])
        if tree is not None:  # a dict or ragged container: blocks in its structure, twice
            r = run(tree.wrap(f), (tree.flat(),) + args[1:], kwargs)
            return tree.hessian(r, np.shape(r)[:-2])
        return run(f, args, kwargs)

    def run(fn, args, kwargs):
        start = _peek_tag()
        try:
            hess, out_shape, shape = _second_order(fn, args[0], args[1:], kwargs, chunk, nan_safe, pool)
        except _Conflict as e:  # inside another transform (see _nesting.py)
            return _nesting.rerun("hessian", fn, args[0], args[1:], kwargs, e, start, nan_safe)
        except TypeError as e:
            if not _complex_ad.met_complex(e):
                raise
            return _complex_ad.second("hessian", fn, args[0], args[1:], kwargs, holomorphic,
                                      nan_safe)
        if shape is None:
            return _seeding.as_result(hess, out_shape)
        return hess.reshape(out_shape + shape + shape)

    def finish(y, tag, n):
        # f's result on the fast path was not a Dual of this call: read or diagnose it
        items, out_shape = _seeding.output_items(y)
        m = len(items)
        hess = np.empty((m, n, n))
        _read(items, n, 2, tag, np.empty(m), np.empty((m, n)), hess, 0)
        return hess.reshape(out_shape + (n, n))

    name = getattr(f, "__name__", type(f).__name__)
    if chunk is not None:
        _seeding.balanced_chunk(1, chunk, 1)  # validate chunk now
    if pool is not None:  # every call goes the general way, where the pairs are shared out
        def H(*args, **kwargs):
            return general(args, kwargs)
        _rename(H, f, "hessian")
        return _workers.attach(H, pool)
    # the fast path seeds all entries at once: only when the chunk allows it
    limit = _seeding.SECOND_ORDER_CHUNK if chunk is None else 0
    return _Gradient(f, general, finish, limit, False, f"hessian({name})",
                     f"The hessian of {name} (made by dualdiff.hessian).", 2, nan_safe)


def hvp(f: Callable[..., Any], chunk: int | None = None, *,
        nan_safe: bool = True) -> Callable[..., Any]:
    """hvp(f, chunk=None, *, nan_safe=True) -> Hv

    Hessian-vector products of a real-valued ``f``: ``Hv(x, v, *args,
    **kwargs)`` returns ``H(x) @ v`` in a float64 array shaped like ``x``
    without forming ``H``: each evaluation of ``f`` carries ``chunk`` unit
    directions plus ``v`` and reads the mixed second derivatives, so memory
    and work per operation stay small for large ``x``. The argument order
    ``(x, v, *args)`` is SciPy's ``hessp=``. ``nan_safe=False`` multiplies tangents by infinite or NaN partial
    derivatives as plain IEEE doubles (0 * inf = NaN), as most AD tools do,
    instead of keeping a zero tangent 0 (see "Conventions" in the README).

    >>> import dualdiff
    >>> dualdiff.hvp(lambda x: x[0] ** 2 * x[1])([1.0, 2.0], [1.0, 0.0])
    array([4., 2.])
    """
    if isinstance(f, Traced):
        return f._transform("hvp", chunk=chunk, nan_safe=nan_safe)
    def Hv(x, v, *args, **kwargs):
        tree = _trees.tree_of(x)
        if tree is not None:  # a dict or ragged container: v and H v in its structure
            r = hvp(tree.wrap(f), chunk, nan_safe=nan_safe)(tree.flat(), tree.flat_like(v), *args, **kwargs)
            return tree.gradient(r)
        start = _peek_tag()
        try:
            return _hvp(f, x, v, args, kwargs, chunk, nan_safe)
        except _Conflict as e:  # inside another transform (see _nesting.py)
            return _nesting.rerun("hvp", f, x, args, kwargs, e, start, nan_safe, v)
        except TypeError as e:  # complex numbers inside f: H from complex dual numbers, times v
            if not _complex_ad.met_complex(e):
                raise
            H = _complex_ad.second("hessian", f, x, args, kwargs, False, nan_safe)
            if isinstance(H, ComplexDual) or (isinstance(H, np.ndarray) and H.dtype == object):
                # numbers of a transform that hvp runs inside: the jvp of grad(f) along v
                return _nesting._second_by_first("hvp", f, x, args, kwargs, nan_safe, v)
            H = np.asarray(H)
            n = int(np.size(x))
            out = H.reshape(n, n) @ np.asarray(v, dtype=float).reshape(n)
            return float(out[0]) if np.ndim(x) == 0 else out.reshape(np.shape(x))
    _rename(Hv, f, "hvp")
    return Hv


def _hvp(f, x, v, args, kwargs, chunk, nan_safe):
    """H(x) @ v (see hvp)."""
    flat, shape, vflat = _seeding.flatten_with_direction(x, v, "hvp")
    n = flat.shape[0]
    out = np.zeros(n)
    tag = _seeding.new_tag(nan_safe)
    b = _seeding.balanced_chunk(n, chunk, _seeding.HVP_CHUNK)
    col = _seeding.Collector(f, args, kwargs, b + 1, 2, tag)
    for start in range(0, n, b):
        w = min(b, n - start)
        items = col.run(_seeding.seed_columns(flat, shape, range(start, start + w), 2, tag, x,
                                              extra=vflat))
        _require_scalar(col.shape)
        col.read(items, w + 1, 0)
        out[start:start + w] = col.hessian[0, :w, w]
    if n == 0:
        col.run(_seeding.make_input([], shape, x))
        _require_scalar(col.shape)
    return _seeding.as_result(out, _seeding.x_shape(shape))


def _require_scalar(shape):
    _seeding.require_one_entry("hvp", shape, "hessian(f)")


def _second_order(f, x, args, kwargs, chunk, nan_safe, workers=None):
    """Run f over x on second-order Duals: (Hessian (m, n, n), out shape, x shape);
    with ``workers`` (a _workers.Workers) the pairs of blocks run in the workers."""
    duals = None
    if type(x) is list and chunk is None and len(x) <= _seeding.SECOND_ORDER_CHUNK:
        tag = _seeding.new_tag(nan_safe)
        duals = _seed_floats(x, 2, tag)  # a list of floats: no float array needed
    if duals is not None:
        n = b = len(duals)
        shape = (n,)
    else:
        flat, shape = _seeding.flatten(x)
        n = flat.shape[0]
        tag = _seeding.new_tag(nan_safe)
        b = _seeding.balanced_chunk(n, chunk, _seeding.SECOND_ORDER_CHUNK)
        if n <= b:
            duals = _seed(flat, 0, n, 2, tag)
    if n <= b:
        xin = duals[0] if shape is None else _seeding.make_input(duals, shape, x)
        y = _seeding.call_f(f, xin, args, kwargs, tag)
        if type(y) is Dual:
            hess = np.empty((1, n, n))
            _read_hessian(y, n, tag, hess)
            return hess, (), shape
        items, out_shape = _seeding.output_items(y)
        m = len(items)
        hess = np.empty((m, n, n))
        _read(items, n, 2, tag, np.empty(m), np.empty((m, n)), hess, 0)
        return hess, out_shape, shape
    if workers is not None:
        return _pairs_workers(f, x, flat, shape, args, kwargs, b, nan_safe, workers)
    col = _seeding.Collector(f, args, kwargs, n, 2, tag)
    starts = list(range(0, n, b))
    for i, si in enumerate(starts):
        for sj in starts[i + 1:]:
            cols = np.r_[si:min(si + b, n), sj:min(sj + b, n)]
            w = len(cols)
            if sj == si + b:  # adjacent blocks: contiguous
                xin = _seeding.seed_dual_array(flat, shape, si, w, 2, tag, x)
            else:
                xin = _seeding.seed_columns(flat, shape, cols, 2, tag, x)
            items = col.run(xin)
            m = len(items)
            value, tangent, hess = np.empty(m), np.empty((m, w)), np.empty((m, w, w))
            _read(items, w, 2, tag, value, tangent, hess, 0)
            col.hessian[np.ix_(np.arange(m), cols, cols)] = hess
    return col.hessian, col.shape, shape


def _pairs(n, b):
    """The pairs of block starts (si, sj), si < sj, in the order of the serial loop."""
    starts = list(range(0, n, b))
    return [(si, sj) for i, si in enumerate(starts) for sj in starts[i + 1:]]


class PairPass:
    """One pair of blocks of _second_order in a worker: task((si, sj)) runs f
    on second-order numbers seeded along both blocks, as the serial loop does,
    and returns (Hessian block (m, w, w), out shape)."""

    def __init__(self, f, flat, shape, x, args, kwargs, b, nan_safe):
        self.f, self.flat, self.shape, self.x = f, flat, shape, x
        self.args, self.kwargs, self.b, self.nan_safe = args, kwargs, b, nan_safe

    def __call__(self, piece):
        si, sj = piece
        flat, b = _seeding.writable(self.flat), self.b
        n = flat.shape[0]
        tag = _seeding.new_tag(self.nan_safe)
        cols = np.r_[si:min(si + b, n), sj:min(sj + b, n)]
        w = len(cols)
        if sj == si + b:  # adjacent blocks: contiguous
            xin = _seeding.seed_dual_array(flat, self.shape, si, w, 2, tag, self.x)
        else:
            xin = _seeding.seed_columns(flat, self.shape, cols, 2, tag, self.x)
        y = _seeding.call_f(self.f, xin, self.args, self.kwargs, tag)
        items, out_shape = _seeding.output_items(y)
        m = len(items)
        value, tangent, hess = np.empty(m), np.empty((m, w)), np.empty((m, w, w))
        _read(items, w, 2, tag, value, tangent, hess, 0)
        return hess, out_shape


def _pairs_workers(f, x, flat, shape, args, kwargs, b, nan_safe, workers):
    n = flat.shape[0]
    pieces = _pairs(n, b)
    task = PairPass(f, flat, shape, _seeding._list_input(x), args, kwargs, b, nan_safe)
    try:
        results = workers.map(task, pieces, f)
    except _Conflict:  # f met numbers of a call only this process knows: rerun here
        return _second_order(f, x, args, kwargs, b, nan_safe)
    out_shape = _seeding.same_shapes(results, 1)
    m = results[0][0].shape[0]
    hessian = np.zeros((m, n, n))
    for (si, sj), (hess, _) in zip(pieces, results):  # in the serial order: later blocks win
        cols = np.r_[si:min(si + b, n), sj:min(sj + b, n)]
        hessian[np.ix_(np.arange(m), cols, cols)] = hess
    return hessian, out_shape, shape
