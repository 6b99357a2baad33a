//! Handling steps. Each is checked by [`check_step`] — a pure function of the request, the
//! steps recorded so far and the calendar — before anything is written; the same check
//! runs for steps typed in the console and for cases imported from the city platform. The
//! status and the reply date are always derived from the steps, never kept by hand.

use super::*;
use gongkai_domain::calendar::{CalendarError, WorkCalendar};
use gongkai_domain::deadline::DeadlineError;
use gongkai_domain::deadline::{Excluded, add_working_days, fee_payment_due};
use gongkai_store::request_review;
use gongkai_store::{app_user, request_attachment};

/// One handling step recorded by staff.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventInput {
    /// clarification, clarified, consultation, consultation_reply, joint_review, extension,
    /// fee_notice, fee_paid, assign, transfer, decision, delivery
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
    /// consultation: `third_party` (第三十二条) or `agency` (第三十四条); joint_review: the
    /// organisation giving its opinion; fee_notice: `per_request` or `per_page`.
    pub party: Option<String>,
    /// clarification: the 补正 deadline given to the applicant (YYYY-MM-DD).
    pub due_by: Option<String>,
    /// fee_notice: the amount in 元, as the fee calculation gives it.
    pub amount: Option<i64>,
    /// assign: the staff member who will handle it.
    pub to_user_id: Option<i64>,
    /// transfer: the organisation that will answer instead.
    pub to_org_id: Option<i64>,
}

/// The staff view of a request, applicant data included.
#[derive(Debug, Clone, Serialize)]
pub struct RequestDetail {
    pub request: info_request::Model,
    pub events: Vec<request_event::Model>,
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
    pub attachments: Vec<request_attachment::Model>,
    /// Reconsiderations and lawsuits over it.
    pub reviews: Vec<request_review::Model>,
}

/// A time limit other than the reply date, with its reckoning.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    pub label: String,
    pub reckoning: gongkai_domain::deadline::Reckoning,
}

/// A request's steps in the order they were recorded.
pub(super) async fn steps_of<C: gongkai_store::ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Vec<request_event::Model>> {
    Ok(request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(id))
        .order_by_asc(request_event::Column::Id)
        .all(conn)
        .await?)
}

/// The open consultation (asked, not yet answered), if any.
pub(super) fn open_consultation(events: &[request_event::Model]) -> Option<&request_event::Model> {
    let asked = events.iter().filter(|e| e.kind == "consultation").count();
    let answered = events.iter().filter(|e| e.kind == "consultation_reply").count();
    if asked > answered { events.iter().rev().find(|e| e.kind == "consultation") } else { None }
}

/// The fee notice not yet paid, if any.
fn open_fee_notice(events: &[request_event::Model]) -> Option<&request_event::Model> {
    let notice = events.iter().rev().find(|e| e.kind == "fee_notice")?;
    (!events.iter().any(|e| e.kind == "fee_paid")).then_some(notice)
}

/// The 补正 notice still waiting for the applicant, if any.
fn open_clarification(events: &[request_event::Model]) -> Option<&request_event::Model> {
    let notice = events.iter().find(|e| e.kind == "clarification")?;
    (!events.iter().any(|e| e.kind == "clarified")).then_some(notice)
}

/// Where a request stands, from its steps.
pub(super) fn status_of(events: &[request_event::Model]) -> &'static str {
    let has = |k: &str| events.iter().any(|e| e.kind == k);
    if has("delivery") {
        "closed"
    } else if has("decision") {
        "decided"
    } else if open_consultation(events).is_some() {
        "consulting"
    } else if open_fee_notice(events).is_some() {
        "fee_pending"
    } else if open_clarification(events).is_some() {
        "clarifying"
    } else {
        "received"
    }
}

/// The deadline facts recorded so far, and why the clock is stopped if it is.
fn clock_of(received_on: Date, events: &[request_event::Model]) -> (RequestClock, Option<&'static str>) {
    let mut clock = RequestClock { received_on: Some(received_on), ..Default::default() };
    let mut asked: Option<Date> = None;
    let mut fee: Option<Date> = None;
    for e in events {
        match e.kind.as_str() {
            "clarification" => clock.clarification_sent_on = Some(e.on_date),
            "clarified" => clock.clarified_on = Some(e.on_date),
            "consultation" => asked = Some(e.on_date),
            "consultation_reply" => {
                if let Some(from) = asked.take() {
                    clock.consultations.push(Excluded {
                        from,
                        to: e.on_date,
                        reason: "征求第三方或其他机关意见".into(),
                    });
                }
            }
            "fee_notice" => fee = Some(e.on_date),
            "fee_paid" => {
                if let Some(from) = fee.take() {
                    clock
                        .consultations
                        .push(Excluded { from, to: e.on_date, reason: "收费通知至缴纳费用".into() });
                }
            }
            "extension" => clock.extension_days = e.days.and_then(|d| u32::try_from(d).ok()).unwrap_or(0),
            _ => {}
        }
    }
    let stopped = if asked.is_some() {
        Some("征求意见期间，答复期限暂停计算")
    } else if fee.is_some() {
        Some("等待申请人缴纳信息处理费，答复期限暂停计算")
    } else if clock.clarification_sent_on.is_some() && clock.clarified_on.is_none() {
        Some("等待申请人补正，收到补正材料后重新计算答复期限")
    } else {
        None
    };
    (clock, stopped)
}

/// The reply date from the steps; None while the clock is stopped, or while the period
/// runs into a year whose holiday arrangement is not loaded yet ([`missing_year`] says
/// which): a request is never refused, nor a step blocked, for want of next year's notice.
pub(super) fn reply_due(
    cal: &WorkCalendar,
    first: FirstDay,
    received_on: Date,
    events: &[request_event::Model],
) -> Result<Option<ReplyDue>> {
    match strict_due(cal, first, received_on, events) {
        Err(DeadlineError::Calendar(CalendarError::MissingYear(_))) => Ok(None),
        r => r.map_err(|e| AppError::Rule(e.to_string())),
    }
}

/// The year the calendar lacks to place the reply date, when that is why there is none.
pub(super) fn missing_year(
    cal: &WorkCalendar,
    first: FirstDay,
    received_on: Date,
    events: &[request_event::Model],
) -> Option<i32> {
    match strict_due(cal, first, received_on, events) {
        Err(DeadlineError::Calendar(CalendarError::MissingYear(y))) => Some(y),
        _ => None,
    }
}

/// Why a request has no reply date for lack of calendar data, in words.
pub(super) fn missing_year_note(year: i32) -> String {
    format!("答复期限跨入{year}年，待导入国务院办公厅{year}年节假日安排后计算")
}

fn strict_due(
    cal: &WorkCalendar,
    first: FirstDay,
    received_on: Date,
    events: &[request_event::Model],
) -> std::result::Result<Option<ReplyDue>, DeadlineError> {
    let (clock, stopped) = clock_of(received_on, events);
    if stopped.is_some() {
        return Ok(None);
    }
    clock.reply_due(cal, first)
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

impl App {
    /// The context steps are checked in: the calendar, the first-day setting, today, and
    /// who records them.
    pub(super) fn step_context<'a>(&self, cal: &'a WorkCalendar, actor: &Actor) -> StepContext<'a> {
        StepContext { cal, first: self.config.first_day, today: self.today(), user_id: actor.user_id, now: self.now() }
    }
}

/// A step with only its common facts; the kind-specific ones are filled in by the check.
pub(super) fn new_step(request_id: i64, kind: &str, on: Date, cx: &StepContext, note: String) -> request_event::Model {
    request_event::Model {
        id: 0,
        request_id,
        kind: kind.to_string(),
        on_date: on,
        at: cx.now,
        user_id: cx.user_id,
        note,
        days: None,
        approver: None,
        outcome: None,
        basis: None,
        party: None,
        due_by: None,
        amount: None,
        to_org_id: None,
        to_user_id: None,
    }
}

fn text(v: &Option<String>) -> String {
    v.as_deref().unwrap_or_default().trim().to_string()
}

fn rule(msg: impl Into<String>) -> AppError {
    AppError::Rule(msg.into())
}

fn cal_err(e: impl std::fmt::Display) -> AppError {
    AppError::Rule(e.to_string())
}

/// Checks one step against the regulation and the steps before it; returns the step to
/// write. Existence of the person or organisation named by assign/transfer is checked by
/// the caller, which has the database.
pub(super) fn check_step(
    m: &info_request::Model,
    events: &[request_event::Model],
    input: &EventInput,
    cx: &StepContext,
) -> Result<request_event::Model> {
    let on = parse_date("on_date", &input.on_date)?;
    if on > cx.today {
        return Err(AppError::field("on_date", "日期不能晚于今天"));
    }
    if on < m.received_on {
        return Err(AppError::field("on_date", "日期不能早于收到申请之日"));
    }
    if let Some(last) = events.iter().map(|e| e.on_date).max()
        && on < last
    {
        return Err(AppError::field("on_date", format!("日期不能早于上一个办理环节（{last}）")));
    }
    let has = |k: &str| events.iter().any(|e| e.kind == k);
    let kind = input.kind.trim();
    if has("delivery") {
        return Err(rule("这件申请已经办结"));
    }
    if has("decision") && !matches!(kind, "delivery" | "letter") {
        return Err(rule("这件申请已经作出答复决定"));
    }
    let note = text(&input.note);
    let mut step = new_step(m.id, kind, on, cx, note.clone());
    let current_due = || reply_due(cx.cal, cx.first, m.received_on, events);
    match kind {
        "clarification" => {
            if has("clarification") {
                return Err(rule("补正只能一次性告知，这件申请已经发出过补正通知（第三十条）"));
            }
            let limit = RequestClock { received_on: Some(m.received_on), ..Default::default() }
                .clarification_limit(cx.cal, cx.first)
                .map_err(cal_err)?;
            if let Some(limit) = limit
                && on > limit
            {
                return Err(rule(format!("补正通知应在收到申请之日起7个工作日内（{limit}前）一次性发出（第三十条）")));
            }
            if note.is_empty() {
                return Err(AppError::field("note", "请写明需要补正的事项"));
            }
            let by = parse_date("due_by", input.due_by.as_deref().unwrap_or_default())?;
            if by <= on {
                return Err(AppError::field("due_by", "补正期限应晚于发出补正通知之日（第三十条：合理的补正期限）"));
            }
            step.due_by = Some(by);
        }
        "clarified" => {
            let Some(sent) = open_clarification(events) else {
                return Err(rule(if has("clarified") {
                    "已经登记过补正材料"
                } else {
                    "没有发出补正通知，不能登记补正材料"
                }));
            };
            if on < sent.on_date {
                return Err(AppError::field("on_date", "收到补正材料的日期不能早于补正通知"));
            }
        }
        "consultation" => {
            if open_consultation(events).is_some() {
                return Err(rule("上一次征求意见尚未收到答复"));
            }
            let party = text(&input.party);
            if !matches!(party.as_str(), "third_party" | "agency") {
                return Err(AppError::field(
                    "party",
                    "请选择征求意见的对象：third_party（第三方）或 agency（其他机关）",
                ));
            }
            if note.is_empty() {
                return Err(AppError::field("note", "请写明征求意见的第三方或机关"));
            }
            step.party = Some(party);
        }
        "consultation_reply" => {
            if open_consultation(events).is_none() {
                return Err(rule("没有正在进行的征求意见"));
            }
        }
        "joint_review" => {
            // 联合会商: organisations record opinions on a hard case; the clock runs on.
            let party = text(&input.party);
            if party.is_empty() || note.is_empty() {
                return Err(AppError::field("note", "联合会商须写明参加机关（party）及其意见（note）"));
            }
            step.party = Some(party);
        }
        "extension" => {
            if has("extension") {
                return Err(rule("答复期限只能延长一次"));
            }
            let days = input.days.unwrap_or(0);
            if !(1..=gongkai_domain::deadline::MAX_EXTENSION).contains(&days) {
                return Err(AppError::field("days", "延长答复期限最长不得超过20个工作日（第三十三条）"));
            }
            let approver = text(&input.approver);
            if approver.is_empty() {
                return Err(AppError::field(
                    "approver",
                    "延长答复期限须经政府信息公开工作机构负责人同意，请填写批准人",
                ));
            }
            if let Some(due) = current_due()?
                && on > due.due
            {
                return Err(rule(format!("答复期限已于{}届满，不能再延长", due.due)));
            }
            step.days = i32::try_from(days).ok();
            step.approver = Some(approver);
        }
        "fee_notice" => {
            if has("fee_notice") {
                return Err(rule("这件申请已经发出过收费通知"));
            }
            let method = text(&input.party);
            if !matches!(method.as_str(), "per_request" | "per_page") {
                return Err(AppError::field("party", "请选择计费方式：per_request（按件）或 per_page（按量）"));
            }
            match input.amount {
                Some(a) if a > 0 && a <= 10_000_000 => step.amount = Some(a),
                _ => return Err(AppError::field("amount", "请填写收费金额（元，正整数）")),
            }
            if let Some(due) = current_due()?
                && on > due.due
            {
                return Err(rule(format!("收费通知应在答复期限（{}）内发出", due.due)));
            }
            step.party = Some(method);
            step.due_by = Some(fee_payment_due(cx.cal, on).map_err(cal_err)?.due);
        }
        "fee_paid" => {
            if open_fee_notice(events).is_none() {
                return Err(rule(if has("fee_paid") { "已经登记过缴费" } else { "没有发出收费通知" }));
            }
        }
        "assign" => {
            let Some(user) = input.to_user_id else {
                return Err(AppError::field("to_user_id", "请选择承办人"));
            };
            step.to_user_id = Some(user);
        }
        "transfer" => {
            match input.to_org_id {
                Some(o) if o != m.org_id => step.to_org_id = Some(o),
                Some(_) => return Err(AppError::field("to_org_id", "已经由这个机关办理")),
                None => return Err(AppError::field("to_org_id", "请选择转交的机关")),
            }
            if note.is_empty() {
                return Err(AppError::field("note", "请写明转交理由"));
            }
        }
        "decision" => {
            let outcome = input
                .outcome
                .as_deref()
                .and_then(Outcome::parse)
                .ok_or_else(|| AppError::field("outcome", "请选择答复结果（年度报告规定的类别）"))?;
            let basis = text(&input.basis);
            if basis.is_empty() {
                return Err(AppError::field("basis", "答复决定须写明法律依据（如：第三十六条第（三）项）"));
            }
            if open_consultation(events).is_some() {
                return Err(rule("征求意见尚未结束：请先登记答复（对方逾期未答复的，登记“逾期未答复”）"));
            }
            match outcome {
                Outcome::OtherNoClarification => match open_clarification(events) {
                    None => return Err(rule("只有发出补正通知而申请人未补正的，才能按“逾期不补正”处理")),
                    Some(c) if c.due_by.is_some_and(|by| on <= by) => {
                        return Err(rule(format!(
                            "补正期限（{}）尚未届满，不能视为放弃申请",
                            c.due_by.map(|d| d.to_string()).unwrap_or_default()
                        )));
                    }
                    Some(_) => {}
                },
                Outcome::OtherUnpaid => match open_fee_notice(events) {
                    None => return Err(rule("只有发出收费通知而申请人未缴费的，才能按“逾期未缴费”处理")),
                    Some(f) if f.due_by.is_some_and(|by| on <= by) => {
                        return Err(rule(format!(
                            "缴费期限（{}）尚未届满，不能视为放弃申请",
                            f.due_by.map(|d| d.to_string()).unwrap_or_default()
                        )));
                    }
                    Some(_) => {}
                },
                _ => {}
            }
            step.outcome = Some(outcome.code().into());
            step.basis = Some(basis);
        }
        "letter" => {
            if !has("decision") {
                return Err(rule("作出答复决定后才能编辑答复书"));
            }
            if !(20..=20_000).contains(&note.chars().count()) {
                return Err(AppError::field("text", "答复书应为20至20000字"));
            }
        }
        "delivery" => {
            if !has("decision") {
                return Err(rule("作出答复决定后才能登记送达"));
            }
            if note.is_empty() {
                return Err(AppError::field("note", "请写明送达方式（如：电子邮件送达、邮寄送达并附挂号信单号）"));
            }
        }
        _ => {
            return Err(AppError::field(
                "kind",
                "办理环节应为 clarification、clarified、consultation、consultation_reply、joint_review、extension、fee_notice、fee_paid、assign、transfer、decision 或 delivery",
            ));
        }
    }
    // A step the calendar cannot place changes nothing.
    let mut all = events.to_vec();
    all.push(step.clone());
    reply_due(cx.cal, cx.first, m.received_on, &all)?;
    Ok(step)
}

impl App {
    pub(super) async fn request_for(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(info_request::Model, Vec<request_event::Model>)> {
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
    async fn detail_of(
        &self,
        request: info_request::Model,
        events: Vec<request_event::Model>,
    ) -> Result<RequestDetail> {
        let id = request.id;
        let cal = self.calendar().await?;
        let due = reply_due(&cal, self.config.first_day, request.received_on, &events)?;
        let stopped = clock_of(request.received_on, &events)
            .1
            .map(str::to_string)
            .or_else(|| missing_year(&cal, self.config.first_day, request.received_on, &events).map(missing_year_note));
        let mut deadlines = Vec::new();
        let open = !matches!(status_of(&events), "decided" | "closed");
        if open && !events.iter().any(|e| e.kind == "clarification") {
            let limit = add_working_days(
                &cal,
                request.received_on,
                gongkai_domain::deadline::CLARIFY_WITHIN,
                self.config.first_day,
                &[],
            )
            .map_err(cal_err)?;
            // Only while a 补正 notice can still go out.
            if limit.due >= self.today() {
                deadlines.push(Deadline {
                    label: "补正通知最迟发出日（收到申请之日起7个工作日内，第三十条）".into(),
                    reckoning: limit,
                });
            }
        }
        if let Some(e) = open_consultation(&events) {
            deadlines.push(Deadline {
                label: "被征求意见方答复期限（15个工作日，第三十二条、第三十四条）".into(),
                reckoning: add_working_days(&cal, e.on_date, 15, FirstDay::NextDay, &[]).map_err(cal_err)?,
            });
        }
        if let Some(e) = open_fee_notice(&events).filter(|_| open) {
            deadlines.push(Deadline {
                label: "缴费期限（收到收费通知次日起20个工作日，逾期视为放弃申请）".into(),
                reckoning: fee_payment_due(&cal, e.on_date).map_err(cal_err)?,
            });
        }
        let consultation_answer_due =
            deadlines.iter().find(|d| d.label.starts_with("被征求意见方")).map(|d| d.reckoning.due);
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
    pub async fn record_request_event(&self, actor: &Actor, id: i64, input: EventInput) -> Result<RequestDetail> {
        let (m, events) = self.request_for(actor, id).await?;
        let cal = self.calendar().await?;
        let cx = self.step_context(&cal, actor);
        let mut step = check_step(&m, &events, &input, &cx)?;
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
            let events = steps_of(&*tx, m.id).await?;
            let due = reply_due(&cal, self.config.first_day, m.received_on, &events)?.map(|d| d.due);
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
        events: &[request_event::Model],
        step: request_event::Model,
    ) -> Result<()> {
        let mut all = events.to_vec();
        all.push(step.clone());
        let cal = self.calendar().await?;
        let status = status_of(&all);
        let due = reply_due(&cal, self.config.first_day, m.received_on, &all)?.map(|d| d.due);
        let tx = self.store.begin_write().await?;
        // The step was checked against the steps read before the write lock; another step
        // written since then (a double click, a colleague) would void that check.
        let written: Vec<i64> = request_event::Entity::find()
            .select_only()
            .column(request_event::Column::Id)
            .filter(request_event::Column::RequestId.eq(m.id))
            .order_by_asc(request_event::Column::Id)
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
        let mut row: request_event::ActiveModel = step.clone().into();
        row.id = gongkai_store::sea_orm::ActiveValue::NotSet;
        row.insert(&*tx).await?;
        let mut am: info_request::ActiveModel = m.clone().into();
        am.status = Set(status.to_string());
        am.due_on = Set(if matches!(status, "decided" | "closed") { m.due_on } else { due });
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
                "status": status, "due_on": due.map(|d| d.to_string()),
                "org_id": step.to_org_id.unwrap_or(m.org_id),
                "assignee_id": step.to_user_id.or(if step.to_org_id.is_some() { None } else { m.assignee_id }),
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
