//! The code every function shares: configuration, AWS clients, tracing, the HTTP glue and the
//! adapters that implement the domain's ports on DynamoDB, SQS and SES.
//!
//! Arrows point one way: functions use this crate, this crate uses `shop-domain`, never back.

pub mod accounts;
pub mod auth;
pub mod aws;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod dynamo;
pub mod error;
pub mod http;
pub mod idempotency;
pub mod idempotent_http;
pub mod jobs;
pub mod links;
pub mod mailer;
pub mod order_flow;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod renewal;
pub mod sign_in_failures;
pub mod subscriptions;
pub mod telemetry;
pub mod vies;

pub use error::AppError;
