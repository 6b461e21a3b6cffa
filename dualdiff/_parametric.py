"""scipy.special's functions of parameters and one variable, for dual numbers.

``jv(v, x)``, ``gammainc(a, x)``, ``betainc(a, b, x)`` and their kin take plain
parameters (the order ``v``, the shapes ``a`` and ``b``) and a variable ``x``,
the last argument. Their values are SciPy's own; their derivatives in ``x``
of every order come from SciPy's values at neighbouring orders (the Bessel
functions) or from the closed form of the integrand (the incomplete gamma
and beta functions). One list of derivatives ``[f, f', ..., f^(K)]`` at the
values feeds every kind of number: first and second order (and so nested
transforms), Taylor numbers of any degree, and sparsity patterns. Derivatives
in the parameters are not computed: a dual parameter raises ``TypeError``.

SciPy is imported by whoever imports this module (it is loaded only once
``scipy.special`` is).
"""
import math

import numpy as np
import scipy.special as _sc  # type: ignore[import-untyped]  # SciPy ships no type stubs

from dualdiff import _array as _k, _ndarray as _nd


# ---- the derivatives --------------------------------------------------------------------

def _bessel(value, z, sign, top):
    """d^k/dx^k of a Bessel function z(v, x) (whose value at the order v given is
    ``value(v, x)``: ``yn`` for the integer orders of ``yv``) by its order recurrences:
    ``top^k 2^-k sum_j sign^j C(k, j) z(v - k + 2j, x)`` (J, Y: sign -1, top 1;
    I: 1, 1; K: 1, -1). Where infinities of both signs meet (at x = 0, where
    Y and K have poles at every order), the derivative is that of the most
    singular terms, those of the largest |order|."""
    def derivs(params, x, K):
        (v,) = params
        out = [value(v, x)]
        for k in range(1, K + 1):
            orders = [v - k + 2 * j for j in range(k + 1)]
            terms = [(sign ** j * math.comb(k, j) * top ** k / 2.0 ** k) * z(o, x)
                     for j, o in enumerate(orders)]
            total = sum(terms[1:], terms[0])
            clash = np.isnan(total) & ~np.isnan(x) & ~np.isnan(out[0])
            if np.any(clash):
                total = np.where(clash, _poles(terms, orders), total)
            out.append(total)
        return out
    return derivs


def _poles(terms, orders):
    """The sum of the infinite terms of the largest |order| (elementwise)."""
    t = np.array(np.broadcast_arrays(*terms))
    o = np.abs(np.array(np.broadcast_arrays(*[np.broadcast_to(o, t.shape[1:]) for o in orders])))
    inf = np.isinf(t)
    reach = np.max(np.where(inf, o, -1.0), axis=0)
    return np.sum(np.where(inf & (o == reach), t, 0.0), axis=0)


def _scaled(unscaled, grow):
    """d^k of exp(grow(x)) z(v, x) from the derivatives D_m of z written in
    units of the scaled values (ive = exp(-|x|) iv, kve = exp(x) kv):
    ``sum_m C(k, m) g^(k - m) D_m`` with g = grow'(x), a constant +-1."""
    def derivs(params, x, K):
        d = unscaled(params, x, K)
        g = grow(x)
        return [sum(math.comb(k, m) * g ** (k - m) * d[m] for m in range(k + 1)) for k in range(K + 1)]
    return derivs


def _power(e, log_u, slope):
    """The factor u^e, u linear in x with the given slope: j -> (the coefficient
    and the log of the rest of its j-th derivative, e (e-1) ... (e-j+1) slope^j
    u^(e-j)); u^0 is 1, also where u is 0."""
    def part(j):
        fall = 1.0
        for i in range(j):
            fall = fall * (e - i)
        return fall * slope ** j, np.where(e - j == 0, 0.0, (e - j) * log_u)
    return part


def _decay(x):
    """The factor exp(-x): its j-th derivative is (-1)^j exp(-x)."""
    return lambda j: ((-1.0) ** j, -x)


def _leibniz(m, f, g, log_scale):
    """h^(m) for h = exp(log_scale) f g, by Leibniz's rule over the factors' parts."""
    total = 0.0
    for j in range(m + 1):
        cf, lf = f(j)
        cg, lg = g(m - j)
        mult = math.comb(m, j) * cf * cg
        total = total + np.where(mult == 0, 0.0, mult * np.exp(log_scale + lf + lg))
    return total


def _gamma(sign):
    """gammainc (sign 1) and gammaincc (-1): F' = sign x^(a-1) e^-x / Gamma(a)."""
    def derivs(params, x, K):
        (a,) = params
        out = [(_sc.gammainc if sign > 0 else _sc.gammaincc)(a, x)]
        power, decay, scale = _power(a - 1, np.log(x), 1.0), _decay(x), -_sc.gammaln(a)
        for k in range(1, K + 1):
            out.append(np.where(x == np.inf, 0.0, sign * _leibniz(k - 1, power, decay, scale)))
        return out
    return derivs


def _beta(sign):
    """betainc (sign 1) and betaincc (-1): F' = sign x^(a-1) (1-x)^(b-1) / B(a, b)."""
    def derivs(params, x, K):
        a, b = params
        out = [(_sc.betainc if sign > 0 else _sc.betaincc)(a, b, x)]
        left, right = _power(a - 1, np.log(x), 1.0), _power(b - 1, np.log1p(-x), -1.0)
        scale = -_sc.betaln(a, b)
        for k in range(1, K + 1):
            out.append(sign * _leibniz(k - 1, left, right, scale))
        return out
    return derivs


# scipy.special ufunc -> derivatives(params, x, K) -> [f, f', ..., f^(K)]
def _table():
    t = {
        "jv": _bessel(_sc.jv, _sc.jv, -1.0, 1.0),
        "yv": _bessel(_sc.yv, _sc.yv, -1.0, 1.0),
        "yn": _bessel(_sc.yn, _sc.yv, -1.0, 1.0),
        "iv": _bessel(_sc.iv, _sc.iv, 1.0, 1.0),
        "kv": _bessel(_sc.kv, _sc.kv, 1.0, -1.0),
        "kn": _bessel(_sc.kn, _sc.kv, 1.0, -1.0),
        # exp(-|x|) iv(v, x) and exp(x) kv(v, x): the slope of -|x| at +-0 is
        # that of fabs from the side of the zero's sign
        "ive": _scaled(_bessel(_sc.ive, _sc.ive, 1.0, 1.0), lambda x: -np.copysign(1.0, x)),
        "kve": _scaled(_bessel(_sc.kve, _sc.kve, 1.0, -1.0), lambda x: np.ones(np.shape(x))),
        "gammainc": _gamma(1.0),
        "gammaincc": _gamma(-1.0),
        "betainc": _beta(1.0),
    }
    if hasattr(_sc, "betaincc"):  # SciPy 1.11
        t["betaincc"] = _beta(-1.0)
    return {getattr(_sc, name): entry for name, entry in t.items()}


RULES = _table()  # scipy.special ufunc -> derivatives


def names():
    """The names of the scipy.special ufuncs here (jn is jv's other name)."""
    return sorted({u.__name__ for u in RULES} | {"jn"})


# ---- the chain rule over every kind of number -------------------------------------------

def call(name, inputs, derivs):
    """The function ``name`` of inputs, whose last argument is dual and the others
    plain, with the derivatives ``derivs(params, x, K)``."""
    ops, spec = _nd._dual_operands(inputs)
    for o in ops[:-1]:
        if isinstance(o, tuple):
            raise TypeError(f"{name} is differentiated in its last argument only: its other "
                            "arguments (orders and shape parameters) must be plain numbers")
    if spec is None:
        raise TypeError(f"{name}: no dual operand")
    xbuf = ops[-1][0]
    params = [np.asarray(p) for p in ops[:-1]]
    K = spec.n if spec.order == _nd._TAYLOR else spec.order
    with np.errstate(all="ignore"):  # the values are SciPy's; inf - inf at poles is resolved
        d = derivs(params, xbuf[..., 0], K)
    shape = np.broadcast_shapes(*(np.shape(p) for p in params), xbuf.shape[:-1])
    nan = np.isnan(d[0])
    d = [np.broadcast_to(np.where(nan, np.nan, di) if k else np.asarray(di, dtype=np.float64), shape)
         for k, di in enumerate(d)]
    res = _chain(np.broadcast_to(xbuf, shape + (spec.m,)), spec, d)
    scalar = all(_nd._is_scalar_op(o) for o in ops)
    return _nd._out(res, spec, scalar)


def _chain(xbuf, spec, d):
    """f(x) for the dual buffer xbuf (shape + (m,)) given d = [f, f', ..., f^(K)]
    at its values: dd_chain_unary for first and second order, the composition
    of series for Taylor numbers."""
    if spec.order != _nd._TAYLOR:
        r = np.zeros(xbuf.shape[:-1] + (3,))
        for k in range(spec.order + 1):
            r[..., k] = d[k]
        out = np.empty(xbuf.shape)
        _k.chain_unary(out.reshape(-1), np.ascontiguousarray(xbuf).reshape(-1), r.reshape(-1, 3),
                       spec.n, spec.code)
        return out
    # f(x0 + delta) = sum_k f^(k)(x0) delta^k / k!, delta the series without its
    # constant term, its powers by a triangular product
    ieee = spec.code != spec.order
    K = spec.n
    out = np.zeros(xbuf.shape)
    out[..., 0] = d[0]
    delta = np.array(xbuf)
    delta[..., 0] = 0.0
    k_, i_ = np.indices((K + 1, K + 1))
    shift = np.where(k_ >= i_, delta[..., np.clip(k_ - i_, 0, K)], 0.0)
    power = delta
    with np.errstate(all="ignore"):
        for k in range(1, K + 1):
            term = (d[k][..., None] / math.factorial(k)) * power[..., 1:]
            out[..., 1:] += term if ieee else np.where(power[..., 1:] == 0, 0.0, term)
            power = np.einsum("...ki,...i->...k", shift, power)
    return out
