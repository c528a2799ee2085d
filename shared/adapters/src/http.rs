//! HTTP glue for API Gateway (HTTP API, payload 2.0): JSON answers, query decoding, and the
//! single place where an [`AppError`] becomes an `application/problem+json` answer.

use lambda_http::{
    Body, Request, RequestExt, Response,
    http::{StatusCode, header},
};
use serde::Serialize;
use shop_domain::DomainError;

use crate::AppError;

pub type HttpResponse = Response<Body>;

/// A JSON answer.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<HttpResponse, AppError> {
    let body = serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))?;
    build(status, "application/json", body)
}

fn build(status: StatusCode, content_type: &str, body: String) -> Result<HttpResponse, AppError> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Text(body))
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Turns a use case's outcome into the answer; failures become problem+json, and faults are
/// logged with their detail, which the caller never sees.
pub fn respond(outcome: Result<HttpResponse, AppError>) -> HttpResponse {
    match outcome {
        Ok(response) => response,
        Err(err) => problem(&err),
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [shop_domain::error::FieldError],
    /// Where to go to resolve it (412: where to accept the terms).
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
}

/// The one mapping from errors to statuses and codes.
pub fn problem(err: &AppError) -> HttpResponse {
    let mut body = Problem {
        kind: "about:blank",
        title: "",
        status: 0,
        detail: "",
        code: "",
        fields: &[],
        link: None,
    };
    let status = match err {
        AppError::Domain(d) => {
            let status = match d {
                DomainError::Malformed { .. } => StatusCode::BAD_REQUEST,
                DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
                DomainError::Conflict { .. } => StatusCode::CONFLICT,
                DomainError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
                DomainError::Forbidden { .. } => StatusCode::FORBIDDEN,
                DomainError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                DomainError::PaymentRequired { .. } => StatusCode::PAYMENT_REQUIRED,
                DomainError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            };
            match d {
                DomainError::Invalid { fields, .. } => body.fields = fields,
                DomainError::PreconditionFailed { link, .. } => body.link = Some(link),
                _ => {}
            }
            body.detail = match d {
                DomainError::Malformed { detail, .. }
                | DomainError::Invalid { detail, .. }
                | DomainError::NotFound { detail, .. }
                | DomainError::Conflict { detail, .. }
                | DomainError::Unauthorized { detail, .. }
                | DomainError::Forbidden { detail, .. }
                | DomainError::RateLimited { detail, .. }
                | DomainError::PaymentRequired { detail, .. }
                | DomainError::PreconditionFailed { detail, .. } => detail,
            };
            body.code = d.code();
            tracing::info!(code = d.code(), status = status.as_u16(), "request refused");
            status
        }
        AppError::Unauthenticated(why) => {
            tracing::info!(reason = %why, "unauthenticated");
            body.code = "unauthenticated";
            body.detail = "Sign in again: the access token is missing, invalid or expired.";
            StatusCode::UNAUTHORIZED
        }
        AppError::Unavailable(why) => {
            tracing::warn!(error = %why, "dependency unavailable");
            body.code = "service_unavailable";
            body.detail =
                "A service the shop depends on is not answering. Please try again shortly.";
            StatusCode::SERVICE_UNAVAILABLE
        }
        AppError::Internal(why) => {
            tracing::error!(error = %why, "internal error");
            body.code = "internal_error";
            body.detail = "Something went wrong on our side. Please try again later.";
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    body.status = status.as_u16();
    body.title = status.canonical_reason().unwrap_or("Error");
    let text = serde_json::to_string(&body).unwrap_or_else(|_| String::from("{}"));
    let mut response = build(status, "application/problem+json", text).unwrap_or_else(|_| {
        let mut fallback = Response::new(Body::Empty);
        *fallback.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    });
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

/// The request's JSON body as `T`; an unreadable body is a 400 with the reader's reason.
pub fn json_body<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, DomainError> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => b"",
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => b"",
    };
    serde_json::from_slice(bytes).map_err(|e| {
        DomainError::malformed(
            "invalid_body",
            format!("The request body is not valid JSON for this route: {e}"),
        )
    })
}

/// The query parameters a route reads, refusing any it does not know and any given twice, so
/// a typo (`?regoin=DE`) is reported instead of silently ignored.
pub fn query<'r>(req: &'r Request, known: &[&str]) -> Result<Query<'r>, DomainError> {
    let params = req.query_string_parameters_ref();
    if let Some(params) = params {
        for name in params.iter().map(|(k, _)| k) {
            if !known.contains(&name) {
                return Err(DomainError::malformed(
                    "unknown_parameter",
                    format!("Unknown query parameter `{name}`."),
                ));
            }
            if params.all(name).is_some_and(|v| v.len() > 1) {
                return Err(DomainError::malformed(
                    "repeated_parameter",
                    format!("Query parameter `{name}` is given more than once."),
                ));
            }
        }
    }
    Ok(Query { req })
}

/// Checked query parameters of one request.
pub struct Query<'r> {
    req: &'r Request,
}

impl Query<'_> {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.req
            .query_string_parameters_ref()
            .and_then(|p| p.first(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: &HttpResponse) -> serde_json::Value {
        match r.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn domain_errors_map_to_their_status_and_code() {
        for (err, status) in [
            (DomainError::malformed("bad_json", "x"), 400),
            (DomainError::invalid("invalid_email", "x"), 422),
            (DomainError::not_found("unknown_region", "x"), 404),
            (DomainError::conflict("seat_limit_reached", "x"), 409),
        ] {
            let code = err.code();
            let r = problem(&AppError::Domain(err));
            assert_eq!(r.status().as_u16(), status);
            assert_eq!(
                r.headers()[header::CONTENT_TYPE],
                "application/problem+json"
            );
            let b = body(&r);
            assert_eq!(b["code"], code);
            assert_eq!(b["status"], status);
            assert!(b.get("fields").is_none());
        }
    }

    #[test]
    fn faults_hide_their_detail() {
        let r = problem(&AppError::Internal("table xyz: secret detail".into()));
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let b = body(&r);
        assert_eq!(b["code"], "internal_error");
        assert!(!b.to_string().contains("secret"));
        let r = problem(&AppError::Unavailable("throttled".into()));
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn field_errors_are_listed() {
        let err = DomainError::Invalid {
            code: "invalid_password",
            detail: "x".into(),
            fields: vec![shop_domain::error::FieldError {
                field: "password".into(),
                code: "too_short",
                detail: "at least 8".into(),
            }],
        };
        let b = body(&problem(&AppError::Domain(err)));
        assert_eq!(b["fields"][0]["code"], "too_short");
    }
}
