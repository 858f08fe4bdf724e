"""Common random numbers: every draw of the laboratory is a pure function of its key.

A draw is keyed by (world, seed, period, key, kind) — ``key`` a unit, region or other
name, ``kind`` what the draw is for (``shortfall``, ``innovation``, ``priority``) — and
never by the regime. Two regimes run under the same seed therefore meet the same luck,
value for value, so their difference measures the institutions and not the dice (the
method of common random numbers; Law, A. M. (2015) *Simulation Modeling and Analysis*,
ch. 11). The numbers come from a counter-based hash (SplitMix64's finaliser over the
key's parts), vectorised over keys: no generator state, no dependence on which other
cells or units run.

>>> a = uniforms("w", 1, 3, ["mill-3", "mill-5"], "shortfall")
>>> b = uniforms("w", 1, 3, ["mill-5"], "shortfall")
>>> float(a[1]) == float(b[0]) and 0 <= float(a[0]) < 1
True
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence

import numpy as np

__all__ = ["Draws", "uniforms"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (a bijection of 64-bit words with full avalanche)."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def _tag(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


@functools.lru_cache(maxsize=32)
def _tags(keys: tuple[str, ...]) -> np.ndarray:
    """The keys' own words, computed once per set of keys (a cell asks every period)."""
    return np.fromiter((_tag(k) for k in keys), np.uint64, len(keys))


def uniforms(world: str, seed: int, period: int, keys: Sequence[str] | np.ndarray,
             kind: str) -> np.ndarray:
    """One uniform number in [0, 1) per key, for this world, seed, period and kind."""
    tags = _tags(tuple(str(k) for k in np.asarray(keys, dtype=object).tolist()))
    state: np.uint64 | np.ndarray = np.uint64(0)
    with np.errstate(over="ignore"):
        for part in (_tag(world), int(seed) & 0xFFFFFFFFFFFFFFFF, int(period), _tag(kind)):
            state = _mix(np.asarray(state + _GOLDEN + np.uint64(part), np.uint64))
        words = _mix(_mix(state + _GOLDEN + tags) + _GOLDEN)
    return (words >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


class Draws:
    """The draws of one cell: a world and a seed; ask by period, keys and kind."""

    def __init__(self, world: str, seed: int) -> None:
        self.world, self.seed = world, int(seed)

    def __call__(self, period: int, keys: Sequence[str] | np.ndarray, kind: str
                 ) -> np.ndarray:
        return uniforms(self.world, self.seed, period, keys, kind)
