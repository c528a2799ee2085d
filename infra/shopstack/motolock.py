"""moto's server with one lock around request handling.

Stock moto_server handles requests on parallel threads without a lock, and under load it loses
conditional updates (a 50-seat limit admitted 51-57 in tests). DynamoDB's guarantees only hold
here if requests are applied one at a time, so every request runs under one global lock.
Connections are still accepted in parallel, so no client waits on another's socket.

It also serves GET /_shop/outbox[?to=email]: the emails SES accepted, for the local stack's
outbox; GET (DELETE: reset) /_shop/calls: AWS calls counted by operation, for the benchmarks; and
GET /_shop/stats: its process id, resident memory and the sizes of what it keeps, for the soak
test (infra/soak.py).

Left alone, moto keeps everything for ever and slows down as the table grows; a stack left
running all day ran out of memory (6.2 GB after 7.5 minutes of the soak's traffic). The patches
below, applied at start, bound what grows (docs/local-stack.md, "Memory"):

- stop_tracking_models: moto's BaseModel kept every model object it ever made (every item
  version, every copy of an item or message it handed out, a copy of the whole table per
  transaction) in a class-level list for its dashboard dump. Nothing is tracked here.
- copy_only_touched_items: a transaction copies the items it names, not the whole table.
- queries_without_sorting_the_table: a query no longer sorts the whole table first.
- no_empty_partitions: a GetItem miss no longer leaves an empty partition behind.
- Emails SES accepted: the newest `--keep-mails` (default 2000) are kept for the outbox.
- Receipt handles of deleted SQS messages (moto keeps them so that deleting twice succeeds):
  the newest `--keep-receipts` (default 10000) per queue.

Connections stay open between requests (KeepAliveHandler), as AWS's endpoints keep them: the
werkzeug server closes every connection after one answer, so each SDK call paid a new TCP
connection in the functions' CPU figures that AWS does not charge them.

The patches reach into moto 5.2.5 (pinned in infra/requirements.txt); check them when it moves.

Run: python -m shopstack.motolock --port 5005   (binds 127.0.0.1 only)
"""

import argparse
import io
import json
import os
import socket
import threading
import urllib.parse

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import DechunkedInput, run_simple


OUTBOX_PATH = "/_shop/outbox"
CALLS_PATH = "/_shop/calls"
STATS_PATH = "/_shop/stats"


DEFAULT_KEEP_MAILS = 2000
DEFAULT_KEEP_RECEIPTS = 10000


READY, _READY_PEER = socket.socketpair()
_READY_PEER.send(b"x")


class KeepAliveHandler(MotoRequestHandler):
    """HTTP/1.1 keep-alive. werkzeug answers every request with `Connection: close`, since it
    cannot tell how much of a body the app left unread, and after the answer discards whatever
    the socket holds (which, on an open connection, would be the client's next request). Here
    the body is read through CountedInput, werkzeug's discard reads nothing, and what the app
    left of the body is drained after the answer, so the next request starts where it should.
    A body without a length (chunked upload) still closes the connection."""

    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # The head and the body of an answer are two writes: without this the body waits for
        # the client's delayed acknowledgement of the head (40 ms) on an open connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def run_wsgi(self):
        self._socket_input, self._body = self.rfile, None
        # What werkzeug's discard after the answer waits on and reads: a socket that is always
        # ready and a stream that is empty, so it neither waits 10 ms nor eats the next request.
        connection, self.connection, self.rfile = self.connection, READY, io.BytesIO()
        try:
            super().run_wsgi()
        finally:
            self.connection, self.rfile = connection, self._socket_input
        if self._body is None or not self._body.drain():
            self.close_connection = True

    def make_environ(self):
        environ = super().make_environ()
        length = environ.get("CONTENT_LENGTH") or "0"
        if environ.get("wsgi.input_terminated") or not length.isdigit():
            self._body = None
            environ["wsgi.input"] = DechunkedInput(self._socket_input)
        else:
            self._body = CountedInput(self._socket_input, int(length))
            environ["wsgi.input"] = self._body
        return environ

    def send_header(self, keyword, value):
        if keyword.lower() == "connection" and value.lower() == "close" and self._body is not None:
            return  # kept open: run_wsgi drains the body
        super().send_header(keyword, value)


class CountedInput:
    """A request body of known length: reads never go past it, and what is left can be drained."""

    def __init__(self, stream, length):
        self.stream, self.left = stream, length

    def read(self, size=-1):
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.stream.read(size) if size else b""
        self.left -= len(data)
        return data

    def readline(self, size=-1):
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.stream.readline(size) if size else b""
        self.left -= len(data)
        return data

    def __iter__(self):
        return iter(self.readline, b"")

    def drain(self):
        """Reads what the app left of the body; False when the client stopped sending."""
        while self.left:
            if not self.read(min(self.left, 65536)):
                return False
        return True


def stop_tracking_models():
    """moto's BaseModel.__new__ appends every instance of every model to its class's
    `instances_tracked`, only for /moto-api/data.json (and S3's reset, unused here), so no item
    version, table copy or message copy is ever freed. Create models without tracking them."""
    from moto.core.common_models import BaseModel
    from moto.core.model_instances import reset_model_data

    def untracked(cls, *args, **kwargs):
        return object.__new__(cls)

    BaseModel.__new__ = staticmethod(untracked)
    reset_model_data()  # drop what was tracked while moto was imported


def copy_only_touched_items():
    """TransactWriteItems in moto deep-copies every table it writes to before it starts, so that
    it can put the copy back if the transaction is cancelled: time and (passing) memory in
    proportion to the whole table for every transaction (100 ms at 2,000 items here). Instead,
    copy the items the transaction names and put those back if it fails; moto's whole-table copy
    becomes the table itself for the duration of the call (all calls run under one lock)."""
    import copy

    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    moto_transact = DynamoDBBackend.transact_write_items

    def restore(table, hash_key, range_key, item):
        if item is None:
            table.delete_item(hash_key, range_key)
        elif range_key is not None:
            table.items[hash_key][range_key] = item
        else:
            table.items[hash_key] = item

    def transact_write_items(self, transact_items):
        try:
            saved = []
            for entry in transact_items:
                (op,) = entry.values()
                table = self.get_table(op["TableName"])
                hash_key, range_key = self.get_keys_value(table, op["Item"] if "Item" in op else op["Key"])
                saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
        except Exception:
            return moto_transact(self, transact_items)  # malformed: moto answers it as before
        Table.__deepcopy__ = lambda table, memo: table
        try:
            return moto_transact(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(saved):
                restore(table, hash_key, range_key, item)
            raise
        finally:
            del Table.__deepcopy__

    DynamoDBBackend.transact_write_items = transact_write_items


def no_empty_partitions():
    """moto's table keeps items in a defaultdict by partition key: every GetItem of a key that is
    not there (an idempotency key, an email not yet registered) adds an empty partition that is
    never removed, and a deleted partition's last item leaves one too. Look up without adding,
    and drop a partition when its last item goes."""
    from moto.dynamodb.models.table import Table

    moto_get, moto_delete = Table.get_item, Table.delete_item

    def get_item(self, hash_key, range_key=None, projection_expression=None):
        if range_key and self.has_range_key and hash_key not in self.items:
            return None
        return moto_get(self, hash_key, range_key, projection_expression)

    def delete_item(self, hash_key, range_key):
        item = moto_delete(self, hash_key, range_key)
        if range_key and hash_key in self.items and not self.items[hash_key]:
            del self.items[hash_key]
        return item

    Table.get_item, Table.delete_item = get_item, delete_item


def queries_without_sorting_the_table():
    """moto answers every Query from `all_items()`: the whole table, sorted by primary key with
    Python comparisons, then filtered; and sorts the matches again. A query cost 300-400 ms at
    6,000 items and all requests wait on the one lock, so the shop slowed down as its table grew.
    For the duration of a query, `all_items()` is the item's partition (a table query) or the
    table unsorted (an index query); moto filters and sorts the candidates as before, so the
    answer, its order and its paging are unchanged."""
    import inspect

    from moto.dynamodb.models.table import Table

    moto_query = Table.query
    signature = inspect.signature(moto_query)

    def candidates(table, hash_key, index_name):
        if index_name is None:
            partition = table.items.get(hash_key)
            if partition is None:
                return []
            return list(partition.values()) if table.has_range_key else [partition]
        if table.has_range_key:
            return [item for partition in table.items.values() for item in partition.values()]
        return list(table.items.values())

    def query(self, *args, **kwargs):
        call = signature.bind(self, *args, **kwargs).arguments
        if call.get("hash_key") is None and call.get("index_name") is None:
            return moto_query(self, *args, **kwargs)
        found = candidates(self, call.get("hash_key"), call.get("index_name"))
        self.all_items = lambda: found
        try:
            return moto_query(self, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query


class RecentSet:
    """The part of a set moto uses (`in`, `add`, `update`, `len`), remembering only the newest
    `keep` members."""

    def __init__(self, keep, members=()):
        self.keep = keep
        self.members = {}
        self.update(members)

    def __contains__(self, member):
        return member in self.members

    def __len__(self):
        return len(self.members)

    def __iter__(self):
        return iter(list(self.members))

    def add(self, member):
        self.members.pop(member, None)
        self.members[member] = None
        while len(self.members) > self.keep:
            del self.members[next(iter(self.members))]

    def update(self, members):
        for member in members:
            self.add(member)


def ses_backends_here():
    from moto.ses.models import ses_backends

    return [backend for regions in ses_backends.values() for backend in regions.values()]


def sqs_queues_here():
    from moto.sqs.models import sqs_backends

    return [q for regions in sqs_backends.values() for backend in regions.values() for q in backend.queues.values()]


def trim(keep_mails, keep_receipts):
    """Applies the bounds after a request: the newest mails, the newest deleted receipt handles."""
    for backend in ses_backends_here():
        extra = len(backend.sent_messages) - keep_mails
        if extra > 0:
            del backend.sent_messages[:extra]
    for q in sqs_queues_here():
        if not isinstance(q.deleted_messages, RecentSet):
            q.deleted_messages = RecentSet(keep_receipts, q.deleted_messages)


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def stats():
    """What the stand-in holds, for the soak test: its pid and RSS, and the size of every store."""
    from moto.core.model_instances import model_data
    from moto.dynamodb.models import dynamodb_backends

    tables = {}
    for regions in dynamodb_backends.values():
        for backend in regions.values():
            for name, table in backend.tables.items():
                tables[name] = {"items": sum(len(p) if table.has_range_key else 1 for p in table.items.values()),
                                "partitions": len(table.items)}
    queues = {
        q.name: {"messages": len(q._messages), "deleted_receipts": len(q.deleted_messages)} for q in sqs_queues_here()
    }
    tracked = sum(len(getattr(m, "instances_tracked", ())) for models in model_data.values() for m in models.values())
    return {
        "pid": os.getpid(),
        "rss_kib": rss_kib(),
        "stores": {
            "tables": tables,
            "queues": queues,
            "mails": sum(len(b.sent_messages) for b in ses_backends_here()),
            "tracked_models": tracked,
        },
    }


def sent_emails(to=None):
    """The emails SES accepted (the newest `--keep-mails`), read from moto's SES backends in this
    process, optionally only those to one address. moto's own /moto-api/data.json dumps every
    model (all table items too), which grows slow in a test run."""
    mails = []
    for backend in ses_backends_here():
        for m in backend.sent_messages:
            destinations = getattr(m, "destinations", None) or {}
            to_all = [a for kind in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(kind, [])]
            if to is not None and to not in to_all:
                continue
            mails.append(
                {
                    "id": m.id,
                    "from": getattr(m, "source", None),
                    "to": to_all,
                    "subject": getattr(m, "subject", None),
                    "body": getattr(m, "body", None) or getattr(m, "raw_data", None),
                }
            )
    return mails


def serialised(app, keep_mails=DEFAULT_KEEP_MAILS, keep_receipts=DEFAULT_KEEP_RECEIPTS):
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
                query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
                to = query["to"][0].strip().lower() if query.get("to") else None
                return reply(start_response, {"messages": sent_emails(to)})
            if path == STATS_PATH:
                return reply(start_response, stats())
            if path == CALLS_PATH:
                # Benchmarks count AWS calls by operation; DELETE starts a new count.
                if environ.get("REQUEST_METHOD") == "DELETE":
                    calls.clear()
                return reply(start_response, {"calls": dict(calls)})
            target = environ.get("HTTP_X_AMZ_TARGET")
            if target:
                calls[target] = calls.get(target, 0) + 1
            # Drain the body inside the lock: moto may build it lazily from shared state.
            body = list(app(environ, start_response))
            trim(keep_mails, keep_receipts)
            return body

    return locked_app


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--keep-mails", type=int, default=DEFAULT_KEEP_MAILS,
                        help="emails kept for the outbox, newest first (default %(default)s)")
    parser.add_argument("--keep-receipts", type=int, default=DEFAULT_KEEP_RECEIPTS,
                        help="receipt handles of deleted messages kept per queue (default %(default)s)")
    args = parser.parse_args()
    stop_tracking_models()
    copy_only_touched_items()
    no_empty_partitions()
    queries_without_sorting_the_table()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        "127.0.0.1",
        args.port,
        serialised(app, args.keep_mails, args.keep_receipts),
        threaded=True,
        request_handler=KeepAliveHandler,
    )


if __name__ == "__main__":
    main()
