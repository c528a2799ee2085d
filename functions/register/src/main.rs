use std::sync::Arc;

use jiff::SignedDuration;
use lambda_http::Error;
use register::Handler;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, flows::links::LinkMailer,
    messaging::outbox::MailOutbox, store::accounts::AccountsRepo,
    web::auth::password::PasswordHasherArgon2, web::auth::settings, web::http,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let queue = config::required("MAIL_QUEUE_URL")?;
    let sdk = aws::load().await;
    let accounts = AccountsRepo::new(aws::dynamodb(&sdk), table);
    let handler = Arc::new(Handler {
        links: LinkMailer {
            accounts: accounts.clone(),
            outbox: MailOutbox::new(aws::sqs(&sdk), queue),
            app_url: config::required("APP_URL")?,
        },
        accounts,
        hasher: PasswordHasherArgon2::new()?,
        clock: clock::from_env(),
        policy: settings::password_policy()?,
        link_valid: SignedDuration::from_hours(
            24 * config::parsed_or::<i64>("VERIFY_LINK_DAYS", 7)?,
        ),
    });
    http::serve(|req| handler.handle(req)).await
}
