//! The organisations in the JSON API.

use crate::WebState;
use crate::api::Failures;
use crate::error::WebResult;
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use gongkai_app::orgs::Org;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes with their descriptions.
pub(crate) fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::new().routes(routes!(orgs))
}

#[utoipa::path(get, path = "/v1/orgs", responses((status = 200, description = "机构列表", body = Vec<Org>), Failures), summary = "机构")]
async fn orgs(State(s): State<WebState>) -> WebResult {
    let o = s.app.orgs().await?;
    Ok(Json(o).into_response())
}
