"""Pricing a proposed technique at the optimal plan's shadow prices (Nove's complaint
that a planned economy gives "no incentive to innovate": here a new process is valued
the moment it is proposed).

A proposed process is one process in the plan format, in a file of its own::

    id: mill-7-milling          # required: a new process id
    name: Milling at Mill No. 7 # optional, as in a plan
    unit: mill-5                # optional: a production unit the plan declares
    inputs: {wheat: 1}          # per unit of level; goods the plan declares
    outputs: {flour-d5: 0.73}
    capacity: 1000              # optional (no limit when absent); min_level optional

Its *reduced cost* is the improvement of the objective per unit of its level at the
plan's prices, ``improves * c_j - A_j^T y``, read off its own compiled column (so the
rules that count its flows are priced too). It would enter the plan when that is
positive. Its *break-even coefficient* is the yield (its main output, or one input or
output named) at which the reduced cost is zero: the reduced cost is linear in each
coefficient, so two compiled columns give it exactly. The answer is checked by
re-solving the plan with the process added a little above and a little below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kantorovich.errors import PlanError, Problem
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.status import Status
from kantorovich.model.plan import Plan, normalise_flows
from kantorovich.results.chain import solve_program

if TYPE_CHECKING:
    from kantorovich.results.result import PlanResult

__all__ = ["ProcessPrice", "ProposedProcess", "load_process", "price_process",
           "with_process"]

TOLERANCE = 1e-9
"""Reduced cost (relative to the objective coefficients' scale) above which a process
would enter."""
MARGIN = 1e-3
"""Relative step above and below the break-even coefficient for the re-solve check."""


@dataclass(frozen=True)
class ProposedProcess:
    """A technique not yet in the plan: its id, unit, flows per unit of level, bounds."""

    id: str
    inputs: dict[str, float]
    outputs: dict[str, float]
    unit: str | None = None
    name: str = ""
    capacity: float = np.inf
    min_level: float = 0.0

    @property
    def label(self) -> str:
        return self.name or self.id

    def with_coefficient(self, good: str, side: str, value: float) -> ProposedProcess:
        """The same process with the ``side`` ('input' or 'output') coefficient of
        ``good`` set to ``value``."""
        flows = dict(self.inputs if side == "input" else self.outputs)
        flows[good] = float(value)
        if side == "input":
            return replace(self, inputs=flows)
        return replace(self, outputs=flows)


def _problems_in(data: Any, plan: Plan, file: str | None, locate: Any) -> list[Problem]:
    """Every problem of a proposed-process mapping, located like a plan's."""
    from pydantic import ValidationError

    from kantorovich.model import schema
    from kantorovich.model.load import _pydantic_problems, did_you_mean

    if not isinstance(data, dict):
        return [Problem("a proposed process must be a mapping with id, inputs and outputs",
                        file=file, line=locate(()), hint="see `kantorovich price -h`")]
    problems: list[Problem] = []
    body = {k: v for k, v in data.items() if k != "id"}
    pid = data.get("id")
    if not isinstance(pid, str) or not pid:
        problems.append(Problem("'id' is required: the new process's id", "id", file,
                                locate(("id",)), "e.g. id: mill-7-milling"))
    elif pid in plan.processes.index:
        problems.append(Problem(f"process '{pid}' is already in the plan", "id", file,
                                locate(("id",)), "give the proposed process a new id"))
    fields = ", ".join(["id", *schema.ProcessSpec.model_fields])
    try:
        spec = schema.ProcessSpec.model_validate(body)
    except ValidationError as exc:
        spec = None
        problems += [replace(p, hint=f"allowed: {fields}") if p.message.startswith(
            "unknown field") else p for p in _pydantic_problems(exc, file, locate, {})]
    for side in ("inputs", "outputs"):
        flows = body.get(side)
        for good in (flows if isinstance(flows, dict) else {}):
            if good not in plan.goods.index:
                problems.append(Problem(f"unknown good '{good}'", f"{side}.{good}", file,
                                        locate((side, good)),
                                        did_you_mean(good, plan.goods.index)
                                        or "the plan must declare it under 'goods'"))
    if spec is None:
        return problems
    if spec.unit is not None and spec.unit not in plan.units.index:
        problems.append(Problem(f"unknown unit '{spec.unit}'", "unit", file,
                                locate(("unit",)), did_you_mean(spec.unit, plan.units.index)
                                or "the plan must declare it under 'units'"))
    if not spec.inputs and not spec.outputs:
        problems.append(Problem("a proposed process needs inputs or outputs", "", file,
                                locate(()), "e.g. inputs: {wheat: 1}"))
    return problems


def load_process(source: str | Path | dict[str, Any], plan: Plan) -> ProposedProcess:
    """Read and check a proposed process (a file in the format of the module docstring,
    or the same mapping) against ``plan``.

    Raises
    ------
    PlanError
        Listing every problem, located (file, line, path), as for a plan file.
    """
    from kantorovich.model.documents import Locator, read_document

    locate: Locator
    if isinstance(source, dict):
        data, file, locate = source, None, (lambda loc: None)
    else:

        document = read_document(Path(source))
        data, file, locate = document.data, str(source), document.locate
        if document.problems:
            raise PlanError(list(document.problems))
    problems = _problems_in(data, plan, file, locate)
    if problems:
        raise PlanError(problems)
    from kantorovich.model import schema

    spec = schema.ProcessSpec.model_validate({k: v for k, v in data.items() if k != "id"})
    return ProposedProcess(
        id=str(data["id"]), inputs={g: float(a) for g, a in spec.inputs.items()},
        outputs={g: float(a) for g, a in spec.outputs.items()}, unit=spec.unit,
        name=spec.name or "", min_level=float(spec.min_level),
        capacity=np.inf if spec.capacity is None else float(spec.capacity))


def with_process(plan: Plan, process: ProposedProcess) -> Plan:
    """``plan`` with ``process`` added as its last process."""
    row = pd.DataFrame({"name": [process.label], "unit": [process.unit],
                        "min_level": [process.min_level], "capacity": [process.capacity]},
                       index=pd.Index([process.id], name="process", dtype=object))
    goods = [*process.inputs, *process.outputs]
    flows = pd.DataFrame({
        "process": process.id, "good": goods,
        "input": [*process.inputs.values(), *[0.0] * len(process.outputs)],
        "output": [*[0.0] * len(process.inputs), *process.outputs.values()]})
    return replace(plan, processes=pd.concat([plan.processes, row]),
                   flows=normalise_flows(pd.concat([plan.flows, flows], ignore_index=True)),
                   baseline=None)


def _reduced_cost(result: PlanResult, process: ProposedProcess) -> float:
    """``improves * c_j - A_j^T y`` of the process's compiled column at ``result``'s row
    duals (the rows of the plan with it added are the plan's own)."""
    lp = compile_plan(with_process(result.plan, process))
    col = lp.col_positions("process")[-1]
    column = lp.matrix[:, col].toarray().ravel()
    return float(lp.improves * lp.objective[col] - column @ result.solution.row_dual)


@dataclass(frozen=True)
class ProcessPrice:
    """A proposed process valued at a plan's shadow prices.

    Attributes
    ----------
    process : ProposedProcess
    reduced_cost : float
        Improvement of the objective per unit of its level, in objective units.
    enters : bool
        Whether it would enter the plan (reduced cost above the tolerance).
    good, side : str
        The coefficient examined: a good and 'output' or 'input'.
    coefficient : float
        Its value in the proposal.
    break_even : float
        The value at which the reduced cost is zero (NaN when no value of it changes
        the reduced cost: the good has no price here).
    slope : float
        Change of the reduced cost per unit of the coefficient.
    prices_unique : bool
        False when a price the column reads is an interval (a degenerate optimum): the
        break-even then holds at the solver's prices, not at every optimal price.
    not_unique : list of str
        The goods and policies whose prices are intervals.
    checked : bool or None
        Re-solved with the process added: True when it enters just above the break-even
        and not just below; False when a re-solve disagreed; None when not re-solved.
    objective_unit : str
    """

    process: ProposedProcess
    reduced_cost: float
    enters: bool
    good: str
    side: str
    coefficient: float
    break_even: float
    slope: float
    prices_unique: bool = True
    not_unique: list[str] = field(default_factory=list)
    checked: bool | None = None
    objective_unit: str = ""

    @property
    def change(self) -> float:
        """Relative change of the coefficient needed to break even (NaN without one)."""
        if not np.isfinite(self.break_even) or self.coefficient == 0:
            return float("nan")
        return (self.break_even - self.coefficient) / abs(self.coefficient)

    def to_dict(self) -> dict[str, Any]:
        """The valuation as plain JSON (see `kantorovich.serialise`)."""
        from kantorovich.serialise import number

        return {"process": self.process.id, "reduced_cost": number(self.reduced_cost),
                "enters": self.enters, "good": self.good, "side": self.side,
                "coefficient": number(self.coefficient),
                "break_even": number(self.break_even), "change": number(self.change),
                "slope": number(self.slope), "prices_unique": self.prices_unique,
                "not_unique": list(self.not_unique), "checked": self.checked,
                "objective_unit": self.objective_unit}


def _examined(process: ProposedProcess, result: PlanResult, good: str | None
              ) -> tuple[str, str]:
    """The coefficient to examine: ``good`` (an output, else an input, of the process),
    or by default the main output, the one worth most at the plan's prices."""
    if good is not None:
        if good in process.outputs:
            return good, "output"
        if good in process.inputs:
            return good, "input"
        raise PlanError([Problem(f"'{good}' is neither an input nor an output of "
                                 f"'{process.id}'", "coefficient", hint="choose one of: "
                                 + ", ".join([*process.outputs, *process.inputs]))])
    if process.outputs:
        prices = result.shadow_prices
        worth = {g: abs(a * prices.get(g, 0.0)) for g, a in process.outputs.items()}
        return max(worth, key=lambda g: (worth[g], process.outputs[g])), "output"
    return next(iter(process.inputs)), "input"


def _not_unique(result: PlanResult, process: ProposedProcess) -> list[str]:
    """Goods of the column whose price is an interval, where the analyses said so."""
    ranges = result.analyses.price_ranges if getattr(result, "analyses", None) else None
    goods = [*process.inputs, *process.outputs]
    if ranges is None:
        return [] if not result.is_degenerate else goods
    rows = ranges[(ranges["kind"] == "good") & ranges.index.isin(goods)]
    return [str(g) for g in rows.index[~rows["unique"].to_numpy(bool)]]


def _improves_with(result: PlanResult, process: ProposedProcess) -> bool | None:
    """Whether the optimum improves with ``process`` added (None: the re-solve did not
    end in an optimum or an unbounded plan)."""
    # the chain on the compiled plan (the result layer's `solve` would import this
    # module's caller): only its status and objective are read
    again = solve_program(compile_plan(with_process(result.plan, process)),
                          budget=result.budget).solution
    if again.status is Status.UNBOUNDED:
        return True
    if again.status is not Status.OPTIMAL:
        return None
    gain = result.lp.improves * (again.objective - result.objective)
    return gain > TOLERANCE * max(1.0, abs(result.objective))


def _check(result: PlanResult, process: ProposedProcess, good: str, side: str,
           break_even: float, slope: float) -> bool | None:
    """Re-solve with the coefficient a margin past the break-even (it must enter) and a
    margin short of it (it must not)."""
    step = MARGIN * max(abs(break_even), 1e-12)
    better = np.sign(slope) * step
    above = _improves_with(result, process.with_coefficient(good, side, break_even + better))
    below_value = break_even - better
    if below_value < 0:       # a coefficient cannot be negative: nothing below to check
        return above
    below = _improves_with(result, process.with_coefficient(good, side, below_value))
    if above is None or below is None:
        return None
    return bool(above and not below)


def price_process(result: PlanResult, process: ProposedProcess | str | Path | dict[str, Any],
                  *, coefficient: str | None = None, check: bool = True) -> ProcessPrice:
    """Value a proposed process at ``result``'s shadow prices.

    Parameters
    ----------
    result : PlanResult
        An optimal result.
    process : ProposedProcess, path or mapping
        The proposal (see the module docstring for the file format).
    coefficient : str, optional
        The good whose coefficient (an output's, else an input's) is examined; by
        default the main output.
    check : bool, default True
        Re-solve the plan with the process added just above and just below the
        break-even coefficient.

    Returns
    -------
    ProcessPrice
    """
    result.raise_for_status()
    if not isinstance(process, ProposedProcess):
        process = load_process(process, result.plan)
    good, side = _examined(process, result, coefficient)
    flows = process.outputs if side == "output" else process.inputs
    a0 = flows[good]
    rc = _reduced_cost(result, process)
    slope = _reduced_cost(result, process.with_coefficient(good, side, a0 + 1.0)) - rc
    scale = max(1.0, float(np.abs(result.lp.objective).max(initial=0.0)))
    enters = rc > TOLERANCE * scale
    moves = abs(slope) > TOLERANCE * scale
    break_even = a0 - rc / slope if moves else float("nan")
    if break_even < 0:      # no coefficient a process can have breaks even
        break_even = float("nan")
    not_unique = _not_unique(result, process)
    checked = None
    if check and moves and np.isfinite(break_even) and break_even > 0:
        checked = _check(result, process, good, side, break_even, slope)
    return ProcessPrice(process=process, reduced_cost=rc + 0.0, enters=bool(enters),
                        good=good, side=side, coefficient=a0, break_even=break_even,
                        slope=slope, prices_unique=not not_unique, not_unique=not_unique,
                        checked=checked, objective_unit=result.objective_unit)
