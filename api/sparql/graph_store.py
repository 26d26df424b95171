"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol.

A graph is named indirectly (``/store?graph=IRI``, ``/store?default``) or directly by a URL
under the endpoint (``/store/some/path`` is the graph whose IRI is that URL). GET and HEAD
always work; PUT, POST and DELETE only on a ``--scratch`` server. ``GET /store`` with no graph
gives the whole dataset (N-Quads or TriG); ``POST /store`` with no graph creates a new graph and
answers 201 with its IRI in ``Location``. POST also takes ``multipart/form-data``, one RDF
document per part, each read by its own Content-Type (or file name).

The default graph is the store's own default graph. On the read-only store, where every triple
lives in a named graph, ``?default`` gives the union of all graphs: the same default graph that
``/sparql`` queries.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyoxigraph as ox
from alliance_kg.api.http import problems
from alliance_kg.api.http.negotiation import Offer, choose_or_406, content_type, format_parameter
from alliance_kg.api.http.problems import Problem
from alliance_kg.api.sparql.protocol import GRAPH_OFFERS, READ_ONLY_DETAIL, offer_pair, run_job
from alliance_kg.api.sparql.workers import DatasetGet, GraphDelete, GraphGet, GraphWrite, Job
from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

router = APIRouter()

GRAPH_GET_OFFERS = [o for o in GRAPH_OFFERS if o.value in ("TURTLE", "N_TRIPLES", "RDF_XML")]
GRAPH_GET_OFFERS += [o for o in GRAPH_OFFERS if o.value == "JSON_LD"]
DATASET_OFFERS = [o for o in GRAPH_OFFERS if o.value in ("N_QUADS", "TRIG")]
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]

_DEFAULT = object()  # the target "default graph"
_DATASET = object()  # no graph named: the whole store


def _store_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment="")).rstrip("/")


def _target(request: Request, direct: str | None) -> Any:
    """The graph a request addresses: an IRI, _DEFAULT, or _DATASET."""
    if direct:
        return str(request.url.replace(query="", fragment=""))
    params = request.query_params
    graphs = params.getlist("graph")
    if len(graphs) > 1:
        raise problems.bad_graph("Give one `graph` parameter.")
    if graphs and "default" in params:
        raise problems.bad_graph("Give `graph=IRI` or `default`, not both.")
    if "default" in params:
        return _DEFAULT
    if graphs:
        try:
            ox.NamedNode(graphs[0])
        except ValueError:
            raise problems.bad_iri(f"`graph` is not an absolute IRI: {graphs[0]!r}") from None
        return graphs[0]
    return _DATASET


def _rdf_format(media_type: str, filename: str | None = None) -> ox.RdfFormat | None:
    fmt = ox.RdfFormat.from_media_type(media_type) if media_type else None
    if fmt is None and filename and "." in filename:
        fmt = ox.RdfFormat.from_extension(filename.rsplit(".", 1)[1])
    if fmt is not None and fmt.supports_datasets and fmt != ox.RdfFormat.JSON_LD:
        return None  # a graph takes triples, not quads
    return fmt


def _unsupported(media_type: str) -> Problem:
    return problems.unsupported_media_type(
        f"Cannot read {media_type or 'a body without Content-Type'} as an RDF graph: send "
        "text/turtle, application/n-triples, application/rdf+xml, application/ld+json or "
        "multipart/form-data with such parts."
    )


async def _parts(request: Request, base: str) -> list[tuple[bytes, str, str]]:
    """The RDF documents a PUT or POST carries, as (bytes, media type, base IRI)."""
    raw = request.headers.get("content-type", "")
    media_type = raw.split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        parts = []
        try:
            form = await request.form()
        except Exception as e:  # python-multipart raises various errors
            raise problems.bad_multipart(f"Unreadable multipart body: {e}") from None
        for _, value in form.multi_items():
            if not isinstance(value, UploadFile):
                continue
            part_type = (value.content_type or "").split(";")[0].strip().lower()
            fmt = _rdf_format(part_type, value.filename)
            if fmt is None:
                raise _unsupported(f"{part_type} (part {value.filename!r})")
            parts.append((await value.read(), fmt.media_type, base))
        if not parts:
            raise problems.bad_multipart("The multipart body has no file parts.")
        return parts
    fmt = _rdf_format(media_type)
    if fmt is None:
        raise _unsupported(media_type)
    return [(await request.body(), fmt.media_type, base)]


@router.api_route("/store", methods=METHODS)
async def graph_store(request: Request) -> Response:
    """Graph Store Protocol with indirect graph identification (``?graph=``, ``?default``)."""
    return await _handle(request, None)


@router.api_route("/store/{path:path}", methods=METHODS)
async def graph_store_direct(request: Request, path: str) -> Response:
    """Graph Store Protocol with direct graph identification (the URL is the graph IRI)."""
    return await _handle(request, path or None)


async def _handle(request: Request, direct: str | None) -> Response:
    settings = request.app.state.settings
    target = _target(request, direct)
    method = request.method
    accept = request.headers.get("accept")
    fmt = format_parameter(request.query_params)
    if method in ("GET", "HEAD"):
        head = method == "HEAD"
        job: Job
        if target is _DATASET:
            offer: Offer = choose_or_406(DATASET_OFFERS, accept, fmt)
            job = DatasetGet(offer_pair(offer), head=head)
        else:
            offer = choose_or_406(GRAPH_GET_OFFERS, accept, fmt)
            job = GraphGet(None if target is _DEFAULT else target, offer_pair(offer), head=head)
        response = await run_job(request, job)
        if head:
            response.headers["content-type"] = content_type(offer.media_type)
        return response

    if not settings.scratch:
        raise problems.read_only(
            READ_ONLY_DETAIL.replace("SPARQL Update", "graph writes"),
            headers={"Allow": "GET, HEAD"},
        )
    if method == "DELETE":
        if target is _DATASET:
            raise problems.bad_graph("Name the graph to delete: ?graph=IRI or ?default.")
        return await run_job(request, GraphDelete(None if target is _DEFAULT else target))
    created_iri = None
    if target is _DATASET:
        if method == "PUT":
            raise problems.bad_graph("Name the graph to replace: ?graph=IRI or ?default.")
        created_iri = f"{_store_url(request)}/{uuid.uuid4().hex}"
        target = created_iri
    graph = None if target is _DEFAULT else target
    parts = await _parts(request, graph or _store_url(request))
    response = await run_job(request, GraphWrite(graph, parts, replace=method == "PUT"))
    if created_iri is not None:
        response.status_code = 201
        response.headers["location"] = created_iri
    return response
