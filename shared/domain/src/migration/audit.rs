//! What an operator did, as the audit trail of a wave keeps it (who, what, when).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Email, id::AccountId};

/// The operator actions on a wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    WaveCreated,
    WavePaused,
    WaveResumed,
    TransferDateMoved,
    AccountsImported,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::WaveCreated => "wave_created",
            AuditAction::WavePaused => "wave_paused",
            AuditAction::WaveResumed => "wave_resumed",
            AuditAction::TransferDateMoved => "transfer_date_moved",
            AuditAction::AccountsImported => "accounts_imported",
        }
    }
}

/// Who acted: the operator's account, named by id and email (the email as it was then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub id: AccountId,
    pub email: Email,
}

/// One entry of a wave's audit trail; `details` says what changed (counts, dates), never a
/// customer's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub operator: Operator,
    pub action: AuditAction,
    pub details: serde_json::Value,
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_stored_by_name() {
        for a in [
            AuditAction::WaveCreated,
            AuditAction::WavePaused,
            AuditAction::WaveResumed,
            AuditAction::TransferDateMoved,
            AuditAction::AccountsImported,
        ] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
    }
}
