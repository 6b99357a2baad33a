//! Identifiers with check characters: 统一社会信用代码 (GB 32100-2015), 居民身份证号码
//! (GB 11643-1999) and the 索引号 built on the credit code (RULES.md §4.2, §7.1).

use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// 统一社会信用代码: 18 characters, the last a check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    #[error("统一社会信用代码第{0}位字符“{1}”不合法（不使用 I、O、Z、S、V）")]
    Character(usize, char),
    #[error("统一社会信用代码校验位错误：应为“{expected}”，实际为“{found}”")]
    Check { expected: char, found: char },
}

fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET.iter().position(|&a| a as char == c).map(|p| p as u32)
}

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let s: String = input.trim().to_ascii_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(CreditCodeError::Length(n));
        }
        let mut values = Vec::with_capacity(18);
        for (i, c) in s.chars().enumerate() {
            values.push(uscc_value(c).ok_or(CreditCodeError::Character(i + 1, c))?);
        }
        let expected = Self::check_char(&values[..17]);
        let found = s.chars().last().unwrap_or(' ');
        if expected != found {
            return Err(CreditCodeError::Check { expected, found });
        }
        Ok(CreditCode(s))
    }

    /// Completes 17 characters with their check character (used for demo data and tests).
    pub fn with_check(first17: &str) -> Result<Self, CreditCodeError> {
        let s = first17.trim().to_ascii_uppercase();
        let n = s.chars().count();
        if n != 17 {
            return Err(CreditCodeError::Length(n + 1));
        }
        let mut values = Vec::with_capacity(17);
        for (i, c) in s.chars().enumerate() {
            values.push(uscc_value(c).ok_or(CreditCodeError::Character(i + 1, c))?);
        }
        let check = Self::check_char(&values);
        Ok(CreditCode(format!("{s}{check}")))
    }

    fn check_char(values: &[u32]) -> char {
        let sum: u32 = values.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
        USCC_ALPHABET[((31 - sum % 31) % 31) as usize] as char
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CreditCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}
impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 18-digit 居民身份证号码 (GB 11643-1999, ISO 7064 MOD 11-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error("身份证号码应为18位，实际为{0}位")]
    Length(usize),
    #[error("身份证号码前17位应为数字，最后一位为数字或X")]
    Character,
    #[error("身份证号码中的出生日期不是有效日期")]
    BirthDate,
    #[error("身份证号码校验位错误，请核对后重新输入")]
    Check,
}

impl ResidentId {
    pub fn parse(input: &str) -> Result<Self, ResidentIdError> {
        let s = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(ResidentIdError::Length(chars.len()));
        }
        if !chars[..17].iter().all(char::is_ascii_digit) || !(chars[17].is_ascii_digit() || chars[17] == 'X') {
            return Err(ResidentIdError::Character);
        }
        let num =
            |r: std::ops::Range<usize>| -> i32 { chars[r].iter().fold(0, |a, c| a * 10 + (*c as i32 - '0' as i32)) };
        let month = time::Month::try_from(num(10..12) as u8).map_err(|_| ResidentIdError::BirthDate)?;
        Date::from_calendar_date(num(6..10), month, num(12..14) as u8).map_err(|_| ResidentIdError::BirthDate)?;
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = chars[..17].iter().zip(W).map(|(c, w)| (*c as u32 - '0' as u32) * w).sum();
        let expected = b"10X98765432"[(sum % 11) as usize] as char;
        if expected != chars[17] {
            return Err(ResidentIdError::Check);
        }
        Ok(ResidentId(s))
    }

    /// Masked for display: keeps the first 6 and last 4 characters. A design choice, not
    /// a legal format (RULES.md §7: no national masking rule was found).
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for ResidentId {
    type Error = ResidentIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<ResidentId> for String {
    fn from(c: ResidentId) -> String {
        c.0
    }
}

/// 索引号: credit code of the publishing organisation + `/` + year + `-` + 7-digit sequence,
/// as the Jinan platform shows (`11370112MB2803691Q/2024-6538710`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndexNo {
    pub org: CreditCode,
    pub year: u16,
    pub seq: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexNoError {
    #[error("索引号格式应为“统一社会信用代码/年份-七位序号”")]
    Format,
    #[error("索引号中的统一社会信用代码无效：{0}")]
    Org(#[from] CreditCodeError),
    #[error("索引号序号超出范围（1–9999999）")]
    SeqRange,
}

pub const INDEX_SEQ_MAX: u32 = 9_999_999;

impl IndexNo {
    pub fn new(org: CreditCode, year: u16, seq: u32) -> Result<Self, IndexNoError> {
        if seq == 0 || seq > INDEX_SEQ_MAX {
            return Err(IndexNoError::SeqRange);
        }
        Ok(IndexNo { org, year, seq })
    }

    pub fn parse(input: &str) -> Result<Self, IndexNoError> {
        let (org, rest) = input.trim().split_once('/').ok_or(IndexNoError::Format)?;
        // Some sites add a suffix such as "-A" to the code; we do not issue those.
        let org = CreditCode::parse(org)?;
        let (year, seq) = rest.split_once('-').ok_or(IndexNoError::Format)?;
        if year.len() != 4 || seq.len() != 7 || !year.bytes().chain(seq.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(IndexNoError::Format);
        }
        Self::new(org, year.parse().map_err(|_| IndexNoError::Format)?, seq.parse().map_err(|_| IndexNoError::Format)?)
    }
}

impl fmt::Display for IndexNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}-{:07}", self.org, self.year, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RULES.md §4.2: the credit codes in real Shandong 索引号 all pass.
    #[test]
    fn real_shandong_credit_codes_are_valid() {
        for c in ["11371202K21349004N", "11370112MB2803691Q", "11370322004222241N", "113708280043326001"] {
            assert!(CreditCode::parse(c).is_ok(), "{c}");
        }
    }

    #[test]
    fn wrong_credit_codes_say_why() {
        assert_eq!(CreditCode::parse("11371202K21349004"), Err(CreditCodeError::Length(17)));
        assert_eq!(CreditCode::parse("11371202K21349004A"), Err(CreditCodeError::Check { expected: 'N', found: 'A' }));
        assert_eq!(CreditCode::parse("11371202I21349004N"), Err(CreditCodeError::Character(9, 'I')));
        assert!(CreditCode::parse("11371202k21349004n").is_ok(), "lower case is accepted");
        assert_eq!(CreditCode::with_check("11371202K21349004").unwrap().as_str(), "11371202K21349004N");
    }

    // RULES.md §7.1 sample IDs.
    #[test]
    fn resident_ids() {
        assert!(ResidentId::parse("360426199101010071").is_ok());
        assert!(ResidentId::parse("11010519491231002X").is_ok());
        assert!(ResidentId::parse("11010519491231002x").is_ok());
        assert_eq!(ResidentId::parse("360426199101010072"), Err(ResidentIdError::Check));
        assert_eq!(ResidentId::parse("360426199102300071"), Err(ResidentIdError::BirthDate));
        assert_eq!(ResidentId::parse("36042619910101007"), Err(ResidentIdError::Length(17)));
        assert_eq!(ResidentId::parse("3604261991010100X1"), Err(ResidentIdError::Character));
        assert_eq!(ResidentId::parse("360426199101010071").unwrap().masked(), "360426********0071");
    }

    #[test]
    fn index_numbers_round_trip() {
        let i = IndexNo::parse("11370112MB2803691Q/2024-6538710").unwrap();
        assert_eq!(i.year, 2024);
        assert_eq!(i.to_string(), "11370112MB2803691Q/2024-6538710");
        let n = IndexNo::new(CreditCode::parse("11371202K21349004N").unwrap(), 2025, 12).unwrap();
        assert_eq!(n.to_string(), "11371202K21349004N/2025-0000012");
        assert_eq!(IndexNo::parse("11370112MB2803691Q/2024-65387"), Err(IndexNoError::Format));
        assert!(matches!(IndexNo::parse("11370112MB2803691A/2024-6538710"), Err(IndexNoError::Org(_))));
        assert_eq!(IndexNo::new(i.org.clone(), 2024, 10_000_000), Err(IndexNoError::SeqRange));
    }
}
