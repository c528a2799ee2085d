"""Plants end to end: every bad field with its own code and nothing written; create, read,
change (the whole plant checked again) and delete; another account's plant is 404; a running
license keeps the plant; consumers outside Germany are refused; the public flag sets the public
index; the app portal shows monitoring data while a plant's trial runs. Inverters and licenses are
written into the table as docs/data-model.md describes them (their functions are separate)."""

import datetime as dt
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import (
    active_account, assert_problem, bearer, berlin_today, monitoring_data, move_to, new_plant, plant_body, register,
    link_token, sign_in, stand_in, token_for,
)

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
TABLE = "ShopTable"


def plant_schema():
    return {"$ref": "#/components/schemas/Plant", "components": SPEC["components"]}


@pytest.fixture(scope="module")
def table():
    return stand_in("dynamodb")


def item(table, pk, sk):
    return table.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True).get("Item")


def add_inverter(table, plant_id, serial, activated_on, account_id=None):
    """An inverter row and its registry device, as the inverters function writes them."""
    pk = f"PLANT#{plant_id}"
    table.put_item(TableName=TABLE, Item={
        "pk": {"S": pk}, "sk": {"S": f"INV#{serial}"}, "serial": {"S": serial}, "label": {"S": "Dach"},
        "config": {"S": '{"type":"SMA-10","nominal_power_w":10000}'}, "activated_on": {"S": activated_on}})
    table.put_item(TableName=TABLE, Item={
        "pk": {"S": f"DEVICE#{serial}"}, "sk": {"S": "DEVICE"}, "serial": {"S": serial}, "code_hash": {"S": "h"},
        "plant_id": {"S": plant_id}, **({"account_id": {"S": account_id}} if account_id else {})})
    table.update_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": "PLANT"}},
                      UpdateExpression="SET first_activation = if_not_exists(first_activation, :d), version = version + :one",
                      ExpressionAttributeValues={":d": {"S": activated_on}, ":one": {"N": "1"}})


def add_license(table, plant_id, starts_on, ends_on, power_w=10000):
    pk = f"PLANT#{plant_id}"
    table.put_item(TableName=TABLE, Item={
        "pk": {"S": pk}, "sk": {"S": "LICENSE#lic-e2e"}, "subscription_id": {"S": "lic-e2e"},
        "starts_on": {"S": starts_on}, "ends_on": {"S": ends_on}, "power_w": {"N": str(power_w)}, "net": {"S": "96.00"}})
    table.update_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": "PLANT"}},
                      UpdateExpression="SET version = version + :one", ExpressionAttributeValues={":one": {"N": "1"}})


def listed(shop, token):
    r = shop.get("/v1/plants", headers=bearer(token))
    assert r.status == 200, r.body
    return r.json()["plants"]


BAD_FIELDS = [
    ("name", "", "invalid_plant_name"),
    ("name", "x" * 101, "invalid_plant_name"),
    ("name", None, "invalid_plant_name"),
    ("description", "d" * 2001, "invalid_description"),
    ("module_name", "m" * 101, "invalid_module_name"),
    ("country", "Germany", "invalid_country"),
    ("postal_code", "1234", "invalid_postal_code"),
    ("city", "", "invalid_city"),
    ("latitude", 90.5, "invalid_latitude"),
    ("latitude", "47.12345678", "invalid_latitude"),
    ("latitude", True, "invalid_latitude"),
    ("longitude", "-180.01", "invalid_longitude"),
    ("temperature_coefficient", "0.1", "invalid_temperature_coefficient"),
    ("temperature_coefficient", "-2.1", "invalid_temperature_coefficient"),
    ("azimuth", 360, "invalid_azimuth"),
    ("tilt", "90.01", "invalid_tilt"),
    ("tilt", -1, "invalid_tilt"),
    ("module_area", 0, "invalid_module_area"),
    ("feed_in_tariff", "-0.01", "invalid_feed_in_tariff"),
    ("type", "PV-thermal", "invalid_plant_type"),
    ("public", "yes", "invalid_public"),
    ("colour", "red", "unknown_field"),
]


def test_each_bad_field_has_its_own_code_and_nothing_is_written(shop, unique_email):
    token = active_account(shop, unique_email)
    for field, value, code in BAD_FIELDS:
        r = shop.post("/v1/plants", plant_body(**{field: value}), headers=bearer(token))
        body = assert_problem(r, 422, "invalid_plant")
        assert [(f["field"], f["code"]) for f in body["fields"]] == [(field, code)], (field, value, body)
    missing = plant_body()
    del missing["latitude"]
    body = assert_problem(shop.post("/v1/plants", missing, headers=bearer(token)), 422, "invalid_plant")
    assert [f["code"] for f in body["fields"]] == ["invalid_latitude"]
    # All at once, each listed; the country is left right so the postal code is held to it.
    every = plant_body(**{field: value for field, value, _ in BAD_FIELDS if field != "country"})
    body = assert_problem(shop.post("/v1/plants", every, headers=bearer(token)), 422, "invalid_plant")
    assert {f["code"] for f in body["fields"]} == {code for f, _, code in BAD_FIELDS if f != "country"}
    assert_problem(shop.post("/v1/plants", [plant_body()], headers=bearer(token)), 400, "invalid_body")
    assert listed(shop, token) == []


def test_create_read_change_and_delete_a_plant(shop, unique_email):
    token = active_account(shop, unique_email)
    created = new_plant(shop, token, latitude=47.999, description=None)
    jsonschema.validate(created, plant_schema())
    assert (created["latitude"], created["description"], created["total_nominal_power_w"]) == ("47.999", "", 0)
    assert created["monitoring"] == {"state": "no_inverters"} and created["inverters"] == created["licenses"] == []
    second = new_plant(shop, token, name="Garage")
    assert [p["id"] for p in listed(shop, token)] == [second["id"], created["id"]]
    path = f"/v1/plants/{created['id']}"
    assert shop.get(path, headers=bearer(token)).json() == created

    # PATCH lays the fields over the plant and checks the whole: a new country re-checks the
    # postal code that stays.
    r = shop.request("PATCH", path, {"country": "AT"}, headers=bearer(token))
    body = assert_problem(r, 422, "invalid_plant")
    assert [(f["field"], f["code"]) for f in body["fields"]] == [("postal_code", "invalid_postal_code")]
    assert shop.get(path, headers=bearer(token)).json()["country"] == "DE"
    r = shop.request("PATCH", path, {"country": "at", "postal_code": "6020", "city": "Innsbruck", "module_name": None},
                     headers=bearer(token))
    assert r.status == 200, r.body
    changed = r.json()
    jsonschema.validate(changed, plant_schema())
    assert (changed["country"], changed["postal_code"], changed["module_name"], changed["name"]) == ("AT", "6020", "", "Scheune Süd")
    assert shop.get(path, headers=bearer(token)).json() == changed

    r = shop.request("DELETE", path, headers=bearer(token))
    assert r.status == 204, r.body
    assert_problem(shop.get(path, headers=bearer(token)), 404, "plant_not_found")
    assert [p["id"] for p in listed(shop, token)] == [second["id"]]


def test_another_accounts_plant_is_not_found_and_stays_as_it_was(shop, unique_email):
    owner = active_account(shop, unique_email)
    plant = new_plant(shop, owner)
    path = f"/v1/plants/{plant['id']}"
    other = active_account(shop, "other-" + unique_email)
    assert_problem(shop.get(path, headers=bearer(other)), 404, "plant_not_found")
    assert_problem(shop.request("PATCH", path, {"name": "Mine"}, headers=bearer(other)), 404, "plant_not_found")
    assert_problem(shop.request("DELETE", path, headers=bearer(other)), 404, "plant_not_found")
    assert_problem(shop.get("/v1/plants/does-not-exist", headers=bearer(owner)), 404, "plant_not_found")
    assert listed(shop, other) == []
    assert shop.get(path, headers=bearer(owner)).json() == plant


def test_a_running_license_keeps_the_plant_and_deleting_frees_the_devices(shop, unique_email, table):
    token = active_account(shop, unique_email)
    plant = new_plant(shop, token)
    path = f"/v1/plants/{plant['id']}"
    today = berlin_today(shop)
    serial = f"E2E-{plant['id'][:12].upper()}"
    add_inverter(table, plant["id"], serial, (today - dt.timedelta(days=50)).isoformat())
    last = today + dt.timedelta(days=300)
    add_license(table, plant["id"], (today - dt.timedelta(days=64)).isoformat(), last.isoformat())
    shown = shop.get(path, headers=bearer(token)).json()
    jsonschema.validate(shown, plant_schema())
    assert shown["monitoring"] == {"state": "licensed", "until": last.isoformat()}
    assert shown["total_nominal_power_w"] == 10000 and shown["inverters"][0]["serial"] == serial

    body = assert_problem(shop.request("DELETE", path, headers=bearer(token)), 409, "plant_licensed")
    assert last.isoformat() in body["detail"]
    assert item(table, f"PLANT#{plant['id']}", "PLANT") is not None

    # The license ended by power yesterday: nothing runs any more, the plant goes.
    table.update_item(TableName=TABLE, Key={"pk": {"S": f"PLANT#{plant['id']}"}, "sk": {"S": "LICENSE#lic-e2e"}},
                      UpdateExpression="SET ended_on = :d",
                      ExpressionAttributeValues={":d": {"S": (today - dt.timedelta(days=1)).isoformat()}})
    assert shop.get(path, headers=bearer(token)).json()["monitoring"]["state"] == "license_ended_power_exceeded"
    assert shop.request("DELETE", path, headers=bearer(token)).status == 204
    for sk in ["PLANT", f"INV#{serial}", "LICENSE#lic-e2e"]:
        assert item(table, f"PLANT#{plant['id']}", sk) is None, sk
    device = item(table, f"DEVICE#{serial}", "DEVICE")
    assert "plant_id" not in device and device["code_hash"] == {"S": "h"}


def test_consumers_outside_germany_are_refused_businesses_are_not(shop, unique_email):
    token = active_account(shop, unique_email, country="at")
    assert_problem(shop.post("/v1/plants", plant_body(), headers=bearer(token)), 403, "monitoring_consumers_germany_only")
    # The rule comes before the fields: a wrong field does not hide it.
    assert_problem(shop.post("/v1/plants", plant_body(tilt=99), headers=bearer(token)), 403, "monitoring_consumers_germany_only")
    assert listed(shop, token) == []
    business = "biz-" + unique_email
    assert register(shop, business, country="at", company="Hof Berger GmbH").status == 201
    assert shop.post("/v1/accounts/verify-email", {"token": link_token(shop, business)}).status == 200
    biz_token = sign_in(shop, business).json()["access_token"]
    assert new_plant(shop, biz_token, country="AT", postal_code="6020")["country"] == "AT"


def test_the_public_flag_sets_and_clears_the_public_index(shop, unique_email, table):
    token = active_account(shop, unique_email)
    plant = new_plant(shop, token, public=True)
    stored = item(table, f"PLANT#{plant['id']}", "PLANT")
    assert (stored["gsi2pk"], stored["gsi2sk"]) == ({"S": "PUBLIC_PLANTS"}, {"S": plant["id"]})
    public = table.query(TableName=TABLE, IndexName="gsi2", KeyConditionExpression="gsi2pk = :p AND gsi2sk = :id",
                         ExpressionAttributeValues={":p": {"S": "PUBLIC_PLANTS"}, ":id": {"S": plant["id"]}})
    assert public["Count"] == 1
    r = shop.request("PATCH", f"/v1/plants/{plant['id']}", {"public": False}, headers=bearer(token))
    assert r.status == 200 and r.json()["public"] is False
    stored = item(table, f"PLANT#{plant['id']}", "PLANT")
    assert "gsi2pk" not in stored and "gsi2sk" not in stored
    assert "gsi2pk" not in item(table, f"PLANT#{new_plant(shop, token)['id']}", "PLANT")


def test_the_app_portal_shows_monitoring_data_while_the_trial_runs(clock, unique_email, table):
    shop = clock
    token = active_account(shop, unique_email)
    plant = new_plant(shop, token)
    assert monitoring_data(shop, token) is False
    today = berlin_today(shop)
    add_inverter(table, plant["id"], f"E2E-{plant['id'][:12].upper()}", today.isoformat())
    day_40 = today + dt.timedelta(days=39)
    shown = shop.get(f"/v1/plants/{plant['id']}", headers=bearer(token)).json()
    assert shown["monitoring"] == {"state": "trial", "until": day_40.isoformat()}
    assert monitoring_data(shop, token) is True
    move_to(shop, day_40.isoformat())
    assert monitoring_data(shop, token_for(shop, unique_email)) is True
    move_to(shop, (day_40 + dt.timedelta(days=1)).isoformat())
    token = token_for(shop, unique_email)
    assert monitoring_data(shop, token) is False
    assert shop.get(f"/v1/plants/{plant['id']}", headers=bearer(token)).json()["monitoring"] == {"state": "unlicensed"}


def test_parallel_changes_each_win_or_hear_concurrent_change(shop, unique_email, table):
    import concurrent.futures

    token = active_account(shop, unique_email)
    plant = new_plant(shop, token)
    path = f"/v1/plants/{plant['id']}"
    names = [f"Dach {n}" for n in range(8)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda name: shop.request("PATCH", path, {"name": name}, headers=bearer(token)), names))
    won = [name for name, r in zip(names, answers) if r.status == 200]
    for r in answers:
        if r.status != 200:
            assert_problem(r, 409, "concurrent_change")
    assert won, "at least one change is written"
    stored = item(table, f"PLANT#{plant['id']}", "PLANT")
    # Every answered 200 was written on the version it read, none lost or doubled.
    assert int(stored["version"]["N"]) == 1 + len(won)
    assert shop.get(path, headers=bearer(token)).json()["name"] in won
