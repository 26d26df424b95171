"""The HTML of entity pages (``/id/<type>/<slug>``, routed by
:mod:`alliance_kg.api.routes.entities`): rich pages for local governments (facts, partner
network, map, partners) and alliances (members on a timeline and a map, councils, meetings,
declarations, legislation); the statements, parts, links and sources for anything else."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from alliance_kg.api.deps import lookup
from alliance_kg.api.lookup.names import slug_of
from alliance_kg.api.lookup.service import v
from alliance_kg.api.web import drawing, render
from fastapi import Request
from starlette.responses import HTMLResponse

from alliance_kg import iri
from alliance_kg.vocabulary import Label, class_label, concept

LABEL = iri.PREFIXES["rdfs"] + "label"


def short(p: str) -> str:
    """An IRI as a prefixed name when a known prefix fits.

    >>> short(LABEL)
    'rdfs:label'
    """
    for prefix, ns in iri.PREFIXES.items():
        if p.startswith(ns):
            return f"{prefix}:{p[len(ns) :]}"
    return p


async def html_page(
    request: Request, subject: str, kind: str, rows: list[dict], headers: dict[str, str]
) -> HTMLResponse:
    """The page of an entity from its ``entity-description`` rows."""
    render.lang_of(request)  # a bad ?lang= is a 400 before any query runs
    state = lookup(request)
    labels: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for r in rows:
        if r.get("oLabel") and r["o"]["type"] == "uri":
            names_of = labels.setdefault(r["o"]["value"], [])
            if r["oLabel"]["value"] not in names_of:
                names_of.append(r["oLabel"]["value"])
        if r["s"]["value"] == subject and r["p"]["value"] == LABEL:
            names[r["o"].get("xml:lang", "")] = r["o"]["value"]
    own = statements([r for r in rows if r["s"]["value"] == subject], labels)
    parts = statements([r for r in rows if r["s"]["value"] != subject], labels)
    if kind == "municipality" and (await state.municipalities()).get(subject) is not None:
        return await municipality_page(request, subject, own, parts, headers)
    if kind == "organization":
        alliances = await state.index("alliance")
        if alliances.get(subject) is not None:
            return await alliance_page(request, subject, own, parts, headers)
    sources, links = await asyncio.gather(
        state.rows("entity-sources", entity=subject), state.rows("entity-links", entity=subject)
    )
    title = " · ".join(n for n in (names.get("ko"), names.get("en")) if n) or slug_of(subject)
    return render.page(
        request,
        "entity.html",
        (title, title),
        headers=headers,
        subject=subject,
        heading=title,
        own=own,
        parts=parts,
        links=referenced_by(links),
        sources=source_list(sources),
    )


def statements(rows: list[dict], labels: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The distinct statements of the rows: subject and predicate as prefixed names, the object
    as a link (named by its labels) or a literal with its language."""
    seen = set()
    out = []
    for r in rows:
        s, p, o = r["s"], r["p"], r["o"]
        key = (s["value"], p["value"], o["value"], o.get("xml:lang"))
        if key in seen:
            continue
        seen.add(key)
        if o["type"] == "uri":
            names = labels.get(o["value"])
            shown = {
                "href": render.href(o["value"]),
                "text": " / ".join(names) if names else short(o["value"]),
            }
        else:
            shown = {"href": None, "text": o["value"], "lang": o.get("xml:lang")}
        out.append({"subject": short(s["value"]), "predicate": short(p["value"]), "object": shown})
    return out


def referenced_by(rows: list[dict]) -> list[dict[str, str]]:
    """What points at the entity: the predicate and the subject, named by its labels."""
    by_subject: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        names = by_subject.setdefault((v(r, "p") or "", v(r, "s") or ""), [])
        label = v(r, "sLabel")
        if label and label not in names:
            names.append(label)
    return [
        {"predicate": short(p), "href": render.href(s), "text": " / ".join(n) or short(s)}
        for (p, s), n in by_subject.items()
    ]


def source_list(rows: list[dict]) -> list[dict[str, str | None]]:
    return [
        {
            "id": v(r, "source") or "",
            "title": v(r, "title") or slug_of(v(r, "source") or ""),
            "publisher": v(r, "publisher"),
            "date": v(r, "date"),
            "url": v(r, "url"),
        }
        for r in rows
    ]


def _coordinates(rows: list[dict]) -> dict[str, tuple[float | None, float | None]]:
    def number(text: str | None) -> float | None:
        return float(text) if text else None

    return {v(r, "municipality"): (number(v(r, "lat")), number(v(r, "long"))) for r in rows}


async def municipality_page(
    request: Request, subject: str, own: list, parts: list, headers: dict[str, str]
) -> HTMLResponse:
    state = lookup(request)
    detail, index, coords, sources = await asyncio.gather(
        state.municipality_detail(subject),
        state.municipalities(),
        state.rows("municipality-coordinates"),
        state.rows("entity-sources", entity=subject),
    )
    entry = index.get(subject)
    assert entry is not None
    partners = await state.partners(entry)
    where = _coordinates(coords)

    def place(m: Any) -> drawing.Place:
        lat, long = where.get(m.id, (None, None))
        return drawing.Place(m.id, m.name_ko, m.name_en, render.href(m.id), lat, long)

    me = place(detail)
    ties = [
        drawing.Tie(place(p.partner), p.kind, p.since, foreign=(p.partner.country or "KR") != "KR")
        for p in partners
    ]
    places = {me.id: me} | {x.partner.id: x.partner for x in ties}
    edges = [drawing.Edge(me.id, x.partner.id, x.kind, x.since) for x in ties]
    off_map = sorted(
        {
            x.partner.id: x.partner
            for x in ties
            if x.partner.lat is None
            or x.partner.long is None
            or not drawing.KOREA.inside(x.partner.long, x.partner.lat)
        }.values(),
        key=lambda p: p.name_en or "",
    )
    title = (detail.name_ko or detail.slug, detail.name_en or detail.slug)
    return render.page(
        request,
        "municipality.html",
        title,
        headers=headers,
        subject=subject,
        detail=detail,
        level=concept("level", detail.level).capitalized() if detail.level else None,
        statuses=[(concept("legal-status", s.status).capitalized(), s) for s in detail.statuses],
        parent=index.get(detail.parent) if detail.parent else None,
        industries={i.id: i for i in detail.industries}.values(),
        sources=source_list(sources),
        partners=partners,
        partner_count=len({p.partner.id for p in partners}),
        network=drawing.partner_network(me, ties) if partners else None,
        map=drawing.korea_map(places, edges, centre=me.id, css_id="map") if partners else None,
        off_map=off_map,
        own=own,
        parts=parts,
    )


UNIT_CLASSES = {"council": "Council", "office": "Office"}


async def alliance_page(
    request: Request, subject: str, own: list, parts: list, headers: dict[str, str]
) -> HTMLResponse:
    state = lookup(request)
    detail, coords, sources = await asyncio.gather(
        state.alliance_detail(subject),
        state.rows("municipality-coordinates"),
        state.rows("entity-sources", entity=subject),
    )
    al = detail.alliance
    where = _coordinates(coords)
    places = {}
    for m in detail.members:
        lat, long = where.get(m.member.id, (None, None))
        places[m.member.id] = drawing.Place(
            m.member.id, m.member.name_ko, m.member.name_en, render.href(m.member.id), lat, long
        )
    ids = list(places)
    member_kind = "alliance-member" if al.kind == "alliance" else "union-member"
    edges = [drawing.Edge(x, y, member_kind) for i, x in enumerate(ids) for y in ids[i + 1 :]]
    spans = [
        drawing.Span(m.member.name_ko, m.member.name_en, render.href(m.member.id), m.since, m.until)
        for m in detail.members
    ]
    kind = class_label("Alliance" if al.kind == "alliance" else "SpecialLocalGovernment")
    return render.page(
        request,
        "alliance.html",
        (al.name_ko or al.slug, al.name_en or al.slug),
        headers=headers,
        subject=subject,
        alliance=al,
        kind=kind.capitalized(),
        members=detail.members,
        timeline=drawing.timeline(spans, dt.date.today().isoformat()),
        map=drawing.korea_map(places, edges, css_id="map"),
        units=[(unit_kind(u.kind), u) for u in detail.units],
        meetings=sorted(detail.meetings, key=lambda m: m.date or ""),
        declarations=detail.declarations,
        legislation=detail.legislation,
        sources=source_list(sources),
        own=own,
        parts=parts,
    )


def unit_kind(kind: str) -> Label:
    """The name of a council's or an office's kind (the ontology's class).

    >>> unit_kind("council")
    Label(ko='협의회', en='Council')
    """
    return (
        class_label(UNIT_CLASSES[kind]).capitalized() if kind in UNIT_CLASSES else Label(kind, kind)
    )
