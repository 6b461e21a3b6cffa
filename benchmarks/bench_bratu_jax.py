"""The dense Bratu Jacobian (n = 200) against jax.jit(jax.jacfwd), as a user would time it.

    python benchmarks/bench_bratu_jax.py [--rounds 3] [--repeats 31]

Each round starts one fresh process per setting (threads: BLAS and XLA pinned
to one thread, or left at their defaults; timer: wall clock or process CPU
time); each process times ``dualdiff.jacobian(bratu)(u)`` and the jitted JAX
Jacobian (float64: ``jax_enable_x64``) in interleaved samples and prints the
medians. The table shows every process, so that the spread between processes,
which is larger for JAX than the spread between settings, is visible. Skipped
when JAX is not installed.
"""
import argparse
import importlib.util
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

_HERE = pathlib.Path(__file__).resolve().parent
PINNED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
          "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}


def worker(timer_name, repeats):
    timer = {"wall": time.perf_counter, "process": time.process_time}[timer_name]
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import numpy as np

    import dualdiff
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    spec = importlib.util.spec_from_file_location("corpus", _HERE / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)

    u = 0.1 * np.sin(np.linspace(0.0, np.pi, 200))
    J = dualdiff.jacobian(corpus.bratu)
    jf = jax.jit(jax.jacfwd(lambda v: corpus.bratu(v, xp=jnp)))
    uj = jnp.asarray(u)
    assert np.allclose(np.asarray(jf(uj)), J(u), rtol=1e-12, atol=1e-9)
    cases = {"dualdiff": lambda: J(u), "jax": lambda: jf(uj).block_until_ready()}
    samples = {k: [] for k in cases}
    for _ in range(repeats):
        for k, fn in cases.items():
            t = timer()
            for _ in range(20):
                fn()
            samples[k].append((timer() - t) / 20 * 1e6)
    print(json.dumps({k: statistics.median(v) for k, v in samples.items()}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeats", type=int, default=31)
    p.add_argument("--worker", metavar="TIMER")
    a = p.parse_args()
    if a.worker:
        worker(a.worker, a.repeats)
        return
    if importlib.util.find_spec("jax") is None:
        print("jax not installed: skipped")
        return
    print(f"{'round':>5} {'threads':8} {'timer':8} {'dualdiff us':>12} {'jax us':>9} {'jax / dualdiff':>15}")
    for r in range(a.rounds):
        for threads in ("pinned", "default"):
            for timer_name in ("wall", "process"):
                env = dict(os.environ)
                for k in PINNED:
                    env.pop(k, None)
                if threads == "pinned":
                    env.update(PINNED)
                out = subprocess.run([sys.executable, __file__, "--worker", timer_name, "--repeats",
                                      str(a.repeats)], env=env, capture_output=True, text=True, check=True)
                t = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{r + 1:>5} {threads:8} {timer_name:8} {t['dualdiff']:12.1f} {t['jax']:9.1f} "
                      f"{t['jax'] / t['dualdiff']:15.2f}")


if __name__ == "__main__":
    main()
