"""Type stubs for the compiled module dualdiff._sparse_c (column coloring and gathering)."""
from typing import Any

import numpy as np
import numpy.typing as npt

# pattern: a scipy.sparse matrix or array (scipy ships no type stubs).
def color_columns(
    pattern: Any, order: npt.ArrayLike | None = None
) -> tuple[npt.NDArray[np.int64], int]: ...
def gather(src: npt.NDArray[np.float64], index: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]: ...
