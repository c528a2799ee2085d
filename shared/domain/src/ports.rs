//! What the rules need from outside that is not storage: a payment provider and the EU VAT
//! register. Adapters implement these over HTTP; tests point the adapters at local fakes.

use std::future::Future;

use crate::{
    Money,
    order::PaymentMethod,
    vat::{VatId, vies::ViesAnswer},
};

/// Why a call to an outside service did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// Timeout, refused connection, throttling: worth trying again.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The service refused our request as malformed or unauthorised: a fault on our side.
    #[error("fault: {0}")]
    Fault(String),
}

/// One charge of a stored or freshly given payment method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge<'a> {
    /// The provider deduplicates on it: a retried charge never charges twice.
    pub idempotency_key: &'a str,
    pub amount: Money,
    pub method: PaymentMethod,
    /// The provider's token for the card or mandate (never a card number or IBAN).
    pub payment_method: &'a str,
    /// The provider's customer, so the method can be charged again later.
    pub customer: &'a str,
    /// Our order id, echoed back in webhook events.
    pub order_id: &'a str,
    /// True for renewals and upgrades charged without the customer present.
    pub off_session: bool,
}

/// What the provider said about a charge right away; the webhook brings the final word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Succeeded {
        payment_id: String,
    },
    /// SEPA: accepted, the money arrives later.
    Processing {
        payment_id: String,
    },
    /// The customer must confirm at the bank (3-D Secure).
    RequiresAction {
        payment_id: String,
        redirect_url: String,
    },
    Declined {
        payment_id: Option<String>,
        reason: String,
    },
}

pub trait PaymentProvider: Send + Sync {
    /// The provider's customer for an account, created once per idempotency key.
    fn customer(
        &self,
        account_id: &str,
        email: &str,
    ) -> impl Future<Output = Result<String, PortError>> + Send;

    fn charge(
        &self,
        charge: &Charge<'_>,
    ) -> impl Future<Output = Result<ChargeOutcome, PortError>> + Send;

    /// Refunds `amount` of a payment; returns the provider's refund id.
    fn refund(
        &self,
        payment_id: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<String, PortError>> + Send;
}

pub trait VatRegistry: Send + Sync {
    /// Never fails: an unreachable register is [`ViesAnswer::Unavailable`].
    fn check(&self, id: &VatId) -> impl Future<Output = ViesAnswer> + Send;
}
