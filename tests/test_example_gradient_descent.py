"""Example: fit a small model by mini-batch gradient descent with Adam and an
L2 penalty, gradients from dualdiff. The README shows the same code."""
import os
import re

import numpy as np
import pytest

import dualdiff


def loss(w, X, y, l2):
    """Mean squared error of the linear model X @ w[:-1] + w[-1], plus l2 * |w[:-1]|^2."""
    pred = X @ w[:-1] + w[-1]
    r = pred - y
    return (r @ r) / len(y) + l2 * (w[:-1] @ w[:-1])


def adam_fit(X, y, l2=0.01, lr=0.05, epochs=300, batch=32, seed=0):
    """Mini-batch Adam (learning rate lr, moments 0.9 and 0.999) on loss()."""
    rng = np.random.default_rng(seed)
    grad = dualdiff.grad(loss)
    w = np.zeros(X.shape[1] + 1)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        step = lr / (1.0 + epoch / 30.0)  # decaying learning rate: SGD noise averages out
        for start in range(0, len(y), batch):
            idx = order[start:start + batch]
            g = grad(w, X[idx], y[idx], l2)
            t += 1
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            w = w - step * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return w


def make_data(n=256, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.7 + 0.1 * rng.normal(size=n)
    return X, y


def ridge_solution(X, y, l2):
    """The exact minimiser of loss() on the whole data: the normal equations."""
    n = len(y)
    A = np.column_stack([X, np.ones(n)])
    P = np.diag([l2] * X.shape[1] + [0.0])
    return np.linalg.solve(A.T @ A / n + P, A.T @ y / n)


def test_adam_fit_reaches_the_ridge_solution():
    X, y = make_data()
    w = adam_fit(X, y)
    w_star = ridge_solution(X, y, 0.01)
    np.testing.assert_allclose(w, w_star, atol=5e-3)
    # the full-batch gradient at the exact minimiser is 0 (checks the gradient itself)
    np.testing.assert_allclose(dualdiff.grad(loss)(w_star, X, y, 0.01), 0.0, atol=1e-12)


def test_loss_gradient_by_hand():
    X, y = make_data(20)
    w = np.array([0.3, -0.1, 0.2, 0.05])
    A = np.column_stack([X, np.ones(len(y))])
    r = A @ w - y
    by_hand = 2.0 * A.T @ r / len(y) + 2.0 * 0.01 * np.append(w[:-1], 0.0)
    np.testing.assert_allclose(dualdiff.grad(loss)(w, X, y, 0.01), by_hand, rtol=1e-13, atol=1e-15)


def test_readme_snippet_runs_as_shown():
    """The README's copy of this example is complete: it runs on its own and fits its data."""
    path = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")
    if not os.path.exists(path):
        pytest.skip("README.md not next to the tests")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "Adam's moments" in b]
    ns = {}
    exec(compile(block, "README.md", "exec"), ns)
    np.testing.assert_allclose(ns["w"], ridge_solution(ns["X"], ns["y"], 0.01), atol=5e-3)
