//! The worker's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::flows::renewal::RenewalFlow;
use shop_domain::changes::RetryPolicy;

use crate::Handler;

/// Days after the renewal date a failed charge is tried again, when `RENEWAL_RETRY_DAYS` is
/// unset.
pub const DEFAULT_RETRY_DAYS: &str = "1,3,7";

shop_adapters::settings! {
    pub struct Settings {
        /// `RENEWAL_RETRY_DAYS`: comma-separated days.
        pub retry: RetryPolicy = |v| v.read("RENEWAL_RETRY_DAYS", DEFAULT_RETRY_DAYS, retry_days),
        /// Renewal orders are placed and confirmed through the flow.
        pub flow: OrderFlowSettings = OrderFlowSettings::from_vars,
        /// The provider that charges the stored payment method.
        pub payments: PaymentSettings = PaymentSettings::from_vars,
    }
}

fn retry_days(raw: &str) -> Result<RetryPolicy, std::num::ParseIntError> {
    let days = raw.split(',').map(|d| d.trim().parse::<i64>());
    Ok(RetryPolicy {
        days: days.collect::<Result<_, _>>()?,
    })
}

shop_adapters::function!(sqs Handler => work, Settings, |boot, settings| Handler {
    renewals: RenewalFlow {
        flow: boot.order_flow(&settings.flow),
        provider: Box::new(boot.payments(&settings.payments)?),
        retry: settings.retry,
    },
    clock: boot.clock(),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_days_are_a_list_and_a_bad_one_is_named() {
        assert_eq!(retry_days(DEFAULT_RETRY_DAYS).unwrap().days, [1, 3, 7]);
        assert_eq!(retry_days(" 2 , 5").unwrap().days, [2, 5]);
        let vars = Vars::given(&[("RENEWAL_RETRY_DAYS", "1,x")]);
        let err = Settings::from_vars(&vars).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("RENEWAL_RETRY_DAYS")));
    }
}
