"""moto's server with one lock around request handling.

Stock moto_server handles requests on parallel threads without a lock, and under load it loses
conditional updates (a 50-seat limit admitted 51-57 in tests). DynamoDB's guarantees only hold
here if requests are applied one at a time, so every request runs under one global lock.
Connections are still accepted in parallel, so no client waits on another's socket.

Run: python -m shopstack.motolock --port 5005   (binds 127.0.0.1 only)
"""

import argparse
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def serialised(app):
    lock = threading.Lock()

    def locked_app(environ, start_response):
        with lock:
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
