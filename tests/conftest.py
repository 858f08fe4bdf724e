"""Shared fixtures: the bundled example, the textbook plans, one degenerate plan.

Environment variables read by the test run:

``CI``
    Set (to anything) by CI. Property tests then draw from a fixed seed (the hypothesis
    profile ``ci``), so a landing never fails on a rare draw that a rerun would miss;
    local runs keep exploring new examples. It also raises the default of the next one.
    Under ``CI`` a skipped test fails (`ci_skips`): a skip is never a pass.
``KANTOROVICH_FUZZ_SCALE``
    Multiplies every property test's example count (see `examples`): ``0.25`` for a quick
    loop, ``20`` for a long hunt. Default 1 locally, 4 under ``CI``.

Long property runs, whose every example runs the command line in-process, are marked
``slow``. They run in ``make test`` (and so in CI, which runs ``make test``) at the sizes
above; ``pytest -m "not slow"`` leaves them out. Tests marked ``process`` start a real
interpreter.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from ci_skips import pytest_runtest_makereport  # noqa: F401  (under CI a skip fails)
from hypothesis import settings

import kantorovich as k

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FUZZ_SCALE = float(os.environ.get("KANTOROVICH_FUZZ_SCALE")
                   or (4 if os.environ.get("CI") else 1))


def examples(n: int) -> int:
    """``n`` examples at scale 1, scaled by ``KANTOROVICH_FUZZ_SCALE`` (at least one)."""
    return max(1, round(n * FUZZ_SCALE))


ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TEXTBOOK = DATA / "textbook"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def leningrad_plan() -> k.Plan:
    return k.load_plan(EXAMPLES / "leningrad.yaml")


@pytest.fixture(scope="session")
def leningrad(leningrad_plan: k.Plan) -> k.PlanResult:
    return k.solve(leningrad_plan)


def degenerate_mills(**extra: object) -> k.Plan:
    """Two mills share 1,000 t of wheat; each can take exactly 500 t. At the optimum the
    wheat balance and both capacities are tight: a degenerate vertex, where one more ton
    of wheat is worth nothing and one ton less costs 0.70 t of flour (the weaker mill)."""
    return k.Plan.from_dict({
        "name": "degenerate mills",
        "goods": {"wheat": {"unit": "t"}, "flour": {"unit": "t"}},
        "processes": {
            "a": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.70}, "capacity": 500},
            "b": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.721}, "capacity": 500}},
        "supply": {"wheat": 1000},
        "objective": {"maximize": {"flour": 1}},
        **extra,
    })


CSV_PLAN = DATA / "load" / "csv" / "leningrad.yaml"


@pytest.fixture
def write(tmp_path: Path):
    """Write a plan's text into the test's folder; returns its path."""
    def _write(text: str, name: str = "plan.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return _write


@pytest.fixture
def csv_dir(tmp_path: Path) -> Path:
    """A private copy of the CSV-table plan, to break one file at a time."""
    target = tmp_path / "csv"
    shutil.copytree(CSV_PLAN.parent, target)
    return target
