"""Clarabel's factorisations by MKL's PARDISO (`lp.pardiso`): found in Intel's wheel
where it is installed, the same certified vertex as by faer, and faer kept wherever
MKL cannot load, without MKL ending this process."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

import pytest

import kantorovich as k
from kantorovich.lp import clarabel, pardiso
from kantorovich.lp.budget import Budget
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.status import Status
from kantorovich.results import staircase
from test_staircase import economy

WHEEL = sys.platform.startswith("linux") and platform.machine() == "x86_64"
"""Where `mkl` is a dependency (pyproject.toml), so where these tests must find it."""

needs_wheel = pytest.mark.skipif(not WHEEL, reason="Intel's mkl wheel is a dependency "
                                                   "only on Linux x86_64")


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """`pardiso.ready` asked again, with no ``MKL_PARDISO_PATH`` of the user's; both put
    back as they were afterwards, together."""
    monkeypatch.setattr(pardiso, "_ready", None)
    monkeypatch.setenv("MKL_PARDISO_PATH", "")
    return monkeypatch


@needs_wheel
def test_the_wheel_s_pardiso_is_found_and_tried(fresh: pytest.MonkeyPatch) -> None:
    source = pardiso.library_folder()
    assert source is not None and any(source.glob("libmkl_rt.so.*"))
    assert pardiso.ready()
    folder = Path(os.environ["MKL_PARDISO_PATH"])
    assert (folder / "libmkl_rt.so").resolve().parent == source.resolve()
    assert any(folder.glob("libmkl_core.so.*"))    # .2 in 2024's wheel, .3 in 2026's
    assert clarabel.factorisation()[0] == "mkl"


@needs_wheel
@pytest.mark.parametrize("local", [True, False])
def test_pardiso_and_faer_reach_the_same_certified_vertex(
        tmp_path: Path, local: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staircase, "CLARABEL_FROM", 0)
    plan = economy(tmp_path, 200, staircase.CRASH_PERIODS + 3, local=local, seed=7)
    results = {}
    for way in ("auto", "faer"):
        monkeypatch.setattr(clarabel, "FACTORISATION", way)
        results[way] = result = k.solve(plan)
        assert result.is_optimal and result.certificate.verified
        assert result.solution.has_basis
    assert "factorised by MKL's PARDISO" in results["auto"].method_reason
    assert "factorised by faer" in results["faer"].method_reason
    assert results["auto"].objective == pytest.approx(results["faer"].objective,
                                                      rel=1e-9)
    simplex = k.solve(plan, method="simplex")
    assert results["auto"].objective == pytest.approx(simplex.objective, rel=1e-9)


@needs_wheel
def test_its_interior_point_equals_faer_s(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The point and prices themselves, before any crossover."""
    lp = compile_plan(economy(tmp_path, 150, 6, local=False, seed=3))
    points = {}
    for way in ("auto", "faer"):
        monkeypatch.setattr(clarabel, "FACTORISATION", way)
        points[way] = clarabel.interior_point(lp, Budget(None))
        assert points[way].status is Status.OPTIMAL
    assert points["auto"].objective == pytest.approx(points["faer"].objective, rel=1e-8)


def test_an_mkl_that_cannot_load_leaves_faer(fresh: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    """A folder with no PARDISO, and (where the wheel is) a folder with MKL's front
    library but none of its parts: MKL ends the process that tries it, here the child
    `ready` tries it in; this process goes on with faer."""
    empty = tmp_path / "empty"
    empty.mkdir()
    fresh.setenv("MKL_PARDISO_PATH", str(empty))
    assert not pardiso.ready()
    assert clarabel.factorisation() == ("faer", clarabel.THREADS, "faer")
    source = pardiso.library_folder()
    if source is not None:
        partial = tmp_path / "partial"
        partial.mkdir()
        (partial / "libmkl_rt.so").symlink_to(next(source.glob("libmkl_rt.so.*")))
        fresh.setattr(pardiso, "_ready", None)
        fresh.setenv("MKL_PARDISO_PATH", str(partial))
        assert not pardiso.ready()
    plan = k.load_plan(Path(__file__).parent / "data" / "two_mills.yaml")
    point = clarabel.interior_point(compile_plan(plan), Budget(None))
    assert point.status is Status.OPTIMAL


def test_without_the_wheel_clarabel_keeps_to_faer(fresh: pytest.MonkeyPatch) -> None:
    def absent(name: str) -> metadata.Distribution:
        raise metadata.PackageNotFoundError(name)

    fresh.setattr(pardiso.metadata, "distribution", absent)
    assert pardiso.library_folder() is None
    assert not pardiso.ready()
    assert clarabel.factorisation()[0] == "faer"


@needs_wheel
def test_its_threads_are_mkl_s_own_setting(fresh: pytest.MonkeyPatch) -> None:
    """MKL's own variables where set (Dask's workers set them to 1), every core else."""
    fresh.delenv("MKL_NUM_THREADS", raising=False)
    fresh.delenv("OMP_NUM_THREADS", raising=False)
    assert clarabel.factorisation()[1] == (os.cpu_count() or 1)
    fresh.setenv("OMP_NUM_THREADS", "3")
    assert clarabel.factorisation()[1] == 3
    fresh.setenv("MKL_NUM_THREADS", "1")
    assert clarabel.factorisation()[1] == 1
    fresh.setenv("MKL_NUM_THREADS", "all")             # not a count: the next says
    assert clarabel.factorisation()[1] == 3
