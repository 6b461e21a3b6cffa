"""dualdiff.ipopt: HS071 to its published optimum, and a large sparse optimal
control problem solved to the optimum found with hand-written derivatives."""
import numpy as np
import pytest

import dualdiff
from dualdiff.ipopt import Problem

try:
    import cyipopt
except ImportError:  # cyipopt builds against the IPOPT library, an optional extra
    cyipopt = None

needs_ipopt = pytest.mark.skipif(cyipopt is None, reason="cyipopt is not installed (pip install "
                                 "'dualdiff[ipopt]' with the IPOPT library, e.g. coinor-libipopt-dev)")
QUIET = {"print_level": 0, "sb": "yes"}


def hs071_f(x):
    return x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2]


def hs071_c(x):
    return [x[0] * x[1] * x[2] * x[3], np.sum(x ** 2)]


def hs071():
    return Problem(hs071_f, [1.0, 5.0, 5.0, 1.0], constraints=hs071_c, bounds=(1.0, 5.0),
                   constraint_bounds=([25.0, 40.0], [np.inf, 40.0]))


def test_hs071_callbacks_against_hand_derivatives():
    p = hs071()
    x = np.array([1.3, 4.1, 3.7, 1.9])
    lam = np.array([0.6, -1.1])
    sigma = 0.8
    x0, x1, x2, x3 = x
    grad = [x3 * (2 * x0 + x1 + x2), x0 * x3, x0 * x3 + 1, x0 * (x0 + x1 + x2)]
    np.testing.assert_allclose(p.gradient(x), grad, rtol=1e-15)
    rows, cols = p.jacobianstructure()
    J = np.array([[x1 * x2 * x3, x0 * x2 * x3, x0 * x1 * x3, x0 * x1 * x2], 2 * x])
    np.testing.assert_allclose(p.jacobian(x), J[rows, cols], rtol=1e-15)
    assert len(rows) == 8
    # the Lagrangian's Hessian, from the IPOPT tutorial's formulas
    H = sigma * np.array([[2 * x3, x3, x3, 2 * x0 + x1 + x2], [x3, 0, 0, x0], [x3, 0, 0, x0],
                          [2 * x0 + x1 + x2, x0, x0, 0]])
    H += lam[0] * np.array([[0, x2 * x3, x1 * x3, x1 * x2], [x2 * x3, 0, x0 * x3, x0 * x2],
                            [x1 * x3, x0 * x3, 0, x0 * x1], [x1 * x2, x0 * x2, x0 * x1, 0]])
    H += lam[1] * 2 * np.eye(4)
    hr, hc = p.hessianstructure()
    assert np.all(hr >= hc)
    assert len(hr) == 10  # the lower triangle of a dense 4 x 4
    np.testing.assert_allclose(p.hessian(x, lam, sigma), H[hr, hc], rtol=1e-14)


@needs_ipopt
def test_hs071_reaches_the_published_optimum():
    x, info = hs071().solve(tol=1e-10, **QUIET)
    assert info["status"] == 0
    assert info["obj_val"] == pytest.approx(17.0140173, abs=1e-6)
    np.testing.assert_allclose(x, [1.0, 4.743, 3.8211, 1.3794], atol=1e-3)


# A discretized optimal control problem: the state y follows
# y' = u - y^3 on [0, 1] (explicit Euler, N steps, y(0) = 0), the control
# 0 <= u <= 20; minimize h/2 sum (y - 1)^2 + alpha h/2 sum u^2.
N = 5000
h = 1.0 / N
ALPHA = 1e-2
n = 2 * N + 1


def control_f(z):
    y, u = z[:N + 1], z[N + 1:]
    return 0.5 * h * np.sum((y - 1.0) ** 2) + 0.5 * ALPHA * h * np.sum(u ** 2)


def control_c(z):
    y, u = z[:N + 1], z[N + 1:]
    return y[1:] - y[:-1] - h * u + h * y[:-1] ** 3


def control_bounds():
    lb, ub = np.full(n, -np.inf), np.full(n, np.inf)
    lb[0] = ub[0] = 0.0
    lb[N + 1:], ub[N + 1:] = 0.0, 20.0
    return lb, ub


class HandWritten:
    """The same problem with derivatives written by hand."""

    def objective(self, z):
        return control_f(z)

    def gradient(self, z):
        g = np.empty(n)
        g[:N + 1] = h * (z[:N + 1] - 1.0)
        g[N + 1:] = ALPHA * h * z[N + 1:]
        return g

    def constraints(self, z):
        return control_c(z)

    def jacobianstructure(self):
        i = np.arange(N)
        return np.concatenate((i, i, i)), np.concatenate((i, i + 1, N + 1 + i))

    def jacobian(self, z):
        y = z[:N + 1]
        return np.concatenate((-1.0 + 3 * h * y[:-1] ** 2, np.ones(N), np.full(N, -h)))

    def hessianstructure(self):
        i = np.arange(n)
        return i, i

    def hessian(self, z, lagrange, obj_factor):
        d = np.empty(n)
        d[:N + 1] = obj_factor * h
        d[N + 1:] = obj_factor * ALPHA * h
        d[:N] += lagrange * 6 * h * z[:N]
        return d


def _dense_of(structure, values, shape):
    rows, cols = structure
    out = np.zeros(shape)
    np.add.at(out, (rows, cols), values)
    return out


def test_control_callbacks_against_hand_derivatives(rng):
    lb, ub = control_bounds()
    p = Problem(control_f, np.zeros(n), constraints=control_c, bounds=(lb, ub))
    ref = HandWritten()
    z = rng.uniform(0, 1, n)
    lam = rng.normal(size=N)
    np.testing.assert_allclose(p.gradient(z), ref.gradient(z), rtol=1e-14, atol=1e-18)
    a = sp_of(p.jacobianstructure(), p.jacobian(z), (N, n))
    b = sp_of(ref.jacobianstructure(), ref.jacobian(z), (N, n))
    assert abs(a - b).max() < 1e-15
    a = sp_of(p.hessianstructure(), p.hessian(z, lam, 0.7), (n, n))
    b = sp_of(ref.hessianstructure(), ref.hessian(z, lam, 0.7), (n, n))
    assert abs(a - b).max() < 1e-15
    assert p._hess.ncolors == 1  # every element is nonlinear in one input


def sp_of(structure, values, shape):
    sp = pytest.importorskip("scipy.sparse")
    return sp.coo_array((values, structure), shape=shape).tocsr()


@needs_ipopt
def test_control_problem_solves_to_the_hand_written_optimum():
    lb, ub = control_bounds()
    z0 = np.zeros(n)
    opts = {"tol": 1e-10, **QUIET}
    p = Problem(control_f, z0, constraints=control_c, bounds=(lb, ub))
    z, info = p.solve(**opts)
    nlp = cyipopt.Problem(n=n, m=N, problem_obj=HandWritten(), lb=lb, ub=ub, cl=np.zeros(N), cu=np.zeros(N))
    for k, v in opts.items():
        nlp.add_option(k, v)
    z_ref, info_ref = nlp.solve(z0)
    assert info["status"] == 0 and info_ref["status"] == 0
    assert info["obj_val"] == pytest.approx(info_ref["obj_val"], rel=1e-9)
    np.testing.assert_allclose(z, z_ref, atol=1e-6)
    # the optimum is interior and reaches y near 1
    assert 0.5 < z[N] < 1.0


def test_problem_without_constraints_and_errors():
    p = Problem(lambda x: np.sum((x - 2.0) ** 2), np.zeros(3))
    assert p.m == 0 and p.jacobian(np.zeros(3)).size == 0
    np.testing.assert_allclose(p.hessian(np.zeros(3), np.zeros(0), 1.0), [2.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="lower bound"):
        Problem(lambda x: np.sum(x ** 2), np.zeros(2), bounds=(1.0, 0.0))
    if cyipopt is not None:
        x, info = p.solve(**QUIET)
        np.testing.assert_allclose(x, 2.0, rtol=1e-8)
    np.testing.assert_allclose(dualdiff.grad(lambda x: np.sum((x - 2.0) ** 2))(np.zeros(3)), p.gradient(np.zeros(3)))
