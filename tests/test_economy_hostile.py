"""Issue 18 as an adversary tries it: hostile tables, labour files and options.

Every economy command either answers (exit 0) or refuses with the file, the place and
the fix (exit 2): never a traceback, never exit 70, nothing half-written in ``-o DIR``,
no NaN or inf in JSON, and the labour basis, its unit and the imports rule named.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from kantorovich.economy.cli import economy_app

DATA = Path(__file__).parent / "data" / "io"
STEEDMAN = DATA / "steedman_1977_values"
MB = DATA / "miller_blair_2009_table_2_3"
SHARED = Path("/work/shared/data/io")
RUNNER = CliRunner()


def run(*args: Any) -> tuple[int, str, str]:
    result = RUNNER.invoke(economy_app, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    return result.exit_code, result.stdout, result.stderr


def strict(text: str) -> Any:
    """JSON that refuses NaN and Infinity."""
    def refuse(word: str) -> None:
        raise AssertionError(f"{word} in JSON")
    return json.loads(text, parse_constant=refuse)


def variant(tmp_path: Path, name: str, base: Path = STEEDMAN, **files: str) -> Path:
    """A copy of ``base`` with some of its CSV files rewritten."""
    folder = tmp_path / name
    shutil.copytree(base, folder)
    for stem, text in files.items():
        (folder / f"{stem}.csv").write_text(text)
    return folder


def one_sector(tmp_path: Path, flow: float = 20.0) -> Path:
    """x = 100, Z = [[flow]], y = 100 - flow, compensation 100 - flow."""
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "sectors.csv").write_text("id,code,name,region\n0,a,A,\n")
    (folder / "Z.csv").write_text(f"row,col,value\n0,0,{flow:g}\n" if flow else
                                  "row,col,value\n")
    (folder / "x.csv").write_text("id,x\n0,100\n")
    (folder / "y.csv").write_text(f"id,y\n0,{100 - flow:g}\n")
    (folder / "va.csv").write_text(f"id,compensation\n0,{100 - flow:g}\n")
    return folder


# the cells of a hostile table: (what, file rewritten, its text, a word of the message)
STEEDMAN_Z = (STEEDMAN / "Z.csv").read_text()
HOSTILE = [
    ("nan-flow", "Z", STEEDMAN_Z.replace("0,1,16", "0,1,nan"), "Z.csv"),
    ("inf-output", "x", "id,x\n0,inf\n1,48\n2,8\n", "x.csv"),
    ("text-demand", "y", "id,y\n0,0\n1,lots\n2,8\n", "y.csv"),
    ("text-compensation", "va", "id,compensation\n0,56\n1,abc\n2,8\n", "va.csv"),
    ("duplicate-ids", "sectors", "id,code,name,region\n0,iron,Iron,\n1,corn,Corn,\n"
                                 "1,gold,Gold,\n", "sectors.csv"),
    ("duplicate-flow", "Z", STEEDMAN_Z + "0,1,5\n", "Z.csv"),
    ("flow-outside", "Z", STEEDMAN_Z + "7,1,5\n", "Z.csv"),
    ("negative-output", "x", "id,x\n0,56\n1,-48\n2,8\n", "x.csv"),
    ("no-sector", "sectors", "id,code,name,region\n", "sectors.csv"),
]


@pytest.mark.parametrize("what,stem,text,word", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_table_is_refused_located_by_every_command(
        tmp_path: Path, what: str, stem: str, text: str, word: str) -> None:
    table = variant(tmp_path, what, **{stem: text})
    commands: list[list[Any]] = [
        ["values", table, "-o", tmp_path / "values"],
        ["inspect", table, "--json"],
        ["bases", table, "-o", tmp_path / "bases"],
        ["prices", table, "--profit-rate", "0.1", "--json"],
        ["plan", table, "-o", tmp_path / "plan"],
        ["harmony", table, "--json"],
        ["generate", "--like", table, "-n", "20", "-o", tmp_path / "generated"]]
    for args in commands:
        code, out, err = run(*args)
        assert code == 2, (args[0], out, err)
        assert word in err and "hint:" in err, (args[0], err)
    for folder in ("values", "bases", "plan", "generated"):
        assert not (tmp_path / folder).exists(), folder


def test_a_non_productive_table_is_refused_and_inspect_says_why(tmp_path: Path) -> None:
    table = variant(tmp_path, "unproductive", Z=STEEDMAN_Z.replace("0,0,28", "0,0,60"))
    for command in ("values", "bases", "plan", "harmony"):
        code, _, err = run(command, table, "-o" if command != "harmony" else "--json",
                           *([tmp_path / command] if command != "harmony" else []))
        assert code == 2 and "not productive" in err and "Z.csv" in err, command
        assert not (tmp_path / command).exists()
    code, _, err = run("generate", "--like", table, "-n", "20", "-o", tmp_path / "made")
    assert code == 2 and "not productive" in err and "Z.csv" in err and "hint:" in err
    assert not (tmp_path / "made").exists()
    code, out, _ = run("inspect", table, "--json")     # the same exit as the terminal's
    data = strict(out)
    assert code == 2 and data["spectral_radius"] == pytest.approx(60 / 56)
    assert any("not productive" in f["message"] for f in data["findings"])
    code, out, _ = run("inspect", table)
    assert code == 2 and "not productive" in out


def test_one_sector_answers_with_the_known_numbers(tmp_path: Path) -> None:
    table = one_sector(tmp_path)                       # a = 0.2, l = 0.8
    code, out, _ = run("values", table, "--json")
    data = strict(out)
    assert code == 0 and data["output"] == {"0": pytest.approx(100.0)}
    assert data["labour_values"]["0"] == pytest.approx(0.8 / 0.8)
    assert data["labour_basis"] == "compensation" and data["imports"] == "fixed"
    code, out, _ = run("prices", table, "--profit-rate", "0.1", "--json")
    data = strict(out)
    assert code == 0 and data["max_profit_rate"] == pytest.approx(4.0)   # 1/0.2 - 1
    code, out, _ = run("bases", table, "--json")
    data = strict(out)             # one sector: no correlation, said as null
    assert code == 0 and data["bases"]["labour"]["correlation"] is None


def test_a_nilpotent_table_has_prices_at_every_rate_and_no_standard_commodity(
        tmp_path: Path) -> None:
    """No circuit of inputs (A strictly triangular): ρ = 0, R infinite; the prices are
    p = w l (I - (1 + r) A)^-1, normalised so that p x = v x."""
    folder = tmp_path / "triangular"
    folder.mkdir()
    (folder / "sectors.csv").write_text("id,code,name,region\n0,a,A,\n1,b,B,\n")
    (folder / "Z.csv").write_text("row,col,value\n0,1,30\n")       # A[0,1] = 0.3
    (folder / "x.csv").write_text("id,x\n0,100\n1,100\n")
    (folder / "y.csv").write_text("id,y\n0,70\n1,100\n")
    (folder / "va.csv").write_text("id,compensation\n0,100\n1,70\n")
    for r in ("0.1", "5"):
        code, out, err = run("prices", folder, "--profit-rate", r, "--json")
        assert code == 0, err
        data = strict(out)
        A = np.array([[0.0, 0.3], [0.0, 0.0]])
        l, x = np.array([1.0, 0.7]), np.array([100.0, 100.0])
        p = l @ np.linalg.inv(np.eye(2) - (1 + float(r)) * A)
        v = l @ np.linalg.inv(np.eye(2) - A)
        p *= (v @ x) / (p @ x)
        assert [data["prices"]["0"], data["prices"]["1"]] == pytest.approx(p, rel=1e-12)
        assert data["max_profit_rate"] is None and data["standard_commodity"] is None
    code, out, _ = run("prices", folder, "--profit-rate", "0.1")
    assert code == 0 and "A is nilpotent" in out
    code, _, err = run("prices", folder, "--profit-rate", "inf")
    assert code == 2 and "(--profit-rate)" in err


def test_a_zero_output_sector_answers_with_null_where_undefined(tmp_path: Path) -> None:
    table = variant(tmp_path, "idle", x="id,x\n0,56\n1,48\n2,0\n",
                    Z="row,col,value\n0,0,28\n0,1,16\n1,0,12\n1,1,8\n",
                    y="id,y\n0,12\n1,28\n2,0\n", va="id,compensation\n0,56\n1,16\n2,0\n")
    code, out, _ = run("values", table, "--json")
    data = strict(out)
    assert code == 0 and data["output"]["2"] == 0.0
    assert data["labour_values"]["2"] is None      # no output: no value per unit
    code, out, _ = run("prices", table, "--profit-rate", "0.05", "--json")
    assert code == 0 and strict(out)["prices"]["2"] is None


def test_a_table_without_value_added_asked_for_capital_is_located(tmp_path: Path) -> None:
    code, out, err = run("plan", STEEDMAN, "--capital", "0.5", "--json")
    assert code == 2 and out == ""
    assert "va.csv (va)" in err and "no va column" in err and "hint:" in err


LABOUR_FILES = [
    ("unknown", "id,hours\n0,100\n1,200\n2,50\n7,3\n", ":5 (id)", "not a sector"),
    ("duplicate", "id,hours\n0,100\n1,200\n1,50\n2,5\n", ":4 (id 1)", "appears 2 times"),
    ("negative", "id,hours\n0,100\n1,-200\n2,50\n", ":3 (hours)", "negative"),
    ("empty", "id,hours\n0,100\n1,\n2,50\n", ":3 (hours)", "hours is empty"),
    ("text", "id,hours\n0,100\n1,many\n2,50\n", ":3 (hours)", "not a number"),
    ("missing-row", "id,hours\n0,100\n2,50\n", " (id 1)", "no row for sector"),
]


@pytest.mark.parametrize("name,text,place,words", LABOUR_FILES,
                         ids=[f[0] for f in LABOUR_FILES])
def test_a_bad_labour_file_is_located(tmp_path: Path, name: str, text: str, place: str,
                                      words: str) -> None:
    labour = tmp_path / f"{name}.csv"
    labour.write_text(text)
    for command in ("values", "plan"):
        out_dir = tmp_path / f"out-{command}"
        code, out, err = run(command, STEEDMAN, "--labour", labour, "-o", out_dir)
        assert code == 2 and out == "", command
        assert f"{name}.csv{place}" in err and words in err and "hint:" in err, err
        assert not out_dir.exists()


def test_labour_in_hours_is_named_in_every_output(tmp_path: Path) -> None:
    labour = tmp_path / "hours.csv"
    labour.write_text("id,hours\n0,100\n1,200\n2,50\n")
    for command, extra in (("values", []), ("bases", []), ("plan", []),
                           ("prices", ["--profit-rate", "0.1"]), ("harmony", []),
                           ("inspect", [])):
        code, out, err = run(command, STEEDMAN, "--labour", labour, *extra, "--json")
        assert code == 0, (command, err)
        data = strict(out)
        assert data["labour_basis"] == "hours" and "hours" in data["labour_unit"], command
        assert data["imports"] in ("fixed", "drop", "resource"), command
    code, out, _ = run("generate", "--like", STEEDMAN, "--labour", labour, "-n", "12",
                       "-o", tmp_path / "gen", "--json")
    data = strict(out)
    assert code == 0 and data["labour_basis"] == "hours" and data["imports"] == "drop"
    code, out, _ = run("generate", "--like", STEEDMAN, "-n", "12", "-o", tmp_path / "gen2")
    assert code == 0 and "labour basis: compensation" in out and "imports: dropped" in out


def test_excluding_everything_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    for command in ("values", "plan", "bases"):
        code, _, err = run(command, STEEDMAN, "--exclude", "iron,corn,gold",
                           "-o", tmp_path / command)
        assert code == 2 and "(--exclude)" in err and "every sector" in err, command
        assert not (tmp_path / command).exists()
    code, _, err = run("values", STEEDMAN, "--exclude", "steel")
    assert code == 2 and "steel" in err


def test_value_added_is_never_called_labour_values(tmp_path: Path) -> None:
    table = variant(tmp_path, "va-only", base=MB, va="id,va\n0,650\n1,1400\n")
    for command, extra in (("values", []), ("bases", []), ("plan", []),
                           ("prices", ["--profit-rate", "0.1"]), ("harmony", [])):
        code, out, err = run(command, table, *extra)
        assert code == 0, (command, err)
        assert "labour value" not in out.lower(), (command, out)
        assert "labour basis: value_added" in out, command


def test_a_real_table_with_its_own_employment_file() -> None:
    china = SHARED / "china_nbs_2020_153"
    if not china.is_dir():
        pytest.skip(f"{china} is not here (the shared data folder)")
    code, out, err = run("values", china, "--labour",
                         china / "employment_by_industry_1990_2018.csv", "--json")
    assert code == 0, err
    data = strict(out)
    assert data["labour_basis"] == "persons" and data["labour_note"]
    assert len(data["labour_values"]) == 153


def test_generate_names_the_option_it_refuses(tmp_path: Path) -> None:
    code, _, err = run("generate", "--like", STEEDMAN, "-n", "1", "--techniques", "0",
                       "--degree", "-1", "-o", tmp_path / "gen")
    assert code == 2 and not (tmp_path / "gen").exists()
    assert "(-n): -n 1 is fewer products than the 3 sectors" in err
    assert "(--techniques)" in err and "(--degree)" in err


def test_a_plan_without_labour_names_the_labour_file(tmp_path: Path) -> None:
    labour = tmp_path / "idle.csv"
    labour.write_text("id,hours\n0,0\n1,0\n2,0\n")
    code, out, _ = run("values", STEEDMAN, "--labour", labour, "--json")
    assert code == 0 and set(strict(out)["labour_values"].values()) == {0.0}
    code, _, err = run("plan", STEEDMAN, "--labour", labour, "-o", tmp_path / "plan")
    assert code == 2 and not (tmp_path / "plan").exists()
    assert "idle.csv (hours): labour available 0 must be positive" in err
