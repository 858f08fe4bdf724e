"""MPS in and out: any LP in MPS form is a plan, and any plan can be written as MPS.

Reading (`plan_from_mps`) uses HiGHS's reader and maps the LP onto the activity-analysis
form, so every tool in this package (prices, explanations, reports) works on a model that
came from elsewhere. Columns are processes and rows are goods:

==========================  =============================================================
MPS                         plan
==========================  =============================================================
column ``x_j``              process ``x_j``: ``min_level`` = lower bound (may be negative
                            or ``-inf``), ``capacity`` = upper bound
row ``a x >= L``            good with net outputs ``a`` (output where ``a > 0``, input
                            where ``a < 0``), ``demand - supply = L``
row ``a x <= U``            good with net outputs ``-a``, ``supply - demand = U``, so that
                            ``supply - a x >= demand`` reads ``a x <= U``
row ``L <= a x <= U``       good as for ``a x >= L``, plus policy ``<row>-upper`` with the
(ranged, or ``E`` if L==U)  rule ``net(<row>) <= U``
row with no finite bound    good with net outputs ``a`` and ``supply = .inf``
objective ``c x + offset``  good named after the objective row (``objective`` if none),
                            supply ``.inf``; each process with ``c_j != 0`` uses ``c_j``
                            of it (minimise) or makes ``c_j`` of it (maximise); the plan
                            minimises (maximises) that good, ``constant = offset``
==========================  =============================================================

The right-hand side is split so both amounts are non-negative: ``demand = max(b, 0)``,
``supply = max(-b, 0)`` for ``(net) >= b``. Goods have unit ``""`` and no units are
declared. Equality rows use the same scheme as ranged rows (a good bounding ``a x`` from
below and a ``<=`` policy from above) so that one rule covers both; the good's shadow
price is then the value of the lower side and the policy's price that of the upper side.

HiGHS's free-format reader drops ``N`` rows after the first (they constrain nothing), so
a free row only becomes a good when its bounds are written as infinite numbers (e.g. an
``L`` row with right-hand side ``1e30``). Integer columns (markers, BV/LI/UI/SC/SI
bounds), SOS sets and quadratic parts are refused with `PlanError`: kantorovich solves
linear programs and its prices are LP duals. So is anything HiGHS's reader would read
otherwise than the file says, since it only warns and reads on: a duplicate row name, a
column whose entries come back after other columns, a second entry or bound for the same
pair, an undeclared row or column (`kantorovich.lp.mps_scan` names each line). Free and
fixed MPS are both read; HiGHS turns to fixed when names hold spaces.

Writing (`export_mps`) compiles the plan and writes free MPS through HiGHS. Goods and
processes keep their ids; policy rows are named ``policy:<id>``, assortment rows
``sets:<id>``; whitespace and control characters become ``_`` and clashes get a ``~k``
suffix. The file is written next to the target and moved into place, so a failed export
never leaves a half-written file. Reading the export back gives a plan with the same
optimum (see ``tests/test_mps.py``).

>>> import kantorovich as k
>>> plan = k.Plan.from_dict({
...     "name": "one mill",
...     "goods": {"wheat": {"unit": "t"}, "flour": {"unit": "t"}},
...     "processes": {"mill": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.7}}},
...     "supply": {"wheat": 100},
...     "objective": {"maximize": {"flour": 1}},
... })
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = pathlib.Path(tmp) / "mill.mps"
...     _ = export_mps(plan, path)
...     again = plan_from_mps(path)
>>> result = k.solve(again)
>>> round(result.objective, 9), round(float(result.levels["mill"]), 9)
(70.0, 100.0)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from kantorovich.errors import PlanError, Problem
from kantorovich.files import atomic_file, check_input_file, check_output_file
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.mps_io import MpsArrays, MpsReadError, read_mps_arrays, write_mps
from kantorovich.lp.mps_scan import FIXED_FORMAT, needs_scan, objective_row_name, scan_mps
from kantorovich.lp.program import LinearProgram
from kantorovich.model.plan import Objective, Plan, Policy
from kantorovich.model.rules import Rule, Term

__all__ = ["export_mps", "mps_names", "plan_from_mps"]

log = logging.getLogger(__name__)

# Row/column kinds of a compiled program and the prefix their MPS names carry.
_PREFIX = {"good": "", "process": "", "sets": "", "policy": "policy:",
           "assortment": "sets:"}
# MPS names are whitespace-delimited; control characters break line-based readers.
_UNSAFE = r"[\s\x00-\x1f\x7f]+"
# An id the rule grammar reads without quotes (kept in step with model/rules.py's ID).
_BARE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_SHOWN = 5


# -- reading --------------------------------------------------------------------------------
def plan_from_mps(path: str | Path) -> Plan:
    """Read an LP in MPS form as a `Plan` (columns are processes, rows are goods).

    Parameters
    ----------
    path : str or Path
        A free or fixed MPS file; HiGHS reads it.

    Returns
    -------
    Plan
        The plan whose compiled program is the file's LP; the mapping is in the module
        docstring.

    Raises
    ------
    PlanError
        If the file is missing, HiGHS cannot read it, HiGHS would read it differently
        from what it says (a duplicate row name, a column given in two places, an entry
        twice, an undeclared row or column), or it is not a linear program (integer
        columns, SOS, quadratic parts). Each problem names its line.
    """
    path = Path(path)
    file = str(path)
    check_input_file(path, what="MPS file")    # a FIFO or a device would hang HiGHS
    if not path.is_file():
        raise PlanError([Problem("file not found", file=file,
                                 hint="check the path; an LP is read from an .mps file")])
    try:
        arrays = read_mps_arrays(path)
    except MpsReadError as exc:
        located = _scan(path, file, exc.messages, None)
        raise PlanError(located or [Problem(
            f"not a readable MPS file: {exc}", file=file,
            hint="kantorovich reads free or fixed MPS with ROWS, COLUMNS, RHS, (RANGES, "
                 "BOUNDS) and ENDATA")]) from None
    fixed = any(FIXED_FORMAT in m for m in arrays.messages)
    if needs_scan(arrays):
        problems = _scan(path, file, arrays.messages, arrays)
        if problems:
            raise PlanError(problems)
    _refuse_non_lp(arrays, file)
    return _plan_from_arrays(arrays, name=path.stem, source=file,
                             objective_name=objective_row_name(path, fixed))


def _scan(path: Path, file: str, messages: list[str],
          arrays: MpsArrays | None) -> list[Problem]:
    """The file's located problems; a warning of HiGHS's that no line explains is kept
    in HiGHS's words, since then the arrays may not be the file's LP."""
    fixed = any(FIXED_FORMAT in m for m in messages)
    names = arrays.col_names if arrays is not None else []
    empty = np.array([])
    problems = scan_mps(path, file, fixed=fixed, col_names=names,
                        col_lower=arrays.col_lower if arrays is not None else empty,
                        col_upper=arrays.col_upper if arrays is not None else empty)
    if problems or arrays is None:
        return problems
    return [Problem(f"HiGHS's MPS reader warns: {m.removeprefix('WARNING:').strip()}",
                    file=file, hint="kantorovich does not guess what HiGHS dropped; "
                                    "correct the file")
            for m in arrays.messages if m.startswith("WARNING") and FIXED_FORMAT not in m]


def _refuse_non_lp(arrays: MpsArrays, file: str) -> None:
    """Refuse what the scan could not place on a line (it places every marker, integer
    bound and quadratic section it reads)."""
    problems = []
    if arrays.integer.any():
        names = np.asarray(arrays.col_names, dtype=object)[arrays.integer]
        shown = ", ".join(map(str, names[:_SHOWN]))
        more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
        problems.append(Problem(
            f"integer columns are not supported: {shown}{more}; kantorovich solves linear "
            "programs", "COLUMNS", file,
            hint="drop the MARKER INTORG/INTEND lines and integer bounds (BV, LI, UI, SC) "
                 "to plan with the LP relaxation"))
    if arrays.quadratic:
        problems.append(Problem(
            "a quadratic objective is not supported; kantorovich solves linear programs",
            "QUADOBJ", file, hint="remove the QUADOBJ/QMATRIX section"))
    if problems:
        raise PlanError(problems)


def _unused(name: str, taken: set[str]) -> str:
    candidate, k = name, 0
    while candidate in taken:
        k += 1
        candidate = f"{name}~{k}"
    return candidate


def _plan_from_arrays(arrays: MpsArrays, *, name: str, source: str | None,
                      objective_name: str | None) -> Plan:
    """Build the plan of the module docstring's table, vectorised over nonzeros."""
    lower, upper = arrays.row_lower, arrays.row_upper
    has_lo, has_up = np.isfinite(lower), np.isfinite(upper)
    upper_only = has_up & ~has_lo
    sign = np.where(upper_only, -1.0, 1.0)
    # every good row reads ``sign * a x >= bound`` (bound -inf for a free row)
    bound = np.where(has_lo, lower, np.where(upper_only, -upper, -np.inf))
    free = ~has_lo & ~has_up
    with np.errstate(invalid="ignore"):
        demand = np.where(free, 0.0, np.maximum(bound, 0.0)) + 0.0
        supply = np.where(free, np.inf, np.maximum(-bound, 0.0)) + 0.0

    row_ids = np.asarray(arrays.row_names, dtype=object)
    col_ids = np.asarray(arrays.col_names, dtype=object)
    objective_id = _unused(objective_name or "objective", set(arrays.row_names))

    goods = pd.DataFrame({
        "name": np.append(row_ids, objective_id),
        "unit": "",
        "supply": np.append(supply, np.inf),
        "demand": np.append(demand, 0.0),
    }, index=pd.Index(np.append(row_ids, objective_id), name="good", dtype=object))

    processes = pd.DataFrame({
        "name": col_ids,
        "unit": None,
        "min_level": arrays.col_lower.astype(float),
        "capacity": arrays.col_upper.astype(float),
    }, index=pd.Index(col_ids, name="process", dtype=object))

    coo = arrays.matrix.tocoo()
    coo.sum_duplicates()
    keep = coo.data != 0
    r, c = coo.row[keep], coo.col[keep]
    net = coo.data[keep] * sign[r]
    cost = np.asarray(arrays.objective, dtype=float)
    cj = np.flatnonzero(cost)
    # the objective good's net output per process: -c when minimising (c is used up)
    obj_net = -cost[cj] if arrays.sense == "minimize" else cost[cj]
    all_net = np.concatenate([net, obj_net])
    flows = pd.DataFrame({
        "process": np.concatenate([col_ids[c], col_ids[cj]]),
        "good": np.concatenate([row_ids[r], np.full(len(cj), objective_id, dtype=object)]),
        "input": np.maximum(-all_net, 0.0) + 0.0,
        "output": np.maximum(all_net, 0.0) + 0.0,
    })

    ranged = np.flatnonzero(has_lo & has_up)
    policies = tuple(_upper_policy(str(row_ids[i]), float(upper[i])) for i in ranged)

    objective = Objective(
        "minimize" if arrays.sense == "minimize" else "maximize",
        pd.Series({objective_id: 1.0}, dtype=float, name="weight").rename_axis("good"),
        "", float(arrays.constant))
    units = pd.DataFrame({"name": pd.Series([], dtype=object),
                          "region": pd.Series([], dtype=object)},
                         index=pd.Index([], name="unit", dtype=object))
    log.debug("MPS %s: %d rows, %d columns, %d nonzeros, %d ranged rows", source,
              len(row_ids), len(col_ids), int(keep.sum()), len(ranged))
    return Plan(name=name, goods=goods, units=units, processes=processes, flows=flows,
                objective=objective, policies=policies, source=source,
                extra={"format": "mps", "objective_row": objective_id},
                files=(source,) if source else ())


def _upper_policy(row: str, upper: float) -> Policy:
    """The ``net(row) <= upper`` rule of a ranged or equality row, with text the rule
    parser reads back to the same `Rule`."""
    target = row if _BARE_ID.match(row) else (f"'{row}'" if "'" not in row else f'"{row}"')
    number = repr(upper).removesuffix(".0")
    return Policy(f"{row}-upper", Rule(terms=((Term("net", row), 1.0),), sense="<=",
                                       rhs=upper, text=f"net({target}) <= {number}"))


# -- writing --------------------------------------------------------------------------------
def mps_names(table: pd.DataFrame) -> list[str]:
    """MPS names for the rows or columns of a compiled program (``kind`` and ``id``).

    Goods and processes keep their ids, policies become ``policy:<id>`` and assortment
    rows ``sets:<id>``; whitespace and control characters (which would split a name in
    MPS) become ``_``, and names made equal by that get ``~1``, ``~2``, ...

    >>> mps_names(pd.DataFrame({"kind": ["good", "good", "policy"],
    ...                         "id": ["a b", "a_b", "cap"]}))
    ['a_b', 'a_b~1', 'policy:cap']
    """
    kind = table["kind"].astype(str).reset_index(drop=True)
    prefix = kind.map(_PREFIX).fillna(kind + ":")
    names = (prefix + table["id"].astype(str).reset_index(drop=True)).str.replace(
        _UNSAFE, "_", regex=True)
    names = names.where(names != "", "_")
    while True:
        dup = names.duplicated(keep="first")
        if not dup.any():
            return names.tolist()
        k = names.groupby(names, sort=False).cumcount()
        names = names.where(~dup, names + "~" + k.astype(str))


def export_mps(plan: Plan | LinearProgram, path: str | Path, *,
               inputs: Sequence[str | Path] = ()) -> None:
    """Write the plan's compiled LP to ``path`` as free MPS, atomically.

    Parameters
    ----------
    plan : Plan or LinearProgram
        A plan (compiled here) or an already compiled program such as ``result.lp``.
    path : str or Path
        Target file. It is checked before the plan is compiled: a FIFO, device, socket,
        directory or symbolic link is refused, as is one of ``inputs``. It is replaced
        only once the whole file has been written, flushed and read back.
    inputs : sequence of paths
        Files the command read (the plan), which the export must not replace.

    Raises
    ------
    KantorovichError
        If the file cannot or must not be written (the target is then left as it was),
        or holds a coefficient HiGHS cannot write.
    """
    target = check_output_file(path, what="MPS file", inputs=inputs)
    lp = plan if isinstance(plan, LinearProgram) else compile_plan(plan)
    with atomic_file(target, what="MPS file", suffix=".mps", inputs=inputs) as temp:
        write_mps(lp, temp, mps_names(lp.rows), mps_names(lp.cols))
