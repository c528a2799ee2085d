//! What the rules need from outside that is not storage: a payment provider and the EU VAT
//! register. Adapters implement these over HTTP; tests point the adapters at local fakes.

use std::{future::Future, pin::Pin};

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

/// A payment as the provider knows it now, for orders whose outcome never arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    pub payment_id: String,
    pub state: PaymentState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentState {
    Succeeded,
    /// SEPA: the money is on its way.
    Processing,
    /// Waits for the customer (3-D Secure) or was never confirmed.
    Open,
    /// Declined or cancelled: it will not be paid.
    Failed {
        reason: String,
    },
    /// Cancelled by the shop because nobody paid in time (see `order::reconcile`).
    Abandoned,
}

/// The cancellation reason the shop gives a payment it stops waiting for; the provider's
/// notice of such a cancellation expires the order, whoever reports it first.
pub const ABANDONED: &str = "abandoned";

/// A port's answer to come. Boxed, so the ports can be used as `dyn` objects: the adapters'
/// flows take `&dyn PaymentProvider`, and the client's request code is then compiled once, in
/// the adapters' crate, instead of once in every function binary that awaits it.
pub type PortFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait PaymentProvider: Send + Sync {
    /// The provider's customer for an account, created once per idempotency key.
    fn customer<'a>(
        &'a self,
        account_id: &'a str,
        email: &'a str,
    ) -> PortFuture<'a, Result<String, PortError>>;

    fn charge<'a>(
        &'a self,
        charge: &'a Charge<'a>,
    ) -> PortFuture<'a, Result<ChargeOutcome, PortError>>;

    /// The payment the shop started for `order_id` (`payment_id` when the order knows it;
    /// otherwise found by the order id in its metadata), or `None` if the provider has none.
    fn find_payment<'a>(
        &'a self,
        order_id: &'a str,
        payment_id: Option<&'a str>,
    ) -> PortFuture<'a, Result<Option<ProviderPayment>, PortError>>;

    /// Cancels a payment that still waits for the customer, so it can no longer be paid;
    /// answers its state afterwards (one that was paid meanwhile stays `Succeeded`).
    fn cancel_payment<'a>(
        &'a self,
        payment_id: &'a str,
    ) -> PortFuture<'a, Result<ProviderPayment, PortError>>;

    /// Refunds `amount` of a payment; returns the provider's refund id.
    fn refund<'a>(
        &'a self,
        payment_id: &'a str,
        amount: Money,
        idempotency_key: &'a str,
    ) -> PortFuture<'a, Result<String, PortError>>;
}

pub trait VatRegistry: Send + Sync {
    /// Never fails: an unreachable register is [`ViesAnswer::Unavailable`].
    fn check<'a>(&'a self, id: &'a VatId) -> PortFuture<'a, ViesAnswer>;
}
