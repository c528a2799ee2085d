use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use renewals_due::Handler;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, messaging::jobs::JobQueue,
    store::subscriptions::SubscriptionsRepo,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let handler = Arc::new(Handler {
        subscriptions: SubscriptionsRepo::new(aws::dynamodb(&sdk), table),
        queue: JobQueue::new(aws::sqs(&sdk), config::required("RENEWAL_QUEUE_URL")?),
        clock: clock::from_env(),
        lookback_days: config::parsed_or("RENEWAL_LOOKBACK_DAYS", 7)?,
    });
    run(service_fn(move |_: LambdaEvent<serde_json::Value>| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(serde_json::to_value(handler.handle().await?)?) }
    }))
    .await
}
