"""The SPARQL side of the server: the SPARQL 1.1 Protocol endpoint (:mod:`.protocol`), the Graph
Store Protocol (:mod:`.graph_store`), the query worker processes both run their jobs in
(:mod:`.workers`) and the guard on federated ``SERVICE`` calls (:mod:`.federation`)."""
