"""The error tree: one base error with a code, an exit code and a hint.

::

    KantorovichError            code, exit_code, hint
    ├── PlanError               bad input: every problem at once, each with file, line, path, hint
    └── PlanStatusError         a solve that did not reach an optimum, raised only on request

The CLI maps ``exit_code`` to the process exit status: 2 for bad input, 1 for a plan
that is infeasible or unbounded. Library code raises; it never prints or exits.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KantorovichError", "PlanError", "PlanStatusError", "Problem"]


class KantorovichError(Exception):
    """Base of every error this package raises on purpose."""

    code = "error"
    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan, located as precisely as the input allows."""

    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    hint: str | None = None

    def location(self) -> str:
        where = self.file or "<plan>"
        if self.line is not None:
            where += f":{self.line}"
        if self.path:
            where += f" ({self.path})"
        return where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        return text if not self.hint else f"{text}\n    hint: {self.hint}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "path": self.path,
                "message": self.message, "hint": self.hint}


class PlanError(KantorovichError):
    """A plan that cannot be read or does not make sense; lists every problem found."""

    code = "invalid-plan"
    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        head = f"the plan has {n} problem{'s' if n != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))

    def __str__(self) -> str:
        return self.message

    def errors(self) -> list[dict[str, object]]:
        """Every problem as a plain dict (file, line, path, message, hint)."""
        return [p.to_dict() for p in self.problems]


class PlanStatusError(KantorovichError):
    """Raised by ``PlanResult.raise_for_status()`` when the plan has no optimum."""

    code = "no-optimum"
    exit_code = 1
