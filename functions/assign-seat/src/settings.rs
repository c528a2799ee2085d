//! The function's settings, read once at cold start, and its handler built from them.

use jiff::SignedDuration;
use shop_adapters::boot::prelude::*;
use shop_adapters::{
    flows::links::LinkSettings,
    web::auth::{jwt::TokenVerifier, settings},
};

use crate::Handler;

/// Days an invited colleague's activation link works (`ACTIVATION_LINK_DAYS`).
pub const DEFAULT_ACTIVATION_DAYS: i64 = 14;
/// How often a seat change is decided again after losing a race (`SEAT_WRITE_ATTEMPTS`).
pub const DEFAULT_ATTEMPTS: u32 = 60;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    pub activation_valid: SignedDuration,
    pub attempts: u32,
    pub links: LinkSettings,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            activation_valid: vars.days("ACTIVATION_LINK_DAYS", DEFAULT_ACTIVATION_DAYS)?,
            attempts: vars.or("SEAT_WRITE_ATTEMPTS", DEFAULT_ATTEMPTS)?,
            links: LinkSettings::from_vars(vars)?,
        })
    }
}

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            guard: boot.guard(settings.verifier),
            subscriptions: boot.subscriptions(),
            links: boot.link_mailer(&settings.links),
            accounts: boot.accounts(),
            clock: boot.clock(),
            activation_valid: settings.activation_valid,
            attempts: settings.attempts,
        })
    }
}

shop_adapters::function!(http Handler, Settings);
