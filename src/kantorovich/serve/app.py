"""The planning table's web application (Starlette, served by uvicorn).

Routes (a contract, issue 20):

``GET /``
    The page (`kantorovich.serve.page`), for the state in the URL query, keyed as the
    inputs' ``data-change`` (``?supply.wheat=4500&policies.district-3-bread=2200000``).
``POST /api/solve``
    ``{"changes": {"supply": {GOOD: x}, "demand": {...}, "capacity": {PROCESS: x},
    "min_level": {...}, "rules": {POLICY: constant}, "weights": {GOOD: w}}}`` (every part
    optional; as `Plan.with_changes` takes them) answers the object ``kantorovich solve
    --json`` prints for the changed plan (`kantorovich.report.summary.summary`).
``POST /api/view``
    The page's own call: ``{"state": {KEY: x}}`` answers ``{"state", "query", "summary",
    "html"}``: the head of the summary (status, objective, ...) and the report's sections
    for ``#result``, whose ``kantorovich-data`` holds the whole ``solve --json`` object.
``GET /api/plan``
    The plan's numbers a planner may move (``inputs``: key, kind, id, name, unit, value),
    those the page shows, or with ``?q=TEXT`` those whose key or name holds TEXT
    (``&limit=N``, at most 1,000); ``counts`` of each kind.
``GET /healthz``
    200 ``{"status": "ok", "plan", "workers", "free", "base"}`` once the sessions are
    made and the base plan solved (nothing is answered before): how many sessions
    there are, how many are free now, and the base plan's status.

Bad requests are answered, never crash the server: malformed JSON 400, a body over
`MAX_BODY` 413, anything else 422 with the problems located (`kantorovich.serve.requests`).
A ``POST`` a browser sends from another site's page (its ``Origin`` is not this server)
is refused 403 before it is read: a form or a ``no-cors`` fetch elsewhere could otherwise
make the user's own server solve (`cross_site`). Programs that send no ``Origin``
(curl, httpx, scripts) are not affected.
A what-if stopped by ``--time-limit`` is answered with its ``time_limit`` status (and no
claim of an optimum: `summary` says what the solve proved). Every response carries the
page's Content-Security-Policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kantorovich.errors import KantorovichError, Problem
from kantorovich.lp.budget import Interrupted
from kantorovich.report.html import ReportParts, report_parts
from kantorovich.report.summary import summary
from kantorovich.serve.hosts import is_loopback
from kantorovich.serve.inputs import KINDS, plan_inputs, records, search, shown
from kantorovich.serve.page import POLICY_SERVED, TABLE_JS, fragment, table_page, view_query
from kantorovich.serve.pool import Answer, SessionPool
from kantorovich.serve.requests import (MAX_BODY, Refused, changes_in, parse_body,
                                        refused_by_engine, state_changes)

__all__ = ["create_app"]

#: What ``/api/view`` says of the answer beside the report (which embeds all of it).
_HEAD = ("plan", "status", "objective", "objective_unit", "solve_seconds", "method")

#: The most inputs ``GET /api/plan?q=`` answers at once.
MOST_FOUND = 1_000

_HEADERS = {"content-security-policy": POLICY_SERVED, "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer", "x-frame-options": "DENY",
            "cache-control": "no-store"}


def addressed_to(headers: list[tuple[bytes, bytes]]) -> str:
    """The host name a request was addressed to (its ``Host`` header, no port)."""
    host = next((v for k, v in headers if k.lower() == b"host"), b"").decode("latin-1")
    if host.startswith("["):                       # [::1]:8000
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def cross_site(scope: Scope) -> str | None:
    """The ``Origin`` of a state-changing request sent from a page that is not this
    server's own, else None.

    Browsers send ``Origin`` with every ``POST``, including the "simple" ones (a form,
    or ``fetch`` with ``text/plain`` or no type at all) that need no preflight and so
    reach the server whatever its CORS answer; ``Origin: null`` is a sandboxed frame or
    a file. Same-origin means the origin's scheme is the request's and its host and
    port are the ``Host`` the request was addressed to.
    """
    if scope.get("method", "GET") in ("GET", "HEAD", "OPTIONS"):
        return None
    headers = scope.get("headers", [])
    origin = next((v for k, v in headers if k.lower() == b"origin"), None)
    if origin is None:
        return None
    text = origin.decode("latin-1").strip()
    host = next((v for k, v in headers if k.lower() == b"host"), b"").decode("latin-1")
    scheme, _, rest = text.partition("://")
    if scheme != scope.get("scheme", "http") or not rest or not host:
        return text
    default = "80" if scheme == "http" else "443"
    if ":" not in rest.rpartition("]")[2]:
        rest = f"{rest}:{default}"
    if ":" not in host.rpartition("]")[2]:
        host = f"{host}:{default}"
    return None if rest.lower() == host.lower() else text


class _Policy:
    """Every response, whatever route or error made it, with the page's policy headers.

    With ``loopback_only`` (the server listens on this machine only), a request addressed
    to any other host name is refused (400) before any route reads it: a web page
    elsewhere whose name an attacker points at 127.0.0.1 (DNS rebinding) could otherwise
    read the plan and make it solve from the user's own browser.
    """

    def __init__(self, app: ASGIApp, *, loopback_only: bool = False) -> None:
        self.app = app
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = addressed_to(scope.get("headers", []))
        if self.loopback_only and host and not is_loopback(host):
            refused = Refused(400, f"this server answers only requests addressed to this "
                                   f"machine (127.0.0.1 or localhost), not to '{host[:100]}'",
                              [Problem("the request's Host is not this machine", "Host",
                                       hint="open the address the server printed, or "
                                            "start it with --host to listen beyond this "
                                            "machine")], "wrong-host")
            response = _json(refused.to_dict(), refused.status)
            await self._send(response, scope, receive, send)
            return
        origin = cross_site(scope)
        if origin is not None:
            refused = Refused(403, f"this server does not take what-ifs sent from another "
                                   f"site's page (Origin '{origin[:100]}')",
                              [Problem("the request came from a page this server did not "
                                       "serve", "Origin",
                                       hint="use the planning table's own page, or send "
                                            "the request from a program (no Origin)")],
                              "cross-site")
            await self._send(_json(refused.to_dict(), refused.status), scope, receive, send)
            return
        await self._send(self.app, scope, receive, send)

    @staticmethod
    async def _send(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                held = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in _HEADERS.items()
                         if k.encode() not in held]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await app(scope, receive, with_headers)
        except asyncio.CancelledError:
            # Ctrl-C with this request unfinished (a body still coming, a slow client):
            # uvicorn cancels it when its grace runs out; answered 503, not a crash
            # logged with its traceback and answered 500
            if not started:
                with contextlib.suppress(Exception):
                    await _json({"error": "stopping", "message": "the server is stopping "
                                 "(interrupted): this request was not answered",
                                 "problems": []}, 503)(scope, receive, with_headers)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, allow_nan=False), status_code=status,
                    media_type="application/json")


async def _body(request: Request) -> bytes:
    """The body, refused (413) past `MAX_BODY` bytes, whether or not it said its length."""
    said = request.headers.get("content-length", "")
    if said.isdigit() and int(said) > MAX_BODY:
        raise Refused(413, f"the request body ({int(said):,} bytes) is over the "
                           f"{MAX_BODY:,} bytes a what-if may take", [], "too-large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, f"the request body is over the {MAX_BODY:,} bytes a "
                               "what-if may take", [], "too-large")
        chunks.append(chunk)
    return b"".join(chunks)


class _Table:
    """The routes, over one pool of warm sessions and the plan's inputs."""

    def __init__(self, pool: SessionPool, source: str) -> None:
        import plotly.offline

        self.pool = pool
        self.plan = pool.plan
        self.source = source
        self.inputs = plan_inputs(self.plan, pool.base)
        self.counts = {str(k): int(v) for k, v in self.inputs["kind"].value_counts().items()}
        self.plotly = plotly.offline.get_plotlyjs()
        self._base_parts: ReportParts | None = None
        if pool.base is not None:       # made once, before any request reads the base
            self._parts(pool.solve({}))

    # -- solving ----------------------------------------------------------------------
    def _solve(self, changes: dict[str, dict[str, float]], prefix: str) -> Answer:
        try:
            return self.pool.solve(changes)
        except Interrupted:                # Ctrl-C while it solved: the server is stopping
            raise Refused(503, "the server is stopping (interrupted): this what-if was "
                               "not solved", [], "stopping") from None
        except KantorovichError as exc:
            if exc.exit_code != 2:        # not bad input: the engine's own failure
                raise
            raise refused_by_engine(exc, self.source, prefix) from None

    async def _in_thread(self, work: Any, *args: Any) -> Any:
        return await anyio.to_thread.run_sync(work, *args)

    # -- routes -----------------------------------------------------------------------
    def _answer(self, changes: dict[str, dict[str, float]]) -> Response:
        answer = self._solve(changes, "changes")
        return _json(summary(answer.result, analyses=answer.analyses))

    async def solve(self, request: Request) -> Response:
        changes = changes_in(parse_body(await _body(request)))
        response: Response = await self._in_thread(self._answer, changes)
        return response

    def _view(self, data: Any) -> dict[str, Any]:
        state, changes = state_changes(data, self.plan)
        answer = self._solve(changes, "")
        parts = self._parts(answer)
        data = parts.data
        return {"state": state, "query": view_query(state),
                "summary": {key: data.get(key) for key in _HEAD},
                "html": fragment(parts)}

    def _parts(self, answer: Answer) -> ReportParts:
        """The report of ``answer``; the base plan's is made once and kept."""
        if answer.result is not self.pool.base:
            return report_parts(answer.result, answer.analyses, source=self.source)
        if self._base_parts is None:
            self._base_parts = report_parts(answer.result, answer.analyses,
                                            source=self.source)
        return self._base_parts

    async def view(self, request: Request) -> Response:
        data = parse_body(await _body(request))
        response: Response = await self._in_thread(lambda: _json(self._view(data)))
        return response

    def _page(self, query: dict[str, str]) -> tuple[str, int]:
        given: dict[str, Any] = {}
        for key, text in query.items():
            try:
                given[key] = float(text)
            except ValueError:
                given[key] = text          # refused below, located by its key
        refused = None
        try:
            state, changes = state_changes({"state": given}, self.plan)
            answer = self._solve(changes, "")
        except Refused as exc:
            refused, state = exc, {}
            answer = self.pool.solve({})
        parts = self._parts(answer)
        page = table_page(parts, shown(self.inputs, state), state, counts=self.counts,
                          source=self.source,
                          refused=refused.to_dict() if refused else None)
        return page, (refused.status if refused else 200)

    async def page(self, request: Request) -> Response:
        text, status = await self._in_thread(self._page, dict(request.query_params))
        return HTMLResponse(text, status_code=status)

    async def numbers(self, request: Request) -> Response:
        q = request.query_params.get("q")
        limit_text = request.query_params.get("limit", "50")
        if not limit_text.isdigit():
            raise Refused(422, f"limit '{limit_text}' is not a whole number", [])
        limit = min(int(limit_text), MOST_FOUND)

        def listed() -> Response:
            found = search(self.inputs, q, limit) if q is not None else shown(self.inputs)
            return _json({"plan": self.plan.name, "file": self.source,
                          "counts": self.counts, "kinds": list(KINDS),
                          "inputs": records(found)})

        response: Response = await self._in_thread(listed)
        return response

    async def health(self, request: Request) -> Response:
        base = self.pool.base
        return _json({"status": "ok", "plan": self.plan.name, "workers": self.pool.workers,
                      "free": self.pool.free,
                      "base": base.status.value if base is not None else None})

    async def plotly_js(self, request: Request) -> Response:
        return Response(self.plotly, media_type="text/javascript",
                        headers={"cache-control": "public, max-age=86400"})

    async def table_js(self, request: Request) -> Response:
        return Response(TABLE_JS, media_type="text/javascript")


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return _json(exc.to_dict(), exc.status)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _json({"error": "not-found" if exc.status_code == 404 else "http",
                  "message": str(exc.detail), "problems": []}, exc.status_code)


async def _bug(request: Request, exc: Exception) -> Response:
    """A bug, not bad input: said plainly (500), and the server answers the next request."""
    return _json({"error": "internal", "message": f"internal error: {type(exc).__name__}: "
                  f"{exc}; this is a bug in kantorovich, not in the request", "problems": []},
                 500)


def create_app(pool: SessionPool, *, source: str | Path,
               loopback_only: bool = False) -> ASGIApp:
    """The planning table of ``pool``'s plan, read from ``source`` (named in messages);
    ``loopback_only``: requests addressed to another host than this machine are refused
    (400), as when the server listens on 127.0.0.1 (see `_Policy`)."""
    table = _Table(pool, str(source))
    routes = [Route("/", table.page, methods=["GET"]),
              Route("/api/solve", table.solve, methods=["POST"]),
              Route("/api/view", table.view, methods=["POST"]),
              Route("/api/plan", table.numbers, methods=["GET"]),
              Route("/healthz", table.health, methods=["GET"]),
              Route("/plotly.min.js", table.plotly_js, methods=["GET"]),
              Route("/table.js", table.table_js, methods=["GET"])]
    app = Starlette(routes=routes, exception_handlers={
        Refused: _refused, HTTPException: _http, Exception: _bug})
    return _Policy(app, loopback_only=loopback_only)
