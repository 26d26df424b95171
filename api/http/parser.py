"""The HTTP/1.1 protocol the server speaks: uvicorn's httptools parser (llhttp, in C), and its h11
parser for a connection whose first request offers to upgrade it.

Java's HTTP client (and so Apache Jena: ARQ, rsparql, RDFConnection) opens a connection with
``Connection: Upgrade, HTTP2-Settings`` and ``Upgrade: h2c``. llhttp then ends the request at
its head and the body of a POST is lost; h11 ignores the offer and reads the body. h11 costs
more per request (a bare ASGI app, one client: 0.31 ms against 0.15 ms a request; 7,300 against
21,000 requests a second at 16 clients), so it serves only the connections that need it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# A request head longer than this without its end is left to httptools, which refuses it.
MAX_HEAD = 64 * 1024


class HttpProtocol(asyncio.Protocol):
    """Reads the head of a connection's first request, then hands the connection to the
    parser it needs; pass the class as uvicorn's ``http``."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs  # config, server_state, app_state, _loop: for the parser
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport
        self.parser: asyncio.Protocol | None = None
        self.head = b""

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.parser is None:
            self.head += data
            if b"\r\n\r\n" not in self.head and len(self.head) < MAX_HEAD:
                return
            data, self.head = self.head, b""
            head = data.partition(b"\r\n\r\n")[0].lower()
            kind = H11Protocol if b"\nupgrade:" in head else HttpToolsProtocol
            self.parser = kind(**self.kwargs)
            self.parser.connection_made(self.transport)
        self.parser.data_received(data)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.parser is not None:
            self.parser.connection_lost(exc)

    def eof_received(self) -> bool | None:
        return None if self.parser is None else self.parser.eof_received()

    def pause_writing(self) -> None:
        if self.parser is not None:
            self.parser.pause_writing()

    def resume_writing(self) -> None:
        if self.parser is not None:
            self.parser.resume_writing()
