//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;

use crate::Handler;

/// Most accounts one import request carries (`MIGRATION_IMPORT_MAX_ACCOUNTS`).
pub const DEFAULT_IMPORT_MAX_ACCOUNTS: usize = 1_000;
/// Largest import body (`MIGRATION_IMPORT_MAX_BODY_BYTES`): Lambda's request payload is 6 MB,
/// 1,000 accounts of a typical export are about 1.5 MB.
pub const DEFAULT_IMPORT_MAX_BODY_BYTES: usize = 6 * 1024 * 1024;

/// What one import request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    pub max_accounts: usize,
    pub max_body_bytes: usize,
}

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// `MIGRATION_IMPORT_MAX_ACCOUNTS` (1,000) and `MIGRATION_IMPORT_MAX_BODY_BYTES`
        /// (6 MiB): the import route's limits; the other routes read 16 KiB at most.
        pub import: ImportLimits = import_limits,
    }
}

fn import_limits(vars: &Vars) -> Result<ImportLimits, ConfigError> {
    Ok(ImportLimits {
        max_accounts: vars.or("MIGRATION_IMPORT_MAX_ACCOUNTS", DEFAULT_IMPORT_MAX_ACCOUNTS)?,
        max_body_bytes: vars.or(
            "MIGRATION_IMPORT_MAX_BODY_BYTES",
            DEFAULT_IMPORT_MAX_BODY_BYTES,
        )?,
    })
}

shop_adapters::function!(http Handler => route, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    waves: boot.waves(),
    clock: boot.clock(),
    import: settings.import,
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_testkit::{customer::jwt_vars, settings};

    #[test]
    fn the_import_limits_default_to_the_constants() {
        let limits = |extra: &[_]| settings::protected(Settings::from_vars, extra).import;
        assert_eq!(limits(&[]).max_accounts, 1_000);
        assert_eq!(limits(&[]).max_body_bytes, 6 * 1024 * 1024);
        let set = limits(&[("MIGRATION_IMPORT_MAX_ACCOUNTS", "10")]);
        assert_eq!(set.max_accounts, 10);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let bad = [
            ("MIGRATION_IMPORT_MAX_ACCOUNTS", "many"),
            ("MIGRATION_IMPORT_MAX_BODY_BYTES", "-1"),
        ];
        settings::assert_each_bad_value_named(Settings::from_vars, &jwt_vars(), &bad);
    }
}
