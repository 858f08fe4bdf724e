"""The optimal plan against the plan in force: what changes, what moves, what it gains.

A *move* is an input taken from one production unit and given to another. Where several
units give up and several receive the same good, the largest releases go to the largest
takers first, so a good changing hands between a senders and b receivers makes at most
a + b - 1 moves, not a x b. Moves are listed only against a baseline that keeps the
plan's rules: against one that breaks them the comparison lists the broken statements.

The moves' gains add up to the whole gain. They are attributed in order, the largest
move first, from the baseline towards the optimum. For every (good, unit) that a
measured move names, one row is added to the plan's program,

    input of the good at the unit  <=  cap,

with the unit's input the sum over its processes of (input coefficient x level). The
caps start at the baseline's inputs, and move k lowers its sender's cap by its amount and
raises its receiver's. Let V0 be the optimum with the caps at the baseline and Vk the
optimum with the first k moves imposed: move k's gain is Vk - V(k-1), the objective it
adds to the moves before it, each re-solved warm from the kept optimum. Everything else
re-optimises freely, so V0 - (the baseline's objective) is what no move names (supply
the baseline left unused, levels of processes using no moved good), and the optimum
minus the last V is what the moves do not reach (amounts with no counterpart, and moves
not measured). Both are `BaselineComparison.unexplained`, so that the gains and it sum to
`BaselineComparison.gain` exactly. A move whose imposition leaves no feasible plan is
not imposed (its gain is not measured, and what it would add stays unexplained); when
the budget runs out, the moves not yet measured count into ``unexplained`` and say so.

Moves that only make sense together are one *step* (the ``step`` column): the goods two
units trade with each other (labour and the cotton to work it, moved from one factory to
the other) are imposed at once, and a step that loses is joined with the steps after it
until together they gain (imposing two steps one after the other is imposing them at
once, so this needs no re-solve and keeps the sum exact). A step's gain is written on its
first row; its other rows hold 0 and say so. Where no later step makes up for a loss,
the step stays on its own and its note says that it gains nothing without changes no
move names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kantorovich.lp.budget import Budget
from kantorovich.lp.status import Status
from kantorovich.model.expansion import horizon_of
from kantorovich.numbers import fmt, quantity
from kantorovich.results.horizon import held_in_force
from kantorovich.results.result import PlanResult

__all__ = ["BaselineComparison", "compare_to_baseline", "moves"]

_EPS = 1e-7
#: Moves smaller than this share of what their sender had are noise (see `_matched`).
_SMALLEST = 1e-6


@dataclass(eq=False)
class BaselineComparison:
    """The plan in force and the optimum side by side, in plan terms."""

    objective: float            # objective of the baseline levels
    optimal_objective: float
    feasible: bool
    violations: pd.DataFrame    # statement, kind, id, shortfall, unit
    processes: pd.DataFrame     # baseline, optimal, change, change_pct
    moves: pd.DataFrame         # good, sender, receiver, amount, unit, share_of_sender,
                                # gain, gain_note, step
    objective_unit: str
    unexplained: float = 0.0    # the gain no measured move explains (see module docstring)
    unnamed: float = 0.0        # the part of it before any move: what no move names
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
                "unexplained": number(self.unexplained),
                "unexplained_unnamed": number(self.unnamed),
                "unexplained_unmeasured": number(self.unexplained - self.unnamed),
                "moves_count": len(self.moves), "moves_measured": self.moves_measured,
                "violations": frame_records(self.violations),
                "changes": frame_records(self.processes.reset_index())}


def _baseline_levels(result: PlanResult) -> pd.Series:
    base = result.plan.baseline
    assert base is not None
    levels = base.reindex(result.plan.processes.index, fill_value=0.0).rename("level")
    return held_in_force(result.plan, levels)


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
    # an expanded plan's names say the period; its ids ("labour[1]") are not the plan's
    timed = horizon_of(plan) is not None
    for i in np.flatnonzero(((under > scale) | (over > scale)) & statements):
        gap = float(max(under[i], over[i]))
        if kinds[i] == "good":
            good = ids[i]
            unit = str(plan.goods.at[good, "unit"])
            name = str(plan.goods.at[good, "name"])
            text = (f"{name if timed else f'{name} ({good})'} falls short by "
                    f"{quantity(gap, unit)}")
        else:
            policy = policies[ids[i]]
            unit = plan.rule_unit(policy.rule)
            named = f"'{policy.label}'" if timed else f"'{policy.label}' ({policy.id})"
            text = f"policy {named} is broken by {quantity(gap, unit)}"
        rows.append({"kind": kinds[i], "id": ids[i], "shortfall": gap, "unit": unit,
                     "statement": text})
    procs = plan.processes
    lv = levels.to_numpy()
    capacity = procs["capacity"].to_numpy(float)
    min_level = procs["min_level"].to_numpy(float)
    names = procs["name"].to_numpy(object)
    for j in np.flatnonzero((lv > capacity + 1e-7) | (lv < min_level - 1e-7)):
        pid = procs.index[int(j)]
        rows.append({"kind": "capacity", "id": pid, "shortfall": float(
            max(lv[j] - capacity[j], min_level[j] - lv[j])),
            "unit": "", "statement": f"{names[j] if timed else f'{names[j]} ({pid})'} "
            "runs outside "
            f"[{fmt(min_level[j])}, {fmt(capacity[j])}]"})
    return pd.DataFrame(rows, columns=["kind", "id", "shortfall", "unit", "statement"])


_COLUMNS = ["good", "sender", "receiver", "amount", "unit", "share_of_sender", "gain",
            "gain_note", "step"]
#: The note of a step's rows after its first: their gain is on that row.
WITH_ABOVE = "moved with the row above, as one step: its gain is there"
#: The note of a step that loses however many of the steps after it join it.
LOSES_ALONE = ("loses on its own and with the moves after it: it is part of the optimum "
               "only with changes no move names")


@dataclass(frozen=True)
class _Gains:
    """Each move's gain, why one was not measured, and what the moves leave unexplained
    (``unnamed``: V0 - the baseline's objective; ``total``: the whole gain minus the
    measured gains), all in objective units, improvement positive."""

    gain: np.ndarray
    note: np.ndarray
    unnamed: float
    total: float
    step: np.ndarray


def moves(result: PlanResult, baseline: pd.Series, *, evaluate: int = 200,
          budget: Budget | float | None = None,
          baseline_objective: float | None = None) -> pd.DataFrame:
    """Inputs moved between units from ``baseline`` to the optimum (see module docstring),
    in steps, the step of the largest move first.

    Parameters
    ----------
    result : PlanResult
        An optimal result.
    baseline : Series
        The baseline's level of every process.
    evaluate : int, default 200
        How many of the largest moves have their gains measured.
    budget : Budget or float, optional
        Time for the re-solves; by default the result's.
    baseline_objective : float, optional
        The baseline's objective; by default computed from ``baseline``.

    Returns
    -------
    DataFrame
        good, sender, receiver, amount, unit, share_of_sender, gain (what the move's
        step adds to the steps above it, on the step's first row), gain_note (why a gain
        was not measured, or where it is) and step, with ``attrs["unexplained"]`` and
        ``attrs["unnamed"]`` as in `BaselineComparison`.
    """
    out, now = _matched(result, baseline)
    out = _in_steps(out, evaluate)
    if baseline_objective is None:
        baseline_objective = _objective_of(result, baseline)
    whole = result.lp.improves * (result.objective - baseline_objective)
    gains = _sequential_gains(result, out, result.inputs_by_unit(baseline), whole, evaluate,
                              result.budget if budget is None else Budget.of(budget))
    out["gain"] = gains.gain
    out["gain_note"] = gains.note
    out["step"] = gains.step
    out.attrs.update(unexplained=gains.total, unnamed=gains.unnamed)
    return out


def _in_steps(moved: pd.DataFrame, evaluate: int) -> pd.DataFrame:
    """The moves with a ``step`` each: the moves between the same two units (either way)
    are one step, numbered in the order of their largest move; rows in step order, each
    step's largest first. Only the ``evaluate`` largest moves' steps are measured, so
    they come first (the unmeasured rows keep their order after them)."""
    if moved.empty:
        return moved.assign(step=pd.Series(dtype=np.int64))
    a, b = moved["sender"].to_numpy(object), moved["receiver"].to_numpy(object)
    first = np.where(a.astype(str) <= b.astype(str), a, b)
    second = np.where(a.astype(str) <= b.astype(str), b, a)
    step = pd.MultiIndex.from_arrays([first, second]).factorize()[0]
    measured = np.isin(step, step[:evaluate])
    position = np.arange(len(moved))
    order = np.lexsort((position, np.where(measured, step, len(moved) + position)))
    out = moved.iloc[order].reset_index(drop=True)
    out["step"] = step[order]
    return out


def _matched(result: PlanResult, baseline: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """The moves without their gains, largest first, and the optimum's inputs by unit."""
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
    # a stretch the matching leaves between two near-equal sums is noise, not a move:
    # none is kept below a millionth of what its sender had or its receiver gets
    keep = amount > _SMALLEST * np.maximum(1 + np.abs(base[s]), np.abs(delta[r]))
    s, r, amount = s[keep], r[keep], amount[keep]
    order = np.argsort(-amount, kind="stable")
    s, r, amount = s[order], r[order], amount[order]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(base[s] > 0, amount / base[s], np.nan)
    out = pd.DataFrame({
        "good": good[s], "sender": unit[s], "receiver": unit[r], "amount": amount,
        "unit": plan.goods["unit"].reindex(good[s]).to_numpy(), "share_of_sender": share})
    return out, after


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
        pd.Index(flows["process"].to_numpy()[used]))]
    codes, keys = pd.MultiIndex.from_arrays(
        [flows["good"].to_numpy()[used], plan.flow_units()[used]]).factorize()
    assert isinstance(keys, pd.MultiIndex)      # factorize keeps a MultiIndex one
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
    return keys, bounds, col[order], inputs[used][order]


def _sequential_gains(result: PlanResult, moved: pd.DataFrame, before: pd.Series,
                      whole: float, evaluate: int, budget: Budget) -> _Gains:
    """Each step's gain as what it adds to the steps before it (see module docstring):
    one capped input row per (good, unit) the measured steps name, caps from the
    baseline, one warm re-solve for V0 and one per step; the rows are removed after.
    Losing steps are then joined with the steps after them (`_joined`)."""
    n = len(moved)
    gain = np.full(n, np.nan)
    steps = moved["step"].to_numpy(np.int64) if n else np.zeros(0, np.int64)
    note = np.full(n, f"gain not measured: only the {evaluate} largest moves are",
                   dtype=object)
    # the measured steps: those of the `evaluate` largest moves, first in the table
    measured = np.isin(steps, np.unique(steps[np.argsort(-moved["amount"].to_numpy(
        float), kind="stable")[:evaluate]])) if n else np.zeros(0, bool)
    todo = int(measured.sum())
    note[:todo] = "gain not measured: time budget spent"
    if not todo:
        return _Gains(gain, note, whole, whole, _numbered(steps))
    keys, bounds, cols, values = _input_rows(result)
    lp = result.lp
    first = lp.shape[0]
    pairs = pd.MultiIndex.from_arrays([
        np.concatenate([moved["good"].to_numpy(object)[:todo]] * 2),
        np.concatenate([moved["sender"].to_numpy(object)[:todo],
                        moved["receiver"].to_numpy(object)[:todo]])])
    named = pairs.unique()
    where = named.get_indexer(pairs)
    sender_row, receiver_row = where[:todo], where[todo:]
    cap = before.reindex(named, fill_value=0.0).to_numpy(float, copy=True)
    amount = moved["amount"].to_numpy(float)
    spans = [slice(bounds[a], bounds[a + 1]) for a in keys.get_indexer(named)]
    starts = np.flatnonzero(np.r_[True, steps[1:todo] != steps[:todo - 1]])
    ends = np.r_[starts[1:], todo]
    session = result.session()

    def impose(rows: range, sign: float) -> None:
        for k in rows:
            cap[sender_row[k]] -= sign * amount[k]
            cap[receiver_row[k]] += sign * amount[k]
        for i in {int(sender_row[k]) for k in rows} | {int(receiver_row[k]) for k in rows}:
            # a sender giving all it had ends at 0 (not at the -1e-15 of its rounding,
            # which no level reaches)
            session.set_row_bounds(first + i, -np.inf, max(cap[i], 0.0))

    try:
        for span, upper in zip(spans, cap):
            session.add_row(cols[span], values[span], -np.inf, upper)
        start = session.what_if(budget)
        if start.status is not Status.OPTIMAL:
            return _Gains(gain, note, whole, whole, _numbered(steps))
        last = start.objective
        unnamed = lp.improves * (start.objective - (result.objective - lp.improves * whole))
        for lo, hi in zip(starts, ends):
            rows = range(int(lo), int(hi))
            impose(rows, 1.0)
            step = session.what_if(budget)
            if step.status is Status.TIME_LIMIT:
                break
            if step.status is Status.OPTIMAL:
                gain[lo] = lp.improves * (step.objective - last)
                gain[lo + 1:hi] = 0.0
                last = step.objective
                note[lo] = ""
                note[lo + 1:hi] = WITH_ABOVE
                continue
            impose(rows, -1.0)              # not imposed: the next step starts without it
            note[lo:hi] = ("gain not measured: imposing this move on those before it leaves "
                           "no feasible plan" if step.status is Status.INFEASIBLE else
                           f"gain not measured: the re-solve ended {step.status.value}")
    finally:
        session.delete_rows_from(first)
    steps = _joined(steps, gain, note, 1e-9 * (1.0 + abs(result.objective)))
    measured_sum = float(np.nansum(gain))
    return _Gains(gain, note, unnamed, whole - measured_sum, _numbered(steps))


def _joined(steps: np.ndarray, gain: np.ndarray, note: np.ndarray, tiny: float
            ) -> np.ndarray:
    """Join each losing step with the measured steps right after it, until together
    they gain: their gains add (imposed one after another they are imposed at once), and
    the joined step's gain moves to its first row. A loss nothing after makes up for
    stays a step of its own, and says so. ``gain`` and ``note`` change in place."""
    steps = steps.copy()
    firsts = [int(i) for i in np.flatnonzero(np.r_[True, steps[1:] != steps[:-1]])]
    joinable = [bool(np.isfinite(gain[i]) and note[i] == "") for i in firsts]
    k = 0
    while k < len(firsts):
        head = firsts[k]
        if not joinable[k] or gain[head] >= -tiny:
            k += 1
            continue
        total, j = gain[head], k
        while total < -tiny and j + 1 < len(firsts) and joinable[j + 1]:
            j += 1
            total += gain[firsts[j]]
        if total < -tiny:           # nothing after makes up for it
            note[head] = LOSES_ALONE
            k += 1
            continue
        for other in firsts[k + 1:j + 1]:
            gain[other] = 0.0
            note[other] = WITH_ABOVE
            steps[steps == steps[other]] = steps[head]
        gain[head] = total
        del firsts[k + 1:j + 1]
        del joinable[k + 1:j + 1]
        k += 1
    return steps


def _numbered(steps: np.ndarray) -> np.ndarray:
    """Steps numbered 1, 2, ... in the order they first appear."""
    return (pd.factorize(steps)[0] + 1).astype(np.int64)


def _objective_of(result: PlanResult, levels: pd.Series) -> float:
    """The objective of the plan at ``levels``; for a plan of complete sets, as many as
    its scarcest set good allows."""
    lp = result.lp
    x = np.zeros(lp.shape[1])
    x[lp.col_positions("process")] = levels.to_numpy()
    if result.plan.objective.sense == "maximize_sets":
        sets_row = lp.row_positions("assortment")
        counts = result.plan.objective.weights.to_numpy(float)
        net = lp.matrix[sets_row][:, lp.col_positions("process")] @ levels.to_numpy()
        return float(np.min(net / counts)) if len(counts) else 0.0
    return float(lp.objective @ x + lp.constant)


def compare_to_baseline(result: PlanResult, *, budget: Budget | float | None = None,
                        evaluate_moves: int = 200) -> BaselineComparison | None:
    """The baseline against the optimum.

    Parameters
    ----------
    result : PlanResult
        A solved result.
    budget : Budget or float, optional
        Time for the moves' re-solves (one per measured move, plus one); by default the
        result's.
    evaluate_moves : int, default 200
        How many of the largest moves have their gains measured; the others' count into
        ``unexplained``.

    Returns
    -------
    BaselineComparison or None
        None when the plan has no baseline or no optimum. Against a baseline that breaks
        the plan's rules, ``feasible`` is False, ``violations`` lists what it breaks, and
        no moves are listed. Each call computes afresh (`kantorovich.explain.analyses`
        keeps the answer).
    """
    if result.plan.baseline is None or not result.is_optimal:
        return None
    levels = _baseline_levels(result)
    lp = result.lp
    base_obj = _objective_of(result, levels)
    violations = _violations(result, levels)
    optimal = result.levels
    change = optimal - levels
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(levels.to_numpy() != 0, change.to_numpy() / levels.to_numpy() * 100,
                       np.nan)
    processes = pd.DataFrame({"baseline": levels, "optimal": optimal, "change": change,
                              "change_pct": pct})
    whole = lp.improves * (result.objective - base_obj)
    if violations.empty:
        found = moves(result, levels, evaluate=evaluate_moves, budget=budget,
                      baseline_objective=base_obj)
        unexplained, unnamed = found.attrs["unexplained"], found.attrs["unnamed"]
    else:   # moves towards the optimum from levels the plan forbids would mislead
        found = pd.DataFrame({c: pd.Series(dtype=float if c in (
            "amount", "share_of_sender", "gain") else np.int64 if c == "step" else object)
            for c in _COLUMNS})
        unexplained = unnamed = whole
    return BaselineComparison(
        objective=base_obj, optimal_objective=result.objective,
        feasible=violations.empty, violations=violations, processes=processes,
        moves=found, objective_unit=result.objective_unit, unexplained=unexplained,
        unnamed=unnamed, _improves=lp.improves)
