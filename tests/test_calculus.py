"""Power, product, quotient and chain rules on composed functions.

Each function is written once against a module of elementary functions and
run two ways: symbolically (sympy differentiates it; mpmath evaluates the
derivatives at 50 digits) and numerically (dualdiff.math on Duals, first and
second order).
"""
import math
import sys
import types

import mpmath as mp
import pytest
import sympy as sp

import dualdiff.math as dm
from dualdiff import Dual

mp.mp.dps = 50
EPS = sys.float_info.epsilon

S = types.SimpleNamespace(
    sin=sp.sin, cos=sp.cos, tan=sp.tan, exp=sp.exp, log=sp.log, sqrt=sp.sqrt, atan=sp.atan,
    sinh=sp.sinh, cosh=sp.cosh, tanh=sp.tanh, erf=sp.erf, gamma=sp.gamma, asinh=sp.asinh,
    atan2=sp.atan2, hypot=lambda a, b: sp.sqrt(a * a + b * b), cbrt=sp.cbrt, expm1=lambda a: sp.exp(a) - 1,
    log1p=lambda a: sp.log(1 + a),
)

UNIVARIATE = {
    # power rule
    "x**5": (lambda m, x: x ** 5, (-3, 3)),
    "x**-3": (lambda m, x: x ** -3, (0.2, 4)),
    "x**2.5": (lambda m, x: x ** 2.5, (0.1, 4)),
    "cbrt(x)**2": (lambda m, x: m.cbrt(x) ** 2, (0.1, 8)),
    "(x**2+1)**1.5": (lambda m, x: (x * x + 1) ** 1.5, (-3, 3)),
    "sqrt(x)**3": (lambda m, x: m.sqrt(x) ** 3, (0.1, 9)),
    "2**x": (lambda m, x: 2 ** x, (-5, 5)),
    "x**x": (lambda m, x: x ** x, (0.2, 3)),
    # product rule
    "sin*exp": (lambda m, x: m.sin(x) * m.exp(x), (-3, 3)),
    "x**2*log": (lambda m, x: x ** 2 * m.log(x), (0.1, 5)),
    "x*cos*atan": (lambda m, x: x * m.cos(x) * m.atan(x), (-4, 4)),
    # quotient rule
    "sin/(1+x**2)": (lambda m, x: m.sin(x) / (1 + x * x), (-4, 4)),
    "exp/x": (lambda m, x: m.exp(x) / x, (0.2, 4)),
    "(x-1)/(x+2)**2": (lambda m, x: (x - 1) / (x + 2) ** 2, (-1, 4)),
    # chain rule
    "sin(cos(exp))": (lambda m, x: m.sin(m.cos(m.exp(x))), (-2, 2)),
    "log(1+tanh**2)": (lambda m, x: m.log(1 + m.tanh(x) ** 2), (-3, 3)),
    "atan(sinh)": (lambda m, x: m.atan(m.sinh(x)), (-3, 3)),
    "exp(sin**2)": (lambda m, x: m.exp(m.sin(x) ** 2), (-3, 3)),
    "erf(sqrt)": (lambda m, x: m.erf(m.sqrt(x)), (0.1, 4)),
    "gamma(1+x**2)": (lambda m, x: m.gamma(1 + x * x), (-2, 2)),
    "asinh(x**3-x)": (lambda m, x: m.asinh(x ** 3 - x), (-2, 2)),
    "log1p(expm1)": (lambda m, x: m.log1p(m.expm1(x) ** 2), (-2, 2)),
}

MULTIVARIATE = {
    "x*y+sin(x*y)": (lambda m, x, y: x * y + m.sin(x * y), 2),
    "atan2*hypot": (lambda m, x, y: m.atan2(y, x) * m.hypot(x, y), 2),
    "x**y": (lambda m, x, y: x ** y, 2),
    "exp(x)cos(y)/(1+z**2)": (lambda m, x, y, z: m.exp(x) * m.cos(y) / (1 + z * z), 3),
    "x/y/z": (lambda m, x, y, z: x / (y * y + 1) - z / (x * x + 2), 3),
}


def close(got, ref, tol=1e-12, scale=1.0):
    ref = float(ref)
    return abs(float(got) - ref) <= tol * max(abs(ref), scale)


@pytest.mark.parametrize("name", sorted(UNIVARIATE))
def test_univariate_first_and_second_derivatives(name, rng):
    f, (lo, hi) = UNIVARIATE[name]
    x = sp.Symbol("x", real=True)
    expr = f(S, x)
    d1 = sp.lambdify(x, sp.diff(expr, x), "mpmath")
    d2 = sp.lambdify(x, sp.diff(expr, x, 2), "mpmath")
    f0 = sp.lambdify(x, expr, "mpmath")
    for v in rng.uniform(lo, hi, 8):
        v = float(v)
        a = f(dm, Dual(v, 1.0))
        b = f(dm, Dual(v, [1.0], hessian=[[0.0]]))
        ref0, ref1, ref2 = f0(mp.mpf(v)), d1(mp.mpf(v)), d2(mp.mpf(v))
        assert close(a.value, ref0) and close(b.value, ref0)
        assert close(a.tangent, ref1, scale=abs(float(ref0)) + 1), (name, v, a.tangent, ref1)
        assert close(b.tangent, ref1, scale=abs(float(ref0)) + 1)
        assert close(b.hessian[0, 0], ref2, scale=abs(float(ref1)) + abs(float(ref0)) + 1), \
            (name, v, b.hessian, ref2)
        # a scaled seed scales the derivatives: the chain rule through x = 3 t
        c = f(dm, Dual(v, 3.0))
        assert close(c.tangent, 3 * float(ref1), scale=3 * (abs(float(ref0)) + 1))


@pytest.mark.parametrize("name", sorted(MULTIVARIATE))
def test_multivariate_gradient_and_hessian(name, rng):
    f, n = MULTIVARIATE[name]
    xs = sp.symbols(f"x0:{n}", positive=True)
    expr = f(S, *xs)
    grad = [sp.lambdify(xs, sp.diff(expr, v), "mpmath") for v in xs]
    hess = [[sp.lambdify(xs, sp.diff(expr, u, v), "mpmath") for v in xs] for u in xs]
    for _ in range(6):
        p = [float(v) for v in rng.uniform(0.3, 2.0, n)]
        pm = [mp.mpf(v) for v in p]
        z = [[0.0] * n for _ in range(n)]
        duals = [Dual(v, [1.0 if j == k else 0.0 for j in range(n)], hessian=z)
                 for k, v in enumerate(p)]
        firsts = [Dual(v, [1.0 if j == k else 0.0 for j in range(n)]) for k, v in enumerate(p)]
        d, e = f(dm, *duals), f(dm, *firsts)
        g_ref = [g(*pm) for g in grad]
        scale = max(abs(float(r)) for r in g_ref) + 1
        for k in range(n):
            assert close(d.tangent[k], g_ref[k], scale=scale), (name, p, d.tangent, g_ref)
            assert close(e.tangent[k], g_ref[k], scale=scale)
            for j in range(n):
                h = hess[k][j](*pm)
                assert close(d.hessian[k, j], h, scale=scale), (name, p, k, j, d.hessian, h)


def test_corpus_scalar_expression(corpus, rng):
    x = sp.Symbol("x", real=True)
    expr = corpus.scalar_expr(x, S)
    d1 = sp.lambdify(x, sp.diff(expr, x), "mpmath")
    for v in rng.uniform(0.1, 3.0, 10):
        v = float(v)
        d = corpus.scalar_expr(Dual(v, 1.0), dm)
        assert d.value == corpus.scalar_expr(v, math)  # same operations on the value
        ref = d1(mp.mpf(v))
        assert close(d.tangent, ref, 1e-13, scale=1.0)
        assert close(corpus.scalar_expr_derivative(v, math), ref, 1e-12, scale=1.0)


def test_corpus_loop_function_gradient_and_hessian(corpus, rng):
    n = 8
    p = [float(v) for v in rng.uniform(-1.5, 1.5, n)]
    xs = [Dual(v, [1.0 if j == k else 0.0 for j in range(n)]) for k, v in enumerate(p)]
    y = corpus.loop_function(xs)
    assert y.value == corpus.loop_function(p)
    g_hand = corpus.loop_function_gradient(p)
    assert all(close(a, b, 1e-13, scale=100.0) for a, b in zip(y.tangent, g_hand))
    syms = sp.symbols("x0:8", real=True)
    expr = corpus.loop_function(list(syms))
    z = [[0.0] * n for _ in range(n)]
    xs2 = [Dual(v, [1.0 if j == k else 0.0 for j in range(n)], hessian=z) for k, v in enumerate(p)]
    y2 = corpus.loop_function(xs2)
    for i in range(n):
        for j in range(n):
            h = float(sp.diff(expr, syms[i], syms[j]).subs(dict(zip(syms, p))))
            assert close(y2.hessian[i, j], h, 1e-13, scale=100.0), (i, j)
