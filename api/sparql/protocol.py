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
from alliance_kg.api.http import problems
from alliance_kg.api.http.negotiation import (
    Offer,
    choose,
    content_type,
    describe_request,
    format_parameter,
    not_acceptable,
)
from alliance_kg.api.sparql.workers import Job, PoolError, QueryJob, UpdateJob
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
        raise problems.bad_encoding(f"The {what} is not valid UTF-8.") from None


def _parameters(encoded: str, what: str) -> list[tuple[str, str]]:
    """Percent-decoded parameters; a %XX sequence that is not UTF-8 is an error, not a U+FFFD
    that would silently change the query."""
    try:
        return parse_qsl(encoded, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise problems.bad_encoding(
            f"The {what} holds percent-encoded bytes that are not UTF-8."
        ) from None
    except ValueError as e:
        raise problems.bad_request(f"Unreadable {what}: {e}") from None


async def read_operation(request: Request) -> Operation:
    url_params = _parameters(request.scope["query_string"].decode("latin-1"), "query string")
    if request.method == "GET":
        params = _queries_sent_as_updates(url_params)
        if any(k == "update" for k, _ in params):
            raise problems.update_by_get(
                "SPARQL Update must be sent by POST (form field `update` or an "
                "application/sparql-update body), never by GET."
            )
        queries = [v for k, v in params if k == "query"]
        if len(queries) > 1:
            raise problems.multiple_queries("The request has more than one `query` parameter.")
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
            raise problems.multiple_queries("The request has more than one query or update.")
        if queries and updates:
            raise problems.query_and_update("The request has both a query and an update.")
        if not queries and not updates:
            raise problems.missing_query("The form has no `query` or `update` field.")
        return Operation(queries[0] if queries else None, updates[0] if updates else None, params)
    if media_type in ("application/sparql-query", "application/sparql-update"):
        if charset not in ("utf-8", "utf8"):
            raise problems.unsupported_media_type(
                f"A {media_type} body must be UTF-8, not {charset}."
            )
        if any(k in ("query", "update") for k, _ in url_params):
            raise problems.multiple_queries(
                f"A {media_type} body and a `query`/`update` URL parameter: send one only."
            )
        text = _decode(body, "request body")
        if media_type == "application/sparql-query" or query_form(text):
            return Operation(text, None, url_params)
        return Operation(None, text, url_params)
    raise problems.unsupported_media_type(
        "POST a query as application/x-www-form-urlencoded (field `query`) or as "
        "application/sparql-query, and an update as a form (field `update`) or as "
        f"application/sparql-update; got {media_type or 'no Content-Type'}."
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
            raise problems.bad_iri(f"`{param}` is not an absolute IRI: {v!r}") from None
    return values


def endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


# --------------------------------------------------------------------------------------------
# The endpoint


# The app's short path (alliance_kg.api.app.App) calls this for GET and POST, past FastAPI's
# routing; the route puts the endpoint in the OpenAPI document.
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
            raise problems.read_only(READ_ONLY_DETAIL)
        using = _iris(op.getlist("using-graph-uri"), "using-graph-uri")
        using_named = _iris(op.getlist("using-named-graph-uri"), "using-named-graph-uri")
        update = op.update
        if using or using_named:
            if has_using_or_with(update):
                raise problems.dataset_conflict(
                    "The update has USING or WITH clauses and the request "
                    "using-graph-uri/using-named-graph-uri parameters: give the dataset once."
                )
            update = add_using(update, using, using_named)
        job = UpdateJob(update, endpoint_url(request), federated=is_federated(update))
        check_runnable(request, update, "update", job.federated)
        return await run_job(request, job)

    results = choose(RESULT_OFFERS, accept, fmt)
    graph = choose(GRAPH_OFFERS, accept, fmt)
    if results is None and graph is None:
        raise not_acceptable(RESULT_OFFERS + GRAPH_OFFERS, accept, fmt)
    default_graphs = _iris(op.getlist("default-graph-uri"), "default-graph-uri")
    named_graphs = _iris(op.getlist("named-graph-uri"), "named-graph-uri")
    query = QueryJob(
        op.query or "",
        endpoint_url(request),
        results_format=offer_pair(results),
        graph_format=offer_pair(graph),
        asked=describe_request(accept, fmt),
        federated=is_federated(op.query or ""),
    )
    if default_graphs or named_graphs:
        query.default_graph = default_graphs
        query.named_graphs = named_graphs or None
    elif settings.scratch:
        # A built store's default graph is the merge of its record graphs; the scratch store
        # keeps none, so its queries see the union of its graphs (pyoxigraph's, a triple once
        # per graph that holds it).
        query.union = not has_dataset_clause(query.query)
    check_runnable(request, query.query, "query", query.federated)
    return await run_job(request, query)


def check_runnable(request: Request, text: str, kind: str, federated: bool) -> None:
    """Refuse, before it reaches a worker, a query or update this endpoint will not run."""
    if nesting(text) > MAX_NESTING:
        raise problems.nested_too_deeply(
            f"The {kind} nests groups or expressions more than {MAX_NESTING} levels "
            "deep; this endpoint does not evaluate that."
        )
    if federated and not request.app.state.settings.federated:
        raise problems.service_disabled(
            "This endpoint does not call other endpoints: it was started with --no-service, "
            "so queries and updates with SERVICE are refused."
        )


# What to add to a pool failure's detail: what the client can do about it.
POOL_HINTS = {
    problems.query_timeout: " Make it more selective (bind a subject, add a LIMIT), or run it "
    "on a copy of the data with `alliance-kg query`.",
    problems.query_busy: " Try again in a moment.",
    problems.query_out_of_memory: " Make it more selective, or sort and group fewer rows.",
}


async def run_job(request: Request, job: Job) -> Response:
    """Run a job on the pool and turn its reply (or failure) into a response."""
    settings = request.app.state.settings
    try:
        reply = await request.app.state.pool.run(
            job, settings.query_timeout, disconnected=request.is_disconnected
        )
    except PoolError as e:
        extra: dict[str, Any] = {}
        if e.problem == problems.query_busy:
            extra["headers"] = {"Retry-After": "5"}
        if e.problem == problems.query_timeout:
            extra["timeout"] = settings.query_timeout
        raise e.problem(str(e) + POOL_HINTS.get(e.problem, ""), **extra) from None
    request.state.query_ms = round(reply.seconds * 1000, 1)
    reply.raise_problem()
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
