//! HTTP glue for API Gateway (HTTP API, payload 2.0): JSON answers, query decoding, and the
//! single place where an [`AppError`] becomes an `application/problem+json` answer.

use lambda_http::{
    Body, Request, RequestExt, Response,
    http::{StatusCode, header},
};
use serde::Serialize;
use shop_domain::DomainError;

use crate::{AppError, Boxed, error::Context};

pub type HttpResponse = Response<Body>;

/// A JSON answer.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<HttpResponse, AppError> {
    let body = serde_json::to_string(value).context("encode the answer")?;
    build(status, "application/json", body)
}

fn build(status: StatusCode, content_type: &str, body: String) -> Result<HttpResponse, AppError> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Text(body))
        .context("build the answer")
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
    /// Where to go to resolve it (412: where to accept the terms; 402: where to buy).
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    /// What to buy there (402 `license_required`).
    #[serde(skip_serializing_if = "Option::is_none")]
    product_id: Option<&'a str>,
}

/// What a caller is told for a refusal or fault of no rule: the detail stays in the log.
const SIGN_IN_AGAIN: &str = "Sign in again: the access token is missing, invalid or expired.";
const TRY_SHORTLY: &str =
    "A service the shop depends on is not answering. Please try again shortly.";
const OUR_SIDE: &str = "Something went wrong on our side. Please try again later.";

/// The one mapping from a kind of failure to its status and stable code.
fn status_and_code(err: &AppError) -> (StatusCode, &'static str) {
    use {AppError as A, DomainError as D};
    match err {
        A::Domain(d @ D::Malformed { .. }) => (StatusCode::BAD_REQUEST, d.code()),
        A::Domain(d @ D::Invalid { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, d.code()),
        A::Domain(d @ D::NotFound { .. }) => (StatusCode::NOT_FOUND, d.code()),
        A::Domain(d @ D::Conflict { .. }) => (StatusCode::CONFLICT, d.code()),
        A::Domain(d @ D::Unauthorized { .. }) => (StatusCode::UNAUTHORIZED, d.code()),
        A::Domain(d @ D::Forbidden { .. }) => (StatusCode::FORBIDDEN, d.code()),
        A::Domain(d @ D::RateLimited { .. }) => (StatusCode::TOO_MANY_REQUESTS, d.code()),
        A::Domain(d @ D::PaymentRequired { .. }) => (StatusCode::PAYMENT_REQUIRED, d.code()),
        A::Domain(d @ D::TooLarge { .. }) => (StatusCode::PAYLOAD_TOO_LARGE, d.code()),
        A::Domain(d @ D::UnsupportedMediaType { .. }) => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, d.code())
        }
        A::Domain(d @ D::PreconditionFailed { .. }) => (StatusCode::PRECONDITION_FAILED, d.code()),
        A::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        A::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"),
        A::Internal { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
    }
}

/// The answer for `err`, logged here once: a refusal by its code, a fault with its causes.
pub fn problem(err: &AppError) -> HttpResponse {
    let (status, code) = status_and_code(err);
    let detail = match err {
        AppError::Domain(d) => {
            tracing::info!(code, status = status.as_u16(), "request refused");
            d.to_string()
        }
        AppError::Unauthenticated(why) => {
            tracing::info!(reason = %why, "unauthenticated");
            SIGN_IN_AGAIN.to_owned()
        }
        AppError::Unavailable { .. } => {
            tracing::warn!(error = %err.report(), "dependency unavailable");
            TRY_SHORTLY.to_owned()
        }
        AppError::Internal { .. } => {
            tracing::error!(error = %err.report(), "internal error");
            OUR_SIDE.to_owned()
        }
    };
    let mut body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail: &detail,
        code,
        fields: &[],
        link: None,
        product_id: None,
    };
    match err {
        AppError::Domain(DomainError::Invalid { fields, .. }) => body.fields = fields,
        AppError::Domain(DomainError::PreconditionFailed { link, .. }) => body.link = Some(link),
        AppError::Domain(DomainError::PaymentRequired { buy: Some(buy), .. }) => {
            body.link = Some(buy.link);
            body.product_id = Some(&buy.product_id);
        }
        _ => {}
    }
    // However much of the input a detail quotes, the answer (and an idempotency record that
    // keeps it) stays small.
    let detail = excerpt(&detail, MAX_DETAIL_CHARS);
    body.detail = &detail;
    let fields: Vec<_> = body
        .fields
        .iter()
        .take(MAX_FIELDS)
        .map(|f| shop_domain::error::FieldError {
            field: excerpt(&f.field, 80).into_owned(),
            code: f.code,
            detail: excerpt(&f.detail, MAX_DETAIL_CHARS).into_owned(),
        })
        .collect();
    body.fields = &fields;
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

/// Longest problem detail (characters); longer ones are cut with an ellipsis.
const MAX_DETAIL_CHARS: usize = 300;
/// Most field errors one problem lists.
const MAX_FIELDS: usize = 50;

/// `text` cut to `max` characters.
pub fn excerpt(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

/// The largest JSON body a function takes (`MAX_BODY_BYTES`, read once at cold start; a few KB
/// to 64 KB per route in the template, 16 KB when unset).
pub fn body_limit() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        crate::boot::config::parsed_or("MAX_BODY_BYTES", DEFAULT_BODY_LIMIT)
            .unwrap_or(DEFAULT_BODY_LIMIT)
    })
}

pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024;

/// The raw body, refused with `413 body_too_large` above `limit` bytes before anything reads it.
pub fn raw_body(req: &Request, limit: usize) -> Result<&[u8], DomainError> {
    let bytes: &[u8] = match req.body() {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => b"",
    };
    if bytes.len() > limit {
        return Err(DomainError::TooLarge {
            code: "body_too_large",
            detail: format!("The request body is larger than the {limit} bytes this route takes."),
        });
    }
    Ok(bytes)
}

/// Serves an HTTP function. The API Gateway event is read here rather than by the runtime, so
/// a request a client can send but no HTTP library can represent (a control character in a
/// header) is answered `400 invalid_header`, as the local front answers it, instead of failing
/// before the handler runs (a 500). Every body is held to [`body_limit`] before the handler
/// sees it (`413 body_too_large`, whatever the route would have checked first).
///
/// The handler comes as a trait object and the loop as a boxed future built here, so the
/// runtime's code is compiled once, in this crate, not again in every function's binary.
pub fn serve(handler: &dyn Respond) -> Serving<'_> {
    let limit = body_limit();
    Box::pin(lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<serde_json::Value>| {
            // Boxed: the handler's future type stays out of the runtime's.
            let answer: Boxed<'_, Result<serde_json::Value, lambda_http::Error>> =
                Box::pin(async move {
                    let response = match gateway_request(&event.payload) {
                        Ok(req) => match raw_body(&req, limit) {
                            Ok(_) => handler.respond(req).await,
                            Err(refused) => problem(&AppError::Domain(refused)),
                        },
                        Err(refused) => problem(&AppError::Domain(refused)),
                    };
                    gateway_response(response)
                });
            answer
        },
    )))
}

/// A function's serve loop, boxed where it is built (see [`serve`]). Not `Send`: `main` polls
/// it on its own thread.
pub type Serving<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), lambda_http::Error>> + 'a>>;

/// What [`serve`] answers requests with: a function's handler behind a trait object.
pub trait Respond: Sync {
    fn respond(&self, req: Request) -> Boxed<'_, HttpResponse>;
}

/// The request an API Gateway (HTTP API, payload 2.0) event carries, or why it cannot be read.
pub fn gateway_request(event: &serde_json::Value) -> Result<Request, DomainError> {
    let unreadable = event
        .get("headers")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|headers| {
            headers.iter().any(|(name, value)| {
                let value = value.as_str().unwrap_or_default();
                header::HeaderName::from_bytes(name.as_bytes()).is_err()
                    || header::HeaderValue::from_bytes(value.as_bytes()).is_err()
            })
        });
    if unreadable {
        return Err(DomainError::malformed(
            "invalid_header",
            "A request header holds characters HTTP does not allow (control characters).",
        ));
    }
    lambda_http::request::from_str(&event.to_string())
        .map_err(|_| DomainError::malformed("invalid_request", "The request could not be read."))
}

/// The answer as API Gateway (payload 2.0) takes it.
fn gateway_response(response: HttpResponse) -> Result<serde_json::Value, lambda_http::Error> {
    use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
    let (parts, body) = response.into_parts();
    let mut out = ApiGatewayV2httpResponse::default();
    out.status_code = i64::from(parts.status.as_u16());
    out.is_base64_encoded = matches!(body, Body::Binary(_));
    out.body = match body {
        Body::Empty => None,
        other => Some(other),
    };
    out.headers = parts.headers;
    Ok(serde_json::to_value(out)?)
}

/// The request's JSON body as `T`, within [`body_limit`]. An unreadable body is a 400 that
/// says where and what kind of problem, without quoting the input or the reader's internals.
pub fn json_body<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, DomainError> {
    parse_json(raw_body(req, body_limit())?)
}

/// `bytes` as `T`; see [`json_body`].
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, DomainError> {
    // Strict at every depth: a struct only from a JSON object, never from an array.
    shop_domain::wire::from_slice(bytes).map_err(|e| unreadable(&e))
}

fn unreadable(e: &serde_json::Error) -> DomainError {
    use serde_json::error::Category;
    let between = |text: &str, start: &str| {
        let rest = text.split_once(start)?.1;
        Some(excerpt(rest.split_once('`')?.0, 60).into_owned())
    };
    let message = e.to_string();
    let what = match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => "is not valid JSON".to_owned(),
        Category::Data => {
            if let Some(field) = between(&message, "missing field `") {
                format!("lacks the field `{field}`")
            } else if let Some(field) = between(&message, "unknown field `") {
                format!("has a field this route does not know: `{field}`")
            } else {
                "has a value of the wrong type or format".to_owned()
            }
        }
    };
    DomainError::malformed(
        "invalid_body",
        format!(
            "The request body {what} (line {}, column {}).",
            e.line(),
            e.column()
        ),
    )
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

/// The path parameter `name` of a route that has one, read by an id's constructor; `None` on a
/// route without it. A value that is no such id names nothing there is, so it answers
/// `not_found()` (404), as an unknown one does: ids cannot be probed by their form.
pub fn path_param<T, E>(
    req: &Request,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
    not_found: impl FnOnce() -> DomainError,
) -> Result<Option<T>, DomainError> {
    let params = req.path_parameters();
    params
        .first(name)
        .map(|raw| parse(raw).map_err(|_| not_found()))
        .transpose()
}

/// [`path_param`] of a route that always has it (`/plants/{id}/..`): missing is `not_found()`.
pub fn path_id<T, E>(
    req: &Request,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
    not_found: impl Fn() -> DomainError,
) -> Result<T, DomainError> {
    path_param(req, name, parse, &not_found)?.ok_or_else(not_found)
}

/// Whether the request's path ends in `suffix` (`/exchange`), a trailing `/` aside: the action
/// of a route that shares its resource's path parameters with others.
pub fn path_ends_with(req: &Request, suffix: &str) -> bool {
    req.raw_http_path().trim_end_matches('/').ends_with(suffix)
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
            (
                DomainError::UnsupportedMediaType {
                    code: "unsupported_media_type",
                    detail: "x".into(),
                },
                415,
            ),
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
        let r = problem(&AppError::internal("read table xyz", "secret detail"));
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let b = body(&r);
        assert_eq!(b["code"], "internal_error");
        assert!(!b.to_string().contains("secret"));
        let r = problem(&AppError::unavailable("throttled"));
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body(&r)["code"], "service_unavailable");
        assert!(!body(&r).to_string().contains("throttled"));
        let r = problem(&AppError::Unauthenticated("expired".into()));
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(body(&r)["code"], "unauthenticated");
    }

    #[test]
    fn unreadable_bodies_say_where_without_quoting_the_input_or_internals() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)] // read only to fail
        struct Form {
            quantity: u32,
            on: jiff::civil::Date,
        }
        let huge = "x".repeat(100_000);
        for (body, says) in [
            (
                format!(r#"{{"quantity": "{huge}", "on": "2027-01-01"}}"#),
                "wrong type",
            ),
            (
                r#"{"quantity": 1e20, "on": "2027-01-01"}"#.to_owned(),
                "wrong type",
            ),
            (
                r#"{"quantity": 1, "on": "2027-02-30"}"#.to_owned(),
                "wrong type",
            ),
            (
                format!(r#"{{"quantity": 1, "on": "2027-01-01", "{huge}": 1}}"#),
                "does not know",
            ),
            (
                r#"{"on": "2027-01-01"}"#.to_owned(),
                "lacks the field `quantity`",
            ),
            ("{".to_owned(), "not valid JSON"),
        ] {
            let err = parse_json::<Form>(body.as_bytes()).unwrap_err();
            let detail = err.to_string();
            assert_eq!(err.code(), "invalid_body");
            assert!(detail.contains(says), "{detail}");
            assert!(detail.len() < 200, "{detail}");
            assert!(
                !detail.contains("jiff") && !detail.contains("1e+20"),
                "{detail}"
            );
        }
    }

    #[test]
    fn problems_stay_small_whatever_they_quote() {
        let err = DomainError::Invalid {
            code: "invalid_email",
            detail: format!("not an email: {}", "y".repeat(500_000)),
            fields: vec![
                shop_domain::error::FieldError {
                    field: "email".into(),
                    code: "invalid_email",
                    detail: "z".repeat(500_000),
                };
                1000
            ],
        };
        let r = problem(&AppError::Domain(err));
        let Body::Text(text) = r.body() else { panic!() };
        assert!(text.len() < 30_000, "{}", text.len());
        assert_eq!(body(&r)["fields"].as_array().unwrap().len(), MAX_FIELDS);
    }

    #[test]
    fn path_ids_are_read_by_their_constructor_and_a_bad_one_is_not_found() {
        let at = |path: &str, id: Option<&str>| {
            // The raw path as API Gateway gives it (`gateway_request` sets it so).
            let req = lambda_http::http::Request::builder()
                .uri(path)
                .body(Body::Empty)
                .unwrap()
                .with_raw_http_path(path);
            let params: std::collections::HashMap<String, String> = id
                .map(|v| ("id".to_owned(), v.to_owned()))
                .into_iter()
                .collect();
            req.with_path_parameters(params)
        };
        let number = |raw: &str| raw.parse::<u8>();
        let gone = || DomainError::not_found("thing_not_found", "No such thing.");
        let req = at("/v1/things/7/exchange/", Some("7"));
        assert_eq!(path_param(&req, "id", number, gone), Ok(Some(7)));
        assert_eq!(path_id(&req, "id", number, gone), Ok(7));
        assert!(path_ends_with(&req, "/exchange"));
        assert!(!path_ends_with(&req, "/invoice"));
        let bad = at("/v1/things/x", Some("x"));
        assert_eq!(
            path_param(&bad, "id", number, gone).unwrap_err().code(),
            "thing_not_found"
        );
        let none = at("/v1/things", None);
        assert_eq!(path_param(&none, "id", number, gone), Ok(None));
        assert_eq!(
            path_id(&none, "id", number, gone).unwrap_err().code(),
            "thing_not_found"
        );
    }

    #[test]
    fn bodies_over_the_limit_are_refused_unread() {
        let req = lambda_http::http::Request::builder()
            .body(Body::Text("a".repeat(1025)))
            .unwrap();
        let err = raw_body(&req, 1024).unwrap_err();
        assert_eq!(err.code(), "body_too_large");
        assert_eq!(problem(&AppError::Domain(err)).status(), 413);
        assert_eq!(raw_body(&req, 1025).unwrap().len(), 1025);
    }

    #[test]
    fn events_with_unreadable_headers_are_refused_before_the_handler() {
        let sample: serde_json::Value =
            serde_json::from_str(include_str!("../../../../events/sign-in.json")).unwrap();
        let req = gateway_request(&sample).unwrap();
        assert_eq!(req.uri().path(), "/v1/sessions");
        for (name, value) in [
            ("user-agent", "curl\u{1b}[31m"),
            ("x-forwarded-for", "1.2.3.4\u{0}"),
            ("bad header", "x"),
        ] {
            let mut event = sample.clone();
            event["headers"][name] = value.into();
            let err = gateway_request(&event).unwrap_err();
            assert_eq!(err.code(), "invalid_header", "{name}");
        }
        let mut utf8 = sample.clone();
        utf8["headers"]["user-agent"] = "Müller-Browser".into();
        assert!(gateway_request(&utf8).is_ok());
    }

    #[test]
    fn answers_go_back_in_the_gateways_shape() {
        let r = problem(&AppError::Domain(DomainError::conflict("x", "y")));
        let out = gateway_response(r).unwrap();
        assert_eq!(out["statusCode"], 409);
        assert_eq!(out["headers"]["content-type"], "application/problem+json");
        assert_eq!(out["isBase64Encoded"], false);
        let body: serde_json::Value = serde_json::from_str(out["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["code"], "x");
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
