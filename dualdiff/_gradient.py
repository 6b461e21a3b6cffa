"""grad and value_and_grad: the gradient of a scalar function."""

from dualdiff import _seeding
from dualdiff._derivative import _rename


def grad(f, chunk=None):
    """grad(f, chunk=None) -> g

    The gradient of a real-valued ``f`` with respect to its first argument.

    ``g(x, *args, **kwargs)`` returns the derivatives of ``f(x, *args,
    **kwargs)`` with respect to each entry of ``x``, in a float64 array shaped
    like ``x`` (a float when ``x`` is a number). ``x`` may be a number, a list,
    a tuple or an array of any shape; ``f`` receives an object array of Duals
    shaped like ``x`` (a single Dual for a number). n entries take
    ceil(n / chunk) evaluations of ``f``; ``chunk`` (directions per
    evaluation) is chosen by measurement unless given, and does not change the
    result. Extra arguments pass through to ``f``, so ``g`` fits SciPy's
    ``jac=`` with ``args=``.

    >>> import dualdiff
    >>> dualdiff.grad(lambda x: x[0] * x[1] ** 2)([3.0, 2.0])
    array([ 4., 12.])
    """
    def g(x, *args, **kwargs):
        value, tangent, out_shape, shape = _seeding.first_order(f, x, args, kwargs, chunk)
        if out_shape != ():
            _require_scalar(out_shape, "grad")
        if shape is None:
            return float(tangent[0, 0])
        return tangent.reshape(shape)
    _rename(g, f, "grad")
    return g


def value_and_grad(f, chunk=None):
    """value_and_grad(f, chunk=None) -> vg

    Like :func:`grad`, but ``vg(x, *args, **kwargs)`` returns the pair
    ``(f(x), gradient)`` from the same evaluations: a float and a float64
    array shaped like ``x``. Fits SciPy's ``minimize(..., jac=True)``.

    >>> import dualdiff
    >>> dualdiff.value_and_grad(lambda x: x[0] * x[1] ** 2)([3.0, 2.0])
    (12.0, array([ 4., 12.]))
    """
    def vg(x, *args, **kwargs):
        value, tangent, out_shape, shape = _seeding.first_order(f, x, args, kwargs, chunk)
        if out_shape != ():
            _require_scalar(out_shape, "value_and_grad")
        if shape is None:
            return float(value[0]), float(tangent[0, 0])
        return float(value[0]), tangent.reshape(shape)
    _rename(vg, f, "value_and_grad")
    return vg


def _require_scalar(shape, verb):
    if shape != ():
        raise ValueError(f"{verb}(f) needs f to return a scalar, but it returned a result of "
                         f"shape {shape}; use jacobian(f) for vector-valued functions")
