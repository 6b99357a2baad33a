//! The console for requests (依申请公开): the supervision queue, registering a request that
//! came in person, by post or fax, a request with its timeline and due-date reckoning, a
//! form for each handling step, the reply letter, and the annual report.

use super::{ApplyPage, new_request, read_form};
use crate::WebState;
use crate::admin::{Fields, frame, need, need_csrf};
use crate::auth::Caller;
use crate::forms::{NoFields, Staff, StaffForm};
use crate::views::{self, render};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_app::AppError;
use gongkai_app::requests::{AnnualReport, Letter, QueueRow, RequestDetail, StepInput};
use gongkai_domain::handling::{RequestStatus, StepKind};
use gongkai_domain::request::Outcome;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/requests", get(queue))
        .route("/admin/requests/new", get(new_form).post(register))
        .route("/admin/requests/find", get(find))
        .route("/admin/calendar", post(load_calendar))
        .route("/admin/requests/{id}", get(detail))
        .route("/admin/requests/{id}/events", post(event))
        .route("/admin/requests/{id}/identity", post(reveal_identity))
        .route("/admin/requests/{id}/letter", post(letter))
        .route("/admin/requests/{id}/case", post(case))
        .route("/admin/requests/{id}/reviews", post(review))
        .route("/admin/requests/{id}/attachments/{aid}", get(attachment))
        .route("/admin/reports/annual", get(report).post(report_figures))
}

#[derive(Template)]
#[template(path = "requests/console_find.html")]
struct FindPage {
    frame: views::Frame,
    p: gongkai_app::requests::RequestSearch,
    /// (request, organisation)
    rows: Vec<(gongkai_app::requests::FoundRequest, String)>,
    searched: bool,
    error: String,
}

/// Loads a year's holiday arrangement typed or pasted by the district office; every open
/// request's reply date is counted again.
async fn load_calendar(State(s): State<WebState>, f: StaffForm<TextForm>) -> Response {
    let StaffForm { caller: c, actor, form: f } = f;
    let actor = &actor;
    let msg = match s.app.load_calendar_year(actor, &f.text).await {
        Ok(year) => format!("已导入{year}年节假日安排，未办结申请的答复期限已重新计算"),
        Err(e) => format!("未能导入节假日安排：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/requests", msg).await
}

/// Finding a request, open or closed, by tracking number, applicant or date.
async fn find(
    State(s): State<WebState>,
    Staff { caller: c, actor }: Staff,
    q: Result<Query<gongkai_app::requests::RequestSearch>, QueryRejection>,
) -> Response {
    let actor = &actor;
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let searched = p.q.is_some() || p.from.is_some() || p.to.is_some();
    let (rows, error) = if searched {
        match s.app.find_requests(actor, &p).await {
            Ok(found) => {
                let orgs = s.app.orgs().await.unwrap_or_default();
                let name = |id: i64| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default();
                (
                    found
                        .into_iter()
                        .map(|r| {
                            let n = name(r.org_id);
                            (r, n)
                        })
                        .collect(),
                    String::new(),
                )
            }
            Err(e) => (vec![], e.to_string()),
        }
    } else {
        (vec![], String::new())
    };
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, render(&FindPage { frame: frame(&s, &c, "查找申请"), p, rows, searched, error })).into_response()
}

#[derive(Template)]
#[template(path = "requests/console_queue.html")]
struct QueuePage {
    frame: views::Frame,
    /// (row, organisation, handler)
    rows: Vec<(QueueRow, String, String)>,
    mine: bool,
    /// Today's reminders to the person looking, by channel.
    reminders: Vec<(String, String)>,
    /// 依申请转主动: (organisation, the requests that asked for the same information).
    suggestions: Vec<(String, Vec<(String, String)>)>,
    /// A year of holidays the office should load now.
    calendar_gap: Option<i32>,
    notice: String,
    /// The district office may load the holidays here.
    district_wide: bool,
}

#[derive(Deserialize, Default)]
struct QueueParams {
    mine: Option<String>,
}

async fn queue(
    State(s): State<WebState>,
    Staff { caller: c, actor }: Staff,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> Response {
    let actor = &actor;
    let mine = q.ok().and_then(|Query(p)| p.mine).is_some_and(|m| m == "1");
    let rows = match s.app.request_queue(actor).await {
        Ok(r) => r,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let orgs = s.app.orgs().await.unwrap_or_default();
    let mut names: HashMap<i64, String> = HashMap::new();
    for o in orgs.iter().filter(|o| actor.may_see_org(o.id)) {
        for u in s.app.staff_of(actor, o.id).await.unwrap_or_default() {
            names.insert(u.id, u.display_name);
        }
    }
    let rows = rows
        .into_iter()
        .filter(|r| !mine || (r.assignee_id.is_some() && r.assignee_id == actor.user_id))
        .map(|r| {
            let org = orgs.iter().find(|o| o.id == r.org_id).map(|o| o.name.clone()).unwrap_or_default();
            let who = r.assignee_id.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "未指定".into());
            (r, org, who)
        })
        .collect();
    let reminders = match actor.user_id {
        Some(u) => s
            .app
            .reminders_of(u, s.app.today())
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.describe().to_string(), format!("{}件临近期限或已超期", r.requests)))
            .collect(),
        None => vec![],
    };
    let suggestions = s
        .app
        .disclosure_suggestions(actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|g| (orgs.iter().find(|o| o.id == g.org_id).map(|o| o.name.clone()).unwrap_or_default(), g.requests))
        .collect();
    let calendar_gap = s.app.calendar_gap().await.unwrap_or(None);
    let notice = crate::flash::take_notice(&s, &c).await;
    let district_wide = actor.role.is_district_wide();
    render(&QueuePage {
        frame: frame(&s, &c, "依申请公开办理"),
        rows,
        mine,
        reminders,
        suggestions,
        calendar_gap,
        notice,
        district_wide,
    })
}

async fn staff_form(s: &WebState, c: &Caller, v: Fields, errors: Vec<(String, String)>) -> Response {
    let Some(actor) = &c.actor else {
        return Redirect::to("/admin/login").into_response();
    };
    let orgs = s
        .app
        .request_orgs()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| actor.may_see_org(o.id))
        .map(|o| (o.id, o.name))
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut v = v;
    v.remove("csrf");
    (status, render(&ApplyPage::new(s, frame(s, c, "登记申请"), orgs, true, v, errors))).into_response()
}

async fn new_form(State(s): State<WebState>, Staff { caller: c, .. }: Staff) -> Response {
    let mut v = Fields::new();
    v.insert("received_on".into(), s.app.today().to_string());
    v.insert("channel".into(), "in_person".into());
    staff_form(&s, &c, v, vec![]).await
}

async fn register(State(s): State<WebState>, c: Caller, req: axum::extract::Request) -> Response {
    let (f, files) = match read_form(req).await {
        Ok(x) => x,
        Err(e) => return staff_form(&s, &c, Fields::new(), vec![("attachments".into(), e)]).await,
    };
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match s.app.submit_request(Some(actor), new_request(&f, files)).await {
        Ok(r) => match s.app.request_queue(actor).await {
            // The new request's page, where the query code is shown once for the applicant.
            Ok(rows) => match rows.iter().find(|q| q.tracking_no == r.tracking_no) {
                Some(q) => {
                    let msg = format!(
                        "已登记，受理编号 {}，查询码 {}（仅显示一次，请告知申请人），答复期限 {}",
                        r.tracking_no,
                        r.query_code,
                        r.due_on.map(|d| d.to_string()).or(r.due_note).unwrap_or_default()
                    );
                    back_to(&s, &c, q.id, msg).await
                }
                None => Redirect::to("/admin/requests").into_response(),
            },
            Err(e) => views::error_page(&s.app.config.site_name, &e),
        },
        Err(AppError::Validation(errs)) => {
            let errors = errs.into_iter().map(|e| (e.field.to_string(), e.message)).collect();
            staff_form(&s, &c, f, errors).await
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Template)]
#[template(path = "requests/console_request.html")]
struct DetailPage {
    frame: views::Frame,
    d: RequestDetail,
    letter: Option<Letter>,
    outcomes: Vec<(&'static str, String)>,
    staff: Vec<(i64, String)>,
    orgs: Vec<(i64, String)>,
    org_name: String,
    today: String,
    /// The per-request fee this request would carry, in words (国办函〔2020〕109号).
    fee: String,
    message: String,
    /// The identity number as shown: masked, unless asked for just now (audited).
    id_shown: String,
    id_revealed: bool,
}

impl DetailPage {
    /// Whether the step form offers `kind` now: the rules are checked again when it is
    /// recorded (`check_step`); this only leaves out what cannot come next.
    fn allows(&self, kind: &str) -> bool {
        use StepKind::*;
        let Some(kind) = StepKind::parse_any(kind) else {
            return false;
        };
        let has = |k| self.d.has(k);
        let status = self.d.request.status;
        if has(Service) {
            return false;
        }
        if has(Decision) {
            return kind == Service;
        }
        match kind {
            Clarification => !has(Clarification),
            Clarified => status == RequestStatus::Clarifying,
            ThirdPartyReply => status == RequestStatus::Consulting,
            Extension => !has(Extension),
            FeeNotice => status != RequestStatus::FeePending && !has(FeeNotice),
            FeePaid => status == RequestStatus::FeePending,
            Service | Received => false,
            _ => true,
        }
    }

    fn closed(&self) -> bool {
        self.d.has(StepKind::Service)
    }

    fn answered(&self) -> bool {
        self.d.request.status.is_answered()
    }

    fn status_label(&self) -> &'static str {
        self.d.request.status.label()
    }
    fn is_assignee(&self, id: &i64) -> bool {
        self.d.request.assignee_id == Some(*id)
    }
    fn applicant_kind(&self) -> &'static str {
        self.d.request.applicant_kind.label()
    }
    fn channel(&self) -> &'static str {
        self.d.request.intake_channel.label()
    }
    fn medium(&self) -> &'static str {
        self.d.request.medium.label()
    }
    fn collect_by(&self) -> &'static str {
        self.d.request.collect_by.label()
    }
    /// The facts a step carries beyond its note, in words.
    fn facts(&self, e: &gongkai_app::requests::StepView) -> String {
        let mut out = Vec::new();
        if let Some(p) = &e.party {
            out.push(match p.as_str() {
                "third_party" => "征求第三方意见（第三十二条）".to_string(),
                "agency" => "征求其他机关意见（第三十四条）".to_string(),
                "per_request" => "按件计收".to_string(),
                "per_page" => "按量计收".to_string(),
                other => format!("会商机关：{other}"),
            });
        }
        if let Some(d) = e.days {
            out.push(format!("延长{d}个工作日"));
        }
        if let Some(a) = &e.approver {
            out.push(format!("批准人：{a}"));
        }
        if let Some(a) = e.amount {
            out.push(format!("金额：{a}元"));
        }
        if let Some(d) = e.due_by {
            out.push(match e.kind {
                StepKind::Clarification => format!("补正期限：{d}"),
                StepKind::FeeNotice => format!("缴费期限：{d}（收到通知次日起20个工作日）"),
                _ => format!("期限：{d}"),
            });
        }
        if let Some(o) = e.outcome.as_deref().and_then(Outcome::parse) {
            out.push(format!("{}：{}", o.group(), o.label()));
        }
        if let Some(b) = &e.basis {
            out.push(format!("依据：{b}"));
        }
        out.join("；")
    }
}

async fn detail_page(s: &WebState, c: &Caller, id: i64, message: String) -> Response {
    let actor = match need(c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let d = match s.app.request_detail(actor, id).await {
        Ok(d) => d,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let letter = s.app.reply_letter(actor, id).await.ok();
    let outcomes = Outcome::ALL.iter().map(|o| (o.code(), format!("{}：{}", o.group(), o.label()))).collect();
    let staff = s
        .app
        .staff_of(actor, d.request.org_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let all = s.app.request_orgs().await.unwrap_or_default();
    let org_name = all.iter().find(|o| o.id == d.request.org_id).map(|o| o.name.clone()).unwrap_or_default();
    let orgs = all.into_iter().filter(|o| o.id != d.request.org_id).map(|o| (o.id, o.name)).collect();
    let title = format!("申请 {}", d.request.tracking_no);
    let today = s.app.today().to_string();
    let fee = match s.app.fee_quote(actor, id, "per_request", None).await {
        Ok(f) => format!("{}元（{}）", f.total_yuan, f.explain()),
        Err(e) => e.to_string(),
    };
    let id_revealed = crate::flash::take_reveal(s, c, id).await;
    let id_shown =
        if id_revealed { d.request.id_number.clone() } else { gongkai_domain::privacy::mask_id(&d.request.id_number) };
    let frame = frame(s, c, &title);
    render(&DetailPage {
        frame,
        d,
        letter,
        outcomes,
        staff,
        orgs,
        org_name,
        today,
        fee,
        message,
        id_shown,
        id_revealed,
    })
}

/// Shows the identity number in full once, after writing who asked to the audit log.
async fn reveal_identity(
    State(s): State<WebState>,
    crate::error::Id(id): crate::error::Id,
    f: StaffForm<NoFields>,
) -> Response {
    let StaffForm { caller: c, actor, .. } = f;
    let actor = &actor;
    match s.app.reveal_identity(actor, id).await {
        Ok(()) => {
            crate::flash::redirect_with(
                &s,
                &c,
                &format!("/admin/requests/{id}"),
                crate::flash::Flash::Reveal { request_id: id },
            )
            .await
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

async fn detail(State(s): State<WebState>, c: Caller, crate::error::Id(id): crate::error::Id) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    detail_page(&s, &c, id, notice).await
}

/// Back to the request's page, which shows `msg` once (Post/Redirect/Get).
async fn back_to(s: &WebState, c: &Caller, id: i64, msg: impl Into<String>) -> Response {
    crate::flash::redirect_notice(s, c, &format!("/admin/requests/{id}"), msg).await
}

/// A form whose one field is a text (a calendar year pasted in, the reply letter).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TextForm {
    text: String,
}

/// A reconsideration or lawsuit as the console registers it; empty dates and notes are
/// left out.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReviewForm {
    kind: String,
    filed_on: String,
    result: String,
    decided_on: String,
    note: String,
}

/// The console's step form. One form serves every step, so the fields that mean the
/// party for different steps have names of their own; numbers arrive as text so that a
/// wrong one gets a sentence, not a parser's error.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    kind: String,
    on_date: String,
    note: String,
    days: String,
    approver: String,
    outcome: String,
    basis: String,
    /// A consultation's party (third_party, agency).
    party: String,
    /// A fee notice's method (per_request, per_page).
    fee_method: String,
    /// A joint review's organisation.
    review_org: String,
    due_by: String,
    amount: String,
    to_user_id: String,
    to_org_id: String,
}

impl StepForm {
    /// The step as the app takes it, or the sentence for a number that is not one.
    fn input(self) -> Result<StepInput, String> {
        let some = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let number = |v: &str| match v.trim() {
            "" => Ok(None),
            t => t.parse::<i64>().map(Some).map_err(|_| format!("“{t}”不是整数")),
        };
        let days = number(&self.days)?;
        let (amount, to_user_id, to_org_id) =
            (number(&self.amount)?, number(&self.to_user_id)?, number(&self.to_org_id)?);
        let party = match StepKind::parse_any(&self.kind) {
            Some(StepKind::FeeNotice) => some(self.fee_method),
            Some(StepKind::JointReview) => some(self.review_org),
            _ => some(self.party),
        };
        Ok(StepInput {
            kind: self.kind,
            on_date: self.on_date,
            note: some(self.note),
            // A negative or huge number is refused by the rules as out of range.
            days: days.map(|d| u32::try_from(d).unwrap_or(0)),
            approver: some(self.approver),
            outcome: some(self.outcome),
            basis: some(self.basis),
            party,
            due_by: some(self.due_by),
            amount,
            to_user_id,
            to_org_id,
        })
    }
}

async fn event(State(s): State<WebState>, crate::error::Id(id): crate::error::Id, f: StaffForm<StepForm>) -> Response {
    let StaffForm { caller: c, actor, form } = f;
    let actor = &actor;
    let input = match form.input() {
        Ok(i) => i,
        Err(e) => return back_to(&s, &c, id, format!("未能登记：{e}")).await,
    };
    match s.app.record_request_step(actor, id, input).await {
        // Transferred to an organisation the actor cannot see: back to the queue.
        Ok(d) if !actor.may_see_org(d.request.org_id) => Redirect::to("/admin/requests").into_response(),
        Ok(_) => back_to(&s, &c, id, "已登记").await,
        Err(e) => back_to(&s, &c, id, format!("未能登记：{e}")).await,
    }
}

async fn letter(State(s): State<WebState>, crate::error::Id(id): crate::error::Id, f: StaffForm<TextForm>) -> Response {
    let StaffForm { caller: c, actor, form: f } = f;
    let actor = &actor;
    let msg = match s.app.save_letter(actor, id, &f.text).await {
        Ok(_) => "答复书已保存".to_string(),
        Err(e) => format!("未能保存：{e}"),
    };
    back_to(&s, &c, id, msg).await
}

async fn case(
    State(s): State<WebState>,
    crate::error::Id(id): crate::error::Id,
    f: StaffForm<gongkai_app::cases::CaseInput>,
) -> Response {
    let StaffForm { caller: c, actor, form: f } = f;
    let actor = &actor;
    let msg = match s.app.publish_case(actor, id, f).await {
        Ok(c) => format!("已编入案例库：{}", c.title),
        Err(e) => format!("未能编入案例库：{e}"),
    };
    back_to(&s, &c, id, msg).await
}

async fn review(
    State(s): State<WebState>,
    crate::error::Id(id): crate::error::Id,
    f: StaffForm<ReviewForm>,
) -> Response {
    let StaffForm { caller: c, actor, form: f } = f;
    let actor = &actor;
    let some = |v: String| Some(v).filter(|v| !v.trim().is_empty());
    let input = gongkai_app::requests::ReviewInput {
        kind: f.kind,
        filed_on: f.filed_on,
        result: f.result,
        decided_on: some(f.decided_on),
        note: some(f.note),
    };
    let msg = match s.app.record_review(actor, id, input).await {
        Ok(_) => "已登记复议或诉讼".to_string(),
        Err(e) => format!("未能登记：{e}"),
    };
    back_to(&s, &c, id, msg).await
}

async fn attachment(
    State(s): State<WebState>,
    crate::error::IdPair(id, aid): crate::error::IdPair,
    Staff { actor, .. }: Staff,
) -> Response {
    let actor = &actor;
    match s.app.request_attachment(actor, id, aid).await {
        Ok(d) => (
            [
                (header::CONTENT_TYPE, d.content_type),
                (header::CONTENT_DISPOSITION, views::attachment_disposition(&d.file_name)),
                // Personal documents: never kept by a shared cache.
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            d.content,
        )
            .into_response(),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Template)]
#[template(path = "requests/report.html")]
struct ReportPage {
    frame: views::Frame,
    year: i32,
    org: Option<i64>,
    orgs: Vec<(i64, String)>,
    district_wide: bool,
    report: AnnualReport,
    /// (part, width in columns, rows); a row whose cells after the first are empty is a
    /// heading spanning the table.
    tables: Vec<(&'static str, usize, Vec<Vec<String>>)>,
    message: String,
}

impl ReportPage {
    fn is_org(&self, id: &i64) -> bool {
        self.org == Some(*id)
    }
    fn is_heading(&self, row: &[String]) -> bool {
        row.iter().skip(1).all(|c| c.is_empty())
    }
    fn query(&self) -> String {
        match self.org {
            Some(o) => format!("year={}&org={o}", self.year),
            None => format!("year={}", self.year),
        }
    }
}

#[derive(Deserialize, Default)]
struct ReportParams {
    year: Option<String>,
    org: Option<String>,
}

async fn report_page(s: &WebState, c: &Caller, year: i32, org: Option<i64>, message: String) -> Response {
    let actor = match need(c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let report = match s.app.annual_report(actor, year, org).await {
        Ok(r) => r,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let orgs = s
        .app
        .orgs()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| actor.may_see_org(o.id))
        .map(|o| (o.id, o.name))
        .collect();
    let tables = report
        .tables()
        .into_iter()
        .map(|(name, rows)| (name, rows.iter().map(Vec::len).max().unwrap_or(1), rows))
        .collect();
    render(&ReportPage {
        frame: frame(s, c, "政府信息公开工作年度报告"),
        year,
        org: report.org_id,
        orgs,
        district_wide: actor.role.is_district_wide(),
        report,
        tables,
        message,
    })
}

/// The year asked for; the last full year by default, as the report is written in January.
fn report_year(s: &WebState, v: Option<&String>) -> Result<i32, String> {
    match v.map(|y| y.trim()).filter(|y| !y.is_empty()) {
        None => Ok(s.app.today().year() - 1),
        Some(y) => y.parse().map_err(|_| format!("年份“{y}”应为四位数字")),
    }
}

fn report_org(v: Option<&String>) -> Result<Option<i64>, String> {
    match v.map(|o| o.trim()).filter(|o| !o.is_empty()) {
        None => Ok(None),
        Some(o) => o.parse().map(Some).map_err(|_| format!("机关编号“{o}”无效")),
    }
}

async fn report(State(s): State<WebState>, c: Caller, q: Result<Query<ReportParams>, QueryRejection>) -> Response {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    match (report_year(&s, p.year.as_ref()), report_org(p.org.as_ref())) {
        (Ok(y), Ok(o)) => {
            let notice = crate::flash::take_notice(&s, &c).await;
            report_page(&s, &c, y, o, notice).await
        }
        (Err(e), _) | (_, Err(e)) => views::error_page(&s.app.config.site_name, &AppError::field("year", e)),
    }
}

async fn report_figures(State(s): State<WebState>, f: StaffForm<Fields>) -> Response {
    let StaffForm { caller: c, actor, form: f } = f;
    let actor = &actor;
    let (year, org) = match (report_year(&s, f.get("year")), report_org(f.get("org"))) {
        (Ok(y), Ok(o)) => (y, o),
        (Err(e), _) | (_, Err(e)) => return views::error_page(&s.app.config.site_name, &AppError::field("year", e)),
    };
    let count = |k: &str, label: &str| -> Result<u64, String> {
        let v = f.get(k).map(|v| v.trim()).unwrap_or("");
        if v.is_empty() {
            return Ok(0);
        }
        v.parse().map_err(|_| format!("{label}应为非负整数"))
    };
    let figures = (|| -> Result<gongkai_domain::report::EnteredFigures, String> {
        Ok(gongkai_domain::report::EnteredFigures {
            licensing: count("licensing", "行政许可处理决定数量")?,
            penalty: count("penalty", "行政处罚处理决定数量")?,
            enforcement: count("enforcement", "行政强制处理决定数量")?,
            fees_wan_yuan: match f.get("fees_wan_yuan").map(|v| v.trim()).unwrap_or("") {
                "" => 0.0,
                v => v.parse().map_err(|_| "行政事业性收费金额应为数字（万元）".to_string())?,
            },
        })
    })();
    let msg = match figures {
        Err(e) => format!("未能保存：{e}"),
        Ok(fig) => match s.app.enter_report_figures(actor, year, org, fig).await {
            Ok(()) => "已保存填报数据".into(),
            Err(e) => format!("未能保存：{e}"),
        },
    };
    let back = match org {
        Some(o) => format!("/admin/reports/annual?year={year}&org={o}"),
        None => format!("/admin/reports/annual?year={year}"),
    };
    crate::flash::redirect_notice(&s, &c, &back, msg).await
}
