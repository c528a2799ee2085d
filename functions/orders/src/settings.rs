//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_domain::order::CancellationPolicy;

use crate::{Handler, documents};

/// Calendar days after confirmation an order may be cancelled (`CANCELLATION_DAYS`).
pub const DEFAULT_CANCELLATION_DAYS: i32 = 21;
/// The seller as printed on documents (`SELLER_ADDRESS`).
pub const DEFAULT_SELLER: &str = "License Shop GmbH, Musterstrasse 1, 10115 Berlin, Germany";

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// `CANCELLATION_DAYS`: how long after its confirmation an order may be cancelled.
        pub cancellation: CancellationPolicy = cancellation,
        /// `SELLER_ADDRESS`: the seller as printed on invoices and credit notes.
        pub seller: String = |v| v.or("SELLER_ADDRESS", DEFAULT_SELLER.to_owned()),
        /// Confirmations, cancellations and refunds go through the order flow.
        pub flow: OrderFlowSettings = OrderFlowSettings::from_vars,
        /// The provider that refunds a cancelled order.
        pub payments: PaymentSettings = PaymentSettings::from_vars,
    }
}

fn cancellation(vars: &Vars) -> Result<CancellationPolicy, ConfigError> {
    let days = vars.or("CANCELLATION_DAYS", DEFAULT_CANCELLATION_DAYS)?;
    Ok(CancellationPolicy { days })
}

shop_adapters::function!(http Handler<StripeClient> => route, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    flow: boot.order_flow(&settings.flow),
    provider: boot.payments(&settings.payments)?,
    clock: boot.clock(),
    cancellation: settings.cancellation,
    seller: settings.seller,
    documents: documents()?,
});
