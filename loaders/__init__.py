"""Curated records in data/ → validated records → RDF → an Oxigraph store."""
