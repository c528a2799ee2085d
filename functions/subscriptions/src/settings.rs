//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
/// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted; nothing else.
pub use shop_adapters::web::auth::settings::GuardSettings as Settings;

use crate::Handler;

impl Handler {
    /// The caller's licenses, behind the guard.
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            guard: boot.guard(settings.verifier),
            subscriptions: boot.subscriptions(),
            clock: boot.clock(),
        })
    }
}

shop_adapters::function!(http Handler => route, Settings);
