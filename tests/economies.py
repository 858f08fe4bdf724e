"""Economies with two resources and capacities for the tests that check methods against
the simplex on them: `kantorovich.economy.two_resources.two_resource_plan` on the US
summary table shipped in ``tests/data/io`` (a copy of ``shared/data/io``'s, so that the
tests stand alone)."""

from __future__ import annotations

from pathlib import Path

from kantorovich.economy.two_resources import two_resource_plan
from kantorovich.model.plan import Plan

SUMMARY = Path(__file__).resolve().parent / "data" / "io" / "bea_us_summary_2017"


def several_resources(n: int, *, seed: int = 0, **options: float) -> Plan:
    """``n`` products of the US summary table, 3 techniques each, labour and capital,
    capacities on one product in ten (`two_resource_plan`'s options)."""
    return two_resource_plan(SUMMARY, n, seed=seed, **options)
