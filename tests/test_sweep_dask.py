"""Sweeps on Dask's real scheduler: a cluster started by hand, a worker killed mid-sweep,
a whole run killed with SIGKILL; nothing finished is lost and nothing is counted twice.

Every cluster here is real (``dask scheduler`` and ``dask worker`` processes, or a
`LocalCluster` of worker processes); the point function is the runner's own
`_square_plus`, which can sleep so that a kill lands mid-way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import kantorovich as k
from kantorovich.sweep.plan_sweep import sweep_plan
from kantorovich.sweep.runner import _square_plus, run_points
from kantorovich.sweep.store import STORE_FOLDER, open_store

DASK = Path(sys.executable).with_name("dask")
RULE = "policies.district-3-bread"


def _contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.glob("*.json") if p.name != "store.json"}


def _wait_for(condition, seconds: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def hand_started_cluster(tmp_path: Path):
    """``dask scheduler --port 0`` and one ``dask worker``, started as an operator would;
    yields the scheduler's address; both are stopped by their process ids."""
    if not DASK.exists():
        pytest.skip("the dask command is not installed beside this interpreter")
    info = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    started = []
    try:
        started.append(subprocess.Popen(
            [str(DASK), "scheduler", "--port", "0", "--no-dashboard", "--scheduler-file",
             str(info)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        _wait_for(info.exists, 30, "the scheduler file")
        _wait_for(lambda: "address" in info.read_text(), 10, "the scheduler's address")
        address = json.loads(info.read_text())["address"]
        started.append(subprocess.Popen(
            [str(DASK), "worker", address, "--nworkers", "1", "--nthreads", "1",
             "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env))
        from distributed import Client

        with Client(address, timeout="20s") as client:
            client.wait_for_workers(1, timeout=30)
        yield address
    finally:
        for proc in reversed(started):
            proc.terminate()
        for proc in reversed(started):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_the_district_3_rule_swept_on_a_cluster_started_by_hand(
        hand_started_cluster: str, leningrad_plan: k.Plan, tmp_path: Path) -> None:
    out = tmp_path / "d3"
    outcome = sweep_plan(leningrad_plan, [f"{RULE}=1e6:2.5e6:4"], out,
                         scheduler=hand_started_cluster)
    assert (outcome.grid.points, outcome.grid.computed, outcome.grid.workers) == (4, 4, 1)
    points = pd.read_parquet(out / "points.parquet")
    for level, objective in zip(points[RULE], points["objective"]):
        alone = k.solve(leningrad_plan.with_changes(rules={"district-3-bread": level}))
        assert alone.status.value == points.set_index(RULE).at[level, "status"]
        if alone.is_optimal:
            assert objective == pytest.approx(alone.objective, rel=1e-9)
    assert (out / "frontier.district-3-bread.html").stat().st_size > 1_000_000
    again = sweep_plan(leningrad_plan, [f"{RULE}=1e6:2.5e6:4"], out,
                       scheduler=hand_started_cluster)
    assert (again.grid.computed, again.grid.reused) == (0, 4)


def test_an_unreachable_scheduler_is_bad_input(leningrad_plan: k.Plan, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from kantorovich.sweep.grid import SweepError

    monkeypatch.setenv("KANTOROVICH_SCHEDULER_TIMEOUT", "3")

    # refused at once, or (a loaded machine retrying) no answer within the limit
    with pytest.raises(SweepError, match="cannot reach the Dask scheduler|answered as a "
                                         "Dask scheduler"):
        sweep_plan(leningrad_plan, ["supply.wheat=1:2:2"], tmp_path / "out",
                   scheduler="tcp://127.0.0.1:9")


def test_a_worker_killed_mid_sweep_loses_nothing(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    store = open_store(tmp_path / "out", manifest={"what": "kill a worker"})
    points = [{"seed": s, "pause": 0.15} for s in range(24)]
    before: dict[str, str] = {}
    killed: list[int] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:

        def progress(done: int, total: int) -> None:
            if done >= 6 and not killed:
                pids = client.run(os.getpid)
                victim = sorted(pids.values())[0]
                before.update(_contents(store.folder))
                os.kill(victim, signal.SIGKILL)         # the worker process, by its id
                killed.append(victim)

        summary = run_points(_square_plus, points, store, context=5, salt="kill",
                             client=client, progress=progress)
    assert killed and summary.failed == []
    assert (summary.points, summary.computed, summary.reused) == (24, 24, 0)
    after = _contents(store.folder)
    assert len(after) == 24                                 # each point once
    assert all(after[name] == text for name, text in before.items())   # nothing lost
    assert sorted(r["value"] for r in summary.records().values()) == sorted(
        5 + s * s for s in range(24))


_RUN = """
import sys
from kantorovich.sweep.runner import _square_plus, run_points
from kantorovich.sweep.store import open_store
if __name__ == "__main__":
    store = open_store(sys.argv[1], manifest={"what": "killed run"})
    run_points(_square_plus, [{"seed": s, "pause": 0.2} for s in range(30)], store,
               context=2, salt="run", workers=1)
"""


def test_a_whole_run_killed_loses_nothing_and_a_rerun_finishes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = tmp_path / "run.py"
    script.write_text(_RUN)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen([sys.executable, str(script), str(out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    folder = out / STORE_FOLDER
    try:
        _wait_for(lambda: folder.is_dir() and len(_contents(folder)) >= 4, 60,
                  "four finished points")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)     # the run and its cluster, by their group
        proc.wait()
    before = _contents(folder)
    assert 4 <= len(before) < 30
    store = open_store(out, manifest={"what": "rerun"})
    summary = run_points(_square_plus, [{"seed": s, "pause": 0.0} for s in range(30)],
                         store, context=2, salt="run", local=False)
    # the pause is part of a point's parameters: the rerun asks for other points
    assert summary.reused == 0
    rerun = run_points(_square_plus, [{"seed": s, "pause": 0.2} for s in range(30)], store,
                       context=2, salt="run", local=False)
    assert rerun.reused >= len(before) and rerun.computed == 30 - rerun.reused
    after = _contents(folder)
    assert all(after[name] == text for name, text in before.items())
    values = sorted(r["value"] for r in rerun.records().values())
    assert values == sorted(2 + s * s for s in range(30))   # each point once
    assert len(after) == 30 + 30                       # both families, each point once
