"""pymrio both ways: pymrio's own test system gives the same A, L and multipliers here as
pymrio computes, and a folder of its ``save_all`` is a TABLE for every economy command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pymrio
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from typer.testing import CliRunner

from kantorovich.economy import from_pymrio, to_pymrio
from kantorovich.economy.cli import economy_app
from kantorovich.economy.leontief import labour_values
from kantorovich.economy.table import load_economy

RUNNER = CliRunner()
MB = Path(__file__).parent / "data" / "io" / "miller_blair_2009_table_2_3"


@pytest.fixture(scope="module")
def system():
    io = pymrio.load_test()
    io.calc_all()
    return io


def leontief_inverse(economy) -> np.ndarray:
    n = economy.n
    return spla.splu(sp.csc_matrix(np.eye(n) - economy.A.toarray())).solve(np.eye(n))


def test_same_A_L_and_multipliers(system) -> None:
    e = from_pymrio(system)
    assert e.n == 48 and e.labour_source == "va"
    np.testing.assert_allclose(e.A.toarray(), system.A.to_numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(leontief_inverse(e), system.L.to_numpy(), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(e.x, system.x.to_numpy().ravel(), rtol=1e-12)
    # value added per unit, vertically integrated: pymrio's factor-input multiplier M
    values, _ = labour_values(e)
    np.testing.assert_allclose(values.to_numpy(),
                               system.factor_inputs.M.loc["Value Added"].to_numpy(),
                               rtol=1e-10)
    # emission multipliers M = S L, from one transposed solve per stressor row
    S = np.vstack([e.resource(f"emissions: {' '.join(row)}")
                   for row in system.emissions.F.index])
    M = spla.splu(sp.csc_matrix(np.eye(e.n) - e.A.toarray()).T.tocsc()).solve(S.T).T
    np.testing.assert_allclose(M, system.emissions.M.to_numpy(), rtol=1e-10, atol=1e-14)
    assert e.resource_units["emissions: emission_type1 air"] == "kg"
    assert e.unit == "Mill USD"


def test_round_trip_through_pymrio() -> None:
    table = load_economy(MB)
    io = to_pymrio(table)
    io.calc_all()
    np.testing.assert_allclose(io.A.to_numpy(), table.A.toarray(), rtol=1e-12)
    np.testing.assert_allclose(io.L.to_numpy(), [[1.254125, 0.330033], [0.264026, 1.122112]],
                               atol=1e-6)                      # Miller & Blair eq. (2.11)
    back = from_pymrio(io)
    np.testing.assert_allclose(back.Z.toarray(), table.Z.toarray())
    np.testing.assert_allclose(back.labour, table.labour)
    assert back.labour_source == "compensation"


def test_saved_folder_is_a_table(system, tmp_path: Path) -> None:
    folder = tmp_path / "mrio"
    pymrio.load_test().save_all(folder)
    for command in (["values"], ["bases"], ["prices", "--profit-rate", "0.1"],
                    ["inspect"]):
        result = RUNNER.invoke(economy_app, [command[0], str(folder), "--json",
                                             *command[1:]])
        assert result.exit_code == 0, (command, result.stderr)
    data = json.loads(RUNNER.invoke(economy_app, ["values", str(folder), "--json"]).stdout)
    assert len(data["labour_values"]) == 48
    np.testing.assert_allclose(list(data["labour_values"].values()),
                               system.factor_inputs.M.loc["Value Added"].to_numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(list(data["output"].values()), system.x.to_numpy().ravel(),
                               rtol=1e-10)
