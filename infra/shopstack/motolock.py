"""moto's server with one lock around request handling.

Stock moto_server handles requests on parallel threads without a lock, and under load it loses
conditional updates (a 50-seat limit admitted 51-57 in tests). DynamoDB's guarantees only hold
here if requests are applied one at a time, so every request runs under one global lock.
Connections are still accepted in parallel, so no client waits on another's socket.

It also serves GET /_shop/outbox: the emails SES accepted, for the local stack's outbox; and
GET (DELETE: reset) /_shop/calls: AWS calls counted by operation, for the benchmarks.

Run: python -m shopstack.motolock --port 5005   (binds 127.0.0.1 only)
"""

import argparse
import json
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


OUTBOX_PATH = "/_shop/outbox"
CALLS_PATH = "/_shop/calls"


def sent_emails():
    """Every email SES accepted, read from moto's SES backends in this process. moto's own
    /moto-api/data.json dumps every model (all table items too), which grows slow in a test run."""
    from moto.ses.models import ses_backends

    mails = []
    for regions in ses_backends.values():
        for backend in regions.values():
            for m in backend.sent_messages:
                destinations = getattr(m, "destinations", None) or {}
                to = [a for kind in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(kind, [])]
                mails.append(
                    {
                        "id": m.id,
                        "from": getattr(m, "source", None),
                        "to": to,
                        "subject": getattr(m, "subject", None),
                        "body": getattr(m, "body", None) or getattr(m, "raw_data", None),
                    }
                )
    return mails


def serialised(app):
    lock = threading.Lock()
    calls = {}

    def reply(start_response, value):
        body = json.dumps(value).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def locked_app(environ, start_response):
        with lock:
            path = environ.get("PATH_INFO")
            if path == OUTBOX_PATH:
                return reply(start_response, {"messages": sent_emails()})
            if path == CALLS_PATH:
                # Benchmarks count AWS calls by operation; DELETE starts a new count.
                if environ.get("REQUEST_METHOD") == "DELETE":
                    calls.clear()
                return reply(start_response, {"calls": dict(calls)})
            target = environ.get("HTTP_X_AMZ_TARGET")
            if target:
                calls[target] = calls.get(target, 0) + 1
            # Drain the body inside the lock: moto may build it lazily from shared state.
            return list(app(environ, start_response))

    return locked_app


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5005)
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        "127.0.0.1",
        args.port,
        serialised(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
