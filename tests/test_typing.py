"""The type stubs agree with the compiled module (stubtest) and type a user's code (mypy).

Both run mypy in a separate process from a scratch directory, so that they see
the installed package, never the source tree. Skipped only where mypy is not
installed (it is in the test extras).
"""
import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

import dualdiff

HERE = pathlib.Path(__file__).resolve().parent
USAGE = HERE / "typing" / "usage.py"
ALLOWLIST = HERE / "typing" / "stubtest-allowlist.txt"


def _mypy(tmp_path, *args):
    pytest.importorskip("mypy", reason="mypy is not installed (pip install '.[test]')")
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\ncache_dir = {tmp_path / 'mypy-cache'}\n")
    option = "--mypy-config-file" if args[0] == "mypy.stubtest" else "--config-file"
    cmd = [sys.executable, "-m", *args, option, str(config)]
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    print(proc.stdout, proc.stderr, sep="\n")
    return proc


def _placeholder_signatures():
    """Compiled functions whose run-time signature is only CPython's placeholder.

    Since Python 3.13, a one- or no-argument built-in function without a
    signature of its own reports ``($self, object, /)`` or ``($self, /)``. For
    Cython's module-level functions (``binding=False``) ``self`` is not bound,
    so inspect shows a parameter that does not exist; stubtest cannot check
    these signatures (it checks their presence and everything else). Only names
    that the stub declares are listed, so a function missing from the stub is
    still reported.
    """
    import ast
    import dualdiff._dual as runtime

    stub = pathlib.Path(runtime.__file__).with_name("_dual.pyi")
    declared = {node.name for node in ast.parse(stub.read_text()).body
                if isinstance(node, ast.FunctionDef)}
    names = []
    for name in sorted(declared):
        obj = getattr(runtime, name, None)
        text = getattr(obj, "__text_signature__", None) or ""
        if text.startswith("($self") and getattr(obj, "__self__", None) is None:
            names.append(f"dualdiff._dual.{name}")
    return names


def test_stubtest_passes_on_installed_package(tmp_path):
    allow = tmp_path / "placeholder-signatures.txt"
    allow.write_text("".join(name + "\n" for name in _placeholder_signatures()))
    # Entries of the allowlist that no longer match are tolerated, so that the
    # package's modules can change without editing the list in the same step.
    proc = _mypy(tmp_path, "mypy.stubtest", "dualdiff", "--allowlist", str(ALLOWLIST),
                 "--allowlist", str(allow), "--ignore-unused-allowlist")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


def test_usage_file_checks_under_strict_mypy(tmp_path):
    # --strict includes --warn-unused-ignores: the lines of usage.py that must
    # be rejected carry "# type: ignore[code]", so a stub that accepts them fails.
    proc = _mypy(tmp_path, "mypy", "--strict", "--no-incremental", str(USAGE))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found in 1 source file" in proc.stdout


def test_usage_file_runs_and_its_types_are_the_real_ones():
    spec = importlib.util.spec_from_file_location("dualdiff_typing_usage", USAGE)
    usage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(usage)
    seen = usage.main()  # raises AssertionError where a run-time class differs from the stub
    assert len(seen) > 20
    assert dualdiff.Dual(0.5, 1.0) in seen


def test_every_compiled_module_has_a_stub_and_the_package_is_typed():
    pkg = pathlib.Path(dualdiff.__file__).parent
    assert (pkg / "py.typed").is_file()
    suffixes = (".so", ".pyd")
    compiled = [p for p in pkg.rglob("*") if p.suffix in suffixes]
    assert compiled, f"no compiled modules found in {pkg}"
    for p in compiled:
        stub = p.with_name(p.name.split(".")[0] + ".pyi")
        assert stub.is_file(), f"{p.name} has no stub {stub.name}"
