"""The lookup service: canned queries run on the backend, and their rows turned into the models of
:mod:`alliance_kg.api.models`. The REST routes, the web pages and reconciliation all ask here.

Keys (``/municipalities/{key}`` ...) are resolved in an in-memory name index
(:mod:`alliance_kg.api.lookup.names`) built from a canned query's rows and rebuilt when the store
changes; user text never reaches SPARQL. An ambiguous key is a 300 problem with the candidates,
an unknown one a 404.

>>> qid("http://www.wikidata.org/entity/Q42157"), qid("https://example.org/Q1")
('Q42157', None)
>>> rows = [{"section": {"value": "status"}}, {"section": {"value": "industry"}}, {}]
>>> {k: len(rs) for k, rs in grouped(rows, "section").items()}
{'status': 1, 'industry': 1}
>>> check_key("x" * 201)
Traceback (most recent call last):
...
alliance_kg.api.http.problems.Problem: The key is 201 characters long; keys are at most 200.
"""

from __future__ import annotations

import asyncio
import sys
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import pyoxigraph as ox
from alliance_kg.api import models
from alliance_kg.api.http import problems
from alliance_kg.api.lookup.backend import Backend, BackendError, plain
from alliance_kg.api.lookup.names import MAX_KEY, Entry, NameIndex, slug_of

from alliance_kg import canned, iri

T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# From rows to objects


def v(row: dict[str, Any], name: str) -> str | None:
    """The plain value of a column of a result row, or None where it is unbound."""
    return plain(row.get(name))


def qid(wikidata_iri: str | None) -> str | None:
    if wikidata_iri and wikidata_iri.startswith(iri.WIKIDATA):
        return wikidata_iri[len(iri.WIKIDATA) :]
    return None


def grouped(rows: list[dict], key: str) -> dict[str, list[dict]]:
    """The rows by their value of one column, in order; rows without it are left out."""
    out: dict[str, list[dict]] = {}
    for row in rows:
        k = v(row, key)
        if k is not None:
            out.setdefault(k, []).append(row)
    return out


def entry_of(entity: str, rows: list[dict], **fields: Any) -> Entry:
    """An index entry from an entity's rows (nameKo or title, nameEn, alias and wikidata
    columns), with the other fields given."""
    first = rows[0]
    return Entry(
        id=entity,
        slug=slug_of(entity),
        name_ko=v(first, "nameKo") or v(first, "title"),
        name_en=v(first, "nameEn"),
        aliases=tuple(dict.fromkeys(a for r in rows if (a := v(r, "alias")))),
        wikidata=qid(v(first, "wikidata")),
        **fields,
    )


def municipality_entries(rows: list[dict]) -> list[Entry]:
    entries = []
    for m, rs in grouped(rows, "municipality").items():
        first = rs[0]
        cls = v(first, "class") or ""
        level = v(first, "level")
        country = v(first, "country") or (None if cls.endswith("ForeignLocalGovernment") else "KR")
        entries.append(
            entry_of(
                m,
                rs,
                code=v(first, "code"),
                level=slug_of(level) if level else None,
                parent=v(first, "parent"),
                country=country,
                kind="municipality",
            )
        )
    return entries


def named_entries(id_var: str, kind: str) -> Callable[[list[dict]], list[Entry]]:
    """An index builder for a list query of one kind of entity, its columns kept as extras."""

    def build(rows: list[dict]) -> list[Entry]:
        return [
            entry_of(x, rs, kind=kind, extra={k: t["value"] for k, t in rs[0].items()})
            for x, rs in grouped(rows, id_var).items()
        ]

    return build


def names_of(e: Entry) -> dict[str, Any]:
    """The fields every model of a named entity starts with."""
    return {"id": e.id, "slug": e.slug, "name_ko": e.name_ko, "name_en": e.name_en}


def municipality(e: Entry) -> models.Municipality:
    return models.Municipality(
        **names_of(e),
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


def per_item(rows: list[dict], make: Callable[[dict], T]) -> list[T]:
    """One object per item of a section, made from its last row, in the order items first
    appear."""
    return list({v(r, "item"): make(r) for r in rows}.values())


def sources_of(rows: list[dict]) -> list[models.SourceRef]:
    seen: dict[str, models.SourceRef] = {}
    for r in rows:
        s = v(r, "source")
        if s and s not in seen:
            seen[s] = models.SourceRef(id=s, title=v(r, "title"))
    return list(seen.values())


def alliance_model(e: Entry) -> models.Alliance:
    x = e.extra
    return models.Alliance(
        **names_of(e),
        kind=x.get("kind", "alliance"),
        aliases=list(e.aliases),
        wikidata=e.wikidata,
        founded=x.get("founded"),
        dissolved=x.get("dissolved"),
        members=int(x.get("members", 0)),
    )


def industry_model(e: Entry) -> models.Industry:
    return models.Industry(
        **names_of(e),
        aliases=list(e.aliases),
        broader=e.extra.get("broader"),
        wikidata=e.wikidata,
        cities=int(e.extra.get("cities", 0)),
    )


def legislation_model(e: Entry) -> models.Legislation:
    return models.Legislation(
        **names_of(e),
        kind=e.extra.get("kind", "bill"),
        aliases=list(e.aliases),
        status=e.extra.get("status"),
        wikidata=e.wikidata,
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


# --------------------------------------------------------------------------------------------
# Keys and the name indexes


def check_key(key: str) -> str:
    """A key fit to look up, or a 400: too long, control characters, undecodable bytes."""
    if len(key) > MAX_KEY:
        raise problems.bad_key(
            f"The key is {len(key)} characters long; keys are at most {MAX_KEY}."
        )
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co") or c == "\ufffd" for c in key):
        raise problems.bad_key("The key holds control characters or bytes that are not UTF-8.")
    return key


@dataclass(frozen=True)
class Listing:
    """A kind of entity the service finds by key: the canned query listing them all, how to
    index its rows, and what a 404 calls one."""

    query: str
    build: Callable[[list[dict]], list[Entry]]
    what: str


LISTINGS = {
    "municipality": Listing("municipality-names", municipality_entries, "local government"),
    "alliance": Listing("alliances", named_entries("alliance", "alliance"), "alliance"),
    "industry": Listing("industries", named_entries("industry", "industry"), "industry"),
    "legislation": Listing(
        "legislation", named_entries("legislation", "legislation"), "act or bill"
    ),
    "source": Listing("sources", named_entries("source", "source"), "source"),
}


def within(index: NameIndex, e: Entry | None, upper: str) -> bool:
    """Whether a local government is the upper one or lies in it (ten levels at most)."""
    seen = 0
    while e is not None and seen < 10:
        if e.id == upper:
            return True
        e = index.get(e.parent) if e.parent else None
        seen += 1
    return False


def partner_models(rows: list[dict], index: NameIndex) -> list[models.Partner]:
    """One local government's rows of the ``partners`` query as its ties, in the rows' order."""
    ties: dict[tuple[str, str, str], list[dict]] = {}
    for r in rows:
        tie = (v(r, "partner") or "", v(r, "tie") or "", v(r, "kind") or "")
        ties.setdefault(tie, []).append(r)
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


def ordered(text: str | None) -> tuple[bool, str]:
    """Where ORDER BY puts a value: unbound first, then by its text. (The dates are ISO dates,
    year-months and years, whose text orders as the store orders them, one type among another
    too.)"""
    return (text is not None, text or "")


@dataclass
class Pair:
    """One government's tie with one partner through one agreement or organization, as the
    ``partners`` query's rows for it give it: the values of the row ORDER BY puts first."""

    since: str | None
    until: str | None
    ended: bool
    label: str | None
    partner_ko: str | None
    partner_en: str | None
    graphs: set[str]

    def key(self) -> tuple:
        return (ordered(self.since), ordered(self.partner_en))


def keep_first(pairs: dict[tuple, Pair], at: tuple, pair: Pair) -> None:
    """Keep, per government, partner, tie and kind, the pair ORDER BY would put first; the
    graphs (and so the sources) of all of them."""
    known = pairs.get(at)
    if known is None:
        pairs[at] = pair
        return
    pair.graphs |= known.graphs
    if pair.key() < known.key():
        pairs[at] = pair
    else:
        known.graphs |= pair.graphs


class AgreementParty(NamedTuple):
    """A row of ``agreement-parties``."""

    tie: str
    party: str
    partyKo: str | None
    partyEn: str | None
    kind: str
    ended: str
    since: str | None
    until: str | None
    tieEn: str | None
    graph: str


class OrganizationMember(NamedTuple):
    """A row of ``organization-members``."""

    tie: str
    kind: str
    membership: str
    member: str
    memberKo: str | None
    memberEn: str | None
    since: str | None
    until: str | None
    dissolved: str | None
    tieEn: str | None
    graph: str


class GraphSource(NamedTuple):
    """A row of ``graph-sources``."""

    graph: str
    source: str
    sourceTitle: str | None


def joined_partners(
    agreements: list[AgreementParty],
    members: list[OrganizationMember],
    graph_sources: list[GraphSource],
    index: NameIndex,
) -> dict[str, list[Tie]]:
    """Every local government's ties, by IRI, as the ``partners`` query gives them for each
    (in its order), joined from the rows of three plain queries over the whole store:
    ``agreement-parties`` (every party of every agreement), ``organization-members`` (every
    member of every alliance and union) and ``graph-sources``. Run over every government at
    once, ``partners`` itself takes several times longer: its per-row OPTIONALs and ORDER BY
    suit one government."""
    pairs: dict[tuple[str, str, str, str], Pair] = {}  # (government, partner, tie, kind)
    by_tie: dict[str, list[Any]] = {}
    for a in agreements:
        by_tie.setdefault(a.tie, []).append(a)
    for tie, rows in by_tie.items():
        for mine in {a.party for a in rows}:
            for a in rows:
                if a.party == mine:
                    continue
                pair = Pair(
                    since=a.since,
                    until=a.until,
                    ended=a.ended == "true",
                    label=a.tieEn,
                    partner_ko=a.partyKo,
                    partner_en=a.partyEn,
                    graphs={a.graph},
                )
                keep_first(pairs, (mine, a.party, tie, a.kind), pair)
    by_tie = {}
    for m in members:
        by_tie.setdefault(m.tie, []).append(m)
    for tie, rows in by_tie.items():
        for mine in rows:
            for theirs in rows:
                if theirs.member == mine.member or theirs.kind != mine.kind:
                    continue
                # Two members are tied from the day the later of them joined to the day the
                # first left (or the organization was dissolved).
                starts = [mine.since, theirs.since]
                ends = [u for u in (mine.until, theirs.until) if u is not None]
                pair = Pair(
                    since=max(starts) if None not in starts else None,  # type: ignore[type-var]
                    until=min(ends) if ends else mine.dissolved,
                    ended=False,
                    label=mine.tieEn,
                    partner_ko=theirs.memberKo,
                    partner_en=theirs.memberEn,
                    graphs={mine.graph, theirs.graph},
                )
                keep_first(pairs, (mine.member, theirs.member, tie, mine.kind), pair)
    del by_tie
    sources: dict[str, dict[str, str | None]] = {}
    for g in graph_sources:
        sources.setdefault(g.graph, {})[g.source] = g.sourceTitle
    partners: dict[str, models.Municipality] = {}  # one model per partner, for every tie of it
    by_municipality: dict[str, list[tuple[tuple, Tie]]] = {}
    while pairs:
        (mine, partner, tie, tie_kind), pair = pairs.popitem()
        cited = sorted({s: t for g in pair.graphs for s, t in sources.get(g, {}).items()}.items())
        model = partners.get(partner)
        if model is None:
            entry = index.get(partner) or Entry(
                partner, slug_of(partner), pair.partner_ko, pair.partner_en
            )
            model = partners[partner] = municipality(entry)
        is_agreement = "/agreement/" in tie
        p = models.Partner(
            partner=model,
            kind=tie_kind,
            since=pair.since,
            until=pair.until,
            ended=pair.ended,
            agreement=tie if is_agreement else None,
            alliance=None if is_agreement else tie,
            label=pair.label,
            sources=[models.SourceRef(id=s, title=t) for s, t in cited],
        )
        order = (*pair.key(), tie, cited[0][0] if cited else "", partner)
        by_municipality.setdefault(mine, []).append((order, tie_of(p)))
    return {m: [t for _, t in sorted(ts, key=lambda x: x[0])] for m, ts in by_municipality.items()}


class Tie(NamedTuple):
    """A tie in the read model: what ``kind`` and ``as_of`` filter on, and the tie as the JSON
    of a :class:`models.Partner`, made once. An answer joins these bytes, so a request neither
    builds nor serialises a model per tie, and a tie takes a tenth of the memory its model
    does."""

    kind: str
    since: str | None
    until: str | None
    ended: bool
    json: bytes


def tie_of(p: models.Partner) -> Tie:
    return Tie(sys.intern(p.kind), p.since, p.until, p.ended, p.model_dump_json().encode())


def partners_json(
    municipality: models.Municipality, kind: str | None, as_of: str | None, ties: list[Tie]
) -> bytes:
    """The JSON of :class:`models.Partners` with these ties: the model gives every other field,
    the ties' own JSON fills its list of partners (the last field)."""
    head = models.Partners(municipality=municipality, kind=kind, as_of=as_of, partners=[])
    text = head.model_dump_json().encode()
    assert text.endswith(b'"partners":[]}')
    return text[:-2] + b",".join(t.json for t in ties) + b"]}"


def in_force(p: models.Partner | Tie, day: str) -> bool:
    """Whether a tie was in force on a day, as the ``partners`` query's ``as_of`` keeps it:
    begun on or before it and not ended by it; a tie ended at an unknown date is left out."""
    if p.since is None or p.since > day:
        return False
    return p.until > day if p.until is not None else not p.ended


class MunicipalityFact(NamedTuple):
    """A row of ``municipality-facts``."""

    municipality: str
    section: str
    item: str | None
    itemKo: str | None
    itemEn: str | None
    title: str | None
    since: str | None
    until: str | None
    lat: str | None
    long: str | None


def bindings(row: NamedTuple) -> dict[str, dict[str, str]]:
    """A row of plain values as the backends' rows give it (only the values are read): the
    read model holds its rows as plain values while it is built, half the memory of bindings."""
    return {k: {"value": x} for k, x in zip(row._fields, row, strict=True) if x is not None}


def fact_order(row: dict) -> tuple:
    """Where the ``municipality`` query's ORDER BY ?section ?since ?item puts a row."""
    return (v(row, "section"), ordered(v(row, "since")), v(row, "item"))


def details_by_government(facts: list[MunicipalityFact], index: NameIndex) -> dict[str, bytes]:
    """Every local government's facts as JSON, by IRI, from the rows of ``municipality-facts``."""
    by: dict[str, list[MunicipalityFact]] = {}
    for f in facts:
        by.setdefault(f.municipality, []).append(f)
    return {e.id: detail_of(e, [bindings(f) for f in by.get(e.id, [])]) for e in index.entries}


def detail_of(e: Entry, rows: list[dict]) -> bytes:
    """The JSON of :class:`models.MunicipalityDetail` from a local government's rows of the
    ``municipality`` query, in any order."""
    by = grouped(sorted(rows, key=fact_order), "section")
    coords = (by.get("coordinates") or [{}])[0]
    detail = models.MunicipalityDetail(
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
    return detail.model_dump_json().encode()


# --------------------------------------------------------------------------------------------
# The service


@dataclass
class Lookup:
    """The backend, the canned queries and the name indexes, with one method per answer."""

    backend: Backend
    queries: dict[str, canned.CannedQuery]
    indexes: dict[str, NameIndex] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    # The read model: every government's ties ("partners") and facts as JSON ("details"), each
    # with the data version it was computed for (built once per version, not per lookup).
    tables: dict[str, tuple[Any, dict]] = field(default_factory=dict)

    # --- canned queries and indexes ---------------------------------------------------------

    def query(self, name: str) -> canned.CannedQuery:
        """A canned query by name, or a 404."""
        query = self.queries.get(name)
        if query is None:
            raise problems.not_found(f"There is no canned query {name!r}; see /queries.")
        return query

    async def select(
        self, name: str, values: dict[str, str]
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """The columns and rows of a canned query, its parameters given as text and parsed by
        their type: 404 for an unknown query, 400 for a missing or bad parameter."""
        query = self.query(name)
        missing = [p.name for p in query.parameters if not p.optional and p.name not in values]
        if missing:
            raise problems.bad_parameter(
                f"{name} needs {', '.join(missing)}; see /queries for examples."
            )
        try:
            terms = query.bind(values)
        except canned.BadParameter as e:
            raise problems.bad_parameter(str(e)) from None
        try:
            return await self.backend.select(query, terms)
        except BackendError as e:
            raise problems.store_unavailable(str(e)) from e

    async def rows(self, name: str, **values: str | None) -> list[dict[str, Any]]:
        """The rows of a canned query; parameters given as None are left out."""
        given = {k: value for k, value in values.items() if value is not None}
        return (await self.select(name, given))[1]

    async def index(self, kind: str) -> NameIndex:
        """The name index of a kind of entity, rebuilt when the data changed."""
        listing = LISTINGS[kind]
        version = self.backend.version()
        current = self.indexes.get(kind)
        if current is not None and current.version == version:
            return current
        async with self.locks.setdefault(kind, asyncio.Lock()):
            current = self.indexes.get(kind)
            if current is None or current.version != version:
                rows = await self.rows(listing.query)
                current = NameIndex(listing.build(rows), version=version)
                self.indexes[kind] = current
        return current

    async def municipalities(self) -> NameIndex:
        return await self.index("municipality")

    async def resolve(self, kind: str, key: str) -> Entry:
        """The one entity of a kind a key names: 400 for a bad key, 404 for none, 300 with the
        candidates for several."""
        what = LISTINGS[kind].what
        found = (await self.index(kind)).lookup(check_key(key))
        if not found:
            raise problems.not_found(
                f"No {what} is known by {key!r}. Search with /municipalities?q=..."
                if kind == "municipality"
                else f"No {what} is known by {key!r}.",
                key=key,
            )
        if len(found) > 1:
            raise problems.ambiguous_key(
                f"{key!r} names {len(found)} {what}s; ask for one of them by slug, code or QID.",
                key=key,
                candidates=[municipality(e).model_dump() for e in found],
            )
        return found[0]

    # --- local governments ------------------------------------------------------------------

    async def search(
        self,
        q: str | None = None,
        level: str | None = None,
        province: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> models.MunicipalityPage:
        """Local governments by name (ranked: exact names first, then names without their
        suffix, then prefixes and substrings), level and upper-level government."""
        index = await self.municipalities()
        if q:
            hits = [(h.entry, h.score) for h in index.search(check_key(q), limit=len(index))]
        else:
            hits = [(e, 100) for e in index.entries]
        if level:
            hits = [(e, s) for e, s in hits if e.level == level]
        if province:
            upper = await self.resolve("municipality", province)
            hits = [(e, s) for e, s in hits if within(index, e, upper.id)]
        page = hits[offset : offset + limit]
        return models.MunicipalityPage(
            total=len(hits),
            limit=limit,
            offset=offset,
            items=[
                models.MunicipalityHit(**municipality(e).model_dump(), score=s) for e, s in page
            ],
        )

    async def municipality_detail(self, key: str | Entry) -> models.MunicipalityDetail:
        """What the graph says about a local government (a key or its entry)."""
        return models.MunicipalityDetail.model_validate_json(await self.detail_json(key))

    async def detail_json(self, key: str | Entry) -> bytes:
        """The JSON of :class:`models.MunicipalityDetail` for a local government: from the read
        model where the backend answers in bulk, else from the ``municipality`` query."""
        e = key if isinstance(key, Entry) else await self.resolve("municipality", key)
        if self.backend.answers_in_bulk:
            # Not in the table only if the store was swapped since the key was resolved.
            return (await self.all_details()).get(e.id) or detail_of(e, [])
        return detail_of(e, await self.rows("municipality", municipality=e.id))

    async def all_details(self) -> dict[str, bytes]:
        """Every local government's facts as JSON, by IRI, computed once per data version from
        ``municipality-facts`` (the ``municipality`` query for all of them at once)."""

        async def build() -> dict[str, bytes]:
            facts = await self.backend.tuples(self.query("municipality-facts"), MunicipalityFact)
            index = await self.municipalities()
            return await asyncio.to_thread(details_by_government, facts, index)

        return await self.table("details", build)

    async def partners(
        self, municipality_key: str | Entry, kind: str | None = None, as_of: str | None = None
    ) -> list[models.Partner]:
        """The partners of a local government (a key or its entry): agreements and shared
        alliances, of one kind of tie or in force on one day if asked."""
        ties = await self.ties(municipality_key, kind, as_of)
        return [models.Partner.model_validate_json(t.json) for t in ties]

    async def ties(
        self, municipality_key: str | Entry, kind: str | None = None, as_of: str | None = None
    ) -> list[Tie]:
        """The ties of a local government (a key or its entry), of one kind or in force on one
        day if asked: its ties (:meth:`ties_of`) filtered as the ``partners`` query's own
        filters would."""
        e = (
            municipality_key
            if isinstance(municipality_key, Entry)
            else await self.resolve("municipality", municipality_key)
        )
        try:  # the parameters are checked as the canned query would check them
            terms = self.query("partners").bind(
                {"municipality": e.id, **({"as_of": as_of} if as_of is not None else {})}
            )
        except canned.BadParameter as error:
            raise problems.bad_parameter(str(error)) from None
        day = terms[ox.Variable("as_of")].value if as_of is not None else None
        return [
            t
            for t in await self.ties_of(e.id)
            if (kind is None or t.kind == kind) and (day is None or in_force(t, day))
        ]

    async def ties_of(self, entity: str) -> list[Tie]:
        """Every tie of one local government, unfiltered: from the read model where the backend
        answers in bulk, else from the ``partners`` query for that government alone."""
        if self.backend.answers_in_bulk:
            return (await self.all_partners()).get(entity, [])
        rows = await self.rows("partners", municipality=entity)
        return [tie_of(p) for p in partner_models(rows, await self.municipalities())]

    async def all_partners(self) -> dict[str, list[Tie]]:
        """Every local government's ties, by IRI, computed once per data version from three
        plain queries over the whole store (:func:`joined_partners`)."""

        async def build() -> dict[str, list[Tie]]:
            tuples, query = self.backend.tuples, self.query
            agreements = await tuples(query("agreement-parties"), AgreementParty)
            members = await tuples(query("organization-members"), OrganizationMember)
            sources = await tuples(query("graph-sources"), GraphSource)
            index = await self.municipalities()
            # The join is seconds of Python at 100x: in a thread (as the facts' is), the event
            # loop keeps answering other requests meanwhile.
            return await asyncio.to_thread(joined_partners, agreements, members, sources, index)

        return await self.table("partners", build)

    async def table(self, name: str, build: Callable[[], Awaitable[dict]]) -> dict:
        """A table of the read model, built once per data version, one build at a time."""
        version = self.backend.version()
        table = self.tables.get(name)
        if table is not None and table[0] == version:
            return table[1]
        async with self.locks.setdefault(name, asyncio.Lock()):
            table = self.tables.get(name)
            if table is None or table[0] != version:
                try:
                    table = self.tables[name] = (version, await build())
                except BackendError as error:
                    raise problems.store_unavailable(str(error)) from error
        return table[1]

    async def municipality_partners(
        self, key: str, kind: str | None = None, as_of: str | None = None
    ) -> bytes:
        """The JSON of :class:`models.Partners` for a local government."""
        e = await self.resolve("municipality", key)
        return partners_json(municipality(e), kind, as_of, await self.ties(e, kind, as_of))

    # --- alliances, industries, legislation, sources ----------------------------------------

    async def detail_rows(
        self, kind: str, key: str, query: str
    ) -> tuple[Entry, dict[str, list[dict]], list[dict]]:
        """An entity's entry, the rows of its detail query by section, and its sources' rows."""
        e = await self.resolve(kind, key)
        rows, sources = await asyncio.gather(
            self.rows(query, **{kind: e.id}), self.rows("entity-sources", entity=e.id)
        )
        return e, grouped(rows, "section"), sources

    async def alliances(self) -> list[models.Alliance]:
        return [alliance_model(e) for e in (await self.index("alliance")).entries]

    async def alliance_detail(self, key: str) -> models.AllianceDetail:
        e, by, sources = await self.detail_rows("alliance", key, "alliance")
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
        return models.AllianceDetail(
            alliance=alliance_model(e),
            members=per_item(
                by.get("member", []),
                lambda r: models.Member(
                    member=item_ref(r), since=v(r, "since"), until=v(r, "until")
                ),
            ),
            units=per_item(
                by.get("unit", []),
                lambda r: models.Unit(
                    **item_ref(r).model_dump(),
                    kind=v(r, "kind") or "",
                    founded=v(r, "since"),
                    seat=v(r, "seat"),
                    staff=int(v(r, "staff") or 0) or None,
                ),
            ),
            meetings=list(meetings.values()),
            declarations=list(declarations.values()),
            legislation=per_item(
                by.get("legislation", []),
                lambda r: models.LegislationRef(**item_ref(r).model_dump(), status=v(r, "kind")),
            ),
            sources=sources_of(sources),
        )

    async def industries(self) -> list[models.Industry]:
        return [industry_model(e) for e in (await self.index("industry")).entries]

    async def industry(self, key: str) -> models.IndustryDetail:
        e, by, sources = await self.detail_rows("industry", key, "industry")
        index = await self.municipalities()

        def site(s: str) -> models.Ref:
            m = index.get(s)
            return ref(s, m.name_ko, m.name_en) if m else ref(s)

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
        return models.IndustryDetail(
            industry=industry_model(e),
            cities=per_item(by.get("city", []), item_ref),
            designations=list(designations.values()),
            companies=list(companies.values()),
            sources=sources_of(sources),
        )

    async def legislation(self) -> list[models.Legislation]:
        return [legislation_model(e) for e in (await self.index("legislation")).entries]

    async def legislation_item(self, key: str) -> models.LegislationDetail:
        e, by, sources = await self.detail_rows("legislation", key, "legislation-detail")
        return models.LegislationDetail(
            legislation=legislation_model(e),
            steps=[
                models.Step(step=v(r, "step") or "", date=v(r, "date")) for r in by.get("step", [])
            ],
            promoters=[item_ref(r) for r in by.get("promoter", [])],
            proposers=[item_ref(r) for r in by.get("proposer", [])],
            concerns=[item_ref(r) for r in by.get("concerns", [])],
            sources=sources_of(sources),
        )

    async def sources(self) -> list[models.Source]:
        return [source_model(e) for e in (await self.index("source")).entries]

    async def source(self, key: str) -> models.SourceDetail:
        e = await self.resolve("source", key)
        rows = await self.rows("source-assertions", source=e.id)
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
