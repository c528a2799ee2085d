use lambda_http::Error;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, store::accounts::AccountsRepo, web::http,
};
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
    http::serve(|req| handler.handle(req)).await
}
