//! The handler built at cold start: the function has no settings of its own.

use shop_adapters::boot::prelude::*;

use crate::Handler;

impl Handler {
    pub fn boot(boot: &Boot) -> Result<Self, Error> {
        Self::new(boot)
    }

    pub fn new(boot: &Boot) -> Result<Self, Error> {
        Ok(Self {
            accounts: boot.accounts(),
            clock: boot.clock(),
        })
    }
}

impl HttpHandler for Handler {
    async fn handle(&self, req: Request) -> HttpResponse {
        Handler::handle(self, req).await
    }
}
