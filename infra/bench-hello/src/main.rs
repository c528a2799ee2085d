//! The smallest Lambda: answers every event with "hello". Built with the same profile as the
//! shop's functions so the cold-start benchmark can show what they add on top of the runtime.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(|_: LambdaEvent<Value>| async {
        Ok::<_, Error>("hello")
    }))
    .await
}
