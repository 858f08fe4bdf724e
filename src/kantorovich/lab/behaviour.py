"""Unit behaviour: a computed best response to the regime's known rules.

A unit maximises its discounted payoff ``sum_t discount^t (bonus_t - effort_cost * y_t
- innovation_cost * e_t)`` over the experiment's periods, by backward induction on a
grid. Quantities are in units of the unit's initial capacity (output at its first
yield), so one solution serves every unit with the same reliability.

* **state**: ``tau``, the standing target the rules carry from period to period (the
  quota's ratcheted target, or the output the centre saw last: a grid of 61 points; a
  single point where the rules keep none), and ``k``, the number of innovations so far
  (capacity ``g = (1 + innovation_step)^k``; the value of innovating is counted for
  the first 30);
* **choices**: the report ``r`` (reported capacity / true capacity, 0.5 to 1.5 in steps
  of 0.05), output ``y`` (0 to full capacity in 21 steps) and innovation effort ``e``
  (0 or 1: with chance ``innovation`` the yield rises by ``innovation_step`` next period);
* **chance**: where reliability is drawn, with the unit's chance a shortfall cuts what it
  can make to ``(1 - size) g``; the unit weighs both outcomes;
* **rules** (`UnitRules`, given by the regime): the target the centre will set for a
  report, the bonus, and the next standing target.

Ties go to the most truthful report and then to no effort. Honest units (``honest:
true``) are not optimised: they report the truth, make what they are asked up to their
capacity, and spend effort on innovation. Hoarding is a rule of the world, not a choice
here: with ``hoarding: true`` a unit that makes less than its target keeps the inputs it
was given for the rest. Limits: units do not foresee other units or prices moving, and
the centre's use of a unit is taken as given (its target is its report, or its standing
target); see docs/lab.md.

>>> from kantorovich.lab.behaviour import UnitRules, best_responses
>>> from kantorovich.lab.experiment import Behaviour
>>> plan = best_responses(UnitRules(), Behaviour(), periods=3)
>>> float(plan.report[0, 0, 0]), float(plan.output[0, 0, 0])
(1.0, 1.0)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["REPORTS", "OUTPUTS", "Responses", "UnitRules", "best_responses"]

REPORTS = np.round(np.linspace(0.5, 1.5, 21), 12)
OUTPUTS = np.linspace(0.0, 1.0, 21)
_TAUS = 61
_TIE = 1e-9
_MOST_INNOVATIONS = 30


@dataclass(frozen=True)
class UnitRules:
    """The incentive rules a unit knows; the default pays a share of output (a profit
    share at unchanged prices), so the best response is to report truly and make all
    it can. Subclasses override the three rules; they must be frozen dataclasses (the
    solution is cached by their value)."""

    share: float = 0.5
    standing: bool = False       # whether the rules carry a target between periods

    def target(self, r: np.ndarray, tau: np.ndarray, g: np.ndarray) -> np.ndarray:
        """The target the unit expects for report ``r`` (share of capacity ``g``)."""
        return r * g

    def bonus(self, target: np.ndarray, r: np.ndarray, y: np.ndarray,
              g: np.ndarray) -> np.ndarray:
        """The unit's bonus for making ``y`` against ``target``."""
        return self.share * y + 0 * target

    def next_tau(self, target: np.ndarray, y: np.ndarray, tau: np.ndarray) -> np.ndarray:
        """The standing target of the next period."""
        return tau + 0 * y


@dataclass(frozen=True)
class Responses:
    """Best choices per period, standing target and innovations so far."""

    taus: np.ndarray           # grid of standing targets
    report: np.ndarray         # [period, tau, k]
    output: np.ndarray         # [period, tau, k] (absolute, in initial-capacity units)
    effort: np.ndarray         # [period, tau, k]
    target: np.ndarray         # [period, tau, k]: the target the unit planned for

    def at(self, period: int, tau: np.ndarray, k: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Choices of units in these states (nearest standing target on the grid)."""
        i = np.abs(self.taus[None, :] - np.asarray(tau, float)[:, None]).argmin(axis=1)
        k = np.minimum(k, self.report.shape[2] - 1)
        return (self.report[period, i, k], self.output[period, i, k],
                self.effort[period, i, k], self.target[period, i, k])


def best_responses(rules: UnitRules, behaviour: object, periods: int, *,
                   chance: float = 0.0, size: float = 0.0) -> Responses:
    """The unit's optimal choices for every state (cached: pure in its arguments)."""
    b = behaviour
    key = (b.discount, b.effort_cost, b.innovation, b.innovation_step,  # type: ignore
           b.innovation_cost, bool(b.reliability))  # type: ignore[attr-defined]
    return _solve(rules, key, periods, float(chance) if key[-1] else 0.0,
                  float(size) if key[-1] else 0.0)


@functools.lru_cache(maxsize=256)
def _solve(rules: UnitRules, key: tuple, periods: int, chance: float,
           size: float) -> Responses:
    discount, cost, q, step, effort_cost, _ = key
    ks = min(periods, _MOST_INNOVATIONS) + 1   # innovations beyond that add no value here
    growth = (1.0 + step) ** np.arange(ks)
    taus = (np.linspace(0.0, 1.5 * growth[-1], _TAUS) if rules.standing
            else np.zeros(1))
    n_tau = len(taus)
    value = np.zeros((n_tau, ks))
    shape = (periods, n_tau, ks)
    report, output, effort, target_out = (np.zeros(shape) for _ in range(4))
    r = REPORTS[None, :, None, None]
    yf = OUTPUTS[None, None, :, None]
    e = np.array([0.0, 1.0])[None, None, None, :]
    tau = taus[:, None, None, None]
    outcomes = [(1.0 - chance, 1.0)] + ([(chance, 1.0 - size)] if chance > 0 else [])
    tie = _TIE * (np.abs(r - 1.0) + 0.1 * e)
    for t in range(periods - 1, -1, -1):
        new_value = np.zeros_like(value)
        for k in range(ks):
            g = growth[k]
            target = rules.target(r, tau, g) + 0 * yf + 0 * e
            y = yf * g
            total = -effort_cost * e - tie + 0 * target
            for p, left in outcomes:
                made = np.minimum(y, left * g)
                pay = rules.bonus(target, r, made, g) - cost * made
                nxt = rules.next_tau(target, made, tau) + 0 * e
                stay = np.interp(nxt, taus, value[:, k]) if n_tau > 1 else value[0, k] + 0 * nxt
                up = min(k + 1, ks - 1)
                rise = (np.interp(nxt, taus, value[:, up]) if n_tau > 1
                        else value[0, up] + 0 * nxt)
                cont = e * (q * rise + (1 - q) * stay) + (1 - e) * stay
                total = total + p * (pay + discount * cont)
            flat = total.reshape(n_tau, -1)
            best = flat.argmax(axis=1)
            ri, yi, ei = np.unravel_index(best, total.shape[1:])
            new_value[:, k] = flat[np.arange(n_tau), best] + _TIE * (
                np.abs(REPORTS[ri] - 1.0) + 0.1 * ei)
            report[t, :, k] = REPORTS[ri]
            output[t, :, k] = OUTPUTS[yi] * g
            effort[t, :, k] = ei
            target_out[t, :, k] = target[np.arange(n_tau), ri, yi, ei]
        value = new_value
    return Responses(taus, report, output, effort, target_out)
