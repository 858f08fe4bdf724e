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
"""

from kantorovich.errors import KantorovichError, PlanError, PlanStatusError, Problem
from kantorovich.io import load_plan
from kantorovich.lp.status import Status
from kantorovich.model.plan import Objective, Plan, Policy
from kantorovich.results.certificate import Certificate
from kantorovich.results.result import PlanResult, solve

__version__ = "0.1.0"

__all__ = [
    "Certificate", "KantorovichError", "Objective", "Plan", "PlanError", "PlanResult",
    "PlanStatusError", "Policy", "Problem", "Status", "load_plan", "solve",
]
