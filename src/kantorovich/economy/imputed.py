"""Sectors that look imputed or fictitious, and why: a producing sector only on paper.

National accounts keep sectors that make nothing anyone buys as a product: customs duties
(a tax on imports, booked as an industry), owner-occupied housing (an imputed rent),
private households with employed persons, statistical discrepancies, scrap and used
goods (resales of goods already counted), and adjustment rows. Leontief accounting
treats them as industries with techniques; an economist decides whether to keep them
(``--exclude CODE,...`` removes them). `suspect_sectors` lists them with the reasons:

* the name matches a known pattern (`PATTERNS`);
* it has output but buys no intermediate inputs (a column of Z that is empty);
* it has output but pays no compensation of employees (where the table has it);
* it makes nothing (zero gross output) although the table lists it.

A sector is listed when its name matches, or when it has output but neither inputs nor
employees; a structural reason alone (say, no inputs) is given only with another.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kantorovich.economy.table import Economy

__all__ = ["PATTERNS", "suspect_sectors"]

#: name patterns (case-insensitive) and what they mean
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"customs dut|import dut", "customs duties: a tax on imports booked as an industry"),
    (r"owner[- ]occupied|imputed rent|^housing$",
     "owner-occupied housing: an imputed rent, with no sale and no employees"),
    (r"private households|households as employers|activities of households",
     "private households with employed persons: domestic staff, no product sold on"),
    (r"statistical discrepanc", "statistical discrepancy: a balancing item"),
    (r"scrap|used and second|second-?hand|used goods",
     "scrap and used goods: resales of goods already counted"),
    (r"noncomparable imports|rest of the world adjustment|inventory valuation adjustment"
     r"|\bdummy\b", "an adjustment row of the accounts, not an industry"),
)


def suspect_sectors(economy: Economy) -> list[dict[str, Any]]:
    """Sectors that look imputed or fictitious, each with ``id``, ``code``, ``name``,
    ``region`` and ``reasons`` (sentences), in the table's order.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"code": ["a", "b"], "name": ["Farms", "Customs duties"],
    ...                   "region": ["", ""]})
    >>> e = Economy.from_arrays([[1, 0], [2, 0]], [5, 3], compensation=[1, 0], sectors=s)
    >>> [(d["code"], len(d["reasons"])) for d in suspect_sectors(e)]
    [('b', 3)]
    """
    names = economy.sectors["name"].astype(str)
    x = economy.x
    inputs = np.asarray(abs(economy.Z).sum(axis=0)).ravel()
    made = x > 0
    no_inputs = made & (inputs == 0)
    has_comp = "compensation" in economy.va.columns
    comp = economy.va["compensation"].to_numpy(float) if has_comp else np.ones(economy.n)
    no_comp = made & ~(comp > 0)
    hits = np.column_stack([names.str.contains(pattern, case=False, regex=True).to_numpy()
                            for pattern, _ in PATTERNS])      # one vectorised pass each
    listed = hits.any(axis=1) | (no_inputs & no_comp & has_comp)
    out: list[dict[str, Any]] = []
    for j in np.flatnonzero(listed):                # the few listed, not every sector
        reasons = [f"name: {why}" for (_, why), hit in zip(PATTERNS, hits[j], strict=True)
                   if hit]
        if no_inputs[j]:
            reasons.append("buys no intermediate inputs (its column of Z is empty)")
        if no_comp[j] and has_comp:
            reasons.append("pays no compensation of employees")
        if not made[j]:
            reasons.append("produces nothing (zero gross output)")
        row = economy.sectors.iloc[j]
        out.append({"id": int(economy.ids[int(j)]), "code": str(row["code"]),
                    "name": str(row["name"]), "region": str(row.get("region", "") or ""),
                    "reasons": reasons})
    return out
