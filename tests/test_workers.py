"""workers=: the chunks of a transform evaluated in other processes.

Every parallel result must equal the one of workers=1 bit for bit: the
workers evaluate exactly the chunks (pairs of Hessian blocks, groups of
colors) that workers=1 evaluates. Pools: a process pool made from an int,
multiprocessing.Pool.map, concurrent.futures executors, a real
dask.distributed LocalCluster with worker processes (started and closed
here), and ray.util.multiprocessing.Pool when ray is installed.
"""
import gc
import multiprocessing
import os
import pathlib
import pickle
import sys
import threading
import weakref
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.pool import ThreadPool

import numpy as np
import pytest

import dualdiff
from dualdiff import _workers

# processes started by spawn or forkserver, and Dask's workers, import the
# functions by name from this folder (it holds nothing else)
_FUNCS = str(pathlib.Path(__file__).resolve().parent / "workers")
if _FUNCS not in sys.path:
    sys.path.insert(0, _FUNCS)
import dualdiff_workers_funcs as funcs  # noqa: E402

N = funcs.N


@pytest.fixture
def x(rng):
    return rng.uniform(-1.0, 1.0, N)


def _transforms(workers):
    """(name, transform with workers, the same with workers=1, pieces > 1)."""
    return [
        ("jacobian", dualdiff.jacobian(funcs.residual, chunk=5, workers=workers),
         dualdiff.jacobian(funcs.residual, chunk=5)),
        ("value_and_jacobian", dualdiff.value_and_jacobian(funcs.residual, chunk=8, workers=workers),
         dualdiff.value_and_jacobian(funcs.residual, chunk=8)),
        ("grad", dualdiff.grad(funcs.energy, chunk=7, workers=workers),
         dualdiff.grad(funcs.energy, chunk=7)),
        ("value_and_grad", dualdiff.value_and_grad(funcs.energy, chunk=4, workers=workers),
         dualdiff.value_and_grad(funcs.energy, chunk=4)),
        ("hessian", dualdiff.hessian(funcs.energy, chunk=6, workers=workers),
         dualdiff.hessian(funcs.energy, chunk=6)),
        ("SparseJacobian", dualdiff.jacobian(funcs.band, sparsity="auto", chunk=1, workers=workers),
         dualdiff.jacobian(funcs.band, sparsity="auto", chunk=1)),
    ]


def _dense(r):
    return r.toarray() if hasattr(r, "toarray") else r


def _identical(a, b):
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_identical(p, q) for p, q in zip(a, b))
    a, b = _dense(a), _dense(b)
    return type(a) is type(b) and np.array_equal(a, b) and np.asarray(a).dtype == np.asarray(b).dtype


def _check_all(workers, x):
    for name, parallel, serial in _transforms(workers):
        for point in (x, list(x), np.cos(x)):
            assert _identical(parallel(point), serial(point)), (name, point)


# -------------------------------------------------------- a pool from an int

def test_int_pool_is_bit_identical_to_one_worker(x):
    _check_all(2, x)


def test_int_pool_is_made_once_and_reused_across_calls(x):
    vJ = dualdiff.value_and_jacobian(funcs.pid, chunk=6, workers=2)
    assert vJ._workers.pool is None  # made at the first call that has chunks to share
    value, jac = vJ(x)
    pool = vJ._workers.pool
    pids = {p.pid for p in pool._pool}
    assert value[0] in pids and value[0] != os.getpid()
    assert not jac.any()
    for _ in range(3):
        value, _ = vJ(x + 1.0)
        assert vJ._workers.pool is pool
        assert {p.pid for p in pool._pool} == pids
        assert value[0] in pids


def test_int_pool_closes_with_the_transform(x):
    J = dualdiff.jacobian(funcs.residual, chunk=6, workers=2)
    J(x)
    pool = J._workers.pool
    workers = list(pool._pool)
    assert all(p.is_alive() for p in workers)
    ref = weakref.ref(J)
    del J
    gc.collect()
    assert ref() is None
    assert pool._state == "TERMINATE"
    for p in workers:
        p.join(timeout=10)
        assert not p.is_alive()


def test_close_ends_the_pool_and_a_later_call_makes_another(x):
    g = dualdiff.grad(funcs.energy, chunk=6, workers=2)
    first = g(x)
    pool = g._workers.pool
    g.close()
    assert pool._state == "TERMINATE"
    assert g._workers.pool is None
    assert np.array_equal(g(x), first)
    assert g._workers.pool is not None and g._workers.pool is not pool
    g.close()
    g.close()  # twice is harmless


def test_one_chunk_runs_in_process_without_a_pool(x):
    J = dualdiff.jacobian(funcs.residual, workers=2)  # n = 24 directions: one pass
    assert np.array_equal(J(x), dualdiff.jacobian(funcs.residual)(x))
    assert J._workers.pool is None
    H = dualdiff.hessian(funcs.energy, workers=2)  # 24 <= 32: one pass
    assert np.array_equal(H(x), dualdiff.hessian(funcs.energy)(x))
    assert H._workers.pool is None


def test_workers_minus_one_uses_every_core(x):
    J = dualdiff.jacobian(funcs.residual, chunk=3, workers=-1)
    assert np.array_equal(J(x), dualdiff.jacobian(funcs.residual, chunk=3)(x))
    cores = os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()
    assert J._workers.pool._processes == cores
    J.close()


def test_workers_one_and_none_are_the_plain_transforms():
    for w in (None, 1):
        assert not hasattr(dualdiff.jacobian(funcs.residual, workers=w), "close")
        assert type(dualdiff.grad(funcs.energy, workers=w)) is type(dualdiff.grad(funcs.energy))


@pytest.mark.parametrize("bad, error, match", [
    (0, ValueError, "-1, a positive int"),
    (-2, ValueError, "-1, a positive int"),
    ("2", TypeError, "map-like callable"),
    (2.0, TypeError, "map-like callable"),
])
def test_bad_workers(bad, error, match):
    with pytest.raises(error, match=match):
        dualdiff.jacobian(funcs.residual, workers=bad)
    with pytest.raises(error, match=match):
        dualdiff.hessian(funcs.energy, workers=bad)


def test_a_pool_object_itself_is_refused_with_a_hint():
    with ThreadPoolExecutor(1) as ex:
        with pytest.raises(TypeError, match=r"workers=pool\.map"):
            dualdiff.grad(funcs.energy, workers=ex)


# ------------------------------------------------------- the user's own pools

def test_multiprocessing_pool_map(x):
    with multiprocessing.Pool(2) as pool:
        _check_all(pool.map, x)


def test_process_pool_executor_map(x):
    with ProcessPoolExecutor(2) as ex:
        _check_all(ex.map, x)


def test_a_thread_pool_takes_a_lambda(x):
    with ThreadPoolExecutor(2) as ex:
        f = lambda z: np.sin(z) * z  # noqa: E731  # never pickled by threads
        assert np.array_equal(dualdiff.jacobian(f, chunk=5, workers=ex.map)(x),
                              dualdiff.jacobian(f, chunk=5)(x))


def test_any_map_like_callable_sees_the_chunks_of_one_worker(x):
    seen = []

    def recording_map(func, iterable):
        items = list(iterable)
        seen.append(items)
        return map(func, items)

    J = dualdiff.jacobian(funcs.residual, chunk=10, workers=recording_map)
    assert np.array_equal(J(x), dualdiff.jacobian(funcs.residual, chunk=10)(x))
    assert seen == [[(0, 10), (10, 10), (20, 4)]]  # as for workers=1
    seen.clear()
    dualdiff.hessian(funcs.energy, chunk=10, workers=recording_map)(x)
    assert seen == [[(0, 10), (0, 20), (10, 20)]]


# ------------------------------------------------ batches: one task per worker

@pytest.mark.parametrize("count", range(0, 12))
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_batches_are_consecutive_runs_of_nearly_equal_length(count, k):
    pieces = [(i, 1) for i in range(count)]
    runs = _workers.batches(pieces, k)
    assert len(runs) == k
    assert [p for run in runs for p in run] == pieces  # in order, each piece once
    lengths = [len(run) for run in runs]
    assert max(lengths) - min(lengths) <= 1
    assert lengths == sorted(lengths, reverse=True)


class RecordingThreadPool(ThreadPool):
    """A multiprocessing pool (of threads) that records what its map receives."""

    def __init__(self, processes):
        super().__init__(processes)
        self.seen = []

    def map(self, func, iterable, chunksize=None):
        items = list(iterable)
        self.seen.append((type(func).__name__, items))
        return super().map(func, items, chunksize)


class RecordingExecutor(ThreadPoolExecutor):
    """A concurrent.futures executor that records what its map receives."""

    def __init__(self, max_workers):
        super().__init__(max_workers)
        self.seen = []

    def map(self, fn, *iterables, **kwargs):
        items = list(iterables[0])
        self.seen.append((type(fn).__name__, items))
        return super().map(fn, items, **kwargs)


@pytest.mark.parametrize("make_pool", [RecordingThreadPool, RecordingExecutor])
def test_a_pool_that_says_its_size_gets_one_batch_of_chunks_per_worker(make_pool, x):
    pool = make_pool(2)
    try:
        J = dualdiff.jacobian(funcs.residual, chunk=5, workers=pool.map)  # 5 chunks
        assert np.array_equal(J(x), dualdiff.jacobian(funcs.residual, chunk=5)(x))
        assert pool.seen == [("Batch", [[(0, 5), (5, 5), (10, 5)], [(15, 5), (20, 4)]])]
        pool.seen.clear()
        H = dualdiff.hessian(funcs.energy, chunk=10, workers=pool.map)  # 3 pairs of blocks
        assert np.array_equal(H(x), dualdiff.hessian(funcs.energy, chunk=10)(x))
        assert pool.seen == [("Batch", [[(0, 10), (0, 20)], [(10, 20)]])]
        pool.seen.clear()
        S = dualdiff.jacobian(funcs.band, sparsity="auto", chunk=1, workers=pool.map)  # 3 colors
        assert np.array_equal(S(x).toarray(), dualdiff.jacobian(funcs.band, sparsity="auto")(x).toarray())
        assert [(name, len(runs)) for name, runs in pool.seen] == [("Batch", 2)]
        assert [len(run) for run in pool.seen[0][1]] == [2, 1]
    finally:
        pool.shutdown() if make_pool is RecordingExecutor else pool.terminate()


def test_no_more_chunks_than_workers_go_one_per_task(x):
    pool = RecordingThreadPool(4)
    try:
        J = dualdiff.jacobian(funcs.residual, chunk=8, workers=pool.map)  # 3 chunks, 4 workers
        assert np.array_equal(J(x), dualdiff.jacobian(funcs.residual, chunk=8)(x))
        assert pool.seen == [("FirstOrderPass", [(0, 8), (8, 8), (16, 8)])]
    finally:
        pool.terminate()


def test_the_sizes_of_the_pools(x):
    with multiprocessing.Pool(3) as pool, ProcessPoolExecutor(2) as ex, ThreadPoolExecutor(5) as tex:
        assert _workers._pool_size(pool.map) == 3
        assert _workers._pool_size(pool.imap) == 3
        assert _workers._pool_size(ex.map) == 2
        assert _workers._pool_size(tex.map) == 5
    assert _workers._pool_size(map) is None
    assert _workers._pool_size(lambda func, items: map(func, items)) is None
    assert _workers._pool_size([].append) is None  # a bound method of something else
    J = dualdiff.jacobian(funcs.residual, chunk=6, workers=2)
    J(x)
    assert _workers._pool_size(J._workers.pool.map) == 2
    J.close()


# ------------------------------------------------------------------- errors

@pytest.mark.parametrize("make_pool", ["int", "multiprocessing", "executor"])
def test_an_unpicklable_f_gets_an_error_that_says_so(make_pool, x):
    f = lambda z: z * 2.0  # noqa: E731
    if make_pool == "int":
        J = dualdiff.jacobian(f, chunk=6, workers=2)
        with pytest.raises(pickle.PicklingError, match="cannot be pickled") as info:
            J(x)
        assert J._workers.pool is None  # found before any process was started
    else:
        pool = multiprocessing.Pool(2) if make_pool == "multiprocessing" else ProcessPoolExecutor(2)
        try:
            with pytest.raises(pickle.PicklingError, match="cannot be pickled") as info:
                dualdiff.jacobian(f, chunk=6, workers=pool.map)(x)
        finally:
            pool.terminate() if make_pool == "multiprocessing" else pool.shutdown()
    message = str(info.value)
    assert "<lambda>" in message and "module level" in message and "cloudpickle" in message


def test_an_unpicklable_argument_is_named(x):
    with multiprocessing.Pool(2) as pool:
        g = dualdiff.grad(funcs.energy, chunk=6, workers=pool.map)
        with pytest.raises(pickle.PicklingError, match="extra arguments"):
            g(x, threading.Lock())  # energy takes no extra argument: never reached


def test_errors_of_f_come_back_from_the_workers(x):
    with multiprocessing.Pool(2) as pool:
        with pytest.raises(ValueError, match="f failed on purpose"):
            dualdiff.jacobian(funcs.fails, chunk=6, workers=pool.map)(x)


def test_a_transform_with_workers_nests_inside_another(x):
    with ThreadPoolExecutor(2) as ex:
        inner = dualdiff.grad(funcs.energy, chunk=6, workers=ex.map)
        outer = dualdiff.jacobian(lambda z: inner(2.0 * z))(x)
    expected = 2.0 * dualdiff.hessian(funcs.energy)(2.0 * x)
    assert np.allclose(outer, expected, rtol=1e-12, atol=1e-12)


def test_sparse_chunk_groups_the_colors(x):
    calls = []

    def band(z):
        calls.append(1)
        return funcs.band(z)
    S = dualdiff.jacobian(band, sparsity="auto", chunk=2)
    J = S(x)
    assert S.ncolors == 3
    calls.clear()
    S(x)
    assert len(calls) == 2  # colors {0, 1} and {2}
    assert np.array_equal(J.toarray(), dualdiff.jacobian(funcs.band, sparsity="auto")(x).toarray())
    assert np.array_equal(J.toarray(), dualdiff.jacobian(funcs.band)(x))


# --------------------------------------------------------------------- Dask

@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is not installed (pip install '.[test]')")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_dask_cluster_is_bit_identical_to_one_worker(dask_client, x):
    pids = set(dask_client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids
    _check_all(dask_client, x)


def test_dask_cluster_evaluates_in_its_worker_processes(dask_client, x):
    pids = set(dask_client.run(os.getpid).values())
    value, _ = dualdiff.value_and_jacobian(funcs.pid, chunk=3, workers=dask_client)(x)
    assert value[0] in pids


def test_dask_takes_a_lambda(dask_client, x):
    f = lambda z: np.exp(np.sin(z)) * z  # noqa: E731  # Dask pickles with cloudpickle
    assert np.array_equal(dualdiff.jacobian(f, chunk=5, workers=dask_client)(x),
                          dualdiff.jacobian(f, chunk=5)(x))


def test_dask_gets_one_batch_of_chunks_per_worker_thread(dask_client, x, monkeypatch):
    seen = []
    client_map = dask_client.map

    def recording_map(func, items, **kwargs):
        seen.append((type(func).__name__, list(items)))
        return client_map(func, items, **kwargs)
    monkeypatch.setattr(dask_client, "map", recording_map)
    assert _workers._pool_size(_workers._DaskMap(dask_client)) == 2
    J = dualdiff.jacobian(funcs.residual, chunk=3, workers=dask_client)  # 8 chunks
    assert np.array_equal(J(x), dualdiff.jacobian(funcs.residual, chunk=3)(x))
    assert seen == [("Batch", [[(0, 3), (3, 3), (6, 3), (9, 3)], [(12, 3), (15, 3), (18, 3), (21, 3)]])]


def test_dask_cluster_size_is_asked_at_most_once_a_second(monkeypatch):
    # asking is a round trip to the scheduler; the size only decides the batches
    class Client:
        asked = 0
        workers = {"a": 1}

        def nthreads(self):
            Client.asked += 1
            return dict(self.workers)
    now = [100.0]
    monkeypatch.setattr(_workers.time, "monotonic", lambda: now[0])
    m = _workers._DaskMap(Client())
    assert [m.size() for _ in range(5)] == [1] * 5 and Client.asked == 1
    Client.workers = {"a": 1, "b": 2}
    now[0] += m.REFRESH / 2
    assert m.size() == 1 and Client.asked == 1
    now[0] += m.REFRESH
    assert m.size() == 3 and Client.asked == 2
    Client.workers = {}  # no workers yet: asked again at every call
    now[0] += 2 * m.REFRESH
    assert m.size() is None and m.size() is None and Client.asked == 4


def test_dask_client_map_adapter(dask_client, x):
    def client_map(func, items):  # the two-line adapter, for other clients
        return dask_client.gather(dask_client.map(func, list(items), pure=False))
    assert np.array_equal(dualdiff.hessian(funcs.energy, chunk=8, workers=client_map)(x),
                          dualdiff.hessian(funcs.energy, chunk=8)(x))


# ---------------------------------------------------------------------- Ray

def test_ray_pool_map(x, tmp_path, monkeypatch):
    pytest.importorskip("ray.util.multiprocessing", reason="ray is not installed (optional: pip install ray)")
    import ray
    from ray.util.multiprocessing import Pool

    from ray import cloudpickle

    # Ray's workers do not share this process's sys.path: send the functions by value
    cloudpickle.register_pickle_by_value(funcs)
    # and they put the caller's working directory first on theirs: started
    # from a source checkout, they would import its uncompiled package
    monkeypatch.chdir(tmp_path)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        pool = Pool(2)
        try:
            _check_all(pool.map, x)
            f = lambda z: np.sin(z) * z  # noqa: E731  # Ray pickles with cloudpickle
            assert np.array_equal(dualdiff.jacobian(f, chunk=5, workers=pool.map)(x),
                                  dualdiff.jacobian(f, chunk=5)(x))
        finally:
            pool.terminate()
    finally:
        ray.shutdown()
        cloudpickle.unregister_pickle_by_value(funcs)


# ------------------------------------------------------------ read-only x

def test_a_read_only_x_is_taken_by_every_transform(x):
    """Ray hands workers arrays unpickled in place (read-only); a memory map
    or np.broadcast_to gives users such arrays too."""
    ro = x.copy()
    ro.flags.writeable = False
    energy, band = funcs.energy, funcs.band
    assert np.array_equal(dualdiff.hessian(energy, chunk=5)(ro), dualdiff.hessian(energy, chunk=5)(x))
    assert np.array_equal(dualdiff.hvp(energy)(ro, ro), dualdiff.hvp(energy)(x, x))
    assert np.array_equal(dualdiff.jacobian(band, sparsity="auto")(ro).toarray(),
                          dualdiff.jacobian(band, sparsity="auto")(x).toarray())
    assert np.array_equal(dualdiff.grad(energy, chunk=5)(ro), dualdiff.grad(energy, chunk=5)(x))
    assert np.array_equal(dualdiff.grad(np.sum)(np.broadcast_to(2.0, (3,))), np.ones(3))


# ------------------------------------------------------ dicts and containers

def test_a_dict_x_shares_its_chunks_out_too(x):
    d = {"a": x[:10], "b": x[10:16].reshape(2, 3)}
    with multiprocessing.Pool(2) as pool:
        for make in (dualdiff.jacobian, dualdiff.value_and_jacobian):
            parallel = make(funcs.on_dict, chunk=4, workers=pool.map)(d)
            serial = make(funcs.on_dict, chunk=4)(d)
            pairs = [parallel, serial] if make is dualdiff.jacobian else [parallel[1], serial[1]]
            assert set(pairs[0]) == {"a", "b"}
            for key in ("a", "b"):
                assert np.array_equal(pairs[0][key], pairs[1][key])
        scalar = lambda t: np.sum(funcs.on_dict(t))  # noqa: E731  # threads: no pickling
    with ThreadPoolExecutor(2) as ex:
        for make in (dualdiff.grad, dualdiff.hessian):
            parallel = make(scalar, chunk=5, workers=ex.map)(d)
            serial = make(scalar, chunk=5)(d)
            assert repr(parallel) == repr(serial)
