"""The published dataset: version, license and attribution, dumps, and VoID/DCAT description.

Two versions are kept apart and never confused:

- the **data version**, derived from the data alone: the reference date of the records and the
  first 12 hex digits of the SHA-256 of the canonical N-Quads dump (the same hash names the
  store's build directory), e.g. ``2025-01-01+3f614ed574db``;
- the **code version**, ``alliance_kg.__version__``, of the software that wrote the dumps and the
  description.

The dumps (``alliance-kg-<data version>.nq.gz``, ``.trig``, ``.ttl``) are made by
:func:`write_dumps`, which both ``alliance-kg export --dumps DIR`` and the web service's
``/dumps/`` use, so they are the same bytes. They are sorted, and gzip is written with mtime 0.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from alliance_kg import __version__, canonical, iri
from alliance_kg import store as stores
from alliance_kg.loaders.rdf import NS
from alliance_kg.query import export_bytes

REFERENCE_DATE = "2025-01-01"  # the day the records describe South Korea's local governments
CODE_VERSION = __version__

DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CODE_LICENSE = "https://opensource.org/licenses/MIT"
DATASET = iri.BASE + "dataset"
PUBLISHER = iri.BASE + "project"
URI_SPACE = iri.ID
WIKIDATA_DATASET = "http://www.wikidata.org/"

TITLE = {
    "en": "alliance-kg: South Korean local governments and the ties between them",
    "ko": "alliance-kg: 대한민국 지방자치단체와 그 사이의 자매결연·협력 관계",
}
DESCRIPTION = {
    "en": "A knowledge graph of South Korea's local governments as of "
    f"{REFERENCE_DATE} and the ties between them: sister-city and friendship-city agreements, "
    "regional alliances and special local governments with their councils, offices, meetings "
    "and declarations, the industries cities build on and the legislation they push for. "
    "Every record is a named graph that says which sources it was derived from.",
    "ko": f"{REFERENCE_DATE} 기준 대한민국 지방자치단체와 그 사이의 관계(자매결연, "
    "우호도시 협약, 광역 동맹과 특별지방자치단체 및 그 협의회·추진단·회의·공동선언, "
    "도시의 산업, 추진 법안)를 담은 지식 그래프. "
    "모든 레코드는 출처를 밝히는 명명 그래프에 담겨 있다.",
}

# (title, URL, licence) of the sources every page credits; the news and reference pages behind
# each record are credited per record (data/sources.yaml, and dct:source in the VoID).
ATTRIBUTION = (
    (
        "Ministry of the Interior and Safety (행정안전부), legal-dong code list, "
        "as bundled in the PyPI package PublicDataReader",
        "https://pypi.org/project/PublicDataReader/",
    ),
    (
        "Ministry of the Interior and Safety, current codes of the administrative standard "
        "code system (행정표준코드관리시스템)",
        "https://www.code.go.kr",
    ),
    ("Wikidata (CC0)", "https://www.wikidata.org/"),
    ("Who's On First (CC BY), for Yongin's Wikidata QID", "https://whosonfirst.org/"),
)
ATTRIBUTION_TEXT = (
    "Data: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Sources: "
    + "; ".join(f"{title} <{url}>" for title, url in ATTRIBUTION)
    + "; and the news and reference pages each record cites (data/sources.yaml). Code: MIT."
)


# --------------------------------------------------------------------------------------------
# Versions


_HASH = re.compile(r"^[0-9a-f]{12}$")


def data_version(content_hash: str) -> str:
    """The data version for a content hash.

    >>> data_version("3f614ed574db")
    '2025-01-01+3f614ed574db'
    """
    if not _HASH.match(content_hash):
        raise ValueError(f"not a 12-hex content hash: {content_hash!r}")
    return f"{REFERENCE_DATE}+{content_hash}"


# --------------------------------------------------------------------------------------------
# Dumps


@dataclass(frozen=True)
class DumpFormat:
    key: str  # export_bytes format
    suffix: str
    media_type: str  # of the RDF inside
    compressed: bool = False

    def name(self, version: str) -> str:
        return f"alliance-kg-{version}{self.suffix}"


DUMP_FORMATS = (
    DumpFormat("nquads", ".nq.gz", "application/n-quads", compressed=True),
    DumpFormat("trig", ".trig", "application/trig"),
    DumpFormat("turtle", ".ttl", "text/turtle"),
)


@dataclass
class DumpFile:
    name: str
    format: str
    media_type: str  # of the RDF inside
    compressed: bool
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        """What the file is served as."""
        if self.compressed:
            return "application/gzip"
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")


@dataclass
class Statistics:
    quads: int
    triples: int  # distinct triples of the union of all graphs
    graphs: int
    entities: int  # distinct subjects in the URI space
    distinct_subjects: int
    distinct_objects: int
    properties: int
    classes: int
    wikidata_links: int  # skos:exactMatch to Wikidata items
    vocabularies: list[str] = field(default_factory=list)
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # (IRI, URL or "", title)


@dataclass
class Release:
    """What a store build is published as: versions, dump files and statistics."""

    data_version: str
    code_version: str
    content_hash: str
    reference_date: str
    files: list[DumpFile]
    statistics: Statistics

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Release:
        raw = json.loads(text)
        stats = raw["statistics"]
        stats["sources"] = [tuple(s) for s in stats["sources"]]
        return cls(
            data_version=raw["data_version"],
            code_version=raw["code_version"],
            content_hash=raw["content_hash"],
            reference_date=raw["reference_date"],
            files=[DumpFile(**f) for f in raw["files"]],
            statistics=Statistics(**stats),
        )


def dump_bytes(store: ox.Store) -> tuple[str, dict[DumpFormat, bytes]]:
    """The data version and the bytes of each dump file."""
    nquads = export_bytes(store, "nquads")
    version = data_version(canonical.content_hash(nquads))
    out = {}
    for fmt in DUMP_FORMATS:
        data = nquads if fmt.key == "nquads" else export_bytes(store, fmt.key)
        if fmt.compressed:
            data = gzip.compress(data, compresslevel=9, mtime=0)
        out[fmt] = data
    return version, out


def write_dumps(store: ox.Store, directory: Path) -> tuple[str, list[DumpFile]]:
    """Write the three dump files into ``directory`` (each by an atomic rename)."""
    version, files = dump_bytes(store)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, data in files.items():
        name = fmt.name(version)
        tmp = directory / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, directory / name)
        written.append(
            DumpFile(
                name,
                fmt.key,
                fmt.media_type,
                fmt.compressed,
                len(data),
                hashlib.sha256(data).hexdigest(),
            )
        )
    return version, written


def _count(store: ox.Store, sparql: str) -> int:
    rows = list(store.query(sparql))
    return int(rows[0][0].value) if rows else 0


def statistics(store: ox.Store) -> Statistics:
    """The counts the VoID gives, all of the union of the graphs (distinct triples)."""
    space = URI_SPACE
    distinct = "{ SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
    used = {
        row["t"].value
        for row in store.query(
            "SELECT DISTINCT ?t { { ?s ?t ?o } UNION { ?s a ?t } }",
        )
        if isinstance(row["t"], ox.NamedNode)
    }
    vocabularies = sorted(
        {ns for ns in NS.values() if any(t.startswith(ns) for t in used)},
    )
    sources = sorted(
        (
            row["s"].value,
            row["url"].value if row["url"] else "",
            row["title"].value,
        )
        for row in store.query(
            "SELECT ?s (SAMPLE(?u) AS ?url) (MIN(STR(?t)) AS ?title) {"
            f" ?s a <{iri.ONTOLOGY}Source> ; <{NS['dct']}title> ?t ."
            f" OPTIONAL {{ ?s <{NS['schema']}url> ?u }} }} GROUP BY ?s",
        )
    )
    return Statistics(
        quads=sum(1 for _ in stores.named_graph_quads(store)),
        triples=_count(store, f"SELECT (COUNT(*) AS ?n) {distinct}"),
        graphs=_count(store, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }"),
        entities=_count(
            store,
            "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o "
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}")) }}',
        ),
        distinct_subjects=_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"),
        distinct_objects=_count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }"),
        properties=_count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }"),
        classes=_count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }"),
        wikidata_links=_count(
            store,
            "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?o {"
            f" ?s <{NS['skos']}exactMatch> ?o"
            f' FILTER(STRSTARTS(STR(?o), "{iri.WIKIDATA}")) }} }}',
        ),
        vocabularies=vocabularies,
        sources=sources,
    )


def release(store: ox.Store, directory: Path) -> Release:
    """Write the dumps into ``directory`` and describe them (also in ``release.json`` there)."""
    version, files = write_dumps(store, directory)
    result = Release(
        data_version=version,
        code_version=CODE_VERSION,
        content_hash=version.partition("+")[2],
        reference_date=REFERENCE_DATE,
        files=files,
        statistics=statistics(store),
    )
    tmp = directory / f".release.json.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(result.to_json(), encoding="utf-8")
    os.replace(tmp, directory / "release.json")
    return result


def dumps_dir(location: Path) -> Path:
    """Where the dumps of a store location's builds are cached: beside its builds."""
    return location.parent / (location.name + ".dumps")


_lock = threading.Lock()
_memory: dict[Path, tuple[Release, Path]] = {}  # build directory → its release


def current_release(location: Path) -> tuple[Release, Path]:
    """The release of the store's current build, made once per build and cached on disk.

    Blocking (it may export the whole store): call it from a worker thread.
    """
    build = stores.current_build(location)
    directory = dumps_dir(location) / build.name
    manifest = directory / "release.json"
    with _lock:
        known = _memory.get(build)
        if known is not None and all((known[1] / f.name).exists() for f in known[0].files):
            return known
        if manifest.exists():
            try:
                cached = Release.from_json(manifest.read_text(encoding="utf-8"))
                if cached.code_version == CODE_VERSION and all(
                    (directory / f.name).exists() for f in cached.files
                ):
                    _memory[build] = (cached, directory)
                    return cached, directory
            except (ValueError, KeyError, TypeError):
                pass
        made = release(ox.Store.read_only(str(build)), directory)
        _prune(dumps_dir(location), stores.builds_dir(location))
        _memory[build] = (made, directory)
        return made, directory


def _prune(dumps: Path, builds: Path) -> None:
    """Drop the cached dumps of builds that are gone."""
    for old in dumps.iterdir():
        if old.is_dir() and not (builds / old.name).is_dir():
            shutil.rmtree(old, ignore_errors=True)


def export_dumps(location: Path, directory: Path) -> int:
    """``alliance-kg export --dumps DIR``: the same files as ``/dumps/`` serves."""
    store = stores.open_read_only(location)
    version, files = write_dumps(store, directory)
    for f in files:
        print(f"{f.sha256}  {directory / f.name}  ({f.size} bytes)", file=sys.stderr)
    print(f"data version {version}, code version {CODE_VERSION}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------------------------
# VoID and DCAT


def _iana(media_type: str) -> ox.NamedNode:
    return ox.NamedNode("https://www.iana.org/assignments/media-types/" + media_type)


def void_triples(rel: Release, base_url: str) -> list[ox.Triple]:
    """The VoID and DCAT description of a release served from ``base_url`` (no trailing /)."""

    def n(curie: str) -> ox.NamedNode:
        prefix, _, local = curie.partition(":")
        return ox.NamedNode(VOID_NS[prefix] + local)

    def lit(value: object, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
        if lang:
            return ox.Literal(str(value), language=lang)
        if datatype:
            return ox.Literal(str(value), datatype=n(datatype))
        return ox.Literal(str(value))

    d = ox.NamedNode(DATASET)
    stats = rel.statistics
    out: list[ox.Triple] = []

    def add(s, p, o) -> None:
        out.append(ox.Triple(s, n(p) if isinstance(p, str) else p, o))

    endpoint = ox.NamedNode(f"{base_url}/sparql")
    dumps_page = ox.NamedNode(f"{base_url}/dumps/")
    add(d, "rdf:type", n("void:Dataset"))
    add(d, "rdf:type", n("dcat:Dataset"))
    for lang in ("en", "ko"):
        add(d, "dct:title", lit(TITLE[lang], lang=lang))
        add(d, "dct:description", lit(DESCRIPTION[lang], lang=lang))
    add(d, "dct:license", ox.NamedNode(DATA_LICENSE))
    add(d, "dct:rights", lit(ATTRIBUTION_TEXT, lang="en"))
    publisher = ox.NamedNode(PUBLISHER)
    add(d, "dct:publisher", publisher)
    add(publisher, "rdf:type", n("foaf:Organization"))
    add(publisher, "foaf:name", lit("alliance-kg project", lang="en"))
    add(d, "foaf:homepage", ox.NamedNode(f"{base_url}/"))
    add(d, "dcat:landingPage", ox.NamedNode(f"{base_url}/"))
    for keyword in ("sister cities", "local government", "inter-municipal cooperation"):
        add(d, "dcat:keyword", lit(keyword, lang="en"))
    for keyword in ("자매결연", "지방자치단체", "지자체 협력"):
        add(d, "dcat:keyword", lit(keyword, lang="ko"))
    add(d, "dct:spatial", ox.NamedNode("http://www.wikidata.org/entity/Q884"))
    for _title, url in ATTRIBUTION:
        add(d, "dct:source", ox.NamedNode(url))
    for source, url, _title in stats.sources:
        add(d, "dct:source", ox.NamedNode(url or source))
    # Versions: the data's, and (apart) the software's that wrote this description and the dumps.
    add(d, "owl:versionInfo", lit(rel.data_version))
    add(d, "dcat:version", lit(rel.data_version))
    add(
        d,
        "rdfs:comment",
        lit(
            f"Data version {rel.data_version}: the records' reference date ({rel.reference_date})"
            f" and the first 12 hex digits of the SHA-256 of the canonical N-Quads dump"
            f" ({rel.content_hash}). The software version is that of the prov:SoftwareAgent"
            " that wrote the dumps and this description.",
            lang="en",
        ),
    )
    activity = ox.NamedNode(f"{DATASET}/release/{rel.content_hash}")
    software = ox.NamedNode(f"{iri.BASE}software/{CODE_VERSION}")
    add(d, "prov:wasGeneratedBy", activity)
    add(activity, "rdf:type", n("prov:Activity"))
    add(activity, "prov:wasAssociatedWith", software)
    add(software, "rdf:type", n("prov:SoftwareAgent"))
    add(software, "rdf:type", n("schema:SoftwareApplication"))
    add(software, "schema:name", lit("alliance-kg"))
    add(software, "schema:softwareVersion", lit(rel.code_version))
    add(software, "schema:license", ox.NamedNode(CODE_LICENSE))
    # Access.
    add(d, "void:sparqlEndpoint", endpoint)
    service = ox.NamedNode(f"{DATASET}/service/sparql")
    add(service, "rdf:type", n("dcat:DataService"))
    add(service, "dcat:endpointURL", endpoint)
    add(service, "dcat:servesDataset", d)
    add(service, "dct:conformsTo", ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
    add(service, "dct:title", lit("SPARQL 1.1 endpoint", lang="en"))
    for f in rel.files:
        url = ox.NamedNode(f"{base_url}/dumps/{f.name}")
        dist = ox.NamedNode(f"{DATASET}/distribution/{f.format}")
        add(d, "void:dataDump", url)
        add(d, "dcat:distribution", dist)
        add(dist, "rdf:type", n("dcat:Distribution"))
        add(dist, "dct:title", lit(f"{f.name} ({f.media_type})", lang="en"))
        add(dist, "dcat:downloadURL", url)
        add(dist, "dcat:accessURL", dumps_page)
        add(dist, "dcat:mediaType", _iana(f.media_type))
        if f.compressed:
            add(dist, "dcat:compressFormat", _iana("application/gzip"))
        add(dist, "dcat:byteSize", lit(f.size, "xsd:nonNegativeInteger"))
        add(dist, "dct:license", ox.NamedNode(DATA_LICENSE))
        checksum = ox.NamedNode(f"{dist.value}#sha256")
        add(dist, "spdx:checksum", checksum)
        add(checksum, "rdf:type", n("spdx:Checksum"))
        add(checksum, "spdx:algorithm", n("spdx:checksumAlgorithm_sha256"))
        add(checksum, "spdx:checksumValue", lit(f.sha256, "xsd:hexBinary"))
    # Statistics, of the union of all named graphs.
    add(d, "void:triples", lit(stats.triples, "xsd:integer"))
    add(d, "void:entities", lit(stats.entities, "xsd:integer"))
    add(d, "void:distinctSubjects", lit(stats.distinct_subjects, "xsd:integer"))
    add(d, "void:distinctObjects", lit(stats.distinct_objects, "xsd:integer"))
    add(d, "void:properties", lit(stats.properties, "xsd:integer"))
    add(d, "void:classes", lit(stats.classes, "xsd:integer"))
    add(d, "void:uriSpace", lit(URI_SPACE))
    add(d, "void:exampleResource", ox.NamedNode(iri.entity("municipality", "pohang")))
    add(d, "void:exampleResource", ox.NamedNode(iri.entity("organization", "haeoreum-alliance")))
    for vocabulary in stats.vocabularies:
        add(d, "void:vocabulary", ox.NamedNode(vocabulary))
    # Links to Wikidata.
    wikidata = ox.NamedNode(WIKIDATA_DATASET)
    linkset = ox.NamedNode(f"{DATASET}/linkset/wikidata")
    add(d, "void:subset", linkset)
    add(linkset, "rdf:type", n("void:Linkset"))
    add(linkset, "dct:title", lit("skos:exactMatch links to Wikidata items", lang="en"))
    add(linkset, "void:linkPredicate", n("skos:exactMatch"))
    add(linkset, "void:subjectsTarget", d)
    add(linkset, "void:objectsTarget", wikidata)
    add(linkset, "void:triples", lit(stats.wikidata_links, "xsd:integer"))
    add(wikidata, "rdf:type", n("void:Dataset"))
    add(wikidata, "dct:title", lit("Wikidata", lang="en"))
    add(wikidata, "foaf:homepage", ox.NamedNode("https://www.wikidata.org/"))
    add(wikidata, "void:uriSpace", lit(iri.WIKIDATA))
    add(wikidata, "void:sparqlEndpoint", ox.NamedNode("https://query.wikidata.org/sparql"))
    add(wikidata, "dct:license", ox.NamedNode("http://creativecommons.org/publicdomain/zero/1.0/"))
    return sorted(set(out), key=str)


VOID_NS = {
    **{
        k: NS[k]
        for k in ("rdf", "rdfs", "xsd", "owl", "skos", "prov", "schema", "dct", "foaf", "dcat")
    },
    "void": "http://rdfs.org/ns/void#",
    "spdx": "http://spdx.org/rdf/terms#",
}
