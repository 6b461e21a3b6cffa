"""Memory stays flat over many public operations (.ci/rss.py runs 10^6 of them;
.ci/refleaks checks reference counts per test on a debug interpreter)."""
import importlib.util
import os

import pytest

from dualdiff import Dual

# AddressSanitizer keeps freed memory in quarantine, so RSS grows by design there
_asan = pytest.mark.skipif("libasan" in os.environ.get("LD_PRELOAD", ""),
                           reason="RSS is not meaningful under AddressSanitizer")

_here = os.path.dirname(__file__)


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


rss = _load("dualdiff_rss_check", os.path.join(_here, "..", ".ci", "rss.py"))
everyop = rss.everyop


def test_every_operation_is_exercised():
    calls = everyop.calls()
    names = {name for name, _, _ in calls}
    assert names == set(everyop._fuzz.NAMES)
    # every call either returns or raises an allowed exception, and some raise
    assert 0 < everyop.run(calls, len(calls)) < len(calls)


@_asan
def test_rss_flat_over_100k_operations():
    growth, n = rss.check(100_000, 2.0, log=lambda s: None)
    assert n == 100_000
    assert growth <= 2.0, f"RSS grew by {growth:.2f} MiB"


@_asan
def test_rss_check_detects_a_leak():
    # the detector itself: keeping one heap-stored Dual per call must show
    kept = []
    leaky = [("leak", lambda: kept.append(Dual(1.0, [1.0] * 20) * 2.0), [])]
    original = everyop.calls
    everyop.calls = lambda: leaky
    try:
        growth, _ = rss.check(100_000, 2.0, log=lambda s: None)
    finally:
        everyop.calls = original
    assert growth > 2.0
