"""Loading a large plan from Parquet tables against the same plan from CSV tables.

Writes one synthetic plan (`kantorovich.model.generate.synthetic_plan`) twice, as a YAML
file naming CSV tables (`write_plan_csv`) and as one naming the same tables in Parquet,
then loads each with `kantorovich.load_plan` in a fresh interpreter and reports the
wall-clock time of the load and the peak resident memory of that interpreter (and, apart,
of one that only imports the package)::

    .venv/bin/python benchmarks/parquet_load.py                  # 10^6 processes
    .venv/bin/python benchmarks/parquet_load.py -n 100000 --repeat 3

The Parquet tables are the CSV tables converted column by column with pyarrow (ids as
text, amounts as float64), so both plans are the same plan.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq
import yaml

_TEXT = ("id", "process", "good", "unit", "name", "region", "level_unit")

# The peak is the interpreter's own (VmHWM, reset by exec), not getrusage's ru_maxrss,
# which Linux carries over from the parent that wrote the plans.
_CHILD = """
import json, re, sys, time
import kantorovich
t = time.perf_counter()
plan = kantorovich.load_plan(sys.argv[1]) if len(sys.argv) > 1 else None
seconds = time.perf_counter() - t
with open("/proc/self/status") as status:
    peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1)) / 1024
print(json.dumps({"seconds": seconds if plan is not None else 0.0, "peak_mb": peak,
                  "flows": 0 if plan is None else len(plan.flows)}))
"""


def write_plans(n: int, folder: Path) -> tuple[Path, Path]:
    """The synthetic plan of ``n`` processes as CSV (``folder/csv``) and Parquet
    (``folder/parquet``) tables; the two plan files."""
    from kantorovich.model.generate import synthetic_plan, write_plan_csv

    csv_plan = write_plan_csv(synthetic_plan(n), folder / "csv")
    target = folder / "parquet"
    target.mkdir()
    document = yaml.safe_load(csv_plan.read_text())
    for key, name in list(document.items()):
        if isinstance(name, str) and name.endswith(".csv"):
            header = (csv_plan.parent / name).open().readline().strip().split(",")
            types = {c: pa.string() for c in header if c in _TEXT}
            table = pv.read_csv(csv_plan.parent / name,
                                convert_options=pv.ConvertOptions(column_types=types))
            pq.write_table(table, target / name.replace(".csv", ".parquet"))
            document[key] = name.replace(".csv", ".parquet")
    parquet_plan = target / "plan.yaml"
    parquet_plan.write_text(yaml.safe_dump(document, sort_keys=False))
    return csv_plan, parquet_plan


def measure(plan: Path | None) -> dict[str, float]:
    """Load ``plan`` (or only import, for None) in a fresh interpreter."""
    args = [sys.executable, "-c", _CHILD] + ([str(plan)] if plan is not None else [])
    ran = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(ran.stdout)


def main() -> None:
    """Write the two plans, load each ``--repeat`` times, print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="processes")
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        csv_plan, parquet_plan = write_plans(options.n, Path(tmp))
        written = time.perf_counter() - t
        sizes = {fmt: sum(f.stat().st_size for f in plan.parent.iterdir()) / 2**20
                 for fmt, plan in (("csv", csv_plan), ("parquet", parquet_plan))}
        runs = {fmt: [measure(plan) for _ in range(options.repeat)]
                for fmt, plan in (("csv", csv_plan), ("parquet", parquet_plan))}
        baseline = measure(None)
    report = {"processes": options.n, "flows": runs["csv"][0]["flows"],
              "write_seconds": round(written, 1), "import_peak_mb": round(baseline["peak_mb"])}
    for fmt, found in runs.items():
        report[fmt] = {"load_seconds": round(min(r["seconds"] for r in found), 2),
                       "peak_mb": round(max(r["peak_mb"] for r in found)),
                       "files_mb": round(sizes[fmt], 1)}
    report["speedup"] = round(report["csv"]["load_seconds"]
                              / report["parquet"]["load_seconds"], 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
