//! Handling a request (办理环节, RULES.md §1.1, §1.3, §1.4): which steps the regulation
//! allows and in what order, the facts each carries, and the status and reply date the
//! recorded steps imply. Pure: the app reads the recorded steps, calls [`check_step`] and
//! writes what it returns; steps typed in the console and steps imported from the city
//! platform go through the same check. Every refusal is a [`Refusal`] with its own stable
//! code, so a caller can tell a second 补正 from an over-long extension.

use crate::calendar::{CalendarError, WorkCalendar};
use crate::deadline::{
    CLARIFY_WITHIN, DeadlineError, Excluded, FirstDay, MAX_EXTENSION, Reckoning, ReplyDue, RequestClock,
    add_working_days, fee_payment_due,
};
use crate::document::labelled_enum;
use crate::request::Outcome;
use time::Date;

mod refusal;
pub use refusal::Refusal;

labelled_enum! {
    /// The kinds of step; the label is how the timeline names it. `code` is the stored
    /// name; [`StepKind::published`] is the value `/api/v1` has always used for it.
    StepKind {
        Received = "received" / "收到申请",
        Clarification = "clarification" / "发出补正告知",
        Clarified = "clarified" / "收到补正材料",
        ThirdPartyConsultation = "third_party_consultation" / "征求意见（期间不计入答复期限）",
        ThirdPartyReply = "third_party_reply" / "收到征求意见的答复",
        JointReview = "joint_review" / "联合会商",
        Extension = "extension" / "延长答复期限",
        FeeNotice = "fee_notice" / "发出收费通知",
        FeePaid = "fee_paid" / "申请人已缴费",
        Assign = "assign" / "指定承办人",
        Transfer = "transfer" / "转交其他机关办理",
        Decision = "decision" / "作出答复决定",
        Letter = "letter" / "修改答复书",
        Service = "service" / "答复书已送达",
    }
}

impl StepKind {
    /// The value of the published API (`gongkai.request.v2`, `/api/v1`): three kinds were
    /// renamed to free their words for public consultation and push (GLOSSARY.md).
    pub fn published(self) -> &'static str {
        match self {
            StepKind::ThirdPartyConsultation => "consultation",
            StepKind::ThirdPartyReply => "consultation_reply",
            StepKind::Service => "delivery",
            k => k.code(),
        }
    }

    /// Accepts the stored name, the published name or the Chinese label.
    pub fn parse_any(s: &str) -> Option<StepKind> {
        let s = s.trim();
        StepKind::parse(s).or_else(|| StepKind::ALL.iter().copied().find(|k| k.published() == s))
    }

    /// Steps that only make sense inside one system (they name local people and
    /// organisations), so they are not exchanged with the city platform.
    pub fn is_local(self) -> bool {
        matches!(self, StepKind::Assign | StepKind::Transfer)
    }
}

labelled_enum! {
    /// Where a request stands; always derived from its steps by [`status_of`].
    RequestStatus {
        Received = "received" / "已受理，正在办理",
        Clarifying = "clarifying" / "待申请人补正",
        Consulting = "consulting" / "征求意见中",
        FeePending = "fee_pending" / "待申请人缴纳信息处理费",
        Decided = "decided" / "已答复",
        Closed = "closed" / "已办结",
    }
}

impl RequestStatus {
    /// Decided or closed: the reply date no longer moves.
    pub fn is_answered(self) -> bool {
        matches!(self, RequestStatus::Decided | RequestStatus::Closed)
    }
}

labelled_enum! {
    /// Whom a consultation asks: a third party whose rights disclosure may harm (第三十二条)
    /// or another agency that made the information jointly (第三十四条).
    ConsultedParty {
        ThirdParty = "third_party" / "第三方",
        Agency = "agency" / "其他机关",
    }
}

labelled_enum! {
    /// 计费方式 of a 信息处理费 (国办函〔2020〕109号 第三条): one per request, never both.
    FeeMethod {
        PerRequest = "per_request" / "按件",
        PerPage = "per_page" / "按量",
    }
}

/// A step with the facts its kind carries. The free text every step has (what to
/// correct, whom was asked, the letter, how it was served) is [`RecordedStep::note`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Received,
    /// 补正告知, with the deadline given to the applicant (第三十条).
    Clarification {
        due_by: Date,
    },
    Clarified,
    ThirdPartyConsultation {
        party: ConsultedParty,
    },
    ThirdPartyReply,
    /// 联合会商: an organisation's opinion on a hard case; the clock runs on.
    JointReview {
        org: String,
    },
    /// At most 20 working days, approved by the head of the disclosure office (第三十三条).
    Extension {
        days: u32,
        approver: String,
    },
    FeeNotice {
        method: FeeMethod,
        amount: i64,
        pay_by: Date,
    },
    FeePaid,
    Assign {
        to_user_id: i64,
    },
    Transfer {
        to_org_id: i64,
    },
    Decision {
        outcome: Outcome,
        basis: String,
    },
    Letter,
    Service,
}

impl Step {
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Received => StepKind::Received,
            Step::Clarification { .. } => StepKind::Clarification,
            Step::Clarified => StepKind::Clarified,
            Step::ThirdPartyConsultation { .. } => StepKind::ThirdPartyConsultation,
            Step::ThirdPartyReply => StepKind::ThirdPartyReply,
            Step::JointReview { .. } => StepKind::JointReview,
            Step::Extension { .. } => StepKind::Extension,
            Step::FeeNotice { .. } => StepKind::FeeNotice,
            Step::FeePaid => StepKind::FeePaid,
            Step::Assign { .. } => StepKind::Assign,
            Step::Transfer { .. } => StepKind::Transfer,
            Step::Decision { .. } => StepKind::Decision,
            Step::Letter => StepKind::Letter,
            Step::Service => StepKind::Service,
        }
    }
}

/// A step as recorded: the day it happened, its text and its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedStep {
    pub on: Date,
    pub note: String,
    pub step: Step,
}

/// The facts of a step in flat form, as a table row or an exchange file holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub days: Option<u32>,
    pub approver: Option<String>,
    pub outcome: Option<Outcome>,
    pub basis: Option<String>,
    /// consultation: the consulted party; joint review: the organisation; fee notice: the method.
    pub party: Option<String>,
    /// clarification: the applicant's deadline; fee notice: the payment deadline.
    pub due_by: Option<Date>,
    pub amount: Option<i64>,
    pub to_org_id: Option<i64>,
    pub to_user_id: Option<i64>,
}

impl RecordedStep {
    /// Reads a stored step back; None when the row is not a step this version knows (a
    /// fault of the data, reported by the caller).
    pub fn from_facts(kind: &str, on: Date, note: String, f: Facts) -> Option<RecordedStep> {
        let step = match StepKind::parse_any(kind)? {
            StepKind::Received => Step::Received,
            StepKind::Clarification => Step::Clarification { due_by: f.due_by.unwrap_or(on) },
            StepKind::Clarified => Step::Clarified,
            StepKind::ThirdPartyConsultation => Step::ThirdPartyConsultation {
                party: f.party.as_deref().and_then(ConsultedParty::parse).unwrap_or(ConsultedParty::ThirdParty),
            },
            StepKind::ThirdPartyReply => Step::ThirdPartyReply,
            StepKind::JointReview => Step::JointReview { org: f.party.unwrap_or_default() },
            StepKind::Extension => Step::Extension { days: f.days?, approver: f.approver.unwrap_or_default() },
            StepKind::FeeNotice => Step::FeeNotice {
                method: f.party.as_deref().and_then(FeeMethod::parse)?,
                amount: f.amount?,
                pay_by: f.due_by?,
            },
            StepKind::FeePaid => Step::FeePaid,
            StepKind::Assign => Step::Assign { to_user_id: f.to_user_id? },
            StepKind::Transfer => Step::Transfer { to_org_id: f.to_org_id? },
            StepKind::Decision => Step::Decision { outcome: f.outcome?, basis: f.basis.unwrap_or_default() },
            StepKind::Letter => Step::Letter,
            StepKind::Service => Step::Service,
        };
        Some(RecordedStep { on, note, step })
    }

    /// The flat facts to store.
    pub fn facts(&self) -> Facts {
        let mut f = Facts::default();
        match &self.step {
            Step::Clarification { due_by } => f.due_by = Some(*due_by),
            Step::ThirdPartyConsultation { party } => f.party = Some(party.code().into()),
            Step::JointReview { org } => f.party = Some(org.clone()),
            Step::Extension { days, approver } => {
                f.days = Some(*days);
                f.approver = Some(approver.clone());
            }
            Step::FeeNotice { method, amount, pay_by } => {
                f.party = Some(method.code().into());
                f.amount = Some(*amount);
                f.due_by = Some(*pay_by);
            }
            Step::Assign { to_user_id } => f.to_user_id = Some(*to_user_id),
            Step::Transfer { to_org_id } => f.to_org_id = Some(*to_org_id),
            Step::Decision { outcome, basis } => {
                f.outcome = Some(*outcome);
                f.basis = Some(basis.clone());
            }
            Step::Received | Step::Clarified | Step::ThirdPartyReply | Step::FeePaid | Step::Letter | Step::Service => {
            }
        }
        f
    }

    pub fn kind(&self) -> StepKind {
        self.step.kind()
    }
}

/// A step as typed into the console or sent to the API; [`check_step`] turns it into a
/// [`RecordedStep`] or refuses it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    /// clarification, clarified, consultation, consultation_reply, joint_review, extension,
    /// fee_notice, fee_paid, assign, transfer, decision, letter, delivery (the published
    /// names; the stored names third_party_consultation, third_party_reply and service are
    /// accepted too).
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

/// What a step is checked against besides the request's own steps.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub cal: &'a WorkCalendar,
    pub first: FirstDay,
    pub today: Date,
}

/// The request a step belongs to, as far as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFacts {
    pub received_on: Date,
    /// The organisation answering it now (a transfer must name another).
    pub org_id: i64,
}

fn has(steps: &[RecordedStep], k: StepKind) -> bool {
    steps.iter().any(|s| s.kind() == k)
}

/// The open consultation (asked, not yet answered), if any.
pub fn open_consultation(steps: &[RecordedStep]) -> Option<&RecordedStep> {
    let count = |k| steps.iter().filter(|s| s.kind() == k).count();
    if count(StepKind::ThirdPartyConsultation) > count(StepKind::ThirdPartyReply) {
        steps.iter().rev().find(|s| s.kind() == StepKind::ThirdPartyConsultation)
    } else {
        None
    }
}

/// The fee notice not yet paid, if any.
pub fn open_fee_notice(steps: &[RecordedStep]) -> Option<&RecordedStep> {
    let notice = steps.iter().rev().find(|s| s.kind() == StepKind::FeeNotice)?;
    (!has(steps, StepKind::FeePaid)).then_some(notice)
}

/// The 补正 notice still waiting for the applicant, if any.
pub fn open_clarification(steps: &[RecordedStep]) -> Option<&RecordedStep> {
    let notice = steps.iter().find(|s| s.kind() == StepKind::Clarification)?;
    (!has(steps, StepKind::Clarified)).then_some(notice)
}

/// Where a request stands, from its steps.
pub fn status_of(steps: &[RecordedStep]) -> RequestStatus {
    if has(steps, StepKind::Service) {
        RequestStatus::Closed
    } else if has(steps, StepKind::Decision) {
        RequestStatus::Decided
    } else if open_consultation(steps).is_some() {
        RequestStatus::Consulting
    } else if open_fee_notice(steps).is_some() {
        RequestStatus::FeePending
    } else if open_clarification(steps).is_some() {
        RequestStatus::Clarifying
    } else {
        RequestStatus::Received
    }
}

/// The deadline facts recorded so far, and why the clock is stopped if it is.
pub fn clock_of(received_on: Date, steps: &[RecordedStep]) -> (RequestClock, Option<&'static str>) {
    let mut clock = RequestClock { received_on: Some(received_on), ..Default::default() };
    let mut asked: Option<Date> = None;
    let mut fee: Option<Date> = None;
    for s in steps {
        match &s.step {
            Step::Clarification { .. } => clock.clarification_sent_on = Some(s.on),
            Step::Clarified => clock.clarified_on = Some(s.on),
            Step::ThirdPartyConsultation { .. } => asked = Some(s.on),
            Step::ThirdPartyReply => {
                if let Some(from) = asked.take() {
                    clock
                        .consultations
                        .push(Excluded { from, to: s.on, reason: "征求第三方或其他机关意见".into() });
                }
            }
            Step::FeeNotice { .. } => fee = Some(s.on),
            Step::FeePaid => {
                if let Some(from) = fee.take() {
                    clock.consultations.push(Excluded { from, to: s.on, reason: "收费通知至缴纳费用".into() });
                }
            }
            Step::Extension { days, .. } => clock.extension_days = *days,
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

/// The reply date from the steps; None while the clock is stopped. A period running
/// into a year whose holiday arrangement is not loaded is the calendar's error
/// [`CalendarError::MissingYear`]; callers treat it as "no date yet", never as a refusal.
pub fn reply_due(
    cal: &WorkCalendar,
    first: FirstDay,
    received_on: Date,
    steps: &[RecordedStep],
) -> Result<Option<ReplyDue>, DeadlineError> {
    let (clock, stopped) = clock_of(received_on, steps);
    if stopped.is_some() {
        return Ok(None);
    }
    clock.reply_due(cal, first)
}

/// The reply date when it can be placed; a year not yet loaded gives None.
fn placeable_due(
    cal: &WorkCalendar,
    first: FirstDay,
    received_on: Date,
    steps: &[RecordedStep],
) -> Result<Option<ReplyDue>, Refusal> {
    match reply_due(cal, first, received_on, steps) {
        Err(DeadlineError::Calendar(CalendarError::MissingYear(_))) => Ok(None),
        r => r.map_err(|e| Refusal::Calendar(e.to_string())),
    }
}

/// The other running time limits of an open request, each with its reckoning: the last
/// day a 补正 notice may go out (while it still can), the consulted party's answer (15
/// working days, 第三十二条, 第三十四条) and the payment deadline.
pub fn running_limits(
    cal: &WorkCalendar,
    first: FirstDay,
    today: Date,
    received_on: Date,
    steps: &[RecordedStep],
) -> Result<Vec<(Limit, Reckoning)>, CalendarError> {
    let mut out = Vec::new();
    let open = !status_of(steps).is_answered();
    if open && !has(steps, StepKind::Clarification) {
        let limit = add_working_days(cal, received_on, CLARIFY_WITHIN, first, &[])?;
        if limit.due >= today {
            out.push((Limit::Clarification, limit));
        }
    }
    if let Some(s) = open_consultation(steps) {
        out.push((Limit::ConsultedAnswer, add_working_days(cal, s.on, 15, FirstDay::NextDay, &[])?));
    }
    if let Some(s) = open_fee_notice(steps).filter(|_| open) {
        out.push((Limit::Payment, fee_payment_due(cal, s.on)?));
    }
    Ok(out)
}

/// A time limit other than the reply date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Clarification,
    ConsultedAnswer,
    Payment,
}

impl Limit {
    pub fn label(self) -> &'static str {
        match self {
            Limit::Clarification => "补正通知最迟发出日（收到申请之日起7个工作日内，第三十条）",
            Limit::ConsultedAnswer => "被征求意见方答复期限（15个工作日，第三十二条、第三十四条）",
            Limit::Payment => "缴费期限（收到收费通知次日起20个工作日，逾期视为放弃申请）",
        }
    }
}

fn date(field: &'static str, s: &str) -> Result<Date, Refusal> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), fmt).map_err(|_| Refusal::BadDate { field })
}

fn text(v: &Option<String>) -> String {
    v.as_deref().unwrap_or_default().trim().to_string()
}

/// Checks one step against the regulation and the steps before it, and returns the step
/// to record. That the person or organisation named by assign/transfer exists is for the
/// caller, which has the database.
pub fn check_step(
    req: RequestFacts,
    steps: &[RecordedStep],
    input: &StepInput,
    cx: Context,
) -> Result<RecordedStep, Refusal> {
    let kind = StepKind::parse_any(&input.kind).ok_or(Refusal::UnknownKind)?;
    let on = date("on_date", &input.on_date)?;
    if on > cx.today {
        return Err(Refusal::DateInFuture);
    }
    if on < req.received_on {
        return Err(Refusal::DateBeforeReceipt);
    }
    if let Some(last) = steps.iter().map(|s| s.on).max()
        && on < last
    {
        return Err(Refusal::DateOutOfOrder { last });
    }
    if has(steps, StepKind::Service) {
        return Err(Refusal::Closed);
    }
    if has(steps, StepKind::Decision) && !matches!(kind, StepKind::Service | StepKind::Letter) {
        return Err(Refusal::AlreadyDecided);
    }
    let note = text(&input.note);
    let current_due = || placeable_due(cx.cal, cx.first, req.received_on, steps);
    let step = match kind {
        StepKind::Received => return Err(Refusal::ReceivedByHand),
        StepKind::Clarification => {
            if has(steps, StepKind::Clarification) {
                return Err(Refusal::ClarificationTwice);
            }
            let limit = RequestClock { received_on: Some(req.received_on), ..Default::default() }
                .clarification_limit(cx.cal, cx.first)
                .map_err(|e| Refusal::Calendar(e.to_string()))?;
            if let Some(limit) = limit
                && on > limit
            {
                return Err(Refusal::ClarificationLate { limit });
            }
            if note.is_empty() {
                return Err(Refusal::ClarificationWithoutItems);
            }
            let by = date("due_by", input.due_by.as_deref().unwrap_or_default())?;
            if by <= on {
                return Err(Refusal::ClarificationDeadline);
            }
            Step::Clarification { due_by: by }
        }
        StepKind::Clarified => {
            if open_clarification(steps).is_none() {
                return Err(if has(steps, StepKind::Clarified) {
                    Refusal::ClarifiedTwice
                } else {
                    Refusal::ClarifiedWithoutNotice
                });
            }
            Step::Clarified
        }
        StepKind::ThirdPartyConsultation => {
            if open_consultation(steps).is_some() {
                return Err(Refusal::ConsultationOpen);
            }
            let party = ConsultedParty::parse(&text(&input.party)).ok_or(Refusal::ConsultedPartyMissing)?;
            if note.is_empty() {
                return Err(Refusal::ConsultedWhomMissing);
            }
            Step::ThirdPartyConsultation { party }
        }
        StepKind::ThirdPartyReply => {
            if open_consultation(steps).is_none() {
                return Err(Refusal::NoOpenConsultation);
            }
            Step::ThirdPartyReply
        }
        StepKind::JointReview => {
            let org = text(&input.party);
            if org.is_empty() || note.is_empty() {
                return Err(Refusal::JointReviewIncomplete);
            }
            Step::JointReview { org }
        }
        StepKind::Extension => {
            if has(steps, StepKind::Extension) {
                return Err(Refusal::ExtensionTwice);
            }
            let days = input.days.unwrap_or(0);
            if !(1..=MAX_EXTENSION).contains(&days) {
                return Err(Refusal::ExtensionOverCap);
            }
            let approver = text(&input.approver);
            if approver.is_empty() {
                return Err(Refusal::ExtensionUnapproved);
            }
            if let Some(due) = current_due()?
                && on > due.due
            {
                return Err(Refusal::ExtensionAfterDue { due: due.due });
            }
            Step::Extension { days, approver }
        }
        StepKind::FeeNotice => {
            if has(steps, StepKind::FeeNotice) {
                return Err(Refusal::FeeNoticeTwice);
            }
            let method = FeeMethod::parse(&text(&input.party)).ok_or(Refusal::FeeMethodMissing)?;
            let amount = match input.amount {
                Some(a) if a > 0 && a <= 10_000_000 => a,
                _ => return Err(Refusal::FeeAmountInvalid),
            };
            if let Some(due) = current_due()?
                && on > due.due
            {
                return Err(Refusal::FeeNoticeAfterDue { due: due.due });
            }
            Step::FeeNotice { method, amount, pay_by: fee_payment_due(cx.cal, on)?.due }
        }
        StepKind::FeePaid => {
            if open_fee_notice(steps).is_none() {
                return Err(if has(steps, StepKind::FeePaid) {
                    Refusal::FeePaidTwice
                } else {
                    Refusal::FeePaidWithoutNotice
                });
            }
            Step::FeePaid
        }
        StepKind::Assign => Step::Assign { to_user_id: input.to_user_id.ok_or(Refusal::AssigneeMissing)? },
        StepKind::Transfer => {
            let to_org_id = match input.to_org_id {
                Some(o) if o != req.org_id => o,
                Some(_) => return Err(Refusal::TransferToSelf),
                None => return Err(Refusal::TransferTargetMissing),
            };
            if note.is_empty() {
                return Err(Refusal::TransferWithoutReason);
            }
            Step::Transfer { to_org_id }
        }
        StepKind::Decision => {
            let outcome = input.outcome.as_deref().and_then(Outcome::parse).ok_or(Refusal::OutcomeMissing)?;
            let basis = text(&input.basis);
            if basis.is_empty() {
                return Err(Refusal::DecisionWithoutBasis);
            }
            if open_consultation(steps).is_some() {
                return Err(Refusal::DecisionDuringConsultation);
            }
            match outcome {
                Outcome::OtherNoClarification => match open_clarification(steps).map(|s| &s.step) {
                    Some(Step::Clarification { due_by }) if on <= *due_by => {
                        return Err(Refusal::ClarificationPeriodRunning { by: *due_by });
                    }
                    Some(_) => {}
                    None => return Err(Refusal::AbandonedWithoutClarification),
                },
                Outcome::OtherUnpaid => match open_fee_notice(steps).map(|s| &s.step) {
                    Some(Step::FeeNotice { pay_by, .. }) if on <= *pay_by => {
                        return Err(Refusal::FeePeriodRunning { by: *pay_by });
                    }
                    Some(_) => {}
                    None => return Err(Refusal::AbandonedWithoutFeeNotice),
                },
                _ => {}
            }
            Step::Decision { outcome, basis }
        }
        StepKind::Letter => {
            if !has(steps, StepKind::Decision) {
                return Err(Refusal::LetterBeforeDecision);
            }
            if !(20..=20_000).contains(&note.chars().count()) {
                return Err(Refusal::LetterLength);
            }
            Step::Letter
        }
        StepKind::Service => {
            if !has(steps, StepKind::Decision) {
                return Err(Refusal::ServiceBeforeDecision);
            }
            if note.is_empty() {
                return Err(Refusal::ServiceWithoutMethod);
            }
            Step::Service
        }
    };
    let recorded = RecordedStep { on, note, step };
    // A step the calendar cannot place changes nothing.
    let mut all = steps.to_vec();
    all.push(recorded.clone());
    placeable_due(cx.cal, cx.first, req.received_on, &all)?;
    Ok(recorded)
}

#[cfg(test)]
mod tests;
