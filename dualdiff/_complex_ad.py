"""The transforms on complex numbers: complex inputs, and complex numbers inside f.

The transforms first run ``f`` on real dual numbers. When ``x`` is complex,
or ``f`` meets a complex number on the way (``1j * x``, ``np.fft.fft``, a
complex result), they run ``f`` again on complex dual numbers
(:class:`~dualdiff.ComplexDual`), which is what this module does. The
conventions follow JAX:

- ``jvp`` is defined for any function: the tangent is d/dt f(x + t v) for a
  real t, for complex x and v too.
- Real x with complex results: complex derivatives (``jacobian`` as JAX's
  ``jacfwd``).
- Complex x: ``derivative``, ``jacobian`` (and ``grad`` of a complex-valued
  f) give the complex derivative df/dz and need ``holomorphic=True``, a
  promise that f is holomorphic; a function that is not (conj, abs, real,
  imag, angle) then raises TypeError. Without it they raise a TypeError that
  says what to pass.
- ``grad`` of a real-valued f of complex z: df/dx - i df/dy for z = x + i y
  (JAX's convention: twice the Wirtinger derivative df/dz, the conjugate of
  the direction of steepest ascent: step along ``-conj(grad(f)(z))`` to
  descend).
- :func:`wirtinger` gives both Wirtinger derivatives, (df/dz, df/dconj(z)),
  of any f.
"""
from collections.abc import Callable
from typing import Any

import numpy as np

from dualdiff import _seeding, _trees
from dualdiff._complex import ComplexDual, _seed, array
from dualdiff._dual import _set_complex_hook


def met_complex(e: BaseException) -> bool:
    """Whether the real pass stopped at a complex number (input, value or result)."""
    return isinstance(e, TypeError) and "complex" in str(e)


def _flatten(x):
    """(flat values, shape or None for a number, whether complex)."""
    if isinstance(x, ComplexDual) or type(x).__module__.startswith("dualdiff") or (
            isinstance(x, (list, tuple)) and any(type(i).__module__.startswith("dualdiff") for i in x)):
        from dualdiff._nesting import NestingError
        raise NestingError("complex numbers met inside a nested transform: complex dual numbers "
                           "do not nest (differentiate the real and imaginary parts apart)")
    a = np.asarray(x)
    if a.dtype.kind not in "biufc":
        raise TypeError(f"x must be numbers (real or complex), not {a.dtype}")
    is_complex = a.dtype.kind == "c"
    a = a.astype(np.complex128 if is_complex else np.float64)
    scalar = a.ndim == 0 and not isinstance(x, (list, tuple, np.ndarray))
    return a.reshape(-1), (None if scalar else a.shape), is_complex


def _run(f, x, args, kwargs, directions, holomorphic, nan_safe, order=1):
    """f on complex dual numbers seeded with ``directions`` (shape (n, size)):
    (value, tangent (n,) + out shape, hessian or None, out shape, x shape)."""
    flat, shape, _ = _flatten(x)
    n = directions.shape[0]
    vshape = () if shape is None else shape
    t = directions.reshape((n,) + vshape)
    h = np.zeros((n, n) + vshape, dtype=t.dtype) if order == 2 else None
    xin = _seed(flat.reshape(vshape), t, h, holomorphic, nan_safe)
    y = f(xin, *args, **kwargs)
    v, tan, hess = _read(y, n, order, holomorphic)
    return v, tan, hess, np.shape(v), shape


def _read(y, n, order, holomorphic):
    if isinstance(y, dict) or (isinstance(y, (list, tuple)) and _trees.is_out_node(y)):
        raise _seeding.TreeResult("the function being differentiated returned "
                                  f"{'a dict' if isinstance(y, dict) else 'arrays of different shapes'}")
    if isinstance(y, (list, tuple)):
        y = array(y)
    if isinstance(y, ComplexDual):
        if y.n != n or y.holomorphic != holomorphic or y.order != order:
            raise ValueError("f returned complex dual numbers of another derivative call")
        return np.asarray(y.value), y.tangent, y.hessian
    a = np.asarray(y) if y is not None and not isinstance(y, (str, bytes)) else None
    if a is None or a.dtype.kind not in "biufc":
        raise TypeError(f"the function being differentiated returned {type(y).__name__}; "
                        "it must return numbers, complex dual numbers, or sequences or arrays of them")
    shape = a.shape
    a = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    return a, np.zeros((n,) + shape, a.dtype), (np.zeros((n, n) + shape, a.dtype) if order == 2 else None)


def _result(a):
    a = np.asarray(a)
    if a.ndim == 0:
        return complex(a) if a.dtype.kind == "c" else float(a)
    return np.ascontiguousarray(a)


def _needs_holomorphic(verb):
    return TypeError(
        f"{verb}(f) at a complex x gives the complex derivative df/dz, which exists only for "
        f"holomorphic f: pass {verb}(f, holomorphic=True) if f is holomorphic; otherwise use "
        "dualdiff.wirtinger(f) for df/dz and df/dconj(z), or dualdiff.jvp for directional "
        "derivatives" + (", or grad(f) of a real-valued f" if verb != "grad" else ""))


def _jac_layout(tan, out_shape, x_shape):
    """tangent (n,) + out shape -> out shape + x shape."""
    j = np.moveaxis(tan, 0, -1) if tan.ndim > 1 else tan
    return j.reshape(out_shape + (() if x_shape is None else x_shape))


def jacobian(verb, f, x, args, kwargs, holomorphic, nan_safe):
    """(value, Jacobian) on complex numbers, for derivative, jacobian and grad."""
    flat, shape, is_complex = _flatten(x)
    if is_complex and not holomorphic:
        if verb in ("grad", "value_and_grad"):
            return _real_grad(verb, f, x, args, kwargs, nan_safe)
        raise _needs_holomorphic(verb)
    n = flat.shape[0]
    directions = np.eye(n, dtype=flat.dtype)
    v, tan, _, out_shape, x_shape = _run(f, x, args, kwargs, directions, holomorphic and is_complex,
                                         nan_safe)
    if v.dtype.kind == "c":  # a complex result has complex derivatives, as in JAX
        tan = tan.astype(np.complex128)
    if verb in ("grad", "value_and_grad"):
        if not (holomorphic and is_complex) and (np.any(np.imag(v) != 0)
                                                 or np.any(np.imag(tan) != 0)):
            raise TypeError(f"{verb}(f) needs a real-valued f, and f returned a complex number; "
                            "use jacobian(f) for the complex derivatives of a complex-valued f "
                            "(and holomorphic=True for a complex x)")
        _seeding.require_one_entry(verb, out_shape)
        if not (holomorphic and is_complex):
            v, tan = np.real(v), np.real(tan)
        out_shape = ()  # the derivatives of the one entry
    return _result(v), _result(_jac_layout(tan, out_shape, x_shape))


def _real_grad(verb, f, x, args, kwargs, nan_safe):
    """grad of a real-valued f at complex x: df/dx - i df/dy (JAX's convention)."""
    fx, fy, v, out_shape, x_shape = _partials(f, x, args, kwargs, nan_safe)
    if np.any(np.imag(v) != 0) or np.any(np.imag(fx) != 0) or np.any(np.imag(fy) != 0):
        raise TypeError(f"{verb}(f) at a complex x needs a real-valued f (or holomorphic=True for "
                        "the complex derivative of a holomorphic f); use wirtinger(f) for the "
                        "Wirtinger derivatives of a complex-valued f")
    _seeding.require_one_entry(verb, out_shape, "wirtinger(f)")
    g = np.real(fx) - 1j * np.real(fy)
    return _result(np.real(v)), _result(_jac_layout(g, (), x_shape))


def _partials(f, x, args, kwargs, nan_safe):
    """The derivatives along the real and the imaginary axis of each entry of x."""
    flat, shape, _ = _flatten(x)
    n = flat.shape[0]
    eye = np.eye(n, dtype=np.complex128)
    directions = np.concatenate([eye, 1j * eye])
    z = complex(flat[0]) if shape is None else flat.astype(np.complex128).reshape(shape)
    v, tan, _, out_shape, x_shape = _run(f, z, args, kwargs, directions, False, nan_safe)
    return tan[:n], tan[n:], v, out_shape, x_shape


def wirtinger(f: Callable[..., Any], *, nan_safe: bool = True) -> Callable[..., Any]:
    """wirtinger(f, *, nan_safe=True) -> w

    The Wirtinger derivatives of ``f`` with respect to its first argument:
    ``w(z, *args, **kwargs)`` returns ``(df/dz, df/dconj(z))``, each of shape
    ``out.shape + z.shape`` (complex numbers for scalars), where for
    z = x + i y

        df/dz = (df/dx - i df/dy) / 2,   df/dconj(z) = (df/dx + i df/dy) / 2.

    ``f`` need not be holomorphic (for a holomorphic f, df/dconj(z) is 0 and
    df/dz is f'(z)); ``z`` may be real or complex, a number, a list or an
    array. ``f`` runs once, on complex dual numbers with two real directions
    per entry of ``z``.

    >>> import numpy as np, dualdiff
    >>> dualdiff.wirtinger(lambda z: z * np.conj(z))(3 + 4j)
    ((3-4j), (3+4j))
    """
    def w(z, *args, **kwargs):
        fx, fy, v, out_shape, x_shape = _partials(f, z, args, kwargs, nan_safe)
        dz = _jac_layout((fx - 1j * fy) / 2, out_shape, x_shape)
        dzbar = _jac_layout((fx + 1j * fy) / 2, out_shape, x_shape)
        return _result(np.asarray(dz, dtype=np.complex128)), _result(np.asarray(dzbar, dtype=np.complex128))
    name = getattr(f, "__name__", type(f).__name__)
    w.__name__ = w.__qualname__ = f"wirtinger({name})"
    w.__doc__ = f"The Wirtinger derivatives of {name} (made by dualdiff.wirtinger)."
    setattr(w, "__wrapped__", f)
    return w


def jvp(f, x, v, args, kwargs, nan_safe):
    """(f(x), d/dt f(x + t v)) on complex numbers (x or v complex, or f meets one)."""
    flat, shape, _ = _flatten(x)
    vflat, vshape, _ = _flatten(v)
    if (shape or ()) != (vshape or ()):
        raise ValueError(f"jvp: v has shape {vshape or ()}, x has shape {shape or ()}")
    dtype = np.result_type(flat.dtype, vflat.dtype)
    val, tan, _, out_shape, _ = _run(f, x, args, kwargs, vflat.astype(dtype).reshape(1, -1),
                                     False, nan_safe)
    return _result(val), _result(tan[0])


def second(verb, f, x, args, kwargs, holomorphic, nan_safe):
    """The Hessian (or second derivative) on complex numbers: real x with complex
    numbers inside f, or complex x with holomorphic=True (d2f/dz2)."""
    flat, shape, is_complex = _flatten(x)
    if is_complex and not holomorphic:
        raise _needs_holomorphic(verb)
    n = flat.shape[0]
    v, tan, hess, out_shape, x_shape = _run(f, x, args, kwargs, np.eye(n, dtype=flat.dtype),
                                            holomorphic and is_complex, nan_safe, order=2)
    xs = () if x_shape is None else x_shape
    h = np.moveaxis(np.moveaxis(hess, 0, -1), 0, -1).reshape(out_shape + xs + xs)
    if verb == "hessian" and not (holomorphic and is_complex):
        if np.any(np.imag(h) != 0) or np.any(np.imag(v) != 0):
            raise TypeError("hessian(f) at a real x needs a real-valued f; f returned a complex "
                            "number")
        h = np.real(h)
    return _result(h)


def retry(verb, f, args, kwargs, error, nan_safe, holomorphic=False):
    """The fast paths' handoff: rerun on complex numbers when the real pass met one."""
    if not met_complex(error):
        raise error
    if verb in ("derivative", "grad", "value_and_grad"):
        value, d = jacobian(verb, f, args[0], args[1:], kwargs, holomorphic, nan_safe)
        return (value, d) if verb == "value_and_grad" else d
    if verb == "hessian":
        return second(verb, f, args[0], args[1:], kwargs, holomorphic, nan_safe)
    raise error


_set_complex_hook(retry)
