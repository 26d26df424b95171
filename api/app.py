"""The FastAPI application: a small factory that other parts of the API add their routers to.

    app = create_app(Settings(store=Path("var/store")))
    app.include_router(my_router)

``create_app`` wires what every route shares: the query worker pool (``app.state.pool``, see
:mod:`alliance_kg.api.sparql.workers`; started and stopped with the app), the settings
(``app.state.settings``),
CORS, one access-log line per request, and problem+json (RFC 9457) for every error.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from alliance_kg.api import reconcile
from alliance_kg.api.http import problems
from alliance_kg.api.http.problems import Problem
from alliance_kg.api.routes import ROUTERS, coverage, entities, municipalities
from alliance_kg.api.sparql import graph_store
from alliance_kg.api.sparql import protocol as sparql
from alliance_kg.api.sparql.workers import QueryPool
from alliance_kg.api.web import views
from alliance_kg.api.web.views import publishing
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliance_kg import __version__
from alliance_kg.settings import Settings

access_log = logging.getLogger("alliance_kg.access")
error_log = logging.getLogger("alliance_kg.errors")


def create_app(settings: Settings, pool: QueryPool | None = None) -> FastAPI:
    """The app for these settings; ``pool`` defaults to one built from them."""
    if pool is None:
        pool = QueryPool(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await pool.start()
        try:
            yield
        finally:
            await pool.close()

    app = App(
        title="alliance-kg",
        version=__version__,
        description="South Korean local governments and the ties between them: SPARQL and REST.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pool = pool

    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)

    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(reconcile.router)
    app.include_router(publishing.router)
    for rest_router in ROUTERS:
        app.include_router(rest_router)
    app.include_router(entities.router)
    app.include_router(views.router)
    app.include_router(coverage.router)
    if settings.yasgui_dir is not None and settings.yasgui_dir.is_dir():
        app.mount("/static/yasgui", StaticFiles(directory=settings.yasgui_dir), name="yasgui")

    app.add_middleware(CatchUnexpected)  # inside CORS, so that a 500 carries its headers too
    app.add_middleware(CORSMiddleware, **CORS)
    app.add_middleware(AccessLog)
    _openapi_as_served(app)
    return app


CORS: dict[str, Any] = {
    "allow_origins": ["*"],
    "allow_methods": ["*"],
    "allow_headers": ["*"],
    "expose_headers": ["Location", "Content-Type", "Retry-After", "Vary"],
    "max_age": 3600,
}


class App(FastAPI):
    """The FastAPI app, with short paths for the most frequent requests: GET and POST
    ``/sparql`` (the SPARQL protocol), and a government's facts or partners asked plainly
    (``municipalities.is_plain``). They go straight to their endpoints, past FastAPI's routing,
    dependency solving and exception middlewares, which were most of a point lookup's time in
    the web process (py-spy). A short path keeps what the others give every request: the access
    log, CORS, problem+json for errors and a logged 500 for a bug. FastAPI still routes every
    other request to these paths (the CORS preflight, HEAD, 405s, malformed parameters) and
    documents them in the OpenAPI document.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sparql_path = _short_path(_sparql_endpoint)
        self.municipality_path = _short_path(municipalities.plain_endpoint)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if scope["path"] == "/sparql" and scope["method"] in ("GET", "POST"):
                scope["app"] = self
                return await self.sparql_path(scope, receive, send)
            if municipalities.is_plain(scope):
                scope["app"] = self
                return await self.municipality_path(scope, receive, send)
        await super().__call__(scope, receive, send)


def _short_path(endpoint: ASGIApp) -> ASGIApp:
    """An endpoint with what every request gets: problem+json for a :class:`Problem` it
    raises, a logged 500 for a bug, CORS and the access log."""

    async def problems_answered(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await endpoint(scope, receive, send)
        except Problem as problem:
            await problem_response(problem)(scope, receive, send)

    return AccessLog(CORSMiddleware(CatchUnexpected(problems_answered), **CORS))


async def _sparql_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    response = await sparql.sparql(Request(scope, receive))
    await response(scope, receive, send)


def _openapi_as_served(app: FastAPI) -> None:
    """Make the OpenAPI document say what the app does.

    FastAPI gives a route that serves several methods (GET and HEAD) one operationId for all of
    them, documents invalid input as 422 ``application/json``, and problem models as JSON; the
    app answers invalid input with 400 and every error as ``application/problem+json``.
    """
    make = app.openapi
    problem = {"$ref": "#/components/schemas/ProblemBody"}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Duplicate Operation ID")
                schema = make()
            has_problem = "ProblemBody" in schema.get("components", {}).get("schemas", {})
            seen: set[str] = set()
            for operations in schema.get("paths", {}).values():
                for method, operation in operations.items():
                    if operation.get("operationId") in seen:
                        operation["operationId"] += f"_{method}"
                    seen.add(operation.get("operationId"))
                    responses = operation.get("responses", {})
                    invalid = responses.pop("422", None)
                    if invalid is not None and "400" not in responses:
                        responses["400"] = {
                            "description": "Bad request: the problem says which input and why.",
                            "content": {
                                "application/problem+json": {
                                    "schema": problem if has_problem else {"type": "object"}
                                }
                            },
                        }
                    for status, response in responses.items():
                        content = response.get("content", {})
                        if status >= "300" and "application/json" in content:
                            content["application/problem+json"] = content.pop("application/json")
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# --------------------------------------------------------------------------------------------
# Errors: problem+json, always


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return problem_response(
        problems.plain(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    detail = "; ".join(
        f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg', '')}" for e in errors
    )
    return problem_response(
        problems.invalid_request(detail or "Invalid request.", errors=_plain(errors))
    )


def problem_response(problem: Problem) -> Response:
    return Response(
        json.dumps(problem.body(), ensure_ascii=False).encode(),
        status_code=problem.status,
        media_type=problems.MEDIA_TYPE,
        headers=problem.headers,
    )


class HttpMiddleware:
    """A pure ASGI middleware that sees HTTP requests only (lifespan events pass through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class CatchUnexpected(HttpMiddleware):
    """A bug answers 500 problem+json (logged), from inside the CORS middleware: Starlette's own
    handler for unexpected errors sits outside every middleware, so its answer had no CORS
    headers and a browser client saw nothing."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_and_note(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception as exc:
            if started:
                raise
            error_log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            response = problem_response(
                problems.plain(
                    500, f"An unexpected {type(exc).__name__} occurred; it has been logged."
                )
            )
            await response(scope, receive, send)


def _plain(value: Any) -> Any:
    """Validation errors carry arbitrary objects; keep what JSON can say."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k != "ctx"}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --------------------------------------------------------------------------------------------
# Access log


class AccessLog(HttpMiddleware):
    """One line per request: client, method, path, status, bytes, total and query time."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status, size = 500, 0

        async def send_and_count(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_and_count)
        finally:
            ms = (time.perf_counter() - started) * 1000
            client = scope.get("client") or ("-", 0)
            target = scope.get("path", "")
            qs = scope.get("query_string", b"").decode("latin-1")
            if qs:
                target += "?" + (qs if len(qs) <= 300 else qs[:300] + f"...({len(qs)} chars)")
            query_ms = (scope.get("state") or {}).get("query_ms")
            access_log.info(
                '%s "%s %s" %d %d %.1fms%s',
                client[0],
                scope.get("method", "-"),
                target,
                status,
                size,
                ms,
                f" query={query_ms}ms" if query_ms is not None else "",
            )
