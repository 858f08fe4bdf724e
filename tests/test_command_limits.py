"""One budget per command, honest statuses, and a command that stops cleanly: a time
limit bounds the whole command, an answer stopped by a limit or failing its certificate
is never called optimal, and signals, closed pipes and full disks end with their own exit
codes and leave nothing half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES
from typer.testing import CliRunner

import kantorovich as k
from kantorovich.cli import app
from kantorovich.lp.budget import Budget
from kantorovich.model.generate import synthetic_plan, write_plan_csv

LENINGRAD = EXAMPLES / "leningrad.yaml"
runner = CliRunner()


def cli(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kantorovich.cli", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan whose solve takes several seconds here (about 7 s of simplex on 2 cores)."""
    folder = tmp_path_factory.mktemp("big")
    return write_plan_csv(synthetic_plan(100_000, policies=5), folder)


# -- the budget -----------------------------------------------------------------------------
def test_budget_shares_never_outlast_their_parent() -> None:
    parent = Budget(10.0)
    half = parent.share(0.5)
    assert half.deadline <= parent.deadline
    assert 4.0 < half.remaining() <= 5.0
    assert parent.at_most(100.0).deadline == parent.deadline
    assert not Budget(None).limited and Budget(None).remaining() == float("inf")


def test_a_spent_budget_gives_a_time_limit_never_an_optimum(leningrad_plan: k.Plan) -> None:
    result = k.solve(leningrad_plan, time_limit=0.0)
    assert result.status is k.Status.TIME_LIMIT
    assert not result.is_optimal and result.status.exit_code == 3
    with pytest.raises(k.PlanStatusError):
        result.levels  # noqa: B018 - no levels without an answer


def test_time_limit_zero_exits_3_and_says_so() -> None:
    res = runner.invoke(app, ["solve", str(LENINGRAD), "--json", "--time-limit", "0"])
    assert res.exit_code == 3, res.output
    data = json.loads(res.stdout)
    assert data["status"] == "time_limit" and data["objective"] is None
    assert "levels" not in data
    assert "time limit" in data["diagnosis"]["message"]


def test_time_limit_bounds_the_whole_command(big_plan: Path) -> None:
    """Solve plus every analysis must fit in the limit (plus start-up, loading and
    writing), where each re-solve used to get the whole limit again."""
    started = time.monotonic()
    proc = cli("solve", big_plan, "--json", "--time-limit", "3")
    stdout, stderr = proc.communicate(timeout=120)
    elapsed = time.monotonic() - started
    assert proc.returncode in (0, 3), stderr
    data = json.loads(stdout)
    # generous margin for interpreter start-up and CSV loading on a busy machine
    assert elapsed < 3 + 15, elapsed
    if proc.returncode == 3:
        assert data["status"] == "time_limit" and "levels" not in data
    else:
        assert data["status"] == "optimal" and data["certificate"]["verified"]


# -- unverified answers ------------------------------------------------------------------------
def test_a_failed_certificate_is_an_error_not_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import kantorovich.results.chain as chain_module
    from kantorovich.results.certificate import Certificate

    def failing(*args: object, **kwargs: object) -> Certificate:
        return Certificate(1.0, 0.0, 0.0, 0.0, 0.0, 0.0)

    monkeypatch.setattr(chain_module, "certify", failing)
    res = runner.invoke(app, ["solve", str(LENINGRAD), "--json"])
    assert res.exit_code == 4, res.output
    data = json.loads(res.stdout)
    assert data["status"] == "unverified"
    assert data["certificate"]["verified"] is False
    assert data["objective"] == pytest.approx(k.solve(k.load_plan(LENINGRAD)).objective)
    assert data["levels"]                       # the answer is kept, flagged, not lost
    text = runner.invoke(app, ["explain", str(LENINGRAD)])
    assert text.exit_code == 4
    assert "not verified optimal" in text.stdout
    assert "The optimal plan" not in text.stdout


# -- signals, pipes and full disks ---------------------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_solver_promptly_and_leaves_nothing(big_plan: Path, tmp_path: Path,
                                                               signum: int) -> None:
    target = tmp_path / "out"
    proc = cli("solve", big_plan, "-o", target)
    time.sleep(4.0)                  # loading takes about 1 s; the solve several more
    assert proc.poll() is None, proc.communicate()
    sent = time.monotonic()
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 5.0
    assert proc.returncode == 128 + signum, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_closed_pipe_is_an_io_error() -> None:
    proc = cli("solve", LENINGRAD, "--json")
    assert proc.stdout is not None
    proc.stdout.close()              # the reader went away before the answer came
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 5, stderr
    assert "cannot write the answer to standard output" in stderr
    assert "Traceback" not in stderr and "infeasible" not in stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_stdout_is_an_io_error() -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "kantorovich.cli", "solve",
                               str(LENINGRAD), "--json"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert proc.returncode == 5, proc.stderr
    assert "No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr


STUCK = """
import sys, numpy as np
import kantorovich.results.result as result_module

def stuck(*args, **kwargs):
    # one long call into compiled code with no interrupt callback, as the solver's
    # factorisation of a large basis is: Python's handlers wait until it returns.
    # One call (not many short ones) and one thread, so that no fast machine
    # returns to Python between calls and handles the signal the ordinary way.
    a = np.random.default_rng(0).random((5000, 5000))
    print("entering compiled code", flush=True)
    np.linalg.eigvals(a)
    raise SystemExit("not stopped")

result_module.solve = stuck
from kantorovich.cli import main
sys.argv = ["kantorovich", "solve", sys.argv[1]]
main()
"""


@pytest.mark.process
def test_a_signal_ends_a_command_stuck_in_compiled_code(tmp_path: Path) -> None:
    one_thread = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                         "MKL_NUM_THREADS")}
    proc = subprocess.Popen([sys.executable, "-c", STUCK, str(LENINGRAD)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **one_thread})
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "entering compiled code"
    time.sleep(0.5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    from kantorovich.cli import GRACE_SECONDS

    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert time.monotonic() - sent < GRACE_SECONDS + 5
    assert "did not stop within" in stderr and "Traceback" not in stderr
