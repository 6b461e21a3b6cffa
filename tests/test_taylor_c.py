"""The Taylor driver of the C API (dd_taylor), built against the installed
header and compared with dualdiff.taylor on the same function."""
import os
import shutil
import subprocess

import numpy as np
import pytest

import dualdiff

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extending")


def test_c_taylor_driver_matches_the_python_transform(tmp_path):
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH")
    shutil.copy(os.path.join(HERE, "taylor.c"), tmp_path)
    exe = str(tmp_path / "taylor")
    build = subprocess.run([cc, "-std=c99", "-O2", "-Wall", "-Wextra", "-pedantic", "-I",
                            dualdiff.get_include(), str(tmp_path / "taylor.c"), "-o", exe, "-lm"],
                           capture_output=True, text=True)
    assert build.returncode == 0 and build.stderr.strip() == "", build.stderr
    run = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    out = {line.split()[0]: [float(v) for v in line.split()[1:]] for line in run.stdout.splitlines()}
    assert out["status"] == [0.0]
    assert out["toohigh"] == [-1.0]  # DD_ERR_ARGS
    c = np.array([out[f"c{k}"] for k in range(7)])

    def f(z):
        return np.array([np.exp(z[0]) * np.sin(z[1]), z[0] / (1 + z[1] ** 2)])

    ref = dualdiff.taylor(f, order=6)(np.array([0.5, -1.0]), np.array([1.0, 0.25]))
    np.testing.assert_allclose(c, ref, rtol=1e-15, atol=1e-16)
    # the value row is f(x) itself
    np.testing.assert_allclose(c[0], [np.exp(0.5) * np.sin(-1.0), 0.5 / 2.0], rtol=1e-15)
