"""CLI conventions: -h, choices shown as choices, no <bool> for flags, --quiet, progress
only on a terminal's stderr, validate's warnings on stderr."""

from __future__ import annotations

from conftest import DATA
from typer.testing import CliRunner

from kantorovich.cli import app

RUNNER = CliRunner()


def test_help_shows_choices_and_no_bool_metavars() -> None:
    for command in ("solve", "explain", "price", "validate"):
        res = RUNNER.invoke(app, [command, "-h"], env={"COLUMNS": "120"})
        assert res.exit_code == 0
        assert "<bool>" not in res.stdout, command
    solve_help = RUNNER.invoke(app, ["solve", "-h"], env={"COLUMNS": "120"}).stdout
    assert "[parquet|csv]" in solve_help
    for flag in ("--quiet", "--sensitivity", "--json"):
        assert flag in solve_help


def test_no_progress_when_stderr_is_not_a_terminal() -> None:
    res = RUNNER.invoke(app, ["solve", str(DATA / "two_mills.yaml"), "-q"])
    assert res.exit_code == 0 and res.stderr == ""
    res = RUNNER.invoke(app, ["solve", str(DATA / "two_mills.yaml")])
    assert res.stderr == ""


def test_progress_on_a_terminal(monkeypatch) -> None:
    from kantorovich import cli

    monkeypatch.setattr(type(cli.err), "is_terminal", property(lambda self: True))
    res = RUNNER.invoke(app, ["solve", str(DATA / "two_mills.yaml")])
    assert res.exit_code == 0
    assert "solved: optimal after" in res.stderr and "iterations" in res.stderr
    assert "solved:" not in res.stdout
    quiet = RUNNER.invoke(app, ["solve", str(DATA / "two_mills.yaml"), "--quiet"])
    assert "solved:" not in quiet.stderr


def test_validate_prints_plan_warnings(monkeypatch) -> None:
    from kantorovich.errors import Problem
    from kantorovich.model import checks

    monkeypatch.setattr(checks, "plan_warnings", lambda plan: [
        Problem("nothing produces 'flour'", "objective.flour", "p.yaml", 3, "add a process")],
        raising=False)
    res = RUNNER.invoke(app, ["validate", str(DATA / "two_mills.yaml")])
    assert res.exit_code == 0
    assert "warning: p.yaml:3 (objective.flour): nothing produces 'flour'" in res.stderr
    assert "hint: add a process" in res.stderr and "warning" not in res.stdout


def test_validate_warns_about_plans_surely_not_meant(tmp_path) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from kantorovich.cli import app

    plan = tmp_path / "w.yaml"
    plan.write_text(
        "name: w\n"
        "goods: {wheat: {unit: t}, flour: {unit: t}, slag: {unit: t}}\n"
        "units: {idle: {name: Idle works}}\n"
        "processes:\n"
        "  mill: {inputs: {wheat: 1}, outputs: {flour: 0.7, slag: 0.1}}\n"
        "supply: {wheat: 10}\n"
        "objective: {maximize: {flour: 1}}\n")
    res = CliRunner().invoke(app, ["validate", str(plan)])
    assert res.exit_code == 0
    assert "3 goods, 1 unit, 1 process, 0 policies" in res.stdout
    assert "warning:" in res.stderr and "units.idle" in res.stderr
    assert "'slag' is made but nothing uses" in res.stderr


def test_the_method_choices_are_the_engines() -> None:
    from kantorovich.cli import Method
    from kantorovich.lp.methods import METHODS

    assert tuple(m.value for m in Method) == METHODS


def test_solve_says_which_method_it_used_and_why(tmp_path) -> None:  # noqa: ANN001
    import json

    from typer.testing import CliRunner

    from conftest import EXAMPLES

    from kantorovich.cli import app

    plan = str(EXAMPLES / "leningrad.yaml")
    res = CliRunner().invoke(app, ["solve", plan, "--json", "--method", "structure"])
    data = json.loads(res.stdout)
    assert res.exit_code == 0 and data["method"] == "simplex"
    assert data["method_reason"].startswith("structure was asked for, but the plan has rules")
    bad = CliRunner().invoke(app, ["solve", plan, "--method", "magic"])
    assert bad.exit_code == 2
