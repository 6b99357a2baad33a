//! Personal data in published text (RULES.md §7): identity numbers that pass their check
//! digit and carry a real birth date, bank cards that pass Luhn, mobile and fixed-line
//! numbers, e-mail addresses and detailed home addresses.
//!
//! A number is a whole run of digits: a run that is part of a longer code (a 统一社会信用
//! 代码, an 索引号, a URL) is not a hit, and neither is a date, a 发文字号 or an article
//! number, which are never this long. Full-width digits count as digits. The masks keep the
//! first and last few characters — a design choice, not a legal format (no national
//! masking rule was found).

use super::{Finding, FindingKind};
use crate::ResidentId;

/// A digit as written: ASCII or full-width.
fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

/// A run of digits: byte span and the digits as ASCII.
struct Run {
    start: usize,
    end: usize,
    digits: String,
}

/// Letters and digits that make a number part of a longer code.
fn joins(c: char) -> bool {
    c.is_ascii_alphanumeric() || digit(c).is_some() || matches!(c, '_' | '/' | '@' | '.' | '%' | '=' | '&' | '#')
}

/// Maximal digit runs, with an identity number's final X taken in, and only those that
/// stand alone (not inside a longer code).
fn runs(text: &str) -> Vec<Run> {
    let cs: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        if digit(cs[i].1).is_none() {
            i += 1;
            continue;
        }
        let from = i;
        let mut digits = String::new();
        while i < cs.len()
            && let Some(d) = digit(cs[i].1)
        {
            digits.push((b'0' + d) as char);
            i += 1;
        }
        if digits.len() == 17 && i < cs.len() && matches!(cs[i].1, 'X' | 'x' | 'Ｘ' | 'ｘ') {
            digits.push('X');
            i += 1;
        }
        let before = from.checked_sub(1).map(|k| cs[k].1);
        let after = cs.get(i).map(|c| c.1);
        // A letter or slash joins a number to a code, a point to a decimal (3.1415…); a
        // point that ends a sentence does not.
        let after_ok = match after {
            Some('.') => !cs.get(i + 1).is_some_and(|c| digit(c.1).is_some() || c.1.is_ascii_alphabetic()),
            Some(c) => !joins(c),
            None => true,
        };
        if !before.is_some_and(joins) && after_ok {
            let end = cs.get(i).map(|c| c.0).unwrap_or(text.len());
            out.push(Run { start: cs[from].0, end, digits });
        }
    }
    out
}

/// Luhn (ISO/IEC 7812): the check of a bank card number.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if !i.is_multiple_of(2) { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// 16 to 19 digits that pass Luhn and start as issued cards do (6 UnionPay, 4 Visa, 5
/// Mastercard, 3 JCB, 9 the older domestic cards).
pub fn is_bank_card(digits: &str) -> bool {
    (16..=19).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(digits.as_bytes()[0], b'3' | b'4' | b'5' | b'6' | b'9')
        && luhn(digits)
}

/// A 15-digit identity number (before 1999): a place code, a birth date YYMMDD in the
/// 1900s and a sequence; it has no check digit, so the date must be real.
pub fn is_old_resident_id(digits: &str) -> bool {
    if digits.len() != 15
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !(b'1'..=b'8').contains(&digits.as_bytes()[0])
    {
        return false;
    }
    let n = |r: std::ops::Range<usize>| digits[r].parse::<u8>().unwrap_or(0);
    let Ok(month) = time::Month::try_from(n(8..10)) else { return false };
    time::Date::from_calendar_date(1900 + n(6..8) as i32, month, n(10..12)).is_ok()
}

/// The prefixes of mobile numbers in service (13x–19x).
fn is_mobile(digits: &str) -> bool {
    digits.len() == 11 && digits.starts_with('1') && (b'3'..=b'9').contains(&digits.as_bytes()[1])
}

fn keep(s: &str, head: usize, tail: usize) -> String {
    let n = s.chars().count();
    s.chars().enumerate().map(|(i, c)| if i < head || i + tail >= n { c } else { '*' }).collect()
}

/// Whether one of `words` ends within `chars` characters before byte `at`.
fn said_before(text: &str, at: usize, chars: usize, words: &[&str]) -> bool {
    let from = text[..at].char_indices().rev().nth(chars.saturating_sub(1)).map(|(i, _)| i).unwrap_or(0);
    let window = &text[from..at];
    words.iter().any(|w| window.contains(w))
}

/// An 18-digit run shaped like an identity number (a birth year 1900–2029 and a month at
/// its place): a mistyped identity number, not a bank card, unless the text says card.
fn id_shaped(d: &str) -> bool {
    let n = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    d.len() == 18 && (1900..=2029).contains(&n(6..10)) && (1..=12).contains(&n(10..12))
}

const CARD_WORDS: &[&str] = &["卡号", "账号", "帐号", "账户", "银行卡", "银行账"];
const PHONE_WORDS: &[&str] = &["电话", "联系", "热线", "传真", "手机", "Tel", "TEL", "tel"];
/// What follows a quantity, never a telephone number (18298341469元).
const UNITS: &[char] =
    &['元', '万', '亿', '千', '人', '次', '件', '个', '户', '吨', '米', '份', '台', '套', '平', '股'];

pub(super) fn scan(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in runs(text) {
        let d = r.digits.as_str();
        let quantity = text[r.end..].starts_with(UNITS);
        let kind = if d.len() == 18 && ResidentId::parse(d).is_ok() {
            FindingKind::ResidentId
        } else if is_old_resident_id(d) {
            FindingKind::OldResidentId
        } else if is_bank_card(d) && (!id_shaped(d) || said_before(text, r.start, 8, CARD_WORDS)) {
            FindingKind::BankCard
        } else if is_mobile(d) && !quantity {
            FindingKind::Mobile
        } else if d.starts_with('0')
            && !d.starts_with("00")
            && (10..=12).contains(&d.len())
            && said_before(text, r.start, 6, PHONE_WORDS)
        {
            // An area code and the number run together (06346212345) after 电话.
            FindingKind::Landline
        } else {
            continue;
        };
        let mask = match kind {
            FindingKind::Mobile => keep(d, 3, 4),
            FindingKind::Landline => keep(d, 4, 2),
            _ => keep(d, 4, 4),
        };
        out.push(Finding::new(kind, r.start, r.end, mask));
    }
    out.extend(sole_trader_codes(text));
    out.extend(separated_mobiles(text));
    out.extend(landlines(text));
    out.extend(emails(text));
    out.extend(addresses(text));
    out
}

/// 统一社会信用代码 of 个体工商户 (registration office 9, type 2: "92…"), valid by GB 32100:
/// each belongs to one person who runs the business, so a list of them is a list of people
/// unless it is a declared 公示. Found from each "92", so text without one costs a search.
fn sole_trader_codes(text: &str) -> Vec<Finding> {
    let b = text.as_bytes();
    let code_char = |c: u8| c.is_ascii_digit() || c.is_ascii_uppercase();
    let mut out = Vec::new();
    for (at, _) in text.match_indices("92") {
        let end = at + 18;
        if end > b.len()
            || (at > 0 && b[at - 1].is_ascii_alphanumeric())
            || b.get(end).is_some_and(u8::is_ascii_alphanumeric)
        {
            continue;
        }
        if b[at..end].iter().all(|c| code_char(*c)) && crate::CreditCode::parse(&text[at..end]).is_ok() {
            out.push(Finding::new(FindingKind::SoleTraderCode, at, end, keep(&text[at..end], 4, 4)));
        }
    }
    out
}

/// Mobiles written in groups: 138-0000-0000, 138 0000 0000.
fn separated_mobiles(text: &str) -> Vec<Finding> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 13 <= b.len() {
        let w = &b[i..i + 13];
        let groups = w[..3].iter().all(u8::is_ascii_digit)
            && matches!(w[3], b'-' | b' ')
            && w[4..8].iter().all(u8::is_ascii_digit)
            && w[8] == w[3]
            && w[9..13].iter().all(u8::is_ascii_digit);
        let alone = (i == 0 || !b[i - 1].is_ascii_alphanumeric()) && b.get(i + 13).is_none_or(|c| !c.is_ascii_digit());
        if groups && alone {
            let digits: String = w.iter().filter(|c| c.is_ascii_digit()).map(|c| *c as char).collect();
            if is_mobile(&digits) {
                out.push(Finding::new(FindingKind::Mobile, i, i + 13, keep(&digits, 3, 4)));
                i += 13;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Fixed lines with their area code: 0531-76212345, (0634)6212345, 0634 6212345.
fn landlines(text: &str) -> Vec<Finding> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let open = b[i] == b'(';
        let s = if open { i + 1 } else { i };
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-');
        if !boundary || s >= b.len() || b[s] != b'0' {
            i += 1;
            continue;
        }
        let area_len = b[s..].iter().take_while(|c| c.is_ascii_digit()).count();
        let mut j = s + area_len;
        if !(3..=4).contains(&area_len) || b.get(s + 1) == Some(&b'0') {
            i += 1;
            continue;
        }
        if open {
            if b.get(j) != Some(&b')') {
                i += 1;
                continue;
            }
            j += 1;
        }
        if matches!(b.get(j), Some(b'-') | Some(b' ')) {
            j += 1;
        } else if !open {
            i += 1;
            continue;
        }
        let num_len = b[j.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
        let first = b.get(j).copied().unwrap_or(b'0');
        if (7..=8).contains(&num_len)
            && (b'2'..=b'9').contains(&first)
            && b.get(j + num_len).is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            let end = j + num_len;
            let written = &text[i..end];
            let tail: String = written.chars().rev().take(2).collect::<Vec<_>>().into_iter().rev().collect();
            let head = &text[i..j];
            let mask = format!("{head}{}{tail}", "*".repeat(num_len - 2));
            out.push(Finding::new(FindingKind::Landline, i, end, mask));
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// E-mail addresses: a local part, @, a domain with a dot.
fn emails(text: &str) -> Vec<Finding> {
    let b = text.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || b"._%+-".contains(&c);
    let domain = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
    let mut out = Vec::new();
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && local(b[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && domain(b[e]) {
            e += 1;
        }
        while e > at + 1 && b[e - 1] == b'.' {
            e -= 1;
        }
        let host = &text[at + 1..e];
        if s == at
            || !host.contains('.')
            || host.starts_with('.')
            || host.rsplit('.').next().is_none_or(|t| t.len() < 2)
        {
            continue;
        }
        let name = &text[s..at];
        let mask = format!("{}***@{host}", name.chars().next().unwrap_or('*'));
        out.push(Finding::new(FindingKind::Email, s, e, mask));
    }
    out
}

/// A home address down to the flat: …号楼…单元…室, …栋…室, …单元…号. A street number alone
/// (凤城街道1号) is an office's address as often as a person's, and is not a hit.
fn addresses(text: &str) -> Vec<Finding> {
    // Most texts name no building: not worth walking them character by character.
    if !(text.contains("号楼") || text.contains('栋') || text.contains('幢')) {
        return vec![];
    }
    let cs: Vec<(usize, char)> = text.char_indices().collect();
    let num = |c: char| c.is_ascii_digit() || digit(c).is_some() || "一二三四五六七八九十".contains(c);
    let mut out = Vec::new();
    let mut i = 0;
    // Reads a number then one of `words` at k; the index after it.
    let part = |k: usize, words: &[&str]| -> Option<usize> {
        let mut j = k;
        while j < cs.len() && num(cs[j].1) {
            j += 1;
        }
        if j == k || j >= cs.len() {
            return None;
        }
        let rest = &text[cs[j].0..];
        words.iter().find(|w| rest.starts_with(**w)).map(|w| j + w.chars().count())
    };
    while i < cs.len() {
        if !num(cs[i].1) || (i > 0 && num(cs[i - 1].1)) {
            i += 1;
            continue;
        }
        let found = part(i, &["号楼", "栋", "幢"]).and_then(|j| {
            let j = part(j, &["单元"]).unwrap_or(j);
            part(j, &["室", "号"])
        });
        match found {
            Some(j) => {
                let end = cs.get(j).map(|c| c.0).unwrap_or(text.len());
                out.push(Finding::new(FindingKind::HomeAddress, cs[i].0, end, "**号楼**单元**室".into()));
                i = j;
            }
            None => i += 1,
        }
    }
    out
}
