"""NumPy scalars on the left of a Dual (np.float64(2.0) + x is common in user code)."""
import numpy as np
import pytest

from dualdiff import Dual


@pytest.mark.parametrize("scalar", [np.float64(3.0), np.float32(3.0), np.int64(3), np.int32(3)])
def test_numpy_scalar_plus_and_minus_dual(scalar):
    x = Dual(2.0, [1.0, -4.0])
    s = scalar + x  # d/dx (3 + x) = 1 per direction, by hand
    assert type(s) is Dual and s.value == 5.0 and list(s.tangent) == [1.0, -4.0]
    d = scalar - x  # d/dx (3 - x) = -1
    assert type(d) is Dual and d.value == 1.0 and list(d.tangent) == [-1.0, 4.0]
    assert list((x - scalar).tangent) == [1.0, -4.0] and (x - scalar).value == -1.0


def test_ufuncs_add_subtract_with_scalar_on_either_side():
    x = Dual(0.5, 2.0)
    assert np.add(np.float64(1.5), x).value == 2.0 and np.add(np.float64(1.5), x).tangent == 2.0
    r = np.subtract(np.float64(1.5), x)
    assert (r.value, r.tangent) == (1.0, -2.0)
    r = np.subtract(x, 1.5)
    assert (r.value, r.tangent) == (-1.0, 2.0)


def test_numpy_scalar_with_wrong_type_still_raises_type_error():
    with pytest.raises(TypeError):
        np.add(Dual(1.0, 1.0), "a")
