"""Complex numbers under taylor and derivative(f, order=k): pairs of real Taylor numbers.

A complex number z = x + i y whose parts x and y are real Taylor numbers
(Duals or dual arrays of the running taylor call, or plain numbers): every
operation is written in real operations of the parts, which the C rules of
the real Taylor numbers carry to any order, e.g.

    exp(x + i y) = exp(x) cos(y) + i exp(x) sin(y),
    log(x + i y) = log(hypot(x, y)) + i arctan2(y, x).

These are real-analytic in (x, y), so the coefficients are exact wherever
the real rules are (away from z = 0 for log, sqrt and abs, and off the branch
cuts, where NumPy's principal values hold). The Taylor variable t is real, so
conj, real, imag, abs and angle have coefficients too. Linear NumPy functions
apply to each part; bilinear ones (dot, matmul, outer, tensordot, einsum, kron)
expand (a + i b)(c + i d); the FFTs run NumPy's FFT on the coefficients.
"""
import numbers

import numpy as np

from dualdiff._dual import Dual
from dualdiff._ndarray import DualArray, _live, _wrap

__all__ = ["ComplexTaylor", "read"]


class ComplexTaylor:
    """A complex number (or array) whose real and imaginary parts are real
    Taylor numbers of one taylor call, or plain numbers."""

    __slots__ = ("re", "im")
    __array_priority__ = 1001

    def __init__(self, re, im):
        self.re, self.im = re, im

    # ----------------------------------------------------------- properties

    @property
    def shape(self):
        return np.shape(_value(self.re))

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def real(self):
        return self.re

    @property
    def imag(self):
        return self.im

    @property
    def T(self):
        return np.transpose(self)

    def conj(self):
        return _conj(self)

    conjugate = conj

    def __len__(self):
        return len(_value(self.re))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, idx):
        return ComplexTaylor(self.re[idx], self.im[idx])

    def __repr__(self):
        return f"ComplexTaylor(re={self.re!r}, im={self.im!r})"

    def __array__(self, dtype=None, copy=None):
        raise TypeError("complex Taylor numbers cannot become a plain array: their coefficients "
                        "would be lost; apply NumPy functions to them instead")

    def __bool__(self):
        raise TypeError("the truth value of a complex Taylor number is ambiguous")

    def sum(self, axis=None, keepdims=False):
        return np.sum(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        return np.reshape(self, shape[0] if len(shape) == 1 else shape)

    def ravel(self):
        return np.ravel(self)

    def transpose(self, *axes):
        return np.transpose(self, axes or None)

    # ------------------------------------------------------------ operators

    def __add__(self, o):
        return _add(self, o)

    def __radd__(self, o):
        return _add(o, self)

    def __sub__(self, o):
        return _add(self, _neg(o))

    def __rsub__(self, o):
        return _add(o, _neg(self))

    def __mul__(self, o):
        return _mul(self, o)

    def __rmul__(self, o):
        return _mul(o, self)

    def __truediv__(self, o):
        return _div(self, o)

    def __rtruediv__(self, o):
        return _div(o, self)

    def __pow__(self, o):
        return _pow(self, o)

    def __rpow__(self, o):
        return _pow(o, self)

    def __neg__(self):
        return _neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return np.hypot(self.re, self.im)

    def __matmul__(self, o):
        return _bilinear(np.matmul, self, o)

    def __rmatmul__(self, o):
        return _bilinear(np.matmul, o, self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        rule = _UFUNCS.get(ufunc)
        if method != "__call__" or kwargs or rule is None:
            raise TypeError(f"numpy.{ufunc.__name__} ({method}) of complex Taylor numbers is not "
                            "supported")
        return rule(*inputs)

    def __array_function__(self, func, types, args, kwargs):
        rule = _FUNCTIONS.get(func)
        if rule is None:
            raise TypeError(f"numpy.{func.__name__} of complex Taylor numbers is not supported "
                            "(taylor and derivative(f, order=k) with complex numbers take "
                            "arithmetic, the elementary functions, and the linear and bilinear "
                            "NumPy functions)")
        return rule(*args, **kwargs)


# --------------------------------------------------------------- helpers


def _value(a):
    """The values of a part."""
    if isinstance(a, (Dual, DualArray)):
        return a.value
    return a


def _parts(o):
    """(re, im) of an operand: a ComplexTaylor, or a real or complex constant
    or real Taylor number."""
    if isinstance(o, ComplexTaylor):
        return o.re, o.im
    if isinstance(o, (Dual, DualArray)):
        return o, 0.0
    if isinstance(o, (list, tuple)):
        o = array(o)
        if isinstance(o, ComplexTaylor):
            return o.re, o.im
    if isinstance(o, (numbers.Number, np.generic, np.ndarray)):
        a = np.asarray(o)
        if a.dtype.kind not in "biufc":
            raise TypeError(f"unsupported operand for complex Taylor numbers: {a.dtype}")
        return (np.real(a), np.imag(a)) if a.dtype.kind == "c" else (o, 0.0)
    raise TypeError(f"unsupported operand for complex Taylor numbers: {type(o).__name__}")


def _add(a, b):
    (x, y), (u, v) = _parts(a), _parts(b)
    return ComplexTaylor(x + u, y + v)


def _neg(a):
    x, y = _parts(a)
    return ComplexTaylor(-x, -y)


def _mul(a, b):
    (x, y), (u, v) = _parts(a), _parts(b)
    return ComplexTaylor(x * u - y * v, x * v + y * u)


def _div(a, b):
    (x, y), (u, v) = _parts(a), _parts(b)
    d = u * u + v * v
    return ComplexTaylor((x * u + y * v) / d, (y * u - x * v) / d)


def _exp(a):
    x, y = _parts(a)
    e = np.exp(x)
    return ComplexTaylor(e * np.cos(y), e * np.sin(y))


def _log(a):
    x, y = _parts(a)
    return ComplexTaylor(np.log(np.hypot(x, y)), np.arctan2(y, x))


def _sqrt(a):
    """The principal root, from the stable half: re >= 0, im with y's sign."""
    x, y = _parts(a)
    r = np.hypot(x, y)
    if np.all(_value(x) >= 0):
        re = np.sqrt((r + x) / 2)
        return ComplexTaylor(re, y / (2 * re))
    if np.all(_value(x) < 0):
        im = np.sqrt((r - x) / 2) * np.copysign(1.0, _value(y))
        return ComplexTaylor(y / (2 * im), im)
    return _exp(_mul(0.5, _log(a)))


def _pow(a, b):
    if isinstance(b, (numbers.Integral, np.integer)) or (
            isinstance(b, (float, np.floating)) and float(b).is_integer() and abs(b) <= 64):
        k = int(b)  # an integer power: products, exact at 0 too
        if k == 0:
            shape = np.shape(_value(_parts(a)[0]))
            return ComplexTaylor(np.ones(shape), np.zeros(shape))
        out, base = None, a
        for bit in bin(abs(k))[:1:-1]:
            if bit == "1":
                out = base if out is None else _mul(out, base)
            base = _mul(base, base)
        return _div(1.0, out) if k < 0 else out
    return _exp(_mul(b, _log(a)))


def _sin(a):
    x, y = _parts(a)
    return ComplexTaylor(np.sin(x) * np.cosh(y), np.cos(x) * np.sinh(y))


def _cos(a):
    x, y = _parts(a)
    return ComplexTaylor(np.cos(x) * np.cosh(y), -np.sin(x) * np.sinh(y))


def _sinh(a):
    x, y = _parts(a)
    return ComplexTaylor(np.sinh(x) * np.cos(y), np.cosh(x) * np.sin(y))


def _cosh(a):
    x, y = _parts(a)
    return ComplexTaylor(np.cosh(x) * np.cos(y), np.sinh(x) * np.sin(y))


def _i(a):
    x, y = _parts(a)
    return ComplexTaylor(-y, x)


def _conj(a):
    x, y = _parts(a)
    return ComplexTaylor(x, -y)


def _arcsin(a):
    return _neg(_i(_log(_add(_i(a), _sqrt(_add(1.0, _neg(_mul(a, a))))))))


_UFUNCS = {
    np.add: _add,
    np.subtract: lambda a, b: _add(a, _neg(b)),
    np.multiply: _mul,
    np.true_divide: _div,
    np.negative: _neg,
    np.positive: lambda a: a,
    np.power: _pow,
    np.matmul: lambda a, b: _bilinear(np.matmul, a, b),
    np.square: lambda a: _mul(a, a),
    np.reciprocal: lambda a: _div(1.0, a),
    np.exp: _exp,
    np.expm1: lambda a: _add(_exp(a), -1.0),
    np.exp2: lambda a: _exp(_mul(np.log(2.0), a)),
    np.log: _log,
    np.log2: lambda a: _mul(1 / np.log(2.0), _log(a)),
    np.log10: lambda a: _mul(1 / np.log(10.0), _log(a)),
    np.log1p: lambda a: _log(_add(1.0, a)),
    np.sqrt: _sqrt,
    np.sin: _sin,
    np.cos: _cos,
    np.tan: lambda a: _div(_sin(a), _cos(a)),
    np.sinh: _sinh,
    np.cosh: _cosh,
    np.tanh: lambda a: _div(_sinh(a), _cosh(a)),
    # the inverse functions by their logarithms (NumPy's principal branches)
    np.arcsinh: lambda a: _log(_add(a, _sqrt(_add(_mul(a, a), 1.0)))),
    np.arccosh: lambda a: _log(_add(a, _mul(_sqrt(_add(a, 1.0)), _sqrt(_add(a, -1.0))))),
    np.arctanh: lambda a: _mul(0.5, _add(_log(_add(1.0, a)), _neg(_log(_add(1.0, _neg(a)))))),
    np.arcsin: _arcsin,
    np.arccos: lambda a: _add(np.pi / 2, _neg(_arcsin(a))),
    np.arctan: lambda a: _mul(0.5j, _add(_log(_add(1.0, _neg(_i(a)))), _neg(_log(_add(1.0, _i(a)))))),
    np.conjugate: _conj,
    np.absolute: lambda a: np.hypot(*_parts(a)),
}


# ------------------------------------------------------- NumPy functions


def _each(func):
    """A real-linear function: applied to each part."""
    def rule(a, *args, **kwargs):
        x, y = _parts(a)
        return ComplexTaylor(func(x, *args, **kwargs), func(_like(y, x), *args, **kwargs))
    return rule


def _like(y, x):
    """A part that is the constant 0 as an array of x's shape."""
    if isinstance(y, float) and y == 0.0:
        return np.zeros(np.shape(_value(x)))
    return y


def _bilinear(func, a, b, *args, **kwargs):
    (x, y), (u, v) = _parts(a), _parts(b)
    y, v = _like(y, x), _like(v, u)
    return ComplexTaylor(func(x, u, *args, **kwargs) - func(y, v, *args, **kwargs),
                         func(x, v, *args, **kwargs) + func(y, u, *args, **kwargs))


def _many(func):
    """np.concatenate and np.stack: the parts of a sequence."""
    def rule(arrays, *args, **kwargs):
        parts = [_parts(a) for a in arrays]
        return ComplexTaylor(func([p[0] for p in parts], *args, **kwargs),
                             func([_like(p[1], p[0]) for p in parts], *args, **kwargs))
    return rule


def _einsum(*operands, **kwargs):
    if not isinstance(operands[0], str) or len(operands) != 3:
        raise TypeError("numpy.einsum of complex Taylor numbers takes a subscripts string and "
                        "two operands")
    return _bilinear(lambda p, q: np.einsum(operands[0], p, q, **kwargs), operands[1], operands[2])


def _fft(func, nd=False, default_axes=None):
    """A transform of the FFT family: NumPy's FFT of every coefficient (the
    coefficients are a last axis, so negative axes move by one). 1-D
    transforms take (n, axis, norm), the others (s, axes, norm)."""
    names = ("s", "axes", "norm") if nd else ("n", "axis", "norm")

    def rule(a, *args, **kwargs):
        kw = dict(zip(names, args), **kwargs)
        x, y = _parts(a)
        spec = next((p._spec for p in (x, y) if isinstance(p, DualArray)), None)
        if spec is None:
            r = func(np.asarray(x) + 1j * np.asarray(y), **kw)
            return ComplexTaylor(np.real(r), np.imag(r))
        shape = np.shape(_value(x))
        if not nd:
            axis = kw.get("axis", -1)
            kw["axis"] = axis - 1 if axis < 0 else axis
        else:
            axes = kw.get("axes", default_axes)
            if axes is None:  # all axes, or the last len(s)
                s = kw.get("s")
                axes = tuple(range(-(len(shape) if s is None else len(s)), 0))
            kw["axes"] = tuple(i - 1 if i < 0 else i for i in axes)
        z = _coefficients(x, shape, spec) + 1j * _coefficients(y, shape, spec)
        r = func(z, **kw)
        return ComplexTaylor(_wrap(np.ascontiguousarray(r.real), spec),
                             _wrap(np.ascontiguousarray(r.imag), spec))
    return rule


def _coefficients(p, shape, spec):
    """A part as its coefficient buffer, shape + (K + 1,)."""
    if isinstance(p, DualArray):
        return _live(p)
    out = np.zeros(shape + (spec.m,))
    out[..., 0] = p
    return out


def _angle(a, deg=False):
    x, y = _parts(a)
    r = np.arctan2(y, x)
    return r * (180 / np.pi) if deg else r


_FUNCTIONS = {
    np.real: lambda a: _parts(a)[0],
    np.imag: lambda a: _parts(a)[1],
    np.conj: _conj,
    np.conjugate: _conj,
    np.angle: _angle,
    np.dot: lambda a, b: _bilinear(np.dot, a, b),
    np.vdot: lambda a, b: _bilinear(np.dot, _conj(np.ravel(a)), np.ravel(b)),
    np.inner: lambda a, b: _bilinear(np.inner, a, b),
    np.outer: lambda a, b: _bilinear(np.outer, a, b),
    np.matmul: lambda a, b: _bilinear(np.matmul, a, b),
    np.kron: lambda a, b: _bilinear(np.kron, a, b),
    np.convolve: lambda a, v, mode="full": _bilinear(lambda p, q: np.convolve(p, q, mode), a, v),
    # correlate conjugates v: on the real and imaginary parts, correlate with conj(v)
    np.correlate: lambda a, v, mode="valid": _bilinear(lambda p, q: np.correlate(p, q, mode),
                                                       a, _conj(v)),
    np.tensordot: lambda a, b, axes=2: _bilinear(np.tensordot, a, b, axes=axes),
    np.einsum: _einsum,
    np.concatenate: _many(np.concatenate),
    np.stack: _many(np.stack),
    np.fft.fft: _fft(np.fft.fft),
    np.fft.ifft: _fft(np.fft.ifft),
    np.fft.fftn: _fft(np.fft.fftn, nd=True),
    np.fft.ifftn: _fft(np.fft.ifftn, nd=True),
    np.fft.fft2: _fft(np.fft.fft2, nd=True, default_axes=(-2, -1)),
    np.fft.ifft2: _fft(np.fft.ifft2, nd=True, default_axes=(-2, -1)),
}
for _f in (np.sum, np.mean, np.reshape, np.ravel, np.transpose, np.moveaxis, np.swapaxes,
           np.squeeze, np.expand_dims, np.cumsum, np.diff, np.trace, np.flip, np.roll,
           np.broadcast_to, np.diagonal, np.tile, np.repeat, np.atleast_1d, np.atleast_2d,
           np.fft.fftshift, np.fft.ifftshift):
    _FUNCTIONS[_f] = _each(_f)


def array(items):
    """A ComplexTaylor from a (nested) list of them and numbers, or a plain array."""
    if isinstance(items, (list, tuple)):
        parts = [array(i) for i in items]
        if any(isinstance(p, (ComplexTaylor, Dual, DualArray)) for p in parts):
            return _many(np.stack)(parts)
        return np.array(parts)
    return items


# ------------------------------------------------------------- the run


def read(y, read_real):
    """The complex coefficients (m, K + 1) and shape of f's result, with
    ``read_real`` the real reader of taylor."""
    if isinstance(y, (list, tuple)):
        y = array(y)
    if isinstance(y, ComplexTaylor):
        re, shape = read_real(y.re)
        im, _ = read_real(_like(y.im, y.re))
        return re + 1j * np.broadcast_to(im, re.shape), shape
    a = np.asarray(y) if isinstance(y, (complex, np.complexfloating, np.ndarray)) else None
    if a is not None and a.dtype.kind == "c":
        re, shape = read_real(np.real(a))
        im, _ = read_real(np.imag(a))
        return re + 1j * im, shape
    return read_real(y)

