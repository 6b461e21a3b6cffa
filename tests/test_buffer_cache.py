"""The buffer cache: the NumPy data allocator that transforms on large inputs
run under (dualdiff/_array.pyx). It must behave as malloc/calloc/realloc/free
would, stay within its bounds, and change no result."""
import threading

import numpy as np
import pytest

import dualdiff
from dualdiff import _array, _seeding

MIN, MAX, LIMIT, SLOTS = _array.CACHE_LIMITS


try:
    from numpy._core.multiarray import get_handler_name as handler_name
except ImportError:  # NumPy 1.x
    from numpy.core.multiarray import get_handler_name as handler_name


@pytest.fixture
def cache():
    """NumPy allocates through the cache inside the test; it starts empty."""
    _array.clear_buffer_cache()
    previous = _array.set_data_handler(_array.CACHE_HANDLER)
    yield
    _array.set_data_handler(previous)
    _array.clear_buffer_cache()


def test_the_handler_is_restored():
    before = handler_name(np.empty(3))
    with _seeding.buffers(_array.CACHE_FROM):
        assert handler_name(np.empty(3)) == "dualdiff_buffer_cache"
        with _seeding.buffers(_array.CACHE_FROM):  # nested
            assert handler_name(np.empty(3)) == "dualdiff_buffer_cache"
        assert handler_name(np.empty(3)) == "dualdiff_buffer_cache"
    assert handler_name(np.empty(3)) == before
    with _seeding.buffers(_array.CACHE_FROM - 1):  # small inputs: NumPy's own
        assert handler_name(np.empty(3)) == before


def test_a_freed_large_block_is_kept_and_reused(cache):
    n = MIN // 8 + 100
    a = np.empty(n)
    address = a.ctypes.data
    del a
    blocks, nbytes = _array.buffer_cache_info()
    assert blocks == 1 and nbytes >= 8 * n
    b = np.empty(n)
    assert b.ctypes.data == address  # the same memory again
    assert _array.buffer_cache_info() == (0, 0)


def test_zeros_from_a_reused_block_are_zeros(cache):
    n = MIN // 8 + 100
    a = np.empty(n)
    a.fill(7.0)
    del a
    z = np.zeros(n)
    assert _array.buffer_cache_info()[0] == 0  # it came from the cache
    assert not z.any()


def test_small_blocks_are_not_kept(cache):
    a = np.ones(100)
    del a
    assert _array.buffer_cache_info() == (0, 0)


def test_nearby_sizes_reuse_but_far_sizes_do_not(cache):
    n = MIN // 8 * 2
    a = np.empty(n)
    del a
    b = np.empty(n * 3 // 2)  # 1.5 times bigger: cannot fit in the kept block
    assert _array.buffer_cache_info()[0] == 1
    c = np.empty(n - n // 10)  # 10% smaller: reuses it
    assert _array.buffer_cache_info()[0] == 0
    del b, c


def test_resize_keeps_the_data(cache):
    n = MIN // 8 + 10
    a = np.arange(n, dtype=np.float64)
    a.resize(2 * n, refcheck=False)
    assert np.array_equal(a[:n], np.arange(n))
    assert not a[n:].any()


def test_bounds(cache):
    # many blocks: at most SLOTS kept, at most LIMIT bytes
    arrays = [np.empty(MIN // 8 + 8 * i) for i in range(SLOTS + 8)]
    del arrays
    blocks, nbytes = _array.buffer_cache_info()
    assert blocks == SLOTS and nbytes <= LIMIT
    _array.clear_buffer_cache()
    big = [np.empty(MAX // 8 // 2) for _ in range(2 * LIMIT // MAX + 2)]  # half the largest size each
    del big
    blocks, nbytes = _array.buffer_cache_info()
    assert 0 < nbytes <= LIMIT
    _array.clear_buffer_cache()
    huge = np.empty(MAX // 8 + 1024)  # past the largest kept size: freed
    del huge
    assert _array.buffer_cache_info() == (0, 0)


def test_threads_share_the_cache_safely(cache):
    n = MIN // 8 + 64
    errors = []

    def work(k):
        previous = _array.set_data_handler(_array.CACHE_HANDLER)
        try:
            for i in range(200):
                a = np.full(n + (i % 3), float(k * 1000 + i))
                b = np.zeros(n)
                if not (a == k * 1000 + i).all() or b.any():
                    errors.append((k, i))
                del a, b
        finally:
            _array.set_data_handler(previous)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    blocks, nbytes = _array.buffer_cache_info()
    assert blocks <= SLOTS and nbytes <= LIMIT


def bratu(u):
    n = u.shape[0]
    h2 = (1.0 / (n - 1)) ** 2
    inner = (u[:-2] - 2.0 * u[1:-1] + u[2:]) / h2 + np.exp(u[1:-1])
    return np.concatenate([u[:1], inner, u[-1:]])


def test_transforms_on_large_inputs_use_it_and_agree_with_numpy_allocation():
    import scipy.sparse as sp

    n = 40000
    x = np.linspace(0.1, 0.5, n)
    seen = []

    def f(u):
        seen.append(handler_name(np.empty(1)))
        return bratu(u)

    tri = sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    J = dualdiff.jacobian(f, sparsity=tri)
    with_cache = J(x)[:50, :50].toarray(), dualdiff.jvp(f, x, np.cos(x))[1]
    assert seen == ["dualdiff_buffer_cache"] * 2
    seen.clear()
    threshold = _array.CACHE_FROM
    _array.CACHE_FROM = 1 << 62  # no input is that large: NumPy's own allocator
    try:
        without = J(x)[:50, :50].toarray(), dualdiff.jvp(f, x, np.cos(x))[1]
    finally:
        _array.CACHE_FROM = threshold
    assert seen == ["default_allocator"] * 2
    assert np.array_equal(with_cache[0], without[0])
    assert np.array_equal(with_cache[1], without[1])
    # and both are the hand-derived Jacobian: 1/h^2 off the diagonal, -2/h^2 + exp(u) on it
    h2 = (1.0 / (n - 1)) ** 2
    d = with_cache[0]
    assert d[0, 0] == 1.0 and d[5, 4] == pytest.approx(1 / h2) and d[5, 6] == pytest.approx(1 / h2)
    assert d[5, 5] == pytest.approx(-2 / h2 + np.exp(x[5]))
