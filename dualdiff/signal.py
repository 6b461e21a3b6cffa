"""dualdiff.signal: SciPy's convolutions and correlations for dual arrays.

``scipy.signal.convolve`` and its kin convert their inputs with
``np.asarray``, which keeps only the values of a dual array (they raise
``TypeError`` rather than drop the derivatives). The functions here have
SciPy's names, signatures and semantics::

    import numpy as np
    import dualdiff
    from dualdiff.signal import convolve

    kernel = np.array([0.25, 0.5, 0.25])
    dualdiff.jacobian(lambda x: convolve(x, kernel, mode="same"))(np.ones(4))

=========================================================  ===============================
``convolve(in1, in2, mode="full", method="auto")``         N-dimensional convolution
``correlate(in1, in2, mode="full", method="auto")``        N-dimensional cross-correlation
``fftconvolve(in1, in2, mode="full", axes=None)``          convolution by FFT
``oaconvolve(in1, in2, mode="full", axes=None)``           convolution by overlap-add
``convolve2d(in1, in2, mode, boundary, fillvalue)``        2-D convolution
``correlate2d(in1, in2, mode, boundary, fillvalue)``       2-D cross-correlation
=========================================================  ===============================

Without a dual argument each function is SciPy's own (same values, types and
errors). With one (a Dual, a dual array, or a list holding Duals, in either
argument or both), the values are SciPy's values of the plain values, and the
derivatives, first and second order, Taylor coefficients and in nested
transforms, follow from the product rule: each function is linear in each
argument, so a derivative is the same function of one argument's derivative
and the other's value (and, at second order, of both derivatives). A
``fillvalue`` other than 0 pads ``in1`` with a constant: it moves the value
and the derivatives in ``in2``, not those in ``in1``. Complex dual numbers
(where ``x`` or the numbers inside ``f`` are complex) follow the product
rule too; the correlations conjugate ``in2``, so ``holomorphic=True``
refuses them there, and a ``fillvalue`` other than 0 is not supported with
them. Sparsity detection (``jacobian_sparsity``, ``SparseJacobian``) takes
the one-dimensional ``convolve``, ``correlate``, ``fftconvolve`` and
``oaconvolve``. NumPy's own ``np.convolve`` and ``np.correlate`` take dual
arrays as they are.
"""
import numpy as np

try:
    import scipy.signal as _ss  # type: ignore[import-untyped]  # SciPy ships no type stubs
except ImportError as _exc:  # pragma: no cover - SciPy is optional for dualdiff itself
    raise ImportError("dualdiff.signal needs SciPy (pip install scipy)") from _exc

from dualdiff import _ndarray as _nd

__all__ = ["convolve", "correlate", "fftconvolve", "oaconvolve", "convolve2d", "correlate2d"]


def _complex(in1, in2):
    """Whether an argument holds complex dual numbers (f runs on them when x
    or the numbers inside f are complex)."""
    from dualdiff._complex import ComplexDual
    return isinstance(in1, ComplexDual) or isinstance(in2, ComplexDual)


def _complex_bilinear(f, in1, in2, conjugates_in2=False):
    """f(in1, in2), bilinear over the reals, on complex dual numbers: the
    product rule direction by direction. ``conjugates_in2``: f conjugates
    in2 (correlations), so it is not holomorphic in it."""
    from dualdiff import _complex
    if conjugates_in2 and isinstance(in2, _complex.ComplexDual) and not _complex._is_real(in2):
        _complex._not_holomorphic(in2, "a correlation (in its second argument)")
    return _complex._bilinear(f, in1, in2)


def _duals(in1, in2):
    """The dual arrays of in1 and in2 (None for a plain one)."""
    ds = [_nd.scipy_argument(x, "dualdiff.signal") for x in (in1, in2)]
    if any(isinstance(d, _nd._PATTERN_TYPES) for d in ds):
        raise _Patterns(ds)
    return ds


class _Patterns(TypeError):
    """An argument is a pattern array of sparsity detection: one-dimensional
    convolutions take them (_patterns), the others raise this."""

    def __init__(self, ds):
        super().__init__("dualdiff.signal: sparsity detection takes one-dimensional convolve, "
                         "correlate, fftconvolve and oaconvolve; for the others pass the "
                         "sparsity pattern (sparsity=...) or use a dense transform")
        self.ds = ds


def _patterns(e, in1, in2, mode, reverse):
    """A one-dimensional convolution (correlation when reverse) of pattern
    arrays: NumPy's full one, whose pattern rule is exact, cut as SciPy cuts."""
    a, b = [x if d is None else d for x, d in zip((in1, in2), e.ds)]
    if np.ndim(a) != 1 or np.ndim(b) != 1:
        raise e
    full = np.correlate(a, b, "full") if reverse else np.convolve(a, b, "full")
    if mode not in ("full", "same", "valid"):
        raise ValueError("acceptable mode flags are 'valid', 'same', or 'full'")
    return _cut(full, mode, np.shape(a), np.shape(b))


def _cut(full, mode, s1, s2):
    """SciPy's result of a mode from the full one (in its leading axes):
    centered to in1's shape for "same" and to |in1 - in2| + 1 for "valid"."""
    if mode == "full":
        return full
    keep = s1 if mode == "same" else tuple(abs(p - q) + 1 for p, q in zip(s1, s2))
    return full[tuple(slice((n - k) // 2, (n - k) // 2 + k) for n, k in zip(np.shape(full), keep))]


def _bilinear(scipy_f, in1, in2, batched=None, conjugates_in2=False, reverse=None, **kw):
    """scipy_f(in1, in2, **kw), linear in each argument, for dual arguments.
    ``batched(stack, const, stack_first)``: scipy_f of each array along the
    stack's last axis with the constant (the stack being in1 when
    stack_first), in one go; it may return None (then one call per array).
    ``reverse``: scipy_f is a convolution (False) or a correlation (True) of
    one-dimensional inputs, which sparsity detection takes (None: it does not)."""
    if _complex(in1, in2):
        return _complex_bilinear(lambda x, y: scipy_f(x, y, **kw), in1, in2, conjugates_in2)
    try:
        d1, d2 = _duals(in1, in2)
    except _Patterns as e:
        if reverse is None:
            raise
        return _patterns(e, in1, in2, kw["mode"], reverse)
    if d1 is None and d2 is None:
        return scipy_f(in1, in2, **kw)
    a = in1 if d1 is None else d1
    b = in2 if d2 is None else d2
    if batched is not None and (d1 is None) != (d2 is None):
        out = _one_dual(lambda x, y: scipy_f(x, y, **kw), batched, a, b, d1 is not None)
        if out is not None:
            return out
    return _nd._multilinear(lambda x, y: scipy_f(x, y, **kw), [a, b])


def _one_dual(f, batched, a, b, first):
    """f(a, b) where one argument is dual (the first when ``first``) and the
    other a constant: f is linear in the dual one, so each component of the
    result (derivatives of any order, Taylor coefficients) is f of that
    component. The values by one call of f, SciPy's own; the other
    components by one call of ``batched`` on all of them. None where
    ``batched`` refuses the shapes (the caller goes component by component)."""
    d, c = (a, b) if first else (b, a)
    buf, spec = _nd._operand(d)
    const = np.asarray(c, dtype=np.float64)
    if buf.ndim < 2 or const.ndim != buf.ndim - 1:
        return None
    value = np.asarray(f(buf[..., 0], const) if first else f(const, buf[..., 0]))  # SciPy's errors
    t = batched(buf[..., 1:], const, first)
    if t is None or t.shape != value.shape + (spec.m - 1,):
        return None
    res = np.empty(value.shape + (spec.m,))
    res[..., 0] = value
    res[..., 1:] = t
    return _nd._wrap(res, spec)


def _axes(axes, ndim):
    """axes (None: all) of an ndim-dimensional input, as non-negative ints."""
    if axes is None:
        return tuple(range(ndim))
    axes = (axes,) if np.ndim(axes) == 0 else tuple(axes)
    return tuple(int(k) % ndim for k in axes)


# Shifted sums up to this many terms; past it, FFTs (each term is one pass
# over the stack)
_SHIFTS = 64


def _full(stack, const, stack_first):
    """The full convolutions of the arrays of stack (along its last axis, the
    derivative components) with const: a sum of shifted copies of the
    smaller one, or FFTs."""
    shape = stack.shape[:-1]
    size = int(np.prod(shape))
    if min(const.size, size) > _SHIFTS:
        x, y = (stack, const[..., None]) if stack_first else (const[..., None], stack)
        return _ss.fftconvolve(x, y, mode="full", axes=tuple(range(const.ndim)))
    out = np.zeros(tuple(p + q - 1 for p, q in zip(shape, const.shape)) + stack.shape[-1:])
    if const.size <= size:
        for j in np.ndindex(const.shape):
            out[tuple(slice(k, k + n) for k, n in zip(j, shape))] += const[j] * stack
    else:
        for j in np.ndindex(shape):
            out[tuple(slice(k, k + n) for k, n in zip(j, const.shape))] += \
                const[..., None] * stack[j]
    return out


def _cut_2d(full, mode, s1, s2):
    """_cut for correlate2d, whose "same" result starts at in2's shape // 2 of
    the full one (one further than _cut where in2 has an even length)."""
    if mode != "same":
        return _cut(full, mode, s1, s2)
    return full[tuple(slice(q // 2, q // 2 + p) for p, q in zip(s1, s2))]


def _stacked(mode, reverse, cut=_cut):
    """``batched`` for convolve (correlate when reverse) in any mode: the full
    results cut as SciPy cuts them, centered to in1's shape for "same" and
    to |in1 - in2| + 1 for "valid" (``cut``: where correlate2d differs)."""
    def batched(stack, const, stack_first):
        if stack.ndim - 1 != const.ndim:
            return None
        flip = (slice(None, None, -1),) * const.ndim
        if reverse:  # correlate(in1, in2) = convolve(in1, in2 reversed), for real numbers
            if stack_first:
                const = const[flip]
            else:
                stack = stack[flip]
        full = _full(stack, const, stack_first)
        s1, s2 = (stack.shape[:-1], const.shape) if stack_first else (const.shape, stack.shape[:-1])
        return cut(full, mode, s1, s2)
    return batched


def convolve(in1, in2, mode="full", method="auto"):
    """scipy.signal.convolve for dual arrays (see the module's docstring)."""
    return _bilinear(_ss.convolve, in1, in2, _stacked(mode, False), reverse=False, mode=mode,
                     method=method)


def correlate(in1, in2, mode="full", method="auto"):
    """scipy.signal.correlate for dual arrays (see the module's docstring)."""
    return _bilinear(_ss.correlate, in1, in2, _stacked(mode, True), True, reverse=True,
                     mode=mode, method=method)


def _fft_stack(scipy_f, mode, axes):
    """``batched`` for fftconvolve and oaconvolve: over every axis, as
    convolve; over some, the same call, which leaves the last axis alone."""
    if axes is None:
        return _stacked(mode, False)

    def batched(stack, const, stack_first):
        x, y = (stack, const[..., None]) if stack_first else (const[..., None], stack)
        return scipy_f(x, y, mode=mode, axes=_axes(axes, const.ndim))
    return batched


def fftconvolve(in1, in2, mode="full", axes=None):
    """scipy.signal.fftconvolve for dual arrays (see the module's docstring)."""
    return _bilinear(_ss.fftconvolve, in1, in2, _fft_stack(_ss.fftconvolve, mode, axes),
                     reverse=False, mode=mode, axes=axes)


def oaconvolve(in1, in2, mode="full", axes=None):
    """scipy.signal.oaconvolve for dual arrays (see the module's docstring)."""
    return _bilinear(_ss.oaconvolve, in1, in2, _fft_stack(_ss.oaconvolve, mode, axes),
                     reverse=False, mode=mode, axes=axes)


def _two_d(scipy_f, in1, in2, mode, boundary, fillvalue, batched=None):
    """convolve2d or correlate2d; ``batched`` as for _bilinear, with zero
    padding."""
    if _complex(in1, in2):
        if boundary in ("fill", "pad") and fillvalue != 0:
            raise TypeError("dualdiff.signal: a fillvalue other than 0 is not supported with "
                            "complex dual numbers")
        return _complex_bilinear(lambda x, y: scipy_f(x, y, mode=mode, boundary=boundary),
                                 in1, in2, scipy_f is _ss.correlate2d)
    d1, d2 = _duals(in1, in2)
    if d1 is None and d2 is None:
        return scipy_f(in1, in2, mode=mode, boundary=boundary, fillvalue=fillvalue)
    a = in1 if d1 is None else d1
    b = in2 if d2 is None else d2

    def zero_padded(x, y):
        return scipy_f(x, y, mode=mode, boundary=boundary)
    out = None
    if batched is not None and boundary in ("fill", "pad") and (d1 is None) != (d2 is None):
        out = _one_dual(zero_padded, batched, a, b, d1 is not None)
    if out is None:
        out = _nd._multilinear(zero_padded, [a, b])
    if boundary in ("fill", "pad") and fillvalue != 0:
        # in1 padded with fillvalue: the padding, a constant, meets in2 alone
        pad = np.zeros(np.shape(a))
        fill = float(np.real(fillvalue))
        out = out + _nd._multilinear(
            lambda y: scipy_f(pad, y, mode=mode, boundary=boundary, fillvalue=fill), [b])
        # SciPy's value in one call, not the sum of the two parts
        values = [np.asarray(x) if d is None else d.value for x, d in ((in1, d1), (in2, d2))]
        _nd._live(out)[..., 0] = scipy_f(*values, mode=mode, boundary=boundary, fillvalue=fillvalue)
    return out


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """scipy.signal.convolve2d for dual arrays (see the module's docstring)."""
    # with zero padding, SciPy's convolve in two dimensions
    return _two_d(_ss.convolve2d, in1, in2, mode, boundary, fillvalue, _stacked(mode, False))


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """scipy.signal.correlate2d for dual arrays (see the module's docstring)."""
    # with zero padding, SciPy's correlate in two dimensions, but for the
    # centering of "same"
    return _two_d(_ss.correlate2d, in1, in2, mode, boundary, fillvalue,
                  _stacked(mode, True, _cut_2d))
