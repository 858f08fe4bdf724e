"""What a request may ask, checked before anything is solved.

A body is read up to `MAX_BODY` bytes (more is 413), parsed as JSON (malformed is 400)
and validated by pydantic models (anything else is 422): every number strict (a string,
a boolean or null is not one), finite (``NaN`` and ``Infinity``, which Python's JSON
reader accepts, are refused) and below `kantorovich.model.schema.LARGEST` in size; a
supply or a capacity not negative. The ids are then the engine's to check
(`Plan.with_changes`): an unknown one is refused with its located message and the
closest known id. Each refusal is a `Refused`, whose JSON is::

    {"error": "invalid-request", "message": "...",
     "problems": [{"file": ..., "line": null, "path": "changes.supply.wheet",
                   "message": "...", "hint": "did you mean 'wheat'?"}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kantorovich.errors import KantorovichError, PlanError, Problem
from kantorovich.model.plan import Plan
from kantorovich.model.schema import LARGEST
from kantorovich.sweep.grid import changes_of

__all__ = ["MAX_BODY", "Changes", "Refused", "SolveRequest", "ViewRequest", "changes_in",
           "as_key", "parse_body", "refused_by_engine", "state_changes"]

#: The largest request body read, in bytes; a larger one is refused (413).
MAX_BODY = 1_000_000

_Number = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=-LARGEST, lt=LARGEST)]
_Amount = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0, lt=LARGEST)]

_PARTS = "supply, demand, capacity, min_level, rules and weights"


class Changes(BaseModel):
    """The changes of a what-if, as `Plan.with_changes` takes them: id -> number. A
    rule's number is the constant its rule is held with (``Plan.with_changes(rules=)``)."""

    model_config = ConfigDict(extra="forbid")

    supply: dict[str, _Amount] = Field(default_factory=dict)
    demand: dict[str, _Number] = Field(default_factory=dict)
    capacity: dict[str, _Amount] = Field(default_factory=dict)
    min_level: dict[str, _Number] = Field(default_factory=dict)
    rules: dict[str, _Number] = Field(default_factory=dict)
    weights: dict[str, _Number] = Field(default_factory=dict)

    def given(self) -> dict[str, dict[str, float]]:
        """The parts that change something."""
        return {kind: values for kind, values in self.model_dump().items() if values}


class SolveRequest(BaseModel):
    """``POST /api/solve``: ``{"changes": {...}}``, every part optional."""

    model_config = ConfigDict(extra="forbid")

    changes: Changes = Field(default_factory=Changes)


class ViewRequest(BaseModel):
    """``POST /api/view`` (the page): the state, ``{sweep key: number}``, as in the URL."""

    model_config = ConfigDict(extra="forbid")

    state: dict[str, _Number] = Field(default_factory=dict)


class Refused(Exception):
    """A request refused: its HTTP status and the problems to answer with."""

    def __init__(self, status: int, message: str, problems: list[Problem],
                 code: str = "invalid-request") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems
        self.code = code

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message,
                "problems": [p.to_dict() for p in self.problems]}


def parse_body(body: bytes) -> Any:
    """The JSON of ``body``; malformed JSON (or not UTF-8) is refused with 400."""
    try:
        return json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(
            exc, json.JSONDecodeError) else ""
        raise Refused(400, f"the request body is not JSON{where}: {exc}", [Problem(
            f"malformed JSON{where}", hint='send one object, e.g. {"changes": {"supply": '
                                           '{"GOOD": 1800}}}')], "malformed-json") from None


def _problem(error: Mapping[str, Any], prefix: str) -> Problem:
    loc = [str(part) for part in error["loc"]]
    path = ".".join([prefix, *loc] if prefix else loc)
    kind, value = error["type"], error.get("input")
    part = loc[0] if loc else ""
    if kind == "greater_than_equal":
        what = {"supply": "a supply", "capacity": "a capacity"}.get(part, "it")
        return Problem(f"{what} cannot be negative ({value!r})", path,
                       hint="give 0 or more: a supply is an amount available, a capacity "
                            "the most a process may run")
    if kind == "finite_number":
        return Problem(f"{value!r} is not a finite number", path, hint="give a number")
    if kind in ("less_than", "greater_than"):
        return Problem(f"{value!r} is beyond the numbers a plan can hold", path,
                       hint=f"give a number below {LARGEST:g} in size")
    if kind in ("float_type", "float_parsing"):
        return Problem(f"expected a number, got {json.dumps(value)}", path,
                       hint="give a JSON number, e.g. 1800 (not a string)")
    if kind == "extra_forbidden":
        return Problem(f"unknown part '{loc[-1]}'", path,
                       hint=f"the changes are {_PARTS}" if len(loc) > 1 and part == "changes"
                       else "the body is one object, {\"changes\": {...}}")
    if kind in ("dict_type", "model_type"):
        return Problem(f"expected an object, got {json.dumps(value)[:60]}", path,
                       hint="an object of id -> number, e.g. {\"wheat\": 1800}")
    return Problem(str(error["msg"]), path)


def _validated(model: type[BaseModel], data: Any, prefix: str = "") -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(e, prefix) for e in exc.errors(include_url=False)]
        raise Refused(422, "; ".join(f"{p.path or 'the body'}: {p.message}"
                                     for p in problems), problems) from None


def changes_in(data: Any) -> dict[str, dict[str, float]]:
    """The changes of a ``/api/solve`` body (`SolveRequest`); `Refused` (422) else."""
    request: SolveRequest = _validated(SolveRequest, data)
    return request.changes.given()


def state_changes(data: Any, plan: Plan) -> tuple[dict[str, float],
                                                  dict[str, dict[str, float]]]:
    """The state of a ``/api/view`` body or a page's URL and its changes (a rule's bound
    as written becomes the constant its rule is held with, as in a sweep)."""
    try:
        state: dict[str, float] = _validated(ViewRequest, data).state
    except Refused as exc:     # located by the input's key
        exc.problems = [replace(p, path=p.path.removeprefix("state."))
                        for p in exc.problems]
        raise
    problems = []
    for key in state:
        try:
            changes_of({key: 0.0})
        except KantorovichError as exc:
            problems.append(Problem(f"unknown key '{key}'", key, hint=exc.hint))
    if problems:
        raise Refused(422, "; ".join(p.message for p in problems), problems)
    try:
        checked: Changes = _validated(Changes, changes_of(state, plan))
    except Refused as exc:
        exc.problems = [replace(p, path=as_key(p.path)) for p in exc.problems]
        raise
    return state, checked.given()


_KEYS = {"supply": "supply.{}", "demand": "demand.{}", "rules": "policies.{}",
         "capacity": "processes.{}.capacity", "weights": "objective.{}"}


def as_key(path: str) -> str:
    """A change's path (``capacity.ID``) as the key of the input that makes it
    (``processes.ID.capacity``); any other path as it is."""
    change, _, ident = path.partition(".")
    return _KEYS[change].format(ident) if change in _KEYS and ident else path


def _keyed(problem: Problem) -> Problem:
    """A problem of a state's change, located by the input's key, its did-you-mean too."""
    hint = problem.hint
    change = problem.path.partition(".")[0]
    if hint and hint.startswith("did you mean '") and change in _KEYS:
        hint = f"did you mean '{as_key(change + '.' + hint[len('did you mean ')+1:-2])}'?"
    return replace(problem, path=as_key(problem.path), hint=hint)


def refused_by_engine(exc: KantorovichError, plan_file: str, prefix: str = "changes"
                      ) -> Refused:
    """The engine's refusal of a what-if (an unknown id, a number it cannot hold) as a
    422, each problem located in the plan file, with its did-you-mean: by its path in
    the request under ``prefix``, or (no prefix: a page's state) by the input's key."""
    if isinstance(exc, PlanError):
        problems = [replace(p, file=p.file or plan_file,
                            path=f"{prefix}.{p.path}" if prefix and p.path else p.path)
                    if prefix else replace(_keyed(p), file=p.file or plan_file)
                    for p in exc.problems]
    else:
        problems = [Problem(exc.message, file=plan_file, hint=exc.hint)]
    return Refused(422, "\n".join(str(p) for p in problems), problems, exc.code)
