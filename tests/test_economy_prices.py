"""``economy prices``: prices of production against Sraffa's (1960) and Steedman's
(1977) published examples and an independent dense solve."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kantorovich.economy.cli import economy_app
from kantorovich.economy.production_prices import perron, production_prices
from kantorovich.economy.table import load_economy

DATA = Path(__file__).parent / "data" / "io"
SRAFFA = DATA / "sraffa_1960_standard"
STEEDMAN = DATA / "steedman_1977_values"
RUNNER = CliRunner()


def run(*args: object) -> tuple[int, str, str]:
    result = RUNNER.invoke(economy_app, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


def prices(table: Path, *args: object) -> dict:
    code, out, err = run("prices", table, "--json", *args)
    assert code == 0, err
    return json.loads(out)


def test_sraffa_standard_system() -> None:
    """Ch. IV, § 26: R = 20 %, industries 1 : 3/5 : 3/4, standard net product 40, 60, 80."""
    data = prices(SRAFFA, "--profit-rate", "0.1")
    assert set(data) >= {"profit_rate", "max_profit_rate", "prices", "standard_commodity",
                         "normalisation"}
    assert data["max_profit_rate"] == pytest.approx(0.2, abs=1e-12)
    q = data["standard_commodity"]
    assert [q[k] for k in "012"] == pytest.approx([40, 60, 80], abs=1e-9)
    gross = np.array([q[k] for k in "012"]) / (1 - 1 / 1.2)          # 240, 360, 480
    industries = gross / np.array([180, 450, 480])
    assert industries / industries[0] == pytest.approx([1, 3 / 5, 3 / 4], abs=1e-12)


@pytest.mark.parametrize("r", [0.0, 0.05, 0.1, 0.15, 0.19])
def test_sraffa_straight_line(r: float) -> None:
    """§ 30: with the standard net product as unit, wages w = 1 - r/R (total labour 1)."""
    data = prices(SRAFFA, "--profit-rate", r, "--normalise", "wage")
    assert data["wage"] == 1.0
    p = np.array([data["prices"][k] for k in "012"])
    standard = np.array([data["standard_commodity"][k] for k in "012"])
    assert 1.0 / (p @ standard) == pytest.approx(1 - r / 0.2, abs=1e-12)
    assert data["wage_in_standard"] == pytest.approx(1 - r / 0.2, abs=1e-12)


def test_prices_solve_the_price_equations_independently() -> None:
    Z = np.array([[90, 50, 40], [120, 125, 40], [60, 150, 200]], float)
    x = np.array([180, 450, 480], float)
    A, l = Z / x, np.array([3, 5, 8]) / 16 / x
    values = np.linalg.solve((np.eye(3) - A).T, l)
    for r in (0.0, 0.12):
        expected = np.linalg.solve((np.eye(3) - (1 + r) * A).T, l)        # w = 1
        by_wage = prices(SRAFFA, "--profit-rate", r, "--normalise", "wage")["prices"]
        assert [by_wage[k] for k in "012"] == pytest.approx(expected, rel=1e-12)
        by_value = prices(SRAFFA, "--profit-rate", r)
        p = np.array([by_value["prices"][k] for k in "012"])
        assert p @ x == pytest.approx(values @ x, rel=1e-12)          # total price = value
        assert p / p[0] == pytest.approx(expected / expected[0], rel=1e-12)
        assert by_value["normalisation"] == "value"


def test_steedman_labour_values_and_prices() -> None:
    """Values 2, 1, 4 (iron, corn, gold); R = 100 %; at r = 1/2, w = 1: 4, 7/3, 10."""
    at_zero = prices(STEEDMAN, "--profit-rate", "0", "--normalise", "wage")
    assert [at_zero["prices"][k] for k in "012"] == pytest.approx([2, 1, 4], abs=1e-12)
    assert at_zero["max_profit_rate"] == pytest.approx(1.0, abs=1e-12)
    assert at_zero["standard_commodity"] == pytest.approx({"0": 40.0, "1": 0.0, "2": 0.0})
    half = prices(STEEDMAN, "--profit-rate", "0.5", "--normalise", "wage")
    assert [half["prices"][k] for k in "012"] == pytest.approx([4, 7 / 3, 10], rel=1e-12)
    code, out, _ = run("values", STEEDMAN, "--json")
    assert code == 0
    assert list(json.loads(out)["labour_values"].values()) == pytest.approx([2, 1, 4])


def test_sraffa_corn_iron_perron() -> None:
    """Ch. II, § 5: 280 qr wheat + 12 t iron -> 575 qr; 120 qr + 8 t -> 20 t iron:
    r = 25 % and 1 t iron = 15 qr wheat."""
    A = np.array([[280 / 575, 120 / 20], [12 / 575, 8 / 20]])
    P = perron(A)
    assert P.max_profit_rate == pytest.approx(0.25, abs=1e-12)
    assert P.left[1] / P.left[0] == pytest.approx(15, rel=1e-12)


def test_sraffa_subsistence_exchange_values() -> None:
    """Ch. I, § 3: wheat, iron, pigs reproduce themselves exactly (R = 0); exchange values
    10 qr wheat = 1 t iron = 2 pigs."""
    Z = np.array([[240, 90, 120], [12, 6, 3], [18, 12, 30]], float)
    A = Z / np.array([450, 21, 60], float)
    P = perron(A)
    assert P.rho == pytest.approx(1, abs=1e-12) and P.max_profit_rate == pytest.approx(0, abs=1e-12)
    assert P.left / P.left[0] == pytest.approx([1, 10, 5], rel=1e-10)


def test_rate_at_or_above_maximum_is_refused() -> None:
    code, out, err = run("prices", SRAFFA, "--profit-rate", "0.2")
    assert code == 2 and out == ""
    assert "sraffa_1960_standard" in err and "maximum rate of profit R" in err
    assert "0.2" in err and "hint" in err
    code, _, err = run("prices", SRAFFA, "--profit-rate", "-0.1")
    assert code == 2 and "not a rate of profit" in err
    code, _, err = run("prices", SRAFFA, "--profit-rate", "0.1", "--normalise", "gold")
    assert code == 2 and "use value or wage" in err
    with pytest.raises(ValueError, match="outside"):
        production_prices(load_economy(SRAFFA), 0.25)


def test_prices_table_output() -> None:
    code, out, _ = run("prices", SRAFFA, "--profit-rate", "0.1")
    assert code == 0
    assert "R = 0.2" in out and "Wheat (qr)" in out and "1 - r/R = 0.5" in out


def test_real_table_prices() -> None:
    """BEA 2017: r = 0 with value normalisation gives the labour values themselves."""
    table = DATA / "bea_us_summary_2017"
    data = prices(table, "--profit-rate", "0")
    code, out, _ = run("values", table, "--json")
    values = json.loads(out)["labour_values"]
    assert data["prices"] == pytest.approx(values, rel=1e-10)
    assert data["max_profit_rate"] == pytest.approx(1 / 0.489 - 1, abs=0.01)
    assert all(v >= 0 for v in data["standard_commodity"].values())
