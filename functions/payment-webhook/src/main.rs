use jiff::SignedDuration;
use lambda_http::Error;
use payment_webhook::Handler;
use shop_adapters::{
    boot::aws,
    boot::clock,
    boot::config,
    boot::telemetry,
    clients::payments::webhook::WebhookVerifier,
    flows::order_flow::OrderFlow,
    store::idempotency::{IdempotencyPolicy, IdempotencyStore},
    web::http,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let dynamodb = aws::dynamodb(&sdk);
    let handler = Handler {
        verifier: WebhookVerifier::new(
            config::required("PAYMENT_WEBHOOK_SECRET")?,
            SignedDuration::from_secs(config::parsed_or("WEBHOOK_TOLERANCE_SECONDS", 300)?),
        ),
        flow: OrderFlow::from_env(&sdk, &table)?,
        idempotency: IdempotencyStore::new(
            dynamodb,
            table,
            IdempotencyPolicy {
                // Past the function's timeout a claim's holder is gone: a redelivery takes
                // the event over instead of answering 409 until the provider gives up.
                lease: SignedDuration::from_secs(config::parsed_or("WEBHOOK_LEASE_SECONDS", 15)?),
                // Providers redeliver for a few days at most.
                retention: SignedDuration::from_hours(24 * 7),
            },
        ),
        clock: clock::from_env(),
    };
    http::serve(|req| handler.handle(req)).await
}
