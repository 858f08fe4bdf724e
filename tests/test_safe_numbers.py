"""Issue 15, numbers and sizes of the ``economy`` commands, tried as an adversary would.

* ``economy generate``: a degree of NaN, infinity or 1e9, a negative seed, a count no
  machine holds are bad input (exit 2), refused at once by the one size guard
  (`kantorovich.sizes`) before anything is allocated;
* ``economy values --demand``: an overflowing demand is refused, never printed as ``inf``,
  and no ``--json`` of any economy command is ever invalid JSON (no NaN, no Infinity);
* a table with zero or negative compensation is a finding (``economy inspect`` and every
  ``--json``), and the plan ray's paragraph states the departure it measured.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kantorovich.cli import app

ROOT = Path(__file__).resolve().parent.parent
MB = ROOT / "tests" / "data" / "io" / "miller_blair_2009_table_2_3"
SRC = str(ROOT / "src")


def run(*args: object) -> tuple[int, str, str]:
    """The real command, in-process: exit code, stdout, stderr; never a traceback."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    text = result.stdout + result.stderr
    assert "Traceback" not in text and "a bug in kantorovich" not in text, text
    return result.exit_code, result.stdout, result.stderr


def strict_json(text: str) -> object:
    """JSON as the standard reads it: NaN and Infinity are not numbers there."""
    def refuse(token: str) -> object:
        raise AssertionError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


def subsidised_table(folder: Path) -> Path:
    """Three balanced sectors; the third pays negative compensation (subsidies netted
    in), so its labour value is negative."""
    Z = np.array([[20, 30, 10], [15, 10, 25], [10, 20, 5]], float)
    y = np.array([140, 150, 65], float)
    x = Z.sum(1) + y
    va = x - Z.sum(0)
    rows, cols = np.nonzero(Z)
    folder.mkdir()
    pd.DataFrame({"row": rows, "col": cols, "value": Z[rows, cols]}).to_csv(
        folder / "Z.csv", index=False)
    pd.DataFrame({"id": range(3), "code": ["A", "B", "C"],
                  "name": ["Farms", "Mills", "Subsidised"], "region": ""}).to_csv(
        folder / "sectors.csv", index=False)
    pd.DataFrame({"id": range(3), "y": y}).to_csv(folder / "y.csv", index=False)
    pd.DataFrame({"id": range(3), "x": x}).to_csv(folder / "x.csv", index=False)
    pd.DataFrame({"id": range(3), "va": va, "compensation": [93.0, 70.0, -30.0]}).to_csv(
        folder / "va.csv", index=False)
    return folder


# -- economy generate: bad input and the size guard -----------------------------------------
@pytest.mark.parametrize(("args", "message"), [
    (["--degree", "nan"], "--degree nan"),
    (["--degree", "inf"], "--degree inf"),
    (["--degree", "-1"], "positive, finite number"),
    (["--degree", "0"], "positive, finite number"),
    (["--degree", "1e9"], "supplier draws, more than the 20 products"),
    (["--seed", "-1"], "--seed -1: a seed is a whole number, 0 or more"),
    (["-n", "1e11"], "'-n'"),
    (["-n", "3000000000"], "more than a plan holds (2,147,483,647)"),
    (["-n", "10", "--techniques", "100000000"], "needs at least"),
    (["-n", "100000000"], "needs at least"),
])
def test_generate_refuses_bad_numbers_at_once(args: list[str], message: str,
                                              tmp_path: Path) -> None:
    out = tmp_path / "gen"
    base = {"-n": "20"}
    given = dict(zip(args[::2], args[1::2]))
    options = [a for key, value in {**base, **given}.items() for a in (key, value)]
    start = time.monotonic()
    code, stdout, stderr = run("economy", "generate", "--like", MB, *options, "-o", out)
    assert code == 2 and stdout == "" and message in stderr, stderr
    assert time.monotonic() - start < 10 and not out.exists()


@pytest.mark.process
def test_a_generate_bomb_never_allocates(tmp_path: Path) -> None:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kantorovich.cli", "economy", "generate", "--like", str(MB),
         "-n", "10", "--techniques", "100000000", "-o", str(tmp_path / "gen")],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": SRC})
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert done.returncode == 2 and done.stdout == ""
    assert re.search(r"-n 10 with --techniques 100,000,000 needs at least [\d,.]+ GB of "
                     r"memory, and this machine has [\d,.]+ GB available", done.stderr)
    assert seconds < 20 and peak < 1.5e9, (seconds, peak)


def test_a_good_generate_still_runs(tmp_path: Path) -> None:
    code, stdout, stderr = run("economy", "generate", "--like", MB, "-n", 20, "--seed", 3,
                               "-o", tmp_path / "gen", "--json")
    assert code == 0, stderr
    info = strict_json(stdout)
    assert info["processes"] == 60 and info["findings"] == []


# -- the size guard itself -----------------------------------------------------------------
def test_the_size_guard_reads_this_machine() -> None:
    from kantorovich.sizes import SizeError, available_memory, check_fits

    available, total = available_memory()
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    listed = int(meminfo["MemAvailable"].split()[0]) * 1024
    assert available is not None and total is not None
    assert abs(available - listed) < 0.25 * total          # the same memory, a moment apart
    check_fits(available / 10, "a small request", hint="-")
    with pytest.raises(SizeError, match="needs at least 2,000.0 GB") as caught:
        check_fits(2e12, "a big request", hint="ask for less")
    assert caught.value.exit_code == 2 and caught.value.hint == "ask for less"


# -- economy values: overflow, and JSON that is always JSON -----------------------------------
@pytest.mark.parametrize("json_out", [[], ["--json"]])
def test_an_overflowing_demand_is_refused(json_out: list[str], tmp_path: Path) -> None:
    demand = tmp_path / "huge.csv"
    demand.write_text("id,y\n0,1e308\n1,1.7e308\n")
    code, stdout, stderr = run("economy", "values", MB, "--demand", demand, *json_out)
    assert code == 2 and stdout == ""
    assert "gross output overflows" in stderr and str(demand) in stderr


def test_a_huge_demand_that_fits_is_computed_and_valid_json(tmp_path: Path) -> None:
    demand = tmp_path / "large.csv"
    demand.write_text("id,y\n0,1e300\n1,1e300\n")
    code, stdout, _ = run("economy", "values", MB, "--demand", demand, "--json")
    assert code == 0
    data = strict_json(stdout)
    # Miller & Blair's Leontief inverse times (1, 1): row sums 1.5842 and 1.3861
    assert data["output"]["0"] == pytest.approx(1.5841584158415841e300, rel=1e-12)
    assert data["output"]["1"] == pytest.approx(1.386138613861386e300, rel=1e-12)


def test_every_economy_json_is_json_and_carries_the_labour_finding(tmp_path: Path) -> None:
    table = subsidised_table(tmp_path / "table")
    for command, extra in (("values", []), ("inspect", []), ("plan", []),
                           ("generate", ["-n", 6, "-o", tmp_path / "gen"])):
        args = (["generate", "--like", table, *extra] if command == "generate"
                else [command, table])
        code, stdout, stderr = run("economy", *args, "--json")
        assert code == 0, (command, stderr)
        data = strict_json(stdout)
        findings = data["checks"]["findings"] if command == "values" else data["findings"]
        (labour,) = [f for f in findings if f["code"] == "labour-not-positive"]
        assert labour["sectors"] == [2] and labour["severity"] == "warning", command
        assert "Subsidised (id 2, code C)" in labour["message"]


def test_inspect_lists_zero_or_negative_compensation(tmp_path: Path) -> None:
    table = subsidised_table(tmp_path / "table")
    code, stdout, _ = run("economy", "inspect", table)
    assert code == 0               # a warning: accounting is still possible
    assert "1 sector(s) with output have zero or negative compensation" in stdout
    assert "Subsidised (id 2, code C)" in stdout


def test_the_plan_ray_states_the_departure_it_measured(tmp_path: Path) -> None:
    table = subsidised_table(tmp_path / "table")
    code, stdout, _ = run("economy", "plan", table, "--json")
    assert code == 0
    data = strict_json(stdout)
    values = data["labour_values"]
    assert values["2"] < 0                                     # the subsidised sector
    ratios = [r for r in data["ratio"].values() if r is not None]
    departure = max(abs(r - 1) for r in ratios)
    assert departure > 0.05
    paragraph = data["paragraph"]
    assert "solver's tolerance and the table's rounding." not in paragraph
    assert f"the largest departure is {departure:.2g} (relative)" in paragraph
    assert "here they are not" in paragraph
    assert "1 product(s) have a labour value of 0 or less" in paragraph
    assert "nan" not in paragraph


def test_the_plan_ray_says_agreement_only_where_it_holds() -> None:
    code, stdout, _ = run("economy", "plan", MB, "--json")
    assert code == 0
    data = strict_json(stdout)
    departure = max(abs(r - 1) for r in data["ratio"].values())
    assert departure <= 1e-6
    assert "within the 1e-06 that the solver's tolerance and the table's rounding " \
           "explain" in data["paragraph"]
