"""The whole solving chain on economies it has not seen, against raw HiGHS.

    python benchmarks/chain.py [--n 10000] [--repeat 1] [--cases default,correlated,...]
                               [--json out.json]

Economies come from `kantorovich.economy.varied.varied_economy`, whose rules are not the
other benchmarks' (those disaggregate a real table and derive every technique from it):
random supplier networks with hubs, techniques that differ in their suppliers, two
resources whose use per technique is correlated as asked, capacities on a share of the
techniques. The cases vary one rule each:

============  ===============================================================
case          varied_economy arguments (n products)
============  ===============================================================
default       3 techniques, correlation -0.5, a fifth of techniques capped at
              half their level
correlated    resources correlated +0.5 across techniques
techniques    1 to 5 techniques per product
tight         two fifths of techniques capped, at 0.8 of their level
============  ===============================================================

Timed for each, in one run:

* **ours**: ``kantorovich solve PLAN -o DIR --analysis-time 0`` on the plan written as
  CSV, wall time, less the same command on a trivial plan (20 products): what the chain
  adds over reading and writing;
* **raw HiGHS**: ``Highs.run()`` on the compiled program's arrays (`raw_highs.py`), the
  simplex and interior point with crossover; the better of the two is the peer.

Each is the best of ``--repeat`` runs (on a shared machine a single run may be slowed by
half by what runs beside it).

Target: ours / raw HiGHS's best <= 1.15, the same optimum (to 1e-9). Exit 1 when missed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_highs import highs_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASES: dict[str, dict[str, Any]] = {
    "default": {},
    "correlated": {"correlation": 0.5},
    "techniques": {"techniques": (1, 5)},
    "tight": {"capped_share": 0.4, "tightness": 0.8},
}
TARGET = 1.15


def command(plan: Path, out: Path) -> tuple[float, dict[str, Any]]:
    """Wall time of ``kantorovich solve plan -o out --analysis-time 0`` (this checkout's
    command line, in a fresh interpreter) and the summary it wrote."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from kantorovich.cli import main; main()",
                           "solve", str(plan), "-o", str(out), "--analysis-time", "0"],
                          capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"solve exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds, json.loads((out / "summary.json").read_text())


def raw(lp: Any, solver: str) -> tuple[float, float, str]:
    """Seconds, objective and status of ``Highs.run()`` with ``solver``."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", solver)
    h.passModel(highs_model(lp))
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    return (seconds, float(h.getInfo().objective_function_value),
            h.modelStatusToString(h.getModelStatus()))


def run_case(name: str, n: int, repeat: int, folder: Path, trivial: float
             ) -> dict[str, Any]:
    from kantorovich.economy.varied import varied_economy
    from kantorovich.lp.compile import compile_plan
    from kantorovich.model.generate import write_plan_csv

    plan = varied_economy(n, seed=0, **CASES[name])
    path = write_plan_csv(plan, folder / name)
    lp = compile_plan(plan)
    row: dict[str, Any] = {"case": name, "n": n, "rows": lp.shape[0],
                           "columns": lp.shape[1], "nonzeros": lp.matrix.nnz}
    times, summary = [], {}
    for k in range(repeat):
        seconds, summary = command(path, folder / f"{name}-out-{k}")
        times.append(seconds)
    row["command_s"] = min(times)
    row["ours_s"] = row["command_s"] - trivial
    row["method"] = summary.get("method")
    row["status"] = summary.get("status")
    row["objective"] = summary.get("objective")
    row["reason"] = summary.get("method_reason")
    best, reference = np.inf, None
    for solver in ("simplex", "ipm"):
        runs = [raw(lp, solver) for _ in range(repeat)]
        seconds, objective, status = min(runs)
        row[f"raw_{solver}_s"], row[f"raw_{solver}_status"] = seconds, status
        if status == "Optimal" and seconds < best:
            best, reference = seconds, objective
    row["raw_best_s"] = best
    row["ratio"] = row["ours_s"] / best
    row["same_optimum"] = bool(reference is not None and row["objective"] is not None
                               and abs(row["objective"] - reference)
                               <= 1e-9 * abs(reference))
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from kantorovich.economy.varied import varied_economy
    from kantorovich.model.generate import write_plan_csv

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        trivial_plan = write_plan_csv(varied_economy(20, seed=0), folder / "trivial")
        trivial = min(command(trivial_plan, folder / f"trivial-out-{k}")[0]
                      for k in range(max(args.repeat, 2)))
        print(f"trivial plan: {trivial:.2f} s", flush=True)
        print(f"{'case':>11} {'rows':>7} {'columns':>8} {'ours':>7} {'simplex':>8} "
              f"{'ipm':>7} {'ratio':>6}  method", flush=True)
        for name in args.cases.split(","):
            row = run_case(name, args.n, args.repeat, folder, trivial)
            row["trivial_s"] = trivial
            rows.append(row)
            print(f"{name:>11} {row['rows']:>7,} {row['columns']:>8,} {row['ours_s']:>7.2f} "
                  f"{row['raw_simplex_s']:>8.2f} {row['raw_ipm_s']:>7.2f} "
                  f"{row['ratio']:>6.2f}  {row['method']} ({row['status']})", flush=True)
            print(f"{'':>11} {row['reason']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    missed = [f"{r['case']}: {r['ratio']:.2f}x raw HiGHS's best" for r in rows
              if r["ratio"] > TARGET]
    missed += [f"{r['case']}: not raw HiGHS's optimum ({r['status']})" for r in rows
               if not r["same_optimum"]]
    for line in missed:
        print("missed:", line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
