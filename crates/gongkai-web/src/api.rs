//! JSON API under `/api/v1/`: the composition of every capability's routes (one line
//! each) and the handlers of documents, interpretations, changes and search. Handlers
//! return [`WebResult`]: every failure, from a bad id in the path to an internal error, is
//! answered as `{"code", "message"}` by the error layer (`crate::error`), never as plain
//! text and never as a 500 for bad input.

use crate::WebState;
use crate::auth::{Caller, same_token};
use crate::error::{ApiQuery, WebError, WebResult};
use crate::views::marked;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use gongkai_app::orgs::Org as OrgModel;
use gongkai_app::search::{Facets, Hit, PassageHit, SearchOutcome, SearchParams, Suggestion};
use gongkai_app::{Actor, AppError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API's routes and their OpenAPI description, declared together: every handler is
/// registered through `routes!`, which takes its `#[utoipa::path]` with it, so nothing is
/// routed without being documented, nor documented without being routed. Returns the
/// router (paths under `/api`) with `/api/openapi.json` serving the description.
pub fn routes() -> Router<WebState> {
    let (router, doc) = crate::openapi::base()
        .nest(
            "/api",
            OpenApiRouter::new()
                .routes(routes!(search))
                .routes(routes!(passages))
                .routes(routes!(suggest))
                .routes(routes!(orgs))
                // One line per capability.
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

#[derive(Serialize, ToSchema)]
struct Passages {
    passages: Vec<ApiPassage>,
}

/// An article found for a question; `snippet` is its `excerpt` as HTML.
#[derive(Serialize, ToSchema)]
struct ApiPassage {
    #[serde(flatten)]
    hit: PassageHit,
    /// The excerpt as HTML: text escaped, matches in `<b>`.
    snippet: String,
}

/// A search's answer, with each hit's excerpt also as HTML (`snippet`, as published).
#[derive(Serialize, ToSchema)]
struct SearchAnswer {
    rebuilding: bool,
    empty_query: bool,
    total: usize,
    page: u64,
    per_page: u64,
    hits: Vec<ApiHit>,
    facets: Facets,
    relaxed: bool,
    did_you_mean: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct ApiHit {
    #[serde(flatten)]
    hit: Hit,
    /// The excerpt as HTML: text escaped, matches in `<b>`.
    snippet: String,
}

impl From<SearchOutcome> for SearchAnswer {
    fn from(o: SearchOutcome) -> Self {
        SearchAnswer {
            rebuilding: o.rebuilding,
            empty_query: o.empty_query,
            total: o.total,
            page: o.page,
            per_page: o.per_page,
            hits: o.hits.into_iter().map(|hit| ApiHit { snippet: marked(&hit.excerpt), hit }).collect(),
            facets: o.facets,
            relaxed: o.relaxed,
            did_you_mean: o.did_you_mean,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct Suggestions {
    suggestions: Vec<Suggestion>,
}

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

#[utoipa::path(get, path = "/v1/orgs", responses((status = 200, description = "机构列表", body = Vec<OrgModel>), Failures), summary = "机构")]
async fn orgs(State(s): State<WebState>) -> WebResult {
    let o = s.app.orgs().await?;
    Ok(Json(o).into_response())
}

#[utoipa::path(get, path = "/v1/search", params(SearchParams), responses((status = 200, description = "命中、分面、放宽检索与相近标题", body = SearchAnswer), Failures), summary = "全文检索")]
async fn search(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<SearchParams>) -> WebResult {
    reader(&c)?;
    let r = s.app.search(&p).await?;
    if r.rebuilding {
        return Err(AppError::Unavailable("搜索索引正在重建，请稍后再试".into()).into());
    }
    Ok(Json(SearchAnswer::from(r)).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PassageQuery {
    q: Option<String>,
    k: Option<u64>,
}

#[utoipa::path(get, path = "/v1/passages", params(PassageQuery), responses((status = 200, description = "条款及出处", body = Passages), Failures), summary = "相关条款：按问题检索文件条款，附出处")]
async fn passages(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<PassageQuery>) -> WebResult {
    reader(&c)?;
    let hits = s.app.passages(p.q.as_deref().unwrap_or(""), p.k.unwrap_or(5)).await?;
    let passages = hits.into_iter().map(|hit| ApiPassage { snippet: marked(&hit.excerpt), hit }).collect();
    Ok(Json(Passages { passages }).into_response())
}

#[utoipa::path(get, path = "/v1/suggest", params(PassageQuery), responses((status = 200, description = "标题包含已输入文字的现行文件", body = Suggestions), Failures), summary = "输入提示")]
async fn suggest(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<PassageQuery>) -> WebResult {
    reader(&c)?;
    let list = s.app.suggest(p.q.as_deref().unwrap_or(""), p.k.unwrap_or(8)).await?;
    Ok(Json(Suggestions { suggestions: list }).into_response())
}
