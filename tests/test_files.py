"""Never lose or mangle a user's file: output directories, single files and MPS exports.

Each test states what is on disk before and checks every byte of it afterwards. Disk-full
errors are simulated (a monkeypatched writer or ``fsync`` raising ``ENOSPC``, HiGHS's
writer truncating its file and saying OK, as it does on a full disk): a real full file
system needs a mount this test run cannot rely on.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import stat
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import kantorovich as k
from kantorovich import files
from kantorovich.errors import KantorovichError
from kantorovich.files import (OUTPUT_MARKER, OutputError, check_output_dir,
                               check_output_file, write_file_atomic)
from kantorovich.lp.mps import export_mps
from kantorovich.lp.program import LinearProgram
from kantorovich.report import export
from kantorovich.report.export import write_result

DATA = Path(__file__).resolve().parent / "data"
TWO_MILLS = DATA / "two_mills.yaml"


@pytest.fixture(scope="module")
def result() -> k.PlanResult:
    return k.solve(k.load_plan(TWO_MILLS))


def contents(folder: Path) -> dict[str, bytes | str]:
    """Every entry below ``folder``: file bytes, or what else it is."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = f"link to {os.readlink(path)}"
        elif path.is_fifo():
            found[name] = "fifo"
        elif path.is_file():
            found[name] = path.read_bytes()
        else:
            found[name] = "dir"
    return found


def listed(out: Path) -> list[str]:
    return json.loads((out / OUTPUT_MARKER).read_text())["files"]


# -- output directories: only our own files are replaced -----------------------------------
def test_a_summary_json_does_not_make_a_directory_ours(tmp_path: Path,
                                                       result: k.PlanResult) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "summary.json").write_text("{}")
    (mine / "thesis.tex").write_text("text")
    before = contents(tmp_path)
    with pytest.raises(OutputError, match="not a kantorovich output directory") as info:
        write_result(result, mine, {"plan": "two mills"})
    assert str(mine) in str(info.value) and info.value.exit_code == 2
    assert "choose a new or empty directory" in str(info.value)
    assert contents(tmp_path) == before


def test_a_rerun_replaces_only_the_files_we_wrote(tmp_path: Path,
                                                  result: k.PlanResult) -> None:
    out = tmp_path / "out"
    write_result(result, out, {"run": 1})
    first = listed(out)
    assert "summary.json" in first and "processes.parquet" in first
    (out / "notes.txt").write_text("my notes")
    (out / "drafts").mkdir()
    (out / "drafts" / "a.txt").write_text("draft")
    write_result(result, out, {"run": 2}, fmt="csv")
    second = listed(out)
    assert not any(name.endswith(".parquet") for name in second)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*second, OUTPUT_MARKER, "notes.txt", "drafts"])
    assert (out / "notes.txt").read_text() == "my notes"
    assert (out / "drafts" / "a.txt").read_text() == "draft"
    assert json.loads((out / "summary.json").read_text())["run"] == 2
    assert pd.read_csv(out / "processes.csv").set_index("process").loc[
        "mill-5-milling", "level"] == pytest.approx(1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_user_file_in_the_way_is_refused_before_anything_moves(
        tmp_path: Path, result: k.PlanResult) -> None:
    out = tmp_path / "out"
    write_result(result, out, {"run": 1})
    (out / "processes.csv").write_text("made by hand")
    before = contents(tmp_path)
    with pytest.raises(OutputError, match="processes.csv' is in the way"):
        write_result(result, out, {"run": 2}, fmt="csv")
    assert contents(tmp_path) == before


def test_a_listed_name_the_user_made_a_directory_is_not_ours(
        tmp_path: Path, result: k.PlanResult) -> None:
    out = tmp_path / "out"
    write_result(result, out, {"run": 1})
    (out / "moves.parquet").unlink()
    (out / "moves.parquet").mkdir()
    (out / "moves.parquet" / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="in the way"):
        write_result(result, out, {"run": 2})
    assert (out / "moves.parquet" / "keep.txt").read_text() == "mine"
    write_result(result, out, {"run": 3}, fmt="csv")   # not needed: left alone
    assert (out / "moves.parquet" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("marker", [
    "not json", "[]", '{"format": "other", "version": 1, "files": []}',
    '{"format": "kantorovich-output", "version": 1, "files": ["../victim.txt"]}',
    '{"format": "kantorovich-output", "version": 1, "files": ["/etc/passwd"]}',
    '{"format": "kantorovich-output", "version": 99, "files": []}',
])
def test_a_marker_we_did_not_write_is_refused(tmp_path: Path, marker: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / OUTPUT_MARKER).write_text(marker)
    (tmp_path / "victim.txt").write_text("keep")
    with pytest.raises(OutputError, match="not a kantorovich output directory"):
        check_output_dir(out)
    assert (tmp_path / "victim.txt").read_text() == "keep"


def test_an_empty_directory_and_a_new_path_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert check_output_dir(tmp_path / "empty") == (tmp_path / "empty").resolve()
    assert check_output_dir(tmp_path / "a" / "b") == (tmp_path / "a" / "b").resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


# -- output directories: never over the input or the current directory ---------------------
def test_the_project_directory_is_refused_from_inside(tmp_path: Path, result: k.PlanResult,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "plan.yaml").write_bytes(TWO_MILLS.read_bytes())
    (proj / OUTPUT_MARKER).write_text(   # even a directory that looks like ours
        '{"format": "kantorovich-output", "version": 1, "files": ["plan.yaml"]}')
    before = contents(tmp_path)
    monkeypatch.chdir(proj)
    with pytest.raises(OutputError, match="holds the input 'plan.yaml'"):
        write_result(result, "../proj", {}, inputs=[Path("plan.yaml")])
    with pytest.raises(OutputError, match="current directory"):
        write_result(result, "../proj", {})
    assert contents(tmp_path) == before


@pytest.mark.parametrize("target", [".", "..", "../.."])
def test_the_current_directory_and_its_parents_are_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    with pytest.raises(OutputError, match="is or holds the current directory"):
        check_output_dir(target)


def test_an_input_found_through_a_link_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.yaml").write_text("name: x\n")
    (tmp_path / "link.yaml").symlink_to(out / "plan.yaml")
    with pytest.raises(OutputError, match="holds the input"):
        check_output_dir(out, inputs=[tmp_path / "link.yaml"])
    with pytest.raises(OutputError, match="is the input"):
        check_output_file(out / "plan.yaml", what="MPS file", inputs=[tmp_path / "link.yaml"])


# -- output directories: all or nothing, interrupts included --------------------------------
def interrupt_at_table(monkeypatch: pytest.MonkeyPatch, n: int,
                       error: BaseException) -> None:
    """Make the ``n``-th table write raise ``error`` after writing half a file."""
    calls = []

    def write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
        calls.append(path)
        if len(calls) == n:
            Path(path).write_text("half a tab")
            raise error
        real(frame, path, fmt)

    real = export._write_table
    monkeypatch.setattr(export, "_write_table", write)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), SystemExit(143),
                                   OSError(errno.ENOSPC, "No space left on device")])
def test_an_interrupted_rewrite_keeps_the_previous_output(
        tmp_path: Path, result: k.PlanResult, monkeypatch: pytest.MonkeyPatch,
        error: BaseException) -> None:
    out = tmp_path / "out"
    write_result(result, out, {"run": 1})
    (out / "notes.txt").write_text("mine")
    before = contents(tmp_path)
    interrupt_at_table(monkeypatch, 3, error)
    expected = OutputError if isinstance(error, OSError) else type(error)
    with pytest.raises(expected) as info:
        write_result(result, out, {"run": 2}, fmt="csv")
    if isinstance(error, OSError):
        assert "disk is full" in str(info.value)
        assert "the previous output is unchanged" in str(info.value)
    assert contents(tmp_path) == before


def test_an_interrupted_first_write_leaves_nothing(tmp_path: Path, result: k.PlanResult,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    interrupt_at_table(monkeypatch, 2, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_result(result, tmp_path / "new" / "deeper" / "out", {})
    assert list(tmp_path.iterdir()) == []


def commit_replaces(tmp_path: Path, result: k.PlanResult) -> int:
    """How many renames a rewrite of ``out`` makes (to fail at each one in turn)."""
    counted = []
    real = os.replace

    def count(src: object, dst: object) -> None:
        counted.append(src)
        real(src, dst)

    probe = tmp_path / "probe"
    write_result(result, probe, {})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files.os, "replace", count)
        write_result(result, probe, {}, fmt="csv")
    return len(counted)


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError])
def test_a_failure_at_any_rename_is_undone(tmp_path: Path, result: k.PlanResult,
                                           error: type[BaseException]) -> None:
    renames = commit_replaces(tmp_path / "count", result)
    assert renames > 10
    out = tmp_path / "out"
    write_result(result, out, {"run": 1})
    (out / "notes.txt").write_text("mine")
    before = contents(out)
    real = os.replace
    for fail_at in range(1, renames + 1):
        calls = []

        def flaky(src: object, dst: object) -> None:
            calls.append(src)
            if len(calls) == fail_at:
                raise error("simulated failure of a rename")
            real(src, dst)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(files.os, "replace", flaky)
            with pytest.raises(OutputError if error is OSError else error):
                write_result(result, out, {"run": 2}, fmt="csv")
        assert contents(out) == before, f"rename {fail_at} of {renames}"


def test_a_signal_during_the_swap_waits_until_it_is_done(
        tmp_path: Path, result: k.PlanResult, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_result(result, out, {"run": 1})
    real = os.replace
    sent = []

    def signalling(src: object, dst: object) -> None:
        if not sent:
            sent.append(True)
            signal.raise_signal(signal.SIGINT)   # Python's default handler: KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", signalling)
    with pytest.raises(KeyboardInterrupt):
        write_result(result, out, {"run": 2}, fmt="csv")
    assert sent
    assert json.loads((out / "summary.json").read_text())["run"] == 2
    assert sorted(p.name for p in out.iterdir()) == sorted([*listed(out), OUTPUT_MARKER])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# -- single files: refusals ------------------------------------------------------------------
def test_special_files_and_links_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mps"
    os.mkfifo(fifo)
    real = tmp_path / "real.mps"
    real.write_text("precious\n")
    (tmp_path / "link.mps").symlink_to(real)
    (tmp_path / "dangling.mps").symlink_to(tmp_path / "nowhere.mps")
    (tmp_path / "folder.mps").mkdir()
    before = contents(tmp_path)
    for name, kind in [("pipe.mps", "a FIFO (named pipe)"), ("link.mps", "a symbolic link"),
                       ("dangling.mps", "a symbolic link"), ("folder.mps", "a directory")]:
        with pytest.raises(OutputError, match=re.escape(f"is {kind}; only plain")) as info:
            write_file_atomic(tmp_path / name, "data", what="JSON Schema")
        assert str(tmp_path / name) in str(info.value) and info.value.exit_code == 2
        with pytest.raises(OutputError, match=re.escape(kind)):
            export_mps(k.load_plan(TWO_MILLS), tmp_path / name)
    assert contents(tmp_path) == before


def test_a_character_device_is_refused(tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    with pytest.raises(OutputError, match="a character device"):
        export_mps(k.load_plan(TWO_MILLS), device)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_missing_folder_or_a_file_as_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match="does not exist"):
        check_output_file(tmp_path / "nodir" / "s.json")
    with pytest.raises(OutputError, match="is not a directory"):
        check_output_file(tmp_path / "afile" / "s.json")
    with pytest.raises(OutputError, match="is not a directory"):
        check_output_dir(tmp_path / "afile" / "out")
    assert contents(tmp_path) == {"afile": b"x"}


# -- single files: all or nothing -----------------------------------------------------------
def test_write_file_atomic_replaces_a_file_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text("old")
    target.chmod(0o640)
    assert write_file_atomic(target, "new\n", what="JSON Schema") == target
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["schema.json"]


def test_a_full_disk_at_fsync_keeps_the_previous_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "schema.json"
    target.write_text("old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OutputError, match="No space left on device") as info:
        write_file_atomic(target, "new", what="JSON Schema")
    assert "disk is full" in str(info.value) and str(target) in str(info.value)
    assert contents(tmp_path) == {"schema.json": b"old"}


def test_an_interrupt_while_writing_leaves_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "plan.mps"
    target.write_text("the previous export\n")

    def interrupted(*args: object) -> None:
        Path(args[1]).write_text("NAME half\n")
        raise KeyboardInterrupt

    monkeypatch.setattr("kantorovich.lp.mps.write_mps", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_mps(k.load_plan(TWO_MILLS), target)
    assert contents(tmp_path) == {"plan.mps": b"the previous export\n"}


# -- MPS export: checked and faithful -------------------------------------------------------
def test_a_short_write_reported_as_ok_is_caught(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS's writeModel returns OK on ENOSPC; here it truncates its file to half and
    says OK, as it does on a full disk."""
    target = tmp_path / "plan.mps"
    export_mps(k.load_plan(TWO_MILLS), target)
    good = target.read_bytes()
    real = highspy.Highs.writeModel

    def short(self: highspy.Highs, filename: str) -> highspy.HighsStatus:
        real(self, filename)
        os.truncate(filename, os.path.getsize(filename) // 2)
        return highspy.HighsStatus.kOk

    monkeypatch.setattr(highspy.Highs, "writeModel", short)
    with pytest.raises(OutputError, match="cut short") as info:
        export_mps(k.load_plan(TWO_MILLS), target)
    assert str(target) in str(info.value) and info.value.exit_code == 2
    assert contents(tmp_path) == {"plan.mps": good}


def program(value: float, bound: float = 5.0) -> LinearProgram:
    rows = pd.DataFrame({"kind": ["good", "policy"], "id": ["flour", "floor"]})
    cols = pd.DataFrame({"kind": ["process", "process"], "id": ["mill", "oven"]})
    matrix = sp.csc_matrix(np.array([[1.0, 2.0], [value, 0.0]]))
    return LinearProgram("maximize", np.array([1.0, 1.0]), matrix, np.array([-np.inf, 1e-7]),
                         np.array([10.0, np.inf]), np.zeros(2), np.array([bound, np.inf]),
                         rows, cols)


def test_the_export_keeps_tiny_coefficients_and_huge_bounds(tmp_path: Path) -> None:
    target = tmp_path / "tiny.mps"
    export_mps(program(1e-10, bound=1e21), target)
    columns = {tuple(line.split()) for line in target.read_text().splitlines()}
    assert ("mill", "policy:floor", "1e-10") in columns
    assert ("UP", "BOUND", "mill", "1e+21") in columns
    assert ("RHS_V", "policy:floor", "9.9999999999999995e-08") in columns


def test_a_coefficient_highs_cannot_write_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "tiny.mps"
    target.write_text("previous\n")
    with pytest.raises(KantorovichError, match=r"1e-13 of 'mill' in 'policy:floor'") as info:
        export_mps(program(1e-13), target)
    assert info.value.exit_code == 2
    assert contents(tmp_path) == {"tiny.mps": b"previous\n"}


def test_a_plan_rule_with_a_tiny_coefficient_is_exported_whole(tmp_path: Path) -> None:
    plan = k.load_plan(TWO_MILLS)
    text = TWO_MILLS.read_text().replace(
        "    rule: input(wheat, mill-3) >= 1000",
        "    rule: input(wheat, mill-3) >= 1000\n"
        "  tiny:\n    rule: 1e-10 * level(mill-3-milling) >= 1e-7")
    (tmp_path / "plan.yaml").write_text(text)
    plan = k.load_plan(tmp_path / "plan.yaml")
    export_mps(plan, tmp_path / "plan.mps")
    columns = {tuple(line.split()) for line in (tmp_path / "plan.mps").read_text().splitlines()}
    assert ("mill-3-milling", "policy:tiny", "1e-10") in columns


def test_a_table_folder_given_as_a_plan_points_to_the_economy_commands(tmp_path: Path) -> None:
    """`solve examples/us-2017`: an input-output table, not a plan; the hint says what
    reads it."""
    from kantorovich.files import input_problem

    table = tmp_path / "table"
    table.mkdir()
    for name in ("sectors.csv", "Z.csv"):
        (table / name).write_text("id\n0\n", encoding="utf-8")
    problem = input_problem(table, what="plan")
    assert problem is not None and "economy generate --like TABLE" in (problem.hint or "")
    plain = tmp_path / "plain"
    plain.mkdir()
    problem = input_problem(plain, what="plan")
    assert problem is not None and problem.hint == "name a file inside it"
