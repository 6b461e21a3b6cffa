"""Nested transforms: a first-order transform called inside a function that
another first-order transform is differentiating.

The outer call (the parent) seeded numbers over p directions ε; the inner call
differentiates along its own k directions δ. The inner call runs f once on
second-order numbers over the union of the p + k directions: its inputs carry
their value, the parent's p derivatives and the inner seed (for a jvp whose
direction v is itself a parent number, v's parent derivatives are the cross
terms ε·δ). Truncating R[ε, δ] above degree 2 maps onto R[ε, δ]/(ε², δ²) as a
ring, so the value, the ε- and δ-derivatives and the cross derivatives ε·δ of
the result are exact (the ε·ε part, which the parent's first-order numbers
cannot know, is never read). The inner call returns numbers of the parent:
the value with its ε-derivatives, and each δ-derivative with its cross
derivatives as ε-derivatives. So D(x ↦ x · D(y ↦ x · y)(1))(4) is 8, and
jacobian(grad(f)) equals hessian(f).

Numbers of the parent that f meets inside the inner call (a closure over the
outer variable) are promoted to the inner call's kind where the two meet (see
_lift in _dual.pyx): the parent call's tag is linked to the child's.

Supported: any first-order transform (derivative, grad, value_and_grad,
jacobian, value_and_jacobian, jvp) inside any first-order transform, through
numbers, lists, tuples and arrays. A first-order transform inside hessian, hvp
or taylor, and hessian or hvp inside a first-order transform, need derivatives
of a total order of three or more: they run in dualdiff/_third.py, and so do
first-order transforms nested deeper (a third level runs on numbers whose
parts are this module's second-order numbers, a fourth on numbers whose parts
are the third level's, and so on). hessian and hvp inside hessian, hvp,
taylor or a nested call run as two first-order levels (_second_by_first).
taylor inside a transform raises NestingError, and so does a sparse Jacobian
or sparsity pattern (its scipy.sparse result cannot carry derivatives).
"""
import numbers

import numpy as np

from dualdiff._dual import (Dual, _as_parent, _Conflict, _dual_from, _dual_parts, _gather_parents, _link, _parent_of,
                            _read_nested, _running, _running_list, _set_nesting_fast, _set_nesting_hook,
                            _unlink)
from dualdiff import _seeding
from dualdiff._ndarray import DualArray, _Spec, _wrap
from dualdiff._ndarray import array as _dual_array

__all__ = ["NestingError", "rerun"]

_IEEE = 4
_FIRST_ORDER = ("derivative", "grad", "value_and_grad", "jacobian", "value_and_jacobian", "jvp")


class NestingError(ValueError):
    """A nested transform that dualdiff does not support (it raises instead of
    returning a number)."""


def rerun(verb, f, x, args, kwargs, conflict, start, nan_safe, v=None):
    """Run verb(f) at x nested in the running call that ``conflict`` names.

    ``conflict`` was raised while the transform call made after tag ``start``
    ran f (numbers of two calls met) or read x (x holds numbers of a call).
    The parent is the call of the other numbers: it must be running. Anything
    else re-raises."""
    from dualdiff import _third
    if isinstance(conflict, _third.MixedInput):  # x holds numbers of a call that _third runs
        if verb in _FIRST_ORDER:
            return _third.nested(verb, f, x, args, kwargs, v)
        if verb in ("hessian", "hvp"):
            return _second_by_first(verb, f, x, args, kwargs, nan_safe, v)
        raise _third.deeper(f"{verb}(f)", "a nested transform") from None
    parent = None
    for tag, n, code in conflict.specs:
        if abs(tag) <= start:
            if tag == 0:
                raise ValueError("x holds a Dual made by hand (Dual(...)); a transform takes plain "
                                 "numbers, or the numbers of a transform it runs inside") from None
            if not _running(tag):
                raise conflict
            if parent is not None and parent[0] != tag:
                # numbers of two outer calls: the one nested in the other is the parent
                if _descends(parent[0], tag):
                    continue
                if not _descends(tag, parent[0]):
                    raise conflict
            parent = (tag, n, code)
    if parent is None:
        raise conflict
    ptag, p, pcode = parent
    if verb in ("SparseJacobian", "jacobian_sparsity"):
        raise NestingError(f"{verb} inside another transform is not supported: its scipy.sparse "
                           "result cannot carry derivatives; use jacobian(f) there") from None
    if any(_descends(t, ptag) for t in _running_list()):
        # f met the numbers of an outer call first, while a call nested in it
        # runs: this call runs inside the innermost one
        if verb in _FIRST_ORDER:
            return _third.nested(verb, f, x, args, kwargs, v)
        if verb in ("hessian", "hvp"):
            return _second_by_first(verb, f, x, args, kwargs, nan_safe, v)
        raise _third.deeper(f"{verb}(f)", "a nested transform") from None
    if verb in _FIRST_ORDER and (pcode & 3) in (2, 3):
        # a first-order transform inside hessian, hvp or taylor, or a third level
        return _third.nested(verb, f, x, args, kwargs, v)
    if verb in ("hessian", "hvp"):
        if (pcode & 3) == 1 and _parent_of(ptag) is None:
            # hessian or hvp inside a first-order transform: one evaluation
            return _third.nested_second(verb, f, x, args, kwargs, parent, nan_safe, v)
        # inside hessian, hvp, taylor or a nested call: two first-order levels
        return _second_by_first(verb, f, x, args, kwargs, nan_safe, v)
    if verb not in _FIRST_ORDER or (pcode & 3) != 1 or _parent_of(ptag) is not None:
        outer = "a nested transform" if _parent_of(ptag) is not None else (
            "hessian or hvp" if (pcode & 3) == 2 else "taylor" if (pcode & 3) == 3
            else "another transform")
        raise _third.deeper(f"{verb}(f)", outer) from None
    return _nested(verb, f, x, args, kwargs, parent, nan_safe, v)


def _second_by_first(verb, f, x, args, kwargs, nan_safe, v, holomorphic=False):
    """hessian(f)(x) as jacobian(jacobian(f))(x), and hvp(f)(x, v) as the jvp
    of grad(f) along v: first-order transforms, which nest at any depth."""
    from dualdiff import grad, jacobian, jvp

    def g(y):
        return f(y, *args, **kwargs)

    if verb == "hessian":
        inner = jacobian(g, nan_safe=nan_safe, holomorphic=holomorphic)
        return jacobian(inner, nan_safe=nan_safe, holomorphic=holomorphic)(x)
    return jvp(grad(g, nan_safe=nan_safe), x, v)[1]


def _descends(tag, ancestor):
    """True when the call of ``tag`` runs nested inside the call of ``ancestor``."""
    link = _parent_of(tag)
    while link is not None:
        if link[0] == ancestor:
            return True
        link = _parent_of(link[0])
    return False


def _fast_path_hook(verb, f, args, kwargs, conflict, start, nan_safe):
    """What the compiled fast paths (_Derivative, _Gradient) call on a conflict."""
    return rerun(verb, f, args[0], args[1:], kwargs, conflict, start, nan_safe)


_set_nesting_hook(_fast_path_hook)


# ------------------------------------------------------------------ the run

def _parent_parts(x, ptag, p):
    """(values (N,), parent derivatives (N, p), shape) of x (None: a scalar)."""
    if type(x) is list or type(x) is tuple:
        items = _flat_items(x)
        if items is not None:
            rows = np.empty((len(items), p + 1))
            if _gather_parents(items, ptag, p, rows):
                shape = (len(items),) if _is_flat(x) else np.array(x, dtype=object).shape
                return rows[:, 0].copy(), rows[:, 1:].copy(), shape
    if type(x) is Dual:
        data, n, deg, tag = _dual_parts(x)
        _check_parent(tag, n, ptag, p)
        return data[:1].copy(), data[1:1 + p].reshape(1, p).copy(), None
    if isinstance(x, (numbers.Real, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_)):
        return np.array([float(x)]), np.zeros((1, p)), None
    a = x if isinstance(x, DualArray) else _dual_array(x)
    if isinstance(a, DualArray):
        s = a._spec
        _check_parent(s.tag, s.n, ptag, p)
        buf = a._buf
        shape = a.shape
        return (np.ascontiguousarray(buf[..., 0]).reshape(-1),
                np.ascontiguousarray(buf[..., 1:1 + p]).reshape(a.size, p), shape)
    flat, shape = _seeding.flatten(x)
    return flat, np.zeros((flat.shape[0], p)), shape


def _flat_items(x):
    """The items of a list or tuple of numbers and Duals (nested as in a
    regular array), in C order; None for anything else (arrays inside)."""
    out = []

    def walk(t):
        for e in t:
            if type(e) is list or type(e) is tuple:
                walk(e)
            elif isinstance(e, np.ndarray):
                raise LookupError
            else:
                out.append(e)
    try:
        walk(x)
    except LookupError:
        return None
    return out


def _is_flat(x):
    return not any(type(e) is list or type(e) is tuple for e in x)


def _check_parent(tag, n, ptag, p):
    if tag not in (0, ptag) or n != p:
        raise _Conflict(((tag, n, 0), (ptag, p, 1)))


def _nested(verb, f, x, args, kwargs, parent, nan_safe, v):
    ptag, p, pcode = parent
    a, B, shape = _parent_parts(x, ptag, p)
    N = a.shape[0]
    if v is None:
        D, Dp = np.eye(N), None
    else:  # jvp: one inner direction, v; v's own parent derivatives are cross terms
        vv, Dp, vshape = _parent_parts(v, ptag, p)
        if _seeding.x_shape(vshape) != _seeding.x_shape(shape):
            raise ValueError(f"jvp: v must have the shape of x, {_seeding.x_shape(shape)}, "
                             f"not {_seeding.x_shape(vshape)}")
        D = vv.reshape(N, 1)
    k = D.shape[1]
    # f runs on chunks of c inner directions: only the cross derivatives ε·δ
    # are read, and a pass costs (p + c)^2 per number, so chunks of about p
    # directions (at least CHUNK) beat one pass over all k (bit-identical)
    c = max(1, min(k, max(CHUNK, p)))
    dbuf = None
    for j0 in range(0, max(k, 1), c):
        kc = min(c, k - j0)
        w = p + kc
        tag = _seeding.new_tag(nan_safe)
        spec = _Spec(w, 2, tag)
        m = spec.m
        buf = np.zeros((N, m))
        buf[:, 0] = a
        buf[:, 1:1 + p] = B
        buf[:, 1 + p:1 + w] = D[:, j0:j0 + kc]
        if Dp is not None:
            # x(ε, δ) = a + Bε + vδ + (dv/dε)εδ: the cross entries H[i, p] of the packed triangle
            for i in range(p):
                buf[:, _packed(i, p, w)] = Dp[:, i]
        _link(tag, ptag, p)
        try:
            if shape is None:
                xin = _dual_from(buf[0], w, spec.code, tag)
            elif type(x) is list or type(x) is tuple:
                xin = _seeding.rebuild([_dual_from(buf[i], w, spec.code, tag) for i in range(N)], x)
            else:
                xin = _wrap(buf.reshape(shape + (m,)), spec)
            y = _seeding.call_f(f, xin, args, kwargs, tag)
        except _Conflict as e:  # this call's numbers met another call's outside it
            raise _as_parent(e, tag, parent) from None
        finally:
            _unlink(tag)
        if c >= k:
            return _finish(verb, y, tag, w, k, parent, shape)
        value, grad, hess, out_shape = _read(y, tag, w, spec, parent)
        if dbuf is None:
            dbuf = np.empty((value.shape[0], k, 1 + p))
            vbuf = _value_rows(value, grad, p)
        dbuf[:, j0:j0 + kc] = _derivative_rows(grad, hess, p)
    return _assemble(verb, vbuf, dbuf, out_shape, parent, shape)


CHUNK = 16  # measured: jvp of grad of scipy.optimize.rosen, n = 200 and 1000


def _value_rows(value, grad, p):
    """Numbers of the parent: [value, dvalue/dε] (M, 1 + p)."""
    vbuf = np.empty((value.shape[0], 1 + p))
    vbuf[:, 0] = value
    vbuf[:, 1:] = grad[:, :p]
    return vbuf


def _derivative_rows(grad, hess, p):
    """Per inner direction j, [d/dδ_j, d2/dε dδ_j]: (M, k, 1 + p)."""
    dbuf = np.empty((grad.shape[0], grad.shape[1] - p, 1 + p))
    dbuf[:, :, 0] = grad[:, p:]
    dbuf[:, :, 1:] = np.swapaxes(hess[:, :p, p:], 1, 2)
    return dbuf


def _finish(verb, y, tag, w, k, parent, shape):
    """What the nested call returns for f's result y (numbers of width w =
    p + k and this tag, or anything f may return): numbers of the parent."""
    p = parent[1]
    value, grad, hess, out_shape = _read(y, tag, w, _Spec(w, 2, tag), parent)
    return _assemble(verb, _value_rows(value, grad, p), _derivative_rows(grad, hess, p),
                     out_shape, parent, shape)


def _assemble(verb, vbuf, dbuf, out_shape, parent, shape):
    """The nested call's result from the rows of its value and derivatives."""
    ptag, p, pcode = parent
    pspec = _Spec(p, pcode, ptag)
    xs = _seeding.x_shape(shape)
    val = _outer(vbuf, out_shape, pspec)
    if verb == "jvp":
        return val, _outer(dbuf[:, 0], out_shape, pspec)
    if verb in ("grad", "value_and_grad"):
        _seeding.require_one_entry(verb, out_shape)
        g = _outer(dbuf[0], xs, pspec)
        return (val, g) if verb == "value_and_grad" else g
    J = _outer(dbuf, out_shape + xs, pspec)
    if verb == "value_and_jacobian":
        return val, J
    return J  # derivative, jacobian


def _packed(i, j, w):
    """Index of H[i, j] (i <= j) in a second-order number of width w."""
    return 1 + w + i * w - i * (i - 1) // 2 + (j - i)


def _outer(b, shape, pspec):
    """Numbers of the parent (rows of 1 + p doubles) as a Dual or a DualArray."""
    b = np.ascontiguousarray(b).reshape(shape + (1 + pspec.n,))
    if shape == ():
        return _dual_from(b, pspec.n, pspec.code, pspec.tag)
    return _wrap(b, pspec)


def _read(y, tag, w, spec, parent):
    """(value (M,), gradient (M, w), Hessian (M, w, w), shape) of the result."""
    ptag, p, pcode = parent
    if isinstance(y, DualArray) and y._spec is not None:
        s = y._spec
        buf = y._buf
        if s.tag == ptag:  # a result the inner directions never reached
            full = np.zeros(buf.shape[:-1] + (spec.m,))
            full[..., :1 + p] = buf[..., :1 + p]
            y = _wrap(full, spec)
        elif s.tag != tag:
            raise _Conflict(((s.tag, s.n, s.code), (tag, w, spec.code)))
        M = int(np.prod(y.shape, dtype=np.int64))
        return (y.value.reshape(M), y.tangent.reshape(M, w), y.hessian.reshape(M, w, w), y.shape)
    items, out_shape = _seeding.output_items(y)
    M = len(items)
    value, grad, hess = np.empty(M), np.empty((M, w)), np.empty((M, w, w))
    _read_nested(list(items), w, tag, ptag, p, value, grad, hess)
    return value, grad, hess, out_shape


def _parent_array(buf, p, code, tag):
    """A dual array of the parent's numbers (rows of 1 + p doubles)."""
    return _wrap(buf, _Spec(p, code, tag))


_set_nesting_fast(_parent_array, _finish)
