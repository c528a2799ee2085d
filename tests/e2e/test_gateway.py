"""What the local HTTP front does around the functions: unknown routes, methods, CORS."""

from conftest import assert_problem

WEB_APP = "http://localhost:5173"  # template.yaml's AllowedOrigin default


def test_unknown_route_is_a_not_found_problem(shop):
    assert_problem(shop.get("/v1/nothing-here"), 404, "route_not_found")
    assert_problem(shop.get("/"), 404, "route_not_found")


def test_unserved_method_on_a_known_path_is_refused(shop):
    assert_problem(shop.post("/v1/products", {}), 405, "method_not_allowed")


def test_cors_preflight_and_answers_for_the_web_app_origin(shop):
    r = shop.request("OPTIONS", "/v1/products", headers={"Origin": WEB_APP, "Access-Control-Request-Method": "GET"})
    assert r.status == 204
    assert "GET" in r.headers["access-control-allow-methods"]
    assert "idempotency-key" in r.headers["access-control-allow-headers"]
    r = shop.get("/v1/products", headers={"Origin": WEB_APP})
    assert r.headers.get("access-control-allow-origin") == WEB_APP


def test_no_cors_grant_for_other_origins(shop):
    r = shop.get("/v1/products", headers={"Origin": "https://evil.example"})
    assert r.status == 200
    assert "access-control-allow-origin" not in r.headers
