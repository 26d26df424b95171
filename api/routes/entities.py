"""Entity IRIs that dereference: ``https://w3id.org/alliance-kg/id/<type>/<slug>`` is served at
``/id/<type>/<slug>`` as a bilingual HTML page, Turtle, JSON-LD or N-Triples (``Accept`` or
``?format=``), from the canned queries ``entity-description``, ``entity-links``, ``partners`` and
``entity-sources``. ``/wikidata/{qid}`` redirects (303) to the entity matching a Wikidata item.
"""

from __future__ import annotations

import asyncio
import html
from typing import Annotated

import pyoxigraph as ox
from alliance_kg.api.deps import PROBLEMS, lookup
from alliance_kg.api.http.negotiation import Offer, choose_or_406, content_type, format_parameter
from alliance_kg.api.http.problems import Problem
from alliance_kg.api.lookup.names import slug_of
from alliance_kg.api.lookup.service import v
from alliance_kg.api.web import pages
from fastapi import APIRouter, Path, Request
from starlette.responses import RedirectResponse, Response

from alliance_kg import iri

router = APIRouter()

OFFERS = [
    Offer("text/html", aliases=("application/xhtml+xml",), value=None),
    Offer("text/turtle", aliases=("application/x-turtle",), value=ox.RdfFormat.TURTLE),
    Offer("application/ld+json", aliases=("application/json",), value=ox.RdfFormat.JSON_LD),
    Offer("application/n-triples", aliases=("text/plain",), value=ox.RdfFormat.N_TRIPLES),
]
PREFIXES = iri.PREFIXES
LABEL = PREFIXES["rdfs"] + "label"


def term(t: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if t["type"] == "uri":
        return ox.NamedNode(t["value"])
    if t["type"] == "bnode":
        return ox.BlankNode(t["value"])
    if t.get("xml:lang"):
        return ox.Literal(t["value"], language=t["xml:lang"])
    if t.get("datatype"):
        return ox.Literal(t["value"], datatype=ox.NamedNode(t["datatype"]))
    return ox.Literal(t["value"])


@router.get(
    "/id/{kind}/{slug}",
    tags=["entities"],
    responses={
        **PROBLEMS,
        200: {
            "content": {
                "text/html": {},
                "text/turtle": {},
                "application/ld+json": {},
                "application/n-triples": {},
            },
            "description": "The entity, in the format asked for by Accept or ?format="
            "html|turtle|jsonld|nt.",
        },
    },
)
async def entity(
    request: Request,
    kind: Annotated[str, Path(max_length=100, examples=["municipality"])],
    slug: Annotated[str, Path(max_length=200, examples=["pohang"])],
) -> Response:
    """The description of an entity of the graph (its IRI is
    ``https://w3id.org/alliance-kg/id/{kind}/{slug}``)."""
    fmt = format_parameter(request.query_params.multi_items())
    offer = choose_or_406(OFFERS, request.headers.get("accept"), fmt)
    if not (iri.SLUG.match(kind) and iri.SLUG.match(slug)):
        raise Problem(
            404, "Entity IRIs are /id/<type>/<slug> in lower-case slugs.", slug="not-found"
        )
    state = lookup(request)
    subject = iri.entity(kind, slug)
    rows = await state.rows("entity-description", entity=subject)
    if not rows:
        raise Problem(404, f"Nothing is known about <{subject}>.", slug="not-found")
    headers = {"Vary": "Accept", "Link": f'<{subject}>; rel="canonical"'}
    if offer.value is not None:
        triples = sorted(
            {ox.Triple(term(r["s"]), term(r["p"]), term(r["o"])) for r in rows}, key=str
        )
        body = ox.serialize(triples, format=offer.value, prefixes=PREFIXES)
        return Response(body, media_type=content_type(offer.media_type), headers=headers)
    return await html_page(request, subject, kind, rows)


@router.get(
    "/wikidata/{qid}",
    tags=["entities"],
    status_code=303,
    response_class=RedirectResponse,  # documents the 303 without a JSON body
    responses={**PROBLEMS, 303: {"description": "Location: the entity's /id/ page"}},
)
async def wikidata(
    request: Request, qid: Annotated[str, Path(max_length=20, examples=["Q42157"])]
) -> Response:
    """Redirect to the entity that is ``skos:exactMatch`` to a Wikidata item
    (query ``wikidata-entity``)."""
    if not iri.QID.match(qid):
        raise Problem(400, f"{qid!r} is not a Wikidata QID such as Q42157.", slug="bad-key")
    rows = await lookup(request).rows("wikidata-entity", wikidata=iri.wikidata(qid))
    found = sorted({v(r, "entity") for r in rows if v(r, "entity")})
    local = [e for e in found if e and iri.parse_entity(e)]
    if not local:
        raise Problem(404, f"No entity of the graph matches {qid}.", slug="not-found")
    return RedirectResponse(local_path(local[0]), status_code=303)


# --------------------------------------------------------------------------------------------
# HTML


def local_path(entity_iri: str) -> str:
    return "/" + entity_iri[len(iri.BASE) :] if entity_iri.startswith(iri.ID) else entity_iri


def short(p: str) -> str:
    for prefix, ns in PREFIXES.items():
        if p.startswith(ns):
            return f"{prefix}:{p[len(ns) :]}"
    return p


def link(target: str, text: str | None = None) -> str:
    return f'<a href="{html.escape(local_path(target))}">{html.escape(text or target)}</a>'


def show(t: dict[str, str], labels: dict[str, list[str]]) -> str:
    if t["type"] == "uri":
        names = labels.get(t["value"])
        return link(t["value"], " / ".join(names) if names else short(t["value"]))
    text = html.escape(t["value"])
    if t.get("xml:lang"):
        return f'{text} <small lang="en">@{html.escape(t["xml:lang"])}</small>'
    return text


async def html_page(request: Request, subject: str, kind: str, rows: list[dict]) -> Response:
    """The entity's HTML page in the shared template of :mod:`alliance_kg.api.web.pages`: rich
    pages for local
    governments (facts, partner network, map) and alliances (members on a timeline, councils,
    meetings, declarations, legislation); the statements, parts and links for anything else."""
    pages.lang_of(request)  # a bad ?lang= is a 400 before any query runs
    headers = {"Vary": "Accept", "Link": f'<{subject}>; rel="canonical"'}
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
    title = " · ".join(n for n in (names.get("ko"), names.get("en")) if n) or slug_of(subject)
    own = [r for r in rows if r["s"]["value"] == subject]
    parts = [r for r in rows if r["s"]["value"] != subject]
    statements = _table(own, labels) + (_table(parts, labels, with_subject=True) if parts else "")
    if kind == "municipality" and (await state.municipalities()).get(subject) is not None:
        sources = await state.rows("entity-sources", entity=subject)
        return await pages.municipality_page(request, subject, sources, statements, headers)
    if kind == "organization":
        alliances = await state.index("alliance")
        if alliances.get(subject) is not None:
            return await pages.alliance_page(request, subject, statements, headers)
    sources, links = await asyncio.gather(
        state.rows("entity-sources", entity=subject), state.rows("entity-links", entity=subject)
    )
    sections = [("속성", "Properties", _table(own, labels))]
    if parts:
        sections.append(("세부", "Parts", _table(parts, labels, with_subject=True)))
    if links:
        sections.append(("연결", "Referenced by", _links(links)))
    sections.append(("출처", "Sources", pages.sources_list(sources)))
    return pages.generic_page(request, subject, title, sections, headers)


def _table(rows: list[dict], labels: dict[str, list[str]], with_subject: bool = False) -> str:
    seen = set()
    out = []
    for r in rows:
        key = (r["s"]["value"], r["p"]["value"], r["o"]["value"], r["o"].get("xml:lang"))
        if key in seen:
            continue
        seen.add(key)
        subject = f"<td>{html.escape(short(r['s']['value']))}</td>" if with_subject else ""
        out.append(
            f"<tr>{subject}<td>{html.escape(short(r['p']['value']))}</td>"
            f"<td>{show(r['o'], labels)}</td></tr>"
        )
    return "<table>" + "".join(out) + "</table>"


def _links(rows: list[dict]) -> str:
    by_subject: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        names = by_subject.setdefault((v(r, "p") or "", v(r, "s") or ""), [])
        label = v(r, "sLabel")
        if label and label not in names:
            names.append(label)
    items = "".join(
        f"<li>{html.escape(short(p))} ← {link(s, ' / '.join(n) or short(s))}</li>"
        for (p, s), n in by_subject.items()
    )
    return f"<ul>{items}</ul>"
