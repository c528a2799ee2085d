//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::flows::renewal::RenewalFlow;
use shop_domain::changes::RetryPolicy;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// The renewal is an order placed and confirmed through the flow.
        pub flow: OrderFlowSettings = OrderFlowSettings::from_vars,
        /// The provider that charges the renewal while the customer waits.
        pub payments: PaymentSettings = PaymentSettings::from_vars,
    }
}

shop_adapters::function!(http Handler => renew, Settings, |boot, settings| {
    let renewals = RenewalFlow {
        flow: boot.order_flow(&settings.flow),
        provider: Box::new(boot.payments(&settings.payments)?),
        // A customer's renewal is charged once, while the customer waits; no retries.
        retry: RetryPolicy { days: Vec::new() },
    };
    Handler {
        guard: boot.guard(settings.verifier),
        catalog: boot.catalog(),
        renewals,
        clock: boot.clock(),
    }
});
