//! Repositories on the single DynamoDB table: every invariant is a condition or a transaction.

pub mod accounts;
pub mod catalog;
pub mod dynamo;
pub mod idempotency;
pub mod orders;
pub mod plant_licenses;
pub mod plants;
pub mod sign_in_failures;
pub mod subscriptions;
