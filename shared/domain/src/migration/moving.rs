//! The move of one account from the old shop: which of its licenses move, and the new shop's
//! rows they become (licenses, the owner's seat, imported orders). Pure: ids, the catalog, the
//! tax decision and the clock come from the caller.
//!
//! Decisions (docs/migration.md, "Stages and the move"):
//! - Active auto-renewing subscriptions move; one-time, non-renewing (annual) licenses and
//!   expired or cancelled ones do not, each with its reason for the report. A subscription the
//!   export calls active whose term ended before the move day counts as expired; one without a
//!   stored payment method cannot renew and is skipped (`no_payment_method`), never moved
//!   with a renewal that would fail.
//! - A moved license keeps its old number, quantity and running period; it renews on the day
//!   after the period's end (its anchor is that day one term back), at the new shop's price
//!   for the account's region (the region rule of checkout).
//! - Seats: one seat over the whole account goes to the owner, on the first moved license in
//!   the order of the old numbers, from the move day to the license's end; every other seat
//!   waits to be assigned (the seeds: "one license is assigned to your email address, all
//!   other licenses you assign to your colleagues").

use jiff::{Span, Timestamp, civil::Date};
use serde::{Deserialize, Serialize};

use rust_decimal::Decimal;

use super::export::{LicenseKind, OldAccount, OldLicense, OldLicenseStatus, OldNumber, OldOrder};
use crate::{
    DomainError,
    catalog::{Billing, Product, Region, Term},
    id::{AccountId, OrderId, SubscriptionId},
    order::{
        Document, LineChange, Order, OrderLine, OrderPayment, OrderStatus,
        invoice::{InvoiceLine, Totals},
    },
    payment::StoredPayment,
    seats::{Seat, SeatStatus},
    subscription::{Licensed, NewLicense, Period, Subscription, SubscriptionStatus},
    vat::TaxTreatment,
};

/// Why a license of the old shop does not move (a counter of the wave: `skipped_<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Bought once; used in the old shop until it ends.
    OneTime,
    /// An annual license (or a subscription) that does not renew automatically.
    NotRenewing,
    Expired,
    Cancelled,
    /// Renews, but the export has no payment method to charge.
    NoPaymentMethod,
}

impl SkipReason {
    pub const ALL: [SkipReason; 5] = [
        SkipReason::OneTime,
        SkipReason::NotRenewing,
        SkipReason::Expired,
        SkipReason::Cancelled,
        SkipReason::NoPaymentMethod,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SkipReason::OneTime => "one_time",
            SkipReason::NotRenewing => "not_renewing",
            SkipReason::Expired => "expired",
            SkipReason::Cancelled => "cancelled",
            SkipReason::NoPaymentMethod => "no_payment_method",
        }
    }

    /// The wave's counter of licenses skipped for this reason.
    pub fn counter(self) -> String {
        format!("skipped_{}", self.code())
    }
}

/// Whether a license moves on `today` (`Ok`), or why not.
pub fn sort_license(
    license: &OldLicense,
    has_payment: bool,
    today: Date,
) -> Result<(), SkipReason> {
    match license.status {
        OldLicenseStatus::Cancelled => return Err(SkipReason::Cancelled),
        OldLicenseStatus::Expired => return Err(SkipReason::Expired),
        OldLicenseStatus::Active => {}
    }
    match license.kind {
        LicenseKind::OneTime => return Err(SkipReason::OneTime),
        LicenseKind::Annual => return Err(SkipReason::NotRenewing),
        LicenseKind::Subscription if !license.auto_renew => return Err(SkipReason::NotRenewing),
        LicenseKind::Subscription => {}
    }
    if license.term_end < today {
        return Err(SkipReason::Expired);
    }
    if !has_payment {
        return Err(SkipReason::NoPaymentMethod);
    }
    Ok(())
}

/// The ids the moved rows take, made by the caller from the old ids so a repeated move
/// writes the same rows (and finds them written).
pub trait MoveIds {
    fn license(&self, old: &OldNumber) -> Result<SubscriptionId, DomainError>;
    fn order(&self, old: &OldNumber) -> Result<OrderId, DomainError>;
    fn seat(&self, license: &SubscriptionId) -> String;
}

/// What the move needs besides the export record.
pub struct MoveContext<'a> {
    /// The account the licenses join: a new one, or the email's existing account.
    pub account_id: &'a AccountId,
    pub catalog: &'a [Product],
    pub region: &'a Region,
    pub tax: TaxTreatment,
    pub today: Date,
    pub now: Timestamp,
}

/// A license that moves, with the seat the owner gets on it (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct MovedLicense {
    pub license: Subscription,
    pub seat: Option<Seat>,
}

/// The new shop's rows for one account, and the licenses left behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub licenses: Vec<MovedLicense>,
    pub orders: Vec<Order>,
    pub skipped: Vec<(OldNumber, SkipReason)>,
}

impl Move {
    /// How many licenses were skipped for `reason`.
    pub fn skipped_for(&self, reason: SkipReason) -> usize {
        self.skipped.iter().filter(|(_, r)| *r == reason).count()
    }
}

/// Plans the move of `account`. An error (a product the catalog does not sell in the region,
/// a bad id) fails the account's move, which is recorded and tried again on the next run.
pub fn plan_move(
    account: &OldAccount,
    ctx: &MoveContext<'_>,
    ids: &dyn MoveIds,
) -> Result<Move, DomainError> {
    let payment = account.payment.as_ref().map(|p| StoredPayment {
        method: p.method,
        customer: p.customer.to_string(),
        payment_method: p.payment_method.to_string(),
    });
    let mut moving: Vec<&OldLicense> = Vec::new();
    let mut skipped = Vec::new();
    for license in &account.licenses {
        match sort_license(license, payment.is_some(), ctx.today) {
            Ok(()) => moving.push(license),
            Err(reason) => skipped.push((license.number.clone(), reason)),
        }
    }
    moving.sort_by(|a, b| a.number.as_str().cmp(b.number.as_str()));
    let mut licenses = Vec::new();
    let mut orders = Vec::new();
    for (i, old) in moving.iter().enumerate() {
        let product = product_of(ctx.catalog, old)?;
        let id = ids.license(&old.number)?;
        let mut imported = Vec::new();
        for order in account.orders.iter().filter(|o| o.license == old.number) {
            let order_id = ids.order(&order.number)?;
            imported.push(order_id.clone());
            orders.push((order_id, order, id.clone()));
        }
        let license = Subscription::moved(Moved {
            id,
            old,
            account_id: ctx.account_id,
            owner: &account.email,
            product,
            region: ctx.region,
            tax: ctx.tax,
            payment: payment.clone(),
            orders: imported,
        })?;
        let seat = (i == 0).then(|| owner_seat(&license, &account.email, ids, ctx));
        let license = if seat.is_some() {
            license.with_seat_assigned()
        } else {
            license
        };
        licenses.push(MovedLicense { license, seat });
    }
    let orders = orders
        .into_iter()
        .filter_map(|(id, old, license)| {
            let moved = licenses.iter().find(|l| l.license.id == license)?;
            Some(Order::imported(id, old, &moved.license))
        })
        .collect();
    Ok(Move {
        licenses,
        orders,
        skipped,
    })
}

fn product_of<'a>(catalog: &'a [Product], old: &OldLicense) -> Result<&'a Product, DomainError> {
    crate::catalog::product(catalog, &old.product).ok_or_else(|| {
        DomainError::invalid(
            "unknown_product",
            format!("The catalog has no product {}.", old.product),
        )
    })
}

fn owner_seat(
    license: &Subscription,
    owner: &crate::Email,
    ids: &dyn MoveIds,
    ctx: &MoveContext<'_>,
) -> Seat {
    let ends_on = license.period.map_or(ctx.today, |p| p.ends_on);
    Seat {
        id: ids.seat(&license.id),
        email: owner.clone(),
        starts_on: ctx.today,
        ends_on,
        status: SeatStatus::Active,
        assigned_at: ctx.now,
        deactivated_at: None,
    }
}

/// A license of the old shop as it joins the new one.
pub struct Moved<'a> {
    pub id: SubscriptionId,
    pub old: &'a OldLicense,
    pub account_id: &'a AccountId,
    pub owner: &'a crate::Email,
    pub product: &'a Product,
    pub region: &'a Region,
    pub tax: TaxTreatment,
    pub payment: Option<StoredPayment>,
    pub orders: Vec<OrderId>,
}

impl Subscription {
    /// The moved license: active, held by the owner, for the exported period; due for renewal
    /// the day after it, at the catalog's price of the term that fits the period best.
    pub fn moved(m: Moved<'_>) -> Result<Subscription, DomainError> {
        let offer = m.product.offer(m.region).ok_or_else(|| {
            DomainError::invalid(
                "product_not_sold_in_region",
                format!("{} is not sold in {}.", m.product.id(), m.region),
            )
        })?;
        if offer.billing != Billing::Subscription {
            return Err(DomainError::invalid(
                "not_a_subscription_product",
                format!("{} does not renew in the new shop.", m.product.id()),
            ));
        }
        let period = Period {
            starts_on: m.old.term_start,
            ends_on: m.old.term_end,
        };
        let price = offer
            .prices
            .iter()
            .min_by_key(|p| term_distance(period, p.term))
            .ok_or_else(|| DomainError::invalid("no_price", "The product has no term."))?;
        let renews_on = period.ends_on.tomorrow().map_err(|_| {
            DomainError::invalid("invalid_term", "The term ends on the last day there is.")
        })?;
        let license = NewLicense {
            id: m.id,
            number: m.old.number.to_string(),
            account_id: m.account_id.clone(),
            // The offer is the product's in the region: the same id, and renewing (above).
            product: Licensed::of(&offer),
            holder: m.owner.clone(),
            status: SubscriptionStatus::Active,
            quantity: m.old.quantity,
            term: price.term,
            region: m.region.clone(),
            unit_net: price.net,
            period: Some(period),
            orders: m.orders,
            plant: None,
        };
        // Moved mid-term: it renews, pays with its stored method and is taxed as before.
        Ok(Subscription {
            auto_renew: true,
            payment: m.payment,
            anchor: Some(one_term_back(renews_on, price.term)),
            tax: Some(m.tax),
            due_on: Some(renews_on),
            ..license.start()
        })
    }
}

impl Order {
    /// An order of the old shop, kept in the new one's history (`imported`): its old number,
    /// day and totals as the old shop invoiced them, confirmed on its day, with the moved
    /// license's product on every line; the line's tax at the license's rate. It never charges
    /// or refunds anything (no provider payment id), and cannot be cancelled here.
    pub fn imported(id: OrderId, old: &OldOrder, license: &Subscription) -> Order {
        let at = noon_in_berlin(old.date);
        let rate = license.tax.map_or(Decimal::ZERO, |t| t.rate());
        let lines = old
            .lines
            .iter()
            .map(|line| {
                let unit = Decimal::from(line.quantity.get());
                let invoice = InvoiceLine::new(
                    format!("{} ({})", license.product_name.en, old.number),
                    line.quantity,
                    crate::Money::round(line.net.amount() / unit),
                    line.net.amount(),
                    rate,
                );
                OrderLine {
                    subscription_id: license.id.clone(),
                    product_id: line.product.clone(),
                    product_name: license.product_name.clone(),
                    holder: license.holder.clone(),
                    term: license.term,
                    converts_trial: false,
                    change: LineChange::Purchase,
                    invoice,
                    plant: None,
                }
            })
            .collect();
        let payment = license.payment.clone().map_or(
            OrderPayment {
                method: crate::payment::PaymentMethod::Card,
                customer: String::new(),
                payment_method: String::new(),
                payment_id: None,
                redirect_url: None,
                failure: None,
                refund_id: None,
            },
            OrderPayment::stored,
        );
        Order {
            id,
            number: old.number.to_string(),
            account_id: license.account_id.clone(),
            status: OrderStatus::Confirmed,
            region: license.region.clone(),
            tax: license
                .tax
                .unwrap_or(TaxTreatment::CustomerCountry { rate }),
            billing: None,
            lines,
            totals: Totals {
                net: old.net,
                tax: old.tax,
                gross: old.gross,
            },
            payment,
            created_at: at,
            confirmed_at: Some(at),
            invoice: Some(Document {
                number: old.number.to_string(),
                issued_at: at,
            }),
            cancelled_at: None,
            credit_note: None,
            credits: Vec::new(),
            imported: true,
        }
    }
}

/// Noon of a Berlin day: an old order's instant, which the export gives only as a date.
fn noon_in_berlin(day: Date) -> Timestamp {
    day.at(12, 0, 0, 0)
        .to_zoned(crate::clock::berlin())
        .map_or(Timestamp::UNIX_EPOCH, |z| z.timestamp())
}

/// How far one `term` from the period's start ends from the period's end, in days.
fn term_distance(period: Period, term: Term) -> i64 {
    let ends = Period::starting(period.starts_on, term).ends_on;
    (ends - period.ends_on)
        .total((jiff::Unit::Day, period.starts_on))
        .map_or(i64::MAX, |d| d.abs().round() as i64)
}

/// The anchor whose next term (term 1) starts on `renews_on`.
fn one_term_back(renews_on: Date, term: Term) -> Date {
    let span = match term {
        Term::Months(m) => Span::new().months(i64::from(m)),
        Term::Days(d) => Span::new().days(i64::from(d)),
    };
    renews_on.checked_sub(span).unwrap_or(renews_on)
}

#[cfg(test)]
#[path = "moving_tests.rs"]
mod tests;
