#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), shop_adapters::boot::Error> {
    shop_adapters::boot::serve_schedule(renewals_due::Handler::boot).await
}
