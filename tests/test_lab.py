"""The institutions laboratory: known answers, conformance, located errors, bytes."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kantorovich as k
from kantorovich.errors import PlanError
from kantorovich.lab.regimes.base import CentreView, Planned, Regime
from kantorovich.lab.run import load_experiment, make_experiment, run_cell, run_experiment

ROOT = Path(__file__).resolve().parents[1]
LENINGRAD = str(ROOT / "examples" / "leningrad.yaml")
DETERMINISTIC = {"honest": False, "reliability": False, "hoarding": False, "innovation": 0.0}


def measure(results, regime: str, name: str) -> float:
    return results.summary["regimes"][regime][name]["mean"]


def per_period(results, regime: str, name: str) -> np.ndarray:
    m = results.measures
    return m[(m["regime"] == regime) & (m["measure"] == name)]["value"].to_numpy(float)


def lab(regimes: dict, *, world=LENINGRAD, periods: int = 4, seeds=(1,), **behaviour):
    return make_experiment({"world": world, "periods": periods, "seeds": list(seeds),
                            "regimes": regimes, "behaviour": behaviour})


# -- known answers --------------------------------------------------------------------------
def test_central_with_honest_units_reaches_the_engines_optimum() -> None:
    results = run_experiment(lab({"central": {}}, honest=True))
    assert np.allclose(per_period(results, "central", "efficiency"), 1.0, atol=1e-9)
    assert measure(results, "central", "misreport") == 1.0
    assert measure(results, "central", "shortfall") == pytest.approx(0.0, abs=1e-9)
    # the realised objective is the engine's own optimum
    optimum = k.solve(k.load_plan(LENINGRAD)).objective
    world = results and make_experiment({"world": LENINGRAD, "regimes": {"central": {}}}).world
    assert world.evaluation(np.ones(world.n_units)).optimum == pytest.approx(optimum)


def test_prices_converge_to_the_central_optimum_and_count_what_they_send() -> None:
    results = run_experiment(lab({"prices": {"tolerance": 1e-7}}, honest=True))
    assert per_period(results, "prices", "efficiency").min() >= 1 - 1e-6
    assert measure(results, "prices", "rounds") >= 1
    assert measure(results, "prices", "messages") > 0
    assert measure(results, "prices", "converged") == 1.0


def _many_techniques(path: Path, units: int = 12, techniques: int = 100) -> Path:
    """Units with many private techniques sharing three resources: what decomposition is
    for (the centre needs each unit's few net quantities, not its technology)."""
    rng = np.random.default_rng(7)
    ids = [f"u{u}-t{t}" for u in range(units) for t in range(techniques)]
    unit = [f"u{u}" for u in range(units) for _ in range(techniques)]
    rows = []
    for pid in ids:
        for good in ("labour", "steel", "energy"):
            rows.append((pid, good, float(rng.uniform(0.2, 2.0)), 0.0))
        rows.append((pid, "goods", 0.0, float(rng.uniform(0.5, 3.0))))
    plan = k.Plan.from_frames(
        name="many techniques",
        goods=pd.DataFrame({"id": ["labour", "steel", "energy", "goods"],
                            "unit": ["h", "t", "MWh", "t"]}),
        units=pd.DataFrame({"id": [f"u{u}" for u in range(units)]}),
        processes=pd.DataFrame({"id": ids, "unit": unit,
                                "capacity": rng.uniform(1, 10, len(ids))}),
        flows=pd.DataFrame(rows, columns=["process", "good", "input", "output"]),
        supply={"labour": 300.0, "steel": 250.0, "energy": 280.0},
        objective={"maximize": {"goods": 1}})
    return plan.save(path, tables=False)


def test_prices_send_far_fewer_numbers_than_technology_reports(tmp_path: Path) -> None:
    world = str(_many_techniques(tmp_path / "many.yaml"))
    results = run_experiment(lab({"prices": {}, "central": {}}, world=world, periods=2,
                                 honest=True))
    assert per_period(results, "prices", "efficiency").min() >= 1 - 1e-6
    assert measure(results, "prices", "rounds") > 1
    prices = measure(results, "prices", "messages")
    central = measure(results, "central", "messages")
    assert prices < central / 4, (prices, central)


def test_weitzman_makes_honesty_the_best_report() -> None:
    results = run_experiment(lab({"weitzman": {"alpha": 0.1, "beta": 0.2, "gamma": 0.3},
                                  "low": {"type": "weitzman", "alpha": 0.3, "beta": 0.2,
                                          "gamma": 0.4},
                                  "high": {"type": "weitzman", "alpha": 0.1, "beta": 0.3,
                                           "gamma": 0.2}}, **DETERMINISTIC))
    assert np.allclose(per_period(results, "weitzman", "misreport"), 1.0, atol=1e-6)
    assert measure(results, "low", "misreport") < 1 - 1e-6     # alpha > beta: under-report
    assert measure(results, "high", "misreport") > 1 + 1e-6    # beta > gamma: over-report


def test_the_ratchet_makes_patient_units_hold_back_output_and_innovate_less() -> None:
    # the ratchet bites where over-fulfilment is free to happen: cloth from plentiful
    # labour, a unit patient enough (Weitzman 1980; docs/lab.md)
    results = run_experiment(lab({"ratchet": {"type": "quota", "ratchet": 1.0},
                                  "fixed": {"type": "quota", "ratchet": 0.0}},
                                 world=str(ROOT / "tests" / "data" / "lab" / "workshop.yaml"),
                                 periods=6, seeds=(1, 2, 3), honest=False,
                                 reliability=False, hoarding=True, innovation=0.05,
                                 discount=0.95))
    assert measure(results, "ratchet", "output_share") < \
        measure(results, "fixed", "output_share") - 0.05
    assert measure(results, "ratchet", "innovation") <= measure(results, "fixed", "innovation")


GROSS_SUBSTITUTES = """\
name: two goods from labour
goods: {labour: {unit: h}, a: {unit: t}, b: {unit: t}}
units: {ua: {region: North}, ub: {region: South}}
processes:
  make-a: {unit: ua, inputs: {labour: 1}, outputs: {a: 1}, capacity: 80}
  make-b: {unit: ub, inputs: {labour: 1}, outputs: {b: 1}, capacity: 60}
supply: {labour: 100}
objective: {maximize: {a: 1, b: 2}}
"""


def test_market_converges_with_gross_substitutes_and_says_when_it_does_not(
        tmp_path: Path) -> None:
    world = tmp_path / "gs.yaml"
    world.write_text(GROSS_SUBSTITUTES)
    results = run_experiment(lab({"market": {"adjustment": 0.1, "max_rounds": 2000},
                                  "fast": {"type": "market", "adjustment": 400,
                                           "max_rounds": 300}},
                                 world=str(world), honest=True))
    assert measure(results, "market", "converged") == 1.0
    assert measure(results, "market", "efficiency") > 0.95
    assert measure(results, "fast", "converged") == 0.0
    failed = measure(results, "fast", "cycling") + measure(results, "fast", "diverging")
    assert failed == 1.0


def test_democratic_vote_sets_the_objective() -> None:
    regions = {"District 3": {"population": 3, "priorities": {"bread": 1, "bolts": 0}},
               "Perm": {"population": 1, "priorities": {"bread": 1, "bolts": 4000}}}
    results = run_experiment(lab({"democratic": {"regions": regions}}, honest=True))
    assert np.allclose(per_period(results, "democratic", "efficiency"), 1.0, atol=1e-9)
    assert measure(results, "democratic", "messages") > measure(
        run_experiment(lab({"central": {}}, honest=True)), "central", "messages")


def test_an_economy_is_a_world(tmp_path: Path) -> None:
    results = run_experiment(lab({"central": {}}, world={"economy": str(
        ROOT / "examples" / "us-2017")}, periods=2, honest=True))
    assert np.allclose(per_period(results, "central", "efficiency"), 1.0, atol=1e-6)
    assert results.units["unit"].nunique() == 71


# -- a regime of one's own ----------------------------------------------------------------
class HalfPlan(Regime):
    """Targets every process at half its reported capacity."""

    type = "half-plan"

    def plan(self, view: CentreView) -> Planned:
        return Planned(np.where(np.isfinite(view.reported_capacity),
                                view.reported_capacity / 2, 0.0), rounds=1,
                       messages=len(view.reported_capacity))


def test_a_user_regime_runs_through_the_interface() -> None:
    experiment = lab({"mine": {"type": "half-plan"}}, **DETERMINISTIC)
    frames = run_cell(experiment, "mine", 1)
    values = frames["measures"]
    assert set(values["measure"]) >= {"efficiency", "misreport", "output_share",
                                      "shortfall", "worst_region", "hoarded",
                                      "innovation", "messages", "rounds"}
    assert (values["period"].unique() == [1, 2, 3, 4]).all()
    # units paid a profit share make more than their half plan, as far as the wheat
    # goes (no margin kept from what they planned): every ton is milled
    units = frames["units"]
    assert (units["output"] >= units["target"] - 1e-6).all()
    mills = units[units["unit"].isin(["mill-3", "mill-5"])]
    assert np.allclose(mills.groupby("period")["output"].sum(), 4000.0)
    assert len(frames["units"]) == 4 * experiment.world.n_units


# -- files, errors, bytes -----------------------------------------------------------------
def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def test_bad_experiment_files_get_located_errors(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", f"""\
        name: bad
        world: {LENINGRAD}
        periods: 3
        regimes:
          central: {{}}
          ratchet: {{type: qouta, ratchet: 0.5}}
          weitzman: {{alpha: 0.1, betta: 0.2}}
        behaviour:
          honset: true
        """)
    with pytest.raises(PlanError) as info:
        load_experiment(bad)
    problems = {p.path: p for p in info.value.problems}
    assert problems["behaviour.honset"].line == 9
    assert "honest" in problems["behaviour.honset"].hint
    with pytest.raises(PlanError) as info:
        load_experiment(write(tmp_path / "bad2.yaml", f"""\
            world: {LENINGRAD}
            regimes:
              ratchet: {{type: qouta, ratchet: 0.5}}
              weitzman: {{alpha: 0.1, betta: 0.2}}
            """))
    problems = {p.path: p for p in info.value.problems}
    assert problems["regimes.ratchet.type"].line == 3
    assert "quota" in problems["regimes.ratchet.type"].hint
    assert problems["regimes.weitzman.betta"].line == 4
    assert "beta" in problems["regimes.weitzman.betta"].hint
    assert all(p.file == str(tmp_path / "bad2.yaml") for p in info.value.problems)
    with pytest.raises(PlanError, match="no plan file"):
        load_experiment(write(tmp_path / "bad3.yaml", "world: nowhere.yaml\n"
                              "regimes: {central: {}}\n"))


def test_the_command_line_exits_2_on_a_bad_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kantorovich.lab.cli import lab_app

    bad = write(tmp_path / "bad.yaml", f"world: {LENINGRAD}\nregimes: {{centrl: {{}}}}\n")
    result = CliRunner().invoke(lab_app, ["run", str(bad)])
    assert result.exit_code == 2
    assert "unknown regime type 'centrl'" in result.output
    assert "did you mean 'central'" in result.output
    assert "Traceback" not in result.output


def test_runs_are_reproducible_to_the_byte_and_json_keeps_its_shape(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kantorovich.lab.cli import lab_app

    exp = write(tmp_path / "e.yaml", f"""\
        name: small
        world: {LENINGRAD}
        periods: 3
        seeds: [1, 2]
        regimes:
          central: {{}}
          ratchet: {{type: quota, ratchet: 0.5}}
          market: {{adjustment: 0.1}}
        behaviour: {{reliability: true, hoarding: true, innovation: 0.2}}
        """)
    runner = CliRunner()
    outputs = []
    for name in ("a", "b"):
        result = runner.invoke(lab_app, ["run", str(exp), "-o", str(tmp_path / name),
                                         "--json", "-q"])
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    for file in ("measures.parquet", "units.parquet", "summary.json", "charts.html"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    summary = outputs[0]
    assert set(summary["regimes"]) == {"central", "ratchet", "market"}
    for regime in summary["regimes"].values():
        for name in ("efficiency", "misreport", "output_share", "shortfall", "worst_region",
                     "hoarded", "innovation", "messages", "rounds"):
            entry = regime[name]
            assert set(entry) == {"mean", "low", "high"}
            assert entry["low"] <= entry["mean"] <= entry["high"]
    measures = pd.read_parquet(tmp_path / "a" / "measures.parquet")
    assert list(measures.columns) == ["world", "regime", "seed", "period", "measure",
                                      "value"]
    assert set(measures["world"]) == {"leningrad"}
    assert summary["worlds"]["leningrad"]["regimes"] == summary["regimes"]
    assert len(measures.drop_duplicates(["regime", "seed", "period", "measure"])) == \
        len(measures)
    html = (tmp_path / "a" / "charts.html").read_text()
    assert "<script src=" not in html and html.count("Plotly.newPlot") == 1


def test_the_shipped_experiment_loads() -> None:
    experiment = load_experiment(ROOT / "experiments" / "nove.yaml")
    assert set(experiment.regimes) >= {"central", "prices", "ratchet", "fixed-quota",
                                       "weitzman", "market", "democratic"}
    assert experiment.spec.seeds == [1, 2, 3, 4, 5]


def test_a_regime_that_cannot_run_on_the_world_says_why(tmp_path: Path) -> None:
    world = tmp_path / "open.yaml"
    world.write_text(GROSS_SUBSTITUTES.replace(", capacity: 60", ""))
    exp = write(tmp_path / "e.yaml", f"world: {world}\nregimes:\n  prices: {{}}\n")
    with pytest.raises(PlanError) as info:
        load_experiment(exp)
    problem = info.value.problems[0]
    assert problem.path == "regimes.prices" and problem.line == 3
    assert "finite capacity" in problem.message


def test_cells_map_onto_a_process_pool() -> None:
    from concurrent.futures import ProcessPoolExecutor

    experiment = lab({"central": {}, "ratchet": {"type": "quota"}}, periods=2, seeds=(1, 2),
                     reliability=True)
    serial = run_experiment(experiment)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = run_experiment(experiment, map=pool.map)
    pd.testing.assert_frame_equal(serial.measures, pooled.measures)
    assert serial.summary == pooled.summary


def test_the_centre_sees_reports_not_capacities() -> None:
    seen = []

    class Peek(Regime):
        type = "peek"

        def rules(self):  # alpha > beta: units under-report (Weitzman 1976)
            from kantorovich.lab.regimes.weitzman import WeitzmanRules

            return WeitzmanRules(alpha=0.3, beta=0.2, gamma=0.4)

        def plan(self, view: CentreView) -> Planned:
            seen.append((view.reported.processes["capacity"].to_numpy(float),
                         view.reported_capacity))
            return Planned(np.zeros(len(view.reported_capacity)))

    experiment = lab({"peek": {}}, periods=2, honest=False, reliability=True)
    run_cell(experiment, "peek", 1)
    truth = experiment.world.capacity
    for believed, reported in seen:
        assert np.array_equal(believed, reported)
        assert not np.array_equal(believed, truth)


US_2017 = str(ROOT / "examples" / "us-2017")


def test_one_experiment_runs_several_worlds(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kantorovich.lab.cli import lab_app

    exp = write(tmp_path / "two.yaml", f"""\
        name: two worlds
        world:
          leningrad: {LENINGRAD}
          us:
            economy: {US_2017}
            regimes: {{vote: {{production: central}}}}
        periods: 2
        seeds: [1, 2]
        regimes:
          central: {{}}
          vote:
            type: democratic
            regions: {{Perm: {{population: 1, priorities: {{bread: 1.0}}}}}}
        behaviour: {{reliability: true}}
        reliability: {{units: {{railway: {{chance: 0.5, size: 0.5}}}}}}
        """)
    experiment = load_experiment(exp)
    assert list(experiment.worlds) == ["leningrad", "us"]
    assert len(experiment.cells) == 2 * 2 * 2
    result = CliRunner().invoke(lab_app, ["run", str(exp), "-o", str(tmp_path / "out"),
                                          "--json", "-q"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary["worlds"]) == {"leningrad", "us"}
    # the contract: top-level regimes are the first world's
    assert summary["regimes"] == summary["worlds"]["leningrad"]["regimes"]
    assert summary["worlds"]["us"]["regimes"] != summary["regimes"]
    assert summary["worlds"]["us"]["regimes"]["central"]["messages"]["mean"] > 1000
    measures = pd.read_parquet(tmp_path / "out" / "measures.parquet")
    assert list(dict.fromkeys(measures["world"])) == ["leningrad", "us"]
    units = pd.read_parquet(tmp_path / "out" / "units.parquet")
    assert units.groupby("world")["unit"].nunique().to_dict()["us"] == 71
    html = (tmp_path / "out" / "charts.html").read_text()
    assert "us: Efficiency" in html and "leningrad: Efficiency" in html
    # one world as before: the same tables for it alone
    alone = make_experiment({"world": LENINGRAD, "periods": 2, "seeds": [1, 2],
                             "regimes": {"central": {}}, "behaviour": {"reliability": True},
                             "reliability": {"units": {"railway": {"chance": 0.5,
                                                                   "size": 0.5}}}})
    single = run_experiment(alone).measures
    both = measures[(measures["world"] == "leningrad") & (measures["regime"] == "central")]
    np.testing.assert_array_equal(single["value"].to_numpy(), both["value"].to_numpy())


def test_bad_world_entries_get_located_errors(tmp_path: Path) -> None:
    exp = write(tmp_path / "bad.yaml", f"""\
        world:
          - {LENINGRAD}
          - {{economy: {US_2017}, capacty: 1.1}}
          - {{plan: nowhere.yaml}}
          - 7
        regimes: {{central: {{}}}}
        """)
    with pytest.raises(PlanError) as info:
        load_experiment(exp)
    problems = {p.path: p for p in info.value.problems}
    assert problems["world.1.capacty"].line == 3
    assert "capacity" in problems["world.1.capacty"].hint
    assert problems["world.3"].line == 5 and "a world is" in problems["world.3"].message
    exp = write(tmp_path / "bad2.yaml", f"""\
        world:
          a: {LENINGRAD}
          b: {{plan: nowhere.yaml, regimes: {{centrl: {{}}}}}}
        regimes: {{central: {{}}}}
        reliability: {{units: {{railwya: {{chance: 0.1}}}}}}
        """)
    with pytest.raises(PlanError) as info:
        load_experiment(exp)
    problems = {p.path: p for p in info.value.problems}
    assert "no plan file" in problems["world.b"].message and problems["world.b"].line == 3
    exp = write(tmp_path / "bad3.yaml", f"""\
        world:
          a: {LENINGRAD}
          b: {{economy: {US_2017}, regimes: {{centrl: {{}}}}}}
        regimes: {{central: {{}}}}
        reliability: {{units: {{railwya: {{chance: 0.1}}}}}}
        """)
    with pytest.raises(PlanError) as info:
        load_experiment(exp)
    problems = {p.path: p for p in info.value.problems}
    assert problems["world.b.regimes.centrl"].hint == "did you mean 'central'?"
    exp = write(tmp_path / "bad4.yaml", f"""\
        world: [{LENINGRAD}, {{economy: {US_2017}}}]
        regimes: {{central: {{}}}}
        reliability: {{units: {{railwya: {{chance: 0.1}}}}}}
        """)
    with pytest.raises(PlanError) as info:
        load_experiment(exp)
    problem = info.value.problems[0]
    assert problem.path == "reliability.units.railwya" and problem.line == 3


def test_cells_on_a_dask_cluster_give_the_same_bytes(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster
    from typer.testing import CliRunner

    from kantorovich.lab.cli import lab_app
    from kantorovich.lab.distributed import run_on_dask

    exp = write(tmp_path / "e.yaml", f"""\
        name: on dask
        world: {{a: {LENINGRAD}, b: {{plan: {LENINGRAD}}}}}
        periods: 2
        seeds: [1, 2]
        regimes: {{central: {{}}, ratchet: {{type: quota, ratchet: 0.5}}, market: {{}}}}
        behaviour: {{reliability: true, hoarding: true, innovation: 0.2}}
        """)
    runner = CliRunner()
    serial = runner.invoke(lab_app, ["run", str(exp), "-o", str(tmp_path / "serial"),
                                     "--json", "-q"])
    assert serial.exit_code == 0, serial.output
    experiment = load_experiment(exp)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        first = run_on_dask(experiment, client=client, directory=tmp_path / "dask")
        from kantorovich.lab.charts import write_results

        write_results(first, tmp_path / "dask")
        again = run_on_dask(experiment, client=client, directory=tmp_path / "dask")
    pd.testing.assert_frame_equal(first.measures, again.measures)
    for file in ("measures.parquet", "units.parquet", "summary.json", "charts.html"):
        assert (tmp_path / "serial" / file).read_bytes() == \
            (tmp_path / "dask" / file).read_bytes(), file
    cells = list((tmp_path / "dask" / ".kantorovich-sweep").glob("*.json"))
    assert len(cells) == 2 * 3 * 2 + 1                 # the cells and the store's tag
    # the command line, one local worker, into the store it left: all cells reused
    dask = runner.invoke(lab_app, ["run", str(exp), "-o", str(tmp_path / "dask"),
                                   "--json", "-q", "--workers", "1"])
    assert dask.exit_code == 0, dask.output
    assert json.loads(dask.stdout) == json.loads(serial.stdout)
    assert (tmp_path / "serial" / "measures.parquet").read_bytes() == \
        (tmp_path / "dask" / "measures.parquet").read_bytes()
    # no -o: a temporary store, a local cluster of one worker started for the run
    fresh = runner.invoke(lab_app, ["run", str(exp), "--json", "-q", "--workers", "1"])
    assert fresh.exit_code == 0, fresh.output
    assert json.loads(fresh.stdout) == json.loads(serial.stdout)
    # nothing there: refused, or (a loaded machine retrying) no answer in time
    gone = runner.invoke(lab_app, ["run", str(exp), "-q", "--scheduler",
                                   "tcp://127.0.0.1:9"],
                         env={"KANTOROVICH_SCHEDULER_TIMEOUT": "3"})
    assert gone.exit_code == 2 and "tcp://127.0.0.1:9" in gone.output
    assert re.search(r"cannot reach the Dask scheduler|answered as a Dask scheduler",
                     gone.output)
