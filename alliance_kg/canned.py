"""Canned queries: the ``.rq`` files in queries/, their headers, and safe parameter binding.

A file starts with comment lines::

    # title: Partners of a local government
    # description: Every tie of a local government ...
    # param municipality: iri; the local government; example: https://w3id.org/...
    # param as_of: date?; a ``?`` after the type marks a parameter that may be left out

Parameters are bound as pyoxigraph substitutions of typed terms, never pasted into the text.

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

from alliance_kg import paths

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
