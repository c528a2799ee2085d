//! The handler driven by `events/activate-account.json` against a fresh table on the stand-in:
//! a moved account sets its first password from the welcome email's link, once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use activate_account::Handler;
use serde_json::json;
use shop_adapters::{store::accounts::TokenPurpose, web::auth::settings::PolicySettings};
use shop_domain::account::model::{Account, AccountStatus};
use shop_testkit::{Sample, TestBed};

/// When the sample link is used.
const NOW: &str = "2026-11-22T10:00:00Z";

/// The handler (default password policy), and a moved account whose welcome link is the
/// sample's token.
async fn setup() -> (TestBed, Handler, Account, Sample) {
    let pending = AccountStatus::PendingActivation;
    let link = ("claire@example.fr", pending, TokenPurpose::Activate);
    let build = |bed: &TestBed| bed.handler(&[], PolicySettings::from_vars, Handler::new);
    TestBed::with_sample_link(NOW, "activate-account", link, build).await
}

#[tokio::test]
async fn the_sample_sets_the_password_and_the_link_is_used_up() {
    let (bed, h, account, sample) = setup().await;
    bed.assert_link_activates_once(&h, &sample, &account).await;
    let typed = sample.body()["password"].as_str().unwrap().to_owned();
    assert!(bed.password_is(&account, &typed).await);
}

#[tokio::test]
async fn a_confirmation_that_differs_is_refused_and_changes_nothing() {
    let (bed, h, account, sample) = setup().await;
    let typo = sample.with_field("password_confirmation", json!("Mond#2027yz"));
    let answer = typo.answer(&h).await;
    let body = answer.problem(422, "invalid_password");
    assert_eq!(body["fields"][0]["code"], "password_mismatch");
    bed.assert_unchanged(&account).await;
}

#[tokio::test]
async fn a_moved_account_s_activation_is_counted_once_in_its_wave() {
    use shop_adapters::{store::accounts::StoredToken, web::auth::secret_token};
    use shop_domain::{
        Email, Language,
        account::{
            lifecycle::Invitee,
            profile::{Country, DisplayName},
        },
        id::{AccountId, WaveId},
    };
    use shop_testkit::migration;

    let sample = Sample::of("activate-account");
    let bed = TestBed::at(NOW).await;
    migration::put_wave(&bed.dynamodb, &bed.table, "w1", "2026-11-22", "active").await;
    let invitee = Invitee {
        email: Email::parse("claire@example.fr").unwrap(),
        name: DisplayName::parse("Claire").unwrap(),
        company: None,
        country: Country::parse("FR").unwrap(),
        language: Language::Fr,
    };
    let id = AccountId::parse("moved-1").unwrap();
    let account = Account::moved(id, invitee, WaveId::parse("w1").unwrap(), bed.now);
    let token = StoredToken {
        hash: secret_token::hash(sample.body()["token"].as_str().unwrap()),
        purpose: TokenPurpose::Activate,
        account: account.id.clone(),
        expires_at: bed
            .now
            .checked_add(jiff::SignedDuration::from_hours(24))
            .unwrap(),
    };
    let accounts = bed.boot.accounts();
    accounts
        .register(&account, &token)
        .await
        .unwrap()
        .or_email_taken()
        .unwrap();
    let h = bed.handler(&[], PolicySettings::from_vars, Handler::new);

    // Two uses of the link at once: one activates, and only it is counted.
    let (a, b) = tokio::join!(h.handle(sample.request()), h.handle(sample.request()));
    let statuses = [a.status().as_u16(), b.status().as_u16()];
    assert!(statuses.contains(&200), "{statuses:?}");
    assert_eq!(bed.account(&account.id).await.status, AccountStatus::Active);
    let counted = migration::counter(&bed.dynamodb, &bed.table, "w1", "n_activated").await;
    assert_eq!(counted, 1);
    sample.answer(&h).await.problem(409, "link_used");
    let counted = migration::counter(&bed.dynamodb, &bed.table, "w1", "n_activated").await;
    assert_eq!(counted, 1);
}
