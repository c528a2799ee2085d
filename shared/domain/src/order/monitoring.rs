//! Monitoring licenses at checkout: the residual value of a plant's licenses that ended
//! because the plant outgrew them, credited once, on the next license bought for that plant.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use jiff::Timestamp;

use crate::{
    DomainError, Money, Quantity,
    catalog::{PriceUnit, Product},
    id::{OrderId, SubscriptionId},
    order::{
        LineChange, Order,
        checkout::PlannedLine,
        invoice::InvoiceLine,
        new::{NewOrder, license_number},
    },
    solar::{Ended, PlantId, PlantLicense, PlantToLicense, residual_credit_line},
    subscription::{MonitoredPlant, Renewal, Subscription},
    vat::TaxTreatment,
};

/// A negative invoice line: the residual value of an ended license of a plant, credited on
/// the order that buys the plant's next license.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantCredit {
    pub plant: PlantId,
    /// The license ended by power whose residual value this is.
    pub ended: SubscriptionId,
    /// The plant's new license, bought by the order that credits it.
    pub license: SubscriptionId,
    #[serde(flatten)]
    pub invoice: InvoiceLine,
}

/// The licenses of a plant ended by power that still leave a residual value no order has
/// claimed (`claimed`: the licenses some order credits already), with what each leaves.
pub fn credits_due(licenses: &[PlantLicense], claimed: &BTreeSet<SubscriptionId>) -> Vec<Ended> {
    licenses
        .iter()
        .filter(|l| !claimed.contains(&l.id))
        .filter_map(|l| {
            let ended_on = l.ended_on?;
            let residual = l.residual(ended_on);
            (residual.value > Money::ZERO).then(|| Ended {
                license: l.id.clone(),
                licensed_power: l.power,
                ended_on,
                residual,
            })
        })
        .collect()
}

/// Credits what is due for each plant (`due`, by plant) on the order's line of that plant:
/// one negative line per ended license, taxed at `tax_rate` like the order, and the line's
/// new license (numbered from `order` and the line) records which it credits. Credits are
/// taken in order while the new license still costs something: one that would make it cost
/// nothing or less is not claimed and waits for the plant's next purchase, so an owner with
/// several ended licenses (or a renewal paid ahead) can always buy.
pub fn credit_plants(
    order: &OrderId,
    planned: &mut [PlannedLine],
    due: &BTreeMap<PlantId, Vec<Ended>>,
    tax_rate: Decimal,
) -> Result<Vec<PlantCredit>, DomainError> {
    let mut credits = Vec::new();
    for (index, line) in planned.iter_mut().enumerate() {
        let net = line.invoice.net;
        let Some(cover) = line.plant.as_mut() else {
            continue;
        };
        let Some(ended) = due.get(&cover.plant).filter(|e| !e.is_empty()) else {
            continue;
        };
        let mut credited = Money::ZERO;
        let fitting: Vec<&Ended> = ended
            .iter()
            .filter(|e| {
                let next = credited + e.residual.value;
                let fits = next < net;
                if fits {
                    credited = next;
                }
                fits
            })
            .collect();
        let license = SubscriptionId::parse(&license_number(order.as_str(), index))?;
        for e in fitting {
            cover.credits.push(e.license.clone());
            credits.push(PlantCredit {
                plant: cover.plant.clone(),
                ended: e.license.clone(),
                license: license.clone(),
                invoice: residual_credit_line(e, tax_rate)?,
            });
        }
    }
    Ok(credits)
}

/// The order for the next term of a plant's monitoring license (`sub`), priced like a purchase
/// on the renewal day: the catalog's price per kW for the license's term in its region ×
/// the plant's total power today (not the power it was bought for), rounded half away from
/// zero; the renewed term licenses that power.
pub fn plant_renewal(
    sub: &Subscription,
    id: OrderId,
    renewal: Renewal,
    tax: TaxTreatment,
    product: &Product,
    plant: &PlantToLicense,
    now: Timestamp,
) -> Result<NewOrder, DomainError> {
    let price = product
        .offer(&sub.region)
        .filter(|o| o.unit == PriceUnit::Kw)
        .and_then(|o| o.prices.into_iter().find(|p| p.term == sub.term))
        .ok_or_else(|| {
            DomainError::conflict(
                "renewal_not_offered",
                format!(
                    "{} is no longer sold for {} in region {}; buy a new license instead.",
                    sub.product_id, sub.term, sub.region
                ),
            )
        })?;
    let exact = plant.exact_price(price.net)?;
    let period = renewal.period;
    let invoice = InvoiceLine::new(
        format!(
            "{} ({}), plant {} ({}): {} × {} EUR/kW, {} to {}",
            sub.product_name.en,
            sub.term,
            plant.name,
            plant.id,
            plant.power,
            price.net,
            period.starts_on,
            period.ends_on
        ),
        Quantity::new(1)?,
        Money::round(exact),
        exact,
        tax.rate(),
    );
    let change = LineChange::Renewal {
        quantity: Quantity::new(1)?,
        period,
        term_index: renewal.term_index,
    };
    Ok(
        Order::change_of(sub, id, change, invoice, tax, now)?.with_line_plant(MonitoredPlant {
            plant: plant.id.clone(),
            power: plant.power,
            credits: Vec::new(),
        }),
    )
}

#[cfg(test)]
#[path = "monitoring_tests.rs"]
mod tests;
