"""Canned queries: the ``.rq`` files in queries/, their headers, and safe parameter binding.

A file starts with comment lines::

    # title: Partners of a local government
    # description: Every tie of a local government ...
    # param municipality: iri; the local government; example: https://w3id.org/...
    # param as_of: date?; a ``?`` after the type marks a parameter that may be left out

Parameters are parsed into typed RDF terms and bound by a VALUES block built from those terms
(:func:`with_values`): user text is never pasted into the query.

>>> q = parse("x", "# title: T\\n# param city: iri; a city; example: http://e.org/c\\nSELECT * {}")
>>> q.title, [(p.name, p.type, p.example) for p in q.parameters]
('T', [('city', 'iri', 'http://e.org/c')])
>>> q.bind({"city": "http://e.org/d"})
{<Variable value=city>: <NamedNode value=http://e.org/d>}
>>> parse("y", "# param on: date?; a day\\nSELECT * {}").parameters[0].optional
True
>>> q.bind({"city": "not an IRI"})
Traceback (most recent call last):
...
alliance_kg.canned.BadParameter: city: 'not an IRI' is not an absolute http(s) IRI
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from alliance_kg import paths, sparql_text

TYPES = ("iri", "string", "date", "integer")
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


class BadParameter(ValueError):
    pass


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    example: str | None = None
    optional: bool = False  # the query also runs, and means something, without it

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a user's value, or BadParameter saying why it is not one."""
        if self.type == "iri":
            if not _IRI.match(value):
                raise BadParameter(f"{self.name}: {value!r} is not an absolute http(s) IRI")
            return ox.NamedNode(value)
        if self.type == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise BadParameter(f"{self.name}: {value!r} is not a date (YYYY-MM-DD)") from None
            return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
        if self.type == "integer":
            if not re.fullmatch(r"-?[0-9]{1,18}", value):
                raise BadParameter(f"{self.name}: {value!r} is not an integer")
            return ox.Literal(
                value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            )
        return ox.Literal(value)


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    sparql: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    def bind(self, values: dict[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """Substitutions for the given values; unknown names are refused."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise BadParameter(f"unknown parameter(s): {', '.join(unknown)}")
        return {ox.Variable(name): known[name].term(value) for name, value in values.items()}


def parse(name: str, text: str) -> CannedQuery:
    header: dict[str, str] = {}
    parameters = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        value = value.strip()
        if key.startswith("param "):
            kind, _, rest = value.partition(";")
            description, _, example = rest.partition("; example:")
            kind = kind.strip()
            optional = kind.endswith("?")
            kind = kind.removesuffix("?")
            if kind not in TYPES:
                raise ValueError(f"{name}: parameter type {kind.strip()!r} is not one of {TYPES}")
            parameters.append(
                Parameter(
                    key.removeprefix("param ").strip(),
                    kind.strip(),
                    description.strip(),
                    example.strip() or None,
                    optional,
                )
            )
        else:
            header[key.strip()] = value
    return CannedQuery(
        name, header.get("title", name), header.get("description", ""), text, tuple(parameters)
    )


def load_all(directory: Path = paths.QUERIES) -> dict[str, CannedQuery]:
    """Every canned query by name (the file name without .rq), in name order."""
    return {
        p.stem: parse(p.stem, p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.rq"))
    }


MARKER = re.compile(r"^([ \t]*)# @values[ \t]*$", re.M)


def _outer_brace(sparql: str) -> int:
    """The position of the ``{`` that opens the query's outermost group pattern."""
    for token in sparql_text.tokens(sparql):
        if token.kind == "open":
            return token.start
    raise ValueError("the query has no group pattern")


def with_values(query: CannedQuery, terms: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """The query's text with its parameters bound by a VALUES block (UNDEF when not given).

    Parameters are bound by a ``VALUES`` block put at the start of the query's outermost group,
    built from the parsed terms (``str(NamedNode)`` is ``<iri>``, ``str(Literal)`` a quoted,
    escaped literal): user text never becomes SPARQL syntax. The block is joined with the rest of
    the group, so its variables are in scope for triple patterns, ``FILTER`` and ``BIND`` alike; an
    optional parameter that is not given is ``UNDEF``. (pyoxigraph's ``substitutions`` would not
    do here: a variable that only occurs in a ``FILTER``, such as ``?as_of``, is not substituted.)

    >>> q = parse("t", "# param city: iri; c; example: http://e.org/c\\n"
    ...                       "SELECT ?x WHERE { ?city ?p ?x }")
    >>> print(with_values(q, q.bind({"city": "http://e.org/c"})))
    # param city: iri; c; example: http://e.org/c
    SELECT ?x WHERE { VALUES (?city) { (<http://e.org/c>) }
     ?city ?p ?x }
    >>> print(with_values(q, {}).splitlines()[1])
    SELECT ?x WHERE { VALUES (?city) { (UNDEF) }
    """
    if not query.parameters:
        return query.sparql
    names = [p.name for p in query.parameters]
    given = {v.value: t for v, t in terms.items()}
    row = " ".join(str(given[n]) if n in given else "UNDEF" for n in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}\n"
    at = _outer_brace(query.sparql) + 1
    text = query.sparql[:at] + block + query.sparql[at:]
    # Inner groups (UNION branches) are evaluated on their own before the outer join: a
    # ``# @values`` comment line inside one binds the parameters there too, so that the
    # engine narrows each branch at once. Joining the same one-row VALUES twice changes nothing.
    return MARKER.sub(lambda m: m.group(1) + block.strip() + "\n", text)
