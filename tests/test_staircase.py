"""How a plan over time is solved: the staircase's crash basis (every process running,
every stock held) where the economy has one and its supply network stays local, interior
point elsewhere; the same certified optimum either way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import kantorovich as k
from kantorovich.lp.compile import compile_plan
from kantorovich.model.expansion import horizon_of
from kantorovich.results.crash import LOCAL_REACH, crash_basis, supplier_reach


def economy(folder: Path, n: int, periods: int, *, local: bool, seed: int = 3) -> k.Plan:
    """An input-output economy of ``n`` products, one process each, five suppliers a
    process (within its block of ten when ``local``, anywhere otherwise), labour, one
    stock per process, and a complete-sets basket each period."""
    rng = np.random.default_rng(seed)
    ids = np.asarray([f"g{i}" for i in range(n)], dtype=object)
    users = np.repeat(np.arange(n), 5)
    suppliers = (users // 10 * 10 + rng.integers(0, 10, users.size)) if local else \
        rng.integers(0, n, users.size)
    keep = suppliers != users
    flows = pd.concat([
        pd.DataFrame({"process": ids, "good": ids, "input": 0.0, "output": 1.0}),
        pd.DataFrame({"process": ids[users[keep]], "good": ids[suppliers[keep]],
                      "input": rng.uniform(0.01, 0.1, keep.sum()), "output": 0.0}),
        pd.DataFrame({"process": ids, "good": "labour", "input": rng.uniform(0.5, 1.5, n),
                      "output": 0.0})], ignore_index=True)
    flows = flows.groupby(["process", "good"], as_index=False, sort=False).sum()
    per_level = rng.uniform(0.2, 1.0, n)
    stocks = pd.DataFrame({"process": ids, "good": ids[(np.arange(n) + 1) % n],
                           "per_level": per_level, "depreciation": 0.1,
                           "initial": per_level * rng.uniform(0.5, 1.5, n)})
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"id": [*ids, "labour"], "unit": ["t"] * n + ["h"]}).to_csv(
        folder / "goods.csv", index=False)
    pd.DataFrame({"id": ids}).to_csv(folder / "processes.csv", index=False)
    flows.to_csv(folder / "flows.csv", index=False)
    stocks.to_csv(folder / "stocks.csv", index=False)
    pd.DataFrame({"good": ids, "count": rng.uniform(0.05, 0.15, n)}).to_csv(
        folder / "basket.csv", index=False)
    (folder / "plan.yaml").write_text(yaml.safe_dump({
        "name": "economy", "horizon": periods, "goods": "goods.csv",
        "processes": "processes.csv", "flows": "flows.csv", "stocks": "stocks.csv",
        "supply": {"labour": [0.6 * n * 1.02 ** t for t in range(periods)]},
        "objective": {"maximize_sets": "basket.csv"}}))
    return k.load_plan(folder / "plan.yaml")


def test_the_reach_of_a_supply_chain() -> None:
    # a chain: each process uses the good of the next; through four links a process
    # draws on itself and the four after it (the last ones on fewer)
    n = 100
    ids = [f"g{i}" for i in range(n)]
    flows = pd.DataFrame({"process": ids + ids[:-1], "good": ids + ids[1:],
                          "input": [0.0] * n + [0.5] * (n - 1),
                          "output": [1.0] * n + [0.0] * (n - 1)})
    assert supplier_reach(flows) == pytest.approx((5 * 96 + 4 + 3 + 2 + 1) / 100)
    assert supplier_reach(flows, links=1) == pytest.approx((2 * 99 + 1) / 100)


def test_a_local_economy_starts_from_its_crash_basis(tmp_path: Path) -> None:
    plan = economy(tmp_path, 400, 4, local=True)
    lp = compile_plan(plan)
    assert lp.matrix.nnz >= 10_000
    timed = horizon_of(plan)
    assert timed is not None
    assert supplier_reach(timed.template.flows) <= 10 + 1     # its block of ten
    crash = crash_basis(timed, lp)
    assert crash is not None
    col_basis, row_basis = crash
    assert (col_basis == "basic").sum() + (row_basis == "basic").sum() == lp.shape[0]
    result = k.solve(plan)
    assert result.is_optimal and result.certificate.verified
    assert result.method == "simplex" and "crash" in result.method_reason
    cold = k.solve(plan, method="simplex")
    assert result.objective == pytest.approx(cold.objective, rel=1e-9)
    assert result.solution.iterations < cold.solution.iterations / 2


def test_a_wide_supply_network_goes_to_interior_point(tmp_path: Path) -> None:
    plan = economy(tmp_path, 400, 4, local=False)
    timed = horizon_of(plan)
    assert timed is not None
    assert supplier_reach(timed.template.flows) > LOCAL_REACH
    assert crash_basis(timed, compile_plan(plan)) is None
    result = k.solve(plan)
    assert result.method == "ipm" and result.certificate.verified
    assert result.objective == pytest.approx(k.solve(plan, method="simplex").objective,
                                             rel=1e-9)
