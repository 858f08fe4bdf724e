"""Exact scaling (lp/scaling.py) and the certificate of the plan as written (issue 5).

Each hostile plan is solved twice with HiGHS directly: as written, to show the solver gets
it wrong, and scaled, to show the true optimum comes back after unscaling.
"""

from __future__ import annotations

from dataclasses import replace

import highspy
import numpy as np
import pytest
import scipy.sparse as sp
import yaml
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

import kantorovich as k
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.highs import _to_highs_lp
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.scaling import Scaling, ScalingError, scale_program
from kantorovich.results.certificate import certify

GOODS = {"wheat": {"unit": "t"}, "flour": {"unit": "t"}}


def _plan(**parts: object) -> LinearProgram:
    return compile_plan(k.Plan.from_dict({"name": "hostile", "goods": GOODS,
                                          "objective": {"maximize": {"flour": 1}}, **parts}))


def _solve(lp: LinearProgram) -> tuple[str, float, np.ndarray, np.ndarray]:
    """HiGHS on ``lp`` as given: status, objective, levels, row duals (as improvements,
    the adapter's convention)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(_to_highs_lp(lp))
    h.run()
    sol = h.getSolution()
    return (h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value,
            np.asarray(sol.col_value), lp.improves * np.asarray(sol.row_dual))


def _solve_scaled(lp: LinearProgram) -> tuple[str, float, np.ndarray, np.ndarray]:
    scaled, scaling = scale_program(lp)
    status, objective, x, y = _solve(scaled)
    x, _, y, _ = scaling.unscale(x, scaled.matrix @ x, y)
    return status, objective, x, y


MILLS = {"mill": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.7}, "capacity": 2000},
         "mill5": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.721}, "capacity": 3000}}


def _tiny_rule() -> LinearProgram:
    return _plan(processes=MILLS, supply={"wheat": 1800},
                 policies={"q": {"rule": "1e-10 * level(mill) >= 1e-7"}})


def test_a_rule_with_tiny_numbers_binds() -> None:
    lp = _tiny_rule()
    assert _solve(lp)[2][0] == 0.0                 # as written, HiGHS drops the rule
    status, objective, x, _ = _solve_scaled(lp)
    assert status == "Optimal"
    assert x == pytest.approx([1000, 800])
    assert objective == pytest.approx(0.7 * 1000 + 0.721 * 800)


def test_a_tiny_input_under_a_capacity_limits_the_level() -> None:
    lp = _plan(processes={"p": {"inputs": {"wheat": 5e-10}, "outputs": {"flour": 1},
                                "capacity": 1e6}}, supply={"wheat": 1e-4})
    assert _solve(lp)[1] == pytest.approx(1e6)     # the wheat row vanished
    status, objective, x, y = _solve_scaled(lp)
    assert (status, objective) == ("Optimal", pytest.approx(200_000))
    # the wheat row reads net output >= -supply: a ton more supply lowers its bound and
    # is worth 2e9 t of flour
    assert y[0] == pytest.approx(-2e9)


def test_tiny_and_huge_numbers_in_one_plan() -> None:
    lp = _plan(processes={"p": {"inputs": {"wheat": 1e9}, "outputs": {"flour": 1e-9}}},
               supply={"wheat": 1e21})
    assert _solve(lp)[1] == 0.0
    status, objective, x, _ = _solve_scaled(lp)
    assert (status, objective) == ("Optimal", pytest.approx(1000))
    assert x[0] == pytest.approx(1e12)


def test_a_tiny_weight_is_not_lost_under_the_dual_tolerance() -> None:
    lp = _plan(processes={"p": {"outputs": {"flour": 1e-9}, "capacity": 1e12}})
    assert _solve(lp)[1] == 0.0
    assert _solve_scaled(lp)[1] == pytest.approx(1000)


def test_huge_supplies_and_capacities_stay_finite() -> None:
    lp = _plan(processes={"mill": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.7},
                                   "capacity": 1e25}}, supply={"wheat": 1e21})
    assert _solve(lp)[0] == "Unbounded"
    status, objective, x, y = _solve_scaled(lp)
    assert (status, objective) == ("Optimal", pytest.approx(0.7e21))
    assert x[0] == pytest.approx(1e21)
    assert y[0] == pytest.approx(-0.7)


def test_an_ordinary_plan_is_passed_unchanged(leningrad_plan: k.Plan) -> None:
    lp = compile_plan(leningrad_plan)
    scaled, scaling = scale_program(lp)
    assert scaled is lp and scaling.is_identity


def test_scaled_numbers_land_inside_the_solver_range() -> None:
    lp = _plan(processes={"mill": {"inputs": {"wheat": 1e-11}, "outputs": {"flour": 1e4},
                                   "capacity": 1e25}}, supply={"wheat": 1e21})
    scaled, scaling = scale_program(lp)
    a = np.abs(scaled.matrix.data)
    assert a.min() >= 1e-7 and a.max() <= 1e13
    bounds = np.concatenate([scaled.row_lower, scaled.row_upper, scaled.col_lower,
                             scaled.col_upper])
    assert np.abs(bounds[np.isfinite(bounds)]).max() < 1e15
    assert set(np.frexp(np.concatenate([scaling.row, scaling.col]))[0]) == {0.5}


def test_a_row_spanning_too_much_is_refused_by_name() -> None:
    lp = _plan(processes=MILLS, supply={"wheat": 1800},
               policies={"q": {"rule": "1e-40 * level(mill) + 1e12 * level(mill5) <= 5"}})
    with pytest.raises(ScalingError, match=r"policy 'q'.*1e-40 of process 'mill'.*1e\+12"
                                           r".*same rule") as info:
        scale_program(lp)
    assert info.value.exit_code == 2 and info.value.code == "unrepresentable-number"


def test_a_non_finite_coefficient_is_refused_by_name() -> None:
    lp = _tiny_rule()
    matrix = lp.matrix.copy()
    matrix.data[0] = np.nan
    with pytest.raises(ScalingError, match="good 'wheat'.*nan of process 'mill'"):
        scale_program(replace(lp, matrix=matrix))


def test_a_new_row_is_scaled_like_the_rest() -> None:
    scaling = Scaling(np.array([1.0]), np.array([2.0 ** 30, 1.0]))
    values, lower, upper, r = scaling.scale_new_row(np.array([0, 1]), np.array([1e-9, 1e-9]),
                                                    -np.inf, 1e-6)
    assert r == 2.0 ** 15                          # centres 2^-30 * 2^30 and 2^-30
    assert values == pytest.approx([1e-9 * 2 ** 45, 1e-9 * 2 ** 15])
    assert (lower, upper) == (-np.inf, 1e-6 * 2 ** 15)


_exponents = st.integers(-40, 40)


@settings(max_examples=30, deadline=None)
@given(st.lists(_exponents, min_size=3, max_size=3), st.lists(_exponents, min_size=4,
                                                              max_size=4),
       # levels stay normal floats when divided by 2^40 (subnormals are not exact)
       st.lists(st.floats(-1e6, 1e6).filter(lambda v: v == 0 or abs(v) > 1e-290),
                min_size=4, max_size=4))
def test_scaling_is_exact(row_exp: list[int], col_exp: list[int], x: list[float]) -> None:
    lp = _tiny_rule()
    dense = np.array([[1.0, 1.0, 0.25, 3.0], [-0.7, -0.721, 1e-3, 0.0],
                      [1e-10, 0.0, 7.0, 1e9]])
    lp = LinearProgram("maximize", np.array([1.0, 2.0, 0.0, -3.0]), sp.csc_matrix(dense),
                       np.array([-1.0, 0.0, -np.inf]), np.array([np.inf, 5.0, 1e-7]),
                       np.zeros(4), np.array([1e25, np.inf, 3.0, 2.0]),
                       lp.rows, lp.rows.iloc[[0, 0, 0, 0]].reset_index(drop=True))
    scaling = Scaling(np.ldexp(1.0, np.array(row_exp)), np.ldexp(1.0, np.array(col_exp)))
    scaled = scaling.program(lp)
    x = np.asarray(x)
    x_scaled = x / scaling.col
    activity = scaled.matrix @ x_scaled
    back, act, _, _ = scaling.unscale(x_scaled, activity, np.zeros(3))
    assert np.array_equal(back, x)                                  # bit for bit
    np.testing.assert_allclose(activity, scaling.row * (lp.matrix @ x), rtol=1e-12,
                               atol=1e-300)
    np.testing.assert_array_equal(scaled.col_upper * scaling.col, lp.col_upper)
    np.testing.assert_array_equal(scaled.row_upper / scaling.row, lp.row_upper)
    lo, up = scaling.to_scaled_col_bounds(np.arange(4), lp.col_lower, lp.col_upper)
    np.testing.assert_array_equal(up, scaled.col_upper)


# -- the certificate checks the plan as written -------------------------------------------

def test_a_violated_tiny_rule_is_not_verified() -> None:
    lp = _tiny_rule()
    # the answer HiGHS gives with the rule dropped, priced as if the rule were not there
    _, _, x, y = _solve(lp)
    assert x == pytest.approx([0, 1800])
    cert = certify(lp, x, y)
    assert not cert.verified
    assert cert.primal_infeasibility == pytest.approx(1e-7 / 1e-7)   # 100% short
    failure = cert.failures()[0]
    assert (failure.condition, failure.kind, failure.id) == ("primal", "policy", "q")
    # and at level 800 the rule is 20% short: 2e-8 against 1e-7 + 8e-8
    cert = certify(lp, np.array([800.0, 1000.0]), y)
    assert cert.primal_infeasibility == pytest.approx(2e-8 / 1.8e-7)
    assert "policy 'q'" in cert.failures()[0].message


def test_the_correct_answer_of_a_badly_scaled_plan_is_verified() -> None:
    for lp in (_tiny_rule(),
               _plan(processes={"mill": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.7},
                                         "capacity": 1e25}}, supply={"wheat": 1e21}),
               _plan(processes={"p": {"inputs": {"wheat": 1e9}, "outputs": {"flour": 1e-9}}},
                     supply={"wheat": 1e21})):
        _, _, x, y = _solve_scaled(lp)
        cert = certify(lp, x, y)
        assert cert.verified, (cert, cert.failures())
        assert cert.failures() == []


def test_a_flipped_price_fails_the_certificate() -> None:
    lp = _tiny_rule()
    _, _, x, y = _solve_scaled(lp)
    assert y[2] != 0                               # the rule has a price
    flipped = y.copy()
    flipped[2] = -flipped[2]
    cert = certify(lp, x, flipped)
    assert not cert.verified and cert.dual_infeasibility > 1e-2
    assert any(f.condition == "dual" and f.id == "q" for f in cert.failures())


def test_a_price_on_a_slack_row_fails_complementary_slackness() -> None:
    lp = _tiny_rule()
    _, _, x, y = _solve_scaled(lp)
    shifted = y.copy()
    shifted[1] -= 0.1      # flour is made (1,276.8 t) and never used: its row is slack
    cert = certify(lp, x, shifted)
    assert not cert.verified
    assert cert.complementary_slackness > 1e-3
    assert any(f.condition == "slackness" and f.id == "flour" for f in cert.failures())



@pytest.mark.parametrize("rhs", ["1e-100", "2.597701562781805e-224", "1e-300"])
def test_a_bound_too_tiny_to_lift_is_left_alone(rhs: str) -> None:
    """A rule's right-hand side of 1e-100 is 0 to the solver however far its row is
    lifted; lifting it part way (entries of 1e12) once left a vertex whose prices failed
    the certificate (found by the fuzz tests). The optimum is that of the rule at 0, and
    certified."""
    data = yaml.safe_load((DATA / "two_mills.yaml").read_text())
    data["policies"] = {"rule": f"input(wheat, mill-3) - input(wheat, mill-5) >= {rhs}"}
    tiny = k.solve(k.Plan.from_dict(data))
    data["policies"] = {"rule": "input(wheat, mill-3) - input(wheat, mill-5) >= 0"}
    zero = k.solve(k.Plan.from_dict(data))
    assert tiny.is_optimal and tiny.certificate.verified, tiny.certificate
    assert tiny.objective == pytest.approx(zero.objective, rel=1e-12)
