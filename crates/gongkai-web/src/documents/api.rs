//! The JSON API of the document library: documents and their workflow, revisions and
//! diffs, interpretations and their review, and the changes feed other libraries pull.

use crate::WebState;
use crate::api::{Failures, PageQuery, query_id, reader, writer};
use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, Id, WebResult};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use gongkai_app::AppError;
use gongkai_app::documents::{
    ActionInput, DiffView, DocumentDetail, DocumentInput, DocumentPage, DocumentView, ListParams,
};
use gongkai_app::feed::ChangePage;
use gongkai_app::interpretations::{InterpretationInput, InterpretationView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes with their descriptions.
pub(crate) fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one, update))
        .routes(routes!(action))
        .routes(routes!(revise))
        .routes(routes!(diff))
        .routes(routes!(interpretations, create_interpretation))
        .routes(routes!(interpretation))
        .routes(routes!(interpretation_action))
        .routes(routes!(changes))
        .routes(routes!(withhold_attachment))
}

/// `{"ok": true}`: done, nothing to show.
#[derive(Serialize, ToSchema)]
struct Done {
    ok: bool,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
struct WithholdBody {
    /// Why (kept in the audit log): the finding or the report that showed it
    note: String,
}

#[utoipa::path(post, path = "/v1/attachments/{id}/withhold", params(("id" = i64, Path, description = "附件编号")), request_body = WithholdBody, security(("bearer" = [])), responses((status = 200, description = "已暂停公开：公众下载时看到暂停公开的说明，检索和巡查不再包含其内容", body = Done), Failures), summary = "暂停公开含有个人信息的附件（审核人员）")]
async fn withhold_attachment(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(b): ApiJson<WithholdBody>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    s.app.withhold_attachment(actor, id, &b.note).await?;
    Ok(Json(Done { ok: true }).into_response())
}

#[derive(Serialize, ToSchema)]
struct InterpretationPage {
    items: Vec<InterpretationView>,
    total: u64,
}

#[utoipa::path(get, path = "/v1/documents", params(ListParams), responses((status = 200, description = "一页文件", body = DocumentPage), Failures), summary = "文件列表（筛选、分页）")]
async fn list(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<ListParams>) -> WebResult {
    let viewer = reader(&c)?;
    let page = s.app.list_documents(viewer, &p).await?;
    Ok(Json(page).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OneQuery {
    as_of: Option<String>,
}

#[utoipa::path(get, path = "/v1/documents/{id}", params(("id" = i64, Path, description = "编号"), OneQuery), responses((status = 200, description = "文件，含历次版本、解读和附件", body = DocumentDetail), Failures), summary = "文件详情")]
async fn one(State(s): State<WebState>, c: Caller, Id(id): Id, ApiQuery(q): ApiQuery<OneQuery>) -> WebResult {
    let viewer = reader(&c)?;
    let mut errs = Vec::new();
    let as_of = gongkai_app::documents::parse_date("as_of", "as_of", &q.as_of, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Validation(errs).into());
    }
    let d = s.app.document_detail(viewer, id, as_of).await?;
    Ok(Json(d).into_response())
}

#[utoipa::path(post, path = "/v1/documents", request_body = DocumentInput, security(("bearer" = [])), responses((status = 201, description = "已创建草稿", body = DocumentView), Failures), summary = "起草文件")]
async fn create(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<DocumentInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let d = s.app.create_document(actor, input).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(put, path = "/v1/documents/{id}", params(("id" = i64, Path, description = "编号")), request_body = DocumentInput, security(("bearer" = [])), responses((status = 200, description = "已保存", body = DocumentView), Failures), summary = "修改草稿")]
async fn update(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<DocumentInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let d = s.app.update_document(actor, id, input).await?;
    Ok(Json(d).into_response())
}

#[utoipa::path(post, path = "/v1/documents/{id}/revisions", params(("id" = i64, Path, description = "编号")), request_body = DocumentInput, security(("bearer" = [])), responses((status = 201, description = "新版本草稿", body = DocumentView), Failures), summary = "修订：以已发布版本为基础生成新版本草稿")]
async fn revise(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<DocumentInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let d = s.app.revise_document(actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ActionBody {
    action: String,
    reason: Option<String>,
    publish_at: Option<String>,
    /// Publish despite personal data found by the pre-publication check, and why.
    patrol_override: Option<String>,
    repeals: Option<Vec<i64>>,
}

#[utoipa::path(post, path = "/v1/documents/{id}/actions", params(("id" = i64, Path, description = "编号")), request_body = ActionBody, security(("bearer" = [])), responses((status = 200, description = "新的状态（set_repeals：{\"ok\": true}；mask_personal：去标识化的各处）", body = DocumentView), Failures), summary = "办理：提交、审核、退回、发布（可定时）、撤回、设置废止、去标识化（mask_personal）")]
async fn action(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(b): ApiJson<ActionBody>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    if b.action == "mask_personal" {
        return Ok(Json(s.app.mask_document(actor, id).await?).into_response());
    }
    if b.action == "set_repeals" {
        s.app.set_repeals(actor, id, &b.repeals.unwrap_or_default()).await?;
        return Ok(Json(Done { ok: true }).into_response());
    }
    let d = s
        .app
        .document_action(
            actor,
            id,
            ActionInput {
                action: b.action,
                reason: b.reason,
                publish_at: b.publish_at,
                patrol_override: b.patrol_override,
            },
        )
        .await?;
    Ok(Json(d).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

#[utoipa::path(get, path = "/v1/documents/{id}/diff", params(("id" = i64, Path, description = "编号"), DiffQuery), responses((status = 200, description = "差异（句、字两级）", body = DiffView), Failures), summary = "两个版本的差异")]
async fn diff(State(s): State<WebState>, c: Caller, Id(id): Id, ApiQuery(q): ApiQuery<DiffQuery>) -> WebResult {
    let viewer = reader(&c)?;
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(AppError::field("from", "请用 from 和 to 指定要比较的两个版本编号").into());
    };
    let (from, to) = (query_id(&from)?, query_id(&to)?);
    let d = s.app.document_diff(viewer, id, from, to).await?;
    Ok(Json(d).into_response())
}

#[utoipa::path(get, path = "/v1/interpretations", params(PageQuery), responses((status = 200, description = "解读", body = InterpretationPage), Failures), summary = "政策解读列表")]
async fn interpretations(State(s): State<WebState>, c: Caller, ApiQuery(q): ApiQuery<PageQuery>) -> WebResult {
    let viewer = reader(&c)?;
    let per_page = q.per_page.unwrap_or(20).clamp(1, 100);
    let (items, total) = s.app.interpretations(viewer, q.page.unwrap_or(1).max(1), per_page).await?;
    Ok(Json(InterpretationPage { items, total }).into_response())
}

#[utoipa::path(get, path = "/v1/interpretations/{id}", params(("id" = i64, Path, description = "编号")), responses((status = 200, description = "解读", body = InterpretationView), Failures), summary = "解读详情")]
async fn interpretation(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let viewer = reader(&c)?;
    let i = s.app.interpretation(viewer, id).await?;
    Ok(Json(i).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct InterpretationActionBody {
    action: String,
    reason: Option<String>,
}

#[utoipa::path(post, path = "/v1/interpretations/{id}/actions", params(("id" = i64, Path, description = "编号")), request_body = InterpretationActionBody, security(("bearer" = [])), responses((status = 200, description = "解读的新状态", body = InterpretationView), Failures), summary = "解读审核：提交、审核通过（四眼原则）、退回（须写原因）")]
async fn interpretation_action(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(b): ApiJson<InterpretationActionBody>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let i = s.app.interpretation_action(actor, id, &b.action, b.reason.as_deref()).await?;
    Ok(Json(i).into_response())
}

#[utoipa::path(post, path = "/v1/interpretations", request_body = InterpretationInput, security(("bearer" = [])), responses((status = 201, description = "已添加", body = InterpretationView), Failures), summary = "添加解读")]
async fn create_interpretation(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<InterpretationInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let i = s.app.create_interpretation(actor, input).await?;
    Ok((StatusCode::CREATED, Json(i)).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ChangesQuery {
    since: Option<i64>,
    limit: Option<u64>,
}

#[utoipa::path(get, path = "/v1/changes", params(ChangesQuery), responses((status = 200, description = "一页变更，含 next_cursor 和 has_more", body = ChangePage), Failures), summary = "变更订阅：按提交顺序列出新发布、修改和撤回的记录")]
async fn changes(State(s): State<WebState>, c: Caller, ApiQuery(q): ApiQuery<ChangesQuery>) -> WebResult {
    reader(&c)?;
    if q.since.is_some_and(|s| s < 0) {
        return Err(AppError::field("since", "since 应为非负整数游标").into());
    }
    let p = s.app.changes(q.since.unwrap_or(0), q.limit.unwrap_or(100)).await?;
    Ok(Json(p).into_response())
}
