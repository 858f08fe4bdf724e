"""The optimal plan against the plan in force: what changes, what moves, what it gains.

A *move* is an input taken from one production unit and given to another. Where several
units give up and several receive the same good, the largest releases go to the largest
takers first, so a good changing hands between a senders and b receivers makes at most
a + b - 1 moves, not a x b. A move's *gain* is exact: the objective the plan would lose
if that one move were undone (sender and receiver held at their old shares of it) and
everything else re-optimised; each takes a warm re-solve, so only the largest moves are
measured, within the time budget, and the others say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kantorovich.lp.budget import Budget
from kantorovich.lp.status import Status
from kantorovich.numbers import fmt
from kantorovich.results.result import PlanResult

__all__ = ["BaselineComparison", "compare_to_baseline", "moves"]

_EPS = 1e-7


@dataclass(eq=False)
class BaselineComparison:
    """The plan in force and the optimum side by side, in plan terms."""

    objective: float            # objective of the baseline levels
    optimal_objective: float
    feasible: bool
    violations: pd.DataFrame    # statement, kind, id, shortfall, unit
    processes: pd.DataFrame     # baseline, optimal, change, change_pct
    moves: pd.DataFrame         # good, sender, receiver, amount, unit, share_of_sender,
                                # gain, gain_note
    objective_unit: str
    _improves: float = 1.0

    @property
    def gain(self) -> float:
        """Improvement of the optimum over the baseline, in objective units."""
        return self._improves * (self.optimal_objective - self.objective)

    @property
    def moves_measured(self) -> int:
        """How many moves' gains were measured (the rest say why not in ``gain_note``)."""
        return int(self.moves["gain"].notna().sum())

    def to_dict(self) -> dict[str, object]:
        from kantorovich.serialise import frame_records, number

        return {"objective": number(self.objective), "feasible": self.feasible,
                "gain": number(self.gain), "objective_unit": self.objective_unit,
                "moves_count": len(self.moves), "moves_measured": self.moves_measured,
                "violations": frame_records(self.violations),
                "changes": frame_records(self.processes.reset_index())}


def _baseline_levels(result: PlanResult) -> pd.Series:
    base = result.plan.baseline
    assert base is not None
    return base.reindex(result.plan.processes.index, fill_value=0.0).rename("level")


def _violations(result: PlanResult, levels: pd.Series) -> pd.DataFrame:
    """Every statement of the plan the baseline breaks, with by how much."""
    lp, plan = result.lp, result.plan
    x = np.zeros(lp.shape[1])
    x[lp.col_positions("process")] = levels.to_numpy()
    act = lp.matrix @ x
    under = lp.row_lower - act
    over = act - lp.row_upper
    rows = []
    policies = {p.id: p for p in plan.policies}
    kinds = lp.rows["kind"].to_numpy()
    ids = lp.rows["id"].to_numpy()
    scale = 1e-7 * (1 + np.abs(np.where(np.isfinite(lp.row_lower), lp.row_lower, 0.0)))
    statements = (kinds == "good") | (kinds == "policy")  # assortment rows follow the sets
    for i in np.flatnonzero(((under > scale) | (over > scale)) & statements):
        gap = float(max(under[i], over[i]))
        if kinds[i] == "good":
            good = ids[i]
            text = (f"{plan.goods.at[good, 'name']} ({good}) falls short by "
                    f"{fmt(gap, plan.goods.at[good, 'unit'])}")
            unit = plan.goods.at[good, "unit"]
        else:
            policy = policies[ids[i]]
            unit = plan.rule_unit(policy.rule)
            text = f"policy '{policy.label}' ({policy.id}) is broken by {fmt(gap, unit)}"
        rows.append({"kind": kinds[i], "id": ids[i], "shortfall": gap, "unit": unit,
                     "statement": text})
    procs = plan.processes
    lv = levels.to_numpy()
    for j in np.flatnonzero((lv > procs["capacity"].to_numpy() + 1e-7) |
                            (lv < procs["min_level"].to_numpy() - 1e-7)):
        pid = procs.index[j]
        rows.append({"kind": "capacity", "id": pid, "shortfall": float(
            max(lv[j] - procs["capacity"].iat[j], procs["min_level"].iat[j] - lv[j])),
            "unit": "", "statement": f"{procs.at[pid, 'name']} ({pid}) runs outside "
            f"[{fmt(procs['min_level'].iat[j])}, {fmt(procs['capacity'].iat[j])}]"})
    return pd.DataFrame(rows, columns=["kind", "id", "shortfall", "unit", "statement"])


def moves(result: PlanResult, baseline: pd.Series, *, evaluate: int = 200,
          budget: Budget | float | None = None) -> pd.DataFrame:
    """Inputs moved between units from ``baseline`` to the optimum (see module docstring),
    the largest first; the gains of the ``evaluate`` largest are measured, warm, while the
    ``budget`` (by default the result's) lasts, and ``gain_note`` says why any other's
    was not."""
    plan = result.plan
    before = result.inputs_by_unit(baseline)
    after = result.inputs_by_unit()
    change = after.sub(before, fill_value=0.0)
    base = before.reindex(change.index, fill_value=0.0).to_numpy()
    delta = change.to_numpy()
    real = np.abs(delta) > _EPS * (1 + np.abs(base))
    good = change.index.get_level_values("good").to_numpy(object)
    unit = change.index.get_level_values("unit").to_numpy(object)
    codes = pd.factorize(good)[0]
    send, take = np.flatnonzero(real & (delta < 0)), np.flatnonzero(real & (delta > 0))
    s, r, amount = _greedy_pairs(codes[send], -delta[send], codes[take], delta[take])
    s, r = send[s], take[r]
    keep = amount > _EPS * (1 + np.abs(base[s]))       # 0% of an allocation is no move
    s, r, amount = s[keep], r[keep], amount[keep]
    order = np.argsort(-amount, kind="stable")
    s, r, amount = s[order], r[order], amount[order]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(base[s] > 0, amount / base[s], np.nan)
    out = pd.DataFrame({
        "good": good[s], "sender": unit[s], "receiver": unit[r], "amount": amount,
        "unit": plan.goods["unit"].reindex(good[s]).to_numpy(), "share_of_sender": share})
    now = after.reindex(change.index, fill_value=0.0).to_numpy()
    gain, note = _undo_gains(result, out, now[s], now[r],
                             evaluate, result.budget if budget is None else Budget.of(budget))
    out["gain"] = gain
    out["gain_note"] = note
    return out


def _greedy_pairs(s_good: np.ndarray, release: np.ndarray, r_good: np.ndarray,
                  take: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match each good's releases with its takes, the largest with the largest.

    Senders and receivers of a good are laid end to end, each sorted by amount, on one
    line from 0; a move is a stretch of that line one sender and one receiver share. The
    ends of both sides sorted together bound the stretches, so a good with a senders and
    b receivers gives at most a + b - 1 moves. Returns positions into the inputs (sender,
    receiver) and the amounts.
    """
    so, ro = np.lexsort((-release, s_good)), np.lexsort((-take, r_good))
    sg, rg = s_good[so], r_good[ro]
    ends = np.concatenate([pd.Series(release[so]).groupby(sg).cumsum().to_numpy(),
                           pd.Series(take[ro]).groupby(rg).cumsum().to_numpy()])
    good = np.concatenate([sg, rg])
    is_sender = np.concatenate([np.ones(len(sg), int), np.zeros(len(rg), int)])
    ev = np.lexsort((ends, good))
    good, ends, is_sender = good[ev], ends[ev], is_sender[ev]
    by_good = pd.DataFrame({"s": is_sender, "r": 1 - is_sender, "end": ends}).groupby(good)
    # the stretch ending at an event belongs to the sender and receiver not yet used up
    si = by_good["s"].cumsum().to_numpy() - is_sender
    ri = by_good["r"].cumsum().to_numpy() - (1 - is_sender)
    amount = ends - by_good["end"].shift(1, fill_value=0.0).to_numpy()
    s_first, r_first = np.searchsorted(sg, good), np.searchsorted(rg, good)
    s_count = np.searchsorted(sg, good, side="right") - s_first
    r_count = np.searchsorted(rg, good, side="right") - r_first
    ok = (si < s_count) & (ri < r_count) & (amount > 0)
    return so[(s_first + si)[ok]], ro[(r_first + ri)[ok]], amount[ok]


def _input_rows(result: PlanResult) -> tuple[pd.MultiIndex, np.ndarray, np.ndarray,
                                             np.ndarray]:
    """Every (good, unit)'s 'input of good at unit' over the program's columns, as one
    grouped index: the keys, where each key's entries start (and the last ends), and the
    columns and coefficients in key order."""
    plan, lp = result.plan, result.lp
    flows = plan.flows
    inputs = flows["input"].to_numpy(float)
    used = inputs > 0
    col = lp.col_positions("process")[plan.processes.index.get_indexer(
        flows["process"].to_numpy()[used])]
    codes, keys = pd.MultiIndex.from_arrays(
        [flows["good"].to_numpy()[used], plan.flow_units()[used]]).factorize()
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
    return keys, bounds, col[order], inputs[used][order]


def _undo_gains(result: PlanResult, moved: pd.DataFrame, sender_now: np.ndarray,
                receiver_now: np.ndarray, evaluate: int, budget: Budget
                ) -> tuple[np.ndarray, np.ndarray]:
    """Each move's gain: what the plan loses if the move alone is undone (sender held at
    its old share of the good, receiver too) and everything else re-optimised. Measured
    warm, the largest moves first, with a note for each move not measured."""
    n = len(moved)
    gain = np.full(n, np.nan)
    note = np.full(n, f"gain not measured: only the {evaluate} largest moves are",
                   dtype=object)
    todo = min(evaluate, n)
    note[:todo] = "gain not measured: time budget spent"
    if not todo:
        return gain, note
    keys, bounds, cols, values = _input_rows(result)
    lp = result.lp
    first = lp.shape[0]
    at_s = keys.get_indexer(pd.MultiIndex.from_arrays([moved["good"], moved["sender"]]))
    at_r = keys.get_indexer(pd.MultiIndex.from_arrays([moved["good"], moved["receiver"]]))
    amount = moved["amount"].to_numpy()
    session = result.session()
    if session.what_if(budget).status is not Status.OPTIMAL:
        return gain, note
    for k in range(todo):
        s, r = slice(bounds[at_s[k]], bounds[at_s[k] + 1]), slice(
            bounds[at_r[k]], bounds[at_r[k] + 1])
        try:
            session.add_row(cols[s], values[s], sender_now[k] + amount[k], np.inf)
            session.add_row(cols[r], values[r], -np.inf, receiver_now[k] - amount[k])
            undone = session.what_if(budget)
        finally:
            session.delete_rows_from(first)
        if undone.status is Status.TIME_LIMIT:
            break
        if undone.status is Status.OPTIMAL:
            gain[k] = lp.improves * (result.objective - undone.objective)
            note[k] = ""
        elif undone.status is Status.INFEASIBLE:
            note[k] = "gain not measured: undoing this move alone leaves no feasible plan"
        else:
            note[k] = f"gain not measured: the re-solve ended {undone.status.value}"
    return gain, note


def compare_to_baseline(result: PlanResult, *, evaluate_moves: int = 200,
                        budget: Budget | float | None = None) -> BaselineComparison | None:
    """The baseline against the optimum; None when the plan has no baseline.

    Computed once per result (each move's gain takes a re-solve, within ``budget``, by
    default the result's): the first call's arguments decide what is measured."""
    if result.plan.baseline is None or not result.is_optimal:
        return None
    return result.memo("baseline", lambda: _compare(result, evaluate_moves, budget))


def _compare(result: PlanResult, evaluate_moves: int,
             budget: Budget | float | None) -> BaselineComparison:
    levels = _baseline_levels(result)
    lp = result.lp
    x = np.zeros(lp.shape[1])
    x[lp.col_positions("process")] = levels.to_numpy()
    base_obj = float(lp.objective @ x + lp.constant)
    if result.plan.objective.sense == "maximize_sets":
        # the baseline makes as many complete sets as its scarcest set good allows
        sets_row = lp.row_positions("assortment")
        counts = result.plan.objective.weights.to_numpy(float)
        net = lp.matrix[sets_row][:, lp.col_positions("process")] @ levels.to_numpy()
        base_obj = float(np.min(net / counts)) if len(counts) else 0.0
    violations = _violations(result, levels)
    optimal = result.levels
    change = optimal - levels
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(levels.to_numpy() != 0, change.to_numpy() / levels.to_numpy() * 100,
                       np.nan)
    processes = pd.DataFrame({"baseline": levels, "optimal": optimal, "change": change,
                              "change_pct": pct})
    comparison = BaselineComparison(
        objective=base_obj, optimal_objective=result.objective,
        feasible=violations.empty, violations=violations, processes=processes,
        moves=moves(result, levels, evaluate=evaluate_moves, budget=budget),
        objective_unit=result.objective_unit)
    comparison._improves = lp.improves
    return comparison
