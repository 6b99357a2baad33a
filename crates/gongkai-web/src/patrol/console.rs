//! The patrol's findings in the console: the owning body's list (the district office sees
//! all), and a decision on each — a false positive with its reason, or escalated.

use crate::WebState;
use crate::admin::frame;
use crate::auth::Caller;
use crate::error::Id;
use crate::forms::{Staff, StaffForm};
use crate::views::{self, Feedback, Frame};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use gongkai_app::Actor;
use gongkai_app::patrol::FindingRecord;
use gongkai_app::patrol::reports::StaffReport;
use gongkai_domain::patrol::FindingStatus;
use serde::Deserialize;

pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/patrol", get(findings))
        .route("/admin/patrol.xlsx", get(export))
        .route("/admin/patrol/{id}", post(resolve))
        .route("/admin/wording", get(wording).post(add_wording))
        .route("/admin/wording/{id}/delete", post(remove_wording))
        .route("/admin/error-reports", get(reports))
        .route("/admin/error-reports/{id}/answer", post(answer))
}

#[derive(Template)]
#[template(path = "patrol/findings.html")]
struct FindingsPage {
    frame: Frame,
    found: Vec<FindingRecord>,
    /// The state shown: open (with escalated), or all.
    all: bool,
    high: usize,
    fb: Feedback,
    today: time::Date,
    summary: gongkai_app::patrol::PatrolSummary,
}

impl FindingsPage {
    /// Where the finding is, in the console or on the portal.
    fn link(&self, f: &FindingRecord) -> String {
        match f.source.as_str() {
            "document" => format!("/admin/documents/{}", f.record_id),
            "interpretation" => format!("/interpretations/{}", f.record_id),
            "message" => format!("/admin/messages/{}", f.record_id),
            _ => format!("/cases/{}", f.record_id),
        }
    }
    fn source_label(&self, f: &FindingRecord) -> &'static str {
        gongkai_app::search::content_label(&f.source)
    }
    fn actionable(&self, f: &FindingRecord) -> bool {
        matches!(f.status, FindingStatus::Open | FindingStatus::Escalated)
    }
    fn overdue(&self, f: &FindingRecord) -> bool {
        self.actionable(f) && f.due_on.is_some_and(|d| d < self.today)
    }
    /// Whether the refused decision form is this finding's.
    fn refused_here(&self, f: &FindingRecord) -> bool {
        self.fb.is_refused("finding") && self.fb.v("finding", "finding_id", "") == f.id.to_string()
    }
}

#[derive(Deserialize, Default)]
struct Params {
    show: Option<String>,
}

async fn findings(
    State(s): State<WebState>,
    Staff { caller: c, actor }: Staff,
    q: Result<Query<Params>, QueryRejection>,
) -> Response {
    let all = q.ok().and_then(|Query(p)| p.show).is_some_and(|v| v == "all");
    let notice = crate::flash::take_notice(&s, &c).await;
    page(&s, &c, &actor, all, Feedback::notice(notice)).await
}

async fn page(s: &WebState, c: &Caller, actor: &Actor, all: bool, fb: Feedback) -> Response {
    let wanted = if all { vec![] } else { vec![FindingStatus::Open, FindingStatus::Escalated] };
    let summary = match s.app.patrol_summary(actor).await {
        Ok(x) => x,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    match s.app.patrol_findings(actor, &wanted).await {
        Ok(found) => {
            let high = found.iter().filter(|f| f.severity.code() == "high" && f.status == FindingStatus::Open).count();
            views::render_as(
                fb.status(),
                &FindingsPage {
                    frame: frame(s, c, "内容巡查"), found, all, high, fb, today: s.app.today(), summary
                },
            )
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionForm {
    status: String,
    note: String,
}

async fn resolve(State(s): State<WebState>, Id(id): Id, f: StaffForm<DecisionForm>) -> Response {
    let StaffForm { caller: c, actor, form, mut fields } = f;
    let result = match FindingStatus::parse(&form.status) {
        Some(to) => s.app.resolve_finding(&actor, id, to, &form.note).await,
        None => Err(gongkai_app::AppError::field("status", "请选择处理方式")),
    };
    match result {
        Ok(r) => {
            crate::flash::redirect_notice(
                &s,
                &c,
                "/admin/patrol",
                format!("已处理：{}（{}）", r.kind_label, r.status_label),
            )
            .await
        }
        Err(e) => {
            // One form per finding: the refusal names the one it belongs to.
            fields.push(("finding_id".into(), id.to_string()));
            page(&s, &c, &actor, false, Feedback::refused("finding", fields, &e)).await
        }
    }
}

#[derive(Template)]
#[template(path = "patrol/console_reports.html")]
struct ReportsPage {
    frame: Frame,
    rows: Vec<StaffReport>,
    fb: Feedback,
}

impl ReportsPage {
    fn refused_here(&self, r: &StaffReport) -> bool {
        self.fb.is_refused("answer") && self.fb.v("answer", "report_id", "") == r.id.to_string()
    }
}

async fn reports(State(s): State<WebState>, Staff { caller: c, actor }: Staff) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    reports_page(&s, &c, &actor, Feedback::notice(notice)).await
}

async fn reports_page(s: &WebState, c: &Caller, actor: &Actor, fb: Feedback) -> Response {
    match s.app.error_reports(actor).await {
        Ok(rows) => views::render_as(fb.status(), &ReportsPage { frame: frame(s, c, "找错留言"), rows, fb }),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnswerForm {
    answer: String,
}

async fn answer(State(s): State<WebState>, Id(id): Id, f: StaffForm<AnswerForm>) -> Response {
    let StaffForm { caller: c, actor, form, mut fields } = f;
    match s.app.answer_error_report(&actor, id, &form.answer).await {
        Ok(r) => {
            let msg = format!("已答复留言 {}", r.public.reference);
            crate::flash::redirect_notice(&s, &c, "/admin/error-reports", msg).await
        }
        Err(e) => {
            fields.push(("report_id".into(), id.to_string()));
            reports_page(&s, &c, &actor, Feedback::refused("answer", fields, &e)).await
        }
    }
}

/// Every finding of the person's bodies, in all states, as an .xlsx ledger.
async fn export(State(s): State<WebState>, Staff { actor, .. }: Staff) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let book = match s.app.patrol_findings(&actor, &[]).await {
        Ok(rows) => gongkai_app::patrol::findings_xlsx(&rows),
        Err(e) => Err(e),
    };
    match book {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                (header::CONTENT_DISPOSITION, views::attachment_disposition("内容巡查结果.xlsx")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Template)]
#[template(path = "patrol/wording.html")]
struct WordingPage {
    frame: Frame,
    shipped: Vec<(String, String)>,
    rules: Vec<gongkai_app::patrol::wording::WordingView>,
    may_edit: bool,
    fb: Feedback,
}

async fn wording(State(s): State<WebState>, Staff { caller: c, actor }: Staff) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    wording_page(&s, &c, &actor, Feedback::notice(notice)).await
}

async fn wording_page(s: &WebState, c: &Caller, actor: &Actor, fb: Feedback) -> Response {
    match s.app.wording_rules(actor).await {
        Ok(rules) => {
            let shipped =
                gongkai_domain::patrol::shipped_wording().iter().map(|r| (r.wrong.clone(), r.right.clone())).collect();
            let page = WordingPage {
                frame: frame(s, c, "表述错误词表"),
                shipped,
                rules,
                may_edit: actor.role.is_district_wide(),
                fb,
            };
            views::render_as(page.fb.status(), &page)
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WordingForm {
    wrong: String,
    right: String,
    note: String,
}

async fn add_wording(State(s): State<WebState>, f: StaffForm<WordingForm>) -> Response {
    let StaffForm { caller: c, actor, form, fields } = f;
    match s.app.add_wording_rule(&actor, &form.wrong, &form.right, &form.note).await {
        Ok(r) => {
            let msg = format!("已添加：“{}”应为“{}”，下一次巡查起生效", r.wrong, r.right);
            crate::flash::redirect_notice(&s, &c, "/admin/wording", msg).await
        }
        Err(e) => wording_page(&s, &c, &actor, Feedback::refused("wording", fields, &e)).await,
    }
}

async fn remove_wording(State(s): State<WebState>, Id(id): Id, f: StaffForm<crate::forms::NoFields>) -> Response {
    let StaffForm { caller: c, actor, .. } = f;
    let msg = match s.app.remove_wording_rule(&actor, id).await {
        Ok(()) => "已删除".to_string(),
        Err(e) => format!("未能删除：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/wording", msg).await
}
