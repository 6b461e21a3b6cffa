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
warning that names the reason. scipy.special's ufuncs of the table record on
recorded numbers (Tracer.__array_ufunc__), not on object arrays of them. int() and indexing with a recorded number stay
refused, as for Duals.
"""
import math
import warnings

import numpy as np

from dualdiff import _rules, _tape
from dualdiff import math as dm
from dualdiff._complex import ComplexDual
from dualdiff._dual import Dual, _set_trace_hook
from dualdiff._ndarray import _PATTERN_TYPES, DualArray
from dualdiff._third import _Mixed

_UNARY = _rules.op_codes("unary")
_BINARY = _rules.op_codes("binary")
# dualdiff.math's names of the binary rules (atan2, copysign, fmod, ...)
_MATH_BINARY = {r.math: _BINARY[r.name] for r in _rules.of_kind("binary") if r.math}
_MAX_TAPES = 8   # tapes per point structure (kept most recently used first)
_MAX_KEYS = 32   # point structures per traced function
# The reason given for numbers of a running transform or recording among the
# arguments: f then runs on them, with no warning.
_NESTED = "numbers of another transform"
# the numbers a running transform gives f: duals and dual arrays (subclasses
# too), the numbers of sparsity detection, of a transform nested one level
# deeper, and complex dual numbers
_TRANSFORM_NUMBERS = (Dual, DualArray, _Mixed, ComplexDual) + _PATTERN_TYPES


class TraceWarning(UserWarning):
    """A traced function ran eagerly on Duals instead of replaying a tape."""


_Untraceable = _tape.Untraceable
_Tracer = _tape.Tracer


def _const(y):
    """y as a float constant, or None when it is not a real number."""
    if type(y) in (float, int, bool) or isinstance(y, (np.floating, np.integer, np.bool_)):
        return float(y)
    return None


def _method(kind, name, ufunc):
    f = getattr(np, ufunc)
    if kind == "unary":
        code = _UNARY[name]
        return lambda x: _tape.unary(x, code, f)
    code = _BINARY[name]
    return lambda x, y: _tape.binary(x, y, code, f)


# The methods NumPy's object loops call (np.sin(object array) calls x.sin()),
# from the table of rules, as for Dual.
_tape._METHODS.update({name: _method(kind, rule, name) for name, (kind, rule) in _rules.methods().items()})
# scipy.special's ufuncs of the table (no object loop): Tracer.__array_ufunc__ records them.
_tape._SPECIAL.update({u: (kind, _UNARY[r] if kind == "unary" else _BINARY[r])
                       for kind in ("unary", "binary") for u, r in _rules.ufunc_names(kind, "special").items()})


def _math(name, args, kwargs=None):
    """dualdiff.math's function ``name`` on arguments that include tracers."""
    if kwargs:
        raise _Untraceable(f"dualdiff.math.{name} with keywords")
    if name in _UNARY and len(args) == 1:
        return _tape.unary(args[0], _UNARY[name], getattr(dm, name))
    if name == "log":
        return dm.log(args[0]) / dm.log(args[1])
    if name == "pow":
        return _tape.binary(args[0], args[1], _BINARY["pow"], dm.pow)
    if name == "hypot":
        acc = 0.0
        for i, a in enumerate(args):
            if not i:
                acc = abs(a)
            elif type(acc) is _Tracer or type(a) is _Tracer:
                acc = _tape.binary(acc, a, _BINARY["hypot"], dm.hypot)
            else:
                acc = dm.hypot(acc, a)
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
        return _tape.binary(args[0], args[1], _MATH_BINARY[name], getattr(dm, name))
    raise _Untraceable(f"dualdiff.math.{name} of a recorded number")


_set_trace_hook(_Tracer, _math)


# -------------------------------------------------- inputs and structures

def _leaves(x, is_x, values):
    """Walk x: returns (key, spec), where _build(spec, numbers) rebuilds x with
    the numbers taken in order from an iterator. Real numbers are inputs
    (appended to values); for the extra arguments (is_x False) ints, bools, strings and
    None are constants that enter the key instead. Raises _Untraceable for
    anything else."""
    t = type(x)
    if t is _Tracer or isinstance(x, _TRANSFORM_NUMBERS):
        raise _Untraceable(_NESTED)
    if t is float or isinstance(x, np.floating) or (is_x and (t is int or isinstance(x, np.integer))):
        values.append(float(x))
        return "f", None
    if t in (int, bool, str) or x is None or isinstance(x, (np.integer, np.bool_)):
        return ("c", t.__name__, x), x
    if t is list or t is tuple:
        parts = [_leaves(e, is_x, values) for e in x]
        return (("l" if t is list else "t"), tuple(p[0] for p in parts)), (t, [p[1] for p in parts])
    if t is np.ndarray:
        if x.dtype.kind in "fiu" + ("b" if not is_x else ""):
            if x.dtype.kind in "biu" and not is_x:
                return ("C", x.dtype.str, x.shape, x.tobytes()), x
            values.extend(np.asarray(x, dtype=np.float64).ravel().tolist())
            return ("a",) + x.shape, ("a", x.shape)
        raise _Untraceable(f"an array of dtype {x.dtype}")
    if t is dict:
        parts = [(k, _leaves(v, is_x, values)) for k, v in x.items()]
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
    """f's result as a flat list of slots (constants get slots too), and its shape."""
    def slot(e):
        if type(e) is _Tracer:
            if e.rec is not rec:
                raise _Untraceable("a result recorded elsewhere")
            return e.slot
        c = _const(e)
        if c is None:
            raise _Untraceable(f"a result of type {type(e).__name__}")
        return rec.constant(c)
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

    def __reduce__(self):
        # pickles as the function it traces; the tapes are recorded again where it lands
        return (Traced, (self.__wrapped__, self._max_tapes))

    def __repr__(self):
        n = sum(len(v) for v in self._cache.values() if type(v) is list)
        return f"<traced {self.__name__}: {n} tapes>"

    def clear(self):
        """Drop every recorded tape (and the memory of what ran eagerly)."""
        self._cache.clear()

    def tapes(self):
        """The recorded tapes, most recently used first for each point structure."""
        return [t for v in self._cache.values() if type(v) is list for t in v]

    def export(self, x, *args, **kwargs):
        """export(x, *args, **kwargs) -> the tape at x as C functions

        The tape that replays ``f`` at ``x`` (recorded if needed) as a C
        object: ``.data`` is the address of its ``dd_tape`` and
        ``.value_and_gradient``, ``.value_and_jacobian`` and ``.func`` the
        addresses of C functions that take it as their ``void *data``
        (dualdiff/dd_tape.h), callable from C, Cython or ctypes without the
        GIL; ``.low_level_callable("value" | "derivative")`` is a
        ``scipy.LowLevelCallable`` for ``scipy.integrate.quad``. The extra
        arguments' values are fixed in the export. Where ``x`` takes another
        path through ``f`` than the recorded one, the C functions return
        ``DD_TAPE_GUARD`` (NaN for the LowLevelCallable): record again with
        another export from Python. The addresses are valid while the
        returned object lives."""
        return self._slow("export", x, args, kwargs, {})

    def _colored(self, x, args, kwargs, colors, c, nan_safe):
        """(value, tangents (m, c), out shape) from a replay with column j seeded
        along direction colors[j], or None where f must run on Duals."""
        return self._slow("colored", x, args, kwargs, {"colors": colors, "c": c, "nan_safe": nan_safe})

    # -- transforms

    def _transform(self, verb, **opts):
        """The transform ``verb`` of this function (called by the transforms)."""
        if opts.get("chunk") is not None:
            from dualdiff._seeding import balanced_chunk
            opts["chunk"] = balanced_chunk(1, opts["chunk"], 1) and int(opts["chunk"])  # checks it
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
        def run_eager():
            if verb == "colored":
                return None  # the sparse Jacobian evaluates f itself
            if verb == "export":
                raise TypeError(f"dualdiff.trace({self.__name__}).export: {self.__name__} cannot be "
                                "recorded at this point, so there is no tape to export")
            eager = self._eager_fn(verb, opts)
            if verb in ("jvp", "hvp") or (verb == "taylor" and v is not None):
                return eager(x, v, *args, **kwargs)
            return eager(x, *args, **kwargs)
        if any(isinstance(e, Dual) or type(e) is _Tracer for e in (x,) + tuple(args)):
            return run_eager()  # nested in a transform or a recording: f on its numbers
        try:
            xs, aval = [], []
            xkey, xspec = _leaves(x, True, xs)
            akey, aspec = _leaves(list(args), False, aval)
            kkey, kspec = _leaves(dict(kwargs), False, aval)
        except _Untraceable as e:
            if e.reason is not _NESTED:
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
        rec = _tape.Recorder(n_in)
        numbers = iter(rec.inputs(np.concatenate([xs, av])))
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
        return rec.compile(slots, n_x, out_shape)

    def _compute(self, t, verb, xs, av, v, x_shape, opts, flags):
        """Replay t for one transform: (status, result)."""
        n = xs.shape[0]
        out_shape = t.out_shape
        xs_shape = () if x_shape is None else x_shape

        def shaped(a, tail):  # float for a number, else an array out_shape + tail
            shape = (() if out_shape is None else out_shape) + tail
            return float(a.reshape(-1)[0]) if shape == () else a.reshape(shape)
        if verb == "colored":  # column j seeded along direction colors[j] (SparseJacobian)
            colors, c = opts["colors"], opts["c"]
            if colors.shape[0] != n:
                return 3, None
            seeds = np.zeros((n, c))
            seeds[np.arange(n), colors] = 1.0
            status, r = t.run(xs, av, seeds, 0, c, 1 | flags)
            if status:
                return status, None
            return 0, (r[:, 0].copy(), r[:, 1:].copy(), () if out_shape is None else out_shape)
        if verb == "export":
            status, _ = t.run(xs, av, None, 0, 0, 1)
            return status, (None if status else _tape.Exported(t, av))
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
            if verb in ("grad", "value_and_grad") and not opts.get("chunk") and not flags and n:
                status, value, g = t.gradient(xs, av)  # a reverse sweep: one pass for every n
                if status != _tape.REVERSE:
                    if status:
                        return status, None
                    g = shaped(g.reshape(1, n), xs_shape)
                    return 0, ((value, g) if verb == "value_and_grad" else g)
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
