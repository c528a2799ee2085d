"""The shared clock: an offset in milliseconds kept in one file that every function reads
through `LOCAL_CLOCK_FILE` (see shop-adapters' clock module)."""

import datetime as dt
import re
import threading

_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(text):
    """ISO 8601 days-and-time durations: P14D, PT2H, P1DT30M, -P1D."""
    m = _DURATION.match(text or "")
    if not m or text.rstrip("T").endswith("P") or text.endswith("T"):
        raise ValueError(f"`{text}` is not a duration like P14D or PT2H")
    sign, d, h, mi, s = m.groups()
    delta = dt.timedelta(days=int(d or 0), hours=int(h or 0), minutes=int(mi or 0), seconds=int(s or 0))
    return -delta if sign else delta


def parse_instant(text):
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("the instant needs a zone, e.g. 2026-12-01T08:00:00Z")
    return value


class Clock:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self._write(0)

    def _write(self, offset_ms):
        tmp = f"{self.path}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(str(offset_ms))
        import os

        os.replace(tmp, self.path)  # atomic: a function never reads half a number
        self.offset_ms = offset_ms

    def now(self):
        return dt.datetime.now(dt.timezone.utc) + dt.timedelta(milliseconds=self.offset_ms)

    def set(self, instant):
        with self.lock:
            real = dt.datetime.now(dt.timezone.utc)
            self._write(int((instant - real).total_seconds() * 1000))

    def advance(self, delta):
        with self.lock:
            self._write(self.offset_ms + int(delta.total_seconds() * 1000))

    def reset(self):
        with self.lock:
            self._write(0)

    def describe(self):
        return {"now": self.now().isoformat().replace("+00:00", "Z"), "offset_ms": self.offset_ms}
