#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), shop_adapters::boot::Error> {
    shop_adapters::boot::serve_http_without_aws(jwks::Handler::from_env).await
}
