//! Access-token attacks: every one of them must be refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, jwk::JwkSet};
use serde_json::{Value, json};
use shop_adapters::web::auth::jwt::{Claims, Scope, TokenIssuer, TokenRejected, TokenVerifier};
use shop_domain::account::model::Role;

// Test-only keys, generated for these tests and used nowhere else.
const KEY_A: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIv9AxaVqvctA9bOg6PKl3j+Qv8PWc/4hDR67f0CoSZO\n-----END PRIVATE KEY-----\n";
const KEY_B: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIP2kJBe89M0q/qf6CkPN4JOGwB34KfuDa0PzIxkGkt8j\n-----END PRIVATE KEY-----\n";
const ISS: &str = "https://shop.example";
const AUD: &str = "license-shop-web";
const LIFE: SignedDuration = SignedDuration::from_mins(15);

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

fn issuer(kid: &str, pem: &str) -> TokenIssuer {
    TokenIssuer::from_pem(kid, pem, ISS, AUD, LIFE).unwrap()
}

fn verifier(issuers: &[&TokenIssuer]) -> TokenVerifier {
    let set = JwkSet {
        keys: issuers.iter().map(|i| i.public_jwk().unwrap()).collect(),
    };
    TokenVerifier::new(&set, ISS, AUD).unwrap()
}

/// What a verifier trusting only `trusted` makes of `token` now.
fn verdict(trusted: &TokenIssuer, token: &str) -> Result<Claims, TokenRejected> {
    verifier(&[trusted]).verify(token, now())
}

fn token(i: &TokenIssuer) -> String {
    i.issue("acc-1", &[Role::Customer], Scope::Full, LIFE, now())
        .unwrap()
}

/// Signs arbitrary claims with key A under `kid` "a" (a key the verifier trusts).
fn signed_claims(claims: Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("a".into());
    signed(&header, &key_a(), &claims)
}

/// Signs `claims` as an attacker could: any header, any key.
fn signed(header: &Header, key: &EncodingKey, claims: &Value) -> String {
    encode(header, claims, key).unwrap()
}

fn key_a() -> EncodingKey {
    EncodingKey::from_ed_der(pem::parse(KEY_A).unwrap().contents())
}

fn good_claims() -> Value {
    let t = now().as_second();
    json!({"iss": ISS, "aud": AUD, "sub": "acc-1", "roles": [], "scope": "full", "iat": t, "nbf": t, "exp": t + 900})
}

fn b64(v: &Value) -> String {
    use std::fmt::Write;
    // base64url without padding, written out so the test does not depend on a base64 crate.
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = v.to_string().into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            write!(out, "{}", A[((n >> (18 - 6 * i)) & 63) as usize] as char).unwrap();
        }
    }
    out
}

#[test]
fn the_forgers_base64_is_right() {
    assert_eq!(b64(&json!({"a": 1})), "eyJhIjoxfQ");
    assert_eq!(b64(&json!("ab?")), "ImFiPyI");
}

#[test]
fn a_good_token_verifies_with_its_claims() {
    let a = issuer("a", KEY_A);
    let claims = verdict(&a, &token(&a)).unwrap();
    assert_eq!((claims.sub.as_str(), claims.scope), ("acc-1", Scope::Full));
    assert_eq!(claims.exp - claims.iat, 900);
    assert_eq!(claims.roles, [Role::Customer]);
}

#[test]
fn roles_travel_by_name_and_an_unknown_one_is_refused() {
    let v = verifier(&[&issuer("a", KEY_A)]);
    let mut claims = good_claims();
    claims["roles"] = json!(["customer", "operator"]);
    let verified = v.verify(&signed_claims(claims.clone()), now()).unwrap();
    assert_eq!(verified.roles, [Role::Customer, Role::Operator]);
    claims["roles"] = json!(["admin"]);
    assert!(matches!(
        v.verify(&signed_claims(claims), now()),
        Err(TokenRejected::Invalid(_))
    ));
}

#[test]
fn two_keys_are_trusted_during_a_rotation() {
    let (a, b) = (issuer("a", KEY_A), issuer("b", KEY_B));
    let v = verifier(&[&a, &b]);
    assert!(v.verify(&token(&a), now()).is_ok());
    assert!(v.verify(&token(&b), now()).is_ok());
    assert_eq!(verdict(&b, &token(&a)), Err(TokenRejected::UnknownKey));
}

#[test]
fn alg_none_is_refused() {
    let header = json!({"alg": "none", "typ": "JWT", "kid": "a"});
    let forged = format!("{}.{}.", b64(&header), b64(&good_claims()));
    assert!(
        verifier(&[&issuer("a", KEY_A)])
            .verify(&forged, now())
            .is_err()
    );
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    let a = issuer("a", KEY_A);
    let public = serde_json::to_value(a.public_jwk().unwrap()).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("a".into());
    for secret in [
        public["x"].as_str().unwrap().as_bytes().to_vec(),
        public.to_string().into_bytes(),
    ] {
        let forged = signed(&header, &EncodingKey::from_secret(&secret), &good_claims());
        assert_eq!(verdict(&a, &forged), Err(TokenRejected::BadHeader));
    }
}

#[test]
fn a_tampered_payload_is_refused() {
    let a = issuer("a", KEY_A);
    let good = token(&a);
    let parts: Vec<&str> = good.split('.').collect();
    let mut claims = good_claims();
    claims["roles"] = json!(["operator"]);
    let forged = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);
    assert!(matches!(
        verdict(&a, &forged),
        Err(TokenRejected::Invalid(_))
    ));
}

#[test]
fn an_unknown_kid_or_none_is_refused() {
    let a = issuer("a", KEY_A);
    let stranger = issuer("zz", KEY_A);
    assert_eq!(
        verdict(&a, &token(&stranger)),
        Err(TokenRejected::UnknownKey)
    );
    let no_kid = signed(&Header::new(Algorithm::EdDSA), &key_a(), &good_claims());
    assert_eq!(verdict(&a, &no_kid), Err(TokenRejected::BadHeader));
}

#[test]
fn expired_and_not_yet_valid_tokens_are_refused_by_the_shop_clock() {
    let a = issuer("a", KEY_A);
    let v = verifier(&[&a]);
    let t = token(&a);
    assert!(v.verify(&t, now() + SignedDuration::from_mins(14)).is_ok());
    assert_eq!(
        v.verify(&t, now() + SignedDuration::from_mins(16)),
        Err(TokenRejected::Expired)
    );
    assert_eq!(
        v.verify(&t, now() - SignedDuration::from_mins(1)),
        Err(TokenRejected::NotYetValid)
    );
}

#[test]
fn claims_of_the_wrong_type_audience_or_issuer_are_refused() {
    let v = verifier(&[&issuer("a", KEY_A)]);
    assert!(
        v.verify(&signed_claims(good_claims()), now()).is_ok(),
        "the forger's baseline is valid"
    );
    for (claim, value) in [
        ("exp", json!(format!("{}", now().as_second() + 900))),
        ("aud", json!("someone-else")),
        ("iss", json!("https://evil.example")),
        ("sub", Value::Null),
    ] {
        let mut claims = good_claims();
        claims[claim] = value;
        assert!(
            matches!(
                v.verify(&signed_claims(claims), now()),
                Err(TokenRejected::Invalid(_))
            ),
            "{claim}"
        );
    }
    for missing in ["exp", "nbf", "aud", "iss", "sub"] {
        let mut claims = good_claims();
        claims.as_object_mut().unwrap().remove(missing);
        assert!(
            v.verify(&signed_claims(claims), now()).is_err(),
            "missing {missing}"
        );
    }
}

#[test]
fn a_bad_signing_key_stops_the_issuer() {
    assert!(TokenIssuer::from_pem("a", "not a key", ISS, AUD, LIFE).is_err());
}

/// A signing key that is not an Ed25519 PKCS#8 key stops the function at cold start.
#[test]
fn only_an_ed25519_private_key_can_sign() {
    // Test-only P-256 key, generated for this test.
    let p256 = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAkoWz7mPtd6ccGct\ngFtbreR0SsEC0pC+MRIY7DZzh2OhRANCAAQT+bHw/ejUJHIF53T+6m95xde4j6xX\nkCjR/zanT+W6PTRowjp615H9KyKqNhu/dCQ3CdQz4SKirlWDM2leGuRp\n-----END PRIVATE KEY-----\n";
    let public = KEY_A.replace("PRIVATE KEY", "PUBLIC KEY");
    for bad in [p256, public.as_str(), "not a key", ""] {
        assert!(
            TokenIssuer::from_pem("a", bad, ISS, AUD, LIFE).is_err(),
            "{bad:?} was taken as a signing key"
        );
    }
    assert!(TokenIssuer::from_pem("a", KEY_A, ISS, AUD, LIFE).is_ok());
}
