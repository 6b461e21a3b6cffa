"""The table of rules (dualdiff/_rules.py) and every layer fed from it.

The table must equal the C table, and each function it lists must work for
every kind of input: scalar Duals (dualdiff.math, NumPy and SciPy ufuncs, the
object-loop methods), dual arrays at first and second order, with the same
numbers everywhere. One walk over the table finds any gap.
"""
import ast
import math
import pathlib

import numpy as np
import pytest
import scipy.special

import dualdiff
import dualdiff.math as dm
from dualdiff import Dual, _rules
from dualdiff._dual import _rules as c_rules
from dualdiff.numpy import array, supported_ufuncs

# points inside every rule's domain (a second coordinate for binary rules)
POINT = {"acosh": 1.7, "asin": 0.3, "acos": 0.3, "atanh": 0.3, "log": 0.7, "log2": 0.7,
         "log10": 0.7, "log1p": 0.7, "sqrt": 0.7, "cbrt": 0.7, "gamma": 0.7, "lgamma": 0.7,
         "reciprocal": 0.7, "floordiv": 2.7, "mod": 2.7, "fmod": 2.7, "remainder": 2.7}
DEFAULT = 0.45
SECOND = 1.3


def _first(x):
    return Dual(x, [1.0, 0.5])


def _second(x):
    return Dual(x, [1.0, 0.5], hessian=[[0.0, 0.0], [0.0, 0.0]])


def _parts(d):
    """The numbers of d as one tuple, NaN written as a string so that equal NaNs compare equal."""
    h = d.hessian
    numbers = [d.value, *np.atleast_1d(d.tangent), *([] if h is None else np.asarray(h).ravel())]
    return tuple("nan" if v != v else float(v) for v in numbers)


def _calls(rule):
    """(label, function) pairs that compute the rule, for every name the table gives."""
    out = [(f"numpy.{u}", getattr(np, u)) for u in rule.numpy]
    out += [(f"scipy.special.{u}", getattr(scipy.special, u)) for u in rule.special]
    return out


def test_the_table_equals_the_c_table_in_op_code_order():
    assert [(r.kind, r.name) for r in _rules.RULES] == c_rules()
    assert len({r.name for r in _rules.RULES}) == len(_rules.RULES)
    for r in _rules.RULES:
        assert r.kind in ("unary", "binary") and r.doc, r
        assert r.math is not None or r.numpy or r.special, f"{r.name} is reachable from nowhere"


@pytest.mark.parametrize("rule", _rules.RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("make", [_first, _second], ids=["first", "second"])
def test_every_rule_agrees_on_scalars_and_arrays(rule, make):
    x = POINT.get(rule.name, DEFAULT)
    args = (make(x),) if rule.kind == "unary" else (make(x), make(SECOND))
    for label, fn in _calls(rule):
        scalar = fn(*args)
        assert type(scalar) is Dual, label
        # a 0-d and a 1-d dual array give the same numbers
        arr0 = fn(*[array(a) for a in args])
        arr1 = fn(*[array([a, a]) for a in args])
        assert _parts(arr0) == _parts(scalar), label
        assert isinstance(arr1, dualdiff.DualArray) and _parts(arr1[1]) == _parts(scalar), label
        # and NumPy's object loop where it has one (through the Dual's methods)
    if rule.math is not None:
        mathfn = getattr(dm, rule.math)
        got = mathfn(*args)
        assert type(got) is Dual
        ref = _calls(rule)[0][1](*args) if _calls(rule) else None
        if ref is not None:
            # gamma and lgamma take the value from math (CPython's own), within 4 ulp of the rule
            assert got.value == pytest.approx(ref.value, rel=4e-16 if not rule.math_value else 2e-15, abs=0)
            np.testing.assert_allclose(got.tangent, ref.tangent, rtol=1e-15)
        # on floats, the value is math's own, bit for bit
        plain = [a.value for a in args]
        assert mathfn(*plain) == getattr(math, rule.math)(*plain) or rule.math in ("cbrt", "exp2")


def test_object_loop_methods_come_from_the_table():
    d = _first(1.3)  # inside every method's domain (arccosh too)
    for name, (kind, rule) in _rules.methods().items():
        method = getattr(Dual, name)
        with np.errstate(all="ignore"):  # arcsin, arctanh of 1.3: NaN, as NumPy gives
            got = method(d) if kind == "unary" else method(d, _first(0.8))
            ref = getattr(np, name)(d) if kind == "unary" else getattr(np, name)(d, _first(0.8))
        assert _parts(got) == _parts(ref), name
    with pytest.raises(TypeError, match="needs a Dual"):
        Dual.sin(0.3)
    # NumPy's object loops call them
    objs = np.array([_first(0.3), _first(0.6)], dtype=object)
    assert _parts(np.arcsin(objs)[1]) == _parts(np.arcsin(_first(0.6)))


def test_every_ufunc_of_the_arrays_takes_scalar_duals():
    # parity: a function supported for one kind of input is supported for all
    a, b = _first(0.3), _first(0.8)
    skip = {"matmul", "vecdot", "divmod", "modf", "frexp"}  # gufuncs; tuples (below)
    for name in supported_ufuncs():
        u = getattr(np, name)
        if name in skip:
            continue
        args = (a,) if u.nin == 1 else ((a, 2) if name == "ldexp" else (a, b))
        with np.errstate(all="ignore"):  # arccosh(0.3): NaN, as NumPy gives
            scalar = u(*args)
            arr = u(*[array([x]) if isinstance(x, Dual) else x for x in args])
        if isinstance(scalar, Dual):
            assert _parts(scalar) == _parts(arr[0]), name
        else:  # comparisons and predicates: plain booleans
            assert bool(scalar) == bool(np.asarray(arr)[0]), name
    q, r = np.divmod(a, b)
    assert _parts(q) == _parts(np.floor_divide(a, b)) and _parts(r) == _parts(np.remainder(a, b))
    f, i = np.modf(_first(2.25))
    assert f.value == 0.25 and i.value == 2.0


def test_errors_name_scipy_functions():
    with pytest.raises(TypeError, match=r"scipy\.special\.struve is not supported"):
        scipy.special.struve(1.0, array([_first(0.3)]))


def test_stubs_declare_every_function_and_method_of_the_table():
    stub = pathlib.Path(dualdiff._dual.__file__).with_name("_dual.pyi")
    tree = ast.parse(stub.read_text())
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    dual = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Dual")
    methods = {n.name for n in dual.body if isinstance(n, ast.FunctionDef)}
    for r in _rules.RULES:
        if r.math is not None:
            assert r.math in functions, f"_dual.pyi lacks dualdiff.math.{r.math}"
            assert r.math in dm.__all__
    missing = set(_rules.methods()) - methods
    assert not missing, f"_dual.pyi's Dual lacks the methods {sorted(missing)}"
