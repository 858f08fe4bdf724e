"""``kornai-liptak``: two-level planning by quotas (Kornai and Lipták 1965).

Quantity-directive, the counterpart of ``prices``: the centre hands out quantities and
the sectors answer with prices (Kornai, J. and Lipták, T. (1965) "Two-level planning",
Econometrica 33(1): 141-169). Each sector (a unit) gets a *quota* of every constraint it
shares with other sectors: of each shared good, the net amount it may use (or, where
the quota is negative, must deliver), and of each political rule that spans sectors,
its share of the rule's bound; the quotas of a constraint add up to what the economy
has. The sector solves its own small program (its processes at their reported
capacities, the goods and rules that are its alone, and its quotas) and answers with
the value it reaches and the shadow prices of its quotas: what one more unit of each
would be worth to it. The centre moves quotas toward the higher shadow prices and asks
again. An allocation every sector can live within is a feasible plan of the reported
world; the plan adopted is the best such allocation found.

**The centre's update** (our choice, not the paper's: Kornai and Lipták prove
convergence of a fictitious play, Brown-Robinson, between the centre and the sectors,
far too slow to simulate). Each answer is a cut: a linear upper estimate of the
sector's value as a function of its quotas (``value + price x (quota - quota then)``:
the value of a linear program is concave in its right-hand side). The centre keeps every
cut and allocates the quotas the cuts value most (Kelley's cutting-plane method, the
resource-directive side of decomposition; Kelley, J. E. (1960) "The cutting-plane method
for solving convex programs", J. SIAM 8(4): 703-712; Geoffrion, A. M. (1970) "Primal
resource-directive approaches for optimizing nonlinear decomposable systems",
Operations Research 18(3): 375-403), within a box around the best allocation so far (a
trust region, after Marsten, R. E., Hogan, W. W. and Blankenship, J. W. (1975) "The
BOXSTEP method for large-scale optimization", Operations Research 23(3): 389-405: a
quarter of each quota's range at first, doubled after a round that found a better plan,
halved after one that did not, down to a hundredth; before any allocation is feasible,
anywhere within each sector's reported range of activity). A sector that cannot live
within its quotas says by how much (the least total violation of its constraints) and
at what prices; the centre then keeps out of that region (a feasibility cut, as in
Benders, J. F. (1962) "Partitioning procedures for solving mixed-variables programming
problems", Numerische Mathematik 4: 238-252). The centre's program over the quotas and
the sectors' programs (all sectors in one block-diagonal program a round, warm-started:
vectorised over processes) are solved by HiGHS through the project's LP layer.

It stops when the centre's bound (no allocation in the sectors' ranges can give more)
is within ``tolerance`` (relative) of the best feasible plan, after ``patience`` rounds
without a better plan, or after ``max_rounds``. With honest units and no shocks it
reaches the optimum of the reported world (tested: efficiency at least 0.99; measured
1 to 1e-6 on Leningrad in 5 rounds, 217 numbers against 21 for technology reports; on
`experiments/worlds/workshops.yaml` in 55 rounds, 3,704 numbers against 1,950: many
rounds go to allocations some sector cannot meet). **Where it stops short:** with one
technique per sector and every good shared (the US 2017 table: 71 sectors, 9,719
quotas, one degree of freedom each) the cuts learn a sector's few possibilities one
facet at a time; in 73 rounds (3 s a period) it found a plan of 3% of the optimum.

**Objectives.** ``maximize`` and ``minimize``: each sector's objective is its own
processes' part (separable). ``maximize_sets`` (an economy's baskets): the number of
sets is the centre's own decision; the assortment rows are shared constraints and the
centre chooses the sets with the quotas that deliver them.
**Political rules.** A rule whose terms fall within one sector is part of that sector's
program; a rule across sectors is allocated by the centre like a shared good (each
sector a share of its bound), so every rule holds in the plan adopted; none is refused.
Where the reported capacities let no allocation meet the rules and demands (a sector
cannot meet its own rules, or the centre's cuts leave no allocation), the centre plans
as ``central`` does, without them (measure ``infeasible`` = 1).

**Counted** per period: ``rounds`` (allocations sent); numbers: at the start each
sector's range of activity in each quota, its best value and its least violation, then
each round every quota down and every shadow price up with a value per sector.
Measures ``converged`` (the bound met the plan) and ``infeasible``. Units are paid a
share of profit (``profit_share``), like ``prices``. **Assumes** every process has a
finite capacity (refused otherwise: a sector's range of activity, within which the
centre allocates, would be unbounded) and sectors that answer truly about their own
programs at their reported capacities; the centre never sees a technology.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import CentreView, Planned, Regime
from kantorovich.lp.program import LinearProgram

if TYPE_CHECKING:
    from kantorovich.lab.world import World

__all__ = ["KornaiLiptakRegime", "TwoLevel", "two_level"]

_INF = np.inf
#: the trust region: its first half-width as a share of each quota's range, its
#: narrowest, and how it shrinks after a round that found nothing better
_STEP, _NARROWEST, _SHRINK = 0.25, 0.01, 0.5


class KornaiLiptakSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tolerance: float = Field(1e-4, gt=0, lt=1)
    max_rounds: int = Field(100, ge=1, le=10_000)
    patience: int = Field(30, ge=1, le=10_000)
    profit_share: float = Field(0.5, ge=0, le=1)


@dataclass
class TwoLevel:
    """How one period's two-level planning went.

    ``levels`` per process (the sectors' programs at the best allocation); ``quotas``
    per (shared constraint, sector) pair: ``pair_row`` the row of the world's program,
    ``pair_unit`` the sector; ``upper`` the centre's last bound on the objective,
    ``lower`` the best feasible plan's (without the program's constant); ``history``
    the best feasible value after each round."""

    levels: np.ndarray
    quotas: np.ndarray
    pair_row: np.ndarray
    pair_unit: np.ndarray
    rounds: int
    messages: int
    converged: bool
    feasible: bool
    upper: float
    lower: float
    history: list[float] = field(default_factory=list)


def _lp(sense: str, c: np.ndarray, A: sp.spmatrix, row_lo: np.ndarray, row_up: np.ndarray,
        col_lo: np.ndarray, col_up: np.ndarray, what: str) -> LinearProgram:
    m, n = A.shape
    A = sp.csc_matrix(A)
    A.sum_duplicates()
    A.eliminate_zeros()
    return LinearProgram(
        sense=sense, objective=np.asarray(c, float), matrix=A,
        row_lower=np.asarray(row_lo, float), row_upper=np.asarray(row_up, float),
        col_lower=np.asarray(col_lo, float), col_upper=np.asarray(col_up, float),
        rows=pd.DataFrame({"kind": np.full(m, what, dtype=object),
                           "id": np.arange(m).astype(str).astype(object)}),
        cols=pd.DataFrame({"kind": np.full(n, what, dtype=object),
                           "id": np.arange(n).astype(str).astype(object)}))


def _tidy(values: np.ndarray, scale: np.ndarray | float) -> np.ndarray:
    """``values`` with those under 1e-12 of ``scale`` (rounding noise of sums that
    cancel) set to 0: noise of 1e-20 beside numbers of 1 makes the LP layer rescale a
    program already in good units, and HiGHS was seen to stop at a point it called
    optimal on such a rescaled program."""
    values = np.asarray(values, dtype=float).copy()
    values[np.abs(values) <= 1e-12 * np.asarray(scale, dtype=float)] = 0.0
    return values


def _pairs(AP: sp.csr_matrix, touch: sp.csr_matrix, rows: np.ndarray, unit: np.ndarray,
           n_units: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                   np.ndarray]:
    """The (shared row, sector) pairs of ``rows`` (positions in ``rows``) and each
    matrix entry of those rows as (pair, process, coefficient)."""
    t = touch[rows].tocoo()
    key = t.row.astype(np.int64) * n_units + t.col
    order = np.argsort(key, kind="stable")
    pair_i, pair_u, key = t.row[order], t.col[order], key[order]
    e = AP[rows].tocoo()
    k = np.searchsorted(key, e.row.astype(np.int64) * n_units + unit[e.col])
    return pair_i, pair_u, k, e.col, e.data


def two_level(lp: LinearProgram, unit: np.ndarray, n_units: int, low: np.ndarray,
              high: np.ndarray, *, tolerance: float = 1e-4, max_rounds: int = 100,
              patience: int = 30) -> TwoLevel:
    """Kornai-Lipták planning of the program ``lp`` (a world's compiled program) whose
    process columns belong to sectors ``unit`` and lie in [``low``, ``high``] (the
    reported capacities); see the module docstring."""
    A = lp.matrix.tocsc()
    procs = lp.col_positions("process")
    others = np.setdiff1d(np.arange(A.shape[1]), procs)
    AP = A[:, procs].tocsr()
    AC = A[:, others].tocsr()
    n, U = len(procs), int(n_units)
    unit = np.asarray(unit, dtype=np.int64)
    c = lp.improves * lp.objective[procs]
    c_centre = lp.improves * lp.objective[others]
    owner = sp.csr_matrix((np.ones(n), (np.arange(n), unit)), shape=(n, U))
    touch = (abs(AP) @ owner).tocsr()
    touch.eliminate_zeros()
    count = np.diff(touch.indptr)
    by_centre = np.diff(AC.indptr) > 0
    lo, up = lp.row_lower, lp.row_upper
    bounded = np.isfinite(lo) | np.isfinite(up)
    local = np.flatnonzero(bounded & (count == 1) & ~by_centre)
    shared = np.flatnonzero(bounded & ((count >= 2) | by_centre))
    # a row bounded on both sides (not an equation) is shared as two: its two sides
    ranged = np.isfinite(lo[shared]) & np.isfinite(up[shared]) & (lo[shared] < up[shared])
    rows = np.concatenate([shared, shared[ranged]])
    s_lo = np.concatenate([lo[shared], np.full(int(ranged.sum()), -_INF)])
    s_up = np.concatenate([np.where(ranged, _INF, up[shared]), up[shared][ranged]])
    # a shared row no allocation can break (its sectors' whole range satisfies it)
    # needs no quota
    pair_i, pair_u, k, p, a = _pairs(AP, touch, rows, unit, U)
    amin = np.bincount(k, np.minimum(a * low[p], a * high[p]), minlength=len(pair_i))
    amax = np.bincount(k, np.maximum(a * low[p], a * high[p]), minlength=len(pair_i))
    tmin = np.bincount(pair_i, amin, minlength=len(rows))
    tmax = np.bincount(pair_i, amax, minlength=len(rows))
    slack = 1e-9 * (1 + np.abs(np.nan_to_num(s_lo, posinf=0, neginf=0))
                    + np.abs(np.nan_to_num(s_up, posinf=0, neginf=0)))
    idle = ~by_centre[rows] & (tmin >= s_lo - slack) & (tmax <= s_up + slack)
    rows, s_lo, s_up = rows[~idle], s_lo[~idle], s_up[~idle]
    pair_i, pair_u, k, p, a = _pairs(AP, touch, rows, unit, U)
    K, E = len(pair_i), len(rows)
    amin = np.bincount(k, np.minimum(a * low[p], a * high[p]), minlength=K)
    amax = np.bincount(k, np.maximum(a * low[p], a * high[p]), minlength=K)
    has_lo, has_up = np.isfinite(s_lo)[pair_i], np.isfinite(s_up)[pair_i]

    # -- the sectors' programs, one block each, in one program ---------------------------
    nL = len(local)
    Lc = AP[local].tocoo()
    l_unit = touch.indices[touch.indptr[local]]
    l_lo, l_up = lo[local], up[local]
    # slack columns: +1 where a row's lower bound may be missed, -1 where its upper
    row_of = np.concatenate([np.flatnonzero(np.isfinite(l_lo)),
                             np.flatnonzero(np.isfinite(l_up)),
                             nL + np.flatnonzero(has_lo), nL + np.flatnonzero(has_up)])
    sign = np.concatenate([np.ones(int(np.isfinite(l_lo).sum())),
                           -np.ones(int(np.isfinite(l_up).sum())),
                           np.ones(int(has_lo.sum())), -np.ones(int(has_up.sum()))])
    slack_unit = np.concatenate([l_unit, pair_u])[row_of]
    S = len(row_of)
    m = nL + K + U
    entries = (np.concatenate([Lc.row, nL + k, row_of, nL + K + slack_unit]),
               np.concatenate([Lc.col, p, n + np.arange(S), n + np.arange(S)]),
               np.concatenate([Lc.data, a, sign, np.ones(S)]))
    M = sp.csc_matrix((entries[2], (entries[0], entries[1])), shape=(m, n + S))
    col_lo = np.concatenate([low, np.zeros(S)])
    col_up = np.concatenate([high, np.full(S, _INF)])
    row_lo = np.concatenate([l_lo, np.full(K, -_INF), np.full(U, -_INF)])
    row_up = np.concatenate([l_up, np.full(K, _INF), np.full(U, _INF)])
    from kantorovich.lp.highs import HighsSession

    violation = HighsSession(_lp("minimize", np.concatenate([np.zeros(n), np.ones(S)]), M,
                                 row_lo, row_up, col_lo, col_up, "sector"))
    value = HighsSession(_lp("maximize", np.concatenate([c, np.zeros(S)]), M, row_lo,
                             row_up, col_lo, col_up, "sector"))
    quota_rows = nL + np.arange(K)
    cap_rows = nL + K + np.arange(U)

    def solved(session: HighsSession, what: str):  # noqa: ANN202
        sol = session.solve()
        if not sol.status.has_solution:
            raise RuntimeError(f"kornai-liptak: the sectors' {what} program ended "
                               f"{sol.status.value}")
        return sol

    # what each sector cannot meet whatever its quotas (its own rules at its reports)
    first = solved(violation, "violation")
    least = np.bincount(slack_unit, first.x[n:], minlength=U)

    def answer(rho: np.ndarray):  # noqa: ANN202
        """The sectors' answers to the quotas ``rho``."""
        r_lo = np.where(has_lo, rho, -_INF)
        r_up = np.where(has_up, rho, _INF)
        violation.set_rows_bounds(quota_rows, r_lo, r_up)
        sol = solved(violation, "violation")
        missed = np.bincount(slack_unit, sol.x[n:], minlength=U)
        per_unit = np.bincount(pair_u, np.abs(rho), minlength=U)
        ok = missed <= least + 1e-9 * (1.0 + per_unit + least)
        pressure = -sol.row_dual[quota_rows]            # d(violation) / d(quota)
        # the best each sector can do, violating its constraints no more than it must
        value.set_rows_bounds(quota_rows, r_lo, r_up)
        cap = np.where(ok, least, missed)
        for margin in (0.0, 1e-9, 1e-7, 1e-5):   # the solvers' tolerances differ a little
            value.set_rows_bounds(cap_rows, np.full(U, -_INF),
                                  cap + margin * (1.0 + np.maximum(missed, cap)))
            sol2 = value.solve()
            if sol2.status.has_solution:
                break
        else:
            raise RuntimeError("kornai-liptak: the sectors' value program ended "
                               f"{sol2.status.value}")
        x = np.clip(sol2.x[:n], low, high)
        worth = np.bincount(unit, c * x, minlength=U)
        return ok, missed, pressure, worth, sol2.row_dual[quota_rows], x

    # -- the centre ---------------------------------------------------------------------
    z_lo, z_up = lp.col_lower[others], lp.col_upper[others]
    best_possible = np.bincount(unit, np.maximum(c * low, c * high), minlength=U)
    centre_rows = sp.csr_matrix((np.ones(K), (pair_i, np.arange(K))), shape=(E, K))
    centre_rows = sp.hstack([centre_rows, sp.csr_matrix((E, U)), AC[rows]]).tocsr()
    row_lo, row_up = s_lo, s_up
    big = max(float(np.abs(np.concatenate([amin, amax])).max(initial=0.0)), 1e-300)
    col_lo = np.concatenate([_tidy(amin, big), np.full(U, -_INF), z_lo])
    col_up = np.concatenate([_tidy(amax, big), best_possible, z_up])
    span = col_up[:K] - col_lo[:K]
    centre = HighsSession(_lp("maximize", np.concatenate([np.zeros(K), np.ones(U),
                                                         c_centre]),
                              centre_rows, row_lo, row_up, col_lo, col_up, "centre"))
    quota_cols = np.arange(K)

    def allocate(box: np.ndarray | None):  # noqa: ANN202
        """The centre's best allocation by its cuts, within ``box`` around the best
        allocation so far (None: anywhere in the sectors' ranges)."""
        if box is None:
            centre.set_cols_bounds(quota_cols, col_lo[:K], col_up[:K])
        else:
            centre.set_cols_bounds(quota_cols, np.maximum(col_lo[:K], box - step * span),
                                   np.minimum(col_up[:K], box + step * span))
        sol = centre.solve()
        return sol if sol.status.has_solution else None

    # start: each shared constraint split in proportion to the sectors' ranges
    z = np.clip(np.zeros(len(others)), z_lo, z_up)
    bound = np.where(np.isfinite(s_lo), s_lo, s_up) - (AC[rows] @ z if len(others)
                                                       else 0.0)
    t_min = np.bincount(pair_i, amin, minlength=E)
    t_max = np.bincount(pair_i, amax, minlength=E)
    width = t_max - t_min
    share = np.divide(np.clip(bound, t_min, t_max) - t_min, width, out=np.zeros(E),
                      where=width > 0)
    rho = amin + share[pair_i] * (amax - amin)
    balanced = bool(np.all((bound >= t_min - 1e-9 * (1 + np.abs(bound)))
                           & (bound <= t_max + 1e-9 * (1 + np.abs(bound)))))

    messages = 2 * K + 2 * U      # ranges, best values, own violations
    best = fallback = None
    best_value, upper = -_INF, _INF
    least_missed = _INF
    history: list[float] = []
    rounds = 0
    converged = False
    step = _STEP
    since = 0
    while rounds < max_rounds:
        rounds += 1
        ok, missed, pressure, worth, price, x = answer(rho)
        messages += 2 * K + U     # quotas down; prices and values (or violations) up
        improved = False
        if ok.all() and balanced:
            total = float(worth.sum() + c_centre @ z)
            if total > best_value:
                improved = best is not None
                best_value, best, since = total, (x, rho.copy()), rounds
        elif float((missed - least).sum()) < least_missed:
            least_missed, fallback = float((missed - least).sum()), (x, rho.copy())
        history.append(best_value)
        if best is not None and rounds - since >= patience:
            break                          # no better plan for `patience` rounds
        # the answers as cuts on the centre's program: value cuts from sectors within
        # their quotas, feasibility cuts from those that are not
        inside = ok[pair_u]
        coef = np.where(inside, -price, pressure)
        coef[np.abs(coef) <= 1e-11 * (1.0 + np.abs(coef).max(initial=0.0))] = 0.0
        rhs = np.where(ok, worth, least - missed) + np.bincount(
            pair_u, coef * rho, minlength=U)
        rhs = _tidy(rhs, np.abs(np.where(ok, worth, least - missed)) + np.bincount(
            pair_u, np.abs(coef * rho), minlength=U))
        cut = sp.csr_matrix((np.concatenate([coef, np.ones(int(ok.sum()))]),
                             (np.concatenate([pair_u, np.flatnonzero(ok)]),
                              np.concatenate([np.arange(K), K + np.flatnonzero(ok)]))),
                            shape=(U, K + U + len(others)))
        # each cut in its own units, its largest coefficient 1 (the solver judges
        # reduced costs and feasibility in absolute terms); coefficients under 1e-7 of
        # it are dropped (a relaxation of 1e-7)
        size = abs(cut).max(axis=1).toarray().ravel()
        size = np.where(size > 0, size, 1.0)
        cut = (sp.diags(1.0 / size) @ cut).tocsr()
        cut.data[np.abs(cut.data) < 1e-7] = 0.0
        cut.eliminate_zeros()
        cut_up = rhs / size
        for u in np.flatnonzero(np.diff(cut.indptr) > 0):     # a cut per sector
            span_u = slice(cut.indptr[u], cut.indptr[u + 1])
            centre.add_row(cut.indices[span_u], cut.data[span_u], -_INF, cut_up[u])
        # the next allocation: within a box around the best so far (a trust region:
        # cutting planes alone jump between corners, Marsten, Hogan and Blankenship's
        # boxstep); the box doubles after a round that improved on the best and
        # halves after one that did not, and its optimum is checked against the whole
        # range before the centre calls the best allocation optimal
        if improved:
            step = min(2.0 * step, 1.0)
        elif best is not None and rounds > 1:
            step = max(step * _SHRINK, _NARROWEST)
        around = best[1] if best is not None and step < 1.0 else None
        sol = allocate(around)
        if sol is None and around is not None:
            step, sol = 1.0, allocate(None)
        if sol is None:                   # no allocation satisfies every sector
            break
        if best is not None and float(sol.objective) - best_value <= tolerance * max(
                abs(best_value), 1e-12):
            if step >= 1.0:
                upper = float(sol.objective)
                converged = True
                break
            whole = allocate(None)        # the box's optimum: is it the whole range's?
            if whole is None:
                break
            upper = float(whole.objective)
            if upper - best_value <= tolerance * max(abs(best_value), 1e-12):
                converged = True
                break
            step, sol = min(2.0 * step, 1.0), whole
        elif step >= 1.0 or best is None:
            upper = float(sol.objective)
        new = sol.x[:K]
        if balanced and np.allclose(new, rho, rtol=1e-12, atol=1e-12):
            break                          # the centre proposes what it did: stalled
        rho, z, balanced = new, sol.x[K + U:], True
    levels, quotas = best if best is not None else (fallback or (x, rho))
    return TwoLevel(levels=levels, quotas=quotas, pair_row=rows[pair_i],
                    pair_unit=pair_u, rounds=rounds, messages=messages,
                    converged=converged,
                    feasible=best is not None and not (least > 0).any(),
                    upper=upper, lower=best_value, history=history)


class KornaiLiptakRegime(Regime[KornaiLiptakSettings]):
    """Two-level planning by quotas and shadow prices; see the module docstring."""

    type = "kornai-liptak"
    Settings = KornaiLiptakSettings

    def __init__(self, name: str, settings: KornaiLiptakSettings, world: World) -> None:
        super().__init__(name, settings, world)
        self.require_finite_capacities("a sector's range of activity, within which the "
                                       "centre allocates its quotas, would be unbounded")

    def rules(self) -> UnitRules:
        return UnitRules(share=self.settings.profit_share)

    def plan(self, view: CentreView) -> Planned:
        s = self.settings
        low = self.world.plan.processes["min_level"].to_numpy(float)
        high = np.maximum(view.reported_capacity, low)
        lp = self.world.evaluation(view.unit_yield).lp
        done = two_level(lp, view.process_unit, view.n_units, low, high,
                         tolerance=s.tolerance, max_rounds=s.max_rounds,
                         patience=s.patience)
        rounds, messages, feasible = done.rounds, done.messages, done.feasible
        if not feasible:       # the reports cannot meet the rules and demands
            from kantorovich.lab.regimes.prices import without_rules_and_demands

            done = two_level(without_rules_and_demands(lp, self.world.demand),
                             view.process_unit, view.n_units, low, high,
                             tolerance=s.tolerance, max_rounds=s.max_rounds,
                             patience=s.patience)
            rounds, messages = rounds + done.rounds, messages + done.messages
        return Planned(np.clip(done.levels, 0, None), rounds=rounds, messages=messages,
                       measures={"converged": float(done.converged),
                                 "infeasible": float(not feasible)})
