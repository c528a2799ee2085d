use lambda_http::Error;
use renew_license::Handler;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, clients::payments,
    flows::order_flow::OrderFlow, flows::renewal::RenewalFlow, store::accounts::AccountsRepo,
    web::auth::guard::Guard, web::http,
};
use shop_domain::changes::RetryPolicy;

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
        renewals: RenewalFlow {
            flow: OrderFlow::from_env(&sdk, &table)?,
            provider: payments::from_env()?,
            // A customer's renewal is charged once, while the customer waits; no retries.
            retry: RetryPolicy { days: Vec::new() },
        },
        clock,
    };
    http::serve(|req| handler.handle(req)).await
}
