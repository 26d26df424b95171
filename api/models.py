"""Response models of the REST API (they make the OpenAPI document at /docs)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

POHANG = "https://w3id.org/alliance-kg/id/municipality/pohang"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemBody(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``); problems may carry
    extension members (``candidates``, ``errors`` ...)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    candidates: list[Municipality] | None = None


class SourceRef(Model):
    id: str = Field(description="the source's IRI")
    title: str | None = None


class Ref(Model):
    """Another entity of the graph, named."""

    id: str
    slug: str
    name_ko: str | None = None
    name_en: str | None = None


class Municipality(Model):
    id: str = Field(description="the IRI", examples=[POHANG])
    slug: str = Field(examples=["pohang"])
    name_ko: str | None = Field(None, examples=["포항시"])
    name_en: str | None = Field(None, examples=["Pohang"])
    wikidata: str | None = Field(None, description="the Wikidata QID", examples=["Q42157"])
    level: str | None = Field(None, examples=["city"])
    code: str | None = Field(None, description="5-digit administrative code", examples=["47110"])
    parent: str | None = Field(
        None,
        description="IRI of the upper-level local government",
        examples=["https://w3id.org/alliance-kg/id/municipality/gyeongbuk"],
    )
    country: str | None = Field(None, description="ISO 3166-1 alpha-2", examples=["KR"])


class Status(Model):
    status: str
    since: str | None = None


class Membership(Model):
    organization: Ref
    since: str | None = None
    until: str | None = None


class MunicipalityDetail(Municipality):
    aliases: list[str] = []
    lat: float | None = None
    long: float | None = None
    statuses: list[Status] = []
    memberships: list[Membership] = []
    industries: list[Ref] = []
    sources: list[SourceRef] = []


class MunicipalityHit(Municipality):
    score: int = Field(description="how well the name matches q (0 to 100; 100 without q)")


class MunicipalityPage(Model):
    total: int
    limit: int
    offset: int
    items: list[MunicipalityHit]


class Partner(Model):
    partner: Municipality
    kind: str = Field(
        description="sister-city, friendship-city, letter-of-intent, cooperation, "
        "alliance-member or union-member",
        examples=["friendship-city"],
    )
    since: str | None = Field(
        None, description="ISO date, year-month or year, at the precision known"
    )
    until: str | None = None
    ended: bool = Field(
        False, description="the agreement was ended (해지); until gives when, where known"
    )
    agreement: str | None = Field(None, description="the agreement's IRI")
    alliance: str | None = Field(None, description="the alliance's or union's IRI")
    label: str | None = Field(None, description="the agreement's or alliance's English name")
    sources: list[SourceRef]


class Partners(Model):
    municipality: Municipality
    kind: str | None = None
    as_of: str | None = None
    query: str = Field("partners", description="the canned query that gave the answer")
    partners: list[Partner]


class Member(Model):
    member: Ref
    since: str | None = None
    until: str | None = None


class Unit(Ref):
    kind: str
    founded: str | None = None
    seat: str | None = None
    staff: int | None = None


class Meeting(Ref):
    date: str | None = None
    outcomes: list[str] = []


class Commitment(Model):
    position: int
    text_ko: str | None = None
    text_en: str | None = None


class Declaration(Ref):
    date: str | None = None
    commitments: list[Commitment] = []


class LegislationRef(Ref):
    status: str | None = None


class Alliance(Ref):
    kind: str = Field(examples=["alliance"])
    aliases: list[str] = []
    wikidata: str | None = None
    founded: str | None = None
    dissolved: str | None = None
    members: int = 0


class AllianceDetail(Model):
    alliance: Alliance
    members: list[Member]
    units: list[Unit]
    meetings: list[Meeting]
    declarations: list[Declaration]
    legislation: list[LegislationRef]
    sources: list[SourceRef]


class Industry(Ref):
    aliases: list[str] = []
    broader: str | None = None
    wikidata: str | None = None
    cities: int = 0


class Designation(Ref):
    program: str | None = None
    date: str | None = None
    focus: str | None = None
    sites: list[Ref] = []


class Company(Ref):
    sites: list[Ref] = []


class IndustryDetail(Model):
    industry: Industry
    cities: list[Ref]
    designations: list[Designation]
    companies: list[Company]
    sources: list[SourceRef]


class Legislation(Ref):
    kind: str
    aliases: list[str] = []
    status: str | None = None
    wikidata: str | None = None


class Step(Model):
    step: str
    date: str | None = None


class LegislationDetail(Model):
    legislation: Legislation
    steps: list[Step]
    promoters: list[Ref]
    proposers: list[Ref]
    concerns: list[Ref]
    sources: list[SourceRef]


class Source(Model):
    id: str
    slug: str
    title: str | None = None
    kind: str | None = None
    publisher: str | None = None
    date: str | None = None
    language: str | None = None
    url: str | None = None
    records: int = 0


class Assertion(Model):
    graph: str = Field(description="the named graph of the record that cites the source")
    entity: Ref
    statements: int


class SourceDetail(Model):
    source: Source
    asserts: list[Assertion]


class QueryParameter(Model):
    name: str
    type: str
    description: str
    example: str | None = None
    optional: bool = False


class QueryInfo(Model):
    name: str
    title: str
    description: str
    url: str
    parameters: list[QueryParameter]
    sparql: str


class QueryResult(Model):
    query: str
    title: str
    columns: list[str]
    rows: list[dict[str, str | None]]


ProblemBody.model_rebuild()
