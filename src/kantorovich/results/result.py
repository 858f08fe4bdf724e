"""`PlanResult`: the solver's arrays mapped back onto the plan, as labelled tables.

A result is data: the plan, its program, the solution's arrays (with the optimal basis
as words) and, once `kantorovich.analyse` has run, its analyses. It holds no live solver
when pickled or sent to another process; `PlanResult.session` reattaches one, warm from
the stored basis, for the analyses that re-solve.

Sign convention, used for every price: a shadow price is how much the objective
*improves* (rises when maximising, falls when minimising) per extra unit of a good made
available, or per unit a policy is relaxed, in objective units. A reduced cost is the
improvement per extra unit of a process's level at those prices.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kantorovich.errors import PlanStatusError
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import HighsSession, LpSolution
from kantorovich.lp.highs_method import Highs
from kantorovich.lp.methods import Method, check_method
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.model.checks import pairs_repeat
from kantorovich.model.plan import Plan
from kantorovich.model.tabular import unique_dtype, unstacked
from kantorovich.numbers import count
from kantorovich.results.certificate import Certificate, certify
from kantorovich.results.chain import Solved, residuals, solve_program
from kantorovich.results.implied import WithoutImplied
from kantorovich.results.staircase import staircase_method

if TYPE_CHECKING:
    from kantorovich.results.horizon import OverTime

__all__ = ["LARGE_FLOWS", "PlanResult", "answer", "residuals", "solve", "with_certificate"]

_TIGHT = 1e-7


@dataclass(eq=False)
class PlanResult:
    """An optimal plan with its valuations, or the status saying why there is none.

    Parameters
    ----------
    plan : Plan
        The plan that was solved.
    lp : LinearProgram
        Its compiled program; rows and columns map back onto the plan's ids.
    solution : LpSolution
        The solver's arrays, in the plan's units, with the basis as words.
    options : dict
        How it was solved (``time_limit``, ``budget``, ``verbose``).
    analyses : Analyses or None
        Every analysis of the result, set by `kantorovich.analyse` the first time it
        runs (None until then); the CLI, reports, sweeps and the laboratory read it.
    method : str
        The method whose answer was certified: ``structure``, ``merit``,
        ``generation``, ``simplex``, ``ipm``, ``pdlp`` (see `kantorovich.lp.methods`);
        empty for a result made elsewhere.
    method_reason : str
        The chain's story (`results.chain`): why each method before it did not apply
        or failed, then how this one found the answer; when the answer is not proven
        optimal, its certified residuals.

    Notes
    -----
    A result pickles: the live solver session is dropped (`__getstate__`) and
    `session` builds a new one from ``lp`` and the stored basis when an analysis needs to
    re-solve.
    """

    plan: Plan
    lp: LinearProgram
    solution: LpSolution
    options: dict[str, Any] = field(default_factory=dict)
    _session: HighsSession | None = field(default=None, repr=False)
    analyses: Any = field(default=None, repr=False)
    method: str = ""
    method_reason: str = ""

    def __getstate__(self) -> dict[str, Any]:
        """The result's numbers, without the live solver (which cannot travel)."""
        state = dict(self.__dict__)
        state["_session"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # -- status -----------------------------------------------------------------------
    @property
    def status(self) -> Status:
        return self.solution.status

    @property
    def is_optimal(self) -> bool:
        return self.status.is_ok

    def raise_for_status(self) -> PlanResult:
        """Return self when optimal; otherwise raise `PlanStatusError` whose hint names
        the diagnosis's statements by id (the conflict, or the processes that grow
        without limit); ``kantorovich.explain(result)`` says it in sentences."""
        if not self.is_optimal:
            from kantorovich.results.diagnosis import diagnose

            d = diagnose(self)
            see = "see kantorovich.explain(result) for the diagnosis"
            if d.kind == "infeasible" and d.conflict:
                named = [f"{c['kind']} '{c['id']}'" for c in d.conflict]
                see = f"{count(len(named), 'statement')} in conflict: {_ids(named)}; {see}"
            elif d.kind == "unbounded" and d.unbounded:
                named = [f"'{u['process']}'" for u in d.unbounded]
                see = (f"{count(len(named), 'process')} growing without limit: "
                       f"{_ids(named)}; {see}")
            raise PlanStatusError(f"plan '{self.plan.name}' is {self.status.value}",
                                  hint=see)
        return self

    @property
    def objective(self) -> float:
        return self.solution.objective

    @property
    def objective_unit(self) -> str:
        return self.plan.objective_unit

    @property
    def seconds(self) -> float:
        return self.solution.seconds

    def __repr__(self) -> str:
        m, n = self.lp.shape
        obj = f", objective {self.objective:,.6g} {self.objective_unit}" if self.is_optimal else ""
        how = f" by {self.method} ({self.method_reason})" if self.method else ""
        return (f"<PlanResult {self.plan.name!r}: {self.status.value}{obj}; "
                f"{count(len(self.plan.processes), 'process')}, "
                f"{count(len(self.plan.goods), 'good')}, "
                f"{count(len(self.plan.policies), 'policy')}; {count(n, 'column')} x "
                f"{count(m, 'row')}, "
                f"{self.seconds:.3f}s{how}>")

    def _repr_html_(self) -> str:
        """A small table for Jupyter: status, objective with its unit, sizes, certificate.
        Every text from the plan is escaped."""
        from html import escape

        rows = [("status", self.status.value)]
        if self.status.has_solution:
            rows.append(("objective", f"{self.objective:,.6g} {self.objective_unit}"))
        rows += [("processes", f"{len(self.plan.processes):,}"),
                 ("goods", f"{len(self.plan.goods):,}"),
                 ("policies", f"{len(self.plan.policies):,}"),
                 ("solve time", f"{self.seconds:.3f} s")]
        if self.status.has_solution:
            cert = self.certificate
            rows.append(("certificate", "verified" if cert.verified else "not verified"))
        if self.status.has_solution and self.plan.policies:
            binding = int(self.policy_prices["binding"].sum())
            rows.append(("binding policies", f"{binding:,} of {len(self.plan.policies):,}"))
        body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th>"
                       f"<td style='text-align:left'>{escape(v)}</td></tr>" for k, v in rows)
        return (f"<div><strong>PlanResult {escape(self.plan.name)}</strong>"
                f"<table>{body}</table></div>")

    # -- internals ----------------------------------------------------------------------
    def _need_optimum(self) -> None:
        if not self.status.has_solution:
            raise PlanStatusError(f"plan '{self.plan.name}' is {self.status.value}: "
                                  "it has no levels or prices",
                                  hint="see result.diagnosis() for why")

    @cached_property
    def _improving_row_duals(self) -> np.ndarray:
        """Improvement per unit increase of each row's active bound."""
        return self.solution.row_dual

    def _rows(self, kind: str) -> np.ndarray:
        return self.lp.row_positions(kind)

    # -- levels and flows -----------------------------------------------------------------
    @cached_property
    def levels(self) -> pd.Series:
        """Optimal level of every process."""
        self._need_optimum()
        cols = self.lp.col_positions("process")
        return pd.Series(self.solution.x[cols], index=self.plan.processes.index, name="level")

    @cached_property
    def reduced_costs(self) -> pd.Series:
        """Improvement per extra unit of each process's level, at the shadow prices:
        negative for a process not worth running, positive for one held back by capacity."""
        self._need_optimum()
        lp = self.lp
        z = lp.improves * lp.objective - lp.matrix.T @ self._improving_row_duals
        cols = lp.col_positions("process")
        return pd.Series(z[cols], index=self.plan.processes.index, name="reduced_cost")

    @cached_property
    def processes(self) -> pd.DataFrame:
        """Per process: unit, level, bounds, reduced cost and where the level sits."""
        procs = self.plan.processes
        level = self.levels
        table = pd.DataFrame({
            "unit": procs["unit"], "level": level, "min_level": procs["min_level"],
            "capacity": procs["capacity"], "reduced_cost": self.reduced_costs,
        }, copy=False)
        at_cap = np.isclose(level, procs["capacity"], rtol=1e-9, atol=1e-7)
        at_min = np.isclose(level, procs["min_level"], rtol=1e-9, atol=1e-7)
        table["position"] = _labels(np.where(at_cap, 0, np.where(at_min, 1, 2)),
                                    ["at capacity", "at minimum", "between bounds"],
                                    table.index)
        table["rc_unit"] = _labels(np.zeros(len(table), dtype=np.int8),
                                   [f"{self.objective_unit} per unit of level"], table.index)
        return table

    def let_go_tables(self) -> None:
        """Let go of the `processes` and `goods` tables kept on the result (made again,
        the same, when next asked): ``solve -o`` lets go of them as it writes the other
        tables (a row a process and a row a good: 2 GB at 12 million products)."""
        for name in ("processes", "goods"):
            self.__dict__.pop(name, None)

    def _flow_levels(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The optimal level of each flow's process (of the flows at ``rows`` only):
        made when asked, not kept (8 bytes a flow, 3 GB at 4e8 flows)."""
        levels = self.levels.to_numpy(float)
        pcode = self.plan.flow_positions[0]
        return np.asarray(levels[pcode] if rows is None else levels[pcode[rows]])

    @cached_property
    def flows(self) -> pd.DataFrame:
        """Inputs and outputs of every process and good at the optimal levels. Ids are
        categoricals when the plan holds its flows so (a Parquet plan): codes, no string
        per flow."""
        self._need_optimum()
        return self._flows_at(None)

    def _flows_at(self, rows: np.ndarray | None) -> pd.DataFrame:
        """`flows`, of the flows at positions ``rows`` only (all when None): the rows
        are taken from codes and floats, never from strings."""
        return next(self._flow_parts(rows, None))

    def flow_parts(self, size: int) -> Iterator[pd.DataFrame]:
        """The ``flows`` table of `table_makers`, in consecutive parts of ``size`` rows
        (one empty part when it has none): ``solve -o`` writes each part as a Parquet
        row group, so the table (25 bytes a row, 10^8 rows at 12 million products) is
        never whole in memory."""
        self._need_optimum()
        rows = self._running_flows if "flows" in self.left_out else None
        return self._flow_parts(rows, size)

    def _flow_parts(self, rows: np.ndarray | None, size: int | None
                    ) -> Iterator[pd.DataFrame]:
        """`_flows_at` ``rows``, ``size`` rows a part (all in one part when None)."""
        plan = self.plan
        flows = plan.flows
        levels = self.levels.to_numpy(float)
        coded = isinstance(flows["process"].dtype, pd.CategoricalDtype)
        units = plan.processes["unit"].to_numpy(object)
        pcode = plan.flow_positions[0]
        total = len(pcode) if rows is None else len(rows)
        if coded:
            which, names = pd.factorize(units)
            # the units' codes in the narrowest integer before they are gathered per
            # flow (pandas keeps them so; factorize gives 8 bytes a flow)
            which = which.astype(np.min_scalar_type(-max(len(names), 1)))
            categories = pd.Index(np.asarray(names, dtype=object), dtype=object)
        step = max(total if size is None else size, 1)
        for start in range(0, max(total, 1), step):
            stop = min(start + step, total)
            at: Any = slice(start, stop) if rows is None else rows[start:stop]
            process_at = pcode[at]
            level = np.asarray(levels[process_at])
            if coded:
                unit: Any = pd.Categorical.from_codes(which[process_at],
                                                      categories=categories)
                process, good = flows["process"].array[at], flows["good"].array[at]
            else:
                unit = units[process_at]
                process = flows["process"].to_numpy()[at]
                good = flows["good"].to_numpy()[at]
            yield unstacked({
                "process": process, "unit": unit, "good": good,
                "input": flows["input"].to_numpy(float)[at] * level,
                "output": flows["output"].to_numpy(float)[at] * level,
            }, len(level))

    @cached_property
    def _running_flows(self) -> np.ndarray:
        """Positions of the flows whose process runs (a level other than 0), int32
        where the flows are fewer than 2**31."""
        runs = self.levels.to_numpy(float) != 0
        found = np.flatnonzero(runs[self.plan.flow_positions[0]])
        return found.astype(np.int32) if len(self.plan.flows) < 2**31 - 1 else found

    @cached_property
    def left_out(self) -> dict[str, str]:
        """What `tables` leaves out of a result of more than `LARGE_FLOWS` flows, and
        why, by table: nothing a user cannot read elsewhere, as writing 10^7 rows of
        zeros or of another table's numbers is most of the time a large solve takes.

        - ``flows``: the rows of processes at level 0, whose amounts are all 0;
        - ``by_unit``: the whole table, when every process is its own unit (no process
          has one): it would repeat ``flows`` row for row, the process as the unit.

        Empty for smaller results (their tables are all written, every row) and for a
        result with no optimum.
        """
        if not self.status.has_solution or len(self.plan.flows) <= LARGE_FLOWS:
            return {}
        out = {}
        idle = len(self.plan.flows) - len(self._running_flows)
        if idle:
            out["flows"] = (f"{idle:,} rows of processes at level 0 (their inputs and "
                            "outputs are all 0)")
        if self.plan.process_owners()[0] is self.plan.processes.index:
            out["by_unit"] = ("every process is its own unit (none has one): it would "
                              "repeat the flows table, the process as the unit")
        return out

    def by_unit(self, levels: pd.Series | None = None) -> pd.DataFrame:
        """Inputs and outputs of each good per production unit (at ``levels``, by default
        the optimal ones, computed once), indexed by (good, unit)."""
        found = self._optimal_by_unit if levels is None else self._by_unit(levels)
        return found.indexed()

    @property
    def written_flow_rows(self) -> int:
        """How many rows the ``flows`` table of `tables` has (see `left_out`)."""
        return len(self._running_flows) if "flows" in self.left_out else len(self.plan.flows)

    @property
    def by_unit_rows(self) -> int:
        """How many (good, unit) rows `by_unit` has at the optimal levels, without
        building its index."""
        return len(self._optimal_by_unit.good)

    @cached_property
    def _optimal_by_unit(self) -> _ByUnit:
        return self._by_unit(self.levels)

    def _by_unit(self, levels: pd.Series) -> _ByUnit:
        """Sums over flows by (good, owner), owners as in `Plan.process_owners`, in the
        order pairs first appear: over positions, never a string per flow."""
        plan = self.plan
        flows = plan.flows
        pcode, gcode = plan.flow_positions
        procs = plan.processes.index
        lv = (levels if levels.index is procs else levels.reindex(procs)).fillna(
            0.0).to_numpy(float)[pcode]
        owners, owner = plan.process_owners()
        unit = pcode if owners is procs else owner[pcode]
        inputs = flows["input"].to_numpy(float) * lv
        outputs = flows["output"].to_numpy(float) * lv
        if owners is procs:
            repeats = pairs_repeat(pcode, gcode, len(procs), len(plan.goods))
        else:
            repeats = pairs_repeat(unit, gcode, len(owners), len(plan.goods))
        if not repeats:
            return _ByUnit(plan.goods.index, owners, gcode, unit, inputs, outputs)
        width = max(len(owners), 1)
        group, key = pd.factorize(gcode.astype(np.int64) * width + unit)
        inputs = np.bincount(group, weights=inputs, minlength=len(key))
        outputs = np.bincount(group, weights=outputs, minlength=len(key))
        good, unit = np.divmod(key, width)
        return _ByUnit(plan.goods.index, owners, good, unit, inputs, outputs)

    def inputs_by_unit(self, levels: pd.Series | None = None) -> pd.Series:
        """Total input of each good per production unit, indexed by (good, unit)."""
        return self.by_unit(levels)["input"]

    # -- goods and prices -----------------------------------------------------------------
    @cached_property
    def shadow_prices(self) -> pd.Series:
        """Improvement per extra unit of each good made available, in objective units."""
        self._need_optimum()
        rows = self._rows("good")
        return pd.Series(0.0 - self._improving_row_duals[rows], index=self.plan.goods.index,
                         name="shadow_price")

    @cached_property
    def goods(self) -> pd.DataFrame:
        """Per good: supply, demand, made, used, net output, surplus, shadow price, units."""
        self._need_optimum()
        goods = self.plan.goods
        rows = self._rows("good")
        flows = self.plan.flows
        # the flows of processes that run: the others add exact zeros, in the same order
        running = self._running_flows
        gcode = self.plan.flow_positions[1][running]
        level = self._flow_levels(running)
        made = pd.Series(np.bincount(gcode, weights=flows["output"].to_numpy(float)[running]
                                     * level, minlength=len(goods)), index=goods.index)
        used = pd.Series(np.bincount(gcode, weights=flows["input"].to_numpy(float)[running]
                                     * level, minlength=len(goods)), index=goods.index)
        net = self.solution.row_activity[rows]
        supply = goods["supply"].to_numpy(float)
        with np.errstate(invalid="ignore"):
            surplus = supply + net - goods["demand"].to_numpy(float)
        table = pd.DataFrame({
            "unit": goods["unit"], "supply": goods["supply"], "demand": goods["demand"],
            "made": made, "used": used, "net_output": net, "surplus": surplus,
            "shadow_price": self.shadow_prices,
        }, copy=False)
        which, units = pd.factorize(goods["unit"].to_numpy(object), use_na_sentinel=False)
        table["price_unit"] = _labels(which, [f"{self.objective_unit} per {u}" if u
                                              else self.objective_unit for u in units],
                                      table.index)
        return table

    @cached_property
    def policy_prices(self) -> pd.DataFrame:
        """Per policy: its rule, left side at the optimum, slack, binding, price.

        For ``>=`` and ``<=`` rules the price is the improvement per unit the rule is
        loosened (never negative); for ``==`` rules, per unit the left side may exceed the
        right, so its sign says which way the rule pinches.
        """
        self._need_optimum()
        rows = self._rows("policy")
        y = self._improving_row_duals[rows]
        policies = self.plan.policies
        sense = np.array([p.rule.sense for p in policies], dtype=object)
        rhs = np.array([p.rule.rhs for p in policies], dtype=float)
        price = np.where(sense == ">=", 0.0 - y, y) + 0.0
        activity = self.solution.row_activity[rows]
        slack = np.where(sense == ">=", activity - rhs,
                         np.where(sense == "<=", rhs - activity, 0.0))
        binding = (np.abs(slack) <= _TIGHT * (1 + np.abs(rhs))) & (
            (sense == "==") | (np.abs(price) > 1e-12) | (np.abs(slack) <= _TIGHT))
        return pd.DataFrame({
            "name": [p.label for p in policies], "rule": [p.rule.text for p in policies],
            "sense": sense, "lhs": activity, "rhs": rhs, "slack": slack,
            "binding": binding, "price": price,
        }, index=pd.Index([p.id for p in policies], name="policy", dtype=object))

    @cached_property
    def assortment_prices(self) -> pd.Series:
        """For ``maximize_sets``: improvement per extra unit of a set good's net output."""
        self._need_optimum()
        rows = self._rows("assortment")
        return pd.Series(-self._improving_row_duals[rows],
                         index=pd.Index(self.lp.rows["id"].to_numpy()[rows], name="good"),
                         name="assortment_price")

    @cached_property
    def net_output(self) -> pd.Series:
        self._need_optimum()
        return pd.Series(self.solution.row_activity[self._rows("good")],
                         index=self.plan.goods.index, name="net_output")

    # -- verification -----------------------------------------------------------------------
    @cached_property
    def certificate(self) -> Certificate:
        """Optimality conditions checked by our own code (see `results.certificate`); a
        solve whose certificate fails has status ``unverified``, never ``optimal``."""
        self._need_optimum()
        return certify(self.lp, self.solution.x, self.solution.row_dual)

    @property
    def budget(self) -> Budget:
        """The time allowance of the command that made this result (shared by analyses)."""
        return Budget.of(self.options.get("budget"))

    @property
    def is_degenerate(self) -> bool:
        """True when a basic variable sits on a bound: some prices may then not be unique."""
        sol = self.solution
        if not sol.has_basis:
            return False
        lp = self.lp
        x, act = sol.x, sol.row_activity

        def touching(v: np.ndarray, lo: np.ndarray, up: np.ndarray) -> np.ndarray:
            with np.errstate(invalid="ignore"):
                return np.asarray(
                    (np.isfinite(lo) & (np.abs(v - lo) <= 1e-9 * (1 + np.abs(lo))))
                    | (np.isfinite(up) & (np.abs(v - up) <= 1e-9 * (1 + np.abs(up)))))

        basic_col = sol.col_basis == "basic"
        basic_row = sol.row_basis == "basic"
        return bool(np.any(touching(x, lp.col_lower, lp.col_upper)[basic_col]) or
                    np.any(touching(act, lp.row_lower, lp.row_upper)[basic_row]))

    # -- tables ---------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables that ``kantorovich solve PLAN -o DIR`` writes, by file name stem.

        Returns
        -------
        dict of str to DataFrame
            ``processes``, ``goods``, ``flows``, ``by_unit`` and, when the plan has
            policies, ``policies``; then the tables of `analyses` when they have run
            (``policy_costs``, ``baseline``, ``moves``, ``price_ranges``,
            ``sensitivity_goods``, ``sensitivity_policies``, ``sensitivity_weights``).
            Empty when the plan has no optimum. Each frame has its ids as columns.
            Above `LARGE_FLOWS` flows, ``flows`` holds the processes that run and
            ``by_unit`` may be left out: `left_out` says what and why.
        """
        return {name: make() for name, make in self.table_makers().items()}

    def table_makers(self) -> dict[str, Callable[[], pd.DataFrame]]:
        """`tables`, each made only when called: ``solve -o`` makes, writes and lets go
        of one table at a time, so its peak holds the largest table, not all of them."""
        makers: dict[str, Callable[[], pd.DataFrame]] = {}
        if not self.status.has_solution:
            return makers
        makers["processes"] = lambda: self.processes.reset_index()
        makers["goods"] = lambda: self.goods.reset_index()
        left_out = self.left_out
        makers["flows"] = ((lambda: self._flows_at(self._running_flows))
                           if "flows" in left_out else (lambda: self.flows))
        if "by_unit" not in left_out:
            makers["by_unit"] = lambda: self._optimal_by_unit.flat()
        if self.plan.policies:
            makers["policies"] = lambda: self.policy_prices.reset_index()
        if self.analyses is not None:      # made one at a time too
            makers.update(self.analyses.table_makers())
        if self.over_time is not None:      # a plan over time: by (id, period)
            from kantorovich.results.horizon import timed_tables

            timed = timed_tables(self, {name: make() for name, make in makers.items()})
            return {name: functools.partial(_given, frame) for name, frame in timed.items()}
        return makers

    @cached_property
    def over_time(self) -> OverTime | None:
        """For a plan over time (``horizon: T``), its levels, prices, stocks and
        inventories by period (`kantorovich.results.horizon.OverTime`); None for any
        other plan or a result without an optimum."""
        from kantorovich.results.horizon import over_time

        return over_time(self) if self.status.has_solution else None

    # -- analyses defined elsewhere -----------------------------------------------------------
    def sensitivity(self) -> Mapping[str, pd.DataFrame]:
        """Ranges for supplies, demands, policies and objective weights; those of
        `analyses` when they have run (each table made when read), else computed now
        (see `results.sensitivity`)."""
        from kantorovich.results.sensitivity import sensitivity

        found = getattr(self.analyses, "sensitivity", None)
        return found if found is not None else sensitivity(self)

    def diagnosis(self) -> Any:
        """Why the plan has no optimum (infeasible or unbounded), in the plan's terms."""
        from kantorovich.results.diagnosis import diagnose

        return diagnose(self)

    def price_process(self, process: Any, **options: Any) -> Any:
        """Value a proposed technique at this plan's shadow prices: see
        `kantorovich.results.pricing.price_process`."""
        from kantorovich.results.pricing import price_process

        return price_process(self, process, **options)

    @property
    def can_start_warm(self) -> bool:
        """False where what-if re-solves of this result would start cold: a large answer
        of the structure method or of technique generation.

        HiGHS factorises a basis it is handed, and that cannot be cut short: a structure
        method's basis of 20,000 products took it a minute. Such a basis is not handed
        over; analyses then skip the re-solves a cold start would spend their budget on,
        and say what they did not examine.
        """
        return (self.method not in ("structure", "merit", "generation")
                or self.lp.matrix.nnz <= _HAND_OVER_NNZ)

    def session(self) -> HighsSession:
        """A solver session holding this result's program and optimal basis, so what-if
        re-solves start warm. Callers restore every bound they change.

        The session that found the optimum when there is one; otherwise (a result from a
        `kantorovich.Session`, or one unpickled) a new one, started from the stored basis.
        """
        if self._session is None:
            session = HighsSession(self.lp, budget=self.budget)
            sol = self.solution
            # HiGHS factorises a basis it is handed, and that cannot be cut short: a
            # structure method's basis of 20,000 products took it a minute. A large
            # one is not handed over; that session starts cold, and its re-solves keep
            # to their budget.
            if (sol.has_basis and self.can_start_warm
                    and session.set_basis(sol.col_basis, sol.row_basis)):
                session.keep_optimum()
            self._session = session
        return self._session


@dataclass(frozen=True)
class _ByUnit:
    """Inputs and outputs per (good, unit) as positions: what `PlanResult.by_unit` and
    the ``by_unit`` table are made from, without a string per row."""

    goods: pd.Index
    units: pd.Index
    good: np.ndarray
    unit: np.ndarray
    input: np.ndarray
    output: np.ndarray

    def indexed(self) -> pd.DataFrame:
        # codes as arrays, levels as indexes: what pandas takes (its stubs say lists)
        levels: Any = [self.goods, self.units]
        codes: Any = [self.good, self.unit]
        index = pd.MultiIndex(levels=levels, codes=codes, names=["good", "unit"],
                              verify_integrity=False)
        return pd.DataFrame({"input": self.input, "output": self.output}, index=index,
                            copy=False)

    def flat(self) -> pd.DataFrame:
        """The table: good and unit as categoricals over the plan's ids."""
        return unstacked({
            "good": pd.Categorical.from_codes(self.good, dtype=unique_dtype(self.goods)),
            "unit": pd.Categorical.from_codes(self.unit, dtype=unique_dtype(self.units)),
            "input": self.input, "output": self.output}, len(self.good))


def _labels(codes: np.ndarray, words: list[str], index: pd.Index) -> pd.Series:
    """A column of few distinct words, as a categorical (one string per word)."""
    merged, unique = pd.factorize(pd.Index(words, dtype=object))
    return pd.Series(pd.Categorical.from_codes(merged[codes], categories=pd.Index(
        np.asarray(unique, dtype=object), dtype=object)), index=index)


LARGE_FLOWS = 1_000_000
"""Most flows whose result tables are written whole; above, see `PlanResult.left_out`."""

#: the largest structure-method program whose basis is handed to HiGHS (see `session`)
_HAND_OVER_NNZ = 100_000


def _ids(named: list[str], shown: int = 10) -> str:
    """The first ``shown`` of a list of plan ids, and how many more."""
    more = f" and {len(named) - shown} more" if len(named) > shown else ""
    return ", ".join(named[:shown]) + more


def with_certificate(result: PlanResult, cert: Certificate | None) -> PlanResult:
    """``result`` holding the certificate already computed for its point (the
    `PlanResult.certificate` property would compute the same again)."""
    if cert is not None:
        result.__dict__["certificate"] = cert
    return result


def solve(plan: Plan, *, time_limit: float | None = None, budget: Budget | None = None,
          verbose: bool = False, method: str = "auto") -> PlanResult:
    """Compile ``plan``, solve it by the chain (`results.chain`) and return its
    `PlanResult`.

    The result's ``status`` says whether an optimum was found; nothing is raised for an
    infeasible or unbounded plan unless ``raise_for_status()`` is called. ``time_limit``
    (seconds) or ``budget`` bounds this solve and every analysis later run on the result.

    ``method`` is one of `kantorovich.lp.methods.METHODS`: ``auto`` (the default) tries
    the exact structure method (`kantorovich.lp.structure`: one primary resource, no
    joint production, capacities or rules), the merit order (`kantorovich.lp.merit`:
    capacities and two resources, from `lp.merit.MERIT_FROM_ROWS` rows), technique generation
    (`kantorovich.lp.generation`: many techniques over many rows), then HiGHS, the
    simplex or interior point by size. Naming a method tries it first, whatever its
    size thresholds, and the chain goes on from there; ``simplex``, ``ipm`` (with
    crossover) and ``pdlp`` ask HiGHS for that method. The result's ``method`` names
    the method whose answer was certified and ``method_reason`` tells the chain's story.

    Every answer is checked by `certify` on the full program. One that narrowly fails is
    polished once by its method; one still refused hands on to the next method; a last
    answer that fails is ``unverified``, with the certified residuals in the message
    (PDLP's answers, accurate to about 1e-4 to 1e-7, often end so).

    Raises
    ------
    MethodError
        For a method not in `METHODS`.
    """
    check_method(method)
    budget = Budget.of(budget if budget is not None else time_limit)
    options = {"time_limit": time_limit, "budget": budget, "verbose": verbose,
               "method": method}
    lp = compile_plan(plan)
    staircase = staircase_method(plan, lp, method)      # a plan over time
    highs: Method | None = None
    if staircase is not None and staircase.implied is not None:
        highs = WithoutImplied(staircase.implied, staircase.method, staircase.reason,
                               verbose=verbose, interior=staircase.interior,
                               vertex_on_presolve=staircase.vertex_on_presolve)
    elif staircase is not None:
        highs = Highs(staircase.method, verbose=verbose, why=staircase.reason)
    solved = solve_program(
        lp, method=staircase.method if staircase else method, budget=budget,
        verbose=verbose, start=staircase.start if staircase else None,
        methods={"highs": highs} if highs is not None else None)
    return answer(plan, lp, solved, options)


def answer(plan: Plan, lp: LinearProgram, solved: Solved, options: dict[str, Any]
           ) -> PlanResult:
    """The `PlanResult` of ``plan`` from the chain's answer on its program ``lp``."""
    return with_certificate(PlanResult(plan, lp, solved.solution, options,
                                       _session=solved.session, method=solved.method,
                                       method_reason=solved.reason), solved.certificate)


def _given(frame: pd.DataFrame) -> pd.DataFrame:
    """A table already made (`PlanResult.table_makers`)."""
    return frame
