use lambda_http::{Error, Request, run, service_fn};
use reset_password::Handler;
use shop_adapters::{
    accounts::AccountsRepo, auth::password::PasswordHasherArgon2, auth::settings, aws, clock,
    config, telemetry,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let handler = Handler {
        accounts: AccountsRepo::new(aws::dynamodb(&sdk), table),
        hasher: PasswordHasherArgon2::new()?,
        clock: clock::from_env(),
        policy: settings::password_policy()?,
    };
    let handler = &handler;
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(handler.handle(req).await)
    }))
    .await
}
