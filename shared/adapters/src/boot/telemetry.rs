//! Structured JSON logs. The Lambda runtime opens a span per invocation carrying `requestId`,
//! which every line inside it repeats. Nothing here logs bodies; callers log ids and codes only.

use tracing::Level;

/// Installs the JSON subscriber; the level comes from `LOG_LEVEL` (default `info`).
pub fn init() {
    let level = std::env::var("LOG_LEVEL")
        .ok()
        .and_then(|l| l.parse::<Level>().ok())
        .unwrap_or(Level::INFO);
    tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time() // CloudWatch stamps every line itself.
        .with_ansi(false)
        .init();
}
