"""The C rules of SciPy's special functions against SciPy and mpmath.

For every rule of the table that stands for a function of ``scipy.special``
(expit, logit, log_expit, erf, erfc, erfcx, erfinv, erfcinv, ndtr, log_ndtr,
ndtri, gamma, gammaln = lgamma, rgamma, gammasgn, digamma = psi, entr, the
Bessel functions j0, j1, y0, y1, i0, i0e, i1, i1e; xlogy, xlog1py, rel_entr,
beta, betaln), at
fixed edge points (the tails and the singular points) and at random points
(seed in pytest's header):

* values: within 2 ulp of ``scipy.special``. Where SciPy itself is further than
  that from the true value (mpmath at 50 digits or more), the rule's value must
  instead be within 2 ulp of the true value: SciPy is a few ulp off in places
  (ndtr, erfcx near 0, gamma, psi) and hundreds to billions in some tails
  (erfcx for x < -20, log_ndtr for x > 8, ndtr below -37 where it is
  subnormal), which a rule should not copy.
* first and second derivatives: within 1e-13 relative of closed forms
  evaluated by mpmath (with precision raised where the closed form cancels),
  away from the derivatives' zeros: the error is measured against
  max(|reference|, floor), with a floor where the computed derivative is
  itself a difference of larger terms (digamma's and its reflection).
* the conventions at the singular points, exactly.
* the array kernels (the per-rule first-order loops and the second-order
  chain rule) give the rule's own numbers.

Rules are evaluated with ``dualdiff._dual._rule``; none needs a Python name.
"""
import math
import os
import sys

import mpmath as mp
import numpy as np
import pytest

sc = pytest.importorskip("scipy.special")

from dualdiff import _array as _k  # noqa: E402
from dualdiff._dual import _rule, _rules  # noqa: E402

mp.mp.dps = 50
INF, NAN = math.inf, math.nan
TOL = 1e-13      # derivatives, relative
EPS = sys.float_info.epsilon
ULPS = 2         # values
N_RANDOM = int(os.environ.get("DUALDIFF_SPECIAL_POINTS", "60"))  # random points per domain
TINY = 1e-300    # references below this (or above 1/TINY) may underflow (overflow) in double


# --------------------------------------------------------------- measures

def ulp_dist(a, b):
    """Number of doubles between a and b (0 for equal numbers, NaN for NaN)."""
    if math.isnan(a) and math.isnan(b) or a == b:
        return 0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf

    def key(v):
        i = int(np.array(v, dtype=np.float64).view(np.int64))
        return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)

    return abs(key(a) - key(b))


def ulp_err(a, ref):
    """|a - ref| in ulps of the double nearest ref (ref an mpf)."""
    r = float(ref)
    if mp.isnan(ref):
        return 0.0 if math.isnan(a) else math.inf
    if math.isinf(r):
        return 0.0 if a == r else math.inf
    return float(abs(mp.mpf(a) - ref) / max(np.spacing(abs(r)), 5e-324))


def rel_err(a, ref, floor=0.0):
    r = float(ref)
    if math.isinf(r) or abs(r) > 1 / TINY:  # overflows in double: must overflow or be huge
        return 0.0 if a == r or abs(a) > 1e300 and math.copysign(1, a) == math.copysign(1, r) else math.inf
    if abs(r) < TINY and abs(a) < TINY and floor == 0.0:  # underflow
        return 0.0
    return float(abs(mp.mpf(a) - ref) / max(abs(ref), floor))


# ------------------------------------------------------------- references
# Each returns (f, f', f'') as mpf (binary: f, fx, fy, fxx, fxy, fyy).

def _digits(*xs):
    """Working digits for closed forms that cancel like x^4 (erfcx'') or tails."""
    m = max([abs(float(x)) for x in xs] + [1.0])
    return 60 + int(4 * math.log10(m + 1.0))


def ref_expit(x):
    x = mp.mpf(x)
    y, z = 1 / (1 + mp.exp(-x)), 1 / (1 + mp.exp(x))
    return y, y * z, y * z * (z - y)


def ref_logit(p):
    p = mp.mpf(p)
    return mp.log(p / (1 - p)), 1 / (p * (1 - p)), (2 * p - 1) / (p * (1 - p)) ** 2


def ref_log_expit(x):
    x = mp.mpf(x)
    y, z = 1 / (1 + mp.exp(-x)), 1 / (1 + mp.exp(x))
    return -mp.log1p(mp.exp(-x)), z, -y * z


def ref_erf(x):
    x = mp.mpf(x)
    d = 2 / mp.sqrt(mp.pi) * mp.exp(-x * x)
    return mp.erf(x), d, -2 * x * d


def ref_erfc(x):
    x = mp.mpf(x)
    d = -2 / mp.sqrt(mp.pi) * mp.exp(-x * x)
    return mp.erfc(x), d, -2 * x * d


def ref_erfcx(x):
    """erfcx(x) = exp(x^2) erfc(x), which mpmath lacks; its asymptotic series
    past x = 1e4 (where mpmath's erfc gives up), ten terms: 1e-80 there."""
    x = mp.mpf(x)
    if x > 1e4:
        y = y1 = y2 = mp.mpf(0)
        c = mp.mpf(1)  # (2n-1)!! / 2^n
        for n in range(12):
            s = (-1) ** n * c
            y += s / x ** (2 * n + 1)
            y1 -= s * (2 * n + 1) / x ** (2 * n + 2)
            y2 += s * (2 * n + 1) * (2 * n + 2) / x ** (2 * n + 3)
            c *= mp.mpf(2 * n + 1) / 2
        k = 1 / mp.sqrt(mp.pi)
        return y * k, y1 * k, y2 * k
    with mp.workdps(_digits(x)):
        y = mp.exp(x * x) * mp.erfc(x)
        y1 = 2 * x * y - 2 / mp.sqrt(mp.pi)
        return +y, +y1, 2 * y + 2 * x * y1


def ref_erfinv(y):
    y = mp.mpf(y)
    with mp.workdps(60 + int(-mp.log10(1 - abs(y)))):
        u = mp.erfinv(y)
        d = mp.sqrt(mp.pi) / 2 * mp.exp(u * u)
        return +u, +d, 2 * u * d * d


def ref_ndtr(x):
    x = mp.mpf(x)
    with mp.workdps(_digits(x)):
        f = mp.npdf(x)
        return mp.ncdf(x), +f, -x * f


def ref_log_ndtr(x):
    x = mp.mpf(x)
    with mp.workdps(80 + 4 * int(mp.log10(abs(x) + 1))):
        p, f = mp.ncdf(x), mp.npdf(x)
        r = f / p
        return mp.log(p), +r, -r * (x + r)


def ref_ndtri(p):
    p = mp.mpf(p)
    with mp.workdps(60 + int(-mp.log10(min(p, 1 - p)))):
        x = mp.sqrt(2) * mp.erfinv(2 * p - 1)
        f = mp.npdf(x)
        return +x, 1 / f, x / f ** 2


def ref_gamma(x):
    x = mp.mpf(x)
    g = mp.gamma(x)
    p = mp.digamma(x)
    return g, g * p, g * (p * p + mp.psi(1, x))


def ref_lgamma(x):
    x = mp.mpf(x)
    return mp.log(abs(mp.gamma(x))), mp.digamma(x), mp.psi(1, x)


def ref_psi(x):
    x = mp.mpf(x)
    return mp.digamma(x), mp.psi(1, x), mp.psi(2, x)


def ref_rgamma(x):
    """1/gamma and its derivatives; at the poles -k the limits (-1)^k k! and
    -2 (-1)^k k! psi(k + 1) (1/gamma(-k + e) = (-1)^k k! (e - psi(k + 1) e^2 + ...))."""
    x = mp.mpf(x)
    if x <= 0 and x == mp.floor(x):
        k = int(-x)
        f = (-1) ** k * mp.factorial(k)
        return mp.mpf(0), f, -2 * f * mp.digamma(k + 1)
    with mp.workdps(80 + 2 * max(0, int(-mp.log10(abs(x))))):  # psi^2 - psi' cancels like 1/x^2
        r, p = mp.rgamma(x), mp.digamma(x)
        return +r, -p * r, r * (p * p - mp.psi(1, x))


def ref_erfcinv(y):
    y = mp.mpf(y)
    with mp.workdps(60 + int(-mp.log10(min(y, 2 - y)))):
        u = mp.erfinv(1 - y)
        d = -mp.sqrt(mp.pi) / 2 * mp.exp(u * u)
        return +u, +d, 2 * u * d * d


def ref_bessel(kind, n, scaled=False):
    """J_n, Y_n, I_n (kind "j", "y", "i") and exp(-|x|) I_n with derivatives by
    the closed forms of neighbouring orders (DLMF 10.6.1, 10.29.1):
    Z_n' = (Z_{n-1} - Z_{n+1}) / 2 for J and Y, (I_{n-1} + I_{n+1}) / 2 for I,
    Z_{-1} = -Z_1 (J, Y), I_{-1} = I_1; the values of orders 0..3 from mpmath."""
    f = {"j": mp.besselj, "y": mp.bessely, "i": mp.besseli}[kind]
    s = 1 if kind == "i" else -1

    def ref(x):
        x = mp.mpf(x)
        with mp.workdps(40):
            if kind == "y" and x == 0:
                return -mp.inf, mp.inf, -mp.inf
            z = [f(k, x) for k in range(4)]
            p = [s * z[1], (z[0] + s * z[2]) / 2, (z[1] + s * z[3]) / 2]  # Z_0', Z_1', Z_2'
            v, d1, d2 = z[n], p[n], (s * p[1] if n == 0 else (p[0] + s * p[2]) / 2)
        if not scaled:
            return +v, +d1, +d2
        e, sg = mp.exp(-abs(x)), mp.sign(x) or 1
        return e * v, e * (d1 - sg * v), e * (d2 - 2 * sg * d1 + v)
    return ref


def bessel_envelope(x):
    """The size of J and Y around x (their errors are absolute, not relative
    near their zeros): 1 below 1, sqrt(2/(pi x)) above."""
    return min(1.0, math.sqrt(2 / (math.pi * abs(x)))) if x != 0 else 1.0


def scaled_i_floors(x):
    """exp(-|x|) I_n's derivatives are differences of terms of the function's
    own size (E' = exp(-x) (I' - I) below 20)."""
    v = float(abs(mp.besseli(0, abs(mp.mpf(x)))) * mp.exp(-abs(mp.mpf(x))))
    return [v, v]


def ref_entr(x):
    x = mp.mpf(x)
    return -x * mp.log(x), -mp.log(x) - 1, -1 / x


def ref_xlogy(x, y):
    x, y = mp.mpf(x), mp.mpf(y)
    return x * mp.log(y), mp.log(y), x / y, mp.mpf(0), 1 / y, -x / y ** 2


def ref_xlog1py(x, y):
    x, y = mp.mpf(x), mp.mpf(y)
    return x * mp.log1p(y), mp.log1p(y), x / (1 + y), mp.mpf(0), 1 / (1 + y), -x / (1 + y) ** 2


def ref_rel_entr(x, y):
    x, y = mp.mpf(x), mp.mpf(y)
    lg = mp.log(x / y)
    return x * lg, lg + 1, -x / y, 1 / x, -1 / y, x / y ** 2


def _beta_digits(x, y):
    """Working digits for x + y exact and the differences psi(x) - psi(x + y)
    (which cancel like y/x)."""
    big, small = max(abs(x), abs(y), 1.0), max(min(abs(x), abs(y)), 1e-320)
    return 80 + int(math.log10(big)) + int(abs(math.log10(small)))


def _beta_parts(x, y):
    """B, psi(x) - psi(x + y), psi(y) - psi(x + y), psi'(x), psi'(y), psi'(x + y)."""
    x, y = mp.mpf(x), mp.mpf(y)
    s = x + y
    ps = mp.digamma(s)
    return (mp.beta(x, y), mp.digamma(x) - ps, mp.digamma(y) - ps, mp.psi(1, x), mp.psi(1, y),
            mp.psi(1, s))


def ref_betaln(x, y):
    with mp.workdps(_beta_digits(x, y)):
        b, da, db, tx, ty, ts = _beta_parts(x, y)
        return [+v for v in (mp.log(abs(b)), da, db, tx - ts, -ts, ty - ts)]


def ref_beta(x, y):
    with mp.workdps(_beta_digits(x, y)):
        b, da, db, tx, ty, ts = _beta_parts(x, y)
        return [+v for v in (b, b * da, b * db, b * (da * da + tx - ts), b * (da * db - ts),
                             b * (db * db + ty - ts))]


# --------------------------------------------------------------- floors

def psi_floors(x):
    """Absolute error scales of digamma's derivatives: near a zero of trigamma
    or tetragamma (negative x only) they are differences of reflection terms."""
    if x > 0:
        return [0.0, 0.0]
    s = abs(float(mp.sin(mp.pi * x)))
    return [float(abs(mp.psi(1, 1 - x)) + mp.pi ** 2 / s ** 2),
            float(abs(mp.psi(2, 1 - x)) + 2 * mp.pi ** 3 / s ** 3)]


def digamma_floor(x):
    """Scale of the terms whose difference is digamma(x)."""
    if x > 0:
        return abs(float(mp.log(x))) + 1.0 / x + 1.0
    return abs(float(mp.digamma(1 - x))) + abs(float(mp.pi / mp.tan(mp.pi * x))) + 1.0


def no_floors(*a):
    return [0.0, 0.0]


def rgamma_floors(x):
    """Scales of the terms whose differences are rgamma's derivatives:
    R (psi^2 - psi') for x >= 1/2; below, the reflection
    G (cos(pi x) - psi(1 - x) S) and
    G ((psi(1 - x)^2 + psi'(1 - x)) S - 2 psi(1 - x) cos(pi x) - pi sin(pi x)),
    G = gamma(1 - x), S = sin(pi x)/pi."""
    with mp.workdps(40):
        if x >= 0.5:
            r, p = mp.rgamma(x), mp.digamma(x)
            if abs(r) < TINY:  # underflows: compared as such
                return [0.0, 0.0]
            return [0.0, float(abs(r) * (p * p + mp.psi(1, x)))]
        y = 1 - mp.mpf(x)
        g, p, p1 = abs(mp.gamma(y)), abs(mp.digamma(y)), mp.psi(1, y)
        sn, c = abs(mp.sinpi(x)), abs(mp.cospi(x))
        return [float(g * (c + p * sn / mp.pi)), float(g * ((p * p + p1) * sn / mp.pi + 2 * p * c + mp.pi * sn))]


def betaln_floors(x, y):
    """Error scales of the partials (fx, fy, fxx, fxy, fyy) where they are
    differences: for arguments that are not both positive, psi(x) - psi(x + y)
    and psi'(x) - psi'(x + y) as plain differences (of reflection terms)."""
    if x > 0 and y > 0:
        return [0.0] * 5
    s = x + y
    f = [digamma_floor(x) + digamma_floor(s), digamma_floor(y) + digamma_floor(s)]
    t = [psi_floors(v)[0] + abs(float(mp.psi(1, v))) for v in (x, y, s)]
    return [f[0], f[1], t[0] + t[2], t[2], t[1] + t[2]]


def beta_floors(x, y):
    """|B| times the scale of the terms of each partial: the mixed one,
    B (da db - psi'(x + y)), cancels for small x and y (to 2 zeta(3) at 0 while
    its terms grow like 1/(x y)); for arguments that are not both positive,
    the terms of gamma(x) gamma(y) R(x + y) and of R's reflection formula."""
    with mp.workdps(_beta_digits(x, y)):
        b, da, db, tx, ty, ts = _beta_parts(x, y)
        b = abs(b)
        if b < TINY:  # underflows: compared as such
            return [0.0] * 5
        if x > 0 and y > 0:
            fl = [0.0, 0.0, 0.0, float(b * (abs(da * db) + ts)), 0.0]
            if x + y > 171:  # the value's relative error, |log B| ulps, is the partials' too
                k = 8 * EPS * abs(float(mp.log(b))) / TOL
                ref = (b * da, b * db, b * (da * da + tx - ts), b * (da * db - ts), b * (db * db + ty - ts))
                fl = [max(f, float(abs(r)) * (1 + k)) for f, r in zip(fl, ref)]
            return fl
        fa, fb = [digamma_floor(x) + digamma_floor(x + y), digamma_floor(y) + digamma_floor(x + y)]
        t = [psi_floors(v)[0] + abs(float(mp.psi(1, v))) for v in (x, y, x + y)]
        g = float(b) * (1.0 + abs(float(mp.digamma(x + y))) + t[2])
        return [float(b) * fa, float(b) * fb, float(b) * (fa * fa + t[0] + t[2]) + g,
                float(b) * (fa * fb + t[2]) + g, float(b) * (fb * fb + t[1] + t[2]) + g]


# ------------------------------------------------------------------ domains

def uniform(lo, hi):
    return lambda rng, n: list(rng.uniform(lo, hi, n))


def loguniform(lo, hi, sign=1.0, shift=0.0):
    return lambda rng, n: list(shift + sign * np.exp(rng.uniform(math.log(lo), math.log(hi), n)))


def away_from_poles(draw, gap=1e-2):
    def sample(rng, n):
        xs = [x for x in draw(rng, 4 * n) if x > 0 or abs(x - round(x)) > gap]
        return xs[:n]
    return sample


def away_from_roots(draw, roots, gap):
    def sample(rng, n):
        return [x for x in draw(rng, 4 * n) if min(abs(x - r) for r in roots) > gap][:n]
    return sample


class Unary:
    def __init__(self, ref, scipy, domains, edges, floors=no_floors, value_floor=None, d1_zeros=(), d2_zeros=(),
                 value_ulps=ULPS):
        self.ref, self.scipy, self.domains, self.edges = ref, scipy, domains, edges
        self.value_ulps = value_ulps
        self.floors = floors
        self.value_floor = value_floor  # absolute error scale of the value where it cancels
        self.zeros = (d1_zeros, d2_zeros)


_EXPIT_D2_ZERO = [0.0]
_PSI_ROOTS = [1.4616321449683622, -0.5040830082644554, -1.5734984731623, -2.6107208684441,
              -3.6352933664369, -4.6532377617431, -5.6671624415568, -6.6779322738244,
              -7.6867777075431, -8.6942780021158, -9.7010018028964]

# the zeros of rgamma'' for x > 0, where psi^2 = psi'
_RGAMMA_D2_ROOTS = [float(mp.findroot(lambda t: mp.digamma(t) ** 2 - mp.psi(1, t), x0)) for x0 in (0.7, 2.2)]

UNARY = {
    "expit": Unary(ref_expit, sc.expit, [uniform(-700, 700), uniform(-8, 8)],
                   [-745.0, -709.0, -700.0, -40.0, -1e-300, 0.0, 1e-300, 1e-8, 0.5, 36.0, 40.0, 700.0, 710.0],
                   d2_zeros=_EXPIT_D2_ZERO),
    "logit": Unary(ref_logit, sc.logit,
                   [uniform(0, 1), loguniform(1e-300, 0.25), loguniform(2 ** -53, 0.25, -1.0, 1.0)],
                   [1e-300, 1e-20, 0.25, 0.3, 0.5 - 2 ** -54, 0.5 + 2 ** -53, 0.7, 0.75, 0.9, 1 - 2 ** -53],
                   d2_zeros=[0.5]),
    "log_expit": Unary(ref_log_expit, sc.log_expit, [uniform(-750, 40), uniform(-5, 5)],
                       [-750.0, -745.0, -40.0, -1.0, 0.0, 1e-10, 1.0, 20.0, 36.0, 40.0]),
    "erf": Unary(ref_erf, sc.erf, [uniform(-6, 6), loguniform(1e-300, 1.0)],
                 [-6.0, -1.0, -1e-300, 1e-300, 1e-8, 0.5, 0.84375, 1.25, 3.0, 5.9],
                 d2_zeros=[0.0]),
    "erfc": Unary(ref_erfc, sc.erfc, [uniform(-6, 26.5)],
                  [-6.0, -1.0, 0.0, 1e-8, 0.5, 1.0, 5.0, 20.0, 26.0, 26.5],
                  d2_zeros=[0.0],
                  # the value is the C library's erfc (glibc: up to 2.4 ulp), as math.erfc's
                  value_ulps=3),
    "erfcx": Unary(ref_erfcx, sc.erfcx,
                   [uniform(-26.6, 3.2), loguniform(1e-3, 1e300), loguniform(1e-3, 26.6, -1.0)],
                   [-26.6, -26.0, -10.0, -1.0, -0.625, -0.6249999999999999, -1e-3, 0.0, 1e-3, 0.125,
                    1.0, 3.1249999999999996, 3.125, 5.0, 50.0, 1e5, 1e8, 1e150, 1e200, 1e300]),
    "erfinv": Unary(ref_erfinv, sc.erfinv,
                    [uniform(-1, 1), loguniform(2 ** -53, 0.5, -1.0, 1.0), loguniform(2 ** -53, 0.5, 1.0, -1.0),
                     loguniform(1e-300, 0.5)],
                    [-1 + 2 ** -53, -0.999999, -0.5, -1e-300, 1e-300, 1e-8, 0.25, 0.4999999999999999,
                     0.5, 0.9, 1 - 1e-16, 1 - 2 ** -53],
                    d2_zeros=[0.0]),
    "ndtr": Unary(ref_ndtr, sc.ndtr, [uniform(-40, 10), uniform(-3, 3)],
                  [-40.0, -38.5, -37.5, -30.0, -10.0, -1.0, -1e-300, 0.0, 0.6, 1.0, 5.0, 8.0, 10.0],
                  d2_zeros=[0.0]),
    "log_ndtr": Unary(ref_log_ndtr, sc.log_ndtr,
                      [uniform(-40, 10), uniform(-1, 2), loguniform(40, 1e5, -1.0)],
                      [-1e5, -1e4, -1000.0, -40.0, -38.0, -20.0, -1.0, 0.0, 0.6, 0.6000000000000001,
                       1.0, 5.0, 8.0, 10.0]),
    "ndtri": Unary(ref_ndtri, sc.ndtri,
                   [uniform(0, 1), loguniform(1e-300, 0.5), loguniform(2 ** -53, 0.5, -1.0, 1.0)],
                   [5e-324, 1e-310, 1e-300, 1e-100, 1e-20, 0.02, 0.25, 0.4999999999999999,
                    0.5000000000000001, 0.75, 0.98, 1 - 1e-10, 1 - 2 ** -53],
                   d2_zeros=[0.5]),
    "gamma": Unary(ref_gamma, sc.gamma, [uniform(0.01, 170), away_from_poles(uniform(-20, 0))],
                   [1e-300, 1e-8, 0.5, 1.0, 2.0, 2.5, 10.0, 100.0, 171.0, -0.5, -1.5, -10.5],
                   floors=lambda x: [abs(float(mp.gamma(x))) * digamma_floor(x), 0.0],
                   d1_zeros=_PSI_ROOTS,
                   # the value is the C library's tgamma (glibc: up to 4 ulp; SciPy's up to 5)
                   value_ulps=5),
    "lgamma": Unary(ref_lgamma, sc.gammaln, [uniform(0.01, 1000), away_from_poles(uniform(-20, 0))],
                    [1e-300, 1e-8, 0.5, 3.0, 10.0, 1e5, 1e300, -0.5, -2.5],
                    floors=lambda x: [digamma_floor(x), 0.0],
                    value_floor=lambda x: 0.0 if x > 0 else abs(float(mp.log(abs(mp.pi / mp.sin(mp.pi * x))))),
                    d1_zeros=_PSI_ROOTS),
    "psi": Unary(ref_psi, sc.psi,
                 [uniform(0.01, 30), uniform(0.9, 2.5), loguniform(1e-10, 1e10), uniform(-0.754, -0.254),
                  away_from_poles(uniform(-10, 0))],
                 [1e-300, 1e-8, 0.5, 1.0, 1.4616321449683622, 1.4616321449683625, 2.0, 2.5, 9.99, 10.0,
                  1e10, 1e300, -0.5, -0.5040830082644554, -0.3, -1.5, -9.5],
                 floors=psi_floors, value_floor=lambda x: 0.0 if (x > 0 or abs(x + 0.504) < 0.25) else digamma_floor(x)),
    "rgamma": Unary(ref_rgamma, sc.rgamma,
                    [uniform(0.5, 171), away_from_poles(uniform(-30, 0.5)), uniform(-170, -30),
                     uniform(171, 185), loguniform(1e-300, 0.5)],
                    [1e-300, 1e-8, 0.25, 0.5, 1.0, 1.4616321449683622, 2.0, 10.5, 171.0, 171.5, 180.0,
                     -0.5, -1.5, -1e-8, -2.0 + 1e-9, -10.5, -169.5],
                    floors=rgamma_floors, d1_zeros=_PSI_ROOTS, d2_zeros=_RGAMMA_D2_ROOTS,
                    # 1/tgamma, and the reflection gamma(1 - x) sin(pi x) / pi: the C library's
                    # tgamma (glibc: up to 4 ulp) and three more roundings; measured up to
                    # 4.9 ulp over 25,000 points in (-170, 0.5), and 5.04 at x = -24.05107...
                    value_ulps=6),
    "erfcinv": Unary(ref_erfcinv, sc.erfcinv,
                     [uniform(0, 2), loguniform(1e-300, 0.5), loguniform(2 ** -53, 0.5, -1.0, 2.0),
                      loguniform(2 ** -53, 0.5, -1.0, 1.0), loguniform(2 ** -53, 0.5, 1.0, 1.0)],
                     [1e-310, 1e-300, 1e-100, 1e-20, 0.02, 0.25, 0.5, 0.5000000000000001, 0.75,
                      1 - 2 ** -53, 1 + 2 ** -52, 1.5, 1.75, 2 - 2 ** -52],
                     d2_zeros=[1.0]),
    # J and Y: errors within a few ulps of their envelope (bessel_envelope)
    "j0": Unary(ref_bessel("j", 0), sc.j0, [uniform(-60, 60), loguniform(1e-8, 20.0), loguniform(20.0, 1e6)],
                [0.0, 1e-300, 1e-8, 9.9e-6, 1e-5, 0.5, 2.404825557695773, 3.8317059702075125, 19.99, 20.0, 25.0, 1e3, 1e10],
                floors=lambda x: [bessel_envelope(x)] * 2, value_floor=bessel_envelope, value_ulps=16),
    "j1": Unary(ref_bessel("j", 1), sc.j1, [uniform(-60, 60), loguniform(1e-8, 20.0), loguniform(20.0, 1e6)],
                [0.0, 1e-300, 1e-8, 9.9e-6, 1e-5, 0.5, 2.404825557695773, 3.8317059702075125, 19.99, 20.0, 25.0, 1e3, 1e10],
                floors=lambda x: [bessel_envelope(x)] * 2, value_floor=bessel_envelope, value_ulps=16),
    "y0": Unary(ref_bessel("y", 0), sc.y0, [uniform(0, 60), loguniform(1e-300, 20.0), loguniform(20.0, 1e6)],
                [1e-300, 1e-8, 9.9e-6, 1e-5, 0.5, 0.8935769662791675, 19.99, 20.0, 25.0, 1e3, 1e10],
                floors=lambda x: [bessel_envelope(x)] * 2, value_floor=bessel_envelope, value_ulps=16),
    "y1": Unary(ref_bessel("y", 1), sc.y1, [uniform(0, 60), loguniform(1e-150, 20.0), loguniform(20.0, 1e6)],
                [1e-150, 1e-8, 9.9e-6, 1e-5, 0.5, 2.197141326031017, 19.99, 20.0, 25.0, 1e3, 1e10],
                floors=lambda x: [bessel_envelope(x)] * 2, value_floor=bessel_envelope, value_ulps=16),
    "i0": Unary(ref_bessel("i", 0), sc.i0, [uniform(-60, 60), loguniform(1e-300, 60.0, -1.0), loguniform(60.0, 713.0)],
                [0.0, 1e-300, 1e-8, 0.5, 19.99, 20.0, 25.0, 700.0, 713.0],
                d2_zeros=[], value_ulps=8),
    "i1": Unary(ref_bessel("i", 1), sc.i1, [uniform(-60, 60), loguniform(1e-300, 60.0, -1.0), loguniform(60.0, 713.0)],
                [1e-300, 1e-8, 0.5, 19.99, 20.0, 25.0, 700.0, 713.0], value_ulps=8),
    "i0e": Unary(ref_bessel("i", 0, True), sc.i0e, [uniform(-60, 60), loguniform(1e-300, 60.0, -1.0),
                                                      loguniform(60.0, 3000.0)],
                 [1e-300, 1e-8, 0.5, 19.99, 20.0, 25.0, 700.0, 1e4, -3.0],
                 floors=scaled_i_floors, value_ulps=8),
    "i1e": Unary(ref_bessel("i", 1, True), sc.i1e, [uniform(-60, 60), loguniform(1e-300, 60.0, -1.0),
                                                      loguniform(60.0, 3000.0)],
                 [1e-300, 1e-8, 0.5, 19.99, 20.0, 25.0, 700.0, 1e4, -3.0],
                 floors=scaled_i_floors, value_ulps=8),
    "entr": Unary(ref_entr, sc.entr, [loguniform(1e-300, 1e300), uniform(0, 3)],
                  [5e-324, 1e-300, 1e-8, 0.5, 1.0, 2.0, 1e300],
                  d1_zeros=[math.exp(-1)]),
}

def _pairs(dx, dy):
    return lambda rng, n: list(zip(dx(rng, n), dy(rng, n)))


def _off_poles(draw, gap=1e-2):
    """(x, y) pairs with x, y and x + y away from the poles of gamma."""
    def far(v):
        return v > 0 or abs(v - round(v)) > gap

    def sample(rng, n):
        return [(x, y) for x, y in draw(rng, 4 * n) if far(x) and far(y) and far(x + y)][:n]
    return sample


_BETA_DOMAINS = [_pairs(loguniform(1e-3, 1e3), loguniform(1e-3, 1e3)), _pairs(uniform(0.05, 30), uniform(0.05, 30)),
                 _pairs(loguniform(1.0, 1e12), loguniform(1.0, 1e12)),
                 _pairs(loguniform(1e-8, 1e-2), loguniform(10.0, 1e8)),
                 _off_poles(_pairs(uniform(-8, 0), uniform(-8, 8))), _off_poles(_pairs(uniform(0, 8), uniform(-8, 0)))]
_BETA_EDGES = [(1.0, 1.0), (2.0, 3.0), (0.5, 0.5), (1e-300, 1.0), (1e-8, 1e-8), (10.0, 10.0), (20.0, 1e-10),
               (1e5, 1e5), (1e10, 1.0), (170.0, 0.5), (85.0, 86.0), (100.0, 100.0), (1e300, 2.0),
               (-0.5, 2.0), (-1.5, -2.25), (-2.5, 0.75)]


def beta_value_ulps(name, x, y, ref):
    """betaln: 4 ulp, absolute where it cancels: an ulp of 1 where log B is
    near 0, an ulp of the lgamma terms for arguments not both positive and
    of lgamma(p) and lgamma(q) - lgamma(p + q) for p < 10 <= q;
    beta: 10 ulp up to x + y = 171 (three tgammas, up to 3 ulp each in glibc,
    with the rounding of x + y corrected: SciPy's beta is off by up to 600 ulp
    there); past it, exp of a logarithm (as SciPy's), whose relative error is
    the logarithm's absolute error: 2 ulp of log B are up to 4 |log B| ulp of B."""
    lb = abs(float(mp.log(abs(ref)))) if name == "beta" else abs(float(ref))
    if name == "betaln":
        lg = [abs(float(mp.log(abs(mp.gamma(v))))) for v in (x, y, mp.mpf(x) + y)]
        if min(x, y) <= 0:  # lgamma(x) + lgamma(y) - lgamma(x + y): absolute accuracy
            scale = sum(lg) + 1.0
        elif min(x, y) < 10 <= max(x, y):  # lgamma(p) + (lgamma(q) - lgamma(p + q))
            p, q = min(x, y), max(x, y)
            scale = lg[x > y] + abs(float(mp.loggamma(q) - mp.loggamma(mp.mpf(p) + q))) + 1.0
        else:
            scale = 1.0
        return 4 * max(1.0, scale / max(lb, 1e-300))
    return 10 + (4 * lb if x + y > 171 or min(x, y) <= 0 else 0)


# (x, y) samplers and fixed points of the binary rules; beta and betaln with
# floors of their partials and value tolerances
BINARY = {
    "xlogy": (ref_xlogy, sc.xlogy,
              [lambda rng, n: list(zip(rng.uniform(-10, 10, n), np.exp(rng.uniform(-690, 690, n)))),
               lambda rng, n: list(zip(rng.uniform(-10, 10, n), rng.uniform(0.5, 2, n)))],
              [(1.0, 1.0), (2.0, 1e-300), (-3.0, 1e300), (1e-300, 2.0), (0.5, 1.0 + 2 ** -52)]),
    "xlog1py": (ref_xlog1py, sc.xlog1py,
                [lambda rng, n: list(zip(rng.uniform(-10, 10, n), np.exp(rng.uniform(-690, 690, n)))),
                 lambda rng, n: list(zip(rng.uniform(-10, 10, n), -1 + np.exp(rng.uniform(-36, 0, n)))),
                 lambda rng, n: list(zip(rng.uniform(-10, 10, n), -np.exp(rng.uniform(-690, -1, n))))],
                [(1.0, 1e-300), (2.0, -0.5), (3.0, -1 + 2 ** -52), (1.0, 1e300)]),
    "rel_entr": (ref_rel_entr, sc.rel_entr,
                 [lambda rng, n: list(zip(np.exp(rng.uniform(-690, 690, n)), np.exp(rng.uniform(-690, 690, n)))),
                  lambda rng, n: [(x, x * r) for x, r in zip(rng.uniform(0.1, 10, n), rng.uniform(0.3, 3, n))]],
                 [(1.0, 1.0), (1.0, 1.0 + 2 ** -52), (1e300, 1e-300), (1e-300, 1e300), (2.0, 1.0), (1.0, 2.0)]),
    "beta": (ref_beta, sc.beta, _BETA_DOMAINS, _BETA_EDGES, beta_floors, "beta"),
    "betaln": (ref_betaln, sc.betaln, _BETA_DOMAINS, _BETA_EDGES, betaln_floors, "betaln"),
}

SPECIAL = sorted(UNARY) + sorted(BINARY)


def _points(entry, rng):
    pts = list(entry.edges)
    for d in entry.domains:
        pts += [float(x) for x in d(rng, N_RANDOM)]
    return pts


def _near(x, zeros, scale=1e-2):
    return any(abs(x - z) <= scale * max(1.0, abs(z)) for z in zeros)


# ------------------------------------------------------------------ tests

def test_every_special_function_is_a_rule():
    table = _rules()
    for name in UNARY:
        assert ("unary", name) in table, name
    for name in BINARY:
        assert ("binary", name) in table, name


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special(name, rng, seed):
    e = UNARY[name]
    bad = []
    for x in _points(e, rng):
        v, d1, d2 = _rule("unary", name, x)
        f, f1, f2 = e.ref(x)
        s = float(e.scipy(x))
        dist, err = ulp_dist(v, s), ulp_err(v, f)
        if e.value_floor is not None and e.value_floor(x) > 0:  # the value cancels: absolute error
            err = float(abs(mp.mpf(v) - f)) / np.spacing(e.value_floor(x) + abs(float(f)))
        if min(dist, err) > e.value_ulps:
            bad.append(f"f({x!r}) = {v!r}: {dist} ulp from scipy ({s!r}), {err:.2f} from the true value")
        fl1, fl2 = e.floors(x)
        for k, (got, want, fl, zeros) in enumerate(((d1, f1, fl1, e.zeros[0]), (d2, f2, fl2, e.zeros[1]))):
            if _near(x, zeros):
                continue
            r = rel_err(got, want, fl)
            if not r <= TOL:
                bad.append(f"f{chr(39) * (k + 1)}({x!r}) = {got!r}, reference {float(want)!r}: rel {r:.3g}")
    assert not bad, f"{name} (seed {seed}):\n" + "\n".join(bad[:20])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_special(name, rng, seed):
    ref, scipy, domains, edges = BINARY[name][:4]
    floors = BINARY[name][4] if len(BINARY[name]) > 4 else None
    pts = list(edges)
    for d in domains:
        pts += [(float(x), float(y)) for x, y in d(rng, N_RANDOM)]
    bad = []
    for x, y in pts:
        r = _rule("binary", name, x, y)
        want = ref(x, y)
        s = float(scipy(x, y))
        dist, err = ulp_dist(r[0], s), ulp_err(r[0], want[0])
        ulps = beta_value_ulps(name, x, y, want[0]) if floors else ULPS
        if min(dist, err) > ulps:
            bad.append(f"f{(x, y)!r} = {r[0]!r}: {dist} ulp from scipy ({s!r}), {err:.2f} from the true value")
        fl = floors(x, y) if floors else None
        for k in range(1, 6):
            floor = 0.0
            if fl is not None:
                floor = fl[k - 1]
                if abs(float(want[k])) < TINY and abs(r[k]) < TINY:  # both underflow
                    continue
            if name == "rel_entr" and k == 1:  # log(x/y) + 1 cancels where x/y = 1/e
                floor = abs(float(want[1])) + 1.0
            if float(want[k]) == 0.0:
                ok = r[k] == 0.0
            else:
                ok = rel_err(r[k], want[k], floor) <= TOL
            if not ok:
                bad.append(f"partial {k} at {(x, y)!r} = {r[k]!r}, reference {float(want[k])!r}")
    assert not bad, f"{name} (seed {seed}):\n" + "\n".join(bad[:20])


# ------------------------------------------------------- singular points

def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def assert_rule(kind, name, args, expected):
    got = _rule(kind, name, *args)
    assert all(same(g, w) for g, w in zip(got, expected)), f"{name}{args}: {got} != {expected}"


@pytest.mark.parametrize("name, x, expected", [
    # logit: -inf and +inf at 0 and 1, first derivative +inf, second -inf and +inf
    ("logit", 0.0, (-INF, INF, -INF)),
    ("logit", 1.0, (INF, INF, INF)),
    ("logit", -0.5, (NAN, NAN, NAN)),
    ("logit", 1.5, (NAN, NAN, NAN)),
    ("logit", 0.5, (0.0, 4.0, 0.0)),
    # erfinv: +-inf at +-1, derivatives the limits
    ("erfinv", 1.0, (INF, INF, INF)),
    ("erfinv", -1.0, (-INF, INF, -INF)),
    ("erfinv", 1.5, (NAN, NAN, NAN)),
    ("erfinv", 0.0, (0.0, 0.886226925452758, 0.0)),  # sqrt(pi)/2, rounded
    # ndtri: -inf and +inf at 0 and 1
    ("ndtri", 0.0, (-INF, INF, -INF)),
    ("ndtri", 1.0, (INF, INF, INF)),
    ("ndtri", -0.1, (NAN, NAN, NAN)),
    ("ndtri", 0.5, (0.0, 2.5066282746310007, 0.0)),  # sqrt(2 pi), rounded
    # entr: 0 at 0 with the one-sided derivatives, -inf (and no derivative) below
    ("entr", 0.0, (0.0, INF, -INF)),
    ("entr", -1.0, (-INF, NAN, NAN)),
    ("entr", INF, (-INF, -INF, -0.0)),
    # the tails
    ("expit", INF, (1.0, 0.0, -0.0)),
    ("expit", -INF, (0.0, 0.0, 0.0)),
    ("log_expit", -INF, (-INF, 1.0, -0.0)),
    ("log_ndtr", -INF, (-INF, INF, -1.0)),
    ("ndtr", -INF, (0.0, 0.0, 0.0)),
    ("ndtr", INF, (1.0, 0.0, 0.0)),
    ("erfcx", INF, (0.0, 0.0, 0.0)),
    ("erfcx", -INF, (INF, -INF, INF)),
    ("psi", 0.0, (-INF, INF, -INF)),  # SciPy's psi(+-0) = -+inf: the one-sided limits
    ("psi", -0.0, (INF, INF, INF)),
    ("psi", -2.0, (NAN, NAN, NAN)),
    ("psi", INF, (INF, 0.0, 0.0)),
    # rgamma: 0 at the poles of gamma (signed as the zero at 0), finite derivatives there
    ("rgamma", 0.0, (0.0, 1.0, None)),
    ("rgamma", -0.0, (-0.0, 1.0, None)),
    ("rgamma", -1.0, (0.0, -1.0, None)),
    ("rgamma", INF, (0.0, -0.0, 0.0)),
    ("rgamma", 200.0, (0.0, -0.0, 0.0)),
    ("rgamma", -INF, (NAN, NAN, NAN)),
    # erfcinv: +inf and -inf at 0 and 2, derivatives the limits
    ("erfcinv", 0.0, (INF, -INF, INF)),
    ("erfcinv", 2.0, (-INF, -INF, -INF)),
    ("erfcinv", 1.0, (0.0, -0.886226925452758, 0.0)),  # -sqrt(pi)/2, rounded
    ("erfcinv", -0.1, (NAN, NAN, NAN)),
    ("erfcinv", 2.5, (NAN, NAN, NAN)),
])
def test_unary_conventions(name, x, expected):
    if None in expected:  # a number the test below checks against its closed form
        got = _rule("unary", name, x)
        assert same(got[0], expected[0]) and same(got[1], expected[1]), (name, x, got)
    else:
        assert_rule("unary", name, (x,), expected)
    assert name in UNARY


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5, 10, 20, 100, 169, 170, 171, 200])
def test_rgamma_at_the_poles_of_gamma(k):
    """1/gamma(-k + e) = (-1)^k k! (e - psi(k + 1) e^2 + ...): the value 0,
    the derivatives (-1)^k k! and -2 (-1)^k k! psi(k + 1) (overflowing to
    +-inf past k = 170, as k! does), at first and second order."""
    v, d1, d2 = _rule("unary", "rgamma", -float(k))
    assert same(v, 0.0) or (k == 0 and v == 0.0)
    f = (-1) ** k * mp.factorial(k)
    for got, want in ((d1, f), (d2, -2 * f * mp.digamma(k + 1))):
        if abs(want) > 1.7e308:
            assert got == math.copysign(INF, float(mp.sign(want)))
        else:
            assert rel_err(got, want) <= 4e-16 if k <= 20 else rel_err(got, want) <= 1e-13, (k, got, float(want))
    # next to the pole the derivatives join up with the closed form
    if k <= 20:
        e = 2.0 ** -30
        _, n1, n2 = _rule("unary", "rgamma", -float(k) + e)
        assert rel_err(n1, ref_rgamma(-k + e)[1]) <= 1e-14
        assert rel_err(n2, ref_rgamma(-k + e)[2]) <= 1e-13


@pytest.mark.parametrize("x, expected", [
    (0.0, 1.0), (-0.0, -1.0), (2.5, 1.0), (1e-300, 1.0), (INF, 1.0), (-0.5, -1.0), (-1.5, 1.0),
    (-2.5, -1.0), (-1e-300, -1.0), (-2.0 ** 51 - 0.5, -1.0), (-1.0, NAN), (-2.0, NAN), (-2.0 ** 60, NAN),
    (-INF, NAN), (NAN, NAN),
])
def test_gammasgn(x, expected):
    """The sign of gamma, SciPy's value; derivative 0 (a step function), NaN
    where the value is NaN (the poles)."""
    v, d1, d2 = _rule("unary", "gammasgn", x)
    assert same(v, expected)
    if abs(x) < 1e9:  # SciPy's gammasgn(-2^51 - 0.5) is +1: gamma's sign there is -1
        assert same(v, float(sc.gammasgn(x)))
    elif math.isfinite(expected):
        assert expected == float(mp.sign(mp.gamma(x)))
    d = NAN if math.isnan(expected) else 0.0
    assert same(d1, d) and same(d2, d)


def test_gammasgn_is_the_sign_of_gamma(rng):
    """SciPy's gammasgn below 1e9 in magnitude (beyond, it gives +1 at some
    x < -4e9 where gamma is negative), and mpmath's sign of gamma everywhere."""
    xs = np.concatenate([rng.uniform(-50, 50, 400), -np.exp(rng.uniform(-700, 20.7, 100))])
    got = np.array([_rule("unary", "gammasgn", float(x))[0] for x in xs])
    assert np.array_equal(got, sc.gammasgn(xs))
    xs = np.concatenate([xs, -np.exp(rng.uniform(20.7, 35, 100))])
    xs = xs[xs != np.floor(xs)]  # not the poles
    got = np.array([_rule("unary", "gammasgn", float(x))[0] for x in xs])
    assert np.array_equal(got, [float(mp.sign(mp.gamma(x))) for x in xs])


@pytest.mark.parametrize("name, x, y, expected", [
    # xlogy: 0 on the line x = 0 (y not NaN), so the y-derivatives vanish there
    ("xlogy", 0.0, 0.0, (0.0, -INF, 0.0, 0.0, INF, 0.0)),
    ("xlogy", 0.0, 2.0, (0.0, math.log(2.0), 0.0, 0.0, 0.5, 0.0)),
    ("xlogy", 0.0, -1.0, (0.0, NAN, 0.0, 0.0, -1.0, 0.0)),
    ("xlogy", 0.0, INF, (0.0, INF, 0.0, 0.0, 0.0, 0.0)),
    ("xlogy", 0.0, NAN, (NAN, NAN, NAN, 0.0, NAN, NAN)),
    ("xlogy", 1.0, 0.0, (-INF, -INF, INF, 0.0, INF, -INF)),
    ("xlog1py", 0.0, -1.0, (0.0, -INF, 0.0, 0.0, INF, 0.0)),
    ("xlog1py", 0.0, -2.0, (0.0, NAN, 0.0, 0.0, -1.0, 0.0)),
    # rel_entr: 0 at x = 0, y >= 0; +inf (no derivatives) outside the domain
    ("rel_entr", 0.0, 2.0, (0.0, -INF, 0.0, INF, -0.5, 0.0)),
    ("rel_entr", 0.0, 0.0, (0.0, NAN, 0.0, NAN, NAN, 0.0)),
    ("rel_entr", 1.0, 0.0, (INF, NAN, NAN, NAN, NAN, NAN)),
    ("rel_entr", -1.0, 1.0, (INF, NAN, NAN, NAN, NAN, NAN)),
    ("rel_entr", 0.0, -1.0, (INF, NAN, NAN, NAN, NAN, NAN)),
    ("rel_entr", NAN, 1.0, (NAN, NAN, NAN, NAN, NAN, NAN)),
    ("rel_entr", 1.0, 1.0, (0.0, 1.0, -1.0, 1.0, -1.0, 1.0)),
])
def test_binary_conventions(name, x, y, expected):
    assert_rule("binary", name, (x, y), expected)
    assert float(np.float64(sc.__dict__[name](x, y))) == expected[0] or math.isnan(expected[0])


def test_beta_conventions():
    """beta and betaln at the poles of gamma(x) or gamma(y): +inf (SciPy's
    value) and NaN partials; where only x + y is a pole, beta is 0 with finite
    partials (gamma(x) gamma(y) times the derivatives of 1/gamma) and betaln
    -inf with NaN partials."""
    for x, y in ((0.0, 1.0), (-1.0, 2.5), (2.5, -3.0), (-2.0, -2.0)):
        for name in ("beta", "betaln"):
            r = _rule("binary", name, x, y)
            assert r[0] == INF and all(math.isnan(v) for v in r[1:]), (name, x, y, r)
    for x, y in ((-1.5, 0.5), (-2.5, 0.5), (-0.25, -0.75), (0.5, -3.5)):
        r = _rule("binary", "beta", x, y)
        assert r[0] == 0.0 and float(sc.beta(x, y)) == 0.0
        with mp.workdps(40):  # d/dx B = gamma(x) gamma(y) d/dx rgamma(x + y)
            g = mp.gamma(x) * mp.gamma(y)
            k = int(-(x + y))
            f = (-1) ** k * mp.factorial(k)
            want = [g * f, g * f, g * (2 * mp.digamma(x) * f - 2 * f * mp.digamma(k + 1)),
                    g * ((mp.digamma(x) + mp.digamma(y)) * f - 2 * f * mp.digamma(k + 1)),
                    g * (2 * mp.digamma(y) * f - 2 * f * mp.digamma(k + 1))]
        for got, w in zip(r[1:], want):
            assert rel_err(got, w) <= 1e-13, (x, y, r, [float(v) for v in want])
        r = _rule("binary", "betaln", x, y)
        assert r[0] == -INF and all(math.isnan(v) for v in r[1:])
    for name in ("beta", "betaln"):
        assert all(math.isnan(v) for v in _rule("binary", name, NAN, 1.0))
        assert all(math.isnan(v) for v in _rule("binary", name, INF, INF))
    # +inf with a finite positive argument: the limits (SciPy's values)
    assert_rule("binary", "beta", (INF, 2.5), (0.0,) * 6)
    assert_rule("binary", "beta", (2.5, INF), (0.0,) * 6)
    r = _rule("binary", "betaln", INF, 2.5)
    assert_rule("binary", "betaln", (INF, 2.5), (-INF, -0.0, -INF, 0.0, -0.0, r[5]))
    assert_rule("binary", "betaln", (2.5, INF), (-INF, -INF, -0.0, r[5], -0.0, 0.0))
    assert rel_err(r[5], mp.psi(1, 2.5)) <= 1e-15
    assert float(sc.beta(INF, 2.5)) == 0.0 and float(sc.betaln(2.5, INF)) == -INF


@pytest.mark.parametrize("name", sorted(UNARY))
def test_scipy_agrees_on_the_conventions(name):
    """The values at the special points are SciPy's (ulp-exact there)."""
    e = UNARY[name]
    for x in (0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 0.5):
        if name == "lgamma" and x == -INF:
            continue  # C99's lgamma(-inf) is +inf, SciPy's gammaln(-inf) -inf
        if name == "rgamma" and x == -INF:
            continue  # no limit (|1/gamma| grows between its zeros): NaN here, SciPy's 0
        if name in ("j0", "j1", "y0", "y1", "i0", "i1") and math.isinf(x):
            # SciPy's NaN; the rules give the limits: J and Y 0 at +inf (J at -inf
            # too, Y is NaN below 0), I0 +inf, I1 +-inf
            limit = {"i0": INF, "i1": x}.get(name, NAN if name[0] == "y" and x < 0 else 0.0)
            assert same(_rule("unary", name, x)[0], limit), (name, x)
            continue
        v = _rule("unary", name, x)[0]
        s = float(e.scipy(x))
        assert same(v, s) or v == s or ulp_dist(v, s) <= ULPS, (name, x, v, s)


# ----------------------------------------------------------- array kernels

def _op(kind, name):
    return [n for k, n in _rules() if k == kind].index(name)


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("order", [1, 2])
def test_array_kernels_run_the_rule(name, order, rng):
    """_array.unary (the per-rule first-order loops, the chain rule at second
    order) on width-1 and width-3 numbers gives the rule's f, f' and f''."""
    e = UNARY[name]
    xs = np.array(_points(e, rng)[:40] + [NAN])
    for width in (1, 3):
        t = rng.standard_normal(width)
        if order == 1:
            m = 1 + width
            a = np.zeros((len(xs), m))
            a[:, 0], a[:, 1:] = xs, t
        else:
            m = 1 + width + width * (width + 1) // 2
            a = np.zeros((len(xs), m))
            a[:, 0], a[:, 1:1 + width] = xs, t
        out = np.empty_like(a)
        _k.unary(_op("unary", name), out.reshape(-1), a.reshape(-1), width, order)
        for i, x in enumerate(xs):
            v, d1, d2 = _rule("unary", name, float(x), order=order)
            assert same(out[i, 0], v), (name, x)
            for k in range(width):
                with np.errstate(over="ignore"):  # erfcx' near the top of the doubles: inf, as the kernel's
                    assert same(out[i, 1 + k], d1 * t[k]), (name, x, out[i], d1)
            if order == 2 and math.isfinite(d2) and math.isfinite(d1):
                h = out[i, 1 + width:]
                with np.errstate(over="ignore"):  # erfcx'' near the top of the doubles
                    want = np.array([d2 * t[j] * t[k] for j in range(width) for k in range(j, width)])
                ok = np.isfinite(want)  # where the reference itself overflows, it says nothing
                assert np.allclose(h[ok], want[ok], rtol=1e-14, atol=1e-300), (name, x, h, want)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("order", [1, 2])
def test_array_kernels_run_the_binary_rule(name, order, rng):
    ref, scipy, domains, edges = BINARY[name][:4]
    pts = list(edges) + [(float(x), float(y)) for x, y in domains[-1](rng, 20)]
    width = 2
    m = 1 + width + (width * (width + 1) // 2 if order == 2 else 0)
    a = np.zeros((len(pts), m))
    b = np.zeros((len(pts), m))
    a[:, 0] = [p[0] for p in pts]
    b[:, 0] = [p[1] for p in pts]
    a[:, 1], b[:, 2] = 1.0, 1.0  # the gradient
    out = np.empty_like(a)
    _k.binary(_op("binary", name), out.reshape(-1), a.reshape(-1), 1, b.reshape(-1), 1, width, order)
    for i, (x, y) in enumerate(pts):
        r = _rule("binary", name, x, y, order=order)
        assert same(out[i, 0], r[0])
        assert same(out[i, 1], r[1]) and same(out[i, 2], r[2]), (name, x, y, out[i], r)
        if order == 2:
            assert [out[i, 3], out[i, 4], out[i, 5]] == pytest.approx([r[3], r[4], r[5]], rel=1e-15)


def test_first_order_rule_skips_nothing_it_reports():
    """order=1 gives the same value and first derivative as order=2."""
    for name in UNARY:
        for x in (0.3, 0.7, -0.2, 4.0):
            a = _rule("unary", name, x, order=1)
            b = _rule("unary", name, x, order=2)
            assert same(a[0], b[0]) and same(a[1], b[1]), name
    for name in BINARY:
        a = _rule("binary", name, 0.3, 0.7, order=1)
        b = _rule("binary", name, 0.3, 0.7, order=2)
        assert all(same(u, v) for u, v in zip(a[:3], b[:3])), name


# ------------------------------------------------------------ compositions

def test_new_special_functions_through_the_transforms():
    """grad and hessian of f(x, y) = betaln(x, y) + beta(y, x^2) rgamma(x)
    + erfcinv(y/4) gammasgn(-x) through scipy.special's ufuncs on dual arrays
    and Duals, against mpmath's derivatives of the same function."""
    import dualdiff

    def f(v):
        x, y = v[0], v[1]
        return sc.betaln(x, y) + sc.beta(y, x * x) * sc.rgamma(x) + sc.erfcinv(y / 4) * sc.gammasgn(-x)

    def fm(x, y):
        return (mp.log(mp.beta(x, y)) + mp.beta(y, x * x) * mp.rgamma(x)
                + mp.erfinv(1 - y / 4) * mp.sign(mp.gamma(-x)))

    for p in ([1.3, 2.2], [0.4, 5.5], [2.7, 0.3]):
        g = dualdiff.grad(f)(np.array(p))
        H = dualdiff.hessian(f)(np.array(p))
        x, y = mp.mpf(p[0]), mp.mpf(p[1])
        for i, o in enumerate(((1, 0), (0, 1))):
            assert rel_err(float(g[i]), mp.diff(fm, (x, y), o)) <= 1e-12, (p, g)
        for (i, j), o in (((0, 0), (2, 0)), ((0, 1), (1, 1)), ((1, 1), (0, 2))):
            assert rel_err(float(H[i, j]), mp.diff(fm, (x, y), o)) <= 1e-11, (p, H)
        assert H[0, 1] == H[1, 0]
        # a list of Duals (scalar path) gives the same numbers as the array
        assert np.array_equal(dualdiff.grad(lambda v: f([v[0], v[1]]))(list(p)), g)
    # third order through taylor, at the pole 0 of gamma (1/gamma's series there)
    c = dualdiff.taylor(lambda t: sc.rgamma(t), 3)(0.0, 1.0)
    assert rel_err(float(c[3]) * 6, mp.diff(mp.rgamma, 0, 3)) <= 1e-13



def test_bessel_functions_through_the_transforms():
    """A Bessel-series model f(v) = j0(x) y1(y) + i0e(x y) - j1(x)^2 i1(y) + y0(x + y) i1e(-x)
    through scipy.special's ufuncs: grad, hessian, jacobian of grad and the
    Hessian's sparsity, against mpmath's derivatives; third order through taylor."""
    import dualdiff

    def f(v):
        x, y = v[0], v[1]
        return (sc.j0(x) * sc.y1(y) + sc.i0e(x * y) - sc.j1(x) ** 2 * sc.i1(y)
                + sc.y0(x + y) * sc.i1e(-x))

    def ie(n, t):
        return mp.besseli(n, t) * mp.exp(-abs(t))

    def fm(x, y):
        return (mp.besselj(0, x) * mp.bessely(1, y) + ie(0, x * y) - mp.besselj(1, x) ** 2 * mp.besseli(1, y)
                + mp.bessely(0, x + y) * ie(1, -x))

    for p in ([1.3, 2.2], [4.1, 0.7], [7.5, 12.0]):
        v = np.array(p)
        g, H = dualdiff.grad(f)(v), dualdiff.hessian(f)(v)
        x, y = mp.mpf(p[0]), mp.mpf(p[1])
        want = {o: float(mp.diff(fm, (x, y), o)) for o in ((1, 0), (0, 1), (2, 0), (1, 1), (0, 2))}
        scale = max(abs(w) for w in want.values())
        for i, o in enumerate(((1, 0), (0, 1))):
            assert abs(g[i] - want[o]) <= 1e-12 * scale, (p, g)
        for (i, j), o in (((0, 0), (2, 0)), ((0, 1), (1, 1)), ((1, 1), (0, 2))):
            assert abs(H[i, j] - want[o]) <= 1e-11 * scale, (p, H)
        np.testing.assert_allclose(dualdiff.jacobian(dualdiff.grad(f))(v), H, rtol=1e-13, atol=1e-15 * scale)
        # a list of Duals (scalar path) gives the same numbers as the array
        assert np.array_equal(dualdiff.grad(lambda w: f([w[0], w[1]]))(list(p)), g)
    assert dualdiff.hessian_sparsity(f, np.array([1.3, 2.2])).toarray().all()
    # third derivatives through taylor: away from 0 against mpmath; at +0 by hand:
    # j1 = x/2 - x^3/16 + ..., i0e = exp(-x) (1 + x^2/4 + ...) for x >= 0, whose
    # x^3 coefficient is -1/6 - 1/4: the third derivative at +0 is 6 (-1/16 - 5/12)
    for t0 in (0.7, 5.0, 0.0):
        c = dualdiff.taylor(lambda t: sc.j1(t) + sc.i0e(t), 3)(t0, 1.0)
        if t0:
            want3 = mp.diff(lambda t: mp.besselj(1, t) + ie(0, t), t0, 3)
        else:
            want3 = 6 * (mp.mpf(-1) / 16 - mp.mpf(5) / 12)
        assert abs(float(c[3]) * 6 - want3) <= 1e-13 * max(1.0, abs(float(want3))), (t0, c)

def test_von_mises_fit_with_scipy_optimize():
    """A von Mises maximum-likelihood fit through scipy.optimize.minimize with
    dualdiff's gradient and Hessian (SciPy hands them float64 ndarrays):
    log I0(kappa) = log(i0e(kappa)) + kappa keeps it finite for large kappa. At
    the optimum mu is the circular mean and I1(kappa)/I0(kappa) the mean
    resultant length (the likelihood equations, by hand)."""
    import dualdiff
    from scipy import optimize

    rng = np.random.default_rng(3)
    data = rng.vonmises(0.7, 4.0, 400)

    def nll(p):
        mu, log_kappa = p[0], p[1]
        kappa = np.exp(log_kappa)
        return -np.sum(kappa * np.cos(data - mu)) + data.size * (np.log(sc.i0e(kappa)) + kappa)

    seen = []

    def jac(p):
        seen.append(type(p))
        return dualdiff.grad(nll)(p)

    res = optimize.minimize(nll, np.array([0.0, 0.0]), jac=jac, hess=dualdiff.hessian(nll),
                            method="trust-exact")
    assert res.success and set(seen) == {np.ndarray}
    mu, kappa = res.x[0], np.exp(res.x[1])
    C, S = np.mean(np.cos(data)), np.mean(np.sin(data))
    assert abs(mu - np.arctan2(S, C)) <= 1e-8
    assert abs(sc.i1e(kappa) / sc.i0e(kappa) - np.hypot(C, S)) <= 1e-9
    np.testing.assert_allclose(dualdiff.grad(nll)(res.x), 0.0, atol=1e-6)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
