"""An honest laboratory: results that come from the institutions, not from the simulator.

Each test is a known answer for one of the problems the laboratory had (issue 14):
common random numbers, paired differences, rationing without a hidden optimiser, a
stationary unit whose choice does not move with the experiment's length, choices inside
their ranges, and measures that cannot flatter (efficiency against the ex-post optimum,
Kornai's shortage against demand, hoarding as a share, intervals on shares in [0, 1]).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from kantorovich.errors import PlanError
from kantorovich.lab.behaviour import best_responses
from kantorovich.lab.experiment import Behaviour
from kantorovich.lab.measures import interval
from kantorovich.lab.rationing import material_balance
from kantorovich.lab.regimes.quota import QuotaRules
from kantorovich.lab.regimes.weitzman import WeitzmanRules
from kantorovich.lab.run import make_experiment, run_cell, run_experiment

ROOT = Path(__file__).resolve().parents[1]
LENINGRAD = str(ROOT / "examples" / "leningrad.yaml")
WORKSHOP = str(ROOT / "tests" / "data" / "lab" / "workshop.yaml")
US_2017 = str(ROOT / "examples" / "us-2017")
SHOCKS = {"honest": False, "reliability": True, "hoarding": True, "innovation": 0.1}
CALM = {"honest": True, "reliability": False, "hoarding": False, "innovation": 0.0}


def lab(regimes: dict, *, world=LENINGRAD, periods: int = 4, seeds=(1,), extra=None,
        **behaviour):
    return make_experiment({"world": world, "periods": periods, "seeds": list(seeds),
                            "regimes": regimes, "behaviour": behaviour, **(extra or {})})


def values(results, regime: str, name: str) -> np.ndarray:
    m = results.measures
    return m[(m["regime"] == regime) & (m["measure"] == name)]["value"].to_numpy(float)


# -- 2. common random numbers -----------------------------------------------------------------
@pytest.mark.parametrize("world", [LENINGRAD, {"economy": US_2017, "capacity": 1.05}])
def test_identical_regimes_under_different_names_give_identical_measures(world) -> None:
    weitzman = {"type": "weitzman", "alpha": 0.1, "beta": 0.2, "gamma": 0.3}
    results = run_experiment(lab({"a": weitzman, "b": weitzman, "c": weitzman},
                                 world=world, periods=3, seeds=(1, 2), **SHOCKS))
    m = results.measures
    a, b, c = (m[m["regime"] == r].drop(columns="regime").reset_index(drop=True)
               for r in "abc")
    assert a.equals(b) and a.equals(c)
    # and the paired differences of identical regimes are exactly nothing
    for name in ("b", "c"):
        for entry in results.summary["differences"][name].values():
            assert entry["mean"] in (0.0, None) and entry["low"] == entry["high"]


def test_shocks_are_drawn_per_unit_and_period_not_per_regime() -> None:
    results = run_experiment(lab({"central": {}, "ratchet": {"type": "quota"}},
                                 periods=6, seeds=(3,), **SHOCKS))
    u = results.units
    hits = u.pivot_table(index=["period", "unit"], columns="regime",
                         values="shortfall_hit")
    assert hits["central"].equals(hits["ratchet"])
    assert 0 < hits["central"].sum() < len(hits)     # some luck, not all or nothing


# -- paired comparisons -----------------------------------------------------------------------
def test_differences_are_paired_by_seed_against_the_baseline() -> None:
    results = run_experiment(lab({"fixed": {"type": "quota", "ratchet": 0.0},
                                  "central": {}, "ratchet": {"type": "quota"}},
                                 periods=3, seeds=(1, 2, 3, 4), extra={"baseline": "central"},
                                 **SHOCKS))
    summary = results.summary
    assert summary["baseline"] == "central"
    assert set(summary["differences"]) == {"fixed", "ratchet"}
    m = results.measures
    per_seed = m.groupby(["regime", "measure", "seed"])["value"].mean()
    d = (per_seed["ratchet"]["efficiency"] - per_seed["central"]["efficiency"]).to_numpy()
    entry = summary["differences"]["ratchet"]["efficiency"]
    assert entry["mean"] == pytest.approx(d.mean(), abs=1e-12)
    from scipy import stats

    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2.0
    assert entry["low"] == pytest.approx(d.mean() - half, abs=1e-12)
    assert summary["worlds"]["leningrad"]["differences"] == summary["differences"]


def test_an_unknown_baseline_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(textwrap.dedent(f"""\
        world: {LENINGRAD}
        regimes: {{central: {{}}, ratchet: {{type: quota}}}}
        baseline: centrl
        """))
    from kantorovich.lab.run import load_experiment

    with pytest.raises(PlanError) as caught:
        load_experiment(path)
    problem = caught.value.problems[0]
    assert problem.path == "baseline" and problem.line == 3
    assert "central" in problem.message


# -- 1. rationing by each regime's own rule ---------------------------------------------------
def test_a_short_good_is_cut_in_proportion_to_planned_allocations() -> None:
    # two mills want 60 and 40 t of wheat; 50 t are there: each gets half its plan
    inputs = sp.csr_matrix(np.array([[1.0, 1.0], [0.0, 0.0]]))
    outputs = sp.csr_matrix(np.array([[0.0, 0.0], [0.7, 0.721]]))
    cut = material_balance(inputs, outputs, np.array([60.0, 40.0]), np.array([50.0, 0.0]))
    assert cut.levels.tolist() == [30.0, 20.0]
    # a priority list serves the second mill first
    cut = material_balance(inputs, outputs, np.array([60.0, 40.0]), np.array([50.0, 0.0]),
                           tiers=np.array([1, 0]))
    assert cut.levels.tolist() == [10.0, 40.0]


def test_a_cut_spreads_downstream_and_what_cannot_be_used_is_held() -> None:
    # wheat -> flour -> bread; a second input (salt) short for the bakery holds it back,
    # and the flour it was allocated stays with it
    #            mill  bakery
    inputs = np.array([[1.0, 0.0],     # wheat
                       [0.0, 1.0],     # flour
                       [0.0, 1.0]])    # salt
    outputs = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    cut = material_balance(sp.csr_matrix(inputs), sp.csr_matrix(outputs),
                           np.array([100.0, 100.0]), np.array([80.0, 0.0, 40.0]))
    assert cut.levels.tolist() == [80.0, 40.0]
    assert cut.received.toarray()[1, 1] == pytest.approx(80.0)     # flour held


def test_random_material_balances_never_hand_out_more_than_there_is() -> None:
    rng = np.random.default_rng(7)
    for trial in range(200):
        G, P = rng.integers(1, 10), rng.integers(1, 12)
        A = sp.random(G, P, density=0.4, random_state=rng) * 2
        B = sp.random(G, P, density=0.2, random_state=rng) * 3
        asked = rng.random(P) * 10
        run = asked * rng.choice([1.0, 0.5], P)
        have0 = rng.random(G) * 10 * rng.choice([0, 1], G)
        tiers = rng.integers(0, 3, P) if trial % 2 else None
        cut = material_balance(A, B, asked, have0, run, tiers)
        have = have0 + B @ cut.levels
        given = np.asarray(cut.received.sum(axis=1)).ravel()
        assert np.all(cut.levels <= run + 1e-12)
        assert np.all(given <= have * (1 + 1e-9) + 1e-9 * max(1.0, float((A @ asked).max())))
        assert np.all(A @ cut.levels <= given + 1e-9)


def test_quota_rations_in_proportion_and_the_optimum_is_an_explicit_choice() -> None:
    experiment = lab({"q": {"type": "quota", "ratchet": 0.0},
                      "best": {"type": "quota", "rationing": "optimal"}})
    world = experiment.world
    from kantorovich.lab.world import Rationing

    # wheat cut to half of what the mills want: in proportion, or where it does most good
    wanted = np.where(np.isfinite(world.capacity), world.capacity, 0.0)
    supply = np.where(np.isinf(world.supply), 1e300, world.supply).copy()
    wheat = world.plan.goods.index.get_loc("wheat")
    supply[wheat] = 2000.0
    g = np.ones(world.n_units)
    fair = world.ration(wanted, supply, g)
    best = world.ration(wanted, supply, g, Rationing("optimal"))
    mills = world.plan.processes.index.str.startswith("mill")
    assert np.allclose(fair.levels[mills] / wanted[mills], 0.4)     # 2000 of 5000 t
    assert world.objective(best.levels, g) >= world.objective(fair.levels, g) - 1e-6
    assert not np.allclose(best.levels[mills] / wanted[mills], 0.4)
    # the regimes say which rule they use
    from kantorovich.lab.regimes.quota import QuotaRegime

    assert QuotaRegime("q", experiment.regimes["q"][1], world).rationing().kind == \
        "proportional"
    assert QuotaRegime("best", experiment.regimes["best"][1], world).rationing().kind == \
        "optimal"


def test_a_bad_priority_list_is_a_located_error() -> None:
    with pytest.raises(PlanError) as caught:
        lab({"q": {"type": "quota", "rationing": "priority", "priority": ["mil-5"]}})
    assert "mill-5" in str(caught.value.problems[0].hint)
    with pytest.raises(PlanError):
        lab({"q": {"type": "quota", "priority": ["mill-5"]}})


def test_replanning_after_the_shocks_costs_a_round_and_messages() -> None:
    results = run_experiment(lab({"once": {"type": "quota", "ratchet": 0.0},
                                  "again": {"type": "quota", "ratchet": 0.0, "replan": True},
                                  "central": {}, "central-again": {"type": "central",
                                                                   "replan": True}},
                                 periods=4, seeds=(1, 2, 3), **SHOCKS))
    assert np.all(values(results, "again", "rounds") == 2)
    assert np.all(values(results, "again", "messages") > values(results, "once", "messages"))
    assert values(results, "central-again", "shortfall").mean() <= \
        values(results, "central", "shortfall").mean() + 1e-12


# -- 3, 4. units that look ahead without an end -----------------------------------------------
def _output(rules, discount: float, target: float = 0.6, cost: float = 0.15) -> float:
    resp = best_responses(rules, Behaviour(discount=discount, effort_cost=cost))
    r, e = resp.choose(np.array([target]), np.array([0]))
    return float(resp.output_for(np.array([target]), r, np.array([target]),
                                 np.array([0]), e)[0])


def test_a_myopic_unit_ignores_the_ratchet_and_a_patient_one_holds_back() -> None:
    # Weitzman (1980): the same target under both rules; with no thought of tomorrow
    # the ratchet changes nothing; looking ahead, over-fulfilment raises future targets
    for ratchet in (0.0, 0.5, 1.0):
        assert _output(QuotaRules(ratchet=ratchet, start=0.6), 0.0) == pytest.approx(1.0)
    held = [_output(QuotaRules(ratchet=0.5, start=0.6), d) for d in (0.0, 0.3, 0.6, 0.9)]
    assert held == sorted(held, reverse=True) and held[-1] < held[0]
    assert _output(QuotaRules(ratchet=0.0, start=0.6), 0.9) == pytest.approx(1.0)


def test_the_ratchet_in_a_one_period_experiment(tmp_path: Path) -> None:
    def run(discount: float) -> dict[str, float]:
        results = run_experiment(lab({"ratchet": {"type": "quota", "ratchet": 0.5},
                                      "fixed": {"type": "quota", "ratchet": 0.0}},
                                     world=WORKSHOP, periods=1, honest=False,
                                     reliability=False, hoarding=False, innovation=0.0,
                                     discount=discount, effort_cost=0.15))
        u = results.units
        return {r: float(u[u["regime"] == r]["target"].iloc[0]) for r in ("ratchet", "fixed")} | {
            f"{r}-output": float(u[u["regime"] == r]["output"].iloc[0])
            for r in ("ratchet", "fixed")}

    myopic, patient = run(0.0), run(0.9)
    assert myopic["ratchet"] == myopic["fixed"] == patient["ratchet"] == patient["fixed"]
    assert myopic["ratchet-output"] == myopic["fixed-output"] == 100.0
    assert patient["ratchet-output"] < patient["fixed-output"] == 100.0


def test_the_length_of_the_experiment_does_not_move_a_choice() -> None:
    def run(periods: int):
        return run_experiment(lab({"ratchet": {"type": "quota"}, "weitzman": {}},
                                  periods=periods, seeds=(1, 2), **SHOCKS))

    short, long = run(3), run(12)
    m_short, m_long = short.measures, long.measures
    m_long = m_long[m_long["period"] <= 3].reset_index(drop=True)
    assert m_short.reset_index(drop=True).equals(m_long)


@pytest.mark.parametrize("chance,expected", [(0.3, 1.0), (0.6, 0.7)])
def test_weitzman_gives_the_quantile_report_under_uncertainty(chance: float,
                                                             expected: float) -> None:
    # capacity 1 with chance 1 - p, 0.7 with chance p; the best report is the
    # (beta - alpha) / (gamma - alpha) = 0.5 quantile of output
    resp = best_responses(WeitzmanRules(alpha=0.1, beta=0.2, gamma=0.3),
                          Behaviour(reliability=True), chance=chance, size=0.3)
    r, _ = resp.choose(np.zeros(1), np.zeros(1, int))
    assert float(r[0]) == pytest.approx(expected)


def test_reports_sit_inside_their_range_or_say_they_do_not() -> None:
    results = run_experiment(lab({
        "honest": {"type": "weitzman", "alpha": 0.1, "beta": 0.2, "gamma": 0.3},
        "under": {"type": "weitzman", "alpha": 0.3, "beta": 0.2, "gamma": 0.4},
        "over": {"type": "weitzman", "alpha": 0.1, "beta": 0.3, "gamma": 0.2}},
        periods=2, honest=False, reliability=False, hoarding=False, innovation=0.0))
    assert np.allclose(values(results, "honest", "misreport"), 1.0)
    assert np.allclose(values(results, "honest", "at_bound"), 0.0)
    # alpha > beta: the natural floor (no capacity below nothing), not a grid's
    assert np.allclose(values(results, "under", "misreport"), 0.0)
    assert np.allclose(values(results, "under", "at_bound"), 0.0)
    # beta > gamma rewards over-reporting without limit: the run says so
    assert np.allclose(values(results, "over", "at_bound"), 1.0)


# -- 5. measures a researcher can defend ------------------------------------------------------
def test_efficiency_is_against_the_ex_post_optimum() -> None:
    results = run_experiment(lab({"central": {"learning": False}, "fixed": {
        "type": "quota", "ratchet": 0.0}}, periods=6, seeds=(1, 2, 3),
        honest=True, reliability=True, hoarding=False, innovation=0.0))
    m = results.measures
    eff = m[m["measure"] == "efficiency"].reset_index(drop=True)
    broken = m[m["measure"] == "rules_broken"].reset_index(drop=True)
    fine = broken["value"].to_numpy() == 0
    assert fine.any()
    assert np.all(eff["value"].to_numpy()[fine] <= 1 + 1e-7)
    # honest units planned centrally: bad luck no longer counts against the centre
    ex_ante = values(results, "central", "efficiency_ex_ante")
    ex_post = values(results, "central", "efficiency")
    assert np.all(ex_post >= ex_ante - 1e-9)


def test_central_with_honest_units_and_no_shocks_is_fully_efficient() -> None:
    results = run_experiment(lab({"central": {}}, periods=3, **CALM))
    assert np.allclose(values(results, "central", "efficiency"), 1.0, atol=1e-9)
    assert np.allclose(values(results, "central", "shortage"), 0.0, atol=1e-9)


def test_shortage_counts_demand_not_targets() -> None:
    # a patient shed under a full ratchet makes exactly its low standing target: plan
    # fulfilment is perfect, half the cloth the shed could have woven is missing
    results = run_experiment(lab({"ratchet": {"type": "quota", "ratchet": 1.0,
                                              "start": 0.5}},
                                 world=WORKSHOP, periods=3, honest=False, reliability=False,
                                 hoarding=False, innovation=0.0, discount=0.95,
                                 effort_cost=0.15))
    assert np.allclose(values(results, "ratchet", "shortfall"), 0.0)
    assert np.allclose(values(results, "ratchet", "shortage"), 0.5)
    assert np.allclose(values(results, "ratchet", "efficiency"), 0.5)
    for name in ("shortage", "hoarded", "output_share", "worst_region"):
        v = values(results, "ratchet", name)
        assert np.all((v >= 0) & (v <= 1))


def test_hoarded_is_a_share_of_what_units_received() -> None:
    results = run_experiment(lab({"ratchet": {"type": "quota"}}, periods=4, seeds=(1, 2),
                                 **SHOCKS))
    u = results.units
    assert ((u["hoarded"] >= 0) & (u["hoarded"] <= 1)).all()
    h = values(results, "ratchet", "hoarded")
    assert np.all((h >= 0) & (h <= 1))


def test_intervals_on_shares_stay_inside_zero_and_one() -> None:
    nearly_zero = np.array([0.0, 0.0, 0.0, 0.0, 0.02])
    entry = interval(nearly_zero, share=True)
    assert entry["low"] >= 0.0 and entry["high"] <= 1.0
    assert entry["low"] <= entry["mean"] <= entry["high"]
    t = interval(nearly_zero)                         # Student's t would go below 0
    assert t["low"] < 0
    results = run_experiment(lab({"central": {}, "ratchet": {"type": "quota"}},
                                 periods=2, seeds=(1, 2, 3), **SHOCKS))
    from kantorovich.lab.measures import SHARES

    for regime in results.summary["regimes"].values():
        for name, e in regime.items():
            if name in SHARES and e["mean"] is not None:
                assert 0.0 <= e["low"] <= e["mean"] <= e["high"] <= 1.0


def test_a_run_is_reproducible_from_its_seeds() -> None:
    experiment = lab({"central": {}, "ratchet": {"type": "quota"}}, periods=3, seeds=(5,),
                     **SHOCKS)
    first = run_cell(experiment, "ratchet", 5)
    second = run_cell(experiment, "ratchet", 5)
    assert first["measures"].equals(second["measures"])
    assert first["units"].equals(second["units"])


def test_a_unit_paid_per_unit_of_output_makes_its_capacity_not_a_kept_margin() -> None:
    # the old "keep the planned margin" rule made such a unit make 543 against a target
    # of 1,543 and a capacity of 2,000; now output is chosen against the actual target
    from kantorovich.lab.regimes.base import CentreView, Planned, Regime

    class Half(Regime):
        type = "half-of-capacity"

        def plan(self, view: CentreView) -> Planned:
            return Planned(np.where(np.isfinite(view.reported_capacity),
                                    view.reported_capacity / 2, 0.0))

    experiment = make_experiment(
        {"world": WORKSHOP, "periods": 2, "regimes": {"half": {"type": "half-of-capacity"}},
         "behaviour": {"honest": False, "reliability": False, "hoarding": False,
                       "innovation": 0.0}}, regimes={"half-of-capacity": Half})
    units = run_cell(experiment, "half", 1)["units"]
    assert units["target"].tolist() == [50.0, 50.0]
    assert units["output"].tolist() == [100.0, 100.0]


def test_a_regime_of_ones_own_replans_by_planning_again_on_what_units_can_run() -> None:
    from kantorovich.lab.regimes.base import CentreView, Planned, Regime

    class Told(Regime):
        type = "plan-what-is-told"

        def plan(self, view: CentreView) -> Planned:
            caps = view.reported.processes["capacity"].to_numpy(float)
            assert np.array_equal(caps, view.reported_capacity)
            return Planned(np.where(np.isfinite(caps), caps, 0.0))

    experiment = make_experiment(
        {"world": WORKSHOP, "periods": 2, "regimes": {"told": {"type": "plan-what-is-told"}},
         "behaviour": CALM}, regimes={"plan-what-is-told": Told})
    regime = Told("told", experiment.regimes["told"][1], experiment.world)
    assert not regime.replans
    view = CentreView(1, lambda: experiment.world.plan, np.array([100.0]), np.ones(1),
                      experiment.world.process_unit, 1, None, None)
    again = regime.replan(view, np.array([60.0]), np.array([100.0]))
    assert again.targets.tolist() == [60.0]
