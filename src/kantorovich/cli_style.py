"""How every command of the command line shows its help and its errors, shared by the
main app and its sub-apps (`kantorovich.economy.cli`). Imports only typer and rich, so
start-up stays light."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

__all__ = ["Command", "Group", "report_failure"]


def _flags_without_metavar(params: list[Any]) -> list[Any]:
    """A flag takes no value, so its help shows none (typer's rich help says ``<bool>``)."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class Command(TyperCommand):
    """A command whose flags, ``--help`` included, show no ``<bool>`` in help."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_without_metavar(super().get_params(ctx))


class Group(TyperGroup):
    """A group (the app, or a sub-app), with flags shown as in `Command`."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_without_metavar(super().get_params(ctx))


def report_failure(console: Console, exc: Exception, *, what: str = "plan") -> int:
    """Print a failed input on ``console`` (stderr) as every command does: for a
    `PlanError` every problem with its place and hint, else the message; never markup
    from the user. Returns the exit code to end with (the error's own, else 2)."""
    problems = getattr(exc, "problems", None)
    if problems is not None:
        n = len(problems)
        where = escape(str(problems[0].file or what)) if n else what
        console.print(f"[bold red]error[/]: {where}: {n} problem{'s' if n != 1 else ''}")
        for p in problems:
            console.print(f"  {p.location()}: {p.message}", markup=False)
            if p.hint:
                console.print(f"      hint: {p.hint}", markup=False)
    else:
        console.print(f"error: {exc}", markup=False)
    return int(getattr(exc, "exit_code", 2))
