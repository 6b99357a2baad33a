//! The web side of the error policy described in [`gongkai_app::error`].
//!
//! Handlers and extractors fail with a [`WebError`], which carries the [`AppError`] to
//! [`render_errors`], the one layer that decides how it looks: `{"code", "message"}` under
//! `/api/`, the site's error page everywhere else. The same layer catches what axum itself
//! answers in plain English (no route, wrong method, a body over the limit, a query that
//! does not parse) and answers it the same way, so no caller ever sees a bare `text/plain`
//! error. Internal errors are logged here with their cause, once.

use crate::WebState;
use crate::views::{ErrorPage, Frame, render};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gongkai_app::AppError;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// A failure on its way to [`render_errors`].
#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError(e)
    }
}

/// Marks a response as a failure still to be rendered.
#[derive(Clone)]
struct Failure(Arc<AppError>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.spec().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = status.into_response();
        r.extensions_mut().insert(Failure(Arc::new(self.0)));
        r
    }
}

/// What handlers return.
pub type WebResult<T = Response> = Result<T, WebError>;

/// Renders every failure: JSON under `/api/`, the error page elsewhere.
pub async fn render_errors(State(s): State<WebState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let limit = if crate::is_small_form(req.method(), req.uri().path()) {
        format!("{} KB", crate::SMALL_FORM_BYTES / 1024)
    } else {
        format!("{} MB", s.app.config.max_upload_bytes / (1024 * 1024))
    };
    let mut resp = next.run(req).await;
    let err = match resp.extensions_mut().remove::<Failure>() {
        // An extractor does not know the limit; it is filled in here.
        Some(Failure(e)) if matches!(&*e, AppError::TooLarge(l) if l.is_empty()) => Arc::new(AppError::TooLarge(limit)),
        Some(Failure(e)) => e,
        None => {
            let status = resp.status();
            if !(status.is_client_error() || status.is_server_error()) || is_rendered(&resp) {
                return resp;
            }
            Arc::new(from_status(status, limit))
        }
    };
    if let AppError::Internal(cause) = &*err {
        tracing::error!(cause = %cause, "internal error");
    }
    let spec = err.spec();
    let status = StatusCode::from_u16(spec.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = if api {
        let mut body = serde_json::json!({ "code": spec.code, "message": err.message() });
        if let AppError::Validation(errs) = &*err {
            body["errors"] = serde_json::to_value(errs).unwrap_or_default();
        }
        if let AppError::Step(r) = &*err
            && let Some(field) = r.field()
        {
            body["errors"] = serde_json::json!([{ "field": field, "message": r.to_string() }]);
        }
        (status, axum::Json(body)).into_response()
    } else {
        let page = ErrorPage {
            frame: Frame::new(&s.app.config.site_name, spec.heading, "错误"),
            status: spec.status,
            heading: spec.heading.into(),
            message: err.message(),
        };
        (status, render(&page)).into_response()
    };
    // Headers a handler set on purpose (Allow, Retry-After, cookies) survive the rendering.
    for name in [header::ALLOW, header::RETRY_AFTER, header::SET_COOKIE, header::CACHE_CONTROL] {
        for v in resp.headers().get_all(&name) {
            out.headers_mut().append(name.clone(), v.clone());
        }
    }
    if matches!(*err, AppError::Unavailable(_)) && !out.headers().contains_key(header::RETRY_AFTER) {
        out.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    if let AppError::TooMany { retry_after } = &*err
        && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
    {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
    out
}

/// A handler's own page or JSON document (the login form with its 422, say) stays as it is.
fn is_rendered(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"))
}

/// What axum answered by itself, as one of ours.
fn from_status(status: StatusCode, limit: String) -> AppError {
    match status {
        StatusCode::NOT_FOUND => AppError::NotFound("您要找的页面不存在或已被删除，请检查地址。".into()),
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(limit),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        StatusCode::FORBIDDEN => AppError::Forbidden("没有权限".into()),
        s if s.is_server_error() => AppError::Internal(format!("answered {s} without a cause")),
        _ => AppError::BadQuery("请检查地址和提交的内容".into()),
    }
}

/// The answer to a panic in a handler: a 500 like any internal error; the server stays up.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into());
    WebError(AppError::Internal(format!("handler panicked: {what}"))).into_response()
}

/// Ids in the path (`{id}`, and `{aid}` for a file of a request): positive integers, or
/// an `invalid_id` error naming what was sent.
async fn path_ids<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<Vec<(String, i64)>, WebError> {
    let params =
        RawPathParams::from_request_parts(parts, state).await.map_err(|_| WebError(AppError::BadId(String::new())))?;
    params
        .iter()
        .map(|(k, v)| match v.parse::<i64>() {
            Ok(i) if i > 0 => Ok((k.to_string(), i)),
            _ => Err(WebError(AppError::BadId(v.chars().take(40).collect()))),
        })
        .collect()
}

/// The `{id}` of the path.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ids = path_ids(parts, state).await?;
        ids.iter()
            .find(|(k, _)| k == "id")
            .map(|(_, i)| Id(*i))
            .ok_or_else(|| WebError(AppError::Internal("route without {id}".into())))
    }
}

/// `{id}` and `{aid}`: a file of a record.
pub struct IdPair(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPair {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ids = path_ids(parts, state).await?;
        let get = |name: &str| ids.iter().find(|(k, _)| k == name).map(|(_, i)| *i);
        match (get("id"), get("aid")) {
            (Some(a), Some(b)) => Ok(IdPair(a, b)),
            _ => Err(WebError(AppError::Internal("route without {id}/{aid}".into()))),
        }
    }
}

/// A JSON body; what does not parse is `invalid_json` with the parser's words.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(WebError(json_rejection(e))),
        }
    }
}

fn json_rejection(e: JsonRejection) -> AppError {
    match e {
        JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
        JsonRejection::JsonDataError(e) => AppError::BadJsonData(e.body_text()),
        JsonRejection::JsonSyntaxError(e) => AppError::BadJson(e.body_text()),
        e if e.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(String::new()),
        e => AppError::BadJson(e.body_text()),
    }
}

/// A query string; what does not parse is `invalid_query`.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(WebError(query_rejection(e))),
        }
    }
}

fn query_rejection(e: QueryRejection) -> AppError {
    AppError::BadQuery(e.body_text())
}
