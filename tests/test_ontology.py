"""The ontology (ontology/alliance.ttl) and the SHACL shapes (ontology/shapes.ttl).

- both files parse, and the ontology has its header;
- every ak: term loaders/rdf.py uses is declared, with Korean and English labels and a definition;
- every concept a record can produce (levels, agreement kinds ...) is declared in its scheme, and
  the shapes' sh:in lists are exactly those concepts;
- every class has a shape, every top-level property shape says what is wrong (sh:message);
- hand-made graphs: a good one conforms, and each bad one fails with the expected message on the
  expected node; the graph rdf.py makes from synthetic records of every type conforms;
- the real graph built from data/ conforms, in seconds.
"""

import re
import time
import typing
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from alliance_kg.loaders import records as rec
from alliance_kg.loaders.read import Records
from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL

from alliance_kg import iri, paths

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_FILE = ROOT / "ontology" / "alliance.ttl"
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
RDF_PY = (ROOT / "loaders" / "rdf.py").read_text(encoding="utf-8")

AK = Namespace(iri.ONTOLOGY)
SH = Namespace("http://www.w3.org/ns/shacl#")
VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY_IRI = URIRef("https://w3id.org/alliance-kg/ontology")

ONT = Graph().parse(ONTOLOGY_FILE, format="turtle")
SHAPES = Graph().parse(SHAPES_FILE, format="turtle")


def _literal(graph: Graph, s, p, lang: str) -> list[Literal]:
    return [o for o in graph.objects(s, p) if isinstance(o, Literal) and o.language == lang]


# --- the files -------------------------------------------------------------------------------


def test_both_files_parse_with_rdflib_and_oxigraph():
    assert len(ONT) > 500
    assert len(SHAPES) > 200
    # The loader parses the ontology with pyoxigraph (rdf.ontology_quads): it must agree.
    triples = list(ox.parse(ONTOLOGY_FILE.read_bytes(), format=ox.RdfFormat.TURTLE))
    assert len(triples) == len(ONT)


def test_ontology_has_no_blank_nodes():
    # The ontology goes into the store, whose dump must be byte for byte the same on every load.
    assert not any(isinstance(term, BNode) for triple in ONT for term in triple)


def test_ontology_header():
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ONT
    assert _literal(ONT, ONTOLOGY_IRI, DCTERMS.title, "ko")
    assert _literal(ONT, ONTOLOGY_IRI, DCTERMS.title, "en")
    assert ONT.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert ONT.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    license_ = ONT.value(ONTOLOGY_IRI, DCTERMS.license)
    assert license_ == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(ONT.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "ak"
    assert str(ONT.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == iri.ONTOLOGY


def test_schema_org_is_always_http():
    for graph in (ONT, SHAPES):
        for triple in graph:
            for term in triple:
                assert not str(term).startswith("https://schema.org/"), triple


# --- terms -----------------------------------------------------------------------------------

USED_TERMS = sorted(
    set(re.findall(r"\"ak:(\w+)\"", RDF_PY)) | set(re.findall(r"n\(\"ak:(\w+)\"\)", RDF_PY))
)
DECLARATION_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme}


def test_rdf_py_uses_ak_terms():
    # Guards the regexes: if rdf.py spelled terms otherwise, the tests below would pass vacuously.
    assert len(USED_TERMS) > 60
    assert {"KoreanLocalGovernment", "sisterCityOf", "signedOn", "existedDuring"} <= set(USED_TERMS)


@pytest.mark.parametrize("name", USED_TERMS)
def test_every_term_rdf_py_uses_is_declared(name):
    term = AK[name]
    types = set(ONT.objects(term, RDF.type))
    assert types & DECLARATION_TYPES, f"ak:{name} is not declared in alliance.ttl"
    if name[0].isupper() and SKOS.ConceptScheme not in types:
        assert OWL.Class in types, f"ak:{name} looks like a class but is not an owl:Class"
    if name[0].islower():
        assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, f"ak:{name} is not a property"


def _ak_terms() -> list[URIRef]:
    return sorted(
        s for s in set(ONT.subjects()) if isinstance(s, URIRef) and str(s).startswith(iri.ONTOLOGY)
    )


@pytest.mark.parametrize("term", _ak_terms(), ids=lambda t: t.removeprefix(iri.ONTOLOGY))
def test_every_ak_term_has_labels_and_definition(term):
    assert len(_literal(ONT, term, RDFS.label, "ko")) == 1, f"{term}: one @ko rdfs:label"
    assert len(_literal(ONT, term, RDFS.label, "en")) == 1, f"{term}: one @en rdfs:label"
    comments = _literal(ONT, term, RDFS.comment, "en")
    assert len(comments) == 1 and len(comments[0]) > 15, f"{term}: one @en rdfs:comment"
    assert "\n" not in str(comments[0]), f"{term}: the definition is one line"
    assert ONT.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI


def test_every_class_and_property_reuses_a_standard_where_required():
    must = {
        "LocalGovernment": {
            "http://www.w3.org/ns/org#FormalOrganization",
            "http://schema.org/GovernmentOrganization",
            "http://data.europa.eu/m8g/PublicOrganisation",
        },
        "AdministrativeCity": {
            str(AK.LocalGovernment),
            "http://www.w3.org/ns/org#OrganizationalUnit",
        },
        "KoreanLocalGovernment": {str(AK.LocalGovernment)},
        "ForeignLocalGovernment": {str(AK.LocalGovernment)},
        "Alliance": {"http://www.w3.org/ns/org#OrganizationalCollaboration"},
        "Council": {"http://www.w3.org/ns/org#OrganizationalUnit"},
        "Office": {"http://www.w3.org/ns/org#OrganizationalUnit"},
        "Bill": {
            "http://data.europa.eu/eli/eli-draft-legislation-ontology#DraftLegislationWork",
            "http://schema.org/Legislation",
        },
        "Act": {
            "http://data.europa.eu/eli/ontology#LegalResource",
            "http://schema.org/Legislation",
        },
        "Meeting": {"http://schema.org/Event"},
        "Change": {"http://www.w3.org/ns/org#ChangeEvent"},
        "Place": {"http://schema.org/Place", "http://www.w3.org/ns/org#Site"},
        "Source": {"http://www.w3.org/ns/prov#Entity"},
    }
    for name, supers in must.items():
        assert supers <= {str(o) for o in ONT.objects(AK[name], RDFS.subClassOf)}, name
    subprops = {
        "twinnedWith": "http://www.w3.org/ns/org#linkedTo",
        "sisterCityOf": str(AK.twinnedWith),
        "friendshipCityOf": str(AK.twinnedWith),
        "signedOn": str(DCTERMS.date),
        "code": str(DCTERMS.identifier),
    }
    for name, sup in subprops.items():
        assert URIRef(sup) in set(ONT.objects(AK[name], RDFS.subPropertyOf)), name
    for name in ("twinnedWith", "sisterCityOf", "friendshipCityOf"):
        assert (AK[name], RDF.type, OWL.SymmetricProperty) in ONT


def test_local_government_says_what_the_node_stands_for():
    comment = str(ONT.value(AK.LocalGovernment, RDFS.comment))
    assert "governing body" in comment and "representative point" in comment


# --- concept schemes -------------------------------------------------------------------------


def _values(model, field: str) -> tuple[str, ...]:
    annotation = model.model_fields[field].annotation
    return typing.get_args(annotation)


# scheme slug in the concept IRI → (ak: scheme, the values records can hold)
SCHEMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "level": ("AdministrativeLevels", typing.get_args(rec.Level)),
    "agreement-kind": ("AgreementKinds", _values(rec.Agreement, "kind")),
    "agreement-status": ("AgreementStatuses", _values(rec.Agreement, "status")),
    "legal-status": ("LegalStatuses", _values(rec.Status, "status")),
    "change-kind": ("ChangeKinds", _values(rec.Change, "kind")),
    "legislative-status": ("LegislativeStatuses", _values(rec.Legislation, "status")),
    "legislative-step": ("LegislativeSteps", _values(rec.LegislativeStep, "step")),
    "program": ("DesignationPrograms", _values(rec.Designation, "program")),
    "facility-kind": ("FacilityKinds", _values(rec.Facility, "kind")),
    "role": ("Roles", _values(rec.Holding, "role")),
}
CONCEPTS = [(scheme, slug) for scheme, (_, slugs) in SCHEMES.items() for slug in slugs]


def test_schemes_cover_every_scheme_rdf_py_names():
    used = set(re.findall(r"concept\(\"([a-z-]+)\"", RDF_PY))
    assert used and used == set(SCHEMES), "rdf.py and the test disagree on the fixed schemes"
    assert all(slugs for _, slugs in SCHEMES.values())
    assert len(typing.get_args(rec.Level)) == 9


@pytest.mark.parametrize(("scheme", "slug"), CONCEPTS, ids=[f"{s}/{v}" for s, v in CONCEPTS])
def test_every_concept_a_record_can_produce_is_declared(scheme, slug):
    concept = URIRef(iri.entity(scheme, slug))
    assert (concept, RDF.type, SKOS.Concept) in ONT, f"{concept} is not a skos:Concept"
    assert (concept, SKOS.inScheme, AK[SCHEMES[scheme][0]]) in ONT
    assert str(ONT.value(concept, SKOS.notation)) == slug
    for lang in ("ko", "en"):
        assert len(_literal(ONT, concept, SKOS.prefLabel, lang)) == 1, f"{concept} prefLabel@{lang}"
        assert len(_literal(ONT, concept, RDFS.label, lang)) == 1, f"{concept} rdfs:label@{lang}"
    assert _literal(ONT, concept, SKOS.definition, "en"), f"{concept} has no skos:definition"


def test_no_concept_beyond_what_records_allow():
    declared = {
        (str(c), str(s)) for c, s in ONT.subject_objects(SKOS.inScheme) if isinstance(c, URIRef)
    }
    expected = {
        (iri.entity(scheme, slug), str(AK[SCHEMES[scheme][0]])) for scheme, slug in CONCEPTS
    }
    assert declared == expected


def test_korean_labels_of_levels_and_kinds():
    def ko(scheme, slug):
        return str(_literal(ONT, URIRef(iri.entity(scheme, slug)), SKOS.prefLabel, "ko")[0])

    levels = [ko("level", slug) for slug in typing.get_args(rec.Level)]
    assert levels == [
        "특별시",
        "광역시",
        "특별자치시",
        "도",
        "특별자치도",
        "시",
        "군",
        "자치구",
        "행정시",
    ]
    assert ko("agreement-kind", "sister-city") == "자매결연"
    assert ko("agreement-status", "signed") == "체결"
    assert ko("legal-status", "special-case-city") == "특례시"


def test_only_the_stated_wikidata_classes_are_matched():
    wd = "http://www.wikidata.org/entity/"
    matches = {(str(s), str(o)) for s, o in ONT.subject_objects(SKOS.closeMatch)}
    assert matches == {
        (iri.entity("level", "city"), wd + "Q29045252"),
        (iri.entity("level", "county"), wd + "Q17143371"),
        (iri.entity("level", "metropolitan-city"), wd + "Q482821"),
    }
    assert not list(ONT.subject_objects(SKOS.exactMatch))


# --- shapes against the ontology -------------------------------------------------------------


def _targeted() -> set[URIRef]:
    return set(SHAPES.objects(None, SH.targetClass))


def test_every_ontology_class_has_a_shape():
    targeted = _targeted()

    def covered(cls) -> bool:
        if cls in targeted:
            return True
        subclasses = [
            s for s in ONT.subjects(RDFS.subClassOf, cls) if str(s).startswith(iri.ONTOLOGY)
        ]
        return bool(subclasses) and all(covered(s) for s in subclasses)

    classes = [c for c in ONT.subjects(RDF.type, OWL.Class) if str(c).startswith(iri.ONTOLOGY)]
    assert len(classes) >= 25
    missing = sorted(c.removeprefix(iri.ONTOLOGY) for c in classes if not covered(c))
    assert not missing, f"classes without a shape: {missing}"


def _emitted_classes() -> set[URIRef]:
    """Every class loaders/rdf.py types nodes with: capitalised CURIEs in its string literals."""
    curies = set(re.findall(r"\"([a-z][a-z-]*):([A-Z]\w*)\"", RDF_PY))
    from alliance_kg.loaders.rdf import NS

    found = {URIRef(NS[prefix] + local) for prefix, local in curies}
    return {c for c in found if (c, RDF.type, SKOS.ConceptScheme) not in ONT}


SOURCE_TYPES = {
    URIRef("http://schema.org/NewsArticle"),
    URIRef("http://schema.org/WebPage"),
    URIRef("http://www.w3.org/ns/dcat#Dataset"),
    URIRef("http://schema.org/Legislation"),
}


def test_every_class_rdf_py_emits_has_a_shape():
    emitted = _emitted_classes()
    assert URIRef("http://www.w3.org/ns/org#Membership") in emitted and AK.Agreement in emitted
    targeted = _targeted()
    # A source's second type is checked by the ak:Source shape; a record graph (prov:Entity) by a
    # shape targeting the subjects of foaf:primaryTopic.
    source_types = set()
    for node in SHAPES.objects(None, SH["in"]):
        items = set(Collection(SHAPES, node))
        if items & SOURCE_TYPES:
            source_types = items
    assert source_types == SOURCE_TYPES
    assert (None, SH.targetSubjectsOf, URIRef("http://xmlns.com/foaf/0.1/primaryTopic")) in SHAPES
    exempt = SOURCE_TYPES | {URIRef("http://www.w3.org/ns/prov#Entity")}
    missing = sorted(str(c) for c in emitted - exempt if c not in targeted)
    assert not missing, f"classes rdf.py emits without a shape: {missing}"


def test_every_target_class_is_known():
    known = set(ONT.subjects(RDF.type, OWL.Class)) | _emitted_classes() | {SKOS.ConceptScheme}
    unknown = sorted(str(c) for c in _targeted() if c not in known)
    assert not unknown, f"shapes target classes neither declared nor emitted: {unknown}"


def test_every_top_level_property_shape_has_an_english_message():
    roots = set(SHAPES.subjects(SH.targetClass, None)) | set(
        SHAPES.subjects(SH.targetSubjectsOf, None)
    )
    assert roots
    for root in roots:
        for prop in SHAPES.objects(root, SH.property):
            assert _literal(SHAPES, prop, SH.message, "en"), (
                f"{root}: a property shape has no message"
            )
        if (root, SH["or"], None) in SHAPES or (root, SH.xone, None) in SHAPES:
            assert _literal(SHAPES, root, SH.message, "en"), (
                f"{root}: a logical shape has no message"
            )


def _scheme_members(scheme: str) -> set[URIRef]:
    return set(ONT.subjects(SKOS.inScheme, AK[scheme]))


@pytest.mark.parametrize(
    ("path", "scheme", "exclude"),
    [
        ("agreementKind", "AgreementKinds", set()),
        ("agreementStatus", "AgreementStatuses", set()),
        ("changeKind", "ChangeKinds", set()),
        ("status", "LegalStatuses", set()),
        ("hasStatus", "LegalStatuses", set()),
        ("legislativeStatus", "LegislativeStatuses", set()),
        ("stepKind", "LegislativeSteps", set()),
        ("program", "DesignationPrograms", set()),
        ("facilityKind", "FacilityKinds", set()),
        ("level", "AdministrativeLevels", {"administrative-city"}),
    ],
)
def test_sh_in_lists_are_the_scheme(path, scheme, exclude):
    """Each top-level shape on a concept-valued property lists exactly its scheme's concepts."""
    expected = {c for c in _scheme_members(scheme) if str(c).rsplit("/", 1)[1] not in exclude}
    roots = set(SHAPES.subjects(SH.targetClass, None))
    lists = [
        set(Collection(SHAPES, SHAPES.value(prop, SH["in"])))
        for root in roots
        for prop in SHAPES.objects(root, SH.property)
        if SHAPES.value(prop, SH.path) == AK[path] and SHAPES.value(prop, SH["in"]) is not None
    ]
    assert lists, f"no sh:in list for ak:{path}"
    for values in lists:
        assert values == expected


def test_role_list_is_the_scheme():
    roles = {
        frozenset(Collection(SHAPES, SHAPES.value(p, SH["in"])))
        for p in SHAPES.subjects(SH.path, URIRef("http://www.w3.org/ns/org#role"))
        if SHAPES.value(p, SH["in"]) is not None
    }
    assert roles == {frozenset(_scheme_members("Roles"))}


@pytest.mark.slow  # SHACL-SHACL on the shapes
def test_shapes_graph_is_valid_shacl():
    from pyshacl.entrypoints import meta_validate

    conforms, _, text = meta_validate(SHAPES, inference="none")
    assert conforms, text


# --- validation ------------------------------------------------------------------------------

PREFIXES = """
@prefix ak: <https://w3id.org/alliance-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <http://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix id: <https://w3id.org/alliance-kg/id/> .
@prefix mun: <https://w3id.org/alliance-kg/id/municipality/> .
@prefix hae: <https://w3id.org/alliance-kg/id/organization/haeoreum#> .
@prefix level: <https://w3id.org/alliance-kg/id/level/> .
@prefix agreement-kind: <https://w3id.org/alliance-kg/id/agreement-kind/> .
@prefix agreement-status: <https://w3id.org/alliance-kg/id/agreement-status/> .
@prefix change-kind: <https://w3id.org/alliance-kg/id/change-kind/> .
@prefix role: <https://w3id.org/alliance-kg/id/role/> .
"""

GOOD = """
<https://w3id.org/alliance-kg/graph/municipality/pohang> a prov:Entity ;
    foaf:primaryTopic mun:pohang ;
    prov:wasDerivedFrom id:source\\/s1 .

id:source\\/s1 a ak:Source , schema:NewsArticle ;
    rdfs:label "용인·포항 우호협약 기사"@ko ;
    dct:title "용인·포항 우호협약 기사"@ko ;
    dct:language "ko" ;
    dct:publisher "중도일보"@ko ;
    dct:issued "2024-05-15"^^xsd:date ;
    schema:url <https://example.org/article/1> .

mun:gyeongbuk a ak:KoreanLocalGovernment ;
    rdfs:label "경상북도"@ko , "North Gyeongsang"@en ;
    skos:prefLabel "경상북도"@ko , "North Gyeongsang"@en ;
    ak:level level:province ;
    ak:code "47000" ;
    skos:exactMatch wd:Q41154 .

mun:daegu a ak:KoreanLocalGovernment ;
    rdfs:label "대구광역시"@ko , "Daegu"@en ;
    ak:level level:metropolitan-city ;
    ak:code "27000" .

mun:gunwi a ak:KoreanLocalGovernment ;
    rdfs:label "군위군"@ko , "Gunwi"@en ;
    ak:level level:county ;
    ak:code "27720" ;
    ak:parent mun:daegu .

mun:pohang a ak:KoreanLocalGovernment ;
    rdfs:label "포항시"@ko , "Pohang"@en ;
    skos:prefLabel "포항시"@ko , "Pohang"@en ;
    skos:altLabel "Pohang City"@en ;
    ak:level level:city ;
    ak:code "47110" ;
    ak:parent mun:gyeongbuk ;
    wgs:lat "36.03"^^xsd:decimal ;
    wgs:long "129.36"^^xsd:decimal ;
    ak:friendshipCityOf mun:fukuyama ;
    ak:twinnedWith mun:fukuyama ;
    org:memberOf id:organization\\/haeoreum .

mun:jeju-province a ak:KoreanLocalGovernment ;
    rdfs:label "제주특별자치도"@ko , "Jeju"@en ;
    ak:level level:special-self-governing-province ;
    ak:code "50000" .

mun:jeju a ak:AdministrativeCity ;
    rdfs:label "제주시"@ko , "Jeju City"@en ;
    ak:level level:administrative-city ;
    ak:code "50110" ;
    ak:parent mun:jeju-province ;
    org:unitOf mun:jeju-province .

mun:fukuyama a ak:ForeignLocalGovernment ;
    rdfs:label "후쿠야마시"@ko , "Fukuyama"@en ;
    ak:country "JP" ;
    ak:friendshipCityOf mun:pohang ;
    ak:twinnedWith mun:pohang .

id:place\\/hall a ak:Place ;
    rdfs:label "포항시청"@ko , "Pohang City Hall"@en ;
    ak:locatedIn mun:pohang .

id:field\\/economy a skos:Concept ;
    skos:inScheme ak:CooperationFields ;
    rdfs:label "경제"@ko , "Economy"@en ;
    skos:prefLabel "경제"@ko , "Economy"@en .

id:agreement\\/pf a ak:Agreement ;
    rdfs:label "포항–후쿠야마 우호도시 협약"@ko , "Pohang–Fukuyama friendship-city agreement"@en ;
    ak:agreementKind agreement-kind:friendship-city ;
    ak:agreementStatus agreement-status:signed ;
    ak:party mun:pohang , mun:fukuyama ;
    ak:signedOn "2016-06"^^xsd:gYearMonth ;
    time:hasTime <https://w3id.org/alliance-kg/id/agreement/pf#signed> ;
    ak:signedAt id:place\\/hall ;
    ak:field id:field\\/economy ;
    ak:signatory id:person\\/lee .

<https://w3id.org/alliance-kg/id/agreement/pf#signed> a time:Instant ;
    time:inXSDgYearMonth "2016-06"^^xsd:gYearMonth ;
    time:unitType time:unitMonth .

id:organization\\/haeoreum a ak:Alliance ;
    rdfs:label "해오름동맹"@ko , "Haeoreum Alliance"@en ;
    org:hasMember mun:pohang ;
    ak:existedDuring hae:existedDuring ;
    schema:foundingDate "2016-06-30"^^xsd:date ;
    ak:seatedIn mun:pohang .

hae:existedDuring a time:Interval ;
    time:hasBeginning hae:existedDuring-beginning .

hae:existedDuring-beginning a time:Instant ;
    time:inXSDDate "2016-06-30"^^xsd:date ;
    time:unitType time:unitDay .

id:membership\\/haeoreum-pohang a org:Membership ;
    rdfs:label "포항시의 해오름동맹 회원"@ko , "Pohang in Haeoreum Alliance"@en ;
    org:member mun:pohang ;
    org:organization id:organization\\/haeoreum .

id:change\\/gunwi-moved a ak:Change ;
    rdfs:label "군위군 관할 변경 (2023-07-01)"@ko , "Gunwi moved (2023-07-01)"@en ;
    ak:changeKind change-kind:moved ;
    ak:affected mun:gunwi ;
    ak:oldParent mun:gyeongbuk ;
    ak:newParent mun:daegu ;
    ak:newCode "27720" ;
    time:hasTime <https://w3id.org/alliance-kg/id/change/gunwi-moved#occurred> ;
    schema:startDate "2023-07-01"^^xsd:date .

<https://w3id.org/alliance-kg/id/change/gunwi-moved#occurred> a time:Instant ;
    time:inXSDDate "2023-07-01"^^xsd:date ;
    time:unitType time:unitDay .

id:person\\/lee a schema:Person ;
    rdfs:label "이강덕"@ko , "Lee Kang-deok"@en ;
    org:holds id:post\\/pohang-mayor .

id:post\\/pohang-mayor a org:Post ;
    rdfs:label "포항시 시장"@ko , "Mayor of Pohang"@en ;
    org:postIn mun:pohang ;
    org:role role:mayor ;
    org:heldBy id:person\\/lee .

id:post-holding\\/lee-pohang-mayor a ak:PostHolding ;
    rdfs:label "이강덕, 포항시 시장"@ko , "Lee Kang-deok, mayor of Pohang"@en ;
    ak:post id:post\\/pohang-mayor ;
    ak:holder id:person\\/lee ;
    ak:asOf "2024-05-14"^^xsd:date .
"""

ID = "https://w3id.org/alliance-kg/id/"


def _graph(body: str) -> Graph:
    return Graph().parse(data=PREFIXES + body, format="turtle")


def _validate(data: Graph, mode: str = "union") -> tuple[bool, list[tuple[str, str, str]]]:
    """Validate as the loader does: the data graph holds the ontology too, no inference."""
    if mode == "union":
        conforms, report, _ = pyshacl.validate(
            data + ONT, shacl_graph=SHAPES, inference="none", advanced=True, allow_warnings=True
        )
    else:
        conforms, report, _ = pyshacl.validate(
            data, shacl_graph=SHAPES, ont_graph=ONT, inference="none"
        )
    results = [
        (
            str(report.value(r, SH.focusNode)),
            str(report.value(r, SH.resultPath) or ""),
            str(report.value(r, SH.resultMessage) or ""),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return conforms, results


@pytest.mark.parametrize("mode", ["union", "ont_graph"])
def test_good_graph_conforms(mode):
    conforms, results = _validate(_graph(GOOD), mode)
    assert conforms, results


BAD_CASES = {
    # name: (text in GOOD, replacement, focus node, expected words in a message)
    "agreement-with-one-party": (
        "ak:party mun:pohang , mun:fukuyama ;",
        "ak:party mun:pohang ;",
        ID + "agreement/pf",
        "at least two ak:party",
    ),
    "municipality-without-english-label": (
        'rdfs:label "포항시"@ko , "Pohang"@en ;',
        'rdfs:label "포항시"@ko ;',
        ID + "municipality/pohang",
        "Missing English label",
    ),
    "malformed-qid": (
        "skos:exactMatch wd:Q41154 .",
        "skos:exactMatch <http://www.wikidata.org/entity/Q041154> .",
        ID + "municipality/gyeongbuk",
        "Wikidata item IRI",
    ),
    "qid-as-literal": (
        "skos:exactMatch wd:Q41154 .",
        'skos:exactMatch "Q41154" .',
        ID + "municipality/gyeongbuk",
        "Wikidata item IRI",
    ),
    "four-digit-code": (
        'ak:code "47110" ;',
        'ak:code "4711" ;',
        ID + "municipality/pohang",
        "five-digit ak:code",
    ),
    "two-codes": (
        'ak:code "47110" ;',
        'ak:code "47110" , "47111" ;',
        ID + "municipality/pohang",
        "five-digit ak:code",
    ),
    "level-outside-the-scheme": (
        "ak:level level:city ;",
        "ak:level level:town ;",
        ID + "municipality/pohang",
        "ak:level",
    ),
    "korean-government-as-administrative-city": (
        "ak:level level:city ;",
        "ak:level level:administrative-city ;",
        ID + "municipality/pohang",
        "administrative-city is for ak:AdministrativeCity only",
    ),
    "city-without-parent": (
        "ak:parent mun:gyeongbuk ;",
        "",
        ID + "municipality/pohang",
        "needs an upper-level ak:parent",
    ),
    "county-under-a-county": (
        "ak:parent mun:daegu .",
        "ak:parent mun:gunwi .",
        ID + "municipality/gunwi",
        "needs an upper-level ak:parent",
    ),
    "administrative-city-not-a-unit": (
        "org:unitOf mun:jeju-province .",
        ".",
        ID + "municipality/jeju",
        "org:unitOf",
    ),
    "foreign-country-name": (
        'ak:country "JP" ;',
        'ak:country "Japan" ;',
        ID + "municipality/fukuyama",
        "ISO 3166-1",
    ),
    "agreement-kind-outside-the-scheme": (
        "agreement-kind:friendship-city ;",
        "agreement-kind:twinning ;",
        ID + "agreement/pf",
        "ak:agreementKind",
    ),
    "agreement-without-status": (
        "ak:agreementStatus agreement-status:signed ;",
        "",
        ID + "agreement/pf",
        "ak:agreementStatus",
    ),
    "signed-on-as-text": (
        'ak:signedOn "2016-06"^^xsd:gYearMonth ;',
        'ak:signedOn "June 2016" ;',
        ID + "agreement/pf",
        "ak:signedOn",
    ),
    "signed-on-as-datetime": (
        'ak:signedOn "2016-06"^^xsd:gYearMonth ;',
        'ak:signedOn "2016-06-01T00:00:00"^^xsd:dateTime ;',
        ID + "agreement/pf",
        "ak:signedOn",
    ),
    "planned-agreement-with-signed-date": (
        "ak:agreementStatus agreement-status:signed ;",
        "ak:agreementStatus agreement-status:planned ;",
        ID + "agreement/pf",
        "a planned one no ak:signedOn",
    ),
    "party-not-a-government": (
        "ak:party mun:pohang , mun:fukuyama ;",
        "ak:party mun:pohang , id:place\\/hall ;",
        ID + "agreement/pf",
        "each a local government",
    ),
    "instant-with-two-precisions": (
        'time:inXSDgYearMonth "2016-06"^^xsd:gYearMonth ;',
        'time:inXSDgYearMonth "2016-06"^^xsd:gYearMonth ; time:inXSDgYear "2016"^^xsd:gYear ;',
        ID + "agreement/pf#signed",
        "exactly one of time:inXSDDate",
    ),
    "instant-with-wrong-unit": (
        "time:unitType time:unitMonth .",
        "time:unitType time:unitYear .",
        ID + "agreement/pf#signed",
        "matching time:unitType",
    ),
    "membership-with-two-members": (
        "org:member mun:pohang ;",
        "org:member mun:pohang , mun:fukuyama ;",
        ID + "membership/haeoreum-pohang",
        "exactly one org:member",
    ),
    "membership-without-organization": (
        "org:organization id:organization\\/haeoreum .",
        ".",
        ID + "membership/haeoreum-pohang",
        "exactly one org:organization",
    ),
    "move-without-new-parent": (
        "ak:newParent mun:daegu ;",
        "",
        ID + "change/gunwi-moved",
        "must give ak:newParent",
    ),
    "record-graph-from-a-non-source": (
        "prov:wasDerivedFrom id:source\\/s1 .",
        "prov:wasDerivedFrom mun:pohang .",
        "https://w3id.org/alliance-kg/graph/municipality/pohang",
        "ak:Source",
    ),
    "source-of-no-kind": (
        "a ak:Source , schema:NewsArticle ;",
        "a ak:Source ;",
        ID + "source/s1",
        "exactly one of schema:NewsArticle",
    ),
    "post-with-unknown-role": (
        "org:role role:mayor ;",
        "org:role role:emperor ;",
        ID + "post/pohang-mayor",
        "org:role",
    ),
    "interval-without-ends": (
        "time:hasBeginning hae:existedDuring-beginning .",
        'rdfs:comment "open"@en .',
        ID + "organization/haeoreum#existedDuring",
        "time:hasBeginning or a time:hasEnd",
    ),
    "untagged-label": (
        'rdfs:label "경제"@ko , "Economy"@en ;',
        'rdfs:label "경제"@ko , "Economy"@en , "Economy" ;',
        ID + "field/economy",
        "language-tagged",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_graph_fails_with_the_expected_message(case):
    old, new, focus, words = BAD_CASES[case]
    assert GOOD.count(old) == 1, f"{case}: the text to replace must occur once in GOOD"
    conforms, results = _validate(_graph(GOOD.replace(old, new)))
    assert not conforms
    hits = [r for r in results if r[0] == focus and words in r[2]]
    assert hits, f"{case}: no result on {focus} saying {words!r}; got {results}"


def test_bad_graph_fails_also_when_the_ontology_is_passed_as_ont_graph():
    bad = GOOD.replace("ak:party mun:pohang , mun:fukuyama ;", "ak:party mun:pohang ;")
    conforms, results = _validate(_graph(bad), mode="ont_graph")
    assert not conforms
    assert any("at least two ak:party" in message for _, _, message in results)


# --- rdf.py's own output ---------------------------------------------------------------------

SYNTHETIC = {
    "sources": [
        {
            "id": "s1",
            "kind": "news-article",
            "title": "기사",
            "language": "ko",
            "publisher": "신문",
            "author": "기자",
            "date": "2024-05",
            "url": "https://example.org/1",
        },
        {"id": "s2", "kind": "legislation-text", "title": "Act text", "language": "mul"},
        {
            "id": "s3",
            "kind": "web-page",
            "title": "Sister cities",
            "language": "en",
            "url": "https://example.org/sister-cities",
            "partner_page_of": "pohang",
        },
        {"id": "s4", "kind": "dataset", "title": "코드 목록", "language": "ko", "date": "2022"},
    ],
    "municipalities": [
        {
            "id": "gyeongbuk",
            "name_ko": "경상북도",
            "name_en": "North Gyeongsang",
            "level": "province",
            "code": "47000",
            "sources": ["s1"],
            "wikidata": "Q41154",
        },
        {
            "id": "pohang",
            "name_ko": "포항시",
            "name_en": "Pohang",
            "level": "city",
            "parent": "gyeongbuk",
            "code": "47110",
            "lat": 36.03,
            "lon": 129.36,
            "sources": ["s1"],
        },
        {
            "id": "yongin",
            "name_ko": "용인시",
            "name_en": "Yongin",
            "level": "city",
            "parent": "gyeongbuk",
            "code": "41460",
            "sources": ["s1"],
        },
        {
            "id": "jeju-province",
            "name_ko": "제주특별자치도",
            "name_en": "Jeju",
            "level": "special-self-governing-province",
            "code": "50000",
            "sources": ["s1"],
        },
        {
            "id": "jeju",
            "name_ko": "제주시",
            "name_en": "Jeju City",
            "level": "administrative-city",
            "parent": "jeju-province",
            "code": "50110",
            "sources": ["s1"],
        },
    ],
    "foreign-governments": [
        {
            "id": "fukuyama",
            "name_ko": "후쿠야마시",
            "name_en": "Fukuyama",
            "country": "JP",
            "region_ko": "히로시마현",
            "region_en": "Hiroshima Prefecture",
            "sources": ["s1"],
        },
    ],
    "former-governments": [
        {
            "id": "masan",
            "name_ko": "마산시",
            "name_en": "Masan",
            "level": "city",
            "parent": "gyeongbuk",
            "merged_into": "pohang",
            "dissolved": "2010-07-01",
            "sources": ["s1"],
        },
    ],
    "places": [
        {
            "id": "hall",
            "name_ko": "포항시청",
            "name_en": "Pohang City Hall",
            "located_in": "pohang",
            "sources": ["s1"],
        },
    ],
    "statuses": [
        {
            "id": "yongin-scc",
            "municipality": "yongin",
            "status": "special-case-city",
            "since": "2022-01-13",
            "legal_basis": "local-autonomy-act",
            "sources": ["s1"],
        },
    ],
    "changes": [
        {
            "id": "pohang-renamed",
            "municipality": "pohang",
            "kind": "renamed",
            "date": "1995",
            "old_name_ko": "영일군",
            "new_name_ko": "포항시",
            "old_parent": "gyeongbuk",
            "old_code": "47111",
            "new_code": "47110",
            "legal_basis": "local-autonomy-act",
            "sources": ["s1"],
        },
    ],
    "fields": [{"id": "economy", "name_ko": "경제", "name_en": "Economy", "sources": ["s1"]}],
    "agreements": [
        {
            "id": "pf",
            "kind": "friendship-city",
            "parties": ["pohang", "fukuyama"],
            "date": "2016-06",
            "place": "hall",
            "fields": ["economy"],
            "signatories": ["lee"],
            "precedes": "ps",
            "sources": ["s1"],
        },
        {
            "id": "ps",
            "kind": "sister-city",
            "parties": ["pohang", "fukuyama"],
            "status": "planned",
            "date": "2026",
            "sources": ["s1"],
        },
        {
            "id": "yp",
            "kind": "cooperation",
            "parties": ["yongin", "pohang"],
            "date": "2024-05-14",
            "sources": ["s1"],
        },
        {
            "id": "mf",
            "kind": "sister-city",
            "parties": ["masan", "fukuyama"],
            "status": "ended",
            "date": "1990",
            "ended_on": "2005-03",
            "sources": ["s3"],
        },
    ],
    "organizations": [
        {
            "id": "haeoreum",
            "name_ko": "해오름동맹",
            "name_en": "Haeoreum Alliance",
            "kind": "alliance",
            "members": [
                {"member": "pohang", "since": "2016-06-30"},
                {"member": "yongin", "since": "2016", "until": "2020-01"},
            ],
            "founded": "2016-06-30",
            "founded_by": "yp",
            "seat": "pohang",
            "sources": ["s1"],
        },
        {
            "id": "haeoreum-office",
            "name_ko": "해오름동맹 사무국",
            "name_en": "Haeoreum office",
            "kind": "office",
            "unit_of": "haeoreum",
            "seat": "hall",
            "staff": 5,
            "staff_from": [{"municipality": "pohang", "count": 3}],
            "head_rank": "4급",
            "purpose": "Joint office",
            "founded": "2024-11",
            "dissolved": "2025",
            "sources": ["s1"],
        },
        {
            "id": "haeoreum-council",
            "name_ko": "해오름동맹 협의회",
            "name_en": "Haeoreum council",
            "kind": "council",
            "unit_of": "haeoreum",
            "sources": ["s1"],
        },
        {
            "id": "union",
            "name_ko": "특별연합",
            "name_en": "Special union",
            "kind": "special-local-government",
            "members": [{"member": "haeoreum"}],
            "sources": ["s1"],
        },
    ],
    "meetings": [
        {
            "id": "m1",
            "name_ko": "협의회 회의",
            "name_en": "Council meeting",
            "organizer": "haeoreum-council",
            "date": "2024-11-27",
            "venue": "hall",
            "attendance": 300,
            "attendance_approximate": True,
            "attendees": ["lee"],
            "outcomes": ["공동선언 채택"],
            "sources": ["s1"],
        },
    ],
    "declarations": [
        {
            "id": "d1",
            "name_ko": "공동선언",
            "name_en": "Joint declaration",
            "meeting": "m1",
            "date": "2024-11-27",
            "parties": ["pohang", "haeoreum"],
            "commitments": [
                {
                    "text_ko": "협력한다",
                    "text_en": "Cooperate",
                    "concerns": ["haeoreum", "batteries", "local-autonomy-act", "pohang"],
                }
            ],
            "sources": ["s1"],
        },
    ],
    "industries": [
        {"id": "energy", "name_ko": "에너지", "name_en": "Energy", "sources": ["s1"]},
        {
            "id": "batteries",
            "name_ko": "이차전지",
            "name_en": "Secondary batteries",
            "broader": "energy",
            "sources": ["s1"],
        },
    ],
    "city-industries": [
        {
            "id": "pohang-industries",
            "municipality": "pohang",
            "industries": ["batteries"],
            "sources": ["s1"],
        },
    ],
    "designations": [
        {
            "id": "pohang-batteries",
            "name_ko": "포항 이차전지 특화단지",
            "name_en": "Pohang battery complex",
            "program": "advanced-strategic-industry-complex",
            "industry": "batteries",
            "sites": ["pohang"],
            "date": "2023-07-20",
            "focus": "Cathodes",
            "sources": ["s1"],
        },
    ],
    "companies": [
        {
            "id": "posco",
            "name_ko": "포스코",
            "name_en": "POSCO",
            "facilities": [
                {"municipality": "pohang", "kind": "headquarters"},
                {"municipality": "pohang", "kind": "plant"},
            ],
            "industries": ["batteries"],
            "sources": ["s1"],
        },
    ],
    "legislation": [
        {
            "id": "local-autonomy-act",
            "name_ko": "지방자치법",
            "name_en": "Local Autonomy Act",
            "kind": "act",
            "status": "in-force",
            "steps": [
                {"step": "passed", "date": "2020-12-09"},
                {"step": "in-force", "date": "2022-01-13"},
            ],
            "sources": ["s2"],
        },
        {
            "id": "integration-bill",
            "name_ko": "통합 특별법안",
            "name_en": "Integration bill",
            "kind": "bill",
            "status": "submitted",
            "promoted_by": ["haeoreum", "pohang"],
            "proposed_by": ["lee"],
            "concerns": ["pohang", "local-autonomy-act"],
            "steps": [{"step": "proposed", "date": "2025-03"}],
            "sources": ["s1"],
        },
    ],
    "people": [
        {
            "id": "lee",
            "name_ko": "이강덕",
            "name_en": "Lee Kang-deok",
            "holds": [
                {"role": "mayor", "of": "pohang", "as_of": "2024-05-14"},
                {"role": "mayor", "of": "pohang", "as_of": "2024-11-27"},
                {"role": "council-chair", "of": "haeoreum-council", "as_of": "2024"},
            ],
            "sources": ["s1"],
        },
    ],
}


def _synthetic_graph() -> Graph:
    from alliance_kg.loaders import rdf

    by_file = {
        stem: [rec.RECORD_TYPES[stem][0].model_validate(row) for row in rows]
        for stem, rows in SYNTHETIC.items()
    }
    records = Records(by_file, [])
    quads = rdf.to_quads(records)
    dump = ox.serialize(
        (ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES
    )
    return Graph().parse(data=dump, format="nt")


def test_synthetic_records_of_every_type_pass_the_record_checks():
    from alliance_kg.loaders import integrity

    assert set(SYNTHETIC) == set(rec.RECORD_TYPES)
    by_file = {
        stem: [rec.RECORD_TYPES[stem][0].model_validate(row) for row in rows]
        for stem, rows in SYNTHETIC.items()
    }
    assert integrity.check(Records(by_file, [])) == []


def test_what_rdf_py_makes_of_every_record_type_conforms():
    data = _synthetic_graph()
    classes = set(data.objects(None, RDF.type))
    # Every class rdf.py can emit shows up, so every shape has something to check.
    assert _emitted_classes() <= classes
    conforms, results = _validate(data)
    assert conforms, results


def test_what_rdf_py_makes_fails_when_a_label_goes_missing():
    data = _synthetic_graph()
    node = URIRef(ID + "organization/haeoreum")
    for label in list(data.objects(node, RDFS.label)):
        if label.language == "en":
            data.remove((node, RDFS.label, label))
    conforms, results = _validate(data)
    assert not conforms
    assert any(f == str(node) and "Missing English label" in m for f, _, m in results)


def test_blank_nodes_never_appear_in_rdf_py_output():
    data = _synthetic_graph()
    assert not any(isinstance(term, BNode) for triple in data for term in triple)


# --- the real graph --------------------------------------------------------------------------


@pytest.mark.slow  # SHACL on the whole graph
def test_real_graph_conforms_in_seconds():
    from alliance_kg.loaders import build

    try:
        build.check_records(paths.DATA, report=lambda _: None)
    except build.BuildFailed as failed:
        pytest.skip(f"data/ does not pass the record checks right now: {failed.errors[:3]}")
    phases: list[str] = []
    started = time.perf_counter()
    try:
        build.build_quads(paths.DATA, report=phases.append)
    except build.BuildFailed as failed:
        pytest.fail("shapes fail on the real graph:\n" + "\n".join(map(str, failed.errors[:20])))
    assert time.perf_counter() - started < 60
    shacl = [p for p in phases if "SHACL" in p]
    assert shacl, phases
    assert float(shacl[0].split(":")[1].strip().removesuffix(" s")) < 30
