"""The embedding examples in tests/extending/ are built against the INSTALLED package and run.

The C program is compiled with `cc` and the Cython modules with setuptools, in a
temporary directory, using nothing from the source tree but the example sources.
Expected values are derived by hand (formulas below), never taken from the code.
"""
import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
import sysconfig

import numpy as np
import pytest

import dualdiff

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extending")
DOTTIE = 0.73908513321516064166  # the root of cos(x) = x
CODES = dict(OK=0, ARGS=-1, SINGULAR=-2, NONFINITE=-3, MAXITER=-4, NOPROGRESS=-5)


def _cc():
    return shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc") or shutil.which("clang")


def _have_python_compiler():
    cc = sysconfig.get_config_var("CC")
    return bool(cc) and shutil.which(cc.split()[0]) is not None


# ------------------------------------------------------------------ C example


@pytest.fixture(scope="module")
def c_output(tmp_path_factory):
    cc = _cc()
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH")
    tmp = tmp_path_factory.mktemp("c_example")
    shutil.copy(os.path.join(HERE, "newton.c"), tmp)
    exe = str(tmp / "newton")
    cmd = [cc, "-std=c99", "-O2", "-Wall", "-Wextra", "-pedantic", "-I", dualdiff.get_include(),
           str(tmp / "newton.c"), "-o", exe, "-lm"]
    build = subprocess.run(cmd, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert build.stderr.strip() == "", "warnings from the public header:\n" + build.stderr
    run = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    out = {}
    for line in run.stdout.splitlines():
        key, *values = line.split()
        out[key] = [float(v) for v in values]
    return out


def test_c_newton_root_and_derivative(c_output):
    (root,) = c_output["root"]
    assert root == pytest.approx(DOTTIE, rel=2e-16, abs=0)
    assert abs(c_output["residual"][0]) <= 1e-16
    # f'(x) = -sin(x) - 1 and sin(r) = sqrt(1 - r^2) at the root since cos(r) = r
    assert c_output["derivative"][0] == pytest.approx(-1 - math.sqrt(1 - DOTTIE**2), rel=1e-15)
    assert 3 <= c_output["iterations"][0] <= 8  # quadratic convergence from x = 1


def test_c_gradient(c_output):
    x, y, z = 0.5, -1.0, 2.0
    # g = x y z + e^x sin y + z^2 / (1 + x^2)
    assert c_output["value"][0] == pytest.approx(x * y * z + math.exp(x) * math.sin(y) + z * z / (1 + x * x), rel=1e-15)
    expected = [
        y * z + math.exp(x) * math.sin(y) - 2 * x * z * z / (1 + x * x) ** 2,
        x * z + math.exp(x) * math.cos(y),
        x * y + 2 * z / (1 + x * x),
    ]
    assert c_output["gradient"] == pytest.approx(expected, rel=1e-14)


def test_c_header_compiles_as_cxx(tmp_path):
    cxx = shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")
    if cxx is None:
        pytest.skip("no C++ compiler on PATH")
    src = tmp_path / "use.cpp"
    src.write_text('#include "dualdiff/dualdiff.h"\nint main() { double a[2] = {1.0, 1.0}, b[2];\n'
                   "dd_sin(b, a, 1, 1); return b[1] > 0.54 && b[1] < 0.55 ? 0 : 1; }\n")
    build = subprocess.run([cxx, "-Wall", "-Wextra", "-I", dualdiff.get_include(), str(src), "-o", str(tmp_path / "use")],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert subprocess.run([str(tmp_path / "use")]).returncode == 0


# ------------------------------------------------------------- Cython example


@pytest.fixture(scope="module")
def ext(tmp_path_factory):
    if not _have_python_compiler():
        pytest.skip("no C compiler for Python extensions")
    pytest.importorskip("Cython")
    pytest.importorskip("setuptools")
    tmp = tmp_path_factory.mktemp("cython_example")
    for name in ("setup.py", "newton3.pyx", "drivers_check.pyx"):
        shutil.copy(os.path.join(HERE, name), tmp)
    build = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=tmp,
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    mods = {}
    for name in ("newton3", "drivers_check"):
        (path,) = [p for p in os.listdir(tmp) if p.startswith(name + ".") and p.endswith(sysconfig.get_config_var("EXT_SUFFIX"))]
        spec = importlib.util.spec_from_file_location(name, tmp / path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mods[name] = mod
    return mods


def system(x):
    """The example's system and its Jacobian, by hand."""
    x, y, z = x
    f = [x * x + y * y + z * z - 3, math.exp(x - 1) + 2 * y * z - 3, math.sin(math.pi * x / 2) + y - 2 * z]
    jac = [[2 * x, 2 * y, 2 * z], [math.exp(x - 1), 2 * z, 2 * y], [math.pi / 2 * math.cos(math.pi * x / 2), 1, -2]]
    return np.array(f), np.array(jac)


@pytest.mark.parametrize("chunk", [0, 1, 2, 3])
def test_cython_newton_root(ext, chunk):
    root, jac, iterations = ext["newton3"].solve([1.3, 0.8, 1.2], chunk=chunk)
    assert root == pytest.approx([1.0, 1.0, 1.0], abs=1e-15)
    assert jac == pytest.approx(np.array([[2, 2, 2], [1, 2, 2], [0, 1, -2]]), abs=1e-14)
    assert 3 <= iterations <= 10


def test_cython_newton_needs_damping(ext):
    # From here plain Newton steps (hand Jacobian) wander without converging; the damped
    # iteration lands on the system's other root.
    x0 = [0.0, 0.0, 0.1]
    x = np.array(x0)
    for _ in range(50):
        f, jac = system(x)
        x = x - np.linalg.solve(jac, f)
    assert np.max(np.abs(system(x)[0])) > 1e-3
    root, _, iterations = ext["newton3"].solve(x0)
    assert np.max(np.abs(system(root)[0])) <= 1e-14
    assert iterations < 20


def test_cython_newton_reports_failure(ext):
    with pytest.raises(RuntimeError, match=r"status -4\b"):
        ext["newton3"].solve([1.3, 0.8, 1.2], maxiter=1)


def test_fun_and_jac_at_a_generic_point(ext):
    x = np.array([0.3, -0.7, 1.9])
    f, jac = ext["newton3"].fun_and_jac(x)
    f_hand, jac_hand = system(x)
    assert f == pytest.approx(f_hand, rel=1e-15, abs=1e-15)
    assert jac == pytest.approx(jac_hand, rel=1e-15)


def test_handed_to_scipy_root(ext):
    optimize = pytest.importorskip("scipy.optimize")
    sol = optimize.root(ext["newton3"].fun_and_jac, [1.3, 0.8, 1.2], jac=True, method="hybr")
    assert sol.success
    assert sol.x == pytest.approx([1.0, 1.0, 1.0], abs=1e-7)  # hybr's default xtol
    assert sol.njev <= 3  # the exact Jacobian is used


def test_handed_to_scipy_quad_as_low_level_callable(ext):
    scipy = pytest.importorskip("scipy")
    from scipy.integrate import quad

    llc = scipy.LowLevelCallable.from_cython(ext["newton3"], "xsinx_prime")
    assert llc.signature == "double (double, void *)"
    value, err = quad(llc, 0.0, 2.0)
    # integral of g' over [0, 2] is g(2) - g(0) = 2 sin 2
    assert value == pytest.approx(2 * math.sin(2.0), rel=1e-13)
    assert err < 1e-10


# ------------------------------------------------------------ driver details

H_POINT = [0.4, 1.3, -0.8]


def h_by_hand(p):
    x, y, z = p
    r = math.hypot(x, z)
    f = [x * y * z + math.exp(x) * math.sin(y), r / y]
    jac = [[y * z + math.exp(x) * math.sin(y), x * z + math.exp(x) * math.cos(y), x * y],
           [x / (r * y), -r / (y * y), z / (r * y)]]
    return f, np.array(jac)


def test_status_codes(ext):
    assert ext["drivers_check"].codes() == CODES


def test_work_sizes(ext):
    d = ext["drivers_check"]
    # (n_in + n_out) numbers of width chunk; chunk 0 or > n_in means n_in
    assert d.work_sizes(3, 2, 2)[0] == 5 * 3
    assert d.work_sizes(3, 2, 0)[0] == 5 * 4
    assert d.work_sizes(3, 2, 9)[0] == 5 * 4
    # two value/Jacobian pairs, step, trial point, and the evaluation work
    assert d.work_sizes(3, 3, 0)[1] == 2 * (9 + 3) + 2 * 3 + 6 * 4


@pytest.mark.parametrize("chunk", [0, 1, 2, 3, 4])
def test_value_and_jacobian_chunks(ext, chunk):
    f_hand, jac_hand = h_by_hand(H_POINT)
    status, f, jac = ext["drivers_check"].h_value_and_jacobian(H_POINT, 2, chunk)
    assert status == 0
    assert f == pytest.approx(f_hand, rel=1e-15)
    assert jac == pytest.approx(jac_hand, rel=1e-14)
    status, jac = ext["drivers_check"].h_jacobian(H_POINT, chunk)
    assert status == 0 and jac == pytest.approx(jac_hand, rel=1e-14)


@pytest.mark.parametrize("chunk", [0, 1, 2])
def test_gradient_chunks(ext, chunk):
    f_hand, jac_hand = h_by_hand(H_POINT)
    status, value, grad = ext["drivers_check"].h_gradient(H_POINT, chunk)
    assert status == 0
    assert value == pytest.approx(f_hand[0], rel=1e-15)
    assert grad == pytest.approx(jac_hand[0], rel=1e-14)


def test_jvp(ext):
    v = [0.25, -2.0, 1.5]
    f_hand, jac_hand = h_by_hand(H_POINT)
    status, f, jv = ext["drivers_check"].h_jvp(H_POINT, v)
    assert status == 0
    assert f == pytest.approx(f_hand, rel=1e-15)
    assert jv == pytest.approx(jac_hand @ v, rel=1e-14)


def test_callback_at_width_zero_gives_values(ext):
    status, f = ext["drivers_check"].h_values(H_POINT)
    assert status == 0 and f == pytest.approx(h_by_hand(H_POINT)[0], rel=1e-15)


def test_derivative(ext):
    status, v, d = ext["drivers_check"].derivative_of_log(2.5)
    assert status == 0 and v == pytest.approx(math.log(2.5), rel=1e-16) and d == pytest.approx(0.4, rel=1e-16)


def test_lu_solve_pivots(ext):
    lu = ext["drivers_check"].lu_solve
    assert lu([[0.0, 1.0], [1.0, 0.0]], [2.0, 3.0]) == (0, [3.0, 2.0])  # needs a row swap
    # small leading pivot: without pivoting this loses every digit
    status, y = lu([[1e-20, 1.0], [1.0, 1.0]], [1.0, 2.0])
    assert status == 0 and y == pytest.approx([1.0, 1.0], rel=1e-15)
    rng = np.random.default_rng(20261126)
    a = rng.standard_normal((6, 6))
    y_true = rng.standard_normal(6)
    status, y = lu(a.tolist(), (a @ y_true).tolist())
    assert status == 0 and y == pytest.approx(y_true, rel=1e-10, abs=1e-12)
    assert lu([[1.0, 2.0], [2.0, 4.0]], [1.0, 1.0])[0] == CODES["SINGULAR"]
    assert lu([[math.nan, 0.0], [0.0, 1.0]], [1.0, 1.0])[0] == CODES["SINGULAR"]


def test_callback_error_code_is_passed_through(ext):
    *statuses, iterations = ext["drivers_check"].failing_status(7)
    assert statuses == [7] * 6 and iterations == 0


def test_bad_arguments(ext):
    assert ext["drivers_check"].bad_arguments() == (CODES["ARGS"],) * 6


def test_newton_edge_cases(ext):
    newton = ext["drivers_check"].newton_1d
    status, x, f, it = newton("log", 0.5)
    assert (status, x, f) == (0, 1.0, 0.0)
    # log(-1) is NaN: stop at once instead of calling it converged
    status, x, f, it = newton("log", -1.0)
    assert status == CODES["NONFINITE"] and math.isnan(f) and it == 0
    # x^2 + 1: derivative 0 at x = 0
    assert newton("square_plus", 0.0, 1.0)[0] == CODES["SINGULAR"]
    # x^2 + 1 has no real root: Newton must fail, not claim success
    status, x, f, it = newton("square_plus", 0.5, 1.0, 200)
    assert status in (CODES["NOPROGRESS"], CODES["SINGULAR"]) and f >= 1.0
    assert newton("square_plus", 3.0, -4.0, 2)[0] == CODES["MAXITER"]  # x^2 - 4 from 3, two steps


# ------------------------------------------------------------------ README


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def _readme_section():
    readme = os.path.join(os.path.dirname(HERE), os.pardir, "README.md")
    if not os.path.exists(readme):
        pytest.skip("README.md not next to the tests (installed tests only)")
    text = _read(readme)
    section = text[text.index("## Using dualdiff from C and Cython"):]
    return section[: section.find("\n## ", 1)] if "\n## " in section[1:] else section


def _readme_blocks(lang):
    return re.findall(r"```%s\n(.*?)```" % lang, _readme_section(), flags=re.S)


def test_readme_shows_the_tested_code():
    c = _read(os.path.join(HERE, "newton.c"))
    pyx = _read(os.path.join(HERE, "newton3.pyx"))
    c_blocks = [b for b in _readme_blocks("c") if "int main" in b]
    cy_blocks = _readme_blocks("cython")
    assert len(c_blocks) == 1 and c_blocks[0] in c
    assert len(cy_blocks) == 2 and all(b in pyx for b in cy_blocks)
    # every function of the example that the text names is in a block the README shows
    prose = re.sub(r"```.*?```", "", _readme_section(), flags=re.S)
    defined = re.findall(r"^(?:c?def|cdef api) (?:\w+ )*?(\w+)\(", pyx, flags=re.M)
    named = [name for name in defined if re.search(r"\b%s\b" % name, prose)]
    assert {"fun_and_jac", "xsinx_prime", "system"} <= set(named)
    for name in named:
        assert any(re.search(r"^(?:c?def|cdef api) (?:\w+ )*?%s\(" % name, b, flags=re.M) for b in cy_blocks), name


def _cythonize_line(text):
    (line,) = [ln.strip() for ln in text.splitlines() if "cythonize -i" in ln]
    return line


def test_docs_give_one_cythonize_line():
    docs = os.path.join(os.path.dirname(HERE), os.pardir, "docs", "c-api.rst")
    if not os.path.exists(docs):
        pytest.skip("docs/ not next to the tests")
    readme_line = _cythonize_line(_readme_section())
    assert readme_line == _cythonize_line(_read(docs))
    assert readme_line in dualdiff.get_include.__doc__


def test_the_documented_cythonize_line_builds(tmp_path):
    """The README's one-line build of a module that cimports dualdiff, run as written."""
    if sys.platform == "win32" or shutil.which("sh") is None:
        pytest.skip("the documented line is for a POSIX shell")
    if not _have_python_compiler():
        pytest.skip("no C compiler for Python extensions")
    pytest.importorskip("Cython")
    line = _cythonize_line(_readme_section())
    bindir = os.path.dirname(sys.executable)
    if not all(os.path.exists(os.path.join(bindir, exe)) for exe in ("python", "cythonize")):
        pytest.skip("python and cythonize are not next to this interpreter")
    (tmp_path / "mod.pyx").write_text(
        "from dualdiff.dualdiff cimport dd_sin, dd_mul\n\n"
        "def x_sin_x(double x):\n"
        "    cdef double a[2]\n"
        "    cdef double b[2]\n"
        "    a[0] = x\n"
        "    a[1] = 1.0\n"
        "    dd_sin(b, a, 1, 1)\n"
        "    dd_mul(b, b, a, 1, 1)\n"
        "    return b[0], b[1]\n")
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("CFLAGS", None)
    build = subprocess.run(["sh", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    (path,) = [p for p in os.listdir(tmp_path) if p.startswith("mod.") and p.endswith(sysconfig.get_config_var("EXT_SUFFIX"))]
    spec = importlib.util.spec_from_file_location("mod", tmp_path / path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    value, derivative = mod.x_sin_x(0.5)
    assert value == pytest.approx(0.5 * math.sin(0.5), rel=1e-15)
    assert derivative == pytest.approx(math.sin(0.5) + 0.5 * math.cos(0.5), rel=1e-15)


def test_docs_include_the_readme_figures():
    """The embedding speed-ups are stated once, in the README; the docs include that text."""
    docs = os.path.join(os.path.dirname(HERE), os.pardir, "docs", "c-api.rst")
    if not os.path.exists(docs):
        pytest.skip("docs/ not next to the tests")
    section = _readme_section()
    start = "<!-- embedding-figures: docs/c-api.rst includes this paragraph -->"
    end = "<!-- end of embedding-figures -->"
    figures = section[section.index(start) + len(start):section.index(end)]
    assert re.search(r"\d(\.\d+)?x faster", figures)
    text = _read(docs)
    assert ".. include:: ../README.md\n   :start-after: %s\n   :end-before: %s\n" % (start, end) in text
    assert not re.search(r"\d(\.\d+)?x (faster|the)", text)


# ------------------------------------------------- per-function wrappers

WRAPPER_CHECK = r"""
#include <stdio.h>
#include <string.h>
#include "dualdiff/dualdiff.h"
/* dd_NAME must equal dd_unary / dd_binary by op code, bit for bit, at both orders */
int main(void)
{
    /* volatile: constants would let the compiler fold one side with its own exact math */
    volatile double va = 0.37, vb = -1.7;
    double a[6] = {0.0, 1.0, -0.5, 0.25, 2.0, -1.5}, b[6] = {0.0, 0.5, 3.0, -2.0, 0.125, 1.0};
    double p[6], q[6];
    int bad = 0, order;
    a[0] = va;
    b[0] = vb;
    for (order = 1; order <= 2; order++) {
        size_t m = dd_size(2, order);
#define U(name) dd_##name(p, a, 2, order); dd_unary(DD_OP_##name, q, a, 2, order); \
        if (memcmp(p, q, m * sizeof(double))) { printf("%s %d\n", #name, order); bad++; }
        DD_UNARY_RULES(U)
#define B(name) dd_##name(p, a, b, 2, order); dd_binary(DD_OP2_##name, q, a, b, 2, order); \
        if (memcmp(p, q, m * sizeof(double))) { printf("%s %d\n", #name, order); bad++; }
        DD_BINARY_FUNCTIONS(B)
    }
    printf("checked\n");
    return bad;
}
"""


def test_wrappers_match_the_rule_table(tmp_path):
    cc = _cc()
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH")
    (tmp_path / "w.c").write_text(WRAPPER_CHECK)
    build = subprocess.run([cc, "-std=c99", "-O2", "-I", dualdiff.get_include(), str(tmp_path / "w.c"),
                            "-o", str(tmp_path / "w"), "-lm"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(tmp_path / "w")], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout == "checked\n", run.stdout


# ------------------------------------------------------------ aliasing


def _rule_lists():
    """The X-macro lists of the installed dd_rules.h: name -> items, nested lists expanded."""
    text = _read(os.path.join(dualdiff.get_include(), "dualdiff", "dd_rules.h"))
    text = text.replace("\\\n", " ")
    raw = {m.group(1): m.group(2) for m in re.finditer(r"#define (DD_\w+)\(X\)([^\n]*)", text)}

    def expand(name):
        items = []
        for m in re.finditer(r"(DD_\w+)\(X\)|X\((\w+)\)", raw[name]):
            items += expand(m.group(1)) if m.group(1) else [m.group(2)]
        return items

    return {name: expand(name) for name in raw}


def _compile_and_run(cc, src, tmp_path, name):
    exe = str(tmp_path / name)
    build = subprocess.run([cc, "-std=c99", "-O2", "-Wall", "-Wextra", "-pedantic", "-I", dualdiff.get_include(),
                            str(src), "-o", exe, "-lm"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert build.stderr.strip() == "", build.stderr
    return subprocess.run([exe], capture_output=True, text=True, timeout=120)


def test_every_function_may_write_over_its_inputs(tmp_path):
    """tests/extending/aliasing.c: out == a, out == b and a == b give the bits of out of place,
    for every rule (from the X-macro lists) and every other function that writes a number, at
    widths 0 to 3 and orders 0, 1, 2 (and IEEE); and the drivers' outputs over their inputs."""
    cc = _cc()
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH")
    run = _compile_and_run(cc, os.path.join(HERE, "aliasing.c"), tmp_path, "aliasing")
    assert run.returncode == 0 and run.stdout.startswith("functions "), run.stdout[-5000:] + run.stderr
    counts = dict(zip(*[iter(run.stdout.split())] * 2))
    lists = _rule_lists()
    # dd_NAME and dd_unary for each unary rule; dd_binary, dd_binary_x, dd_binary_y for each
    # binary rule; dd_NAME for each binary function; and 22 more (see the file)
    expected = (2 * len(lists["DD_UNARY_RULES"]) + 3 * len(lists["DD_BINARY_RULES"])
                + len(lists["DD_BINARY_FUNCTIONS"]) + 22)
    assert int(counts["functions"]) == expected
    assert int(counts["failures"]) == 0 and int(counts["cases"]) > 100 * expected
    # and every other function of the headers that writes a number computed from numbers is in it
    headers = "".join(_read(os.path.join(dualdiff.get_include(), "dualdiff", name))
                      for name in ("dd_rules.h", "dd_core.h", "dualdiff.h"))
    source = _read(os.path.join(HERE, "aliasing.c"))
    for name, params in re.findall(r"static inline \w+ (dd_[a-z]\w*)\(([^)]*)\)", headers):
        if re.search(r"(?<!const )double \*\s*out\b", params) and "const double *" in params:
            assert re.search(r"\b%s\b" % name, source), name + " is not in tests/extending/aliasing.c"


SEED_CHECK = r"""
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "dualdiff/dualdiff.h"
/* dd_set_variable: e_k for k < n; for k >= n the constant, as dd_set_constant gives */
int main(void)
{
    size_t n, k, i, ks[] = {0, 1, 2, 3, 4, 7, SIZE_MAX};
    int order, bad = 0;
    for (order = 1; order <= 2; order++) {
        for (n = 0; n <= 4; n++) {
            size_t m = dd_size(n, order);
            for (i = 0; i < sizeof ks / sizeof ks[0]; i++) {
                double x[16], c[16];
                size_t j;
                k = ks[i];
                for (j = 0; j < 16; j++) x[j] = c[j] = -9.0;
                dd_set_variable(x, 1.5, k, n, order);
                dd_set_constant(c, 1.5, n, order);
                if (k < n) c[1 + k] = 1.0;
                if (memcmp(x, c, sizeof x)) { printf("n %lu k %lu order %d\n", (unsigned long)n, (unsigned long)k, order); bad++; }
                for (j = 1; j < m; j++) if (x[j] != (k < n && j == 1 + k ? 1.0 : 0.0)) bad++;
                if (x[0] != 1.5 || x[m] != -9.0) bad++;
            }
        }
    }
    printf("checked\n");
    return bad;
}
"""


def test_set_variable_beyond_the_width_is_a_constant(tmp_path):
    cc = _cc()
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH")
    (tmp_path / "seed.c").write_text(SEED_CHECK)
    run = _compile_and_run(cc, tmp_path / "seed.c", tmp_path, "seed")
    assert run.returncode == 0 and run.stdout == "checked\n", run.stdout


def test_ieee_flag_of_the_order(ext):
    modes = ext["drivers_check"].modes
    # finite partials: both modes give the hand derivatives
    # d(ab) = b da + a db; d sqrt(a) = da / (2 sqrt a); d(a/b) = (da - (a/b) db) / b
    for ieee in (False, True):
        prod, root, quot, order, size = modes(4.0, 1.0, 2.0, 0.5, ieee)
        assert (prod, root, quot) == (2.0 + 4.0 * 0.5, 1.0 / 4.0, (1.0 - 2.0 * 0.5) / 2.0)
        assert order == 1 and size == 2  # the flag leaves order and layout alone
    # a zero tangent beside an infinite partial: 0 by default, IEEE's NaN with DD_IEEE
    # (a * inf, sqrt at 0, and 1 / 0 where the quotient is infinite)
    prod, root, _, _, _ = modes(0.0, 0.0, math.inf, 0.0, False)
    quot = modes(1.0, 0.0, 0.0, 0.0, False)[2]
    assert (prod, root, quot) == (0.0, 0.0, 0.0)
    prod, root, _, _, _ = modes(0.0, 0.0, math.inf, 0.0, True)
    quot = modes(1.0, 0.0, 0.0, 0.0, True)[2]
    assert math.isnan(prod) and math.isnan(root) and math.isnan(quot)
