"""Scale: the synthetic plan generator, and compilation checked by counting, not timing.

Speed targets live in benchmarks/ (ratios against a peer in the same run); here nothing
reads a clock. Linear cost is checked by counting: the number of Python-level calls a
vectorised function makes does not grow with the plan (a per-process loop adds at least
one call per process), and the peak memory it allocates per flow stays flat (a table
over goods x units does not).
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest
import scipy.sparse as sp

import kantorovich as k
from kantorovich.lp.compile import compile_plan
from kantorovich.model.checks import check_plan
from kantorovich.model.generate import synthetic_plan, write_plan_csv
from kantorovich.model.plan import Plan


@pytest.fixture(scope="module")
def plan_2000() -> Plan:
    return synthetic_plan(2000, policies=8)


@pytest.fixture(scope="module")
def plan_20000() -> Plan:
    return synthetic_plan(20_000, policies=8)


# -- the generator ------------------------------------------------------------------------
def test_same_seed_same_plan_other_seed_other_plan() -> None:
    a, b, c = synthetic_plan(300, seed=3), synthetic_plan(300, seed=3), synthetic_plan(300)
    assert a.flows.equals(b.flows) and a.processes.equals(b.processes)
    assert a.goods.equals(b.goods) and a.objective.weights.equals(b.objective.weights)
    assert not a.flows.equals(c.flows)


def test_structure(plan_2000: Plan) -> None:
    plan = plan_2000
    assert len(plan.processes) == 2000 and len(plan.goods) == 200
    assert plan.goods.index.is_unique and plan.processes.index.is_unique
    flows = plan.flows
    made = flows[flows["output"] > 0]
    used = flows[flows["input"] > 0]
    assert ((flows["input"] > 0) != (flows["output"] > 0)).all()   # each flow one side
    assert made["process"].is_unique and len(made) == 2000          # exactly one output
    n_inputs = used.groupby("process").size()
    assert n_inputs.between(2, 4).all() and len(n_inputs) == 2000
    assert not flows.duplicated(["process", "good"]).any()          # inputs distinct
    pos = plan.goods.index.get_indexer
    out_tier = pos(made.set_index("process")["good"].reindex(used["process"]))
    assert (pos(used["good"]) < out_tier).all()                     # tiers, no cycles
    primary = plan.goods.index[plan.goods["supply"] > 0]
    assert len(primary) >= 4 and not made["good"].isin(primary).any()
    assert set(plan.goods.index.difference(primary)) == set(made["good"])  # all made
    final = plan.objective.weights.index
    assert not used["good"].isin(final).any() and (plan.objective.weights > 0).all()
    caps = plan.processes["capacity"].to_numpy()
    assert np.isfinite(caps).all() and (caps > 0).all()
    assert plan.process_region().notna().all()
    assert plan.baseline is not None and plan.baseline.index.equals(plan.processes.index)


def test_baseline_is_feasible(plan_2000: Plan) -> None:
    lp = compile_plan(plan_2000)
    x = plan_2000.baseline.to_numpy()
    ax = lp.matrix @ x
    assert (ax >= lp.row_lower - 1e-9).all() and (ax <= lp.row_upper + 1e-9).all()
    assert (x >= lp.col_lower).all() and (x <= lp.col_upper).all()
    assert lp.rows["kind"].value_counts().to_dict() == {"good": 200, "policy": 8}


def test_solves_optimal_with_verified_certificate(plan_2000: Plan) -> None:
    result = k.solve(plan_2000)
    assert result.status is k.Status.OPTIMAL
    assert result.certificate.verified, result.certificate
    at_baseline = result.lp.objective @ plan_2000.baseline.to_numpy()
    assert result.objective >= at_baseline > 0
    # primary goods are scarce: at least one has a positive shadow price
    primary = plan_2000.goods.index[plan_2000.goods["supply"] > 0]
    assert (result.shadow_prices[primary] > 1e-9).any()


@pytest.mark.parametrize(("args", "message"), [
    ((10, 5), "at least 8"),
    ((10, 100), "need at least"),
    ((0,), "at least 1"),
])
def test_bad_arguments(args: tuple[int, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        synthetic_plan(*args)


# -- compiled program ---------------------------------------------------------------------
def test_compiled_shape_and_nonzeros(plan_20000: Plan) -> None:
    plan = plan_20000
    lp = compile_plan(plan)
    n_goods, n_proc = len(plan.goods), len(plan.processes)
    assert lp.shape == (n_goods + 8, n_proc)
    goods_block = lp.matrix[:n_goods]
    assert goods_block.nnz == len(plan.flows)           # one entry per flow, none merged
    per_column = np.diff(goods_block.tocsc().indptr)
    assert per_column.min() == 3 and per_column.max() == 5
    positive = np.asarray((goods_block > 0).sum(axis=0)).ravel()
    assert (positive == 1).all()                        # one output per process
    flows = plan.flows
    direct = sp.csc_matrix((flows["output"].to_numpy() - flows["input"].to_numpy(),
                            (plan.goods.index.get_indexer(flows["good"]),
                             plan.processes.index.get_indexer(flows["process"]))),
                           shape=(n_goods, n_proc))
    assert abs(goods_block - direct).max() == 0.0


def _reference_program(plan: Plan) -> tuple[np.ndarray, ...]:
    """The LP of a maximise plan, by plain loops over flows and rule terms: slow, obvious."""
    goods, procs = list(plan.goods.index), list(plan.processes.index)
    g_at = {g: i for i, g in enumerate(goods)}
    p_at = {p: j for j, p in enumerate(procs)}
    unit_of = dict(plan.processes["unit"].items())
    region_of = dict(plan.units["region"].items())
    m, n = len(goods), len(procs)
    A = np.zeros((m + len(plan.policies), n))
    flows = list(plan.flows[["process", "good", "input", "output"]].itertuples(index=False))
    for p, g, used, made in flows:
        A[g_at[g], p_at[p]] += made - used
    lower = [plan.goods.at[g, "demand"] - plan.goods.at[g, "supply"] for g in goods]
    upper = [np.inf] * m
    for i, policy in enumerate(plan.policies):
        for term, coef in policy.rule.terms:
            if term.kind == "level":
                A[m + i, p_at[term.target]] += coef
                continue
            for p, g, used, made in flows:
                if g != term.target:
                    continue
                if term.unit is not None and unit_of[p] != term.unit:
                    continue
                if term.region is not None and region_of[unit_of[p]] != term.region:
                    continue
                amount = {"input": used, "output": made, "net": made - used}[term.kind]
                A[m + i, p_at[p]] += coef * amount
        rule = policy.rule
        lower.append(rule.rhs if rule.sense in (">=", "==") else -np.inf)
        upper.append(rule.rhs if rule.sense in ("<=", "==") else np.inf)
    c = np.zeros(n)
    for g, weight in plan.objective.weights.items():
        c += weight * A[g_at[g]]
    return A, np.array(lower), np.array(upper), c


def test_compile_matches_a_reference_loop() -> None:
    plan = synthetic_plan(200, policies=12, seed=5)
    kinds = {term.kind for p in plan.policies for term, _ in p.rule.terms}
    scopes = {(t.unit is not None, t.region is not None)
              for p in plan.policies for t, _ in p.rule.terms}
    assert kinds == {"level", "input", "output", "net"} and len(scopes) == 3
    A, lower, upper, c = _reference_program(plan)
    lp = compile_plan(plan)
    assert lp.sense == "maximize"
    np.testing.assert_allclose(lp.matrix.toarray(), A, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(lp.row_lower, lower, rtol=1e-12)
    np.testing.assert_array_equal(lp.row_upper, upper)
    np.testing.assert_allclose(lp.objective, c, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(lp.col_upper, plan.processes["capacity"].to_numpy())
    np.testing.assert_array_equal(lp.col_lower, plan.processes["min_level"].to_numpy())
    assert list(lp.rows["id"]) == [*plan.goods.index, *(p.id for p in plan.policies)]


def test_csv_tables_load_back_to_the_same_program(tmp_path) -> None:
    plan = synthetic_plan(500, policies=6, seed=2)
    loaded = k.load_plan(write_plan_csv(plan, tmp_path))
    a, b = compile_plan(plan), compile_plan(loaded)
    assert a.shape == b.shape
    assert abs(a.matrix - b.matrix).max() == 0.0
    for name in ("objective", "row_lower", "row_upper", "col_lower", "col_upper"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert list(a.rows["id"]) == list(b.rows["id"])
    assert list(a.cols["id"]) == list(b.cols["id"])


# -- linear cost, by counting ---------------------------------------------------------------
def count_calls(fn: Callable[[], object]) -> int:
    """Python-level calls (functions and builtins) made while ``fn`` runs."""
    calls = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(previous)
    return calls


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak memory allocated (numpy and scipy arrays included) while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _calls_grow(fn: Callable[[Plan], object], small: Plan, large: Plan) -> tuple[int, int]:
    fn(small), fn(large)    # warm caches (parsers, index engines) outside the count
    return count_calls(lambda: fn(small)), count_calls(lambda: fn(large))


def test_generator_makes_no_call_per_process() -> None:
    small = count_calls(lambda: synthetic_plan(1000, policies=4))
    large = count_calls(lambda: synthetic_plan(10_000, policies=4))
    assert large <= 1.1 * small, (small, large)


def test_compile_makes_no_call_per_process_or_flow(plan_2000: Plan, plan_20000: Plan) -> None:
    # a loop over 18,000 more processes or 72,000 more flows would add that many calls
    small, large = _calls_grow(compile_plan, plan_2000, plan_20000)
    assert large <= 1.1 * small, (small, large)


def test_compile_peak_memory_grows_with_flows_only(plan_2000: Plan,
                                                   plan_20000: Plan) -> None:
    compile_plan(plan_2000), compile_plan(plan_20000)
    per_flow_small = peak_bytes(lambda: compile_plan(plan_2000)) / len(plan_2000.flows)
    per_flow_large = peak_bytes(lambda: compile_plan(plan_20000)) / len(plan_20000.flows)
    assert per_flow_large <= 1.25 * per_flow_small, (per_flow_small, per_flow_large)


def test_check_plan_makes_no_call_per_process(plan_2000: Plan, plan_20000: Plan) -> None:
    small, large = _calls_grow(check_plan, plan_2000, plan_20000)
    assert large <= 1.1 * small, (small, large)


def test_solve_makes_no_call_per_column() -> None:
    small, large = synthetic_plan(500, seed=1), synthetic_plan(5000, seed=1)
    n_small, n_large = _calls_grow(k.solve, small, large)
    assert n_large <= 1.1 * n_small, (n_small, n_large)
