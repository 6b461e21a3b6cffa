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
and the derivatives in ``in2``, not those in ``in1``. Real
numbers only: complex dual numbers raise ``TypeError``. NumPy's own
``np.convolve`` and ``np.correlate`` take dual arrays as they are.
"""
import numpy as np

try:
    import scipy.signal as _ss  # type: ignore[import-untyped]  # SciPy ships no type stubs
except ImportError as _exc:  # pragma: no cover - SciPy is optional for dualdiff itself
    raise ImportError("dualdiff.signal needs SciPy (pip install scipy)") from _exc

from dualdiff import _ndarray as _nd

__all__ = ["convolve", "correlate", "fftconvolve", "oaconvolve", "convolve2d", "correlate2d"]


def _duals(in1, in2):
    """The dual arrays of in1 and in2 (None for a plain one)."""
    ds = [_nd.scipy_argument(x, "dualdiff.signal") for x in (in1, in2)]
    if any(isinstance(d, _nd._PATTERN_TYPES) for d in ds):
        raise TypeError("dualdiff.signal: sparsity detection through a convolution is not "
                        "supported; pass the sparsity pattern (sparsity=...) or use a dense "
                        "transform")
    return ds


def _bilinear(scipy_f, in1, in2, **kw):
    """scipy_f(in1, in2, **kw), linear in each argument, for dual arguments."""
    d1, d2 = _duals(in1, in2)
    if d1 is None and d2 is None:
        return scipy_f(in1, in2, **kw)
    a = in1 if d1 is None else d1
    b = in2 if d2 is None else d2
    return _nd._multilinear(lambda x, y: scipy_f(x, y, **kw), [a, b])


def convolve(in1, in2, mode="full", method="auto"):
    """scipy.signal.convolve for dual arrays (see the module's docstring)."""
    return _bilinear(_ss.convolve, in1, in2, mode=mode, method=method)


def correlate(in1, in2, mode="full", method="auto"):
    """scipy.signal.correlate for dual arrays (see the module's docstring)."""
    return _bilinear(_ss.correlate, in1, in2, mode=mode, method=method)


def fftconvolve(in1, in2, mode="full", axes=None):
    """scipy.signal.fftconvolve for dual arrays (see the module's docstring)."""
    return _bilinear(_ss.fftconvolve, in1, in2, mode=mode, axes=axes)


def oaconvolve(in1, in2, mode="full", axes=None):
    """scipy.signal.oaconvolve for dual arrays (see the module's docstring)."""
    return _bilinear(_ss.oaconvolve, in1, in2, mode=mode, axes=axes)


def _two_d(scipy_f, in1, in2, mode, boundary, fillvalue):
    d1, d2 = _duals(in1, in2)
    if d1 is None and d2 is None:
        return scipy_f(in1, in2, mode=mode, boundary=boundary, fillvalue=fillvalue)
    a = in1 if d1 is None else d1
    b = in2 if d2 is None else d2
    out = _nd._multilinear(lambda x, y: scipy_f(x, y, mode=mode, boundary=boundary), [a, b])
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
    return _two_d(_ss.convolve2d, in1, in2, mode, boundary, fillvalue)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """scipy.signal.correlate2d for dual arrays (see the module's docstring)."""
    return _two_d(_ss.correlate2d, in1, in2, mode, boundary, fillvalue)
