//! Operator tools, run against the shop table named by `TABLE_NAME`:
//! - `shop-tools seed-catalog <catalog.json>` loads products, validating each through the
//!   domain first (all or nothing: a bad product stops the run before anything is written);
//! - `shop-tools publish-terms <version>` makes a terms-of-use version current: every customer
//!   who has not accepted it gets `412 terms_not_accepted` until they do.

use shop_adapters::{accounts::AccountsRepo, aws, catalog::CatalogRepo, config};
use shop_domain::{account::model::TermsVersion, catalog::Product};

const USAGE: &str = "usage: shop-tools seed-catalog <catalog.json> | publish-terms <version>";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [command, argument] = args.as_slice() else {
        return Err(USAGE.into());
    };
    let table = config::required("TABLE_NAME")?;
    let dynamodb = aws::dynamodb(&aws::load().await);
    match command.as_str() {
        "seed-catalog" => {
            let text = std::fs::read_to_string(argument).map_err(|e| format!("{argument}: {e}"))?;
            let products: Vec<Product> =
                serde_json::from_str(&text).map_err(|e| format!("{argument}: {e}"))?;
            let repo = CatalogRepo::new(dynamodb, table);
            for product in &products {
                repo.put(product).await?;
            }
            println!("seeded {} products", products.len());
        }
        "publish-terms" => {
            let version = TermsVersion::parse(argument)?;
            AccountsRepo::new(dynamodb, table)
                .publish_terms(&version)
                .await?;
            println!("terms version {version} is now current");
        }
        other => return Err(format!("unknown command `{other}`; {USAGE}").into()),
    }
    Ok(())
}
