"""The public plant list over HTTP, for anyone (docs/solar.md, "Public plant list"): only plants
made public whose monitoring is allowed today, each with exactly the public keys and nothing of
its owner; every plant once when the pages are followed; a bad cursor or limit is 422; pages
may be cached briefly."""

import concurrent.futures
import datetime as dt
import threading
import uuid
from pathlib import Path

import jsonschema
import yaml
from helpers import active_account, assert_problem, bearer, devices, new_plant, put_telemetry_rows

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
KEYS = {"country", "postal_code", "city", "generator_power_kwp", "current_power_w", "today_energy_wh", "total_energy_wh"}


def every_page(shop, limit):
    """Every page of the list, following `next_cursor`."""
    pages, cursor = [], None
    for _ in range(1000):
        r = shop.get(f"/v1/public/plants?limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200, r.body
        assert r.headers["cache-control"] == "public, max-age=60"
        body = r.json()
        jsonschema.validate(body, {"$ref": "#/components/schemas/PublicPlantPage", "components": SPEC["components"]})
        assert len(body["plants"]) <= limit
        pages.append(body)
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the list never ended")


def listed(pages):
    return [p for page in pages for p in page["plants"]]


def with_inverter(shop, token, city, public, device=None):
    pid = new_plant(shop, token, city=city, public=public)["id"]
    serial, code = device or devices(8_000)[0]
    r = shop.post(f"/v1/plants/{pid}/inverters", {"serial": serial, "activation_code": code}, headers=bearer(token))
    assert r.status == 201, r.body
    return pid, serial


def test_only_public_allowed_plants_without_owner_data(shop, unique_email):
    token = active_account(shop, unique_email)
    tag = uuid.uuid4().hex[:8]
    shown, serial = with_inverter(shop, token, f"Sonnenfeld {tag}", public=True)
    # The reading is a minute old by the stack's clock.
    clock_now = dt.datetime.fromisoformat(shop.get("/_local/clock").json()["now"])
    t = int(clock_now.timestamp()) - 60
    put_telemetry_rows(serial, [{"t": t, "ac_w": 4321, "e_day_wh": 1234, "e_total_wh": 98_765}])
    private, _ = with_inverter(shop, token, f"Verborgen {tag}", public=False)
    # Public, but no inverter ever: no trial, so monitoring is not allowed.
    no_access = new_plant(shop, token, city=f"Ohnezugang {tag}", public=True)["id"]
    plants = listed(every_page(shop, 50))
    mine = [p for p in plants if p["city"].endswith(tag)]
    assert [p["city"] for p in mine] == [f"Sonnenfeld {tag}"]
    (entry,) = mine
    assert set(entry) == KEYS
    assert entry == {"country": "DE", "postal_code": "79098", "city": f"Sonnenfeld {tag}", "generator_power_kwp": "8",
                     "current_power_w": 4321, "today_energy_wh": entry["today_energy_wh"], "total_energy_wh": 98_765}
    assert entry["today_energy_wh"] in (0, 1234)  # 0 only when the Berlin day began this minute
    text = str(plants)
    for secret in (unique_email, shown, private, no_access, serial, "Scheune"):
        assert secret not in text


def test_pages_list_every_public_plant_once(shop, unique_email):
    token = active_account(shop, unique_email)
    tag = uuid.uuid4().hex[:8]
    for i in range(3):
        with_inverter(shop, token, f"Seite {i} {tag}", public=True)
    small = listed(every_page(shop, 1))
    large = listed(every_page(shop, 50))
    mine = sorted(p["city"] for p in small if p["city"].endswith(tag))
    assert mine == [f"Seite {i} {tag}" for i in range(3)]
    # The same plants either way, each once (others' plants may come and go meanwhile).
    assert len({p["city"] for p in small if p["city"].endswith(tag)}) == 3
    assert sorted(p["city"] for p in large if p["city"].endswith(tag)) == mine


def test_bad_cursors_and_limits_are_422(shop):
    for query, code in [
        ("cursor=v1.zz", "invalid_cursor"),
        ("cursor=PLANT%23x", "invalid_cursor"),
        ("cursor=v1.2320", "invalid_cursor"),
        ("limit=0", "invalid_limit"),
        ("limit=51", "invalid_limit"),
    ]:
        assert_problem(shop.get(f"/v1/public/plants?{query}"), 422, code)
    assert_problem(shop.get("/v1/public/plants?owner=x"), 400, "unknown_parameter")


def test_plants_turning_private_meanwhile_never_repeat_or_hide_the_others(shop, unique_email):
    token = active_account(shop, unique_email)
    tag = uuid.uuid4().hex[:8]
    made = devices(*([8_000] * 6))
    pids = [with_inverter(shop, token, f"Wechsel {i} {tag}", True, made[i])[0] for i in range(6)]
    toggled = pids[1::2]  # 0, 2 and 4 stay public throughout
    stop = threading.Event()

    def toggle(pid):
        public = True
        while not stop.is_set():
            public = not public
            r = shop.request("PATCH", f"/v1/plants/{pid}", {"public": public}, headers=bearer(token))
            assert r.status in (200, 409), r.body

    with concurrent.futures.ThreadPoolExecutor(len(toggled)) as pool:
        running = [pool.submit(toggle, pid) for pid in toggled]
        try:
            for _ in range(3):
                cities = [p["city"] for p in listed(every_page(shop, 2)) if p["city"].endswith(tag)]
                assert len(cities) == len(set(cities)), cities
                assert {f"Wechsel {i} {tag}" for i in (0, 2, 4)} <= set(cities), cities
        finally:
            stop.set()
        for r in running:
            r.result()
