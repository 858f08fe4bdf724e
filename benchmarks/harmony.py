"""Harmony against the exact optimum: fulfilment reached, time, and gap.

    python benchmarks/harmony.py [--tables DIR] [--generated N] [--iterations 100,1000,5000]
                                 [--json out.json]

For each real table in ``DIR`` (default ``../shared/data/io``) and one economy generated
from the US detail table (``N`` products, one technique each, by
`kantorovich.economy.generate`; skipped when that module is absent), it solves the plan ray
(`kantorovich.economy.plan.plan_ray`: HiGHS through ``kantorovich.solve``, certificate
checked) and runs Cockshott's harmony iterations (`kantorovich.economy.harmony`) with each
step limit, on the same basket, imports rule and labour. Reported per run: the optimum's
sets and time, the harmony's sets, its gap ``1 - sets / optimum`` (never negative: the
optimum bounds every feasible plan), iterations, time and whether it converged.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from kantorovich.economy.harmony import harmony_economy
from kantorovich.economy.plan import plan_ray
from kantorovich.economy.table import Economy, load_economy

HERE = Path(__file__).resolve().parent
TABLES = ["oecd_iot2021_jpn_2015", "bea_us_summary_2017", "china_nbs_2020_153",
          "bea_us_detail_2017", "wiod2013_mrio_2011"]


def generated(folder: Path, n: int) -> Economy | None:
    """An ``n``-product economy disaggregated from the US detail table, one technique."""
    try:
        from kantorovich.economy.generate import generate_economy
    except ImportError:
        return None
    big = generate_economy(load_economy(folder), n, techniques=1, seed=0)
    A, labour = big.technique(0)
    y = big.basket * 1e6                      # one set = 1e6 money units of final demand
    x = spla.splu(sp.identity(big.n, format="csc") - A.tocsc()).solve(y)
    return Economy.from_arrays(A @ sp.diags(x), y, x, compensation=labour * x,
                               unit=big.unit, source=f"generated from {folder.name}, n={n}")


def bench(name: str, economy: Economy, budgets: list[int]) -> list[dict]:
    start = time.perf_counter()
    ray = plan_ray(economy)
    lp_seconds = time.perf_counter() - start
    rows = []
    for limit in budgets:
        h = harmony_economy(economy, iterations=limit)
        rows.append({"table": name, "sectors": economy.n, "optimum": ray.sets,
                     "verified": ray.verified, "lp_seconds": lp_seconds,
                     "step_limit": limit, "harmony": h.sets, "gap": h.gap(ray.sets),
                     "iterations": h.iterations, "harmony_seconds": h.seconds,
                     "converged": h.converged})
        print(f"{name:32s} {economy.n:6d}  opt {ray.sets:.6f} ({lp_seconds:6.2f} s, "
              f"{'verified' if ray.verified else 'NOT verified'})  harmony[{limit:>5d}] "
              f"{h.sets:.6f} gap {h.gap(ray.sets):.2e} in {h.iterations} it "
              f"{h.seconds:6.2f} s{' converged' if h.converged else ''}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=Path, default=HERE.parent.parent / "shared" /
                        "data" / "io")
    parser.add_argument("--generated", type=int, default=5000,
                        help="products of the generated economy (0: none)")
    parser.add_argument("--iterations", default="100,1000,5000")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    budgets = [int(b) for b in args.iterations.split(",")]
    rows: list[dict] = []
    for name in TABLES:
        if (args.tables / name).is_dir():
            rows += bench(name, load_economy(args.tables / name), budgets)
    detail = args.tables / "bea_us_detail_2017"
    if args.generated and detail.is_dir():
        economy = generated(detail, args.generated)
        if economy is not None:
            rows += bench(f"generated (US detail, n={args.generated})", economy, budgets)
    if not rows:
        print(f"no tables under {args.tables}", file=sys.stderr)
        return 1
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    gaps = np.array([r["gap"] for r in rows])
    print(f"largest gap {gaps.max():.2e}; never negative: {bool((gaps >= -1e-9).all())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
