//! The handler driven by `events/register.json` against a fresh table and queue on the
//! stand-in: the account is stored waiting for its email to be confirmed, and the link is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use register::Handler;
use serde_json::json;
use shop_adapters::{
    flows::links::LinkMailer, messaging::outbox::MailOutbox, store::accounts::AccountsRepo,
    web::auth::password::PasswordHasherArgon2,
};
use shop_domain::{
    Email, account::model::AccountStatus, account::password::PasswordPolicy, clock::FixedClock,
};
use shop_testkit::{Answer, Sample};

struct Setup {
    handler: Handler,
    accounts: AccountsRepo,
    sqs: shop_testkit::sqs::Client,
    queue: String,
}

async fn setup() -> Setup {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let (sqs, queue) = shop_testkit::fresh_queue(&sdk).await;
    let accounts = AccountsRepo::new(client, table);
    let now: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
    let handler = Handler {
        links: LinkMailer {
            accounts: accounts.clone(),
            outbox: MailOutbox::new(sqs.clone(), queue.clone()),
            app_url: "https://app.example".into(),
        },
        accounts: accounts.clone(),
        hasher: PasswordHasherArgon2::new().unwrap(),
        clock: Arc::new(FixedClock(now)),
        policy: PasswordPolicy::vendor(),
        link_valid: SignedDuration::from_hours(24 * 7),
    };
    Setup {
        handler,
        accounts,
        sqs,
        queue,
    }
}

fn email() -> Email {
    Email::parse(Sample::of("register").body()["email"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn the_sample_registers_an_account_and_sends_the_validation_link() {
    let s = setup().await;
    let answer = Answer::of(&s.handler.handle(Sample::of("register").request()).await);
    let body = answer.ok(201);
    assert_eq!(body["email"], email().as_str());
    assert_eq!(body["status"], "pending_verification");
    let stored = s.accounts.find_by_email(&email()).await.unwrap().unwrap();
    assert_eq!(body["id"], stored.id.as_str());
    assert_eq!(stored.status, AccountStatus::PendingVerification);
    let mails = shop_testkit::received(&s.sqs, &s.queue).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(
        (mails[0]["template"].as_str(), mails[0]["language"].as_str()),
        (Some("email_verification"), Some("de"))
    );
    let again = Answer::of(&s.handler.handle(Sample::of("register").request()).await);
    again.problem(409, "email_taken");
}

#[tokio::test]
async fn a_registration_without_accepted_terms_is_refused_and_stores_nothing() {
    let s = setup().await;
    let refused = Sample::of("register").with_field("accept_terms", json!(false));
    let answer = Answer::of(&s.handler.handle(refused.request()).await);
    let body = answer.problem(422, "invalid_registration");
    assert_eq!(body["fields"][0]["code"], "terms_not_accepted");
    assert!(s.accounts.find_by_email(&email()).await.unwrap().is_none());
    assert!(shop_testkit::received(&s.sqs, &s.queue).await.is_empty());
}
