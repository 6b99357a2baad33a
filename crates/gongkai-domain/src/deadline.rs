//! Deadlines of a request for disclosure (《政府信息公开条例》第三十条至第三十三条), counted
//! in working days on the official calendar, with every day's reason kept so a page can
//! show how the date was reached.

use crate::calendar::{CalendarError, WorkCalendar};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// How the first day is counted. The regulation does not say (RULES.md §1.1 gaps), so it
/// is a setting; the default follows the common reading 自收到申请次日起算.
/// In the configuration file: `first_day = "next_day"` or `"same_day"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FirstDay {
    /// The working day after receipt is day 1.
    #[default]
    NextDay,
    /// The day of receipt is day 1 when it is a working day.
    SameDay,
}

/// A stretch of days that does not count (third-party or inter-agency consultation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Excluded {
    pub from: Date,
    pub to: Date,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayRecord {
    pub date: Date,
    /// The ordinal of this working day, when it counted.
    pub counted: Option<u32>,
    /// Why it did not count.
    pub skipped: Option<String>,
}

/// A due date and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reckoning {
    pub from: Date,
    pub working_days: u32,
    pub due: Date,
    pub days: Vec<DayRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error("补正通知应在收到申请之日起7个工作日内（{limit}前）一次性发出")]
    ClarificationTooLate { limit: Date },
    #[error("延长答复期限最长不得超过20个工作日")]
    ExtensionTooLong,
    #[error("日期顺序有误：{0}")]
    Order(String),
}

/// Counts `n` working days from `from`, skipping non-working days and excluded stretches.
pub fn add_working_days(
    cal: &WorkCalendar,
    from: Date,
    n: u32,
    first: FirstDay,
    excluded: &[Excluded],
) -> Result<Reckoning, CalendarError> {
    let mut d = match first {
        FirstDay::NextDay => from + Duration::days(1),
        FirstDay::SameDay => from,
    };
    let mut count = 0;
    let mut days = Vec::new();
    if n == 0 {
        return Ok(Reckoning { from, working_days: 0, due: from, days });
    }
    loop {
        let info = cal.day(d)?;
        let skipped = match excluded.iter().find(|e| e.from <= d && d <= e.to) {
            Some(e) => Some(format!("{}（不计入期限）", e.reason)),
            None => info.reason_off(),
        };
        if skipped.is_none() {
            count += 1;
        }
        days.push(DayRecord { date: d, counted: skipped.is_none().then_some(count), skipped });
        if count == n {
            return Ok(Reckoning { from, working_days: n, due: d, days });
        }
        d += Duration::days(1);
    }
}

/// The facts of one request that move its reply deadline.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RequestClock {
    pub received_on: Option<Date>,
    /// Date the 补正 notice went out.
    pub clarification_sent_on: Option<Date>,
    /// Date the clarified request arrived: the clock restarts from it.
    pub clarified_on: Option<Date>,
    pub consultations: Vec<Excluded>,
    /// Approved extension, at most 20 working days.
    pub extension_days: u32,
}

pub const REPLY_DAYS: u32 = 20;
pub const CLARIFY_WITHIN: u32 = 7;
pub const MAX_EXTENSION: u32 = 20;
pub const FEE_PAY_DAYS: u32 = 20;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplyDue {
    /// The 20-working-day deadline.
    pub base: Reckoning,
    /// With the extension, if any.
    pub extended: Option<Reckoning>,
    pub due: Date,
}

impl RequestClock {
    /// Latest date a 补正 notice may go out (第三十条).
    pub fn clarification_limit(&self, cal: &WorkCalendar, first: FirstDay) -> Result<Option<Date>, DeadlineError> {
        let Some(r) = self.received_on else {
            return Ok(None);
        };
        Ok(Some(add_working_days(cal, r, CLARIFY_WITHIN, first, &[])?.due))
    }

    /// The reply due date (第三十三条), or None while the clock is stopped for 补正.
    pub fn reply_due(&self, cal: &WorkCalendar, first: FirstDay) -> Result<Option<ReplyDue>, DeadlineError> {
        let Some(received) = self.received_on else {
            return Ok(None);
        };
        if self.extension_days > MAX_EXTENSION {
            return Err(DeadlineError::ExtensionTooLong);
        }
        let start = match (self.clarification_sent_on, self.clarified_on) {
            (Some(sent), clarified) => {
                if sent < received {
                    return Err(DeadlineError::Order("补正通知早于收到申请".into()));
                }
                let limit = add_working_days(cal, received, CLARIFY_WITHIN, first, &[])?.due;
                if sent > limit {
                    return Err(DeadlineError::ClarificationTooLate { limit });
                }
                match clarified {
                    Some(c) if c < sent => {
                        return Err(DeadlineError::Order("补正材料早于补正通知".into()));
                    }
                    Some(c) => c,
                    None => return Ok(None),
                }
            }
            (None, Some(_)) => return Err(DeadlineError::Order("没有补正通知却有补正材料".into())),
            (None, None) => received,
        };
        let base = add_working_days(cal, start, REPLY_DAYS, first, &self.consultations)?;
        let extended = match self.extension_days {
            0 => None,
            n => Some(add_working_days(cal, base.due, n, FirstDay::NextDay, &self.consultations)?),
        };
        let due = extended.as_ref().map(|e| e.due).unwrap_or(base.due);
        Ok(Some(ReplyDue { base, extended, due }))
    }
}

/// Payment deadline of a 收费通知: 20 working days from the day after the applicant
/// receives it (◐ RULES.md §1.4).
pub fn fee_payment_due(cal: &WorkCalendar, notice_received_on: Date) -> Result<Reckoning, CalendarError> {
    add_working_days(cal, notice_received_on, FEE_PAY_DAYS, FirstDay::NextDay, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cal() -> WorkCalendar {
        WorkCalendar::shipped()
    }

    fn due(received: Date) -> Date {
        RequestClock { received_on: Some(received), ..Default::default() }
            .reply_due(&cal(), FirstDay::NextDay)
            .unwrap()
            .unwrap()
            .due
    }

    // Received on the make-up Sunday before the 2025 Spring Festival: the working day after
    // it is day 1, the eight holiday days do not count, the make-up Saturday 2月8日 does.
    #[test]
    fn across_spring_festival_2025_from_a_makeup_sunday() {
        assert_eq!(due(date!(2025 - 01 - 26)), date!(2025 - 02 - 28));
        let r = add_working_days(&cal(), date!(2025 - 01 - 26), 20, FirstDay::NextDay, &[]).unwrap();
        let feb8 = r.days.iter().find(|d| d.date == date!(2025 - 02 - 08)).unwrap();
        assert_eq!(feb8.counted, Some(5));
        let jan29 = r.days.iter().find(|d| d.date == date!(2025 - 01 - 29)).unwrap();
        assert_eq!(jan29.skipped.as_deref(), Some("春节假期"));
    }

    #[test]
    fn across_national_day_2025() {
        assert_eq!(due(date!(2025 - 09 - 26)), date!(2025 - 10 - 30));
    }

    #[test]
    fn first_day_rule_is_a_setting() {
        let c = RequestClock { received_on: Some(date!(2025 - 03 - 03)), ..Default::default() };
        assert_eq!(c.reply_due(&cal(), FirstDay::NextDay).unwrap().unwrap().due, date!(2025 - 03 - 31));
        assert_eq!(c.reply_due(&cal(), FirstDay::SameDay).unwrap().unwrap().due, date!(2025 - 03 - 28));
    }

    // 第三十三条第三款: consultation time is excluded; 清明节 (2025-04-04) is skipped too.
    #[test]
    fn consultation_time_is_excluded() {
        let c = RequestClock {
            received_on: Some(date!(2025 - 03 - 03)),
            consultations: vec![Excluded {
                from: date!(2025 - 03 - 10),
                to: date!(2025 - 03 - 14),
                reason: "征求第三方意见".into(),
            }],
            ..Default::default()
        };
        let d = c.reply_due(&cal(), FirstDay::NextDay).unwrap().unwrap();
        assert_eq!(d.due, date!(2025 - 04 - 08));
        assert!(d.base.days.iter().any(|x| x.skipped.as_deref() == Some("征求第三方意见（不计入期限）")));
        assert!(
            d.base.days.iter().any(|x| x.date == date!(2025 - 04 - 04) && x.skipped.as_deref() == Some("清明节假期"))
        );
    }

    // 第三十条: notice within 7 working days, clock restarts from the clarified request.
    #[test]
    fn clarification_restarts_the_clock() {
        let mut c = RequestClock {
            received_on: Some(date!(2025 - 03 - 03)),
            clarification_sent_on: Some(date!(2025 - 03 - 05)),
            ..Default::default()
        };
        assert_eq!(c.clarification_limit(&cal(), FirstDay::NextDay).unwrap(), Some(date!(2025 - 03 - 12)));
        assert!(c.reply_due(&cal(), FirstDay::NextDay).unwrap().is_none(), "stopped while waiting for 补正");
        c.clarified_on = Some(date!(2025 - 03 - 20));
        assert_eq!(c.reply_due(&cal(), FirstDay::NextDay).unwrap().unwrap().due, date!(2025 - 04 - 18));
        c.clarification_sent_on = Some(date!(2025 - 03 - 13));
        assert_eq!(
            c.reply_due(&cal(), FirstDay::NextDay).unwrap_err(),
            DeadlineError::ClarificationTooLate { limit: date!(2025 - 03 - 12) }
        );
    }

    // 第三十三条第二款: one extension of at most 20 working days. 清明节 (4月4日) is off and
    // the make-up Sunday before 劳动节 (4月27日) is worked.
    #[test]
    fn extension_is_capped() {
        let mut c = RequestClock { received_on: Some(date!(2025 - 03 - 03)), extension_days: 20, ..Default::default() };
        let d = c.reply_due(&cal(), FirstDay::NextDay).unwrap().unwrap();
        assert_eq!((d.base.due, d.due), (date!(2025 - 03 - 31), date!(2025 - 04 - 28)));
        c.extension_days = 21;
        assert_eq!(c.reply_due(&cal(), FirstDay::NextDay).unwrap_err(), DeadlineError::ExtensionTooLong);
    }

    #[test]
    fn a_deadline_running_into_a_year_without_data_says_so() {
        let e = due_err(date!(2026 - 12 - 20));
        assert_eq!(e, DeadlineError::Calendar(CalendarError::MissingYear(2027)));
    }

    fn due_err(received: Date) -> DeadlineError {
        RequestClock { received_on: Some(received), ..Default::default() }
            .reply_due(&cal(), FirstDay::NextDay)
            .unwrap_err()
    }

    #[test]
    fn fee_payment_period() {
        assert_eq!(fee_payment_due(&cal(), date!(2025 - 09 - 26)).unwrap().due, date!(2025 - 10 - 30));
    }
}
