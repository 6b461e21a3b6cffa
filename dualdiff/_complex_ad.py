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
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from dualdiff import _complex, _nesting, _seeding, _trees
from dualdiff._complex import ComplexDual, _make, _promote, _seed, array
from dualdiff._dual import _set_complex_hook
from dualdiff._nesting import NestingError

_calls = itertools.count(1)  # call ids of the complex runs (see _complex.NESTED)
_SECOND_INSIDE = ("complex numbers of a running transform met a transform that cannot run "
                  "inside it: taylor on complex numbers does not nest (the first-order "
                  "transforms, hessian, hvp and wirtinger do)")


def met_complex(e: BaseException) -> bool:
    """Whether the real pass stopped at a complex number (input, value or result)."""
    return isinstance(e, TypeError) and "complex" in str(e)


def _flatten(x):
    """(flat values, shape or None for a number, whether complex)."""
    if _parent(x) is not None:
        raise NestingError(_SECOND_INSIDE)
    if type(x).__module__.startswith("dualdiff") or (
            isinstance(x, (list, tuple)) and any(type(i).__module__.startswith("dualdiff") for i in x)):
        # the real numbers of a running transform: it reruns f on complex numbers, and so
        # calls this transform again, on complex numbers
        raise TypeError("complex numbers met inside a nested transform")
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
    call = next(_calls)
    xin = _seed(flat.reshape(vshape), t, h, holomorphic, nan_safe, call)
    if order == 1:
        _complex.RUNNING[call] = (n, nan_safe, holomorphic)
    else:
        _complex.SECOND.add(call)
    try:
        y = f(xin, *args, **kwargs)
        v, tan, hess = _read(y, n, order, holomorphic, call)
    except _complex.Conflict as e:
        other = e.calls - {call}
        mine = call in e.calls
        if mine and len(other) == 1 and min(other) in _complex.RUNNING:
            raise _Nest(min(other)) from None  # f holds numbers of a running call
        if mine and (other & set(_complex.NESTED) or other & _complex.SECOND):
            raise _Deeper() from None  # numbers of a running nested or second-order call
        raise
    finally:
        _complex.RUNNING.pop(call, None)
        _complex.SECOND.discard(call)
    return v, tan, hess, np.shape(v), shape


class _Deeper(NestingError):
    """f met the numbers of a running nested call (second-order complex dual
    numbers): the transform runs one level deeper (dualdiff/_third.py)."""

    def __init__(self):
        super().__init__("complex dual numbers of a nested transform met a transform that "
                         "does not run inside it")


def _third(verb, f, x, v, args, kwargs, holomorphic):
    """(value, derivative) of a first-order transform nested in a nested call
    (or in hessian) on complex numbers: dualdiff/_third.py."""
    from dualdiff import _third as third
    if verb == "jvp":
        return third.nested("jvp", f, x, args, kwargs, v, holomorphic)
    both = "value_and_grad" if verb in ("grad", "value_and_grad") else "value_and_jacobian"
    return third.nested(both, f, x, args, kwargs, None, holomorphic)


class _Nest(NestingError):
    """f met the complex dual numbers of the running call ``parent``: the
    transform reruns nested in it (see nested)."""

    def __init__(self, parent):
        super().__init__(_SECOND_INSIDE)  # what it says where no transform catches it
        self.parent = parent


def _read(y, n, order, holomorphic, call):
    if isinstance(y, dict) or (isinstance(y, (list, tuple)) and _trees.is_out_node(y)):
        raise _seeding.TreeResult("the function being differentiated returned "
                                  f"{'a dict' if isinstance(y, dict) else 'arrays of different shapes'}")
    if isinstance(y, (list, tuple)):
        y = array(y)
    if isinstance(y, ComplexDual):
        if y.n != n or y.holomorphic != holomorphic or y.order != order or y.call not in (0, call):
            raise ValueError("f returned complex dual numbers of another derivative call")
        return np.asarray(y.value), y.tangent, y.hessian
    a = np.asarray(y) if y is not None and not isinstance(y, (str, bytes)) else None
    if a is None or a.dtype.kind not in "biufc":
        raise TypeError(f"the function being differentiated returned {type(y).__name__}; "
                        "it must return numbers, complex dual numbers, or sequences or arrays of them")
    shape = a.shape
    a = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    return a, np.zeros((n,) + shape, a.dtype), (np.zeros((n, n) + shape, a.dtype) if order == 2 else None)


def _parent(x):
    """The complex dual numbers of a running transform that x holds, as one
    ComplexDual (None when x holds none)."""
    if isinstance(x, ComplexDual):
        return x
    if isinstance(x, (list, tuple)) and _holds(x):
        return array(x)
    return None


def _holds(x):
    return isinstance(x, ComplexDual) or (isinstance(x, (list, tuple)) and any(map(_holds, x)))


def nested(verb, f, x, v, args, kwargs, holomorphic, parent=None):
    """A first-order transform called on the complex dual numbers of a running
    first-order call P (the parent, p real directions ε): f runs once on
    second-order complex numbers over the p + k directions (ε, δ), δ the k
    directions of this call, and the result's value, δ-derivatives and cross
    derivatives ε·δ come back as numbers of the parent (as in _nesting.py for
    real numbers; the ε·ε part is never read). ``parent``: the call whose
    numbers f holds when x holds none of them."""
    P = _parent(x)
    if P is None:  # a plain x: constant numbers of the parent
        flat, shape, _ = _flatten(x)
        like = _parent(v)
        if like is None:
            p, nan_safe, holo = _complex.RUNNING[parent]
            like = _seed(0.0, np.zeros(p), None, holo, nan_safe, parent)
        P = _make(flat.reshape(shape or ())[()], np.zeros((like.n,) + (shape or ())), None, like)
    if P.call == 0:
        raise NestingError(
            f"{verb}(f) at complex dual numbers made by hand (ComplexDual(...)): a transform "
            "takes plain numbers, or the numbers of a transform it runs inside")
    if P.order != 1:  # numbers of hessian or of a nested call: a total order of three
        return _third(verb, f, x, v, args, kwargs, holomorphic)
    p, xs = P.n, np.shape(P.value)
    N = int(np.prod(xs, dtype=np.int64))
    is_complex = np.iscomplexobj(P.value)
    cross = None
    if verb == "jvp":
        V = _parent(v)
        vv = np.asarray(V.value if V is not None else v)
        if vv.shape != xs:
            raise ValueError(f"jvp: v has shape {vv.shape}, x has shape {xs}")
        D = vv.reshape(1, N)
        if V is not None:
            if V.call != P.call or V.order != 1 or V.n != p:
                raise ValueError("jvp: v holds complex dual numbers of another transform")
            cross = V.tangent
    elif is_complex and not holomorphic:
        if verb not in ("grad", "value_and_grad"):
            raise _needs_holomorphic(verb)
        D = np.concatenate([np.eye(N), 1j * np.eye(N)])  # df/dx and df/dy: JAX's real gradient
    else:
        D = np.eye(N)
    k = D.shape[0]
    dtype = np.result_type(P.tangent, D, np.asarray(P.value))
    # chunks of inner directions, as in _nesting._nested (only ε·δ is read)
    c = max(1, min(k, max(_nesting.CHUNK, p)))
    dv, dh = [], []
    for j0 in range(0, max(k, 1), c):
        kc = min(c, k - j0)
        w = p + kc
        T = np.empty((w,) + xs, dtype)
        T[:p], T[p:] = P.tangent, D[j0:j0 + kc].reshape((kc,) + xs)
        H = np.zeros((w, w) + xs, dtype)
        if cross is not None:  # x(ε, δ) = x + ε dx + δ v + ε δ dv/dε
            H[:p, p], H[p, :p] = cross, cross
        call = next(_calls)
        xin = _seed(P.value, T, H, P.holomorphic, P.nan_safe, call)
        _complex.NESTED[call] = P.call
        try:
            y = f(xin, *args, **kwargs)
            if isinstance(y, (list, tuple)) and not _trees.is_out_node(y):
                y = array(y)
            if isinstance(y, ComplexDual) and y.call == P.call:  # never reached by δ
                y = _promote(y, xin)
            yv, yt, yh = _read(y, w, 2, P.holomorphic, call)
        except _complex.Conflict as e:
            if call not in e.calls:
                raise
            # numbers of this call met those of a call outside the parent: the
            # parent's call is the one that must nest (see _run)
            raise _complex.Conflict((e.calls - {call}) | {P.call}) from None
        finally:
            del _complex.NESTED[call]
        dv.append(yt[p:])  # (kc,) + out
        dh.append(yh[:p, p:])  # (p, kc) + out
    dv, dh = np.concatenate(dv), np.concatenate(dh, axis=1)
    out = np.shape(yv)

    def parent(value, tangent):  # numbers of P: value (out shape), tangent (p,) + shape
        value = np.asarray(value)
        return _make(value[()] if value.ndim == 0 else value, np.asarray(tangent), None, P)
    val = parent(yv, yt[:p])
    if verb == "jvp":
        return val, parent(dv[0], dh[:, 0])
    if verb in ("grad", "value_and_grad"):
        _seeding.require_one_entry(verb, out)
        dv, dh = dv.reshape(k), dh.reshape(p, k)
        if not (holomorphic and is_complex):  # a real-valued f
            if np.any(np.imag(yv) != 0) or np.any(np.imag(dv) != 0):
                raise TypeError(f"{verb}(f) needs a real-valued f, and f returned a complex "
                                "number; use jacobian(f) for the complex derivatives of a "
                                "complex-valued f")
            dv, dh, val = np.real(dv), np.real(dh), parent(np.real(yv), np.real(yt[:p]))
            if D.dtype.kind == "c":  # df/dx - i df/dy
                dv, dh = dv[:N] - 1j * dv[N:], dh[:, :N] - 1j * dh[:, N:]
        return val, parent(dv.reshape(xs), dh.reshape((p,) + xs))
    J = parent(np.moveaxis(dv, 0, -1).reshape(out + xs),
               np.moveaxis(dh, 1, -1).reshape((p,) + out + xs))
    return val, J


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


def _tree_input(x):
    """The Tree of a list or tuple x that is a tree (parts of different
    shapes, or real and complex arrays, which keep their kinds), else None:
    the compiled fast paths hand x over as given."""
    if isinstance(x, (list, tuple)):
        return _trees.tree_of(x)
    return None


def jacobian(verb, f, x, args, kwargs, holomorphic, nan_safe):
    """(value, Jacobian) on complex numbers, for derivative, jacobian and grad."""
    tree = _tree_input(x)
    if tree is not None:
        value, d = jacobian(verb, tree.wrap(f), tree.flat(), args, kwargs, holomorphic, nan_safe)
        lead = () if verb in ("grad", "value_and_grad") else np.shape(value)
        return value, tree.gradient(d if isinstance(d, ComplexDual) else np.asarray(d), lead)
    if _parent(x) is not None:
        return nested(verb, f, x, None, args, kwargs, holomorphic)
    try:
        return _jacobian(verb, f, x, args, kwargs, holomorphic, nan_safe)
    except _Nest as e:
        if e.parent not in _complex.RUNNING:  # raised by a transform inside f
            raise
        return nested(verb, f, x, None, args, kwargs, holomorphic, e.parent)
    except _Deeper:
        return _third(verb, f, x, None, args, kwargs, holomorphic)


def _jacobian(verb, f, x, args, kwargs, holomorphic, nan_safe):
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
        try:
            fx, fy, v, out_shape, x_shape = _partials(f, z, args, kwargs, nan_safe)
        except NestingError:  # inside a transform that holds z or f's numbers
            return _nested_wirtinger(f, z, args, kwargs, nan_safe)
        dz = _jac_layout((fx - 1j * fy) / 2, out_shape, x_shape)
        dzbar = _jac_layout((fx + 1j * fy) / 2, out_shape, x_shape)
        return _result(np.asarray(dz, dtype=np.complex128)), _result(np.asarray(dzbar, dtype=np.complex128))
    name = getattr(f, "__name__", type(f).__name__)
    w.__name__ = w.__qualname__ = f"wirtinger({name})"
    w.__doc__ = f"The Wirtinger derivatives of {name} (made by dualdiff.wirtinger)."
    setattr(w, "__wrapped__", f)
    return w


def _nested_wirtinger(f, z, args, kwargs, nan_safe):
    """The Wirtinger derivatives by jvp along the real and the imaginary axis
    of each entry of z: jvp nests in the transforms that f or z hold numbers of."""
    from dualdiff import jvp as public_jvp
    P = _parent(z)
    shape = np.shape(P.value) if P is not None else np.shape(z)
    g = lambda y: f(y, *args, **kwargs)  # noqa: E731
    dz, dzbar = [], []
    for k in range(int(np.prod(shape, dtype=np.int64))):
        e = np.zeros(shape)
        e.reshape(-1)[k] = 1.0
        e = e[()] if e.ndim == 0 else e
        fx = public_jvp(g, z, e, nan_safe=nan_safe)[1]
        fy = public_jvp(g, z, 1j * e, nan_safe=nan_safe)[1]
        dz.append((fx - 1j * fy) * 0.5)
        dzbar.append((fx + 1j * fy) * 0.5)
    if shape == ():
        return dz[0], dzbar[0]

    def layout(parts):  # out shape + z's shape
        a = array(parts)
        return np.moveaxis(a, 0, -1).reshape(np.shape(a)[1:] + shape)
    return layout(dz), layout(dzbar)


def jvp(f, x, v, args, kwargs, nan_safe):
    """(f(x), d/dt f(x + t v)) on complex numbers (x or v complex, or f meets one)."""
    tree = _tree_input(x)
    if tree is not None:
        vflat = tree.flat_like(v)
        return jvp(tree.along(v).wrap(f), tree.flat(), vflat, args, kwargs, nan_safe)
    if _parent(x) is not None or _parent(v) is not None:
        return nested("jvp", f, x, v, args, kwargs, False)
    try:
        return _jvp(f, x, v, args, kwargs, nan_safe)
    except _Nest as e:
        if e.parent not in _complex.RUNNING:  # raised by a transform inside f
            raise
        return nested("jvp", f, x, v, args, kwargs, False, e.parent)
    except _Deeper:
        return _third("jvp", f, x, v, args, kwargs, False)


def _jvp(f, x, v, args, kwargs, nan_safe):
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
    numbers inside f, or complex x with holomorphic=True (d2f/dz2). Inside a
    transform running on complex numbers: jacobian(jacobian(f)), which nests."""
    if _parent(x) is not None:
        return _nesting._second_by_first("hessian", f, x, args, kwargs, nan_safe, None, holomorphic)
    try:
        return _second(verb, f, x, args, kwargs, holomorphic, nan_safe)
    except (_Nest, _Deeper):  # f holds numbers of a running transform
        return _nesting._second_by_first("hessian", f, x, args, kwargs, nan_safe, None, holomorphic)


def _second(verb, f, x, args, kwargs, holomorphic, nan_safe):
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
