//! What an order's monitoring licenses write to their plants: on payment the license row
//! (its period runs on from the plant's access, `MonitoringHistory::license_start`) with the
//! plant's version moved; the residual credits its order claimed given back when it is never
//! paid; the row removed when the order is cancelled.

use jiff::civil::Date;
use shop_domain::{
    id::SubscriptionId,
    order::{LineChange, OrderLine},
    solar::PlantId,
    subscription::Subscription,
};

use super::OrderFlow;
use crate::{
    AppError,
    error::Context,
    store::{orders::Write, plant_licenses::LicenseRow},
};

/// The plant of a monitoring license as its confirmation read it.
#[derive(Debug, Clone)]
pub(super) struct PlantAtPayment {
    plant: PlantId,
    version: u64,
    /// The license's first day.
    starts_on: Date,
}

impl OrderFlow {
    /// For each license (in line order), its plant as read now, when it is a monitoring
    /// license whose plant still exists; the start is decided on these rows, and the write
    /// conditioned on their version.
    pub(super) async fn plants_at_payment(
        &self,
        subs: &[Subscription],
        day: Date,
    ) -> Result<Vec<Option<PlantAtPayment>>, AppError> {
        let repo = self.orders.plant_licenses.plants();
        let mut read = Vec::with_capacity(subs.len());
        for sub in subs {
            let Some(cover) = &sub.plant else {
                read.push(None);
                continue;
            };
            let Some(plant) = repo.read(&cover.plant).await? else {
                // Deleted before the payment arrived: the license runs from the day of payment
                // and there is no plant to write it to.
                tracing::warn!(license = %sub.id, "monitoring license paid for a deleted plant");
                read.push(None);
                continue;
            };
            read.push(Some(PlantAtPayment {
                starts_on: plant.history().license_start(day, &self.solar),
                plant: plant.id,
                version: plant.version,
            }));
        }
        Ok(read)
    }

    /// The paid license as its plant decides its start (a purchase), and the writes to the
    /// plant: the paid term's row and the plant's version moved.
    pub(super) fn paid_in_plant(
        &self,
        line: &OrderLine,
        paid: Subscription,
        at: Option<&PlantAtPayment>,
        day: Date,
    ) -> Result<(Subscription, Vec<Write>), AppError> {
        let (Some(at), Some(cover)) = (at, paid.plant.clone()) else {
            return Ok((paid, Vec::new()));
        };
        let (paid, row) = match &line.change {
            LineChange::Purchase => {
                let paid = paid.starting_on(at.starts_on, day, self.reminder_days);
                let period = paid
                    .period
                    .ok_or_else(|| AppError::fault("a paid license without its period"))?;
                let row = LicenseRow {
                    id: paid.id.clone(),
                    renews: None,
                    period,
                    power_w: cover.power.0,
                    net: paid.unit_net,
                };
                (paid, row)
            }
            LineChange::Renewal {
                period, term_index, ..
            } => {
                let row = LicenseRow {
                    id: SubscriptionId::parse(&format!("{}-t{term_index}", paid.id))
                        .context("the row id of a renewed term")?,
                    renews: Some(paid.id.clone()),
                    period: *period,
                    power_w: cover.power.0,
                    net: line.invoice.net,
                };
                (paid, row)
            }
            LineChange::Upgrade { .. } => return Ok((paid, Vec::new())),
        };
        let writes = self.row_writes(at, &row)?;
        Ok((paid, writes))
    }

    fn row_writes(&self, at: &PlantAtPayment, row: &LicenseRow) -> Result<Vec<Write>, AppError> {
        let rows = &self.orders.plant_licenses;
        Ok(vec![
            Write::Put(rows.put_license(&at.plant, row)?),
            Write::Update(rows.touch_plant(&at.plant, at.version)?),
        ])
    }

    /// The credits a monitoring license's order claimed, given back when it is not paid.
    pub(super) fn release_credits(&self, sub: &Subscription) -> Result<Vec<Write>, AppError> {
        let Some(cover) = &sub.plant else {
            return Ok(Vec::new());
        };
        cover
            .credits
            .iter()
            .map(|ended| {
                Ok(Write::Update(self.orders.plant_licenses.release_credit(
                    &cover.plant,
                    ended,
                    &sub.id,
                )?))
            })
            .collect()
    }

    /// A cancelled monitoring license: its row in the plant removed, its credits given back.
    pub(super) fn cancel_in_plant(&self, sub: &Subscription) -> Result<Vec<Write>, AppError> {
        let Some(cover) = &sub.plant else {
            return Ok(Vec::new());
        };
        let rows = &self.orders.plant_licenses;
        let mut writes = vec![
            Write::Delete(rows.delete_license(&cover.plant, &sub.id)?),
            Write::Update(rows.bump_plant(&cover.plant)?),
        ];
        writes.extend(self.release_credits(sub)?);
        Ok(writes)
    }
}
