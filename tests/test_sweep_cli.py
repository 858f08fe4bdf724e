"""``kantorovich sweep`` on the command line.

In-process tests build the command exactly as cli.py registers it
(``app.command("sweep", cls=_Command)(_guarded(sweep_command))``) and run it with Typer's
runner; the ``process`` tests run ``python -m kantorovich.cli sweep`` in a real interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from kantorovich.cli import _guarded
from kantorovich.cli_style import Command
from kantorovich.sweep.command import sweep_command

PLAN = Path(__file__).resolve().parent.parent / "examples" / "leningrad.yaml"
RULE = "policies.district-3-bread"


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command("sweep", cls=Command)(_guarded(sweep_command))

    @app.command("version")
    def _version() -> None:   # a second command, so that "sweep" is a sub-command
        """Unused."""

    return app


def _run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(_app(), ["sweep", *map(str, args)])
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    return result.exit_code, result.stdout, result.stderr


def test_sweep_json_counts_and_a_rerun(tmp_path: Path) -> None:
    out = tmp_path / "d3"
    code, stdout, _ = _run(PLAN, "--vary", f"{RULE}=1e6:2.5e6:4", "--vary",
                           "supply.wheat=3500:4000:2", "-o", out, "--json", "--workers", 1)
    assert code == 0
    data = json.loads(stdout)
    assert (data["points"], data["computed"], data["reused"]) == (8, 8, 0)
    points = pd.read_parquet(out / "points.parquet")
    assert list(points.columns[:4]) == [RULE, "supply.wheat", "status", "objective"]
    code, stdout, _ = _run(PLAN, "--vary", f"{RULE}=1e6:2.5e6:4", "-o", out, "--json",
                           "--workers", 1)
    data = json.loads(stdout)
    assert (code, data["points"], data["computed"], data["reused"]) == (0, 4, 0, 4)
    code, stdout, _ = _run(PLAN, "--vary", f"{RULE}=1e6:2.5e6:4", "-o", out, "-q")
    assert code == 0 and "4 points: 0 computed, 4 found done" in stdout
    assert "frontier.district-3-bread.html" in stdout


def test_sweep_samples_on_the_command_line(tmp_path: Path) -> None:
    code, stdout, _ = _run(PLAN, "--sample", 20, "--reliability", "mill-5=0.9", "--share",
                           0.8, "-o", tmp_path / "mc", "--json", "--workers", 1)
    assert code == 0
    sample = json.loads(stdout)["sample"]
    assert sample["samples"] == 20 and sample["robust"]["status"] == "optimal"
    assert sample["moves"][0]["good"] == "wheat"
    assert (tmp_path / "mc" / "robust.parquet").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["--vary", "supply.wheet=1:2:2"], "did you mean 'supply.wheat'?"),
    (["--vary", "supply.wheat=1:2"], "START:STOP:COUNT"),
    ([], "nothing to sweep"),
    (["--sample", "5"], "--sample needs uncertain coefficients"),
    (["--vary", "supply.wheat=1:2:2", "--reliability", "mill-5=0.9"], "add --sample N"),
    (["--sample", "5", "--reliability", "mill-9=0.9"], "no unit 'mill-9'"),
])
def test_bad_sweeps_exit_2_with_a_hint(tmp_path: Path, args: list[str], message: str) -> None:
    code, stdout, stderr = _run(PLAN, *args, "-o", tmp_path / "out")
    assert code == 2 and stdout == ""
    assert message in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out").exists()


def test_a_foreign_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    code, _, stderr = _run(PLAN, "--vary", "supply.wheat=1:2:2", "-o", tmp_path / "mine")
    assert code == 2 and "not a kantorovich output directory" in stderr
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["keep.txt"]


# -- a real interpreter ----------------------------------------------------------------------
def _process(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("PYTHONWARNINGS", None)
    proc = subprocess.run([sys.executable, "-W", "error", "-m", "kantorovich.cli", "sweep",
                           *map(str, args)], capture_output=True, text=True, timeout=300,
                          check=False, env=env)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


@pytest.mark.process
def test_the_registered_command_in_a_real_process(tmp_path: Path) -> None:
    out = tmp_path / "d3"
    proc = _process(PLAN, "--vary", f"{RULE}=1e6:2.5e6:4", "-o", out, "--json",
                    "--workers", 2)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["points"], data["computed"], data["reused"], data["workers"]) == (4, 4, 0, 2)
    again = json.loads(_process(PLAN, "--vary", f"{RULE}=1e6:2.5e6:6", "-o", out,
                                "--json", "--workers", 1).stdout)
    assert (again["points"], again["computed"], again["reused"]) == (6, 4, 2)
    bad = _process(PLAN, "--vary", "policies.nope=1:2:2", "-o", tmp_path / "x")
    assert bad.returncode == 2 and "district-3-bread" in bad.stderr
    helped = _process("--help")
    assert helped.returncode == 0 and "--vary" in helped.stdout and "--scheduler" in helped.stdout
