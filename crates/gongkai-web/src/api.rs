//! JSON API under `/api/v1/`. Handlers return [`WebResult`]: every failure, from a bad id
//! in the path to an internal error, is answered as `{"code", "message"}` by the error
//! layer (`crate::error`), never as plain text and never as a 500 for bad input.

use crate::WebState;
use crate::auth::{Caller, same_token};
use crate::error::{ApiJson, ApiQuery, Id, IdPair, WebError, WebResult};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gongkai_app::cases::{CaseInput, CaseView, Suggestion as DisclosureSuggestion};
use gongkai_app::documents::{
    ActionInput, DiffView, DocumentDetail, DocumentInput, DocumentPage, DocumentView, ListParams,
};
use gongkai_app::feed::ChangePage;
use gongkai_app::interpretations::{InterpretationInput, InterpretationView};
use gongkai_app::orgs::Org as OrgModel;
use gongkai_app::requests::{
    AnnualReport, Exchange, Letter, NewRequest, PublicStatus, QueueRow, Receipt, RequestDetail, Review as ReviewModel,
    ReviewInput, StepInput,
};
use gongkai_app::search::{PassageHit, SearchOutcome, SearchParams, Suggestion};
use gongkai_app::{Actor, AppError};
use gongkai_domain::fee::Fee;
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
                .routes(routes!(list, create))
                .routes(routes!(one, update))
                .routes(routes!(action))
                .routes(routes!(revise))
                .routes(routes!(diff))
                .routes(routes!(interpretations, create_interpretation))
                .routes(routes!(interpretation))
                .routes(routes!(interpretation_action))
                .routes(routes!(changes))
                .routes(routes!(search))
                .routes(routes!(passages))
                .routes(routes!(suggest))
                .routes(routes!(request_queue, submit_request))
                .routes(routes!(request_detail))
                .routes(routes!(request_event))
                .routes(routes!(request_fee))
                .routes(routes!(request_review))
                .routes(routes!(publish_case))
                .routes(routes!(export_request))
                .routes(routes!(get_letter, put_letter))
                .routes(routes!(letter_docx))
                .routes(routes!(request_attachment))
                .routes(routes!(import_request))
                .routes(routes!(disclosure_suggestions))
                .routes(routes!(cases))
                .routes(routes!(case))
                .routes(routes!(track_request, track_request_post))
                .routes(routes!(annual_report))
                .routes(routes!(report_figures))
                .routes(routes!(annual_report_docx))
                .routes(routes!(annual_report_xlsx))
                .routes(routes!(orgs)),
        )
        .split_for_parts();
    let doc = std::sync::Arc::new(doc);
    router.route("/api/openapi.json", get(move || async move { Json(doc.as_ref().clone()) }))
}

/// The failures every endpoint may answer with, each as `{code, message}`
/// ([`crate::openapi::ApiError`]); the code tells them apart (`gongkai_app::error`).
struct Failures;

impl utoipa::IntoResponses for Failures {
    fn responses() -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::response::Response>> {
        crate::openapi::failures()
    }
}

/// A file to download (Word, Excel, an applicant's attachment).
struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::openapi::binary()
    }
}

impl ToSchema for Binary {}

/// `{"ok": true}`: done, nothing to show.
#[derive(Serialize, ToSchema)]
struct Done {
    ok: bool,
}

#[derive(Serialize, ToSchema)]
struct InterpretationPage {
    items: Vec<InterpretationView>,
    total: u64,
}

#[derive(Serialize, ToSchema)]
struct Passages {
    passages: Vec<PassageHit>,
}

#[derive(Serialize, ToSchema)]
struct Suggestions {
    suggestions: Vec<Suggestion>,
}

#[derive(Serialize, ToSchema)]
struct QueueItems {
    items: Vec<QueueRow>,
}

#[derive(Serialize, ToSchema)]
struct FeeQuote {
    fee: Fee,
    /// The calculation in words, for the fee notice.
    explain: String,
}

#[derive(Serialize, ToSchema)]
struct DisclosureSuggestions {
    suggestions: Vec<DisclosureSuggestion>,
}

#[derive(Serialize, ToSchema)]
struct CasePage {
    items: Vec<CaseView>,
    total: u64,
    page: u64,
}

/// The imported case's new id and the applicant's fresh query code.
#[derive(Serialize, ToSchema)]
struct Imported {
    id: i64,
    query_code: String,
}

/// An id given in a query parameter (`from`, `to`).
fn query_id(s: &str) -> Result<i64, WebError> {
    s.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| WebError(AppError::BadId(s.chars().take(40).collect())))
}

/// The caller for reads: anonymous is fine, a bad token is not.
fn reader(c: &Caller) -> Result<Option<&Actor>, WebError> {
    if c.bad_token {
        return Err(WebError(AppError::Unauthorized));
    }
    Ok(c.actor.as_ref())
}

/// The caller for writes: a bearer token, or a session with its CSRF token in
/// `X-CSRF-Token`.
fn writer<'a>(c: &'a Caller, headers: &HeaderMap) -> Result<&'a Actor, WebError> {
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
fn staff(c: &Caller) -> Result<&Actor, WebError> {
    reader(c)?.ok_or(WebError(AppError::Unauthorized))
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
    repeals: Option<Vec<i64>>,
}

#[utoipa::path(post, path = "/v1/documents/{id}/actions", params(("id" = i64, Path, description = "编号")), request_body = ActionBody, security(("bearer" = [])), responses((status = 200, description = "新的状态（set_repeals：{\"ok\": true}）", body = DocumentView), Failures), summary = "办理：提交、审核、退回、发布（可定时）、撤回、设置废止")]
async fn action(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(b): ApiJson<ActionBody>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    if b.action == "set_repeals" {
        s.app.set_repeals(actor, id, &b.repeals.unwrap_or_default()).await?;
        return Ok(Json(Done { ok: true }).into_response());
    }
    let d = s
        .app
        .document_action(actor, id, ActionInput { action: b.action, reason: b.reason, publish_at: b.publish_at })
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

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    page: Option<u64>,
    per_page: Option<u64>,
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

#[utoipa::path(get, path = "/v1/orgs", responses((status = 200, description = "机构列表", body = Vec<OrgModel>), Failures), summary = "机构")]
async fn orgs(State(s): State<WebState>) -> WebResult {
    let o = s.app.orgs().await?;
    Ok(Json(o).into_response())
}

#[utoipa::path(get, path = "/v1/search", params(SearchParams), responses((status = 200, description = "命中、分面、放宽检索与相近标题", body = SearchOutcome), Failures), summary = "全文检索")]
async fn search(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<SearchParams>) -> WebResult {
    reader(&c)?;
    let r = s.app.search(&p).await?;
    if r.rebuilding {
        return Err(AppError::Unavailable("搜索索引正在重建，请稍后再试".into()).into());
    }
    Ok(Json(r).into_response())
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
    Ok(Json(Passages { passages: hits }).into_response())
}

#[utoipa::path(get, path = "/v1/suggest", params(PassageQuery), responses((status = 200, description = "标题包含已输入文字的现行文件", body = Suggestions), Failures), summary = "输入提示")]
async fn suggest(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<PassageQuery>) -> WebResult {
    reader(&c)?;
    let list = s.app.suggest(p.q.as_deref().unwrap_or(""), p.k.unwrap_or(8)).await?;
    Ok(Json(Suggestions { suggestions: list }).into_response())
}

/// Public intake; with a staff bearer token, registration of another channel. A browser
/// session is not used here (no CSRF token is asked of the public), so it counts as public.
#[utoipa::path(post, path = "/v1/requests", request_body = NewRequest, params(("Idempotency-Key" = Option<String>, Header, description = "同一键的申请只受理一次")), responses((status = 201, description = "受理编号、查询码（只显示一次）与答复期限的逐日计算", body = Receipt), Failures), summary = "提交政府信息公开申请（公众无需登录；持令牌的工作人员可登记当面、邮寄、传真申请及收到日期）")]
async fn submit_request(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    ApiJson(mut input): ApiJson<NewRequest>,
) -> WebResult {
    let actor = reader(&c)?.filter(|_| c.via_token);
    if let Some(k) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        input.idempotency_key = Some(k.chars().take(128).collect());
    }
    let r = s.app.submit_request(actor, input).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
struct TrackQuery {
    tracking_no: Option<String>,
    query_code: Option<String>,
}

/// Tracking with the query code in the body, out of URLs and access logs.
#[utoipa::path(post, path = "/v1/requests/track", request_body = TrackQuery, responses((status = 200, description = "机关、收到日期、答复期限、状态与办理记录", body = PublicStatus), Failures), summary = "查询办理进度（查询码在请求体中，不进入地址和访问日志）")]
async fn track_request_post(State(s): State<WebState>, ApiJson(p): ApiJson<TrackQuery>) -> WebResult {
    let v = s.app.track_request(p.tracking_no.as_deref().unwrap_or(""), p.query_code.as_deref().unwrap_or("")).await?;
    Ok(Json(v).into_response())
}

#[utoipa::path(get, path = "/v1/requests/track", params(TrackQuery), responses((status = 200, description = "机关、收到日期、答复期限、状态与办理记录", body = PublicStatus), Failures), summary = "按受理编号和查询码查询办理进度（不含个人信息）")]
async fn track_request(State(s): State<WebState>, ApiQuery(p): ApiQuery<TrackQuery>) -> WebResult {
    let v = s.app.track_request(p.tracking_no.as_deref().unwrap_or(""), p.query_code.as_deref().unwrap_or("")).await?;
    Ok(Json(v).into_response())
}

#[utoipa::path(get, path = "/v1/requests", security(("bearer" = [])), responses((status = 200, description = "未办结申请，按答复期限排序", body = QueueItems), Failures), summary = "督办队列：剩余5、3、1个工作日预警，逾期标注；公开办可见全部机关")]
async fn request_queue(State(s): State<WebState>, c: Caller) -> WebResult {
    let actor = staff(&c)?;
    let rows = s.app.request_queue(actor).await?;
    Ok(Json(QueueItems { items: rows }).into_response())
}

#[utoipa::path(get, path = "/v1/requests/{id}", params(("id" = i64, Path, description = "编号")), security(("bearer" = [])), responses((status = 200, description = "申请人信息、办理记录、答复期限的逐日计算、暂停原因与其他期限", body = RequestDetail), Failures), summary = "申请详情（工作人员）")]
async fn request_detail(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let actor = staff(&c)?;
    let d = s.app.request_detail(actor, id).await?;
    Ok(Json(d).into_response())
}

#[utoipa::path(post, path = "/v1/requests/{id}/events", params(("id" = i64, Path, description = "编号")), request_body = StepInput, security(("bearer" = [])), responses((status = 201, description = "更新后的申请详情；不符合条例的环节以其规则代码拒绝（如 clarification_twice、extension_over_cap、decision_without_basis）", body = RequestDetail), Failures), summary = "登记办理环节（按条例逐项校验，状态与答复期限由办理记录重新计算）")]
async fn request_event(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<StepInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let d = s.app.record_request_event(actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    year: Option<i32>,
    org: Option<i64>,
}

#[utoipa::path(get, path = "/v1/reports/annual", params(ReportQuery), security(("bearer" = [])), responses((status = 200, description = "第二、三、四部分及勾稽校验", body = AnnualReport), Failures), summary = "政府信息公开工作年度报告（2021年格式）")]
async fn annual_report(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<ReportQuery>) -> WebResult {
    let actor = staff(&c)?;
    let Some(year) = p.year else {
        return Err(AppError::field("year", "请指定年份").into());
    };
    let r = s.app.annual_report(actor, year, p.org).await?;
    Ok(Json(r).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FeeQuery {
    basis: Option<String>,
    pages: Option<u32>,
}

#[utoipa::path(get, path = "/v1/requests/{id}/fee", params(("id" = i64, Path, description = "编号"), FeeQuery), security(("bearer" = [])), responses((status = 200, description = "分档计算与说明", body = FeeQuote), Failures), summary = "信息处理费测算（国办函〔2020〕109号）")]
async fn request_fee(State(s): State<WebState>, c: Caller, Id(id): Id, ApiQuery(p): ApiQuery<FeeQuery>) -> WebResult {
    let actor = staff(&c)?;
    let f = s.app.fee_quote(actor, id, p.basis.as_deref().unwrap_or(""), p.pages).await?;
    let explain = f.explain();
    Ok(Json(FeeQuote { fee: f, explain }).into_response())
}

#[utoipa::path(post, path = "/v1/requests/{id}/reviews", params(("id" = i64, Path, description = "编号")), request_body = ReviewInput, security(("bearer" = [])), responses((status = 201, description = "已登记", body = ReviewModel), Failures), summary = "登记行政复议、行政诉讼及其结果，计入年度报告第四部分")]
async fn request_review(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<ReviewInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let r = s.app.record_review(actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(post, path = "/v1/requests/{id}/case", params(("id" = i64, Path, description = "编号")), request_body = CaseInput, security(("bearer" = [])), responses((status = 201, description = "案例", body = CaseView), Failures), summary = "把已答复的申请编入案例库（含申请人个人信息的将被拒绝）")]
async fn publish_case(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<CaseInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let v = s.app.publish_case(actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[utoipa::path(get, path = "/v1/requests/suggestions", security(("bearer" = [])), responses((status = 200, description = "近12个月内同一机关收到的内容相近的多件申请", body = DisclosureSuggestions), Failures), summary = "依申请转主动建议")]
async fn disclosure_suggestions(State(s): State<WebState>, c: Caller) -> WebResult {
    let actor = staff(&c)?;
    let v = s.app.disclosure_suggestions(actor).await?;
    Ok(Json(DisclosureSuggestions { suggestions: v }).into_response())
}

#[utoipa::path(get, path = "/v1/cases", params(PageQuery), responses((status = 200, description = "一页案例", body = CasePage), Failures), summary = "依申请公开案例库（不含申请人信息）")]
async fn cases(State(s): State<WebState>, ApiQuery(p): ApiQuery<PageQuery>) -> WebResult {
    let page = p.page.unwrap_or(1).clamp(1, 10_000);
    let per_page = p.per_page.unwrap_or(20).clamp(1, 50);
    let (items, total) = s.app.cases(page, per_page).await?;
    Ok(Json(CasePage { items, total, page }).into_response())
}

#[utoipa::path(get, path = "/v1/cases/{id}", params(("id" = i64, Path, description = "编号")), responses((status = 200, description = "案例", body = CaseView), Failures), summary = "案例详情")]
async fn case(State(s): State<WebState>, Id(id): Id) -> WebResult {
    let v = s.app.case(id).await?;
    Ok(Json(v).into_response())
}

#[utoipa::path(get, path = "/v1/requests/{id}/export", params(("id" = i64, Path, description = "编号")), security(("bearer" = [])), responses((status = 200, description = "市级平台交换格式（gongkai.request.v3）", body = Exchange), Failures), summary = "导出整件申请（含申请人信息，仅限工作人员，记入审计）")]
async fn export_request(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let actor = staff(&c)?;
    let x = s.app.export_request(actor, id).await?;
    Ok(Json(x).into_response())
}

#[utoipa::path(post, path = "/v1/requests/import", request_body = Exchange, security(("bearer" = [])), responses((status = 201, description = "新的编号与查询码", body = Imported), Failures), summary = "导入市级平台转来的整件申请（公开办；v2、v3 均可）")]
async fn import_request(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Exchange>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let (id, query_code) = s.app.import_request(actor, input).await?;
    Ok((StatusCode::CREATED, Json(Imported { id, query_code })).into_response())
}

#[utoipa::path(get, path = "/v1/requests/{id}/letter", params(("id" = i64, Path, description = "编号")), security(("bearer" = [])), responses((status = 200, description = "答复书", body = Letter), Failures), summary = "答复书：按答复结果生成的草稿，或已保存的修改稿")]
async fn get_letter(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let actor = staff(&c)?;
    Ok(Json(s.app.reply_letter(actor, id).await?).into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
struct LetterBody {
    text: String,
}

#[utoipa::path(put, path = "/v1/requests/{id}/letter", params(("id" = i64, Path, description = "编号")), request_body = LetterBody, security(("bearer" = [])), responses((status = 200, description = "保存后的答复书", body = Letter), Failures), summary = "保存修改后的答复书（送达后不能再改）")]
async fn put_letter(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<LetterBody>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let l = s.app.save_letter(actor, id, &input.text).await?;
    Ok(Json(l).into_response())
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download under `name`; never kept by a shared cache (it may name people).
fn download(mime: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, mime.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (axum::http::header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(get, path = "/v1/requests/{id}/letter.docx", params(("id" = i64, Path, description = "编号")), security(("bearer" = [])), responses((status = 200, description = "Word 文档", body = Binary, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), Failures), summary = "下载答复书（.docx）")]
async fn letter_docx(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let actor = staff(&c)?;
    let letter = s.app.reply_letter(actor, id).await?;
    let bytes = gongkai_app::office::letter_docx(&letter.text)?;
    Ok(download(DOCX, &format!("letter-{id}.docx"), bytes))
}

/// A file the applicant sent: staff only, never cached by a shared cache.
#[utoipa::path(get, path = "/v1/requests/{id}/attachments/{aid}", params(("id" = i64, Path, description = "编号"), ("aid" = i64, Path, description = "附件编号")), security(("bearer" = [])), responses((status = 200, description = "申请人提交的文件", body = Binary, content_type = "application/octet-stream"), Failures), summary = "下载申请人提交的附件（仅限办理机关和公开办）")]
async fn request_attachment(State(s): State<WebState>, c: Caller, IdPair(id, aid): IdPair) -> WebResult {
    let actor = staff(&c)?;
    let d = s.app.request_attachment(actor, id, aid).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, d.content_type),
            (axum::http::header::CONTENT_DISPOSITION, crate::views::attachment_disposition(&d.file_name)),
            (axum::http::header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        d.content,
    )
        .into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
struct FiguresBody {
    year: i32,
    org: Option<i64>,
    #[serde(flatten)]
    figures: gongkai_domain::report::EnteredFigures,
}

#[utoipa::path(put, path = "/v1/reports/annual/figures", request_body = FiguresBody, security(("bearer" = [])), responses((status = 204, description = "已保存"), Failures), summary = "填报年度报告第二部分中文件库以外的数据")]
async fn report_figures(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    ApiJson(b): ApiJson<FiguresBody>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    s.app.enter_report_figures(actor, b.year, b.org, b.figures).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn annual_report_file(s: &WebState, c: &Caller, p: ReportQuery, xlsx: bool) -> WebResult {
    let actor = staff(c)?;
    let Some(year) = p.year else {
        return Err(AppError::field("year", "请指定年份").into());
    };
    let r = s.app.annual_report(actor, year, p.org).await?;
    Ok(if xlsx {
        download(XLSX, &format!("annual-report-{year}.xlsx"), r.xlsx()?)
    } else {
        download(DOCX, &format!("annual-report-{year}.docx"), r.docx()?)
    })
}

#[utoipa::path(get, path = "/v1/reports/annual.docx", params(ReportQuery), security(("bearer" = [])), responses((status = 200, description = ".docx", body = Binary, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), Failures), summary = "年度报告统计表导出为 Word")]
async fn annual_report_docx(State(s): State<WebState>, c: Caller, ApiQuery(q): ApiQuery<ReportQuery>) -> WebResult {
    annual_report_file(&s, &c, q, false).await
}

#[utoipa::path(get, path = "/v1/reports/annual.xlsx", params(ReportQuery), security(("bearer" = [])), responses((status = 200, description = ".xlsx", body = Binary, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), Failures), summary = "年度报告统计表导出为 Excel（每部分一个工作表）")]
async fn annual_report_xlsx(State(s): State<WebState>, c: Caller, ApiQuery(q): ApiQuery<ReportQuery>) -> WebResult {
    annual_report_file(&s, &c, q, true).await
}
