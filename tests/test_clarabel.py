"""Clarabel's interior point as the first solve of a long staircase (`lp.clarabel`):
its prices in the house's convention, its point crossed over by HiGHS to the same
certified vertex, and HiGHS left to decide whatever Clarabel does not solve."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import kantorovich as k
from kantorovich.lp.budget import Budget
from kantorovich.lp.clarabel import interior_point
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.status import Status
from kantorovich.results import staircase
from test_staircase import economy

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["two_mills.yaml", "shirts.yaml"])
def test_its_point_and_prices_are_highs_s(name: str) -> None:
    """Equality, upper and lower rows and bounded columns, maximised and minimised:
    the same objective and the same row prices (improvement per unit of the active
    bound) as HiGHS's simplex, where those are unique."""
    plan = k.load_plan(DATA / name)
    exact = k.solve(plan, method="simplex")
    lp = compile_plan(plan)
    point = interior_point(lp, Budget(None))
    assert point.status is Status.OPTIMAL
    assert point.objective == pytest.approx(exact.objective, rel=1e-7)
    assert point.x.shape == (lp.shape[1],) and point.row_dual.shape == (lp.shape[0],)
    np.testing.assert_allclose(point.row_activity, lp.matrix @ point.x)
    scale = max(1.0, float(np.abs(exact.solution.row_dual).max()))
    if not exact.is_degenerate:
        np.testing.assert_allclose(point.row_dual, exact.solution.row_dual,
                                   atol=1e-6 * scale)


def test_a_plan_with_no_optimum_is_left_to_highs() -> None:
    plan = k.load_plan(DATA / "infeasible-wheat.yaml")
    point = interior_point(compile_plan(plan), Budget(None))
    assert point.status is Status.ERROR and "Infeasible" in point.message
    assert not point.status.has_solution


@pytest.fixture
def clarabel_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clarabel first from any size, so that a plan solved in a second takes its path."""
    monkeypatch.setattr(staircase, "CLARABEL_FROM", 0)


@pytest.mark.parametrize("local", [True, False])
def test_a_staircase_by_clarabel_is_the_certified_vertex(
        tmp_path: Path, local: bool, clarabel_first: None) -> None:
    plan = economy(tmp_path, 200, staircase.CRASH_PERIODS + 3, local=local)
    lp = compile_plan(plan)
    choice = staircase.staircase_method(plan, lp, "auto")
    assert choice is not None and choice.interior == "clarabel"
    result = k.solve(plan)
    assert result.is_optimal and result.certificate.verified
    assert "Clarabel's interior point" in result.method_reason
    assert "crossover to a vertex of the whole program" in result.method_reason
    assert result.solution.has_basis                     # a vertex, as any other answer
    assert (result.solution.row_basis[choice.implied] == "basic").all()
    whole = k.solve(plan, method="simplex")
    assert result.objective == pytest.approx(whole.objective, rel=1e-9)
    # its live solver holds the whole program at that vertex: analyses re-solve warm
    again = result.session().solve()
    assert again.status is k.Status.OPTIMAL and again.iterations == 0
    # a session starts where solve does
    base = k.Session(plan).solve()
    assert base.objective == pytest.approx(whole.objective, rel=1e-9)
    assert "Clarabel" in base.method_reason


def test_an_infeasible_staircase_goes_on_to_highs(tmp_path: Path,
                                                   clarabel_first: None) -> None:
    periods = staircase.CRASH_PERIODS + 2
    economy(tmp_path, 200, periods, local=True)
    document = yaml.safe_load((tmp_path / "plan.yaml").read_text())
    document["demand"] = {"g5": [0.0] * (periods - 1) + [1e6]}     # beyond any labour
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(document))
    result = k.solve(k.load_plan(tmp_path / "plan.yaml"))
    assert result.status is k.Status.INFEASIBLE
    assert result.diagnosis().verified


def test_its_time_limit_is_the_budget(tmp_path: Path, clarabel_first: None) -> None:
    plan = economy(tmp_path, 2_000, staircase.CRASH_PERIODS + 5, local=True)
    result = k.solve(plan, time_limit=0.5)
    assert result.status is k.Status.TIME_LIMIT and not result.is_optimal


def test_a_stop_asked_for_ends_it_as_interrupted(tmp_path: Path) -> None:
    """The CLI's Ctrl-C (`request_stop` from its signal handler) ends Clarabel at its
    next iteration, as it ends HiGHS: `Interrupted`, exit code 130."""
    from kantorovich.lp import budget

    plan = economy(tmp_path, 300, staircase.CRASH_PERIODS + 2, local=True)
    was = budget.interrupts_enabled()
    budget.enable_interrupts()
    budget.request_stop()
    try:
        with pytest.raises(budget.Interrupted) as stopped:
            interior_point(compile_plan(plan), Budget(None))
        assert stopped.value.exit_code == 130
    finally:
        budget.clear_stop()
        if not was:
            budget._interruptible.clear()


def test_the_crossover_from_a_point_runs_in_a_thread_where_highs_never_ran(
        tmp_path: Path) -> None:
    """HiGHS's crossover from a given point reads its thread's task scheduler, which only
    a run starts; in a fresh process (or a server's worker thread) on a plan large
    enough to be polled it used to die of a segmentation fault. A process of its own,
    so that a crash is a failed test and not a dead test run."""
    import subprocess
    import sys

    economy(tmp_path, 1_000, staircase.CRASH_PERIODS + 5, local=True)
    script = (
        "import sys, threading\n"
        "import kantorovich as k\n"
        "from kantorovich.results import staircase\n"
        "staircase.CLARABEL_FROM = 0\n"
        "plan = k.load_plan(sys.argv[1])\n"
        "out = []\n"
        "t = threading.Thread(target=lambda: out.append(k.solve(plan)))\n"
        "t.start(); t.join()\n"
        "r = out[0]\n"
        "print(r.is_optimal, r.certificate.verified, 'Clarabel' in r.method_reason,\n"
        "      r.solution.has_basis, repr(r.objective))\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "plan.yaml")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    optimal, verified, clarabel, basis, objective = done.stdout.split()  # nothing else
    assert (optimal, verified, clarabel, basis) == ("True",) * 4
    exact = k.solve(k.load_plan(tmp_path / "plan.yaml"), method="simplex")
    assert float(objective) == pytest.approx(exact.objective, rel=1e-9)


def test_a_crossover_that_fails_hands_on_to_highs_s_interior_point(
        tmp_path: Path, clarabel_first: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where HiGHS cannot cross over from Clarabel's point, its own interior point (with
    its own crossover) solves the whole program, not the simplex from nothing; the
    answer is the same certified vertex and the reason says what happened."""
    from kantorovich.lp.highs import HighsSession

    plan = economy(tmp_path, 200, staircase.CRASH_PERIODS + 3, local=False)
    exact = k.solve(plan, method="simplex")
    tried: list[int] = []

    def fails(self: HighsSession, x: np.ndarray, row_dual: np.ndarray) -> bool:
        tried.append(len(x))
        return False

    monkeypatch.setattr(HighsSession, "cross_over", fails)
    result = k.solve(plan)
    assert tried == [compile_plan(plan).shape[1]]
    assert result.is_optimal and result.certificate.verified
    assert result.solution.has_basis
    assert result.objective == pytest.approx(exact.objective, rel=1e-9)
    assert ("HiGHS's crossover from that point failed, so HiGHS's interior point with "
            "crossover solved the whole program") in result.method_reason
    # a session's live model the same way
    base = k.Session(plan).solve()
    assert len(tried) == 2
    assert base.is_optimal and base.certificate.verified
    assert base.objective == pytest.approx(exact.objective, rel=1e-9)
    assert "its crossover from the first solve's point having failed" in base.method_reason
    again = base.session().solve()
    assert again.status is k.Status.OPTIMAL and again.iterations == 0


def test_the_simplex_after_a_crossover_prices_by_devex_once(tmp_path: Path) -> None:
    """The run that cleans up after a crossover from a point skips the steepest edge's
    exact start-up weights (Devex); the session's later what-ifs price as HiGHS chooses."""
    from kantorovich.lp.highs import HighsSession

    plan = economy(tmp_path, 300, staircase.CRASH_PERIODS + 3, local=True)
    lp = compile_plan(plan)
    point = interior_point(lp, Budget(None))
    session = HighsSession(lp)
    assert session.cross_over(point.x, point.row_dual)
    strategy = "simplex_dual_edge_weight_strategy"
    found = session.solve()
    assert found.status is Status.OPTIMAL
    assert found.objective == pytest.approx(k.solve(plan, method="simplex").objective,
                                            rel=1e-9)
    assert session._h.getOptionValue(strategy)[1] == -1
    assert not session._devex_once


@pytest.mark.parametrize("local", [True, False])
def test_on_highs_s_presolve_its_point_and_prices_come_back_whole(
        tmp_path: Path, local: bool) -> None:
    """HiGHS's presolve takes the staircase's stocks and last investments out before
    Clarabel; the point and prices that come back by HiGHS's postsolve are those of
    the whole program: feasible, priced, optimal to Clarabel's tolerance (checked by
    the certificate at 1e-6) and the simplex's objective."""
    from kantorovich.lp.highs import presolve
    from kantorovich.results.certificate import certify

    plan = economy(tmp_path, 200, staircase.CRASH_PERIODS + 3, local=local)
    lp = compile_plan(plan)
    smaller = presolve(lp)
    assert smaller is not None
    assert smaller.lp.shape[0] < lp.shape[0] and smaller.lp.shape[1] < lp.shape[1]
    assert smaller.lp.sense in ("maximize", "minimize")
    point = interior_point(lp, Budget(None))
    assert point.status is Status.OPTIMAL
    assert f"on HiGHS's presolve ({smaller.shrank})" in point.message
    assert point.x.shape == (lp.shape[1],) and point.row_dual.shape == (lp.shape[0],)
    np.testing.assert_allclose(point.row_activity, lp.matrix @ point.x)
    exact = k.solve(plan, method="simplex")
    assert point.objective == pytest.approx(exact.objective, rel=1e-7)
    check = certify(lp, point.x, point.row_dual, tolerance=1e-6)
    assert check.verified, check
    # where the point is found does not change where it leads: the same vertex
    monkey = pytest.MonkeyPatch()
    monkey.setattr(staircase, "CLARABEL_FROM", 0)
    try:
        result = k.solve(plan)
    finally:
        monkey.undo()
    assert result.is_optimal and result.certificate.verified
    assert "on HiGHS's presolve" in result.method_reason
    assert result.objective == pytest.approx(exact.objective, rel=1e-9)


def test_a_point_postsolve_refuses_hands_on_to_highs(
        tmp_path: Path, clarabel_first: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where HiGHS's postsolve takes back neither the vertex found on the presolved
    program nor Clarabel's point, Clarabel has not solved the program: HiGHS's own
    interior point does, to the same certified vertex."""
    from kantorovich.lp.highs import LpSolution, Presolved

    plan = economy(tmp_path, 200, staircase.CRASH_PERIODS + 3, local=True)
    refused: list[int] = []
    vertices: list[LpSolution] = []

    def refuses(self: Presolved, x: np.ndarray, row_dual: np.ndarray) -> None:
        refused.append(len(x))
        return None

    def refuses_vertex(self: Presolved, vertex: LpSolution, budget: Budget | None = None
                       ) -> None:
        vertices.append(vertex)
        return None

    monkeypatch.setattr(staircase, "VERTEX_ON_PRESOLVE_FROM", 0)
    monkeypatch.setattr(Presolved, "restore", refuses)
    monkeypatch.setattr(Presolved, "restore_vertex", refuses_vertex)
    point = interior_point(compile_plan(plan), Budget(None))
    assert point.status is Status.ERROR and "postsolve refused" in point.message
    result = k.solve(plan)
    assert len(refused) == 2
    # the vertex was found on the presolved program and offered first
    assert len(vertices) == 1 and vertices[0].status is Status.OPTIMAL
    assert vertices[0].has_basis
    assert result.is_optimal and result.certificate.verified
    assert "Clarabel" not in result.method_reason
    assert result.objective == pytest.approx(k.solve(plan, method="simplex").objective,
                                             rel=1e-9)


def test_presolve_leaves_alone_what_it_cannot_shrink() -> None:
    """Nothing to reduce, or a program presolve decides by itself (solved, infeasible):
    no smaller program, and Clarabel (or HiGHS after it) takes the program as given."""
    import pandas as pd
    import scipy.sparse as sp

    from kantorovich.lp.highs import presolve
    from kantorovich.lp.program import LinearProgram

    for name in ("two_mills.yaml", "infeasible-wheat.yaml"):
        assert presolve(compile_plan(k.load_plan(DATA / name))) is None
    # max x + y, x + 2y <= 4, 3x + y <= 6: both rows bind, nothing to take out
    square = LinearProgram(
        sense="maximize", objective=np.array([1.0, 1.0]),
        matrix=sp.csc_matrix(np.array([[1.0, 2.0], [3.0, 1.0]])),
        row_lower=np.full(2, -np.inf), row_upper=np.array([4.0, 6.0]),
        col_lower=np.zeros(2), col_upper=np.full(2, np.inf),
        rows=pd.DataFrame({"kind": ["good"] * 2, "id": ["a", "b"]}),
        cols=pd.DataFrame({"kind": ["process"] * 2, "id": ["x", "y"]}))
    assert presolve(square) is None
    point = interior_point(square, Budget(None))
    assert point.status is Status.OPTIMAL and "presolve" not in point.message
    assert point.objective == pytest.approx(2.8, rel=1e-9)      # x = 1.6, y = 1.2
    np.testing.assert_allclose(point.row_dual, [0.4, 0.2], atol=1e-8)


def test_a_vertex_of_the_presolve_comes_back_with_its_basis(tmp_path: Path) -> None:
    """Clarabel's point crossed over on HiGHS's presolve of the staircase, and the
    optimal vertex there taken back by HiGHS's postsolve: the whole program's shape, a
    basis the whole program confirms without a pivot, the simplex's objective, and a
    vertex the certificate verifies at its own tolerance."""
    from kantorovich.lp.clarabel import on_presolve
    from kantorovich.lp.highs import HighsSession
    from kantorovich.results.certificate import certify

    plan = economy(tmp_path, 240, staircase.CRASH_PERIODS + 4, local=False, seed=5)
    lp = compile_plan(plan)
    point, presolved = on_presolve(lp, Budget(None))
    assert presolved is not None and point.status is Status.OPTIMAL
    assert point.x.shape == (presolved.lp.shape[1],)
    inner = HighsSession(presolved.lp)
    assert inner.cross_over(point.x, point.row_dual)
    there = inner.solve()
    assert there.status is Status.OPTIMAL and there.has_basis
    vertex = presolved.restore_vertex(there, Budget(None))
    assert vertex is not None and vertex.status is Status.OPTIMAL
    m, n = lp.shape
    assert vertex.x.shape == (n,) and vertex.row_dual.shape == (m,)
    assert vertex.col_basis.shape == (n,) and vertex.row_basis.shape == (m,)
    assert (vertex.col_basis == "basic").sum() + (vertex.row_basis == "basic").sum() == m
    exact = k.solve(plan, method="simplex")
    assert vertex.objective == pytest.approx(exact.objective, rel=1e-9)
    assert float(lp.objective @ vertex.x + lp.constant) == pytest.approx(
        exact.objective, rel=1e-9)
    np.testing.assert_allclose(vertex.row_activity, lp.matrix @ vertex.x, atol=1e-7)
    check = certify(lp, vertex.x, vertex.row_dual)
    assert check.verified, check
    whole = HighsSession(lp)
    assert whole.set_basis(vertex.col_basis, vertex.row_basis)
    confirmed = whole.solve()
    assert confirmed.status is Status.OPTIMAL and confirmed.iterations == 0
    assert confirmed.objective == pytest.approx(exact.objective, rel=1e-12)


def test_what_is_not_an_optimal_vertex_is_not_taken_back(tmp_path: Path) -> None:
    """Only an optimal vertex of the presolved program, with a basis of its shape, goes
    back through the postsolve: a stopped solve, a point without a basis, a basis of
    another shape or of unknown words gives None, and the point goes back instead."""
    from dataclasses import replace

    from kantorovich.lp.clarabel import on_presolve, take_back
    from kantorovich.lp.highs import HighsSession

    plan = economy(tmp_path, 200, staircase.CRASH_PERIODS + 3, local=True)
    lp = compile_plan(plan)
    point, presolved = on_presolve(lp, Budget(None))
    assert presolved is not None
    inner = HighsSession(presolved.lp)
    assert inner.cross_over(point.x, point.row_dual)
    there = inner.solve()
    assert there.status is Status.OPTIMAL
    words = there.col_basis.copy()
    words[0] = "sideways"
    for wrong in (replace(there, status=Status.TIME_LIMIT),
                  replace(there, col_basis=np.array([], dtype=object)),
                  replace(there, col_basis=there.col_basis[:-1]),
                  replace(there, col_basis=words)):
        assert presolved.restore_vertex(wrong, Budget(None)) is None
    back = take_back(point, presolved, lp)
    assert back.status is Status.OPTIMAL and back.x.shape == (lp.shape[1],)
    assert back.objective == pytest.approx(k.solve(plan, method="simplex").objective,
                                           rel=1e-7)


def test_a_vertex_the_postsolve_refuses_goes_back_as_a_point(
        tmp_path: Path, clarabel_first: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the vertex of the presolve does not come back, Clarabel's point does, and
    HiGHS's crossover finds the vertex on the whole program, as before."""
    from kantorovich.lp.highs import LpSolution, Presolved

    plan = economy(tmp_path, 200, staircase.CRASH_PERIODS + 3, local=True)
    monkeypatch.setattr(staircase, "VERTEX_ON_PRESOLVE_FROM", 0)
    offered: list[LpSolution] = []

    def refuses(self: Presolved, vertex: LpSolution, budget: Budget | None = None) -> None:
        offered.append(vertex)
        return None

    monkeypatch.setattr(Presolved, "restore_vertex", refuses)
    result = k.solve(plan)
    assert len(offered) == 1 and offered[0].has_basis
    assert result.is_optimal and result.certificate.verified
    assert "on HiGHS's presolve" in result.method_reason
    assert "crossover to a vertex of the whole program" in result.method_reason
    assert "taken back by HiGHS's postsolve" not in result.method_reason
    assert result.objective == pytest.approx(k.solve(plan, method="simplex").objective,
                                             rel=1e-9)


def test_large_local_staircases_take_their_vertex_from_the_presolve(
        tmp_path: Path, clarabel_first: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """From `VERTEX_ON_PRESOLVE_FROM` nonzeros, where the supply network is local,
    Clarabel's point is crossed over on HiGHS's presolve and the vertex comes back with
    its basis: the whole program confirms it without a pivot, in `solve` and in a
    `Session`, to the simplex's certified optimum. Below it, or where suppliers are
    anywhere (bases that factorise densely), the point goes to the whole program."""
    local = economy(tmp_path / "local", 200, staircase.CRASH_PERIODS + 3, local=True)
    anywhere = economy(tmp_path / "anywhere", 200, staircase.CRASH_PERIODS + 3,
                       local=False)
    for plan, expected in ((local, True), (anywhere, False)):
        monkeypatch.setattr(staircase, "VERTEX_ON_PRESOLVE_FROM", 0)
        choice = staircase.staircase_method(plan, compile_plan(plan), "auto")
        assert choice is not None and choice.vertex_on_presolve is expected
        monkeypatch.setattr(staircase, "VERTEX_ON_PRESOLVE_FROM",
                            compile_plan(plan).matrix.nnz + 1)
        choice = staircase.staircase_method(plan, compile_plan(plan), "auto")
        assert choice is not None and not choice.vertex_on_presolve
    monkeypatch.setattr(staircase, "VERTEX_ON_PRESOLVE_FROM", 0)
    exact = k.solve(local, method="simplex")
    result = k.solve(local)
    assert result.is_optimal and result.certificate.verified
    assert result.solution.has_basis
    assert "its vertex there found by HiGHS's crossover and simplex" in result.method_reason
    assert ("taken back by HiGHS's postsolve; the whole program confirmed warm from its "
            "basis by the simplex (0 iterations)") in result.method_reason
    assert result.objective == pytest.approx(exact.objective, rel=1e-9)
    choice = staircase.staircase_method(local, result.lp, "auto")
    assert choice is not None and choice.implied is not None
    assert (result.solution.row_basis[choice.implied] == "basic").all()
    base = k.Session(local).solve()
    assert base.is_optimal and base.certificate.verified
    assert base.objective == pytest.approx(exact.objective, rel=1e-9)
    assert "crossed over there" in base.method_reason
    again = base.session().solve()
    assert again.status is k.Status.OPTIMAL and again.iterations == 0


@pytest.mark.parametrize("on_presolve", [True, False])
def test_a_time_limit_on_the_whole_program_says_so(tmp_path: Path, on_presolve: bool
                                                    ) -> None:
    """Where the time runs out after Clarabel's point, on the whole program, the answer
    is a stop, not an optimum, and its reason says the time ran out, not that the whole
    program was confirmed or that a crossover failed."""
    from kantorovich.lp.methods import Candidate, Start
    from kantorovich.lp.program import LinearProgram
    from kantorovich.results.implied import WithoutImplied

    class TimeRunsOutAfterTheFirstSolve(WithoutImplied):
        def first(self, lp: LinearProgram, budget: Budget
                  ) -> tuple[Candidate, Start | None]:
            return super().first(lp, Budget(None))

    plan = economy(tmp_path, 200, staircase.CRASH_PERIODS + 3, local=True)
    lp = compile_plan(plan)
    choice = staircase.staircase_method(plan, lp, "auto")
    assert choice is not None and choice.implied is not None
    method = TimeRunsOutAfterTheFirstSolve(choice.implied, choice.method, choice.reason,
                                           interior="clarabel",
                                           vertex_on_presolve=on_presolve)
    out = method.solve(lp, Budget(1e-9))
    assert out.solution is not None and out.solution.status is Status.TIME_LIMIT
    assert "Clarabel's interior point" in out.reason
    assert out.reason.endswith("; the time ran out on the whole program (0 iterations)")
    assert "confirmed" not in out.reason and "failed" not in out.reason
