"""Sphinx configuration of the dualdiff documentation.

Build from the repository root, with dualdiff and the docs extra installed
(``pip install ".[docs]"``):

    sphinx-build -W -b html docs docs/_build/html      # the site
    sphinx-build -W -b doctest docs docs/_build/doctest  # run every example

The documentation imports the *installed* dualdiff (as the tests do), never
the source tree next to this file.
"""
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent

# The uncompiled package in the checkout must not shadow the installed one.
sys.path[:] = [p for p in sys.path if pathlib.Path(p or os.curdir).resolve() != ROOT]
sys.path.insert(0, str(HERE / "_ext"))

import dualdiff  # noqa: E402

project = "dualdiff"
author = "the dualdiff developers"
copyright = "the dualdiff developers"
version = release = dualdiff.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "dualdiff_tables",
]

exclude_patterns = ["_build"]
root_doc = "index"
default_role = "code"
nitpicky = False

html_theme = "alabaster"
html_title = f"dualdiff {release}"
html_static_path = []
html_show_sourcelink = False

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the docstrings give the signatures in words

# `sphinx-build -b doctest` runs every ``>>>`` example of the pages and of the
# docstrings autodoc pulls in; each page's examples share one namespace, and
# every page imports what it uses.
