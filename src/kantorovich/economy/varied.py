"""Economies made by rules of their own, to try the solving chain on what it has not seen.

The benchmarks' economies disaggregate a real input-output table and derive every
technique of a product from the table's one by scaling (`economy.generate`); a method
tuned on them may rely on that. `varied_economy` draws economies by other rules, each a
knob:

============================  ==========================================================
feature                       rule
============================  ==========================================================
techniques per product        drawn from ``techniques`` (a number, or a range ``(lo,
                              hi)``: each product gets a count uniform in it)
inputs of a technique         a product's techniques share a core of suppliers and
                              each adds suppliers of its own (``1 + Poisson(degree)``
                              in all); suppliers are drawn with a power-law popularity
                              (a few products are inputs to many: hubs), never the
                              product itself
material intensity            each technique's inputs sum to a share uniform in
                              [0.05, 0.85] of its output, so every choice of techniques
                              is productive
two resources                 labour and capital per unit of output, lognormal, their
                              logs correlated by ``correlation`` across techniques
                              (-1: a technique saves one by spending the other;
                              +1: some techniques are cheaper in both); a technique
                              light in resources is heavy in materials and back
final demand (the basket)     counts on a ``basket_share`` of the products, lognormal
capital supply                ``capital_share`` of what the optimum with labour alone
                              uses, so that both resources bind
capacities                    on a ``capped_share`` of all techniques, never on all of a
                              product's (one, drawn at random, stays free): a technique the
                              labour-only optimum runs is capped at ``tightness`` of its
                              level there; another at a share uniform in [0.1, 1] of its
                              product's gross output there (the median product's where
                              that is 0)
============================  ==========================================================

Everything is vectorised over techniques and flows; the same arguments give the same
plan.

>>> plan = varied_economy(200, seed=1)
>>> plan
<Plan 'varied-200': 202 goods, 0 units, 600 processes, ... flows, 0 policies, maximize_sets ...>
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kantorovich.model.plan import Plan

__all__ = ["varied_economy"]


def _counts(rng: np.random.Generator, n: int, techniques: int | tuple[int, int]
            ) -> np.ndarray:
    if isinstance(techniques, int):
        return np.full(n, techniques, dtype=np.int64)
    lo, hi = techniques
    return rng.integers(lo, hi + 1, n)


def varied_economy(n: int, *, techniques: int | tuple[int, int] = 3, seed: int = 0,
                   degree: float = 4.0, correlation: float = -0.5,
                   capped_share: float = 0.2, tightness: float = 0.5,
                   capital_share: float = 0.85, basket_share: float = 0.3,
                   hub_exponent: float = 1.0, labour_supply: float = 1e6,
                   resources: int = 2) -> Plan:
    """A plan of ``n`` products with labour, capital and capacities; see the module
    docstring for each argument's rule.

    Parameters
    ----------
    n : int
        Products (at least 2).
    techniques : int or (int, int)
        Techniques per product, or the range each product's count is drawn from.
    seed : int
        Seed; equal arguments give equal plans.
    degree : float
        Mean number of suppliers of a technique, less one.
    correlation : float
        Correlation of the logs of labour and capital per unit across techniques.
    capped_share, tightness : float
        Share of techniques with a capacity, and a capped running technique's capacity
        as a share of its level in the labour-only optimum.
    capital_share : float
        Capital supply as a share of what the labour-only optimum uses (above 1: capital
        does not bind).
    basket_share : float
        Share of products in the basket.
    hub_exponent : float
        Power of the suppliers' popularity (0: uniform; larger: fewer, bigger hubs).
    labour_supply : float
        Labour available.
    resources : int
        2 (labour and capital) or 1 (labour alone: with ``capped_share=0`` the plan has
        the structure of the non-substitution theorem).

    Returns
    -------
    Plan
        Goods ``p<i>``, ``labour`` and ``capital``; processes ``p<i>.t<k>``;
        ``maximize_sets`` of the basket.
    """
    if n < 2:
        raise ValueError("an economy needs at least 2 products")
    if resources not in (1, 2):
        raise ValueError("resources must be 1 (labour) or 2 (labour and capital)")
    rng = np.random.default_rng(seed)
    count = _counts(rng, n, techniques)
    product = np.repeat(np.arange(n), count)                 # per technique
    m = len(product)
    first = np.r_[0, np.cumsum(count)[:-1]]
    popularity = 1.0 / np.arange(1, n + 1) ** hub_exponent
    popularity /= popularity.sum()
    shuffle = rng.permutation(n)                             # hubs anywhere in the ids
    # the core suppliers of each product and the technique's own
    core_size = 1 + rng.poisson(degree / 2, n)
    own_size = rng.poisson(degree / 2, m)
    core_owner = np.repeat(np.arange(n), core_size)
    core_supplier = shuffle[rng.choice(n, size=len(core_owner), p=popularity)]
    # every technique of a product takes its product's core
    per_product = np.bincount(core_owner, minlength=n)
    starts = np.r_[0, np.cumsum(per_product)[:-1]]
    take = np.repeat(np.arange(m), per_product[product])
    offset = np.arange(len(take)) - np.repeat(np.cumsum(per_product[product])
                                              - per_product[product], per_product[product])
    core_tech = take
    core_sup = core_supplier[starts[product[take]] + offset]
    own_tech = np.repeat(np.arange(m), own_size)
    own_sup = shuffle[rng.choice(n, size=len(own_tech), p=popularity)]
    tech = np.concatenate([core_tech, own_tech])
    supplier = np.concatenate([core_sup, own_sup])
    keep = supplier != product[tech]                         # no technique uses its own good
    tech, supplier = tech[keep], supplier[keep]
    # merge repeated (technique, supplier) pairs
    key = np.unique(tech.astype(np.int64) * n + supplier)
    tech, supplier = key // n, key % n
    weight = rng.lognormal(0.0, 1.0, len(tech))
    # resources and material intensity: light in resources, heavy in materials
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, correlation], [correlation, 1.0]], m)
    sigma = 0.35
    labour = np.exp(sigma * z[:, 0]) * rng.lognormal(0.0, 0.3, n)[product]
    capital = np.exp(sigma * z[:, 1]) * rng.lognormal(0.0, 0.3, n)[product]
    lightness = -(z[:, 0] + z[:, 1]) / 2                     # > 0: light in resources
    share = np.clip(0.45 + 0.2 * lightness + rng.uniform(-0.15, 0.15, m), 0.05, 0.85)
    total = np.bincount(tech, weights=weight, minlength=m)
    amount = weight * (share / np.where(total > 0, total, 1.0))[tech]
    good_ids = np.array([f"p{i}" for i in range(n)] + ["labour", "capital"], dtype=object)
    proc_ids = np.char.add(np.char.add(np.array([f"p{i}" for i in range(n)])[product]
                                       .astype(str), ".t"),
                           (np.arange(m) - np.repeat(first, count)).astype(str)
                           ).astype(object)
    if resources == 1:
        good_ids = good_ids[:-1]
    extra = resources * m
    process = np.concatenate([np.arange(m), tech, *([np.arange(m)] * resources)])
    good = np.concatenate([product, supplier, np.full(m, n),
                           *([np.full(m, n + 1)] if resources == 2 else [])])
    inputs = np.concatenate([np.zeros(m), amount, labour,
                             *([capital] if resources == 2 else [])])
    outputs = np.concatenate([np.ones(m), np.zeros(len(tech) + extra)])
    flows = pd.DataFrame({
        "process": pd.Categorical.from_codes(process, categories=pd.Index(proc_ids)),
        "good": pd.Categorical.from_codes(good, categories=pd.Index(good_ids)),
        "input": inputs, "output": outputs})
    in_basket = np.sort(rng.choice(n, size=max(1, int(round(basket_share * n))),
                                   replace=False))
    basket = rng.lognormal(0.0, 1.0, len(in_basket))
    basket /= basket.sum()
    objective = {"maximize_sets": dict(zip(good_ids[in_basket], basket, strict=True))}
    goods = pd.DataFrame({"id": good_ids})
    name = f"varied-{n}"
    supply = {"labour": float(labour_supply), "capital": 1e30}
    if resources == 1:
        del supply["capital"]
    plan = Plan.from_frames(goods=goods, processes=pd.DataFrame({"id": proc_ids}),
                            flows=flows, supply=supply, objective=objective, name=name)
    if resources == 1 and capped_share == 0:
        return plan
    level, gross = _labour_only(plan, product, n)
    used = float(capital @ level)
    # one technique of every product stays free of capacities (a product capped whole
    # limits the plan by capacity, with the resources left over: another regime)
    spared = first + (rng.random(n) * count).astype(np.int64)
    eligible = np.ones(m, dtype=bool)
    eligible[spared] = False
    pool = np.flatnonzero(eligible)
    capped = np.sort(rng.choice(pool, size=min(len(pool), int(round(capped_share * m))),
                                replace=False))
    running = level[capped] > 0
    capacity = np.full(m, np.nan)
    typical = np.median(gross[gross > 0]) if np.any(gross > 0) else 1.0
    need = np.where(gross > 0, gross, typical)[product[capped]]
    capacity[capped] = np.where(running, tightness * level[capped],
                                rng.uniform(0.1, 1.0, len(capped)) * need)
    if resources == 2:
        supply["capital"] = capital_share * used
    return Plan.from_frames(goods=goods, processes=pd.DataFrame({"id": proc_ids,
                                                                 "capacity": capacity}),
                            flows=flows, supply=supply, objective=objective, name=name)


def _labour_only(plan: Plan, product: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Levels of the techniques and gross output of the products at the optimum with
    labour alone (capital unlimited, no capacities): the structure method's."""
    from kantorovich.lp.budget import Budget
    from kantorovich.lp.compile import compile_plan
    from kantorovich.lp.structure import Structure

    lp = compile_plan(plan)
    capital = np.flatnonzero((lp.rows["id"] == "capital").to_numpy())
    found = Structure().solve(lp.with_row_bounds(capital, -np.inf, np.inf), Budget(None))
    if found.solution is None:
        raise RuntimeError(f"the labour-only economy has no optimum: {found.reason}")
    level = found.solution.x[lp.col_positions("process")]
    return level, np.bincount(product, weights=level, minlength=n)
