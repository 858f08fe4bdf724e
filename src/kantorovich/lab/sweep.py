"""``kantorovich lab sweep``: the laboratory run over a grid of an experiment's settings.

Where the ranking of regimes flips is a question about many experiments, not one. A lab
sweep takes an experiment file and ``--vary KEY=START:STOP:COUNT`` options; every point of
the grid (the product of the varies) is the experiment with those values set, simulated
exactly as ``kantorovich lab run`` simulates it (`kantorovich.lab.run.run_experiment`).

* **Keys.** A KEY names one number of the experiment file, dotted as the file nests it:
  ``periods``, ``behaviour.discount``, ``reliability.default.chance``,
  ``reliability.units.UNIT.size``, ``regimes.NAME.SETTING`` (a regime by its name in the
  file, a setting of its type), ``world.capacity`` (an economy world; ``world.NAME.capacity``
  with several), ``world.NAME.regimes.REGIME.SETTING`` (a world's own settings). The keys
  come from the checked experiment (`experiment_keys`): its schema's numeric fields, set
  in the file or not (a default counts), so a misspelt or non-numeric key is refused
  before anything runs, with the closest numeric key as a hint. Integer keys
  (``periods``, ``max_rounds``) take whole values only.
* **Checked first.** Every point's experiment goes through
  `kantorovich.lab.run.make_experiment` before any simulation: a value the experiment
  refuses (a discount of 1.5) is a located error naming the point and the key.
* **Runner and store.** Points run through the sweeps' runner
  (`kantorovich.sweep.runner.run_points`): in this process by default, on a local Dask
  cluster with ``workers``, on a running scheduler with ``scheduler``. Each finished point
  (its `Results.summary`) is written at once into ``DIR/.kantorovich-sweep``
  (`kantorovich.sweep.store`), keyed by the point's values and a fingerprint of the base
  experiment (`kantorovich.lab.distributed.fingerprint`); values equal to the
  experiment's own are left out of the key, so the base point, a rerun, a widened grid
  or a grid with one more key finds what is done, and a run killed at any moment loses
  no finished point.
* **Output.** ``DIR/points.parquet``: one row per point x world x regime x measure; the
  KEY columns as given, then ``world``, ``regime``, ``measure``, ``mean``, ``low``,
  ``high`` (the mean over seeds and its 95% interval, as ``lab run --json`` gives them;
  a missing number is NaN). With ``sweep.json`` (the grid and the counts) it is published
  all or nothing by `kantorovich.files.output_directory`; the experiment is an input and
  is never written over.
"""

from __future__ import annotations

import copy
import json
import math
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from kantorovich.errors import KantorovichError, PlanError, Problem
from kantorovich.sweep.grid import MAX_POINTS, SweepError, grid_range, grid_values

__all__ = ["Key", "LabSweepFailed", "LabSweepOutcome", "LabVary", "experiment_keys",
           "grid_of", "parse_lab_vary", "point_record", "sweep_experiment", "with_values"]

_FORM = "KEY=START:STOP:COUNT, e.g. behaviour.discount=0.5:0.95:4"
_SHOWN_PROBLEMS = 5     # bad grid points reported in full; the rest are counted
COLUMNS = ("world", "regime", "measure", "mean", "low", "high")


class LabSweepFailed(KantorovichError):
    """Some grid points failed while simulating (not bad input): exit code 1; the
    finished points are kept, and a rerun tries the failed ones again."""

    code = "lab-sweep-failed"
    exit_code = 1


# -- the keys of an experiment -------------------------------------------------------------
@dataclass(frozen=True)
class Key:
    """One key of an experiment: where it sits in the file's mapping, what it holds
    (``int`` or ``float`` for the numbers a sweep can vary; ``switch``, ``text``, ``list``
    or ``table`` otherwise) and its value in the checked experiment. ``create`` is the
    content a missing mapping on the way gets (a unit's reliability starts as the
    default's)."""

    path: tuple[Any, ...]
    kind: str
    base: Any
    create: tuple[tuple[tuple[Any, ...], dict[str, Any]], ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float")


def _plain_type(annotation: Any) -> Any:
    """The type under ``Optional``/``Annotated`` (a union of several stays a union)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _plain_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _plain_type(args[0]) if len(args) == 1 else annotation
    return annotation


def _walk(annotation: Any, value: Any, path: tuple[Any, ...], key: str,
          out: dict[str, Key]) -> None:
    """Every key under ``value`` (of type ``annotation``) into ``out``."""
    kind = _plain_type(annotation)
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            _walk(info.annotation, getattr(value, name), path + (name,), f"{key}.{name}",
                  out)
        return
    if kind is bool or isinstance(value, bool):
        out[key] = Key(path, "switch", value)
    elif kind is int or (kind is Any and isinstance(value, int)):
        out[key] = Key(path, "int" if kind is int else "float", value)
    elif kind is float or (kind is Any and isinstance(value, float)):
        out[key] = Key(path, "float", value)
    elif isinstance(value, Mapping):
        args = typing.get_args(kind) if typing.get_origin(kind) is dict else ()
        inner = args[1] if len(args) == 2 else Any
        out[key] = Key(path, "table", None)
        for name, item in value.items():
            _walk(inner, item, path + (name,), f"{key}.{name}", out)
    elif isinstance(value, (list, tuple)):
        out[key] = Key(path, "list", list(value))
    else:
        out[key] = Key(path, "text", value)


def experiment_keys(experiment: Any, data: Mapping[str, Any]) -> dict[str, Key]:
    """Every key of the checked ``experiment`` (`kantorovich.lab.run.Experiment`) whose
    file held ``data``: dotted key -> `Key`, defaults included.

    Regimes are named as in the file and their settings are their type's; a world's own
    regime settings are under ``world.NAME.regimes``; each unit of the worlds has
    ``reliability.units.UNIT.chance`` and ``.size`` (a unit the file does not name
    starts from ``reliability.default``).
    """
    from kantorovich.lab.regimes import registered

    spec = experiment.spec
    keys: dict[str, Key] = {}
    for name, info in type(spec).model_fields.items():
        if name not in ("world", "worlds", "regimes"):
            _walk(info.annotation, getattr(spec, name), (name,), name, keys)
    kinds = registered()
    for regime, written in (data.get("regimes") or {}).items():
        settings = dict(written or {}) if isinstance(written, Mapping) else {}
        kind = settings.pop("type", regime)
        cls = kinds.get(str(kind))
        try:
            base = cls.Settings.model_validate(settings) if cls is not None else None
        except ValidationError:     # replaced in every world: checked there instead
            base = None
        if base is None:
            continue
        keys[f"regimes.{regime}"] = Key(("regimes", regime), "table", None)
        keys[f"regimes.{regime}.type"] = Key(("regimes", regime, "type"), "text", kind)
        _walk(type(base), base, ("regimes", regime), f"regimes.{regime}", keys)
    _world_keys(experiment, data.get("world"), keys)
    default = spec.reliability.default
    for world in experiment.worlds.values():
        for unit in map(str, getattr(world, "units", ())):
            if unit in spec.reliability.units:
                continue
            at = ("reliability", "units", unit)
            for name in type(default).model_fields:
                keys.setdefault(f"reliability.units.{unit}.{name}", Key(
                    at + (name,), "float", getattr(default, name),
                    ((at, default.model_dump()),)))
    return keys


def _world_keys(experiment: Any, written: Any, keys: dict[str, Key]) -> None:
    """The worlds' keys: ``world.FIELD`` for one world, ``world.NAME.FIELD`` for several
    (``world.INDEX.FIELD`` too, where they are a list)."""
    entries = list(experiment.spec.worlds.items())
    # per world: its key path in the file, then the spellings of its keys' prefix
    places: list[tuple[tuple[str | int, ...], ...]]
    if isinstance(written, Mapping) and ("plan" in written or "economy" in written):
        places = [(("world",), ("world",))]
    elif isinstance(written, list) and len(written) == 1:
        places = [(("world", 0), ("world",))]
    elif isinstance(written, list):
        places = [(("world", i), ("world", i), ("world", name))
                  for i, (name, _) in enumerate(entries)]
    elif isinstance(written, Mapping):
        places = [(("world", name), ("world", name)) for name, _ in entries]
    else:
        keys["world"] = Key(("world",), "text", written)
        return
    for (name, entry), (path, *spellings) in zip(entries, places):
        # (in a list of worlds, a world's place is its index)
        if isinstance(written, list) and isinstance(written[int(path[1])], str):
            continue        # a plan file's path: nothing to vary
        found: dict[str, Key] = {}
        for field_name, info in type(entry).model_fields.items():
            if field_name != "regimes":
                _walk(info.annotation, getattr(entry, field_name), path + (field_name,),
                      field_name, found)
        own = experiment.world_regimes.get(name, {})
        for regime in entry.regimes:
            if regime in own:
                settings = own[regime][1]
                _walk(type(settings), settings, path + ("regimes", regime),
                      f"regimes.{regime}", found)
        for spelling in spellings:
            prefix = ".".join(map(str, spelling))
            for key, value in found.items():
                keys[f"{prefix}.{key}"] = value


# -- the grid ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LabVary:
    """One ``--vary``: the key as given (the column name in points.parquet), where it is,
    and its COUNT values from START to STOP."""

    key: str
    at: Key
    start: float
    stop: float
    count: int

    @property
    def values(self) -> list[float] | list[int]:
        """COUNT evenly spaced values, both ends included (whole numbers for an integer
        key; others rounded to 12 significant digits, as the plan sweep's)."""
        if self.at.kind == "int":
            if self.count == 1:
                return [int(self.start)]
            step = (int(self.stop) - int(self.start)) // (self.count - 1)
            return [int(self.start) + i * step for i in range(self.count)]
        return grid_values(self.start, self.stop, self.count)


def _unknown(key: str, given: str, keys: Mapping[str, Key]) -> SweepError:
    """The refusal of a key that is not a number of the experiment, with the closest."""
    from kantorovich.model.checks import did_you_mean

    numeric = [k for k, v in keys.items() if v.numeric]
    found = keys.get(key)
    if found is not None:
        what = {"switch": "a true/false switch", "text": "text", "list": "a list",
                "table": "a mapping"}.get(found.kind, found.kind)
        under = [k for k in numeric if k.startswith(f"{key}.")]
        hint = (f"its numbers are {', '.join(under[:8])}" if under else
                did_you_mean(key, numeric) or "numeric keys: " + ", ".join(numeric[:12]))
        return SweepError(f"--vary '{given}': '{key}' is {what} in the experiment, not a "
                          "number", hint=hint)
    parts = key.split(".")
    for cut in range(len(parts) - 1, 0, -1):     # a setting under a plain value
        above = keys.get(".".join(parts[:cut]))
        if above is not None and above.kind != "table":
            return SweepError(f"--vary '{given}': the experiment has no number '{key}': "
                              f"'{'.'.join(parts[:cut])}' is {above.kind} ({above.base!r})",
                              hint=did_you_mean(key, numeric) or
                              "numeric keys: " + ", ".join(numeric[:12]))
    head = key.rsplit(".", 1)[0] if "." in key else ""
    close = did_you_mean(key, numeric)
    if close:
        hint = close
    else:
        near = [k for k in numeric if head and k.startswith(f"{head}.")] or numeric
        hint = "numeric keys: " + ", ".join(near[:12]) + (" ..." if len(near) > 12 else "")
    return SweepError(f"--vary '{given}': the experiment has no number '{key}'", hint=hint)


def parse_lab_vary(text: str, keys: Mapping[str, Key]) -> LabVary:
    """One ``--vary`` from its text, its key checked against the experiment's ``keys``.

    >>> keys = {"periods": Key(("periods",), "int", 12),
    ...         "behaviour.discount": Key(("behaviour", "discount"), "float", 0.9)}
    >>> parse_lab_vary("behaviour.discount=0:0.9:4", keys).values
    [0.0, 0.3, 0.6, 0.9]
    >>> parse_lab_vary("periods=2:8:4", keys).values
    [2, 4, 6, 8]
    """
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise SweepError(f"--vary '{text}' has no KEY=", hint=f"write {_FORM}")
    at = keys.get(key)
    if at is None or not at.numeric:
        raise _unknown(key, text, keys)
    start, stop, count = grid_range(text, key, spec)
    for what, value in (("START", start), ("STOP", stop)):
        if not math.isfinite(value):
            raise SweepError(f"--vary '{text}': {what} must be a finite number, not "
                             f"'{value}'", hint=f"write {_FORM}")
    if at.kind == "int":
        for what, value in (("START", start), ("STOP", stop)):
            if value != int(value):
                raise SweepError(f"--vary '{text}': '{key}' is a whole number; {what} "
                                 f"{value:g} is not", hint="give whole START and STOP")
        if count > 1 and (int(stop) - int(start)) % (count - 1):
            raise SweepError(
                f"--vary '{text}': {count} evenly spaced values from {start:g} to {stop:g} "
                f"are not whole numbers, and '{key}' takes whole numbers only",
                hint=f"choose COUNT so that COUNT - 1 divides {abs(int(stop - start))} "
                     f"(e.g. {abs(int(stop - start)) + 1})")
    return LabVary(key=key, at=at, start=start, stop=stop, count=count)


def grid_of(varies: Sequence[LabVary]) -> list[dict[str, Any]]:
    """Every combination of the varies' values, as ``{key: value}``, in order (the
    last key changing fastest)."""
    import itertools

    seen: dict[tuple[Any, ...], str] = {}
    for vary in varies:
        if vary.at.path in seen:
            same = seen[vary.at.path]
            raise SweepError(f"--vary '{vary.key}' is given twice" if same == vary.key else
                             f"--vary '{vary.key}' and '{same}' are the same number",
                             hint="give each key once; the grid is the product of the keys")
        seen[vary.at.path] = vary.key
    size = math.prod(v.count for v in varies)
    if size > MAX_POINTS:
        raise SweepError(f"the grid has {size:,} points, more than a sweep takes "
                         f"({MAX_POINTS:,})", hint="use fewer values per --vary")
    keys = [v.key for v in varies]
    return [dict(zip(keys, combo)) for combo in itertools.product(*(v.values for v in varies))]


def with_values(data: Mapping[str, Any], varies: Sequence[LabVary],
                 point: Mapping[str, Any]) -> dict[str, Any]:
    """The experiment file's mapping with the point's values set (a copy)."""
    out = copy.deepcopy(dict(data))
    for vary in varies:
        made = dict(vary.at.create)
        node: Any = out
        for depth, part in enumerate(vary.at.path[:-1]):
            here = vary.at.path[:depth + 1]
            child = node[part] if (isinstance(node, list) or part in node) else None
            if child is None:
                child = copy.deepcopy(made.get(here, {}))
                node[part] = child
            node = child
        node[vary.at.path[-1]] = point[vary.key]
    return out


# -- running -------------------------------------------------------------------------------
def _point_text(point: Mapping[str, Any]) -> str:
    return json.dumps(dict(point), sort_keys=True, separators=(",", ":"))


def point_record(experiments: Mapping[str, Any], **point: Any) -> dict[str, Any]:
    """One grid point for the runner: its experiment, run as ``lab run`` runs it; the
    record is the run's summary (JSON values)."""
    from kantorovich.lab.run import run_experiment

    return {"summary": run_experiment(experiments[_point_text(point)]).summary}


@dataclass
class LabSweepOutcome:
    """What a lab sweep did; `to_dict` is the ``--json`` object (grid points counted)."""

    output: Path
    points: pd.DataFrame
    run: Any                        # kantorovich.sweep.runner.RunSummary
    varies: list[LabVary] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, int]:
        return {"points": self.run.points, "computed": self.run.computed,
                "reused": self.run.reused}


def _check_points(data: Mapping[str, Any], varies: Sequence[LabVary],
                  points: Sequence[Mapping[str, Any]], base: Path, file: str,
                  locate: Any) -> dict[str, Any]:
    """Every point's experiment, checked. Points whose worlds come out the same (to the
    pickled byte) share one copy of them: the runner sends all the experiments to its
    workers at once, and a world is most of an experiment's size."""
    import hashlib
    import pickle

    from kantorovich.lab.run import make_experiment

    experiments: dict[str, Any] = {}
    shared: dict[str, Any] = {}
    problems: list[Problem] = []
    bad = 0
    for number, point in enumerate(points, start=1):
        written = with_values(data, varies, point)
        try:
            experiment = make_experiment(written, base=base, file=file, locate=locate)
        except PlanError as exc:
            bad += 1
            if bad <= _SHOWN_PROBLEMS:
                named = ", ".join(f"{k}={v:g}" for k, v in point.items())
                problems.extend(Problem(f"grid point {number} of {len(points)} ({named}): "
                                        f"{p.message}", p.path, p.file, p.line,
                                        p.hint or "choose --vary values the experiment "
                                                  "accepts")
                                for p in exc.problems)
            continue
        worlds = hashlib.sha256(pickle.dumps((experiment.world, experiment.worlds),
                                             protocol=5)).hexdigest()
        same = shared.setdefault(worlds, experiment)
        if same is not experiment:
            experiment = replace(experiment, world=same.world, worlds=same.worlds)
        experiments[_point_text(point)] = experiment
    if bad > _SHOWN_PROBLEMS:
        problems.append(Problem(f"... and {bad - _SHOWN_PROBLEMS} more grid points of "
                                f"{len(points)} are refused", file=file,
                                hint="narrow the --vary ranges"))
    if problems:
        raise PlanError(problems)
    return experiments


def _rows(run: Any, varies: Sequence[LabVary]) -> pd.DataFrame:
    """points.parquet's rows: every point (grid order), world, regime and measure."""
    records = run.records()
    keys = [v.key for v in varies]
    rows: list[tuple[Any, ...]] = []
    for key in run.keys:
        point = run.params[key]
        summary = records[key]["summary"]
        worlds = summary.get("worlds") or {"world": {"regimes": summary["regimes"]}}
        values = tuple(point[k] for k in keys)
        for world, part in worlds.items():
            for regime, measures in part["regimes"].items():
                for measure, entry in measures.items():
                    rows.append(values + (world, regime, measure, *(
                        math.nan if entry.get(x) is None else float(entry[x])
                        for x in ("mean", "low", "high"))))
    frame = pd.DataFrame(rows, columns=[*keys, *COLUMNS])
    for vary in varies:
        frame[vary.key] = frame[vary.key].astype("int64" if vary.at.kind == "int"
                                                 else "float64")
    for column in ("mean", "low", "high"):
        frame[column] = frame[column].astype("float64")
    return frame


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    """A Parquet file that depends on the values only (no pandas metadata): the same
    rows give the same bytes, serial or on Dask."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", write_statistics=False,
                   store_schema=False)


def sweep_experiment(experiment: str | Path, vary: Sequence[str], output: str | Path, *,
                     workers: int | None = None, scheduler: str | None = None,
                     client: Any = None,
                     progress: Callable[[int, int], None] | None = None
                     ) -> LabSweepOutcome:
    """Run the experiment file at ``experiment`` at every point of the ``vary`` grid,
    into ``output``; see the module.

    Parameters
    ----------
    experiment : path
        The experiment file (.yaml, .toml or .json).
    vary : sequence of str
        ``KEY=START:STOP:COUNT`` each; the grid is their product.
    output : path
        The output directory: new, empty, or one a sweep wrote (finished points reused).
    workers, scheduler, client
        Where points run (`kantorovich.sweep.runner.run_points`): none of them, in this
        process; ``workers``, a local Dask cluster; ``scheduler``, a running one;
        ``client``, the caller's.
    progress : callable, optional
        ``progress(done, total)`` as grid points finish.

    Raises
    ------
    SweepError
        A bad ``--vary`` (form, unknown or non-numeric key, a key twice, too many points).
    PlanError
        A bad experiment file, or a grid point whose experiment is refused (named).
    LabSweepFailed
        A point that failed while simulating; the others are kept in the store.
    """
    from kantorovich.files import check_output_dir, output_directory
    from kantorovich.lab.distributed import fingerprint
    from kantorovich.lab.run import make_experiment
    from kantorovich.model.documents import read_document
    from kantorovich.sweep.runner import run_points
    from kantorovich.sweep.store import MANIFEST, open_store, point_key

    path = Path(experiment)
    if not vary:
        raise SweepError("nothing to sweep", hint=f"give --vary {_FORM}")
    if workers is not None and scheduler is not None:
        raise SweepError("--workers and --scheduler both given",
                         hint="give --workers N for a local cluster, or --scheduler ADDR "
                              "for a running one")
    document = read_document(path)
    if document.problems:
        raise PlanError(document.problems)
    data = document.data
    file = str(path)
    base = make_experiment(data, base=path.parent, file=file, locate=document.locate)
    keys = experiment_keys(base, data)
    varies = [parse_lab_vary(text, keys) for text in vary]
    points = grid_of(varies)
    check_output_dir(output, inputs=[path])
    experiments = _check_points(data, varies, points, path.parent, file, document.locate)
    salt = f"lab-sweep:{fingerprint(base)}"
    own = {v.key: v.at.base for v in varies}

    def identity(point: Mapping[str, Any]) -> dict[str, Any]:
        """The point without the experiment's own values: the base point is the base."""
        return {k: v for k, v in point.items() if own.get(k) != v}

    manifest = {"format": "kantorovich-lab-sweep", "experiment": file,
                "name": base.spec.name, "fingerprint": salt, "state": "running",
                "vary": [v.key for v in varies]}
    inputs = [path]
    store = open_store(output, manifest=manifest, inputs=inputs)
    run = run_points(point_record, points, store, context=experiments, salt=salt,
                     workers=workers, scheduler=scheduler, client=client,
                     local=workers is not None or scheduler is not None or client is not None,
                     progress=progress, name="lab-point", identity=identity)
    if run.failed:
        named = {point_key(identity(p), salt): p for p in points}
        problems = [f"({', '.join(f'{k}={v:g}' for k, v in named[key].items())}): {message}"
                    for key, message in run.failed[:_SHOWN_PROBLEMS]]
        raise LabSweepFailed(
            f"{len(run.failed)} of {run.points} grid points failed: " + "; ".join(problems)
            + (" ..." if len(run.failed) > _SHOWN_PROBLEMS else ""),
            hint=f"{run.points - len(run.failed)} finished points are kept in {output}; "
                 "run the same command again to retry the others")
    frame = _rows(run, varies)
    files = ["points.parquet", MANIFEST]
    outcome = LabSweepOutcome(output=Path(output), points=frame, run=run,
                              varies=list(varies), files=files)
    summary = {**manifest, "state": "finished", **outcome.to_dict(),
               "grid": [{"key": v.key, "start": v.values[0], "stop": v.values[-1],
                         "count": v.count} for v in varies],
               "columns": [*(v.key for v in varies), *COLUMNS], "files": files}
    with output_directory(output, inputs=inputs) as staging:
        _parquet(frame, staging / "points.parquet")
        (staging / MANIFEST).write_text(json.dumps(summary, indent=2, allow_nan=False)
                                        + "\n", encoding="utf-8")
    return outcome
