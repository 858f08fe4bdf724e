"""The HiGHS adapter: the solver session and its presolve, one of the two modules that
import ``highspy`` (MPS files are read and written by `kantorovich.lp.mps_io`).

Arrays go in as CSC, in memory. HiGHS statuses map onto `Status`. The dual sign is set
once, here, and nowhere else: ``row_dual[i]`` is the *improvement* of the objective (rise
when maximising, fall when minimising) per unit increase of row i's active bound, for
either sense (checked by finite differences in tests/test_prices.py); every price in
`results` is read from it, and reduced costs are recomputed from it, not taken from the
solver. Solver words stop here.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import highspy
import numpy as np
from highspy.highs import HighsCallbackEvent
import pandas as pd
import scipy.sparse as sp

from kantorovich.errors import KantorovichError
from kantorovich.lp.budget import (Budget, Interrupted, interrupts_enabled, solver_running,
                                   stop_requested)
from kantorovich.lp.program import LinearProgram, repeated_category
from kantorovich.lp.status import Status

__all__ = ["HighsSession", "LpSolution", "Presolved", "SessionClosed", "SolverInputError",
           "presolve", "solve_lp", "watch_solves"]

log = logging.getLogger(__name__)

_INF = highspy.kHighsInf

_SCHEDULED = threading.local()


def _scheduler_in_this_thread() -> None:
    """Start HiGHS's task scheduler in the calling thread, once.

    `Highs.crossover` (IPX's crossover from a given point) polls the scheduler of its
    thread for interrupts but, unlike `Highs.run`, never starts one: in a thread where
    nothing has run yet it reads a null pointer and the process dies of a segmentation
    fault (highspy 1.16; 1.15 returns an error) as soon as the model is large enough to
    be polled. A run of a one-column program starts the scheduler, and it lives on in
    the thread (milliseconds, once per thread)."""
    if getattr(_SCHEDULED, "done", False):
        return
    h = _new_highs()
    h.addVar(0.0, 1.0)
    h.run()
    _SCHEDULED.done = True


class SolverInputError(KantorovichError):
    """Numbers HiGHS cannot take; bad input, so exit code 2."""

    code = "solver-input"
    exit_code = 2

_STATUS = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: Status.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: Status.ITERATION_LIMIT,
    highspy.HighsModelStatus.kModelEmpty: Status.OPTIMAL,
}


class _QuietHighs(highspy.Highs):
    """A `highspy.Highs` that is silent from its first call.

    HiGHS prints its banner on stdout from the first method that logs while
    ``output_flag`` is on; in highspy 1.16 that is ``setCallback``, which ``Highs()``
    calls from `enableCallbacks` during construction (the C++ constructor itself prints
    nothing). Turning the flag off just before that first call silences the banner
    without touching the process's file descriptor 1, so threads writing to stdout
    meanwhile lose nothing. Checked by tests/test_result_data.py in a fresh process.
    """

    _quieted = False

    def __init__(self) -> None:
        self._base().__init__()

    def _base(self) -> Any:
        """highspy's `Highs`, whose Python layer is not annotated."""
        return super()

    def enableCallbacks(self) -> None:  # noqa: N802 - highspy's name
        if not self._quieted:
            self._quieted = True
            self.setOptionValue("output_flag", False)
        self._base().enableCallbacks()


class _Undeclared(Protocol):
    """Methods highspy 1.16 has at run time that its type stubs do not declare."""

    def changeRowsBounds(self, count: int, rows: np.ndarray, lower: np.ndarray,  # noqa: N802
                         upper: np.ndarray) -> highspy.HighsStatus: ...

    def getPrimalRay(self) -> tuple[highspy.HighsStatus, bool, list[float]]: ...  # noqa: N802


def _declared(h: highspy.Highs) -> _Undeclared:
    """``h`` seen with the methods its stubs leave out (`_Undeclared`)."""
    return cast(_Undeclared, h)


class SessionClosed(RuntimeError):
    """A solver session used after `HighsSession.close`: a bug in the caller."""


class _Closed:
    """Stands in for the HiGHS instance of a closed session: any use raises."""

    def __getattr__(self, name: str) -> object:
        raise SessionClosed(f"the solver session was closed; '{name}' needs a live one "
                            "(make a new HighsSession)")


def _new_highs() -> highspy.Highs:
    """A silent Highs object (no banner, no log) that leaves stdout alone."""
    h = _QuietHighs()
    h.setOptionValue("output_flag", False)
    return h


@dataclass
class LpSolution:
    """What one solve produced, in arrays aligned with the program's rows and columns."""

    status: Status
    objective: float = float("nan")
    x: np.ndarray = field(default_factory=lambda: np.array([]))
    row_activity: np.ndarray = field(default_factory=lambda: np.array([]))
    row_dual: np.ndarray = field(default_factory=lambda: np.array([]))   # improvement per unit
    row_basis: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    col_basis: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    seconds: float = 0.0
    iterations: int = 0
    message: str = ""

    @property
    def has_basis(self) -> bool:
        return len(self.col_basis) > 0


def _to_highs_lp(lp: LinearProgram) -> highspy.HighsLp:
    A = lp.matrix.tocsc()
    m, n = A.shape
    model = highspy.HighsLp()
    model.num_col_ = n
    model.num_row_ = m
    model.col_cost_ = np.ascontiguousarray(lp.objective, dtype=float)
    model.col_lower_ = np.where(np.isinf(lp.col_lower), -_INF, lp.col_lower).astype(float)
    model.col_upper_ = np.where(np.isinf(lp.col_upper), _INF, lp.col_upper).astype(float)
    model.row_lower_ = np.where(np.isinf(lp.row_lower), -_INF, lp.row_lower).astype(float)
    model.row_upper_ = np.where(np.isinf(lp.row_upper), _INF, lp.row_upper).astype(float)
    model.offset_ = float(lp.constant)
    model.sense_ = (highspy.ObjSense.kMaximize if lp.sense == "maximize"
                    else highspy.ObjSense.kMinimize)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = A.indptr.astype(np.int32)
    model.a_matrix_.index_ = A.indices.astype(np.int32)
    model.a_matrix_.value_ = A.data.astype(float)
    return model


def _from_highs_lp(model: highspy.HighsLp) -> LinearProgram:
    """A HiGHS model as a program (infinite bounds as ``inf``), labelled by position:
    its rows and columns are HiGHS's, not the plan's."""
    def bound(values: Any) -> np.ndarray:
        a = np.asarray(values, dtype=float)
        return np.where(np.abs(a) >= _INF, np.copysign(np.inf, a), a)

    m, n = int(model.num_row_), int(model.num_col_)
    matrix = sp.csc_matrix((np.asarray(model.a_matrix_.value_, dtype=float),
                            np.asarray(model.a_matrix_.index_, dtype=np.int64),
                            np.asarray(model.a_matrix_.start_, dtype=np.int64)), shape=(m, n))
    return LinearProgram(
        sense="maximize" if model.sense_ == highspy.ObjSense.kMaximize else "minimize",
        objective=np.asarray(model.col_cost_, dtype=float), matrix=matrix,
        row_lower=bound(model.row_lower_), row_upper=bound(model.row_upper_),
        col_lower=bound(model.col_lower_), col_upper=bound(model.col_upper_),
        rows=pd.DataFrame({"kind": repeated_category("presolved", m), "id": np.arange(m)}),
        cols=pd.DataFrame({"kind": repeated_category("presolved", n), "id": np.arange(n)}),
        constant=float(model.offset_))


@dataclass
class Presolved:
    """A program as HiGHS's presolve left it, and the way back.

    An interior point spends its time factorising; presolve takes out what a few
    substitutions settle (on a staircase of periods, each period's stocks and the
    investment of the last one: 40% of the columns at 2,000 products x 10 periods), and
    Clarabel then needed 59 iterations where it needed 75, 91 where 124 at 4,000 x 10.
    `restore` takes a point and its prices on the smaller program back to the whole one
    (HiGHS's postsolve, which needs no basis), where the crossover starts from it;
    `restore_vertex` takes an optimal vertex of the smaller program back with its basis,
    so that the crossover and the simplex after it can work on the smaller program."""

    lp: LinearProgram
    original: LinearProgram
    _h: Any

    @property
    def shrank(self) -> str:
        (m, n), (m0, n0) = self.lp.shape, self.original.shape
        return f"{m:,} rows x {n:,} columns of {m0:,} x {n0:,}"

    def _solution(self, x: np.ndarray, row_dual: np.ndarray) -> highspy.HighsSolution:
        """A point and its prices (improvement per unit) on the presolved program as
        HiGHS's postsolve reads them."""
        lp = self.lp
        marginal = lp.improves * np.asarray(row_dual, dtype=float)   # d objective / d b
        values = np.asarray(x, dtype=float)
        solution = highspy.HighsSolution()
        solution.col_value = values
        solution.row_value = np.asarray(lp.matrix @ values, dtype=float)
        solution.row_dual = marginal
        solution.col_dual = np.asarray(lp.objective - lp.matrix.T @ marginal, dtype=float)
        solution.value_valid = True
        solution.dual_valid = True
        return solution

    def _restored(self) -> tuple[np.ndarray, np.ndarray] | None:
        back = self._h.getSolution()
        m, n = self.original.shape
        restored = np.asarray(back.col_value, dtype=float)
        duals = np.asarray(back.row_dual, dtype=float)
        if not back.value_valid or len(restored) != n or len(duals) != m:
            return None
        return restored, self.original.improves * duals + 0.0

    def restore(self, x: np.ndarray, row_dual: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray] | None:
        """``x`` and the row duals (improvement per unit) of the presolved program as a
        point and prices of the original; None when HiGHS's postsolve refused them."""
        if self._h.postsolve(self._solution(x, row_dual)) == highspy.HighsStatus.kError:
            return None
        return self._restored()

    def restore_vertex(self, vertex: LpSolution, budget: Budget | None = None
                       ) -> LpSolution | None:
        """An optimal vertex of the presolved program (with its basis) as an optimal
        vertex of the original: HiGHS's postsolve undoes presolve's steps on the basis
        too, then its simplex confirms the original from that basis (no pivot where
        nothing was lost). None where the postsolve refused it, gave no basis, or did
        not end optimal (the time ran out, say): the caller then takes the point back
        with `restore` instead."""
        m, n = self.lp.shape
        if vertex.status is not Status.OPTIMAL or len(vertex.x) != n \
                or len(vertex.col_basis) != n or len(vertex.row_basis) != m:
            return None
        basis = _highs_basis(vertex.col_basis, vertex.row_basis)
        if basis is None:
            return None
        h = self._h
        if budget is not None and budget.limited:
            if budget.expired():
                return None
            h.setOptionValue("time_limit", max(budget.remaining(), 1e-3))
        started = time.perf_counter()
        with solver_running():
            said = h.postsolve(self._solution(vertex.x, vertex.row_dual), basis)
        seconds = time.perf_counter() - started
        back = self._restored()
        found = h.getBasis()
        if said == highspy.HighsStatus.kError or back is None or not found.valid \
                or h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            log.debug("HiGHS's postsolve of a vertex gave no optimal basis (%s, %s)",
                      said, h.getModelStatus())
            return None
        x, row_dual = back
        return LpSolution(
            Status.OPTIMAL, objective=float(h.getInfo().objective_function_value),
            x=x, row_activity=np.asarray(h.getSolution().row_value, dtype=float),
            row_dual=row_dual, col_basis=_basis_names(found.col_status),
            row_basis=_basis_names(found.row_status), seconds=seconds,
            iterations=max(int(h.getInfo().simplex_iteration_count), 0),
            message="HiGHS's postsolve of the presolved program's vertex")


def presolve(lp: LinearProgram, budget: Budget | None = None) -> Presolved | None:
    """HiGHS's presolve of ``lp`` (within ``budget``), or None where it did not leave a
    smaller program to solve: nothing to reduce, the program decided by presolve alone
    (empty, infeasible, unbounded: HiGHS's own run then says which), or no time."""
    h = _new_highs()
    if budget is not None and budget.limited:
        if budget.expired():
            return None
        h.setOptionValue("time_limit", max(budget.remaining(), 1e-3))
    if h.passModel(_to_highs_lp(lp)) == highspy.HighsStatus.kError:
        return None
    _scheduler_in_this_thread()
    with solver_running():
        status = h.presolve()
    if status == highspy.HighsStatus.kError \
            or h.getModelPresolveStatus() != highspy.HighsPresolveStatus.kReduced:
        return None
    reduced = _from_highs_lp(h.getPresolvedLp())
    if 0 in reduced.shape:
        return None
    return Presolved(reduced, lp, h)


#: who wants to hear how a solve is going: called with (iterations, objective) at most
#: every `_WATCH_SECONDS` from HiGHS's interrupt callbacks (so only where interrupts are
#: enabled, i.e. under the CLI)
_watchers: list[Callable[[int, float], None]] = []
_WATCH_SECONDS = 0.25
_last_told = [0.0]


def watch_solves(callback: Callable[[int, float], None] | None) -> None:
    """Have ``callback(iterations, objective)`` told of every solve's progress a few times
    a second (None: stop). The objective is the solver's current one, in plan units."""
    _watchers.clear()
    if callback is not None:
        _watchers.append(callback)


def _interrupt_if_asked(event: HighsCallbackEvent) -> None:
    if stop_requested():
        event.interrupt()
    if _watchers:
        now = time.monotonic()
        if now - _last_told[0] >= _WATCH_SECONDS:
            _last_told[0] = now
            out = event.data_out
            iterations = int(max(out.simplex_iteration_count, 0)
                             + max(out.ipm_iteration_count, 0)
                             + max(out.pdlp_iteration_count, 0))
            for tell in _watchers:
                tell(iterations, float(out.objective_function_value))


class HighsSession:
    """One HiGHS instance holding one program; re-solves after bound changes start warm.

    Policy costs, move values and price ranges all re-solve the same program with one
    bound changed, so keeping the basis between solves saves most of the work. The
    program goes to HiGHS exactly scaled by powers of two (`lp.scaling`), so that no
    coefficient the user wrote falls under HiGHS's drop tolerance and no large bound is
    taken for infinity; every number coming back is unscaled here, and every bound going
    in is scaled here, so callers only ever see the plan's own units.

    Every solve draws on one `Budget` (``budget`` or ``time_limit`` seconds for the whole
    session, not per solve).
    """

    def __init__(self, lp: LinearProgram, *, budget: Budget | float | None = None,
                 time_limit: float | None = None, verbose: bool = False) -> None:
        from kantorovich.lp.scaling import scale_program

        self.lp = lp
        self.budget = Budget.of(budget if budget is not None else time_limit)
        scaled, self.scaling = scale_program(lp)
        self._scaled_costs = scaled.objective
        self._cost = 1.0    # the solver holds the costs times this power of two
        self._added_scale: list[float] = []     # the factor of each row `add_row` added
        self.method = "choose"                  # set by `use_method`
        self._devex_once = False                # set by `cross_over`, read by `_run`
        self._h = _new_highs()
        self._log_file: str | None = None
        if verbose:
            fd, self._log_file = tempfile.mkstemp(prefix="kantorovich-highs-", suffix=".log")
            os.close(fd)
            self._h.setOptionValue("output_flag", True)
            self._h.setOptionValue("log_to_console", False)
            self._h.setOptionValue("log_file", self._log_file)
        status = self._h.passModel(_to_highs_lp(scaled))
        if status == highspy.HighsStatus.kError:
            raise SolverInputError(
                "the solver refused the plan's numbers",
                hint="coefficients must be finite; see 'kantorovich validate'")
        if interrupts_enabled():
            self._h.cbSimplexInterrupt.subscribe(_interrupt_if_asked)
            self._h.cbIpmInterrupt.subscribe(_interrupt_if_asked)

    def flush_log(self) -> None:
        """Pass HiGHS's log (kept with ``verbose``) on to logging; the session stays
        usable for more solves."""
        if self._log_file:
            try:
                text = Path(self._log_file).read_text()
                for line in text.splitlines():
                    log.info("HiGHS: %s", line)
                os.unlink(self._log_file)
            except OSError:
                pass
            self._log_file = None
            self._h.setOptionValue("output_flag", False)

    def close(self) -> None:
        """Pass the log on and release the HiGHS instance (its program, factors and
        basis); any later call on this session raises `SessionClosed`. Closing twice
        does nothing."""
        if isinstance(self._h, _Closed):
            return
        self.flush_log()
        # a stand-in whose every attribute raises: typed as what it replaces
        h, self._h = self._h, cast(highspy.Highs, _Closed())
        h.clear()

    @property
    def closed(self) -> bool:
        return isinstance(self._h, _Closed)

    def __enter__(self) -> HighsSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- solving ----------------------------------------------------------------------
    def _arm(self, budget: Budget) -> bool:
        """Set HiGHS's limit to what is left of ``budget``; False when nothing is left."""
        if stop_requested():
            raise Interrupted("interrupted")
        h = self._h
        if budget.limited:
            left = budget.remaining()
            if left <= 0.0:
                return False
            # HiGHS compares its limit with the run time summed over this instance's runs
            h.setOptionValue("time_limit", float(h.getRunTime() + left))
        else:
            h.setOptionValue("time_limit", _INF)
        return True

    def _run(self, budget: Budget) -> bool:
        """One HiGHS run within ``budget``; False when the budget was spent beforehand.

        The first run after a crossover from a point prices by Devex: the dual simplex's
        steepest edge would first compute the exact weight of every row of the basis
        the crossover left (one solve with the basis each, uninterruptible), which took
        72 s of a 101 s cleanup at 2,000 products x 10 periods and over an hour at 10^4,
        against 32 s for the whole cleanup by Devex (`benchmarks/README.md`)."""
        h = self._h
        if not self._arm(budget):
            return False
        devex = self._devex_once
        if devex:
            h.setOptionValue("simplex_dual_edge_weight_strategy", 1)
            self._devex_once = False
        try:
            with solver_running():
                h.run()
        finally:
            if devex:
                h.setOptionValue("simplex_dual_edge_weight_strategy", -1)
        if stop_requested() or h.getModelStatus() == highspy.HighsModelStatus.kInterrupt:
            raise Interrupted("interrupted")
        return True

    def solve(self, budget: Budget | None = None) -> LpSolution:
        """Solve (warm from the last basis) within ``budget``, by default the session's."""
        budget = self.budget if budget is None else budget
        h = self._h
        started = time.perf_counter()
        if not self._run(budget):
            return LpSolution(Status.TIME_LIMIT, message="the time budget was spent")
        status = self._status()
        if status is None:
            # presolve could not tell infeasible from unbounded: ask again without it
            h.setOptionValue("presolve", "off")
            try:
                ran = self._run(budget)
            finally:
                h.setOptionValue("presolve", "choose")
            status = (self._status() or Status.ERROR) if ran else Status.TIME_LIMIT
        seconds = time.perf_counter() - started
        info = h.getInfo()
        iterations = int(max(info.simplex_iteration_count, 0)
                         + max(info.ipm_iteration_count, 0)
                         + max(info.pdlp_iteration_count, 0))
        message = h.modelStatusToString(h.getModelStatus())
        log.debug("HiGHS finished: %s in %.3fs, %d iterations", message, seconds, iterations)
        if status is not Status.OPTIMAL:
            return LpSolution(status, seconds=seconds, iterations=iterations, message=message)
        sol = h.getSolution()
        basis = h.getBasis()
        row_basis = col_basis = np.array([], dtype=object)
        if basis.valid:
            col_basis = _basis_names(basis.col_status)
            row_basis = _basis_names(basis.row_status)
        m, n = self.lp.shape
        x, activity, marginal = self.scaling.unscale(
            np.asarray(sol.col_value, dtype=float)[:n],
            np.asarray(sol.row_value, dtype=float)[:m],
            np.asarray(sol.row_dual, dtype=float)[:m] / self._cost)[:3]
        return LpSolution(
            status=status, objective=float(info.objective_function_value) / self._cost,
            x=x, row_activity=activity, row_dual=self._improvement(marginal),
            row_basis=row_basis, col_basis=col_basis,
            seconds=seconds, iterations=iterations, message=message,
        )

    def cross_over(self, x: np.ndarray, row_dual: np.ndarray) -> bool:
        """Hand HiGHS a point and its prices (in the plan's units; row duals as the
        improvement per unit, as everywhere here) and let its crossover find a basis
        from them, so that the next `solve` starts warm; False when it could not."""
        m, n = self.lp.shape
        lp = self.lp
        if len(x) != n or len(row_dual) != m:
            return False
        marginal = lp.improves * np.asarray(row_dual, dtype=float)   # d objective / d b
        row, col = self.scaling.row[:m], self.scaling.col[:n]
        solution = highspy.HighsSolution()
        solution.col_value = np.asarray(x, dtype=float) / col
        solution.row_value = (lp.matrix @ np.asarray(x, dtype=float)) * row
        solution.row_dual = marginal * self._cost / row
        solution.col_dual = (lp.objective - lp.matrix.T @ marginal) * self._cost * col
        solution.value_valid = True
        solution.dual_valid = True
        if not self._arm(self.budget):
            return False
        _scheduler_in_this_thread()
        with solver_running():
            status = self._h.crossover(solution)
        if status == highspy.HighsStatus.kError or not self._h.getBasis().valid:
            log.debug("HiGHS crossover from a given point failed (%s)", status)
            return False
        self._devex_once = True
        return True

    def keep_optimum(self) -> None:
        """Remember the current (optimal) basis: every `what_if` starts from it, not from
        wherever the previous what-if ended, which saves most of the iterations."""
        basis = self._h.getBasis()
        self._optimum = basis if basis.valid else None

    def what_if(self, budget: Budget | None = None, *, values: bool = False) -> LpSolution:
        """Re-solve after a change, warm from the kept optimum, within ``budget``.

        Returns the status and objective, and with ``values`` also the levels, row
        activities and row duals (never the basis): what an analysis reads of a re-solve.
        """
        h = self._h
        optimum = getattr(self, "_optimum", None)
        if optimum is not None:
            basis = optimum
            extra = h.getNumRow() - len(optimum.row_status)
            if extra > 0:   # rows added since: they start basic (their slack carries them)
                basis = highspy.HighsBasis()
                basis.valid = True
                basis.col_status = list(optimum.col_status)
                basis.row_status = [*optimum.row_status,
                                    *[highspy.HighsBasisStatus.kBasic] * extra]
            h.setBasis(basis)
        budget = self.budget if budget is None else budget
        if not self._run(budget):
            return LpSolution(Status.TIME_LIMIT, message="the time budget was spent")
        status = self._status() or Status.ERROR
        if status is not Status.OPTIMAL:
            return LpSolution(status, message=h.modelStatusToString(h.getModelStatus()))
        objective = float(h.getInfo().objective_function_value) / self._cost
        if not values:
            return LpSolution(status, objective=objective)
        sol = h.getSolution()
        m, n = self.lp.shape
        x, activity, marginal = self.scaling.unscale(
            np.asarray(sol.col_value, dtype=float)[:n],
            np.asarray(sol.row_value, dtype=float)[:m],
            np.asarray(sol.row_dual, dtype=float)[:m] / self._cost)[:3]
        return LpSolution(status, objective=objective, x=x, row_activity=activity,
                          row_dual=self._improvement(marginal))

    def _improvement(self, marginal: np.ndarray) -> np.ndarray:
        """HiGHS's row duals are d(objective)/d(bound) in either sense; turn them into the
        improvement per unit, the one convention the rest of the package uses."""
        return self.lp.improves * marginal + 0.0

    def scale_costs(self, dual_size: float) -> None:
        """Multiply the solver's costs by the power of two that brings duals of size
        ``dual_size`` (in the plan's units) to about 1. HiGHS judges reduced costs against an absolute 1e-7:
        prices of 1e-8 per unit of a level of 1e10 (an economy counted in money, an
        objective counted in baskets) sit under it, and a plan that makes nothing passes
        for optimal. Every number coming back is divided again, so callers see none of it."""
        if not np.isfinite(dual_size) or dual_size <= 0:
            return
        k = int(np.clip(-np.rint(np.log2(dual_size)), -60, 60))
        self._cost = float(np.ldexp(1.0, k))
        n = self.lp.shape[1]
        self._h.changeColsCost(n, np.arange(n, dtype=np.int32),
                               np.ascontiguousarray(self._scaled_costs * self._cost))
        self._h.changeObjectiveOffset(float(self.lp.constant) * self._cost)

    def solve_carefully(self, budget: Budget | None = None, *,
                        dual_size: float | None = None) -> LpSolution:
        """Solve again from scratch, without presolve and with tolerances a hundred times
        tighter, and (given the size of the failed answer's duals) with the costs scaled
        so that its duals are about 1: the second opinion asked for when a certificate
        fails."""
        h = self._h
        if dual_size is not None and not 1e-3 <= dual_size <= 1e3:
            self.scale_costs(dual_size)
        # PDLP stops on the two feasibility tolerances too (its own optimality
        # tolerance is not read by HiGHS 1.16's PDLP: measured)
        options = ("primal_feasibility_tolerance", "dual_feasibility_tolerance",
                   "ipm_optimality_tolerance")
        saved = {o: float(h.getOptionValue(o)[1]) for o in options}
        h.clearSolver()
        h.setOptionValue("presolve", "off")
        for option, value in saved.items():
            h.setOptionValue(option, max(value / 100.0, 1e-10))
        try:
            return self.solve(budget)
        finally:
            h.setOptionValue("presolve", "choose")
            for option, value in saved.items():
                h.setOptionValue(option, value)

    def tighten_tolerances(self, factor: float) -> None:
        """Divide HiGHS's primal and dual feasibility tolerances by ``factor`` (not below
        1e-10) for every later solve: a warm second look at an answer whose prices the
        certificate found off by a little."""
        for option in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            value = float(self._h.getOptionValue(option)[1])
            self._h.setOptionValue(option, max(value / factor, 1e-10))

    def _status(self) -> Status | None:
        model_status = self._h.getModelStatus()
        if model_status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            return None
        return _STATUS.get(model_status, Status.ERROR)

    # -- changing the program (in the plan's units; scaled here) ------------------------
    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """New bounds for row ``row``: one of the program's, or one added by `add_row`."""
        row = int(row)
        m = self.lp.shape[0]
        if row < m:
            scaled = self.scaling.to_scaled_row_bounds(row, lower, upper)
            lo, up = float(scaled[0]), float(scaled[1])
        else:   # an added row keeps the factor it was scaled by
            r = self._added_scale[row - m]
            lo, up = float(lower) * r, float(upper) * r
        self._h.changeRowBounds(row, _clip(lo), _clip(up))

    def set_col_bounds(self, col: int, lower: float, upper: float) -> None:
        lo, up = self.scaling.to_scaled_col_bounds(int(col), lower, upper)
        self._h.changeColBounds(int(col), _clip(float(lo)), _clip(float(up)))

    def restore_row(self, row: int) -> None:
        """Put row ``row`` back to the program's own bounds."""
        self.set_row_bounds(row, self.lp.row_lower[row], self.lp.row_upper[row])

    def set_rows_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Set the bounds of several rows at once, in the plan's units.

        Parameters
        ----------
        rows : array of int
            Row positions in the program.
        lower, upper : array of float
            New bounds, one per row; infinities for none.
        """
        rows = np.asarray(rows, dtype=np.int32)
        if rows.size:
            lo, up = self.scaling.to_scaled_row_bounds(rows, lower, upper)
            _declared(self._h).changeRowsBounds(len(rows), rows, _clip_all(lo), _clip_all(up))

    def set_cols_bounds(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Set the bounds of several columns at once, in the plan's units.

        Parameters
        ----------
        cols : array of int
            Column positions in the program.
        lower, upper : array of float
            New bounds, one per column; infinities for none.
        """
        cols = np.asarray(cols, dtype=np.int32)
        if cols.size:
            lo, up = self.scaling.to_scaled_col_bounds(cols, lower, upper)
            self._h.changeColsBounds(len(cols), cols, _clip_all(lo), _clip_all(up))

    def set_costs(self, cols: np.ndarray, costs: np.ndarray) -> None:
        """Set the objective coefficients of several columns, in the plan's units (the
        solver holds ``s_j c_j``).

        Parameters
        ----------
        cols : array of int
            Column positions in the program.
        costs : array of float
            New objective coefficients, one per column.
        """
        cols = np.asarray(cols, dtype=np.int32)
        if cols.size:
            scaled = np.asarray(costs, dtype=float) * self.scaling.col[cols]
            self._scaled_costs = self._scaled_costs.copy()
            self._scaled_costs[cols] = scaled
            self._h.changeColsCost(len(cols), cols,
                                   np.ascontiguousarray(scaled * self._cost))

    def set_coefficient(self, row: int, col: int, value: float) -> None:
        """Set one matrix coefficient, in the plan's units (the solver holds
        ``r_i a_ij s_j``)."""
        scaled = float(value) * self.scaling.row[int(row)] * self.scaling.col[int(col)]
        self._h.changeCoeff(int(row), int(col), scaled)

    def set_basis(self, col_basis: np.ndarray, row_basis: np.ndarray) -> bool:
        """Start the next solve from a basis given as words ('lower', 'basic', ...), as an
        `LpSolution` stores it; False (and nothing set) when its shape or a word does not
        fit."""
        m, n = self.lp.shape
        if len(col_basis) != n or len(row_basis) != m:
            return False
        basis = _highs_basis(col_basis, row_basis)
        return basis is not None and self._h.setBasis(basis) != highspy.HighsStatus.kError

    def add_row(self, cols: np.ndarray, values: np.ndarray, lower: float,
                upper: float) -> int:
        cols = np.asarray(cols, dtype=np.int32)
        values, lo, up, r = self.scaling.scale_new_row(cols, np.asarray(values, dtype=float),
                                                      lower, upper)
        self._h.addRow(_clip(lo), _clip(up), len(cols), cols, np.asarray(values, dtype=float))
        self._added_scale.append(r)
        return self._h.getNumRow() - 1

    def add_columns(self, matrix: sp.csc_matrix, objective: np.ndarray, lower: np.ndarray,
                    upper: np.ndarray, cols: pd.DataFrame) -> None:
        """Append columns (in the plan's units) to the program the session holds.

        Each new column gets its own power-of-two factor, centring its entries (already
        multiplied by the session's row factors) on 1, so that every number still reaches
        the solver exactly; the session's program and scaling grow with it, so every
        number coming back stays in the plan's units. The basis is kept, the new columns
        nonbasic at their lower bound: the next solve starts warm. For technique
        generation (`lp.generation`).

        Raises
        ------
        ScalingError
            When a column's entries span more than the solver can hold.
        """
        from dataclasses import replace

        from kantorovich.lp.scaling import ScalingError

        matrix = sp.csc_matrix(matrix)
        k = matrix.shape[1]
        if k == 0:
            return
        if self._h.getNumRow() != self.lp.shape[0]:
            raise ValueError("columns cannot be added while rows added by add_row remain")
        col_of = np.repeat(np.arange(k), np.diff(matrix.indptr))
        with np.errstate(divide="ignore"):
            size = np.log2(np.abs(matrix.data * self.scaling.row[matrix.indices]))
        top = np.full(k, -np.inf)
        bottom = np.full(k, np.inf)
        np.maximum.at(top, col_of, size)
        np.minimum.at(bottom, col_of, size)
        has = np.isfinite(top)
        exponent = np.where(has, -np.rint((np.where(has, top, 0) + np.where(has, bottom, 0))
                                          / 2), 0.0)
        if np.any(has & ((bottom + exponent < -28) | (top + exponent > 48))):
            bad = int(np.flatnonzero(has & ((bottom + exponent < -28)
                                            | (top + exponent > 48)))[0])
            raise ScalingError(f"{cols['kind'].iat[bad]} '{cols['id'].iat[bad]}': its "
                               "coefficients span more than the solver can hold",
                               hint="rescale the units of the goods it uses")
        s = np.ldexp(1.0, exponent.astype(np.int64))
        data = matrix.data * self.scaling.row[matrix.indices] * s[col_of]
        cost = np.asarray(objective, dtype=float) * s
        lo = np.asarray(lower, dtype=float) / s
        up = np.asarray(upper, dtype=float) / s
        n = self.lp.shape[1]
        self._h.addCols(k, np.ascontiguousarray(cost * self._cost), _clip_all(lo),
                        _clip_all(up), int(matrix.nnz), matrix.indptr[:-1].astype(np.int32),
                        matrix.indices.astype(np.int32), np.ascontiguousarray(data))
        lp = self.lp
        self.lp = replace(
            lp, matrix=sp.hstack([lp.matrix, matrix], format="csc"),
            objective=np.concatenate([lp.objective, objective]),
            col_lower=np.concatenate([lp.col_lower, lower]),
            col_upper=np.concatenate([lp.col_upper, upper]),
            cols=pd.concat([lp.cols, cols], ignore_index=True))
        self.scaling = replace(self.scaling, col=np.concatenate([self.scaling.col, s]))
        self._scaled_costs = np.concatenate([self._scaled_costs, cost])
        assert self._h.getNumCol() == n + k

    def delete_rows_from(self, first: int) -> None:
        """Remove rows ``first`` and after: undoes `add_row` calls."""
        n = self._h.getNumRow()
        if n > first:
            self._h.deleteRows(n - first, np.arange(first, n, dtype=np.int32))
            del self._added_scale[max(first - self.lp.shape[0], 0):]

    # -- analysis ---------------------------------------------------------------------
    def ranging(self) -> dict[str, np.ndarray] | None:
        """Ranges over which the current basis stays optimal, in the plan's units; None
        without a basis."""
        status, r = self._h.getRanging()
        if status != highspy.HighsStatus.kOk:
            return None
        m, n = self.lp.shape
        row, col = self.scaling.row[:m], self.scaling.col[:n]

        def arr(record: highspy.HighsRangingRecord, k: int, what: str) -> np.ndarray:
            values = np.asarray(getattr(record, what), dtype=float)[:k]
            return np.where(np.abs(values) >= _INF, np.sign(values) * np.inf, values)

        with np.errstate(invalid="ignore"):
            return {
                # a scaled cost is s_j c_j and a scaled bound r_i b_i
                "cost_up": arr(r.col_cost_up, n, "value_") / col / self._cost,
                "cost_dn": arr(r.col_cost_dn, n, "value_") / col / self._cost,
                # a scaled column bound is u_j / s_j
                "col_up": arr(r.col_bound_up, n, "value_") * col,
                "col_dn": arr(r.col_bound_dn, n, "value_") * col,
                "row_up": arr(r.row_bound_up, m, "value_") / row,
                "row_up_objective": arr(r.row_bound_up, m, "objective_") / self._cost,
                "row_dn": arr(r.row_bound_dn, m, "value_") / row,
                "row_dn_objective": arr(r.row_bound_dn, m, "objective_") / self._cost,
            }

    def iis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """An irreducible infeasible subsystem: (rows, row bound kinds, cols, col bound
        kinds), bound kinds being 'lower', 'upper' or 'boxed'; None if HiGHS finds none."""
        # Checked against highspy 1.16: ``iis_strategy`` is a bit mask. The default
        # (light, 0) only compares bounds with activity ranges and returns an empty, "valid"
        # IIS for conflicts between rows; FromLp (2) alone returns a reducible set. FromLp |
        # Irreducible solves the LP itself and runs HiGHS's deletion filter. Bound codes are
        # -1 dropped, 0 null, 1 free (member, but none of its bounds is needed), 2 lower,
        # 3 upper, 4 boxed; ``status_`` 3 means irreducible, 2 reducible.
        strategy = (int(highspy.IisStrategy.kIisStrategyFromLp)
                    | int(highspy.IisStrategy.kIisStrategyIrreducible))
        self._h.setOptionValue("iis_strategy", strategy)
        if not self._arm(self.budget):
            return None
        try:
            status, iis = self._h.getIis()
        except (RuntimeError, TypeError, ValueError) as exc:  # pragma: no cover - old highspy
            log.info("HiGHS IIS unavailable: %s", exc)
            return None
        if status == highspy.HighsStatus.kError or not iis.valid_ or int(iis.status_) != 3:
            log.info("HiGHS found no irreducible infeasible subsystem (status %s)",
                     int(iis.status_))
            return None
        names = {2: "lower", 3: "upper", 4: "boxed"}
        row_code = np.asarray(iis.row_bound_, dtype=int)
        col_code = np.asarray(iis.col_bound_, dtype=int)
        row_keep = np.isin(row_code, list(names))
        col_keep = np.isin(col_code, list(names))
        if not row_keep.any() and not col_keep.any():
            return None
        rows = np.asarray(iis.row_index_, dtype=int)[row_keep]
        cols = np.asarray(iis.col_index_, dtype=int)[col_keep]
        row_kind = np.array([names[int(b)] for b in row_code[row_keep]], dtype=object)
        col_kind = np.array([names[int(b)] for b in col_code[col_keep]], dtype=object)
        return rows, row_kind, cols, col_kind

    def primal_ray(self) -> np.ndarray | None:
        """A direction along which the objective improves without limit, if HiGHS has one."""
        # highspy 1.16 returns (status, has_ray, ray); a ray exists only after a solve that
        # ended unbounded, and presolve may decide unboundedness without one.
        h = self._h
        unbounded = highspy.HighsModelStatus.kUnbounded
        if h.getModelStatus() != unbounded and not self._run(self.budget):
            return None
        try:
            status, has, ray = _declared(h).getPrimalRay()
            if (status == highspy.HighsStatus.kError or not has) and h.getModelStatus() in (
                    unbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                h.setOptionValue("presolve", "off")
                try:
                    if not self._run(self.budget):
                        return None
                finally:
                    h.setOptionValue("presolve", "choose")
                status, has, ray = _declared(h).getPrimalRay()
        except (RuntimeError, TypeError, ValueError) as exc:  # pragma: no cover - old highspy
            log.info("HiGHS primal ray unavailable: %s", exc)
            return None
        if status == highspy.HighsStatus.kError or not has:
            return None
        n = self.lp.shape[1]
        ray = np.asarray(ray, dtype=float)[:n] * self.scaling.col[:n]
        return ray if np.any(ray != 0) else None

    def use_interior_point(self, on: bool = True) -> None:
        """Solve with interior point and crossover (a vertex still comes back) instead of
        the simplex: far fewer iterations on a large program solved from scratch."""
        self.use_method("ipm" if on else "choose")

    def use_method(self, method: str) -> None:
        """Solve with ``method`` from now on: one of `lp.methods.HIGHS_METHODS`
        (``simplex``, ``ipm`` with crossover, ``ipm-no-crossover``, ``pdlp``), or
        ``choose`` for HiGHS's own default (the dual simplex for a program like ours).

        Without crossover and with PDLP no basis comes back (`LpSolution.has_basis` is
        False), and the answer is only as accurate as the method's tolerances: the
        certificate decides whether it is optimal.
        """
        for option, value in _METHOD_OPTIONS[method].items():
            self._h.setOptionValue(option, value)
        self.method = method


_METHOD_OPTIONS = {
    "choose": {"solver": "choose", "run_crossover": "on"},
    "simplex": {"solver": "simplex", "run_crossover": "on"},
    "ipm": {"solver": "ipm", "run_crossover": "on"},
    "ipm-no-crossover": {"solver": "ipm", "run_crossover": "off"},
    "pdlp": {"solver": "pdlp", "run_crossover": "on"},
}

_BASIS_NAMES = np.array(["lower", "basic", "upper", "zero", "nonbasic"], dtype=object)
_BASIS_STATUSES = (highspy.HighsBasisStatus.kLower, highspy.HighsBasisStatus.kBasic,
                   highspy.HighsBasisStatus.kUpper, highspy.HighsBasisStatus.kZero,
                   highspy.HighsBasisStatus.kNonbasic)


def _highs_basis(col_basis: np.ndarray, row_basis: np.ndarray) -> highspy.HighsBasis | None:
    """A basis given as words ('lower', 'basic', ...) as HiGHS takes it; None where a
    word is not one of them."""
    names = pd.Index(_BASIS_NAMES)
    col_code, row_code = names.get_indexer(col_basis), names.get_indexer(row_basis)
    if (col_code < 0).any() or (row_code < 0).any():
        return None
    statuses = np.array(_BASIS_STATUSES, dtype=object)
    basis = highspy.HighsBasis()
    basis.valid = True
    basis.col_status = statuses[col_code].tolist()
    basis.row_status = statuses[row_code].tolist()
    return basis


def _basis_names(statuses: object) -> np.ndarray:
    """HiGHS basis statuses (kLower=0 ... kNonbasic=4) as words, without a call per entry."""
    codes = np.asarray(statuses, dtype=np.int64) if not isinstance(statuses, list) else (
        np.fromiter(map(int, statuses), np.int64, len(statuses)))
    return _BASIS_NAMES[np.clip(codes, 0, 4)]


def _clip(value: float) -> float:
    if np.isposinf(value):
        return _INF
    if np.isneginf(value):
        return -_INF
    return float(value)


def _clip_all(values: np.ndarray) -> np.ndarray:
    """Infinities as HiGHS spells them, for a whole array."""
    return np.ascontiguousarray(np.clip(np.asarray(values, dtype=float), -_INF, _INF))


def solve_lp(lp: LinearProgram, *, budget: Budget | float | None = None,
             verbose: bool = False) -> LpSolution:
    """Solve once and return the solution."""
    with HighsSession(lp, budget=budget, verbose=verbose) as session:
        return session.solve()
