"""The five real input-output tables of ``../shared/data/io`` (skipped when absent).

Expected figures from that folder's README.md: spectral radius of A to 3 decimals,
‖(I - A)^-1 y - x‖ / ‖x‖ <= 4.8e-4, row balances within the rounding of each source,
2 and 6 negative flows in the BEA tables, 1 (Japan) and 22 (WIOD) zero-output sectors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kantorovich.economy.checks import check_economy
from kantorovich.economy.leontief import accounts
from kantorovich.economy.table import load_economy

IO = (Path(__file__).parents[1] / ".." / "shared" / "data" / "io").resolve()

#: folder: (sectors, rho(A), negative flows, zero-output sectors, labour proxy)
TABLES = {
    "oecd_iot2021_jpn_2015": (45, 0.521, 0, 1, None),
    "bea_us_summary_2017": (71, 0.489, 2, 0, "compensation"),
    "china_nbs_2020_153": (153, 0.629, 0, 0, "compensation"),
    "bea_us_detail_2017": (402, 0.489, 6, 0, "compensation"),
    "wiod2013_mrio_2011": (1435, 0.610, 0, 22, None),
}

pytestmark = pytest.mark.skipif(not IO.is_dir(), reason=f"no real tables at {IO} (the "
                                "shared data folder is not checked out here)")


@pytest.fixture(scope="module", params=sorted(TABLES))
def table(request: pytest.FixtureRequest) -> tuple[str, object]:
    if not (IO / request.param).is_dir():
        pytest.skip(f"{IO / request.param} is absent")
    return request.param, load_economy(IO / request.param)


def test_loads_and_checks_within_the_source_rounding(table: tuple[str, object]) -> None:
    name, e = table
    n, rho, negative, zero, labour = TABLES[name]
    check = check_economy(e)
    assert (check.sectors, check.negative_entries, len(check.zero_output_sectors)) == \
        (n, negative, zero)
    assert round(check.spectral_radius, 3) == rho and check.ok
    codes = {f.code for f in check.findings}
    assert not codes & {"row-balance", "column-balance", "not-productive"}, check.findings
    assert check.row_residual_relative <= 4.2e-4 * 1.01
    assert e.labour_source == labour
    assert ("no-labour" in codes) == (labour is None)


def test_leontief_output_reproduces_gross_output(table: tuple[str, object]) -> None:
    name, e = table
    a = accounts(e, system=None)
    err = np.linalg.norm(a.output.to_numpy() - e.x) / np.linalg.norm(e.x)
    assert err <= 4.8e-4 * 1.01, name
    assert a.method == "splu" and a.output_residual < 1e-12
    assert a.output.index.equals(e.ids)
    if a.labour_values is not None:
        v = a.labour_values.to_numpy()
        assert np.abs(v - e.labour - e.A.T @ v).max() < 1e-12
