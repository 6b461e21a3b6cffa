"""pytest plugin: fail a test that leaks references or memory blocks.

Load with ``-p refleaks_plugin`` (with .ci on sys.path) on a debug build of
CPython (sys.gettotalrefcount exists; elsewhere the plugin does nothing).
Each test body runs WARMUP + CHECKED times in a row; after each run the
garbage collector and the type cache are cleared and the interpreter's total
reference count and allocated block count are read. A test leaks when every
one of the CHECKED runs raised the count (the rule of CPython's own -R
option): a steady per-run increase, not one-off caches filled on first use
(see STRICT_REFS below for which count decides).
Hypothesis-driven tests are run once, not checked: hypothesis keeps growing
caches of its own; so are the tests named in REFLEAKS_SKIP (comma-separated
substrings of test ids; by default the fuzz test, which drives hypothesis
itself, the RSS tests, whose 10^5 operations are covered once each by
test_every_operation_is_exercised, and the tests that compare with mpmath
at new random points on every run).
"""
import array
import gc
import os
import sys

import pytest

from dualdiff import _dual

WARMUP = int(os.environ.get("REFLEAKS_WARMUP", "3"))
CHECKED = int(os.environ.get("REFLEAKS_CHECKED", "4"))

# test_rules' rule tests and test_math_module's binary derivatives compare
# with mpmath at fresh random points on every run, and mpmath's caches grow
# with each new input (their dualdiff part alone leaves 0 blocks per run)
SKIP = [s for s in os.environ.get(
    "REFLEAKS_SKIP",
    "test_fuzz_small_budget,test_rss_,test_unary_rule[,test_binary_rule[,test_binary_functions_derivatives",
).split(",") if s]

# The total reference count only sees increments and decrements made by code
# compiled for the debug interpreter: a release-built NumPy (Debian's) changes
# reference counts unseen, so tests that pass arrays around show constant
# non-zero deltas, positive or negative, that are not leaks. The allocated
# block count is exact whatever built the extension, so it decides; reference
# growth is listed, and decides too with REFLEAKS_STRICT_REFS=1 (for an
# environment where every extension is a debug build).
STRICT_REFS = os.environ.get("REFLEAKS_STRICT_REFS") == "1"

_results = {"checked": 0, "skipped": 0, "leaking": [], "ref_growth": []}


def _counts():
    gc.collect()
    sys._clear_type_cache()
    gc.collect()
    # recycled Duals (and the heap storage they keep) are memory the freelist
    # holds on purpose, up to a fixed bound: free them before counting blocks
    _dual._clear_freelist()
    return sys.gettotalrefcount(), sys.getallocatedblocks()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if not hasattr(sys, "gettotalrefcount") or not hasattr(item, "runtest"):
        yield
        return
    fn = getattr(item, "obj", None)
    if getattr(fn, "is_hypothesis_test", False) or any(s in item.nodeid for s in SKIP):
        _results["skipped"] += 1
        yield
        return
    original = item.runtest

    def repeated():
        # machine integers filled in place: recording a delta allocates nothing
        refs, blocks = array.array("q", [0] * (WARMUP + CHECKED)), array.array("q", [0] * (WARMUP + CHECKED))
        before = _counts()
        for i in range(WARMUP + CHECKED):
            original()
            after = _counts()
            refs[i] = after[0] - before[0]
            blocks[i] = after[1] - before[1]
            before = after
        _results["checked"] += 1
        r, b = list(refs[WARMUP:]), list(blocks[WARMUP:])
        if all(d > 0 for d in r):
            _results["ref_growth"].append((item.nodeid, r, b))
        if all(d > 0 for d in b) or (STRICT_REFS and all(d > 0 for d in r)):
            _results["leaking"].append((item.nodeid, r, b))
            raise AssertionError(f"leak: reference deltas per run {r}, block deltas {b} "
                                 f"(after {WARMUP} warm-up runs)")

    item.runtest = repeated
    try:
        yield
    finally:
        item.runtest = original


def pytest_terminal_summary(terminalreporter):
    if not hasattr(sys, "gettotalrefcount"):
        terminalreporter.write_line("refleaks: not a debug build of CPython, nothing checked")
        return
    r = _results
    terminalreporter.write_line(
        f"refleaks: {r['checked']} tests checked ({WARMUP} warm-up + {CHECKED} checked runs each), "
        f"{r['skipped']} not checked (hypothesis, REFLEAKS_SKIP), {len(r['leaking'])} leaking "
        f"(allocated blocks{' or references' if STRICT_REFS else ''} growing on every checked run); "
        f"{len(r['ref_growth'])} with steady total-refcount growth")
    for nodeid, refs, blocks in r["leaking"]:
        terminalreporter.write_line(f"  leaking {nodeid}: refs {refs} blocks {blocks}")
    for nodeid, refs, blocks in r["ref_growth"]:
        terminalreporter.write_line(f"  refcount growth {nodeid}: refs {refs} blocks {blocks}")
