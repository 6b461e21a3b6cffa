"""derivative: the derivative of a function of one real variable."""
from collections.abc import Callable
from typing import Any

import numpy as np

from dualdiff import _complex_ad, _nesting, _seeding
from dualdiff._dual import _Conflict, _Derivative, _peek_tag, _read_scalar, _seed_scalar
from dualdiff._trace import Traced


def derivative(f: Callable[..., Any], *, order: int = 1, nan_safe: bool = True,
               holomorphic: bool = False) -> Callable[..., Any]:
    """derivative(f, *, order=1, nan_safe=True, holomorphic=False) -> df

    The derivative of ``f`` with respect to its first argument, a real number.
    With ``order=k``, the k-th derivative, from one evaluation of ``f`` on
    Taylor numbers of degree k (see :func:`taylor`).

    ``df(x, *args, **kwargs)`` evaluates ``f(x, *args, **kwargs)`` once with a
    Dual in place of ``x`` and returns ``f'(x)``: a float when ``f`` returns a
    number, a float64 array shaped like the result when ``f`` returns a
    sequence or array. Extra arguments pass through to ``f`` untouched.
    ``nan_safe=False`` multiplies tangents by infinite or NaN partial
    derivatives as plain IEEE doubles (0 * inf = NaN), as most AD tools do,
    instead of keeping a zero tangent 0 (see "Conventions" in the README).

    Complex numbers: at a real ``x``, a complex-valued ``f`` has a complex
    derivative (``f`` runs again, on complex dual numbers, when it meets a
    complex number); at a complex ``x``, ``holomorphic=True`` (the promise
    that ``f`` is holomorphic) gives f'(z), first or second order; see
    "Complex numbers" in the documentation.

    >>> import dualdiff
    >>> dualdiff.derivative(lambda x: x ** 3)(2.0)
    12.0
    >>> dualdiff.derivative(lambda x: x ** 3, order=3)(2.0)
    6.0
    """
    if isinstance(f, Traced):
        return f._transform("derivative", order=order, nan_safe=nan_safe)
    if isinstance(order, bool) or not isinstance(order, int) or order != 1:
        return _higher(f, order, nan_safe, holomorphic)

    def general(args, kwargs, y=None, tag=None):
        # Everything but a float x with a Dual result (which _Derivative reads itself).
        if args is None:
            return _finish(y, tag)
        if not args:
            raise TypeError("derivative(f) needs the point x as its first argument")
        start = _peek_tag()
        try:
            x = _scalar(args[0])
            tag = _seeding.new_tag(nan_safe)
            return _finish(_seeding.call_f(f, _seed_scalar(x, 1, tag), args[1:], kwargs, tag), tag)
        except _Conflict as e:  # nested in a running transform (see _nesting.py)
            return _nesting.rerun("derivative", f, args[0], args[1:], kwargs, e, start, nan_safe)
        except TypeError as e:
            return _complex_ad.retry("derivative", f, args, kwargs, e, nan_safe, holomorphic)

    def _finish(y, tag):
        r = _read_scalar(y, 1, tag)
        if r is not None:
            return r[1]
        # an array-valued f
        items, shape = _seeding.output_items(y)
        value = np.empty(len(items))
        tangent = np.empty((len(items), 1))
        _seeding.read_into(items, 1, 1, tag, value, tangent)
        return _seeding.as_result(tangent, shape)
    name = getattr(f, "__name__", type(f).__name__)
    return _Derivative(f, general, f"derivative({name})",
                       f"The derivative of {name} (made by dualdiff.derivative).", nan_safe)


def _scalar(x):
    """x as a float, or a clear error."""
    if isinstance(x, (int, np.integer)) or isinstance(x, (float, np.floating)):
        return float(x)
    if isinstance(x, np.ndarray) and x.shape == () and x.dtype.kind in "biuf":
        return float(x)
    flat, shape = _seeding.flatten(x)  # raises on Duals, complex, strings
    if shape is not None:
        raise TypeError(f"derivative(f) needs a real number x, not an array of shape {shape}; "
                        "use jacobian(f) or grad(f) for arrays")
    return float(flat[0])


def _rename(g, f, verb):
    """Name the transformed function after f and the verb."""
    name = getattr(f, "__name__", type(f).__name__)
    g.__name__ = f"{verb}({name})"
    g.__qualname__ = g.__name__
    g.__doc__ = f"The {verb} of {name} (made by dualdiff.{verb})."
    g.__wrapped__ = f


def _higher(f, order, nan_safe=True, holomorphic=False):
    """derivative(f, order=k) for k != 1: k! times Taylor coefficient k."""
    from dualdiff import _taylor
    k = _taylor._check_order(order, "derivative")

    def dk(x, *args, **kwargs):
        try:
            return _taylor.nth_derivative(f, _scalar(x), k, args, kwargs)
        except TypeError as e:
            if not _complex_ad.met_complex(e):
                raise
            if k == 2:
                return _complex_ad.second("derivative", f, x, args, kwargs, holomorphic, nan_safe)
            if np.iscomplexobj(x) and not holomorphic:
                raise _complex_ad._needs_holomorphic("derivative") from None
            # along the real axis: the k-th complex derivative of a holomorphic f
            return _taylor.nth_derivative(f, x, k, args, kwargs)
    _rename(dk, f, "derivative")
    return dk
