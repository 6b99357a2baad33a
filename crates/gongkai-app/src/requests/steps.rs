//! Handling steps, stored. The rules live in `gongkai_domain::handling`: each step is
//! checked by its pure `check_step` before anything is written, the same check for steps
//! typed in the console and for cases imported from the city platform. The status and the
//! reply date are always derived from the steps, never kept by hand. This module reads
//! and writes the rows and turns them into the app's [`StepView`].

use super::*;
use gongkai_domain::calendar::{CalendarError, WorkCalendar};
use gongkai_domain::deadline::DeadlineError;
pub use gongkai_domain::handling::StepInput;
use gongkai_domain::handling::{self, Facts, RecordedStep, RequestFacts, RequestStatus, StepKind};
use gongkai_domain::request::{ApplicantKind, CollectBy, Medium};
use gongkai_store::request_review;
use gongkai_store::{app_user, request_attachment};

/// A recorded step as the console and the API show it. `kind` is written in the
/// published names of `/api/v1` (`consultation`, `consultation_reply`, `delivery`), so
/// the contract does not follow the stored names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub id: i64,
    pub request_id: i64,
    /// received, clarification, clarified, consultation, consultation_reply, joint_review,
    /// extension, fee_notice, fee_paid, assign, transfer, decision, letter, delivery.
    #[serde(serialize_with = "published_kind")]
    #[schema(value_type = String, example = "consultation")]
    pub kind: StepKind,
    pub on_date: Date,
    pub at: time::OffsetDateTime,
    pub user_id: Option<i64>,
    pub note: String,
    pub days: Option<i32>,
    pub approver: Option<String>,
    pub outcome: Option<Outcome>,
    pub basis: Option<String>,
    pub party: Option<String>,
    pub due_by: Option<Date>,
    pub amount: Option<i64>,
    pub to_org_id: Option<i64>,
    pub to_user_id: Option<i64>,
}

fn published_kind<S: serde::Serializer>(k: &StepKind, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(k.published())
}

impl StepView {
    fn of(e: request_step::Model) -> Result<StepView> {
        let kind = StepKind::parse_any(&e.kind).ok_or_else(|| unreadable(&e))?;
        let outcome = match e.outcome.as_deref() {
            Some(o) => Some(Outcome::parse(o).ok_or_else(|| unreadable(&e))?),
            None => None,
        };
        Ok(StepView {
            id: e.id,
            request_id: e.request_id,
            kind,
            on_date: e.on_date,
            at: e.at,
            user_id: e.user_id,
            note: e.note,
            days: e.days,
            approver: e.approver,
            outcome,
            basis: e.basis,
            party: e.party,
            due_by: e.due_by,
            amount: e.amount,
            to_org_id: e.to_org_id,
            to_user_id: e.to_user_id,
        })
    }

    /// The timeline's name of the step.
    pub fn label(&self) -> &'static str {
        self.kind.label()
    }
}

fn unreadable(e: &request_step::Model) -> AppError {
    AppError::Internal(format!("request_step {} has kind {:?} with facts this version cannot read", e.id, e.kind))
}

/// The domain's reading of a stored step.
pub(super) fn recorded(e: &request_step::Model) -> Result<RecordedStep> {
    let facts = Facts {
        days: e.days.and_then(|d| u32::try_from(d).ok()),
        approver: e.approver.clone(),
        outcome: e.outcome.as_deref().and_then(Outcome::parse),
        basis: e.basis.clone(),
        party: e.party.clone(),
        due_by: e.due_by,
        amount: e.amount,
        to_org_id: e.to_org_id,
        to_user_id: e.to_user_id,
    };
    RecordedStep::from_facts(&e.kind, e.on_date, e.note.clone(), facts).ok_or_else(|| unreadable(e))
}

/// The domain's reading of all of a request's steps.
pub(super) fn recorded_all(events: &[request_step::Model]) -> Result<Vec<RecordedStep>> {
    events.iter().map(recorded).collect()
}

/// The row to write for a checked step.
pub(super) fn row_of(request_id: i64, s: &RecordedStep, cx: &StepContext) -> request_step::Model {
    let f = s.facts();
    request_step::Model {
        id: 0,
        request_id,
        kind: s.kind().code().to_string(),
        on_date: s.on,
        at: cx.now,
        user_id: cx.user_id,
        note: s.note.clone(),
        days: f.days.and_then(|d| i32::try_from(d).ok()),
        approver: f.approver,
        outcome: f.outcome.map(|o| o.code().to_string()),
        basis: f.basis,
        party: f.party,
        due_by: f.due_by,
        amount: f.amount,
        to_org_id: f.to_org_id,
        to_user_id: f.to_user_id,
    }
}

/// A request as the console and the API show it, applicant data included (staff only).
/// The JSON names are the published ones of `/api/v1` (`channel`, `delivery`), whatever
/// the columns are called.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub tracking_no: String,
    /// The organisation that answers it.
    pub org_id: i64,
    #[serde(rename = "channel")]
    pub intake_channel: RequestChannel,
    /// 收到申请之日, by the channel's rule (第三十一条).
    pub received_on: Date,
    pub due_on: Option<Date>,
    pub status: RequestStatus,
    pub applicant_kind: ApplicantKind,
    pub name: String,
    pub id_number: String,
    pub contact_person: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub address: Option<String>,
    pub medium: Medium,
    #[serde(rename = "delivery")]
    pub collect_by: CollectBy,
    pub purpose: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: time::OffsetDateTime,
    pub description: String,
    pub assignee_id: Option<i64>,
    pub outcome: Option<Outcome>,
    /// The applicant's applications that day, when past the office's threshold (第三十五条).
    pub same_day_count: Option<i32>,
}

impl RequestView {
    pub(super) fn of(m: info_request::Model) -> Result<RequestView> {
        let bad = |what: &str, v: &str| AppError::Internal(format!("info_request {}: {what} {v:?}", m.id));
        Ok(RequestView {
            intake_channel: RequestChannel::parse(&m.intake_channel)
                .ok_or_else(|| bad("intake_channel", &m.intake_channel))?,
            status: RequestStatus::parse(&m.status).ok_or_else(|| bad("status", &m.status))?,
            applicant_kind: ApplicantKind::parse(&m.applicant_kind)
                .ok_or_else(|| bad("applicant_kind", &m.applicant_kind))?,
            medium: Medium::parse(&m.medium).ok_or_else(|| bad("medium", &m.medium))?,
            collect_by: CollectBy::parse(&m.collect_by).ok_or_else(|| bad("collect_by", &m.collect_by))?,
            outcome: match &m.outcome {
                Some(o) => Some(Outcome::parse(o).ok_or_else(|| bad("outcome", o))?),
                None => None,
            },
            id: m.id,
            tracking_no: m.tracking_no,
            org_id: m.org_id,
            received_on: m.received_on,
            due_on: m.due_on,
            name: m.name,
            id_number: m.id_number,
            contact_person: m.contact_person,
            phone: m.phone,
            email: m.email,
            address: m.address,
            purpose: m.purpose,
            created_by: m.created_by,
            created_at: m.created_at,
            description: m.description,
            assignee_id: m.assignee_id,
            same_day_count: m.same_day_count,
        })
    }
}

/// The staff view of a request, applicant data included.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestDetail {
    pub request: RequestView,
    pub events: Vec<StepView>,
    /// The reply date and how it was counted; None while the clock is stopped.
    pub due: Option<ReplyDue>,
    /// Why the clock is stopped, when it is.
    pub stopped: Option<String>,
    /// While a consultation is open: the date the consulted party should answer by, 15
    /// working days after it was asked (第三十二条, 第三十四条).
    pub consultation_answer_due: Option<Date>,
    /// The other running time limits (补正 notice, consulted party's answer, payment),
    /// each with how it was counted.
    pub deadlines: Vec<Deadline>,
    /// The handling person, by name.
    pub assignee: Option<String>,
    /// Files the applicant sent with the request (private: staff only).
    pub attachments: Vec<super::reviews::AttachmentView>,
    /// Reconsiderations and lawsuits over it.
    pub reviews: Vec<super::reviews::ReviewView>,
}

impl RequestDetail {
    /// Whether a step of this kind was recorded.
    pub fn has(&self, kind: StepKind) -> bool {
        self.events.iter().any(|e| e.kind == kind)
    }
}

/// A time limit other than the reply date, with its reckoning.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    pub label: String,
    pub reckoning: gongkai_domain::deadline::Reckoning,
}

/// A request's steps in the order they were recorded.
pub(super) async fn steps_of<C: gongkai_store::ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<request_step::Model>> {
    Ok(request_step::Entity::find()
        .filter(request_step::Column::RequestId.eq(id))
        .order_by_asc(request_step::Column::Id)
        .all(conn)
        .await?)
}

/// The reply date from the steps; None while the clock is stopped, or while the period
/// runs into a year whose holiday arrangement is not loaded yet ([`missing_year`] says
/// which): a request is never refused, nor a step blocked, for want of next year's notice.
pub(super) fn reply_due(
    cal: &WorkCalendar,
    first: FirstDay,
    received_on: Date,
    steps: &[RecordedStep],
) -> Result<Option<ReplyDue>> {
    match handling::reply_due(cal, first, received_on, steps) {
        Err(DeadlineError::Calendar(CalendarError::MissingYear(_))) => Ok(None),
        r => r.map_err(|e| AppError::Rule(e.to_string())),
    }
}

/// The year the calendar lacks to place the reply date, when that is why there is none.
pub(super) fn missing_year(
    cal: &WorkCalendar,
    first: FirstDay,
    received_on: Date,
    steps: &[RecordedStep],
) -> Option<i32> {
    match handling::reply_due(cal, first, received_on, steps) {
        Err(DeadlineError::Calendar(CalendarError::MissingYear(y))) => Some(y),
        _ => None,
    }
}

/// Why a request has no reply date for lack of calendar data, in words.
pub(super) fn missing_year_note(year: i32) -> String {
    format!("答复期限跨入{year}年，待导入国务院办公厅{year}年节假日安排后计算")
}

/// What a step is checked against besides the request itself.
pub(super) struct StepContext<'a> {
    pub cal: &'a WorkCalendar,
    pub first: FirstDay,
    pub today: Date,
    /// The actor's user id, written on the step.
    pub user_id: Option<i64>,
    pub now: time::OffsetDateTime,
}

impl StepContext<'_> {
    fn rules(&self) -> handling::Context<'_> {
        handling::Context { cal: self.cal, first: self.first, today: self.today }
    }
}

impl App {
    /// The context steps are checked in: the calendar, the first-day setting, today, and
    /// who records them.
    pub(super) fn step_context<'a>(&self, cal: &'a WorkCalendar, actor: &Actor) -> StepContext<'a> {
        StepContext { cal, first: self.config.first_day, today: self.today(), user_id: actor.user_id, now: self.now() }
    }
}

/// Checks a step with the domain's rules; a refusal keeps its own code.
pub(super) fn check_step(
    req: RequestFacts,
    steps: &[RecordedStep],
    input: &StepInput,
    cx: &StepContext,
) -> Result<RecordedStep> {
    handling::check_step(req, steps, input, cx.rules()).map_err(AppError::Step)
}

fn cal_err(e: impl std::fmt::Display) -> AppError {
    AppError::Rule(e.to_string())
}

fn facts_of(m: &info_request::Model) -> RequestFacts {
    RequestFacts { received_on: m.received_on, org_id: m.org_id }
}

impl App {
    pub(super) async fn request_for(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(info_request::Model, Vec<request_step::Model>)> {
        let conn = self.store.conn();
        let m = info_request::Entity::find_by_id(id)
            .one(conn)
            .await?
            .filter(|m| actor.may_see_org(m.org_id))
            .ok_or_else(|| AppError::NotFound("没有这件申请，或不属于本机关".into()))?;
        let events = steps_of(conn, id).await?;
        Ok((m, events))
    }

    pub async fn request_detail(&self, actor: &Actor, id: i64) -> Result<RequestDetail> {
        let (request, events) = self.request_for(actor, id).await?;
        self.detail_of(request, events).await
    }

    /// The detail of a request already read (and already authorised).
    async fn detail_of(&self, request: info_request::Model, events: Vec<request_step::Model>) -> Result<RequestDetail> {
        let id = request.id;
        let cal = self.calendar().await?;
        let first = self.config.first_day;
        let steps = recorded_all(&events)?;
        let due = reply_due(&cal, first, request.received_on, &steps)?;
        let stopped = handling::clock_of(request.received_on, &steps)
            .1
            .map(str::to_string)
            .or_else(|| missing_year(&cal, first, request.received_on, &steps).map(missing_year_note));
        let limits =
            handling::running_limits(&cal, first, self.today(), request.received_on, &steps).map_err(cal_err)?;
        let consultation_answer_due =
            limits.iter().find(|(l, _)| *l == handling::Limit::ConsultedAnswer).map(|(_, r)| r.due);
        let deadlines =
            limits.into_iter().map(|(l, reckoning)| Deadline { label: l.label().into(), reckoning }).collect();
        let events = events.into_iter().map(StepView::of).collect::<Result<Vec<_>>>()?;
        let request = RequestView::of(request)?;
        let conn = self.store.conn();
        let assignee = match request.assignee_id {
            Some(u) => app_user::Entity::find_by_id(u).one(conn).await?.map(|u| u.display_name),
            None => None,
        };
        let attachments = request_attachment::Entity::find()
            .filter(request_attachment::Column::RequestId.eq(id))
            .order_by_asc(request_attachment::Column::Id)
            .all(conn)
            .await?;
        let reviews = request_review::Entity::find()
            .filter(request_review::Column::RequestId.eq(id))
            .order_by_asc(request_review::Column::Id)
            .all(conn)
            .await?;
        let attachments = attachments.into_iter().map(Into::into).collect();
        let reviews = reviews.into_iter().map(super::reviews::ReviewView::of).collect::<Result<Vec<_>>>()?;
        Ok(RequestDetail {
            request,
            events,
            due,
            stopped,
            consultation_answer_due,
            deadlines,
            assignee,
            attachments,
            reviews,
        })
    }

    /// Records a handling step, after checking it against the regulation's rules, and
    /// recomputes the status and the reply date.
    pub async fn record_request_step(&self, actor: &Actor, id: i64, input: StepInput) -> Result<RequestDetail> {
        let (m, events) = self.request_for(actor, id).await?;
        let cal = self.calendar().await?;
        let cx = self.step_context(&cal, actor);
        let checked = check_step(facts_of(&m), &recorded_all(&events)?, &input, &cx)?;
        let mut step = row_of(m.id, &checked, &cx);
        let conn = self.store.conn();
        if let Some(u) = step.to_user_id {
            let user = app_user::Entity::find_by_id(u)
                .one(conn)
                .await?
                .filter(|u| u.active && u.org_id == m.org_id)
                .ok_or_else(|| AppError::field("to_user_id", "承办人应为本机关在职的工作人员"))?;
            if step.note.is_empty() {
                step.note = format!("承办人：{}", user.display_name);
            }
        }
        if let Some(o) = step.to_org_id {
            let target = org::Entity::find_by_id(o)
                .one(conn)
                .await?
                .ok_or_else(|| AppError::field("to_org_id", "没有这个机关"))?;
            if !crate::orgs::takes_requests(&target) {
                return Err(AppError::field(
                    "to_org_id",
                    "村（居）民委员会不是受理政府信息公开申请的行政机关（第二十七条）",
                ));
            }
            step.note = format!("转交{}：{}", target.name, step.note);
        }
        self.write_step(actor, &m, &events, step).await?;
        // Read back without the organisation check: after a transfer out of their own
        // organisation the actor no longer sees the request, but is owed the result.
        let conn = self.store.conn();
        let m = info_request::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::NotFound("没有这件申请".into()))?;
        let events = steps_of(conn, id).await?;
        self.detail_of(m, events).await
    }

    /// Recomputes the reply date of every open request, after the calendar changed (a new
    /// year loaded, a year corrected). Returns how many dates changed.
    pub(crate) async fn refresh_due_dates(&self) -> Result<usize> {
        let cal = self.calendar().await?;
        let tx = self.store.begin_write().await?;
        let open = info_request::Entity::find()
            .filter(info_request::Column::Status.is_not_in(["decided", "closed"]))
            .all(&*tx)
            .await?;
        let mut changed = 0;
        for m in open {
            let steps = recorded_all(&steps_of(&*tx, m.id).await?)?;
            let due = reply_due(&cal, self.config.first_day, m.received_on, &steps)?.map(|d| d.due);
            if due != m.due_on {
                let mut am: info_request::ActiveModel = m.into();
                am.due_on = Set(due);
                am.update(&*tx).await?;
                changed += 1;
            }
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Writes a checked step with the request's new status and reply date, in one
    /// transaction with its audit row.
    pub(super) async fn write_step(
        &self,
        actor: &Actor,
        m: &info_request::Model,
        events: &[request_step::Model],
        step: request_step::Model,
    ) -> Result<()> {
        let mut all = recorded_all(events)?;
        all.push(recorded(&step)?);
        let cal = self.calendar().await?;
        let status = handling::status_of(&all);
        let due = reply_due(&cal, self.config.first_day, m.received_on, &all)?.map(|d| d.due);
        let tx = self.store.begin_write().await?;
        // The step was checked against the steps read before the write lock; another step
        // written since then (a double click, a colleague) would void that check.
        let written: Vec<i64> = request_step::Entity::find()
            .select_only()
            .column(request_step::Column::Id)
            .filter(request_step::Column::RequestId.eq(m.id))
            .order_by_asc(request_step::Column::Id)
            .into_tuple()
            .all(&*tx)
            .await?;
        let current = info_request::Entity::find_by_id(m.id).one(&*tx).await?;
        let unchanged = current.as_ref().is_some_and(|c| {
            (c.org_id, c.assignee_id, c.status.as_str()) == (m.org_id, m.assignee_id, m.status.as_str())
        });
        if !unchanged || written != events.iter().map(|e| e.id).collect::<Vec<_>>() {
            return Err(AppError::Conflict("这件申请刚刚被他人更新，请刷新后重新登记".into()));
        }
        let mut row: request_step::ActiveModel = step.clone().into();
        row.id = gongkai_store::sea_orm::ActiveValue::NotSet;
        row.insert(&*tx).await?;
        let mut am: info_request::ActiveModel = m.clone().into();
        am.status = Set(status.code().to_string());
        am.due_on = Set(if status.is_answered() { m.due_on } else { due });
        if let Some(o) = &step.outcome {
            am.outcome = Set(Some(o.clone()));
        }
        if let Some(u) = step.to_user_id {
            am.assignee_id = Set(Some(u));
        }
        if let Some(o) = step.to_org_id {
            am.org_id = Set(o);
            am.assignee_id = Set(None);
        }
        am.update(&*tx).await?;
        let kind = &step.kind;
        self.audit(
            &*tx,
            actor,
            &format!("request.{kind}"),
            "info_request",
            Some(m.id),
            Some(serde_json::json!({
                "status": m.status, "due_on": m.due_on.map(|d| d.to_string()),
                "org_id": m.org_id, "assignee_id": m.assignee_id,
            })),
            Some(serde_json::json!({
                "status": status.code(), "due_on": due.map(|d| d.to_string()),
                "org_id": step.to_org_id.unwrap_or(m.org_id),
                "assignee_id": step.to_user_id.or(if step.to_org_id.is_some() { None } else { m.assignee_id }),
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
