"""Cockshott's harmony algorithm for balancing a plan: a baseline for the exact optimum.

W. Paul Cockshott, "Application of artificial intelligence techniques to economic
planning", *Future Computing Systems* 2(4), 1990, and W. P. Cockshott and A. Cottrell,
*Towards a New Socialism*, Spokesman, 1993, ch. 6: targets for the net output of each
product are approached by repeatedly adjusting the gross outputs (intensities) of the
industries so as to raise the *harmony* of the plan, a sum over products of a concave
function of each product's fulfilment of its target. Harmony falls steeply below the
target and saturates above it, so resources move from over-fulfilled to
under-fulfilled products.

The harmony of a product with target ``t`` and net output available ``z`` is that of
Cockshott's published planning code (the ``H`` of his harmony unit, 2018, which follows
the book): with the relative deviation ``u = (z - t) / t``,

.. math::

    H(u) = u - u^2 / 2 \\quad (u < 0), \\qquad H(u) = \\log(1 + u) \\quad (u \\ge 0),

continuous with slope 1 at the target, slope ``1 - u > 1`` below it and ``1 / (1 + u)``
above it.

**What is implemented** (our variant, written from the description, for an
input-output economy with one technique per product, ``z = (I - A) x + m``, resources
``R x <= b``). Each iteration, all steps vectorised with sparse mat-vecs:

1. *Equalise harmony* (the book's first phase): each product's harmony is moved the
   share ``τ`` (the temperature) of the way to the mean harmony ``h̄`` of the targeted
   products: its net output should become ``t (1 + H^-1(h_k - τ (h_k - h̄)))``, and its
   gross output changes by that difference (its own net output, other industries held),
   at most halving or doubling in one step. Inverting ``H`` exactly, rather than to
   first order, keeps the step from overshooting where a product with a tiny target is
   far over-fulfilled.
2. *Reallocate by harmony gain* (the second phase): at the harmony derivatives
   ``g = H'(u) / t`` (harmony per unit of each product), industry ``j`` gains
   ``((I - A)' g)_j`` per unit of gross output and costs ``λ c_j``, where ``c = μ' R``
   weights the resources by how close each is to running out and ``λ`` is the harmony
   of the net product per unit of resource (so the output-weighted mean gain is 0). The
   rate ``ρ_j = (gain_j - λ c_j) / g_j`` expands or shrinks industry j by the factor
   ``1 + η σ(ρ_j)``, with Cockshott's sigmoid ``σ(d) = d / (1 + |d|)``. This phase
   chooses between techniques; with one technique per product (an input-output table)
   its fixed point is the maximum of total harmony, which fulfils products unequally,
   not the plan ray, and measured on the real tables it lowers the baskets reached
   (``step=0.3`` stalls 15-45 % below the optimum), so it is off by default
   (``step=0``).
3. *Rescale* every intensity by one factor so that the scarcest resource is exactly
   used up (Cockshott rescales to 98 % of the critical resource; we use 100 % and never
   more, so every reported plan respects every resource).

``τ`` and ``η`` cool as ``1 / (1 + k / cooling)`` (Cockshott's "temperature"). Products
without a target (pure intermediates) get a small target, as Cockshott's code does,
so their shortfall is felt. The plan kept is the best seen: the most complete baskets
``min_k r_k`` over the targeted products, among plans with no product short
(``z >= 0`` where there is no target). It never exceeds the linear optimum's sets,
which the tests check; the gap to the certified optimum of `kantorovich.economy.plan`
is what the benchmark measures.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from kantorovich.economy.table import Economy

if TYPE_CHECKING:
    from kantorovich.economy.plan import ImportRule

__all__ = ["HarmonyResult", "harmony", "harmony_economy", "harmony_inverse",
           "harmony_slope", "harmony_value"]

log = logging.getLogger(__name__)

#: target given to products with none, as a share of the median positive target
SMALL_TARGET = 1e-6


def harmony_value(u: np.ndarray) -> np.ndarray:
    """Cockshott's harmony of a relative deviation ``u = (z - t) / t`` from target.

    Examples
    --------
    >>> harmony_value(np.array([-1.0, 0.0, 1.0])).round(4).tolist()
    [-1.5, 0.0, 0.6931]
    """
    u = np.asarray(u, float)
    return np.where(u < 0, u - 0.5 * u * u, np.log1p(np.maximum(u, 0.0)))


def harmony_inverse(h: np.ndarray) -> np.ndarray:
    """The deviation ``u`` whose harmony is ``h``: ``e^h - 1`` for ``h >= 0``, else the
    root ``1 - sqrt(1 - 2h)`` of ``u - u^2/2 = h`` below the target.

    Examples
    --------
    >>> harmony_inverse(harmony_value(np.array([-2.0, 0.0, 3.0]))).round(12).tolist()
    [-2.0, 0.0, 3.0]
    """
    h = np.asarray(h, float)
    return np.where(h >= 0, np.expm1(np.maximum(h, 0.0)),
                    1.0 - np.sqrt(1.0 - 2.0 * np.minimum(h, 0.0)))


def harmony_slope(u: np.ndarray) -> np.ndarray:
    """Derivative ``dH/du``: ``1 - u`` below target, ``1 / (1 + u)`` above (always > 0)."""
    u = np.asarray(u, float)
    return np.where(u < 0, 1.0 - u, 1.0 / (1.0 + np.maximum(u, 0.0)))


@dataclass(frozen=True)
class HarmonyResult:
    """The best plan the harmony iterations found.

    Attributes
    ----------
    output : ndarray
        Gross output per industry.
    fulfilment : ndarray
        Net output available over target per product (NaN where there is no target).
    sets : float
        Complete baskets the plan delivers: the smallest fulfilment over the targeted
        products (0 when some untargeted product is short).
    harmony : float
        Total harmony of the targeted products.
    resource_use : ndarray
        Share of each resource used (at most 1).
    iterations, seconds : int, float
        Iterations run and time taken.
    converged : bool
        True when the fulfilments were equal within ``tol`` before the step limit.
    history : ndarray
        Best ``sets`` after each iteration (non-decreasing).
    """

    output: np.ndarray
    fulfilment: np.ndarray
    sets: float
    harmony: float
    resource_use: np.ndarray
    iterations: int
    seconds: float
    converged: bool
    history: np.ndarray

    def gap(self, optimum: float) -> float:
        """Relative shortfall from ``optimum`` sets: ``1 - sets / optimum``."""
        return float(1.0 - self.sets / optimum) if optimum > 0 else float("nan")

    def __repr__(self) -> str:
        return (f"<HarmonyResult: {self.sets:.6g} sets after {self.iterations} iterations "
                f"({self.seconds:.3f}s, {'converged' if self.converged else 'step limit'})>")


def harmony(A: Any, target: np.ndarray, resources: Any, available: np.ndarray, *,
            supply: np.ndarray | None = None, active: np.ndarray | None = None,
            iterations: int = 2000, tol: float = 1e-6, temperature: float = 0.3,
            step: float = 0.0, cooling: float = 2000.0,
            start: np.ndarray | None = None) -> HarmonyResult:
    """Balance a plan by Cockshott's harmony iterations (see the module docstring).

    Parameters
    ----------
    A : sparse matrix or array, shape (n, n)
        Input of product i per unit of gross output of industry j.
    target : array, shape (n,)
        Target net output per product (0: none).
    resources : sparse matrix or array, shape (k, n)
        Use of each resource per unit of gross output (labour in the first row, say).
    available : array, shape (k,)
        Amount of each resource.
    supply : array, shape (n,), optional
        Fixed supply of each product (e.g. net imports), added to net output.
    active : bool array, shape (n,), optional
        Industries that may produce (default all); the others stay at 0.
    iterations : int
        Step limit.
    tol : float
        Stop when every targeted product's fulfilment is within ``tol`` (relative) of
        their mean and no product is short.
    temperature, step, cooling : float
        Size of the equalising step, of the reallocation step, and the iteration count
        over which both halve.
    start : array, optional
        Starting gross outputs; by default all industries equal (Cockshott's uniform
        start), rescaled to the resources.

    Returns
    -------
    HarmonyResult

    Examples
    --------
    Miller & Blair (2009), Table 2.3, labour 2050: the linear optimum is 1 basket.

    >>> A = [[0.15, 0.25], [0.2, 0.05]]
    >>> h = harmony(A, np.array([350.0, 1700.0]), [[0.65, 0.7]], np.array([2050.0]))
    >>> round(h.sets, 4), h.converged
    (1.0, True)
    """
    clock = time.perf_counter()
    A = sp.csr_matrix(A, dtype=float)
    AT = A.T.tocsr()
    n = A.shape[0]
    t_real = np.asarray(target, float).ravel()
    R = sp.csr_matrix(resources, dtype=float)
    RT = R.T.tocsr()
    b = np.asarray(available, float).ravel()
    m = np.zeros(n) if supply is None else np.asarray(supply, float).ravel()
    on = np.ones(n, bool) if active is None else np.asarray(active, bool).ravel()
    real = t_real > 0
    if not real.any():
        raise ValueError("no product has a positive target")
    small = SMALL_TARGET * float(np.median(t_real[real]))
    t = np.where(real, t_real, small)
    x = (np.ones(n) if start is None else np.asarray(start, float).ravel().copy())
    x = np.where(on, np.maximum(x, 0.0), 0.0)
    if not x.any():
        x = on.astype(float)
    x = _rescale(x, R, b)

    best_x, best_sets = x.copy(), -np.inf
    history = np.empty(iterations)
    converged = False
    k = 0
    for k in range(iterations):
        z = x - A @ x + m
        r = z / t
        sets, feasible, spread = _score(r, real, z)
        if sets > best_sets:
            best_x, best_sets = x.copy(), sets
        history[k] = max(best_sets, 0.0)
        if feasible and spread < tol:
            converged = True
            break
        cool = 1.0 / (1.0 + k / cooling)
        u = r - 1.0
        h = harmony_value(u)
        # 1. equalise harmony: move each product toward the mean harmony of the
        #    targeted ones (an intermediate's small target makes its surplus or its
        #    shortage felt here)
        mean_h = float(h[real].mean())
        goal = harmony_inverse(h - temperature * cool * (h - mean_h))
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = (goal - u) * t / x
        frac = np.nan_to_num(frac, nan=0.0, posinf=1.0, neginf=-0.5)
        x = x * (1.0 + np.where(on, np.clip(frac, -0.5, 1.0), 0.0))
        # 2. reallocate by harmony gain at the harmony derivatives
        z = x - A @ x + m
        u = z / t - 1.0
        g = harmony_slope(u) / t
        gain = g - AT @ g
        use = (R @ x) / b
        weight = np.power(use / use.max(), 16)
        cost = RT @ (weight / weight.sum() / b)
        value = float(x @ gain)
        lam = value / float(x @ cost) if x @ cost > 0 else 0.0
        rho = (gain - lam * cost) / g
        x = x * (1.0 + step * cool * np.where(on, rho / (1.0 + np.abs(rho)), 0.0))
        # 3. rescale to the scarcest resource
        x = _rescale(x, R, b)
    iterations_run = k + 1
    z = best_x - A @ best_x + m
    r = z / t
    sets, feasible, _ = _score(r, real, z)
    fulfilment = np.where(real, r, np.nan)
    return HarmonyResult(
        output=best_x, fulfilment=fulfilment, sets=float(max(sets, 0.0)),
        harmony=float(harmony_value(r[real] - 1.0).sum()),
        resource_use=(R @ best_x) / b, iterations=iterations_run,
        seconds=time.perf_counter() - clock, converged=converged,
        history=history[:iterations_run].copy())


def _rescale(x: np.ndarray, R: sp.csr_matrix, b: np.ndarray) -> np.ndarray:
    """``x`` scaled so the scarcest resource is used up exactly (never more)."""
    use = float(np.max((R @ x) / b))
    return x / use if use > 0 else x


def _score(r: np.ndarray, real: np.ndarray, z: np.ndarray) -> tuple[float, bool, float]:
    """Sets delivered (0 when an untargeted product is short), feasibility, spread."""
    short = z[~real] < -1e-9 * max(float(np.abs(z).max()), 1.0)
    feasible = not bool(short.any())
    low = float(r[real].min())
    mean = float(r[real].mean())
    spread = float((r[real].max() - low) / abs(mean)) if mean else np.inf
    return (low if feasible else 0.0), feasible, spread


def harmony_economy(economy: Economy, *, resources: dict[str, float | None] | None = None,
                    imports: ImportRule = "supply", labour_amount: float | None = None,
                    **options: Any) -> HarmonyResult:
    """Harmony iterations on the plan-ray problem of `kantorovich.economy.plan`: the
    same basket, imports rule, labour and resources (see `ray_plan`), so its ``sets``
    compare directly with the certified optimum of `plan_ray`. ``options`` go to
    `harmony`."""
    from kantorovich.economy.plan import ray_inputs

    inputs = ray_inputs(economy, resources=resources, imports=imports,
                        labour_amount=labour_amount)
    rows = [inputs.labour] + [c for c, _ in inputs.resources.values()]
    amounts = [inputs.labour_amount] + [a for _, a in inputs.resources.values()]
    active = np.zeros(economy.n, bool)
    active[inputs.made] = True
    return harmony(economy.A, inputs.basket, sp.csr_matrix(np.vstack(rows)),
                   np.asarray(amounts, float), supply=inputs.imports, active=active,
                   **options)
