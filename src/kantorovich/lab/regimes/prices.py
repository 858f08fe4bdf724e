"""``prices``: decentralised planning by prices (Dantzig-Wolfe, Kornai-Liptak, Malinvaud).

The centre never sees a technology. Each round it posts prices (the shadow prices of
goods and rules in its restricted master program, and each unit's own price of its
convexity row); each unit answers with its best plan at those prices (every process at
its reported capacity where its reduced profit is positive, else at its minimum: the
unit's own program, which has no internal goods here) as one proposal: the goods it would
take and give, and its value. The centre's master program (solved by the engine as an
ordinary `Plan`: one process per proposal, a convexity good per unit) chooses a convex
mix of each unit's proposals. When no unit's best answer improves on its convexity price
by more than ``tolerance`` (relative to the objective) the master's optimum is the
optimum of the reported plan (Dantzig, G. B. and Wolfe, P. (1960) "Decomposition
principle for linear programs", Operations Research 8(1): 101-111; Kornai, J. and
Liptak, T. (1965) "Two-level planning", Econometrica 33(1): 141-169; Malinvaud, E. (1967)
"Decentralized procedures for planning", in Malinvaud and Bacharach (eds.) Activity
Analysis in the Theory of Growth and Planning). The first round starts from each unit's
minimum and full-capacity proposals.

Counted per period: rounds (master solves) and numbers sent: prices of the goods and
rules a unit touches, each proposal's nonzero quantities and its value, and the final
weights. Rules over ``level(process)`` cannot be priced without the technology and are
refused. Units are paid a share of profit at the final prices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from kantorovich.errors import PlanError, Problem
from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import CentreView, Planned, Regime

__all__ = ["PricesRegime"]


class PricesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tolerance: float = Field(1e-7, gt=0, lt=1)
    max_rounds: int = Field(50, ge=1, le=10_000)
    profit_share: float = Field(0.5, ge=0, le=1)


class PricesRegime(Regime):
    """Price-guided planning by decomposition; see the module docstring."""

    type = "prices"
    Settings = PricesSettings

    def __init__(self, name, settings, world) -> None:  # type: ignore[no-untyped-def]
        super().__init__(name, settings, world)
        plan = world.plan
        bad = [p.id for p in plan.policies
               if any(term.kind == "level" for term, _ in p.rule.terms)]
        if bad:
            raise PlanError([Problem(
                f"the prices regime cannot price rule '{bad[0]}': it names process "
                "levels, which the centre does not see", f"regimes.{name}",
                hint="write the rule over input(...)/output(...) of units or regions")])
        if not np.all(np.isfinite(world.capacity)):
            raise PlanError([Problem(
                "the prices regime needs a finite capacity for every process (a unit's "
                "best answer at prices would be unbounded)", f"regimes.{name}",
                hint="give every process a capacity in the world")])

    def rules(self) -> UnitRules:
        return UnitRules(share=self.settings.profit_share)

    # -- the master --------------------------------------------------------------------
    def _master(self, proposals: list[tuple[int, np.ndarray]], unit_yield: np.ndarray):
        from kantorovich.model.plan import Plan
        from kantorovich.results.result import solve

        world = self.world
        plan = world.plan
        g = world.process_yields(unit_yield)
        inputs, outputs = world.inputs, world.outputs @ sp.diags(g)
        levels = np.column_stack([x for _, x in proposals])
        used = sp.coo_matrix(inputs @ sp.csr_matrix(levels))
        made = sp.coo_matrix(outputs @ sp.csr_matrix(levels))
        ids = np.array([f"{world.units[u]}#{j}" for j, (u, _) in enumerate(proposals)],
                       dtype=object)
        owner = np.array([u for u, _ in proposals])
        goods_ids = plan.goods.index.to_numpy(object)
        flows = pd.DataFrame({
            "process": np.concatenate([ids[used.col], ids[made.col], ids]),
            "good": np.concatenate([goods_ids[used.row], goods_ids[made.row],
                                    np.array([f"convexity:{world.units[u]}"
                                              for u in owner], dtype=object)]),
            "input": np.concatenate([used.data, np.zeros(made.nnz), np.ones(len(ids))]),
            "output": np.concatenate([np.zeros(used.nnz), made.data, np.zeros(len(ids))])})
        flows = flows.groupby(["process", "good"], sort=True, as_index=False).sum()
        convexity = pd.DataFrame(
            {"name": "", "unit": "", "supply": 1.0, "demand": 0.0},
            index=pd.Index([f"convexity:{u}" for u in world.units], name="good"))
        goods = pd.concat([plan.goods, convexity.reindex(columns=plan.goods.columns,
                                                         fill_value="")])
        goods["supply"] = goods["supply"].astype(float)
        goods["demand"] = goods["demand"].astype(float)
        plan_unit = plan.processes["unit"].to_numpy(object)
        first = np.zeros(world.n_units, dtype=int)
        seen, at = np.unique(world.process_unit, return_index=True)
        first[seen] = at
        processes = pd.DataFrame(
            {"name": "", "unit": plan_unit[first[owner]],
             "min_level": 0.0, "capacity": np.inf, "level_unit": ""},
            index=pd.Index(ids, name="process"))
        master = Plan(name=f"{plan.name}: master", goods=goods, units=plan.units,
                      processes=processes, flows=flows, objective=plan.objective,
                      policies=plan.policies, period=plan.period)
        return solve(master), ids, levels

    def plan(self, view: CentreView) -> Planned:
        world = self.world
        s = self.settings
        lp = world.evaluation(view.unit_yield).lp
        cols = lp.col_positions("process")
        matrix = lp.matrix.tocsc()
        A = matrix[:, cols]
        c = lp.improves * lp.objective[cols]
        unit = view.process_unit
        n_units = view.n_units
        low = world.plan.processes["min_level"].to_numpy(float)
        high = view.reported_capacity
        per_unit = sp.csr_matrix((np.ones(len(unit)), (unit, np.arange(len(unit)))),
                                 (n_units, len(unit)))
        rows_per_unit = np.asarray(((per_unit @ abs(A).T) > 0).sum(axis=1)).ravel()

        def vertex(u: int, levels: np.ndarray) -> np.ndarray:
            x = np.zeros(len(unit))
            mine = unit == u
            x[mine] = levels[mine]
            return x

        def numbers(x: np.ndarray) -> int:
            return int(np.count_nonzero(A @ x)) + 1

        proposals = [(u, vertex(u, low)) for u in range(n_units)] + [
            (u, vertex(u, high)) for u in range(n_units)]
        messages = sum(numbers(x) for _, x in proposals)
        rounds = 0
        converged = False
        result = ids = levels = None
        while rounds < s.max_rounds:
            rounds += 1
            result, ids, levels = self._master(proposals, view.unit_yield)
            if not result.is_optimal:
                if rounds == 1:    # the first mix cannot meet the rules: every process alone
                    for j in range(len(unit)):
                        x = np.zeros(len(unit))
                        x[j] = high[j]
                        proposals.append((int(unit[j]), x))
                        messages += numbers(x)
                    continue
                break
            duals = pd.Series(result.solution.row_dual,
                              index=pd.MultiIndex.from_frame(result.lp.rows[["kind", "id"]]))
            y = duals.reindex(pd.MultiIndex.from_frame(lp.rows[["kind", "id"]])
                              ).fillna(0.0).to_numpy(float)
            sigma = result.shadow_prices.reindex(
                [f"convexity:{u}" for u in world.units]).to_numpy(float)
            messages += int(rows_per_unit.sum()) + n_units
            reduced = c - A.T @ y
            best = np.where(reduced > 0, high, low)
            value = np.bincount(unit, weights=reduced * best, minlength=n_units)
            scale = max(1.0, abs(float(result.objective)))
            gain = value - sigma
            better = np.flatnonzero(gain > s.tolerance * scale)
            if not len(better):
                converged = True
                break
            for u in better:
                x = vertex(int(u), best)
                proposals.append((int(u), x))
                messages += numbers(x)
        if result is None or not result.is_optimal:
            return Planned(np.zeros(len(unit)), rounds=rounds, messages=messages,
                           measures={"converged": 0.0, "infeasible": 1.0})
        weights = result.levels.reindex(ids).to_numpy(float)
        targets = levels @ weights
        messages += len(ids)
        return Planned(np.clip(targets, 0, None), rounds=rounds, messages=messages,
                       measures={"converged": float(converged), "infeasible": 0.0})
