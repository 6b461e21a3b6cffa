"""A hypothesis harness that throws hostile input at the dual array type.

Each example draws a width (1..24, across the 16-double inline/heap boundary
of the scalar Dual; up to 6 at second order), an order, and a pool of
operands: DualArrays built from Duals through dualdiff.numpy.array (shapes of
0 to 3 dimensions, empty ones included, with their broadcastable variants and
a shape that does not broadcast; C-contiguous or as strided, reversed,
transposed or broadcast views), scalar Duals, DualArrays of another width or
order, constants of every dtype (float, int, bool, complex, object) and wrong
types. Entries come from NaN, +-inf, +-0, subnormals, huge and ordinary
values, or (for "tame" examples) from ordinary values only. It then runs a
batch of operations on them: every ufunc of supported_ufuncs() (with out=,
where=, dtype= and the reduce/accumulate/outer/at methods), reductions with
axis and keepdims, shape functions, indexing and item assignment, products
and linear algebra, conversions and attributes, unsupported NumPy functions,
and the transforms jacobian/hessian/jvp on NumPy functions.

Contract checked for every operation:
  * it returns or raises one of ALLOWED (FloatingPointError only under
    np.errstate(all="raise")); a crash or a hang ends the process, and a
    watchdog dumps the stack on a hang; its RuntimeWarnings (floating-point
    events at hostile values, empty slices) and NumPy's deprecation of
    np.cross on 2-vectors are ignored, any other warning is not;
  * every DualArray or Dual in the result has the width and order of the
    dual operands, derivative arrays of shape ``shape + (width,)`` and
    ``shape + (width, width)``, and np.asarray of it gives its values;
  * the values (and shape) equal what the same NumPy function computes on the
    operands' values: bit for bit where both are NaN or +-inf at the same
    places and within a relative 1e-12 otherwise, for elementwise functions;
    within a tolerance scaled by the operands' size, for tame operands,
    otherwise; when the dual call succeeds, the float call succeeds too;
  * no wrong width read: projecting every dual operand onto one direction k
    (value, tangent k, Hessian entry kk) and repeating the operation gives the
    same outcome, and direction k of the full result: bit for bit for
    elementwise functions, within the tolerance above otherwise;
  * no operand is modified by an operation that returns a new array;
  * transforms: jacobian, value_and_jacobian, jvp and hessian of a NumPy
    function give results of shape out.shape + x.shape (+ x.shape), values
    equal to the function on floats, J @ v equal to jvp, a symmetric Hessian,
    and, for small x where the function is smooth (forward and backward
    differences agree), derivatives that agree with central finite
    differences (of f for J, of J for H).

Loaded by file path from tests/test_fuzz.py (small budget) and .ci/fuzz.py
(large budget).
"""
import copy
import faulthandler
import math
import os
import pickle
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dualdiff
from dualdiff import Dual
from dualdiff.numpy import DualArray, array, supported_ufuncs

ALLOWED = (TypeError, ValueError, OverflowError, ZeroDivisionError, IndexError)

_AxisError = getattr(getattr(np, "exceptions", np), "AxisError")  # np.AxisError before NumPy 1.25

HANG_SECONDS = float(os.environ.get("DUALDIFF_FUZZ_HANG_SECONDS", "60"))

COUNTS = {"examples": 0, "operations": 0, "raised": 0, "projections": 0,
          "transforms": 0, "fd_entries": 0, "value_checks": 0}

BY_OP = {}  # operation -> [results, exceptions]
ERRORS = {}  # operation -> set of exception messages (for inspecting the harness)

SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324, 1e-310,
           2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
           1e300, -1e300, 1e-300, 1.0, -1.0, 0.5, 2.0, -3.0, 709.8, 710.0, -745.2,
           1e16, 2.0 ** 53 + 1, math.pi]

WRONG = [None, "1.0", b"x", 1 + 2j, {"a": 1}, object(), np.complex128(1 + 1j),
         10 ** 400, np.array(["a", "b"]), np.array([1 + 1j, 2j]),
         np.array([object(), object()], dtype=object), slice(1), Ellipsis]


def _size(n, order):
    return 1 + n + n * (n + 1) // 2 if order == 2 else 1 + n


# ------------------------------------------------------------- the operands

class Ref:
    """A DualArray (or Dual) with the arrays it was built from: values V,
    tangents T (shape + (n,)), Hessians H (shape + (n, n)) or None."""

    __slots__ = ("obj", "V", "T", "H", "n", "order", "tame", "form", "_proj")

    def __init__(self, obj, V, T, H, n, order, tame, form="array"):
        self.obj, self.V, self.T, self.H = obj, V, T, H
        self.n, self.order, self.tame, self.form = n, order, tame, form
        self._proj = {}

    def project(self, k):
        """Direction k alone (value, tangent k, Hessian kk) as a width-1 operand
        of the same form (DualArray, object array of Duals or nested lists)."""
        if k not in self._proj:
            T = self.T[..., k:k + 1]
            H = None if self.H is None else self.H[..., k:k + 1, k:k + 1]
            self._proj[k] = _as_form(_build(self.V, T, H, 1, self.order), self.form)
        return self._proj[k]


def _as_form(a, form):
    """A DualArray as an object array of its Duals or as nested lists of them."""
    if form == "array":
        return a
    obj = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(a.shape):
        obj[idx] = a[idx]
    return obj.tolist() if form == "list" else obj


def _dual(v, t, h, n, order):
    if order == 1:
        return Dual(float(v), [float(x) for x in t] if n > 1 else float(t[0]))
    return Dual(float(v), [float(x) for x in t], hessian=h)


def _nested(V, T, H, n, order):
    if V.ndim == 0:
        return _dual(V, T, H, n, order)
    return [_nested(V[i], T[i], None if H is None else H[i], n, order) for i in range(V.shape[0])]


def _build(V, T, H, n, order):
    """A DualArray of these values and derivatives, through the public
    constructor (an array of shape with zero-length axes is sliced from a
    non-empty one)."""
    shape = V.shape
    if V.size == 0:
        full = tuple(max(s, 1) for s in shape)
        Vf = np.zeros(full)
        Tf = np.zeros(full + (n,))
        Hf = None if H is None else np.zeros(full + (n, n))
        a = array(_nested(Vf, Tf, Hf, n, order)) if Vf.ndim else array(_dual(0.0, np.zeros(n), Hf, n, order))
        return a[tuple(slice(0, s) for s in shape)]
    a = array(_nested(V, T, H, n, order))
    return a


def _fill(rng, shape, special, scale):
    x = np.array(rng.standard_normal(shape) * scale, dtype=np.float64)
    if special > 0 and x.size:
        mask = np.asarray(rng.random(shape) < special)
        x[mask] = rng.choice(np.array(SPECIAL), size=int(mask.sum()))
    return x


def _views(kind, shape):
    """(shape to build, function taking an array with the leading ndim axes as
    the value axes to the view)."""
    nd = len(shape)
    if kind == "step" and nd:
        build = (2 * shape[0],) + shape[1:]
        return build, lambda a: a[::2]
    if kind == "reverse" and nd:
        return shape, lambda a: a[::-1]
    if kind == "transpose" and nd >= 2:
        # built with the axes reversed; the view reverses the value axes only
        return shape[::-1], lambda a: np.transpose(a, tuple(range(nd))[::-1] + tuple(range(nd, a.ndim)))
    if kind == "broadcast" and nd:
        build = (1,) + shape[1:]
        return build, lambda a: np.broadcast_to(a, shape + a.shape[nd:])
    return shape, lambda a: a


@st.composite
def dual_operand(draw, shape, n, order, tame):
    """A Ref to a DualArray of this shape, width and order."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    special = 0.0 if tame else draw(st.sampled_from([0.0, 0.05, 0.3, 1.0]))
    scale = draw(st.sampled_from([1.0, 1.0, 3.0, 1e-3] if tame else [1.0, 1e3, 1e-200, 1e200]))
    kind = draw(st.sampled_from(["plain", "plain", "step", "reverse", "transpose", "broadcast"]))
    build, view = _views(kind, shape)
    V = _fill(rng, build, special, scale)
    T = _fill(rng, build + (n,), special / 3, 1.0)
    H = None
    if order == 2:
        h = _fill(rng, build + (n, n), special / 3, 1.0)
        H = (h + np.swapaxes(h, -1, -2)) / 2
    whole = _build(V, T, H, n, order)
    # the constructor must give back exactly the numbers it was given
    _same_bits(whole.value, V, "array(): values")
    _same_bits(whole.tangent, T, "array(): tangents")
    if order == 2:
        _same_bits(whole.hessian, H, "array(): Hessians")
    else:
        assert whole.hessian is None
    obj = view(whole)
    assert isinstance(obj, DualArray) and obj.shape == shape, (kind, obj.shape, shape)
    return Ref(obj, view(V), view(T), None if H is None else view(H), n, order, tame)


def make_ref(V, T, H=None, tame=True):
    """A Ref to the DualArray of values V, tangents T (shape + (n,)) and
    Hessians H (shape + (n, n)) or None for first order."""
    V = np.asarray(V, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64).reshape(V.shape + (-1,))
    n, order = T.shape[-1], 1 if H is None else 2
    H = None if H is None else np.asarray(H, dtype=np.float64)
    return Ref(_build(V, T, H, n, order), V, T, H, n, order, tame)


def bind(name, fn, kind="lin", twin=True, per_direction=True):
    """Make fn the operation `name` for check_operation (tests of the harness)."""
    b = _Bound()
    b.fn, b.kind, b.twin, b.per_direction = fn, kind, twin, per_direction
    OPS[name] = b
    return b


@st.composite
def scalar_dual(draw, n, order, tame):
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    special = 0.0 if tame else 0.2
    V = _fill(rng, (), special, 1.0)
    T = _fill(rng, (n,), special / 3, 1.0)
    H = None
    if order == 2:
        h = _fill(rng, (n, n), special / 3, 1.0)
        H = (h + h.T) / 2
    d = _dual(V, T, H, n, order)
    return Ref(d, np.asarray(float(d.value)), T, H, n, order, tame)


@st.composite
def shapes(draw):
    nd = draw(st.sampled_from([0, 1, 1, 2, 2, 3]))
    return tuple(draw(st.lists(st.sampled_from([0, 1, 2, 3, 4]), min_size=nd, max_size=nd)))


@st.composite
def broadcastable(draw, shape):
    """A shape that broadcasts against shape (and to it, when no axis grows)."""
    out = [draw(st.sampled_from([s, s, 1])) for s in shape]
    drop = draw(st.integers(0, len(out)))
    out = out[drop:]
    if draw(st.integers(0, 5)) == 0:
        out = [draw(st.sampled_from([1, 2]))] + out
    return tuple(out)


def _nonbroadcastable(shape):
    if not shape:
        return None
    s = shape[-1]
    return shape[:-1] + ((s + 2) if s > 1 else 5,)


@st.composite
def constants(draw, shape):
    """A non-dual operand: numbers and arrays of every dtype."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    kind = draw(st.sampled_from(["float", "float", "float32", "int", "bool", "pyfloat",
                                 "pyint", "npscalar", "list", "complex", "object", "objdual",
                                 "special"]))
    v = _fill(rng, shape, 0.1, 2.0)
    if kind == "float":
        return v
    if kind == "float32":
        return v.astype(np.float32)
    if kind == "int":
        return rng.integers(-3, 4, shape)
    if kind == "bool":
        return rng.random(shape) < 0.5
    if kind == "pyfloat":
        return float(draw(st.sampled_from(SPECIAL + [0.25, -1.5])))
    if kind == "pyint":
        return draw(st.sampled_from([0, 1, -2, 3, True, 2 ** 70]))
    if kind == "npscalar":
        return draw(st.sampled_from([np.float64(1.5), np.float32(-0.5), np.int64(2), np.bool_(True),
                                     np.float16(3.0), np.uint8(7)]))
    if kind == "list":
        return v.tolist()
    if kind == "complex":
        return v + 1j
    if kind == "object":
        return np.array(v, dtype=object) if v.ndim else v
    if kind == "objdual":
        a = np.empty(shape, dtype=object)
        for idx in np.ndindex(shape):
            a[idx] = float(v[idx])
        return a
    return draw(st.sampled_from(SPECIAL))


# ---------------------------------------------------------------- checking

def _same_bits(a, b, what):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    na, nb = np.isnan(a), np.isnan(b)
    assert (na == nb).all(), f"{what}: NaN at different places\n{a}\n{b}"
    ok = na | (a.view(np.int64) == b.view(np.int64))
    assert ok.all(), f"{what}: different bits\n{a}\n{b}"


def _close(got, want, scale, what, rtol=1e-12, strict_nonfinite=True):
    """got == want where either is not finite (NaN matches NaN), and within
    rtol * |want| + atol elsewhere, atol = 1e-12 * scale."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, NumPy gives {want.shape}"
    fg, fw = np.isfinite(got), np.isfinite(want)
    if strict_nonfinite:
        bad = (fg != fw) | (~fg & ~fw & ~(np.isnan(got) & np.isnan(want)) & (got != want))
        assert not bad.any(), f"{what}: non-finite entries differ\n{got}\nwant\n{want}"
    both = fg & fw
    err = np.abs(got[both] - want[both])
    tol = rtol * np.abs(want[both]) + 1e-12 * scale
    assert (err <= tol).all(), (f"{what}: values differ by {err.max()} (tolerance "
                                f"{tol[np.argmax(err - tol)]})\n{got}\nwant\n{want}")


def _ignore_operation_warnings():
    """Inside warnings.catch_warnings(): ignore what the dual operations may
    warn on hostile operands, as NumPy does on their values."""
    # floating-point events at hostile values, empty slices
    warnings.simplefilter("ignore", RuntimeWarning)
    # NumPy 2.0 to 2.4 deprecate np.cross of 2-vectors; the dual array passes that on
    warnings.filterwarnings("ignore", "Arrays of 2-dimensional vectors", DeprecationWarning)


def _outcome(fn, args, raising, twin=None):
    """("ok", result) or ("raised", exception) of fn(*args). Exceptions outside
    ALLOWED are accepted only when twin() (the same NumPy code on floats)
    raises the same type: that is NumPy's own answer to these operands."""
    COUNTS["operations"] += 1
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        with warnings.catch_warnings():
            _ignore_operation_warnings()
            with np.errstate(all="raise" if raising else "ignore"):
                return "ok", fn(*args)
    except ALLOWED as e:
        COUNTS["raised"] += 1
        return "raised", e
    except FloatingPointError as e:
        if not raising:
            raise AssertionError(f"FloatingPointError outside errstate(all='raise'): {e}") from e
        COUNTS["raised"] += 1
        return "raised", e
    except Exception as e:  # anything else breaks the contract, unless NumPy does the same
        faulthandler.cancel_dump_traceback_later()
        if twin is not None:
            tkind, tres = _twin_outcome(twin, [])
            if tkind == "raised" and type(tres) is type(e):
                COUNTS["raised"] += 1
                return "raised", e
        raise AssertionError(f"{getattr(fn, '__name__', fn)}{_show(args)} raised "
                             f"{type(e).__name__}: {e}") from e
    finally:
        faulthandler.cancel_dump_traceback_later()


def _twin_outcome(fn, args):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy's own code on floats, the reference
            with np.errstate(all="ignore"):
                return "ok", fn(*args)
    except Exception as e:  # NumPy may raise anything for hostile input
        return "raised", e


def _show(args):
    def one(a):
        if isinstance(a, DualArray):
            try:
                return f"<DualArray shape {a.shape} width {a.width} order {a.order}>"
            except TypeError:
                return "<detached DualArray>"
        if type(a) is Dual:
            return f"<Dual width {a.width} order {a.order}>"
        r = repr(a)
        return r if len(r) < 80 else r[:77] + "..."
    return "(" + ", ".join(one(a) for a in args) + ")"


def _duals_in(res):
    if isinstance(res, (DualArray, Dual)):
        yield res
    elif isinstance(res, (tuple, list)):
        for r in res:
            yield from _duals_in(r)


def _check_result(res, n, order, what):
    for r in _duals_in(res):
        assert r.width == n and r.order == order, (what, r.width, r.order, n, order)
        if isinstance(r, DualArray):
            shape = r.shape
            assert r.tangent.shape == shape + (n,), (what, r.tangent.shape, shape)
            if order == 2:
                assert r.hessian.shape == shape + (n, n), (what, r.hessian.shape)
            else:
                assert r.hessian is None, what
            stripped = np.asarray(r)  # the bare ndarray holds placeholders, never the values
            assert stripped.shape == shape and stripped.dtype == object, (what, stripped)
            assert all(type(e).__name__ == "_Stripped" for e in stripped.flat), (what, stripped)
        elif n > 1:
            assert np.shape(r.tangent) == (n,), (what, np.shape(r.tangent))
            if order == 2:
                assert np.shape(r.hessian) == (n, n), what


def _values_of(res):
    """The float structure of a result: DualArray/Dual -> values."""
    if isinstance(res, DualArray):
        return res.value
    if isinstance(res, np.ndarray) and res.dtype == object:
        out = np.empty(res.shape)
        try:
            for idx in np.ndindex(res.shape):
                x = res[idx]
                out[idx] = x.value if type(x) is Dual else x
        except (TypeError, ValueError, OverflowError):
            return res  # not numbers: compared as they are
        return out
    if type(res) is Dual:
        return np.float64(res.value)
    if isinstance(res, list):
        return [_values_of(r) for r in res]
    if isinstance(res, tuple):
        return tuple(_values_of(r) for r in res)
    return res


def _direction(res, k):
    """Direction k of a result (value, tangent k, Hessian kk) as float arrays."""
    if isinstance(res, (DualArray, Dual)):
        t = np.asarray(res.tangent, dtype=np.float64)
        t = t.reshape(np.shape(res.value) + (res.width,))[..., k]
        parts = [np.asarray(res.value, dtype=np.float64), t]
        if res.order == 2:
            h = np.asarray(res.hessian, dtype=np.float64)
            parts.append(h.reshape(np.shape(res.value) + (res.width, res.width))[..., k, k])
        return tuple(parts)
    if isinstance(res, (tuple, list)):
        return [_direction(r, k) for r in res]
    return None


def _compare_tree(got, want, compare, what):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want), (
            f"{what}: {type(got).__name__} of {len(got) if isinstance(got, (tuple, list)) else '-'}, "
            f"NumPy gives {type(want).__name__} of {len(want)}")
        for i, (g, w) in enumerate(zip(got, want)):
            _compare_tree(g, w, compare, f"{what}[{i}]")
        return
    if want is None or isinstance(want, (str, bytes)):
        return
    w = np.asarray(want)
    if w.dtype.kind in "biu":
        g = np.asarray(got)
        assert g.shape == w.shape and (g == w).all(), f"{what}: {got!r}, NumPy gives {want!r}"
        return
    if w.dtype.kind != "f":
        return
    compare(got, w, what)


def _tame_const(c):
    try:
        a = np.asarray(c, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return False
    return bool(np.isfinite(a).all() and (np.abs(a) < 1e3).all())


def _scale(refs, consts):
    """A bound for |entries| of the operands, for absolute tolerances."""
    s, count = 1.0, 1
    for r in refs:
        for a in (r.V, r.T, r.H):
            if a is not None and a.size:
                s = max(s, float(np.max(np.abs(a))))
        count = max(count, r.V.size)
    for c in consts:
        a = np.asarray(c)
        if a.dtype.kind in "biuf" and a.size:
            s = max(s, float(np.max(np.abs(a.astype(np.float64)))))
            count = max(count, a.size)
    return s * s * count * count


def check_operation(name, args, directions, raising=False):
    """Run OPS[name] on args and check the contract (see the module docstring)."""
    op = OPS[name]
    objs = [a.obj if isinstance(a, Ref) else a for a in args]
    refs = [a for a in args if isinstance(a, Ref)]
    consts = [a for a in args if not isinstance(a, Ref)]
    vals = [a.V if isinstance(a, Ref) else a for a in args]
    kind, res = _outcome(op.fn, objs, raising, twin=lambda: op.fn(*vals))
    BY_OP.setdefault(name, [0, 0])[kind == "raised"] += 1
    if kind == "raised":
        ERRORS.setdefault(name, set()).add(f"{type(res).__name__}: {str(res)[:90]}")
    name = getattr(op.fn, "__name__", name) if getattr(op.fn, "__name__", "<lambda>") != "<lambda>" \
        else name
    # the operands are unchanged
    for r in refs:
        if isinstance(r.obj, DualArray):
            _same_bits(r.obj.value, r.V, f"{name}: an operand's values changed")
            _same_bits(r.obj.tangent, r.T, f"{name}: an operand's tangents changed")
            if r.H is not None:
                _same_bits(r.obj.hessian, r.H, f"{name}: an operand's Hessians changed")
    same = bool(refs) and len({(r.n, r.order) for r in refs}) == 1
    if kind == "raised" or not same:
        return kind
    n, order = refs[0].n, refs[0].order
    _check_result(res, n, order, name)
    tame = all(r.tame for r in refs) and all(_tame_const(c) for c in consts)
    scale = _scale(refs, consts)
    if op.kind == "elem":
        def cmp(g, w, what):
            _close(g, w, 1e-288, what, rtol=1e-12)
    else:
        def cmp(g, w, what):
            if tame:
                _close(g, w, scale, what, rtol=1e-9)
            else:
                assert np.shape(g) == np.shape(w), f"{what}: shape {np.shape(g)}, NumPy {np.shape(w)}"
    # values against the same NumPy code on the operands' values
    # NumPy's object loops give objects for logical functions (0.25 and x is x)
    objects = any(isinstance(c, np.ndarray) and c.dtype == object for c in consts)
    if op.twin and not _known_value_difference(name, vals) and not (objects and op.kind == "other"):
        tkind, tres = _twin_outcome(op.fn, vals)
        if tkind == "raised" and _permissive(name, objs):
            return kind
        # a 0-d dual array reduces through a scalar Dual, and NumPy's ufunc.reduce
        # takes axis 0 of a 0-d array where np.linalg.norm and others refuse it
        if tkind == "raised" and isinstance(tres, _AxisError) and np.ndim(objs[0]) == 0:
            return kind
        assert tkind == "ok", (f"{name}{_show(objs)} gives a result, but NumPy on the values "
                               f"raises {tres!r}")
        COUNTS["value_checks"] += 1
        _compare_tree(_values_of(res), tres, cmp, f"{name}{_show(objs)}: values")
    # no wrong width read: each direction alone gives direction k of the result
    if op.per_direction:
        for k in directions:
            if k >= n:
                continue
            COUNTS["projections"] += 1
            pargs = [(_project_dual(a, k) if type(a.obj) is Dual else a.project(k))
                     if isinstance(a, Ref) else a for a in args]
            pkind, pres = _outcome(op.fn, pargs, raising)
            assert pkind == "ok", (f"{name}{_show(objs)}: a result with full width, {pres!r} "
                                   f"on direction {k}")
            full = _direction(res, k)
            proj = _direction(pres, 0)
            if op.kind == "elem":
                _tree_bits(full, proj, f"{name}{_show(objs)} direction {k}")
            elif tame:
                _tree_close(full, proj, scale, f"{name}{_show(objs)} direction {k}")
    return kind


def _known_value_difference(name, vals):
    """Where the values differ from NumPy's by a documented rule of the C core."""
    # x // 0 is NaN by the core's floordiv rule; NumPy gives +-inf for x != 0
    if name.startswith(("floor_divide", "divmod")) and len(vals) == 2:
        try:
            return bool((np.asarray(vals[1], dtype=np.float64) == 0).any())
        except (TypeError, ValueError):
            return False
    return False


def _permissive(name, objs):
    """Where dual arrays accept what NumPy refuses, by design."""
    # object arrays of numbers are numbers to dual arrays (NumPy's linalg refuses them)
    if any(isinstance(o, np.ndarray) and o.dtype == object for o in objs):
        return True
    # accumulate without an axis runs along the flattened array, as cumsum and
    # cumprod do (NumPy's ufunc.accumulate refuses 0-d and several axes)
    if ".accumulate(axis=None)" in name or (".accumulate(" in name and np.ndim(objs[0]) == 0):
        return True
    # x[()] = y for a 0-d x broadcasts y as x[...] = y does (NumPy wants a scalar)
    if name.startswith("setitem[()]"):
        return True
    # so does a size-1 array assigned to one element
    if name.startswith("setitem[") and len(objs) == 2 and np.size(objs[1]) == 1:
        return True
    # pad of a 0-d dual array has no widths to check
    if name.startswith("pad(") and np.ndim(objs[0]) == 0:
        return True
    # vsplit of a 1-D dual array splits along its only axis
    if name.startswith("vsplit(") and np.ndim(objs[0]) == 1:
        return True
    # reductions take a list of axes as well as a tuple
    if "(axis=[" in name:
        return True
    # multi_dot of dual arrays is a chain of np.dot, which takes any dimension
    if name == "linalg.multi_dot" or name.startswith("multi_dot"):
        return True
    # the unweighted average of an empty array is the mean's (NumPy divides by 0 and raises)
    if name.startswith("average(") and np.size(objs[0]) == 0:
        return True
    # 0-d dual arrays meeting 0-d operands give scalar Duals, and NumPy's
    # reductions pass a scalar through any axis
    if name.startswith("average(") and np.ndim(objs[0]) == 0:
        return True
    # weights broadcast against a (NumPy asks for an axis when the shapes differ)
    return name.startswith("average(") and len(objs) == 2 and np.shape(objs[0]) != np.shape(objs[1])


def _project_dual(r, k):
    t = [float(r.T[k])]
    if r.order == 1:
        return Dual(float(r.V), t[0])
    return Dual(float(r.V), t, hessian=[[float(r.H[k, k])]])


def _tree_bits(a, b, what):
    _tree(a, b, what, lambda x, y, w: _same_bits(x, y, w))


def _tree_close(a, b, scale, what):
    _tree(a, b, what, lambda x, y, w: _close(x, y, scale, w, rtol=1e-9))


def _tree(a, b, what, same):
    """Compare two results of _direction: None (no dual), a tuple of parts
    (value, tangent, Hessian) or a list of those."""
    if a is None:
        assert b is None, what
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (what, b)
        for x, y in zip(a, b):
            _tree(x, y, what, same)
    else:
        assert isinstance(b, tuple) and len(a) == len(b), (what, b)
        for x, y, part in zip(a, b, ("value", "tangent", "Hessian")):
            same(x, y, f"{what} ({part})")


# ---------------------------------------------------------- the operations

class Op:
    """fn(*operands) with the drawn parameters bound; kind 'elem' (elementwise:
    exact per direction), 'lin' (other dual results) or 'other' (no dual result
    to compare per direction); twin: compare with fn on the values."""

    __slots__ = ("arity", "make", "kind", "twin", "per_direction")

    def __init__(self, arity, make, kind="lin", twin=True, per_direction=True):
        self.arity, self.make, self.kind = arity, make, kind
        self.twin, self.per_direction = twin, per_direction


class _Bound:
    __slots__ = ("fn", "kind", "twin", "per_direction")


OPS_SPEC = {}
OPS = {}  # filled per call by check_operation's caller: name -> bound op


def _op(name, arity, kind="lin", twin=True, per_direction=True):
    def deco(make):
        OPS_SPEC[name] = Op(arity, make, kind, twin, per_direction)
        return make
    return deco


UFUNC_OPS = set()  # the operations that call one ufunc: where a scalar Dual meets arrays
_UNARY_UFUNCS = []
_BINARY_UFUNCS = []
_VALUE_UFUNCS = {"less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
                 "isfinite", "isinf", "isnan", "signbit", "logical_and", "logical_or",
                 "logical_xor", "logical_not"}
for _name in supported_ufuncs():
    _u = getattr(np, _name)
    if _name in ("matmul", "vecdot"):  # reductions: their rounding depends on the layout
        if _name == "vecdot":
            OPS_SPEC["np.vecdot"] = Op(2, lambda draw, ndim: np.vecdot, "lin")
        continue
    (_UNARY_UFUNCS if _u.nin == 1 else _BINARY_UFUNCS).append(_name)
    UFUNC_OPS.add("np." + _name)
    kind = "other" if _name in _VALUE_UFUNCS else "elem"
    # ldexp needs an integer exponent, drawn below
    if _name != "ldexp":
        OPS_SPEC["np." + _name] = Op(_u.nin, (lambda u: lambda draw, ndim: u)(_u), kind,
                                     True, kind == "elem")


@_op("np.ldexp", 1, "elem")
def _ldexp(draw, ndim):
    e = draw(st.sampled_from([0, 1, -3, 1000, -1100, np.array([1, -2]), 2.5]))
    return lambda a: np.ldexp(a, e)


@_op("np.matmul", 2)
def _matmul(draw, ndim):
    return np.matmul


@_op("ufunc.out", 2, "elem", twin=False, per_direction=False)
def _ufunc_out(draw, ndim):
    u = getattr(np, draw(st.sampled_from(_UNARY_UFUNCS)))
    as_tuple = draw(st.booleans())

    def f(a, out):
        if isinstance(out, DualArray):
            out = out.copy()  # never write into an operand of the pool
        r = u(a, out=(out,) if as_tuple else out)
        assert r is out, f"{u.__name__}(out=) returned {r!r}, not out"
        return r
    f.__name__ = f"{u.__name__}(out=)"
    return f


@_op("ufunc.kwargs", 2, "elem", twin=True)
def _ufunc_kwargs(draw, ndim):
    u = getattr(np, draw(st.sampled_from([x for x in _BINARY_UFUNCS if x not in _VALUE_UFUNCS]
                                         + ["add", "subtract", "multiply"])))
    kw = draw(st.sampled_from([{"dtype": np.float64}, {"dtype": np.float32}, {"dtype": int},
                               {"where": True}, {"where": False}, {"casting": "unsafe"},
                               {"order": "F"}, {"subok": True}, {"signature": None}]))
    f = lambda a, b: u(a, b, **kw)  # noqa: E731
    f.__name__ = f"{u.__name__}(**{kw})"
    return f


@_op("ufunc.method", 1, "lin")
def _ufunc_method(draw, ndim):
    u = draw(st.sampled_from([np.add, np.multiply, np.maximum, np.minimum, np.subtract]))
    method = draw(st.sampled_from(["reduce", "reduce", "accumulate", "outer", "at", "reduceat"]))
    axis = draw(_axis_arg(ndim))
    keep = draw(st.booleans())

    def f(a):
        if method == "reduce":
            return u.reduce(a, axis=axis, keepdims=keep) if axis is not _NO else u.reduce(a)
        if method == "accumulate":
            return u.accumulate(a, axis=axis) if axis is not _NO else u.accumulate(a)
        if method == "outer":
            return u.outer(a, a)
        if method == "at":
            b = a.copy()
            u.at(b, 0, 1.0)
            return b
        return u.reduceat(a, [0])
    f.__name__ = f"{u.__name__}.{method}(axis={axis})"
    return f


_NO = object()


def _axis_arg(ndim):
    return st.one_of(
        st.just(_NO), st.none(), st.integers(-ndim - 1, ndim),
        st.lists(st.integers(-ndim, max(ndim - 1, 0)), max_size=ndim + 1).map(tuple),
        st.sampled_from([1.5, "0", 10 ** 30, [0]]))


for _rname in ["sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin"]:
    def _make_red(fn):
        def make(draw, ndim):
            axis = draw(_axis_arg(ndim))
            keep = draw(st.booleans())
            extra = draw(st.sampled_from([{}, {}, {"ddof": 1}, {"where": True}, {"initial": 2.0},
                                          {"dtype": np.float32}, {"dtype": np.float64}]))
            if fn in (np.max, np.min, np.amax, np.amin) and "ddof" in extra:
                extra = {}
            if fn not in (np.var, np.std) and "ddof" in extra:
                extra = {}
            if fn in (np.mean, np.var, np.std) and "initial" in extra:
                extra = {}

            def f(a):
                kw = dict(extra, keepdims=keep)
                if axis is not _NO:
                    kw["axis"] = axis
                return fn(a, **kw)
            f.__name__ = f"{fn.__name__}(axis={axis}, keepdims={keep}, {extra})"
            return f
        return make
    OPS_SPEC["np." + _rname] = Op(1, _make_red(getattr(np, _rname)))

for _cname in ["cumsum", "cumprod"]:
    def _make_cum(fn):
        def make(draw, ndim):
            axis = draw(st.one_of(st.none(), st.integers(-ndim - 1, ndim)))
            f = lambda a: fn(a, axis=axis)  # noqa: E731
            f.__name__ = f"{fn.__name__}(axis={axis})"
            return f
        return make
    OPS_SPEC["np." + _cname] = Op(1, _make_cum(getattr(np, _cname)))


@_op("np.average", 2)
def _average(draw, ndim):
    axis = draw(st.one_of(st.none(), st.integers(-ndim, max(ndim - 1, 0))))
    weighted = draw(st.booleans())

    def f(a, w):
        return np.average(a, axis=axis, weights=w if weighted else None)
    f.__name__ = f"average(axis={axis})"
    return f


@_op("np.linalg.norm", 1)
def _norm(draw, ndim):
    ordr = draw(st.sampled_from([None, 1, 2, np.inf, -np.inf, 0, 3, "fro", -1]))
    axis = draw(st.one_of(st.none(), st.integers(-ndim, max(ndim - 1, 0)),
                          st.just((0, 1)), st.just((-1, -2))))
    keep = draw(st.booleans())
    f = lambda a: np.linalg.norm(a, ord=ordr, axis=axis, keepdims=keep)  # noqa: E731
    f.__name__ = f"norm(ord={ordr}, axis={axis}, keepdims={keep})"
    return f


# ------------------------------------------------------------ shape functions

def _perm_or_junk(draw, ndim):
    return draw(st.one_of(st.permutations(list(range(ndim))).map(tuple),
                          st.lists(st.integers(-ndim - 1, ndim), max_size=ndim + 1).map(tuple)))


@_op("reshape", 1)
def _reshape(draw, ndim):
    target = draw(st.one_of(st.just(-1), st.lists(st.sampled_from([-1, 0, 1, 2, 3, 4, 6, 12]),
                                                  max_size=4).map(tuple), st.just("x")))
    f = lambda a: np.reshape(a, target)  # noqa: E731
    f.__name__ = f"reshape({target})"
    return f


@_op("method.reshape", 1)
def _mreshape(draw, ndim):
    target = draw(st.lists(st.sampled_from([-1, 1, 2, 3, 4, 6]), max_size=3).map(tuple))
    f = lambda a: a.reshape(*target) if isinstance(a, DualArray) else np.reshape(a, target)  # noqa: E731
    f.__name__ = f"a.reshape{target}"
    return f


@_op("transpose", 1)
def _transpose(draw, ndim):
    axes = draw(st.one_of(st.none(), st.just(_NO))) if draw(st.booleans()) else _perm_or_junk(draw, ndim)
    f = (lambda a: np.transpose(a)) if axes is _NO else (lambda a: np.transpose(a, axes))
    f.__name__ = f"transpose({axes})"
    return f


for _sname, _sfn in [("ravel", np.ravel), ("atleast_1d", np.atleast_1d),
                     ("atleast_2d", np.atleast_2d), ("atleast_3d", np.atleast_3d),
                     ("copy", np.copy), ("zeros_like", np.zeros_like), ("ones_like", np.ones_like),
                     ("real", np.real), ("imag", np.imag), ("fliplr", np.fliplr),
                     ("flipud", np.flipud), ("asarray", np.asarray), ("np.array", np.array),
                     ("sort_all", lambda a: np.sort(a, axis=None)),
                     ("T", lambda a: a.T), ("mT", lambda a: a.mT), ("flatten", lambda a: a.flatten()),
                     ("conj", lambda a: a.conj()), ("real_attr", lambda a: a.real),
                     ("method.copy", lambda a: a.copy()), ("view", lambda a: a.view()),
                     ("astype64", lambda a: a.astype(np.float64)),
                     ("tril", np.tril), ("triu", np.triu), ("diag", np.diag),
                     ("empty_like_shape", lambda a: np.zeros_like(a, shape=(2,)))]:
    # np.asarray / np.array strip the type: NaN placeholders, not NumPy's values
    _k = "other" if _sname in ("asarray", "np.array", "imag") else "lin"
    OPS_SPEC[_sname] = Op(1, (lambda fn: lambda draw, ndim: fn)(_sfn), _k,
                          _sname not in ("asarray", "np.array"),
                          _k == "lin" and _sname not in ("zeros_like", "ones_like",
                                                         "empty_like_shape"))


@_op("swapaxes", 1)
def _swapaxes(draw, ndim):
    i, j = draw(st.integers(-ndim - 1, ndim)), draw(st.integers(-ndim - 1, ndim))
    f = lambda a: np.swapaxes(a, i, j)  # noqa: E731
    f.__name__ = f"swapaxes({i}, {j})"
    return f


@_op("moveaxis", 1)
def _moveaxis(draw, ndim):
    i, j = draw(st.integers(-ndim - 1, ndim)), draw(st.integers(-ndim - 1, ndim))
    f = lambda a: np.moveaxis(a, i, j)  # noqa: E731
    f.__name__ = f"moveaxis({i}, {j})"
    return f


@_op("expand_dims", 1)
def _expand(draw, ndim):
    ax = draw(st.one_of(st.integers(-ndim - 2, ndim + 1),
                        st.lists(st.integers(-ndim - 2, ndim + 1), max_size=3).map(tuple)))
    f = lambda a: np.expand_dims(a, ax)  # noqa: E731
    f.__name__ = f"expand_dims({ax})"
    return f


@_op("squeeze", 1)
def _squeeze(draw, ndim):
    ax = draw(st.one_of(st.none(), st.integers(-ndim - 1, ndim)))
    f = lambda a: np.squeeze(a, ax)  # noqa: E731
    f.__name__ = f"squeeze({ax})"
    return f


@_op("broadcast_to", 1)
def _broadcast_to(draw, ndim):
    target = draw(st.lists(st.sampled_from([0, 1, 2, 3, 4]), max_size=4).map(tuple))
    f = lambda a: np.broadcast_to(a, target)  # noqa: E731
    f.__name__ = f"broadcast_to({target})"
    return f


@_op("broadcast_arrays", 2)
def _broadcast_arrays(draw, ndim):
    return lambda a, b: np.broadcast_arrays(a, b)


for _jname, _jfn in [("concatenate", np.concatenate), ("stack", np.stack)]:
    def _make_join(fn):
        def make(draw, ndim):
            axis = draw(st.one_of(st.none(), st.integers(-ndim - 2, ndim + 1)))

            def f(a, b):
                return fn([a, b], axis=axis)
            f.__name__ = f"{fn.__name__}(axis={axis})"
            return f
        return make
    OPS_SPEC[_jname] = Op(2, _make_join(_jfn))
for _jname, _jfn in [("hstack", np.hstack), ("vstack", np.vstack),
                     ("column_stack", np.column_stack), ("append", np.append)]:
    OPS_SPEC[_jname] = Op(2, (lambda fn: lambda draw, ndim: (lambda a, b: fn((a, b)) if fn is not np.append
                                                             else fn(a, b)))(_jfn))


@_op("split", 1)
def _split(draw, ndim):
    fn = draw(st.sampled_from([np.split, np.array_split, np.hsplit, np.vsplit]))
    sec = draw(st.sampled_from([1, 2, 3, [1], [0, 2], 0]))
    axis = draw(st.integers(-ndim - 1, ndim))
    if fn in (np.hsplit, np.vsplit):
        f = lambda a: fn(a, sec)  # noqa: E731
    else:
        f = lambda a: fn(a, sec, axis=axis)  # noqa: E731
    f.__name__ = f"{fn.__name__}({sec}, axis={axis})"
    return f


@_op("flip", 1)
def _flip(draw, ndim):
    ax = draw(st.one_of(st.none(), st.integers(-ndim - 1, ndim)))
    f = lambda a: np.flip(a, ax)  # noqa: E731
    f.__name__ = f"flip({ax})"
    return f


@_op("roll", 1)
def _roll(draw, ndim):
    shift = draw(st.integers(-5, 5))
    ax = draw(st.one_of(st.none(), st.integers(-ndim - 1, ndim)))
    f = lambda a: np.roll(a, shift, axis=ax)  # noqa: E731
    f.__name__ = f"roll({shift}, axis={ax})"
    return f


@_op("repeat", 1)
def _repeat(draw, ndim):
    reps = draw(st.sampled_from([0, 1, 2, -1, [1, 2], 10 ** 20]))
    ax = draw(st.one_of(st.none(), st.integers(-ndim - 1, ndim)))
    f = lambda a: np.repeat(a, reps, axis=ax)  # noqa: E731
    f.__name__ = f"repeat({reps}, axis={ax})"
    return f


@_op("tile", 1)
def _tile(draw, ndim):
    reps = draw(st.sampled_from([0, 1, 2, (2, 1), (1, 2, 1), -1]))
    f = lambda a: np.tile(a, reps)  # noqa: E731
    f.__name__ = f"tile({reps})"
    return f


@_op("diff", 1)
def _diff(draw, ndim):
    n = draw(st.integers(0, 3))
    ax = draw(st.integers(-ndim - 1, ndim))
    pre = draw(st.sampled_from([None, 0.5]))
    if pre is None:
        f = lambda a: np.diff(a, n=n, axis=ax)  # noqa: E731
    else:
        f = lambda a: np.diff(a, n=n, axis=ax, prepend=pre, append=pre)  # noqa: E731
    f.__name__ = f"diff(n={n}, axis={ax}, prepend={pre})"
    return f


@_op("pad", 1)
def _pad(draw, ndim):
    width = draw(st.sampled_from([0, 1, (1, 2), ((0, 1),) * max(ndim, 1), -1]))
    mode = draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap", "mean"]))
    f = lambda a: np.pad(a, width, mode=mode)  # noqa: E731
    f.__name__ = f"pad({width}, {mode})"
    return f


@_op("where", 3)
def _where(draw, ndim):
    def f(c, a, b):
        return np.where(np.asarray(c.value if isinstance(c, (DualArray, Dual)) else c) > 0, a, b) \
            if not isinstance(c, (str, bytes)) else np.where(c, a, b)
    return f


@_op("clip", 1)
def _clip(draw, ndim):
    lo = draw(st.sampled_from([None, -0.5, np.nan, -np.inf]))
    hi = draw(st.sampled_from([None, 0.5, 2.0, np.inf]))
    f = lambda a: np.clip(a, lo, hi)  # noqa: E731
    f.__name__ = f"clip({lo}, {hi})"
    return f


@_op("sort", 1)
def _sort(draw, ndim):
    ax = draw(st.one_of(st.none(), st.integers(-ndim - 1, ndim)))
    f = lambda a: np.sort(a, axis=ax)  # noqa: E731
    f.__name__ = f"sort(axis={ax})"
    return f


@_op("method.sort", 1)
def _msort(draw, ndim):
    ax = draw(st.integers(-ndim - 1, ndim))

    def f(a):
        b = a.copy()
        b.sort(axis=ax)
        return b
    f.__name__ = f"a.sort(axis={ax})"
    return f


@_op("take", 1)
def _take(draw, ndim):
    idx = draw(st.sampled_from([0, -1, 3, [0, 0], [[1, 0]], np.array([], dtype=int), 1.5, 10 ** 20]))
    ax = draw(st.one_of(st.none(), st.integers(-ndim - 1, ndim)))
    mode = draw(st.sampled_from(["raise", "raise", "wrap", "clip"]))
    f = lambda a: np.take(a, idx, axis=ax, mode=mode)  # noqa: E731
    f.__name__ = f"take({idx}, axis={ax}, mode={mode})"
    return f


@_op("take_along_axis", 1)
def _take_along(draw, ndim):
    ax = draw(st.one_of(st.none(), st.integers(-ndim - 1, ndim)))
    f = lambda a: np.take_along_axis(a, np.argsort(a, axis=ax), axis=ax)  # noqa: E731
    f.__name__ = f"take_along_axis(axis={ax})"
    return f


@_op("diagonal", 1)
def _diagonal(draw, ndim):
    off = draw(st.integers(-2, 2))
    a1, a2 = draw(st.integers(-ndim, max(ndim - 1, 0))), draw(st.integers(-ndim, max(ndim - 1, 0)))
    f = lambda a: np.diagonal(a, off, a1, a2)  # noqa: E731
    f.__name__ = f"diagonal({off}, {a1}, {a2})"
    return f


@_op("trace", 1)
def _trace(draw, ndim):
    off = draw(st.integers(-2, 2))
    f = lambda a: np.trace(a, off)  # noqa: E731
    f.__name__ = f"trace({off})"
    return f


@_op("round", 1)
def _round(draw, ndim):
    d = draw(st.sampled_from([0, 1, -1, 3]))
    f = lambda a: np.round(a, d)  # noqa: E731
    f.__name__ = f"round({d})"
    return f


@_op("full_like", 2, per_direction=False)
def _full_like(draw, ndim):
    return lambda a, v: np.full_like(a, v)


# ---------------------------------------------------------- products, linalg

for _pname, _pfn in [("dot", np.dot), ("outer", np.outer), ("inner", np.inner),
                     ("vdot", np.vdot), ("kron", np.kron), ("cross", np.cross),
                     ("tensordot1", lambda a, b: np.tensordot(a, b, axes=1)),
                     ("tensordot0", lambda a, b: np.tensordot(a, b, axes=0)),
                     ("einsum_ij", lambda a, b: np.einsum("ij,jk->ik", a, b)),
                     ("einsum_sum", lambda a, b: np.einsum("...,...->...", a, b)),
                     ("einsum_trace", lambda a, b: np.einsum("i,i->", np.ravel(a), np.ravel(b))),
                     ("matmul_op", lambda a, b: a @ b),
                     ("multi_dot", lambda a, b: np.linalg.multi_dot([a, b, a]))]:
    OPS_SPEC[_pname] = Op(2, (lambda fn: lambda draw, ndim: fn)(_pfn))


def _square(a):
    """a as a stack of square matrices (last axis size k, k = floor(sqrt))."""
    s = np.shape(a.value if isinstance(a, (DualArray, Dual)) else a)
    size = int(np.prod(s))
    k = int(math.isqrt(size))
    if k == 0:
        return np.reshape(a, (0, 0))
    flat = np.ravel(a)
    return np.reshape(flat[:k * k], (k, k))


def _spd(a):
    m = _square(a)
    return m @ np.swapaxes(m, -1, -2) + 2.0 * np.eye(np.shape(m)[-1])


for _lname, _lfn in [("inv", lambda a: np.linalg.inv(_square(a))),
                     ("det", lambda a: np.linalg.det(_square(a))),
                     ("slogdet", lambda a: tuple(np.linalg.slogdet(_square(a)))),
                     ("solve", lambda a, b: np.linalg.solve(_square(a), b)),
                     ("cholesky", lambda a: np.linalg.cholesky(_spd(a))),
                     ("eigvalsh", lambda a: np.linalg.eigvalsh(_spd(a))),
                     ("qr_r", lambda a: np.linalg.qr(_square(a), mode="r")),
                     ("lstsq", lambda a, b: np.linalg.lstsq(_square(a), b)[0]),
                     ("inv_raw", lambda a: np.linalg.inv(a)), ("det_raw", lambda a: np.linalg.det(a)),
                     ("svd", lambda a: np.linalg.svd(a)), ("eig", lambda a: np.linalg.eig(a))]:
    _ar = _lfn.__code__.co_argcount
    OPS_SPEC["linalg." + _lname] = Op(_ar, (lambda fn: lambda draw, ndim: fn)(_lfn))


# ----------------------------------------------------------- indexing

@st.composite
def index_keys(draw, shape):
    nd = len(shape)

    def one(s):
        return st.one_of(
            st.integers(-s - 1, s) if s else st.integers(-1, 1),
            st.builds(slice, st.one_of(st.none(), st.integers(-5, 5)),
                      st.one_of(st.none(), st.integers(-5, 5)),
                      st.one_of(st.none(), st.sampled_from([1, 2, -1, -2]))),
            st.just(None),
            st.lists(st.integers(-s, max(s - 1, 0)), max_size=3).map(lambda v: np.array(v, dtype=np.intp)),
        )
    kind = draw(st.sampled_from(["tuple", "tuple", "single", "ellipsis", "mask", "bool", "junk",
                                 "empty", "full"]))
    if kind == "tuple":
        parts = [draw(one(s)) for s in shape[:draw(st.integers(0, nd + 1))]]
        return tuple(parts)
    if kind == "single":
        return draw(one(shape[0] if nd else 0))
    if kind == "ellipsis":
        return (Ellipsis, draw(one(shape[-1] if nd else 0))) if draw(st.booleans()) else Ellipsis
    if kind == "mask":
        rng = np.random.default_rng(draw(st.integers(0, 1000)))
        return rng.random(shape) < 0.5
    if kind == "bool":
        return draw(st.booleans())
    if kind == "empty":
        return ()
    if kind == "full":
        return tuple(draw(st.integers(-s, max(s - 1, 0))) for s in shape)
    return draw(st.sampled_from([1.5, "a", [[0, 1], [0]], (0, 0, 0, 0, 0), np.array([0.5]),
                                 np.array(1 + 1j), slice("a"), 10 ** 30]))


def _make_getitem(key):
    f = lambda a: a[key]  # noqa: E731
    f.__name__ = f"getitem[{key!r}]"
    return f


def _make_setitem(key, through):
    def f(a, v):
        b = a.copy() if isinstance(a, DualArray) else np.array(a, dtype=np.float64)
        target = b
        if through == "T":
            target = b.T
            k = key
        elif through == "rev" and b.ndim:
            target = b[::-1]
            k = key
        else:
            k = key
        if isinstance(v, Ref):
            v = v.obj
        target[k] = v
        return b
    f.__name__ = f"setitem[{key!r}] through {through}"
    return f


OPS_SPEC["getitem"] = Op(1, None)
OPS_SPEC["setitem"] = Op(2, None)


# -------------------------------------------------- conversions, attributes

def _pickle(a):
    return pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))


def _attr(name):
    return lambda a: getattr(a, name)


for _aname, _afn, _akind in [
        ("pickle", _pickle, "lin"), ("copy.copy", copy.copy, "lin"),
        ("deepcopy", copy.deepcopy, "lin"), ("tolist", lambda a: a.tolist(), "lin"),
        ("item", lambda a: a.item(), "lin"), ("item0", lambda a: a.item(0), "lin"),
        ("list", list, "lin"), ("len", len, "other"), ("bool", bool, "other"),
        ("float", float, "other"), ("int", int, "other"), ("complex", complex, "other"),
        ("hash", hash, "other"), ("repr", repr, "other"), ("str", str, "other"),
        ("value", _attr("value"), "other"), ("tangent", _attr("tangent"), "other"),
        ("hessian", _attr("hessian"), "other"), ("width", _attr("width"), "other"),
        ("order", _attr("order"), "other"), ("all_finite", dualdiff.all_finite, "other"),
        ("shape", np.shape, "other"), ("ndim", np.ndim, "other"), ("size", np.size, "other"),
        ("argmax", np.argmax, "other"), ("argsort", np.argsort, "other"),
        ("nonzero", np.nonzero, "other"), ("any", np.any, "other"), ("all", np.all, "other"),
        ("count_nonzero", np.count_nonzero, "other"), ("isclose", lambda a: np.isclose(a, a), "other"),
        ("astype_int", lambda a: a.astype(int), "other"),
        ("view_dtype", lambda a: a.view(np.int64), "other"),
        ("index", lambda a: [1, 2, 3][a], "other"),
        ("fill", lambda a: (lambda b: (b.fill(0.5), b)[1])(a.copy()), "lin"),
        ("iadd", lambda a: (lambda b: b.__iadd__(1.0))(a.copy()), "lin"),
        ("imul", lambda a: (lambda b: b.__imul__(a))(a.copy()), "lin"),
        ("detached", lambda a: np.sin(np.ndarray.__getitem__(a, ...)), "other"),
        # functions without a rule must refuse (TypeError), never drop derivatives silently
        ("median", np.median, "other"), ("unique", np.unique, "other"),
        ("percentile", lambda a: np.percentile(a, 50), "other"), ("fft", np.fft.fft, "other"),
        ("histogram", np.histogram, "other"), ("convolve", lambda a: np.convolve(a, a), "other"),
        ("interp", lambda a: np.interp(a, [0.0, 1.0], [1.0, 2.0]), "other"),
        ("cov", np.cov, "other"), ("gradient", np.gradient, "other"),
        ("nansum", np.nansum, "other"), ("ptp", np.ptp, "other")]:
    # values of Python-level conversions are compared with the float twin where one exists
    _twin = _aname in ("pickle", "copy.copy", "deepcopy", "tolist", "list", "len", "shape", "item",
                       "ndim", "size", "argmax", "argsort", "nonzero", "any", "all",
                       "count_nonzero", "isclose", "fill", "iadd", "item0")
    OPS_SPEC[_aname] = Op(1, (lambda fn: lambda draw, ndim: fn)(_afn), _akind, _twin,
                          _akind == "lin")


# ------------------------------------------------------------ transforms

def _fn_catalogue():
    """NumPy functions of x (a float or dual array) to differentiate; most are
    smooth almost everywhere."""
    def chain(names):
        def f(x):
            y = x
            for u in names:
                y = getattr(np, u)(y)
            return y
        f.__name__ = "(" + "o".join(names) + ")"
        return f
    cat = {
        "sin*x": lambda x: np.sin(x) * x,
        "exp-sum": lambda x: np.exp(-np.sum(x * x)),
        "rosen": lambda x: np.sum(100.0 * (np.ravel(x)[1:] - np.ravel(x)[:-1] ** 2) ** 2
                                  + (1 - np.ravel(x)[:-1]) ** 2),
        "tanh@": lambda x: np.tanh(np.reshape(x, (-1,)) @ np.arange(1.0, np.size(x) + 1)),
        "outer": lambda x: np.outer(np.ravel(x), np.cos(np.ravel(x))),
        "cumprod": lambda x: np.cumprod(1.0 + 0.1 * np.ravel(x)),
        "logaddexp": lambda x: np.logaddexp(x, 2 * x),
        "logsumexp": lambda x: np.log(np.sum(np.exp(x - np.max(x)))) + np.max(x),
        "norm": lambda x: np.linalg.norm(x),
        "det": lambda x: np.linalg.det(_square(x) + 3 * np.eye(int(math.isqrt(np.size(x))))),
        "inv": lambda x: np.linalg.inv(_square(x) + 3 * np.eye(int(math.isqrt(np.size(x))))),
        "var": lambda x: np.var(x, axis=-1) if np.ndim(x) else x * x,
        "sort": lambda x: np.sort(np.ravel(x)) ** 2,
        "max": lambda x: np.max(x, axis=0) if np.ndim(x) and np.shape(x)[0] else x,
        "where": lambda x: np.where(np.asarray(x.value if isinstance(x, DualArray) else x) > 0,
                                    x ** 3, np.sin(x)),
        "hypot": lambda x: np.hypot(x, 1.0 + x * x),
        "arctan2": lambda x: np.arctan2(x, 2.0 + np.cos(x)),
        "power": lambda x: np.power(np.abs(x) + 0.5, np.cos(x)),
        "pad-diff": lambda x: np.diff(np.pad(np.ravel(x), 1, mode="edge")) * np.ravel(x),
        "stack": lambda x: np.stack([np.ravel(x), np.exp(np.ravel(x))], axis=1),
        "floor": lambda x: np.floor(x) + x,
        "mean-keep": lambda x: x - np.mean(x, axis=-1, keepdims=True) if np.ndim(x) else x,
        "clip": lambda x: np.clip(x, -0.5, 0.5) * x,
        "cbrt": lambda x: np.cbrt(x) * np.expm1(x),
        "solve": lambda x: np.linalg.solve(_square(x) + 4 * np.eye(int(math.isqrt(np.size(x)))),
                                           np.ones(int(math.isqrt(np.size(x))))),
    }
    for names in [("sin", "exp"), ("tanh", "arcsinh", "square"), ("cos", "log1p"),
                  ("arctan", "sqrt"), ("sinh", "cbrt"), ("exp2", "log2"), ("negative", "expm1")]:
        cat["chain" + "".join("-" + u for u in names)] = chain(names)
    return cat


FUNCTIONS = _fn_catalogue()


def _fd(f, x, j, h):
    """(central 4th-order, forward, backward differences) of f at x along flat
    entry j, or None where f fails or is not finite nearby."""
    e = np.zeros(x.size)
    e[j] = h
    e = e.reshape(x.shape)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # f on floats: NumPy's code, the reference
            with np.errstate(all="ignore"):
                f0, fp1, fm1, fp2, fm2 = (np.asarray(f(x + k * e), dtype=float)
                                          for k in (0, 1, -1, 2, -2))
    except Exception:
        return None
    if not all(np.isfinite(a).all() for a in (f0, fp1, fm1, fp2, fm2)):
        return None
    central = (8 * (fp1 - fm1) - (fp2 - fm2)) / (12 * h)
    return central, (fp1 - f0) / h, (f0 - fm1) / h


def _agree_where_smooth(got, f, x, what):
    """Check got (out.shape + x.shape) against central differences of f, entry
    by entry of x, where f is smooth: forward and backward differences agree,
    and central differences at two step sizes agree."""
    got = np.asarray(got, dtype=float)
    out_shape = got.shape[:got.ndim - x.ndim] if x.ndim else got.shape
    g = got.reshape(out_shape + (x.size,))
    for j in range(x.size):
        h = 1e-4 * max(1.0, abs(float(x.reshape(-1)[j])))
        d1, d2 = _fd(f, x, j, h), _fd(f, x, j, h / 8)
        if d1 is None or d2 is None or d1[0].shape != out_shape:
            continue
        c, fw, bw = d1
        smooth = ((np.abs(fw - bw) <= 1e-2 * (1.0 + np.abs(c)))
                  & (np.abs(d2[1] - d2[2]) <= 1e-2 * (1.0 + np.abs(c)))
                  & (np.abs(c - d2[0]) <= 1e-6 * (1.0 + np.abs(c))))
        col = g[..., j]
        ok = ~smooth | ~np.isfinite(col) | (np.abs(col - c) <= 1e-5 * (1.0 + np.abs(c)))
        COUNTS["fd_entries"] += int(smooth.sum())
        assert ok.all(), (f"{what}: derivative along x[{j}] is {col[~ok]}, central difference "
                          f"{c[~ok]} (forward {fw[~ok]}, backward {bw[~ok]})")


def check_transform(fname, x, v, second, raising=False):
    """jacobian/value_and_jacobian/jvp (and hessian) of FUNCTIONS[fname] at x."""
    f = FUNCTIONS[fname]
    COUNTS["transforms"] += 1
    what = f"{fname} at {x!r}"
    try:  # the transforms compute in float64
        if np.iscomplexobj(x):
            raise TypeError("complex")
        xf = np.asarray(x, dtype=np.float64)
        xf = xf if np.ndim(x) else (float(xf) if not isinstance(x, np.ndarray) else xf)
    except (TypeError, ValueError):
        xf = x
    kind, y = _outcome(f, [xf], raising)  # on floats
    if kind == "raised":
        for t in (dualdiff.jacobian(f), dualdiff.hessian(f)):
            _outcome(t, [x], raising, twin=lambda: f(xf))
        return kind
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError):  # f gave no numbers on floats: the transforms must refuse
        for t in (dualdiff.jacobian(f), dualdiff.hessian(f)):
            kind, res = _outcome(t, [x], raising, twin=lambda: f(xf))
            assert kind == "raised", (what, res)
        return "raised"
    kj, J = _outcome(dualdiff.jacobian(f), [x], raising, twin=lambda: f(xf))
    kv, VJ = _outcome(dualdiff.value_and_jacobian(f), [x], raising, twin=lambda: f(xf))
    kp, JV = _outcome(dualdiff.jvp, [f, x, v], raising, twin=lambda: f(xf))
    assert kj == kv, (what, J, VJ)
    # (a list x reaches f as an object array of Duals in jacobian, as a
    # DualArray in jvp: NumPy functions without object loops differ)
    # (and under errstate(all="raise") the floating-point events of one direction
    # and of all directions at once differ)
    # (at a complex x jvp takes any function while jacobian wants
    # holomorphic=True, as in JAX)
    assert kj == kp or raising or type(x) is not np.ndarray or np.shape(x) != np.shape(v) \
        or np.iscomplexobj(x), (what, J, JV)
    if kj == "raised" or kp == "raised":
        return kj
    x = np.asarray(x, dtype=float)
    J = np.asarray(J, dtype=float)
    assert J.shape == y.shape + x.shape, (what, J.shape, y.shape, x.shape)
    _same_bits(VJ[1], J, f"{what}: value_and_jacobian's Jacobian")
    ax = np.abs(x[np.isfinite(x)])
    scale = 1.0 + min(float(np.max(ax, initial=0.0)), 1e100) ** 2
    _close(VJ[0], y, scale, f"{what}: value_and_jacobian's value", rtol=1e-9,
           strict_nonfinite=False)
    _close(JV[0], y, scale, f"{what}: jvp's value", rtol=1e-9, strict_nonfinite=False)
    Jflat = J.reshape(y.shape + (x.size,))
    with np.errstate(all="ignore"):
        want = Jflat @ np.asarray(v, dtype=float).reshape(-1) if x.size else np.zeros(y.shape)
    good = np.isfinite(Jflat).all(axis=-1) if x.size else np.ones(y.shape, dtype=bool)
    good = good & np.isfinite(want)
    # a NaN value has NaN derivatives (the convention), also with no direction
    # at all (an empty x, whose J @ v is an empty sum, 0)
    good = good & ~(np.isnan(y) & np.isnan(np.asarray(JV[1], dtype=float)))
    tol = 1e-9 * (1.0 + np.abs(Jflat).sum(axis=-1) * float(np.max(np.abs(v), initial=1.0)))
    err = np.abs(np.asarray(JV[1], dtype=float) - want)
    assert np.shape(JV[1]) == y.shape, (what, np.shape(JV[1]))
    assert (~good | (err <= tol)).all(), f"{what}: jvp {JV[1]} != J @ v {want}"
    # finite differences where x is small and moderate: far out, intermediate
    # second derivatives leave the float range (1/(1/x) at x = 1e-150 has
    # u'' = 2/x**3 = inf) and forward mode gives inf or NaN for a true 0
    small = x.size <= 6 and np.isfinite(x).all() and (np.abs(x) < 100).all()
    if small:
        _agree_where_smooth(J, f, x, f"jacobian of {what}")
    if second and x.size <= 8:  # n^2 Hessian entries per number: kept small
        kh, H = _outcome(dualdiff.hessian(f), [x], raising, twin=lambda: f(xf))
        if kh == "raised":
            return kh
        H = np.asarray(H, dtype=float)
        assert H.shape == y.shape + x.shape + x.shape, (what, H.shape)
        Hf = H.reshape(y.shape + (x.size, x.size))
        assert np.array_equal(Hf, np.swapaxes(Hf, -1, -2), equal_nan=True), f"{what}: H not symmetric"
        if small:
            def jac(z):
                with warnings.catch_warnings():
                    _ignore_operation_warnings()
                    return dualdiff.jacobian(f)(z)
            _agree_where_smooth(H, jac, x, f"hessian of {what}")
    return "ok"


# ------------------------------------------------------------ programs

NAMES = sorted(OPS_SPEC)


def _draw_operand(data, spec_pool, shape, n, order, tame):
    """One operand for a non-first position."""
    choice = data.draw(st.sampled_from(["pool", "pool", "pool", "bshape", "scalar", "const",
                                        "const", "wrong", "other", "badshape", "objdual"]))
    if choice == "pool":
        return data.draw(st.sampled_from(spec_pool))
    if choice == "bshape":
        s = data.draw(broadcastable(shape))
        return data.draw(dual_operand(s, n, order, tame))
    if choice == "badshape":
        s = _nonbroadcastable(shape)
        if s is None:
            return data.draw(st.sampled_from(spec_pool))
        return data.draw(dual_operand(s, n, order, tame))
    if choice == "scalar":
        return data.draw(scalar_dual(n, order, tame))
    if choice == "const":
        s = data.draw(st.one_of(st.just(shape), broadcastable(shape)))
        return data.draw(constants(s))
    if choice == "objdual":
        # Duals in an object array or in nested lists: dual operands too
        r = data.draw(dual_operand(data.draw(st.one_of(st.just(shape), broadcastable(shape))),
                                   n, order, tame))
        if r.V.size == 0:  # an empty object array holds no Dual: not a dual operand
            return r
        form = data.draw(st.sampled_from(["object", "list"]))
        return Ref(_as_form(r.obj, form), r.V, r.T, r.H, n, order, tame, form)
    if choice == "other":
        on = data.draw(st.integers(1, 5))
        oo = data.draw(st.sampled_from([1, 2]))
        if (on, oo) == (n, order):
            on += 1
        return data.draw(dual_operand(shape, on, oo, tame))
    return data.draw(st.sampled_from(WRONG))


def run_program(data, max_ops=12):
    with warnings.catch_warnings():
        _ignore_operation_warnings()  # the checks do not need them
        with np.errstate(all="ignore"):
            _run_program(data, max_ops)


def _run_program(data, max_ops):
    COUNTS["examples"] += 1
    n = data.draw(st.one_of(st.integers(1, 3), st.integers(14, 17), st.integers(1, 24)), label="width")
    order = data.draw(st.sampled_from([1, 1, 2]), label="order")
    if order == 2 and n > 6:
        n = data.draw(st.integers(1, 6), label="width (second order)")
    tame = data.draw(st.booleans(), label="tame")
    raising = data.draw(st.sampled_from([False, False, False, True]), label="errstate raise")
    shape = data.draw(shapes(), label="shape")
    pool = [data.draw(dual_operand(shape, n, order, tame))]
    for _ in range(data.draw(st.integers(0, 2))):
        s = data.draw(st.one_of(st.just(shape), broadcastable(shape)))
        pool.append(data.draw(dual_operand(s, n, order, tame)))
    directions = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2, unique=True))
    for _ in range(data.draw(st.integers(1, max_ops))):
        if data.draw(st.integers(0, 9)) == 0:
            _run_transform(data, shape, order, raising)
            continue
        name = data.draw(st.sampled_from(NAMES), label="operation")
        first = data.draw(st.sampled_from(pool))
        if name in UFUNC_OPS and data.draw(st.integers(0, 7)) == 0:
            first = data.draw(scalar_dual(n, order, tame))  # a Dual meeting arrays
        spec = OPS_SPEC[name]
        args = [first] + [_draw_operand(data, pool, first.V.shape, n, order, tame)
                          for _ in range(spec.arity - 1)]
        if spec.arity > 1 and data.draw(st.booleans()):
            args = args[::-1]
        ndim = first.V.ndim
        b = _Bound()
        if name == "getitem":
            b.fn = _make_getitem(data.draw(index_keys(first.V.shape)))
        elif name == "setitem":
            through = data.draw(st.sampled_from(["plain", "plain", "T", "rev"]))
            b.fn = _make_setitem(data.draw(index_keys(first.V.shape)), through)
            args = [first, args[1] if args[0] is first else args[0]]
        else:
            b.fn = spec.make(data.draw, ndim)
        b.kind, b.twin, b.per_direction = spec.kind, spec.twin, spec.per_direction
        if name == "setitem":
            b.kind = "lin"
        OPS[name] = b
        check_operation(name, args, directions, raising)


def _run_transform(data, shape, order, raising):
    fname = data.draw(st.sampled_from(sorted(FUNCTIONS)), label="transform of")
    small = data.draw(st.booleans())
    s = data.draw(st.sampled_from([(), (1,), (2,), (3,), (4,), (2, 2), (0,), (2, 3)])) if small else shape
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    wild = data.draw(st.integers(0, 4)) == 0
    x = _fill(rng, s, 0.3 if wild else 0.0, 1.0)
    if not wild:
        x = np.clip(x, -100.0, 100.0)  # float32 holds these
    v = _fill(rng, s, 0.0, 1.0)
    if data.draw(st.integers(0, 5)) == 0:
        conv = data.draw(st.sampled_from(["list", "float32", "bool", "complex", "str", "none",
                                          "ragged"]))
        x, v = {"list": lambda: (x.tolist(), v.tolist()), "float32": lambda: (x.astype(np.float32), v),
                "bool": lambda: (x > 0, v), "complex": lambda: (x.astype(complex), v),
                "str": lambda: ("x", v), "none": lambda: (None, v),
                "ragged": lambda: ([[1.0], [2.0, 3.0]], v)}[conv]()
    check_transform(fname, x, v, order == 2 or data.draw(st.booleans()), raising)


def make_test(max_examples, seed=None):
    """A hypothesis test function running max_examples programs."""
    s = settings(max_examples=max_examples, deadline=None, database=None,
                 suppress_health_check=list(HealthCheck), print_blob=True)

    @s
    @given(st.data())
    def fuzz_arrays(data):
        run_program(data)

    if seed is not None:
        from hypothesis import seed as _seed
        fuzz_arrays = _seed(seed)(fuzz_arrays)
    return fuzz_arrays
