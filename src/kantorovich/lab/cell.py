"""One cell of an experiment: a regime run for every period of one world under one seed.

Each period: units choose reports and effort (their stationary best responses,
`kantorovich.lab.behaviour`); chance cuts some units' capacity (common random numbers,
`kantorovich.lab.draws`: the same shocks whatever the regime); the regime plans on the
reports (`Regime.plan`), and with ``replan`` plans again on what units can still run;
units choose what to make against their actual targets; what is made is computed in the
true world by the regime's own rationing (`World.realise`), hoarded allocations withheld;
innovations raise yields for the next period; the regime observes the outcome. The
measures (`kantorovich.lab.measures`) are taken against the world as it turned out
(`World.ex_post`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.lab.behaviour import REPORT_TOP, Responses, best_responses
from kantorovich.lab.draws import Draws
from kantorovich.lab.measures import fulfilment_by_group
from kantorovich.lab.regimes.base import CentreView, Planned, Regime
from kantorovich.lab.world import World

__all__ = ["simulate"]


@dataclass
class _Units:
    """The units' side of a cell: who is in which reliability group and their policy."""

    groups: list[tuple[np.ndarray, Responses]]

    def choose(self, U: int, tau: np.ndarray, k: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        r, effort = np.ones(U), np.zeros(U)
        for us, resp in self.groups:
            r[us], effort[us] = resp.choose(tau[us], k[us])
        return r, effort

    def output(self, U: int, target: np.ndarray, r: np.ndarray, tau: np.ndarray,
               k: np.ndarray, effort: np.ndarray) -> np.ndarray:
        y = np.zeros(U)
        for us, resp in self.groups:
            y[us] = resp.output_for(target[us], r[us], tau[us], k[us], effort[us])
        return y


def _draw_at(draws: Draws, period: int, keys: Any, kind: str) -> np.ndarray:
    return draws(period, keys, kind)


def _hoarded(world: World, received: sp.csr_matrix, levels: np.ndarray,
             U: int) -> tuple[float, np.ndarray]:
    """Per unit: the share of what it received that its production did not use, averaged
    over its input goods; and the mean over units that received anything."""
    used = (world.inputs @ sp.diags(levels)).tocsr()
    per_unit = sp.csr_matrix((np.ones(len(world.process_unit)),
                              (np.arange(len(world.process_unit)), world.process_unit)),
                             (len(world.process_unit), U))
    got = (received @ per_unit).toarray()        # goods x units
    use = (used @ per_unit).toarray()
    has = got > 1e-12 * max(1.0, float(got.max(initial=0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(has, np.clip((got - use) / got, 0, 1), 0.0)
    count = has.sum(axis=0)
    per = np.divide(share.sum(axis=0), count, out=np.zeros(U), where=count > 0)
    return (float(per[count > 0].mean()) if (count > 0).any() else 0.0), per


def simulate(world: World, regime: Regime, behaviour: Any, periods: int, seed: int,
             world_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measures (period, measure, value) and units (one row per period and unit)."""
    b = behaviour
    U, unit = world.n_units, world.process_unit
    private = world.private
    cap = np.where(private, world.capacity, 0.0)
    cap_u = np.bincount(unit, weights=cap, minlength=U)
    has = cap_u > 0
    safe = np.where(has, cap_u, 1.0)
    draws = Draws(world_name, seed)
    unit_ids = world.units.astype(str).to_numpy()
    chance = world.chance if b.reliability else np.zeros(U)
    size = world.size if b.reliability else np.zeros(U)
    rules = regime.rules()
    rationing = regime.rationing()
    # one policy per reliability: units alike in it share their solution
    kinds, kind_of = np.unique(np.stack([chance, size], axis=1).reshape(U, 2), axis=0,
                               return_inverse=True)
    kind_of = np.asarray(kind_of).ravel()
    units = _Units([(np.flatnonzero(kind_of == i), best_responses(
        rules, b, chance=float(c), size=float(s))) for i, (c, s) in enumerate(kinds)]
        if not b.honest else [])
    step = b.innovation_step
    unit_yield = np.ones(U)
    k = np.zeros(U, dtype=int)
    tau = np.full(U, float(rules.start) if rules.standing else 0.0)
    last_levels = last_targets = None
    region = np.where(world.unit_region == "", world.units.to_numpy(object),
                      world.unit_region)[unit]
    demanded = world.demand > 0
    rows: list[tuple[int, str, float]] = []
    unit_frames = []
    for t in range(1, periods + 1):
        g = unit_yield
        if b.honest:
            r, effort = np.ones(U), np.full(U, float(b.innovation > 0))
        else:
            r, effort = units.choose(U, tau, k)
        reported = np.where(private, world.capacity * r[unit], world.capacity)
        shock = draws(t, unit_ids, "shortfall") < chance
        room = np.where(shock, 1.0 - size, 1.0)
        limit = np.where(private, world.capacity * room[unit], np.inf)
        seen = unit_yield.copy()
        view = CentreView(t, functools.cache(functools.partial(
            world.plan_at, seen, reported)), reported, seen, unit, U, last_levels,
            last_targets, functools.partial(_draw_at, draws, t))
        planned: Planned = regime.plan(view)
        T = np.clip(np.asarray(planned.targets, float), 0, None)
        rounds, messages = planned.rounds, planned.messages
        if regime.replans:
            can = np.where(private, np.minimum(reported, limit), world.capacity)
            again = regime.replan(view, can, T)
            T = np.clip(np.asarray(again.targets, float), 0, None)
            rounds, messages = rounds + again.rounds, messages + again.messages
        T_u = np.bincount(unit, weights=np.where(private, T, 0), minlength=U) / safe * g
        if b.honest:
            want_u = np.minimum(T_u, g)
        else:
            want_u = np.clip(units.output(U, T_u, r, tau, k, effort), 0, g)
        # per process: the part of the target run, then output beyond it
        ratio = np.divide(want_u, T_u, out=np.ones(U), where=T_u > 0)
        over = np.divide(want_u - T_u, g - T_u, out=np.zeros(U), where=g - T_u > 1e-12)
        run = np.where(private, np.minimum(np.minimum(ratio, 1.0)[unit] * T, limit), T)
        beyond = np.where(want_u > T_u, 1, 0)[unit] * np.clip(cap - T, 0, None) * \
            np.clip(over, 0, 1)[unit]
        beyond = np.where(private, np.clip(np.minimum(run + beyond, limit) - run, 0, None),
                          0.0)
        request = T if b.hoarding else run
        levels, received = world.realise(request, run, beyond, unit_yield, rationing)
        made_u = np.bincount(unit, weights=np.where(private, levels, 0), minlength=U) / safe
        ex_post = world.ex_post(unit_yield, np.where(private, limit, world.capacity))
        # measures
        shortfalls = []
        positive = T > 1e-9 * max(1.0, float(T.max(initial=0)))
        if positive.any():
            shortfalls.append(np.clip(T[positive] - levels[positive], 0, None) / T[positive])
        if demanded.any():
            net = world.final_deliveries(levels, unit_yield)
            shortfalls.append(np.clip(world.demand - net, 0, None)[demanded]
                              / world.demand[demanded])
        hoarded, hoarded_u = _hoarded(world, received, levels, U)
        innovated = (effort > 0.5) & (draws(t, unit_ids, "innovation") < b.innovation)
        values = {
            "efficiency": world.efficiency(levels, unit_yield, ex_post.optimum),
            "efficiency_ex_ante": world.efficiency(levels, unit_yield),
            "shortage": world.shortage(levels, unit_yield, ex_post),
            "misreport": float(r[has].mean()) if has.any() else 1.0,
            "output_share": float(made_u[has].mean()) if has.any() else float("nan"),
            "shortfall": float(np.concatenate(shortfalls).mean()) if shortfalls else 0.0,
            "worst_region": fulfilment_by_group(region, T, levels),
            "hoarded": hoarded,
            "at_bound": float((r[has] >= REPORT_TOP - 1e-9).mean()) if has.any() else 0.0,
            "innovation": float(np.where(innovated, step, 0.0).mean()) if U else 0.0,
            "messages": float(messages),
            "rounds": float(rounds),
            "rules_broken": float(world.rules_broken(levels, unit_yield)),
            **{key: float(v) for key, v in planned.measures.items()},
        }
        rows.extend((t, key, value) for key, value in values.items())
        unit_frames.append(pd.DataFrame({
            "period": t, "unit": unit_ids, "region": world.unit_region.astype(str),
            "report": r, "capacity": cap_u, "reported_capacity": cap_u * r,
            "target": np.bincount(unit, weights=T, minlength=U),
            "output": np.bincount(unit, weights=levels, minlength=U),
            "yield": unit_yield.copy(), "effort": effort,
            "innovated": innovated.astype(float), "shortfall_hit": shock.astype(float),
            "hoarded": hoarded_u}))
        # the state of the next period
        if rules.standing and not b.honest:
            tau = np.asarray(rules.next_tau(T_u, made_u * g, tau), float) * np.ones(U)
        regime.observe(T, levels)
        k = k + innovated
        unit_yield = unit_yield * np.where(innovated, 1.0 + step, 1.0)
        last_levels, last_targets = levels, T
    measures = pd.DataFrame(rows, columns=["period", "measure", "value"])
    return measures, pd.concat(unit_frames, ignore_index=True)
