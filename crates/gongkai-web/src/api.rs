//! JSON API under `/api/v1/`: the composition of every capability's routes (one line
//! each) and the handlers of documents, interpretations, changes and search. Handlers
//! return [`WebResult`]: every failure, from a bad id in the path to an internal error, is
//! answered as `{"code", "message"}` by the error layer (`crate::error`), never as plain
//! text and never as a 500 for bad input.

use crate::WebState;
use crate::auth::{Caller, same_token};
use crate::error::WebError;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use gongkai_app::{Actor, AppError};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

/// The API's routes and their OpenAPI description, declared together: every handler is
/// registered through `routes!`, which takes its `#[utoipa::path]` with it, so nothing is
/// routed without being documented, nor documented without being routed. Returns the
/// router (paths under `/api`) with `/api/openapi.json` serving the description.
pub fn routes() -> Router<WebState> {
    let (router, doc) = crate::openapi::base()
        .nest(
            "/api",
            OpenApiRouter::new()
                // One line per capability.
                .merge(crate::orgs::api())
                .merge(crate::patrol::api())
                .merge(crate::messages::api())
                .merge(crate::search::api())
                .merge(crate::answers::api())
                .merge(crate::faq::api())
                .merge(crate::documents::api())
                .merge(crate::requests::api()),
        )
        .split_for_parts();
    let doc = std::sync::Arc::new(doc);
    router.route("/api/openapi.json", get(move || async move { Json(doc.as_ref().clone()) }))
}

/// The failures every endpoint may answer with, each as `{code, message}`
/// ([`crate::openapi::ApiError`]); the code tells them apart (`gongkai_app::error`).
pub(crate) struct Failures;

impl utoipa::IntoResponses for Failures {
    fn responses() -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::response::Response>> {
        crate::openapi::failures()
    }
}

/// A file to download (Word, Excel, an applicant's attachment).
pub(crate) struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::openapi::binary()
    }
}

impl ToSchema for Binary {}

/// An id given in a query parameter (`from`, `to`).
pub(crate) fn query_id(s: &str) -> Result<i64, WebError> {
    s.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| WebError(AppError::BadId(s.chars().take(40).collect())))
}

/// The caller for reads: anonymous is fine, a bad token is not.
pub(crate) fn reader(c: &Caller) -> Result<Option<&Actor>, WebError> {
    if c.bad_token {
        return Err(WebError(AppError::Unauthorized));
    }
    Ok(c.actor.as_ref())
}

/// The caller for writes: a bearer token, or a session with its CSRF token in
/// `X-CSRF-Token`.
pub(crate) fn writer<'a>(c: &'a Caller, headers: &HeaderMap) -> Result<&'a Actor, WebError> {
    let Some(actor) = c.actor.as_ref() else {
        return Err(WebError(AppError::Unauthorized));
    };
    if !c.via_token {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !c.csrf.as_deref().is_some_and(|t| same_token(t, sent)) {
            return Err(WebError(AppError::Forbidden("会话调用写接口须带 X-CSRF-Token".into())));
        }
    }
    Ok(actor)
}

/// Staff only: a session or a token.
pub(crate) fn staff(c: &Caller) -> Result<&Actor, WebError> {
    reader(c)?.ok_or(WebError(AppError::Unauthorized))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    pub(crate) page: Option<u64>,
    pub(crate) per_page: Option<u64>,
}
