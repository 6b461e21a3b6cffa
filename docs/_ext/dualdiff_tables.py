"""Lists of what dualdiff supports, generated from the installed package when
the documentation is built, so that they are never kept by hand.

    .. dualdiff-list:: numpy-ufuncs      ufuncs of DualArray, by number of inputs
    .. dualdiff-list:: numpy-functions   NumPy functions of DualArray, by module
    .. dualdiff-list:: ufunc-methods     ufunc methods (reduce, accumulate) of DualArray
    .. dualdiff-list:: dual-ufuncs       ufuncs that take a scalar Dual (and scipy.special's)
    .. dualdiff-list:: math              dualdiff.math: every name and what it does on a Dual
    .. dualdiff-list:: c-rules           the C rule table (dd_rules.h), in op-code order
    .. dualdiff-list:: complex           ufuncs and functions of ComplexDual, and its C rules

It also drops the second copy of a signature from compiled docstrings.
"""
import inspect
import math
import re

import numpy as np
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

import dualdiff
import dualdiff._complex
import dualdiff._dual
import dualdiff._ndarray
import dualdiff.math


def _literals(names):
    return ", ".join(f"``{n}``" for n in names)


def _numpy_ufuncs():
    names = dualdiff.numpy.supported_ufuncs()
    groups = {}
    for n in names:
        groups.setdefault(getattr(np, n).nin, []).append(n)
    lines = [f"{len(names)} ufuncs (NumPy {np.__version__}):", ""]
    for nin in sorted(groups):
        label = {1: "one input", 2: "two inputs"}.get(nin, f"{nin} inputs")
        lines += [f"* **{label}** ({len(groups[nin])}): {_literals(groups[nin])}", ""]
    return lines


def _numpy_functions():
    names = dualdiff.numpy.supported_functions()
    groups = {}
    for n in names:
        module, _, short = n.rpartition(".")
        groups.setdefault(module, []).append(short)
    lines = [f"{len(names)} functions (NumPy {np.__version__}):", ""]
    for module in sorted(groups):
        lines += [f"* ``{module}`` ({len(groups[module])}): {_literals(groups[module])}", ""]
    return lines


def _ufunc_methods():
    methods = {}
    for ufunc, method in dualdiff._ndarray._REDUCE:
        methods.setdefault(method, []).append(f"{ufunc.__name__}.{method}")
    return [f"* ``{m}``: {_literals(sorted(names))}" for m, names in sorted(methods.items())] + [""]


def _dual_ufuncs():
    special = dualdiff._ndarray.supported_special_ufuncs()
    return ["Every ufunc of the dual arrays (above) takes scalar Duals too, and so do these "
            f"{len(special)} ufuncs of ``scipy.special``: {_literals(special)}.", ""]


def _rules():
    rules = dualdiff._dual._rules()
    return {kind: [name for k, name in rules if k == kind] for kind in ("unary", "binary")}


def _c_rules():
    rules = _rules()
    return [
        f"* **unary** ({len(rules['unary'])}, ``dd_rule_NAME(x, order, r)``, op codes "
        f"``DD_OP_NAME``): {_literals(rules['unary'])}",
        "",
        f"* **binary** ({len(rules['binary'])}, ``dd_rule2_NAME(x, y, order, r)``, op codes "
        f"``DD_OP2_NAME``): {_literals(rules['binary'])}",
        "",
    ]


def _signature(name, func):
    """name(parameters), from the signature the function reports."""
    try:
        return name + str(inspect.signature(func))
    except (TypeError, ValueError):
        return (func.__doc__ or name).strip().splitlines()[0]


def _summary(func):
    """The docstring's text, without a leading "name(...): " that repeats the signature."""
    text = " ".join((func.__doc__ or "").split())
    text = re.sub(r"^\w+\([^)]*\)(\[[^]]*\])?\)?:?\s*", "", text)
    return _escape(text)


def _escape(text):
    """Plain text for reST: no markup from ``*``, backquotes, ``|`` or ``_``."""
    for c in "\\*`|_":
        text = text.replace(c, "\\" + c)
    return text


def _math():
    rules = _rules()
    in_c = set(rules["unary"]) | set(rules["binary"])
    rows = []
    for name in dualdiff.math.__all__:
        obj = getattr(dualdiff.math, name)
        if not callable(obj):
            rows.append((f"``{name}``", f"the constant of :mod:`math` ({obj!r})", ""))
        elif obj is getattr(math, name, None):
            rows.append((f"``{name}``", "the function of :mod:`math` itself (integers only)", ""))
        else:
            rows.append((f"``{_signature(name, obj)}``", _summary(obj), "yes" if name in in_c else ""))
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: 30 55 15", "",
             "   * - name", "     - on Duals", "     - C rule"]
    for row in rows:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    return lines + [""]


def _complex():
    ufuncs, functions = dualdiff._complex.supported()
    rules = dualdiff._rules.COMPLEX_UNARY + dualdiff._rules.COMPLEX_BINARY
    return [f"* **ufuncs** ({len(ufuncs)}): {_literals(ufuncs)}", "",
            f"* **functions** ({len(functions)}): {_literals(functions)}", "",
            f"* **rules of the table with a complex form** (``dd_complex.h``, {len(rules)}): "
            f"{_literals(rules)}", ""]


LISTS = {
    "numpy-ufuncs": _numpy_ufuncs,
    "numpy-functions": _numpy_functions,
    "ufunc-methods": _ufunc_methods,
    "dual-ufuncs": _dual_ufuncs,
    "math": _math,
    "c-rules": _c_rules,
    "complex": _complex,
}


class DualdiffList(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self):
        which = self.arguments[0]
        if which not in LISTS:
            raise self.error(f"dualdiff-list: unknown list {which!r}; one of {', '.join(LISTS)}")
        for module in (dualdiff._dual, dualdiff._ndarray, dualdiff.math, dualdiff._complex):
            self.env.note_dependency(module.__file__)  # rebuilt when the package changes
        source = f"<dualdiff-list {which}>"
        content = StringList()
        for i, line in enumerate(LISTS[which]()):
            content.append(line, source, i)
        node = nodes.container()
        self.state.nested_parse(content, self.content_offset, node)
        return node.children


def _drop_repeated_signature(app, what, name, obj, options, lines):
    """Compiled classes repeat their signature as the docstring's first line
    (autodoc has already taken one copy as the signature): drop the copy."""
    short = name.rpartition(".")[2]
    if lines and lines[0].startswith(short + "(") and lines[0].rstrip().endswith(")"):
        del lines[: 2 if len(lines) > 1 and not lines[1].strip() else 1]


def setup(app):
    app.add_directive("dualdiff-list", DualdiffList)
    app.connect("autodoc-process-docstring", _drop_repeated_signature)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
