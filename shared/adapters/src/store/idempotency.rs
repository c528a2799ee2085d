//! Idempotency records in the shop table: a conditional put claims a key, so of many
//! concurrent or repeated attempts exactly one does the work and the rest learn its outcome.
//!
//! A claim holds a lease: if its holder dies, the key can be claimed again once the lease ran
//! out, but only with the same request (same hash). Records expire through DynamoDB TTL.

use aws_sdk_dynamodb::{
    Client,
    operation::{put_item::PutItemError, update_item::builders::UpdateItemFluentBuilder},
    types::{AttributeValue, ReturnValuesOnConditionCheckFailure},
};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::{
    AppError,
    sdk::SendBoxed,
    store::dynamo::{self, SendHeld, Table, text},
};

const STATUS_IN_PROGRESS: &str = "in_progress";
const STATUS_COMPLETED: &str = "completed";
/// Given up after a fault: the same request may claim it again at once, another may not.
const STATUS_RELEASED: &str = "released";

/// How long a claim and a finished record live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyPolicy {
    /// How long a holder may work before another attempt may take over.
    pub lease: SignedDuration,
    /// How long a record is kept, from its claim, before the key can be used anew.
    pub retention: SignedDuration,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This attempt holds the key and must do the work, then `complete` or `release` it.
    Acquired,
    /// The work was done before; here is what it answered.
    Completed { response: String },
    /// Another attempt holds the key right now.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
}

/// The hash a record keeps of the request it was claimed for.
pub fn request_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub struct IdempotencyStore {
    table: Table,
    policy: IdempotencyPolicy,
}

impl IdempotencyStore {
    pub fn new(client: Client, table: impl Into<String>, policy: IdempotencyPolicy) -> Self {
        Self {
            table: Table::new(client, table),
            policy,
        }
    }

    fn key(scope: &str, key: &str) -> HashMap<String, AttributeValue> {
        dynamo::key(format!("IDEM#{scope}#{key}"), "IDEM")
    }

    /// An update of the record of `key`, whose status is `#status`.
    fn update(&self, scope: &str, key: &str) -> UpdateItemFluentBuilder {
        self.table
            .update(Self::key(scope, key))
            .expression_attribute_names("#status", "status")
    }

    /// Claims `key` within `scope` for a request with `hash`.
    pub async fn claim(
        &self,
        scope: &str,
        key: &str,
        hash: &str,
        now: Timestamp,
    ) -> Result<Claim, AppError> {
        let lease_until = now.as_second().saturating_add(self.policy.lease.as_secs());
        let expires_at = now
            .as_second()
            .saturating_add(self.policy.retention.as_secs());
        let mut item = Self::key(scope, key);
        item.extend([
            (
                "status".into(),
                AttributeValue::S(STATUS_IN_PROGRESS.into()),
            ),
            ("request_hash".into(), AttributeValue::S(hash.into())),
            (
                "lease_until".into(),
                AttributeValue::N(lease_until.to_string()),
            ),
            (
                "expires_at".into(),
                AttributeValue::N(expires_at.to_string()),
            ),
        ]);
        let put = self
            .table
            .put_of(item)
            .condition_expression(
                "attribute_not_exists(pk) OR expires_at < :now \
                 OR (request_hash = :hash AND (#status = :released \
                     OR (#status = :in_progress AND lease_until < :now)))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", AttributeValue::N(now.as_second().to_string()))
            .expression_attribute_values(
                ":in_progress",
                AttributeValue::S(STATUS_IN_PROGRESS.into()),
            )
            .expression_attribute_values(":hash", AttributeValue::S(hash.into()))
            .expression_attribute_values(":released", AttributeValue::S(STATUS_RELEASED.into()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send_boxed()
            .await;
        match put {
            Ok(_) => Ok(Claim::Acquired),
            Err(err) => match err.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    let existing = match failed.item() {
                        Some(item) => Some(item.clone()),
                        None => self.read(scope, key).await?,
                    };
                    Ok(existing.map_or(Claim::InProgress, |item| judge(&item, hash)))
                }
                _ => Err(AppError::sdk("claim idempotency key", err)),
            },
        }
    }

    /// Records the outcome of the work, so later attempts replay it.
    pub async fn complete(&self, scope: &str, key: &str, response: &str) -> Result<(), AppError> {
        self.update(scope, key)
            .update_expression("SET #status = :completed, #response = :response REMOVE lease_until")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":completed", AttributeValue::S(STATUS_COMPLETED.into()))
            .expression_attribute_values(":response", AttributeValue::S(response.into()))
            .send_boxed()
            .await
            .map_err(|e| AppError::sdk("complete idempotency key", e))?;
        Ok(())
    }

    /// Gives a claimed key up after the work failed, so a retry of the same request can claim
    /// it at once; the record keeps the request's hash, so the key still refuses another
    /// request (whose work could otherwise reach what the first one began).
    pub async fn release(&self, scope: &str, key: &str) -> Result<(), AppError> {
        self.update(scope, key)
            .update_expression("SET #status = :released REMOVE lease_until")
            .condition_expression("#status = :in_progress")
            .expression_attribute_values(
                ":in_progress",
                AttributeValue::S(STATUS_IN_PROGRESS.into()),
            )
            .expression_attribute_values(":released", AttributeValue::S(STATUS_RELEASED.into()))
            .send_held("release idempotency key")
            .await
            // Already completed or gone: nothing to give up.
            .map(|_| ())
    }

    async fn read(
        &self,
        scope: &str,
        key: &str,
    ) -> Result<Option<HashMap<String, AttributeValue>>, AppError> {
        self.table
            .get(Self::key(scope, key), "read idempotency key")
            .await
    }
}

fn judge(item: &HashMap<String, AttributeValue>, hash: &str) -> Claim {
    if text(item, "request_hash") != Some(hash) {
        return Claim::Mismatch;
    }
    match (text(item, "status"), text(item, "response")) {
        (Some(STATUS_COMPLETED), Some(response)) => Claim::Completed {
            response: response.to_owned(),
        },
        _ => Claim::InProgress,
    }
}
