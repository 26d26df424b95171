"""``/queries``: the canned queries of ``queries/``, listed and run by name, with their rows as
JSON, SPARQL JSON results or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated

from alliance_kg.api import models
from alliance_kg.api.deps import PROBLEMS, lookup
from alliance_kg.api.http import problems
from alliance_kg.api.http.negotiation import Offer, choose_or_406, content_type, format_parameter
from alliance_kg.api.lookup.names import MAX_KEY
from alliance_kg.api.lookup.service import check_key, v
from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from alliance_kg import canned

router = APIRouter(tags=["canned queries"])

OFFERS = [
    Offer("application/json", value="json"),
    Offer("application/sparql-results+json", value="sparql-json"),
    Offer("text/csv", value="csv"),
]
FORMAT_PARAMETERS = ("format", "output", "results")  # say the format, not a query's value


def query_info(q: canned.CannedQuery) -> models.QueryInfo:
    return models.QueryInfo(
        name=q.name,
        title=q.title,
        description=q.description,
        url=f"/queries/{q.name}",
        parameters=[
            models.QueryParameter(
                name=p.name,
                type=p.type,
                description=p.description,
                example=p.example,
                optional=p.optional,
            )
            for p in q.parameters
        ],
        sparql=q.sparql,
    )


@router.get("/queries", response_model=list[models.QueryInfo])
async def list_queries(request: Request) -> list[models.QueryInfo]:
    """Every canned query: its name, title, description, parameters (with examples) and SPARQL
    text. Each runs at ``/queries/{name}``."""
    return [query_info(q) for q in lookup(request).queries.values()]


@router.get(
    "/queries/{name}",
    response_model=models.QueryResult,
    responses={
        **PROBLEMS,
        200: {
            "content": {"text/csv": {}, "application/sparql-results+json": {}},
            "description": "The rows: JSON (default), SPARQL JSON results or CSV "
            "(by Accept or ?format=json|csv).",
        },
    },
    openapi_extra={
        "parameters": [
            {
                "name": "municipality",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "a parameter of the query (each query has its own; see /queries)",
                "example": "https://w3id.org/alliance-kg/id/municipality/pohang",
            },
            {
                "name": "format",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["json", "csv"]},
            },
        ]
    },
)
async def run_query(
    request: Request,
    name: Annotated[str, Path(examples=["partners"])],
) -> Response:
    """Run a canned query with its parameters from the query string, e.g.
    ``/queries/partners?municipality=https://w3id.org/alliance-kg/id/municipality/pohang``."""
    service = lookup(request)
    query = service.query(name)
    params = request.query_params.multi_items()
    offer = choose_or_406(OFFERS, request.headers.get("accept"), format_parameter(params))
    values: dict[str, str] = {}
    for k, value in params:
        if k in FORMAT_PARAMETERS:
            continue
        if k in values:
            raise problems.bad_parameter(f"{k} is given twice.")
        # A value longer than any key is refused as too long without scanning it.
        values[k] = check_key(value) if len(value) <= 2000 else check_key("x" * (MAX_KEY + 1))
    columns, rows = await service.select(name, values)
    if offer.value == "sparql-json":
        body = json.dumps(
            {"head": {"vars": columns}, "results": {"bindings": rows}}, ensure_ascii=False
        )
        return Response(body.encode(), media_type=offer.media_type)
    if offer.value == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([v(r, c) or "" for c in columns])
        return Response(out.getvalue().encode(), media_type=content_type("text/csv"))
    result = models.QueryResult(
        query=name,
        title=query.title,
        columns=columns,
        rows=[{c: v(r, c) for c in columns} for r in rows],
    )
    return Response(result.model_dump_json().encode(), media_type="application/json")
