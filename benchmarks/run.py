"""Scale benchmarks for kantorovich: every target is a ratio against a peer timed in the
same run, so the numbers mean the same on a laptop and in CI.

    python benchmarks/run.py [--sizes 20000,200000] [--json out.json]

For each plan size (processes of `synthetic_plan`) it times, best of ``--repeat``:

========  =============================================  ==============================
stage     ours                                           peer (the floor)
========  =============================================  ==============================
compile   ``compile_plan(plan)``                         ``scipy.sparse.csc_matrix`` of
                                                         the goods x processes flows
                                                         from raw integer arrays
check     ``check_plan(plan)``                           the same scipy build
load      ``kantorovich.load_plan`` of a YAML naming     ``pandas.read_csv`` of the
          goods/units/processes/flows/supply CSVs        same five CSV files
solve     ``kantorovich.solve(plan)``                    ``scipy.optimize.linprog``
                                                         (HiGHS) on the compiled arrays
========  =============================================  ==============================

and exits 1 when a ratio misses its target (see ``TARGETS`` and benchmarks/README.md).
Per-size targets apply from ``GATED_FROM[stage]`` processes up (below that, fixed
per-call costs of a few milliseconds dominate a millisecond peer). With two or more sizes
it also prints *growth*, for information: how much each time grows from the smallest to
the largest size, ours and the peer's. Linear cost itself is checked by counting, not
timing, in tests/test_scale.py.
The solve stage runs only up to ``--solve-max`` processes: beyond that the simplex
itself takes minutes on either side.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy
import scipy.sparse as sp
from scipy.optimize import linprog

import kantorovich
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.program import LinearProgram
from kantorovich.model.checks import check_plan
from kantorovich.model.generate import synthetic_plan, write_plan_csv
from kantorovich.model.plan import Plan

#: ours / peer must stay at or below these (see README.md for why these numbers)
TARGETS = {"compile": 40.0, "check": 30.0, "load": 20.0, "solve": 1.5}
#: per-size targets apply from this many processes up
GATED_FROM = {"compile": 100_000, "check": 100_000, "load": 100_000, "solve": 10_000}
CSV_FILES = ("goods.csv", "units.csv", "processes.csv", "flows.csv", "supply.csv")


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Fastest of ``repeat`` calls (seconds), and the last call's value."""
    best, value = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def raw_flow_arrays(plan: Plan) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """Row codes, column codes and net amounts of the flows: what the peer starts from."""
    flows = plan.flows
    rows = plan.goods.index.get_indexer(flows["good"])
    cols = plan.processes.index.get_indexer(flows["process"])
    data = flows["output"].to_numpy(float) - flows["input"].to_numpy(float)
    return rows, cols, data, (len(plan.goods), len(plan.processes))


def linprog_arrays(lp: LinearProgram) -> dict[str, Any]:
    """The compiled LP in ``linprog``'s form: minimise, A_ub x <= b_ub, A_eq x = b_eq."""
    A = lp.matrix.tocsr()
    lo, up = lp.row_lower, lp.row_upper
    eq = np.isfinite(lo) & (lo == up)
    has_lo = np.isfinite(lo) & ~eq
    has_up = np.isfinite(up) & ~eq
    args: dict[str, Any] = {
        "c": -lp.objective if lp.sense == "maximize" else lp.objective,
        "A_ub": sp.vstack([-A[has_lo], A[has_up]], format="csc"),
        "b_ub": np.concatenate([-lo[has_lo], up[has_up]]),
        "bounds": np.column_stack([lp.col_lower, lp.col_upper]),
        "method": "highs",
    }
    if eq.any():
        args["A_eq"] = A[eq].tocsc()
        args["b_eq"] = lo[eq]
    return args


def measure(n: int, *, repeat: int, policies: int, solve_max: int,
            log: Callable[[str], None]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []

    def record(stage: str, ours: float, peer: float, peer_name: str, **extra: Any) -> None:
        ratio = ours / peer
        target = TARGETS[stage]
        gated = n >= GATED_FROM[stage]
        ok = ratio <= target or not gated
        records.append({"size": n, "stage": stage, "ours_s": ours, "peer_s": peer,
                        "peer": peer_name, "ratio": ratio, "target": target,
                        "gated": gated, "ok": ok, **extra})
        verdict = ("ok" if ratio <= target else "MISSED") if gated else "not gated"
        log(f"  {stage:8s} {ours:9.3f} s  vs {peer_name} {peer:8.3f} s  ->  {ratio:6.2f}x "
            f"(target <= {target:g}x) {verdict}")

    start = time.perf_counter()
    plan = synthetic_plan(n, seed=0, policies=policies)
    log(f"{plan!r}  (generated in {time.perf_counter() - start:.2f} s)")

    rows, cols, data, shape = raw_flow_arrays(plan)

    def scipy_build() -> sp.csc_matrix:
        return sp.csc_matrix((data, (rows, cols)), shape=shape)

    peer_build, _ = best_of(scipy_build, repeat)
    ours, lp = best_of(lambda: compile_plan(plan), repeat)
    record("compile", ours, peer_build, "scipy csc build", rows=lp.shape[0],
           cols=lp.shape[1], nnz=int(lp.matrix.nnz))

    ours, problems = best_of(lambda: check_plan(plan), repeat)
    assert not problems, problems
    record("check", ours, peer_build, "scipy csc build")

    with tempfile.TemporaryDirectory(prefix="kantorovich-bench-") as folder:
        start = time.perf_counter()
        path = write_plan_csv(plan, folder)
        written = time.perf_counter() - start
        size_mb = sum((Path(folder) / f).stat().st_size for f in CSV_FILES) / 1e6
        log(f"  (wrote {size_mb:.1f} MB of CSV in {written:.2f} s)")
        peer, _ = best_of(lambda: [pd.read_csv(Path(folder) / f) for f in CSV_FILES], repeat)
        ours, loaded = best_of(lambda: kantorovich.load_plan(path), repeat)
        assert len(loaded.flows) == len(plan.flows)
        record("load", ours, peer, "pandas.read_csv", csv_mb=size_mb)

    if n <= solve_max:
        args = linprog_arrays(lp)
        peer, ref = best_of(lambda: linprog(**args), repeat)
        ours, result = best_of(lambda: kantorovich.solve(plan), repeat)
        if ref.status != 0 or not result.is_optimal:
            raise SystemExit(f"solve failed at {n}: linprog {ref.message}; ours {result!r}")
        ref_obj = -ref.fun if lp.sense == "maximize" else ref.fun
        gap = abs(result.objective - ref_obj) / (1.0 + abs(ref_obj))
        if gap > 1e-6:
            raise SystemExit(f"objectives differ at {n}: ours {result.objective}, "
                             f"linprog {ref_obj}")
        record("solve", ours, peer, "scipy linprog", objective=result.objective,
               iterations=result.solution.iterations,
               certificate=bool(result.certificate.verified))
    else:
        log(f"  solve    skipped (more than --solve-max {solve_max} processes)")
    return records


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "kantorovich": kantorovich.__version__,
            "numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__,
            "highspy": _version("highspy")}


def growth(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per stage timed at two or more sizes: how ours and the peer's grow, smallest to
    largest size (information only; no target)."""
    out = []
    for stage in TARGETS:
        rows = sorted((r for r in records if r["stage"] == stage), key=lambda r: r["size"])
        if len(rows) < 2:
            continue
        small, large = rows[0], rows[-1]
        out.append({"stage": stage, "from": small["size"], "to": large["size"],
                    "size_growth": large["size"] / small["size"],
                    "ours_growth": large["ours_s"] / small["ours_s"],
                    "peer_growth": large["peer_s"] / small["peer_s"]})
    return out


def table(records: list[dict[str, Any]], grown: list[dict[str, Any]]) -> str:
    head = (f"{'processes':>10} {'stage':8} {'ours (s)':>9} {'peer (s)':>9} {'ratio':>8} "
            f"{'target':>7}  peer")
    lines = [head, "-" * len(head)]
    for r in records:
        mark = "" if r["ok"] else "  MISSED"
        target = f"{r['target']:6g}x" if r["gated"] else "      -"
        lines.append(f"{r['size']:>10,} {r['stage']:8} {r['ours_s']:9.3f} {r['peer_s']:9.3f} "
                     f"{r['ratio']:7.2f}x {target}  {r['peer']}{mark}")
    if grown:
        lines.append("")
    for g in grown:
        lines.append(f"{'':>10} {g['stage']:8} grows {g['ours_growth']:.1f}x from "
                     f"{g['from']:,} to {g['to']:,} processes ({g['size_growth']:g}x); "
                     f"the peer {g['peer_growth']:.1f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000",
                        help="comma-separated numbers of processes (default 20000,200000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many (3)")
    parser.add_argument("--policies", type=int, default=20,
                        help="policies in each synthetic plan (20)")
    parser.add_argument("--solve-max", type=int, default=20_000,
                        help="largest size whose solve is timed (20000)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    def log(line: str) -> None:
        print(line, flush=True)

    info = machine()
    log(f"kantorovich {info['kantorovich']} on {info['cpus']} CPUs, Python {info['python']}, "
        f"numpy {info['numpy']}, pandas {info['pandas']}, scipy {info['scipy']}, "
        f"highspy {info['highspy']}")
    records: list[dict[str, Any]] = []
    for n in sizes:
        records += measure(n, repeat=args.repeat, policies=args.policies,
                           solve_max=args.solve_max, log=log)
    grown = growth(records)
    log("")
    log(table(records, grown))
    log("")
    for r in records:
        log(f"{r['size']:,} processes: {r['stage']} in {r['ours_s']:.3f} s")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": info, "command": " ".join(["python", "benchmarks/run.py",
                                                  *(argv if argv is not None
                                                    else sys.argv[1:])]),
            "targets": TARGETS, "gated_from": GATED_FROM,
            "results": records, "growth": grown}, indent=2))
    missed = [f"{r['stage']} at {r['size']:,} ({r['ratio']:.2f}x > {r['target']:g}x)"
              for r in records if not r["ok"]]
    if missed:
        log(f"{len(missed)} target(s) missed: " + "; ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
