//! The provider's webhook: an HMAC-SHA256 signature over `<timestamp>.<raw body>` in the
//! `Stripe-Signature` header (`t=…,v1=…`), refused when it does not match or is older than the
//! tolerance (replay), then the event read into what the order cares about.

use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use sha2::Sha256;
use shop_domain::{DomainError, id::OrderId, order::PaymentEvent, ports::ABANDONED};

pub const SIGNATURE_HEADER: &str = "stripe-signature";

pub struct WebhookVerifier {
    secret: Vec<u8>,
    tolerance: SignedDuration,
}

/// A verified event about one of our orders' payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentNotice {
    pub event_id: String,
    pub payment_id: String,
    pub order_id: OrderId,
    pub event: PaymentEvent,
    pub failure: Option<String>,
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

fn refused(code: &'static str, detail: &str) -> DomainError {
    DomainError::Unauthorized {
        code,
        detail: detail.to_owned(),
    }
}

impl WebhookVerifier {
    pub fn new(secret: impl Into<Vec<u8>>, tolerance: SignedDuration) -> Self {
        Self {
            secret: secret.into(),
            tolerance,
        }
    }

    fn mac(&self) -> Result<Hmac<Sha256>, DomainError> {
        Hmac::<Sha256>::new_from_slice(&self.secret)
            .map_err(|_| refused("invalid_signature", "The signing secret is unusable."))
    }

    /// The header value a sender with our secret would put on `body` at `at`.
    pub fn sign(&self, body: &[u8], at: Timestamp) -> Result<String, DomainError> {
        let t = at.as_second();
        let mut mac = self.mac()?;
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        Ok(format!(
            "t={t},v1={}",
            hex::encode(mac.finalize().into_bytes())
        ))
    }

    /// Checks the signature header against the raw body at `now`.
    pub fn verify(
        &self,
        header: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), DomainError> {
        let header =
            header.ok_or_else(|| refused("invalid_signature", "The signature is missing."))?;
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for part in header.split(',') {
            match part.trim().split_once('=') {
                Some(("t", v)) => timestamp = v.parse::<i64>().ok(),
                Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
                _ => {}
            }
        }
        let t = timestamp
            .ok_or_else(|| refused("invalid_signature", "The signature has no timestamp."))?;
        let signed_ok = signatures.iter().any(|sig| {
            self.mac().is_ok_and(|mut mac| {
                mac.update(format!("{t}.").as_bytes());
                mac.update(body);
                mac.verify_slice(sig).is_ok()
            })
        });
        if !signed_ok {
            return Err(refused(
                "invalid_signature",
                "The signature does not match the body.",
            ));
        }
        let age = SignedDuration::from_secs(now.as_second().saturating_sub(t));
        if age.abs() > self.tolerance {
            return Err(refused(
                "stale_signature",
                "The signature's timestamp is too old (or in the future); replays are refused.",
            ));
        }
        Ok(())
    }
}

/// Reads a verified event. `Ok(None)` for events the shop does not act on (they are
/// acknowledged so the provider stops sending them).
pub fn read_event(body: &[u8]) -> Result<Option<PaymentNotice>, DomainError> {
    let event: Event = serde_json::from_slice(body)
        .map_err(|e| DomainError::malformed("invalid_event", format!("Unreadable event: {e}")))?;
    let object = &event.data.object;
    let kind = match event.kind.as_str() {
        "payment_intent.succeeded" => PaymentEvent::Succeeded,
        "payment_intent.processing" => PaymentEvent::Processing,
        // The shop's own cancellation of an unpaid order: it expires, whichever of this
        // notice and the reconciliation job gets there first.
        "payment_intent.canceled" if object["cancellation_reason"] == ABANDONED => {
            PaymentEvent::Expired
        }
        "payment_intent.payment_failed" | "payment_intent.canceled" => PaymentEvent::Failed,
        "payment_intent.requires_action" => PaymentEvent::RequiresAction,
        _ => return Ok(None),
    };
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let payment_id = text(&object["id"])
        .ok_or_else(|| DomainError::malformed("invalid_event", "The payment has no id."))?;
    // Payments the shop did not start (no order in the metadata) are none of its business.
    let Some(order) = text(&object["metadata"]["order_id"]) else {
        return Ok(None);
    };
    Ok(Some(PaymentNotice {
        event_id: event.id,
        payment_id,
        order_id: OrderId::parse(&order)?,
        event: kind,
        failure: text(&object["last_payment_error"]["message"]),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> WebhookVerifier {
        WebhookVerifier::new("whsec_test", SignedDuration::from_mins(5))
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn accepts_its_own_signature_within_the_tolerance() {
        let body = br#"{"id":"evt_1"}"#;
        let at = t("2026-11-22T10:00:00Z");
        let header = verifier().sign(body, at).unwrap();
        assert!(verifier().verify(Some(&header), body, at).is_ok());
        assert!(
            verifier()
                .verify(Some(&header), body, t("2026-11-22T10:05:00Z"))
                .is_ok()
        );
        assert_eq!(
            verifier()
                .verify(Some(&header), body, t("2026-11-22T10:05:01Z"))
                .unwrap_err()
                .code(),
            "stale_signature"
        );
    }

    #[test]
    fn refuses_changed_bodies_other_secrets_and_garbage() {
        let at = t("2026-11-22T10:00:00Z");
        let header = verifier().sign(b"{}", at).unwrap();
        for (h, body) in [
            (Some(header.as_str()), &b"{ }"[..]),
            (Some("t=1,v1=00"), b"{}"),
            (Some("v1=abc"), b"{}"),
            (Some(""), b"{}"),
            (None, b"{}"),
        ] {
            assert_eq!(
                verifier().verify(h, body, at).unwrap_err().code(),
                "invalid_signature"
            );
        }
        let other = WebhookVerifier::new("whsec_other", SignedDuration::from_mins(5));
        assert!(other.verify(Some(&header), b"{}", at).is_err());
    }

    #[test]
    fn reads_payment_events_and_skips_others() {
        let body = serde_json::json!({
            "id": "evt_1", "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_1", "metadata": {"order_id": "o1"}}}
        });
        let notice = read_event(body.to_string().as_bytes()).unwrap().unwrap();
        assert_eq!(notice.event, PaymentEvent::Succeeded);
        assert_eq!(notice.order_id.as_str(), "o1");
        for (reason, event) in [
            ("abandoned", PaymentEvent::Expired),
            ("requested_by_customer", PaymentEvent::Failed),
        ] {
            let canceled = serde_json::json!({
                "id": "evt_3", "type": "payment_intent.canceled",
                "data": {"object": {"id": "pi_1", "cancellation_reason": reason,
                                    "metadata": {"order_id": "o1"}}}
            });
            let notice = read_event(canceled.to_string().as_bytes())
                .unwrap()
                .unwrap();
            assert_eq!(notice.event, event);
        }
        let other =
            serde_json::json!({"id": "evt_2", "type": "customer.created", "data": {"object": {}}});
        assert_eq!(read_event(other.to_string().as_bytes()).unwrap(), None);
        assert_eq!(read_event(b"nope").unwrap_err().code(), "invalid_event");
    }
}
