//! Operator tools, run against the shop table named by `TABLE_NAME`:
//! - `shop-tools seed-catalog <catalog.json>` loads products, validating each through the
//!   domain first (all or nothing: a bad product stops the run before anything is written);
//! - `shop-tools publish-terms <version>` makes a terms-of-use version current: every customer
//!   who has not accepted it gets `412 terms_not_accepted` until they do;
//! - `shop-tools invite <email> <name> <de|en|fr> [country]` creates an account waiting for
//!   activation and sends the welcome email with its activation link (needs `MAIL_QUEUE_URL`
//!   and `APP_URL`; the migration of issue 7 does the same for every moved account).
//! - `shop-tools set-eligibility <email> [edu] [gov]` sets which restricted product groups an
//!   account may buy (none given: none);
//! - `shop-tools grant-trial <account email> <product> <days> [holder email]` gives a trial
//!   license of a product (sales grant trials by hand); buying the product for the same holder
//!   turns the trial into the paid license;
//! - `shop-tools import-devices <devices.csv>` loads the manufacturer's device registry (all
//!   rows checked first; a re-import changes nothing; a registered device is never changed):
//!   see `devices.rs` for the columns;
//! - `shop-tools demo-plant <owner email> <plant id> <details.json> <serial>...` makes the local
//!   stack's demo plant with the given registered devices (`demo.rs`);
//! - `shop-tools grant-role <email> <role>` gives an account a role (`operator` for the admin
//!   routes); `shop-tools migration-import <wave> FILE.jsonl` streams the old shop's export
//!   through the import route (`SHOP_URL`, `SHOP_TOKEN`): see `migration.rs`.

mod demo;
mod devices;
mod migration;

use jiff::SignedDuration;
use shop_adapters::{
    boot::aws,
    boot::config,
    flows::links::LinkMailer,
    messaging::outbox::MailOutbox,
    store::accounts::{AccountsRepo, new_account_id},
    store::catalog::CatalogRepo,
    store::subscriptions::SubscriptionsRepo,
};
use shop_domain::{
    Email,
    account::{
        lifecycle::Invitee,
        model::{Account, TermsVersion},
        profile::{Country, DisplayName},
    },
    catalog::{Product, Region},
    clock,
    id::SubscriptionId,
    subscription::{Subscription, TrialGrant},
};

const USAGE: &str = "usage: shop-tools seed-catalog <catalog.json> | publish-terms <version> \
    | invite <email> <name> <de|en|fr> [country] | set-eligibility <email> [edu] [gov] \
    | grant-trial <account email> <product> <days> [holder email] | import-devices <devices.csv> \
    | demo-plant <owner email> <plant id> <details.json> <serial>... \
    | grant-role <email> <role> | migration-import <wave id> <FILE.jsonl>";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Over HTTP as any operator: no table, no AWS credentials.
    if let [cmd, wave, path] = args.as_slice()
        && cmd == "migration-import"
    {
        return migration::import(wave, path).await;
    }
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load()?;
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
            let now = shop_adapters::boot::clock::from_env().now();
            let invitee = Invitee {
                email: Email::parse(email)?,
                name: DisplayName::parse(name)?,
                company: None,
                country: Country::parse(rest.first().copied().unwrap_or("DE"))?,
                language: language.parse()?,
            };
            let account = Account::invited(new_account_id()?, invitee, now);
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
        ["set-eligibility", email, groups @ ..] => {
            let mut account = accounts
                .find_by_email(&Email::parse(email)?)
                .await?
                .ok_or("no account with this email")?;
            account.eligibility = groups
                .iter()
                .map(|g| serde_json::from_value(serde_json::Value::String((*g).to_owned())))
                .collect::<Result<_, _>>()?;
            accounts.save(&account).await?;
            println!("{email} may buy {:?}", account.eligibility);
        }
        ["grant-trial", email, product, days, holder @ ..] if holder.len() <= 1 => {
            let account = accounts
                .find_by_email(&Email::parse(email)?)
                .await?
                .ok_or("no account with this email")?;
            let holder = holder.first().map(|h| Email::parse(h)).transpose()?;
            let trial = trial(&account, product, days.parse()?, holder, &sdk, &table).await?;
            println!(
                "trial {} of {product} for {} until {:?}",
                trial.id, trial.holder, trial.period
            );
        }
        ["import-devices", path] => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let checked = devices::read(&text).map_err(|problems| {
                format!("{path}: nothing imported:\n{}", problems.join("\n"))
            })?;
            let repo = shop_adapters::store::devices::DevicesRepo::new(aws::dynamodb(&sdk), table);
            let (added, unchanged) = devices::import(&repo, &checked).await?;
            println!("imported {added} devices ({unchanged} already registered)");
        }
        ["demo-plant", email, id, details, serials @ ..] if !serials.is_empty() => {
            demo::demo_plant(&sdk, &table, email, id, details, serials).await?;
        }
        ["grant-role", email, role] => migration::grant_role(&accounts, email, role).await?,
        _ => return Err(USAGE.into()),
    }
    Ok(())
}

async fn trial(
    account: &Account,
    product: &str,
    days: u16,
    holder: Option<Email>,
    sdk: &aws::SdkConfig,
    table: &str,
) -> Result<Subscription, Box<dyn std::error::Error>> {
    let products = CatalogRepo::new(aws::dynamodb(sdk), table).all().await?;
    let product = products
        .iter()
        .find(|p| p.id().as_str() == product)
        .ok_or("no such product")?;
    let region = Region::parse(account.country.as_str())
        .ok()
        .filter(|r| product.offer(r).is_some())
        .unwrap_or(Region::parse("DE")?);
    let offer = product.offer(&region).ok_or("product not sold in DE")?;
    let today = clock::berlin_date(shop_adapters::boot::clock::from_env().now());
    let trial = Subscription::trial(TrialGrant {
        id: SubscriptionId::parse(&format!("trial-{}", new_account_id()?))?,
        account_id: account.id.clone(),
        holder: holder.unwrap_or_else(|| account.email.clone()),
        region,
        offer: &offer,
        starts_on: today,
        days,
    })?;
    SubscriptionsRepo::new(aws::dynamodb(sdk), table)
        .grant_trial(&trial)
        .await?;
    Ok(trial)
}
