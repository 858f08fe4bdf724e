"""`Plan`: the domain model as tables, not as an object per process.

A plan is goods, units and processes (each a DataFrame indexed by the plan's own ids), a
long table of flows (process, good, input, output per unit of level), availabilities,
an objective, named policies and an optional baseline. Tables scale to economy size and
let compilation stay vectorised.

The public ways to make one locate every problem: `kantorovich.load_plan` (a file),
:meth:`Plan.from_dict` (the mapping a file holds) and :meth:`Plan.from_frames` (the
tables as DataFrames). ``Plan(...)`` itself takes the tables exactly as the engine holds
them; it checks their shape and references when made (`model.checks.table_problems`,
`model.checks.check_plan`) and raises `PlanError`, never a pandas or NumPy error later.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kantorovich.errors import PlanError, Problem
from kantorovich.model.checks import (check_plan, numbers_changed_only, positions_in,
                                     table_problems)
from kantorovich.model.rules import Rule
from kantorovich.model.statements import Objective, Policy, Sense
from kantorovich.model.tables import codes_in, empty_flows, normalise_flows

if TYPE_CHECKING:
    from kantorovich.model.documents import Locator

__all__ = ["Objective", "Plan", "Policy", "Sense", "codes_in", "load_plan", "plan_from_mapping",
           "positions_in"]

# kept importable from here, where the engine has always found them (Objective and
# Policy are defined in `model.statements`, below the readers that build plans)
_SHARED = (empty_flows, normalise_flows)

Changes = Mapping[str, float] | pd.Series

@dataclass(frozen=True, eq=False)
class Plan:
    """A planning problem in Kantorovich/Koopmans activity-analysis form.

    Every good obeys ``supply + outputs - inputs >= demand``; process levels lie in
    ``[min_level, capacity]``. Build one with :func:`kantorovich.load_plan`,
    :meth:`Plan.from_dict` or :meth:`Plan.from_frames`, which locate each problem in what
    was given. The constructor takes the tables as the engine holds them (goods indexed
    by id with name, unit, supply, demand; units with name, region; processes with name,
    unit, min_level, capacity, level_unit; flows with process, good, input, output) and
    refuses, as a `PlanError`, tables it cannot use.
    """

    name: str
    goods: pd.DataFrame        # index good: name, unit, supply, demand
    units: pd.DataFrame        # index unit: name, region
    processes: pd.DataFrame    # index process: name, unit, min_level, capacity, level_unit
    flows: pd.DataFrame        # process, good, input, output (one row per pair)
    objective: Objective
    policies: tuple[Policy, ...] = ()
    baseline: pd.Series | None = None   # level per process
    period: str = "period"
    source: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    #: every file read to build the plan: the plan file and each table it names (no
    #: command may write over one of them)
    files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "policies", tuple(self.policies))
        procs = self.processes
        if isinstance(procs, pd.DataFrame) and "level_unit" not in procs.columns:
            object.__setattr__(self, "processes", procs.assign(level_unit=""))
        if numbers_changed_only():
            return                     # a checked plan with numbers checked changed
        problems = table_problems(self)
        if not problems:
            problems = check_plan(self, file=self.source)
        if problems:
            raise PlanError(problems)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, object], *, source: str | None = None) -> Plan:
        """Build a plan from the same mapping a YAML plan file holds.

        Raises `PlanError` listing every problem, each with its path in ``data``.
        """
        return plan_from_mapping(data, source=source)

    @classmethod
    def from_frames(cls, *, goods: pd.DataFrame | Mapping[str, Any],
                    processes: pd.DataFrame | Mapping[str, Any],
                    objective: Mapping[str, Any] | Objective,
                    flows: pd.DataFrame | None = None,
                    supply: pd.DataFrame | pd.Series | Mapping[str, Any] | None = None,
                    demand: pd.DataFrame | pd.Series | Mapping[str, Any] | None = None,
                    units: pd.DataFrame | Mapping[str, Any] | None = None,
                    policies: Mapping[str, Any] | None = None,
                    baseline: pd.Series | Mapping[str, float] | None = None,
                    name: str = "plan", period: str = "period",
                    description: str | None = None) -> Plan:
        """Build a plan from DataFrames with the columns of the CSV tables.

        The frames are the tables a plan file may name, read by the same code and
        checked by the same rules, so a mistake reads as it would in a file, located by
        row: ``flows[3].good: unknown good 'grian', did you mean 'grain'?``. Checks run
        over whole columns; 100,000 processes take a fraction of a second.

        Parameters
        ----------
        goods : DataFrame or mapping
            Columns ``id, unit, name, supply, demand`` (``id`` may be the index), or the
            YAML mapping ``{id: {unit: ..., name: ..., regions: [...]}}``.
        processes : DataFrame or mapping
            Columns ``id, unit, name, capacity, min_level, level_unit``, or the YAML
            mapping (which may give ``inputs`` and ``outputs``).
        objective : mapping or Objective
            As in YAML: ``{"maximize": {"bread": 1}, "unit": "loaf"}``.
        flows : DataFrame, optional
            Columns ``process, good, input, output``: amounts per unit of level.
        supply, demand : DataFrame, Series or mapping, optional
            Columns ``good, amount``, a Series indexed by good, or a mapping (regional
            goods may take ``{good: {region: amount}}``).
        units : DataFrame or mapping, optional
            Columns ``id, name, region``.
        policies : mapping, optional
            Policy id to rule text, or to ``{"rule": ..., "name": ...}``.
        baseline : Series or mapping, optional
            Level per process of the plan in force.
        name, period, description : str
            As in a plan file.

        Raises
        ------
        PlanError
            Every problem found, each with its table, row and column.

        Examples
        --------
        >>> import pandas as pd
        >>> plan = Plan.from_frames(
        ...     goods=pd.DataFrame({"id": ["grain", "bread"], "unit": ["t", "loaf"],
        ...                         "supply": [10, 0]}),
        ...     processes=pd.DataFrame({"id": ["bake"], "capacity": [8]}),
        ...     flows=pd.DataFrame({"process": ["bake", "bake"], "good": ["grain", "bread"],
        ...                         "input": [1, 0], "output": [0, 900]}),
        ...     objective={"maximize": {"bread": 1}})
        >>> plan
        <Plan 'plan': 2 goods, 0 units, 1 process, 2 flows, 0 policies, maximize bread>
        """
        from kantorovich.model.frames import frame_fields

        return plan_of(frame_fields(goods=goods, processes=processes, objective=objective,
                                    flows=flows, supply=supply, demand=demand, units=units,
                                    policies=policies, baseline=baseline, name=name,
                                    period=period, description=description))

    # -- changes ------------------------------------------------------------------------
    def with_changes(self, *, supply: Changes | None = None, demand: Changes | None = None,
                     capacity: Changes | None = None, min_level: Changes | None = None,
                     weights: Changes | None = None,
                     rules: Mapping[str, Any] | pd.Series | None = None) -> Plan:
        """A new plan with some numbers changed: the one way every what-if is asked.

        Parameters
        ----------
        supply, demand : mapping or Series, optional
            Good id -> new amount.
        capacity, min_level : mapping or Series, optional
            Process id -> new bound.
        weights : mapping or Series, optional
            Good id -> new objective weight (a good not yet weighted joins the objective).
        rules : mapping or Series, optional
            Policy id -> new constant right-hand side of its rule, or its whole new rule
            (text, a `Rule` or a `Policy`), so that a coefficient may change too: a
            share rule from 40% to 60%. The policy keeps its id and name.

        Raises
        ------
        PlanError
            For an unknown id (with the closest known one), or a number outside what a
            plan file may hold there; nothing is changed.

        Examples
        --------
        >>> import kantorovich as k
        >>> plan = k.load_plan("examples/leningrad.yaml")
        >>> more = plan.with_changes(supply={"wheat": 5_000})
        >>> float(more.goods.at["wheat", "supply"])
        5000.0
        >>> plan.with_changes(supply={"wheet": 1})
        Traceback (most recent call last):
        ...
        kantorovich.errors.PlanError: the plan has 1 problem:
          <plan> (supply.wheet): unknown good 'wheet'
            hint: did you mean 'wheat'?
        """
        from kantorovich.model.changes import changed_plan

        return changed_plan(self, supply=supply, demand=demand, capacity=capacity,
                            min_level=min_level, weights=weights, rules=rules)

    def with_policies(self, policies: Mapping[str, Any] | Iterable[Policy]) -> Plan:
        """The plan with these policies in place of its own, in the forms `from_frames`
        takes: policy id to rule text, to ``{"rule": ..., "name": ...}`` or to a
        `Policy`; or the policies themselves. Checked as a plan file's are.

        Examples
        --------
        >>> import kantorovich as k
        >>> plan = k.load_plan("examples/leningrad.yaml")
        >>> share = plan.with_policies({"share": "output(bread, region='District 3') "
        ...                                      ">= 0.4 * output(bread)"})
        >>> [p.id for p in share.policies]
        ['share']
        """
        from kantorovich.model.changes import given_policies

        return replace(self, policies=given_policies(policies))

    def without_policy(self, policy_id: str) -> Plan:
        """The plan without one policy; an id the plan does not have is a `PlanError`."""
        from kantorovich.model.changes import known_policies

        known_policies(self, [policy_id], "policies")
        return self.with_policies(tuple(p for p in self.policies if p.id != policy_id))

    def with_supply(self, good: str, amount: float) -> Plan:
        """``with_changes(supply={good: amount})``."""
        return self.with_changes(supply={good: amount})

    def with_demand(self, good: str, amount: float) -> Plan:
        """``with_changes(demand={good: amount})``."""
        return self.with_changes(demand={good: amount})

    # -- writing ------------------------------------------------------------------------
    def to_yaml(self) -> str:
        """The plan as the text of a YAML plan file that loads back to an equal plan."""
        from kantorovich.model.writing import plan_to_yaml

        return plan_to_yaml(self)

    def save(self, path: str | Path, *, tables: bool | None = None) -> Path:
        """Write the plan as a YAML file, its large tables as CSV files beside it.

        Parameters
        ----------
        path : str or Path
            The YAML file; each file is written whole or not at all.
        tables : bool, optional
            Write goods, units, processes and flows as ``<stem>.<table>.csv`` (True),
            inline (False), or as CSV once the plan has more than 1,000 processes
            (None).

        Returns
        -------
        Path
            The YAML file written.
        """
        from kantorovich.model.writing import save_plan

        return save_plan(self, path, tables=tables)

    def equals(self, other: object) -> bool:
        """Whether ``other`` is the same plan: the same tables (flows in any order), the
        same objective, policies, baseline, name and period. Where it came from and the
        text a rule was first written in do not count."""
        if not isinstance(other, Plan):
            return False

        def same(a: pd.DataFrame | pd.Series | None, b: pd.DataFrame | pd.Series | None
                 ) -> bool:
            # text may be held as str or object; the values are what count
            if a is None or b is None:
                return a is b
            if not a.index.astype(object).equals(b.index.astype(object)):
                return False
            if isinstance(a, pd.Series) and isinstance(b, pd.Series):
                return bool(a.astype(object).equals(b.astype(object)))
            if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
                return bool(a.astype(object).equals(b.astype(object)))
            return False

        def flows(plan: Plan) -> pd.DataFrame:
            return plan.flows.sort_values(["process", "good"]).reset_index(drop=True)

        def policies(plan: Plan) -> list[tuple[object, ...]]:
            return [(p.id, p.name, p.rule.terms, p.rule.sense, p.rule.rhs)
                    for p in plan.policies]

        def baseline(plan: Plan) -> pd.Series | None:
            return None if plan.baseline is None else plan.baseline.sort_index()

        mine, theirs = self.objective, other.objective
        same_baseline = (self.baseline is None) == (other.baseline is None) and (
            self.baseline is None or same(baseline(self), baseline(other)))
        return (self.name == other.name and self.period == other.period
                and same(self.goods, other.goods) and same(self.units, other.units)
                and same(self.processes, other.processes)
                and same(flows(self), flows(other))
                and (mine.sense, mine.unit, mine.constant)
                == (theirs.sense, theirs.unit, theirs.constant)
                and same(mine.weights, theirs.weights)
                and policies(self) == policies(other) and same_baseline)

    # -- views ---------------------------------------------------------------------------
    @property
    def objective_unit(self) -> str:
        """The unit every objective-valued number is reported in."""
        if self.objective.unit:
            return self.objective.unit
        weights = self.objective.weights
        if self.objective.sense == "maximize_sets":
            return "sets"
        if len(weights) == 1 and float(weights.iloc[0]) == 1.0:
            return str(self.goods.at[weights.index[0], "unit"]) or "objective units"
        return "objective units"

    def good_unit(self, good: str) -> str:
        """The unit ``good`` is measured in."""
        return str(self.goods.at[good, "unit"])

    @cached_property
    def flow_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """Each flow's process and good as positions in `processes` and `goods`: found
        once per plan, from the codes when the flows hold their ids as categoricals."""
        return (positions_in(self.flows["process"], self.processes.index),
                positions_in(self.flows["good"], self.goods.index))

    def process_owners(self) -> tuple[pd.Index, np.ndarray]:
        """Who owns each process's flows when moves are counted: its production unit, or
        the process itself when it has none. Returns the owners' ids (units first, then
        the processes that have no unit; unique) and each process's position there."""
        procs = self.processes
        unit = procs["unit"]
        has = unit.notna().to_numpy()
        if not has.any():
            return procs.index, np.arange(len(procs))
        labels = np.where(has, unit.to_numpy(object), procs.index.to_numpy(object))
        owner, owners = pd.factorize(pd.Index(labels, dtype=object))
        return pd.Index(owners, dtype=object), owner

    def flow_units(self) -> np.ndarray:
        """The production unit of each flow's process; a process with no unit stands for
        itself, so its inputs still have an owner when moves are counted."""
        owners, owner = self.process_owners()
        return owners.to_numpy(object)[owner[self.flow_positions[0]]]

    def rule_unit(self, rule: Rule) -> str:
        """The unit a rule is measured in: its goods' unit when they all share one, and
        none when it counts process levels."""
        units = set()
        for term, _ in rule.terms:
            if term.kind == "level" or term.target not in self.goods.index:
                return ""
            units.add(str(self.goods.at[term.target, "unit"]))
        return units.pop() if len(units) == 1 else ""

    def process_region(self) -> pd.Series:
        """Region of each process (through its unit); missing where none is given."""
        unit = self.processes["unit"]
        if len(self.units):
            return unit.map(self.units["region"])
        return pd.Series(np.full(len(unit), None, dtype=object), index=unit.index,
                         name=unit.name, dtype=object)

    def _objective_words(self) -> str:
        weights = self.objective.weights
        shown = ", ".join(map(str, weights.index[:3])) + (", ..." if len(weights) > 3 else "")
        return f"{self.objective.sense} {shown}"

    def __repr__(self) -> str:
        def count(n: int, word: str, plural: str | None = None) -> str:
            return f"{n:,} {word if n == 1 else plural or word + 's'}"

        return (f"<Plan {self.name!r}: {count(len(self.goods), 'good')}, "
                f"{count(len(self.units), 'unit')}, "
                f"{count(len(self.processes), 'process', 'processes')}, "
                f"{count(len(self.flows), 'flow')}, "
                f"{count(len(self.policies), 'policy', 'policies')}, "
                f"{self._objective_words()}>")

    def _repr_html_(self) -> str:
        """A small summary for Jupyter: name, period, table sizes, objective."""
        esc = html.escape
        rows = [("period", self.period), ("goods", f"{len(self.goods):,}"),
                ("units", f"{len(self.units):,}"),
                ("processes", f"{len(self.processes):,}"),
                ("flows", f"{len(self.flows):,}"), ("policies", f"{len(self.policies):,}"),
                ("objective", self._objective_words()
                 + (f" ({self.objective_unit})" if self.objective.unit else "")),
                ("baseline", "given" if self.baseline is not None else "none")]
        body = "".join(f"<tr><th style='text-align:left'>{esc(k)}</th><td>{esc(str(v))}</td>"
                       "</tr>" for k, v in rows)
        return f"<div><strong>Plan {esc(self.name)}</strong><table>{body}</table></div>"

    def summary(self) -> dict[str, object]:
        """Counts of the plan's tables, for reports and JSON."""
        return {"name": self.name, "period": self.period, "goods": len(self.goods),
                "units": len(self.units), "processes": len(self.processes),
                "flows": len(self.flows), "policies": len(self.policies),
                "objective": self.objective.sense,
                "baseline": self.baseline is not None}


def plan_from_mapping(data: Any, *, source: str | None = None,
                      locate: Locator | None = None, problems: list[Problem] | None = None,
                      spelled: Mapping[tuple[Any, ...], str] | None = None) -> Plan:
    """Validate a plan mapping (as read from any plan file) and build the `Plan`; see
    `kantorovich.model.load.mapping_fields`, which reads and checks it."""
    from kantorovich.model.load import mapping_fields

    return plan_of(mapping_fields(data, source=source, locate=locate, problems=problems,
                                  spelled=spelled))


def load_plan(path: str | Path) -> Plan:
    """Read, validate and check a YAML, TOML or JSON plan file.

    Raises `PlanError` listing every problem found, each with file, line and path.
    """
    from kantorovich.model.load import document_fields

    return plan_of(document_fields(path))


def plan_of(fields: dict[str, Any]) -> Plan:
    """The `Plan` of fields a reader gave (`model.load.PlanFields`); for a plan over
    time, its template made a `Plan` the same way and expanded over the periods
    (`model.horizon`)."""
    from kantorovich.model.load import OVER_TIME, plan_fields

    timed = fields.get(OVER_TIME)
    if timed is None:
        return Plan(**fields)

    def template(data: dict[str, Any], tables: Mapping[str, Any], **how: Any) -> Plan:
        return plan_of(plan_fields(data, tables, **how))

    plan: Plan = timed.plan(template)
    return plan
