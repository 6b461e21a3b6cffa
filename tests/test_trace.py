"""dualdiff.trace: tapes recorded once and replayed in C, under every transform.

References are independent of dualdiff: SymPy differentiates the same
function (written once against a module of functions), mpmath evaluates at
high precision, or the derivative is written by hand. Each traced result is
also compared with the eager transform of the same function. Every kind of
branch (abs, max/min, if/else, a while loop with an x-dependent trip count,
a piecewise model) is crossed from both sides, and the tapes are counted to
show that a flip records again and a known side replays.
"""
import math
import types
import warnings

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import dualdiff
import dualdiff.math as dm
from dualdiff import TraceWarning

mp.mp.dps = 40

S = types.SimpleNamespace(sin=sp.sin, cos=sp.cos, exp=sp.exp, log=sp.log, sqrt=sp.sqrt, atan=sp.atan,
                          tanh=sp.tanh, atan2=sp.atan2, hypot=lambda a, b: sp.sqrt(a * a + b * b))


def _sym1(f):
    """f(x, m) -> (value, first, second, third derivative) as functions of a float, by SymPy + mpmath."""
    x = sp.Symbol("x")
    e = f(x, S)
    ds = [e] + [sp.diff(e, x, k) for k in (1, 2, 3)]
    fs = [sp.lambdify(x, d, "mpmath") for d in ds]
    return [lambda t, g=g: float(g(mp.mpf(t))) for g in fs]


def _symn(f, n):
    """f(xs, m) of n variables -> (value, gradient, Hessian) functions by SymPy + mpmath."""
    xs = sp.symbols(f"x0:{n}")
    e = f(list(xs), S)
    g = [sp.diff(e, v) for v in xs]
    h = [[sp.diff(gi, v) for v in xs] for gi in g]
    fv = sp.lambdify([xs], e, "mpmath")
    fg = sp.lambdify([xs], g, "mpmath")
    fh = sp.lambdify([xs], h, "mpmath")
    mp_ = lambda p: [mp.mpf(float(t)) for t in p]  # noqa: E731
    return (lambda p: float(fv(mp_(p))),
            lambda p: np.array([float(t) for t in fg(mp_(p))]),
            lambda p: np.array([[float(t) for t in row] for row in fh(mp_(p))]))


def close(a, b, rtol=1e-13, atol=1e-13):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol, atol=atol)


def expr(x, m):
    return m.sin(x) * m.exp(-0.5 * x) + m.sqrt(1.0 + x * x) / (2.0 + m.cos(x)) - m.log(1.0 + x) * x ** 3


def rosen(x, m=None):
    total = 0.0
    n = len(x)
    for i in range(n - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1.0 - x[i]
        total = total + 100.0 * a * a + b * b
    return total + 0.1 * x[0] * x[n - 1]


def vec(x, m):
    return [x[0] * m.sin(x[1]), m.exp(x[0]) - x[1] ** 2 / (1.0 + x[0] * x[0]), m.atan2(x[1], x[0])]


# ------------------------------------------------------------ the transforms


def test_derivative_of_the_corpus_expression(rng):
    ref = _sym1(expr)
    tf = dualdiff.trace(lambda x: expr(x, dm))
    D, D3 = dualdiff.derivative(tf), dualdiff.derivative(tf, order=3)
    for x in rng.uniform(0.05, 3.0, 12):
        x = float(x)
        close(D(x), ref[1](x))
        close(D(x), dualdiff.derivative(lambda t: expr(t, dm))(x))
        close(D3(x), ref[3](x), rtol=1e-11)
    assert len(tf.tapes()) == 1  # no branch: one tape serves every point


def test_gradient_and_hessian_of_a_python_loop(rng, corpus):
    n = 8
    ref_v, ref_g, ref_h = _symn(rosen, n)
    tl = dualdiff.trace(rosen)
    G, VG, H = dualdiff.grad(tl), dualdiff.value_and_grad(tl), dualdiff.hessian(tl)
    for _ in range(5):
        p = rng.uniform(-2, 2, n)
        for x in (p.tolist(), p, tuple(p.tolist())):
            close(G(x), ref_g(p), rtol=1e-12)
            v, g = VG(x)
            close(v, ref_v(p), rtol=1e-13)
            close(g, corpus.loop_function_gradient(list(p)), rtol=1e-12)
            close(H(x), ref_h(p), rtol=1e-12)
            close(H(x), dualdiff.hessian(rosen)(x), rtol=1e-13)
    assert isinstance(G(p), np.ndarray) and G(p).shape == (n,)
    assert isinstance(VG(p.tolist())[0], float)


def test_chunked_and_large_inputs(rng):
    n = 70  # past the fast paths' widths: the reverse sweep, chunks, and blocks of the Hessian
    ref_v, ref_g, ref_h = _symn(rosen, n)
    tl = dualdiff.trace(rosen)
    p = rng.uniform(-1, 1, n)
    close(dualdiff.grad(tl)(p), ref_g(p), rtol=1e-12)
    close(dualdiff.grad(tl, chunk=9)(p), ref_g(p), rtol=1e-12)
    close(dualdiff.hessian(tl)(p), ref_h(p), rtol=1e-12)
    close(dualdiff.hvp(tl)(p, p), ref_h(p) @ p, rtol=1e-11, atol=1e-10)


def test_jacobian_jvp_hvp(rng):
    xs = sp.symbols("x0:2")
    exprs = vec(list(xs), S)
    J = sp.lambdify([xs], [[sp.diff(e, v) for v in xs] for e in exprs], "mpmath")
    tv = dualdiff.trace(lambda x: vec(x, dm))
    for _ in range(5):
        p = rng.uniform(0.2, 2.0, 2)
        ref = np.array([[float(t) for t in row] for row in J([mp.mpf(float(t)) for t in p])])
        close(dualdiff.jacobian(tv)(p), ref)
        val, jac = dualdiff.value_and_jacobian(tv)(p.tolist())
        close(val, vec(p, np))
        close(jac, ref)
        v = rng.normal(size=2)
        y, jv = dualdiff.jvp(tv, p, v)
        close(y, vec(p, np))
        close(jv, ref @ v)
    ref_v, ref_g, ref_h = _symn(rosen, 3)
    p, v = rng.uniform(-1, 1, 3), rng.normal(size=3)
    close(dualdiff.hvp(dualdiff.trace(rosen))(p, v), ref_h(p) @ v, rtol=1e-12)


def test_taylor(rng):
    tf = dualdiff.trace(lambda x: dm.exp(x) * dm.sin(x))
    for x in (0.0, 0.7):
        c = dualdiff.taylor(tf, order=6)(x)
        ref = mp.taylor(lambda t: mp.exp(t) * mp.sin(t), x, 6)
        close(c, [float(r) for r in ref], rtol=1e-13, atol=1e-15)
    tg = dualdiff.trace(lambda x: x[0] * dm.exp(x[1]))
    c = dualdiff.taylor(tg, order=3)([1.0, 0.5], [1.0, 2.0])
    ref = mp.taylor(lambda t: (1 + t) * mp.exp(0.5 + 2 * t), 0, 3)
    close(c, [float(r) for r in ref], rtol=1e-13)


def test_nan_safe_false_follows_ieee():
    f = dualdiff.trace(lambda x: dm.sqrt(x[0]) + x[1])
    close(dualdiff.grad(f)([0.0, 1.0]), [np.inf, 1.0])
    g = dualdiff.grad(f, nan_safe=False)([0.0, 1.0])
    assert g[0] == np.inf and np.isnan(g[1])
    assert np.array_equal(g, dualdiff.grad(lambda x: dm.sqrt(x[0]) + x[1], nan_safe=False)([0.0, 1.0]),
                          equal_nan=True)


def test_numpy_object_loops_record():
    def f(x):
        return np.sum(np.sin(x) * x[::-1]) + np.arctan2(x[0], x[1]) + (x @ x)
    tf = dualdiff.trace(f)
    p = np.array([0.3, -1.2, 0.8])
    g_ref = np.cos(p) * p[::-1] + np.sin(p[::-1]) + 2 * p
    g_ref[0] += p[1] / (p[0] ** 2 + p[1] ** 2)
    g_ref[1] += -p[0] / (p[0] ** 2 + p[1] ** 2)
    close(dualdiff.grad(tf)(p), g_ref)
    close(dualdiff.grad(tf)(p + 1), dualdiff.grad(f)(p + 1))
    assert len(tf.tapes()) == 1


# ----------------------------------------------- arguments, constants, clear


def test_extra_arguments_are_inputs():
    def f(x, a, scale=1.0, ys=()):
        return scale * (a * x[0] ** 2 + sum(y * x[1] for y in ys))
    tf = dualdiff.trace(f)
    G = dualdiff.grad(tf)
    for a, s, ys in [(2.0, 1.0, [1.0, 2.0]), (-3.0, 0.5, [4.0, -1.0]), (5.0, 2.0, np.array([0.5, 0.25]))]:
        close(G([1.5, 2.0], a, scale=s, ys=ys), [s * 2 * a * 1.5, s * sum(ys)])
    assert len(tf.tapes()) == 2  # a list and an array of data: two structures, new values replay


def test_int_arguments_are_constants_of_the_tape():
    def f(x, n):
        s = 0.0
        for k in range(n):
            s = s + x ** k
        return s
    tf = dualdiff.trace(f)
    D = dualdiff.derivative(tf)
    for n in (3, 5, 3):
        close(D(2.0, n), sum(k * 2.0 ** (k - 1) for k in range(1, n)))
    assert len(tf.tapes()) == 2


def test_closure_values_are_constants_until_clear():
    box = {"c": 2.0}
    tf = dualdiff.trace(lambda x: box["c"] * x * x)
    D = dualdiff.derivative(tf)
    assert D(3.0) == 12.0
    box["c"] = 5.0
    assert D(3.0) == 12.0  # documented: read from outside, recorded as a constant
    tf.clear()
    assert tf.tapes() == []
    assert D(3.0) == 30.0


def test_calls_and_nesting_run_f():
    tf = dualdiff.trace(lambda x: x * dm.sin(x))
    assert tf(0.5) == 0.5 * math.sin(0.5)
    assert tf.__wrapped__(0.5) == tf(0.5)
    # inside an eager transform the traced function runs on its Duals
    close(dualdiff.derivative(lambda t: 2.0 * tf(t))(0.5), 2 * (math.sin(0.5) + 0.5 * math.cos(0.5)))
    # a traced function called while another records is recorded inline
    outer = dualdiff.trace(lambda x: tf(x) + x)
    close(dualdiff.derivative(outer)(0.5), math.sin(0.5) + 0.5 * math.cos(0.5) + 1)
    # a transform of a traced function inside another transform: eager, no warning
    g2 = dualdiff.trace(lambda x: x[0] ** 2 * x[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        close(dualdiff.jacobian(lambda y: dualdiff.grad(g2)(list(y)))(np.array([1.0, 2.0])), [[4, 2], [2, 0]])
        close(dualdiff.derivative(lambda t: dualdiff.derivative(tf)(t))(0.5),
              2 * math.cos(0.5) - 0.5 * math.sin(0.5))
    assert dualdiff.trace(tf).__wrapped__ is tf.__wrapped__
    import pickle
    tp = pickle.loads(pickle.dumps(dualdiff.trace(np.sin, max_tapes=2)))  # the function, no tapes
    assert tp.tapes() == [] and tp._max_tapes == 2
    close(dualdiff.derivative(tp)(0.5), math.cos(0.5))
    with pytest.raises(TypeError):
        dualdiff.trace(3.0)


# ----------------------------------------------------------------- guards


def _both_sides(f, points, sym_pieces):
    """Traced derivative of f at each point against SymPy's derivative of the
    piece that holds there and against the eager derivative."""
    tf = dualdiff.trace(lambda x: f(x, dm))
    D = dualdiff.derivative(tf)
    De = dualdiff.derivative(lambda x: f(x, dm))
    for x, piece in points:
        t = sp.Symbol("t")
        ref = float(sp.diff(sym_pieces[piece](t), t).subs(t, sp.Float(x, 30)))
        close(D(x), ref)
        close(D(x), De(x))
    return tf


def test_guard_abs():
    def f(x, m):
        return abs(x - 1.0) * m.exp(x)
    pieces = {"-": lambda t: (1 - t) * sp.exp(t), "+": lambda t: (t - 1) * sp.exp(t)}
    tf = _both_sides(f, [(0.5, "-"), (1.5, "+"), (0.2, "-"), (3.0, "+")], pieces)
    assert len(tf.tapes()) == 1  # abs is a rule of the table, not a branch


def test_guard_max_min():
    def f(x, m):
        return max(x * x, 1.0) + min(m.sin(x), 0.5)
    pieces = {"aa": lambda t: t * t + sp.sin(t), "ab": lambda t: t * t + 0.5,
              "ba": lambda t: 1 + sp.sin(t), "bb": lambda t: 1 + 0.5 + 0 * t}
    pts = [(0.3, "ba"), (1.2, "ab"), (-1.5, "aa"), (0.6, "bb"), (0.31, "ba"), (1.3, "ab")]
    tf = _both_sides(f, pts, pieces)
    assert len(tf.tapes()) == 4


def test_guard_if_else():
    def f(x, m):
        if x > 0.5:
            return m.log(x) * x
        return m.exp(2 * x)
    pieces = {"hi": lambda t: sp.log(t) * t, "lo": lambda t: sp.exp(2 * t)}
    tf = _both_sides(f, [(0.2, "lo"), (0.9, "hi"), (0.3, "lo"), (2.0, "hi")], pieces)
    assert len(tf.tapes()) == 2


def test_guard_while_trip_count():
    def f(x, m):
        y = x
        while y > 1.0:  # halves until at most 1: the trip count depends on x
            y = y * 0.5
        return y * y
    pieces = {k: (lambda t, k=k: (t * sp.Rational(1, 2 ** k)) ** 2) for k in range(5)}
    pts = [(0.7, 0), (1.5, 1), (3.5, 2), (7.0, 3), (1.9, 1), (12.0, 4), (0.9, 0)]
    tf = _both_sides(f, pts, pieces)
    assert len(tf.tapes()) == 5


def test_guard_piecewise_and_truth_tests():
    def f(x, m):
        if x < -1.0:
            return -x
        elif x < 1.0:
            return 0.5 * (x * x + 1.0)
        elif x - 1.0:  # truth test of a recorded number
            return x
        return 2.0 * x  # reached only at x == 1 exactly
    pieces = {"l": lambda t: -t, "m": lambda t: (t * t + 1) / 2, "r": lambda t: t, "one": lambda t: 2 * t}
    pts = [(-2.0, "l"), (0.3, "m"), (4.0, "r"), (-0.5, "m"), (-3.0, "l"), (1.0, "one"), (2.0, "r")]
    _both_sides(f, pts, pieces)


def test_guards_with_gradient_and_hessian_fast_paths():
    def f(x):
        return x[0] * x[1] if x[0] > x[1] else x[0] ** 3 + x[1]
    tf = dualdiff.trace(f)
    for p in ([2.0, 1.0], [1.0, 2.0], [3.0, -1.0], [-1.0, 0.5]):
        ref_g = [p[1], p[0]] if p[0] > p[1] else [3 * p[0] ** 2, 1.0]
        ref_h = [[0, 1], [1, 0]] if p[0] > p[1] else [[6 * p[0], 0], [0, 0]]
        close(dualdiff.grad(tf)(p), ref_g)
        close(dualdiff.value_and_grad(tf)(np.array(p))[1], ref_g)
        close(dualdiff.hessian(tf)(p), ref_h)
    assert len(tf.tapes()) == 4  # two branches, for lists and for arrays


def test_tapes_are_bounded():
    def f(x):
        k = 0
        while x > 1.0:
            x = x - 1.0
            k += 1
        return x * x
    tf = dualdiff.trace(f, max_tapes=3)
    D = dualdiff.derivative(tf)
    for x in (0.5, 1.5, 2.5, 3.5, 4.5, 0.25):
        close(D(x), 2 * (x - math.ceil(x - 1)))
    assert len(tf.tapes()) == 3
    with pytest.raises(ValueError):
        dualdiff.trace(f, max_tapes=0)


# ---------------------------------------------------- what is not recorded


def test_int_of_a_recorded_number_is_refused():
    tf = dualdiff.trace(lambda x: x[int(x[0])])
    with pytest.raises(TypeError, match="int"):
        dualdiff.grad(tf)([1.0, 2.0])


def test_float_conversion_falls_back_with_one_warning():
    tf = dualdiff.trace(lambda x: math.sin(x) * x)  # math, not dualdiff.math: float() of x
    D = dualdiff.derivative(tf)
    with pytest.warns(TraceWarning, match="float"):
        with pytest.raises(TypeError):  # eagerly, Duals refuse float() too
            D(0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError):
            D(0.7)  # the same reason warns once


def test_unknown_numpy_function_falls_back():
    def f(x):
        return np.sum(np.linalg.solve(2.0 * np.eye(3), x) * x)  # LAPACK takes no object arrays
    tf = dualdiff.trace(f)
    p = np.array([1.0, 2.0, 3.0])
    with pytest.warns(TraceWarning, match="NumPy"):
        close(dualdiff.grad(tf)(p), p)
    close(dualdiff.grad(tf)(p + 1), p + 1)  # eager from now on, no second warning


def test_unsupported_argument_falls_back():
    tf = dualdiff.trace(lambda x, g: g(x) * x)
    with pytest.warns(TraceWarning, match="function"):
        close(dualdiff.derivative(tf)(2.0, dm.sin), math.sin(2.0) + 2.0 * math.cos(2.0))


def test_errors_at_replay_are_python_errors():
    tf = dualdiff.trace(lambda x: 1.0 / x + dm.sqrt(x))
    D = dualdiff.derivative(tf)
    close(D(4.0), -1 / 16 + 0.25)
    with pytest.raises(ZeroDivisionError):
        D(0.0)
    with pytest.raises(ValueError):
        D(-1.0)
    close(D(1.0), -1.0 + 0.5)
    with pytest.raises(ZeroDivisionError):  # recording at the bad point raises too
        dualdiff.derivative(dualdiff.trace(lambda x: 1.0 / x))(0.0)


def test_transform_errors_match_the_eager_ones():
    tv = dualdiff.trace(lambda x: [x[0], x[1]])
    for chunk, error in ((0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="chunk"):
            dualdiff.jacobian(tv, chunk=chunk)
    with pytest.raises(ValueError):
        dualdiff.grad(tv)([1.0, 2.0])
    with pytest.raises(ValueError):
        dualdiff.taylor(tv, order=-1)


# ------------------------------------------------------------------ the tape


def test_tape_is_checked_and_reuses_slots():
    from dualdiff import _tape
    K = _tape.KINDS
    with pytest.raises(ValueError):
        _tape.Tape([(K["ADD"], 0, 0, 5, 1, 0.0)], [1], 2, 1, 1)
    with pytest.raises(ValueError):
        _tape.Tape([(99, 0, 0, 0, 0, 0.0)], [0], 1, 1, 1)
    tl = dualdiff.trace(rosen)
    dualdiff.grad(tl)([0.5] * 30)
    (t,) = tl.tapes()
    assert t.n_slots < 40 < t.n_ops  # slots are reused once their values are dead


def test_every_kind_of_x(corpus):
    x = [0.3, -0.7, 1.1, 0.5, -0.2, 0.9, 1.4, -1.0]
    wide = np.zeros(16)
    wide[::2] = x
    tl = dualdiff.trace(corpus.loop_function)
    for xs in (x, tuple(x), np.array(x), wide[::2], np.array(x, dtype=">f8"), [1, 2, 3, 4, 5, 6, 7, 8]):
        ref = corpus.loop_function_gradient([float(t) for t in xs])
        close(dualdiff.grad(tl)(xs), ref, rtol=1e-14, atol=1e-13)
        v, g = dualdiff.value_and_grad(tl)(xs)
        assert type(v) is float and v == corpus.loop_function([float(t) for t in xs])
        assert type(g) is np.ndarray and g.shape == (8,) and g.dtype == np.float64
    m = np.arange(6.0).reshape(2, 3) / 10
    tm = dualdiff.trace(lambda a: np.sum(a * a) * a[1, 2])
    g = dualdiff.grad(tm)(m)
    ref = 2 * m * m[1, 2]
    ref[1, 2] += np.sum(m * m)
    close(g, ref)
    assert g.shape == (2, 3)


# ------------------------------------------------------------ the table


def _rules_with_math():
    from dualdiff import _rules
    return [r for r in _rules.RULES if r.math]


@pytest.mark.parametrize("rule", _rules_with_math(), ids=lambda r: r.math)
def test_every_math_function_of_the_table_records(rule):
    f = getattr(dm, rule.math)
    if rule.kind == "unary":
        fn = lambda x: f(x) * x + f(0.5 * x)  # noqa: E731
        points = [0.3, 1.3, 2.7]
        transform = dualdiff.derivative
    else:
        fn = lambda x: f(x[0], x[1]) + f(x[1], 0.25) * f(0.6, x[0])  # noqa: E731
        points = [[0.7, 0.4], [1.9, 2.3]]
        transform = dualdiff.grad
    tf = dualdiff.trace(fn)
    checked = 0
    for p in points:
        try:
            ref = transform(fn)(p)
        except (ValueError, OverflowError):
            continue
        close(transform(tf)(p), ref, rtol=1e-12, atol=1e-14)
        if rule.kind == "unary":  # the same through the reverse sweep of a gradient
            g2 = dualdiff.trace(lambda x: fn(x[0]) * x[1])
            close(dualdiff.grad(g2)([p, 1.5]), [1.5 * ref, fn(p)], rtol=1e-12, atol=1e-14)
        checked += 1
    assert checked


# points inside each special function's domain (its derivatives finite there)
_SPECIAL_POINTS = {"logit": [0.3, 0.7], "erfinv": [0.3, -0.6], "erfcinv": [0.3, 1.4], "ndtri": [0.3, 0.8],
                   "entr": [0.3, 1.7], "y0": [0.3, 2.7], "y1": [0.3, 2.7], "gammasgn": [0.3, 2.5]}


def _special_rules():
    from dualdiff import _rules
    try:
        import scipy.special as sc
    except ImportError:  # pragma: no cover - SciPy is a test dependency
        return []
    out = []
    for r in _rules.RULES:
        for name in r.special:
            out.append(pytest.param(r, getattr(sc, name), id=name))
    return out


@pytest.mark.parametrize("rule, ufunc", _special_rules())
def test_every_scipy_special_function_of_the_table_records(rule, ufunc):
    """scipy.special's ufuncs have no object loop: recorded numbers record them
    by their rule (no eager fallback), with and without constant arguments."""
    if rule.kind == "unary":
        def fn(x):
            return ufunc(x[0]) * x[1] + ufunc(x[1] * 0.5)
        points = [[p, q] for p in _SPECIAL_POINTS.get(rule.name, [0.3, 1.3]) for q in (0.9, 1.1)]
    else:
        def fn(x):
            return ufunc(x[0], x[1]) + ufunc(x[1], 0.25) * ufunc(0.6, x[0])
        points = [[0.7, 0.4], [1.9, 2.3]]
    tf = dualdiff.trace(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TraceWarning)
        for p in points:
            close(dualdiff.grad(tf)(p), dualdiff.grad(fn)(p), rtol=1e-13, atol=1e-15)
            close(dualdiff.hessian(tf)(p), dualdiff.hessian(fn)(p), rtol=1e-13, atol=1e-15)
    assert tf.tapes(), "nothing was recorded"


def test_numpy_ufuncs_and_scalars_still_record_beside_scipy_special():
    sc = pytest.importorskip("scipy.special")

    def f(x):
        return (np.float64(2.0) * x[0] + np.sin(x[1]) * sc.expit(x[0]) + np.multiply(x[0], x[1])
                + sc.xlogy(x[1], x[0]) - np.add(1.0, x[1]) ** 2)
    tf = dualdiff.trace(f)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TraceWarning)
        for p in ([0.4, 1.3], [2.0, -0.5]):
            close(dualdiff.grad(tf)(p), dualdiff.grad(f)(p), rtol=1e-14, atol=1e-15)
    assert len(tf.tapes()) == 1


def test_math_functions_with_constants_and_several_arguments():
    f = dualdiff.trace(lambda x: dm.log(x, 2.0) + dm.log(8.0, x) + dm.hypot(3.0, 4.0, x) + dm.dist([x, 1.0], [0.0, 2.0])
                       + dm.fsum([x, x * x]) + dm.sumprod([x, 2.0], [x, x]) + dm.fma(x, x, 1.0) + dm.pow(x, 2.5))
    x = 1.7
    ref = (1 / (x * math.log(2)) - math.log(8) / (x * math.log(x) ** 2) + x / math.sqrt(25 + x * x)
           + x / math.sqrt(x * x + 1) + 1 + 2 * x + 2 * x + 2 + 2 * x + 2.5 * x ** 1.5)
    close(dualdiff.derivative(f)(x), ref)
    with pytest.warns(TraceWarning, match="frexp"):
        dualdiff.derivative(dualdiff.trace(lambda x: dm.frexp(x)[0] * x))(1.5)


def test_sparse_jacobian_replays(corpus):
    def residual(u):  # a tridiagonal residual written as a Python loop
        n = len(u)
        out = [u[0]]
        for i in range(1, n - 1):
            out.append(u[i - 1] - 2.0 * u[i] + u[i + 1] + 0.5 * dm.exp(u[i]))
        out.append(u[n - 1])
        return out
    tr = dualdiff.trace(residual)
    u = np.linspace(0.0, 1.0, 12)
    J = dualdiff.jacobian(tr, sparsity="auto")
    for p in (u, u + 0.3):
        ref = np.zeros((12, 12))  # by hand
        ref[0, 0] = ref[11, 11] = 1.0
        for i in range(1, 11):
            ref[i, i - 1] = ref[i, i + 1] = 1.0
            ref[i, i] = -2.0 + 0.5 * math.exp(p[i])
        close(J(p).toarray(), ref)
        close(J(p).toarray(), dualdiff.jacobian(residual)(p))
    assert J.ncolors == 3
    assert len(tr.tapes()) == 1  # the colored passes replay one tape
    v, Jv = J.value_and_jacobian(u)
    close(v, residual(u))


def test_nan_and_inf_inputs_give_the_eager_numbers():
    tf = dualdiff.trace(lambda x: x[0] * dm.exp(x[1]) + x[1])
    for p in ([math.nan, 0.5], [1.0, math.inf], [math.inf, -math.inf]):
        with np.errstate(invalid="ignore"):
            ref = dualdiff.grad(tf.__wrapped__)(p)
            got = dualdiff.grad(tf)(p)
        assert np.array_equal(got, ref, equal_nan=True)
    close(dualdiff.grad(tf)([1.0, 0.5]), [math.exp(0.5), math.exp(0.5) + 1])
    assert len(tf.tapes()) == 1


def test_threads_share_a_traced_function():
    import concurrent.futures
    tf = dualdiff.trace(lambda x: x[0] * dm.sin(x[1]) if x[0] > 0 else x[1] ** 3)
    G = dualdiff.grad(tf)
    pts = [[float(i % 7) - 3.0, 0.1 * i] for i in range(200)]

    def ref(p):
        return [math.sin(p[1]), p[0] * math.cos(p[1])] if p[0] > 0 else [0.0, 3 * p[1] ** 2]
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        results = list(ex.map(G, pts))
    for p, g in zip(pts, results):
        close(g, ref(p))


# ------------------------------------------------------- random programs

_PROGRAM_OPS = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (1.0 + b * b),
    lambda a, b: dm.sin(a) * b, lambda a, b: dm.exp(-a * a) + b, lambda a, b: max(a, b),
    lambda a, b: abs(a) - b, lambda a, b: a if a > b else b * 2.0, lambda a, b: 0.5 * a,
    lambda a, b: 2.0 - b, lambda a, b: dm.atan2(a, 1.0 + b * b), lambda a, b: a ** 2 / (1.0 + b ** 2),
    lambda a, b: dm.sqrt(1.0 + a * a) * b, lambda a, b: min(a, 0.25) * dm.tanh(b),
]


def _program_strategy():
    from hypothesis import strategies as st
    step = st.tuples(st.integers(0, len(_PROGRAM_OPS) - 1), st.integers(0, 99), st.integers(0, 99))
    point = st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3)
    return st.lists(step, min_size=1, max_size=25), st.lists(point, min_size=1, max_size=4)


def test_random_programs_match_the_eager_transforms():
    from hypothesis import given, settings

    @settings(max_examples=200, deadline=None)
    @given(*_program_strategy())
    def check(prog, points):
        def f(x):
            vals = list(x)
            for op, i, j in prog:
                vals.append(_PROGRAM_OPS[op](vals[i % len(vals)], vals[j % len(vals)]))
            return vals[-1]
        tf = dualdiff.trace(f)
        for p in points:
            with np.errstate(all="ignore"):
                v_ref, g_ref = dualdiff.value_and_grad(f)(p)
                h_ref = dualdiff.hessian(f)(p)
                v, g = dualdiff.value_and_grad(tf)(p)
                h = dualdiff.hessian(tf)(p)
            assert v == v_ref or (math.isnan(v) and math.isnan(v_ref))
            scale = 1e-11 * (1.0 + np.nanmax(np.abs(np.concatenate([g_ref, h_ref.ravel()]))))
            np.testing.assert_allclose(g, g_ref, rtol=1e-11, atol=scale)
            np.testing.assert_allclose(h, h_ref, rtol=1e-11, atol=scale)
    check()


def test_a_traced_function_inside_transforms_on_arrays_runs_without_a_warning():
    # grad and hessian pass a 1-d float array to f as a dual array of their own
    # kind; a traced function called on it (or on the numbers of a nested call)
    # runs on those numbers, silently, and gives the eager result
    tf = dualdiff.trace(lambda x: x[0] ** 2 * dm.sin(x[1]) + x[1] ** 3)
    plain = lambda x: x[0] ** 2 * dm.sin(x[1]) + x[1] ** 3  # noqa: E731
    x = np.array([0.4, -1.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = dualdiff.hessian(lambda v: dualdiff.grad(tf)(v) @ v)(x)
        inner = dualdiff.grad(lambda v: tf(v) * v[0])(x)
    np.testing.assert_array_equal(got, dualdiff.hessian(lambda v: dualdiff.grad(plain)(v) @ v)(x))
    np.testing.assert_array_equal(inner, dualdiff.grad(lambda v: plain(v) * v[0])(x))
