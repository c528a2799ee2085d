//! `GET /.well-known/jwks.json`: the public keys that sign access tokens, so the web app and
//! other applications can verify a sign-in. During a key rotation it lists both keys.

use lambda_http::{
    Body, Response,
    http::{StatusCode, header},
};
use shop_adapters::web::http::HttpResponse;

mod settings;

pub use settings::Settings;

pub struct Handler {
    /// The key set, checked at cold start.
    pub jwks: String,
}

impl Handler {
    pub fn handle(&self) -> HttpResponse {
        let mut response = Response::new(Body::Text(self.jwks.clone()));
        *response.status_mut() = StatusCode::OK;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
        // Verifiers may cache for five minutes; a rotation publishes the new key longer before.
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("public, max-age=300"),
        );
        response
    }
}
