"""A closed stdout, or a pipe whose reader has gone: every command exits 5, saying why.

Each case is a real interpreter whose standard output is closed (``>&-``) or a pipe with
no reader: nothing may touch the streams at import (the consoles are made when first
used, `kantorovich.cli_style`), and an answer that cannot be written ends the command
with exit code 5 (the README's) and one line on stderr, never a traceback and never an
exit code that means something else (1 is "infeasible"). The commands run at once, a
few at a time, to keep the run short.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import DATA, EXAMPLES, ROOT

PLAN = EXAMPLES / "leningrad.yaml"
MB = DATA / "io" / "miller_blair_2009_table_2_3"
BEA = DATA / "io" / "bea_us_summary_2017"
LOST = "error: cannot write the answer to standard output"


def commands(tmp: Path) -> dict[str, list[object]]:
    """Every command of the command line, each with what it needs to answer."""
    process = tmp / "proposal.yaml"
    process.write_text("id: mill-9\nunit: mill-5\ninputs: {wheat: 1}\n"
                       "outputs: {flour-d5: 0.75}\ncapacity: 100\n")
    experiment = tmp / "experiment.yaml"
    experiment.write_text(f"world: {PLAN}\nperiods: 2\nseeds: [1]\nregimes: {{central: {{}}}}\n")
    return {
        "version": ["--version"], "help": ["--help"], "no arguments": [],
        "solve help": ["solve", "--help"], "economy help": ["economy", "--help"],
        "validate": ["validate", PLAN], "solve": ["solve", PLAN],
        "solve json": ["solve", PLAN, "--json"], "explain": ["explain", PLAN],
        "price": ["price", PLAN, "--process", process],
        "export": ["export", PLAN, "--mps", tmp / "plan.mps"], "schema": ["schema"],
        "report": ["report", PLAN, "-o", tmp / "report.html"],
        "sweep": ["sweep", PLAN, "--vary", "supply.wheat=3000:4000:2", "--workers", 1,
                  "-o", tmp / "sweep"],
        "economy values": ["economy", "values", MB],
        "economy values json": ["economy", "values", MB, "--json"],
        "economy inspect": ["economy", "inspect", MB],
        "economy plan": ["economy", "plan", MB],
        "economy generate": ["economy", "generate", "--like", EXAMPLES / "us-2017", "-n",
                             100, "-o", tmp / "generated"],
        "lab run": ["lab", "run", experiment],
        # larger answers, and each command's other forms
        "solve sensitivity": ["solve", PLAN, "--sensitivity"],
        "price json": ["price", PLAN, "--process", process, "--json"],
        "sweep json": ["sweep", PLAN, "--vary", "supply.wheat=3000:4000:2", "--workers", 1,
                       "-o", tmp / "sweep-json", "--json"],
        "economy values large": ["economy", "values", BEA],
        "economy inspect json": ["economy", "inspect", MB, "--json"],
        "economy plan json": ["economy", "plan", MB, "--json"],
        "economy bases": ["economy", "bases", MB],
        "economy bases json": ["economy", "bases", MB, "--json"],
        "economy prices": ["economy", "prices", MB, "--profit-rate", 0.1],
        "economy prices json": ["economy", "prices", MB, "--profit-rate", 0.1, "--json"],
        "lab run json": ["lab", "run", experiment, "--json"],
        "lab sweep": ["lab", "sweep", experiment, "--vary", "periods=2:3:2", "--workers", 1,
                      "-o", tmp / "lab-sweep"],
    }


def closed(args: list[object]) -> subprocess.CompletedProcess[str]:
    """The command with its standard output closed, as ``kantorovich ARGS >&-``."""
    return subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m",
                           "kantorovich.cli", *map(str, args)],
                          stderr=subprocess.PIPE, text=True, timeout=180, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


def unread(args: list[object]) -> subprocess.CompletedProcess[str]:
    """The command writing into a pipe whose reader has already gone."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "kantorovich.cli", *map(str, args)],
                              stdout=write, stderr=subprocess.PIPE, text=True, timeout=180,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    finally:
        os.close(write)


def test_every_command_with_stdout_closed_exits_5(tmp_path: Path) -> None:
    cases = commands(tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        ran = dict(zip(cases, pool.map(closed, cases.values())))
    for name, result in ran.items():
        assert result.returncode == 5, (name, result.returncode, result.stderr)
        assert f"{LOST}: standard output is closed" in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr and "Error:" not in result.stderr, name
    # what a command writes besides its answer is whole: the answer alone was lost
    assert (tmp_path / "report.html").stat().st_size > 1_000_000
    assert (tmp_path / "plan.mps").read_text().rstrip().endswith("ENDATA")


def test_a_pipe_without_reader_exits_5(tmp_path: Path) -> None:
    """Every command and every size of answer: a line (``--version``, ``validate``,
    held in the buffer until the end), a page, a table of 71 sectors."""
    cases = commands(tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        ran = dict(zip(cases, pool.map(unread, cases.values())))
    for name, result in ran.items():
        assert result.returncode == 5, (name, result.returncode, result.stderr)
        assert f"{LOST}: Broken pipe" in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr and "Exception ignored" not in \
            result.stderr, (name, result.stderr)
    # what a command writes besides its answer is whole: the answer alone was lost
    assert (tmp_path / "report.html").stat().st_size > 1_000_000
    assert (tmp_path / "plan.mps").read_text().rstrip().endswith("ENDATA")
    assert (tmp_path / "generated" / "plan.yaml").is_file()


def test_help_and_version_of_every_command_into_a_pipe_without_reader() -> None:
    """Walks the command tree, so a command added later is held to it too."""
    from test_cli_tree import tree

    cases = [[*path, flag] for path, _ in tree() for flag in ("-h", "--version")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        ran = list(pool.map(unread, cases))
    for args, result in zip(cases, ran):
        assert result.returncode == 5, (args, result.returncode, result.stderr)
        assert result.stderr == f"{LOST}: Broken pipe\n", (args, result.stderr)


def test_an_exit_code_after_a_short_answer_is_5_when_the_answer_is_lost() -> None:
    """A command of `cli_style` that writes a line (held in the buffer) and ends with
    another exit code: the answer is flushed inside the guard, so its loss is 5, not
    Python's 120 at exit nor a traceback."""
    code = (
        "import sys, typer\n"
        "from kantorovich.cli_style import Command, Group, claim_standard_streams\n"
        "app = typer.Typer(cls=Group)\n"
        "@app.command(cls=Command)\n"
        "def answer() -> None:\n"
        "    sys.stdout.write('one line\\n')\n"
        "    raise typer.Exit(3)\n"
        "@app.command(cls=Command)\n"
        "def other() -> None:\n"
        "    pass\n"
        "claim_standard_streams()\n"
        "app(['answer'])\n")
    read, write = os.pipe()
    os.close(read)
    try:
        lost = subprocess.run([sys.executable, "-c", code], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=60, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    finally:
        os.close(write)
    assert lost.returncode == 5, lost.stderr
    assert lost.stderr == f"{LOST}: Broken pipe\n"
    kept = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert (kept.returncode, kept.stdout, kept.stderr) == (3, "one line\n", "")


def test_a_usage_error_with_no_reader_on_either_stream_is_5_not_1() -> None:
    """typer and rich answer a pipe without reader met outside a command with exit 1,
    which here means "infeasible"."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run([sys.executable, "-m", "kantorovich.cli", "solve", "--bogus"],
                                stdout=write, stderr=write, timeout=60, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    finally:
        os.close(write)
    assert result.returncode == 5


def test_importing_the_command_line_touches_no_stream() -> None:
    """With every standard stream closed, the command line imports (and says nothing)."""
    code = "import kantorovich.cli, kantorovich.sweep.command, kantorovich.economy.cli"
    result = subprocess.run(["sh", "-c", 'exec "$@" <&- >&- 2>&-', "sh", sys.executable,
                             "-c", code], timeout=60, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert result.returncode == 0


def test_an_infeasible_plan_is_still_1_when_its_answer_is_written() -> None:
    """The exit code 5 is for a lost answer only: an infeasible plan whose diagnosis
    goes to /dev/null, or a pipe that reads it all, ends with 1."""
    plan = DATA / "infeasible-bread.yaml"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with open(os.devnull, "w") as null:
        quiet = subprocess.run([sys.executable, "-m", "kantorovich", "solve", plan],
                               stdout=null, stderr=subprocess.PIPE, text=True, timeout=60,
                               cwd=ROOT, env=env)
    assert (quiet.returncode, quiet.stderr) == (1, "")
    read = subprocess.run([sys.executable, "-m", "kantorovich", "solve", plan],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
    assert read.returncode == 1 and "infeasible" in read.stdout and read.stderr == ""
