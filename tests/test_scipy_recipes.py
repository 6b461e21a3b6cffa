"""SciPy recipes: each example function is documented in the README and run here
until it converges to a known solution."""
import numpy as np
import pytest
from scipy import integrate, optimize

import dualdiff


# ---------------------------------------------------------------- the examples

def rosenbrock(x, a=1.0, b=100.0):
    """Rosenbrock's function of any number of variables; minimum 0 at x = (a, a, ...)."""
    return np.sum(b * (x[1:] - x[:-1] ** 2) ** 2 + (a - x[:-1]) ** 2)


X0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])  # the start of SciPy's tutorial


def minimize_bfgs():
    """minimize with jac=grad(f); args= passes through to f and the gradient."""
    return optimize.minimize(rosenbrock, X0, args=(1.0, 100.0), method="BFGS",
                             jac=dualdiff.grad(rosenbrock), options={"gtol": 1e-10})


def minimize_bfgs_value_and_grad():
    """jac=True with value_and_grad: one evaluation gives both."""
    return optimize.minimize(dualdiff.value_and_grad(rosenbrock), X0, method="BFGS",
                             jac=True, options={"gtol": 1e-10})


def minimize_newton_cg_hess():
    """Newton-CG with the exact Hessian."""
    return optimize.minimize(rosenbrock, X0, method="Newton-CG", jac=dualdiff.grad(rosenbrock),
                             hess=dualdiff.hessian(rosenbrock), options={"xtol": 1e-12})


def minimize_newton_cg_hessp():
    """Newton-CG with Hessian-vector products (never forms the Hessian)."""
    return optimize.minimize(rosenbrock, X0, method="Newton-CG", jac=dualdiff.grad(rosenbrock),
                             hessp=dualdiff.hvp(rosenbrock), options={"xtol": 1e-12})


def minimize_trust_exact():
    """trust-exact with the exact Hessian."""
    return optimize.minimize(rosenbrock, X0, method="trust-exact", jac=dualdiff.grad(rosenbrock),
                             hess=dualdiff.hessian(rosenbrock), options={"gtol": 1e-9})


def equations(x):
    """The system of SciPy's root() documentation example."""
    return [x[0] + 0.5 * (x[0] - x[1]) ** 3 - 1.0,
            0.5 * (x[1] - x[0]) ** 3 + x[1]]


def root(method):
    """root with jac=jacobian(F), for method "hybr" or "lm"."""
    return optimize.root(equations, [0.0, 0.0], jac=dualdiff.jacobian(equations), method=method)


T_DATA = np.linspace(0.0, 4.0, 25)
Y_DATA = 2.5 * np.exp(-1.3 * T_DATA) + 0.5  # exact data of the model with p = (2.5, 1.3, 0.5)


def residuals(p, t, y):
    """Residuals of the model p0 exp(-p1 t) + p2 against data (t, y)."""
    return p[0] * np.exp(-p[1] * t) + p[2] - y


def least_squares():
    """least_squares with jac=jacobian(residuals); args= passes the data."""
    return optimize.least_squares(residuals, [1.0, 1.0, 0.0], jac=dualdiff.jacobian(residuals),
                                  args=(T_DATA, Y_DATA), xtol=1e-14, ftol=1e-14, gtol=1e-14)


def robertson(t, y, k1=0.04, k2=3e7, k3=1e4):
    """Robertson's stiff chemical kinetics."""
    return [-k1 * y[0] + k3 * y[1] * y[2],
            k1 * y[0] - k3 * y[1] * y[2] - k2 * y[1] ** 2,
            k2 * y[1] ** 2]


def solve_robertson(method):
    """solve_ivp (BDF or Radau) with jac= from jacobian: differentiate in y,
    SciPy calls fun(t, y) and jac(t, y)."""
    J = dualdiff.jacobian(lambda y, t: robertson(t, y))
    return integrate.solve_ivp(robertson, (0.0, 40.0), [1.0, 0.0, 0.0], method=method,
                               jac=lambda t, y: J(y, t), rtol=1e-8, atol=[1e-10, 1e-14, 1e-10])


def cubic(x):
    """Wallis's cubic x**3 - 2x - 5."""
    return x ** 3 - 2.0 * x - 5.0


def newton_halley():
    """optimize.newton with fprime and fprime2 (Halley's method); the second
    derivative of a scalar function is hessian(f) at a number."""
    return optimize.newton(cubic, 2.0, fprime=dualdiff.derivative(cubic),
                           fprime2=dualdiff.hessian(cubic), full_output=True)


# ---------------------------------------------------------------- the tests

@pytest.mark.parametrize("example", [minimize_bfgs, minimize_bfgs_value_and_grad,
                                     minimize_newton_cg_hess, minimize_newton_cg_hessp,
                                     minimize_trust_exact])
def test_minimize_reaches_the_rosenbrock_minimum(example):
    res = example()
    assert res.success, res.message
    np.testing.assert_allclose(res.x, np.ones(5), rtol=0, atol=1e-7)
    assert res.fun < 1e-14


@pytest.mark.parametrize("method", ["hybr", "lm"])
def test_root_solves_the_system(method):
    res = root(method)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, [0.8411639, 0.1588361], atol=1e-7)  # SciPy's documented answer
    np.testing.assert_allclose(equations(res.x), [0.0, 0.0], atol=1e-12)


def test_least_squares_recovers_the_parameters():
    res = least_squares()
    assert res.success
    np.testing.assert_allclose(res.x, [2.5, 1.3, 0.5], rtol=1e-10)
    J = dualdiff.jacobian(residuals)(res.x, T_DATA, Y_DATA)
    e = np.exp(-1.3 * T_DATA)  # by hand: d/dp of p0 exp(-p1 t) + p2
    np.testing.assert_allclose(J, np.column_stack([e, -2.5 * T_DATA * e, np.ones_like(e)]),
                               rtol=1e-12)


@pytest.mark.parametrize("method", ["BDF", "Radau"])
def test_solve_ivp_robertson_with_exact_jacobian(method):
    sol = solve_robertson(method)
    assert sol.success, sol.message
    y = sol.y[:, -1]
    # Reference values at t = 40 (Hairer & Wanner's stiff test set).
    np.testing.assert_allclose(y, [0.7158270687, 9.185534764e-6, 0.2841637457], rtol=2e-6)
    assert abs(y.sum() - 1.0) < 1e-9  # mass is conserved
    assert sol.njev > 0


def test_newton_with_first_and_second_derivatives():
    x, info = newton_halley()
    assert info.converged
    assert abs(x - 2.0945514815423265) < 1e-15  # Wallis's root
    assert info.iterations <= 5
