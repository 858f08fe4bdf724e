"""``economy bases``: value bases against a hand-computed chain and an independent dense
inverse of the BEA 2017 summary table (Cockshott & Cottrell 1997's method)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kantorovich.economy.bases import content_statistics, value_bases
from kantorovich.economy.cli import economy_app
from kantorovich.economy.table import load_economy

DATA = Path(__file__).parent / "data" / "io"
CHAIN = DATA / "bases_3_sector"
BEA = DATA / "bea_us_summary_2017"
RUNNER = CliRunner()


def run(*args: object) -> tuple[int, str, str]:
    result = RUNNER.invoke(economy_app, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_chain_by_hand() -> None:
    """The README's chain: labour content (50, 70, 190) against prices (100, 200, 400)."""
    code, out, _ = run("bases", CHAIN, "--json")
    assert code == 0
    data = json.loads(out)
    assert {"bases", "ranking"} <= set(data) and data["labour_basis"] == "compensation"
    assert data["ranking"] == ["labour", "0", "1"]          # sector 2 is no input
    labour = data["bases"]["labour"]
    # rescaled content (50, 70, 190) * 700/310; price/content = (310/700)(2, 20/7, 40/19)
    k = 310 / 700
    assert labour["mad"] == pytest.approx(
        (abs(2 * k - 1) + abs(20 / 7 * k - 1) + abs(40 / 19 * k - 1)) / 3, abs=1e-12)
    # logs: price ln(100, 200, 400), content ln(50, 70, 190); by hand 0.96137
    assert labour["correlation"] == pytest.approx(0.961371, abs=5e-6)
    assert labour["r2"] == pytest.approx(labour["correlation"] ** 2, abs=1e-15)
    # sector 0 as basis: content (0, 100, 100) -> 350 each over sectors 1, 2: no variance
    assert data["bases"]["0"] == {"correlation": None, "r2": None,
                                  "mad": pytest.approx(2 / 7, abs=1e-12)}
    # sector 1: content (0, 0, 200) -> 700 in sector 2 alone
    assert data["bases"]["1"] == {"correlation": None, "r2": None,
                                  "mad": pytest.approx(3 / 7, abs=1e-12)}


def _independent(folder: Path) -> dict[str, tuple[float, float, float]]:
    """Statistics from the CSV files with numpy's dense inverse, one basis at a time."""
    sectors = pd.read_csv(folder / "sectors.csv")
    n = len(sectors)
    flows = pd.read_csv(folder / "Z.csv")
    Z = np.zeros((n, n))
    Z[flows["row"], flows["col"]] = flows["value"]
    x = pd.read_csv(folder / "x.csv").sort_values("id")["x"].to_numpy(float)
    wages = pd.read_csv(folder / "va.csv").sort_values("id")["compensation"].to_numpy(float)
    A = Z / x
    L = np.linalg.inv(np.eye(n) - A)
    bases = {"labour": (wages / x) @ L}
    for b in range(n):
        if np.any(A[b] != 0):
            bases[str(b)] = A[b] @ L
    out = {}
    for key, v in bases.items():
        content = v * x
        content = content * x.sum() / content.sum()
        keep = (x > 0) & (content > 0)
        r = np.corrcoef(np.log(x[keep]), np.log(content[keep]))[0, 1]
        out[key] = (r, r * r, float(np.mean(np.abs(x[keep] / content[keep] - 1))))
    return out


def test_bea_against_a_dense_inverse() -> None:
    expected = _independent(BEA)
    code, out, _ = run("bases", BEA, "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data["bases"]) == set(expected) and len(expected) == 72
    for key, (r, r2, mad) in expected.items():
        got = data["bases"][key]
        assert got["correlation"] == pytest.approx(r, abs=1e-9), key
        assert got["r2"] == pytest.approx(r2, abs=1e-9), key
        assert got["mad"] == pytest.approx(mad, rel=1e-9), key
    r2 = [data["bases"][k]["r2"] for k in data["ranking"]]
    assert r2 == sorted(r2, reverse=True)
    # on the US 2017 table labour (compensation) predicts prices best: R² 0.8923
    assert data["ranking"][0] == "labour"
    assert data["bases"]["labour"]["r2"] == pytest.approx(0.892276, abs=1e-6)


def test_blocks_give_the_same_answer() -> None:
    economy = load_economy(BEA)
    whole, small = value_bases(economy), value_bases(economy, block=7)
    pd.testing.assert_frame_equal(whole.table, small.table, rtol=1e-12)


def test_statistics_are_vectorised_over_bases() -> None:
    price = np.array([1.0, 2.0, 4.0, 8.0])
    content = np.column_stack([price * 3, [1.0, 1, 1, 1], [0.0, 2, 4, 8], [8.0, 4, 2, 1]])
    r, r2, mad, m = content_statistics(price, content)
    assert r[0] == pytest.approx(1) and mad[0] == pytest.approx(0, abs=1e-15)
    assert math.isnan(r[1]) and m.tolist() == [4, 4, 3, 4]
    assert r[3] == pytest.approx(-1) and r2[3] == pytest.approx(1)


def test_output_directory_has_table_and_chart(tmp_path: Path) -> None:
    code, out, err = run("bases", CHAIN, "-o", tmp_path / "out")
    assert code == 0, err
    frame = pd.read_csv(tmp_path / "out" / "bases.csv")
    assert frame["basis"].astype(str).tolist() == ["labour", "0", "1"]
    assert frame["labour"].tolist() == [True, False, False]
    page = (tmp_path / "out" / "bases.html").read_text()
    assert "ranks <strong>1</strong> of 3" in page and "<script src" not in page
    assert "1*" in out


def test_unproductive_table_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "sectors.csv").write_text("id,code,name\n0,a,A\n")
    (folder / "Z.csv").write_text("row,col,value\n0,0,150\n")
    (folder / "x.csv").write_text("id,x\n0,100\n")
    (folder / "y.csv").write_text("id,y\n0,-50\n")
    (folder / "va.csv").write_text("id,va,compensation\n0,-50,10\n")
    code, out, err = run("bases", folder, "--json")
    assert code == 2 and out == ""
    assert "spectral radius" in err.lower() or "productive" in err.lower()
