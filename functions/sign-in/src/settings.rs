//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::web::auth::jwt::TokenIssuer;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_SIGNING_KEY`, `JWT_KEY_ID`, `JWT_ISSUER`, `JWT_AUDIENCE`, `ACCESS_TOKEN_MINUTES`.
        pub issuer: TokenIssuer = settings::issuer,
        /// `PASSWORD_POLICY`: its lockout and password expiry.
        pub policy: PasswordPolicy = settings::password_policy,
    }
}

shop_adapters::function!(http Handler => sign_in, Settings, |boot, settings| Handler {
    passwords: boot.passwords(settings.policy)?,
    issuer: settings.issuer,
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_testkit::{customer::signing_vars, settings};

    #[test]
    fn without_a_signing_key_it_does_not_start() {
        let needed = [
            "JWT_KEY_ID",
            "JWT_SIGNING_KEY",
            "JWT_ISSUER",
            "JWT_AUDIENCE",
        ];
        settings::assert_each_needed(Settings::from_vars, &signing_vars(), &needed);
    }
}
