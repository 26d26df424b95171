"""Content negotiation: the one place that reads ``Accept`` and the ``format`` parameters.

An endpoint lists what it can send as :class:`Offer` objects, in its order of preference, and
asks :func:`choose` for the best one. ``Accept`` is read per RFC 9110 section 12.5.1: q-values
(``q=0`` means "not this"), ``type/*`` and ``*/*`` wildcards, and the most specific range that
matches an offer decides that offer's quality; among equal qualities the endpoint's order wins.
A ``format`` parameter (as SPARQLWrapper sends, along with ``output`` and ``results``) overrides
``Accept``: it may be a short name (``json``, ``turtle``, ``csv``...) or a media type.

>>> offers = [Offer("text/html"), Offer("text/turtle", aliases=("application/x-turtle",)),
...           Offer("application/ld+json"), Offer("application/n-triples")]
>>> choose(offers, "text/turtle;q=0.9, application/ld+json").media_type
'application/ld+json'
>>> choose(offers, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").media_type
'text/html'
>>> choose(offers, "*/*, text/html;q=0").media_type
'text/turtle'
>>> choose(offers, "image/png") is None
True
>>> choose(offers, None).media_type
'text/html'
>>> choose(offers, "text/html", format="ttl").media_type
'text/turtle'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alliance_kg.api.http import problems
from alliance_kg.api.http.problems import Problem

# Short names found in ``format=`` / ``output=`` / ``results=`` parameters. A name can mean a
# results format or an RDF format; each maps to every media type it may stand for, and the
# endpoint's offers decide which applies (``json`` is SPARQL JSON results for a SELECT and
# JSON-LD for a CONSTRUCT).
FORMAT_NAMES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/xml", "application/rdf+xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "n3": ("text/n3", "text/turtle"),
    "nt": ("application/n-triples",),
    "ntriples": ("application/n-triples",),
    "n-triples": ("application/n-triples",),
    "nq": ("application/n-quads",),
    "nquads": ("application/n-quads",),
    "n-quads": ("application/n-quads",),
    "trig": ("application/trig",),
    "jsonld": ("application/ld+json",),
    "json-ld": ("application/ld+json",),
    "rdf": ("application/rdf+xml",),
    "rdfxml": ("application/rdf+xml",),
    "rdf+xml": ("application/rdf+xml",),
    "rdf/xml": ("application/rdf+xml",),
    "html": ("text/html",),
}

FORMAT_PARAMETERS = ("format", "output", "results")


@dataclass(frozen=True)
class Offer:
    """Something an endpoint can send: its media type, other names clients use, and any value."""

    media_type: str
    aliases: tuple[str, ...] = ()
    value: Any = field(default=None, compare=False)

    def names(self) -> tuple[str, ...]:
        return (self.media_type.lower(), *(a.lower() for a in self.aliases))


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How closely this range matches a media type: 3 exact, 2 ``type/*``, 1 ``*/*``, 0 not."""
        mtype, _, msub = media_type.partition("/")
        if self.type == "*":
            return 1 if self.subtype == "*" else 0
        if self.type != mtype:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == msub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed entries are skipped.

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/*;q=0.5, application/json")]
    [('text', '*', 0.5), ('application', 'json', 1.0)]
    >>> parse_accept("garbage, */*;q=x")
    [MediaRange(type='*', subtype='*', q=1.0)]
    """
    ranges = []
    for item in re.findall(r'(?:[^,"]|"[^"]*")+', header or ""):
        parts = [p.strip() for p in re.findall(r'(?:[^;"]|"[^"]*")+', item)]
        if not parts:
            continue
        mtype, slash, subtype = parts[0].lower().partition("/")
        if not slash or not mtype or not subtype or (mtype == "*" and subtype != "*"):
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append(MediaRange(mtype, subtype, q))
    return ranges


def quality(ranges: Sequence[MediaRange], offer: Offer) -> float:
    """The q-value the client gives an offer: that of the most specific range matching it.

    >>> json = Offer("application/sparql-results+json", aliases=("text/javascript",))
    >>> quality(parse_accept("text/*"), json), quality(parse_accept("text/javascript"), json)
    (0.0, 1.0)
    """
    best_specificity, best_q = 0, 0.0
    for i, name in enumerate(offer.names()):
        for r in ranges:
            s = r.specificity(name)
            if i and s < 3:
                continue  # an alias counts only when named exactly, never through a wildcard
            if s > best_specificity or (s == best_specificity and s and r.q > best_q):
                best_specificity, best_q = s, r.q
    return best_q


Formats = str | Sequence[str] | None


def _format_media_types(format: Formats) -> list[str]:
    """The media types ``format`` values ask for, most wanted first.

    >>> _format_media_types(["json-ld", "application/ld+json,application/x-json+ld"])[:2]
    ['application/ld+json', 'application/ld+json']
    >>> _format_media_types("nonsense")
    []
    """
    values = [format] if isinstance(format, str) else list(format or [])
    wanted: list[str] = []
    for value in values:
        for piece in value.split(","):
            name = piece.split(";")[0].strip().lower()
            if name in FORMAT_NAMES:
                wanted += FORMAT_NAMES[name]
            elif "/" in name:
                wanted.append(name)
    return wanted


def choose(offers: Sequence[Offer], accept: str | None, format: Formats = None) -> Offer | None:
    """The best offer for this ``Accept`` header and ``format`` values, or None if none fits.

    ``format`` values that name no format at all (neither a known short name nor a media type)
    are ignored, as unknown parameters are.
    """
    wanted = _format_media_types(format)
    if wanted:
        for media_type in wanted:
            for offer in offers:
                if media_type in offer.names():
                    return offer
        return None
    if accept is None or not accept.strip():
        return offers[0] if offers else None
    ranges = parse_accept(accept)
    if not ranges:  # an Accept header we cannot read at all: do as if it were absent
        return offers[0] if offers else None
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def format_parameter(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[str]:
    """The values of the ``format``, ``output`` and ``results`` parameters, in that order.

    >>> format_parameter([("output", "json"), ("query", "ASK {}"), ("format", "xml")])
    ['xml', 'json']
    """
    items = list(params.items() if isinstance(params, Mapping) else params)
    return [v for name in FORMAT_PARAMETERS for k, v in items if k == name and v]


def choose_or_406(offers: Sequence[Offer], accept: str | None, format: Formats = None) -> Offer:
    """Like :func:`choose`, but a request that accepts none of the offers gets a 406 problem."""
    chosen = choose(offers, accept, format)
    if chosen is None:
        raise not_acceptable(offers, accept, format)
    return chosen


def not_acceptable(offers: Sequence[Offer], accept: str | None, format: Formats = None) -> Problem:
    return problems.not_acceptable(
        f"None of the available formats matches {describe_request(accept, format)}. "
        "Available: " + ", ".join(o.media_type for o in offers) + ".",
        available=[o.media_type for o in offers],
    )


def describe_request(accept: str | None, format: Formats = None) -> str:
    """What a request asked for, to quote in an error message."""
    if _format_media_types(format):
        values = [format] if isinstance(format, str) else list(format or [])
        return "format=" + ", ".join(values)
    return f"Accept: {accept}" if accept else "no Accept header"


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: text formats say they are UTF-8.

    >>> content_type("text/turtle"), content_type("application/sparql-results+json")
    ('text/turtle; charset=utf-8', 'application/sparql-results+json')
    """
    if media_type.startswith("text/") and "charset" not in media_type:
        return media_type + "; charset=utf-8"
    return media_type
