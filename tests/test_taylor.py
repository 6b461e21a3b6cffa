"""taylor(f, order) and derivative(f, order=k) against SymPy's series.

Every rule of the table is checked through the transform on scalars and on
dual arrays (the C recurrences themselves are checked rule by rule in
tests/test_taylor_rules.py); the corpus expression, products of arrays and
the error paths are checked here.
"""
import importlib.util
import math
import os

import numpy as np
import pytest
import sympy as sp

import dualdiff
from dualdiff import math as dm

_spec = importlib.util.spec_from_file_location(
    "corpus", os.path.join(os.path.dirname(__file__), os.pardir, "benchmarks", "corpus.py"))
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

T = sp.Symbol("t")


def series(expr_of, x0, v=1.0, order=8):
    """Taylor coefficients of t -> expr_of(x0 + v t) by SymPy, at 40 digits."""
    e = expr_of(sp.Float(x0, 40) + sp.Float(v, 40) * T)
    out = []
    for k in range(order + 1):
        out.append(float((e.subs(T, 0) / sp.factorial(k)).evalf(40)))
        e = sp.diff(e, T)
    return np.array(out)


def close(got, ref, rtol=1e-12):
    scale = np.maximum(np.abs(ref), np.max(np.abs(ref)) * 1e-14)
    err = np.max(np.abs(np.asarray(got) - ref) / scale)
    assert err <= rtol, (got, ref, err)


@pytest.mark.parametrize("x0", [0.3, 1.7])
def test_corpus_expression_to_order_8(x0):
    got = dualdiff.taylor(lambda x: corpus.scalar_expr(x, dm), order=8)(x0)
    assert got.shape == (9,)
    close(got, series(lambda x: corpus.scalar_expr(x, sp), x0))
    # the same through NumPy ufuncs on a dual array, along v = 0.5
    got = dualdiff.taylor(lambda x: corpus.scalar_expr(x, np), order=8)(np.array([x0]), np.array([0.5]))
    assert got.shape == (9, 1)
    close(got[:, 0], series(lambda x: corpus.scalar_expr(x, sp), x0, 0.5))


# (function on Duals / NumPy, SymPy function, point)
UNARY = {
    "sqrt": (dm.sqrt, sp.sqrt, 0.7), "cbrt": (dm.cbrt, sp.cbrt, 0.7), "exp": (dm.exp, sp.exp, 0.4),
    "exp2": (dm.exp2, lambda x: 2 ** x, 0.4), "expm1": (dm.expm1, lambda x: sp.exp(x) - 1, 0.4),
    "log": (dm.log, sp.log, 0.7), "log2": (dm.log2, lambda x: sp.log(x, 2), 0.7),
    "log10": (dm.log10, lambda x: sp.log(x, 10), 0.7), "log1p": (dm.log1p, lambda x: sp.log(1 + x), 0.7),
    "sin": (dm.sin, sp.sin, 0.4), "cos": (dm.cos, sp.cos, 0.4), "tan": (dm.tan, sp.tan, 0.4),
    "asin": (dm.asin, sp.asin, 0.3), "acos": (dm.acos, sp.acos, 0.3), "atan": (dm.atan, sp.atan, 0.6),
    "sinh": (dm.sinh, sp.sinh, 0.4), "cosh": (dm.cosh, sp.cosh, 0.4), "tanh": (dm.tanh, sp.tanh, 0.4),
    "asinh": (dm.asinh, sp.asinh, 0.4), "acosh": (dm.acosh, sp.acosh, 1.7),
    "atanh": (dm.atanh, sp.atanh, 0.3), "erf": (dm.erf, sp.erf, 0.4), "erfc": (dm.erfc, sp.erfc, 0.4),
    "gamma": (dm.gamma, sp.gamma, 1.3), "lgamma": (dm.lgamma, sp.loggamma, 1.3),
    "fabs": (dm.fabs, lambda x: -x, -0.7), "square": (np.square, lambda x: x ** 2, 0.7),
    "reciprocal": (np.reciprocal, lambda x: 1 / x, 0.7),
    "degrees": (dm.degrees, lambda x: x * 180 / sp.pi, 0.7),
    "radians": (dm.radians, lambda x: x * sp.pi / 180, 0.7),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_rules_through_the_transform(name):
    fn, ref, x0 = UNARY[name]
    v = 0.75
    expected = series(ref, x0, v)
    close(dualdiff.taylor(fn, order=8)(x0, v), expected)
    # on a dual array through the NumPy ufunc, where NumPy has the function
    ufunc = getattr(np, {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh",
                         "acosh": "arccosh", "atanh": "arctanh"}.get(name, name), None)
    if isinstance(ufunc, np.ufunc):
        got = dualdiff.taylor(ufunc, order=8)(np.array([x0, x0]), np.array([v, v]))
        close(got[:, 1], expected)


BINARY = {
    "mul": (lambda a, b: a * b, lambda a, b: a * b), "div": (lambda a, b: a / b, lambda a, b: a / b),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b), "atan2": (dm.atan2, sp.atan2),
    "hypot": (dm.hypot, lambda a, b: sp.sqrt(a * a + b * b)),
    "add": (lambda a, b: a + b, lambda a, b: a + b), "sub": (lambda a, b: a - b, lambda a, b: a - b),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_rules_through_the_transform(name):
    fn, ref = BINARY[name]
    x0, v = [0.8, 1.3], [0.5, -0.25]
    got = dualdiff.taylor(lambda z: fn(z[0], z[1]), order=8)(x0, v)
    expected = series(lambda s: ref(s, 1.3 + (-0.25 / 0.5) * (s - 0.8)), 0.8, 0.5)
    close(got, expected)


def test_integer_powers_are_exact_at_zero():
    # the n-th derivative of x^n at 0 is n!, the (n+1)-th is 0
    for n in range(1, 7):
        c = dualdiff.taylor(lambda x: x ** n, order=n + 2)(0.0)
        assert c.tolist() == [0.0] * n + [1.0, 0.0, 0.0]
        assert dualdiff.derivative(lambda x: x ** n, order=n)(0.0) == math.factorial(n)
    assert dualdiff.taylor(lambda x: x ** 0, order=3)(0.0).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert dualdiff.derivative(lambda x: 3.0 * x ** 2.0, order=2)(0.0) == 6.0


def test_derivative_of_any_order_matches_sympy():
    expr = lambda x, m: m.exp(-x * x) * m.sin(3 * x)  # noqa: E731
    e = expr(T, sp)
    for k in (0, 2, 3, 5, 8):
        ref = float(sp.diff(e, T, k).subs(T, 0.4).evalf(40))
        got = dualdiff.derivative(lambda x: expr(x, dm), order=k)(0.4)
        assert math.isclose(got, ref, rel_tol=1e-12), (k, got, ref)
    # order=1 is the first-order transform
    assert dualdiff.derivative(lambda x: x ** 3, order=1)(2.0) == 12.0


def test_products_and_reductions_of_arrays():
    A = np.array([[1.0, 2.0], [-0.5, 3.0]])

    def f(x):  # a quadratic form and a product: polynomials of degree 2 and 3 in t
        return np.array([x @ A @ x, np.prod(x) * x[0], np.sum(np.cumprod(x))])

    x0, v = np.array([0.4, -1.1]), np.array([1.0, 0.5])
    got = dualdiff.taylor(f, order=4)(x0, v)
    assert got.shape == (5, 3)
    t = T
    xs = [sp.Float(0.4) + t, sp.Float(-1.1) + sp.Float(0.5) * t]
    exprs = [sum(xs[i] * A[i, j] * xs[j] for i in range(2) for j in range(2)),
             xs[0] * xs[1] * xs[0], xs[0] + xs[0] * xs[1]]
    for col, e in enumerate(exprs):
        poly = sp.Poly(sp.expand(e), t)
        ref = [float(poly.coeff_monomial(t ** k)) for k in range(5)]
        np.testing.assert_allclose(got[:, col], ref, rtol=1e-14, atol=1e-14)


def test_taylor_shapes_defaults_and_errors():
    assert dualdiff.taylor(lambda x: x * 2.0, order=0)(1.5).tolist() == [3.0]
    c = dualdiff.taylor(lambda x: [x, 2.0 * x], order=2)(1.0)
    assert c.shape == (3, 2) and c.tolist() == [[1.0, 2.0], [1.0, 2.0], [0.0, 0.0]]
    # a constant result, and a NaN constant (NaN coefficients, as the derivatives give)
    assert dualdiff.taylor(lambda x: 4.0, order=2)(1.0).tolist() == [4.0, 0.0, 0.0]
    assert np.isnan(dualdiff.taylor(lambda x: float("nan"), order=2)(1.0)).all()
    with pytest.raises(TypeError, match="v"):
        dualdiff.taylor(np.sin, order=2)(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="shape of x"):
        dualdiff.taylor(np.sin, order=2)(np.array([1.0, 2.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="at least 0"):
        dualdiff.taylor(np.sin, order=-1)
    with pytest.raises(ValueError, match="highest supported order"):
        dualdiff.taylor(np.sin, order=10 ** 6)
    with pytest.raises(TypeError, match="int"):
        dualdiff.derivative(np.sin, order=2.5)
    with pytest.raises(TypeError, match="linalg"):
        dualdiff.taylor(lambda x: np.linalg.det(x.reshape(2, 2)), order=2)(np.ones(4), np.ones(4))


def test_taylor_inside_a_transform_raises_and_a_transform_inside_taylor_runs():
    with pytest.raises(dualdiff.NestingError):
        dualdiff.grad(lambda x: dualdiff.taylor(np.sin, order=3)(x[0])[3])(np.array([0.5]))
    # taylor of cos: (-1)^k-ish coefficients cos^(k)(0.5) / k!
    got = dualdiff.taylor(lambda t: dualdiff.derivative(np.sin)(t), order=3)(0.5)
    ref = [math.cos(0.5), -math.sin(0.5), -math.cos(0.5) / 2, math.sin(0.5) / 6]
    np.testing.assert_allclose(got, ref, rtol=1e-14)
