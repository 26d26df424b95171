"""Schemathesis against the live server's ``/openapi.json``: no 5xx, every response that has a
schema matches it, and every error is problem+json.

Two servers: the shared read-only one on the real store (``store_server``, whose
``--query-timeout`` is 2 s) and a private scratch server, where the graph store's PUT, POST and
DELETE really write. The operations are whatever the app declares when the test runs.

Not checked here (they fail today, and say that the OpenAPI document is incomplete rather
than that an answer is wrong): status codes and media types the document does not list, such
as 400 and 404 problem+json where it lists only 422 application/json.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from conftest import start_server
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from .support import SIZE, problem_errors

pytestmark = pytest.mark.reliability

CONFIG = {
    "generation": {"max-examples": SIZE.schema_examples},
    "request-timeout": 30,
    "suppress-health-check": ["all"],
}


def _schema(url: str):
    return schemathesis.openapi.from_url(
        url + "/openapi.json",
        config=schemathesis.config.SchemathesisConfig.from_dict(CONFIG),
        timeout=30,
    )


@pytest.fixture(scope="module")
def read_only_schema(store_server):
    return _schema(store_server.url)


@pytest.fixture(scope="module")
def scratch_schema(tmp_path_factory):
    server = start_server(
        tmp_path_factory.mktemp("openapi-scratch"), "--scratch", "--query-timeout", "5"
    )
    try:
        yield _schema(server.url)
    finally:
        server.stop()


def errors_are_problems(ctx, response, case) -> None:
    """Every 4xx and 5xx is problem+json with our type, a title and the HTTP status."""
    wrong = problem_errors(response, case.method)
    if wrong:
        raise AssertionError("; ".join(wrong))


CHECKS = [not_a_server_error, response_schema_conformance, errors_are_problems]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def fuzz(schema) -> list[str]:
    """Every operation, with data that fits its schema and data that does not; a list of
    what failed (one entry per operation and mode: the first failure found, not shrunk)."""
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operation"
    for operation, mode in itertools.product(operations, MODES):
        try:
            strategy = operation.as_strategy(generation_mode=mode)
        except Exception as e:  # an operation schemathesis cannot generate for in this mode
            failures.append(f"{operation.label} ({mode}): no strategy: {e}")
            continue

        @given(case=strategy)
        @settings(
            max_examples=SIZE.schema_examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: requests are slow
            suppress_health_check=list(HealthCheck),
        )
        def one(case):
            response = case.call(timeout=30)
            case.validate_response(response, checks=CHECKS)

        try:
            one()
        except Unsatisfiable:
            pass  # no negative data exists for an operation without parameters
        except (Exception, BaseExceptionGroup) as e:  # schemathesis groups its failures
            failures.append(f"{operation.label} ({mode}):\n{e}"[:3000])
    return failures


def test_read_only_api(read_only_schema):
    failures = fuzz(read_only_schema)
    assert not failures, "\n\n".join(failures)


def test_scratch_api(scratch_schema):
    """The SPARQL and graph store operations, on a server where they write."""
    failures = fuzz(scratch_schema.include(path_regex=r"^/(sparql|store)"))
    assert not failures, "\n\n".join(failures)
