//! Clock adapters. Deployed functions use the system clock; the local stack sets
//! `LOCAL_CLOCK_FILE` to a file holding an offset in milliseconds, which it rewrites when a test
//! sets or advances time, so every function sees the same moved clock at once.

use std::{path::PathBuf, sync::Arc};

use jiff::{SignedDuration, Timestamp};
use shop_domain::Clock;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The system clock shifted by the offset the local stack keeps in a file.
pub struct OffsetFileClock {
    path: PathBuf,
}

impl Clock for OffsetFileClock {
    fn now(&self) -> Timestamp {
        let now = Timestamp::now();
        let offset_ms = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .unwrap_or(0);
        now.checked_add(SignedDuration::from_millis(offset_ms))
            .unwrap_or(now)
    }
}

/// The clock this process should use: shifted when `LOCAL_CLOCK_FILE` is set.
pub fn from_env() -> Arc<dyn Clock> {
    match std::env::var_os("LOCAL_CLOCK_FILE") {
        Some(path) => Arc::new(OffsetFileClock { path: path.into() }),
        None => Arc::new(SystemClock),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_file_moves_the_clock() {
        let path = std::env::temp_dir().join(format!("shop-clock-{}", std::process::id()));
        std::fs::write(&path, "86400000").unwrap();
        let clock = OffsetFileClock { path: path.clone() };
        let shifted = clock.now().duration_since(Timestamp::now());
        assert!(shifted >= SignedDuration::from_hours(23), "{shifted:?}");
        std::fs::write(&path, "garbage").unwrap();
        let unshifted = clock.now().duration_since(Timestamp::now()).abs();
        assert!(unshifted < SignedDuration::from_secs(5));
        std::fs::remove_file(path).unwrap();
    }
}
