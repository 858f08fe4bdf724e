"""Sweeps: the grid, the store, known answers at each level of the District 3 rule, the
frontier page, Monte Carlo samples and the robust plan.

The runner runs here without Dask (``local=False``) or on one real `LocalCluster`
(``workers=1``); killing workers and runs, and a cluster started by hand, are in
test_sweep_dask.py.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kantorovich as k
from kantorovich.files import OUTPUT_MARKER, OutputError
from kantorovich.sweep.grid import SweepError, grid_points, parse_vary
from kantorovich.sweep.plan_sweep import SamplePlan, sweep_plan
from kantorovich.sweep.runner import Cluster, _square_plus, run_points
from kantorovich.sweep.sample import (draw, parse_uncertainty, robust_plan)
from kantorovich.sweep.store import STORE_FOLDER, open_store

RULE = "policies.district-3-bread"


@pytest.fixture(scope="module")
def cluster():
    """One real local Dask cluster (one worker process) for the module, started when a
    test first needs it."""
    with Cluster(workers=1) as shared:
        yield shared
LEVELS = [1.0e6, 1.5e6, 2.0e6, 2.25e6, 2.5e6]


# -- the grid -----------------------------------------------------------------------------
def test_vary_values_are_evenly_spaced_and_rounded() -> None:
    vary = parse_vary("supply.wheat=0:1:11")
    assert vary.values == [round(0.1 * i, 12) for i in range(11)]
    assert vary.values[3] == 0.3                      # not 0.30000000000000004
    assert parse_vary("demand.bolts=5:5:1").values == [5.0]
    assert parse_vary("objective.bolts=1000:3000:3").change == "weights"


@pytest.mark.parametrize(("text", "message", "hint"), [
    ("supply.wheat", "has no KEY=", "KEY=START:STOP:COUNT"),
    ("price.wheat=1:2:3", "not a key a sweep can vary", "supply.GOOD"),
    ("supply.wheat=1:2", "expected START:STOP:COUNT", "KEY=START:STOP:COUNT"),
    ("supply.wheat=a:2:3", "START 'a' is not a number", "KEY=START:STOP:COUNT"),
    ("supply.wheat=1:inf:3", "finite", "KEY=START:STOP:COUNT"),
    ("supply.wheat=1:2:0", "COUNT '0' must be a whole number", "KEY=START:STOP:COUNT"),
    ("supply.wheat=1:2:2.5", "COUNT '2.5'", "KEY=START:STOP:COUNT"),
    ("supply.wheat=1:2:1", "one value cannot run from 1 to 2", "COUNT 2 or more"),
])
def test_bad_vary_text_says_what_and_how(text: str, message: str, hint: str) -> None:
    with pytest.raises(SweepError) as caught:
        parse_vary(text)
    assert message in caught.value.message and text in caught.value.message
    assert hint in caught.value.hint
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(("text", "message", "hint"), [
    ("supply.wheet=1:2:2", "no good 'wheet'", "did you mean 'supply.wheat'?"),
    ("policies.district-3-brad=1:2:2", "no policy 'district-3-brad'",
     "did you mean 'policies.district-3-bread'?"),
    ("policies.nothing-like-it=1:2:2", "no policy", "district-3-bread, mill-3-quota"),
    ("processes.mill-5-miling.capacity=1:2:2", "no process 'mill-5-miling'",
     "did you mean 'processes.mill-5-milling.capacity'?"),
    ("processes.mill-5-milling.capacity=-5:2:2", "-5 is refused: min_level 0 is above",
     "raise capacity"),
    ("objective.bolts=1:inf:2", "finite", "KEY=START:STOP:COUNT"),
])
def test_vary_checked_against_the_plan(leningrad_plan: k.Plan, text: str, message: str,
                                       hint: str) -> None:
    with pytest.raises(SweepError) as caught:
        grid_points([parse_vary(text)], leningrad_plan)
    assert message in caught.value.message, caught.value.message
    assert text.split("=")[0] in caught.value.message
    assert hint in (caught.value.hint or ""), caught.value.hint


def test_grid_is_the_product_and_refuses_a_key_twice(leningrad_plan: k.Plan) -> None:
    points = grid_points([parse_vary("supply.wheat=3000:4000:3"),
                          parse_vary(f"{RULE}=1e6:2e6:2")], leningrad_plan)
    assert len(points) == 6
    assert points[0] == {"supply.wheat": 3000.0, RULE: 1e6}
    assert points[-1] == {"supply.wheat": 4000.0, RULE: 2e6}
    with pytest.raises(SweepError, match="given twice"):
        grid_points([parse_vary("supply.wheat=1:2:2"), parse_vary("supply.wheat=1:3:2")],
                    leningrad_plan)
    with pytest.raises(SweepError, match="more than a sweep takes"):
        grid_points([parse_vary("supply.wheat=1:2:1000"), parse_vary("supply.steel=1:2:1001")],
                    leningrad_plan)


# -- the District 3 rule: known answers -------------------------------------------------
@pytest.fixture(scope="module")
def rule_sweep(tmp_path_factory: pytest.TempPathFactory, cluster: Cluster
               ) -> tuple[Path, object]:
    plan = k.load_plan(Path(__file__).parent.parent / "examples" / "leningrad.yaml")
    out = tmp_path_factory.mktemp("sweep") / "district-3"
    vary = f"{RULE}={LEVELS[0]:g}:{LEVELS[-1]:g}:7"
    return out, sweep_plan(plan, [vary], out, client=cluster)


def test_each_level_equals_an_independent_solve(rule_sweep: tuple[Path, object],
                                                leningrad_plan: k.Plan) -> None:
    out, outcome = rule_sweep
    points = pd.read_parquet(out / "points.parquet")
    assert list(points[RULE]) == [1e6, 1.25e6, 1.5e6, 1.75e6, 2e6, 2.25e6, 2.5e6]
    assert list(points.columns[:3]) == [RULE, "status", "objective"]
    for _, row in points.iterrows():
        changed = leningrad_plan.with_changes(rules={"district-3-bread": row[RULE]})
        alone = k.solve(changed)
        assert row["status"] == alone.status.value
        if not alone.is_optimal:
            assert math.isnan(row["price.wheat"])
            continue
        assert row["objective"] == pytest.approx(alone.objective, rel=1e-9)
        for good, price in alone.shadow_prices.items():
            assert row[f"price.{good}"] == pytest.approx(price, rel=1e-7, abs=1e-9)
        costs = k.policy_costs(alone)
        for policy, cost in costs["cost"].items():
            assert row[f"rule_cost.{policy}"] == pytest.approx(cost, rel=1e-7, abs=1e-6)
        assert row["rule_price.district-3-bread"] == pytest.approx(
            alone.policy_prices.at["district-3-bread", "price"], abs=1e-9)
    # the published figures of the scene: at 2 million loaves the plan reaches 6,670,667
    # loaves, the rule's price is 0.03 loaves a loaf and dropping it gains 3,500 loaves
    at_2m = points.set_index(RULE).loc[2e6]
    assert round(at_2m["objective"]) == 6_670_667
    assert at_2m["rule_price.district-3-bread"] == pytest.approx(0.03)
    assert at_2m["rule_cost.district-3-bread"] == pytest.approx(3500)
    # below what the optimum bakes in District 3 anyway the rule is free; above 2.47
    # million loaves (Mill No. 3's 1,400 t of flour plus 80 t by rail) no plan meets it
    assert (points.loc[points[RULE] <= 1.75e6, "rule_cost.district-3-bread"] == 0).all()
    assert points.set_index(RULE).loc[2.5e6, "status"] == "infeasible"
    assert outcome.to_dict()["points"] == 7


def test_the_frontier_page_is_offline_and_complete(rule_sweep: tuple[Path, object]) -> None:
    out, _ = rule_sweep
    page = (out / "frontier.district-3-bread.html").read_text(encoding="utf-8")
    assert "District 3 bakes at least 2 million loaves a week" in page
    sources = re.findall(r"<script[^>]*\ssrc=", page)
    assert sources == []                           # plotly.js is inside, not fetched
    assert re.findall(r"<link[^>]*href=", page) == []
    assert page.count("Plotly.newPlot") == 1 and len(page) > 1_000_000
    summary = json.loads((out / "sweep.json").read_text())
    assert summary["points"] == 7 and summary["state"] == "finished"
    assert "frontier.district-3-bread.html" in summary["files"]
    marker = json.loads((out / OUTPUT_MARKER).read_text())
    assert set(marker["files"]) == {"points.parquet", "frontier.district-3-bread.html",
                                    "sweep.json"}


def test_a_rerun_and_a_widened_grid_reuse_finished_points(leningrad_plan: k.Plan, cluster: Cluster,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = sweep_plan(leningrad_plan, ["supply.wheat=3000:4000:3"], out, client=cluster)
    assert (first.grid.computed, first.grid.reused) == (3, 0)
    again = sweep_plan(leningrad_plan, ["supply.wheat=3000:4000:3"], out, client=cluster)
    assert (again.grid.computed, again.grid.reused, again.grid.workers) == (0, 3, 0)
    wider = sweep_plan(leningrad_plan, ["supply.wheat=2500:4000:7"], out, client=cluster)
    assert (wider.grid.points, wider.grid.computed, wider.grid.reused) == (7, 4, 3)
    # a point equal to the plan's own value is the base point whatever else is swept
    both = sweep_plan(leningrad_plan, ["supply.wheat=4000:4000:1", f"{RULE}=2e6:2e6:1"],
                      out, client=cluster)
    assert (both.grid.computed, both.grid.reused) == (0, 1)
    points = pd.read_parquet(out / "points.parquet")
    assert list(points.columns[:4]) == ["supply.wheat", RULE, "status", "objective"]
    files = list((out / STORE_FOLDER).glob("*.json"))
    assert len(files) == 1 + 7                    # the tag, and each point once
    assert round(points.at[0, "objective"]) == 6_670_667


def test_the_output_directory_never_loses_a_users_file(leningrad_plan: k.Plan, cluster: Cluster,
                                                       tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not a kantorovich output directory"):
        sweep_plan(leningrad_plan, ["supply.wheat=1:2:2"], foreign)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    out = tmp_path / "out"
    sweep_plan(leningrad_plan, ["supply.wheat=3000:4000:2"], out, client=cluster)
    (out / "kept.txt").write_text("the user's")
    (out / "points.parquet.bak").write_text("the user's too")
    sweep_plan(leningrad_plan, ["supply.wheat=3000:4000:3"], out, client=cluster)
    assert (out / "kept.txt").read_text() == "the user's"
    assert (out / "points.parquet.bak").read_text() == "the user's too"
    # a folder of the store's name that is not a store is not written into
    other = tmp_path / "other"
    sweep_plan(leningrad_plan, ["supply.wheat=3000:4000:2"], other, client=cluster)
    store = other / STORE_FOLDER
    for f in store.iterdir():
        f.unlink()
    store.rmdir()
    store.mkdir()
    (store / "data.csv").write_text("x")
    with pytest.raises(OutputError, match="is in the way"):
        sweep_plan(leningrad_plan, ["supply.wheat=3000:4000:2"], other, client=cluster)
    assert sorted(p.name for p in store.iterdir()) == ["data.csv"]
    # the plan's own folder is refused
    with pytest.raises(OutputError):
        sweep_plan(leningrad_plan, ["supply.wheat=1:2:2"], tmp_path, inputs=[foreign / "notes.txt"])


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_frontier_draws_offline_in_a_real_browser(rule_sweep: tuple[Path, object],
                                                      tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    out, _ = rule_sweep
    page_file = out / "frontier.district-3-bread.html"
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: outside.append(r.url)
                    if not r.url.startswith(("file://", "data:", "blob:")) else None)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            page.wait_for_selector("g.scatterlayer g.trace", timeout=15_000)
            traces = page.locator("g.scatterlayer g.trace").count()
            points = page.locator("g.scatterlayer g.trace path.point").count()
            page.screenshot(path=str(tmp_path / "frontier.png"), full_page=True)
        finally:
            browser.close()
    assert outside == [] and errors == []
    assert traces == 3                       # objective, price and cost of the rule
    assert points == 3 * 6                   # the six levels with an optimum, in each panel
    assert (tmp_path / "frontier.png").stat().st_size > 10_000


# -- the generic runner ------------------------------------------------------------------
def test_the_runner_streams_keyed_points_and_reports_failures(tmp_path: Path) -> None:
    store = open_store(tmp_path / "out", manifest={"what": "test"})
    points = [{"seed": s} for s in range(5)] + [{"seed": "x"}]
    summary = run_points(_square_plus, points, store, context=1, salt="t", local=False)
    assert (summary.points, summary.computed, summary.reused) == (6, 5, 0)
    assert len(summary.failed) == 1 and "TypeError" in summary.failed[0][1]
    assert sorted(r["value"] for r in summary.records().values()) == [1, 2, 5, 10, 17]
    seen = []
    again = run_points(_square_plus, points[:5] + points[:2], store, context=1, salt="t",
                       local=False, progress=lambda done, total: seen.append((done, total)))
    assert (again.points, again.computed, again.reused) == (5, 0, 5)
    assert seen == [(5, 5)]
    other = run_points(_square_plus, points[:2], store, context=1, salt="other", local=False)
    assert other.computed == 2                      # another salt: other points


def test_the_runner_on_a_local_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    """... and the cluster leaves this process's environment as it found it (Dask's
    nanny sets MKL's and OpenMP's threads to 1 in the process that starts it)."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    store = open_store(tmp_path / "out", manifest={"what": "test"})
    seen: list[tuple[int, int]] = []
    summary = run_points(_square_plus, [{"seed": s} for s in range(12)], store, context=3,
                         salt="dask", workers=1,
                         progress=lambda done, total: seen.append((done, total)))
    assert (summary.computed, summary.workers, summary.failed) == (12, 1, [])
    assert seen[0] == (0, 12) and seen[-1] == (12, 12) and len(seen) == 13
    assert sorted(r["value"] for r in summary.records().values()) == sorted(
        3 + s * s for s in range(12))
    assert dict(os.environ) == before


# -- Monte Carlo ---------------------------------------------------------------------------
def test_samples_and_the_robust_plan(leningrad_plan: k.Plan, cluster: Cluster, tmp_path: Path) -> None:
    uncertainty = parse_uncertainty(leningrad_plan, ["mill-5=0.9"])
    n = 40
    fails = sum(bool(draw(uncertainty, 7, i)[0]) for i in range(n))
    assert 0 < fails < n
    outcome = sweep_plan(leningrad_plan, [], tmp_path / "mc", client=cluster,
                         sample=SamplePlan(n, uncertainty, seed=7, alpha=0.99))
    samples = pd.read_parquet(tmp_path / "mc" / "samples.parquet")
    assert len(samples) == n and (samples["status"] == "optimal").all()
    down = samples["failed"] == "mill-5"
    assert down.sum() == fails
    # with Mill No. 5 down, its wheat is lost: the optimum is the plan without it
    without = k.solve(leningrad_plan.with_changes(capacity={"mill-5-milling": 0}))
    assert samples.loc[down, "objective"].to_numpy() == pytest.approx(without.objective)
    assert samples.loc[~down, "objective"].to_numpy() == pytest.approx(6_670_666.667)
    spread = outcome.move_spread.set_index(["good", "sender", "receiver"])
    move = spread.loc[("wheat", "mill-3", "mill-5")]
    assert move["share"] == pytest.approx((n - fails) / n)
    assert move["p95"] == pytest.approx(400)
    assert outcome.objective_spread["min"] == pytest.approx(without.objective)
    # holding in 99% of samples means holding when the mill fails: no flour from it is
    # counted on, so the robust plan is the plan with District 5's bakery and the rail idle
    robust = outcome.robust
    idle = k.solve(leningrad_plan.with_changes(
        capacity={"baking-5": 0, "rail-flour-5-to-3": 0}))
    assert robust.status == "optimal" and robust.discarded == 0
    assert robust.nominal_objective == pytest.approx(idle.objective)
    assert robust.share_in_sample == 1.0 and robust.share_fresh == 1.0
    assert robust.levels.at["baking-5", "robust"] == pytest.approx(0, abs=1e-6)
    summary = json.loads((tmp_path / "mc" / "sweep.json").read_text())
    assert summary["sample"]["robust"]["cost_of_reliability"] == pytest.approx(
        6_670_666.667 - idle.objective)
    assert summary["points"] == 0 and summary["sample"]["samples"] == n


def test_a_loose_share_discards_the_failures(leningrad_plan: k.Plan) -> None:
    uncertainty = parse_uncertainty(leningrad_plan, ["mill-5=0.9"])
    n = 40
    fails = sum(bool(draw(uncertainty, 7, i)[0]) for i in range(n))
    robust = robust_plan(leningrad_plan, uncertainty, seed=7, samples=n,
                         alpha=1 - (fails + 1) / n, fresh=400)
    assert robust.status == "optimal" and robust.discarded == fails
    assert robust.nominal_objective == pytest.approx(6_670_666.667)
    assert robust.share_in_sample == pytest.approx(1 - fails / n)
    assert robust.share_fresh == pytest.approx(0.9, abs=0.05)   # the mill's reliability
    assert 0 <= robust.confidence <= 1


def test_uncertain_yields_and_bad_distributions(leningrad_plan: k.Plan) -> None:
    spec = parse_uncertainty(leningrad_plan, [], ["mill-5-milling.flour-d5=0.70:0.72"])
    drawn = [draw(spec, 0, i)[1][0] for i in range(200)]
    assert 0.70 <= min(drawn) and max(drawn) <= 0.72
    assert np.mean(drawn) == pytest.approx(0.71, abs=0.002)
    robust = robust_plan(leningrad_plan, spec, seed=0, samples=30, alpha=1.0, fresh=50)
    assert robust.status == "optimal"
    assert robust.share_in_sample == 1.0
    for args, message in [((["mill-9=0.5"], []), "no unit 'mill-9'"),
                          ((["mill-5=1.5"], []), "not a probability"),
                          (([], ["mill-5-milling.wheat=0:1"]), "not an output"),
                          (([], ["mill-5-milling.flour-d5=0.8:0.7"]), "LOW:HIGH")]:
        with pytest.raises(SweepError, match=message):
            parse_uncertainty(leningrad_plan, *args)
