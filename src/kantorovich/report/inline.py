"""How long a section of the JSON summary may be before it is left to its table.

Shared by `kantorovich.report.summary` and `kantorovich.report.summary_time` (a plan
over time's sections), so that both leave a large section out the same way.
"""

from __future__ import annotations

from typing import Any

__all__ = ["INLINE_ROWS", "in_table"]

INLINE_ROWS = 10_000
"""Most rows a per-process or per-good section of the summary holds; a larger one is left
to its table (see `kantorovich.report.summary`)."""


def in_table(out: dict[str, Any], path: str, table: str, rows: int,
             column: str | None = None) -> dict[str, Any]:
    """The note that stands for a section left to ``table``; ``path`` is recorded in
    ``out["in_tables"]``.

    >>> out = {}
    >>> in_table(out, "levels", "processes", 250_000, "level"), out
    ({'table': 'processes', 'column': 'level', 'rows': 250000}, {'in_tables': ['levels']})
    """
    out.setdefault("in_tables", []).append(path)
    return {"table": table, **({"column": column} if column else {}), "rows": int(rows)}
