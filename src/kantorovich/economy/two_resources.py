"""Generated economies that the structure method alone cannot plan: two primary resources
and capacities, for the methods that can (the merit order, technique generation, the
simplex) and for the benchmarks and tests that compare them.

`two_resource_plan` takes an economy generated from a real table (`generate_economy`,
``K`` techniques per product, hubs kept) and adds:

* a second primary resource, **capital**: each technique uses the table's gross
  operating surplus per unit of output of its sector (value added where the table has no
  surplus), times a mean-1 lognormal factor per product and an independent factor per
  technique (exp of uniform [-0.4, 0.4]), so that the technique cheapest in labour is not
  the one cheapest in capital; the capital supply is ``capital_share`` of what the
  labour-only optimum uses (0.85: both resources bind);
* **capacities**: for ``capped_share`` of the products, the technique the labour-only
  optimum runs is capped at half its level there, so the plan must mix techniques.

The labour-only optimum is the structure method's (`kantorovich.lp.structure`), on the
same program with the capital row left free.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kantorovich.economy.generate import generate_economy
from kantorovich.economy.table import load_economy
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.structure import solve_by_structure
from kantorovich.model.plan import Plan

__all__ = ["two_resource_plan"]


def two_resource_plan(table: str | Path, n: int, *, techniques: int = 3, seed: int = 0,
                      capital_share: float = 0.85, capped_share: float = 0.1,
                      capital_unit: float = 1.0) -> Plan:
    """A generated economy of ``n`` products with labour, capital and capacities.

    Parameters
    ----------
    table : str or Path
        The real input-output table the economy is generated from (a folder that
        `load_economy` reads).
    n : int
        Products.
    techniques : int, default 3
        Techniques per product.
    seed : int, default 0
        Seed of the generator and of the capital and capacity draws.
    capital_share : float, default 0.85
        Capital supply as a share of what the labour-only optimum uses (above 1:
        capital is left over).
    capped_share : float, default 0.1
        Share of the products whose running technique is capped.
    capital_unit : float, default 1.0
        Capital counted in units of this size: the same economy in other units.

    Returns
    -------
    Plan
        ``maximize_sets`` of the generated basket, supplies of labour and capital.

    Raises
    ------
    RuntimeError
        When the labour-only economy has no optimum by the structure method.
    """
    economy = load_economy(table)
    g = generate_economy(economy, n, techniques=techniques, seed=seed)
    rng = np.random.default_rng(seed + 1)
    K = techniques
    process, good, amount_in, amount_out = g.flow_arrays()
    pids = np.asarray(g.process_ids().to_pylist(), dtype=object)
    gids = np.asarray(g.good_ids().to_pylist(), dtype=object)
    # capital per unit of output: the table's operating surplus per unit of its output
    va = economy.va
    surplus = np.maximum(va["gross_operating_surplus"].to_numpy(float), 0.0) if (
        "gross_operating_surplus" in va) else np.maximum(va["va"].to_numpy(float), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_output = np.where(economy.x > 0, surplus / economy.x, 0.0)
    base = per_output[g.sector] * rng.lognormal(-0.02, 0.2, n)
    capital = (base[:, None] * np.exp(rng.uniform(-0.4, 0.4, (n, K)))).ravel() * capital_unit
    # ids as categoricals over the economy's ids: no Python string per flow
    every_good = pd.Index(np.append(gids, "capital"), dtype=object)
    flows = pd.DataFrame({
        "process": pd.Categorical.from_codes(
            np.concatenate([process, np.arange(n * K)]), categories=pd.Index(pids)),
        "good": pd.Categorical.from_codes(
            np.concatenate([good, np.full(n * K, len(gids))]), categories=every_good),
        "input": np.concatenate([amount_in, capital]),
        "output": np.concatenate([amount_out, np.zeros(n * K)])})
    goods = pd.DataFrame({"id": every_good})
    basket = g.basket
    chosen = np.flatnonzero(basket > 0)
    objective = {"maximize_sets": dict(zip(gids[chosen], basket[chosen], strict=True))}
    supply = {"labour": float(g.labour_supply), "capital": 1e30}
    plan = Plan.from_frames(goods=goods, processes=pd.DataFrame({"id": pids}), flows=flows,
                            supply=supply, objective=objective, name=f"two-resource-{n}")
    # the labour-only optimum (capital unlimited: not a resource that binds) sets the
    # capital supply and which techniques are capped
    lp = compile_plan(plan)
    found = solve_by_structure(lp.with_row_bounds(
        int(np.flatnonzero((lp.rows["id"] == "capital").to_numpy())[0]), -np.inf, np.inf))
    if found.solution is None:
        raise RuntimeError(f"the labour-only economy has no structure optimum: {found.reason}")
    level = found.solution.x[lp.col_positions("process")]
    used = float(capital @ level)
    running = np.flatnonzero(level > 0)
    capped = rng.choice(running, size=int(capped_share * n), replace=False)
    capacity = np.full(n * K, np.nan)
    capacity[capped] = 0.5 * level[capped]
    supply["capital"] = capital_share * used
    return Plan.from_frames(goods=goods, processes=pd.DataFrame({"id": pids,
                                                                 "capacity": capacity}),
                            flows=flows, supply=supply, objective=objective,
                            name=f"two-resource-{n}")
