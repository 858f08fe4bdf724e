"""Re-planning a plan over time after some periods: the rest of an optimal plan is the
optimum of the re-plan from the state it leaves (Bellman's principle), a realised
shock changes it as worked by hand, and the re-plan starts warm."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA

import kantorovich as k
from kantorovich.economy.tns import read_tns
from test_horizon import TOOLS


def load(tmp_path: Path, text: str) -> k.Plan:
    path = tmp_path / "plan.yaml"
    path.write_text(textwrap.dedent(text))
    return k.load_plan(path)


def test_tools_after_year_one(tmp_path: Path) -> None:
    result = k.solve(load(tmp_path, TOOLS))
    again = k.replan(result, after=1)
    assert again.is_optimal and again.certificate.verified
    # year 2 alone: 8 loaves at the bakery, 2 by hand, each worth 0.8
    assert again.objective == pytest.approx(8.0)
    assert again.solution.iterations == 0          # warm: the old basis is optimal
    assert "warm" in again.method_reason
    assert list(again.over_time.periods) == [2]
    # six sets of tools instead of eight: 6 loaves at the bakery, 3 by hand
    shocked = k.replan(result, after=1, realised={"stocks": {"bake": {"tools": 6}}})
    assert shocked.objective == pytest.approx(0.8 * 9)
    assert shocked.over_time.levels().loc["hand-bake", 2] == pytest.approx(3.0)


def test_the_rest_of_an_optimum_is_the_optimum_of_the_rest(tmp_path: Path) -> None:
    plan = k.load_plan(read_tns(DATA / "tns").write_plan(tmp_path / "tns"))
    result = k.solve(plan)
    sets = result.over_time.sets["sets"].to_numpy()
    for after in (1, 2, 3, 4):
        again = k.replan(result, after=after)
        assert again.is_optimal and again.certificate.verified
        assert again.objective == pytest.approx(sets[after:].sum(), rel=1e-7)
    # and again from the re-plan itself
    twice = k.replan(k.replan(result, after=1), after=3)
    assert twice.objective == pytest.approx(sets[3:].sum(), rel=1e-7)


LAGGED = """\
    name: Lagged
    period: year
    horizon: 4
    goods:
      labour: {unit: h}
      corn: {unit: t, storable: {loss: 0.25}}
      ploughs: {unit: plough}
    processes:
      grow:
        inputs: {labour: 1}
        outputs: {corn: 1}
        stocks: {ploughs: {per_level: 1, depreciation: 0.1, initial: 3, lag: 2}}
      make-ploughs: {inputs: {labour: 1}, outputs: {ploughs: 1}}
    supply: {labour: [6, 6, 2, 6]}
    objective: {maximize: {corn: [0, 1, 1, 2]}, discount: 0.05}
    """


def test_a_lag_of_two_and_inventories(tmp_path: Path) -> None:
    result = k.solve(load(tmp_path, LAGGED))
    assert result.is_optimal
    factor = [1.05 ** -(t - 1) for t in (1, 2, 3, 4)]
    corn = result.over_time.goods.set_index(["good", "period"])["net_output"]
    weights = [0, 1, 1, 2]
    for after in (1, 2, 3):
        rest = sum(weights[t - 1] * factor[t - 1] * corn[("corn", t)]
                   for t in range(after + 1, 5))
        again = k.replan(result, after=after)
        assert again.is_optimal and again.certificate.verified
        assert again.objective == pytest.approx(rest, rel=1e-7, abs=1e-9)
    # what arrives in year 3 from store: all of it lost instead
    stored = result.over_time.inventories.set_index("period")["arriving"]
    again = k.replan(result, after=2, realised={"inventories": {"corn": 0.0}})
    if stored[3] > 0:
        assert again.objective < k.replan(result, after=2).objective


def test_bad_replans(tmp_path: Path) -> None:
    result = k.solve(load(tmp_path, TOOLS))
    with pytest.raises(k.PlanError, match="after must be a period from 1 to 1"):
        k.replan(result, after=2)
    with pytest.raises(k.PlanError, match="holds no stock of 'tols'"):
        k.replan(result, after=1, realised={"stocks": {"bake": {"tols": 6}}})
    with pytest.raises(k.PlanError, match="finite number from 0 to below 1e"):
        k.replan(result, after=1, realised={"stocks": {"bake": {"tools": -1}}})
    with pytest.raises(k.PlanError, match="not a storable good"):
        k.replan(result, after=1, realised={"inventories": {"bread": 1}})
    with pytest.raises(k.PlanError, match="only a plan over time"):
        k.replan(k.solve(k.load_plan(DATA / "two_mills.yaml")), after=1)


@pytest.mark.parametrize("realised, place, said", [
    ([("stocks", {})], "realised", "realised is a mapping, got list"),
    ("stocks", "realised", "realised is a mapping, got str"),
    (5, "realised", "realised is a mapping, got int"),
    ({"stocks": [1, 2]}, "realised.stocks", "realised stocks are {process: {good: amount}}"),
    ({"stocks": {"bake": [6]}}, "realised.stocks.bake", "realised stocks are"),
    ({"inventories": [1, 2]}, "realised.inventories", "realised inventories are"),
    ({"inventories": "bread"}, "realised.inventories", "realised inventories are"),
    ({"stocks": {"bake": {"tools": 1e300}}}, "realised.stocks.bake.tools", "below 1e+15"),
    ({"stocks": {"bake": {"tools": float("nan")}}}, "realised.stocks.bake.tools", "got nan"),
    ({"stocks": {"bake": {"tools": True}}}, "realised.stocks.bake.tools", "got True"),
    ({"stocks": {"bake": {"tools": "6"}}}, "realised.stocks.bake.tools", "got '6'"),
])
def test_what_was_realised_is_checked_where_it_is_written(
        tmp_path: Path, realised: object, place: str, said: str) -> None:
    """Any shape of ``realised`` but {stocks: {process: {good: amount}}, inventories:
    {good: amount}} is the plan's error at its place, never an error of the code that
    reads it (a TypeError, a ValueError, a scaling error on the expanded plan)."""
    result = k.solve(load(tmp_path, TOOLS))
    with pytest.raises(k.PlanError) as caught:
        k.replan(result, after=1, realised=realised)  # type: ignore[arg-type]
    problem = caught.value.problems[0]
    assert problem.path == place and said in problem.message, problem


def test_a_numpy_whole_number_is_a_realised_amount(tmp_path: Path) -> None:
    result = k.solve(load(tmp_path, TOOLS))
    by_int = k.replan(result, after=1, realised={"stocks": {"bake": {"tools": np.int64(6)}}})
    by_float = k.replan(result, after=1, realised={"stocks": {"bake": {"tools": 6.0}}})
    assert by_int.is_optimal and by_int.objective == pytest.approx(by_float.objective)


def test_a_session_replans_warm_and_rolls_on(tmp_path: Path) -> None:
    plan = load(tmp_path, LAGGED)
    session = k.Session(plan)
    base = k.solve(plan)
    # from the session's own optimum, found once: what k.replan gives from solve's
    first = session.replan(1)
    assert first.is_optimal and first.certificate.verified
    assert first.objective == pytest.approx(k.replan(base, after=1).objective, rel=1e-9)
    assert "warm" in first.method_reason
    assert session.replan(1).objective == pytest.approx(first.objective, rel=1e-12)
    # a shock, then on from the re-plan: ploughs lost at the start of year 2, the
    # harvest stored out of year 2 smaller than planned
    shocked = session.replan(1, realised={"stocks": {"grow": {"ploughs": 0.0}}})
    assert shocked.objective < first.objective
    rolled = session.replan(2, realised={"inventories": {"corn": 0.0}}, result=shocked)
    direct = k.replan(shocked, after=2, realised={"inventories": {"corn": 0.0}})
    assert rolled.is_optimal and rolled.certificate.verified
    assert list(rolled.over_time.periods) == [3, 4]
    assert rolled.objective == pytest.approx(direct.objective, rel=1e-9)


def test_a_session_replans_only_a_plan_over_time() -> None:
    session = k.Session(k.load_plan(DATA / "two_mills.yaml"))
    with pytest.raises(k.PlanError, match="only a plan over time"):
        session.replan(1)
