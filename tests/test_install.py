"""The tests run against the installed package, and the installation is complete.

These guard the test suite itself (it must never exercise the uncompiled source
tree) and what a wheel ships: the compiled module, the C headers, the Cython
declarations and the ``dualdiff`` command.
"""
import importlib.machinery
import importlib.metadata
import importlib.util
import math
import os
import pathlib
import re
import subprocess
import sys
import sysconfig

import pytest

import dualdiff
import dualdiff._dual

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parent  # the source tree (a checkout or an unpacked sdist)
INSTALLED = pathlib.Path(dualdiff.__file__).resolve().parent


def _corpus():
    spec = importlib.util.spec_from_file_location("dualdiff_corpus", SOURCE / "benchmarks" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    return corpus


def test_dualdiff_is_the_installed_compiled_package():
    assert dualdiff._dual.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    # An in-place build would put compiled modules into the source tree; tests
    # must see a built package, here the installed one, not the checkout.
    assert INSTALLED != (SOURCE / "dualdiff").resolve(), (
        f"tests imported dualdiff from the source tree {INSTALLED}: install it "
        "(pip install .) and run pytest as configured (--import-mode=importlib)")


def test_importing_the_uncompiled_source_tree_fails_clearly():
    src = SOURCE / "dualdiff"
    if not (src / "_dual.pyx").is_file():
        pytest.skip("no source tree beside the tests")
    if any(p.suffix in (".so", ".pyd") for p in src.iterdir()):
        pytest.skip("the source tree holds an in-place build")
    proc = subprocess.run([sys.executable, "-c", "import dualdiff"], cwd=SOURCE,
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "compiled extension is missing" in proc.stderr
    assert "pip install ." in proc.stderr


def test_headers_and_cython_declarations_are_installed():
    include = pathlib.Path(dualdiff.get_include())
    assert include == INSTALLED / "include"
    installed = {p.name for p in (include / "dualdiff").glob("*.h")}
    assert {"dualdiff.h", "dd_core.h", "dd_rules.h"} <= installed
    source_headers = SOURCE / "dualdiff" / "include" / "dualdiff"
    if source_headers.is_dir():  # every public header of the tree ships
        assert {p.name for p in source_headers.glob("*.h")} <= installed
    assert (INSTALLED / "dualdiff.pxd").is_file()
    umbrella = (include / "dualdiff" / "dualdiff.h").read_text()
    assert '#include "dd_core.h"' in umbrella


def test_no_sources_or_generated_c_are_installed():
    assert not list(INSTALLED.rglob("*.c")), "generated C files were installed"
    assert not list(INSTALLED.rglob("*.pyx")), "Cython sources were installed"


def test_console_script_is_declared():
    (ep,) = importlib.metadata.entry_points(group="console_scripts", name="dualdiff")
    assert ep.value == "dualdiff.__main__:main"
    assert importlib.metadata.version("dualdiff") == dualdiff.__version__


@pytest.mark.parametrize("how", ["script", "module"])
def test_the_dualdiff_command_prints_the_right_derivative(how, tmp_path):
    args = ["--x", "0.7", "--number", "20", "--repeats", "1"]
    if how == "script":
        exe = pathlib.Path(sysconfig.get_path("scripts")) / ("dualdiff.exe" if os.name == "nt" else "dualdiff")
        if not exe.exists():
            pytest.skip(f"no dualdiff script in {exe.parent}")
        cmd = [str(exe), *args]
    else:
        cmd = [sys.executable, "-m", "dualdiff", *args]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    match = re.search(r"^f'\(0\.7\) = (\S+)  \(dualdiff\)$", proc.stdout, re.M)
    assert match, proc.stdout
    # the reference: the hand derivative of the benchmark corpus
    expected = _corpus().scalar_expr_derivative(0.7, math)
    assert math.isclose(float(match.group(1)), expected, rel_tol=4e-16, abs_tol=0.0)
    for case in ("floats", "width 1", "width 8", "complex step"):
        assert case in proc.stdout


def test_the_command_rejects_bad_options(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "dualdiff", "--repeats", "0"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "--repeats must be at least 1" in proc.stderr


def test_dual_module_is_compiled():
    path = pathlib.Path(dualdiff._dual.__file__)
    assert any(path.name.endswith(s) for s in importlib.machinery.EXTENSION_SUFFIXES), path
    assert path.suffix not in (".py", ".pyx", ".pyc")
    assert isinstance(dualdiff._dual.__loader__, importlib.machinery.ExtensionFileLoader)
    assert type(dualdiff.Dual).__name__ == "type" and dualdiff.Dual.__module__ == "dualdiff._dual"


def test_corpus_fixture_loads_by_path(corpus):
    # the corpus's hand derivative agrees with a central difference of its function
    x, h = 0.7, 1e-6
    fd = (corpus.scalar_expr(x + h, math) - corpus.scalar_expr(x - h, math)) / (2 * h)
    assert abs(corpus.scalar_expr_derivative(x, math) - fd) < 1e-8
    assert "dualdiff_bench_corpus" not in dualdiff.__name__
