use lambda_http::{Error, Request, run, service_fn};
use shop_adapters::{
    accounts::AccountsRepo, auth::password::PasswordHasherArgon2, auth::settings, aws, clock,
    config, telemetry,
};
use sign_in::Handler;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let dynamodb = aws::dynamodb(&sdk);
    let handler = Handler {
        accounts: AccountsRepo::new(dynamodb.clone(), table.clone()),
        failures: settings::sign_in_failures(dynamodb, table),
        hasher: PasswordHasherArgon2::new()?,
        issuer: settings::issuer()?,
        clock: clock::from_env(),
        policy: settings::password_policy()?,
    };
    let handler = &handler;
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(handler.handle(req).await)
    }))
    .await
}
