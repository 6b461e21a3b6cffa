"""grad and value_and_grad: the gradient of a scalar function."""
from collections.abc import Callable
from typing import Any

import numpy as np

from dualdiff import _complex_ad, _nesting, _seeding, _trees, _workers
from dualdiff._derivative import _rename
from dualdiff._dual import _Conflict, _Gradient, _peek_tag, _read
from dualdiff._trace import Traced


def grad(f: Callable[..., Any], chunk: int | None = None, *,
         nan_safe: bool = True, workers: Any = None, holomorphic: bool = False) -> Callable[..., Any]:
    """grad(f, chunk=None, *, nan_safe=True, workers=None, holomorphic=False) -> g

    The gradient of a real-valued ``f`` with respect to its first argument.
    ``f`` returns a number, or an array with one entry (of any shape).

    ``g(x, *args, **kwargs)`` returns the derivatives of ``f(x, *args,
    **kwargs)`` with respect to each entry of ``x``, in a float64 array shaped
    like ``x`` (a float when ``x`` is a number; a float32, float16 or complex64
    ``x`` gets its own dtype back, rounded once from double precision). ``x``
    may be a number, a list, a tuple or an array of any shape; ``f`` receives
    Duals in the same kind of
    container (a Dual for a number, lists and tuples of Duals for a list or
    tuple, a DualArray for an array). n entries take
    ceil(n / chunk) evaluations of ``f``; ``chunk`` (directions per
    evaluation) is chosen by measurement unless given, and does not change the
    result. Extra arguments pass through to ``f``, so ``g`` fits SciPy's
    ``jac=`` with ``args=``. ``nan_safe=False`` multiplies tangents by infinite or NaN partial
    derivatives as plain IEEE doubles (0 * inf = NaN), as most AD tools do,
    instead of keeping a zero tangent 0 (see "Conventions" in the README).
    ``workers`` evaluates the chunks in parallel, as in :func:`jacobian`.

    Complex numbers, as JAX: at a complex ``x`` the gradient of a
    real-valued ``f`` is df/dx - i df/dy for each entry x + i y (twice the
    Wirtinger derivative df/dz; descend along its conjugate); with
    ``holomorphic=True`` it is the complex derivative df/dz of a holomorphic
    complex-valued ``f``. ``f`` may use complex numbers inside at a real
    ``x`` (it then runs again, on complex dual numbers); see "Complex
    numbers" in the documentation.

    >>> import dualdiff
    >>> dualdiff.grad(lambda x: x[0] * x[1] ** 2)([3.0, 2.0])
    array([ 4., 12.])
    """
    if isinstance(f, Traced) and not holomorphic:
        return f._transform("grad", chunk=chunk, nan_safe=nan_safe, workers=workers)
    return _transform(f, chunk, False, "grad", nan_safe, workers, holomorphic)


def value_and_grad(f: Callable[..., Any], chunk: int | None = None, *,
                   nan_safe: bool = True, workers: Any = None,
                   holomorphic: bool = False) -> Callable[..., Any]:
    """value_and_grad(f, chunk=None, *, nan_safe=True, workers=None, holomorphic=False) -> vg

    Like :func:`grad`, but ``vg(x, *args, **kwargs)`` returns the pair
    ``(f(x), gradient)`` from the same evaluations: a float and a float64
    array shaped like ``x``. Fits SciPy's ``minimize(..., jac=True)``.
    ``workers`` evaluates the chunks in parallel, as in :func:`jacobian`.

    >>> import dualdiff
    >>> dualdiff.value_and_grad(lambda x: x[0] * x[1] ** 2)([3.0, 2.0])
    (12.0, array([ 4., 12.]))
    """
    if isinstance(f, Traced) and not holomorphic:
        return f._transform("value_and_grad", chunk=chunk, nan_safe=nan_safe, workers=workers)
    return _transform(f, chunk, True, "value_and_grad", nan_safe, workers, holomorphic)


def _transform(f, chunk, with_value, verb, nan_safe, workers=None, holomorphic=False):
    pool = _workers.make(workers)

    def general(args, kwargs):
        if not args:
            raise TypeError(f"{verb}(f) needs the point x as its first argument")
        tree = _trees.tree_of(args[0])
        if tree is not None:  # a dict or ragged container: derivatives in its structure
            r = run(tree.wrap(f), (tree.flat(),) + args[1:], kwargs)
            return (r[0], tree.gradient(r[1])) if with_value else tree.gradient(r)
        r = run(f, args, kwargs)
        dtype = _narrow_dtype(args[0])
        if dtype is None:
            return r
        return (r[0], _cast(r[1], dtype)) if with_value else _cast(r, dtype)

    def run(fn, args, kwargs):
        start = _peek_tag()
        try:
            value, tangent, out_shape, shape = _seeding.first_order(fn, args[0], args[1:], kwargs,
                                                                    chunk, nan_safe, pool)
        except _Conflict as e:  # nested in a running transform (see _nesting.py)
            return _nesting.rerun(verb, fn, args[0], args[1:], kwargs, e, start, nan_safe)
        except TypeError as e:
            if not _complex_ad.met_complex(e):
                raise
            value, g = _complex_ad.jacobian(verb, fn, args[0], args[1:], kwargs, holomorphic,
                                            nan_safe)
            return (value, g) if with_value else g
        return _result(value, tangent, out_shape, shape)

    def finish(y, tag, n):
        # f's result on the fast path was not a Dual of this call: read or diagnose it
        items, out_shape = _seeding.output_items(y)
        value, tangent = np.empty(len(items)), np.empty((len(items), n))
        _read(items, n, 1, tag, value, tangent, _seeding._NO_HESSIAN, 0)
        return _result(value, tangent, out_shape, (n,))

    def _result(value, tangent, out_shape, shape):
        _seeding.require_one_entry(verb, out_shape)
        g = float(tangent[0, 0]) if shape is None else tangent.reshape(shape)
        if not with_value:
            return g
        return (float(value[0]) if out_shape == () else np.reshape(value, out_shape)), g

    if pool is not None:  # every call goes the general way, where the chunks are shared out
        if chunk is not None:
            _seeding.balanced_chunk(1, chunk, 1)  # validate chunk now

        def g(*args, **kwargs):
            return general(args, kwargs)
        _rename(g, f, verb)
        return _workers.attach(g, pool)
    name = getattr(f, "__name__", type(f).__name__)
    # the fast path seeds all entries at once: only when the chunk allows it
    limit = _seeding.FIRST_ORDER_CHUNK if chunk is None else 0
    if chunk is not None:
        _seeding.balanced_chunk(1, chunk, 1)  # validate chunk now
    return _Gradient(f, general, finish, limit, with_value, f"{verb}({name})",
                     f"The {verb} of {name} (made by dualdiff.{verb}).", 1, nan_safe)


def _narrow_dtype(x):
    """The dtype of a float16, float32 or complex64 NumPy array or scalar x
    (None for anything else): its gradient takes that dtype, computed in
    double precision and rounded once, as in JAX, PyTorch and autograd."""
    dtype = getattr(x, "dtype", None)
    if isinstance(x, (np.ndarray, np.generic)) and dtype.kind in "fc" and \
            dtype.itemsize < (8 if dtype.kind == "f" else 16):
        return dtype
    return None


def _cast(g, dtype):
    """g rounded to x's dtype (complex numbers of that precision if g is complex)."""
    if np.iscomplexobj(g) and dtype.kind == "f":
        dtype = np.result_type(dtype, np.complex64)
    return np.asarray(g).astype(dtype)[()]
