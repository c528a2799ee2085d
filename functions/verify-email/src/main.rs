use lambda_http::{Error, Request, run, service_fn};
use shop_adapters::{accounts::AccountsRepo, aws, clock, config, telemetry};
use verify_email::Handler;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let handler = Handler {
        accounts: AccountsRepo::new(aws::dynamodb(&sdk), table),
        clock: clock::from_env(),
    };
    let handler = &handler;
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(handler.handle(req).await)
    }))
    .await
}
