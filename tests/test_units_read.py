"""Units and counts read as a person writes them, wherever they are printed: the
sentences, the report's cards, the terminal and validate (issue 19)."""

from __future__ import annotations

import re

from conftest import EXAMPLES
from typer.testing import CliRunner

import kantorovich as k
from kantorovich.cli import app
from kantorovich.explain.story import explain
from kantorovich.numbers import a, plural, quantity
from kantorovich.report.html import report_page

LENINGRAD = EXAMPLES / "leningrad.yaml"


def _one_rule_plan(tmp_path) -> str:
    path = tmp_path / "one-rule.yaml"
    path.write_text(
        "name: one rule\nperiod: hour\n"
        "goods:\n  labour: {unit: worker-hour}\n  shirts: {unit: shirt}\n"
        "processes:\n  sew: {inputs: {labour: 1}, outputs: {shirts: 2}, capacity: 80}\n"
        "supply: {labour: 40}\n"
        "objective: {maximize: {shirts: 1}}\n"
        "policies:\n  cap: level(sew) <= 50\n")
    return str(path)


def test_words() -> None:
    assert quantity(6_670_667, "loaf") == "6,670,667 loaves"
    assert quantity(1, "loaf") == "1 loaf"
    assert quantity(40_000, "worker-hour") == "40,000 worker-hours"
    assert (a("worker-hour"), a("hour"), a("week")) == ("a worker-hour", "an hour", "a week")
    assert plural("policy", 1) == "policy" and plural("column", 1) == "column"


def test_cards_and_sentences_say_loaves() -> None:
    result = k.solve(k.load_plan(LENINGRAD))
    page = report_page(result)
    assert re.search(r"6,670,667</span> loaves", page)
    assert not re.search(r"</span> loaf<", page)
    text = explain(result).text()
    assert "runs at capacity (80 t): each extra t of capacity would add 50 loaves" in text
    assert not re.search(r"(?<![\d,.])(?!1 )[\d,.]+ loaf\b", text)   # "14,000 loaf"


def test_one_rule_reads_one_policy_and_an_hour(tmp_path) -> None:
    plan = _one_rule_plan(tmp_path)
    res = CliRunner().invoke(app, ["validate", plan])
    assert res.exit_code == 0
    assert "1 policy," in res.stdout or res.stdout.rstrip().endswith("1 policy") or \
        "1 policy" in res.stdout
    assert "1 policies" not in res.stdout and "1 processes" not in res.stdout
    result = k.solve(k.load_plan(plan))
    assert "(1 policy)" in result.method_reason
    assert "1 column," in result.method_reason and "1 columns" not in repr(result)
    text = explain(result).text()
    assert "an hour" in text and " a hour" not in text
    assert "A worker-hour of labour is worth 2 shirts to the plan." in text
