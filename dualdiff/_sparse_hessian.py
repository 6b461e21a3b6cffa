"""Sparse Hessians: Hessian sparsity detection, and Hessians of sums of elements.

Forward mode gets a Hessian column by column only at the price of n
directions per column. What it does exactly and cheaply is the Hessian of a
sum of elements, f(x) = sum_k w_k F_k(x): one evaluation of F on
second-order numbers whose directions are the colors of a column coloring of
the elements' nonlinear dependencies (inputs in the same element get
different colors) gives every element's Hessian, compressed to its colors but
complete, and H = sum_k w_k H_k. The sums that end ``f`` (``np.sum``,
``.sum()``, ``np.mean``, a dot product or ``@`` with a constant vector,
Python's ``sum`` over an array, and sums and multiples of those) keep their
elements apart during these evaluations: each returns a :class:`_Sum`, a
linear combination of elements, which becomes an ordinary number the moment
it is used in any other way (``np.exp(np.sum(x))`` is one element, nonlinear
in every input: a dense Hessian, reported).
"""
from collections.abc import Callable
import copy
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from dualdiff import _nesting, _ndarray as _nd, _pattern, _seeding
from dualdiff._dual import Dual, _Conflict, _read
from dualdiff._sparse_c import Store, color_columns

# The largest number of inputs one element may be nonlinear in: its colors
# make the width of every number of the evaluation, whose second-order part
# grows as the square.
_MAX_COLORS = 64


# ------------------------------------------------------------------ sums of elements


def _is_real(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


class _Sum:
    """A linear combination of elements, const + sum over pieces of w * a:
    what the sums that end f return while a sparse Hessian evaluates it.
    Sums and real multiples keep their pieces; any other use makes it the
    ordinary number it stands for (see _materialize)."""

    __slots__ = ("_pass", "_pieces", "_const", "_number")
    __array_priority__ = 100.0

    def __init__(self, owner, pieces, const=0.0):
        self._pass = owner
        self._pieces = pieces  # [(a, w)]: a a flat array or a scalar of the pass, w a float or array
        self._const = const
        self._number = None

    # ---------------------------------------------------- linear operations

    def _combined(self, other, sign):
        if isinstance(other, _Sum) and other._pass is self._pass:
            return _Sum(self._pass, self._pieces + [(a, sign * w) for a, w in other._pieces],
                        self._const + sign * other._const)
        if _is_real(other):
            return _Sum(self._pass, self._pieces, self._const + sign * float(other))
        if self._pass.is_scalar(other):
            return _Sum(self._pass, self._pieces + [(other, float(sign))], self._const)
        return None

    def _scaled(self, c):
        c = float(c)
        return _Sum(self._pass, [(a, w * c) for a, w in self._pieces], self._const * c)

    def __add__(self, other):
        r = self._combined(other, 1.0)
        return self._materialize() + other if r is None else r

    def __radd__(self, other):
        r = self._combined(other, 1.0)
        return other + self._materialize() if r is None else r

    def __sub__(self, other):
        r = self._combined(other, -1.0)
        return self._materialize() - other if r is None else r

    def __rsub__(self, other):
        r = self._scaled(-1.0)._combined(other, 1.0)
        return other - self._materialize() if r is None else r

    def __neg__(self):
        return self._scaled(-1.0)

    def __pos__(self):
        return self

    def __mul__(self, other):
        return self._scaled(other) if _is_real(other) else self._materialize() * other

    def __rmul__(self, other):
        return self._scaled(other) if _is_real(other) else other * self._materialize()

    def __truediv__(self, other):
        if _is_real(other) and other != 0:
            return self._scaled(1.0 / float(other))
        return self._materialize() / other

    # ------------------------------------------- anything else: the number

    def _materialize(self):
        """The number this sum stands for, computed as f would without it."""
        if self._number is None:
            self._number = self._pass.materialize(self._pieces, self._const)
        return self._number

    def __rtruediv__(self, other):
        return other / self._materialize()

    def __pow__(self, other, mod=None):
        return pow(self._materialize(), other) if mod is None else NotImplemented

    def __rpow__(self, other):
        return other ** self._materialize()

    def __floordiv__(self, other):
        return self._materialize() // other

    def __rfloordiv__(self, other):
        return other // self._materialize()

    def __mod__(self, other):
        return self._materialize() % other

    def __rmod__(self, other):
        return other % self._materialize()

    def __abs__(self):
        return abs(self._materialize())

    def __float__(self):
        # dualdiff.math converts what is not a Dual with float(), which would
        # drop the derivatives: refuse with the way out
        raise TypeError("float() of a sum of elements (what np.sum and the other final sums return "
                        "while hessian(f, sparsity=...) evaluates f) would drop its derivatives; apply "
                        "NumPy ufuncs to it (np.exp(np.sum(x)), not dualdiff.math.exp), or use .value")

    def __int__(self):
        return int(self._materialize())

    def __bool__(self):
        return bool(self._materialize())

    def __lt__(self, other):
        return self._materialize() < other

    def __le__(self, other):
        return self._materialize() <= other

    def __gt__(self, other):
        return self._materialize() > other

    def __ge__(self, other):
        return self._materialize() >= other

    def __eq__(self, other):
        return self._materialize() == other

    def __ne__(self, other):
        return self._materialize() != other

    __hash__ = None  # type: ignore[assignment]

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(x._materialize() if isinstance(x, _Sum) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        args = tuple(x._materialize() if isinstance(x, _Sum) else x for x in args)
        return func(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._materialize(), name)

    def __repr__(self):
        return repr(self._materialize())


class _ElementPass:
    """The sums of elements of one evaluation: of pattern arrays of one Store,
    or of dual arrays of one tag."""

    def __init__(self, key, pattern):
        self.key = key
        self.pattern = pattern
        self.sum = (_pattern._FUNCTIONS if pattern else _nd._FUNCTIONS)[np.sum]

    def __enter__(self):
        _nd._REDUCERS[self.key] = self
        return self

    def __exit__(self, *exc):
        _nd._REDUCERS.pop(self.key, None)

    def mine(self, a):
        return _nd._reducer_key(a) == self.key

    def is_scalar(self, x):
        if self.pattern:
            return type(x) is _pattern._PatternNumber and x._store is self.key
        return type(x) is Dual

    def reduce(self, func, args, kwargs):
        """A _Sum for a sum that keeps its elements apart, else NotImplemented."""
        if func is iter:
            a = args[0]
            if a.ndim != 1:
                return NotImplemented
            return (_Sum(self, [(a[k], 1.0)]) for k in range(a.shape[0]))
        if func is np.sum or func is np.mean:
            return self._sum(func, *args, **kwargs)
        if len(args) != 2 or kwargs:
            return NotImplemented
        a, b = args
        if self.mine(a) and not self.mine(b):
            arr, w = a, b
        elif self.mine(b) and not self.mine(a):
            arr, w = b, a
        else:
            return NotImplemented
        if isinstance(w, (_nd.DualArray, Dual, _Sum) + _nd._PATTERN_TYPES):
            return NotImplemented
        try:
            w = np.asarray(w, dtype=np.float64)
        except (TypeError, ValueError):
            return NotImplemented
        if arr.ndim != 1 or w.shape != arr.shape:
            return NotImplemented
        return _Sum(self, [(arr, w.copy())])

    def _sum(self, func, a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
        if not self.mine(a) or (dtype is not None and np.dtype(dtype) != np.float64) or out is not None or keepdims or where is not True \
                or (initial is not None and (func is np.mean or not _is_real(initial))):
            return NotImplemented
        if axis is not None:  # a full reduction along every axis, named
            try:
                axes = {int(k) % max(a.ndim, 1) for k in (axis if isinstance(axis, tuple) else (axis,))}
            except TypeError:
                return NotImplemented
            if axes != set(range(a.ndim)):
                return NotImplemented
        if a.size == 0:
            return NotImplemented
        flat = np.ravel(a)
        w = 1.0 / a.size if func is np.mean else 1.0
        return _Sum(self, [(flat, w)], 0.0 if initial is None else float(initial))

    def materialize(self, pieces, const):
        total = None
        for a, w in pieces:
            if isinstance(w, np.ndarray) or (not self.is_scalar(a) and w != 1.0):
                term = self.sum(a * w) if not self.is_scalar(a) else a * w
            elif self.is_scalar(a):
                term = a
            else:
                term = self.sum(a)
            total = term if total is None else total + term
        if total is None:
            return const
        return total + const if const else total


# ------------------------------------------------------------------ detection


def _detect(pieces_of, x):
    """Run f once on second-order dependency patterns, through
    pieces_of(xin, owner) -> the pieces of its final sum: (n, pairs (i, j)
    with i <= j, the nonlinear and the dependency sets of the elements, each
    as CSR (indptr, indices), the sizes of the pieces)."""
    flat, shape = _flatten(x)
    n = flat.shape[0]
    store = Store(2 * n)
    tracker = _pattern._Second(n, store)
    ids = np.arange(2, n + 2, dtype=np.int64)
    if shape is None:
        xin = _pattern._PatternNumber(float(flat[0]), 2, store)
    else:
        xin = _pattern._wrap(np.array(flat).reshape(shape), ids.reshape(shape), store)
    _pattern._SECOND[store] = tracker
    try:
        with _ElementPass(store, True) as owner:
            pieces = pieces_of(xin, owner)
            eids, sizes = [], []
            for a, _ in pieces:
                if type(a) is _pattern._PatternNumber:
                    if a._store is not store:
                        raise _pattern._store_error()
                    eids.append(np.array([a._id], dtype=np.int64))
                    sizes.append(-1)
                else:
                    v, i, s = _pattern._live(a)
                    if s is not store:
                        raise _pattern._store_error()
                    eids.append(np.ascontiguousarray(i, dtype=np.int64).reshape(-1))
                    sizes.append(int(i.size))
    finally:
        _pattern._SECOND.pop(store, None)
    eids = np.concatenate(eids) if eids else np.zeros(0, np.int64)
    indptr, indices = store.rows(eids)
    rows = np.repeat(np.arange(eids.size), np.diff(indptr))

    def part(keep, shift):
        counts = np.bincount(rows[keep], minlength=eids.size)
        return np.concatenate(([0], np.cumsum(counts))).astype(np.int64), indices[keep] - shift

    return n, tracker.result(), part(indices >= n, n), part(indices < n, 0), sizes


def _final_pieces(y, owner, verb):
    """The pieces [(a, w)] of f's result y: a sum of elements, or one element."""
    if isinstance(y, _Sum):
        return y._pieces
    if owner.is_scalar(y):
        return [(y, 1.0)]
    if _is_real(y) or isinstance(y, (bool, np.bool_)):
        return []
    if isinstance(y, (_nd.DualArray, np.ndarray) + _nd._PATTERN_TYPES) and np.ndim(y) == 0:
        return [(np.reshape(y, (1,)), 1.0)]
    shape = np.shape(y) if isinstance(y, (np.ndarray, list, tuple)) else None
    raise ValueError(f"{verb} needs f to return a real number, but it returned "
                     f"{type(y).__name__}" + (f" of shape {shape}" if shape else ""))


def hessian_sparsity(f: Callable[..., Any], x: npt.ArrayLike, *args: Any, **kwargs: Any) -> Any:
    """hessian_sparsity(f, x, *args, **kwargs) -> scipy.sparse.csr_array

    The sparsity pattern of the Hessian of the real-valued ``f`` at ``x``: a
    symmetric boolean ``(x.size, x.size)`` CSR array, True where the second
    derivative in inputs i and j can be nonzero.

    ``f`` runs once, as for :func:`jacobian_sparsity`, on numbers that carry
    the inputs they depend on and the pairs of inputs that interact: an
    operation whose second partials all vanish (sums, differences, scaling,
    ``abs``, ``max``, step functions, indexing and reshaping, products with
    constants) makes no inputs interact; a product makes each factor's inputs
    interact with the other's; a nonlinear function (the table's second
    partials: ``exp``, ``x ** 2``, ``x / y`` in y, ...) makes all its
    argument's inputs interact, and so does every NumPy function without a
    finer rule (linear algebra, ``prod``, norms). The pattern covers every
    operation ``f`` runs at ``x`` (the branches taken there), so it may hold
    entries that vanish, never miss one.

    >>> import numpy as np, dualdiff
    >>> f = lambda x: np.sum(x[:-1] * x[1:]) + np.sum(np.exp(x))
    >>> dualdiff.hessian_sparsity(f, np.ones(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 1, 0],
           [0, 1, 1, 1],
           [0, 0, 1, 1]])
    """
    import scipy.sparse as sp  # type: ignore[import-untyped]  # SciPy ships no type stubs

    def pieces_of(xin, owner):
        y = f(xin, *args, **kwargs) if kwargs else f(xin, *args)
        return _final_pieces(y, owner, "hessian_sparsity")

    n, (i, j), _, _, _ = _detect(pieces_of, x)
    off = i != j
    rows = np.concatenate((i, j[off]))
    cols = np.concatenate((j, i[off]))
    H = sp.csr_array((np.ones(rows.size, dtype=bool), (rows, cols)), shape=(n, n))
    H.sum_duplicates()
    H.sort_indices()
    return H


# ------------------------------------------------------------------ SparseHessian


def _flatten(x):
    try:
        return _seeding.flatten(x)
    except _Conflict:  # x holds numbers of a running transform
        raise _nesting.NestingError("sparse Hessians and hessian_sparsity cannot run inside another "
                                    "derivative transform; use hessian(f) there") from None


def _tri_index(c):
    """t[a, b]: the position of the second derivative in directions a, b in
    the packed upper triangle of a second-order number of width c."""
    t = np.zeros((c, c), dtype=np.int64)
    iu, ju = np.triu_indices(c)
    t[iu, ju] = np.arange(iu.size)
    t[ju, iu] = np.arange(iu.size)
    return t


class SparseHessian:
    """SparseHessian(f, sparsity="auto", format="csr", nan_safe=True)

    The Hessian of a real-valued ``f`` as a SciPy sparse array, made by
    ``dualdiff.hessian(f, sparsity=...)``. At the first call ``f`` runs once
    on dependency patterns (see :func:`hessian_sparsity`), which give the
    pattern and the elements of the sums that end ``f``; the elements'
    nonlinear inputs are colored so that no element holds two inputs of one
    color. Every call then costs one evaluation of ``f`` on second-order
    numbers with one direction per color.

    ``f`` is a plain NumPy function: the sums that end it (``np.sum``,
    ``.sum()``, ``np.mean``, ``@``, ``np.dot`` with a constant vector,
    Python's ``sum`` over an array, and sums and real multiples of such
    results) keep their elements apart in these evaluations. Where ``f`` is a
    nonlinear function of a sum (``np.exp(np.sum(x))``), its only element is
    nonlinear in all the inputs: a warning says the Hessian is dense, and
    beyond 64 colors a ValueError says why.

    ``sparsity`` is ``"auto"`` or a symmetric ``(n, n)`` pattern (a SciPy
    sparse matrix or a boolean array) that fixes the entries of the result;
    the elements are detected in either case. Calls return a
    ``scipy.sparse.csr_array`` (``format="csc"``: ``csc_array``, ``"coo"``:
    ``coo_array``) whose stored entries are exactly the pattern's, both
    triangles. ``ncolors`` and ``colors`` tell the coloring; ``lower(x)``
    gives the entries of the lower triangle alone, in the order of
    ``lower_structure`` (rows, cols), as IPOPT takes them.

    As with every pattern detected at one point, the elements and branches
    of ``f`` at the first ``x`` are assumed at the others.
    """

    def __init__(self, f: Callable[..., Any], sparsity: object = "auto", format: str = "csr",
                 nan_safe: bool = True) -> None:
        if format not in ("csr", "csc", "coo"):
            raise ValueError(f"format must be 'csr', 'csc' or 'coo', not {format!r}")
        if isinstance(sparsity, str) and sparsity != "auto":
            raise ValueError(f"sparsity must be a pattern or 'auto', not {sparsity!r}")
        self.f = f
        self.format = format
        self.nan_safe = nan_safe
        self._given = None if isinstance(sparsity, str) else sparsity
        self.sparsity: Any = None  # the symmetric pattern, once known
        self.colors: npt.NDArray[np.int64] | None = None
        self.ncolors: int | None = None
        self.lower_structure: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
        self._gcolors: npt.NDArray[np.int64] | None = None

    # ---------------------------------------------------------- preparation

    def _prepare(self, x, args, kwargs):
        import scipy.sparse as sp  # type: ignore[import-untyped]  # SciPy ships no type stubs

        n, (pi, pj), (nptr, nidx), (dptr, didx), sizes = _detect(
            lambda xin, owner: self._pieces(xin, owner, args, kwargs, None), x)
        self._n, self._sizes = n, sizes
        self._depends = (dptr, didx)
        # the entries of the result: the lower triangle (row >= col), by rows
        if self._given is not None:
            from dualdiff._sparse import _as_pattern

            given = _as_pattern(self._given)
            if given.shape != (n, n):
                raise ValueError(f"the sparsity pattern has shape {given.shape}, but x has {n} entries")
            if (given != given.T).nnz:
                raise ValueError("a Hessian sparsity pattern must be symmetric")
            low = sp.tril(given).tocoo()
            rows, cols = low.row.astype(np.int64), low.col.astype(np.int64)
        else:
            rows, cols = pj, pi  # pairs i <= j: row j, column i
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        self.lower_structure = (rows, cols)
        # color the elements' nonlinear inputs
        nel = nptr.size - 1
        N = sp.csr_array((np.ones(nidx.size, dtype=bool), nidx, nptr), shape=(nel, n))
        self.colors, self.ncolors = color_columns(N)
        self._c = c = max(self.ncolors, 1)
        self._widest = int(np.diff(nptr).max(initial=0))
        self._checked = False
        # every (element, i >= j) with i, j among its nonlinear inputs and in the pattern
        lens = np.diff(nptr)
        tri = lens * (lens + 1) // 2
        k = np.repeat(np.arange(nel), tri)
        t = np.arange(int(tri.sum())) - np.repeat(np.cumsum(tri) - tri, tri)
        # t -> (a, b), b <= a < len: a = floor((sqrt(8t + 1) - 1) / 2), corrected for rounding
        a = ((np.sqrt(8.0 * t + 1.0) - 1.0) // 2).astype(np.int64)
        a += (a + 1) * (a + 2) // 2 <= t
        a -= a * (a + 1) // 2 > t
        b = t - a * (a + 1) // 2
        i = nidx[nptr[k] + a]
        j = nidx[nptr[k] + b]
        codes = rows * n + cols  # sorted
        want = i * n + j
        pos = np.searchsorted(codes, want)
        hit = pos < codes.size
        hit[hit] = codes[pos[hit]] == want[hit]
        self._entry = pos[hit]
        self._element = k[hit]
        # where each is in its element's packed second derivatives (sorted by element)
        self._tri = _tri_index(c)[self.colors[i[hit]], self.colors[j[hit]]]
        # per piece of the final sum: its elements [e0, e0 + size) and their entries [t0, t1)
        self._plan = []
        e0 = 0
        for size in sizes:
            m = max(size, 1)
            t0, t1 = np.searchsorted(self._element, [e0, e0 + m])
            local = self._element[t0:t1] - e0
            self._plan.append((int(t0), int(t1), local, local * (1 + c + c * (c + 1) // 2) + 1 + c
                               + self._tri[t0:t1]))
            e0 += m
        self._seed_template = None
        # the result: both triangles, in the order of the format
        off = rows != cols
        full_r = np.concatenate((rows, cols[off]))
        full_c = np.concatenate((cols, rows[off]))
        src = np.concatenate((np.arange(rows.size), np.flatnonzero(off)))
        if self.format == "coo":
            perm = np.arange(full_r.size)
        elif self.format == "csr":
            perm = np.lexsort((full_c, full_r))
        else:
            perm = np.lexsort((full_r, full_c))
        self._src = src[perm]
        full_r, full_c = full_r[perm], full_c[perm]
        if self.format == "coo":
            self._template = sp.coo_array((np.zeros(full_r.size), (full_r, full_c)), shape=(n, n))
        else:
            outer, inner = (full_r, full_c) if self.format == "csr" else (full_c, full_r)
            itype = np.int32 if max(n, inner.size) < 2**31 - 1 else np.int64
            indptr = np.concatenate(([0], np.cumsum(np.bincount(outer, minlength=n)))).astype(itype)
            array = sp.csr_array if self.format == "csr" else sp.csc_array
            self._template = array((np.zeros(inner.size), inner.astype(itype), indptr), shape=(n, n))
        self.sparsity = self._template.copy().astype(bool)

    def _check_dense(self):
        """Refuse, or warn about, an element nonlinear in many inputs (once)."""
        n, c, widest = self._n, self._c, self._widest
        if widest > _MAX_COLORS:
            raise ValueError(
                f"hessian(f, sparsity=...): f is not a sum of elements with sparse Hessians: an "
                f"element of its final sum is nonlinear in {widest} of the {n} inputs (a nonlinear "
                "function of a sum, such as np.exp(np.sum(x)), makes the Hessian dense); use "
                "dualdiff.hessian(f) for a dense Hessian")
        if n > 8 and 2 * widest > n:
            warnings.warn(
                f"hessian(f, sparsity=...): an element of f's final sum is nonlinear in {widest} of "
                f"the {n} inputs, so the Hessian is dense (a nonlinear function of a sum?); it is "
                f"computed with {c} colors", UserWarning, stacklevel=4)
        self._checked = True

    # ---------------------------------------------------------------- calls

    def __call__(self, x: npt.ArrayLike, *args: Any, **kwargs: Any) -> Any:
        """H(x, *args, **kwargs) -> the sparse Hessian of f at x."""
        data = self.lower(x, *args, **kwargs)
        H = copy.copy(self._template)
        if self.format == "coo":
            H.data = data[self._src]
            H.coords = tuple(np.array(a) for a in self._template.coords)
        else:
            H.data, H.indices, H.indptr = data[self._src], self._template.indices.copy(), \
                self._template.indptr.copy()
        return H

    def lower(self, x: npt.ArrayLike, *args: Any, **kwargs: Any) -> npt.NDArray[np.float64]:
        """The entries of the lower triangle (row >= col) of the Hessian at x, in
        the order of ``lower_structure``."""
        flat, shape = _flatten(x)
        if self.sparsity is None:
            self._prepare(x, args, kwargs)
        if not self._checked:
            self._check_dense()
        n, c = self._n, self._c
        if flat.shape[0] != n:
            raise ValueError(f"x has {flat.shape[0]} entries but the Hessian was prepared for {n}")
        colors, structure = self.colors, self.lower_structure
        assert colors is not None and structure is not None  # set by _prepare
        tag = _seeding.new_tag(self.nan_safe)
        T = c * (c + 1) // 2
        with _ElementPass(tag, False) as owner:
            if shape is None or type(x) is list or type(x) is tuple:
                t = np.zeros((n, c))
                t[np.arange(n), colors] = 1.0
                xin = _seeding.seed_directions(flat, shape, t, tag, x, order=2)
            else:
                if self._seed_template is None:  # value 0, one unit tangent per input, no curvature
                    self._seed_template = np.zeros((n, 1 + c + T))
                    self._seed_template[np.arange(n), 1 + colors] = 1.0
                buf = self._seed_template.copy()
                buf[:, 0] = flat
                xin = _seeding._wrap_dual_array(buf.reshape(shape + (1 + c + T,)), _seeding._DualSpec(c, 2, tag))
            try:
                pieces = self._pieces(xin, owner, args, kwargs, tag)
            except _Conflict:
                raise _nesting.NestingError("a sparse Hessian cannot run inside another derivative "
                                            "transform, nor f call one on its input") from None
            vals = self._second(pieces, c, T, tag)
        size = structure[0].size
        if not vals.size:
            return np.zeros(size)
        return np.bincount(self._entry, weights=vals, minlength=size).astype(np.float64, copy=False)

    def _second(self, pieces, c, T, tag):
        """The weighted second derivatives of the entries' (element, i, j), read
        from the pieces of the final sum."""
        self._check_pieces(pieces)
        vals = np.empty(self._entry.size)
        for (a, w), (t0, t1, local, where) in zip(pieces, self._plan):
            if t0 == t1:
                continue
            if isinstance(a, Dual):
                hess = np.empty((1, c, c))
                _read([a], c, 2, tag, np.empty(1), np.empty((1, c)), hess, 0)
                iu, ju = np.triu_indices(c)
                v = hess[0, iu, ju][self._tri[t0:t1]]
            else:
                buf, dual = _nd._result_buffer(a, c, 2, tag)
                if not dual:  # constants
                    vals[t0:t1] = 0.0
                    continue
                v = buf.reshape(-1)[where]
            if isinstance(w, np.ndarray):
                v *= w[local]
            elif w != 1.0:
                v *= w
            vals[t0:t1] = v
        return vals

    def _check_pieces(self, pieces):
        sizes = [-1 if isinstance(a, Dual) else int(np.size(a)) for a, _ in pieces]
        if sizes != self._sizes:
            raise ValueError("f's final sum has other elements than at the point where the Hessian "
                             f"was prepared (pieces of sizes {sizes}, then {self._sizes}): f branches "
                             "on values; make a new hessian(f, sparsity=...) at this point")

    def _pieces(self, xin, owner, args, kwargs, tag):
        """The pieces [(a, w)] of f's final sum at xin (tag None: the detection)."""
        if tag is None:
            y = self.f(xin, *args, **kwargs) if kwargs else self.f(xin, *args)
        else:
            y = _seeding.call_f(self.f, xin, args, kwargs, tag)
        return _final_pieces(y, owner, "hessian(f)")

    def gradient(self, x: npt.ArrayLike, *args: Any, **kwargs: Any) -> npt.NDArray[np.float64]:
        """The gradient of f at x, shaped like x, from one evaluation of f on
        first-order numbers whose directions color the elements' inputs (so
        that no element holds two inputs of one color); where that takes more
        colors than :func:`grad` carries in one pass (an element of many
        inputs), the gradient is :func:`grad`'s."""
        flat, shape = _flatten(x)
        if self.sparsity is None:
            self._prepare(x, args, kwargs)
        n = self._n
        if flat.shape[0] != n:
            raise ValueError(f"x has {flat.shape[0]} entries but the Hessian was prepared for {n}")
        if self._gcolors is None:
            import scipy.sparse as sp  # type: ignore[import-untyped]  # SciPy ships no type stubs

            dptr, didx = self._depends
            D = sp.csr_array((np.ones(didx.size, dtype=bool), didx, dptr), shape=(dptr.size - 1, n))
            self._gcolors, nc = color_columns(D)
            self._gc = max(nc, 1)
            k = np.repeat(np.arange(dptr.size - 1), np.diff(dptr))
            self._gelement, self._gvar = k, didx
            self._gread = k * self._gc + self._gcolors[didx]
        c = self._gc
        if c > _seeding.FIRST_ORDER_CHUNK:  # as many passes as grad's chunks: grad itself
            from dualdiff._gradient import grad

            return grad(lambda y: self._value(y, args, kwargs), nan_safe=self.nan_safe)(x)
        tag = _seeding.new_tag(self.nan_safe)
        with _ElementPass(tag, False) as owner, _seeding.buffers(n * (c + 1)):
            xin = _seeding.seed_colors(flat, shape, self._gcolors, c, tag, x)
            pieces = self._pieces(xin, owner, args, kwargs, tag)
            tangents, weights = self._read(pieces, c, 0, tag, 1)
        vals = tangents.reshape(-1)[self._gread] * weights[self._gelement]
        g = np.bincount(self._gvar, weights=vals, minlength=n) if vals.size else np.zeros(n)
        return _seeding.as_result(g, _seeding.x_shape(shape))

    def _value(self, y, args, kwargs):
        """f at y, an ordinary number (no elements kept apart)."""
        return self.f(y, *args, **kwargs)

    def _read(self, pieces, c, T, tag, order=2):
        self._check_pieces(pieces)
        packs, weights = [], []
        for a, w in pieces:
            if isinstance(a, Dual):
                tangent = np.empty((1, c))
                hess = np.empty((1, c, c)) if order == 2 else _seeding._NO_HESSIAN
                _read([a], c, order, tag, np.empty(1), tangent, hess, 0)
                iu, ju = np.triu_indices(c)
                packs.append(hess[:, iu, ju] if order == 2 else tangent)
                m = 1
            else:
                buf, dual = _nd._result_buffer(a, c, order, tag)
                m = buf.shape[0]
                part = buf[:, 1 + c:] if order == 2 else buf[:, 1:1 + c]
                packs.append(part if dual else np.zeros((m, T if order == 2 else c)))
            weights.append(np.broadcast_to(np.asarray(w, dtype=np.float64), (m,)))
        if not packs:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(packs).reshape(-1), np.concatenate(weights)

    def __repr__(self):
        name = getattr(self.f, "__name__", "f")
        if self.sparsity is None:
            return f"SparseHessian({name}, sparsity='auto')"
        return (f"SparseHessian({name}, {self._n}x{self._n} pattern, {self.sparsity.nnz} entries, "
                f"{self.ncolors} colors)")


# ------------------------------------------------------------------ the Lagrangian


class _AnyWeights:
    """The multipliers of the detection, which only needs the structure."""


def _scaled_pieces(pieces, w):
    return [(a, wa * w) for a, wa in pieces]


class LagrangianHessian(SparseHessian):
    """LagrangianHessian(f, constraints, nan_safe=True)

    The Hessian of the Lagrangian ``obj_factor * f(x) + lagrange @ c(x)`` of a
    real-valued ``f`` and constraints ``c`` (``constraints(x)`` returns an
    array or a sequence of m numbers), as a :class:`SparseHessian` whose
    elements are those of ``f``'s final sum and of each constraint (a
    constraint that is itself a sum keeps its elements apart too; a linear
    constraint such as ``np.sum(x) - 1`` adds no color). Call it as
    ``H(x, lagrange, obj_factor=1.0)`` for the symmetric sparse matrix, or
    ``H.lower(x, lagrange, obj_factor)`` for the lower triangle's entries in
    the order of ``H.lower_structure`` (IPOPT's ``hessian`` and
    ``hessianstructure``). The structure is fixed at the first call.
    """

    def __init__(self, f: Callable[..., Any], constraints: Callable[..., Any], nan_safe: bool = True,
                 format: str = "csr") -> None:
        super().__init__(f, "auto", format=format, nan_safe=nan_safe)
        self.constraints = constraints

    def __call__(self, x: npt.ArrayLike, lagrange: Any = None, obj_factor: float = 1.0) -> Any:  # type: ignore[override]
        """H(x, lagrange, obj_factor=1.0) -> the sparse Hessian of the Lagrangian at x."""
        return super().__call__(x, lagrange, obj_factor)

    def lower(self, x: npt.ArrayLike, lagrange: Any = None,  # type: ignore[override]
              obj_factor: float = 1.0) -> npt.NDArray[np.float64]:
        """The entries of the lower triangle of the Lagrangian's Hessian at x, in
        the order of ``lower_structure``."""
        return super().lower(x, lagrange, obj_factor)

    def gradient(self, x: npt.ArrayLike, lagrange: Any = None,  # type: ignore[override]
                 obj_factor: float = 1.0) -> npt.NDArray[np.float64]:
        """The gradient of the Lagrangian at x, shaped like x."""
        return super().gradient(x, lagrange, obj_factor)

    def _pieces(self, xin, owner, args, kwargs, tag):
        lagrange, sigma = args
        if tag is None:  # the detection: any weights
            lagrange, sigma = _AnyWeights(), 1.0
        if tag is None:
            y, cy = self.f(xin), self.constraints(xin)
        else:
            y = _seeding.call_f(self.f, xin, (), {}, tag)
            cy = _seeding.call_f(self.constraints, xin, (), {}, tag)
        pieces = _scaled_pieces(_final_pieces(y, owner, "the Lagrangian's f"), float(sigma))
        if isinstance(cy, (list, tuple)) or (isinstance(cy, np.ndarray) and not isinstance(
                cy, (_nd.DualArray,) + _nd._PATTERN_TYPES)):
            items = list(np.ravel(np.asarray(cy, dtype=object))) if isinstance(cy, np.ndarray) else list(cy)
            lam = self._multipliers(lagrange, len(items))
            for k, item in enumerate(items):
                if isinstance(item, _Sum):
                    pieces += _scaled_pieces(item._pieces, lam[k])
                elif owner.is_scalar(item):
                    pieces.append((item, lam[k]))
                elif not (_is_real(item) or isinstance(item, (bool, np.bool_))):
                    raise TypeError(f"constraints(x) returned {type(item).__name__} among its values")
        elif isinstance(cy, _Sum):
            pieces += _scaled_pieces(cy._pieces, self._multipliers(lagrange, 1)[0])
        elif owner.is_scalar(cy):
            pieces.append((cy, self._multipliers(lagrange, 1)[0]))
        elif isinstance(cy, (_nd.DualArray,) + _nd._PATTERN_TYPES):
            flat = np.ravel(cy)
            pieces.append((flat, self._multipliers(lagrange, flat.size)))
        elif not _is_real(cy):
            raise TypeError(f"constraints(x) returned {type(cy).__name__}")
        return pieces

    def _value(self, y, args, kwargs):
        lagrange, sigma = args
        cy = self.constraints(y)
        items = list(np.ravel(np.asarray(cy, dtype=object))) if isinstance(cy, (list, tuple, np.ndarray)) \
            else [cy]
        lam = self._multipliers(lagrange, len(items))
        total = float(sigma) * self.f(y)
        for k, item in enumerate(items):
            total = total + lam[k] * item
        return total

    @staticmethod
    def _multipliers(lagrange, m):
        if isinstance(lagrange, _AnyWeights):
            return np.ones(m)
        if lagrange is None:
            if m:
                raise TypeError(f"the Lagrangian's Hessian needs lagrange, the {m} multipliers of the "
                                "constraints")
            return np.ones(0)
        lam = np.asarray(lagrange, dtype=np.float64).reshape(-1)
        if lam.size != m:
            raise ValueError(f"lagrange has {lam.size} multipliers for {m} constraints")
        return lam
