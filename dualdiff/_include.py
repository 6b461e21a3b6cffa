import os


def get_include() -> str:
    """get_include() -> str

    The directory to add to a C compiler's include path (``-I``) for
    ``#include "dualdiff/dualdiff.h"``, and to Cython's ``include_path`` /
    an extension's ``include_dirs`` for ``from dualdiff.dualdiff cimport ...``.
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")
