//! Patrol findings in the JSON API, personal data masked.

use crate::WebState;
use crate::api::{Failures, staff};
use crate::auth::Caller;
use crate::error::WebResult;
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use gongkai_app::patrol::FindingView;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::new().routes(routes!(findings))
}

#[utoipa::path(get, path = "/v1/patrol/findings", security(("bearer" = [])), responses((status = 200, description = "巡查发现的问题，个人信息已去标识化，按风险高低排列", body = Vec<FindingView>), Failures), summary = "内容巡查：个人信息、发文字号、严重表述错误")]
async fn findings(State(s): State<WebState>, c: Caller) -> WebResult {
    let actor = staff(&c)?;
    Ok(Json(s.app.patrol(actor).await?).into_response())
}
