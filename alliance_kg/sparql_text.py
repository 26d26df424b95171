"""Reading SPARQL text just enough to see its shape: pyoxigraph exposes no parse tree.

Used to find a query's dataset clauses (FROM), its form, SERVICE calls, the protocol's USING
clauses for updates, and where a canned query's group pattern opens.
"""

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][^\s{}()<>"'\#,;.\[\]=!|&*/+^?]*)
  | (?P<open>\{) | (?P<close>\})
  | (?P<word>[^\s{}()<>"'\#,;.\[\]=!|&*/+^$?@-][^\s{}()<>"'\#,;\[\]=!|&*/+^?]*)
  | (?P<other>.)
    """,
    re.X | re.S,
)


@dataclass
class Token:
    kind: str
    text: str
    start: int
    depth: int


def tokens(text: str) -> list[Token]:
    """The significant tokens of a query or update, with their brace depth.

    >>> [t.text for t in tokens('SELECT * FROM <g> { ?s ?p "{" } # FROM')]
    ['SELECT', '*', 'FROM', '<g>', '{', '?s', '?p', '"{"', '}']
    """
    out, depth = [], 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth = max(depth - 1, 0)
        out.append(Token(kind, m.group(), m.start(), depth))
        if kind == "open":
            depth += 1
    return out


MAX_NESTING = 1000  # pyoxigraph's recursive parser overflows its stack a few thousand deep


def nesting(text: str) -> int:
    """How deep groups, brackets and parentheses nest, outside strings, IRIs and comments.

    >>> nesting('SELECT * { { ?s ?p "((((" } FILTER((1)) }')
    3
    """
    depth = deepest = 0
    for t in tokens(text):
        if t.text in ("{", "(", "["):
            depth += 1
            deepest = max(deepest, depth)
        elif t.text in ("}", ")", "]"):
            depth = max(depth - 1, 0)
    return deepest


def _top_keywords(text: str) -> list[Token]:
    return [t for t in tokens(text) if t.kind == "word" and t.depth == 0]


def has_dataset_clause(query: str) -> bool:
    """Whether a query names its own dataset (FROM / FROM NAMED).

    >>> has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT ?from { ?s <http://ex/from> ?from } # FROM <x>")
    False
    """
    return any(t.text.upper() == "FROM" for t in _top_keywords(query))


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE if the text is a query (after its prologue).

    >>> query_form("PREFIX ex: <http://ex/> BASE <http://b/> select * {} # ADD")
    'SELECT'
    >>> query_form("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:b ex:c }") is None
    True
    """
    toks = tokens(text)
    i = 0
    while i < len(toks):
        word = toks[i].text.upper()
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        else:
            return word if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else None
    return None


def is_federated(text: str) -> bool:
    """Whether a query or update calls other endpoints (SERVICE)."""
    return any(t.kind == "word" and t.text.upper() == "SERVICE" for t in tokens(text))


def _service_tokens(text: str) -> list[tuple[Token, str | None]]:
    """The endpoint token of every SERVICE, with its full IRI (None for a variable)."""
    toks = tokens(text)
    prefixes = {
        toks[i + 1].text: toks[i + 2].text[1:-1]
        for i in range(len(toks) - 2)
        if toks[i].text.upper() == "PREFIX" and toks[i + 2].kind == "iri"
    }
    out = []
    for i, t in enumerate(toks):
        if t.kind != "word" or t.text.upper() != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j].text.upper() == "SILENT":
            j += 1
        if j >= len(toks):
            continue
        endpoint = toks[j]
        if endpoint.kind == "iri":
            out.append((endpoint, endpoint.text[1:-1]))
        elif endpoint.kind == "word" and ":" in endpoint.text:
            prefix, _, local = endpoint.text.partition(":")
            out.append((endpoint, prefixes.get(prefix + ":", endpoint.text) + local))
        else:
            out.append((endpoint, None))
    return out


def service_endpoints(text: str) -> list[str | None]:
    """The endpoint IRI of each SERVICE call (None where it is a variable).

    >>> service_endpoints("PREFIX w: <https://q.example/> SELECT * { SERVICE SILENT w:sparql "
    ...                   "{ ?s ?p ?o } SERVICE <http://e.example/> {} SERVICE ?x {} }")
    ['https://q.example/sparql', 'http://e.example/', None]
    """
    return [iri for _, iri in _service_tokens(text)]


def with_service_endpoints(text: str, replacements: dict[str, str]) -> str:
    """The text with SERVICE endpoints replaced by other IRIs.

    >>> with_service_endpoints("SELECT * { SERVICE <http://a/> {} }", {"http://a/": "http://b/"})
    'SELECT * { SERVICE <http://b/> {} }'
    """
    for token, iri in reversed(_service_tokens(text)):
        if iri in replacements:
            end = token.start + len(token.text)
            text = text[: token.start] + f"<{replacements[iri]}>" + text[end:]
    return text


def has_using_or_with(update: str) -> bool:
    return any(t.text.upper() in ("USING", "WITH") for t in _top_keywords(update))


def add_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Apply the protocol's ``using-graph-uri``/``using-named-graph-uri`` to every operation
    with a WHERE clause (INSERT/DELETE ... WHERE), as USING / USING NAMED clauses.

    >>> add_using("INSERT { ?s a <C> } WHERE { ?s ?p ?o }", ["http://g"], [])
    'INSERT { ?s a <C> } USING <http://g> WHERE { ?s ?p ?o }'
    >>> add_using("DELETE WHERE { ?s ?p ?o }", ["http://g"], [])
    'DELETE WHERE { ?s ?p ?o }'
    """
    clause = "".join(f"USING <{g}> " for g in default_graphs)
    clause += "".join(f"USING NAMED <{g}> " for g in named_graphs)
    toks = tokens(update)
    inserts = []
    for i, t in enumerate(toks):
        if t.kind == "word" and t.depth == 0 and t.text.upper() == "WHERE":
            before = toks[i - 1] if i else None
            if before is not None and before.kind == "word" and before.text.upper() == "DELETE":
                continue
            inserts.append(t.start)
    for pos in reversed(inserts):
        update = update[:pos] + clause + update[pos:]
    return update
