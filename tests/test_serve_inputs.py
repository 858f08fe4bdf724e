"""The planning table's inputs of a plan over time: the planner's own numbers (a good's
supply and demand per period, a process's capacity, an initial stock), not the rows the
expansion adds for stocks, investment, inventories and sets."""

from __future__ import annotations

from pathlib import Path

import kantorovich as k
from kantorovich.serve.inputs import plan_inputs
from test_horizon import TOOLS


def test_a_plan_over_time_shows_the_planners_numbers_only(tmp_path: Path) -> None:
    path = tmp_path / "tools.yaml"
    path.write_text(TOOLS, encoding="utf-8")
    plan = k.load_plan(path)
    keys = set(plan_inputs(plan, k.solve(plan))["key"])
    assert {"supply.labour[1]", "supply.labour[2]", "supply.stock:bake:tools[1]",
            "processes.bake[2].capacity", "objective.bread[2]"} <= keys
    internal = ("capacity:", "hold:", "invest:", "carry:", "basket:", "sets[")
    assert not [key for key in keys if any(part in key for part in internal)]
    assert "supply.stock:bake:tools[2]" not in keys        # only the initial stock
    assert not [key for key in keys if key.startswith("demand.stock:")]


def test_a_plan_in_one_period_keeps_every_input() -> None:
    plan = k.load_plan(Path(__file__).parent.parent / "examples" / "leningrad.yaml")
    inputs = plan_inputs(plan, k.solve(plan))
    assert len(inputs) == 24 and inputs["key"].str.startswith("policies.").sum() == 3
