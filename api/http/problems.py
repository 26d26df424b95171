"""Problem details (RFC 9457): every error the HTTP API gives is an ``application/problem+json``.

Raise :class:`Problem` anywhere inside a request handler; the handler that
:func:`alliance_kg.api.app.create_app` installs turns it (and FastAPI's own ``HTTPException`` and
validation
errors) into a response such as::

    HTTP/1.1 503 Service Unavailable
    Content-Type: application/problem+json

    {"type": "https://w3id.org/alliance-kg/problems/query-timeout",
     "title": "Query timed out", "status": 503,
     "detail": "The query ran longer than the 30 s limit and was stopped.", "timeout": 30}

>>> p = Problem(400, "No query given.", title="Missing query", slug="missing-query")
>>> p.body()["type"], p.body()["status"]
('https://w3id.org/alliance-kg/problems/missing-query', 400)
>>> Problem(404, "No such graph.").body()["title"]
'Not Found'
"""

from __future__ import annotations

import http
import json
from typing import Any

from starlette.responses import Response

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://w3id.org/alliance-kg/problems/"


class Problem(Exception):
    """An HTTP error to report as problem+json; ``extra`` become extension members."""

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

    def response(self) -> Response:
        return problem_response(self.body(), self.headers)


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        status_code=int(body["status"]),
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
