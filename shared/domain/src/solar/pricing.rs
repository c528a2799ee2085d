//! Buying monitoring licenses: who may, and what each plant's license costs. The product is
//! the catalog's `unit: kw` product; each plant is one invoice line priced by its power.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{PlantName, Watts};
use crate::{
    DomainError, Email, Money, Quantity,
    account::model::Account,
    catalog::{PriceUnit, Product, Region, Term, TermPrice},
    order::{
        checkout::{MAX_LINES, PlannedLine},
        invoice::InvoiceLine,
    },
    subscription::MonitoredPlant,
    vat::{Buyer, TaxTreatment},
};

ascii_newtype! {
    /// A plant: 1 to 64 ASCII letters, digits, `-` and `_`, like every id of the shop.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    PlantId: exact slug 1..=64,
    "invalid_plant_id", "PlantId must be 1 to 64 letters, digits, '-' or '_'."
}

/// The answer for a plant that is not the caller's (or does not exist): the same either way,
/// so ids of other owners' plants cannot be probed.
pub fn plant_not_found(id: &PlantId) -> DomainError {
    DomainError::not_found(
        "plant_not_found",
        format!("There is no plant {id} of yours."),
    )
}

/// The country where consumers may use monitoring.
const CONSUMER_COUNTRY: &str = "DE";

/// Seed 004 item 8: businesses may use monitoring wherever they sit; consumers (accounts
/// without a company) only with an address in Germany. The refusal names that rule.
pub fn check_monitoring_buyer(buyer: Buyer<'_>) -> Result<(), DomainError> {
    match buyer {
        Buyer::Consumer { country } if country.as_str() != CONSUMER_COUNTRY => {
            Err(DomainError::forbidden(
                "monitoring_consumers_germany_only",
                format!(
                    "Monitoring is offered to consumers in Germany only (your address: \
                     {country}); businesses may use it anywhere. Consumers in Greece or \
                     Switzerland can ask support for a local service partner."
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The buyer as the monitoring rule sees an account: a business is an account with a company
/// (SPEC section 6), whether or not an order gives a VAT id (that decides the tax, not this).
pub fn monitoring_buyer(account: &Account) -> Buyer<'_> {
    let country = &account.country;
    match account.company {
        None => Buyer::Consumer { country },
        Some(_) => Buyer::Business {
            country,
            vat_validated: false,
        },
    }
}

/// One plant to license, at its total nominal power today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantToLicense {
    pub id: PlantId,
    pub name: PlantName,
    pub power: Watts,
}

impl PlantToLicense {
    /// The exact net price of licensing the plant's power at `per_kw` (before rounding): a
    /// plant without inverters has no power, so nothing to license (at checkout and renewal).
    pub fn exact_price(&self, per_kw: Money) -> Result<Decimal, DomainError> {
        if self.power == Watts(0) {
            return Err(DomainError::invalid(
                "plant_without_power",
                format!(
                    "Plant {} has no inverters, so there is no power to license yet.",
                    self.id
                ),
            ));
        }
        Ok(per_kw.amount() * self.power.kw())
    }
}

/// One plant's priced license: the checkout line, and what it was priced from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantLine {
    pub plant: PlantId,
    /// The power the license is for; a larger plant ends it.
    pub power: Watts,
    /// Net price per kW and term.
    pub per_kw: Money,
    pub planned: PlannedLine,
}

/// What buying monitoring for some plants needs besides the plants.
#[derive(Debug, Clone, Copy)]
pub struct LicenseOrder<'a> {
    pub product: &'a Product,
    pub region: &'a Region,
    /// Needed when the product is sold for several terms (365 and 730 days).
    pub term: Option<Term>,
    pub buyer: Buyer<'a>,
    /// Who holds the licenses: the buyer.
    pub holder: &'a Email,
    pub tax: TaxTreatment,
}

/// Prices one license per plant: unit price per kW × the plant's power in kW, rounded half
/// away from zero on the plant's own line. Refused, each with its code: a buyer the rule
/// keeps out, a product not sold per kW in the region, no plants or too many, a plant twice,
/// a plant without power (no inverters) and a term the product is not sold for.
pub fn price_licenses(
    order: LicenseOrder<'_>,
    plants: &[PlantToLicense],
) -> Result<Vec<PlantLine>, DomainError> {
    check_monitoring_buyer(order.buyer)?;
    let product = order.product.id();
    let offer = order
        .product
        .offer(order.region)
        .filter(|o| o.unit == PriceUnit::Kw)
        .ok_or_else(|| {
            DomainError::invalid(
                "unknown_product",
                format!(
                    "{product} is no monitoring license sold in region {}.",
                    order.region
                ),
            )
        })?;
    if plants.is_empty() || plants.len() > MAX_LINES {
        return Err(DomainError::invalid(
            "invalid_plants",
            format!("A monitoring order covers 1 to {MAX_LINES} plants."),
        ));
    }
    let price = term_price(&offer.prices, order.term, product)?;
    let mut seen = BTreeSet::new();
    plants
        .iter()
        .map(|plant| {
            if !seen.insert(&plant.id) {
                return Err(DomainError::invalid(
                    "duplicate_plant",
                    format!("Plant {} is named twice; one license covers it.", plant.id),
                ));
            }
            let exact = plant.exact_price(price.net)?;
            let net = Money::round(exact);
            Ok(PlantLine {
                plant: plant.id.clone(),
                power: plant.power,
                per_kw: price.net,
                planned: PlannedLine {
                    product_id: product.clone(),
                    product_name: offer.name.clone(),
                    app: offer.app.clone(),
                    billing: offer.billing,
                    term: price.term,
                    holder: order.holder.clone(),
                    invoice: InvoiceLine::new(
                        format!(
                            "{} ({}), plant {} ({}): {} × {} EUR/kW",
                            offer.name.en, price.term, plant.name, plant.id, plant.power, price.net
                        ),
                        Quantity::new(1)?,
                        net,
                        exact,
                        order.tax.rate(),
                    ),
                    plant: Some(MonitoredPlant {
                        plant: plant.id.clone(),
                        power: plant.power,
                        credits: Vec::new(),
                    }),
                },
            })
        })
        .collect()
}

/// The price of the term asked for; with none asked, the only one there is.
fn term_price(
    prices: &[TermPrice],
    term: Option<Term>,
    product: &crate::id::ProductId,
) -> Result<TermPrice, DomainError> {
    match term {
        Some(term) => prices.iter().find(|p| p.term == term).copied(),
        None if prices.len() == 1 => prices.first().copied(),
        None => {
            return Err(DomainError::invalid(
                "term_required",
                format!("{product} is sold for several terms; name one."),
            ));
        }
    }
    .ok_or_else(|| {
        DomainError::invalid(
            "unknown_term",
            format!("{product} is not sold for that term."),
        )
    })
}

#[cfg(test)]
#[path = "pricing_tests.rs"]
mod tests;
