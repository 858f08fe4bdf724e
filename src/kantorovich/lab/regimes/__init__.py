"""The built-in regimes, one file each; importing this package registers them."""

from kantorovich.lab.regimes import (central, democratic, kornai_liptak,  # noqa: F401
                                     market, prices, quota, weitzman)
from kantorovich.lab.regimes.base import CentreView, Planned, Regime, known

__all__ = ["CentreView", "Planned", "Regime", "registered"]


def registered() -> dict[str, type[Regime]]:
    """Every regime type known: the built-in ones and user subclasses defined so far."""
    return known()
