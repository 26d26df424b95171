"""The pages' access to the data: every call the views make into the REST layer
(:mod:`alliance_kg.api.routes.rest`) goes through the names here, so that pointing the pages at
another lookup service is a change to this module alone."""

from alliance_kg.api.routes.rest import (
    PROBLEMS,
    Rest,
    check_key,
    get_alliance,
    get_municipality,
    named_entries,
    partners_of,
    rest,
    v,
)

__all__ = [
    "PROBLEMS",
    "Rest",
    "check_key",
    "get_alliance",
    "get_municipality",
    "named_entries",
    "partners_of",
    "rest",
    "v",
]
