"""Input-output economies: tables, checks and Leontief accounting.

::

    table.py     Economy: sectors, flows Z, final demand y, gross output x, value added,
                 labour and resource coefficients; loaded from a folder (CSV or Parquet),
                 from a pymrio-like object or from arrays
    checks.py    check_economy: balances, negative flows, zero output, productivity
    labour.py    labour in hours or persons from a file (china_employment.py: the NBS
                 employment file matched to the China table's 153 sectors)
    imports.py   imports as a fixed supply, dropped, or foreign exchange paid by exports
    cleanup.py   --exclude and --clean, applied; imputed.py: imputed-looking sectors
    prepare.py   TableOptions and prepare_economy: a TABLE as every command reads it
    leontief.py  LeontiefSystem and accounts: gross output, labour values, multipliers,
                 by sparse LU or fixed-point iteration, never a dense inverse
    bases.py     value bases: each input's vertically integrated content against prices
    production_prices.py  p = (1 + r) p A + w l, R = 1/rho(A) - 1, the standard commodity
    cli.py       ``kantorovich economy values|inspect`` (imports only typer and rich)

Names are imported on first use, so ``kantorovich economy --help`` costs no pandas or scipy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kantorovich._lazy import lazy_names

_HOME = {
    "Economy": "kantorovich.economy.table",
    "load_economy": "kantorovich.economy.table",
    "TableOptions": "kantorovich.economy.prepare",
    "prepare_economy": "kantorovich.economy.prepare",
    "with_labour_file": "kantorovich.economy.labour",
    "exclude_sectors": "kantorovich.economy.cleanup",
    "clean_negatives": "kantorovich.economy.cleanup",
    "accounts_under": "kantorovich.economy.imports",
    "suspect_sectors": "kantorovich.economy.imputed",
    "TableCheck": "kantorovich.economy.checks",
    "Finding": "kantorovich.economy.checks",
    "check_economy": "kantorovich.economy.checks",
    "spectral_radius": "kantorovich.economy.checks",
    "LeontiefSystem": "kantorovich.economy.leontief",
    "Accounts": "kantorovich.economy.leontief",
    "accounts": "kantorovich.economy.leontief",
    "gross_output": "kantorovich.economy.leontief",
    "labour_values": "kantorovich.economy.leontief",
    "multipliers": "kantorovich.economy.leontief",
    "ValueBases": "kantorovich.economy.bases",
    "value_bases": "kantorovich.economy.bases",
    "from_pymrio": "kantorovich.economy.table",
    "to_pymrio": "kantorovich.economy.pymrio_io",
    "ProductionPrices": "kantorovich.economy.production_prices",
    "perron": "kantorovich.economy.production_prices",
    "production_prices": "kantorovich.economy.production_prices",
}

__all__ = sorted(_HOME)

if TYPE_CHECKING:
    from kantorovich.economy.bases import ValueBases, value_bases
    from kantorovich.economy.checks import Finding, TableCheck, check_economy, spectral_radius
    from kantorovich.economy.cleanup import clean_negatives, exclude_sectors
    from kantorovich.economy.imports import accounts_under
    from kantorovich.economy.imputed import suspect_sectors
    from kantorovich.economy.labour import with_labour_file
    from kantorovich.economy.prepare import TableOptions, prepare_economy
    from kantorovich.economy.leontief import (
        Accounts, LeontiefSystem, accounts, gross_output, labour_values, multipliers)
    from kantorovich.economy.production_prices import (
        ProductionPrices, perron, production_prices)
    from kantorovich.economy.pymrio_io import to_pymrio
    from kantorovich.economy.table import Economy, from_pymrio, load_economy


__getattr__, __dir__ = lazy_names(__name__, _HOME)
