"""Sparsity detection on dependency sets: parity with the dual arrays, the
pattern of the dense Jacobian, the C store, and the detector it replaced."""
import importlib.util
import math
import pathlib

import numpy as np
import pytest

import dualdiff
from dualdiff import _pattern
from dualdiff import math as dm
from dualdiff._sparse_c import Store

sp = pytest.importorskip("scipy.sparse")

HERE = pathlib.Path(__file__).resolve().parent


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# the dual arrays' own test cases: every supported function, with inputs in its domain
arrays = _load(HERE / "test_arrays.py", "dualdiff_sparsity_array_cases")
corpus = _load(HERE.parent / "benchmarks" / "corpus.py", "dualdiff_sparsity_corpus")


def dense_pattern(F, x):
    """Where the dense Jacobian of F at x is not 0, as an (m, n) bool array."""
    x = np.asarray(x, dtype=float)
    return np.asarray(dualdiff.jacobian(F)(x)).reshape(-1, x.size) != 0


def check(F, x, exact=True):
    """jacobian_sparsity(F, x) holds every nonzero of the dense Jacobian (and
    nothing else when exact); returns the pattern."""
    P = dualdiff.jacobian_sparsity(F, x)
    assert isinstance(P, sp.csr_array) and P.dtype == bool
    P = P.toarray()
    nz = dense_pattern(F, x)
    assert P.shape == nz.shape
    missing = nz & ~P
    assert not missing.any(), f"pattern misses entries {np.argwhere(missing).tolist()}"
    if exact:
        extra = P & ~nz
        assert not extra.any(), f"pattern has extra entries {np.argwhere(extra).tolist()}"
    return P


# ------------------------------------------------------------------ parity

# Where the pattern is wider than the Jacobian at one point, on purpose:
# functions that pick among their arguments by value depend on all of them,
# and triangular factors and norms built on max read every entry. The
# real-valued FFTs make each output depend on every input along the
# transformed axes, while entries of the map itself can vanish (cos(pi / 2)
# terms, as in irfftn to a length-4 axis).
CONSERVATIVE = {"maximum", "minimum", "fmax", "fmin", "max", "min", "amax", "amin", "norm",
                "clip", "cholesky", "qr", "irfft", "hfft", "irfft2", "irfftn"}
# values only: they return plain arrays (or numbers) computed from the values
VALUE_FUNCTIONS = {"shape", "ndim", "size", "argmax", "argmin", "argsort", "nonzero", "argwhere",
                   "flatnonzero", "count_nonzero", "any", "all", "isclose", "allclose",
                   "array_equal", "result_type", "iscomplexobj", "isrealobj", "searchsorted",
                   "isreal", "iscomplex", "can_cast", "min_scalar_type"}
VALUE_UFUNCS = {"less", "less_equal", "greater", "greater_equal", "equal", "not_equal", "isfinite",
                "isinf", "isnan", "signbit", "logical_and", "logical_or", "logical_xor", "logical_not"}
ALIASES = {"amax": "max", "amin": "min", "permute_dims": "transpose", "true_divide": "divide",
           "row_stack": "vstack", "vecdot": "vdot"}

X8 = np.random.default_rng(3).uniform(-1, 1, 8)
X9 = np.random.default_rng(4).uniform(-0.5, 0.5, 9)
XN = np.array([0.31, -0.72, 0.55, 0.93, -0.18, 0.66])
OTHER_UFUNC_CASES = {
    "modf": [lambda z: np.modf(z)[0], lambda z: np.modf(z)[1] + z],
    "divmod": [lambda z: np.divmod(z, 0.75)[1], lambda z: np.divmod(z, 0.75)[0] * z],
    "ldexp": [lambda z: np.ldexp(z, np.array([1, 3]))],
    "heaviside": [lambda z: np.heaviside(z - 1.0, 0.5) * z],  # 1 at both: no accidental zero
    "transpose": [lambda z: np.transpose(z.reshape(2, 1), (1, 0)) ** 2,
                  lambda z: np.permute_dims(z.reshape(1, 2), (1, 0)) * 2.0 if hasattr(np, "permute_dims")
                  else z],
}


def _cases():
    """name -> [(F, x)] for every name the dual arrays support."""
    out = {}

    def add(name, F, x):
        out.setdefault(name, []).append((F, x))

    for name, g in arrays.UNARY.items():
        for shape in [(), (2, 3)]:
            add(name, (lambda f: lambda z: f(z))(getattr(np, name)), g(shape))
    for name, (ga, gb) in arrays.BINARY.items():
        f = getattr(np, name)
        add(name, (lambda f: lambda z: f(z[0], z[1]))(f), np.stack([ga((2, 3)), gb((2, 3))]))
        cb = gb((2, 1))
        add(name, (lambda f, cb: lambda z: f(z, cb))(f, cb), ga((2, 3)))
        ca = ga((3,))
        add(name, (lambda f, ca: lambda z: f(ca, z))(f, ca), gb((2, 1)))
        z = np.concatenate([ga((3,)), gb((2,))])
        add(name, (lambda f: lambda z: f(z[:3], z[3:, None]))(f), z)
    for name, Fs in arrays.RED_CASES.items():
        for F in Fs:
            add(name, F, arrays.X23)
    for name, F in arrays.SHAPE_CASES.items():
        add(name, F, arrays.X6)
    for name, Fs in arrays.PRODUCT_CASES.items():
        for F in Fs:
            add(name, F, X8)  # matmul and vecdot (under vdot) among them
    for name, F in arrays.LINALG_CASES.items():
        add(name, F, X9)
    for name, F in arrays.ELEMENTWISE_CASES.items():
        add(name, F, arrays.X6)
    for name, F in arrays.NUMPY_CASES.items():
        add(name, F, XN)  # the dual arrays' test point of these cases
    for name, Fs in OTHER_UFUNC_CASES.items():
        for F in Fs:
            add(name, F, np.array([1.25, 2.5]))
    add("clip", lambda z: np.clip(z, -1.0, 1.0), np.array([-2.0, 0.3, 5.0]))
    add("clip", lambda z: z.clip(0.0, None), np.array([-2.0, 0.3, 5.0]))
    return out


CASES = _cases()
NAMES = sorted(set(dualdiff.numpy.supported_ufuncs())
               | {f.rsplit(".", 1)[1] for f in dualdiff.numpy.supported_functions()})


def test_every_ufunc_and_function_of_the_dual_arrays_has_a_pattern_rule():
    ufuncs = set(dualdiff.numpy.supported_ufuncs())
    functions = set(dualdiff.numpy.supported_functions())
    assert ufuncs <= set(_pattern.supported_ufuncs()), sorted(ufuncs - set(_pattern.supported_ufuncs()))
    assert functions <= set(_pattern.supported_functions()), \
        sorted(functions - set(_pattern.supported_functions()))
    for name in NAMES:  # and the walk below runs each of them
        key = ALIASES.get(name, name)
        assert key in CASES or name in VALUE_FUNCTIONS | VALUE_UFUNCS, f"no case for {name}"


@pytest.mark.parametrize("name", NAMES)
def test_parity_walk(name):
    """Every ufunc and function the dual arrays support runs on pattern
    arrays, and its pattern holds the dense Jacobian's nonzeros (exactly,
    outside the functions that pick an argument by value)."""
    if name in VALUE_UFUNCS:
        f = getattr(np, name)
        x = np.array([0.5, -1.0, 2.0, np.inf])
        args = (x,) if f.nin == 1 else (x, x[::-1])

        def F(z):
            zs = (z,) if f.nin == 1 else (z, z[::-1])
            mask = f(*zs)
            assert type(mask) is np.ndarray and not isinstance(mask, _pattern._PatternArray)
            np.testing.assert_array_equal(mask, f(*args))
            return np.where(mask, z * 2.0, 0.0 * z)

        with np.errstate(invalid="ignore"):
            check(F, x)
        return
    if name in VALUE_FUNCTIONS:
        fn = getattr(np, name)
        x = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, 1.0]])
        args = {"isclose": (x, x), "allclose": (x, x), "array_equal": (x, x), "can_cast": (x, np.float64),
                "searchsorted": (np.sort(x.ravel()), 1.0)}.get(name, (x,))

        def F(z):
            zargs = tuple(z if a is x else (np.sort(z.ravel()) if a is args[0] and name == "searchsorted"
                                            else a) for a in args)
            r = fn(*zargs)
            expected = fn(*args)
            assert not isinstance(r, (_pattern._PatternArray, _pattern._PatternNumber))
            if isinstance(expected, tuple):
                for a, b in zip(r, expected):
                    np.testing.assert_array_equal(a, b)
            else:
                np.testing.assert_array_equal(r, expected)
            return z * 2.0

        check(F, x)
        return
    cases = CASES[ALIASES.get(name, name)]
    for F, x in cases:
        with np.errstate(all="ignore"):
            check(F, x, exact=name not in CONSERVATIVE)


@pytest.mark.parametrize("name", sorted(set(dualdiff.numpy.supported_ufuncs()) - {"matmul", "vecdot"}))
def test_scalar_pattern_numbers_take_every_ufunc_a_dual_takes(name):
    # a scalar Dual takes every ufunc of the dual arrays but the gufuncs (tests/test_table.py)
    f = getattr(np, name)
    if name in VALUE_UFUNCS:
        def F(z):
            assert isinstance(f(*([z[0]] * f.nin)), (bool, np.bool_))
            return [z[0] * 2.0]
        check(F, np.array([0.5, 1.0]))
        return
    g = arrays.UNARY.get(name) or (arrays.BINARY.get(name, (None,))[0]) or arrays.U(0.5, 1.5)
    if name in arrays.BINARY:
        ga, gb = arrays.BINARY[name]
        x = np.array([ga(()), gb(())])
    else:
        x = np.array([g(()), 0.25])
    if name == "divmod":
        F = lambda z: list(np.divmod(z[0], z[1] + 0.5))  # noqa: E731
        x = np.array([2.2, 0.5])
    elif name == "modf":
        F = lambda z: list(np.modf(z[0])) + [z[1] * 1.0]  # noqa: E731
    elif name == "ldexp":  # an integer exponent, as for dual numbers
        F = lambda z: [np.ldexp(z[0], 3), z[1] * 1.0]  # noqa: E731
    elif f.nin == 1:
        F = lambda z: [f(z[0]), z[1] * 1.0]  # noqa: E731
    else:
        F = lambda z: [f(z[0], z[1]), f(z[0], 0.75), f(1.25, z[1])]  # noqa: E731
    r = F(dualdiff._pattern.seed(np.asarray(x, float), (2,))[0])
    assert all(type(e) is _pattern._PatternNumber for e in r)
    check(F, x, exact=name not in CONSERVATIVE)


MATH_CASES = {
    "acos": [0.3], "acosh": [1.5], "asin": [0.3], "asinh": [0.4], "atan": [0.4], "atanh": [0.3],
    "cbrt": [0.7], "cos": [0.4], "cosh": [0.4], "degrees": [0.4], "erf": [0.4], "erfc": [0.4],
    "exp": [0.4], "exp2": [0.4], "expm1": [0.4], "fabs": [-0.4], "gamma": [1.4], "lgamma": [1.4],
    "log": [0.4], "log10": [0.4], "log1p": [0.4], "log2": [0.4], "radians": [0.4], "sin": [0.4],
    "sinh": [0.4], "sqrt": [0.4], "tan": [0.4], "tanh": [0.4], "ceil": [0.4], "floor": [0.4],
    "trunc": [0.4], "ulp": [0.4], "atan2": [0.4, 0.7], "copysign": [0.4, -0.7], "fmod": [2.3, 0.9],
    "remainder": [2.3, 0.9], "pow": [0.4, 1.7], "hypot": [0.4, 0.7, 0.2], "fma": [0.4, 0.7, 0.2],
    "nextafter": [0.4, 0.7],
}


@pytest.mark.parametrize("name", sorted(MATH_CASES))
def test_dualdiff_math_takes_pattern_numbers(name):
    f = getattr(dm, name)
    x = np.array(MATH_CASES[name])

    def F(z):
        args = list(z)
        r = f(*args)
        assert type(r) in (_pattern._PatternNumber, dualdiff.Dual)
        assert r.value == getattr(math, name, getattr(dm, name))(*[float(v) for v in x])
        # a number in place of each argument in turn
        alone = [f(*[a if k == j else float(x[k]) for k, a in enumerate(args)]) for j in range(len(args))]
        return [r] + alone

    P = check(F, x, exact=name not in ("ceil", "floor", "trunc", "ulp"))
    if name in ("ceil", "floor", "trunc", "ulp"):
        assert not P.any()
    if name == "copysign":
        np.testing.assert_array_equal(P, [[1, 0], [1, 0], [0, 0]])
    if name == "nextafter":
        np.testing.assert_array_equal(P, [[1, 0], [1, 0], [0, 0]])


def test_dualdiff_math_on_pattern_numbers_more():
    def F(z):
        m, e = dm.frexp(z[0])
        assert type(e) is int
        frac, whole = dm.modf(z[1] * 3.0)
        return [m, frac, whole, dm.ldexp(z[2], 3), dm.fsum([z[0], 1.0, z[2]]), dm.prod([z[0], z[1]]),
                dm.sumprod([z[0], 2.0], [z[1], z[2]]), dm.dist([z[0], 1.0], [z[1], 0.0]),
                dm.log(z[0], z[2] + 2.0), dm.log(z[1], 10.0), float(dm.isfinite(z[0])),
                float(dm.isclose(z[0], z[0])) * z[1]]
    P = check(F, np.array([0.3, 0.7, 1.4]))
    np.testing.assert_array_equal(P[2], [0, 0, 0])
    with pytest.raises(ValueError, match="math domain error"):
        dualdiff.jacobian_sparsity(lambda z: dm.sqrt(z[0] - 1.0), np.array([0.5]))
    with pytest.raises(TypeError, match="drop"):
        dualdiff.jacobian_sparsity(lambda z: math.sin(z[0]), np.array([0.5]))


# ------------------------------------------------------------------ corpus
# Functions without accidental zeros: the pattern is exactly the dense
# Jacobian's nonzero pattern.

A_BAND = np.diag(np.full(12, 2.0)) + np.diag(np.full(11, -1.0), 1) + np.diag(np.full(11, 0.5), -1)


def laplace2d(m):
    def F(u):
        U = u.reshape(m, m)
        P = np.pad(U, 1)
        lap = P[2:, 1:-1] + P[:-2, 1:-1] + P[1:-1, 2:] + P[1:-1, :-2] - 4.0 * U
        return (-lap + U ** 3 - 1.0).reshape(-1)
    return F


CORPUS = {
    "bratu": (corpus.bratu, np.linspace(0.1, 0.9, 30)),
    "laplace2d": (laplace2d(5), np.linspace(0.2, 0.8, 25)),
    "logaddexp": (lambda z: np.logaddexp(z[:-1], z[1:]) + np.logaddexp2(z[::2], 0.3).sum(),
                  np.linspace(-1, 1, 12)),
    "solve-banded": (lambda z: np.linalg.solve(A_BAND + np.diag(z ** 2), z[::-1]), np.linspace(0.2, 1, 12)),
    "solve-matrix-rhs": (lambda z: np.linalg.solve(A_BAND[:4, :4] + z[:16].reshape(4, 4) * 0.1,
                                                   z[16:].reshape(4, 2)), np.linspace(0.2, 1, 24)),
    "matmul-banded-constant": (lambda z: A_BAND @ z, np.linspace(0.2, 1, 12)),
    "matmul-constant-rows": (lambda z: z.reshape(3, 4) @ A_BAND[:4, :5], np.linspace(0.2, 1, 12)),
    "diag-matmul": (lambda z: np.diag(z[:6]) @ z[6:], np.linspace(0.2, 1, 12)),
    "matmul-batched": (lambda z: z[:8].reshape(2, 2, 2) @ z[8:].reshape(2, 2, 1), np.linspace(0.2, 1, 12)),
    "dot-inner-outer": (lambda z: np.concatenate([[np.dot(z[:3], z[3:6]), np.inner(z[:2], z[6:8])],
                                                  np.outer(z[8:10], z[10:]).ravel()]), np.linspace(0.2, 1, 12)),
    "einsum": (lambda z: np.einsum("ij,jk->ik", z[:6].reshape(2, 3), A_BAND[:3, :4] * z[6:10]),
               np.linspace(0.2, 1, 10)),
    "reductions": (lambda z: np.concatenate([z.reshape(3, 4).sum(axis=0), z.reshape(3, 4).mean(axis=1),
                                             [np.prod(z[:3])], np.cumsum(z[4:8]),
                                             np.var(z.reshape(3, 4), axis=0)]), np.linspace(0.2, 1, 12) ** 2),
    "indexing": (lambda z: np.concatenate([z[[3, 1, 1]], z.reshape(3, 4)[1:, ::2].ravel() ** 2,
                                           z[z > 0.5] * 2.0, [z[-1] * z[0]]]), np.linspace(0.2, 1, 12)),
    "concatenate-where": (lambda z: np.where(z > 0.55, np.concatenate([z[1:], [1.0]]), np.exp(z)),
                          np.linspace(0.2, 1, 12)),
    "item-assignment": (lambda z: _assigned(z), np.linspace(0.2, 1, 12)),
    "scalar-loop": (lambda z: [dm.sin(z[i]) * z[i + 1] - z[i - 1] ** 2 for i in range(1, 11)],
                    np.linspace(0.2, 1, 12)),
    "scalars-and-arrays": (lambda z: dualdiff.numpy.array([z[0] * z[1], np.sum(z[2:5] ** 2), 3.0])
                           * z[5:8], np.linspace(0.2, 1, 12)),
    "pad-stencil-2d": (lambda z: np.diff(np.pad(z.reshape(3, 4), 1), axis=0).ravel(),
                       np.linspace(0.2, 1, 12)),
}


def _assigned(z):
    r = np.zeros_like(z)
    r[1:-1] = z[:-2] * z[2:]
    r[0] = z[0] ** 2
    r[-1] = 3.0
    return r


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_pattern_is_the_dense_jacobians(name):
    F, x = CORPUS[name]
    check(F, x)


def test_structural_products_skip_constant_zeros():
    # a tridiagonal constant matrix times x: tridiagonal, not dense
    P = dualdiff.jacobian_sparsity(lambda z: A_BAND @ z, np.ones(12)).toarray()
    np.testing.assert_array_equal(P, A_BAND != 0)
    # a zero of a constant drops a factor; a zero value of a pattern does not
    P = dualdiff.jacobian_sparsity(lambda z: np.diag(z[:2]) @ z[2:], np.zeros(4)).toarray()
    np.testing.assert_array_equal(P, [[1, 0, 1, 0], [0, 1, 0, 1]])


def test_solve_and_logaddexp_now_work():
    # both failed on the object arrays of the old detector
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    P = dualdiff.jacobian_sparsity(lambda z: np.linalg.solve(A, z[:2] * z[2]), np.ones(3))
    np.testing.assert_array_equal(P.toarray(), np.ones((2, 3), bool))
    P = dualdiff.jacobian_sparsity(lambda z: np.logaddexp(z[0], z[2]), np.ones(3))
    np.testing.assert_array_equal(P.toarray(), [[1, 0, 1]])


# --------------------------------------------------- the detector it replaced

def object_detection(f, x, chunk=7):
    """The previous detector: f on object arrays of order-0 Duals (flags over
    a chunk of inputs), one pass per chunk."""
    from dualdiff import _seeding
    from dualdiff._dual import _seed

    flat, shape = _seeding.flatten(x)
    n = flat.shape[0]
    tag = _seeding.new_tag()
    rows, cols, m = [], [], None
    for start in range(0, n, chunk):
        width = min(chunk, n - start)
        duals = _seed(flat, start, width, 0, tag)
        a = np.empty(len(duals), dtype=object)
        a[:] = duals
        y = f(duals[0] if shape is None else a.reshape(shape))
        value, block, _ = _seeding.read_result(y, width, 0, tag)
        m = value.shape[0]
        r, k = np.nonzero(block)
        rows.append(r)
        cols.append(k + start)
    return sp.csr_array((np.ones(sum(r.size for r in rows), bool), (np.concatenate(rows),
                                                                    np.concatenate(cols))), shape=(m, n))


OLD_CORPUS = {
    "bratu": (corpus.bratu, np.linspace(0.1, 0.9, 30)),
    "laplace2d": (laplace2d(4), np.linspace(0.2, 0.8, 16)),
    "branches": (lambda z: [z[0] if z[0] > z[1] else z[1], max(z[0], z[1]) * z[2], abs(z[3]),
                            dm.floor(z[0]) * z[1], z[0] // 1.0 + z[2], 0.0 * z[0] + z[1], z[0] ** 0,
                            dm.copysign(z[1], z[2]), 3.0, z[0] - z[0], np.maximum(z[1], z[2]),
                            np.hypot(z[0], z[3]), dm.hypot(z[0], 2.0, z[3]), 1.0 ** z[2], 0.0 / z[1]],
                 np.array([1.5, 2.0, -3.0, 0.0])),
    "reductions": (lambda z: [np.sum(z[:3] ** 2), np.prod(z[2:]), z.reshape(2, 2).sum(axis=0)[1]],
                   np.array([0.5, 1.5, -2.0, 3.0])),
    "dot": (lambda z: np.dot(A_BAND[:4, :4], z) + np.diag(z) @ z, np.linspace(0.2, 1, 4)),
}


@pytest.mark.parametrize("name", sorted(OLD_CORPUS))
def test_same_pattern_as_the_object_array_detector(name):
    F, x = OLD_CORPUS[name]
    new = dualdiff.jacobian_sparsity(F, x).toarray()
    with np.errstate(all="ignore"):  # the object loops on order-0 Duals warn on some powers
        old = object_detection(F, x).toarray()
    np.testing.assert_array_equal(new, old)


def test_max_of_an_array_depends_on_every_element():
    # the object arrays' np.max compared the objects and kept one; np.maximum
    # of two pattern numbers (the C rule) depends on both: arrays now agree
    # with the rule, a superset that holds wherever the maximum moves
    F = lambda z: [np.max(z), np.maximum(z[0], z[1])]  # noqa: E731
    x = np.array([0.5, 1.5, -2.0, 3.0])
    new = dualdiff.jacobian_sparsity(F, x).toarray()
    old = object_detection(F, x).toarray()
    np.testing.assert_array_equal(old, [[0, 0, 0, 1], [1, 1, 0, 0]])
    np.testing.assert_array_equal(new, [[1, 1, 1, 1], [1, 1, 0, 0]])


def test_a_product_with_the_constant_zero_is_a_constant():
    def F(z):
        M = A_BAND[:3, :3] * z[:3]  # zeros of A times z: constants, which the product skips
        return np.concatenate([[(0.0 * z[0]) * z[1], np.floor(z[0]) * z[1]], M @ z[3:]])

    P = dualdiff.jacobian_sparsity(F, np.ones(6)).toarray()
    np.testing.assert_array_equal(P, [[0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0], [1, 1, 0, 1, 1, 0],
                                      [1, 1, 1, 1, 1, 1], [0, 1, 1, 0, 1, 1]])
    np.testing.assert_array_equal(P[2:], dense_pattern(F, np.linspace(0.5, 1.5, 6))[2:])


# ------------------------------------------------------------------ the store

def test_store_unions_match_python_sets():
    rng = np.random.default_rng(11)
    n = 40
    s = Store(n)
    sets = {0: set(), 1: set(), **{2 + j: {j} for j in range(n)}}

    def check_ids(ids):
        for r in np.asarray(ids).ravel().tolist():
            assert s.row(r).tolist() == sorted(sets[r])

    ids = np.arange(2, n + 2)
    for _ in range(6):  # grow random sets by pairwise unions
        a = rng.choice(ids, 200)
        b = rng.choice(np.concatenate([ids, [0, 1]]), 200)
        u = s.union(a.astype(np.int64), b.astype(np.int64))
        for x, y, r in zip(a.tolist(), b.tolist(), u.tolist()):
            sets.setdefault(r, sets[x] | sets[y])
            assert sets[r] == sets[x] | sets[y]
        ids = np.unique(np.concatenate([ids, u]))
    check_ids(ids)
    groups = rng.choice(np.concatenate([ids, [0, 1]]), (50, 7)).astype(np.int64)
    g = s.union_groups(groups)
    for row, r in zip(groups.tolist(), g.tolist()):
        want = set().union(*[sets[v] for v in row])
        assert s.row(r).tolist() == sorted(want)
        assert r != 0 or all(v == 0 for v in row)
        sets.setdefault(r, want)
    scanned = s.scan(groups)
    for row, out in zip(groups.tolist(), scanned.tolist()):
        acc = set()
        for v, r in zip(row, out):
            acc |= sets[v]
            assert s.row(r).tolist() == sorted(acc)
    indptr, indices = s.rows(g)
    for k, r in enumerate(g.tolist()):
        assert indices[indptr[k]:indptr[k + 1]].tolist() == s.row(r).tolist()
    assert s.union_pair(2, 2) == 2 and s.union_pair(0, 1) == 1 and s.union_pair(0, 0) == 0
    with pytest.raises(IndexError):
        s.union_pair(0, s.nsets)


def test_unions_that_add_nothing_add_no_sets():
    s = Store(4)
    a = s.union(np.array([2, 3], np.int64), np.array([3, 4], np.int64))
    before = s.nsets
    again = s.union(a, np.array([3, 3], np.int64))  # subsets: the same sets
    assert again.tolist() == a.tolist() and s.nsets == before


# ------------------------------------------------------------------ behaviour

def test_detection_is_one_pass_and_linear():
    calls = []

    def F(z):
        calls.append(1)
        return corpus.bratu(z)

    P = dualdiff.jacobian_sparsity(F, np.linspace(0, 1, 5000))
    assert len(calls) == 1 and P.nnz == 3 * 4998 + 2


def test_inputs_outputs_and_errors():
    assert dualdiff.jacobian_sparsity(lambda z: z * 2.0, 3.0).toarray().tolist() == [[True]]
    P = dualdiff.jacobian_sparsity(lambda z: [z[0], 1.0], [1.0, 2.0])
    assert P.shape == (2, 2) and P.nnz == 1
    P = dualdiff.jacobian_sparsity(lambda z: np.ones(3), np.zeros(0))
    assert P.shape == (3, 0)
    P = dualdiff.jacobian_sparsity(lambda z: np.sum(z ** 2), np.ones((2, 2)))
    assert P.shape == (1, 4) and P.nnz == 4
    with pytest.raises(TypeError, match="returned None"):
        dualdiff.jacobian_sparsity(lambda z: None, np.ones(2))
    with pytest.raises(TypeError, match="drop"):
        dualdiff.jacobian_sparsity(lambda z: float(z[0]), np.ones(2))
    with pytest.raises(TypeError, match="without their derivatives|placeholders"):
        dualdiff.jacobian_sparsity(lambda z: np.asarray(z) + 1.0, np.ones(2))
    with pytest.raises(TypeError, match="not supported"):
        dualdiff.jacobian_sparsity(lambda z: np.unwrap(z), np.ones(2))
    with pytest.raises(dualdiff.NestingError):
        dualdiff.jacobian_sparsity(lambda z: dualdiff.grad(lambda t: np.sum(t ** 2))(z), np.ones(2))
    kept = []
    dualdiff.jacobian_sparsity(lambda z: kept.append(z) or z, np.ones(2))
    with pytest.raises(ValueError, match="two different"):
        dualdiff.jacobian_sparsity(lambda z: z + kept[0], np.ones(2))
    with pytest.raises(ValueError, match="positive"):
        dualdiff.jacobian_sparsity(lambda z: z, np.ones(2), chunk=0)


def test_pattern_types_behave_like_the_dual_types():
    seen = {}

    def F(z):
        seen["x"] = z
        seen["elem"] = z[1]
        seen["sum"] = z.sum()
        assert len(z) == 3 and z.shape == (3,) and z.dtype == np.float64
        assert [type(e) for e in z] == [_pattern._PatternNumber] * 3
        assert z[1] > 0.5 and z[1] == 2.0 and bool(z[0]) and hash(z[1]) == hash(2.0)
        assert np.asanyarray(z) is z
        return z

    dualdiff.jacobian_sparsity(F, np.array([1.0, 2.0, 3.0]))
    assert seen["elem"].dependencies.tolist() == [1]
    assert seen["sum"].dependencies.tolist() == [0, 1, 2] and seen["sum"].value == 6.0
    assert seen["x"].value.tolist() == [1.0, 2.0, 3.0]
    assert seen["x"].dependencies.toarray().tolist() == np.eye(3, dtype=bool).tolist()
    assert "_PatternNumber(2.0" in repr(seen["elem"])


def test_sparse_jacobian_auto_uses_the_detected_pattern():
    x = np.linspace(0.1, 0.9, 40)
    J = dualdiff.jacobian(corpus.bratu, sparsity="auto")
    A = J(x)
    np.testing.assert_allclose(A.toarray(), corpus.bratu_jacobian(x), rtol=1e-14)
    assert J.ncolors == 3


# ---------------------------------------------------------------- complex


def _loop(z):
    return [z[i] * np.exp(1j * z[i + 1]) + abs(z[i] - 2j) for i in range(len(z) - 1)]


COMPLEX_CASES = {  # name -> (F, exact)
    "abs of a complex pair": (lambda z: np.abs(z[:-1] + 1j * z[1:]) ** 2, True),
    "exp(i x)": (lambda z: np.exp(1j * z), True),
    "real and imag": (lambda z: np.real(np.exp(1j * z[:-1])) * np.imag((z[1:] + 2j) ** 2), True),
    "conj": (lambda z: np.real((z[:-1] + 1j * z[1:]) * np.conj(z[1:] - 0.5j * z[:-1])), True),
    "angle": (lambda z: np.angle(z[:-1] + 1j * z[1:]) * z[1:], True),
    "sqrt of a negative-real complex": (lambda z: np.sqrt(z - 3.0 + 0j), True),
    "matmul with a complex matrix": (lambda z: np.abs(np.array([[1j, 0, 0, 2], [0, 0, 1 - 1j, 0]]) @ z[:4]),
                                     True),
    "fft": (lambda z: np.abs(np.fft.fft(z)) ** 2, True),
    "fft cropped": (lambda z: np.fft.fft(z, n=3), True),
    # linear maps with zeros the pattern does not follow
    "rfft and ifft": (lambda z: np.fft.ifft(np.fft.rfft(z[1:])), False),
    "real of ifft of rfft": (lambda z: np.real(np.fft.ifft(np.fft.rfft(z[1:]))), False),
    "eig": (lambda z: np.concatenate([np.real(np.linalg.eig(np.diag(z[:2]) + np.array(
        [[0.0, 1.0], [-2.0, 0.0]]))[1].ravel()), np.linalg.eigvals(np.diag(z[2:4]) * 1j + z[4])]), False),
    "fft2": (lambda z: np.fft.fft2(z[:4].reshape(2, 2)) * z[4], True),
    "element loop": (_loop, True),
    "list of complex numbers": (lambda z: [np.imag(z[0] * 1j), z[1] + 1j * z[2], 3j], True),
    # the union of both parts: the real part of i x does not depend on x
    "a constant part": (lambda z: np.real(1j * z) + np.imag(z + 1j), False),
}


@pytest.mark.parametrize("name", sorted(COMPLEX_CASES))
def test_complex_numbers_inside_f(name):
    F, exact = COMPLEX_CASES[name]
    rng = np.random.default_rng(20)
    for _ in range(3):
        x = rng.uniform(-2.0, 2.0, 5)
        P = check(F, x, exact=exact)
        # the sparse Jacobian on this pattern is the dense one, complex where f is
        J = dualdiff.jacobian(F, sparsity="auto")(x)
        D = np.asarray(dualdiff.jacobian(F)(x)).reshape(-1, x.size)
        assert J.dtype == D.dtype
        assert np.array_equal(J.toarray(), np.where(P, D, 0))
        Jc = dualdiff.jacobian(F, sparsity=P, chunk=1)(x)
        assert np.array_equal(Jc.toarray(), J.toarray())
    if name == "a constant part":  # a superset where one part is constant
        assert np.array_equal(P, np.eye(5, dtype=bool)) and not dense_pattern(F, x).any()


def test_complex_numbers_in_sparse_jacobians_value_and_traced():
    F = COMPLEX_CASES["abs of a complex pair"][0]
    x = np.linspace(0.1, 1.0, 30)
    D = dualdiff.jacobian(F)(x)
    v, J = dualdiff.jacobian(F, sparsity="auto").value_and_jacobian(x)
    assert np.array_equal(v, F(x)) and np.array_equal(J.toarray(), D) and J.nnz == 58
    J = dualdiff.jacobian(dualdiff.trace(F), sparsity="auto")(x)
    assert np.array_equal(J.toarray(), D)


def test_complex_numbers_refused_where_unsupported():
    with pytest.raises(TypeError, match="complex"):
        dualdiff.jacobian_sparsity(lambda z: z * 1j, np.ones(2) + 1j)
    with pytest.raises(TypeError, match="Hessian sparsity detection .* complex"):
        dualdiff.hessian_sparsity(lambda z: np.sum(np.abs(z + 1j) ** 2), np.ones(3))
    with pytest.raises(TypeError, match="Hessian sparsity detection .* complex"):
        dualdiff.hessian_sparsity(lambda z: np.abs(z[0] * 1j + z[1]), np.ones(3))
    with pytest.raises(TypeError, match="Hessian sparsity detection .* complex"):
        dualdiff.hessian(lambda z: np.sum(np.fft.fft(z).real), sparsity="auto")(np.ones(3))
    with pytest.raises(TypeError, match="imaginary parts"):
        def f(z):
            y = z * 2.0
            y[0] = z[1] * 1j
            return y
        dualdiff.jacobian_sparsity(f, np.ones(3))
