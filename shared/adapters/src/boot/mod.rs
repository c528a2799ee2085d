//! What a function loads once per cold start: settings, SDK clients, the clock, tracing.

pub mod aws;
pub mod clock;
pub mod config;
pub mod telemetry;
