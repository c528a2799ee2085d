//! Sign-in attempts per email, as a log of their times in one item per email
//! (`SIGNIN#<sha256 of the trimmed, lowercased email>`/`FAILURES`), appended with one atomic
//! `UpdateItem` so that concurrent failures are all counted, whether the email has an account
//! or not. The domain replays the log (`SignInFailures::replay`). The item expires when no
//! failure happened for a while, and its log is cut back to the newest entries when it grows.

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, ReturnValue},
};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use crate::{
    AppError,
    sdk::SendBoxed,
    store::dynamo::{Item, Table, condition_failed, key, number_attr},
};

/// Entries kept after a cut; the lockout rule needs only the last few.
const KEEP: usize = 32;

#[derive(Clone)]
pub struct SignInFailureLog {
    table: Table,
    /// How long the log is kept after its newest failure (longer than window + lock).
    keep_for: SignedDuration,
}

/// The log's key for what the caller typed as an email (valid or not): hashed, so the table
/// keeps no addresses of strangers and the key's length is bounded.
fn log_key(email: &str) -> Item {
    let normalised = email.trim().to_lowercase();
    let digest = hex::encode(Sha256::digest(normalised.as_bytes()));
    key(format!("SIGNIN#{digest}"), "FAILURES")
}

fn times(item: Option<&Item>) -> Vec<Timestamp> {
    let Some(AttributeValue::L(entries)) = item.and_then(|i| i.get("log")) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| e.as_n().ok()?.parse::<i64>().ok())
        .filter_map(|ms| Timestamp::from_millisecond(ms).ok())
        .collect()
}

impl SignInFailureLog {
    pub fn new(client: Client, table: impl Into<String>, keep_for: SignedDuration) -> Self {
        Self {
            table: Table::new(client, table),
            keep_for,
        }
    }

    /// The failures recorded for `email`.
    pub async fn read(&self, email: &str) -> Result<Vec<Timestamp>, AppError> {
        let item = self
            .table
            .get(log_key(email), "read sign-in failures")
            .await?;
        Ok(times(item.as_ref()))
    }

    /// Records an attempt at `now` before anything is decided, and answers the attempts
    /// recorded before it. The append is atomic and answers the log as it left it, so this
    /// attempt is its last entry: of any number of parallel guesses, each sees every one
    /// that was recorded before it, and no more than the policy's count are ever judged by
    /// their password before the lock.
    pub async fn attempt(&self, email: &str, now: Timestamp) -> Result<Vec<Timestamp>, AppError> {
        let mut log = self.record(email, now).await?;
        log.pop();
        Ok(log)
    }

    /// Records a failure at `now`; answers the whole log, this failure included.
    pub async fn record(&self, email: &str, now: Timestamp) -> Result<Vec<Timestamp>, AppError> {
        let expires = now.as_second().saturating_add(self.keep_for.as_secs());
        let updated = self
            .table
            .update(log_key(email))
            .update_expression(
                "SET #log = list_append(if_not_exists(#log, :empty), :now), expires_at = :expires",
            )
            .expression_attribute_names("#log", "log")
            .expression_attribute_values(":empty", AttributeValue::L(Vec::new()))
            .expression_attribute_values(
                ":now",
                AttributeValue::L(vec![number_attr(now.as_millisecond())]),
            )
            .expression_attribute_values(":expires", number_attr(expires))
            .return_values(ReturnValue::AllNew)
            .send_boxed()
            .await
            .map_err(|e| AppError::sdk("record sign-in failure", e))?;
        let log = times(updated.attributes());
        if log.len() > 2 * KEEP {
            self.cut(email, log.len()).await?;
        }
        Ok(log)
    }

    /// Drops the oldest entries of a log seen `seen` long, keeping the newest `KEEP`. Appends
    /// only add at the end, and the cut applies only while the log still holds `seen` entries
    /// or more, so of concurrent cuts one applies and none ever drops one of the newest.
    async fn cut(&self, email: &str, seen: usize) -> Result<(), AppError> {
        let oldest: Vec<String> = (0..seen - KEEP).map(|i| format!("#log[{i}]")).collect();
        let cut = self
            .table
            .update(log_key(email))
            .update_expression(format!("REMOVE {}", oldest.join(", ")))
            .condition_expression("size(#log) >= :seen")
            .expression_attribute_names("#log", "log")
            .expression_attribute_values(":seen", number_attr(seen))
            .send_boxed()
            .await;
        match cut {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()), // another attempt cut it already
            Err(e) => Err(AppError::sdk("cut sign-in failures", e)),
        }
    }

    /// Forgets the failures after a granted sign-in.
    pub async fn clear(&self, email: &str) -> Result<(), AppError> {
        self.table
            .client
            .delete_item()
            .table_name(&self.table.name)
            .set_key(Some(log_key(email)))
            .send_boxed()
            .await
            .map_err(|e| AppError::sdk("clear sign-in failures", e))?;
        Ok(())
    }
}
