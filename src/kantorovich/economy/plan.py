"""The plan ray of an input-output economy, solved as an ordinary plan.

Kantorovich's assortment problem on a real table: the most complete final-demand baskets
the economy can make with the labour and resources at hand,

.. math::

    \\max s \\quad\\text{s.t.}\\quad (I - A) x \\ge s\\, y^+ - m,\\qquad l x \\le L,
    \\qquad r_k x \\le R_k,\\qquad x \\ge 0,

where ``y+ = max(y, 0)`` is the table's final demand without its negative entries,
``L`` the table's total labour (compensation of employees, in the table's money unit;
value added where the table has no compensation, and then said), and ``R_k`` further
resources (given, or the table's own totals).

**Negative final demand** (net imports, or stock draw-downs) is handled in one of three
stated ways (``imports=``, see `kantorovich.economy.imports`):

* ``"fixed"`` (default; ``"supply"`` is the same): ``m = max(-y, 0)`` is a fixed
  supply of those products, as the table records them arriving from abroad; it does
  not grow with the basket. The table's own output ``x`` then delivers exactly one basket (``(I - A) x = y = y+ - m``), so a
  balanced table gives ``s = 1`` up to its rounding: with labour the only resource, the
  labour values ``v = l (I - A)^-1`` give ``s = (L + v m) / (v y+) = 1``.
* ``"drop"``: ``m = 0``; those products must be made at home, so ``s`` falls below 1 by the
  labour the imports embodied, ``s = L / (v y+)``.
* ``"resource"``: imports are bought with foreign exchange, a primary resource
  ``imports`` whose amount is what the table's exports paid for (its net imports,
  ``Σ m``): any product the table imports can be imported, one unit of foreign exchange
  a unit (the planner's foreign-trade constraint), by an import process ``m<id>``. Its
  shadow price is the labour a unit of foreign exchange is worth to the plan.

The plan is built with `Plan.from_frames` (goods: one product per sector, ``labour`` and
each resource; processes: one per sector with a positive gross output, making one unit
of its product from the column of A, its labour and its resources; objective
``maximize_sets`` with the basket ``y+``) and solved by `kantorovich.solve`, so the
certificate and every analysis of a result apply to it.

**Valuations.** The value of one more unit of a product is its good row's shadow price
plus, for a basket product, its assortment row's price (the row ``net output >= count x
sets``). Normalised by the shadow price of labour they are in labour units (hours where
labour is counted in hours, money of compensation here) and comparable with the labour
values ``v = l + vA`` (`kantorovich.economy.leontief`). By the non-substitution theorem
they coincide when labour is the only scarce resource and every product is made. With
one technique per product the resource that runs out first along the ray is the only one
that binds (unless two run out together): when that is not labour, labour is left over,
its price is 0, and prices are proportional to the products' vertically integrated
content of the binding resource; they are then normalised to give the basket the same
total value as labour values do (numeraire ``"basket"``), and said. A product that is
made beyond need (surplus) is priced 0.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.economy.leontief import labour_values
from kantorovich.economy.table import Economy
from kantorovich.errors import PlanError, Problem
from kantorovich.model.plan import Plan
from kantorovich.results.result import PlanResult, solve

__all__ = ["ImportRule", "PlanRay", "RayInputs", "explain_difference", "plan_ray",
           "ray_inputs", "ray_plan"]

log = logging.getLogger(__name__)

ImportRule = Literal["fixed", "supply", "drop", "resource"]
#: the resource foreign exchange is, under imports="resource"
IMPORTS = "imports"

LABOUR = "labour"
#: a constraint binds when its price exceeds this share of the largest price, or its
#: slack is within this share of its amount
_TIGHT = 1e-7
#: prices agree with labour values when no ratio departs from 1 by more than this
_AGREE = 1e-6


def product_id(sector: Any) -> str:
    """The plan's good id of a sector's product: ``"s<id>"``."""
    return f"s{sector}"


def import_id(sector: Any) -> str:
    """The plan's process id that imports a sector's product: ``"m<id>"``."""
    return f"m{sector}"


@dataclass(frozen=True)
class RayInputs:
    """The numbers of a plan ray before it becomes a plan: what each part means."""

    basket: np.ndarray          # y+ per sector
    imports: np.ndarray         # fixed supply m per sector (0 with imports="drop")
    labour: np.ndarray          # labour coefficient per sector
    labour_amount: float        # L
    resources: dict[str, tuple[np.ndarray, float]]  # name -> (coefficients, amount)
    made: np.ndarray            # positions of sectors with a process (x > 0)
    notes: tuple[str, ...]      # what was decided, in words
    scale: dict[str, float] = field(default_factory=dict)  # plan unit per table unit
    importable: np.ndarray | None = None  # products bought abroad (imports="resource")

    @property
    def unit(self) -> float:
        """How many table money units one plan unit of a product is."""
        return self.scale.get("products", 1.0)


def _primary_columns(economy: Economy) -> list[str]:
    """The columns of the table's primary inputs (``va.csv``) a plan may take as a
    resource: all but the one that is labour."""
    return [str(c) for c in economy.va.columns if c != economy.labour_source]


def _resource_totals(economy: Economy, name: str) -> np.ndarray | None:
    """Resource ``name``'s total per sector: from ``resources.csv``, else the column of
    ``va.csv`` of that name (taxes, gross operating surplus, ...); None if neither."""
    if name in economy.resources:
        return np.asarray(economy.resources[name], dtype=float)
    if name in _primary_columns(economy):
        return np.nan_to_num(economy.va[name].to_numpy(float))
    return None


def ray_inputs(economy: Economy, *, resources: dict[str, float | None] | None = None,
               imports: ImportRule = "fixed",
               labour_amount: float | None = None) -> RayInputs:
    """The basket, imports, coefficients and amounts of the plan ray (see `ray_plan`),
    with the decisions taken about the table, in words. Raises `PlanError` listing every
    bad input."""
    problems: list[Problem] = []
    notes: list[str] = []
    if imports not in ("fixed", "supply", "drop", "resource"):
        problems.append(Problem(f"imports={imports!r} is not a rule for negative final "
                                "demand", hint="use fixed (supply), drop or resource"))
    if economy.labour is None:
        economy = economy.with_labour("va")
    if economy.labour_source == "va":
        notes.append("the table has no compensation of employees: labour is measured by "
                     "value added (all primary inputs: wages, profits, taxes)")
    x = economy.x
    made = np.flatnonzero(x > 0)
    y = economy.y.astype(float)
    unmade = np.flatnonzero((x <= 0) & (y != 0))
    if unmade.size:
        notes.append(f"{unmade.size} sector(s) with no gross output but a final demand "
                     "are left out of the basket (no technique is observed)")
    y = np.where(x > 0, y, 0.0)
    basket = np.maximum(y, 0.0)
    negative = np.maximum(-y, 0.0)
    if np.count_nonzero(negative):
        if imports in ("fixed", "supply"):
            notes.append(f"{np.count_nonzero(negative)} sector(s) with negative final "
                         "demand (net imports): that amount is a fixed supply, not scaled "
                         "with the basket")
        elif imports == "resource":
            notes.append(f"{np.count_nonzero(negative)} sector(s) with negative final "
                         "demand (net imports): imports are bought with foreign exchange, "
                         f"a resource of {negative.sum():,.6g} (what the table's exports "
                         "paid for), any of those products up to it")
        else:
            notes.append(f"{np.count_nonzero(negative)} sector(s) with negative final "
                         "demand (net imports): dropped, so those products are made at "
                         "home")
    m = negative if imports in ("fixed", "supply") else np.zeros_like(negative)
    coefficients = economy.labour
    assert coefficients is not None    # given above when the table has none
    labour = np.nan_to_num(coefficients)
    total_labour = float(economy.va[economy.labour_source].sum())
    L = total_labour if labour_amount is None else float(labour_amount)
    if not np.isfinite(L) or L <= 0:
        given = labour_amount is not None
        problems.append(Problem(
            f"labour available {L:g} must be positive"
            + ("" if given else f" (the table's total {economy.labour_source})"),
            file=None if given else economy.files.get("labour", economy.files.get("va")),
            path="" if given else str(economy.labour_source),
            hint="give a positive amount" if given else
                 "give the sectors' labour (a labour file with positive hours or persons, "
                 "or a table with compensation)"))
    if not basket.any():
        problems.append(Problem("the table has no positive final demand: no basket",
                                file=economy.files.get("y")))
    found: dict[str, tuple[np.ndarray, float]] = {}
    for name, amount in (resources or {}).items():
        if name == LABOUR or name.startswith("s") and name[1:].isdigit():
            problems.append(Problem(f"resource name {name!r} is taken by a good of the "
                                    "plan", hint="choose another name"))
            continue
        totals = _resource_totals(economy, name)
        if totals is None:
            have = ", ".join([*sorted(economy.resources), *_primary_columns(economy)])
            problems.append(Problem(
                f"the table has no resource {name!r} (it has {have or 'none'})",
                file=economy.files.get("resources", "resources.csv"),
                hint="name a resource of resources.csv or a column of va.csv"))
            continue
        if (totals < 0).any():
            where = ", ".join(economy.describe(int(j)) for j in np.flatnonzero(totals < 0)[:3])
            problems.append(Problem(
                f"resource {name!r} is negative for {int((totals < 0).sum())} sector(s) "
                f"({where}): a resource is used up, never made",
                file=(economy.files.get("resources", "resources.csv")
                      if name in economy.resources else economy.files.get("va")),
                hint="name a resource that no sector has below 0"))
            continue
        value = float(np.sum(totals)) if amount is None else float(amount)
        if not np.isfinite(value) or value < 0:
            problems.append(Problem(f"resource {name!r}: amount {value:g} must be >= 0"))
            continue
        found[name] = (np.nan_to_num(totals * economy.inverse_output), value)
    importable = None
    if imports == "resource" and negative.any():
        if IMPORTS in found:
            problems.append(Problem(f"resource name {IMPORTS!r} is taken by foreign "
                                    "exchange under imports=resource",
                                    hint="rename the table's resource"))
        importable = np.flatnonzero(negative)
        found[IMPORTS] = (np.zeros(economy.n), float(negative.sum()))
    if problems:
        raise PlanError(problems)
    n = max(len(made), 1)
    scale = {"products": _decade(float(basket.sum()) / np.sqrt(n)),
             LABOUR: _decade(L / np.sqrt(n))}
    scale.update({k: _decade(a / np.sqrt(n)) for k, (_, a) in found.items()})
    return RayInputs(basket=basket, imports=m, labour=labour, labour_amount=L,
                     resources=found, made=made, notes=tuple(notes), scale=scale,
                     importable=importable)


def _decade(value: float) -> float:
    """The power of ten nearest ``value`` (1 for 0 or a non-finite value)."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    return float(10.0 ** np.round(np.log10(value)))


def _flows(economy: Economy, inputs: RayInputs) -> pd.DataFrame:
    """Flow rows of the sectors' processes, built from A's triplets at once."""
    ids = np.array([product_id(i) for i in economy.ids], dtype=object)
    A = sp.coo_matrix(economy.A)
    keep = np.isin(A.col, inputs.made) & (A.data != 0)
    row, col, val = A.row[keep], A.col[keep], A.data[keep]
    off = row != col
    diag = np.zeros(economy.n)
    diag[row[~off]] = val[~off]
    # a negative coefficient (BEA has a few) is an output of the buying sector
    parts = [pd.DataFrame({"process": ids[col[off]], "good": ids[row[off]],
                           "input": np.maximum(val[off], 0.0),
                           "output": np.maximum(-val[off], 0.0)})]
    j = inputs.made
    parts.append(pd.DataFrame({"process": ids[j], "good": ids[j],
                               "input": np.maximum(diag[j], 0.0),
                               "output": 1.0 + np.maximum(-diag[j], 0.0)}))
    for good, coef in [(LABOUR, inputs.labour)] + [
            (k, c) for k, (c, _) in inputs.resources.items()]:
        use = j[coef[j] > 0]
        factor = inputs.unit / inputs.scale[good]
        parts.append(pd.DataFrame({"process": ids[use], "good": good,
                                   "input": coef[use] * factor, "output": 0.0}))
    if inputs.importable is not None:
        k = inputs.importable
        bought = np.array([import_id(i) for i in economy.ids[k]], dtype=object)
        parts.append(pd.DataFrame({"process": bought, "good": IMPORTS,
                                   "input": inputs.unit / inputs.scale[IMPORTS],
                                   "output": 0.0}))
        parts.append(pd.DataFrame({"process": bought, "good": ids[k], "input": 0.0,
                                   "output": 1.0}))
    return pd.concat(parts, ignore_index=True)


def ray_plan(economy: Economy, *, resources: dict[str, float | None] | None = None,
             imports: ImportRule = "fixed", labour_amount: float | None = None,
             name: str | None = None) -> tuple[Plan, RayInputs]:
    """The plan-ray problem of ``economy`` as an ordinary `Plan`, and its parts.

    Parameters
    ----------
    economy : Economy
        The table.
    resources : dict of str to float or None, optional
        Further resources of the table (``economy.resources``) and the amount available;
        None takes the table's own total use.
    imports : {"fixed", "supply", "drop", "resource"}
        What negative final demand means: a fixed supply (default; ``"supply"`` is the
        same), nothing, or products bought with foreign exchange.
    labour_amount : float, optional
        Labour available; the table's total (compensation, or value added) by default.
    name : str, optional
        The plan's name.

    Returns
    -------
    plan : Plan
    inputs : RayInputs
        Basket, imports, coefficients and amounts, and the decisions taken, in words.
    """
    inputs = ray_inputs(economy, resources=resources, imports=imports,
                        labour_amount=labour_amount)
    sectors = economy.sectors
    ids = [product_id(i) for i in economy.ids]
    unit = economy.unit or "money"

    def scaled(name: str, base: str) -> str:
        factor = inputs.scale[name]
        return base if factor == 1 else f"{factor:g} {base}".strip()

    goods = pd.DataFrame({"id": ids, "unit": scaled("products", unit),
                          "name": sectors["name"].astype(str)})
    extra = [(LABOUR, scaled(LABOUR, unit), "labour")] + [
        (k, scaled(k, economy.resource_units.get(k, "")), k) for k in inputs.resources]
    goods = pd.concat([goods, pd.DataFrame(extra, columns=["id", "unit", "name"])],
                      ignore_index=True)
    made = inputs.made
    processes = pd.DataFrame({"id": [ids[j] for j in made], "unit": "",
                              "name": sectors["name"].astype(str).to_numpy()[made]})
    if inputs.importable is not None:
        k = inputs.importable
        processes = pd.concat([processes, pd.DataFrame({
            "id": [import_id(i) for i in economy.ids[k]], "unit": "",
            "name": "import of " + sectors["name"].astype(str).iloc[k]})],
            ignore_index=True)
    sc = inputs.scale
    supply = {LABOUR: inputs.labour_amount / sc[LABOUR],
              **{k: a / sc[k] for k, (_, a) in inputs.resources.items()}}
    supply.update({ids[j]: float(inputs.imports[j]) / inputs.unit
                   for j in np.flatnonzero(inputs.imports)})
    basket = {ids[j]: float(inputs.basket[j]) / inputs.unit
              for j in np.flatnonzero(inputs.basket)}
    plan = Plan.from_frames(
        goods=goods, processes=processes, flows=_flows(economy, inputs),
        supply=pd.Series(supply, dtype=float), objective={"maximize_sets": basket,
                                                          "unit": "basket"},
        name=name or f"plan ray of {economy.source}", period="year")
    return plan, inputs


@dataclass(frozen=True)
class PlanRay:
    """The solved plan ray: sets, valuations against labour values, and the result.

    Attributes
    ----------
    result : PlanResult
        The solve, with its certificate.
    sets : float
        Number of complete baskets (``s``); NaN without an optimum.
    valuations : DataFrame
        Per sector (index ``id``): ``code``, ``name``, ``basket`` (``y+``, table units),
        ``labour_value``,
        ``shadow_price`` (normalised, see ``numeraire``), ``ratio`` (price over labour
        value), ``output`` (planned gross output), ``surplus`` (net output beyond need).
    resources : DataFrame
        Per resource (``labour`` first): ``available``, ``used``, ``shadow_price`` (sets
        per unit) and ``binding``.
    numeraire : {"labour", "basket"}
        ``"labour"``: prices per unit of labour's price; ``"basket"``: labour is not
        scarce (price 0), so prices give the basket the value labour values give it.
    imports : str
        The rule used for negative final demand: ``"fixed"``, ``"drop"`` or
        ``"resource"``.
    notes : tuple of str
        What was decided about the table, in words.
    method : dict
        How each part was computed (``solve``, ``labour_values``).
    labour_bound : float
        Baskets labour alone allows, ``(L + v m) / (v y+)`` by the labour values: the
        optimum when labour is the only scarce resource (non-substitution).
    table_sets : float
        Baskets the table's own gross output delivers with its imports,
        ``min ((I - A) x + max(-y, 0)) / y+``: 1 for a table that balances, off by its
        row residuals.
    content : str
        What ``labour_value`` is: ``"labour values"``, or ``"value-added content"`` where
        the table is planned by value added (the paragraph then says so throughout).
    """

    result: PlanResult
    sets: float
    valuations: pd.DataFrame
    resources: pd.DataFrame
    numeraire: str
    imports: str
    notes: tuple[str, ...]
    method: dict[str, str] = field(default_factory=dict)
    labour_bound: float = float("nan")
    table_sets: float = float("nan")
    content: str = "labour values"

    @property
    def binding(self) -> list[str]:
        """The resources (labour included) whose constraint binds, by name."""
        return [str(k) for k in self.resources.index[self.resources["binding"]]]

    @property
    def verified(self) -> bool:
        """True when the optimum is proven by the independent certificate."""
        return self.result.is_optimal and self.result.certificate.verified

    def paragraph(self) -> str:
        """Where and why the valuations differ from labour values, in words."""
        return explain_difference(self)

    def __repr__(self) -> str:
        state = "verified optimum" if self.verified else self.result.status.value
        return (f"<PlanRay {self.result.plan.name!r}: {self.sets:.6g} sets, "
                f"binding {', '.join(self.binding) or 'none'}, {state}>")


def plan_ray(economy: Economy, *, resources: dict[str, float | None] | None = None,
             imports: ImportRule = "fixed", labour_amount: float | None = None,
             time_limit: float | None = None) -> PlanRay:
    """Solve the plan ray of ``economy`` and compare its valuations with labour values.

    Parameters are those of `ray_plan`; ``time_limit`` bounds the solve (seconds).

    Examples
    --------
    Miller & Blair (2009), Table 2.3: the table's own output makes one basket, and with
    labour the only resource the prices are the labour values (1 and 1 here, since the
    book's payments sector is all value added).

    >>> e = Economy.from_arrays([[150, 500], [200, 100]], [350, 1700],
    ...                         compensation=[650, 1400])
    >>> ray = plan_ray(e)
    >>> round(ray.sets, 9), ray.binding, ray.verified
    (1.0, ['labour'], True)
    >>> ray.valuations["ratio"].round(9).tolist()
    [1.0, 1.0]
    """
    imports = "fixed" if imports == "supply" else imports
    plan, inputs = ray_plan(economy, resources=resources, imports=imports,
                            labour_amount=labour_amount)
    result = solve(plan, time_limit=time_limit)
    if economy.labour is None:
        economy = economy.with_labour("va")
    v, how = labour_values(economy)
    method = {"solve": str(result.options.get("method", "HiGHS via kantorovich.solve")),
              "labour_values": how}
    if not result.is_optimal:
        empty = pd.DataFrame(index=economy.ids)
        return PlanRay(result=result, sets=float("nan"), valuations=empty,
                       resources=pd.DataFrame(), numeraire="labour", imports=imports,
                       notes=inputs.notes, method=method, content=economy.content_name)
    ids = [product_id(i) for i in economy.ids]
    goods = result.goods
    price = result.shadow_prices.reindex(ids).to_numpy(float)
    assortment = result.assortment_prices.reindex(ids).fillna(0.0).to_numpy(float)
    worth = price + assortment          # per plan unit of product
    names = [LABOUR, *inputs.resources]
    factor = np.array([inputs.scale[k] for k in names])
    available = np.array([inputs.labour_amount] +
                         [a for _, a in inputs.resources.values()], dtype=float)
    used = -goods["net_output"].reindex(names).to_numpy(float) * factor
    rprice = result.shadow_prices.reindex(names).to_numpy(float)
    top = max(float(np.max(np.abs(rprice))), float(np.max(np.abs(worth))), 1e-300)
    binding = (rprice > _TIGHT * top) | (available - used <= _TIGHT * np.maximum(available, 1))
    table = pd.DataFrame({"available": available, "used": used,
                          "shadow_price": rprice / factor, "binding": binding},
                         index=pd.Index(names, name="resource"))
    labour_scarce = rprice[0] > _TIGHT * top
    # per table unit from here on
    worth = worth / inputs.unit
    labour_price = rprice[0] / factor[0]
    vv = v.to_numpy(float)
    if labour_scarce:
        numeraire, scale = "labour", labour_price
    else:
        # labour is left over: value the basket as labour values do
        basket = inputs.basket
        denominator = float(worth @ basket)
        numeraire = "basket"
        scale = denominator / float(np.nansum(vv * basket)) if denominator > 0 else 1.0
    p = worth / scale
    made = economy.x > 0
    p = np.where(made, p, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(vv > 0, p / vv, np.nan)
    levels = np.zeros(economy.n)
    levels[inputs.made] = result.levels.reindex(
        [ids[j] for j in inputs.made]).to_numpy(float) * inputs.unit
    net = goods["net_output"].reindex(ids).to_numpy(float) * inputs.unit
    need = float(result.objective) * inputs.basket - inputs.imports
    valuations = pd.DataFrame({
        "code": economy.sectors["code"].to_numpy(), "name": economy.sectors["name"].to_numpy(),
        "basket": inputs.basket, "labour_value": vv, "shadow_price": p, "ratio": ratio,
        "output": levels, "surplus": net - need}, index=economy.ids)
    pos = inputs.basket > 0
    own = economy.x - economy.A @ economy.x + np.maximum(-economy.y, 0.0)
    vy = float(np.nansum(vv * inputs.basket))
    bound = (inputs.labour_amount + float(np.nansum(vv * inputs.imports))) / vy
    return PlanRay(result=result, sets=float(result.objective), valuations=valuations,
                   resources=table, numeraire=numeraire, imports=imports,
                   notes=inputs.notes, method=method, labour_bound=bound,
                   content=economy.content_name,
                   table_sets=float(np.min(own[pos] / inputs.basket[pos])))


def explain_difference(ray: PlanRay, *, listed: int = 3) -> str:
    """A paragraph on where and why the plan's valuations differ from labour values.

    It names the binding resources, says whether non-substitution applies, and lists
    the products whose price departs most from their labour value, with the reason
    (a scarce resource they embody, or a surplus priced 0).
    """
    if not ray.result.is_optimal:
        return _in_basis(f"The plan ray has no proven optimum ({ray.result.status.value}), "
                         "so its valuations are not compared with labour values.",
                         ray.content)
    frame = ray.valuations
    ratio = frame["ratio"].to_numpy(float)
    finite = np.isfinite(ratio)
    spread = float(np.nanmax(np.abs(ratio[finite] - 1))) if finite.any() else 0.0
    others = [b for b in ray.binding if b != LABOUR]
    zero = frame.index[finite & (ratio <= 1e-9)]
    rule = {"drop": "net imports dropped, so made at home",
            "resource": "imports bought with foreign exchange, what the exports paid for"
            }.get(ray.imports, "net imports counted as a fixed supply")
    text = [f"The economy makes {ray.sets:.6g} complete final-demand baskets ({rule}); "
            f"labour alone would allow (L + v m) / (v y+) = {ray.labour_bound:.6g}, and "
            f"the table's own gross output, with its imports, delivers {ray.table_sets:.6g} "
            "of the basket in its worst-balanced product (1 for a table that balances "
            "exactly; the rest is its rounding)."]
    labour = frame["labour_value"].to_numpy(float)
    unpaid = int((np.isfinite(labour) & (labour <= 0)).sum())
    if ray.numeraire == "labour" and not others and spread <= _AGREE:
        text.append(
            "Labour is the only scarce resource and every product is made, so by the "
            "non-substitution theorem the shadow prices, in units of labour, are the "
            f"labour values v = l + vA: the largest departure is {spread:.2g} (relative), "
            f"within the {_AGREE:g} that the solver's tolerance and the table's rounding "
            "explain.")
    elif ray.numeraire == "labour" and not others:
        reason = (f" {unpaid} product(s) have a labour value of 0 or less (zero or "
                  "negative labour in the table; see the findings), where the theorem's "
                  "premise, labour in every technique, fails and a price, never below 0, "
                  "cannot follow." if unpaid else
                  " The solver's tolerance and the table's rounding do not explain it.")
        text.append(
            "Labour is the only scarce resource, so by the non-substitution theorem the "
            "shadow prices, in units of labour, would be the labour values v = l + vA; "
            f"here they are not: the largest departure is {spread:.2g} (relative)."
            + reason)
    elif ray.numeraire == "labour":
        rest = [k for k in others if k != IMPORTS]
        if rest:
            text.append(
                f"Besides labour, {', '.join(rest)} bind{'s' if len(rest) == 1 else ''}: "
                "each product's price is its labour value plus the value of the scarce "
                "resources it embodies, directly and through its inputs, so products rich "
                f"in {', '.join(rest)} are dearer than their labour value.")
        if IMPORTS in others:
            text.append(
                "Foreign exchange binds: imports are bought with what the exports paid "
                "for, so a product bought abroad at the margin is priced at the foreign "
                "exchange it costs, below its labour value where importing it saves "
                "labour, and the products made with it are cheaper too (the labour bound "
                "above counts no imports).")
    else:
        text.append(
            f"Labour is not scarce here: {', '.join(others) or 'another resource'} runs "
            "out first along the plan ray, so labour's shadow price is 0 and each "
            "product's price is proportional to its vertically integrated content of "
            f"{', '.join(others) or 'that resource'}; prices are scaled to give the basket "
            "the total value labour values give it. Products using the scarce resource "
            "intensively, relative to their labour, have ratios above 1; the others "
            "below.")
    if len(zero):
        text.append(f"{len(zero)} product(s) are made beyond what the basket needs "
                    "(surplus), so their price is 0 whatever their labour value.")
    if spread > _AGREE and finite.any():
        order = [k for k in np.argsort(-np.abs(np.where(finite, ratio - 1, 0.0)))
                 if finite[k]][:listed]
        parts = [f"{frame['name'].iloc[k]} (ratio {ratio[k]:.3g})" for k in order]
        text.append("Largest departures: " + "; ".join(parts) + ".")
    return _in_basis(" ".join(text), ray.content)


def _in_basis(text: str, content: str) -> str:
    """The paragraph in the words of its basis: where the table is planned by value
    added, its figures are value-added content and its resource value added, never
    labour values or labour."""
    if content != "value-added content":
        return text
    text = re.sub(r"\b([Ll])abour values?\b",
                  lambda m: ("V" if m.group(1) == "L" else "v") + "alue-added content", text)
    return re.sub(r"\b([Ll])abour\b",
                  lambda m: ("V" if m.group(1) == "L" else "v") + "alue added", text)
