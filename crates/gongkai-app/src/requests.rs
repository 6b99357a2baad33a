//! Requests for disclosure (依申请公开): intake from the public form and the API, staff
//! registration of requests that came in person, by post or by fax, the legal reply date on
//! the official calendar, and the applicant's tracking page.

use crate::{Actor, App, AppError, Result, sha256_hex};
use gongkai_domain::deadline::{FirstDay, ReplyDue, RequestClock};
use gongkai_domain::request::{self, Application, Channel, Outcome, QUERY_CODE_LEN};
use gongkai_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use gongkai_store::{document, info_request, org, report_figure, request_event, request_review};
use serde::{Deserialize, Serialize};
use time::Date;

/// A request as submitted: the application, the organisation asked, and for staff the
/// channel it came through and the receipt date that channel's rule gives.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewRequest {
    #[serde(flatten)]
    pub application: Application,
    pub org_id: i64,
    /// Staff only; the public form is always `online`.
    pub channel: Option<String>,
    /// Staff only: YYYY-MM-DD.
    pub received_on: Option<String>,
}

/// What the applicant is given: keep the query code, it is shown once.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub tracking_no: String,
    pub query_code: String,
    pub received_on: Date,
    pub due_on: Date,
    /// How the due date was counted, day by day.
    pub due: ReplyDue,
}

/// What the tracking page shows: no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatus {
    pub tracking_no: String,
    pub org_name: String,
    pub received_on: Date,
    pub due_on: Option<Date>,
    pub status: String,
    pub status_label: String,
    pub events: Vec<PublicEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicEvent {
    pub on_date: Date,
    pub label: String,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "received" => "已受理，正在办理",
        "clarifying" => "待申请人补正",
        "consulting" => "征求意见中",
        "decided" => "已答复",
        "closed" => "已办结",
        _ => "办理中",
    }
}

/// How the timeline names a step, on the tracking page and in the console.
pub fn event_label(kind: &str) -> String {
    match kind {
        "received" => "收到申请",
        "clarification" => "发出补正告知",
        "clarified" => "收到补正材料",
        "consultation" => "征求意见（期间不计入答复期限）",
        "consultation_reply" => "收到征求意见的答复",
        "extension" => "延长答复期限",
        "decision" => "作出答复决定",
        "letter" => "修改答复书",
        "joint_review" => "联合会商",
        "delivery" => "答复书已送达",
        other => other,
    }
    .to_string()
}

/// The same answer for an unknown number and a wrong code: neither reveals anything.
fn not_found() -> AppError {
    AppError::NotFound("受理编号或查询码不正确".into())
}

impl App {
    /// Takes in a request. `actor` is None for the public form and the public API (always
    /// online, received today); staff register other channels with the channel's date.
    pub async fn submit_request(&self, actor: Option<&Actor>, input: NewRequest) -> Result<Receipt> {
        let (app, mut errs) = match request::validate(&input.application) {
            Ok(a) => (Some(a), vec![]),
            Err(e) => (None, e),
        };
        let channel = match (actor, input.channel.as_deref().map(str::trim).filter(|c| !c.is_empty())) {
            (None, None | Some("online")) => Some(Channel::Online),
            (None, Some(_)) => {
                errs.push(gongkai_domain::FieldError::new("channel", "网上申请的渠道只能是 online"));
                None
            }
            (Some(_), None) => Some(Channel::Online),
            (Some(_), Some(c)) => Channel::parse(c).or_else(|| {
                errs.push(gongkai_domain::FieldError::new(
                    "channel",
                    "渠道应为 online、in_person、post_signed、post_unsigned 或 fax",
                ));
                None
            }),
        };
        let stated = parse_date_into("received_on", &input.received_on, &mut errs);
        let today = self.today();
        let received = match channel {
            Some(c) if errs.iter().all(|e| e.field != "received_on") => match request::receipt_date(c, stated, today) {
                Ok(d) => Some(d),
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
            _ => None,
        };
        let target = org::Entity::find_by_id(input.org_id).one(self.store.conn()).await?;
        if target.is_none() {
            errs.push(gongkai_domain::FieldError::new("org_id", "请选择受理申请的机关"));
        }
        if let (Some(a), Some(o)) = (actor, &target)
            && !a.may_see_org(o.id)
        {
            return Err(AppError::Forbidden("只能登记本机关收到的申请".into()));
        }
        let (Some(app), Some(channel), Some(received), Some(target), true) =
            (app, channel, received, target, errs.is_empty())
        else {
            return Err(AppError::Validation(errs));
        };
        let cal = self.calendar().await?;
        let clock = RequestClock { received_on: Some(received), ..Default::default() };
        let due = clock
            .reply_due(&cal, FirstDay::default())
            .map_err(|e| AppError::Rule(e.to_string()))?
            .ok_or_else(|| AppError::Internal("no due date for a received request".into()))?;
        let query_code = new_query_code()?;
        let now = self.now();
        let tx = self.store.begin_write().await?;
        // Writers are serialised (Store::begin_write), so the next number is safe to take.
        let prefix = request::tracking_no(received.year(), 0);
        let prefix = &prefix[..prefix.len() - 6];
        let last = info_request::Entity::find()
            .filter(info_request::Column::TrackingNo.starts_with(prefix))
            .order_by_desc(info_request::Column::TrackingNo)
            .one(&*tx)
            .await?;
        let seq = last.and_then(|m| m.tracking_no[prefix.len()..].parse::<u32>().ok()).unwrap_or(0) + 1;
        let tracking_no = request::tracking_no(received.year(), seq);
        let row = NewRow {
            tracking_no: &tracking_no,
            query_code: &query_code,
            org_id: target.id,
            channel,
            received,
            due: Some(due.due),
            status: "received",
            created_by: actor.and_then(|a| a.user_id),
            now,
        };
        let m = request_row(row, app).insert(&*tx).await?;
        request_event::ActiveModel {
            request_id: Set(m.id),
            kind: Set("received".into()),
            on_date: Set(received),
            at: Set(now),
            user_id: Set(actor.and_then(|a| a.user_id)),
            note: Set(format!("{}：{}", channel.label(), channel.receipt_rule())),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        // The audit row names the request, never the applicant.
        let public = Actor {
            user_id: None,
            username: "public".into(),
            display_name: "公众".into(),
            role: gongkai_domain::Role::Editor,
            org_id: target.id,
        };
        self.audit(
            &*tx,
            actor.unwrap_or(&public),
            "request.receive",
            "info_request",
            Some(m.id),
            None,
            Some(serde_json::json!({
                "tracking_no": m.tracking_no, "org_id": m.org_id, "channel": m.channel,
                "received_on": received.to_string(), "due_on": due.due.to_string(),
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(Receipt { tracking_no, query_code, received_on: received, due_on: due.due, due })
    }

    /// The applicant's view of a request, given its number and query code.
    pub async fn track_request(&self, tracking_no: &str, query_code: &str) -> Result<PublicStatus> {
        let tracking_no = tracking_no.trim().to_ascii_uppercase();
        let code = query_code.trim().to_ascii_uppercase();
        if tracking_no.is_empty() || code.is_empty() || tracking_no.len() > 32 || code.len() > 32 {
            return Err(not_found());
        }
        let conn = self.store.conn();
        let Some(m) = info_request::Entity::find()
            .filter(info_request::Column::TrackingNo.eq(tracking_no))
            .one(conn)
            .await?
            .filter(|m| m.query_code_hash == sha256_hex(&code))
        else {
            return Err(not_found());
        };
        let org_name = org::Entity::find_by_id(m.org_id).one(conn).await?.map(|o| o.name).unwrap_or_default();
        let events = request_event::Entity::find()
            .filter(request_event::Column::RequestId.eq(m.id))
            .order_by_asc(request_event::Column::Id)
            .all(conn)
            .await?
            .into_iter()
            .map(|e| PublicEvent { on_date: e.on_date, label: event_label(&e.kind) })
            .collect();
        Ok(PublicStatus {
            tracking_no: m.tracking_no,
            org_name,
            received_on: m.received_on,
            due_on: m.due_on,
            status_label: status_label(&m.status).into(),
            status: m.status,
            events,
        })
    }
}

/// One handling step recorded by staff.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventInput {
    /// clarification, clarified, consultation, consultation_reply, extension, decision
    pub kind: String,
    /// YYYY-MM-DD: the day it happened (notice sent, reply received, …).
    pub on_date: String,
    pub note: Option<String>,
    /// extension: working days, at most 20.
    pub days: Option<u32>,
    /// extension: who approved it (第三十三条: the head of the disclosure office).
    pub approver: Option<String>,
    /// decision: one of the national outcome categories.
    pub outcome: Option<String>,
    /// decision: the legal basis cited.
    pub basis: Option<String>,
    /// consultation: `third_party` (第三十二条) or `agency` (第三十四条);
    /// joint_review: the organisation giving its opinion.
    pub party: Option<String>,
}

/// The staff view of a request, applicant data included.
#[derive(Debug, Clone, Serialize)]
pub struct RequestDetail {
    pub request: info_request::Model,
    pub events: Vec<request_event::Model>,
    /// The reply date and how it was counted; None while the clock is stopped.
    pub due: Option<ReplyDue>,
    /// While a consultation is open: the date the consulted party should answer by, 15
    /// working days after it was asked (第三十二条, 第三十四条).
    pub consultation_answer_due: Option<Date>,
}

/// One row of a supervision queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueRow {
    pub id: i64,
    pub tracking_no: String,
    pub org_id: i64,
    pub status: String,
    pub received_on: Date,
    pub due_on: Option<Date>,
    /// Working days left after today up to the due date (0: due today; negative: overdue).
    pub working_days_left: Option<i64>,
    /// `overdue`, `1`, `3`, `5` (days-left thresholds) or empty.
    pub warning: String,
}

fn parse_date_into(
    field: &'static str,
    v: &Option<String>,
    errs: &mut Vec<gongkai_domain::FieldError>,
) -> Option<Date> {
    crate::documents::parse_date(field, "日期", v, errs)
}

/// A required date: YYYY-MM-DD.
fn parse_date(field: &'static str, s: &str) -> Result<Date> {
    let mut errs = Vec::new();
    parse_date_into(field, &Some(s.to_string()), &mut errs).ok_or_else(|| {
        if errs.is_empty() {
            AppError::field(field, "请填写日期（YYYY-MM-DD）")
        } else {
            AppError::Validation(errs)
        }
    })
}

/// A fresh query code: its hash is stored, the code itself is shown once.
fn new_query_code() -> Result<String> {
    let mut random = [0u8; QUERY_CODE_LEN];
    getrandom::fill(&mut random).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(request::query_code(&random))
}

/// The open consultation (asked, not yet answered), if any.
fn open_consultation(events: &[request_event::Model]) -> Option<&request_event::Model> {
    let asked = events.iter().filter(|e| e.kind == "consultation").count();
    let answered = events.iter().filter(|e| e.kind == "consultation_reply").count();
    if asked > answered { events.iter().rev().find(|e| e.kind == "consultation") } else { None }
}

/// What a new request row holds, whichever way it came in.
struct NewRow<'a> {
    tracking_no: &'a str,
    query_code: &'a str,
    org_id: i64,
    channel: Channel,
    received: Date,
    due: Option<Date>,
    status: &'a str,
    created_by: Option<i64>,
    now: time::OffsetDateTime,
}

fn request_row(r: NewRow, app: request::ValidApplication) -> info_request::ActiveModel {
    info_request::ActiveModel {
        tracking_no: Set(r.tracking_no.to_string()),
        query_code_hash: Set(sha256_hex(r.query_code)),
        org_id: Set(r.org_id),
        channel: Set(r.channel.code().into()),
        received_on: Set(r.received),
        due_on: Set(r.due),
        status: Set(r.status.into()),
        applicant_kind: Set(app.applicant_kind.code().into()),
        name: Set(app.name),
        id_number: Set(app.id_number),
        contact_person: Set(app.contact_person),
        phone: Set(app.phone),
        email: Set(app.email),
        address: Set(app.address),
        medium: Set(app.medium.code().into()),
        delivery: Set(app.delivery.code().into()),
        purpose: Set(app.purpose),
        created_by: Set(r.created_by),
        created_at: Set(r.now),
        description: Set(app.description),
        ..Default::default()
    }
}

/// The deadline facts recorded so far.
fn clock_of(m: &info_request::Model, events: &[request_event::Model]) -> (RequestClock, bool) {
    let mut clock = RequestClock { received_on: Some(m.received_on), ..Default::default() };
    let mut open_consultation: Option<Date> = None;
    for e in events {
        match e.kind.as_str() {
            "clarification" => clock.clarification_sent_on = Some(e.on_date),
            "clarified" => clock.clarified_on = Some(e.on_date),
            "consultation" => open_consultation = Some(e.on_date),
            "consultation_reply" => {
                if let Some(from) = open_consultation.take() {
                    clock.consultations.push(gongkai_domain::deadline::Excluded {
                        from,
                        to: e.on_date,
                        reason: "征求第三方或其他机关意见".into(),
                    });
                }
            }
            "extension" => {
                clock.extension_days = e.note.split('|').next().and_then(|d| d.parse().ok()).unwrap_or(0);
            }
            _ => {}
        }
    }
    (clock, open_consultation.is_some())
}

impl App {
    async fn request_for(&self, actor: &Actor, id: i64) -> Result<(info_request::Model, Vec<request_event::Model>)> {
        let conn = self.store.conn();
        let m = info_request::Entity::find_by_id(id)
            .one(conn)
            .await?
            .filter(|m| actor.may_see_org(m.org_id))
            .ok_or_else(|| AppError::NotFound("没有这件申请，或不属于本机关".into()))?;
        let events = request_event::Entity::find()
            .filter(request_event::Column::RequestId.eq(id))
            .order_by_asc(request_event::Column::Id)
            .all(conn)
            .await?;
        Ok((m, events))
    }

    async fn due_of(&self, m: &info_request::Model, events: &[request_event::Model]) -> Result<Option<ReplyDue>> {
        let (clock, consulting) = clock_of(m, events);
        if consulting {
            return Ok(None); // stopped until the consulted party answers
        }
        let cal = self.calendar().await?;
        clock.reply_due(&cal, FirstDay::default()).map_err(|e| AppError::Rule(e.to_string()))
    }

    pub async fn request_detail(&self, actor: &Actor, id: i64) -> Result<RequestDetail> {
        let (request, events) = self.request_for(actor, id).await?;
        let due = self.due_of(&request, &events).await?;
        let consultation_answer_due = match open_consultation(&events) {
            Some(e) => {
                let cal = self.calendar().await?;
                Some(
                    gongkai_domain::deadline::add_working_days(&cal, e.on_date, 15, FirstDay::NextDay, &[])
                        .map_err(|e| AppError::Rule(e.to_string()))?
                        .due,
                )
            }
            _ => None,
        };
        Ok(RequestDetail { request, events, due, consultation_answer_due })
    }

    /// Records a handling step, after checking it against the regulation's rules, and
    /// recomputes the reply date.
    pub async fn record_request_event(&self, actor: &Actor, id: i64, input: EventInput) -> Result<RequestDetail> {
        let (m, events) = self.request_for(actor, id).await?;
        let on = parse_date("on_date", &input.on_date)?;
        if on > self.today() {
            return Err(AppError::field("on_date", "日期不能晚于今天"));
        }
        if on < m.received_on {
            return Err(AppError::field("on_date", "日期不能早于收到申请之日"));
        }
        let has = |k: &str| events.iter().any(|e| e.kind == k);
        if has("delivery") {
            return Err(AppError::Rule("这件申请已经办结".into()));
        }
        if has("decision") && input.kind.trim() != "delivery" {
            return Err(AppError::Rule("这件申请已经作出答复决定".into()));
        }
        let note = input.note.clone().unwrap_or_default().trim().to_string();
        let (kind, status, stored_note) = match input.kind.trim() {
            "clarification" => {
                if has("clarification") {
                    return Err(AppError::Rule("补正只能一次性告知，这件申请已经发出过补正通知（第三十条）".into()));
                }
                let cal = self.calendar().await?;
                let limit = RequestClock { received_on: Some(m.received_on), ..Default::default() }
                    .clarification_limit(&cal, FirstDay::default())
                    .map_err(|e| AppError::Rule(e.to_string()))?;
                if let Some(limit) = limit
                    && on > limit
                {
                    return Err(AppError::Rule(format!(
                        "补正通知应在收到申请之日起7个工作日内（{limit}前）一次性发出（第三十条）"
                    )));
                }
                if note.is_empty() {
                    return Err(AppError::field("note", "请写明需要补正的事项和合理的补正期限"));
                }
                ("clarification", "clarifying", note)
            }
            "clarified" => {
                let sent = events.iter().find(|e| e.kind == "clarification").map(|e| e.on_date);
                match sent {
                    None => return Err(AppError::Rule("没有发出补正通知，不能登记补正材料".into())),
                    Some(s) if on < s => return Err(AppError::field("on_date", "收到补正材料的日期不能早于补正通知")),
                    _ => {}
                }
                if has("clarified") {
                    return Err(AppError::Rule("已经登记过补正材料".into()));
                }
                ("clarified", "received", note)
            }
            "consultation" => {
                if note.is_empty() {
                    return Err(AppError::field("note", "请写明征求意见的第三方或机关"));
                }
                let who = match input.party.as_deref().map(str::trim) {
                    Some("third_party") => "征求第三方意见（第三十二条）",
                    Some("agency") => "征求其他机关意见（第三十四条）",
                    _ => {
                        return Err(AppError::field(
                            "party",
                            "请选择征求意见的对象：third_party（第三方）或 agency（其他机关）",
                        ));
                    }
                };
                let note = format!("{who}：{note}");
                if open_consultation(&events).is_some() {
                    return Err(AppError::Rule("上一次征求意见尚未收到答复".into()));
                }
                ("consultation", "consulting", note)
            }
            "consultation_reply" => {
                match open_consultation(&events).map(|e| e.on_date) {
                    Some(asked) if on >= asked => {}
                    Some(_) => return Err(AppError::field("on_date", "答复日期不能早于征求意见之日")),
                    None => return Err(AppError::Rule("没有正在进行的征求意见".into())),
                }
                ("consultation_reply", "received", note)
            }
            "extension" => {
                if has("extension") {
                    return Err(AppError::Rule("答复期限只能延长一次".into()));
                }
                let days = input.days.unwrap_or(0);
                if !(1..=gongkai_domain::deadline::MAX_EXTENSION).contains(&days) {
                    return Err(AppError::field("days", "延长答复期限最长不得超过20个工作日（第三十三条）"));
                }
                let approver = input.approver.clone().unwrap_or_default().trim().to_string();
                if approver.is_empty() {
                    return Err(AppError::field(
                        "approver",
                        "延长答复期限须经政府信息公开工作机构负责人同意，请填写批准人",
                    ));
                }
                ("extension", m.status.as_str(), format!("{days}|{approver}|{note}"))
            }
            "decision" => {
                let outcome = input
                    .outcome
                    .as_deref()
                    .and_then(Outcome::parse)
                    .ok_or_else(|| AppError::field("outcome", "请选择答复结果（年度报告规定的类别）"))?;
                let basis = input.basis.clone().unwrap_or_default().trim().to_string();
                if basis.is_empty() {
                    return Err(AppError::field("basis", "答复决定须写明法律依据（如：第三十六条第（三）项）"));
                }
                ("decision", "decided", format!("{}|{basis}|{note}", outcome.code()))
            }
            "joint_review" => {
                // 联合会商: several organisations record their opinions on a hard case; the
                // clock is not affected.
                let party = input.party.clone().unwrap_or_default().trim().to_string();
                if party.is_empty() || note.is_empty() {
                    return Err(AppError::field("note", "联合会商须写明参加机关（party）及其意见（note）"));
                }
                ("joint_review", m.status.as_str(), format!("{party}：{note}"))
            }
            "delivery" => {
                if !has("decision") {
                    return Err(AppError::Rule("作出答复决定后才能登记送达".into()));
                }
                if note.is_empty() {
                    return Err(AppError::field("note", "请写明送达方式（如：电子邮件送达、邮寄送达并附挂号信单号）"));
                }
                ("delivery", "closed", note)
            }
            _ => {
                return Err(AppError::field(
                    "kind",
                    "办理环节应为 clarification、clarified、consultation、consultation_reply、joint_review、extension、decision 或 delivery",
                ));
            }
        };
        let status = status.to_string();
        let now = self.now();
        let new = request_event::Model {
            id: 0,
            request_id: m.id,
            kind: kind.into(),
            on_date: on,
            at: now,
            user_id: actor.user_id,
            note: stored_note,
        };
        // The new reply date, before anything is written: a step the calendar cannot place
        // changes nothing.
        let mut all = events.clone();
        all.push(new.clone());
        let due = self.due_of(&m, &all).await?;
        let tx = self.store.begin_write().await?;
        request_event::ActiveModel {
            request_id: Set(new.request_id),
            kind: Set(new.kind),
            on_date: Set(new.on_date),
            at: Set(new.at),
            user_id: Set(new.user_id),
            note: Set(new.note),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        let mut am: info_request::ActiveModel = m.clone().into();
        am.status = Set(status.clone());
        am.due_on = Set(due.as_ref().map(|d| d.due));
        am.update(&*tx).await?;
        self.audit(
            &*tx,
            actor,
            &format!("request.{kind}"),
            "info_request",
            Some(m.id),
            Some(serde_json::json!({"status": m.status, "due_on": m.due_on.map(|d| d.to_string())})),
            Some(serde_json::json!({"status": status, "due_on": due.as_ref().map(|d| d.due.to_string())})),
        )
        .await?;
        tx.commit().await?;
        self.request_detail(actor, id).await
    }

    /// The supervision queue: open requests by due date, with 5/3/1-working-day warnings
    /// and overdue ones marked. The district office sees every organisation's.
    pub async fn request_queue(&self, actor: &Actor) -> Result<Vec<QueueRow>> {
        let mut q = info_request::Entity::find()
            .filter(info_request::Column::Status.ne("decided"))
            .filter(info_request::Column::Status.ne("closed"));
        if !actor.role.is_district_wide() {
            q = q.filter(info_request::Column::OrgId.eq(actor.org_id));
        }
        let rows = q.order_by_asc(info_request::Column::DueOn).all(self.store.conn()).await?;
        let cal = self.calendar().await?;
        let today = self.today();
        let mut out = Vec::new();
        for m in rows {
            let left = match m.due_on {
                None => None,
                Some(due) => Some(working_days_between(&cal, today, due).map_err(|e| AppError::Rule(e.to_string()))?),
            };
            let warning = match left {
                Some(n) if n < 0 => "overdue",
                Some(n) if n <= 1 => "1",
                Some(n) if n <= 3 => "3",
                Some(n) if n <= 5 => "5",
                _ => "",
            };
            out.push(QueueRow {
                id: m.id,
                tracking_no: m.tracking_no,
                org_id: m.org_id,
                status: m.status,
                received_on: m.received_on,
                due_on: m.due_on,
                working_days_left: left,
                warning: warning.into(),
            });
        }
        // Stopped clocks (no due date) last.
        out.sort_by_key(|r| (r.due_on.is_none(), r.due_on));
        Ok(out)
    }
}

/// Working days after `today` up to and including `due`; negative when `due` has passed.
fn working_days_between(
    cal: &gongkai_domain::calendar::WorkCalendar,
    today: Date,
    due: Date,
) -> std::result::Result<i64, gongkai_domain::calendar::CalendarError> {
    let (from, to, sign) = if due >= today { (today, due, 1) } else { (due, today, -1) };
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.next_day().unwrap_or(d);
        if cal.day(d)?.reason_off().is_none() {
            n += 1;
        }
    }
    Ok(sign * n)
}

/// The annual report's part 三, computed from the cases.
#[derive(Debug, Clone, Serialize)]
pub struct AnnualReport {
    pub year: i32,
    /// The organisation reported on; None for the whole district.
    pub org_id: Option<i64>,
    pub part2: gongkai_domain::report::Part2,
    pub part3: gongkai_domain::report::Part3,
    pub part4: gongkai_domain::report::Part4,
}

/// A reconsideration or lawsuit over a request, as staff record it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReviewInput {
    /// reconsideration, litigation_direct, litigation_after
    pub kind: String,
    pub filed_on: String,
    /// maintained, corrected, other, pending
    pub result: String,
    pub decided_on: Option<String>,
    pub note: Option<String>,
}

impl App {
    /// Part 三 for `year`, for one organisation or (district office only) for all. The
    /// table is checked against its own rule before it is returned.
    pub async fn annual_report(&self, actor: &Actor, year: i32, org_id: Option<i64>) -> Result<AnnualReport> {
        if !(2008..=2100).contains(&year) {
            return Err(AppError::field("year", "年份应为四位数字"));
        }
        let org_id = match org_id {
            None if actor.role.is_district_wide() => None,
            None => Some(actor.org_id),
            Some(o) if actor.may_see_org(o) => Some(o),
            Some(_) => return Err(AppError::Forbidden("只能查看本机关的年度报告".into())),
        };
        let conn = self.store.conn();
        let mut q = info_request::Entity::find();
        if let Some(o) = org_id {
            q = q.filter(info_request::Column::OrgId.eq(o));
        }
        let requests = q.all(conn).await?;
        let decisions =
            request_event::Entity::find().filter(request_event::Column::Kind.eq("decision")).all(conn).await?;
        let mut cases = Vec::new();
        for m in &requests {
            let applicant = gongkai_domain::request::ApplicantKind::parse(&m.applicant_kind)
                .ok_or_else(|| AppError::Internal(format!("request {}: applicant kind {}", m.id, m.applicant_kind)))?;
            let decided = decisions
                .iter()
                .find(|e| e.request_id == m.id)
                .and_then(|e| e.note.split('|').next().and_then(Outcome::parse).map(|o| (e.on_date, o)));
            cases.push(gongkai_domain::report::Case { applicant, received_on: m.received_on, decided });
        }
        let part3 = gongkai_domain::report::part3(year, &cases);
        part3.check().map_err(|e| AppError::Internal(format!("annual report does not balance: {e}")))?;
        let ids: Vec<i64> = requests.iter().map(|r| r.id).collect();
        let reviews = request_review::Entity::find()
            .filter(request_review::Column::RequestId.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|r| {
                use gongkai_domain::report::{Review, ReviewKind, ReviewResult};
                let kind = ReviewKind::parse(&r.kind)?;
                let result = ReviewResult::parse(&r.result)?;
                Some(Review { kind, filed_on: r.filed_on, result: r.decided_on.map(|d| (d, result)) })
            })
            .collect::<Vec<_>>();
        let part4 = gongkai_domain::report::part4(year, &reviews);
        let part2 = self.report_part2(year, org_id).await?;
        Ok(AnnualReport { year, org_id, part2, part3, part4 })
    }
}

impl App {
    /// The 信息处理费 a request would carry (国办函〔2020〕109号): per request, counting the
    /// same applicant's requests in that calendar month up to this one; or per page.
    pub async fn fee_quote(
        &self,
        actor: &Actor,
        id: i64,
        basis: &str,
        pages: Option<u32>,
    ) -> Result<gongkai_domain::fee::Fee> {
        let (m, _) = self.request_for(actor, id).await?;
        match basis {
            "per_request" => {
                let first = m.received_on.replace_day(1).map_err(|e| AppError::Internal(e.to_string()))?;
                let same = info_request::Entity::find()
                    .filter(info_request::Column::IdNumber.eq(m.id_number.clone()))
                    .filter(info_request::Column::ReceivedOn.gte(first))
                    .filter(info_request::Column::ReceivedOn.lte(m.received_on))
                    .all(self.store.conn())
                    .await?;
                // Requests of the same day count in the order they were taken in.
                let nth = same.iter().filter(|r| r.received_on < m.received_on || r.id <= m.id).count() as u32;
                Ok(gongkai_domain::fee::per_request(nth))
            }
            "per_page" => match pages {
                Some(p) if (1..=100_000).contains(&p) => Ok(gongkai_domain::fee::per_page(p)),
                _ => Err(AppError::field("pages", "按量计收须填写页数（1至100000）")),
            },
            _ => Err(AppError::field("basis", "计收方式应为 per_request（按件）或 per_page（按量）")),
        }
    }
}

impl App {
    /// Records a reconsideration or lawsuit and its result (维持, 纠正, 其他, 尚未审结).
    pub async fn record_review(&self, actor: &Actor, id: i64, input: ReviewInput) -> Result<request_review::Model> {
        let (m, _) = self.request_for(actor, id).await?;
        let v = checked_review(&input, m.received_on, self.today())?;
        let tx = self.store.begin_write().await?;
        let r = review_model(m.id, &v, self.now()).insert(&*tx).await?;
        self.audit(
            &*tx,
            actor,
            "request.review",
            "info_request",
            Some(m.id),
            None,
            Some(serde_json::json!({"kind": r.kind, "result": r.result, "filed_on": r.filed_on.to_string()})),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }
}

/// A whole case as exchanged with the city platform (`format`: `gongkai.request.v1`). It
/// carries the applicant's data: export and import are for staff, and both are audited.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Exchange {
    pub format: String,
    pub tracking_no: String,
    /// The answering organisation, by its 统一社会信用代码.
    pub org_credit_code: String,
    pub channel: String,
    pub received_on: String,
    pub status: String,
    pub application: Application,
    pub events: Vec<ExchangeEvent>,
    pub reviews: Vec<ReviewInput>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExchangeEvent {
    pub kind: String,
    pub on_date: String,
    /// As stored: for an extension `days|approver|note`, for a decision `outcome|basis|note`.
    pub note: String,
}

pub const EXCHANGE_FORMAT: &str = "gongkai.request.v1";
const EVENT_KINDS: [&str; 10] = [
    "joint_review",
    "received",
    "clarification",
    "clarified",
    "consultation",
    "consultation_reply",
    "extension",
    "decision",
    "letter",
    "delivery",
];

impl App {
    pub async fn export_request(&self, actor: &Actor, id: i64) -> Result<Exchange> {
        let (m, events) = self.request_for(actor, id).await?;
        let conn = self.store.conn();
        let org = org::Entity::find_by_id(m.org_id).one(conn).await?.map(|o| o.credit_code).unwrap_or_default();
        let reviews =
            request_review::Entity::find().filter(request_review::Column::RequestId.eq(m.id)).all(conn).await?;
        let tx = self.store.begin_write().await?;
        self.audit(&*tx, actor, "request.export", "info_request", Some(m.id), None, None).await?;
        tx.commit().await?;
        Ok(Exchange {
            format: EXCHANGE_FORMAT.into(),
            tracking_no: m.tracking_no,
            org_credit_code: org,
            channel: m.channel,
            received_on: m.received_on.to_string(),
            status: m.status,
            application: Application {
                applicant_kind: m.applicant_kind,
                name: m.name,
                id_number: m.id_number,
                contact_person: m.contact_person,
                phone: m.phone,
                email: m.email,
                address: m.address,
                description: m.description,
                purpose: m.purpose,
                medium: m.medium,
                delivery: m.delivery,
            },
            events: events
                .into_iter()
                .map(|e| ExchangeEvent { kind: e.kind, on_date: e.on_date.to_string(), note: e.note })
                .collect(),
            reviews: reviews
                .into_iter()
                .map(|r| ReviewInput {
                    kind: r.kind,
                    filed_on: r.filed_on.to_string(),
                    result: r.result,
                    decided_on: r.decided_on.map(|d| d.to_string()),
                    note: Some(r.note),
                })
                .collect(),
        })
    }

    /// Takes in a case from the city platform: checked like a new application, its events
    /// in order and of known kinds, all written in one transaction. Returns the new id and
    /// a fresh query code (the platform's own code is not known here).
    pub async fn import_request(&self, actor: &Actor, x: Exchange) -> Result<(i64, String)> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有公开办可以导入市级平台的申请".into()));
        }
        if x.format != EXCHANGE_FORMAT {
            return Err(AppError::field("format", format!("format 应为 {EXCHANGE_FORMAT}")));
        }
        let app = request::validate(&x.application).map_err(AppError::Validation)?;
        let tracking_no = x.tracking_no.trim().to_ascii_uppercase();
        if tracking_no.is_empty()
            || tracking_no.len() > 32
            || !tracking_no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(AppError::field("tracking_no", "受理编号只能包含字母、数字和短横线，不超过32位"));
        }
        let channel = Channel::parse(&x.channel).ok_or_else(|| AppError::field("channel", "渠道无效"))?;
        let received = parse_date("received_on", &x.received_on)?;
        if received > self.today() {
            return Err(AppError::field("received_on", "收到申请的日期不能晚于今天"));
        }
        let conn = self.store.conn();
        let target = org::Entity::find()
            .filter(org::Column::CreditCode.eq(x.org_credit_code.trim()))
            .one(conn)
            .await?
            .ok_or_else(|| AppError::field("org_credit_code", "没有这个统一社会信用代码的机关"))?;
        let mut events = Vec::new();
        let mut last = received;
        for (i, e) in x.events.iter().enumerate() {
            if !EVENT_KINDS.contains(&e.kind.as_str()) {
                return Err(AppError::Validation(vec![gongkai_domain::FieldError::new(
                    "events",
                    format!("第{}个办理环节的类型“{}”无效", i + 1, e.kind),
                )]));
            }
            let d = parse_date("events", &e.on_date)?;
            if d < last || d > self.today() {
                return Err(AppError::Validation(vec![gongkai_domain::FieldError::new(
                    "events",
                    format!("第{}个办理环节的日期应不早于前一环节、不晚于今天", i + 1),
                )]));
            }
            last = d;
            events.push((e.kind.clone(), d, e.note.clone()));
        }
        if events.first().map(|e| e.0.as_str()) != Some("received") {
            events.insert(0, ("received".into(), received, format!("{}：{}", channel.label(), channel.receipt_rule())));
        }
        // The reply date from the imported steps, by our own rules.
        let now = self.now();
        let probe = info_request::Model {
            id: 0,
            tracking_no: tracking_no.clone(),
            query_code_hash: String::new(),
            org_id: target.id,
            channel: channel.code().into(),
            received_on: received,
            due_on: None,
            status: String::new(),
            applicant_kind: app.applicant_kind.code().into(),
            name: String::new(),
            id_number: String::new(),
            contact_person: None,
            phone: String::new(),
            email: None,
            address: None,
            medium: String::new(),
            delivery: String::new(),
            purpose: None,
            created_by: None,
            created_at: now,
            description: String::new(),
        };
        let models: Vec<request_event::Model> = events
            .iter()
            .map(|(k, d, n)| request_event::Model {
                id: 0,
                request_id: 0,
                kind: k.clone(),
                on_date: *d,
                at: now,
                user_id: actor.user_id,
                note: n.clone(),
            })
            .collect();
        let decided = models.iter().any(|e| e.kind == "decision");
        let closed = models.iter().any(|e| e.kind == "delivery");
        let due = if decided { None } else { self.due_of(&probe, &models).await?.map(|d| d.due) };
        let reviews =
            x.reviews.iter().map(|r| checked_review(r, received, self.today())).collect::<Result<Vec<_>>>()?;
        let query_code = new_query_code()?;
        let tx = self.store.begin_write().await?;
        if info_request::Entity::find()
            .filter(info_request::Column::TrackingNo.eq(tracking_no.clone()))
            .one(&*tx)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(format!("受理编号 {tracking_no} 已存在")));
        }
        let status = match (decided, closed) {
            (_, true) => "closed",
            (true, false) => "decided",
            _ => "received",
        };
        let row = NewRow {
            tracking_no: &tracking_no,
            query_code: &query_code,
            org_id: target.id,
            channel,
            received,
            due,
            status,
            created_by: actor.user_id,
            now,
        };
        let m = request_row(row, app).insert(&*tx).await?;
        for e in models {
            request_event::ActiveModel {
                request_id: Set(m.id),
                kind: Set(e.kind),
                on_date: Set(e.on_date),
                at: Set(now),
                user_id: Set(actor.user_id),
                note: Set(e.note),
                ..Default::default()
            }
            .insert(&*tx)
            .await?;
        }
        for r in &reviews {
            review_model(m.id, r, now).insert(&*tx).await?;
        }
        self.audit(
            &*tx,
            actor,
            "request.import",
            "info_request",
            Some(m.id),
            None,
            Some(serde_json::json!({"tracking_no": m.tracking_no, "events": x.events.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok((m.id, query_code))
    }
}

/// A review that passed its checks.
struct CheckedReview {
    kind: gongkai_domain::report::ReviewKind,
    filed: Date,
    result: gongkai_domain::report::ReviewResult,
    decided: Option<Date>,
    note: String,
}

fn checked_review(input: &ReviewInput, received: Date, today: Date) -> Result<CheckedReview> {
    use gongkai_domain::report::{ReviewKind, ReviewResult};
    let mut errs = Vec::new();
    let kind = ReviewKind::parse(&input.kind);
    if kind.is_none() {
        errs.push(gongkai_domain::FieldError::new(
            "kind",
            "类型应为 reconsideration（行政复议）、litigation_direct（未经复议直接起诉）或 litigation_after（复议后起诉）",
        ));
    }
    let result = ReviewResult::parse(&input.result);
    if result.is_none() {
        errs.push(gongkai_domain::FieldError::new("result", "结果应为 maintained、corrected、other 或 pending"));
    }
    let filed = match parse_date("filed_on", &input.filed_on) {
        Ok(d) => Some(d),
        Err(AppError::Validation(e)) => {
            errs.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let (Some(kind), Some(result), Some(filed)) = (kind, result, filed) else {
        return Err(AppError::Validation(errs));
    };
    let decided = match input.decided_on.as_deref().filter(|d| !d.trim().is_empty()) {
        None => None,
        Some(d) => Some(parse_date("decided_on", d)?),
    };
    if filed < received || filed > today {
        return Err(AppError::field("filed_on", "申请复议或起诉的日期应在收到申请之后、今天之前"));
    }
    match (result, decided) {
        (ReviewResult::Pending, Some(_)) => return Err(AppError::field("decided_on", "尚未审结的不应有审结日期")),
        (ReviewResult::Pending, None) => {}
        (_, None) => return Err(AppError::field("decided_on", "请填写审结日期")),
        (_, Some(d)) if d < filed || d > today => {
            return Err(AppError::field("decided_on", "审结日期应在申请之后、今天之前"));
        }
        _ => {}
    }
    Ok(CheckedReview { kind, filed, result, decided, note: input.note.clone().unwrap_or_default() })
}

fn review_model(request_id: i64, v: &CheckedReview, now: time::OffsetDateTime) -> request_review::ActiveModel {
    request_review::ActiveModel {
        request_id: Set(request_id),
        kind: Set(v.kind.code().into()),
        filed_on: Set(v.filed),
        result: Set(v.result.code().into()),
        decided_on: Set(v.decided),
        note: Set(v.note.clone()),
        created_at: Set(now),
        ..Default::default()
    }
}

/// The reply letter of a request: the saved edit, or a draft from the decision.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub title: String,
    pub text: String,
    /// Edited and saved by staff (else a fresh draft).
    pub saved: bool,
    /// Sent to the applicant: no more edits.
    pub sent: bool,
}

impl App {
    pub async fn reply_letter(&self, actor: &Actor, id: i64) -> Result<Letter> {
        let (m, events) = self.request_for(actor, id).await?;
        let decision = events
            .iter()
            .find(|e| e.kind == "decision")
            .ok_or_else(|| AppError::Rule("作出答复决定后才能生成答复书".into()))?;
        let mut parts = decision.note.splitn(3, '|');
        let outcome = parts.next().and_then(Outcome::parse).unwrap_or(Outcome::Other);
        let basis = parts.next().unwrap_or_default();
        let sent = events.iter().any(|e| e.kind == "delivery");
        if let Some(saved) = events.iter().rev().find(|e| e.kind == "letter") {
            let title = saved.note.lines().next().unwrap_or_default().to_string();
            return Ok(Letter { title, text: saved.note.clone(), saved: true, sent });
        }
        let org_name =
            org::Entity::find_by_id(m.org_id).one(self.store.conn()).await?.map(|o| o.name).unwrap_or_default();
        let text = gongkai_domain::letter::draft(&gongkai_domain::letter::LetterContext {
            org_name: &org_name,
            tracking_no: &m.tracking_no,
            applicant: &m.name,
            received_on: m.received_on,
            description: &m.description,
            outcome,
            basis,
            decided_on: decision.on_date,
        });
        Ok(Letter { title: gongkai_domain::letter::title(outcome).into(), text, saved: false, sent })
    }

    /// Saves the edited letter; refused once it has been sent.
    pub async fn save_letter(&self, actor: &Actor, id: i64, text: &str) -> Result<Letter> {
        let current = self.reply_letter(actor, id).await?;
        if current.sent {
            return Err(AppError::Rule("答复书已经送达，不能再修改".into()));
        }
        let text = text.trim().replace("\r\n", "\n");
        if !(20..=20_000).contains(&text.chars().count()) {
            return Err(AppError::field("text", "答复书应为20至20000字"));
        }
        let tx = self.store.begin_write().await?;
        request_event::ActiveModel {
            request_id: Set(id),
            kind: Set("letter".into()),
            on_date: Set(self.today()),
            at: Set(self.now()),
            user_id: Set(actor.user_id),
            note: Set(text),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        self.audit(&*tx, actor, "request.letter", "info_request", Some(id), None, None).await?;
        tx.commit().await?;
        self.reply_letter(actor, id).await
    }
}

fn xml_escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// A block of a generated Word document.
pub enum Block {
    Title(String),
    Para(String),
    Table(Vec<Vec<String>>),
}

/// A minimal .docx (Office Open XML): titles centred and bold, 仿宋-sized paragraphs, tables
/// with borders.
pub fn docx(blocks: &[Block]) -> Result<Vec<u8>> {
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Title(t) => body.push_str(&format!(
                r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="36"/></w:rPr><w:t>{}</w:t></w:r></w:p>"#,
                xml_escape(t)
            )),
            Block::Para(t) => body.push_str(&format!(
                r#"<w:p><w:r><w:rPr><w:sz w:val="32"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
                xml_escape(t)
            )),
            Block::Table(rows) => {
                body.push_str(r#"<w:tbl><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/><w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr>"#);
                // The grid is required by the schema (Word repairs a file without one).
                let cols = rows.iter().map(Vec::len).max().unwrap_or(1);
                body.push_str("<w:tblGrid>");
                for _ in 0..cols {
                    body.push_str(r#"<w:gridCol w:w="1200"/>"#);
                }
                body.push_str("</w:tblGrid>");
                for row in rows {
                    body.push_str("<w:tr>");
                    for cell in row {
                        body.push_str(&format!(
                            r#"<w:tc><w:p><w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>"#,
                            xml_escape(cell)
                        ));
                    }
                    body.push_str("</w:tr>");
                }
                body.push_str("</w:tbl><w:p/>");
            }
        }
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    zip_files(&[
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string()),
        ("word/document.xml", document),
    ])
}

fn zip_files(files: &[(&str, String)]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).map_err(|e| AppError::Internal(e.to_string()))?;
        w.write_all(body.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(w.finish().map_err(|e| AppError::Internal(e.to_string()))?.into_inner())
}

/// The reply letter as .docx: the first line is the title.
pub fn letter_docx(text: &str) -> Result<Vec<u8>> {
    let mut lines = text.lines();
    let mut blocks = vec![Block::Title(lines.next().unwrap_or_default().to_string())];
    blocks.extend(lines.map(|l| Block::Para(l.to_string())));
    docx(&blocks)
}

/// A minimal .xlsx: one sheet per (name, rows), every cell an inline string or a number.
pub fn xlsx(sheets: &[(&str, Vec<Vec<String>>)]) -> Result<Vec<u8>> {
    let col = |i: usize| -> String {
        let mut n = i + 1;
        let mut s = String::new();
        while n > 0 {
            s.insert(0, (b'A' + ((n - 1) % 26) as u8) as char);
            n = (n - 1) / 26;
        }
        s
    };
    let mut files: Vec<(String, String)> = Vec::new();
    let mut overrides = String::new();
    let mut sheet_list = String::new();
    let mut rels = String::new();
    for (i, (name, rows)) in sheets.iter().enumerate() {
        let mut data = String::new();
        for (r, row) in rows.iter().enumerate() {
            data.push_str(&format!(r#"<row r="{}">"#, r + 1));
            for (c, v) in row.iter().enumerate() {
                let at = format!("{}{}", col(c), r + 1);
                if !v.is_empty() && v.parse::<f64>().is_ok() {
                    data.push_str(&format!(r#"<c r="{at}"><v>{v}</v></c>"#));
                } else {
                    data.push_str(&format!(r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#, xml_escape(v)));
                }
            }
            data.push_str("</row>");
        }
        files.push((
            format!("xl/worksheets/sheet{}.xml", i + 1),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
            ),
        ));
        overrides.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#, i + 1));
        sheet_list.push_str(&format!(
            r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#,
            xml_escape(name),
            i + 1,
            i + 1
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{}.xml"/>"#, i + 1, i + 1));
    }
    let mut all: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#)),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheet_list}</sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#)),
    ];
    all.extend(files.iter().map(|(n, b)| (n.as_str(), b.clone())));
    zip_files(&all)
}

impl AnnualReport {
    /// The report's tables as rows of text: (sheet name, rows).
    pub fn tables(&self) -> Vec<(&'static str, Vec<Vec<String>>)> {
        let n = |v: u64| v.to_string();
        let p2 = &self.part2;
        let two = vec![
            vec!["第二十条第（一）项".into(), "".into(), "".into(), "".into()],
            vec!["信息内容".into(), "本年制发件数".into(), "本年废止件数".into(), "现行有效件数".into()],
            vec!["规章".into(), n(p2.rules.issued), n(p2.rules.repealed), n(p2.rules.in_force)],
            vec!["行政规范性文件".into(), n(p2.normative.issued), n(p2.normative.repealed), n(p2.normative.in_force)],
            vec!["第二十条第（五）项".into(), "本年处理决定数量".into()],
            vec!["行政许可".into(), n(p2.entered.licensing)],
            vec!["第二十条第（六）项".into(), "本年处理决定数量".into()],
            vec!["行政处罚".into(), n(p2.entered.penalty)],
            vec!["行政强制".into(), n(p2.entered.enforcement)],
            vec!["第二十条第（八）项".into(), "本年收费金额（单位：万元）".into()],
            vec!["行政事业性收费".into(), format!("{}", p2.entered.fees_wan_yuan)],
        ];
        let mut three = vec![{
            let mut h = vec!["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）".to_string()];
            h.extend(self.part3.columns.iter().map(|c| c.to_string()));
            h
        }];
        for r in &self.part3.rows {
            let mut row = vec![format!("{}{}", "  ".repeat(r.level as usize), r.label)];
            if let Some(v) = r.values {
                row.extend(v.iter().map(|x| n(*x)));
            }
            three.push(row);
        }
        let mut four = vec![{
            let mut h = vec![String::new()];
            h.extend(self.part4.columns.iter().map(|c| c.to_string()));
            h
        }];
        for (g, v) in self.part4.groups.iter().zip(self.part4.values.iter()) {
            let mut row = vec![g.to_string()];
            row.extend(v.iter().map(|x| n(*x)));
            four.push(row);
        }
        vec![
            ("二、主动公开政府信息情况", two),
            ("三、收到和处理政府信息公开申请情况", three),
            ("四、政府信息公开行政复议、行政诉讼情况", four),
        ]
    }

    pub fn docx(&self) -> Result<Vec<u8>> {
        let mut blocks = vec![Block::Title(format!("{}年政府信息公开工作年度报告（统计表）", self.year))];
        for (name, rows) in self.tables() {
            blocks.push(Block::Para(name.to_string()));
            blocks.push(Block::Table(rows));
        }
        docx(&blocks)
    }

    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let tables = self.tables();
        let short = ["二", "三", "四"];
        let sheets: Vec<(&str, Vec<Vec<String>>)> =
            tables.into_iter().zip(short).map(|((_, rows), s)| (s, rows)).collect();
        xlsx(&sheets)
    }
}

/// id, category, published_on, superseded_by, repealed_by, expires_on
type DocDates = (i64, String, Option<Date>, Option<i64>, Option<i64>, Option<Date>);

impl App {
    /// Part 二: 规章 and 行政规范性文件 counted from the library, the rest as entered.
    async fn report_part2(&self, year: i32, org_id: Option<i64>) -> Result<gongkai_domain::report::Part2> {
        use gongkai_domain::report::{Issued, issued_row};
        let conn = self.store.conn();
        let mut q =
            document::Entity::find().filter(document::Column::Status.eq(gongkai_domain::Status::Published.code()));
        if let Some(o) = org_id {
            q = q.filter(document::Column::OrgId.eq(o));
        }
        let docs: Vec<DocDates> = q
            .select_only()
            .column(document::Column::Id)
            .column(document::Column::Category)
            .column(document::Column::PublishedOn)
            .column(document::Column::SupersededBy)
            .column(document::Column::RepealedBy)
            .column(document::Column::ExpiresOn)
            .into_tuple()
            .all(conn)
            .await?;
        // Dates of the documents that replaced or repealed others.
        let refs: Vec<i64> = docs.iter().flat_map(|d| [d.3, d.4]).flatten().collect();
        let dates: std::collections::HashMap<i64, Option<Date>> = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .column(document::Column::PublishedOn)
            .filter(document::Column::Id.is_in(refs))
            .into_tuple::<(i64, Option<Date>)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let date_of = |id: Option<i64>| id.and_then(|i| dates.get(&i).copied().flatten());
        let of = |cat: &str| -> Vec<Issued> {
            docs.iter()
                .filter(|d| d.1 == cat)
                .filter_map(|d| {
                    Some(Issued {
                        published_on: d.2?,
                        superseded_on: date_of(d.3),
                        repealed_on: date_of(d.4),
                        expires_on: d.5,
                    })
                })
                .collect()
        };
        let entered = report_figure::Entity::find()
            .filter(report_figure::Column::Year.eq(year))
            .filter(report_figure::Column::OrgId.eq(org_id.unwrap_or(0)))
            .one(conn)
            .await?
            .and_then(|f| serde_json::from_str(&f.figures).ok())
            .unwrap_or_default();
        Ok(gongkai_domain::report::Part2 {
            rules: issued_row(year, &of(gongkai_domain::Category::Rules.code())),
            normative: issued_row(year, &of(gongkai_domain::Category::Normative.code())),
            entered,
        })
    }

    /// The part 二 figures the library does not hold (行政许可, 行政处罚, 行政强制, 收费).
    pub async fn enter_report_figures(
        &self,
        actor: &Actor,
        year: i32,
        org_id: Option<i64>,
        figures: gongkai_domain::report::EnteredFigures,
    ) -> Result<()> {
        if !(2008..=2100).contains(&year) {
            return Err(AppError::field("year", "年份应为四位数字"));
        }
        let org_id = match org_id {
            None if actor.role.is_district_wide() => 0,
            Some(o) if actor.may_see_org(o) => o,
            _ => return Err(AppError::Forbidden("只能填报本机关的年度报告数据".into())),
        };
        if !figures.fees_wan_yuan.is_finite() || !(0.0..=1e7).contains(&figures.fees_wan_yuan) {
            return Err(AppError::field("fees_wan_yuan", "收费金额应为0至10000000之间的数字（万元）"));
        }
        let json = serde_json::to_string(&figures).map_err(|e| AppError::Internal(e.to_string()))?;
        let tx = self.store.begin_write().await?;
        let existing = report_figure::Entity::find()
            .filter(report_figure::Column::Year.eq(year))
            .filter(report_figure::Column::OrgId.eq(org_id))
            .one(&*tx)
            .await?;
        let before = existing.as_ref().map(|e| serde_json::Value::String(e.figures.clone()));
        match existing {
            Some(e) => {
                let mut am: report_figure::ActiveModel = e.into();
                am.figures = Set(json.clone());
                am.updated_at = Set(self.now());
                am.update(&*tx).await?;
            }
            None => {
                report_figure::ActiveModel {
                    year: Set(year),
                    org_id: Set(org_id),
                    figures: Set(json.clone()),
                    updated_at: Set(self.now()),
                    ..Default::default()
                }
                .insert(&*tx)
                .await?;
            }
        }
        self.audit(&*tx, actor, "report.figures", "report_figure", None, before, Some(serde_json::Value::String(json)))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
