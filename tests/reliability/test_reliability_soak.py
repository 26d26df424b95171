"""Soak over loopback: 32 concurrent clients for a bounded time, mixing valid lookups, invalid
requests and runaway queries.

Passes when there is no unexpected 5xx (the only 5xx allowed are the 503 problems of a stopped
runaway query, or of a busy pool while runaways hold the workers), no dropped connection, every
answer has the status its kind of request should get, and the server's resident memory grows by
less than 10 % from the first window of the soak to the last.

Every client stops at the deadline, after a bounded number of requests, or at the first
transport error; the whole test is bounded by ``SIZE.soak_seconds`` plus the request timeout.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
from conftest import start_server

from .support import SIZE, children, clone_store, problem_errors, rss_kib

pytestmark = pytest.mark.reliability

QUERY_TIMEOUT = 2  # the server's --query-timeout
REQUEST_TIMEOUT = 30  # a client gives up (and the test fails) after this long
MAX_REQUESTS_PER_CLIENT = 20_000
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
POHANG = "https://w3id.org/alliance-kg/id/municipality/pohang"
LABEL_QUERY = (
    f"SELECT ?l WHERE {{ <{POHANG}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} LIMIT 5"
)
BUSY_5XX = {"query-timeout", "query-busy"}


@dataclass(frozen=True)
class Request:
    kind: str  # valid, invalid or runaway
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: frozenset[int] = frozenset({200})


def R(kind, method, path, expect=(200,), **kw) -> Request:
    return Request(kind, method, path, expect=frozenset(expect), **kw)


SPARQL_JSON = {"Accept": "application/sparql-results+json"}
VALID = [
    R("valid", "GET", "/municipalities/pohang"),
    R("valid", "GET", "/municipalities/포항시"),
    R("valid", "GET", "/municipalities/pohang/partners"),
    R("valid", "GET", "/municipalities", params={"q": "용인", "limit": "5"}),
    R("valid", "GET", "/municipalities", params={"level": "county", "limit": "20"}),
    R("valid", "GET", "/alliances"),
    R("valid", "GET", "/sources", params={}),
    R("valid", "GET", "/queries"),
    R("valid", "GET", "/id/municipality/pohang", headers={"Accept": "text/turtle"}),
    R("valid", "GET", "/sparql", params={"query": LABEL_QUERY}, headers=SPARQL_JSON),
    R("valid", "POST", "/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers=SPARQL_JSON),
    R("valid", "GET", "/reconcile", params={"queries": '{"q0": {"query": "포항"}}'}),
    R("valid", "GET", "/openapi.json"),
]
INVALID = [
    R("invalid", "GET", "/municipalities/nowhere-at-all", expect=(404,)),
    R("invalid", "GET", "/municipalities", params={"limit": "-3"}, expect=(400,)),
    R("invalid", "GET", "/municipalities", params={"limit": "many"}, expect=(400,)),
    R("invalid", "GET", "/wikidata/42157", expect=(400,)),
    R("invalid", "GET", "/sparql", params={"query": "SELEC * {"}, expect=(400,)),
    R("invalid", "POST", "/sparql", data={"update": "DROP ALL"}, expect=(403,)),
    R(
        "invalid",
        "GET",
        "/sparql",
        params={"query": "ASK {}"},
        headers={"Accept": "image/png"},
        expect=(406,),
    ),
    R("invalid", "PUT", "/store", params={"default": ""}, expect=(403, 415)),
    R("invalid", "GET", "/no/such/path", expect=(404,)),
    R("invalid", "GET", "/reconcile", params={"queries": "{not json"}, expect=(400,)),
    R("invalid", "GET", "/municipalities/" + "x" * 5000, expect=(400, 404, 414)),
]
RUNAWAY = [
    R("runaway", "POST", "/sparql", data={"query": CROSS_JOIN}, headers=SPARQL_JSON, expect=(503,)),
]


def choose(rng: random.Random) -> Request:
    roll = rng.random()
    if roll < 0.02:  # few enough that the two workers are not held by runaways all the time
        return rng.choice(RUNAWAY)
    if roll < 0.30:
        return rng.choice(INVALID)
    return rng.choice(VALID)


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[tuple[str, int]] = Counter()
        self.problems: list[str] = []
        self.dropped: list[str] = []
        self.requests = 0

    def bad(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 50:
                self.problems.append(text)


def client_loop(base: str, seed: int, deadline: float, tally: Tally) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as client:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            req = choose(rng)
            try:
                r = client.request(
                    req.method, req.path, params=req.params, data=req.data, headers=req.headers
                )
            except httpx.HTTPError as e:
                with tally.lock:
                    tally.dropped.append(f"{req.method} {req.path}: {type(e).__name__}: {e}")
                return
            with tally.lock:
                tally.requests += 1
                tally.counts[(req.kind, r.status_code)] += 1
            what = f"{req.kind} {req.method} {req.path} {req.params or req.data or ''}"[:200]
            slug = ""
            if r.headers.get("content-type", "").startswith("application/problem+json"):
                slug = str(r.json().get("type", "")).rsplit("/", 1)[-1]
            if r.status_code >= 500 and not (r.status_code == 503 and slug in BUSY_5XX):
                tally.bad(f"unexpected {r.status_code} ({slug}) for {what}: {r.text[:300]}")
            elif r.status_code not in req.expect and not (
                r.status_code == 503 and slug in BUSY_5XX
            ):
                tally.bad(f"{r.status_code} instead of {sorted(req.expect)} for {what}")
            for wrong in problem_errors(r, req.method):
                tally.bad(f"{what}: {wrong}")


def test_soak(tmp_path_factory, store_location):
    location = tmp_path_factory.mktemp("soak") / "store"
    clone_store(store_location, location)
    server = start_server(
        location.parent,
        *("--store", str(location), "--query-timeout", str(QUERY_TIMEOUT), "--workers", "2"),
    )
    try:
        _soak(server)
    finally:
        server.stop()


def _soak(server) -> None:
    pid = server.process.pid
    # The REST read model (every government's partners) is built on the first partners lookup,
    # once per store build: a cache filled once, not a leak, so it is filled before the clock.
    httpx.get(server.url + "/municipalities/pohang/partners", timeout=REQUEST_TIMEOUT)
    tally = Tally()
    warmup = 2.0  # the first requests fill caches (name index, routes): not a leak
    started = time.monotonic()
    deadline = started + warmup + SIZE.soak_seconds
    threads = [
        threading.Thread(target=client_loop, args=(server.url, seed, deadline, tally), daemon=True)
        for seed in range(SIZE.soak_clients)
    ]
    for t in threads:
        t.start()
    samples: list[tuple[float, int, int]] = []  # (seconds into the soak, server, with workers)
    while time.monotonic() < deadline:
        own = rss_kib(pid)
        total = own + sum(rss_kib(c) for c in children(pid))
        samples.append((time.monotonic() - started - warmup, own, total))
        time.sleep(0.25)
    for t in threads:
        t.join(REQUEST_TIMEOUT + 5)
    assert not any(t.is_alive() for t in threads), "a client did not stop"
    assert server.process.poll() is None, "the server died:\n" + server.output()[-3000:]

    window = min(SIZE.soak_window, SIZE.soak_seconds / 2)
    first = [s for s in samples if 0 <= s[0] < window]
    last = [s for s in samples if s[0] >= SIZE.soak_seconds - window]
    rss_first = statistics.mean(s[1] for s in first)
    rss_last = statistics.mean(s[1] for s in last)
    growth = rss_last / rss_first - 1
    tree_growth = statistics.mean(s[2] for s in last) / statistics.mean(s[2] for s in first) - 1
    counts = dict(sorted(tally.counts.items()))
    print(
        f"soak: {SIZE.soak_clients} clients, {SIZE.soak_seconds:g} s, {tally.requests} requests "
        f"({tally.requests / SIZE.soak_seconds:.0f}/s); statuses {counts}; server RSS "
        f"{rss_first / 1024:.1f} -> {rss_last / 1024:.1f} MiB ({growth:+.1%}), with workers "
        f"{tree_growth:+.1%}"
    )
    assert not tally.dropped, f"{len(tally.dropped)} dropped connection(s):\n" + "\n".join(
        tally.dropped[:20]
    )
    assert not tally.problems, "\n".join(tally.problems)
    assert tally.counts[("valid", 200)] > 0 and tally.counts[("runaway", 503)] > 0
    assert growth < 0.10, f"server RSS grew by {growth:.1%} from the first to the last window"
