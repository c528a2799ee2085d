"""events/ holds one sample event per function of template.yaml, named after its binary, in
the shape of the function's trigger: an HTTP API (payload 2.0) request for one of its routes
whose body the contract accepts, an SQS batch from its queue, or its schedule's EventBridge
event. The handler tests replay these samples; here they are held to the template."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import template

ROOT = Path(__file__).resolve().parents[2]


TEMPLATE = template()
SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text())
FUNCTIONS = {
    r["Metadata"]["BuildProperties"]["Binary"]: r["Properties"].get("Events", {})
    for r in TEMPLATE["Resources"].values()
    if r["Type"] == "AWS::Serverless::Function"
}


def sample(name):
    return json.loads((ROOT / "events" / f"{name}.json").read_text())


def test_every_function_has_a_sample_and_every_sample_a_function():
    samples = {p.stem for p in (ROOT / "events").glob("*.json")}
    assert FUNCTIONS and samples == set(FUNCTIONS), (set(FUNCTIONS) - samples, samples - set(FUNCTIONS))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_the_sample_is_one_of_the_functions_triggers(name):
    event, triggers = sample(name), FUNCTIONS[name].values()
    kinds = {t["Type"] for t in triggers}
    assert len(kinds) == 1, f"{name}: one kind of trigger, one kind of sample"
    check = {"HttpApi": http_request, "SQS": sqs_batch, "Schedule": scheduled}[kinds.pop()]
    check(event, list(FUNCTIONS[name].items()))


def http_request(event, triggers):
    routes = {f"{t['Properties']['Method']} {t['Properties']['Path']}" for _, t in triggers}
    route = event["routeKey"]
    assert route in routes, (route, routes)
    method, template_path = route.split(" ", 1)
    context = event["requestContext"]
    assert (event["version"], context["routeKey"], context["http"]["method"]) == ("2.0", route, method)
    assert event["rawPath"] == context["http"]["path"]
    params = event.get("pathParameters", {})
    assert set(params) == set(re.findall(r"\{(\w+)\}", template_path))
    assert event["rawPath"] == template_path.format(**params)
    headers = event["headers"]
    assert all(k == k.lower() for k in headers), "API Gateway sends header names in lower case"
    operation = SPEC["paths"][template_path][method.lower()]
    assert ("authorization" in headers) == bool(operation.get("security")), "a bearer token where the route asks for one"
    body = operation.get("requestBody")
    assert ("body" in event) == bool(body and body.get("required")), "a body where the route takes one"
    if "body" in event and headers["content-type"] != "application/json":
        # A file upload (the inverter import): a content type the route names, sent as text.
        assert headers["content-type"] in body["content"] and event["isBase64Encoded"] is False
    elif "body" in event:
        assert headers["content-type"] == "application/json" and event["isBase64Encoded"] is False
        schema = body["content"]["application/json"]["schema"]
        jsonschema.validate(json.loads(event["body"]), {**schema, "components": SPEC["components"]},
                            format_checker=jsonschema.FormatChecker())


def sqs_batch(event, triggers):
    [(_, trigger)] = triggers
    queue = trigger["Properties"]["Queue"].removeprefix("!GetAtt ").removesuffix(".Arn")
    assert event["Records"]
    for record in event["Records"]:
        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == f"arn:aws:sqs:eu-central-1:123456789012:{queue}"
        json.loads(record["body"])


def scheduled(event, triggers):
    [(rule, _)] = triggers
    assert (event["source"], event["detail-type"]) == ("aws.events", "Scheduled Event")
    assert [r.rsplit("-", 1)[-1] for r in event["resources"]] == [rule]
