"""What a table's imports are, stated and applied: a fixed supply, dropped, or a resource.

A national table of the competitive-import type records imports as negative final
demand: ``y = final use + exports - imports``, and imported inputs stay inside ``A``
(the domestic-technology assumption: an imported input is valued as if made at home).
The imports ``m`` here are the table's net imports ``max(-y, 0)``, as the plan reads them.
Three rules (``--imports``; ``supply`` is the former word for ``fixed``):

* ``"fixed"`` (default): imports are a fixed supply. Gross output answers the table's
  ``y`` (net of imports), ``(I - A) x = y``; labour values ``v = l (I - A)^-1``.
* ``"drop"``: there are no imports, so what was imported is made at home: gross output
  answers ``y+ = max(y, 0)``; labour values as under ``fixed`` (A already holds the
  imported inputs as domestic ones).
* ``"resource"``: imports are a primary resource, foreign exchange, paid for by exports
  (the planner's foreign-trade constraint). A share ``μ_i = m_i / (x_i + m_i)`` of every
  use of product i is imported (import proportionality), so domestic coefficients are
  ``A_d = diag(1 - μ) A`` and imports per unit of output ``c_j = Σ_i μ_i a_ij``. A unit
  of foreign exchange costs the labour that earns it by exporting, ``λ = v·e / 1·e`` (e
  the table's exports where it has an exports column, else ``y+``), so
  ``v = (l + λ c) (I - A_d)^-1``, solved in closed form:
  ``λ = v_l·e / (1·e - v_c·e)`` with ``v_l = l (I - A_d)^-1``, ``v_c = c (I - A_d)^-1``.
  Gross output answers the domestic part of final use, ``(1 - μ)(y + m)``, which gives the
  table's own ``x`` back. The same values are those of one input matrix,
  ``A* = A_d + ê c`` (``ê = e / 1·e``: each imported input replaced by the exports that
  pay for it), since ``v A* = v A_d + (v·ê) c``; `resource_economy` builds it for the
  commands that need a matrix (value bases, prices of production).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.economy.leontief import Accounts
from kantorovich.economy.table import Economy
from kantorovich.errors import PlanError, Problem

__all__ = ["IMPORT_RULES", "ImportAccounts", "ImportRule", "accounts_under", "import_accounts",
           "imports_sentence", "parse_imports", "resource_economy", "table_exports"]

ImportRule = Literal["fixed", "drop", "resource"]
#: the words --imports takes, and the rule each names
IMPORT_RULES: dict[str, ImportRule] = {"fixed": "fixed", "supply": "fixed",
                                       "drop": "drop", "resource": "resource"}
#: y.csv columns that hold exports (China, OECD, BEA)
EXPORT_COLUMNS = ("exports", "EXPO", "F040")


def parse_imports(word: str | None) -> ImportRule:
    """``fixed`` (default; ``supply`` the same), ``drop`` or ``resource``."""
    if word is None:
        return "fixed"
    if word not in IMPORT_RULES:
        raise PlanError([Problem(f"--imports {word!r} is not a rule for imports",
                                 path="--imports",
                                 hint="use fixed (a fixed supply, the default; supply is "
                                      "the same), drop (made at home) or resource (paid "
                                      "for by exports)")])
    return IMPORT_RULES[word]


def imports_sentence(rule: ImportRule) -> str:
    """The rule in words, for every output."""
    return {
        "fixed": "imports: fixed supply (the table's net imports, its negative final "
                 "demand, are given; imported inputs stay in A, valued as if made at home)",
        "drop": "imports: dropped (what was imported is made at home: final demand y+ = "
                "max(y, 0))",
        "resource": "imports: a primary resource, foreign exchange paid for by exports "
                    "(imported shares taken out of A by import proportionality, priced "
                    "at the labour that earns them by exporting)"}[rule]


def table_exports(economy: Economy) -> tuple[np.ndarray, str]:
    """Exports per sector and where they come from (an exports column, else ``y+``)."""
    for column in EXPORT_COLUMNS:
        path = economy.files.get("y")
        if path and column in _y_columns(path):
            frame = pd.read_csv(path) if path.endswith(".csv") else pd.read_parquet(path)
            values = pd.Series(pd.to_numeric(frame[column], errors="coerce").to_numpy(float),
                               index=pd.to_numeric(frame["id"], errors="coerce"))
            e = values.reindex(economy.ids).fillna(0.0).to_numpy(float)
            return np.maximum(e, 0.0), f"the exports column {column} of {path}"
    return np.maximum(economy.y, 0.0), "positive final demand y+ (no exports column)"


def _y_columns(path: str) -> list[str]:
    if path.endswith(".csv"):
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.readline().strip().split(",")
    import pyarrow.parquet as pq

    return list(pq.read_schema(path).names)


@dataclass(frozen=True)
class ImportAccounts:
    """What a rule makes of a table: the A, labour and demand the accounts use."""

    rule: ImportRule
    A: sp.csc_matrix                  # domestic coefficients where "resource"
    labour_shift: np.ndarray | None   # λ c, added to l (only "resource")
    demand: np.ndarray                # final demand the gross output answers
    imports: np.ndarray               # net imports m per sector
    exchange_price: float | None      # λ: labour per unit of foreign exchange
    exports_source: str | None


def import_accounts(economy: Economy, rule: ImportRule,
                    demand: np.ndarray | None = None) -> ImportAccounts:
    """The A, labour addition and final demand of ``rule`` (see the module docstring).

    ``demand`` (a final demand given by the user) replaces the table's ``y`` under
    ``fixed``; under ``drop`` its positive part is used, under ``resource`` its domestic
    part. Raises `PlanError` when exports cannot pay for the imports they embody.
    """
    y = economy.y.astype(float) if demand is None else np.asarray(demand, float)
    m = np.maximum(-economy.y.astype(float), 0.0)
    if rule == "fixed":
        return ImportAccounts(rule, economy.A, None, y, m, None, None)
    if rule == "drop":
        return ImportAccounts(rule, economy.A, None, np.maximum(y, 0.0), m, None, None)
    from kantorovich.lp.leontief import LeontiefSystem

    mu, Ad, c = _import_shares(economy, m)
    e, source = table_exports(economy)
    system = LeontiefSystem(Ad)
    labour = np.nan_to_num(economy.labour) if economy.labour is not None else np.zeros(
        economy.n)
    t = system.solve(np.column_stack([labour, c]), transposed=True)
    v_l, v_c = t[:, 0], t[:, 1]
    earned = float(e.sum() - v_c @ e)
    if not e.any() or earned <= 0:
        raise PlanError([Problem(
            "exports cannot pay for imports here: the imports embodied in exports are "
            f"at least the exports themselves ({source})", file=economy.files.get("y"),
            hint="use --imports fixed or drop")])
    lam = float(v_l @ e) / earned
    # y + m = max(y, 0) for the table's own demand: final use, exports included
    domestic = (1.0 - mu) * (np.maximum(y, 0.0) if demand is None else y)
    return ImportAccounts(rule, Ad, lam * c, domestic, m, lam, source)


def _import_shares(economy: Economy, m: np.ndarray
                   ) -> tuple[np.ndarray, sp.csc_matrix, np.ndarray]:
    """Import shares ``μ``, domestic coefficients ``A_d`` and imports per unit ``c``."""
    supply = economy.x + m
    mu = np.divide(m, supply, out=np.zeros_like(m), where=supply > 0)
    A = economy.A
    return mu, (sp.diags(1.0 - mu) @ A).tocsc(), np.asarray(A.T @ mu).ravel()


def resource_economy(economy: Economy) -> Economy:
    """The table with imports as foreign exchange paid for by exports, as one input
    matrix: ``Z* = A* diag(x)`` with ``A* = diag(1 - μ) A + ê c`` (see the module
    docstring); said in ``applied``. Its labour values are those of ``import_accounts``
    under ``"resource"``; final demand and gross output stay as published."""
    from kantorovich.economy.table import _replace

    m = np.maximum(-economy.y.astype(float), 0.0)
    mu, Ad, c = _import_shares(economy, m)
    e, source = table_exports(economy)
    if not e.any():
        raise PlanError([Problem("no exports to pay for imports with", file=economy.files.get(
            "y"), hint="use --imports fixed or drop")])
    share = sp.csr_matrix((e / e.sum())[:, None])
    A_star = (Ad + share @ sp.csr_matrix(c[None, :])).tocsr()
    Z = (A_star @ sp.diags(economy.x)).tocsr()
    Z.eliminate_zeros()
    return _replace(economy, Z=Z, applied=(
        *economy.applied, "imports as foreign exchange paid for by exports: imported shares "
                          f"of A replaced by the exports that pay for them ({source})"))


def accounts_under(economy: Economy, rule: ImportRule,
                   demand: pd.Series | np.ndarray | None = None
                   ) -> tuple[Accounts, ImportAccounts]:
    """Gross output, labour values and output multipliers of `kantorovich.economy.leontief`
    under an import rule: the accounts of ``A`` (or ``A_d``), the rule's final demand
    and labour ``l`` (plus ``λ c`` under ``resource``)."""
    from kantorovich.economy.leontief import _demand_vector, accounts
    from kantorovich.lp.leontief import LeontiefSystem

    given = None if demand is None else _demand_vector(economy, demand)
    rules = import_accounts(economy, rule, given)
    if rule != "resource":
        return accounts(economy, rules.demand), rules
    system = LeontiefSystem(rules.A)
    x = system.solve(rules.demand)
    ones = np.ones(economy.n)
    labour = None if economy.labour is None else np.nan_to_num(economy.labour) + (
        rules.labour_shift if rules.labour_shift is not None else 0.0)
    rhs = ones[:, None] if labour is None else np.column_stack([ones, labour])
    t = system.solve(rhs, transposed=True)
    unmade = economy.zero_output

    def undefined(values: np.ndarray) -> np.ndarray:
        out = np.array(values, float)
        out[unmade] = np.nan
        return out

    return Accounts(
        output=economy.labelled(x, "output"),
        labour_values=None if labour is None else economy.labelled(
            undefined(t[:, 1]), "labour_value"),
        output_multipliers=economy.labelled(undefined(t[:, 0]), "output_multiplier"),
        method=system.method, output_residual=system.residual(x, rules.demand),
        labour_residual=None if labour is None else system.residual(
            t[:, 1], labour, transposed=True),
        labour_source=economy.labour_source), rules
