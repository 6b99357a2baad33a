//! HTTP for gongkai: the public portal (`/`), the admin console (`/admin/`) and the JSON
//! API (`/api/v1/`, described at `/api/openapi.json`). Calls only `gongkai-app`.

// The OpenAPI document is one `json!` literal; it outgrew the default macro depth.
#![recursion_limit = "256"]
// Helpers return a finished error `Response` for handlers to send at once; boxing it
// would only add an allocation on the error path.
#![allow(clippy::result_large_err)]

mod admin;
mod admin_requests;
mod api;
mod apply;
mod auth;
mod openapi;
mod portal;
mod views;

use axum::Router;
use axum::http::{HeaderValue, header};
use gongkai_app::App;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

pub use auth::SESSION_COOKIE;

#[derive(Clone)]
pub struct WebState {
    pub app: Arc<App>,
}

/// The whole HTTP surface.
pub fn router(app: Arc<App>) -> Router {
    let state = WebState { app: app.clone() };
    let body_limit = app.config.max_upload_bytes + 1024 * 1024;
    Router::new()
        .merge(portal::routes())
        .merge(apply::routes())
        .merge(admin::routes())
        .merge(admin_requests::routes())
        .nest("/api", api::routes())
        .fallback(portal::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .with_state(state)
}
