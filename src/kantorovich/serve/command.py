"""``kantorovich serve PLAN``: the planning table, served until Ctrl-C.

Imported by the command line at start-up, so only typer and the standard library are
imported here; the server (uvicorn, Starlette) and the solver are imported by the command.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from kantorovich.errors import KantorovichError
from kantorovich.serve.hosts import is_loopback

__all__ = ["ServeError", "default_workers", "serve_command"]


class ServeError(KantorovichError):
    """The server cannot start as asked (an address it cannot listen on): exit code 2."""

    code = "cannot-serve"
    exit_code = 2


def default_workers() -> int:
    """Warm sessions when ``--workers`` is not given: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


_PlanArg = Annotated[Path, typer.Argument(help="Plan file: .yaml, .toml, .json or .mps",
                                          show_default=False)]
_Host = Annotated[str, typer.Option(
    "--host", metavar="ADDRESS",
    help="Address to listen on; 127.0.0.1 keeps the page on this machine (any other is "
         "warned of).")]
_Port = Annotated[int, typer.Option("--port", min=0, max=65535, metavar="PORT",
                                    help="Port to listen on (0: any free one, printed).")]
_TimeLimit = Annotated[Optional[float], typer.Option(
    "--time-limit", min=0.0, metavar="SECONDS",
    help="Seconds for each what-if, its solve and analyses; one stopped by it is answered "
         "with the time_limit status, never as an optimum.")]
_Workers = Annotated[Optional[int], typer.Option(
    "--workers", min=1, max=64, show_default=False, metavar="N",
    help="Warm sessions, each solving one what-if at a time (default: one per core, at "
         "most 4).")]


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: a free one), or a `ServeError` saying why
    not (taken, not an address of this machine)."""
    bare = host.strip("[]")
    try:
        infos = socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(f"--host '{host}' is not an address this machine knows ({exc})",
                         hint="give an IP address such as 127.0.0.1, or localhost") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="choose another --port (0 picks a free one), or stop what "
                              "listens there") from None
    sock.set_inheritable(True)
    return sock


def serve_command(plan: _PlanArg, host: _Host = "127.0.0.1", port: _Port = 8000,
                  time_limit: _TimeLimit = None, workers: _Workers = None) -> None:
    """Serve the planning table of a plan: a page where each supply, demand, capacity,
    rule bound and objective weight can be moved and the optimum, prices, rule costs and
    moves follow at once; and its JSON API (POST /api/solve answers what solve --json
    prints). Ctrl-C stops it (exit 130)."""
    import uvicorn

    from kantorovich.cli_style import error_console
    from kantorovich.io import load_plan
    from kantorovich.serve.app import create_app
    from kantorovich.serve.pool import SessionPool

    err = error_console()
    loaded = load_plan(plan)
    sock = listening_socket(host, port)     # before the solve: a taken port fails at once
    try:
        if not is_loopback(host):
            err.print(f"warning: --host {host} listens beyond this machine: anyone who can "
                      "reach it can read this plan and make it solve; there is no login",
                      markup=False)
        count = workers or default_workers()
        if err.is_terminal:
            err.print(f"solving {plan} ({count} warm session{'s' if count > 1 else ''})",
                      markup=False, style="dim")
        pool = SessionPool(loaded, workers=count, time_limit=time_limit)
        app = create_app(pool, source=str(plan), loopback_only=is_loopback(host))
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        sys.stdout.write(f"serving '{loaded.name}' at http://{shown}:{bound_port}/ "
                         "(Ctrl-C stops)\n")
        sys.stdout.flush()
        config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none",
                                access_log=False, timeout_graceful_shutdown=3)
        # On Ctrl-C uvicorn stops, then raises the signal again: the command line's
        # handler turns it into exit 130 (SIGTERM: 143).
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
