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
  started when every point is already done.

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
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kantorovich.sweep.store import PointStore, point_key

__all__ = ["Cluster", "RunSummary", "run_points"]

log = logging.getLogger(__name__)

#: at most this many tasks per worker thread are in flight at once: enough to keep every
#: worker busy, few enough that a grid of millions is not all held in the scheduler
_WINDOW_PER_THREAD = 8
#: how long to try to reach a scheduler given by address
_CONNECT_TIMEOUT = "5s"


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
        try:
            connected = Client(scheduler, timeout=_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            from kantorovich.sweep.grid import SweepError

            raise SweepError(f"cannot reach the Dask scheduler at '{scheduler}': {exc}",
                             hint="start one (dask scheduler; dask worker ADDRESS) and give "
                                  "its address, e.g. tcp://10.0.0.5:8786") from None
        with connected:
            yield connected
        return
    from distributed import LocalCluster

    with LocalCluster(n_workers=max(1, workers or 1), threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as local:
        yield local


def _square_plus(context: int, seed: int, pause: float = 0.0) -> dict[str, int]:
    """The doctest's function: pure and picklable, as every runner function must be
    (``pause`` seconds of sleep let the tests kill a worker or a run mid-way)."""
    if pause:
        time.sleep(pause)
    return {"value": context + seed * seed}
