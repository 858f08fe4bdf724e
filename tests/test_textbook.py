"""Known answers from published textbooks (citations in tests/data/textbook/*.expected.json).

Each plan is solved and checked against the book's optimum, levels, shadow prices and
supply ranges, and every solved plan must carry a verified certificate. Where a book prints
no prices, the fixture's ``derived`` block holds prices derived by hand from its published
data (the derivation is in ``derived.how``), and those are checked instead.
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
        # The book's optimum is one of several: ours need not be the same vertex, but the
        # book's levels must be feasible in our plan and worth the same objective.
        plan = result.plan
        flows = plan.flows
        levels = flows["process"].map(expected["levels"]).to_numpy(float)
        net = (levels * (flows["output"] - flows["input"])).groupby(flows["good"]).sum()
        net = net.reindex(plan.goods.index, fill_value=0.0)
        assert (plan.goods["supply"] + net >= plan.goods["demand"] - 1e-9).all()
        weights = plan.objective.weights
        value = float((weights * net.reindex(weights.index)).sum())
        value = value if plan.objective.is_maximize else -value
        assert value == pytest.approx(expected["objective"], rel=1e-12)
        assert value == pytest.approx(result.objective, rel=1e-9)
        return
    for process, level in expected["levels"].items():
        assert result.levels[process] == pytest.approx(level, abs=1e-7), process


def _expected(name: str) -> dict:
    return json.loads((TEXTBOOK / f"{name}.expected.json").read_text())


PUBLISHED_PRICES = [c for c in CASES if _expected(c).get("shadow_prices")]
DERIVED = [c for c in CASES if "derived" in _expected(c)]


def test_every_case_checks_its_prices() -> None:
    # A case without published prices carries prices (or price facts) derived from its
    # published data, with the derivation in "how"; none passes by having nothing to check.
    for name in CASES:
        expected = _expected(name)
        assert expected.get("shadow_prices") or expected.get("derived", {}).get("how"), name
    assert len(PUBLISHED_PRICES) >= 5 and len(DERIVED) >= 3


@pytest.mark.parametrize("name", PUBLISHED_PRICES)
def test_published_shadow_prices(name: str) -> None:
    result, expected = _load(name)
    for good, price in expected["shadow_prices"].items():
        assert result.shadow_prices[good] == pytest.approx(price, abs=1e-9), good


@pytest.mark.parametrize("name", DERIVED)
def test_prices_derived_from_the_published_data(name: str) -> None:
    result, expected = _load(name)
    derived = expected["derived"]
    checks = {"shadow_prices": result.shadow_prices, "reduced_costs": result.reduced_costs}
    if "assortment_prices" in derived:
        checks["assortment_prices"] = result.assortment_prices
    checked = 0
    for key, got in checks.items():
        for label, value in derived.get(key, {}).items():
            assert got[label] == pytest.approx(value, abs=1e-9), (key, label)
            checked += 1
    assert checked >= len(result.plan.processes)


@pytest.mark.parametrize("name", [c for c in DERIVED
                                  if "shadow_prices" in _expected(c)["derived"]])
def test_derived_prices_price_the_published_optimum(name: str) -> None:
    # Strong duality on the fixture's own numbers: the derived prices, applied to what the
    # plan makes available (supply less demand), add up to the published optimum.
    expected = _expected(name)
    plan = k.load_plan(TEXTBOOK / f"{name}.yaml")
    goods = plan.goods
    total = sum(price * (goods.at[good, "supply"] - goods.at[good, "demand"])
                for good, price in expected["derived"]["shadow_prices"].items() if price)
    sign = 1.0 if plan.objective.is_maximize else -1.0
    assert sign * total == pytest.approx(expected["objective"], rel=1e-12)


def test_pt_company_prices_differ_by_the_route_costs() -> None:
    # Hillier & Lieberman's u_i + v_j = c_ij: on each route the book ships on, peas at the
    # warehouse are worth their price at the cannery plus the shipping cost. The prices
    # themselves are not unique (the problem is balanced), and are reported as intervals.
    result, expected = _load("pt-company-transportation")
    plan, prices = result.plan, result.shadow_prices
    used = [route for route, level in expected["levels"].items() if level > 0]
    assert len(used) == 6
    for route in used:
        flows = plan.flows[plan.flows["process"] == route].set_index("good")
        cost = flows.at["shipping-cost", "input"]
        (cannery,) = flows.index[(flows["input"] > 0) & (flows.index != "shipping-cost")]
        (warehouse,) = flows.index[flows["output"] > 0]
        assert prices[warehouse] - prices[cannery] == pytest.approx(cost, abs=1e-9), route
    from kantorovich.results.sensitivity import price_ranges

    ranges = price_ranges(result)
    assert not ranges.loc[[g for g in plan.goods.index if g.startswith("peas-")],
                          "unique"].any()


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
