"""A generic runner: a pure function mapped over keyed points on Dask, streamed to a store.

The runner knows nothing of plans. It takes a picklable function, a list of points
(mappings of JSON values: the function's keyword arguments), an optional *context* (one
object every call receives first: a plan, an experiment) and a `PointStore`, and makes sure
that every point's record is on disk:

    record = function(context, **point)      # a mapping of JSON values

* **Keys.** Each point's key is `point_key(point, salt)`; ``salt`` names what the points
  are points *of* (a fingerprint of the plan, say), so a store shared by two sweeps never
  mixes them. Points already in the store are not computed again (`RunSummary.reused`),
  which is how a rerun into the same directory finishes only what is missing, and how a
  widened grid reuses the points it shares with the old one. A stored file that does not
  read back whole (`PointStore.whole`) is not a point: it is computed again, counted in
  `RunSummary.computed`, and its new file replaces the bad one.
* **Streaming.** Results are written by this process, one atomic file per point, as each
  task finishes (`distributed.as_completed`), not at the end; workers need not share a
  file system with it, so a cluster elsewhere works as well as a local one.
* **Failures.** A worker that dies takes its running task with it; Dask's scheduler runs
  the task again on another worker, and since a point's file is named by its key, a
  result that arrives twice replaces itself: nothing finished is lost and nothing is
  counted twice. A whole run killed loses at most the tasks that had not been written;
  the next run computes those. A call that raises is reported in `RunSummary.failed`
  (key and message) and not stored, so a later run tries it again.
* **Where.** A `distributed.LocalCluster` of ``workers`` processes (one thread each:
  solver sessions are not shared between threads) by default; an existing scheduler with
  ``scheduler="tcp://HOST:PORT"``; or a ``client`` the caller already holds. Nothing is
  started when every point is already done. A scheduler given by address is asked who it
  is before anything is sent (`CONNECT_SECONDS`, 30 s, for the connection and its answer;
  ``KANTOROVICH_SCHEDULER_TIMEOUT`` overrides): nothing there, a silent port, a peer that
  speaks another protocol (HTTP) or a Dask worker is a `SweepError` naming the address
  (exit code 2). A scheduler without workers is said on stderr (a warning) while the run
  waits for one, at most `WORKERS_SECONDS` (120 s; ``KANTOROVICH_WORKERS_TIMEOUT``).

The laboratory's grids of regimes x seeds use it as the sweeps do:

>>> import tempfile
>>> from kantorovich.sweep.store import open_store
>>> from kantorovich.sweep.runner import run_points
>>> with tempfile.TemporaryDirectory() as tmp:
...     store = open_store(f"{tmp}/out", manifest={"what": "doctest"})
...     points = [{"seed": s} for s in range(3)]
...     first = run_points(_square_plus, points, store, context=10, salt="doc",
...                        local=False)
...     again = run_points(_square_plus, points + [{"seed": 3}], store, context=10,
...                        salt="doc", local=False)
...     values = sorted(r["value"] for r in again.records().values())
>>> (first.computed, first.reused), (again.computed, again.reused)
((3, 0), (1, 3))
>>> values
[10, 11, 14, 19]

(``local=False`` runs the points in this process, without Dask: for doctests and for a
plain loop to compare against.)
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kantorovich.sweep.store import PointStore, point_key

__all__ = ["Cluster", "RunSummary", "run_points", "scheduler_address"]

log = logging.getLogger(__name__)

#: at most this many tasks per worker thread are in flight at once: enough to keep every
#: worker busy, few enough that a grid of millions is not all held in the scheduler
_WINDOW_PER_THREAD = 8
#: seconds to reach a scheduler given by address and hear it answer as one (a silent or
#: foreign peer is given up after that); the environment variable overrides it
CONNECT_SECONDS, CONNECT_ENV = 30.0, "KANTOROVICH_SCHEDULER_TIMEOUT"
#: seconds to wait for a first worker at a scheduler that has none, said on stderr
WORKERS_SECONDS, WORKERS_ENV = 120.0, "KANTOROVICH_WORKERS_TIMEOUT"


@dataclass
class RunSummary:
    """What one run did: the points asked for, how many it computed and found done."""

    points: int
    computed: int
    reused: int
    keys: list[str]                 # one per distinct point, in the order given
    store: PointStore
    params: dict[str, Mapping[str, Any]] = field(default_factory=dict)   # by key
    failed: list[tuple[str, str]] = field(default_factory=list)   # (key, message)
    seconds: float = 0.0
    workers: int = 0

    def records(self) -> dict[str, dict[str, Any]]:
        """Every finished point's record, by key, in the order the points were given."""
        stored = self.store.load(self.keys)
        return {key: stored[key]["record"] for key in self.keys if key in stored}

    def to_dict(self) -> dict[str, Any]:
        return {"points": self.points, "computed": self.computed, "reused": self.reused,
                "failed": len(self.failed), "seconds": round(self.seconds, 3),
                "workers": self.workers}


def _call(function: Callable[..., Mapping[str, Any]], context: Any,
          point: Mapping[str, Any]) -> dict[str, Any]:
    """One task: the function's record, or the error as text (a failure travels as data,
    so that one bad point does not stop the others)."""
    try:
        return {"ok": True, "record": dict(function(context, **point))}
    except Exception as exc:  # noqa: BLE001 - reported per point, never swallowed
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(limit=6)}


def _context(value: Any) -> Any:
    """The context as a task of its own: its value lives in the task graph, so when the
    worker holding it dies the scheduler simply makes it again."""
    return value


def run_points(function: Callable[..., Mapping[str, Any]],
               points: Sequence[Mapping[str, Any]], store: PointStore, *,
               context: Any = None, salt: str = "", workers: int | None = None,
               scheduler: str | None = None, client: Any = None, local: bool = True,
               progress: Callable[[int, int], None] | None = None,
               name: str = "point",
               identity: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
               ) -> RunSummary:
    """Compute every point of ``points`` not yet in ``store``, on Dask; see the module.

    Parameters
    ----------
    function : callable
        ``function(context, **point) -> mapping``; picklable (a module-level function),
        pure (the same point gives the same record), its record JSON values.
    points : sequence of mappings
        Each a point's parameters, JSON values; the same point twice is computed once.
    store : PointStore
        Where finished points are and go.
    context : object, optional
        Passed first to every call; sent to the workers once, not with every task.
    salt : str
        Part of every key: what the points are points of.
    workers : int, optional
        Processes of the local cluster (default 1); ignored with ``scheduler`` or
        ``client``.
    scheduler : str, optional
        Address of a running Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"``.
    client : distributed.Client or Cluster, optional
        A client already connected, or a `Cluster` (started here if need be); the
        caller closes it.
    local : bool, default True
        False: run the missing points here, one after another, without Dask.
    progress : callable, optional
        ``progress(done, total)`` after each point is stored (and once at the start).
    name : str
        Prefix of the Dask task keys (shown on Dask's dashboard).
    identity : callable, optional
        What makes two points the same, for their keys: ``identity(point)`` is hashed
        instead of the point (a sweep drops values equal to the plan's own, so that
        ``{supply.wheat: 4000}`` of a plan whose supply is 4000 is the base point).

    Returns
    -------
    RunSummary
        Counts, keys in the order of ``points``, and the failures.
    """
    start = time.perf_counter()
    keys = [point_key(point if identity is None else identity(point), salt)
            for point in points]
    unique = dict(zip(keys, points))
    done = store.whole(unique)      # a file that does not read back is computed again
    todo = [key for key in unique if key not in done]
    total = len(unique)
    summary = RunSummary(points=total, computed=0, reused=len(done), keys=list(unique),
                         store=store, params=unique)
    if progress is not None:
        progress(len(done), total)
    if not todo:
        summary.seconds = time.perf_counter() - start
        return summary

    def finished(key: str, outcome: Mapping[str, Any]) -> None:
        if outcome["ok"]:
            store.put(key, unique[key], outcome["record"])
            summary.computed += 1
        else:
            log.warning("point %s failed: %s\n%s", key, outcome["error"],
                        outcome.get("trace", ""))
            summary.failed.append((key, outcome["error"]))
        if progress is not None:
            progress(summary.reused + summary.computed + len(summary.failed), total)

    if not local:
        for key in todo:
            finished(key, _call(function, context, unique[key]))
    else:
        with _client(workers, scheduler, client) as dask_client:
            summary.workers = len(dask_client.nthreads())
            _on_dask(dask_client, function, context, unique, todo, salt, name, finished)
    summary.seconds = time.perf_counter() - start
    return summary


def _on_dask(client: Any, function: Callable[..., Mapping[str, Any]], context: Any,
             unique: Mapping[str, Mapping[str, Any]], todo: list[str], salt: str,
             name: str, finished: Callable[[str, Mapping[str, Any]], None]) -> None:
    """Submit the missing points through a window of futures; store each as it ends."""
    from distributed import as_completed

    threads = sum(client.nthreads().values()) or 1
    window = max(4, _WINDOW_PER_THREAD * threads)
    ctx = client.submit(_context, context, key=f"{name}-context-{point_key({}, salt)}",
                        pure=False)
    pending = iter(todo)

    def submit(key: str) -> Any:
        return client.submit(_call, function, ctx, unique[key], key=f"{name}-{key}",
                             pure=False, retries=1)

    running = as_completed([submit(key) for key in itertools.islice(pending, window)])
    for future in running:
        key = future.key.removeprefix(f"{name}-")
        if future.status == "finished":
            outcome = future.result()
        else:   # lost more often than the scheduler allows (KilledWorker), or cancelled
            outcome = {"ok": False, "error": _task_error(future)}
        future.release()
        finished(key, outcome)
        following = next(pending, None)
        if following is not None:
            running.add(submit(following))
    ctx.release()


def _task_error(future: Any) -> str:
    try:
        error = future.exception()
    except Exception as exc:  # noqa: BLE001 - cancelled futures raise here
        error = exc
    return f"{type(error).__name__}: {error}"


class Cluster:
    """Where points run, started on first use and closed with the ``with`` block: several
    `run_points` calls (a grid, then samples) share one cluster, and a run that finds
    everything done starts none.

    >>> with Cluster(workers=2) as cluster:
    ...     cluster.started
    False
    """

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None) -> None:
        self.workers, self.scheduler = workers, scheduler
        self._stack: Any = None
        self._client: Any = None

    @property
    def started(self) -> bool:
        return self._client is not None

    @property
    def client(self) -> Any:
        """The `distributed.Client`, connected (or its local cluster started) now."""
        if self._client is None:
            from contextlib import ExitStack

            self._stack = ExitStack()
            self._client = self._stack.enter_context(_client(self.workers, self.scheduler,
                                                             None))
        return self._client

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stack is not None:
            self._stack.close()
        self._stack = self._client = None


@contextmanager
def _client(workers: int | None, scheduler: str | None, client: Any) -> Iterator[Any]:
    """The Dask client to use: the caller's, one to ``scheduler``, or a local cluster's."""
    if isinstance(client, Cluster):
        yield client.client
        return
    if client is not None:
        yield client
        return
    from distributed import Client

    if scheduler is not None:
        with _scheduler_client(scheduler) as connected:
            yield connected
        return
    from distributed import LocalCluster

    # the cluster's own logs stay quiet up to errors: a run's failures come back as
    # `RunSummary.failed`, and at shutdown on a loaded machine a worker's last heartbeat
    # can find the scheduler gone and log a CommClosedError traceback at ERROR
    with _environment_kept(), \
            LocalCluster(n_workers=max(1, workers or 1), threads_per_worker=1,
                         processes=True, dashboard_address=":0",
                         silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster) as local:
        yield local


@contextmanager
def _environment_kept() -> Iterator[None]:
    """This process's environment as it was, once a local cluster is closed.

    Dask's nanny writes its workers' variables (``OMP_NUM_THREADS=1``,
    ``MKL_NUM_THREADS=1``, ...: `distributed.nanny.pre-spawn-environ`) into the process
    that starts the cluster, and leaves them there: every solve after a sweep would then
    factorise on one thread (Clarabel by faer, not PARDISO; `lp.clarabel`)."""
    before = dict(os.environ)
    try:
        yield
    finally:
        for name in set(os.environ) - set(before):
            del os.environ[name]
        for name, value in before.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


def _seconds(variable: str, default: float) -> float:
    """A time limit from the environment (seconds), else ``default``."""
    from kantorovich.sweep.grid import SweepError

    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e6:
        raise SweepError(f"{variable}={text!r} is not a number of seconds",
                         hint=f"give a positive number, e.g. {variable}={default:g}")
    return value


def scheduler_address(given: str) -> str:
    """``tcp://HOST:PORT`` from ``--scheduler`` (``HOST:PORT`` means tcp); any other
    protocol, or no port, is bad input.

    >>> scheduler_address("10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    """
    from kantorovich.sweep.grid import SweepError

    text = given.strip()
    scheme, sep, place = text.partition("://")
    if not sep:
        scheme, place = "tcp", text
    hint = "give the scheduler's address as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
    if scheme.lower() != "tcp":
        raise SweepError(f"--scheduler '{given}': kantorovich reaches a Dask scheduler over "
                         f"tcp:// only, not {scheme}://", hint=hint)
    host, colon, port = place.rpartition(":")
    if (not colon or not host.strip("[]") or not port.isascii() or not port.isdigit()
            or not 0 < int(port) < 65536 or any(c.isspace() or c in "/?#@" for c in host)):
        raise SweepError(f"--scheduler '{given}' is not an address HOST:PORT", hint=hint)
    return f"tcp://{host}:{int(port)}"


def _identity(address: str, seconds: float) -> dict[str, Any]:
    """What the peer at ``address`` says it is (Dask's ``identity`` call), all within
    ``seconds``: the connection, Dask's handshake and the answer. Runs on a thread of its
    own with its own event loop, so a peer that never answers is simply left behind."""
    import asyncio

    from distributed.comm import connect

    async def ask() -> Any:
        comm = await connect(address, timeout=seconds)
        try:
            await comm.write({"op": "identity", "n_workers": 0, "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    async def bounded() -> Any:
        return await asyncio.wait_for(ask(), seconds)

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["reply"] = asyncio.run(bounded())
        except BaseException as exc:  # noqa: BLE001 - judged by the caller, below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="kantorovich-scheduler-probe")
    thread.start()
    thread.join(seconds + 5.0)
    if thread.is_alive():
        outcome["error"] = TimeoutError()
    return outcome


def _check_scheduler(address: str, given: str, seconds: float) -> dict[str, Any]:
    """The scheduler's identity, or a `SweepError` naming the address: nothing there, a
    peer that stays silent, one that speaks another protocol (HTTP, say), or a Dask
    part that is not a scheduler (a worker)."""
    from kantorovich.sweep.grid import SweepError

    hint = ("start one (dask scheduler; dask worker ADDRESS) and give its address, "
            "e.g. tcp://10.0.0.5:8786")
    outcome = _identity(address, seconds)
    error = outcome.get("error")
    if isinstance(error, TimeoutError):
        raise SweepError(f"--scheduler '{given}': nothing at {address} answered as a Dask "
                         f"scheduler within {seconds:g} s (a silent port, or a firewall "
                         "in the way)", hint=hint)
    if isinstance(error, OSError):
        raise SweepError(f"--scheduler '{given}': cannot reach the Dask scheduler at "
                         f"{address}: {error}", hint=hint)
    if isinstance(error, KeyboardInterrupt):
        raise error
    reply = outcome.get("reply")
    if error is not None or not isinstance(reply, dict):
        raise SweepError(f"--scheduler '{given}': the peer at {address} does not speak "
                         "Dask's protocol (its answer is not one)",
                         hint="give the address of a Dask scheduler: its tcp:// port "
                              "(8786 by default), not its dashboard's http:// one")
    kind = str(reply.get("type", "?"))
    if "Scheduler" not in kind or not isinstance(reply.get("n_workers"), int):
        raise SweepError(f"--scheduler '{given}': the Dask part at {address} is a {kind}, "
                         "not a scheduler", hint="give the scheduler's address: the one "
                                                 "its workers were started with")
    return reply


@contextmanager
def _scheduler_client(given: str) -> Iterator[Any]:
    """A client of the scheduler at ``given``, checked (see `_check_scheduler`) and with
    a worker: a scheduler without one is said on stderr while waiting, and given up
    after `WORKERS_SECONDS`."""
    from distributed import Client

    from kantorovich.sweep.grid import SweepError

    address = scheduler_address(given)
    seconds = _seconds(CONNECT_ENV, CONNECT_SECONDS)
    patience = _seconds(WORKERS_ENV, WORKERS_SECONDS)
    start = time.monotonic()
    identity = _check_scheduler(address, given, seconds)
    left = max(1.0, seconds - (time.monotonic() - start))
    try:
        connected = Client(address, timeout=left)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SweepError(f"--scheduler '{given}': cannot connect to the Dask scheduler at "
                         f"{address}: {exc}", hint="check that it is still running") from None
    with connected:
        if identity["n_workers"] == 0 and not connected.nthreads():
            log.warning("the Dask scheduler at %s has no workers: waiting up to %g s for "
                        "one (start one with: dask worker %s)", address, patience, address)
            try:
                connected.wait_for_workers(1, timeout=patience)
            except TimeoutError:
                raise SweepError(f"--scheduler '{given}': no worker joined the Dask "
                                 f"scheduler at {address} within {patience:g} s",
                                 hint=f"start workers (dask worker {address}), or run "
                                      "without --scheduler on a local cluster") from None
        yield connected


def _square_plus(context: int, seed: int, pause: float = 0.0) -> dict[str, int]:
    """The doctest's function: pure and picklable, as every runner function must be
    (``pause`` seconds of sleep let the tests kill a worker or a run mid-way)."""
    if pause:
        time.sleep(pause)
    return {"value": context + seed * seed}
