"""A TABLE as every economy command reads it: labour, imports and clean-up, stated.

`TableOptions` holds the shared options (``--labour``, ``--imports``, ``--clean``,
``--exclude``); `prepare_economy` reads the table and applies them in one order (labour
on the table as published, so a labour file keys by the ids of ``sectors.csv``; then
the excluded sectors; then negative flows); `treatment` says what was done, in the keys
every JSON output carries (``labour_basis``, ``labour_unit``, ``imports``, ``clean``,
``exclude``, ``applied``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kantorovich.economy.cleanup import (AS_READ, NegativeRule, apply_cleanup,
                                         parse_clean, parse_exclude)
from kantorovich.economy.imports import ImportRule, imports_sentence, parse_imports
from kantorovich.economy.table import Economy, load_economy
from kantorovich.errors import PlanError, Problem

__all__ = ["LABOUR_WORDS", "TableOptions", "prepare_economy", "treatment",
           "value_added_identity"]

#: the words --labour takes besides a file
LABOUR_WORDS = ("compensation", "va")


@dataclass(frozen=True)
class TableOptions:
    """The shared table options of the economy commands.

    Attributes
    ----------
    labour : str or None
        ``"compensation"``, ``"va"`` or a labour file (`kantorovich.economy.labour`);
        None: the table's compensation where it has one.
    imports : {"fixed", "drop", "resource"}
        See `kantorovich.economy.imports`.
    clean : {"zero", "joint"} or None
        What negative flows become; None keeps them as published.
    exclude : tuple of str
        Sector codes removed from the table.
    """

    labour: str | None = None
    imports: ImportRule = "fixed"
    clean: NegativeRule | None = None
    exclude: tuple[str, ...] = ()

    @classmethod
    def parse(cls, labour: str | None = None, imports: str | None = None,
              clean: str | None = None, exclude: str | list[str] | None = None
              ) -> TableOptions:
        """The options from the words given on the command line; every bad word is a
        `PlanError` naming the option and the words it takes."""
        problems: list[Problem] = []
        rule: ImportRule = "fixed"
        negatives: NegativeRule | None = None
        try:
            rule = parse_imports(imports)
        except PlanError as exc:
            problems += exc.problems
        try:
            negatives = parse_clean(clean)
        except PlanError as exc:
            problems += exc.problems
        if labour is not None and labour not in LABOUR_WORDS and not Path(labour).exists():
            problems.append(Problem(
                f"--labour {labour!r} is neither a labour proxy nor a file", path="--labour",
                hint="use compensation, va (value added), or a CSV/Parquet file with "
                     "columns id and hours (or persons)"))
        if problems:
            raise PlanError(problems)
        return cls(labour, rule, negatives, tuple(parse_exclude(exclude)))


def prepare_economy(table: str | Path, options: TableOptions | None = None) -> Economy:
    """Read ``table`` and apply ``options`` (see the module docstring)."""
    options = options or TableOptions()
    word = options.labour if options.labour in LABOUR_WORDS else None
    economy = load_economy(table, labour=None if word is None else
                           ("va" if word == "va" else "compensation"))
    if options.labour is not None and word is None:
        from kantorovich.economy.labour import with_labour_file

        economy = with_labour_file(economy, options.labour)
    return apply_cleanup(economy, clean=options.clean, exclude=list(options.exclude))


def treatment(economy: Economy, options: TableOptions | None = None) -> dict[str, Any]:
    """What the accounts of ``economy`` rest on, as JSON keys: the labour basis and unit
    (``"value_added"`` figures are ``"value-added content"``, not labour values), the
    imports rule, the clean-up applied (or that A is Z / x as read)."""
    options = options or TableOptions()
    return {
        "labour_basis": economy.labour_basis, "labour_unit": economy.labour_unit,
        "labour_note": economy.labour_note or None, "content": economy.content_name,
        "imports": options.imports, "imports_rule": imports_sentence(options.imports),
        "clean": None if options.clean is None else f"negatives={options.clean}",
        "exclude": list(options.exclude),
        "applied": list(economy.applied) or [AS_READ]}


def value_added_identity(economy: Economy, content: Any) -> str | None:
    """Where the basis is value added, what its figures are by construction: a column of
    the table is ``x_j = Σ_i Z_ij + va_j + closing items + residual``, so the content per
    unit is ``1 - (closing items + residual) (I - A)^-1``: every figure 1 where value
    added closes the table (WIOD), a little below 1 where closing items such as net
    product taxes are left out of it (OECD's Japan). None for any other basis."""
    import numpy as np

    if economy.labour_source != "va":
        return None
    values = np.asarray(content, float)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return None
    low, high = float(finite.min()), float(finite.max())
    if max(abs(low - 1), abs(high - 1)) <= 1e-6:
        return ("every figure is 1.000000 by construction: value added closes each column "
                "(x = 1'Z + va), so va/x (I - A)^-1 = 1; they say nothing about labour")
    from kantorovich.economy.table import CLOSING_ITEMS

    items = [c for c in CLOSING_ITEMS if c in economy.va.columns]
    left = (f"the closing items left out of value added ({', '.join(items)})" if items
            else "the table's column residuals")
    if any(step.startswith("excluded") for step in economy.applied):
        left += " and of the inputs bought from the excluded sectors"
    return (f"figures from {low:.6g} to {high:.6g}, by construction 1 minus the content of "
            f"{left}: x = 1'Z + va + closing items, so they say nothing about labour")
