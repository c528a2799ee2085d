//! A function's sample event from `events/`, changed where a test needs it, and the answer read
//! back. HTTP samples become requests through `web::http::gateway_request`, the decode step the
//! deployed function runs, so a handler test starts where API Gateway hands over.

use lambda_http::{Body, Request};
use serde_json::Value;
use shop_adapters::{
    boot::HttpHandler,
    web::http::{HttpResponse, gateway_request},
};

/// `events/<function>.json`, as a JSON value to change before it is sent.
#[derive(Debug, Clone)]
pub struct Sample(Value);

impl Sample {
    /// The sample of `function` (the binary's name, as in template.yaml).
    pub fn of(function: &str) -> Self {
        let path = format!(
            "{}/../../events/{function}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        Self(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}")))
    }

    /// The event as it stands.
    pub fn event(&self) -> &Value {
        &self.0
    }

    /// The path parameter `name` the sample carries.
    pub fn path_param(&self, name: &str) -> String {
        let value = self.0["pathParameters"][name].as_str();
        value.expect("the sample has the path parameter").to_owned()
    }

    /// The JSON body the sample carries.
    pub fn body(&self) -> Value {
        let body = self.0["body"].as_str().expect("an HTTP sample with a body");
        serde_json::from_str(body).expect("the sample's body is JSON")
    }

    /// Another JSON body.
    pub fn with_body(self, body: &Value) -> Self {
        self.with_raw_body(&body.to_string())
    }

    /// Another body, sent as given (for bodies that are not JSON).
    pub fn with_raw_body(mut self, body: &str) -> Self {
        self.0["body"] = body.into();
        self
    }

    /// The sample's body with `field` set to `value`.
    pub fn with_field(self, field: &str, value: Value) -> Self {
        let mut body = self.body();
        body[field] = value;
        self.with_body(&body)
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.0["headers"][name] = value.into();
        self
    }

    /// The caller's access token in place of the sample's placeholder.
    pub fn with_bearer(self, token: &str) -> Self {
        self.with_header("authorization", &format!("Bearer {token}"))
    }

    /// The path parameter `name` set to `value`, in the parameters and in the path alike
    /// (a parameter the sample lacks, of a route set by [`Sample::with_route`], is added).
    pub fn with_path_param(mut self, name: &str, value: &str) -> Self {
        if let Some(old) = self.0["pathParameters"][name].as_str().map(str::to_owned) {
            let path = self.0["rawPath"]
                .as_str()
                .expect("an HTTP sample")
                .replace(&old, value);
            self.0["rawPath"] = path.clone().into();
            self.0["requestContext"]["http"]["path"] = path.into();
        }
        self.0["pathParameters"][name] = value.into();
        self
    }

    /// Another route of the same function: `route` as template.yaml names it
    /// (`POST /v1/me/terms`) and the `path` requested; the path parameters stay.
    pub fn with_route(mut self, route: &str, path: &str) -> Self {
        let (method, _) = route.split_once(' ').expect("METHOD /path");
        self.0["routeKey"] = route.into();
        self.0["requestContext"]["routeKey"] = route.into();
        self.0["requestContext"]["http"]["method"] = method.into();
        self.0["requestContext"]["http"]["path"] = path.into();
        self.0["rawPath"] = path.into();
        self
    }

    /// The query `query` (names and values, in order), in the raw string (`:` and `+`
    /// escaped, as a browser sends them) and in the parameters alike; none when it is empty,
    /// as API Gateway leaves them out.
    pub fn with_query(mut self, query: &[(&str, &str)]) -> Self {
        let raw: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(':', "%3A").replace('+', "%2B")))
            .collect();
        self.0["rawQueryString"] = raw.join("&").into();
        let params: serde_json::Map<String, Value> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).into()))
            .collect();
        let event = self.0.as_object_mut().expect("an HTTP sample");
        if params.is_empty() {
            event.remove("queryStringParameters");
        } else {
            event.insert("queryStringParameters".into(), Value::Object(params));
        }
        self
    }

    /// The request the function's handler receives.
    pub fn request(&self) -> Request {
        gateway_request(&self.0).expect("the gateway step reads the sample")
    }

    /// `handler`'s answer to the request, as the deployed function gives it.
    pub async fn answer(&self, handler: &impl HttpHandler) -> Answer {
        Answer::of(&handler.handle(self.request()).await)
    }

    /// A non-HTTP sample (an SQS batch, a scheduled event) as the handler's event type.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.0.clone()).expect("the sample has the trigger's shape")
    }
}

/// The `code` of every entry of a problem's list (`fields`, `reasons`), in order.
pub fn codes(list: &Value) -> Vec<&str> {
    let entries = list.as_array().expect("a list of problems");
    entries
        .iter()
        .map(|entry| entry["code"].as_str().expect("each names its code"))
        .collect()
}

/// An HTTP answer: status, content type and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl Answer {
    pub fn of(response: &HttpResponse) -> Self {
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = match response.body() {
            Body::Text(text) => serde_json::from_str(text).expect("a JSON body"),
            Body::Binary(bytes) => serde_json::from_slice(bytes).expect("a JSON body"),
            _ => Value::Null,
        };
        Self {
            status: response.status().as_u16(),
            content_type,
            body,
        }
    }

    /// Asserts a JSON answer with `status`; its body.
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type, "application/json", "{}", self.body);
        &self.body
    }

    /// Asserts a problem+json answer with `status` and `code`; its body.
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(
            (self.status, self.content_type.as_str()),
            (status, "application/problem+json"),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status, "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert!(
            self.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{}",
            self.body
        );
        &self.body
    }
}
