//! The JSON API of search: hits with facets, article passages for a question, title
//! suggestions.

use crate::WebState;
use crate::api::{Failures, reader};
use crate::auth::Caller;
use crate::error::{ApiQuery, WebResult};
use crate::views::marked;
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use gongkai_app::AppError;
use gongkai_app::search::{Facets, Hit, PassageHit, SearchOutcome, SearchParams, Suggestion};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes with their descriptions.
pub(crate) fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::new().routes(routes!(search)).routes(routes!(passages)).routes(routes!(suggest))
}

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
