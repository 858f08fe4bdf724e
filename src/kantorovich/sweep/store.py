"""The sweep's store on disk: one small JSON file per finished point, found again by key.

A sweep's output directory ``DIR`` is an ordinary kantorovich output directory (its
marker, `kantorovich.files.OUTPUT_MARKER`, lists the files a run publishes there:
``points.parquet``, ``sweep.json``, charts). Finished points cannot wait for the end of
the run to be published, so they live in a folder of their own inside it,
``DIR/.kantorovich-sweep/``, which holds:

* ``store.json``: the store's tag (format and version). A folder of that name without the
  tag is not ours and is refused, never written into.
* ``<key>.json`` for each finished point: ``{"key", "params", "record"}``. The key is a
  stable hash of the point's parameters and of a *salt* naming what was solved (a
  fingerprint of the plan, say), so the same point of the same plan has the same file in
  every run, and any grid that contains it finds it.

Each point file is written to a temporary file beside it, flushed, and renamed into place
(`kantorovich.files.write_file_atomic`): a point is on disk whole or not at all, a crash
at any moment leaves only finished points, and a point computed twice (a worker killed
after it finished, its task re-run) replaces its file with the same content, so nothing is
ever counted twice. The files themselves are the manifest of what is done: `PointStore.done`
lists them by name, and `PointStore.whole` reads them back: a file that cannot be read back
(truncated, overwritten, not a point file) is not done, so the runner computes the point
again and its new file replaces the bad one (the store heals on the next run).

The store's folder is created only once ``DIR`` carries our marker, so a run killed at any
moment leaves a directory that the next run accepts (see `open_store`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kantorovich.files import (OUTPUT_MARKER, OutputError, check_output_dir, output_directory,
                               write_file_atomic)

__all__ = ["MANIFEST", "STORE_FOLDER", "PointStore", "open_store", "point_key"]

log = logging.getLogger(__name__)

#: the folder of finished points inside an output directory
STORE_FOLDER = ".kantorovich-sweep"
#: the run's description, published in the output directory itself
MANIFEST = "sweep.json"
_TAG = "store.json"
_FORMAT = "kantorovich-sweep-store"
_VERSION = 1
_KEY_CHARS = 32
#: seconds after which a temporary file in the store is a killed run's leftover
_STALE = 600.0


def point_key(params: Mapping[str, Any], salt: str = "") -> str:
    """A stable key for one point: a hash of its parameters and of ``salt``.

    Parameters are written as canonical JSON (keys sorted, floats exactly as ``repr``
    writes them), so the key does not depend on the order they were given in, nor on the
    process or machine that computes it.

    >>> point_key({"supply.wheat": 3000.0}, "plan-1") == point_key({"supply.wheat": 3000.0}, "plan-1")
    True
    >>> point_key({"supply.wheat": 3000.0}, "plan-1") == point_key({"supply.wheat": 3000.0}, "plan-2")
    False
    """
    text = json.dumps({"salt": salt, "params": _plain(dict(params))}, sort_keys=True,
                      separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()[:_KEY_CHARS]


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and tuples made plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):   # numpy scalars
        return value.item()
    return value


class PointStore:
    """The finished points of a folder: what is done, reading them, adding one.

    Parameters
    ----------
    folder : Path
        The store's folder (``DIR/.kantorovich-sweep``); it must exist and carry the
        store's tag (`open_store` makes one inside an output directory).
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        if not _is_store(self.folder):
            raise OutputError(f"'{self.folder}' is not a kantorovich sweep store",
                              hint="use open_store(DIR) on the sweep's output directory")

    def __repr__(self) -> str:
        return f"<PointStore {str(self.folder)!r}>"

    def _path(self, key: str) -> Path:
        if len(key) != _KEY_CHARS or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a point key: {key!r}")
        return self.folder / f"{key}.json"

    def done(self) -> set[str]:
        """Keys of the points on disk (by their file names; see `load` for content)."""
        with os.scandir(self.folder) as entries:
            return {entry.name[:-5] for entry in entries
                    if entry.name.endswith(".json") and len(entry.name) == _KEY_CHARS + 5
                    and entry.is_file(follow_symlinks=False)}

    def whole(self, keys: Iterable[str]) -> set[str]:
        """The keys among ``keys`` whose point file is on disk *and* reads back whole.

        Every file is read and parsed (a name alone proves nothing: a disk that filled
        up, a copy cut short or an editor may have left a bad file under a good name).
        Each bad file is reported once, as a warning, and left in place until the point's
        new file replaces it.
        """
        listed = self.done()
        return {key for key in keys if key in listed and self.get(key) is not None}

    def put(self, key: str, params: Mapping[str, Any], record: Mapping[str, Any]) -> Path:
        """Write one finished point, all or nothing; a second write of a key replaces it."""
        text = json.dumps({"key": key, "params": _plain(dict(params)),
                           "record": _plain(dict(record))}, allow_nan=True,
                          separators=(",", ":"))
        return write_file_atomic(self._path(key), text + "\n", what="sweep point")

    def get(self, key: str) -> dict[str, Any] | None:
        """The point stored under ``key`` (``params`` and ``record``), or None when it is
        missing or unreadable (then it is simply computed again)."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            log.warning("sweep point %s cannot be read (%s): it will be computed again",
                        key, exc)
            return None
        if not isinstance(data, dict) or data.get("key") != key or not isinstance(
                data.get("record"), dict) or not isinstance(data.get("params"), dict):
            log.warning("sweep point %s is not a point file: it will be computed again", key)
            return None
        return data

    def load(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The readable points among ``keys``, by key."""
        found = {}
        for key in keys:
            point = self.get(key)
            if point is not None:
                found[key] = point
        return found


def _is_store(folder: Path) -> bool:
    try:
        data = json.loads((folder / _TAG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return (isinstance(data, dict) and data.get("format") == _FORMAT
            and data.get("version") == _VERSION and not (folder.is_symlink()))


def open_store(directory: str | os.PathLike[str], *, manifest: Mapping[str, Any],
               inputs: Iterable[str | os.PathLike[str]] = ()) -> PointStore:
    """The store inside output directory ``directory``, made there if it is not yet.

    The directory goes through `kantorovich.files.check_output_dir` (new, empty, or
    ours; never one holding an input). A directory without our marker is first
    published with ``manifest`` as ``sweep.json``, so that it carries the marker before
    anything else is written there; only then is the store's folder made. A folder named
    ``.kantorovich-sweep`` that is not a store (no tag, a link) is refused.

    Raises
    ------
    OutputError
        For a directory that must not be written (exit code 2).
    """
    inputs = list(inputs)
    target = check_output_dir(directory, inputs=inputs)
    if not (target / OUTPUT_MARKER).is_file():
        with output_directory(target, inputs=inputs) as staging:
            (staging / MANIFEST).write_text(json.dumps(_plain(dict(manifest)), indent=2,
                                                       allow_nan=False) + "\n",
                                            encoding="utf-8")
    folder = target / STORE_FOLDER
    if os.path.lexists(folder):
        if folder.is_symlink() or not folder.is_dir() or not _is_store(folder):
            raise OutputError(f"'{folder}' is in the way: it is not a kantorovich sweep "
                              "store", hint="move it away, or choose a new directory")
        _tidy(folder)
        return PointStore(folder)
    try:
        folder.mkdir()
        write_file_atomic(folder / _TAG, json.dumps(
            {"format": _FORMAT, "version": _VERSION,
             "points": "one <key>.json per finished point: key, params, record"},
            indent=2) + "\n", what="sweep store tag")
    except OSError as exc:
        raise OutputError(f"cannot make the sweep store '{folder}': {exc.strerror or exc}",
                          hint="check that the directory is writable") from None
    return PointStore(folder)


def _tidy(folder: Path) -> None:
    """Remove temporary files a killed run left behind (older than `_STALE` seconds, so
    that a write still under way in another run is never touched)."""
    now = time.time()
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") and ".tmp" in entry.name and entry.is_file(
                    follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > _STALE:
                        os.unlink(entry.path)
