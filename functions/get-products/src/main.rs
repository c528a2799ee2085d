use get_products::Handler;
use lambda_http::Error;
use shop_adapters::{
    boot::aws, boot::config, boot::telemetry, store::catalog::CatalogRepo, web::http,
};
use shop_domain::catalog::Region;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let table = config::required("TABLE_NAME")?;
    let default_region = config::parsed_or("DEFAULT_REGION", Region::parse("DE")?)?;
    let sdk = aws::load().await;
    let handler = Handler {
        catalog: CatalogRepo::new(aws::dynamodb(&sdk), table),
        default_region,
    };
    http::serve(|req| handler.handle(req)).await
}
