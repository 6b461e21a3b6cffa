"""Shared fixtures: a printed random seed and the benchmark corpus.

The seed of every randomized test is printed in pytest's header; set the
environment variable DUALDIFF_SEED to rerun with the same points.

Warnings are errors (``filterwarnings = ["error"]`` in pyproject.toml), in
Hypothesis tests as in the others. A test that is about a warning asserts it
with ``pytest.warns``. A test that computes at a singular point on purpose
(log of 0, overflow, inf - inf) wraps that computation, and only that one, in
``np.errstate`` or in ``warnings.catch_warnings`` with a filter for that
warning. A warning that dualdiff gives where NumPy gives none on the same
values is a bug in dualdiff, fixed there with a test that both agree. The
filter list in pyproject.toml ignores only warnings raised inside third-party
packages that we cannot change, each as narrowly as it can be matched and
with a comment saying why; RuntimeWarning is never ignored as a whole.
"""
import importlib.util
import os
import pathlib
import random
import zlib

import numpy as np
import pytest

_ROOT = pathlib.Path(__file__).resolve().parent.parent

SEED = int(os.environ.get("DUALDIFF_SEED", random.SystemRandom().randrange(2**32)))


def pytest_report_header(config):
    return f"dualdiff random seed: {SEED} (set DUALDIFF_SEED={SEED} to reproduce)"


def pytest_configure(config):
    # Hypothesis draws from the same seed unless told otherwise on the command line.
    try:
        if config.getoption("hypothesis_seed", None) is None:
            config.option.hypothesis_seed = SEED
    except ValueError:  # pragma: no cover - hypothesis plugin not loaded
        pass


@pytest.fixture
def seed():
    """The session's random seed (printed in the header)."""
    return SEED


@pytest.fixture
def rng(request):
    """rng: a numpy Generator seeded from the session seed and the test's id,
    so that one test's points do not depend on which other tests ran."""
    salt = zlib.crc32(request.node.nodeid.encode())
    return np.random.default_rng([SEED, salt])


@pytest.fixture(scope="session")
def corpus():
    """corpus: benchmarks/corpus.py, loaded by file path (the repository root
    is never put on sys.path, so the uncompiled package cannot shadow the
    installed one)."""
    path = _ROOT / "benchmarks" / "corpus.py"
    spec = importlib.util.spec_from_file_location("dualdiff_bench_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
