use jwks::Handler;
use lambda_http::{Error, Request, run, service_fn};
use shop_adapters::{auth::settings, config, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    settings::verifier()?; // refuses to start with a key set nobody could verify with
    let handler = Handler {
        jwks: config::required("JWT_PUBLIC_KEYS")?,
    };
    let handler = &handler;
    run(service_fn(move |_: Request| async move {
        Ok::<_, Error>(handler.handle())
    }))
    .await
}
