"""What the routes share: the app's lookup service (:mod:`alliance_kg.api.lookup.service`), made
on first use from the settings, and the problem answers the routes document."""

from __future__ import annotations

from typing import Any

from alliance_kg.api import models
from alliance_kg.api.http import problems
from alliance_kg.api.lookup.backend import Backend, EmbeddedBackend, RemoteBackend
from alliance_kg.api.lookup.service import Lookup
from starlette.requests import Request

from alliance_kg import canned

PROBLEMS: dict[int | str, dict[str, Any]] = {
    300: {"model": models.ProblemBody, "description": "ambiguous key: the candidates"},
    400: {"model": models.ProblemBody, "description": "bad input"},
    404: {"model": models.ProblemBody, "description": "no such entity"},
}


def lookup(request: Request) -> Lookup:
    """The app's lookup service, on the store or the SPARQL endpoint the server was given."""
    service = getattr(request.app.state, "lookup", None)
    if service is None:
        settings = request.app.state.settings
        endpoint = getattr(settings, "sparql_endpoint", None)
        if endpoint:
            backend: Backend = RemoteBackend(endpoint, timeout=settings.query_timeout)
        elif settings.store is not None:
            backend = EmbeddedBackend(settings.store)
        else:
            raise problems.no_rest_store(
                "The REST API answers from a built store or a SPARQL endpoint; this server runs "
                "on a scratch store only. Use /sparql, or serve with --store or "
                "--sparql-endpoint."
            )
        service = Lookup(backend, canned.load_all(settings.queries_dir))
        request.app.state.lookup = service
    return service
