"""kantorovich: optimal economic planning with shadow prices.

Plan -> compiled linear program -> HiGHS -> `PlanResult` -> explanations and reports.

>>> import kantorovich as k
>>> plan = k.Plan.from_dict({
...     "name": "Two mills",
...     "goods": {"wheat": {"unit": "t"}, "flour": {"unit": "t"}},
...     "processes": {"a": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.70}},
...                   "b": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.721},
...                         "capacity": 1200}},
...     "supply": {"wheat": 2000},
...     "objective": {"maximize": {"flour": 1}},
... })
>>> result = k.solve(plan)
>>> result.status
<Status.OPTIMAL: 'optimal'>
>>> round(result.objective, 3), round(float(result.shadow_prices["wheat"]), 3)
(1425.2, 0.7)

The public names are imported on first use, not here: ``kantorovich --help`` and
``--version`` (and ``import kantorovich.errors``) then cost no pandas, scipy, pyarrow,
pydantic, lark or HiGHS.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: each public name and the module that defines it
_HOME = {
    "Certificate": "kantorovich.results.certificate",
    "KantorovichError": "kantorovich.errors",
    "Objective": "kantorovich.model.plan",
    "Plan": "kantorovich.model.plan",
    "PlanError": "kantorovich.errors",
    "PlanResult": "kantorovich.results.result",
    "PlanStatusError": "kantorovich.errors",
    "Policy": "kantorovich.model.plan",
    "Problem": "kantorovich.errors",
    "Session": "kantorovich.results.session",
    "Status": "kantorovich.lp.status",
    "analyse": "kantorovich.explain.analyses",
    "explain": "kantorovich.explain",
    "load_plan": "kantorovich.io",
    "moves": "kantorovich.explain.analyses",
    "policy_costs": "kantorovich.explain.policies",
    "replan": "kantorovich.results.replan",
    "solve": "kantorovich.results.result",
    "write_report": "kantorovich.report.html",
}

#: ``kantorovich.explain`` is the explain subpackage itself, which is callable: called
#: with a result it gives the sentences (see `kantorovich.explain`)
_MODULES = {"explain"}

__all__ = [
    "Certificate", "KantorovichError", "Objective", "Plan", "PlanError", "PlanResult",
    "PlanStatusError", "Policy", "Problem", "Session", "Status", "analyse",
    "explain", "load_plan", "moves", "policy_costs", "replan", "solve", "write_report",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time `__getattr__` does this
    from kantorovich.errors import KantorovichError, PlanError, PlanStatusError, Problem
    from kantorovich.explain.analyses import analyse, moves
    from kantorovich.explain.policies import policy_costs
    from kantorovich import explain
    from kantorovich.io import load_plan
    from kantorovich.lp.status import Status
    from kantorovich.model.plan import Objective, Plan, Policy
    from kantorovich.results.certificate import Certificate
    from kantorovich.results.replan import replan
    from kantorovich.results.result import PlanResult, solve
    from kantorovich.results.session import Session
    from kantorovich.report.html import write_report


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name here."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'kantorovich' has no attribute {name!r}")
    module = importlib.import_module(home)
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
