"""``kantorovich lab sweep``: real runs of a small experiment over grids of its settings.

Every point is simulated by the laboratory itself (Leningrad, two regimes, two seeds, two
periods); the store, the kill, and the Dask cluster are real. Known answers: a point's
row is what ``lab run`` says of the experiment with that value written into the file; a
rerun reuses every point; a widened grid, or a grid naming the experiment's own value,
computes only what it has not seen.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel, ConfigDict, Field
from typer.testing import CliRunner

from kantorovich.lab.cli import lab_app
from kantorovich.lab.regimes.base import CentreView, Planned, Regime
from kantorovich.sweep.store import STORE_FOLDER

ROOT = Path(__file__).resolve().parents[1]
LENINGRAD = ROOT / "examples" / "leningrad.yaml"
DISCOUNT, RATCHET = "behaviour.discount", "regimes.ratchet.ratchet"
COLUMNS = ["world", "regime", "measure", "mean", "low", "high"]


def small(folder: Path, **changes: object) -> Path:
    """The test's experiment (innovation draws make the two seeds differ), with
    ``changes`` (dotted keys) written into the file."""
    behaviour = {"honest": False, "reliability": False, "hoarding": False,
                 "innovation": 0.2}
    ratchet = {"type": "quota", "ratchet": 0.5}
    periods = 2
    for key, value in changes.items():
        if key == "periods":
            periods = int(value)  # type: ignore[call-overload]
        elif key.startswith("behaviour."):
            behaviour[key.split(".", 1)[1]] = value
        elif key == RATCHET:
            ratchet["ratchet"] = value
        else:
            raise AssertionError(key)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "small.yaml"
    path.write_text(textwrap.dedent(f"""\
        name: small
        world: {LENINGRAD}
        periods: {periods}
        seeds: [1, 2]
        regimes:
          central: {{}}
          ratchet: {json.dumps(ratchet)}
        behaviour: {json.dumps(behaviour)}
        """), encoding="utf-8")
    return path


def lab(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(lab_app, [*map(str, args)])
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    return result.exit_code, result.stdout, result.stderr


def counts(*args: object) -> dict[str, int]:
    code, stdout, stderr = lab("sweep", *args, "--json", "-q")
    assert code == 0, stderr
    return json.loads(stdout)


def test_points_are_lab_runs_and_reruns_compute_only_what_is_missing(tmp_path: Path) -> None:
    exp = small(tmp_path / "in")
    out = tmp_path / "out"
    grid = ["--vary", f"{DISCOUNT}=0:0.9:4", "--vary", f"{RATCHET}=0:1:2"]
    assert counts(exp, *grid, "-o", out) == {"points": 8, "computed": 8, "reused": 0}
    points = pd.read_parquet(out / "points.parquet")
    assert list(points.columns) == [DISCOUNT, RATCHET, *COLUMNS]
    assert sorted(set(points[DISCOUNT])) == [0.0, 0.3, 0.6, 0.9]     # as given, exactly
    assert sorted(set(points[RATCHET])) == [0.0, 1.0]
    measures = sorted(set(points["measure"]))
    assert {"efficiency", "misreport", "messages"} <= set(measures)
    assert set(points["world"]) == {"leningrad"} and set(points["regime"]) == {"central",
                                                                                "ratchet"}
    # the grid's order: the last key fastest
    firsts = points.drop_duplicates([DISCOUNT, RATCHET])[[DISCOUNT, RATCHET]]
    assert [tuple(r) for r in firsts.to_numpy()] == [
        (d, r) for d in (0.0, 0.3, 0.6, 0.9) for r in (0.0, 1.0)]

    # a point is `lab run` of the experiment with its values written in the file
    alone = small(tmp_path / "alone", **{DISCOUNT: 0.3, RATCHET: 1.0})
    code, stdout, stderr = lab("run", alone, "--json", "-q")
    assert code == 0, stderr
    summary = json.loads(stdout)["worlds"]
    cells = sum(len(m) for m in summary["leningrad"]["regimes"].values())
    assert len(points) == 8 * cells       # points x worlds x regimes x (each's) measures
    here = points[(points[DISCOUNT] == 0.3) & (points[RATCHET] == 1.0)]
    assert len(here) == cells
    for row in here.to_dict("records"):
        entry = summary[row["world"]]["regimes"][row["regime"]][row["measure"]]
        for x in ("mean", "low", "high"):
            assert (math.isnan(row[x]) and entry[x] is None) or row[x] == entry[x]
    # the seeds differ, so the intervals are real ones
    eff = here[(here["regime"] == "central") & (here["measure"] == "efficiency")].iloc[0]
    assert eff["low"] <= eff["mean"] <= eff["high"]

    before = (out / "points.parquet").read_bytes()
    assert counts(exp, *grid, "-o", out) == {"points": 8, "computed": 0, "reused": 8}
    assert (out / "points.parquet").read_bytes() == before
    # widened: 0, 0.15, ..., 0.9 holds the four points already done (rounded alike)
    assert counts(exp, "--vary", f"{DISCOUNT}=0:0.9:7", "--vary", f"{RATCHET}=0:1:2",
                  "-o", out) == {"points": 14, "computed": 6, "reused": 8}
    wide = pd.read_parquet(out / "points.parquet")
    assert len(wide) == 14 * cells
    pd.testing.assert_frame_equal(
        wide[wide[DISCOUNT].isin([0.0, 0.3, 0.6, 0.9])].reset_index(drop=True), points)
    # the experiment's own value is the base point, whichever keys name it: the ratchet
    # of 0.5 and a discount of 0.9 written in the file are one experiment
    assert counts(exp, "--vary", f"{RATCHET}=0.5:1:2", "-o", out) == {
        "points": 2, "computed": 1, "reused": 1}
    assert counts(exp, "--vary", f"{DISCOUNT}=0.9:0.9:1", "--vary", "periods=2:2:1",
                  "-o", out) == {"points": 1, "computed": 0, "reused": 1}
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["state"] == "finished" and manifest["points"] == 1
    assert exp.read_text().startswith("name: small")          # the input is untouched


def test_the_table_on_stdout_and_integer_keys(tmp_path: Path) -> None:
    exp = small(tmp_path / "in")
    code, stdout, stderr = lab("sweep", exp, "--vary", "periods=1:3:3", "-o",
                               tmp_path / "out")
    assert code == 0, stderr
    assert stderr == ""                                  # no progress off a terminal
    assert stdout.startswith("3 grid points: 3 computed, 0 found done")
    assert "efficiency" in stdout and "ratchet" in stdout and "points.parquet" in stdout
    points = pd.read_parquet(tmp_path / "out" / "points.parquet")
    assert points["periods"].dtype == "int64"
    assert list(dict.fromkeys(points["periods"])) == [1, 2, 3]


@pytest.mark.parametrize(("vary", "message", "hint"), [
    ("behaviour.discont=0:1:2", "the experiment has no number 'behaviour.discont'",
     "did you mean 'behaviour.discount'?"),
    ("regimes.ratchett.ratchet=0:1:2", "no number 'regimes.ratchett.ratchet'",
     "did you mean 'regimes.ratchet.ratchet'?"),
    ("discount=0:1:2", "no number 'discount'", "did you mean 'behaviour.discount'?"),
    ("behaviour.honest=0:1:2", "'behaviour.honest' is a true/false switch", ""),
    ("regimes.ratchet.type=0:1:2", "'regimes.ratchet.type' is text", ""),
    ("world.capacity=1:2:2", "no number 'world.capacity': 'world' is text", ""),
    (f"{DISCOUNT}=0:1", "expected START:STOP:COUNT", "KEY=START:STOP:COUNT"),
    (f"{DISCOUNT}=0:x:2", "STOP 'x' is not a number", ""),
    (f"{DISCOUNT}=0:1:0", "COUNT '0' must be a whole number of at least 1", ""),
    (f"{DISCOUNT}=0:1:1", "one value cannot run from 0 to 1", ""),
    ("periods=2:3.5:2", "'periods' is a whole number; STOP 3.5 is not", ""),
    ("periods=2:5:3", "are not whole numbers", "COUNT - 1 divides 3"),
    ("=0:1:2", "has no KEY=", ""),
])
def test_bad_keys_and_grids_exit_2_naming_the_option(tmp_path: Path, vary: str,
                                                     message: str, hint: str) -> None:
    exp = small(tmp_path / "in")
    code, stdout, stderr = lab("sweep", exp, "--vary", vary, "-o", tmp_path / "out")
    assert code == 2 and stdout == ""
    assert f"--vary '{vary}'" in stderr and message in stderr and hint in stderr
    assert "Traceback" not in stderr and not (tmp_path / "out").exists()


def test_every_point_is_checked_before_any_simulation(tmp_path: Path) -> None:
    exp = small(tmp_path / "in")
    out = tmp_path / "out"
    code, _, stderr = lab("sweep", exp, "--vary", f"{DISCOUNT}=0:1.2:4", "-o", out)
    assert code == 2
    # located: the file, the key's line, the point and its value (a unit that looks
    # ahead without an end discounts the future: 1 and beyond are refused)
    assert f"{exp}:8 ({DISCOUNT}): grid point 4 of 4 ({DISCOUNT}=1.2)" in stderr
    assert "less than 1" in stderr and "grid point 3" not in stderr
    assert not out.exists()                                  # nothing ran, nothing written
    code, _, stderr = lab("sweep", exp, "--vary", f"{DISCOUNT}=0.5:1:2", "--vary",
                          f"{RATCHET}=0:1:2", "--vary", f"{DISCOUNT}=0:1:2", "-o", out)
    assert code == 2 and f"--vary '{DISCOUNT}' is given twice" in stderr
    code, _, stderr = lab("sweep", exp, "-o", out)
    assert code == 2 and "nothing to sweep" in stderr
    code, _, stderr = lab("sweep", exp, "--vary", f"{DISCOUNT}=0:1:2")
    assert code == 2 and "needs an output directory" in stderr
    code, _, stderr = lab("sweep", exp, "--vary", f"{DISCOUNT}=0:1:2", "-o", out,
                          "--workers", "2", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2 and "--workers and --scheduler both given" in stderr
    code, _, stderr = lab("sweep", exp, "--vary", f"{DISCOUNT}=0:1:2", "-o", exp.parent)
    assert code == 2 and "error" in stderr and "Traceback" not in stderr


def test_keys_of_economy_worlds_and_units_the_file_does_not_name(tmp_path: Path) -> None:
    from kantorovich.errors import PlanError
    from kantorovich.lab.run import load_experiment
    from kantorovich.lab.sweep import (with_values, experiment_keys, parse_lab_vary,
                                       sweep_experiment)
    from kantorovich.model.documents import read_document

    exp = tmp_path / "two.yaml"
    exp.write_text(textwrap.dedent(f"""\
        world:
          lenin: {LENINGRAD}
          us: {{economy: {ROOT / "examples" / "us-2017"}, capacity: 1.05}}
        periods: 1
        regimes: {{central: {{}}, weitzman: {{alpha: 0.1}}}}
        reliability: {{default: {{chance: 0.1, size: 0.3}}}}
        """), encoding="utf-8")
    data = read_document(exp).data
    keys = experiment_keys(load_experiment(exp), data)
    assert keys["world.us.capacity"].base == 1.05
    assert keys["regimes.weitzman.gamma"].base == 0.3                 # a default counts
    assert keys["periods"].kind == "int"
    railway = parse_lab_vary("reliability.units.railway.chance=0.5:0.5:1", keys)
    written = with_values(data, [railway], {railway.key: 0.5})
    # a unit the file does not name starts from the default: its size stays 0.3
    assert written["reliability"]["units"] == {"railway": {"chance": 0.5, "size": 0.3}}
    assert "units" not in data["reliability"]                         # the file's own: kept
    with pytest.raises(PlanError) as caught:
        sweep_experiment(exp, ["world.us.capacity=0:2:3"], tmp_path / "out")
    problem = caught.value.problems[0]
    assert problem.path == "world.us.capacity" and problem.line == 3   # us: {...}
    assert "grid point 1 of 3 (world.us.capacity=0)" in problem.message
    assert not (tmp_path / "out").exists()


def _stored(folder: Path) -> int:
    return sum(1 for p in folder.glob("*.json") if p.name != "store.json")


@pytest.mark.process
def test_a_run_killed_mid_way_loses_nothing_finished(tmp_path: Path) -> None:
    exp = small(tmp_path / "in")
    out = tmp_path / "killed"
    grid = ["--vary", f"{DISCOUNT}=0:0.9:10", "--vary", f"{RATCHET}=0:1:2"]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen([sys.executable, "-m", "kantorovich.cli", "lab", "sweep",
                             str(exp), *grid, "-o", str(out), "-q"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    folder = out / STORE_FOLDER
    try:
        deadline = time.monotonic() + 60
        while not (folder.is_dir() and _stored(folder) >= 1):
            assert proc.poll() is None, "the sweep ended before a point was stored"
            assert time.monotonic() < deadline, "no point stored in 60 s"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)              # the run, by its process group
        proc.wait()
    kept = _stored(folder)
    assert 1 <= kept < 20 and not (out / "points.parquet").exists()
    again = counts(exp, *grid, "-o", out)
    assert again["points"] == 20 and again["reused"] >= kept > 0
    assert again["computed"] == 20 - again["reused"]
    clean = tmp_path / "clean"
    assert counts(exp, *grid, "-o", clean)["computed"] == 20
    assert (out / "points.parquet").read_bytes() == (clean / "points.parquet").read_bytes()


def test_a_local_dask_cluster_gives_the_serial_bytes(tmp_path: Path) -> None:
    exp = small(tmp_path / "in")
    grid = ["--vary", f"{DISCOUNT}=0.3:0.9:3", "--vary", "periods=1:2:2"]
    assert counts(exp, *grid, "-o", tmp_path / "serial")["computed"] == 6
    assert counts(exp, *grid, "-o", tmp_path / "dask", "--workers", "2") == {
        "points": 6, "computed": 6, "reused": 0}
    serial = (tmp_path / "serial" / "points.parquet").read_bytes()
    assert (tmp_path / "dask" / "points.parquet").read_bytes() == serial
    # the Dask run's store serves a serial rerun, to the byte
    assert counts(exp, *grid, "-o", tmp_path / "dask")["reused"] == 6
    assert (tmp_path / "dask" / "points.parquet").read_bytes() == serial


class _BrittleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    breaks: float = Field(0.0, ge=0)


class Brittle(Regime):
    """Half of every report as targets; its planning breaks down from ``breaks`` 1 on."""

    type = "brittle-test"
    Settings = _BrittleSettings

    def plan(self, view: CentreView) -> Planned:
        if self.settings.breaks >= 1:
            raise ArithmeticError("the centre's arithmetic broke down")
        return Planned(np.where(np.isfinite(view.reported_capacity),
                                view.reported_capacity / 2, 0.0), rounds=1,
                       messages=len(view.reported_capacity))


def test_a_point_that_fails_is_named_and_the_others_are_kept(tmp_path: Path) -> None:
    from kantorovich.lab.sweep import LabSweepFailed, sweep_experiment

    exp = tmp_path / "brittle.yaml"
    exp.write_text(f"world: {LENINGRAD}\nperiods: 1\n"
                   "regimes: {mine: {type: brittle-test}}\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(LabSweepFailed) as caught:
        sweep_experiment(exp, ["regimes.mine.breaks=0:2:3"], out)
    assert caught.value.exit_code == 1                       # not bad input: a failure
    assert "2 of 3 grid points failed" in caught.value.message
    assert "(regimes.mine.breaks=1): ArithmeticError: the centre's arithmetic broke down" \
        in caught.value.message
    assert _stored(out / STORE_FOLDER) == 1 and not (out / "points.parquet").exists()
    done = sweep_experiment(exp, ["regimes.mine.breaks=0:0.5:2"], out)
    assert done.to_dict() == {"points": 2, "computed": 1, "reused": 1}
