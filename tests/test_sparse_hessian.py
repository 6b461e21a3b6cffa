"""Sparse Hessians: the table's second partials, Hessian sparsity detection,
SparseHessian (elements, colors, exact sparse results), the Lagrangian."""
import time

import numpy as np
import pytest

import dualdiff
from dualdiff import math as dm
from dualdiff._rules import RULES
from dualdiff._sparse_hessian import LagrangianHessian

sp = pytest.importorskip("scipy.sparse")
special = pytest.importorskip("scipy.special")


# ------------------------------------------------------------ the table's column

_POINTS = [0.3, 0.7, 1.3, 2.5, -0.4, -1.7, 0.55]


def _rule_function(rule):
    if rule.numpy:
        return getattr(np, rule.numpy[0])
    if rule.special:
        return getattr(special, rule.special[0])
    return getattr(dm, rule.math)


@pytest.mark.parametrize("rule", [r for r in RULES if r.kind == "unary"], ids=lambda r: r.name)
def test_unary_second_partial_column(rule):
    """A rule without "xx" has f'' = 0 wherever it is defined; a rule with it
    has f'' != 0 somewhere (second derivatives from the C rules, through the
    dense Hessian)."""
    fn = _rule_function(rule)
    H = dualdiff.hessian(lambda x: fn(x[0]))
    seen = []
    for p in _POINTS:
        with np.errstate(all="ignore"):
            h = H(np.array([p]))[0, 0]
        if np.isfinite(h):
            seen.append(h)
    assert seen, rule.name
    if "xx" in rule.second:
        assert any(h != 0.0 for h in seen), rule.name
    else:
        assert all(h == 0.0 for h in seen), (rule.name, seen)


@pytest.mark.parametrize("rule", [r for r in RULES if r.kind == "binary"], ids=lambda r: r.name)
def test_binary_second_partial_column(rule):
    fn = {"mul": lambda a, b: a * b, "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
          "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "floordiv": lambda a, b: a // b,
          "mod": lambda a, b: a % b}.get(rule.name) or _rule_function(rule)
    H = dualdiff.hessian(lambda x: fn(x[0], x[1]))
    found = {"xx": False, "xy": False, "yy": False}
    finite = 0
    for p in _POINTS:
        for q in _POINTS[::-1]:
            if rule.name in ("pow", "xlogy", "rel_entr", "xlog1py") and (p <= 0 or q <= 0):
                continue
            with np.errstate(all="ignore"):
                h = H(np.array([p, q]))
            if not np.all(np.isfinite(h)):
                continue
            finite += 1
            for key, v in (("xx", h[0, 0]), ("xy", h[0, 1]), ("yy", h[1, 1])):
                if v != 0.0:
                    found[key] = True
                    assert key in rule.second, (rule.name, key, p, q, h)
    assert finite > 5
    for key in rule.second:
        assert found[key], (rule.name, key)


# ------------------------------------------------------------ hessian_sparsity


def _pattern_set(S):
    S = sp.coo_array(S)
    return set(zip(S.row.tolist(), S.col.tolist()))


def _full(pairs, n):
    return {(i, j) for i, j in pairs} | {(j, i) for i, j in pairs}


def test_sparsity_exact_patterns():
    x = np.array([0.5, 1.5, 2.0, -0.7])
    hs = dualdiff.hessian_sparsity
    assert _pattern_set(hs(lambda x: x[0] * x[1], x)) == {(0, 1), (1, 0)}
    assert _pattern_set(hs(lambda x: x[0] / x[1], x)) == {(0, 1), (1, 0), (1, 1)}
    assert _pattern_set(hs(lambda x: np.sum(np.abs(x)) + 3 * x[2] - np.max(x), x)) == set()
    assert _pattern_set(hs(lambda x: np.sum(np.exp(x[:-1]) + x[1:] ** 2), x)) == \
        {(i, i) for i in range(4)}
    rosen = _pattern_set(hs(_rosen, np.linspace(-1, 1, 6)))
    assert rosen == {(i, j) for i in range(6) for j in range(6) if abs(i - j) <= 1}
    # a product makes each factor's inputs meet the other's, not their own
    assert _pattern_set(hs(lambda x: (x[0] + x[1]) * x[2], x)) == _full([(0, 2), (1, 2)], 4)
    # a nonlinear function of a sum: every pair
    assert _pattern_set(hs(lambda x: dm.exp(x[0] + x[3]), x)) == _full([(0, 0), (0, 3), (3, 3)], 4)
    # scalar code, the math module and a constant matrix
    A = np.array([[1.0, 0, 0, 2], [0, 0, 3, 0]])
    assert _pattern_set(hs(lambda x: np.sum((A @ x) ** 2), x)) == _full([(0, 0), (0, 3), (3, 3), (2, 2)], 4)
    assert _pattern_set(hs(lambda x: dm.sin(x[1]) * 2 + x[0] - x[3], x)) == {(1, 1)}
    # logaddexp depends on its arguments as add does, but is not linear
    assert _pattern_set(hs(lambda x: np.logaddexp(x[0], x[2]), x)) == _full([(0, 0), (0, 2), (2, 2)], 4)
    assert _pattern_set(hs(lambda x: np.sum(np.logaddexp2(x[:2], 1.0)), x)) == {(0, 0), (1, 1)}


def _rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def _band(x):
    return np.sum(np.cos(x[:-2] * x[1:-1] + x[2:]) ** 2) + np.sum(x ** 4)


def _arrow(x):
    return np.sum((x[0] * x[1:] - 1.0) ** 2) + np.sum(x ** 2)


def _mixed(x):
    w = np.linspace(0.5, 1.5, x.size)
    return (sum(x ** 3) / 3 + 2.0 * (np.exp(0.1 * x) @ w) - x.sum() + 0.5 * np.mean(x ** 2)
            + x[0] * x[-1] + np.dot(w, np.sin(x)) - 4.0)


def _matrix(x):
    A = x.reshape(2, 3)
    return np.sum(np.tanh(A) @ np.array([1.0, -2.0, 0.5])) + np.linalg.det(A[:, :2])


def _scalar_loop(x):
    return sum((x[i + 1] - x[i] ** 2) ** 2 for i in range(len(x) - 1)) + dm.log1p(x[0] ** 2)


CORPUS = [_rosen, _band, _arrow, _mixed, _matrix, _scalar_loop,
          lambda x: np.sum(np.hypot(x[:-1], x[1:])) + np.sum(x[::2] * x[1::2]),
          lambda x: np.prod(x[:3]) + np.sum(np.maximum(x, 0.2) ** 2) + np.linalg.norm(x[2:4]),
          lambda x: np.sum(special.expit(np.cumsum(x)) * np.roll(x, 1))]


@pytest.mark.parametrize("f", CORPUS)
def test_sparsity_covers_the_dense_hessian(f, rng):
    for _ in range(3):
        x = rng.uniform(0.3, 1.2, 6)
        S = dualdiff.hessian_sparsity(f, x)
        H = dualdiff.hessian(f)(x)
        assert np.all(S.toarray() | (H == 0)), f
        assert (S != S.T).nnz == 0


def test_sparsity_is_fast_at_1e5():
    x = np.linspace(-1.0, 1.0, 10 ** 5)
    dualdiff.hessian_sparsity(_rosen, x[:10])
    t = time.perf_counter()
    S = dualdiff.hessian_sparsity(_rosen, x)
    elapsed = time.perf_counter() - t
    print(f"hessian_sparsity(rosen) at n = 1e5: {elapsed:.2f} s")
    assert S.nnz == 3 * 10 ** 5 - 2
    assert elapsed < 6.0  # 0.7 s measured; the margin is for a loaded machine


def test_sparsity_needs_a_scalar():
    with pytest.raises(ValueError, match="real number"):
        dualdiff.hessian_sparsity(lambda x: x ** 2, np.ones(3))


# ------------------------------------------------------------ SparseHessian


@pytest.mark.parametrize("f", CORPUS)
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_hessian_equals_dense(f, fmt, rng):
    H = dualdiff.hessian(f, sparsity="auto", format=fmt)
    for _ in range(3):
        x = rng.uniform(0.3, 1.2, 6)
        h = H(x)
        assert h.format == fmt
        np.testing.assert_allclose(h.toarray(), dualdiff.hessian(f)(x), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(H.gradient(x), dualdiff.grad(f)(x), rtol=1e-13, atol=1e-13)
    # exactly the pattern's entries, structure fixed
    assert _pattern_set(h) == _pattern_set(H.sparsity)
    assert _pattern_set(H.sparsity) == _pattern_set(dualdiff.hessian_sparsity(f, x))


def test_sparse_hessian_against_sympy():
    sympy = pytest.importorskip("sympy")
    n = 5
    xs = sympy.symbols(f"x0:{n}")
    expr = sum(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1)) \
        + sum(sympy.exp(xs[i] * xs[i + 2]) for i in range(n - 2)) + sympy.sin(xs[0]) * xs[4]

    def f(x):
        return _rosen(x) + np.sum(np.exp(x[:-2] * x[2:])) + np.sin(x[0]) * x[4]

    point = [0.3, -0.8, 1.1, 0.45, -0.2]
    ref = np.array(sympy.hessian(expr, xs).subs(dict(zip(xs, point))).evalf(30), dtype=float)
    H = dualdiff.hessian(f, sparsity="auto")
    np.testing.assert_allclose(H(np.array(point)).toarray(), ref, rtol=1e-13, atol=1e-12)


def test_colors_tridiagonal_pentadiagonal_arrowhead(rng):
    n = 10 ** 4
    x = rng.uniform(0.1, 0.9, n)
    tri = dualdiff.hessian(_rosen, sparsity="auto")
    tri.lower(x)
    assert tri.ncolors == 2
    penta = dualdiff.hessian(_band, sparsity="auto")
    penta.lower(x)
    assert penta.ncolors == 3
    arrow = dualdiff.hessian(_arrow, sparsity="auto")
    arrow.lower(x)
    assert arrow.ncolors <= 3
    # a dense linear part adds no color
    lin = dualdiff.hessian(lambda x: _rosen(x) + 5.0 * (np.sum(x) - 1.0) + x @ np.arange(n), sparsity="auto")
    lin.lower(x)
    assert lin.ncolors == 2
    # every final sum keeps its elements apart: one color for elements of one input each
    w = np.linspace(1.0, 2.0, 50)
    for g in (lambda x: np.exp(x) @ w, lambda x: w @ np.exp(x), lambda x: np.dot(np.exp(x), w),
              lambda x: np.vdot(w, np.exp(x)), lambda x: np.inner(np.exp(x), w), lambda x: sum(np.exp(x)),
              lambda x: np.exp(x).sum() / 3.0 - 2.0 * np.mean(x ** 3) + np.sum(x ** 4, axis=0),
              lambda x: -np.sum(np.sin(x)) + (np.sum(np.cos(x)) - 1.0) * 2.0):
        G = dualdiff.hessian(g, sparsity="auto")
        np.testing.assert_allclose(G(w).toarray(), dualdiff.hessian(g)(w), rtol=1e-13)
        assert G.ncolors == 1
    # the values at small n, against the dense Hessian
    for f in (_rosen, _band, _arrow):
        H = dualdiff.hessian(f, sparsity="auto")
        y = x[:30]
        np.testing.assert_allclose(H(y).toarray(), dualdiff.hessian(f)(y), rtol=1e-12, atol=1e-12)
        assert H.ncolors <= 3


def test_given_sparsity_fixes_the_entries():
    n = 6
    S = sp.eye_array(n, format="csr") + sp.eye_array(n, k=1) + sp.eye_array(n, k=-1) \
        + sp.eye_array(n, k=3) + sp.eye_array(n, k=-3)
    H = dualdiff.hessian(_rosen, sparsity=S)
    x = np.linspace(-1, 1, n)
    h = H(x)
    assert _pattern_set(h) == _pattern_set(S)
    np.testing.assert_allclose(h.toarray(), dualdiff.hessian(_rosen)(x), rtol=1e-13)
    with pytest.raises(ValueError, match="symmetric"):
        dualdiff.hessian(_rosen, sparsity=sp.eye_array(n, k=1))(x)
    with pytest.raises(ValueError, match="shape"):
        dualdiff.hessian(_rosen, sparsity=sp.eye_array(n + 1))(x)
    # the diagonal Hessian of np.exp(x[:-1]) + x[1:] ** 2 with elements of two inputs
    g = dualdiff.hessian(lambda x: np.sum(np.exp(x[:-1]) + x[1:] ** 2), sparsity=sp.eye_array(n))
    np.testing.assert_allclose(g(x).toarray(), np.diag(np.exp(x) * (np.arange(n) < n - 1) + 2 * (np.arange(n) > 0)))


def test_nonseparable_is_reported():
    f = lambda x: np.exp(np.sum(x ** 2) / x.size)  # noqa: E731
    with pytest.raises(ValueError, match="not a sum of elements"):
        dualdiff.hessian(f, sparsity="auto")(np.full(100, 0.1))
    x = np.linspace(0.1, 0.5, 12)
    H = dualdiff.hessian(f, sparsity="auto")
    with pytest.warns(UserWarning, match="dense"):
        h = H(x)
    np.testing.assert_allclose(h.toarray(), dualdiff.hessian(f)(x), rtol=1e-13)


def test_branches_that_change_the_elements_are_refused():
    def f(x):
        return np.sum(x ** 2) if x[0] > 0 else np.sum(x[:2] ** 2)
    H = dualdiff.hessian(f, sparsity="auto")
    H(np.ones(4))
    with pytest.raises(ValueError, match="other elements"):
        H(-np.ones(4))


def test_linear_and_constant_functions():
    H = dualdiff.hessian(lambda x: 3.0 * np.sum(x) + 1.0, sparsity="auto")
    h = H(np.ones(5))
    assert h.nnz == 0 and h.shape == (5, 5)
    np.testing.assert_array_equal(H.gradient(np.ones(5)), np.full(5, 3.0))
    assert dualdiff.hessian(lambda x: 2.0, sparsity="auto")(np.ones(3)).nnz == 0


def test_sparse_hessian_arguments():
    with pytest.raises(ValueError, match="format"):
        dualdiff.hessian(_rosen, sparsity="auto", format="dense")
    with pytest.raises(ValueError, match="pattern or 'auto'"):
        dualdiff.hessian(_rosen, sparsity="yes")
    with pytest.raises(ValueError, match="chunk"):
        dualdiff.hessian(_rosen, 4, sparsity="auto")
    H = dualdiff.hessian(lambda x, a: a * np.sum(x ** 3), sparsity="auto")
    np.testing.assert_allclose(H(np.array([1.0, 2.0]), 2.0).toarray(), np.diag([12.0, 24.0]))
    with pytest.raises(ValueError, match="entries"):
        H(np.ones(3), 2.0)
    with pytest.raises(ValueError, match="entries"):
        H.gradient(np.ones(3), 2.0)
    assert "2 colors" not in repr(H) and "1 colors" in repr(H)


def test_sparse_hessian_scipy_objects_are_fresh():
    H = dualdiff.hessian(_rosen, sparsity="auto")
    a = H(np.ones(5))
    b = H(np.zeros(5))
    assert not np.shares_memory(a.data, b.data)
    assert not np.array_equal(a.toarray(), b.toarray())


# ------------------------------------------------------------ the Lagrangian


def _hs071_f(x):
    return x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2]


def _hs071_c(x):
    return np.array([np.prod(x), np.sum(x ** 2)])


def test_lagrangian_against_dense(rng):
    L = LagrangianHessian(_hs071_f, _hs071_c)
    for _ in range(3):
        x = rng.uniform(1, 5, 4)
        lam = rng.normal(size=2)
        sigma = rng.uniform(0.5, 2)

        def lag(y):
            return sigma * _hs071_f(y) + lam @ _hs071_c(y)

        ref = dualdiff.hessian(lag)(x)
        np.testing.assert_allclose(L(x, lam, sigma).toarray(), ref, rtol=1e-13)
        rows, cols = L.lower_structure
        assert np.all(rows >= cols)
        np.testing.assert_allclose(L.lower(x, lam, sigma), ref[rows, cols], rtol=1e-13)
        np.testing.assert_allclose(L.gradient(x, lam, sigma), dualdiff.grad(lag)(x), rtol=1e-13)
    with pytest.raises(ValueError, match="multipliers"):
        L.lower(x, np.ones(3), 1.0)
    with pytest.raises(TypeError, match="multipliers"):
        L(x)
    # without constraints, no multipliers are needed
    L0 = LagrangianHessian(_hs071_f, lambda x: [])
    np.testing.assert_allclose(L0(x).toarray(), dualdiff.hessian(_hs071_f)(x), rtol=1e-14)


def test_lagrangian_of_sequences_and_linear_constraints(rng):
    n = 2000

    def c(x):  # a list: a sum, a product, a linear constraint over all of x
        return [np.sum(x[:-1] * x[1:]) - 1.0, x[0] * x[5], np.sum(x) - 1.0, 2.0]

    L = LagrangianHessian(_rosen, c)
    x = rng.uniform(0, 1, n)
    lam = np.array([0.5, -2.0, 3.0, 1.0])
    low = L.lower(x, lam, 1.5)
    assert L.ncolors == 2  # Rosenbrock's and the chain's: the linear constraint adds none
    y = x[:12]
    L2 = LagrangianHessian(_rosen, c)

    def lag(z):
        return 1.5 * _rosen(z) + lam[0] * (np.sum(z[:-1] * z[1:]) - 1.0) + lam[1] * z[0] * z[5] \
            + lam[2] * (np.sum(z) - 1.0)

    # the two sum the same terms in different orders: an entry where they
    # cancel is exact only to rounding of the largest
    dense = dualdiff.hessian(lag)(y)
    np.testing.assert_allclose(L2(y, lam, 1.5).toarray(), dense, rtol=1e-13,
                               atol=1e-14 * np.abs(dense).max())
    assert low.shape == L.lower_structure[0].shape


def test_scipy_rosen_and_full_reductions_by_axis():
    from scipy.optimize import rosen, rosen_hess

    x = np.linspace(-1.0, 1.5, 40)
    H = dualdiff.hessian(rosen, sparsity="auto")  # np.sum(..., axis=0, dtype=x.dtype)
    np.testing.assert_allclose(H(x).toarray(), rosen_hess(x), rtol=1e-13, atol=1e-12)
    assert H.ncolors == 2
    g = dualdiff.hessian(lambda x: np.sum(x.reshape(4, 10) ** 3, axis=(1, 0)), sparsity="auto")
    np.testing.assert_allclose(g(x).toarray(), np.diag(6 * x), rtol=1e-14)
    assert g.ncolors == 1


def test_state_is_cleared_after_errors_and_nesting_is_refused():
    from dualdiff import _ndarray, _pattern

    def bad(x):
        np.sum(x ** 2)
        raise RuntimeError("inside f")

    with pytest.raises(RuntimeError, match="inside f"):
        dualdiff.hessian_sparsity(bad, np.ones(3))
    with pytest.raises(RuntimeError, match="inside f"):
        dualdiff.hessian(bad, sparsity="auto")(np.ones(3))
    assert not _ndarray._REDUCERS and not _pattern._SECOND
    H = dualdiff.hessian(_rosen, sparsity="auto")
    with pytest.raises(dualdiff.NestingError):
        dualdiff.grad(lambda x: H(x).sum())(np.ones(3))
    # outside any evaluation, sums are plain numbers
    y = dualdiff.grad(lambda x: np.sum(x ** 2))(np.ones(3))
    np.testing.assert_array_equal(y, 2.0)


def test_sums_used_nonlinearly_become_numbers():
    # a sum used as a factor or in a function: one element of all its inputs
    def f(x):
        s = np.sum(x ** 2)
        return s * x[0] + np.sin(np.sum(x[:2])) + abs(np.sum(x[2:]) - 3.0) + float(np.sum(x) > 0)

    x = np.array([0.3, 0.5, 0.9, 1.7])
    H = dualdiff.hessian(f, sparsity="auto")
    np.testing.assert_allclose(H(x).toarray(), dualdiff.hessian(f)(x), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(H.gradient(x), dualdiff.grad(f)(x), rtol=1e-14)
    with pytest.raises(TypeError, match="np.exp"):
        dualdiff.hessian(lambda x: dm.exp(np.sum(x)), sparsity="auto")(x)


# ------------------------------------------------------------ random compositions

_UNARY = [np.sin, np.tanh, np.square, np.abs, np.cos, lambda a: a ** 3, lambda a: np.log1p(a * a),
          lambda a: np.exp(0.3 * a), lambda a: 2.5 * a - 1.0, lambda a: np.roll(a, 2), lambda a: a[::-1],
          np.cumsum, lambda a: np.sqrt(1.0 + a * a)]
_BINARY = [np.add, np.subtract, np.multiply, np.logaddexp, lambda a, b: a / (2.0 + b * b), np.maximum, np.hypot,
           lambda a, b: np.concatenate([a[:3], b[3:]]), lambda a, b: np.where(a.value > 0.5, a, b)
           if hasattr(a, "value") else np.where(a > 0.5, a, b)]


def _program(rng, n):
    """A random composition of NumPy operations ending in a sum of elements."""
    steps = []
    for _ in range(rng.integers(2, 7)):
        if rng.random() < 0.5:
            steps.append(("u", int(rng.integers(len(_UNARY))), int(rng.integers(10))))
        else:
            steps.append(("b", int(rng.integers(len(_BINARY))), int(rng.integers(10)), int(rng.integers(10))))
    A = np.where(rng.random((n, n)) < 0.25, rng.normal(size=(n, n)), 0.0)
    w = rng.normal(size=n)
    ends = [int(k) for k in rng.integers(0, 6, size=rng.integers(1, 4))]

    def f(x):
        pool = [x, A @ x]
        f.branches = any(s[0] == "b" and s[1] == len(_BINARY) - 1 for s in steps)
        for s in steps:
            if s[0] == "u":
                pool.append(_UNARY[s[1]](pool[s[2] % len(pool)]))
            else:
                pool.append(_BINARY[s[1]](pool[s[2] % len(pool)], pool[s[3] % len(pool)]))
        total = 0.0
        for k, e in enumerate(ends):
            t = pool[-1 - k % len(pool)]
            total = total + [lambda t: np.sum(t), lambda t: w @ t, lambda t: 0.5 * t.sum(),
                             lambda t: sum(t), lambda t: np.mean(t) - 3.0, lambda t: np.dot(t, w) / 4.0][e](t)
        return total

    return f


def test_random_compositions_against_the_dense_hessian(rng):
    n = 7
    checked = 0
    for trial in range(60):
        f = _program(rng, n)
        x = rng.uniform(0.1, 1.0, n)
        dense = dualdiff.hessian(f)(x)
        if not np.all(np.isfinite(dense)):
            continue
        H = dualdiff.hessian(f, sparsity="auto")
        h = H(x).toarray()
        scale = max(1.0, np.abs(dense).max())
        np.testing.assert_allclose(h, dense, rtol=1e-12, atol=1e-13 * scale, err_msg=f"trial {trial}")
        np.testing.assert_allclose(H.gradient(x), dualdiff.grad(f)(x), rtol=1e-12,
                                   atol=1e-13 * max(1.0, np.abs(dualdiff.grad(f)(x)).max()))
        S = dualdiff.hessian_sparsity(f, x).toarray()
        assert np.all(S | (dense == 0)), f"trial {trial}"
        if f.branches:  # np.where on values: the pattern is the one of the branches taken at x
            continue
        # a second point (the elements and patterns stay those of x)
        y = x + 1e-3
        np.testing.assert_allclose(H(y).toarray(), dualdiff.hessian(f)(y), rtol=1e-12,
                                   atol=1e-13 * max(1.0, np.abs(dualdiff.hessian(f)(y)).max()))
        checked += 1
    assert checked > 20


def test_docstring_examples_run():
    import doctest

    from dualdiff import _sparse_hessian

    result = doctest.testmod(_sparse_hessian)
    assert result.attempted > 0 and result.failed == 0


def test_gradient_of_an_element_of_many_inputs():
    # more colors than one pass of grad carries: grad's own passes
    x = np.linspace(0.0, 0.01, 600)
    H = dualdiff.hessian(lambda x: np.exp(np.sum(x) / 100.0) + np.sum(x ** 2), sparsity="auto")
    np.testing.assert_allclose(H.gradient(x), np.exp(np.sum(x) / 100.0) / 100.0 + 2 * x, rtol=1e-14)
    L = LagrangianHessian(lambda x: np.sum(x ** 3), lambda x: [np.exp(np.sum(x) / 100.0), x[0] * x[1]])
    lam = np.array([2.0, -1.0])
    ref = 0.5 * 3 * x ** 2 + lam[0] * np.exp(np.sum(x) / 100.0) / 100.0
    ref[0] += lam[1] * x[1]
    ref[1] += lam[1] * x[0]
    np.testing.assert_allclose(L.gradient(x, lam, 0.5), ref, rtol=1e-14, atol=1e-300)


def test_every_supported_ufunc_declares_its_curvature():
    """Walk the ufuncs of sparsity detection: wherever the dense Hessian of a
    ufunc is nonzero, the second partials it is detected with include it."""
    from dualdiff import _pattern

    _pattern._load_special()
    checked = 0
    for ufunc, (kind, rule) in list(_pattern._UFUNCS.items()):
        if kind not in ("unary", "binary"):
            continue
        second = _pattern._UFUNC_SECOND.get(ufunc) or _pattern._RULE_SECOND[rule]
        if kind == "unary":
            H = dualdiff.hessian(lambda x: ufunc(x[0]))
            points = [np.array([p]) for p in _POINTS]
        else:
            H = dualdiff.hessian(lambda x: ufunc(x[0], x[1]))
            points = [np.array([p, q]) for p in _POINTS for q in _POINTS[::2]]
        for pt in points:
            with np.errstate(all="ignore"):
                try:
                    h = H(pt)
                except (ValueError, ZeroDivisionError):
                    continue
            h = np.atleast_2d(h)
            if not np.all(np.isfinite(h)):
                continue
            for key, (r, c) in (("xx", (0, 0)), ("xy", (0, 1)), ("yy", (1, 1))):
                if r < h.shape[0] and c < h.shape[1] and h[r, c] != 0.0:
                    assert key in second, (ufunc.__name__, key, pt, h)
            checked += 1
    assert checked > 500


_LINEAR_CASES = [
    np.cumsum, np.diff, np.flip, lambda x: np.roll(x, 2), np.sort, lambda x: np.clip(x, 0.3, 0.6),
    np.max, np.median, lambda x: np.trace(x.reshape(3, 2)[:2]), lambda x: np.pad(x, 2, mode="reflect"),
    lambda x: np.tile(x, 2), lambda x: np.repeat(x, 3), lambda x: np.take(x, [0, 5, 2]), np.mean,
    lambda x: np.fft.irfft(x), lambda x: np.linspace(x[0], x[1], 5), lambda x: np.where(x > 0.5, x, -x),
    np.nan_to_num, np.round, lambda x: np.concatenate([x, x[::-1]]), lambda x: np.stack([x, x]).T,
    lambda x: np.diag(x[:3]), lambda x: np.tril(x.reshape(2, 3)), lambda x: np.partition(x, 2),
    lambda x: np.swapaxes(x.reshape(3, 2), 0, 1), lambda x: np.broadcast_to(x, (2, 6)),
    lambda x: np.diagonal(np.outer(x, np.ones(6))), lambda x: np.amin(x.reshape(2, 3), axis=0),
    lambda x: np.real(x), lambda x: np.append(x, x[:2]), lambda x: np.atleast_2d(x),
    lambda x: np.take_along_axis(x, np.argsort(x), 0), lambda x: np.rot90(x.reshape(2, 3)),
]


@pytest.mark.parametrize("g", _LINEAR_CASES)
def test_functions_detected_as_linear_are(g, rng):
    """The NumPy functions detection treats as making no inputs interact have
    a zero Hessian (against the dense Hessian), and make no pairs."""
    x = rng.uniform(0.1, 1.0, 6)
    w = rng.normal(size=np.shape(g(x)))

    def f(x):
        return np.sum(w * g(x))

    assert not np.any(dualdiff.hessian(f)(x))
    assert dualdiff.hessian_sparsity(f, x).nnz == 0
