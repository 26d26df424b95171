"""Entity IRIs that dereference: ``https://w3id.org/alliance-kg/id/<type>/<slug>`` is served at
``/id/<type>/<slug>`` as a bilingual HTML page, Turtle, JSON-LD or N-Triples (``Accept`` or
``?format=``), from the canned queries ``entity-description``, ``entity-links``, ``partners`` and
``entity-sources``; the HTML is :mod:`alliance_kg.api.web.views.entity`'s. ``/wikidata/{qid}``
redirects (303) to the entity matching a Wikidata item.
"""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from alliance_kg.api.deps import PROBLEMS, lookup
from alliance_kg.api.http import problems
from alliance_kg.api.http.negotiation import Offer, choose_or_406, content_type, format_parameter
from alliance_kg.api.lookup.service import v
from alliance_kg.api.web.views import entity as entity_view
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
        raise problems.not_found("Entity IRIs are /id/<type>/<slug> in lower-case slugs.")
    state = lookup(request)
    subject = iri.entity(kind, slug)
    rows = await state.rows("entity-description", entity=subject)
    if not rows:
        raise problems.not_found(f"Nothing is known about <{subject}>.")
    headers = {"Vary": "Accept", "Link": f'<{subject}>; rel="canonical"'}
    if offer.value is not None:
        triples = sorted(
            {ox.Triple(term(r["s"]), term(r["p"]), term(r["o"])) for r in rows}, key=str
        )
        body = ox.serialize(triples, format=offer.value, prefixes=PREFIXES)
        return Response(body, media_type=content_type(offer.media_type), headers=headers)
    return await entity_view.html_page(request, subject, kind, rows, headers)


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
        raise problems.bad_key(f"{qid!r} is not a Wikidata QID such as Q42157.")
    rows = await lookup(request).rows("wikidata-entity", wikidata=iri.wikidata(qid))
    found = sorted({v(r, "entity") for r in rows if v(r, "entity")})
    local = [e for e in found if e and iri.parse_entity(e)]
    if not local:
        raise problems.not_found(f"No entity of the graph matches {qid}.")
    return RedirectResponse(local_path(local[0]), status_code=303)


# --------------------------------------------------------------------------------------------
# Paths


def local_path(entity_iri: str) -> str:
    return "/" + entity_iri[len(iri.BASE) :] if entity_iri.startswith(iri.ID) else entity_iri
