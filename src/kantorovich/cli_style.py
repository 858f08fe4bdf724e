"""How every command of the command line shows its help and its errors, and what it
does when its answer cannot be written, shared by the main app and its sub-apps
(`kantorovich.economy.cli`, `kantorovich.lab.cli`). Imports only typer and rich, so
start-up stays light.

Standard output may be closed (``kantorovich --version >&-``), or a pipe whose reader has
gone (``kantorovich solve plan.yaml | head -0``). Nothing here touches the streams at
import: the consoles (`answer_console`, `error_console`) are made when first used. Every
command (`Command`, `Group`), its help and ``--version`` included, flushes its answer
before it ends, and an answer that cannot be written ends the command with exit code
`EXIT_IO` (5) and one line on stderr, never a traceback (`answer_lost`).
`claim_standard_streams`, run first by the entry point, keeps a closed standard stream's
descriptor from being reused by a file the command opens.

The conventions every command gets from `Command` and `Group`, so a command added later
has them without asking: ``-h``/``--help`` and ``--version`` on every command and group,
``-q``/``--quiet`` on every command (`quiet` says whether it was given; `note` prints a
note unless it was), and an old spelling of an option kept as a hidden alias
(`Command.renaming`: ``--out`` for ``-o/--output``).
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, NoReturn, TypeVar, cast

import click
import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

__all__ = ["EXIT_IO", "Command", "Group", "answer_console", "answer_lost",
           "answer_was_lost", "claim_standard_streams", "error_console", "note",
           "pipe_gave_up", "quiet", "report_failure"]

#: Exit code of a command whose answer could not be written to standard output.
EXIT_IO = 5
#: The errors of writing the answer: a pipe without reader, a full disk, a failing device.
_LOST = frozenset({errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EDQUOT})

T = TypeVar("T")

#: what ends a command with an exit code: typer's own (typer >= 0.20 carries its own click)
#: and click's (older typer raises click's)
_EXITS = (typer.Exit, click.exceptions.Exit)


# -- consoles made when first used --------------------------------------------------------
class _Console(Console):
    """A rich console that reports a pipe whose reader has gone as the error it is.

    Rich's own answer is ``SystemExit(1)``, and 1 here means "infeasible": on stdout the
    error goes up to the command's guard (`EXIT_IO`); on stderr the console falls quiet
    (the answer on stdout may still be read)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        if not self.stderr:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")


class _Deferred:
    """A rich `Console` made on first use rather than at import, when standard output
    may be closed (``sys.stdout`` is None) or replaced later (a test runner)."""

    def __init__(self, make: Callable[[], Console]) -> None:
        self._make = make
        self._console: Console | None = None

    def _made(self) -> Console:
        if self._console is None:
            self._console = self._make()
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    @property
    def is_terminal(self) -> bool:   # what decides whether progress is shown
        return self._made().is_terminal


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (OSError, ValueError):
        return False


def answer_console(width: int) -> Console:
    """The console of a command's answer, on stdout: as wide as the terminal, or
    ``width`` columns when stdout is not one (a file, a pipe); made when first used."""
    return cast(Console, _Deferred(lambda: _Console(
        highlight=False, soft_wrap=True, emoji=False,     # ":x:" in a name is text
        width=None if _is_terminal(sys.stdout) else width)))


def error_console() -> Console:
    """The console of errors, warnings and progress, on stderr; made when first used."""
    return cast(Console, _Deferred(lambda: _Console(
        stderr=True, highlight=False, soft_wrap=True, emoji=False)))


# -- an answer that cannot be written -----------------------------------------------------
class _ClosedStdout(io.TextIOBase):
    """``sys.stdout`` when file descriptor 1 was closed at start: every write fails as
    a write to a closed descriptor does (EBADF), so the command ends with `EXIT_IO`."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


class _Start:
    stdout: tuple[int, int] | None = None    # what descriptor 1 was at start


def claim_standard_streams() -> None:
    """Give each closed standard descriptor (0, 1, 2) ``/dev/null``, so that no file the
    command opens takes its number (a solver's messages to stdout would land in it), and
    make writing the answer to a closed stdout fail loudly (`_ClosedStdout`)."""
    for fd, mode in ((0, os.O_RDONLY), (1, os.O_WRONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
            continue
        except OSError:
            pass
        null = os.open(os.devnull, mode)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        if fd == 1:
            sys.stdout = _ClosedStdout()
        elif fd == 2:
            sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)
    _Start.stdout = _stdout_file()      # /dev/null now where stdout was closed


def answer_was_lost(exc: OSError) -> bool:
    """Whether ``exc`` is the answer failing to reach stdout: a pipe without reader, a
    full disk, or (only when stdout is closed) a write to a closed descriptor; any other
    error is left to be reported as what it is."""
    return exc.errno in _LOST or (exc.errno == errno.EBADF
                                  and isinstance(sys.stdout, _ClosedStdout))


def answer_lost(exc: OSError) -> NoReturn:
    """End the command: its answer could not be written to stdout (closed, a pipe whose
    reader has gone, a full disk). Says so on stderr, points stdout at ``/dev/null`` so
    that nothing left in its buffer fails again at exit, and exits with `EXIT_IO`."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass
    reason = exc.strerror or str(exc)
    try:
        sys.stderr.write(f"error: cannot write the answer to standard output: {reason}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    raise typer.Exit(EXIT_IO)


def pipe_gave_up(code: object) -> bool:
    """Whether the program is ending with ``code`` because a write met a pipe without
    reader outside every command's guard: typer's answer is to wrap the streams so that
    they never fail again, rich's (a usage error on a stderr without reader) to point
    stdout at ``/dev/null``, and both exit 1, which here means "infeasible"."""
    return code == 1 and (type(sys.stdout).__name__ == "PacifyFlushWrapper"
                          or _rich_gave_up(_Start.stdout))


def _flush_answer() -> None:
    if sys.stdout is not None:
        sys.stdout.flush()


def _stdout_file() -> tuple[int, int] | None:
    """What file descriptor 1 is (device and inode), None if it is closed."""
    try:
        found = os.fstat(1)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _rich_gave_up(before: tuple[int, int] | None) -> bool:
    """Whether a rich console met a pipe without reader: rich's answer (which typer's
    help and any console not made by `answer_console` give) is to point stdout at
    ``/dev/null`` and raise ``SystemExit(1)``, and 1 here means "infeasible"."""
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    now = _stdout_file()
    return now != before and now == (null.st_dev, null.st_ino)


def _answering(call: Callable[[], T]) -> T:
    """``call()``, then its answer flushed, inside the guard: help, ``--version`` and a
    command that ends by exiting flush too, so a lost answer is `EXIT_IO`, not a
    traceback at exit nor rich's exit code 1."""
    before = _stdout_file()
    try:
        try:
            value = call()
        except _EXITS:
            _flush_answer()
            raise
        except SystemExit as done:
            if done.code == 1 and _rich_gave_up(before):
                raise BrokenPipeError(errno.EPIPE, "Broken pipe") from None
            raise
        _flush_answer()
        return value
    except OSError as exc:
        if answer_was_lost(exc):
            answer_lost(exc)
        raise


def _flags_without_metavar(params: list[Any]) -> list[Any]:
    """A flag takes no value, so its help shows none (typer's rich help says ``<bool>``)."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


# -- the conventions every command has ---------------------------------------------------
class _State:
    quiet = False


def quiet() -> bool:
    """Whether the running command was given ``-q``/``--quiet``: no progress, no notes."""
    return _State.quiet


def note(text: str) -> None:
    """``note: TEXT`` on stderr, unless the command was given ``-q``; warnings and errors
    are never quietened."""
    if not _State.quiet:
        error_console().print(f"note: {text}", markup=False)


def _print_version(value: bool) -> None:
    if value:
        from kantorovich import __version__

        sys.stdout.write(f"kantorovich {__version__}\n")
        raise typer.Exit(0)


def _set_quiet(value: bool) -> None:
    _State.quiet = bool(value)


_shared: list[Any] = []


def _conventional_options() -> tuple[Any, Any]:
    """``--version`` and ``-q/--quiet`` as typer itself builds options (made once)."""
    if not _shared:
        probe = typer.Typer()

        @probe.command()
        def _probe(
            version: Annotated[bool, typer.Option(
                "--version", callback=_print_version, is_eager=True, expose_value=False,
                help="Print the version and exit.")] = False,
            quiet: Annotated[bool, typer.Option(
                "--quiet", "-q", callback=_set_quiet, expose_value=False,
                help="No progress and no notes on stderr; warnings and errors still "
                     "show.")] = False,
        ) -> None:  # pragma: no cover - never run: only its options are taken
            pass

        _shared.extend(typer.main.get_command(probe).params)
    return _shared[0], _shared[1]


def _names(params: list[Any]) -> set[str]:
    return {name for p in params for name in (*p.opts, *p.secondary_opts)}


def _conventional(params: list[Any], *, with_quiet: bool) -> list[Any]:
    """``params`` with ``--version`` (and ``-q`` when ``with_quiet``) where they have none
    of their own, placed before ``--help``."""
    version, shared_quiet = _conventional_options()
    names = _names(params)
    added = [] if "--version" in names else [version]
    if with_quiet and not {"-q", "--quiet"} & names:
        added.append(shared_quiet)
    at = next((i for i, p in enumerate(params) if "--help" in p.opts), len(params))
    return [*params[:at], *added, *params[at:]]


class Command(TyperCommand):
    """A command with the conventions (module docstring): ``--version`` and ``-q`` added
    where it has none of its own, flags without ``<bool>`` in help, its answer flushed
    before it ends (`EXIT_IO` when it cannot be written), old option names honoured."""

    #: old spelling -> the option's name now; see `renaming`
    old_names: ClassVar[dict[str, str]] = {}

    @classmethod
    def renaming(cls, old_names: dict[str, str]) -> type[Command]:
        """This class, taking each old option name (``--out``) as the new one
        (``--output``), said on stderr unless the old name is listed with a leading
        ``=`` in the new (kept as a quiet alias: ``{"--mps": "=--output"}``)."""
        return type(f"{cls.__name__}Renaming", (cls,), {"old_names": dict(old_names)})

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_without_metavar(_conventional(super().get_params(ctx),
                                                    with_quiet=True))

    def make_context(self, *args: Any, **kwargs: Any) -> Any:   # --help is answered here
        _State.quiet = False
        return _answering(lambda: super(Command, self).make_context(*args, **kwargs))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, [self._renamed(arg) for arg in args])

    def _renamed(self, arg: str) -> str:
        name, eq, value = arg.partition("=")
        new = self.old_names.get(name)
        if new is None:
            return arg
        if not new.startswith("="):
            error_console().print(f"warning: {name} is an old name of {new}; use {new}",
                                  markup=False)
        return new.lstrip("=") + eq + value

    def invoke(self, ctx: Any) -> Any:
        if "quiet" in ctx.params:          # a command's own -q/--quiet
            _State.quiet = bool(ctx.params["quiet"])
        return _answering(lambda: super(Command, self).invoke(ctx))


class Group(TyperGroup):
    """A group (the app, or a sub-app), with ``--version`` and flags shown as in
    `Command`, and its help and ``--version`` flushed as a command's answer is. A
    command or sub-app registered without ``cls=`` gets the conventions all the same."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if type(command) is TyperCommand:       # plain typer's: made one of ours
            command.__class__ = Command
        elif type(command) is TyperGroup:
            command.__class__ = Group
        return command

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_without_metavar(_conventional(super().get_params(ctx),
                                                    with_quiet=False))

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        return _answering(lambda: super(Group, self).make_context(*args, **kwargs))


def report_failure(console: Console, exc: Exception, *, what: str = "plan") -> int:
    """Print a failed input on ``console`` (stderr) as every command does: for a
    `PlanError` every problem with its place and hint, else the message; never markup
    from the user. Returns the exit code to end with (the error's own, else 2)."""
    problems = getattr(exc, "problems", None)
    if problems is not None:
        n = len(problems)
        where = escape(str(problems[0].file or what)) if n else what
        console.print(f"[bold red]error[/]: {where}: {n} problem{'s' if n != 1 else ''}")
        for p in problems:
            console.print(f"  {p.location()}: {p.message}", markup=False)
            if p.hint:
                console.print(f"      hint: {p.hint}", markup=False)
    else:
        console.print(f"error: {exc}", markup=False)
    return int(getattr(exc, "exit_code", 2))
