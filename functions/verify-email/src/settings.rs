//! The handler built at cold start: the function has no settings of its own.

use lambda_http::Request;
use shop_adapters::{
    boot::{Boot, Error, HttpHandler},
    web::http::HttpResponse,
};

use crate::Handler;

impl Handler {
    pub fn boot(boot: &Boot) -> Result<Self, Error> {
        Ok(Self::new(boot))
    }

    pub fn new(boot: &Boot) -> Self {
        Self {
            accounts: boot.accounts(),
            clock: boot.clock(),
        }
    }
}

impl HttpHandler for Handler {
    async fn handle(&self, req: Request) -> HttpResponse {
        Handler::handle(self, req).await
    }
}
