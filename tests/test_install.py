"""The tests run against the installed, compiled package, not the source tree."""
import importlib.machinery
import pathlib

import dualdiff
import dualdiff._dual

_SOURCE_TREE = pathlib.Path(__file__).resolve().parent.parent


def test_imported_from_installed_location():
    pkg = pathlib.Path(dualdiff.__file__).resolve().parent
    assert pkg != _SOURCE_TREE / "dualdiff", (
        f"dualdiff was imported from the source tree ({pkg}); install it (pip install .) "
        "and run pytest with --import-mode=importlib or from another directory")
    # an installed wheel ships no Cython source (an editable install would)
    assert not (pkg / "_dual.pyx").exists(), f"{pkg} looks like a source tree"


def test_dual_module_is_compiled():
    path = pathlib.Path(dualdiff._dual.__file__)
    assert any(path.name.endswith(s) for s in importlib.machinery.EXTENSION_SUFFIXES), path
    assert path.suffix not in (".py", ".pyx", ".pyc")
    assert isinstance(dualdiff._dual.__loader__, importlib.machinery.ExtensionFileLoader)
    assert type(dualdiff.Dual).__name__ == "type" and dualdiff.Dual.__module__ == "dualdiff._dual"


def test_corpus_fixture_loads_by_path(corpus):
    import math
    # the corpus's hand derivative agrees with a central difference of its function
    x, h = 0.7, 1e-6
    fd = (corpus.scalar_expr(x + h, math) - corpus.scalar_expr(x - h, math)) / (2 * h)
    assert abs(corpus.scalar_expr_derivative(x, math) - fd) < 1e-8
    assert "dualdiff_bench_corpus" not in dualdiff.__name__
