"""The grid of a sweep: ``--vary KEY=START:STOP:COUNT``, checked against the plan.

A key names one number of the plan, in the words of the plan file:

===========================  ==============================================  ==============
key                          the number                                      change
===========================  ==============================================  ==============
``supply.GOOD``              the good's supply per period                    ``supply``
``demand.GOOD``              the good's demand (minimum net output)          ``demand``
``policies.ID``              the constant right-hand side of the rule ID     ``rules``
``processes.ID.capacity``    the process's capacity                          ``capacity``
``objective.GOOD``           the good's weight in the objective              ``weights``
===========================  ==============================================  ==============

Each ``--vary`` takes COUNT evenly spaced values from START to STOP (both included; one
value, START, when COUNT is 1) and the grid is the product of all of them. Values are
rounded to 12 significant digits, so that a widened grid (``0:100:11`` then ``0:200:21``)
names its shared points by exactly the same numbers and finds them done. Every point is
the plan changed through `Plan.with_changes`, so a point's plan is checked like any
what-if; the ends of each range are checked before anything is solved.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kantorovich.errors import KantorovichError, PlanError
from kantorovich.numbers import cell

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan

__all__ = ["MAX_POINTS", "SweepError", "Vary", "base_values", "changes_of", "effective",
           "grid_points", "parse_vary"]

#: the largest grid a sweep accepts (the product of all counts)
MAX_POINTS = 1_000_000
_DIGITS = 12
_FORM = "KEY=START:STOP:COUNT, e.g. supply.wheat=3000:5000:5"


class SweepError(KantorovichError):
    """A sweep asked for what cannot be swept: bad input, exit code 2."""

    code = "bad-sweep"
    exit_code = 2


@dataclass(frozen=True)
class Vary:
    """One ``--vary``: the key as written, what it changes, and its values."""

    key: str        # as given, e.g. "supply.wheat"; the column name in points.parquet
    change: str     # the `Plan.with_changes` argument: supply, demand, rules, capacity, weights
    id: str         # the good, policy or process id
    start: float
    stop: float
    count: int

    @property
    def values(self) -> list[float]:
        """COUNT evenly spaced values, START and STOP included, rounded (see module)."""
        if self.count == 1:
            return [_rounded(self.start)]
        step = (self.stop - self.start) / (self.count - 1)
        return [_rounded(self.start + i * step) for i in range(self.count - 1)] + [
            _rounded(self.stop)]


def _rounded(value: float) -> float:
    return float(f"{value:.{_DIGITS}g}") + 0.0


def _key_parts(key: str) -> tuple[str, str] | None:
    """(change, id) for a key of a known form, else None."""
    for prefix, change in (("supply.", "supply"), ("demand.", "demand"),
                           ("policies.", "rules"), ("objective.", "weights")):
        if key.startswith(prefix) and len(key) > len(prefix):
            return change, key[len(prefix):]
    if key.startswith("processes.") and key.endswith(".capacity") and len(key) > 19:
        return "capacity", key[len("processes."):-len(".capacity")]
    return None


def _number(text: str, what: str, given: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SweepError(f"--vary '{given}': {what} '{text}' is not a number",
                         hint=f"write {_FORM}") from None
    if not math.isfinite(value):
        raise SweepError(f"--vary '{given}': {what} must be a finite number, not '{text}'",
                         hint=f"write {_FORM}")
    return value


def parse_vary(text: str) -> Vary:
    """One ``--vary`` from its text; its form only (`grid_points` checks the ids).

    >>> parse_vary("policies.district-3-bread=1e6:3e6:5").values
    [1000000.0, 1500000.0, 2000000.0, 2500000.0, 3000000.0]
    >>> parse_vary("processes.mill-5-milling.capacity=0:3000:4").id
    'mill-5-milling'
    """
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise SweepError(f"--vary '{text}' has no KEY=", hint=f"write {_FORM}")
    parts = _key_parts(key)
    if parts is None:
        raise SweepError(
            f"--vary '{text}': '{key}' is not a key a sweep can vary",
            hint="keys are supply.GOOD, demand.GOOD, policies.ID (the rule's constant), "
                 "processes.ID.capacity and objective.GOOD (a weight)")
    fields = spec.split(":")
    if len(fields) != 3:
        raise SweepError(f"--vary '{text}': expected START:STOP:COUNT after '{key}='",
                         hint=f"write {_FORM}")
    start = _number(fields[0].strip(), "START", text)
    stop = _number(fields[1].strip(), "STOP", text)
    count_text = fields[2].strip()
    if not re.fullmatch(r"[0-9]+", count_text) or int(count_text) < 1:
        raise SweepError(f"--vary '{text}': COUNT '{count_text}' must be a whole number "
                         "of at least 1", hint=f"write {_FORM}")
    count = int(count_text)
    if count > MAX_POINTS:
        raise SweepError(f"--vary '{text}': {count:,} values are more than a sweep takes "
                         f"({MAX_POINTS:,})", hint="use fewer values")
    if count == 1 and start != stop:
        raise SweepError(f"--vary '{text}': one value cannot run from {start:g} to {stop:g}",
                         hint="give COUNT 2 or more, or STOP equal to START")
    return Vary(key=key, change=parts[0], id=parts[1], start=start, stop=stop, count=count)


_KINDS = {"supply": "good", "demand": "good", "weights": "good", "rules": "policy",
          "capacity": "process"}


def _known_ids(plan: Plan, change: str) -> list[str]:
    if change == "rules":
        return [p.id for p in plan.policies]
    if change == "capacity":
        return [str(i) for i in plan.processes.index]
    return [str(i) for i in plan.goods.index]


def _check_ids(varies: Sequence[Vary], plan: Plan) -> None:
    from kantorovich.model.checks import did_you_mean

    seen: dict[str, str] = {}
    for vary in varies:
        if vary.key in seen:
            raise SweepError(f"--vary '{vary.key}' is given twice",
                             hint="give each key once; the grid is the product of the keys")
        seen[vary.key] = vary.key
        known = _known_ids(plan, vary.change)
        if vary.id in set(known):
            continue
        kind = _KINDS[vary.change]
        prefix = vary.key[:-len(vary.id)] if vary.change != "capacity" else "processes."
        close = did_you_mean(vary.id, known if len(known) <= 50_000 else [])
        if close:
            suggestion = close.removeprefix("did you mean '").removesuffix("'?")
            suffix = ".capacity" if vary.change == "capacity" else ""
            hint = f"did you mean '{prefix}{suggestion}{suffix}'?"
        elif kind == "policy":
            hint = "the plan's policies are " + (", ".join(known[:10]) or "none")
        else:
            hint = f"the plan has no {kind} by that id"
        raise SweepError(f"--vary '{vary.key}': the plan has no {kind} '{vary.id}'", hint=hint)


def _check_values(varies: Sequence[Vary], plan: Plan) -> None:
    """Both ends of each range must make a plan `Plan.with_changes` accepts."""
    for vary in varies:
        for value in {vary.start, vary.stop}:
            try:
                plan.with_changes(**{vary.change: {vary.id: value}})
            except PlanError as exc:
                reason = "; ".join(p.message for p in exc.problems)
                hint = next((p.hint for p in exc.problems if p.hint), None)
                raise SweepError(f"--vary '{vary.key}': the value {value:g} is refused: "
                                 f"{reason}", hint=hint or "choose another range") from None


def grid_points(varies: Sequence[Vary], plan: Plan) -> list[dict[str, float]]:
    """The grid: every combination of the varies' values, as ``{key: value}``.

    Raises
    ------
    SweepError
        For an unknown id (with the closest key), a key given twice, a range end the
        plan cannot take, or a grid of more than `MAX_POINTS` points.
    """
    _check_ids(varies, plan)
    size = math.prod(v.count for v in varies)
    if size > MAX_POINTS:
        raise SweepError(f"the grid has {size:,} points, more than a sweep takes "
                         f"({MAX_POINTS:,})", hint="use fewer values per --vary")
    _check_values(varies, plan)
    keys = [v.key for v in varies]
    return [dict(zip(keys, combo)) for combo in itertools.product(*(v.values for v in varies))]


def base_values(plan: Plan, varies: Sequence[Vary]) -> dict[str, float]:
    """The plan's own value of each varied number (a weight the objective lacks is 0)."""
    values: dict[str, float] = {}
    for vary in varies:
        if vary.change in ("supply", "demand"):
            value = plan.goods.at[vary.id, vary.change]
        elif vary.change == "capacity":
            value = plan.processes.at[vary.id, "capacity"]
        elif vary.change == "rules":
            value = next(p.rule.rhs for p in plan.policies if p.id == vary.id)
        else:
            weights = plan.objective.weights
            value = weights.get(vary.id, 0.0)
        values[vary.key] = cell(value)
    return values


def effective(base: Mapping[str, float], point: Mapping[str, float]) -> dict[str, float]:
    """The point without the values that equal the plan's own: what makes the point's
    plan differ from the base, hence its identity in the store.

    >>> effective({"supply.wheat": 4000.0, "policies.q": 1.0},
    ...           {"supply.wheat": 4000.0, "policies.q": 2.0})
    {'policies.q': 2.0}
    """
    return {k: v for k, v in point.items() if base.get(k) != v}


def changes_of(point: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """A grid point as `Plan.with_changes` (and `Session.solve`) take it.

    >>> changes_of({"supply.wheat": 3000.0, "policies.quota": 1.0})
    {'supply': {'wheat': 3000.0}, 'rules': {'quota': 1.0}}
    """
    changes: dict[str, dict[str, float]] = {}
    for key, value in point.items():
        parts = _key_parts(key)
        if parts is None:
            raise SweepError(f"'{key}' is not a key a sweep can vary",
                             hint="keys are supply.GOOD, demand.GOOD, policies.ID, "
                                  "processes.ID.capacity and objective.GOOD")
        changes.setdefault(parts[0], {})[parts[1]] = float(value)
    return changes
