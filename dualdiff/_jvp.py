"""jvp: a Jacobian-vector product in one evaluation."""
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from dualdiff import _complex_ad, _nesting, _seeding, _trees
from dualdiff._dual import _Conflict, _peek_tag
from dualdiff._trace import Traced


def jvp(f: Callable[..., Any], x: npt.ArrayLike, v: npt.ArrayLike, *args: Any,
        nan_safe: bool = True, **kwargs: Any) -> tuple[Any, Any]:
    """jvp(f, x, v, *args, nan_safe=True, **kwargs) -> (y, Jv)

    ``f(x, *args, **kwargs)`` and the directional derivative ``J(x) @ v`` of
    ``f`` at ``x`` along ``v``, from one evaluation of ``f`` with Duals of
    width 1. ``v`` has the shape of ``x``; ``y`` and ``Jv`` are floats or
    float64 arrays shaped like the result of ``f``. The keyword ``nan_safe``
    is jvp's own, not passed to ``f``: ``False`` multiplies tangents by infinite or NaN partial
    derivatives as plain IEEE doubles (0 * inf = NaN), as most AD tools do,
    instead of keeping a zero tangent 0 (see "Conventions" in the README).

    Complex ``x`` or ``v``, or complex numbers inside ``f``: ``Jv`` is
    d/dt f(x + t v) for a real t, complex where ``f`` is, for any ``f``
    (holomorphic or not); ``f`` then runs again on complex dual numbers
    (see "Complex numbers" in the documentation).

    >>> import dualdiff
    >>> dualdiff.jvp(lambda x: x[0] * x[1], [2.0, 3.0], [1.0, 0.0])
    (6.0, 3.0)
    """
    if isinstance(f, Traced):
        return f._transform("jvp", nan_safe=nan_safe)(x, v, *args, **kwargs)
    tree = _trees.tree_of(x)
    if tree is not None:  # a dict or ragged container: v has its structure
        vflat = tree.flat_like(v)
        return jvp(tree.along(v).wrap(f), tree.flat(), vflat, *args, nan_safe=nan_safe, **kwargs)
    start = _peek_tag()
    try:
        try:
            flat, shape, vflat = _seeding.flatten_with_direction(x, v, "jvp")
            tag = _seeding.new_tag(nan_safe)
            with _seeding.buffers(2 * flat.shape[0]):
                xin = _seeding.seed_directions(flat, shape, vflat.reshape(-1, 1), tag, x)
                y = _seeding.call_f(f, xin, args, kwargs, tag)
                value, tangent, out_shape = _seeding.read_result(y, 1, 1, tag)
        except _Conflict as e:  # nested in a running transform (see _nesting.py)
            return _nesting.rerun("jvp", f, x, args, kwargs, e, start, nan_safe, v)
        except TypeError as e:
            if not _complex_ad.met_complex(e):
                raise
            return _complex_ad.jvp(f, x, v, args, kwargs, nan_safe)
    except _seeding.TreeResult:  # a dict or ragged result: flattened, then cut back
        out = _trees.OutTree(f)
        y, t = jvp(out, x, v, *args, nan_safe=nan_safe, **kwargs)
        return out.split(np.ravel(y)), out.split(np.ravel(t))
    return _seeding.as_result(value, out_shape), _seeding.as_result(tangent[:, 0], out_shape)
