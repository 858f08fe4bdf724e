"""The one solving chain: every method behind one protocol, every candidate certified.

`solve_program` is the only way a program is solved (``kantorovich.solve``, `Session`,
sweeps, the laboratory and the economy commands all come here). It runs the methods of
`lp.methods` in order, each as far as it applies:

1. the structure method (`lp.structure.Structure`),
2. the merit order (`lp.merit.Merit`),
3. technique generation (`lp.generation.Generation`),
4. HiGHS on the whole program (`lp.highs_method.Highs`), which applies to anything.

A method asked for by name goes first; the rest follow in this order (``simplex``,
``ipm`` and ``pdlp`` are HiGHS alone). Where an earlier method hands on a basis of the
whole program (the merit order's last choice of techniques), ``auto`` goes from it to
HiGHS's warm simplex rather than to technique generation: on the economies of
`benchmarks/chain.py` the warm simplex took half the iterations of a cold one, and
generation, which starts from techniques and not from a basis, was no faster than HiGHS
whole. Each candidate is checked by the one certificate
(`results.certificate.certify`) on the full program. One that narrowly fails is polished
by its own method (`lp.methods.Candidate.polish`: a few warm simplex iterations with
tighter tolerances, not a new solve; then, for HiGHS, its second opinion from scratch),
and one still refused, or a method that stopped
without an answer, hands what it found to the next (`lp.methods.Start`: its basis for a
warm simplex, its point for HiGHS's crossover, its techniques for the next method's
first choice), so that a fallback starts where the last method stopped.

The answer's ``method`` is the method whose candidate was certified; ``reason`` tells
the chain's story: which methods did not apply or failed, and why, then how the answer
was found. A candidate stopped by the budget is returned as it is (``time_limit``,
never optimal); a last candidate the certificate refuses is ``unverified`` with its
certified residuals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from kantorovich.lp.budget import Budget
from kantorovich.lp.generation import Generation
from kantorovich.lp.highs import HighsSession, LpSolution
from kantorovich.lp.highs_method import Highs
from kantorovich.lp.merit import Merit
from kantorovich.lp.methods import (HIGHS_METHODS, Candidate, Method, Start, Verdict,
                                   check_method)
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.lp.structure import Structure
from kantorovich.results.certificate import Certificate, certify

__all__ = ["ORDER", "Solved", "residuals", "solve_program"]

log = logging.getLogger(__name__)

ORDER = ("structure", "merit", "generation", "highs")
"""The chain's methods, in the order ``auto`` tries them."""

_POLISHES = 2
"""Polishes of one refused answer, at most: a method may offer a cheap one first and a
thorough one after it (HiGHS: warm with tighter tolerances, then from scratch)."""


@dataclass
class Solved:
    """The chain's answer.

    Parameters
    ----------
    solution : LpSolution
        The certified optimum, or the best the chain has with a status that says why it
        is not one.
    certificate : Certificate or None
        The certificate of its point (None without a point).
    method : str
        The method that produced it: ``structure``, ``merit``, ``generation``,
        ``simplex``, ``ipm``, ``ipm-no-crossover`` or ``pdlp``.
    reason : str
        The chain's story, for people.
    session : HighsSession or None
        A live solver holding the program and the answer's basis (HiGHS's answers).
    start : Start or None
        What the method that produced it hands on (its techniques and values): where a
        what-if of the same plan starts.
    """

    solution: LpSolution
    certificate: Certificate | None
    method: str
    reason: str
    session: HighsSession | None = None
    start: Start | None = None


def residuals(cert: Certificate) -> str:
    """The certificate's residuals in words, for an answer not proven optimal.

    >>> residuals(Certificate(3e-5, 0.0, 1e-9, 2e-6, 1.0, 1.0))
    'primal infeasibility 3e-05, dual infeasibility 0, complementary slackness 1e-09, duality gap 2e-06 (tolerance 1e-06)'
    """
    return (f"primal infeasibility {cert.primal_infeasibility:.1g}, dual infeasibility "
            f"{cert.dual_infeasibility:.1g}, complementary slackness "
            f"{cert.complementary_slackness:.1g}, duality gap {cert.duality_gap:.1g} "
            f"(tolerance {cert.tolerance:.0e})")


def _worst(cert: Certificate) -> str:
    failures = cert.failures()
    return failures[0].message if failures else residuals(cert)


def _order(method: str) -> tuple[str, ...]:
    if method in HIGHS_METHODS:
        return ("highs",)
    if method == "auto":
        return ORDER
    return (method, *(name for name in ORDER if name != method))


def _label(name: str, candidate: Candidate) -> str:
    return str(candidate.detail.get("method", name)) if name == "highs" else name


def solve_program(lp: LinearProgram, *, method: str = "auto",
                  budget: Budget | float | None = None, verbose: bool = False,
                  start: Start | None = None,
                  methods: Mapping[str, Method] | None = None) -> Solved:
    """Solve ``lp`` by the chain; see the module docstring.

    Parameters
    ----------
    lp : LinearProgram
        The program (a compiled plan, or any program of this package's shape).
    method : str
        One of `lp.methods.METHODS`.
    budget : Budget or float, optional
        The time allowance for the whole chain.
    verbose : bool
        Keep HiGHS's log (passed on to logging).
    start : Start, optional
        What to start from (a `Session`'s techniques of the plan solved before).
    methods : mapping of name to Method, optional
        Methods to use in place of the chain's own, by name (``structure``, ``merit``,
        ``generation``, ``highs``): a `Session` passes its warm ones.

    Raises
    ------
    MethodError
        For a method not in `METHODS`.
    """
    check_method(method)
    budget = Budget.of(budget)
    chain: dict[str, Method] = {
        "structure": Structure(), "merit": Merit(), "generation": Generation(),
        "highs": Highs(method if method in HIGHS_METHODS else "auto", verbose=verbose)}
    chain.update(methods or {})
    story: list[str] = []
    order = _order(method)
    for position, name in enumerate(order):
        final = position == len(order) - 1
        asked = name == method or (name == "highs" and method in HIGHS_METHODS)
        verdict = chain[name].qualifies(lp, asked)
        if verdict and name == "generation" and not asked and start is not None \
                and start.has_basis:
            verdict = Verdict(False, f"the basis of {start.source} starts HiGHS's simplex "
                              "nearer the optimum")
        if not verdict:
            story.append(f"{name} was asked for, but {verdict.reason}" if asked
                         else f"not {name}: {verdict.reason}")
            continue
        candidate = chain[name].solve(lp, budget, start)
        if name not in (methods or {}):
            # a method the chain made is not asked again: what it keeps between solves
            # (the structure method's techniques, factors and keys, gigabytes at 10^7
            # processes) is let go before the certificate, not held beside it
            del chain[name]
        start = (start or Start()).merged(candidate.start)
        outcome = _judge(lp, name, candidate, budget, story, final)
        if outcome is not None:
            return outcome
        if budget.expired():
            break
    # only reached when the budget ran out between methods
    return Solved(LpSolution(Status.TIME_LIMIT, message="the time budget was spent"), None,
                  order[-1], "; ".join([*story, "the time budget ran out"]))


def _judge(lp: LinearProgram, name: str, candidate: Candidate, budget: Budget,
           story: list[str], final: bool) -> Solved | None:
    """The chain's answer when ``candidate`` (or its polished form) ends it; None (with
    the story told) when the next method should try."""
    label = _label(name, candidate)
    solution = candidate.solution

    def told(reason: str) -> str:
        return "; ".join([*story, reason])

    if solution is None:
        story.append(f"{'' if final else 'not '}{name}: {candidate.reason}")
        return None
    if solution.status is not Status.OPTIMAL:
        stopped = solution.status in (Status.TIME_LIMIT, Status.ITERATION_LIMIT)
        if final or not stopped or budget.expired():
            cert = (certify(lp, solution.x, solution.row_dual) if len(solution.x)
                    else None)
            reason = candidate.reason
            if cert is not None and stopped:
                reason += f"; not proven optimal: primal infeasibility " \
                          f"{cert.primal_infeasibility:.1g}, objective " \
                          f"{solution.objective:.9g}"
                if candidate.bound == candidate.bound:
                    reason += f" against the bound {candidate.bound:.9g}"
            return Solved(solution, cert, label, told(reason), candidate.session)
        story.append(f"not {name}: {candidate.reason}")
        return None
    cert = certify(lp, solution.x, solution.row_dual)
    if cert.verified:
        return Solved(solution, cert, label, told(_certified(name, candidate.reason)),
                      candidate.session, candidate.start)
    first = cert
    for _ in range(_POLISHES):
        if candidate.polish is None or budget.expired():
            break
        polished = candidate.polish(budget)
        again = polished.solution
        if again is None or again.status is not Status.OPTIMAL:
            break
        cert = certify(lp, again.x, again.row_dual)
        if cert.verified:
            return Solved(again, cert, _label(name, polished),
                          told(_certified(name, polished.reason)), polished.session,
                          polished.start)
        candidate, solution = polished, again
    if final:
        message = "the solver's answer failed our certificate: " + residuals(cert)
        solution = replace(solution, status=Status.UNVERIFIED, message=message)
        return Solved(solution, cert, _label(name, candidate),
                      told(f"{candidate.reason}; not proven optimal: {message}"),
                      candidate.session)
    story.append(f"{name}'s answer failed the certificate ({_worst(first)})")
    return None


def _certified(name: str, reason: str) -> str:
    return reason if name == "highs" else f"{reason}; certified on the full program"
