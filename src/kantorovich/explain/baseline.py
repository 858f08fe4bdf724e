"""The optimal plan against the plan in force: what changes, what moves, what it gains.

A *move* is an input taken from one production unit and given to another. Where several
units give up and several receive the same good, each sender's release is split over the
receivers in proportion to how much more of it each takes. A move's *gain* is exact: the objective the plan
would lose if that one move were undone (sender and receiver held at their old shares of
it) and everything else re-optimised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

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
    moves: pd.DataFrame         # good, sender, receiver, amount, unit, share_of_sender, gain
    objective_unit: str
    _improves: float = 1.0

    @property
    def gain(self) -> float:
        """Improvement of the optimum over the baseline, in objective units."""
        return self._improves * (self.optimal_objective - self.objective)

    def to_dict(self) -> dict[str, object]:
        from kantorovich.serialise import frame_records, number

        return {"objective": number(self.objective), "feasible": self.feasible,
                "gain": number(self.gain), "objective_unit": self.objective_unit,
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


def moves(result: PlanResult, baseline: pd.Series, *, evaluate: int = 200) -> pd.DataFrame:
    """Inputs moved between units from ``baseline`` to the optimum (see module docstring)."""
    plan = result.plan
    before = result.inputs_by_unit(baseline)
    after = result.inputs_by_unit()
    change = (after.sub(before, fill_value=0.0)).rename("change").reset_index()
    change = change[np.abs(change["change"]) > _EPS * (1 + before.reindex(
        pd.MultiIndex.from_frame(change[["good", "unit"]])).fillna(0.0).abs().to_numpy())]
    senders = change[change["change"] < 0].rename(columns={"unit": "sender"})
    receivers = change[change["change"] > 0].rename(columns={"unit": "receiver"})
    senders = senders.assign(release=-senders["change"])
    receivers = receivers.assign(take=receivers["change"])
    totals = pd.DataFrame({"released": senders.groupby("good")["release"].sum(),
                           "taken": receivers.groupby("good")["take"].sum()}).dropna()
    pairs = senders[["good", "sender", "release"]].merge(
        receivers[["good", "receiver", "take"]], on="good").merge(
        totals, left_on="good", right_index=True)
    moved = np.minimum(pairs["released"], pairs["taken"])
    pairs["amount"] = pairs["release"] / pairs["released"] * pairs["take"] / pairs["taken"] * moved
    base_in = before.reindex(pd.MultiIndex.from_arrays([pairs["good"], pairs["sender"]]))
    pairs["share_of_sender"] = pairs["amount"].to_numpy() / np.where(
        base_in.to_numpy() > 0, base_in.to_numpy(), np.nan)
    pairs["unit"] = plan.goods["unit"].reindex(pairs["good"]).to_numpy()
    out = pairs[["good", "sender", "receiver", "amount", "unit", "share_of_sender"]]
    out = out.sort_values("amount", ascending=False).reset_index(drop=True)
    out["gain"] = np.nan
    out["gain_note"] = ""
    for k in range(len(out)):
        if k < evaluate:
            out.loc[k, ["gain", "gain_note"]] = _undo_gain(result, out.iloc[k], after)
        else:
            out.loc[k, "gain_note"] = (f"gain not measured: only the {evaluate} largest "
                                       "moves are")
    return out


def _unit_input_row(result: PlanResult, good: str, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """Columns and coefficients of 'input of good at unit' over the program's columns."""
    plan = result.plan
    flows = plan.flows
    mask = ((flows["good"].to_numpy() == good) & (plan.flow_units() == unit)
            & (flows["input"].to_numpy() > 0))
    cols = result.lp.cols
    pos = pd.Index(cols["id"].where(cols["kind"] == "process")).get_indexer(
        flows["process"].to_numpy()[mask])
    return pos, flows["input"].to_numpy()[mask]


def _undo_gain(result: PlanResult, move: pd.Series, after: pd.Series) -> tuple[float, str]:
    """What the plan loses if this move is undone and everything else re-optimised, with a
    note when that cannot be measured."""
    s_cols, s_vals = _unit_input_row(result, move["good"], move["sender"])
    r_cols, r_vals = _unit_input_row(result, move["good"], move["receiver"])
    s_now = float(after.get((move["good"], move["sender"]), 0.0))
    r_now = float(after.get((move["good"], move["receiver"]), 0.0))
    session = result.session()
    first = result.lp.shape[0]
    try:
        session.add_row(s_cols, s_vals, s_now + move["amount"], np.inf)
        session.add_row(r_cols, r_vals, -np.inf, r_now - move["amount"])
        undone = session.solve()
    finally:
        session.delete_rows_from(first)
    if undone.status is Status.INFEASIBLE:
        return np.nan, "gain not measured: undoing this move alone leaves no feasible plan"
    if undone.status is not Status.OPTIMAL:
        return np.nan, f"gain not measured: the re-solve ended {undone.status.value}"
    return float(result.lp.improves * (result.objective - undone.objective)), ""


def compare_to_baseline(result: PlanResult, *, evaluate_moves: int = 200
                        ) -> BaselineComparison | None:
    """The baseline against the optimum; None when the plan has no baseline.

    Computed once per result: each move's gain takes a re-solve."""
    if result.plan.baseline is None or not result.is_optimal:
        return None
    return result.memo(f"baseline:{evaluate_moves}",
                       lambda: _compare(result, evaluate_moves))


def _compare(result: PlanResult, evaluate_moves: int) -> BaselineComparison:
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
        moves=moves(result, levels, evaluate=evaluate_moves),
        objective_unit=result.objective_unit)
    comparison._improves = lp.improves
    return comparison
