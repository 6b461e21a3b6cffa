"""Convolution benchmark: Jacobians through dualdiff.signal and np.convolve.

Times, in one process with interleaved repeats (medians of process CPU time,
which counts XLA's threads too; BLAS and XLA pinned to one thread),
for a signal of n = 50, 200, 1000 entries and a 3-tap kernel:
  * f(x) = scipy.signal.convolve(x, kernel, mode="same") on floats;
  * dualdiff.jacobian of f written with dualdiff.signal.convolve (one dual
    argument: every derivative component in one stacked convolution);
  * dualdiff.jacobian of the same f written with np.convolve (one NumPy call
    per derivative component);
  * where JAX is installed, jax.jit(jax.jacfwd(...)) of jnp.convolve with
    64-bit floats, beside them.
The ratios are to f on floats in the same run.

Run: python benchmarks/bench_signal.py [--repeats N]
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import pathlib  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.signal  # noqa: E402

import dualdiff  # noqa: E402
import dualdiff.signal  # noqa: E402

_here = pathlib.Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("timing", _here / "timing.py")
timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(timing)

SIZES = (50, 200, 1000)
KERNEL = np.array([0.25, 0.5, 0.25])


def _jax():
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    return jax


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args(argv)
    jax = _jax()
    table = {}
    for n in SIZES:
        x = np.sin(np.linspace(0.0, 3.0, n))
        entries = [
            ("f on floats", lambda x=x: scipy.signal.convolve(x, KERNEL, mode="same")),
            ("jacobian, dualdiff.signal.convolve",
             lambda x=x, J=dualdiff.jacobian(
                 lambda s: dualdiff.signal.convolve(s, KERNEL, mode="same")): J(x)),
            ("jacobian, np.convolve",
             lambda x=x, J=dualdiff.jacobian(lambda s: np.convolve(s, KERNEL, mode="same")): J(x)),
        ]
        if jax is not None:
            import jax.numpy as jnp
            jj = jax.jit(jax.jacfwd(lambda s: jnp.convolve(s, jnp.asarray(KERNEL), mode="same")))
            jx = jnp.asarray(x)
            jj(jx).block_until_ready()
            entries.append(("jax.jit(jax.jacfwd), jnp.convolve",
                            lambda jx=jx, jj=jj: jj(jx).block_until_ready()))
        table[n] = entries
    res = timing.measure(table, args.repeats, timer=time.process_time)
    print("| n | call | us | / f on floats |")
    print("|--:|---|--:|--:|")
    for n, entries in table.items():
        base = res[(n, "f on floats")]
        for label, _ in entries:
            us = res[(n, label)]
            print(f"| {n} | {label} | {us:.1f} | {us / base:.1f} |")
    if jax is None:
        print("(JAX is not installed: its rows are left out)")


if __name__ == "__main__":
    main()
