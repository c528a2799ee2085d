//! The handler driven by `events/jwks.json`: the key set it was configured with, cacheable,
//! and one a verifier can build from.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jwks::{Handler, Settings};
use shop_adapters::{boot::config::Vars, web::auth::jwt::TokenVerifier};
use shop_testkit::{Answer, Sample, customer};

#[tokio::test]
async fn the_sample_request_answers_the_public_key_set() {
    let settings = Settings::from_vars(&Vars::given(&customer::jwt_vars())).unwrap();
    let h = Handler::new(settings).expect("the handler builds");
    // The route takes no input; the sample still passes the production decode step.
    let _request = Sample::of("jwks").request();
    let response = h.handle();
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    let answer = Answer::of(&response);
    let body = answer.ok(200);
    assert_eq!(body["keys"][0]["kid"], "test-key");
    assert!(body["keys"][0].get("d").is_none(), "no private part");
    assert!(TokenVerifier::from_jwks_json(&body.to_string(), "iss", "aud").is_ok());
}

#[test]
fn a_key_set_nobody_can_verify_with_is_refused_at_start() {
    let vars = [
        ("JWT_PUBLIC_KEYS", "{\"keys\": []}"),
        customer::jwt_vars()[1],
        customer::jwt_vars()[2],
    ];
    assert!(Settings::from_vars(&Vars::given(&vars)).is_err());
}
