"""Imports, clean-up and excluded sectors, stated and applied; imputed-looking sectors
listed; values and inspect written to a folder. Known answers by a dense inverse."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_economy_labour import REAL, run, write_table

from kantorovich.economy.cleanup import AS_READ
from kantorovich.economy.imports import accounts_under
from kantorovich.economy.plan import plan_ray
from kantorovich.economy.table import load_economy

DATA = Path(__file__).resolve().parent / "data" / "io"

# sector 2 is a net import: final demand -15
Z = np.array([[20.0, 30.0, 5.0], [40.0, 10.0, 5.0], [10.0, 20.0, 5.0]])
Y = np.array([140.0, 100.0, -15.0])
X = Z.sum(axis=1) + Y                                   # 195, 155, 20
WAGES = np.array([60.0, 50.0, 3.0])


def table(tmp_path: Path, **kw: object) -> Path:
    Zm = kw.pop("Z", Z)
    assert isinstance(Zm, np.ndarray)
    x = Zm.sum(axis=1) + Y
    return write_table(tmp_path / "t", Z=Zm, y=Y,
                       va={"va": x - Zm.sum(axis=0), "compensation": WAGES}, **kw)  # type: ignore[arg-type]


def keyed(data: dict[str, object], key: str) -> np.ndarray:
    values = data[key]
    assert isinstance(values, dict)
    return np.array([values[k] for k in sorted(values, key=int)], float)


def test_imports_fixed_drop_resource_against_a_dense_inverse(tmp_path: Path) -> None:
    folder = table(tmp_path)
    A = Z / X
    L = np.linalg.inv(np.eye(3) - A)
    l = WAGES / X
    results = {}
    for rule in ("fixed", "supply", "drop", "resource"):
        code, out, _ = run("values", folder, "--imports", rule, "--json")
        assert code == 0
        results[rule] = json.loads(out)
    assert results["fixed"]["imports"] == results["supply"]["imports"] == "fixed"
    assert "fixed supply" in results["fixed"]["imports_rule"]
    assert keyed(results["fixed"], "output") == pytest.approx(X, rel=1e-12)
    assert keyed(results["fixed"], "labour_values") == pytest.approx(l @ L, rel=1e-12)
    # drop: the imports are made at home
    assert keyed(results["drop"], "output") == pytest.approx(L @ np.maximum(Y, 0), rel=1e-12)
    assert keyed(results["drop"], "labour_values") == pytest.approx(l @ L, rel=1e-12)
    # resource: import proportionality, foreign exchange at the labour exports earn it by
    m = np.array([0.0, 0.0, 15.0])
    mu = m / (X + m)
    Ad = np.diag(1 - mu) @ A
    Ld = np.linalg.inv(np.eye(3) - Ad)
    c = mu @ A
    e = np.maximum(Y, 0)                                 # no exports column: y+
    lam = (l @ Ld @ e) / (e.sum() - c @ Ld @ e)
    v = (l + lam * c) @ Ld
    got = results["resource"]
    assert got["exchange_price"] == pytest.approx(lam, rel=1e-12)
    assert keyed(got, "labour_values") == pytest.approx(v, rel=1e-12)
    assert v == pytest.approx(l + lam * c + v @ Ad, rel=1e-12)   # v = l + λc + v A_d
    assert lam == pytest.approx(v @ e / e.sum(), rel=1e-12)       # exports pay
    assert keyed(got, "output") == pytest.approx(X, rel=1e-12)    # the table's x back
    assert "y+" in got["exports"]


def test_resource_rule_reads_an_exports_column(tmp_path: Path) -> None:
    folder = table(tmp_path)
    y = pd.read_csv(folder / "y.csv")
    y["exports"] = [30.0, 0.0, 0.0]
    y.to_csv(folder / "y.csv", index=False)
    e = load_economy(folder)
    result, rules = accounts_under(e, "resource")
    v = result.labour_values
    assert v is not None
    assert rules.exchange_price == pytest.approx(float(v.iloc[0]), rel=1e-12)
    assert rules.exports_source is not None and "exports" in rules.exports_source


def test_plan_buys_imports_with_foreign_exchange(tmp_path: Path) -> None:
    e = load_economy(table(tmp_path))
    fixed = plan_ray(e, imports="fixed")
    bought = plan_ray(e, imports="resource")
    assert fixed.verified and bought.verified
    # one product imported: the foreign exchange buys exactly the fixed supply
    assert bought.sets == pytest.approx(fixed.sets, rel=1e-9)
    assert bought.resources.loc["imports", "available"] == pytest.approx(15.0)
    assert bought.resources.loc["imports", "used"] == pytest.approx(15.0, rel=1e-7)
    assert bought.imports == "resource" and plan_ray(e, imports="supply").imports == "fixed"
    assert "m2" in bought.result.levels.index
    code, out, _ = run("plan", tmp_path / "t", "--imports", "resource", "--json")
    data = json.loads(out)
    assert code == 0 and data["imports"] == "resource"
    assert data["labour_basis"] == "compensation" and "imports" in data["resources"]


def test_clean_negatives_zero_or_joint(tmp_path: Path) -> None:
    Zn = Z.copy()
    Zn[0, 2] = -2.0
    folder = table(tmp_path, Z=Zn)
    x = Zn.sum(axis=1) + Y
    code, out, _ = run("values", folder, "--json")
    data = json.loads(out)
    assert data["applied"] == [AS_READ] and data["clean"] is None
    as_read = keyed(data, "labour_values")
    assert as_read == pytest.approx(WAGES / x @ np.linalg.inv(np.eye(3) - Zn / x), rel=1e-12)
    code, out, _ = run("values", folder, "--clean", "negatives=joint", "--json")
    data = json.loads(out)
    assert keyed(data, "labour_values") == pytest.approx(as_read, rel=1e-15)
    assert "joint outputs" in data["applied"][0]
    code, out, _ = run("values", folder, "--clean", "negatives=zero", "--json")
    data = json.loads(out)
    clipped = np.maximum(Zn, 0) / x                      # gross output as published
    assert keyed(data, "labour_values") == pytest.approx(
        WAGES / x @ np.linalg.inv(np.eye(3) - clipped), rel=1e-12)
    assert data["clean"] == "negatives=zero" and "1 negative flow(s) set to 0" in data["applied"][0]
    code, _, err = run("values", folder, "--clean", "negatives=drop")
    assert code == 2 and "--clean" in err and "negatives=zero" in err


def test_exclude_removes_a_sector_and_keeps_ids(tmp_path: Path) -> None:
    folder = table(tmp_path)
    code, out, _ = run("values", folder, "--exclude", "c1", "--json")
    data = json.loads(out)
    assert code == 0 and list(data["labour_values"]) == ["0", "2"]
    keep = [0, 2]
    A = (Z / X)[np.ix_(keep, keep)]
    expected = (WAGES / X)[keep] @ np.linalg.inv(np.eye(2) - A)
    assert keyed(data, "labour_values") == pytest.approx(expected, rel=1e-12)
    assert data["exclude"] == ["c1"] and data["applied"][0].startswith("excluded 1 sector")
    code, out, err = run("values", folder, "--exclude", "c1,cc2", "--json")
    assert code == 2 and out == ""
    assert "'cc2' is not a sector code" in err and "did you mean c2" in err


def test_inspect_lists_imputed_looking_sectors(tmp_path: Path) -> None:
    names = ["Farms", "Customs duties", "Owner-occupied housing"]
    Zi = np.array([[10.0, 0.0, 5.0], [0.0, 0.0, 0.0], [5.0, 0.0, 0.0]])
    y = np.array([100.0, 30.0, 80.0])
    x = Zi.sum(axis=1) + y
    folder = write_table(tmp_path / "t", Z=Zi, y=y, names=names,
                         va={"va": x - Zi.sum(axis=0),
                             "compensation": np.array([40.0, 0.0, 0.0])})
    code, out, _ = run("inspect", folder, "--json")
    data = json.loads(out)
    assert code == 0 and data["imports"] == "fixed" and data["labour_basis"] == "compensation"
    suspects = {s["code"]: s["reasons"] for s in data["suspect_sectors"]}
    assert set(suspects) == {"c1", "c2"}
    assert any("customs duties" in r for r in suspects["c1"])
    assert "buys no intermediate inputs (its column of Z is empty)" in suspects["c1"]
    assert "pays no compensation of employees" in suspects["c2"]
    code, out, _ = run("inspect", folder)
    assert "look imputed or fictitious" in out and "Customs duties" in out


def test_inspect_on_the_shipped_us_tables() -> None:
    code, out, _ = run("inspect", DATA / "bea_us_summary_2017", "--json")
    data = json.loads(out)
    assert code == 0 and "HS" in {s["code"] for s in data["suspect_sectors"]}
    detail = REAL / "bea_us_detail_2017"
    if not detail.is_dir():
        pytest.skip(f"{detail} is not here")
    code, out, _ = run("inspect", detail, "--json")
    codes = {s["code"] for s in json.loads(out)["suspect_sectors"]}
    assert {"4200ID", "531HSO", "814000"} <= codes


def test_values_and_inspect_write_a_folder(tmp_path: Path) -> None:
    folder = table(tmp_path)
    code, _, _ = run("values", folder, "-o", tmp_path / "out", "--imports", "drop")
    assert code == 0
    frame = pd.read_csv(tmp_path / "out" / "values.csv")
    assert frame.columns.tolist() == ["id", "code", "name", "region", "output",
                                      "labour_value"]
    assert frame["output"].to_numpy() == pytest.approx(
        np.linalg.inv(np.eye(3) - Z / X) @ np.maximum(Y, 0), rel=1e-12)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["imports"] == "drop" and summary["labour_basis"] == "compensation"
    assert summary["columns"]["labour_value"] == "compensation (M USD) per M USD of output"
    code, _, _ = run("inspect", folder, "-o", tmp_path / "checks")
    assert code == 0
    assert {p.name for p in (tmp_path / "checks").iterdir()} >= {
        "findings.csv", "suspects.csv", "summary.json"}
    before = sorted(p.name for p in folder.iterdir())
    code, _, err = run("values", folder, "-o", folder)
    assert code == 2 and sorted(p.name for p in folder.iterdir()) == before


def test_bases_and_prices_state_their_basis_and_take_imports_as_resource(
        tmp_path: Path) -> None:
    folder = table(tmp_path)
    code, out, _ = run("prices", folder, "--profit-rate", "0.1", "--json")
    data = json.loads(out)
    assert code == 0 and data["labour_basis"] == "compensation" and data["imports"] == "fixed"
    # at r = 0 with the wage 1, prices of production are the labour values of the rule
    _, out, _ = run("values", folder, "--imports", "resource", "--json")
    values = keyed(json.loads(out), "labour_values")
    code, out, _ = run("prices", folder, "--profit-rate", "0", "--normalise", "wage",
                       "--imports", "resource", "--json")
    data = json.loads(out)
    assert code == 0 and data["imports"] == "resource"
    assert keyed(data, "prices") == pytest.approx(values, rel=1e-9)
    assert any("exports that pay for them" in a for a in data["applied"])
    code, out, _ = run("bases", folder, "--imports", "resource", "--json")
    assert code == 0 and json.loads(out)["imports"] == "resource"


def test_exclude_an_industry_in_every_region(tmp_path: Path) -> None:
    """A multi-regional table's industry code (its sector column) names every region's."""
    folder = table(tmp_path)
    sectors = pd.read_csv(folder / "sectors.csv")
    sectors["code"] = ["AUS_c1", "AUS_c35", "AUT_c35"]
    sectors["sector"] = ["c1", "c35", "c35"]
    sectors.to_csv(folder / "sectors.csv", index=False)
    code, out, _ = run("values", folder, "--exclude", "c35", "--json")
    data = json.loads(out)
    assert code == 0 and list(data["output"]) == ["0"]
    assert "excluded 2 sector(s)" in data["applied"][0]


def test_a_plan_by_value_added_never_says_labour_values(tmp_path: Path) -> None:
    x = Z.sum(axis=1) + Y
    folder = write_table(tmp_path / "t", Z=Z, y=Y, va={"va": x - Z.sum(axis=0)})
    code, out, _ = run("plan", folder, "--json")
    data = json.loads(out)
    assert code == 0 and data["labour_basis"] == "value_added"
    assert data["content"] == "value-added content"
    assert "value-added content v = l + vA" in data["paragraph"]
    assert "labour" not in data["paragraph"].lower()
    code, out, _ = run("plan", folder)
    assert code == 0 and "against value-added content" in out
    assert "labour value" not in out
