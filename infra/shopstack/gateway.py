"""The HTTP front: serves template.yaml's HttpApi routes as API Gateway (HTTP API, payload
format 2.0) would, plus the local-only `/_local/...` routes for development and tests."""

import base64
import json
import re
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import template
from .runtime import FunctionError


class Server(ThreadingHTTPServer):
    """A threading server whose listen backlog takes a burst of clients, as API Gateway does
    (the standard library's default of 5 resets connections under 50 concurrent requests)."""

    request_queue_size = 256
    daemon_threads = True


def problem(status, code, detail):
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status, "detail": detail, "code": code}
    return status, {"content-type": "application/problem+json"}, json.dumps(body).encode()


_TITLES = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error", 503: "Service Unavailable"}


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
    def __init__(self, port, routes, local, cors):
        self.routes = sorted(routes, key=lambda r: r.rank)
        self.local = local  # callable(method, path, query, body) -> (status, headers, body) or None
        self.cors = cors
        self.server = Server(("127.0.0.1", port), self._handler())

    def serve(self):
        self.server.serve_forever()

    def shutdown(self):
        self.server.shutdown()

    def dispatch(self, method, raw_path, headers, body, client_ip):
        split = urlsplit(raw_path)
        path, raw_query = split.path, split.query
        if path.startswith("/_local/"):
            try:
                return self.local(method, path, dict(parse_qsl(raw_query)), body)
            except Exception:  # a broken local route must answer, not drop the connection
                traceback.print_exc()
                return problem(500, "local_route_failed", f"{method} {path} failed; see the stack's log.")
        if method == "OPTIONS" and self._origin_allowed(headers):
            return 204, self._preflight_headers(), b""
        known_path = False
        for route in self.routes:
            if route.regex.match(path):
                known_path = True
            params = route.match(method, path)
            if params is None:
                continue
            event = api_event(method, route, path, raw_query, headers, body, params, client_ip)
            try:
                raw = route.pool.invoke(event)
            except FunctionError as e:
                if b"Sandbox.Timedout" in e.body:
                    return 503, {"content-type": "application/json"}, b'{"message":"Service Unavailable"}'
                return 500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}'
            return api_response(raw)
        if known_path:
            return problem(405, "method_not_allowed", f"{method} is not served on {path}.")
        return problem(404, "route_not_found", f"No route for {method} {path}.")

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

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items()}
                result = gateway.dispatch(self.command, self.path, headers, body, self.client_address[0])
                status, out_headers, out_body = result[:3]
                cookies = result[3] if len(result) > 3 else []
                if gateway._origin_allowed(headers):
                    out_headers["access-control-allow-origin"] = _header(headers, "origin")
                    if gateway.cors.get("ExposeHeaders"):
                        out_headers["access-control-expose-headers"] = ",".join(gateway.cors["ExposeHeaders"])
                self.send_response(status)
                for k, v in out_headers.items():
                    if k != "content-length":
                        self.send_header(k, v)
                for c in cookies:
                    self.send_header("set-cookie", c)
                self.send_header("content-length", str(len(out_body)))
                self.end_headers()
                self.wfile.write(out_body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

        return Handler


def _header(headers, name):
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None
