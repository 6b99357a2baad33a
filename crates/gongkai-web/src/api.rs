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
use gongkai_app::documents::{ActionInput, DocumentInput, ListParams};
use gongkai_app::interpretations::InterpretationInput;
use gongkai_app::{Actor, AppError};
use serde::Deserialize;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(crate::openapi::document()) }))
        .route("/v1/documents", get(list).post(create))
        .route("/v1/documents/{id}", get(one).put(update))
        .route("/v1/documents/{id}/actions", axum::routing::post(action))
        .route("/v1/documents/{id}/revisions", axum::routing::post(revise))
        .route("/v1/documents/{id}/diff", get(diff))
        .route("/v1/interpretations", get(interpretations).post(create_interpretation))
        .route("/v1/interpretations/{id}", get(interpretation))
        .route("/v1/interpretations/{id}/actions", axum::routing::post(interpretation_action))
        .route("/v1/changes", get(changes))
        .route("/v1/search", get(search))
        .route("/v1/passages", get(passages))
        .route("/v1/suggest", get(suggest))
        .route("/v1/requests", get(request_queue).post(submit_request))
        .route("/v1/requests/{id}", get(request_detail))
        .route("/v1/requests/{id}/events", axum::routing::post(request_event))
        .route("/v1/requests/{id}/fee", get(request_fee))
        .route("/v1/requests/{id}/reviews", axum::routing::post(request_review))
        .route("/v1/requests/{id}/case", axum::routing::post(publish_case))
        .route("/v1/requests/{id}/export", get(export_request))
        .route("/v1/requests/{id}/letter", get(get_letter).put(put_letter))
        .route("/v1/requests/{id}/letter.docx", get(letter_docx))
        .route("/v1/requests/{id}/attachments/{aid}", get(request_attachment))
        .route("/v1/requests/import", axum::routing::post(import_request))
        .route("/v1/requests/suggestions", get(disclosure_suggestions))
        .route("/v1/cases", get(cases))
        .route("/v1/cases/{id}", get(case))
        .route("/v1/requests/track", get(track_request).post(track_request_post))
        .route("/v1/reports/annual", get(annual_report))
        .route("/v1/reports/annual/figures", axum::routing::put(report_figures))
        .route("/v1/reports/annual.docx", get(annual_report_docx))
        .route("/v1/reports/annual.xlsx", get(annual_report_xlsx))
        .route("/v1/orgs", get(orgs))
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

async fn list(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<ListParams>) -> WebResult {
    let viewer = reader(&c)?;
    let page = s.app.list_documents(viewer, &p).await?;
    Ok(Json(page).into_response())
}

#[derive(Deserialize, Default)]
struct OneQuery {
    as_of: Option<String>,
}

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

#[derive(Deserialize)]
struct ActionBody {
    action: String,
    reason: Option<String>,
    publish_at: Option<String>,
    repeals: Option<Vec<i64>>,
}

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
        return Ok(Json(serde_json::json!({"ok": true})).into_response());
    }
    let d = s
        .app
        .document_action(actor, id, ActionInput { action: b.action, reason: b.reason, publish_at: b.publish_at })
        .await?;
    Ok(Json(d).into_response())
}

#[derive(Deserialize, Default)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff(State(s): State<WebState>, c: Caller, Id(id): Id, ApiQuery(q): ApiQuery<DiffQuery>) -> WebResult {
    let viewer = reader(&c)?;
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(AppError::field("from", "请用 from 和 to 指定要比较的两个版本编号").into());
    };
    let (from, to) = (query_id(&from)?, query_id(&to)?);
    let d = s.app.document_diff(viewer, id, from, to).await?;
    Ok(Json(d).into_response())
}

#[derive(Deserialize, Default)]
struct PageQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn interpretations(State(s): State<WebState>, c: Caller, ApiQuery(q): ApiQuery<PageQuery>) -> WebResult {
    let viewer = reader(&c)?;
    let per_page = q.per_page.unwrap_or(20).clamp(1, 100);
    let (items, total) = s.app.interpretations(viewer, q.page.unwrap_or(1).max(1), per_page).await?;
    Ok(Json(serde_json::json!({"items": items, "total": total})).into_response())
}

async fn interpretation(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let viewer = reader(&c)?;
    let i = s.app.interpretation(viewer, id).await?;
    Ok(Json(i).into_response())
}

#[derive(Deserialize)]
struct InterpretationActionBody {
    action: String,
    reason: Option<String>,
}

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

#[derive(Deserialize, Default)]
struct ChangesQuery {
    since: Option<i64>,
    limit: Option<u64>,
}

async fn changes(State(s): State<WebState>, c: Caller, ApiQuery(q): ApiQuery<ChangesQuery>) -> WebResult {
    reader(&c)?;
    if q.since.is_some_and(|s| s < 0) {
        return Err(AppError::field("since", "since 应为非负整数游标").into());
    }
    let p = s.app.changes(q.since.unwrap_or(0), q.limit.unwrap_or(100)).await?;
    Ok(Json(p).into_response())
}

async fn orgs(State(s): State<WebState>) -> WebResult {
    let o = s.app.orgs().await?;
    Ok(Json(o).into_response())
}

async fn search(
    State(s): State<WebState>,
    c: Caller,
    ApiQuery(p): ApiQuery<gongkai_app::search::SearchParams>,
) -> WebResult {
    reader(&c)?;
    let r = s.app.search(&p).await?;
    if r.rebuilding {
        return Err(AppError::Unavailable("搜索索引正在重建，请稍后再试".into()).into());
    }
    Ok(Json(r).into_response())
}

#[derive(Deserialize, Default)]
struct PassageQuery {
    q: Option<String>,
    k: Option<u64>,
}

async fn passages(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<PassageQuery>) -> WebResult {
    reader(&c)?;
    let hits = s.app.passages(p.q.as_deref().unwrap_or(""), p.k.unwrap_or(5)).await?;
    Ok(Json(serde_json::json!({ "passages": hits })).into_response())
}

async fn suggest(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<PassageQuery>) -> WebResult {
    reader(&c)?;
    let list = s.app.suggest(p.q.as_deref().unwrap_or(""), p.k.unwrap_or(8)).await?;
    Ok(Json(serde_json::json!({ "suggestions": list })).into_response())
}

/// Public intake; with a staff bearer token, registration of another channel. A browser
/// session is not used here (no CSRF token is asked of the public), so it counts as public.
async fn submit_request(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    ApiJson(mut input): ApiJson<gongkai_app::requests::NewRequest>,
) -> WebResult {
    let actor = reader(&c)?.filter(|_| c.via_token);
    if let Some(k) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        input.idempotency_key = Some(k.chars().take(128).collect());
    }
    let r = s.app.submit_request(actor, input).await?;
    Ok((
            StatusCode::CREATED,
            Json(serde_json::json!({
                "tracking_no": r.tracking_no, "query_code": r.query_code,
                "received_on": r.received_on.to_string(), "due_on": r.due_on.map(|d| d.to_string()), "due": r.due, "due_note": r.due_note,
            })),
        )
            .into_response())
}

#[derive(Deserialize, Default)]
struct TrackQuery {
    tracking_no: Option<String>,
    query_code: Option<String>,
}

/// Tracking with the query code in the body, out of URLs and access logs.
async fn track_request_post(State(s): State<WebState>, ApiJson(p): ApiJson<TrackQuery>) -> WebResult {
    let v = s.app.track_request(p.tracking_no.as_deref().unwrap_or(""), p.query_code.as_deref().unwrap_or("")).await?;
    Ok(Json(v).into_response())
}

async fn track_request(State(s): State<WebState>, ApiQuery(p): ApiQuery<TrackQuery>) -> WebResult {
    let v = s.app.track_request(p.tracking_no.as_deref().unwrap_or(""), p.query_code.as_deref().unwrap_or("")).await?;
    Ok(Json(v).into_response())
}

async fn request_queue(State(s): State<WebState>, c: Caller) -> WebResult {
    let actor = staff(&c)?;
    let rows = s.app.request_queue(actor).await?;
    Ok(Json(serde_json::json!({ "items": rows })).into_response())
}

async fn request_detail(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let actor = staff(&c)?;
    let d = s.app.request_detail(actor, id).await?;
    Ok(Json(d).into_response())
}

async fn request_event(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<gongkai_app::requests::StepInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let d = s.app.record_request_event(actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[derive(Deserialize, Default)]
struct ReportQuery {
    year: Option<i32>,
    org: Option<i64>,
}

async fn annual_report(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<ReportQuery>) -> WebResult {
    let actor = staff(&c)?;
    let Some(year) = p.year else {
        return Err(AppError::field("year", "请指定年份").into());
    };
    let r = s.app.annual_report(actor, year, p.org).await?;
    Ok(Json(r).into_response())
}

#[derive(Deserialize, Default)]
struct FeeQuery {
    basis: Option<String>,
    pages: Option<u32>,
}

async fn request_fee(State(s): State<WebState>, c: Caller, Id(id): Id, ApiQuery(p): ApiQuery<FeeQuery>) -> WebResult {
    let actor = staff(&c)?;
    let f = s.app.fee_quote(actor, id, p.basis.as_deref().unwrap_or(""), p.pages).await?;
    Ok(Json(serde_json::json!({ "fee": f, "explain": f.explain() })).into_response())
}

async fn request_review(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<gongkai_app::requests::ReviewInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let r = s.app.record_review(actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

async fn publish_case(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(input): ApiJson<gongkai_app::cases::CaseInput>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let v = s.app.publish_case(actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

async fn disclosure_suggestions(State(s): State<WebState>, c: Caller) -> WebResult {
    let actor = staff(&c)?;
    let v = s.app.disclosure_suggestions(actor).await?;
    Ok(Json(serde_json::json!({ "suggestions": v })).into_response())
}

async fn cases(State(s): State<WebState>, ApiQuery(p): ApiQuery<PageQuery>) -> WebResult {
    let page = p.page.unwrap_or(1).clamp(1, 10_000);
    let per_page = p.per_page.unwrap_or(20).clamp(1, 50);
    let (items, total) = s.app.cases(page, per_page).await?;
    Ok(Json(serde_json::json!({ "items": items, "total": total, "page": page })).into_response())
}

async fn case(State(s): State<WebState>, Id(id): Id) -> WebResult {
    let v = s.app.case(id).await?;
    Ok(Json(v).into_response())
}

async fn export_request(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let actor = staff(&c)?;
    let x = s.app.export_request(actor, id).await?;
    Ok(Json(x).into_response())
}

async fn import_request(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<gongkai_app::requests::Exchange>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let (id, query_code) = s.app.import_request(actor, input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": id, "query_code": query_code}))).into_response())
}

async fn get_letter(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let actor = staff(&c)?;
    Ok(Json(s.app.reply_letter(actor, id).await?).into_response())
}

#[derive(Deserialize, Default)]
struct LetterBody {
    text: String,
}

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

async fn letter_docx(State(s): State<WebState>, c: Caller, Id(id): Id) -> WebResult {
    let actor = staff(&c)?;
    let letter = s.app.reply_letter(actor, id).await?;
    let bytes = gongkai_app::office::letter_docx(&letter.text)?;
    Ok(download(DOCX, &format!("letter-{id}.docx"), bytes))
}

/// A file the applicant sent: staff only, never cached by a shared cache.
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct FiguresBody {
    year: i32,
    org: Option<i64>,
    #[serde(flatten)]
    figures: gongkai_domain::report::EnteredFigures,
}

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

async fn annual_report_docx(State(s): State<WebState>, c: Caller, ApiQuery(q): ApiQuery<ReportQuery>) -> WebResult {
    annual_report_file(&s, &c, q, false).await
}

async fn annual_report_xlsx(State(s): State<WebState>, c: Caller, ApiQuery(q): ApiQuery<ReportQuery>) -> WebResult {
    annual_report_file(&s, &c, q, true).await
}
