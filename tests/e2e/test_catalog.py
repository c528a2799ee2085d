"""GET /v1/products through the local stack, against the seeded demo catalog."""

import re

import pytest
from helpers import assert_problem

MONEY = re.compile(r"^\d+\.\d{2}$")


def test_de_catalog_lists_the_seeded_products_with_decimal_strings(shop):
    r = shop.get("/v1/products?region=DE")
    assert r.status == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["region"] == "DE" and body["currency"] == "EUR"
    products = {p["id"]: p for p in body["products"]}
    assert set(products) == {"alarm-solo", "alarm-team", "cad-edu", "plant-report", "solar-monitoring"}
    for p in products.values():
        for price in p["prices"]:
            assert isinstance(price["net"], str) and MONEY.match(price["net"]), price
        assert set(p["name"]) == {"de", "en", "fr"}
    assert products["alarm-team"]["min_quantity"] == 5
    assert products["alarm-team"]["prices"] == [{"term": "P12M", "net": "48.00"}]
    assert products["alarm-solo"]["min_quantity"] == 1
    assert products["cad-edu"]["eligibility"] == "edu"
    monitoring = products["solar-monitoring"]
    assert (monitoring["billing"], monitoring["unit"]) == ("fixed_term", "kw")
    assert [p["term"] for p in monitoring["prices"]] == ["P365D", "P730D"]


def test_prices_differ_per_region(shop):
    ch = {p["id"]: p for p in shop.get("/v1/products?region=ch").json()["products"]}
    assert ch["alarm-team"]["prices"][0]["net"] == "52.00"
    assert "cad-edu" not in ch, "the EDU product is not sold in CH"


def test_without_region_the_default_region_is_used(shop):
    assert shop.get("/v1/products").json()["region"] == "DE"


def test_unknown_region_is_a_not_found_problem(shop):
    assert_problem(shop.get("/v1/products?region=JP"), 404, "unknown_region")


@pytest.mark.parametrize(
    "query, code",
    [
        ("region=D1", "invalid_region"),
        ("region=", "invalid_region"),
        ("region=DEU", "invalid_region"),
        ("regoin=DE", "unknown_parameter"),
        ("region=DE&region=AT", "repeated_parameter"),
    ],
)
def test_malformed_queries_are_bad_requests(shop, query, code):
    assert_problem(shop.get(f"/v1/products?{query}"), 400, code)
