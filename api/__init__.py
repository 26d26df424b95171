"""The HTTP API of alliance-kg: the SPARQL endpoint, the graph store, the REST routes, the web
pages and dumps, and the reconciliation service.

Start it with ``alliance-kg serve``; build the app in code with
:func:`alliance_kg.api.app.create_app`.
"""
