"""``/municipalities``: search local governments, and one with its facts or its partners."""

from __future__ import annotations

import re
from typing import Annotated

from alliance_kg.api import models
from alliance_kg.api.deps import PROBLEMS, lookup
from alliance_kg.api.lookup.names import MAX_KEY
from fastapi import APIRouter, Path, Query, Request, Response
from starlette.types import Receive, Scope, Send

router = APIRouter(tags=["municipalities"])

KEY_DOC = "slug, Korean or English name or alias, 5-digit code, or Wikidata QID"


@router.get("/municipalities", response_model=models.MunicipalityPage)
async def search_municipalities(
    request: Request,
    q: Annotated[
        str | None,
        Query(max_length=MAX_KEY, description="Korean or English name, alias or prefix"),
    ] = None,
    level: Annotated[str | None, Query(max_length=50, examples=["city"])] = None,
    province: Annotated[
        str | None,
        Query(max_length=MAX_KEY, description="upper-level government (any key)"),
    ] = None,
    limit: Annotated[int, Query(ge=0, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> models.MunicipalityPage:
    """Search local governments by name (query ``municipality-names``, ranked in memory:
    exact names first, then names without their suffix, then prefixes and substrings)."""
    return await lookup(request).search(q, level, province, limit, offset)


@router.get("/municipalities/{key}", response_model=models.MunicipalityDetail, responses=PROBLEMS)
async def get_municipality(
    request: Request,
    key: Annotated[str, Path(description=KEY_DOC, examples=["용인특례시"])],
) -> Response:
    """One local government (queries ``municipality-names`` and ``municipality``)."""
    return await detail_response(request, key)


async def detail_response(request: Request, key: str) -> Response:
    # Made from the JSON kept per government (the read model), as the partners are.
    return Response(await lookup(request).detail_json(key), media_type="application/json")


@router.get("/municipalities/{key}/partners", response_model=models.Partners, responses=PROBLEMS)
async def get_partners(
    request: Request,
    key: Annotated[str, Path(description=KEY_DOC, examples=["pohang"])],
    kind: Annotated[
        str | None,
        Query(
            max_length=50,
            pattern=r"^[a-z-]+$",
            description="sister-city, friendship-city, letter-of-intent, cooperation, "
            "alliance-member, union-member",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        Query(description="YYYY-MM-DD: only the ties in force that day", max_length=10),
    ] = None,
) -> Response:
    """The partners of a local government: agreements and shared alliances, each with its
    date and sources (query ``partners``)."""
    return await partners_response(request, key, kind, as_of)


async def partners_response(
    request: Request, key: str, kind: str | None, as_of: str | None
) -> Response:
    # The answer is made from JSON kept per tie (the read model), not validated again here;
    # response_model still describes it in the OpenAPI document.
    body = await lookup(request).municipality_partners(key, kind, as_of)
    return Response(body, media_type="application/json")


# The two lookups applications make most, asked plainly: a key, then at most a well-formed kind
# and day (what the routes above accept without a validation error). The app answers these past
# FastAPI's routing and parameter machinery (see ``App`` in api/app.py); anything else, a
# malformed parameter included, goes through the routes above, which say what is wrong.
PLAIN_PATH = re.compile(r"/municipalities/(?P<key>[^/]+)(?P<partners>/partners)?")
PLAIN_QUERY = re.compile(rb"(?:(?:kind=[a-z-]{1,50}|as_of=\d{4}-\d\d-\d\d)(?:&(?=.)|$))*")


def is_plain(scope: Scope) -> bool:
    """Whether a request is a plain lookup of a government's facts or partners."""
    return (
        scope["method"] == "GET"
        and PLAIN_PATH.fullmatch(scope["path"]) is not None
        and PLAIN_QUERY.fullmatch(scope["query_string"]) is not None
    )


async def plain_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer a request that :func:`is_plain` accepted, as the routes above would."""
    request = Request(scope, receive)
    match = PLAIN_PATH.fullmatch(scope["path"])
    assert match is not None
    if match["partners"]:
        params = request.query_params
        response = await partners_response(
            request, match["key"], params.get("kind"), params.get("as_of")
        )
    else:
        response = await detail_response(request, match["key"])
    await response(scope, receive, send)
