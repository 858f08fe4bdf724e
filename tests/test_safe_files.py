"""Files, as an adversary would set them: no command writes over a file the plan reads,
writes through a link, or hangs on a FIFO or a device, whether it reads or writes.

Every command that writes a folder goes through `kantorovich.files.output_directory`
(the marker, the staging, the refusals), and every reader of the user's files asks
`kantorovich.files.check_input_file` first. Refusals are exit code 2 with the path named.
Cases that could hang run in a real interpreter under a timeout, so a hang fails the
test instead of stopping the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, EXAMPLES, ROOT
from typer.testing import CliRunner

from kantorovich.cli import app
from kantorovich.files import OUTPUT_MARKER

RUNNER = CliRunner()
CSV_PLAN = DATA / "load" / "csv"              # leningrad.yaml and the six tables it names
TABLES = ("goods.csv", "units.csv", "processes.csv", "flows.csv", "supply.csv",
          "demand.csv")
US = EXAMPLES / "us-2017"
MB = DATA / "io" / "miller_blair_2009_table_2_3"


def run(*args: object) -> Any:
    ran = RUNNER.invoke(app, [str(a) for a in args])
    assert ran.exception is None or isinstance(ran.exception, SystemExit), ran.exception
    return ran


def command(*args: object, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m kantorovich.cli ARGS`` in a real interpreter; a hang is a failure."""
    return subprocess.run([sys.executable, "-m", "kantorovich.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links as their target's text) by its hash."""
    return {str(p.relative_to(folder)): (os.readlink(p) if p.is_symlink() else
                                         hashlib.sha256(p.read_bytes()).hexdigest()
                                         if p.is_file() else "special")
            for p in sorted(folder.rglob("*"))}


@pytest.fixture()
def csv_plan(tmp_path: Path) -> Path:
    folder = tmp_path / "plan"
    shutil.copytree(CSV_PLAN, folder)
    return folder / "leningrad.yaml"


# -- never over an input ----------------------------------------------------------------
@pytest.mark.parametrize("table", [*TABLES, "leningrad.yaml"])
def test_report_never_writes_over_a_file_the_plan_reads(csv_plan: Path, table: str) -> None:
    before = digest(csv_plan.parent)
    ran = run("report", csv_plan, "-o", csv_plan.parent / table)
    assert ran.exit_code == 2
    assert f"the report '{csv_plan.parent / table}' is the input" in ran.stderr
    assert digest(csv_plan.parent) == before


def test_export_never_writes_over_a_table_of_the_plan(csv_plan: Path) -> None:
    before = digest(csv_plan.parent)
    for table in ("goods.csv", "flows.csv"):
        ran = run("export", csv_plan, "--mps", csv_plan.parent / table)
        assert ran.exit_code == 2 and "is the input" in ran.stderr, ran.output
    assert digest(csv_plan.parent) == before
    assert run("export", csv_plan, "--mps", csv_plan.parent / "plan.mps").exit_code == 0


def test_an_output_folder_holding_a_table_of_the_plan_is_refused(tmp_path: Path) -> None:
    """A plan may read a table from an earlier output folder: that folder is refused as
    the output of every command, before any work, even though the plan is elsewhere."""
    earlier = tmp_path / "earlier"
    assert run("solve", CSV_PLAN / "leningrad.yaml", "-o", earlier, "--format", "csv",
               "--json").exit_code == 0
    shutil.copy(CSV_PLAN / "flows.csv", earlier / "my-flows.csv")
    plan = tmp_path / "plan" / "plan.yaml"
    plan.parent.mkdir()
    for table in TABLES:
        if table != "flows.csv":
            shutil.copy(CSV_PLAN / table, plan.parent / table)
    plan.write_text((CSV_PLAN / "leningrad.yaml").read_text().replace(
        "flows: flows.csv", "flows: ../earlier/my-flows.csv"))
    before = digest(earlier)
    for args in (["solve", plan, "-o", earlier, "--format", "csv"],
                 ["report", plan, "--format", "svg", "-o", earlier],
                 ["sweep", plan, "--vary", "supply.wheat=3000:4000:2", "-o", earlier]):
        ran = run(*args)
        assert ran.exit_code == 2, (args, ran.output)
        assert "is or holds the input" in ran.stderr and "my-flows.csv" in ran.stderr, args
    assert digest(earlier) == before


# -- every folder a command writes: one set of rules ------------------------------------
EXPERIMENT = f"world: {EXAMPLES / 'leningrad.yaml'}\nperiods: 2\nseeds: [1]\n" \
             "regimes: {central: {}}\n"


def folder_commands(tmp_path: Path) -> dict[str, list[object]]:
    """Each command that writes a folder, with the folder last."""
    experiment = tmp_path / "experiment.yaml"
    experiment.write_text(EXPERIMENT)
    plan = EXAMPLES / "leningrad.yaml"
    return {"solve": ["solve", plan, "-o"],
            "report-svg": ["report", plan, "--format", "svg", "-o"],
            "sweep": ["sweep", plan, "--vary", "supply.wheat=3000:4000:2", "--workers", 1,
                      "-o"],
            "economy-plan": ["economy", "plan", MB, "-o"],
            "economy-generate": ["economy", "generate", "--like", US, "-n", 100, "-o"],
            "lab-run": ["lab", "run", experiment, "-o"]}


COMMANDS = ["solve", "report-svg", "sweep", "economy-plan", "economy-generate", "lab-run"]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_foreign_folder_is_refused_and_untouched(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "plan.yaml").write_text("my own plan\n")
    (folder / "summary.json").write_text("{}\n")
    before = digest(folder)
    ran = run(*folder_commands(tmp_path)[name], folder)
    assert ran.exit_code == 2, ran.output
    assert f"'{folder}' exists and is not a kantorovich output directory" in ran.stderr
    assert digest(folder) == before


@pytest.mark.parametrize("name", COMMANDS)
def test_special_files_in_the_way_never_hang(tmp_path: Path, name: str) -> None:
    """A FIFO as the folder, or as the marker inside it: refused at once (a reader of
    either would wait for ever for a writer)."""
    args = folder_commands(tmp_path)[name]
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    ran = command(*args, fifo, timeout=30)
    assert ran.returncode == 2, ran.stderr
    assert f"'{fifo}' exists and is not a directory" in ran.stderr
    folder = tmp_path / "marked"
    folder.mkdir()
    os.mkfifo(folder / OUTPUT_MARKER)
    ran = command(*args, folder, timeout=30)
    assert ran.returncode == 2, ran.stderr
    assert "is not a kantorovich output directory" in ran.stderr


@pytest.mark.parametrize("name", ["solve", "economy-generate", "lab-run"])
def test_a_loop_of_links_is_refused(tmp_path: Path, name: str) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    ran = run(*folder_commands(tmp_path)[name], loop)
    assert ran.exit_code == 2, ran.output
    assert "leads round in a loop" in ran.stderr and "Traceback" not in ran.stderr


def test_generate_writes_as_solve_does(tmp_path: Path) -> None:
    """``economy generate -o``: marked, replaced whole on a rerun, never through a link
    planted in its folder, never onto a FIFO there, never leaving staging behind."""
    out = tmp_path / "economy"
    args = ["economy", "generate", "--like", US, "-n", 100, "--json", "-o", out]
    ran = run(*args)
    assert ran.exit_code == 0, ran.output
    marker = json.loads((out / OUTPUT_MARKER).read_text())
    assert marker["files"] == sorted(["plan.yaml", "generated.json", "goods.parquet",
                                      "processes.parquet", "flows.parquet",
                                      "basket.parquet"])
    assert run(*args).exit_code == 0                  # our own folder: replaced
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    (out / "plan.yaml").unlink()
    (out / "plan.yaml").symlink_to(outside)
    ran = run(*args)
    assert ran.exit_code == 2 and f"'{out / 'plan.yaml'}' is in the way" in ran.stderr
    assert outside.read_text() == "not yours\n" and (out / "plan.yaml").is_symlink()
    (out / "plan.yaml").unlink()
    os.mkfifo(out / "plan.yaml")
    ran = command(*args, timeout=60)
    assert ran.returncode == 2 and "is in the way" in ran.stderr
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".kantorovich")) \
        == [OUTPUT_MARKER]
    assert (out / "goods.parquet").is_file()          # the earlier output is kept


# -- never read a special file ----------------------------------------------------------
def test_special_files_are_never_read(tmp_path: Path, csv_plan: Path) -> None:
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    fifo_mps = tmp_path / "plan.mps"
    os.mkfifo(fifo_mps)
    (csv_plan.parent / "goods.csv").unlink()
    os.mkfifo(csv_plan.parent / "goods.csv")
    cases = [
        (["validate", "/dev/zero"], "/dev/zero: cannot read the file: it is a character "
                                    "device, and only plain files are read"),
        (["validate", fifo], "cannot read the file: it is a FIFO (named pipe)"),
        (["validate", fifo_mps], "cannot read the MPS file: it is a FIFO (named pipe)"),
        (["validate", tmp_path], "cannot read the file: it is a directory"),
        (["solve", csv_plan], "(goods): cannot read the table: it is a FIFO"),
        (["price", EXAMPLES / "leningrad.yaml", "--process", "/dev/zero"],
         "cannot read the file: it is a character device"),
        (["economy", "values", MB, "--demand", "/dev/zero"],
         "cannot read the demand: it is a character device"),
        (["economy", "values", MB, "--demand", fifo],
         "cannot read the demand: it is a FIFO (named pipe)"),
        (["lab", "run", fifo], "cannot read the file: it is a FIFO (named pipe)"),
    ]
    for args, message in cases:
        ran = command(*args, timeout=30)
        assert ran.returncode == 2, (args, ran.stderr)
        assert message in ran.stderr and "Traceback" not in ran.stderr, (args, ran.stderr)


def test_an_economy_table_that_is_a_fifo_is_named(tmp_path: Path) -> None:
    table = tmp_path / "table"
    shutil.copytree(MB, table)
    (table / "y.csv").unlink()
    os.mkfifo(table / "y.csv")
    ran = command("economy", "values", table, timeout=30)
    assert ran.returncode == 2
    assert f"{table / 'y.csv'}: cannot read the table: it is a FIFO" in ran.stderr
