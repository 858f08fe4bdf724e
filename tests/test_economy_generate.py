"""``economy generate``: planned economies disaggregated from a real table.

On the bundled US 2017 summary table (``examples/us-2017``, BEA, 71 industries), at small
sizes (n of a few hundred to a few thousand): the split follows gross output, hubs keep
dense rows, the products' inputs aggregate back to the table's coefficients, every choice of
technique is productive and no technique dominates, the same seed gives the same economy,
and the plan written solves to a certified optimum from memory and from its files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from typer.testing import CliRunner

import kantorovich
from kantorovich.economy.cli import economy_app
from kantorovich.economy.generate import (BASE_CAP, HUB_THRESHOLD, TECHNIQUE_CAP,
                                          generate_economy)
from kantorovich.economy.table import Economy, load_economy
from kantorovich.errors import PlanError

US = Path(__file__).parents[1] / "examples" / "us-2017"
RUNNER = CliRunner()


@pytest.fixture(scope="module")
def us() -> Economy:
    return load_economy(US)


@pytest.fixture(scope="module")
def small(us: Economy):  # noqa: ANN201 - a GeneratedEconomy
    return generate_economy(us, 600, techniques=3, seed=7)


# ---- the bundled example -----------------------------------------------------------
def test_example_loads_with_the_published_spectral_radius(us: Economy) -> None:
    from kantorovich.economy.checks import check_economy

    check = check_economy(us)
    assert us.n == 71 and us.Z.nnz == 5037 and us.labour_source == "compensation"
    assert round(check.spectral_radius, 3) == 0.489      # shared README: rho(A) = 0.489
    assert check.productive and us.unit == "millions of current US dollars"


def test_example_values_run_from_the_repository() -> None:
    result = RUNNER.invoke(economy_app, ["values", str(US), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["labour_values"]) == 71
    assert all(0 < v < 1 for v in data["labour_values"].values())


def test_example_names_source_and_licence() -> None:
    text = (US / "README.md").read_text(encoding="utf-8")
    assert "Bureau of Economic Analysis" in text and "public domain" in text
    assert "USEPA/useeior" in text and "1565a70b7da2e50ff7ab5fc344fc0ba95f307a8a" in text


# ---- the split ---------------------------------------------------------------------
def test_products_follow_gross_output(us: Economy, small) -> None:  # noqa: ANN001
    counts = small.products_per_sector
    assert counts.sum() == 600 and counts.min() >= 1
    expected = 1 + (600 - 71) * us.x / us.x.sum()
    assert np.all(np.abs(counts - expected) < 1.0 + 1e-9)   # largest remainders
    assert np.all(np.diff(small.sector) >= 0)               # products sorted by sector
    ids = pd.Series(small.product_ids.to_pylist())
    assert ids.is_unique and ids.iloc[0] == f"{us.sectors['code'].iloc[0]}.1"


def test_fewer_products_than_sectors_is_refused(us: Economy) -> None:
    with pytest.raises(PlanError, match="fewer products than the 71 sectors"):
        generate_economy(us, 50)


def test_same_seed_same_economy_other_seed_another(us: Economy, small) -> None:  # noqa: ANN001
    again = generate_economy(us, 600, techniques=3, seed=7)
    assert (again.materials != small.materials).nnz == 0
    assert np.array_equal(again.labour, small.labour)
    assert np.array_equal(again.labour_factor, small.labour_factor)
    other = generate_economy(us, 600, techniques=3, seed=8)
    assert (other.materials != small.materials).nnz > 0


# ---- structure taken from the table -------------------------------------------------
def test_hubs_are_dense_rows_of_the_table(us: Economy, small) -> None:  # noqa: ANN001
    hubs = small.info["hubs"]
    assert 0 < len(hubs) <= 6 and "Wholesale trade" in hubs
    A = us.A.tocsr()
    M = small.materials.tocsr()
    for name in hubs:
        i = int(np.flatnonzero(us.sectors["name"] == name)[0])
        assert (A[i] >= HUB_THRESHOLD).sum() >= 0.8 * us.n
        # its hub product (the one with most buyers) is bought by every product of every
        # sector that buys from the hub
        members = np.flatnonzero(small.sector == i)
        product = int(members[np.argmax(np.diff(M.indptr)[members])])
        buyers = np.flatnonzero(A[i].toarray().ravel()[small.sector] > 0)
        assert set(buyers) - {product} <= set(M[product].indices)
    hub_rows = np.diff(M.indptr)
    assert np.sort(hub_rows)[-len(hubs):].min() > 0.9 * small.n


def test_inputs_aggregate_back_to_the_table(us: Economy) -> None:
    """Summing the products' purchases by sector gives back A (up to the noise): the
    links are the table's, not random."""
    g = generate_economy(us, 3000, techniques=1, seed=3)
    M = g.materials
    S = sp.csr_matrix((np.ones(g.n), (np.arange(g.n), g.sector)), shape=(g.n, us.n))
    # sector-by-sector coefficients, each product weighted equally within its sector
    per_sector = (S.T @ M @ S).toarray() / np.bincount(g.sector)[None, :]
    A = np.maximum(us.A.toarray(), 0)
    big = A > 0.01
    assert np.corrcoef(A[big], per_sector[big])[0, 1] > 0.9
    # the column totals are the table's (capped at BASE_CAP)
    assert np.allclose(per_sector.sum(axis=0), np.minimum(A.sum(axis=0), BASE_CAP), rtol=0.1)


def test_sparsity_grows_like_n_log_n(us: Economy) -> None:
    per_product = []
    for n in (500, 4000):
        g = generate_economy(us, n, techniques=1, seed=1)
        per_product.append(g.materials.nnz / n)
        hubs = len(g.info["hubs"])
        assert per_product[-1] <= hubs + math.ceil(0.5 * math.log(n))
    assert per_product[1] > per_product[0]


def test_every_technique_choice_is_productive_and_none_dominates(small) -> None:  # noqa: ANN001
    base, l0 = small.technique(0)
    for k in range(small.techniques):
        A, labour = small.technique(k)
        assert np.asarray(A.sum(axis=0)).max() <= TECHNIQUE_CAP + 1e-12
        rho = abs(spla.eigs(A, k=1, return_eigenvectors=False)[0])
        assert rho < 1
        if k:
            more_labour = labour > l0
            more_materials = np.asarray(A.sum(axis=0)).ravel() > np.asarray(
                base.sum(axis=0)).ravel()
            materials = np.asarray(base.sum(axis=0)).ravel() > 0
            # more of one means less of the other
            assert np.all(more_labour[materials] != more_materials[materials])
    assert np.all(small.labour_factor[:, 1] > 1) and np.all(small.labour_factor[:, 2] < 1)


def test_basket_is_final_demand_with_negatives_floored(us: Economy, small) -> None:  # noqa: ANN001
    assert math.isclose(small.basket.sum(), 1.0)
    negative = np.flatnonzero(us.y < 0)
    assert len(negative) == 6 and small.info["negative_final_demand_sectors"] == 6
    assert np.all(small.basket[np.isin(small.sector, negative)] == 0)
    assert math.isclose(small.labour_supply, us.va["compensation"].sum())


# ---- plans that solve ---------------------------------------------------------------
@pytest.mark.parametrize(("n", "k"), [(200, 3), (1500, 2)])
def test_plan_from_frames_solves_certified(us: Economy, n: int, k: int) -> None:
    g = generate_economy(us, n, techniques=k, seed=n)
    plan = g.to_plan()
    assert len(plan.processes) == n * k
    result = kantorovich.solve(plan)
    assert result.status == "optimal", result.status
    assert result.certificate.verified, result.certificate
    # sets: final demand delivered, near the table's total (more with a choice)
    assert 0.8 * g.info["final_demand"] < result.objective < 1.5 * g.info["final_demand"]


def test_written_plan_solves_end_to_end(tmp_path: Path) -> None:
    from kantorovich.cli import app

    out = tmp_path / "econ"
    made = RUNNER.invoke(economy_app, ["generate", "--like", str(US), "-n", "300",
                                       "--techniques", "2", "--seed", "5", "-o", str(out),
                                       "--json"])
    assert made.exit_code == 0, made.stderr
    info = json.loads(made.stdout)
    assert info["products"] == 300 and info["processes"] == 600
    assert {p.name for p in out.iterdir()} >= {"plan.yaml", "goods.parquet",
                                               "processes.parquet", "flows.parquet",
                                               "basket.parquet", "generated.json"}
    flows = pd.read_parquet(out / "flows.parquet")
    assert list(flows.columns) == ["process", "good", "input", "output"]
    assert len(flows) == info["flows"]
    plan = kantorovich.load_plan(out / "plan.yaml")
    result = kantorovich.solve(plan)
    assert result.status == "optimal" and result.certificate.verified
    solved = RUNNER.invoke(app, ["solve", str(out / "plan.yaml"), "-o", str(tmp_path / "r")])
    assert solved.exit_code == 0, solved.stderr
    assert (tmp_path / "r" / "summary.json").is_file()


def test_generate_refuses_bad_sizes_located() -> None:
    result = RUNNER.invoke(economy_app, ["generate", "--like", str(US), "-n", "10", "-o",
                                         "never"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "71 sectors" in result.stderr and not Path("never").exists()


# ---- --hubs: the density of a generated plan (issue 18's twelve million) ----------------
def test_hubs_option_sets_the_hub_rows_and_the_flow_count(tmp_path: Path) -> None:
    from kantorovich.economy.generate import MAX_HUBS

    counts = {}
    for hubs in (None, 0, 1):
        out = tmp_path / f"h{hubs}"
        made = RUNNER.invoke(economy_app, ["generate", "--like", str(US), "-n", "2000",
                                           "--techniques", "2", "--seed", "3", "-o", str(out),
                                           "--json", *(["--hubs", str(hubs)] if hubs is not None
                                                       else [])])
        assert made.exit_code == 0, made.stderr
        info = json.loads(made.stdout)
        assert len(pd.read_parquet(out / "flows.parquet")) == info["flows"]
        counts[hubs] = info
    assert len(counts[None]["hubs"]) == MAX_HUBS and counts[0]["hubs"] == []
    assert counts[1]["hubs"] == counts[None]["hubs"][:1]
    # a hub product is bought by every buyer of its sector: each hub adds a dense row
    assert counts[0]["flows"] < counts[1]["flows"] < counts[None]["flows"]
    # with no hubs every input is drawn: at most `draws` suppliers a product
    assert counts[0]["material_nonzeros"] <= 2000 * counts[0]["supplier_draws"]


@pytest.mark.parametrize("value", ["-1", "two"])
def test_bad_hubs_refused_located(value: str) -> None:
    result = RUNNER.invoke(economy_app, ["generate", "--like", str(US), "-n", "300",
                                         "--hubs", value, "-o", "never"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "--hubs" in result.stderr and not Path("never").exists()


def test_generator_refuses_bad_hubs() -> None:
    us = load_economy(US)
    with pytest.raises(PlanError, match="--hubs -2"):
        generate_economy(us, 300, hubs=-2)
    with pytest.raises(PlanError, match="hub_products=0"):
        generate_economy(us, 300, hub_products=0)
