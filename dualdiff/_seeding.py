"""Seeding and extraction: the machinery shared by the derivative transforms.

A transform flattens ``x`` to a float64 vector, seeds Duals carrying a chunk of
directions (a fresh tag per call, so that Duals of two calls never mix), builds
the input ``f`` sees, runs ``f`` once per chunk and reads values and
derivatives into float64 arrays. The verbs (derivative, grad, jacobian, jvp,
hessian, hvp) live in their own modules and only arrange these steps. The
commonest calls (derivative at a float; grad of a list or 1-D array of floats
returning a Dual) run in small Cython callables in _dual.pyx, which hand every
other case back to this machinery.
"""
import contextlib
import math
import numbers

import numpy as np

from dualdiff._dual import (Dual, _Conflict, _dual_spec, _enter_call, _leave_call, _new_tag,
                            _read, _read_gradient, _seed, _seed_floats, _seed_tangents)
from dualdiff import _array, _complex, _ndarray, _third
from dualdiff._ndarray import DualArray
from dualdiff._ndarray import _read_array as _read_dual_array
from dualdiff._ndarray import _seed_array as _seed_dual_array
from dualdiff._ndarray import array as _dual_array
from dualdiff._ndarray import _Spec as _DualSpec
from dualdiff._ndarray import _wrap as _wrap_dual_array

# ---------------------------------------------------------------- chunk sizes
# Chosen by measurement (benchmarks/bench_api.py --chunks; thread CPU time,
# loop_function): in Python the interpreter's cost per operation dominates, so
# fewer, wider passes win long after a Dual outgrows its 16 inline doubles.
# Gradient of n = 64: chunk 15 took 7.5x floats, 32 6.4x, 64 (one pass) 3.6x;
# n = 256: 15 -> 21x, 64 -> 9.7x, 256 -> 4.0x; n = 1024: 256 -> 22x, 1024 -> 20x.
# Past a few hundred directions the gain flattens while memory grows as
# width x inputs, so the default stops at 256.
FIRST_ORDER_CHUNK = 256
# Second order: up to this many inputs in one pass; larger inputs are cut into
# blocks of this size and each pair of blocks is seeded together (the union
# gives the cross block). Work per operation grows as width squared, so one
# pass is cheapest (n = 64: blocks of 16 took 60x floats, 32 43x, one pass
# 39x); blocks of 32 keep each Dual near 17 kB for any n.
SECOND_ORDER_CHUNK = 32
# Hessian-vector products carry a block of unit directions plus the vector
# (n = 64: blocks of 4 took 28x floats, 8 16x, 16 18x, 32 25x).
HVP_CHUNK = 8

_NO_HESSIAN = np.empty((1, 1, 1))


new_tag = _new_tag  # a tag no other transform call has used (shared with the C side)


def balanced_chunk(n, chunk, default):
    """The number of directions per pass for n inputs: at most ``chunk`` (or
    the default), spread evenly over the passes needed."""
    if chunk is None:
        limit = default
    else:
        if isinstance(chunk, bool) or not isinstance(chunk, numbers.Integral):
            raise TypeError(f"chunk must be a positive int, not {type(chunk).__name__}")
        if chunk < 1:
            raise ValueError(f"chunk must be a positive int, not {chunk}")
        limit = int(chunk)
        return max(1, min(limit, n))
    if n <= limit:
        return max(n, 1)
    passes = -(-n // limit)
    return -(-n // passes)


# ------------------------------------------------------------------- inputs

def call_f(f, xin, args, kwargs, tag):
    """f(xin, *args, **kwargs) with the call of this tag marked as running, so
    that a transform called inside f can nest in it (see _nesting.py)."""
    _enter_call(tag)
    try:
        return f(xin, *args, **kwargs) if kwargs else f(xin, *args)
    finally:
        _leave_call(tag)


def input_parent(x):
    """Raise _Conflict naming the calls whose numbers x holds (a transform
    called on them nests in that call, see _nesting.py); None for plain numbers."""
    specs = set()
    _collect_specs(x, specs)
    if specs:
        raise _Conflict(tuple(sorted(specs)))


def _collect_specs(x, specs):
    if type(x) is Dual:
        specs.add(_dual_spec(x))
    elif isinstance(x, DualArray):
        s = x._spec
        if s is not None:
            specs.add((s.tag, s.n, s.code))
    elif isinstance(x, (list, tuple)):
        for e in x:
            _collect_specs(e, specs)
    elif isinstance(x, np.ndarray) and x.dtype == object:
        for e in x.flat:
            _collect_specs(e, specs)


def _holds_complex_dual(x):
    if isinstance(x, _complex.ComplexDual):
        return True
    return isinstance(x, (list, tuple)) and any(_holds_complex_dual(e) for e in x)


def flatten(x, what="x"):
    """(flat, shape): x as a contiguous float64 vector, and its shape (None
    for a scalar, which f then receives as a single Dual)."""
    tx = type(x)
    if tx is float or tx is int:
        return np.array([x], dtype=np.float64), None
    if tx is list or tx is tuple:
        # fast path: a flat sequence of floats (anything else is diagnosed below)
        for item in x:
            if type(item) is not float:
                break
        else:
            return np.array(x, dtype=np.float64), (len(x),)
    elif tx is np.ndarray and x.dtype == np.float64:
        return writable(np.ascontiguousarray(x).reshape(-1)), x.shape
    if isinstance(x, (Dual, DualArray, list, tuple)) or (isinstance(x, np.ndarray) and x.dtype == object):
        input_parent(x)
    _third.refuse_deeper(x)  # numbers of a transform nested in hessian or hvp
    if isinstance(x, _ndarray._PATTERN_TYPES):  # a transform called inside jacobian_sparsity
        from dualdiff._pattern import _mix_error
        raise _mix_error()
    if isinstance(x, (bool, np.bool_)):
        return np.array([float(x)]), None
    if isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"{what} is complex: dualdiff differentiates real functions of real inputs")
    if isinstance(x, (numbers.Real, np.integer, np.floating)):
        return np.array([float(x)]), None
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{what} must be a real number or an array of real numbers, "
                        f"not {type(x).__name__}")
    if _holds_complex_dual(x):  # a transform called on the numbers of a complex run:
        # the transform reruns on complex numbers too (see _complex_ad.nested)
        raise TypeError(f"{what} holds complex dual numbers")
    try:
        a = np.asarray(x)
    except ValueError as exc:
        raise ValueError(f"{what} is a ragged sequence (rows of different lengths): {exc}") from None
    if a.dtype == object:
        flat = a.ravel()
        for item in flat:
            if isinstance(item, (list, tuple, np.ndarray)):
                raise ValueError(f"{what} is a ragged sequence (rows of different lengths)")
            if isinstance(item, complex):
                raise TypeError(f"{what} is complex: dualdiff differentiates real functions "
                                "of real inputs")
            if not isinstance(item, numbers.Real):
                raise TypeError(f"{what} must hold real numbers, not {type(item).__name__}")
        a = a.astype(np.float64)
    elif a.dtype.kind == "c":
        raise TypeError(f"{what} is complex: dualdiff differentiates real functions of real inputs")
    elif a.dtype.kind in "USa":
        raise TypeError(f"{what} holds strings (str); it must hold real numbers")
    elif a.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be a real number or an array of real numbers, "
                        f"not an array of dtype {a.dtype}")
    return writable(np.ascontiguousarray(a, dtype=np.float64).reshape(-1)), a.shape


def writable(a):
    """a, or a copy of it when it is read-only (the seeding routines take
    writable buffers; a read-only x is a view of a constant, a memory map, or
    an array a process pool unpickled in place)."""
    return a if a.flags.writeable else a.copy()


def flatten_with_direction(x, v, verb):
    """(flat, shape, vflat) for a point x and a direction v of x's shape;
    errors name the verb (jvp, hvp)."""
    flat, shape = flatten(x)
    try:
        vflat, vshape = flatten(v, "v")
    except _Conflict:
        raise  # v holds numbers of a running transform (see _nesting.py)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{verb}: {exc}") from None
    if x_shape(vshape) != x_shape(shape):  # a number and a 0-d array both have shape ()
        raise ValueError(f"{verb}: v must have the shape of x, {x_shape(shape)}, "
                         f"not {x_shape(vshape)}")
    return flat, shape, vflat


def make_input(duals, shape, x=None):
    """What f receives for the flat Duals of x: the Dual itself for a scalar
    x; the same nesting of lists and tuples for a list or tuple x (so f sees
    what it would see on floats); else a DualArray shaped like x (so NumPy
    code runs on the C array kernels)."""
    if shape is None:
        return duals[0]
    if type(x) is list or type(x) is tuple:
        return rebuild(duals, x)
    return _dual_array(duals).reshape(shape)


def rebuild(duals, x):
    """The Duals in x's nesting of lists and tuples (arrays inside it become
    dual arrays, so that NumPy and SciPy functions run on them as on an array
    x), taken in the C order of np.asarray(x)."""
    items = iter(duals)

    def build(t):
        if type(t) is list:
            return [build(e) for e in t]
        if type(t) is tuple:
            return tuple([build(e) for e in t])
        if isinstance(t, np.ndarray) and t.ndim > 0:
            return _dual_array([next(items) for _ in range(t.size)]).reshape(t.shape)
        return next(items)

    return build(x)


def _holds_array(x):
    for e in x:
        if type(e) is float:
            continue
        if isinstance(e, np.ndarray) or ((type(e) is list or type(e) is tuple) and _holds_array(e)):
            return True
    return False


def _pieces(z, x):
    """A list or tuple x holding arrays, made of the flat dual array z: its
    numbers as Duals and its arrays as views of z (one buffer, seeded in one
    step), in the C order of np.asarray(x)."""
    pos = 0
    buf, spec = z._buf, z._spec

    def build(t):
        nonlocal pos
        if type(t) is list:
            return [build(e) for e in t]
        if type(t) is tuple:
            return tuple([build(e) for e in t])
        if isinstance(t, np.ndarray) and t.ndim > 0:
            pos += t.size
            return _wrap_dual_array(buf[pos - t.size:pos].reshape(t.shape + buf.shape[-1:]), spec)
        pos += 1
        return z[pos - 1]

    return build(x)


def seed_dual_array(flat, shape, start, width, order, tag, x=None):
    """f's input (see make_input) whose flat entries start..start+width-1 vary
    along directions 0..width-1: a DualArray shaped like x, a scalar Dual when
    shape is None, lists and tuples like x's when x is one."""
    if shape is None or type(x) is list or type(x) is tuple:
        if shape is not None and _holds_array(x):
            return _pieces(_seed_dual_array(flat, start, width, order, tag), x)
        return make_input(_seed(flat, start, width, order, tag), shape, x)
    return _seed_dual_array(flat.reshape(shape), start, width, order, tag)


def seed_directions(flat, shape, tangents, tag, x=None, order=1):
    """f's input with first derivatives ``tangents`` (n x width) (and a zero
    Hessian at order 2): a scalar Dual when shape is None, lists and tuples
    like x's when x is one, else a DualArray filled in one step."""
    if shape is None or type(x) is list or type(x) is tuple:
        if shape is not None and _holds_array(x):
            return _pieces(seed_directions(flat, (flat.shape[0],), tangents, tag, order=order), x)
        return make_input(_seed_tangents(flat, tangents, order, tag), shape, x)
    spec = _DualSpec(tangents.shape[1], order, tag)
    if order == 1:
        buf = np.empty((flat.shape[0], spec.m))
        _array.seed_tangents(buf.reshape(-1), np.ascontiguousarray(flat, dtype=np.float64),
                             np.ascontiguousarray(tangents, dtype=np.float64))
    else:
        buf = np.zeros((flat.shape[0], spec.m))
        buf[:, 0] = flat
        buf[:, 1:1 + spec.n] = tangents
    return _wrap_dual_array(buf.reshape(shape + (spec.m,)), spec)


def seed_colors(flat, shape, colors, width, tag, x=None):
    """seed_directions with tangent rows that are unit vectors: entry i varies
    along direction colors[i] (an int64 array) of ``width``."""
    if shape is None or type(x) is list or type(x) is tuple:
        tangents = np.zeros((flat.shape[0], width))
        tangents[np.arange(flat.shape[0]), colors] = 1.0
        return seed_directions(flat, shape, tangents, tag, x)
    buf = np.empty((flat.shape[0], 1 + width))
    _array.seed_colors(buf.reshape(-1), np.ascontiguousarray(flat, dtype=np.float64), colors, width)
    return _wrap_dual_array(buf.reshape(shape + (1 + width,)), _DualSpec(width, 1, tag))


def _has_dual_array(y):
    if isinstance(y, DualArray):
        return True
    if isinstance(y, (list, tuple)):
        return any(_has_dual_array(e) for e in y)
    return False


def seed_columns(flat, shape, columns, order, tag, x=None, extra=None):
    """f's input (see seed_directions) where entry columns[k] varies along
    direction k; with ``extra`` (a vector like flat), one more direction along it."""
    n = flat.shape[0]
    width = len(columns) + (extra is not None)
    t = np.zeros((n, width))
    t[columns, np.arange(len(columns))] = 1.0
    if extra is not None:
        t[:, width - 1] = extra
    return seed_directions(flat, shape, t, tag, x, order)


# ------------------------------------------------------------------ outputs

def _describe(y):
    return "None" if y is None else type(y).__name__


class TreeResult(TypeError, ValueError):
    """f returned a container of results of different shapes (a dict, or a list
    or tuple of arrays of different shapes): jvp and jacobian catch it and run
    again with the result flattened (see _trees.OutTree); the other
    transforms raise it (a TypeError or ValueError that says what f returned)."""


def _tree_result(y):
    from dualdiff import _trees
    if _trees.is_out_node(y):
        raise TreeResult("the function being differentiated returned a list or tuple whose "
                         "parts do not form one array (arrays of different shapes, or a ragged "
                         "mix of numbers and sequences); only jvp and jacobian take such results")


def output_items(y):
    """(items, shape) of f's result: a flat list of Duals and numbers, and
    the result's shape (() for a scalar). Raises on anything else."""
    if type(y) is Dual or type(y) is float or type(y) is int:
        return [y], ()
    if isinstance(y, (Dual, numbers.Real)) and not isinstance(y, (bool, np.bool_)):
        return [y], ()
    if isinstance(y, (bool, np.bool_)):
        return [float(y)], ()
    if isinstance(y, dict):
        raise TreeResult("the function being differentiated returned a dict")
    if y is None or isinstance(y, (str, bytes, complex, np.complexfloating, set)):
        raise TypeError(f"the function being differentiated returned {_describe(y)}; "
                        "it must return a real number, a Dual, or a sequence or array of them")
    if isinstance(y, (list, tuple)) and _has_dual_array(y):
        try:
            y = _dual_array(y)
        except (TypeError, ValueError):
            _tree_result(y)
            raise
    if isinstance(y, DualArray):
        # a float64 ndarray subclass: read its numbers, never its bare values
        return list(y.reshape(-1)), y.shape
    if isinstance(y, np.ndarray):
        a = y
    else:
        if not isinstance(y, (list, tuple)) and not hasattr(y, "__array__"):
            raise TypeError(f"the function being differentiated returned {_describe(y)}; "
                            "it must return a real number, a Dual, or a sequence or array of them")
        try:
            a = np.array(y, dtype=object)
        except ValueError as exc:
            _tree_result(y)
            raise ValueError("the function being differentiated returned a ragged sequence "
                             f"(rows of different lengths): {exc}") from None
    if a.dtype.kind == "c":
        raise TypeError("the function being differentiated returned complex numbers; "
                        "dualdiff differentiates real functions")
    if a.dtype.kind in "biuf":
        return np.ascontiguousarray(a, dtype=np.float64).ravel().tolist(), a.shape
    if a.dtype != object:
        raise TypeError("the function being differentiated returned an array of dtype "
                        f"{a.dtype}; it must hold real numbers or Duals")
    items = a.ravel().tolist()
    for item in items:
        if type(item) is Dual or type(item) is float:
            continue
        if isinstance(item, (list, tuple, np.ndarray)):
            _tree_result(y)
            raise ValueError("the function being differentiated returned a ragged sequence "
                             "(rows of different lengths)")
        if item is None or not isinstance(item, numbers.Real) or isinstance(item, complex):
            if isinstance(item, dict):
                _tree_result(y)
            if isinstance(item, _ndarray._Stripped):  # np.array([d, d]) of dual arrays d
                raise TypeError(_ndarray.STRIPPED_MESSAGE)
            raise TypeError(f"the function being differentiated returned a sequence holding "
                            f"{_describe(item)}; every item must be a real number or a Dual")
    return items, a.shape


class _CachedBuffers:
    """NumPy allocates array data through dualdiff's buffer cache in this block
    (see dualdiff/_array.pyx): the large buffers of one operation are reused
    by the next instead of being returned to the system and faulted in again."""

    __slots__ = ("previous",)

    def __enter__(self):
        self.previous = _array.set_data_handler(_array.CACHE_HANDLER)

    def __exit__(self, *exc):
        _array.set_data_handler(self.previous)


_NO_CACHE = contextlib.nullcontext()


def buffers(count):
    """The context to run f in when its seeded input holds `count` doubles."""
    return _CachedBuffers() if count >= _array.CACHE_FROM else _NO_CACHE


class Collector:
    """Runs f pass after pass and gathers values and derivatives."""

    def __init__(self, f, args, kwargs, n, order, tag):
        self.f = f
        self.args = args
        self.kwargs = kwargs
        self.n = n
        self.order = order
        self.tag = tag
        self.shape = None
        self.value = self.tangent = None
        self.hessian = _NO_HESSIAN

    def run(self, x_input):
        """f at the seeded input; its result as a flat list of items (or the
        dual array of this call's numbers that f returned, read from its
        buffer)."""
        y = call_f(self.f, x_input, self.args, self.kwargs, self.tag)
        if self.order == 1 and type(y) is DualArray and y._buf is not None \
                and y._spec.tag == self.tag and y._spec.order == 1:
            items, shape = y, y.shape
        else:
            items, shape = output_items(y)
        if self.shape is None:
            self.shape = shape
            m = items.size if type(items) is DualArray else len(items)
            self.value = np.empty(m)
            self.tangent = np.zeros((m, self.n))
            if self.order == 2:
                self.hessian = np.zeros((m, self.n, self.n))
        elif shape != self.shape:
            raise ValueError(f"the function returned results of different shapes, {self.shape} "
                             f"and {shape}, for the same x")
        return items

    def read(self, items, width, col):
        """Values and derivatives of one pass seeded at columns col..col+width-1."""
        if type(items) is DualArray:
            s = items._spec
            rows = items._buf.reshape(-1, s.m)
            if s.n == width:
                self.value[:] = rows[:, 0]
                self.tangent[:, col:col + width] = rows[:, 1:]
                return
            items = list(items.reshape(-1))
        _read(items, width, self.order, self.tag, self.value, self.tangent, self.hessian, col)


def read_into(items, width, order, tag, value, tangent, hessian=_NO_HESSIAN, col=0):
    """Values and derivatives of items into caller arrays (see Collector.read)."""
    _read(items, width, order, tag, value, tangent, hessian, col)


def as_result(a, shape):
    """A float for shape (), else a contiguous float64 array of that shape."""
    if shape == ():
        return float(a[0]) if type(a) is list else float(a.reshape(-1)[0])
    return np.ascontiguousarray(a.reshape(shape))


def require_one_entry(verb, out_shape, instead="jacobian(f)"):
    """grad, value_and_grad and hvp differentiate a result with one entry: a
    number, or an array of size 1 of any shape (as autograd and PyTorch
    accept; its one entry is differentiated)."""
    if math.prod(out_shape) != 1:
        raise ValueError(f"{verb}(f) needs f to return a scalar, but it returned a result of "
                         f"shape {out_shape}; use {instead} for vector-valued functions")


def x_shape(shape):
    """The shape derivatives take along x: () for a scalar x."""
    return () if shape is None else shape


def first_order(f, x, args, kwargs, chunk, nan_safe=True, workers=None):
    """Run f over x in chunks of first-order directions (with ``workers``, a
    _workers.Workers, the chunks run in the workers when there are several).
    Returns (value, tangent, out_shape, x_shape): value (m,) (an array, or a
    list of one float for a scalar result), tangent (m, n)."""
    if type(x) is list and chunk is None and len(x) <= FIRST_ORDER_CHUNK:
        # the common case of a flat list of floats, seeded without a float array
        tag = new_tag(nan_safe)
        duals = _seed_floats(x, 1, tag)
        if duals is not None:
            n = len(duals)
            return _one_pass(f, duals, n, args, kwargs, tag, (n,))
    flat, shape = flatten(x)
    n = flat.shape[0]
    tag = new_tag(nan_safe)
    if (chunk is None and n <= FIRST_ORDER_CHUNK) or n == 0:
        with buffers(n * (n + 1)):
            xin = seed_dual_array(flat, shape, 0, n, 1, tag, x)
            return _one_pass(f, xin, n, args, kwargs, tag, shape)
    c = balanced_chunk(n, chunk, FIRST_ORDER_CHUNK)
    if workers is not None and n > c:
        return _first_order_workers(f, x, flat, shape, args, kwargs, c, nan_safe, workers)
    col = Collector(f, args, kwargs, n, 1, tag)
    with buffers(n * (c + 1)):
        for start in range(0, n, c):
            width = min(c, n - start)
            items = col.run(seed_dual_array(flat, shape, start, width, 1, tag, x))
            col.read(items, width, start)
    return col.value, col.tangent, col.shape, shape


def _one_pass(f, xin, n, args, kwargs, tag, shape):
    """f at the seeded input xin carrying all n directions."""
    y = call_f(f, xin, args, kwargs, tag)
    if type(y) is Dual:  # a scalar result: read without the general machinery
        tangent = np.empty((1, n))
        return [_read_gradient(y, n, 1, tag, tangent)], tangent, (), shape  # value: a list
    value, tangent, out_shape = read_result(y, n, 1, tag)
    return value, tangent, out_shape, shape


def read_result(y, width, order, tag):
    """(value (m,), tangent (m, width), shape) of one first-order result y;
    a dual array is read from its buffer in one step."""
    if isinstance(y, DualArray):
        s, buf = y._spec, y._buf
        if s is not None and buf is not None and s.tag == tag and s.n == width and s.order == order == 1:
            # numbers of this call (the usual result): their rows as they are
            rows = buf.reshape(-1, s.m)
            return rows[:, 0].copy(), rows[:, 1:].copy(), y.shape
        m = math.prod(y.shape)
        value = np.empty(m)
        tangent = np.empty((m, width))
        _read_dual_array(y, width, order, tag, value, tangent, _NO_HESSIAN, 0)
        return value, tangent, y.shape
    items, out_shape = output_items(y)
    m = len(items)
    value = np.empty(m)
    tangent = np.empty((m, width))
    _read(items, width, order, tag, value, tangent, _NO_HESSIAN, 0)
    return value, tangent, out_shape


# ------------------------------------------------------------------ workers

def _list_input(x):
    """x itself when f must see its lists and tuples (see make_input), else None."""
    return x if type(x) is list or type(x) is tuple else None


class FirstOrderPass:
    """One chunk of first_order in a worker: task((start, width)) runs f on
    the input seeded along entries start..start+width-1, as the serial loop
    does, and returns (value (m,), tangent (m, width), out shape)."""

    def __init__(self, f, flat, shape, x, args, kwargs, nan_safe):
        self.f, self.flat, self.shape, self.x = f, flat, shape, x
        self.args, self.kwargs, self.nan_safe = args, kwargs, nan_safe

    def __call__(self, piece):
        start, width = piece
        flat = writable(self.flat)
        n = flat.shape[0]
        tag = new_tag(self.nan_safe)
        with buffers(n * (width + 1)):
            xin = seed_dual_array(flat, self.shape, start, width, 1, tag, self.x)
            items, out_shape = output_items(call_f(self.f, xin, self.args, self.kwargs, tag))
            m = len(items)
            value, tangent = np.empty(m), np.zeros((m, width))
            _read(items, width, 1, tag, value, tangent, _NO_HESSIAN, 0)
        return value, tangent, out_shape


def same_shapes(results, index):
    """The out shape common to the results of all pieces (item ``index``)."""
    shape = results[0][index]
    for r in results[1:]:
        if r[index] != shape:
            raise ValueError(f"the function returned results of different shapes, {shape} "
                             f"and {r[index]}, for the same x")
    return shape


def _first_order_workers(f, x, flat, shape, args, kwargs, c, nan_safe, workers):
    n = flat.shape[0]
    pieces = [(start, min(c, n - start)) for start in range(0, n, c)]
    task = FirstOrderPass(f, flat, shape, _list_input(x), args, kwargs, nan_safe)
    try:
        results = workers.map(task, pieces, f)
    except _Conflict:
        # f met numbers of another call (a closure over the numbers of a
        # running transform): only this process knows that call; rerun here
        return first_order(f, x, args, kwargs, c, nan_safe)
    out_shape = same_shapes(results, 2)
    value = np.array(results[-1][0])  # the serial loop keeps the value of its last pass
    tangent = np.empty((value.shape[0], n))
    for (start, width), r in zip(pieces, results):
        tangent[:, start:start + width] = r[1]
    return value, tangent, out_shape, shape
