"""taylor: Taylor coefficients of any order along a direction."""
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from dualdiff import _complex_ad, _complex_taylor, _nesting, _seeding
from dualdiff._dual import Dual, _Conflict, _Taylor, _dual_from, _dual_parts, _peek_tag, _taylor_max
from dualdiff._trace import Traced
from dualdiff._ndarray import DualArray, _Spec, _wrap

_TAYLOR = 3  # DD_TAYLOR of dualdiff.h: the order code of Taylor numbers


def taylor(f: Callable[..., Any], order: int) -> Callable[..., Any]:
    """taylor(f, order) -> T

    The Taylor coefficients of ``t -> f(x + t v)`` at ``t = 0`` up to
    ``order``: ``T(x, v=None, *args, **kwargs)`` returns a float64 array of
    shape ``(order + 1,) + out.shape`` whose entry k is
    ``d^k/dt^k f(x + t v) / k!`` (entry 0 is ``f(x)``). ``v`` has the shape
    of ``x`` and defaults to 1 for a number ``x``. One evaluation of ``f`` on
    Taylor numbers carries every coefficient; the C rules propagate them by
    the standard recurrences (O(order^2) per operation; gamma, lgamma and
    scipy.special.psi by series composition, O(order^3)). ``f`` may use dualdiff.math, NumPy
    ufuncs and the NumPy functions of the dual arrays except ``np.linalg``.
    At most ``order`` = DD_TAYLOR_MAX (64).

    >>> import dualdiff
    >>> dualdiff.taylor(lambda x: x ** 3, order=4)(2.0)
    array([ 8., 12.,  6.,  1.,  0.])
    """
    if isinstance(f, Traced):
        return f._transform("taylor", order=order)
    K = _check_order(order, "taylor")

    def general(x, v, args, kwargs):
        # everything but a float x with a Taylor number or float result (see _Taylor)
        start = _peek_tag()
        try:
            return _run(f, x, v, K, args, kwargs)
        except _Conflict as e:  # inside another transform: raises NestingError
            return _nesting.rerun("taylor", f, x, args, kwargs, e, start, True)
    name = getattr(f, "__name__", type(f).__name__)
    return _Taylor(f, general, K, f"taylor({name})", f"The taylor of {name} (made by dualdiff.taylor).")


def nth_derivative(f, x, k, args, kwargs):
    """The k-th derivative of f at the number x (derivative(f, order=k))."""
    start = _peek_tag()
    try:
        c = _run(f, x, None, k, args, kwargs)
    except _Conflict as e:
        return _nesting.rerun(f"derivative(f, order={k})", f, x, args, kwargs, e, start, True)
    out = c[k] * math.factorial(k)
    if np.ndim(out):
        return out
    return complex(out) if np.iscomplexobj(out) else float(out)


def _check_order(order, verb):
    if isinstance(order, bool) or not isinstance(order, numbers.Integral):
        raise TypeError(f"{verb}: order must be an int, not {type(order).__name__}")
    K = int(order)
    if K < 0:
        raise ValueError(f"{verb}: order must be at least 0, not {K}")
    if K > _taylor_max():
        raise ValueError(f"{verb}: order {K} is above the highest supported order, {_taylor_max()}")
    return K


def _run(f, x, v, K, args, kwargs):
    try:
        flat, shape = _seeding.flatten(x)
        vflat = _direction(v, shape)
        tag = _seeding.new_tag(True)
        xin = _seed(flat, vflat, shape, K, tag, x)
        y = _seeding.call_f(f, xin, args, kwargs, tag)
        coeffs, out_shape = _read(y, K, tag)
    except TypeError as e:
        if not _complex_ad.met_complex(e):
            raise
        coeffs, out_shape = _run_complex(f, x, v, K, args, kwargs)
    return np.ascontiguousarray(coeffs.T.reshape((K + 1,) + out_shape))


def _direction(v, shape, complex_numbers=False):
    if v is None:
        if shape is not None:
            raise TypeError("taylor: v (the direction) is needed for an array x")
        return np.ones(1)
    vflat, vshape = _complex_ad._flatten(v)[:2] if complex_numbers else _seeding.flatten(v, "v")
    if _seeding.x_shape(vshape) != _seeding.x_shape(shape):
        raise ValueError(f"taylor: v must have the shape of x, {_seeding.x_shape(shape)}, "
                         f"not {_seeding.x_shape(vshape)}")
    return vflat


def _seed(flat, vflat, shape, K, tag, x):
    """Taylor numbers x + t v in x's container."""
    n = flat.shape[0]
    buf = np.zeros((n, K + 1))
    buf[:, 0] = flat
    if K >= 1:
        buf[:, 1] = vflat
    if shape is None:
        return _dual_from(buf[0], K, _TAYLOR, tag)
    if type(x) is list or type(x) is tuple:
        return _seeding.rebuild([_dual_from(buf[i], K, _TAYLOR, tag) for i in range(n)], x)
    return _wrap(buf.reshape(shape + (K + 1,)), _Spec(K, _TAYLOR, tag))


def _run_complex(f, x, v, K, args, kwargs):
    """_run where x or v is complex, or f meets a complex number: f runs on
    complex numbers whose parts are Taylor numbers (dualdiff/_complex_taylor.py).
    Returns complex coefficients (m, K + 1) and the shape of f's result."""
    flat, shape, _ = _complex_ad._flatten(x)
    vflat = _direction(v, shape, complex_numbers=True)
    tag = _seeding.new_tag(True)
    # each part a Taylor number, or a dual array also for a list x (as ComplexDual)
    xin = _complex_taylor.ComplexTaylor(
        _seed(np.real(flat), np.real(vflat), shape, K, tag, None),
        _seed(np.imag(flat), np.imag(vflat), shape, K, tag, None))
    y = _seeding.call_f(f, xin, args, kwargs, tag)
    return _complex_taylor.read(y, lambda p: _read(p, K, tag))


def _read(y, K, tag):
    """(coefficients (m, K + 1), shape) of f's result."""
    if isinstance(y, DualArray) and y._spec is not None:
        s = y._spec
        _check(s.tag, s.n, s.order, K, tag)
        return y._buf.reshape(-1, K + 1), y.shape
    items, out_shape = _seeding.output_items(y)
    out = np.zeros((len(items), K + 1))
    for i, item in enumerate(items):
        if type(item) is Dual:
            data, n, deg, t = _dual_parts(item)
            _check(t, n, deg & 3, K, tag)
            out[i] = data
        else:
            c = float(item)
            out[i, 0] = c
            if c != c:  # a NaN constant: NaN coefficients, as the derivative transforms give
                out[i, 1:] = c
    return out, out_shape


def _check(t, n, order, K, tag):
    if t not in (tag, 0):
        raise _Conflict(((t, n, order), (tag, K, _TAYLOR)))
    if order != _TAYLOR or n != K:
        raise ValueError(f"the function returned a number of width {n} and order {order}, but "
                         f"the input was seeded with Taylor numbers of order {K}")
