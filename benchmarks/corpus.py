"""Functions shared by the benchmarks and the tests.

Each takes the module of elementary functions as ``m`` (math, cmath,
dualdiff.math, numpy, ...) so that one definition serves every number type.
"""


def scalar_expr(x, m):
    """A 16-operation scalar expression (the scalar benchmark's workload)."""
    return m.sin(x) * m.exp(-0.5 * x) + m.sqrt(1.0 + x * x) / (2.0 + m.cos(x)) - m.log(1.0 + x) * x ** 3


def scalar_expr_derivative(x, m):
    """Its derivative, written by hand."""
    s, c, e = m.sin(x), m.cos(x), m.exp(-0.5 * x)
    r = m.sqrt(1.0 + x * x)
    return (c * e - 0.5 * s * e
            + (x / r) / (2.0 + c) + r * s / (2.0 + c) ** 2
            - x ** 3 / (1.0 + x) - 3.0 * x ** 2 * m.log(1.0 + x))


def loop_function(x):
    """A scalar function of 8 variables written as a plain Python loop
    (an extended Rosenbrock with a coupling term)."""
    total = 0.0
    n = len(x)
    for i in range(n - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1.0 - x[i]
        total = total + 100.0 * a * a + b * b
    return total + 0.1 * x[0] * x[n - 1]


def loop_function_gradient(x):
    """Its gradient, by hand."""
    n = len(x)
    g = [0.0] * n
    for i in range(n - 1):
        a = x[i + 1] - x[i] * x[i]
        g[i] += -400.0 * a * x[i] - 2.0 * (1.0 - x[i])
        g[i + 1] += 200.0 * a
    g[0] += 0.1 * x[n - 1]
    g[n - 1] += 0.1 * x[0]
    return g


def bratu(u, lam=1.0, xp=None):
    """Residual of the 1-D Bratu problem u'' + lam exp(u) = 0, u(0) = u(1) = 0,
    on the grid u[0..n-1] (boundary rows u[0] and u[n-1]), written with slicing,
    concatenate and exp. ``xp`` is the array module (numpy by default)."""
    if xp is None:
        import numpy as xp
    n = u.shape[0]
    h2 = (1.0 / (n - 1)) ** 2
    inner = (u[:-2] - 2.0 * u[1:-1] + u[2:]) / h2 + lam * xp.exp(u[1:-1])
    return xp.concatenate([u[:1], inner, u[-1:]])


def bratu_jacobian(u, lam=1.0):
    """Its Jacobian, by hand (a dense float array)."""
    import numpy as np
    n = u.shape[0]
    h2 = (1.0 / (n - 1)) ** 2
    J = np.zeros((n, n))
    J[0, 0] = J[-1, -1] = 1.0
    i = np.arange(1, n - 1)
    J[i, i - 1] = J[i, i + 1] = 1.0 / h2
    J[i, i] = -2.0 / h2 + lam * np.exp(u[1:-1])
    return J


def long_function(x, m):
    """A scalar function of 4 variables that performs 1,000 operations
    (100 rounds of 10), written as a plain Python loop."""
    a, b, c, d = x[0], x[1], x[2], x[3]
    s = 0.0
    for k in range(100):
        u = m.sin(a * (0.01 * k) + b)
        v = m.cos(c - d * 0.1)
        s = 0.9 * s + u * v + a
    return s
