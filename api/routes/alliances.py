"""``/alliances``: alliances and special local governments, and each one in detail."""

from __future__ import annotations

from typing import Annotated

from alliance_kg.api import models
from alliance_kg.api.deps import PROBLEMS, lookup
from fastapi import APIRouter, Path, Request

router = APIRouter(tags=["alliances"])


@router.get("/alliances", response_model=list[models.Alliance])
async def list_alliances(request: Request) -> list[models.Alliance]:
    """Alliances and special local governments (query ``alliances``)."""
    return await lookup(request).alliances()


@router.get("/alliances/{key}", response_model=models.AllianceDetail, responses=PROBLEMS)
async def get_alliance(
    request: Request, key: Annotated[str, Path(examples=["haeoreum-alliance"])]
) -> models.AllianceDetail:
    """An alliance with its members and their membership dates, councils and offices, meetings
    with outcomes, declarations with commitments, and the legislation it promotes (queries
    ``alliances``, ``alliance`` and ``entity-sources``)."""
    return await lookup(request).alliance_detail(key)
