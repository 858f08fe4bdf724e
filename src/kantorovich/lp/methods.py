"""Which method solves a program, and why.

``solve(plan, method=...)`` takes one of `METHODS`:

============  ==========================================================================
method        what runs
============  ==========================================================================
auto          ``structure`` when the plan qualifies (`lp.structure`), else ``generation``
              when it qualifies (`lp.generation.qualifies`), else HiGHS by size
simplex       HiGHS dual simplex: a vertex and its basis
ipm           HiGHS interior point with crossover: a vertex and its basis
pdlp          HiGHS PDLP (first order): no basis, accuracy about 1e-4 to 1e-7, so its
              answer is optimal only when our certificate says so
structure     the exact non-substitution method of `lp.structure`; plans that do not
              qualify are solved by HiGHS as ``auto`` would, and the reason says why
generation    technique generation (`lp.generation`): HiGHS on a restricted program over
              the techniques in use, priced over all techniques by its duals, warm
              re-solves, certified on the full program (`results.generation`); a plan
              whose restricted program has no optimum is solved by HiGHS as a whole
============  ==========================================================================

The choice is data (`MethodChoice`: the method used and a sentence saying why), kept on
the result, so the command line and the summary can say it.

>>> choose_highs_method(10_000, 40_000).method
'simplex'
>>> choose_highs_method(2_000_000, 8_000_000).method
'ipm'
"""

from __future__ import annotations

from dataclasses import dataclass

from kantorovich.errors import KantorovichError

__all__ = ["HIGHS_METHODS", "METHODS", "MethodChoice", "MethodError", "check_method",
           "choose_highs_method"]

METHODS = ("auto", "simplex", "ipm", "pdlp", "structure", "generation")
"""What ``solve`` and ``--method`` accept."""

HIGHS_METHODS = ("simplex", "ipm", "ipm-no-crossover", "pdlp")
"""What `HighsSession.use_method` accepts: the ways HiGHS can solve a program."""

IPM_FROM_NONZEROS = 200_000
"""``auto`` hands a program with this many nonzeros or more to interior point with
crossover rather than the dual simplex: measured on economies with choice of technique
(benchmarks/methods.py), from about this size the simplex's iteration count, which grows
with the rows, makes it the slower of the two; below it the simplex's warm, exact vertex
wins and costs the analyses nothing."""


class MethodError(KantorovichError):
    """A method name ``solve`` does not know; bad input, so exit code 2."""

    code = "unknown-method"
    exit_code = 2


@dataclass(frozen=True)
class MethodChoice:
    """The method that solved a program, and why it was chosen.

    Parameters
    ----------
    method : str
        One of ``structure``, ``simplex``, ``ipm``, ``ipm-no-crossover``, ``pdlp``.
    reason : str
        One sentence, for people: why this method (and, after a fallback, why not the
        one asked for).
    """

    method: str
    reason: str

    def __str__(self) -> str:
        return f"{self.method} ({self.reason})"


def check_method(method: str) -> str:
    """``method`` when `METHODS` has it; `MethodError` with the choices otherwise.

    >>> check_method("ipm")
    'ipm'
    """
    if method not in METHODS:
        raise MethodError(f"unknown method '{method}'",
                          hint=f"methods are {', '.join(METHODS)}")
    return method


def choose_highs_method(columns: int, nonzeros: int, *, asked: str = "auto"
                        ) -> MethodChoice:
    """The HiGHS method for a program of ``columns`` columns and ``nonzeros`` nonzeros.

    Parameters
    ----------
    columns, nonzeros : int
        The program's size.
    asked : str
        ``auto`` (or ``structure``, falling back) chooses by size; ``simplex``, ``ipm``
        and ``pdlp`` are taken as asked.

    Returns
    -------
    MethodChoice
    """
    if asked in HIGHS_METHODS:
        return MethodChoice(asked, "asked for")
    size = f"{columns:,} columns, {nonzeros:,} nonzeros"
    if nonzeros >= IPM_FROM_NONZEROS:
        return MethodChoice("ipm", f"{size}: from {IPM_FROM_NONZEROS:,} nonzeros interior "
                            "point with crossover is faster than the simplex")
    return MethodChoice("simplex", f"{size}: below {IPM_FROM_NONZEROS:,} nonzeros the dual "
                        "simplex is fastest")
