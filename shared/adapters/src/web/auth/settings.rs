//! Sign-in settings shared by the account functions, read once at cold start.

use jiff::SignedDuration;
use shop_domain::account::password::PasswordPolicy;

use super::jwt::{TokenIssuer, TokenVerifier};
use crate::boot::config::{self, ConfigError};

/// The token verifier every protected function needs: `JWT_PUBLIC_KEYS` (a JWKS),
/// `JWT_ISSUER`, `JWT_AUDIENCE`.
pub fn verifier() -> Result<TokenVerifier, ConfigError> {
    let keys = config::required("JWT_PUBLIC_KEYS")?;
    TokenVerifier::from_jwks_json(
        &keys,
        &config::required("JWT_ISSUER")?,
        &config::required("JWT_AUDIENCE")?,
    )
    .map_err(|e| ConfigError::Invalid {
        name: "JWT_PUBLIC_KEYS".into(),
        reason: e.to_string(),
    })
}

/// The token issuer of the sign-in function: `JWT_SIGNING_KEY` (Ed25519 PKCS#8 PEM),
/// `JWT_KEY_ID`, `JWT_ISSUER`, `JWT_AUDIENCE`, `ACCESS_TOKEN_MINUTES` (default 15).
pub fn issuer() -> Result<TokenIssuer, ConfigError> {
    let minutes: i64 = config::parsed_or("ACCESS_TOKEN_MINUTES", 15)?;
    TokenIssuer::from_pem(
        &config::required("JWT_KEY_ID")?,
        &config::required("JWT_SIGNING_KEY")?,
        &config::required("JWT_ISSUER")?,
        &config::required("JWT_AUDIENCE")?,
        SignedDuration::from_mins(minutes),
    )
    .map_err(|e| ConfigError::Invalid {
        name: "JWT_SIGNING_KEY".into(),
        reason: e.to_string(),
    })
}

/// `PASSWORD_POLICY`: `vendor` (default) or `nist`.
pub fn password_policy() -> Result<PasswordPolicy, ConfigError> {
    let name: String = config::parsed_or("PASSWORD_POLICY", "vendor".to_owned())?;
    PasswordPolicy::named(&name).ok_or(ConfigError::Invalid {
        name: "PASSWORD_POLICY".into(),
        reason: "must be vendor or nist".into(),
    })
}

/// The attempt log sign-in and the password change share: kept an hour longer than the
/// policy's window and lock together, so no lock ends early because its log expired.
pub fn sign_in_failures(
    client: aws_sdk_dynamodb::Client,
    table: impl Into<String>,
    policy: &PasswordPolicy,
) -> crate::store::sign_in_failures::SignInFailureLog {
    let keep_for = policy.lockout.window + policy.lockout.lock_for + SignedDuration::from_hours(1);
    crate::store::sign_in_failures::SignInFailureLog::new(client, table, keep_for)
}
