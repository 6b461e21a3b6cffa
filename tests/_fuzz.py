"""A hypothesis harness that throws hostile input at the compiled Dual code.

Each example draws a width (1..40, across the 16-double inline/heap boundary),
an order (1 or 2), a few Duals whose entries are drawn from NaN, +-inf, +-0,
subnormals, huge and ordinary values, and a batch of operations from OPS (every
operator, every dualdiff.math function, numpy ufuncs on scalars, constructors,
pickle, repr, conversions, and the derivative transforms where the build has
them) on operands that are Duals of the same width, Duals of another width or
order, plain numbers, or wrong types.

Contract checked for every operation:
  * it returns or raises one of ALLOWED (no other exception; a crash or a hang
    ends the process, and a watchdog dumps the stack on a hang);
  * a Dual result has the width and order of its Dual operands;
  * no wrong width read: projecting every Dual operand onto one direction k
    (value, tangent k, Hessian entry kk) and repeating the operation gives the
    same outcome, and the same bits as direction k of the full result;
  * dualdiff.math functions raise where math raises (the same exception type)
    and otherwise agree with math on the value (NaN-aware, bit for bit).
NumPy's warnings are not checked: every operation runs under
np.errstate(all="ignore"), and ComplexWarning (float() of an np.complex128
operand) is ignored.

Loaded by file path from tests/test_fuzz.py (small budget) and .ci/fuzz.py
(large budget).
"""
import copy
import faulthandler
import fractions
import decimal
import math
import operator
import os
import pickle
import struct
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dualdiff
from dualdiff import Dual
from dualdiff import math as dm

ALLOWED = (TypeError, ValueError, OverflowError, ZeroDivisionError)

# Per-operation watchdog (seconds): a hang prints every thread's stack and exits.
HANG_SECONDS = float(os.environ.get("DUALDIFF_FUZZ_HANG_SECONDS", "60"))

COUNTS = {"examples": 0, "operations": 0, "raised": 0, "projections": 0}

SPECIAL = [
    0.0, -0.0, math.inf, -math.inf, math.nan, -math.nan,
    5e-324, -5e-324, 2.2250738585072014e-308, 1e-310, -1e-310,
    1.7976931348623157e308, -1.7976931348623157e308, 1e300, -1e300, 1e-300,
    1.0, -1.0, 0.5, -0.5, 2.0, 3.0, -3.0, 0.1, 1e16, 2.0 ** 53 + 1, -(2.0 ** 60),
    709.8, 710.0, -745.2, 171.7, -2.5, 4.5e15 + 0.5, math.pi, 1e-8,
]

floats = st.one_of(st.sampled_from(SPECIAL), st.floats(), st.floats(-10.0, 10.0))

WRONG = [None, "1.0", b"x", 1 + 2j, [1.0], (1.0, 2.0), {"a": 1}, object(),
         fractions.Fraction(1, 3), decimal.Decimal("1.5"), np.array([1.0, 2.0]),
         np.complex128(1 + 1j), 10 ** 400, -(10 ** 400), math.inf]


def _float32(x):
    # a float beyond float32's range becomes +-inf on purpose (NumPy warns on
    # the cast)
    with np.errstate(over="ignore"):
        return np.float32(x)


def _scalars():
    return st.one_of(
        floats,
        st.integers(-(2 ** 70), 2 ** 70),
        st.sampled_from([True, False, 0, 1, -1, 2 ** 1100]),
        floats.map(np.float64),
        floats.map(_float32),
        st.integers(-(2 ** 31), 2 ** 31).map(np.int64),
    )


@st.composite
def duals(draw, n, order):
    v = draw(floats)
    t = draw(st.lists(floats, min_size=n, max_size=n))
    if order == 1:
        return Dual(v, t if n > 1 or draw(st.booleans()) else t[0])
    h = np.zeros((n, n))
    fill = draw(st.sampled_from(["zero", "diag", "full"]))
    if fill != "zero":
        entries = draw(st.lists(floats, min_size=n * (n + 1) // 2, max_size=n * (n + 1) // 2))
        k = 0
        for i in range(n):
            for j in range(i, n):
                if fill == "full" or i == j:
                    h[i, j] = h[j, i] = entries[k]
                k += 1
    return Dual(v, t, hessian=h)


def _pickle(a):
    return pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))


def _repr_eval(a):
    return eval(repr(a), {"Dual": Dual, "float": float})


def _float_conv(a):
    return float(a)


def _int_conv(a):
    return int(a)


def _complex_conv(a):
    return complex(a)


def _np_call(ufunc):
    def f(*args):
        with np.errstate(all="ignore"):
            return ufunc(*args)
    f.__name__ = "np." + ufunc.__name__
    return f


# name -> (arity, callable, math twin or None). The math twin, when given,
# is the float function whose exceptions and value a Dual call must match.
OPS = {}


def _op(name, arity, fn, twin=None):
    OPS[name] = (arity, fn, twin)


for _name, _f in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                  ("truediv", operator.truediv), ("floordiv", operator.floordiv),
                  ("mod", operator.mod), ("pow", operator.pow), ("divmod", divmod),
                  ("lt", operator.lt), ("le", operator.le), ("eq", operator.eq),
                  ("ne", operator.ne), ("gt", operator.gt), ("ge", operator.ge)]:
    _op(_name, 2, _f)
for _name, _f in [("neg", operator.neg), ("pos", operator.pos), ("abs", abs),
                  ("round", round), ("math.floor", math.floor), ("math.ceil", math.ceil),
                  ("math.trunc", math.trunc), ("bool", bool), ("hash", hash),
                  ("repr", repr), ("pickle", _pickle), ("repr_eval", _repr_eval),
                  ("copy", copy.copy), ("deepcopy", copy.deepcopy),
                  ("float", _float_conv), ("int", _int_conv), ("complex", _complex_conv),
                  ("value", operator.attrgetter("value")),
                  ("tangent", operator.attrgetter("tangent")),
                  ("hessian", operator.attrgetter("hessian")),
                  ("width", operator.attrgetter("width")),
                  ("order", operator.attrgetter("order")),
                  ("all_finite", dualdiff.all_finite)]:
    _op(_name, 1, _f)
_op("round2", 2, round)

# every unary function of dualdiff.math that has a float twin in math
for _name in ["sqrt", "exp", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
              "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
              "erf", "erfc", "gamma", "lgamma", "fabs",
              "degrees", "radians", "frexp", "modf", "ulp", "isfinite", "isinf", "isnan"]:
    if hasattr(math, _name):
        _op("dm." + _name, 1, getattr(dm, _name), getattr(math, _name))
# on floats these return ints (and raise on inf/nan); on Duals, a Dual: no twin
for _name in ["floor", "ceil", "trunc"]:
    _op("dm." + _name, 1, getattr(dm, _name))
for _name in ["cbrt", "exp2"]:
    _op("dm." + _name, 1, getattr(dm, _name), getattr(math, _name, None))
for _name in ["atan2", "copysign", "fmod", "remainder", "pow", "log", "nextafter", "isclose",
              "hypot"]:
    _op("dm." + _name + "/2", 2, getattr(dm, _name), getattr(math, _name, None))
_op("dm.ldexp", 2, dm.ldexp, math.ldexp)
_op("dm.hypot/3", 3, dm.hypot, math.hypot)
_op("dm.hypot/1", 1, dm.hypot, math.hypot)
_op("dm.dist", 4, lambda a, b, c, d: dm.dist((a, b), (c, d)),
    lambda a, b, c, d: math.dist((a, b), (c, d)))
_op("dm.fma", 3, dm.fma)
_op("dm.fsum", 3, lambda a, b, c: dm.fsum([a, b, c]), lambda a, b, c: math.fsum([a, b, c]))
_op("dm.prod", 3, lambda a, b, c: dm.prod([a, b, c]))
_op("dm.sumprod", 4, lambda a, b, c, d: dm.sumprod([a, b], [c, d]))

# Dual methods used by numpy object loops, and numpy ufuncs on scalar Duals
for _name in ["sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin",
              "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
              "arccosh", "arctanh", "fabs", "rint", "degrees", "radians", "rad2deg",
              "deg2rad", "conjugate"]:
    _op("method." + _name, 1, operator.methodcaller(_name))
_op("method.arctan2", 2, lambda a, b: a.arctan2(b))
_op("method.hypot", 2, lambda a, b: a.hypot(b))
for _u in [np.sqrt, np.cbrt, np.exp, np.exp2, np.expm1, np.log, np.log2, np.log10, np.log1p,
           np.sin, np.cos, np.tan, np.arcsin, np.arccos, np.arctan, np.sinh, np.cosh, np.tanh,
           np.arcsinh, np.arccosh, np.arctanh, np.fabs, np.absolute, np.floor, np.ceil,
           np.trunc, np.rint, np.sign, np.degrees, np.radians, np.square, np.reciprocal,
           np.negative, np.positive, np.isfinite, np.isnan, np.signbit]:
    _op("np." + _u.__name__, 1, _np_call(_u))
for _u in [np.add, np.subtract, np.multiply, np.true_divide, np.floor_divide, np.remainder,
           np.power, np.arctan2, np.hypot, np.fmod, np.copysign, np.maximum, np.minimum,
           np.fmax, np.fmin, np.less, np.equal]:
    _op("np." + _u.__name__, 2, _np_call(_u))

# constructors with hostile arguments
_op("Dual/2", 2, Dual)
_op("Dual/3", 3, Dual)
_op("Dual.tangent_list", 3, lambda a, b, c: Dual(a, [b, c]))

# the derivative transforms, where this build has them, on the tangent of a
# Dual used as a point (hostile values, any length)
def _point(d):
    return np.atleast_1d(np.asarray(d.tangent, dtype=float)) if type(d) is Dual else d


def _rosen(x):
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1)) + x[0]


def _residual(x):
    return np.sin(x) * np.exp(-x) + np.sqrt(np.abs(x)) - x[::-1] ** 2


for _name, _call in [("grad", lambda d: dualdiff.grad(_rosen)(_point(d))),
                     ("hessian", lambda d: dualdiff.hessian(_rosen)(_point(d))),
                     ("jacobian", lambda d: dualdiff.jacobian(_residual)(_point(d))),
                     ("jvp", lambda d: dualdiff.jvp(_residual, _point(d), _point(d)))]:
    if hasattr(dualdiff, _name):
        _op("transform." + _name, 1, _call)

NAMES = sorted(OPS)

# results that describe the whole number, not one direction
NOT_PER_DIRECTION = {"hash", "width", "repr", "all_finite"} | {
    n for n in OPS if n.startswith("transform.")}


# ------------------------------------------------------------------ checking

def _same_float(x, y):
    if isinstance(x, float) and isinstance(y, float):
        if math.isnan(x) and math.isnan(y):
            return True
        return struct.pack("<d", x) == struct.pack("<d", y)
    return False


def _flat(d):
    """Every double of a Dual, in layout order."""
    out = [d.value]
    t = d.tangent
    out += [t] if d.width == 1 else list(t)
    if d.order == 2:
        h = d.hessian
        out += [h[i, j] for i in range(d.width) for j in range(i, d.width)]
    return out


def _project(x, k):
    """Direction k of a Dual (value, tangent k, Hessian kk) as a width-1 Dual."""
    if type(x) is not Dual:
        return x
    t = x.tangent
    tk = t if x.width == 1 else float(t[k])
    if x.order == 1:
        return Dual(x.value, tk)
    return Dual(x.value, [tk], hessian=[[float(x.hessian[k, k])]])


def _same_result(full, proj, k):
    """Does direction k of the full result equal the projected run's result?"""
    if isinstance(full, tuple):
        return (isinstance(proj, tuple) and len(full) == len(proj)
                and all(_same_result(a, b, k) for a, b in zip(full, proj)))
    if type(full) is Dual:
        if type(proj) is not Dual:
            return False
        return all(_same_float(a, b) for a, b in zip(_flat(_project(full, k)), _flat(proj)))
    if isinstance(full, float):
        return _same_float(full, proj) if isinstance(proj, float) else False
    if isinstance(full, (bool, int, np.bool_)):
        return type(full) is type(proj) and full == proj
    return True  # repr, hash of a whole number: not per direction


def _outcome(fn, args):
    COUNTS["operations"] += 1
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        # NumPy's warnings are not part of this contract: hostile operands
        # overflow and meet inf - inf on purpose (in NumPy ufuncs, in casts of
        # a Dual's value to a float32 operand's type and in the transforms'
        # NumPy functions), and float() of an np.complex128 operand warns
        # that it drops the imaginary part, in math's twin as in dualdiff
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            return "ok", fn(*args)
    except ALLOWED as e:
        COUNTS["raised"] += 1
        return "raised", e
    except Exception as e:  # anything else breaks the contract
        raise AssertionError(f"{fn!r}{_show(args)} raised {type(e).__name__}: {e}") from e
    finally:
        faulthandler.cancel_dump_traceback_later()


def _show(args):
    return "(" + ", ".join(repr(a) if type(a) is not Dual else f"<Dual width {a.width} order "
                           f"{a.order} {_flat(a)[:4]}...>" for a in args) + ")"


def _check_shape(name, res, n, order):
    for r in (res if isinstance(res, tuple) else (res,)):
        if type(r) is Dual:
            assert r.width == n and r.order == order, (name, r.width, r.order, n, order)
            if r.width > 1:
                assert r.tangent.shape == (n,)
            if r.order == 2:
                assert r.hessian.shape == (n, n)


def check_operation(name, args, directions):
    """Run OPS[name] on args and check the contract (see the module docstring)."""
    arity, fn, twin = OPS[name]
    kind, res = _outcome(fn, args)
    dual_args = [a for a in args if type(a) is Dual]
    same_shape = (dual_args and len({(a.width, a.order) for a in dual_args}) == 1)
    if kind == "ok" and same_shape:
        _check_shape(name, res, dual_args[0].width, dual_args[0].order)
    if kind == "ok" and name in ("pickle", "repr_eval", "copy", "deepcopy") and type(args[0]) is Dual:
        assert all(_same_float(a, b) for a, b in zip(_flat(args[0]), _flat(res))), name
    if same_shape and not name.startswith("Dual") and name not in NOT_PER_DIRECTION:
        for k in directions:
            if k >= dual_args[0].width:
                continue
            COUNTS["projections"] += 1
            pkind, pres = _outcome(fn, [_project(a, k) for a in args])
            assert pkind == kind, (f"{name}{_show(args)}: {kind} with full width ({res!r}), "
                                   f"{pkind} on direction {k} ({pres!r})")
            if kind == "raised":
                assert type(pres) is type(res), (name, res, pres)
            else:
                assert _same_result(res, pres, k), (
                    f"{name}{_show(args)} direction {k}: {res!r} != {pres!r}")
    if twin is not None and same_shape and all(type(a) is Dual or type(a) is float for a in args):
        values = [a.value if type(a) is Dual else a for a in args]
        tkind, tres = _outcome(twin, values)
        if tkind == "raised":
            assert kind == "raised" and isinstance(res, type(tres)), (
                f"{name}{_show(args)}: math raises {tres!r}, dualdiff gives {res!r}")
        elif kind == "ok":
            got = res.value if type(res) is Dual else res
            if isinstance(res, tuple):
                got = tuple(r.value if type(r) is Dual else r for r in res)
                assert all(_same_float(float(a), float(b)) for a, b in zip(got, tres)), (name, got, tres)
            elif isinstance(tres, float):
                assert _same_float(got, tres), f"{name}{_show(args)}: value {got!r}, math {tres!r}"
        else:
            raise AssertionError(f"{name}{_show(args)}: math gives {tres!r}, dualdiff raises {res!r}")
    return kind


@st.composite
def programs(draw, max_ops=24):
    """(list of (op name, args), directions to project on)."""
    n = draw(st.one_of(st.integers(1, 4), st.integers(14, 17), st.integers(1, 40)))
    order = draw(st.sampled_from([1, 1, 2]))
    if order == 2 and n > 20:
        n = draw(st.integers(1, 20))
    pool = draw(st.lists(duals(n, order), min_size=1, max_size=3))
    other = draw(st.one_of(st.none(), st.tuples(st.integers(1, 20), st.sampled_from([1, 2]))))
    if other is not None and other != (n, order):
        pool_other = [draw(duals(*other))]
    else:
        pool_other = []
    operand = st.one_of(
        st.sampled_from(pool), st.sampled_from(pool), st.sampled_from(pool),
        _scalars(),
        st.sampled_from(WRONG),
        st.sampled_from(pool_other) if pool_other else st.sampled_from(pool),
    )
    ops = []
    for _ in range(draw(st.integers(1, max_ops))):
        name = draw(st.sampled_from(NAMES))
        arity = OPS[name][0]
        args = [draw(st.sampled_from(pool))] + [draw(operand) for _ in range(arity - 1)]
        perm = range(arity) if name.startswith("method.") else draw(st.permutations(range(arity)))
        ops.append((name, [args[i] for i in perm]))
    directions = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2, unique=True))
    return ops, directions


def run_program(program):
    ops, directions = program
    COUNTS["examples"] += 1
    for name, args in ops:
        check_operation(name, args, directions)


def make_test(max_examples, seed=None):
    """A hypothesis test function running max_examples programs."""
    s = settings(max_examples=max_examples, deadline=None, database=None,
                 suppress_health_check=list(HealthCheck), print_blob=True)

    @s
    @given(programs())
    def fuzz(program):
        run_program(program)

    if seed is not None:
        from hypothesis import seed as _seed
        fuzz = _seed(seed)(fuzz)
    return fuzz
