use lambda_http::Error;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, store::accounts::AccountsRepo,
    store::subscriptions::SubscriptionsRepo, web::auth::guard::Guard, web::http,
};
use subscriptions::Handler;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let dynamodb = aws::dynamodb(&sdk);
    let clock = clock::from_env();
    let handler = Handler {
        guard: Guard::from_env(
            AccountsRepo::new(dynamodb.clone(), table.clone()),
            clock.clone(),
        )?,
        subscriptions: SubscriptionsRepo::new(dynamodb, table),
        clock,
    };
    http::serve(|req| handler.handle(req)).await
}
