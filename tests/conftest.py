"""Shared fixtures: the bundled example, the textbook plans, and a finite-difference helper."""

from __future__ import annotations

from pathlib import Path

import os

import pytest
from hypothesis import settings

import kantorovich as k

# CI runs the property tests on a fixed seed, so a landing never hangs on a rare draw;
# local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

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
