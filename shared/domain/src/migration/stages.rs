//! The stages every account of a wave goes through, and which one the daily job runs for it
//! today: announce (T-14), remind (T-1), move (T-0) and welcome (right after the move).
//!
//! A stage missed (job down, wave imported late) is run late unless a later stage is already
//! due, then only the later one. The announcement is worth sending late only while at least
//! `announce_until` days remain (default 7, half its notice); after that the reminder, which
//! repeats the date and says what to do, takes its place. So a wave imported at T-5 gets the
//! reminder and the welcome only, and one whose job was down at T-14 and back at T-12 is
//! announced at T-12. Move and welcome have no later stage: they run late, never skipped.

use jiff::{Span, civil::Date};
use serde::{Deserialize, Serialize};

/// A stage of an account's transfer, in the order they run. What an account waits for
/// (`next_stage` of its row) is an `Option<Stage>`: `None` once the welcome is done, stored as
/// `done` ([`stored_next`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// T-14: "Your account transfer to the new online shop".
    Announce,
    /// T-1: the reminder.
    Remind,
    /// T-0: the account is moved.
    Move,
    /// T-0, after the move: the welcome email with the activation link.
    Welcome,
}

/// The stored `next_stage` of an account every stage is done for.
pub const DONE: &str = "done";

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Announce, Stage::Remind, Stage::Move, Stage::Welcome];

    /// The first stage of an imported account.
    pub const FIRST: Stage = Stage::Announce;

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Announce => "announce",
            Stage::Remind => "remind",
            Stage::Move => "move",
            Stage::Welcome => "welcome",
        }
    }

    /// The wave's counter this stage adds to when done for an account.
    pub fn counter(self) -> &'static str {
        match self {
            Stage::Announce => "n_announced",
            Stage::Remind => "n_reminded",
            Stage::Move => "n_moved",
            Stage::Welcome => "n_welcomed",
        }
    }

    /// What an account waits for once this stage is done: the next stage, or none.
    pub fn after(self) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| *s > self)
    }

    /// Reads a stored `next_stage`: a stage's name, or [`DONE`]; `None` for anything else.
    pub fn parse_next(stored: &str) -> Option<Option<Stage>> {
        if stored == DONE {
            return Some(None);
        }
        Stage::ALL
            .into_iter()
            .find(|s| s.as_str() == stored)
            .map(Some)
    }
}

/// The stored form of what an account waits for: the stage's name, or [`DONE`].
pub fn stored_next(next: Option<Stage>) -> &'static str {
    next.map_or(DONE, Stage::as_str)
}

/// When the stages run, in days before the transfer date (settings of the mailer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageDays {
    /// Days before the transfer the announcement goes out (14).
    pub announce: i64,
    /// The announcement is still sent late while at least this many days remain (7).
    pub announce_until: i64,
    /// Days before the transfer the reminder goes out (1).
    pub remind: i64,
}

impl Default for StageDays {
    fn default() -> Self {
        Self {
            announce: 14,
            announce_until: 7,
            remind: 1,
        }
    }
}

impl StageDays {
    /// Checks the order of the days: announce ≥ announce_until > remind ≥ 1 (the move is day
    /// 0, so a reminder on the day of the move would never be sent).
    pub fn new(announce: i64, announce_until: i64, remind: i64) -> Result<Self, &'static str> {
        if announce >= announce_until && announce_until > remind && remind >= 1 {
            Ok(Self {
                announce,
                announce_until,
                remind,
            })
        } else {
            Err("stage days must satisfy announce >= announce_until > remind >= 1")
        }
    }

    /// The first day `stage` is due for a wave moving on `transfer`.
    pub fn day_of(&self, stage: Stage, transfer: Date) -> Date {
        let before = match stage {
            Stage::Announce => self.announce,
            Stage::Remind => self.remind,
            Stage::Move | Stage::Welcome => 0,
        };
        transfer
            .checked_sub(Span::new().days(before))
            .unwrap_or(transfer)
    }

    /// Whether `stage` is still worth running on `today` (only the announcement expires).
    fn still_worth(&self, stage: Stage, transfer: Date, today: Date) -> bool {
        stage != Stage::Announce
            || transfer
                .checked_sub(Span::new().days(self.announce_until))
                .is_ok_and(|last| today <= last)
    }
}

/// What the job does today for one account: the stages passed over, and the one it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Missed stages a later one replaces; marked passed without an email.
    pub skipped: Vec<Stage>,
    /// The stage to run now, if any is due.
    pub run: Option<Stage>,
}

impl Plan {
    /// What the account waits for once the plan has run (or `next` when nothing runs).
    pub fn next_after(&self, next: Option<Stage>) -> Option<Stage> {
        self.run.map_or(next, Stage::after)
    }
}

/// The plan for an account waiting for `next` on `today`, for a wave moving on `transfer`.
/// The stage run is the latest one due (and still worth it) at or after `next`; the due ones
/// before it are skipped. The welcome follows the move on the same run (plan again after it).
pub fn plan(today: Date, transfer: Date, next: Option<Stage>, days: &StageDays) -> Plan {
    let Some(first) = next else {
        return Plan {
            skipped: Vec::new(),
            run: None,
        };
    };
    let pending: Vec<Stage> = Stage::ALL.into_iter().filter(|s| *s >= first).collect();
    let due: Vec<Stage> = pending
        .iter()
        .copied()
        .filter(|s| days.day_of(*s, transfer) <= today)
        .collect();
    // Move and welcome are due on the same day; the welcome waits for the move.
    let latest = due
        .iter()
        .copied()
        .filter(|s| *s != Stage::Welcome || first == Stage::Welcome)
        .rfind(|s| days.still_worth(*s, transfer, today));
    match latest {
        None => Plan {
            skipped: Vec::new(),
            run: None,
        },
        Some(run) => Plan {
            skipped: pending.into_iter().filter(|s| *s < run).collect(),
            run: Some(run),
        },
    }
}

/// The index partitions (`next_stage` values) the job queries on `today`: those whose
/// accounts have a stage to run.
pub fn due_partitions(today: Date, transfer: Date, days: &StageDays) -> Vec<Stage> {
    Stage::ALL
        .into_iter()
        .filter(|n| plan(today, transfer, Some(*n), days).run.is_some())
        .collect()
}

#[cfg(test)]
#[path = "stages_tests.rs"]
mod tests;
