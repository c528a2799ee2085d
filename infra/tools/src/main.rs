//! Operator tool: `shop-tools seed-catalog <catalog.json>` loads products into the shop table
//! named by `TABLE_NAME`, validating each through the domain first (all or nothing: a bad
//! product stops the run before anything is written).

use shop_adapters::{aws, catalog::CatalogRepo, config};
use shop_domain::catalog::Product;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [command, path] = args.as_slice() else {
        return Err("usage: shop-tools seed-catalog <catalog.json>".into());
    };
    if command != "seed-catalog" {
        return Err(format!("unknown command `{command}`; known: seed-catalog").into());
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let products: Vec<Product> = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let table = config::required("TABLE_NAME")?;
    let repo = CatalogRepo::new(aws::dynamodb(&aws::load().await), table);
    for product in &products {
        repo.put(product).await?;
    }
    println!("seeded {} products", products.len());
    Ok(())
}
