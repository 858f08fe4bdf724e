"""A rich table for the terminal that never cuts a number.

Rich fits a table that is wider than the terminal by shrinking its columns, at last all
of them evenly, and a number that no longer fits its column is cut (``2,000,0…``): a
planner reading it would copy a wrong figure. `NumberTable` fits the other way round.
Its right-aligned columns are numbers, each at least as wide as its widest number (a
header may still wrap between words); its other columns are text, folded onto further
lines when narrow (an id is never cut either). When even that is too wide, the table is
shown in parts, each repeating the leading text columns (the row's name) with as many
number columns as fit. Imports only rich: the command line loads it at start-up.
"""

from __future__ import annotations

import copy
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Column, Table

__all__ = ["NumberTable"]

#: a text column is folded down to no fewer characters than this (or its own width)
TEXT_MIN = 8
#: measured as if the terminal were this wide: a column's true least and natural width
_WIDE = 100_000


class NumberTable(Table):
    """A `rich.table.Table` whose right-aligned (number) columns are never cut: text
    columns fold, and a table too wide for the terminal is shown in parts."""

    def add_column(self, header: Any = "", *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("overflow", "fold")      # never "…": a folded cell is whole
        super().add_column(header, *args, **kwargs)

    @staticmethod
    def _is_number(column: Column) -> bool:
        return column.justify == "right"

    def _least(self, console: Console, options: ConsoleOptions) -> list[int]:
        """Each column's least width, padding included: a number column its widest
        word (the widest number, or a header's longest word), a text column `TEXT_MIN`
        characters, or fewer if it is narrower."""
        wide = options.update_width(_WIDE)
        least = []
        for column in self.columns:
            measured = self._measure_column(console, wide, column)
            if self._is_number(column):
                least.append(measured.minimum)
            else:
                pad = self._get_padding_width(column._index)
                least.append(min(measured.maximum, TEXT_MIN + pad))
        return least

    def _calculate_column_widths(self, console: Console, options: ConsoleOptions
                                 ) -> list[int]:
        room = options.max_width
        wide = options.update_width(_WIDE)
        measured = [self._measure_column(console, wide, c) for c in self.columns]
        natural = [m.maximum for m in measured]
        if sum(natural) <= room or self.expand:
            return super()._calculate_column_widths(console, options)
        least = self._least(console, options)
        if sum(least) > room:        # only when a single part cannot fit (see _parts)
            return super()._calculate_column_widths(console, options)
        # the room left, first to text columns up to their longest word (so that a word
        # is folded only when it must), then to every column up to its natural width
        whole_words = [m.minimum if not self._is_number(c) else w
                       for m, c, w in zip(measured, self.columns, least, strict=True)]
        widths = list(least)
        spare = room - sum(least)
        for target in (whole_words, natural):
            spare = _fill(widths, target, spare)
        return widths

    def _parts(self, console: Console, options: ConsoleOptions) -> list[NumberTable]:
        """This table, or parts of it that each fit: the leading text columns (or, when
        too narrow for them, the first) and as many further columns as fit beside them."""
        room = options.max_width if self.width is None else self.width
        least = self._least(console, options)
        if sum(least) + self._extra_width <= room or not self.columns:
            return [self]
        keys = 0
        while keys < len(self.columns) - 1 and not self._is_number(self.columns[keys]):
            keys += 1
        keys = max(keys, 1)
        def extra(n: int) -> int:       # the borders of a part of n columns
            return (2 if self.box and self.show_edge else 0) + (n - 1 if self.box else 0)

        def fits(group: list[int]) -> bool:
            return (sum(least[:keys]) + sum(least[j] for j in group)
                    + extra(keys + len(group)) <= room)

        if not all(fits([i]) for i in range(keys, len(self.columns))):
            keys = 1                      # too narrow to repeat them all: the first only
        numbers = list(range(keys, len(self.columns)))
        groups: list[list[int]] = [[]]
        for i in numbers:                 # as few parts as fit, filled in turn ...
            if groups[-1] and not fits(groups[-1] + [i]):
                groups.append([])
            groups[-1].append(i)
        if len(groups) == 1:
            return [self]
        size = -(-len(numbers) // len(groups))   # ... then as even as they fit
        even = [numbers[k:k + size] for k in range(0, len(numbers), size)]
        if len(even) == len(groups) and all(map(fits, even)):
            groups = even
        return [self._part(list(range(keys)) + group, k, len(groups))
                for k, group in enumerate(groups)]

    def _part(self, indices: list[int], k: int, n: int) -> NumberTable:
        part = copy.copy(self)
        part.columns = []
        for at, i in enumerate(indices):
            column = copy.copy(self.columns[i])
            column._index = at
            part.columns.append(column)
        part.rows = list(self.rows)
        if self.title:
            part.title = f"{self.title} ({k + 1} of {n})"
        if k + 1 < n:
            part.caption = None
        return part

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        parts = self._parts(console, options)
        if len(parts) == 1:
            yield from super().__rich_console__(console, options)
            return
        for part in parts:
            yield from Table.__rich_console__(part, console, options)


def _fill(widths: list[int], target: list[int], spare: int) -> int:
    """Widen ``widths`` towards ``target`` by at most ``spare`` in all, evenly (the
    narrowest first); returns what is left of ``spare``."""
    while spare > 0:
        wanting = sorted((i for i, w in enumerate(widths) if w < target[i]),
                         key=lambda i: widths[i])
        if not wanting:
            break
        share = max(1, spare // len(wanting))
        for i in wanting:
            give = min(share, target[i] - widths[i], spare)
            widths[i] += give
            spare -= give
            if spare == 0:
                break
    return spare
