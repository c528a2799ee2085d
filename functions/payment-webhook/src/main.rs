use jiff::SignedDuration;
use lambda_http::{Error, Request, run, service_fn};
use payment_webhook::Handler;
use shop_adapters::{
    accounts::AccountsRepo,
    aws, clock, config,
    idempotency::{IdempotencyPolicy, IdempotencyStore},
    order_flow::OrderFlow,
    orders::OrdersRepo,
    outbox::MailOutbox,
    payments::webhook::WebhookVerifier,
    telemetry,
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
        flow: OrderFlow {
            orders: OrdersRepo::new(dynamodb.clone(), table.clone()),
            accounts: AccountsRepo::new(dynamodb.clone(), table.clone()),
            outbox: MailOutbox::new(aws::sqs(&sdk), config::required("MAIL_QUEUE_URL")?),
            app_url: config::required("APP_URL")?,
            reminder_days: config::parsed_or("REMINDER_DAYS", 40)?,
        },
        idempotency: IdempotencyStore::new(
            dynamodb,
            table,
            IdempotencyPolicy {
                lease: SignedDuration::from_secs(60),
                // Providers redeliver for a few days at most.
                retention: SignedDuration::from_hours(24 * 7),
            },
        ),
        clock: clock::from_env(),
    };
    let handler = &handler;
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(handler.handle(req).await)
    }))
    .await
}
