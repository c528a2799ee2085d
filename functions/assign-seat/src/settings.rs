//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;

use crate::Handler;

/// How often a seat change is decided again after losing a race (`SEAT_WRITE_ATTEMPTS`).
pub const DEFAULT_ATTEMPTS: u32 = 60;

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// `ACTIVATION_LINK_DAYS`: how long an invited colleague's activation link works.
        pub activation_valid: SignedDuration = settings::activation_valid,
        /// `SEAT_WRITE_ATTEMPTS`: how often a seat change is decided again after losing a race.
        pub attempts: u32 = |v| v.or("SEAT_WRITE_ATTEMPTS", DEFAULT_ATTEMPTS),
        /// The invitation's mail queue and links.
        pub links: LinkSettings = LinkSettings::from_vars,
    }
}

shop_adapters::function!(http Handler => route, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    subscriptions: boot.subscriptions(),
    links: boot.link_mailer(&settings.links),
    accounts: boot.accounts(),
    clock: boot.clock(),
    activation_valid: settings.activation_valid,
    attempts: settings.attempts,
});
