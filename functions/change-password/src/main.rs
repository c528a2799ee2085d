use change_password::Handler;
use lambda_http::Error;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, store::accounts::AccountsRepo,
    web::auth::guard::Guard, web::auth::password::PasswordHasherArgon2, web::auth::settings,
    web::http,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let dynamodb = aws::dynamodb(&sdk);
    let policy = settings::password_policy()?;
    let accounts = AccountsRepo::new(dynamodb.clone(), table.clone());
    let clock = clock::from_env();
    let handler = Handler {
        guard: Guard::from_env(accounts.clone(), clock.clone())?,
        accounts,
        failures: settings::sign_in_failures(dynamodb, table, &policy),
        hasher: PasswordHasherArgon2::new()?,
        clock,
        policy,
    };
    http::serve(|req| handler.handle(req)).await
}
