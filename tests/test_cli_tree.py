"""One set of conventions on every command, checked by walking the command tree, so a
command added later is held to them without a line here: ``-h`` and ``--version`` on
every command and group, ``-q`` on every command, and one spelling of the output option,
``-o/--output`` (old spellings are aliases, not options)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import EXAMPLES
from typer.testing import CliRunner

from kantorovich import __version__
from kantorovich.cli import app

RUNNER = CliRunner()

#: the commands that write files; each names where with -o/--output
WRITERS = {("solve",), ("schema",), ("export",), ("report",), ("sweep",),
           ("economy", "generate"), ("economy", "plan"), ("economy", "bases"),
           ("lab", "run"), ("lab", "sweep")}
#: spellings of an output option that are not -o/--output
OTHER_SPELLINGS = {"--out", "--outdir", "--output-dir", "--output-file", "--dest", "--to",
                   "--mps", "--write"}


def tree() -> list[tuple[tuple[str, ...], Any]]:
    """Every command and group of the command line, as (path, click command)."""
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(path: tuple[str, ...], command: Any) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk((*path, name), sub)

    walk((), typer.main.get_command(app))
    return found


def leaves() -> list[tuple[str, ...]]:
    return [path for path, command in tree() if not hasattr(command, "commands")]


def test_the_tree_has_the_commands_we_know() -> None:
    paths = {path for path, _ in tree()}
    assert WRITERS <= paths
    assert {("validate",), ("explain",), ("price",), ("economy", "values"),
            ("economy", "inspect"), ("economy", "prices")} <= paths


@pytest.mark.parametrize("path", [path for path, _ in tree()], ids=" ".join)
def test_every_command_has_help_and_version(path: tuple[str, ...]) -> None:
    version = RUNNER.invoke(app, [*path, "--version"])
    assert version.exit_code == 0, (path, version.output)
    assert version.stdout == f"kantorovich {__version__}\n"
    for flag in ("-h", "--help"):
        shown = RUNNER.invoke(app, [*path, flag], env={"COLUMNS": "120"})
        assert shown.exit_code == 0, (path, flag, shown.output)
        assert "Usage:" in shown.stdout and "--version" in shown.stdout
        assert "-h" in shown.stdout and "<bool>" not in shown.stdout


@pytest.mark.parametrize("path", leaves(), ids=" ".join)
def test_every_command_takes_quiet(path: tuple[str, ...]) -> None:
    # an unknown option is refused while parsing, before the eager -h answers
    for flag in ("-q", "--quiet"):
        shown = RUNNER.invoke(app, [*path, flag, "-h"], env={"COLUMNS": "120"})
        assert shown.exit_code == 0, (path, flag, shown.output)
        assert "--quiet" in shown.stdout and "-q" in shown.stdout


def test_one_spelling_of_the_output_option() -> None:
    for path, command in tree():
        for param in command.params:
            names = set(param.opts) | set(param.secondary_opts)
            assert not names & OTHER_SPELLINGS, (path, names)
            assert ("-o" in names) == ("--output" in names), (path, names)
        if path in WRITERS:
            assert any("--output" in p.opts for p in command.params), path


def test_old_spellings_still_work(tmp_path: Path) -> None:
    like = str(EXAMPLES / "us-2017")
    old = RUNNER.invoke(app, ["economy", "generate", "--like", like, "-n", "80",
                              "--out", str(tmp_path / "old"), "-q"])
    assert old.exit_code == 0, old.output
    assert (tmp_path / "old" / "plan.yaml").is_file()
    assert old.stderr == "warning: --out is an old name of --output; use --output\n"
    new = RUNNER.invoke(app, ["economy", "generate", "--like", like, "-n", "80",
                              f"--output={tmp_path / 'new'}", "-q"])
    assert new.exit_code == 0 and new.stderr == ""
    assert (tmp_path / "new" / "plan.yaml").read_bytes() == \
        (tmp_path / "old" / "plan.yaml").read_bytes()
    plan = str(EXAMPLES / "leningrad.yaml")
    mps = RUNNER.invoke(app, ["export", plan, "--mps", str(tmp_path / "a.mps")])
    assert mps.exit_code == 0 and mps.stderr == ""      # --mps names the format: kept
    short = RUNNER.invoke(app, ["export", plan, "-o", str(tmp_path / "b.mps")])
    assert short.exit_code == 0
    assert (tmp_path / "a.mps").read_text() == (tmp_path / "b.mps").read_text()
    assert (tmp_path / "a.mps").read_text().rstrip().endswith("ENDATA")


def test_quiet_silences_notes_never_warnings(tmp_path: Path) -> None:
    like = str(EXAMPLES / "us-2017")
    loud = RUNNER.invoke(app, ["economy", "generate", "--like", like, "-n", "80",
                               "-o", str(tmp_path / "loud")])
    assert loud.exit_code == 0
    assert "note: 6 sectors have negative final demand" in loud.stderr
    quiet = RUNNER.invoke(app, ["economy", "generate", "--like", like, "-n", "80",
                                "-o", str(tmp_path / "quiet"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout.startswith(f"wrote {tmp_path / 'quiet' / 'plan.yaml'}: 80 products")
    # the next command is not quiet because the last one was
    again = RUNNER.invoke(app, ["economy", "generate", "--like", like, "-n", "80",
                                "-o", str(tmp_path / "loud")])
    assert "note: 6 sectors" in again.stderr


def test_a_command_registered_without_our_class_gets_the_conventions() -> None:
    """A command or sub-app added later with plain ``@app.command()`` or
    ``add_typer`` (no ``cls=``) still has --version, -q and -h."""
    from kantorovich.cli_style import Group, quiet

    heard: list[bool] = []
    root = typer.Typer(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
    sub = typer.Typer()

    @root.command()
    def plain() -> None:
        heard.append(quiet())

    @root.command()
    def other() -> None:                        # two commands: plain is a sub-command
        pass

    @sub.command()
    def inner() -> None:
        heard.append(quiet())

    @sub.command()
    def inner2() -> None:
        pass

    root.add_typer(sub, name="sub")
    for path in (["plain"], ["sub", "inner"], ["sub"]):
        version = RUNNER.invoke(root, [*path, "--version"])
        assert (version.exit_code, version.stdout) == (0, f"kantorovich {__version__}\n"), path
        assert RUNNER.invoke(root, [*path, "-h"]).exit_code == 0, path
    for path in (["plain"], ["sub", "inner"]):
        assert RUNNER.invoke(root, [*path, "-q"]).exit_code == 0
        assert RUNNER.invoke(root, path).exit_code == 0
    assert heard == [True, False, True, False]
