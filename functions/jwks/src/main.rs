use jwks::Handler;
use lambda_http::Error;
use shop_adapters::{boot::config, boot::telemetry, web::auth::settings, web::http};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    settings::verifier()?; // refuses to start with a key set nobody could verify with
    let handler = Handler {
        jwks: config::required("JWT_PUBLIC_KEYS")?,
    };
    http::serve(|_| async { handler.handle() }).await
}
