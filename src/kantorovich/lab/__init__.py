"""The institutions laboratory: planning regimes tested by simulation on true worlds.

A world (a plan, or an input-output economy) whose production units privately know
their capacities and yields; regimes that plan from what units report (`quota`,
`central`, `weitzman`, `prices`, `market`, `democratic`, or one's own subclass of
`Regime`); units that choose reports, output and innovation effort as computed best
responses to the regime's rules. See docs/lab.md for every assumption and source.

Names are imported on first use, so ``kantorovich lab --help`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Experiment", "Regime", "Results", "load_experiment", "make_experiment",
           "run_cell", "run_experiment"]

_HOME = {name: "kantorovich.lab.run" for name in __all__}
_HOME["Regime"] = "kantorovich.lab.regimes.base"


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'kantorovich.lab' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
