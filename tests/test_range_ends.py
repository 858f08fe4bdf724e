"""Every range of every sensitivity table, checked by re-solving at its ends and beyond.

A range says: over it, the row's price holds (the optimum moves linearly, at the price's
slope) and, past a finite end, the optimal basis must change. So for each range:

- it contains the number it is a range of;
- at each finite end the optimum is the base optimum plus slope x distance (at an
  unlimited end, the same far along it);
- a little past a finite end the program's optimal basis is another (or there is no
  optimum): the range stopped where the basis stopped, not earlier or later.

Re-solves compile the changed plan and solve it by HiGHS's simplex, so that each has a
basis to compare. Plans: random bounded ones (about half of them degenerate), the
degenerate mills, Leningrad and Winston's Dakota.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from conftest import EXAMPLES, degenerate_mills, examples
from hypothesis import given, settings
from test_price_properties import SETTINGS, bounded_plans
from test_ranges import _dakota_by_product

import kantorovich as k
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.highs import LpSolution, solve_lp
from kantorovich.lp.status import Status

#: How far past an end "beyond" is, relative to the size of the number.
PAST = 1e-3


def _basis(sol: LpSolution) -> np.ndarray:
    return np.concatenate([sol.col_basis, sol.row_basis])


class Ranges:
    """The base result and its program's optimum, and re-solves of changed programs."""

    def __init__(self, result: k.PlanResult) -> None:
        assert result.status is k.Status.OPTIMAL
        self.result = result
        self.lp = result.lp
        self.base = solve_lp(self.lp)
        assert self.base.status is Status.OPTIMAL and self.base.has_basis
        self.sign = self.lp.improves
        self.scale = 1.0 + abs(self.base.objective)

    def improvement(self, sol: LpSolution) -> float:
        return float(self.sign * (sol.objective - self.base.objective))

    def solve_plan(self, plan: k.Plan) -> LpSolution:
        return solve_lp(compile_plan(plan))

    def check(self, what: str, value: float, low: float, high: float, slope: float,
              at: Any, floor: float = -math.inf) -> None:
        """``at(x)``: the program's optimum with the number set to x; ``slope``:
        improvement per unit the number rises; ``floor``: the least value a plan may
        hold there."""
        assert not (math.isnan(low) or math.isnan(high)), what
        tol = 1e-6 * max(1.0, abs(value))
        assert low <= value + tol and value <= high + tol, (what, low, value, high)
        for end, far in ((low, value - max(10.0, 2 * abs(value))),
                         (high, value + max(10.0, 2 * abs(value)))):
            point = end if math.isfinite(end) else far
            if point < floor:
                continue
            sol = at(point)
            assert sol.status is Status.OPTIMAL, (what, point, sol.status)
            expected = slope * (point - value)
            assert self.improvement(sol) == pytest.approx(
                expected, rel=1e-6, abs=1e-7 * (self.scale + abs(expected))), (
                what, "end" if math.isfinite(end) else "unlimited", point)
            if not math.isfinite(end):
                continue
            step = PAST * max(1.0, abs(end), abs(value))
            past = end + step if end == high else end - step
            if past < floor:
                continue
            moved = at(past)
            changed = (moved.status is not Status.OPTIMAL
                       or not np.array_equal(_basis(moved), _basis(self.base)))
            assert changed, (what, "the basis holds past the end", end, past)


def check_every_range(result: k.PlanResult) -> None:
    """Check every row of every range table of ``result``'s sensitivity."""
    r = Ranges(result)
    plan = result.plan
    sens = result.sensitivity()
    goods = sens["goods"]
    for good, row in goods.iterrows():
        supply, demand, price = row["supply"], row["demand"], row["shadow_price"]
        if math.isfinite(supply):
            r.check(f"supply of {good}", supply, row["supply_low"], row["supply_high"],
                    price, lambda x, g=good: r.solve_plan(plan.with_supply(g, x)), floor=0.0)
            r.check(f"demand of {good}", demand, row["demand_low"], row["demand_high"],
                    -price, lambda x, g=good: r.solve_plan(plan.with_demand(g, x)))
    policies = result.policy_prices
    for pid, row in sens["policies"].iterrows():
        sense = policies.at[pid, "sense"]
        slope = -row["price"] if sense == ">=" else row["price"]
        r.check(f"rule {pid}", row["rhs"], row["rhs_low"], row["rhs_high"], slope,
                lambda x, p=pid: r.solve_plan(plan.with_changes(rules={p: x})))
    procs = result.processes
    for pid, row in sens["capacities"].iterrows():
        if not math.isfinite(row["capacity"]):
            continue
        if procs.at[pid, "min_level"] == row["capacity"]:
            continue        # a fixed level: the capacity alone cannot move
        held = procs.at[pid, "position"] == "at capacity"
        slope = procs.at[pid, "reduced_cost"] if held else 0.0
        r.check(f"capacity of {pid}", row["capacity"], row["capacity_low"],
                row["capacity_high"], slope,
                lambda x, p=pid: r.solve_plan(plan.with_changes(capacity={p: x})),
                floor=float(procs.at[pid, "min_level"]))
    net = result.net_output
    for good, row in sens["weights"].iterrows():
        if math.isnan(row["weight_low"]):
            continue        # maximize_sets: no weights to range
        # the basis holding means the levels hold: the objective moves by the good's
        # net output, in the objective's own direction
        r.check(f"weight of {good}", row["weight"], row["weight_low"], row["weight_high"],
                float(net[good]),
                lambda x, g=good: r.solve_plan(plan.with_changes(weights={g: x})))
    cols = r.lp.col_positions("process")
    x = r.base.x
    for j, (pid, row) in zip(cols, sens["processes"].iterrows()):
        def at_cost(c: float, j: int = int(j)) -> LpSolution:
            objective = r.lp.objective.copy()
            objective[j] = c
            return solve_lp(dataclasses.replace(r.lp, objective=objective))
        r.check(f"cost of {pid}", row["cost"], row["cost_low"], row["cost_high"],
                float(x[j]) * r.sign, at_cost)
    report_agrees(result, sens)


def report_agrees(result: k.PlanResult, sens: dict) -> None:
    """The report laid out as Excel's says the same ranges as the tables it comes from."""
    from kantorovich.results.sensitivity_report import sensitivity_report

    report = sensitivity_report(result, sens)
    c = report["constraints"].set_index(["kind", "id"])
    for pid, row in sens["capacities"].iterrows():
        if ("capacity", pid) not in c.index:
            continue
        rep = c.loc[("capacity", pid)]
        assert rep["rhs"] - rep["allowable_decrease"] == pytest.approx(
            max(row["capacity_low"], 0.0)), pid
        assert rep["rhs"] + rep["allowable_increase"] == pytest.approx(
            row["capacity_high"]), pid
    for pid, row in sens["policies"].iterrows():
        rep = c.loc[("policy", pid)]
        assert rep["rhs"] - rep["allowable_decrease"] == pytest.approx(row["rhs_low"]), pid
        assert rep["rhs"] + rep["allowable_increase"] == pytest.approx(row["rhs_high"]), pid
    s = result.lp.improves
    for good, row in sens["goods"].iterrows():
        rep = c.loc[("good", good)]
        if rep["sense"] == "<=":        # use <= supply: Excel's price is d(objective)/d(supply)
            assert rep["shadow_price"] == pytest.approx(s * row["shadow_price"]), good
            assert rep["rhs"] + rep["allowable_increase"] == pytest.approx(row["supply_high"])
            assert rep["rhs"] - rep["allowable_decrease"] == pytest.approx(
                max(min(row["supply_low"], row["supply"]), 0.0))
        else:                           # net output >= demand: d(objective)/d(demand)
            assert rep["shadow_price"] == pytest.approx(-s * row["shadow_price"]), good
            assert rep["rhs"] + rep["allowable_increase"] == pytest.approx(row["demand_high"])
            assert rep["rhs"] - rep["allowable_decrease"] == pytest.approx(row["demand_low"])
    cells = report["variable_cells"]
    for pid, row in sens["processes"].iterrows():
        coef = cells.at[pid, "objective_coefficient"]
        assert coef - cells.at[pid, "allowable_decrease"] == pytest.approx(row["cost_low"])
        assert coef + cells.at[pid, "allowable_increase"] == pytest.approx(row["cost_high"])


def test_leningrad_capacity_ranges_contain_their_capacities() -> None:
    result = k.solve(k.load_plan(EXAMPLES / "leningrad.yaml"))
    caps = result.sensitivity()["capacities"]
    # Mill No. 3 mills 1,600 t of its 2,000: its capacity is worth 0 from 1,600 up
    assert (caps.at["mill-3-milling", "capacity_low"],
            caps.at["mill-3-milling", "capacity_high"]) == (pytest.approx(1600), math.inf)
    # the railway's 80 t are worth 50 loaves a t from 0 t to 150 t (then the quota binds)
    assert (caps.at["rail-flour-5-to-3", "capacity_low"],
            caps.at["rail-flour-5-to-3", "capacity_high"]) == pytest.approx((0, 150))
    check_every_range(result)


def test_degenerate_mills_ranges() -> None:
    check_every_range(k.solve(degenerate_mills(), method="simplex"))


def test_dakota_ranges() -> None:
    check_every_range(k.solve(_dakota_by_product(), method="simplex"))


@settings(max_examples=examples(20), **SETTINGS)
@given(data=bounded_plans())
def test_every_range_holds_by_re_solving(data: dict[str, Any]) -> None:
    from hypothesis import assume, event

    result = k.solve(k.Plan.from_dict(data), method="simplex")
    assume(result.status is k.Status.OPTIMAL)
    event("degenerate" if result.is_degenerate else "not degenerate")
    check_every_range(result)


def test_a_range_that_ends_at_its_value_says_it_is_degenerate() -> None:
    # the mills share 1,000 t of wheat and each can take exactly 500 t: one more ton is
    # worth nothing, one less costs 0.70 t of flour. The wheat price of 0 holds from
    # 1,000 t up only, and the table says so rather than let the range look two-sided
    result = k.solve(degenerate_mills(), method="simplex")
    sens = result.sensitivity()
    wheat = sens["goods"].loc["wheat"]
    assert (wheat["shadow_price"], wheat["supply_low"], wheat["supply_high"]) == (
        0, 1000, math.inf)
    assert wheat["degenerate"]
    less = k.solve(result.plan.with_supply("wheat", 999))
    assert result.objective - less.objective == pytest.approx(0.70)
    assert sens["capacities"]["degenerate"].all()
    leningrad = k.solve(k.load_plan(EXAMPLES / "leningrad.yaml")).sensitivity()
    assert not any(t["degenerate"].any() for t in leningrad.values())
