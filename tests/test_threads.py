"""Derivatives computed from 8 threads at once equal a single-threaded run.

The compiled code keeps no mutable global state (see the thread-safety note
in dualdiff/_dual.pyx): every Dual owns its storage, and the module-level
tables are filled at import and only read afterwards.
"""
import importlib.util
import os
import threading

import numpy as np

import dualdiff
from dualdiff import Dual
from dualdiff import math as dm

_spec = importlib.util.spec_from_file_location(
    "dualdiff_corpus", os.path.join(os.path.dirname(__file__), "..", "benchmarks", "corpus.py"))
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

THREADS = 8
ROUNDS = 60


def _points(seed):
    return np.random.default_rng(seed).uniform(-1.5, 1.5, size=(ROUNDS, 8))


def _work(seed):
    """Gradients and Hessians of the corpus functions at ROUNDS points, by hand-seeded Duals
    (widths 8 and 16 straddle the inline/heap storage boundary), and whatever transforms
    this build offers."""
    out = []
    for x in _points(seed):
        xs = [Dual(float(v), [1.0 if j == i else 0.0 for j in range(8)]) for i, v in enumerate(x)]
        y = corpus.loop_function(xs)
        out.append((y.value, tuple(y.tangent)))
        h = [Dual(float(v), [1.0 if j == i else 0.0 for j in range(8)], hessian=np.zeros((8, 8)))
             for i, v in enumerate(x)]
        y2 = corpus.loop_function(h)
        out.append((y2.value, tuple(y2.tangent), tuple(y2.hessian.ravel())))
        wide = Dual(float(x[0]) * 0.25 + 0.5, list(x) + list(-x))  # width 16: heap storage
        s = corpus.scalar_expr(wide, dm)
        out.append((s.value, tuple(s.tangent), dualdiff.all_finite(s)))
        if hasattr(dualdiff, "grad"):
            out.append(tuple(np.asarray(dualdiff.grad(corpus.loop_function)(x), dtype=float)))
    return out


def test_eight_threads_agree_with_one():
    seeds = list(range(THREADS))
    expected = [_work(s) for s in seeds]
    results = [None] * THREADS
    errors = []
    barrier = threading.Barrier(THREADS)

    def run(i):
        try:
            barrier.wait()
            for _ in range(3):  # keep the threads overlapping for a while
                results[i] = _work(seeds[i])
        except BaseException as e:  # reported below, in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i in range(THREADS):
        assert results[i] == expected[i], f"thread {i} differs from the single-threaded run"


def test_threaded_results_are_correct():
    # the single-threaded reference itself against the hand gradient of the corpus
    x = _points(0)[0]
    got = _work(0)[0][1]
    np.testing.assert_allclose(got, corpus.loop_function_gradient(list(x)), rtol=1e-13, atol=1e-12)
