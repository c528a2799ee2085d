//! An order as its owner sees it over HTTP: no provider customer, no internal ids beyond the
//! order's and its licenses'.

use jiff::Timestamp;
use serde::Serialize;

use crate::{
    Email,
    catalog::Term,
    id::{OrderId, ProductId, SubscriptionId},
    order::{
        Billing, Document, LineChange, Order, OrderStatus, PaymentMethod,
        invoice::{InvoiceLine, Totals},
        monitoring::PlantCredit,
    },
    subscription::MonitoredPlant,
    vat::TaxTreatment,
};

#[derive(Debug, Serialize)]
pub struct OrderView<'a> {
    pub id: &'a OrderId,
    pub number: &'a str,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
    pub tax: TaxTreatment,
    pub billing: Option<&'a Billing>,
    pub lines: Vec<LineView<'a>>,
    /// Residual values of a plant's ended licenses credited (negative lines).
    pub credits: &'a [PlantCredit],
    pub totals: Totals,
    pub payment: PaymentView<'a>,
    pub invoice: Option<&'a Document>,
    pub credit_note: Option<&'a Document>,
    pub cancelled_at: Option<Timestamp>,
    /// An order of the old shop, moved with its license: history only.
    pub imported: bool,
}

#[derive(Debug, Serialize)]
pub struct LineView<'a> {
    pub subscription_id: &'a SubscriptionId,
    pub product_id: &'a ProductId,
    pub holder: &'a Email,
    pub term: Term,
    pub converts_trial: bool,
    pub change: &'a LineChange,
    /// The plant a monitoring line licenses, with the power it is priced at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plant: Option<&'a MonitoredPlant>,
    #[serde(flatten)]
    pub invoice: &'a InvoiceLine,
}

#[derive(Debug, Serialize)]
pub struct PaymentView<'a> {
    pub method: PaymentMethod,
    /// Where to send the customer to confirm a card payment at the bank.
    pub redirect_url: Option<&'a str>,
    pub failure: Option<&'a str>,
    pub refunded: bool,
}

impl Order {
    pub fn view(&self) -> OrderView<'_> {
        OrderView {
            id: &self.id,
            number: &self.number,
            status: self.status,
            created_at: self.created_at,
            confirmed_at: self.confirmed_at,
            tax: self.tax,
            billing: self.billing.as_ref(),
            lines: self
                .lines
                .iter()
                .map(|l| LineView {
                    subscription_id: &l.subscription_id,
                    product_id: &l.product_id,
                    holder: &l.holder,
                    term: l.term,
                    converts_trial: l.converts_trial,
                    change: &l.change,
                    plant: l.plant.as_ref(),
                    invoice: &l.invoice,
                })
                .collect(),
            credits: &self.credits,
            totals: self.totals,
            payment: PaymentView {
                method: self.payment.method,
                redirect_url: self
                    .payment
                    .redirect_url
                    .as_deref()
                    .filter(|_| self.status == OrderStatus::RequiresAction),
                failure: self.payment.failure.as_deref(),
                refunded: self.payment.refund_id.is_some(),
            },
            invoice: self.invoice.as_ref(),
            credit_note: self.credit_note.as_ref(),
            imported: self.imported,
            cancelled_at: self.cancelled_at,
        }
    }
}
