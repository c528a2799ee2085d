"""The inverter import over HTTP: the template downloads (xlsx and csv), is filled in as a
spreadsheet program does (openpyxl) and uploaded, and the answer lists every row exactly; the
limits (file size, rows, an .xlsx zip bomb) and a wrong content type are refused with their
codes. Adding the good rows is not wired yet: they answer `not_wired` (docs/solar.md).

The plant is written into the stand-in's table as the plants store reads it (the plants
function is built beside this one)."""

import base64
import io
import json
import os
import struct
import uuid
import zlib

import boto3
import openpyxl
import pytest
from helpers import active_account, assert_problem, bearer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def account_id(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


def stored_plant(owner_token):
    """A plant of the token's account, stored as `PlantsRepo::read` reads it."""
    plant = f"pl-{uuid.uuid4().hex[:16]}"
    table = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="eu-central-1",
                         aws_access_key_id="test", aws_secret_access_key="test")
    details = {"name": "Barn", "description": "", "module_name": "", "country": "DE", "postal_code": "72555",
               "city": "Metzingen", "latitude": "48.5", "longitude": "9.2", "temperature_coefficient": "-0.4",
               "azimuth": "180", "tilt": "30", "module_area": "50", "feed_in_tariff": "0.08", "type": "pv",
               "public": False}
    table.put_item(TableName="ShopTable", Item={
        "pk": {"S": f"PLANT#{plant}"}, "sk": {"S": "PLANT"}, "plant": {"S": json.dumps(details)},
        "account_id": {"S": account_id(owner_token)}, "version": {"N": "1"}})
    return plant


@pytest.fixture
def owner(shop, unique_email):
    token = active_account(shop, unique_email)
    return token, stored_plant(token)


def upload(shop, token, plant, body, content_type):
    return shop.post(f"/v1/plants/{plant}/inverters/import", raw=body,
                     headers={**bearer(token), "Content-Type": content_type})


def rows_of(answer):
    return [(r["row"], r["column"], r["code"]) for r in answer["rejected"]]


FILLED = [  # rows 2.. as the owner fills them; the example row 2 is replaced
    ["SN-E2E-0001", "code-1", "Roof east"],
    ["sn-e2e-0002", "code-2", None],
    ["bad serial!", "code-3", None],
    ["SN-E2E-0001", "code-4", None],
    ["SN-E2E-0006", None, "no code"],
]
EXPECTED = [
    (2, None, "not_wired"),
    (3, None, "not_wired"),
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
    for i, row in enumerate(FILLED, start=2):
        for j, value in enumerate(row, start=1):
            sheet.cell(row=i, column=j, value=value)
    sheet.cell(row=7, column=1, value='="SN-"&"E2E-0007"')
    sheet.cell(row=7, column=2, value="code-7")
    out = io.BytesIO()
    book.save(out)
    answer = upload(shop, token, plant, out.getvalue(), XLSX)
    assert answer.status == 200, answer.body
    assert answer.json()["added"] == [] and answer.json()["already_in_plant"] == []
    assert rows_of(answer.json()) == EXPECTED + [(7, "serial_number", "formula_not_allowed")]


def test_the_csv_template_round_trips_with_the_exact_row_list(shop, owner):
    token, plant = owner
    r = template(shop, token, plant, "csv")
    assert r.headers["content-type"] == "text/csv"
    header = r.body.decode().splitlines()[0]
    lines = [header] + [",".join(v or "" for v in row) for row in FILLED] + ["", '=A2,code-8,'] + ["SN-E2E-0009,c9,"]
    answer = upload(shop, token, plant, "\r\n".join(lines).encode(), "text/csv; charset=utf-8")
    assert answer.status == 200, answer.body
    assert rows_of(answer.json()) == EXPECTED + [(8, "serial_number", "formula_not_allowed"), (9, None, "not_wired")]


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
