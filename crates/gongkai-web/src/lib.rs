//! HTTP for gongkai: the public portal (`/`), the admin console (`/admin/`) and the JSON
//! API (`/api/v1/`, described at `/api/openapi.json`). Calls only `gongkai-app`.

// Helpers return a finished error `Response` for handlers to send at once; boxing it
// would only add an allocation on the error path.
#![allow(clippy::result_large_err)]

mod admin;
mod answers;
mod api;
mod auth;
mod documents;
pub mod error;
mod faq;
mod flash;
mod forms;
mod messages;
mod openapi;
mod orgs;
mod patrol;
mod portal;
mod requests;
mod search;
mod views;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use gongkai_app::{App, AppError};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use auth::SESSION_COOKIE;

#[derive(Clone)]
pub struct WebState {
    pub app: Arc<App>,
    /// Searches per source address on this node (`config.search_rate_per_minute`).
    pub(crate) searches: Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>,
}

impl WebState {
    fn new(app: Arc<App>) -> WebState {
        let per_minute =
            std::num::NonZeroU32::new(app.config.search_rate_per_minute).unwrap_or(std::num::NonZeroU32::MIN);
        let searches = Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)));
        WebState { app, searches }
    }
}

/// The whole HTTP surface.
pub fn router(app: Arc<App>) -> Router {
    let routes =
        // One line per capability; the API composes its own (`api::routes`).
        Router::new()
            .merge(portal::routes())
            .merge(admin::routes())
            .merge(orgs::routes())
            .merge(patrol::routes())
            .merge(messages::routes())
            .merge(documents::routes())
            .merge(search::routes())
            .merge(answers::routes())
            .merge(faq::routes())
            .merge(requests::routes())
            .merge(api::routes());
    with_policy(routes, WebState::new(app))
}

/// The layers every route runs behind: the error policy, panics answered as 500s, security
/// and cache headers, the access log with a request id.
fn with_policy(routes: Router<WebState>, state: WebState) -> Router {
    let body_limit = state.app.config.max_upload_bytes + 1024 * 1024;
    routes
        .fallback(portal::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), limit_forms))
        // Inside the error layer, so that a panic is rendered like any internal error.
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::from_fn_with_state(state.clone(), error::render_errors))
        .layer(axum::middleware::map_response_with_state(state.clone(), private_pages))
        // Pages and JSON are sent gzip-compressed to clients that accept it (a long law is
        // ~300 KB of HTML; a phone on a slow line notices).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        // No inline script or style anywhere; media of interpretations may come from https.
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            (state.app.config.secure_cookies).then(|| HeaderValue::from_static("max-age=31536000")),
        ))
        // The access log: one line per request with its id, which is also sent back.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("http", id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Public forms that cost the district something per submission — an application starts a
/// legal clock, tracking and login try secrets — are limited per source address
/// (`App::rate_hit`, counted in the database so the limit holds across nodes). Searches are
/// limited per address on each node, in memory: they write nothing and each node answers
/// from its own index.
async fn limit_forms(
    axum::extract::State(s): axum::extract::State<WebState>,
    auth::ClientAddr(addr): auth::ClientAddr,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    let form = match (req.method(), req.uri().path()) {
        (&Method::POST, "/apply" | "/api/v1/requests") => Some("apply"),
        (&Method::POST, "/apply/track") | (_, "/api/v1/requests/track") => Some("track"),
        (&Method::POST, "/admin/login") => Some("login"),
        (&Method::POST, "/error-report" | "/api/v1/error-reports") => Some("error_report"),
        (&Method::POST, "/messages/new" | "/api/v1/messages") => Some("message"),
        (&Method::POST, "/messages/track" | "/api/v1/messages/track") => Some("track"),
        _ => None,
    };
    if let (Some(form), Some(addr)) = (form, addr)
        && let Err(e) = s.app.rate_hit(form, &addr.to_string()).await
    {
        return axum::response::IntoResponse::into_response(error::WebError(e));
    }
    // A text form's body is cut off at its limit while it is read (a length header can lie).
    let req = if is_small_form(req.method(), req.uri().path()) {
        let (parts, body) = req.into_parts();
        axum::extract::Request::from_parts(
            parts,
            axum::body::Body::new(http_body_util::Limited::new(body, SMALL_FORM_BYTES)),
        )
    } else {
        req
    };
    let search =
        matches!(req.uri().path(), "/search" | "/api/v1/search" | "/api/v1/passages" | "/qa" | "/api/v1/answers");
    if search && let Some(addr) = addr {
        // Forgets addresses whose allowance is whole again, so the table stays small.
        if s.searches.len() > 10_000 {
            s.searches.retain_recent();
        }
        if let Err(not_until) = s.searches.check_key(&addr) {
            use governor::clock::Clock;
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            let retry_after = i64::try_from(wait.as_secs()).unwrap_or(60).max(1);
            return axum::response::IntoResponse::into_response(error::WebError(AppError::TooMany { retry_after }));
        }
    }
    next.run(req).await
}

/// Bytes a public text form may send (a 找错 report, a message): far more than their longest
/// fields, so a 20 MB "description" is refused before it is read, not echoed back.
pub(crate) const SMALL_FORM_BYTES: usize = 64 * 1024;

/// The public forms of text only, held to [`SMALL_FORM_BYTES`].
pub(crate) fn is_small_form(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST
        && matches!(path, "/error-report" | "/api/v1/error-reports" | "/messages/new" | "/api/v1/messages")
}

/// Console pages, and whatever carries an applicant's data or a query code, are never kept
/// by a browser's or a proxy's cache.
async fn private_pages(
    axum::extract::State(_): axum::extract::State<WebState>,
    uri: axum::http::Uri,
    mut resp: axum::response::Response,
) -> axum::response::Response {
    let p = uri.path();
    let private = p.starts_with("/admin")
        || p.starts_with("/api/v1/requests")
        || p.starts_with("/apply")
        || p.starts_with("/messages/done")
        || p.starts_with("/messages/track")
        || p.starts_with("/api/v1/messages/track");
    if private && !resp.headers().contains_key(header::CACHE_CONTROL) {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    resp
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
                   media-src 'self' https:; frame-src https:; object-src 'none'; base-uri 'self'; \
                   form-action 'self'; frame-ancestors 'self'";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn panicking() -> &'static str {
        panic!("a bug in a handler")
    }

    #[tokio::test]
    async fn a_panic_answers_500_and_the_server_keeps_serving() {
        let db = gongkai_testkit::sqlite();
        let app = Arc::new(gongkai_testkit::demo_app(&db).await);
        let routes = Router::new()
            .route("/boom", get(panicking))
            .route("/api/v1/boom", get(panicking))
            .route("/fine", get(|| async { "ok" }));
        let router = with_policy(routes, WebState::new(app));
        for (uri, json) in [("/boom", false), ("/api/v1/boom", true)] {
            let resp =
                router.clone().oneshot(axum::http::Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(resp.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            assert!(resp.headers().contains_key("x-request-id"));
            let ct = resp.headers()[header::CONTENT_TYPE].to_str().unwrap().to_string();
            let body = http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes();
            let text = String::from_utf8_lossy(&body);
            assert!(!text.contains("a bug in a handler"), "the cause is logged, not shown: {text}");
            if json {
                assert!(ct.starts_with("application/json") && text.contains("\"internal\""), "{ct} {text}");
            } else {
                assert!(ct.starts_with("text/html") && text.contains("系统繁忙"), "{ct} {text}");
            }
        }
        let resp = router.oneshot(axum::http::Request::get("/fine").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), axum::http::StatusCode::OK);
    }
}
