//! Patrol findings in the JSON API, personal data masked: the owning body's list, and a
//! person's decision on one finding.

use crate::WebState;
use crate::api::{Failures, staff, writer};
use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, Id, WebResult};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use gongkai_app::AppError;
use gongkai_app::patrol::FindingRecord;
use gongkai_app::patrol::reports::{PublicReport, ReportReceipt};
use gongkai_domain::patrol::FindingStatus;
use gongkai_domain::patrol::report::ReportInput;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(findings))
        .routes(routes!(summary))
        .routes(routes!(resolve))
        .routes(routes!(submit_report, answered_reports))
        .routes(routes!(track_report))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FindingsQuery {
    /// open, fixed, false_positive, escalated; several separated by commas; all when left out
    status: Option<String>,
}

/// The states asked for, or the sentence for one that is not a state.
pub(crate) fn statuses(s: Option<&str>) -> Result<Vec<FindingStatus>, AppError> {
    s.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            FindingStatus::parse(p)
                .ok_or_else(|| AppError::field("status", "状态应为 open、fixed、false_positive 或 escalated"))
        })
        .collect()
}

#[utoipa::path(get, path = "/v1/patrol/findings", params(FindingsQuery), security(("bearer" = [])), responses((status = 200, description = "巡查发现的问题（本机构的；公开办为全部），个人信息已去标识化，按风险高低排列", body = Vec<FindingRecord>), Failures), summary = "内容巡查：个人信息、发文字号、严重表述错误")]
async fn findings(State(s): State<WebState>, c: Caller, ApiQuery(q): ApiQuery<FindingsQuery>) -> WebResult {
    let actor = staff(&c)?;
    let wanted = statuses(q.status.as_deref())?;
    Ok(Json(s.app.patrol_findings(actor, &wanted).await?).into_response())
}

#[utoipa::path(get, path = "/v1/patrol/summary", security(("bearer" = [])), responses((status = 200, description = "待处理的问题按类型、单位（含逾期）和发现时间统计；找错留言和咨询建言的办理情况与平均答复用时", body = gongkai_app::patrol::PatrolSummary), Failures), summary = "内容巡查：总览（供监测使用）")]
async fn summary(State(s): State<WebState>, c: Caller) -> WebResult {
    let actor = staff(&c)?;
    Ok(Json(s.app.patrol_summary(actor).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct Decision {
    /// false_positive (a reason is required) or escalated
    status: String,
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/v1/patrol/findings/{id}", params(("id" = i64, Path, description = "编号")), request_body = Decision, security(("bearer" = [])), responses((status = 200, description = "处理后的巡查结果", body = FindingRecord), Failures), summary = "处理巡查结果：标记误报或上报公开办")]
async fn resolve(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(d): ApiJson<Decision>,
) -> WebResult {
    let actor = writer(&c, &headers)?;
    let to = FindingStatus::parse(&d.status)
        .ok_or_else(|| AppError::field("status", "状态应为 false_positive（误报）或 escalated（上报）"))?;
    Ok(Json(s.app.resolve_finding(actor, id, to, &d.note).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ReportBody {
    /// typo, broken_link, outdated, privacy, unavailable, other (or the Chinese name)
    kind: String,
    /// The page's path on this site (or its full address)
    #[serde(default)]
    page: String,
    description: String,
    /// An e-mail or phone number for the answer; never published
    #[serde(default)]
    contact: String,
}

#[utoipa::path(post, path = "/v1/error-reports", request_body = ReportBody, responses((status = 201, description = "已受理：留言编号和答复期限", body = ReportReceipt), Failures), summary = "我为政府网站找错：提交留言")]
async fn submit_report(State(s): State<WebState>, headers: HeaderMap, ApiJson(b): ApiJson<ReportBody>) -> WebResult {
    let host: Vec<String> = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| vec![h.to_string()])
        .unwrap_or_default();
    let hosts: Vec<&str> = host.iter().map(String::as_str).collect();
    let input = ReportInput { kind: b.kind, page: b.page, description: b.description, contact: b.contact };
    let r = s.app.submit_error_report(input, &hosts).await?;
    Ok((axum::http::StatusCode::CREATED, Json(r)).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AnsweredQuery {
    page: Option<u64>,
}

#[utoipa::path(get, path = "/v1/error-reports", params(AnsweredQuery), responses((status = 200, description = "已答复的留言（不含留言内容和联系方式），最新的在前，每页20条", body = Vec<PublicReport>), Failures), summary = "我为政府网站找错：已答复的留言")]
async fn answered_reports(State(s): State<WebState>, ApiQuery(q): ApiQuery<AnsweredQuery>) -> WebResult {
    let page = q.page.unwrap_or(1).clamp(1, 500);
    let (rows, _) = s.app.answered_error_reports(page, 20).await?;
    Ok(Json(rows).into_response())
}

#[utoipa::path(get, path = "/v1/error-reports/{reference}", params(("reference" = String, Path, description = "留言编号，如 ZC2025000001")), responses((status = 200, description = "留言的处理情况", body = PublicReport), Failures), summary = "我为政府网站找错：按编号查询")]
async fn track_report(
    State(s): State<WebState>,
    axum::extract::Path(reference): axum::extract::Path<String>,
) -> WebResult {
    Ok(Json(s.app.track_error_report(&reference).await?).into_response())
}
