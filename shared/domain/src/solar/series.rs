//! A plant's data from its inverters' telemetry (docs/solar.md, "Plant data"): history in
//! buckets per inverter and for the plant, and the figures of now (current power, today's
//! energy and revenue, total energy).
//!
//! **Energy of a raw reading** (decision): what the inverter's energy-of-the-day counter rose
//! since its previous reading of the same Berlin day, or the whole counter for the day's first
//! reading (counters start at 0 at midnight). A counter that falls (an inverter restarted) adds
//! nothing. So the 5m and hour buckets of a whole day add up to the day's last `e_day_wh`,
//! which is the daily aggregate the `day` and `month` resolutions read: every resolution
//! agrees. `e_total_wh` is only used for the total.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp, civil::Date};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use super::history::{HistoryRange, Resolution, berlin};
use crate::Money;

/// One raw reading of an inverter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub at: Timestamp,
    pub ac_w: u64,
    pub e_day_wh: u64,
    pub e_total_wh: u64,
}

/// An inverter's energy of one Berlin day (its daily aggregate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyEnergy {
    pub day: Date,
    pub energy_wh: u64,
}

/// Where a bucket starts: an instant (5m, hour), a Berlin day, or a month (`YYYY-MM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BucketStart {
    Instant(Timestamp),
    Day(Date),
    Month { year: i16, month: i8 },
}

impl std::fmt::Display for BucketStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Instant(t) => write!(f, "{}", t.strftime("%Y-%m-%dT%H:%M:%SZ")),
            Self::Day(d) => write!(f, "{d}"),
            Self::Month { year, month } => write!(f, "{year:04}-{month:02}"),
        }
    }
}

impl Serialize for BucketStart {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One bucket of history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Point {
    pub start: BucketStart,
    pub energy_wh: u64,
    /// The mean AC power of the bucket's readings (5m, hour); `None` for day and month, which
    /// are read from daily aggregates.
    pub avg_power_w: Option<u64>,
}

/// The energy each reading adds (see the module's decision), readings sorted by time.
fn energies(readings: &[Reading]) -> Vec<(Reading, u64)> {
    let mut sorted = readings.to_vec();
    sorted.sort_by_key(|r| r.at);
    sorted.dedup_by_key(|r| r.at);
    let tz = berlin();
    let mut previous: Option<(Date, u64)> = None;
    sorted
        .into_iter()
        .map(|r| {
            let day = r.at.to_zoned(tz.clone()).date();
            let added = match previous {
                Some((d, e)) if d == day => r.e_day_wh.saturating_sub(e),
                _ => r.e_day_wh,
            };
            previous = Some((day, r.e_day_wh));
            (r, added)
        })
        .collect()
}

/// An inverter's 5m or hour buckets within `range`, only those with readings. `readings` may
/// start earlier (at the Berlin midnight of `from`, so the first bucket's energy is right).
pub fn bucket_readings(
    readings: &[Reading],
    resolution: Resolution,
    range: HistoryRange,
) -> Vec<Point> {
    let (Some(step), HistoryRange::Instants { from, to }) = (resolution.seconds(), range) else {
        return Vec::new();
    };
    let mut buckets: BTreeMap<i64, (u64, u64, u64)> = BTreeMap::new();
    for (r, added) in energies(readings) {
        if r.at < from || r.at >= to {
            continue;
        }
        let start = r.at.as_second().div_euclid(step) * step;
        let b = buckets.entry(start).or_default();
        b.0 += added;
        b.1 += r.ac_w;
        b.2 += 1;
    }
    buckets
        .into_iter()
        .map(|(start, (energy_wh, power_sum, n))| Point {
            start: BucketStart::Instant(Timestamp::from_second(start).unwrap_or(from)),
            energy_wh,
            avg_power_w: Some(mean(power_sum, n)),
        })
        .collect()
}

/// An inverter's day or month buckets within `range`, from its daily aggregates.
pub fn bucket_days(
    days: &[DailyEnergy],
    resolution: Resolution,
    range: HistoryRange,
) -> Vec<Point> {
    let HistoryRange::Days { from, to } = range else {
        return Vec::new();
    };
    let mut buckets: BTreeMap<BucketStart, u64> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for d in days.iter().filter(|d| d.day >= from && d.day <= to) {
        if !seen.insert(d.day) {
            continue;
        }
        let start = match resolution {
            Resolution::Month => BucketStart::Month {
                year: d.day.year(),
                month: d.day.month(),
            },
            _ => BucketStart::Day(d.day),
        };
        *buckets.entry(start).or_default() += d.energy_wh;
    }
    buckets
        .into_iter()
        .map(|(start, energy_wh)| Point {
            start,
            energy_wh,
            avg_power_w: None,
        })
        .collect()
}

/// The plant's buckets: each bucket of any inverter, energies and mean powers added (an
/// inverter without readings in a bucket adds nothing).
pub fn plant_points(inverters: &[Vec<Point>]) -> Vec<Point> {
    let mut sum: BTreeMap<BucketStart, Point> = BTreeMap::new();
    for p in inverters.iter().flatten() {
        let entry = sum.entry(p.start).or_insert(Point {
            start: p.start,
            energy_wh: 0,
            avg_power_w: p.avg_power_w.map(|_| 0),
        });
        entry.energy_wh += p.energy_wh;
        entry.avg_power_w = match (entry.avg_power_w, p.avg_power_w) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }
    sum.into_values().collect()
}

/// `sum / n`, rounded half away from zero.
fn mean(sum: u64, n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    (sum + n / 2) / n
}

/// A plant's figures of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Now {
    /// The inverters' latest AC power, each counted while its reading is within the
    /// freshness window.
    pub current_power_w: u64,
    /// The Berlin day's energy: each inverter's latest `e_day_wh` when that reading is of
    /// today.
    pub today_energy_wh: u64,
    /// The inverters' latest `e_total_wh`, added.
    pub total_energy_wh: u64,
    /// Today's energy × the feed-in tariff, in EUR, rounded half away from zero to cents.
    pub today_revenue: Money,
}

/// The figures of now from each inverter's latest reading (`None`: none yet).
pub fn now_figures(
    latest: &[Option<Reading>],
    now: Timestamp,
    freshness: SignedDuration,
    tariff_eur_per_kwh: Decimal,
) -> Now {
    let tz = berlin();
    let today = now.to_zoned(tz.clone()).date();
    let mut figures = Now {
        current_power_w: 0,
        today_energy_wh: 0,
        total_energy_wh: 0,
        today_revenue: Money::ZERO,
    };
    for r in latest.iter().flatten() {
        if now.duration_since(r.at) <= freshness {
            figures.current_power_w += r.ac_w;
        }
        if r.at.to_zoned(tz.clone()).date() == today {
            figures.today_energy_wh += r.e_day_wh;
        }
        figures.total_energy_wh += r.e_total_wh;
    }
    figures.today_revenue = revenue(figures.today_energy_wh, tariff_eur_per_kwh);
    figures
}

/// `energy_wh` sold at `tariff` EUR/kWh, rounded half away from zero to cents.
pub fn revenue(energy_wh: u64, tariff_eur_per_kwh: Decimal) -> Money {
    let kwh = Decimal::from(energy_wh) / Decimal::from(1000);
    Money::round(kwh * tariff_eur_per_kwh)
}
