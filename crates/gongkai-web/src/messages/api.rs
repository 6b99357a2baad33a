//! 咨询建言 and 领导信箱 in the JSON API: writing and following a message (public), the
//! published ones, and the body's inbox with its answers and forwarding (staff).

use crate::WebState;
use crate::api::{Failures, staff, writer};
use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, Id, WebResult};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use gongkai_app::AppError;
use gongkai_app::messages::{
    MessageAnswer, MessageReceipt, MessageSummary, NewMessage, PublicMessage, StaffMessage, TrackedMessage,
};
use gongkai_domain::message::MessageCategory;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(submit, published))
        .routes(routes!(published_one))
        .routes(routes!(track))
        .routes(routes!(inbox))
        .routes(routes!(answer))
        .routes(routes!(forward))
        .routes(routes!(reject))
}

#[utoipa::path(post, path = "/v1/messages", request_body = NewMessage, responses((status = 201, description = "已受理：留言编号、查询码（只返回这一次）、承办单位和办理期限", body = MessageReceipt), Failures), summary = "咨询建言 · 领导信箱：写信")]
async fn submit(State(s): State<WebState>, ApiJson(m): ApiJson<NewMessage>) -> WebResult {
    let r = s.app.submit_message(m).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PublishedQuery {
    /// policy, service, business, suggestion, other
    category: Option<String>,
    page: Option<u64>,
}

#[utoipa::path(get, path = "/v1/messages", params(PublishedQuery), responses((status = 200, description = "公开的留言和答复（不含姓名和联系方式），最新答复的在前，每页20条", body = Vec<PublicMessage>), Failures), summary = "互动交流：公开的留言")]
async fn published(State(s): State<WebState>, ApiQuery(q): ApiQuery<PublishedQuery>) -> WebResult {
    let category =
        match q.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(MessageCategory::parse(c).ok_or_else(|| {
                AppError::field("category", "类别应为 policy、service、business、suggestion 或 other")
            })?),
            None => None,
        };
    let (rows, _) = s.app.published_messages(category, q.page.unwrap_or(1).clamp(1, 500), 20).await?;
    Ok(Json(rows).into_response())
}

#[utoipa::path(get, path = "/v1/messages/{id}", params(("id" = i64, Path, description = "编号")), responses((status = 200, description = "一条公开的留言和答复", body = PublicMessage), Failures), summary = "互动交流：一条公开的留言")]
async fn published_one(State(s): State<WebState>, Id(id): Id) -> WebResult {
    Ok(Json(s.app.published_message(id).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct TrackBody {
    reference: String,
    query_code: String,
}

#[utoipa::path(post, path = "/v1/messages/track", request_body = TrackBody, responses((status = 200, description = "留言的办理情况和答复（含未公开的答复）", body = TrackedMessage), Failures), summary = "留言查询：凭留言编号和查询码")]
async fn track(State(s): State<WebState>, ApiJson(b): ApiJson<TrackBody>) -> WebResult {
    Ok(Json(s.app.track_message(&b.reference, &b.query_code).await?).into_response())
}

/// The inbox and its figures.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Inbox {
    summary: MessageSummary,
    messages: Vec<StaffMessage>,
}

#[utoipa::path(get, path = "/v1/messages/inbox", security(("bearer" = [])), responses((status = 200, description = "本单位办理的留言（公开办为全部），临近三个月的在前，以及办理情况", body = Inbox), Failures), summary = "留言办理：收件箱")]
async fn inbox(State(s): State<WebState>, c: Caller) -> WebResult {
    let actor = staff(&c)?;
    let messages = s.app.message_inbox(actor).await?;
    let summary = s.app.message_summary(actor).await?;
    Ok(Json(Inbox { summary, messages }).into_response())
}

#[utoipa::path(post, path = "/v1/messages/{id}/answer", params(("id" = i64, Path, description = "编号")), request_body = MessageAnswer, security(("bearer" = [])), responses((status = 200, description = "答复后的留言", body = StaffMessage), Failures), summary = "留言办理：答复（留言人同意的可公开）")]
async fn answer(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(a): ApiJson<MessageAnswer>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    Ok(Json(s.app.answer_message(actor, id, a).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ForwardBody {
    org_id: i64,
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/v1/messages/{id}/forward", params(("id" = i64, Path, description = "编号")), request_body = ForwardBody, security(("bearer" = [])), responses((status = 200, description = "转办后的留言", body = StaffMessage), Failures), summary = "留言办理：转办（公开办转交任一单位，单位退回公开办）")]
async fn forward(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(b): ApiJson<ForwardBody>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    Ok(Json(s.app.forward_message(actor, id, b.org_id, &b.note).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct RejectBody {
    /// duplicate, no_content, petition, accusation, improper
    reason: String,
}

#[utoipa::path(post, path = "/v1/messages/{id}/reject", params(("id" = i64, Path, description = "编号")), request_body = RejectBody, security(("bearer" = [])), responses((status = 200, description = "不予受理的留言", body = StaffMessage), Failures), summary = "留言办理：不予受理（审核人员）")]
async fn reject(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(b): ApiJson<RejectBody>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    Ok(Json(s.app.reject_message(actor, id, &b.reason).await?).into_response())
}
