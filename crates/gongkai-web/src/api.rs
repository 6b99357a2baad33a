//! JSON API under `/api/v1/`. Errors are `{"code", "message"}` with the right status;
//! bad input never reaches a 500.

use crate::WebState;
use crate::auth::{Caller, same_token};
use crate::views::{api_bad_request, api_error};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
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
        .route("/v1/requests/track", get(track_request))
        .route("/v1/reports/annual", get(annual_report))
        .route("/v1/reports/annual/figures", axum::routing::put(report_figures))
        .route("/v1/reports/annual.docx", get(annual_report_docx))
        .route("/v1/reports/annual.xlsx", get(annual_report_xlsx))
        .route("/v1/orgs", get(orgs))
}

fn id(s: &str) -> Result<i64, Response> {
    s.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| api_bad_request("invalid_id", format!("“{s}”不是有效的编号")))
}

fn json<T>(r: Result<Json<T>, JsonRejection>) -> Result<T, Response> {
    r.map(|Json(v)| v).map_err(|e| {
        let status = e.status();
        let code = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE { "unsupported_media_type" } else { "invalid_json" };
        (
            status,
            Json(serde_json::json!({"code": code, "message": format!("请求体不是有效的 JSON：{}", e.body_text())})),
        )
            .into_response()
    })
}

fn query<T: Default>(r: Result<Query<T>, QueryRejection>) -> Result<T, Response> {
    r.map(|Query(v)| v).map_err(|e| api_bad_request("invalid_query", format!("查询参数有误：{}", e.body_text())))
}

/// The caller for reads: anonymous is fine, a bad token is not.
fn reader(c: &Caller) -> Result<Option<&Actor>, Response> {
    if c.bad_token {
        return Err(api_error(&AppError::Unauthorized));
    }
    Ok(c.actor.as_ref())
}

/// The caller for writes: a bearer token, or a session with its CSRF token in
/// `X-CSRF-Token`.
fn writer<'a>(c: &'a Caller, headers: &HeaderMap) -> Result<&'a Actor, Response> {
    let Some(actor) = c.actor.as_ref() else {
        return Err(api_error(&AppError::Unauthorized));
    };
    if !c.via_token {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !c.csrf.as_deref().is_some_and(|t| same_token(t, sent)) {
            return Err(api_error(&AppError::Forbidden("会话调用写接口须带 X-CSRF-Token".into())));
        }
    }
    Ok(actor)
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

async fn list(State(s): State<WebState>, c: Caller, q: Result<Query<ListParams>, QueryRejection>) -> Response {
    let viewer = tri!(reader(&c));
    let p = tri!(query(q));
    match s.app.list_documents(viewer, &p).await {
        Ok(page) => Json(page).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, Default)]
struct OneQuery {
    as_of: Option<String>,
}

async fn one(
    State(s): State<WebState>,
    c: Caller,
    Path(raw): Path<String>,
    q: Result<Query<OneQuery>, QueryRejection>,
) -> Response {
    let viewer = tri!(reader(&c));
    let id = tri!(id(&raw));
    let q = tri!(query(q));
    let mut errs = Vec::new();
    let as_of = gongkai_app::documents::parse_date("as_of", "as_of", &q.as_of, &mut errs);
    if !errs.is_empty() {
        return api_error(&AppError::Validation(errs));
    }
    match s.app.document_detail(viewer, id, as_of).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn create(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    body: Result<Json<DocumentInput>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let input = tri!(json(body));
    match s.app.create_document(actor, input).await {
        Ok(d) => (StatusCode::CREATED, Json(d)).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn update(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Result<Json<DocumentInput>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let id = tri!(id(&raw));
    let input = tri!(json(body));
    match s.app.update_document(actor, id, input).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn revise(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Path(raw): Path<String>,
    body: Result<Json<DocumentInput>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let id = tri!(id(&raw));
    let input = tri!(json(body));
    match s.app.revise_document(actor, id, input).await {
        Ok(d) => (StatusCode::CREATED, Json(d)).into_response(),
        Err(e) => api_error(&e),
    }
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
    Path(raw): Path<String>,
    body: Result<Json<ActionBody>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let id = tri!(id(&raw));
    let b = tri!(json(body));
    if b.action == "set_repeals" {
        return match s.app.set_repeals(actor, id, &b.repeals.unwrap_or_default()).await {
            Ok(()) => Json(serde_json::json!({"ok": true})).into_response(),
            Err(e) => api_error(&e),
        };
    }
    match s
        .app
        .document_action(actor, id, ActionInput { action: b.action, reason: b.reason, publish_at: b.publish_at })
        .await
    {
        Ok(d) => Json(d).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, Default)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff(
    State(s): State<WebState>,
    c: Caller,
    Path(raw): Path<String>,
    q: Result<Query<DiffQuery>, QueryRejection>,
) -> Response {
    let viewer = tri!(reader(&c));
    let id = tri!(id(&raw));
    let q = tri!(query(q));
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return api_error(&AppError::field("from", "请用 from 和 to 指定要比较的两个版本编号"));
    };
    let (from, to) = (tri!(self::id(&from)), tri!(self::id(&to)));
    match s.app.document_diff(viewer, id, from, to).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, Default)]
struct PageQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn interpretations(
    State(s): State<WebState>,
    c: Caller,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let viewer = tri!(reader(&c));
    let q = tri!(query(q));
    let per_page = q.per_page.unwrap_or(20).clamp(1, 100);
    match s.app.interpretations(viewer, q.page.unwrap_or(1).max(1), per_page).await {
        Ok((items, total)) => Json(serde_json::json!({"items": items, "total": total})).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn interpretation(State(s): State<WebState>, c: Caller, Path(raw): Path<String>) -> Response {
    let viewer = tri!(reader(&c));
    let id = tri!(id(&raw));
    match s.app.interpretation(viewer, id).await {
        Ok(i) => Json(i).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn create_interpretation(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    body: Result<Json<InterpretationInput>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let input = tri!(json(body));
    match s.app.create_interpretation(actor, input).await {
        Ok(i) => (StatusCode::CREATED, Json(i)).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, Default)]
struct ChangesQuery {
    since: Option<i64>,
    limit: Option<u64>,
}

async fn changes(State(s): State<WebState>, c: Caller, q: Result<Query<ChangesQuery>, QueryRejection>) -> Response {
    tri!(reader(&c));
    let q = tri!(query(q));
    if q.since.is_some_and(|s| s < 0) {
        return api_error(&AppError::field("since", "since 应为非负整数游标"));
    }
    match s.app.changes(q.since.unwrap_or(0), q.limit.unwrap_or(100)).await {
        Ok(p) => Json(p).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn orgs(State(s): State<WebState>) -> Response {
    match s.app.orgs().await {
        Ok(o) => Json(o).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn search(
    State(s): State<WebState>,
    c: Caller,
    q: Result<Query<gongkai_app::search::SearchParams>, QueryRejection>,
) -> Response {
    tri!(reader(&c));
    let p = tri!(query(q));
    match s.app.search(&p).await {
        Ok(r) if r.rebuilding => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::RETRY_AFTER, "5")],
            Json(serde_json::json!({"code": "rebuilding", "message": "搜索索引正在重建，请稍后再试"})),
        )
            .into_response(),
        Ok(r) => Json(r).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, Default)]
struct PassageQuery {
    q: Option<String>,
    k: Option<u64>,
}

async fn passages(State(s): State<WebState>, c: Caller, q: Result<Query<PassageQuery>, QueryRejection>) -> Response {
    tri!(reader(&c));
    let p = tri!(query(q));
    match s.app.passages(p.q.as_deref().unwrap_or(""), p.k.unwrap_or(5)).await {
        Ok(hits) => Json(serde_json::json!({ "passages": hits })).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn suggest(State(s): State<WebState>, c: Caller, q: Result<Query<PassageQuery>, QueryRejection>) -> Response {
    tri!(reader(&c));
    let p = tri!(query(q));
    match s.app.suggest(p.q.as_deref().unwrap_or(""), p.k.unwrap_or(8)).await {
        Ok(list) => Json(serde_json::json!({ "suggestions": list })).into_response(),
        Err(e) => api_error(&e),
    }
}

/// Public intake; with a staff bearer token, registration of another channel. A browser
/// session is not used here (no CSRF token is asked of the public), so it counts as public.
async fn submit_request(
    State(s): State<WebState>,
    c: Caller,
    body: Result<Json<gongkai_app::requests::NewRequest>, JsonRejection>,
) -> Response {
    let actor = tri!(reader(&c)).filter(|_| c.via_token);
    let input = tri!(json(body));
    match s.app.submit_request(actor, input).await {
        Ok(r) => (
            StatusCode::CREATED,
            Json(serde_json::json!({
                "tracking_no": r.tracking_no, "query_code": r.query_code,
                "received_on": r.received_on.to_string(), "due_on": r.due_on.map(|d| d.to_string()), "due": r.due, "due_note": r.due_note,
            })),
        )
            .into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, Default)]
struct TrackQuery {
    tracking_no: Option<String>,
    query_code: Option<String>,
}

async fn track_request(State(s): State<WebState>, q: Result<Query<TrackQuery>, QueryRejection>) -> Response {
    let p = tri!(query(q));
    match s.app.track_request(p.tracking_no.as_deref().unwrap_or(""), p.query_code.as_deref().unwrap_or("")).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => api_error(&e),
    }
}

fn staff(c: &Caller) -> Result<&Actor, Response> {
    reader(c)?.ok_or_else(|| api_error(&AppError::Unauthorized))
}

async fn request_queue(State(s): State<WebState>, c: Caller) -> Response {
    let actor = tri!(staff(&c));
    match s.app.request_queue(actor).await {
        Ok(rows) => Json(serde_json::json!({ "items": rows })).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn request_detail(State(s): State<WebState>, c: Caller, Path(id): Path<i64>) -> Response {
    let actor = tri!(staff(&c));
    match s.app.request_detail(actor, id).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn request_event(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Json<gongkai_app::requests::EventInput>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let input = tri!(json(body));
    match s.app.record_request_event(actor, id, input).await {
        Ok(d) => (StatusCode::CREATED, Json(d)).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, Default)]
struct ReportQuery {
    year: Option<i32>,
    org: Option<i64>,
}

async fn annual_report(
    State(s): State<WebState>,
    c: Caller,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Response {
    let actor = tri!(staff(&c));
    let p = tri!(query(q));
    let Some(year) = p.year else {
        return api_error(&AppError::field("year", "请指定年份"));
    };
    match s.app.annual_report(actor, year, p.org).await {
        Ok(r) => Json(r).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, Default)]
struct FeeQuery {
    basis: Option<String>,
    pages: Option<u32>,
}

async fn request_fee(
    State(s): State<WebState>,
    c: Caller,
    Path(id): Path<i64>,
    q: Result<Query<FeeQuery>, QueryRejection>,
) -> Response {
    let actor = tri!(staff(&c));
    let p = tri!(query(q));
    match s.app.fee_quote(actor, id, p.basis.as_deref().unwrap_or(""), p.pages).await {
        Ok(f) => Json(serde_json::json!({ "fee": f, "explain": f.explain() })).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn request_review(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Json<gongkai_app::requests::ReviewInput>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let input = tri!(json(body));
    match s.app.record_review(actor, id, input).await {
        Ok(r) => (StatusCode::CREATED, Json(r)).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn publish_case(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Json<gongkai_app::cases::CaseInput>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let input = tri!(json(body));
    match s.app.publish_case(actor, id, input).await {
        Ok(v) => (StatusCode::CREATED, Json(v)).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn disclosure_suggestions(State(s): State<WebState>, c: Caller) -> Response {
    let actor = tri!(staff(&c));
    match s.app.disclosure_suggestions(actor).await {
        Ok(v) => Json(serde_json::json!({ "suggestions": v })).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn cases(State(s): State<WebState>, q: Result<Query<PageQuery>, QueryRejection>) -> Response {
    let p = tri!(query(q));
    let page = p.page.unwrap_or(1).clamp(1, 10_000);
    let per_page = p.per_page.unwrap_or(20).clamp(1, 50);
    match s.app.cases(page, per_page).await {
        Ok((items, total)) => Json(serde_json::json!({ "items": items, "total": total, "page": page })).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn case(State(s): State<WebState>, Path(id): Path<i64>) -> Response {
    match s.app.case(id).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn export_request(State(s): State<WebState>, c: Caller, Path(id): Path<i64>) -> Response {
    let actor = tri!(staff(&c));
    match s.app.export_request(actor, id).await {
        Ok(x) => Json(x).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn import_request(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    body: Result<Json<gongkai_app::requests::Exchange>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let input = tri!(json(body));
    match s.app.import_request(actor, input).await {
        Ok((id, query_code)) => {
            (StatusCode::CREATED, Json(serde_json::json!({"id": id, "query_code": query_code}))).into_response()
        }
        Err(e) => api_error(&e),
    }
}

async fn get_letter(State(s): State<WebState>, c: Caller, Path(id): Path<i64>) -> Response {
    let actor = tri!(staff(&c));
    match s.app.reply_letter(actor, id).await {
        Ok(l) => Json(l).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, Default)]
struct LetterBody {
    text: String,
}

async fn put_letter(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Json<LetterBody>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let input = tri!(json(body));
    match s.app.save_letter(actor, id, &input.text).await {
        Ok(l) => Json(l).into_response(),
        Err(e) => api_error(&e),
    }
}

async fn letter_docx(State(s): State<WebState>, c: Caller, Path(id): Path<i64>) -> Response {
    let actor = tri!(staff(&c));
    let letter = match s.app.reply_letter(actor, id).await {
        Ok(l) => l,
        Err(e) => return api_error(&e),
    };
    match gongkai_app::office::letter_docx(&letter.text) {
        Ok(bytes) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string(),
                ),
                (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"letter-{id}.docx\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => api_error(&e),
    }
}

/// A file the applicant sent: staff only, never cached by a shared cache.
async fn request_attachment(State(s): State<WebState>, c: Caller, Path((id, aid)): Path<(i64, i64)>) -> Response {
    let actor = tri!(staff(&c));
    match s.app.request_attachment(actor, id, aid).await {
        Ok(d) => (
            [
                (axum::http::header::CONTENT_TYPE, d.content_type),
                (axum::http::header::CONTENT_DISPOSITION, crate::views::attachment_disposition(&d.file_name)),
                (axum::http::header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            d.content,
        )
            .into_response(),
        Err(e) => api_error(&e),
    }
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
    body: Result<Json<FiguresBody>, JsonRejection>,
) -> Response {
    let actor = tri!(writer(&c, &headers));
    let b = tri!(json(body));
    match s.app.enter_report_figures(actor, b.year, b.org, b.figures).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => api_error(&e),
    }
}

async fn annual_report_file(
    s: &WebState,
    c: &Caller,
    q: Result<Query<ReportQuery>, QueryRejection>,
    xlsx: bool,
) -> Response {
    let actor = tri!(staff(c));
    let p = tri!(query(q));
    let Some(year) = p.year else {
        return api_error(&AppError::field("year", "请指定年份"));
    };
    let r = match s.app.annual_report(actor, year, p.org).await {
        Ok(r) => r,
        Err(e) => return api_error(&e),
    };
    let (bytes, mime, ext) = if xlsx {
        (r.xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    } else {
        (r.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
    };
    match bytes {
        Ok(b) => (
            [
                (axum::http::header::CONTENT_TYPE, mime.to_string()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"annual-report-{year}.{ext}\""),
                ),
            ],
            b,
        )
            .into_response(),
        Err(e) => api_error(&e),
    }
}

async fn annual_report_docx(
    State(s): State<WebState>,
    c: Caller,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Response {
    annual_report_file(&s, &c, q, false).await
}

async fn annual_report_xlsx(
    State(s): State<WebState>,
    c: Caller,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Response {
    annual_report_file(&s, &c, q, true).await
}
