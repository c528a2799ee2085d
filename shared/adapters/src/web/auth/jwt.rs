//! Access tokens for the web app: EdDSA (Ed25519) JWTs with a `kid`, so keys can rotate while
//! the JWKS publishes both the old and the new public key.
//!
//! Verification pins the algorithm, requires a known `kid`, and requires `iss`, `aud`, `sub`,
//! `exp` and `nbf`. Expiry is checked against the shop's [`Clock`] rather than the system time,
//! so moving the local clock moves token lifetimes with everything else.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
    jwk::{Jwk, JwkSet},
};
use serde::{Deserialize, Serialize};
use shop_domain::account::model::Role;

/// What a token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every route the account's roles allow.
    Full,
    /// Only `PUT /v1/me/password`: issued when the password has expired.
    PasswordChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub roles: Vec<Role>,
    pub scope: Scope,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the signing key is not an Ed25519 PKCS#8 PEM key: {0}")]
    BadSigningKey(String),
    #[error("the public key set is not a valid JWKS of Ed25519 keys with kid: {0}")]
    BadKeySet(String),
}

/// Signs access tokens with the current key.
pub struct TokenIssuer {
    kid: String,
    key: EncodingKey,
    issuer: String,
    audience: String,
    lifetime: SignedDuration,
}

impl TokenIssuer {
    pub fn from_pem(
        kid: &str,
        pem: &str,
        issuer: &str,
        audience: &str,
        lifetime: SignedDuration,
    ) -> Result<Self, KeyError> {
        let bad = |e: String| KeyError::BadSigningKey(e);
        let block = pem::parse(pem).map_err(|e| bad(e.to_string()))?;
        if block.tag() != "PRIVATE KEY" {
            return Err(bad(format!("a PKCS#8 private key, not {}", block.tag())));
        }
        let key = EncodingKey::from_ed_der(block.contents());
        // Proves the key is an Ed25519 key that can sign, at cold start rather than at the
        // first sign-in.
        Jwk::from_encoding_key(&key, Algorithm::EdDSA)
            .map_err(|e| KeyError::BadSigningKey(e.to_string()))?;
        Ok(Self {
            kid: kid.to_owned(),
            key,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            lifetime,
        })
    }

    /// Seconds a token of this issuer lives (the `expires_in` of the sign-in answer).
    pub fn lifetime_secs(&self) -> i64 {
        self.lifetime.as_secs()
    }

    pub fn issue(
        &self,
        subject: &str,
        roles: &[Role],
        scope: Scope,
        lifetime: SignedDuration,
        now: Timestamp,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.to_owned(),
            roles: roles.to_vec(),
            scope,
            iat: now.as_second(),
            nbf: now.as_second(),
            exp: now.as_second() + lifetime.min(self.lifetime).as_secs(),
        };
        encode(&header, &claims, &self.key)
    }

    /// The public half of the signing key as a JWK, for the key set.
    pub fn public_jwk(&self) -> Result<Jwk, jsonwebtoken::errors::Error> {
        let mut jwk = Jwk::from_encoding_key(&self.key, Algorithm::EdDSA)?;
        jwk.common.key_id = Some(self.kid.clone());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        Ok(jwk)
    }
}

/// Why a presented token is refused. The caller hears one answer for all of them (401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejected {
    #[error("malformed token or header")]
    Malformed,
    #[error("the header names no key id or a wrong algorithm")]
    BadHeader,
    #[error("unknown key id")]
    UnknownKey,
    #[error("signature or claims invalid: {0}")]
    Invalid(String),
    #[error("expired")]
    Expired,
    #[error("not yet valid")]
    NotYetValid,
}

/// Verifies access tokens against a set of public keys.
pub struct TokenVerifier {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
    leeway: SignedDuration,
}

impl TokenVerifier {
    pub fn new(keys: &JwkSet, issuer: &str, audience: &str) -> Result<Self, KeyError> {
        let mut by_kid = HashMap::new();
        for jwk in &keys.keys {
            let kid = jwk
                .common
                .key_id
                .clone()
                .ok_or_else(|| KeyError::BadKeySet("a key has no kid".into()))?;
            let key = DecodingKey::from_jwk(jwk).map_err(|e| KeyError::BadKeySet(e.to_string()))?;
            by_kid.insert(kid, key);
        }
        if by_kid.is_empty() {
            return Err(KeyError::BadKeySet("no keys".into()));
        }
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        // Times are checked below against the shop's clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Ok(Self {
            keys: by_kid,
            validation,
            leeway: SignedDuration::from_secs(5),
        })
    }

    /// Parses a key set as published at `/.well-known/jwks.json`.
    pub fn from_jwks_json(json: &str, issuer: &str, audience: &str) -> Result<Self, KeyError> {
        let set: JwkSet =
            serde_json::from_str(json).map_err(|e| KeyError::BadKeySet(e.to_string()))?;
        Self::new(&set, issuer, audience)
    }

    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Claims, TokenRejected> {
        let header = decode_header(token).map_err(|_| TokenRejected::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenRejected::BadHeader);
        }
        let kid = header.kid.ok_or(TokenRejected::BadHeader)?;
        let key = self.keys.get(&kid).ok_or(TokenRejected::UnknownKey)?;
        let claims = decode::<Claims>(token, key, &self.validation)
            .map_err(|e| TokenRejected::Invalid(e.to_string()))?
            .claims;
        let now = now.as_second();
        let leeway = self.leeway.as_secs();
        if now >= claims.exp + leeway {
            return Err(TokenRejected::Expired);
        }
        if now + leeway < claims.nbf {
            return Err(TokenRejected::NotYetValid);
        }
        Ok(claims)
    }
}
