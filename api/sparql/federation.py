"""SERVICE calls that cannot reach inside: federated queries go out only to public addresses,
or to the endpoints a deployment lists (``alliance-kg serve --service-allow URL``).

pyoxigraph makes SERVICE calls with its own HTTP client and resolver, which this code cannot
steer. So a worker rewrites every ``SERVICE <endpoint>`` of a query to a relay of its own on
127.0.0.1 (:class:`Relay`) after checking the endpoint (:func:`check`): its host must resolve,
and every address it resolves to must be public, unless the endpoint is on the allow list. The
relay then connects to the very address that was checked (no second lookup for DNS to answer
differently) and never follows a redirect (pyoxigraph does not either). This module does not
import the web framework: it runs in the query workers.

>>> is_public("8.8.8.8"), is_public("10.1.2.3"), is_public("169.254.169.254")
(True, False, False)
>>> try:
...     check("http://db.internal/sparql", [], resolver=lambda host, port: ["10.0.0.7"])
... except Refused as e:
...     print(str(e)[:55])
db.internal resolves to 10.0.0.7, which is not a public
"""

from __future__ import annotations

import http.client
import ipaddress
import secrets
import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from alliance_kg import sparql_text

Resolver = Callable[[str, int], list[str]]


class Refused(Exception):
    """A SERVICE endpoint this server will not call; the message says why."""


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local
    (cloud metadata services), shared, reserved, multicast or unspecified, also when an IPv6
    address embeds an IPv4 one.

    >>> [is_public(a) for a in ("127.0.0.1", "::1", "fe80::1", "fd00::1", "100.64.0.1",
    ...                         "::ffff:192.168.0.1", "0.0.0.0", "224.0.0.1", "2001:4860::8888")]
    [False, False, False, False, False, False, False, False, True]
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address a host name resolves to, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the relay connects to


def check(url: str, allow: Sequence[str], resolver: Resolver = resolve) -> Target:
    """The endpoint to call for a SERVICE IRI, or Refused.

    With an allow list, only the endpoints on it may be called (wherever they are); without
    one, any endpoint whose host resolves to public addresses only.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(f"SERVICE <{url}>: only http and https endpoints can be called.")
    if not parts.hostname or parts.username or parts.password:
        raise Refused(f"SERVICE <{url}>: the endpoint needs a host name and no credentials.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused(f"SERVICE <{url}>: the port is not a number.") from None
    if allow and url not in allow:
        raise Refused(
            f"SERVICE <{url}> is not among the endpoints this server may call ({', '.join(allow)})."
        )
    try:
        addresses = resolver(parts.hostname, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise Refused(f"SERVICE <{url}>: {parts.hostname} does not resolve.")
    inside = [a for a in addresses if not is_public(a)]
    if inside and not allow:
        raise Refused(
            f"{parts.hostname} resolves to {inside[0]}, which is not a public address; SERVICE "
            "calls go to public endpoints only, unless the server lists the endpoint with "
            "--service-allow."
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, parts.scheme, parts.hostname, port, path, addresses[0])


class Relay:
    """An HTTP relay on 127.0.0.1 that forwards a worker's SERVICE calls to checked targets."""

    def __init__(self, allow: Sequence[str], timeout: float, max_bytes: int) -> None:
        self.allow = list(allow)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.routes: dict[str, Target] = {}
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._forward()

            def do_GET(self) -> None:
                self._forward()

            def _forward(self) -> None:
                target = relay.routes.get(self.path.lstrip("/").split("?", 1)[0])
                if target is None:
                    self.send_error(404)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                status, content_type, data = relay.forward(target, self.command, body, self.headers)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def route(self, text: str, resolver: Resolver = resolve) -> str:
        """The query or update with every SERVICE endpoint checked and pointed at the relay."""
        self.routes.clear()
        replacements: dict[str, str] = {}
        for endpoint in sparql_text.service_endpoints(text):
            if endpoint is None:
                raise Refused("SERVICE with a variable endpoint is not supported here.")
            if endpoint not in replacements:
                token = secrets.token_urlsafe(16)
                self.routes[token] = check(endpoint, self.allow, resolver)
                replacements[endpoint] = f"http://127.0.0.1:{self.server.server_port}/{token}"
        return sparql_text.with_service_endpoints(text, replacements)

    def forward(
        self, target: Target, method: str, body: bytes | None, headers: object
    ) -> tuple[int, str, bytes]:
        """Call the checked address; a redirect or a failure becomes a 502 for pyoxigraph."""
        sock = socket.create_connection((target.address, target.port), timeout=self.timeout)
        try:
            if target.scheme == "https":
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
            conn = http.client.HTTPConnection(target.host, target.port, timeout=self.timeout)
            conn.sock = sock  # connected to the checked address: no second lookup
            send = {
                name: value
                for name in ("Content-Type", "Accept")
                if (value := headers.get(name)) is not None  # type: ignore[attr-defined]
            }
            send["User-Agent"] = "alliance-kg (SERVICE)"
            conn.request(method, target.path, body=body, headers=send)
            response = conn.getresponse()
            data = response.read(self.max_bytes + 1)
        except OSError as e:
            return 502, "text/plain", f"{target.url}: {e}".encode()
        finally:
            sock.close()
        if 300 <= response.status < 400:
            return 502, "text/plain", f"{target.url} redirects; redirects are not followed".encode()
        if len(data) > self.max_bytes:
            return 502, "text/plain", f"{target.url}: the answer is too large".encode()
        return response.status, response.getheader("Content-Type") or "text/plain", data
