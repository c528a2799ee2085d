//! A license's first stored version. Every way a license comes to be (a checkout line, a
//! trial grant, a move from the old shop) names what it is of, for whom and at what price;
//! the lifecycle fields start alike, here, so a new field gets its starting value once.

use super::{MonitoredPlant, Period, Subscription, SubscriptionStatus};
use crate::{
    Email, Money, Quantity,
    catalog::{Billing, LocalizedText, Offer, Region, Term},
    id::{AccountId, AppId, OrderId, ProductId, SubscriptionId},
};

/// The product a license is of, as the license keeps it.
pub(crate) struct Licensed {
    pub id: ProductId,
    pub name: LocalizedText,
    pub app: AppId,
    pub billing: Billing,
}

impl Licensed {
    pub fn of(offer: &Offer<'_>) -> Licensed {
        Licensed {
            id: offer.id.clone(),
            name: offer.name.clone(),
            app: offer.app.clone(),
            billing: offer.billing,
        }
    }
}

/// What a new license starts from: who holds it, what it is of and at what price, and where
/// it stands (pending payment, a running trial, moved mid-term).
pub(crate) struct NewLicense {
    pub id: SubscriptionId,
    /// Shown to the customer.
    pub number: String,
    pub account_id: AccountId,
    pub holder: Email,
    pub region: Region,
    pub product: Licensed,
    pub quantity: Quantity,
    pub term: Term,
    /// Net price per license and term.
    pub unit_net: Money,
    pub status: SubscriptionStatus,
    pub period: Option<Period>,
    /// The orders that bought it so far.
    pub orders: Vec<OrderId>,
    pub plant: Option<MonitoredPlant>,
}

impl NewLicense {
    /// The license as first stored: version 1, not renewing, never paid, invoiced or
    /// activated, with no renewal state and no tax treatment yet. A license that starts
    /// further along (a moved one) sets those on the result.
    pub fn start(self) -> Subscription {
        let NewLicense {
            id,
            number,
            account_id,
            holder,
            region,
            product,
            quantity,
            term,
            unit_net,
            status,
            period,
            orders,
            plant,
        } = self;
        Subscription {
            id,
            number,
            account_id,
            product_id: product.id,
            product_name: product.name,
            app: product.app,
            billing: product.billing,
            holder,
            status,
            quantity,
            term,
            region,
            unit_net,
            period,
            auto_renew: false,
            orders,
            invoices: Vec::new(),
            activated: false,
            payment: None,
            version: 1,
            legacy: false,
            scheduled_change: None,
            anchor: None,
            term_index: 0,
            failed_charges: 0,
            tax: None,
            due_on: None,
            next_period: None,
            plant,
        }
    }
}
