#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), shop_adapters::boot::Error> {
    shop_adapters::boot::serve_http(assign_seat::Handler::boot).await
}
