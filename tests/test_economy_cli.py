"""``kantorovich economy values|inspect`` through Typer's runner on the sub-app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kantorovich.economy.cli import economy_app

MB = Path(__file__).parent / "data" / "io" / "miller_blair_2009_table_2_3"
RUNNER = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(economy_app, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_values_json_contract() -> None:
    code, out, _ = run("values", MB, "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data["output"]) == ["0", "1"] and list(data["labour_values"]) == ["0", "1"]
    assert data["output"]["1"] == 2000.0 and abs(data["labour_values"]["0"] - 1) < 1e-12
    assert data["method"] == "splu" and data["checks"]["ok"] is True
    assert data["labour"] == "compensation"


def test_values_for_another_demand(tmp_path: Path) -> None:
    demand = tmp_path / "f.csv"
    demand.write_text("id,y\n0,600\n1,1500\n")
    code, out, _ = run("values", MB, "--demand", demand, "--json")
    assert code == 0
    assert [round(v, 2) for v in json.loads(out)["output"].values()] == [1247.52, 1841.58]


def test_values_bad_demand_is_located(tmp_path: Path) -> None:
    demand = tmp_path / "f.csv"
    demand.write_text("id,y\n0,600\n9,1\n")
    code, out, err = run("values", MB, "--demand", demand)
    assert code == 2 and out == ""
    assert "f.csv:3" in err and "id 9 is not a sector" in err


def test_values_table_prints_sectors() -> None:
    code, out, _ = run("values", MB)
    assert code == 0 and "Sector 2" in out and "labour value" in out
    assert "output [dollars" in out


def test_values_without_compensation_use_value_added_and_say_so(tmp_path: Path) -> None:
    for csv in MB.glob("*.csv"):
        (tmp_path / csv.name).write_text(csv.read_text())
    (tmp_path / "va.csv").write_text("id,va\n0,650\n1,1400\n")
    code, out, err = run("values", tmp_path, "--json")
    assert code == 0 and json.loads(out)["labour"] == "va"
    assert "no compensation of employees" in err and "value added" in err
    # Miller & Blair's price model: valued by value added, every sector's value is 1
    assert json.loads(out)["labour_values"] == pytest.approx({"0": 1.0, "1": 1.0})
    code, _, err = run("values", tmp_path, "--labour", "compensation")
    assert code == 2 and "compensation" in err


def test_inspect_summary_and_json() -> None:
    code, out, _ = run("inspect", MB)
    assert code == 0 and "spectral radius" in out and "clean-up applied" in out
    code, out, _ = run("inspect", MB, "--json")
    data = json.loads(out)
    assert data["sectors"] == 2 and data["zero_output_sectors"] == [] and data["ok"]


def test_bad_table_exits_2_with_located_problems(tmp_path: Path) -> None:
    code, _, err = run("inspect", tmp_path / "nowhere")
    assert code == 2 and "not a folder" in err
    for csv in MB.glob("*.csv"):
        (tmp_path / csv.name).write_text(csv.read_text())
    (tmp_path / "Z.csv").write_text("row,col,value\n0,0,[bold]x[/]\n")
    code, _, err = run("values", tmp_path)
    assert code == 2 and "Z.csv:2" in err and "'[bold]x[/]'" in err


def test_module_imports_only_typer_and_rich() -> None:
    import subprocess
    import sys

    code = ("import sys, kantorovich.economy.cli; "
            "print(sorted(m for m in ('pandas', 'scipy', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_unproductive_table_exits_2(tmp_path: Path) -> None:
    for csv in MB.glob("*.csv"):
        (tmp_path / csv.name).write_text(csv.read_text())
    (tmp_path / "Z.csv").write_text("row,col,value\n0,0,900\n0,1,1500\n1,0,200\n1,1,100\n")
    code, out, _ = run("inspect", tmp_path)
    assert code == 2 and "not productive" in out
    code, _, err = run("values", tmp_path)
    assert code == 2 and "spectral radius of A" in err
