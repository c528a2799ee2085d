"""The payment provider's test mode and the EU VIES service, for the local stack and tests.

Payments speak the subset of Stripe's API the shop uses (form-encoded POSTs, bearer key,
`Idempotency-Key` replays, JSON answers shaped like Stripe's documented objects) and deliver
signed webhooks (`Stripe-Signature: t=…,v1=HMAC-SHA256("t.body")`) to the shop's webhook route,
timed by the local clock. Test payment methods:

    pm_card_visa                    succeeds at once
    pm_card_chargeDeclined          declined (402 card_declined)
    pm_card_authenticationRequired  needs 3-D Secure: a redirect URL; opening it succeeds
    pm_sepa_debit                   processing; POST /_sandbox/payment_intents/{id}/settle|fail
    pm_card_offSessionDeclined      succeeds with the customer present, declined off-session

Any other payment method is refused as the provider refuses an id it does not know: 400,
`invalid_request_error`, code `resource_missing`, param `payment_method`, no intent created.

The shop's reconciliation reads `GET /v1/payment_intents/{id}`, searches
`GET /v1/payment_intents/search?query=metadata['order_id']:'…'` and cancels with
`POST /v1/payment_intents/{id}/cancel`. Failure drills: `POST /_sandbox/webhooks {"deliver": false}`
stops sending webhooks; `POST /_sandbox/hold {"payment_intents": 1}` holds the next intent creation
(`GET /_sandbox/hold` counts the waiting ones) until `POST /_sandbox/release` drops it uncreated.

VIES answers `GET /vies/ms/{country}/vat/{number}` like the REST API: valid, `INVALID` for
numbers listed in `invalid`, and `MS_UNAVAILABLE` for member states switched off with
`POST /_sandbox/vies {"down": ["AT"]}` (`"down": ["*"]` answers 503 for every state).
"""

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from .gateway import Server

# Numbers the fake register does not know (well-formed, so only VIES can say so).
INVALID = {"ATU99999993"}

# The test payment methods (docs/payments.md); the provider knows no other.
PAYMENT_METHODS = {
    "pm_card_visa", "pm_card_chargeDeclined", "pm_card_authenticationRequired", "pm_sepa_debit",
    "pm_card_offSessionDeclined",
}


def unknown_payment_method(pm):
    """The provider's error for a payment method id it does not know (Stripe's documented
    error object: https://docs.stripe.com/api/errors, https://docs.stripe.com/error-codes#resource-missing)."""
    if pm == "":
        return {"type": "invalid_request_error", "code": "parameter_invalid_empty", "param": "payment_method",
                "message": "You passed an empty string for 'payment_method'. We assume empty values are an attempt "
                           "to unset a parameter; however 'payment_method' cannot be unset.",
                "doc_url": "https://stripe.com/docs/error-codes/parameter-invalid-empty"}
    return {"type": "invalid_request_error", "code": "resource_missing", "param": "payment_method",
            "message": f"No such PaymentMethod: '{pm}'", "doc_url": "https://stripe.com/docs/error-codes/resource-missing"}


class Sandbox:
    def __init__(self, port, api_key, webhook_secret, webhook_url, clock, log):
        self.port, self.api_key, self.secret = port, api_key, webhook_secret.encode()
        self.webhook_url, self.clock, self.log = webhook_url, clock, log
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.intents, self.replays, self.refunds, self.customers = {}, {}, {}, {}
        self.vies_down, self.vies_calls = set(), []
        # Failure drills for tests: webhooks switched off (a sender that gave up), and payment
        # intent creations held until released and then dropped (a charge that never arrived).
        self.webhooks_on = True
        self.hold_intents, self.held = 0, []
        self.server = None

    # --- Stripe-like objects --------------------------------------------------------------

    def new_id(self, prefix):
        return f"{prefix}_{next(self.ids):06d}{int(time.time() * 1000) % 100000:05d}"

    def create_intent(self, form):
        pm = form.get("payment_method", "")
        if pm not in PAYMENT_METHODS:
            return 400, {"error": unknown_payment_method(pm)}
        pi = {
            "id": self.new_id("pi"), "object": "payment_intent", "amount": int(form.get("amount", "0")),
            "currency": form.get("currency", "eur"), "customer": form.get("customer"), "payment_method": pm,
            "payment_method_types": [form.get("payment_method_types[]", "card")],
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "off_session": form.get("off_session") == "true", "next_action": None, "last_payment_error": None,
            "status": "requires_confirmation",
        }
        self.intents[pi["id"]] = pi
        if pm == "pm_card_chargeDeclined" or (pm == "pm_card_offSessionDeclined" and pi["off_session"]):
            pi["status"] = "requires_payment_method"
            pi["last_payment_error"] = {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
                                        "message": "Your card was declined."}
            self.deliver("payment_intent.payment_failed", pi)
            error = dict(pi["last_payment_error"], payment_intent=pi)
            return 402, {"error": error}
        if pm == "pm_card_authenticationRequired" and not pi["off_session"]:
            pi["status"] = "requires_action"
            pi["next_action"] = {"type": "redirect_to_url", "redirect_to_url": {
                "url": f"http://127.0.0.1:{self.port}/3ds/{pi['id']}", "return_url": form.get("return_url")}}
            self.deliver("payment_intent.requires_action", pi)
        elif pm == "pm_sepa_debit":
            pi["status"] = "processing"
            self.deliver("payment_intent.processing", pi)
        else:
            pi["status"] = "succeeded"
            self.deliver("payment_intent.succeeded", pi)
        return 200, pi

    def finish(self, pi_id, ok):
        pi = self.intents.get(pi_id)
        if pi is None or pi["status"] not in ("processing", "requires_action"):
            return 404, {"error": {"type": "invalid_request_error", "message": f"No open payment {pi_id}"}}
        pi["status"] = "succeeded" if ok else "requires_payment_method"
        if not ok:
            pi["last_payment_error"] = {"type": "card_error", "code": "payment_intent_payment_attempt_failed",
                                        "message": "The debit was returned."}
        self.deliver("payment_intent.succeeded" if ok else "payment_intent.payment_failed", pi)
        return 200, pi

    # --- webhooks ------------------------------------------------------------------------

    def event(self, kind, obj):
        return {"id": self.new_id("evt"), "object": "event", "type": kind, "api_version": "2024-06-20",
                "created": int(self.clock.now().timestamp()), "data": {"object": json.loads(json.dumps(obj))}}

    def sign(self, body, at=None):
        t = int((at or self.clock.now()).timestamp()) if not isinstance(at, int) else at
        mac = hmac.new(self.secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={t},v1={mac}"

    def deliver(self, kind, obj):
        if not self.webhooks_on:
            self.log(f"sandbox: webhook {kind} not sent (webhooks are off)")
            return
        body = json.dumps(self.event(kind, obj)).encode()

        def send():
            time.sleep(0.05)  # after the API answer, as a provider does
            for attempt in range(8):
                req = urllib.request.Request(self.webhook_url, data=body, method="POST", headers={
                    "content-type": "application/json", "stripe-signature": self.sign(body)})
                try:
                    urllib.request.urlopen(req, timeout=30).read()
                    return
                except urllib.error.HTTPError as e:
                    self.log(f"sandbox: webhook {kind} answered {e.code}; retrying")
                except OSError as e:
                    self.log(f"sandbox: webhook {kind} failed: {e}; retrying")
                time.sleep(0.5 * (attempt + 1))

        threading.Thread(target=send, daemon=True).start()

    # --- HTTP ----------------------------------------------------------------------------

    def handle(self, method, path, headers, body):
        if method == "POST" and urlsplit(path).path == "/v1/payment_intents":
            with self.lock:
                gate = None
                if self.hold_intents > 0:
                    self.hold_intents -= 1
                    gate = threading.Event()
                    self.held.append(gate)
            if gate is not None:
                # Held outside the lock until a test releases it; then dropped, never created.
                gate.wait(timeout=120)
                return 503, {"error": {"type": "api_error", "message": "dropped by the sandbox"}}
        with self.lock:
            return self._handle(method, path, headers, body)

    def drill(self, path, body):
        """`/_sandbox/webhooks {"deliver": bool}`, `/_sandbox/hold {"payment_intents": n}`
        (GET: how many wait), `/_sandbox/release` (drops every held request)."""
        req = json.loads(body or b"{}") if body else {}
        if path == "/_sandbox/webhooks":
            if "deliver" in req:
                self.webhooks_on = bool(req["deliver"])
            return 200, {"deliver": self.webhooks_on}
        if path == "/_sandbox/hold":
            self.hold_intents = int(req.get("payment_intents", self.hold_intents))
            return 200, {"holding": self.hold_intents, "held": sum(not g.is_set() for g in self.held)}
        for gate in self.held:
            gate.set()
        released, self.held, self.hold_intents = len(self.held), [], 0
        return 200, {"released": released}

    def search(self, query):
        """Stripe's search query language, for the one clause the shop sends:
        `metadata['order_id']:'<id>'`."""
        clause = query.get("query", "")
        prefix = "metadata['order_id']:'"
        if not (clause.startswith(prefix) and clause.endswith("'")):
            return 400, {"error": {"type": "invalid_request_error", "message": f"Unsupported query: {clause}"}}
        order = clause[len(prefix):-1]
        found = [pi for pi in self.intents.values() if pi["metadata"].get("order_id") == order]
        return 200, {"object": "search_result", "data": found, "has_more": False}

    def cancel(self, pi_id, form):
        pi = self.intents.get(pi_id)
        if pi is None:
            return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                   "message": f"No such payment_intent: '{pi_id}'"}}
        if pi["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
            return 400, {"error": {"type": "invalid_request_error", "code": "payment_intent_unexpected_state",
                                   "message": f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}."}}
        pi["status"], pi["next_action"] = "canceled", None
        pi["cancellation_reason"] = form.get("cancellation_reason", "requested_by_customer")
        self.deliver("payment_intent.canceled", pi)
        return 200, pi

    def _handle(self, method, path, headers, body):
        url = urlsplit(path)
        path, query = url.path, dict(parse_qsl(url.query))
        if path.startswith("/vies/ms/") and method == "GET":
            return self.vies(path)
        if path == "/_sandbox/vies" and method == "POST":
            self.vies_down = set(json.loads(body or b"{}").get("down", []))
            return 200, {"down": sorted(self.vies_down)}
        if path == "/_sandbox/vies/calls" and method == "GET":
            return 200, {"calls": self.vies_calls}
        if path.startswith("/3ds/") and method == "GET":
            return self.finish(path[5:], True)
        if path == "/_sandbox/payment_intents" and method == "GET":
            found = [pi for pi in self.intents.values()
                     if all(pi["metadata"].get(k) == v for k, v in query.items())]
            return 200, {"data": found}
        if path.startswith("/_sandbox/payment_intents/") and method == "POST":
            pi_id, _, action = path[len("/_sandbox/payment_intents/"):].partition("/")
            return self.finish(pi_id, action == "settle")
        if path in ("/_sandbox/webhooks", "/_sandbox/hold", "/_sandbox/release"):
            return self.drill(path, body if method == "POST" else b"")
        if path == "/_sandbox/refunds" and method == "GET":
            return 200, {"data": list(self.refunds.values())}
        if path == "/_sandbox/sign" and method == "POST":
            # Tests sign their own events (duplicates, out of order) with the shop's secret.
            at = query.get("t")
            return 200, {"signature": self.sign(body, int(at) if at else None)}
        if not path.startswith("/v1/"):
            return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({path})"}}
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}
        key = headers.get("idempotency-key")
        if method == "POST" and key and (path, key) in self.replays:
            return self.replays[(path, key)]
        form = dict(parse_qsl(body.decode()))
        if path == "/v1/customers" and method == "POST":
            answer = 200, {"id": self.new_id("cus"), "object": "customer", "email": form.get("email")}
        elif path == "/v1/payment_intents" and method == "POST":
            answer = self.create_intent(form)
        elif path == "/v1/payment_intents/search" and method == "GET":
            answer = self.search(query)
        elif path.startswith("/v1/payment_intents/") and path.endswith("/cancel") and method == "POST":
            answer = self.cancel(path[len("/v1/payment_intents/"):-len("/cancel")], form)
        elif path.startswith("/v1/payment_intents/") and method == "GET":
            pi = self.intents.get(path[len("/v1/payment_intents/"):])
            answer = (200, pi) if pi else (404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                                           "message": "No such payment_intent"}})
        elif path == "/v1/refunds" and method == "POST":
            pi = self.intents.get(form.get("payment_intent"))
            if pi is None or pi["status"] != "succeeded":
                answer = 400, {"error": {"type": "invalid_request_error", "code": "charge_not_refundable"}}
            else:
                refund = {"id": self.new_id("re"), "object": "refund", "amount": int(form.get("amount", pi["amount"])),
                          "payment_intent": pi["id"], "status": "succeeded"}
                self.refunds[refund["id"]] = refund
                answer = 200, refund
        else:
            answer = 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({path})"}}
        if method == "POST" and key:
            self.replays[(path, key)] = answer
        return answer

    def vies(self, path):
        parts = path.split("/")  # ['', 'vies', 'ms', CC, 'vat', NUMBER]
        country, number = parts[3], parts[5] if len(parts) > 5 else ""
        self.vies_calls.append(f"{country}{number}")
        if "*" in self.vies_down:
            return 503, {"actionSucceed": False, "errorWrappers": [{"error": "SERVICE_UNAVAILABLE"}]}
        base = {"countryCode": country, "vatNumber": number, "requestDate": self.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "requestIdentifier": "", "originalVatNumber": number}
        if country in self.vies_down:
            return 200, {**base, "isValid": False, "userError": "MS_UNAVAILABLE", "name": "---", "address": "---"}
        if f"{country}{number}" in INVALID:
            return 200, {**base, "isValid": False, "userError": "INVALID", "name": "---", "address": "---"}
        return 200, {**base, "isValid": True, "userError": "VALID", "name": "TEST TRADER", "address": "TEST STREET 1"}

    def serve(self):
        sandbox = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, value = sandbox.handle(self.command, self.path, headers, body)
                out = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = _any

            def log_message(self, *_):
                pass

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.server.serve_forever()

    def shutdown(self):
        if self.server is not None:
            self.server.shutdown()
