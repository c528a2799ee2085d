//! A plant's expected energy of a day: the owner's expected yield of the month (kWh), or by
//! default the plant's power × a specific yield (kWh per kWp and year) spread over the months
//! by a profile for Germany; either spread evenly over the month's days.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::DomainError;

use super::Watts;

/// Per mille of a year's yield in each month, January first, for a south-facing plant in
/// Germany (rounded from long-term averages of PVGIS and the German weather service's
/// irradiation maps: June and July about 13 %, December 3 %). Adds up to 1000.
pub const GERMANY_PROFILE: [u16; 12] = [30, 50, 80, 110, 130, 130, 130, 120, 90, 60, 40, 30];

/// The yield the owner expects in each month, January first, in kWh (each 0 to 10,000,000,
/// at most 3 decimals), like the anchors' yield estimates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Decimal>", into = "Vec<Decimal>")]
pub struct MonthlyYield([Decimal; 12]);

impl MonthlyYield {
    pub const CODE: &'static str = "invalid_expected_yield";
    const MAX_KWH: i64 = 10_000_000;

    pub fn new(months: Vec<Decimal>) -> Result<Self, DomainError> {
        let each_ok = months.iter().all(|m| {
            !m.is_sign_negative()
                && *m <= Decimal::from(Self::MAX_KWH)
                && m.normalize().scale() <= 3
        });
        let months: [Decimal; 12] =
            months.try_into().ok().filter(|_| each_ok).ok_or_else(|| {
                DomainError::invalid(
                    Self::CODE,
                    "The expected yield is 12 values in kWh, January first, each 0 to 10000000 \
                     with at most 3 decimals.",
                )
            })?;
        Ok(Self(months.map(|m| m.normalize())))
    }

    /// The kWh of `month` (1 to 12).
    pub fn of(&self, month: i8) -> Decimal {
        usize::try_from(month - 1)
            .ok()
            .and_then(|i| self.0.get(i))
            .copied()
            .unwrap_or_default()
    }
}

checked_serde!(MonthlyYield, Vec<Decimal>);

/// kWh a kWp of the plant yields in a year, for the default forecast: above 0, at most 3000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecificYield(u32);

impl SpecificYield {
    /// A typical figure for Germany (about 900 in the north to 1100 in the south).
    pub const DEFAULT: SpecificYield = SpecificYield(950);

    pub fn new(kwh_per_kwp: u32) -> Option<Self> {
        (1..=3000)
            .contains(&kwh_per_kwp)
            .then_some(Self(kwh_per_kwp))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// The plant's forecast of `day` in Wh: the owner's month when given, else `power` (the
/// inverters' known nominal power) × `specific` × the month's share of the profile; divided
/// by the days of the month.
pub fn daily_forecast_wh(
    day: Date,
    expected: Option<&MonthlyYield>,
    power: Watts,
    specific: SpecificYield,
) -> Decimal {
    let month_kwh = match expected {
        Some(months) => months.of(day.month()),
        None => {
            let share = usize::try_from(day.month() - 1)
                .ok()
                .and_then(|i| GERMANY_PROFILE.get(i))
                .copied()
                .unwrap_or_default();
            // W → kW, and per mille → share.
            Decimal::from(power.0) * Decimal::from(specific.get()) * Decimal::from(share)
                / Decimal::from(1_000_000)
        }
    };
    month_kwh * Decimal::from(1000) / Decimal::from(day.days_in_month())
}
