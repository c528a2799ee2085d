use std::time::Duration;

use checkout::Handler;
use jiff::SignedDuration;
use lambda_http::Error;
use shop_adapters::{
    boot::aws,
    boot::clock,
    boot::config,
    boot::telemetry,
    clients::payments,
    clients::vies::ViesClient,
    flows::order_flow::OrderFlow,
    store::accounts::AccountsRepo,
    store::catalog::CatalogRepo,
    store::idempotency::{IdempotencyPolicy, IdempotencyStore},
    web::auth::guard::Guard,
    web::http,
    web::idempotent_http::IdempotentRequests,
};
use shop_domain::{
    account::profile::Country,
    catalog::Region,
    vat::{VatRates, vies::VatCheckPolicy},
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let dynamodb = aws::dynamodb(&sdk);
    let accounts = AccountsRepo::new(dynamodb.clone(), table.clone());
    let clock = clock::from_env();
    let handler = Handler {
        guard: Guard::from_env(accounts, clock.clone())?,
        catalog: CatalogRepo::new(dynamodb.clone(), table.clone()),
        flow: OrderFlow::from_env(&sdk, &table)?,
        requests: IdempotentRequests {
            store: IdempotencyStore::new(
                dynamodb,
                table,
                IdempotencyPolicy {
                    lease: SignedDuration::from_secs(config::parsed_or(
                        "CHECKOUT_LEASE_SECONDS",
                        60,
                    )?),
                    retention: SignedDuration::from_hours(24),
                },
            ),
            wait_for_first: Duration::from_secs(config::parsed_or("CHECKOUT_WAIT_SECONDS", 20)?),
        },
        provider: payments::from_env()?,
        vies: ViesClient::new(
            config::required("VIES_URL")?,
            Duration::from_secs(config::parsed_or("VIES_TIMEOUT_SECONDS", 8)?),
        )?,
        clock,
        rates: VatRates::bundled()?,
        seller: Country::parse(&config::parsed_or("SELLER_COUNTRY", "DE".to_owned())?)?,
        default_region: Region::parse(&config::parsed_or("DEFAULT_REGION", "DE".to_owned())?)?,
        vat_policy: VatCheckPolicy {
            keep: SignedDuration::from_hours(
                24 * config::parsed_or::<i64>("VAT_CHECK_KEEP_DAYS", 30)?,
            ),
            retry_after: SignedDuration::from_mins(config::parsed_or(
                "VAT_CHECK_RETRY_MINUTES",
                15,
            )?),
        },
    };
    http::serve(|req| handler.handle(req)).await
}
