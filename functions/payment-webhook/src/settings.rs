//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::clients::payments::webhook::WebhookVerifier;
use shop_adapters::store::idempotency::IdempotencyPolicy;

use crate::Handler;

/// How old a signed event may be (`WEBHOOK_TOLERANCE_SECONDS`): replays are refused.
pub const DEFAULT_TOLERANCE_SECONDS: i64 = 300;
/// `WEBHOOK_LEASE_SECONDS`: past the function's timeout a claim's holder is gone, so a
/// redelivery takes the event over instead of answering 409 until the provider gives up.
pub const DEFAULT_LEASE_SECONDS: i64 = 15;
/// Providers redeliver for a few days at most.
pub const RETENTION: SignedDuration = SignedDuration::from_hours(24 * 7);

shop_adapters::settings! {
    pub struct Settings {
        /// `PAYMENT_WEBHOOK_SECRET`: the endpoint's signing secret.
        pub secret: String = |v| v.required("PAYMENT_WEBHOOK_SECRET"),
        /// `WEBHOOK_TOLERANCE_SECONDS`: how old a signed event may be.
        pub tolerance: SignedDuration =
            |v| v.seconds("WEBHOOK_TOLERANCE_SECONDS", DEFAULT_TOLERANCE_SECONDS),
        /// `WEBHOOK_LEASE_SECONDS`: how long a delivery holds its event.
        pub lease: SignedDuration = |v| v.seconds("WEBHOOK_LEASE_SECONDS", DEFAULT_LEASE_SECONDS),
        /// A paid event confirms its order through the flow.
        pub flow: OrderFlowSettings = OrderFlowSettings::from_vars,
    }
}

shop_adapters::function!(http Handler => receive, Settings, |boot, settings| Handler {
    verifier: WebhookVerifier::new(settings.secret, settings.tolerance),
    flow: boot.order_flow(&settings.flow),
    idempotency: boot.idempotency(IdempotencyPolicy {
        lease: settings.lease,
        retention: RETENTION,
    }),
    clock: boot.clock(),
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_testkit::{bed::mail_vars, settings};

    #[test]
    fn defaults_apply_and_the_secret_is_required() {
        let base = [
            &[("PAYMENT_WEBHOOK_SECRET", "whsec")][..],
            &mail_vars("http://q"),
        ]
        .concat();
        let read = settings::read(Settings::from_vars, &base, &[]).unwrap();
        assert_eq!(read.tolerance, SignedDuration::from_mins(5));
        assert_eq!(read.lease, SignedDuration::from_secs(15));
        settings::assert_each_needed(Settings::from_vars, &base, &["PAYMENT_WEBHOOK_SECRET"]);
    }
}
