"""Reading any plan file: YAML/TOML/JSON plans, or an LP in MPS form."""

from __future__ import annotations

from pathlib import Path

from kantorovich.model.plan import Plan
from kantorovich.model.plan import load_plan as _load_document

__all__ = ["load_plan"]


def load_plan(path: str | Path) -> Plan:
    """Read and check a plan file (``.yaml``, ``.yml``, ``.toml``, ``.json`` or ``.mps``).

    Raises `PlanError` listing every problem, each with file, line and path. An ``.mps``
    file is read as a plan whose columns are processes and rows are goods.
    """
    path = Path(path)
    if path.suffix.lower() == ".mps":
        from kantorovich.lp.mps import plan_from_mps

        return plan_from_mps(path)
    return _load_document(path)
