"""Extension modules of dualdiff; everything else is declared in pyproject.toml."""
import os
import sys

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

include = os.path.join("dualdiff", "include")

if sys.platform == "win32":
    cflags = ["/O2"]
else:
    # No -ffast-math: derivatives rely on NaN, inf and signed zeros.
    cflags = ["-O3", "-std=c99", "-fno-math-errno"]

# The buffer cache of dualdiff._array hands NumPy a data allocator; building
# against NumPy 2 for NumPy 1.25 and newer keeps one wheel for both.
numpy_macros = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"), ("NPY_TARGET_VERSION", "NPY_1_25_API_VERSION")]

def generate_math_functions():
    """dualdiff/_rules_math.pxi: the functions of dualdiff.math that the table of
    rules (dualdiff/_rules.py) makes, as plain compiled functions (the cheapest
    call), included by _dual.pyx. Written at every build; not kept in git."""
    namespace = {}
    path = os.path.join("dualdiff", "_rules.py")
    with open(path) as f:
        exec(compile(f.read(), path, "exec"), namespace)
    lines = ["# Generated from dualdiff/_rules.py by setup.py at build time: do not edit.", ""]
    for r in namespace["RULES"]:
        if r.math is None or r.custom:
            continue
        if r.kind == "unary":
            call = "_um_value_from" if r.math_value else "_um"
            lines += [f"def {r.math}(x, /):", f'    """{r.doc}"""', f"    return {call}(x, DD_OP_{r.name})", ""]
        else:
            a, b = ("y", "x") if r.name == "atan2" else ("x", "y")
            lines += [f"def {r.math}({a}, {b}, /):", f'    """{r.doc}"""',
                      f"    return _bm({a}, {b}, DD_OP2_{r.name}, _m.{r.math})", ""]
    text = "\n".join(lines)
    out = os.path.join("dualdiff", "_rules_math.pxi")
    if not os.path.exists(out) or open(out).read() != text:
        with open(out, "w") as f:
            f.write(text)


generate_math_functions()

extensions = [
    # _dual reads the fields of a 1-d float64 ndarray (its struct only, no NumPy API calls)
    Extension("dualdiff._dual", ["dualdiff/_dual.pyx"], include_dirs=[include, numpy.get_include()],
              define_macros=numpy_macros, extra_compile_args=cflags),
    Extension("dualdiff._array", ["dualdiff/_array.pyx"], include_dirs=[include, numpy.get_include()],
              define_macros=numpy_macros, extra_compile_args=cflags),
    Extension("dualdiff._tape", ["dualdiff/_tape.pyx"], include_dirs=[include, numpy.get_include()],
              define_macros=numpy_macros, extra_compile_args=cflags),
    Extension("dualdiff._sparse_c", ["dualdiff/_sparse_c.pyx", "csrc/dd_color.c"], include_dirs=["csrc", include],
              extra_compile_args=cflags),
    Extension("dualdiff._complex_c", ["dualdiff/_complex_c.pyx"], include_dirs=[include, numpy.get_include()],
              define_macros=numpy_macros, extra_compile_args=cflags),
]

setup(
    ext_modules=cythonize(
        extensions,
        # autotestdict: no __test__ dictionary of docstrings in the modules (no
        # doctests run on them; the docs' examples are run by sphinx).
        compiler_directives={"language_level": "3", "embedsignature": True, "autotestdict": False},
    ),
)
