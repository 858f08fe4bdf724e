"""What-ifs through `kantorovich.Session` against cold solves, where the structure applies.

    python benchmarks/session.py [--n 2000] [--what-ifs 10] [--repeat 3] [--json out.json]

An economy of ``n`` products with 3 techniques each and one primary resource, labour
(`varied_economy(n, resources=1, capped_share=0)`): the plan qualifies for the structure
method. ``--what-ifs`` labour supplies from 0.8 to 1.2 of the plan's are solved

* **warm**: ``session.solve(supply={"labour": s})`` on one `Session` (after one solve of
  the base plan): the session keeps the techniques and their sparse factors, so a what-if
  is one value solve and one quantity solve, and its certificate;
* **cold**: ``kantorovich.solve(plan.with_changes(supply={"labour": s}))``.

Every warm answer is checked against the cold one (objective to 1e-9). Timed with
``time.perf_counter``, the best of ``--repeat`` passes over all what-ifs. Target (issue
16): warm at least 20x faster than cold. Exit 1 when missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

TARGET = 20.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2_000)
    parser.add_argument("--what-ifs", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import kantorovich as k
    from kantorovich.economy.varied import varied_economy

    plan = varied_economy(args.n, seed=1, resources=1, capped_share=0)
    labour = float(plan.goods.loc["labour", "supply"])
    supplies = labour * np.linspace(0.8, 1.2, args.what_ifs)
    session = k.Session(plan)
    base = session.solve()
    warm_s, cold_s = np.inf, np.inf
    for _ in range(args.repeat):
        started = time.perf_counter()
        warm = [session.solve(supply={"labour": float(s)}) for s in supplies]
        warm_s = min(warm_s, time.perf_counter() - started)
        started = time.perf_counter()
        cold = [k.solve(plan.with_changes(supply={"labour": float(s)})) for s in supplies]
        cold_s = min(cold_s, time.perf_counter() - started)
    for w, c in zip(warm, cold, strict=True):
        if w.method != "structure" or abs(w.objective - c.objective) > 1e-9 * abs(
                c.objective):
            print(f"different answers: {w.method} {w.objective!r} against {c.method} "
                  f"{c.objective!r}")
            return 1
    ratio = cold_s / warm_s
    row = {"n": args.n, "processes": len(plan.processes), "what_ifs": args.what_ifs,
           "base_method": base.method, "warm_s": warm_s, "cold_s": cold_s,
           "speedup": ratio, "warm_method": warm[0].method, "cold_method": cold[0].method}
    print(f"{args.n:,} products, {len(plan.processes):,} processes: {args.what_ifs} labour "
          f"what-ifs warm {warm_s:.3f} s ({warm[0].method}), cold {cold_s:.3f} s "
          f"({cold[0].method}): {ratio:.1f}x (target {TARGET:g}x)")
    if args.json:
        args.json.write_text(json.dumps(row, indent=1) + "\n")
    if ratio < TARGET:
        print(f"missed: {ratio:.1f}x, below {TARGET:g}x")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
