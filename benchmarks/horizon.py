"""Plans over time against raw HiGHS.

    python benchmarks/horizon.py [--tns 200x5] [--sparse 10000x10] [--repeat 3]
                                 [--highs-limit 600] [--json out.json]

Two families, each timed in one run against its peer on the same program:

* **Cockshott-format economies** (``--tns SECTORSxYEARS``, default 200x5): an economy in
  the manner of his ``testeconomy`` (`kantorovich.economy.tns.tns_economy`), written as
  his four CSV files, imported with ``kantorovich economy import-tns``. Ours: the wall
  time of ``kantorovich solve PLAN --json --analysis-time 0`` (a fresh interpreter)
  less that of the same command on a trivial plan, so that what is measured is the
  work a plan over time adds (reading, expanding, compiling, solving, certifying, the
  JSON). The peer: ``Highs.run()`` on the LP ``nyearplan`` writes (n^2 flow, stock,
  depreciation and accumulation columns per year), built with highspy from the same
  four files by `benchmarks/nyearplan_lp.py`. The objectives must agree (1e-7). Target:
  ours <= 0.5x the peer.
* **Sparse economies with stocks** (``--sparse PRODUCTSxPERIODS``, default 10000x10):
  each product made by one process from about ln n others (``--structure random``:
  anywhere in the economy; ``clustered``, the default: four in five within its own
  industry of 50 products, the rest among 20 hub products) and labour, each process
  holding one to three stock goods (per unit of level, depreciating 5-15% a period),
  one complete-sets basket a period, labour growing 2% a period. Ours: `kantorovich.solve`
  on the loaded plan (compile, solve, certificate), with where the time goes (loading
  and expanding, compiling, HiGHS, the certificate). The peer: raw HiGHS on the same
  compiled program, the dual simplex and interior point with crossover (each to
  ``--highs-limit`` s), the best of them.

Exit status 1 when the Cockshott-format target is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from nyearplan_lp import nyearplan_lp  # noqa: E402
from raw_highs import highs_model  # noqa: E402

TRIVIAL = """\
name: trivial
goods: {corn: {unit: t}}
processes: {grow: {outputs: {corn: 1}, capacity: 1}}
objective: {maximize: {corn: 1}}
"""


def _command(plan: Path) -> tuple[float, dict[str, Any]]:
    """Wall time of ``kantorovich solve PLAN --json --analysis-time 0`` in a fresh
    interpreter, and its JSON."""
    code = ("import sys; from kantorovich.cli import main; sys.argv[0] = 'kantorovich'; "
            "sys.exit(main())")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "solve", str(plan), "--json",
                           "--analysis-time", "0"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"solve {plan} exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def tns(sectors: int, years: int, repeat: int, seed: int = 7) -> dict[str, Any]:
    from kantorovich.economy.tns import read_tns, tns_economy

    folder = Path(tempfile.mkdtemp(prefix="tns-"))
    economy = tns_economy(sectors, years, seed=seed)
    economy.write_files(folder / "his")
    plan = read_tns(folder / "his").write_plan(folder / "plan")
    trivial = folder / "trivial.yaml"
    trivial.write_text(TRIVIAL)
    # his LP: built once (not timed), solved from scratch each time
    raw, raw_objective = [], None
    for _ in range(repeat):
        h = nyearplan_lp(folder / "his")
        start = time.perf_counter()
        h.run()
        raw.append(time.perf_counter() - start)
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        raw_objective = h.getInfo().objective_function_value
        size = (h.getNumCol(), h.getNumRow(), h.getNumNz())
    ours, base = [], []
    data: dict[str, Any] = {}
    for _ in range(repeat):
        seconds, data = _command(plan)
        ours.append(seconds)
        base.append(_command(trivial)[0])
    assert data["status"] == "optimal" and data["certificate"]["verified"]
    assert abs(data["objective"] - raw_objective) <= 1e-7 * max(1.0, abs(raw_objective)), (
        data["objective"], raw_objective)
    net = min(ours) - min(base)
    return {"family": "tns", "sectors": sectors, "years": years,
            "his_columns": size[0], "his_rows": size[1], "his_nonzeros": size[2],
            "our_columns": data["size"]["columns"], "our_rows": data["size"]["rows"],
            "our_nonzeros": data["size"]["nonzeros"], "objective": data["objective"],
            "raw_highs_run_s": min(raw), "command_s": min(ours), "trivial_s": min(base),
            "ours_s": net, "ratio": net / min(raw), "target": 0.5,
            "method": data["method"]}


CLUSTER = 50
"""Products per industry in a clustered economy."""
HUBS = 20
"""Products every industry may buy from in a clustered economy (energy, transport)."""


def _suppliers(rng: np.random.Generator, n: int, k: int, structure: str) -> np.ndarray:
    """``k`` suppliers of each product: anywhere (``random``), or four in five within
    its own industry of `CLUSTER` products and the rest among the `HUBS` (``clustered``,
    the block structure of an economy of industries)."""
    if structure == "random":
        return rng.integers(0, n, size=n * k)
    own = np.repeat(np.arange(n) // CLUSTER * CLUSTER, k) + rng.integers(0, CLUSTER, n * k)
    hub = rng.integers(0, min(HUBS, n), size=n * k)
    return np.where(rng.random(n * k) < 0.8, np.minimum(own, n - 1), hub)


def sparse_plan(n: int, periods: int, folder: Path, seed: int = 11,
                structure: str = "random") -> Path:
    """Write the sparse economy with stocks as a plan folder; return plan.yaml."""
    rng = np.random.default_rng(seed)
    ids = np.asarray([f"g{i}" for i in range(n)], dtype=object)
    k = max(1, math.ceil(math.log(n)))
    rows = np.repeat(np.arange(n), k)
    inputs = _suppliers(rng, n, k, structure)
    keep = inputs != rows
    a = rng.uniform(0.0, 0.6 / k, size=n * k)
    flows = pd.DataFrame({"process": ids[rows[keep]], "good": ids[inputs[keep]],
                          "input": a[keep], "output": 0.0})
    flows = flows.groupby(["process", "good"], as_index=False, sort=False).sum()
    made = pd.DataFrame({"process": ids, "good": ids, "input": 0.0, "output": 1.0})
    labour = pd.DataFrame({"process": ids, "good": "labour",
                           "input": rng.uniform(0.5, 1.5, n), "output": 0.0})
    flows = pd.concat([made, flows, labour], ignore_index=True)
    held = rng.integers(1, 4, size=n)
    holder = np.repeat(np.arange(n), held)
    nth = np.arange(len(holder)) - np.repeat(np.cumsum(held) - held, held)
    good = _suppliers(rng, n, 3, structure).reshape(n, 3)[holder, nth] \
        if structure != "random" else rng.integers(0, n, size=len(holder))
    stocks = pd.DataFrame({"process": ids[holder], "good": ids[good]}).drop_duplicates()
    m = len(stocks)
    per_level = rng.uniform(0.1, 1.0, m)
    stocks["per_level"] = per_level
    stocks["depreciation"] = rng.uniform(0.05, 0.15, m)
    stocks["initial"] = per_level * rng.uniform(0.5, 1.5, m)
    basket = rng.uniform(0.05, 0.15, n)
    targets = pd.DataFrame({"good": np.tile(ids, periods),
                            "period": np.repeat(np.arange(1, periods + 1), n),
                            "count": np.tile(basket, periods)})
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"id": np.append(ids, "labour"), "unit": "unit"}).to_csv(
        folder / "goods.csv", index=False)
    pd.DataFrame({"id": ids}).to_csv(folder / "processes.csv", index=False)
    flows.to_parquet(folder / "flows.parquet", index=False)
    stocks.to_csv(folder / "stocks.csv", index=False)
    targets.to_parquet(folder / "targets.parquet", index=False)
    document = {"name": f"sparse {n}x{periods}", "period": "year", "horizon": periods,
                "goods": "goods.csv", "processes": "processes.csv",
                "flows": "flows.parquet", "stocks": "stocks.csv",
                "supply": {"labour": [float(0.6 * n * 1.02 ** t) for t in range(periods)]},
                "objective": {"maximize_sets": "targets.parquet"}}
    (folder / "plan.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return folder / "plan.yaml"


def raw_best(lp: Any, limit: float) -> dict[str, Any]:
    out = {}
    for method in ("simplex", "ipm"):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(limit))
        h.setOptionValue("solver", method)
        h.passModel(highs_model(lp))
        start = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - start
        status = h.getModelStatus()
        out[method] = {"seconds": seconds, "status": h.modelStatusToString(status),
                       "objective": h.getInfo().objective_function_value}
    finished = [v["seconds"] for v in out.values() if v["status"] == "Optimal"]
    out["best_s"] = min(finished) if finished else None
    return out


def sparse(n: int, periods: int, limit: float, structure: str = "random"
           ) -> dict[str, Any]:
    import kantorovich as k
    from kantorovich.lp.compile import compile_plan
    from kantorovich.results.certificate import certify

    folder = Path(tempfile.mkdtemp(prefix="sparse-"))
    path = sparse_plan(n, periods, folder, structure=structure)
    start = time.perf_counter()
    plan = k.load_plan(path)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    lp = compile_plan(plan)
    compiled = time.perf_counter() - start
    start = time.perf_counter()
    result = k.solve(plan, time_limit=limit)
    solved = time.perf_counter() - start
    start = time.perf_counter()
    cert = (certify(result.lp, result.solution.x, result.solution.row_dual)
            if result.status.has_solution else None)
    certified = time.perf_counter() - start
    peer = raw_best(lp, limit)
    out = {"family": "sparse", "structure": structure, "products": n, "periods": periods,
           "rows": lp.shape[0], "columns": lp.shape[1], "nonzeros": int(lp.matrix.nnz),
           "status": result.status.value,
           "verified": bool(cert.verified) if cert is not None else False,
           "objective": result.objective if result.status.has_solution else None,
           "load_and_expand_s": loaded, "compile_s": compiled,
           "solve_s": solved, "highs_s": result.seconds, "certificate_s": certified,
           "method": result.method, "reason": result.method_reason, "raw": peer,
           "ratio": solved / peer["best_s"] if peer["best_s"] else None}
    best = peer.get("simplex" if peer["simplex"]["seconds"] <= peer["ipm"]["seconds"]
                    else "ipm")
    if result.status.has_solution and best["status"] == "Optimal":
        assert abs(result.objective - best["objective"]) <= 1e-6 * max(
            1.0, abs(best["objective"])), (result.objective, best["objective"])
    return out


def _size(text: str) -> tuple[int, int]:
    a, b = text.lower().split("x")
    return int(a), int(b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tns", default="200x5")
    parser.add_argument("--sparse", default="10000x10",
                        help="PRODUCTSxPERIODS, comma-separated; empty to skip")
    parser.add_argument("--structure", default="clustered",
                        help="random (suppliers anywhere) or clustered (industries and "
                             "hubs), comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--highs-limit", type=float, default=600.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    found = []
    missed = False
    if args.tns:
        row = tns(*_size(args.tns), repeat=args.repeat)
        found.append(row)
        missed |= row["ratio"] > row["target"]
        print(f"tns {row['sectors']}x{row['years']}: his LP {row['his_columns']:,} cols x "
              f"{row['his_rows']:,} rows, raw Highs.run() {row['raw_highs_run_s']:.3f} s; "
              f"ours {row['our_columns']:,} cols x {row['our_rows']:,} rows, command "
              f"{row['command_s']:.3f} s - trivial {row['trivial_s']:.3f} s = "
              f"{row['ours_s']:.3f} s: ratio {row['ratio']:.3f} (target <= 0.5)",
              flush=True)
    for size, structure in [(size, structure)
                            for structure in filter(None, args.structure.split(","))
                            for size in filter(None, args.sparse.split(","))]:
        row = sparse(*_size(size), limit=args.highs_limit, structure=structure)
        found.append(row)
        raw = row["raw"]
        print(f"sparse {structure} {row['products']}x{row['periods']}: "
              f"{row['columns']:,} cols x "
              f"{row['rows']:,} rows, {row['nonzeros']:,} nonzeros; ours {row['status']} "
              f"(verified {row['verified']}) by {row['method']}: load+expand "
              f"{row['load_and_expand_s']:.2f} s, compile {row['compile_s']:.2f} s, solve "
              f"{row['solve_s']:.2f} s (HiGHS {row['highs_s']:.2f} s, certificate "
              f"{row['certificate_s']:.2f} s); raw simplex {raw['simplex']['seconds']:.2f} s "
              f"({raw['simplex']['status']}), ipm {raw['ipm']['seconds']:.2f} s "
              f"({raw['ipm']['status']})\n  how: {row['reason']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(found, indent=1, default=str) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
