//! The hotline's knowledge base in the JSON API: published entries for anyone, writing and
//! review for staff.

use crate::WebState;
use crate::api::{Failures, reader, writer};
use crate::auth::Caller;
use crate::error::{ApiJson, Id, WebResult};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use gongkai_app::faq::{FaqForm, FaqView};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(one)).routes(routes!(publish))
}

#[derive(Serialize, ToSchema)]
struct Entries {
    entries: Vec<FaqView>,
}

#[utoipa::path(get, path = "/v1/faq", responses((status = 200, description = "已发布的热线问答", body = Entries), Failures), summary = "12345热线问答")]
async fn list(State(s): State<WebState>, c: Caller) -> WebResult {
    reader(&c)?;
    Ok(Json(Entries { entries: s.app.faq_public_list().await? }).into_response())
}

#[utoipa::path(get, path = "/v1/faq/{id}", params(("id" = i64, Path)), responses((status = 200, description = "一条已发布的热线问答及其依据", body = FaqView), Failures), summary = "一条热线问答")]
async fn one(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    reader(&c)?;
    Ok(Json(s.app.faq_public(id).await?).into_response())
}

#[utoipa::path(post, path = "/v1/faq", request_body = FaqForm, responses((status = 201, description = "已保存，待审核", body = FaqView), Failures), summary = "编写热线问答", security(("bearer" = [])))]
async fn create(State(s): State<WebState>, c: Caller, headers: HeaderMap, ApiJson(f): ApiJson<FaqForm>) -> WebResult {
    let actor = writer(&c, &headers)?;
    let v = s.app.faq_create(actor, &f, "hotline").await?;
    Ok((axum::http::StatusCode::CREATED, Json(v)).into_response())
}

#[derive(serde::Deserialize, Default, ToSchema)]
struct PublishBody {}

#[utoipa::path(post, path = "/v1/faq/{id}/publish", params(("id" = i64, Path)), request_body = PublishBody, responses((status = 200, description = "已发布", body = FaqView), Failures), summary = "审核并发布热线问答（不能由编写人审核）", security(("bearer" = [])))]
async fn publish(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(_body): ApiJson<PublishBody>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    Ok(Json(s.app.faq_publish(actor, id).await?).into_response())
}
