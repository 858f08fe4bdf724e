"""The structure method against HiGHS on economies with one primary resource and choice
of technique, and against one sparse fixed-point solve of the same size.

    python benchmarks/methods.py [--sizes 10000,100000] [--million] [--highs-limit 120]
                                 [--json out.json]

Economies are made here, vectorised: ``n`` products, ``K`` techniques each (default 3),
labour the one primary resource. Each technique buys from a few suppliers (``--inputs``,
drawn in proportion to a lognormal size, so big products sell to many) and from one of
a few hub products (energy, transport: every product buys from one), with material
coefficients summing to 0.3-0.7 per unit of output, so every choice of techniques is
productive. Technique 1 is the base; technique 2 uses ``f`` times the labour and
``f ** -0.5`` times the materials, technique 3 the reverse (``f`` in [1.1, 1.6]): no
technique uses less of everything, so which is cheapest depends on the values. The
objective is ``maximize_sets`` of a basket (shares of final demand) with the labour
supply as the limit.

Timed, in one run, on the same plan:

============  =================================================================
fixed point   `leontief_solve` of ``v = l + v A`` for technique 1 (iteration from
              0 to 1e-14): the issue's yardstick
structure     `solve_by_structure` on the compiled program plus `certify`
solve         ``kantorovich.solve(plan)`` (compile, structure, certificate)
simplex, ipm  HiGHS on the same compiled program (``--highs-limit`` seconds each;
              skipped above ``--highs-max`` products)
============  =================================================================

and the peak resident memory after the structure phase. The issue's target: structure
within 30x of the fixed-point solve (plus start-up).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

import kantorovich as k
from kantorovich.lp.budget import Budget
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.highs import HighsSession
from kantorovich.lp.leontief import leontief_solve
from kantorovich.lp.structure import solve_by_structure
from kantorovich.model.plan import Plan
from kantorovich.results.certificate import certify

HUBS = 8


def economy(n: int, *, techniques: int = 3, inputs: int = 4, seed: int = 0
            ) -> tuple[Plan, sp.csc_matrix, np.ndarray]:
    """A plan of ``n`` products with ``techniques`` techniques each; also technique 1's
    input matrix (per unit of output) and labour, for the fixed-point yardstick."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 1.5, n)
    cdf = np.cumsum(size) / size.sum()
    # technique 1: `inputs` suppliers by size, and one hub
    rows = np.searchsorted(cdf, rng.random((n, inputs)))
    rows = np.minimum(rows, n - 1)
    hub = rng.integers(0, min(HUBS, n), n)
    rows = np.concatenate([rows, hub[:, None]], axis=1)
    cols = np.repeat(np.arange(n), inputs + 1)
    base = sp.csc_matrix((rng.random(n * (inputs + 1)), (rows.ravel(), cols)), shape=(n, n))
    base.sum_duplicates()
    base.setdiag(0.0)
    base.eliminate_zeros()
    col_sum = np.asarray(base.sum(axis=0)).ravel()
    target = rng.uniform(0.3, 0.7, n)
    scale = np.where(col_sum > 0, target / np.maximum(col_sum, 1e-300), 0.0)
    base = sp.csc_matrix(base @ sp.diags(scale))
    labour = rng.lognormal(0.0, 0.5, n)
    f = np.exp(rng.uniform(0.1, 0.5, n))
    labour_k = [labour, labour * f, labour / f][:techniques]
    material_k = [np.ones(n), f ** -0.5, f ** 0.5][:techniques]
    while len(labour_k) < techniques:          # more techniques: further trade-offs
        g = np.exp(rng.uniform(0.1, 0.5, n)) ** rng.choice([-1, 1], n)
        labour_k.append(labour * g)
        material_k.append(g ** -0.5)
    # flows: for technique t, process t*n + j makes product j
    coo = base.tocoo()
    proc, good, amount = [], [], []
    for t in range(techniques):            # a loop over the K techniques, not products
        proc.append(coo.col + t * n)
        good.append(coo.row)
        amount.append(coo.data * material_k[t][coo.col])
    proc = np.concatenate(proc)
    good = np.concatenate(good)
    amount = np.concatenate(amount)
    m = techniques * n
    maker = np.tile(np.arange(n), techniques)
    ids = np.char.add("c", np.arange(n).astype(str)).astype(object)
    pids = np.char.add("p", np.arange(m).astype(str)).astype(object)
    flows = pd.DataFrame({
        "process": pids[np.concatenate([proc, np.arange(m), np.arange(m)])],
        "good": np.concatenate([ids[good], ids[maker],
                                np.full(m, "labour", dtype=object)]),
        "input": np.concatenate([amount, np.zeros(m), np.concatenate(labour_k)]),
        "output": np.concatenate([np.zeros(len(amount)), np.ones(m), np.zeros(m)]),
    })
    share = rng.lognormal(0.0, 1.0, n)
    basket = share / share.sum()
    plan = Plan.from_frames(
        goods=pd.DataFrame({"id": np.append(ids, "labour")}),
        processes=pd.DataFrame({"id": pids}), flows=flows,
        supply={"labour": float(labour.sum())},
        objective={"maximize_sets": dict(zip(ids, basket, strict=True))},
        name=f"economy-{n}")
    return plan, base, labour


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn: Any) -> tuple[Any, float]:
    gc.collect()
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run(n: int, args: argparse.Namespace) -> dict[str, Any]:
    (plan, base, labour), t_make = timed(lambda: economy(n, techniques=args.techniques,
                                                         inputs=args.inputs))
    row = {"n": n, "processes": len(plan.processes), "flows": len(plan.flows),
           "make_s": t_make}
    (fixed, how), row["fixed_point_s"] = timed(
        lambda: leontief_solve(base.T.tocsr(), labour, direct_up_to=0))
    lp, row["compile_s"] = timed(lambda: compile_plan(plan))
    row["nonzeros"] = lp.matrix.nnz
    found, row["structure_s"] = timed(lambda: solve_by_structure(lp))
    cert, row["certify_s"] = timed(lambda: certify(lp, found.solution.x,
                                                   found.solution.row_dual))
    row.update(rounds=found.detail["rounds"], solves=found.detail["solves"],
               verified=cert.verified,
               objective=found.solution.objective)
    result, row["solve_s"] = timed(lambda: k.solve(plan))
    row["solve_method"] = result.method
    row["peak_mb"] = peak_mb()
    row["ratio_structure_to_fixed_point"] = (row["structure_s"] + row["certify_s"]) / (
        row["fixed_point_s"])
    for method in ("simplex", "ipm"):
        if n > args.highs_max:
            continue

        def highs(method: str = method) -> Any:
            session = HighsSession(lp, budget=Budget(args.highs_limit))
            session.use_method(method)
            return session.solve()

        sol, row[f"{method}_s"] = timed(highs)
        row[f"{method}_status"] = sol.status.value
        if sol.status.has_solution:
            row[f"{method}_objective"] = sol.objective
            row[f"{method}_rel_diff"] = abs(sol.objective - row["objective"]) / abs(
                row["objective"])
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--million", action="store_true", help="also n = 1,000,000")
    parser.add_argument("--techniques", type=int, default=3)
    parser.add_argument("--inputs", type=int, default=4)
    parser.add_argument("--highs-limit", type=float, default=120.0)
    parser.add_argument("--highs-max", type=int, default=100_000)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.million:
        sizes.append(1_000_000)
    rows = []
    for n in sizes:
        row = run(n, args)
        rows.append(row)
        print(json.dumps(row, default=float), flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1, default=float)
    missed = [r for r in rows if r["ratio_structure_to_fixed_point"] > 30 or not r["verified"]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
