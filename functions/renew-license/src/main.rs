use lambda_http::{Error, Request, run, service_fn};
use renew_license::Handler;
use shop_adapters::{
    accounts::AccountsRepo,
    auth::{guard::Guard, settings},
    aws, clock, config,
    order_flow::OrderFlow,
    orders::OrdersRepo,
    outbox::MailOutbox,
    payments,
    renewal::RenewalFlow,
    telemetry,
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
        guard: Guard {
            verifier: settings::verifier()?,
            accounts: accounts.clone(),
            clock: clock.clone(),
        },
        renewals: RenewalFlow {
            flow: OrderFlow {
                orders: OrdersRepo::new(dynamodb, table),
                accounts,
                outbox: MailOutbox::new(aws::sqs(&sdk), config::required("MAIL_QUEUE_URL")?),
                app_url: config::required("APP_URL")?,
                reminder_days: config::parsed_or("REMINDER_DAYS", 40)?,
            },
            provider: payments::from_env()?,
            // A customer's renewal is charged once, while the customer waits; no retries.
            retry: RetryPolicy { days: Vec::new() },
        },
        clock,
    };
    let handler = &handler;
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(handler.handle(req).await)
    }))
    .await
}
