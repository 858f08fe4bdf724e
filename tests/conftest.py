"""Shared fixtures: the bundled example, the textbook plans, and a finite-difference helper."""

from __future__ import annotations

from pathlib import Path

import pytest

import kantorovich as k

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
