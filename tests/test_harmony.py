"""Cockshott's harmony algorithm (`kantorovich.economy.harmony`) against the certified
optimum of the plan ray: it approaches it and never claims more."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from kantorovich.economy.harmony import (
    harmony, harmony_economy, harmony_slope, harmony_value)
from kantorovich.economy.plan import plan_ray
from kantorovich.economy.table import Economy, load_economy

#: the US summary table's copy shipped with the tests (tests/data/io), so this never skips
REAL = Path(__file__).resolve().parent / "data" / "io"
Z = [[150, 500], [200, 100]]        # Miller & Blair (2009), Table 2.3
Y = [350, 1700]
WAGES = [300, 1000]


def test_harmony_function_known_values() -> None:
    u = np.array([-2.0, -0.5, 0.0, 0.5, np.e - 1])
    # u - u^2/2 below target, log(1 + u) above
    assert harmony_value(u).tolist() == pytest.approx([-4.0, -0.625, 0.0, np.log(1.5), 1.0])
    assert harmony_slope(u).tolist() == pytest.approx([3.0, 1.5, 1.0, 1 / 1.5, 1 / np.e])
    eps = 1e-7   # slope continuous (1) at the target; the slope is the derivative
    assert (harmony_value(np.array([eps])) - harmony_value(np.array([-eps])))[0] / (
        2 * eps) == pytest.approx(1.0)
    grid = np.linspace(-3, 3, 61)
    numeric = (harmony_value(grid + 1e-6) - harmony_value(grid - 1e-6)) / 2e-6
    assert numeric == pytest.approx(harmony_slope(grid), rel=1e-5)


def test_textbook_economy_reaches_the_optimum() -> None:
    e = Economy.from_arrays(Z, Y, compensation=WAGES)
    ray = plan_ray(e)
    h = harmony_economy(e)
    assert h.converged and h.sets <= ray.sets * (1 + 1e-12)
    assert h.gap(ray.sets) < 1e-5
    assert h.output == pytest.approx([1000, 2000], rel=1e-4)
    assert h.resource_use.max() <= 1 + 1e-12


def random_economy(rng: np.random.Generator, n: int, resources: int) -> tuple:
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(size=(n, n)) < 0.5)
    A *= rng.uniform(0.3, 0.8) / A.sum(axis=0).max()          # productive
    y = rng.uniform(1, 10, n)
    x = np.linalg.solve(np.eye(n) - A, y)
    R = rng.uniform(0.1, 1, (resources, n))
    amounts = (R @ x) * rng.uniform(0.5, 1.5, resources)       # some bind, some not
    economy = Economy.from_arrays(A * x, y, x, compensation=R[0] * x,
                                  resources={f"r{k}": R[k] * x for k in range(1, resources)})
    return economy, {f"r{k}": float(amounts[k]) for k in range(1, resources)}, amounts[0]


@pytest.mark.parametrize("seed", range(6))
def test_never_more_sets_than_the_optimum_and_the_gap_shrinks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    economy, given, labour = random_economy(rng, int(rng.integers(3, 12)), 3)
    ray = plan_ray(economy, resources=given, labour_amount=labour)
    assert ray.verified
    early = harmony_economy(economy, resources=given, labour_amount=labour, iterations=5)
    late = harmony_economy(economy, resources=given, labour_amount=labour,
                           iterations=3000)
    for h in (early, late):
        assert h.sets <= ray.sets * (1 + 1e-9)       # the LP optimum bounds every plan
        assert h.resource_use.max() <= 1 + 1e-9       # labour and resources respected
    assert np.all(np.diff(late.history) >= 0)        # the best plan only improves
    assert late.gap(ray.sets) <= early.gap(ray.sets)
    assert late.gap(ray.sets) < 1e-3


def test_plain_arrays_and_a_fixed_supply() -> None:
    A = sp.csr_matrix([[0.1, 0.2], [0.3, 0.1]])
    target = np.array([10.0, 5.0])
    # fixed supply of product 1 covers its target: only product 0 needs labour
    h = harmony(A, target, [[1.0, 1.0]], np.array([100.0]), supply=np.array([0.0, 50.0]))
    assert h.sets > 1 and np.isfinite(h.fulfilment).all()
    with pytest.raises(ValueError, match="no product has a positive target"):
        harmony(A, np.zeros(2), [[1.0, 1.0]], np.array([1.0]))


def test_real_table_gap() -> None:
    path = REAL / "bea_us_summary_2017"
    e = load_economy(path)
    ray = plan_ray(e)
    h = harmony_economy(e, iterations=3000)
    assert h.sets <= ray.sets * (1 + 1e-9)
    assert h.gap(ray.sets) < 1e-4
