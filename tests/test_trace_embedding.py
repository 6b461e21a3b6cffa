"""Exported tapes (Traced.export) from C, Cython and SciPy.

A traced function's tape is exported as a dd_tape with C functions that take
it as their void * data (dualdiff/dd_tape.h). A C program (compiled here,
under AddressSanitizer and UndefinedBehaviorSanitizer where the compiler has
them) embeds the tapes as initializers and calls the functions; a Cython
module calls them without the GIL; scipy.integrate.quad takes the scalar
value and derivative as LowLevelCallables. Expected values are derived by
hand.
"""
import importlib.util
import math
import os
import shutil
import subprocess
import sys
import sysconfig

import numpy as np
import pytest

import dualdiff
import dualdiff.math as dm

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extending")
GUARD = 1  # DD_TAPE_GUARD


def scalar(x, a):
    if x[0] > x[1]:
        return a * x[0] * dm.exp(x[1])
    return x[0] ** 2 + dm.sin(x[1])


def scalar_by_hand(x, a):
    return a * x[0] * math.exp(x[1]), [a * math.exp(x[1]), a * x[0] * math.exp(x[1])]


def system(x):
    return [x[0] * x[0] + x[1] * x[1] - 4.0, x[0] - 2.0 * x[1]]


ROOT = [4 / math.sqrt(5), 2 / math.sqrt(5)]  # x0 = 2 x1, 5 x1^2 = 4
POINTS = [[2.0, 1.0], [1.5, -0.5], [0.5, 1.0], [1.0, 0.0]]  # the third takes the other branch


@pytest.fixture(scope="module")
def exported():
    ts, tsys = dualdiff.trace(scalar), dualdiff.trace(system)
    return ts.export([2.0, 1.0], 3.0), tsys.export([1.0, 0.5])


def _c_double(c):
    if math.isnan(c):
        return "NAN"
    if math.isinf(c):
        return "INFINITY" if c > 0 else "-INFINITY"
    return float.hex(c)


def _c_tape(name, e):
    ops, outs = e.instructions()
    lines = [f"static const dd_tape_op {name}_OPS[] = {{"]
    lines += [f"    {{{k}, {op}, {a}, {b}, {o}, 0, {_c_double(c)}}}," for k, op, a, b, o, c in ops]
    lines += ["};", f"static const int32_t {name}_OUTPUTS[] = {{{', '.join(map(str, outs))}}};"]
    args = [_c_double(v) for v in e.args] or ["0.0"]
    lines += [f"static const double {name}_ARGS[] = {{{', '.join(args)}}};",
              f"#define {name}_SLOTS {e.tape.n_slots}", f"#define {name}_INPUTS {e.tape.n_inputs}"]
    return "\n".join(lines)


def _cc():
    return shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc") or shutil.which("clang")


@pytest.fixture(scope="module")
def c_output(exported, tmp_path_factory):
    cc = _cc()
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH")
    tmp = tmp_path_factory.mktemp("trace_client")
    shutil.copy(os.path.join(HERE, "trace_client.c"), tmp)
    points = ", ".join("{" + ", ".join(_c_double(v) for v in p) + "}" for p in POINTS)
    (tmp / "tapes.h").write_text(_c_tape("SCALAR", exported[0]) + "\n" + _c_tape("SYSTEM", exported[1])
                                 + f"\nstatic const double SCALAR_POINTS[][2] = {{{points}}};\n")
    exe = str(tmp / "trace_client")
    base = [cc, "-std=c99", "-O1", "-g", "-Wall", "-Wextra", "-pedantic", "-I", dualdiff.get_include(),
            "-I", str(tmp), str(tmp / "trace_client.c"), "-o", exe, "-lm"]
    sanitize = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
    build = subprocess.run(base[:1] + sanitize + base[1:], capture_output=True, text=True)
    if build.returncode != 0:  # a compiler without the sanitizers' run-time libraries
        build = subprocess.run(base, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert build.stderr.strip() == "", "warnings from the public header:\n" + build.stderr
    run = subprocess.run([exe], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""
    return [line.split() for line in run.stdout.splitlines()]


def test_c_gradient_and_guard(c_output):
    grads = [line for line in c_output if line[0] == "grad"]
    assert len(grads) == len(POINTS)
    for p, line in zip(POINTS, grads):
        status = int(line[1])
        if p[0] > p[1]:
            value, g = scalar_by_hand(p, 3.0)
            assert status == 0
            assert float(line[2]) == pytest.approx(value, rel=1e-15)
            assert [float(v) for v in line[3:]] == pytest.approx(g, rel=1e-15)
        else:
            assert status == GUARD  # the other branch: the C caller is told, no number


def test_c_reverse_sweep(c_output):
    grads = [line for line in c_output if line[0] == "rgrad"]
    assert len(grads) == len(POINTS)
    for p, line in zip(POINTS, grads):
        if p[0] > p[1]:
            value, g = scalar_by_hand(p, 3.0)
            assert int(line[1]) == 0
            assert float(line[2]) == pytest.approx(value, rel=1e-15)
            assert [float(v) for v in line[3:]] == pytest.approx(g, rel=1e-15)
        else:
            assert int(line[1]) == GUARD


def test_c_newton_on_a_tape(c_output):
    (line,) = [line for line in c_output if line[0] == "root"]
    assert int(line[1]) == 0
    assert [float(v) for v in line[2:4]] == pytest.approx(ROOT, rel=1e-15)
    assert 2 <= int(line[4]) <= 10


@pytest.fixture(scope="module")
def cy(tmp_path_factory):
    cc = sysconfig.get_config_var("CC")
    if not cc or shutil.which(cc.split()[0]) is None:
        pytest.skip("no C compiler for Python extensions")
    pytest.importorskip("Cython")
    tmp = tmp_path_factory.mktemp("trace_cython")
    shutil.copy(os.path.join(HERE, "trace_client.pyx"), tmp)
    # under the sanitizer job (.ci/sanitize preloads ASan into this process)
    # the client is instrumented too, so its calls into the tape are checked
    sanitized = "libasan" in os.environ.get("LD_PRELOAD", "")
    flags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
             "-fno-omit-frame-pointer"] if sanitized else []
    (tmp / "setup.py").write_text(
        "from Cython.Build import cythonize\nfrom setuptools import Extension, setup\nimport dualdiff\n"
        "setup(ext_modules=cythonize([Extension('trace_client', ['trace_client.pyx'], "
        f"include_dirs=[dualdiff.get_include()], extra_compile_args=['-O2', '-std=c99'] + {flags!r}, "
        f"extra_link_args={flags!r})], quiet=True))\n")
    build = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=tmp,
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    (path,) = [p for p in os.listdir(tmp) if p.startswith("trace_client.")
               and p.endswith(sysconfig.get_config_var("EXT_SUFFIX"))]
    if sanitized and shutil.which("ldd"):
        linked = subprocess.run(["ldd", str(tmp / path)], capture_output=True, text=True).stdout
        assert "libasan" in linked, "the Cython client was not built with the sanitizers"
    spec = importlib.util.spec_from_file_location("trace_client", tmp / path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cython_gradient_without_the_gil(cy, exported):
    e = exported[0]
    for p in POINTS:
        status, value, g = cy.value_and_gradient(e.value_and_gradient, e.data, p)
        if p[0] > p[1]:
            v_ref, g_ref = scalar_by_hand(p, 3.0)
            assert status == 0 and value == pytest.approx(v_ref, rel=1e-15)
            assert g == pytest.approx(g_ref, rel=1e-15)
        else:
            assert status == GUARD
    # value and Jacobian through the other exported function, and the Python check call
    s, fx, jac = exported[1](ROOT)
    assert s == 0 and fx == pytest.approx([0, 0], abs=1e-15)
    np.testing.assert_allclose(jac, [[2 * ROOT[0], 2 * ROOT[1]], [1.0, -2.0]], rtol=1e-15)
    assert cy.value_and_gradient(e.value_and_jacobian, e.data, [2.0, 1.0])[0] == 0


def test_cython_newton_on_a_tape(cy, exported):
    status, root, iterations = cy.newton(exported[1].data, [1.0, 0.5])
    assert status == 0 and root == pytest.approx(ROOT, rel=1e-15)


def test_quad_takes_value_and_derivative():
    integrate = pytest.importorskip("scipy.integrate")
    g = dualdiff.trace(lambda t: dm.exp(-t * t) * t if t > 0.0 else 0.0 * t)
    e = g.export(0.5)
    val, _ = integrate.quad(e.low_level_callable("value"), 0.1, 2.0)
    assert val == pytest.approx((math.exp(-0.01) - math.exp(-4)) / 2, rel=1e-13)
    dval, _ = integrate.quad(e.low_level_callable("derivative"), 0.1, 2.0)
    assert dval == pytest.approx(2 * math.exp(-4) - 0.1 * math.exp(-0.01), rel=1e-13)
    llc = e.low_level_callable()
    del e, g  # the callable keeps its tape
    assert integrate.quad(llc, 0.1, 2.0)[0] == pytest.approx(val, rel=1e-15)
    with pytest.warns(integrate.IntegrationWarning):
        r = integrate.quad(llc, -1.0, 1.0)[0]  # the other branch: NaN, never a wrong number
    assert math.isnan(r)
    with pytest.raises(ValueError):
        dualdiff.trace(system).export([1.0, 2.0]).low_level_callable()


def test_export_errors():
    with pytest.raises(TypeError, match="export"):
        with pytest.warns(dualdiff.TraceWarning):
            dualdiff.trace(lambda x: math.sin(x)).export(1.0)
    e = dualdiff.trace(system).export([1.0, 2.0])
    with pytest.raises(ValueError):
        e([1.0])
