"""One command's time allowance, shared by every solve it makes.

``--time-limit 6`` means six seconds for the whole command, not six for each of the
dozens of re-solves that ranging, price intervals, moves and rule costs make. A `Budget`
holds one deadline; each analysis takes a `share` of what is left, and every solve is
given only the seconds that remain (HiGHS's own clock adds up over the runs of one
instance, so `lp.highs` converts the deadline into its terms before each run).

>>> b = Budget(None)
>>> b.limited, b.expired()
(False, False)
>>> b.share(0.5).limited
False
>>> Budget(0).expired()
True
"""

from __future__ import annotations

import math
import threading
import time

from kantorovich.errors import KantorovichError

__all__ = ["Budget", "Interrupted", "clear_stop", "enable_interrupts", "interrupts_enabled",
           "request_stop", "solving", "stop_requested"]


class Budget:
    """A deadline on the monotonic clock; ``None`` seconds means no limit."""

    __slots__ = ("deadline", "seconds")

    def __init__(self, seconds: float | None = None, *, _deadline: float | None = None) -> None:
        if _deadline is not None:
            self.deadline = _deadline
        elif seconds is None or math.isinf(seconds):
            self.deadline = math.inf
        else:
            self.deadline = time.monotonic() + max(float(seconds), 0.0)
        self.seconds = seconds

    @classmethod
    def of(cls, value: Budget | float | None) -> Budget:
        """A budget from a budget, a number of seconds, or None (no limit)."""
        return value if isinstance(value, Budget) else cls(value)

    @property
    def limited(self) -> bool:
        return math.isfinite(self.deadline)

    def remaining(self) -> float:
        """Seconds left (``inf`` without a limit, never negative)."""
        return max(self.deadline - time.monotonic(), 0.0) if self.limited else math.inf

    def expired(self) -> bool:
        return self.limited and time.monotonic() >= self.deadline

    def share(self, fraction: float) -> Budget:
        """A sub-budget of ``fraction`` of what is left now (it ends no later than this)."""
        if not self.limited:
            return Budget(None)
        now = time.monotonic()
        left = max(self.deadline - now, 0.0)
        return Budget(_deadline=now + left * min(max(fraction, 0.0), 1.0))

    def at_most(self, seconds: float) -> Budget:
        """A sub-budget ending after ``seconds`` or at this budget's deadline, if sooner."""
        return Budget(_deadline=min(self.deadline, time.monotonic() + max(seconds, 0.0)))

    def __repr__(self) -> str:
        left = self.remaining()
        return "<Budget unlimited>" if not self.limited else f"<Budget {left:.3f}s left>"


class Interrupted(KantorovichError):
    """The command was asked to stop (SIGINT or SIGTERM) while it was working."""

    code = "interrupted"
    exit_code = 130


# A stop asked for by a signal handler. HiGHS polls it through its interrupt callbacks, so
# a solve ends at its next iteration instead of running to the end with SIGINT ignored.
_stop = threading.Event()
_solving = threading.local()


_interruptible = threading.Event()


def enable_interrupts() -> None:
    """Have every solver session made from now on poll `stop_requested` (once an
    iteration, through a callback). The CLI turns it on when it installs its signal
    handlers; a library caller whose SIGINT still raises KeyboardInterrupt needs none."""
    _interruptible.set()


def interrupts_enabled() -> bool:
    return _interruptible.is_set()


def request_stop() -> None:
    """Ask every running and future solve to stop at its next iteration (signal-safe)."""
    _stop.set()


def stop_requested() -> bool:
    return _stop.is_set()


def clear_stop() -> None:
    _stop.clear()


def solving() -> bool:
    """True while this thread is inside a solver run: a signal handler must not raise
    there (the exception would cross the solver's C++ frames); it asks for a stop."""
    return getattr(_solving, "depth", 0) > 0


class solver_running:  # noqa: N801 - used as a context manager, named for what it marks
    """Marks the current thread as inside a solver run (see `solving`)."""

    def __enter__(self) -> None:
        _solving.depth = getattr(_solving, "depth", 0) + 1

    def __exit__(self, *exc: object) -> None:
        _solving.depth -= 1
