//! A request in the console: its applicant (identity masked until asked, and the asking
//! audited), timeline and due-date reckoning, a typed form for each handling step, the
//! reply letter, the case-library entry, reconsiderations and lawsuits, the applicant's
//! files.

use super::console::TextForm;
use crate::WebState;
use crate::admin::{frame, need};
use crate::auth::Caller;
use crate::forms::{NoFields, Staff, StaffForm};
use crate::views::{self, Feedback};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_app::AppError;
use gongkai_app::requests::{Letter, RequestDetail, StepInput};
use gongkai_domain::handling::{RequestStatus, StepKind};
use gongkai_domain::request::Outcome;
use serde::Deserialize;

pub(super) fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/requests/{id}", get(detail))
        .route("/admin/requests/{id}/events", post(event))
        .route("/admin/requests/{id}/identity", post(reveal_identity))
        .route("/admin/requests/{id}/letter", post(letter))
        .route("/admin/requests/{id}/case", post(case))
        .route("/admin/requests/{id}/reviews", post(review))
        .route("/admin/requests/{id}/attachments/{aid}", get(attachment))
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
    /// The per-page fee for the number of pages asked for, in words.
    fee_pages: Option<(u32, String)>,
    fb: Feedback,
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
        if let Some(o) = e.outcome {
            out.push(format!("{}：{}", o.group(), o.label()));
        }
        if let Some(b) = &e.basis {
            out.push(format!("依据：{b}"));
        }
        out.join("；")
    }
}

async fn detail_page(s: &WebState, c: &Caller, id: i64, fee_pages: Option<u32>, fb: Feedback) -> Response {
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
    let fee_pages = match fee_pages {
        Some(n) => Some((
            n,
            match s.app.fee_quote(actor, id, "per_page", Some(n)).await {
                Ok(f) => format!("{n}页：{}元（{}）", f.total_yuan, f.explain()),
                Err(e) => e.to_string(),
            },
        )),
        None => None,
    };
    let id_revealed = crate::flash::take_reveal(s, c, id).await;
    let id_shown =
        if id_revealed { d.request.id_number.clone() } else { gongkai_domain::privacy::mask_id(&d.request.id_number) };
    let frame = frame(s, c, &title);
    views::render_as(
        fb.status(),
        &DetailPage {
            frame,
            d,
            letter,
            outcomes,
            staff,
            orgs,
            org_name,
            today,
            fee,
            fee_pages,
            fb,
            id_shown,
            id_revealed,
        },
    )
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

#[derive(Deserialize, Default)]
struct DetailParams {
    pages: Option<String>,
}

async fn detail(
    State(s): State<WebState>,
    c: Caller,
    crate::error::Id(id): crate::error::Id,
    q: Result<Query<DetailParams>, QueryRejection>,
) -> Response {
    // A page count that is not one is left out (the box is shown empty again).
    let pages = q.ok().and_then(|Query(p)| p.pages).and_then(|p| p.trim().parse().ok()).filter(|n| *n > 0);
    let notice = crate::flash::take_notice(&s, &c).await;
    detail_page(&s, &c, id, pages, Feedback::notice(notice)).await
}

/// The request's page again, with form `form` shown as it was sent and why it was refused.
async fn refused(
    s: &WebState,
    c: &Caller,
    id: i64,
    form: &'static str,
    fields: Vec<(String, String)>,
    e: &AppError,
) -> Response {
    detail_page(s, c, id, None, Feedback::refused(form, fields, e)).await
}

/// Back to the request's page, which shows `msg` once (Post/Redirect/Get).
pub(super) async fn back_to(s: &WebState, c: &Caller, id: i64, msg: impl Into<String>) -> Response {
    crate::flash::redirect_notice(s, c, &format!("/admin/requests/{id}"), msg).await
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
    /// Which of the page's step forms sent it (assign, transfer, step).
    form: String,
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
    /// The step as the app takes it, or the field whose number is not one.
    fn input(self) -> Result<StepInput, AppError> {
        let some = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let number = |field: &'static str, v: &str| match v.trim() {
            "" => Ok(None),
            t => t.parse::<i64>().map(Some).map_err(|_| AppError::field(field, format!("“{t}”不是整数"))),
        };
        let days = number("days", &self.days)?;
        let (amount, to_user_id, to_org_id) = (
            number("amount", &self.amount)?,
            number("to_user_id", &self.to_user_id)?,
            number("to_org_id", &self.to_org_id)?,
        );
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
    let StaffForm { caller: c, actor, form, fields } = f;
    let actor = &actor;
    // Three forms post steps: which one is shown again when refused.
    let which = match form.form.as_str() {
        "assign" => "assign",
        "transfer" => "transfer",
        _ => "step",
    };
    let kind = StepKind::parse_any(&form.kind);
    let result = match form.input() {
        Ok(input) => s.app.record_request_step(actor, id, input).await,
        Err(e) => Err(e),
    };
    match result {
        // Transferred to an organisation the actor cannot see: back to the queue.
        Ok(d) if !actor.may_see_org(d.request.org_id) => Redirect::to("/admin/requests").into_response(),
        Ok(_) => back_to(&s, &c, id, "已登记").await,
        Err(e) => refused(&s, &c, id, which, fields, &step_form_error(e, kind)).await,
    }
}

/// The rules name a step's party `party` whatever the step; the form has a field for
/// each meaning of it.
fn step_form_error(e: AppError, kind: Option<StepKind>) -> AppError {
    let AppError::Step(r) = &e else { return e };
    match (r.field(), kind) {
        (Some("party"), Some(StepKind::FeeNotice)) => AppError::field("fee_method", r.to_string()),
        (Some("party"), Some(StepKind::JointReview)) => AppError::field("review_org", r.to_string()),
        _ => e,
    }
}

async fn letter(State(s): State<WebState>, crate::error::Id(id): crate::error::Id, f: StaffForm<TextForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    match s.app.save_letter(actor, id, &f.text).await {
        Ok(_) => back_to(&s, &c, id, "答复书已保存").await,
        Err(e) => refused(&s, &c, id, "letter", fields, &e).await,
    }
}

async fn case(
    State(s): State<WebState>,
    crate::error::Id(id): crate::error::Id,
    f: StaffForm<gongkai_app::requests::cases::CaseInput>,
) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    match s.app.publish_case(actor, id, f).await {
        Ok(case) => back_to(&s, &c, id, format!("已编入案例库：{}", case.title)).await,
        Err(e) => refused(&s, &c, id, "case", fields, &e).await,
    }
}

async fn review(
    State(s): State<WebState>,
    crate::error::Id(id): crate::error::Id,
    f: StaffForm<ReviewForm>,
) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    let some = |v: String| Some(v).filter(|v| !v.trim().is_empty());
    let input = gongkai_app::requests::ReviewInput {
        kind: f.kind,
        filed_on: f.filed_on,
        result: f.result,
        decided_on: some(f.decided_on),
        note: some(f.note),
    };
    match s.app.record_review(actor, id, input).await {
        Ok(_) => back_to(&s, &c, id, "已登记复议或诉讼").await,
        Err(e) => refused(&s, &c, id, "review", fields, &e).await,
    }
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
