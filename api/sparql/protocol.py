"""``/sparql``: the SPARQL 1.1 Protocol endpoint, its service description and its query page.

- Queries come by GET (``?query=``), by form POST or as an ``application/sparql-query`` body;
  updates by form POST or as ``application/sparql-update`` (and only with ``--scratch``).
- ``default-graph-uri`` / ``named-graph-uri`` (and ``using-graph-uri`` /
  ``using-named-graph-uri`` for updates) set the dataset. Without them, and without FROM in the
  query, the default graph is the union of all graphs, as in ``alliance-kg query``.
- The result format follows ``format``/``output``/``results`` if given, else ``Accept``.
- A GET without a query returns the service description, or the YASGUI page to a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from alliance_kg.api.http.negotiation import (
    Offer,
    choose,
    content_type,
    describe_request,
    format_parameter,
    not_acceptable,
)
from alliance_kg.api.http.problems import Problem
from alliance_kg.api.web.views import query as query_view
from fastapi import APIRouter, Request
from starlette.responses import Response

from alliance_kg.sparql_text import (
    MAX_NESTING,
    add_using,
    has_dataset_clause,
    has_using_or_with,
    is_federated,
    nesting,
    query_form,
)

router = APIRouter()

RESULT_OFFERS = [
    Offer(
        "application/sparql-results+json",
        aliases=("application/json", "text/javascript", "application/javascript"),
        value="JSON",
    ),
    Offer("application/sparql-results+xml", aliases=("application/xml", "text/xml"), value="XML"),
    Offer("text/csv", value="CSV"),
    Offer("text/tab-separated-values", value="TSV"),
]
GRAPH_OFFERS = [
    Offer("text/turtle", aliases=("application/x-turtle", "text/n3"), value="TURTLE"),
    Offer("application/n-triples", aliases=("text/plain",), value="N_TRIPLES"),
    Offer("application/rdf+xml", aliases=("application/xml", "text/xml"), value="RDF_XML"),
    Offer("application/ld+json", aliases=("application/json",), value="JSON_LD"),
    Offer("application/n-quads", value="N_QUADS"),
    Offer("application/trig", value="TRIG"),
]
HTML_OFFER = Offer("text/html", aliases=("application/xhtml+xml",), value="HTML")
DESCRIPTION_OFFERS = [o for o in GRAPH_OFFERS if o.value in {"TURTLE", "RDF_XML", "JSON_LD"}]
DESCRIPTION_OFFERS += [o for o in GRAPH_OFFERS if o.value == "N_TRIPLES"]

READ_ONLY_DETAIL = (
    "This endpoint is read-only: the graph is built from the records in data/. To change it, "
    "edit the records in data/ and run `alliance-kg load`; the server picks up the new store "
    "without a restart. To experiment with SPARQL Update, run `alliance-kg serve --scratch`, "
    "which starts on an empty store that accepts writes."
)


def offer_pair(offer: Offer | None) -> tuple[str, str] | None:
    return None if offer is None else (offer.media_type, offer.value)


# --------------------------------------------------------------------------------------------
# Reading the request


@dataclass
class Operation:
    query: str | None
    update: str | None
    params: list[tuple[str, str]]  # URL and form parameters, in order

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]


def _bad(detail: str, slug: str = "bad-request", title: str = "Bad Request") -> Problem:
    return Problem(400, detail, title=title, slug=slug)


def _media_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    parts = [p.strip() for p in raw.split(";")]
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params[k.strip().lower()] = v.strip().strip('"').lower()
    return parts[0].lower(), params


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(f"The {what} is not valid UTF-8.", "bad-encoding") from None


def _parameters(encoded: str, what: str) -> list[tuple[str, str]]:
    """Percent-decoded parameters; a %XX sequence that is not UTF-8 is an error, not a U+FFFD
    that would silently change the query."""
    try:
        return parse_qsl(encoded, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise _bad(
            f"The {what} holds percent-encoded bytes that are not UTF-8.", "bad-encoding"
        ) from None
    except ValueError as e:
        raise _bad(f"Unreadable {what}: {e}") from None


async def read_operation(request: Request) -> Operation:
    url_params = _parameters(request.scope["query_string"].decode("latin-1"), "query string")
    if request.method == "GET":
        params = _queries_sent_as_updates(url_params)
        if any(k == "update" for k, _ in params):
            raise _bad(
                "SPARQL Update must be sent by POST (form field `update` or an "
                "application/sparql-update body), never by GET.",
                "update-by-get",
            )
        queries = [v for k, v in params if k == "query"]
        if len(queries) > 1:
            raise _bad("The request has more than one `query` parameter.", "multiple-queries")
        return Operation(queries[0] if queries else None, None, params)

    media_type, mparams = _media_type(request)
    charset = mparams.get("charset", "utf-8")
    body = await request.body()
    if media_type == "application/x-www-form-urlencoded":
        form = _parameters(_decode(body, "form body"), "form body")
        params = _queries_sent_as_updates(url_params + form)
        queries = [v for k, v in params if k == "query"]
        updates = [v for k, v in params if k == "update"]
        if len(queries) > 1 or len(updates) > 1:
            raise _bad("The request has more than one query or update.", "multiple-queries")
        if queries and updates:
            raise _bad("The request has both a query and an update.", "query-and-update")
        if not queries and not updates:
            raise _bad("The form has no `query` or `update` field.", "missing-query")
        return Operation(queries[0] if queries else None, updates[0] if updates else None, params)
    if media_type in ("application/sparql-query", "application/sparql-update"):
        if charset not in ("utf-8", "utf8"):
            raise Problem(
                415,
                f"A {media_type} body must be UTF-8, not {charset}.",
                title="Unsupported Media Type",
                slug="unsupported-media-type",
            )
        if any(k in ("query", "update") for k, _ in url_params):
            raise _bad(
                f"A {media_type} body and a `query`/`update` URL parameter: send one only.",
                "multiple-queries",
            )
        text = _decode(body, "request body")
        if media_type == "application/sparql-query" or query_form(text):
            return Operation(text, None, url_params)
        return Operation(None, text, url_params)
    raise Problem(
        415,
        "POST a query as application/x-www-form-urlencoded (field `query`) or as "
        "application/sparql-query, and an update as a form (field `update`) or as "
        f"application/sparql-update; got {media_type or 'no Content-Type'}.",
        title="Unsupported Media Type",
        slug="unsupported-media-type",
    )


def _queries_sent_as_updates(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Read an ``update`` whose text is a query as the ``query`` it is.

    SPARQLWrapper 2.0 guesses the query form with a regular expression that misses every
    second comment line, so a query whose header mentions, say, an "address" (ADD) goes out
    as an update. No update starts with SELECT, ASK, CONSTRUCT or DESCRIBE, so answering such
    a request as a query changes the meaning of no valid update.
    """
    return [("query", v) if k == "update" and query_form(v) else (k, v) for k, v in params]


def _iris(values: list[str], param: str) -> list[str]:
    for v in values:
        try:
            ox.NamedNode(v)
        except ValueError:
            raise _bad(f"`{param}` is not an absolute IRI: {v!r}", "bad-iri") from None
    return values


def endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


# --------------------------------------------------------------------------------------------
# The endpoint


@router.api_route("/sparql", methods=["GET", "POST"], include_in_schema=True)
async def sparql(request: Request) -> Response:
    """The SPARQL 1.1 Protocol endpoint (query, update, service description, query page)."""
    op = await read_operation(request)
    accept = request.headers.get("accept")
    fmt = format_parameter(op.params)
    if op.query is None and op.update is None:
        return service_description_or_page(request, accept, fmt)
    settings = request.app.state.settings
    if op.update is not None:
        if not settings.scratch:
            raise Problem(403, READ_ONLY_DETAIL, title="Read-only endpoint", slug="read-only")
        using = _iris(op.getlist("using-graph-uri"), "using-graph-uri")
        using_named = _iris(op.getlist("using-named-graph-uri"), "using-named-graph-uri")
        update = op.update
        if using or using_named:
            if has_using_or_with(update):
                raise _bad(
                    "The update has USING or WITH clauses and the request "
                    "using-graph-uri/using-named-graph-uri parameters: give the dataset once.",
                    "dataset-conflict",
                )
            update = add_using(update, using, using_named)
        job = {
            "kind": "update",
            "update": update,
            "base_iri": endpoint_url(request),
            "federated": is_federated(update),
        }
        return await run_job(request, job)

    results = choose(RESULT_OFFERS, accept, fmt)
    graph = choose(GRAPH_OFFERS, accept, fmt)
    if results is None and graph is None:
        raise not_acceptable(RESULT_OFFERS + GRAPH_OFFERS, accept, fmt)
    default_graphs = _iris(op.getlist("default-graph-uri"), "default-graph-uri")
    named_graphs = _iris(op.getlist("named-graph-uri"), "named-graph-uri")
    job: dict[str, Any] = {
        "kind": "query",
        "query": op.query,
        "base_iri": endpoint_url(request),
        "results_format": offer_pair(results),
        "graph_format": offer_pair(graph),
        "asked": describe_request(accept, fmt),
        "federated": is_federated(op.query or ""),
    }
    if default_graphs or named_graphs:
        job["default_graph"] = default_graphs
        job["named_graphs"] = named_graphs or None
    elif settings.scratch:
        # A built store's default graph is the merge of its record graphs; the scratch store
        # keeps none, so its queries see the union of its graphs (pyoxigraph's, a triple once
        # per graph that holds it).
        job["union"] = not has_dataset_clause(op.query or "")
    return await run_job(request, job)


async def run_job(request: Request, job: dict[str, Any]) -> Response:
    """Run a job on the pool and turn its reply (or failure) into a response."""
    text = job.get("query") or job.get("update") or ""
    if nesting(text) > MAX_NESTING:
        raise _bad(
            f"The {job['kind']} nests groups or expressions more than {MAX_NESTING} levels "
            "deep; this endpoint does not evaluate that.",
            "nested-too-deeply",
        )
    if job.get("federated") and not request.app.state.settings.federated:
        raise Problem(
            403,
            "This endpoint does not call other endpoints: it was started with --no-service, "
            "so queries and updates with SERVICE are refused.",
            title="SERVICE disabled",
            slug="service-disabled",
        )
    from alliance_kg.api.sparql.workers import PoolError

    settings = request.app.state.settings
    try:
        reply = await request.app.state.pool.run(
            job, settings.query_timeout, disconnected=request.is_disconnected
        )
    except PoolError as e:
        headers = {"Retry-After": "5"} if e.kind == "busy" else {}
        titles = {
            "timeout": "Query timed out",
            "busy": "Server busy",
            "died": "Query worker stopped",
            "out-of-memory": "Query used too much memory",
            "gone": "Client went away",
        }
        hints = {
            "timeout": " Make it more selective (bind a subject, add a LIMIT), or run it on a"
            " copy of the data with `alliance-kg query`.",
            "busy": " Try again in a moment.",
            "out-of-memory": " Make it more selective, or sort and group fewer rows.",
        }
        raise Problem(
            e.status,
            str(e) + hints.get(e.kind, ""),
            title=titles.get(e.kind, "Service Unavailable"),
            slug="query-" + e.kind,
            headers=headers,
            **({"timeout": settings.query_timeout} if e.kind == "timeout" else {}),
        ) from None
    request.state.query_ms = round(reply.seconds * 1000, 1)
    if reply.problem:
        p = dict(reply.problem)
        title, detail, slug = p.pop("title"), p.pop("detail"), p.pop("slug")
        raise Problem(reply.status, detail, title=title, slug=slug, **p)
    headers = {"Vary": "Accept", **reply.headers}
    if reply.status == 204 or reply.media_type is None:
        return Response(status_code=reply.status, headers=headers)
    return Response(
        reply.body,
        status_code=reply.status,
        media_type=content_type(reply.media_type),
        headers=headers,
    )


# --------------------------------------------------------------------------------------------
# Service description and query page

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RESULT_FORMAT_IRIS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "N-Quads",
    "RDF_XML",
    "JSON-LD",
    "TriG",
]


def service_description(endpoint: str, scratch: bool, federated: bool) -> list[ox.Triple]:
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
    service = ox.NamedNode(endpoint + "#service")
    dataset, graph = ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
            ox.NamedNode(endpoint.removesuffix("/sparql") + "/.well-known/void"),
        ),
        ox.Triple(
            service,
            sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, RDF_TYPE, sd("Graph")),
    ]
    if federated:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    if scratch:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
        triples.append(ox.Triple(service, sd("feature"), sd("EmptyGraphs")))
    for name in RESULT_FORMAT_IRIS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    return triples


def service_description_or_page(request: Request, accept: str | None, fmt: list[str]) -> Response:
    chosen = choose([*DESCRIPTION_OFFERS, HTML_OFFER], accept, fmt)
    if chosen is None:
        raise not_acceptable([*DESCRIPTION_OFFERS, HTML_OFFER], accept, fmt)
    if chosen is HTML_OFFER:
        return query_page(request)
    settings = request.app.state.settings
    body = ox.serialize(
        service_description(endpoint_url(request), settings.scratch, settings.federated),
        format=getattr(ox.RdfFormat, chosen.value),
        prefixes={"sd": SD, "formats": FORMATS},
    )
    return Response(body, media_type=content_type(chosen.media_type), headers={"Vary": "Accept"})


def example_queries(directory: Path) -> list[dict[str, str]]:
    """The canned queries of ``queries/`` as YASGUI tabs: title from the ``# title:`` line."""
    tabs = []
    for path in sorted(directory.glob("*.rq")) if directory.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        title = path.stem.replace("-", " ").replace("_", " ")
        for line in text.splitlines():
            m = re.match(r"\s*#\s*title\s*:\s*(.+)", line, re.I)
            if m:
                title = m.group(1).strip()
                break
        tabs.append({"name": title, "query": text})
    return tabs


def query_page(request: Request) -> Response:
    examples = example_queries(request.app.state.settings.queries_dir)
    if not examples:
        examples = [{"name": "Query", "query": "SELECT * WHERE {\n  ?s ?p ?o\n}\nLIMIT 10\n"}]
    return query_view.page(request, examples, endpoint_url(request))
