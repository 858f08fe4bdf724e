"""Warm sessions for many browsers at once: a pool, each session behind its own lock.

A `Session` holds one live HiGHS model, which can solve one program at a time. The pool
keeps ``workers`` sessions of the same plan, each solved once at start (so every what-if
starts from the base optimum's basis), and lends a free one to each request for its
solve and analyses (which re-solve on models of their own: the answer holds no live
solver); the page is made after the session is handed back. A request that finds every
session busy waits for the first to come free; it never shares one.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from kantorovich.explain.analyses import Analyses, analyse
from kantorovich.model.plan import Plan
from kantorovich.results.result import PlanResult
from kantorovich.results.session import Session

__all__ = ["Answer", "SessionPool"]


@dataclass
class Answer:
    """One what-if solved and analysed, as ``kantorovich solve --json`` would see it."""

    result: PlanResult
    analyses: Analyses


class _Lent:
    """One session and the lock that keeps a second solve off its HiGHS instance."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.lock = threading.Lock()


class SessionPool:
    """``workers`` warm sessions of ``plan``; `solve` lends one to each call.

    Parameters
    ----------
    plan : Plan
    workers : int
        How many what-ifs may be solved at once.
    time_limit : float, optional
        Seconds for each what-if: its solve and its analyses (as ``--time-limit`` is for
        one ``kantorovich solve``).
    """

    def __init__(self, plan: Plan, *, workers: int = 1,
                 time_limit: float | None = None) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one session")
        self.plan = plan
        self.time_limit = time_limit
        self._free: queue.SimpleQueue[_Lent] = queue.SimpleQueue()
        self.sessions = [_Lent(Session(plan, time_limit=time_limit)) for _ in range(workers)]
        self.base: PlanResult | None = None
        for lent in self.sessions:
            base = lent.session.solve()       # the base optimum every what-if starts from
            if self.base is None:
                self.base = base
                analyse(base)
            self._free.put(lent)

    @property
    def workers(self) -> int:
        return len(self.sessions)

    @property
    def free(self) -> int:
        """Sessions not solving now."""
        return self._free.qsize()

    def solve(self, changes: Mapping[str, Mapping[str, float]]) -> Answer:
        """Solve the plan with ``changes`` (`Plan.with_changes`'s arguments) on a free
        session, then analyse the answer as ``kantorovich solve`` does.

        Raises
        ------
        PlanError
            For an unknown id (with the closest known one) or a number the plan cannot
            hold; the session is handed back unchanged.
        """
        given = {kind: dict(values) for kind, values in changes.items() if values}
        if not given and self.base is not None:
            return Answer(self.base, analyse(self.base))
        lent = self._free.get()
        try:
            with lent.lock:                   # never two solves on one HiGHS instance
                result = lent.session.solve(**given)
            # the analyses re-solve on their own models (the answer holds no live
            # solver), but within the same slot: ``workers`` what-ifs at once, each with
            # the processor time its analyses' allowance assumes
            found = analyse(result)
        finally:
            self._free.put(lent)
        return Answer(result, found)
