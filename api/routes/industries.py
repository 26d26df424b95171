"""``/industries``: the industries local governments build on, and each one in detail."""

from __future__ import annotations

from typing import Annotated

from alliance_kg.api import models
from alliance_kg.api.deps import PROBLEMS, lookup
from fastapi import APIRouter, Path, Request

router = APIRouter(tags=["industries"])


@router.get("/industries", response_model=list[models.Industry])
async def list_industries(request: Request) -> list[models.Industry]:
    """Industries and how many local governments build on each (query ``industries``)."""
    return await lookup(request).industries()


@router.get("/industries/{key}", response_model=models.IndustryDetail, responses=PROBLEMS)
async def get_industry(
    request: Request, key: Annotated[str, Path(examples=["secondary-batteries"])]
) -> models.IndustryDetail:
    """The cities, national designations and companies of an industry (queries ``industries``,
    ``industry`` and ``entity-sources``)."""
    return await lookup(request).industry(key)
