"""The one size guard: a request that cannot fit in memory is refused before it starts.

A command that allocates in proportion to a number it was given (products and techniques
of ``economy generate``, points and samples of ``sweep``) first asks `check_fits` with an
estimate of the bytes it will hold at its peak. The estimates (`generated_bytes`,
`grid_bytes`, `samples_bytes`) are *lower bounds*: they count only the arrays and records
the command cannot do without, so a request refused here could never have finished, and
nothing that fits is refused. Memory is what the machine can give now:
``MemAvailable`` of ``/proc/meminfo`` (psutil's ``available`` where psutil is installed),
and no more than a container's limit (cgroup v2 ``memory.max``, v1
``memory.limit_in_bytes``). Where none of them can be read, nothing is refused.

Refusal is a `SizeError`: bad input, exit code 2, at once, naming the option to change.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from kantorovich.errors import KantorovichError

__all__ = ["SizeError", "available_memory", "check_fits", "generated_bytes", "grid_bytes",
           "samples_bytes"]

_GB = 1e9


class SizeError(KantorovichError):
    """A request larger than the machine's memory: bad input, exit code 2."""

    code = "too-large"
    exit_code = 2


def _meminfo() -> tuple[int | None, int | None]:
    """(available, total) bytes from ``/proc/meminfo``, None where it cannot be read."""
    found: dict[str, int] = {}
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                name, _, rest = line.partition(":")
                if name in ("MemAvailable", "MemTotal"):
                    found[name] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None, None
    return found.get("MemAvailable"), found.get("MemTotal")


def _container_room() -> int | None:
    """Bytes a container's memory limit leaves (cgroup v2, else v1), None without one."""
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max",
                                    "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            limit_text = Path(limit_file).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if not limit_text.isdigit() or int(limit_text) >= 1 << 60:   # "max": no limit
            return None
        try:
            used = int(Path(usage_file).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            used = 0
        return max(int(limit_text) - used, 0)
    return None


def available_memory() -> tuple[int | None, int | None]:
    """Bytes this process can still be given, and the machine's total (None: unknown).

    >>> available, total = available_memory()
    >>> available is None or 0 < available <= (total or available)
    True
    """
    available: int | None
    total: int | None
    try:
        import psutil

        memory = psutil.virtual_memory()
        available, total = int(memory.available), int(memory.total)
    except (ImportError, OSError, AttributeError):
        available, total = _meminfo()
        if available is None and hasattr(os, "sysconf"):
            try:
                total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
                available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
            except (ValueError, OSError):
                pass
    room = _container_room()
    if room is not None:
        available = room if available is None else min(available, room)
    return available, total


def check_fits(needed: float, what: str, *, hint: str) -> None:
    """Refuse at once a request that needs more than ``needed`` bytes of memory, when the
    machine has less to give.

    Parameters
    ----------
    needed : float
        A lower bound on the bytes the request will hold at its peak.
    what : str
        The request in the user's words, e.g. ``"--techniques 100000000 -n 10"``.
    hint : str
        What to change.

    Raises
    ------
    SizeError
        When ``needed`` exceeds the memory available now (exit code 2).
    """
    available, total = available_memory()
    if available is None or not needed > available:
        return
    of_total = f" (of {total / _GB:,.1f} GB)" if total else ""
    raise SizeError(f"{what} needs at least {_size(needed)} of memory, and this machine has "
                    f"{available / _GB:,.1f} GB available{of_total}", hint=hint)


def _size(nbytes: float) -> str:
    if not math.isfinite(nbytes) or nbytes >= 1e18:
        return "more than 10^18 bytes"
    return f"{nbytes / _GB:,.1f} GB"


def generated_bytes(products: int, techniques: int, suppliers: int) -> float:
    """Least memory of ``economy generate``: per process (product x technique) its id and
    its two technique factors (64 bytes), per flow row (an output, a labour and
    ``suppliers`` material rows per process) its codes and amounts, built and then copied
    into the table written (48 bytes); per product and supplier draw, the draw's
    positions and coefficient (64 bytes).

    >>> generated_bytes(10, 100_000_000, 2) > 1e11
    True
    """
    processes = float(products) * float(techniques)
    return processes * (64.0 + 48.0 * (suppliers + 2)) + float(products) * suppliers * 64.0


def grid_bytes(points: int, columns: int) -> float:
    """Least memory of a sweep's grid: per point its parameters, key and bookkeeping
    (512 bytes) and its record, read back from the store and made a row of
    ``points.parquet`` (16 bytes per column: prices, rule prices and costs)."""
    return float(points) * (512.0 + 16.0 * columns)


def samples_bytes(samples: int, distinct: int, program: float) -> float:
    """Least memory of ``--sample N``: per sample its draw, key and record (512 bytes),
    and each distinct sampled program the robust plan stacks (``program`` bytes each)."""
    return float(samples) * 512.0 + float(distinct) * program
