"""The command line: exit codes, pure JSON, output directories.

Most tests run the app in-process with Typer's `CliRunner` (stdout and stderr captured
apart, and warnings are errors as in the rest of the suite); the tests marked
``process`` run a real interpreter, because exit codes, a pure stdout and the absence of
tracebacks are promises made at the process boundary.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from conftest import DATA, EXAMPLES, ROOT
from typer.testing import CliRunner

from kantorovich.cli import app

LENINGRAD = EXAMPLES / "leningrad.yaml"
TWO_MILLS = DATA / "two_mills.yaml"
INFEASIBLE = DATA / "load" / "infeasible.yaml"
UNBOUNDED = DATA / "load" / "unbounded.yaml"
SCHEMA_FILE = ROOT / "src" / "kantorovich" / "model" / "plan.schema.json"

RUNNER = CliRunner()


@dataclass(frozen=True)
class Ran:
    """What one command gave: its exit code and its two streams, kept apart."""

    returncode: int
    stdout: str
    stderr: str


def run(*args: object, cwd: Path | None = None) -> Ran:
    """``kantorovich ARGS`` in this interpreter; stdout and stderr kept apart.

    Only `SystemExit` may leave the app: any other exception (a bug, or a warning turned
    into an error by the test run's ``filterwarnings = error``) fails the test.
    """
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        result = RUNNER.invoke(app, [str(a) for a in args])
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_process(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``kantorovich ARGS`` in a fresh interpreter with warnings as errors (``-W error``,
    as the test run has them): a warning would end the run as an internal error."""
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("PYTHONWARNINGS", None)
    proc = subprocess.run([sys.executable, "-W", "error", "-m", "kantorovich.cli",
                           *map(str, args)],
                          capture_output=True, text=True, timeout=300, check=False, cwd=cwd,
                          env=env)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    return proc


def no_strays(parent: Path, name: str) -> None:
    """No staging or backup directories are left beside ``parent/name``."""
    strays = [p.name for p in parent.iterdir() if p.name.startswith(f".{name}.")]
    assert strays == []


@pytest.fixture(scope="module")
def leningrad_json() -> tuple[Ran, dict]:
    proc = run("solve", LENINGRAD, "--json")
    return proc, json.loads(proc.stdout)


# -- the process boundary ---------------------------------------------------------------------
@pytest.mark.process
@pytest.mark.parametrize(("args", "code"), [
    (("solve", LENINGRAD, "--json"), 0),
    (("solve", INFEASIBLE, "--json"), 1),
    (("validate", DATA / "nope.yaml"), 2),
], ids=["optimal", "infeasible", "bad-input"])
def test_exit_codes_in_a_real_process(args: tuple[object, ...], code: int) -> None:
    proc = run_process(*args)
    assert proc.returncode == code, proc.stderr
    if "--json" in args:
        data = json.loads(proc.stdout)  # the whole of stdout is one JSON object
        assert data["status"] == ("optimal" if code == 0 else "infeasible")
        assert proc.stderr == ""
    else:
        assert proc.stdout == ""
        assert f"{DATA / 'nope.yaml'}" in proc.stderr and "file not found" in proc.stderr


def test_in_process_runner_keeps_the_streams_apart() -> None:
    # The in-process tests below rely on stdout and stderr being captured separately.
    proc = run("validate", DATA / "nope.yaml")
    assert proc.returncode == 2
    assert proc.stdout == "" and "file not found" in proc.stderr
    proc = run("validate", TWO_MILLS)
    assert proc.returncode == 0
    assert proc.stdout.startswith("ok: ") and proc.stderr == ""


# -- solve --------------------------------------------------------------------------------
def test_solve_prints_tables() -> None:
    proc = run("solve", LENINGRAD)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Leningrad district mills: optimal, objective 6,670,667 loaves a week" in out
    for word in ("mill-3-milling", "1,600", "2,400", "rail-flour-5-to-3", "at capacity",
                 "district-3-bread", "0.03", "Certificate verified"):
        assert word in out
    assert proc.stderr == ""


def test_solve_json_is_one_object_with_every_key(leningrad_json) -> None:
    proc, data = leningrad_json
    assert proc.returncode == 0
    assert proc.stdout.lstrip().startswith("{") and proc.stdout.rstrip().endswith("}")
    for key in ("status", "objective", "levels", "shadow_prices", "policy_prices",
                "reduced_costs", "certificate", "baseline", "moves", "policy_costs"):
        assert key in data, key
    assert "diagnosis" not in data
    assert data["status"] == "optimal"
    assert data["objective"] == pytest.approx(6_670_666.667, rel=1e-9)


def test_solve_json_is_keyed_by_plan_ids(leningrad_json) -> None:
    _, data = leningrad_json
    assert set(data["levels"]) == {"mill-3-milling", "mill-5-milling", "baking-3", "baking-5",
                                   "rail-flour-5-to-3", "bolts-47", "bolts-92"}
    assert set(data["reduced_costs"]) == set(data["levels"])
    assert set(data["shadow_prices"]) == {"wheat", "flour-d3", "flour-d5", "bread", "steel",
                                          "bolts"}
    assert set(data["policy_prices"]) == {"district-3-bread", "mill-3-quota", "equal-steel"}
    assert data["levels"]["mill-3-milling"] == pytest.approx(1600)
    assert data["levels"]["mill-5-milling"] == pytest.approx(2400)
    assert data["policy_prices"]["district-3-bread"] == pytest.approx(0.03)
    assert data["policy_prices"]["mill-3-quota"] == pytest.approx(0.0, abs=1e-9)
    assert data["reduced_costs"]["rail-flour-5-to-3"] == pytest.approx(50)
    assert data["shadow_prices"]["steel"] == pytest.approx(1920)


def test_solve_json_moves_costs_and_certificate(leningrad_json) -> None:
    _, data = leningrad_json
    move = data["moves"][0]
    assert (move["good"], move["sender"], move["receiver"]) == ("wheat", "mill-3", "mill-5")
    assert move["amount"] == pytest.approx(400)
    assert move["share_of_sender"] == pytest.approx(0.2)
    assert move["gain"] == pytest.approx(14_000)
    assert data["baseline"]["gain"] == pytest.approx(14_000)
    assert data["policy_costs"]["equal-steel"]["cost"] == pytest.approx(16_000)
    assert data["policy_costs"]["district-3-bread"]["cost"] == pytest.approx(3_500)
    assert data["policy_costs"]["mill-3-quota"]["cost"] == pytest.approx(0, abs=1e-6)
    assert data["certificate"]["verified"] is True


@pytest.mark.process
def test_json_verbose_keeps_stdout_pure() -> None:
    # --verbose configures logging onto the process's stderr: only a real process shows
    # that nothing of it reaches stdout.
    proc = run_process("solve", LENINGRAD, "--json", "--verbose")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["levels"]["mill-3-milling"] == pytest.approx(1600)
    # no line of HiGHS's log on stdout (the method's reason may name HiGHS)
    assert "HiGHS: " not in proc.stdout
    highs = [line for line in proc.stderr.splitlines() if "HiGHS: " in line]
    assert len(highs) >= 3
    assert any("rows" in line for line in highs)


def test_json_without_verbose_logs_nothing() -> None:
    proc = run("solve", TWO_MILLS, "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    data = json.loads(proc.stdout)
    assert data["levels"] == pytest.approx({"mill-3-milling": 1000, "mill-5-milling": 1000})
    assert data["policy_prices"]["mill-3-quota"] == pytest.approx(0.021)


# -- output directories -----------------------------------------------------------------------
@pytest.mark.process
def test_output_directory_parquet(tmp_path: Path, leningrad_json) -> None:
    out = tmp_path / "out"
    proc = run_process("solve", LENINGRAD, "-o", out)
    assert proc.returncode == 0
    assert f"written to {out}" in proc.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["levels"] == leningrad_json[1]["levels"]
    assert summary["tables"]["processes"] == "processes.parquet"
    for name in summary["tables"].values():
        assert (out / name).is_file(), name
    procs = pd.read_parquet(out / "processes.parquet").set_index("process")
    assert procs.loc["mill-3-milling", "level"] == pytest.approx(1600)
    goods = pd.read_parquet(out / "goods.parquet").set_index("good")
    assert goods.loc["steel", "shadow_price"] == pytest.approx(1920)
    moves = pd.read_parquet(out / "moves.parquet")
    assert moves.loc[0, "amount"] == pytest.approx(400)
    no_strays(tmp_path, "out")


def test_output_directory_csv(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run("solve", LENINGRAD, "-o", out, "--format", "csv", "--json")
    assert proc.returncode == 0
    json.loads(proc.stdout)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["tables"]["processes"] == "processes.csv"
    assert not list(out.glob("*.parquet"))
    procs = pd.read_csv(out / "processes.csv").set_index("process")
    assert procs.loc["mill-5-milling", "level"] == pytest.approx(2400)
    policies = pd.read_csv(out / "policy_costs.csv").set_index("policy")
    assert policies.loc["equal-steel", "cost"] == pytest.approx(16_000)


def test_rerun_into_the_same_directory_replaces_only_our_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("solve", LENINGRAD, "-o", out).returncode == 0
    (out / "leftover.txt").write_text("from the first run")
    assert run("solve", TWO_MILLS, "-o", out, "--format", "csv").returncode == 0
    # the user's file is theirs: only the files our marker lists are replaced
    assert (out / "leftover.txt").read_text() == "from the first run"
    assert not list(out.glob("*.parquet"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["plan"] == "Two mills"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failed_rerun_keeps_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("solve", TWO_MILLS, "-o", out).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    assert run("solve", bad, "-o", out).returncode == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "out"]


def test_foreign_directory_is_never_touched(tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    proc = run("solve", LENINGRAD, "-o", foreign)
    assert proc.returncode == 2
    assert "not a kantorovich output directory" in proc.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    assert (foreign / "notes.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_existing_file_as_output_is_never_touched(tmp_path: Path) -> None:
    target = tmp_path / "result"
    target.write_text("precious")
    proc = run("solve", TWO_MILLS, "-o", target)
    assert proc.returncode == 2
    assert target.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result"]


def test_output_below_a_file_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    proc = run("solve", TWO_MILLS, "-o", tmp_path / "afile" / "out")
    assert proc.returncode == 2
    assert (tmp_path / "afile").read_text() == "x"


def test_unknown_table_format_writes_nothing(tmp_path: Path) -> None:
    proc = run("solve", TWO_MILLS, "-o", tmp_path / "out", "--format", "xlsx")
    assert proc.returncode == 2
    assert "'xlsx' is not one of" in " ".join(proc.stderr.split())
    assert list(tmp_path.iterdir()) == []


def test_bad_plan_creates_no_output_directory(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TWO_MILLS.read_text().replace("supply: {wheat: 2000}",
                                                 "supply: {wheet: 2000}"))
    proc = run("solve", bad, "-o", tmp_path / "out", "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_output_directory_has_ordinary_permissions(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("solve", TWO_MILLS, "-o", out).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask


# -- validate, explain, infeasible, unbounded -------------------------------------------------
def test_validate_ok() -> None:
    proc = run("validate", LENINGRAD)
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"ok: {LENINGRAD}: 'Leningrad district mills', 6 goods, "
                                  "7 units, 7 processes, 3 policies")


@pytest.mark.parametrize("name", ["two_mills.toml", "two_mills.json", "csv/leningrad.yaml"])
def test_validate_other_formats(name: str) -> None:
    assert run("validate", DATA / "load" / name).returncode == 0


def test_validate_bad_plan_lists_every_problem(tmp_path: Path) -> None:
    text = TWO_MILLS.read_text().replace("supply: {wheat: 2000}", "supply: {wheet: 2000}")
    text = text.replace("unit: mill-5", "unit: mil-5")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    proc = run("validate", bad)
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = proc.stderr
    assert f"error: {bad}: 2 problems" in err
    assert f"{bad}:21 (supply.wheet): unknown good 'wheet'" in err
    assert "hint: did you mean 'wheat'?" in err
    assert f"{bad}:17 (processes.mill-5-milling.unit): unknown unit 'mil-5'" in err


def test_validate_bad_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nperiod: week: again\n")
    proc = run("validate", bad)
    assert proc.returncode == 2
    assert f"{bad}:2: not valid YAML" in proc.stderr


def test_explain_tells_the_story() -> None:
    proc = run("explain", LENINGRAD)
    assert proc.returncode == 0
    assert "14,000" in proc.stdout
    assert "Move 400 t of Wheat" in proc.stdout
    assert "16,000" in proc.stdout


@pytest.mark.parametrize("command", ["solve", "explain"])
def test_infeasible_plan_exits_1_with_a_diagnosis(command: str) -> None:
    proc = run(command, INFEASIBLE)
    assert proc.returncode == 1
    assert "flour" in proc.stdout and "wheat" in proc.stdout
    assert "Too little wheat" in proc.stdout


def test_infeasible_plan_json() -> None:
    proc = run("solve", INFEASIBLE, "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["status"] == "infeasible"
    assert data["objective"] is None
    assert "flour" in json.dumps(data["diagnosis"])


@pytest.mark.parametrize("command", ["solve", "explain"])
def test_unbounded_plan_exits_1(command: str) -> None:
    proc = run(command, UNBOUNDED)
    assert proc.returncode == 1
    assert "unbounded" in proc.stdout or "without limit" in proc.stdout
    assert "conjuring" in proc.stdout


def test_unbounded_plan_json() -> None:
    proc = run("solve", UNBOUNDED, "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["status"] == "unbounded"
    assert "conjuring" in json.dumps(data["diagnosis"])


@pytest.mark.parametrize("command", ["validate", "solve", "explain"])
def test_missing_file_exits_2(command: str, tmp_path: Path) -> None:
    proc = run(command, tmp_path / "nope.yaml")
    assert proc.returncode == 2
    assert "file not found" in proc.stderr
    assert proc.stdout == ""


def test_directory_as_plan_exits_2(tmp_path: Path) -> None:
    proc = run("validate", tmp_path)
    assert proc.returncode == 2
    assert "cannot read" in proc.stderr


# -- time limit -------------------------------------------------------------------------------
@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_tiny_time_limit_exits_cleanly(extra: list[str]) -> None:
    proc = run("solve", LENINGRAD, "--time-limit", "0.000001", *extra)
    assert proc.returncode in {0, 3}       # 3: stopped by the limit, never "optimal"
    if extra:
        data = json.loads(proc.stdout)
        assert data["status"] in {"optimal", "time_limit"}
        assert (data["status"] == "optimal") == (proc.returncode == 0)


def test_tiny_time_limit_explain_exits_cleanly() -> None:
    assert run("explain", LENINGRAD, "--time-limit", "0.000001").returncode in {0, 3}


def test_negative_time_limit_is_refused() -> None:
    proc = run("solve", TWO_MILLS, "--time-limit", "-1")
    assert proc.returncode == 2
    assert "--time-limit" in proc.stderr


# -- huge numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new"), [
    ("inputs: {wheat: 1}       #", "inputs: {wheat: 1e30}    #"),
    ("outputs: {flour: 0.721}", "outputs: {flour: .inf}"),
    ("rule: input(wheat, mill-3) >= 1000", "rule: input(wheat, mill-3) >= 1e300"),
    ("rule: input(wheat, mill-3) >= 1000", "rule: 1e200 * input(wheat, mill-3) >= 1"),
])
def test_numbers_the_solver_cannot_take_are_bad_input(tmp_path: Path, old: str,
                                                      new: str) -> None:
    text = TWO_MILLS.read_text()
    assert old in text
    plan = tmp_path / "huge.yaml"
    plan.write_text(text.replace(old, new))
    proc = run("solve", plan)
    assert proc.returncode == 2


def test_sets_plan_with_a_breaking_baseline_solves() -> None:
    proc = run("solve", DATA / "load" / "sets-baseline.yaml", "--json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["objective"] == pytest.approx(70)
    assert data["baseline"]["feasible"] is False


# -- schema and export ---------------------------------------------------------------------------
def test_schema_is_valid_json_schema() -> None:
    proc = run("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for key in ("goods", "processes", "policies", "units", "objective", "baseline"):
        assert key in schema["properties"], key
    assert schema["additionalProperties"] is False


def test_schema_matches_the_committed_file() -> None:
    assert json.loads(run("schema").stdout) == json.loads(SCHEMA_FILE.read_text())


def test_schema_to_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.schema.json"
    proc = run("schema", "-o", target)
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads(target.read_text()) == json.loads(run("schema").stdout)


def test_schema_to_a_missing_directory_is_bad_input(tmp_path: Path) -> None:
    proc = run("schema", "-o", tmp_path / "nodir" / "s.json")
    assert proc.returncode == 2


def test_export_mps(tmp_path: Path) -> None:
    target = tmp_path / "leningrad.mps"
    proc = run("export", LENINGRAD, "--mps", target)
    assert proc.returncode == 0
    text = target.read_text()
    assert "ROWS" in text and "COLUMNS" in text and "mill-3-milling" in text


def test_export_bad_plan_exits_2(tmp_path: Path) -> None:
    proc = run("export", tmp_path / "nope.yaml", "--mps", tmp_path / "x.mps")
    assert proc.returncode == 2
    assert not (tmp_path / "x.mps").exists()


@pytest.mark.process
def test_no_arguments_shows_help() -> None:
    proc = run_process()
    assert "solve" in proc.stdout + proc.stderr
    assert proc.returncode == 2  # no command: usage, as click does
