"""How a short good is shared out: material balances, not a hidden optimiser.

A supply office that finds a good short cuts every user's allocation in proportion to
what the plan gave it (a material balance), or serves users in the order of a stated
priority list and cuts the last it reaches. A process runs as far as its scarcest
allocation allows; what it cannot use of its other allocations stays with it (the office
does not know, within the period, who could have used it: the supply system's rigidity),
and a cut spreads downstream through the outputs not made, round after round, until it
settles. No optimisation anywhere. Final use
(consumption) is the buffer that gets what production leaves, as in Soviet practice
(Kornai, J. (1980) *Economics of Shortage*, on the priority of production; Montias, J. M.
(1959) "Planning with material balances in Soviet-type economies", *American Economic
Review* 49(5): 963-985); a planned final use can instead be named as a user cut in the
same proportion. A unit that hoards asks for its whole target and
runs less: what it was allocated and did not use stays with it. Everything is vectorised
over goods and processes.

The engine's optimum of what can be made (`kantorovich.lab.world.World.ration` with
``rule="optimal"``) is an explicit option of a regime, never the world's default.

>>> import scipy.sparse as sp
>>> inputs = sp.csr_matrix(np.array([[1.0, 1.0]]))      # one good, two users
>>> outputs = sp.csr_matrix(np.zeros((1, 2)))
>>> cut = material_balance(inputs, outputs, np.array([60.0, 40.0]), np.array([50.0]))
>>> cut.levels.tolist()
[30.0, 20.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["Cut", "material_balance"]

_ROUNDS = 5_000
_TOL = 1e-12


@dataclass(frozen=True)
class Cut:
    """What a material balance gives: ``levels`` run, ``received`` (goods x processes,
    the allocations handed out), ``ratio`` per good (share of the requests served;
    per good and tier where there are tiers), ``rounds`` of the fixed point."""

    levels: np.ndarray
    received: sp.csr_matrix
    ratio: np.ndarray
    rounds: int


def _per_process_min(pattern: sp.csc_matrix, entry_values: np.ndarray, n: int) -> np.ndarray:
    """The least value over each column's entries (1 for a column without entries)."""
    out = np.ones(n)
    counts = np.diff(pattern.indptr)
    has = counts > 0
    if entry_values.size:
        out[has] = np.minimum.reduceat(entry_values, pattern.indptr[:-1][has])
    return out


def _close(inputs: sp.csr_matrix, outputs: sp.csr_matrix, asked: np.ndarray,
           run: np.ndarray, available: np.ndarray, final: np.ndarray,
           share: np.ndarray) -> np.ndarray:
    """Shares cut until no good is handed out beyond what there is: where a settlement
    was only approached, every user of a good still over-allocated is cut by the
    good's ratio (cuts only, so it ends; a balance that settled is left as it is)."""
    scale = 1e-12 * max(1.0, float((inputs @ asked).max(initial=0)))
    for _ in range(_ROUNDS):
        levels = np.minimum(run, asked * share)
        have = available + outputs @ levels
        need = inputs @ (asked * share) + final
        over = need > have * (1 + 1e-12) + scale
        if not over.any():
            break
        ratio = np.where(over, have / np.where(need > 0, need, 1.0), 1.0)
        cut = np.ones(len(share))
        hit = sp.csr_matrix(inputs.T) @ sp.diags((ratio < 1).astype(float))
        hit = sp.coo_matrix(hit)
        np.minimum.at(cut, hit.row, ratio[hit.col])
        share = share * cut
        final = final * ratio
    return share


def material_balance(inputs: sp.csr_matrix | sp.csc_matrix | sp.coo_matrix,
                     outputs: sp.csr_matrix | sp.csc_matrix | sp.coo_matrix,
                     requested: np.ndarray, available: np.ndarray,
                     run: np.ndarray | None = None,
                     tiers: np.ndarray | None = None,
                     final: np.ndarray | None = None) -> Cut:
    """Allocations for ``requested`` levels from ``available`` goods plus what is made:
    each short good's allocations cut in proportion to the plan's (within a priority
    tier, tiers served in order, 0 first), each process run as far as its scarcest
    allocation allows and at most ``run`` (default: its request; a unit that asked for
    more than it runs keeps the rest), and the cut repeated as outputs not made spread it
    downstream, until it settles (each round only cuts, so it does). ``final`` is a
    planned final use of each good to be cut in proportion with the rest (in the last
    tier); by default final use is the buffer and gets what production leaves."""
    inputs = sp.csr_matrix(inputs)
    outputs = sp.csr_matrix(outputs)
    asked = np.clip(np.nan_to_num(np.asarray(requested, float)), 0, None)
    run = asked if run is None else np.minimum(np.clip(np.nan_to_num(run), 0, None), asked)
    available = np.clip(np.nan_to_num(np.asarray(available, float), posinf=1e300), 0, None)
    n_goods, n = inputs.shape
    planned_final = (np.zeros(n_goods) if final is None else
                     np.clip(np.nan_to_num(np.asarray(final, float)), 0, None))
    tier_of = (np.zeros(n, int) if tiers is None else
               np.unique(np.asarray(tiers), return_inverse=True)[1].astype(int))
    n_tiers = int(tier_of.max(initial=0)) + 1
    pattern = sp.csc_matrix(inputs @ sp.diags(asked))
    pattern.eliminate_zeros()
    pattern.sort_indices()
    p_good = pattern.indices
    p_user = np.repeat(np.arange(n), np.diff(pattern.indptr))
    p_tier = tier_of[p_user]
    need = np.zeros((n_goods, n_tiers))
    np.add.at(need, (p_good, p_tier), pattern.data)
    need[:, -1] += planned_final
    share = np.ones(n)
    ratio = np.ones((n_goods, n_tiers))
    rounds = 0
    for rounds in range(1, _ROUNDS + 1):
        levels = np.minimum(run, asked * share)
        left = available + outputs @ levels
        for t in range(n_tiers):
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                rho = np.where(need[:, t] > 0, np.clip(
                    left / np.where(need[:, t] > 0, need[:, t], 1.0), 0, 1), 1.0)
            ratio[:, t] = rho
            left = np.clip(left - rho * need[:, t], 0, None)
        new = np.minimum(share, _per_process_min(pattern, ratio[p_good, p_tier], n))
        if np.max(share - new, initial=0) <= _TOL:
            share = new
            break
        share = new
    share = np.where(share < 1e-12, 0.0, share)
    share = _close(inputs, outputs, asked, run, available, planned_final * ratio[:, -1],
                   share)
    levels = np.minimum(run, asked * share)
    # each user receives its ratio of its planned allocation, and holds what it cannot use
    received = sp.csc_matrix((pattern.data * ratio[p_good, p_tier], pattern.indices,
                              pattern.indptr), pattern.shape)
    used = sp.csc_matrix(inputs @ sp.diags(levels))
    return Cut(levels, received.maximum(used).tocsr(),
               ratio[:, 0] if n_tiers == 1 else ratio, rounds)
