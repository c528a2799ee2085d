"""Migration waves for operators (docs/migration.md): the operator guard on every admin route,
the import with its reasons, its idempotence and its refusals, pause and resume, the date move
before and after the start, the report as JSON and CSV, and the audit trail."""

import csv
import io
import json
import os
import subprocess
import uuid
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import active_account, assert_problem, bearer, berlin_today, day_after, shop_tools, sign_in

ROOT = Path(__file__).resolve().parents[2]
WAVES = "/v1/admin/migration/waves"
SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text())


def conforms(answer, name):
    jsonschema.validate(answer, {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]})
    return answer


@pytest.fixture(scope="module")
def operator(shop):
    """An operator's email and token: a customer first, then the role, then a new sign-in."""
    email = f"ops-{uuid.uuid4().hex[:8]}@license-shop.example"
    active_account(shop, email)
    shop_tools("grant-role", email, "operator")
    return {"email": email, "token": sign_in(shop, email).json()["access_token"]}


@pytest.fixture
def wave(shop, operator):
    r = shop.post(WAVES, {"name": "Wave " + uuid.uuid4().hex[:6], "transfer_date": day_after(str(berlin_today(shop)), 30)},
                  headers=bearer(operator["token"]))
    assert r.status == 201, r.body
    assert r.headers["location"] == f"{WAVES}/{conforms(r.json(), 'Wave')['id']}"
    return r.json()["id"]


def account(old_id=None, **fields):
    old_id = old_id or "OLD-" + uuid.uuid4().hex[:10]
    record = {
        "old_id": old_id, "email": f"{old_id.lower()}@example.de", "name": "Anna Müller", "country": "DE",
        "language": "de", "payment": {"method": "card", "customer": "cus_x", "payment_method": "pm_card_visa"},
        "licenses": [{"number": "A-1", "product": "alarm-team", "quantity": 5, "term_start": "2026-06-01",
                      "term_end": "2027-05-31", "auto_renew": True, "status": "active", "kind": "subscription"}],
        "orders": [{"number": "B-1", "license": "A-1", "date": "2026-06-01",
                    "lines": [{"product": "alarm-team", "quantity": 5, "net": "240.00"}],
                    "net": "240.00", "tax": "45.60", "gross": "285.60"}],
    }
    record.update(fields)
    return record


def imp(shop, operator, wave, accounts):
    r = shop.post(f"{WAVES}/{wave}/accounts", {"accounts": accounts}, headers=bearer(operator["token"]))
    assert r.status == 200, r.body
    return conforms(r.json(), "ImportResult")


def report(shop, operator, wave):
    r = shop.get(f"{WAVES}/{wave}", headers=bearer(operator["token"]))
    assert r.status == 200, r.body
    return conforms(r.json(), "WaveReport")


def test_every_admin_route_wants_an_operator(shop, wave):
    customer = active_account(shop, f"cust-{uuid.uuid4().hex[:8]}@example.de")
    routes = [("GET", WAVES), ("POST", WAVES), ("GET", f"{WAVES}/{wave}"), ("PATCH", f"{WAVES}/{wave}"),
              ("POST", f"{WAVES}/{wave}/pause"), ("POST", f"{WAVES}/{wave}/resume"),
              ("POST", f"{WAVES}/{wave}/accounts")]
    for method, path in routes:
        assert_problem(shop.request(method, path, {}, headers=bearer(customer)), 403, "operator_required")
        assert shop.request(method, path, {}).status == 401, (method, path)
        assert shop.request(method, path, {}, headers=bearer("not-a-token")).status == 401, (method, path)


def test_bad_accounts_are_listed_with_reasons_and_the_good_ones_imported(shop, operator, wave):
    good = account()
    bad = account(email="nope", language="es", licenses=[{"number": "X"}])
    body = imp(shop, operator, wave, [good, bad])
    assert body["counts"] == {"imported": 1, "unchanged": 0, "refused": 1}
    assert body["imported"] == [{"index": 0, "old_id": good["old_id"]}]
    refused = body["refused"][0]
    assert (refused["index"], refused["old_id"]) == (1, bad["old_id"])
    reasons = {(r["field"], r["code"]) for r in refused["reasons"]}
    for want in [("email", "invalid_email"), ("language", "unsupported_language"),
                 ("licenses[0].product", "missing_field"), ("orders[0].license", "unknown_license")]:
        assert want in reasons, reasons
    assert report(shop, operator, wave)["counters"]["imported"] == 1


def test_a_reimport_changes_nothing(shop, operator, wave):
    accounts = [account() for _ in range(3)]
    assert imp(shop, operator, wave, accounts)["counts"]["imported"] == 3
    before = report(shop, operator, wave)
    changed = [dict(a, name="Someone Else") for a in accounts]
    again = imp(shop, operator, wave, changed)
    assert again["counts"] == {"imported": 0, "unchanged": 3, "refused": 0}
    after = report(shop, operator, wave)
    assert after["counters"] == before["counters"]
    assert [e["details"] for e in after["audit"] if e["action"] == "accounts_imported"][-1] == again["counts"]


def test_a_card_number_or_iban_is_refused_and_not_echoed(shop, operator, wave):
    card, iban = "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00"
    with_card = account(company=card)
    with_iban = account(payment={"method": "sepa_debit", "customer": "cus_x", "payment_method": iban.replace(" ", "")})
    r = shop.post(f"{WAVES}/{wave}/accounts", {"accounts": [with_card, with_iban]}, headers=bearer(operator["token"]))
    assert r.status == 200
    body = r.json()
    assert body["counts"]["refused"] == 2
    codes = [[x["code"] for x in a["reasons"]] for a in body["refused"]]
    assert "card_number_not_allowed" in codes[0] and "iban_not_allowed" in codes[1], codes
    text = r.body.decode()
    for secret in ("4111", "3704", "DE89"):
        assert secret not in text, text


def test_an_account_of_another_wave_is_refused(shop, operator, wave):
    a = account()
    imp(shop, operator, wave, [a])
    other = shop.post(WAVES, {"name": "Other", "transfer_date": day_after(str(berlin_today(shop)), 40)},
                      headers=bearer(operator["token"])).json()["id"]
    body = imp(shop, operator, other, [a])
    assert body["refused"][0]["reasons"][0]["code"] == "in_another_wave"
    assert report(shop, operator, other)["counters"]["imported"] == 0


def test_pause_resume_and_the_date_move_until_the_start(shop, operator, wave, dynamodb):
    h = bearer(operator["token"])
    assert shop.post(f"{WAVES}/{wave}/pause", headers=h).json()["status"] == "paused"
    assert shop.post(f"{WAVES}/{wave}/resume", headers=h).json()["status"] == "active"
    later = day_after(str(berlin_today(shop)), 45)
    r = shop.request("PATCH", f"{WAVES}/{wave}", {"transfer_date": later}, headers=h)
    assert r.status == 200 and r.json()["transfer_date"] == later
    assert_problem(shop.request("PATCH", f"{WAVES}/{wave}", {"transfer_date": "2020-01-01"}, headers=h),
                   422, "transfer_date_in_past")
    # The mailer marks the wave started with its first stage.
    dynamodb.update_item(
        TableName="ShopTable", Key={"pk": {"S": f"WAVE#{wave}"}, "sk": {"S": "WAVE"}},
        UpdateExpression="SET started = :t", ExpressionAttributeValues={":t": {"S": "2026-11-23T06:00:00Z"}})
    assert_problem(shop.request("PATCH", f"{WAVES}/{wave}", {"transfer_date": day_after(later)}, headers=h),
                   409, "wave_started")
    got = report(shop, operator, wave)
    assert got["started"] is True and got["transfer_date"] == later
    actions = [e["action"] for e in got["audit"]]
    assert actions == ["wave_created", "wave_paused", "wave_resumed", "transfer_date_moved"], actions
    assert all(e["operator"]["email"] == operator["email"] for e in got["audit"])


def test_the_report_as_json_and_csv(shop, operator, wave):
    imp(shop, operator, wave, [account(), account()])
    got = report(shop, operator, wave)
    assert got["counters"] == {"imported": 2, "announced": 0, "reminded": 0, "moved": 0, "welcomed": 0,
                               "failed": 0, "activated": 0}
    assert got["licenses"] == {"moved": 0, "skipped": {}}
    assert got["failures"] == []
    r = shop.get(f"{WAVES}/{wave}", headers={**bearer(operator["token"]), "Accept": "text/csv"})
    assert r.status == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.body.decode())))
    assert rows[0] == ["section", "name", "value", "at", "detail"]
    assert ["counter", "imported", "2", "", ""] in rows
    assert any(row[:3] == ["audit", "accounts_imported", operator["email"]] for row in rows)
    listed = conforms(shop.get(WAVES, headers=bearer(operator["token"])).json(), "WaveList")["waves"]
    assert wave in [w["id"] for w in listed]


def test_the_tool_streams_an_export_in_chunks(shop, operator, wave, tmp_path):
    # Generated accounts, not the demo export: the demo's old ids stay free for the walkthrough.
    export = tmp_path / "export.jsonl"
    lines = [json.dumps(account()) for _ in range(5)] + ["not json", json.dumps(account(email="x"))]
    export.write_text("\n".join(lines) + "\n")
    env = dict(os.environ, SHOP_TOKEN=operator["token"], MIGRATION_IMPORT_CHUNK="2", SHOP_URL=shop.url)
    run = subprocess.run([os.environ["SHOP_TOOLS"], "migration-import", wave, str(export)], env=env,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "7 lines: 5 imported, 0 unchanged, 1 refused, 1 unreadable" in run.stdout, run.stdout
    assert "line 6: not JSON, skipped" in run.stdout and "line 7 (" in run.stdout, run.stdout
    assert "lines read" in run.stderr
    assert report(shop, operator, wave)["counters"]["imported"] == 5
    again = subprocess.run([os.environ["SHOP_TOOLS"], "migration-import", wave, str(export)], env=env,
                           capture_output=True, text=True, check=True)
    assert "0 imported, 5 unchanged, 1 refused" in again.stdout, again.stdout
