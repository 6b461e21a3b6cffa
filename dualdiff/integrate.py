"""dualdiff.integrate: SciPy's ODE solvers with dual initial values and parameters.

``scipy.integrate.odeint`` and ``solve_ivp`` convert ``y0`` to a float array,
so they refuse dual numbers. The functions here have SciPy's names and
signatures; with a dual ``y0`` or dual ``args`` (or, for ``odeint``, dual
output times ``t``) they integrate the dual numbers themselves: the state is
every component of ``y``'s dual numbers (values, first and, for second-order
numbers, second derivatives), and the right-hand side is ``func`` evaluated
on those dual numbers. Dual arithmetic makes that system the forward
sensitivity equations of every order at once, integrated by SciPy's solver
under its own error control, so the derivatives are accurate to the
solver's tolerances (``rtol``, ``atol``), like the values::

    import numpy as np
    import dualdiff
    from dualdiff.integrate import odeint

    def decay(k):
        return odeint(lambda y, t: -k * y, 1.0, [0.0, 2.0])[-1, 0]   # exp(-2 k)

    dualdiff.derivative(decay)(0.5)                                   # -2 exp(-1)

The values come from that same run, so they agree with SciPy's run on plain
numbers to the tolerances, not bit for bit (the error control also sees the
derivatives). Without a dual argument each function is SciPy's own.
``func`` must accept dual arrays: NumPy functions and arithmetic (not a
conversion to float). Not supported with dual arguments: ``taylor`` numbers,
sparsity detection, and ``solve_ivp``'s ``events`` (the derivatives of event
times are not computed), and the time span of ``solve_ivp``. A ``Dfun``/``jac``
given for the plain system is not used: the implicit methods approximate the
larger system's Jacobian by differences.
"""
import numpy as np

try:
    import scipy.integrate as _si  # type: ignore[import-untyped]  # SciPy ships no type stubs
except ImportError as _exc:  # pragma: no cover - SciPy is optional for dualdiff itself
    raise ImportError("dualdiff.integrate needs SciPy (pip install scipy)") from _exc

from dualdiff import _ndarray as _nd

__all__ = ["odeint", "solve_ivp"]


def _no_patterns(*xs):
    for x in xs:
        if isinstance(x, _nd._PATTERN_TYPES) or (isinstance(x, (list, tuple)) and _no_patterns(*x)):
            raise TypeError("dualdiff.integrate: sparsity detection through an ODE solver is not "
                            "supported; pass the sparsity pattern (sparsity=...) or use a dense transform")
    return False


def _spec_of(*xs):
    """The combined spec of the dual numbers among xs, or None."""
    _no_patterns(*xs)
    _, spec = _nd._dual_operands(list(xs))
    if spec is not None and spec.order == _nd._TAYLOR:
        raise TypeError("dualdiff.integrate: Taylor numbers (dualdiff.taylor) are not supported")
    return spec


def _values_of(x):
    """The values of x (numbers, arrays, or their dual numbers) as a float array."""
    o = _nd._operand(x)
    if o is None:
        raise _nd._unsupported(x)
    return o[0][..., 0] if isinstance(o, tuple) else o


def _probe(func, y0, t0, args, time_first):
    """func's value at the start, whose dual numbers (those func holds, as a
    closure over the numbers of a transform) count as dual arguments."""
    y = np.atleast_1d(_values_of(y0))
    return func(t0, y, *args) if time_first else func(y, t0, *args)


def _state(y0, spec):
    """The dual array of y0 (1-D) as the flat buffer the solver integrates."""
    o = _nd._operand(y0)
    if o is None:
        raise _nd._unsupported(y0)
    buf = _nd._as_buf(o, spec)
    return np.ascontiguousarray(buf.reshape(-1, spec.m))


class _System:
    """The right-hand side of the dual system for SciPy: flat buffers in and out."""

    def __init__(self, func, shape, spec, args, time_first):
        self.func, self.shape, self.spec, self.args = func, shape, spec, args
        self.time_first = time_first

    def dual(self, s):
        return _nd._wrap(np.asarray(s, dtype=np.float64).reshape(self.shape + (self.spec.m,)), self.spec)

    def __call__(self, a, b):
        t, s = (a, b) if self.time_first else (b, a)
        return self.buffer(self.evaluate(self.dual(s), t))

    def evaluate(self, y, t):
        """func at the dual array y and time t."""
        return self.func(t, y, *self.args) if self.time_first else self.func(y, t, *self.args)

    def buffer(self, r):
        o = _nd._operand(r)
        if o is None:
            raise TypeError(f"the ODE's right-hand side returned {type(r).__name__}, not numbers "
                            "or an array of them")
        buf = _nd._as_buf(o, self.spec)
        if buf.shape[:-1] != self.shape:
            buf = np.broadcast_to(buf, self.shape + (self.spec.m,))
        return buf.reshape(-1)


def odeint(func, y0, t, args=(), Dfun=None, col_deriv=0, full_output=0, ml=None, mu=None, rtol=None,
           atol=None, tcrit=None, h0=0.0, hmax=0.0, hmin=0.0, ixpr=0, mxstep=0, mxhnil=0, mxordn=12,
           mxords=5, printmessg=0, tfirst=False):
    """odeint(func, y0, t, args=(), ..., tfirst=False): SciPy's
    ``scipy.integrate.odeint``, the solution of ``dy/dt = func(y, t, *args)``
    at the times ``t``, differentiable in ``y0``, ``args`` and ``t``. Returns
    an array of shape ``(len(t), len(y0))`` (a dual array with dual arguments)."""
    _no_patterns(y0, t, *args)
    times = np.asarray(_values_of(t), dtype=np.float64)
    spec = _spec_of(y0, t, *args, _probe(func, y0, float(times.flat[0]), args, tfirst))
    kw = dict(ml=ml, mu=mu, rtol=rtol, atol=atol, tcrit=tcrit, h0=h0, hmax=hmax, hmin=hmin, ixpr=ixpr,
              mxstep=mxstep, mxhnil=mxhnil, mxordn=mxordn, mxords=mxords, printmessg=printmessg)
    if spec is None:
        return _si.odeint(func, y0, t, args=args, Dfun=Dfun, col_deriv=col_deriv, full_output=full_output,
                          tfirst=tfirst, **kw)
    y0d = np.ravel(_nd._as_dual(y0, spec))
    shape = (int(np.prod(y0d.shape)),)
    system = _System(func, shape, spec, tuple(args), tfirst)
    td = _nd._as_dual(t, spec) if isinstance(_nd._operand(t), tuple) else None  # dual times
    if td is not None:  # y0 is the state at the dual time t[0]: the state at its value, one step back
        y0d = _step(system, y0d, td[0], times[0] - td[0])
    out = _si.odeint(system, _state(y0d, spec).reshape(-1), times, full_output=full_output,
                     tfirst=tfirst, **kw)
    flat, info = (out[0], out[1]) if full_output else (out, None)
    y = _nd._wrap(np.ascontiguousarray(flat).reshape(len(times), shape[0], spec.m), spec)
    if td is not None:
        y = np.stack([_step(system, y[k], times[k], td[k] - times[k]) for k in range(len(times))])
    return (y, info) if full_output else y


def _step(system, z, t0, delta):
    """The state at t0 + delta of the solution through z at t0, for delta without
    a value (so delta^3 = 0 for first- and second-order numbers): the trapezoid
    rule over [t0, t0 + delta] is then exact, z + delta (f(z, t0) + f(w, t0 +
    delta)) / 2 with w = z + delta f(z, t0), which is exact to first order."""
    f0 = system.evaluate(z, t0)
    w = z + delta * f0
    return z + delta * (f0 + system.evaluate(w, t0 + delta)) / 2


def solve_ivp(fun, t_span, y0, method="RK45", t_eval=None, dense_output=False, events=None,
              vectorized=False, args=None, **options):
    """solve_ivp(fun, t_span, y0, method="RK45", t_eval=None, dense_output=False,
    events=None, vectorized=False, args=None, ...): SciPy's
    ``scipy.integrate.solve_ivp`` for ``dy/dt = fun(t, y, *args)``,
    differentiable in ``y0`` and ``args``. With dual arguments the result's
    ``y`` is a dual array of shape ``(n, len(t))`` and ``sol`` (with
    ``dense_output=True``) returns dual arrays; ``t`` stays SciPy's times."""
    for name, value in (("t_span", t_span), ("t_eval", t_eval)):
        if value is not None and isinstance(_nd._operand(value), tuple):
            raise TypeError(f"dualdiff.integrate.solve_ivp: a dual {name} is not supported")
    extra = tuple(args) if args is not None else ()
    _no_patterns(y0, *extra)
    spec = _spec_of(y0, *extra, _probe(fun, y0, float(t_span[0]), extra, True))
    if spec is None:
        return _si.solve_ivp(fun, t_span, y0, method=method, t_eval=t_eval, dense_output=dense_output,
                             events=events, vectorized=vectorized, args=args, **options)
    if events is not None:
        raise TypeError("dualdiff.integrate.solve_ivp: events with dual arguments are not supported "
                        "(the derivatives of event times are not computed)")
    options.pop("jac", None)
    y0d = _nd._as_dual(y0, spec)
    shape = (int(np.prod(y0d.shape)),)
    system = _System(fun, shape, spec, extra, True)
    rhs = system if not vectorized else _columns(system)
    res = _si.solve_ivp(rhs, t_span, _state(np.ravel(y0d), spec).reshape(-1), method=method,
                        t_eval=t_eval, dense_output=dense_output, vectorized=vectorized, **options)
    if res.y is not None and res.y.size:
        res.y = _nd._wrap(np.ascontiguousarray(res.y.T.reshape(-1, shape[0], spec.m).transpose(1, 0, 2)), spec)
    if res.sol is not None:
        res.sol = _DualSolution(res.sol, shape, spec)
    return res


def _columns(system):
    """A vectorized right-hand side over columns of flat buffers."""
    def rhs(t, s):
        return np.stack([system(t, s[:, j]) for j in range(s.shape[1])], axis=1)
    return rhs


class _DualSolution:
    """solve_ivp's dense output, returning dual arrays (n,) or (n, len(t))."""

    def __init__(self, sol, shape, spec):
        self._sol, self._shape, self._spec = sol, shape, spec
        self.t_min, self.t_max = sol.t_min, sol.t_max

    def __call__(self, t):
        s = np.asarray(self._sol(t))
        n, m = self._shape[0], self._spec.m
        if s.ndim == 1:
            return _nd._wrap(np.ascontiguousarray(s.reshape(n, m)), self._spec)
        return _nd._wrap(np.ascontiguousarray(s.T.reshape(-1, n, m).transpose(1, 0, 2)), self._spec)
