//! The JSON API of requests for disclosure: intake, tracking, the supervision queue,
//! handling steps, fees, the reply letter, reconsideration and litigation, the case
//! library, the exchange with the city platform and the annual report. Registered in one
//! line of `crate::api::routes` through [`crate::requests::api`].

use crate::WebState;
use crate::api::{Binary, Failures, PageQuery, reader, staff, writer};
use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, Id, IdPair, WebResult};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gongkai_app::AppError;
use gongkai_app::requests::cases::{CaseInput, CaseView, Suggestion as DisclosureSuggestion};
use gongkai_app::requests::{
    AnnualReport, Exchange, Letter, NewRequest, PublicStatus, QueueRow, Receipt, RequestDetail, ReviewInput,
    ReviewView, StepInput,
};
use gongkai_domain::fee::Fee;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes with their descriptions.
pub(crate) fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(request_queue, submit_request))
        .routes(routes!(request_detail))
        .routes(routes!(request_step))
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

#[utoipa::path(post, path = "/v1/requests/{id}/events", operation_id = "request_event", params(("id" = i64, Path, description = "编号")), request_body = StepInput, security(("bearer" = [])), responses((status = 201, description = "更新后的申请详情；不符合条例的环节以其规则代码拒绝（如 clarification_twice、extension_over_cap、decision_without_basis）", body = RequestDetail), Failures), summary = "登记办理环节（按条例逐项校验，状态与答复期限由办理记录重新计算）")]
async fn request_step(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<StepInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let d = s.app.record_request_step(actor, id, input).await?;
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

#[utoipa::path(post, path = "/v1/requests/{id}/reviews", params(("id" = i64, Path, description = "编号")), request_body = ReviewInput, security(("bearer" = [])), responses((status = 201, description = "已登记", body = ReviewView), Failures), summary = "登记行政复议、行政诉讼及其结果，计入年度报告第四部分")]
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
