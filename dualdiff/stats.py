"""dualdiff.stats: probability distributions whose densities differentiate.

SciPy's ``scipy.stats`` converts its arguments with ``np.asarray``, which
keeps no derivatives (on a dual array it raises). The distributions here have
SciPy's names, signatures, broadcasting and values, and are written with the
functions dualdiff differentiates (NumPy and ``scipy.special`` ufuncs, NumPy's
linear algebra), so a log-likelihood differentiates in every argument::

    import numpy as np
    import dualdiff
    import dualdiff.stats

    data = np.array([0.3, -1.2, 0.8, 2.1])

    def nll(p):                                  # p = (loc, log scale)
        return -np.sum(dualdiff.stats.norm.logpdf(data, p[0], np.exp(p[1])))

    dualdiff.grad(nll)([0.0, 0.0])

======================================  =============================================
``norm``                                pdf, logpdf, cdf, logcdf, sf, logsf, ppf (loc, scale)
``t``                                   pdf, logpdf, cdf, logcdf (df, loc, scale)
``chi2``                                pdf, logpdf, cdf (df, loc, scale)
``gamma``                               pdf, logpdf, cdf (a, loc, scale)
``beta``                                pdf, logpdf, cdf (a, b, loc, scale)
``poisson``                             pmf, logpmf, cdf (mu, loc)
``multivariate_normal``                 pdf, logpdf (mean, cov, allow_singular), entropy
``dirichlet``                           pdf, logpdf (alpha)
======================================  =============================================

Arguments are floats, ints, ndarrays, lists, Duals or dual arrays, in any mix;
plain arguments give SciPy's values (NumPy floats and arrays), dual arguments
Duals or dual arrays. Conventions:

- Outside the support the result is SciPy's constant (0, -inf, or 1 for a CDF
  above it), with derivative 0; at a finite edge of the support the formula
  is used, so the derivative is the one-sided one from inside.
- Invalid parameters (``scale <= 0``, a shape parameter out of range) and NaN
  arguments give NaN, with NaN derivatives along every direction in which an
  argument moves (0 along the others, as the NaN-safe rule says).
- The CDFs of ``t``, ``chi2``, ``gamma``, ``beta`` and ``poisson`` are
  ``scipy.special.betainc``, ``gammainc`` and ``gammaincc`` of their
  arguments, which dualdiff differentiates in ``x`` only (their last
  argument). So these CDFs are differentiable in ``x``, ``loc`` and
  ``scale`` (and ``poisson``'s in ``mu``); a dual shape parameter (``df``,
  ``a``, ``b``) raises ``TypeError``.
- ``poisson`` lives on the integers: its derivatives in ``k`` and ``loc`` are 0
  (as for ``floor``), those in ``mu`` exact.
- ``multivariate_normal`` reads the lower triangle of ``cov``, as SciPy does,
  so its derivatives in the upper triangle are 0. A singular ``cov``
  (``allow_singular=True``) must be plain numbers.
"""
import numbers
from typing import Any

import numpy as np

try:
    import scipy.special as _sc  # type: ignore[import-untyped]  # SciPy ships no type stubs
except ImportError as _exc:  # pragma: no cover - SciPy is optional for dualdiff itself
    raise ImportError("dualdiff.stats needs SciPy (pip install scipy)") from _exc

try:  # the density scipy.stats.beta uses (a private ufunc of SciPy's)
    from scipy.special._ufuncs import _beta_pdf  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - depends on SciPy's version
    _beta_pdf = None

from dualdiff._dual import Dual
from dualdiff._ndarray import DualArray
from dualdiff._ndarray import array as _dual_array

__all__ = ["norm", "t", "chi2", "gamma", "beta", "poisson", "multivariate_normal", "dirichlet"]

_DUAL = (Dual, DualArray)
_LOG_2PI = float(np.log(2 * np.pi))
_NORM_PDF_C = np.sqrt(2 * np.pi)
_NORM_PDF_LOGC = np.log(_NORM_PDF_C)
_LOG2 = np.log(2)


# ---- arguments and results -----------------------------------------------------------

def _arg(v):
    """A float64 ndarray, a Dual or a dual array (lists holding Duals become dual arrays)."""
    if isinstance(v, _DUAL):
        return v
    if isinstance(v, numbers.Real) and not isinstance(v, np.ndarray):
        return np.float64(v)
    if np.iscomplexobj(v):
        raise TypeError("dualdiff.stats takes real numbers")
    try:
        return np.asarray(v, dtype=np.float64)
    except TypeError:  # Duals inside a list or an object array
        return _dual_array(v)


def _value(v):
    """The values of v, without derivatives."""
    return v.value if isinstance(v, _DUAL) else v


def _out(r):
    """A 0-d result as a scalar (np.float64 or Dual), as SciPy returns ``output[()]``."""
    if isinstance(r, np.ndarray) and r.ndim == 0:
        return r[()]
    return r


def _nan(args):
    """NaN whose derivative is NaN along every direction in which an argument moves
    and 0 along the others (nan * t is 0 where the tangent t is 0: NaN-safe)."""
    out = np.nan
    for a in args:
        if isinstance(a, _DUAL):
            out = out + np.nan * a
    return out


def _select(body, keep, const, bad, args):
    """body (with its derivatives) where keep, the plain const elsewhere, and NaN
    (see _nan) where bad."""
    if not np.all(keep):
        body = np.where(keep, body, const)
    if np.any(bad):
        body = np.where(bad, _nan(args), body)
    return _out(body)


def _with_value(expr, exact):
    """expr's derivatives with the value ``exact`` (computed by SciPy on the plain
    values): adding a constant leaves every derivative as it is. For functions the
    rules table lacks (betaln, poch), written in ones it has."""
    if not isinstance(expr, _DUAL):
        return exact
    shift = exact - expr.value
    return expr + np.where(np.isfinite(shift), shift, 0.0)


def _betaln(a, b):
    if not isinstance(a, _DUAL) and not isinstance(b, _DUAL):
        return _sc.betaln(a, b)
    return _with_value(_sc.gammaln(a) + _sc.gammaln(b) - _sc.gammaln(a + b),
                       _sc.betaln(_value(a), _value(b)))


# log(Gamma(h + 1/2) / (Gamma(h) sqrt(h))) ~ sum over even n of
# (2^(1-n) - 2) B_n / (n (n - 1)) h^(1-n) (Stirling's series of log Gamma(h + a) - log Gamma(h));
# the terms to n = 14 are exact to rounding for h >= 10.
_HALF_RATIO = tuple((2.0 ** (1 - n) - 2.0) * bn / (n * (n - 1)) for n, bn in (
    (2, 1 / 6), (4, -1 / 30), (6, 1 / 42), (8, -1 / 30), (10, 5 / 66), (12, -691 / 2730), (14, 7 / 6)))


def _log_half_ratio(h):
    """log(Gamma(h + 1/2) / (Gamma(h) sqrt(h))) for h >= 10, by its series (about -1/(8h))."""
    inv = 1.0 / h
    inv2 = inv * inv
    out = _HALF_RATIO[-1]
    for c in reversed(_HALF_RATIO[:-1]):
        out = out * inv2 + c
    return out * inv


def _bind(names, defaults, args, kwds, where):
    """Positional and keyword arguments to values in the order of names (SciPy
    takes the shape parameters, loc and scale either way)."""
    if len(args) > len(names):
        raise TypeError(f"{where}() takes at most {len(names) + 1} positional arguments "
                        f"({len(args) + 1} given)")
    values = dict(zip(names, args))
    for k, v in kwds.items():
        if k not in names:
            raise TypeError(f"{where}() got an unexpected keyword argument {k!r}")
        if k in values:
            raise TypeError(f"{where}() got multiple values for argument {k!r}")
        values[k] = v
    out = []
    for n in names:
        if n in values:
            out.append(values[n])
        elif n in defaults:
            out.append(defaults[n])
        else:
            raise TypeError(f"{where}() missing required argument {n!r}")
    return out


# ---- continuous distributions with loc and scale -------------------------------------

class _Continuous:
    """A continuous distribution of ``(x - loc) / scale`` (SciPy's rv_continuous):
    subclasses give the standardized ``_logpdf``, ``_pdf``, ``_cdf``, ... of
    z and the shape parameters, ``_support`` and ``_argcheck``."""

    name = ""
    shapes: tuple[str, ...] = ()
    _support = (-np.inf, np.inf)

    def _argcheck(self, *shapes):
        good = True
        for s in shapes:
            good = good & (s > 0)
        return good

    def _eval(self, kind, x, args, kwds):
        *shapes, loc, scale = _bind(self.shapes + ("loc", "scale"), {"loc": 0.0, "scale": 1.0},
                                    args, kwds, f"{self.name}.{kind}")
        x, loc, scale = _arg(x), _arg(loc), _arg(scale)
        shapes = [_arg(s) for s in shapes]
        lo, hi = self._support
        with np.errstate(all="ignore"):
            z = (x - loc) / scale
            zv = _value(z)
            good = self._argcheck(*[_value(s) for s in shapes]) & (_value(scale) > 0)
            bad = np.logical_not(good) | np.isnan(zv)
            inside = good & (lo <= zv) & (zv <= hi)
            finite = inside & np.isfinite(zv)
            body = getattr(self, "_" + kind)(z, *shapes)
            if kind == "pdf":
                body = body / scale
            elif kind == "logpdf":
                body = body - np.log(scale)
            if kind in ("pdf", "logpdf"):
                # At an infinite z SciPy's value is the formula's, constant nearby.
                const = np.where(inside, _value(body), 0.0 if kind == "pdf" else -np.inf)
            else:
                # Outside the support, and at an infinite z, SciPy's constants; at a finite
                # edge the formula, which has the same value and the one-sided derivative.
                below = {"cdf": 0.0, "logcdf": -np.inf, "sf": 1.0, "logsf": 0.0}[kind]
                above = {"cdf": 1.0, "logcdf": 0.0, "sf": 0.0, "logsf": -np.inf}[kind]
                const = np.where(zv >= hi, above, below)
                # (where the formula's value there is SciPy's constant)
                edge = finite & ((zv == lo) | (zv == hi))
                if np.any(edge):
                    finite = finite & (np.logical_not(edge) | (_value(body) == const))
            return _select(body, finite, const, bad, (x, loc, scale, *shapes))

    def pdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """pdf(x, *shapes, loc=0, scale=1): the probability density at x, as SciPy's."""
        return self._eval("pdf", x, args, kwds)

    def logpdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """logpdf(x, *shapes, loc=0, scale=1): the log of the density at x, as SciPy's."""
        return self._eval("logpdf", x, args, kwds)

    def cdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """cdf(x, *shapes, loc=0, scale=1): the cumulative distribution function at x."""
        return self._eval("cdf", x, args, kwds)

    def _pdf(self, z, *shapes):
        return np.exp(self._logpdf(z, *shapes))

    def __repr__(self):
        return f"<dualdiff.stats.{self.name}>"


class _Norm(_Continuous):
    """The normal distribution: ``norm.pdf(x, loc=0, scale=1)`` and the other
    methods of ``scipy.stats.norm`` listed in the module's table."""

    name = "norm"

    def logcdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """logcdf(x, loc=0, scale=1): the log of the CDF, accurate far in the lower tail."""
        return self._eval("logcdf", x, args, kwds)

    def sf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """sf(x, loc=0, scale=1): the survival function 1 - cdf(x)."""
        return self._eval("sf", x, args, kwds)

    def logsf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """logsf(x, loc=0, scale=1): the log of the survival function."""
        return self._eval("logsf", x, args, kwds)

    def ppf(self, q: Any, *args: Any, **kwds: Any) -> Any:
        """ppf(q, loc=0, scale=1): the quantile of probability q (the inverse of cdf).

        At q = 0 and 1 the value is -inf and +inf and the derivatives are the limits
        from inside; outside [0, 1] NaN."""
        loc, scale = _bind(("loc", "scale"), {"loc": 0.0, "scale": 1.0}, args, kwds, "norm.ppf")
        q, loc, scale = _arg(q), _arg(loc), _arg(scale)
        qv, lv = _value(q), _value(loc)
        with np.errstate(all="ignore"):
            good = (_value(scale) > 0) & (lv == lv)
            keep = good & (0 <= qv) & (qv <= 1)
            body = _sc.ndtri(q) * scale + loc
            return _select(body, keep, np.nan, np.logical_not(keep), (q, loc, scale))

    def _pdf(self, z):
        return np.exp(-z ** 2 / 2.0) / _NORM_PDF_C

    def _logpdf(self, z):
        return -z ** 2 / 2.0 - _NORM_PDF_LOGC

    def _cdf(self, z):
        return _sc.ndtr(z)

    def _logcdf(self, z):
        return _sc.log_ndtr(z)

    def _sf(self, z):
        return _sc.ndtr(-z)

    def _logsf(self, z):
        return _sc.log_ndtr(-z)


class _T(_Continuous):
    """Student's t distribution: ``t.pdf(x, df, loc=0, scale=1)``, logpdf, cdf, logcdf."""

    name = "t"
    shapes = ("df",)

    def logcdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """logcdf(x, df, loc=0, scale=1): the log of the CDF."""
        return self._eval("logcdf", x, args, kwds)

    def _t_logpdf(self, z, df):
        if not isinstance(z, _DUAL) and not isinstance(df, _DUAL):  # SciPy's formula
            return (np.log(_sc.poch(0.5 * df, 0.5)) - 0.5 * (np.log(df) + np.log(np.pi))
                    - (df + 1) / 2 * np.log1p(z * z / df))
        # The same function in forms whose derivatives keep their digits (SciPy's
        # value): log poch(h, 1/2) - log(2h pi)/2 with h = df/2 is
        # gammaln(h + 1/2) - gammaln(h) - log(2h pi)/2, and for large h, where that
        # difference cancels, -log(2 pi)/2 plus the series of _log_half_ratio.
        exact = self._t_logpdf(_value(z), _value(df))
        h = 0.5 * df
        const = _sc.gammaln(h + 0.5) - _sc.gammaln(h) - 0.5 * (np.log(df) + np.log(np.pi))
        large = _value(h) >= 10
        if np.any(large):
            const = np.where(large, _log_half_ratio(h) - 0.5 * _LOG_2PI, const)
        return _with_value(const - (df + 1) / 2 * np.log1p(z * z / df), exact)

    def _logpdf(self, z, df):
        body = self._t_logpdf(z, df)
        limit = _value(df) == np.inf
        return np.where(limit, norm._logpdf(z), body) if np.any(limit) else body

    def _pdf(self, z, df):
        body = np.exp(self._t_logpdf(z, df))
        limit = _value(df) == np.inf
        return np.where(limit, norm._pdf(z), body) if np.any(limit) else body

    def _cdf(self, z, df):
        # The value is SciPy's stdtr; the derivatives are those of
        # F(z) = 1/2 + sign(z)/2 I_{z^2/(df+z^2)}(1/2, df/2) near the center and of
        # I_{df/(df+z^2)}(df/2, 1/2)/2 from the nearer tail (each where its argument
        # is below 1/2, so that the derivative of I is accurate). At z = 0 both have
        # the form inf * 0 (z^2 has derivative 0 where I has an infinite one), so for
        # |z| < 1e-50 F is 1/2 + pdf(0) z, exact to rounding there.
        exact = _sc.stdtr(_value(df), _value(z))
        if not isinstance(z, _DUAL) and not isinstance(df, _DUAL):
            return exact
        zv = _value(z)
        u = z * z
        w = df + u
        center = 0.5 + 0.5 * np.sign(zv) * _sc.betainc(0.5, 0.5 * df, u / w)
        tail = 0.5 * _sc.betainc(0.5 * df, 0.5, df / w)
        tail = np.where(zv < 0, tail, 1.0 - tail)
        out = np.where(_value(u) < _value(df), center, tail)
        tiny = np.abs(zv) < 1e-50
        if np.any(tiny):
            out = np.where(tiny, 0.5 + np.exp(self._t_logpdf(0.0 * z, df)) * z, out)
        return _with_value(out, exact)

    def _logcdf(self, z, df):
        # As SciPy: log(cdf) below the median 0, log1p(-sf) above it.
        lower = _value(z) < 0
        if np.all(lower):
            return np.log(self._cdf(z, df))
        upper = np.log1p(-self._cdf(-z, df))
        return np.where(lower, np.log(self._cdf(z, df)), upper) if np.any(lower) else upper


class _Chi2(_Continuous):
    """The chi-squared distribution: ``chi2.pdf(x, df, loc=0, scale=1)``, logpdf, cdf."""

    name = "chi2"
    shapes = ("df",)
    _support = (0.0, np.inf)

    def _logpdf(self, z, df):
        return _sc.xlogy(df / 2. - 1, z) - z / 2. - _sc.gammaln(df / 2.) - (_LOG2 * df) / 2.

    def _cdf(self, z, df):
        return _sc.gammainc(df / 2., z / 2.)


class _Gamma(_Continuous):
    """The gamma distribution: ``gamma.pdf(x, a, loc=0, scale=1)``, logpdf, cdf."""

    name = "gamma"
    shapes = ("a",)
    _support = (0.0, np.inf)

    def _logpdf(self, z, a):
        return _sc.xlogy(a - 1.0, z) - z - _sc.gammaln(a)

    def _cdf(self, z, a):
        return _sc.gammainc(a, z)


class _Beta(_Continuous):
    """The beta distribution: ``beta.pdf(x, a, b, loc=0, scale=1)``, logpdf, cdf."""

    name = "beta"
    shapes = ("a", "b")
    _support = (0.0, 1.0)

    def _logpdf(self, z, a, b):
        return _sc.xlog1py(b - 1.0, -z) + _sc.xlogy(a - 1.0, z) - _betaln(a, b)

    def _pdf(self, z, a, b):
        # SciPy's value comes from Boost's beta density (more accurate than the
        # exponential of logpdf); the derivatives from exp(logpdf).
        if _beta_pdf is None:
            return np.exp(self._logpdf(z, a, b))
        exact = _beta_pdf(_value(z), _value(a), _value(b))
        if not any(isinstance(v, _DUAL) for v in (z, a, b)):
            return exact
        return _with_value(np.exp(self._logpdf(z, a, b)), exact)

    def _cdf(self, z, a, b):
        return _sc.betainc(a, b, z)


# ---- the Poisson distribution ----------------------------------------------------------

class _Poisson:
    """The Poisson distribution: ``poisson.pmf(k, mu, loc=0)``, logpmf, cdf.

    The pmf lives on the integers: its derivatives in k and loc are 0 (as for
    ``floor``); those in mu are exact."""

    name = "poisson"

    def _eval(self, kind, k, args, kwds):
        mu, loc = _bind(("mu", "loc"), {"loc": 0.0}, args, kwds, f"poisson.{kind}")
        k, mu, loc = _arg(k), _arg(mu), _arg(loc)
        kv = _value(k) - _value(loc)
        with np.errstate(all="ignore"):
            good = _value(mu) >= 0
            bad = np.logical_not(good) | np.isnan(kv)
            if kind == "cdf":
                keep = good & (kv >= 0) & np.isfinite(kv)
                body = _sc.gammaincc(np.floor(kv) + 1, mu)
                const = np.where(kv >= np.inf, 1.0, 0.0)
            else:
                keep = good & (kv >= 0) & (np.floor(kv) == kv)
                body = _sc.xlogy(kv, mu) - _sc.gammaln(kv + 1) - mu
                if kind == "pmf":
                    body = np.exp(body)
                const = 0.0 if kind == "pmf" else -np.inf
            return _select(body, keep, const, bad, (k, mu, loc))

    def pmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """pmf(k, mu, loc=0): the probability of k (0 where k - loc is not an integer)."""
        return self._eval("pmf", k, args, kwds)

    def logpmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """logpmf(k, mu, loc=0): the log of the probability of k."""
        return self._eval("logpmf", k, args, kwds)

    def cdf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """cdf(k, mu, loc=0): the probability of at most floor(k - loc): gammaincc(floor(k - loc) + 1, mu)."""
        return self._eval("cdf", k, args, kwds)

    def __repr__(self):
        return "<dualdiff.stats.poisson>"


# ---- the multivariate normal distribution ----------------------------------------------

def _array(v):
    """_arg, with a scalar Dual as a 0-d dual array (so that it reshapes)."""
    v = _arg(v)
    if isinstance(v, Dual):
        return _dual_array(v)
    return v if isinstance(v, DualArray) else np.asarray(v)


def _squeeze(out):
    """SciPy's _squeeze_output: no axes of length 1, a 0-d result as a scalar."""
    return _out(np.squeeze(out)) if isinstance(out, np.ndarray) else out


class _Factor:
    """What the densities need of a covariance matrix: its rank, the log of its
    pseudo-determinant, and whiten(dev) with |whiten(dev)|^2 = dev' cov^+ dev.

    Like SciPy, it reads the lower triangle of cov, and decides the rank from
    the eigenvalues (those below 1e6 eps times the largest are 0). Plain
    matrices take SciPy's route (an eigendecomposition, so values agree with
    SciPy's); dual ones a Cholesky factor, whose derivatives need no gap between
    eigenvalues (cov = I is fine)."""

    def __init__(self, cov, allow_singular):
        from scipy.linalg import eigh  # type: ignore[import-untyped]  # SciPy ships no type stubs

        values = _value(cov)
        s, u = eigh(values, lower=True, check_finite=True)
        eps = 1e6 * np.finfo(np.float64).eps * np.max(np.abs(s))
        if np.min(s) < -eps:
            raise ValueError("The input matrix must be symmetric positive semidefinite.")
        self.rank = int(np.sum(s > eps))
        self.dim = len(s)
        if self.rank < self.dim and not allow_singular:
            raise np.linalg.LinAlgError("When `allow_singular is False`, the input matrix must be "
                                        "symmetric positive definite.")
        self.eps = 1e3 * eps
        self.V = u[:, s <= eps]
        if not isinstance(cov, DualArray):
            d = s[s > eps]
            s_pinv = np.array([0.0 if abs(x) <= eps else 1.0 / x for x in s], dtype=float)
            self.U = np.multiply(u, np.sqrt(s_pinv))
            self.log_pdet = np.sum(np.log(d))
            self.L = None
            return
        if self.rank < self.dim:
            raise NotImplementedError("dualdiff.stats.multivariate_normal: derivatives with respect to "
                                      "a singular covariance matrix are not supported (the pseudo-"
                                      "determinant has none where the rank can change); pass cov as "
                                      "plain numbers")
        sym = np.tril(cov) + np.swapaxes(np.tril(cov, -1), -1, -2)
        self.L = np.linalg.cholesky(sym)
        self.log_pdet = 2.0 * np.sum(np.log(np.diagonal(self.L)))

    def whiten(self, dev):
        if self.L is None:
            return dev @ self.U
        flat = np.reshape(dev, (-1, self.dim))
        return np.reshape(np.swapaxes(np.linalg.solve(self.L, np.swapaxes(flat, 0, 1)), 0, 1), dev.shape)

    def outside(self, dev):
        """Where dev leaves the support (a singular cov), as SciPy decides it."""
        if self.rank == self.dim:
            return None
        return np.logical_not(np.linalg.norm(_value(dev) @ self.V, axis=-1) < self.eps)


def _mvn_parameters(mean, cov):
    """SciPy's checks and shapes of mean and cov (dim, mean, cov), keeping derivatives."""
    cov = _array(1.0 if cov is None else cov)
    if mean is None:
        dim = 1 if cov.ndim < 2 else cov.shape[0]
        mean = np.zeros(dim)
    else:
        mean = _array(mean)
        dim = mean.size
    if dim == 1:
        mean = np.reshape(mean, (1,))
        cov = np.reshape(cov, (1, 1))
    if mean.ndim != 1 or mean.shape[0] != dim:
        raise ValueError(f"Array 'mean' must be a vector of length {dim}.")
    if cov.ndim == 0:
        cov = cov * np.eye(dim)
    elif cov.ndim == 1:
        cov = np.diag(cov)
    elif cov.ndim == 2 and cov.shape != (dim, dim):
        rows, cols = cov.shape
        if rows != cols:
            raise ValueError("Array 'cov' must be square if it is two dimensional,"
                             f" but cov.shape = {str(cov.shape)}.")
        raise ValueError(f"Dimension mismatch: array 'cov' is of shape {cov.shape}, "
                         f"but 'mean' is a vector of length {len(mean)}.")
    elif cov.ndim > 2:
        raise ValueError(f"Array 'cov' must be at most two-dimensional, but cov.ndim = {cov.ndim}")
    return dim, mean, cov


class _MultivariateNormal:
    """The multivariate normal distribution: ``multivariate_normal.logpdf(x,
    mean=None, cov=1, allow_singular=False)``, pdf, entropy.

    The last axis of x holds the components. Derivatives in x, mean and cov; cov
    is read from its lower triangle (as SciPy does), so the derivatives in its
    upper triangle are 0. A singular cov (``allow_singular=True``) must be plain
    numbers."""

    def _logpdf(self, x, mean, cov, allow_singular):
        dim, mean, cov = _mvn_parameters(mean, cov)
        factor = _Factor(cov, allow_singular)
        x = _array(x)
        if x.ndim == 0:
            x = np.reshape(x, (1,))
        if x.ndim == 1:
            x = np.reshape(x, (-1, 1) if dim == 1 else (1, -1))
        dev = x - mean
        maha = np.sum(np.square(factor.whiten(dev)), axis=-1)
        out = -0.5 * (factor.rank * _LOG_2PI + factor.log_pdet + maha)
        return out, factor.outside(dev)

    def logpdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        """logpdf(x, mean=None, cov=1, allow_singular=False): the log of the density at x."""
        out, outside = self._logpdf(x, mean, cov, allow_singular)
        if outside is not None and np.any(outside):
            out = np.where(outside, -np.inf, out)
        return _squeeze(out)

    def pdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        """pdf(x, mean=None, cov=1, allow_singular=False): the density at x."""
        out, outside = self._logpdf(x, mean, cov, allow_singular)
        out = np.exp(out)
        if outside is not None and np.any(outside):
            out = np.where(outside, 0.0, out)
        return _squeeze(out)

    def entropy(self, mean: Any = None, cov: Any = 1) -> Any:
        """entropy(mean=None, cov=1): the differential entropy (a singular cov is allowed)."""
        dim, mean, cov = _mvn_parameters(mean, cov)
        factor = _Factor(cov, True)
        return _out(0.5 * (factor.rank * (_LOG_2PI + 1) + factor.log_pdet))

    def __repr__(self):
        return "<dualdiff.stats.multivariate_normal>"


# ---- the Dirichlet distribution --------------------------------------------------------

class _Dirichlet:
    """The Dirichlet distribution: ``dirichlet.logpdf(x, alpha)``, pdf.

    As in SciPy, x holds the components along its first axis, and may leave out
    the last one (then 1 - the sum of the others). Bad input raises SciPy's
    ValueError."""

    def _logpdf(self, x, alpha):
        alpha = _array(alpha)
        av = _value(alpha)
        if np.min(av) <= 0:
            raise ValueError("All parameters must be greater than 0")
        elif av.ndim != 1:
            raise ValueError("Parameter vector 'a' must be one dimensional, "
                             f"but a.shape = {av.shape}.")
        x = _array(x)
        if x.shape[0] + 1 != av.shape[0] and x.shape[0] != av.shape[0]:
            raise ValueError("Vector 'x' must have either the same number "
                             "of entries as, or one entry fewer than, "
                             f"parameter vector 'a', but alpha.shape = {av.shape} "
                             f"and x.shape = {x.shape}.")
        if x.shape[0] != av.shape[0]:
            if x.ndim > 2:
                raise ValueError("The input must be one dimensional or a two "
                                 "dimensional matrix containing the entries.")
            last = 1 - np.sum(x, 0)
            x = np.concatenate([x, np.reshape(last, (1,) + x.shape[1:])])
        xv = _value(x)
        if np.min(xv) < 0:
            raise ValueError("Each entry in 'x' must be greater than or equal to zero.")
        if np.max(xv) > 1:
            raise ValueError("Each entry in 'x' must be smaller or equal one.")
        alphalt1 = av < 1
        if xv.shape != av.shape:
            alphalt1 = np.repeat(alphalt1, xv.shape[-1], axis=-1).reshape(xv.shape)
        if np.sum(np.logical_and(xv == 0, alphalt1)):
            raise ValueError("Each entry in 'x' must be greater than zero if its "
                             "alpha is less than one.")
        if (np.abs(np.sum(xv, 0) - 1.0) > 10e-10).any():
            raise ValueError("The input vector 'x' must lie within the normal "
                             f"simplex. but np.sum(x, 0) = {np.sum(xv, 0)}.")
        lnB = np.sum(_sc.gammaln(alpha)) - _sc.gammaln(np.sum(alpha))
        return -lnB + np.sum(_sc.xlogy(alpha - 1, x.T).T, 0)

    def logpdf(self, x: Any, alpha: Any) -> Any:
        """logpdf(x, alpha): the log of the density at x (components along x's first axis)."""
        return _squeeze(self._logpdf(x, alpha))

    def pdf(self, x: Any, alpha: Any) -> Any:
        """pdf(x, alpha): the density at x (components along x's first axis)."""
        return _squeeze(np.exp(self._logpdf(x, alpha)))

    def __repr__(self):
        return "<dualdiff.stats.dirichlet>"


norm = _Norm()
t = _T()
chi2 = _Chi2()
gamma = _Gamma()
beta = _Beta()
poisson = _Poisson()
multivariate_normal = _MultivariateNormal()
dirichlet = _Dirichlet()
