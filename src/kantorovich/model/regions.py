"""Goods declared once for several regions or units: ``wheat@North``, ``land@farm-a``.

A good declared with ``regions: [North, South]`` stands for one good per place, with ids
``wheat@North`` and ``wheat@South``; everything else (flows, rules, the objective, the
tables) names those ids as ordinary ones, and transport between places is an ordinary
process. A place is a region some unit is in, or a unit itself (land at a farm). Supply
and demand of such a good may be given per place: ``supply: {land: {North: 100}}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from kantorovich.errors import Problem
from kantorovich.model.checks import did_you_mean

__all__ = ["PLACE_SEPARATOR", "expand_amounts", "goods_table", "place_id"]

PLACE_SEPARATOR = "@"


def place_id(good: str, place: str) -> str:
    """The id of ``good`` at ``place``."""
    return f"{good}{PLACE_SEPARATOR}{place}"


def goods_table(spec_goods: Mapping[str, Any], places: pd.Index, file: str | None,
                locate: Callable[[tuple[Any, ...]], int | None],
                problems: list[Problem]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The goods of a plan file's ``goods`` mapping, each regional good once per place,
    and the places of each regional good. An unknown place is a located problem."""
    ids, names, units = [], [], []
    regional: dict[str, list[str]] = {}
    for good, spec in spec_goods.items():
        name = spec.name or good
        if spec.regions is None:
            ids.append(good)
            names.append(name)
            units.append(spec.unit)
            continue
        regional[good] = []
        for i, place in enumerate(spec.regions):
            if place not in places:
                path = ("goods", good, "regions", i)
                problems.append(Problem(
                    f"unknown region '{place}'", ".".join(map(str, path)), file, locate(path),
                    did_you_mean(place, places)
                    or "a good's regions are regions of its units, or unit ids"))
                continue
            regional[good].append(place)
            ids.append(place_id(good, place))
            names.append(f"{name} ({place})")
            units.append(spec.unit)
    table = pd.DataFrame({"name": names, "unit": units},
                         index=pd.Index(ids, name="good", dtype=object))
    for good in table.index[table.index.duplicated()]:
        problems.append(Problem(f"good '{good}' is declared twice", f"goods.{good}", file,
                                locate(("goods", good)),
                                "declare it once: by its own id or through regions"))
    return table[~table.index.duplicated()], regional


def expand_amounts(given: Mapping[str, Any], regional: Mapping[str, list[str]], key: str,
                   file: str | None, locate: Callable[[tuple[Any, ...]], int | None],
                   problems: list[Problem]) -> dict[str, float]:
    """Supplies or demands with the per-place ones (``{land: {North: 100}}``) under the
    ids of their places (``land@North``)."""
    amounts: dict[str, float] = {}
    for good, amount in given.items():
        if not isinstance(amount, Mapping):
            amounts[good] = amount
            continue
        places = regional.get(good)
        if places is None:
            problems.append(Problem(
                f"'{good}' is not declared per region, so it takes one {key}",
                f"{key}.{good}", file, locate((key, good)),
                f"write {key}: {{{good}: 100}}, or declare it with regions: [...]"))
            continue
        for place, value in amount.items():
            if place not in places:
                problems.append(Problem(
                    f"unknown region '{place}' for '{good}'", f"{key}.{good}.{place}", file,
                    locate((key, good, place)),
                    did_you_mean(place, places) or f"'{good}' is declared in: "
                    + ", ".join(places)))
                continue
            amounts[place_id(good, place)] = value
    return amounts
