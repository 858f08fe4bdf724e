"""The benchmark's economies with two resources and capacities, for the tests that check
methods against the simplex on them (`benchmarks/generation.py`, loaded from its file)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / ".." / "shared" / "data" / "io" / "bea_us_summary_2017"


def two_resource_benchmark() -> ModuleType:
    """`benchmarks/generation.py` as a module (its `several_resources` builds the plans)."""
    spec = importlib.util.spec_from_file_location("generation_benchmark",
                                                  ROOT / "benchmarks" / "generation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
