"""The local stack's own routes: clock, schedules, outbox."""

import datetime as dt
import http.client
import json
import os
from urllib.parse import urlsplit

import pytest
from helpers import assert_problem


def when(body):
    return dt.datetime.fromisoformat(body["now"].replace("Z", "+00:00"))


@pytest.fixture
def clock(shop):
    yield shop
    shop.post("/_local/clock", {"reset": True})


def test_clock_can_be_set_advanced_and_reset(clock):
    r = clock.post("/_local/clock", {"set": "2027-02-28T23:30:00Z"})
    assert r.status == 200
    assert abs(when(r.json()) - dt.datetime(2027, 2, 28, 23, 30, tzinfo=dt.timezone.utc)) < dt.timedelta(seconds=5)
    r = clock.post("/_local/clock", {"advance": "P1DT2H"})
    assert abs(when(r.json()) - dt.datetime(2027, 3, 2, 1, 30, tzinfo=dt.timezone.utc)) < dt.timedelta(seconds=5)
    assert abs(when(clock.get("/_local/clock").json()) - when(r.json())) < dt.timedelta(seconds=5)
    r = clock.post("/_local/clock", {"reset": True})
    assert r.json()["offset_ms"] == 0


@pytest.mark.parametrize("body", [{}, {"set": "yesterday"}, {"set": "2027-01-01T00:00:00"}, {"advance": "14 days"}, {"set": "2027-01-01T00:00:00Z", "advance": "P1D"}])
def test_bad_clock_requests_are_refused_and_change_nothing(clock, body):
    before = clock.get("/_local/clock").json()["offset_ms"]
    assert_problem(clock.post("/_local/clock", body), 400, "invalid_clock_request")
    assert clock.get("/_local/clock").json()["offset_ms"] == before


def test_unknown_schedule_is_a_not_found_problem(shop):
    assert_problem(shop.post("/_local/schedules/no-such-schedule/run"), 404, "unknown_schedule")


def test_outbox_filters_by_recipient(shop, unique_email):
    r = shop.get(f"/_local/outbox?to={unique_email}")
    assert r.status == 200 and r.json() == {"messages": []}


def test_the_stand_in_keeps_its_connection_open_also_after_a_body_it_did_not_read():
    """docs/local-stack.md: connections stay open between requests, as AWS's do. The stats
    route reads no body, so the stand-in must drain it, not take it for the next request."""
    url = urlsplit(os.environ["AWS_ENDPOINT_URL"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("POST", "/_shop/stats", body=b"x" * 100_000)
        first = conn.getresponse()
        json.loads(first.read())
        assert first.status == 200
        assert (first.getheader("Connection") or "").lower() != "close"
        sock = conn.sock
        assert sock is not None
        for _ in range(3):
            conn.request("GET", "/_shop/stats")
            r = conn.getresponse()
            assert r.status == 200
            assert isinstance(json.loads(r.read()), dict)
            assert conn.sock is sock, "the stand-in closed the connection"
    finally:
        conn.close()
