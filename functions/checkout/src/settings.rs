//! The function's settings, read once at cold start, and its handler built from them.

use std::time::Duration;

use shop_adapters::boot::prelude::*;
use shop_adapters::clients::vies::ViesClient;
use shop_adapters::store::idempotency::IdempotencyPolicy;
use shop_domain::{
    account::profile::Country,
    catalog::Region,
    vat::{VatRates, vies::VatCheckPolicy},
};

use crate::Handler;

/// Seconds a checkout holds its `Idempotency-Key` while it runs (`CHECKOUT_LEASE_SECONDS`).
pub const DEFAULT_LEASE_SECONDS: i64 = 60;
/// Seconds a repeated checkout waits for the first one's answer (`CHECKOUT_WAIT_SECONDS`).
pub const DEFAULT_WAIT_SECONDS: i64 = 20;
/// A checkout's key is kept a day.
pub const RETENTION: SignedDuration = SignedDuration::from_hours(24);
/// Seconds VIES may take before the check is left pending (`VIES_TIMEOUT_SECONDS`).
pub const DEFAULT_VIES_TIMEOUT_SECONDS: i64 = 8;
/// Where the seller is registered for VAT (`SELLER_COUNTRY`).
pub const DEFAULT_SELLER_COUNTRY: &str = "DE";
/// Prices for buyers from a country the catalog has none for (`DEFAULT_REGION`).
pub const DEFAULT_REGION: &str = "DE";
/// Days a VIES answer is reused (`VAT_CHECK_KEEP_DAYS`).
pub const DEFAULT_VAT_CHECK_KEEP_DAYS: i64 = 30;
/// Minutes VIES rests after an outage (`VAT_CHECK_RETRY_MINUTES`).
pub const DEFAULT_VAT_CHECK_RETRY_MINUTES: i64 = 15;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    pub requests: IdempotencyPolicy,
    pub wait_for_first: Duration,
    /// `VIES_URL`.
    pub vies_url: String,
    pub vies_timeout: Duration,
    pub seller: Country,
    pub default_region: Region,
    pub vat_policy: VatCheckPolicy,
    pub flow: OrderFlowSettings,
    pub payments: PaymentSettings,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let vies_timeout = vars.seconds("VIES_TIMEOUT_SECONDS", DEFAULT_VIES_TIMEOUT_SECONDS)?;
        let wait = vars.seconds("CHECKOUT_WAIT_SECONDS", DEFAULT_WAIT_SECONDS)?;
        Ok(Self {
            verifier: settings::verifier(vars)?,
            requests: IdempotencyPolicy {
                lease: vars.seconds("CHECKOUT_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)?,
                retention: RETENTION,
            },
            wait_for_first: wait.unsigned_abs(),
            vies_url: vars.required("VIES_URL")?,
            vies_timeout: vies_timeout.unsigned_abs(),
            seller: vars.read("SELLER_COUNTRY", DEFAULT_SELLER_COUNTRY, Country::parse)?,
            default_region: vars.read("DEFAULT_REGION", DEFAULT_REGION, Region::parse)?,
            vat_policy: VatCheckPolicy {
                keep: vars.days("VAT_CHECK_KEEP_DAYS", DEFAULT_VAT_CHECK_KEEP_DAYS)?,
                retry_after: vars
                    .minutes("VAT_CHECK_RETRY_MINUTES", DEFAULT_VAT_CHECK_RETRY_MINUTES)?,
            },
            flow: OrderFlowSettings::from_vars(vars)?,
            payments: PaymentSettings::from_vars(vars)?,
        })
    }
}

shop_adapters::function!(http Handler<StripeClient, ViesClient>, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    catalog: boot.catalog(),
    flow: boot.order_flow(&settings.flow),
    requests: boot.idempotent_requests(settings.requests, settings.wait_for_first),
    provider: boot.payments(&settings.payments)?,
    vies: boot.vies(&settings.vies_url, settings.vies_timeout)?,
    clock: boot.clock(),
    rates: VatRates::bundled()?,
    seller: settings.seller,
    default_region: settings.default_region,
    vat_policy: settings.vat_policy,
});

#[cfg(test)]
mod tests {
    use super::*;

    /// The public half of a test-only Ed25519 key.
    const JWKS: &str = r#"{"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k1",
        "x": "KD040GbZyT0YA2qlTDlT8ru7iP2Vh8eIiaKTJTM0Rg4"}]}"#;

    /// A checkout's own variables; the shared ones (keys, flow, provider) as in the template.
    fn checkout(own: &[(&'static str, &'static str)]) -> Result<Settings, ConfigError> {
        let mut vars = vec![
            ("JWT_PUBLIC_KEYS", JWKS),
            ("JWT_ISSUER", "https://shop"),
            ("JWT_AUDIENCE", "web"),
            ("MAIL_QUEUE_URL", "http://q"),
            ("APP_URL", "http://app"),
            ("PAYMENT_API_URL", "http://pay"),
            ("PAYMENT_API_KEY", "sk_test"),
            ("VIES_URL", "http://vies"),
        ];
        vars.extend_from_slice(own);
        Settings::from_vars(&Vars::given(&vars))
    }

    #[test]
    fn defaults_apply_when_unset() {
        let s = checkout(&[]).unwrap();
        assert_eq!(s.requests.lease, SignedDuration::from_mins(1));
        assert_eq!(s.wait_for_first, Duration::from_secs(20));
        assert_eq!(s.vies_timeout, Duration::from_secs(8));
        assert_eq!(Some(s.seller), Country::parse("DE").ok());
        assert_eq!(s.vat_policy.keep, SignedDuration::from_hours(30 * 24));
        assert_eq!(s.vat_policy.retry_after, SignedDuration::from_mins(15));
        let set = checkout(&[("CHECKOUT_LEASE_SECONDS", "90")]).unwrap();
        assert_eq!(set.requests.lease, SignedDuration::from_secs(90));
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (name, value) in [
            ("CHECKOUT_LEASE_SECONDS", "soon"),
            ("SELLER_COUNTRY", "Germany"),
            ("DEFAULT_REGION", "1"),
            ("VAT_CHECK_KEEP_DAYS", "-1"),
        ] {
            let err = checkout(&[(name, value)]).err().map(|e| e.to_string());
            assert!(err.as_deref().is_some_and(|e| e.contains(name)), "{err:?}");
        }
    }
}
