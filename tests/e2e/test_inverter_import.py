"""The inverter import over HTTP: the template downloads (xlsx and csv), is filled in as a
spreadsheet program does (openpyxl) and uploaded, and the answer lists every row exactly; the
limits (file size, rows, an .xlsx zip bomb) and a wrong content type are refused with their
codes. Good rows are added when the device registry knows their serial and code; a wrong code,
an unknown serial and a device in another plant are rows of the list too; importing the same
file again adds nothing twice."""

import datetime as dt
import io
import struct
import zlib

import openpyxl
import pytest
from helpers import active_account, assert_problem, bearer, berlin_today, bought, devices, new_plant, stand_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def owner(shop, unique_email):
    token = active_account(shop, unique_email)
    return token, new_plant(shop, token)["id"]


def upload(shop, token, plant, body, content_type):
    return shop.post(f"/v1/plants/{plant}/inverters/import", raw=body,
                     headers={**bearer(token), "Content-Type": content_type})


def rows_of(answer):
    return [(r["row"], r["column"], r["code"]) for r in answer["rejected"]]


def filled():
    """Rows 2.. as the owner fills them (the example row 2 replaced): two registered devices,
    then a bad serial, the first device again, a row without its code."""
    (s1, c1), (s2, c2) = devices(5000, None)
    rows = [
        [s1, c1, "Roof east"],
        [s2.lower(), c2, None],
        ["bad serial!", "code-3", None],
        [s1, "code-4", None],
        ["SN-E2E-0006", None, "no code"],
    ]
    return rows, [{"row": 2, "serial_number": s1, "label": "Roof east"}, {"row": 3, "serial_number": s2}]


EXPECTED = [
    (4, "serial_number", "invalid_serial_number"),
    (5, "serial_number", "duplicate_row"),
    (6, "activation_code", "required"),
]


def template(shop, token, plant, fmt):
    r = shop.get(f"/v1/plants/{plant}/inverters/import-template?format={fmt}", headers=bearer(token))
    assert r.status == 200, r.body
    assert r.headers["content-disposition"] == f'attachment; filename="inverter-import.{fmt}"'
    return r


def test_the_xlsx_template_round_trips_with_the_exact_row_list(shop, owner):
    token, plant = owner
    r = template(shop, token, plant, "xlsx")
    assert r.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(r.body))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["serial_number", "activation_code", "label"]
    assert all(sheet.cell(row=1, column=c).comment for c in (1, 2, 3)), "each column has a note"
    assert sheet["A2"].number_format == "@" and sheet["B2"].number_format == "@", "text, so leading zeros stay"
    rows, added = filled()
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            sheet.cell(row=i, column=j, value=value)
    sheet.cell(row=7, column=1, value='="SN-"&"E2E-0007"')
    sheet.cell(row=7, column=2, value="code-7")
    out = io.BytesIO()
    book.save(out)
    answer = upload(shop, token, plant, out.getvalue(), XLSX)
    assert answer.status == 200, answer.body
    assert answer.json()["added"] == added and answer.json()["already_in_plant"] == []
    assert rows_of(answer.json()) == EXPECTED + [(7, "serial_number", "formula_not_allowed")]
    listed = shop.get(f"/v1/plants/{plant}", headers=bearer(token)).json()
    assert sorted(i["serial"] for i in listed["inverters"]) == sorted(a["serial_number"] for a in added)
    assert listed["monitoring"]["state"] == "trial", "the first inverter started the trial"


def test_the_csv_template_round_trips_and_a_second_import_adds_nothing(shop, owner, unique_email):
    token, plant = owner
    r = template(shop, token, plant, "csv")
    assert r.headers["content-type"] == "text/csv"
    header = r.body.decode().splitlines()[0]
    rows, added = filled()
    (wrong, _), (elsewhere, code_elsewhere) = devices(5000, 5000)
    stranger = active_account(shop, "other-" + unique_email)
    theirs = new_plant(shop, stranger)["id"]
    placed = shop.post(f"/v1/plants/{theirs}/inverters", {"serial": elsewhere, "activation_code": code_elsewhere},
                       headers=bearer(stranger))
    assert placed.status == 201, placed.body
    lines = [header] + [",".join(v or "" for v in row) for row in rows] + ["", "=A2,code-8,"]
    lines += ["SN-E2E-0009,CODE-00000009,", f"{wrong},not-its-code,", f"{elsewhere},{code_elsewhere},"]
    sheet = "\r\n".join(lines).encode()
    answer = upload(shop, token, plant, sheet, "text/csv; charset=utf-8")
    assert answer.status == 200, answer.body
    assert answer.json()["added"] == added
    assert rows_of(answer.json()) == EXPECTED + [
        (8, "serial_number", "formula_not_allowed"),
        (9, "activation_code", "invalid_activation"),
        (10, "activation_code", "invalid_activation"),
        (11, "serial_number", "inverter_in_use"),
    ]
    again = upload(shop, token, plant, sheet, "text/csv").json()
    assert again["added"] == [] and [p["row"] for p in again["already_in_plant"]] == [2, 3]
    assert len(shop.get(f"/v1/plants/{plant}", headers=bearer(token)).json()["inverters"]) == 2


def deflated_zeros(mib):
    """Raw deflate of `mib` MiB of zeros: one fully flushed compressed MiB, repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return block * mib + c.flush(zlib.Z_FINISH)


def zip_of(name, data, declared):
    """One deflated entry whose directory says it unpacks to `declared` bytes (CRC left 0)."""
    name = name.encode()
    common = struct.pack("<HHH4sIIIHH", 20, 0, 8, b"\0" * 4, 0, len(data), declared, len(name), 0)
    local = b"PK\x03\x04" + common + name + data
    central = b"PK\x01\x02" + struct.pack("<H", 20) + common + struct.pack("<HHHII", 0, 0, 0, 0, 0) + name
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + end


def test_a_zip_bomb_is_refused_before_it_is_unpacked(shop, owner):
    token, plant = owner
    data = deflated_zeros(1024)  # 1 GiB of zeros in about 1 MiB
    assert len(data) < 2 << 20
    for declared in (1 << 30, 1000):  # honest, and lying about its size
        r = upload(shop, token, plant, zip_of("xl/worksheets/sheet1.xml", data, declared), XLSX)
        assert_problem(r, 413, "unpacked_too_large")


def test_over_the_limits_and_wrong_content_types_are_refused(shop, owner):
    token, plant = owner
    big = b"serial_number,activation_code\r\n" + b"x" * (4 * 1024 * 1024)
    assert_problem(upload(shop, token, plant, big, "text/csv"), 413, "file_too_large")
    many = "serial_number,activation_code\r\n" + "".join(f"SN-{i:05d},c\r\n" for i in range(1001))
    assert_problem(upload(shop, token, plant, many.encode(), "text/csv"), 422, "too_many_rows")
    assert_problem(upload(shop, token, plant, b"{}", "application/json"), 415, "unsupported_media_type")
    assert_problem(upload(shop, token, plant, b"PK\x03\x04 not a workbook", XLSX), 422, "unreadable_file")
    header = assert_problem(upload(shop, token, plant, b"serial,code\r\n", "text/csv"), 422, "invalid_header")
    assert {f["code"] for f in header["fields"]} == {"unknown_column", "missing_column"}


def test_another_owners_plant_is_not_found(shop, owner, unique_email):
    _, plant = owner
    stranger = active_account(shop, "other-" + unique_email)
    r = upload(shop, stranger, plant, b"serial_number,activation_code\r\nSN-1,c\r\n", "text/csv")
    assert_problem(r, 404, "plant_not_found")
    assert_problem(shop.get(f"/v1/plants/{plant}/inverters/import-template", headers=bearer(stranger)), 404,
                   "plant_not_found")


def test_an_import_that_outgrows_a_license_ends_it_also_when_retried(shop, owner):
    """The power rule runs after every import, so a retry of an import whose answer was lost
    (every row already in the plant) still ends the license the plant outgrew."""
    token, plant = owner
    sub = bought(shop, token, quantity=5)
    today = berlin_today(shop)
    table = stand_in("dynamodb", resource=True).Table("ShopTable")
    table.put_item(Item={"pk": f"PLANT#{plant}", "sk": f"LICENSE#{sub}", "subscription_id": sub,
                         "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=364)).isoformat(),
                         "power_w": 5000, "net": "30.00"})
    [(serial, code)] = devices(10_000)
    sheet = f"serial_number,activation_code\r\n{serial},{code}\r\n".encode()
    first = upload(shop, token, plant, sheet, "text/csv").json()
    assert [a["serial_number"] for a in first["added"]] == [serial]
    ended = [e["license"] for e in first["ended_licenses"]]
    assert ended == [sub]
    again = upload(shop, token, plant, sheet, "text/csv").json()
    assert again["added"] == [] and [e["license"] for e in again["ended_licenses"]] == ended
