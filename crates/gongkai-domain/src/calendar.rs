//! The official working-day calendar (工作日 / 法定节假日 / 调休), as data.
//!
//! Each year comes from the State Council's yearly notice, shipped as a text file per year
//! (`calendar/YYYY.txt`) and loadable at run time when the next notice is out. A date in a
//! year with no data is an error that names the year: never a silent guess.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Weekday};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("缺少{0}年的节假日安排数据，请由公开办导入国务院办公厅当年的节假日安排")]
    MissingYear(i32),
    #[error("节假日数据第{line}行有误：{message}")]
    Parse { line: usize, message: String },
}

/// One year's arrangement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearArrangement {
    pub year: i32,
    /// 放假日, with the holiday's name.
    pub holidays: HashMap<Date, String>,
    /// 调休上班日 (a weekend day that is worked), with its reason.
    pub workdays: HashMap<Date, String>,
}

/// What a date is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayInfo {
    pub date: Date,
    pub working: bool,
    /// 法定节假日名称 when the day is a holiday.
    pub holiday: Option<String>,
    /// Set on 调休上班日.
    pub makeup_for: Option<String>,
    pub weekend: bool,
}

impl DayInfo {
    /// Why a day does not count, in Chinese.
    pub fn reason_off(&self) -> Option<String> {
        if self.working {
            None
        } else if let Some(h) = &self.holiday {
            Some(format!("{h}假期"))
        } else {
            Some("周末".into())
        }
    }
}

/// Years shipped with gongkai.
pub const SHIPPED: &[&str] = &[
    include_str!("../calendar/2019.txt"),
    include_str!("../calendar/2020.txt"),
    include_str!("../calendar/2021.txt"),
    include_str!("../calendar/2022.txt"),
    include_str!("../calendar/2023.txt"),
    include_str!("../calendar/2024.txt"),
    include_str!("../calendar/2025.txt"),
    include_str!("../calendar/2026.txt"),
];

/// Parses one year's file: `year YYYY`, then lines `YYYY-MM-DD holiday|workday NAME`;
/// `#` starts a comment.
pub fn parse_year(text: &str) -> Result<YearArrangement, CalendarError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let mut y = YearArrangement::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let err = |message: String| CalendarError::Parse { line: i + 1, message };
        let mut parts = line.split_whitespace();
        let first = parts.next().unwrap_or("");
        if first == "year" {
            y.year = parts
                .next()
                .and_then(|v| v.parse().ok())
                .filter(|v| (1949..=2200).contains(v))
                .ok_or_else(|| err("年份无效".into()))?;
            continue;
        }
        if y.year == 0 {
            return Err(err("文件应以“year YYYY”开头".into()));
        }
        let date = Date::parse(first, fmt).map_err(|_| err(format!("日期“{first}”无效")))?;
        if date.year() != y.year {
            return Err(err(format!("日期 {date} 不属于{}年", y.year)));
        }
        let kind = parts.next().unwrap_or("");
        let name = parts.collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(err("缺少名称".into()));
        }
        let dup = y.holidays.contains_key(&date) || y.workdays.contains_key(&date);
        if dup {
            return Err(err(format!("日期 {date} 重复")));
        }
        match kind {
            "holiday" => {
                y.holidays.insert(date, name);
            }
            "workday" => {
                if !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                    return Err(err(format!("{date} 不是周末，不能作为调休上班日")));
                }
                y.workdays.insert(date, name);
            }
            _ => return Err(err(format!("类型应为 holiday 或 workday，而不是“{kind}”"))),
        }
    }
    if y.year == 0 {
        return Err(CalendarError::Parse { line: 0, message: "文件为空".into() });
    }
    Ok(y)
}

/// The calendar of every year gongkai knows.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeMap<i32, YearArrangement>,
}

impl WorkCalendar {
    /// The years shipped with gongkai.
    pub fn shipped() -> WorkCalendar {
        let mut c = WorkCalendar::default();
        for text in SHIPPED {
            // Shipped files are checked by the tests below.
            if let Ok(y) = parse_year(text) {
                c.insert(y);
            }
        }
        c
    }

    /// Adds or replaces a year (a new State Council notice).
    pub fn insert(&mut self, y: YearArrangement) {
        self.years.insert(y.year, y);
    }

    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    pub fn day(&self, date: Date) -> Result<DayInfo, CalendarError> {
        let y = self.years.get(&date.year()).ok_or(CalendarError::MissingYear(date.year()))?;
        let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
        let holiday = y.holidays.get(&date).cloned();
        let makeup_for = y.workdays.get(&date).cloned();
        let working = holiday.is_none() && (!weekend || makeup_for.is_some());
        Ok(DayInfo { date, working, holiday, makeup_for, weekend })
    }

    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.day(date)?.working)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_shipped_year_parses() {
        for text in SHIPPED {
            parse_year(text).unwrap();
        }
        assert_eq!(WorkCalendar::shipped().years(), (2019..=2026).collect::<Vec<_>>());
    }

    // 国务院办公厅关于2025年部分节假日安排的通知: 春节 1月28日至2月4日放假，1月26日（周日）、
    // 2月8日（周六）上班；国庆节、中秋节 10月1日至8日放假，9月28日（周日）、10月11日（周六）上班。
    #[test]
    fn spring_festival_and_national_day_2025() {
        let c = WorkCalendar::shipped();
        for d in [date!(2025 - 01 - 28), date!(2025 - 02 - 04), date!(2025 - 10 - 01), date!(2025 - 10 - 08)] {
            let info = c.day(d).unwrap();
            assert!(!info.working, "{d}");
        }
        assert_eq!(c.day(date!(2025 - 01 - 29)).unwrap().holiday.as_deref(), Some("春节"));
        for d in [date!(2025 - 01 - 26), date!(2025 - 02 - 08), date!(2025 - 09 - 28), date!(2025 - 10 - 11)] {
            let info = c.day(d).unwrap();
            assert!(info.working && info.weekend && info.makeup_for.is_some(), "{d} is a make-up working day");
        }
        assert!(c.is_working_day(date!(2025 - 02 - 05)).unwrap());
        assert!(!c.is_working_day(date!(2025 - 03 - 01)).unwrap(), "an ordinary Saturday");
        assert_eq!(c.day(date!(2025 - 03 - 01)).unwrap().reason_off().as_deref(), Some("周末"));
    }

    #[test]
    fn a_missing_year_is_an_error_naming_it() {
        let c = WorkCalendar::shipped();
        let e = c.day(date!(2027 - 03 - 01)).unwrap_err();
        assert_eq!(e, CalendarError::MissingYear(2027));
        assert!(e.to_string().contains("2027年"));
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        assert!(matches!(parse_year("2027-01-01 holiday 元旦"), Err(CalendarError::Parse { line: 1, .. })));
        let e = parse_year("year 2027\n2027-01-01 holiday 元旦\n2027-01-04 workday 调休").unwrap_err();
        assert!(e.to_string().contains("第3行") && e.to_string().contains("不是周末"), "{e}");
        assert!(parse_year("year 2027\n2026-12-31 holiday 元旦").is_err());
        let y = parse_year("year 2027\n# 示例\n2027-01-01 holiday 元旦\n").unwrap();
        assert_eq!(y.holidays.len(), 1);
    }
}
