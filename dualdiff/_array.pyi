"""Type stubs for the compiled module dualdiff._array (the loops of DualArray).

Every buffer is a C-contiguous float64 array of numbers in the frozen layout of
dualdiff.h. The elementwise loops return a bit mask of floating-point events:
1 = NaN from non-NaN input, 2 = infinity from finite input.
"""
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

_Buffer = npt.NDArray[np.float64]

# Arithmetic codes beside the binary rule codes (which are >= 0).
MUL: int
DIV: int
POW: int

def unary(op: int, out: _Buffer, a: _Buffer, n: int, order: int) -> int: ...
def chain_unary(out: _Buffer, a: _Buffer, r: npt.NDArray[np.float64], n: int, order: int) -> None: ...
def binary(
    op: int, out: _Buffer, a: _Buffer, sa: int, b: _Buffer, sb: int, n: int, order: int
) -> int: ...
def binary_const(
    op: int,
    out: _Buffer,
    a: _Buffer,
    sa: int,
    c: _Buffer,
    sc: int,
    const_first: bool,
    n: int,
    order: int,
) -> int: ...
def prod_reduce(out: _Buffer, a: _Buffer, rows: int, n: int, order: int) -> None: ...
def prod_accumulate(out: _Buffer, a: _Buffer, rows: int, n: int, order: int) -> None: ...
def seed(out: _Buffer, x: _Buffer, start: int, n: int, order: int) -> None: ...
def seed_tangents(out: _Buffer, x: _Buffer, t: _Buffer) -> None: ...
def seed_colors(out: _Buffer, x: _Buffer, colors: npt.NDArray[np.int64], w: int) -> None: ...
def unpack_hessian(out: _Buffer, a: _Buffer, n: int, col: int) -> None: ...
def stripped_view(cls: type[np.ndarray[Any, Any]], shape: tuple[int, ...], placeholder: object) -> Any: ...
def exp_path(level: int = -1) -> int: ...

# The buffer cache: a NumPy data allocator that keeps freed large blocks.
CACHE_HANDLER: object
CACHE_FROM: int
CACHE_LIMITS: tuple[int, int, int, int]

def set_data_handler(handler: object) -> object: ...
def clear_buffer_cache() -> None: ...
def buffer_cache_info() -> tuple[int, int]: ...

# The 1-d input of grad(f) and hessian(f) for a float64 array (see _ndarray._SeededVector).
@disjoint_base
class _SeededBase(np.ndarray[Any, Any]):
    _buf: Any
    _spec: Any

def _set_seeded_hooks(
    getitem: Callable[..., Any], finalize: Callable[..., Any], spec: Callable[..., Any],
    pack: Callable[..., Any],
) -> None: ...
def seeded_vector_capsule() -> object: ...
def float_array_capsule() -> object: ...
