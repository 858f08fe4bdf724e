"""Known answers from published textbooks (citations in tests/data/textbook/*.expected.json).

Each plan is solved and checked against the book's optimum, levels, shadow prices and
supply ranges, and every solved plan must carry a verified certificate.
"""

from __future__ import annotations

import json
import math

import pytest

import kantorovich as k

from conftest import TEXTBOOK

CASES = sorted(p.name.removesuffix(".yaml") for p in TEXTBOOK.glob("*.yaml"))


def _load(name: str) -> tuple[k.PlanResult, dict]:
    expected = json.loads((TEXTBOOK / f"{name}.expected.json").read_text())
    return k.solve(k.load_plan(TEXTBOOK / f"{name}.yaml")), expected


def test_there_are_textbook_cases() -> None:
    assert len(CASES) >= 5


@pytest.mark.parametrize("name", CASES)
def test_published_optimum(name: str) -> None:
    result, expected = _load(name)
    assert result.status is k.Status.OPTIMAL
    assert result.objective == pytest.approx(expected["objective"], rel=1e-9, abs=1e-9)
    assert result.certificate.verified, result.certificate


@pytest.mark.parametrize("name", CASES)
def test_published_levels(name: str) -> None:
    result, expected = _load(name)
    if expected.get("levels_unique") is False:
        pytest.skip("the book's optimum is one of several; the objective is checked instead")
    for process, level in expected["levels"].items():
        assert result.levels[process] == pytest.approx(level, abs=1e-7), process


@pytest.mark.parametrize("name", CASES)
def test_published_shadow_prices(name: str) -> None:
    result, expected = _load(name)
    for good, price in expected["shadow_prices"].items():
        assert result.shadow_prices[good] == pytest.approx(price, abs=1e-9), good


@pytest.mark.parametrize("name", [c for c in CASES if "supply_ranges" in json.loads(
    (TEXTBOOK / f"{c}.expected.json").read_text())])
def test_published_supply_ranges(name: str) -> None:
    result, expected = _load(name)
    goods = result.sensitivity()["goods"]
    for good, (low, high) in expected["supply_ranges"].items():
        assert goods.at[good, "supply_low"] == pytest.approx(
            -math.inf if low is None else low, abs=1e-7), good
        assert goods.at[good, "supply_high"] == pytest.approx(
            math.inf if high is None else high, abs=1e-7), good


def test_wyndor_reduced_costs_and_unique_prices() -> None:
    # Hillier & Lieberman: both products are made, so both reduced costs are zero.
    result, _ = _load("wyndor-glass")
    assert result.reduced_costs.abs().max() < 1e-9
    from kantorovich.results.sensitivity import price_ranges

    assert price_ranges(result)["unique"].all()


def test_dakota_table_reduced_cost() -> None:
    # Winston: tables must earn $5 more (over $35) before they are worth making.
    result, _ = _load("dakota-furniture")
    assert result.reduced_costs["make-table"] == pytest.approx(-5.0)
