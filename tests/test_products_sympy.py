"""Product rule of matrix products whose two operands both depend on x.

Each function multiplies two arrays built from x (entries of sin, cos, exp,
tanh and products of entries of x) with ``@``, ``np.matmul``, ``np.dot``,
``np.inner``, ``np.outer``, ``np.kron``, ``np.tensordot``, ``np.einsum`` or
``np.trace``. The same function is built symbolically with sympy matrices and
differentiated exactly by sympy, which evaluates the derivatives at 30 digits.
dualdiff's ``jacobian``, ``hessian``, ``grad``, ``hvp``, ``jvp`` and the nested
``jacobian(grad(f))`` / ``jacobian(jacobian(f))`` must agree with them to
1e-12 for every chunk size, and give the same bits for every chunk size.
"""
import functools
import types

import numpy as np
import pytest
import sympy as sp

import dualdiff

N = 6  # number of variables
CHUNKS = (1, 3, N)
POINTS = [np.random.default_rng(seed).uniform(-1.0, 1.0, N) for seed in (1729, 31415)]
RTOL = ATOL = 1e-12

# Elementwise functions: NumPy ufuncs on dual arrays, sympy on object arrays of expressions.
NP = types.SimpleNamespace(sin=np.sin, cos=np.cos, exp=np.exp, tanh=np.tanh)
SYM = types.SimpleNamespace(**{name: np.vectorize(getattr(sp, name), otypes=[object])
                               for name in ("sin", "cos", "exp", "tanh")})


def mat(m, x, *shape, s=0):
    """An array of the given shape whose entries are functions of several entries of x."""
    k = np.arange(int(np.prod(shape)))
    i, j, l = (k + s) % N, (5 * k + 2 * s + 1) % N, (k * k + 3 * s + 2) % N
    flat = m.sin(x[i]) * m.cos(0.5 * x[j]) + 0.25 * m.exp(x[l]) * x[j] - 0.5 * x[i] * x[l]
    return flat.reshape(shape)


def vec(m, x, size, s=0):
    """A vector whose entries are functions of two entries of x."""
    i = (np.arange(size) + s) % N
    return m.tanh(x[i]) + 0.75 * x[(i + 2) % N] * x[(i + 2) % N] - 0.5 * x[i]


def S(a):
    """An object array of sympy expressions (1-D or 2-D) as a sympy Matrix (1-D: a column)."""
    return sp.Matrix(a.tolist()) if a.ndim == 2 else sp.Matrix(list(a))


def sym_tensordot2(a, b):
    """tensordot(a, b, axes=2) written out: the sum over the last two axes of a times b."""
    def contract(block):
        return sum(block[p, q] * b[p, q] for p in range(b.shape[0]) for q in range(b.shape[1]))
    if a.ndim == 2:
        return contract(a)
    return [contract(a[i]) for i in range(a.shape[0])]


# name -> (f written with NumPy on dual arrays, the same f written with sympy matrices; the
# latter returns a sympy Matrix, an expression, or a list or array of expressions in C order).
CASES = {
    # matrix @ vector
    "at_Mv": (lambda x: mat(NP, x, 3, 4) @ vec(NP, x, 4),
              lambda x: S(mat(SYM, x, 3, 4)) * S(vec(SYM, x, 4))),
    "matmul_Mv": (lambda x: np.matmul(mat(NP, x, 3, 4), vec(NP, x, 4, s=1)),
                  lambda x: S(mat(SYM, x, 3, 4)) * S(vec(SYM, x, 4, s=1))),
    "dot_Mv": (lambda x: np.dot(mat(NP, x, 3, 4, s=2), vec(NP, x, 4)),
               lambda x: S(mat(SYM, x, 3, 4, s=2)) * S(vec(SYM, x, 4))),
    # vector @ matrix
    "at_vM": (lambda x: vec(NP, x, 3) @ mat(NP, x, 3, 4),
              lambda x: S(vec(SYM, x, 3)).T * S(mat(SYM, x, 3, 4))),
    "matmul_vM": (lambda x: np.matmul(vec(NP, x, 3, s=4), mat(NP, x, 3, 4)),
                  lambda x: S(vec(SYM, x, 3, s=4)).T * S(mat(SYM, x, 3, 4))),
    "dot_vM": (lambda x: np.dot(vec(NP, x, 3, s=1), mat(NP, x, 3, 4, s=3)),
               lambda x: S(vec(SYM, x, 3, s=1)).T * S(mat(SYM, x, 3, 4, s=3))),
    # matrix @ matrix
    "at_MN": (lambda x: mat(NP, x, 3, 4) @ mat(NP, x, 4, 3, s=1),
              lambda x: S(mat(SYM, x, 3, 4)) * S(mat(SYM, x, 4, 3, s=1))),
    "matmul_MN": (lambda x: np.matmul(mat(NP, x, 4, 4, s=2), mat(NP, x, 4, 2, s=5)),
                  lambda x: S(mat(SYM, x, 4, 4, s=2)) * S(mat(SYM, x, 4, 2, s=5))),
    "dot_MN": (lambda x: np.dot(mat(NP, x, 2, 4, s=1), mat(NP, x, 4, 3)),
               lambda x: S(mat(SYM, x, 2, 4, s=1)) * S(mat(SYM, x, 4, 3))),
    "at_MM_same": (lambda x: (lambda M: M @ M)(mat(NP, x, 4, 4)),
                   lambda x: (lambda M: M * M)(S(mat(SYM, x, 4, 4)))),
    "matmul_batched": (lambda x: mat(NP, x, 2, 3, 4) @ mat(NP, x, 2, 4, 2, s=1),
                       lambda x: [e for b in range(2)
                                  for e in S(mat(SYM, x, 2, 3, 4)[b]) * S(mat(SYM, x, 2, 4, 2, s=1)[b])]),
    # vector @ vector
    "at_vv": (lambda x: vec(NP, x, 5) @ vec(NP, x, 5, s=2),
              lambda x: (S(vec(SYM, x, 5)).T * S(vec(SYM, x, 5, s=2)))[0]),
    "matmul_vv": (lambda x: np.matmul(vec(NP, x, 4, s=3), vec(NP, x, 4, s=1)),
                  lambda x: (S(vec(SYM, x, 4, s=3)).T * S(vec(SYM, x, 4, s=1)))[0]),
    "dot_vv": (lambda x: np.dot(vec(NP, x, 6), mat(NP, x, 6)),
               lambda x: (S(vec(SYM, x, 6)).T * S(mat(SYM, x, 6)))[0]),
    "inner_vv": (lambda x: np.inner(vec(NP, x, 4, s=2), vec(NP, x, 4, s=5)),
                 lambda x: (S(vec(SYM, x, 4, s=2)).T * S(vec(SYM, x, 4, s=5)))[0]),
    # the other products
    "inner_MP": (lambda x: np.inner(mat(NP, x, 3, 4), mat(NP, x, 2, 4, s=3)),
                 lambda x: S(mat(SYM, x, 3, 4)) * S(mat(SYM, x, 2, 4, s=3)).T),
    "outer_uv": (lambda x: np.outer(vec(NP, x, 3), vec(NP, x, 4, s=1)),
                 lambda x: S(vec(SYM, x, 3)) * S(vec(SYM, x, 4, s=1)).T),
    "kron_uv": (lambda x: np.kron(vec(NP, x, 3, s=1), vec(NP, x, 4)),
                lambda x: np.array([a * b for a in vec(SYM, x, 3, s=1) for b in vec(SYM, x, 4)],
                                   dtype=object)),
    "kron_AB": (lambda x: np.kron(mat(NP, x, 2, 2), mat(NP, x, 2, 3, s=4)),
                lambda x: sp.kronecker_product(S(mat(SYM, x, 2, 2)), S(mat(SYM, x, 2, 3, s=4)))),
    "tensordot1_MN": (lambda x: np.tensordot(mat(NP, x, 3, 4), mat(NP, x, 4, 2, s=2), axes=1),
                      lambda x: S(mat(SYM, x, 3, 4)) * S(mat(SYM, x, 4, 2, s=2))),
    "tensordot2_MQ": (lambda x: np.tensordot(mat(NP, x, 3, 4), mat(NP, x, 3, 4, s=1), axes=2),
                      lambda x: sym_tensordot2(mat(SYM, x, 3, 4), mat(SYM, x, 3, 4, s=1))),
    "tensordot2_TM": (lambda x: np.tensordot(mat(NP, x, 2, 3, 4), mat(NP, x, 3, 4, s=5), axes=2),
                      lambda x: sym_tensordot2(mat(SYM, x, 2, 3, 4), mat(SYM, x, 3, 4, s=5))),
    "einsum_ij_jk": (lambda x: np.einsum("ij,jk->ik", mat(NP, x, 3, 4), mat(NP, x, 4, 3, s=3)),
                     lambda x: S(mat(SYM, x, 3, 4)) * S(mat(SYM, x, 4, 3, s=3))),
    "trace_MM": (lambda x: np.trace((lambda M: M @ M)(mat(NP, x, 4, 4, s=1))),
                 lambda x: (lambda M: (M * M).trace())(S(mat(SYM, x, 4, 4, s=1)))),
    "x_M_x": (lambda x: x @ mat(NP, x, N, N) @ x,
              lambda x: (S(x).T * S(mat(SYM, x, N, N)) * S(x))[0]),
    "sin_u_M_v": (lambda x: np.sin(vec(NP, x, 3) @ mat(NP, x, 3, 4) @ vec(NP, x, 4, s=3)),
                  lambda x: sp.sin((S(vec(SYM, x, 3)).T * S(mat(SYM, x, 3, 4)) * S(vec(SYM, x, 4, s=3)))[0])),
}

SCALAR = sorted(name for name, (f, _) in CASES.items() if np.ndim(f(POINTS[0])) == 0)
ARRAY = sorted(set(CASES) - set(SCALAR))


@functools.lru_cache(maxsize=None)
def symbolic(name):
    """Case `name` built and differentiated by sympy: the variables, the output's shape and the
    flat lists of its entries, their gradients and their Hessians."""
    xs = sp.symbols(f"x0:{N}", real=True)
    out = CASES[name][1](np.array(xs, dtype=object))
    shape = np.shape(CASES[name][0](POINTS[0]))
    exprs = list(out) if isinstance(out, sp.MatrixBase) else list(np.ravel(np.asarray(out, dtype=object)))
    assert len(exprs) == int(np.prod(shape)), (name, shape, len(exprs))
    jac = [[sp.diff(e, a) for a in xs] for e in exprs]
    hess = []
    for row in jac:
        h = [[None] * N for _ in range(N)]
        for i in range(N):
            for j in range(i, N):  # d2/dxi dxj = d2/dxj dxi: differentiate once, mirror
                h[i][j] = h[j][i] = sp.diff(row[i], xs[j])
        hess.append(h)
    return xs, shape, exprs, jac, hess


def exact(v):
    """The float v as a 30-digit sympy number (every binary float is exact in it)."""
    return sp.Float(float(v), 30)


@functools.lru_cache(maxsize=None)
def reference(name, k):
    """(value, Jacobian, Hessian) of case `name` at POINTS[k] by sympy at 30 digits, as object
    arrays of shapes out, out + (N,), out + (N, N)."""
    xs, shape, exprs, jac, hess = symbolic(name)
    sub = {a: exact(v) for a, v in zip(xs, POINTS[k])}

    def ev(flat, tail):
        return np.array([e.xreplace(sub).evalf(30) for e in flat], dtype=object).reshape(shape + tail)

    return (ev(exprs, ()),
            ev([d for row in jac for d in row], (N,)),
            ev([d for h in hess for row in h for d in row], (N, N)))


def to_float(a):
    return np.array(a, dtype=object).astype(float)


def close(got, ref):
    np.testing.assert_allclose(got, to_float(ref), rtol=RTOL, atol=ATOL)


def direction(k):
    return np.random.default_rng(100 + k).uniform(-1.0, 1.0, N)


def first_and_second(f, scalar, chunk):
    """dualdiff's derivatives of f at every point for one chunk size, by transform name."""
    res = {}
    for k, x in enumerate(POINTS):
        res["jacobian", k] = dualdiff.jacobian(f, chunk=chunk)(x)
        res["hessian", k] = dualdiff.hessian(f, chunk=chunk)(x)
        if scalar:
            res["grad", k] = dualdiff.grad(f, chunk=chunk)(x)
            res["jacobian(grad)", k] = dualdiff.jacobian(dualdiff.grad(f, chunk=chunk), chunk=chunk)(x)
            res["hvp", k] = dualdiff.hvp(f, chunk=chunk)(x, direction(k))
        else:
            inner = dualdiff.jacobian(f, chunk=chunk)
            res["jacobian(jacobian)", k] = dualdiff.jacobian(inner, chunk=chunk)(x)
    return res


def test_cases_cover_scalar_and_array_outputs():
    assert {"at_vv", "dot_vv", "inner_vv", "trace_MM", "x_M_x", "tensordot2_MQ"} <= set(SCALAR)
    assert {"at_Mv", "at_vM", "at_MN", "outer_uv", "kron_AB", "einsum_ij_jk"} <= set(ARRAY)


@pytest.mark.parametrize("k", range(len(POINTS)), ids=lambda k: f"point{k}")
@pytest.mark.parametrize("name", sorted(CASES))
def test_value_matches_sympy(name, k):
    val, _, _ = reference(name, k)
    got = np.asarray(CASES[name][0](POINTS[k]), dtype=float)
    close(got, val)


@pytest.mark.parametrize("chunk", CHUNKS, ids=lambda c: f"chunk{c}")
@pytest.mark.parametrize("name", SCALAR)
def test_scalar_grad_hessian_hvp_match_sympy(name, chunk):
    f = CASES[name][0]
    res = first_and_second(f, True, chunk)
    for k in range(len(POINTS)):
        _, jac, hess = reference(name, k)
        assert res["grad", k].shape == (N,) and res["hessian", k].shape == (N, N)
        close(res["grad", k], jac)
        close(res["jacobian", k], jac)
        close(res["hessian", k], hess)
        close(res["jacobian(grad)", k], hess)
        close(res["hvp", k], hess.dot(np.array([exact(v) for v in direction(k)], dtype=object)))


@pytest.mark.parametrize("chunk", CHUNKS, ids=lambda c: f"chunk{c}")
@pytest.mark.parametrize("name", ARRAY)
def test_array_jacobian_hessian_match_sympy(name, chunk):
    f = CASES[name][0]
    res = first_and_second(f, False, chunk)
    for k in range(len(POINTS)):
        val, jac, hess = reference(name, k)
        assert res["jacobian", k].shape == val.shape + (N,)
        assert res["hessian", k].shape == val.shape + (N, N)
        close(res["jacobian", k], jac)
        close(res["hessian", k], hess)
        close(res["jacobian(jacobian)", k], hess)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_matches_sympy(name):
    f = CASES[name][0]
    for k, x in enumerate(POINTS):
        val, jac, _ = reference(name, k)
        v = direction(k)
        y, t = dualdiff.jvp(f, x, v)
        close(y, val)
        close(t, jac.dot(np.array([exact(a) for a in v], dtype=object)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_bits_for_every_chunk(name):
    f = CASES[name][0]
    scalar = name in SCALAR
    results = [first_and_second(f, scalar, chunk) for chunk in CHUNKS]
    for key in results[0]:
        for chunk, other in zip(CHUNKS[1:], results[1:]):
            a, b = results[0][key], other[key]
            assert np.array_equal(a, b), (
                f"{key[0]} at point {key[1]}: chunk={CHUNKS[0]} and chunk={chunk} differ by up to "
                f"{np.max(np.abs(a - b))}")
