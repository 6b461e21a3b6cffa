"""Container inputs: dicts, and lists or tuples of arrays of different shapes.

A transform's ``x`` may be a *tree*: a dict (at any depth), or a list or
tuple whose items do not form one array (arrays of different shapes, or a
ragged mix such as ``[[1.0], 2.0]``). Its nodes are the dicts and those
lists and tuples; every other part is a *leaf*, taken as the transforms take a whole ``x``: a number, an
array, or a list or tuple of numbers (or of arrays of one shape), which
stays one array as everywhere else. So ``{"a": 1.0, "b": [1.0, 2.0]}`` has
two leaves, a number and a vector, and ``[np.ones(2), np.ones(3)]`` two
vectors.

The transform runs on the concatenation of the flattened leaves (one float
vector, so chunking, seeding and nesting are those of an array ``x``); ``f``
receives the same tree with each leaf replaced by what ``f`` would receive
for it alone (a Dual, a DualArray, lists of Duals), and the derivatives are
cut back into the tree, as JAX does with pytrees:

* grad, value_and_grad, hvp: the tree of ``x`` with each leaf's gradient
  (a float for a number, an array shaped like the leaf otherwise);
* jacobian, value_and_jacobian: the tree of ``x`` whose leaves have shape
  ``out.shape + leaf.shape``;
* hessian: a tree of trees, ``H[i][j]`` of shape ``out.shape + leaf_i.shape
  + leaf_j.shape`` for leaves ``i`` and ``j`` (``H["a"]["b"]`` for a dict);
* jvp: ``v`` has the structure of ``x``; the results are shaped like
  ``f``'s result, as for any ``x``.

The result of ``f`` may be a tree too for ``jvp``, ``jacobian`` and
``value_and_jacobian`` (a dict, or a list or tuple of arrays of different
shapes): they run ``f`` with its result flattened (:class:`OutTree`) and
return trees of the same structure, each leaf shaped like that part of the
result (followed by the shape of ``x`` for a Jacobian; the tree of ``x``
inside each leaf when ``x`` is a tree, as JAX nests ``jacfwd``'s result).
The other transforms want a number or an array.
"""
import numbers

import numpy as np

from dualdiff._complex import ComplexDual
from dualdiff._dual import Dual
from dualdiff._ndarray import DualArray
from dualdiff._ndarray import array as _dual_array

__all__ = ["OutTree", "Tree", "is_out_node", "tree_of"]


# types of the numbers in the usual inputs, checked first (one set lookup)
_NUMBER_TYPES = frozenset({float, int, bool, np.float64, np.float32, np.int64, np.int32, np.bool_,
                           Dual})


def tree_of(x):
    """The Tree of x, or None when x is an input of the usual kinds."""
    if type(x) is dict:
        return Tree(x)
    if isinstance(x, (list, tuple)):
        for item in x:  # the common case: a flat sequence of numbers
            if type(item) not in _NUMBER_TYPES:
                break
        else:
            return None
        return Tree(x) if _is_node(x) else None
    if isinstance(x, dict):
        return Tree(x)
    return None


def _regular_shape(x):
    """The array shape of a leaf x, or None when x is a node (holds a dict,
    or its items have different shapes)."""
    if type(x) in _NUMBER_TYPES:
        return ()
    if isinstance(x, dict):
        return None
    if isinstance(x, (list, tuple)):
        first = None
        for item in x:
            s = () if type(item) in _NUMBER_TYPES else _regular_shape(item)
            if s is None:
                return None
            if first is None:
                first = s
            elif s != first:
                return None
        return (len(x),) + (first if first is not None else ())
    if isinstance(x, (np.ndarray, DualArray, ComplexDual)):
        return x.shape
    return ()


def _mixes_real_and_complex(x):
    """Whether x holds real and complex arrays: then each keeps its kind
    (stacked into one array, the real ones would turn complex, and f would
    see numbers it was not given: sqrt of -1.0 is NaN, of -1+0j it is i). A
    list of numbers alone is an array, as np.array makes it."""
    kinds = set()
    _kinds(x, kinds)
    return "array" in kinds and "c" in kinds and "r" in kinds


def _kinds(x, kinds):
    if isinstance(x, (list, tuple)):
        for item in x:
            _kinds(item, kinds)
    elif isinstance(x, (complex, np.complexfloating)) or (
            isinstance(x, np.ndarray) and x.dtype.kind == "c"):
        kinds.add("c")
        if isinstance(x, np.ndarray):
            kinds.add("array")
    elif isinstance(x, ComplexDual):  # numbers of a transform running on complex numbers
        kinds.add("c" if np.iscomplexobj(x.value) else "r")
        if x.ndim:
            kinds.add("array")
    elif type(x) in _NUMBER_TYPES or isinstance(x, DualArray) or (
            isinstance(x, np.ndarray) and x.dtype.kind in "biuf"):
        kinds.add("r")
        if isinstance(x, np.ndarray):
            kinds.add("array")
    else:
        kinds.add("other")


def _is_node(x):
    """A dict, or a list or tuple whose items (at any depth) do not form one
    array: it holds a dict, parts of different shapes, or real and complex arrays."""
    return isinstance(x, dict) or (isinstance(x, (list, tuple)) and (
        _regular_shape(x) is None or _mixes_real_and_complex(x)))


class Tree:
    """The structure of a tree input: its leaves in order, with their shapes
    (None for a number) and their offsets in the flat vector."""

    __slots__ = ("x", "leaves", "shapes", "offsets", "size", "moved")

    def __init__(self, x):
        self.x = x
        self.leaves = []
        _leaves(x, self.leaves)
        self.shapes = []
        self.offsets = [0]
        for leaf in self.leaves:
            if isinstance(leaf, (list, tuple, np.ndarray, DualArray)) or (
                    isinstance(leaf, ComplexDual) and leaf.ndim):
                shape = _regular_shape(leaf)
                size = int(np.prod(shape, dtype=np.int64))
            else:
                shape, size = None, 1
            self.shapes.append(shape)
            self.offsets.append(self.offsets[-1] + size)
        self.size = self.offsets[-1]
        self.moved = frozenset()  # real leaves that a jvp moves along complex directions

    # ------------------------------------------------------------- inputs

    def flat(self, what="x"):
        """The leaves flattened and joined: a float64 vector, or a dual array
        when a leaf holds numbers of a running transform (a nested call)."""
        return _join(self.leaves, what)

    def along(self, v):
        """Mark the real leaves that v moves along complex directions: jvp is
        d/dt f(x + t v), so they leave the real axis and stay complex."""
        leaves = []
        _leaves(v, leaves)
        self.moved = frozenset(i for i, leaf in enumerate(leaves) if _complex_leaf(leaf))
        return self

    def flat_like(self, v, what="v"):
        """v, a tree of the structure of x, flattened the same way."""
        if not _same_structure(self.x, v):
            raise ValueError(f"{what} must have the structure of x (the same containers, keys "
                             "and leaf shapes)")
        leaves = []
        _leaves(v, leaves)
        return _join(leaves, what)

    def wrap(self, f):
        """f as a function of the flat vector: it receives the tree (an object
        that pickles when f and the tree do, so that workers can run it)."""
        return _OnTree(self, f)

    def unflatten_input(self, z):
        """The tree of x with each leaf replaced by its entries of z (Duals).
        Where complex leaves made z complex, a real leaf gets the real parts
        of its entries: f sees it real, as given (sqrt(-1.0) stays NaN), and
        its derivatives are along the real axis."""
        real = np.real if _projects(z) else (lambda v: v)
        items = []
        for i, (leaf, shape, a, b) in enumerate(zip(self.leaves, self.shapes, self.offsets,
                                                    self.offsets[1:])):
            keep = real if _real_leaf(leaf) and i not in self.moved else (lambda v: v)
            if shape is None:
                items.append(keep(z[a]))
            elif isinstance(leaf, (list, tuple)):
                items.append(_slices(z, a, leaf, keep)[0])
            else:
                items.append(keep(np.reshape(z[a:b], shape)))
        return self._build(iter(items))

    # ------------------------------------------------------------ results

    def _build(self, items, t=None):
        return _build(self.x if t is None else t, items)

    def _block(self, r, lead, i):
        """Leaf i's part of the last axis of r (shape lead + (N,))."""
        a, b, shape = self.offsets[i], self.offsets[i + 1], self.shapes[i]
        block = r[(Ellipsis, a)] if shape is None else np.reshape(r[..., a:b], lead + shape)
        if (isinstance(block, (np.ndarray, np.complexfloating)) and np.iscomplexobj(block)
                and _real_leaf(self.leaves[i]) and not np.any(np.imag(block))):
            block = np.real(block)  # a real leaf's derivatives of a real-valued f
        if shape is None:
            return _scalar(block if lead else block[()] if isinstance(block, np.ndarray) else block)
        return _out(block)

    def gradient(self, r, lead=()):
        """r of shape lead + (N,) as a tree of x: leaves lead + leaf shape."""
        return self._build(iter(self._block(r, lead, i) for i in range(len(self.leaves))))

    def hessian(self, r, lead=()):
        """r of shape lead + (N, N) as a tree of trees of blocks."""
        outer = []
        for i, (a, b, shape) in enumerate(zip(self.offsets, self.offsets[1:], self.shapes)):
            rows = r[..., a, :] if shape is None else np.reshape(r[..., a:b, :], lead + shape + (self.size,))
            outer.append(self.gradient(rows, lead + (() if shape is None else shape)))
        return self._build(iter(outer))


def _slices(z, start, leaf, keep):
    """(leaf's lists and tuples, holding z's entries from start on: arrays as
    slices of z shaped like them, numbers as entries; the end)."""
    if type(leaf) is list or type(leaf) is tuple:
        out = []
        for item in leaf:
            built, start = _slices(z, start, item, keep)
            out.append(built)
        return type(leaf)(out), start
    shape = np.shape(leaf.value) if isinstance(leaf, ComplexDual) else np.shape(leaf)
    if shape == ():
        return keep(z[start]), start + 1
    size = int(np.prod(shape, dtype=np.int64))
    return keep(np.reshape(z[start:start + size], shape)), start + size


def _projects(z):
    """Do the real leaves of x take the real parts of their entries of z?
    Where z is complex and f is not declared holomorphic: z's numbers move
    along the imaginary axis too, and a real leaf does not. (The numbers of
    a transform nested at a total order of three or more come in an object
    array.)"""
    if isinstance(z, ComplexDual):
        return not z.holomorphic
    if isinstance(z, np.ndarray) and z.dtype == object and z.size:
        from dualdiff import _third
        return _third.along_imaginary(z.flat[0])
    return False


def _complex_leaf(leaf):
    """A leaf of complex numbers: plain ones, or complex numbers of a
    transform (of a nested one, in an object array)."""
    if isinstance(leaf, ComplexDual):
        return np.iscomplexobj(leaf.value)
    if isinstance(leaf, (list, tuple)):
        return any(_complex_leaf(e) for e in leaf)
    if isinstance(leaf, np.ndarray) and leaf.dtype == object:
        return any(_complex_leaf(e) for e in leaf.flat)
    from dualdiff import _third
    return np.iscomplexobj(_third._value(leaf))


def _real_leaf(leaf):
    """A leaf of real numbers: plain ones, or real numbers of a transform."""
    return not _complex_leaf(leaf)


def _join(leaves, what):
    from dualdiff import _seeding
    specs = set()
    for leaf in leaves:
        _seeding._collect_specs(leaf, specs)
    if any(isinstance(leaf, ComplexDual) for leaf in leaves):  # a nested call's complex numbers
        from dualdiff import _complex
        return _complex._many(np.concatenate, [np.ravel(_complex.array(leaf)) for leaf in leaves])
    if specs:
        parts = [np.ravel(_dual_array(leaf, copy=False)) for leaf in leaves]
    elif any(np.iscomplexobj(leaf) for leaf in leaves):  # complex leaves: a complex vector
        parts = [np.ravel(np.asarray(leaf, dtype=np.complex128)) for leaf in leaves]
    else:
        parts = [_seeding.flatten(leaf, what)[0] for leaf in leaves]
    return np.concatenate(parts) if parts else np.zeros(0)


def _leaves(x, out):
    if isinstance(x, dict):
        for v in x.values():
            _leaves(v, out)
    elif _is_node(x):
        for v in x:
            _leaves(v, out)
    else:
        out.append(x)


def _build(t, items):
    if isinstance(t, dict):
        pairs = [(k, _build(v, items)) for k, v in t.items()]
        if type(t) is dict:
            return dict(pairs)
        try:
            return type(t)(pairs)
        except TypeError:
            return dict(pairs)
    if _is_node(t):
        vals = [_build(v, items) for v in t]
        if type(t) is list:
            return vals
        if isinstance(t, tuple) and hasattr(t, "_fields"):  # a namedtuple
            return type(t)(*vals)
        return tuple(vals) if isinstance(t, tuple) else vals
    return next(items)


def _same_structure(x, v):
    if isinstance(x, dict):
        return isinstance(v, dict) and list(x.keys()) == list(v.keys()) and all(
            _same_structure(x[k], v[k]) for k in x)
    if _is_node(x):
        return (isinstance(v, (list, tuple)) and _is_node(v) and len(v) == len(x)
                and all(_same_structure(a, b) for a, b in zip(x, v)))
    if _is_node(v):
        return False
    arrays = (list, tuple, np.ndarray, DualArray, ComplexDual)
    sx = _regular_shape(x) if isinstance(x, arrays) else None
    sv = _regular_shape(v) if isinstance(v, arrays) else None
    return (sx or ()) == (sv or ())


def _scalar(v):
    if isinstance(v, (Dual, DualArray)):
        return v
    if isinstance(v, np.ndarray) and v.ndim > 0:
        return np.ascontiguousarray(v)
    if isinstance(v, (np.ndarray, np.floating, numbers.Real)):
        return float(v)
    return v


def _out(v):
    if isinstance(v, (DualArray, ComplexDual)):
        return v
    return np.ascontiguousarray(v)


class _OnTree:
    """f of a tree as a function of the flat vector (see Tree.wrap)."""

    def __init__(self, tree, f):
        self.tree, self.f = tree, f
        self.__name__ = getattr(f, "__name__", type(f).__name__)

    def __call__(self, z, *args, **kwargs):
        return self.f(self.tree.unflatten_input(z), *args, **kwargs)


# ------------------------------------------------------------ tree results


def _out_shape(y):
    """The array shape of one result y, or None when y is a tree (a dict, or a
    list or tuple whose items have different shapes)."""
    if type(y) in _NUMBER_TYPES or isinstance(y, numbers.Number):
        return ()
    if isinstance(y, dict):
        return None
    if isinstance(y, (list, tuple)):
        shapes = [_out_shape(item) for item in y]
        if any(s is None for s in shapes) or len(set(shapes)) > 1:
            return None
        return (len(y),) + (shapes[0] if shapes else ())
    return tuple(np.shape(y.value) if _is_complex_dual(y) else np.shape(y))


def _is_complex_dual(y):
    return isinstance(y, ComplexDual)


def is_out_node(y):
    """Is y, a result of f, a tree: a dict, or a list or tuple whose parts do
    not form one array (arrays of different shapes, or a ragged mix such as
    [[a, b], c]), or real and complex arrays, which keep their kinds, as for an
    input?"""
    if isinstance(y, dict):
        return True
    return isinstance(y, (list, tuple)) and (_out_shape(y) is None or _mixes_real_and_complex(y))


def _out_leaves(y, out):
    if isinstance(y, dict):
        for v in y.values():
            _out_leaves(v, out)
    elif isinstance(y, (list, tuple)) and is_out_node(y):
        for v in y:
            _out_leaves(v, out)
    else:
        out.append(y)


def _out_build(t, items):
    if isinstance(t, dict):
        pairs = [(k, _out_build(v, items)) for k, v in t.items()]
        return dict(pairs) if type(t) is dict else type(t)(pairs)
    if isinstance(t, (list, tuple)) and is_out_node(t):
        vals = [_out_build(v, items) for v in t]
        if isinstance(t, tuple) and hasattr(t, "_fields"):  # a namedtuple
            return type(t)(*vals)
        return tuple(vals) if isinstance(t, tuple) else vals
    return next(items)


def _ravel(leaf):
    if _is_complex_dual(leaf):
        return np.ravel(leaf)
    if isinstance(leaf, (list, tuple, Dual)):
        if _holds_complex_dual(leaf):
            from dualdiff import _complex
            return np.ravel(_complex.array(leaf))
        return np.ravel(_dual_array(leaf))
    return np.ravel(leaf)


def _holds_complex_dual(x):
    if isinstance(x, (list, tuple)):
        return any(_holds_complex_dual(v) for v in x)
    return _is_complex_dual(x)


class OutTree:
    """f with its tree result flattened into one vector; after a call it
    knows the structure and cuts flat results back into it (``split``)."""

    def __init__(self, f):
        self.f = f
        self.template = None
        self.shapes = []
        self.__name__ = getattr(f, "__name__", type(f).__name__)

    def __call__(self, *args, **kwargs):
        y = self.f(*args, **kwargs)
        leaves = []
        _out_leaves(y, leaves)
        self.template = y
        self.shapes = [_out_shape(leaf) for leaf in leaves]
        self.real = [_real_leaf(leaf) for leaf in leaves]
        parts = [_ravel(leaf) for leaf in leaves]
        return np.concatenate(parts) if parts else np.zeros(0)

    def split(self, r, each=None):
        """r, of shape (N,) + rest for the N numbers of the flat result, as the
        result's tree: leaf k of shape shape_k + rest (``each(block, shape_k)``
        when given, for a tree x)."""
        items, start = [], 0
        for shape, real in zip(self.shapes, self.real):
            size = int(np.prod(shape, dtype=np.int64))
            block = np.reshape(r[start:start + size], shape + np.shape(r)[1:])
            start += size
            if real and isinstance(block, np.ndarray) and np.iscomplexobj(block) \
                    and not np.any(block.imag):
                block = block.real  # a real part of the result, and real derivatives
            if each is not None:
                items.append(each(block, shape))
            elif isinstance(block, (DualArray, ComplexDual)):  # the numbers of an outer transform
                items.append(block[()] if shape == () else block)
            elif shape == () and np.ndim(block) == 0:
                items.append(block[()].item())  # a float (complex) as for any scalar result
            else:
                items.append(np.ascontiguousarray(block))
        return _out_build(self.template, iter(items))
