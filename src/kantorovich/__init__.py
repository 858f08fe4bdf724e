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
from typing import TYPE_CHECKING

from kantorovich._lazy import lazy_names

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
    "load_plan": "kantorovich.io",
    "moves": "kantorovich.explain.analyses",
    "policy_costs": "kantorovich.explain.policies",
    "replan": "kantorovich.results.replan",
    "solve": "kantorovich.results.result",
    "write_report": "kantorovich.report.html",
}

__all__ = [
    "Certificate", "KantorovichError", "Objective", "Plan", "PlanError", "PlanResult",
    "PlanStatusError", "Policy", "Problem", "Session", "Status", "analyse",
    "explain", "load_plan", "moves", "policy_costs", "replan", "solve", "write_report",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time `__getattr__` does this
    from kantorovich.errors import KantorovichError, PlanError, PlanStatusError, Problem
    from kantorovich.explain.analyses import Analyses, analyse, moves
    from kantorovich.explain.policies import policy_costs
    from kantorovich.explain.story import Explanation
    from kantorovich.io import load_plan
    from kantorovich.lp.status import Status
    from kantorovich.model.plan import Objective, Plan, Policy
    from kantorovich.results.certificate import Certificate
    from kantorovich.results.replan import replan
    from kantorovich.results.result import PlanResult, solve
    from kantorovich.results.session import Session
    from kantorovich.report.html import write_report

# The subpackage ``kantorovich.explain`` (its __init__ imports nothing) is loaded before
# the function of the same name is defined: the import system sets a package's attribute
# only when it first loads a subpackage, so the function below is never replaced by it.
# Its modules are imported by their full names (``from kantorovich.explain.story import
# explain``).
importlib.import_module("kantorovich.explain")


def explain(result: PlanResult, analyses: Analyses | None = None) -> Explanation:
    """The plan explained in sentences: headline, moves, policies, prices, processes
    (`kantorovich.explain.story.explain`)."""
    from kantorovich.explain.story import explain as explained

    return explained(result, analyses)


__getattr__, __dir__ = lazy_names(__name__, _HOME)
