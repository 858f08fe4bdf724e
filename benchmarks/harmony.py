"""Cockshott's harmony, as he wrote it, against the certified optimum: fulfilment, time, gap.

    python benchmarks/harmony.py [--tables DIR] [--generated 1000,10000,100000,1000000]
                                 [--techniques 3] [--iterations 100] [--json out.json]

**Real tables** (every folder of ``DIR``, default ``../shared/data/io``): the plan ray
(`kantorovich.economy.plan.plan_ray`: HiGHS through ``kantorovich.solve``, certificate
checked) and his algorithm on the same basket, imports rule and labour
(`kantorovich.economy.harmony.harmony_economy`, his settings: 100 iterations,
temperature 0.23, capacity target 0.98).

**Generated economies** (``economy generate --like US detail -n N --techniques K``, the
same generator and seed): the plan is written as ``economy generate`` writes it and solved
by ``kantorovich.solve`` (certified); his algorithm runs on the same technology complex
(every technique of the plan, labour the one non-produced resource), the targets the
basket in money (the plan's shares times the table's final demand, as on the real
tables, so his small targets for products outside the basket are small in the same
sense), every technique's intensity 1 its product's gross output for that basket with
technique 1 (``x = y + A_1 x``: the analogue of his ``flows.csv``, a table's observed
columns), and the fulfilment converted back to the plan's sets.

Reported per economy: the optimum's sets, whether certified, its time; his fulfilment
(smallest net output / target over the basket), the same with the 2 % he keeps back given
back, the gap ``1 - fulfilment / optimum``, the first iteration from which some basket
product has nothing left, time per run and per iteration.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from kantorovich.economy.harmony import (
    HarmonySettings, TechnologyComplex, balance_plan, harmony_economy)
from kantorovich.economy.plan import plan_ray
from kantorovich.economy.table import load_economy

HERE = Path(__file__).resolve().parent
SHARED = Path("/work/shared/data/io")


def first_zero(history: np.ndarray) -> int | None:
    hit = np.flatnonzero(history <= 0)
    return int(hit[0]) + 1 if hit.size else None


def real_table(folder: Path, settings: HarmonySettings) -> dict[str, Any]:
    economy = load_economy(folder)
    start = time.perf_counter()
    ray = plan_ray(economy)
    lp_seconds = time.perf_counter() - start
    run = harmony_economy(economy, settings=settings)
    return {"economy": folder.name, "products": economy.n, "techniques": 1,
            "optimum": ray.sets, "verified": ray.verified, "lp_seconds": lp_seconds,
            "fulfilment": run.sets, "full_use": run.full_use_sets,
            "gap": run.gap(ray.sets), "feasible": run.feasible,
            "first_zero_iteration": first_zero(run.history),
            "iterations": run.iterations, "harmony_seconds": run.seconds}


def generated(like: Path, n: int, techniques: int, settings: HarmonySettings,
              seed: int = 0) -> dict[str, Any]:
    from kantorovich import load_plan, solve
    from kantorovich.economy.generate import generate_economy
    from kantorovich.lp.leontief import leontief_solve

    table = load_economy(like)
    clock = time.perf_counter()
    g = generate_economy(table, n, techniques=techniques, seed=seed)
    gen_seconds = time.perf_counter() - clock
    with tempfile.TemporaryDirectory() as tmp:
        path = g.write(Path(tmp) / "plan")
        clock = time.perf_counter()
        result = solve(load_plan(path))
        lp_seconds = time.perf_counter() - clock
        optimum = float(result.objective) if result.is_optimal else float("nan")
        verified = bool(result.is_optimal and result.certificate.verified)
        del result
    final_demand = float(np.maximum(table.y, 0.0).sum())      # one set, in money
    # each technique at intensity 1 runs at its product's gross output for the basket
    # in money with technique 1 (his flows.csv: the observed column), x = y + A1 x
    A1, _ = g.technique(0)
    found = leontief_solve(A1.tocsr(), g.basket * final_demand, direct_up_to=0)
    assert found is not None
    size = np.where(found[0] > 0, found[0], 1.0)
    process, good, amount_in, amount_out = g.flow_arrays()
    m, products = n * techniques, n + 1                       # goods, then labour
    scale = np.repeat(size, techniques)[process]
    P = sp.csr_matrix((amount_out * scale, (good, process)), shape=(products, m))
    C = sp.csr_matrix((amount_in * scale, (good, process)), shape=(products, m))
    labour = np.zeros(products, bool)
    labour[n] = True
    cx = TechnologyComplex(P, C, labour, labour.copy())
    targets = np.r_[g.basket * final_demand, np.nan]
    initial = np.r_[np.zeros(n), g.labour_supply]
    in_basket = np.r_[g.basket > 0, False]
    run = balance_plan(cx, targets, initial, settings, targeted=in_basket)
    net = run.net_output
    feasible = bool(np.all(net[:n][~in_basket[:n]] >= -1e-9 * max(np.abs(net).max(), 1)))
    fulfil = float(np.min(net[in_basket] / targets[in_basket])) if feasible else 0.0
    use = 1 - net[n] / g.labour_supply
    full = fulfil / use if use > 0 else fulfil              # no fixed supply: linear
    best = optimum / final_demand                            # baskets of final demand
    return {"economy": f"generated from {like.name}", "products": n,
            "techniques": techniques, "flows": int(P.nnz + C.nnz),
            "generate_seconds": gen_seconds, "optimum": best, "verified": verified,
            "lp_seconds": lp_seconds, "fulfilment": max(fulfil, 0.0),
            "full_use": max(full, 0.0),
            "gap": 1 - max(fulfil, 0.0) / best if best > 0 else float("nan"),
            "feasible": feasible, "first_zero_iteration": first_zero(run.history),
            "iterations": run.iterations, "harmony_seconds": run.seconds}


def show(row: dict[str, Any]) -> None:
    zero = row["first_zero_iteration"]
    print(f"{row['economy']:34s} {row['products']:>9,d} x{row['techniques']}  "
          f"opt {row['optimum']:.6g} ({row['lp_seconds']:7.2f} s, "
          f"{'certified' if row['verified'] else 'NOT certified'})  harmony "
          f"{row['fulfilment']:.4g} (full use {row['full_use']:.4g}) gap "
          f"{row['gap']:.4f}  {row['iterations']} it {row['harmony_seconds']:7.2f} s"
          f"{'' if zero is None else f'  nothing left from iteration {zero}'}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tables", type=Path,
                        default=SHARED if SHARED.is_dir() else
                        HERE.parent.parent / "shared" / "data" / "io")
    parser.add_argument("--generated", default="1000,10000,100000,1000000",
                        help="sizes of generated economies (empty: none)")
    parser.add_argument("--techniques", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--skip-tables", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    settings = HarmonySettings(iterations=args.iterations)
    rows: list[dict[str, Any]] = []
    if not args.skip_tables:
        for folder in sorted(p for p in args.tables.iterdir() if p.is_dir()):
            rows.append(real_table(folder, settings))
            show(rows[-1])
    like = args.tables / "bea_us_detail_2017"
    for n in filter(None, args.generated.split(",")):
        rows.append(generated(like, int(n), args.techniques, settings))
        show(rows[-1])
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
