"""What-ifs per second through the planning table's HTTP API, against cold command runs.

    python benchmarks/serve.py [--n 10000] [--what-ifs 20] [--cold 3] [--workers 2]
                               [--json out.json]

For each plan, the bundled example (``examples/leningrad.yaml``) and a generated economy
of ``--n`` processes (`synthetic_plan(n, policies=20)`, written as CSV tables), a real
``kantorovich serve`` process is started on a free port and asked, over real sockets:

* **api, one client**: ``--what-ifs`` different ``POST /api/solve`` one after another
  (each answers the whole ``solve --json`` object, analyses included);
* **api, concurrent**: the same what-ifs from ``2 x --workers`` clients at once;
* **page**: ``POST /api/view``, what the page asks on each committed input (the answer
  plus the report's sections and charts), one after another;
* **cold**: ``kantorovich solve CHANGED --json`` in a fresh process on the plan file
  changed to say the same, for the first ``--cold`` what-ifs (load, compile, solve,
  analyses, JSON: what a user does today).

Every answer compared is checked: the server's objective equals the cold run's (to
1e-9). Timed with ``time.perf_counter``; the server's start (its base solve) is timed
apart. Prints one line per plan and mode; ``--json`` writes them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
LENINGRAD = ROOT / "examples" / "leningrad.yaml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def start(plan: Path, workers: int) -> tuple[subprocess.Popen[str], str, float]:
    """``kantorovich serve PLAN --port 0``: the process, its address, seconds to start."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kantorovich.cli", "serve", str(plan),
                             "--port", "0", "--workers", str(workers)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=ENV)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"http://[^\s/]+", line)
    if found is None:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, found.group(0), time.perf_counter() - started


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)
    code = proc.wait(60)
    if proc.stdout is not None:
        proc.stdout.close()
    return code


def cold(plan_file: Path) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    ran = subprocess.run([sys.executable, "-m", "kantorovich.cli", "solve", str(plan_file),
                          "--json"], capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - started
    if ran.returncode not in (0, 1):
        raise SystemExit(f"cold solve of {plan_file} failed: {ran.stderr}")
    return json.loads(ran.stdout), seconds


def measure(name: str, plan_file: Path, what_ifs: list[dict[str, Any]],
            changed_file: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    proc, url, start_s = start(plan_file, args.workers)
    try:
        with httpx.Client(timeout=600, limits=httpx.Limits(max_connections=64)) as client:
            client.post(f"{url}/api/solve", json={"changes": what_ifs[0]})   # warm up

            def ask(changes: dict[str, Any]) -> dict[str, Any]:
                answer = client.post(f"{url}/api/solve", json={"changes": changes})
                answer.raise_for_status()
                return answer.json()

            began = time.perf_counter()
            one = [ask(c) for c in what_ifs]
            one_s = time.perf_counter() - began
            began = time.perf_counter()
            with ThreadPoolExecutor(2 * args.workers) as pool:
                many = list(pool.map(ask, what_ifs))
            many_s = time.perf_counter() - began
            for a, b in zip(one, many):
                assert a["status"] == b["status"] and (a["objective"] == b["objective"] or
                        math.isclose(a["objective"], b["objective"], rel_tol=1e-9))
            views = what_ifs[:args.views]
            began = time.perf_counter()
            for changes in views:
                state = {key: value for kind, values in changes.items()
                         for key, value in _keys(kind, values)}
                client.post(f"{url}/api/view", json={"state": state}).raise_for_status()
            view_s = time.perf_counter() - began
    finally:
        code = stop(proc)
    if code != 130:
        raise SystemExit(f"the server ended with {code}, not 130")
    cold_s = []
    with tempfile.TemporaryDirectory() as folder:
        for i, changes in enumerate(what_ifs[:args.cold]):
            data, seconds = cold(changed_file(changes, Path(folder) / f"w{i}"))
            cold_s.append(seconds)
            got = one[i]
            assert data["status"] == got["status"], (data["status"], got["status"])
            assert math.isclose(data["objective"], got["objective"], rel_tol=1e-9), (
                data["objective"], got["objective"])
    n = len(what_ifs)
    per_cold = sum(cold_s) / len(cold_s)
    rows.append({"plan": name, "mode": "server start (base solve)", "seconds": start_s})
    rows.append({"plan": name, "mode": "api, one client", "what_ifs": n,
                 "per_second": n / one_s, "seconds_each": one_s / n,
                 "speedup": per_cold / (one_s / n)})
    rows.append({"plan": name, "mode": f"api, {2 * args.workers} clients, "
                                       f"{args.workers} workers", "what_ifs": n,
                 "per_second": n / many_s, "seconds_each": many_s / n,
                 "speedup": per_cold / (many_s / n)})
    rows.append({"plan": name, "mode": "page (/api/view)", "what_ifs": len(views),
                 "per_second": len(views) / view_s, "seconds_each": view_s / len(views),
                 "speedup": per_cold / (view_s / len(views))})
    rows.append({"plan": name, "mode": "cold kantorovich solve --json", "what_ifs": len(cold_s),
                 "per_second": 1 / per_cold, "seconds_each": per_cold, "speedup": 1.0})
    return rows


def _keys(kind: str, values: dict[str, float]) -> list[tuple[str, float]]:
    prefix = {"supply": "supply.{}", "capacity": "processes.{}.capacity",
              "rules": "policies.{}"}[kind]
    return [(prefix.format(k), v) for k, v in values.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--what-ifs", type=int, default=20)
    parser.add_argument("--views", type=int, default=10)
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import numpy as np

    import kantorovich as k
    from kantorovich.model.generate import synthetic_plan, write_plan_csv

    rows = []
    # the bundled example: the wheat supply and the District 3 rule, moved
    text = LENINGRAD.read_text()
    lening = [{"supply": {"wheat": float(w)}, "rules": {"district-3-bread": float(r)}}
              for w, r in zip(np.linspace(3_500, 4_500, args.what_ifs),
                              np.linspace(1.8e6, 2.2e6, args.what_ifs)[::-1])]

    def lening_file(changes: dict[str, Any], stem: Path) -> Path:
        out = stem.with_suffix(".yaml")
        out.write_text(text.replace("  wheat: 4000 ", f"  wheat: {changes['supply']['wheat']!r} ")
                       .replace(">= 2000000", f">= {changes['rules']['district-3-bread']!r}"))
        return out

    rows += measure("leningrad (7 processes)", LENINGRAD, lening, lening_file, args)
    # a generated economy of n processes: a primary good's supply, moved
    plan = synthetic_plan(args.n, policies=20, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        plan_file = write_plan_csv(plan, Path(folder) / "base")
        good = str(plan.goods.index[plan.goods["supply"].fillna(0).to_numpy() > 0][0])
        supply = float(plan.goods.at[good, "supply"])
        generated = [{"supply": {good: float(s)}}
                     for s in supply * np.linspace(0.9, 1.1, args.what_ifs)]

        def generated_file(changes: dict[str, Any], stem: Path) -> Path:
            return write_plan_csv(plan.with_changes(**changes), stem)

        rows += measure(f"generated ({len(plan.processes):,} processes, "
                        f"{len(plan.goods):,} goods)", plan_file, generated, generated_file,
                        args)
    del k
    for row in rows:
        if "per_second" in row:
            print(f"{row['plan']:<44} {row['mode']:<34} {row['per_second']:8.2f} what-ifs/s "
                  f"({row['seconds_each']:.3f} s each, {row['speedup']:.1f}x cold)")
        else:
            print(f"{row['plan']:<44} {row['mode']:<34} {row['seconds']:8.2f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
