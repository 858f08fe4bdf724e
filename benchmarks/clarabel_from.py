"""Where a long staircase should go to Clarabel first: its path against HiGHS's own
interior point, on the same plan, one after the other in one process.

    python benchmarks/clarabel_from.py [--economies random:500x10,clustered:600x10,...]
                                       [--seed 3] [--limit 900] [--json out.json]

Economies: ``random`` and ``clustered`` are `horizon.sparse_plan`'s (suppliers anywhere,
or mostly within an industry of 50 and among 20 hubs, ln n suppliers a product, one to
three stocks a process); ``local`` is the test suite's (`tests/test_staircase.economy`:
five suppliers within a block of ten, one stock a process). Both paths leave out the
goods rows the assortment rows imply, cross over to a vertex, and are certified; only
the interior point differs (`results.staircase.CLARABEL_FROM` set to 0, then out of
reach). Prints one JSON line an economy: its nonzeros, each path's seconds, status,
objective and whether the certificate verified.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

DEFAULT = ("local:200x8,random:200x8,clustered:300x8,random:300x8,random:300x10,"
           "local:600x10,clustered:400x10,random:400x10,clustered:500x10,random:500x10,"
           "clustered:600x10,local:1000x10,clustered:1000x10")


def plan_of(kind: str, n: int, periods: int, seed: int, folder: Path) -> Any:
    import kantorovich as k

    if kind == "local":
        from test_staircase import economy
        return economy(folder, n, periods, local=True, seed=seed)
    from horizon import sparse_plan
    return k.load_plan(sparse_plan(n, periods, folder, seed=seed, structure=kind))


def compare(kind: str, n: int, periods: int, seed: int, limit: float) -> dict[str, Any]:
    import kantorovich as k
    from kantorovich.lp.compile import compile_plan
    from kantorovich.results import staircase

    plan = plan_of(kind, n, periods, seed, Path(tempfile.mkdtemp(prefix="clarabel-from-")))
    out: dict[str, Any] = {"economy": kind, "n": n, "periods": periods, "seed": seed,
                           "nonzeros": int(compile_plan(plan).matrix.nnz)}
    was = staircase.CLARABEL_FROM
    try:
        for name, threshold in (("clarabel", 0), ("highs_ipm", 10**15)):
            staircase.CLARABEL_FROM = threshold
            start = time.perf_counter()
            result = k.solve(plan, time_limit=limit)
            solved = result.status.has_solution
            out[name] = {"seconds": round(time.perf_counter() - start, 2),
                         "status": str(result.status),
                         "objective": result.objective if solved else None,
                         "certified": bool(result.certificate.verified) if solved else None}
    finally:
        staircase.CLARABEL_FROM = was
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--economies", default=DEFAULT)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--limit", type=float, default=900.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    for spec in args.economies.split(","):
        kind, size = spec.split(":")
        n, periods = (int(v) for v in size.split("x"))
        row = compare(kind, n, periods, args.seed, args.limit)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
