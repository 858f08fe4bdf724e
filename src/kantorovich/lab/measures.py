"""The laboratory's measures: each a number per regime, seed and period.

* ``efficiency``: the objective reached / the **ex-post** optimum: the engine's optimum of
  the same world with the capacities and yields actually realised after the shocks, same
  political rules (at most 1 wherever no rule was broken); ``efficiency_ex_ante`` is the
  old figure, against the optimum without shocks at this period's yields (luck and
  incentives mixed);
* ``shortage``: Kornai's shortage, the mean over final goods of the share of final demand
  not delivered (final demand: the ex-post optimum's final deliveries, at least the plan's
  demands), against demand, not against anyone's targets;
* ``shortfall``: plan fulfilment, the share of the regime's own targets (and of the plan's
  demands) unmet: a regime that sets low targets looks good here, which is why
  ``shortage`` exists;
* ``worst_region``: the lowest fulfilment (made / target) of a region's targets (of a
  unit's where the world names no regions): against the regime's own targets too;
* ``misreport``: reported / true capacity, averaged over units (1 = truthful);
* ``output_share``: levels run / true capacity, averaged over units;
* ``hoarded``: inputs a unit received (or kept) beyond what its production used, as a share
  of what it received, averaged over its input goods and over units with receipts;
* ``at_bound``: the share of units whose report sits at the top of the report range (the
  rules reward over-reporting without limit: the figure is the range's, not the unit's);
* ``innovation``: mean yield growth this period;
* ``messages``, ``rounds``: numbers sent between units and centre, planning iterations;
* ``rules_broken``: the world's political rules the outcome breaks; and any a regime adds
  (``converged``, ``cycling``, ``diverging``, ``unconverged``, ``infeasible``).

Summaries (`summarise`): the mean over periods of each seed, then their mean over seeds
with a 95% interval: Student's t for other measures (cut at 0 for those that cannot be
negative, `NONNEGATIVE`); for shares (`SHARES`, bounded in
[0, 1]) a percentile bootstrap of the seed means, which stays inside [0, 1]. Paired
differences (`differences`): per seed, the regime's mean less the baseline's under the
same seed (common random numbers), then their mean and a Student-t interval.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import pandas as pd

__all__ = ["MEASURES", "SHARES", "differences", "fulfilment_by_group", "interval",
           "summarise"]

MEASURES = ("efficiency", "efficiency_ex_ante", "shortage", "misreport", "output_share",
            "shortfall", "worst_region", "hoarded", "at_bound", "innovation", "messages",
            "rounds", "rules_broken")
SHARES = frozenset({"output_share", "shortfall", "shortage", "worst_region", "hoarded",
                    "at_bound", "converged", "cycling", "diverging", "unconverged",
                    "infeasible"})
#: measures that cannot be negative: a Student-t interval is cut at 0
NONNEGATIVE = frozenset({"efficiency", "efficiency_ex_ante", "misreport", "innovation",
                         "messages", "rounds", "rules_broken"})
_RESAMPLES = 4000


def fulfilment_by_group(group: np.ndarray, targets: np.ndarray, levels: np.ndarray) -> float:
    """The lowest ``sum(levels) / sum(targets)`` (capped at 1) over groups with targets."""
    codes, index = np.unique(group, return_inverse=True)
    want = np.bincount(index, weights=targets, minlength=len(codes))
    made = np.bincount(index, weights=np.minimum(levels, targets), minlength=len(codes))
    has = want > 1e-12 * max(1.0, float(want.max(initial=0)))
    return float(np.min(made[has] / want[has])) if has.any() else 1.0


def _t_half(v: np.ndarray) -> float:
    from scipy import stats

    if len(v) < 2:
        return 0.0
    return float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))


def interval(values: np.ndarray, share: bool = False) -> dict[str, float | None]:
    """Mean and 95% interval of per-seed values: Student's t, or for a share a
    percentile bootstrap (deterministic resampling), clipped to [0, 1].

    >>> interval(np.array([0.0, 0.0, 0.0, 1.0]), share=True)["low"] >= 0
    True
    """
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not len(v):
        return {"mean": None, "low": None, "high": None}
    mean = float(v.mean())
    if len(v) < 2 or np.ptp(v) == 0:
        low = high = mean
    elif share:
        rng = np.random.default_rng(20_260_101)
        means = v[rng.integers(0, len(v), (_RESAMPLES, len(v)))].mean(axis=1)
        low, high = (float(x) for x in np.quantile(means, [0.025, 0.975]))
        low, high = max(0.0, min(low, mean)), min(1.0, max(high, mean))
    else:
        half = _t_half(v)
        low, high = mean - half, mean + half
    entry: dict[str, float | None] = {"mean": mean, "low": low, "high": high}
    return {k: (x if x is not None and math.isfinite(x) else None) for k, x in entry.items()}


def _per_seed(measures: pd.DataFrame) -> pd.Series:
    return measures.groupby(["regime", "measure", "seed"], sort=False)["value"].mean()


def summarise(measures: pd.DataFrame) -> dict[str, dict[str, dict[str, float | None]]]:
    """``{regime: {measure: {"mean", "low", "high"}}}`` over seeds (95% interval)."""
    per_seed = _per_seed(measures)
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for key, values in per_seed.groupby(level=[0, 1], sort=False):
        # grouped by two levels, each key is a (regime, measure) pair (pandas-stubs
        # types a group's key as one scalar whatever the levels)
        regime, measure = cast(tuple[Any, Any], key)
        entry = interval(values.to_numpy(float), share=str(measure) in SHARES)
        if str(measure) in NONNEGATIVE and entry["low"] is not None:
            entry["low"] = max(0.0, entry["low"])
        out.setdefault(str(regime), {})[str(measure)] = entry
    return out


def differences(measures: pd.DataFrame, baseline: str
                ) -> dict[str, dict[str, dict[str, float | None]]]:
    """``{regime: {measure: {"mean", "low", "high"}}}`` of (regime - ``baseline``) over
    the seeds both ran (paired: the same seed meets the same luck in both)."""
    per_seed = _per_seed(measures).unstack("seed")
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    regimes = list(dict.fromkeys(measures["regime"]))
    if baseline not in regimes:
        return out
    base = per_seed.loc[baseline]
    for regime in regimes:
        if regime == baseline:
            continue
        mine = per_seed.loc[regime]
        for measure in mine.index:
            if measure not in base.index:
                continue
            d = (mine.loc[measure] - base.loc[measure]).to_numpy(float)
            entry = interval(d)
            if measure in SHARES and entry["mean"] is not None:
                entry = {k: min(1.0, max(-1.0, x)) if x is not None else None
                         for k, x in entry.items()}
            out.setdefault(str(regime), {})[str(measure)] = entry
    return out
