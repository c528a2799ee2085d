//! The worker's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::store::idempotency::IdempotencyPolicy;

use crate::{Handler, templates::Templates};

/// Seconds a send may take before a redelivery takes it over (`MAIL_LEASE_SECONDS`).
pub const DEFAULT_LEASE_SECONDS: i64 = 60;
/// Days a sent message's key is kept (`MAIL_DEDUPE_DAYS`): SQS keeps messages 14 days at
/// most, so a record kept that long catches every late duplicate.
pub const DEFAULT_DEDUPE_DAYS: i64 = 14;

shop_adapters::settings! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        /// `SENDER_EMAIL`: the verified SES identity every email is sent from.
        pub sender: String = |v| v.required("SENDER_EMAIL"),
        /// `MAIL_LEASE_SECONDS`, `MAIL_DEDUPE_DAYS`: one send per message.
        pub dedupe: IdempotencyPolicy = dedupe,
    }
}

fn dedupe(vars: &Vars) -> Result<IdempotencyPolicy, ConfigError> {
    Ok(IdempotencyPolicy {
        lease: vars.seconds("MAIL_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)?,
        retention: vars.days("MAIL_DEDUPE_DAYS", DEFAULT_DEDUPE_DAYS)?,
    })
}

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            templates: Templates::load(),
            sent: boot.idempotency(settings.dedupe),
            mailer: boot.mailer(&settings.sender),
            clock: boot.clock(),
        })
    }
}

shop_adapters::function!(sqs Handler, Settings);

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;
    use shop_testkit::settings;

    const SENDER: [(&str, &str); 1] = [("SENDER_EMAIL", "no-reply@shop.example")];

    #[test]
    fn keys_are_kept_as_long_as_sqs_keeps_messages() {
        let read = settings::read(Settings::from_vars, &SENDER, &[]).unwrap();
        let fourteen_days = SignedDuration::from_hours(14 * 24);
        assert_eq!(read.dedupe.retention, fourteen_days);
        assert_eq!(read.dedupe.lease, SignedDuration::from_mins(1));
        let bad = [("MAIL_LEASE_SECONDS", "-5"), ("MAIL_DEDUPE_DAYS", "x")];
        settings::assert_each_bad_value_named(Settings::from_vars, &SENDER, &bad);
        settings::assert_each_needed(Settings::from_vars, &SENDER, &["SENDER_EMAIL"]);
    }
}
