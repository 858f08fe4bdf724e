"""The laboratory's measures: each a number per regime, seed and period.

* ``efficiency``: the objective reached in the true world / its optimum at this period's
  yields and true capacities (1 = optimal; shortfalls by bad luck count against it);
* ``misreport``: reported / true capacity, averaged over units (1 = truthful);
* ``output_share``: levels run / true capacity, averaged over units;
* ``shortfall``: the share unmet, averaged over every positive target and every demand;
* ``worst_region``: the lowest fulfilment (levels run / targets) of a region (of a unit
  where the world names no regions);
* ``hoarded``: inputs received for targets and kept unused, as a share of those received,
  averaged over units with a target;
* ``innovation``: mean yield growth this period;
* ``messages``, ``rounds``: numbers sent between units and centre, planning iterations;
* ``rules_broken``: the world's political rules the outcome breaks; and any a regime adds
  (``converged``, ``cycling``, ``diverging``, ``infeasible``).

Interval over seeds (`summarise`): the mean over periods of each seed, then their mean
and a 95% Student-t interval (a single seed has an interval of zero width).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["MEASURES", "fulfilment_by_group", "summarise"]

MEASURES = ("efficiency", "misreport", "output_share", "shortfall", "worst_region",
            "hoarded", "innovation", "messages", "rounds", "rules_broken")


def _per_unit_mean(values: np.ndarray, mask: np.ndarray) -> float:
    return float(values[mask].mean()) if mask.any() else float("nan")


def fulfilment_by_group(group: np.ndarray, targets: np.ndarray, levels: np.ndarray) -> float:
    """The lowest ``sum(levels) / sum(targets)`` (capped at 1) over groups with targets."""
    codes, index = np.unique(group, return_inverse=True)
    want = np.bincount(index, weights=targets, minlength=len(codes))
    made = np.bincount(index, weights=np.minimum(levels, targets), minlength=len(codes))
    has = want > 1e-12 * max(1.0, float(want.max(initial=0)))
    return float(np.min(made[has] / want[has])) if has.any() else 1.0


def summarise(measures: pd.DataFrame) -> dict[str, dict[str, dict[str, float | None]]]:
    """``{regime: {measure: {"mean", "low", "high"}}}`` over seeds (95% interval)."""
    from scipy import stats

    per_seed = measures.groupby(["regime", "measure", "seed"], sort=False)["value"].mean()
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for (regime, measure), values in per_seed.groupby(level=[0, 1], sort=False):
        v = values.to_numpy(float)
        v = v[np.isfinite(v)]
        if not len(v):
            entry = {"mean": None, "low": None, "high": None}
        else:
            mean = float(v.mean())
            if len(v) > 1:
                half = float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
            else:
                half = 0.0
            entry = {"mean": mean, "low": mean - half, "high": mean + half}
            if not all(math.isfinite(x) for x in entry.values()):  # type: ignore[arg-type]
                entry = {k: (x if math.isfinite(x) else None)  # type: ignore[arg-type]
                         for k, x in entry.items()}
        out.setdefault(str(regime), {})[str(measure)] = entry
    return out
