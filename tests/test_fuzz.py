"""Property tests: malformed plans never crash `validate` or `solve`.

Every run must end with exit 0, 1 or 2 (or 3, stopped by a limit, where a time limit
is given), print no traceback, let no exception but
SystemExit escape, and leave no partial or stray output directory. Valid random plans
solve to a verified optimum or are reported infeasible or unbounded, with a diagnosis that
names the plan's own statements.

Example counts are for scale 1 and grow with ``KANTOROVICH_FUZZ_SCALE`` (see conftest);
the tests that run the command line for every example are marked ``slow``.
"""

from __future__ import annotations

import copy
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DATA, examples
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import kantorovich as k
from kantorovich.cli import app
from kantorovich.explain.diagnosis_text import message
from kantorovich.numbers import fmt

RUNNER = CliRunner()

BASES: dict[str, dict[str, Any]] = {
    "two_mills": yaml.safe_load((DATA / "two_mills.yaml").read_text()),
    "infeasible": yaml.safe_load((DATA / "load" / "infeasible.yaml").read_text()),
    "unbounded": yaml.safe_load((DATA / "load" / "unbounded.yaml").read_text()),
}

FIELDS = ["name", "period", "description", "goods", "units", "processes", "flows", "supply",
          "demand", "objective", "policies", "baseline", "unit", "region", "inputs",
          "outputs", "capacity", "min_level", "maximize", "minimize", "maximize_sets",
          "rule", "levels", "capcity"]
IDS = ["wheat", "flour", "wheet", "mill-3", "mill-5", "mill-3-milling", "mill-5-milling",
       "milling", "conjuring", "District 3", "", " ", "a.b", "0", "x" * 40, "ünï", "id\n"]
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, -1, 1, 0.7, 1e-320, 1e19, 1e20, 1e300, -1e300, 2**63,
                     math.inf, -math.inf, math.nan]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=12),
                    st.sampled_from(IDS + FIELDS))
KEYS = st.one_of(st.sampled_from(FIELDS + IDS), st.text(max_size=8))
JUNK = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)), max_leaves=8)

RULE_TOKENS = ["input(", "output(", "level(", "net(", "wheat", "flour", "mill-3",
               "mill-3-milling", "mill-5", "region=", "unit=", "'District 3'", "'Distrct'",
               "\"District 5\"", ",", ")", "(", ">=", "<=", "==", "=", "<", ">", "*", "/",
               "+", "-", "0", "1", "0.5", "1000", "1e400", "1e-400", "1e19", "nan", "inf",
               " ", "  ", "foo(", "'", "\\", "#", ":", "\n", "\t", "é"]
RULES = st.one_of(
    st.lists(st.sampled_from(RULE_TOKENS), max_size=14).map("".join),
    st.text(max_size=30),
    st.builds(lambda a, op, b: f"{a} {op} {b}",
              st.sampled_from(["input(wheat, mill-3)", "output(flour)", "level(mill-5-milling)",
                               "net(flour, region='District 5')", "2 * input(wheat)",
                               "input(wheat, mill-3) - input(wheat, mill-5)", "0", "1e30"]),
              st.sampled_from([">=", "<=", "=="]),
              st.one_of(NUMBERS.map(repr), st.sampled_from(["input(wheat, mill-5)",
                                                             "0.5 * output(flour)"]))),
)

COMMON: dict[str, Any] = {
    "deadline": None, "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much]}


# -- building malformed plans -----------------------------------------------------------------
def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, prefix + (i,))
    return found


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated_plans(draw: st.DrawFn, bases: tuple[str, ...] = tuple(BASES)) -> Any:
    """A shipped plan with one to four random edits: delete, replace, add, rename, wrap."""
    data = copy.deepcopy(BASES[draw(st.sampled_from(bases))])
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(data)))
        op = draw(st.sampled_from(["delete", "replace", "add", "rename", "wrap", "number"]))
        if not path:
            if op == "replace":
                data = draw(JUNK)
            elif op == "add" and isinstance(data, dict):
                data[draw(KEYS)] = draw(JUNK)
            continue
        parent, key = _get(data, path[:-1]), path[-1]
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(JUNK)
        elif op == "number":
            parent[key] = draw(NUMBERS)
        elif op == "wrap":
            parent[key] = [parent[key]]
        elif op == "add" and isinstance(parent[key], dict):
            parent[key][draw(KEYS)] = draw(JUNK)
        elif op == "rename" and isinstance(parent, dict):
            new = draw(KEYS)
            if new not in parent:
                parent[new] = parent.pop(key)
    return data


def _dump(data: Any, suffix: str) -> str:
    if suffix == ".json":
        return json.dumps(data, allow_nan=True, default=str)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# -- running the CLI ---------------------------------------------------------------------------
def invoke(*args: object) -> Any:
    """Run the app in-process and check the promises every run keeps."""
    result = RUNNER.invoke(app, [str(a) for a in args])
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    codes = {0, 1, 2, 3} if "--time-limit" in args else {0, 1, 2}
    assert result.exit_code in codes, (result.exit_code, result.output)
    event(f"{args[0]} exit {result.exit_code}")
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    assert "internal error" not in text, text       # a bug is never reported as input
    return result


def check_solve(plan: Path, *extra: str) -> Any:
    """``solve PLAN --json -o DIR``: pure JSON on stdout, all-or-nothing output."""
    tmp = plan.parent
    out = tmp / "out"
    result = invoke("solve", plan, "--json", "-o", out, "--format", "csv", *extra)
    strays = [p.name for p in tmp.iterdir() if p.name.startswith(".out.")]
    assert strays == [], strays
    if result.exit_code == 2:
        assert not out.exists()
        assert result.stdout == ""
        return result
    data = json.loads(result.stdout)
    if result.exit_code == 0:
        assert data["status"] == "optimal"
        assert data["certificate"]["verified"] is True
        assert json.loads((out / "summary.json").read_text())["status"] == "optimal"
    else:
        assert data["status"] != "optimal"
        expected = {1: {"infeasible", "unbounded"}, 3: {"time_limit", "iteration_limit"}}
        assert data["status"] in expected[result.exit_code], data["status"]
        # A plan without an optimum may leave a complete directory holding its diagnosis.
        if out.exists():
            assert json.loads((out / "summary.json").read_text())["status"] == data["status"]
    return result


def _write(tmp: str, data: Any, suffix: str) -> Path:
    path = Path(tmp) / f"plan{suffix}"
    path.write_text(_dump(data, suffix), encoding="utf-8")
    return path


# -- properties ----------------------------------------------------------------------------------
@settings(max_examples=examples(150), **COMMON)
@given(data=st.one_of(mutated_plans(), JUNK, st.dictionaries(KEYS, JUNK, max_size=6)))
def test_from_dict_raises_only_plan_error(data: Any) -> None:
    """The library: any mapping gives a `Plan` or a `PlanError` listing located problems."""
    try:
        plan = k.Plan.from_dict(data)
    except Exception as exc:
        if not isinstance(exc, k.PlanError):
            raise
        assert exc.problems
        for p in exc.problems:
            assert isinstance(p.message, str) and p.message
            assert p.hint is None or isinstance(p.hint, str)
            str(p)
    else:
        assert isinstance(plan, k.Plan)


@pytest.mark.slow
@settings(max_examples=examples(90), **COMMON)
@given(data=mutated_plans(), suffix=st.sampled_from([".yaml", ".json"]))
def test_validate_mutated_plans(data: Any, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = invoke("validate", _write(tmp, data, suffix))
        assert result.exit_code in {0, 2}
        if result.exit_code == 2:
            assert "error:" in result.stderr and result.stdout == ""
        else:
            assert result.stdout.startswith("ok: ")


@pytest.mark.slow
@settings(max_examples=examples(60), **COMMON)
@given(data=mutated_plans(("two_mills", "infeasible", "unbounded")),
       suffix=st.sampled_from([".yaml", ".json"]),
       limit=st.sampled_from([[], [], ["--time-limit", "0.000001"], ["--time-limit", "30"]]))
def test_solve_mutated_plans(data: Any, suffix: str, limit: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check_solve(_write(tmp, data, suffix), *limit)


@pytest.mark.slow
@settings(max_examples=examples(75), **COMMON)
@given(rules=st.lists(RULES, min_size=1, max_size=3))
def test_solve_random_rules(rules: list[str]) -> None:
    data = copy.deepcopy(BASES["two_mills"])
    data["policies"] = {f"rule-{i}": r for i, r in enumerate(rules)}
    with tempfile.TemporaryDirectory() as tmp:
        check_solve(_write(tmp, data, ".yaml"))


YAML_TEXT = (DATA / "two_mills.yaml").read_text()
YAML_ALPHABET = st.sampled_from(list(":{}[],-#&*!|>'\"%@` \n\t.0123456789abcxyz") +
                                ["wheat", "flour", "  ", "\n  ", ".inf", ".nan", "~", "null"])


@st.composite
def broken_yaml(draw: st.DrawFn) -> str:
    """The issue's plan with random characters inserted, deleted or replaced."""
    text = YAML_TEXT
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 6)))
        text = text[:i] + "".join(draw(st.lists(YAML_ALPHABET, max_size=4))) + text[j:]
    return text


@pytest.mark.slow
@settings(max_examples=examples(75), **COMMON)
@given(text=st.one_of(broken_yaml(), st.text(max_size=200),
                      st.lists(YAML_ALPHABET, max_size=60).map("".join)),
       suffix=st.sampled_from([".yaml", ".yml", ".json", ".toml"]),
       command=st.sampled_from(["validate", "validate", "solve"]))
def test_random_text(text: str, suffix: str, command: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"plan{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        if command == "solve":
            check_solve(path)
        else:
            invoke("validate", path)


@pytest.mark.slow
@settings(max_examples=examples(50), **COMMON)
@given(blob=st.one_of(st.binary(max_size=300),
                      st.binary(max_size=40).map(lambda b: YAML_TEXT.encode()[:200] + b)),
       suffix=st.sampled_from([".yaml", ".json", ".toml", ".mps", ".csv", ""]),
       command=st.sampled_from(["validate", "solve"]))
def test_raw_bytes(blob: bytes, suffix: str, command: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"plan{suffix}"
        path.write_bytes(blob)
        if command == "solve":
            check_solve(path)
        else:
            invoke("validate", path)


CSV_DIR = DATA / "load" / "csv"
CSV_FILES = ["goods.csv", "units.csv", "processes.csv", "flows.csv", "supply.csv",
             "demand.csv"]
CSV_CELLS = st.one_of(st.sampled_from(["", " ", "wheat", "steal", "mill-3", "bolts-92", "1",
                                       "-1", "inf", "nan", "1e400", "abc", '"', "a,b",
                                       "id", "good", "amount", "process", "input"]),
                      NUMBERS.map(str), st.text(max_size=6))


@st.composite
def broken_csv(draw: st.DrawFn) -> tuple[str, str]:
    """One table of the CSV plan with random rows, cells or header edits."""
    name = draw(st.sampled_from(CSV_FILES))
    lines = (CSV_DIR / name).read_text().splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines)))
        op = draw(st.sampled_from(["row", "delete", "cell"]))
        if op == "row":
            lines.insert(i, ",".join(draw(st.lists(CSV_CELLS, max_size=5))))
        elif op == "delete" and i < len(lines):
            del lines[i]
        elif op == "cell" and i < len(lines):
            cells = lines[i].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(CSV_CELLS)
            lines[i] = ",".join(cells)
    return name, "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@pytest.mark.slow
@settings(max_examples=examples(40), **COMMON)
@given(edit=broken_csv(), command=st.sampled_from(["validate", "solve"]))
def test_broken_csv_tables(edit: tuple[str, str], command: str) -> None:
    name, text = edit
    with tempfile.TemporaryDirectory() as tmp:
        for f in [*CSV_FILES, "leningrad.yaml"]:
            (Path(tmp) / f).write_text((CSV_DIR / f).read_text())
        (Path(tmp) / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        plan = Path(tmp) / "leningrad.yaml"
        if command == "solve":
            check_solve(plan)
        else:
            invoke("validate", plan)


# -- valid random plans ---------------------------------------------------------------------------
COEF = st.integers(1, 400).map(lambda n: n / 20)  # 0.05 .. 20


@st.composite
def valid_plans(draw: st.DrawFn) -> dict[str, Any]:
    """A small well-formed plan: random goods, processes, coefficients and supplies."""
    goods = [f"g{i}" for i in range(draw(st.integers(1, 4)))]
    units = {f"u{i}": {"region": draw(st.sampled_from(["north", "south"]))}
             for i in range(draw(st.integers(0, 2)))}
    processes = {}
    for j in range(draw(st.integers(1, 4))):
        used = draw(st.lists(st.sampled_from(goods), unique=True, max_size=len(goods)))
        made = draw(st.lists(st.sampled_from([g for g in goods if g not in used] or goods),
                             unique=True, max_size=len(goods)))
        proc: dict[str, Any] = {"inputs": {g: draw(COEF) for g in used},
                                "outputs": {g: draw(COEF) for g in made if g not in used}}
        if draw(st.booleans()):
            proc["capacity"] = draw(st.integers(1, 1000))
            if draw(st.booleans()):
                proc["min_level"] = draw(st.integers(0, proc["capacity"]))
        if units and draw(st.booleans()):
            proc["unit"] = draw(st.sampled_from(sorted(units)))
        processes[f"p{j}"] = proc
    supply = {g: draw(st.integers(0, 1000)) for g in goods if draw(st.booleans())}
    demand = {g: draw(st.integers(0, 50)) for g in goods if draw(st.integers(0, 3)) == 0}
    sense = draw(st.sampled_from(["maximize", "maximize", "minimize", "maximize_sets"]))
    weighted = draw(st.lists(st.sampled_from(goods), unique=True, min_size=1))
    if sense == "maximize_sets":
        weights = {g: draw(COEF) for g in weighted}
    else:
        weights = {g: draw(st.sampled_from([-5, -2, -1, 1, 2, 3, 10])) for g in weighted}
    plan: dict[str, Any] = {"name": "random", "goods": {g: {"unit": "t"} for g in goods},
                            "units": units, "processes": processes, "supply": supply,
                            "demand": demand, "objective": {sense: weights}}
    if draw(st.booleans()):
        p = draw(st.sampled_from(sorted(processes)))
        g = draw(st.sampled_from(goods))
        plan["policies"] = {
            "cap": f"level({p}) <= {draw(st.integers(0, 500))}",
            "share": f"output({g}) >= {draw(st.integers(0, 3))} * input({g})",
        }
    if draw(st.booleans()):
        plan["baseline"] = {"levels": {p: draw(st.integers(0, 100)) for p in processes}}
    return plan


def check_diagnosis(plan: k.Plan, result: k.PlanResult) -> None:
    """A plan without an optimum is diagnosed in its own terms: an infeasible one gets a
    conflict among its own statements and a relaxation that was re-solved and found
    feasible; an unbounded one gets the processes of the plan that grow without limit."""
    diagnosis = result.diagnosis()
    assert diagnosis.kind == result.status.value, diagnosis
    assert diagnosis.plan == plan.name
    ids = {*plan.goods.index, *plan.processes.index, *(p.id for p in plan.policies)}
    if result.status is k.Status.INFEASIBLE:
        assert diagnosis.conflict, diagnosis
        assert {c["id"] for c in diagnosis.conflict} <= ids, diagnosis.conflict
        assert diagnosis.relaxation, diagnosis
        for change in diagnosis.relaxation:
            assert change["id"] in ids, change
            assert change["to"] == pytest.approx(change["from"] + change["amount"]), change
        assert diagnosis.verified is True, diagnosis
        assert diagnosis.weighted_relaxation > 0
    else:
        # The processes listed grow together along a ray: each one that grows has no
        # capacity, and (unless the objective counts sets) the ray improves the objective.
        assert diagnosis.unbounded, diagnosis
        gain = 0.0
        for runaway in diagnosis.unbounded:
            assert runaway["process"] in plan.processes.index, runaway
            if runaway["direction"] > 0:
                assert math.isinf(plan.processes.at[runaway["process"], "capacity"]), runaway
            gain += runaway["direction"] * runaway["improvement"]
        if plan.objective.sense != "maximize_sets":
            assert gain > 0, diagnosis.unbounded


@settings(max_examples=examples(60), **COMMON)
@given(data=valid_plans())
def test_valid_random_plans_solve_with_a_certificate(data: dict[str, Any]) -> None:
    plan = k.Plan.from_dict(data)
    result = k.solve(plan)
    event(result.status.value)
    assert result.status in {k.Status.OPTIMAL, k.Status.INFEASIBLE, k.Status.UNBOUNDED}, (
        result.status, data)
    if result.status is k.Status.OPTIMAL:
        assert result.certificate.verified, (result.certificate, data)
        levels = result.levels
        assert (levels >= plan.processes["min_level"] - 1e-6).all()
        assert (levels <= plan.processes["capacity"] + 1e-6).all()
        if plan.objective.sense != "maximize_sets":
            weights = plan.objective.weights
            net = result.net_output.reindex(weights.index)
            value = float((weights * net).sum())
            value = value if plan.objective.sense == "maximize" else -value
            assert math.isclose(value, result.objective, rel_tol=1e-6, abs_tol=1e-6)
    else:
        check_diagnosis(plan, result)


@pytest.mark.slow
@settings(max_examples=examples(15), **COMMON)
@given(data=valid_plans())
def test_valid_random_plans_through_the_cli(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check_solve(_write(tmp, data, ".yaml"))


@pytest.mark.slow
@settings(max_examples=examples(15), **COMMON)
@given(data=valid_plans())
def test_valid_random_plans_explained(data: dict[str, Any]) -> None:
    # The story agrees with the library: the same exit status, the optimum's value in its
    # first sentence, or the diagnosis's own message when there is no optimum.
    solved = k.solve(k.Plan.from_dict(data))
    with tempfile.TemporaryDirectory() as tmp:
        result = invoke("explain", _write(tmp, data, ".yaml"))
    assert result.exit_code == solved.status.exit_code, (result.exit_code, solved.status)
    assert result.stderr == ""
    headline = result.stdout.splitlines()[0]
    if solved.status is k.Status.OPTIMAL:
        assert fmt(solved.objective, solved.objective_unit) in headline, headline
        assert f"a {solved.plan.period}" in headline, headline
    else:
        assert headline == message(solved.diagnosis()), headline


def test_a_csv_line_longer_than_its_header_is_a_located_error(tmp_path: Path) -> None:
    # found by test_broken_csv_tables: pandas took the first column as row labels
    for f in [*CSV_FILES, "leningrad.yaml"]:
        (tmp_path / f).write_text((CSV_DIR / f).read_text())
    lines = (CSV_DIR / "flows.csv").read_text().splitlines()
    (tmp_path / "flows.csv").write_text("\n".join([lines[0], ",,,,", *lines[1:]]) + "\n")
    result = RUNNER.invoke(app, ["validate", str(tmp_path / "leningrad.yaml")])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = result.stdout + result.stderr
    assert result.exit_code == 2, text
    assert "flows.csv" in text and "more fields than the header" in text
    assert "Traceback" not in text
