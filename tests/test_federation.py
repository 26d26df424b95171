"""SERVICE calls cannot reach inside: the address checks as functions (no packet leaves), and
live servers with listeners on 127.0.0.1 only."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from alliance_kg.api.sparql.federation import Refused, check, is_public
from conftest import start_server

pytestmark = pytest.mark.slow  # live servers

QUERY = {"Content-Type": "application/sparql-query"}


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "127.8.9.10",
        "::1",
        "10.0.0.1",  # private
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # link-local: cloud metadata services
        "fe80::1",
        "fc00::1",  # unique local
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "::",
        "224.0.0.251",  # multicast
        "255.255.255.255",
        "192.0.2.1",  # documentation
        "::ffff:10.0.0.1",  # IPv4-mapped
        "2002:0a00:0001::1",  # 6to4 around 10.0.0.1
    ],
)
def test_addresses_inside_are_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "208.80.154.224", "2620:0:861:ed1a::1"])
def test_public_addresses_are_public(address):
    assert is_public(address)


def fake(*addresses):
    return lambda host, port: list(addresses)


def test_a_host_with_any_inside_address_is_refused():
    with pytest.raises(Refused, match="not a public address"):
        check("https://mixed.example/sparql", [], resolver=fake("208.80.154.224", "10.0.0.3"))


def test_an_unresolvable_host_is_refused():
    def nowhere(host, port):
        raise socket.gaierror("Name or service not known")

    with pytest.raises(Refused, match="does not resolve"):
        check("https://nowhere.example/sparql", [], resolver=nowhere)


def test_a_public_host_is_called_at_the_checked_address():
    target = check("https://query.wikidata.org/sparql?x=1", [], resolver=fake("208.80.154.224"))
    assert (target.host, target.port, target.path, target.address) == (
        "query.wikidata.org",
        443,
        "/sparql?x=1",
        "208.80.154.224",
    )


@pytest.mark.parametrize(
    "url", ["ftp://files.example/x", "file:///etc/passwd", "http://user:pw@a.example/"]
)
def test_other_schemes_and_credentials_are_refused(url):
    with pytest.raises(Refused):
        check(url, [], resolver=fake("208.80.154.224"))


def test_the_allow_list_names_the_only_endpoints():
    allowed = "http://10.0.0.9:7200/repositories/x"
    assert check(allowed, [allowed], resolver=fake("10.0.0.9")).address == "10.0.0.9"
    with pytest.raises(Refused, match="not among the endpoints"):
        check("https://query.wikidata.org/sparql", [allowed], resolver=fake("208.80.154.224"))


# --- live, on loopback -----------------------------------------------------------------------


class Listener:
    """An HTTP server on 127.0.0.1 that answers SPARQL JSON, counting every connection."""

    def __init__(self, redirect_to: str | None = None) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                listener.requests.append((self.command, self.path, body))
                if redirect_to:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                out = json.dumps(
                    {
                        "head": {"vars": ["x"]},
                        "results": {"bindings": [{"x": {"type": "literal", "value": "far"}}]},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    one = Listener()
    yield one
    one.close()


def ask(server, query):
    return httpx.post(
        server.sparql,
        content=query,
        headers={**QUERY, "Accept": "application/sparql-results+json"},
        timeout=30,
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_service_to_loopback_is_refused_and_never_contacted(scratch_server, listener, host):
    url = listener.url.replace("127.0.0.1", host)
    r = ask(scratch_server, f"SELECT ?x {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
    assert r.status_code == 403, r.text
    assert r.json()["type"].endswith("/service-refused")
    assert listener.requests == []


def test_service_with_a_variable_endpoint_is_refused(scratch_server):
    r = ask(scratch_server, "SELECT ?x { VALUES ?e { <urn:x> } SERVICE ?e { ?x ?p ?o } }")
    assert r.status_code == 403
    assert "variable" in r.json()["detail"]


@pytest.fixture
def allowing_server(tmp_path, listener):
    server = start_server(
        tmp_path, "--scratch", "--query-timeout", "10", "--service-allow", listener.url
    )
    yield server
    server.stop()


def test_an_allowed_endpoint_is_called_through_the_relay(allowing_server, listener):
    other = Listener()
    try:
        r = ask(allowing_server, f"SELECT ?x {{ SERVICE <{listener.url}> {{ ?x ?p ?o }} }}")
        assert r.status_code == 200, r.text
        assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == ["far"]
        assert len(listener.requests) == 1
        # Another loopback endpoint, not on the list, is refused and not contacted.
        r = ask(allowing_server, f"SELECT ?x {{ SERVICE <{other.url}> {{ ?x ?p ?o }} }}")
        assert r.status_code == 403
        assert other.requests == []
    finally:
        other.close()


def test_a_redirect_is_not_followed(tmp_path):
    inside = Listener()
    redirecting = Listener(redirect_to=inside.url)
    server = start_server(
        tmp_path, "--scratch", "--query-timeout", "10", "--service-allow", redirecting.url
    )
    try:
        r = ask(server, f"SELECT ?x {{ SERVICE <{redirecting.url}> {{ ?x ?p ?o }} }}")
        assert r.status_code == 502, r.text
        assert len(redirecting.requests) == 1
        assert inside.requests == []
    finally:
        server.stop()
        inside.close()
        redirecting.close()


def test_a_failing_allowed_endpoint_is_a_502(tmp_path):
    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/sparql"
    server = start_server(tmp_path, "--scratch", "--query-timeout", "10", "--service-allow", url)
    try:
        r = ask(server, f"SELECT ?x {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
        assert r.status_code == 502, r.text
        assert "SERVICE" in r.json()["detail"]
    finally:
        server.stop()
