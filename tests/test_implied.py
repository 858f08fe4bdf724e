"""A long staircase is solved without the goods rows its assortment rows imply, then
confirmed on the whole program: the same certified optimum as the program solved whole,
those rows priced at 0, and nothing dropped that could bind."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import yaml

import kantorovich as k
from kantorovich.lp.compile import compile_plan
from kantorovich.model.expansion import horizon_of
from kantorovich.results.implied import implied_goods_rows
from kantorovich.results.staircase import CRASH_PERIODS, staircase_method
from test_staircase import economy

N, PERIODS = 300, CRASH_PERIODS + 2


def test_every_basket_good_s_row_is_implied_and_no_other(tmp_path: Path) -> None:
    plan = economy(tmp_path, N, PERIODS, local=True)
    lp = compile_plan(plan)
    timed = horizon_of(plan)
    assert timed is not None
    implied = implied_goods_rows(timed, lp)
    goods = timed.goods
    rows = lp.row_positions("good")
    kind = goods["kind"].to_numpy()[np.searchsorted(rows, implied)]
    assert (kind == "good").all()
    assert len(implied) == N * PERIODS                     # every good but labour
    names = set(lp.rows["id"].to_numpy()[implied])
    assert "g0[1]" in names and "labour[1]" not in names


def test_a_demand_above_the_sets_keeps_its_row(tmp_path: Path) -> None:
    economy(tmp_path, N, PERIODS, local=True)
    document = yaml.safe_load((tmp_path / "plan.yaml").read_text())
    document["demand"] = {"g5": 0.5, "g7": [0.0] * (PERIODS - 1) + [0.25]}
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(document))
    plan = k.load_plan(tmp_path / "plan.yaml")
    lp = compile_plan(plan)
    timed = horizon_of(plan)
    assert timed is not None
    names = set(lp.rows["id"].to_numpy()[implied_goods_rows(timed, lp)])
    # a demand the sets at 0 would not meet: the goods row can bind, so it stays
    assert not any(f"g5[{t}]" in names for t in range(1, PERIODS + 1))
    assert f"g7[{PERIODS}]" not in names and "g7[1]" in names
    assert len(names) == N * PERIODS - PERIODS - 1
    result = k.solve(plan)
    whole = k.solve(plan, method="ipm")
    assert result.certificate.verified and whole.certificate.verified
    assert result.objective == pytest.approx(whole.objective, rel=1e-9)


@pytest.mark.parametrize("local", [True, False])
def test_the_same_certified_optimum_as_the_whole_program(tmp_path: Path, local: bool
                                                         ) -> None:
    plan = economy(tmp_path, N, PERIODS, local=local)
    lp = compile_plan(plan)
    assert lp.matrix.nnz >= 10_000
    choice = staircase_method(plan, lp, "auto")
    assert choice is not None and choice.method == "ipm" and choice.start is None
    assert choice.implied is not None and len(choice.implied) == N * PERIODS
    result = k.solve(plan)
    assert result.is_optimal and result.certificate.verified
    assert result.method == "ipm"
    assert f"without the {N * PERIODS:,} goods rows their assortment rows imply" in \
        result.method_reason
    assert "confirmed warm" in result.method_reason
    # the answer is on the program as compiled, the dropped rows priced at 0
    assert len(result.solution.row_dual) == lp.shape[0]
    assert np.all(result.solution.row_dual[choice.implied] == 0.0)
    assert (result.solution.row_basis[choice.implied] == "basic").all()
    for method in ("simplex", "ipm"):
        whole = k.solve(plan, method=method)
        assert whole.certificate.verified
        assert result.objective == pytest.approx(whole.objective, rel=1e-9)


def test_its_live_solver_holds_the_whole_program_at_the_optimum(tmp_path: Path) -> None:
    plan = economy(tmp_path, N, PERIODS, local=True)
    result = k.solve(plan)
    session = result.session()
    assert session.lp.shape == result.lp.shape == compile_plan(plan).shape
    again = session.solve()                 # the analyses re-solve from here: warm
    assert again.status is k.Status.OPTIMAL
    assert again.iterations == 0
    assert again.objective == pytest.approx(result.objective, rel=1e-12)


def test_an_infeasible_staircase_is_said_so_on_the_whole_program(tmp_path: Path) -> None:
    economy(tmp_path, N, PERIODS, local=True)
    document = yaml.safe_load((tmp_path / "plan.yaml").read_text())
    document["demand"] = {"g5": [0.0] * (PERIODS - 1) + [1e6]}   # beyond any labour
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(document))
    plan = k.load_plan(tmp_path / "plan.yaml")
    lp = compile_plan(plan)
    choice = staircase_method(plan, lp, "auto")
    assert choice is not None and choice.implied is not None
    result = k.solve(plan)
    assert result.status is k.Status.INFEASIBLE and not result.is_optimal
    diagnosis = result.diagnosis()
    assert diagnosis.verified
    relaxed = diagnosis.to_dict()["relaxation"]
    assert any(f"g5[{PERIODS}]" in str(entry) for entry in relaxed), relaxed


def test_its_time_is_both_solves(tmp_path: Path) -> None:
    plan = economy(tmp_path, N, PERIODS, local=True)
    started = time.perf_counter()
    result = k.solve(plan)
    spent = time.perf_counter() - started
    # the first solve (interior point on the smaller program) is most of the work:
    # the result's HiGHS time counts it, not only the confirming warm solve
    assert 0.3 * spent <= result.seconds <= spent


@pytest.mark.parametrize("periods", [CRASH_PERIODS, CRASH_PERIODS + 2])
def test_a_session_starts_a_staircase_as_solve_does(tmp_path: Path, periods: int) -> None:
    """`Session.solve` on a long plan over time starts where `solve` would (the crash
    basis, or interior point without the implied rows), its live simplex confirming it;
    what-ifs then re-solve warm from that optimum."""
    plan = economy(tmp_path, N, periods, local=True)
    cold = k.solve(plan)
    session = k.Session(plan)
    base = session.solve()
    assert base.status is k.Status.OPTIMAL and base.certificate.verified
    assert base.objective == pytest.approx(cold.objective, rel=1e-9)
    assert "Session" in base.method_reason
    if periods > CRASH_PERIODS:
        assert "without the" in base.method_reason
    else:
        assert "crash" in base.method_reason
    with pytest.raises(k.PlanError, match=r"in one period: 'labour\[1\]'"):
        session.solve(supply={"labour": 200.0})
    more = session.solve(supply={"labour[2]": 1.05 * 0.6 * N * 1.02})
    assert more.status is k.Status.OPTIMAL and more.certificate.verified
    again = k.solve(plan.with_changes(supply={"labour[2]": 1.05 * 0.6 * N * 1.02}))
    assert more.objective == pytest.approx(again.objective, rel=1e-9)
    assert more.objective > base.objective
