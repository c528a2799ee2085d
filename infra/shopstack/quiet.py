"""The request handler base of the stack's own HTTP servers (the gateway, each function's
Runtime API): HTTP/1.1 keep-alive as the clients expect, TCP_NODELAY so an answer written as
headers and then body is not held back by delayed ACKs on an open connection (about 40 ms an
answer otherwise), and no access log line per request (the stack logs what it does itself)."""

from http.server import BaseHTTPRequestHandler


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass
