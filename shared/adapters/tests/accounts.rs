//! The accounts repository against the stand-in: uniqueness, optimistic locking, single-use
//! tokens, also under concurrency.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use shop_adapters::{
    AppError,
    store::accounts::{AccountsRepo, Registered, StoredToken, TokenPurpose},
    web::auth::secret_token,
};
use shop_domain::{
    Email, Language,
    account::{
        model::{Account, AccountStatus, Role, TermsVersion},
        profile::{Country, DisplayName},
    },
    id::AccountId,
};

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

fn account(id: &str, email: &str) -> Account {
    Account {
        id: AccountId::parse(id).unwrap(),
        email: Email::parse(email).unwrap(),
        name: DisplayName::parse("Anna").unwrap(),
        company: None,
        country: Country::parse("DE").unwrap(),
        language: Language::De,
        status: AccountStatus::PendingVerification,
        roles: vec![Role::Customer],
        terms_accepted: None,
        password: None,
        eligibility: Vec::new(),
        created_at: now(),
        version: 1,
        moved_from: None,
    }
}

fn token(owner: &Account, purpose: TokenPurpose) -> (String, StoredToken) {
    let t = secret_token::generate().unwrap();
    let stored = StoredToken {
        hash: t.hash,
        purpose,
        account: owner.id.clone(),
        expires_at: now() + SignedDuration::from_hours(24),
    };
    (t.raw, stored)
}

async fn repo() -> AccountsRepo {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    AccountsRepo::new(client, table)
}

/// Anna (`acc-1`) registered on `repo`, and the raw token of her validation link.
async fn anna(repo: &AccountsRepo) -> (Account, String) {
    let a = account("acc-1", "anna@example.de");
    let (raw, stored) = token(&a, TokenPurpose::VerifyEmail);
    let outcome = repo.register(&a, &stored).await.unwrap();
    assert_eq!(outcome, Registered::Created);
    (a, raw)
}

/// Why `repo` refuses the link token `hash` for `purpose` at `at`: its problem code.
async fn refused(
    repo: &AccountsRepo,
    hash: &str,
    purpose: TokenPurpose,
    at: Timestamp,
) -> &'static str {
    code(repo.token_owner(hash, purpose, at).await.unwrap_err())
}

fn code(e: AppError) -> &'static str {
    match e {
        AppError::Domain(d) => d.code(),
        other => panic!("not a domain error: {other:?}"),
    }
}

#[tokio::test]
async fn register_then_find_by_email_and_id() {
    let repo = repo().await;
    let (a, _) = anna(&repo).await;
    assert_eq!(repo.find_by_email(&a.email).await.unwrap(), Some(a.clone()));
    assert_eq!(repo.get(&a.id).await.unwrap(), Some(a));
    assert_eq!(
        repo.find_by_email(&Email::parse("x@example.de").unwrap())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_registrations_of_one_email_in_different_case_make_one_account() {
    let repo = Arc::new(repo().await);
    let tasks: Vec<_> = ["Anna@Example.de", "anna@EXAMPLE.DE"]
        .into_iter()
        .enumerate()
        .map(|(i, email)| {
            let repo = repo.clone();
            tokio::spawn(async move {
                let a = account(&format!("acc-{i}"), email);
                repo.register(&a, &token(&a, TokenPurpose::VerifyEmail).1)
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap().unwrap());
    }
    outcomes.sort_by_key(|o| *o == Registered::EmailTaken);
    assert_eq!(outcomes, vec![Registered::Created, Registered::EmailTaken]);
    assert_eq!(
        code(Registered::EmailTaken.or_email_taken().unwrap_err()),
        "email_taken"
    );
    assert!(Registered::Created.or_email_taken().is_ok());
}

#[tokio::test]
async fn a_stale_save_is_refused() {
    let repo = repo().await;
    let (a, _) = anna(&repo).await;
    let saved = repo.save(&a).await.unwrap();
    assert_eq!(saved.version, 2);
    assert_eq!(code(repo.save(&a).await.unwrap_err()), "concurrent_change");
    assert_eq!(repo.get(&a.id).await.unwrap().unwrap().version, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_ten_concurrent_uses_of_one_token_exactly_one_succeeds() {
    let repo = Arc::new(repo().await);
    let (a, raw) = anna(&repo).await;
    let hash = secret_token::hash(&raw);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (repo, hash, a) = (repo.clone(), hash.clone(), a.clone());
            tokio::spawn(async move {
                let active = Account {
                    status: AccountStatus::Active,
                    ..a
                };
                repo.consume_token(&hash, now(), &active, None)
                    .await
                    .map_err(code)
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(c) => assert!(c == "link_used" || c == "concurrent_change", "{c}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(
        repo.get(&a.id).await.unwrap().unwrap().status,
        AccountStatus::Active
    );
    assert_eq!(
        refused(&repo, &hash, TokenPurpose::VerifyEmail, now()).await,
        "link_used"
    );
}

#[tokio::test]
async fn tokens_are_checked_for_purpose_expiry_and_existence() {
    let repo = repo().await;
    let (a, raw) = anna(&repo).await;
    let hash = secret_token::hash(&raw);
    assert_eq!(
        repo.token_owner(&hash, TokenPurpose::VerifyEmail, now())
            .await
            .unwrap(),
        a.id
    );
    assert_eq!(
        refused(&repo, &hash, TokenPurpose::Activate, now()).await,
        "link_unknown"
    );
    assert_eq!(
        refused(&repo, "0000", TokenPurpose::VerifyEmail, now()).await,
        "link_unknown"
    );
    let late = now() + SignedDuration::from_hours(25);
    assert_eq!(
        refused(&repo, &hash, TokenPurpose::VerifyEmail, late).await,
        "link_expired"
    );
    assert_eq!(
        code(repo.consume_token(&hash, late, &a, None).await.unwrap_err()),
        "link_used"
    );
}

#[tokio::test]
async fn only_hashes_of_tokens_are_stored() {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let repo = AccountsRepo::new(client.clone(), &table);
    let (_, raw) = anna(&repo).await;
    let all = client.scan().table_name(&table).send().await.unwrap();
    let dump = format!("{:?}", all.items());
    assert!(!dump.contains(&raw), "the raw token must not be stored");
    assert!(dump.contains(&secret_token::hash(&raw)));
}

#[tokio::test]
async fn terms_can_be_published_and_read() {
    let repo = repo().await;
    assert_eq!(repo.current_terms().await.unwrap(), None);
    let v = TermsVersion::parse("2026-10").unwrap();
    repo.publish_terms(&v).await.unwrap();
    assert_eq!(repo.current_terms().await.unwrap(), Some(v));
}
