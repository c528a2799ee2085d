//! The contract of the mail queue: every email the shop sends is one [`MailMessage`], produced
//! by a use case and rendered and sent by the `send-mail` function.

use serde::{Deserialize, Serialize};

use crate::{Email, Language};

/// Every email the shop knows how to write. A message naming anything else is refused by the
/// sender and ends in the dead-letter queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTemplate {
    /// Registration: "confirm your email address" with a validation link.
    EmailVerification,
    /// A moved or invited account: "welcome, activate your account" with the activation link.
    AccountActivation,
    /// "Reset your password" with a short-lived reset link.
    PasswordReset,
    /// A paid order: confirmation with the invoice lines and a link to the invoice.
    OrderConfirmation,
    /// A cancelled order: the refund and the credit note.
    OrderCancellation,
    /// A seat was assigned: what, when, and the activation or sign-in link.
    SeatInvitation,
    /// A fixed-term license ends soon and may be renewed now.
    RenewalReminder,
    /// A renewal charge failed: when it is tried again, or that the subscription ended.
    RenewalFailed,
    /// An order was never paid and has expired: nothing was charged, the product may be
    /// ordered again.
    OrderExpired,
    /// A plant outgrew its monitoring license (an inverter raised its power): the license
    /// ended that day, and its residual value is credited on the next license of the plant.
    MonitoringLicenseEnded,
    /// A plant alert (no data, underperformance, below forecast): what, which inverter or the
    /// plant, since when; once per condition, subject and event.
    PlantAlert,
    /// The all-clear of a plant alert: the condition has ended.
    PlantAlertCleared,
    /// A migration wave, 14 days ahead: "Your account transfer to the new online shop", with
    /// the transfer date and what will happen.
    MigrationAnnouncement,
    /// A migration wave, the day before: what to do on the day of the transfer.
    MigrationReminder,
    /// A moved account: "Welcome", the activation link and the licenses moved.
    MigrationWelcome,
    /// A moved account whose email already had an account: the licenses joined it.
    MigrationJoined,
}

impl MailTemplate {
    pub const ALL: [MailTemplate; 16] = [
        MailTemplate::EmailVerification,
        MailTemplate::AccountActivation,
        MailTemplate::PasswordReset,
        MailTemplate::OrderConfirmation,
        MailTemplate::OrderCancellation,
        MailTemplate::SeatInvitation,
        MailTemplate::RenewalReminder,
        MailTemplate::RenewalFailed,
        MailTemplate::OrderExpired,
        MailTemplate::MonitoringLicenseEnded,
        MailTemplate::PlantAlert,
        MailTemplate::PlantAlertCleared,
        MailTemplate::MigrationAnnouncement,
        MailTemplate::MigrationReminder,
        MailTemplate::MigrationWelcome,
        MailTemplate::MigrationJoined,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MailTemplate::EmailVerification => "email_verification",
            MailTemplate::AccountActivation => "account_activation",
            MailTemplate::PasswordReset => "password_reset",
            MailTemplate::OrderConfirmation => "order_confirmation",
            MailTemplate::OrderCancellation => "order_cancellation",
            MailTemplate::SeatInvitation => "seat_invitation",
            MailTemplate::RenewalReminder => "renewal_reminder",
            MailTemplate::RenewalFailed => "renewal_failed",
            MailTemplate::OrderExpired => "order_expired",
            MailTemplate::MonitoringLicenseEnded => "monitoring_license_ended",
            MailTemplate::PlantAlert => "plant_alert",
            MailTemplate::PlantAlertCleared => "plant_alert_cleared",
            MailTemplate::MigrationAnnouncement => "migration_announcement",
            MailTemplate::MigrationReminder => "migration_reminder",
            MailTemplate::MigrationWelcome => "migration_welcome",
            MailTemplate::MigrationJoined => "migration_joined",
        }
    }
}

ascii_newtype! {
    /// Names the event an email belongs to (`verify:<account>:<n>`), so that the same event
    /// never produces a second email however often its message is delivered.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
    DedupeKey: exact visible 1..=200,
    "invalid_dedupe_key", "A dedupe key is 1 to 200 visible ASCII characters."
}

/// One email to send. `data` fills the template's placeholders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailMessage {
    pub template: MailTemplate,
    pub language: Language,
    pub to: Email,
    pub data: serde_json::Map<String, serde_json::Value>,
    pub dedupe_key: DedupeKey,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_round_trips_and_validates_its_parts() {
        let raw = serde_json::json!({
            "template": "email_verification",
            "language": "fr",
            "to": " Anna@Example.FR ",
            "data": {"name": "Anna", "link": "https://shop.example/verify?t=x"},
            "dedupe_key": "verify:acc-1:1"
        });
        let m: MailMessage = serde_json::from_value(raw).unwrap();
        assert_eq!(m.to.as_str(), "anna@example.fr");
        assert_eq!(m.template.name(), "email_verification");
        let again: MailMessage = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn unknown_template_and_bad_parts_are_refused() {
        let base = serde_json::json!({
            "template": "email_verification", "language": "de", "to": "a@b.de",
            "data": {}, "dedupe_key": "k"
        });
        for (field, value) in [
            ("template", serde_json::json!("no_such_template")),
            ("language", serde_json::json!("es")),
            ("to", serde_json::json!("not-an-email")),
            ("data", serde_json::json!([1, 2])),
            ("dedupe_key", serde_json::json!("has space")),
        ] {
            let mut m = base.clone();
            m[field] = value;
            assert!(serde_json::from_value::<MailMessage>(m).is_err(), "{field}");
        }
    }

    #[test]
    fn template_names_match_their_json_names() {
        for t in MailTemplate::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.name());
        }
    }
}
