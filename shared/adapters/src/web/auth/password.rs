//! Password hashes: Argon2id with OWASP's minimum parameters (19 MiB, t = 2, p = 1), stored as
//! PHC strings that carry their own parameters, so they can be raised later without a migration.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

use jiff::Timestamp;
use shop_domain::account::{
    model::{Account, PasswordChange},
    password::PasswordPolicy,
};

use crate::{AppError, error::Context};

/// A hash of 32 random bytes that were thrown away, with the same parameters as every stored
/// hash. Verified when there is no account, so an unknown email costs the time of a wrong
/// password; a match would still be refused. A constant costs nothing at cold start.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$Q1RfyUp9Bz2HKAzu3RzAjQ$sm3cvpb+XZDYAAJYJCBEI0syEDkeehy7YE3kyoG4x1w";

pub struct PasswordHasherArgon2 {
    argon: Argon2<'static>,
}

impl PasswordHasherArgon2 {
    pub fn new() -> Result<Self, AppError> {
        let params = Params::new(19 * 1024, 2, 1, None).context("argon2 parameters")?;
        Ok(Self {
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
        })
    }

    pub fn hash(&self, password: &str) -> Result<String, AppError> {
        self.argon
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .context("hash the password")
    }

    /// Whether `password` matches `phc`. A malformed stored hash never matches.
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        PasswordHash::new(phc).is_ok_and(|parsed| {
            self.argon
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    }

    /// Whether `password` matches any of `hashes` (a reuse check against the history).
    fn matches_any<'a>(&self, password: &str, mut hashes: impl Iterator<Item = &'a str>) -> bool {
        hashes.any(|h| self.verify(password, h))
    }

    /// `account` with `password` as its new password: refused if it matches one of the recent
    /// ones (or, for an owner, if the current one is too young), otherwise hashed and the old
    /// hash moved into the history. Changing and resetting a password both go through here.
    pub fn replace_password(
        &self,
        account: &Account,
        password: &str,
        how: PasswordChange,
        now: Timestamp,
        policy: &PasswordPolicy,
    ) -> Result<Account, AppError> {
        let reused = self.matches_any(password, account.recent_password_hashes(policy));
        Ok(account.with_new_password(self.hash(password)?, reused, how, now, policy)?)
    }

    /// Spends the time of one verification and returns false.
    pub fn verify_decoy(&self, password: &str) -> bool {
        let _ = self.verify(password, DECOY);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_the_owasp_parameters() {
        let h = PasswordHasherArgon2::new().unwrap();
        let phc = h.hash("Sonne#2026x").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(h.verify("Sonne#2026x", &phc));
        assert!(!h.verify("sonne#2026x", &phc));
        assert!(!h.verify("Sonne#2026x", "not a hash"));
        assert_ne!(h.hash("Sonne#2026x").unwrap(), phc, "salted");
        assert!(!h.verify_decoy("anything"));
        assert!(
            DECOY.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
                && PasswordHash::new(DECOY).is_ok(),
            "the decoy must cost what a stored hash costs"
        );
    }
}
