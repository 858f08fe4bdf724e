"""`solve(plan, method=...)`: every HiGHS method reaches the same certified optimum, the
result says which ran and why, and PDLP's answers are optimal only when certified."""

from __future__ import annotations

import numpy as np
import pytest

import kantorovich as k
from kantorovich.lp import highs_method
from kantorovich.lp.highs import HighsSession
from kantorovich.lp.highs_method import choose_highs_method
from kantorovich.lp.methods import MethodError
from kantorovich.model.generate import synthetic_plan
from kantorovich.results.certificate import certify


@pytest.fixture(scope="module")
def plan() -> k.Plan:
    return synthetic_plan(120, seed=4, policies=3)       # capacities and rules


@pytest.mark.parametrize("method", ["simplex", "ipm"])
def test_highs_methods_reach_the_same_certified_vertex(plan: k.Plan, method: str) -> None:
    reference = k.solve(plan, method="simplex")
    result = k.solve(plan, method=method)
    assert result.method == method and result.method_reason == "asked for"
    assert result.status is k.Status.OPTIMAL and result.certificate.verified
    assert result.objective == pytest.approx(reference.objective, rel=1e-9)
    assert result.solution.has_basis                     # crossover gives a vertex
    assert f"by {method} (asked for)" in repr(result)


def test_auto_solves_small_plans_by_the_simplex(plan: k.Plan) -> None:
    result = k.solve(plan)
    assert result.method == "simplex"
    assert result.method_reason.startswith("not structure: the plan has rules")
    assert "dual simplex" in result.method_reason


def test_auto_solves_large_plans_by_interior_point(plan: k.Plan,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(highs_method, "IPM_FROM_NONZEROS", 100)
    result = k.solve(plan)
    assert result.method == "ipm" and "interior point with crossover" in result.method_reason
    assert result.status is k.Status.OPTIMAL and result.certificate.verified
    assert result.solution.has_basis
    # analyses re-solve warm by the simplex, not by interior point
    assert result.session().method == "choose"
    again = result.session().what_if()
    assert again.objective == pytest.approx(result.objective, rel=1e-12)


def test_choice_by_size() -> None:
    assert choose_highs_method(10, 100)[0] == "simplex"
    method, reason = choose_highs_method(10**6, 10**7)
    assert method == "ipm" and "10,000,000 nonzeros" in reason
    assert choose_highs_method(10**6, 10**7, asked="pdlp")[0] == "pdlp"


def test_an_unknown_method_is_refused(plan: k.Plan) -> None:
    with pytest.raises(MethodError, match="unknown method 'barrier'") as info:
        k.solve(plan, method="barrier")
    assert "auto, simplex, ipm, pdlp, structure, merit, generation" in info.value.hint
    assert info.value.exit_code == 2


def test_pdlp_is_optimal_only_when_certified(plan: k.Plan) -> None:
    result = k.solve(plan, method="pdlp")
    assert result.method == "pdlp"
    assert not result.solution.has_basis
    assert result.status.has_solution
    cert = certify(result.lp, result.solution.x, result.solution.row_dual)
    assert result.is_optimal == cert.verified
    reference = k.solve(plan, method="simplex").objective
    assert result.objective == pytest.approx(reference, rel=1e-3)


def _loose_pdlp(monkeypatch: pytest.MonkeyPatch) -> None:
    use = HighsSession.use_method

    def loose(self: HighsSession, method: str) -> None:
        use(self, method)
        if method == "pdlp":                 # PDLP stopped early: about 1e-2 accurate
            self._h.setOptionValue("primal_feasibility_tolerance", 1e-2)
            self._h.setOptionValue("dual_feasibility_tolerance", 1e-2)

    monkeypatch.setattr(HighsSession, "use_method", loose)


def test_an_inaccurate_pdlp_answer_is_crossed_over_from_its_point(
        plan: k.Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    _loose_pdlp(monkeypatch)
    result = k.solve(plan, method="pdlp")
    assert result.method == "pdlp" and result.is_optimal
    assert result.certificate.verified and result.solution.has_basis
    assert "its point crossed over to a vertex" in result.method_reason
    assert result.objective == pytest.approx(k.solve(plan, method="simplex").objective,
                                             rel=1e-9)


def test_an_inaccurate_pdlp_answer_is_unverified_with_its_residuals(
        plan: k.Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    _loose_pdlp(monkeypatch)
    # no vertex from its point, and the second opinion no better than the first
    monkeypatch.setattr(HighsSession, "cross_over", lambda self, x, row_dual: False)
    monkeypatch.setattr(HighsSession, "solve_carefully",
                        lambda self, budget=None, **_: self.solve(budget))
    result = k.solve(plan, method="pdlp")
    assert result.status is k.Status.UNVERIFIED
    assert not result.is_optimal
    cert = result.certificate
    assert not cert.verified
    assert "not proven optimal" in result.method_reason
    assert f"duality gap {cert.duality_gap:.1g}" in result.solution.message
    assert f"primal infeasibility {cert.primal_infeasibility:.1g}" in result.method_reason
    with pytest.raises(k.PlanStatusError):
        result.raise_for_status()


def test_pdlp_on_a_structure_plan_is_pdlp(plan: k.Plan) -> None:
    from test_structure import corn_iron

    result = k.solve(corn_iron({"maximize_sets": {"corn": 1, "iron": 1}}), method="pdlp")
    assert result.method == "pdlp"
    assert result.is_optimal == result.certificate.verified
    assert np.isclose(result.objective, 100 / 3, rtol=1e-4)
