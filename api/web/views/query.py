"""The SPARQL query page (``GET /sparql`` from a browser, routed by
:mod:`alliance_kg.api.sparql.protocol`): YASGUI with the canned queries as examples, or, when
YASGUI is not installed, how to install it."""

from __future__ import annotations

from alliance_kg.api.web import render
from fastapi import Request
from starlette.responses import HTMLResponse


def page(request: Request, examples: list[dict[str, str]], endpoint: str) -> HTMLResponse:
    settings = request.app.state.settings
    body = render.render(
        "query.html",
        examples=examples,
        have_yasgui=settings.yasgui_dir is not None and settings.yasgui_dir.is_dir(),
        mode="scratch store (writable)" if settings.scratch else "read-only",
        endpoint=endpoint,
    )
    return HTMLResponse(body, headers={"Vary": "Accept"})
