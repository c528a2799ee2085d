use std::sync::Arc;

use assign_seat::Handler;
use jiff::SignedDuration;
use lambda_http::Error;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, flows::links::LinkMailer,
    messaging::outbox::MailOutbox, store::accounts::AccountsRepo,
    store::subscriptions::SubscriptionsRepo, web::auth::guard::Guard, web::http,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let dynamodb = aws::dynamodb(&sdk);
    let accounts = AccountsRepo::new(dynamodb.clone(), table.clone());
    let clock = clock::from_env();
    let handler = Arc::new(Handler {
        guard: Guard::from_env(accounts.clone(), clock.clone())?,
        subscriptions: SubscriptionsRepo::new(dynamodb, table),
        links: LinkMailer {
            accounts: accounts.clone(),
            outbox: MailOutbox::new(aws::sqs(&sdk), config::required("MAIL_QUEUE_URL")?),
            app_url: config::required("APP_URL")?,
        },
        accounts,
        clock,
        activation_valid: SignedDuration::from_hours(
            24 * config::parsed_or::<i64>("ACTIVATION_LINK_DAYS", 14)?,
        ),
        attempts: config::parsed_or("SEAT_WRITE_ATTEMPTS", 60)?,
    });
    http::serve(|req| handler.handle(req)).await
}
