"""Tables in a narrow terminal never cut a number (`kantorovich.number_table`).

Each command is run on a real pseudo-terminal 80 and 60 columns wide, and every number
its tables show when wide (written to a pipe, 140 columns or more) must be shown whole
there too: text columns fold, and a table too wide is shown in parts."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import DATA, EXAMPLES, ROOT
from rich.console import Console

from kantorovich.number_table import NumberTable

NUMBER = re.compile(r"-?(?:\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?|inf)")
BEA = DATA / "io" / "bea_us_summary_2017"
MB = DATA / "io" / "miller_blair_2009_table_2_3"
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")


def number_cells(text: str) -> Counter[str]:
    """The table cells that are a number, each counted (a cell with a number and a word,
    or wrapped words, is not counted)."""
    cells: Counter[str] = Counter()
    for line in text.splitlines():
        if "│" not in line and "┃" not in line:
            continue
        for cell in re.split(r"[│┃]", line):
            if NUMBER.fullmatch(cell.strip()):
                cells[cell.strip()] += 1
    return cells


def shown(console_width: int, *cells: list[str], right: int = 3) -> str:
    table = NumberTable(title="a wide table")
    for i in range(len(cells[0])):
        table.add_column(f"column {i}", justify="right" if i >= right else "left")
    for row in cells:
        table.add_row(*row)
    out = io.StringIO()
    Console(file=out, width=console_width, color_system=None).print(table)
    return out.getvalue()


@pytest.mark.parametrize("width", [80, 60, 40])
def test_numbers_are_whole_at_any_width(width: int) -> None:
    rows = [["a-process-with-a-long-identifier", "Factory No. 47 of the Kirov works",
             "between bounds", "2,000,000", "-4,750,667", "0.0291262", "1.57797e+06",
             "3,500,000", "inf"],
            ["b", "x", "at capacity", "1", "-1,000,000,000", "466,667", "0", "12.5", "-inf"]]
    text = shown(width, *rows)
    assert "…" not in text
    assert max(map(len, text.splitlines())) <= width
    wide = shown(300, *rows)
    assert number_cells(wide) == Counter(r for row in rows for r in row[3:])
    assert number_cells(text) >= number_cells(wide)


def test_a_table_that_fits_is_drawn_as_rich_draws_it() -> None:
    from rich.table import Table

    rows = [["x", "y", "z", "1,234", "5"]]
    plain = Table(title="a wide table")
    for i in range(5):
        plain.add_column(f"column {i}", justify="right" if i >= 3 else "left")
    plain.add_row(*rows[0])
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(plain)
    assert shown(120, *rows) == out.getvalue()


def terminal(args: list[object], columns: int) -> str:
    """What the command shows on a pseudo-terminal ``columns`` wide."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": str(columns),
           "TERM": "xterm", "NO_COLOR": "1"}
    process = subprocess.Popen([sys.executable, "-m", "kantorovich", *map(str, args)],
                               stdout=slave, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, cwd=ROOT, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 1 << 16)
        except OSError:          # the terminal's other end closed: the command ended
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert process.wait(timeout=300) in (0, 2), args
    return ANSI.sub("", b"".join(chunks).decode().replace("\r\n", "\n"))


def piped(args: list[object]) -> str:
    return subprocess.run([sys.executable, "-m", "kantorovich", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")}).stdout


COMMANDS = {
    "solve": ["solve", EXAMPLES / "leningrad.yaml", "--sensitivity"],
    "economy values": ["economy", "values", BEA],
    "economy inspect": ["economy", "inspect", BEA],
    "economy plan": ["economy", "plan", MB],
    "economy bases": ["economy", "bases", MB],
    "economy prices": ["economy", "prices", MB, "--profit-rate", "0.1"],
}


def test_commands_show_every_number_whole_at_80_and_60_columns() -> None:
    runs = [(name, width) for name in COMMANDS for width in (None, 80, 60)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = dict(zip(runs, pool.map(
            lambda run: piped(COMMANDS[run[0]]) if run[1] is None
            else terminal(COMMANDS[run[0]], run[1]), runs)))
    for name in COMMANDS:
        wide = number_cells(texts[name, None])
        assert sum(wide.values()) > 5, (name, texts[name, None])
        for width in (80, 60):
            text = texts[name, width]
            assert "…" not in text, (name, width, text)
            assert number_cells(text) >= wide, (name, width, wide - number_cells(text))
            table_lines = [line for line in text.splitlines() if line[:1] in "┏┃│┡└┌├"]
            assert table_lines and max(map(len, table_lines)) <= width, (name, width)
