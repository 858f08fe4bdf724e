"""The experiment file: a world, periods, seeds, regimes and the units' behaviour.

Read with the plan loader's document reader (`kantorovich.model.documents`), so duplicate
keys, YAML booleans and bad numbers are refused as in a plan file, and every problem
carries its file, line, key path and a fix (`PlanError`, exit 2 at the command line).

>>> from kantorovich.lab.experiment import experiment_from_dict
>>> spec = experiment_from_dict({"world": "w.yaml", "regimes": {"central": {}}})
>>> spec.periods, spec.seeds, spec.behaviour.discount
(12, [1], 0.9)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import (BaseModel, ConfigDict, Field, ValidationError, ValidationInfo,
                      field_validator)
from pydantic_core import ErrorDetails

from kantorovich.errors import PlanError, Problem
from kantorovich.model.checks import did_you_mean

__all__ = ["Behaviour", "EconomyWorld", "ExperimentSpec", "PlanWorld", "Reliability",
           "experiment_from_dict", "read_experiment", "settings_problems", "world_name"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class PlanWorld(_Strict):
    """A plan file as the true world; ``regimes`` replaces named regimes' settings for
    this world only (a vote on goods it has, say)."""

    plan: str
    regimes: dict[str, dict[str, Any]] = {}


class EconomyWorld(_Strict):
    """An input-output table as the true world: its plan ray, each sector a unit whose
    capacity is ``capacity`` times the table's gross output."""

    economy: str
    capacity: float = Field(1.05, gt=0, allow_inf_nan=False)
    labour: str | None = None
    regimes: dict[str, dict[str, Any]] = {}


class Chance(_Strict):
    """A unit's reliability: the chance of a shortfall each period and its size (the
    share of capacity lost)."""

    chance: float = Field(default=0.1, ge=0, le=1)
    size: float = Field(default=0.2, ge=0, le=1)


class Reliability(_Strict):
    """Reliabilities of the world's units: a default and per-unit values."""

    default: Chance = Chance()
    units: dict[str, Chance] = {}


class Behaviour(_Strict):
    """The units: what they know and how far they look (see docs/lab.md)."""

    honest: bool = False
    reliability: bool = False
    hoarding: bool = False
    innovation: float = Field(default=0.0, ge=0, le=1)
    discount: float = Field(default=0.9, ge=0, lt=1)
    effort_cost: float = Field(default=0.05, ge=0, allow_inf_nan=False)
    innovation_step: float = Field(default=0.1, ge=0, le=10)
    innovation_cost: float = Field(default=0.002, ge=0, allow_inf_nan=False)


class ExperimentSpec(_Strict):
    """What an experiment file holds, checked; paths stay as written."""

    name: str = "experiment"
    world: Any
    #: the worlds by name, in the order written (filled by `experiment_from_dict`)
    worlds: dict[str, PlanWorld | EconomyWorld] = {}
    periods: int = Field(12, ge=1, le=1000)
    seeds: list[int] = Field(default_factory=lambda: [1], min_length=1, max_length=10_000)
    regimes: dict[str, dict[str, Any]] = Field(min_length=1)
    #: the regime every other is compared with, seed by seed (default: the first)
    baseline: str | None = None
    behaviour: Behaviour = Behaviour()
    reliability: Reliability = Reliability()

    @field_validator("seeds")
    @classmethod
    def _distinct(cls, seeds: list[int]) -> list[int]:
        if len(set(seeds)) != len(seeds):
            raise ValueError("each seed may be given once")
        if any(s < 0 for s in seeds):
            raise ValueError("seeds must be non-negative integers")
        return seeds

    @field_validator("baseline")
    @classmethod
    def _baseline_is_a_regime(cls, baseline: str | None, info: ValidationInfo
                              ) -> str | None:
        regimes = info.data.get("regimes") or {}
        if baseline is not None and baseline not in regimes:
            hint = did_you_mean(baseline, list(regimes))
            raise ValueError(f"unknown regime '{baseline}' as baseline ("
                             + (hint or f"regimes: {', '.join(regimes)}") + ")")
        return baseline

    @field_validator("regimes", mode="before")
    @classmethod
    def _settings(cls, regimes: Any) -> Any:
        if isinstance(regimes, dict):
            return {k: ({} if v is None else v) for k, v in regimes.items()}
        return regimes


def _message(err: ErrorDetails, model: type[BaseModel] | None) -> tuple[str, str | None]:
    kind, msg, loc = err["type"], err["msg"], err["loc"]
    if kind == "extra_forbidden":
        fields = list(model.model_fields) if model is not None else []
        return (f"unknown key '{loc[-1]}'",
                did_you_mean(str(loc[-1]), fields) or
                (f"allowed: {', '.join(fields)}" if fields else None))
    if kind == "missing":
        return f"'{loc[-1]}' is required", None
    value = err.get("input")
    if kind.startswith(("float", "int")) or kind == "bool_parsing":
        return f"{msg.lower()} (got {value!r})", None
    return msg.removeprefix("Value error, "), None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose field a location names (for did-you-mean on unknown keys)."""
    if not loc or len(loc) == 1:
        return ExperimentSpec
    head = loc[0]
    if head == "behaviour":
        return Behaviour
    if head == "reliability":
        return Reliability if len(loc) == 2 else Chance
    if head == "world":
        return EconomyWorld if "economy" in str(loc) else PlanWorld
    return None


def settings_problems(exc: ValidationError, prefix: tuple[Any, ...], file: str | None,
                      locate: Any, model: type[BaseModel] | None = None) -> list[Problem]:
    """A pydantic error as located problems under ``prefix`` (a key path)."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        # a union of world forms reports each branch: keep the branch the data took
        if prefix == () and loc[:1] == ("world",) and len(loc) > 1:
            loc = ("world",) + loc[2:]
        msg, hint = _message(err, model or _model_at(loc))
        full = prefix + loc
        problem = Problem(msg, ".".join(map(str, full)), file,
                          locate(full) if locate else None, hint)
        if problem not in problems:
            problems.append(problem)
    return problems


def world_name(entry: PlanWorld | EconomyWorld) -> str:
    """A world's default name: its plan file's stem or its economy folder's name.

    >>> world_name(PlanWorld(plan="../examples/leningrad.yaml"))
    'leningrad'
    """
    path = entry.plan if isinstance(entry, PlanWorld) else entry.economy
    return Path(path.rstrip("/\\")).stem or "world"


def _one_world(value: Any, at: tuple[Any, ...], file: str | None, locate: Any
               ) -> tuple[PlanWorld | EconomyWorld | None, list[Problem]]:
    line = None
    if locate:
        line = locate(at)
    if isinstance(value, str):
        return PlanWorld(plan=value), []
    if not isinstance(value, dict) or ("economy" in value) == ("plan" in value):
        return None, [Problem("a world is a plan file, {plan: FILE} or {economy: FOLDER}",
                              ".".join(map(str, at)), file, line,
                              "e.g. ../examples/leningrad.yaml or "
                              "{economy: ../examples/us-2017}")]
    model = EconomyWorld if "economy" in value else PlanWorld
    try:
        return model.model_validate(value), []
    except ValidationError as exc:
        return None, settings_problems(exc, at, file, locate, model)


def _worlds(value: Any, file: str | None, locate: Any
            ) -> dict[str, PlanWorld | EconomyWorld]:
    """``world:`` as worlds by name: one world, a list of them, or a mapping name -> world
    (a mapping holding ``plan`` or ``economy`` is one world)."""
    if isinstance(value, dict) and ("plan" in value or "economy" in value):
        value = [value]
    if isinstance(value, str):
        value = [value]
    if value is None or (isinstance(value, (list, dict)) and not value):
        raise PlanError([Problem("'world' is required: a plan file, an economy, or a list "
                                 "or mapping of them", "world", file,
                                 locate(("world",)) if locate and value is not None
                                 else None, "e.g. world: ../examples/leningrad.yaml")])
    if not isinstance(value, (list, dict)):
        raise PlanError([Problem("a world is a plan file, {plan: FILE} or {economy: FOLDER}",
                                 "world", file, locate(("world",)) if locate else None,
                                 "e.g. world: ../examples/leningrad.yaml")])
    single = isinstance(value, list) and len(value) == 1
    items = (list(value.items()) if isinstance(value, dict)
             else [(None, v) for v in value])
    worlds: dict[str, PlanWorld | EconomyWorld] = {}
    problems: list[Problem] = []
    for i, (name, entry) in enumerate(items):
        at: tuple[Any, ...] = ("world",) if single else ("world", name if name is not None
                                                         else i)
        world, found = _one_world(entry, at, file, locate)
        problems.extend(found)
        if world is None:
            continue
        key = str(name) if name is not None else world_name(world)
        if key in worlds:
            if name is None:
                key = f"{key}-{i + 1}"
            if key in worlds:
                problems.append(Problem(f"two worlds named '{key}'", ".".join(map(str, at)),
                                        file, locate(at) if locate else None,
                                        "give the worlds as a mapping name -> world"))
                continue
        worlds[key] = world
    if problems:
        raise PlanError(problems)
    return worlds


def experiment_from_dict(data: Any, *, file: str | None = None,
                         locate: Any = None) -> ExperimentSpec:
    """Check the mapping an experiment file holds; `PlanError` lists every problem."""
    if not isinstance(data, dict):
        raise PlanError([Problem("an experiment file holds a mapping (name, world, "
                                 "periods, seeds, regimes, behaviour)", file=file, line=1)])
    if "worlds" in data:
        raise PlanError([Problem("unknown key 'worlds'", "worlds", file,
                                 locate(("worlds",)) if locate else None,
                                 "several worlds go under world: as a list or a mapping "
                                 "name -> world")])
    if "world" not in data:
        raise PlanError([Problem("'world' is required", "world", file, 1,
                                 "e.g. world: ../examples/leningrad.yaml")])
    worlds = _worlds(data.get("world"), file, locate)
    try:
        return ExperimentSpec.model_validate({**data, "worlds": worlds})
    except ValidationError as exc:
        raise PlanError(settings_problems(exc, (), file, locate)) from None


def read_experiment(path: str | Path) -> tuple[ExperimentSpec, Any]:
    """The checked experiment of a YAML, TOML or JSON file and its line locator."""
    from kantorovich.model.documents import read_document

    path = Path(path)
    document = read_document(path)
    if document.problems:
        raise PlanError(document.problems)
    return experiment_from_dict(document.data, file=str(path),
                                locate=document.locate), document.locate

