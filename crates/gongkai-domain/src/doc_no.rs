//! 发文字号 (document number): parsing, canonical form and corrections.
//!
//! GB/T 9704-2012 §7.2.5: 机关代字 + year in full inside 〔〕 + sequence without 第 and
//! without leading zeros + 号 (RULES.md §3.2). Orders and announcements (国务院令第711号,
//! …公告第3号) are numbered in one running series with 第; they are a second, legal form.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A document number in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum DocNo {
    /// 莱政办发〔2025〕5号
    Standard { issuer_code: String, year: u16, seq: u32 },
    /// 国务院令第711号 · 某某人大常委会公告第3号
    Serial { prefix: String, seq: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocNoError {
    #[error("发文字号不能为空")]
    Empty,
    #[error("发文字号过长（最多 {max} 个字符）")]
    TooLong { max: usize },
    #[error("无法识别的发文字号：应为“机关代字〔年份〕序号号”，例如 莱政办发〔2025〕5号")]
    Unrecognised,
    #[error("发文字号不规范：{}；应写作：{corrected}", problems.join("；"))]
    NonCanonical { corrected: String, problems: Vec<&'static str> },
}

impl DocNoError {
    /// The corrected form, when the input could be understood.
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            DocNoError::NonCanonical { corrected, .. } => Some(corrected),
            _ => None,
        }
    }
}

pub const MAX_LEN: usize = 60;

const OPEN: &[char] = &['〔', '[', '［', '(', '（', '【', '〖', '﹝', '{', '｛', '<', '《', '〈'];
const CLOSE: &[char] = &['〕', ']', '］', ')', '）', '】', '〗', '﹞', '}', '｝', '>', '》', '〉'];

impl DocNo {
    /// Strict parse: only the canonical forms are accepted; a recognisable variant is
    /// refused with the corrected form (RULES.md §3.3).
    pub fn parse(input: &str) -> Result<DocNo, DocNoError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(DocNoError::Empty);
        }
        if s.chars().count() > MAX_LEN {
            return Err(DocNoError::TooLong { max: MAX_LEN });
        }
        let (doc_no, problems) = Self::analyse(s).ok_or(DocNoError::Unrecognised)?;
        if problems.is_empty() && doc_no.to_string() == s {
            Ok(doc_no)
        } else {
            let mut problems = problems;
            if problems.is_empty() {
                problems.push("含有多余的空格或字符");
            }
            Err(DocNoError::NonCanonical { corrected: doc_no.to_string(), problems })
        }
    }

    /// Lenient parse for lookups: accepts the variants people type
    /// (莱政办发\[2025\]5号, 莱政办发（2025）5号, 莱政办发2025年5号, "莱政办发 2025 5").
    pub fn parse_lenient(input: &str) -> Option<DocNo> {
        let s = input.trim();
        if s.is_empty() || s.chars().count() > MAX_LEN {
            return None;
        }
        Self::analyse(s).map(|(d, _)| d)
    }

    pub fn issuer_code(&self) -> &str {
        match self {
            DocNo::Standard { issuer_code, .. } => issuer_code,
            DocNo::Serial { prefix, .. } => prefix,
        }
    }

    pub fn year(&self) -> Option<u16> {
        match self {
            DocNo::Standard { year, .. } => Some(*year),
            DocNo::Serial { .. } => None,
        }
    }

    pub fn seq(&self) -> u32 {
        match self {
            DocNo::Standard { seq, .. } | DocNo::Serial { seq, .. } => *seq,
        }
    }

    fn analyse(s: &str) -> Option<(DocNo, Vec<&'static str>)> {
        let mut problems: Vec<&'static str> = Vec::new();
        // Full-width digits and inner spaces are common in pasted text.
        let chars: Vec<char> = s
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                other => other,
            })
            .collect();
        let had_fullwidth_digit = s.chars().any(|c| ('０'..='９').contains(&c));
        if had_fullwidth_digit {
            problems.push("数字应使用阿拉伯数字半角字符");
        }
        let mut i = 0;
        // issuer code: everything before the first digit, bracket or space.
        let mut code = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_digit() || OPEN.contains(&c) || c.is_whitespace() {
                break;
            }
            code.push(c);
            i += 1;
        }
        // Serial form: …令第N号 / …公告第N号 (the 第 belongs to the series).
        let serial_prefix = ["令第", "公告第", "令", "公告"]
            .iter()
            .find_map(|suf| code.strip_suffix(suf).map(|p| (p.to_string(), *suf)));
        if let Some((prefix, suf)) = serial_prefix
            && !prefix.is_empty()
        {
            let rest: String = chars[i..].iter().filter(|c| !c.is_whitespace()).collect();
            let (digits, tail) = split_digits(&rest);
            if !digits.is_empty() && (tail.is_empty() || tail == "号") {
                let seq: u32 = digits.parse().ok()?;
                if seq == 0 {
                    return None;
                }
                if !suf.ends_with('第') {
                    problems.push("令、公告编号应写作“第N号”");
                }
                if digits.starts_with('0') {
                    problems.push("序号不编虚位（1不编为01）");
                }
                if tail.is_empty() {
                    problems.push("序号后应加“号”字");
                }
                let p = if suf.starts_with('令') { format!("{prefix}令") } else { format!("{prefix}公告") };
                return Some((DocNo::Serial { prefix: p, seq }, problems));
            }
        }
        if code.is_empty() || code.chars().any(|c| CLOSE.contains(&c)) {
            return None;
        }
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut bracket = None;
        if i < chars.len() && OPEN.contains(&chars[i]) {
            bracket = Some(chars[i]);
            i += 1;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let year_digits: String = chars[start..i].iter().collect();
        let year: u16 = match year_digits.len() {
            4 => year_digits.parse().ok()?,
            2 => {
                problems.push("年份应标全称（四位数字）");
                let yy: u16 = year_digits.parse().ok()?;
                if yy < 50 { 2000 + yy } else { 1900 + yy }
            }
            _ => return None,
        };
        if !(1949..=2200).contains(&year) {
            return None;
        }
        let mut closed = false;
        if i < chars.len() && CLOSE.contains(&chars[i]) {
            bracket?;
            if bracket != Some('〔') || chars[i] != '〕' {
                problems.push("年份应使用六角括号“〔〕”括入");
            }
            closed = true;
            i += 1;
        } else if i < chars.len() && chars[i] == '年' {
            problems.push("年份应使用六角括号“〔〕”括入，不写“年”字");
            i += 1;
        }
        if bracket.is_some() && !closed {
            return None;
        }
        if bracket.is_none() && !problems.contains(&"年份应使用六角括号“〔〕”括入，不写“年”字")
        {
            problems.push("年份应使用六角括号“〔〕”括入");
        }
        let rest: String = chars[i..].iter().filter(|c| !c.is_whitespace()).collect();
        let rest = match rest.strip_prefix('第') {
            Some(r) => {
                problems.push("发文顺序号不加“第”字");
                r.to_string()
            }
            None => rest,
        };
        let (digits, tail) = split_digits(&rest);
        if digits.is_empty() {
            return None;
        }
        match tail.as_str() {
            "号" => {}
            "" => problems.push("序号后应加“号”字"),
            _ => return None,
        }
        if digits.starts_with('0') {
            problems.push("发文顺序号不编虚位（1不编为01）");
        }
        let seq: u32 = digits.parse().ok()?;
        if seq == 0 {
            return None;
        }
        Some((DocNo::Standard { issuer_code: code, year, seq }, problems))
    }
}

fn split_digits(s: &str) -> (String, String) {
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let tail: String = s.chars().skip(digits.chars().count()).collect();
    (digits, tail)
}

impl fmt::Display for DocNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocNo::Standard { issuer_code, year, seq } => write!(f, "{issuer_code}〔{year}〕{seq}号"),
            DocNo::Serial { prefix, seq } => write!(f, "{prefix}第{seq}号"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrected(input: &str) -> String {
        match DocNo::parse(input) {
            Err(e) => e.suggestion().map(str::to_string).unwrap_or_else(|| format!("ERR {e}")),
            Ok(d) => format!("OK {d}"),
        }
    }

    #[test]
    fn canonical_forms_are_accepted() {
        let d = DocNo::parse("莱政办发〔2025〕5号").unwrap();
        assert_eq!(d, DocNo::Standard { issuer_code: "莱政办发".into(), year: 2025, seq: 5 });
        assert_eq!(d.to_string(), "莱政办发〔2025〕5号");
        assert_eq!(DocNo::parse("国发〔2018〕43号").unwrap().year(), Some(2018));
        assert_eq!(DocNo::parse("法释〔2023〕3号").unwrap().issuer_code(), "法释");
        let order = DocNo::parse("国务院令第711号").unwrap();
        assert_eq!(order, DocNo::Serial { prefix: "国务院令".into(), seq: 711 });
        assert!(DocNo::parse("宁波市第十三届人民代表大会常务委员会公告第30号").is_ok());
    }

    // RULES.md §3.3, "Typical violations to flag": each with its fix.
    #[test]
    fn rules_violations_are_refused_with_the_fix() {
        assert_eq!(corrected("莱政办发[2023]5号"), "莱政办发〔2023〕5号");
        assert_eq!(corrected("莱政办发(2023)5号"), "莱政办发〔2023〕5号");
        assert_eq!(corrected("莱政办发【2023】5号"), "莱政办发〔2023〕5号");
        assert_eq!(corrected("莱政办发（2023）5号"), "莱政办发〔2023〕5号");
        assert_eq!(corrected("莱政办发〔2023〕第5号"), "莱政办发〔2023〕5号");
        assert_eq!(corrected("莱政办发〔2023〕05号"), "莱政办发〔2023〕5号");
        assert_eq!(corrected("莱政办发〔2023〕005号"), "莱政办发〔2023〕5号");
        assert_eq!(corrected("莱政办发〔23〕5号"), "莱政办发〔2023〕5号");
        assert_eq!(corrected("莱政办发〔2023〕5"), "莱政办发〔2023〕5号");
        assert_eq!(corrected("莱政办发 〔2023〕5号"), "莱政办发〔2023〕5号");
    }

    #[test]
    fn messages_name_the_problem() {
        let e = DocNo::parse("莱政办发[2025]第05号").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("六角括号"), "{msg}");
        assert!(msg.contains("不加“第”字"), "{msg}");
        assert!(msg.contains("不编虚位"), "{msg}");
        assert!(msg.ends_with("莱政办发〔2025〕5号"), "{msg}");
    }

    #[test]
    fn nonsense_is_unrecognised() {
        assert_eq!(DocNo::parse(""), Err(DocNoError::Empty));
        assert_eq!(DocNo::parse("   "), Err(DocNoError::Empty));
        assert_eq!(DocNo::parse("关于做好工作的通知"), Err(DocNoError::Unrecognised));
        assert_eq!(DocNo::parse("〔2025〕5号"), Err(DocNoError::Unrecognised));
        assert_eq!(DocNo::parse("莱政办发〔2025〕0号"), Err(DocNoError::Unrecognised));
        assert_eq!(DocNo::parse("莱政办发〔2025〕5号附件"), Err(DocNoError::Unrecognised));
        assert!(matches!(DocNo::parse(&"发".repeat(80)), Err(DocNoError::TooLong { .. })));
    }

    #[test]
    fn lenient_lookup_variants_all_find_the_same_number() {
        let want = DocNo::parse("莱政办发〔2025〕5号").unwrap();
        for v in [
            "莱政办发[2025]5号",
            "莱政办发（2025）5号",
            "莱政办发2025年5号",
            "莱政办发 2025 5",
            "莱政办发〔２０２５〕５号",
        ] {
            assert_eq!(DocNo::parse_lenient(v).as_ref(), Some(&want), "{v}");
        }
        assert_eq!(DocNo::parse_lenient("国务院令711号"), Some(DocNo::Serial { prefix: "国务院令".into(), seq: 711 }));
    }
}
