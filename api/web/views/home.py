"""The home page (``/``; ``?q=`` lists the local governments matching a name) and the site's
assets (``/assets/site.css``, ``/assets/site.js``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

from alliance_kg.api.deps import PROBLEMS, lookup
from alliance_kg.api.lookup.names import MAX_KEY
from alliance_kg.api.lookup.service import check_key, v
from alliance_kg.api.web import drawing, render
from fastapi import APIRouter, Query, Request
from starlette.responses import FileResponse, HTMLResponse, Response

router = APIRouter()
STATIC = Path(__file__).parent.parent / "static"

# The headline figures before and after the agreements, in the order shown.
FIGURES = [
    ("local-governments", "지방자치단체", "local governments"),
    ("alliances", "동맹", "alliances"),
    ("special-local-governments", "특별지방자치단체", "special local governments"),
    ("foreign-local-governments", "외국 지방정부", "foreign local governments"),
    ("sources", "출처", "sources"),
]


@router.get("/assets/site.css", include_in_schema=False)
async def site_css() -> Response:
    return FileResponse(STATIC / "site.css", media_type="text/css; charset=utf-8")


@router.get("/assets/site.js", include_in_schema=False)
async def site_js() -> Response:
    return FileResponse(STATIC / "site.js", media_type="text/javascript; charset=utf-8")


@router.get("/", tags=["pages"], response_class=HTMLResponse, responses=PROBLEMS)
async def home(
    request: Request,
    q: Annotated[str | None, Query(max_length=MAX_KEY, description="a name to look up")] = None,
) -> Response:
    """The home page: search by Korean or English name, headline figures, where to go next."""
    state = lookup(request)
    rows, index = await asyncio.gather(state.rows("headline-figures"), state.municipalities())
    figures: dict[str, int] = {}
    agreements: dict[str, int] = {}
    for r in rows:
        if v(r, "figure") == "agreements":
            agreements[v(r, "kind") or ""] = int(v(r, "count") or 0)
        else:
            figures[v(r, "figure") or ""] = int(v(r, "count") or 0)
    hits = index.search(check_key(q), limit=20) if q is not None and q.strip() else None
    return render.page(
        request,
        "home.html",
        ("한국 지방정부 연결망", "Korean local government ties"),
        current="/",
        q=q,
        max_key=MAX_KEY,
        hits=hits,
        figures=[(key, figures.get(key, 0), ko, en) for key, ko, en in FIGURES],
        agreements=[(k, agreements[k]) for k in drawing.KIND_COLOURS if k in agreements],
        agreements_total=sum(agreements.values()),
    )
