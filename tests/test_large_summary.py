"""The JSON summary stays small at any size (issue 7, section 1).

Per-process and per-good sections longer than `INLINE_ROWS` rows are notes naming the
table that holds them; below the limit the summary is what it always was (checked here
against the row-by-row construction it replaced).
"""

from __future__ import annotations

import json

import pytest

import kantorovich as k
from kantorovich.explain.analyses import analyse
from kantorovich.model.generate import synthetic_plan
from kantorovich.report import summary as summary_module
from kantorovich.report.summary import INLINE_ROWS, summary
from kantorovich.serialise import frame_cleaned, number


@pytest.fixture(scope="module")
def solved():
    result = k.solve(synthetic_plan(300, seed=3))
    return result, analyse(result)


def by_unit_row_by_row(result):
    """The ``by_unit`` section as it was built before: one row at a time."""
    frame = frame_cleaned(result.by_unit())
    frame = frame[(frame["input"] != 0) | (frame["output"] != 0)]
    out = {}
    for (good, unit), row in frame.iterrows():
        out.setdefault(str(unit), {})[str(good)] = {
            "input": number(row["input"]), "output": number(row["output"])}
    return out


def test_the_limit_is_ten_thousand_rows():
    assert INLINE_ROWS == 10_000


def test_a_small_summary_keeps_every_mapping(solved):
    result, found = solved
    data = summary(result, analyses=found)
    assert "in_tables" not in data
    assert len(data["levels"]) == len(result.plan.processes)
    assert len(data["shadow_prices"]) == len(result.plan.goods)
    assert json.dumps(data["by_unit"]) == json.dumps(by_unit_row_by_row(result))


def test_sections_above_the_limit_name_their_tables(solved, monkeypatch):
    result, found = solved
    monkeypatch.setattr(summary_module, "INLINE_ROWS", 25)   # 300 processes, 30 goods
    data = summary(result, analyses=found)
    processes, goods = len(result.plan.processes), len(result.plan.goods)
    assert data["levels"] == {"table": "processes", "column": "level", "rows": processes}
    assert data["reduced_costs"] == {"table": "processes", "column": "reduced_cost",
                                     "rows": processes}
    assert data["shadow_prices"] == {"table": "goods", "column": "shadow_price",
                                     "rows": goods}
    assert data["price_units"]["table"] == "goods"
    assert data["net_output"] == {"table": "goods", "column": "net_output", "rows": goods}
    assert data["by_unit"] == {"table": "by_unit", "rows": len(result.by_unit())}
    assert data["sensitivity"]["goods"] == {"table": "sensitivity_goods", "rows": goods}
    assert data["baseline"]["changes"] == {"table": "baseline", "rows": processes}
    assert data["baseline"]["gain"] == summary(result, analyses=found)["baseline"]["gain"]
    tables = {**result.tables(), **found.tables()}
    for path in data["in_tables"]:
        note = data
        for key in path.split("."):
            note = note[key]
        assert note["table"] in tables, path
        assert note["rows"] > 25
        if "column" in note:
            assert note["column"] in tables[note["table"]].columns
    # Sections at or under the limit stay mappings (the weights: one final good each).
    assert isinstance(data["sensitivity"]["weights"], dict)
    assert "table" not in data["sensitivity"]["weights"]
    assert list(data)[-1] == "in_tables"


def test_a_large_plan_summary_is_small():
    """Above the real limit: a solved plan of 11,000 processes and goods gives a summary
    of a few kilobytes, not megabytes."""
    result = k.solve(synthetic_plan(11_000, 11_000, seed=1))
    assert result.is_optimal
    data = summary(result, analyses=False)
    assert data["levels"] == {"table": "processes", "column": "level", "rows": 11_000}
    assert data["shadow_prices"] == {"table": "goods", "column": "shadow_price",
                                     "rows": 11_000}
    assert data["in_tables"] == ["levels", "shadow_prices", "price_units", "reduced_costs",
                                 "net_output", "by_unit"]
    assert len(json.dumps(data, allow_nan=False)) < 5_000
