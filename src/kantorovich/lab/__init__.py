"""The institutions laboratory: planning regimes tested by simulation on true worlds.

A world (a plan, or an input-output economy) whose production units privately know
their capacities and yields; regimes that plan from what units report (`quota`,
`central`, `weitzman`, `prices`, `kornai-liptak`, `market`, `democratic`, or one's own
subclass of `Regime`); units that choose reports, output and innovation effort as
stationary best responses to the regime's rules. See docs/lab.md for every assumption and source.

Names are imported on first use, so ``kantorovich lab --help`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kantorovich._lazy import lazy_names

__all__ = ["Experiment", "Regime", "Results", "load_experiment", "make_experiment",
           "run_cell", "run_experiment"]

_HOME = {name: "kantorovich.lab.run" for name in __all__}
_HOME["Regime"] = "kantorovich.lab.regimes.base"

__getattr__, __dir__ = lazy_names(__name__, _HOME)

if TYPE_CHECKING:
    from kantorovich.lab.regimes.base import Regime
    from kantorovich.lab.run import (Experiment, Results, load_experiment, make_experiment,
                                     run_cell, run_experiment)
