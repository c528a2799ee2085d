use lambda_http::Error;
use orders::{Handler, documents};
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, clients::payments,
    flows::order_flow::OrderFlow, store::accounts::AccountsRepo, web::auth::guard::Guard,
    web::http,
};
use shop_domain::order::CancellationPolicy;

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
        provider: payments::from_env()?,
        clock,
        cancellation: CancellationPolicy {
            days: config::parsed_or("CANCELLATION_DAYS", 21)?,
        },
        seller: config::parsed_or(
            "SELLER_ADDRESS",
            "License Shop GmbH, Musterstrasse 1, 10115 Berlin, Germany".to_owned(),
        )?,
        documents: documents()?,
    };
    http::serve(|req| handler.handle(req)).await
}
