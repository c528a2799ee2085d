//! The function's settings, read once at cold start, and its handler built from them.

/// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted; nothing else.
pub use shop_adapters::web::auth::settings::GuardSettings as Settings;

use crate::Handler;

// The owner's alert settings, behind the guard.
shop_adapters::function!(http Handler => route, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    plants: boot.plants(),
    alerts: boot.alert_settings(),
    clock: boot.clock(),
});
