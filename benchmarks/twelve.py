"""Nove's twelve million (issue 18): a plan of 12 million products with two techniques
each, one primary resource and a basket objective, solved by the command a user runs,
with where the time and the memory go, stage by stage.

    python benchmarks/twelve.py [-n 12000000] [--techniques 2] [--hubs 1]
                                [--degree 0.18] [--like TABLE] [--folder DIR] [--keep]
                                [--json out.json]

Steps:

==============  ===================================================================
generate        ``kantorovich economy generate --like TABLE -n N --techniques K
                --hubs H --degree D -o DIR`` (skipped when DIR already holds a plan
                generated with the same arguments), under ``/usr/bin/time -v``
solve           ``kantorovich solve DIR/plan.yaml -o DIR/out``, run in a child
                process under ``/usr/bin/time -v`` (wall time and peak resident
                memory of the whole command). The child runs the CLI's own ``solve``
                command; it only wraps the functions the command calls with timers
                that also read the process's peak resident memory (``VmHWM``, reset
                before each stage through ``/proc/self/clear_refs``), so each stage's
                seconds and peak are its own.
==============  ===================================================================

The plan's size is the issue's: about 1.4·10^8 flows at 12 million products with two
techniques, about 5.8 flows a process (its output, labour and about four inputs). The
generator's defaults (6 hubs and ``ceil(0.5 ln n)`` = 9 drawn suppliers at 12·10^6) give
about 15 inputs a product and 4·10^8 flows, so the benchmark keeps one hub sector
(``--hubs 1``, the densest row of the table) and draws ``ceil(0.18 ln n)`` = 3 suppliers
(``--degree 0.18``): 5.95 flows a process, 1.43·10^8 flows at 12·10^6.

Targets (issue 18): the solve command under 10 minutes and under 20 GB peak, its
answer a certified optimum (``summary.json``: status ``optimal``, certificate verified).
The exit status is 1 when one is missed.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TABLE = ROOT.parent / "shared" / "data" / "io" / "bea_us_detail_2017"
SECONDS, MEMORY_GB = 600.0, 20.0
STAGES_MARK = "twelve-stage "


def _command() -> list[str]:
    """This interpreter running the CLI (``python -m kantorovich.cli``)."""
    return [sys.executable, "-m", "kantorovich.cli"]


def _peak_kb() -> int:
    """The process's peak resident memory since the last reset, in kB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    """Start a new peak (Linux: ``5`` in ``clear_refs`` resets ``VmHWM`` to the RSS)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def _staged(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` that prints its seconds and peak resident memory on stderr."""

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        _reset_peak()
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            record = {"stage": name, "seconds": round(time.perf_counter() - start, 3),
                      "peak_gb": round(_peak_kb() / 2**20, 3)}
            sys.stderr.write(STAGES_MARK + json.dumps(record) + "\n")
            sys.stderr.flush()

    return timed


def _run_staged_solve(argv: list[str]) -> int:
    """The child: the CLI's ``solve`` with its stages timed (see the module docstring)."""
    import kantorovich.io as io
    import kantorovich.results.chain as chain
    import kantorovich.results.result as result
    from kantorovich.explain import analyses
    from kantorovich.lp import structure
    from kantorovich.report import export, summary

    io.load_plan = _staged("load", io.load_plan)
    result.compile_plan = _staged("compile", result.compile_plan)
    structure.Structure.solve = _staged("structure", structure.Structure.solve)
    chain.certify = _staged("certificate", chain.certify)
    result.answer = _staged("result", result.answer)
    analyses.analyse = _staged("analyses", analyses.analyse)
    summary.summary = _staged("summary", summary.summary)
    export.write_result = _staged("write", export.write_result)
    from kantorovich.cli import app

    try:
        app(["solve", *argv], prog_name="kantorovich")
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def timed_run(args: list[str]) -> dict[str, Any]:
    """Run ``args`` under ``/usr/bin/time -v``: wall time, peak RSS (GB), exit status,
    the stages the child reported and the tail of its stderr."""
    timer = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
    full = [timer, "-v", *args] if timer else args
    start = time.perf_counter()
    done = subprocess.run(full, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    stages = [json.loads(line[len(STAGES_MARK):]) for line in done.stderr.splitlines()
              if line.startswith(STAGES_MARK)]
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    tail = [line for line in done.stderr.splitlines()
            if not line.startswith(("\t", STAGES_MARK))]
    # the stages reset the peak (``clear_refs``), which ``ru_maxrss`` also reads: the
    # command's peak is the largest of theirs and what ``time`` saw after the last reset
    peaks = [stage["peak_gb"] for stage in stages]
    if match:
        peaks.append(int(match.group(1)) / 2**20)
    return {"seconds": round(seconds, 2),
            "peak_gb": round(max(peaks), 3) if peaks else None,
            "status": done.returncode, "stages": stages, "stderr": "\n".join(tail[-5:])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=12_000_000)
    parser.add_argument("--techniques", type=int, default=2)
    parser.add_argument("--like", type=Path, default=TABLE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hubs", type=int, default=1,
                        help="hub sectors kept (economy generate --hubs; its default is 6)")
    parser.add_argument("--degree", type=float, default=0.18,
                        help="ceil(DEGREE ln n) drawn suppliers a product (economy "
                             "generate --degree; its default is 0.5)")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/twelve/economy"),
                        help="where the economy is generated (and its out/ written)")
    parser.add_argument("--keep", action="store_true", help="keep the folder afterwards")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    row: dict[str, Any] = {"n": args.n, "techniques": args.techniques,
                           "table": str(args.like), "load_average_before": os.getloadavg()}
    draws = max(1, math.ceil(args.degree * math.log(max(args.n, 2))))
    # the degree acts only through the draws: the same draws, the same economy
    wanted = {"products": args.n, "techniques": args.techniques, "seed": args.seed,
              "supplier_draws": draws}
    row.update(hubs=args.hubs, degree=args.degree, supplier_draws=draws)
    try:
        made = folder / "generated.json"
        known = json.loads(made.read_text()) if made.exists() else {}
        if (any(known.get(key) != value for key, value in wanted.items())
                or not str(known.get("hub_rule", "")).endswith(
                    f"the {args.hubs} densest; 1 product(s) each")):
            shutil.rmtree(folder, ignore_errors=True)
            row["generate"] = timed_run([*_command(), "economy", "generate", "--like",
                                         str(args.like), "-n", str(args.n), "--techniques",
                                         str(args.techniques), "--seed", str(args.seed),
                                         "--hubs", str(args.hubs), "--degree",
                                         str(args.degree), "-o", str(folder)])
            if not made.exists():
                print(json.dumps(row, indent=1, default=float))
                return 1
            known = json.loads(made.read_text())
        import pyarrow.parquet as pq

        row["flows"] = pq.ParquetFile(folder / "flows.parquet").metadata.num_rows
        row["material_nonzeros"] = known.get("material_nonzeros")
        shutil.rmtree(folder / "out", ignore_errors=True)
        row["solve"] = timed_run([sys.executable, str(Path(__file__).resolve()), "--child",
                                  str(folder / "plan.yaml"), "-o", str(folder / "out")])
        summary_path = folder / "out" / "summary.json"
        if summary_path.exists():
            summary = json.loads(summary_path.read_text())
            row["method"] = summary.get("method")
            row["status"] = summary.get("status")
            row["certificate"] = summary.get("certificate")
            row["size"] = summary.get("size")
            row["left_out"] = summary.get("left_out", {})
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    row["load_average_after"] = os.getloadavg()
    solve = row["solve"]
    row["met_time"] = solve["seconds"] <= SECONDS
    row["met_memory"] = solve["peak_gb"] is not None and solve["peak_gb"] < MEMORY_GB
    row["certified"] = (row.get("status") == "optimal"
                        and bool((row.get("certificate") or {}).get("verified")))
    met = row["met_time"] and row["met_memory"] and row["certified"]
    print(json.dumps(row, indent=1, default=float), flush=True)
    for stage in solve["stages"]:
        print(f"  {stage['stage']:<12} {stage['seconds']:8.1f} s  peak {stage['peak_gb']:6.2f} GB")
    made_row = row.get("generate")
    print(f"flows {row.get('flows', 0):,}; generate " + (
        f"{made_row['seconds']:.1f} s, peak {made_row['peak_gb'] or 0:.2f} GB" if made_row
        else "reused"))
    print(f"n = {args.n:,}, K = {args.techniques}: solve {solve['seconds']:.1f} s, peak "
          f"{solve['peak_gb'] or 0:.2f} GB, {row.get('status')} by {row.get('method')}; "
          f"load average {row['load_average_before'][0]:.2f} to "
          f"{row['load_average_after'][0]:.2f}; {'met' if met else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps(row, indent=1, default=float) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(_run_staged_solve(sys.argv[2:]))
    sys.exit(main())
