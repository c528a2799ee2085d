//! `POST /v1/payments/webhook`: the payment provider reports a payment's outcome. The
//! signature over the raw body is checked first (401 when it does not match or is older than
//! the tolerance); each event is processed once (its id is claimed), and the order moves only
//! forward, so duplicates and out-of-order deliveries end in the right state.

use std::sync::Arc;

use lambda_http::{Request, http::StatusCode};
use shop_adapters::{
    AppError,
    clients::payments::webhook::{SIGNATURE_HEADER, WebhookVerifier, read_event},
    flows::order_flow::{OrderFlow, PaymentReport},
    store::idempotency::{Claim, IdempotencyStore, request_hash},
    web::http::{self, HttpResponse},
};
use shop_domain::{Clock, DomainError};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub verifier: WebhookVerifier,
    pub flow: OrderFlow,
    pub idempotency: IdempotencyStore,
    pub clock: Arc<dyn Clock>,
}

const SCOPE: &str = "webhook";

impl Handler {
    async fn receive(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let body = http::raw_body(req, http::body_limit())?;
        let signature = req
            .headers()
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok());
        let now = self.clock.now();
        self.verifier.verify(signature, body, now)?;
        let Some(notice) = read_event(body)? else {
            return acknowledged("ignored");
        };
        match self
            .idempotency
            .claim(SCOPE, &notice.event_id, &request_hash(body), now)
            .await?
        {
            Claim::Acquired => {}
            Claim::Completed { .. } => return acknowledged("duplicate"),
            Claim::InProgress => {
                return Err(DomainError::conflict(
                    "event_in_progress",
                    "This event is being processed; deliver it again later.",
                )
                .into());
            }
            Claim::Mismatch => {
                return Err(DomainError::invalid(
                    "event_id_reused",
                    "Another event with this id was received before.",
                )
                .into());
            }
        }
        let Some(order) = self.flow.orders.get(&notice.order_id).await? else {
            tracing::warn!(order = %notice.order_id, "payment event for an unknown order");
            self.idempotency
                .complete(SCOPE, &notice.event_id, "unknown order")
                .await?;
            return acknowledged("unknown_order");
        };
        if order
            .payment
            .payment_id
            .as_deref()
            .is_some_and(|known| known != notice.payment_id)
        {
            // A payment the order did not go with (another attempt): nothing to apply.
            tracing::warn!(order = %order.id, "payment event for another payment");
            self.idempotency
                .complete(SCOPE, &notice.event_id, "unknown payment")
                .await?;
            return acknowledged("ignored");
        }
        let report = PaymentReport {
            order_id: notice.order_id.clone(),
            payment_id: notice.payment_id.clone(),
            event: notice.event,
            failure: notice.failure.clone(),
            redirect_url: None,
        };
        match self.flow.apply(&report, now).await {
            Ok(order) => {
                self.idempotency
                    .complete(SCOPE, &notice.event_id, &format!("{:?}", order.status))
                    .await?;
                acknowledged("processed")
            }
            Err(e) => {
                self.idempotency.release(SCOPE, &notice.event_id).await?;
                Err(e)
            }
        }
    }
}

fn acknowledged(outcome: &str) -> Result<HttpResponse, AppError> {
    http::json(
        StatusCode::OK,
        &serde_json::json!({"received": true, "outcome": outcome}),
    )
}
