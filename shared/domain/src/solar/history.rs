//! What a plant's data route is asked for: a resolution and a bounded range (docs/solar.md,
//! "Plant data"). `5m` and `hour` are read from raw readings and take instants (RFC 3339,
//! `from` included, `to` excluded); `day` and `month` are read from daily aggregates and take
//! Berlin dates (`YYYY-MM-DD`, both included). Each resolution has a longest range, a setting.

use jiff::{SignedDuration, Timestamp, civil::Date, tz::TimeZone};
use serde::Serialize;

use crate::DomainError;

/// How finely history is bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Resolution {
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "hour")]
    Hour,
    #[serde(rename = "day")]
    Day,
    #[serde(rename = "month")]
    Month,
}

impl Resolution {
    pub const ALL: [Resolution; 4] = [Self::FiveMinutes, Self::Hour, Self::Day, Self::Month];

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                DomainError::invalid(
                    "invalid_resolution",
                    "`resolution` is one of `5m`, `hour`, `day`, `month`.",
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FiveMinutes => "5m",
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Month => "month",
        }
    }

    /// The bucket length of the resolutions read from raw readings.
    pub fn seconds(self) -> Option<i64> {
        match self {
            Self::FiveMinutes => Some(300),
            Self::Hour => Some(3600),
            Self::Day | Self::Month => None,
        }
    }
}

/// The longest range of each resolution, and how old a latest reading may be to count as
/// current power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistorySettings {
    pub max_5m: SignedDuration,
    pub max_hour: SignedDuration,
    /// Days, both ends counted.
    pub max_day_days: i32,
    /// Calendar months, both ends counted.
    pub max_month_months: i32,
    pub freshness: SignedDuration,
}

impl HistorySettings {
    pub const MAX_5M_HOURS: i64 = 48;
    pub const MAX_HOUR_DAYS: i64 = 31;
    pub const MAX_DAY_DAYS: i32 = 366;
    pub const MAX_MONTH_MONTHS: i32 = 36;
    pub const FRESHNESS_MINUTES: i64 = 20;
}

impl Default for HistorySettings {
    fn default() -> Self {
        Self {
            max_5m: SignedDuration::from_hours(Self::MAX_5M_HOURS),
            max_hour: SignedDuration::from_hours(Self::MAX_HOUR_DAYS * 24),
            max_day_days: Self::MAX_DAY_DAYS,
            max_month_months: Self::MAX_MONTH_MONTHS,
            freshness: SignedDuration::from_mins(Self::FRESHNESS_MINUTES),
        }
    }
}

/// The most history points (buckets × series) one answer may hold: about 70 bytes each in
/// JSON, 50,000 stay under 4 MB.
pub const MAX_POINTS: u64 = 50_000;

/// The range history covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryRange {
    /// `from` included, `to` excluded.
    Instants { from: Timestamp, to: Timestamp },
    /// Berlin dates, both included.
    Days { from: Date, to: Date },
}

/// A checked request for history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    pub resolution: Resolution,
    pub range: HistoryRange,
}

impl HistoryQuery {
    /// Reads `resolution` (default `hour`), `from` and `to` (both or neither; by default the
    /// Berlin day of `now` for `5m`/`hour`, its month for `day`, its year for `month`).
    pub fn parse(
        resolution: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        now: Timestamp,
        settings: &HistorySettings,
    ) -> Result<Self, DomainError> {
        let resolution = resolution.map_or(Ok(Resolution::Hour), Resolution::parse)?;
        let today = now.to_zoned(berlin()).date();
        let range = match (resolution.seconds(), from, to) {
            (_, Some(_), None) | (_, None, Some(_)) => {
                return Err(range_error("Give both `from` and `to`, or neither."));
            }
            (Some(_), Some(from), Some(to)) => HistoryRange::Instants {
                from: instant("from", from)?,
                to: instant("to", to)?,
            },
            (None, Some(from), Some(to)) => HistoryRange::Days {
                from: date("from", from)?,
                to: date("to", to)?,
            },
            (Some(_), None, None) => HistoryRange::Instants {
                from: berlin_midnight(today),
                to: berlin_midnight(today.tomorrow().unwrap_or(today)),
            },
            (None, None, None) if resolution == Resolution::Day => HistoryRange::Days {
                from: today.first_of_month(),
                to: today.last_of_month(),
            },
            (None, None, None) => HistoryRange::Days {
                from: today.first_of_year(),
                to: today.last_of_year(),
            },
        };
        let query = Self { resolution, range };
        query.check(settings)?;
        Ok(query)
    }

    /// The most buckets one series of this query can have.
    pub fn max_buckets(&self) -> u64 {
        let count = match (self.range, self.resolution.seconds()) {
            (HistoryRange::Instants { from, to }, Some(step)) => {
                let first = from.as_second().div_euclid(step);
                let last = (to.as_second() - 1).div_euclid(step);
                last - first + 1
            }
            (HistoryRange::Days { from, to }, _) if self.resolution == Resolution::Month => {
                i64::from(month_index(to) - month_index(from) + 1)
            }
            (HistoryRange::Days { from, to }, _) => days_inclusive(from, to),
            (HistoryRange::Instants { .. }, None) => 0,
        };
        u64::try_from(count).unwrap_or(0)
    }

    /// Refuses a query whose answer could hold more than [`MAX_POINTS`] points over `series`
    /// series (the plant and each inverter), so an answer stays well within Lambda's 6 MB:
    /// `422 too_many_points`.
    pub fn check_points(&self, series: usize) -> Result<(), DomainError> {
        let points = self.max_buckets().saturating_mul(series as u64);
        if points > MAX_POINTS {
            return Err(DomainError::invalid(
                "too_many_points",
                format!(
                    "This range at `{}` resolution could answer {points} points for this plant's \
                     inverters, more than {MAX_POINTS}: ask for a shorter range or a coarser \
                     resolution.",
                    self.resolution.as_str()
                ),
            ));
        }
        Ok(())
    }

    fn check(&self, settings: &HistorySettings) -> Result<(), DomainError> {
        let too_long = |limit: String| {
            Err(DomainError::invalid(
                "range_too_large",
                format!(
                    "At `{}` resolution the range is at most {limit}.",
                    self.resolution.as_str()
                ),
            ))
        };
        match self.range {
            HistoryRange::Instants { from, to } => {
                if from >= to {
                    return Err(range_error("`from` must be before `to`."));
                }
                let max = match self.resolution {
                    Resolution::FiveMinutes => settings.max_5m,
                    _ => settings.max_hour,
                };
                if to.duration_since(from) > max {
                    return too_long(format!("{} hours", max.as_hours()));
                }
            }
            HistoryRange::Days { from, to } => {
                if from > to {
                    return Err(range_error("`from` must not be after `to`."));
                }
                if self.resolution == Resolution::Month {
                    let months = month_index(to) - month_index(from) + 1;
                    if months > settings.max_month_months {
                        return too_long(format!("{} months", settings.max_month_months));
                    }
                } else if days_inclusive(from, to) > i64::from(settings.max_day_days) {
                    return too_long(format!("{} days", settings.max_day_days));
                }
            }
        }
        Ok(())
    }
}

fn range_error(detail: &str) -> DomainError {
    DomainError::invalid("invalid_range", detail)
}

fn instant(name: &str, raw: &str) -> Result<Timestamp, DomainError> {
    raw.parse().map_err(|_| {
        DomainError::invalid(
            "invalid_time",
            format!(
                "`{name}` is an RFC 3339 instant such as `2026-11-22T00:00:00Z` at this resolution."
            ),
        )
    })
}

fn date(name: &str, raw: &str) -> Result<Date, DomainError> {
    crate::wire::parse_date(raw).ok_or_else(|| {
        DomainError::invalid(
            "invalid_date",
            format!("`{name}` is a date `YYYY-MM-DD` (Berlin) at this resolution."),
        )
    })
}

/// The Europe/Berlin time zone (bundled; see `clock::berlin_date`).
pub(crate) fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").unwrap_or(TimeZone::UTC)
}

/// The instant a Berlin day starts.
pub fn berlin_midnight(day: Date) -> Timestamp {
    day.to_zoned(berlin())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Months since year 0, so two months subtract.
pub(crate) fn month_index(day: Date) -> i32 {
    i32::from(day.year()) * 12 + i32::from(day.month()) - 1
}

fn days_inclusive(from: Date, to: Date) -> i64 {
    from.until(to)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(i64::MAX)
        + 1
}

/// The access rule as the data routes answer it: data of a plant neither in its trial nor
/// licensed on `today` is `402 license_required`, naming where to buy a license
/// (`POST /v1/checkout` with the per-kW product `product_id`).
pub fn check_data_access(
    history: &super::MonitoringHistory,
    today: Date,
    settings: &super::SolarSettings,
    product_id: &str,
) -> Result<(), DomainError> {
    if super::may_show_data(history, today, settings) {
        return Ok(());
    }
    Err(DomainError::PaymentRequired {
        code: "license_required",
        detail: format!(
            "This plant's data needs a monitoring license: its trial and licenses do not cover \
             {today}. Buy one with POST /v1/checkout, product `{product_id}`."
        ),
        buy: Some(crate::error::Buy {
            link: "/v1/checkout",
            product_id: product_id.to_owned(),
        }),
    })
}
