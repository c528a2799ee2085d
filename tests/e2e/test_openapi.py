"""openapi.yaml is a valid OpenAPI document and the real answers match its schemas."""

from pathlib import Path

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate
from helpers import (
    active_account, assign, bearer, checkout, colleague, downgrade, five_team, licensed, order_when,
    preview, upgrade,
)

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())


def schema(name):
    # Resolve component references against the whole document.
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}


def test_the_document_is_valid_openapi():
    validate(SPEC)


def test_every_route_of_the_template_is_documented():
    template = (Path(__file__).resolve().parents[2] / "template.yaml").read_text()
    import re

    routes = set(re.findall(r"Method: (\w+)\n\s+Path: (\S+)", template))
    documented = {(m.upper(), p) for p, ops in SPEC["paths"].items() for m in ops}
    assert routes and routes <= documented, routes - documented


def test_account_answers_match_the_schemas(shop, unique_email):

    token = active_account(shop, unique_email)
    jsonschema.validate(shop.get("/v1/me", headers=bearer(token)).json(), schema("Profile"))
    jsonschema.validate(shop.post("/v1/sessions", {"email": unique_email, "password": "Sonne#2026x"}).json(), schema("Session"))
    jsonschema.validate(shop.get("/v1/me/apps").json(), schema("Problem"))


@pytest.mark.parametrize("query", ["region=DE", "region=fr", ""])
def test_catalog_answers_match_the_schema(shop, query):
    r = shop.get(f"/v1/products?{query}")
    assert r.status == 200
    jsonschema.validate(r.json(), schema("Catalog"))


@pytest.mark.parametrize("path", ["/v1/products?region=JP", "/v1/products?region=x1", "/v1/products?foo=1"])
def test_problem_answers_match_the_schema(shop, path):
    r = shop.get(path)
    assert str(r.status) in SPEC["paths"]["/v1/products"]["get"]["responses"] and r.status >= 400
    jsonschema.validate(r.json(), schema("Problem"))


def test_order_answers_match_the_schemas(shop, unique_email):

    token = active_account(shop, unique_email)
    placed = checkout(shop, token, five_team())
    assert placed.status == 201
    jsonschema.validate(placed.json(), schema("Order"))
    confirmed = order_when(shop, token, placed.json()["id"], "confirmed")
    jsonschema.validate(confirmed, schema("Order"))
    listed = shop.get("/v1/orders", headers=bearer(token)).json()
    for order in listed["orders"]:
        jsonschema.validate(order, schema("Order"))
    declined = checkout(shop, token, five_team("someone-else@example.de"), pm="pm_card_chargeDeclined")
    assert declined.status == 402
    assert str(declined.status) in SPEC["paths"]["/v1/checkout"]["post"]["responses"]
    jsonschema.validate(declined.json(), schema("Problem"))


def test_license_answers_match_the_schemas(shop, unique_email):

    token, sub = licensed(shop, unique_email)
    seat = assign(shop, token, sub, colleague())
    assert seat.status == 201
    jsonschema.validate(seat.json(), schema("Seat"))
    for s in shop.get("/v1/subscriptions", headers=bearer(token)).json()["subscriptions"]:
        jsonschema.validate(s, schema("Subscription"))
    jsonschema.validate(shop.get(f"/v1/subscriptions/{sub}", headers=bearer(token)).json(), schema("Subscription"))
    seats = shop.get(f"/v1/subscriptions/{sub}/seats", headers=bearer(token)).json()["seats"]
    for s in seats:
        jsonschema.validate(s, schema("Seat"))
    off = shop.post(f"/v1/subscriptions/{sub}/seats/{seat.json()['id']}/deactivate", headers=bearer(token))
    jsonschema.validate(off.json(), schema("Seat"))


def test_change_answers_match_the_schemas(shop, unique_email):

    token, sub = licensed(shop, unique_email, quantity=20)
    jsonschema.validate(preview(shop, token, sub, 30).json(), schema("UpgradeQuote"))
    jsonschema.validate(downgrade(shop, token, sub, 10).json(), schema("Subscription"))
    jsonschema.validate(upgrade(shop, token, sub, 30).json(), schema("Order"))
