"""Issue 10's targets, each a ratio of two commands timed in the same run, as
subprocesses of the real CLI (``.venv/bin/kantorovich``), with their peak memory.

    python benchmarks/commands.py [--sizes 10000] [--large] [--json out.json]

==========  ======================================  ======================================  ======
name        ours                                    peer                                    target
==========  ======================================  ======================================  ======
analyses    ``solve --json`` (every analysis)       ``solve``, same plan, no baseline       1.5x*
baseline    ``solve --json``, plan with a baseline  ``solve``, same plan                    1.5x*
memory      peak RSS of the two above               peak RSS of ``solve``                   2x
diagnosis   ``diagnose(result)`` of a plan with     the failed ``solve(plan)`` itself       3x
            one impossible demand
start-up    ``kantorovich --version``               ``python -c "import typer, rich..."``   2.5x
mps         ``solve plan.mps``                      raw highspy ``readModel`` + ``run``     1.05x
==========  ======================================  ======================================  ======

(*) 2x from 10^4 processes, 1.5x from 10^5. ``--large`` adds 10^5 processes (minutes).
Peak memory is each child's own maximum resident set, read by a small wrapper through
``resource.getrusage(RUSAGE_CHILDREN)``. Exits 1 when a target is missed.
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

import yaml

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CLI = str(ROOT / ".venv" / "bin" / "kantorovich")

#: a child run under this wrapper prints its own peak RSS (kB) as the last stderr line
_WRAP = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN)"
         ".ru_maxrss, file=sys.stderr); sys.exit(r.returncode)")

_DIAGNOSE = """
import json, sys, time
import kantorovich as k
plan = k.load_plan(sys.argv[1])
start = time.perf_counter(); result = k.solve(plan); failed = time.perf_counter() - start
start = time.perf_counter(); d = result.diagnosis(); took = time.perf_counter() - start
print(json.dumps({"status": result.status.value, "failed_s": failed, "diagnosis_s": took,
                  "verified": d.verified, "unexamined": d.unexamined}))
"""

_RAW_MPS = """
import sys, highspy
h = highspy.Highs(); h.setOptionValue("output_flag", False)
h.readModel(sys.argv[1]); h.run(); print(h.modelStatusToString(h.getModelStatus()))
"""


def timed(args: list[str], repeat: int) -> tuple[float, float, str]:
    """Best wall time of ``repeat`` runs (s), peak RSS (MB) and the last run's stdout."""
    best, peak, out = float("inf"), 0.0, ""
    for _ in range(repeat):
        start = time.perf_counter()
        run = subprocess.run([PYTHON, "-c", _WRAP, *args], capture_output=True, text=True)
        best = min(best, time.perf_counter() - start)
        peak = max(peak, int(run.stderr.strip().splitlines()[-1]) / 1024)
        out = run.stdout
    return best, peak, out


def write_plans(n: int, folder: Path) -> dict[str, Path]:
    """The synthetic plan as CSV tables, with and without its baseline, an infeasible
    copy (one impossible demand) and its MPS file."""
    from kantorovich.lp.compile import compile_plan
    from kantorovich.model.generate import synthetic_plan, write_plan_csv

    plan = synthetic_plan(n, seed=0, policies=20)
    plain = write_plan_csv(plan, folder, name="plan.yaml")
    doc = yaml.safe_load(plain.read_text())
    baseline = folder / "baseline.yaml"
    doc["baseline"] = {str(p): float(v) for p, v in plan.baseline.items()}
    baseline.write_text(yaml.safe_dump(doc))
    lp = compile_plan(plan)
    net = lp.matrix @ plan.baseline.to_numpy()
    last = plan.goods.index[-1]
    row = int((lp.rows["id"] == last).to_numpy().argmax())
    bad = write_plan_csv(plan.with_demand(last, 20 * max(float(net[row]), 1.0)),
                         folder / "infeasible", name="plan.yaml")
    mps = folder / "plan.mps"
    subprocess.run([CLI, "export", str(plain), "--mps", str(mps)], check=True,
                   capture_output=True)
    return {"plain": plain, "baseline": baseline, "infeasible": bad, "mps": mps}


def measure(n: int, repeat: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def record(name: str, ours: float, peer: float, target: float, **extra: Any) -> None:
        rows.append({"size": n, "name": name, "ours": ours, "peer": peer,
                     "ratio": ours / peer, "target": target,
                     "ok": ours / peer <= target, **extra})

    with tempfile.TemporaryDirectory(prefix="kantorovich-cmd-") as tmp:
        paths = write_plans(n, Path(tmp))
        limit = 1.5 if n >= 100_000 else 2.0
        solve_s, solve_mb, _ = timed([CLI, "solve", str(paths["plain"])], repeat)
        json_s, json_mb, _ = timed([CLI, "solve", "--json", str(paths["plain"])], repeat)
        record("analyses", json_s, solve_s, limit, unit="s")
        base_s, base_mb, _ = timed([CLI, "solve", str(paths["baseline"])], repeat)
        bjson_s, bjson_mb, _ = timed([CLI, "solve", "--json", str(paths["baseline"])], repeat)
        record("baseline", bjson_s, base_s, limit, unit="s")
        record("memory", max(json_mb, bjson_mb), max(solve_mb, base_mb), 2.0, unit="MB")
        _, _, out = timed([PYTHON, "-c", _DIAGNOSE, str(paths["infeasible"])], 1)
        d = json.loads(out)
        record("diagnosis", d["diagnosis_s"], d["failed_s"], 3.0, unit="s",
               unexamined=d["unexamined"], verified=d["verified"])
        mps_s, _, _ = timed([CLI, "solve", str(paths["mps"])], repeat)
        raw_s, _, _ = timed([PYTHON, "-c", _RAW_MPS, str(paths["mps"])], repeat)
        record("mps", mps_s, raw_s, 1.05, unit="s")
    return rows


def startup(repeat: int) -> dict[str, Any]:
    ours, _, _ = timed([CLI, "--version"], repeat)
    peer, _, _ = timed([PYTHON, "-c", "import typer, rich.console"], repeat)
    return {"size": 0, "name": "start-up", "ours": ours, "peer": peer,
            "ratio": ours / peer, "target": 2.5, "ok": ours / peer <= 2.5, "unit": "s"}


def table(rows: list[dict[str, Any]]) -> str:
    head = f"{'processes':>10} {'target':10} {'ours':>9} {'peer':>9} {'ratio':>7} {'max':>6}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['size']:>10,} {r['name']:10} {r['ours']:9.3f} {r['peer']:9.3f} "
                     f"{r['ratio']:6.2f}x {r['target']:5g}x {r['unit']}"
                     + ("" if r["ok"] else "  MISSED"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="processes, comma-separated")
    parser.add_argument("--large", action="store_true", help="also 100000 (minutes)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many (3)")
    parser.add_argument("--json", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.large:
        sizes.append(100_000)
    rows = [startup(args.repeat)]
    for n in sizes:
        rows += measure(n, 1 if n >= 100_000 else args.repeat)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
