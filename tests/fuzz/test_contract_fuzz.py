"""The contract fuzzed: schemathesis generates requests from openapi.yaml (valid ones and ones
that break the schema) for every route and sends them to the local stack that infra/test.sh
started (SHOP_URL), signed in as a fresh customer who owns a paid subscription, an order, a
seat and a plant, so the generated requests reach the handlers with real ids and not only the guard.

Every answer must be documented: no 5xx, no status the route does not list, no body that
breaks the route's schema, the documented content type, and a refusal for data that breaks
the schema. Bounded: FUZZ_EXAMPLES examples per route and mode (default 25), derandomized so
every run sends the same requests (set FUZZ_SEED to explore others)."""

import os
import sys
import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from helpers import Shop, active_account, bearer, checkout, five_team, new_plant, order_when  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("FUZZ_SEED")

schema = schemathesis.openapi.from_path(str(ROOT / "openapi.yaml"))
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]

PASSWORD = "Sonne#2026x"


def shop_url():
    url = os.environ.get("SHOP_URL", "")
    if not url.startswith("http://127.0.0.1:"):
        pytest.fail("SHOP_URL must be the local stack on 127.0.0.1: run through infra/test.sh")
    return url.rstrip("/")


@pytest.fixture(scope="module")
def customer():
    """A signed-in customer with a paid five-seat subscription (card pm_card_visa), its order and
    one assigned seat: the ids the fuzzer puts into paths."""
    shop = Shop(shop_url())
    email = f"fuzz-{uuid.uuid4().hex[:12]}@example.de"
    token = active_account(shop, email)
    placed = checkout(shop, token, five_team())
    assert placed.status == 201, placed.body
    order = placed.json()["id"]
    assert order_when(shop, token, order, "confirmed")
    subs = shop.get("/v1/subscriptions", headers=bearer(token)).json()["subscriptions"]
    sub = subs[0]["id"]
    seat = shop.post(f"/v1/subscriptions/{sub}/seats", {"email": f"fuzz-colleague-{uuid.uuid4().hex[:8]}@example.de"}, headers=bearer(token))
    assert seat.status == 201, seat.body
    plant = new_plant(shop, token)["id"]
    return {
        "token": token,
        "ids": {"orders": order, "subscriptions": sub, "seat_id": seat.json()["id"], "plants": plant},
    }


def real_ids(case, ids):
    """Valid path parameters become the customer's real ids, so the handler behind the guard
    runs; invalid ones (negative mode) stay as generated."""
    if not case.path_parameters:
        return
    component = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if component is not None and component.mode != GenerationMode.POSITIVE:
        return
    for name in case.path_parameters:
        if name == "seat_id":
            case.path_parameters[name] = ids["seat_id"]
        elif name == "id":
            case.path_parameters[name] = ids[case.path.split("/")[2]]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=SEED is None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_documented(case, customer):
    real_ids(case, customer["ids"])
    if case.operation.definition.raw.get("security"):
        # The generated token is replaced by a real one; requests without a token are the
        # `ignored_auth`-style cases the e2e tests cover.
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {customer['token']}"}
    case.call_and_validate(base_url=shop_url(), checks=CHECKS, timeout=30)
