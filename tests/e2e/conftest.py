"""End-to-end scenarios over HTTP against the local stack that infra/test.sh starts.
SHOP_URL and AWS_ENDPOINT_URL come from infra/test.sh. Fixtures live here; everything else the
tests share is in helpers.py."""

import os
import uuid

import pytest
from helpers import Shop, stand_in


@pytest.fixture(scope="session")
def shop():
    url = os.environ.get("SHOP_URL")
    if not url:
        pytest.fail("SHOP_URL is not set: run the end-to-end tests through infra/test.sh")
    return Shop(url)


@pytest.fixture
def clock(shop):
    """The shop for a test that moves the clock; the clock is put back afterwards."""
    yield shop
    shop.post("/_local/clock", {"reset": True})


@pytest.fixture(scope="session")
def sqs():
    return stand_in("sqs")


@pytest.fixture(scope="session")
def dynamodb():
    """The stand-in's DynamoDB, for a test that sets what another engineer's job would."""
    return stand_in("dynamodb")


@pytest.fixture
def unique_email():
    return f"e2e-{uuid.uuid4().hex[:12]}@example.de"
