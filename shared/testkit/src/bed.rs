//! Where a handler under test runs: the boot step a deployed function gets, pointed at a fresh
//! table on the stand-in and a fixed clock. A test builds its handler as `main` does, with
//! `Handler::new(&bed.boot, Settings::from_vars(..))`, so settings are read the production way.

use std::sync::Arc;

use jiff::Timestamp;
use shop_adapters::boot::Boot;
use shop_domain::clock::FixedClock;

pub struct TestBed {
    pub boot: Boot,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub table: String,
    pub now: Timestamp,
}

impl TestBed {
    /// A fresh table, the clock standing at `now` (RFC 3339).
    pub async fn at(now: &str) -> Self {
        let sdk = crate::sdk().await;
        let (dynamodb, table) = crate::fresh_table(&sdk).await;
        let now: Timestamp = now.parse().expect("an RFC 3339 instant");
        Self {
            boot: Boot::new(sdk.clone(), table.clone(), Arc::new(FixedClock(now))),
            sqs: aws_sdk_sqs::Client::new(&sdk),
            dynamodb,
            table,
            now,
        }
    }

    /// Another boot step on the same table, its clock standing at `later` (RFC 3339): for a
    /// job that runs after what the test stored.
    pub fn boot_at(&self, later: &str) -> Boot {
        let later: Timestamp = later.parse().expect("an RFC 3339 instant");
        Boot::new(
            self.boot.sdk().clone(),
            self.table.clone(),
            Arc::new(FixedClock(later)),
        )
    }

    /// A fresh queue's URL.
    pub async fn queue(&self) -> String {
        crate::fresh_queue(self.boot.sdk()).await.1
    }

    /// The JSON messages waiting on the queue at `url`, taken off it.
    pub async fn received(&self, url: &str) -> Vec<serde_json::Value> {
        crate::received(&self.sqs, url).await
    }
}

/// The settings of a function that charges: the local stack's payment sandbox (`SANDBOX_URL`,
/// exported by infra/test.sh) with the API key the stack gives it.
pub fn sandbox_vars() -> [(&'static str, &'static str); 2] {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let url = URL.get_or_init(|| {
        let url = std::env::var("SANDBOX_URL").unwrap_or_default();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "SANDBOX_URL must point at the local stack's payment sandbox (got `{url}`); run infra/test.sh"
        );
        url
    });
    [
        ("PAYMENT_API_URL", url),
        ("PAYMENT_API_KEY", "sk_test_local"),
    ]
}
