use lambda_http::Error;
use me::Handler;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, store::accounts::AccountsRepo,
    store::subscriptions::SubscriptionsRepo, web::auth::guard::Guard, web::http,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let accounts = AccountsRepo::new(aws::dynamodb(&sdk), table.clone());
    let clock = clock::from_env();
    let handler = Handler {
        guard: Guard::from_env(accounts.clone(), clock.clone())?,
        subscriptions: SubscriptionsRepo::new(aws::dynamodb(&sdk), table),
        clock,
        accounts,
        app_url: config::required("APP_URL")?,
    };
    http::serve(|req| handler.handle(req)).await
}
