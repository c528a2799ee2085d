use change_password::Handler;
use lambda_http::{Error, Request, run, service_fn};
use shop_adapters::{
    accounts::AccountsRepo, auth::guard::Guard, auth::password::PasswordHasherArgon2,
    auth::settings, aws, clock, config, telemetry,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let dynamodb = aws::dynamodb(&sdk);
    let accounts = AccountsRepo::new(dynamodb.clone(), table.clone());
    let clock = clock::from_env();
    let handler = Handler {
        guard: Guard::from_env(accounts.clone(), clock.clone())?,
        accounts,
        failures: settings::sign_in_failures(dynamodb, table),
        hasher: PasswordHasherArgon2::new()?,
        clock,
        policy: settings::password_policy()?,
    };
    let handler = &handler;
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(handler.handle(req).await)
    }))
    .await
}
