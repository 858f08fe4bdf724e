"""Goods declared per region or unit: ids good@place, supplies per place, transport."""

from __future__ import annotations

from pathlib import Path

import pytest

import kantorovich as k

PLAN = """\
name: two regions
units:
  farm-n: {region: North}
  farm-s: {region: South}
  mill-s: {region: South}
goods:
  land: {unit: ha, regions: [farm-n, farm-s]}
  wheat: {unit: t, name: Wheat, regions: [North, South]}
  flour: {unit: t}
processes:
  grow-n: {unit: farm-n, inputs: {land@farm-n: 1}, outputs: {wheat@North: 3},
           level_unit: ha}
  grow-s: {unit: farm-s, inputs: {land@farm-s: 1}, outputs: {wheat@South: 2}}
  haul-n-s: {inputs: {wheat@North: 1}, outputs: {wheat@South: 0.95}}
  mill: {unit: mill-s, inputs: {wheat@South: 1}, outputs: {flour: 0.7}}
supply:
  land: {farm-n: 100, farm-s: 80}
objective: {maximize: {flour: 1}}
policies:
  haul-cap: input(wheat@North) <= 200
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    return path


def problems(path: Path) -> list[k.Problem]:
    with pytest.raises(k.PlanError) as info:
        k.load_plan(path)
    return info.value.problems


def test_a_regional_good_is_one_good_per_place(tmp_path: Path) -> None:
    plan = k.load_plan(write(tmp_path, PLAN))
    assert list(plan.goods.index) == ["land@farm-n", "land@farm-s", "wheat@North",
                                      "wheat@South", "flour"]
    assert plan.goods.at["wheat@North", "name"] == "Wheat (North)"
    assert plan.goods.at["land@farm-s", "name"] == "land (farm-s)"
    assert set(plan.goods.loc[["wheat@North", "wheat@South"], "unit"]) == {"t"}
    assert plan.goods.loc[["land@farm-n", "land@farm-s"], "supply"].tolist() == [100, 80]


def test_transport_between_places_is_an_ordinary_process(tmp_path: Path) -> None:
    result = k.solve(k.load_plan(write(tmp_path, PLAN)))
    # north: 300 t, 200 may be hauled (190 arrive); south grows 160: 350 t milled
    assert result.levels["haul-n-s"] == pytest.approx(200)
    assert result.objective == pytest.approx(0.7 * (160 + 190))


def test_an_unknown_region_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, PLAN.replace("[North, South]", "[North, Sout]"))
    (p,) = [p for p in problems(path) if "region" in p.message]
    assert (p.message, p.path, p.line, p.hint) == (
        "unknown region 'Sout'", "goods.wheat.regions.1", 8, "did you mean 'South'?")


def test_a_supply_per_place_must_name_the_goods_places(tmp_path: Path) -> None:
    path = write(tmp_path, PLAN.replace("farm-s: 80}", "farm-z: 80}"))
    (p,) = problems(path)
    assert (p.message, p.path, p.line) == ("unknown region 'farm-z' for 'land'",
                                           "supply.land.farm-z", 17)


def test_a_plain_good_takes_one_supply(tmp_path: Path) -> None:
    path = write(tmp_path, PLAN + "demand: {flour: {North: 1}}\n")
    (p,) = problems(path)
    assert (p.path, p.message) == ("demand.flour",
                                   "'flour' is not declared per region, so it takes one demand")


def test_a_regional_good_named_without_its_place_says_how(tmp_path: Path) -> None:
    path = write(tmp_path, PLAN.replace("  land: {farm-n: 100, farm-s: 80}", "  land: 100"))
    (p,) = problems(path)
    assert p.message == "unknown good 'land'"
    assert p.hint == "'land' is declared per region: write supply: {land: {farm-n: ...}}"


def test_a_regional_plan_saves_and_loads_back(tmp_path: Path) -> None:
    plan = k.load_plan(write(tmp_path, PLAN))
    assert k.load_plan(plan.save(tmp_path / "again.yaml")).equals(plan)
