//! The code every function shares, grouped by what it talks to:
//!
//! - `boot`: configuration, SDK clients, the clock and tracing, loaded once per cold start, and
//!   the serve loops a `main.rs` hands its handler to.
//! - `store`: repositories on DynamoDB (the single table).
//! - `messaging`: SQS and SES (the outbox, job queues, the mailer).
//! - `clients`: services outside AWS (the payment provider, VIES).
//! - `web`: HTTP glue (requests and problem answers, idempotent requests, the auth guard, tokens).
//! - `flows`: orchestrations over several of the above (orders, renewals, activation links).
//!
//! Arrows point one way: functions use this crate, this crate uses `shop-domain`, never back.

pub mod boot;
pub mod clients;
pub mod error;
pub mod flows;
pub mod messaging;
pub mod sdk;
pub mod store;
pub mod web;

pub use error::AppError;

/// A future boxed where it is built, so its code is compiled once, in this crate, not in every
/// binary that awaits it (see `sdk`).
pub type Boxed<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
