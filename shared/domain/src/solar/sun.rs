//! Daylight at a plant, from its coordinates (the `sunrise` crate, the NOAA-style sunrise
//! equation). The no-data alert counts only minutes while the sun is up: inverters are silent
//! at night, so silence then is no fault.

use chrono::NaiveDate;
use jiff::{Timestamp, civil::Date};
use rust_decimal::{Decimal, prelude::ToPrimitive};
use sunrise::{Coordinates, SolarDay, SolarEvent};

/// The sun's time above the horizon at one place, on the days around a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daylight {
    /// Sunrise and sunset of each day that has both, in order.
    spans: Vec<(Timestamp, Timestamp)>,
}

impl Daylight {
    /// Sunrise to sunset at `latitude`/`longitude` (degrees) on `day` and the days either
    /// side of it, so a plant far from Berlin's longitude, whose solar day straddles the
    /// Berlin date, is covered too. A day on which the sun neither rises nor sets (polar day
    /// or night) has no span: nothing is counted on it (decision, docs/solar.md).
    pub fn at(latitude: Decimal, longitude: Decimal, day: Date) -> Self {
        let coordinates = latitude
            .to_f64()
            .zip(longitude.to_f64())
            .and_then(|(lat, lon)| Coordinates::new(lat, lon));
        let Some(coordinates) = coordinates else {
            return Self { spans: Vec::new() };
        };
        let spans = [day.yesterday().ok(), Some(day), day.tomorrow().ok()]
            .into_iter()
            .flatten()
            .filter_map(|d| span(coordinates, d))
            .collect();
        Self { spans }
    }

    /// The sunrise of the daylight `now` lies in; `None` while the sun is down.
    pub fn risen_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.spans
            .iter()
            .find(|(rise, set)| *rise <= now && now <= *set)
            .map(|(rise, _)| *rise)
    }
}

fn span(coordinates: Coordinates, day: Date) -> Option<(Timestamp, Timestamp)> {
    let date = NaiveDate::from_ymd_opt(
        i32::from(day.year()),
        u32::try_from(day.month()).ok()?,
        u32::try_from(day.day()).ok()?,
    )?;
    let solar = SolarDay::new(coordinates, date);
    let at = |event| {
        solar
            .event_time(event)
            .and_then(|t| Timestamp::from_second(t.timestamp()).ok())
    };
    Some((at(SolarEvent::Sunrise)?, at(SolarEvent::Sunset)?))
}
