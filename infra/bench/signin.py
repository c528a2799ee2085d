"""Sign-in latency: the local stack on release binaries, one validated account, and N timed
`POST /v1/sessions` over HTTP (Argon2id verification, two reads and the JWT included; the local
HTTP front and the stand-in add about a millisecond). Prints figures only. Run through
infra/bench.sh; `--smoke` (3 sign-ins, any build) is what infra/bench-smoke.sh runs in the test
command.
"""

import statistics
import time

from _stack import Stack, bench_args, call, validated_account


def main():
    args = bench_args(__doc__, "bench", "3 sign-ins (figures only)", runs=(30, 3))
    with Stack(args.bin_dir, args.state_dir) as stack:
        email, password = "bench@example.de", "Sonne#2026x"
        validated_account(stack.url, email, password)
        call(stack.url, "/v1/sessions", {"email": email, "password": password})  # warm instance
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            call(stack.url, "/v1/sessions", {"email": email, "password": password})
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"sign-in over HTTP on the local stack, {args.runs} runs, binaries from {args.bin_dir}")
        print(f"median {statistics.median(times):.1f} ms   p90 {times[int(0.9 * (len(times) - 1))]:.1f} ms   min {times[0]:.1f} ms")


if __name__ == "__main__":
    main()
