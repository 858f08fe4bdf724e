"""Cockshott's harmony algorithm, as he wrote it: the baseline his case for planning rests on.

W. P. Cockshott and A. Cottrell, *Towards a New Socialism* (Spokesman, 1993), ch. 6, and
W. P. Cockshott's planning code (``wc22m/5yearplan``, 2018-2019, GPL-3.0: the Java
``planning.Harmonizer`` and the Pascal ``pasharm/harmony.pas``), read to learn and written
again here, vectorised. A plan is a *technology complex*: techniques that each make one
product (or a main product and co-products) from inputs, run at an *intensity* (1 = the
standard level of the technique's column); products with no technique that are handed in
(labour, the initial capital stocks) are *non-produced*; products that are only means
(labour, capital stocks) are *non-final*. Each product has a target net output ``t``.

**The harmony** of a product with net output ``z`` (his ``Harmony.H``), with the
relative deviation ``u = (z - t) / t``, is

.. math::

    H = u - u^2 / 2 \\quad (u < 0), \\qquad H = \\log(1 + u) \\quad (u \\ge 0),

and its derivative ``dH/dz`` is taken numerically, ``(H(z + ε) - H(z)) / ε``, "so as to be
independent of the H function" (ε = 1e-6 in Java, 4e-4 in Pascal).

**One iteration** (his ``balancePlan`` / ``adjustIntensities``), every step a few sparse
products over the whole complex, never a loop over products or techniques:

1. net output ``z = initial + (P - C) x`` (``P``: outputs, ``C``: inputs per unit
   intensity), each product's harmony ``h`` and the mean ``h̄`` over the produced
   products;
2. derivatives: ``dH/dz`` per product; for a non-final product the weighted mean
   ``(d + w · max_T d_T) / (1 + w)`` (w = ``useweight`` = 5, done twice), where ``d_T``
   is the harmony a user ``T`` makes from one more unit of it, ``Σ_p dh_p P_pT / C_iT``;
3. *equalise harmony*: for each final produced product ``k``,
   ``f = σ(temperature · (h_k - h̄) / dh_k / z_k)`` (``z_k`` read as 1 where it is 0) and
   every technique that makes ``k`` is scaled by ``1 - f``, with his sigmoid
   ``σ(d) = d / (1 + |d|)``;
4. *reallocate*: with the derivatives at the new net output, each technique's rate of
   harmony gain ``ρ_T = (Σ_p dh_p P_pT - Σ_i dh_i C_iT) / Σ_i dh_i C_iT`` scales it by
   ``1 + σ(ρ_T) · temperature · phase2adjust`` (0.4);
5. *rescale*: every intensity by ``capacitytarget / (largest share of a non-produced
   resource used)`` (capacitytarget = 0.98: 2 % of the scarcest resource is kept back);
   then, where some product's net output is negative, each technique that uses it (and
   does not make it) is cut to at most ``0.98 · gross / used`` of that product.

The start is intensity 0.1 everywhere, rescaled. The temperature stays at its starting
value 0.23 for all 100 iterations (his programs declare no cooling schedule and apply
none); there is no stopping test. Products with a zero target get ``1 - capacitytarget``
= 0.02 and products without one 0.03 (his ``nyearHarmony``), in the plan's own units.

**Where this differs from his code, and why it cannot matter on his complexes.** Step 2
updates the non-final derivatives all at once (Jacobi) where his loop goes product by
product (Gauss-Seidel): the two agree whenever no technique that uses a non-final product
makes one, as in every complex his programs build (only production techniques use labour
and capital stocks, and they make final products). A technique with no inputs at all
(his code divides by a cost of 0) expands at the full rate.

**What it does on real tables.** On every shipped input-output table it delivers no
complete basket after a few iterations (his own Java program, run on the US summary
table, gives the same gross outputs after one and two iterations, and NaN after 100).
A product with no final demand gets his target of 0.02 (in millions of dollars, say);
once its net output falls below it, ``u = (z - t) / t`` is in the millions and its
harmony ``u - u²/2`` about ``-10^11``, which drags the mean harmony so far down that
every other product is far above it: the equalising step cuts every technique by
``1 - σ(...)`` close to 1, and the plan shrinks toward zero. Lower temperatures or more
iterations do not avoid it; on his small test economies, with every target of the
same order, it does not arise.

`harmony_economy` runs it on the plan ray of an input-output table
(`kantorovich.economy.plan`), the technique of sector j being its observed column (gross
output ``x_j``, inputs ``Z_ij > 0``, labour and resources) as his ``flows.csv`` gives it;
`kantorovich.economy.nyear` builds his n-year complex from his four CSV files and
reproduces his program's figures on his shipped example.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from kantorovich.economy.table import Economy

if TYPE_CHECKING:
    from kantorovich.economy.plan import ImportRule

__all__ = ["Balanced", "HarmonyResult", "HarmonySettings", "TechnologyComplex",
           "balance_plan", "harmony", "harmony_derivative", "harmony_economy",
           "harmony_inverse", "harmony_slope", "harmony_value"]

log = logging.getLogger(__name__)

#: a no-user product's "derivative through its users" in his code (a number no user beats)
NO_USER = -1e22


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


def _harmony(target: np.ndarray, net: np.ndarray) -> np.ndarray:
    """His ``H(target, netoutput)``."""
    return harmony_value((net - target) / target)


def harmony_derivative(target: np.ndarray, net: np.ndarray,
                       epsilon: float | None = 1e-6) -> np.ndarray:
    """``dH/dz`` per product: his forward difference with step ``epsilon`` (in the
    product's own units), or the exact ``slope / t`` when ``epsilon`` is None.

    Examples
    --------
    >>> t, z = np.array([2.0, 2.0]), np.array([1.0, 4.0])
    >>> harmony_derivative(t, z, None).tolist()
    [0.75, 0.25]
    >>> harmony_derivative(t, z).round(5).tolist()
    [0.75, 0.25]
    """
    if epsilon is None:
        return harmony_slope((net - target) / target) / target
    return (_harmony(target, net + epsilon) - _harmony(target, net)) / epsilon


def _sigmoid(d: np.ndarray) -> np.ndarray:
    """His ``sigmoid``: ``d / (1 + |d|)``, in (-1, 1); +inf maps to 1."""
    with np.errstate(invalid="ignore"):
        s = d / (1.0 + np.abs(d))
    return np.where(np.isposinf(d), 1.0, np.where(np.isneginf(d), -1.0, s))


@dataclass(frozen=True)
class HarmonySettings:
    """His constants (``Harmonizer.java``, ``harmony.pas``): the defaults are his.

    Attributes
    ----------
    iterations : int
        ``iters`` = 100; there is no stopping test.
    temperature : float
        ``startingtemp`` = 0.23, held for every iteration.
    phase2adjust : float
        ``phase2adjust`` = 0.4: the reallocation step relative to the temperature.
    useweight : float
        ``useweight`` = 5: weight of the users' derivative for a non-final product.
    capacity_target : float
        ``capacitytarget`` = 0.98: share of the scarcest resource the plan uses.
    epsilon : float or None
        Step of the numerical derivative: 1e-6 (Java; Pascal 4e-4); None: exact.
    start : float
        Starting intensity of every technique, 0.1, then rescaled.
    zero_target, default_target : float
        A zero target becomes ``1 - capacity_target`` (0.02); a product without a target
        gets 0.03 (his ``nyearHarmony``).
    phase1_rescale, phase2_rescale : bool
        His switches for the two parts of the rescale (both on).
    """

    iterations: int = 100
    temperature: float = 0.23
    phase2adjust: float = 0.4
    useweight: float = 5.0
    capacity_target: float = 0.98
    epsilon: float | None = 1e-6
    start: float = 0.1
    zero_target: float = 0.02
    default_target: float = 0.03
    phase1_rescale: bool = True
    phase2_rescale: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON values."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class TechnologyComplex:
    """Products and techniques: what each technique makes and uses per unit of intensity.

    Attributes
    ----------
    produces, consumes : scipy.sparse.csr_matrix, shape (products, techniques)
        Outputs (main product and co-products) and inputs of each technique at
        intensity 1.
    nonproduced : bool array, shape (products,)
        Resources handed in (labour, initial stocks): they bound the plan's scale.
    nonfinal : bool array, shape (products,)
        Means of production only (labour, capital stocks): not equalised, valued
        through their users.
    products, techniques : list of str
        Names (for reports).
    """

    produces: sp.csr_matrix
    consumes: sp.csr_matrix
    nonproduced: np.ndarray
    nonfinal: np.ndarray
    products: list[str] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        """(products, techniques)."""
        rows, cols = self.produces.shape
        return int(rows), int(cols)

    def net_output(self, intensity: np.ndarray, initial: np.ndarray) -> np.ndarray:
        """``initial + P x - C x``: what is left of each product for final use."""
        return initial + self.produces @ intensity - self.consumes @ intensity

    def gross_available(self, intensity: np.ndarray, initial: np.ndarray) -> np.ndarray:
        """``initial + P x``: made or handed in, before productive consumption."""
        return initial + self.produces @ intensity


@dataclass(frozen=True)
class Balanced:
    """The intensities his algorithm ends with, and what they give.

    Attributes
    ----------
    intensity : ndarray
        Per technique, after the last iteration (his programs keep the last, not the
        best).
    net_output, harmony : ndarray
        Per product.
    targets : ndarray
        The targets used (zeros and missing ones filled as he fills them).
    history : ndarray
        Smallest net output / target over the targeted products after each iteration.
    iterations, seconds : int, float
    settled : bool
        True when the last iteration moved no intensity by more than 1e-9 (relative).
    """

    intensity: np.ndarray
    net_output: np.ndarray
    harmony: np.ndarray
    targets: np.ndarray
    history: np.ndarray
    iterations: int
    seconds: float
    settled: bool


class _Operators:
    """The sparse patterns every iteration reuses, made once."""

    def __init__(self, cx: TechnologyComplex) -> None:
        P = sp.csr_matrix(cx.produces, dtype=float)
        C = sp.csr_matrix(cx.consumes, dtype=float)
        P.eliminate_zeros()
        C.eliminate_zeros()
        self.P, self.C = P, C
        self.PT, self.CT = P.T.tocsr(), C.T.tocsr()
        makes = P.copy()
        makes.data[:] = 1.0
        self.makers_T = makes.T.tocsr()              # technique x product: makes it
        # users of each non-final product, with the amount used per unit intensity
        nf = np.flatnonzero(cx.nonfinal)
        self.nonfinal = nf
        self.C_nf = C[nf].tocsr()
        # users of a product that do not make it (the rescale's second phase)
        coo = C.tocoo()
        key_c = coo.row.astype(np.int64) * C.shape[1] + coo.col
        pc = P.tocoo()
        key_p = pc.row.astype(np.int64) * C.shape[1] + pc.col
        other = ~np.isin(key_c, key_p)
        self.use_row, self.use_col = coo.row[other], coo.col[other]


def _derivatives(ops: _Operators, targets: np.ndarray, net: np.ndarray,
                 s: HarmonySettings) -> np.ndarray:
    """His ``computeHarmonyDerivatives``: ``dH/dz``, non-final products valued through
    their best user, twice."""
    dh = harmony_derivative(targets, net, s.epsilon)
    if len(ops.nonfinal):
        Cn = ops.C_nf
        rows = np.diff(Cn.indptr)
        for _ in range(2):
            gain = ops.PT @ dh                           # harmony made per unit intensity
            per_unit = gain[Cn.indices] / Cn.data        # per unit of the input used
            best = np.full(len(ops.nonfinal), NO_USER)
            has = rows > 0
            if per_unit.size:
                best[has] = np.maximum.reduceat(per_unit, Cn.indptr[:-1][has])
            dh[ops.nonfinal] = (dh[ops.nonfinal] + s.useweight * best) / (s.useweight + 1)
    return dh


def _rescale(ops: _Operators, cx: TechnologyComplex, x: np.ndarray, initial: np.ndarray,
             s: HarmonySettings) -> np.ndarray:
    """His ``rescaleIntensity``: to ``capacity_target`` of the scarcest non-produced
    resource, then cut the users of any product left short."""
    net = cx.net_output(x, initial)
    res = initial[cx.nonproduced]
    frac = (res - net[cx.nonproduced]) / res
    top = float(frac.max()) if frac.size else 0.0
    if s.phase1_rescale and top > 0:
        x = x * (s.capacity_target / top)
    net = cx.net_output(x, initial)
    short = net < 0
    if s.phase2_rescale and short.any():
        gross = cx.gross_available(x, initial)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = s.capacity_target * gross / (gross - net)
        pick = short[ops.use_row]
        shrink = np.ones_like(x)
        np.minimum.at(shrink, ops.use_col[pick], ratio[ops.use_row[pick]])
        x = x * shrink
    return x


def balance_plan(cx: TechnologyComplex, targets: np.ndarray, initial: np.ndarray,
                 settings: HarmonySettings | None = None, *,
                 targeted: np.ndarray | None = None) -> Balanced:
    """Cockshott's ``balancePlan``: his harmony iterations on a technology complex.

    Parameters
    ----------
    cx : TechnologyComplex
    targets : array, shape (products,)
        Target net output; 0 becomes ``zero_target`` and NaN ``default_target``.
    initial : array, shape (products,)
        Resources handed in (positive for every non-produced product).
    settings : HarmonySettings, optional
        His constants by default.
    targeted : bool array, optional
        Products whose fulfilment ``history`` follows (default: final produced ones).

    Returns
    -------
    Balanced

    Examples
    --------
    Two products, each made from labour alone (1 and 2 hours a unit), targets 10 and
    10, 100 hours: the plan that meets both in equal measure with 98 hours (his 2 %
    kept back) makes 98/3 of each; his iterations settle elsewhere, the cheaper
    product 4 % over, the dearer 2 % under.

    >>> P = sp.identity(3, format="csr")[:, :2]
    >>> C = sp.csr_matrix([[0, 0], [0, 0], [1.0, 2.0]])
    >>> cx = TechnologyComplex(P, C, np.array([False, False, True]),
    ...                        np.array([False, False, True]))
    >>> b = balance_plan(cx, np.array([10.0, 10.0, np.nan]), np.array([0, 0, 100.0]))
    >>> (b.net_output[:2] * 3 / 98).round(3).tolist()
    [1.041, 0.98]
    """
    clock = time.perf_counter()
    s = settings or HarmonySettings()
    n_products, n_tech = cx.shape
    initial = np.asarray(initial, float).ravel()
    t = np.asarray(targets, float).ravel().copy()
    if t.shape != (n_products,) or initial.shape != (n_products,):
        raise ValueError(f"targets and initial resources need {n_products} entries, one "
                         "per product")
    t = np.where(np.isnan(t), s.default_target, np.where(t == 0, s.zero_target, t))
    if np.any(t <= 0):
        raise ValueError("targets must be positive (0 and NaN are filled as Cockshott "
                         "fills them)")
    if np.any(initial[cx.nonproduced] <= 0):
        raise ValueError("every non-produced resource needs a positive amount")
    if targeted is None:
        targeted = ~cx.nonproduced & ~cx.nonfinal
    ops = _Operators(cx)
    produced = ~cx.nonproduced
    final = produced & ~cx.nonfinal
    x = _rescale(ops, cx, np.full(n_tech, s.start), initial, s)
    history = np.empty(s.iterations)
    settled = False
    before = x
    for k in range(s.iterations):
        before = x
        net = cx.net_output(x, initial)
        h = _harmony(t, net)
        mean_h = float(h[produced].mean())
        dh = _derivatives(ops, t, net, s)
        # equalise harmony: pull every final product's harmony toward the mean
        with np.errstate(divide="ignore", invalid="ignore"):
            change = s.temperature * (h - mean_h) / dh
            f = _sigmoid(change / np.where(net == 0, 1.0, net))
        f = np.where(final, f, 0.0)
        with np.errstate(divide="ignore"):           # f = 1 stops a technique (as his)
            x = x * np.exp(ops.makers_T @ np.log1p(-f))
        # reallocate by the rate of harmony gain at the derivatives there
        net = cx.net_output(x, initial)
        dh = _derivatives(ops, t, net, s)
        cost = ops.CT @ dh
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(cost != 0, (ops.PT @ dh - cost) / cost, np.inf)
        x = x * (1.0 + _sigmoid(rate) * s.temperature * s.phase2adjust)
        x = _rescale(ops, cx, x, initial, s)
        net = cx.net_output(x, initial)
        history[k] = float(np.min(net[targeted] / t[targeted])) if targeted.any() else np.nan
    if s.iterations:
        moved = np.abs(x - before) / np.maximum(np.abs(before), 1e-300)
        settled = bool(moved.max(initial=0.0) <= 1e-9)
    net = cx.net_output(x, initial)
    return Balanced(intensity=x, net_output=net, harmony=_harmony(t, net), targets=t,
                    history=history, iterations=s.iterations,
                    seconds=time.perf_counter() - clock, settled=settled)


# ---- the plan ray of an input-output table ---------------------------------------------

@dataclass(frozen=True)
class HarmonyResult:
    """His algorithm's plan for the plan ray, measured as the linear programme measures.

    Attributes
    ----------
    output : ndarray
        Gross output per industry.
    fulfilment : ndarray
        Net output available over target per product (NaN where there is no target).
    sets : float
        Complete baskets the plan delivers: the smallest fulfilment over the targeted
        products (0 when another product is short: the plan is not feasible).
    harmony : float
        Total harmony of the targeted products.
    resource_use : ndarray
        Share of each resource used (his rescale keeps the scarcest at 0.98).
    iterations, seconds : int, float
        Iterations run (his 100 by default) and time taken.
    converged : bool
        True when the last iteration moved no intensity by more than 1e-9 (his programs
        have no stopping test).
    history : ndarray
        ``sets`` after each iteration (not monotone: his algorithm keeps the last plan).
    full_use_sets : float
        Baskets of the same plan scaled up until its scarcest resource is used up (the
        2 % he keeps back, given back), when that stays feasible; else ``sets``.
    feasible : bool
        No product short and no resource over its amount.
    settings : HarmonySettings
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
    full_use_sets: float = float("nan")
    feasible: bool = True
    settings: HarmonySettings = field(default_factory=HarmonySettings)

    def gap(self, optimum: float, *, full_use: bool = False) -> float:
        """Relative shortfall from ``optimum`` sets: ``1 - sets / optimum``."""
        sets = self.full_use_sets if full_use else self.sets
        return float(1.0 - sets / optimum) if optimum > 0 else float("nan")

    def __repr__(self) -> str:
        return (f"<HarmonyResult: {self.sets:.6g} sets after {self.iterations} iterations "
                f"({self.seconds:.3f}s{', infeasible' if not self.feasible else ''})>")


def _sets(net: np.ndarray, basket: np.ndarray, real: np.ndarray, use: np.ndarray,
          tol: float = 1e-9) -> tuple[float, bool]:
    """Baskets delivered: min over the basket of net / basket, 0 when a product outside
    the basket is short or a resource is over (beyond ``tol`` relative)."""
    scale = max(float(np.abs(net).max(initial=0.0)), 1.0)
    ok = bool(np.all(net[~real] >= -tol * scale)) and bool(np.all(use <= 1 + tol))
    low = float(np.min(net[real] / basket[real])) if real.any() else 0.0
    return (max(low, 0.0) if ok else 0.0), ok


def harmony(A: Any, target: np.ndarray, resources: Any, available: np.ndarray, *,
            supply: np.ndarray | None = None, active: np.ndarray | None = None,
            output: np.ndarray | None = None, settings: HarmonySettings | None = None,
            **overrides: Any) -> HarmonyResult:
    """His harmony on an input-output economy with one technique per industry.

    Industry j's technique is its column at the scale ``output[j]`` (the table's gross
    output; 1 by default): it makes ``output[j]`` of product j from ``A[:, j] output[j]``
    (the positive entries, as his reader takes them) and ``resources[:, j] output[j]``.

    Parameters
    ----------
    A : sparse matrix or array, shape (n, n)
        Input of product i per unit of gross output of industry j.
    target : array, shape (n,)
        Target net output per product (0: none; his small target is used).
    resources : sparse matrix or array, shape (k, n)
        Use of each resource per unit of gross output (labour in the first row, say).
    available : array, shape (k,)
        Amount of each resource.
    supply : array, shape (n,), optional
        Fixed supply of each product (net imports), handed in with the resources.
    active : bool array, shape (n,), optional
        Industries that may produce (default all); the others have no technique.
    output : array, shape (n,), optional
        The scale of each technique's column (intensity 1).
    settings : HarmonySettings, optional
        His constants; ``overrides`` replace single ones (``iterations=1000``).

    Returns
    -------
    HarmonyResult

    Examples
    --------
    Miller & Blair (2009), Table 2.3, labour 2050: the linear optimum is 1 basket; his
    algorithm keeps 2 % of the labour back and settles 1.9 % short of that.

    >>> A = [[0.15, 0.25], [0.2, 0.05]]
    >>> h = harmony(A, np.array([350.0, 1700.0]), [[0.65, 0.7]], np.array([2050.0]),
    ...             output=np.array([1000.0, 2000.0]))
    >>> round(h.sets, 3), round(h.full_use_sets, 3)
    (0.962, 0.981)
    """
    s = replace(settings or HarmonySettings(), **overrides)
    A = sp.csr_matrix(A, dtype=float)
    n = A.shape[0]
    basket = np.asarray(target, float).ravel()
    R = sp.csr_matrix(resources, dtype=float)
    b = np.asarray(available, float).ravel()
    m = np.zeros(n) if supply is None else np.asarray(supply, float).ravel()
    on = np.ones(n, bool) if active is None else np.asarray(active, bool).ravel()
    scale = np.ones(n) if output is None else np.asarray(output, float).ravel()
    real = basket > 0
    if not real.any():
        raise ValueError("no product has a positive target")
    made = np.flatnonzero(on & (scale > 0))
    # products: the made sectors' (others have no technique and nobody uses them)
    # then the resources
    cols = sp.diags(scale[made])
    A_pos = A[:, made].multiply(A[:, made] > 0).tocsr()
    mats = (A_pos @ cols)[made]
    R_pos = R[:, made].multiply(R[:, made] > 0) @ cols
    P = sp.csr_matrix(sp.vstack([sp.diags(scale[made]),
                                 sp.csr_matrix((R.shape[0], len(made)))]))
    C = sp.csr_matrix(sp.vstack([mats, R_pos]))
    k = len(made)
    nonproduced = np.r_[np.zeros(k, bool), np.ones(R.shape[0], bool)]
    cx = TechnologyComplex(P, C, nonproduced, nonproduced.copy())
    t = np.r_[basket[made], np.full(R.shape[0], np.nan)]
    initial = np.r_[m[made], b]
    real_m = real[made]
    if real[~np.isin(np.arange(n), made)].any():
        raise ValueError("a product with a target has no active industry to make it")
    run = balance_plan(cx, t, initial, s, targeted=np.r_[real_m, np.zeros(R.shape[0], bool)])
    x = run.intensity
    use = (R_pos @ x) / b
    net = run.net_output[:k]
    sets, feasible = _sets(net, basket[made], real_m, use)
    # the same plan with the 2 % he keeps back given back
    top = float(use.max()) if use.size else 0.0
    full = sets
    if top > 0:
        net_full = cx.net_output(x / top, initial)[:k]
        full_sets, ok = _sets(net_full, basket[made], real_m, (R_pos @ (x / top)) / b)
        full = full_sets if ok else sets
    history = np.where(np.isfinite(run.history), np.maximum(run.history, 0.0), 0.0)
    output_full = np.zeros(n)
    output_full[made] = x * scale[made]
    fulfil = np.full(n, np.nan)
    fulfil[made[real_m]] = net[real_m] / basket[made][real_m]
    return HarmonyResult(
        output=output_full, fulfilment=fulfil, sets=sets,
        harmony=float(run.harmony[:k][real_m].sum()), resource_use=use,
        iterations=run.iterations, seconds=run.seconds, converged=run.settled,
        history=history, full_use_sets=full, feasible=feasible, settings=s)


def harmony_economy(economy: Economy, *, resources: dict[str, float | None] | None = None,
                    imports: ImportRule = "supply", labour_amount: float | None = None,
                    settings: HarmonySettings | None = None,
                    **overrides: Any) -> HarmonyResult:
    """His harmony on the plan-ray problem of `kantorovich.economy.plan` (the same basket,
    imports rule, labour and resources: see `ray_inputs`), the techniques being the
    table's observed columns, so ``sets`` compares directly with the certified optimum
    of `plan_ray`. ``settings`` and ``overrides`` go to `harmony`."""
    from kantorovich.economy.plan import ray_inputs

    inputs = ray_inputs(economy, resources=resources, imports=imports,
                        labour_amount=labour_amount)
    rows = [inputs.labour] + [c for c, _ in inputs.resources.values()]
    amounts = [inputs.labour_amount] + [a for _, a in inputs.resources.values()]
    active = np.zeros(economy.n, bool)
    active[inputs.made] = True
    return harmony(economy.A, inputs.basket, sp.csr_matrix(np.vstack(rows)),
                   np.asarray(amounts, float), supply=inputs.imports, active=active,
                   output=economy.x, settings=settings, **overrides)

