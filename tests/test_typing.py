"""The type stubs agree with the compiled module (stubtest) and type a user's code (mypy).

Both run mypy in a separate process from a scratch directory, so that they see
the installed package, never the source tree. Skipped only where mypy is not
installed (it is in the test extras). The allowlist of stubtest names no public
name, and every compiled function reports its own signature to inspect (which
stubtest compares with the stubs).
"""
import importlib
import importlib.util
import inspect
import os
import pathlib
import pkgutil
import re
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


def test_stubtest_passes_on_installed_package(tmp_path):
    # No entry of the allowlist may go unused either: a stale entry would hide
    # the next difference under the same name.
    proc = _mypy(tmp_path, "mypy.stubtest", "dualdiff", "--allowlist", str(ALLOWLIST))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


def _allowlist_entries():
    lines = ALLOWLIST.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _is_public(name):
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _public_paths():
    """The full names stubtest checks that are public: every public name of each
    module of the package (private modules included: dualdiff.math re-exports
    dualdiff._dual.sin), and every attribute of a public class."""
    paths = []
    for info in pkgutil.walk_packages(dualdiff.__path__, "dualdiff."):
        if info.name.endswith(".__main__"):
            continue
        module = importlib.import_module(info.name)
        paths.append(info.name)
        for name, obj in vars(module).items():
            if not _is_public(name):
                continue
            paths.append(f"{info.name}.{name}")
            if isinstance(obj, type) and not name.startswith("_"):
                paths.extend(f"{info.name}.{name}.{attr}" for attr in dir(obj))
    return paths


def test_allowlist_lists_no_public_name():
    public = _public_paths()
    assert "dualdiff._dual.sin" in public and "dualdiff._dual.Dual.__complex__" in public
    for entry in _allowlist_entries():
        pattern = re.compile(entry)
        hits = [path for path in public if pattern.fullmatch(path)]
        assert not hits, f"allowlist entry {entry!r} matches public names {hits[:5]}"


# Dual's special methods that no type slot stands behind, so that they are
# plain methods with every Cython. The others (__repr__, the operators' __add__,
# __radd__, ...) are slot wrappers with CPython's signature, or methods with
# none of their own (3.13 shows its placeholder "(self, object, /)", of the
# right shape for a method), by the Cython version; stubtest checks them.
_PLAIN_DUNDERS = {"__array_ufunc__", "__ceil__", "__complex__", "__copy__", "__deepcopy__",
                  "__floor__", "__reduce__", "__round__", "__trunc__"}


def _compiled_functions():
    """The functions of the compiled modules and the methods of Dual, by full name."""
    import dualdiff._array
    import dualdiff._dual
    import dualdiff._complex_c
    import dualdiff._sparse_c
    import dualdiff._tape

    for module in (dualdiff._dual, dualdiff._array, dualdiff._sparse_c, dualdiff._tape, dualdiff._complex_c):
        for name, obj in sorted(vars(module).items()):
            if name.startswith("__pyx") or isinstance(obj, type) or not callable(obj):
                continue
            if getattr(obj, "__module__", None) == module.__name__:
                yield f"{module.__name__}.{name}", obj
    for name, obj in sorted(vars(dualdiff._dual.Dual).items()):
        if callable(obj) and (not name.startswith("__") or name in _PLAIN_DUNDERS):
            yield f"dualdiff._dual.Dual.{name}", getattr(dualdiff._dual.Dual, name)


@pytest.mark.parametrize("qualname, func", list(_compiled_functions()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_compiled_function_has_its_own_signature(qualname, func):
    # The signature the module embeds, not CPython's placeholder
    # "($self, object, /)" (3.13 and later) nor none at all (3.11, 3.12).
    sig = inspect.signature(func)
    names = list(sig.parameters)
    if ".Dual." in qualname:
        assert names[:1] == ["self"], (qualname, str(sig))
        names = names[1:]
    assert "self" not in names and "object" not in names, (qualname, str(sig))


def test_dual_constructor_signature():
    sig = inspect.signature(dualdiff.Dual)
    assert str(sig) == "(value, tangent=0.0, hessian=None)"


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
