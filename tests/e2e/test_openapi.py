"""openapi.yaml is a valid OpenAPI document and the real answers match its schemas."""

from pathlib import Path

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())


def schema(name):
    # Resolve component references against the whole document.
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}


def test_the_document_is_valid_openapi():
    validate(SPEC)


def test_every_implemented_route_is_documented():
    assert "/v1/products" in SPEC["paths"]


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
