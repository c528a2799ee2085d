//! Sign-in settings shared by the account functions, read once at cold start from [`Vars`]
//! (the environment, or a test's values).

use jiff::SignedDuration;
use shop_domain::account::password::PasswordPolicy;

use super::jwt::{TokenIssuer, TokenVerifier};
use crate::boot::config::{ConfigError, Vars};

/// Minutes an access token lives when `ACCESS_TOKEN_MINUTES` is unset.
pub const DEFAULT_ACCESS_TOKEN_MINUTES: i64 = 15;
/// The password policy when `PASSWORD_POLICY` is unset.
pub const DEFAULT_PASSWORD_POLICY: &str = "vendor";

/// Days an activation link works (a moved or invited account's first password) when
/// `ACTIVATION_LINK_DAYS` is unset.
pub const DEFAULT_ACTIVATION_LINK_DAYS: i64 = 14;
/// Days a validation link works (a registered email) when `VERIFY_LINK_DAYS` is unset.
pub const DEFAULT_VERIFY_LINK_DAYS: i64 = 7;
/// Hours a password reset link works when `RESET_LINK_HOURS` is unset.
pub const DEFAULT_RESET_LINK_HOURS: i64 = 2;

/// `ACTIVATION_LINK_DAYS`: read alike by every function that sends an activation link, so an
/// invitation's link and a requested one live equally long.
pub fn activation_valid(vars: &Vars) -> Result<SignedDuration, ConfigError> {
    vars.days("ACTIVATION_LINK_DAYS", DEFAULT_ACTIVATION_LINK_DAYS)
}

/// `VERIFY_LINK_DAYS`: the validation link of a registration, and one requested again.
pub fn verification_valid(vars: &Vars) -> Result<SignedDuration, ConfigError> {
    vars.days("VERIFY_LINK_DAYS", DEFAULT_VERIFY_LINK_DAYS)
}

/// `RESET_LINK_HOURS`: a password reset link.
pub fn reset_valid(vars: &Vars) -> Result<SignedDuration, ConfigError> {
    vars.hours("RESET_LINK_HOURS", DEFAULT_RESET_LINK_HOURS)
}

/// The token verifier every protected function needs: `JWT_PUBLIC_KEYS` (a JWKS),
/// `JWT_ISSUER`, `JWT_AUDIENCE`.
pub fn verifier(vars: &Vars) -> Result<TokenVerifier, ConfigError> {
    let keys = vars.required("JWT_PUBLIC_KEYS")?;
    TokenVerifier::from_jwks_json(
        &keys,
        &vars.required("JWT_ISSUER")?,
        &vars.required("JWT_AUDIENCE")?,
    )
    .map_err(|e| ConfigError::Invalid {
        name: "JWT_PUBLIC_KEYS".into(),
        reason: e.to_string(),
    })
}

/// The token issuer of the sign-in function: `JWT_SIGNING_KEY` (Ed25519 PKCS#8 PEM),
/// `JWT_KEY_ID`, `JWT_ISSUER`, `JWT_AUDIENCE`, `ACCESS_TOKEN_MINUTES`.
pub fn issuer(vars: &Vars) -> Result<TokenIssuer, ConfigError> {
    let lifetime: SignedDuration =
        vars.minutes("ACCESS_TOKEN_MINUTES", DEFAULT_ACCESS_TOKEN_MINUTES)?;
    TokenIssuer::from_pem(
        &vars.required("JWT_KEY_ID")?,
        &vars.required("JWT_SIGNING_KEY")?,
        &vars.required("JWT_ISSUER")?,
        &vars.required("JWT_AUDIENCE")?,
        lifetime,
    )
    .map_err(|e| ConfigError::Invalid {
        name: "JWT_SIGNING_KEY".into(),
        reason: e.to_string(),
    })
}

/// `PASSWORD_POLICY`: `vendor` (default) or `nist`.
pub fn password_policy(vars: &Vars) -> Result<PasswordPolicy, ConfigError> {
    let name: String = vars.or("PASSWORD_POLICY", DEFAULT_PASSWORD_POLICY.to_owned())?;
    PasswordPolicy::named(&name).ok_or(ConfigError::Invalid {
        name: "PASSWORD_POLICY".into(),
        reason: "must be vendor or nist".into(),
    })
}

crate::settings! {
    /// The whole settings of a protected function that reads nothing else: it names this as its
    /// `Settings` rather than declaring the same one field again.
    pub struct GuardSettings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = verifier,
    }
}

crate::settings! {
    /// The whole settings of a function that sets passwords by a link (activation, reset) and
    /// reads nothing else.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PolicySettings {
        /// `PASSWORD_POLICY`: the new password is held to it, and its lockout is cleared.
        pub policy: PasswordPolicy = password_policy,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy_defaults_to_vendor_and_names_a_bad_one() {
        let vendor = PasswordPolicy::named("vendor");
        assert_eq!(password_policy(&Vars::given(&[])).ok(), vendor);
        let nist = Vars::given(&[("PASSWORD_POLICY", "nist")]);
        assert_eq!(password_policy(&nist).ok(), PasswordPolicy::named("nist"));
        let bad = Vars::given(&[("PASSWORD_POLICY", "lax")]);
        let err = password_policy(&bad).unwrap_err();
        assert!(err.to_string().contains("PASSWORD_POLICY"), "{err}");
    }

    /// What activate-account and reset-password read (their `Settings`): the policy named,
    /// vendor when unset, a name it does not know stopping the start.
    #[test]
    fn policy_settings_read_the_policy() {
        let read = |vars: &[(&str, &str)]| PolicySettings::from_vars(&Vars::given(vars));
        let nist = read(&[("PASSWORD_POLICY", "nist")]).map(|s| s.policy);
        assert_eq!(nist.ok(), PasswordPolicy::named("nist"));
        let unset = read(&[]).map(|s| s.policy);
        assert_eq!(unset.ok(), PasswordPolicy::named("vendor"));
        for bad in ["x", "lax"] {
            let err = read(&[("PASSWORD_POLICY", bad)]);
            assert!(err.is_err_and(|e| e.to_string().contains("PASSWORD_POLICY")));
        }
    }

    #[test]
    fn link_lifetimes_default_to_their_constants_and_a_bad_one_is_named() {
        let unset = Vars::given(&[]);
        assert_eq!(
            activation_valid(&unset),
            Ok(SignedDuration::from_hours(14 * 24))
        );
        assert_eq!(
            verification_valid(&unset),
            Ok(SignedDuration::from_hours(7 * 24))
        );
        assert_eq!(reset_valid(&unset), Ok(SignedDuration::from_hours(2)));
        let set = Vars::given(&[("RESET_LINK_HOURS", "1"), ("VERIFY_LINK_DAYS", "3")]);
        assert_eq!(reset_valid(&set), Ok(SignedDuration::from_hours(1)));
        assert_eq!(
            verification_valid(&set),
            Ok(SignedDuration::from_hours(3 * 24))
        );
        let bad = Vars::given(&[("ACTIVATION_LINK_DAYS", "two weeks")]);
        let err = activation_valid(&bad).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("ACTIVATION_LINK_DAYS")));
    }

    #[test]
    fn verifier_names_what_is_missing() {
        let err = verifier(&Vars::given(&[])).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("environment variable JWT_PUBLIC_KEYS is not set")
        );
    }
}
