"""Entity IRIs that dereference: ``https://w3id.org/alliance-kg/id/<type>/<slug>`` is served at
``/id/<type>/<slug>`` as a bilingual HTML page, Turtle, JSON-LD or N-Triples (``Accept`` or
``?format=``), from the canned queries ``entity-description``, ``entity-links``, ``partners`` and
``entity-sources``. ``/wikidata/{qid}`` redirects (303) to the entity matching a Wikidata item.
"""

from __future__ import annotations

import asyncio
import html
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from alliance_kg import iri
from api import models
from api.names import slug_of
from api.negotiation import Offer, choose_or_406, content_type, format_parameter
from api.problems import Problem
from api.rest import PROBLEMS, partners_of, rest, v

router = APIRouter()

OFFERS = [
    Offer("text/html", aliases=("application/xhtml+xml",), value=None),
    Offer("text/turtle", aliases=("application/x-turtle",), value=ox.RdfFormat.TURTLE),
    Offer("application/ld+json", aliases=("application/json",), value=ox.RdfFormat.JSON_LD),
    Offer("application/n-triples", aliases=("text/plain",), value=ox.RdfFormat.N_TRIPLES),
]
PREFIXES = {
    "ak": iri.ONTOLOGY,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "dct": "http://purl.org/dc/terms/",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "wd": iri.WIKIDATA,
}
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
    state = rest(request)
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
    page = await html_page(request, subject, kind, rows)
    return HTMLResponse(page, headers=headers)


@router.get(
    "/wikidata/{qid}",
    tags=["entities"],
    status_code=303,
    responses={**PROBLEMS, 303: {"description": "Location: the entity's /id/ page"}},
)
async def wikidata(
    request: Request, qid: Annotated[str, Path(max_length=20, examples=["Q42157"])]
) -> Response:
    """Redirect to the entity that is ``skos:exactMatch`` to a Wikidata item
    (query ``wikidata-entity``)."""
    if not iri.QID.match(qid):
        raise Problem(400, f"{qid!r} is not a Wikidata QID such as Q42157.", slug="bad-key")
    rows = await rest(request).rows("wikidata-entity", wikidata=iri.wikidata(qid))
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


async def html_page(request: Request, subject: str, kind: str, rows: list[dict]) -> str:
    state = rest(request)
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
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p><code>{html.escape(subject)}</code> — "
        + " · ".join(
            f'<a href="?format={f}">{label}</a>'
            for f, label in (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"))
        )
        + "</p>",
        "<h2>속성 · Properties</h2>",
        _table(own, labels),
    ]
    if parts:
        sections += ["<h2>세부 · Parts</h2>", _table(parts, labels, with_subject=True)]
    tasks: list[Any] = [state.rows("entity-sources", entity=subject)]
    entry = None
    if kind == "municipality":
        index = await state.municipalities()
        entry = index.get(subject)
    if entry is not None:
        tasks.append(partners_of(state, entry))
    else:
        tasks.append(state.rows("entity-links", entity=subject))
    sources, second = await asyncio.gather(*tasks)
    if entry is not None:
        sections += ["<h2>교류 · Partners</h2>", _partners(second)]
    elif second:
        sections += ["<h2>연결 · Referenced by</h2>", _links(second)]
    if sources:
        items = "".join(
            f"<li>{link(v(r, 'source') or '', v(r, 'title'))}"
            + (f" — {html.escape(v(r, 'publisher') or '')}" if v(r, "publisher") else "")
            + (f", {html.escape(v(r, 'date') or '')}" if v(r, "date") else "")
            + (
                f' (<a href="{html.escape(v(r, "url") or "")}">원문 · original</a>)'
                if v(r, "url")
                else ""
            )
            + "</li>"
            for r in sources
        )
        sections += ["<h2>출처 · Sources</h2>", f"<ul>{items}</ul>"]
    return (
        '<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} — alliance-kg</title>"
        '<link rel="alternate" type="text/turtle" href="?format=turtle">'
        '<link rel="alternate" type="application/ld+json" href="?format=jsonld">'
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.2em .6em;"
        "text-align:left;vertical-align:top}</style></head><body>"
        + "\n".join(sections)
        + '<p><small><a href="/docs">API</a> · <a href="/sparql">SPARQL</a></small></p>'
        "</body></html>"
    )


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


def _partners(partners: list[models.Partner]) -> str:
    if not partners:
        return "<p>없음 · none</p>"
    out = [
        "<table><tr><th>상대 · Partner</th><th>종류 · Kind</th><th>시작 · Since</th>"
        "<th>협약·동맹 · Tie</th><th>출처 · Sources</th></tr>"
    ]
    for p in partners:
        name = " / ".join(n for n in (p.partner.name_ko, p.partner.name_en) if n)
        tie = p.agreement or p.alliance or ""
        out.append(
            f"<tr><td>{link(p.partner.id, name)}</td><td>{html.escape(p.kind)}</td>"
            f"<td>{html.escape(p.since or '')}</td><td>{link(tie, p.label)}</td><td>"
            + "<br>".join(link(s.id, s.title) for s in p.sources)
            + "</td></tr>"
        )
    return "".join(out) + "</table>"


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
