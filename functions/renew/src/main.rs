use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use renew::Handler;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, clients::payments,
    flows::order_flow::OrderFlow, flows::renewal::RenewalFlow,
};
use shop_domain::changes::RetryPolicy;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let retry_days = config::parsed_or("RENEWAL_RETRY_DAYS", "1,3,7".to_owned())?;
    let days = retry_days
        .split(',')
        .map(|d| d.trim().parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("RENEWAL_RETRY_DAYS: {e}"))?;
    let handler = Arc::new(Handler {
        renewals: RenewalFlow {
            flow: OrderFlow::from_env(&sdk, &table)?,
            provider: payments::from_env()?,
            retry: RetryPolicy { days },
        },
        clock: clock::from_env(),
    });
    run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(handler.handle(event.payload).await) }
    }))
    .await
}
