"""The built-in regimes, one file each; importing this package registers them."""

from kantorovich.lab.regimes import (central, democratic, market, prices,  # noqa: F401
                                     quota, weitzman)
from kantorovich.lab.regimes.base import CentreView, Planned, Regime, known

__all__ = ["CentreView", "Planned", "Regime", "registered"]


def registered() -> dict[str, type[Regime]]:
    """Every regime type known: the built-in ones and user subclasses defined so far."""
    return known()
