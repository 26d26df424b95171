"""``/legislation``: acts and bills, and who is behind each one."""

from __future__ import annotations

from typing import Annotated

from alliance_kg.api import models
from alliance_kg.api.deps import PROBLEMS, lookup
from fastapi import APIRouter, Path, Request

router = APIRouter(tags=["legislation"])


@router.get("/legislation", response_model=list[models.Legislation])
async def list_legislation(request: Request) -> list[models.Legislation]:
    """Acts and bills with their status (query ``legislation``)."""
    return await lookup(request).legislation()


@router.get("/legislation/{key}", response_model=models.LegislationDetail, responses=PROBLEMS)
async def get_legislation(
    request: Request, key: Annotated[str, Path(examples=["haeoreum-industrial-belt-act"])]
) -> models.LegislationDetail:
    """Who is behind an act or bill: its steps, promoters, proposers and what it concerns
    (queries ``legislation``, ``legislation-detail`` and ``entity-sources``)."""
    return await lookup(request).legislation_item(key)
