//! The three steps of a delivery, each skipping the messages an earlier one failed.

use std::collections::{BTreeMap, BTreeSet};

use shop_adapters::{
    AppError,
    store::telemetry::{BATCH_WRITE, Calls},
};
use shop_domain::{
    clock::berlin_date,
    solar::{
        SerialNumber,
        telemetry::{ConfigReport, DayAggregate, Reading, dedupe, fold_days, newest, reading_day},
    },
};

use crate::{Delivery, Handler};

impl Handler {
    pub(crate) async fn store(&self, delivery: &mut Delivery) -> Calls {
        let mut calls = Calls::default();
        self.write_readings(delivery, &mut calls).await;
        self.move_inverters(delivery, &mut calls).await;
        self.apply_reports(delivery).await;
        calls
    }

    /// Every reading of the delivery once (a key sent by two messages is written once, the
    /// later message's values), 25 to a call; a chunk that cannot be written fails the
    /// messages that sent its readings. Each item is built once, into the call that sends it.
    async fn write_readings(&self, delivery: &mut Delivery, calls: &mut Calls) {
        let mut by_key: BTreeMap<(&SerialNumber, i64), (&Reading, Vec<usize>)> = BTreeMap::new();
        for (i, batch) in &delivery.batches {
            for r in &batch.readings {
                let entry = by_key
                    .entry((&batch.serial, r.t))
                    .or_insert_with(|| (r, Vec::new()));
                entry.0 = r;
                // Messages come in order: a message sending one key twice is named once.
                if entry.1.last() != Some(i) {
                    entry.1.push(*i);
                }
            }
        }
        let mut failed = BTreeSet::new();
        let mut rows = by_key.into_iter().peekable();
        while rows.peek().is_some() {
            let mut items = Vec::with_capacity(BATCH_WRITE);
            let mut from = Vec::new();
            for ((serial, _), (r, senders)) in rows.by_ref().take(BATCH_WRITE) {
                items.push(self.telemetry.reading_item(serial, r));
                from.extend(senders);
            }
            if let Err(e) = self.telemetry.write_chunk(items, calls).await {
                tracing::warn!(error = %e.report(), "readings not written; their messages come again");
                failed.extend(from);
            }
        }
        delivery.failed.extend(failed);
    }

    /// Per inverter, once for the whole delivery: the latest state to the newest reading and
    /// each Berlin day's aggregate.
    async fn move_inverters(&self, delivery: &mut Delivery, calls: &mut Calls) {
        let mut per_inverter: BTreeMap<&SerialNumber, (Vec<Reading>, Vec<usize>)> = BTreeMap::new();
        for (i, batch) in &delivery.batches {
            if delivery.failed.contains(i) || batch.readings.is_empty() {
                continue;
            }
            let entry = per_inverter.entry(&batch.serial).or_default();
            entry.0.extend(batch.readings.iter().cloned());
            entry.1.push(*i);
        }
        let mut failed = Vec::new();
        for (serial, (readings, from)) in per_inverter {
            let readings = dedupe(&readings);
            if let Err(e) = self.move_inverter(serial, &readings, calls).await {
                tracing::warn!(%serial, error = %e.report(), "inverter state not moved; its messages come again");
                failed.extend(from);
            }
        }
        delivery.failed.extend(failed);
    }

    async fn move_inverter(
        &self,
        serial: &SerialNumber,
        readings: &[Reading],
        calls: &mut Calls,
    ) -> Result<(), AppError> {
        if let Some(last) = newest(readings) {
            self.telemetry.move_latest(serial, last, calls).await?;
        }
        for (day, agg) in fold_days(readings) {
            let rising = rising(readings, &agg);
            self.telemetry
                .add_day(serial, day, agg, rising, calls)
                .await?;
        }
        Ok(())
    }

    /// Each reported configuration into the registry and the inverter row of the plant that
    /// holds the device; then that plant's licenses it outgrew end (run also when nothing
    /// changed, so a repeated message finishes what a crash left).
    async fn apply_reports(&self, delivery: &mut Delivery) {
        let mut failed = Vec::new();
        for (i, batch) in &delivery.batches {
            let Some(report) = &batch.report else {
                continue;
            };
            if delivery.failed.contains(i) {
                continue;
            }
            if let Err(e) = self.apply_report(&batch.serial, report).await {
                tracing::warn!(serial = %batch.serial, error = %e.report(), "configuration not applied; the message comes again");
                failed.push(*i);
            }
        }
        delivery.failed.extend(failed);
    }

    async fn apply_report(
        &self,
        serial: &SerialNumber,
        report: &ConfigReport,
    ) -> Result<(), AppError> {
        let held = self
            .devices
            .reconfigure(serial, &report.config, &report.firmware)
            .await?;
        let Some((plant, owner)) = held else {
            return Ok(());
        };
        let in_plant = self
            .inverters
            .reconfigure(&plant, &owner, serial, &report.config)
            .await?;
        if in_plant {
            let today = berlin_date(self.clock.now());
            let (_, ended) = self.power.settle(&plant, &owner, today).await?;
            tracing::info!(%serial, %plant, ended = ended.len(), "configuration reported");
        }
        Ok(())
    }
}

/// Whether the day of `agg` is still rising in these readings (sorted by time): its oldest
/// reading is below its peak and its newest is the peak. Such a batch most likely raises the
/// stored day too, which the store then tries in one call.
fn rising(readings: &[Reading], agg: &DayAggregate) -> bool {
    let day = reading_day(agg.last_t);
    let oldest = readings.iter().find(|r| reading_day(r.t) == day);
    let newest = readings.iter().find(|r| r.t == agg.last_t);
    oldest.is_some_and(|r| r.ac_w < agg.peak_w) && newest.is_some_and(|r| r.ac_w == agg.peak_w)
}
