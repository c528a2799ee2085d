//! Where a handler under test runs: the boot step a deployed function gets, pointed at a fresh
//! table on the stand-in and a fixed clock. A test builds its handler as `main` does
//! (`bed.handler(&vars, Settings::from_vars, Handler::new)`), so settings are read the
//! production way, and names only what is particular to it: its variables, its customers and
//! licenses (`bed.customer(..)`, `bed.store_license(..)`) and its requests.

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;
use shop_adapters::{
    boot::{
        self, Boot, HttpHandler,
        config::{ConfigError, Vars},
    },
    store::{
        accounts::TokenPurpose,
        dynamo::{self, Item, key, string_attr},
    },
    web::auth::password::PasswordHasherArgon2,
};
use shop_domain::{
    account::model::{Account, AccountStatus},
    clock::FixedClock,
    id::{AccountId, SubscriptionId},
    seats::Seat,
    subscription::Subscription,
};

pub struct TestBed {
    pub boot: Boot,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub table: String,
    pub now: Timestamp,
}

impl TestBed {
    /// A fresh table, the clock standing at `now` (RFC 3339).
    pub async fn at(now: &str) -> Self {
        let sdk = crate::sdk().await;
        let (dynamodb, table) = crate::fresh_table(&sdk).await;
        let now: Timestamp = now.parse().expect("an RFC 3339 instant");
        Self {
            boot: Boot::new(sdk.clone(), table.clone(), Arc::new(FixedClock(now))),
            sqs: aws_sdk_sqs::Client::new(&sdk),
            dynamodb,
            table,
            now,
        }
    }

    /// A fresh table, the clock standing at the `time` of the scheduled sample of `function`
    /// (`events/<function>.json`): the run the sample stands for.
    pub async fn at_time_of(function: &str) -> Self {
        let sample = crate::Sample::of(function);
        Self::at(
            sample.event()["time"]
                .as_str()
                .expect("a scheduled event's time"),
        )
        .await
    }

    /// Another boot step on the same table, its clock standing at `later` (RFC 3339): for a
    /// job that runs after what the test stored.
    pub fn boot_at(&self, later: &str) -> Boot {
        let later: Timestamp = later.parse().expect("an RFC 3339 instant");
        Boot::new(
            self.boot.sdk().clone(),
            self.table.clone(),
            Arc::new(FixedClock(later)),
        )
    }

    /// The handler as `main` builds it: settings read by `from_vars` from `vars` (and nothing
    /// else of the environment), then `new` on this boot step.
    pub fn handler<S, H>(
        &self,
        vars: &[(&str, &str)],
        from_vars: impl FnOnce(&Vars) -> Result<S, ConfigError>,
        new: impl FnOnce(&Boot, S) -> Result<H, boot::Error>,
    ) -> H {
        let settings = from_vars(&Vars::given(vars)).expect("the test's settings read");
        new(&self.boot, settings).expect("the handler builds")
    }

    /// An active customer with [`crate::customer::PASSWORD`], stored now.
    pub async fn customer(&self, email: &str) -> Account {
        crate::customer::active_account(&self.boot.accounts(), email, self.now).await
    }

    /// A customer in `status` whose emailed link for `purpose` carries `raw_token` (a sample's
    /// token), stored now; see [`crate::customer::account_with_link`].
    pub async fn account_with_link(
        &self,
        email: &str,
        status: AccountStatus,
        purpose: TokenPurpose,
        raw_token: &str,
    ) -> Account {
        let accounts = self.boot.accounts();
        crate::customer::account_with_link(&accounts, email, status, purpose, raw_token, self.now)
            .await
    }

    /// Where a handler test of a signed-in customer starts: a bed at `now` (RFC 3339), the
    /// active customer `email` (password [`crate::customer::PASSWORD`]), and the handler
    /// `build` makes on the bed.
    pub async fn with_customer<H>(
        now: &str,
        email: &str,
        build: impl FnOnce(&Self) -> H,
    ) -> (Self, H, Account) {
        let bed = Self::at(now).await;
        let account = bed.customer(email).await;
        let handler = build(&bed);
        (bed, handler, account)
    }

    /// Where every handler test of a link function starts: a bed at `now` (RFC 3339), a
    /// customer in `status` whose emailed link for `purpose` is the token in the body of
    /// `function`'s sample, the handler `build` makes on the bed, and the sample.
    pub async fn with_sample_link<H>(
        now: &str,
        function: &str,
        (email, status, purpose): (&str, AccountStatus, TokenPurpose),
        build: impl FnOnce(&Self) -> H,
    ) -> (Self, H, Account, crate::Sample) {
        let bed = Self::at(now).await;
        let sample = crate::Sample::of(function);
        let body = sample.body();
        let token = body["token"].as_str().expect("the sample carries a token");
        let account = bed.account_with_link(email, status, purpose, token).await;
        let handler = build(&bed);
        (bed, handler, account, sample)
    }

    /// Asserts that `handler` answers `sample`'s link with `account`, now active (and stored
    /// so), and a second use of the link with `409 link_used`: a link works once.
    pub async fn assert_link_activates_once(
        &self,
        handler: &impl HttpHandler,
        sample: &crate::Sample,
        account: &Account,
    ) {
        let first = sample.answer(handler).await;
        let body = first.ok(200);
        assert_eq!(body["id"], account.id.as_str());
        assert_eq!(body["status"], "active");
        assert_eq!(
            self.account(&account.id).await.status,
            AccountStatus::Active
        );
        sample.answer(handler).await.problem(409, "link_used");
    }

    /// The account `id` as stored now.
    pub async fn account(&self, id: &AccountId) -> Account {
        let stored = self.boot.accounts().get(id).await;
        stored
            .expect("the stand-in answers")
            .expect("the account is stored")
    }

    /// Whether `account`'s stored password is `password`.
    pub async fn password_is(&self, account: &Account, password: &str) -> bool {
        let stored = self.account(&account.id).await.password;
        let hasher = PasswordHasherArgon2::new().expect("argon2 parameters");
        stored.is_some_and(|p| hasher.verify(password, &p.hash))
    }

    /// Asserts that `account` is stored as it was: its status and its password.
    pub async fn assert_unchanged(&self, account: &Account) {
        let after = self.account(&account.id).await;
        assert_eq!(after.status, account.status);
        let hash = |a: &Account| a.password.as_ref().map(|p| p.hash.clone());
        assert_eq!(hash(&after), hash(account));
    }

    /// `function`'s sample, sent with `account`'s token.
    pub fn sample_by(&self, function: &str, account: &Account) -> crate::Sample {
        crate::Sample::of(function).with_bearer(&self.token(account))
    }

    /// A full-scope access token for `account`, issued now.
    pub fn token(&self, account: &Account) -> String {
        crate::customer::token(account, self.now)
    }

    /// Stores `sub` as new, the way the order flow writes it.
    pub async fn store_license(&self, sub: &Subscription) {
        crate::license::store(&self.dynamodb, &self.boot.subscriptions(), sub).await;
    }

    /// A customer and the license the sample of `function` names (its `id` path parameter):
    /// `quantity` alarm-team seats from 2026-11-01, owned by the customer, changed by `adjust`
    /// (`license::paid_by_card`, or `|s| s`) and stored.
    pub async fn sample_license(
        &self,
        function: &str,
        quantity: u32,
        adjust: impl FnOnce(Subscription) -> Subscription,
    ) -> (Account, Subscription) {
        let owner = self.customer("anna@example.de").await;
        let id = crate::Sample::of(function).path_param("id");
        let starts_on = jiff::civil::date(2026, 11, 1);
        let sub = adjust(crate::license::alarm_team(&owner, &id, quantity, starts_on));
        self.store_license(&sub).await;
        (owner, sub)
    }

    /// The license `id` as stored now.
    pub async fn license(&self, id: &SubscriptionId) -> Subscription {
        let stored = self.boot.subscriptions().get(id).await;
        stored
            .expect("the stand-in answers")
            .expect("the license is stored")
    }

    /// The seats of the license `id` as stored now.
    pub async fn seats(&self, id: &SubscriptionId) -> Vec<Seat> {
        let stored = self.boot.subscriptions().with_seats(id).await;
        let (_, seats) = stored
            .expect("the stand-in answers")
            .expect("the license is stored");
        seats
    }

    /// The shop table's item at `pk`, `sk` as stored now, if there is one.
    pub async fn item(&self, pk: &str, sk: &str) -> Option<Item> {
        dynamo::get_item(
            &self.dynamodb,
            &self.table,
            key(pk.to_owned(), sk),
            "test read",
        )
        .await
        .expect("the stand-in answers")
    }

    /// Sets one attribute of the stored item at `pk`, `sk`, as another function's write would.
    pub async fn set(&self, pk: &str, sk: &str, name: &str, value: AttributeValue) {
        self.dynamodb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk.to_owned(), sk)))
            .update_expression("SET #a = :v")
            .expression_attribute_names("#a", name)
            .expression_attribute_values(":v", value)
            .send()
            .await
            .expect("the stand-in answers");
    }

    /// How many items the shop table holds under the partition key `pk`.
    pub async fn count_under(&self, pk: &str) -> i32 {
        self.dynamodb
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", string_attr(pk))
            .send()
            .await
            .expect("the stand-in answers")
            .count
    }

    /// A fresh queue's URL.
    pub async fn queue(&self) -> String {
        crate::fresh_queue(self.boot.sdk()).await.1
    }

    /// The JSON messages waiting on the queue at `url`, taken off it.
    pub async fn received(&self, url: &str) -> Vec<serde_json::Value> {
        crate::received(&self.sqs, url).await
    }
}

/// The settings of a function that mails through the queue at `url` (`MAIL_QUEUE_URL`) with
/// links into the web app (`APP_URL`).
pub fn mail_vars(url: &str) -> [(&'static str, &str); 2] {
    [("MAIL_QUEUE_URL", url), ("APP_URL", "https://app.example")]
}

/// The settings of a protected function that mails through the queue at `url`:
/// [`crate::customer::jwt_vars`] and [`mail_vars`].
pub fn protected_mail_vars(url: &str) -> Vec<(&'static str, &str)> {
    [&crate::customer::jwt_vars()[..], &mail_vars(url)].concat()
}

/// The settings of a protected function that charges through the sandbox and mails through
/// the queue at `url`: [`crate::customer::jwt_vars`], [`sandbox_vars`] and [`mail_vars`].
pub fn charging_vars(url: &str) -> Vec<(&'static str, &str)> {
    let jwt = crate::customer::jwt_vars();
    [&jwt[..], &sandbox_vars(), &mail_vars(url)].concat()
}

/// The settings of a function that charges: the local stack's payment sandbox (`SANDBOX_URL`,
/// exported by infra/test.sh) with the API key the stack gives it.
pub fn sandbox_vars() -> [(&'static str, &'static str); 2] {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let url = URL.get_or_init(|| {
        let url = std::env::var("SANDBOX_URL").unwrap_or_default();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "SANDBOX_URL must point at the local stack's payment sandbox (got `{url}`); run infra/test.sh"
        );
        url
    });
    [
        ("PAYMENT_API_URL", url),
        ("PAYMENT_API_KEY", "sk_test_local"),
    ]
}
