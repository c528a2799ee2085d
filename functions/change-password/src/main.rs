#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), shop_adapters::boot::Error> {
    shop_adapters::boot::serve_http(change_password::Handler::boot).await
}
