"""Java's HTTP client (and so Apache Jena: ARQ, rsparql, RDFConnection) opens with an HTTP/2
upgrade offer: ``Connection: Upgrade, HTTP2-Settings`` and ``Upgrade: h2c``. The server must
ignore the offer and read the body, on every route that takes a POST."""

import json
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

pytestmark = pytest.mark.slow  # live servers

# The request head Java 17's java.net.http.HttpClient sends for a first request, as captured.
JAVA_HEADERS = (
    "Connection: Upgrade, HTTP2-Settings\r\n"
    "HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
    "Upgrade: h2c\r\n"
    "User-Agent: Java-http-client/17.0.15\r\n"
)


def java_post(url: str, path: str, content_type: str, body: bytes, accept: str = "*/*"):
    """POST the way Java does; (status, headers, body) of the answer."""
    parts = urlsplit(url)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{JAVA_HEADERS}"
        f"Content-Type: {content_type}\r\nAccept: {accept}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as s:
        s.sendall(head + body)
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536) or b"\r\n\r\n"
        head_bytes, _, rest = data.partition(b"\r\n\r\n")
        lines = head_bytes.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        if headers.get("transfer-encoding") == "chunked":
            while not rest.endswith(b"0\r\n\r\n"):
                rest += s.recv(65536)
            chunks, out = rest, b""
            while True:
                size, _, chunks = chunks.partition(b"\r\n")
                if int(size, 16) == 0:
                    break
                out, chunks = out + chunks[: int(size, 16)], chunks[int(size, 16) + 2 :]
            rest = out
        else:
            while len(rest) < int(headers.get("content-length", 0)):
                rest += s.recv(65536)
    return int(lines[0].split()[1]), headers, rest


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/sparql-query", b"ASK { ?s ?p ?o }"),
        ("application/x-www-form-urlencoded", b"query=" + quote("ASK { ?s ?p ?o }").encode()),
    ],
    ids=["direct", "form"],
)
def test_sparql_post_from_java(store_server, content_type, body):
    status, _, answer = java_post(
        store_server.url, "/sparql", content_type, body, "application/sparql-results+json"
    )
    assert status == 200, answer
    assert json.loads(answer)["boolean"] is True


def test_reconcile_post_from_java(store_server):
    queries = json.dumps({"q0": {"query": "포항시"}}, ensure_ascii=False)
    body = ("queries=" + quote(queries)).encode()
    status, _, answer = java_post(
        store_server.url, "/reconcile", "application/x-www-form-urlencoded", body
    )
    assert status == 200
    result = json.loads(answer)["q0"]["result"]
    assert result[0]["id"] == "pohang"


def test_graph_store_post_from_java(scratch_server):
    graph = "http://example.org/java-graph"
    turtle = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> ."
    status, _, answer = java_post(
        scratch_server.url, f"/store?graph={quote(graph)}", "text/turtle", turtle
    )
    assert status in (201, 204), answer
    ask = f"ASK {{ GRAPH <{graph}> {{ <http://example.org/s> ?p ?o }} }}"
    status, _, answer = java_post(
        scratch_server.url,
        "/sparql",
        "application/sparql-query",
        ask.encode(),
        "application/sparql-results+json",
    )
    assert json.loads(answer)["boolean"] is True


# --- Java's own HTTP client, as Jena uses it -------------------------------------------------

JAVA_CLIENT = Path(__file__).parent / "java" / "Post.java"


def java_client(url: str, content_type: str, body: str, accept: str) -> tuple[int, str]:
    java = shutil.which("java")
    if java is None:
        pytest.fail("this test runs Java's HTTP client: install a JDK (11 or later)")
    done = subprocess.run(
        [java, str(JAVA_CLIENT), url, content_type, body, accept],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    status, _, answer = done.stdout.partition("\n")
    return int(status), answer


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/sparql-query", "ASK { ?s ?p ?o }"),
        ("application/x-www-form-urlencoded", "query=" + quote("ASK { ?s ?p ?o }")),
    ],
    ids=["direct", "form"],
)
def test_java_http_client_posts_a_query(store_server, content_type, body):
    status, answer = java_client(
        store_server.sparql, content_type, body, "application/sparql-results+json"
    )
    assert status == 200, answer
    assert json.loads(answer)["boolean"] is True


def test_java_http_client_posts_a_reconciliation_batch(store_server):
    queries = json.dumps({"q0": {"query": "Pohang"}})
    status, answer = java_client(
        store_server.url + "/reconcile",
        "application/x-www-form-urlencoded",
        "queries=" + quote(queries),
        "application/json",
    )
    assert status == 200, answer
    assert json.loads(answer)["q0"]["result"][0]["id"] == "pohang"
