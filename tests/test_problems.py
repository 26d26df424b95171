"""The problem types of the HTTP API: one slug, status and title each."""

import http

from alliance_kg.api.http import problems


def test_each_problem_type_is_defined_once_with_a_title() -> None:
    slugs = [t.slug for t in problems.TYPES]
    assert len(slugs) == len(set(slugs)), "a slug is defined twice"
    assert len(problems.TYPES) > 30
    for t in problems.TYPES:
        assert t.title.strip(), t.slug
        assert t.slug == t.slug.lower() and " " not in t.slug
        assert http.HTTPStatus(t.status).value >= 300, t.slug


def test_a_problem_of_a_type_carries_its_slug_status_and_title() -> None:
    p = problems.query_busy("All workers are busy.", headers={"Retry-After": "5"})
    assert p.body() == {
        "type": "https://w3id.org/alliance-kg/problems/query-busy",
        "title": "Server busy",
        "status": 503,
        "detail": "All workers are busy.",
    }
    assert p.headers == {"Retry-After": "5"}
