//! Monitoring licenses at checkout: the residual value of a plant's licenses that ended
//! because the plant outgrew them, credited once, on the next license bought for that plant.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    DomainError, Money,
    id::{OrderId, SubscriptionId},
    order::{checkout::PlannedLine, invoice::InvoiceLine, new::license_number},
    solar::{Ended, PlantId, PlantLicense, residual_credit_line},
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
/// new license (numbered from `order` and the line) records which it credits. A credit that
/// would leave the plant's new license costing nothing or less is refused
/// (`credit_exceeds_price`): the longer term is the purchase that uses it.
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
        let credited: Money = ended.iter().map(|e| e.residual.value).sum();
        if credited >= net {
            return Err(DomainError::invalid(
                "credit_exceeds_price",
                format!(
                    "The residual value of plant {}'s ended license ({credited} EUR) is not \
                     less than the new license ({net} EUR); choose the longer term.",
                    cover.plant
                ),
            ));
        }
        let license = SubscriptionId::parse(&license_number(order.as_str(), index))?;
        for e in ended {
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

#[cfg(test)]
#[path = "monitoring_tests.rs"]
mod tests;
