"""dualdiff.integrate: odeint and solve_ivp with dual initial values, parameters
and times.

Derivatives against closed forms: the linear system y' = A y (its solution
expm(t A) y0, differentiated in A by SciPy's own expm_frechet) and the
logistic equation (whose closed-form solution dualdiff differentiates without
any ODE); second order, nesting, dual output times, every solve_ivp method,
dense output, plain arguments (SciPy's own results), the refusals, and a
parameter fit through scipy.optimize.least_squares.
"""
import numpy as np
import pytest

si = pytest.importorskip("scipy.integrate")
sl = pytest.importorskip("scipy.linalg")

import dualdiff  # noqa: E402
from dualdiff import Dual  # noqa: E402
from dualdiff.integrate import odeint, solve_ivp  # noqa: E402

TIGHT = dict(rtol=1e-12, atol=1e-12)


def _logistic(t, r, K, y0):
    """The logistic equation's solution y' = r y (1 - y/K), y(0) = y0."""
    e = np.exp(r * t)
    return K * y0 * e / (K + y0 * (e - 1))


def test_linear_system_against_the_matrix_exponential(rng):
    A = rng.normal(size=(3, 3)) - np.eye(3)
    E = rng.normal(size=(3, 3))
    y0 = rng.normal(size=3)
    t = np.array([0.0, 0.4, 1.3])

    def solve(a, y):
        return odeint(lambda z, s: a @ z, y, t, **TIGHT)

    J = dualdiff.jacobian(lambda y: solve(A, y)[-1])(y0)
    np.testing.assert_allclose(J, sl.expm(1.3 * A), rtol=1e-9, atol=1e-10)
    _, d = dualdiff.jvp(lambda a: solve(a, y0), A, E)
    for k, tk in enumerate(t):
        ref = sl.expm_frechet(tk * A, tk * E, compute_expm=False) @ y0
        np.testing.assert_allclose(d[k], ref, rtol=1e-8, atol=1e-10)
    # the values: SciPy's run on plain numbers, to the tolerances
    y, _ = dualdiff.jvp(lambda a: solve(a, y0), A, E)
    np.testing.assert_allclose(y, si.odeint(lambda z, s: A @ z, y0, t, **TIGHT), rtol=1e-10, atol=1e-12)


def test_logistic_second_order_and_nesting():
    p = np.array([1.3, 4.0, 0.5])  # r, K, y0
    T = 2.5

    def by_ode(q):
        return odeint(lambda y, s, r, K: r * y * (1 - y / K), q[2], [0.0, T], args=(q[0], q[1]), **TIGHT)[-1, 0]

    def closed(q):
        return _logistic(T, q[0], q[1], q[2])

    np.testing.assert_allclose(dualdiff.grad(by_ode)(p), dualdiff.grad(closed)(p), rtol=1e-9)
    H = dualdiff.hessian(by_ode)(p)
    np.testing.assert_allclose(H, dualdiff.hessian(closed)(p), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dualdiff.jacobian(dualdiff.grad(by_ode))(p), H, rtol=1e-8, atol=1e-10)


def test_dual_output_times():
    # d/dT y(T) = f(y(T)); d2/dT2 y(T) = f'(y) f(y), for the logistic equation
    r, K, y0 = 0.9, 3.0, 0.4

    def at(T):
        return odeint(lambda y, s: r * y * (1 - y / K), y0, dualdiff.numpy.array([0.0, T]), **TIGHT)[-1, 0]

    for T in (0.5, 2.0):
        y = _logistic(T, r, K, y0)
        f = r * y * (1 - y / K)
        assert dualdiff.derivative(at)(T) == pytest.approx(f, rel=1e-10)
        assert dualdiff.derivative(dualdiff.derivative(at))(T) == pytest.approx(r * (1 - 2 * y / K) * f, rel=1e-8)
    # a list of times holding a Dual, and tfirst=True
    d = dualdiff.derivative(lambda T: odeint(lambda s, y: -y, 1.0, [0.0, T], tfirst=True, **TIGHT)[-1, 0])(1.0)
    assert d == pytest.approx(-np.exp(-1.0), rel=1e-10)


@pytest.mark.parametrize("method", ["RK45", "DOP853", "Radau", "BDF", "LSODA"])
def test_solve_ivp_methods(method):
    p = np.array([1.3, 4.0, 0.5])
    T = np.array([0.5, 1.0, 2.5])

    def by_ode(q):
        res = solve_ivp(lambda t, y, r, K: r * y * (1 - y / K), (0.0, 2.5), [q[2]], method=method, t_eval=T,
                        args=(q[0], q[1]), rtol=1e-11, atol=1e-12)
        assert res.success
        return res.y[0]

    J = dualdiff.jacobian(by_ode)(p)
    np.testing.assert_allclose(J, dualdiff.jacobian(lambda q: _logistic(T, *q))(p), rtol=1e-6, atol=1e-8)


def test_solve_ivp_dense_output_and_plain_arguments():
    def run(k):
        return solve_ivp(lambda t, y: -k * y, (0.0, 2.0), [1.0, 2.0], dense_output=True, rtol=1e-11, atol=1e-12)

    res = run(Dual(0.5, 1.0))
    mid = res.sol(1.0)
    np.testing.assert_allclose(mid.value, [np.exp(-0.5), 2 * np.exp(-0.5)], rtol=1e-9)
    np.testing.assert_allclose(mid.tangent[:, 0], [-np.exp(-0.5), -2 * np.exp(-0.5)], rtol=1e-8)
    assert res.sol(np.array([0.5, 1.5])).shape == (2, 2)
    # plain arguments: SciPy's own result, bit for bit
    ours = solve_ivp(lambda t, y: -0.5 * y, (0.0, 2.0), [1.0, 2.0])
    theirs = si.solve_ivp(lambda t, y: -0.5 * y, (0.0, 2.0), [1.0, 2.0])
    np.testing.assert_array_equal(ours.y, theirs.y)
    np.testing.assert_array_equal(odeint(lambda y, t: -y, [1.0], [0.0, 1.0]), si.odeint(lambda y, t: -y, [1.0], [0.0, 1.0]))
    y, info = odeint(lambda y, t, k: -k * y, [1.0], [0.0, 1.0], args=(Dual(2.0, 1.0),), full_output=True)
    assert "nfe" in info and y[-1, 0].tangent == pytest.approx(-np.exp(-2.0), rel=1e-6)


def test_refusals_say_what_is_not_supported():
    with pytest.raises(TypeError, match="events"):
        dualdiff.derivative(lambda k: solve_ivp(lambda t, y: -k * y, (0, 1), [1.0], events=lambda t, y: y[0] - 0.5)
                            .y[0, -1])(1.0)
    with pytest.raises(TypeError, match="t_span"):
        dualdiff.derivative(lambda T: solve_ivp(lambda t, y: -y, (0, T), [1.0]).y[0, -1])(1.0)
    with pytest.raises(TypeError, match="sparsity detection"):
        dualdiff.SparseJacobian(lambda y: odeint(lambda z, t: -z, y, [0.0, 1.0])[-1])(np.ones(2))
    with pytest.raises(TypeError, match="Taylor"):
        dualdiff.taylor(lambda k: odeint(lambda z, t: -k * z, 1.0, [0.0, 1.0])[-1, 0], 3)(1.0)


def test_least_squares_fits_an_ode_model():
    from scipy.optimize import least_squares
    T = np.linspace(0.2, 5.0, 12)
    data = _logistic(T, 1.1, 3.0, 0.3)

    def residuals(q):
        res = solve_ivp(lambda t, y: q[0] * y * (1 - y / q[1]), (0.0, 5.0), [0.3], t_eval=T, rtol=1e-10, atol=1e-12)
        return res.y[0] - data

    fit = least_squares(residuals, [0.8, 2.0], jac=dualdiff.jacobian(residuals))
    np.testing.assert_allclose(fit.x, [1.1, 3.0], rtol=1e-6)


def test_dual_initial_time():
    # y' = -y from y0 at t0: y(t) = y0 exp(t0 - t), so d/dt0 y(t) = y(t), and so on
    def final(t0, k=1):
        return odeint(lambda y, s: -y, 2.0, dualdiff.numpy.array([t0, 1.5]) if k else [t0, 1.5], **TIGHT)[-1, 0]

    assert dualdiff.derivative(final)(0.25) == pytest.approx(2.0 * np.exp(-1.25), rel=1e-10)
    assert dualdiff.derivative(dualdiff.derivative(final))(0.25) == pytest.approx(2.0 * np.exp(-1.25), rel=1e-8)
    # the first row is y0 itself, whatever t0
    assert dualdiff.derivative(lambda t0: odeint(lambda y, s: -y, 2.0, [t0, 1.5])[0, 0])(0.25) == 0.0


def test_every_argument_against_differences_of_scipy(rng):
    # a nonlinear, time-dependent, coupled system, in y0, every time (the
    # first one too) and both extra arguments
    def func(y, t, a1, a2):
        return a1 * np.cos(3 * t) - np.sqrt(1 + t) * y - a2 * np.sum(y ** 2) / 3

    args = [rng.normal(size=3), np.linspace(0.1, 0.2, 4), rng.normal(size=3), rng.normal(size=3)]
    for i in range(4):
        v = rng.normal(size=args[i].shape)

        def run(solver, x, i=i):
            a = list(args)
            a[i] = x
            return solver(func, a[0], a[1], args=(a[2], a[3]), **TIGHT)

        _, t = dualdiff.jvp(lambda x: run(odeint, x), args[i], v)
        # differences of adaptive runs carry their step choices' noise, about
        # rtol / h of the solution's size: h = 1e-4 keeps it and the truncation
        # error near 1e-8 |y| (10 times that: an adaptive run's global error
        # exceeds its local tolerance), which bounds entries near 0
        h = 1e-4
        ref = (run(si.odeint, args[i] + h * v) - run(si.odeint, args[i] - h * v)) / (2 * h)
        noise = TIGHT["rtol"] / h * np.max(np.abs(run(si.odeint, args[i])))
        np.testing.assert_allclose(t, ref, rtol=1e-5, atol=10 * noise, err_msg=f"argument {i}")
