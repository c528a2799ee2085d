//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// `PASSWORD_POLICY`: the new password is held to it, wrong current ones count to its lock.
        pub policy: PasswordPolicy = settings::password_policy,
    }
}

shop_adapters::function!(http Handler => change, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    passwords: boot.passwords(settings.policy)?,
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_testkit::{customer::jwt_vars, settings};

    #[test]
    fn without_trusted_keys_it_does_not_start() {
        let needed = ["JWT_PUBLIC_KEYS", "JWT_ISSUER", "JWT_AUDIENCE"];
        settings::assert_each_needed(Settings::from_vars, &jwt_vars(), &needed);
    }
}
