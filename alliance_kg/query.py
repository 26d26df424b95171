"""`alliance-kg query` and `alliance-kg export` on the embedded store."""

import sys
import unicodedata
from pathlib import Path

import pyoxigraph as ox

from alliance_kg import canned, canonical, iri
from alliance_kg import store as stores

RESULT_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "json": ox.QueryResultsFormat.JSON}
GRAPH_FORMATS = {
    "table": ox.RdfFormat.TURTLE,
    "csv": ox.RdfFormat.N_TRIPLES,
    "json": ox.RdfFormat.JSON_LD,
}
EXPORT_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
}


def read_query_argument(value: str) -> str:
    """QUERY is the text itself, ``@FILE`` or ``-`` for standard input."""
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        return Path(value[1:]).read_text(encoding="utf-8")
    return value


def run(store: ox.Store, sparql: str):
    """Run a query the way the endpoint does: on the default graph (the merge of the record
    graphs), unless the query names its own dataset with FROM / FROM NAMED."""
    return store.query(sparql)


def bind_parameters(sparql: str, assignments: list[str]) -> str:
    """The query with NAME=VALUE pairs bound, typed by its header where it declares them.

    >>> print(bind_parameters("SELECT * { ?s ?p ?o }", ["s=http://e.org/a"]))
    SELECT * { VALUES (?s) { (<http://e.org/a>) }
     ?s ?p ?o }
    """
    if not assignments:
        return sparql
    query = canned.parse("query", sparql)
    declared = {p.name for p in query.parameters}
    values = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise canned.BadParameter(f"--param {assignment!r} is not NAME=VALUE")
        values[name] = value
    extra = tuple(
        canned.Parameter(name, "iri" if value.startswith(("http://", "https://")) else "string", "")
        for name, value in values.items()
        if name not in declared
    )
    query = canned.CannedQuery("query", "", "", sparql, query.parameters + extra)
    return canned.with_values(query, query.bind(values))


def format_result(result, fmt: str) -> bytes:
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return b"true\n" if bool(result) else b"false\n"
        return result.serialize(format=RESULT_FORMATS[fmt])
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(result, format=GRAPH_FORMATS[fmt], prefixes=iri.PREFIXES)
    if fmt != "table":
        return result.serialize(format=RESULT_FORMATS[fmt])
    return _table(result).encode("utf-8")


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def text_table(columns: list[str], rows: list[list[str]]) -> str:
    """Rows as aligned text columns under a header, for a terminal.

    >>> print(text_table(["시", "code"], [["포항시", "47110"]]), end="")
    시      code
    ------  -----
    포항시  47110
    """
    widths = [max([_width(c), *(_width(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def _table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [["" if row[name] is None else _show(row[name]) for name in names] for row in solutions]
    count = f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
    return text_table(names, rows) + count


def _show(term) -> str:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return str(term)


def run_cli_query(location: Path, query: str, fmt: str, params: list[str] = ()) -> int:
    store = stores.open_read_only(location)
    try:
        sparql = read_query_argument(query)
        result = run(store, bind_parameters(sparql, list(params)))
        sys.stdout.buffer.write(format_result(result, fmt))
    except (SyntaxError, OSError, ValueError) as error:
        print(f"alliance-kg: {error}", file=sys.stderr)
        return 1
    return 0


def export_bytes(store: ox.Store, fmt: str) -> bytes:
    """The record graphs (Turtle: their merge), sorted so that the same store always gives the
    same bytes. The store's default graph, the merge of the record graphs, is not repeated."""
    quads = sorted(stores.named_graph_quads(store), key=str)
    if fmt == "turtle":
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=iri.PREFIXES)
    if fmt == "nquads":
        return canonical.nquads(quads)
    return ox.serialize(quads, format=EXPORT_FORMATS[fmt], prefixes=iri.PREFIXES)


def export(location: Path, fmt: str, output: Path | None) -> int:
    data = export_bytes(stores.open_read_only(location), fmt)
    if output:
        output.write_bytes(data)
        print(f"wrote {len(data)} bytes to {output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0
