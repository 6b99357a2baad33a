//! 咨询建言 and 领导信箱 (work plan §(二), §(六), §(九)): the public's questions and
//! suggestions, each routed to a body, answered, and published when the writer agrees.
//!
//! The age clock: ◐ the 2019 inspection vetoes a site whose 政务咨询 column holds a valid
//! message unanswered for **more than 3 months** (互动回应差, RULES.md §5.1). The body's own
//! target, in working days, is the district's setting (no national figure was found); the
//! clock warns when the target has passed and again when the 3-month line is near.

use crate::FieldError;
use crate::document::labelled_enum;
use time::Date;

labelled_enum! {
    /// Which box the message was put in.
    Mailbox {
        Consult = "consult" / "咨询建言",
        Leader = "leader" / "领导信箱",
    }
}

labelled_enum! {
    /// What the message is about.
    MessageCategory {
        Policy = "policy" / "政策咨询",
        Service = "service" / "办事咨询",
        Business = "business" / "营商环境",
        Suggestion = "suggestion" / "建言献策",
        Other = "other" / "其他",
    }
}

labelled_enum! {
    MessageStatus {
        Received = "received" / "办理中",
        Answered = "answered" / "已答复",
        Rejected = "rejected" / "不予受理",
    }
}

labelled_enum! {
    /// Why a message is not taken up: it is then not a valid message for the age clock,
    /// and the writer is told where to go instead.
    RejectReason {
        Duplicate = "duplicate" / "重复留言",
        NoContent = "no_content" / "内容不清或无实际内容",
        Petition = "petition" / "属于信访事项，请通过网上信访渠道反映",
        Accusation = "accusation" / "属于纪检监察举报，请向纪检监察机关反映",
        Improper = "improper" / "含有违法或不文明内容",
    }
}

labelled_enum! {
    /// Where an unanswered message stands on its clock.
    AgeStage {
        OnTime = "on_time" / "办理中",
        PastTarget = "past_target" / "已超过办理期限",
        NearLimit = "near_limit" / "临近三个月",
        PastLimit = "past_limit" / "超过三个月未答复",
    }
}

/// ◐ The inspection's line: months a valid message may wait for its answer.
pub const LIMIT_MONTHS: u8 = 3;
/// Days before the 3-month line when the clock turns to 临近三个月.
pub const NEAR_LIMIT_DAYS: i64 = 15;
/// Working days a body has to answer, unless the district sets its own (a design default,
/// not a rule read anywhere).
pub const DEFAULT_ANSWER_DAYS: u32 = 10;
pub const MAX_SUBJECT: usize = 50;
pub const MAX_BODY: usize = 2000;

/// A message as the writer typed it.
#[derive(Debug, Clone, Default)]
pub struct MessageInput {
    pub mailbox: String,
    pub category: String,
    pub subject: String,
    pub body: String,
    pub name: String,
    /// A telephone number or an e-mail address, for the answer.
    pub contact: String,
    /// Whether the writer agrees that the message and its answer are published (without
    /// their name and contact).
    pub consent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMessage {
    pub mailbox: Mailbox,
    pub category: MessageCategory,
    pub subject: String,
    pub body: String,
    pub name: String,
    pub contact: String,
    pub consent: bool,
}

fn text_field(
    errs: &mut Vec<FieldError>,
    field: &'static str,
    label: &str,
    value: &str,
    (min, max): (usize, usize),
    multiline: bool,
) -> String {
    let v = value.trim().to_string();
    let n = v.chars().count();
    if n < min {
        errs.push(FieldError::new(field, format!("请填写{label}（至少{min}个字）")));
    } else if n > max {
        errs.push(FieldError::new(field, format!("{label}不超过{max}字，现为{n}字")));
    } else {
        crate::text::check(errs, field, label, &v, multiline);
        crate::text::check_plain(errs, field, label, &v);
    }
    v
}

pub fn validate(m: &MessageInput) -> Result<ValidMessage, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mailbox = Mailbox::parse(&m.mailbox);
    if mailbox.is_none() {
        errs.push(FieldError::new("mailbox", "请选择信箱"));
    }
    let category = MessageCategory::parse(&m.category);
    if category.is_none() {
        errs.push(FieldError::new("category", "请选择留言类别"));
    }
    let subject = text_field(&mut errs, "subject", "标题", &m.subject, (4, MAX_SUBJECT), false);
    let body = text_field(&mut errs, "body", "留言内容", &m.body, (10, MAX_BODY), true);
    let name = text_field(&mut errs, "name", "姓名", &m.name, (2, 30), false);
    let contact = m.contact.trim().to_string();
    if contact.is_empty() {
        errs.push(FieldError::new("contact", "请填写联系电话或电子邮箱，用于答复您"));
    } else if !crate::patrol::report::is_contact(&contact) {
        errs.push(FieldError::new("contact", "联系方式应为电子邮箱或电话号码"));
    }
    match (mailbox, category) {
        (Some(mailbox), Some(category)) if errs.is_empty() => {
            Ok(ValidMessage { mailbox, category, subject, body, name, contact, consent: m.consent })
        }
        _ => Err(errs),
    }
}

/// The day three months after receipt: the last day the answer may come (the same day of
/// the month, or the month's last day when it has fewer).
pub fn limit_on(received: Date) -> Date {
    let month0 = received.month() as u8 - 1 + LIMIT_MONTHS;
    let year = received.year() + i32::from(month0 / 12);
    let month = time::Month::try_from(month0 % 12 + 1).unwrap_or(time::Month::December);
    let day = received.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(received)
}

/// Where an unanswered message stands on `today`: `due_on` is the body's target,
/// `limit` the 3-month line.
pub fn stage(today: Date, due_on: Date, limit: Date) -> AgeStage {
    if today > limit {
        AgeStage::PastLimit
    } else if (limit - today).whole_days() <= NEAR_LIMIT_DAYS {
        AgeStage::NearLimit
    } else if today > due_on {
        AgeStage::PastTarget
    } else {
        AgeStage::OnTime
    }
}

/// The reference a writer follows a message by: LY + year + six digits.
pub fn reference(year: i32, seq: u32) -> String {
    format!("LY{year}{seq:06}")
}

/// The message as the public may read it: every span the patrol takes for personal data
/// masked. What it cannot see (a name in the text) the answering body checks before
/// publishing; the writer's own name and contact are refused by the app.
pub fn deidentify(text: &str) -> String {
    let found: Vec<_> = crate::patrol::scan(text, &[]).into_iter().filter(|f| f.kind.is_personal()).collect();
    crate::patrol::mask(text, &found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> MessageInput {
        MessageInput {
            mailbox: "consult".into(),
            category: "business".into(),
            subject: "企业开办补贴如何申请".into(),
            body: "我公司今年在莱芜区新注册，请问开办补贴到哪里申请？".into(),
            name: "王五".into(),
            contact: "13800138000".into(),
            consent: true,
        }
    }

    fn fields(m: MessageInput) -> Vec<&'static str> {
        validate(&m).err().unwrap_or_default().iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_message_needs_a_box_a_category_words_a_name_and_a_way_to_answer() {
        let ok = validate(&input()).unwrap();
        assert_eq!((ok.mailbox, ok.category, ok.consent), (Mailbox::Consult, MessageCategory::Business, true));
        assert!(validate(&MessageInput { mailbox: "领导信箱".into(), ..input() }).is_ok(), "the label is accepted");
        let cases: &[(MessageInput, &[&str])] = &[
            (MessageInput { mailbox: "".into(), ..input() }, &["mailbox"]),
            (MessageInput { category: "complaint".into(), ..input() }, &["category"]),
            (MessageInput { subject: "问".into(), ..input() }, &["subject"]),
            (MessageInput { subject: "长".repeat(51), ..input() }, &["subject"]),
            (MessageInput { body: "太短了".into(), ..input() }, &["body"]),
            (MessageInput { body: "长".repeat(2001), ..input() }, &["body"]),
            (MessageInput { body: "<script>alert(1)</script>请问开办补贴".into(), ..input() }, &["body"]),
            (MessageInput { subject: "标题\n换行的标题".into(), ..input() }, &["subject"]),
            (MessageInput { name: "".into(), ..input() }, &["name"]),
            (MessageInput { contact: "".into(), ..input() }, &["contact"]),
            (MessageInput { contact: "微信号abc".into(), ..input() }, &["contact"]),
        ];
        for (m, want) in cases {
            assert_eq!(fields(m.clone()), *want, "{m:?}");
        }
        assert!(validate(&MessageInput { contact: "me@example.cn".into(), ..input() }).is_ok());
    }

    #[test]
    fn three_months_end_on_the_same_day_or_the_months_last() {
        let cases = [
            (date!(2025 - 07 - 01), date!(2025 - 10 - 01)),
            (date!(2025 - 11 - 30), date!(2026 - 02 - 28)),
            (date!(2023 - 11 - 30), date!(2024 - 02 - 29)),
            (date!(2025 - 10 - 15), date!(2026 - 01 - 15)),
            (date!(2025 - 12 - 31), date!(2026 - 03 - 31)),
        ];
        for (received, want) in cases {
            assert_eq!(limit_on(received), want, "{received}");
        }
    }

    #[test]
    fn the_clock_warns_past_the_target_and_before_the_three_month_line() {
        let (due, limit) = (date!(2025 - 07 - 15), date!(2025 - 10 - 01));
        let cases = [
            (date!(2025 - 07 - 15), AgeStage::OnTime),
            (date!(2025 - 07 - 16), AgeStage::PastTarget),
            (date!(2025 - 09 - 15), AgeStage::PastTarget),
            (date!(2025 - 09 - 16), AgeStage::NearLimit),
            (date!(2025 - 10 - 01), AgeStage::NearLimit),
            (date!(2025 - 10 - 02), AgeStage::PastLimit),
        ];
        for (today, want) in cases {
            assert_eq!(stage(today, due, limit), want, "{today}");
        }
    }

    #[test]
    fn what_is_published_has_the_numbers_masked() {
        let t = deidentify("我的身份证号370116198001011235，电话13800138000，问补贴。");
        assert!(!t.contains("198001011235") && !t.contains("13800138000"), "{t}");
        assert!(t.contains("问补贴"), "{t}");
        assert_eq!(reference(2025, 12), "LY2025000012");
    }
}
