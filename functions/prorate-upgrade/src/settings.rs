//! The function's settings, read once at cold start, and its handler built from them.

use std::time::Duration;

use shop_adapters::boot::prelude::*;
use shop_adapters::store::idempotency::IdempotencyPolicy;

use crate::Handler;

/// An upgrade request's key: held while it runs, kept a day, a repeat waits for the first.
pub const REQUESTS: IdempotencyPolicy = IdempotencyPolicy {
    lease: SignedDuration::from_secs(60),
    retention: SignedDuration::from_hours(24),
};
pub const WAIT_FOR_FIRST: Duration = Duration::from_secs(20);

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// The upgrade is an order placed and confirmed through the flow.
        pub flow: OrderFlowSettings = OrderFlowSettings::from_vars,
        /// The provider that charges the prorated fee off-session.
        pub payments: PaymentSettings = PaymentSettings::from_vars,
    }
}

shop_adapters::function!(http Handler<StripeClient> => route, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    flow: boot.order_flow(&settings.flow),
    requests: boot.idempotent_requests(REQUESTS, WAIT_FOR_FIRST),
    provider: boot.payments(&settings.payments)?,
    clock: boot.clock(),
});
