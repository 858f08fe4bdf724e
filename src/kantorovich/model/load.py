"""Reading plan files (YAML, TOML, JSON, with CSV tables) into a checked `Plan`.

Every problem is collected, located (file, line, path) and reported at once; nothing
from a plan file is ever evaluated as code.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ValidationError

from kantorovich.errors import PlanError, Problem
from kantorovich.model import schema
from kantorovich.model.documents import Locator, read_document
from kantorovich.model.plan import (Objective, Plan, Policy, codes_in, empty_flows,
                                     normalise_flows)
from kantorovich.model.rules import RuleSyntaxError, parse_rule

__all__ = ["load_plan", "plan_from_mapping", "did_you_mean"]

PLAN_SUFFIXES = {".yaml", ".yml", ".toml", ".json"}


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known id, if any is close."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


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


def _shown(value: object) -> str:
    """A value as a message may quote it: short, and never Python's int-to-text error."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1000:
        return f"an integer of {int(value.bit_length() * math.log10(2)) + 1} digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:30] + "..." + text[-6:]


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
            msg = f"{_shown(value)} is too large for an input or output per unit of level"
            hint = f"amounts must be finite and below {schema.LARGEST:g}; rescale the unit"
        elif kind == "finite_number":
            msg = f"{_shown(value)} is not a finite number"
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
            msg = f"{msg} (got {_shown(value)})"
            hint = "amounts, capacities and weights here cannot be negative"
        elif kind == "boolean_number":
            written = spelled.get(loc)
            hint = (f"YAML reads {written} as {_yaml_reading(written, value)}; write a "
                    "number" if written else "write a number such as 12.5")
        elif kind == "string_type":
            what = "an id" if loc[-1] == "[key]" or loc[-1] in {"unit", "region"} \
                else "text"
            msg = f"expected {what}, got {_shown(value)}"
            hint = _quote_hint(loc, value, spelled)
        elif kind.startswith(("float", "int")):
            msg = f"expected a number, got {_shown(value)}"
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


# -- CSV tables ---------------------------------------------------------------------------
def _read_csv(base: Path | None, name: str, where: str, problems: list[Problem],
              required: tuple[str, ...], numeric: tuple[str, ...] = (), *,
              signed: tuple[str, ...] = ("demand",), finite: tuple[str, ...] = ()
              ) -> pd.DataFrame | None:
    """Read one CSV table as text, check its header, blanks and numbers (each problem with
    its line), and convert the ``numeric`` columns; ``signed`` ones may be negative,
    ``finite`` ones must be finite and below `schema.LARGEST`."""
    path = (base / name) if base is not None else Path(name)
    file = str(path)
    try:
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
        try:
            # Arrow's reader is an order of magnitude faster than pandas' for text columns,
            # but it refuses short rows, which pandas reads with blanks: then fall back.
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                                engine="pyarrow").fillna("")
        except (pa.ArrowException, pd.errors.ParserError, ValueError):
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                                skipinitialspace=True)
    except FileNotFoundError:
        problems.append(Problem(f"table '{name}' not found", where, file,
                                hint="paths are relative to the plan file"))
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            OSError, pa.ArrowException, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problems.append(Problem(f"cannot read table: {reason}", where, file,
                                hint="a CSV table needs a header row and the same number "
                                     "of fields on every line"))
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        problems.append(Problem(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", where,
            file, 1, f"the header must include: {', '.join(required)}"))
        return None
    known = set(required) | set(numeric) | {"name", "unit", "region"}
    for col in frame.columns:
        if col not in known:
            problems.append(Problem(f"unknown column '{col}'", where, file, 1,
                                    did_you_mean(col, sorted(known))))
    for col in required:
        blank = frame[col].str.strip() == ""
        for i in np.flatnonzero(blank.to_numpy())[:20]:
            problems.append(Problem(f"empty '{col}'", where, file, int(i) + 2))
    for col in numeric:
        if col not in frame.columns:
            continue
        raw = frame[col].str.strip()
        values = _parse_numbers(raw)
        bad = (values.isna() & (raw != "")).to_numpy()
        infinite = np.isinf(values.to_numpy())
        if infinite.any():  # infinity written out is fine; a number that overflowed is not
            bad = bad | (infinite & ~raw.str.lower().isin(_INFINITY).to_numpy())
        for i in np.flatnonzero(bad)[:20]:
            text = raw.iloc[i]
            if _NUMBER.fullmatch(text):
                problems.append(Problem(f"'{col}' is out of range: {_shown(text)}", where,
                                        file, int(i) + 2, "numbers must be below 1e308"))
            else:
                problems.append(Problem(f"'{col}' is not a number: {_shown(text)}", where,
                                        file, int(i) + 2, "write a plain number such as 12.5"))
        values = values.where(~bad)
        if col not in signed:
            for i in np.flatnonzero((values < 0).to_numpy())[:20]:
                problems.append(Problem(f"'{col}' cannot be negative ({raw.iloc[i]})", where,
                                        file, int(i) + 2))
        if col in finite:
            for i in np.flatnonzero((values.abs() >= schema.LARGEST).to_numpy())[:20]:
                problems.append(Problem(f"'{col}' must be finite and below "
                                        f"{schema.LARGEST:g} ({raw.iloc[i]})", where, file,
                                        int(i) + 2, "rescale the unit of the good"))
        frame[col] = values
    frame.attrs["file"] = file
    return frame


_INFINITY = ["inf", "+inf", "-inf", ".inf", "+.inf", "-.inf", "infinity", "+infinity",
             "-infinity"]
_NUMBER = re.compile(r"[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?")


def _parse_numbers(raw: pd.Series) -> pd.Series:
    """Text to floats, blanks to NaN. Arrow casts a whole column at once; only a column
    holding something that is not a plain number takes pandas' slower, forgiving path."""
    try:
        text = pa.array(raw.array, type=pa.string())
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        numbers = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        return pd.Series(numbers, index=raw.index, dtype=float)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.to_numeric(raw.replace({"": None, ".inf": "inf", "-.inf": "-inf",
                                          ".nan": "nan"}), errors="coerce")


def _twice_listed_flows(table: pd.DataFrame, positions: dict[str, np.ndarray],
                        known: np.ndarray, inline: pd.DataFrame, goods: pd.Index,
                        procs: pd.Index, table_file: str, file: str | None,
                        locate: Locator) -> list[Problem]:
    """Flows of a CSV table listed twice there, or given in the plan file too: refused,
    as they would otherwise be summed without a word. ``positions`` hold each row's
    process and good as positions in ``procs`` and ``goods``; rows not ``known`` (an
    unknown id, already reported) are left out."""
    found: list[Problem] = []
    width = np.int64(max(len(goods), 1))
    pairs = np.where(known, positions["process"].astype(np.int64) * width
                     + positions["good"], -1)
    rows = pd.Series(pairs)
    twice = (rows.duplicated() & known).to_numpy()
    if twice.any():
        first = pd.Series(np.arange(len(rows))).groupby(pairs).transform("min").to_numpy()
        for i in np.flatnonzero(twice)[:20]:
            found.append(Problem(
                f"flow {table['process'].iat[i]}, {table['good'].iat[i]} is listed twice "
                f"(first on line {first[i] + 2})", "flows", table_file, int(i) + 2,
                "give each process and good one row, with both its input and output"))
    if len(inline):
        p_pos, g_pos = codes_in(inline["process"], procs), codes_in(inline["good"], goods)
        inline_pairs = np.where((p_pos >= 0) & (g_pos >= 0),
                                p_pos.astype(np.int64) * width + g_pos, -1)
        again = known & np.isin(pairs, inline_pairs)
        for i in np.flatnonzero(again)[:20]:
            process, good = table["process"].iat[i], table["good"].iat[i]
            given = inline[(inline["process"] == process) & (inline["good"] == good)]
            side = "inputs" if given["input"].iat[0] else "outputs"
            path = ("processes", process, side, good)
            found.append(Problem(
                f"flow {process}, {good} is also given in the plan file "
                f"({'.'.join(path)}, line {locate(path)})", "flows", table_file, int(i) + 2,
                "give each flow once: in the plan file or in the table"))
    return found


def _given_twice(goods: pd.Index, in_table: pd.Series | None, key: str,
                 tables: dict[str, str],
                 where: Callable[[int, str], tuple[str, str | None, int | None]]
                 ) -> list[Problem]:
    """Supplies or demands given in the goods table and again under ``key``: refused,
    as the second would otherwise replace the first without a word."""
    if in_table is None or not len(in_table):
        return []
    found = []
    for i in np.flatnonzero(goods.isin(in_table.index))[:20]:
        good = goods[i]
        path, file, line = where(int(i), good)
        found.append(Problem(
            f"the {key} of '{good}' is also given in {tables['goods']} (line "
            f"{in_table[good]})", path, file, line,
            f"give each {key} once: in the goods table or under '{key}'"))
    return found


def _ids(frame: pd.DataFrame, col: str, where: str, problems: list[Problem]) -> pd.Index:
    ids = frame[col].str.strip()
    dup = ids.duplicated(keep="first").to_numpy()
    for i in np.flatnonzero(dup)[:20]:
        problems.append(Problem(f"id '{ids.iloc[i]}' appears twice", where,
                                frame.attrs.get("file"), int(i) + 2, "ids must be unique"))
    return pd.Index(ids, dtype=object)


def _names(frame: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    """The ``name`` column, falling back to the id where it is missing or blank."""
    if "name" not in frame:
        return ids.to_numpy(object)
    return frame["name"].where(frame["name"] != "", ids.to_series().values).to_numpy(object)


def _optional(frame: pd.DataFrame, col: str) -> object:
    """A text column with blanks as missing values; all missing if the column is absent."""
    return frame[col].replace("", None).to_numpy(object) if col in frame else None


# -- building the plan --------------------------------------------------------------------
def _raw_reference_problems(data: dict[str, Any], file: str | None,
                            locate: Locator) -> list[Problem]:
    """Unknown goods, units and processes, found in a document that failed the schema, so
    that they are reported with the schema's problems rather than on the next run."""
    def keys(value: object) -> list[str]:
        return [str(k) for k in value] if isinstance(value, dict) else []

    goods = pd.Index(keys(data.get("goods")))
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


def _normalise_policies(data: dict[str, Any]) -> None:
    policies = data.get("policies")
    if isinstance(policies, dict):
        data["policies"] = {k: ({"rule": v} if isinstance(v, str) else v)
                            for k, v in policies.items()}


def plan_from_mapping(data: Any, *, source: str | None = None,
                      locate: Locator | None = None,
                      problems: list[Problem] | None = None,
                      spelled: Mapping[tuple[Any, ...], str] | None = None) -> Plan:
    """Validate a plan mapping (as read from any plan file) and build the `Plan`.

    ``locate`` maps a key path to its line; ``spelled`` how the file wrote scalars that
    YAML did not read as text (for hints on ids such as ``NO``).
    """
    locate = locate or (lambda loc: None)
    spelled = spelled or {}
    problems = list(problems or [])
    file = source
    base = Path(source).parent if source else None
    if not isinstance(data, dict):
        raise PlanError(problems + [Problem(
            "a plan must be a mapping with at least name, goods, processes and objective",
            file=file, line=locate(()), hint="see examples/leningrad.yaml")])
    data = dict(data)
    tables = {k: data.pop(k) for k in _TABLE_FIELDS if isinstance(data.get(k), str)}
    _normalise_policies(data)
    try:
        spec = schema._DocumentSpec.model_validate(data)
    except ValidationError as exc:
        raise PlanError(problems + _pydantic_problems(exc, file, locate, spelled)
                        + _raw_reference_problems(data, file, locate)) from None
    flows_csv = spec.flows
    spec_goods: dict[str, Any] = dict(spec.goods)
    spec_units: dict[str, Any] = dict(spec.units)
    spec_procs: dict[str, Any] = dict(spec.processes)
    for key, name in tables.items():
        if not str(name).lower().endswith((".csv", ".tsv")):
            problems.append(Problem(f"'{key}' must be a mapping or a .csv path", key, file,
                                    locate((key,)), f"e.g. {key}: {key}.csv"))
    tables = {k: v for k, v in tables.items() if str(v).lower().endswith((".csv", ".tsv"))}

    # goods
    g_ids = list(spec_goods)
    goods = pd.DataFrame({
        "name": [s.name or k for k, s in spec_goods.items()],
        "unit": [s.unit for s in spec_goods.values()],
    }, index=pd.Index(g_ids, name="good", dtype=object))
    goods["supply"] = 0.0
    goods["demand"] = 0.0
    amounts: dict[str, pd.Series] = {}  # line in the goods table of each amount it gives
    if "goods" in tables:
        t = _read_csv(base, tables["goods"], "goods", problems, ("id",), ("supply", "demand"))
        if t is not None:
            idx = _ids(t, "id", "goods", problems)
            extra = pd.DataFrame({
                "name": _names(t, idx),
                "unit": t["unit"].to_numpy(object) if "unit" in t else "",
                "supply": t["supply"].fillna(0.0) if "supply" in t else 0.0,
                "demand": t["demand"].fillna(0.0) if "demand" in t else 0.0,
            }).set_axis(idx).rename_axis("good")
            goods = pd.concat([goods, extra[~extra.index.duplicated()]])
            for key in ("supply", "demand"):
                if key in t:
                    amounts[key] = pd.Series(np.arange(len(t)) + 2, index=idx)[
                        t[key].notna().to_numpy()]

    # units
    units = pd.DataFrame({
        "name": [s.name or k for k, s in spec_units.items()],
        "region": [s.region for s in spec_units.values()],
    }, index=pd.Index(list(spec_units), name="unit", dtype=object))
    if "units" in tables:
        t = _read_csv(base, tables["units"], "units", problems, ("id",))
        if t is not None:
            idx = _ids(t, "id", "units", problems)
            extra = pd.DataFrame({"name": _names(t, idx), "region": _optional(t, "region")},
                                 index=idx).rename_axis("unit")
            units = pd.concat([units, extra[~extra.index.duplicated()]])

    # processes and flows
    procs = pd.DataFrame({
        "name": [s.name or k for k, s in spec_procs.items()],
        "unit": [s.unit for s in spec_procs.values()],
        "min_level": [float(s.min_level) for s in spec_procs.values()],
        "capacity": [math.inf if s.capacity is None else float(s.capacity)
                     for s in spec_procs.values()],
    }, index=pd.Index(list(spec_procs), name="process", dtype=object))
    rows = [(p, g, a, 0.0) for p, s in spec_procs.items() for g, a in s.inputs.items()]
    rows += [(p, g, 0.0, a) for p, s in spec_procs.items() for g, a in s.outputs.items()]
    flows = pd.DataFrame(rows, columns=["process", "good", "input", "output"]) if rows \
        else empty_flows()
    yaml_flows = flows
    flow_files: list[pd.DataFrame] = []
    if "processes" in tables:
        t = _read_csv(base, tables["processes"], "processes", problems, ("id",),
                      ("capacity", "min_level"))
        if t is not None:
            idx = _ids(t, "id", "processes", problems)
            extra = pd.DataFrame({
                "name": _names(t, idx),
                "unit": _optional(t, "unit"),
                "min_level": t["min_level"].fillna(0.0) if "min_level" in t else 0.0,
                "capacity": t["capacity"].fillna(math.inf) if "capacity" in t else math.inf,
            }).set_axis(idx).rename_axis("process")
            over = (extra["min_level"] > extra["capacity"]).to_numpy()
            for i in np.flatnonzero(over)[:20]:
                problems.append(Problem("min_level is above capacity", "processes",
                                        t.attrs["file"], int(i) + 2,
                                        "lower min_level or raise capacity"))
            unit = extra["unit"]
            stray = (unit.notna() & (codes_in(unit, units.index) < 0)).to_numpy()
            for i in np.flatnonzero(stray)[:20]:
                problems.append(Problem(f"unknown unit '{unit.iat[i]}'", "processes",
                                        t.attrs["file"], int(i) + 2,
                                        did_you_mean(unit.iat[i], units.index)
                                        or "declare it under 'units'"))
            extra.loc[stray, "unit"] = None
            procs = pd.concat([procs, extra[~extra.index.duplicated()]])
    if flows_csv:
        t = _read_csv(base, flows_csv, "flows", problems, ("process", "good"),
                      ("input", "output"), finite=("input", "output"))
        if t is not None:
            f = pd.DataFrame({
                "process": t["process"].str.strip(), "good": t["good"].str.strip(),
                "input": t["input"].fillna(0.0) if "input" in t else 0.0,
                "output": t["output"].fillna(0.0) if "output" in t else 0.0,
            })
            known = np.ones(len(f), dtype=bool)
            positions = {}
            for col, kind, choices in (("good", "good", goods.index),
                                       ("process", "process", procs.index)):
                positions[col] = codes_in(f[col], choices)
                missing = positions[col] < 0
                known &= ~missing
                for i in np.flatnonzero(missing)[:20]:
                    word = f[col].iat[i]
                    problems.append(Problem(f"unknown {kind} '{word}'", "flows",
                                            t.attrs["file"], int(i) + 2,
                                            did_you_mean(word, choices)
                                            or f"declare it under '{kind}s'"))
            problems += _twice_listed_flows(f, positions, known, yaml_flows, goods.index,
                                            procs.index, t.attrs["file"], file, locate)
            f = f.loc[known]
            f.attrs["file"] = t.attrs["file"]
            flow_files.append(f)
    if flow_files:
        flows = pd.concat([flows, *flow_files], ignore_index=True)
    flows = normalise_flows(flows) if len(flows) else empty_flows()

    # supply and demand
    for key in ("supply", "demand"):
        mapping = getattr(spec, key)
        if mapping:
            given = pd.Series(mapping, dtype=float)
            known = codes_in(given.index, goods.index) >= 0
            for good in given.index[~known][:20]:
                problems.append(Problem(f"unknown good '{good}'", f"{key}.{good}", file,
                                        locate((key, good)),
                                        did_you_mean(good, goods.index)
                                        or "declare it under 'goods'"))
            problems += _given_twice(given.index, amounts.get(key), key, tables,
                                     lambda i, good: (f"{key}.{good}", file,
                                                      locate((key, good))))
            goods.loc[given.index[known], key] = given[known].to_numpy()
        if key in tables:
            t = _read_csv(base, tables[key], key, problems, ("good", "amount"), ("amount",),
                          signed=("amount",) if key == "demand" else ())
            if t is not None:
                t["good"] = t["good"].str.strip()
                twice = t["good"].duplicated(keep="first").to_numpy()
                for i in np.flatnonzero(twice)[:20]:
                    problems.append(Problem(f"good '{t['good'].iat[i]}' is listed twice", key,
                                            t.attrs["file"], int(i) + 2,
                                            "give each good one amount"))
                problems += _given_twice(pd.Index(t["good"]), amounts.get(key), key, tables,
                                         lambda i, good: (key, t.attrs["file"], i + 2))
                known = codes_in(t["good"], goods.index) >= 0
                for i in np.flatnonzero(~known)[:20]:
                    good = t["good"].iloc[i]
                    problems.append(Problem(f"unknown good '{good}'", key, t.attrs["file"],
                                            int(i) + 2, did_you_mean(good, goods.index)))
                goods.loc[t["good"][known], key] = t["amount"][known].fillna(0.0).to_numpy()

    # objective, policies, baseline
    obj = spec.objective
    sense = "maximize" if obj.maximize else "minimize" if obj.minimize else "maximize_sets"
    weights = getattr(obj, sense)
    objective = Objective(sense, pd.Series(weights, dtype=float, name="weight").rename_axis(
        "good"), obj.unit or "")

    policies = []
    for pid, p in spec.policies.items():
        assert isinstance(p, schema.PolicySpec)
        try:
            rule = parse_rule(p.rule)
        except RuleSyntaxError as exc:
            where = f" at column {exc.column}" if exc.column else ""
            shown = p.rule if len(p.rule) <= 60 else p.rule[:50] + "..."
            problems.append(Problem(f"rule '{shown}': {exc.message}{where}",
                                    f"policies.{pid}.rule", file,
                                    locate(("policies", pid, "rule")), exc.hint))
            continue
        policies.append(Policy(str(pid), rule, p.name or ""))
    baseline = None
    if spec.baseline is not None:
        baseline = pd.Series(spec.baseline.levels, dtype=float, name="level").rename_axis(
            "process")

    plan = Plan(name=spec.name, goods=goods, units=units, processes=procs, flows=flows,
                objective=objective, policies=tuple(policies), baseline=baseline,
                period=spec.period, source=source,
                extra={"description": spec.description} if spec.description else {})
    from kantorovich.model.checks import check_plan

    problems += check_plan(plan, file=file, locate=locate, flows=yaml_flows)
    if problems:
        raise PlanError(problems)
    return plan


def load_plan(path: str | Path) -> Plan:
    """Read, validate and check a YAML, TOML or JSON plan file.

    Raises `PlanError` listing every problem found, each with file, line and path.
    """
    path = Path(path)
    document = read_document(path)
    return plan_from_mapping(document.data, source=str(path), locate=document.locate,
                             problems=document.problems, spelled=document.spelled)
