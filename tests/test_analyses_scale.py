"""Analyses that scale and say what they did not examine: weight ranges from the optimal
basis (checked against the enlarged LP they replace), price intervals settled by ranging
before any re-solve, moves matched largest first, and every re-solve within a budget.

Work is checked by counting re-solves and rows, never by reading a clock.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import kantorovich as k
from kantorovich.explain.analyses import analyse
from kantorovich.explain.baseline import _greedy_pairs, compare_to_baseline
from kantorovich.explain.policies import policy_costs
from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import HighsSession, LpSolution
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.model.generate import synthetic_plan
from kantorovich.results.sensitivity import price_ranges, sensitivity

from conftest import degenerate_mills, examples


class Counted:
    """Counts a session's re-solves and added rows, passing every call through."""

    def __init__(self, result: k.PlanResult, monkeypatch: pytest.MonkeyPatch) -> None:
        self.solves = self.rows_added = 0
        session = result.session()
        solve, what_if, add_row = session.solve, session.what_if, session.add_row

        def counted_solve(*args, **kwargs):
            self.solves += 1
            return solve(*args, **kwargs)

        def counted_what_if(*args, **kwargs):
            self.solves += 1
            return what_if(*args, **kwargs)

        def counted_add_row(*args, **kwargs):
            self.rows_added += 1
            return add_row(*args, **kwargs)

        monkeypatch.setattr(session, "solve", counted_solve)
        monkeypatch.setattr(session, "what_if", counted_what_if)
        monkeypatch.setattr(session, "add_row", counted_add_row)


def _session_is_back(result: k.PlanResult) -> None:
    """The shared session holds the program as compiled, and re-solves to its optimum."""
    session = result.session()
    again = session.solve(Budget(None))
    assert session._h.getNumRow() == result.lp.shape[0]
    assert again.status is Status.OPTIMAL
    assert again.objective == pytest.approx(result.objective, rel=1e-9)


# -- weight ranges from the basis ---------------------------------------------------------
def _weight_ranges_by_enlarged_lp(result: k.PlanResult) -> pd.DataFrame:
    """The method the basis computation replaced: each weighted good's net output made a
    free column of its own, whose cost HiGHS ranges."""
    plan, lp = result.plan, result.lp
    weights = plan.objective.weights
    rows = lp.row_positions("good")[plan.goods.index.get_indexer(weights.index)]
    net = lp.matrix[rows] * (-1.0 if lp.sense == "minimize" else 1.0)
    n, m, kk = lp.shape[1], lp.shape[0], len(weights)
    aux = LinearProgram(
        sense=lp.sense, objective=np.concatenate([np.zeros(n), weights.to_numpy(float)]),
        matrix=sp.vstack([sp.hstack([lp.matrix, sp.csc_matrix((m, kk))]),
                          sp.hstack([net, -sp.identity(kk)])], format="csc"),
        row_lower=np.concatenate([lp.row_lower, np.zeros(kk)]),
        row_upper=np.concatenate([lp.row_upper, np.zeros(kk)]),
        col_lower=np.concatenate([lp.col_lower, np.full(kk, -np.inf)]),
        col_upper=np.concatenate([lp.col_upper, np.full(kk, np.inf)]),
        rows=pd.concat([lp.rows, pd.DataFrame({"kind": "objective", "id": weights.index})],
                       ignore_index=True),
        cols=pd.concat([lp.cols, pd.DataFrame({"kind": "net", "id": weights.index})],
                       ignore_index=True))
    with HighsSession(aux) as session:
        assert session.solve().status is Status.OPTIMAL
        ranging = session.ranging()
    return pd.DataFrame({"weight_low": ranging["cost_dn"][n:],
                         "weight_high": ranging["cost_up"][n:]}, index=weights.index)


@pytest.mark.parametrize("size,seed", [(400, 0), (600, 1), (1000, 2), (3000, 3)])
def test_weight_ranges_agree_with_the_enlarged_lp(size: int, seed: int) -> None:
    # on these plans (degenerate ones included) both LPs end on the same basis
    result = k.solve(synthetic_plan(size, seed=seed, policies=3))
    ours = sensitivity(result)["weights"]
    theirs = _weight_ranges_by_enlarged_lp(result)
    assert np.isfinite(ours[["weight_low", "weight_high"]].to_numpy()).sum() >= 3
    for side in ("weight_low", "weight_high"):
        assert ours[side].to_numpy() == pytest.approx(theirs[side].to_numpy(),
                                                      rel=1e-6, abs=1e-9)


@settings(max_examples=examples(15), deadline=None)
@given(seed=st.integers(0, 10_000), size=st.sampled_from([400, 600, 1000]),
       end=st.sampled_from(["weight_low", "weight_high"]))
def test_levels_stay_optimal_inside_each_weight_range(seed: int, size: int,
                                                      end: str) -> None:
    result = k.solve(synthetic_plan(size, seed=seed, policies=3))
    ours = sensitivity(result)["weights"]
    if not result.is_degenerate:      # then the optimal basis is the enlarged LP's too
        theirs = _weight_ranges_by_enlarged_lp(result)
        assert ours[end].to_numpy() == pytest.approx(theirs[end].to_numpy(), rel=1e-6,
                                                     abs=1e-9)
    w = ours["weight"].to_numpy()
    limit = ours[end].to_numpy()
    assert np.all(ours["weight_low"].to_numpy() <= w + 1e-9)
    assert np.all(ours["weight_high"].to_numpy() >= w - 1e-9)
    plan, x = result.plan, result.solution.x
    for g in np.flatnonzero(np.isfinite(limit) & (np.abs(limit - w) > 1e-6))[:2]:
        weights = ours["weight"].copy()
        weights.iloc[g] = w[g] + 0.9 * (limit[g] - w[g])
        moved = k.solve(dataclasses.replace(
            plan, objective=dataclasses.replace(plan.objective, weights=weights)))
        # the old levels are still optimal under the new weight
        assert moved.objective == pytest.approx(moved.lp.objective @ x + moved.lp.constant,
                                                rel=1e-7, abs=1e-9)


def test_one_ranging_call_per_result(monkeypatch: pytest.MonkeyPatch) -> None:
    result = k.solve(degenerate_mills(policies={"cap": "level(a) <= 600"}))
    calls = []
    session = result.session()
    ranging = session.ranging
    monkeypatch.setattr(session, "ranging", lambda: calls.append(1) or ranging())
    found = analyse(result, seconds=float("inf"))
    assert found.sensitivity is not None and found.price_ranges is not None
    assert len(calls) == 1              # the orchestrator hands one ranging to both
    assert analyse(result) is found and len(calls) == 1


# -- price intervals ------------------------------------------------------------------------
def _price_ranges_by_resolving_every_tight_row(result: k.PlanResult) -> pd.DataFrame:
    """Both sides of every tight row's bound, each a fresh solve (no ranging, no budget)."""
    lp = result.lp
    ranges = price_ranges(result).copy()
    rows = np.concatenate([lp.row_positions("good"), lp.row_positions("policy")])
    to_price = np.where((ranges["kind"] == "good").to_numpy()
                        | (result.policy_prices["sense"].reindex(ranges.index).to_numpy()
                           == ">="), -1.0, 1.0)
    low, high = ranges["price"].to_numpy().copy(), ranges["price"].to_numpy().copy()
    for k_, i in enumerate(rows):
        b = lp.row_lower[i] if np.isfinite(lp.row_lower[i]) else lp.row_upper[i]
        if not np.isfinite(b) or abs(result.solution.row_activity[i] - b) > 1e-7 * (1 + abs(b)):
            continue
        step = 1e-5 * max(1.0, abs(b))
        for delta in (-step, step):
            moved = HighsSession(lp.with_row_bounds(
                i, lp.row_lower[i] + delta, lp.row_upper[i] + delta)).solve()
            slope = (to_price[k_] * moved.row_dual[i] if moved.status is Status.OPTIMAL
                     else to_price[k_] * -np.sign(delta) * np.inf)
            low[k_], high[k_] = min(low[k_], slope), max(high[k_], slope)
    return pd.DataFrame({"low": low, "high": high}, index=ranges.index)


@settings(max_examples=examples(10), deadline=None)
@given(seed=st.integers(0, 10_000))
def test_price_intervals_by_ranging_equal_those_by_resolving(seed: int) -> None:
    result = k.solve(synthetic_plan(80, seed=seed, policies=4))
    ours = price_ranges(result)
    assert ours["checked"].all()
    theirs = _price_ranges_by_resolving_every_tight_row(result)
    assert ours["low"].to_numpy() == pytest.approx(theirs["low"].to_numpy(), abs=1e-7)
    assert ours["high"].to_numpy() == pytest.approx(theirs["high"].to_numpy(), abs=1e-7)


def test_ranging_spares_the_resolves_it_settles(monkeypatch: pytest.MonkeyPatch) -> None:
    result = k.solve(synthetic_plan(400, seed=1, policies=6))
    assert result.is_degenerate
    lp, sol = result.lp, result.solution
    bound = np.where(np.isfinite(lp.row_lower), lp.row_lower, lp.row_upper)
    tight = int((np.isfinite(bound) & (np.abs(sol.row_activity - bound)
                                       <= 1e-7 * (1 + np.abs(bound)))).sum())
    counted = Counted(result, monkeypatch)
    ranges = price_ranges(result)
    assert ranges["checked"].all()
    # re-solving both sides of every tight row took 2 x tight re-solves
    assert counted.solves < tight
    _session_is_back(result)


def test_a_row_whose_resolve_hit_the_limit_is_not_checked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: rows were marked checked before their re-solve, so a re-solve stopped by
    # the time limit left wheat's price [0, 0.70] reported unique.
    result = k.solve(degenerate_mills())
    session = result.session()
    solve, what_if = session.solve, session.what_if
    solves = []

    def out_of_time(budget=None, **kwargs):
        solves.append(budget)
        if len(solves) > 2:
            return LpSolution(Status.TIME_LIMIT)
        return (what_if if kwargs else solve)(budget, **kwargs)

    monkeypatch.setattr(session, "solve", out_of_time)
    monkeypatch.setattr(session, "what_if", out_of_time)
    ranges = price_ranges(result)
    assert len(solves) == 3             # ranging's start, the warm start, one re-solve
    assert not ranges.at["wheat", "checked"] and not ranges.at["wheat", "unique"]
    assert ranges.at["flour", "checked"] and ranges.at["flour", "unique"]
    monkeypatch.undo()
    _session_is_back(result)


def test_a_spent_budget_moves_no_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    result = k.solve(degenerate_mills())
    moved = []
    monkeypatch.setattr(result.session(), "set_row_bounds", lambda *a: moved.append(a))
    ranges = price_ranges(result, budget=Budget(0))
    assert moved == []
    assert not ranges.at["wheat", "checked"] and not ranges.at["wheat", "unique"]
    assert ranges.at["flour", "checked"]                 # a loose row needs no re-solve


def test_rows_asked_for_are_examined_first() -> None:
    plan = synthetic_plan(800, seed=0, policies=6)
    settled = price_ranges(k.solve(plan), max_rows=0)       # ranging alone
    left = settled.index[~settled["checked"].to_numpy()]
    assert len(left) > 1
    wanted = str(left[-1])                                  # last in the default order
    ranges = price_ranges(k.solve(plan), priority=[wanted], max_rows=1)
    assert ranges.loc[[wanted], "checked"].all()
    assert ranges["checked"].sum() == settled["checked"].sum() + 1
    everything = price_ranges(k.solve(plan))
    assert ranges.loc[[wanted], "high"].to_numpy() == pytest.approx(
        everything.loc[[wanted], "high"].to_numpy())


def test_no_basis_no_claim_of_uniqueness() -> None:
    result = k.solve(degenerate_mills())
    empty = np.array([], dtype=object)
    basisless = dataclasses.replace(
        result, solution=dataclasses.replace(result.solution, col_basis=empty,
                                             row_basis=empty), analyses=None)
    ranges = price_ranges(basisless)
    assert not ranges["checked"].any() and not ranges["unique"].any()


# -- rule costs -----------------------------------------------------------------------------
def test_rule_costs_resolve_only_tight_rules(leningrad: k.PlanResult,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    result = k.solve(leningrad.plan)
    counted = Counted(result, monkeypatch)
    costs = policy_costs(result)
    # one warm start, then one re-solve for each of the two tight rules (the third,
    # Mill No. 3's quota, has slack: dropping it changes nothing)
    assert counted.solves == 1 + 2
    assert costs["measured"].all() and (costs["note"] == "").all()
    assert costs.at["mill-3-quota", "cost"] == 0.0            # slack: dropping it is free
    assert costs.at["district-3-bread", "cost"] == pytest.approx(3_500, rel=1e-9)
    _session_is_back(result)


def test_rule_costs_with_the_budget_spent_are_not_measured(leningrad: k.PlanResult) -> None:
    result = k.solve(leningrad.plan)
    costs = policy_costs(result, budget=Budget(0))
    tight = ~costs["measured"]
    assert tight.sum() == 2                                   # the two binding rules
    assert costs.loc[tight, "cost"].isna().all()
    assert (costs.loc[tight, "note"] == "not measured: time budget spent").all()
    assert (costs.loc[tight, "status_without"] == "time_limit").all()


# -- moves ----------------------------------------------------------------------------------
def test_greedy_pairs_match_largest_first() -> None:
    # good 0: releases 3, 5 and takes 4, 6; good 1: releases 1, 1, 2 and one take of 3
    s, r, amount = _greedy_pairs(np.array([0, 0, 1, 1, 1]), np.array([3.0, 5, 1, 1, 2]),
                                 np.array([0, 0, 1]), np.array([4.0, 6, 3]))
    moves = sorted(zip(s.tolist(), r.tolist(), amount.tolist()))
    assert moves == [(0, 0, 2.0), (0, 1, 1.0), (1, 1, 5.0), (2, 2, 1.0), (4, 2, 2.0)]


def test_moves_are_few_conserve_amounts_and_say_what_was_measured(
        monkeypatch: pytest.MonkeyPatch) -> None:
    result = k.solve(synthetic_plan(2000, seed=2, policies=8))
    counted = Counted(result, monkeypatch)
    comparison = compare_to_baseline(result, evaluate_moves=5)
    moves = comparison.moves
    before = result.inputs_by_unit(result.plan.baseline.reindex(
        result.plan.processes.index, fill_value=0.0))
    change = result.inputs_by_unit().sub(before, fill_value=0.0)
    change = change[np.abs(change) > 1e-7 * (1 + before.reindex(change.index).fillna(0).abs())]
    per_good = change.groupby(level="good").agg(
        senders=lambda c: int((c < 0).sum()), receivers=lambda c: int((c > 0).sum()),
        released=lambda c: float(-c[c < 0].sum()), taken=lambda c: float(c[c > 0].sum()))
    count = moves.groupby("good").size().reindex(per_good.index, fill_value=0)
    # at most senders + receivers - 1 moves per good (every pair: senders x receivers)
    assert (count <= (per_good["senders"] + per_good["receivers"] - 1).clip(lower=0)).all()
    assert len(moves) < (per_good["senders"] * per_good["receivers"]).sum() / 10
    # each good moves min(released, taken), and no sender gives more than it released
    moved = moves.groupby("good")["amount"].sum().reindex(per_good.index, fill_value=0.0)
    assert moved.to_numpy() == pytest.approx(
        np.minimum(per_good["released"], per_good["taken"]).to_numpy(), rel=1e-9, abs=1e-6)
    assert (moves["amount"] > 0).all()
    # moves between the same two units are one step: the steps of the five largest moves
    # are measured, first, each its largest move first, in the order of their largest
    largest = moves["amount"].nlargest(5)
    steps = moves["step"].to_numpy()
    measured = np.isin(steps, steps[largest.index])
    todo = int(measured.sum())
    assert measured[:todo].all() and not measured[todo:].any()
    heads = moves[:todo].groupby("step", sort=False)["amount"]
    assert (heads.first() == heads.max()).all() and heads.first().is_monotonic_decreasing
    assert moves["amount"].iloc[todo:].is_monotonic_decreasing
    # one capped row per (good, unit) the measured steps name, added once; one re-solve
    # with the caps at the baseline and one per step; the rest say why not
    named = pd.MultiIndex.from_arrays([
        np.concatenate([moves["good"].to_numpy(object)[:todo]] * 2),
        np.concatenate([moves["sender"].to_numpy(object)[:todo],
                        moves["receiver"].to_numpy(object)[:todo]])]).unique()
    assert comparison.moves_measured == todo and counted.rows_added == len(named)
    assert counted.solves == 1 + len(np.unique(steps[:todo]))
    assert (moves["gain_note"].iloc[todo:] == "gain not measured: only the 5 largest moves "
            "are").all()
    _session_is_back(result)
    # the parts add up to the whole
    assert moves["gain"].iloc[:todo].sum() + comparison.unexplained == pytest.approx(
        comparison.gain, rel=1e-9, abs=1e-6)
    # the first step's gain, by two fresh solves: the caps at the baseline, then moved
    first = moves[moves["step"] == moves["step"].iloc[0]]
    if first["gain"].iloc[0] >= 0:      # not joined with the steps after it
        assert first["gain"].sum() == pytest.approx(
            _first_move_from_scratch(result, first, named), rel=1e-6, abs=1e-6)


def _first_move_from_scratch(result: k.PlanResult, move: pd.DataFrame,
                             named: pd.MultiIndex) -> float:
    """What the first step (its rows ``move``) adds, by fresh solves of the plan with every named (good,
    unit) input capped: at the baseline's inputs, then with the move's amount moved."""
    plan, lp = result.plan, result.lp
    flows, units = plan.flows, plan.flow_units()
    before = result.inputs_by_unit(plan.baseline.reindex(plan.processes.index,
                                                         fill_value=0.0))

    def input_row(good: str, unit: str) -> np.ndarray:
        mine = ((flows["good"] == good).to_numpy() & (units == unit)
                & (flows["input"] > 0).to_numpy())
        row = np.zeros(lp.shape[1])
        np.add.at(row, plan.processes.index.get_indexer(flows["process"][mine]),
                  flows["input"].to_numpy()[mine])
        return row

    rows = sp.csr_matrix(np.vstack([input_row(g, u) for g, u in named]))
    cap = before.reindex(named, fill_value=0.0).to_numpy(float, copy=True)

    def capped(upper: np.ndarray) -> float:
        program = dataclasses.replace(
            lp, matrix=sp.vstack([lp.matrix, rows], format="csc"),
            row_lower=np.append(lp.row_lower, np.full(len(named), -np.inf)),
            row_upper=np.append(lp.row_upper, upper),
            rows=pd.concat([lp.rows, pd.DataFrame({"kind": "cap", "id": range(len(named))})],
                           ignore_index=True))
        solution = HighsSession(program).solve()
        assert solution.status is Status.OPTIMAL
        return solution.objective

    at_baseline = capped(cap)
    for _, row in move.iterrows():
        cap[named.get_loc((row["good"], row["sender"]))] -= row["amount"]
        cap[named.get_loc((row["good"], row["receiver"]))] += row["amount"]
    return lp.improves * (capped(np.maximum(cap, 0.0)) - at_baseline)


def test_moves_with_the_budget_spent_say_so(leningrad: k.PlanResult) -> None:
    result = k.solve(leningrad.plan)
    comparison = compare_to_baseline(result, budget=Budget(0))
    move = comparison.moves.iloc[0]
    assert move["amount"] == pytest.approx(400)
    assert np.isnan(move["gain"]) and move["gain_note"] == "gain not measured: time budget spent"
    assert comparison.to_dict()["moves_measured"] == 0


def test_ranging_is_not_started_without_the_time_it_takes(
        leningrad: k.PlanResult, monkeypatch: pytest.MonkeyPatch) -> None:
    result = k.solve(leningrad.plan)
    calls = []
    monkeypatch.setattr(result.session(), "ranging", lambda: calls.append(1))
    ranges = sensitivity(result, budget=Budget(0))
    assert calls == []
    assert ranges["policies"][["rhs_low", "rhs_high"]].isna().all().all()
    # weight ranges need no solver call: they come from the basis alone
    assert ranges["weights"]["weight_low"].notna().all()
