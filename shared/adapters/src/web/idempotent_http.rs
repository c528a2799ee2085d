//! HTTP requests that take an `Idempotency-Key` header (checkout, upgrade), as the payment
//! provider's API does it: the same key with the same body answers the first request's answer
//! byte for byte (a repeat arriving while the first still runs waits for it); another body is
//! `422 idempotency_key_reused`. Only a request that started executing is kept: callers read
//! and check the body before [`IdempotentRequests::run`], so a malformed or invalid request
//! consumes no key. Final answers (success and 4xx) are kept; a fault (5xx) frees the key so a
//! retry runs again, and so does a record that cannot be completed.

use std::{future::Future, time::Duration};

use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shop_domain::{Clock, DomainError, id::OrderId};

use crate::{
    AppError,
    error::Context,
    store::idempotency::{Claim, IdempotencyStore, request_hash},
    web::http::{self, HttpResponse},
};

const HEADER: &str = "idempotency-key";

pub struct IdempotentRequests {
    pub store: IdempotencyStore,
    /// How long a repeat waits for the first request's answer.
    pub wait_for_first: Duration,
}

/// The answer kept under the key and replayed to repeats.
#[derive(Serialize, Deserialize)]
struct Stored {
    status: u16,
    content_type: String,
    body: String,
}

/// The request's key: 1 to 255 visible characters.
pub fn key(req: &Request) -> Result<String, DomainError> {
    req.headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .ok_or_else(|| {
            DomainError::malformed(
                "idempotency_key_required",
                "Send an Idempotency-Key header (1 to 255 visible characters, e.g. a UUID).",
            )
        })
}

/// The order a request with this key makes within `scope` (which names the account): the
/// same key always names the same order, so a retry after a crash reaches the order, and the
/// provider's idempotency key, of the first attempt.
pub fn derived_order_id(scope: &str, key: &str) -> Result<OrderId, AppError> {
    let digest = Sha256::digest(format!("{scope}\n{key}").as_bytes());
    Ok(OrderId::parse(&hex::encode(&digest[..16]))?)
}

/// The raw body, as hashed and as read, within the route's limit (`413 body_too_large`).
pub fn body(req: &Request) -> Result<&[u8], DomainError> {
    http::raw_body(req, http::body_limit())
}

impl IdempotentRequests {
    /// Runs `work` once per `scope` and key, or answers what it answered before.
    pub async fn run<F, Fut>(
        &self,
        scope: &str,
        key: &str,
        body: &[u8],
        clock: &dyn Clock,
        work: F,
    ) -> Result<HttpResponse, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<HttpResponse, AppError>>,
    {
        let hash = request_hash(body);
        let deadline = clock.now() + self.wait_for_first;
        loop {
            match self.store.claim(scope, key, &hash, clock.now()).await? {
                Claim::Acquired => break,
                Claim::Completed { response } => return replay(&response),
                Claim::Mismatch => {
                    return Err(DomainError::invalid(
                        "idempotency_key_reused",
                        "This Idempotency-Key was used for another request; use a new key.",
                    )
                    .into());
                }
                Claim::InProgress if clock.now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
                Claim::InProgress => {
                    return Err(DomainError::conflict(
                        "request_in_progress",
                        "The first request with this Idempotency-Key is still running; try again shortly.",
                    )
                    .into());
                }
            }
        }
        let response = match work().await {
            Ok(r) => r,
            Err(AppError::Domain(e)) => http::problem(&AppError::Domain(e)),
            Err(fault) => {
                self.store.release(scope, key).await?;
                return Err(fault);
            }
        };
        let stored = Stored {
            status: response.status().as_u16(),
            content_type: response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/json")
                .to_owned(),
            body: match response.body() {
                Body::Text(t) => t.clone(),
                _ => String::new(),
            },
        };
        let kept = serde_json::to_string(&stored).context("encode the kept answer")?;
        if let Err(e) = self.store.complete(scope, key, &kept).await {
            // The work is done and idempotent by itself (its order id comes from the key), so
            // the caller gets its answer; the key is freed rather than left claimed, and a
            // repeat runs the work again and reaches the same order.
            tracing::error!(error = %e.report(), "idempotency record not completed; key released");
            self.store.release(scope, key).await?;
        }
        Ok(response)
    }
}

fn replay(stored: &str) -> Result<HttpResponse, AppError> {
    let s: Stored = serde_json::from_str(stored).context("read the kept answer")?;
    Response::builder()
        .status(s.status)
        .header("content-type", s.content_type)
        .header("cache-control", "no-store")
        .header("idempotent-replayed", "true")
        .body(Body::Text(s.body))
        .context("build the kept answer")
}
