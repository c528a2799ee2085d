"""Free ports for a local stack, taken below the kernel's ephemeral range.

A port the kernel hands out for `bind(0)` lies in the ephemeral range, the same range every
outgoing connection's source port comes from. The stack binds its gateway only after seeding,
which opens hundreds of connections to the stand-in, and one of them once took the gateway's
port first (`Address already in use`, a CI run lost). Below the range no outgoing connection
can take it.

Run: python -m shopstack.ports   (prints one free port)
"""

import random
import socket
from pathlib import Path

LOWEST = 20000


def ephemeral_low():
    """The first port of the kernel's ephemeral range (32768 when it cannot be read)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(tries=200):
    """A port on 127.0.0.1 that nothing holds now, below the ephemeral range."""
    high = max(LOWEST + 1, ephemeral_low())
    for _ in range(tries):
        port = random.randrange(LOWEST, high)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port between {LOWEST} and {high}")


if __name__ == "__main__":
    print(free_port())
