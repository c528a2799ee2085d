//! The handler driven by `events/sign-in.json` against a fresh table on the stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::jwk::JwkSet;
use lambda_http::Body;
use serde_json::Value;
use shop_adapters::{
    store::accounts::{AccountsRepo, StoredToken, TokenPurpose},
    web::auth::{
        jwt::{Scope, TokenIssuer, TokenVerifier},
        password::PasswordHasherArgon2,
    },
};
use shop_domain::{
    Email, Language,
    account::{
        model::{Account, AccountStatus, PasswordRecord, Role},
        password::PasswordPolicy,
        profile::{Country, DisplayName},
    },
    clock::FixedClock,
    id::AccountId,
};
use sign_in::Handler;

const EVENT: &str = include_str!("../../../events/sign-in.json");
// A test-only key, used nowhere else.
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIv9AxaVqvctA9bOg6PKl3j+Qv8PWc/4hDR67f0CoSZO\n-----END PRIVATE KEY-----\n";

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

fn issuer() -> TokenIssuer {
    TokenIssuer::from_pem("k1", KEY, "iss", "aud", SignedDuration::from_mins(15)).unwrap()
}

async fn handler() -> Handler {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let accounts = AccountsRepo::new(client.clone(), table.clone());
    let hasher = PasswordHasherArgon2::new().unwrap();
    let account = Account {
        id: AccountId::parse("acc-1").unwrap(),
        email: Email::parse("anna@example.de").unwrap(),
        name: DisplayName::parse("Anna").unwrap(),
        company: None,
        country: Country::parse("DE").unwrap(),
        language: Language::De,
        status: AccountStatus::Active,
        roles: vec![Role::Customer],
        terms_accepted: None,
        password: Some(PasswordRecord {
            hash: hasher.hash("Sonne#2026x").unwrap(),
            set_at: now(),
            history: vec![],
        }),
        eligibility: Vec::new(),
        created_at: now(),
        version: 1,
    };
    let token = StoredToken {
        hash: "unused".into(),
        purpose: TokenPurpose::VerifyEmail,
        account: account.id.clone(),
        expires_at: now(),
    };
    accounts
        .register(&account, &token)
        .await
        .unwrap()
        .or_email_taken()
        .unwrap();
    Handler {
        failures: shop_adapters::web::auth::settings::sign_in_failures(
            client.clone(),
            table.clone(),
            &PasswordPolicy::vendor(),
        ),
        accounts,
        hasher,
        issuer: issuer(),
        clock: Arc::new(FixedClock(now())),
        policy: PasswordPolicy::vendor(),
    }
}

fn event_with(email: &str, password: &str) -> lambda_http::Request {
    let mut e: Value = serde_json::from_str(EVENT).unwrap();
    e["body"] = serde_json::json!({"email": email, "password": password})
        .to_string()
        .into();
    lambda_http::request::from_str(&e.to_string()).unwrap()
}

async fn call(h: &Handler, req: lambda_http::Request) -> (u16, Value) {
    let r = h.handle(req).await;
    let Body::Text(text) = r.body() else {
        panic!("no text body")
    };
    (r.status().as_u16(), serde_json::from_str(text).unwrap())
}

#[tokio::test]
async fn the_sample_event_signs_in_with_a_verifiable_token() {
    let h = handler().await;
    let (status, body) = call(&h, lambda_http::request::from_str(EVENT).unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 900);
    let verifier = TokenVerifier::new(
        &JwkSet {
            keys: vec![issuer().public_jwk().unwrap()],
        },
        "iss",
        "aud",
    )
    .unwrap();
    let claims = verifier
        .verify(body["access_token"].as_str().unwrap(), now())
        .unwrap();
    assert_eq!((claims.sub.as_str(), claims.scope), ("acc-1", Scope::Full));
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_identically() {
    let h = handler().await;
    let wrong = call(&h, event_with("anna@example.de", "Wrong#2026x")).await;
    let unknown = call(&h, event_with("nobody@example.de", "Sonne#2026x")).await;
    let malformed = call(&h, event_with("not an email", "Sonne#2026x")).await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, malformed);
    assert_eq!(wrong.1["code"], "invalid_credentials");
}

/// Parallel guesses are all counted: however many arrive at once, every one answers 401 and
/// the fifth locks the email, so the right password is refused afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_all_count_and_lock() {
    for parallel in [5, 20] {
        let h = Arc::new(handler().await);
        let mut guesses = tokio::task::JoinSet::new();
        for _ in 0..parallel {
            let h = Arc::clone(&h);
            guesses
                .spawn(async move { call(&h, event_with("anna@example.de", "Wrong#2026x")).await });
        }
        while let Some(answer) = guesses.join_next().await {
            let (status, body) = answer.unwrap();
            assert_eq!(
                (status, body["code"].as_str()),
                (401, Some("invalid_credentials"))
            );
        }
        let (status, _) = call(&h, event_with("anna@example.de", "Sonne#2026x")).await;
        assert_eq!(status, 401, "{parallel} parallel failures must lock");
    }
}
