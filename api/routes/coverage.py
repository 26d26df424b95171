"""``/coverage``: how complete the graph is, per local government and nationally, beside the 2018
figures (:mod:`alliance_kg.coverage` does the counting). HTML for people
(:mod:`alliance_kg.api.web.views.coverage`); ``?format=json`` or ``csv`` (or ``Accept``) for the
same table as data."""

from __future__ import annotations

import json

from alliance_kg.api.deps import PROBLEMS, lookup
from alliance_kg.api.http.negotiation import Offer, choose_or_406, content_type, format_parameter
from alliance_kg.api.lookup.service import v
from alliance_kg.api.web.views import coverage as coverage_view
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from alliance_kg import coverage

router = APIRouter()

OFFERS = [Offer("text/html"), Offer("application/json"), Offer("text/csv")]


@router.get(
    "/coverage",
    tags=["pages"],
    response_class=HTMLResponse,
    responses={
        **PROBLEMS,
        200: {"content": {"application/json": {}, "text/csv": {}}},
        406: PROBLEMS[400],
    },
)
async def coverage_page(request: Request) -> Response:
    """The completeness report: per local government its ties by kind, foreign and domestic, the
    sources, the latest dated tie and whether its own partner-city page was found; national
    totals beside the 2018 figures. ``?format=json`` or ``csv`` gives the table as data."""
    offer = choose_or_406(
        OFFERS, request.headers.get("accept"), format_parameter(request.query_params.multi_items())
    )
    state = lookup(request)
    rows = await state.rows("coverage")
    report = coverage.aggregate([{k: v(row, k) for k in row} for row in rows])
    if offer.media_type == "application/json":
        body = json.dumps(coverage.as_json(report), ensure_ascii=False)
        return Response(body, media_type="application/json")
    if offer.media_type == "text/csv":
        return Response(
            coverage.as_csv(report),
            media_type=content_type("text/csv"),
            headers={"Content-Disposition": 'attachment; filename="coverage.csv"'},
        )
    return coverage_view.page(request, report)
