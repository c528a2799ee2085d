"""What the local HTTP front does around the functions: unknown routes and methods, CORS, and
the requests it refuses itself, before any function runs, as API Gateway's front does
(docs/local-stack.md, "The HTTP front"): control characters in a header or the request
target, over-long request lines and headers, bodies it cannot frame. Raw sockets, because
http clients refuse to send most of these."""

import json
import re
import socket
import time
from urllib.parse import urlsplit

import pytest
from helpers import assert_problem, eventually, register

WEB_APP = "http://localhost:5173"  # template.yaml's AllowedOrigin default


def test_unknown_route_is_a_not_found_problem(shop):
    assert_problem(shop.get("/v1/nothing-here"), 404, "route_not_found")
    assert_problem(shop.get("/"), 404, "route_not_found")


def test_unserved_method_on_a_known_path_is_refused(shop):
    body = assert_problem(shop.post("/v1/products", {}), 405, "method_not_allowed")
    assert "POST" in body["detail"]


def test_cors_preflight_and_answers_for_the_web_app_origin(shop):
    r = shop.request("OPTIONS", "/v1/products", headers={"Origin": WEB_APP, "Access-Control-Request-Method": "GET"})
    assert r.status == 204
    assert "GET" in r.headers["access-control-allow-methods"]
    assert "idempotency-key" in r.headers["access-control-allow-headers"]
    r = shop.get("/v1/products", headers={"Origin": WEB_APP})
    assert r.headers.get("access-control-allow-origin") == WEB_APP


def test_no_cors_grant_for_other_origins(shop):
    r = shop.get("/v1/products", headers={"Origin": "https://evil.example"})
    assert r.status == 200
    assert "access-control-allow-origin" not in r.headers


# --- raw requests -------------------------------------------------------------------------


class Raw:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def _read_answer(sock, head_only=False):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head_only else int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Raw(status, headers, body[:length]), body[length:]


def raw(shop, head, body=b"", head_only=False):
    """Sends `head` (request line and header lines, without the blank line) and `body` as
    bytes on a new connection; answers the parsed response."""
    address = urlsplit(shop.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(head + b"\r\n\r\n" + body)
        return _read_answer(sock, head_only)[0]


def get(shop, target, *header_lines):
    lines = [b"GET " + target + b" HTTP/1.1", b"Host: 127.0.0.1"] + list(header_lines) + [b"Connection: close"]
    return raw(shop, b"\r\n".join(lines))


PRODUCTS = b"/v1/products?region=DE"


@pytest.mark.parametrize("line", [
    b"User-Agent: curl/8.5.0 \x1b[31mred\x1b[0m",  # the escape sequence of the report
    b"User-Agent: a\x00b",  # NUL
    b"X-Trace: a\x7fb",  # DEL
    b"Accept: text/plain\x0bb",  # vertical tab
    b"X-Folded: a\r\n b",  # obs-fold (RFC 9112 5.2): a line break inside a value
])
def test_a_control_character_in_a_header_is_refused_by_the_front(shop, line):
    assert get(shop, PRODUCTS).status == 200  # the same request without it is served
    r = get(shop, PRODUCTS, line)
    assert_problem(r, 400, "invalid_header")
    assert len(r.body) < 500


def test_a_control_character_in_the_authorization_header_is_no_500(shop):
    # The header a function reads first: before the front refused it, `me` answered 500.
    assert_problem(get(shop, b"/v1/me", b"Authorization: Bearer abc\x01def"), 400, "invalid_header")
    assert_problem(get(shop, b"/v1/me", b"Authorization: Bearer abcdef"), 401, "unauthenticated")


def test_a_header_line_that_is_not_name_colon_value_is_refused(shop):
    assert_problem(get(shop, PRODUCTS, b"Bad Name: value"), 400, "invalid_header")
    assert_problem(get(shop, PRODUCTS, b"X-Bad\x01Name: value"), 400, "invalid_header")
    assert_problem(get(shop, PRODUCTS, b"no colon at all"), 400, "invalid_header")


def test_the_refused_request_never_reaches_the_function(shop, unique_email):
    body = json.dumps({"email": unique_email, "name": "Eve Example", "country": "de", "language": "en",
                       "password": "Sonne#2026x", "accept_terms": True, "accept_privacy": True}).encode()
    head = b"\r\n".join([b"POST /v1/accounts HTTP/1.1", b"Host: 127.0.0.1", b"Content-Type: application/json",
                         b"User-Agent: probe\x1b]0;title\x07", b"Content-Length: " + str(len(body)).encode(),
                         b"Connection: close"])
    assert_problem(raw(shop, head, body), 400, "invalid_header")
    time.sleep(3)  # mails arrive about a second after the request that sends them
    assert shop.outbox(unique_email) == [], "the register function ran for a refused request"
    # The same registration without the escape sequence is served and mails (so the check
    # above could have seen a mail).
    assert register(shop, unique_email).status == 201
    assert eventually(lambda: shop.outbox(unique_email))


def test_tabs_and_utf8_in_header_values_are_passed_on(shop):
    assert get(shop, PRODUCTS, b"User-Agent: tab\there").status == 200
    assert get(shop, PRODUCTS, "User-Agent: Beno\u00eet's browser".encode("utf-8")).status == 200
    assert get(shop, PRODUCTS, b"User-Agent: Beno\xeet").status == 200  # ISO-8859-1 obs-text
    assert_problem(get(shop, b"/v1/me", "Authorization: Bearer \u00e9".encode("utf-8")), 401, "unauthenticated")


def test_a_control_character_in_the_request_target_is_refused(shop):
    assert_problem(get(shop, b"/v1/orders/a\x01b"), 400, "invalid_request_target")
    assert_problem(get(shop, b"/v1/products?region=D\x7fE"), 400, "invalid_request_target")
    # Percent-encoded, it is data for the function to judge.
    assert_problem(get(shop, b"/v1/products?region=%1b"), 400, "invalid_region")


@pytest.mark.parametrize("method", [b"TRACE", b"QUERY", b"PROPFIND"])
def test_other_methods_are_problems_not_html(shop, method):
    head = b"\r\n".join([method + b" /v1/products HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"])
    r = raw(shop, head)
    body = assert_problem(r, 405, "method_not_allowed")
    assert method.decode() in body["detail"]
    assert r.headers["allow"] == "GET"
    head = b"\r\n".join([method + b" /v1/nothing-here HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"])
    assert_problem(raw(shop, head), 404, "route_not_found")


def test_connect_is_refused_as_a_problem(shop):
    head = b"\r\n".join([b"CONNECT example.com:443 HTTP/1.1", b"Host: example.com:443"])
    assert_problem(raw(shop, head), 405, "method_not_allowed")
    head = b"\r\n".join([b"CONNECT /v1/products HTTP/1.1", b"Host: 127.0.0.1"])
    assert_problem(raw(shop, head), 405, "method_not_allowed")


def test_head_is_refused_without_a_body(shop):
    head = b"\r\n".join([b"HEAD /v1/products HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"])
    r = raw(shop, head, head_only=True)
    assert r.status == 405 and r.headers["content-type"] == "application/problem+json"
    assert r.headers["allow"] == "GET"


def test_an_unreadable_request_line_is_a_problem(shop):
    assert_problem(raw(shop, b"HELLO"), 400, "invalid_request_line")
    assert_problem(raw(shop, b"G(T /v1/products HTTP/1.1\r\nHost: 127.0.0.1"), 400, "invalid_request_line")
    assert_problem(raw(shop, b"GET /v1/products HTTP/2.0\r\nHost: 127.0.0.1"), 505, "http_version_not_supported")
    assert_problem(raw(shop, b"OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1"), 400, "invalid_request_target")


# API Gateway HTTP API: "Total combined size of request line and header values: 10240 bytes".
QUOTA = 10240


def test_a_request_line_over_the_quota_is_414(shop):
    prefix = PRODUCTS + b"&pad="
    fits = prefix + b"a" * (QUOTA - len(b"GET  HTTP/1.1") - len(prefix) - 200)
    # Just under the quota the function gets it (and judges the padding).
    assert_problem(get(shop, fits), 400, "unknown_parameter")
    r = get(shop, prefix + b"a" * QUOTA)
    body = assert_problem(r, 414, "uri_too_long")
    assert str(QUOTA) in body["detail"] and len(r.body) < 500
    assert_problem(get(shop, prefix + b"a" * 70_000), 414, "uri_too_long")  # over the reader's own line limit


def test_headers_over_the_quota_are_431(shop):
    assert get(shop, PRODUCTS, b"X-Pad: " + b"a" * 9000).status == 200  # under the quota: served
    body = assert_problem(get(shop, PRODUCTS, b"X-Pad: " + b"a" * 6000, b"X-Pad-2: " + b"a" * 6000), 431,
                          "header_fields_too_large")
    assert str(QUOTA) in body["detail"]
    assert_problem(get(shop, PRODUCTS, b"X-Pad: " + b"a" * 70_000), 431, "header_fields_too_large")
    many = [b"X-H%d: 1" % i for i in range(120)]  # more header lines than the reader takes
    assert_problem(get(shop, PRODUCTS, *many), 431, "header_fields_too_large")


def post_sessions(shop, framing, body):
    head = b"\r\n".join([b"POST /v1/sessions HTTP/1.1", b"Host: 127.0.0.1", b"Content-Type: application/json",
                         *framing, b"Connection: close"])
    return raw(shop, head, body)


def test_a_chunked_body_reaches_the_function(shop, unique_email):
    login = json.dumps({"email": unique_email, "password": "Sonne#2026x"}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (login[:10], login[10:])) + b"0\r\n\r\n"
    r = post_sessions(shop, [b"Transfer-Encoding: chunked"], chunks)
    assert_problem(r, 401, "invalid_credentials")  # the function read the JSON: an unknown email


def test_unreadable_body_framing_is_refused(shop):
    assert_problem(post_sessions(shop, [b"Content-Length: abc"], b"{}"), 400, "invalid_content_length")
    assert_problem(post_sessions(shop, [b"Content-Length: 2", b"Content-Length: 3"], b"{}"), 400, "invalid_content_length")
    assert_problem(post_sessions(shop, [b"Transfer-Encoding: gzip, chunked"], b"0\r\n\r\n"), 501, "unsupported_transfer_encoding")
    assert_problem(post_sessions(shop, [b"Transfer-Encoding: chunked"], b"zz\r\n{}\r\n0\r\n\r\n"), 400, "invalid_body_framing")
    assert_problem(post_sessions(shop, [b"Transfer-Encoding: chunked", b"Content-Length: 2"], b"0\r\n\r\n"), 400,
                   "invalid_body_framing")


def test_a_body_over_the_payload_quota_is_refused_unread(shop):
    # API Gateway HTTP API: "Payload size: 10 MB". The front refuses on the declared length.
    r = post_sessions(shop, [b"Content-Length: %d" % (10 * 1024 * 1024 + 1)], b"")
    assert_problem(r, 413, "body_too_large")


def test_a_kept_alive_connection_serves_one_request_after_another(shop):
    address = urlsplit(shop.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        body = b'{"email":"nobody@example.de","password":"x"}'
        sock.sendall(b"POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                     + b"GET " + PRODUCTS + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first, rest = _read_answer(sock)
        assert first.status in (400, 401) and first.status != 500
        data = rest
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        assert re.match(rb"HTTP/1\.1 200 ", data)
