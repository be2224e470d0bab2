"""The OpenAPI description stays true: every JSON route is in it, with exactly the parameters its
view accepts, and real answers (successes and errors) validate against its schemas."""

from __future__ import annotations

import jsonschema
import pytest

from webapp.api.params import FILTER_FIELDS


def to_json_schema(node, components: dict):
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable`` becomes a null alternative, refs are inlined."""
    if isinstance(node, list):
        return [to_json_schema(n, components) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return to_json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    out = {k: to_json_schema(v, components) for k, v in node.items() if k != "nullable"}
    return {"anyOf": [out, {"type": "null"}]} if node.get("nullable") else out


@pytest.fixture(scope="module")
def doc(tiny_app):
    resp = tiny_app.test_client().get("/api/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def schema_of(doc: dict, method: str, path: str, status: int, mimetype: str = "application/json") -> dict:
    response = doc["paths"][path][method]["responses"][str(status)]
    return to_json_schema(response["content"][mimetype]["schema"], doc["components"]["schemas"])


def test_every_json_route_is_documented_with_the_parameters_its_view_accepts(tiny_app, doc):
    assert doc["openapi"].startswith("3.")
    routes = {}
    for rule in tiny_app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes[(rule.rule.replace("<", "{").replace(">", "}"), method.lower())] = tiny_app.view_functions[rule.endpoint]
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == set(routes)
    for (path, method), view in routes.items():
        query = [p["name"] for p in doc["paths"][path][method]["parameters"] if p["in"] == "query"]
        assert query == list(view.accepted_params), path
    search = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert set(FILTER_FIELDS) <= search and {"q", "mode", "page", "size", "format"} <= search


SAMPLES = [
    ("get", "/api/search", "/api/search?q=vault+crew&mode=hybrid&size=5&year_from=1950&min_rating=1"),
    ("get", "/api/search", "/api/search?q=orbit&mode=semantic&macro=0&size=3"),
    ("get", "/api/search", "/api/search?genre=Crime&sort=rating&page=2&size=5"),
    ("get", "/api/search", "/api/search?q=90s+vault+crew&size=5"),  # a years intent
    ("get", "/api/search", "/api/search?q=1990s&year_from=2000&size=5"),  # a decade the explicit year_from overrides
    ("get", "/api/movies/{raw_id}", "/api/movies/1"),
    ("get", "/api/movies/{raw_id}/similar", "/api/movies/1/similar?size=4&genre=War"),
    ("get", "/api/micro-genres", "/api/micro-genres"),
    ("get", "/api/micro-genres", "/api/micro-genres?q=shark+island&size=2"),
    ("get", "/api/micro-genres/{raw_id}", "/api/micro-genres/3"),
    ("get", "/api/suggest", "/api/suggest?q=vau"),
    ("get", "/api/landing", "/api/landing"),
    ("get", "/api/overview", "/api/overview?year_from=1960&macro=1"),
    ("get", "/api/trends", "/api/trends?micro=1,2&split=1990"),
    ("get", "/healthz", "/healthz"),
    ("get", "/api/openapi.json", "/api/openapi.json"),
]


@pytest.mark.parametrize("method, path, url", SAMPLES)
def test_real_answers_match_the_documented_schema(tiny_app, doc, method, path, url):
    resp = tiny_app.test_client().get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    jsonschema.validate(resp.get_json(), schema_of(doc, method, path, 200))


def test_recommend_and_csv_match_the_documented_schema(tiny_app, doc):
    client = tiny_app.test_client()
    resp = client.post("/api/recommend", json={"liked": [1, 2], "size": 3})
    jsonschema.validate(resp.get_json(), schema_of(doc, "post", "/api/recommend", 200))
    csv = client.get("/api/search?format=csv&size=3")
    assert csv.mimetype in doc["paths"]["/api/search"]["get"]["responses"]["200"]["content"]


@pytest.mark.parametrize("method, path, url", SAMPLES)
def test_unknown_parameters_are_400_naming_them(tiny_app, doc, method, path, url):
    joiner = "&" if "?" in url else "?"
    resp = tiny_app.test_client().get(f"{url}{joiner}colour=red&zz=1")
    assert resp.status_code == 400
    body = resp.get_json()
    jsonschema.validate(body, schema_of(doc, method, path, 400))
    assert body["field"] == "colour" and "colour, zz" in body["error"]


@pytest.mark.parametrize("url, status", [("/api/movies/99999", 404), ("/api/search?size=0", 400), ("/api/trends?micro=x", 400)])
def test_error_answers_match_the_error_schema(tiny_app, doc, url, status):
    resp = tiny_app.test_client().get(url)
    assert resp.status_code == status
    jsonschema.validate(resp.get_json(), to_json_schema(doc["components"]["schemas"]["Error"], {}))
