"""Unit behaviour: a stationary, discounted best response to the regime's known rules.

A unit maximises its expected discounted payoff ``sum_t discount^t (bonus_t - effort_cost
* y_t - innovation_cost * e_t)`` over an **unending** future, so the length of an
experiment never moves its choice (a finite horizon made units sandbag less as the
experiment's end neared: Weitzman (1980) studies the stationary ratchet). The value
function is found by policy iteration (Howard 1960): a greedy choice for every state,
then the exact value of that policy from one sparse linear system, until the policy stops
changing; with ``discount: 0`` the unit is myopic and its value is this period's payoff.
Quantities are in units of the unit's initial capacity, so one solution serves every unit
with the same reliability.

* **state**: ``tau``, the standing target the rules carry between periods (the quota's
  ratcheted target, or the output the centre saw last; a grid over twice the largest
  capacity; one point where the rules keep none), and ``k``, the innovations so far
  (capacity ``g = (1 + innovation_step)^k``, ``k`` up to 12, beyond which a further
  innovation is valued as the twelfth);
* **report** ``r`` (reported / true capacity) from 0 to 3 in steps of 0.05, plus the
  capacity left after a shortfall, so a quantile report is on the grid. 0 is a natural
  bound (no negative capacities); 3 is not: a report there means the rules reward
  over-reporting without limit, and the run says so (measure ``at_bound``);
* **effort** ``e`` (0 or 1): with chance ``innovation`` the yield rises by
  ``innovation_step`` next period;
* **output** ``y`` from 0 to capacity (41 steps) is chosen *after* the centre's target
  is known (`Responses.output_for`): the same value function, the actual target, not an
  ad-hoc margin kept from the report stage. A shortfall, drawn after the choice, cuts what
  can be made to ``(1 - size) g``; the unit weighs both outcomes.

Ties go to the most truthful report, to no effort, and to more output. Honest units are
not optimised (`kantorovich.lab.run`). Limits: units do not foresee other units or prices
moving, and expect the target their report brings under the rules (`UnitRules.target`).

>>> from kantorovich.lab.behaviour import UnitRules, best_responses
>>> from kantorovich.lab.experiment import Behaviour
>>> resp = best_responses(UnitRules(), Behaviour())
>>> r, e = resp.choose(np.zeros(1), np.zeros(1, int))
>>> float(r[0]), float(resp.output_for(np.ones(1), r, np.zeros(1), np.zeros(1, int), e)[0])
(1.0, 1.0)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

__all__ = ["OUTPUTS", "REPORT_TOP", "Responses", "UnitRules", "best_responses",
           "report_grid"]

REPORT_TOP = 3.0
OUTPUTS = np.linspace(0.0, 1.0, 41)
_TAUS = 81
_TIE = 1e-9
_MOST_INNOVATIONS = 12
_MAX_POLICY_ROUNDS = 200


def report_grid(size: float = 0.0) -> np.ndarray:
    """Reports on the grid: 0 to `REPORT_TOP` by 0.05, and ``1 - size``."""
    grid = np.round(np.linspace(0.0, REPORT_TOP, int(round(REPORT_TOP / 0.05)) + 1), 12)
    return np.unique(np.append(grid, np.round(1.0 - size, 12)))


@dataclass(frozen=True)
class UnitRules:
    """The incentive rules a unit knows; the default pays a share of output (a profit
    share at unchanged prices), so the best response is to report truly and make all
    it can. Subclasses override the rules; they must be frozen dataclasses (the solution
    is cached by their value). ``start`` is the standing target of the first period as
    a share of true capacity (the achieved level before the experiment)."""

    share: float = 0.5
    standing: bool = False       # whether the rules carry a target between periods
    start: float = 0.0

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
    """A unit's stationary policy: value per (standing target, innovations), the report
    and effort it chooses there, and what it needs to choose output against a target."""

    taus: np.ndarray           # grid of standing targets
    reports: np.ndarray        # the report grid
    value: np.ndarray          # [tau, k]
    report: np.ndarray         # [tau, k]
    effort: np.ndarray         # [tau, k]
    rules: UnitRules
    discount: float
    cost: float
    innovation: float
    growth: np.ndarray         # capacity per k
    outcomes: tuple[tuple[float, float], ...]

    def _where(self, tau: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        i = np.abs(self.taus[None, :] - np.asarray(tau, float)[:, None]).argmin(axis=1)
        return i, np.minimum(np.asarray(k, int), len(self.growth) - 1)

    def choose(self, tau: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Report and effort of units in these states (nearest standing target)."""
        i, k = self._where(tau, k)
        return self.report[i, k], self.effort[i, k]

    def output_for(self, target: np.ndarray, r: np.ndarray, tau: np.ndarray,
                   k: np.ndarray, effort: np.ndarray) -> np.ndarray:
        """The output each unit chooses once its actual ``target`` is known (in units of
        initial capacity), weighing this period's bonus and the standing target it
        leaves, under the same value function."""
        _, k = self._where(tau, k)
        g = self.growth[k][:, None]
        y = OUTPUTS[None, :] * g
        target = np.asarray(target, float)[:, None]
        r = np.asarray(r, float)[:, None]
        tau = np.asarray(tau, float)[:, None]
        e = np.asarray(effort, float)[:, None]
        up = np.minimum(k + 1, len(self.growth) - 1)
        total = _TIE * OUTPUTS[None, :]
        for p, left in self.outcomes:
            made = np.minimum(y, left * g)
            pay = self.rules.bonus(target, r, made, g) - self.cost * made
            nxt = self.rules.next_tau(target, made, tau) + 0 * made
            stay = self._value_at(nxt, k)
            rise = self._value_at(nxt, up)
            cont = (1 - e * self.innovation) * stay + e * self.innovation * rise
            total = total + p * (pay + self.discount * cont)
        return OUTPUTS[total.argmax(axis=1)] * g[:, 0]

    def _value_at(self, tau: np.ndarray, k: np.ndarray) -> np.ndarray:
        """V(tau, k) per row (each row its own k), linear between grid points."""
        if len(self.taus) == 1:
            return self.value[0, k][:, None] + 0 * tau
        x = np.clip(tau, self.taus[0], self.taus[-1])
        step = self.taus[1] - self.taus[0]
        j = np.clip(((x - self.taus[0]) // step).astype(int), 0, len(self.taus) - 2)
        w = (x - self.taus[j]) / step
        col = self.value[:, k]                 # [tau, units]
        rows = np.arange(tau.shape[0])[:, None]
        return (1 - w) * col[j, rows] + w * col[j + 1, rows]


def best_responses(rules: UnitRules, behaviour: Any, *, chance: float = 0.0,
                   size: float = 0.0) -> Responses:
    """The unit's stationary policy (cached: pure in its arguments)."""
    b = behaviour
    key = (float(b.discount), float(b.effort_cost), float(b.innovation),
           float(b.innovation_step), float(b.innovation_cost), bool(b.reliability))
    return _solve(rules, key, float(chance) if key[-1] else 0.0,
                  float(size) if key[-1] else 0.0)


def _interp_weights(x: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left grid index and weight of the right point for linear interpolation."""
    if len(grid) == 1:
        return np.zeros(x.shape, int), np.zeros(x.shape)
    x = np.clip(x, grid[0], grid[-1])
    step = grid[1] - grid[0]
    j = np.clip(((x - grid[0]) // step).astype(int), 0, len(grid) - 2)
    return j, (x - grid[j]) / step


@functools.lru_cache(maxsize=256)
def _solve(rules: UnitRules, key: tuple, chance: float, size: float) -> Responses:
    discount, cost, q, step, effort_cost, _ = key
    ks = _MOST_INNOVATIONS + 1 if q > 0 else 1
    growth = (1.0 + step) ** np.arange(ks)
    taus = (np.linspace(0.0, 2.0 * growth[-1], _TAUS) if rules.standing
            else np.zeros(1))
    reports = report_grid(size if chance > 0 else 0.0)
    n_tau = len(taus)
    outcomes = ((1.0 - chance, 1.0),) + (((chance, 1.0 - size),) if chance > 0 else ())
    # every (tau, r, y, e) of every k: this period's expected payoff and where it leads
    r = reports[None, :, None, None]
    yf = OUTPUTS[None, None, :, None]
    e = np.array([0.0, 1.0])[None, None, None, :]
    tau = taus[:, None, None, None]
    shape = (n_tau, len(reports), len(OUTPUTS), 2)
    tie = _TIE * (np.abs(r - 1.0) + 0.1 * e - 0.01 * yf)
    pay_k, next_k = [], []
    for k in range(ks):
        g = growth[k]
        target = rules.target(r, tau, g) + 0 * yf
        y = yf * g
        pay = np.broadcast_to(-effort_cost * e - tie, shape).copy()
        nexts = []
        for p, left in outcomes:
            made = np.minimum(y, left * g)
            pay = pay + p * np.broadcast_to(rules.bonus(target, r, made, g) - cost * made,
                                            shape)
            nexts.append(np.broadcast_to(rules.next_tau(target, made, tau),
                                         shape[:3] + (1,))[..., 0])
        pay_k.append(pay)
        # where each choice leads (no effort dimension: effort moves k, not tau)
        next_k.append([(j, w, np.minimum(j + 1, n_tau - 1))
                       for j, w in (_interp_weights(n, taus) for n in nexts)])
    value = np.zeros((n_tau, ks))
    policy = np.full((n_tau, ks), -1)
    for _ in range(_MAX_POLICY_ROUNDS):
        # improvement: the greedy choice against the current value
        new_policy = np.empty((n_tau, ks), int)
        for k in range(ks):
            up = min(k + 1, ks - 1)
            total = pay_k[k].copy()
            if discount > 0:
                vk, vu = value[:, k], value[:, up]
                stay = np.zeros(shape[:3])
                rise = np.zeros(shape[:3])
                for (p, _), (j, w, j1) in zip(outcomes, next_k[k]):
                    stay += p * ((1 - w) * vk[j] + w * vk[j1])
                    if q > 0:
                        rise += p * ((1 - w) * vu[j] + w * vu[j1])
                total[..., 0] += discount * stay
                total[..., 1] += discount * (stay + q * (rise - stay))
            new_policy[:, k] = total.reshape(n_tau, -1).argmax(axis=1)
        if np.array_equal(new_policy, policy):
            break
        policy = new_policy
        # evaluation: the exact value of this policy, (I - discount P) V = R
        reward = np.empty((n_tau, ks))
        rows, cols, probs = [], [], []
        for k in range(ks):
            at = np.unravel_index(policy[:, k], shape[1:])
            ti = np.arange(n_tau)
            reward[:, k] = pay_k[k][(ti,) + at]
            up = min(k + 1, ks - 1)
            effort_on = at[2].astype(float)
            for (p, _), (j, w, _) in zip(outcomes, next_k[k]):
                jj, ww = j[(ti,) + at[:2]], w[(ti,) + at[:2]]
                for kk, pk in ((k, 1 - q * effort_on), (up, q * effort_on)):
                    for col, wt in ((jj, 1 - ww), (np.minimum(jj + 1, n_tau - 1), ww)):
                        rows.append(ti * ks + k)
                        cols.append(col * ks + kk)
                        probs.append(p * pk * wt)
        n = n_tau * ks
        if discount > 0:
            P = sp.csr_matrix((np.concatenate(probs), (np.concatenate(rows),
                                                       np.concatenate(cols))), (n, n))
            value = spla.spsolve((sp.identity(n, format="csc") - discount * P).tocsc(),
                                 reward.ravel()).reshape(n_tau, ks)
        else:
            value = reward
    at = np.unravel_index(policy, shape[1:])
    return Responses(taus, reports, value, reports[at[0]], at[2].astype(float), rules,
                     float(discount), float(cost), float(q), growth, outcomes)
