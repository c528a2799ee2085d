"""The HTTP front: serves template.yaml's HttpApi routes as API Gateway (HTTP API, payload
format 2.0) would, plus the local-only `/_local/...` routes for development and tests.

Requests no function could read are refused here, before any function runs, as problem+json
with a stable `code` (docs/local-stack.md, "The HTTP front"): a malformed request line or
header block, a control character in a header or in the request target, a request line and
header values over API Gateway's 10,240-byte quota, a body over its 10 MB payload quota, and
body framing that cannot be read. Every request gets one access-log line:
`[http] METHOD /path STATUS 12.3ms Function`.
"""

import base64
import json
import re
import sys
import threading
import time
import traceback
import uuid
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import template
from .quiet import QuietHandler
from .runtime import FunctionError


class Server(ThreadingHTTPServer):
    """A threading server whose listen backlog takes a burst of clients, as API Gateway does
    (the standard library's default of 5 resets connections under 50 concurrent requests)."""

    request_queue_size = 256
    daemon_threads = True


# API Gateway HTTP API quotas (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html):
# "Total combined size of request line and header values: 10240 bytes", "Payload size: 10 MB".
MAX_REQUEST_HEAD = 10240
MAX_PAYLOAD = 10 * 1024 * 1024

# RFC 9110 5.1 / 5.6.2: a field name is a token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 9110 5.5: field-value = *( VCHAR / SP / HTAB / obs-text ): every other control character
# (C0 but HTAB, and DEL) makes the field invalid; CR, LF and NUL must be refused or replaced.
_CTL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# The methods an HTTP API route can name (its ANY covers exactly these).
ROUTABLE = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def problem(status, code, detail):
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status, "detail": detail, "code": code}
    return status, {"content-type": "application/problem+json"}, json.dumps(body).encode()


_TITLES = {
    400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 411: "Length Required", 413: "Content Too Large",
    414: "URI Too Long", 431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
    503: "Service Unavailable", 505: "HTTP Version Not Supported",
}


class Refused(Exception):
    """A request the front answers itself (problem+json) without invoking a function."""

    def __init__(self, status, code, detail, headers=None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}

    def answer(self):
        status, headers, body = problem(self.status, self.code, self.detail)
        return status, {**headers, **self.headers}, body


def _shown(text, limit=60):
    """A short, printable excerpt of client input for a detail or the log."""
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "…"


def check_head(requestline, method, target, headers):
    """Refuses a request line and header block no function could read, as API Gateway's
    front refuses them (RFC 9110/9112 grammar, the HTTP API quotas). `headers` is a list of
    (name, value) pairs as received (ISO-8859-1 decoded)."""
    if not _TOKEN.fullmatch(method):
        raise Refused(400, "invalid_request_line", f"The method {_shown(method)!r} is not an HTTP token.")
    if _CTL.search(target):
        raise Refused(400, "invalid_request_target", "The request target contains a control character; percent-encode it.")
    if len(requestline) > MAX_REQUEST_HEAD:
        raise Refused(414, "uri_too_long", f"The request line is {len(requestline)} bytes; at most {MAX_REQUEST_HEAD} are served.")
    size = len(requestline)
    for name, value in headers:
        if not _TOKEN.fullmatch(name):
            raise Refused(400, "invalid_header", f"The header name {_shown(name)!r} is not an HTTP token.")
        if _CTL.search(value):
            raise Refused(400, "invalid_header",
                          f"The {_shown(name)} header contains a control character (RFC 9110 5.5 allows none but tab).")
        size += len(value)
    if size > MAX_REQUEST_HEAD:
        raise Refused(431, "header_fields_too_large",
                      f"The request line and header values are {size} bytes; at most {MAX_REQUEST_HEAD} are served.")


def _utf8(value):
    """Header values arrive ISO-8859-1 decoded; a client's UTF-8 (obs-text) is passed on as
    the text it is, anything else byte for byte."""
    try:
        return value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


class Route:
    def __init__(self, method, path, pool):
        self.method, self.path, self.pool = method, path, pool
        pattern = ""
        for segment in path.strip("/").split("/"):
            if segment.endswith("+}"):
                pattern += f"/(?P<{segment[1:-2]}>.+)"
            elif segment.startswith("{"):
                pattern += f"/(?P<{segment[1:-1]}>[^/]+)"
            else:
                pattern += "/" + re.escape(segment)
        self.regex = re.compile(f"^{pattern}$")
        # Static segments win over parameters, as in API Gateway.
        self.rank = (-sum(not s.startswith("{") for s in path.split("/")), "+}" in path)

    def match(self, method, path):
        if self.method not in (method, "ANY"):
            return None
        m = self.regex.match(path)
        return m.groupdict() if m else None


def api_event(method, route, path, raw_query, headers, body, params, client_ip):
    now = time.time()
    lowered = {}
    for k, v in headers.items():
        lowered[k.lower()] = f"{lowered[k.lower()]},{v}" if k.lower() in lowered else v
    event = {
        "version": "2.0",
        "routeKey": f"{route.method} {route.path}",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": {k: v for k, v in lowered.items() if k != "cookie"},
        "requestContext": {
            "accountId": template.ACCOUNT,
            "apiId": "local",
            "domainName": lowered.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": client_ip, "userAgent": lowered.get("user-agent", "")},
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if "cookie" in lowered:
        event["cookies"] = [c.strip() for c in lowered["cookie"].split(";") if c.strip()]
    query = {}
    for k, v in parse_qsl(raw_query, keep_blank_values=True):
        query[k] = f"{query[k]},{v}" if k in query else v  # API Gateway joins repeats with commas
    if query:
        event["queryStringParameters"] = query
    if params:
        event["pathParameters"] = params
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return event


def api_response(raw):
    """Reads a payload-2.0 response the way API Gateway does."""
    try:
        out = json.loads(raw)
    except ValueError:
        return 500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}'
    if not isinstance(out, dict) or "statusCode" not in out:
        return 200, {"content-type": "application/json"}, raw
    headers = {k.lower(): str(v) for k, v in (out.get("headers") or {}).items()}
    for k, values in (out.get("multiValueHeaders") or {}).items():
        headers[k.lower()] = ",".join(map(str, values))
    body = out.get("body") or ""
    body = base64.b64decode(body) if out.get("isBase64Encoded") else body.encode("utf-8")
    cookies = out.get("cookies") or []
    return int(out["statusCode"]), headers, body, cookies


class Gateway:
    def __init__(self, port, routes, local, cors, log=None):
        self.routes = sorted(routes, key=lambda r: r.rank)
        self.local = local  # callable(method, path, query, body) -> (status, headers, body) or None
        self.cors = cors
        self.log = log or _print
        self.server = Server(("127.0.0.1", port), self._handler())

    def serve(self):
        self.server.serve_forever()

    def shutdown(self):
        self.server.shutdown()

    def dispatch(self, method, raw_path, headers, body, client_ip):
        """Answers (status, headers, body, cookies, function): `function` names the function
        that answered, or "-" when the front answered itself."""
        split = urlsplit(raw_path)
        path, raw_query = split.path, split.query
        if path.startswith("/_local/"):
            try:
                return (*self.local(method, path, dict(parse_qsl(raw_query)), body)[:3], [], "local")
            except Exception:  # a broken local route must answer, not drop the connection
                traceback.print_exc()
                return (*problem(500, "local_route_failed", f"{method} {path} failed; see the stack's log."), [], "local")
        if method == "OPTIONS" and self._origin_allowed(headers):
            return 204, self._preflight_headers(), b"", [], "-"
        allowed = []
        for route in self.routes:
            if not route.regex.match(path):
                continue
            allowed += ROUTABLE if route.method == "ANY" else [route.method]
            params = route.match(method, path)
            if params is None or method not in ROUTABLE:
                continue
            event = api_event(method, route, path, raw_query, headers, body, params, client_ip)
            function = route.pool.fn.logical_id
            try:
                raw = route.pool.invoke(event)
            except FunctionError as e:
                if b"Sandbox.Timedout" in e.body:
                    return 503, {"content-type": "application/json"}, b'{"message":"Service Unavailable"}', [], function
                return 500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}', [], function
            status, out_headers, out_body, *cookies = api_response(raw)
            return status, out_headers, out_body, (cookies[0] if cookies else []), function
        if allowed:
            status, out_headers, out_body = problem(405, "method_not_allowed", f"{_shown(method)} is not served on {_shown(path)}.")
            out_headers["allow"] = ", ".join(dict.fromkeys(allowed))
            return status, out_headers, out_body, [], "-"
        return (*problem(404, "route_not_found", f"No route for {_shown(method)} {_shown(path)}."), [], "-")

    def _origin_allowed(self, headers):
        origin = _header(headers, "origin")
        allowed = self.cors.get("AllowOrigins", [])
        return origin is not None and (origin in allowed or "*" in allowed)

    def _preflight_headers(self):
        c = self.cors
        return {
            "access-control-allow-methods": ",".join(c.get("AllowMethods", [])),
            "access-control-allow-headers": ",".join(c.get("AllowHeaders", [])),
            "access-control-max-age": str(c.get("MaxAge", 0)),
        }

    def _handler(self):
        gateway = self

        class Handler(QuietHandler):
            def __getattr__(self, name):
                # Every method reaches the routes (TRACE, QUERY, CONNECT, anything): the routes
                # answer 404 or 405 as problem+json, never the standard library's HTML 501.
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            def send_error(self, code, message=None, explain=None):
                """What the standard library refuses while reading the request (an over-long
                request line or header line, too many headers, a bad request line or
                version), as problem+json."""
                codes = {400: "invalid_request_line", 414: "uri_too_long", 431: "header_fields_too_large",
                         505: "http_version_not_supported"}
                details = {414: f"The request line is longer than {MAX_REQUEST_HEAD} bytes.",
                           431: f"The request line and header values are longer than {MAX_REQUEST_HEAD} bytes."}
                detail = details.get(code) or _shown(explain or message or "The request cannot be read.", 200)
                self._refuse(Refused(code, codes.get(code, "bad_request"), detail))

            def _refuse(self, refused):
                # The rest of what the client sent is not read: the connection cannot be reused.
                self.close_connection = True
                if self.request_version not in ("HTTP/1.0", "HTTP/1.1"):
                    self.request_version = "HTTP/1.1"  # an unreadable request line still gets a status line
                status, headers, body = refused.answer()
                self._write(status, {**headers, "connection": "close"}, body, [])
                self._access(status, "-")
                self._linger()

            def _linger(self):
                """Reads and drops, briefly, what the client is still sending: closing a socket
                with unread input resets the connection, and the client may then lose the answer
                before reading it (the "lingering close" of HTTP servers)."""
                try:
                    self.wfile.flush()
                    self.connection.settimeout(0.2)
                    for _ in range(256):  # at most 16 MiB
                        if not self.connection.recv(65536):
                            break
                except OSError:
                    pass

            def _serve(self):
                try:
                    headers, body = self._read()
                except Refused as refused:
                    return self._refuse(refused)
                status, out_headers, out_body, cookies, function = gateway.dispatch(
                    self.command, self._target(), headers, body, self.client_address[0])
                if gateway._origin_allowed(headers):
                    out_headers["access-control-allow-origin"] = _header(headers, "origin")
                    if gateway.cors.get("ExposeHeaders"):
                        out_headers["access-control-expose-headers"] = ",".join(gateway.cors["ExposeHeaders"])
                self._write(status, out_headers, out_body, cookies)
                self._access(status, function)

            def _target(self):
                """The path and query of an origin-form or absolute-form target."""
                if self.path.startswith("/"):
                    return self.path
                split = urlsplit(self.path)
                if split.scheme in ("http", "https") and split.netloc:
                    return (split.path or "/") + (f"?{split.query}" if split.query else "")
                return self.path

            def _read(self):
                """Checks the head and reads the body; answers (headers, body) or raises Refused."""
                pairs = list(self.headers.items())
                if self.headers.defects or self.headers.get_payload():
                    raise Refused(400, "invalid_header", "A header line is not `name: value` (RFC 9110 5).")
                check_head(self.requestline, self.command, self.path, pairs)
                if self.command == "CONNECT":
                    raise Refused(405, "method_not_allowed", "CONNECT is not served: this is not a proxy.")
                if not self._target().startswith("/"):
                    raise Refused(400, "invalid_request_target", f"The request target {_shown(self.path)!r} is not a path.")
                headers = {}
                for name, value in pairs:
                    headers[name] = f"{headers[name]},{_utf8(value)}" if name in headers else _utf8(value)
                return headers, self._body()

            def _body(self):
                codings = [c.strip().lower() for c in ",".join(self.headers.get_all("Transfer-Encoding") or []).split(",") if c.strip()]
                lengths = {v.strip() for v in self.headers.get_all("Content-Length") or []}
                if codings:
                    if codings != ["chunked"]:
                        raise Refused(501, "unsupported_transfer_encoding",
                                      f"Transfer-Encoding {_shown(', '.join(codings))} is not supported; send chunked or a Content-Length.")
                    if lengths:
                        raise Refused(400, "invalid_body_framing", "Send either Content-Length or Transfer-Encoding, not both.")
                    return self._chunked()
                if not lengths:
                    return b""
                if len(lengths) > 1 or not all(c.isdigit() for c in next(iter(lengths))):
                    raise Refused(400, "invalid_content_length", "Content-Length must be one decimal number of bytes.")
                length = int(next(iter(lengths)))
                if length > MAX_PAYLOAD:
                    raise Refused(413, "body_too_large", f"The body is {length} bytes; at most {MAX_PAYLOAD} are served.")
                body = self.rfile.read(length) if length else b""
                if len(body) != length:
                    raise Refused(400, "invalid_body_framing", "The body ended before its Content-Length.")
                return body

            def _chunked(self):
                body = bytearray()
                while True:
                    line = self.rfile.readline(1026)
                    size = line.split(b";", 1)[0].strip()
                    if not line.endswith(b"\n") or not size or any(c not in b"0123456789abcdefABCDEF" for c in size):
                        raise Refused(400, "invalid_body_framing", "A chunk size line cannot be read.")
                    size = int(size, 16)
                    if len(body) + size > MAX_PAYLOAD:
                        raise Refused(413, "body_too_large", f"The body is longer than {MAX_PAYLOAD} bytes.")
                    if size == 0:
                        break
                    chunk = self.rfile.read(size)
                    if len(chunk) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                        raise Refused(400, "invalid_body_framing", "A chunk is shorter than its size.")
                    body += chunk
                for _ in range(100):  # trailer fields, ignored
                    line = self.rfile.readline(MAX_REQUEST_HEAD)
                    if line in (b"\r\n", b"\n", b""):
                        return bytes(body)
                raise Refused(400, "invalid_body_framing", "Too many trailer fields.")

            def _write(self, status, out_headers, out_body, cookies):
                self.send_response(status)
                for k, v in out_headers.items():
                    if k != "content-length":
                        self.send_header(k, v)
                for c in cookies:
                    self.send_header("set-cookie", c)
                self.send_header("content-length", str(len(out_body)))
                self.end_headers()
                if self.command != "HEAD":  # a HEAD answer has the headers of the body it omits
                    self.wfile.write(out_body)

            def _access(self, status, function):
                started = getattr(self, "started", None)
                ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
                method = _shown(self.command or "-", 20)
                target = self._target() if self.path else "-"
                path = _shown(urlsplit(target).path if target.startswith("/") else target, 120)  # never the query
                gateway.log(f"[http] {method} {path} {status} {ms:.1f}ms {function}")

            def handle_one_request(self):
                self.started, self.command, self.path = None, None, None
                super().handle_one_request()

            def parse_request(self):
                self.started = time.perf_counter()  # the request line is in: time from here
                return super().parse_request()

        return Handler


_log_lock = threading.Lock()


def _print(line):
    with _log_lock:
        print(line, file=sys.stdout, flush=True)


def _header(headers, name):
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None
