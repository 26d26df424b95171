"""The record types of data/, as typed models: what a record may and must hold.

Every record has an ``id`` (a slug, unique within its type) and cites one or more ``sources`` by
id. Names come in Korean and English; ``aliases`` hold other spellings people search by.
References between records are by id and are checked in ``alliance_kg.loaders.integrity``.
"""

import re
import unicodedata
from typing import Annotated, Literal

from alliance_kg.loaders import dates
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pyoxigraph import NamedNode

from alliance_kg.iri import QID, SLUG


def shown(value: str, limit: int = 60) -> str:
    """A value as an error message quotes it: escaped, and cut short when long.

    >>> shown("pohang"), shown("x" * 100).endswith("… (100 chars)")
    ("'pohang'", True)
    """
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(value)} chars)"


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"{shown(value)} is not a slug (lower-case letters, digits and hyphens)")
    return value


def _qid(value: str) -> str:
    if not QID.match(value):
        raise ValueError(f"{shown(value)} is not a Wikidata QID such as Q42157")
    return value


def _text(value: str) -> str:
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError("text is not NFC-normalised Unicode")
    if not value.strip():
        raise ValueError("text is empty")
    control = next((c for c in value if unicodedata.category(c) == "Cc" and c not in "\n\t"), None)
    if control is not None:
        raise ValueError(f"text holds the control character U+{ord(control):04X}")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Qid = Annotated[str, AfterValidator(_qid)]
Text = Annotated[str, AfterValidator(_text)]
PartialDate = Annotated[str, AfterValidator(dates.check)]


def _url(value: str) -> str:
    if not re.match(r"^https?://\S+$", value):
        raise ValueError(f"{shown(value)} is not an http(s) address")
    try:
        NamedNode(value)
    except ValueError as e:  # a character no IRI may hold, such as U+FFFD or a space
        raise ValueError(f"{shown(value)} is not a valid IRI: {e}") from None
    return value


Url = Annotated[str, AfterValidator(_url)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    sources: list[Slug] = Field(min_length=1)
    note: Text | None = None

    @field_validator("sources")
    @classmethod
    def _unique_sources(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a source is cited twice")
        return value


class Named(Record):
    name_ko: Text
    name_en: Text
    aliases: list[Text] = []
    wikidata: Qid | None = None


# --- sources ---------------------------------------------------------------------------------


class Source(BaseModel):
    """A news article, web page, data set or text of law that records cite."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    kind: Literal["news-article", "web-page", "dataset", "legislation-text"]
    title: Text
    language: Literal["ko", "en", "ja", "zh", "mul"]  # the page's language; mul for several
    publisher: Text | None = None
    author: Text | None = None
    date: PartialDate | None = None
    url: Url | None = None
    partner_page_of: Slug | None = None  # the government whose own partner-city page this is
    note: Text | None = None


# --- local governments -----------------------------------------------------------------------

Level = Literal[
    "special-city",  # 특별시
    "metropolitan-city",  # 광역시
    "special-self-governing-city",  # 특별자치시
    "province",  # 도
    "special-self-governing-province",  # 특별자치도
    "city",  # 시
    "county",  # 군
    "autonomous-district",  # 자치구
    "administrative-city",  # 행정시 (Jeju; not autonomous)
]
UPPER_LEVELS = {
    "special-city",
    "metropolitan-city",
    "special-self-governing-city",
    "province",
    "special-self-governing-province",
}


class Municipality(Named):
    """A South Korean local government (one row of data/municipalities.csv)."""

    level: Level
    parent: Slug | None = None
    code: Annotated[str, Field(pattern=r"^[0-9]{5}$")]
    lat: Annotated[float, Field(ge=33.0, le=38.7)] | None = None
    lon: Annotated[float, Field(ge=124.5, le=132.0)] | None = None


class ForeignGovernment(Named):
    """A local government outside Korea that is party to an agreement."""

    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]  # ISO 3166-1 alpha-2
    region_ko: Text | None = None  # first-level region (province, state, prefecture)
    region_en: Text | None = None


class FormerGovernment(Named):
    """A Korean local government that no longer exists, kept for the ties it signed."""

    level: Literal["city", "county", "autonomous-district"]
    parent: Slug | None = None
    merged_into: Slug | None = None
    dissolved: PartialDate | None = None


class Place(Named):
    """A venue or building: where an agreement was signed, a meeting held, an office seated."""

    located_in: Slug


class Status(Record):
    """A special status a local government holds from a date, such as 특례시."""

    municipality: Slug
    status: Literal["special-case-city"]
    since: PartialDate
    legal_basis: Slug | None = None


class Change(Record):
    """A change in a local government's existence: created, renamed, moved, abolished."""

    municipality: Slug
    kind: Literal["created", "renamed", "moved", "abolished", "recoded"]
    date: PartialDate
    old_name_ko: Text | None = None
    new_name_ko: Text | None = None
    old_parent: Slug | None = None
    new_parent: Slug | None = None
    old_code: Annotated[str, Field(pattern=r"^[0-9]{5}$")] | None = None
    new_code: Annotated[str, Field(pattern=r"^[0-9]{5}$")] | None = None
    legal_basis: Slug | None = None


# --- agreements ------------------------------------------------------------------------------


class Field_(Named):
    """A field of cooperation named in agreements (행정, 경제, 관광, 문화 ...)."""


class Agreement(Record):
    """An agreement between two or more local governments, as one node."""

    kind: Literal["sister-city", "friendship-city", "letter-of-intent", "cooperation"]
    parties: list[Slug] = Field(min_length=2)
    status: Literal["signed", "planned", "ended"] = "signed"
    date: PartialDate | None = None
    ended_on: PartialDate | None = None
    place: Slug | None = None
    fields: list[Slug] = []
    signatories: list[Slug] = []
    precedes: Slug | None = None  # the later agreement this one led to, or is planned before
    name_ko: Text | None = None
    name_en: Text | None = None

    @field_validator("parties")
    @classmethod
    def _distinct_parties(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a party is listed twice")
        return value

    @field_validator("ended_on")
    @classmethod
    def _end_only_when_ended(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and info.data.get("status") != "ended":
            raise ValueError("ended_on needs status ended")
        # Compared at the coarser precision: ended in 2008 is not before signed in 2008-05.
        signed = info.data.get("date") or ""
        shared = min(len(value or ""), len(signed))
        if shared and value[:shared] < signed[:shared]:
            raise ValueError("ended_on is before the date it was signed")
        return value


# --- alliances, unions, councils, offices ----------------------------------------------------


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    member: Slug
    since: PartialDate | None = None
    until: PartialDate | None = None


class StaffFrom(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality: Slug
    count: Annotated[int, Field(ge=1)]


class Organization(Named):
    """An alliance, a special local government or union, or a council or office one runs."""

    kind: Literal["alliance", "special-local-government", "council", "office"]
    members: list[Member] = []
    unit_of: Slug | None = None  # the alliance a council or office belongs to
    founded: PartialDate | None = None
    founded_by: Slug | None = None  # the agreement that founded it
    dissolved: PartialDate | None = None
    seat: Slug | None = None  # a place or a municipality
    staff: Annotated[int, Field(ge=1)] | None = None
    staff_from: list[StaffFrom] = []
    head_rank: Text | None = None
    purpose: Text | None = None


# --- meetings and declarations ---------------------------------------------------------------


class Meeting(Named):
    organizer: Slug
    date: PartialDate
    venue: Slug | None = None
    attendance: Annotated[int, Field(ge=1)] | None = None
    attendance_approximate: bool = False
    attendees: list[Slug] = []
    outcomes: list[Text] = []


class Commitment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text_ko: Text
    text_en: Text
    concerns: list[Slug] = []  # organizations, legislation or industries it is about


class Declaration(Named):
    meeting: Slug | None = None
    date: PartialDate
    parties: list[Slug] = Field(min_length=1)
    commitments: list[Commitment] = Field(min_length=1)


# --- industries, designations, companies -----------------------------------------------------


class Industry(Named):
    broader: Slug | None = None


class CityIndustry(Record):
    """The industries a source says a city is known for or builds on."""

    municipality: Slug
    industries: list[Slug] = Field(min_length=1)


class Designation(Named):
    """A national designation of sites for an industry, such as 국가첨단전략산업 특화단지."""

    program: Literal["advanced-strategic-industry-complex", "materials-parts-equipment-complex"]
    industry: Slug
    sites: list[Slug] = Field(min_length=1)
    date: PartialDate
    focus: Text | None = None


class Facility(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality: Slug
    kind: Literal["headquarters", "plant", "research"]


class Company(Named):
    facilities: list[Facility] = Field(min_length=1)
    industries: list[Slug] = []


# --- legislation -----------------------------------------------------------------------------


class LegislativeStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    step: Literal[
        "proposed",
        "submitted",
        "committee-passed",
        "judiciary-held",
        "passed",
        "promulgated",
        "in-force",
    ]
    date: PartialDate


class Legislation(Named):
    kind: Literal["bill", "act"]
    status: Literal["sought", "submitted", "in-committee", "held", "passed", "in-force"]
    steps: list[LegislativeStep] = []
    promoted_by: list[Slug] = []  # organizations or municipalities pushing for it
    proposed_by: list[Slug] = []  # people
    concerns: list[Slug] = []


# --- people and posts ------------------------------------------------------------------------


class Holding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal[
        "mayor",
        "governor",
        "county-head",
        "district-head",
        "union-head",
        "council-chair",
        "minister",
        "committee-chair",
    ]
    of: Slug  # the municipality or organization the post is in
    as_of: PartialDate


class Person(Named):
    holds: list[Holding] = []


# File name → record type, and the IRI type each is minted under.
RECORD_TYPES: dict[str, tuple[type[BaseModel], str]] = {
    "sources": (Source, "source"),
    "municipalities": (Municipality, "municipality"),
    "foreign-governments": (ForeignGovernment, "municipality"),
    "former-governments": (FormerGovernment, "municipality"),
    "places": (Place, "place"),
    "statuses": (Status, "status"),
    "changes": (Change, "change"),
    "fields": (Field_, "field"),
    "agreements": (Agreement, "agreement"),
    "organizations": (Organization, "organization"),
    "meetings": (Meeting, "meeting"),
    "declarations": (Declaration, "declaration"),
    "industries": (Industry, "industry"),
    "city-industries": (CityIndustry, "city-industry"),
    "designations": (Designation, "designation"),
    "companies": (Company, "company"),
    "legislation": (Legislation, "legislation"),
    "people": (Person, "person"),
}
