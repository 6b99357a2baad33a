//! Every way a step can be refused, each with its own stable code.

use crate::calendar::CalendarError;
use time::Date;

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
