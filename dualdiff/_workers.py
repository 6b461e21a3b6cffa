"""Workers: the passes of a transform evaluated in other processes.

A transform that needs several evaluations of ``f`` (several chunks of
directions, pairs of Hessian blocks, groups of colors) describes each one by a
small picklable piece (its first direction, a pair of blocks, a range of
colors) and hands a picklable task and the list of pieces to
:meth:`Workers.map`. The task runs in a worker process, evaluates ``f`` on the
piece exactly as the serial loop does and sends back plain float arrays; the
calling process assembles them in the serial order. The pieces are those of
``workers=1``, so every evaluation is the same computation in either case.

``workers`` follows SciPy's convention: ``1`` (or ``None``) evaluates in the
calling process; an int ``k > 1`` makes a ``multiprocessing`` pool of ``k``
processes (``-1``: one per core) when it is first needed, reused by every call
of the transform and closed when the transform is garbage-collected (or by its
``close()``); a map-like callable ``workers(func, iterable)`` is the user's
pool (``multiprocessing.Pool.map``, a ``concurrent.futures`` executor's
``map``, ``ray.util.multiprocessing.Pool.map``); a ``dask.distributed.Client``
is used through ``client.map`` and ``client.gather``.
"""
import numbers
import os
import pickle
import re
import threading
import time
import weakref

__all__ = ["Workers", "attach", "make"]

_PICKLE_MESSAGE = re.compile(r"pickl", re.IGNORECASE)


def make(workers):
    """A Workers for a transform's ``workers=`` argument, or None (in process)."""
    if workers is None:
        return None
    if isinstance(workers, numbers.Integral) and not isinstance(workers, bool):
        k = int(workers)
        if k == 1:
            return None
        if k == -1 or k > 1:
            return Workers(processes=None if k == -1 else k)
        raise ValueError(f"workers must be -1, a positive int or a map-like callable, not {k}")
    if _is_dask_client(workers):
        return Workers(mapper=_DaskMap(workers))
    if callable(workers):
        return Workers(mapper=workers)
    hint = " (pass its map method: workers=pool.map)" if hasattr(workers, "map") else ""
    raise TypeError("workers must be an int or a map-like callable workers(func, iterable), "
                    f"not {type(workers).__name__}{hint}")


def attach(g, pool):
    """The transform g, given the lifetime of pool (a Workers, or None) and
    ``g.close()`` to end it sooner."""
    if pool is not None:
        pool.attach(g)
        g._workers = pool
        g.close = pool.close
    return g


def _is_dask_client(obj):
    cls = type(obj)
    return (cls.__module__.split(".")[0] == "distributed" and hasattr(obj, "map")
            and hasattr(obj, "gather") and hasattr(obj, "scatter"))


class _DaskMap:
    """``map`` over a dask.distributed Client: one task per item, results in
    order. ``pure=False``: an item is never taken for another call's result."""

    __slots__ = ("client", "_size", "_seen")

    #: seconds for which the cluster's size, once asked, is taken as known:
    #: asking is a round trip to the scheduler, and the size decides only how
    #: the pieces are batched, never the result
    REFRESH = 1.0

    def __init__(self, client):
        self.client = client
        self._size = None
        self._seen = None

    def __call__(self, func, iterable):
        return self.client.gather(self.client.map(func, list(iterable), pure=False))

    def size(self):
        """The threads of the cluster's workers, as the scheduler said at most
        REFRESH seconds ago (None while it has none)."""
        now = time.monotonic()
        if self._size is None or now - self._seen > self.REFRESH:
            self._size = sum(self.client.nthreads().values()) or None
            self._seen = now
        return self._size

    def __repr__(self):
        return f"dask map over {self.client!r}"


def _uses_pickle(mapper):
    """Does this map send its function with the standard pickle? (Then an
    unpicklable f is found before anything is sent.)"""
    owner = getattr(mapper, "__self__", None)
    if owner is None:
        return False
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.pool import Pool, ThreadPool
    return (isinstance(owner, Pool) and not isinstance(owner, ThreadPool)) or \
        isinstance(owner, ProcessPoolExecutor)


def _positive(k):
    return k if isinstance(k, int) and k > 0 else None


def _pool_size(mapper):
    """How many tasks the pool behind ``mapper`` runs at once, or None when
    it does not say (any other map-like callable)."""
    if isinstance(mapper, _DaskMap):
        return mapper.size()
    owner = getattr(mapper, "__self__", None)
    if owner is None:
        return None
    from concurrent.futures import Executor
    from multiprocessing.pool import Pool
    if isinstance(owner, Pool):
        return _positive(getattr(owner, "_processes", None))
    if isinstance(owner, Executor):
        return _positive(getattr(owner, "_max_workers", None))
    return None


def batches(pieces, k):
    """``pieces`` cut into ``k`` runs of consecutive pieces whose lengths
    differ by at most one (the longer first)."""
    q, r = divmod(len(pieces), k)
    out, start = [], 0
    for i in range(k):
        stop = start + q + (i < r)
        out.append(pieces[start:stop])
        start = stop
    return out


class Batch:
    """A task over a run of pieces: [task(p) for p in run], in one worker."""

    __slots__ = ("task",)

    def __init__(self, task):
        self.task = task

    def __call__(self, run):
        task = self.task
        return [task(p) for p in run]

    def __reduce__(self):
        return Batch, (self.task,)


def _close_pool(pool):
    pool.terminate()
    pool.join()


class Workers:
    """How a transform made with ``workers=`` maps a task over its pieces."""

    def __init__(self, processes=None, mapper=None):
        self.own = mapper is None  # a pool made here from an int
        self.processes = processes
        self.mapper = mapper
        self._pool = None
        self._pid = None
        self._finalizer = None
        self._owner = None
        self._lock = threading.Lock()
        self._checked = None  # the f already known to pickle

    def attach(self, owner):
        """Tie the pool made here to the lifetime of ``owner`` (the transform)."""
        if self.own:
            self._owner = weakref.ref(owner)
        return owner

    @property
    def pool(self):
        """The multiprocessing pool made from an int (None until first used)."""
        return self._pool

    def _own_map(self):
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                import multiprocessing
                if self._finalizer is not None:  # a pool of the parent of a forked process
                    self._finalizer.detach()
                self._pool = multiprocessing.Pool(self.processes)
                self._pid = os.getpid()
                target = self._owner() if self._owner is not None else None
                # closed with the transform; weakref.finalize also runs at exit
                self._finalizer = weakref.finalize(target if target is not None else self,
                                                   _close_pool, self._pool)
            return self._pool.map

    def close(self):
        """Terminate the pool made from an int, if any (a later call makes a new one)."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
            self._pool = self._finalizer = None

    def map(self, task, pieces, f):
        """[task(p) for p in pieces] evaluated by the workers, in order. ``f``
        (the user's function inside ``task``) names what could not be sent."""
        if (self.own or _uses_pickle(self.mapper)) and self._checked is not f:
            _check_pickles(f)  # before a pool is made for nothing
            self._checked = f
        mapper = self._own_map() if self.own else self.mapper
        pieces = list(pieces)
        try:
            k = _pool_size(mapper)
            if k is not None and len(pieces) > k:
                return [r for run in mapper(Batch(task), batches(pieces, k)) for r in run]
            return list(mapper(task, pieces))
        except Exception as exc:
            if _is_pickle_error(exc):
                raise _pickle_error(f, exc) from exc
            raise

    def __repr__(self):
        if self.own:
            return f"Workers(processes={self.processes if self.processes else os.cpu_count()})"
        return f"Workers({self.mapper!r})"


def _is_pickle_error(exc):
    return isinstance(exc, pickle.PicklingError) or (
        isinstance(exc, (AttributeError, TypeError)) and bool(_PICKLE_MESSAGE.search(str(exc))))


def _check_pickles(f):
    try:
        pickle.dumps(f, pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise _pickle_error(f, exc) from exc


def _pickle_error(f, exc):
    try:
        pickle.dumps(f, pickle.HIGHEST_PROTOCOL)
        what = "the point x or the extra arguments of f cannot be pickled"
        fix = "pass picklable arguments (arrays, numbers, module-level objects)"
    except Exception:
        name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or type(f).__name__
        what = (f"the function {name} cannot be pickled (a lambda, a function defined inside "
                "another function or a closure pickles by reference only, and the worker "
                "processes cannot import it)")
        fix = ("define f at module level in a module the workers can import, or use a pool "
               "that pickles with cloudpickle (a dask.distributed Client, "
               "ray.util.multiprocessing.Pool.map)")
    return pickle.PicklingError(f"workers: {what}, so it cannot be sent to the worker processes: "
                                f"{fix}. ({type(exc).__name__}: {exc})")
