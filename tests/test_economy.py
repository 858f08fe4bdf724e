"""Input-output economies: loading, checks and Leontief accounting.

Golden figures from Miller & Blair, *Input-Output Analysis: Foundations and Extensions*
(2nd ed., 2009), section 2.3; property tests on random productive economies.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from kantorovich.economy.checks import check_economy, spectral_radius
from kantorovich.economy.leontief import (
    LeontiefSystem, accounts, gross_output, labour_values, multipliers)
from kantorovich.economy.table import Economy, load_economy
from kantorovich.errors import PlanError

MB = Path(__file__).parent / "data" / "io" / "miller_blair_2009_table_2_3"


# ---- golden: Miller & Blair (2009), Table 2.3 -------------------------------------------
def test_miller_blair_coefficients_and_leontief_inverse() -> None:
    """Published (M&B 2009, Table 2.4 and the text after it): A = [[.15, .25], [.20, .05]],
    L = (I - A)^-1 = [[1.2541, 0.3300], [0.2640, 1.1221]] to 4 decimals. Exactly,
    L = [[.95, .25], [.20, .85]] / 0.7575 = [[1.25413, 0.33003], [0.26403, 1.12211]]."""
    e = load_economy(MB)
    assert np.allclose(e.A.toarray(), [[0.15, 0.25], [0.20, 0.05]], atol=1e-15)
    # the inverse, column by column, only to compare with the book (2 sectors)
    L = LeontiefSystem(e.A).solve(np.eye(2))
    assert np.allclose(L, [[1.2541, 0.3300], [0.2640, 1.1221]], atol=5e-5)
    assert np.allclose(L, np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575, rtol=1e-13)


def test_miller_blair_new_final_demand() -> None:
    """Published (M&B 2009, eq. 2.13): for f = (600, 1500), x = (1247.52, 1841.58)."""
    x, method = gross_output(load_economy(MB), [600, 1500])
    assert x.round(2).tolist() == [1247.52, 1841.58]
    assert method == "splu"
    assert x.index.tolist() == [0, 1]


def test_miller_blair_prices_and_multipliers() -> None:
    """The base year's unit prices are 1 in the Leontief price model (M&B 2009, section
    2.6): value added per unit, vertically integrated, v = l + vA with l = (0.65, 0.70)
    gives v = (1, 1) and reproduces the table: v·f = l·x = 2050 (total value added).
    Output multipliers are the column sums of the published L: 1.5181 and 1.4521."""
    e = load_economy(MB)
    a = accounts(e)
    assert np.allclose(a.labour_values, [1.0, 1.0], rtol=1e-14)
    assert np.allclose(a.output, [1000, 2000], rtol=1e-14)
    assert a.embodied_labour(pd.Series(e.y, index=e.ids)) == pytest.approx(2050)
    assert np.allclose(a.output_multipliers, [1.2541 + 0.2640, 0.3300 + 1.1221], atol=2e-4)
    m, _ = multipliers(e)
    assert np.allclose(m["labour"], 1.0) and np.allclose(m["labour_type_i"], [1 / .65, 1 / .7])
    check = check_economy(e)
    assert check.ok and not check.findings and check.cleanup == ()
    assert check.spectral_radius == pytest.approx(0.1 + np.sqrt(0.0525), rel=1e-12)


# ---- the three ways in ------------------------------------------------------------------
def test_parquet_folder_reads_like_csv(tmp_path: Path) -> None:
    for csv in MB.glob("*.csv"):
        frame = pd.read_csv(csv, dtype={"code": str, "region": str}, keep_default_na=False)
        frame.to_parquet(tmp_path / f"{csv.stem}.parquet")
    a, b = load_economy(MB), load_economy(tmp_path)
    assert (a.A != b.A).nnz == 0 and np.array_equal(a.labour, b.labour)
    assert b.sectors["code"].tolist() == ["1", "2"]


def test_both_csv_and_parquet_is_ambiguous(tmp_path: Path) -> None:
    for csv in MB.glob("*.csv"):
        (tmp_path / csv.name).write_text(csv.read_text())
    pd.read_csv(MB / "x.csv").to_parquet(tmp_path / "x.parquet")
    with pytest.raises(PlanError, match="both x.csv and x.parquet"):
        load_economy(tmp_path)


def test_pymrio_like_object() -> None:
    """Duck-typed: the attributes a pymrio IOSystem has (Z, Y, x, extensions with F)."""
    idx = pd.MultiIndex.from_product([["reg1"], ["sector1", "sector2"]],
                                     names=["region", "sector"])
    io = SimpleNamespace(
        Z=pd.DataFrame([[150, 500], [200, 100]], index=idx, columns=idx),
        Y=pd.DataFrame([[300, 50], [1000, 700]], index=idx,
                       columns=pd.MultiIndex.from_product([["reg1"], ["hh", "exports"]])),
        x=pd.DataFrame({"indout": [1000, 2000]}, index=idx),
        factor_inputs=SimpleNamespace(F=pd.DataFrame([[650, 1400], [5, 9]], columns=idx,
                                                     index=["Value Added", "CO2"])))
    e = Economy.from_pymrio(io, labour=("factor_inputs", "Value Added"),
                            resources={"co2": ("factor_inputs", "CO2")})
    assert np.allclose(e.y, [350, 1700]) and e.sectors["region"].tolist() == ["reg1"] * 2
    assert np.allclose(accounts(e).labour_values, 1.0)
    assert np.allclose(e.resource("co2"), [5 / 1000, 9 / 2000])
    io.Y = io.Y.iloc[::-1]
    with pytest.raises(PlanError, match="Y's rows differ"):
        Economy.from_pymrio(io)


def test_real_pymrio_if_installed() -> None:
    pymrio = pytest.importorskip("pymrio", reason="pymrio is not installed (a peer, not a "
                                                  "dependency)")
    io = pymrio.load_test().calc_all()
    e = Economy.from_pymrio(io)
    x, _ = gross_output(e)
    assert np.allclose(x, io.x.iloc[:, 0], rtol=1e-8)


# ---- bad input, located -----------------------------------------------------------------
def _copy(tmp_path: Path, **replace: str) -> Path:
    for csv in MB.glob("*.csv"):
        (tmp_path / csv.name).write_text(replace.get(csv.stem, csv.read_text()))
    return tmp_path


@pytest.mark.parametrize(("name", "text", "needle", "line"), [
    ("Z", "row,col,value\n0,0,150\n0,7,5\n", "outside 0..1", 3),
    ("Z", "row,col,value\n0,0,150\n0,0,5\n", "more than once", None),
    ("Z", "row,col,value\n0,0,abc\n", "'abc' is not a finite number", 2),
    ("x", "id,x\n0,1000\n1,-3\n", "Sector 2 (id 1) has negative gross output", None),
    ("x", "id,x\n0,1000\n", "no row for sector Sector 2 (id 1)", None),
    ("y", "id,demand\n0,1\n", "missing column y", 1),
    ("sectors", "id,code,name\n0,1,a\n2,2,b\n", "ids must be 0, 1", 3),
])
def test_bad_tables_are_located(tmp_path: Path, name: str, text: str, needle: str,
                                line: int | None) -> None:
    with pytest.raises(PlanError) as info:
        load_economy(_copy(tmp_path, **{name: text}))
    problem = next(p for p in info.value.problems if needle in p.message)
    assert Path(problem.file).name.startswith(name) and problem.line == line


def test_missing_folder_and_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="not a folder"):
        load_economy(tmp_path / "nowhere")
    (tmp_path / "x.csv").unlink(missing_ok=True)
    _copy(tmp_path)
    (tmp_path / "x.csv").unlink()
    with pytest.raises(PlanError, match="no x.csv or x.parquet"):
        load_economy(tmp_path)


def test_labour_proxy_is_only_value_added_when_asked(tmp_path: Path) -> None:
    folder = _copy(tmp_path, va="id,va\n0,650\n1,1400\n")
    e = load_economy(folder)
    assert e.labour is None
    assert any(f.code == "no-labour" for f in check_economy(e).findings)
    with pytest.raises(PlanError, match="no column 'compensation'") as info:
        load_economy(folder, labour="compensation")
    assert "--labour va" in info.value.problems[0].hint
    assert np.allclose(accounts(load_economy(folder, labour="va")).labour_values, 1.0)


# ---- checks -----------------------------------------------------------------------------
def test_zero_output_sector_is_kept_and_stated() -> None:
    Z = [[150, 500, 0], [200, 100, 0], [0, 0, 0]]
    e = Economy.from_arrays(Z, [350, 1700, 0], compensation=[650, 1400, 0])
    check = check_economy(e)
    assert check.zero_output_sectors == (2,)
    assert any("kept as zero columns" in c for c in check.cleanup)
    a = accounts(e)
    assert np.isnan(a.labour_values[2]) and np.allclose(a.labour_values[:2], 1.0)
    assert a.output[2] == 0


def test_imbalance_negative_flow_and_unproductive_economy_are_reported() -> None:
    e = Economy.from_arrays([[150, -5], [200, 100]], [855, 1700], x=[1000, 2100],
                            rounding=1.0)
    codes = {f.code: f for f in check_economy(e).findings}
    assert "sector 1 (id 1" in codes["row-balance"].message and codes["row-balance"].sectors == (1,)
    assert "sector 0 (id 0, code s0) -> sector 1 (id 1, code s1) (-5)" in codes["negative-flow"].message
    bad = Economy.from_arrays([[900, 1500], [200, 100]], [-1400, 1700], x=[1000, 2000])
    check = check_economy(bad)
    assert not check.ok and not check.productive
    assert {f.code for f in check.findings} >= {"not-productive", "column-sum"}


def test_spectral_radius_methods_agree() -> None:
    rng = np.random.default_rng(7)
    A = sp.random(400, 400, density=0.02, random_state=rng, format="csr")
    A = A @ sp.diags(0.8 / np.maximum(np.asarray(A.sum(axis=0)).ravel(), 1e-9))
    rho, how = spectral_radius(A)
    dense = np.abs(np.linalg.eigvals(A.toarray())).max()
    assert how == "ARPACK eigs" and rho == pytest.approx(dense, rel=1e-8)
    from kantorovich.economy.checks import _perron_bound

    bound, how = _perron_bound(abs(A).tocsr())
    assert bound == pytest.approx(dense, rel=1e-6) and how.startswith("Perron bound")


# ---- properties on random productive economies -----------------------------------------
@st.composite
def productive_economies(draw: st.DrawFn) -> tuple[Economy, np.ndarray]:
    n = draw(st.integers(2, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    A = sp.random(n, n, density=draw(st.floats(0.05, 0.6)), random_state=rng, format="csc")
    sums = np.asarray(A.sum(axis=0)).ravel()
    A = A @ sp.diags(rng.uniform(0, 0.95, n) / np.where(sums > 0, sums, 1))
    y = rng.uniform(0, 100, n)
    x = LeontiefSystem(A).solve(y)
    labour = rng.uniform(0.01, 1, n)
    return Economy.from_arrays(A @ sp.diags(x), y, x, compensation=labour * x), labour


@settings(max_examples=examples(30), deadline=None)
@given(productive_economies())
def test_accounting_identities(drawn: tuple[Economy, np.ndarray]) -> None:
    e, labour = drawn
    a = accounts(e)
    A = e.A
    x, v = a.output.to_numpy(), a.labour_values.to_numpy()
    assert np.abs(x - A @ x - e.y).max() <= 1e-9 * np.abs(e.y).max()
    assert np.abs(v - (labour + A.T @ v)).max() <= 1e-9 * v.max()  # v = l + vA
    assert v @ e.y == pytest.approx(labour @ x, rel=1e-9)        # v·y = l·x
    assert (x >= -1e-9).all() and (v >= labour - 1e-12).all()
    it = accounts(e, method="iteration")
    # each solve iterates, handing over to GMRES where the iteration converges slowly
    # (`lp.leontief`): "iteration (k steps)", "gmres", or the two solves' " / " apart
    assert all(re.fullmatch(r"iteration \(\d+ steps\)|gmres", part)
               for part in it.method.split(" / ")), it.method
    assert np.allclose(it.output, x, rtol=1e-9, atol=1e-9)
    assert np.allclose(it.labour_values, v, rtol=1e-9)
    lv, how = labour_values(e, method="splu")
    assert how == "splu" and np.allclose(lv, v, rtol=1e-12)


def test_a_large_economy_chooses_its_method_without_failing() -> None:
    """Above the sparse-LU limit the automatic choice iterates (a norm bound of |A|, read
    on np.matrix sums, once failed: a million-sector economy could not be valued)."""
    import numpy as np
    import scipy.sparse as sp

    from kantorovich.economy import leontief

    n = leontief.DIRECT_UP_TO + 1
    rng = np.random.default_rng(0)
    rows = rng.integers(0, n, 3 * n)
    cols = np.repeat(np.arange(n), 3)
    A = sp.csr_matrix((rng.uniform(0.05, 0.25, 3 * n), (rows, cols)), shape=(n, n))
    system = leontief.LeontiefSystem(A)
    assert 0 < system.norm_bound() < 1
    assert system.method.startswith("iteration")
    labour = np.full(n, 0.5)
    v = system.solve(labour, transposed=True)          # v = l + vA
    assert system.residual(v, labour, transposed=True) < 1e-9
