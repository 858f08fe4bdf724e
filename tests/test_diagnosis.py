"""Diagnosis of plans without an optimum, on small plans whose answers are worked by hand
in the comments of tests/data/infeasible-*.yaml and tests/data/unbounded*.yaml."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import kantorovich as k
from kantorovich.lp.highs import HighsSession, LpSolution
from kantorovich.explain.diagnosis_text import (conflict_text, diagnosis_dict, flow_text,
                                                message, relaxation_text, runaway_text,
                                                summary)
from kantorovich.results.diagnosis import Diagnosis, diagnose

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "examples"


def solved(name: str) -> k.PlanResult:
    return k.solve(k.load_plan(DATA / f"{name}.yaml"))


def members(d: Diagnosis) -> set[tuple[str, str]]:
    return {(c["kind"], c["id"]) for c in d.conflict}


# the conflict each infeasible plan has, where it is the only one
CONFLICTS = {
    "infeasible-bread": {("supply", "wheat"), ("balance", "flour"), ("demand", "bread")},
    "infeasible-policy": {("policy", "mill-3-quota"), ("capacity", "mill-3-milling")},
    "infeasible-equal": {("policy", "equal-steel"), ("min_level", "bolts-47"),
                         ("capacity", "bolts-92")},
}
# infeasible-wheat has two: wheat against bran, and wheat against bread (through flour)
WHEAT_CONFLICTS = [{("supply", "wheat"), ("demand", "bran")},
                   {("supply", "wheat"), ("balance", "flour"), ("demand", "bread")}]
# (kind, id, amount, from, to, unit) of the one relaxation, and the relaxed optimum
RELAXATIONS = {
    "infeasible-bread": (("demand", "bread", -1_000_000, 4_000_000, 3_000_000, "loaf"),
                         3_000_000),
    "infeasible-wheat": (("supply", "wheat", 200, 2_000, 2_200, "t"), 3_300_000),
    "infeasible-policy": (("policy", "mill-3-quota", -500, 1_500, 1_000, "t"),
                          1_000 * 0.700 + 3_000 * 0.721),
    "infeasible-equal": (("min_level", "bolts-47", -200, 600, 400, ""),
                         400 * 0.94 + 400 * 0.98),
    "infeasible-export": (("demand", "bread", -1_020_000, 4_000_000, 2_980_000, "loaf"),
                          2_980_000),
}
INFEASIBLE = sorted(RELAXATIONS)
ALL = INFEASIBLE + ["unbounded", "unbounded-chain"]
INDEX_WORDS = re.compile(r"\b(rows?|cols?|columns?)\b|\b[RC]\d+\b|\[\d+\]", re.IGNORECASE)


# -- conflicts ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CONFLICTS))
def test_conflict_is_the_one_worked_by_hand(name: str) -> None:
    d = solved(name).diagnosis()
    assert d.status is k.Status.INFEASIBLE and d.kind == "infeasible"
    assert members(d) == CONFLICTS[name]
    assert d.irreducible is True and d.conflict_source == "highs-iis"


def test_wheat_conflict_is_one_of_the_two() -> None:
    d = solved("infeasible-wheat").diagnosis()
    assert members(d) in WHEAT_CONFLICTS


def test_minimum_level_that_only_needs_to_be_non_negative_is_not_blamed() -> None:
    d = solved("infeasible-export").diagnosis()
    assert members(d) == CONFLICTS["infeasible-bread"] | {("nonnegative", "export")}
    assert "processes that cannot run backwards (level at least 0): export" in summary(d)


def test_conflict_entries_carry_the_plan_numbers() -> None:
    bread = {c["id"]: c for c in solved("infeasible-bread").diagnosis().conflict}
    assert bread["wheat"]["supply"] == 2_000 and bread["wheat"]["unit"] == "t"
    assert bread["bread"]["demand"] == 4_000_000 and bread["bread"]["unit"] == "loaf"
    assert conflict_text(bread["bread"]) == (
        "demand for Bread (bread) of at least 4,000,000 loaves "
        "(the balance of Bread: supply 0 loaves, demand 4,000,000 loaves)")
    policy = {c["kind"]: c for c in solved("infeasible-policy").diagnosis().conflict}
    assert policy["policy"]["rhs"] == 1_500 and policy["policy"]["side"] == "lower"
    assert conflict_text(policy["policy"]) == (
        "policy 'Mill No. 3 keeps its quota' (mill-3-quota): input(wheat, mill-3) >= 1500")
    assert policy["capacity"]["capacity"] == 1_000
    assert conflict_text(policy["capacity"]) == ("capacity of Milling at Mill No. 3 "
                                                 "(mill-3-milling): 1,000")
    equal = {c["kind"]: c for c in solved("infeasible-equal").diagnosis().conflict}
    # bolts-47 >= 600 and bolts-92 <= 400 push the left side up: its <= side conflicts
    assert equal["policy"]["side"] == "upper" and "(its <= side)" in conflict_text(
        equal["policy"])
    assert equal["min_level"]["min_level"] == 600


@pytest.mark.parametrize("name", sorted(CONFLICTS) + ["infeasible-export"])
def test_filters_find_the_same_conflict_without_highs_iis(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = members(solved(name).diagnosis()) - {("nonnegative", "export")}
    monkeypatch.setattr(HighsSession, "iis", lambda self: None)
    d = solved(name).diagnosis()
    assert d.conflict_source == "deletion-filter" and d.irreducible is True
    assert members(d) == expected


def test_filters_find_one_wheat_conflict_without_highs_iis(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HighsSession, "iis", lambda self: None)
    assert members(solved("infeasible-wheat").diagnosis()) in WHEAT_CONFLICTS


def test_highs_iis_bound_kinds() -> None:
    """Bound codes of highspy's getIis mapped to sides: the equal-steel row conflicts on
    its upper side, bolts-47 on its lower bound (600), bolts-92 on its capacity."""
    r = solved("infeasible-equal")
    rows, row_side, cols, col_side = HighsSession(r.lp).iis()
    assert list(r.lp.rows["id"].to_numpy()[rows]) == ["equal-steel"]
    assert list(row_side) == ["upper"]
    assert dict(zip(r.lp.cols["id"].to_numpy()[cols], col_side)) == {
        "bolts-47": "lower", "bolts-92": "upper"}
    assert HighsSession(k.solve(k.load_plan(EXAMPLES / "leningrad.yaml")).lp).iis() is None


# -- relaxations ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", INFEASIBLE)
def test_smallest_relaxation_is_the_one_worked_by_hand(name: str) -> None:
    (kind, ident, amount, old, new, unit), objective = RELAXATIONS[name]
    d = solved(name).diagnosis()
    assert len(d.relaxation) == 1
    r = d.relaxation[0]
    assert (r["kind"], r["id"], r["unit"]) == (kind, ident, unit)
    assert r["amount"] == pytest.approx(amount, rel=1e-6)
    assert (r["from"], r["to"]) == (pytest.approx(old), pytest.approx(new, rel=1e-6))
    assert d.verified is True
    assert d.relaxed_objective == pytest.approx(objective, rel=1e-6)


def test_relaxation_texts() -> None:
    texts = {name: relaxation_text(solved(name).diagnosis().relaxation[0])
             for name in INFEASIBLE}
    assert texts["infeasible-bread"] == (
        "demand for Bread (bread) -1,000,000 loaves (from 4,000,000 to 3,000,000 loaves)")
    assert texts["infeasible-wheat"] == "supply of Wheat (wheat) +200 t (from 2,000 to 2,200 t)"
    assert texts["infeasible-policy"].startswith(
        "policy 'Mill No. 3 keeps its quota' (mill-3-quota) relaxed by 500 t "
        "(rhs 1,500 -> 1,000 t)")
    assert texts["infeasible-equal"] == (
        "minimum level of Bolt making at Factory No. 47 (bolts-47) -200 (600 -> 400)")


def test_weights_are_relative_to_the_statement() -> None:
    """200 t of 2,000 t weighs 200/2,001; cutting both demands would weigh more."""
    d = solved("infeasible-wheat").diagnosis()
    assert d.weighted_relaxation == pytest.approx(200 / 2_001)
    assert d.weighted_relaxation < 300_000 / 3_300_001 + 40 / 441


def test_relaxation_applied_through_the_plan_api_is_feasible() -> None:
    """Independent of the diagnosis's own check: change the plan itself and solve."""
    for name in ("infeasible-bread", "infeasible-wheat", "infeasible-export"):
        plan = k.load_plan(DATA / f"{name}.yaml")
        r = solved(name).diagnosis().relaxation[0]
        changed = (plan.with_supply(r["id"], r["to"]) if r["kind"] == "supply"
                   else plan.with_demand(r["id"], r["to"]))
        assert k.solve(changed).status is k.Status.OPTIMAL
        # and a little less than the relaxation is not enough
        short = r["to"] - 1e-3 * r["amount"]
        tighter = (plan.with_supply(r["id"], short) if r["kind"] == "supply"
                   else plan.with_demand(r["id"], short))
        assert k.solve(tighter).status is k.Status.INFEASIBLE


# -- unbounded plans ------------------------------------------------------------------------
def test_unbounded_names_the_magic_oven() -> None:
    d = solved("unbounded").diagnosis()
    assert d.kind == "unbounded" and d.conflict == [] and d.relaxation == []
    [entry] = d.unbounded
    assert entry["process"] == "magic" and entry["improvement"] == pytest.approx(3)
    assert entry["makes"] == [{"good": "bread", "name": "Bread", "amount": 3.0,
                               "unit": "loaf"}]
    assert flow_text(entry["makes"][0]) == "Bread (bread) 3 loaves"
    assert runaway_text(entry, d) == (
        "process 'magic' (Magic oven) can grow without limit: each unit of level improves "
        "the objective by 3 loaves and uses nothing that is scarce; it makes Bread (bread) "
        "3 loaves per unit of level")


CHAIN = {"well": 1.0, "malting": 1 / 70, "brewing": 1 / 7}


def test_unbounded_chain_grows_together() -> None:
    d = solved("unbounded-chain").diagnosis()
    assert {u["process"]: u["direction"] for u in d.unbounded} == pytest.approx(CHAIN)
    assert "improves by 0.142857 hl per unit of level of 'well'" in message(d)


@pytest.mark.parametrize("name, expected", [("unbounded", {"magic": 1.0}),
                                            ("unbounded-chain", CHAIN)])
def test_unbounded_without_a_ray(name: str, expected: dict[str, float],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HighsSession, "primal_ray", lambda self: None)
    d = solved(name).diagnosis()
    assert {u["process"]: u["direction"] for u in d.unbounded} == pytest.approx(expected)


def test_primal_ray_of_highs() -> None:
    r = solved("unbounded")
    ray = HighsSession(r.lp).primal_ray()
    assert ray is not None and ray[r.lp.cols["id"].tolist().index("magic")] > 0
    assert r.lp.improves * float(r.lp.objective @ ray) > 0


# -- other statuses -------------------------------------------------------------------------
def test_optimal_plan_has_nothing_to_diagnose() -> None:
    d = k.solve(k.load_plan(EXAMPLES / "leningrad.yaml")).diagnosis()
    assert d.kind == "optimal" and d.status is k.Status.OPTIMAL
    assert (d.conflict, d.relaxation, d.unbounded, d.verified) == ([], [], [], None)


def test_stopped_solve_says_so() -> None:
    good = solved("infeasible-bread")
    stopped = k.PlanResult(good.plan, good.lp, LpSolution(k.Status.TIME_LIMIT))
    d = diagnose(stopped)
    assert d.kind == "stopped" and d.conflict == [] and d.verified is None
    assert "time limit" in summary(d)


def test_raise_for_status_carries_the_diagnosis() -> None:
    with pytest.raises(k.PlanStatusError) as caught:
        solved("infeasible-policy").raise_for_status()
    assert caught.value.exit_code == 1
    # results speak in ids (words are explain's): the hint names the conflict by id
    assert ("2 statements in conflict: policy 'mill-3-quota', capacity 'mill-3-milling'"
            in str(caught.value))
    assert "kantorovich.explain(result)" in str(caught.value)


# -- words and JSON -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_summary_speaks_the_plan_language(name: str) -> None:
    text = summary(solved(name).diagnosis())
    assert not INDEX_WORDS.search(text), text
    assert not re.search(r"\b(nan|inf|-?unlimited)\b", text), text


def test_summary_names_goods_and_policies_with_units() -> None:
    bread = summary(solved("infeasible-bread").diagnosis())
    assert bread.startswith("The plan 'Bread beyond the wheat' cannot be met")
    assert "These statements conflict" in bread
    assert "The smallest change that makes it feasible" in bread
    assert "Wheat (wheat) of only 2,000 t" in bread and "4,000,000 loaves" in bread
    assert "Checked: the plan with this change is feasible, with objective 3,000,000 loaves." \
        in bread
    policy = summary(solved("infeasible-policy").diagnosis())
    assert "policy 'Mill No. 3 keeps its quota' (mill-3-quota)" in policy
    assert "relaxed by 500 t" in policy


@pytest.mark.parametrize("name", ALL)
def test_to_dict_is_plain_json(name: str) -> None:
    data = solved(name).diagnosis().to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert data["status"] == ("unbounded" if name.startswith("unbounded") else "infeasible")


def test_to_dict_tells_infinite_numbers_from_undefined_ones() -> None:
    d = Diagnosis(k.Status.INFEASIBLE, "infeasible", "x",
                  conflict=[{"kind": "supply", "id": "g", "supply": np.inf,
                             "demand": np.float64(np.nan), "n": np.int64(3),
                             "ok": np.bool_(True), "text": "g"}])
    # infinities as "inf" (issue 6: distinguishable in JSON), NaN as None
    assert d.to_dict()["conflict"] == [{"kind": "supply", "id": "g", "supply": "inf",
                                        "demand": None, "n": 3, "ok": True, "text": "g"}]


# -- cost and budget ------------------------------------------------------------------------
def test_diagnosis_starts_from_the_failed_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """The IIS comes from the failed solve's own session; only the elastic program and
    the changed plan's optimum get sessions of their own (before: three, the IIS's too)."""
    r = solved("infeasible-policy")
    own = r.session()
    made: list[HighsSession] = []
    asked: list[HighsSession] = []
    init, iis = HighsSession.__init__, HighsSession.iis

    def counting_init(self: HighsSession, *args: object, **kwargs: object) -> None:
        made.append(self)
        init(self, *args, **kwargs)

    def recording_iis(self: HighsSession):  # noqa: ANN202
        asked.append(self)
        return iis(self)

    monkeypatch.setattr(HighsSession, "__init__", counting_init)
    monkeypatch.setattr(HighsSession, "iis", recording_iis)
    d = r.diagnosis()
    assert d.conflict_source == "highs-iis" and d.verified is True and d.unexamined == []
    assert asked == [own] and len(made) == 2


def test_spent_budget_says_what_was_not_examined() -> None:
    from kantorovich.lp.budget import Budget

    d = diagnose(solved("infeasible-bread"), budget=Budget(0))
    assert d.relaxation == [] and d.verified is None
    assert "relaxation" in d.unexamined and "relaxed_objective" not in d.unexamined
    assert "was not found in the time allowed" in summary(d)
    assert d.to_dict()["unexamined"] == d.unexamined


# -- numbers in results, words in explain ---------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_records_carry_numbers_and_names_not_sentences(name: str) -> None:
    """The diagnosis's records hold no text: the JSON document adds each record's
    sentence, and that sentence is the one the summary prints."""
    d = solved(name).diagnosis()
    records = [*d.conflict, *d.relaxation, *d.unbounded,
               *(f for u in d.unbounded for f in [*u["makes"], *u["uses"]])]
    assert records and not any("text" in r for r in records)
    doc = diagnosis_dict(d)
    assert doc["message"] == message(d) and summary(d).startswith(doc["message"])
    texts = [c["text"] for c in doc["conflict"] if c["kind"] != "nonnegative"]
    texts += [r["text"] for r in doc["relaxation"]] + [u["text"] for u in doc["unbounded"]]
    assert texts and all(f"  - {t}" in summary(d) for t in texts)
