use std::time::Duration;

use jiff::SignedDuration;
use lambda_http::Error;
use prorate_upgrade::Handler;
use shop_adapters::{
    boot::aws,
    boot::clock,
    boot::config,
    boot::telemetry,
    clients::payments,
    flows::order_flow::OrderFlow,
    store::accounts::AccountsRepo,
    store::idempotency::{IdempotencyPolicy, IdempotencyStore},
    web::auth::guard::Guard,
    web::http,
    web::idempotent_http::IdempotentRequests,
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
        guard: Guard::from_env(accounts.clone(), clock.clone())?,
        flow: OrderFlow::from_env(&sdk, &table)?,
        requests: IdempotentRequests {
            store: IdempotencyStore::new(
                dynamodb,
                table,
                IdempotencyPolicy {
                    lease: SignedDuration::from_secs(60),
                    retention: SignedDuration::from_hours(24),
                },
            ),
            wait_for_first: Duration::from_secs(20),
        },
        provider: payments::from_env()?,
        clock,
    };
    http::serve(|req| handler.handle(req)).await
}
