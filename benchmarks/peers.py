"""End to end against the same LP built with linopy, Pyomo, PuLP and CVXPY (each on HiGHS)
and against raw highspy on the same matrices.

    python benchmarks/peers.py [--sizes 2000,20000] [--repeat 3] [--skip pyomo,pulp]

One plan per size from `kantorovich.model.generate.synthetic_plan(n)`, compiled once with
`compile_plan`; every tool gets the same arrays (c, the CSC matrix, row and column
bounds). Timed in one run, best of ``--repeat`` (by total):

=========  ==========================================================================
ours       ``kantorovich.solve(plan, method="simplex")`` plus reading
           ``shadow_prices`` and ``reduced_costs``; "build" is `compile_plan` alone
           (already inside the total, which starts from the plan, not from the arrays)
highspy    ``HighsLp`` from the arrays, ``passModel``, ``run``, ``getSolution``
linopy     vectorised: one variable array, one constraint block from the matrix padded
           to the longest row, ``solve(solver_name="highs")``, duals
cvxpy      ``A @ x`` with the sparse matrix, ``solve(solver="HIGHS")``, duals
pulp       the usual loop over rows (``lpSum`` of a row's terms), ``HiGHS`` (highspy API)
           or ``HiGHS_CMD``, ``pi`` of each constraint
pyomo      the usual ``ConcreteModel`` with indexed Var and Constraint rules,
           ``appsi_highs``, the ``dual`` suffix
=========  ==========================================================================

Each peer's objective is checked against raw highspy's (relative 1e-7). Peers that are
not installed are reported and skipped; none of them is a dependency of the package.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

import kantorovich as k
from kantorovich.lp.compile import compile_plan
from kantorovich.model.generate import synthetic_plan

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or loaded
from raw_highs import highs_model  # noqa: E402

INF = np.inf


def _finite(a: np.ndarray) -> np.ndarray:
    return np.isfinite(a)


# ---- tools: each returns (build seconds, solve seconds, objective) ----------------------

def run_ours(plan: Any, lp: Any) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    compile_plan(plan)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = k.solve(plan, method="simplex")
    prices = result.shadow_prices
    costs = result.reduced_costs
    total = time.perf_counter() - t0
    assert len(prices) and len(costs)
    return build, max(total - build, 0.0), float(result.objective)


def run_highspy(plan: Any, lp: Any) -> tuple[float, float, float]:
    import highspy
    t0 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    A = lp.matrix
    model = highs_model(lp)
    h.passModel(model)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    h.run()
    sol = h.getSolution()
    duals = np.asarray(sol.row_dual)
    rc = np.asarray(sol.col_dual)
    solve = time.perf_counter() - t0
    assert duals.size == A.shape[0] and rc.size == A.shape[1]
    return build, solve, float(h.getInfo().objective_function_value)


def run_linopy(plan: Any, lp: Any) -> tuple[float, float, float]:
    import linopy
    import pandas as pd
    import xarray as xr
    t0 = time.perf_counter()
    m = linopy.Model()
    n_row, n_col = lp.matrix.shape
    x = m.add_variables(lower=pd.Series(lp.col_lower), upper=pd.Series(lp.col_upper),
                        coords=[pd.RangeIndex(n_col, name="col")], name="x")
    R = lp.matrix.tocsr()
    R.sum_duplicates()
    counts = np.diff(R.indptr)
    width = int(counts.max(initial=1))
    # the matrix padded to its longest row: coefficient 0 on column 0 fills the gaps
    pos = np.arange(R.nnz) - np.repeat(R.indptr[:-1], counts)
    rows = np.repeat(np.arange(n_row), counts)
    coef = np.zeros((n_row, width))
    cols = np.zeros((n_row, width), dtype=np.int64)
    coef[rows, pos] = R.data
    cols[rows, pos] = R.indices
    dims = ("row", "term")
    coords = {"row": pd.RangeIndex(n_row, name="row")}
    lhs = (xr.DataArray(coef, dims=dims, coords=coords)
           * x.isel(col=xr.DataArray(cols, dims=dims, coords=coords))).sum("term")
    names = []
    for kind, bound, sign in (("lo", lp.row_lower, ">="), ("up", lp.row_upper, "<=")):
        keep = _finite(bound)
        if not keep.any():
            continue
        sel = np.flatnonzero(keep)
        rhs = xr.DataArray(bound[sel], dims=("row",), coords={"row": sel})
        m.add_constraints(lhs.sel(row=sel), sign, rhs, name=f"rows_{kind}")
        names.append(f"rows_{kind}")
    obj = (xr.DataArray(lp.objective, dims=("col",), coords={"col": pd.RangeIndex(n_col)})
           * x).sum()
    m.add_objective(obj, sense="max" if lp.sense == "maximize" else "min")
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    status, _ = m.solve(solver_name="highs", output_flag=False)
    duals = [m.constraints[name].dual.values for name in names]
    solve = time.perf_counter() - t0
    assert status == "ok", status
    assert sum(d.size for d in duals) > 0
    return build, solve, float(m.objective.value) + lp.constant


def run_cvxpy(plan: Any, lp: Any) -> tuple[float, float, float]:
    import cvxpy as cp
    t0 = time.perf_counter()
    A = lp.matrix.tocsr()
    n = A.shape[1]
    x = cp.Variable(n)
    cons = []
    for bound, ge in ((lp.row_lower, True), (lp.row_upper, False)):
        sel = np.flatnonzero(_finite(bound))
        if sel.size:
            expr = A[sel] @ x
            cons.append(expr >= bound[sel] if ge else expr <= bound[sel])
    for bound, ge in ((lp.col_lower, True), (lp.col_upper, False)):
        sel = np.flatnonzero(_finite(bound))
        if sel.size:
            cons.append(x[sel] >= bound[sel] if ge else x[sel] <= bound[sel])
    obj = lp.objective @ x
    prob = cp.Problem(cp.Maximize(obj) if lp.sense == "maximize" else cp.Minimize(obj), cons)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    value = prob.solve(solver="HIGHS")
    duals = [c.dual_value for c in cons]
    solve = time.perf_counter() - t0
    assert prob.status == "optimal", prob.status
    assert all(d is not None for d in duals)
    return build, solve, float(value) + lp.constant


def run_pulp(plan: Any, lp: Any) -> tuple[float, float, float]:
    import pulp
    t0 = time.perf_counter()
    n_row, n_col = lp.matrix.shape
    prob = pulp.LpProblem("plan", pulp.LpMaximize if lp.sense == "maximize"
                          else pulp.LpMinimize)
    lo = [None if not np.isfinite(v) else float(v) for v in lp.col_lower]
    up = [None if not np.isfinite(v) else float(v) for v in lp.col_upper]
    x = [pulp.LpVariable(f"x{j}", lowBound=lo[j], upBound=up[j]) for j in range(n_col)]
    prob += pulp.lpSum(float(c) * x[j] for j, c in enumerate(lp.objective) if c != 0)
    R = lp.matrix.tocsr()
    cons = []
    for i in range(n_row):
        s, e = R.indptr[i], R.indptr[i + 1]
        expr = pulp.lpSum(float(v) * x[j] for j, v in zip(R.indices[s:e], R.data[s:e]))
        if np.isfinite(lp.row_lower[i]):
            c = expr >= float(lp.row_lower[i])
            prob += c, f"lo{i}"
            cons.append(f"lo{i}")
        if np.isfinite(lp.row_upper[i]):
            c = expr <= float(lp.row_upper[i])
            prob += c, f"up{i}"
            cons.append(f"up{i}")
    solver = pulp.HiGHS(msg=False) if pulp.HiGHS().available() else pulp.HiGHS_CMD(msg=False)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    prob.solve(solver)
    duals = [prob.constraints[name].pi for name in cons]
    solve = time.perf_counter() - t0
    assert pulp.LpStatus[prob.status] == "Optimal", pulp.LpStatus[prob.status]
    assert all(d is not None for d in duals)
    return build, solve, float(pulp.value(prob.objective)) + lp.constant


def run_pyomo(plan: Any, lp: Any) -> tuple[float, float, float]:
    import pyomo.environ as pyo
    t0 = time.perf_counter()
    n_row, n_col = lp.matrix.shape
    R = lp.matrix.tocsr()
    m = pyo.ConcreteModel()
    m.J = pyo.RangeSet(0, n_col - 1)
    m.I = pyo.RangeSet(0, n_row - 1)

    def bounds(model: Any, j: int) -> tuple[float | None, float | None]:
        lo, up = lp.col_lower[j], lp.col_upper[j]
        return (float(lo) if np.isfinite(lo) else None, float(up) if np.isfinite(up) else None)

    m.x = pyo.Var(m.J, bounds=bounds)
    m.obj = pyo.Objective(expr=sum(float(lp.objective[j]) * m.x[j] for j in m.J
                                   if lp.objective[j] != 0),
                          sense=pyo.maximize if lp.sense == "maximize" else pyo.minimize)

    def row(model: Any, i: int) -> Any:
        s, e = R.indptr[i], R.indptr[i + 1]
        expr = sum(float(v) * model.x[int(j)] for j, v in zip(R.indices[s:e], R.data[s:e]))
        lo, up = lp.row_lower[i], lp.row_upper[i]
        return (float(lo) if np.isfinite(lo) else None, expr,
                float(up) if np.isfinite(up) else None)

    m.rows = pyo.Constraint(m.I, rule=row)
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    solver = pyo.SolverFactory("appsi_highs")
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = solver.solve(m)
    duals = [m.dual[m.rows[i]] for i in m.I]
    solve = time.perf_counter() - t0
    assert str(res.solver.termination_condition) == "optimal", res.solver.termination_condition
    assert len(duals) == n_row
    return build, solve, float(pyo.value(m.obj)) + lp.constant


TOOLS: dict[str, Callable[[Any, Any], tuple[float, float, float]]] = {
    "ours": run_ours, "highspy": run_highspy, "linopy": run_linopy, "cvxpy": run_cvxpy,
    "pulp": run_pulp, "pyomo": run_pyomo}


def bench(n: int, repeat: int, skip: set[str]) -> list[dict[str, Any]]:
    plan = synthetic_plan(n)
    lp = compile_plan(plan)
    print(f"\nn = {n:,} processes: {lp.shape[0]:,} rows x {lp.shape[1]:,} cols, "
          f"{lp.matrix.nnz:,} nonzeros, {lp.sense}")
    rows = []
    for name, fn in TOOLS.items():
        if name in skip:
            continue
        best = None
        try:
            for _ in range(repeat):
                gc.collect()
                b, s, obj = fn(plan, lp)
                if best is None or b + s < best[0] + best[1]:
                    best = (b, s, obj)
        except ImportError as exc:
            print(f"  {name}: not installed ({exc})")
            continue
        except Exception as exc:  # a peer failing is a result, not a crash of the run
            print(f"  {name}: failed: {type(exc).__name__}: {exc}")
            continue
        rows.append({"tool": name, "build": best[0], "solve": best[1],
                     "total": best[0] + best[1], "objective": best[2]})
    ref = next((r for r in rows if r["tool"] == "highspy"), None)
    print(f"  {'tool':8} {'build s':>9} {'solve s':>9} {'total s':>9} {'x highspy':>10} "
          f"{'objective':>20}  agrees")
    for r in rows:
        ratio = r["total"] / ref["total"] if ref else float("nan")
        agree = (abs(r["objective"] - ref["objective"]) <= 1e-7 * max(1, abs(ref["objective"]))
                 if ref else None)
        r["ratio"], r["agrees"] = ratio, agree
        print(f"  {r['tool']:8} {r['build']:9.3f} {r['solve']:9.3f} {r['total']:9.3f} "
              f"{ratio:10.2f} {r['objective']:20.10f}  {agree}")
    print("  (ours: build = compile_plan, solve = the rest of solve(plan) + prices + reduced "
          "costs, total from the plan; cvxpy canonicalises inside solve)")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,20000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", default="")
    args = ap.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    from importlib.metadata import version
    for name in ("highspy", "linopy", "cvxpy", "pulp", "pyomo"):
        try:
            print(f"{name} {version(name)}", end="; ")
        except Exception:
            print(f"{name} not installed", end="; ")
    print()
    for n in (int(s) for s in args.sizes.split(",")):
        bench(n, args.repeat, skip)


if __name__ == "__main__":
    main()
