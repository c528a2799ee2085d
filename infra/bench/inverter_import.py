"""The inverter import's parse and check of a 1,000-row .xlsx (a filled-in template, written by
the `bench-import` binary with rust_xlsxwriter as Excel writes it: shared strings, one sheet):
`shop_sheets::read` (zip-bomb guard, calamine's streaming reader) and `check_import`, as the
`inverter-import` function runs them, timed over N runs in one process, and that process's peak
resident memory (VmHWM, the binary and its runtime included). Then the whole import through
the function on a local stack: N registered devices in an .xlsx (openpyxl) uploaded to a new
plant, the time of that one request, the DynamoDB calls it made (counted by operation at the
stand-in) and the function process's peak RSS. Prints figures only. Run through infra/bench.sh
(release); `--smoke` (10 rows, 3 runs, any build) is what infra/bench-smoke.sh runs in the
test command.
"""

import io
import json
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import openpyxl
from _stack import Stack, bench_args, call, validated_account


def main():
    args = bench_args(__doc__, "bench-import", "10 rows, 3 runs (figures only)", "where the .xlsx is written",
                      rows=(1000, 10), runs=(20, 3))
    state = Path(args.state_dir)
    state.mkdir(parents=True, exist_ok=True)
    binary = str(Path(args.bin_dir) / "bench-import")
    sheet = state / f"import-{args.rows}.xlsx"
    subprocess.run([binary, "write", str(args.rows), str(sheet)], check=True)
    out = subprocess.run([binary, "read", str(sheet), str(args.runs)], check=True, capture_output=True, text=True)
    figures = json.loads(out.stdout)
    if figures["good_rows"] != args.rows:
        raise SystemExit(f"expected {args.rows} good rows: {figures}")
    print(f"inverter import, parse + check of a {args.rows}-row .xlsx ({figures['bytes']} bytes), "
          f"{figures['runs']} runs in one process, binary from {args.bin_dir}")
    print(f"median {figures['median_ms']:.1f} ms   min {figures['min_ms']:.1f} ms   max {figures['max_ms']:.1f} ms   "
          f"peak RSS {int(figures['peak_rss_kib']) / 1024:.1f} MiB")
    with Stack(args.bin_dir, state / "stack") as stack:
        through_the_function(stack, args, state)


def through_the_function(stack, args, state):
    """One upload of `args.rows` registered devices to a new plant, through the local stack."""
    url = stack.url
    token = validated_account(url, f"bench-import-{uuid.uuid4().hex[:8]}@example.de")
    auth = {"authorization": f"Bearer {token}"}
    plant = call(url, "/v1/plants", {
        "name": "Bench", "country": "DE", "postal_code": "72555", "city": "Metzingen", "latitude": "48.5",
        "longitude": "9.2", "temperature_coefficient": "-0.4", "azimuth": "180", "tilt": "30",
        "module_area": "50", "feed_in_tariff": "0.08", "type": "pv"}, headers=auth)["id"]
    tag = uuid.uuid4().hex[:8].upper()
    devices = [(f"BENCH-{tag}-{i:05d}", f"CODE-{tag}-{i:05d}") for i in range(args.rows)]
    registry = state / f"devices-{args.rows}.csv"
    registry.write_text("serial,activation_code,device_type,nominal_power_w,firmware,secret\n" + "".join(
        f"{s},{c},SMA-BENCH,5000,1.0,secret-{s}\n" for s, c in devices))
    subprocess.run([str(Path(args.bin_dir).resolve() / "shop-tools"), "import-devices", str(registry)],
                   env=stack.tools_env(), check=True, capture_output=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["serial_number", "activation_code", "label"])
    for i, (serial, code) in enumerate(devices):
        sheet.append([serial, code, f"Row {i}"])
    body = io.BytesIO()
    book.save(body)
    stack.count_calls()
    req = urllib.request.Request(f"{url}/v1/plants/{plant}/inverters/import", data=body.getvalue(), method="POST",
                                 headers={**auth, "content-type": XLSX})
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=900) as r:
        answer = json.loads(r.read())
    elapsed = time.perf_counter() - started
    if len(answer["added"]) != args.rows:
        raise SystemExit(f"expected {args.rows} rows added: {len(answer['added'])} added, {answer['rejected'][:3]}")
    calls = stack.calls()
    dynamo = {k.split(".")[-1]: v for k, v in sorted(calls.items()) if k.startswith("DynamoDB")}
    print(f"the same through the function (one request, {args.rows} registered devices into a new plant, "
          f"binaries from {args.bin_dir}):")
    print(f"  {elapsed * 1000:.0f} ms for the request   function peak RSS {function_rss_mib():.1f} MiB")
    print(f"  DynamoDB calls: {dynamo} ({sum(dynamo.values()) / args.rows * 1000:.0f} per 1,000 rows)")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def function_rss_mib():
    """VmHWM of the local stack's `inverter-import` process (0 when it cannot be read)."""
    out = subprocess.run(["pgrep", "-f", "/inverter-import$"], capture_output=True, text=True).stdout.split()
    peaks = []
    for pid in out:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as f:
                peaks += [int(line.split()[1]) for line in f if line.startswith("VmHWM:")]
        except OSError:
            pass
    return max(peaks, default=0) / 1024


if __name__ == "__main__":
    main()
