//! Content patrol (已公开信息安全巡查): what in a published text must not stay public or is
//! wrong — personal data (RULES.md §7), malformed 发文字号 (§3.3) and 严重表述错误 (§5.1) —
//! each finding with its kind, severity, exact span and a suggested replacement.
//!
//! The detectors read text only; which record is scanned, whether a record is a declared
//! exception (惩戒公示, 强制性信息披露) and what happens to a finding are the app's.

pub mod citation;
pub mod dates;
pub mod links;
mod personal;
pub mod report;
mod wording;

pub use personal::{is_bank_card, is_old_resident_id};
pub use wording::{WordingRule, WordingSet, shipped_wording};

use crate::document::labelled_enum;
use serde::Serialize;

labelled_enum! {
    /// What was found.
    FindingKind {
        ResidentId = "resident_id" / "身份证号码",
        OldResidentId = "old_resident_id" / "15位身份证号码",
        BankCard = "bank_card" / "银行卡号",
        Mobile = "mobile" / "手机号码",
        Landline = "landline" / "固定电话",
        Email = "email" / "电子邮箱",
        HomeAddress = "home_address" / "详细住址",
        SoleTraderCode = "sole_trader_code" / "个体工商户信用代码",
        DocNo = "doc_no" / "发文字号不规范",
        RepealedCitation = "repealed_citation" / "引用已失效的文件",
        UnreadableAttachment = "unreadable_attachment" / "附件无法巡查",
        Wording = "wording" / "严重表述错误",
        BrokenLink = "broken_link" / "链接无法访问",
        ImageAlt = "image_alt" / "图片缺少替代文字",
        BadDate = "bad_date" / "日期错误",
        Expiring = "expiring" / "即将到期",
        OldNotice = "old_notice" / "过期通知",
    }
}

labelled_enum! {
    /// How soon it must be dealt with: a high finding blocks publication.
    Severity {
        High = "high" / "高",
        Medium = "medium" / "中",
        Low = "low" / "低",
    }
}

impl Severity {
    /// Working days the owning body has to deal with a finding, by default: personal data
    /// that identifies someone at once, the rest within the week or two.
    pub fn working_days(self) -> u32 {
        match self {
            Severity::High => 1,
            Severity::Medium => 3,
            Severity::Low => 10,
        }
    }
}

labelled_enum! {
    /// Where a finding stands.
    FindingStatus {
        Open = "open" / "待处理",
        Fixed = "fixed" / "已整改",
        FalsePositive = "false_positive" / "误报",
        Escalated = "escalated" / "已上报",
        Excepted = "excepted" / "依法公示",
    }
}

labelled_enum! {
    /// ◐ The two forms in which personal data may be public (2018 要点, RULES.md §7): a record
    /// declares one, is reviewed with it, and its personal data is then recorded by the
    /// patrol as public by law — seen in the ledger, not silently skipped.
    PrivacyException {
        Punishment = "punishment" / "惩戒公示",
        Mandatory = "mandatory" / "强制性信息披露",
    }
}

impl FindingKind {
    pub fn severity(self) -> Severity {
        use FindingKind::*;
        match self {
            ResidentId | OldResidentId | BankCard => Severity::High,
            Mobile | HomeAddress | SoleTraderCode | Wording | RepealedCitation | BrokenLink => Severity::Medium,
            ImageAlt | Expiring | OldNotice => Severity::Low,
            BadDate => Severity::Medium,
            // Offices publish their own telephone and mailbox on purpose.
            Landline | Email | DocNo => Severity::Low,
            // A scan may hide a list of names and numbers: a person has to look.
            UnreadableAttachment => Severity::Medium,
        }
    }

    /// Personal data: masked on request, shown to staff only masked.
    pub fn is_personal(self) -> bool {
        !matches!(
            self,
            FindingKind::DocNo
                | FindingKind::Wording
                | FindingKind::RepealedCitation
                | FindingKind::UnreadableAttachment
                | FindingKind::BrokenLink
                | FindingKind::ImageAlt
                | FindingKind::BadDate
                | FindingKind::Expiring
                | FindingKind::OldNotice
        )
    }
}

/// One finding in a text: `start..end` are byte offsets of the span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    /// What the span becomes when masked (personal data), or its correct form (a 发文字号,
    /// a wording error).
    pub replacement: String,
}

impl Finding {
    pub fn new(kind: FindingKind, start: usize, end: usize, replacement: String) -> Finding {
        Finding { kind, severity: kind.severity(), start, end, replacement }
    }
}

/// Every finding in `text`, in order of position, with the shipped wording rules and
/// `extra` ones (the district office's).
pub fn scan(text: &str, extra: &[WordingRule]) -> Vec<Finding> {
    scan_with(text, &WordingSet::new(extra))
}

/// [`scan`] with the office's rules already built (a patrol builds them once per run).
pub fn scan_with(text: &str, extra: &WordingSet) -> Vec<Finding> {
    let mut out = personal::scan(text);
    out.extend(doc_numbers(text));
    out.extend(dates::impossible_dates(text));
    out.extend(WordingSet::shipped().scan(text));
    out.extend(extra.scan(text));
    out.sort_by_key(|f| (f.start, f.end));
    // One finding per span: a longer span found first wins over what lies inside it.
    let mut kept: Vec<Finding> = Vec::with_capacity(out.len());
    for f in out {
        if kept.last().is_some_and(|k| f.start < k.end) {
            continue;
        }
        kept.push(f);
    }
    kept
}

/// `text` with every personal-data finding replaced by its mask; what else was found is
/// left for a person to correct.
pub fn mask(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings.iter().filter(|f| f.kind.is_personal() && f.end <= text.len()) {
        if f.start < at {
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.push_str(&f.replacement);
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The span as staff may see it: personal data masked, the rest as written.
pub fn shown(text: &str, f: &Finding) -> String {
    if f.kind.is_personal() { f.replacement.clone() } else { text.get(f.start..f.end).unwrap_or("").to_string() }
}

const LEAD_INS: &[&str] = &[
    "根据", "依据", "按照", "参照", "对照", "执行", "贯彻", "落实", "印发", "转发", "详见", "见", "和", "及", "与",
    "的", "作出", "下发", "发布", "制定",
];
const OPEN: &[char] = &['〔', '[', '［', '(', '（', '【', '〖', '﹝'];
const CLOSE: &[char] = &['〕', ']', '］', ')', '）', '】', '〗', '﹞'];

/// 发文字号 cited in a text that are not in the canonical form (RULES.md §3.3): an issuer
/// code of two to eight Chinese characters, a bracketed year, a number and 号.
fn doc_numbers(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let cs: Vec<(usize, char)> = text.char_indices().collect();
    let is_han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut i = 0;
    while i < cs.len() {
        let (_, c) = cs[i];
        if !OPEN.contains(&c) {
            i += 1;
            continue;
        }
        // The issuer code before the bracket.
        let mut s = i;
        while s > 0 && is_han(cs[s - 1].1) && i - s < 8 {
            s -= 1;
        }
        // The year, the closing bracket, 第?, digits, 号.
        let mut j = i + 1;
        let year_from = j;
        while j < cs.len() && cs[j].1.is_ascii_digit() {
            j += 1;
        }
        let year_len = j - year_from;
        if i - s < 2 || !(2..=4).contains(&year_len) || j >= cs.len() || !CLOSE.contains(&cs[j].1) {
            i += 1;
            continue;
        }
        j += 1;
        if j < cs.len() && cs[j].1 == '第' {
            j += 1;
        }
        let num_from = j;
        while j < cs.len() && cs[j].1.is_ascii_digit() {
            j += 1;
        }
        if j == num_from || j >= cs.len() || cs[j].1 != '号' {
            i += 1;
            continue;
        }
        // Words that introduce a citation are not part of the issuer code.
        let mut start = cs[s].0;
        // The issuer code begins after the last such word in the run (局作出温国土资发…).
        while let Some(cut) = LEAD_INS
            .iter()
            .filter_map(|w| text[start..cs[i].0].rfind(*w).map(|at| start + at + w.len()))
            .filter(|cut| text[*cut..cs[i].0].chars().count() >= 2)
            .max()
        {
            start = cut;
        }
        let end = cs[j].0 + '号'.len_utf8();
        let written = &text[start..end];
        if text[start..cs[i].0].chars().count() < 2 {
            i = j + 1;
            continue;
        }
        if let Err(e) = crate::DocNo::parse(written)
            && let Some(right) = e.suggestion()
        {
            out.push(Finding::new(FindingKind::DocNo, start, end, right.to_string()));
        }
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests;
