"""benchmarks/report.py runs its four cases without any peer and prints its tables.

One round of very short samples, so the test takes about a second; the
figures it prints mean nothing, the structure and the checks do.
"""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

REPORT = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "report.py"
QUICK = ["--repeats", "1", "--target", "0.0002", "--peers", "none"]


def _run(tmp_path, *args, env=None):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", **(env or {}))
    proc = subprocess.run([sys.executable, str(REPORT), *QUICK, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _tables(text):
    """{case: {method: [time, x dualdiff, x floats, difference]}} from the markdown."""
    tables, case = {}, None
    for line in text.splitlines():
        m = re.match(r"\*\*(\w+)\*\*: ", line)
        if m:
            case = tables.setdefault(m.group(1), {})
        elif line.startswith("| ") and not line.startswith("| method") and case is not None:
            cells = [c.strip() for c in line.strip("|").split("|")]
            case[cells[0].strip("*")] = cells[1:]
    return tables


def _microseconds(cell):
    number, unit = cell.split()
    return float(number) * {"µs": 1.0, "ms": 1e3, "s": 1e6}[unit]


def test_report_without_peers(tmp_path):
    md = tmp_path / "report.md"
    out = _run(tmp_path, "--no-png", "--markdown", str(md))
    assert md.read_text(encoding="utf-8") == out
    assert not (tmp_path / "report.png").exists()
    tables = _tables(out)
    assert list(tables) == ["scalar", "gradient", "hessian", "jacobian"]
    expected_dualdiff = {"scalar": "dualdiff.derivative", "gradient": "dualdiff.grad",
                         "hessian": "dualdiff.hessian", "jacobian": "dualdiff.jacobian"}
    for case, rows in tables.items():
        dd = rows[expected_dualdiff[case]]
        floats = next(v for k, v in rows.items() if k.startswith("floats"))
        assert dd[1] == "1.00" and dd[3] == "reference"
        assert floats[2] == "1.00" and floats[3] == ""
        # the ratios are the times divided, as printed (3 significant digits)
        t_dd, t_fl = _microseconds(dd[0]), _microseconds(floats[0])
        assert t_dd > 0 and t_fl > 0
        assert float(dd[2]) == pytest.approx(t_dd / t_fl, rel=0.02)
        # the complex step, where it runs, agrees with dualdiff to rounding
        for method, cells in rows.items():
            if method.startswith("complex step"):
                assert float(cells[3]) < 1e-13
    assert {m for m in tables["hessian"]} == {"floats, value only", "dualdiff.hessian",
                                              "dualdiff.hessian, x an ndarray"}
    # x as an ndarray gives dualdiff's result exactly
    for case in ("gradient", "hessian"):
        assert next(v for k, v in tables[case].items() if k.endswith("x an ndarray"))[3] == "0"
    assert "Skipped" not in out           # no peer was asked for
    # every peer's module may be installed or not; none of them was imported
    assert "jax" not in out and "torch" not in out


def test_report_skips_a_missing_peer_and_draws(tmp_path):
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib not installed")
    # a module that fails to import shadows fastdual, installed or not
    (tmp_path / "fastdual.py").write_text("raise ImportError('not here')\n")
    png = tmp_path / "chart.png"
    out = _run(tmp_path, "--png", str(png), "--peers", "fastdual",
               env={"PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))})
    assert "Skipped: fastdual: not installed." in out
    assert "fastdual." not in out
    assert len(_tables(out)) == 4
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
