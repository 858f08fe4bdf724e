"""Persons employed in China, matched to the 153 sectors of the NBS input-output table.

The China table (``china_nbs_2020_153``) ships the NBS count of employed persons by
industry (``employment_by_industry_1990_2018.csv``: columns ``Code``, ``Description``,
``DescriptionInChinese`` and one per year, in 10,000 persons) in another classification,
the divisions of GB/T 4754 (``A01`` agriculture ... ``S06``). How persons are matched to
the table's sectors, stated in every output that uses them:

1. **Concordance by name.** Each of the 153 sectors (codes ``001``-``153``) belongs to
   one or more divisions (`CONCORDANCE`, written from the two lists of names: e.g.
   ``012`` grinding of grains to ``C01`` processing of agricultural food; ``011``
   ancillary mining and other ores to ``B06`` and ``B07``; ``153`` public administration
   to ``S01``-``S03``, ``S05``, ``S06``).
2. **Shares by compensation.** A division's persons are shared among its sectors in
   proportion to their compensation of employees (the table's own wage bill), so a
   sector's persons are ``Σ_d persons_d · comp_j / Σ_{k in d} comp_k``.
3. **Year.** The latest year in the file (2018 in the shipped file; the table is 2020).
4. Division ``T`` (international organisations, a few thousand persons) and the
   sections' totals (one letter, ``TOT``) match no sector and are left out.

Persons are converted from the file's 10,000 persons to persons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kantorovich.economy.table import Economy
from kantorovich.errors import PlanError, Problem

__all__ = ["CONCORDANCE", "is_employment_by_industry", "persons_by_sector"]

#: the file's unit: 10,000 persons
FILE_UNIT = 10_000.0


def _span(first: int, last: int, division: str) -> dict[str, tuple[str, ...]]:
    return {f"{k:03d}": (division,) for k in range(first, last + 1)}


#: GB/T 4754 divisions of each sector code of the NBS 153-sector table
CONCORDANCE: dict[str, tuple[str, ...]] = {
    **_span(1, 1, "A01"), **_span(2, 2, "A02"), **_span(3, 3, "A03"), **_span(4, 4, "A04"),
    **_span(5, 5, "A05"), **_span(6, 6, "B01"), **_span(7, 7, "B02"), **_span(8, 8, "B03"),
    **_span(9, 9, "B04"), **_span(10, 10, "B05"), "011": ("B06", "B07"),
    **_span(12, 18, "C01"), **_span(19, 22, "C02"), **_span(23, 25, "C03"),
    **_span(26, 26, "C04"), **_span(27, 31, "C05"), **_span(32, 32, "C06"),
    **_span(33, 34, "C07"), **_span(35, 35, "C08"), **_span(36, 36, "C09"),
    **_span(37, 37, "C10"), **_span(38, 38, "C11"), **_span(39, 40, "C12"),
    **_span(41, 42, "C13"), **_span(43, 49, "C14"), **_span(50, 50, "C15"),
    **_span(51, 51, "C16"), **_span(52, 53, "C17"), **_span(54, 60, "C18"),
    **_span(61, 63, "C19"), **_span(64, 65, "C20"), **_span(66, 66, "C21"),
    **_span(67, 73, "C22"), **_span(74, 78, "C23"), **_span(79, 80, "C24"),
    **_span(81, 83, "C25"), **_span(84, 89, "C26"), **_span(90, 95, "C27"),
    **_span(96, 96, "C28"), **_span(97, 97, "C29"), **_span(98, 98, "C30"),
    **_span(99, 99, "C31"), **_span(100, 100, "D01"), **_span(101, 101, "D02"),
    **_span(102, 102, "D03"), **_span(103, 104, "E01"), **_span(105, 106, "E02"),
    **_span(107, 107, "E03"), **_span(108, 108, "E04"), **_span(109, 109, "F01"),
    **_span(110, 110, "F02"), **_span(111, 112, "G01"), **_span(113, 114, "G02"),
    **_span(115, 116, "G03"), **_span(117, 118, "G04"), **_span(119, 119, "G05"),
    **_span(120, 120, "G06"), **_span(121, 121, "G07"), **_span(122, 122, "G08"),
    **_span(123, 123, "H01"), **_span(124, 124, "H02"), **_span(125, 126, "I01"),
    **_span(127, 127, "I02"), **_span(128, 129, "I03"), "130": ("J01", "J04"),
    **_span(131, 131, "J02"), **_span(132, 132, "J03"), **_span(133, 133, "K"),
    **_span(134, 134, "L01"), **_span(135, 135, "L02"), **_span(136, 136, "M01"),
    **_span(137, 137, "M02"), **_span(138, 138, "M03"), **_span(139, 139, "N01"),
    **_span(140, 140, "N02"), "141": ("N03", "N04"), **_span(142, 142, "O01"),
    "143": ("O02", "O03"), **_span(144, 144, "P"), **_span(145, 145, "Q01"),
    **_span(146, 146, "Q02"), **_span(147, 147, "R01"), **_span(148, 148, "R02"),
    **_span(149, 149, "R03"), **_span(150, 150, "R04"), **_span(151, 151, "R05"),
    **_span(152, 152, "S04"), "153": ("S01", "S02", "S03", "S05", "S06"),
}


def _years(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns if str(c).isdigit() and len(str(c)) == 4]


def is_employment_by_industry(frame: pd.DataFrame) -> bool:
    """True for the NBS employment file's layout: ``Code`` and columns of years."""
    return "Code" in frame.columns and bool(_years(frame))


def persons_by_sector(economy: Economy, frame: pd.DataFrame,
                      file: str) -> tuple[np.ndarray, str]:
    """Persons employed per sector of the NBS 153-sector table (see the module docstring).

    Returns
    -------
    persons : ndarray
        Persons (not 10,000s) per sector, in the economy's order.
    note : str
        How they were matched, in one sentence.
    """
    codes = economy.sectors["code"].astype(str)
    if set(codes) != set(CONCORDANCE):
        raise PlanError([Problem(
            "this is the NBS employment-by-industry file (GB/T 4754 divisions); it is "
            "matched only to the NBS 153-sector table (codes 001-153), and this table's "
            "sector codes differ", file=file, line=1,
            hint="give a file with columns id and persons (or hours), one row per sector "
                 "of this table's sectors.csv")])
    year = max(_years(frame))
    counts = pd.to_numeric(frame[year], errors="coerce")
    division = frame["Code"].astype(str).str.strip()
    persons = pd.Series(counts.to_numpy(float), index=division.to_numpy())
    needed = sorted({d for ds in CONCORDANCE.values() for d in ds})
    missing = [d for d in needed if d not in persons.index or not np.isfinite(persons[d])]
    if missing:
        raise PlanError([Problem(
            f"no number of persons for division(s) {', '.join(missing)} in {year}",
            file=file, path=year, hint="the file must have every GB/T 4754 division of the "
                                       "NBS employment table")])
    negative = [d for d in needed if persons[d] < 0]
    if negative:
        raise PlanError([Problem(f"negative persons for division(s) {', '.join(negative)} "
                                 f"in {year}", file=file, path=year,
                                 hint="persons are at least 0; check the sign")])
    weight = (economy.va["compensation"].to_numpy(float) if "compensation" in economy.va
              else economy.x.astype(float))
    weight = np.maximum(np.nan_to_num(weight), 0.0)
    pairs = [(j, d) for j, code in enumerate(codes) for d in CONCORDANCE[code]]
    sector = np.array([j for j, _ in pairs])
    div = np.array([d for _, d in pairs])
    shares = pd.Series(weight[sector]).groupby(div).transform("sum").to_numpy(float)
    split = np.divide(weight[sector], shares, out=np.zeros(len(pairs)), where=shares > 0)
    amount = persons.reindex(div).to_numpy(float) * split * FILE_UNIT
    out = np.bincount(sector, weights=amount, minlength=economy.n)
    left = [d for d in persons.index if len(d) > 1 and d[1:].isdigit() and d not in needed]
    basis = "compensation" if "compensation" in economy.va else "gross output"
    note = (f"persons employed in {year} (NBS, by GB/T 4754 division, in 10,000 persons) "
            f"matched to the {economy.n} sectors by a concordance of names; a division's "
            f"persons are shared among its sectors in proportion to their {basis}"
            + (f"; division(s) {', '.join(left)} match no sector" if left else "")
            + ("; division T (international organisations) is left out"
               if "T" in persons.index else ""))
    return out, note
