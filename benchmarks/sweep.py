"""Sweep throughput on 1 and 2 local Dask workers against a plain loop on the same points.

    python benchmarks/sweep.py [--processes 10000] [--points 40] [--json out.json]

The plan is `synthetic_plan(processes, policies=10)`; the grid varies the supply of its
first primary good over ``--points`` values from 80% to 120% of the plan's own. Every
point computes the same thing: the solve, shadow prices, rule prices and each rule's exact
cost (`kantorovich.policy_costs`). Timed in the same run, on the same points:

==============  =====================================================================
loop            the plain loop a user would write: ``k.solve(plan.with_changes(...))``
                and ``k.policy_costs(result)`` for each point, in this process
warm loop       the sweep's own point function in this process, without Dask
                (``run_points(..., local=False)``): a warm `Session`, each point written
                to the store
dask 1, dask 2  ``sweep_plan`` on a `LocalCluster` of 1 and 2 worker processes: the whole
                call (cluster start, sending the plan, writing each point, the tables
                and the frontier-free output directory)
==============  =====================================================================

Printed per row: seconds, points per second, and the ratio of the loop's time to the
row's (above 1: faster than the plain loop). *steady* is points per second between the
first and the last point stored, without the cluster's start. Every row's objectives are
checked equal to the loop's (to 1e-7 relative). Throughput on 2 workers is bounded by the
machine's cores (2 here, shared).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import kantorovich as k
from kantorovich.model.generate import synthetic_plan
from kantorovich.sweep.grid import changes_of
from kantorovich.sweep.plan_sweep import sweep_plan
from kantorovich.sweep.point import plan_fingerprint, solve_point
from kantorovich.sweep.runner import run_points
from kantorovich.sweep.store import open_store


def plain_loop(plan: k.Plan, points: list[dict[str, float]]) -> list[float]:
    objectives = []
    for point in points:
        result = k.solve(plan.with_changes(**changes_of(point)))
        if result.is_optimal:
            k.policy_costs(result)
        objectives.append(result.objective)
    return objectives


class Clock:
    """Times of each stored point, for the steady rate."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.times.append(time.perf_counter())

    def steady(self, points: int) -> float:
        if len(self.times) < 3:
            return float("nan")
        span = self.times[-1] - self.times[1]        # [0] is the call before any point
        return (points - 1) / span if span > 0 else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=10000)
    parser.add_argument("--points", type=int, default=40)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    plan = synthetic_plan(args.processes, policies=10)
    good = str(plan.goods.index[plan.goods["supply"].to_numpy(float) > 0][0])
    supply = float(plan.goods.at[good, "supply"])
    key = f"supply.{good}"
    values = np.linspace(0.8 * supply, 1.2 * supply, args.points)
    vary = f"{key}={float(values[0])!r}:{float(values[-1])!r}:{args.points}"
    from kantorovich.sweep.grid import grid_points, parse_vary

    points = grid_points([parse_vary(vary)], plan)
    print(f"plan: {args.processes:,} processes, {len(plan.goods):,} goods, "
          f"{len(plan.policies)} policies; {len(points)} points varying {key}; "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}", flush=True)
    rows = []

    start = time.perf_counter()
    expected = plain_loop(plan, points)
    loop = time.perf_counter() - start
    rows.append({"run": "loop", "seconds": loop, "steady": len(points) / loop})

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "warm", manifest={"what": "benchmark"})
        clock = Clock()
        start = time.perf_counter()
        summary = run_points(solve_point, points, store, context=plan,
                             salt=plan_fingerprint(plan), local=False,
                             progress=lambda d, t: clock("points", d, t))
        warm = time.perf_counter() - start
        got = [summary.records()[key]["objective"] for key in summary.keys]
        np.testing.assert_allclose(got, expected, rtol=1e-7)
        rows.append({"run": "warm loop", "seconds": warm, "steady": clock.steady(len(points))})
        for workers in (1, 2):
            clock = Clock()
            start = time.perf_counter()
            outcome = sweep_plan(plan, [vary], Path(tmp) / f"dask{workers}", workers=workers,
                                 progress=clock)
            seconds = time.perf_counter() - start
            np.testing.assert_allclose(outcome.points["objective"], expected, rtol=1e-7)
            assert outcome.grid.workers == workers and outcome.grid.computed == len(points)
            rows.append({"run": f"dask {workers}", "seconds": seconds,
                         "steady": clock.steady(len(points))})
    print(f"{'run':<10} {'seconds':>8} {'points/s':>9} {'steady/s':>9} {'loop / run':>11}")
    for row in rows:
        row["points_per_second"] = len(points) / row["seconds"]
        row["speedup"] = loop / row["seconds"]
        print(f"{row['run']:<10} {row['seconds']:8.2f} {row['points_per_second']:9.1f} "
              f"{row['steady']:9.1f} {row['speedup']:10.2f}x", flush=True)
    by = {r["run"]: r for r in rows}
    print(f"2 workers / 1 worker: {by['dask 1']['seconds'] / by['dask 2']['seconds']:.2f}x "
          f"(whole call), {by['dask 2']['steady'] / by['dask 1']['steady']:.2f}x (steady)")
    if args.json:
        args.json.write_text(json.dumps({"processes": args.processes, "points": len(points),
                                         "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
