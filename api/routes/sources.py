"""``/sources``: the sources the records cite, and what each one asserts."""

from __future__ import annotations

from typing import Annotated

from alliance_kg.api import models
from alliance_kg.api.deps import PROBLEMS, lookup
from fastapi import APIRouter, Path, Request

router = APIRouter(tags=["sources"])


@router.get("/sources", response_model=list[models.Source])
async def list_sources(request: Request) -> list[models.Source]:
    """Every source the records cite (query ``sources``)."""
    return await lookup(request).sources()


@router.get("/sources/{key}", response_model=models.SourceDetail, responses=PROBLEMS)
async def get_source(
    request: Request, key: Annotated[str, Path(examples=["joongdo-2024-05-15-yongin-pohang"])]
) -> models.SourceDetail:
    """A source and what it asserts: the records that cite it (queries ``sources`` and
    ``source-assertions``)."""
    return await lookup(request).source(key)
