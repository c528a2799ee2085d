"""A Lambda Runtime API host: runs each function's real binary as Lambda does, one invocation
at a time per instance, starting more instances (up to a limit) while invocations wait.

Each instance gets its own runtime-API port, so the host knows which process holds which
invocation: a process that crashes or overruns its timeout fails that invocation, is killed,
and is replaced on demand, as on AWS.
"""

import json
import os
import queue
import subprocess
import threading
import time
import uuid
from http.server import ThreadingHTTPServer

from . import template
from .quiet import QuietHandler

PREFIX = "/2018-06-01/runtime"


class Invocation:
    def __init__(self, payload, timeout):
        self.id = str(uuid.uuid4())
        self.payload = payload
        self.deadline_ms = int((time.time() + timeout) * 1000)
        self.done = threading.Event()
        self.ok = False
        self.body = b""

    def finish(self, ok, body):
        if not self.done.is_set():
            self.ok, self.body = ok, body
            self.done.set()


class FunctionError(Exception):
    """The function failed, crashed or timed out; `body` is what the runtime reported."""

    def __init__(self, kind, body=b""):
        super().__init__(kind)
        self.kind, self.body = kind, body


class Instance:
    def __init__(self, pool, number):
        self.pool, self.number = pool, number
        self.current = None
        self.alive = True
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        env = dict(pool.env)
        env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{self.server.server_address[1]}"
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = f"local/{number}"
        self.process = subprocess.Popen(
            [pool.binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        threading.Thread(target=self._pump_logs, daemon=True).start()

    def _pump_logs(self):
        tag = f"[{self.pool.fn.logical_id}#{self.number}]"
        for line in self.process.stdout:
            self.pool.log(f"{tag} {line.decode('utf-8', 'replace').rstrip()}")
        self.process.wait()
        self.alive = False
        if self.current is not None:
            self.current.finish(False, b'{"errorType":"Runtime.ExitError","errorMessage":"process exited"}')
        self.pool.forget(self)
        self.server.shutdown()

    def kill(self):
        self.alive = False
        if self.process.poll() is None:
            self.process.kill()

    def _handler(self):
        instance = self

        class Handler(QuietHandler):
            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != f"{PREFIX}/invocation/next":
                    return self._reply(404)
                inv = instance.pool.next_invocation(instance)
                if inv is None:
                    return  # instance is going away; leave the runtime waiting
                headers = {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": inv.id,
                    "Lambda-Runtime-Deadline-Ms": str(inv.deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": instance.pool.arn,
                    "Lambda-Runtime-Trace-Id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}",
                }
                try:
                    self._reply(200, inv.payload, headers)
                    # A write into the socket of a process killed a moment ago may still
                    # succeed; an invocation handed to a dead process goes to another.
                    gone = instance.process.poll() is not None
                except OSError:
                    gone = True
                if gone and instance.current is inv:
                    instance.current = None
                    instance.pool.pending.put(inv)  # the runtime never saw it: give it to another

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = self.path[len(PREFIX):].strip("/").split("/")
                if parts == ["init", "error"]:
                    instance.pool.log(f"[{instance.pool.fn.logical_id}#{instance.number}] init error: {body.decode('utf-8', 'replace')}")
                    return self._reply(202, b"{}")
                if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                    inv = instance.current
                    if inv is None or inv.id != parts[1]:
                        return self._reply(400, b'{"errorType":"InvalidRequestID"}')
                    instance.current = None
                    inv.finish(parts[2] == "response", body)
                    return self._reply(202, b"{}")
                self._reply(404)

        return Handler


class FunctionPool:
    def __init__(self, fn, binary, env, log, max_instances=4):
        self.fn, self.binary, self.log = fn, binary, log
        self.max_instances = max_instances
        self.arn = f"arn:aws:lambda:{template.REGION}:{template.ACCOUNT}:function:{fn.logical_id}"
        self.env = {
            **env,
            **fn.environment,
            "AWS_LAMBDA_FUNCTION_NAME": fn.logical_id,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.logical_id}",
            "_HANDLER": "bootstrap",
        }
        self.pending = queue.Queue()
        self.instances = []
        self.idle = 0
        self.lock = threading.Lock()
        self.started = 0
        self.closed = False

    def invoke(self, payload, timeout=None):
        """Runs one invocation; returns the response bytes or raises FunctionError."""
        if not os.path.exists(self.binary):
            raise FunctionError("Runtime.MissingBinary", f"{self.binary} is not built".encode())
        limit = timeout or self.fn.timeout
        inv = Invocation(payload if isinstance(payload, bytes) else json.dumps(payload).encode(), limit)
        with self.lock:
            self.pending.put(inv)
            self._ensure_capacity()
        # Allow for a cold start on top of the function's own timeout.
        if not inv.done.wait(limit + 5):
            for instance in list(self.instances):
                if instance.current is inv:
                    instance.kill()
            inv.finish(False, b'{"errorType":"Sandbox.Timedout","errorMessage":"task timed out"}')
        if not inv.ok:
            raise FunctionError("Function.Error", inv.body)
        return inv.body

    def _ensure_capacity(self):
        """Starts an instance when work waits that no idle one will take (under the lock)."""
        live = [i for i in self.instances if i.alive and i.process.poll() is None]
        if not self.closed and self.idle < self.pending.qsize() and len(live) < self.max_instances:
            self.started += 1
            self.instances.append(Instance(self, self.started))

    def next_invocation(self, instance):
        with self.lock:
            self.idle += 1
        try:
            while instance.alive and not self.closed:
                try:
                    inv = self.pending.get(timeout=0.5)
                except queue.Empty:
                    continue
                if inv.done.is_set():
                    continue  # timed out while waiting
                if instance.process.poll() is not None:
                    self.pending.put(inv)  # killed while it waited: not for this instance
                    return None
                instance.current = inv
                return inv
            return None
        finally:
            with self.lock:
                self.idle -= 1
                # An instance that died while it waited may leave work nobody will take.
                if not instance.alive or instance.process.poll() is not None:
                    self._ensure_capacity()

    def forget(self, instance):
        with self.lock:
            if instance in self.instances:
                self.instances.remove(instance)
            self._ensure_capacity()

    def close(self):
        self.closed = True
        for instance in list(self.instances):
            instance.kill()
