"""The plan ray with a choice of technique, capital and capacities
(`kantorovich.economy.alternatives`, ``economy plan --alternative/--vary/--capital/
--capacity``): hand-built economies whose prices are known by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from kantorovich.economy.alternatives import Techniques, plan_choice, techniques_by_rule
from kantorovich.economy.leontief import labour_values
from kantorovich.economy.table import Economy

REAL = Path(__file__).resolve().parent / "data" / "io"


def corn_and_iron() -> Economy:
    """Corn and iron from labour alone (1 hour a unit each); corn also ties up 1 unit of
    capital (value added 20 on compensation 10); 10 of each made and consumed."""
    return Economy.from_arrays(
        np.zeros((2, 2)), [10, 10], [10, 10], va=[20, 10], compensation=[10, 10],
        sectors=pd.DataFrame({"code": ["corn", "iron"], "name": ["Corn", "Iron"],
                              "region": ["", ""]}))


def corn_by(labour: float, capital: float | None = None) -> Techniques:
    return Techniques(A=sp.csc_matrix((2, 2)), labour=np.array([labour, 0.0]),
                      has=np.array([True, False]), label="t2", rule="by hand",
                      capital=None if capital is None else np.array([capital, 0.0]))


def test_a_labour_saving_technique_sets_prices_at_its_labour_value() -> None:
    # corn by 0.5 hour: 0.5 s + s <= 20 hours for s baskets of 10 -> s = 4/3
    ray = plan_choice(corn_and_iron(), [corn_by(0.5)])
    assert ray.verified and ray.sets == pytest.approx(4 / 3, rel=1e-9)
    f = ray.valuations
    assert f["technique"].tolist() == ["t2", "table"]
    assert f["shadow_price"].tolist() == pytest.approx([0.5, 1.0], rel=1e-9)
    assert f["labour_value_chosen"].tolist() == pytest.approx([0.5, 1.0])
    assert f["rent"].abs().max() < 1e-9 and ray.binding == ["labour"]
    text = ray.paragraph()
    assert "non-substitution theorem" in text and "Corn (price 0.5 against labour value 1:" \
        " technique -0.5)" in text


def test_scarce_capital_prices_corn_above_its_labour_value() -> None:
    # corn by 0.5 hour and 3 capital; capital supply 2 x the table's 10 = 20:
    # s + 2 b = 20 (capital) and 2 s - b/4 = 20 (labour), in units of 10: s = 10/9,
    # both corn techniques run, so 1 w + 1 pi = 0.5 w + 3 pi: pi = w / 4
    ray = plan_choice(corn_and_iron(), [corn_by(0.5, 3.0)], capital_share=2.0)
    assert ray.verified and ray.sets == pytest.approx(10 / 9, rel=1e-9)
    assert ray.binding == ["labour", "capital"]
    assert ray.resources.loc["capital", "shadow_price"] == pytest.approx(0.25, rel=1e-9)
    assert ray.resources.loc["capital", "used"] == pytest.approx(20.0, rel=1e-9)
    f = ray.valuations
    assert f["shadow_price"].tolist() == pytest.approx([1.25, 1.0], rel=1e-9)
    assert f["output"].tolist() == pytest.approx([100 / 9, 100 / 9], rel=1e-9)
    # the table's technique runs most (6.67 of 11.1): labour value 1 + capital 0.25
    assert f["technique"].iloc[0] == "table"
    assert f["capital_part"].tolist() == pytest.approx([0.25, 0.0], abs=1e-9)
    text = ray.paragraph()
    assert "capital is scarce" in text and "priced at 0.25 labour units" in text
    assert "Corn (price 1.25 against labour value 1: capital +0.25)" in text


def test_a_capacity_gives_the_capped_technique_a_rent() -> None:
    # corn's own technique capped at 5; the rest by 2 hours: 5 + 2 (10 s - 5) + 10 s =
    # 20 -> s = 5/6; corn's price is the marginal technique's 2 hours, rent 1
    ray = plan_choice(corn_and_iron(), [corn_by(2.0)], capacity=0.5)
    assert ray.verified and ray.sets == pytest.approx(5 / 6, rel=1e-9)
    assert ray.capacities_binding == ["s0"]
    f = ray.valuations
    assert f["shadow_price"].tolist() == pytest.approx([2.0, 1.0], rel=1e-9)
    assert f["rent"].tolist() == pytest.approx([1.0, 0.0], abs=1e-9)
    assert "Corn (price 2 against labour value 1: rent +1)" in ray.paragraph()


def test_rule_techniques_trade_labour_against_materials() -> None:
    e = Economy.from_arrays([[150, 500], [200, 100]], [350, 1700],
                            compensation=[650, 1400])
    alt = techniques_by_rule(e, 2, seed=3)
    f1, f2 = alt[0].labour / e.labour, alt[1].labour / e.labour
    assert np.all((f1 > np.exp(0.1) - 1e-12) & (f1 < np.exp(0.5)))     # more labour
    assert np.all((f2 < np.exp(-0.1) + 1e-12) & (f2 > np.exp(-0.5)))    # less labour
    assert (alt[0].A.toarray() * f1) == pytest.approx(e.A.toarray())    # materials / f
    ray = plan_choice(e, alt)
    assert ray.verified and ray.binding == ["labour"]
    # labour only: prices are the labour values of the techniques the plan runs
    f = ray.valuations
    assert f["shadow_price"].to_numpy() == pytest.approx(
        f["labour_value_chosen"].to_numpy(), rel=1e-7)
    assert ray.sets >= 1 - 1e-9                                       # never worse


def write_table(folder: Path, e: Economy) -> Path:
    folder.mkdir()
    Z = sp.coo_matrix(e.A @ sp.diags(e.x))
    pd.DataFrame({"row": Z.row, "col": Z.col, "value": Z.data}).to_csv(folder / "Z.csv",
                                                                       index=False)
    sectors = e.sectors.reset_index(drop=True)
    sectors.insert(0, "id", e.ids)
    sectors.to_csv(folder / "sectors.csv", index=False)
    pd.DataFrame({"id": e.ids, "va": e.va["va"], "compensation": e.va["compensation"]}
                 ).to_csv(folder / "va.csv", index=False)
    pd.DataFrame({"id": e.ids, "x": e.x}).to_csv(folder / "x.csv", index=False)
    pd.DataFrame({"id": e.ids, "y": e.y}).to_csv(folder / "y.csv", index=False)
    return folder


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kantorovich.cli", *args],
                          capture_output=True, text=True, timeout=300)


def test_cli_second_table_as_alternative(tmp_path: Path) -> None:
    first = write_table(tmp_path / "year1", corn_and_iron())
    # the second year makes corn with 5 hours per 10 units: 0.5 an hour
    second = write_table(tmp_path / "year2", Economy.from_arrays(
        np.zeros((2, 2)), [10, 10], [10, 10], va=[20, 10], compensation=[5, 10],
        sectors=corn_and_iron().sectors.reset_index(drop=True)))
    done = run_cli("economy", "plan", str(first), "--alternative", str(second), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["verified"] and out["sets"] == pytest.approx(4 / 3, rel=1e-9)
    assert out["technique"] == {"0": "t2", "1": "table"}
    assert out["shadow_prices"] == {"0": pytest.approx(0.5), "1": pytest.approx(1.0)}
    assert out["labour_values"] == {"0": pytest.approx(1.0), "1": pytest.approx(1.0)}
    assert "non-substitution theorem" in out["paragraph"]
    text = run_cli("economy", "plan", str(first), "--alternative", str(second),
                   "--capacity", "0.5")
    assert text.returncode == 0, text.stderr
    # corn's own technique is capped but the second year's saves labour: no rent
    assert "Corn (price 0.5 against labour value 1: technique -0.5)" in text.stdout
    bad = run_cli("economy", "plan", str(first), "--alternative", str(tmp_path / "none"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_cli_one_technique_says_non_substitution_in_one_line() -> None:
    table = REAL / "miller_blair_2009_table_2_3"
    done = run_cli("economy", "plan", str(table))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        "One technique per sector and labour the only scarce resource: prices equal "
        "labour values (the non-substitution theorem).")
    out = json.loads(run_cli("economy", "plan", str(table), "--json").stdout)
    assert out["non_substitution"] is True
    values, _ = labour_values(Economy.from_arrays([[150, 500], [200, 100]], [350, 1700],
                                                  compensation=[650, 1400]))
    assert list(out["shadow_prices"].values()) == pytest.approx(values.tolist())


def test_cli_capital_on_a_real_table() -> None:
    table = REAL / "bea_us_summary_2017"
    done = run_cli("economy", "plan", str(table), "--vary", "1", "--capital", "0.9",
                   "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["verified"] and out["binding_resources"] == ["labour", "capital"]
    assert out["resources"]["capital"]["shadow_price"] > 0
    prices = np.array([v for v in out["shadow_prices"].values() if v is not None])
    values = np.array([out["labour_values"][k] for k, v in out["shadow_prices"].items()
                       if v is not None])
    assert np.max(np.abs(prices / values - 1)) > 0.1            # prices and values part
    assert "capital is scarce" in out["paragraph"]
