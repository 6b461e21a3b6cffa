"""dualdiff.linalg: SciPy's linear-algebra routines for dual arrays.

``scipy.linalg`` converts its arguments with ``np.asarray``, which keeps only
the placeholders of a dual array, so its routines refuse dual arrays. The
functions here have SciPy's names, signatures, values and errors::

    import numpy as np
    import dualdiff
    from dualdiff.linalg import expm

    dualdiff.derivative(lambda t: expm(t * np.array([[0.0, 1.0], [-1.0, 0.0]])))(0.5)

=======================================================  ==========================================
``solve_triangular(a, b, trans, lower, unit_diagonal)``  ``x`` with ``a x = b``, ``a`` triangular
``solve_banded((l, u), ab, b)``                          ``x`` with ``a x = b``, ``a`` banded
``cho_factor(a, lower)``, ``cho_solve((c, lower), b)``   Cholesky factor, and solving with it
``solve_sylvester(a, b, q)``                             ``x`` with ``a x + x b = q``
``expm(A)``                                              the matrix exponential
``sqrtm(A)``                                             the principal square root (real ones)
=======================================================  ==========================================

Without a dual argument each function is SciPy's own. With one (a dual
array, or a list holding Duals), the values are SciPy's values of the plain
values, and the derivatives (first and second order, and nested transforms;
not ``taylor``, as for ``np.linalg``) are those of an expression of NumPy
functions that dual arrays support and that has the same value:

- the solvers: ``np.linalg.solve`` with the matrix rebuilt from the entries
  SciPy reads (the triangle, the band), so the entries SciPy ignores have
  derivative 0;
- ``solve_sylvester``: the Kronecker form ``(I (x) a + b^T (x) I) vec(x) =
  vec(q)``, a system of size ``n m`` (its cost grows as ``(n m)^3``);
- ``expm``: the degree-13 Pade approximant with scaling and squaring that
  SciPy evaluates (Higham's), whose derivative is the exponential's to
  rounding (the derivative of ``expm`` is its Frechet derivative);
- ``sqrtm``: Newton's iteration ``s <- s + L_s^-1 (A - s s)`` from SciPy's
  value, ``L_s x = s x + x s`` (the Sylvester equation of the derivative):
  one step for first-order numbers, two for second-order ones (each step
  doubles the order that is exact). Where the principal square root is
  complex (a negative eigenvalue), the transforms run ``f`` again on complex
  dual numbers, and the derivatives solve the Sylvester equations
  ``s ds + ds s = dA`` (and its second-order twin) with SciPy's solver.

Arguments are not checked for symmetry or structure beyond what SciPy checks.
"""
import math

import numpy as np

try:
    import scipy.linalg as _sl  # type: ignore[import-untyped]  # SciPy ships no type stubs
except ImportError as _exc:  # pragma: no cover - SciPy is optional for dualdiff itself
    raise ImportError("dualdiff.linalg needs SciPy (pip install scipy)") from _exc

from dualdiff import _ndarray as _nd
from dualdiff import _complex
from dualdiff._complex import ComplexDual

__all__ = ["solve_triangular", "solve_banded", "cho_factor", "cho_solve", "solve_sylvester",
           "expm", "sqrtm"]


# ---- arguments and results -----------------------------------------------------------

def _dual(x):
    return _nd.scipy_argument(x, "dualdiff.linalg")


def _duals(*xs):
    """(the arguments as dual arrays or plain values, whether any is dual)."""
    ds = [_dual(x) for x in xs]
    return [x if d is None else d for x, d in zip(xs, ds)], any(d is not None for d in ds)


def _values(x):
    if isinstance(x, _nd.DualArray):
        return np.array(x.value)
    if isinstance(x, _nd._PATTERN_TYPES):
        from dualdiff import _pattern
        return np.array(_pattern._values(x))
    return x


def _exact(d, ref):
    """d (a dual array, fresh) with SciPy's values ref; pattern arrays as they are."""
    if not isinstance(d, _nd.DualArray):
        return d
    _nd._live(d)[..., 0] = ref
    return d


def _mat(x):
    """x as an array NumPy's functions take (dual or plain)."""
    return x if isinstance(x, (_nd.DualArray,) + _nd._PATTERN_TYPES) else np.asarray(x, dtype=np.float64)


# ---- the solvers -----------------------------------------------------------------------

def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False): SciPy's
    ``scipy.linalg.solve_triangular``, ``x`` with ``a x = b`` (``trans`` 1 or
    "T": ``a^T x = b``) for ``a`` triangular. Only the triangle SciPy reads (and
    not the diagonal with ``unit_diagonal``) has derivatives."""
    (a, b), dual = _duals(a, b)
    ref = _sl.solve_triangular(_values(a), _values(b), trans=trans, lower=lower,
                               unit_diagonal=unit_diagonal, check_finite=check_finite)
    if not dual:
        return ref
    t = _triangle(_mat(a), lower, unit_diagonal)
    if trans in (1, 2, "T", "C"):
        t = t.T
    return _exact(np.linalg.solve(t, _mat(b)), ref)


def _triangle(a, lower, unit_diagonal=False):
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        n = a.shape[-1]
        t = np.where(np.eye(n, dtype=bool), 1.0, t)
    return t


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """solve_banded((l, u), ab, b): SciPy's ``scipy.linalg.solve_banded``, ``x``
    with ``a x = b`` for the banded matrix ``a`` stored in ``ab``
    (``a[i, j] = ab[u + i - j, j]``). The entries of ``ab`` outside the band
    have derivative 0, as SciPy ignores them."""
    (ab, b), dual = _duals(ab, b)
    ref = _sl.solve_banded(l_and_u, _values(ab), _values(b), check_finite=check_finite)
    if not dual:
        return ref
    low, up = l_and_u
    ab = _mat(ab)
    n = ab.shape[-1]
    i, j = np.indices((n, n))
    row = up + i - j
    inside = (row >= 0) & (row <= low + up)
    a = np.where(inside, ab[np.clip(row, 0, low + up), j], 0.0)
    return _exact(np.linalg.solve(a, _mat(b)), ref)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """cho_factor(a, lower=False): SciPy's ``scipy.linalg.cho_factor``, ``(c,
    lower)`` with the Cholesky factor of ``a`` in the triangle of ``c`` that
    ``lower`` names (from the same triangle of ``a``). As in SciPy, the other
    triangle of ``c`` holds ``a``'s entries there."""
    (a,), dual = _duals(a)
    ref, low = _sl.cho_factor(_values(a), lower=lower, check_finite=check_finite)
    if not dual:
        return ref, low
    a = _mat(a)
    t = _triangle(a, lower)
    off = np.tril(a, -1) if lower else np.triu(a, 1)
    factor = np.linalg.cholesky(t + off.T if lower else t.T + off)  # lower: a = L L^T
    c = np.where(np.tri(a.shape[-1], dtype=bool) if lower else ~np.tri(a.shape[-1], k=-1, dtype=bool),
                 factor if lower else factor.T, a)
    return _exact(c, ref), low


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """cho_solve((c, lower), b): SciPy's ``scipy.linalg.cho_solve``, ``x`` with
    ``a x = b`` for ``a`` given by its Cholesky factor, the triangle of ``c``
    (from ``cho_factor``)."""
    c, lower = c_and_lower
    (c, b), dual = _duals(c, b)
    ref = _sl.cho_solve((_values(c), lower), _values(b), check_finite=check_finite)
    if not dual:
        return ref
    f = _triangle(_mat(c), lower)
    a = f @ f.T if lower else f.T @ f
    return _exact(np.linalg.solve(a, _mat(b)), ref)


def solve_sylvester(a, b, q):
    """solve_sylvester(a, b, q): SciPy's ``scipy.linalg.solve_sylvester``, ``x``
    with ``a x + x b = q`` (``a`` n-by-n, ``b`` m-by-m). The derivatives come
    from the Kronecker form, a system of size ``n m``."""
    (a, b, q), dual = _duals(a, b, q)
    ref = _sl.solve_sylvester(_values(a), _values(b), _values(q))
    if not dual:
        return ref
    return _exact(_sylvester(_mat(a), _mat(b), _mat(q)), ref)


def _sylvester(a, b, q):
    n, m = a.shape[-1], b.shape[-1]
    k = np.kron(np.eye(m), a) + np.kron(b.T, np.eye(n))
    # column-major vec: vec(a x) = (I (x) a) vec(x), vec(x b) = (b^T (x) I) vec(x)
    x = np.linalg.solve(k, q.T.reshape(n * m))
    return x.reshape(m, n).T


# ---- matrix functions --------------------------------------------------------------------

# Higham's degree-13 Pade approximant of exp and its largest scaled 1-norm
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def expm(A):
    """expm(A): SciPy's ``scipy.linalg.expm``, the matrix exponential of a
    square matrix (or a stack of them, over the last two axes). Its derivatives
    are those of the degree-13 Pade approximant with scaling and squaring."""
    (A,), dual = _duals(A)
    ref = _sl.expm(_values(A))
    if not dual:
        return ref
    A = _mat(A)
    n = A.shape[-1]
    norm = np.max(np.sum(np.abs(_values(A)), axis=-2))
    s = max(0, math.ceil(math.log2(norm / _THETA13))) if norm > 0 and np.isfinite(norm) else 0
    A = A * (0.5 ** s)
    eye = np.eye(n)
    b = _PADE13
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * eye)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * eye
    R = np.linalg.solve(V - U, V + U)
    for _ in range(s):
        R = R @ R
    return _exact(R, ref)


def sqrtm(A, disp=True, blocksize=64):
    """sqrtm(A): SciPy's ``scipy.linalg.sqrtm``, the principal square root of a
    square matrix. For a real root the derivatives come from Newton's iteration
    for ``s s = A`` started at SciPy's value; for a complex one (a negative
    eigenvalue) the transforms return complex derivatives, from the Sylvester
    equation ``s ds + ds s = dA``."""
    if isinstance(A, ComplexDual):
        return _sqrtm_complex(A)
    (A,), dual = _duals(A)
    if not dual:
        return _sl.sqrtm(A) if (disp is True and blocksize == 64) else _sl.sqrtm(A, disp, blocksize)
    ref = _sl.sqrtm(_values(A))
    if np.iscomplexobj(ref):
        if np.any(np.imag(ref) != 0):
            # the transforms run f again on complex dual numbers (_sqrtm_complex)
            raise TypeError("sqrtm: the square root of this matrix is complex (it has a negative "
                            "eigenvalue); its derivatives are complex dual numbers, which the "
                            "transforms (jvp, jacobian, hessian, ...) compute")
        ref = np.real(ref)
    A = _mat(A)
    s = ref
    for _ in range(_order(A)):  # exact to order 1, then 3: each step doubles the order
        s = s + _sylvester(_mat(s), _mat(s), A - s @ s)
    return _exact(s, ref)


def _sqrtm_complex(A):
    """sqrtm of complex dual numbers: the derivatives solve the Sylvester
    equations s ds + ds s = dA and s d2s + d2s s = d2A - ds_k ds_l - ds_l ds_k."""
    s = _sl.sqrtm(A.value)
    T = np.asarray(A.tangent)
    ds = np.stack([_sl.solve_sylvester(s, s, T[k]) for k in range(T.shape[0])])
    h = None
    if A.hessian is not None:
        H = np.asarray(A.hessian)
        n = T.shape[0]
        h = np.empty((n, n) + s.shape, dtype=np.result_type(s, H, ds))
        for k in range(n):
            for m in range(k, n):
                h[k, m] = h[m, k] = _sl.solve_sylvester(s, s, H[k, m] - ds[k] @ ds[m] - ds[m] @ ds[k])
    return _complex._make(s, ds, h, A)


def _order(d):
    """The order of derivatives d carries (1 for the patterns of sparsity detection)."""
    spec = getattr(d, "_spec", None)
    return 1 if spec is None else spec.order
