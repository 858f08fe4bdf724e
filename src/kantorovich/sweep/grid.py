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
what-if.

`check_grid` is the grid's one checker, run before anything is solved: every value of
every key is a finite number below `kantorovich.model.schema.LARGEST` in size (as in a
plan file: HiGHS reads 1e20 and more as infinity), supplies are not negative (as in a
plan file, unless the plan's own is) nor capacities below a process's least level, ids
are known, no key is given twice, the grid is not
larger than `MAX_POINTS`, and both ends of each range make a plan `Plan.with_changes`
accepts.

A rule's value is its bound *as written*: ``600 <= input(wheat, a)`` swept by
``policies.ID=700:900:3`` is ``700 <= input(wheat, a)`` and so on (the rule keeps its
direction), though the rule is held as ``-input(wheat, a) <= -600``
(`kantorovich.model.rules.bound_sign`).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kantorovich.errors import KantorovichError, PlanError
from kantorovich.model.rules import bound_sign
from kantorovich.numbers import cell

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan

__all__ = ["MAX_POINTS", "SweepError", "Vary", "base_values", "changes_of", "check_grid",
           "effective", "grid_points", "parse_vary"]

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
    given: str = field(default="", compare=False)   # the --vary text, for messages

    @property
    def values(self) -> list[float]:
        """COUNT evenly spaced values, START and STOP included, rounded (see module)."""
        return grid_values(self.start, self.stop, self.count)


def grid_values(start: float, stop: float, count: int) -> list[float]:
    """COUNT evenly spaced values from START to STOP, both included, each rounded to
    the sweeps' digits (so a widened grid names its shared points by the same numbers)."""
    if count == 1:
        return [_rounded(start)]
    step = (stop - start) / (count - 1)
    return [_rounded(start + i * step) for i in range(count - 1)] + [_rounded(stop)]


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
    """The number written; what values a grid may take is `check_grid`'s to say."""
    try:
        return float(text)
    except ValueError:
        raise SweepError(f"--vary '{given}': {what} '{text}' is not a number",
                         hint=f"write {_FORM}") from None


def grid_range(text: str, key: str, spec: str) -> tuple[float, float, int]:
    """START, STOP and COUNT of one ``--vary KEY=START:STOP:COUNT`` (``spec`` is what
    follows ``KEY=``), checked: numbers, a whole COUNT of at least 1 and at most
    `MAX_POINTS`, one value only where START is STOP. Shared by plan and lab sweeps."""
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
    return start, stop, count


def parse_vary(text: str) -> Vary:
    """One ``--vary`` from its text: its form and its values (`check_grid`'s checks that
    need no plan; `grid_points` checks the rest against the plan).

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
    start, stop, count = grid_range(text, key, spec)
    vary = Vary(key=key, change=parts[0], id=parts[1], start=start, stop=stop, count=count,
                given=text)
    _check_range(vary)      # the grid checker's part that needs no plan
    return vary


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


_NOT_NEGATIVE = ("a supply is an amount available, 0 or more, as in a plan file; to make "
                 "the plan deliver a good, vary demand.GOOD instead")


def _check_range(vary: Vary) -> None:
    """Every value of ``vary``: finite and below `LARGEST` in size."""
    import numpy as np

    from kantorovich.model.schema import LARGEST

    given = vary.given or f"{vary.key}={vary.start!r}:{vary.stop!r}:{vary.count}"
    for what, value in (("START", vary.start), ("STOP", vary.stop)):
        if not math.isfinite(value):
            raise SweepError(f"--vary '{given}': {what} must be a finite number, not "
                             f"{value!r}", hint=f"write {_FORM}")
        if abs(value) >= LARGEST:
            raise SweepError(f"--vary '{given}': {what} {value:g} is beyond the numbers a "
                             f"plan can hold (below {LARGEST:g} in size)",
                             hint="choose a smaller range, or rescale the unit in the plan")
    values = np.asarray(vary.values, dtype=float)
    bad = ~(np.abs(values) < LARGEST)     # NaN and infinities too
    if bad.any():
        raise SweepError(f"--vary '{given}': the value {values[bad][0]:g} is beyond the "
                         f"numbers a plan can hold (below {LARGEST:g} in size)",
                         hint="choose a smaller range")


def _check_signs(vary: Vary, plan: Plan) -> None:
    """A supply may not go below 0 where the plan's own is not negative (a plan file's
    supplies are amounts, 0 or more; a plan read from MPS may hold negative bounds).
    A capacity below a process's least level is refused by `_check_values`."""
    if vary.change != "supply" or min(vary.start, vary.stop) >= 0:
        return
    if not cell(plan.goods.at[vary.id, "supply"]) < 0:        # NaN: none given, 0
        given = vary.given or f"{vary.key}={vary.start!r}:{vary.stop!r}:{vary.count}"
        raise SweepError(f"--vary '{given}': a supply cannot be negative "
                         f"({min(vary.start, vary.stop):g})", hint=_NOT_NEGATIVE)


def _check_values(varies: Sequence[Vary], plan: Plan) -> None:
    """Both ends of each range must make a plan `Plan.with_changes` accepts."""
    for vary in varies:
        for value in {vary.start, vary.stop}:
            try:
                plan.with_changes(**changes_of({vary.key: value}, plan))
            except PlanError as exc:
                reason = "; ".join(p.message for p in exc.problems)
                hint = next((p.hint for p in exc.problems if p.hint), None)
                raise SweepError(f"--vary '{vary.key}': the value {value:g} is refused: "
                                 f"{reason}", hint=hint or "choose another range") from None


def check_grid(varies: Sequence[Vary], plan: Plan) -> int:
    """The grid's one checker (see the module), before anything is solved; returns the
    number of points.

    Raises
    ------
    SweepError
        For an unknown id (with the closest key), a key given twice, a value that is not
        finite or too large, a negative supply, a range end the plan cannot take, or a
        grid of more than `MAX_POINTS` points.
    SizeError
        For a grid whose records cannot fit in the memory available
        (`kantorovich.sizes`).
    """
    from kantorovich.sizes import check_fits, grid_bytes

    _check_ids(varies, plan)
    size = math.prod(v.count for v in varies)
    if size > MAX_POINTS:
        raise SweepError(f"the grid has {size:,} points, more than a sweep takes "
                         f"({MAX_POINTS:,})", hint="use fewer values per --vary")
    columns = len(plan.goods) + 2 * len(plan.policies) + len(varies) + 6
    check_fits(grid_bytes(size, columns), f"a grid of {size:,} points of a plan of "
               f"{len(plan.goods):,} goods", hint="use fewer values per --vary")
    for vary in varies:
        _check_range(vary)
        _check_signs(vary, plan)
    _check_values(varies, plan)
    return size


def grid_points(varies: Sequence[Vary], plan: Plan) -> list[dict[str, float]]:
    """The grid: every combination of the varies' values, as ``{key: value}``, once
    `check_grid` has passed it."""
    check_grid(varies, plan)
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
        elif vary.change == "rules":     # the bound as written (see the module)
            rule = next(p.rule for p in plan.policies if p.id == vary.id)
            value = bound_sign(rule) * rule.rhs
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


def changes_of(point: Mapping[str, Any], plan: Plan | None = None
               ) -> dict[str, dict[str, float]]:
    """A grid point as `Plan.with_changes` (and `Session.solve`) take it.

    A rule's value is its bound as written; with ``plan`` it becomes the constant the
    rule is held with (negated for a rule written ``600 <= input(...)``).

    >>> changes_of({"supply.wheat": 3000.0, "policies.quota": 1.0})
    {'supply': {'wheat': 3000.0}, 'rules': {'quota': 1.0}}
    """
    signs = {} if plan is None else {p.id: p.rule for p in plan.policies}
    changes: dict[str, dict[str, float]] = {}
    for key, value in point.items():
        parts = _key_parts(key)
        if parts is None:
            raise SweepError(f"'{key}' is not a key a sweep can vary",
                             hint="keys are supply.GOOD, demand.GOOD, policies.ID, "
                                  "processes.ID.capacity and objective.GOOD")
        number = float(value)
        if parts[0] == "rules" and parts[1] in signs:
            number = bound_sign(signs[parts[1]]) * number + 0.0
        changes.setdefault(parts[0], {})[parts[1]] = number
    return changes
