//! Opaque identifiers. Each kind is its own type so an order id can never be passed where an
//! account id belongs; all share one validation so ids are safe inside keys and URLs.

use serde::{Deserialize, Serialize};

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $code:literal) => {
        ascii_newtype! {
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
            $name: exact slug 1..=64,
            $code, concat!(stringify!($name), " must be 1 to 64 letters, digits, '-' or '_'.")
        }
    };
}

define_id!(
    /// A customer account.
    AccountId,
    "invalid_account_id"
);
define_id!(
    /// A catalog product, a readable slug such as `alarm-pro`.
    ProductId,
    "invalid_product_id"
);
define_id!(
    /// An application a product unlocks in the app portal.
    AppId,
    "invalid_app_id"
);
define_id!(
    /// An order: one checkout, upgrade or renewal, with its invoice.
    OrderId,
    "invalid_order_id"
);
define_id!(
    /// A license (subscription or fixed term) of one product held by one email.
    SubscriptionId,
    "invalid_subscription_id"
);
define_id!(
    /// A migration wave: accounts of the old shop moved on one transfer date.
    WaveId,
    "invalid_wave_id"
);
define_id!(
    /// An account's id in the old shop's export; the key that makes an import idempotent.
    OldAccountId,
    "invalid_old_account_id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_safe_ids_only() {
        assert!(ProductId::parse("alarm-pro_2").is_ok());
        for bad in ["", "a b", "a/b", "a#b", "ä", &"x".repeat(65)] {
            assert_eq!(
                ProductId::parse(bad).unwrap_err().code(),
                "invalid_product_id"
            );
        }
        assert_eq!(
            AccountId::parse("").unwrap_err().code(),
            "invalid_account_id"
        );
    }

    #[test]
    fn json_goes_through_the_constructor() {
        assert_eq!(
            serde_json::from_str::<AppId>("\"alarm\"").unwrap().as_str(),
            "alarm"
        );
        assert!(serde_json::from_str::<AppId>("\"a#b\"").is_err());
    }
}
