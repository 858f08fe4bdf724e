"""Clarabel's interior point, by a direct factorisation, as a first solve for HiGHS.

HiGHS's interior point (IPX) solves its Newton systems by conjugate gradients with a
basis preconditioner. On a long staircase of periods its iterations grow dearer with the
plan faster than the plan grows (0.3 s at 1,000 products x 10 periods, 2.4 s at 4,000):
the preconditioner fits the stocks' chains across periods badly. Clarabel factorises
each Newton system directly (MKL's PARDISO, `lp.pardiso`, where Intel's wheel is
installed; else the supernodal LDL' of faer), whose cost grows with the fill of the
economy's own structure. So where a plan over time is large, its interior point goes
first, on the program as HiGHS's presolve leaves it (`lp.highs.presolve`: fewer columns,
fewer iterations); its
point and prices, taken back to the program by HiGHS's postsolve (`take_back`), are then
handed to HiGHS, whose crossover finds the optimal vertex and whose simplex confirms it
(on large staircases the crossover works on the presolved program instead, and the
postsolve takes its vertex back: `results.implied`), so that the answer is a basis like
every other (`Highs` with a `Start` that has a point; the certificate checks it as
ever). Anything but a solved status hands on to HiGHS's own interior point: Clarabel is
never the last word.

The program goes to Clarabel as ``min c'x`` subject to ``G x + s = h``, ``s`` in the
cones: the rows with equal bounds in the zero cone, every finite row or column bound its
own nonnegative slack. Its dual ``z`` of a bound is the improvement of the objective per
unit that bound is relaxed, so a row's price (improvement per unit increase of its
active bound, `LpSolution.row_dual`) is ``z`` of its upper bound less ``z`` of its
lower.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import time
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from kantorovich.lp.budget import (Budget, Interrupted, interrupts_enabled, solver_running,
                                   stop_requested)
from kantorovich.lp.highs import LpSolution, Presolved, presolve
from kantorovich.lp import pardiso
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status

__all__ = ["available", "factorisation", "interior_point", "on_presolve", "take_back"]

log = logging.getLogger(__name__)

TOLERANCE = 1e-11
"""Clarabel's gap and feasibility tolerances: the crossover after it starts nearer the
vertex the tighter they are, and a few iterations more cost less than the simplex that
cleans up after the crossover (at 2,000 x 10: 66 iterations and a basis 2,713 simplex
iterations from optimal at 1e-9, 67 iterations and 298 simplex iterations at 1e-11).
Tried and not kept, on HiGHS's presolve: 1e-13 left the crossover at the optimal vertex
at 1,000 to 4,000 x 10 (64 iterations against 61 at 2,000, and 0 simplex iterations
against 2,547), but at 10^4 x 10 it took 131 iterations and 25,958 simplex iterations:
1,233 s for the whole solve, alone, where the program as given at 1e-11 had taken
983.6 s alone (`benchmarks/README.md`)."""


FACTORISATION: str | None = None
"""Clarabel's factorisation: ``"pardiso"`` (MKL's PARDISO where `pardiso.ready` and on
two threads or more, else faer) or ``"faer"``; None reads ``KANTOROVICH_FACTORISATION``,
``pardiso`` where it is unset. PARDISO took Clarabel from 551 s to 323 s at 10^4 x 10,
150 s to 85 s at 4,000 x 10, and whole solves from 71.6 s to 54.7 s at 2,000 x 10 and
24.5 s to 17.6 s at 1,000 x 10 (`benchmarks/README.md`). Told to use one thread,
Clarabel 0.11.1 factorises by PARDISO wrongly (and once crashed the test suite so,
after Dask had set MKL's variables to 1 in its process): one thread is faer's. PARDISO
uses every core; faer, `THREADS`."""


THREADS = 1
"""faer's threads for the factorisation. On two cores one thread was the faster on a
clustered economy (2,000 x 10, Clarabel alone, alternating runs: 45 and 49 s with one
thread, 63 and 70 s with two; at 10^4 x 10, 566 s with one in a run of its own against
703-802 s with two inside whole solves), and even on a random one whose factors are
dense (1,000 x 10, under load: 218 s against 229 s). Not measured on more cores."""


REGULARIZATION = 1e-7
"""Clarabel's static regularisation of its Newton systems (its default 1e-8). On HiGHS's
presolve of a staircase its last steps stalled at the default (step 0 at 1,000 x 10,
"AlmostSolved" at 5e-9 primal and 4e-7 dual infeasibility, and a vertex 2,950 simplex
iterations from optimal after the crossover); at 1e-7 it solved to `TOLERANCE` in 48
iterations (61 at 2,000 x 10), and on the program as given nothing changed (58
iterations either way at 1,000 x 10)."""


ITERATIONS = 400
"""Clarabel's most iterations (its default 200). Its iterations grow slowly with the
plan (126 to 183 at 10^4 products x 10 periods, 92 at 4,000), and what it does not
solve goes to HiGHS's interior point, far slower on these staircases, so it is let
go on rather than stopped at 200."""


def factorisation() -> tuple[str, int, str]:
    """Clarabel's ``direct_solve_method``, its threads, and its name in a method's
    reason."""
    asked = FACTORISATION or os.environ.get("KANTOROVICH_FACTORISATION") or "pardiso"
    threads = _mkl_threads()
    # one thread is faer's: Clarabel 0.11.1 told to run PARDISO on one thread factorises
    # wrongly (its first point at 1e36 and beyond, from 200 to 40,000 products x 10
    # periods; and once a segmentation fault in the test suite)
    if asked.strip().lower() == "pardiso" and threads >= 2 and pardiso.ready():
        return "mkl", threads, "MKL's PARDISO"
    return "faer", THREADS, "faer"


def _mkl_threads() -> int:
    """PARDISO's threads: ``MKL_NUM_THREADS`` or ``OMP_NUM_THREADS`` where set (Dask
    sets both to 1 in its workers, and in the process that starts a local cluster, so
    that a sweep's workers do not each take every core), else every core."""
    for name in ("MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        given = os.environ.get(name, "").strip()
        if given.isdigit() and int(given) > 0:
            return int(given)
    return os.cpu_count() or 1


def available() -> bool:
    """Whether Clarabel is installed (it is a dependency; a stripped install falls back
    to HiGHS's interior point)."""
    return importlib.util.find_spec("clarabel") is not None


def _conic_form(lp: LinearProgram) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray,
                                            dict[str, np.ndarray], int]:
    """``G``, ``h``, ``c`` (minimised) and where each bound's slack sits; the count of
    zero-cone rows first."""
    A = lp.matrix.tocsr()
    m, n = A.shape
    lo, up = np.asarray(lp.row_lower, float), np.asarray(lp.row_upper, float)
    cl, cu = np.asarray(lp.col_lower, float), np.asarray(lp.col_upper, float)
    eq = np.isfinite(lo) & (lo == up)
    upper = np.isfinite(up) & ~eq
    lower = np.isfinite(lo) & ~eq
    col_lo, col_up = np.isfinite(cl), np.isfinite(cu)
    eye = sp.identity(n, format="csr")
    G = sp.vstack([A[eq], A[upper], -A[lower], -eye[col_lo], eye[col_up]], format="csc")
    h = np.concatenate([up[eq], up[upper], -lo[lower], -cl[col_lo], cu[col_up]])
    sign = -1.0 if lp.sense == "maximize" else 1.0
    c = sign * np.asarray(lp.objective, float)
    where = {"eq": np.flatnonzero(eq), "upper": np.flatnonzero(upper),
             "lower": np.flatnonzero(lower)}
    return G, h, c, where, int(eq.sum())


PRESOLVE = True
"""Whether HiGHS's presolve goes first (`lp.highs.presolve`): Clarabel on the smaller
program and the point taken back by HiGHS's postsolve. At 2,000 products x 10 periods
(clustered, Clarabel alone, its default regularisation) 59 iterations and 46 s against
75 and 71 s; at 4,000, 91 and 148 s against 124 and 249 s (side by side). Whole solves, A against B in one
process: 55 s against 87 s at 2,000 x 10, 149 s against 238 s at 4,000, even on
economies whose suppliers are anywhere, up to 0.8 s slower on local ones that take
seconds; at 10^4 x 10, 1,302 s against 1,381 s beside each other (30% fewer Clarabel
iterations, twice the simplex iterations after the crossover)."""


def interior_point(lp: LinearProgram, budget: Budget, *, verbose: bool = False
                   ) -> LpSolution:
    """Clarabel on ``lp`` (on HiGHS's presolve of it where that is smaller): status
    ``optimal`` with its point and prices on ``lp`` when it solved it to `TOLERANCE` or
    almost (a start for the crossover, never an answer by itself), ``time_limit`` when
    the budget ran out, ``error`` otherwise (a status HiGHS should decide: infeasible,
    unbounded, stalled)."""
    answer, presolved = on_presolve(lp, budget, verbose=verbose)
    return take_back(answer, presolved, lp)


def on_presolve(lp: LinearProgram, budget: Budget, *, verbose: bool = False
                ) -> tuple[LpSolution, Presolved | None]:
    """Clarabel on HiGHS's presolve of ``lp`` (`PRESOLVE`) and the way back: its answer
    on ``Presolved.lp``, as `interior_point` says, or on ``lp`` itself and None where
    presolve left nothing smaller. The caller may cross over there and take the vertex
    back (`Presolved.restore_vertex`), or take the point back (`take_back`)."""
    started = time.perf_counter()
    presolved = presolve(lp, budget) if PRESOLVE else None
    if budget.expired():
        return LpSolution(Status.TIME_LIMIT, seconds=time.perf_counter() - started,
                          message="Clarabel: the time ran out in HiGHS's presolve"), presolved
    answer = _clarabel(presolved.lp if presolved is not None else lp, budget, verbose)
    answer = replace(answer, seconds=time.perf_counter() - started)
    if presolved is not None:
        answer = replace(answer, message=f"{answer.message}, on HiGHS's presolve "
                                         f"({presolved.shrank})")
    return answer, presolved


def take_back(answer: LpSolution, presolved: Presolved | None, lp: LinearProgram
              ) -> LpSolution:
    """`on_presolve`'s answer as a point and prices of ``lp`` (HiGHS's postsolve, where
    there was a presolve); ``error`` where the postsolve refused it."""
    if presolved is None or answer.status is not Status.OPTIMAL:
        return answer
    started = time.perf_counter()
    back = presolved.restore(answer.x, answer.row_dual)
    seconds = answer.seconds + time.perf_counter() - started
    if back is None:
        return replace(answer, status=Status.ERROR, seconds=seconds,
                       message=f"{answer.message}; HiGHS's postsolve refused its point")
    x, row_dual = back
    return replace(answer, x=x, row_dual=row_dual, row_activity=lp.matrix @ x,
                   objective=float(np.asarray(lp.objective, float) @ x + lp.constant),
                   seconds=seconds)


def _clarabel(lp: LinearProgram, budget: Budget, verbose: bool) -> LpSolution:
    """Clarabel itself on ``lp``, as `interior_point` says."""
    import clarabel

    started = time.perf_counter()
    G, h, c, where, zeros = _conic_form(lp)
    m, n = lp.shape
    settings: Any = clarabel.DefaultSettings()
    settings.verbose = verbose
    settings.direct_solve_method, settings.max_threads, _ = factorisation()
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = TOLERANCE
    settings.static_regularization_constant = REGULARIZATION
    settings.max_iter = ITERATIONS
    if budget.limited:
        settings.time_limit = max(budget.remaining(), 1e-3)
    cones = ([clarabel.ZeroConeT(zeros)] if zeros else []) \
        + [clarabel.NonnegativeConeT(G.shape[0] - zeros)]
    solver = clarabel.DefaultSolver(sp.csc_matrix((n, n)), c, G, h, cones, settings)
    if interrupts_enabled():            # the CLI's Ctrl-C: stop at the next iteration
        solver.set_termination_callback(lambda info: stop_requested())
    with solver_running():
        answer = solver.solve()
    seconds = time.perf_counter() - started
    if stop_requested():
        raise Interrupted("interrupted")
    said = str(answer.status)
    iterations = int(answer.iterations)
    if said.endswith("MaxTime"):
        return LpSolution(Status.TIME_LIMIT, seconds=seconds, iterations=iterations,
                          message=f"Clarabel: {said}")
    # "AlmostSolved" (Clarabel's reduced tolerances, met where 1e-11 was not) is kept:
    # the point only starts HiGHS's crossover, and the vertex it leads to is certified
    # like any other; handing on to IPX instead threw away 25 s at 1,000 x 10 clustered
    if not said.endswith("Solved"):
        return LpSolution(Status.ERROR, seconds=seconds, iterations=iterations,
                          message=f"Clarabel: {said}")
    x = np.asarray(answer.x, dtype=float)
    z = np.asarray(answer.z, dtype=float)
    row_dual = np.zeros(m)
    e, u, w = where["eq"], where["upper"], where["lower"]
    row_dual[e] = z[:zeros]
    row_dual[u] += z[zeros:zeros + len(u)]
    row_dual[w] -= z[zeros + len(u):zeros + len(u) + len(w)]
    activity = lp.matrix @ x
    objective = float(np.asarray(lp.objective, float) @ x + lp.constant)
    log.debug("Clarabel: %s in %d iterations, %.2f s", said, iterations, seconds)
    return LpSolution(Status.OPTIMAL, objective=objective, x=x, row_activity=activity,
                      row_dual=row_dual, seconds=seconds, iterations=iterations,
                      message=f"Clarabel: {said}")
