"""How every command of the command line shows its help, shared by the main app and its
sub-apps (`kantorovich.economy.cli`). Imports only typer, so start-up stays light."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup

__all__ = ["Command", "Group"]


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
