//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::flows::power_exceeded::AddingSettings;
use shop_sheets::Limits;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// `IMPORT_MAX_FILE_BYTES` (4 MiB), `IMPORT_MAX_ROWS` (1,000),
        /// `IMPORT_MAX_UNPACKED_BYTES` (16 MiB): what one upload may cost.
        pub limits: Limits = import_limits,
        /// As for a single add: the solar rules, each row's code counted against the
        /// account's limit, the email when a license ends.
        pub adding: AddingSettings = AddingSettings::from_vars,
    }
}

fn import_limits(vars: &Vars) -> Result<Limits, ConfigError> {
    Ok(Limits {
        max_file_bytes: vars.or("IMPORT_MAX_FILE_BYTES", Limits::MAX_FILE_BYTES)?,
        max_rows: vars.or("IMPORT_MAX_ROWS", Limits::MAX_ROWS)?,
        max_unpacked_bytes: vars.or("IMPORT_MAX_UNPACKED_BYTES", Limits::MAX_UNPACKED_BYTES)?,
    })
}

shop_adapters::function!(http Handler => serve, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    adding: boot.adding(&settings.adding),
    limits: settings.limits,
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use shop_testkit::{bed::protected_mail_vars, settings};

    #[test]
    fn the_limits_default_to_their_named_constants() {
        let base = protected_mail_vars("http://queue.example/mail");
        let s = Settings::from_vars(&Vars::given(&base)).unwrap();
        assert_eq!(s.limits, Limits::default());
        assert_eq!(s.limits.max_rows, 1_000);
    }

    #[test]
    fn a_bad_limit_names_its_variable() {
        let base = protected_mail_vars("http://queue.example/mail");
        let bad = [("IMPORT_MAX_ROWS", "many")];
        settings::assert_each_bad_value_named(Settings::from_vars, &base, &bad);
    }
}
