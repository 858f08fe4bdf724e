"""What a plan states besides its tables: the objective it optimises and the policies
(political rules) it keeps.

They are defined here, below `kantorovich.model.plan` and the readers that build plans
(`model.load`, `model.frames`), so that the readers need not import the `Plan` class;
`kantorovich.model.plan` re-exports both, where the engine has always found them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from kantorovich.errors import PlanError
from kantorovich.model.rules import Rule, RuleSyntaxError, parse_rule, rule_problem

__all__ = ["Objective", "Policy", "Sense"]

Sense = Literal["maximize", "minimize", "maximize_sets"]


@dataclass(frozen=True)
class Objective:
    """What the plan optimises.

    ``maximize``: sum of weight x net output (outputs - inputs) per good.
    ``minimize``: sum of weight x net use (inputs - outputs) per good.
    ``maximize_sets``: the number of complete sets, net output of each good >= count x sets.
    """

    sense: Sense
    weights: pd.Series
    unit: str = ""
    constant: float = 0.0

    @property
    def is_maximize(self) -> bool:
        """Whether a larger objective is better (``maximize`` and ``maximize_sets``)."""
        return self.sense != "minimize"


@dataclass(frozen=True)
class Policy:
    """A named political rule: a linear (in)equality over levels, inputs and outputs.

    ``rule`` may be given as text in the rules language; it is parsed when the policy is
    made, so a rule that cannot be read is refused here (`PlanError`, located at
    ``policies.<id>.rule``), not when the plan is solved.

    Examples
    --------
    >>> Policy("cap", "level(mill-3) <= 3000").rule.rhs
    3000.0
    """

    id: str
    rule: Rule
    name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.rule, str):
            try:
                object.__setattr__(self, "rule", parse_rule(self.rule))
            except RuleSyntaxError as exc:
                raise PlanError([rule_problem(self.id, self.rule, exc)]) from None
        elif not isinstance(self.rule, Rule):
            raise PlanError([rule_problem(self.id, repr(self.rule),
                                          RuleSyntaxError("a rule must be text"))])

    @property
    def label(self) -> str:
        """What sentences call the policy: its name, or its id."""
        return self.name or self.id
