"""A first-order transform inside hessian, hvp or taylor, and hessian or hvp
inside a first-order transform: derivatives of a total order of three or more. Every rule of the table is walked (its third derivative, and the third
partials of binary rules, against SymPy and mpmath at 40+ digits, with the
references of test_taylor_rules); compositions through numbers, lists, tuples
and arrays against SymPy. Deeper nesting: test_nesting_deep.py."""
import importlib.util
import math
import os

import numpy as np
import pytest

sp = pytest.importorskip("sympy")
mpmath = pytest.importorskip("mpmath")

import dualdiff
from dualdiff import _rules
from dualdiff import math as dm

_spec = importlib.util.spec_from_file_location(
    "taylor_references", os.path.join(os.path.dirname(__file__), "test_taylor_rules.py"))
refs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refs)

D = dualdiff.derivative
grad = dualdiff.grad
hessian = dualdiff.hessian
RTOL = 1e-11


def _callables(row):
    """(source, function) for each way a user calls the rule."""
    out = []
    if row.numpy:
        out.append(("numpy", getattr(np, row.numpy[0])))
    if row.special:
        special = pytest.importorskip("scipy.special")
        out.append(("special", getattr(special, row.special[0])))
    if row.math:
        out.append(("math", getattr(dm, row.math)))
    return out


def _cases(kind):
    for row in _rules.RULES:
        if row.kind == kind:
            for source, fn in _callables(row):
                yield pytest.param(row.name, fn, id=f"{row.name}-{source}")


def _close(got, ref, scale):
    assert abs(got - ref) <= RTOL * max(abs(ref), 1e-3 * scale), (got, ref)


# ------------------------------------------------------------ every rule

@pytest.mark.parametrize("name, fn", list(_cases("unary")))
def test_hessian_of_the_derivative_is_the_third_derivative(name, fn):
    # hessian(x -> derivative(f)(x)) is f''' (one variable), and with the
    # inner variable scaled by an outer one the mixed terms enter too:
    # F(a, b) = d/ds f(a s + b) at s = 1 = a f'(a + b)
    for u0 in refs.UNARY_POINTS.get(name, [0.3, 1.7, -0.8]):
        if name in refs.UNARY_MP:
            c = [float(v) for v in refs.ref_mp_unary(name, refs._series(u0, 1.0, 0.0, 3), 3)]
        else:
            c = [float(v) for v in refs.ref_unary(name, refs._series(u0, 1.0, 0.0, 3), 3)]
        d1, d2, d3 = c[1], 2.0 * c[2], 6.0 * c[3]
        scale = max(abs(d1), abs(d2), abs(d3), 1e-300)
        _close(hessian(lambda x: D(fn)(x))(u0), d3, scale)
        a = 0.5
        H = hessian(lambda v: D(lambda s: fn(v[0] * s + v[1]))(1.0))([a, u0 - a])
        ref = [[2 * d2 + a * d3, d2 + a * d3], [d2 + a * d3, a * d3]]
        for i in range(2):
            for j in range(2):
                _close(H[i][j], ref[i][j], scale)


def _third_partials(name, a0, b0):
    """{(i, j): d^(i+j) f / dx^i dy^j} for i + j <= 3 at (a0, b0), 40 digits."""
    out = {}
    if name in refs.BINARY_MP:
        f = refs.BINARY_MP[name]
        with mpmath.workdps(40):
            for i in range(4):
                for j in range(4 - i):
                    out[i, j] = float(mpmath.diff(f, (mpmath.mpf(a0), mpmath.mpf(b0)), (i, j)))
        return out
    expr = refs.BINARY[name]((a0, b0))
    x, y = refs.x, refs.y
    for i in range(4):
        for j in range(4 - i):
            e = sp.diff(expr, x, i, y, j) if i and j else sp.diff(expr, x, i) if i else \
                sp.diff(expr, y, j) if j else expr
            out[i, j] = float(sp.N(e.subs({x: sp.Rational(a0), y: sp.Rational(b0)}), 40))
    return out


_OPERATORS = {"mul": lambda p, q: p * q, "div": lambda p, q: p / q, "pow": lambda p, q: p ** q,
              "add": lambda p, q: p + q, "sub": lambda p, q: p - q,
              "floordiv": lambda p, q: p // q, "mod": lambda p, q: p % q}


def _binary_cases():
    for row in _rules.RULES:
        if row.kind != "binary":
            continue
        calls = [(s, f) for s, f in _callables(row)]
        if row.name in _OPERATORS:
            calls.append(("operator", _OPERATORS[row.name]))
        for source, fn in calls:
            yield pytest.param(row.name, fn, id=f"{row.name}-{source}")


@pytest.mark.parametrize("name, fn", list(_binary_cases()))
def test_third_partials_of_binary_rules(name, fn):
    # F(a, b) = d/ds f(a + c1 s, b + c2 s) at s = 0 = c1 f_x + c2 f_y, whose
    # Hessian holds the third partials of f
    c1, c2 = 0.75, -1.25
    for a0, b0 in refs.BINARY_POINTS.get(name, refs.DEFAULT_BINARY_POINTS):
        d = _third_partials(name, a0, b0)
        H = hessian(lambda v: D(lambda s: fn(v[0] + c1 * s, v[1] + c2 * s))(0.0))([a0, b0])
        ref = [[c1 * d[3, 0] + c2 * d[2, 1], c1 * d[2, 1] + c2 * d[1, 2]],
               [c1 * d[2, 1] + c2 * d[1, 2], c1 * d[1, 2] + c2 * d[0, 3]]]
        scale = max(abs(v) for v in d.values())
        for i in range(2):
            for j in range(2):
                _close(H[i][j], ref[i][j], scale)


# ------------------------------------------------------------ compositions

a, b, s = sp.symbols("a b s")
POINT = {a: 0.3, b: -0.7}


def _hessian_of(expr):
    return np.array([[float(sp.diff(expr, u, w).subs(POINT)) for w in (a, b)] for u in (a, b)])


def _check(got, expr):
    np.testing.assert_allclose(np.asarray(got, dtype=float), _hessian_of(expr), rtol=1e-12, atol=1e-14)


def test_hessian_of_a_function_that_uses_derivative():
    # the inner derivative of a function of the outer variables, at a point
    # that depends on them too
    def F(x):
        return D(lambda t: dm.exp(t * x[0]) * x[1] + t ** 3 * x[0])(x[0] * x[1])

    h = sp.exp(s * a) * b + s ** 3 * a
    _check(hessian(F)([0.3, -0.7]), sp.diff(h, s).subs(s, a * b))


def test_perturbations_stay_apart_at_third_order():
    # x * D(y -> x * y^2)(x) = x * 2 x^2: the inner y never confuses with x
    _check(hessian(lambda x: x[0] * D(lambda y: x[0] * y ** 2)(x[0]) + x[1])([0.3, -0.7]),
           2 * a ** 3 + b)
    # an inner function of the outer variable only: inner derivative 0
    np.testing.assert_array_equal(hessian(lambda x: D(lambda y: x[0] ** 3)(x[1]))([0.3, -0.7]),
                                  np.zeros((2, 2)))


@pytest.mark.parametrize("kind", ["list", "tuple", "array"])
def test_grad_inside_hessian_through_containers(kind):
    # F(x) = grad(g)(x) . x with g = y0^3 y1 + sin(y0 y1)
    def g(y):
        if kind == "array":
            return np.sum(y[:1] ** 3 * y[1:]) + np.sin(y[0] * y[1])
        return y[0] ** 3 * y[1] + dm.sin(y[0] * y[1])

    def F(x):
        xin = {"list": list, "tuple": tuple, "array": np.asarray}[kind](x) if kind != "array" else x
        G = grad(g)(xin)
        return G[0] * x[0] + G[1] * x[1]

    gs = a ** 3 * b + sp.sin(a * b)
    x0 = np.array([0.3, -0.7]) if kind == "array" else [0.3, -0.7]
    _check(hessian(F)(x0), sp.diff(gs, a) * a + sp.diff(gs, b) * b)


def test_jacobian_value_and_grad_and_jvp_inside_hessian():
    f = lambda y: [y[0] * y[1] ** 2, dm.log(y[0]) * y[1]]  # noqa: E731
    fs = [a * b ** 2, sp.log(a) * b]
    pt = [0.3, -0.7]
    # sum of the Jacobian's entries
    _check(hessian(lambda x: np.sum(dualdiff.jacobian(f)(x)))(pt),
           sum(sp.diff(e, v) for e in fs for v in (a, b)))
    # value times gradient component
    def vg(x):
        v, g = dualdiff.value_and_grad(lambda y: y[0] ** 2 * dm.cos(y[1]))(x)
        return v * g[1]
    gs = a ** 2 * sp.cos(b)
    _check(hessian(vg)(pt), gs * sp.diff(gs, b))
    # jvp along a direction that depends on x
    def jv(x):
        return dualdiff.jvp(lambda y: dm.exp(y[0]) * y[1] ** 2, x, [x[1], 1.0])[1]
    es = sp.exp(a) * b ** 2
    _check(hessian(jv)(pt), sp.diff(es, a) * b + sp.diff(es, b))


def test_hvp_of_a_function_that_uses_grad():
    F = lambda x: np.sum(grad(lambda y: np.sum(y ** 3) * y[0])(x) ** 2)  # noqa: E731
    y0, y1 = a, b
    gs = (y0 ** 3 + y1 ** 3) * y0
    Fs = sp.diff(gs, y0) ** 2 + sp.diff(gs, y1) ** 2
    v = np.array([0.5, -2.0])
    np.testing.assert_allclose(dualdiff.hvp(F)(np.array([0.3, -0.7]), v), _hessian_of(Fs) @ v,
                               rtol=1e-12)


def test_a_zero_inner_derivative_stays_zero_beside_an_infinite_partial():
    # sqrt at 0 has an infinite slope; the inner direction never touches it
    H = hessian(lambda x: D(lambda t: dm.sqrt(x[0]) + t * x[1] ** 2)(1.0))([0.0, 1.5])
    np.testing.assert_array_equal(H, [[0.0, 0.0], [0.0, 2.0]])


def test_a_transform_inside_the_nested_one():
    # two first-order levels inside hessian: a total order of four
    y, t = sp.symbols("y t")
    # a closure over the outer and the middle numbers
    inner = sp.diff(sp.sin(y * t) * b, t).subs(t, a)
    _check(hessian(lambda x: D(lambda u: D(lambda w: dm.sin(u * w) * x[1])(x[0]))(x[0] * x[1]))(
        [0.3, -0.7]), sp.diff(inner, y).subs(y, a * b))
    # the inner call at the middle number: d/dy [d/dt t^3 y at t = y] = d/dy 3 y^3
    _check(hessian(lambda x: D(lambda u: D(lambda w: w ** 3 * u)(u))(x[0]) * x[1])([0.3, -0.7]),
           9 * a ** 2 * b)
    # grad on a list of a middle number and an outer one
    g = y ** 2 * b * sp.exp(y * b)
    _check(hessian(lambda x: D(lambda u: grad(lambda w: w[0] ** 2 * w[1] * dm.exp(w[0] * w[1]))(
        [u, x[1]])[0])(x[0]))([0.3, -0.7]), sp.diff(sp.diff(g, y), y).subs(y, a))


def test_taylor_and_higher_derivatives_of_a_function_that_uses_derivative():
    t, y = sp.symbols("t y")
    inner = sp.diff(sp.sin(y) * t + y ** 3, y).subs(y, t)      # d/dy at y = t
    F = lambda u: D(lambda v: dm.sin(v) * u + v ** 3)(u)  # noqa: E731
    c = dualdiff.taylor(F, 5)(0.5)
    ref = [float(sp.diff(inner, t, k).subs(t, 0.5) / math.factorial(k)) for k in range(6)]
    np.testing.assert_allclose(c, ref, rtol=1e-12, atol=1e-14)
    assert D(F, order=3)(0.5) == pytest.approx(float(sp.diff(inner, t, 3).subs(t, 0.5)), rel=1e-12)


def test_taylor_of_a_function_that_uses_grad_on_arrays():
    f = lambda x: np.sum(x ** 3) * x[0]  # noqa: E731
    gs = (a ** 3 + b ** 3) * a
    F = lambda x: grad(f)(x) @ x  # noqa: E731
    Fs = sp.diff(gs, a) * a + sp.diff(gs, b) * b
    s_ = sp.Symbol("s")
    line = Fs.subs({a: 0.3 + s_, b: -0.7 + 2 * s_})
    ref = [float(sp.diff(line, s_, k).subs(s_, 0) / math.factorial(k)) for k in range(5)]
    got = dualdiff.taylor(F, 4)(np.array([0.3, -0.7]), np.array([1.0, 2.0]))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-13)


def test_grad_of_a_function_that_uses_hessian():
    f = lambda y: y[0] ** 3 * dm.sin(y[1]) + y[0] * y[1] ** 4  # noqa: E731
    fs = a ** 3 * sp.sin(b) + a * b ** 4
    S = sum(sp.diff(fs, u, w) * (i + 1) * (j + 2) for i, u in enumerate((a, b))
            for j, w in enumerate((a, b)))
    weights = np.outer([1.0, 2.0], [2.0, 3.0])
    for kind in (list, tuple, np.array):
        got = grad(lambda x: np.sum(hessian(f)(kind(x)) * weights))([0.3, -0.7])
        ref = [float(sp.diff(S, u).subs(POINT)) for u in (a, b)]
        np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_jacobian_of_hvp_and_derivative_of_a_scalar_hessian():
    f = lambda y: np.sum(y ** 3) * y[0]  # noqa: E731
    fs = (a ** 3 + b ** 3) * a
    v = np.array([0.5, -1.0])
    got = dualdiff.jacobian(lambda x: dualdiff.hvp(f)(x, v))(np.array([0.3, -0.7]))
    T = [[[float(sp.diff(fs, u, w, z).subs(POINT)) for z in (a, b)] for w in (a, b)] for u in (a, b)]
    np.testing.assert_allclose(got, np.einsum("ijk,j->ik", np.array(T), v), rtol=1e-12)
    # the direction v itself depends on the outer variable
    got = D(lambda t: dualdiff.hvp(f)(np.array([0.3, -0.7]), [t, t * t])[0])(0.5)
    H = [[float(sp.diff(fs, u, w).subs(POINT)) for w in (a, b)] for u in (a, b)]
    assert got == pytest.approx(H[0][0] * 1.0 + H[0][1] * 2 * 0.5, rel=1e-12)
    got = D(lambda t: hessian(lambda y: dm.sin(y * t))(2.0))(0.5)
    assert got == pytest.approx(float(sp.diff(sp.sin(a * b), a, 2, b).subs({a: 2.0, b: 0.5})),
                                rel=1e-12)


def test_jacobian_inside_hessian_with_object_arrays_beside_scalars():
    # np.outer(x, x) inside the inner jacobian gives an object array of the
    # nested numbers, and np.cos(np.dot(x, x)) one of them beside it: the sum
    # runs NumPy's object loop. Reference: SymPy's Hessian of the same function.
    x0, x1 = sp.symbols("x0 x1")
    X = [x0, x1]
    F = [[sp.sin(a * b) + sp.cos(x0 ** 2 + x1 ** 2) for b in X] for a in X]
    G = sum(sp.sin(sp.diff(F[i][j], X[k])) for i in range(2) for j in range(2) for k in range(2))
    want = sp.lambdify(X, sp.hessian(G, X))(0.3, -0.7)

    def fun(x):
        return np.sin(np.outer(x, x)) + np.cos(np.dot(x, x))
    got = hessian(lambda x: np.sum(np.sin(dualdiff.jacobian(fun)(x))))(np.array([0.3, -0.7]))
    np.testing.assert_allclose(got, np.array(want, dtype=float), rtol=RTOL)


def test_angle_of_nested_numbers_is_a_step():
    # np.angle of a real number is 0 or pi: derivative 0 at every order
    got = hessian(lambda x: grad(np.angle)(x[0]) * x[0] ** 2 + np.angle(-x[1]) * x[1] ** 2)(
        np.array([0.3, 0.5]))
    np.testing.assert_array_equal(got, [[0.0, 0.0], [0.0, 2 * math.pi]])
    assert np.angle(-1.0, deg=True) == 180.0
    # in degrees, inside the inner call: d2/dx2 of d/dx (180 x^3) = 1080
    got = hessian(lambda x: grad(lambda y: np.angle(-y, True) * y ** 3)(x[0]))(np.array([0.3]))
    np.testing.assert_allclose(got, [[1080.0]], rtol=1e-15)


def test_numpy_functions_of_object_arrays_name_the_limit():
    energy = lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2)  # noqa: E731
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="object array of numbers.*not other NumPy functions"):
        hessian(lambda x: grad(energy)(x)[0])(x)
    with pytest.raises(TypeError, match="object array of numbers"):
        grad(lambda x: hessian(energy)(x)[0, 0])(x)
