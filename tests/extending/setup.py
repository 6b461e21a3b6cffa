"""Build the embedding examples against the installed dualdiff: python setup.py build_ext --inplace"""
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

import dualdiff

# No -ffast-math: dual numbers rely on NaN, inf and signed zeros.
flags = ["/O2"] if sys.platform == "win32" else ["-O3", "-std=c99", "-fno-math-errno"]
extensions = [
    Extension(name, [name + ".pyx"], include_dirs=[dualdiff.get_include()], extra_compile_args=flags)
    for name in ("newton3", "drivers_check")
]
setup(ext_modules=cythonize(extensions, quiet=True))
