"""Monte Carlo on a plan: uncertain yields, the spread of the optimum, and a robust plan.

The Party official's question, "and if the mill breaks down?", is one of production
reliability. Here it is answered with numbers, in three parts.

**Distributions.** Two kinds of uncertain coefficient, each drawn independently in each
sample from a generator seeded by ``(seed, sample)`` (so a sample is the same in every run
and on every worker):

* ``--reliability UNIT=P``: the unit works in a period with probability P. When it fails,
  every output coefficient of its processes is 0 that period: what it was given is used
  up and nothing comes out (a mill that breaks down after the wheat is delivered).
* ``--yield PROCESS.GOOD=LOW:HIGH``: the output coefficient of GOOD in PROCESS is
  uniform between LOW and HIGH (a failed unit's outputs stay 0).

**The spread of the optimum** ("wait and see"). Each sample's plan is solved on its own,
as if the planner knew that period's yields in advance: the distribution of the
objective, and of each move against the plan in force (`explain.baseline.moves`: which
good moves from which unit to which, how much, and what it gains), tell how much the
optimum itself depends on luck. Samples are points of the sweep runner, stored and
reused like grid points.

**A robust plan** ("here and now"). A plan is fixed before the period's yields are known;
it *holds* in a sample when every balance and rule is met with that sample's
coefficients. The robust plan is the best plan (by the objective expected over the
samples: linear in the coefficients, hence the plan's objective at their mean) that holds
in at least a share ``alpha`` of the samples. This is a chance constraint, and it is
solved by the scenario approach (Calafiore and Campi 2006; Campi and Garatti 2011,
"sampling and discarding"): the N samples' constraints are stacked into one linear
program over the shared process levels, solved by the engine (HiGHS, with the
certificate), and up to ``k = floor((1 - alpha) N)`` samples are discarded:

1. samples with no feasible plan at all (their own solve is infeasible) first, since no
   plan can hold in them;
2. then, greedily, the sample whose constraints are dearest (largest sum of absolute
   duals: the one the optimum is pushed hardest by), re-solving after each, while the
   budget of discards lasts and some kept sample still binds.

Samples with the same draw (failures are discrete) are one scenario counted as often as
it was drawn. Why this method: the chance-constrained program is not convex in general
and its exact sample version (choose which k samples to drop) is a mixed-integer
program; sampling and discarding keeps one LP per step, and for any discarding rule
Campi and Garatti bound the probability that the plan's true violation exceeds
``1 - alpha`` by ``C(k+d-1, k) * P(Binomial(N, 1-alpha) <= k+d-1)``, d the number of
process levels; that bound is reported (`RobustPlan.confidence` is one minus it) beside
the plan's share of *fresh* samples in which it holds (drawn after the first N, never
seen by the LP), the honest check.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kantorovich.numbers import cell
from kantorovich.sweep.grid import SweepError

if TYPE_CHECKING:
    from kantorovich.lp.program import LinearProgram
    from kantorovich.model.plan import Plan

__all__ = ["RobustPlan", "Uncertainty", "distribution", "parse_uncertainty", "robust_plan",
           "sampled_plan", "solve_sample"]

_TOL = 1e-7


@dataclass(frozen=True)
class Uncertainty:
    """The uncertain coefficients: units' reliabilities and uniform output yields."""

    reliability: tuple[tuple[str, float], ...] = ()                   # (unit, P works)
    yields: tuple[tuple[str, str, float, float], ...] = ()            # (process, good, lo, hi)

    def to_dict(self) -> dict[str, Any]:
        """As JSON (part of every sample's key: other distributions, other samples)."""
        return {"reliability": {u: p for u, p in self.reliability},
                "yields": [[proc, good, lo, hi] for proc, good, lo, hi in self.yields]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Uncertainty:
        yields = tuple((str(proc), str(good), float(lo), float(hi))
                       for proc, good, lo, hi in data.get("yields", []))
        return cls(tuple((str(u), float(p)) for u, p in data.get("reliability", {}).items()),
                   yields)

    def __bool__(self) -> bool:
        return bool(self.reliability or self.yields)


def _fraction(text: str, given: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise SweepError(f"--reliability '{given}': '{text}' is not a probability",
                         hint="give the share of periods the unit works, between 0 and 1, "
                              "e.g. mill-5=0.9")
    return value


def parse_uncertainty(plan: Plan, reliability: Sequence[str] = (),
                      yields: Sequence[str] = ()) -> Uncertainty:
    """``--reliability UNIT=P`` and ``--yield PROCESS.GOOD=LOW:HIGH``, checked against
    ``plan`` (every id known, with the closest one as a hint).

    >>> import kantorovich as k
    >>> plan = k.load_plan("examples/leningrad.yaml")
    >>> parse_uncertainty(plan, ["mill-5=0.9"]).to_dict()
    {'reliability': {'mill-5': 0.9}, 'yields': []}
    """
    from kantorovich.model.checks import did_you_mean

    units = [str(u) for u in plan.units.index]
    rel: dict[str, float] = {}
    for text in reliability:
        unit, sep, value = text.partition("=")
        unit = unit.strip()
        if not sep:
            raise SweepError(f"--reliability '{text}' has no UNIT=P",
                             hint="write UNIT=P, e.g. mill-5=0.9")
        if unit not in set(units):
            raise SweepError(f"--reliability '{text}': the plan has no unit '{unit}'",
                             hint=did_you_mean(unit, units) or
                             "its units are " + ", ".join(units[:10]))
        if unit in rel:
            raise SweepError(f"--reliability '{unit}' is given twice", hint="give it once")
        rel[unit] = _fraction(value.strip(), text)
    flows = plan.flows
    made = flows[flows["output"] > 0]
    pairs = set(zip(made["process"].astype(str), made["good"].astype(str)))
    names = sorted(f"{p}.{g}" for p, g in pairs)
    ylds: dict[tuple[str, str], tuple[float, float]] = {}
    for text in yields:
        name, sep, spec = text.partition("=")
        name = name.strip()
        match = next(((p, g) for p, g in pairs if f"{p}.{g}" == name), None)
        if not sep or match is None:
            raise SweepError(
                f"--yield '{text}': '{name}' is not an output of a process of the plan",
                hint=(did_you_mean(name, names) or "write PROCESS.GOOD=LOW:HIGH for a good "
                      "the process makes, e.g. " + (names[0] if names else "mill.flour")
                      + "=0.6:0.7"))
        low, colon, high = spec.partition(":")
        try:
            lo, hi = float(low), float(high)
        except ValueError:
            lo = hi = math.nan
        if not colon or not (math.isfinite(lo) and math.isfinite(hi)) or not 0 <= lo <= hi:
            raise SweepError(f"--yield '{text}': expected LOW:HIGH with 0 <= LOW <= HIGH",
                             hint=f"e.g. {name}=0.68:0.72")
        if match in ylds:
            raise SweepError(f"--yield '{name}' is given twice", hint="give it once")
        ylds[match] = (lo, hi)
    return Uncertainty(tuple(sorted(rel.items())),
                       tuple(sorted((p, g, lo, hi) for (p, g), (lo, hi) in ylds.items())))


def draw(uncertainty: Uncertainty, seed: int, sample: int
         ) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Sample ``sample``'s draw: the units that fail, and each uncertain yield."""
    rng = np.random.default_rng([int(seed), int(sample)])
    works = rng.random(len(uncertainty.reliability))
    failed = tuple(u for (u, p), r in zip(uncertainty.reliability, works) if r >= p)
    values = rng.random(len(uncertainty.yields))
    drawn = tuple(float(lo + (hi - lo) * r)
                  for (_, _, lo, hi), r in zip(uncertainty.yields, values))
    return failed, drawn


def sampled_plan(plan: Plan, uncertainty: Uncertainty, failed: Sequence[str],
                 drawn: Sequence[float]) -> Plan:
    """``plan`` with one sample's coefficients: drawn yields, failed units' outputs 0."""
    if not failed and not uncertainty.yields:
        return plan
    flows = plan.flows
    output = flows["output"].to_numpy(float, copy=True)
    process = flows["process"].astype(str).to_numpy()
    good = flows["good"].astype(str).to_numpy()
    for (proc, gd, _, _), value in zip(uncertainty.yields, drawn):
        output[(process == proc) & (good == gd)] = value
    if failed:
        unit_of = plan.processes["unit"].astype(object)
        down = unit_of[unit_of.isin(list(failed))].index.astype(str)
        output[np.isin(process, down)] = 0.0
    return replace(plan, flows=flows.assign(output=output))


def solve_sample(plan: Plan, *, sample: int, seed: int,
                 uncertainty: Mapping[str, Any]) -> dict[str, Any]:
    """One sample solved on its own (the runner's function): status, objective, the units
    that failed, the yields drawn, and the moves against the baseline."""
    from kantorovich.results.result import solve

    spec = Uncertainty.from_dict(uncertainty)
    failed, drawn = draw(spec, seed, sample)
    result = solve(sampled_plan(plan, spec, failed, drawn))
    record: dict[str, Any] = {
        "status": result.status.value, "objective": float(result.objective),
        "failed": list(failed),
        "yields": {f"{p}.{g}": v for (p, g, _, _), v in zip(spec.yields, drawn)},
        "moves": []}
    if result.is_optimal and plan.baseline is not None:
        from kantorovich.explain.baseline import moves

        base = plan.baseline.reindex(plan.processes.index, fill_value=0.0)
        found = moves(result, base, evaluate=20)
        record["moves"] = [
            {"good": str(r.good), "sender": str(r.sender), "receiver": str(r.receiver),
             "amount": cell(r.amount), "gain": cell(r.gain)}
            for r in found.itertuples()]
    return record


# -- the distribution -------------------------------------------------------------------
def _quantiles(values: np.ndarray) -> dict[str, float]:
    if not len(values):
        return {k: math.nan for k in ("mean", "std", "min", "p05", "p50", "p95", "max")}
    q = np.quantile(values, [0.05, 0.5, 0.95])
    return {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(values) > 1
            else 0.0, "min": float(values.min()), "p05": float(q[0]), "p50": float(q[1]),
            "p95": float(q[2]), "max": float(values.max())}


def distribution(records: Sequence[Mapping[str, Any]]
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """The samples' table, their moves' table, the objective's distribution and each
    move's distribution (over all samples: a move absent from a sample counts 0).

    Returns ``samples`` (sample, status, objective, failed, yield.PROCESS.GOOD...),
    ``moves`` (sample, good, sender, receiver, amount, gain), the objective's summary
    (share optimal, mean, std, min, p05, p50, p95, max over the optimal samples) and
    ``move_spread`` (good, sender, receiver, share of samples, mean, p05, p50, p95 of the
    amount, mean gain).
    """
    rows, moved = [], []
    for i, rec in enumerate(records):
        row = {"sample": int(rec.get("sample", i)), "status": rec["status"],
               "objective": rec["objective"], "failed": ", ".join(rec["failed"])}
        row.update({f"yield.{k}": v for k, v in rec["yields"].items()})
        rows.append(row)
        moved += [{"sample": row["sample"], **m} for m in rec["moves"]]
    samples = pd.DataFrame(rows)
    moves = pd.DataFrame(moved, columns=["sample", "good", "sender", "receiver", "amount",
                                         "gain"])
    optimal = samples[samples["status"] == "optimal"] if len(samples) else samples
    objective = {"samples": len(samples),
                 "share_optimal": (len(optimal) / len(samples)) if len(samples) else math.nan,
                 **_quantiles(optimal["objective"].to_numpy(float) if len(optimal)
                              else np.array([]))}
    spread = []
    n = len(samples)
    for (good, sender, receiver), group in moves.groupby(["good", "sender", "receiver"],
                                                         sort=True):
        amounts = np.zeros(n)
        amounts[:len(group)] = group["amount"].to_numpy(float)
        q = np.quantile(amounts, [0.05, 0.5, 0.95])
        spread.append({"good": good, "sender": sender, "receiver": receiver,
                       "share": len(group) / n, "mean": float(amounts.mean()),
                       "p05": float(q[0]), "p50": float(q[1]), "p95": float(q[2]),
                       "mean_gain": float(np.nanmean(group["gain"].to_numpy(float)))
                       if group["gain"].notna().any() else math.nan})
    move_spread = pd.DataFrame(spread, columns=["good", "sender", "receiver", "share", "mean",
                                                "p05", "p50", "p95", "mean_gain"])
    return samples, moves, objective, move_spread


# -- the robust plan ------------------------------------------------------------------
@dataclass
class RobustPlan:
    """The best plan that holds in a share ``alpha`` of the samples (see the module)."""

    status: str
    alpha: float
    samples: int
    discarded: int                  # samples the plan need not hold in
    discard_budget: int             # floor((1 - alpha) * samples)
    expected_objective: float       # over all samples (their mean coefficients)
    nominal_objective: float        # the plan's objective with the coefficients as written
    optimum: float                  # the nominal optimum, for comparison
    share_in_sample: float          # share of the N samples it holds in
    share_fresh: float              # share of fresh samples it holds in
    fresh_samples: int
    confidence: float               # 1 - Campi-Garatti bound on P(violation > 1 - alpha)
    levels: pd.DataFrame            # process: baseline, optimal (nominal), robust
    solves: int = 0
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        from kantorovich.serialise import number

        out: dict[str, Any] = {k: (number(v) if isinstance(v, float) else v) for k, v in (
            ("status", self.status), ("alpha", self.alpha), ("samples", self.samples),
            ("discarded", self.discarded), ("discard_budget", self.discard_budget),
            ("expected_objective", self.expected_objective),
            ("nominal_objective", self.nominal_objective), ("optimum", self.optimum),
            ("cost_of_reliability", self.optimum - self.nominal_objective
             if math.isfinite(self.nominal_objective) else math.nan),
            ("share_in_sample", self.share_in_sample), ("share_fresh", self.share_fresh),
            ("fresh_samples", self.fresh_samples), ("confidence", self.confidence),
            ("solves", self.solves), ("note", self.note))}
        out["levels"] = {str(p): number(float(v)) for p, v in self.levels["robust"].items()}
        return out


def _scenarios(plan: Plan, uncertainty: Uncertainty, seed: int, indices: range
               ) -> tuple[list[LinearProgram], np.ndarray]:
    """The distinct sampled programs among ``indices`` and each sample's scenario."""
    from kantorovich.lp.compile import compile_plan

    seen: dict[tuple[Any, ...], int] = {}
    programs: list[LinearProgram] = []
    which = np.empty(len(indices), dtype=int)
    for n, i in enumerate(indices):
        d = draw(uncertainty, seed, i)
        if d not in seen:
            seen[d] = len(programs)
            programs.append(compile_plan(sampled_plan(plan, uncertainty, *d)))
        which[n] = seen[d]
    return programs, which


def _holds(lp: LinearProgram, x: np.ndarray) -> bool:
    act = lp.matrix @ x
    scale = _TOL * (1 + np.abs(np.where(np.isfinite(lp.row_lower), lp.row_lower, 0)) +
                    np.abs(np.where(np.isfinite(lp.row_upper), lp.row_upper, 0)))
    return bool(np.all(act >= lp.row_lower - scale) and np.all(act <= lp.row_upper + scale))


def _stacked(base: LinearProgram, programs: Sequence[LinearProgram], kept: Sequence[int],
             weights: np.ndarray) -> LinearProgram:
    """One program: the kept scenarios' rows over shared columns, the mean objective."""
    import scipy.sparse as sp

    rows = pd.concat([programs[s].rows.assign(scenario=s) for s in kept], ignore_index=True)
    objective = sum(w * p.objective for w, p in zip(weights, programs))
    return replace(base, matrix=sp.vstack([programs[s].matrix for s in kept], format="csc"),
                   row_lower=np.concatenate([programs[s].row_lower for s in kept]),
                   row_upper=np.concatenate([programs[s].row_upper for s in kept]),
                   rows=rows, objective=np.asarray(objective, dtype=float))


def _bound(n: int, k: int, d: int, epsilon: float) -> float:
    """Campi and Garatti's bound on P(violation > epsilon) after discarding k of n."""
    from scipy.special import comb
    from scipy.stats import binom

    if epsilon <= 0:
        return 1.0
    return float(min(1.0, comb(k + d - 1, k, exact=False) * binom.cdf(k + d - 1, n, epsilon)))


def robust_plan(plan: Plan, uncertainty: Uncertainty, *, seed: int, samples: int,
                alpha: float, statuses: Sequence[str] | None = None,
                fresh: int | None = None) -> RobustPlan:
    """The best plan holding in a share ``alpha`` of samples ``0..samples-1`` (see the
    module docstring for the method and the checks reported).

    ``statuses`` are the samples' own solve statuses when known (the sweep's records):
    infeasible samples are discarded first. ``fresh`` samples (default ``samples``, at
    least 200) are drawn after those for the out-of-sample share.
    """
    from kantorovich.lp.compile import compile_plan
    from kantorovich.results.chain import solve_program
    from kantorovich.results.result import solve

    base = compile_plan(plan)
    nominal = solve(plan)
    programs, which = _scenarios(plan, uncertainty, seed, range(samples))
    counts = np.bincount(which, minlength=len(programs))
    weights = counts / samples
    budget = int(math.floor((1 - alpha) * samples + 1e-9))
    kept = list(range(len(programs)))
    discarded = 0
    if statuses is not None:
        hopeless = {int(s) for s, st in zip(which, statuses) if st == "infeasible"}
        for s in sorted(hopeless, key=lambda s: counts[s]):
            kept.remove(s)
            discarded += int(counts[s])
    procs = base.col_positions("process")
    table = pd.DataFrame({"baseline": (plan.baseline.reindex(plan.processes.index,
                                                             fill_value=0.0)
                                       if plan.baseline is not None else np.nan),
                          "optimal": nominal.levels if nominal.is_optimal else np.nan,
                          "robust": np.nan}, index=plan.processes.index)
    out = RobustPlan(status="infeasible", alpha=alpha, samples=samples, discarded=discarded,
                     discard_budget=budget, expected_objective=math.nan,
                     nominal_objective=math.nan,
                     optimum=float(nominal.objective) if nominal.is_optimal else math.nan,
                     share_in_sample=math.nan, share_fresh=math.nan, fresh_samples=0,
                     confidence=math.nan, levels=table)
    if discarded > budget:
        out.note = (f"{discarded} of {samples} samples have no feasible plan at all, more "
                    f"than the {budget} a share of {alpha:g} allows to miss")
        return out
    x = None
    while kept:
        lp = _stacked(base, programs, kept, weights)
        solution = solve_program(lp, method="simplex").solution
        out.solves += 1
        if solution.status.value != "optimal":
            out.status = solution.status.value
            out.note = "no single plan meets every kept sample"
            break
        x, out.status = solution.x, "optimal"
        dual = np.abs(solution.row_dual)
        scenario = lp.rows["scenario"].to_numpy()
        mass = np.bincount(np.searchsorted(kept, scenario), weights=dual, minlength=len(kept))
        room = budget - discarded
        choices = [j for j in np.argsort(-mass, kind="stable")
                   if mass[j] > 1e-9 and counts[kept[j]] <= room]
        if not choices:
            break
        s = kept.pop(int(choices[0]))
        discarded += int(counts[s])
    if x is None:
        return out
    out.discarded = discarded
    out.expected_objective = float(sum(w * (p.objective @ x) for w, p in
                                       zip(weights, programs)) + base.constant)
    out.nominal_objective = float(base.objective @ x + base.constant)
    holds = np.array([_holds(p, x) for p in programs])
    out.share_in_sample = float(counts[holds].sum() / samples)
    m = fresh if fresh is not None else max(samples, 200)
    fresh_programs, fresh_which = _scenarios(plan, uncertainty, seed,
                                             range(samples, samples + m))
    fresh_holds = np.array([_holds(p, x) for p in fresh_programs])
    out.share_fresh = float(fresh_holds[fresh_which].mean()) if m else math.nan
    out.fresh_samples = m
    out.confidence = 1.0 - _bound(samples, discarded, len(x), 1.0 - alpha)
    table["robust"] = x[procs]
    out.levels = table
    return out


def robust_note(robust: RobustPlan) -> str:
    """One sentence for the terminal."""
    if robust.status != "optimal":
        return f"no robust plan at share {robust.alpha:g}: {robust.note or robust.status}"
    return (f"robust plan (holds in {robust.share_in_sample:.1%} of the samples, "
            f"{robust.share_fresh:.1%} of {robust.fresh_samples} fresh ones; asked "
            f"{robust.alpha:.0%}): objective {robust.nominal_objective:,.6g} as written "
            f"against the optimum {robust.optimum:,.6g}")
