"""Turn validated records into RDF quads: each record's statements in a named graph of its own.

Every record becomes the graph ``graph/<type>/<id>``, which says ``prov:wasDerivedFrom`` each of
the record's sources, so ``GRAPH ?g`` narrows a query to what one record (and so its sources)
asserts. No blank nodes: parts of a record (memberships, intervals, commitments) get IRIs derived
from the record, so the same records always give the same quads.
"""

import re
from collections.abc import Iterator

import pyoxigraph as ox
from alliance_kg.loaders import dates
from alliance_kg.loaders.read import Records

from alliance_kg import iri, vocabulary

NS = iri.PREFIXES

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_TAGGED = re.compile(r"^(.+)@([a-z]{2,3})$")  # an alias written with its language: 福山市@ja


def n(curie: str) -> ox.NamedNode:
    """A NamedNode from a prefixed name such as ``skos:altLabel``."""
    prefix, _, local = curie.partition(":")
    return ox.NamedNode(NS[prefix] + local)


def ent(kind: str, slug: str) -> ox.NamedNode:
    return ox.NamedNode(iri.entity(kind, slug))


def concept(scheme: str, slug: str) -> ox.NamedNode:
    """A concept of one of the fixed schemes the ontology defines (levels, kinds, roles ...)."""
    return ent(scheme, slug)


A = n("rdf:type")
LABEL = n("rdfs:label")


def text(value: str, lang: str | None = None) -> ox.Literal:
    """A language-tagged literal: the tag given, or written after @, or Korean for Hangul text,
    else English.

    >>> [t.language for t in (text("福山市@ja"), text("포항시"), text("Pohang-si"))]
    ['ja', 'ko', 'en']
    """
    tagged = _TAGGED.match(value)
    if lang is None and tagged:
        return ox.Literal(tagged[1], language=tagged[2])
    return ox.Literal(value, language=lang or ("ko" if _HANGUL.search(value) else "en"))


def date(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=n("xsd:" + dates.xsd_type(value)))


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=n("xsd:integer"))


PRECISION = {"day": "time:unitDay", "month": "time:unitMonth", "year": "time:unitYear"}
TIME_PROPERTY = {
    "day": "time:inXSDDate",
    "month": "time:inXSDgYearMonth",
    "year": "time:inXSDgYear",
}


# The record files whose ids a record may name as a party, and the kind of IRI each mints.
PARTY_KINDS = {
    "municipalities": "municipality",
    "foreign-governments": "municipality",
    "former-governments": "municipality",
    "organizations": "organization",
    "places": "place",
    "legislation": "legislation",
    "industries": "industry",
}

ORG_CLASS = {
    "alliance": "ak:Alliance",
    "special-local-government": "ak:SpecialLocalGovernment",
    "council": "ak:Council",
    "office": "ak:Office",
}


class Converter:
    """Turns records into quads, one record at a time (:meth:`by_record`)."""

    def __init__(self, records: Records):
        self.records = records
        self.out: list[ox.Quad] = []
        self.graph: ox.NamedNode | None = None
        # Every id → (Korean, English) label, to name nodes that have no name of their own.
        self.names: dict[str, tuple[str, str]] = {}
        for stem, rs in records.by_file.items():
            for r in rs:
                if hasattr(r, "name_ko"):
                    self.names[f"{stem}:{r.id}"] = (r.name_ko or r.id, r.name_en or r.id)
        self.municipality_ids = {r.id for r in records["municipalities"]}
        self.kinds_by_id: dict[str, str] = {}
        for stem in (*PARTY_KINDS, "agreements"):
            for r in records[stem]:
                self.kinds_by_id.setdefault(f"{stem}:{r.id}", stem)

    # -- helpers ----------------------------------------------------------------------------

    def add(self, s, p, o) -> None:
        self.out.append(ox.Quad(s, p, o, self.graph))

    def begin(self, kind: str, record, topic: ox.NamedNode | None = None) -> ox.NamedNode:
        """Start the record's graph, say where it came from, and return the record's node.

        A record that only adds statements about another entity names that entity as its
        ``topic`` and mints no node of its own; its note then describes the graph.
        """
        self.graph = ox.NamedNode(iri.graph(kind, record.id))
        node = topic or ent(kind, record.id)
        self.add(self.graph, A, n("prov:Entity"))
        self.add(self.graph, n("foaf:primaryTopic"), node)
        for source in record.sources:
            self.add(self.graph, n("prov:wasDerivedFrom"), ent("source", source))
        if record.note:
            self.add(self.graph if topic else node, n("rdfs:comment"), text(record.note))
        return node

    def labels(self, node, ko: str, en: str, aliases=(), qid: str | None = None) -> None:
        self.add(node, LABEL, text(ko, "ko"))
        self.add(node, LABEL, text(en, "en"))
        self.add(node, n("skos:prefLabel"), text(ko, "ko"))
        self.add(node, n("skos:prefLabel"), text(en, "en"))
        for alias in aliases:
            self.add(node, n("skos:altLabel"), text(alias))
        if qid:
            self.add(node, n("skos:exactMatch"), ox.NamedNode(iri.wikidata(qid)))

    def name(self, stem: str, slug: str) -> tuple[str, str]:
        return self.names.get(f"{stem}:{slug}", (slug, slug))

    def party(self, slug: str) -> ox.NamedNode:
        """The node of a local government, organization or other referenced id."""
        for stem, kind in PARTY_KINDS.items():
            if f"{stem}:{slug}" in self.kinds_by_id:
                return ent(kind, slug)
        raise KeyError(slug)

    def party_name(self, slug: str) -> tuple[str, str]:
        for stem in PARTY_KINDS:
            if f"{stem}:{slug}" in self.names:
                return self.names[f"{stem}:{slug}"]
        return (slug, slug)

    def instant(
        self, node, fragment: str, value: str, flat: str | None, link: str = "time:hasTime"
    ) -> None:
        """A date as a flat typed literal and as an OWL-Time instant that keeps its precision."""
        if flat:
            self.add(node, n(flat), date(value))
        at = ox.NamedNode(f"{node.value.partition('#')[0]}#{fragment}")
        self.add(node, n(link), at)
        self.add(at, A, n("time:Instant"))
        precision = dates.precision(value)
        self.add(at, n(TIME_PROPERTY[precision]), date(value))
        self.add(at, n("time:unitType"), n(PRECISION[precision]))

    def interval(
        self, node, link: str, begin: str | None, end: str | None, flat_begin: str, flat_end: str
    ) -> None:
        """An OWL-Time interval (membership, existence) with whichever ends are known."""
        if not (begin or end):
            return
        name = link.partition(":")[2]
        during = ox.NamedNode(f"{node.value}#{name}")
        self.add(node, n(link), during)
        self.add(during, A, n("time:Interval"))
        if begin:
            self.add(node, n(flat_begin), date(begin))
            self.instant(during, f"{name}-beginning", begin, None, "time:hasBeginning")
        if end:
            self.add(node, n(flat_end), date(end))
            self.instant(during, f"{name}-end", end, None, "time:hasEnd")

    # -- records ----------------------------------------------------------------------------

    def by_record(self) -> Iterator[list[ox.Quad]]:
        """The quads of each record in turn (a record may repeat a quad; the canonical dump
        keeps one), so that a large data set never has all its quads in memory at once."""
        for stem, method in (
            ("sources", self.source),
            ("municipalities", self.municipality),
            ("foreign-governments", self.foreign),
            ("former-governments", self.former),
            ("places", self.place),
            ("statuses", self.status),
            ("changes", self.change),
            ("fields", self.field),
            ("agreements", self.agreement),
            ("organizations", self.organization),
            ("meetings", self.meeting),
            ("declarations", self.declaration),
            ("industries", self.industry),
            ("city-industries", self.city_industry),
            ("designations", self.designation),
            ("companies", self.company),
            ("legislation", self.legislation),
            ("people", self.person),
        ):
            for record in self.records[stem]:
                method(record)
                yield self.out
                self.out = []

    def source(self, r) -> None:
        self.graph = ox.NamedNode(iri.graph("source", r.id))
        node = ent("source", r.id)
        cls = {
            "news-article": "schema:NewsArticle",
            "web-page": "schema:WebPage",
            "dataset": "dcat:Dataset",
            "legislation-text": "schema:Legislation",
        }[r.kind]
        self.add(node, A, n("ak:Source"))
        self.add(node, A, n(cls))
        # Our titles are Korean or English; a title in the page's own script is tagged with @.
        lang = r.language if r.language in ("ko", "en") else None
        self.add(node, LABEL, text(r.title, lang))
        self.add(node, n("dct:title"), text(r.title, lang))
        if r.language != "mul":
            self.add(node, n("schema:inLanguage"), ox.Literal(r.language))
        if r.publisher:
            self.add(node, n("dc:publisher"), text(r.publisher))
        if r.author:
            self.add(node, n("dc:creator"), text(r.author))
        if r.date:
            self.add(node, n("dct:issued"), date(r.date))
        if r.url:
            self.add(node, n("schema:url"), ox.NamedNode(r.url))
        if r.partner_page_of:
            self.add(node, n("ak:partnerPageOf"), ent("municipality", r.partner_page_of))
        if r.note:
            self.add(node, n("rdfs:comment"), text(r.note))

    def municipality(self, r) -> None:
        node = self.begin("municipality", r)
        cls = (
            "ak:AdministrativeCity"
            if r.level == "administrative-city"
            else "ak:KoreanLocalGovernment"
        )
        self.add(node, A, n(cls))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        self.add(node, n("ak:level"), concept("level", r.level))
        self.add(node, n("ak:code"), ox.Literal(r.code))
        if r.parent:
            self.add(node, n("ak:parent"), ent("municipality", r.parent))
            if r.level == "administrative-city":
                self.add(node, n("org:unitOf"), ent("municipality", r.parent))
        if r.lat is not None and r.lon is not None:
            self.add(node, n("wgs:lat"), ox.Literal(f"{r.lat}", datatype=n("xsd:decimal")))
            self.add(node, n("wgs:long"), ox.Literal(f"{r.lon}", datatype=n("xsd:decimal")))
            point = ox.NamedNode(node.value + "#geometry")
            self.add(node, n("geo:hasGeometry"), point)
            self.add(point, A, n("geo:Geometry"))
            wkt = ox.Literal(f"POINT({r.lon} {r.lat})", datatype=n("geo:wktLiteral"))
            self.add(point, n("geo:asWKT"), wkt)

    def foreign(self, r) -> None:
        node = self.begin("municipality", r)
        self.add(node, A, n("ak:ForeignLocalGovernment"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        self.add(node, n("ak:country"), ox.Literal(r.country))
        if r.region_ko:
            self.add(node, n("ak:region"), text(r.region_ko, "ko"))
        if r.region_en:
            self.add(node, n("ak:region"), text(r.region_en, "en"))

    def former(self, r) -> None:
        node = self.begin("municipality", r)
        self.add(node, A, n("ak:FormerLocalGovernment"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        self.add(node, n("ak:level"), concept("level", r.level))
        if r.parent:
            self.add(node, n("ak:parent"), ent("municipality", r.parent))
        if r.merged_into:
            self.add(node, n("dct:isReplacedBy"), ent("municipality", r.merged_into))
        self.interval(
            node,
            "ak:existedDuring",
            None,
            r.dissolved,
            "schema:foundingDate",
            "schema:dissolutionDate",
        )

    def place(self, r) -> None:
        node = self.begin("place", r)
        self.add(node, A, n("ak:Place"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        self.add(node, n("ak:locatedIn"), self.party(r.located_in))

    def status(self, r) -> None:
        node = self.begin("status", r)
        ko, en = self.name("municipalities", r.municipality)
        status_ko, status_en = {"special-case-city": ("특례시", "special-case city")}[r.status]
        self.add(node, A, n("ak:StatusHolding"))
        self.labels(node, f"{ko} {status_ko} 지위", f"{en} as {status_en}")
        self.add(node, n("ak:holder"), ent("municipality", r.municipality))
        self.add(node, n("ak:status"), concept("legal-status", r.status))
        self.instant(node, "began", r.since, "schema:startDate")
        if r.legal_basis:
            self.add(node, n("ak:legalBasis"), ent("legislation", r.legal_basis))
        self.add(
            ent("municipality", r.municipality),
            n("ak:hasStatus"),
            concept("legal-status", r.status),
        )

    def change(self, r) -> None:
        node = self.begin("change", r)
        ko, en = self.name("municipalities", r.municipality)
        kind_ko = {
            "created": "설치",
            "renamed": "명칭 변경",
            "moved": "관할 변경",
            "abolished": "폐지",
            "recoded": "코드 변경",
        }[r.kind]
        self.add(node, A, n("ak:Change"))
        self.labels(node, f"{ko} {kind_ko} ({r.date})", f"{en} {r.kind} ({r.date})")
        self.add(node, n("ak:changeKind"), concept("change-kind", r.kind))
        self.add(node, n("ak:affected"), ent("municipality", r.municipality))
        self.instant(node, "occurred", r.date, "schema:startDate")
        for field, prop in (("old_name_ko", "ak:oldName"), ("new_name_ko", "ak:newName")):
            if getattr(r, field):
                self.add(node, n(prop), text(getattr(r, field), "ko"))
        for field, prop in (("old_parent", "ak:oldParent"), ("new_parent", "ak:newParent")):
            if getattr(r, field):
                self.add(node, n(prop), ent("municipality", getattr(r, field)))
        for field, prop in (("old_code", "ak:oldCode"), ("new_code", "ak:newCode")):
            if getattr(r, field):
                self.add(node, n(prop), ox.Literal(getattr(r, field)))
        if r.legal_basis:
            self.add(node, n("ak:legalBasis"), ent("legislation", r.legal_basis))

    def field(self, r) -> None:
        node = self.begin("field", r)
        self.add(node, A, n("skos:Concept"))
        self.add(node, n("skos:inScheme"), n("ak:CooperationFields"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)

    def agreement(self, r) -> None:
        node = self.begin("agreement", r)
        names = [self.party_name(p) for p in r.parties]
        kind_ko, kind_en = vocabulary.concept("agreement-kind", r.kind)
        ko = r.name_ko or "–".join(k for k, _ in names) + f" {kind_ko}"
        en = r.name_en or "–".join(e for _, e in names) + f" {kind_en}"
        if r.status != "signed" and not r.name_ko:
            ko += {"planned": " (예정)", "ended": " (종료)"}[r.status]
        if r.status != "signed" and not r.name_en:
            en += f" ({r.status})"
        self.add(node, A, n("ak:Agreement"))
        self.labels(node, ko, en)
        self.add(node, n("ak:agreementKind"), concept("agreement-kind", r.kind))
        self.add(node, n("ak:agreementStatus"), concept("agreement-status", r.status))
        for p in r.parties:
            self.add(node, n("ak:party"), self.party(p))
        if r.date:
            if r.status == "planned":
                self.instant(node, "planned", r.date, "ak:plannedFor")
            else:
                self.instant(node, "signed", r.date, "ak:signedOn")
        if r.ended_on:
            self.add(node, n("ak:endedOn"), date(r.ended_on))
        if r.place:
            self.add(node, n("ak:signedAt"), ent("place", r.place))
        for f in r.fields:
            self.add(node, n("ak:field"), ent("field", f))
        for person in r.signatories:
            self.add(node, n("ak:signatory"), ent("person", person))
        if r.precedes:
            self.add(node, n("ak:stepBefore"), ent("agreement", r.precedes))
        # Binary shortcuts, derived from the agreement node and never the other way round.
        if r.status == "signed" and r.kind in ("sister-city", "friendship-city"):
            prop = "ak:sisterCityOf" if r.kind == "sister-city" else "ak:friendshipCityOf"
            for a in r.parties:
                for b in r.parties:
                    if a != b:
                        self.add(self.party(a), n(prop), self.party(b))
                        self.add(self.party(a), n("ak:twinnedWith"), self.party(b))

    def organization(self, r) -> None:
        node = self.begin("organization", r)
        self.add(node, A, n(ORG_CLASS[r.kind]))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        for m in r.members:
            member = self.party(m.member)
            membership = ent("membership", f"{r.id}-{m.member}")
            mko, men = self.party_name(m.member)
            self.add(membership, A, n("org:Membership"))
            self.labels(membership, f"{mko}의 {r.name_ko} 회원", f"{men} in {r.name_en}")
            self.add(membership, n("org:member"), member)
            self.add(membership, n("org:organization"), node)
            self.add(node, n("org:hasMember"), member)
            self.add(member, n("org:memberOf"), node)
            self.interval(
                membership,
                "org:memberDuring",
                m.since,
                m.until,
                "schema:startDate",
                "schema:endDate",
            )
        if r.unit_of:
            self.add(node, n("org:unitOf"), ent("organization", r.unit_of))
            self.add(ent("organization", r.unit_of), n("org:hasUnit"), node)
        self.interval(
            node,
            "ak:existedDuring",
            r.founded,
            r.dissolved,
            "schema:foundingDate",
            "schema:dissolutionDate",
        )
        if r.founded_by:
            self.add(node, n("ak:foundedBy"), ent("agreement", r.founded_by))
        if r.seat:
            if r.seat in self.municipality_ids:
                self.add(node, n("ak:seatedIn"), ent("municipality", r.seat))
            else:
                self.add(node, n("org:hasPrimarySite"), ent("place", r.seat))
        if r.staff:
            self.add(node, n("ak:staffCount"), integer(r.staff))
        for s in r.staff_from:
            secondment = ox.NamedNode(f"{node.value}#staff-from-{s.municipality}")
            sko, sen = self.party_name(s.municipality)
            self.add(node, n("ak:secondment"), secondment)
            self.add(secondment, A, n("ak:Secondment"))
            self.labels(secondment, f"{sko}에서 파견된 직원", f"staff seconded from {sen}")
            self.add(secondment, n("ak:seconder"), ent("municipality", s.municipality))
            self.add(secondment, n("ak:staffCount"), integer(s.count))
        if r.head_rank:
            self.add(node, n("ak:headRank"), text(r.head_rank))
        if r.purpose:
            self.add(node, n("dct:description"), text(r.purpose))

    def meeting(self, r) -> None:
        node = self.begin("meeting", r)
        self.add(node, A, n("ak:Meeting"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        self.add(node, n("ak:organizer"), ent("organization", r.organizer))
        self.instant(node, "held", r.date, "schema:startDate")
        if r.venue:
            self.add(node, n("schema:location"), ent("place", r.venue))
        if r.attendance:
            self.add(node, n("ak:attendance"), integer(r.attendance))
            self.add(
                node,
                n("ak:attendanceApproximate"),
                ox.Literal(str(r.attendance_approximate).lower(), datatype=n("xsd:boolean")),
            )
        for person in r.attendees:
            self.add(node, n("schema:attendee"), ent("person", person))
        for outcome in r.outcomes:
            self.add(node, n("ak:outcome"), text(outcome))

    def declaration(self, r) -> None:
        node = self.begin("declaration", r)
        self.add(node, A, n("ak:Declaration"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        if r.meeting:
            self.add(node, n("ak:adoptedAt"), ent("meeting", r.meeting))
        self.instant(node, "issued", r.date, "dct:issued")
        for p in r.parties:
            self.add(node, n("ak:party"), self.party(p))
        for position, c in enumerate(r.commitments, start=1):
            commitment = ent("commitment", f"{r.id}-{position}")
            self.add(node, n("ak:commitment"), commitment)
            self.add(commitment, A, n("ak:Commitment"))
            self.labels(commitment, c.text_ko, c.text_en)
            self.add(commitment, n("ak:position"), integer(position))
            for target in c.concerns:
                self.add(commitment, n("ak:concerns"), self.party(target))

    def industry(self, r) -> None:
        node = self.begin("industry", r)
        self.add(node, A, n("ak:Industry"))
        self.add(node, A, n("skos:Concept"))  # for SKOS tools that do not reason
        self.add(node, n("skos:inScheme"), n("ak:Industries"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        if r.broader:
            self.add(node, n("skos:broader"), ent("industry", r.broader))

    def city_industry(self, r) -> None:
        city = self.begin("city-industry", r, topic=ent("municipality", r.municipality))
        for industry in r.industries:
            self.add(city, n("ak:industry"), ent("industry", industry))

    def designation(self, r) -> None:
        node = self.begin("designation", r)
        self.add(node, A, n("ak:Designation"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        self.add(node, n("ak:program"), concept("program", r.program))
        self.add(node, n("ak:industry"), ent("industry", r.industry))
        for site in r.sites:
            self.add(node, n("ak:site"), ent("municipality", site))
        self.instant(node, "designated", r.date, "dct:date")
        if r.focus:
            self.add(node, n("dct:description"), text(r.focus))

    def company(self, r) -> None:
        node = self.begin("company", r)
        self.add(node, A, n("ak:Company"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        for f in r.facilities:
            facility = ox.NamedNode(f"{node.value}#{f.kind}-{f.municipality}")
            mko, men = self.name("municipalities", f.municipality)
            kind_ko = {"headquarters": "본사", "plant": "공장", "research": "연구소"}[f.kind]
            self.add(node, n("org:hasSite"), facility)
            self.add(facility, A, n("ak:Facility"))
            self.labels(facility, f"{r.name_ko} {mko} {kind_ko}", f"{r.name_en} {f.kind}, {men}")
            self.add(facility, n("ak:facilityKind"), concept("facility-kind", f.kind))
            self.add(facility, n("ak:locatedIn"), ent("municipality", f.municipality))
            self.add(node, n("ak:locatedIn"), ent("municipality", f.municipality))
        for industry in r.industries:
            self.add(node, n("ak:industry"), ent("industry", industry))

    def legislation(self, r) -> None:
        node = self.begin("legislation", r)
        self.add(node, A, n("ak:Act" if r.kind == "act" else "ak:Bill"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        self.add(node, n("ak:legislativeStatus"), concept("legislative-status", r.status))
        for s in r.steps:
            step = ox.NamedNode(f"{node.value}#{s.step}")
            self.add(node, n("ak:step"), step)
            self.add(step, A, n("ak:LegislativeStep"))
            self.add(step, n("ak:stepKind"), concept("legislative-step", s.step))
            self.add(step, n("dct:date"), date(s.date))
            step_ko, step_en = vocabulary.concept("legislative-step", s.step)
            self.labels(
                step, f"{r.name_ko} {step_ko} ({s.date})", f"{r.name_en}: {step_en} ({s.date})"
            )
        for who in r.promoted_by:
            self.add(node, n("ak:promotedBy"), self.party(who))
        for person in r.proposed_by:
            self.add(node, n("ak:proposedBy"), ent("person", person))
        for target in r.concerns:
            self.add(node, n("ak:concerns"), self.party(target))

    def person(self, r) -> None:
        node = self.begin("person", r)
        self.add(node, A, n("schema:Person"))
        self.labels(node, r.name_ko, r.name_en, r.aliases, r.wikidata)
        for h in r.holds:
            post = ent("post", f"{h.of}-{h.role}")
            oko, oen = self.party_name(h.of)
            rko, ren = vocabulary.concept("role", h.role)
            self.add(post, A, n("org:Post"))
            self.labels(post, f"{oko} {rko}", f"{ren.capitalize()} of {oen}")
            self.add(post, n("org:postIn"), self.party(h.of))
            self.add(post, n("org:role"), concept("role", h.role))
            self.add(post, n("org:heldBy"), node)
            self.add(node, n("org:holds"), post)
            holding = ent("post-holding", f"{r.id}-{h.of}-{h.role}")
            self.add(holding, A, n("ak:PostHolding"))
            self.labels(holding, f"{r.name_ko}, {oko} {rko}", f"{r.name_en}, {ren} of {oen}")
            self.add(holding, n("ak:post"), post)
            self.add(holding, n("ak:holder"), node)
            self.add(holding, n("ak:asOf"), date(h.as_of))


def to_quads(records: Records) -> list[ox.Quad]:
    """Every record's quads, each once, in a stable order."""
    return list(dict.fromkeys(q for quads in Converter(records).by_record() for q in quads))


def ontology_quads(turtle: bytes) -> Iterator[ox.Quad]:
    graph = ox.NamedNode(iri.ONTOLOGY_GRAPH)
    for triple in ox.parse(turtle, format=ox.RdfFormat.TURTLE, base_iri=iri.ONTOLOGY):
        yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
