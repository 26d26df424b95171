"""Where the REST API's canned queries run: the embedded store, or any SPARQL 1.1 endpoint.

Both backends take a :class:`~alliance_kg.canned.CannedQuery` and the parsed parameter terms
and give the rows as SPARQL 1.1 JSON bindings (``{"var": {"type": ..., "value": ...}}``),
normalised the same way, so the REST layer cannot tell them apart and their answers are equal.

Parameters are bound by :func:`alliance_kg.canned.with_values`: user text never becomes
SPARQL syntax.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import threading
import time
import urllib.parse
from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

import pyoxigraph as ox

from alliance_kg import canned
from alliance_kg import store as stores

Binding = dict[str, dict[str, str]]
Row = TypeVar("Row", bound=NamedTuple)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class BackendError(Exception):
    """The store or the remote endpoint could not answer (a 502/503 for the client)."""


# --------------------------------------------------------------------------------------------
# SPARQL JSON bindings


def term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def normal(binding: dict[str, dict[str, Any]]) -> Binding:
    """One binding as both backends give it: plain literals carry no xsd:string datatype."""
    out: Binding = {}
    for name, t in binding.items():
        kind = t.get("type")
        if kind == "typed-literal":  # SPARQL JSON as some older servers write it
            kind = "literal"
        term = {"type": kind, "value": t.get("value", "")}
        if kind == "literal":
            if t.get("xml:lang"):
                term["xml:lang"] = t["xml:lang"].lower()
            elif t.get("datatype") and t["datatype"] not in (XSD_STRING, RDF_LANG_STRING):
                term["datatype"] = t["datatype"]
        out[name] = term
    return out


# --------------------------------------------------------------------------------------------
# Backends


# The answer cache is for lookups; a bulk answer (the read model's) is kept by its user, and
# keeping its rows too would double the memory it takes.
MAX_CACHED_ROWS = 10_000


class Backend(Protocol):
    # Whether a query over every local government at once comes back whole, so that the lookup
    # service can answer from a table computed in bulk (its read model). An endpoint may cap
    # result sizes (Virtuoso's ResultSetMaxRows cuts answers at 10,000 rows by default).
    answers_in_bulk: bool

    async def select(
        self, query: canned.CannedQuery, terms: dict[ox.Variable, Any]
    ) -> tuple[list[str], list[Binding]]:
        """The query's variables and rows."""
        ...

    async def tuples(self, query: canned.CannedQuery, row: type[Row]) -> list[Row]:
        """The rows of a query without parameters as named tuples of plain values (None where
        unbound), their fields the query's variables; not cached. For answers too big to hold
        as bindings (the read model's). Only asked of a backend that answers in bulk."""
        ...

    def version(self) -> Any:
        """Changes when the data may have changed (the name index is rebuilt then)."""
        ...


class EmbeddedBackend:
    """The store the server reads, opened read-only in this process; queries run in threads.

    pyoxigraph releases the GIL while it evaluates, so concurrent requests run in parallel off
    the event loop. Before each query the store location is checked for a new build (``alliance-kg
    load`` swaps builds atomically), which is then opened and becomes the new version. Answers
    are cached per build.
    """

    answers_in_bulk = True

    def __init__(self, location: Path, cache_size: int = 2048) -> None:
        self.location = location
        self._store: ox.Store | None = None
        self._build: Path | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple, tuple[list[str], list[Binding]]] = OrderedDict()
        self._cache_size = cache_size
        self._known: tuple[str, Path] | None = None  # (link text, the build it resolved to)

    def _current(self) -> Path:
        """The build the location points at. Resolving the link costs a dozen system calls, so
        the answer is kept for as long as the link itself (one ``readlink``) stays the same;
        ``alliance-kg load`` always swaps the link, so a new build is still seen at once."""
        try:
            link = os.readlink(self.location)
        except OSError:
            link = None
        known = self._known
        if link is not None and known is not None and known[0] == link:
            return known[1]
        try:
            build = stores.current_build(self.location)
        except stores.StoreMissing as e:
            raise BackendError(str(e)) from None
        if link is not None:
            self._known = (link, build)
        return build

    def _open(self) -> tuple[ox.Store, Path]:
        build = self._current()
        with self._lock:
            if build != self._build or self._store is None:
                self._store = ox.Store.read_only(str(build))
                self._build = build
                self._cache.clear()
            return self._store, build

    def version(self) -> Any:
        try:
            return self._current()
        except BackendError:
            return None

    def _run(self, sparql: str, key: tuple) -> tuple[list[str], list[Binding]]:
        store, build = self._open()
        with self._lock:
            hit = self._cache.get((build, *key))
        if hit is not None:
            return hit
        failure = None
        result: Any = None
        try:
            result = store.query(sparql)
            names = [v.value for v in result.variables]
            rows = [{n: term_json(row[n]) for n in names if row[n] is not None} for row in result]
        except (OSError, SyntaxError, ValueError) as e:
            failure = f"{type(e).__name__}: {e}"
        finally:
            result = None  # pyoxigraph results must be dropped on the thread that made them
        if failure is not None:
            raise BackendError(f"the query could not run: {failure}")
        if len(rows) <= MAX_CACHED_ROWS:
            with self._lock:
                self._cache[(build, *key)] = (names, rows)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return names, rows

    async def select(
        self, query: canned.CannedQuery, terms: dict[ox.Variable, Any]
    ) -> tuple[list[str], list[Binding]]:
        key = (query.name, tuple(sorted((v.value, str(t)) for v, t in terms.items())))
        try:  # a cached answer needs no thread: answer it on the event loop
            build = self._current()
        except BackendError:
            build = None
        if build is not None and build == self._build:
            with self._lock:
                hit = self._cache.get((build, *key))
            if hit is not None:
                return hit
        sparql = canned.with_values(query, terms)
        return await asyncio.to_thread(self._run, sparql, key)

    def _tuples(self, sparql: str, row: type[Row]) -> list[Row]:
        store, _ = self._open()
        result: Any = None
        try:
            result = store.query(sparql)
            check_fields(row, [v.value for v in result.variables])
            return [row._make(None if t is None else t.value for t in r) for r in result]
        except (OSError, SyntaxError, ValueError) as e:
            raise BackendError(f"the query could not run: {type(e).__name__}: {e}") from None
        finally:
            result = None  # pyoxigraph results must be dropped on the thread that made them

    async def tuples(self, query: canned.CannedQuery, row: type[Row]) -> list[Row]:
        return await asyncio.to_thread(self._tuples, canned.with_values(query, {}), row)


class RemoteBackend:
    """Any SPARQL 1.1 Protocol endpoint (Oxigraph, Virtuoso, QLever, GraphDB, Neptune ...).

    Queries are POSTed as a form (``query=``), the one request form every engine accepts
    (Virtuoso never answers an ``application/sparql-query`` body), asking for SPARQL JSON
    results, over one kept-alive connection per thread. The data behind an endpoint can change
    without notice, so the version changes every ``refresh`` seconds and the name index is
    rebuilt then.
    """

    answers_in_bulk = False

    def __init__(self, url: str, timeout: float = 30.0, refresh: float = 300.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) SPARQL endpoint URL: {url!r}")
        self.url = url
        self._parts = parts
        self.timeout = timeout
        self.refresh = refresh
        self._local = threading.local()

    def version(self) -> Any:
        return int(time.time() // self.refresh)

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = (
                http.client.HTTPSConnection
                if self._parts.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = cls(self._parts.netloc, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _post(self, sparql: str) -> dict[str, Any]:
        path = self._parts.path or "/"
        if self._parts.query:
            path += "?" + self._parts.query
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        }
        body = urllib.parse.urlencode({"query": sparql}).encode("ascii")
        for attempt in range(2):  # a kept-alive connection the server has closed: reconnect
            conn = self._connection()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                self._local.conn = None
                if attempt:
                    raise BackendError(f"{self.url} did not answer: {e}") from None
                continue
            if response.status != 200:
                text = answer[:300].decode("utf-8", "replace")
                raise BackendError(f"{self.url} answered {response.status}: {text}")
            try:
                return json.loads(answer)
            except ValueError:
                raise BackendError(f"{self.url} sent results that are not JSON") from None
        raise BackendError(f"{self.url} did not answer")

    async def select(
        self, query: canned.CannedQuery, terms: dict[ox.Variable, Any]
    ) -> tuple[list[str], list[Binding]]:
        data = await asyncio.to_thread(self._post, canned.with_values(query, terms))
        names = list(data.get("head", {}).get("vars", []))
        rows = [normal(b) for b in data.get("results", {}).get("bindings", [])]
        return names, rows


def check_fields(row: type[NamedTuple], variables: list[str]) -> None:
    if list(row._fields) != variables:
        raise BackendError(f"{row.__name__} has fields {row._fields}, the query gives {variables}")


def plain(term: dict[str, str] | None) -> str | None:
    """The value of a bound term, or None."""
    return None if term is None else term["value"]
