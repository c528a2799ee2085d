//! Operator tools, run against the shop table named by `TABLE_NAME`:
//! - `shop-tools seed-catalog <catalog.json>` loads products, validating each through the
//!   domain first (all or nothing: a bad product stops the run before anything is written);
//! - `shop-tools publish-terms <version>` makes a terms-of-use version current: every customer
//!   who has not accepted it gets `412 terms_not_accepted` until they do;
//! - `shop-tools invite <email> <name> <de|en|fr> [country]` creates an account waiting for
//!   activation and sends the welcome email with its activation link (needs `MAIL_QUEUE_URL`
//!   and `APP_URL`; the migration of issue 7 does the same for every moved account).

use jiff::SignedDuration;
use shop_adapters::{
    accounts::{AccountsRepo, new_account_id},
    aws,
    catalog::CatalogRepo,
    config,
    links::LinkMailer,
    outbox::MailOutbox,
};
use shop_domain::{
    Email,
    account::{
        lockout::SignInFailures,
        model::{Account, AccountStatus, TermsVersion},
        profile::{Country, DisplayName},
    },
    catalog::Product,
};

const USAGE: &str = "usage: shop-tools seed-catalog <catalog.json> | publish-terms <version> | invite <email> <name> <de|en|fr> [country]";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let accounts = AccountsRepo::new(aws::dynamodb(&sdk), &table);
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["seed-catalog", path] => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let products: Vec<Product> =
                serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
            let repo = CatalogRepo::new(aws::dynamodb(&sdk), table);
            for product in &products {
                repo.put(product).await?;
            }
            println!("seeded {} products", products.len());
        }
        ["publish-terms", version] => {
            let version = TermsVersion::parse(version)?;
            accounts.publish_terms(&version).await?;
            println!("terms version {version} is now current");
        }
        ["invite", email, name, language, rest @ ..] if rest.len() <= 1 => {
            let now = shop_adapters::clock::from_env().now();
            let account = Account {
                id: new_account_id()?,
                email: Email::parse(email)?,
                name: DisplayName::parse(name)?,
                company: None,
                country: Country::parse(rest.first().copied().unwrap_or("DE"))?,
                language: language.parse()?,
                status: AccountStatus::PendingActivation,
                roles: vec!["customer".into()],
                terms_accepted: None,
                password: None,
                failures: SignInFailures::default(),
                eligibility: Vec::new(),
                created_at: now,
                version: 1,
            };
            let days: i64 = config::parsed_or("ACTIVATION_LINK_DAYS", 14)?;
            let links = LinkMailer {
                accounts,
                outbox: MailOutbox::new(aws::sqs(&sdk), config::required("MAIL_QUEUE_URL")?),
                app_url: config::required("APP_URL")?,
            };
            links
                .invite(&account, SignedDuration::from_hours(24 * days), now)
                .await?;
            println!("invited {} ({})", account.email, account.id);
        }
        _ => return Err(USAGE.into()),
    }
    Ok(())
}
