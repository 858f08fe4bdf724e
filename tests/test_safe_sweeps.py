"""Issue 15, the sweep's and the laboratory's shared parts, tried as an adversary would.

* stores that heal: a truncated or foreign point file is computed again and counted, in a
  sweep and in a laboratory run alike (they share `kantorovich.sweep.store`);
* frontier file names unique and short for any rule ids, settled before any solve;
* schedulers: an HTTP port, a silent port, ``ucx://``, a scheduler without workers: each a
  clear exit 2 naming the address, in bounded time (real sockets, a real ``dask
  scheduler``);
* the one grid checker (NaN, infinities, overflow, negative supplies) and the size guard
  for samples, before any solve; a swept rule keeps its direction.

Commands run in-process through Typer's runner where only the exit code and output
matter, and as real interpreters where a hang or the memory used is the question.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import kantorovich as k
from kantorovich.cli import app

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "examples" / "leningrad.yaml"
SRC = str(ROOT / "src")


def run(*args: object) -> tuple[int, str, str]:
    """The real command, in-process: exit code, stdout, stderr; never a traceback."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    text = result.stdout + result.stderr
    assert "Traceback" not in text and "a bug in kantorovich" not in text, text
    return result.exit_code, result.stdout, result.stderr


def run_process(*args: object, timeout: float = 90.0, **env: str
                ) -> tuple[int, str, str, float]:
    """The real command in a fresh interpreter: exit code, stdout, stderr, seconds."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "kantorovich.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": SRC, **env})
    text = done.stdout + done.stderr
    assert "Traceback" not in text and "a bug in kantorovich" not in text, text
    return done.returncode, done.stdout, done.stderr, time.monotonic() - start


def point_files(out: Path) -> list[Path]:
    return sorted(p for p in (out / ".kantorovich-sweep").glob("*.json")
                  if p.name != "store.json")


# -- stores that heal ------------------------------------------------------------------
def _solved(point: Path) -> dict[str, object]:
    """A point file's record without its timings."""
    record = json.loads(point.read_text(encoding="utf-8"))["record"]
    return {k: v for k, v in record.items() if k != "seconds"}


def test_a_truncated_point_is_computed_again_and_counted(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "wheat"
    args = (PLAN, "--vary", "supply.wheat=3000:4000:3", "-o", out, "--json", "--workers", 1)
    code, stdout, _ = run("sweep", *args)
    assert code == 0 and json.loads(stdout)["computed"] == 3
    files = point_files(out)
    whole = {p: p.read_text(encoding="utf-8") for p in files}
    files[0].write_text(whole[files[0]][:20], encoding="utf-8")        # cut short
    files[1].write_text('{"key": "not this one", "record": {}}\n', encoding="utf-8")
    code, stdout, stderr = run("sweep", *args)
    data = json.loads(stdout)
    assert code == 0
    assert (data["computed"], data["reused"], data["failed"]) == (2, 1, 0)
    assert data["statuses"] == {"optimal": 3}
    said = [r.getMessage() for r in caplog.records if "computed again" in r.getMessage()]
    assert len(said) == 2 and {files[0].stem, files[1].stem} == {m.split()[2] for m in said}
    caplog.clear()
    points = pd.read_parquet(out / "points.parquet")
    assert list(points["status"]) == ["optimal"] * 3
    assert list(points["objective"].round()) == [5469000, 6069833, 6670667]
    for path in files[:2]:                              # whole again, the same answers
        record = json.loads(whole[path])["record"]
        assert _solved(path) == {k: v for k, v in record.items() if k != "seconds"}
    code, stdout, stderr = run("sweep", *args)          # and nothing to heal the next time
    assert (json.loads(stdout)["computed"], json.loads(stdout)["reused"]) == (0, 3)
    assert "computed again" not in caplog.text


def test_a_truncated_lab_cell_is_computed_again(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    experiment = tmp_path / "tiny.yaml"
    experiment.write_text(f"name: tiny\nworld: {PLAN}\nregimes: {{central: {{}}}}\n"
                          "periods: 2\nseeds: [1]\n", encoding="utf-8")
    out = tmp_path / "lab"
    args = ("lab", "run", experiment, "--workers", 1, "-o", out, "--json", "-q")
    code, first, _ = run(*args)
    assert code == 0
    (cell,) = point_files(out)
    text = cell.read_text(encoding="utf-8")
    measures = (out / "measures.parquet").read_bytes()
    cell.write_text(text[: len(text) // 2], encoding="utf-8")
    code, again, stderr = run(*args)
    assert code == 0, stderr
    assert f"sweep point {cell.stem} cannot be read" in caplog.text
    assert "it will be computed again" in caplog.text
    assert json.loads(again) == json.loads(first)
    assert json.loads(cell.read_text(encoding="utf-8")) == json.loads(text)
    assert (out / "measures.parquet").read_bytes() == measures


# -- frontier file names ---------------------------------------------------------------
def test_frontier_names_are_unique_short_and_plain_for_any_ids() -> None:
    from kantorovich.sweep.charts import frontier_file_name, frontier_file_names

    ids = ["district-3-bread", "a/b", "a_b", "A_b", "a b", "квота", "норма", "..", ".x",
           "x" * 300, "y" * 300, "con", "a\\b", "a:b", "a*b", "\u00e9t\u00e9", "e\u0301"]
    names = frontier_file_names(ids)
    assert len({n.casefold() for n in names.values()}) == len(ids)
    for name in names.values():
        assert re.fullmatch(r"frontier\.[a-z0-9_][a-z0-9_.~-]*\.html", name), name
        assert len(name) <= 80 and ".." not in name.removesuffix(".html")
    assert names["district-3-bread"] == "frontier.district-3-bread.html"
    assert frontier_file_name("a/b") == names["a/b"]       # the same in every run


def _plan_with_rules(folder: Path, rules: dict[str, str]) -> Path:
    """The Leningrad plan with its policies replaced by ``rules`` (id: rule)."""
    text = PLAN.read_text(encoding="utf-8")
    head, _, tail = text.partition("policies:\n")
    tail = tail[tail.index("\nbaseline:"):]
    body = "".join(f"  {json.dumps(pid, ensure_ascii=False)}:\n    name: rule {n}\n"
                   f"    rule: {rule}\n" for n, (pid, rule) in enumerate(rules.items()))
    path = folder / "plan.yaml"
    path.write_text(head + "policies:\n" + body + tail, encoding="utf-8")
    return path


def test_rules_whose_ids_would_share_a_file_each_get_their_frontier(tmp_path: Path) -> None:
    rules = {"a/b": "input(wheat, mill-3) >= 1000", "a_b": "input(wheat, mill-5) >= 1000",
             "квота": "level(bolts-47) >= 100", "норма": "level(bolts-92) >= 100",
             "q" * 300: "level(baking-5) >= 1"}
    plan = _plan_with_rules(tmp_path, rules)
    out = tmp_path / "out"
    varies = [a for pid in rules for a in ("--vary", f"policies.{pid}=10:20:2")]
    code, stdout, stderr = run("sweep", plan, *varies, "-o", out, "--json", "--workers", 1)
    assert code == 0, stderr
    data = json.loads(stdout)
    assert data["points"] == 32 and data["statuses"] == {"optimal": 32}
    pages = sorted(p.name for p in out.glob("frontier.*.html"))
    assert len(pages) == 5 and all(len(p) <= 80 for p in pages)
    assert set(pages) <= set(data["files"])
    for n, pid in enumerate(rules):            # each page draws its own rule
        from kantorovich.sweep.charts import frontier_file_name

        page = (out / frontier_file_name(pid)).read_text(encoding="utf-8")
        assert f"rule {n}" in page


def test_colliding_frontier_names_are_refused_before_any_solve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rules whose names would share a file: the sweep says so and has written
    nothing (the real guard, made to fire by taking the hash away: Cyrillic ids then all
    have the stem ``rule``)."""
    from kantorovich.sweep import charts
    from kantorovich.sweep.grid import SweepError
    from kantorovich.sweep.plan_sweep import sweep_plan

    monkeypatch.setattr(charts, "_HASH_CHARS", 0)
    rules = {"квота": "level(bolts-47) >= 1", "норма": "level(bolts-92) >= 1"}
    plan = k.load_plan(_plan_with_rules(tmp_path, rules))
    out = tmp_path / "out"
    with pytest.raises(SweepError, match="'квота' and 'норма' would both be written to"):
        sweep_plan(plan, [f"policies.{pid}=1:2:2" for pid in rules], out, workers=1)
    assert not out.exists()


# -- schedulers --------------------------------------------------------------------------
@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def http_port() -> Iterator[int]:
    """A tiny HTTP server (the standard library's), as a dashboard's port would be."""
    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def answering_port() -> Iterator[int]:
    """A peer that answers anything at once with an HTTP error, then hangs up (what
    made Dask's reader allocate 3.07 EiB)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn = server.accept()[0]
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    server.close()


SWEEP = ("sweep", PLAN, "--vary", "supply.wheat=3000:4000:2", "-q")


@pytest.mark.process
@pytest.mark.parametrize("peer", ["silent_port", "http_port", "answering_port"])
def test_a_scheduler_port_that_is_not_one_is_bad_input_in_bounded_time(
        peer: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    port = request.getfixturevalue(peer)
    address = f"tcp://127.0.0.1:{port}"
    code, stdout, stderr, seconds = run_process(
        *SWEEP, "-o", tmp_path / "out", "--scheduler", address, timeout=60,
        KANTOROVICH_SCHEDULER_TIMEOUT="3")
    assert code == 2 and stdout == ""
    assert address in stderr and stderr.startswith("error: --scheduler")
    assert "Dask scheduler" in stderr or "Dask's protocol" in stderr
    assert seconds < 3 + 15, seconds       # the 3 s asked for, and the interpreter's start


@pytest.mark.process
def test_the_lab_gives_up_on_a_silent_scheduler_too(silent_port: int, tmp_path: Path
                                                    ) -> None:
    experiment = tmp_path / "tiny.yaml"
    experiment.write_text(f"world: {PLAN}\nregimes: {{central: {{}}}}\nperiods: 2\n"
                          "seeds: [1]\n", encoding="utf-8")
    address = f"tcp://127.0.0.1:{silent_port}"
    code, stdout, stderr, seconds = run_process(
        "lab", "run", experiment, "--scheduler", address, "-q", timeout=60,
        KANTOROVICH_SCHEDULER_TIMEOUT="3")
    assert code == 2 and stdout == "" and address in stderr
    assert "within 3 s" in stderr and seconds < 18


@pytest.mark.parametrize(("address", "message"), [
    ("ucx://127.0.0.1:8786", "over tcp:// only, not ucx://"),
    ("inproc://x", "over tcp:// only"),
    ("tcp://127.0.0.1", "is not an address HOST:PORT"),
    ("tcp://127.0.0.1:99999", "is not an address HOST:PORT"),
    ("127.0.0.1:port", "is not an address HOST:PORT"),
])
def test_scheduler_addresses_kantorovich_cannot_use_are_bad_input(
        address: str, message: str, tmp_path: Path) -> None:
    start = time.monotonic()
    code, stdout, stderr = run(*SWEEP, "-o", tmp_path / "out", "--scheduler", address)
    assert code == 2 and stdout == "" and message in stderr
    assert "tcp://HOST:PORT" in stderr and time.monotonic() - start < 10
    assert not (tmp_path / "out").exists()


@pytest.fixture
def scheduler_without_workers(tmp_path: Path) -> Iterator[str]:
    """A real ``dask scheduler`` process with no worker; yields its address."""
    info = tmp_path / "scheduler.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        deadline = time.monotonic() + 60
        while not (info.exists() and "address" in info.read_text()):
            assert time.monotonic() < deadline, "the scheduler did not start"
            assert proc.poll() is None, "the scheduler died"
            time.sleep(0.1)
        yield json.loads(info.read_text())["address"]
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.process
def test_a_scheduler_without_workers_says_so_and_gives_up(
        scheduler_without_workers: str, tmp_path: Path) -> None:
    address = scheduler_without_workers
    code, stdout, stderr, seconds = run_process(
        *SWEEP, "-o", tmp_path / "out", "--scheduler", address, timeout=60,
        KANTOROVICH_WORKERS_TIMEOUT="2")
    assert code == 2 and stdout == ""
    assert f"the Dask scheduler at {address} has no workers: waiting up to 2 s" in stderr
    assert f"no worker joined the Dask scheduler at {address} within 2 s" in stderr
    assert seconds < 25


@pytest.mark.process
def test_a_worker_that_joins_while_the_sweep_waits_runs_it(
        scheduler_without_workers: str, tmp_path: Path) -> None:
    address = scheduler_without_workers
    out = tmp_path / "out"
    sweep = subprocess.Popen(
        [sys.executable, "-m", "kantorovich.cli", *map(str, SWEEP), "-o", str(out),
         "--scheduler", address, "--json"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": SRC, "KANTOROVICH_WORKERS_TIMEOUT": "90"})
    worker = None
    try:
        said = sweep.stderr.readline()               # blocks until the wait is said
        assert "has no workers: waiting up to 90 s" in said, said
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
             "--nthreads", "1", "--no-dashboard"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": SRC,
                                            "PYTHONWARNINGS": "ignore"})
        stdout, stderr = sweep.communicate(timeout=120)
    finally:
        for proc in (sweep, worker):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(15)
    assert sweep.returncode == 0, stderr
    data = json.loads(stdout)
    assert (data["computed"], data["workers"], data["statuses"]) == (2, 1, {"optimal": 2})


# -- numbers: the grid checker, the size guard, a rule's direction ------------------------
@pytest.mark.parametrize(("vary", "message"), [
    ("supply.wheat=-1e308:1e308:3", "beyond the numbers a plan can hold"),
    ("supply.wheat=1e308:1.7e308:3", "beyond the numbers a plan can hold"),
    ("supply.wheat=1:1e16:2", "beyond the numbers a plan can hold"),
    ("supply.wheat=nan:1:2", "finite"),
    ("supply.wheat=1:-inf:2", "finite"),
    ("supply.wheat=1e999:1:2", "finite"),
    ("supply.wheat=-5:10:4", "a supply cannot be negative"),
    ("processes.mill-3-milling.capacity=-1:5:2", "min_level 0 is above capacity"),
    ("demand.bolts=1e15:2e15:2", "beyond the numbers a plan can hold"),
    ("objective.bread=1e300:1e301:2", "beyond the numbers a plan can hold"),
    ("policies.district-3-bread=-1e20:0:2", "beyond the numbers a plan can hold"),
])
def test_bad_grids_are_refused_before_any_solve(vary: str, message: str,
                                                tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run("sweep", PLAN, "--vary", vary, "-o", out, "--workers", 1)
    assert code == 2 and stdout == "" and message in stderr, stderr
    assert not out.exists()                       # nothing written, nothing solved


@pytest.mark.parametrize(("args", "message"), [
    (["--sample", 10, "--reliability", "mill-5=0.9", "--seed", -1], "--seed -1"),
    (["--sample", 100_000_000, "--reliability", "mill-5=0.9"], "needs at least"),
    (["--sample", 5_000_000, "--yield", "mill-5-milling.flour-d5=0.7:0.72"],
     "needs at least"),
])
def test_bad_samples_are_refused_at_once(args: list[object], message: str,
                                         tmp_path: Path) -> None:
    out = tmp_path / "out"
    start = time.monotonic()
    code, stdout, stderr = run("sweep", PLAN, *args, "-o", out, "--workers", 1)
    assert code == 2 and stdout == "" and message in stderr, stderr
    assert time.monotonic() - start < 10 and not out.exists()


@pytest.mark.process
def test_a_sample_bomb_never_allocates(tmp_path: Path) -> None:
    code, _, stderr, seconds = run_process(
        "sweep", PLAN, "--sample", 100_000_000, "--reliability", "mill-5=0.9",
        "-o", tmp_path / "out", timeout=60)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert code == 2 and "--sample 100,000,000 needs at least" in stderr
    assert seconds < 20 and peak < 1.5e9, (seconds, peak)


def test_a_swept_rule_keeps_the_direction_it_was_written_in(tmp_path: Path) -> None:
    """``1500 <= input(wheat, mill-3)`` swept to 2500 asks more of Mill No. 3 than its
    2,000 t capacity (infeasible), as ``input(wheat, mill-3) >= 2500`` does; each level's
    objective is the plan written with that bound, solved alone."""
    rule = "input(wheat, mill-3)"
    written = _plan_with_rules(tmp_path, {"quota": f"1500 <= {rule}"})
    out = tmp_path / "out"
    code, stdout, stderr = run("sweep", written, "--vary", "policies.quota=1000:2500:4",
                               "-o", out, "--json", "--workers", 1)
    assert code == 0, stderr
    points = pd.read_parquet(out / "points.parquet")
    assert list(points["policies.quota"]) == [1000.0, 1500.0, 2000.0, 2500.0]
    assert list(points["status"]) == ["optimal"] * 3 + ["infeasible"]
    for level, status, objective in zip(points["policies.quota"], points["status"],
                                        points["objective"]):
        folder = tmp_path / f"level-{level:g}"
        folder.mkdir()
        alone = k.solve(k.load_plan(_plan_with_rules(folder, {"quota": f"{level:g} <= {rule}"})))
        assert alone.status.value == status
        if status == "optimal":
            assert objective == pytest.approx(alone.objective, rel=1e-9)
    assert points["objective"].iloc[2] < points["objective"].iloc[0]   # it binds at 2000
    page = (out / "frontier.quota.html").read_text(encoding="utf-8")
    assert "policies.quota: the rule's level" in page
    # the level 1500 is the plan's own bound as written: the base point, found again
    again = run("sweep", written, "--vary", "policies.quota=1500:1500:1", "-o",
                tmp_path / "base", "--json", "--workers", 1)
    assert json.loads(again[1])["statuses"] == {"optimal": 1}
    base = k.solve(k.load_plan(written))
    assert pd.read_parquet(tmp_path / "base" / "points.parquet")["objective"].iloc[0] == \
        pytest.approx(base.objective, rel=1e-12)
