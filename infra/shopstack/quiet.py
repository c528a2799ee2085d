"""The request handler base of the stack's own HTTP servers (the gateway, each function's
Runtime API): HTTP/1.1 keep-alive as the clients expect, and no access log line per request
(the stack logs what it does itself)."""

from http.server import BaseHTTPRequestHandler


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass
