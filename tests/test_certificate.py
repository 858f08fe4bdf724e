"""The certificate's tolerances (issue 16): rounding noise in the prices is no wrong sign,
a wrong sign that holds a column's own cost fails at any magnitude, and an unverified
answer keeps its numbers in JSON. The hostile plans of the trust issue stay refused in
`tests/test_hostile_solves.py` and `tests/test_scaling.py`."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import kantorovich as k
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.report.summary import summary
from kantorovich.results.certificate import certify
from kantorovich.results.result import PlanResult

INF = np.inf


def _program(costs: list[float], rows: list[list[float]], row_lower: list[float],
             row_upper: list[float], col_upper: list[float]) -> LinearProgram:
    n = len(costs)
    return LinearProgram(
        "maximize", np.array(costs, float), sp.csc_matrix(np.array(rows, float)),
        np.array(row_lower, float), np.array(row_upper, float), np.zeros(n),
        np.array(col_upper, float),
        pd.DataFrame({"kind": "good", "id": [f"g{i}" for i in range(len(rows))]}),
        pd.DataFrame({"kind": "process", "id": [f"p{j}" for j in range(n)]}))


def test_rounding_noise_in_the_prices_is_no_wrong_sign() -> None:
    """Netlib's etamacro and ganges: a process of no cost (p1) tied to p2 by a balance
    whose price is rounding noise (-1e-12 where the objective's price is 1) gets a
    reduced cost of 1e-12 pointing at its infinite capacity. The old floor (1e-9 of the
    largest cost) called that a wrong sign of 1e-3 of its scale."""
    lp = _program([1.0, 0.0, 0.0],
                  [[1.0, 0.0, 0.0],           # g0: p0 <= 10, priced 1
                   [0.0, 1.0, -1.0]],         # g1: p1 - p2 >= 0, priced -1e-12 (noise)
                  [-INF, 0.0], [10.0, INF], [INF, INF, 5.0])
    x = np.array([10.0, 5.0, 5.0])
    y = np.array([1.0, -1e-12])
    z = lp.objective - lp.matrix.T @ y
    assert z[1] == pytest.approx(1e-12)       # asks for more of p1, which has no capacity
    cert = certify(lp, x, y)
    assert cert.verified, cert.failures()
    assert cert.dual_infeasibility < 1e-9


@pytest.mark.parametrize(("price", "verified"), [(3e-11, True), (1e-3, False)])
def test_a_wrong_sign_on_a_row_of_costless_columns_is_judged_by_its_worth(
        price: float, verified: bool) -> None:
    """A plan over time's stock: g1 says the holding p1 is at most what was held, and
    the holding earns nothing itself (every price around it 0). Its price of 3e-11 of
    the wrong sign (asking to raise a bound that is not there) is rounding noise, worth
    3e-10 at the row's activity of 10 against an objective of 10; one of 1e-3 is not."""
    lp = _program([1.0, 0.0],
                  [[1.0, 0.0],                # g0: p0 <= 10, priced 1
                   [0.0, 1.0]],               # g1: p1 >= 0, a row of a costless column
                  [-INF, 0.0], [10.0, INF], [INF, 10.0])
    cert = certify(lp, np.array([10.0, 10.0]), np.array([1.0, price]))
    assert cert.verified is verified, cert.failures()
    if not verified:
        assert ("dual", "g1") in [(f.condition, f.id) for f in cert.failures()]


def test_a_wrong_sign_on_a_row_of_a_costly_column_is_judged_by_its_scale() -> None:
    """The same row over a holding that earns 1e-6 a unit itself: a wrong sign of 1e-10
    is 1e-4 of that column's price scale and fails, though its worth (1e-9 against an
    objective of 10) would pass."""
    lp = _program([1.0, 1e-6], [[1.0, 0.0], [0.0, 1.0]], [-INF, 0.0], [10.0, INF],
                  [INF, 10.0])
    cert = certify(lp, np.array([10.0, 10.0]), np.array([1.0, 1e-10]))
    assert not cert.verified
    assert ("dual", "g1") in [(f.condition, f.id) for f in cert.failures()]


@pytest.mark.parametrize("cost", [1e-3, 1e-9, 1e-14])
def test_a_wrong_sign_of_the_columns_own_cost_fails_at_any_magnitude(cost: float) -> None:
    """p1 earns ``cost`` per unit (down to 1e-14 of the largest cost) and nothing limits
    it: the program is unbounded, and leaving p1 at 0 is no optimum however small its
    price."""
    lp = _program([1.0, cost], [[1.0, 0.0]], [-INF], [10.0], [INF, INF])
    cert = certify(lp, np.array([10.0, 0.0]), np.array([1.0]))
    assert not cert.verified
    failure = cert.failures()[0]
    assert (failure.condition, failure.id) == ("dual", "p1")
    # its whole price scale (floored at the rounding of the largest cost, 1e-9 of it)
    assert failure.residual >= 0.99e-5


def test_noise_beyond_the_tolerance_of_the_objective_fails() -> None:
    """A reduced cost made of prices alone still fails when its worth at the column's
    typical level is more than 1e-6 of the objective: 1e-3 per unit against 10."""
    lp = _program([1.0, 0.0, 0.0], [[1.0, 0.0, 0.0], [0.0, 1.0, -1.0]],
                  [-INF, 0.0], [10.0, INF], [INF, INF, 5.0])
    cert = certify(lp, np.array([10.0, 5.0, 5.0]), np.array([1.0, -1e-3]))
    assert not cert.verified
    assert ("dual", "p1") in [(f.condition, f.id) for f in cert.failures()]


# -- an unverified answer keeps its numbers ---------------------------------------------------
MILLS = {"name": "two mills", "goods": {"wheat": {"unit": "t"}, "flour": {"unit": "t"}},
         "processes": {"a": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.70}},
                       "b": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.721},
                             "capacity": 1200}},
         "supply": {"wheat": 2000}, "policies": {"q": {"rule": "level(a) >= 1000"}},
         "objective": {"maximize": {"flour": 1}}}


def test_an_unverified_answer_keeps_its_objective_and_levels_in_json() -> None:
    """The solver's answer with the rule broken (a at 800, b at 1200), as a solver that
    dropped the rule would give it: status unverified, the objective and levels kept,
    and the failed check named."""
    plan = k.Plan.from_dict(MILLS)
    right = k.solve(plan)
    assert right.is_optimal and right.levels["a"] == pytest.approx(1000)
    x = right.solution.x.copy()
    x[list(plan.processes.index).index("a")] = 800.0
    x[list(plan.processes.index).index("b")] = 1200.0
    wrong = replace(right.solution, x=x, objective=0.7 * 800 + 0.721 * 1200,
                    status=Status.UNVERIFIED)
    result = PlanResult(plan, right.lp, wrong, method=right.method,
                        method_reason="not proven optimal")
    data = json.loads(json.dumps(summary(result, analyses=False), allow_nan=False))
    assert data["status"] == "unverified"
    assert data["objective"] == pytest.approx(0.7 * 800 + 0.721 * 1200)
    assert data["levels"] == {"a": pytest.approx(800.0), "b": pytest.approx(1200.0)}
    assert data["certificate"]["verified"] is False
    failed = data["certificate"]["failures"]
    assert failed and failed[0]["condition"] == "primal" and failed[0]["id"] == "q"


def test_blocks_of_columns_give_the_whole_matrix_s_scales() -> None:
    """The certificate's passes over the matrix go a block of columns at a time (issue
    18: no array of the matrix's size beside it); on a matrix with empty columns, a
    column longer than a block and blocks of 1 to 7 entries, ``|A||x|``, ``|A|^T|y|``
    and the column norms equal the dense ones."""
    from kantorovich.results import certificate

    rng = np.random.default_rng(3)
    dense = rng.normal(size=(9, 12)) * (rng.random((9, 12)) < 0.4)
    dense[:, 4] = 0.0                        # an empty column
    dense[:, 7] = rng.normal(size=9)         # a full column, longer than small blocks
    A = sp.csc_matrix(dense)
    x, y = rng.normal(size=12), rng.normal(size=9)
    for size in (1, 3, 7, 10**6):
        blocks = list(certificate._column_blocks(A.indptr, size))
        assert [b[0].start for b in blocks] == [0, *[b[0].stop for b in blocks[:-1]]]
        assert blocks[-1][0].stop == 12
        saved = certificate._BLOCK
        certificate._BLOCK = size
        try:
            ax, ya, norm = certificate._absolute_products(A, x, y)
        finally:
            certificate._BLOCK = saved
        np.testing.assert_allclose(ax, np.abs(dense) @ np.abs(x), rtol=1e-15)
        np.testing.assert_allclose(ya, np.abs(dense).T @ np.abs(y), rtol=1e-15)
        np.testing.assert_array_equal(norm, np.abs(dense).max(axis=0))


def test_a_certificate_by_blocks_is_the_certificate_whole(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """A solved plan's certificate with blocks of 5 entries has the same residuals and
    objectives as with the matrix in one block."""
    from kantorovich.model.generate import synthetic_plan
    from kantorovich.results import certificate

    result = k.solve(synthetic_plan(300))
    assert result.status is Status.OPTIMAL
    sol = result.solution
    whole = certify(result.lp, sol.x, sol.row_dual)
    monkeypatch.setattr(certificate, "_BLOCK", 5)
    blocks = certify(result.lp, sol.x, sol.row_dual)
    assert whole.verified and blocks.verified
    for name in ("primal_infeasibility", "dual_infeasibility", "complementary_slackness",
                 "duality_gap",
                 "primal_objective", "dual_objective"):
        assert getattr(blocks, name) == pytest.approx(getattr(whole, name), rel=1e-9,
                                                      abs=1e-15), name
