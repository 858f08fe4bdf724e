"""Tables made when read, not held: the analyses' tables of a large plan.

The sensitivity tables and the report in Excel Solver's layout are a row a process, a
row a good and a row a capacity: gigabytes at 10^7 processes (issue 18's twelve million),
held from the analyses to the end of the command although ``solve -o`` only writes them
and ``summary.json`` only counts their rows when they are long. `Tables` is a read-only
mapping of such tables that makes each one from the result each time it is read and
knows its number of rows without making it, so a command holds at most the table it is
writing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pandas as pd

__all__ = ["Tables", "table_rows"]


class Tables(Mapping[str, pd.DataFrame]):
    """A mapping of tables by name, each made afresh by its maker whenever it is read.

    Parameters
    ----------
    makers : dict of str to (callable, int)
        Each table's maker (no arguments, returns the table) and its number of rows,
        in the mapping's order.
    """

    def __init__(self, makers: dict[str, tuple[Callable[[], pd.DataFrame], int]]) -> None:
        self._makers = dict(makers)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._makers[name][0]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def maker(self, name: str) -> Callable[[], pd.DataFrame]:
        """The maker of table ``name`` (made when called, not now)."""
        return self._makers[name][0]

    def rows(self, name: str) -> int:
        """The number of rows of table ``name``, without making it."""
        return self._makers[name][1]


def table_rows(tables: Mapping[str, pd.DataFrame], name: str) -> int:
    """The rows of ``tables[name]``: counted without making it where `Tables` knows."""
    return tables.rows(name) if isinstance(tables, Tables) else len(tables[name])
