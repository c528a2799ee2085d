//! Customers for handler tests: accounts stored through the real repository, and access tokens
//! the shop's guard accepts, signed with a key that exists only in tests.

use jiff::{SignedDuration, Timestamp};
use shop_adapters::{
    store::accounts::{AccountsRepo, Registered, StoredToken, TokenPurpose},
    web::auth::{
        jwt::{Scope, TokenIssuer, TokenVerifier},
        password::PasswordHasherArgon2,
        secret_token,
    },
};
use shop_domain::{
    Email, Language,
    account::{
        model::{Account, AccountStatus, PasswordRecord, Role},
        profile::{Country, DisplayName},
    },
    id::AccountId,
};

/// The password of every account these helpers store.
pub const PASSWORD: &str = "Sonne#2026x";

// A test-only Ed25519 key, used nowhere else.
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIv9AxaVqvctA9bOg6PKl3j+Qv8PWc/4hDR67f0CoSZO\n-----END PRIVATE KEY-----\n";
const ISSUER: &str = "https://shop.test";
const AUDIENCE: &str = "shop-test";

/// The issuer of the test tokens (15-minute tokens, as the shop's default).
pub fn issuer() -> TokenIssuer {
    TokenIssuer::from_pem(
        "test-key",
        KEY,
        ISSUER,
        AUDIENCE,
        SignedDuration::from_mins(15),
    )
    .expect("the test key signs")
}

/// The public half of the test key as a key set (`JWT_PUBLIC_KEYS`).
pub fn trusted_keys() -> &'static str {
    static KEYS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let jwk = issuer()
            .public_jwk()
            .expect("the test key has a public half");
        serde_json::json!({ "keys": [jwk] }).to_string()
    })
}

/// The settings of a protected function that trust the test tokens.
pub fn jwt_vars() -> [(&'static str, &'static str); 3] {
    [
        ("JWT_PUBLIC_KEYS", trusted_keys()),
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", AUDIENCE),
    ]
}

/// The settings of the sign-in function, signing with the test key.
pub fn signing_vars() -> [(&'static str, &'static str); 4] {
    [
        ("JWT_KEY_ID", "test-key"),
        ("JWT_SIGNING_KEY", KEY),
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", AUDIENCE),
    ]
}

/// A verifier that trusts the test tokens, as a protected function's guard does.
pub fn verifier() -> TokenVerifier {
    TokenVerifier::from_jwks_json(trusted_keys(), ISSUER, AUDIENCE).expect("the test key set")
}

/// A full-scope access token for `account`, issued at `now`.
pub fn token(account: &Account, now: Timestamp) -> String {
    issuer()
        .issue(
            account.id.as_str(),
            &account.roles,
            Scope::Full,
            SignedDuration::from_mins(15),
            now,
        )
        .expect("the test key signs")
}

/// An active German customer with [`PASSWORD`], stored at `now`.
pub async fn active_account(accounts: &AccountsRepo, email: &str, now: Timestamp) -> Account {
    let account = account(email, AccountStatus::Active, true, now);
    store(
        accounts,
        &account,
        &crate::unique("unused"),
        TokenPurpose::VerifyEmail,
        now,
    )
    .await;
    account
}

/// A customer in `status` (with [`PASSWORD`] unless waiting for activation) whose emailed link
/// for `purpose` carries `raw_token` and lasts a day from `now`.
pub async fn account_with_link(
    accounts: &AccountsRepo,
    email: &str,
    status: AccountStatus,
    purpose: TokenPurpose,
    raw_token: &str,
    now: Timestamp,
) -> Account {
    let with_password = status != AccountStatus::PendingActivation;
    let account = account(email, status, with_password, now);
    store(accounts, &account, raw_token, purpose, now).await;
    account
}

fn account(email: &str, status: AccountStatus, with_password: bool, now: Timestamp) -> Account {
    let hasher = PasswordHasherArgon2::new().expect("argon2 parameters");
    Account {
        id: AccountId::parse(&crate::unique("acc")).expect("a valid id"),
        email: Email::parse(email).expect("a valid email"),
        name: DisplayName::parse("Anna Müller").expect("a valid name"),
        company: None,
        country: Country::parse("DE").expect("a country"),
        language: Language::De,
        status,
        roles: vec![Role::Customer],
        terms_accepted: None,
        password: with_password.then(|| PasswordRecord {
            hash: hasher.hash(PASSWORD).expect("hashes"),
            // Old enough for the minimum age of a password change.
            set_at: now - SignedDuration::from_hours(24 * 30),
            history: vec![],
        }),
        eligibility: Vec::new(),
        created_at: now,
        version: 1,
        moved_from: None,
    }
}

async fn store(
    accounts: &AccountsRepo,
    account: &Account,
    raw_token: &str,
    purpose: TokenPurpose,
    now: Timestamp,
) {
    let token = StoredToken {
        hash: secret_token::hash(raw_token),
        purpose,
        account: account.id.clone(),
        expires_at: now + SignedDuration::from_hours(24),
    };
    let outcome = accounts
        .register(account, &token)
        .await
        .expect("the stand-in answers");
    assert!(
        matches!(outcome, Registered::Created),
        "a fresh table takes the account"
    );
}
