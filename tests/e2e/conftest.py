"""End-to-end scenarios over HTTP against the local stack that infra/test.sh starts.
SHOP_URL and AWS_ENDPOINT_URL come from infra/test.sh."""

import json
import os
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, {k.lower(): v for k, v in headers.items()}, body

    def json(self):
        return json.loads(self.body)


class Shop:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def request(self, method, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return Response(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def outbox(self, to):
        r = self.get(f"/_local/outbox?to={to}")
        assert r.status == 200
        return r.json()["messages"]


def eventually(check, seconds=30, every=0.25):
    """Polls `check` until it returns a truthy value; fails with the last value after `seconds`."""
    deadline = time.time() + seconds
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(every)


@pytest.fixture(scope="session")
def shop():
    url = os.environ.get("SHOP_URL")
    if not url:
        pytest.fail("SHOP_URL is not set: run the end-to-end tests through infra/test.sh")
    return Shop(url)


@pytest.fixture(scope="session")
def sqs():
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    assert endpoint.startswith("http://127.0.0.1:"), "tests only talk to the local stand-in"
    return boto3.client("sqs", endpoint_url=endpoint, region_name="eu-central-1", aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture
def unique_email():
    return f"e2e-{uuid.uuid4().hex[:12]}@example.de"


def shop_tools(*args):
    """Runs the operator tool against the local stack (environment from its tools.env)."""
    import subprocess

    env = dict(os.environ)
    with open(os.environ["SHOP_TOOLS_ENV"], encoding="utf-8") as f:
        env.update(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    return subprocess.run([os.environ["SHOP_TOOLS"], *args], env=env, check=True, capture_output=True, text=True)


def assert_problem(response, status, code):
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["detail"]
    return body
