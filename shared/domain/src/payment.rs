//! How a buyer pays, as both orders and licenses keep it: the kind of method and the
//! provider's tokens, never card numbers or IBANs. A leaf, so licenses need not know orders.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    SepaDebit,
}

/// How a subscription's renewals and upgrades are paid: provider tokens only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPayment {
    pub method: PaymentMethod,
    pub customer: String,
    pub payment_method: String,
}
