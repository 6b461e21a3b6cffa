"""Sparse Jacobians: coloring, exact sparse results, sparsity detection, SciPy."""
import numpy as np
import pytest

import dualdiff
from dualdiff import math as dm

sp = pytest.importorskip("scipy.sparse")
from dualdiff._sparse_c import color_columns, gather  # noqa: E402


@pytest.fixture
def rng():
    seed = 20261126
    print(f"random seed {seed}")
    return np.random.default_rng(seed)


def _check_coloring(pattern, colors, ncolors):
    csr = sp.csr_array(pattern)
    assert colors.shape == (csr.shape[1],)
    assert colors.min(initial=0) >= 0 and colors.max(initial=-1) < max(ncolors, 1)
    for i in range(csr.shape[0]):
        cols = csr.indices[csr.indptr[i]:csr.indptr[i + 1]]
        # no two columns of one color share a row
        assert len(set(colors[cols].tolist())) == len(cols)


@pytest.mark.parametrize("shape,density", [((40, 30), 0.1), ((200, 300), 0.02), ((50, 50), 0.3),
                                           ((1, 20), 0.5), ((20, 1), 0.5)])
def test_coloring_is_valid_on_random_patterns(shape, density, rng):
    for _ in range(5):
        A = sp.random_array(shape, density=density, rng=rng, format="csr")
        colors, k = color_columns(A)
        _check_coloring(A, colors, k)
        # at least the largest row's length, at most the number of columns
        row_nnz = np.diff(A.indptr)
        assert row_nnz.max(initial=0) <= k <= shape[1]


def test_banded_patterns_need_bandwidth_colors():
    n = 1000
    T = sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1], format="csr")
    colors, k = color_columns(T)
    assert k == 3
    _check_coloring(T, colors, k)
    P = sp.diags_array([np.ones(n - 2), np.ones(n), np.ones(n - 2)], offsets=[-2, 0, 2], format="csr")
    colors, k = color_columns(P)
    assert k == 3
    _check_coloring(P, colors, k)


def test_coloring_order_and_edge_cases():
    A = sp.csr_array(np.array([[1, 1, 0], [0, 1, 1]], dtype=bool))
    colors, k = color_columns(A, order=[2, 1, 0])
    _check_coloring(A, colors, k)
    with pytest.raises(ValueError, match="permutation"):
        color_columns(A, order=[0, 0, 1])
    colors, k = color_columns(sp.csr_array((3, 0)))
    assert k == 0 and colors.shape == (0,)
    colors, k = color_columns(sp.csr_array((0, 4)))
    assert k == 1 and (colors == 0).all()  # no rows: every column fits one color


# ----------------------------------------------------------------- test problems

def _load_corpus():
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "corpus.py"
    spec = importlib.util.spec_from_file_location("dualdiff_sparse_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_corpus = _load_corpus()
bratu = _corpus.bratu  # 1-D Bratu residual: tridiagonal inside, identity boundary rows
bratu_jacobian = _corpus.bratu_jacobian


def random_sparse_function(n, rng):
    """y_i = sum over a random set of j of c_ij * g_ij(x_j), with g from a few rules;
    returns (f, J) with J the hand Jacobian at a point."""
    funcs = [(dm.sin, np.cos), (dm.exp, np.exp), (lambda t: t * t, lambda t: 2 * t),
             (dm.atan, lambda t: 1 / (1 + t * t))]
    terms = []
    for i in range(n):
        cols = rng.choice(n, size=rng.integers(1, 4), replace=False)
        terms.append([(int(j), float(rng.normal()), int(rng.integers(len(funcs)))) for j in cols])

    def f(x):
        return [sum(c * funcs[k][0](x[j]) for j, c, k in row) for row in terms]

    def J(x):
        out = np.zeros((n, n))
        for i, row in enumerate(terms):
            for j, c, k in row:
                out[i, j] += c * funcs[k][1](x[j])
        return out

    pattern = np.zeros((n, n), dtype=bool)
    for i, row in enumerate(terms):
        for j, _, _ in row:
            pattern[i, j] = True
    return f, J, pattern


# --------------------------------------------------------------- sparse Jacobian

def test_sparse_jacobian_equals_hand_jacobian_bratu():
    x = np.linspace(0.1, 0.9, 50)
    pattern = bratu_jacobian(x) != 0
    J = dualdiff.jacobian(bratu, sparsity=sp.csr_array(pattern))
    A = J(x)
    assert sp.issparse(A) and A.format == "csr"
    np.testing.assert_allclose(A.toarray(), bratu_jacobian(x), rtol=1e-14, atol=0)
    assert J.ncolors == 3
    assert A.nnz == pattern.sum()


def test_sparse_jacobian_random_functions_match_dense(rng):
    for _ in range(4):
        f, Jhand, pattern = random_sparse_function(25, rng)
        x = rng.normal(size=25)
        Js = dualdiff.jacobian(f, sparsity=pattern)
        dense = dualdiff.jacobian(f)(x)
        np.testing.assert_array_equal(Js(x).toarray(), dense)  # same rules, same bits
        np.testing.assert_allclose(dense, Jhand(x), rtol=1e-13, atol=1e-15)
        # the detected pattern is the constructed one
        np.testing.assert_array_equal(dualdiff.jacobian_sparsity(f, x).toarray(), pattern)


def test_value_and_jacobian_csc_and_reuse():
    x = np.linspace(0.0, 1.0, 30)
    J = dualdiff.jacobian(bratu, sparsity="auto")
    assert J.sparsity is None
    v, A = J.value_and_jacobian(x, 2.0)  # extra args pass through
    np.testing.assert_allclose(v, bratu(x, 2.0), rtol=1e-15)
    np.testing.assert_allclose(A.toarray(), bratu_jacobian(x, 2.0), rtol=1e-14)
    colors = J.colors
    B = J(x + 0.5, 2.0)  # the coloring is kept
    assert J.colors is colors
    np.testing.assert_allclose(B.toarray(), bratu_jacobian(x + 0.5, 2.0), rtol=1e-14)
    Jc = dualdiff.SparseJacobian(bratu, J.sparsity, format="csc")
    assert Jc(x).format == "csc"
    assert "3 colors" in repr(Jc)


def test_sparse_jacobian_errors():
    x = np.linspace(0.0, 1.0, 10)
    with pytest.raises(ValueError, match="columns"):
        dualdiff.jacobian(bratu, sparsity=np.ones((10, 9), dtype=bool))(x)
    with pytest.raises(ValueError, match="rows"):
        dualdiff.jacobian(bratu, sparsity=np.ones((9, 10), dtype=bool))(x)
    with pytest.raises(ValueError, match="auto"):
        dualdiff.jacobian(bratu, sparsity="detect")
    with pytest.raises(ValueError, match="2-D"):
        dualdiff.jacobian(bratu, sparsity=np.ones(10, dtype=bool))
    with pytest.raises(ValueError, match="format"):
        dualdiff.SparseJacobian(bratu, np.eye(10, dtype=bool), format="coo")


# ------------------------------------------------------------- sparsity detection

def test_detection_keeps_structure_where_the_derivative_vanishes():
    # at x = 0 every one of these has derivative 0, but each depends on its input
    def f(x):
        return [dm.sin(x[0]) - x[0], x[1] ** 2, x[2] * x[2] - 0.0, dm.cos(x[3]), abs(x[4])]
    P = dualdiff.jacobian_sparsity(f, np.zeros(5)).toarray()
    np.testing.assert_array_equal(P, np.eye(5, dtype=bool))


def test_detection_drops_step_functions_and_constants():
    def f(x):
        return [dm.floor(x[0]) * x[1], x[0] // 1.0 + x[2], 0.0 * x[0] + x[1], x[0] ** 0,
                dm.copysign(x[1], x[2]), 3.0]
    P = dualdiff.jacobian_sparsity(f, np.array([1.5, 2.0, -3.0])).toarray()
    expected = np.array([[0, 1, 0], [0, 0, 1], [0, 1, 0], [0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(P, expected)


def test_detection_differences_never_cancel():
    def f(x):
        a = x[0] + x[1]
        return [a - x[1], -x[0] + x[0] * 1.0 + x[2], x[0] - x[0]]
    P = dualdiff.jacobian_sparsity(f, np.ones(3)).toarray()
    # x0 - x0 is identically 0, but structure keeps what the expression touches
    np.testing.assert_array_equal(P, np.array([[1, 1, 0], [1, 0, 1], [1, 0, 0]], dtype=bool))


def test_detection_follows_the_branch_taken_at_x():
    def f(x):
        return [x[0] if x[0] > x[1] else x[1], max(x[0], x[1]) * x[2]]
    P1 = dualdiff.jacobian_sparsity(f, np.array([2.0, 1.0, 1.0])).toarray()
    P2 = dualdiff.jacobian_sparsity(f, np.array([1.0, 2.0, 1.0])).toarray()
    np.testing.assert_array_equal(P1, [[1, 0, 0], [1, 0, 1]])
    np.testing.assert_array_equal(P2, [[0, 1, 0], [0, 1, 1]])


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_detection_is_chunk_invariant(chunk):
    x = np.linspace(0.1, 0.9, 20)
    P = dualdiff.jacobian_sparsity(bratu, x, chunk=chunk).toarray()
    np.testing.assert_array_equal(P, bratu_jacobian(x) != 0)


def test_detection_through_numpy_and_math_functions():
    def f(x):
        return np.array([np.hypot(x[0], x[1]), dm.atan2(x[2], 1.0), np.sum(x[3:5] ** 2),
                         dm.hypot(x[0], 2.0, x[4]), np.maximum(x[1], x[2])])
    P = dualdiff.jacobian_sparsity(f, np.arange(1.0, 6.0)).toarray()
    expected = np.array([[1, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 1], [1, 0, 0, 0, 1],
                         [0, 1, 1, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(P, expected)


def test_detection_of_a_scalar_function_and_shapes():
    P = dualdiff.jacobian_sparsity(lambda t: [t * 2.0, 1.0], 3.0)
    assert P.shape == (2, 1)
    np.testing.assert_array_equal(P.toarray(), [[True], [False]])
    P = dualdiff.jacobian_sparsity(lambda X: X.sum(axis=0), np.ones((2, 3)))
    np.testing.assert_array_equal(P.toarray(), [[1, 0, 0, 1, 0, 0], [0, 1, 0, 0, 1, 0],
                                                [0, 0, 1, 0, 0, 1]])


# --------------------------------------------------------------------------- SciPy

def test_least_squares_with_exact_sparse_jacobian():
    from scipy.optimize import least_squares

    # Broyden's tridiagonal problem: a root exists, so the residual goes to 0
    def broyden(x):
        xp = np.concatenate([x[1:], [0.0]])
        xm = np.concatenate([[0.0], x[:-1]])
        return (3.0 - 2.0 * x) * x - xm - 2.0 * xp + 1.0

    n = 200
    J = dualdiff.jacobian(broyden, sparsity="auto")
    res = least_squares(broyden, -np.ones(n), jac=J, method="trf", tr_solver="lsmr")
    assert res.success
    assert np.abs(broyden(res.x)).max() < 1e-8
    assert J.ncolors == 3


@pytest.mark.parametrize("n, detect", [(400, True), (10_000, False)])
def test_solve_ivp_bdf_reaction_diffusion_with_sparse_jacobian(n, detect):
    from scipy.integrate import solve_ivp
    import scipy.sparse as sp

    dx = 1.0 / (n + 1)
    D, k = 1.0, 5.0

    def rhs(t, u):
        up = np.concatenate([u[1:], [0.0]])
        um = np.concatenate([[0.0], u[:-1]])
        return D * (up - 2.0 * u + um) / dx ** 2 - k * u ** 2

    # the pattern: detected, or given
    tri = sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    J = dualdiff.jacobian(lambda u: rhs(0.0, u), sparsity="auto" if detect else tri)
    u0 = np.sin(np.pi * np.linspace(dx, 1.0 - dx, n))
    sol = solve_ivp(rhs, (0.0, 0.1), u0, method="BDF", jac=lambda t, u: J(u), rtol=1e-6, atol=1e-9)
    assert sol.success
    ref = solve_ivp(rhs, (0.0, 0.1), u0, method="BDF", rtol=1e-6, atol=1e-9,
                    jac_sparsity=J.sparsity)  # SciPy's own sparse finite differences
    np.testing.assert_allclose(sol.y[:, -1], ref.y[:, -1], rtol=1e-4, atol=1e-7)
    assert sol.njev > 0
    if detect:
        assert (J.sparsity != (tri != 0)).nnz == 0


def test_gather_reads_the_indexed_entries_and_refuses_bad_indices():
    src = np.arange(10.0) * 1.5
    index = np.array([9, 0, 3, 3, 7], dtype=np.int64)
    np.testing.assert_array_equal(gather(src, index), src[index])
    assert gather(src, np.array([], dtype=np.int64)).shape == (0,)
    for bad in ([0, 10], [-1, 2], [2**62]):
        with pytest.raises(IndexError):
            gather(src, np.array(bad, dtype=np.int64))
    with pytest.raises(IndexError):
        gather(np.array([]), np.array([0], dtype=np.int64))


def test_seed_colors_makes_unit_tangents_and_refuses_bad_colors():
    from dualdiff import _array

    x = np.array([0.5, -1.0, 2.0])
    out = np.full(3 * 4, np.nan)
    _array.seed_colors(out, x, np.array([2, 0, 1], dtype=np.int64), 3)
    np.testing.assert_array_equal(out.reshape(3, 4), [[0.5, 0, 0, 1], [-1.0, 1, 0, 0], [2.0, 0, 1, 0]])
    for bad in ([0, 3, 1], [0, -1, 1]):
        with pytest.raises(ValueError, match="color"):
            _array.seed_colors(out, x, np.array(bad, dtype=np.int64), 3)
    with pytest.raises(ValueError, match="match"):
        _array.seed_colors(out[:8], x, np.array([0, 0, 0], dtype=np.int64), 3)
