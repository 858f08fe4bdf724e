"""Writing the user's files without ever losing or mangling one.

Every file and output directory this package writes goes through here, so one set of
rules holds everywhere:

* A single file is written to a temporary file beside its target, checked (it is a
  plain, non-empty file of the expected size), flushed to disk with ``fsync`` and only
  then renamed over the target. A full disk, an exception or an interrupt leaves the
  previous file as it was and no temporary file behind. HiGHS, for one, reports success
  after a short write, so callers that hand the temporary path to another writer check
  its content before the rename.
* Only plain files are replaced. A FIFO, a device, a socket or a directory is refused
  (``--mps /dev/null`` run as root would otherwise replace the system's ``/dev/null``),
  and so is a symbolic link: following it would write somewhere the user did not name,
  replacing it would cut it. Both are surprises, so the user is asked to choose.
* An output directory is ours only when it holds `OUTPUT_MARKER`, a file that only this
  module writes, listing the files written there. A later run replaces exactly those
  files; whatever else the user keeps in the directory is neither moved nor deleted, and
  a non-empty directory without a valid marker is refused. (``summary.json`` alone
  proves nothing: anybody may have a file of that name.)
* Output never goes where it could swallow the input: a target that is, or contains, a
  file the command reads, or the current directory, is refused. Paths are resolved
  before any comparison, so ``cd proj && ... -o ../proj`` is caught.
* `check_output_file` and `check_output_dir` make the same refusals without writing, so a
  command can refuse a bad target (exit code 2) before it spends minutes solving.
* Only plain files are read, too: every reader of the user's files (plans, tables,
  experiments, MPS files, input-output tables, demands) asks `check_input_file` first,
  so a FIFO with no writer, ``/dev/zero`` or a directory is refused (exit code 2)
  instead of hanging the command or filling its memory.

Renames and clean-up run with SIGINT and SIGTERM held back (a signal arriving then is
delivered right after), so an interrupt cannot leave a half-replaced directory or a
hidden staging directory; an interrupt while files are being written discards them.

This module uses the standard library only: it is imported by writers at every layer.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import secrets
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kantorovich.errors import KantorovichError, PlanError, Problem

__all__ = ["OUTPUT_MARKER", "OutputError", "atomic_file", "check_input_file",
           "check_output_dir", "check_output_file", "input_problem", "output_directory",
           "write_file_atomic", "writing"]

OUTPUT_MARKER = ".kantorovich-output.json"
_FORMAT = "kantorovich-output"
_VERSION = 1
_STAGING = ".kantorovich-staging-"
_PREVIOUS = ".kantorovich-previous-"
_NEXT = OUTPUT_MARKER + ".next"     # the old-and-new marker, in the previous directory


class OutputError(KantorovichError):
    """A file or directory that cannot or must not be written: bad input, exit code 2."""

    code = "bad-output"
    exit_code = 2


# -- shared checks ------------------------------------------------------------------------
def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a plain file)."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def _locations(path: str | os.PathLike[str]) -> set[Path]:
    """Where ``path`` is: as written (absolute) and with every link resolved."""
    try:
        return {Path(os.path.abspath(path)), Path(path).resolve()}
    except (RuntimeError, OSError):     # a loop of links: it is where it is written
        return {Path(os.path.abspath(path))}


def _resolved(path: Path, what: str) -> Path:
    """``path`` with every link resolved; a loop of links is refused, naming the path."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as exc:   # RuntimeError: "Symlink loop" (Python 3.11)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutputError(f"cannot write the {what} '{path}': {reason}",
                          hint="a symbolic link on that path leads round in a loop: "
                               "remove it, or choose another path") from None


def _refuse_inputs(target: Path, inputs: Sequence[str | os.PathLike[str]], what: str, *,
                   contains: bool) -> None:
    """Refuse a target that is (or, for a directory, holds) an input or the current
    directory: writing there would replace or bury what the command reads."""
    def inside(place: Path) -> bool:
        return place == target or (contains and target in place.parents)

    for source in inputs:
        if any(inside(place) for place in _locations(source)):
            verb = "is or holds" if contains else "is"
            raise OutputError(f"the {what} '{target}' {verb} the input '{source}'",
                              hint="write the output somewhere else, e.g. a new directory")
    if contains and any(inside(place) for place in _locations(os.curdir)):
        raise OutputError(f"the {what} '{target}' is or holds the current directory",
                          hint="write the output into a new directory, e.g. '-o results'")


def _existing_folder(folder: Path, what: str, target: Path) -> None:
    """The nearest existing ancestor of ``folder`` must be a directory we may write in."""
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write the {what} '{target}': '{folder}' is not a directory",
                          hint="choose a path inside an existing directory")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write the {what} '{target}': no permission to write in "
                          f"'{folder}'", hint="choose a directory you can write to")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while renames or clean-up run, then deliver them.

    Blocking the signal in this thread is not enough (another thread may take it and
    Python would still raise in this one), so the Python-level handlers are swapped for
    one that only takes note. Only the main thread can do that; elsewhere no signal
    handler raises in this thread anyway.
    """
    held = (signal.SIGINT, signal.SIGTERM)
    if (threading.current_thread() is not threading.main_thread()
            or any(signal.getsignal(sig) is None for sig in held)):
        yield   # not ours to hold: no Python handler would raise here
        return
    caught: list[int] = []
    saved = {sig: signal.signal(sig, lambda signum, _frame: caught.append(signum))
             for sig in held}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def _fsync(path: Path) -> None:
    """Flush a file or a directory entry to disk, so a rename never outlives its data."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot fsync a directory
        if exc.errno not in (errno.EINVAL, errno.EBADF) or not path.is_dir():
            raise
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _write_hint(exc: OSError, kept: str) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full: free some space and run again ({kept})"
    return f"check that the folder exists and is writable ({kept})"


# -- the user's input files -----------------------------------------------------------------
def input_problem(path: str | os.PathLike[str], *, what: str = "file",
                  key: str = "") -> Problem | None:
    """Why ``path`` must not be read, as a `Problem` naming it; None for a plain file
    (links followed) or a path that is not there (the reader says so in its words).

    A FIFO blocks its reader until something writes to it, a device such as
    ``/dev/zero`` never ends, a directory or a socket cannot be read as a file: each is
    refused before a single byte is read. ``key`` is where the plan names the file.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):   # missing, a loop, a bad name: the reader reports it
        return None
    kind = _kind(mode)
    if kind is None:
        return None
    if stat.S_ISDIR(mode):
        table = all(any(os.path.exists(os.path.join(path, f"{name}.{ext}"))
                        for ext in ("csv", "parquet")) for name in ("sectors", "Z"))
        hint = ("it is an input-output table: `kantorovich economy values|plan TABLE` reads "
                "it, and `kantorovich economy generate --like TABLE -o DIR` makes a plan of "
                "it" if table else "name a file inside it")
    else:
        hint = ("name a plain file (write the data to a file first if it comes from a pipe "
                "or a device)")
    return Problem(f"cannot read the {what}: it is {kind}, and only plain files are read",
                   key, str(path), None, hint)


def check_input_file(path: str | os.PathLike[str], *, what: str = "file",
                     key: str = "") -> None:
    """Raise a `PlanError` (exit code 2) when ``path`` is not a plain file that can be
    read (see `input_problem`); do nothing for a plain or a missing file."""
    problem = input_problem(path, what=what, key=key)
    if problem is not None:
        raise PlanError([problem])


# -- single files ---------------------------------------------------------------------------
def check_output_file(path: str | os.PathLike[str], *, what: str = "file",
                      inputs: Sequence[str | os.PathLike[str]] = ()) -> Path:
    """Refuse a target file that must not be written; return its absolute path.

    The folder is resolved, the last component is not: a symbolic link there is refused,
    as are FIFOs, devices, sockets and directories, a missing folder, and an input file
    of the command. Nothing is written, so run this before any expensive work.

    Raises
    ------
    OutputError
        Naming the path, what it is and what to do instead (exit code 2).
    """
    given = Path(path)
    if given.name in ("", ".", ".."):
        raise OutputError(f"the {what} '{given}' is a directory",
                          hint="give a file name, e.g. 'out/plan.mps'")
    folder = _resolved(given.absolute().parent, what)
    target = folder / given.name
    _refuse_inputs(target, inputs, what, contains=False)
    if not folder.is_dir():
        problem = "is not a directory" if folder.exists() else "does not exist"
        raise OutputError(f"cannot write the {what} '{target}': the folder '{folder}' "
                          f"{problem}", hint="create it first, or choose another path")
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write the {what} '{target}': {_reason(exc)}",
                          hint="choose a path you can read and write") from None
    if mode is not None and (kind := _kind(mode)) is not None:
        hint = ("name the file it points to, or remove the link first"
                if stat.S_ISLNK(mode) else "choose the path of a plain file")
        raise OutputError(f"the {what} '{target}' is {kind}; only plain files are replaced",
                          hint=hint)
    _existing_folder(folder, what, target)
    return target


_writing = [0]


def writing() -> bool:
    """True while a file or an output directory is being written and swapped in: a
    command must not be ended from outside then (see the CLI's signal watchdog)."""
    return _writing[0] > 0


def _marked(writer: Callable[..., contextlib.AbstractContextManager[Path]]
            ) -> Callable[..., contextlib.AbstractContextManager[Path]]:
    """``writer``, counted by `writing` while its ``with`` block and clean-up run."""
    @functools.wraps(writer)
    @contextlib.contextmanager
    def counted(*args: Any, **kwargs: Any) -> Iterator[Path]:
        _writing[0] += 1
        try:
            with writer(*args, **kwargs) as value:
                yield value
        finally:
            _writing[0] -= 1
    return counted


@_marked
@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], *, what: str = "file", suffix: str = "",
                inputs: Sequence[str | os.PathLike[str]] = ()) -> Iterator[Path]:
    """Give a writer a fresh temporary path beside ``path``; rename it over ``path`` when
    the ``with`` block ends without an exception and the file is plain and non-empty.

    ``suffix`` ends the temporary name (HiGHS picks its format from it). The file exists,
    empty, when the block starts, with the usual permissions (those of the file it
    replaces, if any). Check its content inside the block: raising there keeps the
    previous file. An `OSError` becomes an `OutputError` naming ``path``.
    """
    target = check_output_file(path, what=what, inputs=inputs)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp{suffix}")
    kept = "the previous file is unchanged" if target.exists() else "nothing was written"
    try:
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            if target.exists():
                os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
            yield temp
            written = os.lstat(temp)
            if not stat.S_ISREG(written.st_mode) or written.st_size == 0:
                raise OSError(f"the {what} came out empty")
            _fsync(temp)
            with _signals_held():
                check_output_file(target, what=what, inputs=inputs)
                os.replace(temp, target)
            _fsync(target.parent)
        finally:
            with _signals_held():
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp)
    except OSError as exc:
        raise OutputError(f"cannot write the {what} '{target}': {_reason(exc)}",
                          hint=_write_hint(exc, kept)) from None


def write_file_atomic(path: str | os.PathLike[str], data: bytes | str, *, what: str = "file",
                      inputs: Sequence[str | os.PathLike[str]] = ()) -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` all or nothing; return the path written.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_file_atomic(pathlib.Path(tmp) / "a.json", "{}\\n", what="schema")
    ...     path.read_text()
    '{}\\n'
    """
    target = check_output_file(path, what=what, inputs=inputs)
    payload = data.encode() if isinstance(data, str) else bytes(data)
    with atomic_file(target, what=what, inputs=inputs) as temp:
        with open(temp, "wb") as handle:
            handle.write(payload)
        if (size := os.path.getsize(temp)) != len(payload):
            raise OSError(f"short write: {size} of {len(payload)} bytes")
    return target


# -- output directories ---------------------------------------------------------------------
def _safe_name(name: object) -> bool:
    return (isinstance(name, str) and name not in ("", ".", "..") and "/" not in name
            and "\0" not in name and os.sep not in name and not name.startswith(".kantorovich"))


def _read_marker(directory: Path) -> list[str] | None:
    """The files a valid marker in ``directory`` lists; None if there is none or it is
    not ours (a marker naming a path outside the directory is not ours)."""
    try:   # a marker that is a link, a FIFO or a device is not ours: never wait on it
        fd = os.open(directory / OUTPUT_MARKER, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if (not isinstance(data, dict) or data.get("format") != _FORMAT
            or data.get("version") != _VERSION or not isinstance(data.get("files"), list)
            or not all(_safe_name(name) for name in data["files"])):
        return None
    return list(dict.fromkeys(data["files"]))


def _marker_text(files: Sequence[str]) -> str:
    return json.dumps({"format": _FORMAT, "version": _VERSION, "files": sorted(files)},
                      indent=2) + "\n"


def check_output_dir(path: str | os.PathLike[str], *,
                     inputs: Sequence[str | os.PathLike[str]] = ()) -> Path:
    """Refuse an output directory that must not be written; return it resolved.

    Accepted: a path that does not exist yet (below a directory), an empty directory, or
    one holding a valid `OUTPUT_MARKER`. Refused: anything else, and a directory that is
    or holds an input or the current directory. A link to a directory stands for the
    directory it points to. Nothing is written, so run this before any expensive work.

    Raises
    ------
    OutputError
        Naming the directory and what to do instead (exit code 2).
    """
    what = "output directory"
    target = _resolved(Path(path), what)
    _refuse_inputs(target, inputs, what, contains=True)
    if not os.path.lexists(target):
        _existing_folder(target.parent, what, target)
        return target
    if not target.is_dir():
        raise OutputError(f"the {what} '{target}' exists and is not a directory",
                          hint="choose a new directory name")
    try:
        with os.scandir(target) as entries:   # our own scratch directories do not count
            empty = all(entry.name.startswith((_STAGING, _PREVIOUS)) for entry in entries)
    except OSError as exc:
        raise OutputError(f"cannot read the {what} '{target}': {_reason(exc)}",
                          hint="choose a directory you can read and write") from None
    if not empty and _read_marker(target) is None:
        raise OutputError(f"'{target}' exists and is not a kantorovich output directory "
                          f"(it has no valid {OUTPUT_MARKER})",
                          hint="choose a new or empty directory; nothing in that one was "
                               "touched")
    _existing_folder(target, what, target)
    return target


def _ours(directory: Path) -> list[str]:
    """The files the marker lists that are still plain files: those are ours to replace.
    Anything else at a listed name (a directory, a link) the user has put there since."""
    ours = []
    for name in _read_marker(directory) or []:
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISREG(os.lstat(directory / name).st_mode):
                ours.append(name)
    return ours


def _made_dirs(target: Path) -> list[Path]:
    """Create ``target`` and any missing parents; return those created, deepest last."""
    missing = []
    folder = target
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    made = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            made.append(folder)
    except BaseException:
        for folder in reversed(made):
            folder.rmdir()
        raise
    return made


def _commit(target: Path, staging: Path, previous: Path) -> None:
    """Swap the files written in ``staging`` into ``target``, replacing our old ones.

    Order, so that a crash at any point leaves every file of ours listed by the marker:
    the marker is first replaced by one listing the old and new files, then the old files
    go to ``previous``, the new ones come in, and the final marker lists the new ones.
    Any exception undoes every step done so far.
    """
    with os.scandir(staging) as entries:
        new = sorted(entry.name for entry in entries)
    old = _ours(target)
    for name in new:
        if os.path.lexists(target / name) and name not in old:
            raise OutputError(f"'{target / name}' is in the way: kantorovich did not write "
                              "it", hint="move that file away, or choose a new directory")
    done: list[tuple[Path, Path]] = []   # (from, to), to undo in reverse

    def move(src: Path, dst: Path) -> None:
        os.replace(src, dst)
        done.append((src, dst))

    try:
        (previous / _NEXT).write_text(_marker_text([*old, *new]), encoding="utf-8")
        if os.path.lexists(target / OUTPUT_MARKER):
            move(target / OUTPUT_MARKER, previous / OUTPUT_MARKER)
        move(previous / _NEXT, target / OUTPUT_MARKER)
        for name in old:
            move(target / name, previous / name)
        for name in new:
            move(staging / name, target / name)
        (staging / OUTPUT_MARKER).write_text(_marker_text(new), encoding="utf-8")
        _fsync(staging / OUTPUT_MARKER)
        move(staging / OUTPUT_MARKER, target / OUTPUT_MARKER)
        _fsync(target)
    except BaseException:
        for src, dst in reversed(done):
            with contextlib.suppress(OSError):   # what stays in `previous` is reported
                os.replace(dst, src)
        raise


def _discard_previous(previous: Path, committed: bool) -> None:
    """Delete the previous output once replaced. Not committed, it should be empty but
    for the scratch marker; if an undo failed it still holds old files, so it is kept
    (and named in the error) rather than deleted."""
    if committed:
        shutil.rmtree(previous, ignore_errors=True)
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(previous / _NEXT)
    try:
        previous.rmdir()
    except OSError:
        raise OutputError(f"an interrupted update left the previous output in '{previous}'",
                          hint="move those files back by hand") from None


@_marked
@contextlib.contextmanager
def output_directory(path: str | os.PathLike[str], *,
                     inputs: Sequence[str | os.PathLike[str]] = ()) -> Iterator[Path]:
    """Give a writer an empty staging directory; its plain files replace our previous
    output in ``path`` when the ``with`` block ends without an exception.

    ``path`` is checked by `check_output_dir` first and created if missing. The staging
    directory lives inside the target (so the renames stay on one file system) and is
    removed however the block ends, as is a target directory made here for an output
    that was never written. The marker is written here: the writer writes only its own
    files. An `OSError` becomes an `OutputError` naming ``path``.
    """
    target = check_output_dir(path, inputs=inputs)
    made: list[Path] = []
    staging = previous = None
    kept = "the previous output is unchanged" if target.exists() else "nothing was written"
    committed = False
    try:
        try:
            made = _made_dirs(target)
            staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=target))
            yield staging
            with os.scandir(staging) as entries:
                for entry in entries:
                    if not entry.is_file(follow_symlinks=False) or not _safe_name(entry.name):
                        raise OSError(f"'{entry.name}' is not a plain file")
                    _fsync(Path(entry.path))
            with _signals_held():
                previous = Path(tempfile.mkdtemp(prefix=_PREVIOUS, dir=target))
                _commit(target, staging, previous)
                committed = True
        finally:
            with _signals_held():
                if staging is not None:   # our new files, or nothing once committed
                    shutil.rmtree(staging, ignore_errors=True)
                if previous is not None:
                    _discard_previous(previous, committed)
                if not committed:
                    for folder in reversed(made):
                        with contextlib.suppress(OSError):
                            folder.rmdir()
    except OSError as exc:
        raise OutputError(f"cannot write the output directory '{target}': {_reason(exc)}",
                          hint=_write_hint(exc, kept)) from None
