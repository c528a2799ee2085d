use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use reconcile_payments::{Handler, Settings};
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, clients::payments,
    flows::order_flow::OrderFlow,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let handler = Arc::new(Handler {
        flow: OrderFlow::from_env(&sdk, &table)?,
        provider: payments::from_env()?,
        clock: clock::from_env(),
        settings: Settings::from_env()?,
    });
    run(service_fn(move |_: LambdaEvent<serde_json::Value>| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Error>(serde_json::to_value(handler.handle().await?)?) }
    }))
    .await
}
