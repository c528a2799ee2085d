//! A migration wave: the accounts moved on one transfer date, and the stages each of them goes
//! through (docs/migration.md has the state machine).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{DomainError, account::profile::DisplayName, id::WaveId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaveStatus {
    /// The daily mailer works on the wave's accounts.
    Active,
    /// Nothing is sent or moved until the operator resumes the wave.
    Paused,
}

impl WaveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WaveStatus::Active => "active",
            WaveStatus::Paused => "paused",
        }
    }
}

/// A wave as the operator made it: the row's `wave` JSON plus its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wave {
    pub id: WaveId,
    pub name: DisplayName,
    pub transfer_date: Date,
    pub status: WaveStatus,
}

impl Wave {
    /// A new, active wave. The transfer date is a Berlin calendar day not before `today` (the
    /// Berlin date now): a wave in the past would send every stage at once.
    pub fn planned(
        id: WaveId,
        name: DisplayName,
        transfer_date: Date,
        today: Date,
    ) -> Result<Wave, DomainError> {
        check_date(transfer_date, today)?;
        Ok(Wave {
            id,
            name,
            transfer_date,
            status: WaveStatus::Active,
        })
    }

    /// The wave with another transfer date: only while no stage of it has been done
    /// (`started`), and not into the past.
    pub fn moved_to(
        &self,
        transfer_date: Date,
        today: Date,
        started: bool,
    ) -> Result<Wave, DomainError> {
        if started {
            return Err(wave_started());
        }
        check_date(transfer_date, today)?;
        Ok(Wave {
            transfer_date,
            ..self.clone()
        })
    }

    /// The wave paused or resumed; the same status again is no change.
    pub fn with_status(&self, status: WaveStatus) -> Wave {
        Wave {
            status,
            ..self.clone()
        }
    }
}

/// The refusal of a date move once the wave's first stage was done.
pub fn wave_started() -> DomainError {
    DomainError::conflict(
        "wave_started",
        "The wave's first emails are sent; its transfer date can no longer move.",
    )
}

fn check_date(transfer_date: Date, today: Date) -> Result<(), DomainError> {
    if transfer_date < today {
        return Err(DomainError::invalid(
            "transfer_date_in_past",
            "The transfer date is today or later (Europe/Berlin).",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn wave() -> Wave {
        Wave::planned(
            WaveId::parse("w1").unwrap(),
            DisplayName::parse("Wave 1").unwrap(),
            date(2027, 3, 1),
            date(2027, 1, 1),
        )
        .unwrap()
    }

    #[test]
    fn a_wave_starts_active_and_not_in_the_past() {
        assert_eq!(wave().status, WaveStatus::Active);
        let today = date(2027, 3, 1);
        assert!(Wave::planned(wave().id, wave().name, today, today).is_ok());
        let past = Wave::planned(wave().id, wave().name, date(2027, 2, 28), today);
        assert_eq!(past.unwrap_err().code(), "transfer_date_in_past");
    }

    #[test]
    fn the_date_moves_only_before_the_start() {
        let today = date(2027, 1, 2);
        let moved = wave().moved_to(date(2027, 4, 1), today, false).unwrap();
        assert_eq!(moved.transfer_date, date(2027, 4, 1));
        let err = wave().moved_to(date(2027, 4, 1), today, true).unwrap_err();
        assert_eq!(err.code(), "wave_started");
        let err = wave().moved_to(date(2027, 1, 1), today, false).unwrap_err();
        assert_eq!(err.code(), "transfer_date_in_past");
    }

    #[test]
    fn stages_and_statuses_read_as_stored() {
        assert_eq!(WaveStatus::Paused.as_str(), "paused");
        let read: Wave = serde_json::from_str(&serde_json::to_string(&wave()).unwrap()).unwrap();
        assert_eq!(read, wave());
    }
}
