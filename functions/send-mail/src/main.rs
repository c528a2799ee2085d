use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use jiff::SignedDuration;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use send_mail::{Handler, templates::Templates};
use shop_adapters::{
    boot::aws,
    boot::clock,
    boot::config,
    boot::telemetry,
    messaging::mailer::SesMailer,
    store::idempotency::{IdempotencyPolicy, IdempotencyStore},
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sender = config::required("SENDER_EMAIL")?;
    // A send that dies mid-way is retried after the lease; SQS keeps messages 14 days at most,
    // so a record kept that long catches every late duplicate.
    let policy = IdempotencyPolicy {
        lease: SignedDuration::from_secs(config::parsed_or("MAIL_LEASE_SECONDS", 60)?),
        retention: SignedDuration::from_hours(24 * config::parsed_or("MAIL_DEDUPE_DAYS", 14)?),
    };
    let sdk = aws::load().await;
    let handler = Handler {
        templates: Templates::load()?,
        sent: IdempotencyStore::new(aws::dynamodb(&sdk), table, policy),
        mailer: SesMailer::new(aws::sesv2(&sdk), sender),
        clock: clock::from_env(),
    };
    let handler = Arc::new(handler);
    run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(event.payload).await) }
    }))
    .await
}
