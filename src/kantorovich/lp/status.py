"""Solve statuses in our own words, independent of any solver's enum, with the exit code
each one gives the command line.

==========  =========================================================================
exit code   meaning
==========  =========================================================================
0           optimal, and the certificate (checked by our own code) verified it
1           infeasible or unbounded: the plan has no optimum (the diagnosis says why)
2           bad input: the plan, a path or an option (every problem listed)
3           stopped by a limit (time or iterations) before an optimum was proven
4           the solver's answer could not be verified, or the solver failed
5           an input/output error (disk full, broken pipe) while writing the answer
130, 143    interrupted by SIGINT or SIGTERM
==========  =========================================================================
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Status"]


class Status(StrEnum):
    """How a solve ended. Only ``OPTIMAL`` is an answer proven optimal."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    UNVERIFIED = "unverified"   # the solver said optimal; our certificate did not confirm it
    ERROR = "error"

    @property
    def is_ok(self) -> bool:
        return self is Status.OPTIMAL

    @property
    def has_solution(self) -> bool:
        """A point with prices exists (optimal, or claimed optimal but not verified)."""
        return self in (Status.OPTIMAL, Status.UNVERIFIED)

    @property
    def no_optimum(self) -> bool:
        """The plan itself has no optimum (as opposed to the solve stopping early)."""
        return self in (Status.INFEASIBLE, Status.UNBOUNDED)

    @property
    def exit_code(self) -> int:
        """See the module docstring."""
        return _EXIT[self]


_EXIT = {Status.OPTIMAL: 0, Status.INFEASIBLE: 1, Status.UNBOUNDED: 1, Status.TIME_LIMIT: 3,
         Status.ITERATION_LIMIT: 3, Status.UNVERIFIED: 4, Status.ERROR: 4}
