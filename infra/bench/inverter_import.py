"""The inverter import's parse and check of a 1,000-row .xlsx (a filled-in template, written by
the `bench-import` binary with rust_xlsxwriter as Excel writes it: shared strings, one sheet):
`shop_sheets::read` (zip-bomb guard, calamine's streaming reader) and `check_import`, as the
`inverter-import` function runs them, timed over N runs in one process, and that process's peak
resident memory (VmHWM, the binary and its runtime included). Adding the rows to the plant is
not wired yet, so this is the import up to "these rows are good, these are bad". Prints
figures only. Run through infra/bench.sh (release); `--smoke` (10 rows, 3 runs, any build) is
what infra/bench-smoke.sh runs in the test command.
"""

import argparse
import json
import subprocess
from pathlib import Path

from _stack import ROOT, state_root


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    p.add_argument("--state-dir", default=str(state_root() / "bench-import"), help="where the .xlsx is written")
    p.add_argument("--rows", type=int, default=1000)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--smoke", action="store_true", help="smallest size: 10 rows, 3 runs (figures only)")
    args = p.parse_args()
    if args.smoke:
        args.rows, args.runs = 10, 3
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


if __name__ == "__main__":
    main()
