"""Reading plan files (YAML, TOML, JSON, with CSV or Parquet tables) into a checked `Plan`.

Every problem is collected, located (file, line, path) and reported at once; nothing
from a plan file is ever evaluated as code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from kantorovich.errors import PlanError, Problem
from kantorovich.model import schema
from kantorovich.model.documents import Locator, read_document
from kantorovich.model.checks import check_plan, did_you_mean, pairs_repeat, positions_in
from kantorovich.model.statements import Objective, Policy
from kantorovich.model.regions import expand_amounts, goods_table, place_id
from kantorovich.model.rules import RuleSyntaxError, parse_rule, rule_problem
from kantorovich.model.tables import PlanTables, codes_in, empty_flows, normalise_flows
from kantorovich.model.tabular import (Table, check_table, frame_table, ids_in_order,
                                       is_table_path, optional_text, read_table_file,
                                       shown, table_ids, table_names, unique_dtype,
                                       unique_ids, unstacked)

__all__ = ["OVER_TIME", "PlanFields", "did_you_mean", "document_fields", "mapping_fields", "plan_fields"]

PlanFields = dict[str, Any]
"""The arguments of ``Plan(...)``, read and checked: `kantorovich.model.plan` makes the
plan from them (`Plan.from_dict`, `Plan.from_frames`, `load_plan`), so that the readers
here stay below the `Plan` class and never import it. A plan over time gives one field,
`OVER_TIME`, instead."""

OVER_TIME = "over_time"
"""The one field of a plan over time (``horizon: T``, stocks, inventories): its reading
(`model.horizon.PlanOverTime`), which `model.plan` finishes: the template's fields read
here become a `Plan`, which is expanded over the periods."""



# -- validating the document --------------------------------------------------------------
_SECTION_MODELS: dict[str, type[BaseModel]] = {
    "goods": schema.GoodSpec, "units": schema.UnitSpec, "processes": schema.ProcessSpec,
    "policies": schema.PolicySpec,
}
_FIELD_MODELS: dict[str, type[BaseModel]] = {
    "objective": schema.ObjectiveSpec, "baseline": schema.BaselineSpec,
}
_TABLE_FIELDS = ("goods", "units", "processes", "supply", "demand")


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    if len(loc) == 1:
        return schema._DocumentSpec
    if len(loc) == 2 and loc[0] in _FIELD_MODELS:
        return _FIELD_MODELS[loc[0]]
    if len(loc) == 3 and loc[0] in _SECTION_MODELS:
        return _SECTION_MODELS[loc[0]]
    return None


def _yaml_reading(written: str, value: object) -> str:
    """What YAML made of an unquoted scalar, in words."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "null (no value)"
    return "a number"


def _quote_hint(loc: tuple[Any, ...], value: object,
                spelled: Mapping[tuple[Any, ...], str]) -> str | None:
    """For an id YAML did not read as text (``NO``, ``on``, ``47``): say so, and to quote
    it. Keys are located by their path, values by theirs."""
    path = loc[:-1] if loc and loc[-1] == "[key]" else loc
    written = spelled.get(path)
    if written is None and isinstance(value, (int, float)) and not isinstance(value, bool):
        written = str(value)
    if written is None:
        return None
    return f'YAML reads {written} as {_yaml_reading(written, value)}; write "{written}" ' \
           "in quotes"


def _pydantic_problems(exc: ValidationError, file: str | None, locate: Locator,
                       spelled: Mapping[tuple[Any, ...], str]) -> list[Problem]:
    problems = []
    seen: set[tuple[tuple[Any, ...], str]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        msg = err["msg"]
        hint = None
        value = err.get("input")
        if isinstance(value, float) and math.isnan(value):
            msg = "NaN is not a number a plan can use"
            hint = "write a plain number such as 12.5"
        elif kind == "less_than" and loc[-2:-1] in {("inputs",), ("outputs",)}:
            msg = f"{shown(value)} is too large for an input or output per unit of level"
            hint = f"amounts must be finite and below {schema.LARGEST:g}; rescale the unit"
        elif kind == "finite_number":
            msg = f"{shown(value)} is not a finite number"
            hint = "inputs, outputs and demands must be finite"
        elif kind == "extra_forbidden":
            model = _model_at(loc)
            msg = f"unknown field '{loc[-1]}'"
            if model is not None:
                fields = list(model.model_fields)
                hint = did_you_mean(str(loc[-1]), fields) or f"allowed: {', '.join(fields)}"
        elif kind == "missing":
            msg = f"'{loc[-1]}' is required"
        elif kind in {"greater_than_equal", "greater_than"}:
            msg = f"{msg} (got {shown(value)})"
            hint = "amounts, capacities and weights here cannot be negative"
        elif kind == "boolean_number":
            written = spelled.get(loc)
            hint = (f"YAML reads {written} as {_yaml_reading(written, value)}; write a "
                    "number" if written else "write a number such as 12.5")
        elif kind == "string_type":
            what = "an id" if loc[-1] == "[key]" or loc[-1] in {"unit", "region"} \
                else "text"
            msg = f"expected {what}, got {shown(value)}"
            hint = _quote_hint(loc, value, spelled)
        elif kind.startswith(("float", "int")):
            msg = f"expected a number, got {shown(value)}"
            if isinstance(value, list):
                hint = (f"a list of numbers, one per period, belongs to a plan over time: "
                        f"add 'horizon: {len(value)}' to the plan, or write one number")
        elif kind == "value_error":
            msg = msg.removeprefix("Value error, ")
            if "above capacity" in msg:
                hint = "lower min_level or raise capacity"
        key = (loc, msg)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(msg, ".".join(map(str, loc)), file, locate(loc), hint))
    return problems


# -- building the plan --------------------------------------------------------------------
def _raw_reference_problems(data: dict[str, Any], file: str | None,
                            locate: Locator) -> list[Problem]:
    """Unknown goods, units and processes, found in a document that failed the schema, so
    that they are reported with the schema's problems rather than on the next run."""
    def keys(value: object) -> list[str]:
        return [str(k) for k in value] if isinstance(value, dict) else []

    raw_goods = data.get("goods")
    goods = pd.Index(keys(raw_goods)).append(pd.Index([
        place_id(g, str(r)) for g, v in (raw_goods.items() if isinstance(raw_goods, dict)
                                         else ())
        if isinstance(v, dict) and isinstance(v.get("regions"), list) for r in v["regions"]],
        dtype=object))
    units = pd.Index(keys(data.get("units")))
    procs = pd.Index(keys(data.get("processes")))
    found: list[Problem] = []

    def check(word: str, known: pd.Index, kind: str, path: tuple[Any, ...]) -> None:
        if word not in known:
            found.append(Problem(f"unknown {kind} '{word}'", ".".join(map(str, path)), file,
                                 locate(path), did_you_mean(word, known)
                                 or f"declare it under '{kind}s'"))

    if isinstance(data.get("goods"), dict):
        for pid, proc in (data.get("processes") or {}).items() \
                if isinstance(data.get("processes"), dict) else ():
            if not isinstance(proc, dict):
                continue
            for side in ("inputs", "outputs"):
                for good in keys(proc.get(side)):
                    check(good, goods, "good", ("processes", pid, side, good))
        for section in ("supply", "demand"):
            for good in keys(data.get(section)):
                check(good, goods, "good", (section, good))
        objective = data.get("objective")
        if isinstance(objective, dict):
            for sense in ("maximize", "minimize", "maximize_sets"):
                for good in keys(objective.get(sense)):
                    check(good, goods, "good", ("objective", sense, good))
    if isinstance(data.get("units"), dict) and isinstance(data.get("processes"), dict):
        for pid, proc in data["processes"].items():
            if isinstance(proc, dict) and isinstance(proc.get("unit"), str):
                check(proc["unit"], units, "unit", ("processes", pid, "unit"))
    baseline = data.get("baseline")
    if isinstance(data.get("processes"), dict) and isinstance(baseline, dict):
        for pid in keys(baseline.get("levels")):
            check(pid, procs, "process", ("baseline", "levels", pid))
    return found


def _twice_listed_flows(table: Table, positions: dict[str, np.ndarray], known: np.ndarray,
                        inline: pd.DataFrame, goods: pd.Index, procs: pd.Index,
                        locate: Locator) -> list[Problem]:
    """Flows of a table listed twice there, or given in the plan's processes too: refused,
    as they would otherwise be summed without a word. ``positions`` hold each row's
    process and good as positions in ``procs`` and ``goods``; rows not ``known`` (an
    unknown id, already reported) are left out."""
    found: list[Problem] = []
    frame = table.frame
    width = np.int64(max(len(goods), 1))
    twice = _repeated(positions["process"], positions["good"], known, len(procs),
                      len(goods))
    pairs = np.zeros(0, dtype=np.int64)
    if twice.any() or len(inline):
        pairs = np.where(known, positions["process"].astype(np.int64) * width
                         + positions["good"], -1)
    if twice.any():
        first = pd.Series(np.arange(len(pairs))).groupby(pairs).transform("min").to_numpy()
        for i in np.flatnonzero(twice)[:20]:
            found.append(table.problem(
                f"flow {frame['process'].iat[i]}, {frame['good'].iat[i]} is listed twice "
                f"(first on {_row_words(table, int(first[i]))})", int(i), None,
                "give each process and good one row, with both its input and output"))
    if len(inline):
        p_pos, g_pos = codes_in(inline["process"], procs), codes_in(inline["good"], goods)
        inline_pairs = np.where((p_pos >= 0) & (g_pos >= 0),
                                p_pos.astype(np.int64) * width + g_pos, -1)
        again = known & np.isin(pairs, inline_pairs)
        for i in np.flatnonzero(again)[:20]:
            process, good = frame["process"].iat[i], frame["good"].iat[i]
            given = inline[(inline["process"] == process) & (inline["good"] == good)]
            side = "inputs" if given["input"].iat[0] else "outputs"
            path = ("processes", process, side, good)
            line = locate(path)
            inside = "the plan file" if table.file is not None else "the processes"
            found.append(table.problem(
                f"flow {process}, {good} is also given in {inside} "
                f"({'.'.join(map(str, path))}{f', line {line}' if line else ''})", int(i), None,
                f"give each flow once: in {inside} or in the table"))
    return found


def _text(values: object, rows: int | None = None, *, index: pd.Index | None = None
          ) -> object:
    """A text column as object values (pandas would otherwise copy each string into an
    Arrow column); None stays None, a scalar stays a scalar.

    Given the frame's ``index``, an object Series on it: pandas 3 reads an object array
    of strings, even wrapped as a `NumpyExtensionArray`, as its Arrow ``str`` dtype,
    copying every string (the names of a 12-million-product plan: 2 GB), where the
    object column holds a pointer to the strings the table already holds (a category's
    string is shared by all its rows)."""
    if values is None:
        return pd.Series(np.full(rows or 0, None, dtype=object), dtype=object).to_numpy()
    if isinstance(values, str):
        return values
    if index is not None:
        return pd.Series(np.asarray(values, dtype=object), index=index, dtype=object,
                         copy=False)
    return pd.arrays.NumpyExtensionArray(np.asarray(values, dtype=object))


def _joined(given: pd.DataFrame, extra: pd.DataFrame, dup: np.ndarray) -> pd.DataFrame:
    """The rows a plan file gives, then a table's rows (an id repeated there, already a
    problem, once): the table alone, kept as it is, when the file gives none."""
    if dup.any():
        extra = extra[~dup]
    return pd.concat([given, extra]) if len(given) else extra


def _coded_flows(f: pd.DataFrame, positions: dict[str, np.ndarray], known: np.ndarray,
                 goods: pd.Index, procs: pd.Index, procs_unique: bool = False
                 ) -> pd.DataFrame | None:
    """The known flows of a table that holds its ids as codes (a Parquet file, a frame of
    categoricals), still as codes: categoricals over the plan's own process and good
    ids, so that every later step reads positions, not strings. None for a table of
    plain text (it keeps its strings) or when the ids are not unique (already a
    problem). ``procs_unique`` says the process ids are known to be unique (read in
    order from a Parquet dictionary), so they are not hashed to check."""
    if not all(isinstance(f[c].dtype, pd.CategoricalDtype) for c in ("process", "good")):
        return None
    if not (goods.is_unique and (procs_unique or procs.is_unique)):
        return None
    rows = slice(None) if known.all() else known
    columns: dict[str, object] = {}
    for col, index in (("process", procs), ("good", goods)):
        codes = positions[col][rows].astype(np.int32, copy=False)
        columns[col] = pd.Categorical.from_codes(codes, dtype=unique_dtype(index))
    columns["input"] = f["input"].to_numpy(float)[rows]
    columns["output"] = f["output"].to_numpy(float)[rows]
    return unstacked(columns, int(known.sum()))


def _repeated(process: np.ndarray, good: np.ndarray, known: np.ndarray, n_proc: int,
              n_good: int) -> np.ndarray:
    """Which known (process, good) pairs repeat an earlier row: first counted
    (`pairs_repeat`, linear); only when some pair repeats are the rows found."""
    p, g = (process, good) if known.all() else (process[known], good[known])
    if not pairs_repeat(p, g, n_proc, n_good):
        return np.zeros(len(process), dtype=bool)
    pairs = np.where(known, process.astype(np.int64) * max(n_good, 1) + good, -1)
    return (pd.Series(pairs).duplicated() & known).to_numpy()


def _row_words(table: Table, row: int) -> str:
    """Where a row of a table is, in words: its line in a text file, else its row."""
    return table.where(row)


def _given_twice(goods: pd.Index, in_table: pd.Series | None, key: str,
                 goods_table_: Table | None, written: object,
                 where: Callable[[int, str], Problem]) -> list[Problem]:
    """Supplies or demands given in the goods table and again under ``key``: refused,
    as the second would otherwise replace the first without a word. ``where`` makes the
    problem at the second one."""
    if in_table is None or not len(in_table) or goods_table_ is None:
        return []
    found = []
    name = written if isinstance(written, str) else "the goods table"
    for i in np.flatnonzero(goods.isin(in_table.index))[:20]:
        good = goods[i]
        problem = where(int(i), good)
        found.append(Problem(
            f"the {key} of '{good}' is also given in {name} "
            f"({_row_words(goods_table_, int(in_table[good]))})", problem.path,
            problem.file, problem.line,
            f"give each {key} once: in the goods table or under '{key}'"))
    return found


def _normalise_policies(data: dict[str, Any]) -> None:
    policies = data.get("policies")
    if isinstance(policies, dict):
        data["policies"] = {k: ({"rule": v} if isinstance(v, str) else v)
                            for k, v in policies.items()}


def _raw_rule_problems(data: dict[str, Any], file: str | None,
                       locate: Locator) -> list[Problem]:
    """Rules that cannot be read, in a document that failed the schema: reported with the
    schema's problems, so one run shows every problem of the file."""
    found = []
    policies = data.get("policies")
    for pid, policy in (policies.items() if isinstance(policies, dict) else ()):
        text = policy.get("rule") if isinstance(policy, dict) else None
        if not isinstance(text, str):
            continue
        try:
            parse_rule(text)
        except RuleSyntaxError as exc:
            found.append(rule_problem(str(pid), text, exc, file=file,
                                      line=locate(("policies", pid, "rule"))))
    return found


def _place_amounts(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Take the per-place supplies and demands (``land: {North: 100}``) out of ``data``:
    they are validated on their own, so plain amounts keep their plain error paths."""
    taken: dict[str, dict[str, Any]] = {}
    for key in ("supply", "demand"):
        given = data.get(key)
        if isinstance(given, dict) and any(isinstance(v, dict) for v in given.values()):
            taken[key] = {g: v for g, v in given.items() if isinstance(v, dict)}
            data[key] = {g: v for g, v in given.items() if not isinstance(v, dict)}
    return taken


def mapping_fields(data: Any, *, source: str | None = None,
                   locate: Locator | None = None,
                   problems: list[Problem] | None = None,
                   spelled: Mapping[tuple[Any, ...], str] | None = None) -> PlanFields:
    """Validate a plan mapping (as read from any plan file): the `Plan`'s fields.

    ``locate`` maps a key path to its line; ``spelled`` how the file wrote scalars that
    YAML did not read as text (for hints on ids such as ``NO``).
    """
    locate = locate or (lambda loc: None)
    if not isinstance(data, dict):
        raise PlanError(list(problems or []) + [Problem(
            "a plan must be a mapping with at least name, goods, processes and objective",
            file=source, line=locate(()), hint="see examples/leningrad.yaml")])
    data = dict(data)
    tables = {k: data.pop(k) for k in _TABLE_FIELDS if isinstance(data.get(k), str)}
    return plan_fields(data, tables, source=source, locate=locate, problems=problems,
                       spelled=spelled)


TableSource = str | pd.DataFrame | pd.Series | Table
"""A table as a plan names it: the path of a CSV or Parquet file, or a frame given in
Python (or a table already read, as a plan over time hands its template)."""


def plan_fields(data: dict[str, Any], tables: Mapping[str, TableSource], *,
                source: str | None = None, locate: Locator | None = None,
                problems: list[Problem] | None = None,
                spelled: Mapping[tuple[Any, ...], str] | None = None) -> PlanFields:
    """The `Plan`'s fields from a plan mapping and its tables (CSV or Parquet paths, or
    DataFrames), reporting every problem of both at once, each where it is written.

    An objective's sense given as a table (``maximize_sets: basket.parquet``, columns
    ``good,count``; ``maximize`` or ``minimize``, columns ``good,weight``), by path or as a
    DataFrame, is read and checked here like the other tables.

    The one path from input to plan: files, `Plan.from_dict` and `Plan.from_frames`
    all come here, so a table is checked the same way whichever way it arrived.
    """
    from kantorovich.model.horizon import PlanOverTime, over_time

    if over_time(data):     # model.plan makes its template a Plan and expands it
        return {OVER_TIME: PlanOverTime(data, tables, source, locate, problems, spelled)}
    locate = locate or (lambda loc: None)
    spelled = spelled or {}
    problems = list(problems or [])
    file = source
    base = Path(source).parent if source else None
    tables = dict(tables)
    _normalise_policies(data)
    per_place = _place_amounts(data)
    tables.update(_objective_tables(data))
    senses = {key.removeprefix("objective.") for key in tables if key.startswith("objective.")}
    try:
        spec = schema._DocumentSpec.model_validate(data, context={"objective_tables": senses})
    except ValidationError as exc:
        raise PlanError(problems + _pydantic_problems(exc, file, locate, spelled)
                        + _place_problems(per_place, file, locate, spelled)[1]
                        + _raw_reference_problems(data, file, locate)
                        + _raw_rule_problems(data, file, locate)) from None
    places_given, found = _place_problems(per_place, file, locate, spelled)
    problems += found
    if spec.flows:
        tables["flows"] = spec.flows
    for key, name in list(tables.items()):
        if isinstance(name, str) and not is_table_path(name):
            path = tuple(key.split("."))
            problems.append(Problem(f"'{key}' must be a mapping or a .csv or .parquet path",
                                    key, file, locate(path),
                                    f"e.g. {path[-1]}: {path[-1]}.parquet"))
            del tables[key]
    opened: dict[str, Table] = {}
    read = [source] if source else []   # the files the plan is read from


    def table(key: str, required: tuple[str, ...], numeric: tuple[str, ...] = (),
              **checks: Any) -> Table | None:
        given = tables.get(key)
        if given is None:
            return None
        if isinstance(given, str):
            read.append(str(base / given if base is not None else Path(given)))
        raw = (given if isinstance(given, Table)          # already read (plans over time)
               else read_table_file(base, given, key, problems) if isinstance(given, str)
               else frame_table(given, key, problems,
                                id_column="id" if "id" in required else None))
        checked = check_table(raw, problems, required, numeric, **checks) if raw else None
        if checked is not None:
            opened[key] = checked
        return checked

    # units (first: a regional good's places are their regions and ids)
    units = pd.DataFrame({
        "name": [s.name or k for k, s in spec.units.items()],
        "region": [s.region for s in spec.units.values()],
    }, index=pd.Index(list(spec.units), name="unit", dtype=object))
    t = table("units", ("id",))
    if t is not None:
        idx = table_ids(t, "id", problems)
        extra = pd.DataFrame({"name": table_names(t.frame, idx),
                              "region": optional_text(t.frame, "region")},
                             index=idx).rename_axis("unit")
        units = pd.concat([units, extra[~extra.index.duplicated()]])
    places = pd.Index(units["region"].dropna().unique(), dtype=object).append(units.index)

    # goods
    goods, regional = goods_table(spec.goods, places.unique(), file, locate, problems)
    goods["supply"] = 0.0
    goods["demand"] = 0.0
    amounts: dict[str, pd.Series] = {}  # row in the goods table of each amount it gives
    t = table("goods", ("id",), ("supply", "demand"))
    if t is not None:
        idx, dup = unique_ids(t, "id", problems)
        frame = t.frame
        extra = pd.DataFrame({
            "name": _text(table_names(frame, idx), index=idx),
            # the goods' units stay pandas' str column: the goods table written by
            # ``solve -o`` records that dtype (one string a good, not a process)
            "unit": _text(frame["unit"].array) if "unit" in frame else "",
            "supply": frame["supply"].fillna(0.0).to_numpy() if "supply" in frame else 0.0,
            "demand": frame["demand"].fillna(0.0).to_numpy() if "demand" in frame else 0.0,
        }, index=idx).rename_axis("good")
        goods = _joined(goods, extra, dup)
        for key in ("supply", "demand"):
            if key in frame:
                amounts[key] = pd.Series(np.arange(len(frame)), index=idx)[
                    frame[key].notna().to_numpy()]

    # processes and flows
    procs = pd.DataFrame({
        "name": [s.name or k for k, s in spec.processes.items()],
        "unit": [s.unit for s in spec.processes.values()],
        "min_level": [float(s.min_level) for s in spec.processes.values()],
        "capacity": [math.inf if s.capacity is None else float(s.capacity)
                     for s in spec.processes.values()],
        "level_unit": [s.level_unit for s in spec.processes.values()],
    }, index=pd.Index(list(spec.processes), name="process", dtype=object))
    rows = [(p, g, a, 0.0) for p, s in spec.processes.items() for g, a in s.inputs.items()]
    rows += [(p, g, 0.0, a) for p, s in spec.processes.items() for g, a in s.outputs.items()]
    flows = pd.DataFrame(rows, columns=["process", "good", "input", "output"]) if rows \
        else empty_flows()
    inline_flows = flows
    t = table("processes", ("id",), ("capacity", "min_level"),
              text=("name", "unit", "level_unit"))
    procs_unique = False
    if t is not None:
        frame = t.frame
        procs_unique = not len(procs) and ids_in_order(t, "id")
        idx, dup = unique_ids(t, "id", problems)
        extra = pd.DataFrame({
            "name": _text(table_names(frame, idx), index=idx),
            "unit": _text(optional_text(frame, "unit"), len(frame)),
            "min_level": frame["min_level"].fillna(0.0).to_numpy()
            if "min_level" in frame else 0.0,
            "capacity": frame["capacity"].fillna(math.inf).to_numpy()
            if "capacity" in frame else math.inf,
            "level_unit": _text(frame["level_unit"].array, index=idx) if "level_unit" in frame
            else "",
        }, index=idx).rename_axis("process")
        over = (extra["min_level"] > extra["capacity"]).to_numpy()
        for i in np.flatnonzero(over)[:20]:
            problems.append(t.problem("min_level is above capacity", int(i), "min_level",
                                      "lower min_level or raise capacity"))
        unit = extra["unit"]
        stray = (unit.notna() & (codes_in(unit, units.index) < 0)).to_numpy()
        for i in np.flatnonzero(stray)[:20]:
            problems.append(t.problem(f"unknown unit '{unit.iat[i]}'", int(i), "unit",
                                      did_you_mean(str(unit.iat[i]), units.index)
                                      or "declare it under 'units'"))
        if stray.any():
            extra.loc[stray, "unit"] = None
        procs = _joined(procs, extra, dup)
    t = table("flows", ("process", "good"), ("input", "output"), finite=("input", "output"))
    if t is not None:
        given = t.frame
        f = unstacked({
            "process": given["process"], "good": given["good"],
            "input": given["input"].fillna(0.0) if "input" in given else np.zeros(len(given)),
            "output": given["output"].fillna(0.0) if "output" in given
            else np.zeros(len(given)),
        }, len(given))
        known = np.ones(len(f), dtype=bool)
        positions = {}
        for col, kind, choices in (("good", "good", goods.index),
                                   ("process", "process", procs.index)):
            positions[col] = positions_in(f[col], choices)
            missing = positions[col] < 0
            known &= ~missing
            for i in np.flatnonzero(missing)[:20]:
                word = f[col].iat[i]
                problems.append(t.problem(f"unknown {kind} '{word}'", int(i), col,
                                          did_you_mean(str(word), choices)
                                          or f"declare it under '{kind}s'"))
        problems += _twice_listed_flows(Table(f, t.key, t.file, t.typed), positions, known,
                                        inline_flows, goods.index, procs.index, locate)
        coded = _coded_flows(f, positions, known, goods.index, procs.index, procs_unique)
        if coded is not None and not len(inline_flows):
            flows = coded
        else:
            flows = pd.concat([flows, f.loc[known]], ignore_index=True)
    if len(flows) and isinstance(flows["process"].dtype, pd.CategoricalDtype):
        keep = (flows["input"].to_numpy() != 0) | (flows["output"].to_numpy() != 0)
        flows = flows if keep.all() else flows.loc[keep].reset_index(drop=True)
    else:
        flows = normalise_flows(flows) if len(flows) else empty_flows()

    # supply and demand
    for key in ("supply", "demand"):
        mapping = dict(getattr(spec, key))
        if places_given is not None:
            mapping.update(expand_amounts(getattr(places_given, key), regional, key, file,
                                          locate, problems))
        if mapping:
            stated = pd.Series(mapping, dtype=float)
            known = codes_in(stated.index, goods.index) >= 0
            for good in stated.index[~known][:20]:
                hint = (f"'{good}' is declared per region: write {key}: {{{good}: "
                        f"{{{regional[good][0]}: ...}}}}" if regional.get(good)
                        else did_you_mean(good, goods.index) or "declare it under 'goods'")
                problems.append(Problem(f"unknown good '{good}'", f"{key}.{good}", file,
                                        locate((key, good)), hint))
            problems += _given_twice(stated.index, amounts.get(key), key,
                                     opened.get("goods"), tables.get("goods"),
                                     lambda i, good: Problem("", f"{key}.{good}", file,
                                                             locate((key, good))))
            goods.loc[stated.index[known], key] = stated[known].to_numpy()
        t = table(key, ("good", "amount"), ("amount",),
                  signed=("amount",) if key == "demand" else ())
        if t is not None:
            named = t.frame["good"]
            twice = named.duplicated(keep="first").to_numpy()
            for i in np.flatnonzero(twice)[:20]:
                problems.append(t.problem(f"good '{named.iat[i]}' is listed twice", int(i),
                                          "good", "give each good one amount"))
            problems += _given_twice(pd.Index(named), amounts.get(key), key,
                                     opened.get("goods"), tables.get("goods"),
                                     lambda i, good: t.problem("", i, "good"))
            known = codes_in(named, goods.index) >= 0
            for i in np.flatnonzero(~known)[:20]:
                good = named.iloc[i]
                problems.append(t.problem(f"unknown good '{good}'", int(i), "good",
                                          did_you_mean(good, goods.index)))
            goods.loc[named[known], key] = t.frame["amount"][known].fillna(0.0).to_numpy()

    # objective, policies, baseline
    obj = spec.objective
    sense = next(k for k in schema.SENSES if getattr(obj, k) or k in senses)
    weights = pd.Series(getattr(obj, sense) or {}, dtype=float)
    if sense in senses:
        weights = _objective_weights(table, sense, goods.index, problems)
    objective = Objective(sense, weights.rename("weight").rename_axis("good"),
                          obj.unit or "")
    policies = []
    for pid, p in spec.policies.items():
        try:
            rule = parse_rule(p.rule)
        except RuleSyntaxError as exc:
            problems.append(rule_problem(str(pid), p.rule, exc, file=file,
                                         line=locate(("policies", pid, "rule"))))
            continue
        policies.append(Policy(str(pid), rule, p.name or ""))
    baseline = None
    if spec.baseline is not None:
        baseline = pd.Series(spec.baseline.levels, dtype=float, name="level").rename_axis(
            "process")

    pieces = PlanTables(goods, units, procs, flows, objective, tuple(policies), baseline,
                        source)
    problems += check_plan(pieces, file=file, locate=locate, flows=inline_flows)
    if problems:
        raise PlanError(problems)
    return dict(name=spec.name, goods=goods, units=units, processes=procs, flows=flows,
                objective=objective, policies=tuple(policies), baseline=baseline,
                period=spec.period, source=source,
                extra={"description": spec.description} if spec.description else {},
                files=tuple(dict.fromkeys(read)))


def _objective_tables(data: dict[str, Any]) -> dict[str, TableSource]:
    """Take an objective's senses given as tables (a path or a DataFrame) out of ``data``,
    keyed ``objective.<sense>``; the schema then sees only its mappings."""
    objective = data.get("objective")
    if not isinstance(objective, dict):
        return {}
    taken = {k: v for k, v in objective.items()
             if k in schema.SENSES and isinstance(v, (str, pd.DataFrame, Table))}
    if taken:
        data["objective"] = {k: v for k, v in objective.items() if k not in taken}
    return {f"objective.{k}": v for k, v in taken.items()}


def _objective_weights(table: Callable[..., Table | None], sense: str, goods: pd.Index,
                       problems: list[Problem]) -> pd.Series:
    """The weights (or counts, for ``maximize_sets``) of an objective given as a table,
    by good; each problem at its row, rows with an unknown good left out."""
    column = "count" if sense == "maximize_sets" else "weight"
    t = table(f"objective.{sense}", ("good", column), (column,),
              signed=() if column == "count" else (column,), finite=(column,),
              filled=(column,))
    if t is None:
        return pd.Series(dtype=float)
    named, values = t.frame["good"], t.frame[column]
    if not len(named):
        problems.append(t.problem("the table has no rows",
                                  hint=f"list at least one good with its {column}"))
    if column == "count":
        for i in np.flatnonzero((values == 0).to_numpy())[:20]:
            problems.append(t.problem("'count' must be above 0", int(i), column,
                                      "leave a good out of the set rather than count 0"))
    for i in np.flatnonzero(named.duplicated(keep="first").to_numpy())[:20]:
        problems.append(t.problem(f"good '{named.iat[i]}' is listed twice", int(i), "good",
                                  f"give each good one {column}"))
    position = np.asarray(codes_in(named, goods))
    known = position >= 0
    for i in np.flatnonzero(~known)[:20]:
        problems.append(t.problem(f"unknown good '{named.iat[i]}'", int(i), "good",
                                  did_you_mean(str(named.iat[i]), goods)
                                  or "declare it under 'goods'"))
    keep = known & ~named.duplicated(keep="first").to_numpy() & values.notna().to_numpy()
    # the goods' own id strings, not the table's copies (a string a good saved: 0.7 GB
    # for the basket of a 12-million-product plan)
    return pd.Series(values.to_numpy(float)[keep],
                     index=pd.Index(goods[position[keep]], dtype=object))


def _place_problems(per_place: dict[str, dict[str, Any]], file: str | None,
                    locate: Locator, spelled: Mapping[tuple[Any, ...], str]
                    ) -> tuple[schema._PlaceAmounts | None, list[Problem]]:
    """Supplies and demands given per place, validated; or the schema's problems."""
    if not per_place:
        return None, []
    try:
        return schema._PlaceAmounts.model_validate(per_place), []
    except ValidationError as exc:
        return None, _pydantic_problems(exc, file, locate, spelled)


def document_fields(path: str | Path) -> PlanFields:
    """Read, validate and check a YAML, TOML or JSON plan file: the `Plan`'s fields.

    Raises `PlanError` listing every problem found, each with file, line and path.
    """
    path = Path(path)
    document = read_document(path)
    return mapping_fields(document.data, source=str(path), locate=document.locate,
                          problems=document.problems, spelled=document.spelled)
