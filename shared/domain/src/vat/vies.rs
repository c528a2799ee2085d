//! The outcome of asking the EU VIES service about a VAT ID, and what a purchase may do with it.
//! VIES or a member state is often unreachable (Germany every night 23:00-05:00): the check is
//! then `pending`, asked again after a pause, and a purchase that needs it waits.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::{DomainError, vat::VatId};

/// What VIES answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViesAnswer {
    Valid {
        name: Option<String>,
        address: Option<String>,
    },
    Invalid,
    /// VIES or the member state did not answer; `reason` is VIES's code or the network error.
    Unavailable {
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatCheckStatus {
    Valid,
    Invalid,
    Pending,
}

/// A stored check of one VAT ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatCheck {
    pub vat_id: VatId,
    pub status: VatCheckStatus,
    pub checked_at: Timestamp,
    /// The name VIES holds for the trader, where the member state shares it.
    pub name: Option<String>,
    /// A pending check is asked again from this instant on.
    pub retry_at: Option<Timestamp>,
}

/// How long answers count.
#[derive(Debug, Clone, Copy)]
pub struct VatCheckPolicy {
    /// A valid or invalid answer is reused this long.
    pub keep: SignedDuration,
    /// Pause after an outage before VIES is asked again.
    pub retry_after: SignedDuration,
}

impl VatCheckPolicy {
    /// Whether a stored check must be asked again at `now`.
    pub fn needs_asking(&self, stored: Option<&VatCheck>, now: Timestamp) -> bool {
        match stored {
            None => true,
            Some(c) if c.status == VatCheckStatus::Pending => c.retry_at.is_none_or(|at| now >= at),
            Some(c) => {
                now >= c
                    .checked_at
                    .saturating_add(self.keep)
                    .unwrap_or(c.checked_at)
            }
        }
    }

    /// The check recorded from VIES's answer.
    pub fn record(&self, vat_id: VatId, answer: ViesAnswer, now: Timestamp) -> VatCheck {
        let (status, name, retry_at) = match answer {
            ViesAnswer::Valid { name, .. } => (VatCheckStatus::Valid, name, None),
            ViesAnswer::Invalid => (VatCheckStatus::Invalid, None, None),
            ViesAnswer::Unavailable { .. } => (
                VatCheckStatus::Pending,
                None,
                now.saturating_add(self.retry_after).ok(),
            ),
        };
        VatCheck {
            vat_id,
            status,
            checked_at: now,
            name,
            retry_at,
        }
    }
}

impl VatCheck {
    /// Passes only a VAT ID VIES confirmed; the refusals say what to do.
    pub fn require_valid(&self) -> Result<(), DomainError> {
        match self.status {
            VatCheckStatus::Valid => Ok(()),
            VatCheckStatus::Invalid => Err(DomainError::invalid(
                "vat_id_not_registered",
                format!(
                    "VIES does not know the VAT ID {} as registered. Check it, or order without it.",
                    self.vat_id
                ),
            )),
            VatCheckStatus::Pending => Err(DomainError::conflict(
                "vat_check_pending",
                format!(
                    "The VAT ID {} cannot be confirmed right now: the EU VIES service or the \
                     member state's register is not answering (the German one is down nightly \
                     23:00-05:00). We ask again from {}; please order again then.",
                    self.vat_id,
                    self.retry_at
                        .map_or_else(|| "now".to_owned(), |t| t.to_string())
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> VatCheckPolicy {
        VatCheckPolicy {
            keep: SignedDuration::from_hours(24 * 30),
            retry_after: SignedDuration::from_mins(15),
        }
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn outage_is_pending_and_asked_again_after_the_pause() {
        let id = VatId::parse("ATU13585627").unwrap();
        let now = t("2026-11-22T23:30:00Z");
        let check = policy().record(
            id,
            ViesAnswer::Unavailable {
                reason: "MS_UNAVAILABLE".into(),
            },
            now,
        );
        assert_eq!(check.status, VatCheckStatus::Pending);
        assert_eq!(
            check.require_valid().unwrap_err().code(),
            "vat_check_pending"
        );
        assert!(!policy().needs_asking(Some(&check), t("2026-11-22T23:44:59Z")));
        assert!(policy().needs_asking(Some(&check), t("2026-11-22T23:45:00Z")));
    }

    #[test]
    fn answers_are_kept_for_a_while() {
        let id = VatId::parse("ATU13585627").unwrap();
        let now = t("2026-11-01T10:00:00Z");
        let valid = policy().record(
            id.clone(),
            ViesAnswer::Valid {
                name: Some("ACME".into()),
                address: None,
            },
            now,
        );
        assert!(valid.require_valid().is_ok());
        assert!(!policy().needs_asking(Some(&valid), t("2026-11-30T10:00:00Z")));
        assert!(policy().needs_asking(Some(&valid), t("2026-12-01T10:00:00Z")));
        let invalid = policy().record(id, ViesAnswer::Invalid, now);
        assert_eq!(
            invalid.require_valid().unwrap_err().code(),
            "vat_id_not_registered"
        );
        assert!(policy().needs_asking(None, now));
    }
}
