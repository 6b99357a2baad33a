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

/// Why a step is refused. [`Refusal::code`] is stable (the API's `code`),
/// [`Refusal::field`] names the input at fault when there is one, and the message is
/// the Chinese sentence shown to the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "办理环节应为 clarification、clarified、consultation、consultation_reply、joint_review、extension、fee_notice、fee_paid、assign、transfer、decision、letter 或 delivery"
    )]
    UnknownKind,
    #[error("“收到申请”由受理登记生成，不能另行登记")]
    ReceivedByHand,
    #[error("请按 YYYY-MM-DD 填写日期")]
    BadDate { field: &'static str },
    #[error("日期不能晚于今天")]
    DateInFuture,
    #[error("日期不能早于收到申请之日")]
    DateBeforeReceipt,
    #[error("日期不能早于上一个办理环节（{last}）")]
    DateOutOfOrder { last: Date },
    #[error("这件申请已经办结")]
    Closed,
    #[error("这件申请已经作出答复决定")]
    AlreadyDecided,
    #[error("补正只能一次性告知，这件申请已经发出过补正通知（第三十条）")]
    ClarificationTwice,
    #[error("补正通知应在收到申请之日起7个工作日内（{limit}前）一次性发出（第三十条）")]
    ClarificationLate { limit: Date },
    #[error("请写明需要补正的事项")]
    ClarificationWithoutItems,
    #[error("补正期限应晚于发出补正通知之日（第三十条：合理的补正期限）")]
    ClarificationDeadline,
    #[error("已经登记过补正材料")]
    ClarifiedTwice,
    #[error("没有发出补正通知，不能登记补正材料")]
    ClarifiedWithoutNotice,
    #[error("上一次征求意见尚未收到答复")]
    ConsultationOpen,
    #[error("请选择征求意见的对象：third_party（第三方）或 agency（其他机关）")]
    ConsultedPartyMissing,
    #[error("请写明征求意见的第三方或机关")]
    ConsultedWhomMissing,
    #[error("没有正在进行的征求意见")]
    NoOpenConsultation,
    #[error("联合会商须写明参加机关（party）及其意见（note）")]
    JointReviewIncomplete,
    #[error("答复期限只能延长一次")]
    ExtensionTwice,
    #[error("延长答复期限最长不得超过20个工作日（第三十三条）")]
    ExtensionOverCap,
    #[error("延长答复期限须经政府信息公开工作机构负责人同意，请填写批准人")]
    ExtensionUnapproved,
    #[error("答复期限已于{due}届满，不能再延长")]
    ExtensionAfterDue { due: Date },
    #[error("这件申请已经发出过收费通知")]
    FeeNoticeTwice,
    #[error("请选择计费方式：per_request（按件）或 per_page（按量）")]
    FeeMethodMissing,
    #[error("请填写收费金额（元，正整数）")]
    FeeAmountInvalid,
    #[error("收费通知应在答复期限（{due}）内发出")]
    FeeNoticeAfterDue { due: Date },
    #[error("已经登记过缴费")]
    FeePaidTwice,
    #[error("没有发出收费通知")]
    FeePaidWithoutNotice,
    #[error("请选择承办人")]
    AssigneeMissing,
    #[error("请选择转交的机关")]
    TransferTargetMissing,
    #[error("已经由这个机关办理")]
    TransferToSelf,
    #[error("请写明转交理由")]
    TransferWithoutReason,
    #[error("请选择答复结果（年度报告规定的类别）")]
    OutcomeMissing,
    #[error("答复决定须写明法律依据（如：第三十六条第（三）项）")]
    DecisionWithoutBasis,
    #[error("征求意见尚未结束：请先登记答复（对方逾期未答复的，登记“逾期未答复”）")]
    DecisionDuringConsultation,
    #[error("只有发出补正通知而申请人未补正的，才能按“逾期不补正”处理")]
    AbandonedWithoutClarification,
    #[error("补正期限（{by}）尚未届满，不能视为放弃申请")]
    ClarificationPeriodRunning { by: Date },
    #[error("只有发出收费通知而申请人未缴费的，才能按“逾期未缴费”处理")]
    AbandonedWithoutFeeNotice,
    #[error("缴费期限（{by}）尚未届满，不能视为放弃申请")]
    FeePeriodRunning { by: Date },
    #[error("作出答复决定后才能编辑答复书")]
    LetterBeforeDecision,
    #[error("答复书应为20至20000字")]
    LetterLength,
    #[error("作出答复决定后才能登记送达")]
    ServiceBeforeDecision,
    #[error("请写明送达方式（如：电子邮件送达、邮寄送达并附挂号信单号）")]
    ServiceWithoutMethod,
    /// The working-day calendar cannot place the dates (a year with an error, not a year
    /// merely not loaded yet: that never blocks a step).
    #[error("{0}")]
    Calendar(String),
}

impl Refusal {
    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        use Refusal::*;
        match self {
            UnknownKind => "unknown_step",
            ReceivedByHand => "received_by_hand",
            BadDate { .. } => "invalid_date",
            DateInFuture => "date_in_future",
            DateBeforeReceipt => "date_before_receipt",
            DateOutOfOrder { .. } => "date_out_of_order",
            Closed => "request_closed",
            AlreadyDecided => "already_decided",
            ClarificationTwice => "clarification_twice",
            ClarificationLate { .. } => "clarification_late",
            ClarificationWithoutItems => "clarification_without_items",
            ClarificationDeadline => "clarification_deadline_invalid",
            ClarifiedTwice => "clarified_twice",
            ClarifiedWithoutNotice => "clarified_without_notice",
            ConsultationOpen => "consultation_open",
            ConsultedPartyMissing => "consulted_party_missing",
            ConsultedWhomMissing => "consulted_whom_missing",
            NoOpenConsultation => "no_open_consultation",
            JointReviewIncomplete => "joint_review_incomplete",
            ExtensionTwice => "extension_twice",
            ExtensionOverCap => "extension_over_cap",
            ExtensionUnapproved => "extension_unapproved",
            ExtensionAfterDue { .. } => "extension_after_due",
            FeeNoticeTwice => "fee_notice_twice",
            FeeMethodMissing => "fee_method_missing",
            FeeAmountInvalid => "fee_amount_invalid",
            FeeNoticeAfterDue { .. } => "fee_notice_after_due",
            FeePaidTwice => "fee_paid_twice",
            FeePaidWithoutNotice => "fee_paid_without_notice",
            AssigneeMissing => "assignee_missing",
            TransferTargetMissing => "transfer_target_missing",
            TransferToSelf => "transfer_to_self",
            TransferWithoutReason => "transfer_without_reason",
            OutcomeMissing => "outcome_missing",
            DecisionWithoutBasis => "decision_without_basis",
            DecisionDuringConsultation => "decision_during_consultation",
            AbandonedWithoutClarification => "abandoned_without_clarification",
            ClarificationPeriodRunning { .. } => "clarification_period_running",
            AbandonedWithoutFeeNotice => "abandoned_without_fee_notice",
            FeePeriodRunning { .. } => "fee_period_running",
            LetterBeforeDecision => "letter_before_decision",
            LetterLength => "letter_length",
            ServiceBeforeDecision => "service_before_decision",
            ServiceWithoutMethod => "service_without_method",
            Calendar(_) => "calendar_error",
        }
    }

    /// The input at fault, when one field is (the form marks it); None when the step as a
    /// whole is refused by the rules.
    pub fn field(&self) -> Option<&'static str> {
        use Refusal::*;
        Some(match self {
            UnknownKind | ReceivedByHand => "kind",
            BadDate { field } => field,
            DateInFuture | DateBeforeReceipt | DateOutOfOrder { .. } => "on_date",
            ClarificationWithoutItems
            | ConsultedWhomMissing
            | JointReviewIncomplete
            | TransferWithoutReason
            | ServiceWithoutMethod => "note",
            ClarificationDeadline => "due_by",
            ConsultedPartyMissing | FeeMethodMissing => "party",
            ExtensionOverCap => "days",
            ExtensionUnapproved => "approver",
            FeeAmountInvalid => "amount",
            AssigneeMissing => "to_user_id",
            TransferTargetMissing | TransferToSelf => "to_org_id",
            OutcomeMissing => "outcome",
            DecisionWithoutBasis => "basis",
            LetterLength => "text",
            _ => return None,
        })
    }
}

impl From<CalendarError> for Refusal {
    fn from(e: CalendarError) -> Self {
        Refusal::Calendar(e.to_string())
    }
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
mod tests {
    use super::*;
    use time::macros::date;

    fn cal() -> WorkCalendar {
        WorkCalendar::shipped()
    }

    const REQ: RequestFacts = RequestFacts { received_on: date!(2025 - 07 - 01), org_id: 7 };

    fn input(kind: &str, on: &str) -> StepInput {
        StepInput { kind: kind.into(), on_date: on.into(), ..Default::default() }
    }

    fn with(kind: &str, on: &str, f: impl FnOnce(&mut StepInput)) -> StepInput {
        let mut i = input(kind, on);
        f(&mut i);
        i
    }

    fn clarification(on: &str, by: &str) -> StepInput {
        with("clarification", on, |i| {
            i.note = Some("请补充文件的名称或文号".into());
            i.due_by = Some(by.into());
        })
    }

    fn consultation(on: &str) -> StepInput {
        with("consultation", on, |i| {
            i.party = Some("third_party".into());
            i.note = Some("书面征求某公司意见".into());
        })
    }

    fn decision(on: &str, outcome: &str) -> StepInput {
        with("decision", on, |i| {
            i.outcome = Some(outcome.into());
            i.basis = Some("《中华人民共和国政府信息公开条例》第三十六条第（二）项".into());
        })
    }

    fn fee_notice(on: &str) -> StepInput {
        with("fee_notice", on, |i| {
            i.party = Some("per_request".into());
            i.amount = Some(100);
        })
    }

    fn extension(on: &str, days: u32) -> StepInput {
        with("extension", on, |i| {
            i.days = Some(days);
            i.approver = Some("公开办主任".into());
        })
    }

    /// Replays `history` (each must pass), then checks `last`.
    fn run(history: &[StepInput], last: &StepInput, today: Date) -> Result<RecordedStep, Refusal> {
        let cal = cal();
        let cx = Context { cal: &cal, first: FirstDay::NextDay, today };
        let mut steps = vec![RecordedStep { on: REQ.received_on, note: String::new(), step: Step::Received }];
        for h in history {
            let s = check_step(REQ, &steps, h, cx).unwrap_or_else(|e| panic!("history step {h:?}: {e}"));
            steps.push(s);
        }
        check_step(REQ, &steps, last, cx)
    }

    /// One row per rule of RULES.md §1 (and the workflow's own order): the steps before,
    /// the step, and the refusal code expected (None: accepted).
    #[test]
    fn each_rule_of_the_regulation_refuses_with_its_own_code() {
        let today = date!(2025 - 12 - 31);
        let cases: Vec<(&str, Vec<StepInput>, StepInput, Option<&str>)> = vec![
            ("补正 within 7 working days (第三十条)", vec![], clarification("2025-07-10", "2025-07-25"), None),
            (
                "补正 after 7 working days",
                vec![],
                clarification("2025-07-11", "2025-07-25"),
                Some("clarification_late"),
            ),
            (
                "a second 补正 (一次性告知)",
                vec![clarification("2025-07-02", "2025-07-20"), input("clarified", "2025-07-05")],
                clarification("2025-07-06", "2025-07-25"),
                Some("clarification_twice"),
            ),
            (
                "补正 without the items to correct",
                vec![],
                with("clarification", "2025-07-02", |i| i.due_by = Some("2025-07-20".into())),
                Some("clarification_without_items"),
            ),
            (
                "补正 deadline not after the notice",
                vec![],
                clarification("2025-07-02", "2025-07-02"),
                Some("clarification_deadline_invalid"),
            ),
            ("补正材料 without a notice", vec![], input("clarified", "2025-07-03"), Some("clarified_without_notice")),
            (
                "补正材料 twice",
                vec![clarification("2025-07-02", "2025-07-20"), input("clarified", "2025-07-05")],
                input("clarified", "2025-07-06"),
                Some("clarified_twice"),
            ),
            ("extension of 20 working days (第三十三条)", vec![], extension("2025-07-20", 20), None),
            ("extension over 20 working days", vec![], extension("2025-07-20", 21), Some("extension_over_cap")),
            ("extension of 0 days", vec![], extension("2025-07-20", 0), Some("extension_over_cap")),
            (
                "extension without the head's approval",
                vec![],
                with("extension", "2025-07-20", |i| i.days = Some(10)),
                Some("extension_unapproved"),
            ),
            (
                "a second extension",
                vec![extension("2025-07-20", 5)],
                extension("2025-07-21", 5),
                Some("extension_twice"),
            ),
            ("extension after the reply date passed", vec![], extension("2025-07-30", 5), Some("extension_after_due")),
            (
                "consultation names whom it asks (第三十二条 书面征求)",
                vec![],
                with("consultation", "2025-07-03", |i| i.party = Some("third_party".into())),
                Some("consulted_whom_missing"),
            ),
            (
                "consultation without a party",
                vec![],
                with("consultation", "2025-07-03", |i| i.note = Some("x".into())),
                Some("consulted_party_missing"),
            ),
            (
                "a second consultation while one is open",
                vec![consultation("2025-07-03")],
                consultation("2025-07-04"),
                Some("consultation_open"),
            ),
            (
                "a reply with no open consultation",
                vec![],
                input("consultation_reply", "2025-07-04"),
                Some("no_open_consultation"),
            ),
            (
                "a decision while the consulted party may still answer",
                vec![consultation("2025-07-03")],
                decision("2025-07-10", "disclose"),
                Some("decision_during_consultation"),
            ),
            (
                "a decision without basis",
                vec![],
                with("decision", "2025-07-10", |i| i.outcome = Some("disclose".into())),
                Some("decision_without_basis"),
            ),
            ("a decision without an outcome", vec![], input("decision", "2025-07-10"), Some("outcome_missing")),
            (
                "deemed abandoned with no 补正 notice (第三十条)",
                vec![],
                decision("2025-07-20", "other_no_clarification"),
                Some("abandoned_without_clarification"),
            ),
            (
                "deemed abandoned before the 补正 deadline",
                vec![clarification("2025-07-02", "2025-07-20")],
                decision("2025-07-20", "other_no_clarification"),
                Some("clarification_period_running"),
            ),
            (
                "deemed abandoned after the 补正 deadline",
                vec![clarification("2025-07-02", "2025-07-20")],
                decision("2025-07-21", "other_no_clarification"),
                None,
            ),
            ("a fee notice (第四十二条)", vec![], fee_notice("2025-07-10"), None),
            (
                "a fee notice with no method",
                vec![],
                with("fee_notice", "2025-07-10", |i| i.amount = Some(100)),
                Some("fee_method_missing"),
            ),
            (
                "a fee notice with no amount",
                vec![],
                with("fee_notice", "2025-07-10", |i| i.party = Some("per_page".into())),
                Some("fee_amount_invalid"),
            ),
            ("a second fee notice", vec![fee_notice("2025-07-10")], fee_notice("2025-07-11"), Some("fee_notice_twice")),
            ("a fee notice after the reply date", vec![], fee_notice("2025-07-30"), Some("fee_notice_after_due")),
            ("payment without a notice", vec![], input("fee_paid", "2025-07-10"), Some("fee_paid_without_notice")),
            (
                "deemed abandoned while payment may still come",
                vec![fee_notice("2025-07-10")],
                decision("2025-08-07", "other_unpaid"),
                Some("fee_period_running"),
            ),
            (
                "deemed abandoned after the payment deadline",
                vec![fee_notice("2025-07-10")],
                decision("2025-08-08", "other_unpaid"),
                None,
            ),
            (
                "deemed unpaid with no fee notice",
                vec![],
                decision("2025-07-10", "other_unpaid"),
                Some("abandoned_without_fee_notice"),
            ),
            (
                "a date before the last step",
                vec![extension("2025-07-20", 5)],
                decision("2025-07-19", "disclose"),
                Some("date_out_of_order"),
            ),
            ("a date before receipt", vec![], decision("2025-06-30", "disclose"), Some("date_before_receipt")),
            ("a date in the future", vec![], decision("2026-01-01", "disclose"), Some("date_in_future")),
            ("a date that is not one", vec![], decision("2025-7-1x", "disclose"), Some("invalid_date")),
            (
                "another step after the decision",
                vec![decision("2025-07-10", "disclose")],
                extension("2025-07-11", 5),
                Some("already_decided"),
            ),
            (
                "service after the decision (published name delivery)",
                vec![decision("2025-07-10", "disclose")],
                with("delivery", "2025-07-11", |i| i.note = Some("电子邮件送达".into())),
                None,
            ),
            (
                "service before a decision",
                vec![],
                with("delivery", "2025-07-11", |i| i.note = Some("邮寄".into())),
                Some("service_before_decision"),
            ),
            (
                "service without how",
                vec![decision("2025-07-10", "disclose")],
                input("service", "2025-07-11"),
                Some("service_without_method"),
            ),
            (
                "any step once served",
                vec![
                    decision("2025-07-10", "disclose"),
                    with("delivery", "2025-07-11", |i| i.note = Some("邮寄".into())),
                ],
                with("letter", "2025-07-12", |i| i.note = Some("答".repeat(30))),
                Some("request_closed"),
            ),
            (
                "a letter before the decision",
                vec![],
                with("letter", "2025-07-12", |i| i.note = Some("答".repeat(30))),
                Some("letter_before_decision"),
            ),
            (
                "a letter too short",
                vec![decision("2025-07-10", "disclose")],
                with("letter", "2025-07-12", |i| i.note = Some("答".into())),
                Some("letter_length"),
            ),
            (
                "transfer to the same organisation",
                vec![],
                with("transfer", "2025-07-02", |i| {
                    i.to_org_id = Some(7);
                    i.note = Some("x".into())
                }),
                Some("transfer_to_self"),
            ),
            (
                "transfer without a reason",
                vec![],
                with("transfer", "2025-07-02", |i| i.to_org_id = Some(8)),
                Some("transfer_without_reason"),
            ),
            ("assign without a person", vec![], input("assign", "2025-07-02"), Some("assignee_missing")),
            (
                "joint review without its organisation",
                vec![],
                with("joint_review", "2025-07-02", |i| i.note = Some("同意".into())),
                Some("joint_review_incomplete"),
            ),
            ("an unknown kind", vec![], input("approve", "2025-07-02"), Some("unknown_step")),
            ("received typed by hand", vec![], input("received", "2025-07-02"), Some("received_by_hand")),
        ];
        for (rule, history, last, expected) in cases {
            let got = run(&history, &last, today);
            assert_eq!(got.as_ref().err().map(Refusal::code), expected, "{rule}: {got:?}");
        }
    }

    #[test]
    fn status_follows_the_steps() {
        let today = date!(2025 - 12 - 31);
        let cal = cal();
        let cx = Context { cal: &cal, first: FirstDay::NextDay, today };
        let mut steps = vec![RecordedStep { on: REQ.received_on, note: String::new(), step: Step::Received }];
        let mut push = |i: StepInput| {
            let s = check_step(REQ, &steps, &i, cx).unwrap();
            steps.push(s);
            status_of(&steps).code()
        };
        assert_eq!(push(clarification("2025-07-02", "2025-07-20")), "clarifying");
        assert_eq!(push(input("clarified", "2025-07-05")), "received");
        assert_eq!(push(consultation("2025-07-07")), "consulting");
        assert_eq!(push(input("consultation_reply", "2025-07-10")), "received");
        assert_eq!(push(fee_notice("2025-07-11")), "fee_pending");
        assert_eq!(push(input("fee_paid", "2025-07-14")), "received");
        assert_eq!(push(decision("2025-07-20", "disclose")), "decided");
        assert_eq!(push(with("delivery", "2025-07-21", |i| i.note = Some("邮寄".into()))), "closed");
    }

    /// 第三十条: the 20 days run from the clarified request; 第三十三条: the consultation does
    /// not count. Received 07-01 (Tue), 补正 out 07-02, back 07-07 (Mon): day 1 is 07-08 and
    /// day 20 is 08-04; a consultation from 07-09 to 07-11 (3 working days) moves it to 08-07.
    #[test]
    fn the_reply_date_restarts_after_clarification_and_skips_the_consultation() {
        let cal = cal();
        let cx = Context { cal: &cal, first: FirstDay::NextDay, today: date!(2025 - 12 - 31) };
        let mut steps = vec![RecordedStep { on: REQ.received_on, note: String::new(), step: Step::Received }];
        for i in [clarification("2025-07-02", "2025-07-20"), input("clarified", "2025-07-07")] {
            let s = check_step(REQ, &steps, &i, cx).unwrap();
            steps.push(s);
        }
        let due = |s: &[RecordedStep]| reply_due(&cal, FirstDay::NextDay, REQ.received_on, s).unwrap().map(|d| d.due);
        assert_eq!(due(&steps), Some(date!(2025 - 08 - 04)));
        for i in [consultation("2025-07-09"), input("consultation_reply", "2025-07-11")] {
            let s = check_step(REQ, &steps, &i, cx).unwrap();
            steps.push(s);
        }
        assert_eq!(due(&steps), Some(date!(2025 - 08 - 07)));
    }

    #[test]
    fn stored_steps_read_back_as_they_were_written() {
        let cal = cal();
        let cx = Context { cal: &cal, first: FirstDay::NextDay, today: date!(2025 - 12 - 31) };
        let steps = vec![RecordedStep { on: REQ.received_on, note: String::new(), step: Step::Received }];
        for i in [fee_notice("2025-07-10"), extension("2025-07-10", 5), consultation("2025-07-10")] {
            let s = check_step(REQ, &steps, &i, cx).unwrap();
            let back = RecordedStep::from_facts(s.kind().code(), s.on, s.note.clone(), s.facts()).unwrap();
            assert_eq!(back, s);
        }
        assert_eq!(StepKind::parse_any("consultation"), Some(StepKind::ThirdPartyConsultation));
        assert_eq!(StepKind::ThirdPartyConsultation.published(), "consultation");
        assert_eq!(StepKind::parse_any("delivery"), Some(StepKind::Service));
    }
}
