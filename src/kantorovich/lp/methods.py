"""One protocol for every way of solving a program, and the names ``--method`` takes.

Each method (`lp.structure`, `lp.merit`, `lp.generation`, HiGHS's in `lp.highs_method`)
offers the same two calls:

``qualifies(lp, asked) -> Verdict``
    whether it can solve the program, and why (not): read off the program, cheap;
``solve(lp, budget, start) -> Candidate``
    its answer within the budget, from what an earlier method found (`Start`): a point,
    prices, a basis and a technique choice where it has them, a bound, and a reason.

A candidate is only a candidate: `results.chain` runs the methods in order, checks every
candidate with the one certificate (`results.certificate`), lets a method polish an
answer that narrowly fails (`Candidate.polish`), and hands what a failed method found to
the next, so that a fallback starts where the last method stopped.

``solve(plan, method=...)`` takes one of `METHODS`:

============  ==========================================================================
method        what runs first (the chain goes on to the next that qualifies)
============  ==========================================================================
auto          structure, merit, generation, then HiGHS by size (simplex or ipm)
structure     the non-substitution method: one primary resource, no capacities, rules
              or joint production (`lp.structure`)
merit         the merit order: capacities and up to two primary resources, a basket of
              sets (`lp.merit`)
generation    technique generation: HiGHS over the techniques in use, priced over all
              (`lp.generation`)
simplex       HiGHS dual simplex: a vertex and its basis
ipm           HiGHS interior point with crossover: a vertex and its basis
pdlp          HiGHS PDLP (first order): no basis, accuracy about 1e-4 to 1e-7, so its
              answer is optimal only when our certificate says so
============  ==========================================================================

A method asked for is tried whatever its size thresholds say; one that does not apply
hands on, and the result's ``method_reason`` says why. The result's ``method`` is always
the method whose answer was certified.

>>> Verdict(False, "the plan has rules")
Verdict(applies=False, reason='the plan has rules')
>>> check_method("merit")
'merit'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from kantorovich.errors import KantorovichError
from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import HighsSession, LpSolution
from kantorovich.lp.program import LinearProgram

__all__ = ["HIGHS_METHODS", "METHODS", "Candidate", "Method", "MethodError", "Start",
           "Verdict", "check_method"]

METHODS = ("auto", "simplex", "ipm", "pdlp", "structure", "merit", "generation")
"""What ``solve`` and ``--method`` accept."""

HIGHS_METHODS = ("simplex", "ipm", "ipm-no-crossover", "pdlp")
"""What `HighsSession.use_method` accepts: the ways HiGHS can solve a program."""


class MethodError(KantorovichError):
    """A method name ``solve`` does not know; bad input, so exit code 2."""

    code = "unknown-method"
    exit_code = 2


def check_method(method: str) -> str:
    """``method`` when `METHODS` has it; `MethodError` with the choices otherwise.

    >>> check_method("ipm")
    'ipm'
    """
    if method not in METHODS:
        raise MethodError(f"unknown method '{method}'",
                          hint=f"methods are {', '.join(METHODS)}")
    return method


@dataclass(frozen=True)
class Verdict:
    """Whether a method can solve a program, and why (not), in one clause."""

    applies: bool
    reason: str

    def __bool__(self) -> bool:
        return self.applies


@dataclass
class Start:
    """What the methods tried so far found, for the next one to start from.

    Parameters
    ----------
    x, row_dual : ndarray, optional
        A point of the full program and its prices (improvement per unit of each row's
        bound), near the optimum.
    col_basis, row_basis : ndarray, optional
        A basis of the full program, as words (``basic``, ``lower``, ``upper``).
    techniques : ndarray, optional
        Process columns that ran in that point: a choice of techniques.
    values : ndarray, optional
        Per made good (`technology.Technology.made_rows`), its value at that choice.
    source : str
        Which method found it.
    """

    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    col_basis: np.ndarray | None = None
    row_basis: np.ndarray | None = None
    techniques: np.ndarray | None = None
    values: np.ndarray | None = None
    source: str = ""

    @property
    def has_basis(self) -> bool:
        return self.col_basis is not None and len(self.col_basis) > 0

    @property
    def has_point(self) -> bool:
        return self.x is not None and self.row_dual is not None and len(self.x) > 0

    def merged(self, later: Start | None) -> Start:
        """This start, with whatever ``later`` (from a later method) has in its place."""
        if later is None:
            return self
        take = {name: getattr(later, name) if getattr(later, name) is not None
                else getattr(self, name)
                for name in ("x", "row_dual", "col_basis", "row_basis", "techniques",
                             "values")}
        return Start(**take, source=later.source or self.source)


@dataclass
class Candidate:
    """One method's answer, before the certificate.

    Parameters
    ----------
    solution : LpSolution or None
        The point, prices and basis (status ``optimal`` when the method claims an
        optimum; ``time_limit`` or ``iteration_limit`` with the best point when it
        stopped; ``infeasible`` or ``unbounded`` when it decided the plan has none); None
        when it found nothing to claim.
    reason : str
        What it took, or why it stopped.
    bound : float
        A bound on the optimum the method proved (NaN when none).
    start : Start, optional
        What the next method may start from (a failed method's best point, its
        techniques).
    polish : callable, optional
        ``polish(budget) -> Candidate``: one more try from this answer, cheaper than
        the next method, for an answer that narrowly fails the certificate (a few warm
        simplex iterations, the solver's second opinion).
    session : HighsSession, optional
        A live solver holding the program and this answer's basis, which the analyses
        re-solve from.
    detail : dict
        Numbers a caller may read (rounds, solves, columns).
    """

    solution: LpSolution | None
    reason: str
    bound: float = float("nan")
    start: Start | None = None
    polish: Callable[[Budget], Candidate] | None = None
    session: HighsSession | None = None
    detail: dict[str, object] = field(default_factory=dict)


class Method(Protocol):
    """What `results.chain` asks of a method."""

    name: str

    def qualifies(self, lp: LinearProgram, asked: bool = False) -> Verdict:
        """Whether this method solves ``lp``, and why (not); ``asked`` when the user named
        it (size thresholds that only make ``auto`` prefer another method do not apply)."""
        ...

    def solve(self, lp: LinearProgram, budget: Budget, start: Start | None = None
              ) -> Candidate:
        """Its candidate for ``lp`` within ``budget``, from ``start`` when given."""
        ...
