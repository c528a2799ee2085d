//! Time as a port: functions read it from a [`Clock`] so the local stack and tests can move it.

use jiff::{Timestamp, civil::Date, tz::TimeZone};

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// A clock that always says the same instant; for tests and replays.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// The shop's calendar: "day" rules (14 days before, 21 days after) count Berlin dates.
pub fn berlin_date(at: Timestamp) -> Date {
    at.to_zoned(berlin()).date()
}

pub(crate) fn berlin() -> TimeZone {
    // The tz database is compiled into the binary (jiff `tzdb-bundle-always`), so the lookup
    // cannot fail at run time; a unit test proves the zone is there.
    TimeZone::get("Europe/Berlin").unwrap_or(TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_zone_is_bundled() {
        assert!(TimeZone::get("Europe/Berlin").is_ok());
    }

    #[test]
    fn berlin_date_follows_the_local_midnight() {
        // 23:30 UTC in winter is 00:30 the next day in Berlin (UTC+1).
        let ts: Timestamp = "2026-01-14T23:30:00Z".parse().unwrap();
        assert_eq!(berlin_date(ts), jiff::civil::date(2026, 1, 15));
        // 22:30 UTC in summer is 00:30 the next day (UTC+2).
        let ts: Timestamp = "2026-07-14T22:30:00Z".parse().unwrap();
        assert_eq!(berlin_date(ts), jiff::civil::date(2026, 7, 15));
        let ts: Timestamp = "2026-07-14T21:59:59Z".parse().unwrap();
        assert_eq!(berlin_date(ts), jiff::civil::date(2026, 7, 14));
    }

    #[test]
    fn fixed_clock_returns_its_instant() {
        let ts: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        assert_eq!(FixedClock(ts).now(), ts);
    }
}
