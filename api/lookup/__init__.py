"""Looking things up in the graph, for the REST API, the web pages and reconciliation alike.

- :mod:`.backend`: where canned queries run, the embedded store or a remote SPARQL endpoint.
- :mod:`.names`: the in-memory name index that turns a key (name, alias, slug, code, QID) into
  entities.
- :mod:`.service`: the :class:`~.service.Lookup` service, which runs the canned queries, keeps
  the name indexes and turns rows into the models of :mod:`alliance_kg.api.models`.
"""
