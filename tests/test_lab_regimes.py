"""The laboratory's regimes as the literature defines them: known answers.

`market` (tatonnement: converges on gross substitutes, a cycle is a state that really
repeats, never fails on tiny levels), `prices` (Dantzig-Wolfe: iterates and sends fewer
numbers than technology reports where units have many techniques), `kornai-liptak`
(quotas and shadow prices: reaches the optimum), `democratic` (a drawn vote aggregated
by a stated rule, and participatory rounds), and the shipped world of many techniques.
"""

from __future__ import annotations

import functools
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kantorovich as k
from kantorovich.errors import PlanError
from kantorovich.lab.draws import uniforms
from kantorovich.lab.regimes.base import CentreView
from kantorovich.lab.run import make_experiment, run_cell, run_experiment

ROOT = Path(__file__).resolve().parents[1]
LENINGRAD = str(ROOT / "examples" / "leningrad.yaml")
WORKSHOPS = str(ROOT / "experiments" / "worlds" / "workshops.yaml")
DETERMINISTIC = {"honest": True, "reliability": False, "hoarding": False, "innovation": 0.0}
ENDINGS = ("converged", "cycling", "diverging", "unconverged")


def lab(regimes: dict, *, world=LENINGRAD, periods: int = 2, seeds=(1,), **behaviour):
    return make_experiment({"world": world, "periods": periods, "seeds": list(seeds),
                            "regimes": regimes, "behaviour": behaviour or DETERMINISTIC})


def per_period(results, regime: str, name: str) -> np.ndarray:
    m = results.measures
    return m[(m["regime"] == regime) & (m["measure"] == name)]["value"].to_numpy(float)


def mean(results, regime: str, name: str) -> float:
    return results.summary["regimes"][regime][name]["mean"]


def write(path: Path, text: str) -> str:
    path.write_text(textwrap.dedent(text))
    return str(path)


def view_of(world, period: int = 1, seed: int = 1, capacity=None) -> CentreView:
    """What a centre sees of ``world`` with true (or these) reports and this period's
    common random numbers."""
    reported = world.capacity if capacity is None else capacity
    ones = np.ones(world.n_units)
    return CentreView(period, functools.partial(world.plan_at, ones, reported), reported,
                      ones, world.process_unit, world.n_units, None, None,
                      functools.partial(uniforms, "world", seed, period))


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


def many_techniques(path: Path, units: int = 12, techniques: int = 100) -> str:
    """Units of many private techniques sharing three resources, most techniques far
    from profitable: logit levels of 1e-36 and less (the world that once made the
    market exit 2 as 'bad input')."""
    rng = np.random.default_rng(11)
    ids = [f"u{u}-t{t}" for u in range(units) for t in range(techniques)]
    rows = [(pid, good, float(rng.uniform(0.2, 2.0)), 0.0) for pid in ids
            for good in ("labour", "steel", "energy")]
    rows += [(pid, "goods", 0.0, float(rng.uniform(0.5, 3.0))) for pid in ids]
    plan = k.Plan.from_frames(
        name="many techniques",
        goods=pd.DataFrame({"id": ["labour", "steel", "energy", "goods"],
                            "unit": ["h", "t", "MWh", "t"]}),
        units=pd.DataFrame({"id": [f"u{u}" for u in range(units)]}),
        processes=pd.DataFrame({"id": ids, "unit": [i.split("-")[0] for i in ids],
                                "capacity": rng.uniform(1, 10, len(ids))}),
        flows=pd.DataFrame(rows, columns=["process", "good", "input", "output"]),
        supply={"labour": 300.0, "steel": 250.0, "energy": 280.0},
        objective={"maximize": {"goods": 1}})
    return str(plan.save(path, tables=False))


# -- market ---------------------------------------------------------------------------------
def test_market_converges_on_gross_substitutes_and_each_period_ends_one_way(
        tmp_path: Path) -> None:
    world = write(tmp_path / "gs.yaml", GROSS_SUBSTITUTES)
    results = run_experiment(lab({"market": {"adjustment": 0.1, "max_rounds": 2000},
                                  "fast": {"type": "market", "adjustment": 10},
                                  "short": {"type": "market", "max_rounds": 3}},
                                 world=world, periods=3))
    assert np.all(per_period(results, "market", "converged") == 1.0)
    assert mean(results, "market", "efficiency") > 0.95
    for name in ("market", "fast", "short"):
        endings = np.stack([per_period(results, name, e) for e in ENDINGS])
        assert np.all(endings.sum(axis=0) == 1.0), name      # exactly one, every period
    assert np.all(per_period(results, "fast", "cycling") == 1.0)
    # running out of rounds is neither a cycle nor convergence
    assert per_period(results, "short", "unconverged")[0] == 1.0


def test_a_cycle_is_a_state_that_really_repeats(tmp_path: Path) -> None:
    from kantorovich.lab.regimes.market import MarketSettings, tatonnement

    world = make_experiment({"world": write(tmp_path / "gs.yaml", GROSS_SUBSTITUTES),
                             "regimes": {"market": {}}}).world
    settings = MarketSettings(adjustment=10, max_rounds=300)
    trace: list = []
    done = tatonnement(world, world.capacity, np.ones(world.n_units), np.full(3, 2.0),
                       np.zeros(2), settings, trace)
    assert done.status == "cycling" and done.cycle is not None
    first, length = done.cycle
    assert length >= 2 and len(trace) == first + length
    (p0, x0), (p1, x1) = trace[first - 1], trace[first + length - 1]
    fine = 0.01 * settings.tolerance
    assert np.allclose(np.log(p1), np.log(p0), atol=fine)                 # came back
    assert np.allclose(x1 / world.capacity, x0 / world.capacity, atol=fine)
    between = trace[first]
    assert np.abs(np.log(between[0]) - np.log(p0)).max() > 0.1           # after leaving
    # and it keeps coming back: a genuine cycle, not a rounding coincidence
    longer: list = []
    tatonnement(world, world.capacity, np.ones(world.n_units), np.full(3, 2.0),
                np.zeros(2), MarketSettings(adjustment=10, max_rounds=first + 3 * length,
                                            tolerance=1e-15), longer)
    again = longer[first + 3 * length - 1]
    assert np.allclose(np.log(again[0]), np.log(p0), atol=1e-3)
    # a damped oscillation that converges is not called a cycle
    calm = tatonnement(world, world.capacity, np.ones(world.n_units), np.full(3, 2.0),
                       np.zeros(2), MarketSettings(adjustment=1, max_rounds=300))
    assert calm.status == "converged"


def test_the_market_runs_where_most_levels_are_tiny(tmp_path: Path) -> None:
    world = many_techniques(tmp_path / "many.yaml")
    results = run_experiment(lab({"market": {}}, world=world, periods=2,
                                 honest=False, reliability=True, hoarding=True,
                                 innovation=0.05))
    efficiency = per_period(results, "market", "efficiency")
    assert np.all(np.isfinite(efficiency)) and np.all(efficiency > 0)
    units = results.units
    target = units["target"].to_numpy(float)
    assert np.all(np.isfinite(target))


# -- prices ---------------------------------------------------------------------------------
def test_prices_iterate_and_send_fewer_numbers_than_technology_reports() -> None:
    experiment = lab({"prices": {}}, world=WORKSHOPS, periods=1)
    results = run_experiment(experiment)
    assert per_period(results, "prices", "efficiency").min() >= 1 - 1e-6
    assert mean(results, "prices", "rounds") > 1
    from kantorovich.lab.regimes.prices import PricesRegime

    report = PricesRegime("prices", PricesRegime.Settings(), experiment.world
                          ).technology_numbers()
    assert mean(results, "prices", "messages") < report
    assert mean(results, "prices", "converged") == 1.0


def test_prices_plan_without_rules_where_the_reports_cannot_meet_them() -> None:
    from kantorovich.lab.regimes.prices import PricesRegime

    world = lab({"prices": {}}).world
    regime = PricesRegime("prices", PricesRegime.Settings(), world)
    planned = regime.plan(view_of(world, capacity=0.5 * world.capacity))
    assert planned.measures["infeasible"] == 1.0
    assert planned.targets.sum() > 0             # a plan, not nothing


# -- kornai-liptak --------------------------------------------------------------------------
@pytest.mark.parametrize("world", [LENINGRAD, WORKSHOPS], ids=["leningrad", "workshops"])
def test_kornai_liptak_reaches_the_optimum(world: str) -> None:
    results = run_experiment(lab({"kornai-liptak": {}}, world=world, periods=2))
    assert per_period(results, "kornai-liptak", "efficiency").min() >= 0.99
    assert mean(results, "kornai-liptak", "rules_broken") == 0.0
    assert mean(results, "kornai-liptak", "converged") == 1.0
    assert mean(results, "kornai-liptak", "infeasible") == 0.0
    assert mean(results, "kornai-liptak", "rounds") > 1
    assert mean(results, "kornai-liptak", "messages") > 0


def test_kornai_liptak_quotas_add_up_and_the_plan_is_feasible() -> None:
    from kantorovich.lab.regimes.kornai_liptak import two_level

    world = lab({"central": {}}).world
    ones = np.ones(world.n_units)
    lp = world.evaluation(ones).lp
    done = two_level(lp, world.process_unit, world.n_units, np.zeros(len(world.capacity)),
                     world.capacity)
    assert done.converged and done.feasible
    assert done.lower <= done.upper + 1e-6 * abs(done.upper)
    # every quota of a shared row sums to at most what the row allows
    sums = pd.Series(done.quotas).groupby(done.pair_row).sum()
    rows = sums.index.to_numpy()
    assert np.all(sums.to_numpy() >= lp.row_lower[rows] - 1e-6 * (1 + np.abs(
        lp.row_lower[rows])))
    assert np.all(sums.to_numpy() <= lp.row_upper[rows] + 1e-6 * (1 + np.abs(
        np.nan_to_num(lp.row_upper[rows], posinf=0))))
    # the quotas cover the shared goods (wheat is split between the two mills) and the
    # rule across sectors (equal steel for the two factories)
    shared = set(lp.rows["id"].to_numpy()[rows])
    assert {"wheat", "steel", "equal-steel"} <= shared
    assert "mill-3-quota" not in shared            # a rule within one sector stays there
    supply = np.where(np.isinf(world.supply), 1e300, world.supply)
    assert world.feasible(done.levels, supply, ones)
    assert world.rules_broken(done.levels, ones) == 0
    assert world.efficiency(done.levels, ones) >= 1 - 1e-3


SETS = """\
    name: bolts and nuts
    goods: {labour: {unit: h}, steel: {unit: t}, bolt: {unit: piece}, nut: {unit: piece}}
    units: {ua: {region: North}, ub: {region: South}}
    processes:
      a1: {unit: ua, inputs: {labour: 1, steel: 0.5}, outputs: {bolt: 3}, capacity: 40}
      a2: {unit: ua, inputs: {labour: 2, steel: 0.2}, outputs: {bolt: 4, nut: 1}, capacity: 30}
      b1: {unit: ub, inputs: {labour: 1, steel: 1}, outputs: {nut: 5}, capacity: 30}
      b2: {unit: ub, inputs: {labour: 3}, outputs: {nut: 4, bolt: 1}, capacity: 20}
    supply: {labour: 100, steel: 40}
    objective: {maximize_sets: {bolt: 2, nut: 1}}
    """

COST = """\
    name: power and heat at least cost
    goods: {labour: {unit: h}, coal: {unit: t}, power: {unit: MWh}, heat: {unit: Gcal}}
    units: {plant: {region: East}, boiler: {region: East}}
    processes:
      p1: {unit: plant, inputs: {coal: 1, labour: 0.2}, outputs: {power: 2}, capacity: 50}
      p2: {unit: plant, inputs: {coal: 0.5, labour: 1}, outputs: {power: 1.5, heat: 1},
           capacity: 40}
      h1: {unit: boiler, inputs: {coal: 0.8, power: 0.1}, outputs: {heat: 2}, capacity: 60}
      h2: {unit: boiler, inputs: {labour: 0.5, power: 0.5}, outputs: {heat: 1}, capacity: 30}
    supply: {coal: 200, labour: 150}
    demand: {power: 60, heat: 80}
    objective: {minimize: {coal: 3, labour: 1}}
    """


LEVELS = """\
    name: rules over levels, within a unit and across units
    goods: {labour: {unit: h}, a: {unit: t}, b: {unit: t}}
    units: {ua: {region: North}, ub: {region: South}}
    processes:
      make-a: {unit: ua, inputs: {labour: 1}, outputs: {a: 1}, capacity: 80}
      make-a2: {unit: ua, inputs: {labour: 0.6}, outputs: {a: 0.5}, capacity: 50}
      make-b: {unit: ub, inputs: {labour: 1}, outputs: {b: 1}, capacity: 60}
    supply: {labour: 100}
    objective: {maximize: {a: 1, b: 2}}
    policies:
      old-works: {rule: "level(make-a2) <= 20"}
      shared-line: {rule: "level(make-a) + level(make-b) <= 70"}
    """


@pytest.mark.parametrize("text", [SETS, COST, LEVELS],
                         ids=["maximize_sets", "minimize", "level-rules"])
def test_kornai_liptak_plans_baskets_least_cost_and_rules_over_levels(tmp_path: Path, text: str) -> None:
    world = write(tmp_path / "w.yaml", text)
    assert k.solve(k.load_plan(world)).is_optimal
    results = run_experiment(lab({"kornai-liptak": {}}, world=world, periods=1))
    assert per_period(results, "kornai-liptak", "efficiency").min() >= 0.99
    assert mean(results, "kornai-liptak", "converged") == 1.0
    assert mean(results, "kornai-liptak", "rules_broken") == 0.0


def test_kornai_liptak_plans_without_rules_where_the_reports_cannot_meet_them() -> None:
    from kantorovich.lab.regimes.kornai_liptak import KornaiLiptakRegime

    world = lab({"central": {}}).world
    regime = KornaiLiptakRegime("kl", KornaiLiptakRegime.Settings(), world)
    planned = regime.plan(view_of(world, capacity=0.5 * world.capacity))
    assert planned.measures["infeasible"] == 1.0
    assert planned.targets.sum() > 0


def test_kornai_liptak_refuses_a_world_it_cannot_run_with_a_located_error(
        tmp_path: Path) -> None:
    from kantorovich.lab.run import load_experiment

    world = write(tmp_path / "open.yaml", GROSS_SUBSTITUTES.replace(", capacity: 60", ""))
    exp = write(tmp_path / "e.yaml",
                f"world: {world}\nregimes:\n  kl: {{type: kornai-liptak}}\n")
    with pytest.raises(PlanError) as info:
        load_experiment(exp)
    problem = info.value.problems[0]
    assert problem.path == "regimes.kl" and problem.line == 3
    assert "finite capacity" in problem.message


# -- democratic -----------------------------------------------------------------------------
def test_the_vote_aggregates_by_the_stated_rule() -> None:
    from kantorovich.lab.regimes.democratic import aggregate

    # populations 1, 1, 2; weights 1, 9, 2: mean (1 + 9 + 4) / 4, median 2 (the
    # population reaching a half states 2); a tie at exactly a half takes the midpoint
    w = np.array([[1.0], [9.0], [2.0]])
    assert aggregate(w, np.array([1.0, 1.0, 2.0]), "mean").tolist() == [3.5]
    assert aggregate(w, np.array([1.0, 1.0, 2.0]), "median").tolist() == [2.0]
    assert aggregate(np.array([[2.0], [6.0]]), np.array([1.0, 1.0]), "median").tolist() \
        == [4.0]
    regions = {"District 3": {"population": 3, "priorities": {"bread": 1, "bolts": 0}},
               "Perm": {"population": 1, "priorities": {"bread": 1, "bolts": 4000}}}
    experiment = lab({"mean": {"type": "democratic", "regions": regions},
                      "median": {"type": "democratic", "regions": regions,
                                 "rule": "median"}})
    voted = {}
    for name, (cls, settings) in experiment.regimes.items():
        voted[name] = cls(name, settings, experiment.world).voted_weights()
    assert voted["mean"] == {"bolts": 1000.0, "bread": 1.0}
    assert voted["median"] == {"bolts": 0.0, "bread": 1.0}
    # the measured world values goods by the rule's vote
    regime = experiment.regimes["median"][0]("median", experiment.regimes["median"][1],
                                             experiment.world)
    weights = regime.prepare(experiment.world).plan.objective.weights
    assert weights["bolts"] == 0.0 and weights["bread"] == 1.0


def test_drawn_priorities_are_common_random_numbers() -> None:
    regions = {"District 3": {"population": 1200, "priorities": {"bread": 1.2,
                                                                 "bolts": 1500}},
               "Perm": {"population": 1000, "priorities": {"bread": 1.0, "bolts": 2500}}}
    experiment = lab({"vote-a": {"type": "democratic", "regions": regions, "spread": 0.5},
                      "vote-b": {"type": "democratic", "regions": regions, "spread": 0.5},
                      "still": {"type": "democratic", "regions": regions}},
                     periods=3)
    world = experiment.world
    made = {name: cls(name, settings, world)
            for name, (cls, settings) in experiment.regimes.items()}
    for period in (1, 2):
        draw = view_of(world, period).draw
        assert made["vote-a"].vote(draw) == made["vote-b"].vote(draw)   # not by name
        assert made["vote-a"].vote(draw) != made["vote-a"].voted_weights()
        assert made["still"].vote(draw) == made["still"].voted_weights()  # spread 0
    assert made["vote-a"].vote(view_of(world, 1).draw) != made["vote-a"].vote(
        view_of(world, 2).draw)
    # whole cells: the same measures value for value under different names
    a, b = (run_cell(experiment, name, 7)["measures"] for name in ("vote-a", "vote-b"))
    np.testing.assert_array_equal(a["value"].to_numpy(), b["value"].to_numpy())


def test_participatory_rounds_reach_a_feasible_plan() -> None:
    from kantorovich.lab.regimes.democratic import DemocraticSettings, participate

    regions = {"District 3": {"population": 1200, "priorities": {"bread": 1.2,
                                                                 "bolts": 1500}},
               "Perm": {"population": 1000, "priorities": {"bread": 1.0, "bolts": 2500}}}
    results = run_experiment(lab({"councils": {"type": "democratic", "regions": regions,
                                               "participatory": True}}, periods=2))
    rounds = per_period(results, "councils", "rounds")
    assert rounds[0] > 1                          # iterated, and counted
    assert np.all(per_period(results, "councils", "converged") == 1.0)
    assert per_period(results, "councils", "efficiency").min() > 0.95
    assert mean(results, "councils", "messages") > 0
    # feasible means no good is demanded beyond what is supplied and made
    world = lab({"central": {}}).world
    goods = list(world.plan.goods.index)
    priorities = np.zeros((2, len(goods)))
    priorities[:, goods.index("bread")] = [1.2, 1.0]
    priorities[:, goods.index("bolts")] = [1500, 2500]
    trace: list = []
    x, _, taken, feasible = participate(
        world, world.capacity, np.ones(world.n_units), np.ones(len(goods)),
        np.zeros(len(world.capacity)), priorities, np.array([1200.0, 1000.0]),
        DemocraticSettings(participatory=True), trace)
    assert feasible and taken == rounds[0] == len(trace)
    assert np.all(trace[-1][3] <= DemocraticSettings().tolerance)
    assert np.any(trace[0][3] > DemocraticSettings().tolerance)


# -- the world of many techniques -----------------------------------------------------------
def test_the_workshops_world_is_what_its_generator_makes(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_workshops", ROOT / "experiments" / "worlds" / "make_workshops.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path / "workshops.yaml")
    for path in sorted(tmp_path.iterdir()):
        assert path.read_bytes() == (Path(WORKSHOPS).parent / path.name).read_bytes()
    assert written.name == "workshops.yaml"
    plan = k.load_plan(WORKSHOPS)
    per_unit = plan.processes.groupby("unit").size()
    assert len(per_unit) == 8 and per_unit.min() >= 40
    products = plan.flows[plan.flows["output"] > 0].assign(
        unit=lambda f: f["process"].map(plan.processes["unit"]))
    made = products.groupby("unit")["good"].nunique()
    assert made.min() >= 2 and made.max() <= 3
    result = k.solve(plan)
    assert result.is_optimal
    from typer.testing import CliRunner

    from kantorovich.cli import app

    assert CliRunner().invoke(app, ["solve", WORKSHOPS]).exit_code == 0


def test_every_regime_runs_on_the_workshops() -> None:
    regimes = {"central": {}, "prices": {}, "kornai-liptak": {}, "market": {},
               "ratchet": {"type": "quota"}, "weitzman": {},
               "councils": {"type": "democratic", "participatory": True}}
    results = run_experiment(lab(regimes, world=WORKSHOPS, periods=2, honest=False,
                                 reliability=True, hoarding=True, innovation=0.05))
    for name in regimes:
        efficiency = per_period(results, name, "efficiency")
        assert np.all(np.isfinite(efficiency)) and np.all(efficiency > 0.3), name
