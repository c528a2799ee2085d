//! Sign-in tokens (EdDSA JWTs and the JWKS that publishes their keys), password hashes
//! (Argon2id) and single-use link tokens.

pub mod device;
pub mod guard;
pub mod jwt;
pub mod password;
pub mod secret_token;
pub mod settings;
