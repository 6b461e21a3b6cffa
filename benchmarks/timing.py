"""Interleaved median timing shared by the benchmarks.

``measure`` times every callable of a table in rounds: each round takes one
sample of every entry in turn, so a burst of load on a shared machine hits all
entries alike, and the median of the rounds is reported. Each entry is first
calibrated to a number of calls per sample that lasts about ``target`` seconds.
"""
import statistics
import time
import timeit


def calls_per_sample(fn, target, timer=time.process_time, calibrate=0.2):
    """Calls of ``fn`` that take about ``target`` seconds by ``timer`` (at least 1).

    The time per call is estimated from repeated runs that together last at
    least ``calibrate`` seconds (the number of calls doubles until they do)."""
    t = timeit.Timer(fn, timer=timer)
    number = 1
    while True:
        elapsed = t.timeit(number)
        if elapsed >= calibrate:
            break
        number *= 2
    return max(1, round(number * target / elapsed))


def measure(table, repeats, target=0.02, timer=time.process_time, calibrate=0.2):
    """Median microseconds per call for every entry of ``table``.

    ``table`` is ``{group: [(label, callable), ...]}``; the result is
    ``{(group, label): microseconds}``. Samples of all entries are interleaved,
    ``repeats`` of each; the garbage collector is off while a sample runs (as in
    ``timeit``)."""
    plan = []
    for group, entries in table.items():
        for label, fn in entries:
            number = calls_per_sample(fn, target, timer, calibrate)
            plan.append(((group, label), timeit.Timer(fn, timer=timer), number))
    samples = {key: [] for key, _, _ in plan}
    for _ in range(repeats):
        for key, t, number in plan:
            samples[key].append(t.timeit(number) / number * 1e6)
    return {key: statistics.median(v) for key, v in samples.items()}
