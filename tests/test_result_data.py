"""A result is data: it pickles, builds in threads without touching stdout, keeps the
analyses run on it, gives the tables ``-o DIR`` writes, and shows itself in Jupyter."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import kantorovich as k
from kantorovich.results.sensitivity import sensitivity

from conftest import EXAMPLES, degenerate_mills


def test_a_result_pickles_without_its_solver_and_reattaches_one_warm() -> None:
    result = k.solve(k.load_plan(EXAMPLES / "leningrad.yaml"))
    before = sensitivity(result)
    copy = pickle.loads(pickle.dumps(result))
    assert copy._session is None and result._session is not None
    assert copy.objective == result.objective
    np.testing.assert_array_equal(copy.levels, result.levels)
    after = sensitivity(copy)                    # re-solves in a session made from lp
    for name in ("goods", "policies"):
        np.testing.assert_allclose(after[name].to_numpy(float), before[name].to_numpy(float))
    assert copy.session().what_if(values=False).objective == pytest.approx(result.objective)


def test_threads_solving_beside_a_writer_lose_no_stdout() -> None:
    # a fresh process: the banner is printed (or not) by the first Highs made there
    script = textwrap.dedent(f"""
        import sys, threading
        import kantorovich as k
        plan = k.load_plan({str(EXAMPLES / "leningrad.yaml")!r})
        stop = threading.Event()
        def write():
            i = 0
            while not stop.is_set() or i < 2000:
                print(f"line {{i}}")
                i += 1
        writer = threading.Thread(target=write)
        writer.start()
        solvers = [threading.Thread(target=k.solve, args=(plan,)) for _ in range(2)]
        for t in solvers: t.start()
        for t in solvers: t.join()
        stop.set()
        writer.join()
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True).stdout.splitlines()
    assert not any("HiGHS" in line for line in out)
    assert out == [f"line {i}" for i in range(len(out))] and len(out) >= 2000


def test_analyse_runs_once_stores_its_answer_and_reports_each_stage() -> None:
    result = k.solve(k.load_plan(EXAMPLES / "leningrad.yaml"))
    assert result.analyses is None
    stages: list[str] = []
    found = k.analyse(result, seconds=float("inf"), progress=stages.append)
    assert result.analyses is found and k.analyse(result, progress=stages.append) is found
    assert stages == ["sensitivity", "policy costs", "moves", "price intervals"]
    assert result.sensitivity() is found.sensitivity
    assert pickle.loads(pickle.dumps(result)).analyses.policy_costs.equals(found.policy_costs)


def test_tables_are_those_of_the_output_directory(tmp_path) -> None:
    from kantorovich.report.export import write_result

    result = k.solve(k.load_plan(EXAMPLES / "leningrad.yaml"))
    plain = result.tables()
    assert list(plain) == ["processes", "goods", "flows", "by_unit", "policies"]
    k.analyse(result)
    tables = result.tables()
    assert {"policy_costs", "moves", "sensitivity_goods", "price_ranges"} <= set(tables)
    write_result(result, tmp_path / "out", {}, fmt="csv")
    written = {p.stem for p in (tmp_path / "out").glob("*.csv")}
    assert written == set(tables)


def test_public_functions_take_a_budget_and_a_progress_callback() -> None:
    result = k.solve(k.load_plan(EXAMPLES / "leningrad.yaml"))
    stages: list[str] = []
    costs = k.policy_costs(result, budget=10.0, progress=stages.append)
    moves = k.moves(result, budget=10.0, progress=stages.append)
    assert stages == ["policy costs", "moves"]
    assert costs["measured"].all() and len(moves) > 0
    assert "Move" in k.explain(result).text()


def test_supply_ranges_never_go_below_zero() -> None:
    result = k.solve(degenerate_mills())
    goods = sensitivity(result)["goods"]
    finite = np.isfinite(goods["supply"].to_numpy(float))
    low = goods["supply_low"].to_numpy(float)[finite]
    assert np.all(low[~np.isnan(low)] >= 0.0)
    assert np.any(low == 0.0)       # clipped: the basis would hold below nothing


def test_html_repr_says_status_objective_and_certificate_and_escapes_names() -> None:
    plan = k.load_plan(EXAMPLES / "leningrad.yaml")
    import dataclasses

    result = k.solve(dataclasses.replace(plan, name="<b>Mills & Co</b>"))
    html = result._repr_html_()
    assert "&lt;b&gt;Mills &amp; Co&lt;/b&gt;" in html and "<b>Mills" not in html
    assert "optimal" in html and "loaf" in html and "verified" in html
    assert "processes" in repr(result) and "objective" in repr(result)
