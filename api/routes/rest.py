"""The REST API: canned queries by name, and municipalities, alliances, industries, legislation
and sources as resources. Every answer comes from a canned query in ``queries/`` (named in the
endpoint's description) run on the backend (:mod:`alliance_kg.api.lookup.backend`): the embedded
store, or a remote
SPARQL endpoint with ``alliance-kg serve --sparql-endpoint URL``.


Keys (``/municipalities/{key}`` ...) are resolved in an in-memory name index
(:mod:`alliance_kg.api.lookup.names`)
built from a canned query's rows and rebuilt when the store changes; user text never reaches
SPARQL. An ambiguous key answers 300 with the candidates, an unknown one 404.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from alliance_kg.api import models
from alliance_kg.api.http.negotiation import Offer, choose_or_406, content_type, format_parameter
from alliance_kg.api.http.problems import Problem
from alliance_kg.api.lookup.backend import (
    Backend,
    BackendError,
    EmbeddedBackend,
    RemoteBackend,
    plain,
)
from alliance_kg.api.lookup.names import MAX_KEY, Entry, NameIndex, slug_of
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from alliance_kg import canned, iri

router = APIRouter()

WIKIDATA = iri.WIKIDATA
PROBLEMS: dict[int | str, dict[str, Any]] = {
    300: {"model": models.ProblemBody, "description": "ambiguous key: the candidates"},
    400: {"model": models.ProblemBody, "description": "bad input"},
    404: {"model": models.ProblemBody, "description": "no such entity"},
}


# --------------------------------------------------------------------------------------------
# Shared state: the backend, the canned queries and the name indexes


@dataclass
class Rest:
    backend: Backend
    queries: dict[str, canned.CannedQuery]
    indexes: dict[str, NameIndex] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def rows(self, name: str, **values: str | None) -> list[dict[str, Any]]:
        """The rows of a canned query, its parameters given as text and parsed by their type."""
        query = self.queries[name]
        try:
            terms = query.bind({k: v for k, v in values.items() if v is not None})
        except canned.BadParameter as e:
            raise Problem(400, str(e), title="Bad parameter", slug="bad-parameter") from None
        try:
            return (await self.backend.select(query, terms))[1]
        except BackendError as e:
            raise Problem(503, str(e), title="Store unavailable", slug="store-unavailable") from e

    async def index(self, name: str, build: Callable[[list[dict]], list[Entry]]) -> NameIndex:
        """The name index built from a canned query's rows, rebuilt when the data changed."""
        version = self.backend.version()
        current = self.indexes.get(name)
        if current is not None and current.version == version:
            return current
        lock = self.locks.setdefault(name, asyncio.Lock())
        async with lock:
            current = self.indexes.get(name)
            if current is None or current.version != version:
                rows = await self.rows(name)
                current = NameIndex(build(rows), version=version)
                self.indexes[name] = current
        return current

    async def municipalities(self) -> NameIndex:
        return await self.index("municipality-names", municipality_entries)


def rest(request: Request) -> Rest:
    """The app's REST state, made on first use from its settings."""
    state = getattr(request.app.state, "rest", None)
    if state is None:
        settings = request.app.state.settings
        endpoint = getattr(settings, "sparql_endpoint", None)
        if endpoint:
            backend: Backend = RemoteBackend(endpoint, timeout=settings.query_timeout)
        elif settings.store is not None:
            backend = EmbeddedBackend(settings.store)
        else:
            raise Problem(
                503,
                "The REST API answers from a built store or a SPARQL endpoint; this server runs "
                "on a scratch store only. Use /sparql, or serve with --store or "
                "--sparql-endpoint.",
                title="No store for the REST API",
                slug="no-rest-store",
            )
        state = Rest(backend, canned.load_all(settings.queries_dir))
        request.app.state.rest = state
    return state


# --------------------------------------------------------------------------------------------
# From rows to objects


def v(row: dict[str, Any], name: str) -> str | None:
    return plain(row.get(name))


def qid(wikidata_iri: str | None) -> str | None:
    if wikidata_iri and wikidata_iri.startswith(WIKIDATA):
        return wikidata_iri[len(WIKIDATA) :]
    return None


def grouped(rows: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        k = v(row, key)
        if k is not None:
            out.setdefault(k, []).append(row)
    return out


def municipality_entries(rows: list[dict]) -> list[Entry]:
    entries = []
    for m, rs in grouped(rows, "municipality").items():
        first = rs[0]
        cls = v(first, "class") or ""
        level = v(first, "level")
        entries.append(
            Entry(
                id=m,
                slug=slug_of(m),
                name_ko=v(first, "nameKo"),
                name_en=v(first, "nameEn"),
                aliases=tuple(dict.fromkeys(a for r in rs if (a := v(r, "alias")))),
                code=v(first, "code"),
                wikidata=qid(v(first, "wikidata")),
                level=slug_of(level) if level else None,
                parent=v(first, "parent"),
                country=v(first, "country")
                or (None if cls.endswith("ForeignLocalGovernment") else "KR"),
                kind="municipality",
            )
        )
    return entries


def named_entries(id_var: str, kind: str) -> Callable[[list[dict]], list[Entry]]:
    """An index builder for a list query with nameKo, nameEn, alias and wikidata columns."""

    def build(rows: list[dict]) -> list[Entry]:
        out = []
        for x, rs in grouped(rows, id_var).items():
            first = rs[0]
            out.append(
                Entry(
                    id=x,
                    slug=slug_of(x),
                    name_ko=v(first, "nameKo") or v(first, "title"),
                    name_en=v(first, "nameEn"),
                    aliases=tuple(dict.fromkeys(a for r in rs if (a := v(r, "alias")))),
                    wikidata=qid(v(first, "wikidata")),
                    kind=kind,
                    extra={k: t["value"] for k, t in first.items()},
                )
            )
        return out

    return build


def municipality(e: Entry) -> models.Municipality:
    return models.Municipality(
        id=e.id,
        slug=e.slug,
        name_ko=e.name_ko,
        name_en=e.name_en,
        wikidata=e.wikidata,
        level=e.level,
        code=e.code,
        parent=e.parent,
        country=e.country,
    )


def ref(entity: str, ko: str | None = None, en: str | None = None) -> models.Ref:
    return models.Ref(id=entity, slug=slug_of(entity), name_ko=ko, name_en=en)


def item_ref(row: dict, var: str = "item") -> models.Ref:
    return ref(v(row, var) or "", v(row, var + "Ko"), v(row, var + "En"))


def sources_of(rows: list[dict]) -> list[models.SourceRef]:
    seen: dict[str, models.SourceRef] = {}
    for r in rows:
        s = v(r, "source")
        if s and s not in seen:
            seen[s] = models.SourceRef(id=s, title=v(r, "title"))
    return list(seen.values())


# --------------------------------------------------------------------------------------------
# Keys


def check_key(key: str) -> str:
    """A key fit to look up, or a 400: too long, control characters, undecodable bytes."""
    if len(key) > MAX_KEY:
        raise Problem(
            400,
            f"The key is {len(key)} characters long; keys are at most {MAX_KEY}.",
            title="Key too long",
            slug="bad-key",
        )
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co") or c == "\ufffd" for c in key):
        raise Problem(
            400,
            "The key holds control characters or bytes that are not UTF-8.",
            title="Bad key",
            slug="bad-key",
        )
    return key


def resolve(index: NameIndex, key: str, what: str) -> Entry:
    found = index.lookup(check_key(key))
    if not found:
        raise Problem(
            404,
            f"No {what} is known by {key!r}. Search with /municipalities?q=..."
            if what == "local government"
            else f"No {what} is known by {key!r}.",
            title="Not found",
            slug="not-found",
            key=key,
        )
    if len(found) > 1:
        raise Problem(
            300,
            f"{key!r} names {len(found)} {what}s; ask for one of them by slug, code or QID.",
            title="Ambiguous key",
            slug="ambiguous-key",
            key=key,
            candidates=[municipality(e).model_dump() for e in found],
        )
    return found[0]


# --------------------------------------------------------------------------------------------
# Canned queries


QUERY_OFFERS = [
    Offer("application/json", value="json"),
    Offer("application/sparql-results+json", value="sparql-json"),
    Offer("text/csv", value="csv"),
]


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


@router.get("/queries", tags=["canned queries"], response_model=list[models.QueryInfo])
async def list_queries(request: Request) -> list[models.QueryInfo]:
    """Every canned query: its name, title, description, parameters (with examples) and SPARQL
    text. Each runs at ``/queries/{name}``."""
    return [query_info(q) for q in rest(request).queries.values()]


@router.get(
    "/queries/{name}",
    tags=["canned queries"],
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
    state = rest(request)
    query = state.queries.get(name)
    if query is None:
        raise Problem(404, f"There is no canned query {name!r}; see /queries.", slug="not-found")
    params = request.query_params
    fmt = format_parameter(params.multi_items())
    offer = choose_or_406(QUERY_OFFERS, request.headers.get("accept"), fmt)
    values: dict[str, str] = {}
    for k, val in params.multi_items():
        if k in ("format", "output", "results"):
            continue
        if k in values:
            raise Problem(400, f"{k} is given twice.", slug="bad-parameter")
        values[k] = check_key(val) if len(val) <= 2000 else check_key("x" * (MAX_KEY + 1))
    missing = [p.name for p in query.parameters if not p.optional and p.name not in values]
    if missing:
        raise Problem(
            400,
            f"{name} needs {', '.join(missing)}; see /queries for examples.",
            title="Missing parameter",
            slug="bad-parameter",
        )
    try:
        terms = query.bind(values)
    except canned.BadParameter as e:
        raise Problem(400, str(e), title="Bad parameter", slug="bad-parameter") from None
    try:
        columns, rows = await state.backend.select(query, terms)
    except BackendError as e:
        raise Problem(503, str(e), title="Store unavailable", slug="store-unavailable") from e
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


# --------------------------------------------------------------------------------------------
# Municipalities


@router.get("/municipalities", tags=["municipalities"], response_model=models.MunicipalityPage)
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
    index = await rest(request).municipalities()
    if q:
        hits = [(h.entry, h.score) for h in index.search(check_key(q), limit=len(index))]
    else:
        hits = [(e, 100) for e in index.entries]
    if level:
        hits = [(e, s) for e, s in hits if e.level == level]
    if province:
        upper = resolve(index, province, "local government")
        hits = [(e, s) for e, s in hits if _within(index, e, upper.id)]
    page = hits[offset : offset + limit]
    return models.MunicipalityPage(
        total=len(hits),
        limit=limit,
        offset=offset,
        items=[models.MunicipalityHit(**municipality(e).model_dump(), score=s) for e, s in page],
    )


def _within(index: NameIndex, e: Entry, upper: str) -> bool:
    seen = 0
    while e is not None and seen < 10:
        if e.id == upper:
            return True
        e = index.get(e.parent) if e.parent else None
        seen += 1
    return False


KEY_DOC = "slug, Korean or English name or alias, 5-digit code, or Wikidata QID"


@router.get(
    "/municipalities/{key}",
    tags=["municipalities"],
    response_model=models.MunicipalityDetail,
    responses=PROBLEMS,
)
async def get_municipality(
    request: Request,
    key: Annotated[str, Path(description=KEY_DOC, examples=["용인특례시"])],
) -> models.MunicipalityDetail:
    """One local government (queries ``municipality-names`` and ``municipality``)."""
    state = rest(request)
    e = resolve(await state.municipalities(), key, "local government")
    rows = await state.rows("municipality", municipality=e.id)
    by = grouped(rows, "section")
    coords = (by.get("coordinates") or [{}])[0]
    return models.MunicipalityDetail(
        **municipality(e).model_dump(),
        aliases=list(e.aliases),
        lat=float(v(coords, "lat")) if v(coords, "lat") else None,
        long=float(v(coords, "long")) if v(coords, "long") else None,
        statuses=[
            models.Status(status=slug_of(v(r, "item") or ""), since=v(r, "since"))
            for r in by.get("status", [])
        ],
        memberships=[
            models.Membership(organization=item_ref(r), since=v(r, "since"), until=v(r, "until"))
            for r in by.get("membership", [])
        ],
        industries=[item_ref(r) for r in by.get("industry", [])],
        sources=[
            models.SourceRef(id=v(r, "item") or "", title=v(r, "title"))
            for r in by.get("source", [])
        ],
    )


async def partners_of(
    state: Rest, e: Entry, kind: str | None = None, as_of: str | None = None
) -> list[models.Partner]:
    rows = await state.rows("partners", municipality=e.id, tie_kind=kind, as_of=as_of)
    index = await state.municipalities()
    ties: dict[tuple[str, str, str], list[dict]] = {}
    for r in rows:
        ties.setdefault((v(r, "partner") or "", v(r, "tie") or "", v(r, "kind") or ""), []).append(
            r
        )
    out = []
    for (partner, tie, tie_kind), rs in ties.items():
        first = rs[0]
        entry = index.get(partner) or Entry(
            partner, slug_of(partner), v(first, "partnerKo"), v(first, "partnerEn")
        )
        is_agreement = "/agreement/" in tie
        out.append(
            models.Partner(
                partner=municipality(entry),
                kind=tie_kind,
                since=v(first, "since"),
                until=v(first, "until"),
                ended=v(first, "ended") == "true",
                agreement=tie if is_agreement else None,
                alliance=None if is_agreement else tie,
                label=v(first, "tieEn"),
                sources=[
                    models.SourceRef(id=s, title=v(r, "sourceTitle"))
                    for s, r in {v(r, "source"): r for r in rs if v(r, "source")}.items()
                    if s
                ],
            )
        )
    return out


@router.get(
    "/municipalities/{key}/partners",
    tags=["municipalities"],
    response_model=models.Partners,
    responses=PROBLEMS,
)
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
) -> models.Partners:
    """The partners of a local government: agreements and shared alliances, each with its
    date and sources (query ``partners``)."""
    state = rest(request)
    e = resolve(await state.municipalities(), key, "local government")
    return models.Partners(
        municipality=municipality(e),
        kind=kind,
        as_of=as_of,
        partners=await partners_of(state, e, kind, as_of),
    )


# --------------------------------------------------------------------------------------------
# Alliances, industries, legislation, sources


def alliance_model(e: Entry) -> models.Alliance:
    x = e.extra
    return models.Alliance(
        id=e.id,
        slug=e.slug,
        name_ko=e.name_ko,
        name_en=e.name_en,
        kind=x.get("kind", "alliance"),
        aliases=list(e.aliases),
        wikidata=e.wikidata,
        founded=x.get("founded"),
        dissolved=x.get("dissolved"),
        members=int(x.get("members", 0)),
    )


@router.get("/alliances", tags=["alliances"], response_model=list[models.Alliance])
async def list_alliances(request: Request) -> list[models.Alliance]:
    """Alliances and special local governments (query ``alliances``)."""
    index = await rest(request).index("alliances", named_entries("alliance", "alliance"))
    return [alliance_model(e) for e in index.entries]


@router.get(
    "/alliances/{key}",
    tags=["alliances"],
    response_model=models.AllianceDetail,
    responses=PROBLEMS,
)
async def get_alliance(
    request: Request,
    key: Annotated[str, Path(examples=["haeoreum-alliance"])],
) -> models.AllianceDetail:
    """An alliance with its members and their membership dates, councils and offices, meetings
    with outcomes, declarations with commitments, and the legislation it promotes (queries
    ``alliances``, ``alliance`` and ``entity-sources``)."""
    state = rest(request)
    e = resolve(
        await state.index("alliances", named_entries("alliance", "alliance")), key, "alliance"
    )
    rows, sources = await asyncio.gather(
        state.rows("alliance", alliance=e.id), state.rows("entity-sources", entity=e.id)
    )
    by = grouped(rows, "section")
    meetings: dict[str, models.Meeting] = {}
    for r in by.get("meeting", []):
        m = meetings.setdefault(
            v(r, "item") or "", models.Meeting(**item_ref(r).model_dump(), date=v(r, "date"))
        )
        if v(r, "detail") and v(r, "detail") not in m.outcomes:
            m.outcomes.append(v(r, "detail") or "")
            m.outcomes.sort()  # in Python: engines order long strings differently
    declarations: dict[str, models.Declaration] = {}
    for r in by.get("declaration", []):
        d = declarations.setdefault(
            v(r, "item") or "",
            models.Declaration(**item_ref(r).model_dump(), date=v(r, "date")),
        )
        pos = v(r, "position")
        if pos and all(c.position != int(pos) for c in d.commitments):
            d.commitments.append(
                models.Commitment(
                    position=int(pos), text_ko=v(r, "detailKo"), text_en=v(r, "detailEn")
                )
            )
    units = {
        v(r, "item"): models.Unit(
            **item_ref(r).model_dump(),
            kind=v(r, "kind") or "",
            founded=v(r, "since"),
            seat=v(r, "seat"),
            staff=int(v(r, "staff") or 0) or None,
        )
        for r in by.get("unit", [])
    }
    members = {
        v(r, "item"): models.Member(member=item_ref(r), since=v(r, "since"), until=v(r, "until"))
        for r in by.get("member", [])
    }
    legislation = {
        v(r, "item"): models.LegislationRef(**item_ref(r).model_dump(), status=v(r, "kind"))
        for r in by.get("legislation", [])
    }
    return models.AllianceDetail(
        alliance=alliance_model(e),
        members=list(members.values()),
        units=list(units.values()),
        meetings=list(meetings.values()),
        declarations=list(declarations.values()),
        legislation=list(legislation.values()),
        sources=sources_of(sources),
    )


def industry_model(e: Entry) -> models.Industry:
    return models.Industry(
        id=e.id,
        slug=e.slug,
        name_ko=e.name_ko,
        name_en=e.name_en,
        aliases=list(e.aliases),
        broader=e.extra.get("broader"),
        wikidata=e.wikidata,
        cities=int(e.extra.get("cities", 0)),
    )


@router.get("/industries", tags=["industries"], response_model=list[models.Industry])
async def list_industries(request: Request) -> list[models.Industry]:
    """Industries and how many local governments build on each (query ``industries``)."""
    index = await rest(request).index("industries", named_entries("industry", "industry"))
    return [industry_model(e) for e in index.entries]


@router.get(
    "/industries/{key}",
    tags=["industries"],
    response_model=models.IndustryDetail,
    responses=PROBLEMS,
)
async def get_industry(
    request: Request,
    key: Annotated[str, Path(examples=["secondary-batteries"])],
) -> models.IndustryDetail:
    """The cities, national designations and companies of an industry (queries ``industries``,
    ``industry`` and ``entity-sources``)."""
    state = rest(request)
    e = resolve(
        await state.index("industries", named_entries("industry", "industry")), key, "industry"
    )
    rows, sources = await asyncio.gather(
        state.rows("industry", industry=e.id), state.rows("entity-sources", entity=e.id)
    )
    index = await state.municipalities()

    def site(s: str) -> models.Ref:
        m = index.get(s)
        return ref(s, m.name_ko, m.name_en) if m else ref(s)

    by = grouped(rows, "section")
    designations: dict[str, models.Designation] = {}
    for r in by.get("designation", []):
        d = designations.setdefault(
            v(r, "item") or "",
            models.Designation(
                **item_ref(r).model_dump(),
                program=v(r, "program"),
                date=v(r, "date"),
                focus=v(r, "detail"),
            ),
        )
        d.sites.append(site(v(r, "site") or ""))
    companies: dict[str, models.Company] = {}
    for r in by.get("company", []):
        c = companies.setdefault(v(r, "item") or "", models.Company(**item_ref(r).model_dump()))
        c.sites.append(site(v(r, "site") or ""))
    cities = {v(r, "item"): item_ref(r) for r in by.get("city", [])}
    return models.IndustryDetail(
        industry=industry_model(e),
        cities=list(cities.values()),
        designations=list(designations.values()),
        companies=list(companies.values()),
        sources=sources_of(sources),
    )


def legislation_model(e: Entry) -> models.Legislation:
    return models.Legislation(
        id=e.id,
        slug=e.slug,
        name_ko=e.name_ko,
        name_en=e.name_en,
        kind=e.extra.get("kind", "bill"),
        aliases=list(e.aliases),
        status=e.extra.get("status"),
        wikidata=e.wikidata,
    )


@router.get("/legislation", tags=["legislation"], response_model=list[models.Legislation])
async def list_legislation(request: Request) -> list[models.Legislation]:
    """Acts and bills with their status (query ``legislation``)."""
    index = await rest(request).index("legislation", named_entries("legislation", "legislation"))
    return [legislation_model(e) for e in index.entries]


@router.get(
    "/legislation/{key}",
    tags=["legislation"],
    response_model=models.LegislationDetail,
    responses=PROBLEMS,
)
async def get_legislation(
    request: Request,
    key: Annotated[str, Path(examples=["haeoreum-industrial-belt-act"])],
) -> models.LegislationDetail:
    """Who is behind an act or bill: its steps, promoters, proposers and what it concerns
    (queries ``legislation``, ``legislation-detail`` and ``entity-sources``)."""
    state = rest(request)
    index = await state.index("legislation", named_entries("legislation", "legislation"))
    e = resolve(index, key, "act or bill")
    rows, sources = await asyncio.gather(
        state.rows("legislation-detail", legislation=e.id),
        state.rows("entity-sources", entity=e.id),
    )
    by = grouped(rows, "section")
    return models.LegislationDetail(
        legislation=legislation_model(e),
        steps=[models.Step(step=v(r, "step") or "", date=v(r, "date")) for r in by.get("step", [])],
        promoters=[item_ref(r) for r in by.get("promoter", [])],
        proposers=[item_ref(r) for r in by.get("proposer", [])],
        concerns=[item_ref(r) for r in by.get("concerns", [])],
        sources=sources_of(sources),
    )


def source_model(e: Entry) -> models.Source:
    x = e.extra
    return models.Source(
        id=e.id,
        slug=e.slug,
        title=x.get("title"),
        kind=x.get("kind"),
        publisher=x.get("publisher"),
        date=x.get("date"),
        language=x.get("language"),
        url=x.get("url"),
        records=int(x.get("records", 0)),
    )


@router.get("/sources", tags=["sources"], response_model=list[models.Source])
async def list_sources(request: Request) -> list[models.Source]:
    """Every source the records cite (query ``sources``)."""
    index = await rest(request).index("sources", named_entries("source", "source"))
    return [source_model(e) for e in index.entries]


@router.get(
    "/sources/{key}", tags=["sources"], response_model=models.SourceDetail, responses=PROBLEMS
)
async def get_source(
    request: Request,
    key: Annotated[str, Path(examples=["joongdo-2024-05-15-yongin-pohang"])],
) -> models.SourceDetail:
    """A source and what it asserts: the records that cite it (queries ``sources`` and
    ``source-assertions``)."""
    state = rest(request)
    e = resolve(await state.index("sources", named_entries("source", "source")), key, "source")
    rows = await state.rows("source-assertions", source=e.id)
    return models.SourceDetail(
        source=source_model(e),
        asserts=[
            models.Assertion(
                graph=v(r, "graph") or "",
                entity=ref(v(r, "entity") or "", v(r, "nameKo"), v(r, "nameEn")),
                statements=int(v(r, "statements") or 0),
            )
            for r in rows
        ],
    )
