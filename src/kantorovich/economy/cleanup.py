"""Clean-up applied to a table, never only suggested: sectors excluded, negatives cleaned.

Without either, ``A = Z / x`` as read, and every output says so. With them:

* ``exclude_sectors(economy, codes)``: the sectors with those codes (a multi-regional
  table's industry code, its ``sector`` column, names that industry in every region)
  are removed with their rows and columns; what they sold to the
  others no longer counts as an input, what they bought is gone. The others keep their
  ids of ``sectors.csv``, so every result stays keyed as before.
* ``clean_negatives(economy, "zero")``: negative intermediate flows become 0 (gross
  output and final demand stay as published); ``"joint"``: they are kept as joint
  outputs of the buying sector, which is what a negative coefficient of A means to the
  Leontief inverse and to the plan (A is unchanged, and said).
"""

from __future__ import annotations

import difflib
from typing import Literal

import numpy as np
import scipy.sparse as sp

from kantorovich.economy.table import Economy, _replace
from kantorovich.errors import PlanError, Problem

__all__ = ["AS_READ", "NegativeRule", "apply_cleanup", "clean_negatives",
           "exclude_sectors", "parse_clean", "parse_exclude"]

NegativeRule = Literal["zero", "joint"]

#: the statement made when nothing was cleaned
AS_READ = "A = Z / x as read (no sector excluded, negative flows kept as published)"


def parse_clean(text: str | None) -> NegativeRule | None:
    """``negatives=zero|joint`` (the ``--clean`` option) as a rule; raises `PlanError`."""
    if text is None:
        return None
    key, _, value = text.partition("=")
    if key.strip() != "negatives" or value.strip() not in ("zero", "joint"):
        raise PlanError([Problem(f"--clean {text!r} is not a clean-up rule", path="--clean",
                                 hint="use --clean negatives=zero (negative flows set to "
                                      "0) or --clean negatives=joint (kept as joint "
                                      "outputs)")])
    return "zero" if value.strip() == "zero" else "joint"


def parse_exclude(text: str | list[str] | None) -> list[str]:
    """Codes of ``--exclude CODE,...`` (repeatable), in order, without repeats."""
    items = [text] if isinstance(text, str) else list(text or [])
    codes = [c.strip() for item in items for c in item.split(",") if c.strip()]
    return list(dict.fromkeys(codes))


def exclude_sectors(economy: Economy, codes: list[str]) -> Economy:
    """The economy without the sectors whose ``code`` is one of ``codes``.

    Raises
    ------
    PlanError
        An unknown code (with the nearest codes and names as did-you-mean), or every
        sector excluded.

    Examples
    --------
    >>> e = Economy.from_arrays([[1, 2, 0], [3, 4, 1], [0, 1, 2]], [5, 6, 7])
    >>> d = exclude_sectors(e, ["s1"])
    >>> list(d.ids), d.Z.toarray().tolist(), d.applied
    ([0, 2], [[1.0, 0.0], [0.0, 2.0]], ('excluded 1 sector(s): sector 1 (id 1, code s1)',))
    """
    if not codes:
        return economy
    code = economy.sectors["code"].astype(str).to_numpy()
    # a multi-regional table's industry code (WIOD's c35 in every region) counts too
    industry = (economy.sectors["sector"].astype(str).to_numpy()
                if "sector" in economy.sectors.columns else code)
    problems = []
    known = set(code) | set(industry)
    for c in codes:
        if c in known:
            continue
        near = difflib.get_close_matches(c, sorted(known), n=3, cutoff=0.5)
        by_name = [f"{code[j]} ({economy.sectors['name'].iloc[j]})"
                   for j in np.flatnonzero(economy.sectors["name"].astype(str).str.lower()
                                           .str.contains(c.lower(), regex=False))[:3]]
        guess = near or by_name
        problems.append(Problem(
            f"--exclude {c!r} is not a sector code of the table", path="--exclude",
            file=economy.files.get("sectors", economy.source),
            hint=(f"did you mean {', '.join(dict.fromkeys(guess))}?" if guess else
                  "use the code column of sectors.csv (economy inspect lists them)")))
    if problems:
        raise PlanError(problems)
    drop = np.isin(code, codes) | np.isin(industry, codes)
    keep = np.flatnonzero(~drop)
    if not keep.size:
        raise PlanError([Problem("--exclude removes every sector of the table",
                                 path="--exclude", hint="exclude fewer sectors")])
    gone = np.flatnonzero(drop)
    named = "; ".join(economy.describe(int(j)) for j in gone[:5]) + (
        f"; and {gone.size - 5} more" if gone.size > 5 else "")
    Z = sp.csr_matrix(economy.Z)[keep][:, keep].tocsr()
    return _replace(
        economy, sectors=economy.sectors.iloc[keep], Z=Z, y=economy.y[keep],
        x=economy.x[keep], va=economy.va.iloc[keep],
        resources={k: v[keep] for k, v in economy.resources.items()},
        applied=(*economy.applied, f"excluded {gone.size} sector(s): {named}"))


def clean_negatives(economy: Economy, rule: NegativeRule | None) -> Economy:
    """Negative intermediate flows set to 0 (``"zero"``) or kept as joint outputs of the
    buying sector (``"joint"``, A unchanged); said in ``economy.applied``.

    >>> e = Economy.from_arrays([[1, -2], [3, 4]], [5, 6])
    >>> clean_negatives(e, "zero").Z.toarray().tolist()
    [[1.0, 0.0], [3.0, 4.0]]
    """
    if rule is None:
        return economy
    Z = sp.csr_matrix(economy.Z, copy=True)
    negative = int((Z.data < 0).sum())
    if rule == "joint":
        return _replace(economy, applied=(
            *economy.applied, f"{negative} negative flow(s) kept as joint outputs of the "
                              "buying sector (A unchanged: that is what a negative "
                              "coefficient means)"))
    Z.data[Z.data < 0] = 0.0
    Z.eliminate_zeros()
    return _replace(economy, Z=Z, applied=(
        *economy.applied, f"{negative} negative flow(s) set to 0 (gross output and final "
                          "demand as published)"))


def apply_cleanup(economy: Economy, *, clean: NegativeRule | None = None,
                  exclude: list[str] | None = None) -> Economy:
    """`exclude_sectors`, then `clean_negatives`: the order every economy command uses."""
    return clean_negatives(exclude_sectors(economy, list(exclude or [])), clean)
