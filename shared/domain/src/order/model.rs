//! An order from checkout to confirmation (or failure, or cancellation). Its status only moves
//! forward, so payment events that arrive twice or out of order end in the same state.

use jiff::{Timestamp, civil::Date};
use serde::{Deserialize, Serialize};

use crate::{
    DomainError, Email, Quantity,
    catalog::{LocalizedText, Region, Term},
    clock::berlin_date,
    id::{AccountId, OrderId, ProductId, SubscriptionId},
    order::{
        invoice::{InvoiceLine, Totals},
        monitoring::PlantCredit,
    },
    subscription::{MonitoredPlant, Period, StoredPayment},
    vat::TaxTreatment,
};

pub use crate::payment::PaymentMethod;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed; the provider has not answered yet.
    PendingPayment,
    /// The customer must confirm the card payment at the bank.
    RequiresAction,
    /// SEPA debit accepted; the money has not arrived.
    Processing,
    /// Paid: licenses usable, invoice issued. Never changed afterwards except by cancellation.
    Confirmed,
    PaymentFailed,
    /// Cancelled after confirmation, refunded with a credit note.
    Cancelled,
    /// Never paid within the time allowed: its new licenses are void and their holders free.
    Expired,
}

/// What the payment provider reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentEvent {
    RequiresAction,
    Processing,
    Succeeded,
    Failed,
    /// The shop gave up waiting for a payment that was never made (the reconciliation job).
    Expired,
}

impl OrderStatus {
    /// The status after `event`, or `None` when the event changes nothing (it repeats one
    /// already applied, or arrives after a later one).
    pub fn after(self, event: PaymentEvent) -> Option<OrderStatus> {
        use OrderStatus::*;
        let open = matches!(self, PendingPayment | RequiresAction | Processing);
        match event {
            PaymentEvent::RequiresAction if self == PendingPayment => Some(RequiresAction),
            PaymentEvent::Processing if matches!(self, PendingPayment | RequiresAction) => {
                Some(Processing)
            }
            PaymentEvent::Succeeded if open => Some(Confirmed),
            PaymentEvent::Failed if open => Some(PaymentFailed),
            // A SEPA debit on its way is the provider's to decide, never expired by the shop.
            PaymentEvent::Expired if matches!(self, PendingPayment | RequiresAction) => {
                Some(Expired)
            }
            _ => None,
        }
    }

    /// Waiting for the payment's outcome: the reconciliation job looks at such orders.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::PendingPayment | OrderStatus::RequiresAction | OrderStatus::Processing
        )
    }
}

/// A numbered document: an invoice or a credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub number: String,
    pub issued_at: Timestamp,
}

/// Numbers without gaps per series and year, such as `INV-2026-000042`.
pub fn document_number(series: &str, year: i16, n: u64) -> String {
    format!("{series}-{year}-{n:06}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub subscription_id: SubscriptionId,
    pub product_id: ProductId,
    pub product_name: LocalizedText,
    pub holder: Email,
    pub term: Term,
    /// The holder's trial of this product becomes this paid license.
    pub converts_trial: bool,
    /// What confirming the line does to its license.
    #[serde(default)]
    pub change: LineChange,
    pub invoice: InvoiceLine,
    /// A monitoring line: the plant it licenses and the power it is priced at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<MonitoredPlant>,
}

/// What a paid line does to its license when the order is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LineChange {
    /// Starts the license (or converts the trial): the first term from the day of payment.
    #[default]
    Purchase,
    /// Raises the quantity at once for the rest of the term.
    Upgrade { from: Quantity, to: Quantity },
    /// Starts the next term at this quantity.
    Renewal {
        quantity: Quantity,
        period: Period,
        term_index: u32,
    },
}

/// The payment as the order keeps it: provider tokens only, never card numbers or IBANs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPayment {
    pub method: PaymentMethod,
    pub customer: String,
    pub payment_method: String,
    pub payment_id: Option<String>,
    pub redirect_url: Option<String>,
    pub failure: Option<String>,
    pub refund_id: Option<String>,
}

impl OrderPayment {
    /// A payment charged to a license's stored method (upgrades, renewals).
    pub fn stored(method: StoredPayment) -> Self {
        Self {
            method: method.method,
            customer: method.customer,
            payment_method: method.payment_method,
            payment_id: None,
            redirect_url: None,
            failure: None,
            refund_id: None,
        }
    }
}

/// Billing details of a business buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Billing {
    pub company: String,
    pub vat_id: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub account_id: AccountId,
    pub status: OrderStatus,
    pub region: Region,
    pub tax: TaxTreatment,
    pub billing: Option<Billing>,
    pub lines: Vec<OrderLine>,
    pub totals: Totals,
    pub payment: OrderPayment,
    pub created_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
    pub invoice: Option<Document>,
    pub cancelled_at: Option<Timestamp>,
    pub credit_note: Option<Document>,
    /// Residual values of a plant's ended licenses credited on this order (negative lines).
    #[serde(default)]
    pub credits: Vec<PlantCredit>,
    /// An order of the old shop moved with its license (its old number kept): history only.
    #[serde(default)]
    pub imported: bool,
}

/// How long after confirmation an order may be cancelled.
#[derive(Debug, Clone, Copy)]
pub struct CancellationPolicy {
    /// Calendar days in Europe/Berlin after the day of confirmation (day 21 still counts).
    pub days: i32,
}

impl Order {
    /// Every line of its invoice: the lines, then the credits; the totals are their sum.
    pub fn invoice_lines(&self) -> Vec<InvoiceLine> {
        self.lines
            .iter()
            .map(|l| &l.invoice)
            .chain(self.credits.iter().map(|c| &c.invoice))
            .cloned()
            .collect()
    }

    /// The Berlin calendar day of confirmation.
    pub fn confirmed_on(&self) -> Option<Date> {
        self.confirmed_at.map(berlin_date)
    }

    /// Whether the order may be cancelled at `now`; `activated` tells whether any of its
    /// licenses ever had a seat assigned.
    pub fn check_cancellable(
        &self,
        now: Timestamp,
        activated: bool,
        policy: CancellationPolicy,
    ) -> Result<(), DomainError> {
        if self.imported {
            return Err(DomainError::conflict(
                "imported_order_not_cancellable",
                "An order of the old shop cannot be cancelled here; please contact support.",
            ));
        }
        if self.lines.iter().any(|l| l.change != LineChange::Purchase) {
            return Err(DomainError::conflict(
                "change_not_cancellable",
                "Upgrades and renewals cannot be cancelled here (the license would lose what \
                 was paid before them); please contact support.",
            ));
        }
        let Some(confirmed) = self.confirmed_on() else {
            return Err(DomainError::conflict(
                "order_not_confirmed",
                "Only a confirmed order can be cancelled; this one is not paid.",
            ));
        };
        if self.status == OrderStatus::Cancelled {
            return Err(DomainError::conflict(
                "order_already_cancelled",
                "The order is already cancelled.",
            ));
        }
        let last_day = confirmed
            .checked_add(jiff::Span::new().days(policy.days))
            .unwrap_or(confirmed);
        if berlin_date(now) > last_day {
            return Err(DomainError::conflict(
                "cancellation_period_over",
                format!(
                    "An order can be cancelled within {} days of its confirmation; this one \
                     could be cancelled until {last_day}.",
                    policy.days
                ),
            ));
        }
        if activated {
            return Err(DomainError::conflict(
                "licenses_activated",
                "A license of this order was already assigned to someone, so the order can no \
                 longer be cancelled.",
            ));
        }
        Ok(())
    }
}

/// An order of no lines for the domain's tests, paid by card (`pi_1`), in `status`.
#[cfg(test)]
pub(crate) fn sample(status: OrderStatus, created_at: Timestamp) -> Order {
    use crate::order::invoice::Totals;
    Order {
        id: OrderId::parse("o1").unwrap(),
        number: "ORD-2026-000001".into(),
        account_id: AccountId::parse("a1").unwrap(),
        status,
        region: Region::parse("DE").unwrap(),
        tax: TaxTreatment::ReverseCharge,
        billing: None,
        lines: Vec::new(),
        totals: Totals::of(&[]),
        payment: OrderPayment {
            method: PaymentMethod::Card,
            customer: "cus_1".into(),
            payment_method: "pm_card_visa".into(),
            payment_id: Some("pi_1".into()),
            redirect_url: None,
            failure: None,
            refund_id: None,
        },
        created_at,
        confirmed_at: None,
        invoice: None,
        cancelled_at: None,
        credit_note: None,
        credits: Vec::new(),
        imported: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn events_only_move_forward() {
        assert_eq!(
            PendingPayment.after(PaymentEvent::Processing),
            Some(Processing)
        );
        assert_eq!(Processing.after(PaymentEvent::Succeeded), Some(Confirmed));
        // Settled before the pending notice: the late notice changes nothing.
        assert_eq!(
            PendingPayment.after(PaymentEvent::Succeeded),
            Some(Confirmed)
        );
        assert_eq!(Confirmed.after(PaymentEvent::Processing), None);
        assert_eq!(Confirmed.after(PaymentEvent::Failed), None);
        assert_eq!(Confirmed.after(PaymentEvent::Succeeded), None);
        assert_eq!(PaymentFailed.after(PaymentEvent::Succeeded), None);
        assert_eq!(
            RequiresAction.after(PaymentEvent::Succeeded),
            Some(Confirmed)
        );
        assert_eq!(Processing.after(PaymentEvent::RequiresAction), None);
        assert_eq!(Cancelled.after(PaymentEvent::Succeeded), None);
        assert_eq!(PendingPayment.after(PaymentEvent::Expired), Some(Expired));
        assert_eq!(RequiresAction.after(PaymentEvent::Expired), Some(Expired));
        assert_eq!(Processing.after(PaymentEvent::Expired), None);
        assert_eq!(Confirmed.after(PaymentEvent::Expired), None);
        assert_eq!(Expired.after(PaymentEvent::Succeeded), None);
    }

    #[test]
    fn numbers_are_zero_padded() {
        assert_eq!(document_number("INV", 2026, 42), "INV-2026-000042");
        assert_eq!(document_number("CN", 2027, 1_234_567), "CN-2027-1234567");
    }
}
