"""trace: record the operations of a function once, replay them in C.

``trace(f)`` returns a :class:`Traced` function. Called on floats it is ``f``;
given to a transform (derivative, grad, value_and_grad, jacobian,
value_and_jacobian, jvp, hessian, hvp, taylor), it runs ``f`` once on tracer
numbers that record every operation into a tape (op codes of the table of
rules, dd_rules.h), and later calls replay the tape in C (dd_tape.h) at the
transform's order, without Python per operation.

Control flow: each comparison and truth test of a recorded number is a guard
of the tape. A replay whose guard fails records again, and the tapes are kept
per point structure, keyed by the guards that hold (at most ``max_tapes``).
What cannot be recorded (float() of a number, an unknown function, NumPy
functions without an object loop) runs ``f`` eagerly on Duals, after one
warning that names the reason. int() and indexing with a recorded number stay
refused, as for Duals.
"""
import math
import operator
import warnings

import numpy as np

from dualdiff import _rules, _tape
from dualdiff._dual import Dual, _set_trace_hook

_K = _tape.KINDS
_CMP = _tape.COMPARISONS
_UNARY = _rules.op_codes("unary")
_BINARY = _rules.op_codes("binary")
# dualdiff.math's names of the binary rules (atan2, copysign, fmod, ...)
_MATH_BINARY = {r.math: _BINARY[r.name] for r in _rules.of_kind("binary") if r.math}
_MAX_TAPES = 8   # tapes per point structure (kept most recently used first)
_MAX_KEYS = 32   # point structures per traced function


class TraceWarning(UserWarning):
    """A traced function ran eagerly on Duals instead of replaying a tape."""


class _Untraceable(BaseException):
    # A BaseException, so that an ``except Exception`` in f does not swallow it.
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


# ------------------------------------------------------------ the recorder

class _Recorder:
    __slots__ = ("ops", "n")

    def __init__(self, n_inputs):
        self.ops = []      # (kind, op, a, b, out, c) with one slot per value
        self.n = n_inputs  # the next slot

    def emit(self, kind, op, a, b, c, value):
        out = self.n
        self.n += 1
        self.ops.append((kind, op, a, b, out, c))
        return _Tracer(self, out, value)


def _value(kind, op, u, w, c, eager):
    """The value of an instruction by the replay's own C code. Where it is not
    finite although its operands are, ``eager()`` runs the operation on Duals,
    which raises where Python raises (division by zero, a domain error)."""
    status, v = _tape.step(kind, op, u, w, c)
    if status == _tape.NONFINITE:
        eager()
    return v


def _const(y):
    """y as a float constant, or None when it is not a real number."""
    t = type(y)
    if t is float or t is int:
        return float(y)
    if t is bool or isinstance(y, (np.floating, np.integer, np.bool_)):
        return float(y)
    if isinstance(y, Dual):
        raise _Untraceable("a Dual met a recorded number")
    return None


def _dual(x):
    return Dual(x.v) if type(x) is _Tracer else x


# kind for (tracer, tracer), (tracer, constant), (constant, tracer), and the Python operator
_ARITH = {
    "add": (_K["ADD"], _K["ADD_SCALAR"], None, operator.add),
    "sub": (_K["SUB"], None, _K["SCALAR_SUB"], operator.sub),
    "mul": (_K["MUL"], None, _K["SCALAR_MUL"], operator.mul),
    "div": (_K["DIV"], _K["DIV_SCALAR"], _K["SCALAR_DIV"], operator.truediv),
    "pow": (None, _K["POW_SCALAR"], _K["SCALAR_POW"], operator.pow),
    "floordiv": (None, None, None, operator.floordiv),
    "mod": (None, None, None, operator.mod),
}


def _binary(x, y, name):
    """x (op) y where x or y is a tracer: the instruction and its value."""
    both, right, left, pyop = _ARITH[name]
    tx, ty = type(x) is _Tracer, type(y) is _Tracer
    rec = x.rec if tx else y.rec
    code = _BINARY[name]

    def eager():
        pyop(_dual(x), _dual(y))
    if tx and ty:
        if y.rec is not rec:
            raise _Untraceable("numbers of two recordings met")
        kind = both if both is not None else _K["BINARY"]
        return rec.emit(kind, code, x.slot, y.slot, 0.0, _value(kind, code, x.v, y.v, 0.0, eager))
    if tx:
        c = _const(y)
        if c is None:
            return NotImplemented
        if name == "sub":  # a - c is a + (-c) in IEEE arithmetic
            kind, c = _K["ADD_SCALAR"], -c
        elif name == "mul":
            kind = _K["SCALAR_MUL"]
        else:
            kind = right if right is not None else _K["BINARY_X"]
        return rec.emit(kind, code, x.slot, 0, c, _value(kind, code, x.v, 0.0, c, eager))
    c = _const(x)
    if c is None:
        return NotImplemented
    kind = _K["ADD_SCALAR"] if name == "add" else (left if left is not None else _K["BINARY_Y"])
    if kind in (_K["ADD_SCALAR"], _K["SCALAR_SUB"], _K["SCALAR_MUL"]):  # these read slot a
        return rec.emit(kind, code, y.slot, 0, c, _value(kind, code, y.v, 0.0, c, eager))
    return rec.emit(kind, code, 0, y.slot, c, _value(kind, code, 0.0, y.v, c, eager))


def _unary(x, name, eager_fn):
    code = _UNARY[name]

    def eager():
        eager_fn(Dual(x.v))
    return x.rec.emit(_K["UNARY"], code, x.slot, 0, 0.0, _value(_K["UNARY"], code, x.v, 0.0, 0.0, eager))


def _rule2(x, y, code, eager_fn):
    """A binary rule of the table (atan2, hypot, ...) with a tracer operand."""
    tx, ty = type(x) is _Tracer, type(y) is _Tracer

    def eager():
        eager_fn(_dual(x), _dual(y))
    if tx and ty:
        return x.rec.emit(_K["BINARY"], code, x.slot, y.slot, 0.0,
                          _value(_K["BINARY"], code, x.v, y.v, 0.0, eager))
    if tx:
        c = _const(y)
        if c is None:
            raise TypeError(f"expected a real number, not {type(y).__name__}")
        return x.rec.emit(_K["BINARY_X"], code, x.slot, 0, c, _value(_K["BINARY_X"], code, x.v, 0.0, c, eager))
    c = _const(x)
    if c is None:
        raise TypeError(f"expected a real number, not {type(x).__name__}")
    return y.rec.emit(_K["BINARY_Y"], code, 0, y.slot, c, _value(_K["BINARY_Y"], code, 0.0, y.v, c, eager))


def _compare(x, y, name, pyop):
    """A comparison of a tracer: its outcome now, and a guard that it stays so."""
    if type(y) is _Tracer:
        if y.rec is not x.rec:
            raise _Untraceable("numbers of two recordings met")
        outcome = pyop(x.v, y.v)
        x.rec.ops.append((_K["GUARD"], _CMP[name] | (outcome << 3), x.slot, y.slot, 0, 0.0))
        return outcome
    c = _const(y)
    if c is None:
        return NotImplemented
    outcome = pyop(x.v, c)
    x.rec.ops.append((_K["GUARD_SCALAR"], _CMP[name] | (outcome << 3), x.slot, 0, 0, c))
    return outcome


class _Tracer:
    """A number that records what is done with it (while a traced function records)."""
    __slots__ = ("rec", "slot", "v")
    __array_priority__ = 20.0

    def __init__(self, rec, slot, v):
        self.rec = rec
        self.slot = slot
        self.v = v

    def __repr__(self):
        return f"<recorded number {self.v!r}>"

    def __add__(self, y): return _binary(self, y, "add")
    def __radd__(self, y): return _binary(y, self, "add")
    def __sub__(self, y): return _binary(self, y, "sub")
    def __rsub__(self, y): return _binary(y, self, "sub")
    def __mul__(self, y): return _binary(self, y, "mul")
    def __rmul__(self, y): return _binary(y, self, "mul")
    def __truediv__(self, y): return _binary(self, y, "div")
    def __rtruediv__(self, y): return _binary(y, self, "div")
    def __floordiv__(self, y): return _binary(self, y, "floordiv")
    def __rfloordiv__(self, y): return _binary(y, self, "floordiv")
    def __mod__(self, y): return _binary(self, y, "mod")
    def __rmod__(self, y): return _binary(y, self, "mod")

    def __divmod__(self, y):
        return _binary(self, y, "floordiv"), _binary(self, y, "mod")

    def __rdivmod__(self, y):
        return _binary(y, self, "floordiv"), _binary(y, self, "mod")

    def __pow__(self, y, mod=None):
        if mod is not None:
            return NotImplemented
        return _binary(self, y, "pow")

    def __rpow__(self, y):
        return _binary(y, self, "pow")

    def __neg__(self):
        return self.rec.emit(_K["NEG"], 0, self.slot, 0, 0.0, -self.v)

    def __pos__(self):
        return self

    def __abs__(self):
        return _unary(self, "fabs", abs)

    def __lt__(self, y): return _compare(self, y, "lt", operator.lt)
    def __le__(self, y): return _compare(self, y, "le", operator.le)
    def __gt__(self, y): return _compare(self, y, "gt", operator.gt)
    def __ge__(self, y): return _compare(self, y, "ge", operator.ge)
    def __eq__(self, y): return _compare(self, y, "eq", operator.eq)
    def __ne__(self, y): return _compare(self, y, "ne", operator.ne)

    def __bool__(self):
        return _compare(self, 0.0, "ne", operator.ne)

    def __hash__(self):
        raise _Untraceable("hash() of a recorded number")

    def __float__(self):
        raise _Untraceable("float() of a recorded number")

    def __complex__(self):
        raise _Untraceable("complex() of a recorded number")

    def __round__(self, ndigits=None):
        raise _Untraceable("round() of a recorded number")

    def __floor__(self):
        raise _Untraceable("math.floor() of a recorded number (use dualdiff.math.floor)")

    def __ceil__(self):
        raise _Untraceable("math.ceil() of a recorded number (use dualdiff.math.ceil)")

    def __trunc__(self):
        raise _Untraceable("math.trunc() of a recorded number (use dualdiff.math.trunc)")

    def __int__(self):
        raise TypeError("int() of a traced number would drop its derivative; use dualdiff.math.floor "
                        "or trunc for a number, and no recorded value as an index")

    __index__ = __int__

    @property
    def value(self):
        raise _Untraceable("reading .value of a recorded number")

    tangent = value

    def __array__(self, *args, **kwargs):
        raise _Untraceable("a recorded number converted to a float array")


def _method(kind, name, ufunc):
    f = getattr(np, ufunc)
    if kind == "unary":
        def m(self):
            return _unary(self, name, f)
    else:
        code = _BINARY[name]

        def m(self, y):
            return _rule2(self, y, code, f)
    m.__name__ = ufunc
    return m


# The methods NumPy's object loops call (np.sin(object array) calls x.sin()),
# from the table of rules, as for Dual.
for _name, (_kind, _rule) in _rules.methods().items():
    if _name not in ("absolute", "fabs"):
        setattr(_Tracer, _name, _method(_kind, _rule, _name))
_Tracer.absolute = _Tracer.fabs = _Tracer.__abs__


def _math(name, args, kwargs=None):
    """dualdiff.math's function ``name`` on arguments that include tracers."""
    import dualdiff.math as dm
    if kwargs:
        raise _Untraceable(f"dualdiff.math.{name} with keywords")
    if name in _UNARY and len(args) == 1:
        return _unary(args[0], name, getattr(dm, name))
    if name == "log":
        x, base = args
        return _math("log", (x,)) / _math("log", (base,))
    if name == "pow":
        x, y = args
        if type(y) is not _Tracer and _const(y) is not None:
            return _binary(x, y, "pow")
        if type(x) is _Tracer and type(y) is _Tracer:
            return _binary(x, y, "pow")
        return _binary(x, y, "pow")
    if name == "hypot":
        acc = 0.0
        for i, a in enumerate(args):
            acc = _rule2(acc, a, _BINARY["hypot"], dm.hypot) if i else abs(a) if type(a) is _Tracer else abs(_const(a))
        return acc
    if name == "dist":
        p, q = args
        if len(p) != len(q):
            raise ValueError("both points must have the same number of dimensions")
        return _math("hypot", tuple(a - b for a, b in zip(p, q)))
    if name == "fsum":
        acc = 0.0
        for a in args[0]:
            acc = acc + a
        return acc
    if name == "sumprod":
        acc = 0.0
        for a, b in zip(*args):
            acc = acc + a * b
        return acc
    if name == "fma":
        x, y, z = args
        return x * y + z
    if name in _MATH_BINARY and len(args) == 2:
        return _rule2(args[0], args[1], _MATH_BINARY[name], getattr(dm, name))
    raise _Untraceable(f"dualdiff.math.{name} of a recorded number")


_set_trace_hook(_Tracer, _math)


# -------------------------------------------------- inputs and structures

def _leaves(x, is_x, key, values, make):
    """Walk x: returns (key, builder) where builder(numbers) rebuilds x with the
    numbers taken in order from an iterator. Real numbers are inputs (appended
    to values); for the extra arguments (is_x False) ints, bools, strings and
    None are constants that enter the key instead. Raises _Untraceable for
    anything else."""
    t = type(x)
    if t is float or isinstance(x, np.floating) or (is_x and (t is int or isinstance(x, np.integer))):
        values.append(float(x))
        return "f", None
    if t in (int, bool, str) or x is None or isinstance(x, (np.integer, np.bool_)):
        return ("c", t.__name__, x), x
    if t is list or t is tuple:
        parts = [_leaves(e, is_x, key, values, make) for e in x]
        return (("l" if t is list else "t"), tuple(p[0] for p in parts)), (t, [p[1] for p in parts])
    if t is np.ndarray:
        if x.dtype.kind in "fiu" + ("b" if not is_x else ""):
            if x.dtype.kind in "biu" and not is_x:
                return ("C", x.dtype.str, x.shape, x.tobytes()), x
            values.extend(np.asarray(x, dtype=np.float64).ravel().tolist())
            return ("a",) + x.shape, ("a", x.shape)
        raise _Untraceable(f"an array of dtype {x.dtype}")
    if t is dict:
        parts = [(k, _leaves(v, is_x, key, values, make)) for k, v in x.items()]
        return ("d", tuple((k, p[0]) for k, p in parts)), ("d", [(k, p[1]) for k, p in parts])
    raise _Untraceable(f"an argument of type {t.__name__}")


def _build(spec, it):
    """Rebuild a structure from _leaves' spec, taking numbers from it."""
    if spec is None:
        return next(it)
    if type(spec) is tuple and len(spec) == 2 and spec[0] in (list, tuple):
        return spec[0]([_build(s, it) for s in spec[1]])
    if type(spec) is tuple and spec[0] == "a":
        shape = spec[1]
        out = np.empty(shape, dtype=object)
        flat = out.reshape(-1)
        for i in range(flat.shape[0]):
            flat[i] = next(it)
        return out
    if type(spec) is tuple and spec[0] == "d":
        return {k: _build(s, it) for k, s in spec[1]}
    return spec  # a constant


def _simple_key(x):
    """The key of a point x without extra arguments, as the fast paths make it."""
    t = type(x)
    if t is float or t is int:
        return "f"
    if t is list and all(type(e) is float or type(e) is int for e in x):
        return ("l", len(x))
    if t is np.ndarray and x.ndim == 1 and x.dtype.kind in "fiu":
        return ("a", x.shape[0])
    return None


def _outputs(y, rec):
    """f's result as a flat list of slots (constants become instructions), and its shape."""
    def slot(e):
        if type(e) is _Tracer:
            if e.rec is not rec:
                raise _Untraceable("a result recorded elsewhere")
            return e.slot
        c = _const(e)
        if c is None:
            raise _Untraceable(f"a result of type {type(e).__name__}")
        return rec.emit(_K["CONST"], 0, 0, 0, c, c).slot
    if type(y) is _Tracer or _const(y) is not None:
        return [slot(y)], None
    if type(y) in (list, tuple) or type(y) is np.ndarray:
        a = np.empty(np.shape(y) if type(y) is np.ndarray else (len(y),), dtype=object)
        if type(y) is np.ndarray:
            a[...] = y
        else:
            for i, e in enumerate(y):
                if type(e) in (list, tuple) or type(e) is np.ndarray:
                    raise _Untraceable("a nested result")
                a[i] = e
        return [slot(e) for e in a.ravel()], a.shape
    raise _Untraceable(f"a result of type {type(y).__name__}")


def _compile(ops, outputs, n_inputs, n_x, out_shape):
    """A Tape: instructions no output or guard needs are dropped, and slots
    are reused once no later instruction reads them."""
    guard = (_K["GUARD"], _K["GUARD_SCALAR"])
    live = set(outputs)
    keep = []
    reads = {
        _K["UNARY"]: "a", _K["BINARY_X"]: "a", _K["NEG"]: "a", _K["ADD_SCALAR"]: "a",
        _K["SCALAR_SUB"]: "a", _K["SCALAR_MUL"]: "a", _K["DIV_SCALAR"]: "a", _K["POW_SCALAR"]: "a",
        _K["GUARD_SCALAR"]: "a", _K["BINARY_Y"]: "b", _K["SCALAR_DIV"]: "b", _K["SCALAR_POW"]: "b",
        _K["CONST"]: "",
    }

    def operands(op):
        r = reads.get(op[0], "ab")
        return ([op[2]] if "a" in r else []) + ([op[3]] if "b" in r else [])
    for op in reversed(ops):
        if op[0] in guard or op[4] in live:
            keep.append(op)
            live.update(operands(op))
    keep.reverse()
    last = {}
    for k, op in enumerate(keep):
        for s in operands(op):
            last[s] = k
    pinned = set(outputs)
    where = {i: i for i in range(n_inputs)}
    free = []
    n_slots = n_inputs
    out_ops = []
    for k, op in enumerate(keep):
        kind, code, a, b, out, c = op
        srcs = operands(op)
        pa = where[a] if a in where and "a" in reads.get(kind, "ab") else 0
        pb = where[b] if b in where and "b" in reads.get(kind, "ab") else 0
        for s in set(srcs):
            if last[s] == k and s not in pinned:
                free.append(where[s])
        if kind in guard:
            out_ops.append((kind, code, pa, pb, 0, c))
            continue
        if free:
            po = free.pop()
        else:
            po = n_slots
            n_slots += 1
        where[out] = po
        out_ops.append((kind, code, pa, pb, po, c))
    tape = _tape.Tape(out_ops, [where[s] for s in outputs], n_slots, n_inputs, n_x)
    tape.out_shape = out_shape
    return tape


# ------------------------------------------------------------ traced functions

class Traced:
    """A function whose transforms replay recorded tapes (see dualdiff.trace)."""

    def __init__(self, f, max_tapes=_MAX_TAPES):
        if not callable(f):
            raise TypeError(f"trace(f) needs a callable, not {type(f).__name__}")
        if isinstance(f, Traced):
            f = f.__wrapped__
        self.__wrapped__ = f
        self.__name__ = getattr(f, "__name__", type(f).__name__)
        self.__qualname__ = getattr(f, "__qualname__", self.__name__)
        self.__doc__ = getattr(f, "__doc__", None)
        self._max_tapes = int(max_tapes)
        if self._max_tapes < 1:
            raise ValueError("max_tapes must be at least 1")
        self._cache = {}
        self._warned = set()
        self._eager = {}
        self._replayers = {}

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self):
        n = sum(len(v) for v in self._cache.values() if type(v) is list)
        return f"<traced {self.__name__}: {n} tapes>"

    def clear(self):
        """Drop every recorded tape (and the memory of what ran eagerly)."""
        self._cache.clear()

    def tapes(self):
        """The recorded tapes, most recently used first for each point structure."""
        return [t for v in self._cache.values() if type(v) is list for t in v]

    # -- transforms

    def _transform(self, verb, **opts):
        """The transform ``verb`` of this function (called by the transforms)."""
        if "order" in opts:
            from dualdiff._taylor import _check_order
            opts["order"] = _check_order(opts["order"], verb)
        if opts.get("workers") is not None:
            return self._eager_fn(verb, opts)
        flags = 0 if opts.get("nan_safe", True) else _tape.IEEE
        if opts.get("chunk") is None and verb in ("derivative", "grad", "value_and_grad", "hessian") \
                and opts.get("order", 1) == 1:
            r = self._replayers.get(flags)
            if r is None:
                r = self._replayers[flags] = _tape.Replayer(
                    self._cache, lambda v, x, a, k: self._slow(v, x, a, k, {"nan_safe": not flags}), flags)
            return getattr(r, verb)

        def transformed(x, *args, **kwargs):
            return self._slow(verb, x, args, kwargs, opts)
        transformed.__name__ = f"{verb}({self.__name__})"
        transformed.__qualname__ = transformed.__name__
        transformed.__doc__ = f"The {verb} of {self.__name__} (made by dualdiff.{verb}, replaying tapes)."
        transformed.__wrapped__ = self.__wrapped__
        return transformed

    def _eager_fn(self, verb, opts):
        import dualdiff
        key = (verb, tuple(sorted((k, v) for k, v in opts.items() if k != "workers")))
        if opts.get("workers") is not None:
            return self._call_eager_transform(verb, opts)
        fn = self._eager.get(key)
        if fn is None:
            fn = self._eager[key] = self._call_eager_transform(verb, opts)
        return fn

    def _call_eager_transform(self, verb, opts):
        import dualdiff
        f = self.__wrapped__
        o = {k: v for k, v in opts.items() if v is not None or k == "chunk"}
        if verb == "jvp":
            ns = o.get("nan_safe", True)
            return lambda x, v, *a, **k: dualdiff.jvp(f, x, v, *a, nan_safe=ns, **k)
        if verb == "taylor":
            return dualdiff.taylor(f, o["order"])
        if verb == "derivative":
            return dualdiff.derivative(f, **{k: v for k, v in o.items() if k in ("order", "nan_safe")})
        return getattr(dualdiff, verb)(f, **o)

    def _warn(self, reason):
        if reason not in self._warned:
            self._warned.add(reason)
            warnings.warn(f"dualdiff.trace({self.__name__}): {reason} cannot be recorded; "
                          f"{self.__name__} runs on Duals at every call with such arguments",
                          TraceWarning, stacklevel=4)

    def _slow(self, verb, x, args, kwargs, opts):
        """Replay a tape for (x, args, kwargs), recording one if none fits."""
        flags = 0 if opts.get("nan_safe", True) else _tape.IEEE
        v = None
        if verb in ("jvp", "hvp", "taylor"):
            if verb == "taylor":
                v = args[0] if args else None
                args = args[1:]
            else:
                v, args = args[0], args[1:]
        eager = self._eager_fn(verb, opts)

        def run_eager():
            if verb in ("jvp", "hvp") or (verb == "taylor" and v is not None):
                return eager(x, v, *args, **kwargs)
            return eager(x, *args, **kwargs)
        if any(isinstance(e, Dual) or type(e) is _Tracer for e in (x,) + tuple(args)):
            return run_eager()  # nested in a transform or a recording: f on its numbers
        try:
            xs, aval = [], []
            xkey, xspec = _leaves(x, True, None, xs, None)
            akey, aspec = _leaves(list(args), False, None, aval, None)
            kkey, kspec = _leaves(dict(kwargs), False, None, aval, None)
        except _Untraceable as e:
            self._warn(e.reason)
            return run_eager()
        key = _simple_key(x) if not args and not kwargs else None
        if key is None:
            key = (xkey, akey, kkey)
        xs = np.array(xs, dtype=np.float64)
        av = np.array(aval, dtype=np.float64)
        tapes = self._cache.get(key)
        if tapes == "eager":
            return run_eager()
        x_shape = None if xspec is None else np.shape(x) if type(x) is np.ndarray else (len(xs),)
        if tapes is not None:
            for i, t in enumerate(tapes):
                status, res = self._compute(t, verb, xs, av, v, x_shape, opts, flags)
                if status == _tape.GUARD:
                    continue
                if status != 0:
                    return run_eager()
                if i:
                    tapes.insert(0, tapes.pop(i))
                return res
        try:
            t = self._record(x, xs, xspec, args, aspec, kwargs, kspec, av)
        except _Untraceable as e:
            self._warn(e.reason)
            self._cache[key] = "eager"
            return run_eager()
        status, res = self._compute(t, verb, xs, av, v, x_shape, opts, flags)
        if status == _tape.GUARD:  # the recording disagrees with its replay: never replay it
            self._warn("a comparison whose replay differs from its recording")
            self._cache[key] = "eager"
            return run_eager()
        if tapes is None or type(tapes) is not list:
            if len(self._cache) >= _MAX_KEYS:
                self._cache.pop(next(iter(self._cache)))
            tapes = self._cache[key] = []
        tapes.insert(0, t)
        del tapes[self._max_tapes:]
        if status != 0:
            return run_eager()
        return res

    def _record(self, x, xs, xspec, args, aspec, kwargs, kspec, av):
        n_x, n_in = len(xs), len(xs) + len(av)
        rec = _Recorder(n_in)
        numbers = iter([_Tracer(rec, i, float(val)) for i, val in enumerate(list(xs) + list(av))])
        xt = _build(xspec, numbers)
        at = _build(aspec, numbers)
        kt = _build(kspec, numbers)
        with np.errstate(all="ignore"):
            try:
                y = self.__wrapped__(xt, *at, **kt)
            except TypeError as e:
                # NumPy functions without object loops on recorded numbers
                if "object" in str(e) or "ufunc" in str(e):
                    raise _Untraceable(f"a NumPy function ({e})") from None
                raise
        slots, out_shape = _outputs(y, rec)
        return _compile(rec.ops, slots, n_in, n_x, out_shape)

    def _compute(self, t, verb, xs, av, v, x_shape, opts, flags):
        """Replay t for one transform: (status, result)."""
        n = xs.shape[0]
        out_shape = t.out_shape
        xs_shape = () if x_shape is None else x_shape

        def shaped(a, tail):  # float for a number, else an array out_shape + tail
            shape = (() if out_shape is None else out_shape) + tail
            return float(a.reshape(-1)[0]) if shape == () else a.reshape(shape)
        if verb == "derivative" and opts.get("order", 1) != 1:
            k = opts["order"]
            status, c = t.run(xs, av, np.ones((n, 1)), 0, k, _tape.TAYLOR)
            if status:
                return status, None
            return 0, shaped(c[:, k] * math.factorial(k), ())
        if verb == "taylor":
            k = opts["order"]
            vv = np.ones(n) if v is None else np.asarray(v, dtype=np.float64).reshape(-1)
            if vv.shape[0] != n:
                return 3, None
            status, c = t.run(xs, av, vv.reshape(n, 1), 0, k, _tape.TAYLOR)
            if status:
                return status, None
            return 0, c.T.reshape((k + 1,) + (() if out_shape is None else out_shape)).copy()
        if verb in ("derivative", "jvp"):
            seeds = np.ones((n, 1)) if verb == "derivative" else np.asarray(v, np.float64).reshape(n, 1)
            if verb == "derivative" and n != 1:
                return 3, None
            status, c = t.run(xs, av, seeds, 0, 1, 1 | flags)
            if status:
                return status, None
            if verb == "derivative":
                return 0, shaped(c[:, 1].copy(), ())
            return 0, (shaped(c[:, 0].copy(), ()), shaped(c[:, 1].copy(), ()))
        if verb in ("grad", "value_and_grad", "jacobian", "value_and_jacobian"):
            if verb in ("grad", "value_and_grad") and out_shape is not None:
                return 3, None  # the eager path says what is wrong
            chunk = opts.get("chunk") or 64
            jac = np.empty((t.n_out, n))
            value = None
            for j0 in range(0, max(n, 1), chunk):
                w = min(chunk, n - j0)
                status, c = t.run(xs, av, None, j0, w, 1 | flags)
                if status:
                    return status, None
                value = c[:, 0] if value is None else value
                jac[:, j0:j0 + w] = c[:, 1:]
            g = shaped(jac, xs_shape)
            if verb.startswith("value_and"):
                return 0, (shaped(value.copy(), ()), g)
            return 0, g
        if verb == "hessian":
            hess = np.empty((t.n_out, n, n))
            blocks = [range(i, min(i + 16, n)) for i in range(0, n, 16)] if n > 32 else [range(n)]
            for bi, I in enumerate(blocks):
                for J in blocks[bi:] if len(blocks) > 1 else [I]:
                    idx = list(I) + ([] if J is I else list(J))
                    w = len(idx)
                    seeds = np.zeros((n, w))
                    seeds[idx, range(w)] = 1.0
                    status, c = t.run(xs, av, seeds, 0, w, 2 | flags)
                    if status:
                        return status, None
                    k = w + 1
                    for p in range(w):
                        for q in range(p, w):
                            hess[:, idx[p], idx[q]] = c[:, k]
                            hess[:, idx[q], idx[p]] = c[:, k]
                            k += 1
            return 0, shaped(hess, xs_shape + xs_shape)
        if verb == "hvp":
            if out_shape is not None:
                return 3, None
            vv = np.asarray(v, dtype=np.float64).reshape(-1)
            if vv.shape[0] != n:
                return 3, None
            out = np.empty(n)
            step = opts.get("chunk") or 8
            for j0 in range(0, n, step):
                w = min(step, n - j0)
                seeds = np.zeros((n, w + 1))
                seeds[:, 0] = vv
                seeds[range(j0, j0 + w), range(1, w + 1)] = 1.0
                status, c = t.run(xs, av, seeds, 0, w + 1, 2 | flags)
                if status:
                    return status, None
                out[j0:j0 + w] = c[0, w + 3:w + 3 + w]  # H entries (0, 1 + j): v^T H e_j
            return 0, out.reshape(xs_shape) if xs_shape else float(out[0])
        raise ValueError(f"unknown transform {verb}")


def trace(f, *, max_tapes=_MAX_TAPES):
    """trace(f, *, max_tapes=8) -> traced f

    ``f`` recorded once, replayed in C. Calling the traced function calls
    ``f``; every transform of it (derivative, grad, value_and_grad, jacobian,
    value_and_jacobian, jvp, hessian, hvp, taylor) records at the first call
    the operations ``f`` performs on recorded numbers into a tape, and later
    calls with points of the same structure replay the tape in C, without
    Python per operation.

    ``x`` and the real numbers among the extra arguments (floats, lists and
    float arrays) are the tape's inputs: new values replay the same tape.
    Ints, strings and None among the extra arguments are constants of the
    tape: other values record another tape. Everything ``f`` reads from
    elsewhere (globals, closures, attributes) is recorded as a constant: call
    ``clear()`` on the traced function after changing such a value.

    Each comparison and truth test of a recorded number (``if x > 0``,
    ``max``, ``min``, a ``while`` condition) is a guard: where a replay
    finds it going the other way, ``f`` is recorded again at that point. At
    most ``max_tapes`` tapes are kept for each point structure. Where ``f``
    does something that cannot be recorded (``float()`` of a number, a NumPy
    function without an object loop), it runs eagerly on Duals after one
    :class:`TraceWarning`; ``int()`` and indices from a recorded number raise
    ``TypeError``, as for Duals.

    >>> import dualdiff
    >>> from dualdiff import math as dm
    >>> f = dualdiff.trace(lambda x: dm.sin(x) * x)
    >>> df = dualdiff.derivative(f)
    >>> df(1.0) == dualdiff.derivative(lambda x: dm.sin(x) * x)(1.0)
    True
    """
    return Traced(f, max_tapes)
