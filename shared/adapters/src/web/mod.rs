//! HTTP glue: API Gateway requests and problem answers, idempotent requests, sign-in tokens and
//! the guard that checks them.

pub mod auth;
pub mod http;
pub mod idempotent_http;
pub mod link_password;
pub mod paths;

/// What a function's HTTP use case (`lib.rs`) works with, imported once (`use
/// shop_adapters::web::prelude::*;`): the request and its path, the answer, the one error
/// type, and the guard of protected routes.
pub mod prelude {
    pub use super::{
        auth::guard::{Caller, Guard, Need},
        http::{self, HttpResponse},
    };
    pub use crate::AppError;
    pub use lambda_http::{
        Request, RequestExt,
        http::{Method, StatusCode},
    };
}
