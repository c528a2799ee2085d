//! The handler driven by `events/jwks.json`: the key set it was given, cacheable, and one a
//! verifier can build from.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jwks::Handler;
use shop_adapters::web::auth::jwt::TokenVerifier;
use shop_testkit::{Answer, Sample, customer};

#[tokio::test]
async fn the_sample_request_answers_the_public_key_set() {
    let jwk = customer::issuer().public_jwk().unwrap();
    let keys = serde_json::json!({ "keys": [jwk] }).to_string();
    let h = Handler { jwks: keys.clone() };
    // The function serves one route; the request is decoded as in production all the same.
    let _request = Sample::of("jwks").request();
    let response = h.handle();
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    let answer = Answer::of(&response);
    let body = answer.ok(200);
    assert_eq!(body["keys"][0]["kid"], "test-key");
    assert!(body["keys"][0].get("d").is_none(), "no private part");
    assert!(TokenVerifier::from_jwks_json(&body.to_string(), "iss", "aud").is_ok());
}
