use jiff::SignedDuration;
use lambda_http::Error;
use request_link::Handler;
use shop_adapters::{
    boot::aws, boot::clock, boot::config, boot::telemetry, flows::links::LinkMailer,
    messaging::outbox::MailOutbox, store::accounts::AccountsRepo, web::http,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let sdk = aws::load().await;
    let accounts = AccountsRepo::new(aws::dynamodb(&sdk), table);
    let days = |name, default| {
        config::parsed_or::<i64>(name, default).map(|d| SignedDuration::from_hours(24 * d))
    };
    let handler = Handler {
        links: LinkMailer {
            accounts: accounts.clone(),
            outbox: MailOutbox::new(aws::sqs(&sdk), config::required("MAIL_QUEUE_URL")?),
            app_url: config::required("APP_URL")?,
        },
        accounts,
        clock: clock::from_env(),
        per_hour: config::parsed_or("LINK_REQUESTS_PER_HOUR", 3)?,
        activation_valid: days("ACTIVATION_LINK_DAYS", 14)?,
        verification_valid: days("VERIFY_LINK_DAYS", 7)?,
        reset_valid: SignedDuration::from_hours(config::parsed_or("RESET_LINK_HOURS", 2)?),
    };
    http::serve(|req| handler.handle(req)).await
}
