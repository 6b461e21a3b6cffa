"""dualdiff.special: SciPy's logsumexp, softmax and log_softmax for dual arrays.

The ufuncs of ``scipy.special`` (``expit``, ``gammaln``, ``xlogy``, ...) take
dual arrays as they are. ``scipy.special.logsumexp``, ``softmax`` and
``log_softmax`` are Python functions instead, and NumPy gives them no way to
hand a dual array to dualdiff: ``softmax`` and ``log_softmax`` convert their
input with ``np.asarray`` (which keeps only placeholders, so they raise
``TypeError``), and ``logsumexp`` rebuilds its maxima from such a copy (it
raises too; differentiated step by step, its shift would move every tied
maximum with one of them).
The functions here have SciPy's names, signatures and semantics::

    import numpy as np
    import dualdiff
    from dualdiff.special import logsumexp

    dualdiff.grad(lambda a: logsumexp(a))(np.zeros(3))      # the softmax: [1/3, 1/3, 1/3]

=================================================  ==========================================
``logsumexp(a, axis, b, keepdims, return_sign)``   ``log(sum(b * exp(a)))`` over ``axis``
``softmax(x, axis=None)``                          ``exp(x) / sum(exp(x))`` over ``axis``
``log_softmax(x, axis=None)``                      ``x - logsumexp(x)`` over ``axis``
``multigammaln(a, d)``                             ``log`` of the multivariate gamma function
``polygamma(n, x)``                                the n-th derivative of ``psi`` at ``x``
=================================================  ==========================================

Without a dual argument each function is SciPy's own (same values, types and
errors). With one (a Dual, a dual array, or a list holding Duals; ``a`` or
``b`` or both for ``logsumexp``) the values are SciPy's values of the plain
values, and the derivatives, first and second order and in nested transforms,
those of the same expression shifted by the largest value as a constant
(``c + log(sum(b * exp(a - c)))``), so no overflow and no tie between maxima
changes them. Conventions:

- As in SciPy, an entry whose weight ``b`` is 0 adds nothing, also where
  ``a`` is +inf or NaN; there its derivatives are 0. Where ``a`` is finite
  or -inf, the derivative in such a ``b`` is ``exp(a - out)``.
- A slice whose entries are all -inf (or all weighted by 0) gives -inf with
  derivatives 0; an empty slice gives -inf with derivatives 0.
- Where SciPy's value is NaN (a negative sum without ``return_sign``, NaN
  entries, +inf against -inf), the derivatives are NaN along every
  direction in which an argument moves.
- ``return_sign=True`` returns the sign as SciPy's plain floats (its
  derivatives are 0).

At a total order of three or more (a transform nested in another inside
``hessian``, or three nested first-order transforms), ``logsumexp``,
``softmax`` and ``log_softmax`` compute the same shifted expressions on the
object arrays of those numbers, with values within rounding of SciPy's.
"""
import numpy as np

try:
    import scipy.special as _sc  # type: ignore[import-untyped]  # SciPy ships no type stubs
except ImportError as _exc:  # pragma: no cover - SciPy is optional for dualdiff itself
    raise ImportError("dualdiff.special needs SciPy (pip install scipy)") from _exc

from dualdiff import _ndarray as _nd, _parametric
from dualdiff._dual import Dual

__all__ = ["logsumexp", "softmax", "log_softmax", "multigammaln", "polygamma"]


# ---- arguments and results -----------------------------------------------------------

def _dual(x):
    return _nd.scipy_argument(x, "dualdiff.special")


def _plain(x, d):
    """The values of argument x (whose dual array is d, or None)."""
    if d is None:
        v = np.asarray(x)
        if v.dtype.kind == "c":
            raise TypeError("dualdiff.special takes real numbers with dual ones")
        return v.astype(np.float64)
    return d.value


def _broadcast(d, v, shape):
    """(the argument, its values) broadcast to shape (d the dual array or None)."""
    x = v if d is None else d
    if v.shape != shape:
        x, v = np.broadcast_to(x, shape), np.broadcast_to(v, shape)
    return x, v


def _with_values(d, exact, moving):
    """The dual array d (fresh, at least 1-d) with the values ``exact``. Where
    ``exact`` is NaN the derivatives are NaN along every direction that moves
    the slice, whose sum is ``moving`` (a callable: made only then)."""
    nan = np.isnan(exact)
    if nan.any():
        with np.errstate(invalid="ignore"):  # the values are replaced below
            d = d + np.where(nan, np.nan, 0.0) * moving()  # nan * t is 0 where t is 0 (NaN-safe)
    buf = _nd._live(d)
    buf[..., 0] = exact
    return d


def _patterns(d):
    return isinstance(d, _nd._PATTERN_TYPES)


def _shift(v, axis):
    """The largest of v over axis (kept), 0 where that is not finite: a constant,
    so its derivative is none and cancels nothing."""
    c = np.max(v, axis=axis, keepdims=True)
    return np.where(np.isfinite(c), c, 0.0)


# ---- the functions ---------------------------------------------------------------------

def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False): SciPy's
    ``scipy.special.logsumexp``, ``log(sum(b * exp(a), axis))``, differentiable in
    ``a`` and ``b``. With ``return_sign=True`` returns ``(log|sum|, sign)``; without,
    a negative sum gives NaN."""
    if _nd.holds_deeper(a) or _nd.holds_deeper(b):
        return _deeper_logsumexp(a, axis, b, keepdims, return_sign)
    da = _dual(a)
    db = _dual(b) if b is not None else None
    if da is None and db is None:
        return _sc.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign)
    if _patterns(da) or _patterns(db):
        out = _logsumexp_pattern(a if da is None else da, axis, b if db is None else db, keepdims)
        return (out, np.ones(np.shape(out))) if return_sign else out  # the sign is a constant
    av = _plain(a, da)
    bv = None if b is None else _plain(b, db)
    # SciPy's values, shapes and errors; kept dimensions until the end
    ref = _sc.logsumexp(av, axis=axis, b=bv, keepdims=True, return_sign=return_sign)
    out_v, sgn_v = ref if return_sign else (np.asarray(ref), None)
    shape = av.shape if bv is None else np.broadcast_shapes(av.shape, bv.shape)
    shape = shape or (1,)  # SciPy reduces at least 1-d arrays
    ax = _nd._axes(axis, len(shape))
    A, av = _broadcast(da, av, shape)
    if bv is not None:
        B, bv = _broadcast(db, bv, shape)
    if av.size == 0:
        zero = A if bv is None else A * B
        out = np.sum(zero, axis=ax, keepdims=True) * 0.0
    else:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if bv is None:
                c = _shift(av, ax)
                E = np.exp(A - c)
            else:
                zero_b = bv == 0
                c = _shift(np.where(zero_b, -np.inf, av), ax)
                E = B * np.exp(A - c)
                # as SciPy, a zero weight drops its entry even where a is +inf or NaN
                drop = zero_b & ~(np.isfinite(av) | (av == -np.inf))
                if drop.any():
                    E = np.where(drop, 0.0, E)
            S = np.sum(E, axis=ax, keepdims=True)
            out = np.log(np.abs(S)) + c

    def moving():
        s = np.sum(A, axis=ax, keepdims=True) if da is not None else 0.0
        return s + np.sum(B, axis=ax, keepdims=True) if db is not None else s

    out = _with_values(out, out_v, moving)
    if not keepdims:
        out = np.squeeze(out, axis=ax)
    if out.ndim == 0:
        out = out[()]
    if not return_sign:
        return out
    if not keepdims:
        sgn_v = np.squeeze(sgn_v, axis=ax)
    return out, (sgn_v[()] if sgn_v.ndim == 0 else sgn_v)


def _numbers(x):
    """(x as an object array of those numbers and floats, its real values)."""
    from dualdiff import _third
    a = _nd.array(x) if isinstance(x, (list, tuple)) else x
    if type(a) in _nd.OBJECT_LOOP_TYPES:  # one number
        box = np.empty((), dtype=object)
        box[()] = a
        a = box
    a = np.asarray(a) if not isinstance(a, np.ndarray) else a
    if a.dtype != object:
        return a.astype(np.float64), a.astype(np.float64)
    a = _nd.OBJECT_ARRAY(a)  # ufuncs per number, plain ones too
    values = np.array([_third._value(e) for e in a.flat]).reshape(a.shape)
    if values.dtype.kind == "c":
        raise TypeError("dualdiff.special takes real numbers")
    return a, values.astype(np.float64)


def _deeper_logsumexp(a, axis, b, keepdims, return_sign):
    """logsumexp at a total order of three or more: the same shifted
    expression on NumPy's object arrays of those numbers (values within
    rounding of SciPy's; a slice of -inf entries or zero weights gives -inf
    with derivatives 0)."""
    A, av = _numbers(a)
    B, bv = _numbers(b) if b is not None else (None, None)
    ref = _sc.logsumexp(av, axis=axis, b=bv, keepdims=True, return_sign=return_sign)
    out_v, sgn_v = ref if return_sign else (np.asarray(ref), None)
    shape = av.shape if bv is None else np.broadcast_shapes(av.shape, bv.shape)
    shape = shape or (1,)
    ax = _nd._axes(axis, len(shape))
    A, av = np.broadcast_to(A, shape, subok=True), np.broadcast_to(av, shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if B is None:
            c = _shift(av, ax)
            E = np.exp(A - c)
        else:
            B, bv = np.broadcast_to(B, shape, subok=True), np.broadcast_to(bv, shape)
            zero_b = bv == 0
            c = _shift(np.where(zero_b, -np.inf, av), ax)
            E = B * np.exp(A - c)
            drop = zero_b & ~(np.isfinite(av) | (av == -np.inf))
            E = np.where(drop, 0.0, E)
        out = np.log(np.abs(np.sum(E, axis=ax, keepdims=True))) + c
    # a sum of zeros: -inf, a constant
    out = np.where(np.broadcast_to(out_v, out.shape) == -np.inf, -np.inf, out)
    if not keepdims:
        out = np.squeeze(out, axis=ax)
        if sgn_v is not None:
            sgn_v = np.squeeze(sgn_v, axis=ax)
    out = out[()] if out.ndim == 0 else out
    if not return_sign:
        return out
    return out, (sgn_v[()] if sgn_v.ndim == 0 else sgn_v)


def _deeper_shifted(x, axis):
    """x, which holds the numbers of a transform nested at a total order of
    three or more, as an object array, less its largest value over axis."""
    A, v = _numbers(x)
    return A - _shift(v, axis)


def _logsumexp_pattern(a, axis, b, keepdims):
    """logsumexp of dependency patterns (sparsity detection): the same expression,
    which depends on every entry of its slice."""
    e = np.exp(a) if b is None else b * np.exp(a)
    return np.log(np.sum(e, axis=axis, keepdims=keepdims))


def softmax(x, axis=None):
    """softmax(x, axis=None): SciPy's ``scipy.special.softmax``,
    ``exp(x) / sum(exp(x), axis)``, differentiable in ``x``."""
    if _nd.holds_deeper(x):
        t = _deeper_shifted(x, axis)
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(t)
            return e / np.sum(e, axis=axis, keepdims=True)
    d = _dual(x)
    if d is None:
        return _sc.softmax(x, axis=axis)
    if _patterns(d):
        e = np.exp(d)
        return e / np.sum(e, axis=axis, keepdims=True)
    v = d.value
    ref = _sc.softmax(v, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        e = np.exp(d - _shift(v, axis))
        p = e / np.sum(e, axis=axis, keepdims=True)
    return _result(p, ref, lambda: np.sum(d, axis=axis, keepdims=True))


def log_softmax(x, axis=None):
    """log_softmax(x, axis=None): SciPy's ``scipy.special.log_softmax``,
    ``x - logsumexp(x, axis)`` computed without overflow, differentiable in ``x``."""
    if _nd.holds_deeper(x):
        t = _deeper_shifted(x, axis)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return t - np.log(np.sum(np.exp(t), axis=axis, keepdims=True))
    d = _dual(x)
    if d is None:
        return _sc.log_softmax(x, axis=axis)
    if _patterns(d):
        return d - np.log(np.sum(np.exp(d), axis=axis, keepdims=True))
    v = d.value
    ref = _sc.log_softmax(v, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = d - _shift(v, axis)
        out = t - np.log(np.sum(np.exp(t), axis=axis, keepdims=True))
    return _result(out, ref, lambda: np.sum(d, axis=axis, keepdims=True))


def _result(d, ref, moving):
    """d with SciPy's values ref, a Dual where SciPy returns a scalar."""
    scalar = np.ndim(ref) == 0
    ref = np.asarray(ref)
    if scalar:
        d = np.reshape(d, (1,))
        ref = ref.reshape(1)
    d = _with_values(d, ref, moving)
    return d[0] if scalar else d


def multigammaln(a, d):
    """multigammaln(a, d): SciPy's ``scipy.special.multigammaln``, the logarithm
    of the multivariate gamma function of dimension ``d`` (a positive integer),
    ``d (d - 1)/4 log(pi) + sum_{j < d} gammaln(a - j/2)``, differentiable in
    ``a`` (its derivative is ``sum_{j < d} psi(a - j/2)``). SciPy's errors: ``d``
    not an integer, or some ``a <= (d - 1)/2``."""
    x = a if type(a) is Dual else _dual(a)
    if x is None:
        return _sc.multigammaln(a, d)
    n = np.asarray(d)[()]
    if not np.isscalar(n) or np.floor(n) != n:
        raise ValueError("d should be a positive integer (dimension)")
    if not _patterns(x):
        v = np.asarray(_plain(a, None if type(a) is Dual else x) if type(a) is not Dual else a.value)
        if np.any(v <= 0.5 * (n - 1)):
            raise ValueError(f"condition a ({v}) > 0.5 * (d-1) ({0.5 * (n - 1)}) not met")
    total = x * 0.0
    for j in range(int(n)):  # summed in SciPy's order, then the constant added
        total = _sc.gammaln(x) if j == 0 else total + _sc.gammaln(x - j / 2.0)
    return (n * (n - 1) * 0.25) * np.log(np.pi) + total


def polygamma(n, x):
    """polygamma(n, x): SciPy's ``scipy.special.polygamma``, the ``n``-th
    derivative of the digamma function ``psi`` at ``x`` (``n`` plain integers,
    broadcast against ``x``). Its derivatives in ``x`` of every order are
    SciPy's values ``polygamma(n + k, x)``."""
    if type(n) is Dual or _dual(n) is not None:
        raise TypeError("polygamma is differentiated in x only: n must be plain integers")
    d = x if type(x) is Dual else _dual(x)
    if d is None:
        return _sc.polygamma(n, x)
    n = np.asarray(n)
    if _patterns(d):
        from dualdiff import _pattern
        return _pattern.parametric("polygamma", _sc.polygamma, (n, d))

    def derivs(params, v, K):
        return [_sc.polygamma(n + k, v) for k in range(K + 1)]
    return _parametric.call("polygamma", (n, d), derivs)
