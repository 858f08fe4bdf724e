"""The one solving chain (results.chain): each problem issue 16 found, shown gone.

Every economy here is drawn by `varied_economy` (rules of its own, no data files): the
merit order that stopped and handed nothing on, technique generation's answer thrown away
for a reduced cost of the wrong sign by 6e-9, labels that hid what ran, a solver session
whose ``close`` closed nothing, a Session that re-solved by HiGHS what one sparse solve
answers. Known answers come from HiGHS's simplex on the whole program, cold.
"""

from __future__ import annotations

import ast
from pathlib import Path

import highspy
import numpy as np
import pytest
from typer.testing import CliRunner

import kantorovich as k
from kantorovich.cli import app
from kantorovich.economy.varied import varied_economy
from kantorovich.lp.budget import Budget
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.generation import Generation
from kantorovich.lp.highs import HighsSession, SessionClosed
from kantorovich.lp.merit import Merit
from kantorovich.lp.methods import Start
from kantorovich.model.generate import write_plan_csv
from kantorovich.results.certificate import certify
from kantorovich.results.chain import solve_program

SRC = Path(__file__).resolve().parents[1] / "src" / "kantorovich"


@pytest.fixture(scope="module")
def cycling() -> k.Plan:
    """600 products, two resources, two fifths of the techniques capped tight: the merit
    order cycles between four choices here, and its small program does not settle
    them."""
    return varied_economy(600, seed=1, capped_share=0.4, tightness=0.8)


@pytest.fixture(scope="module")
def cold(cycling: k.Plan) -> k.PlanResult:
    return k.solve(cycling, method="simplex")


# -- the merit order: a cycle it cannot settle is handed on with its choice ---------------
def test_a_merit_cycle_hands_its_choice_to_a_warm_simplex(cycling, cold) -> None:
    lp = compile_plan(cycling)
    found = Merit(min_rows=0).solve(lp, Budget(None))
    assert found.solution is None and "cycles between 4 choices" in found.reason
    start = found.start
    assert start is not None and start.has_basis and len(start.techniques) >= 600
    result = k.solve(cycling, method="merit")
    assert result.method == "simplex" and result.is_optimal
    assert result.certificate.verified
    assert result.method_reason.startswith("not merit: the merit order cycles")
    assert "warm from the basis of the merit order" in result.method_reason
    assert result.objective == pytest.approx(cold.objective, rel=1e-9)
    # the fallback starts where the merit order stopped: fewer iterations than cold
    assert result.solution.iterations < cold.solution.iterations / 2


def test_a_merit_cycle_at_a_degenerate_optimum_is_settled() -> None:
    """The cycle's small program pins more goods than it runs second techniques (a
    degenerate optimum): its levels and prices settle it, and the merit order answers."""
    plan = varied_economy(300, seed=0)
    result = k.solve(plan, method="merit")
    assert result.method == "merit" and result.certificate.verified
    assert result.objective == pytest.approx(k.solve(plan, method="simplex").objective,
                                             rel=1e-9)


def test_merit_answers_carry_its_name() -> None:
    plan = varied_economy(300, seed=0, techniques=(1, 5))     # the merit order settles
    result = k.solve(plan, method="merit")
    assert result.method == "merit" and result.certificate.verified
    assert "techniques run in merit order" in result.method_reason
    assert result.objective == pytest.approx(k.solve(plan, method="simplex").objective,
                                             rel=1e-9)
    # auto takes it too where it qualifies; the story says why not the structure method
    solved = solve_program(compile_plan(plan), methods={"merit": Merit(min_rows=0)})
    assert solved.method == "merit"
    assert solved.reason.startswith("not structure: processes")
    # asking for the structure method never runs a two-resource search under its name
    asked = k.solve(plan, method="structure")
    assert asked.method != "structure"
    assert asked.method_reason.startswith("structure was asked for, but")


def test_merit_is_a_method_of_the_command_line(tmp_path: Path) -> None:
    plan = write_plan_csv(varied_economy(60, seed=0, techniques=(1, 5)), tmp_path / "plan")
    ran = CliRunner().invoke(app, ["solve", str(plan), "--method", "merit", "--json",
                                   "--analysis-time", "0"])
    assert ran.exit_code == 0, ran.output
    assert '"method": "merit"' in ran.stdout or '"method": "simplex"' in ran.stdout


# -- technique generation: a narrow miss is polished, not thrown away ---------------------
@pytest.fixture(scope="module")
def tiny_prices() -> k.Plan:
    """Counts in the basket 10^4 times larger: prices of about 1e-7, where HiGHS's
    absolute tolerance lets a reduced cost of the wrong sign through."""
    plan = varied_economy(600, seed=0)
    weights = plan.objective.weights
    return plan.with_changes(weights={g: float(w * 1e4) for g, w in weights.items()})


def test_a_generation_answer_that_narrowly_fails_is_polished(tiny_prices) -> None:
    lp = compile_plan(tiny_prices)
    first = Generation(scale=False).solve(lp, Budget(None))
    cert = certify(lp, first.solution.x, first.solution.row_dual)
    worst = cert.failures()[0]
    # the case: one reduced cost of the wrong sign by a few 1e-9
    assert not cert.verified and worst.condition == "dual"
    assert "reduced cost of the wrong sign" in worst.message
    assert worst.residual < 1e-3
    reference = k.solve(tiny_prices, method="simplex")
    solved = solve_program(lp, method="generation",
                           methods={"generation": Generation(scale=False)})
    assert solved.method == "generation" and solved.certificate.verified
    assert "technique generation: polished:" in solved.reason
    assert solved.solution.objective == pytest.approx(reference.objective, rel=1e-9)
    # scaled as it is by default, its first answer is certified
    default = solve_program(lp, method="generation")
    assert default.method == "generation" and "polished" not in default.reason
    assert default.solution.objective == pytest.approx(reference.objective, rel=1e-9)


def test_generation_starts_from_what_the_merit_order_tried(cycling, cold) -> None:
    lp = compile_plan(cycling)
    found = Merit(min_rows=0).solve(lp, Budget(None))
    given = Generation().solve(lp, Budget(None), found.start)
    assert "with the techniques of the merit order" in given.reason
    assert certify(lp, given.solution.x, given.solution.row_dual).verified
    assert given.solution.objective == pytest.approx(cold.objective, rel=1e-9)


# -- HiGHS as the last method: PDLP's point crossed over -----------------------------------
def test_a_point_without_basis_is_crossed_over(cycling, cold) -> None:
    lp = compile_plan(cycling)
    start = Start(x=cold.solution.x, row_dual=cold.solution.row_dual, source="a test")
    solved = solve_program(lp, method="simplex", start=start)
    assert "crossover from the point of a test" in solved.reason
    assert solved.certificate.verified
    assert solved.solution.iterations <= 5
    assert solved.solution.objective == pytest.approx(cold.objective, rel=1e-9)


# -- HighsSession.close closes --------------------------------------------------------------
def test_close_releases_the_solver(cycling) -> None:
    lp = compile_plan(cycling)
    session = HighsSession(lp)
    assert session.solve().status is k.Status.OPTIMAL
    held = session._h
    assert isinstance(held, highspy.Highs) and held.getNumCol() == lp.shape[1]
    session.close()
    assert session.closed and held.getNumCol() == 0       # its program is gone
    with pytest.raises(SessionClosed, match="closed"):
        session.solve()
    session.close()                                       # twice: nothing more
    with HighsSession(lp) as other:
        other.solve()
    assert other.closed


def test_results_keep_a_live_session_for_their_analyses(cycling) -> None:
    result = k.solve(cycling, method="simplex")
    assert not result.session().closed
    assert result.session().what_if().objective == pytest.approx(result.objective,
                                                                 rel=1e-12)


# -- Session: the structure method's what-ifs ------------------------------------------------
def test_session_answers_supply_what_ifs_by_the_structure() -> None:
    plan = varied_economy(400, seed=2, resources=1, capped_share=0)
    session = k.Session(plan)
    base = session.solve()
    assert base.method == "structure"
    labour = float(plan.goods.loc["labour", "supply"])
    demand_good = str(plan.goods.index[5])
    for factor in (0.5, 0.8, 1.1, 1.7):
        changes = {"supply": {"labour": labour * factor}, "demand": {demand_good: 3.0}}
        warm = session.solve(**changes)
        cold = k.solve(plan.with_changes(**changes))
        assert warm.method == cold.method == "structure"
        assert "from the techniques of the session's last answer" in warm.method_reason
        assert warm.certificate.verified
        assert warm.objective == pytest.approx(cold.objective, rel=1e-12)
        np.testing.assert_allclose(warm.levels, cold.levels, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(warm.shadow_prices, cold.shadow_prices, rtol=1e-9)
    # a what-if the structure does not cover goes to the session's live HiGHS model
    capped = session.solve(capacity={str(plan.processes.index[0]): 1.0})
    assert capped.method == "simplex" and "warm what-if" in capped.method_reason
    assert capped.objective == pytest.approx(k.solve(plan.with_changes(
        capacity={str(plan.processes.index[0]): 1.0})).objective, rel=1e-9)


# -- one kernel per idea ------------------------------------------------------------------
def test_one_leontief_solver_and_no_cycle_between_structure_and_merit() -> None:
    from kantorovich.economy import leontief as economy_leontief
    from kantorovich.lp import leontief

    assert economy_leontief.LeontiefSystem is leontief.LeontiefSystem
    assert economy_leontief.TOLERANCE is leontief.TOLERANCE

    def imported(module: str) -> set[str]:
        tree = ast.parse((SRC / "lp" / f"{module}.py").read_text())
        return {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}

    for one, other in (("structure", "merit"), ("merit", "structure"),
                       ("generation", "structure"), ("generation", "merit")):
        assert f"kantorovich.lp.{other}" not in imported(one)
    for module in ("structure", "merit", "generation"):
        assert "kantorovich.lp.technology" in imported(module)
        source = (SRC / "lp" / f"{module}.py").read_text()
        assert "def read_technology" not in source and "splu" not in source
    # no other factorisation of I - A anywhere (results/sensitivity.py factorises a
    # simplex basis, lab/behaviour.py a discounted Markov chain: not Leontief's)
    factorising = sorted(str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                         if "splu(" in path.read_text())
    assert factorising == ["lp/leontief.py", "results/sensitivity.py"]


# -- the generator of unseen economies ------------------------------------------------------
def test_varied_economies_follow_their_rules() -> None:
    plan = varied_economy(500, seed=4, capped_share=0.2, correlation=0.8)
    again = varied_economy(500, seed=4, capped_share=0.2, correlation=0.8)
    assert plan.flows.equals(again.flows)
    procs = plan.processes
    assert len(procs) == 1500
    capped = np.isfinite(procs["capacity"].to_numpy(float))
    assert capped.mean() == pytest.approx(0.2, abs=0.01)
    product = procs.index.str.split(".").str[0]
    assert not _every_per_key(capped, product).any()   # a free technique per product
    result = k.solve(plan, method="simplex")
    rows = result.lp.rows["id"].to_numpy()
    for resource in ("labour", "capital"):               # both resources bind
        assert result.solution.row_dual[np.flatnonzero(rows == resource)[0]] < 0
    varied = varied_economy(200, seed=1, techniques=(1, 5))
    counts = varied.processes.index.str.split(".").str[0].value_counts()
    assert counts.min() == 1 and counts.max() == 5


def _every_per_key(values: np.ndarray, keys: object) -> np.ndarray:
    """Per key, whether every value is true."""
    import pandas as pd

    return pd.Series(values).groupby(np.asarray(keys)).all().to_numpy()
