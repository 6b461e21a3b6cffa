"""The derivative transforms against independent references (hand derivatives, sympy)."""
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

TRANSFORMS = [dualdiff.grad, dualdiff.value_and_grad, dualdiff.jacobian,
              dualdiff.value_and_jacobian, dualdiff.hessian, dualdiff.hvp]


def is_float_array(a, shape):
    return (type(a) is np.ndarray and a.dtype == np.float64 and a.flags.c_contiguous
            and a.shape == shape)


# A function of three variables written once for both sympy and dualdiff.
def f3(x, m):
    return m.sin(x[0] * x[1]) + m.exp(x[2] / 3) * x[0] ** 2 + m.log(1 + x[1] ** 2) * m.sqrt(x[2])


def vec3(x, m):
    return [x[0] * x[1] * x[2], m.cos(x[0]) + x[2] ** 3, m.atan2(x[1], x[0]), 2.5]


S = sp.symbols("a b c", real=True)
X3 = [0.7, -1.3, 2.1]


def sym(expr_fn):
    return expr_fn(S, sp)


def sym_eval(e):
    return float(e.subs(dict(zip(S, X3))).evalf(30))


# ------------------------------------------------------------------ derivative

@pytest.mark.parametrize("x", [-0.4, 0.0, 0.7, 3.0])
def test_derivative_matches_hand_derivative(x):
    d = dualdiff.derivative(corpus.scalar_expr)(x, dm)
    assert type(d) is float
    assert math.isclose(d, corpus.scalar_expr_derivative(x, math), rel_tol=1e-13, abs_tol=1e-14)


def test_derivative_array_output_and_int_input():
    d = dualdiff.derivative(lambda t: [t ** 2, dm.sin(t), 4.0])(2)
    assert is_float_array(d, (3,))
    np.testing.assert_allclose(d, [4.0, math.cos(2.0), 0.0], rtol=1e-15)
    assert dualdiff.derivative(lambda t: 3.0)(np.float32(1.5)) == 0.0


def test_derivative_passes_extra_arguments():
    def f(t, a, *, b):
        return a * t ** 3 + b * t
    assert dualdiff.derivative(f)(2.0, 5.0, b=7.0) == 5.0 * 12.0 + 7.0


def test_derivative_rejects_arrays():
    with pytest.raises(TypeError, match="jacobian"):
        dualdiff.derivative(lambda t: t)([1.0, 2.0])


# ------------------------------------------------------------------ gradient

def test_grad_of_loop_function_matches_hand_gradient():
    x = [0.3, -0.7, 1.1, 0.5, -0.2, 0.9, 1.4, -1.0]
    g = dualdiff.grad(corpus.loop_function)(x)
    assert is_float_array(g, (8,))
    np.testing.assert_allclose(g, corpus.loop_function_gradient(x), rtol=1e-14, atol=1e-13)
    v, g2 = dualdiff.value_and_grad(corpus.loop_function)(tuple(x))
    assert type(v) is float and v == corpus.loop_function(x)
    np.testing.assert_array_equal(g, g2)


def test_grad_matches_sympy():
    e = sym(f3)
    g = dualdiff.grad(f3)(np.array(X3), dm)
    np.testing.assert_allclose(g, [sym_eval(sp.diff(e, s)) for s in S], rtol=1e-14)


def test_grad_keeps_the_shape_of_x():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    g = dualdiff.grad(lambda a: (a ** 3).sum())(x)
    assert is_float_array(g, (2, 3))
    np.testing.assert_array_equal(g, 3 * x ** 2)
    assert dualdiff.grad(lambda t: t ** 2)(3.0) == 6.0


def test_grad_of_sixty_variables_in_chunks():
    x = np.linspace(-1.0, 1.0, 60)
    g = dualdiff.grad(corpus.loop_function, chunk=7)(x)
    np.testing.assert_allclose(g, corpus.loop_function_gradient(list(x)), rtol=1e-13, atol=1e-12)


def test_grad_of_empty_input():
    g = dualdiff.grad(lambda a: 1.0 + a.sum())(np.zeros(0))
    assert is_float_array(g, (0,))


# ------------------------------------------------------------------ jacobian

def test_jacobian_matches_sympy():
    exprs = sym(vec3)
    J = dualdiff.jacobian(vec3)(X3, dm)
    assert is_float_array(J, (4, 3))
    ref = [[sym_eval(sp.diff(e, s)) for s in S] for e in exprs]
    np.testing.assert_allclose(J, ref, rtol=1e-14, atol=1e-300)
    v, J2 = dualdiff.value_and_jacobian(vec3)(X3, dm)
    np.testing.assert_allclose(v, [sym_eval(sp.sympify(e)) for e in exprs], rtol=1e-15)
    np.testing.assert_array_equal(J, J2)


def test_jacobian_shape_is_out_shape_plus_x_shape():
    A = np.arange(6.0).reshape(3, 2)
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    J = dualdiff.jacobian(lambda a: A @ a)(x)  # out (3, 2), x (2, 2)
    assert is_float_array(J, (3, 2, 2, 2))
    ref = np.einsum("ik,jl->ijkl", A, np.eye(2))  # d (A x)_ij / d x_kl = A_ik delta_jl
    np.testing.assert_array_equal(J, ref)
    assert dualdiff.jacobian(lambda t: t * t)(3.0) == 6.0


# ------------------------------------------------------------------ jvp

def test_jvp_matches_sympy():
    v = [0.5, -2.0, 1.5]
    exprs = sym(vec3)
    y, jv = dualdiff.jvp(vec3, X3, v, dm)
    J = np.array([[sym_eval(sp.diff(e, s)) for s in S] for e in exprs])
    np.testing.assert_allclose(jv, J @ v, rtol=1e-14)
    np.testing.assert_allclose(y, [sym_eval(sp.sympify(e)) for e in exprs], rtol=1e-15)
    assert dualdiff.jvp(lambda t: t ** 3, 2.0, 0.5) == (8.0, 6.0)


def test_jvp_rejects_v_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"v must have the shape of x, \(3,\), not \(2,\)"):
        dualdiff.jvp(vec3, X3, [1.0, 2.0], dm)


# ------------------------------------------------------------------ hessian

def test_hessian_matches_sympy():
    e = sym(f3)
    H = dualdiff.hessian(f3)(X3, dm)
    assert is_float_array(H, (3, 3))
    ref = [[sym_eval(sp.diff(e, s, t)) for t in S] for s in S]
    np.testing.assert_allclose(H, ref, rtol=1e-13)


def test_hessian_of_vector_function_and_scalar():
    exprs = sym(vec3)
    H = dualdiff.hessian(vec3)(X3, dm)
    assert is_float_array(H, (4, 3, 3))
    ref = [[[sym_eval(sp.diff(e, s, t)) for t in S] for s in S] for e in exprs]
    np.testing.assert_allclose(H, ref, rtol=1e-13, atol=1e-300)
    assert dualdiff.hessian(lambda t: t ** 4)(2.0) == 48.0


def test_hessian_of_loop_function_by_hand():
    n = 70  # more than one block by default: pairs of blocks, adjacent and not
    x = np.linspace(-1.0, 1.0, n)
    H = dualdiff.hessian(corpus.loop_function)(x)
    ref = np.zeros((n, n))
    for i in range(n - 1):  # 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2
        ref[i, i] += 1200.0 * x[i] ** 2 - 400.0 * x[i + 1] + 2.0
        ref[i, i + 1] += -400.0 * x[i]
        ref[i + 1, i] += -400.0 * x[i]
        ref[i + 1, i + 1] += 200.0
    ref[0, n - 1] += 0.1
    ref[n - 1, 0] += 0.1
    np.testing.assert_allclose(H, ref, rtol=1e-14, atol=1e-12)


def test_hvp_matches_sympy():
    e = sym(f3)
    v = np.array([1.5, -0.25, 2.0])
    hv = dualdiff.hvp(f3)(X3, v, dm)
    ref = np.array([[sym_eval(sp.diff(e, s, t)) for t in S] for s in S]) @ v
    assert is_float_array(hv, (3,))
    np.testing.assert_allclose(hv, ref, rtol=1e-13)
    with pytest.raises(ValueError, match="v must have the shape of x"):
        dualdiff.hvp(f3)(X3, [1.0], dm)
    with pytest.raises(ValueError, match="scalar"):
        dualdiff.hvp(vec3)(X3, v, dm)


# ------------------------------------------------------------ chunk invariance

def branchy(x):
    """Branches on values, max, abs: the result must not depend on the chunk."""
    total = 0.0
    n = len(x)
    for i in range(n):
        a = x[i] * x[(i + 3) % n]
        if a > 0.1:
            total = total + dm.sin(a) * x[(i + 1) % n]
        else:
            total = total + abs(x[i] - 0.2) * dm.exp(x[(i + 5) % n] / 4)
        total = total + max(x[i], x[(i + 2) % n]) ** 2
    return total


def branchy_vec(x):
    return np.array([branchy(x), branchy(x[::-1]) * x[0], x[3] ** 3])


@pytest.mark.parametrize("n", [7, 23])
def test_results_identical_for_every_chunk_size(n):
    rng = np.random.default_rng(20261126)
    x = rng.uniform(-1.0, 1.0, n)
    v = rng.uniform(-1.0, 1.0, n)
    g = dualdiff.grad(branchy)(x)
    J = dualdiff.jacobian(branchy_vec)(x)
    H = dualdiff.hessian(branchy)(x)
    Hv = dualdiff.hvp(branchy)(x, v)
    np.testing.assert_allclose(g, np.array([dualdiff.jvp(branchy, x, e)[1] for e in np.eye(n)]),
                               rtol=1e-15)
    np.testing.assert_array_equal(H, H.T)
    np.testing.assert_allclose(Hv, H @ v, rtol=1e-12, atol=1e-12)
    for c in range(1, n + 1):
        np.testing.assert_array_equal(dualdiff.grad(branchy, chunk=c)(x), g)
        np.testing.assert_array_equal(dualdiff.jacobian(branchy_vec, chunk=c)(x), J)
        np.testing.assert_array_equal(dualdiff.hessian(branchy, chunk=c)(x), H)
        np.testing.assert_array_equal(dualdiff.hvp(branchy, chunk=c)(x, v), Hv)


def test_chunk_must_be_a_positive_int():
    with pytest.raises(ValueError, match="positive"):
        dualdiff.grad(sum, chunk=0)([1.0, 2.0])
    with pytest.raises(TypeError, match="positive int"):
        dualdiff.grad(sum, chunk=2.5)([1.0, 2.0])


# ------------------------------------------------------------------ nesting
# (tests/test_nesting.py)


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("bad, exc, msg", [
    (lambda x: "abc", TypeError, "returned str"),
    (lambda x: None, TypeError, "returned None"),
    (lambda x: [x[0], None], TypeError, "holding None"),
])
@pytest.mark.parametrize("transform", [dualdiff.jacobian, dualdiff.hessian])
def test_bad_results_are_named(transform, bad, exc, msg):
    with pytest.raises(exc, match=msg):
        transform(bad)([1.0, 2.0])


@pytest.mark.parametrize("transform", [dualdiff.grad, dualdiff.hessian, dualdiff.derivative])
def test_dict_results_are_named(transform):
    # jvp and jacobian take dict results (tests/test_containers.py); these want numbers
    with pytest.raises(TypeError, match="returned a dict"):
        transform(lambda x: {"a": np.sum(x)})(1.5)


def test_derivative_bad_results_are_named():
    with pytest.raises(TypeError, match="returned str"):
        dualdiff.derivative(lambda t: "x")(1.0)
    with pytest.raises(TypeError, match="returned None"):
        dualdiff.derivative(lambda t: None)(1.0)


def test_grad_needs_a_scalar_result():
    with pytest.raises(ValueError, match=r"scalar.*shape \(2,\).*jacobian"):
        dualdiff.grad(lambda x: x * 2)(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="scalar"):
        dualdiff.value_and_grad(lambda x: [x[0], x[1]])([1.0, 2.0])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.complex64])
def test_grad_returns_the_dtype_of_a_narrow_x(dtype):
    """Computed in double precision and rounded once to x's dtype."""
    x = (np.arange(6).reshape(2, 3) / 4 + (0.5j if dtype is np.complex64 else 0)).astype(dtype)
    f = lambda x: np.sum(np.real(np.sin(x.astype(np.complex128 if np.iscomplexobj(x) else float))))
    g = dualdiff.grad(f)(x)
    x64 = x.astype(np.complex128 if dtype is np.complex64 else np.float64)
    ref = np.cos(x64)  # df/dx - i df/dy of Re sin(x + iy) is Re cos(z) + i Im cos(z)
    assert g.dtype == dtype and g.shape == x.shape
    np.testing.assert_array_equal(g, ref.astype(dtype))
    v, g2 = dualdiff.value_and_grad(f)(x)
    assert type(v) is float and g2.dtype == dtype
    s = dualdiff.grad(lambda t: t * t)(dtype(3.0) if dtype is not np.complex64 else np.float32(3.0))
    assert s == 6.0 and s.dtype == (np.float32 if dtype is np.complex64 else dtype)
    # float64 and longdouble come back as float64
    assert dualdiff.grad(f)(x64.real.astype(np.longdouble)).dtype == np.float64


@pytest.mark.parametrize("shape", [(1,), (1, 1)])
def test_grad_of_a_result_with_one_entry(shape):
    """grad, value_and_grad and hvp take a result of size 1 of any shape (as
    autograd and PyTorch do) and differentiate its one entry."""
    x = np.array([[0.3, -1.2], [0.7, 2.0]])
    f = lambda x: np.sum(np.sin(x), keepdims=True).reshape(shape)
    g_ref = np.cos(x)  # d/dx sum(sin(x))
    np.testing.assert_allclose(dualdiff.grad(f)(x), g_ref, rtol=1e-15)
    np.testing.assert_allclose(dualdiff.grad(f, chunk=1)(x), g_ref, rtol=1e-15)
    v, g = dualdiff.value_and_grad(f)(x)
    assert np.shape(v) == shape and v.ravel()[0] == pytest.approx(np.sin(x).sum(), rel=1e-15)
    np.testing.assert_allclose(g, g_ref, rtol=1e-15)
    # the fast path of a 1-D float64 array, and a list
    h = lambda y: (y[0] * y[1] ** 2) * np.ones(shape)
    for y in (np.array([3.0, 2.0]), [3.0, 2.0]):
        np.testing.assert_allclose(dualdiff.grad(h)(y), [4.0, 12.0], rtol=1e-15)
    np.testing.assert_allclose(dualdiff.hvp(f)(x, np.ones((2, 2))), -np.sin(x), rtol=1e-15)
    # complex numbers inside f, and grad nested in jacobian (the Hessian)
    c = lambda x: np.real(np.sum(np.exp(1j * x), keepdims=True)).reshape(shape)
    np.testing.assert_allclose(dualdiff.grad(c)(x), -np.sin(x), rtol=1e-15)
    H = dualdiff.jacobian(lambda y: dualdiff.grad(h)(y))(np.array([3.0, 2.0]))
    np.testing.assert_allclose(H, [[0.0, 4.0], [4.0, 6.0]], rtol=1e-15)
    with pytest.raises(ValueError, match=r"scalar.*shape \(1, 2\)"):
        dualdiff.grad(lambda x: x[:1, :1] * np.ones((1, 2)))(x)

@pytest.mark.parametrize("x, exc, msg", [
    (1 + 2j, TypeError, "complex"),
    (np.array([1 + 2j, 3.0]), TypeError, "complex"),
    ([1.0, 2j], TypeError, "complex"),
    ("1.5", TypeError, "str"),
    (None, TypeError, "NoneType"),
    ([1.0, "a"], TypeError, "str"),
])
@pytest.mark.parametrize("transform", [dualdiff.grad, dualdiff.jacobian, dualdiff.hessian])
def test_bad_inputs_are_named(transform, x, exc, msg):
    with pytest.raises(exc, match=msg):
        transform(lambda a: a)(x)


def test_complex_constant_results():
    # a complex result at a real x has complex derivatives (here 0); the
    # Hessian is of real-valued functions only
    J = dualdiff.jacobian(lambda x: 1j * x[0].value)([1.0, 2.0])
    assert J.dtype == np.complex128 and J.tolist() == [0j, 0j]
    with pytest.raises(TypeError, match="real-valued f"):
        dualdiff.hessian(lambda x: 1j * x[0].value)([1.0, 2.0])


def test_derivative_rejects_complex():
    with pytest.raises(TypeError, match="complex"):
        dualdiff.derivative(lambda t: t)(1j)


# ------------------------------------------------------------ IEEE propagation

def test_nan_and_inf_propagate():
    g = dualdiff.grad(lambda a: a[0] * a[1])([math.nan, 2.0])
    assert math.isnan(g[1]) and g[0] == 2.0
    assert math.isnan(dualdiff.derivative(lambda t: t * 3.0)(math.nan)) is False  # 3 for any t
    assert math.isnan(dualdiff.derivative(lambda t: t * t)(math.nan))
    assert dualdiff.derivative(lambda t: t * t)(math.inf) == math.inf
    assert dualdiff.derivative(dm.sqrt)(0.0) == math.inf
    v, jv = dualdiff.jvp(lambda a: a[0] + a[1], [1.0, 2.0], [math.inf, 1.0])
    assert v == 3.0 and jv == math.inf
    H = dualdiff.hessian(lambda a: a[0] ** 2 * a[1])([math.inf, 1.0])
    assert H[0, 1] == H[1, 0] == math.inf and H[1, 1] == 0.0


def test_hessian_cross_term_of_separate_variables_stays_zero_beside_an_infinite_gradient():
    # d/dx exp(sqrt(x)) is +inf at 0, d/dy is exactly 0: the mixed second
    # derivative of exp(sqrt(x)) + y**2 is 0 (the function is separable), not NaN.
    H = dualdiff.hessian(lambda a: dm.exp(dm.sqrt(a[0])) + a[1] ** 2)([0.0, 1.0])
    assert H[0, 1] == 0.0 and H[1, 0] == 0.0 and H[1, 1] == 2.0
    H = dualdiff.hessian(lambda a: dm.sqrt(a[0]) * 3.0 + a[1] ** 2)([0.0, 1.0])
    assert H[0, 1] == 0.0 and H[1, 1] == 2.0 and H[0, 0] == -math.inf
    # where the variables do interact, the infinite mixed derivative stays
    H = dualdiff.hessian(lambda a: dm.exp(dm.sqrt(a[0])) * dm.exp(a[1]))([0.0, 1.0])
    assert H[0, 1] == H[1, 0] == math.inf


def test_transforms_keep_the_function_name():
    assert dualdiff.grad(corpus.loop_function).__name__ == "grad(loop_function)"
    assert dualdiff.hessian(corpus.loop_function).__wrapped__ is corpus.loop_function


# ------------------------------------------------------------ evaluation counts

def counting(f):
    calls = []

    def g(x, *args):
        calls.append(1)
        return f(x, *args)
    return g, calls


@pytest.mark.parametrize("n, chunk, passes", [(8, None, 1), (600, None, 3), (10, 3, 4), (10, 10, 1)])
def test_grad_takes_ceil_n_over_chunk_evaluations(n, chunk, passes):
    g, calls = counting(corpus.loop_function)
    x = np.linspace(-1.0, 1.0, n)
    np.testing.assert_allclose(dualdiff.grad(g, chunk=chunk)(x),
                               corpus.loop_function_gradient(list(x)), rtol=1e-13, atol=1e-12)
    assert len(calls) == passes


@pytest.mark.parametrize("n, chunk, passes", [(8, None, 1), (32, None, 1), (70, None, 3),
                                              (12, 4, 3), (12, 3, 6)])
def test_hessian_takes_one_pass_per_pair_of_blocks(n, chunk, passes):
    g, calls = counting(corpus.loop_function)
    dualdiff.hessian(g, chunk=chunk)(np.linspace(-1.0, 1.0, n))
    assert len(calls) == passes  # k blocks: k(k-1)/2 passes, never n(n+1)/2


def test_list_of_ints_and_mixed_numbers():
    g = dualdiff.grad(lambda a: a[0] * a[1] ** 2)
    np.testing.assert_array_equal(g([3, 2]), [4.0, 12.0])
    np.testing.assert_array_equal(g([3, np.float32(2.0)]), [4.0, 12.0])
    np.testing.assert_array_equal(dualdiff.hessian(lambda a: a[0] * a[1] ** 2)((3, 2)),
                                  [[0.0, 4.0], [4.0, 6.0]])


# ------------------------------------------------------------------ documentation

def test_docstring_examples_run():
    import doctest

    from dualdiff import _derivative, _gradient, _hessian, _jacobian, _jvp
    for module in (_derivative, _gradient, _jacobian, _jvp, _hessian):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_readme_quick_start_and_recipes_run():
    import re
    path = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    quick = next(b for b in blocks if "dualdiff.hvp(f)" in b)
    recipes = next(b for b in blocks if "optimize.least_squares" in b)
    ns = {}
    exec(compile(quick, "README.md", "exec"), ns)
    # the values the quick start states, by hand: f = x0 exp(x1) + x2^2
    np.testing.assert_array_equal(ns["dualdiff"].grad(ns["f"])([1.0, 0.0, 3.0]), [1.0, 1.0, 6.0])
    ns = {}
    exec(compile(recipes, "README.md", "exec"), ns)
    J = ns["J"](np.array([1.0, 0.0, 0.0]), 0.0)  # Robertson's Jacobian at the start, by hand
    np.testing.assert_array_equal(J, [[-0.04, 0.0, 0.0], [0.04, 0.0, 0.0], [0.0, 0.0, 0.0]])


def test_every_kind_of_x_gives_the_same_gradient():
    x = [0.3, -0.7, 1.1, 0.5, -0.2, 0.9, 1.4, -1.0]
    ref = corpus.loop_function_gradient(x)
    wide = np.zeros(16)
    wide[::2] = x
    for xs in (x, tuple(x), np.array(x), wide[::2], np.array(x, dtype=">f8"), np.array(x)[None, :][0]):
        for transform in (dualdiff.grad, dualdiff.value_and_grad):
            for chunk in (None, 3):
                r = transform(corpus.loop_function, chunk=chunk)(xs)
                g = r[1] if transform is dualdiff.value_and_grad else r
                assert is_float_array(g, (8,))
                np.testing.assert_allclose(g, ref, rtol=1e-14, atol=1e-13)
                if transform is dualdiff.value_and_grad:
                    assert type(r[0]) is float and r[0] == corpus.loop_function(x)


def test_readme_doctest_examples():
    import doctest
    path = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")
    if not os.path.exists(path):
        pytest.skip("README.md not next to the tests")
    result = doctest.testfile(os.path.abspath(path), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


def test_f_receives_the_container_of_x():
    # lists stay lists (nested as in x), tuples stay tuples, arrays of any size
    # become dual arrays; a scalar is a single Dual
    seen = []

    def f(x):
        seen.append(x)
        return dualdiff.numpy.array(x).sum() if not isinstance(x, dualdiff.Dual) else x

    def kinds():
        out = []
        for x in seen:
            if isinstance(x, list):
                out.append(("list", [type(e).__name__ for e in x]))
            elif isinstance(x, tuple):
                out.append(("tuple", [type(e).__name__ for e in x]))
            else:
                out.append((type(x).__name__, None))
        seen.clear()
        return out

    for transform in (dualdiff.grad, dualdiff.hessian, dualdiff.jacobian):
        transform(f)([1.0, 2.0])
        assert kinds() == [("list", ["Dual", "Dual"])]
        transform(f)((1.0, 2.0))
        assert kinds() == [("tuple", ["Dual", "Dual"])]
        transform(f)([[1.0, 2.0], [3.0, 4.0]])
        assert kinds() == [("list", ["list", "list"])]
        for n in (2, 300):
            transform(f, chunk=64)(np.linspace(1.0, 2.0, n))
            assert {k for k, _ in kinds()} == {"DualArray"}
        transform(f)(2.0)
        assert kinds() == [("Dual", None)]
    # a list too long for one pass is still a list in every pass
    dualdiff.grad(f, chunk=2)([1.0, 2.0, 3.0])
    assert kinds() == [("list", ["Dual", "Dual", "Dual"])] * 2
    dualdiff.jvp(f, [1.0, 2.0], [1.0, 0.0])
    dualdiff.hvp(f)([1.0, 2.0], [1.0, 0.0])
    assert [k for k, _ in kinds()] == ["list", "list"]
    # what f does with the list is what it could do with floats
    assert dualdiff.grad(lambda x: sum(v * v for v in x))([1.0, 2.0]).tolist() == [2.0, 4.0]
    with pytest.raises(TypeError):
        dualdiff.grad(lambda x: x ** 2)([1.0, 2.0])  # as ([1.0, 2.0]) ** 2 fails on floats


def test_transform_calls_with_and_without_keywords():
    # derivative, grad and hessian take their extra arguments by position and
    # by keyword alike, with or without an (empty) keyword dict; by hand:
    # d/dt sin(t) a b c = cos(t) a b c
    def f(t, a=1.0, b=2.0, c=3.0):
        return dualdiff.math.sin(t) * a * b * c

    d = dualdiff.derivative(f)
    c1 = math.cos(1.0)
    assert d(1.0) == pytest.approx(6 * c1, rel=1e-15)
    assert d(1.0, 1.0, 1.0, 2.0) == pytest.approx(2 * c1, rel=1e-15)
    assert d(1.0, c=1.0) == pytest.approx(2 * c1, rel=1e-15)
    assert d(1.0, **{}) == d(1.0)

    def p(x, a=1.0, b=1.0, k=1.0):
        return x[0] * x[1] * a * b * k

    g, h = dualdiff.grad(p), dualdiff.hessian(p)
    for x in ([1.0, 2.0], np.array([1.0, 2.0])):
        assert np.array_equal(g(x), [2.0, 1.0])
        assert np.array_equal(g(x, 2.0, 3.0, 4.0), [48.0, 24.0])
        assert np.array_equal(g(x, k=5.0), [10.0, 5.0])
        assert np.array_equal(g(x, **{}), [2.0, 1.0])
        assert np.array_equal(h(x, k=3.0), [[0.0, 3.0], [3.0, 0.0]])
    with pytest.raises(TypeError):
        g([1.0, 2.0], z=1.0)


def test_transforms_called_every_way_give_one_answer():
    # positional calls take the vectorcall path, keyword calls, star-calls and
    # explicit __call__ the tuple path: all must agree with the hand derivative
    import functools

    def f(x, a=1.0, b=0.0, c=0.0, e=0.0):
        return dualdiff.math.sin(a * x) + b * x * x + c + e

    d = dualdiff.derivative(f)
    want = 2.0 * math.cos(2.0 * 0.3) + 3.0 * 2 * 0.3
    calls = [lambda: d(0.3, 2.0, 3.0), lambda: d(0.3, 2.0, 3.0, 1.0, 4.0), lambda: d(0.3, a=2.0, b=3.0),
             lambda: d(0.3, 2.0, b=3.0), lambda: d(*(0.3, 2.0, 3.0)), lambda: d.__call__(0.3, 2.0, 3.0),
             lambda: type(d).__call__(d, 0.3, 2.0, 3.0), lambda: functools.partial(d, 0.3)(2.0, 3.0),
             lambda: list(map(d, [0.3], [2.0], [3.0]))[0]]
    for call in calls:
        assert call() == pytest.approx(want, rel=1e-14)

    def g(x, a=1.0, b=0.0, c=0.0):
        return a * x[0] * x[1] + b * x[1] ** 2 + c

    want = np.array([2.0 * 3.0, 2.0 * 2.0 + 2 * 5.0 * 3.0])
    for gr in (dualdiff.grad(g), dualdiff.value_and_grad(g)):
        for x in ([2.0, 3.0], np.array([2.0, 3.0])):
            for call in (lambda: gr(x, 2.0, 5.0), lambda: gr(x, 2.0, 5.0, 1.0), lambda: gr(x, a=2.0, b=5.0),
                         lambda: gr.__call__(x, 2.0, b=5.0), lambda: type(gr).__call__(gr, x, 2.0, 5.0)):
                r = call()
                np.testing.assert_allclose(r[1] if isinstance(r, tuple) else r, want, rtol=1e-14)
    with pytest.raises(TypeError, match="point x"):
        dualdiff.grad(g)()
    with pytest.raises(TypeError):
        dualdiff.derivative(f)()
