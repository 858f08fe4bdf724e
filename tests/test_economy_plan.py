"""The plan ray of an input-output economy (`kantorovich.economy.plan`) and
``kantorovich economy plan``: known answers, duality identities and the real tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import kantorovich
from kantorovich.economy.cli import economy_app
from kantorovich.economy.plan import plan_ray, ray_plan
from kantorovich.economy.table import Economy, load_economy
from kantorovich.errors import PlanError

MB = Path(__file__).parent / "data" / "io" / "miller_blair_2009_table_2_3"
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "io"
TABLES = ["oecd_iot2021_jpn_2015", "bea_us_summary_2017", "china_nbs_2020_153",
          "bea_us_detail_2017", "wiod2013_mrio_2011"]
RUNNER = CliRunner()

# Miller & Blair (2009), Table 2.3 flows and final demand; compensation chosen here so
# that labour values are not all 1 (the book's payments sector is all of value added)
Z = [[150, 500], [200, 100]]
Y = [350, 1700]
WAGES = [300, 1000]


def leontief_values(A: np.ndarray, l: np.ndarray) -> np.ndarray:
    """v = l (I - A)^-1 by a dense solve: fine for the 2x2 textbook table."""
    return np.linalg.solve((np.eye(len(l)) - A).T, l)


def test_labour_only_prices_are_labour_values() -> None:
    e = Economy.from_arrays(Z, Y, compensation=WAGES)
    ray = plan_ray(e)
    assert ray.verified and ray.binding == ["labour"] and ray.numeraire == "labour"
    # x itself makes exactly one basket when y >= 0 and the table balances
    assert ray.sets == pytest.approx(1.0, rel=1e-12)
    v = leontief_values(e.A.toarray(), np.array(WAGES) / e.x)
    assert ray.valuations["labour_value"].to_numpy() == pytest.approx(v, rel=1e-12)
    assert ray.valuations["shadow_price"].to_numpy() == pytest.approx(v, rel=1e-9)
    assert ray.valuations["ratio"].to_numpy() == pytest.approx([1, 1], rel=1e-9)
    assert ray.valuations["output"].to_numpy() == pytest.approx([1000, 2000], rel=1e-9)
    assert ray.labour_bound == pytest.approx(1.0) and ray.table_sets == pytest.approx(1.0)
    assert "non-substitution" in ray.paragraph()


def test_a_second_binding_resource_prices_its_content() -> None:
    # energy used by sector 0 only; half of what the table's own output needs
    e = Economy.from_arrays(Z, Y, compensation=WAGES, resources={"energy": [100.0, 0.0]})
    A = e.A.toarray()
    rho = leontief_values(A, np.array([0.1, 0.0]))      # energy per unit of each product
    v = leontief_values(A, np.array(WAGES) / e.x)
    ray = plan_ray(e, resources={"energy": 50.0})
    assert ray.verified and ray.binding == ["energy"] and ray.numeraire == "basket"
    # one technique per product: the ray stops where energy runs out; labour is left over
    assert ray.sets == pytest.approx(50.0 / (rho @ np.array(Y)), rel=1e-9)
    assert ray.sets == pytest.approx(0.5, rel=1e-9)
    table = ray.resources
    assert table.loc["labour", "used"] < table.loc["labour", "available"]
    assert table.loc["labour", "shadow_price"] == pytest.approx(0.0, abs=1e-12)
    p = ray.valuations["shadow_price"].to_numpy()
    # prices are proportional to the embodied energy, scaled to the basket's labour value
    assert p / p.sum() == pytest.approx(rho / rho.sum(), rel=1e-9)
    assert p @ np.array(Y) == pytest.approx(v @ np.array(Y), rel=1e-9)
    # the predicted direction: the energy-intensive product dearer than its labour value
    ratio = ray.valuations["ratio"].to_numpy()
    assert ratio[0] > 1 > ratio[1]
    assert "not scarce" in ray.paragraph()


def test_an_ample_resource_changes_nothing() -> None:
    e = Economy.from_arrays(Z, Y, compensation=WAGES, resources={"energy": [100.0, 0.0]})
    ray = plan_ray(e, resources={"energy": 1e6})
    assert ray.binding == ["labour"] and ray.sets == pytest.approx(1.0)
    assert ray.valuations["ratio"].to_numpy() == pytest.approx([1, 1], rel=1e-9)
    assert ray.resources.loc["energy", "shadow_price"] == pytest.approx(0.0, abs=1e-15)


def test_net_imports_as_supply_or_dropped() -> None:
    # sector 0 is a net import (y < 0): Z 1 + y = x still holds
    Zi, yi = [[150, 500], [200, 100]], [-50, 1700]
    e = Economy.from_arrays(Zi, yi, compensation=WAGES)
    v = leontief_values(e.A.toarray(), np.array(WAGES) / e.x)
    L = sum(WAGES)
    supplied = plan_ray(e, imports="supply")
    assert supplied.sets == pytest.approx((L + v[0] * 50) / (v[1] * 1700), rel=1e-9)
    assert supplied.sets == pytest.approx(1.0, rel=1e-9)
    dropped = plan_ray(e, imports="drop")
    assert dropped.sets == pytest.approx(L / (v[1] * 1700), rel=1e-9)
    assert dropped.sets < 1
    assert any("fixed supply" in n for n in supplied.notes)
    assert any("dropped" in n for n in dropped.notes)
    with pytest.raises(PlanError, match="not a rule"):
        plan_ray(e, imports="smuggle")  # type: ignore[arg-type]


def test_the_ray_is_an_ordinary_plan() -> None:
    e = Economy.from_arrays(Z, Y, compensation=WAGES)
    plan, inputs = ray_plan(e)
    assert plan.objective.sense == "maximize_sets"
    assert sorted(plan.goods.index) == ["labour", "s0", "s1"]
    result = kantorovich.solve(plan)
    assert result.is_optimal and result.certificate.verified
    assert result.objective == pytest.approx(1.0)
    assert inputs.basket.tolist() == Y


def test_huge_units_solve_the_same() -> None:
    # flows in units of 1e-6 (counts near 1e9): the ray is rescaled to decades before
    # the solve, so the duals stay above the solver's absolute tolerances
    e = Economy.from_arrays(np.array(Z) * 1e6, np.array(Y) * 1e6,
                            compensation=np.array(WAGES) * 1e6)
    ray = plan_ray(e)
    assert ray.verified and ray.sets == pytest.approx(1.0, rel=1e-9)
    assert ray.valuations["ratio"].to_numpy() == pytest.approx([1, 1], rel=1e-9)


def test_unknown_resource_is_refused() -> None:
    e = Economy.from_arrays(Z, Y, compensation=WAGES)
    with pytest.raises(PlanError, match="no resource 'co2'"):
        plan_ray(e, resources={"co2": 1.0})


@pytest.mark.parametrize("name", TABLES)
def test_real_tables_solve_with_a_verified_certificate(name: str) -> None:
    if not (REAL / name).is_dir():
        pytest.skip(f"{REAL / name} is not here")
    ray = plan_ray(load_economy(REAL / name))
    assert ray.verified and ray.binding == ["labour"]
    # labour the only resource: non-substitution, s = (L + v m) / (v y+)
    assert ray.sets == pytest.approx(ray.labour_bound, rel=1e-6)
    assert abs(ray.sets - 1) < 1e-3          # the tables balance to their rounding
    ratio = ray.valuations["ratio"].to_numpy()
    finite = np.isfinite(ratio)
    assert finite.sum() >= 0.9 * len(ratio)
    assert ratio[finite] == pytest.approx(1.0, rel=1e-6)


# ---- the command --------------------------------------------------------------------

def run(*args: object) -> tuple[int, str, str]:
    result = RUNNER.invoke(economy_app, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_plan_json_contract() -> None:
    code, out, _ = run("plan", MB, "--json")
    assert code == 0
    data = json.loads(out)
    for key in ("labour_values", "shadow_prices", "ratio", "basket", "output"):
        assert list(data[key]) == ["0", "1"], key
    assert data["sets"] == pytest.approx(1.0) and data["verified"] is True
    assert data["binding_resources"] == ["labour"] and data["imports"] == "fixed"
    assert data["method"]["labour_values"] == "splu"
    assert data["ratio"] == pytest.approx({"0": 1.0, "1": 1.0})


def test_plan_table_and_paragraph() -> None:
    code, out, _ = run("plan", MB)
    assert code == 0 and "Sector 2" in out and "shadow price" in out
    assert "non-substitution" in out and "certificate verified" in out


def test_plan_writes_its_tables(tmp_path: Path) -> None:
    code, _, err = run("plan", MB, "-o", tmp_path / "out", "--format", "csv")
    assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert {"valuations.csv", "resources.csv", "processes.csv", "goods.csv",
            "summary.json"} <= set(written)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["sets"] == pytest.approx(1.0)
    assert summary["chart"] == "valuations.html"
    page = (tmp_path / "out" / "valuations.html").read_text()
    # the chart opens offline: plotly.js is inside the page, nothing is fetched
    assert "Plotly.newPlot" in page and "<script src=" not in page
    assert "non-substitution" in page and "Sector 2" in page


def test_plan_bad_options_exit_2() -> None:
    code, _, err = run("plan", MB, "--resources", "co2=abc")
    assert code == 2 and "not a number" in err
    code, _, err = run("plan", MB, "--resources", "co2=5")
    assert code == 2 and "no resource 'co2'" in err
    code, _, err = run("plan", MB, "--imports", "nope")
    assert code == 2 and "not a rule" in err


# ---- --resources: a file of the table, or a column of it ------------------------------

def table_with(tmp_path: Path, **files: str) -> Path:
    """The Miller & Blair table, copied, with ``files`` (stem -> CSV text) added."""
    import shutil

    folder = tmp_path / "mb"
    shutil.copytree(MB, folder)
    for stem, text in files.items():
        (folder / f"{stem}.csv").write_text(text)
    return folder


@pytest.mark.parametrize("files, name", [
    ({"resources": "id,resource,amount\n0,energy,100\n1,energy,0\n"}, "energy"),
    ({"resources": "id,energy\n0,100\n1,0\n"}, "energy"),
    ({"va": "id,va,compensation,capital\n0,650,650,100\n1,1400,1400,0\n"}, "capital"),
], ids=["resources.csv, a row per resource", "resources.csv, a column per resource",
        "a column of va.csv"])
def test_plan_resources_from_every_form(tmp_path: Path, files: dict[str, str],
                                        name: str) -> None:
    # 100 of the resource per 1,000 of sector 0's output: 0.1 per unit, none in sector
    # 1; the basket embodies 100 of it, so 50 make half a basket (as the API test above)
    folder = table_with(tmp_path, **files)
    code, out, err = run("plan", folder, "--resources", f"{name}=50", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["sets"] == pytest.approx(0.5, rel=1e-9)
    assert data["binding_resources"] == [name]
    assert data["resources"][name]["available"] == pytest.approx(50.0)
    code, out, _ = run("plan", folder, "--resources", name, "--json")   # the table's 100
    assert code == 0 and json.loads(out)["sets"] == pytest.approx(1.0, rel=1e-9)


def test_plan_resources_refused_with_what_the_table_has(tmp_path: Path) -> None:
    folder = table_with(tmp_path, va="id,va,compensation,taxes\n0,650,650,-5\n1,1400,1400,7\n")
    code, _, err = run("plan", folder, "--resources", "co2=5")
    assert code == 2 and "no resource 'co2' (it has va, taxes)" in err
    assert "a column of va.csv" in err
    code, _, err = run("plan", folder, "--resources", "taxes")
    assert code == 2 and "resource 'taxes' is negative for 1 sector(s)" in err
    assert "va.csv" in err
    bad = table_with(tmp_path / "bad", resources="id,resource\n0,energy\n")
    code, _, err = run("plan", bad, "--resources", "energy")
    assert code == 2 and "missing column amount" in err and "resources.csv:1" in err


def test_plan_help_describes_the_resources() -> None:
    shown = RUNNER.invoke(economy_app, ["plan", "-h"], env={"COLUMNS": "200"}).stdout
    assert "resources.csv" in shown and "va.csv" in shown and "NAME[=AMOUNT]" in shown
