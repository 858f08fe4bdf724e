"""Cockshott's harmony algorithm (`kantorovich.economy.harmony`, `.nyear`) against his own
programs' figures, a plain transcription of his code, and the certified optimum."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from kantorovich.economy.harmony import (
    HarmonySettings, TechnologyComplex, balance_plan, harmony, harmony_economy,
    harmony_slope, harmony_value)
from kantorovich.economy.nyear import nyear_plan, nyear_report, read_nyear
from kantorovich.economy.plan import plan_ray
from kantorovich.economy.table import Economy, load_economy

DATA = Path(__file__).resolve().parent / "data"
HIS = DATA / "cockshott"
REAL = DATA / "io"
Z = [[150, 500], [200, 100]]        # Miller & Blair (2009), Table 2.3
Y = [350, 1700]
WAGES = [300, 1000]


def his_figures(path: Path) -> dict[str, object]:
    """Net output per year, total harmony and technique outputs from his report."""
    years: dict[int, list[float]] = {}
    harmonies: dict[int, list[float]] = {}
    outputs: list[float] = []
    total = math.nan
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.split(",")]
        if len(cells) > 2 and cells[1] == "netoutput":
            years[int(cells[0])] = [float(c) for c in cells[2:]]
        elif len(cells) > 2 and cells[1] == "harmony":
            harmonies[int(cells[0])] = [float(c) for c in cells[2:]]
        elif cells[0] == "totalharmony":
            total = float(cells[1])
        elif "=" in line:
            outputs.append(float(line.split("=")[1]))
    return {"net": [years[k] for k in sorted(years)],
            "harmony": [harmonies[k] for k in sorted(harmonies)],
            "total": total, "outputs": outputs}


def shipped(folder: Path, names: tuple[str, ...]):
    return read_nyear(*(folder / f"{n}.csv" for n in names))


TEST_FILES = ("testflow", "testcap", "testdep", "testtarg")


def test_harmony_function_known_values() -> None:
    u = np.array([-2.0, -0.5, 0.0, 0.5, np.e - 1])
    # u - u^2/2 below target, log(1 + u) above
    assert harmony_value(u).tolist() == pytest.approx([-4.0, -0.625, 0.0, np.log(1.5), 1.0])
    assert harmony_slope(u).tolist() == pytest.approx([3.0, 1.5, 1.0, 1 / 1.5, 1 / np.e])
    grid = np.linspace(-3, 3, 61)
    numeric = (harmony_value(grid + 1e-6) - harmony_value(grid - 1e-6)) / 2e-6
    assert numeric == pytest.approx(harmony_slope(grid), rel=1e-5)


def test_his_shipped_example_gives_his_java_programs_figures() -> None:
    plan = shipped(HIS, TEST_FILES)
    assert plan.complex.shape == (30, 18)    # 2 x (4 + labour) + 2 x 10 stocks; 8 + 10
    report = nyear_report(plan, nyear_plan(plan))
    java = his_figures(HIS / "java_result.csv")
    for year, net in zip(report["years"], java["net"], strict=True):
        assert year["netoutput"] == pytest.approx(net, rel=1e-8)
    assert report["total_harmony"] == pytest.approx(2.290713246765874, rel=1e-8)
    # production techniques of year 1, the 10 accumulations, then year 2 (his order)
    assert report["technique_output"] == pytest.approx(java["outputs"], rel=1e-6, abs=1e-12)


def test_his_shipped_example_gives_his_pascal_programs_figures() -> None:
    """His shipped result.csv: Pascal, derivative step 4e-4, single precision (so only
    to about 1e-3)."""
    plan = shipped(HIS, TEST_FILES)
    report = nyear_report(plan, nyear_plan(plan, HarmonySettings(epsilon=4e-4)))
    pascal = his_figures(HIS / "pascal_result.csv")
    assert pascal["net"][0] == [1.96189, 5.78397, 6.23429, 6.55608]
    for year, net, h in zip(report["years"], pascal["net"], pascal["harmony"], strict=True):
        assert year["netoutput"] == pytest.approx(net, rel=1e-3)
        assert year["harmony"] == pytest.approx(h, rel=1e-2, abs=2e-3)
    assert report["total_harmony"] == pytest.approx(pascal["total"], rel=1e-3)
    assert report["technique_output"][:4] == pytest.approx(pascal["outputs"][::-1][:4],
                                                           rel=1e-3)


def test_his_documented_example_leaves_corn_and_bread_unmade() -> None:
    folder = HIS / "ironcoal"
    plan = read_nyear(folder / "flows.csv", folder / "cap.csv", folder / "dep.csv",
                      folder / "labtarg.csv")
    report = nyear_report(plan, nyear_plan(plan))
    java = his_figures(folder / "java_result.csv")
    for year, net in zip(report["years"], java["net"], strict=True):
        assert year["netoutput"] == pytest.approx(net, rel=1e-8, abs=1e-12)
        assert year["netoutput"][2:] == [0.0, 0.0]            # corn and bread
    assert report["total_harmony"] == pytest.approx(-15.300547526007565, rel=1e-8)


# ---- a plain transcription of his Java code, loop by loop, as the oracle --------------

def his_loops(P: np.ndarray, C: np.ndarray, nonproduced: np.ndarray,
              nonfinal: np.ndarray, target: np.ndarray, initial: np.ndarray,
              iters: int) -> np.ndarray:
    eps, temp, adj, w, cap = 1e-6, 0.23, 0.4, 5.0, 0.98
    n, m = P.shape

    def H(t: float, z: float) -> float:
        s = (z - t) / t
        return s - s * s * 0.5 if s < 0 else math.log(s + 1)

    def net(x: list[float]) -> list[float]:
        out = list(initial)
        for j in range(m):
            for p in range(n):
                out[p] += P[p, j] * x[j] - C[p, j] * x[j]
        return out

    def derivs(z: list[float]) -> list[float]:
        dh = [(H(target[i], z[i] + eps) - H(target[i], z[i])) / eps for i in range(n)]
        for _ in range(2):
            for i in range(n):
                if nonfinal[i]:
                    best = -1e22
                    for T in range(m):
                        if C[i, T] > 0:
                            best = max(best, sum(dh[p] * P[p, T] for p in range(n)) / C[i, T])
                    dh[i] = (dh[i] + w * best) / (w + 1)
        return dh

    def sig(d: float) -> float:
        return d / (1 + abs(d))

    def rescale(x: list[float]) -> list[float]:
        z = net(x)
        top = max((initial[i] - z[i]) / initial[i] for i in range(n) if nonproduced[i])
        x = [v * cap / top for v in x]
        z = net(x)
        if any(v < 0 for v in z):
            gross = [initial[p] + sum(P[p, j] * x[j] for j in range(m)) for p in range(n)]
            shrink = [1.0] * m
            for i in range(n):
                if z[i] < 0:
                    ratio = cap * gross[i] / (gross[i] - z[i])
                    for T in range(m):
                        if C[i, T] > 0 and P[i, T] == 0:
                            shrink[T] = min(shrink[T], ratio)
            x = [v * s for v, s in zip(x, shrink, strict=True)]
        return x

    x = rescale([0.1] * m)
    for _ in range(iters):
        z = net(x)
        h = [H(target[i], z[i]) for i in range(n)]
        produced = [i for i in range(n) if not nonproduced[i]]
        mh = sum(h[i] for i in produced) / len(produced)
        dh = derivs(z)
        for k in produced:
            if not nonfinal[k]:
                change = temp * (h[k] - mh) / dh[k]
                f = sig(change / (z[k] if z[k] != 0 else 1))
                for T in range(m):
                    if P[k, T] > 0:
                        x[T] *= 1 - f
        z = net(x)
        dh = derivs(z)
        for T in range(m):
            gain = sum(dh[p] * P[p, T] for p in range(n))
            cost = sum(dh[p] * C[p, T] for p in range(n))
            x[T] *= 1 + sig((gain - cost) / cost) * temp * adj
        x = rescale(x)
    return np.array(x)


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_equals_a_plain_transcription_of_his_code(seed: int) -> None:
    """Random complexes with joint production, two techniques for some products,
    labour and a capital stock (non-final, non-produced) that only production uses; to
    1e-8 (his derivative, a difference over a step of 1e-6, amplifies round-off)."""
    rng = np.random.default_rng(seed)
    goods, resources = 5, 2
    n = goods + resources
    makes = np.r_[np.arange(goods), rng.integers(0, goods, 3)]        # 8 techniques
    m = len(makes)
    P = np.zeros((n, m))
    P[makes, np.arange(m)] = rng.uniform(1, 3, m)
    P[rng.integers(0, goods), 0] += 0.5                               # a co-product
    C = np.where(rng.uniform(size=(goods, m)) < 0.4, rng.uniform(0, 0.3, (goods, m)), 0)
    C[makes, np.arange(m)] = 0.0
    C = np.vstack([C, rng.uniform(0.5, 2, (resources, m))])
    nonproduced = np.r_[np.zeros(goods, bool), np.ones(resources, bool)]
    target = np.r_[rng.uniform(1, 5, goods), 0.03, 0.03]
    initial = np.r_[np.zeros(goods), rng.uniform(20, 40, resources)]
    cx = TechnologyComplex(sp.csr_matrix(P), sp.csr_matrix(C), nonproduced, nonproduced)
    iters = 30
    ours = balance_plan(cx, target, initial, HarmonySettings(iterations=iters)).intensity
    assert ours == pytest.approx(his_loops(P, C, nonproduced, nonproduced, target, initial,
                                           iters), rel=1e-8, abs=1e-12)


def test_us_summary_gives_his_java_programs_figures_and_collapses() -> None:
    """His program on the US summary table (net imports dropped), after 1 and 2
    iterations: the same gross outputs; by then it has cut nearly every industry to
    nothing, and by 100 iterations it delivers no basket."""
    economy = load_economy(REAL / "bea_us_summary_2017")
    for it, rel in ((1, 1e-5), (2, 1e-3)):     # round-off grows as outputs vanish
        java = pd.read_csv(HIS / f"us_summary_java_iteration{it}.csv")
        ours = harmony_economy(economy, imports="drop", iterations=it).output
        assert ours == pytest.approx(java["output"].to_numpy(float), rel=rel, abs=1e-15)
    assert ours.max() < 1e-2 * economy.x.min()                        # collapsed
    ray = plan_ray(economy)
    run = harmony_economy(economy)
    assert ray.verified and ray.sets == pytest.approx(1.0, abs=1e-5)
    assert run.sets == 0.0 and run.gap(ray.sets) == 1.0
    assert run.history[:1] > 0.3 and np.all(run.history[4:] == 0)


def test_textbook_economy_below_the_optimum_by_his_reserve() -> None:
    e = Economy.from_arrays(Z, Y, compensation=WAGES)
    ray = plan_ray(e)
    h = harmony_economy(e)
    assert h.feasible and h.resource_use == pytest.approx([0.98])     # 2 % kept back
    assert h.sets <= 0.98 * ray.sets and h.full_use_sets <= ray.sets * (1 + 1e-12)
    # the same as his code transcribed loop by loop, on his complex of the table
    x = np.array([1000.0, 2000.0])
    P = np.vstack([np.diag(x), np.zeros((1, 2))])
    C = np.vstack([np.array(Z, float), np.array([WAGES], float)])
    flags = np.array([False, False, True])
    his = his_loops(P, C, flags, flags, np.array([*Y, 0.03]), np.array([0, 0, 1300.0]),
                    100)
    assert h.output == pytest.approx(his * x, rel=1e-8)
    net = P[:2] @ his - C[:2] @ his
    assert h.sets == pytest.approx(min(net / Y), rel=1e-8)
    # his fixed point does not fulfil both products equally
    assert h.fulfilment.max() - h.fulfilment.min() > 0.01
    assert h.gap(ray.sets) == pytest.approx(1 - min(net / Y) / ray.sets, rel=1e-8)


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
def test_never_more_sets_than_the_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    economy, given, labour = random_economy(rng, int(rng.integers(3, 12)), 3)
    ray = plan_ray(economy, resources=given, labour_amount=labour)
    assert ray.verified
    h = harmony_economy(economy, resources=given, labour_amount=labour)
    assert h.sets <= ray.sets * (1 + 1e-9) and h.full_use_sets <= ray.sets * (1 + 1e-9)
    assert h.resource_use.max() <= 0.98 + 1e-9                   # his capacity target
    assert 0 <= h.gap(ray.sets) <= 1


def test_plain_arrays_and_bad_input() -> None:
    A = sp.csr_matrix([[0.1, 0.2], [0.3, 0.1]])
    target = np.array([10.0, 5.0])
    h = harmony(A, target, [[1.0, 1.0]], np.array([100.0]))
    assert 0 < h.sets and np.isfinite(h.fulfilment).all() and h.iterations == 100
    with pytest.raises(ValueError, match="no product has a positive target"):
        harmony(A, np.zeros(2), [[1.0, 1.0]], np.array([1.0]))
    with pytest.raises(ValueError, match="positive amount"):
        harmony(A, target, [[1.0, 1.0]], np.array([0.0]))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kantorovich.cli", *args],
                          capture_output=True, text=True, timeout=300)


def test_cli_reports_fulfilment_iterations_time_and_gap(tmp_path: Path) -> None:
    table = REAL / "miller_blair_2009_table_2_3"
    done = run_cli("economy", "harmony", str(table), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["fulfilment"] == pytest.approx(0.9618205811, rel=1e-8)
    assert out["iterations"] == 100 and out["seconds"] > 0 and out["feasible"]
    assert out["optimum"]["verified"] and out["optimum"]["sets"] == pytest.approx(1.0)
    assert out["gap"] == pytest.approx(1 - 0.9618205811, rel=1e-7)
    assert out["settings"]["temperature"] == 0.23 and out["settings"]["iterations"] == 100
    assert out["resource_use"] == {"labour": pytest.approx(0.98)}
    assert len(out["history"]) == 100 and set(out["fulfilment_by_product"]) == {"0", "1"}
    text = run_cli("economy", "harmony", str(REAL / "bea_us_summary_2017"),
                   "--iterations", "10")
    assert text.returncode == 0, text.stderr
    assert "fulfilment 0 baskets" in text.stdout and "gap 1 - harmony/optimum = 1" in \
        text.stdout and "10 iterations" in text.stdout
    bad = run_cli("economy", "harmony", str(tmp_path / "none"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
