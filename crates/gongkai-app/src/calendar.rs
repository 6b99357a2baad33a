//! The working-day calendar: shipped years plus years the district office loads.

use crate::{Actor, App, AppError, Result};
use gongkai_domain::calendar::{DayInfo, WorkCalendar, parse_year};
use gongkai_store::calendar_year;
use gongkai_store::sea_orm::{ActiveModelTrait, EntityTrait, Set};
use time::Date;

impl App {
    /// Shipped years, overridden or extended by loaded ones.
    pub async fn calendar(&self) -> Result<WorkCalendar> {
        let mut cal = WorkCalendar::shipped();
        for row in calendar_year::Entity::find().all(self.store.conn()).await? {
            let y = parse_year(&row.source)
                .map_err(|e| AppError::Internal(format!("stored calendar {}: {e}", row.year)))?;
            cal.insert(y);
        }
        Ok(cal)
    }

    /// Loads a year's arrangement (the State Council's notice for the next year).
    pub async fn load_calendar_year(&self, actor: &Actor, text: &str) -> Result<i32> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有公开办可以导入节假日安排".into()));
        }
        let y = parse_year(text).map_err(|e| AppError::field("text", e.to_string()))?;
        let tx = self.store.begin_write().await?;
        let before = calendar_year::Entity::find_by_id(y.year).one(&*tx).await?;
        let row =
            calendar_year::ActiveModel { year: Set(y.year), source: Set(text.to_string()), loaded_at: Set(self.now()) };
        if before.is_some() {
            row.update(&*tx).await?;
        } else {
            row.insert(&*tx).await?;
        }
        self.audit(
            &*tx,
            actor,
            "calendar.load",
            "calendar_year",
            Some(y.year as i64),
            None,
            Some(serde_json::json!({"year": y.year, "holidays": y.holidays.len(), "workdays": y.workdays.len()})),
        )
        .await?;
        tx.commit().await?;
        // Requests whose reply date ran into this year (or whose days changed) get theirs now.
        let changed = self.refresh_due_dates().await?;
        tracing::info!(year = y.year, requests = changed, "calendar loaded; reply dates recomputed");
        Ok(y.year)
    }

    /// A year the office should load: the current one when missing, or from November the
    /// next one (the State Council publishes it late in the year).
    pub async fn calendar_gap(&self) -> Result<Option<i32>> {
        let cal = self.calendar().await?;
        let today = self.today();
        let years = cal.years();
        Ok(if !years.contains(&today.year()) {
            Some(today.year())
        } else if today.month() >= time::Month::November && !years.contains(&(today.year() + 1)) {
            Some(today.year() + 1)
        } else {
            None
        })
    }

    pub async fn calendar_days(&self, dates: &[Date]) -> Result<Vec<DayInfo>> {
        let cal = self.calendar().await?;
        dates.iter().map(|d| cal.day(*d).map_err(|e| AppError::Rule(e.to_string()))).collect()
    }
}

/// The day `n` working days after `today` (counting from the next day), for the app's own
/// deadlines (patrol findings, 找错 reports); in a year whose calendar is not loaded yet,
/// `n` calendar days, so that nothing is left without a date.
pub(crate) fn due_after(cal: &WorkCalendar, today: Date, n: u32) -> Date {
    use gongkai_domain::deadline::{FirstDay, add_working_days};
    add_working_days(cal, today, n, FirstDay::NextDay, &[])
        .map(|r| r.due)
        .unwrap_or(today + time::Duration::days(n as i64))
}
