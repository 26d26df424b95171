"""The Reconciliation Service API 0.2 at /reconcile, on a store built from data/.

The app runs in process (FastAPI's TestClient) with a stand-in query pool: reconciliation reads
the store through the REST API's backend, never through the SPARQL workers.
"""

import json
import shutil
import subprocess

import pytest
from alliance_kg.api.app import create_app
from fastapi.testclient import TestClient

from alliance_kg import paths
from alliance_kg.settings import Settings

KOREAN = "https://w3id.org/alliance-kg/ontology#KoreanLocalGovernment"
CHECKER = paths.ROOT.parent / "shared" / "tools" / "reconciliation-check"


class NoPool:
    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def client(store_location):
    app = create_app(Settings(store=store_location, yasgui_dir=None), pool=NoPool())
    with TestClient(app) as client:
        yield client


def reconcile(client, queries: dict, how: str = "POST") -> dict:
    if how == "GET":
        r = client.get("/reconcile", params={"queries": json.dumps(queries)})
    else:
        r = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def one(client, query: str, **more) -> list[dict]:
    return reconcile(client, {"q0": {"query": query, **more}})["q0"]["result"]


# --- manifest ----------------------------------------------------------------------------------


def test_manifest_declares_0_2_and_its_services(client):
    r = client.get("/reconcile")
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    m = r.json()
    assert m["versions"] == ["0.2"]
    assert m["identifierSpace"] == "https://w3id.org/alliance-kg/id/municipality/"
    assert m["schemaSpace"] == "https://w3id.org/alliance-kg/ontology#"
    assert "{{id}}" in m["view"]["url"] and "{{id}}" in m["preview"]["url"]
    assert set(m["suggest"]) == {"entity", "type", "property"}
    assert m["extend"]["propose_properties"]["service_path"] == "/properties"
    assert m["defaultTypes"][0]["id"] == KOREAN


def test_cors_for_browsers(client):
    r = client.get("/reconcile", headers={"Origin": "http://127.0.0.1:3333"})
    assert r.headers["access-control-allow-origin"] in ("*", "http://127.0.0.1:3333")
    r = client.options(
        "/reconcile",
        headers={"Origin": "http://x.example", "Access-Control-Request-Method": "POST"},
    )
    assert r.status_code == 200


# --- the acceptance names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("포항시", "pohang"),
        ("Pohang-si", "pohang"),
        ("Pohang", "pohang"),
        ("포항", "pohang"),
        ("용인특례시", "yongin"),
        ("Yongin-si", "yongin"),
        ("Gyeongju", "gyeongju"),
        ("Gyeongju-si", "gyeongju"),
        ("경주시", "gyeongju"),
        ("Q42157", "pohang"),
        ("47110", "pohang"),
    ],
)
def test_names_reconcile_with_a_match(client, query, slug):
    results = one(client, query)
    assert results[0]["id"] == slug
    assert results[0]["match"] is True
    assert results[0]["score"] >= 95
    assert all(not r["match"] for r in results[1:])


def test_both_gets_and_posts_answer_the_same(client):
    batch = {"a": {"query": "포항시"}, "b": {"query": "용인특례시", "limit": 1}}
    assert reconcile(client, batch, "GET") == reconcile(client, batch, "POST")


def test_goseong_alone_gives_both_without_a_match(client):
    results = one(client, "고성군")
    assert {r["id"] for r in results} == {"goseong-gangwon", "goseong-gyeongnam"}
    assert not any(r["match"] for r in results)
    assert results[0]["score"] == results[1]["score"]
    # The descriptions tell them apart.
    assert {r["description"].split()[0] for r in results} == {"강원특별자치도", "경상남도"}


@pytest.mark.parametrize(
    ("province", "slug"),
    [
        ("경상남도", "goseong-gyeongnam"),
        ("경남", "goseong-gyeongnam"),
        ("Gyeongsangnam-do", "goseong-gyeongnam"),
        ("South Gyeongsang Province", "goseong-gyeongnam"),
        ({"id": "gyeongnam", "name": "경상남도"}, "goseong-gyeongnam"),
        ("강원", "goseong-gangwon"),
        ("강원도", "goseong-gangwon"),
        ("Gangwon", "goseong-gangwon"),
    ],
)
def test_a_province_settles_goseong(client, province, slug):
    results = one(client, "고성군", properties=[{"pid": "province", "v": province}])
    assert results[0]["id"] == slug and results[0]["match"] is True
    assert not results[1]["match"]


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("경상남도 고성군", "goseong-gyeongnam"),
        ("경남 고성군", "goseong-gyeongnam"),
        ("Goseong-gun, Gangwon", "goseong-gangwon"),
        ("서울 강서구", "seoul-gangseo"),
        ("부산광역시 강서구", "busan-gangseo"),
        ("경북 포항시", "pohang"),
    ],
)
def test_a_name_qualified_by_its_province(client, query, slug):
    results = one(client, query)
    assert (results[0]["id"], results[0]["match"]) == (slug, True)
    assert not any(r["match"] for r in results[1:])


def test_a_name_qualified_by_the_wrong_province_does_not_match(client):
    assert not one(client, "경남 포항시")[0]["match"]


def test_code_and_qid_conditions_settle_goseong(client):
    by_code = one(client, "Goseong", properties=[{"pid": "code", "v": "51820"}])
    assert (by_code[0]["id"], by_code[0]["match"]) == ("goseong-gangwon", True)
    by_qid = one(client, "고성", properties=[{"pid": "wikidata", "v": "Q50208"}])
    assert (by_qid[0]["id"], by_qid[0]["match"]) == ("goseong-gyeongnam", True)
    only = reconcile(client, {"q": {"properties": [{"pid": "code", "v": "48820"}]}})["q"]
    assert [(r["id"], r["match"]) for r in only["result"]] == [("goseong-gyeongnam", True)]


def test_level_condition_and_type_filter(client):
    districts = one(client, "중구", limit=10)
    assert len(districts) >= 5 and not any(r["match"] for r in districts)
    seoul = one(client, "중구", properties=[{"pid": "province", "v": "서울"}])
    assert (seoul[0]["id"], seoul[0]["match"]) == ("seoul-jung", True)
    counties = one(client, "고성", type="https://w3id.org/alliance-kg/id/level/county")
    assert counties and all(
        any(t["id"].endswith("/level/county") for t in r["type"]) for r in counties
    )
    cities = one(client, "포항", properties=[{"pid": "level", "v": "군"}])
    assert cities[0]["id"] == "pohang" and cities[0]["match"] is False  # contradicted


def test_wrong_province_never_matches(client):
    results = one(client, "포항시", properties=[{"pid": "province", "v": "경남"}])
    assert results[0]["id"] == "pohang" and not results[0]["match"]


def test_limit_and_types_in_results(client):
    results = one(client, "구", limit=3)
    assert len(results) <= 3
    pohang = one(client, "포항시")[0]
    assert {"id": KOREAN, "name": pohang["type"][0]["name"]} == pohang["type"][0]
    assert pohang["name"] == "포항시"
    assert one(client, "Pohang")[0]["name"] == "Pohang"  # named in the query's script


# --- suggest, preview, extension ---------------------------------------------------------------


def test_suggest_services(client):
    entity = client.get("/reconcile/suggest/entity", params={"prefix": "포항"}).json()
    assert entity["result"][0]["id"] == "pohang" and entity["result"][0]["notable"]
    types = client.get("/reconcile/suggest/type", params={"prefix": "county"}).json()
    assert [t["id"] for t in types["result"]] == ["https://w3id.org/alliance-kg/id/level/county"]
    props = client.get("/reconcile/suggest/property", params={"prefix": "prov"}).json()
    assert [p["id"] for p in props["result"]] == ["province"]
    assert client.get("/reconcile/suggest/entity", params={"prefix": ""}).json() == {"result": []}


def test_preview_is_html_with_the_essentials(client):
    r = client.get("/reconcile/preview", params={"id": "pohang"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for text in ("포항시", "Pohang", "47110", "Q42157", "경상북도"):
        assert text in r.text
    assert client.get("/reconcile/preview", params={"id": "nowhere"}).status_code == 404


def test_property_proposals(client):
    r = client.get("/reconcile/properties", params={"type": KOREAN}).json()
    ids = [p["id"] for p in r["properties"]]
    for pid in ("wikidata", "code", "level", "province", "coordinates", "partners"):
        assert pid in ids
    assert r["type"] == KOREAN


def test_data_extension(client):
    props = ["wikidata", "code", "level", "province", "coordinates", "partners"]
    query = {"ids": ["pohang", "yongin", "nowhere"], "properties": [{"id": p} for p in props]}
    r = client.post("/reconcile", data={"extend": json.dumps(query)})
    assert r.status_code == 200
    body = r.json()
    assert [m["id"] for m in body["meta"]] == props
    pohang = body["rows"]["pohang"]
    assert pohang["wikidata"] == [{"str": "Q42157"}]
    assert pohang["code"] == [{"str": "47110"}]
    assert pohang["level"] == [{"str": "city"}]
    assert pohang["province"] == [{"id": "gyeongbuk", "name": "경상북도"}]
    lat, long = (float(x) for x in pohang["coordinates"][0]["str"].split(","))
    assert 35 < lat < 37 and 129 < long < 130
    assert "gyeongju" in {p["id"] for p in pohang["partners"]}
    assert "gwangyang" in {p["id"] for p in body["rows"]["yongin"]["partners"]}
    assert body["rows"]["nowhere"] == {p: [] for p in props}
    # By GET, and by IRI or QID.
    r = client.get(
        "/reconcile",
        params={"extend": json.dumps({"ids": ["Q18459"], "properties": [{"id": "code"}]})},
    )
    assert r.json()["rows"]["Q18459"]["code"] == [{"str": "41460"}]


# --- bad requests: 4xx problem+json, never 500 -------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"queries": "not json"},
        {"queries": "[1, 2]"},
        {"queries": '{"q0": "포항"}'},
        {"queries": '{"q0": {"query": 5}}'},
        {"queries": '{"q0": {"query": "x", "limit": "many"}}'},
        {"queries": '{"q0": {"query": "x", "limit": -1}}'},
        {"queries": '{"q0": {"query": "x", "properties": {"pid": "code"}}}'},
        {"queries": '{"q0": {"query": "x", "properties": [{"pid": "code"}]}}'},
        {"queries": '{"q0": {"query": "x", "properties": [{"pid": "code", "v": [[1]]}]}}'},
        {"queries": '{"q0": {"query": "x", "type": 3}}'},
        {"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(501)})},
        {"extend": "nope"},
        {"extend": '{"ids": "pohang", "properties": []}'},
        {"extend": '{"ids": ["pohang"], "properties": [{"id": "shoe-size"}]}'},
        {"extend": '{"ids": ["pohang"], "properties": "code"}'},
        {"queries": '{"q0": {"query": "x"}}', "extend": '{"ids": [], "properties": []}'},
        {"queries": "{}", "callback": "alert(1)//"},
    ],
)
def test_bad_requests_are_problems(client, params):
    for r in (client.get("/reconcile", params=params), client.post("/reconcile", data=params)):
        if "callback" in params and r.request.method == "POST":
            assert r.status_code == 200  # JSONP is for GET only
            continue
        assert 400 <= r.status_code < 500, (params, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == r.status_code


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"queries": '{"q0": 5}'}, "q0 must be a JSON object."),
        ({"queries": '{"q0": {"query": 5}}'}, "q0: query must be a string."),
        ({"queries": '{"q0": {"limit": true}}'}, "q0: limit must be a non-negative number."),
        ({"queries": '{"q0": {"type": [3]}}'}, "q0: type must be a type id or a list of them."),
        (
            {"queries": '{"q0": {"properties": [{"pid": "code"}]}}'},
            "q0: properties[0].v is missing.",
        ),
        (
            {"queries": '{"q0": {"properties": [{"pid": "code", "v": [[1]]}]}}'},
            "q0: properties[0].v must be a string, number, boolean or {id}, or a list of them.",
        ),
        ({"extend": '{"ids": "pohang"}'}, "extend: ids must be a list of string ids."),
        (
            {"extend": '{"ids": [], "properties": ["code"]}'},
            "extend: properties[0] must be a JSON object.",
        ),
    ],
)
def test_a_bad_request_names_the_query_and_the_field(client, params, detail):
    r = client.post("/reconcile", data=params)
    assert r.status_code == 400
    assert r.json()["detail"] == detail


def test_other_bad_inputs(client):
    r = client.post("/reconcile", content=b"x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert client.get("/reconcile/suggest/entity", params={"limit": "x"}).status_code == 400
    assert client.get("/reconcile/preview").status_code == 400
    long = "가" * 5000
    assert one(client, long) == []
    r = client.get("/reconcile", params={"queries": "{}", "callback": "cb"})
    assert r.text == "/**/cb({});"


def test_scratch_server_says_why_it_cannot_reconcile(tmp_path):
    app = create_app(Settings(scratch_dir=tmp_path, yasgui_dir=None), pool=NoPool())
    with TestClient(app) as client:
        assert client.get("/reconcile").status_code == 200  # the manifest needs no store
        r = client.post("/reconcile", data={"queries": '{"q0": {"query": "포항"}}'})
        assert r.status_code == 503
        assert r.headers["content-type"] == "application/problem+json"


# --- the shared checker, against a live server -------------------------------------------------


@pytest.mark.skipif(not CHECKER.exists(), reason="the shared reconciliation checker is absent")
@pytest.mark.slow  # a live server and the reconciliation checker
def test_reconciliation_check_passes():
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    script = paths.ROOT / ".ci" / "reconciliation"
    done = subprocess.run(
        ["bash", str(script), "포항시", "Pohang-si", "용인특례시", "Gyeongju", "고성군"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert last.endswith(" 0 failed"), last


def test_an_empty_cell_gets_an_empty_result_and_the_batch_runs(client):
    answer = reconcile(client, {"q0": {"query": "포항시"}, "q1": {"query": "  "}, "q2": {}})
    assert answer["q0"]["result"][0]["id"] == "pohang"
    assert answer["q1"] == {"result": []}
    assert answer["q2"] == {"result": []}


def test_errors_carry_cors_headers(client):
    r = client.post(
        "/reconcile", data={"queries": "not json"}, headers={"Origin": "https://example.org"}
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["access-control-allow-origin"] == "*"


def test_an_unexpected_error_is_a_problem_with_cors_headers(store_location):
    app = create_app(Settings(store=store_location, yasgui_dir=None), pool=NoPool())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app) as c:
        r = c.get("/boom", headers={"Origin": "https://example.org"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "An unexpected RuntimeError occurred; it has been logged."
    assert r.headers["access-control-allow-origin"] == "*"
