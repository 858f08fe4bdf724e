"""pymrio, the field's library for multi-regional input-output tables, both ways.

* `kantorovich.economy.table.from_pymrio` (exported as ``kantorovich.economy.from_pymrio``)
  turns a pymrio ``IOSystem`` into an `Economy`, with `extension_rows` from here: Z and Y as they are, x
  from ``io.x`` or ``Z 1 + Y 1``; labour from the extension row that holds compensation
  of employees, else value added (``labour_source = "va"``, named as such); every other
  extension row (emissions, land, ...) becomes a resource, named ``extension: row``.
* `to_pymrio` turns an `Economy` into an ``IOSystem`` with extensions
  ``factor_inputs`` (va.csv's columns) and ``resources``; y becomes one final-demand
  column per region, each sector's demand in its own region's column (the uniform format
  does not say who buys, and every Leontief quantity needs only the row sums).
* `load_pymrio_folder` reads a folder written by pymrio's ``save_all`` (it holds
  ``file_parameters.json`` with ``"systemtype": "IOSystem"``): the loader of every
  ``economy`` command accepts such a folder as a TABLE.

pymrio is optional (the ``test`` extra); without it a pymrio folder is refused with the
fix named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kantorovich.errors import PlanError, Problem

if TYPE_CHECKING:
    from kantorovich.economy.table import Economy

__all__ = ["extension_rows", "is_pymrio_folder", "load_pymrio_folder", "to_pymrio"]

#: extension rows read as compensation of employees (case-insensitive, whole label)
COMPENSATION = ("compensation of employees", "compensation", "wages", "labour compensation")
#: extension rows read as value added
VALUE_ADDED = ("value added", "value_added", "va", "gross value added")


def _label(row: Any) -> str:
    return " ".join(map(str, row)) if isinstance(row, tuple) else str(row)


def extension_rows(io: Any) -> tuple[np.ndarray | None, np.ndarray | None,
                                      dict[str, np.ndarray], dict[str, str], str]:
    """What a pymrio system's extensions hold, per sector in the order of ``io.Z``:
    compensation of employees, value added, every other row as a resource (named
    ``extension: row``) with its unit, and the unit of money (``io.unit``)."""
    index = io.Z.index
    totals: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    compensation = value_added = None
    for name in io.get_extensions():
        extension = getattr(io, name)
        F = getattr(extension, "F", None)
        if F is None:
            continue
        F = F.reindex(columns=index).fillna(0.0)
        unit_table = getattr(extension, "unit", None)
        for row, values in zip(F.index, F.to_numpy(float), strict=True):
            label = _label(row).strip()
            if label.lower() in COMPENSATION and compensation is None:
                compensation = values
            elif label.lower() in VALUE_ADDED and value_added is None:
                value_added = values
            else:
                key = f"{name}: {label}"
                totals[key] = values
                if unit_table is not None and row in unit_table.index:
                    units[key] = str(unit_table.loc[row].iloc[0])
    unit = ""
    table_unit = getattr(io, "unit", None)
    if isinstance(table_unit, pd.DataFrame) and len(table_unit):
        unit = str(table_unit.iloc[0, 0])
    return compensation, value_added, totals, units, unit


def to_pymrio(table: Economy) -> Any:
    """A pymrio ``IOSystem`` of a table: Z, Y (one column per region), x, unit, and the
    extensions ``factor_inputs`` (va.csv's columns, in money), ``labour`` (hours or
    persons from a labour file, in their unit) and ``resources``."""
    import pymrio

    region = table.sectors["region"].replace("", "all").astype(str)
    index = pd.MultiIndex.from_arrays([region, table.sectors["code"].astype(str)],
                                      names=["region", "sector"])
    regions = list(dict.fromkeys(region))
    columns = pd.MultiIndex.from_product([regions, ["final demand"]],
                                         names=["region", "category"])
    Y = np.zeros((table.n, len(regions)))
    Y[np.arange(table.n), pd.Index(regions).get_indexer(pd.Index(region))] = table.y
    Z = pd.DataFrame(table.Z.toarray(), index=index, columns=index)
    unit = pd.DataFrame({"unit": table.unit or "money"}, index=index)
    io = pymrio.IOSystem(Z=Z, Y=pd.DataFrame(Y, index=index, columns=columns),
                         x=pd.DataFrame({"indout": table.x}, index=index), unit=unit,
                         name=str(table.source))
    names = {"va": "Value Added", "compensation": "Compensation of employees"}
    timed = [c for c in ("hours", "persons") if c in table.va.columns]
    money = table.va.drop(columns=timed)
    if len(money.columns):
        F = pd.DataFrame(money.to_numpy(float).T, columns=index,
                         index=pd.Index([names.get(c, c) for c in money.columns],
                                        name="inputtype"))
        io.factor_inputs = pymrio.Extension(
            name="factor_inputs", F=F,
            unit=pd.DataFrame({"unit": table.unit or "money"}, index=F.index))
    if timed:      # labour in time (a labour file) is no money: its own extension
        F = pd.DataFrame(table.va[timed].to_numpy(float).T, columns=index,
                         index=pd.Index(timed, name="labour"))
        io.labour = pymrio.Extension(name="labour", F=F,
                                     unit=pd.DataFrame({"unit": timed}, index=F.index))
    if table.resources:
        F = pd.DataFrame(np.vstack(list(table.resources.values())), columns=index,
                         index=pd.Index(list(table.resources), name="stressor"))
        io.resources = pymrio.Extension(
            name="resources", F=F,
            unit=pd.DataFrame({"unit": [table.resource_units.get(k, "")
                                        for k in table.resources]}, index=F.index))
    return io


def is_pymrio_folder(folder: Path) -> bool:
    """Whether ``folder`` was written by pymrio's ``save_all`` (an ``IOSystem``)."""
    parameters = folder / "file_parameters.json"
    if not parameters.is_file():
        return False
    try:
        return json.loads(parameters.read_text()).get("systemtype") == "IOSystem"
    except (OSError, ValueError, AttributeError):
        return False


def load_pymrio_folder(folder: Path) -> Any:
    """The pymrio ``IOSystem`` of a ``save_all`` folder, extensions included; problems
    name the folder and the fix."""
    try:
        import pymrio
    except ImportError:
        raise PlanError([Problem("this is a pymrio folder, and pymrio is not installed",
                                 file=str(folder),
                                 hint="pip install pymrio (or kantorovich[test])")]) from None
    try:
        io = pymrio.load_all(folder)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PlanError([Problem(f"pymrio cannot read it: {exc}", file=str(folder),
                                 hint="write it again with pymrio's save_all")]) from None
    if getattr(io, "Z", None) is None or getattr(io, "Y", None) is None:
        raise PlanError([Problem("the pymrio system has no Z or no Y", file=str(folder),
                                 hint="save the flows and final demand (io.calc_all() "
                                      "before save_all computes Z from A where needed)")])
    return io
