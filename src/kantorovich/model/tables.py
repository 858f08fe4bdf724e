"""The long tables a plan is made of, and the vectorised helpers every layer shares.

Kept apart from `model.plan` so that the checks which guard a plan's construction can use
them without importing the plan class they guard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from kantorovich.model.statements import Objective, Policy

__all__ = ["PlanTables", "codes_in", "empty_flows", "normalise_flows"]


class PlanTables(NamedTuple):
    """The tables of a plan before it is one: what the checks read.

    A loader checks these (with the lines it still knows) before it builds the `Plan`,
    so a file's problems are reported where they are written, not where the plan class
    would meet them.
    """

    goods: pd.DataFrame
    units: pd.DataFrame
    processes: pd.DataFrame
    flows: pd.DataFrame
    objective: Objective
    policies: tuple[Policy, ...]
    baseline: pd.Series | None
    source: str | None = None


def empty_flows() -> pd.DataFrame:
    """A flows table with no rows and the column types a filled one has."""
    return pd.DataFrame({"process": pd.Series([], dtype=object),
                         "good": pd.Series([], dtype=object),
                         "input": pd.Series([], dtype=float),
                         "output": pd.Series([], dtype=float)})


def normalise_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """One row per (process, good), amounts summed, zero rows dropped."""
    p_codes, _ = pd.factorize(flows["process"])
    g_codes, g_uniques = pd.factorize(flows["good"])
    pairs = p_codes.astype(np.int64) * max(len(g_uniques), 1) + g_codes
    if pd.Series(pairs).duplicated().any():
        flows = flows.groupby(["process", "good"], sort=False, as_index=False)[
            ["input", "output"]].sum()
    keep = (flows["input"].to_numpy() != 0) | (flows["output"].to_numpy() != 0)
    return flows.loc[keep].reset_index(drop=True)


def codes_in(values: pd.Series | pd.Index, index: pd.Index) -> np.ndarray:
    """Position of each value in ``index`` (-1 where absent), hashing each distinct value
    once: ids repeat across flows, and hashing strings is the cost that matters."""
    if not isinstance(values, (pd.Series, pd.Index)):
        values = pd.Series(np.asarray(values, dtype=object))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    positions = np.append(index.get_indexer(uniques), -1)
    return positions[np.where(codes >= 0, codes, len(positions) - 1)]
