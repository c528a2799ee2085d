//! HTTP glue: API Gateway requests and problem answers, idempotent requests, sign-in tokens and
//! the guard that checks them.

pub mod auth;
pub mod http;
pub mod idempotent_http;
