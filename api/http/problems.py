"""Problem details (RFC 9457): every error the HTTP API gives is an ``application/problem+json``.

Each kind of error the API reports is a :class:`ProblemType` defined here once, with its slug
(the type IRI is ``TYPE_BASE`` + slug), its HTTP status and its title, which is the same for
every occurrence. Calling a type makes the :class:`Problem` to raise anywhere inside a request
handler; the handler that :func:`alliance_kg.api.app.create_app` installs turns it (and FastAPI's
own ``HTTPException`` and validation errors) into a response such as::

    HTTP/1.1 503 Service Unavailable
    Content-Type: application/problem+json

    {"type": "https://w3id.org/alliance-kg/problems/query-timeout",
     "title": "Query timed out", "status": 503,
     "detail": "The query ran longer than the 30 s limit and was stopped.", "timeout": 30}

>>> p = missing_query("No query given.")
>>> p.body()["type"], p.body()["status"], p.body()["title"]
('https://w3id.org/alliance-kg/problems/missing-query', 400, 'Missing query')
>>> not_found("No such thing.", key="x").body()["key"]
'x'
>>> plain(404, "No such page.").body()["title"], plain(404, "No such page.").type
('Not Found', 'about:blank')

The query workers report problems with these types too, so this module does not import the web
framework (the app turns a problem into a response).
"""

from __future__ import annotations

import http
from dataclasses import dataclass
from typing import Any

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://w3id.org/alliance-kg/problems/"


class Problem(Exception):
    """An HTTP error to report as problem+json; ``extra`` become extension members.

    Prefer calling a :class:`ProblemType` (``bad_request(detail)``), which fixes the status and
    title of its kind; a ``Problem`` built directly with a free slug and title still works.
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _phrase(status)
        self.type = TYPE_BASE + slug if slug else "about:blank"
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its slug, HTTP status and title. Call it to make a :class:`Problem`."""

    slug: str
    status: int
    title: str

    @property
    def uri(self) -> str:
        return TYPE_BASE + self.slug

    def __call__(
        self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> Problem:
        return Problem(
            self.status, detail, title=self.title, slug=self.slug, headers=headers, **extra
        )


def plain(status: int, detail: str, headers: dict[str, str] | None = None) -> Problem:
    """A problem with no type of ours (``about:blank``): its title is the HTTP status phrase."""
    return Problem(status, detail, headers=headers)


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# --------------------------------------------------------------------------------------------
# The problem types

# Requests the server cannot read
bad_request = ProblemType("bad-request", 400, "Bad request")
invalid_request = ProblemType("invalid-request", 400, "Invalid request")
bad_encoding = ProblemType("bad-encoding", 400, "Not UTF-8")
bad_iri = ProblemType("bad-iri", 400, "Not an absolute IRI")
bad_parameter = ProblemType("bad-parameter", 400, "Bad parameter")
bad_json = ProblemType("bad-json", 400, "Not JSON")
unsupported_media_type = ProblemType("unsupported-media-type", 415, "Unsupported Media Type")
not_acceptable = ProblemType("not-acceptable", 406, "Not Acceptable")

# SPARQL Protocol requests
missing_query = ProblemType("missing-query", 400, "Missing query")
multiple_queries = ProblemType("multiple-queries", 400, "More than one query")
query_and_update = ProblemType("query-and-update", 400, "Both a query and an update")
update_by_get = ProblemType("update-by-get", 400, "Update sent by GET")
dataset_conflict = ProblemType("dataset-conflict", 400, "Dataset given twice")
nested_too_deeply = ProblemType("nested-too-deeply", 400, "Nested too deeply")
malformed_query = ProblemType("malformed-query", 400, "Malformed query")
malformed_update = ProblemType("malformed-update", 400, "Malformed update")
unsupported_function = ProblemType("unsupported-function", 400, "Unsupported function")
read_only = ProblemType("read-only", 403, "Read-only store")
service_disabled = ProblemType("service-disabled", 403, "SERVICE disabled")
service_refused = ProblemType("service-refused", 403, "SERVICE refused")
service_failed = ProblemType("service-failed", 502, "SERVICE call failed")

# Graph Store Protocol requests
bad_graph = ProblemType("bad-graph", 400, "Bad graph parameter")
bad_multipart = ProblemType("bad-multipart", 400, "Bad multipart body")
malformed_rdf = ProblemType("malformed-rdf", 400, "Malformed RDF")
no_graph = ProblemType("no-graph", 404, "No such graph")

# Running a query: the worker pool and the store
query_timeout = ProblemType("query-timeout", 503, "Query timed out")
query_busy = ProblemType("query-busy", 503, "Server busy")
query_died = ProblemType("query-died", 503, "Query worker stopped")
query_out_of_memory = ProblemType("query-out-of-memory", 503, "Query used too much memory")
query_gone = ProblemType("query-gone", 503, "Client went away")
out_of_memory = ProblemType("memory", 507, "Out of memory")
result_too_large = ProblemType("result-too-large", 507, "Result too large")
store_unavailable = ProblemType("store-unavailable", 503, "Store unavailable")
store_error = ProblemType("store-error", 500, "Store error")
internal_error = ProblemType("internal-error", 500, "Internal error")

# The REST API, the pages and the reconciliation service
not_found = ProblemType("not-found", 404, "Not found")
bad_key = ProblemType("bad-key", 400, "Bad key")
ambiguous_key = ProblemType("ambiguous-key", 300, "Ambiguous key")
no_rest_store = ProblemType("no-rest-store", 503, "No store for the REST API")
bad_query = ProblemType("bad-query", 400, "Bad reconciliation query")
bad_extend = ProblemType("bad-extend", 400, "Bad extend request")
bad_callback = ProblemType("bad-callback", 400, "Bad callback")
too_many_ids = ProblemType("too-many-ids", 413, "Too many ids")
too_many_queries = ProblemType("too-many", 413, "Too many queries")

# Every type above, in the order defined
TYPES: list[ProblemType] = [v for v in list(globals().values()) if isinstance(v, ProblemType)]
