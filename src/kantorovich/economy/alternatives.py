"""The plan ray with a choice of technique, capacities and a second resource: where the
plan's prices part from labour values, and why.

With one technique per sector and labour the only scarce resource, the plan ray's shadow
prices are the labour values (the non-substitution theorem), which tells an economist
nothing new. They part when the plan has something to choose and something else to
economise:

* **alternative techniques**: a sector may also work by the column of a second table
  with the same sectors (another year, another region: `techniques_from_table`), or by
  techniques made with a stated rule (`techniques_by_rule`: the rule of
  `kantorovich.economy.generate`, labour times ``f`` and every material times ``1 / f``,
  ``f = exp(±r)``, ``r`` uniform in [0.1, 0.5] per sector);
* **a second resource, capital**: each technique uses the table's value added less
  compensation (operating surplus and taxes on production) per unit of output, times
  ``exp(u)``, ``u`` uniform in [-0.4, 0.4], per alternative technique, with a supply of
  ``capital_share`` of what the table's own techniques use at the table's output (the
  rule of `kantorovich.economy.two_resources`); or any resource the table carries;
* **capacities**: the table's own technique of every sector that has an alternative may
  run at most ``capacity`` times the table's gross output (the alternative stays free).

The plan is the plan ray of `kantorovich.economy.plan` with more processes (``s<id>`` the
table's technique, ``s<id>.<label>`` an alternative), solved and certified as any plan.
Its prices, in labour units, are then taken apart along the techniques the plan runs
(the one with the larger level in each sector): with ``A_c``, ``l_c``, ``k_c`` their
columns, the dual of the plan says

.. math::

    p = \\underbrace{l_c (I - A_c)^{-1}}_{\\text{labour value, chosen}}
        + \\underbrace{(\\pi_K / w)\\, k_c (I - A_c)^{-1}}_{\\text{capital}}
        + \\text{rest},

the rest being what capacities add (rents) and what inputs made beyond need, priced 0,
take away. The price parts from the
table's labour value ``v = l (I - A)^{-1}`` by the change of technique
(``l_c (I - A_c)^{-1} - v``), the scarce capital it embodies, and the rents;
`ChoiceRay.paragraph` names the sectors where it parts most and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.economy.plan import (
    LABOUR, ImportRule, RayInputs, _decade, product_id, ray_plan)
from kantorovich.economy.table import Economy
from kantorovich.errors import PlanError, Problem
from kantorovich.model.plan import Plan
from kantorovich.results.result import PlanResult, solve

__all__ = ["CAPITAL", "ChoiceRay", "Techniques", "choice_plan", "plan_choice",
           "techniques_by_rule", "techniques_from_table"]

CAPITAL = "capital"
#: a price departs from a value when their ratio is off 1 by more than this
_PART = 1e-6


@dataclass(frozen=True)
class Techniques:
    """One alternative technique for some sectors: column ``j`` of ``A`` and ``labour[j]``
    per unit of sector ``j``'s output, for the sectors in ``has``.

    Attributes
    ----------
    A : scipy.sparse.csc_matrix, shape (n, n)
    labour : ndarray, shape (n,)
    has : bool ndarray, shape (n,)
    label : str
        Suffix of the processes' ids (``s<id>.<label>``).
    rule : str
        Where the techniques come from, in words.
    resources : dict of str to ndarray
        The table's resources per unit of output under this technique.
    capital : ndarray, optional
        Capital per unit of output; by default the table's times ``exp(u)`` (the rule).
    """

    A: sp.csc_matrix
    labour: np.ndarray
    has: np.ndarray
    label: str
    rule: str
    resources: dict[str, np.ndarray] = field(default_factory=dict)
    capital: np.ndarray | None = None


def techniques_from_table(economy: Economy, other: Economy, label: str = "t2") -> Techniques:
    """The columns of a second table with the same sectors (another year or region) as
    alternative techniques; its labour on the first table's basis (compensation or
    value added). Raises `PlanError` when the sectors differ."""
    where = other.files.get("sectors", other.source)
    if other.n != economy.n or list(other.sectors["code"]) != list(economy.sectors["code"]):
        differ = "in another order or with other codes " if other.n == economy.n else ""
        raise PlanError([Problem(
            f"the second table has {other.n} sectors {differ}where the first has "
            f"{economy.n}: an alternative technique must be one of the same sector",
            file=where, hint="give a table with the same sectors.csv codes, in the same "
                             "order")])
    basis = economy.labour_source or "va"
    if other.labour is None or other.labour_source != basis:
        if basis == "compensation" and "compensation" not in other.va:
            raise PlanError([Problem(
                "the first table's labour is compensation of employees, the second table "
                "has none", file=other.files.get("va", where),
                hint="give a second table with a compensation column, or plan both on "
                     "value added (--labour va)")])
        other = other.with_labour("compensation" if basis == "compensation" else "va")
    assert other.labour is not None
    has = other.x > 0
    resources = {k: np.nan_to_num(other.resource(k)) for k in other.resources}
    return Techniques(A=sp.csc_matrix(other.A), labour=np.nan_to_num(other.labour), has=has,
                      label=label, resources=resources,
                      rule=f"the columns of {other.source} (the same sectors), as a second "
                           "technique of each sector with output there")


def techniques_by_rule(economy: Economy, count: int = 1, *, seed: int = 0
                       ) -> list[Techniques]:
    """``count`` alternatives per sector by the rule of `kantorovich.economy.generate`:
    alternative ``k`` scales labour by ``f`` and every material by ``1 / f``,
    ``f = exp(s r)``, ``r`` uniform in [0.1, 0.5] per sector, ``s`` +1 for the 1st, 3rd,
    ... alternative (more labour, fewer materials) and -1 for the 2nd, 4th, ... ."""
    rng = np.random.default_rng(seed)
    labour = economy.labour if economy.labour is not None else \
        economy.with_labour("va").labour
    assert labour is not None
    out = []
    A = sp.csc_matrix(economy.A)
    for k in range(count):
        r = rng.uniform(0.1, 0.5, economy.n)
        f = np.exp(r if k % 2 == 0 else -r)
        out.append(Techniques(
            A=sp.csc_matrix(A @ sp.diags(1.0 / f)), labour=np.nan_to_num(labour) * f,
            has=economy.x > 0, label=f"t{k + 2}",
            resources={name: np.nan_to_num(economy.resource(name))
                       for name in economy.resources},
            rule=f"labour x f and materials x 1/f, f = exp({'+' if k % 2 == 0 else '-'}r), "
                 f"r uniform in [0.1, 0.5] per sector (seed {seed})"))
    return out


def _capital(economy: Economy) -> np.ndarray:
    """Capital per unit of output: value added less compensation, per unit of output."""
    for column in ("compensation", "va"):
        if column not in economy.va:
            raise PlanError([Problem(
                "capital as a second resource is the table's value added less compensation "
                f"of employees, and this table has no {column} column",
                file=economy.files.get("va", "va.csv"), path=column,
                hint=f"add a {column} column to va.csv, or use a resource of the table "
                     "(--resources)")])
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = economy.va["va"].to_numpy(float) - economy.va["compensation"].to_numpy(float)
        return np.where(economy.x > 0, np.maximum(gap, 0.0) / economy.x, 0.0)


def _columns(process: np.ndarray, A: sp.csc_matrix, sectors: np.ndarray, ids: np.ndarray
             ) -> pd.DataFrame:
    """Flow rows of the columns ``sectors`` of ``A`` for the processes ``process``: inputs
    (a negative coefficient an output) and one unit of the sector's own product."""
    sub = sp.csc_matrix(A[:, sectors])
    coo = sub.tocoo()
    row, col, val = coo.row, coo.col, coo.data
    off = (row != sectors[col]) & (val != 0)
    diag = np.zeros(len(sectors))
    own = (row == sectors[col])
    diag[col[own]] = val[own]
    return pd.concat([
        pd.DataFrame({"process": process[col[off]], "good": ids[row[off]],
                      "input": np.maximum(val[off], 0.0),
                      "output": np.maximum(-val[off], 0.0)}),
        pd.DataFrame({"process": process, "good": ids[sectors],
                      "input": np.maximum(diag, 0.0),
                      "output": 1.0 + np.maximum(-diag, 0.0)})], ignore_index=True)


def choice_plan(economy: Economy, alternatives: list[Techniques], *,
                capital_share: float | None = None, capacity: float | None = None,
                resources: dict[str, float | None] | None = None,
                imports: ImportRule = "supply", labour_amount: float | None = None,
                seed: int = 0) -> tuple[Plan, RayInputs, dict[str, Any]]:
    """The plan ray with alternative techniques, capital and capacities (see the module
    docstring). Returns the plan, the ray's inputs, and what was added (``capital``:
    coefficients per process and the supply, ``rules``: in words)."""
    problems = []
    if capital_share is not None and not (np.isfinite(capital_share) and capital_share > 0):
        problems.append(Problem(f"capital share {capital_share:g} must be positive",
                                hint="give the share of the table's capital use, e.g. 0.9"))
    if capacity is not None and not (np.isfinite(capacity) and capacity >= 0):
        problems.append(Problem(f"capacity {capacity:g} must be 0 or more",
                                hint="give a share of the table's gross output, e.g. 0.8"))
    if problems:
        raise PlanError(problems)
    base, inputs = ray_plan(economy, resources=resources, imports=imports,
                            labour_amount=labour_amount)
    ids = np.array([product_id(i) for i in economy.ids], dtype=object)
    made = inputs.made
    goods = base.goods.reset_index().rename(columns={"good": "id"})
    processes = base.processes.reset_index().rename(columns={"process": "id"})
    flows = [base.flows]
    names = economy.sectors["name"].astype(str).to_numpy()
    labour_factor = inputs.unit / inputs.scale[LABOUR]
    rules = []
    extra_process = []
    added: dict[str, Any] = {"processes": {}}
    capital_base = _capital(economy) if capital_share is not None else None
    rng = np.random.default_rng(seed + 1)
    capital_rows: list[tuple[np.ndarray, np.ndarray]] = []
    if capital_base is not None:
        capital_rows.append((ids[made].astype(object), capital_base[made]))
    for tech in alternatives:
        sectors = np.flatnonzero(tech.has & (economy.x > 0))
        process = np.char.add(ids[sectors].astype(str), f".{tech.label}").astype(object)
        extra_process.append(pd.DataFrame({"id": process, "name": np.char.add(
            names[sectors].astype(str), f" ({tech.label})")}))
        flows.append(_columns(process, tech.A, sectors, ids))
        uses = tech.labour[sectors] > 0
        flows.append(pd.DataFrame({"process": process[uses], "good": LABOUR,
                                   "input": tech.labour[sectors][uses] * labour_factor,
                                   "output": 0.0}))
        for name in inputs.resources:
            coef = tech.resources.get(name, np.zeros(economy.n))[sectors]
            flows.append(pd.DataFrame({"process": process[coef > 0], "good": name,
                                       "input": coef[coef > 0] * inputs.unit
                                       / inputs.scale[name], "output": 0.0}))
        if capital_base is not None:
            drawn = capital_base[sectors] * np.exp(rng.uniform(-0.4, 0.4, len(sectors)))
            capital_rows.append((process, drawn if tech.capital is None
                                 else np.asarray(tech.capital, float)[sectors]))
        rules.append(f"{tech.label}: {tech.rule}")
        added["processes"][tech.label] = len(sectors)
    processes = pd.concat([processes, *extra_process], ignore_index=True)
    if capacity is not None:
        # never on a sector's every technique: only where an alternative stays free
        alt = np.zeros(economy.n, bool)
        for tech in alternatives:
            alt |= tech.has
        cap = np.full(len(processes), np.inf)
        cap[:len(made)] = np.where(alt[made], capacity * economy.x[made] / inputs.unit,
                                   np.inf)
        processes["capacity"] = cap
        rules.append(f"capacities: the table's own technique of each sector with an "
                     f"alternative runs at most {capacity:g} x its gross output in the table")
    supply_extra = {}
    if capital_base is not None and capital_share is not None:
        amount = capital_share * float(capital_base @ economy.x)
        scale = _decade(amount / np.sqrt(max(len(made), 1)))
        inputs.scale[CAPITAL] = scale
        for process, coef in capital_rows:
            keep = coef > 0
            flows.append(pd.DataFrame({"process": process[keep], "good": CAPITAL,
                                       "input": coef[keep] * inputs.unit / scale,
                                       "output": 0.0}))
        unit = economy.unit or "money"
        goods = pd.concat([goods, pd.DataFrame({
            "id": [CAPITAL], "name": ["capital (value added less compensation)"],
            "unit": [f"{scale:g} {unit}" if scale != 1 else unit],
            "supply": [amount / scale]})], ignore_index=True)
        supply_extra[CAPITAL] = amount
        rules.append(f"capital: value added less compensation per unit of output (x exp(u), u "
                     f"uniform in [-0.4, 0.4], for each alternative technique); supply "
                     f"{capital_share:g} x the table's use, {amount:,.6g}")
    added["capital_supply"] = supply_extra.get(CAPITAL)
    added["rules"] = rules
    goods = goods.drop(columns=[c for c in ("demand",) if c in goods])
    plan = Plan.from_frames(goods=goods, processes=processes,
                            flows=pd.concat(flows, ignore_index=True),
                            objective=base.objective, name=f"plan ray with a choice of "
                            f"technique, {economy.source}", period="year")
    return plan, inputs, added


@dataclass(frozen=True)
class ChoiceRay:
    """The solved plan ray with a choice of technique, its prices taken apart.

    Attributes
    ----------
    result : PlanResult
    sets : float
    valuations : DataFrame
        Per sector (index ``id``): ``code``, ``name``, ``labour_value`` (the table's),
        ``technique`` (the one run most), ``labour_value_chosen``, ``capital_part``,
        ``rent`` (the rest of the price: capacity rents, +, and inputs made beyond need
        and priced 0, -), ``shadow_price`` (labour units), ``ratio`` (price over the
        table's labour value), ``output``.
    resources : DataFrame
        Per resource: ``available``, ``used``, ``shadow_price`` (per unit, in labour
        units: labour's is 1), ``binding``.
    capacities_binding : list of str
        Processes at their capacity.
    rules : list of str
        Where the techniques, capital and capacities come from.
    """

    result: PlanResult
    sets: float
    valuations: pd.DataFrame
    resources: pd.DataFrame
    capacities_binding: list[str]
    rules: list[str]
    notes: tuple[str, ...] = ()
    basis: str = "compensation"

    @property
    def value_word(self) -> str:
        """What the table's ``l (I - A)^-1`` is called: "labour value", or "value-added
        content" where labour is measured by value added (then not labour at all)."""
        return "value-added content" if self.basis == "va" else "labour value"

    @property
    def verified(self) -> bool:
        return self.result.is_optimal and self.result.certificate.verified

    @property
    def binding(self) -> list[str]:
        return [str(k) for k in self.resources.index[self.resources["binding"]]]

    def paragraph(self, listed: int = 3) -> str:
        """Where and why the prices part from labour values, in words."""
        return explain_choice(self, listed=listed)


def _content(A: sp.csc_matrix, coef: np.ndarray, on: np.ndarray) -> np.ndarray:
    """``coef (I - A)^-1`` over the sectors ``on`` (others NaN), by the one Leontief
    solver (`kantorovich.lp.leontief`), factorised."""
    from kantorovich.lp.leontief import LeontiefSystem

    out = np.full(len(coef), np.nan)
    system = LeontiefSystem(sp.csc_matrix(A[on][:, on]), method="splu")
    out[on] = system.solve(np.asarray(coef[on], float), transposed=True)
    return out


def plan_choice(economy: Economy, alternatives: list[Techniques], *,
                capital_share: float | None = None, capacity: float | None = None,
                resources: dict[str, float | None] | None = None,
                imports: ImportRule = "supply", labour_amount: float | None = None,
                seed: int = 0, time_limit: float | None = None) -> ChoiceRay:
    """Solve `choice_plan` and take its prices apart (see the module docstring).

    Examples
    --------
    Miller & Blair's two sectors with a second technique for sector 2 that uses no
    sector-1 input but twice the labour: the LP keeps the table's techniques, and prices
    are the table's labour values.

    >>> e = Economy.from_arrays([[150, 500], [200, 100]], [350, 1700],
    ...                         compensation=[650, 1400])
    >>> alt = Techniques(A=sp.csc_matrix(np.array([[0, 0.0], [0, 0.05]])),
    ...                  labour=np.array([0.0, 1.4]), has=np.array([False, True]),
    ...                  label="t2", rule="by hand")
    >>> ray = plan_choice(e, [alt])
    >>> ray.valuations["technique"].tolist(), ray.valuations["ratio"].round(9).tolist()
    (['table', 'table'], [1.0, 1.0])
    """
    from kantorovich.economy.leontief import labour_values

    plan, inputs, added = choice_plan(economy, alternatives, capital_share=capital_share,
                                      capacity=capacity, resources=resources,
                                      imports=imports, labour_amount=labour_amount,
                                      seed=seed)
    result = solve(plan, time_limit=time_limit)
    if economy.labour is None:
        economy = economy.with_labour("va")
    v, _ = labour_values(economy)
    if not result.is_optimal:
        return ChoiceRay(result=result, sets=float("nan"), valuations=pd.DataFrame(),
                         resources=pd.DataFrame(), capacities_binding=[],
                         rules=added["rules"], notes=inputs.notes)
    ids = np.array([product_id(i) for i in economy.ids], dtype=object)
    names = [LABOUR, *inputs.resources] + ([CAPITAL] if added["capital_supply"] else [])
    factor = np.array([inputs.scale[k] for k in names])
    available = np.array([inputs.labour_amount, *[a for _, a in inputs.resources.values()]]
                         + ([added["capital_supply"]] if added["capital_supply"] else []))
    goods = result.goods
    used = -goods["net_output"].reindex(names).to_numpy(float) * factor
    rprice = result.shadow_prices.reindex(names).to_numpy(float)
    worth = (result.shadow_prices.reindex(list(ids)).to_numpy(float)
             + result.assortment_prices.reindex(list(ids)).fillna(0.0).to_numpy(float))
    top = max(float(np.max(np.abs(rprice))), float(np.nanmax(np.abs(worth))), 1e-300)
    binding = (rprice > 1e-7 * top) | (available - used <= 1e-7 * np.maximum(available, 1))
    w = rprice[0] / factor[0]                          # labour's price per table unit
    per_unit = rprice / factor
    if w <= 1e-7 * top / factor[0]:
        raise PlanError([Problem(
            "labour is not scarce in this plan (its price is 0), so prices cannot be put "
            "in labour units and compared with labour values",
            hint="give less capital (a smaller --capital share) or more labour")])
    p = worth / inputs.unit / w
    # the technique each sector runs most, and its columns
    levels = result.levels
    owner = pd.Series(levels.index.astype(str), index=levels.index)
    sector_of = owner.str.split(".").str[0]
    label = owner.str.split(".").str[1].fillna("table")
    frame = pd.DataFrame({"sector": sector_of.to_numpy(), "label": label.to_numpy(),
                          "level": levels.to_numpy(float)})
    best = frame.loc[frame.groupby("sector")["level"].idxmax()]
    chosen = pd.Series(best["label"].to_numpy(), index=best["sector"].to_numpy())
    choice = chosen.reindex(list(ids)).fillna("table").to_numpy(object)
    output = (frame.groupby("sector")["level"].sum().reindex(list(ids)).fillna(0.0)
              .to_numpy(float) * inputs.unit)
    A_t = sp.csc_matrix(economy.A)
    assert economy.labour is not None          # given above when the table has none
    l_c = np.nan_to_num(economy.labour).copy()
    keep = (choice == "table").astype(float)
    A_c = A_t @ sp.diags(keep)
    for tech in alternatives:                          # per alternative, not per sector
        mask = (choice == tech.label).astype(float)
        A_c = A_c + sp.csc_matrix(tech.A) @ sp.diags(mask)
        l_c = np.where(mask > 0, tech.labour, l_c)
    A_c = sp.csc_matrix(A_c)
    on = np.flatnonzero(economy.x > 0)
    v_c = _content(A_c, l_c, on)
    capital_part = np.zeros(economy.n)
    if added["capital_supply"]:
        k = plan.flows.loc[plan.flows["good"] == CAPITAL].set_index("process")["input"]
        k_proc = k.to_dict()
        process_of = np.where(choice == "table", ids,
                              np.char.add(np.char.add(ids.astype(str), "."),
                                          choice.astype(str)).astype(object))
        k_c = pd.Series(process_of).map(k_proc).fillna(0.0).to_numpy(float) \
            * inputs.scale[CAPITAL] / inputs.unit
        capital_part = per_unit[-1] / w * np.nan_to_num(_content(A_c, k_c, on))
    vv = v.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(vv > 0, p / vv, np.nan)
    valuations = pd.DataFrame({
        "code": economy.sectors["code"].to_numpy(), "name": economy.sectors["name"].to_numpy(),
        "labour_value": vv, "technique": choice, "labour_value_chosen": v_c,
        "capital_part": capital_part, "rent": p - v_c - capital_part, "shadow_price": p,
        "ratio": ratio, "output": output}, index=economy.ids)
    table = pd.DataFrame({"available": available, "used": used,
                          "shadow_price": per_unit / w, "binding": binding},
                         index=pd.Index(names, name="resource"))
    caps = plan.processes["capacity"].reindex(levels.index).to_numpy(float)
    at_cap = np.isfinite(caps) & (levels.to_numpy(float) >= caps * (1 - 1e-7)) & (caps > 0)
    return ChoiceRay(result=result, sets=float(result.objective), valuations=valuations,
                     resources=table, capacities_binding=[str(k) for k in levels.index[at_cap]],
                     rules=added["rules"], notes=inputs.notes,
                     basis=economy.labour_source or "va")


def explain_choice(ray: ChoiceRay, *, listed: int = 3) -> str:
    """Where and why the prices of a plan with a choice of technique part from the table's
    labour values."""
    if not ray.result.is_optimal:
        return (f"The plan has no proven optimum ({ray.result.status.value}), so its "
                "prices are not compared with labour values.")
    f = ray.valuations
    word = ray.value_word
    # the basis is value added where the table has no compensation: never called labour
    scarce = "value added" if ray.basis == "va" else "labour"
    ratio = f["ratio"].to_numpy(float)
    finite = np.isfinite(ratio)
    switched = f.index[f["technique"].to_numpy() != "table"]
    others = [b for b in ray.binding if b != LABOUR]
    text = [f"The plan makes {ray.sets:.6g} complete baskets."]
    if len(switched):
        text.append(f"{len(switched)} sector(s) run an alternative technique, which "
                    f"changes their {word}s (and those of their buyers) from the "
                    "table's.")
    else:
        text.append("Every sector keeps the table's own technique.")
    if others:
        for name in others:
            r = ray.resources.loc[name]
            text.append(f"{name} is scarce: it is used up ({r['used']:,.6g} of "
                        f"{r['available']:,.6g}) and priced at {r['shadow_price']:.6g} "
                        f"{scarce} units per unit, so products that embody much of it are "
                        f"dearer than their {word}.")
    if ray.capacities_binding:
        text.append(f"{len(ray.capacities_binding)} technique(s) run at capacity: their "
                    "products carry a rent above what labour and the resources cost.")
    spread = float(np.nanmax(np.abs(ratio[finite] - 1))) if finite.any() else 0.0
    if not others and not ray.capacities_binding and not len(switched):
        text.append(f"{scarce.capitalize()} is the only scarce resource and nothing else "
                    "binds: by the "
                    f"non-substitution theorem prices equal {word}s "
                    f"(largest departure {spread:.2g}).")
    elif not others and not ray.capacities_binding:
        text.append(f"{scarce.capitalize()} is the only scarce resource and no capacity "
                    "binds: by the "
                    f"non-substitution theorem prices are the {word}s of the "
                    f"techniques chosen, the cheapest in {scarce}; they part from the table's "
                    f"{word}s only through the change of technique.")
    if spread > _PART and finite.any():
        order = [k for k in np.argsort(-np.abs(np.where(finite, ratio - 1, 0.0)))
                 if finite[k] and abs(ratio[k] - 1) > _PART][:listed]
        parts = []
        for k in order:
            row = f.iloc[k]
            if abs(row["shadow_price"]) <= 1e-9 * max(abs(row["labour_value"]), 1e-300):
                parts.append(f"{row['name']} (price 0: more is made or imported than the "
                             f"basket needs, against {word} {row['labour_value']:.4g})")
                continue
            why = []
            tech = row["labour_value_chosen"] - row["labour_value"]
            if abs(tech) > _PART * row["labour_value"]:
                why.append(f"technique {tech:+.3g}")
            if abs(row["capital_part"]) > _PART * row["labour_value"]:
                why.append(f"capital {row['capital_part']:+.3g}")
            if row["rent"] > _PART * row["labour_value"]:
                why.append(f"rent {row['rent']:+.3g}")
            elif row["rent"] < -_PART * row["labour_value"]:
                why.append(f"inputs in surplus, priced 0, {row['rent']:+.3g}")
            parts.append(f"{row['name']} (price {row['shadow_price']:.4g} against {word} "
                         f"{row['labour_value']:.4g}: {', '.join(why) or 'rounding'})")
        text.append("Largest departures: " + "; ".join(parts) + ".")
    return " ".join(text)
