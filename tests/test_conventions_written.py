"""Every table ``solve -o`` writes with prices says which sign convention they follow:
the plan's own tables (improvements of the objective) and the Solver-style report
(Excel's sign), so a table read alone cannot be misread (issue 19)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from kantorovich.cli import app

LENINGRAD = Path(__file__).parent.parent / "examples" / "leningrad.yaml"


def test_every_priced_table_names_its_convention(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["solve", str(LENINGRAD), "-o", str(out), "-q",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    conventions = {name: set(pd.read_csv(out / f"{name}.csv")["convention"])
                   for name in ("goods", "processes", "policies", "price_ranges",
                                "sensitivity_goods", "sensitivity_constraints",
                                "sensitivity_variable_cells")}
    assert conventions == {"goods": {"improvement"}, "processes": {"improvement"},
                           "policies": {"improvement"}, "price_ranges": {"improvement"},
                           "sensitivity_goods": {"improvement"},
                           "sensitivity_constraints": {"excel"},
                           "sensitivity_variable_cells": {"excel"}}
    # District 3's >= rule: worth +0.03 a loaf loosened, -0.03 per unit raised (Excel)
    policies = pd.read_csv(out / "policies.csv").set_index("policy")
    report = pd.read_csv(out / "sensitivity_constraints.csv").set_index("id")
    assert policies.loc["district-3-bread", "price"] > 0
    assert report.loc["district-3-bread", "shadow_price"] < 0


def test_no_table_writes_a_negative_zero(tmp_path: Path) -> None:
    """A price or range of no sign is written 0, not -0.0 (seven of this plan's CSV
    tables held -0.0, a stock's shadow value among them)."""
    import re

    out = tmp_path / "out"
    plan = Path(__file__).parent / "data" / "signless-zero.yaml"
    result = CliRunner().invoke(app, ["solve", str(plan), "-o", str(out), "-q",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    written = sorted(out.glob("*.csv"))
    assert len(written) >= 7
    signless = re.compile(r"(^|,)-0(\.0+)?(,|$)", re.MULTILINE)
    assert [p.name for p in written if signless.search(p.read_text())] == []
    # and so in Parquet
    parquet = tmp_path / "parquet"
    assert CliRunner().invoke(app, ["solve", str(plan), "-o", str(parquet), "-q"]
                              ).exit_code == 0
    negative_zero = {}
    for path in sorted(parquet.glob("*.parquet")):
        frame = pd.read_parquet(path).select_dtypes("float")
        values = frame.to_numpy().ravel()
        negative_zero[path.name] = int(((values == 0) & np.signbit(values)).sum())
    assert len(negative_zero) >= 7 and sum(negative_zero.values()) == 0, negative_zero
