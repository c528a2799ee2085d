//! Single-use link tokens (email validation, activation, password reset): 256 random bits,
//! sent to the customer in a link and stored only as their SHA-256, so the table never holds a
//! token that could be used.

use sha2::{Digest, Sha256};

use crate::{AppError, error::Context};

/// A fresh token: what goes into the link, and what is stored.
pub struct SecretToken {
    pub raw: String,
    pub hash: String,
}

pub fn generate() -> Result<SecretToken, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).context("draw random bytes")?;
    let raw = hex::encode(bytes);
    Ok(SecretToken {
        hash: hash(&raw),
        raw,
    })
}

/// The stored form of a token presented by a customer.
pub fn hash(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.trim().as_bytes()))
}

/// A random 128-bit id in hex, for records whose id carries no meaning (accounts, seats).
pub fn random_id() -> Result<String, AppError> {
    Ok(generate()?.raw[..32].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_unique_and_stored_as_hashes() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_eq!(a.raw.len(), 64);
        assert_ne!(a.raw, b.raw);
        assert_eq!(hash(&a.raw), a.hash);
        assert_ne!(a.hash, a.raw);
    }
}
