//! Dates written in a text: those that cannot exist (2025年2月30日), and the deadline a
//! notice sets (报名截止时间为2025年3月31日, 请于2025年4月10日前报送). A notice whose
//! deadline passed long ago is a candidate for 定期清理 (work plan §(九)); how long ago is
//! the district's setting, not a rule.

use super::{Finding, FindingKind};
use time::Date;

/// A date written as YYYY年M月D日 (ASCII or full-width digits): where, and its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub start: usize,
    pub end: usize,
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Written {
    pub fn date(&self) -> Option<Date> {
        let month = time::Month::try_from(u8::try_from(self.month).ok()?).ok()?;
        Date::from_calendar_date(self.year, month, u8::try_from(self.day).ok()?).ok()
    }
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// Reads up to `max` digits from the start of `s`: the number and the bytes read.
fn number(s: &str, max: usize) -> Option<(u32, usize)> {
    let mut n = 0u32;
    let mut used = 0;
    for (count, c) in s.chars().enumerate() {
        let Some(d) = digit(c).filter(|_| count < max) else { break };
        n = n * 10 + d;
        used += c.len_utf8();
    }
    (used > 0).then_some((n, used))
}

/// Every YYYY年M月D日 in `text`. Found from each 年, so a text without one costs a scan
/// for that character only.
pub fn written_dates(text: &str) -> Vec<Written> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices('年') {
        // Four digits before 年, and no fifth.
        let before: Vec<(usize, char)> = text[..at].char_indices().rev().take(5).collect();
        let digits: Vec<u32> = before.iter().take(4).map_while(|(_, c)| digit(*c)).collect();
        if digits.len() != 4 || before.get(4).is_some_and(|(_, c)| digit(*c).is_some()) {
            continue;
        }
        let year = digits.iter().rev().fold(0, |n, d| n * 10 + d) as i32;
        let start = before[3].0;
        let rest = &text[at + '年'.len_utf8()..];
        let Some((month, m)) = number(rest, 2) else { continue };
        let Some(rest) = rest[m..].strip_prefix('月') else { continue };
        let Some((day, d)) = number(rest, 2) else { continue };
        if !rest[d..].starts_with('日') {
            continue;
        }
        let end = text.len() - rest.len() + d + '日'.len_utf8();
        out.push(Written { start, end, year, month, day });
    }
    out
}

/// Dates in `text` that do not exist (2月30日, 13月, 0日), with what is wrong.
pub fn impossible_dates(text: &str) -> Vec<Finding> {
    written_dates(text)
        .into_iter()
        .filter(|w| (1900..=2100).contains(&w.year) && w.date().is_none())
        .map(|w| {
            let why = if !(1..=12).contains(&w.month) {
                format!("没有{}月", w.month)
            } else {
                format!("{}年{}月没有{}日", w.year, w.month, w.day)
            };
            Finding::new(FindingKind::BadDate, w.start, w.end, why)
        })
        .collect()
}

/// Words after a date that make it a deadline (…日前, …日之前, …日止).
const AFTER: &[&str] = &["前", "之前", "以前", "止", "截止"];
/// Words before a date that make it one (截止时间为…, 截至…).
const BEFORE: &[&str] = &["截止", "截至", "截止时间", "截止日期", "截止时间为", "截止日期为", "截止到"];

/// The last deadline a text sets, if it sets one.
pub fn deadline(text: &str) -> Option<Date> {
    written_dates(text)
        .into_iter()
        .filter(|w| {
            let after = &text[w.end..];
            let before = &text[..w.start];
            let before = before.trim_end_matches(['：', ':', ' ', '　']);
            AFTER.iter().any(|a| after.starts_with(a)) || BEFORE.iter().any(|b| before.ends_with(b))
        })
        .filter_map(|w| w.date())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_that_cannot_exist_are_found_and_real_ones_are_not() {
        let cases: &[(&str, &[&str])] = &[
            ("本办法自2025年2月30日起施行。", &["2025年2月30日"]),
            ("2024年2月29日印发；2025年2月29日施行", &["2025年2月29日"]),
            ("于２０２５年４月３１日前报送", &["２０２５年４月３１日"]),
            ("2025年13月1日", &["2025年13月1日"]),
            ("2025年6月0日", &["2025年6月0日"]),
            ("2025年6月30日；2025年12月31日；1月1日", &[]),
            ("第12025年3月1日条", &[]),
        ];
        for (text, want) in cases {
            let got: Vec<&str> = impossible_dates(text).iter().map(|f| &text[f.start..f.end]).collect();
            assert_eq!(got, *want, "{text}");
        }
        assert_eq!(impossible_dates("2025年2月30日")[0].replacement, "2025年2月没有30日");
    }

    #[test]
    fn a_notice_sets_its_deadline_in_several_ways() {
        let cases: &[(&str, Option<Date>)] = &[
            ("请于2025年4月10日前报送区教体局。", Some(date!(2025 - 04 - 10))),
            ("报名截止时间为2025年3月31日。", Some(date!(2025 - 03 - 31))),
            ("截至2025年5月20日，共收到申请12份。", Some(date!(2025 - 05 - 20))),
            ("公示期为2025年6月1日至2025年6月7日止。", Some(date!(2025 - 06 - 07))),
            ("本通知自2025年1月1日起施行。", None),
            ("2025年3月1日之前和2025年4月1日前两批", Some(date!(2025 - 04 - 01))),
        ];
        for (text, want) in cases {
            assert_eq!(deadline(text), *want, "{text}");
        }
    }
}
