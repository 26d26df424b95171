"""The REST API, one thin router a resource: each handler parses its parameters, asks the lookup
service (:mod:`alliance_kg.api.lookup.service`) and returns its answer.

- :mod:`.queries`: the canned queries by name (``/queries``, ``/queries/{name}``).
- :mod:`.municipalities`, :mod:`.alliances`, :mod:`.industries`, :mod:`.legislation`,
  :mod:`.sources`: the entities of the graph as resources, found by any key.
- :mod:`.entities`: entity IRIs that dereference (``/id/{kind}/{slug}``, ``/wikidata/{qid}``).
- :mod:`.coverage`: the completeness report (``/coverage``).

``ROUTERS`` are the resource routers, in the order the OpenAPI document lists them.
"""

from alliance_kg.api.routes import (
    alliances,
    industries,
    legislation,
    municipalities,
    queries,
    sources,
)

ROUTERS = [
    queries.router,
    municipalities.router,
    alliances.router,
    industries.router,
    legislation.router,
    sources.router,
]
