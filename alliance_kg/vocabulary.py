"""The ontology's own names for things, read once from ``ontology/alliance.ttl``.

Agreement kinds, administrative levels, statuses, roles, legislative steps and the other concept
schemes carry their Korean and English names as ``skos:prefLabel``; classes carry theirs as
``rdfs:label``. Every page, picture, table and API answer that shows one of these names asks
here, so no copy of a label can drift from the ontology (``tests/test_vocabulary.py`` checks).

>>> concept("agreement-kind", "letter-of-intent")
Label(ko='교류 의향서', en='letter of intent')
>>> concept("level", "county").ko
'군'
>>> list(scheme("agreement-status"))
['signed', 'planned', 'ended']
>>> class_label("SpecialLocalGovernment").capitalized().en
'Special local government'
>>> concept("level", "unknown-level")  # a value the ontology lacks is shown as it is
Label(ko='unknown-level', en='unknown-level')
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import pyoxigraph as ox

from alliance_kg import iri, paths

SKOS_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
CONCEPTS = iri.ID
TERMS = iri.ONTOLOGY


class Label(NamedTuple):
    """A name in Korean and in English."""

    ko: str
    en: str

    def capitalized(self) -> Label:
        """The English name with a capital first letter, as a heading or legend shows it."""
        return Label(self.ko, self.en[:1].upper() + self.en[1:])


@cache
def _labels() -> tuple[dict[str, dict[str, Label]], dict[str, Label]]:
    """Concept labels by scheme and notation, and class labels by local name, in file order."""
    found: dict[str, dict[str, str]] = {}
    for triple in ox.parse(path=paths.ONTOLOGY / "alliance.ttl", format=ox.RdfFormat.TURTLE):
        subject, predicate, label = triple.subject.value, triple.predicate, triple.object
        wanted = (predicate == SKOS_PREF_LABEL and subject.startswith(CONCEPTS)) or (
            predicate == RDFS_LABEL and subject.startswith(TERMS)
        )
        if wanted and isinstance(label, ox.Literal) and label.language in ("ko", "en"):
            found.setdefault(subject, {})[label.language] = label.value
    concepts: dict[str, dict[str, Label]] = {}
    classes: dict[str, Label] = {}
    for subject, names in found.items():
        label = Label(names.get("ko", names.get("en", "")), names.get("en", names.get("ko", "")))
        if subject.startswith(CONCEPTS):
            kind, _, notation = subject.removeprefix(CONCEPTS).partition("/")
            concepts.setdefault(kind, {})[notation] = label
        else:
            classes[subject.removeprefix(TERMS)] = label
    return concepts, classes


def scheme(kind: str) -> dict[str, Label]:
    """The concepts of one scheme (``level``, ``agreement-kind``, ``role`` ...) by notation."""
    return _labels()[0][kind]


def concept(kind: str, notation: str) -> Label:
    """One concept's name; a notation the ontology lacks is shown as it is."""
    return scheme(kind).get(notation) or Label(notation, notation)


def class_label(name: str) -> Label:
    """A class's name by its local name (``Alliance``, ``Council``, ``SpecialLocalGovernment``)."""
    return _labels()[1][name]
