import os


def get_include() -> str:
    """get_include() -> str

    The directory of the C headers: add it to a C compiler's include path
    (``-I``) for ``#include "dualdiff/dualdiff.h"``. A Cython module that does
    ``from dualdiff.dualdiff cimport ...`` needs it too, in its extension's
    ``include_dirs``: Cython finds ``dualdiff/dualdiff.pxd`` on ``sys.path``,
    next to the installed package, but the C file it writes includes the
    header. To build one such module in a POSIX shell::

        CFLAGS="-I$(python -c 'import dualdiff; print(dualdiff.get_include())')" cythonize -i mod.pyx

    C programs also link the C math library (``-lm``); there is no dualdiff
    library to link.
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")
