"""What the functions log (shared/adapters/src/boot/telemetry.rs): one JSON object a line, and
every line logged while handling a request inside the runtime's invocation span, so it carries
that invocation's `requestId`. Read from the local stack's log, where infra/test.sh writes each
instance's output behind its name."""

import json
import os
import re
from pathlib import Path

from helpers import active_account, checkout, eventually, five_team, token_for

LINE = re.compile(r"^\[(\w+)#\d+\] (\{.*\})$")


def function_lines(name):
    log = Path(os.environ["SHOP_TOOLS_ENV"]).parent / "stack.log"
    for line in log.read_text(errors="replace").splitlines():
        m = LINE.match(line)
        if m and m.group(1) == name:
            yield json.loads(m.group(2))


def test_a_line_logged_for_a_request_carries_its_invocation_request_id(shop, unique_email):
    active_account(shop, unique_email)
    r = checkout(shop, token_for(shop, unique_email), five_team())
    assert r.status == 201, r.body
    order_id = r.json()["id"]

    def placed():
        return [
            line
            for line in function_lines("CheckoutFunction")
            if line.get("fields", {}).get("message") == "order placed"
            and line["fields"].get("order") == order_id
        ]

    lines = eventually(placed, seconds=10)
    assert len(lines) == 1, lines
    span = lines[0]["span"]
    assert span["name"] == "Lambda runtime invoke"
    assert re.fullmatch(r"[0-9a-f-]{36}", span["requestId"])
