"""Solve statuses in our own words, independent of any solver's enum."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Status"]


class Status(StrEnum):
    """How a solve ended. Only ``OPTIMAL`` carries prices and a certificate."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    ERROR = "error"

    @property
    def is_ok(self) -> bool:
        return self is Status.OPTIMAL

    @property
    def exit_code(self) -> int:
        """0 optimal, 1 no optimum (infeasible, unbounded, limit reached)."""
        return 0 if self.is_ok else 1
