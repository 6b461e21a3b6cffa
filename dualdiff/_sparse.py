"""Sparse Jacobians: sparsity detection, column coloring, SciPy sparse output.

Forward mode recovers a whole sparse Jacobian from one direction per color:
columns that share no row (structurally orthogonal) are seeded together and
their entries read back apart.
"""
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

import copy

from dualdiff import _complex_ad, _nesting, _pattern, _seeding, _workers
from dualdiff._dual import _Conflict, _peek_tag
from dualdiff._ndarray import DualArray, _result_buffer
from dualdiff._sparse_c import color_columns, gather
from dualdiff._trace import Traced

def jacobian_sparsity(f: Callable[..., Any], x: npt.ArrayLike, *args: Any, chunk: int | None = None,
                      **kwargs: Any) -> Any:
    """jacobian_sparsity(f, x, *args, chunk=None, **kwargs) -> scipy.sparse.csr_array

    The sparsity pattern of the Jacobian of ``f`` at ``x``: a boolean
    ``(f(x).size, x.size)`` CSR array, True where output i can depend on input j.

    ``f`` runs once on numbers that carry, instead of derivatives, the set of
    inputs they depend on, through the same arithmetic and functions as
    derivatives do: every NumPy function and ufunc that dual arrays support,
    ``dualdiff.math``, and Python's operators on single elements. A difference
    never cancels a dependency and only step functions (floor, ceil, trunc,
    rint, sign, ``//``) drop one; a product with the constant 0 has none.
    Products and linear algebra give their structural pattern (``A @ x`` for a
    constant A depends on the inputs where A is not 0). Values are computed as
    usual, so where ``f`` branches on values (``if``, ``max``, ``abs`` at a
    kink, ...) the pattern is the one of the branches taken at ``x``; NumPy's
    ``maximum``, ``max`` and ``clip`` depend on all their arguments. A complex
    number inside ``f`` depends on the union of what its real and imaginary
    parts depend on (so do its real part, imaginary part, modulus and angle).
    ``chunk`` is accepted for compatibility: detection takes one pass whatever n.

    >>> import numpy as np, dualdiff
    >>> def f(x):
    ...     return np.array([x[0] * x[1], x[1] - x[1] ** 2, np.floor(x[2])])
    >>> dualdiff.jacobian_sparsity(f, [1.0, 2.0, 3.0]).toarray()
    array([[ True,  True, False],
           [False,  True, False],
           [False, False, False]])
    """
    import scipy.sparse as sp  # type: ignore[import-untyped]  # SciPy ships no type stubs

    start = _peek_tag()
    try:
        flat, shape = _seeding.flatten(x)
    except _Conflict as e:  # inside another transform: raises NestingError (see _nesting.py)
        return _nesting.rerun("jacobian_sparsity", f, x, args, kwargs, e, start, True)
    n = flat.shape[0]
    _seeding.balanced_chunk(n, chunk, 1)  # checks chunk
    xin, store = _pattern.seed(flat, shape)
    y = f(xin, *args, **kwargs) if kwargs else f(xin, *args)
    ids, _ = _pattern.read(y, store)
    indptr, indices = store.rows(ids)
    return sp.csr_array((np.ones(indices.size, dtype=bool), indices, indptr), shape=(ids.size, n))


def _as_pattern(sparsity):
    """A scipy.sparse CSR boolean pattern from a sparse matrix or an array-like."""
    import scipy.sparse as sp  # type: ignore[import-untyped]  # SciPy ships no type stubs

    if sp.issparse(sparsity):
        p = sp.csr_array(sparsity, dtype=bool)
    else:
        a = np.asarray(sparsity)
        if a.ndim != 2:
            raise ValueError(f"sparsity must be a 2-D pattern, not an array of shape {a.shape}")
        p = sp.csr_array(a.astype(bool))
    p.eliminate_zeros()
    p.sort_indices()
    return p


class SparseJacobian:
    """SparseJacobian(f, sparsity="auto", chunk=None, format="csr", nan_safe=True, workers=None)

    The Jacobian of ``f`` as a SciPy sparse matrix, with the column coloring
    computed once: each call costs one evaluation of ``f`` carrying one
    direction per color (with ``chunk``: ceil(ncolors / chunk) evaluations,
    each carrying ``chunk`` colors). Made by ``dualdiff.jacobian(f, sparsity=...)``.

    ``sparsity`` is a SciPy sparse matrix or a boolean array of shape
    ``(f(x).size, x.size)``, or ``"auto"`` to detect it with
    :func:`jacobian_sparsity` at the ``x`` of the first call (the pattern at
    that point when ``f`` branches on values). Calls return a
    ``scipy.sparse.csr_array`` (``format="csc"``: ``csc_array``) whose stored
    entries are exactly the pattern's. ``ncolors`` and ``colors`` tell how the
    columns were grouped.

    ``workers`` evaluates the groups of ``chunk`` colors in parallel, as in
    :func:`jacobian` (a pool made from an int lives as long as this object,
    or until :meth:`close`). The pattern is detected in the calling process.
    """

    def __init__(self, f: Callable[..., Any], sparsity: object = "auto", chunk: int | None = None,
                 format: str = "csr", nan_safe: bool = True, workers: Any = None) -> None:
        if format not in ("csr", "csc"):
            raise ValueError(f"format must be 'csr' or 'csc', not {format!r}")
        if chunk is not None:
            _seeding.balanced_chunk(1, chunk, 1)  # validate chunk now
        self.f = f
        self.chunk = chunk
        self._workers = _workers.make(workers)
        if self._workers is not None:
            self._workers.attach(self)
        self._groups: list[tuple[int, int]] = []
        self.format = format
        self.nan_safe = nan_safe
        # None until the pattern is known (at the first call for "auto")
        self.sparsity: Any = None  # a scipy.sparse CSR boolean array
        self.colors: npt.NDArray[np.int64] | None = None
        self.ncolors: int | None = None
        if isinstance(sparsity, str):
            if sparsity != "auto":
                raise ValueError(f"sparsity must be a pattern or 'auto', not {sparsity!r}")
        else:
            self._prepare(_as_pattern(sparsity))

    def _prepare(self, pattern):
        import scipy.sparse as sp  # type: ignore[import-untyped]  # SciPy ships no type stubs

        self.sparsity = pattern
        self.colors, self.ncolors = color_columns(pattern)
        # the result's structure is fixed here; each call only gathers its data
        fixed = pattern.tocsr() if self.format == "csr" else pattern.tocsc()
        fixed.sort_indices()
        self._indptr = fixed.indptr.copy()
        self._indices = fixed.indices.copy()
        counts = np.diff(self._indptr)
        outer = np.repeat(np.arange(counts.size, dtype=np.intp), counts)
        inner = self._indices.astype(np.intp)
        rows, cols = (outer, inner) if self.format == "csr" else (inner, outer)
        c = max(self.ncolors, 1)
        # flat indices of the entries: into tangents (m, c), and into a result
        # buffer (m, 1 + c) of first-order numbers [value, t_1..t_c]
        self._gather = (rows * c + self.colors[cols]).astype(np.int64)
        self._gather_buffer = (rows * (c + 1) + 1 + self.colors[cols]).astype(np.int64)
        # every result is a shallow copy of this one with its own arrays: the
        # constructor's checks of a structure known to be valid cost more
        # than the rest of a call on small problems
        array = sp.csr_array if self.format == "csr" else sp.csc_array
        self._template = array((np.zeros(self._indices.size), self._indices, self._indptr),
                               shape=pattern.shape)
        # with chunk: groups of colors [g0, g1), one evaluation each (entries of
        # group g: _members[g], read at _group_gather[g] in its tangents (m, g1 - g0))
        ncolors = self.ncolors
        size = ncolors if self.chunk is None else _seeding.balanced_chunk(ncolors, self.chunk, 1)
        self._groups = [(g0, min(g0 + size, ncolors)) for g0 in range(0, ncolors, max(size, 1))]
        entry_colors = self.colors[cols]
        self._members, self._group_gather = [], []
        for g0, g1 in self._groups:
            members = np.flatnonzero((entry_colors >= g0) & (entry_colors < g1))
            self._members.append(members)
            self._group_gather.append((rows[members] * (g1 - g0) + entry_colors[members] - g0)
                                      .astype(np.int64))

    def __call__(self, x: npt.ArrayLike, *args: Any, **kwargs: Any) -> Any:
        """J(x, *args, **kwargs) -> sparse Jacobian of f at x."""
        return self._run(x, args, kwargs, False)[1]

    def value_and_jacobian(self, x: npt.ArrayLike, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        """(f(x), sparse Jacobian) from the same evaluation."""
        return self._run(x, args, kwargs, True)

    def _run(self, x, args, kwargs, want_value):
        if self.sparsity is None:
            self._prepare(jacobian_sparsity(self.f, x, *args, chunk=self.chunk, **kwargs))
        assert self.colors is not None and self.ncolors is not None  # set with the pattern
        start = _peek_tag()
        try:
            flat, shape = _seeding.flatten(x)
        except _Conflict as e:  # inside another transform: raises NestingError (see _nesting.py)
            return _nesting.rerun("SparseJacobian", self.f, x, args, kwargs, e, start, self.nan_safe)
        n = flat.shape[0]
        m = self.sparsity.shape[0]
        if n != self.sparsity.shape[1]:
            raise ValueError(f"x has {n} entries but the sparsity pattern has "
                             f"{self.sparsity.shape[1]} columns")
        c = max(self.ncolors, 1)
        try:
            if len(self._groups) > 1:
                return self._evaluate_groups(x, flat, shape, m, args, kwargs, want_value)
            tag = _seeding.new_tag(self.nan_safe)
            with _seeding.buffers(n * (c + 1)):
                return self._evaluate(x, flat, shape, m, c, tag, args, kwargs, want_value)
        except TypeError as e:  # f computes with complex numbers: rerun on complex dual numbers
            if not _complex_ad.met_complex(e):
                raise
            return self._evaluate_complex(x, n, m, c, args, kwargs, want_value)

    def _evaluate_complex(self, x, n, m, c, args, kwargs, want_value):
        """One evaluation of f on complex dual numbers seeded with the colors (in
        this process): complex entries where f's result is complex, as jacobian."""
        seeds = np.zeros((c, n))
        seeds[self.colors, np.arange(n)] = 1.0
        value, tangent, _, out_shape, _ = _complex_ad._run(self.f, x, args, kwargs, seeds, False,
                                                           self.nan_safe)
        if value.size != m:
            raise ValueError(f"f returned {value.size} values but the sparsity pattern has {m} rows")
        if value.dtype.kind == "c":
            tangent = tangent.astype(np.complex128)
        data = np.ascontiguousarray(np.moveaxis(tangent.reshape(c, m), 0, -1)).reshape(-1)[self._gather]
        J = copy.copy(self._template)
        J.data, J.indices, J.indptr = data, self._indices.copy(), self._indptr.copy()
        return (_complex_ad._result(value) if want_value else None), J

    def _evaluate_groups(self, x, flat, shape, m, args, kwargs, want_value):
        """One evaluation per group of colors: in the workers, or here in turn."""
        task = ColorGroupPass(self.f, flat, shape, _seeding._list_input(x), self.colors, args, kwargs,
                              self.nan_safe)
        results = None
        if self._workers is not None:
            try:
                results = self._workers.map(task, self._groups, self.f)
            except _Conflict:  # f met numbers of a call only this process knows: rerun here
                pass
        if results is None:
            start = _peek_tag()
            try:
                results = [task(g) for g in self._groups]
            except _Conflict as e:  # f calls a transform on a closure of the outer one
                _nesting.rerun("SparseJacobian", self.f, x, args, kwargs, e, start, self.nan_safe)
                raise
        out_shape = _seeding.same_shapes(results, 2)
        data = np.empty(self._indices.size)
        for members, where, (value, tangent, _) in zip(self._members, self._group_gather, results):
            if value.shape[0] != m:
                raise ValueError(f"f returned {value.shape[0]} values but the sparsity pattern has "
                                 f"{m} rows")
            data[members] = gather(np.ascontiguousarray(tangent).reshape(-1), where)
        J = copy.copy(self._template)
        J.data, J.indices, J.indptr = data, self._indices.copy(), self._indptr.copy()
        value = np.array(results[-1][0])  # as for dense chunks: the value of the last evaluation
        return (_seeding.as_result(value, out_shape) if want_value else None), J

    def close(self) -> None:
        """Terminate the process pool made from ``workers=`` (an int), if any."""
        if self._workers is not None:
            self._workers.close()

    def _evaluate(self, x, flat, shape, m, c, tag, args, kwargs, want_value):
        # a traced f replays its tape with the same seeds (None: it runs on Duals)
        r = self.f._colored(x, args, kwargs, self.colors, c, self.nan_safe) if isinstance(self.f, Traced) else None
        if r is not None:
            y, dual = None, False
            value, tangent, out_shape = r
        else:
            xin = _seeding.seed_colors(flat, shape, self.colors, c, tag, x)  # column j: direction colors[j]
            try:
                y = _seeding.call_f(self.f, xin, args, kwargs, tag)
            except _Conflict as e:  # f calls a transform on a closure of the outer one
                _nesting.rerun("SparseJacobian", self.f, x, args, kwargs, e, abs(tag) - 1, self.nan_safe)
                raise
            if isinstance(y, DualArray):  # read the entries straight from its buffer
                buf, dual = _result_buffer(y, c, 1, tag)
                out_shape = y.shape
                value = buf[:, 0] if dual else buf
            else:
                value, tangent, out_shape = _seeding.read_result(y, c, 1, tag)
                dual = False
        if value.shape[0] != m:
            raise ValueError(f"f returned {value.shape[0]} values but the sparsity pattern has {m} rows")
        if dual:
            data = gather(buf.reshape(-1), self._gather_buffer)
        elif isinstance(y, DualArray):
            data = np.zeros(self._gather.size)  # constants
        else:
            data = gather(np.ascontiguousarray(tangent).reshape(-1), self._gather)
        J = copy.copy(self._template)
        J.data, J.indices, J.indptr = data, self._indices.copy(), self._indptr.copy()
        return (_seeding.as_result(value, out_shape) if want_value else None), J

    def __repr__(self):
        if self.sparsity is None:
            return f"SparseJacobian({getattr(self.f, '__name__', 'f')}, sparsity='auto')"
        m, n = self.sparsity.shape
        return (f"SparseJacobian({getattr(self.f, '__name__', 'f')}, {m}x{n} pattern, "
                f"{self.sparsity.nnz} entries, {self.ncolors} colors)")


class ColorGroupPass:
    """One group of colors of a SparseJacobian in a worker (or in turn):
    task((g0, g1)) runs f with column j seeded along direction colors[j] - g0
    where g0 <= colors[j] < g1 (the other columns constant) and returns
    (value (m,), tangent (m, g1 - g0), out shape)."""

    def __init__(self, f, flat, shape, x, colors, args, kwargs, nan_safe):
        self.f, self.flat, self.shape, self.x, self.colors = f, flat, shape, x, colors
        self.args, self.kwargs, self.nan_safe = args, kwargs, nan_safe

    def __call__(self, piece):
        g0, g1 = piece
        width = g1 - g0
        flat = _seeding.writable(self.flat)
        n = flat.shape[0]
        tag = _seeding.new_tag(self.nan_safe)
        members = np.flatnonzero((self.colors >= g0) & (self.colors < g1))
        tangents = np.zeros((n, width))
        tangents[members, self.colors[members] - g0] = 1.0
        with _seeding.buffers(n * (width + 1)):
            xin = _seeding.seed_directions(flat, self.shape, tangents, tag, self.x)
            y = _seeding.call_f(self.f, xin, self.args, self.kwargs, tag)
            value, tangent, out_shape = _seeding.read_result(y, width, 1, tag)
        return value, tangent, out_shape
